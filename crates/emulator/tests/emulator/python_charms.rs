//! Python charms, unmodified, in confined machines (`tests/python-charms/`): an ops charm
//! calling every operation ops's model backend offers a machine charm, and a charmhelpers
//! charm installing a package while the host stays as it was.
//!
//! Their libraries come from PyPI into `build/venv-python-charms` (`cargo xtask test`
//! installs them and sets `REQUIRE_PYTHON_CHARMS`); elsewhere, without them, these tests
//! say so and pass.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use emulator::{ActionStatus, DeployOptions, HookOutcome, Model};
use serde_json::Map;

use crate::support::{Scratch, TestCharm};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The site-packages holding ops and charmhelpers, if installed.
fn python_libraries() -> Option<PathBuf> {
    let dir = std::env::var_os("PYTHON_CHARM_LIBS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace().join("build/venv-python-charms/lib/python3.11/site-packages")
        });
    if dir.join("ops").is_dir() && dir.join("charmhelpers").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("REQUIRE_PYTHON_CHARMS").is_none(),
        "REQUIRE_PYTHON_CHARMS is set but {} holds no ops and charmhelpers",
        dir.display()
    );
    eprintln!("skipped: no ops/charmhelpers in {}", dir.display());
    None
}

/// The charm of `tests/python-charms/<name>` with the libraries in its `venv/`, as
/// `charmcraft pack` puts them.
fn packed(name: &str, libraries: &Path, scratch: &Scratch) -> PathBuf {
    let dest = scratch.path().join(name);
    copy(&workspace().join("tests/python-charms").join(name), &dest);
    let venv = dest.join("venv");
    fs::create_dir_all(&venv).unwrap();
    for entry in fs::read_dir(libraries).unwrap() {
        let entry = entry.unwrap();
        let file = entry.file_name().to_string_lossy().into_owned();
        let tooling = [
            "pip",
            "setuptools",
            "_distutils_hack",
            "pkg_resources",
            "__pycache__",
        ]
        .iter()
        .any(|t| file == *t || file.starts_with(&format!("{t}-")));
        if !tooling && !file.ends_with(".pth") {
            copy(&entry.path(), &venv.join(&file));
        }
    }
    dest
}

fn copy(from: &Path, to: &Path) {
    let meta = fs::symlink_metadata(from).unwrap();
    if meta.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "__pycache__" {
                copy(&entry.path(), &to.join(entry.file_name()));
            }
        }
    } else if meta.is_file() {
        fs::copy(from, to).unwrap();
    }
}

fn failed_hooks(model: &Model) -> Vec<String> {
    model
        .hook_log()
        .iter()
        .filter(|r| !r.action && matches!(r.outcome, HookOutcome::Failed { .. }))
        .map(|r| format!("{} {} {:?}", r.unit, r.hook, r.outcome))
        .collect()
}

fn debug_log(model: &Model) -> String {
    let lines: Vec<String> = model.debug_log().iter().map(|e| e.render()).collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// Provides `db`: shares a secret of its own with the charm and reads the one the charm
/// shares; `token` changes its secret's content.
const FIXTURE: &str = r#"
case "$HOOK" in
db-relation-joined)
    if [ "$(is-leader)" = True ] && [ -z "$(secret-ids)" ]; then
        id=$(secret-add --label token token="$(config-get token)")
        secret-grant "$id" -r "$JUJU_RELATION_ID"
        relation-set --app secret="$id"
    fi ;;
db-relation-changed)
    uri=$(relation-get --app secret "$JUJU_REMOTE_APP")
    [ -n "$uri" ] && relation-set seen-password="$(secret-get "$uri" password)"
    true ;;
config-changed)
    id=$(secret-ids)
    [ -n "$id" ] && secret-set "secret:$id" token="$(config-get token)"
    true ;;
esac
"#;

#[test]
fn an_ops_charm_calls_every_backend_operation_without_a_failed_hook() {
    let Some(libraries) = python_libraries() else {
        return;
    };
    let scratch = Scratch::new();
    let charm = packed("ops-everything", &libraries, &scratch);
    let fixture = TestCharm::new("fixture")
        .metadata("provides:\n  db:\n    interface: everything-db\n")
        .config("options:\n  token:\n    type: string\n    default: first\n")
        .recording(&scratch.trace(), FIXTURE)
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("ops-everything", &charm, DeployOptions::new().units(2))
        .unwrap();
    model
        .deploy("fixture", &fixture, DeployOptions::new())
        .unwrap();
    model.relate("ops-everything:db", "fixture:db").unwrap();
    model.settle().unwrap();
    model.update_status().unwrap();
    model.settle().unwrap();
    model.set_config("fixture", [("token", "second")]).unwrap();
    model.settle().unwrap();
    assert_eq!(
        failed_hooks(&model),
        Vec::<String>::new(),
        "{}",
        debug_log(&model)
    );

    // Application status as leader, planned units, workload version, ports.
    let app = model.app_status("ops-everything").unwrap();
    assert_eq!(app.message, "2 units planned", "{}", debug_log(&model));
    assert_eq!(model.workload_version("ops-everything").unwrap(), "1.2.3");
    let ports: Vec<String> = model
        .opened_ports("ops-everything/1")
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(ports, ["icmp", "8080/tcp"]);
    // Secrets, both ways: the fixture read the charm's, the charm the fixture's new revision.
    let db = model.relation_id("ops-everything", "fixture").unwrap();
    assert_eq!(
        model.unit_bag(db, "fixture/0").unwrap()["seen-password"],
        "s3cret"
    );
    for unit in ["ops-everything/0", "ops-everything/1"] {
        assert_eq!(
            model.unit_bag(db, unit).unwrap()["seen-token"],
            "second",
            "{unit}"
        );
        let storage = model.storage(unit).unwrap();
        assert_eq!(storage.len(), 2, "data and the requested logs: {storage:?}");
    }
    // StoredState in both stores: unit 1 in Juju, unit 0 in its charm directory.
    assert!(model
        .unit_state("ops-everything/1")
        .unwrap()
        .keys()
        .any(|k| k.contains("StoredStateData")));
    assert!(model.unit_state("ops-everything/0").unwrap().is_empty());
    assert!(model
        .charm_dir("ops-everything/0")
        .unwrap()
        .join(".unit-state.db")
        .is_file());

    // Actions: results and logs, and a failure.
    let report = model
        .run_action("ops-everything/0", "report", Map::new())
        .unwrap();
    assert_eq!(report.status, ActionStatus::Completed, "{report:?}");
    assert_eq!(report.results["planned"], "2");
    assert_eq!(report.results["fixture-token"], "second");
    assert_eq!(report.results["storage"], "/srv/everything");
    assert_eq!(report.log, ["reporting"]);
    let failed = model
        .run_action("ops-everything/1", "fail-me", Map::new())
        .unwrap();
    assert_eq!(failed.status, ActionStatus::Failed);
    assert_eq!(failed.message.as_deref(), Some("failed on purpose"));
    assert_eq!(failed.log, ["about to fail"]);
}

/// Names, sizes and modification times of every entry under `dir` (not following links).
fn snapshot(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            out.push(format!(
                "{} {} {}",
                path.display(),
                meta.len(),
                meta.mtime()
            ));
            if meta.is_dir() {
                walk(&path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_charmhelpers_charm_installs_in_its_machine_and_the_host_is_unchanged() {
    let Some(libraries) = python_libraries() else {
        return;
    };
    let scratch = Scratch::new();
    let charm = packed("charmhelpers-apt", &libraries, &scratch);
    let dpkg_before = fs::read("/var/lib/dpkg/status").unwrap_or_default();
    let etc_before = snapshot(Path::new("/etc"));

    let mut model = scratch.model();
    model
        .deploy("apt-demo", &charm, DeployOptions::new())
        .unwrap();
    model.settle().unwrap();
    assert_eq!(
        failed_hooks(&model),
        Vec::<String>::new(),
        "{}",
        debug_log(&model)
    );
    let status = model.unit_status("apt-demo/0").unwrap();
    assert_eq!(
        (status.status.as_str(), status.message.as_str()),
        ("active", "memcached on noble")
    );
    assert!(model
        .packages("apt-demo/0")
        .unwrap()
        .contains_key("memcached"));
    let memcached = model.service("apt-demo/0", "memcached").unwrap().unwrap();
    assert!(memcached.running);
    let root = model.machine_root(model.machine_of("apt-demo/0").unwrap());
    let passwd = fs::read_to_string(root.join("etc/passwd")).unwrap();
    let memcache_uid: u32 = passwd
        .lines()
        .find(|l| l.starts_with("memcache:"))
        .and_then(|l| l.split(':').nth(2)?.parse().ok())
        .expect("the package's account");
    assert!(passwd.lines().any(|l| l.starts_with("demo:")), "{passwd}");
    let conf = fs::metadata(root.join("etc/memcached-demo/memcached.conf")).unwrap();
    assert_eq!(conf.uid(), memcache_uid);

    // The host: its packages, its /etc (accounts, services' links, everything) as before.
    assert_eq!(
        fs::read("/var/lib/dpkg/status").unwrap_or_default(),
        dpkg_before
    );
    assert_eq!(snapshot(Path::new("/etc")), etc_before);
    assert!(!Path::new("/etc/memcached-demo").exists());
}
