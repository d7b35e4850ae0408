//! The manila binaries the benchmark measures: the release build the emulator deploys (built
//! by the testbed with the cargo running the benchmark), and the one `cargo xtask pack`
//! ships, when it has been built.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use manila_testbed::{workspace, Charm};

/// A binary and how the tables name it.
#[derive(Debug, Clone)]
pub(crate) struct Binary {
    pub(crate) path: PathBuf,
    pub(crate) label: &'static str,
}

impl Binary {
    pub(crate) fn release() -> Binary {
        Binary {
            path: Charm::Manila.binary(),
            label: "release build",
        }
    }

    /// What `cargo xtask pack` builds with the `charm` profile: static for musl, or linked
    /// against this machine's glibc where it could not build static. Absent until packed.
    pub(crate) fn shipped() -> Option<Binary> {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target"));
        [
            (
                "x86_64-unknown-linux-musl/charm/manila-charm",
                "shipped: static musl, charm profile",
            ),
            ("charm/manila-charm", "shipped: glibc, charm profile"),
        ]
        .into_iter()
        .map(|(path, label)| Binary {
            path: target.join(path),
            label,
        })
        .find(|binary| binary.path.is_file())
    }

    /// `path (size, built N min ago)`, for the reader to judge whether it is current.
    pub(crate) fn describe(&self) -> String {
        let meta = std::fs::metadata(&self.path).ok();
        let size = meta.as_ref().map_or(0, |m| m.len());
        let age = meta
            .and_then(|m| m.modified().ok())
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .map_or("?".to_owned(), |d| format!("{}", d.as_secs() / 60));
        format!(
            "{} ({:.1} MB, built {age} min ago)",
            shown_path(&self.path),
            size as f64 / 1e6
        )
    }
}

/// `path` relative to the workspace when under it.
fn shown_path(path: &Path) -> String {
    let root = workspace().canonicalize().unwrap_or_else(|_| workspace());
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    path.strip_prefix(&root)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}
