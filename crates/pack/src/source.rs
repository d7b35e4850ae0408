//! A charm's source (its directory and its built binaries) and the list of files Juju gets.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::cargo::workspace_root;
use crate::error::PackError;
use crate::manifest::manifest_yaml;
use crate::validate::{validate, CharmInfo};
use crate::{archive, ARCHIVE_BIN_DIR};

/// Files copied from the charm directory when present, beside the three YAML documents.
/// Juju ignores them; charm-proof looks for them, and charmhub shows the README.
const OPTIONAL_FILES: &[&str] = &["README.md", "copyright", "icon.svg"];

/// A compiled charm's source: `dir` holds `metadata.yaml` and friends (`charms/<name>`),
/// `binary` is the built executable `dispatch` runs for every hook and action, and
/// `other_binaries` those it execs itself (for some actions): all go into `bin/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharmSource {
    pub dir: PathBuf,
    pub binary: PathBuf,
    pub other_binaries: Vec<PathBuf>,
}

/// The validated list of files of a packed charm, sorted by path: what both
/// [`CharmSource::assemble_dir`] and [`CharmSource::write_zip`] write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub(crate) info: CharmInfo,
    pub(crate) entries: Vec<Entry>,
}

/// One file or directory of a packed charm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub(crate) path: String,
    pub(crate) kind: EntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Dir,
    File { mode: u32, data: Data },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Data {
    CopyOf(PathBuf),
    Generated(Vec<u8>),
}

impl CharmSource {
    pub fn new(dir: impl Into<PathBuf>, binary: impl Into<PathBuf>) -> CharmSource {
        CharmSource {
            dir: dir.into(),
            binary: binary.into(),
            other_binaries: Vec::new(),
        }
    }

    /// With `binaries` shipped beside [`CharmSource::binary`].
    pub fn with_other_binaries(
        mut self,
        binaries: impl IntoIterator<Item = impl Into<PathBuf>>,
    ) -> CharmSource {
        self.other_binaries
            .extend(binaries.into_iter().map(Into::into));
        self
    }

    /// Validates the charm and lists what a packed copy of it holds.
    pub fn contents(&self) -> Result<Contents, PackError> {
        let info = validate(&self.dir)?;
        let mut binaries = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for path in std::iter::once(&self.binary).chain(&self.other_binaries) {
            let name = binary_name(path)?;
            if names.contains(&name) {
                return Err(PackError::Binary {
                    path: path.clone(),
                    reason: format!("a second binary named {name}"),
                });
            }
            binaries.push(Entry::copy(
                &format!("{ARCHIVE_BIN_DIR}/{name}"),
                path.clone(),
                0o755,
            ));
            names.push(name);
        }
        let mut entries = vec![
            Entry::copy("metadata.yaml", self.dir.join("metadata.yaml"), 0o644),
            Entry::generated("manifest.yaml", manifest_yaml(), 0o644),
            // `names[0]` is `binary`'s, the one dispatch runs.
            Entry::generated("dispatch", dispatch_script(&names[0]), 0o755),
            Entry::dir(ARCHIVE_BIN_DIR),
        ];
        entries.extend(binaries);
        if info.has_config {
            entries.push(Entry::copy(
                "config.yaml",
                self.dir.join("config.yaml"),
                0o644,
            ));
        }
        if info.has_actions {
            entries.push(Entry::copy(
                "actions.yaml",
                self.dir.join("actions.yaml"),
                0o644,
            ));
        }
        for file in OPTIONAL_FILES {
            let path = self.dir.join(file);
            if is_file(&path)? {
                entries.push(Entry::copy(file, path, 0o644));
            }
        }
        if let Some(license) = self.license()? {
            entries.push(Entry::copy("LICENSE", license, 0o644));
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Contents { info, entries })
    }

    /// Writes the charm as a directory Juju (or the model emulator) can run, at `dest`, which
    /// must be absent or empty.
    pub fn assemble_dir(&self, dest: &Path) -> Result<Contents, PackError> {
        let contents = self.contents()?;
        contents.write_dir(dest)?;
        Ok(contents)
    }

    /// Writes the charm directory into `parent`, named after the charm (`parent/<name>`), as
    /// tests deploy it; returns its path.
    pub fn assemble_in(&self, parent: &Path) -> Result<PathBuf, PackError> {
        let contents = self.contents()?;
        let dest = parent.join(contents.name());
        contents.write_dir(&dest)?;
        Ok(dest)
    }

    /// Writes the charm as a `.charm` zip at `dest_file`, byte for byte the same for the same
    /// input. The file appears only once complete.
    pub fn write_zip(&self, dest_file: &Path) -> Result<Contents, PackError> {
        let contents = self.contents()?;
        archive::write(&contents, dest_file)?;
        Ok(contents)
    }

    /// The charm's own LICENSE, else the enclosing Cargo workspace's.
    fn license(&self) -> Result<Option<PathBuf>, PackError> {
        let own = self.dir.join("LICENSE");
        if is_file(&own)? {
            return Ok(Some(own));
        }
        let Some(root) = workspace_root(&self.dir)? else {
            return Ok(None);
        };
        let shared = root.join("LICENSE");
        Ok(is_file(&shared)?.then_some(shared))
    }
}

/// A binary's file name, checked to be a regular file. The one `dispatch` runs is written
/// into the script, so only plain characters pass (for every binary: one rule).
fn binary_name(path: &Path) -> Result<String, PackError> {
    let invalid = |reason: &str| PackError::Binary {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let meta = fs::metadata(path).map_err(|err| invalid(&err.to_string()))?;
    if !meta.is_file() {
        return Err(invalid("not a regular file"));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| invalid("the file name is not UTF-8"))?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "._+-".contains(c);
    if name.starts_with('.') || !name.chars().all(plain) {
        return Err(invalid(
            "the file name must be letters, digits, '.', '_', '+' and '-' (it is written \
             into the dispatch script)",
        ));
    }
    Ok(name.to_owned())
}

/// The script Juju runs for every hook and action. It starts no process of its own: `cd` and
/// `${0%/*}` are shell built-ins, and `exec` hands the process (pid, signals, exit code) to the
/// binary. The `cd` gives the binary the working directory Juju gives hooks (the charm
/// directory) however `dispatch` is started; Juju itself passes no arguments. The last line
/// names the binary by its path in the charm, which is where `charmcraft analyse` looks for
/// the entrypoint.
pub(crate) fn dispatch_script(binary: &str) -> String {
    format!(
        "#!/bin/sh\n\
         case $0 in */*) cd \"${{0%/*}}\" || exit ;; esac\n\
         exec ./{ARCHIVE_BIN_DIR}/{binary}\n"
    )
}

impl Contents {
    /// `name` from the charm's metadata.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn write_dir(&self, dest: &Path) -> Result<(), PackError> {
        prepare_empty_dir(dest)?;
        for entry in &self.entries {
            let path = dest.join(&entry.path);
            match &entry.kind {
                EntryKind::Dir => fs::create_dir(&path).map_err(PackError::io(&path))?,
                EntryKind::File { mode, data } => {
                    match data {
                        Data::CopyOf(from) => fs::copy(from, &path)
                            .map(drop)
                            .map_err(PackError::io(from))?,
                        Data::Generated(bytes) => {
                            fs::write(&path, bytes).map_err(PackError::io(&path))?
                        }
                    }
                    fs::set_permissions(&path, fs::Permissions::from_mode(*mode))
                        .map_err(PackError::io(&path))?;
                }
            }
        }
        Ok(())
    }
}

impl Entry {
    fn copy(path: &str, from: PathBuf, mode: u32) -> Entry {
        Entry {
            path: path.to_owned(),
            kind: EntryKind::File {
                mode,
                data: Data::CopyOf(from),
            },
        }
    }

    fn generated(path: &str, bytes: impl Into<Vec<u8>>, mode: u32) -> Entry {
        Entry {
            path: path.to_owned(),
            kind: EntryKind::File {
                mode,
                data: Data::Generated(bytes.into()),
            },
        }
    }

    fn dir(path: &str) -> Entry {
        Entry {
            path: path.to_owned(),
            kind: EntryKind::Dir,
        }
    }

    /// The path inside the charm, `/`-separated, without a trailing `/` for directories.
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn is_dir(&self) -> bool {
        matches!(self.kind, EntryKind::Dir)
    }

    /// Permission bits: 0755 for directories, `dispatch` and the binaries, 0644 otherwise.
    pub fn mode(&self) -> u32 {
        match self.kind {
            EntryKind::Dir => 0o755,
            EntryKind::File { mode, .. } => mode,
        }
    }
}

fn is_file(path: &Path) -> Result<bool, PackError> {
    match fs::metadata(path) {
        Ok(meta) => Ok(meta.is_file()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(PackError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Creates `dest` or checks that it is empty: a stale file left from an earlier run would
/// otherwise ship with the charm.
pub(crate) fn prepare_empty_dir(dest: &Path) -> Result<(), PackError> {
    fs::create_dir_all(dest).map_err(PackError::io(dest))?;
    let mut listing = fs::read_dir(dest).map_err(PackError::io(dest))?;
    if listing.next().is_some() {
        return Err(PackError::DestinationNotEmpty {
            path: dest.to_owned(),
        });
    }
    Ok(())
}
