//! The workspace as `cargo metadata` describes it: its crates, where they live, and the
//! workspace crates each one depends on.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The workspace's root directory.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Which kind of dependency an edge is, as Cargo.toml's sections say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Normal,
    Build,
    Dev,
}

/// One crate of the workspace.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) name: String,
    /// Its directory relative to the root, with `/` separators (`interfaces/keystone`).
    pub(crate) dir: String,
    /// The workspace crates it depends on (path dependencies), with their kind.
    pub(crate) uses: Vec<(String, Kind)>,
}

/// Every workspace member, from `cargo metadata --no-deps` (no resolution, so no network and
/// no lock file change).
pub(crate) fn members() -> Vec<Member> {
    let root = root();
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    packages
        .iter()
        .map(|package| {
            let manifest = Path::new(package["manifest_path"].as_str().unwrap());
            let dir = manifest.parent().unwrap().strip_prefix(&root).unwrap();
            let uses = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dep| dep["path"].is_string())
                .map(|dep| {
                    let kind = match dep["kind"].as_str() {
                        None => Kind::Normal,
                        Some("build") => Kind::Build,
                        Some("dev") => Kind::Dev,
                        Some(other) => panic!("unknown dependency kind {other}"),
                    };
                    (dep["name"].as_str().unwrap().to_owned(), kind)
                })
                .collect();
            Member {
                name: package["name"].as_str().unwrap().to_owned(),
                dir: dir.to_string_lossy().replace('\\', "/"),
                uses,
            }
        })
        .collect()
}
