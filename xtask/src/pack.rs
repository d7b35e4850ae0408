//! `cargo xtask pack`: builds each charm's release binary and packs it into
//! `build/<name>.charm` (through `charm-pack`); `cargo xtask check-charms` (or `pack --check`)
//! then lints the archives with the real charm tools, charm-proof and `charmcraft analyse`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use charm_pack::{extract, validate, CargoCharm, CharmSource, BASES};
use emulator::{DeployOptions, Model};

use crate::bundles;
use crate::linkage::{Linkage, OldestBase};

/// The target that gives static binaries, which run on every Ubuntu base whatever its glibc.
const STATIC_TARGET: &str = "x86_64-unknown-linux-musl";
/// The static binaries are position-dependent executables, not Rust's default static PIEs.
/// A static PIE applies its own ~15,000 relocations at every start: it reads `.rela.dyn`
/// (350 KiB) and writes every page of `.data.rel.ro` (260 KiB): measured on manila's binary
/// of the time, its peak RSS per hook went from 5.25 to 4.74 MB without them, and a
/// do-nothing start became as cheap as `/bin/true` (`cargo xtask bench`). Packed relative
/// relocations (`-z pack-relative-relocs`) keep the PIE and only remove the first half
/// (4.93 MB). What a fixed load address gives up is ASLR of the image itself (the stack,
/// heap and mappings stay randomized): acceptable for a short-lived process in a workspace
/// that forbids `unsafe`, and what Go does on linux/amd64 by default.
///
/// What else a hook's peak RSS is: nearly all of it (all but ~90 KiB) the binary's own pages
/// it faults in, and the kernel's fault-around maps 64 KiB around each, so it grows with how
/// spread out the code a hook runs is over the whole binary, not with how much it runs. Tried
/// on manila's 8.2 MB binary at 5128 KiB per config-changed: opt-level "z" (-128 KiB only),
/// LLVM's hot/cold splitting (no change). What worked: taking the API actions' HTTP client,
/// TLS and async runtime (reqwest, rustls, tokio, hyper; 1.8 MB) out into the charm's second
/// binary, which only those actions run (`charm::exec_for_actions`): 6.4 MB, 4236-4424 KiB
/// per config-changed and relation-changed, 3468 KiB per update-status. Both binaries are
/// built here, with the same flags, and both checked. The next lever, measured but not
/// taken: the action-parameter validation (`jsonschema` and its regex engines, 1.6 MB of
/// the 4.6 MB of code left), which no hook runs either; a hook binary without it was 4.4 MB
/// and took 3336-3464 KiB per hook, 2700 per update-status.
const STATIC_RUSTFLAGS: &str = "-C relocation-model=static";

/// The Cargo profile of the charm binaries (the workspace's Cargo.toml): release, for size.
const CHARM_PROFILE: &str = "charm";

#[derive(Debug, clap::Args)]
pub(crate) struct PackArgs {
    /// Charms to pack, by name under charms/ or by directory (default: every charms/* with a
    /// metadata.yaml).
    charms: Vec<String>,
    /// Lint the packed charms afterwards, as `check-charms` does.
    #[arg(long)]
    check: bool,
    /// Where the archives go (default: build/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write the one charm named as a charm directory into DIR (absent or empty) instead of
    /// an archive: what charmcraft.yaml's build step primes.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["check", "out"])]
    assemble: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Charms to check (default: every charm under charms/); each must have been packed.
    charms: Vec<String>,
}

/// A charm directory and what Cargo builds for it.
#[derive(Debug)]
struct Charm {
    dir: PathBuf,
    /// The directory's name, which validation makes equal to the charm's name.
    name: String,
    cargo: CargoCharm,
}

impl PackArgs {
    /// Every charm, without linting.
    pub(crate) fn all() -> PackArgs {
        PackArgs {
            charms: Vec::new(),
            check: false,
            out: None,
            assemble: None,
        }
    }

    /// The charm directories under `dir` (relative to the workspace), into `out`.
    pub(crate) fn every_charm_in(dir: &Path, out: &Path) -> Result<PackArgs> {
        let mut charms = Vec::new();
        for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
            let path = entry
                .with_context(|| format!("listing {}", dir.display()))?
                .path();
            if path.join("metadata.yaml").is_file() {
                charms.push(path.to_string_lossy().into_owned());
            }
        }
        charms.sort();
        Ok(PackArgs {
            charms,
            check: false,
            out: Some(out.to_owned()),
            assemble: None,
        })
    }
}

/// Packs the charms `args` names; returns the archives written.
pub(crate) fn pack(root: &Path, args: &PackArgs) -> Result<Vec<PathBuf>> {
    let charms = select(root, &args.charms)?;
    let names: Vec<&str> = charms.iter().map(|c| c.name.as_str()).collect();
    eprintln!("==> validate {}", names.join(", "));
    for charm in &charms {
        validate(&charm.dir)?;
    }
    let built = build(root, &charms)?;
    if let Some(dest) = &args.assemble {
        let [charm] = charms.as_slice() else {
            bail!(
                "--assemble takes exactly one charm, not {}",
                names.join(", ")
            );
        };
        eprintln!("==> assemble {} into {}", charm.name, dest.display());
        built[&charm.dir].assemble_dir(dest)?;
        return Ok(Vec::new());
    }
    let build_dir = root.join(args.out.as_deref().unwrap_or(Path::new("build")));
    fs::create_dir_all(&build_dir).with_context(|| format!("creating {}", build_dir.display()))?;
    let mut packed = Vec::new();
    for charm in &charms {
        let archive = build_dir.join(format!("{}.charm", charm.name));
        eprintln!("==> pack {} into {}", charm.name, shown(root, &archive));
        built[&charm.dir].write_zip(&archive)?;
        let size = fs::metadata(&archive)
            .with_context(|| format!("reading {}", archive.display()))?
            .len();
        packed.push((archive, size));
    }
    for (archive, size) in &packed {
        println!("{}  {}", shown(root, archive), human_size(*size));
    }
    if args.check {
        check(root, &build_dir, &charms)?;
    }
    Ok(packed.into_iter().map(|(archive, _)| archive).collect())
}

pub(crate) fn check_charms(root: &Path, args: &CheckArgs) -> Result<()> {
    check(root, &root.join("build"), &select(root, &args.charms)?)
}

/// The charms named on the command line, or every directory under `charms/` that has a
/// `metadata.yaml`.
fn select(root: &Path, requested: &[String]) -> Result<Vec<Charm>> {
    let charms_dir = root.join("charms");
    let dirs: Vec<PathBuf> = if requested.is_empty() {
        let listing = fs::read_dir(&charms_dir)
            .with_context(|| format!("listing {}", charms_dir.display()))?;
        let mut dirs = Vec::new();
        for entry in listing {
            let path = entry
                .with_context(|| format!("listing {}", charms_dir.display()))?
                .path();
            if path.join("metadata.yaml").is_file() {
                dirs.push(path);
            }
        }
        dirs.sort();
        dirs
    } else {
        requested
            .iter()
            .map(|name| {
                if name.contains('/') {
                    PathBuf::from(name)
                } else {
                    charms_dir.join(name)
                }
            })
            .collect()
    };
    if dirs.is_empty() {
        bail!("no charms found under {}", charms_dir.display());
    }
    dirs.into_iter()
        .map(|dir| {
            if !dir.join("metadata.yaml").is_file() {
                bail!("{}: not a charm (no metadata.yaml)", dir.display());
            }
            let dir = dir
                .canonicalize()
                .with_context(|| format!("resolving {}", dir.display()))?;
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let cargo = CargoCharm::read(&dir)?;
            Ok(Charm { dir, name, cargo })
        })
        .collect()
}

/// How the charm binaries are linked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Linking {
    /// For [`STATIC_TARGET`]: no loader, no glibc; runs on every base.
    Static,
    /// For the host's target, against its glibc; why the static target is not used.
    Glibc { why: String },
}

/// The C compilers for musl that cc-rs looks for, which ring (rustls's cryptography, under
/// manila-client) needs to build its C and assembly for the static target.
const MUSL_C_COMPILERS: &[&str] = &["x86_64-linux-musl-gcc", "musl-gcc"];

/// Static when there is a C compiler for musl and the musl target is installed or rustup
/// can install it; otherwise glibc, saying why.
fn choose_linking() -> Linking {
    let cc_given = std::env::var_os("CC_x86_64_unknown_linux_musl").is_some();
    if !cc_given && MUSL_C_COMPILERS.iter().all(|cc| find_on_path(cc).is_none()) {
        return Linking::Glibc {
            why: "there is no C compiler for musl on PATH (`apt-get install musl-tools` \
                  gives musl-gcc)"
                .to_owned(),
        };
    }
    if static_target_installed() {
        return Linking::Static;
    }
    let rustup = Command::new("rustup")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !rustup.is_ok_and(|s| s.success()) {
        return Linking::Glibc {
            why: format!("rustup is not on PATH to add the {STATIC_TARGET} target"),
        };
    }
    eprintln!("==> rustup target add {STATIC_TARGET} (static charm binaries run on every base)");
    let added = Command::new("rustup")
        .args(["target", "add", STATIC_TARGET])
        .status();
    match added {
        Ok(status) if status.success() && static_target_installed() => Linking::Static,
        Ok(status) => Linking::Glibc {
            why: format!("`rustup target add {STATIC_TARGET}` failed ({status})"),
        },
        Err(e) => Linking::Glibc {
            why: format!("`rustup target add {STATIC_TARGET}` could not start: {e}"),
        },
    }
}

/// Builds every charm's package in one cargo run, and returns each charm directory with its
/// binaries (every `[[bin]]` target of its package), by directory.
fn build(root: &Path, charms: &[Charm]) -> Result<BTreeMap<PathBuf, CharmSource>> {
    let packages: Vec<&str> = charms.iter().map(|c| c.cargo.package.as_str()).collect();
    let linking = choose_linking();
    let how = match &linking {
        Linking::Static => format!("static binaries for {STATIC_TARGET}"),
        Linking::Glibc { .. } => "binaries linked against this machine's glibc".to_owned(),
    };
    eprintln!(
        "==> build {} with the {CHARM_PROFILE} profile: {how}",
        packages.join(", ")
    );
    let mut args = vec!["--profile", CHARM_PROFILE];
    for package in &packages {
        args.extend(["-p", package]);
    }
    let rustflags = format!(
        "target.{STATIC_TARGET}.rustflags={:?}",
        STATIC_RUSTFLAGS.split(' ').collect::<Vec<_>>()
    );
    if linking == Linking::Static {
        args.extend(["--target", STATIC_TARGET, "--config", &rustflags]);
    }
    let built = cargo_build(root, &args)?;
    let mut sources = BTreeMap::new();
    for charm in charms {
        let binary = |name: &str| {
            built
                .get(&(charm.dir.clone(), name.to_owned()))
                .cloned()
                .with_context(|| {
                    format!("cargo built no binary {name} for {}", charm.dir.display())
                })
        };
        let others = charm
            .cargo
            .other_binaries
            .iter()
            .map(|name| binary(name))
            .collect::<Result<Vec<_>>>()?;
        let source =
            CharmSource::new(&charm.dir, binary(&charm.cargo.binary)?).with_other_binaries(others);
        sources.insert(charm.dir.clone(), source);
    }
    check_linkage(
        root,
        &linking,
        sources
            .values()
            .flat_map(|source| std::iter::once(&source.binary).chain(&source.other_binaries)),
    )?;
    Ok(sources)
}

/// Runs `cargo build` with `args`; returns every binary it built, by package directory and
/// binary name.
pub(crate) fn cargo_build(
    root: &Path,
    args: &[&str],
) -> Result<BTreeMap<(PathBuf, String), PathBuf>> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root)
        .args(["build", "--message-format=json-render-diagnostics"])
        .args(args);
    // Cargo's progress and diagnostics go to stderr as usual; stdout carries one JSON message
    // per line, among them where each binary was written.
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start: {cmd:?}"))?;
    let stdout = child.stdout.take().context("cargo's stdout")?;
    let mut built = BTreeMap::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading cargo's output")?;
        if let Some((manifest_dir, name, executable)) = built_binary(&line) {
            let manifest_dir = manifest_dir.canonicalize().unwrap_or(manifest_dir);
            built.insert((manifest_dir, name), executable);
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    if !status.success() {
        bail!("step failed: cargo build ({status})");
    }
    Ok(built)
}

/// Reads how each binary is linked and checks it runs on every base the archives declare:
/// a static build must have come out static; a glibc one must need no newer glibc than the
/// oldest base ships, and says loudly that it is not static.
fn check_linkage<'a>(
    root: &Path,
    linking: &Linking,
    binaries: impl Iterator<Item = &'a PathBuf>,
) -> Result<()> {
    let oldest = OldestBase::of(BASES)?;
    if let Linking::Glibc { why } = linking {
        eprintln!(
            "==> WARNING: the charm binaries are NOT static but linked against this machine's \
             glibc, because {why}. They run in the emulator here; on a controller, each \
             archive runs only where the glibc its binary needs is, checked below against \
             the oldest base manifest.yaml declares ({oldest})."
        );
    }
    for binary in binaries {
        let linkage = Linkage::read(binary)?;
        let built_static = *linking == Linking::Static;
        match linkage.runs_on(&oldest, built_static) {
            Ok(fact) => eprintln!("    {}: {fact}", shown(root, binary)),
            Err(why) if built_static => {
                bail!(
                    "{} was built for {STATIC_TARGET}: {why}",
                    shown(root, binary)
                )
            }
            Err(why) => bail!(
                "{}: {why}; static binaries would: install the {STATIC_TARGET} target \
                 (`rustup target add {STATIC_TARGET}`) and musl-gcc (`apt-get install \
                 musl-tools`)",
                shown(root, binary)
            ),
        }
    }
    Ok(())
}

/// From one of cargo's JSON messages: the package directory, name and path of a built binary.
fn built_binary(line: &str) -> Option<(PathBuf, String, PathBuf)> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let target = &message["target"];
    let is_bin = target["kind"].as_array()?.iter().any(|kind| kind == "bin");
    if !is_bin {
        return None;
    }
    let manifest = PathBuf::from(message["manifest_path"].as_str()?);
    Some((
        manifest.parent()?.to_owned(),
        target["name"].as_str()?.to_owned(),
        PathBuf::from(message["executable"].as_str()?),
    ))
}

fn static_target_installed() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|line| line.trim() == STATIC_TARGET)
        })
}

/// One of the charm linters.
struct Linter {
    program: &'static str,
    install: &'static str,
}

const CHARM_PROOF: Linter = Linter {
    program: "charm-proof",
    install: "pip install charm-tools",
};

const CHARMCRAFT: Linter = Linter {
    program: "charmcraft",
    install: "pip install charmcraft==4.5.0",
};

/// How a linter judged a charm, from its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Clean,
    Warnings,
    Errors,
}

/// charm-proof exits 0 (clean or info only), 100 (warnings) or 200 (errors).
fn proof_verdict(code: Option<i32>) -> Verdict {
    match code {
        Some(0) => Verdict::Clean,
        Some(code) if (1..200).contains(&code) => Verdict::Warnings,
        _ => Verdict::Errors,
    }
}

/// `charmcraft analyse` exits 0 (all passed), 3 (warnings) or 2 (errors); anything else is a
/// failure of the tool itself.
fn analyse_verdict(code: Option<i32>) -> Verdict {
    match code {
        Some(0) => Verdict::Clean,
        Some(3) => Verdict::Warnings,
        _ => Verdict::Errors,
    }
}

fn check(root: &Path, build_dir: &Path, charms: &[Charm]) -> Result<()> {
    let require = std::env::var("REQUIRE_CHARM_TOOLS").is_ok_and(|v| v == "1");
    let proof = find_linter(&CHARM_PROOF, require)?;
    let charmcraft = find_linter(&CHARMCRAFT, require)?;
    let mut failed = Vec::new();
    for charm in charms {
        let archive = build_dir.join(format!("{}.charm", charm.name));
        if !archive.is_file() {
            bail!(
                "{} not found: run `cargo xtask pack {}` first",
                shown(root, &archive),
                charm.name
            );
        }
        // charm-proof reads a directory named like the charm; unpacking the archive (rather
        // than assembling afresh) lints exactly what was shipped.
        let unpacked = root.join("build/unpacked").join(&charm.name);
        if unpacked.exists() {
            fs::remove_dir_all(&unpacked)
                .with_context(|| format!("removing {}", unpacked.display()))?;
        }
        extract(&archive, &unpacked)?;
        if let Some(program) = &proof {
            let mut cmd = Command::new(program);
            cmd.arg(&unpacked);
            let what = format!("charm-proof {}", shown(root, &unpacked));
            if run_linter(&what, cmd, proof_verdict)? == Verdict::Errors {
                failed.push(what);
            }
        }
        if let Some(program) = &charmcraft {
            let mut cmd = Command::new(program);
            cmd.arg("analyse").arg(&archive);
            let xdg_runtime = if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
                // Without it charmcraft warns on every run and falls back to /tmp.
                let runtime = root.join("build/unpacked/.xdg-runtime");
                fs::create_dir_all(&runtime)
                    .with_context(|| format!("creating {}", runtime.display()))?;
                fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700))
                    .with_context(|| format!("securing {}", runtime.display()))?;
                cmd.env("XDG_RUNTIME_DIR", &runtime);
                Some(runtime)
            } else {
                None
            };
            let what = format!("charmcraft analyse {}", shown(root, &archive));
            if run_linter(&what, cmd, analyse_verdict)? == Verdict::Errors {
                failed.push(what);
            }
            // The charm's charmcraft.yaml, loaded and validated as `charmcraft pack` would
            // before building (which needs LXD or an Ubuntu host): exit 0 or failure.
            if charm.dir.join("charmcraft.yaml").is_file() {
                let mut cmd = Command::new(program);
                cmd.arg("expand-extensions").current_dir(&charm.dir);
                if let Some(runtime) = &xdg_runtime {
                    cmd.env("XDG_RUNTIME_DIR", runtime);
                }
                let what = format!(
                    "charmcraft expand-extensions (validates {})",
                    shown(root, &charm.dir.join("charmcraft.yaml"))
                );
                let report = run_quiet(&what, cmd)?;
                if !report {
                    failed.push(what);
                }
            }
        }
    }
    if !failed.is_empty() {
        bail!("charm linters found errors:\n  {}", failed.join("\n  "));
    }
    deploy_each(root, build_dir, charms)?;
    bundles::validate(root)
}

/// Deploys every archive, as it is, into a scratch emulator model: Juju must be able to
/// unpack and run it (dispatch executable, binary runs on this machine, hooks exit 0). The
/// charms end blocked or waiting on their relations; none may end in error.
fn deploy_each(root: &Path, build_dir: &Path, charms: &[Charm]) -> Result<()> {
    let dir = root.join("build/unpacked/.deploy-check");
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    eprintln!(
        "==> deploy each archive into the emulator ({})",
        shown(root, &dir)
    );
    let mut model = Model::new(&dir)?;
    // The charms install their workloads' packages: the model's archive must hold them, as
    // Ubuntu's does for a real unit.
    model.set_catalog(manila_testbed::workspace_catalog())?;
    for charm in charms {
        let archive = build_dir.join(format!("{}.charm", charm.name));
        model.deploy(&charm.name, &archive, DeployOptions::new())?;
    }
    let report = model.settle()?;
    for line in emulator::status::render(&model).lines() {
        eprintln!("    {line}");
    }
    if !report.units_in_error.is_empty() {
        bail!(
            "units in error after deploying the archives: {}",
            report.units_in_error.join(", ")
        );
    }
    Ok(())
}

/// The linter's executable on `PATH`. A missing one is an error under
/// `REQUIRE_CHARM_TOOLS=1` (CI, where the tools are installed), otherwise a notice.
fn find_linter(linter: &Linter, require: bool) -> Result<Option<PathBuf>> {
    if let Some(path) = find_on_path(linter.program) {
        return Ok(Some(path));
    }
    let missing = format!(
        "{} not found on PATH ({} into a venv and put its bin/ on PATH)",
        linter.program, linter.install
    );
    if require {
        bail!("{missing}; REQUIRE_CHARM_TOOLS=1 makes the charm linters mandatory");
    }
    eprintln!("==> skipped {}: {missing}", linter.program);
    Ok(None)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| {
            fs::metadata(candidate)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

/// Runs one linter, shows its report indented under a step line, and judges its exit code.
fn run_linter(what: &str, mut cmd: Command, judge: fn(Option<i32>) -> Verdict) -> Result<Verdict> {
    eprintln!("==> {what}");
    let out = cmd
        .output()
        .with_context(|| format!("could not start: {cmd:?}"))?;
    let report = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        eprintln!("    {line}");
    }
    let verdict = judge(out.status.code());
    let summary = match verdict {
        Verdict::Clean => "clean",
        Verdict::Warnings => "passed with warnings",
        Verdict::Errors => "FAILED",
    };
    eprintln!("    => {summary} ({})", out.status);
    Ok(verdict)
}

/// Runs a check whose output matters only when it fails; says whether it passed.
fn run_quiet(what: &str, mut cmd: Command) -> Result<bool> {
    eprintln!("==> {what}");
    let out = cmd
        .output()
        .with_context(|| format!("could not start: {cmd:?}"))?;
    if out.status.success() {
        eprintln!("    => clean");
        return Ok(true);
    }
    let report = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        eprintln!("    {line}");
    }
    eprintln!("    => FAILED ({})", out.status);
    Ok(false)
}

pub(crate) fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn human_size(bytes: u64) -> String {
    // Display only: the rounding of an f64 is fine here.
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes as f64 / (1024.0 * 1024.0);
    format!("{mib:.1} MiB ({bytes} bytes)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linter_exit_codes() {
        assert_eq!(proof_verdict(Some(0)), Verdict::Clean);
        assert_eq!(proof_verdict(Some(100)), Verdict::Warnings);
        assert_eq!(proof_verdict(Some(200)), Verdict::Errors);
        assert_eq!(proof_verdict(None), Verdict::Errors);
        assert_eq!(analyse_verdict(Some(0)), Verdict::Clean);
        assert_eq!(analyse_verdict(Some(3)), Verdict::Warnings);
        assert_eq!(analyse_verdict(Some(2)), Verdict::Errors);
        assert_eq!(analyse_verdict(Some(1)), Verdict::Errors);
    }

    #[test]
    fn a_missing_linter_fails_only_when_required() {
        let absent = Linter {
            program: "no-such-charm-linter",
            install: "pip install nothing",
        };
        assert!(find_linter(&absent, false).unwrap().is_none());
        let err = find_linter(&absent, true).unwrap_err().to_string();
        assert!(
            err.contains("no-such-charm-linter not found on PATH"),
            "{err}"
        );
        let present = Linter {
            program: "sh",
            install: "",
        };
        assert!(find_linter(&present, true).unwrap().is_some());
    }

    #[test]
    fn cargo_messages_name_the_built_binaries() {
        let line = r#"{"reason":"compiler-artifact","manifest_path":"/w/charms/example/Cargo.toml","target":{"kind":["bin"],"name":"example-charm"},"executable":"/w/target/release/example-charm"}"#;
        assert_eq!(
            built_binary(line),
            Some((
                PathBuf::from("/w/charms/example"),
                "example-charm".to_owned(),
                PathBuf::from("/w/target/release/example-charm")
            ))
        );
        let lib = r#"{"reason":"compiler-artifact","manifest_path":"/w/crates/charm/Cargo.toml","target":{"kind":["lib"],"name":"charm"},"executable":null}"#;
        assert_eq!(built_binary(lib), None);
        assert_eq!(
            built_binary(r#"{"reason":"build-finished","success":true}"#),
            None
        );
    }

    #[test]
    fn every_charm_in_the_workspace_is_selected_by_default() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let charms = select(root, &[]).unwrap();
        let example = charms.iter().find(|c| c.name == "example").unwrap();
        assert_eq!(example.cargo.package, "example-charm");
        let err = select(root, &["no-such-charm".to_owned()]).unwrap_err();
        assert!(
            err.to_string().contains("not a charm (no metadata.yaml)"),
            "{err}"
        );
    }
}
