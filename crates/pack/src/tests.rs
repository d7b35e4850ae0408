use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use tempfile::TempDir;

use crate::{extract, CargoCharm, CharmSource, PackError, BASES};

const METADATA: &str = "\
name: tiny
summary: A tiny charm for packing tests.
description: It has one of everything that gets packed.
provides:
  website: http
requires:
  db:
    interface: mysql
";

const CONFIG: &str = "\
options:
  port:
    type: int
    default: 8080
    description: The port.
  ratio:
    type: float
    default: 0.5
    description: A ratio.
";

const ACTIONS: &str = "\
greet:
  description: Says hello.
  params:
    name:
      type: string
";

/// Stands in for a charm binary: shows how it was started and exits 7, so a test can see that
/// the process, working directory, environment, stdout and exit code pass through.
const FAKE_BINARY: &str =
    "#!/bin/sh\necho \"pid=$$ argv0=$0 cwd=$PWD event=$JUJU_DISPATCH_PATH\"\nexit 7\n";

struct Fixture {
    tmp: TempDir,
    source: CharmSource,
}

/// A workspace in a temp dir, with a LICENSE at its root and the charm `tiny` under `charms/`.
fn fixture() -> Fixture {
    let tmp = TempDir::new().unwrap();
    fs::write(
        tmp.path().join("Cargo.toml"),
        "[workspace]\nmembers = [\"charms/*\"]\n",
    )
    .unwrap();
    fs::write(tmp.path().join("LICENSE"), "Apache License 2.0, in full\n").unwrap();
    let dir = tmp.path().join("charms/tiny");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("metadata.yaml"), METADATA).unwrap();
    fs::write(dir.join("config.yaml"), CONFIG).unwrap();
    fs::write(dir.join("actions.yaml"), ACTIONS).unwrap();
    fs::write(dir.join("README.md"), "# tiny\n").unwrap();
    // Build leftovers and sources must not be shipped.
    fs::write(dir.join("Cargo.toml"), "[package]\nname = \"tiny-charm\"\n").unwrap();
    fs::create_dir(dir.join("src")).unwrap();
    fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    let binary = tmp.path().join("target/release/tiny-charm");
    fs::create_dir_all(binary.parent().unwrap()).unwrap();
    fs::write(&binary, FAKE_BINARY).unwrap();
    fs::set_permissions(&binary, fs::Permissions::from_mode(0o700)).unwrap();
    Fixture {
        source: CharmSource::new(dir, binary),
        tmp,
    }
}

/// Every file and directory under `root`: relative path → (mode, contents).
fn tree(root: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                out.insert(format!("{rel}/"), (mode, Vec::new()));
                pending.push(path);
            } else {
                out.insert(rel, (mode, fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn modes(tree: &BTreeMap<String, (u32, Vec<u8>)>) -> Vec<(&str, u32)> {
    tree.iter().map(|(p, (m, _))| (p.as_str(), *m)).collect()
}

#[test]
fn assembles_into_a_directory_named_after_the_charm() {
    let f = fixture();
    let parent = f.tmp.path().join("deploy");
    let dest = f.source.assemble_in(&parent).unwrap();
    assert_eq!(dest, parent.join("tiny"));
    assert_eq!(tree(&dest)["metadata.yaml"].1, METADATA.as_bytes());
}

#[test]
fn assembles_a_runnable_charm_directory() {
    let f = fixture();
    let dest = f.tmp.path().join("build/tiny");
    let contents = f.source.assemble_dir(&dest).unwrap();
    assert_eq!(contents.name(), "tiny");

    let tree = tree(&dest);
    assert_eq!(
        modes(&tree),
        [
            ("LICENSE", 0o644),
            ("README.md", 0o644),
            ("actions.yaml", 0o644),
            ("bin/", 0o755),
            ("bin/tiny-charm", 0o755),
            ("config.yaml", 0o644),
            ("dispatch", 0o755),
            ("manifest.yaml", 0o644),
            ("metadata.yaml", 0o644),
        ]
    );
    assert_eq!(tree["metadata.yaml"].1, METADATA.as_bytes());
    assert_eq!(tree["bin/tiny-charm"].1, FAKE_BINARY.as_bytes());
    assert_eq!(tree["LICENSE"].1, b"Apache License 2.0, in full\n");
    let listed: Vec<_> = contents
        .entries()
        .iter()
        .map(|e| (e.path(), e.mode()))
        .collect();
    let on_disk: Vec<_> = modes(&tree)
        .into_iter()
        .map(|(p, m)| (p.trim_end_matches('/'), m))
        .collect();
    assert_eq!(listed, on_disk);

    // `charmcraft analyse` takes the last word of dispatch's last line as the entrypoint, a
    // path in the charm that must be an executable file.
    let dispatch = String::from_utf8(tree["dispatch"].1.clone()).unwrap();
    let entrypoint = dispatch.lines().last().unwrap().split_whitespace().last();
    assert_eq!(entrypoint, Some("./bin/tiny-charm"));
}

#[test]
fn a_charm_without_optional_files_ships_without_them() {
    let f = fixture();
    let dir = &f.source.dir;
    for file in ["actions.yaml", "config.yaml", "README.md"] {
        fs::remove_file(dir.join(file)).unwrap();
    }
    fs::remove_file(f.tmp.path().join("Cargo.toml")).unwrap();
    let dest = f.tmp.path().join("out");
    f.source.assemble_dir(&dest).unwrap();
    assert_eq!(
        modes(&tree(&dest)),
        [
            ("bin/", 0o755),
            ("bin/tiny-charm", 0o755),
            ("dispatch", 0o755),
            ("manifest.yaml", 0o644),
            ("metadata.yaml", 0o644),
        ]
    );
}

#[test]
fn the_charms_own_license_wins_over_the_workspaces() {
    let f = fixture();
    fs::write(f.source.dir.join("LICENSE"), "MIT, for this charm\n").unwrap();
    let dest = f.tmp.path().join("out");
    f.source.assemble_dir(&dest).unwrap();
    assert_eq!(
        fs::read_to_string(dest.join("LICENSE")).unwrap(),
        "MIT, for this charm\n"
    );
}

#[test]
fn assembling_refuses_a_directory_that_already_has_files() {
    let f = fixture();
    let dest = f.tmp.path().join("out");
    fs::create_dir(&dest).unwrap();
    fs::write(dest.join("stale"), "from an earlier run").unwrap();
    let err = f.source.assemble_dir(&dest).unwrap_err();
    assert!(
        matches!(err, PackError::DestinationNotEmpty { ref path } if *path == dest),
        "{err}"
    );
}

#[test]
fn dispatch_execs_the_binary_in_the_charm_directory() {
    let f = fixture();
    let dest = f.tmp.path().join("unit/charm");
    f.source.assemble_dir(&dest).unwrap();
    // Started by absolute path from elsewhere; Juju would also set the working directory.
    let child = Command::new(dest.join("dispatch"))
        .current_dir(f.tmp.path())
        .env("JUJU_DISPATCH_PATH", "hooks/install")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "pid={pid} argv0=./bin/tiny-charm cwd={} event=hooks/install\n",
            dest.display()
        ),
        "the binary must replace the dispatch process (same pid), not run as its child"
    );
}

#[test]
fn dispatch_run_by_relative_name_finds_the_binary() {
    let f = fixture();
    let dest = f.tmp.path().join("charm");
    f.source.assemble_dir(&dest).unwrap();
    let out = Command::new("sh")
        .arg("dispatch")
        .current_dir(&dest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("argv0=./bin/tiny-charm"), "{stdout}");
}

#[test]
fn dispatch_runs_a_real_executable() {
    let f = fixture();
    let pwd = f.tmp.path().join("pwd");
    fs::copy("/bin/pwd", &pwd).unwrap();
    let dest = f.tmp.path().join("charm");
    CharmSource::new(&f.source.dir, &pwd)
        .assemble_dir(&dest)
        .unwrap();
    let out = Command::new(dest.join("dispatch")).output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, format!("{}\n", dest.display()).as_bytes());
}

#[test]
fn dispatch_script() {
    let script = crate::source::dispatch_script("manila-charm");
    insta::assert_snapshot!(script, @r#"
    #!/bin/sh
    case $0 in */*) cd "${0%/*}" || exit ;; esac
    exec ./bin/manila-charm
    "#);
}

#[test]
fn manifest_declares_the_bases_in_jujus_form() {
    let yaml = crate::manifest::manifest_yaml();
    insta::assert_snapshot!(yaml, @r"
    bases:
    - name: ubuntu
      channel: '22.04'
      architectures:
      - amd64
    - name: ubuntu
      channel: '24.04'
      architectures:
      - amd64
    ");
    // The channel must stay a string: 22.04 unquoted would be read as a float.
    let parsed: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(parsed["bases"][0]["channel"].as_str(), Some("22.04"));
    assert_eq!(BASES.len(), 2);
}

/// Each zip entry's name, unix mode (from the external attributes), timestamp and bytes.
type ZipListing = Vec<(String, Option<u32>, zip::DateTime, Vec<u8>)>;

fn read_zip(path: &Path) -> ZipListing {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            let modified = entry.last_modified().unwrap();
            (entry.name().to_owned(), entry.unix_mode(), modified, bytes)
        })
        .collect()
}

#[test]
fn the_zip_holds_every_file_with_unix_modes_and_fixed_times() {
    let f = fixture();
    let archive = f.tmp.path().join("build/tiny.charm");
    fs::create_dir_all(archive.parent().unwrap()).unwrap();
    f.source.write_zip(&archive).unwrap();

    let entries = read_zip(&archive);
    let listing: Vec<_> = entries
        .iter()
        .map(|(name, mode, _, _)| (name.as_str(), *mode))
        .collect();
    assert_eq!(
        listing,
        [
            ("LICENSE", Some(0o100_644)),
            ("README.md", Some(0o100_644)),
            ("actions.yaml", Some(0o100_644)),
            ("bin/", Some(0o040_755)),
            ("bin/tiny-charm", Some(0o100_755)),
            ("config.yaml", Some(0o100_644)),
            ("dispatch", Some(0o100_755)),
            ("manifest.yaml", Some(0o100_644)),
            ("metadata.yaml", Some(0o100_644)),
        ]
    );
    assert!(entries
        .iter()
        .all(|(_, _, time, _)| *time == zip::DateTime::default()));
    let dispatch = &entries.iter().find(|e| e.0 == "dispatch").unwrap().3;
    assert!(dispatch.starts_with(b"#!/bin/sh\n"));
    assert!(!f.tmp.path().join("build/tiny.charm.partial").exists());
}

#[test]
fn packing_the_same_input_twice_gives_the_same_bytes() {
    let f = fixture();
    let first = f.tmp.path().join("first.charm");
    f.source.write_zip(&first).unwrap();

    // The same charm elsewhere, with newer timestamps and another umask-made mode on the
    // binary: none of it may reach the archive.
    let other = TempDir::new().unwrap();
    let dir = other.path().join("tiny");
    fs::create_dir(&dir).unwrap();
    for file in [
        "metadata.yaml",
        "config.yaml",
        "actions.yaml",
        "README.md",
        "LICENSE",
    ] {
        let from = if file == "LICENSE" {
            f.tmp.path().join(file)
        } else {
            f.source.dir.join(file)
        };
        fs::copy(from, dir.join(file)).unwrap();
        let later = SystemTime::now() + Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(dir.join(file))
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
    let binary = other.path().join("tiny-charm");
    fs::copy(&f.source.binary, &binary).unwrap();
    fs::set_permissions(&binary, fs::Permissions::from_mode(0o777)).unwrap();
    let second = other.path().join("second.charm");
    CharmSource::new(&dir, &binary).write_zip(&second).unwrap();

    assert_eq!(fs::read(&first).unwrap(), fs::read(&second).unwrap());
}

#[test]
fn extracting_the_zip_gives_the_assembled_directory() {
    let f = fixture();
    let archive = f.tmp.path().join("tiny.charm");
    f.source.write_zip(&archive).unwrap();
    let unpacked = f.tmp.path().join("unpacked");
    extract(&archive, &unpacked).unwrap();
    let assembled = f.tmp.path().join("assembled");
    f.source.assemble_dir(&assembled).unwrap();
    assert_eq!(tree(&unpacked), tree(&assembled));
}

#[test]
fn extract_refuses_entries_outside_the_charm() {
    let tmp = TempDir::new().unwrap();
    let archive = tmp.path().join("evil.charm");
    let mut zip = zip::ZipWriter::new(fs::File::create(&archive).unwrap());
    zip.start_file("../escape", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.finish().unwrap();
    let err = extract(&archive, &tmp.path().join("out")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "charm archive {}: entry \"../escape\": points outside the charm",
            archive.display()
        )
    );
    assert!(!tmp.path().join("escape").exists());
}

/// Writes `files` into a fresh charm directory `name` and returns the validation error text,
/// with the temp dir shown as `[TMP]`.
fn invalid(name: &str, files: &[(&str, &str)]) -> String {
    let f = fixture();
    let dir = f.tmp.path().join(name);
    fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        fs::write(dir.join(file), text).unwrap();
    }
    let err = CharmSource::new(&dir, &f.source.binary)
        .contents()
        .unwrap_err();
    assert!(matches!(err, PackError::Invalid { .. }), "{err}");
    err.to_string()
        .replace(&f.tmp.path().display().to_string(), "[TMP]")
}

#[test]
fn validation_lists_every_problem_naming_its_file() {
    let message = invalid(
        "broken",
        &[
            (
                "metadata.yaml",
                "name: Broken_Charm\nsummary: ''\nseries: [jammy]\nsubordinate: yes-please\n\
                 provides:\n  juju-info: {interface: juju-info}\n  web: {}\n\
                 requires:\n  web: http\n  store: {interface: s3, scope: galaxy}\n",
            ),
            (
                "config.yaml",
                "options:\n  ok: {type: string, default: x}\n  count: {type: int, default: '3'}\n  \
                 ratio: {type: float, default: 1}\n  flag: {type: bool}\n  untyped: {default: 1}\n  \
                 -bad-: {type: string}\n",
            ),
            (
                "actions.yaml",
                "greet: {description: hi}\nGreet: {}\njuju-run: {}\ntrail-: {}\n\
                 backup: {params: [path]}\nrestore: {params: {path: string}}\n",
            ),
        ],
    );
    insta::assert_snapshot!(message, @r#"
    charm [TMP]/broken is not valid:
      [TMP]/broken/metadata.yaml: summary: is empty
      [TMP]/broken/metadata.yaml: description: missing; Juju requires it
      [TMP]/broken/metadata.yaml: name: "Broken_Charm" is not a valid charm name (lower-case letters, digits and single hyphens, starting with a letter; no segment of only digits)
      [TMP]/broken/metadata.yaml: name: "Broken_Charm" does not match the charm directory "broken"
      [TMP]/broken/metadata.yaml: series: not allowed with the bases charm-pack writes to manifest.yaml (Juju refuses it in metadata format v2)
      [TMP]/broken/metadata.yaml: subordinate: expected true or false, got text
      [TMP]/broken/metadata.yaml: provides.web: interface: missing
      [TMP]/broken/metadata.yaml: requires.store: scope: expected global or container, got String("galaxy")
      [TMP]/broken/metadata.yaml: provides.juju-info: endpoint names juju and juju-* are reserved
      [TMP]/broken/metadata.yaml: provides.juju-info: interface "juju-info" is reserved
      [TMP]/broken/config.yaml: options.count.default: text does not fit type int
      [TMP]/broken/config.yaml: options.ratio.default: an integer does not fit type float
      [TMP]/broken/config.yaml: options.flag.type: "bool" is not one of string, int, float, boolean, secret
      [TMP]/broken/config.yaml: options.untyped.type: missing (one of string, int, float, boolean, secret)
      [TMP]/broken/config.yaml: options.-bad-: names are letters, digits, '_' and '-', starting and ending with a letter or digit
      [TMP]/broken/actions.yaml: Greet: action names are lower-case letters, digits and '-', starting and ending with a letter or digit, and not juju or juju-*
      [TMP]/broken/actions.yaml: juju-run: action names are lower-case letters, digits and '-', starting and ending with a letter or digit, and not juju or juju-*
      [TMP]/broken/actions.yaml: trail-: action names are lower-case letters, digits and '-', starting and ending with a letter or digit, and not juju or juju-*
      [TMP]/broken/actions.yaml: backup.params: expected a mapping, got a list
      [TMP]/broken/actions.yaml: restore.params.path: expected a JSON schema mapping, got text
    "#);
}

#[test]
fn validation_names_unreadable_and_missing_files() {
    insta::assert_snapshot!(invalid("empty", &[("config.yaml", "")]), @r"
    charm [TMP]/empty is not valid:
      [TMP]/empty/metadata.yaml: missing: every charm needs one
      [TMP]/empty/config.yaml: empty; Juju refuses an empty config.yaml (write `options: {}`)
    ");
    insta::assert_snapshot!(invalid("syntax", &[
        ("metadata.yaml", "name: syntax\nsummary: [unclosed\n"),
        ("config.yaml", "settings: {}\n"),
    ]), @r"
    charm [TMP]/syntax is not valid:
      [TMP]/syntax/metadata.yaml: not valid YAML: did not find expected ',' or ']' at line 3 column 1, while parsing a flow sequence at line 2 column 10
      [TMP]/syntax/config.yaml: options: missing; Juju needs the options mapping
    ");
}

#[test]
fn what_the_lint_lets_through_juju_still_refuses() {
    // A `$ref` in a params schema is valid JSON schema, which the lint checks for; Juju's
    // `actions.go` refuses it.
    let message = invalid(
        "refs",
        &[
            ("metadata.yaml", "name: refs\nsummary: s\ndescription: d\n"),
            ("actions.yaml", "go:\n  params:\n    p: {$ref: '#/x'}\n"),
        ],
    );
    insta::assert_snapshot!(message, @r#"
    charm [TMP]/refs is not valid:
      [TMP]/refs/actions.yaml: action "go": schema key "$ref" is not allowed (Juju refuses this)
    "#);
}

#[test]
fn a_subordinate_needs_a_container_scoped_requires() {
    let base = "name: sub\nsummary: s\ndescription: d\nsubordinate: true\n";
    let message = invalid(
        "sub",
        &[(
            "metadata.yaml",
            &format!("{base}requires:\n  juju-info: juju-info\n"),
        )],
    );
    assert!(
        message.contains("metadata.yaml: subordinate: a subordinate charm needs a requires endpoint with scope: container"),
        "{message}"
    );
    // Container-scoped, the reserved juju-info endpoint is what subordinates use.
    let f = fixture();
    let dir = f.tmp.path().join("sub");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("metadata.yaml"),
        format!("{base}requires:\n  juju-info: {{interface: juju-info, scope: container}}\n"),
    )
    .unwrap();
    let contents = CharmSource::new(&dir, &f.source.binary).contents().unwrap();
    assert_eq!(contents.name(), "sub");
}

#[test]
fn the_binary_must_exist_and_have_a_plain_name() {
    let f = fixture();
    let missing = f.tmp.path().join("no-such-binary");
    let err = CharmSource::new(&f.source.dir, &missing)
        .contents()
        .unwrap_err();
    assert!(
        matches!(err, PackError::Binary { ref path, .. } if *path == missing),
        "{err}"
    );
    let odd = f.tmp.path().join("my charm$");
    fs::copy(&f.source.binary, &odd).unwrap();
    let err = CharmSource::new(&f.source.dir, &odd)
        .contents()
        .unwrap_err();
    assert!(
        err.to_string().contains("written into the dispatch script"),
        "{err}"
    );
}

#[test]
fn other_binaries_ship_beside_the_one_dispatch_runs() {
    let f = fixture();
    let helper = f.tmp.path().join("target/release/tiny-helper");
    fs::write(&helper, "#!/bin/sh\necho helper\n").unwrap();
    fs::set_permissions(&helper, fs::Permissions::from_mode(0o700)).unwrap();
    let source = f.source.clone().with_other_binaries([&helper]);
    let dest = f.tmp.path().join("charm");
    source.assemble_dir(&dest).unwrap();
    let files = tree(&dest);
    assert_eq!(files["bin/tiny-helper"].0, 0o755);
    assert_eq!(files["bin/tiny-charm"].0, 0o755);
    // dispatch still runs the first.
    let dispatch = fs::read_to_string(dest.join("dispatch")).unwrap();
    assert!(dispatch.ends_with("exec ./bin/tiny-charm\n"), "{dispatch}");
    // The archive holds the same.
    let archive = f.tmp.path().join("tiny.charm");
    source.write_zip(&archive).unwrap();
    let unpacked = f.tmp.path().join("unpacked");
    extract(&archive, &unpacked).unwrap();
    assert_eq!(tree(&unpacked), files);

    // Two binaries of one name would overwrite each other.
    let twin = f.tmp.path().join("twin");
    fs::create_dir(&twin).unwrap();
    fs::copy(&helper, twin.join("tiny-charm")).unwrap();
    let err = f
        .source
        .clone()
        .with_other_binaries([twin.join("tiny-charm")])
        .contents()
        .unwrap_err();
    assert!(
        err.to_string().contains("a second binary named tiny-charm"),
        "{err}"
    );
}

fn cargo_charm(manifest: &str) -> Result<CargoCharm, PackError> {
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("Cargo.toml"), manifest).unwrap();
    CargoCharm::read(tmp.path())
}

#[test]
fn cargo_names_the_package_and_binary() {
    let pkg = "[package]\nname = \"manila-charm\"\n";
    let found = |package: &str, binary: &str| CargoCharm {
        package: package.into(),
        binary: binary.into(),
        other_binaries: Vec::new(),
    };
    assert_eq!(
        cargo_charm(pkg).unwrap(),
        found("manila-charm", "manila-charm")
    );
    assert_eq!(
        cargo_charm(&format!("{pkg}[[bin]]\nname = \"manila\"\n")).unwrap(),
        found("manila-charm", "manila")
    );
    // The other targets ship beside the one dispatch runs.
    let two = cargo_charm(&format!(
        "{pkg}[[bin]]\nname = \"tool\"\n[[bin]]\nname = \"manila-charm\"\n"
    ))
    .unwrap();
    assert_eq!(
        two,
        CargoCharm {
            other_binaries: vec!["tool".into()],
            ..found("manila-charm", "manila-charm")
        }
    );
    assert_eq!(two.binaries().collect::<Vec<_>>(), ["manila-charm", "tool"]);
    let err = cargo_charm(&format!(
        "{pkg}[[bin]]\nname = \"a\"\n[[bin]]\nname = \"b\"\n"
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("several [[bin]] targets (a, b)"),
        "{err}"
    );
    let err = cargo_charm("[workspace]\n").unwrap_err();
    assert!(
        err.to_string().ends_with("[package] name: missing"),
        "{err}"
    );
}

#[test]
fn the_example_charm_in_this_workspace_is_found() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../charms/example");
    assert_eq!(
        CargoCharm::read(&example).unwrap(),
        CargoCharm {
            package: "example-charm".into(),
            binary: "example-charm".into(),
            other_binaries: Vec::new(),
        }
    );
}
