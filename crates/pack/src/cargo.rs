//! What Cargo knows about a charm: its package and binary names, and the workspace it is in.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::PackError;

/// The Cargo package that builds a charm, and the binaries it ships: every `[[bin]]` target
/// of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoCharm {
    /// `[package] name`, for `cargo build -p`.
    pub package: String,
    /// The binary `dispatch` runs: the only `[[bin]]` target, or the one named after the
    /// package; the package name when there is no `[[bin]]` table.
    pub binary: String,
    /// The package's other `[[bin]]` targets, which the charm's binary execs itself (for
    /// some actions, say): shipped beside it.
    pub other_binaries: Vec<String>,
}

impl CargoCharm {
    /// Reads `<charm_dir>/Cargo.toml`.
    pub fn read(charm_dir: &Path) -> Result<CargoCharm, PackError> {
        let path = charm_dir.join("Cargo.toml");
        let manifest = read_manifest(&path)?;
        let invalid = |reason: String| PackError::CargoManifest {
            path: path.clone(),
            reason,
        };
        let package = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str)
            .ok_or_else(|| invalid("[package] name: missing".to_owned()))?
            .to_owned();
        let bins: Vec<&str> = match manifest.get("bin") {
            None => Vec::new(),
            Some(toml::Value::Array(targets)) => targets
                .iter()
                .map(|t| t.get("name").and_then(toml::Value::as_str))
                .collect::<Option<_>>()
                .ok_or_else(|| invalid("[[bin]]: a target has no name".to_owned()))?,
            Some(_) => return Err(invalid("bin: expected [[bin]] tables".to_owned())),
        };
        let binary = match bins.as_slice() {
            [] => package.clone(),
            [only] => (*only).to_owned(),
            several if several.contains(&package.as_str()) => package.clone(),
            several => {
                return Err(invalid(format!(
                    "several [[bin]] targets ({}) and none is named after the package, so \
                     which one is the charm is unclear",
                    several.join(", ")
                )))
            }
        };
        let other_binaries = bins
            .iter()
            .filter(|name| **name != binary)
            .map(|name| (*name).to_owned())
            .collect();
        Ok(CargoCharm {
            package,
            binary,
            other_binaries,
        })
    }

    /// Every binary's name, the one `dispatch` runs first.
    pub fn binaries(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.binary.as_str()).chain(self.other_binaries.iter().map(String::as_str))
    }
}

/// The nearest directory at or above `dir` whose `Cargo.toml` has a `[workspace]` table.
pub(crate) fn workspace_root(dir: &Path) -> Result<Option<PathBuf>, PackError> {
    let dir = dir.canonicalize().map_err(PackError::io(dir))?;
    for candidate in dir.ancestors() {
        let path = candidate.join("Cargo.toml");
        if !path.is_file() {
            continue;
        }
        if read_manifest(&path)?.contains_key("workspace") {
            return Ok(Some(candidate.to_owned()));
        }
    }
    Ok(None)
}

fn read_manifest(path: &Path) -> Result<toml::Table, PackError> {
    let text = fs::read_to_string(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => PackError::CargoManifest {
            path: path.to_owned(),
            reason: "missing: a charm is a Cargo package".to_owned(),
        },
        _ => PackError::Io {
            path: path.to_owned(),
            source,
        },
    })?;
    text.parse()
        .map_err(|err: toml::de::Error| PackError::CargoManifest {
            path: path.to_owned(),
            reason: err.message().to_owned(),
        })
}
