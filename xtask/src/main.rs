//! Project automation: `cargo xtask <command>`.
//!
//! The README's two set-up commands are `cargo xtask demo` (the main job) and
//! `cargo xtask test` (every test); `.ci/run` calls the latter.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

mod bundles;
mod demo;
mod e2e;
mod linkage;
mod new_charm;
mod pack;
mod validators;

#[derive(Parser)]
#[command(about = "Project automation for the Manila charms workspace")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The main job: pack the charms, deploy a bundle into the emulator, print its status.
    Demo(demo::DemoArgs),
    /// Run every test: the workspace's unit and integration tests, then the slower checks.
    Test,
    /// The real-Manila end-to-end scenario on this host (root, Debian 12; installs packages
    /// and runs services): manila with real MariaDB, RabbitMQ and Keystone.
    E2e(e2e::E2eArgs),
    /// Run the benchmarks and print their figures (packs the charms and installs ops first:
    /// the manila benchmark measures the shipped binaries and an ops charm beside them).
    Bench,
    /// Build the charms (static, small) and pack them into build/<name>.charm.
    Pack(pack::PackArgs),
    /// Lint the packed charms with charm-proof and `charmcraft analyse`.
    CheckCharms(pack::CheckArgs),
    /// Write a working skeleton charm into charms/<name>/ (and templates/<name>/).
    NewCharm(new_charm::NewCharmArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = workspace_root();
    match cli.command {
        Cmd::Demo(args) => demo::demo(&root, &args),
        Cmd::Test => test(&root),
        Cmd::E2e(args) => e2e::e2e(&root, &args),
        Cmd::Bench => bench(&root),
        Cmd::Pack(args) => pack::pack(&root, &args).map(drop),
        Cmd::CheckCharms(args) => pack::check_charms(&root, &args),
        Cmd::NewCharm(args) => new_charm::new_charm(&root, &args),
    }
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn test(root: &Path) -> Result<()> {
    ensure_bubblewrap()?;
    let tools = validators::ensure(root)?;
    let mut tests = cargo(root, &["test", "--workspace", "--locked", "--no-fail-fast"]);
    // The manila charms' tests run oslo-config-validator on every rendered manila.conf; with
    // REQUIRE set, a missing validator fails them instead of skipping.
    tests
        .env("OSLO_CONFIG_VALIDATOR", &tools.oslo_config_validator)
        .env("REQUIRE_OSLO_VALIDATOR", "1")
        .env("REQUIRE_HAPROXY", "1")
        // The manila charm's Apache sites go through `apache2 -t`.
        .env("REQUIRE_APACHE2", "1")
        // The emulator's Python-charm proofs (ops, charmhelpers) must run, not skip.
        .env("PYTHON_CHARM_LIBS", &tools.python_charm_libs)
        .env("REQUIRE_PYTHON_CHARMS", "1");
    step("unit and integration tests", tests)?;
    let mut lint = cargo(root, &["xtask", "pack", "--check"]);
    lint.env("PATH", tools.path_with_linters()?)
        .env("REQUIRE_CHARM_TOOLS", "1");
    step(
        "pack every charm and lint it (charm-proof, charmcraft analyse)",
        lint,
    )?;
    // Last and slowest: the charms against Debian's real Manila, MariaDB, RabbitMQ and
    // Keystone, on this machine (CI's is a disposable Debian 12 one, run as root).
    step(
        "real Manila end to end (cargo xtask e2e: installs Debian packages, runs services)",
        cargo(root, &["xtask", "e2e"]),
    )?;
    Ok(())
}

/// The emulator runs every confined unit's hooks under bubblewrap (its machines are
/// sandboxes): installed from Debian when missing (CI runs as root).
fn ensure_bubblewrap() -> Result<()> {
    let present = Command::new("bwrap")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if present {
        return Ok(());
    }
    let mut update = Command::new("apt-get");
    update.args(["update", "-qq"]);
    step("apt-get update (for bubblewrap)", update)?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y", "-qq", "bubblewrap"])
        .env("DEBIAN_FRONTEND", "noninteractive");
    step(
        "install bubblewrap (the emulator's machine sandbox)",
        install,
    )
}

/// The benchmarks, with what the manila one compares against: the binaries `pack` ships
/// (their peak memory and start-up cost are measured too), and ops for its ops-framework
/// charm (the same environment `test` installs). Confined units need bubblewrap.
fn bench(root: &Path) -> Result<()> {
    ensure_bubblewrap()?;
    pack::pack(root, &pack::PackArgs::all())?;
    let python_charm_libs = validators::python_charm_libs(root)?;
    let mut bench = cargo(root, &["bench", "--workspace", "--locked"]);
    bench.env("PYTHON_CHARM_LIBS", python_charm_libs);
    step("benchmarks", bench)
}

fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root).args(args);
    cmd
}

/// Runs one named step, saying what it is first so a long CI log reads as a list of steps.
fn step(name: &str, mut cmd: Command) -> Result<()> {
    eprintln!("==> {name}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start: {cmd:?}"))?;
    if !status.success() {
        bail!("step failed: {name} ({status})");
    }
    Ok(())
}
