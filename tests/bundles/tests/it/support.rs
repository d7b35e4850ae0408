//! The charms the bundles name, built once per process and packed where the bundles expect
//! them: a scratch copy of the repository's layout with `build/<charm>.charm` for our charms,
//! `build/store/<name>.charm` (the emulator's charm store, standing in for Charmhub) for the
//! fixture charms, and `bundles/` copied beside them so that `../build/...` resolves.
//!
//! Disk: a deployed bundle unpacks a charm per application, hundreds of MB; each test's
//! model lives in its own temporary directory, gone when the test ends. The packed layout is
//! shared by the process's tests, and a static is never dropped: it lives in Cargo's
//! per-target scratch directory under this process's id, and every run removes what finished
//! runs left there.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use charm_pack::{CargoCharm, CharmSource};
use emulator::{CharmStore, Model};
use serde_json::Value;
use tempfile::TempDir;

pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `bundles/*.yaml`, by file name.
pub(crate) fn bundle_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(workspace().join("bundles"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

/// Charm directories under `dir` (those with a metadata.yaml).
fn charm_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("metadata.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The scratch layout, packed once per process.
pub(crate) struct Packed {
    dir: PathBuf,
}

/// A model in a temporary directory of its own, removed with it.
pub(crate) struct Deployed {
    model: Model,
    _dir: TempDir,
}

impl Deref for Deployed {
    type Target = Model;
    fn deref(&self) -> &Model {
        &self.model
    }
}

impl DerefMut for Deployed {
    fn deref_mut(&mut self) -> &mut Model {
        &mut self.model
    }
}

impl Packed {
    pub(crate) fn get() -> &'static Packed {
        static PACKED: OnceLock<Packed> = OnceLock::new();
        PACKED.get_or_init(pack_everything)
    }

    pub(crate) fn bundle(&self, name: &str) -> PathBuf {
        self.dir.join("bundles").join(name)
    }

    pub(crate) fn store(&self) -> CharmStore {
        CharmStore::new(self.dir.join("build/store"))
    }

    /// The charms the bundles may name by path: `build/<name>.charm`.
    pub(crate) fn local_charms(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.dir.join("build"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(".charm").map(str::to_owned))
            .collect();
        names.sort();
        names
    }

    /// A fresh model using the store.
    pub(crate) fn model(&self, name: &str) -> Deployed {
        let dir = self.temp_dir();
        let mut model = Model::new(dir.path().join(name)).unwrap();
        model.set_charm_store(self.store().dir()).unwrap();
        // The workloads' packages come from the charms' test support, not the emulator.
        model
            .set_catalog(manila_testbed::workspace_catalog())
            .unwrap();
        Deployed { model, _dir: dir }
    }

    /// A temporary directory beside the packed layout, removed when dropped.
    pub(crate) fn temp_dir(&self) -> TempDir {
        tempfile::Builder::new()
            .prefix("test")
            .tempdir_in(&self.dir)
            .unwrap()
    }
}

fn pack_everything() -> Packed {
    let root = workspace();
    let charms = charm_dirs(&root.join("charms"));
    let fixtures = charm_dirs(&root.join("tests/fixtures/charms"));
    let cargo: Vec<(PathBuf, CargoCharm)> = charms
        .iter()
        .chain(&fixtures)
        .map(|dir| (dir.clone(), CargoCharm::read(dir).unwrap()))
        .collect();
    // Cargo releases its build lock before running tests: the charms are built here with the
    // same cargo, always fresh, and their paths taken from its JSON messages.
    let mut build = Command::new(env!("CARGO"));
    build
        .current_dir(&root)
        .args(["build", "--message-format=json", "--bins"]);
    for (_, charm) in &cargo {
        build.args(["-p", &charm.package]);
    }
    let out = build.output().unwrap();
    assert!(
        out.status.success(),
        "cargo build of the charms failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut binaries = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if let (Some(name), Some(exe)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) {
            binaries.insert(name.to_owned(), PathBuf::from(exe));
        }
    }
    let dir = scratch_dir();
    fs::create_dir_all(dir.join("build/store")).unwrap();
    for (source, charm) in &cargo {
        let name = source.file_name().unwrap().to_string_lossy().into_owned();
        let dest = if charms.contains(source) {
            dir.join(format!("build/{name}.charm"))
        } else {
            dir.join(format!("build/store/{name}.charm"))
        };
        let binary = |name: &str| {
            binaries
                .get(name)
                .unwrap_or_else(|| panic!("cargo built no binary {name}"))
        };
        CharmSource::new(source, binary(&charm.binary))
            .with_other_binaries(charm.other_binaries.iter().map(|b| binary(b)))
            .write_zip(&dest)
            .unwrap();
    }
    fs::create_dir(dir.join("bundles")).unwrap();
    for name in bundle_names() {
        fs::copy(
            root.join("bundles").join(&name),
            dir.join("bundles").join(&name),
        )
        .unwrap();
    }
    Packed { dir }
}

/// This process's directory under Cargo's per-target scratch directory, empty; the
/// directories of earlier runs whose process is gone are removed first.
fn scratch_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bundles");
    fs::create_dir_all(&root).unwrap();
    for entry in fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        let finished = path
            .file_name()
            .and_then(|name| name.to_str()?.parse::<u32>().ok())
            .is_some_and(|pid| !Path::new("/proc").join(pid.to_string()).exists());
        if finished {
            fs::remove_dir_all(&path).unwrap();
        }
    }
    let dir = root.join(std::process::id().to_string());
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::create_dir(&dir).unwrap();
    dir
}

/// The debug log, for failure messages.
pub(crate) fn debug_log(model: &Model) -> String {
    model
        .debug_log()
        .iter()
        .fold(String::new(), |mut out, entry| {
            let _ = writeln!(out, "{}", entry.render());
            out
        })
}

/// Every unit's `(status, message)`, by unit.
pub(crate) fn statuses(model: &Model) -> BTreeMap<String, (String, String)> {
    model
        .all_units()
        .into_iter()
        .map(|unit| {
            let status = model.unit_status(&unit).unwrap();
            (unit, (status.status.clone(), status.message.clone()))
        })
        .collect()
}

impl Packed {
    /// Our charms' archives, `build/<name>.charm`.
    pub(crate) fn archive(&self, name: &str) -> PathBuf {
        self.dir.join("build").join(format!("{name}.charm"))
    }
}
