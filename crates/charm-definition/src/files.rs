//! Charms on disk: a directory or a packed `.charm` (a zip), read and expanded as Juju does.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::{Actions, Charm, CharmError, ConfigSchema, Metadata};

impl Charm {
    /// Reads and validates the charm at `path`: a directory or a packed `.charm` (zip).
    pub fn load(path: &Path) -> Result<Charm, CharmError> {
        let source = Source::open(path)?;
        let files = CharmFiles::read(&source)?;
        let invalid = |file: &'static str| {
            move |reason: String| CharmError::Invalid {
                path: path.to_owned(),
                file,
                reason,
            }
        };
        let meta = Metadata::parse(&files.metadata).map_err(invalid(files.metadata_file))?;
        let config = match &files.config {
            Some(doc) => ConfigSchema::parse(doc).map_err(invalid(files.config_file))?,
            None => ConfigSchema::default(),
        };
        let actions = match &files.actions {
            Some(doc) => Actions::parse(doc).map_err(invalid(files.actions_file))?,
            None => Actions::default(),
        };
        Ok(Charm {
            meta,
            config,
            actions,
        })
    }
}

/// Where a charm's files come from.
#[derive(Debug, Clone)]
pub enum Source {
    Dir(PathBuf),
    Archive(PathBuf),
}

impl Source {
    pub fn open(path: &Path) -> Result<Source, CharmError> {
        let io_err = |source| CharmError::Io {
            path: path.to_owned(),
            source,
        };
        let meta = fs::metadata(path).map_err(io_err)?;
        Ok(if meta.is_dir() {
            Source::Dir(path.to_owned())
        } else {
            Source::Archive(path.to_owned())
        })
    }

    fn path(&self) -> &Path {
        match self {
            Source::Dir(p) | Source::Archive(p) => p,
        }
    }

    fn read_text(&self, name: &str) -> Result<Option<String>, CharmError> {
        let path = self.path();
        match self {
            Source::Dir(dir) => match fs::read_to_string(dir.join(name)) {
                Ok(text) => Ok(Some(text)),
                Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(CharmError::Io {
                    path: dir.join(name),
                    source,
                }),
            },
            Source::Archive(_) => {
                let mut archive = open_archive(path)?;
                let mut entry = match archive.by_name(name) {
                    Ok(entry) => entry,
                    Err(zip::result::ZipError::FileNotFound) => return Ok(None),
                    Err(source) => {
                        return Err(CharmError::Archive {
                            path: path.to_owned(),
                            source,
                        })
                    }
                };
                let mut text = String::new();
                entry
                    .read_to_string(&mut text)
                    .map_err(|source| CharmError::Io {
                        path: path.join(name),
                        source,
                    })?;
                Ok(Some(text))
            }
        }
    }

    /// Writes the charm's files under `dest` (which must not exist), keeping exec bits, and
    /// adds the `metadata.yaml`, `config.yaml` and `actions.yaml` that `charmcraft pack` would
    /// derive from a unified `charmcraft.yaml`: Juju needs `metadata.yaml` on disk.
    pub fn unpack(&self, dest: &Path) -> Result<(), CharmError> {
        match self {
            Source::Dir(dir) => copy_tree(dir, dest)?,
            Source::Archive(path) => extract(path, dest)?,
        }
        let files = CharmFiles::read(self)?;
        for (name, generated) in [
            ("metadata.yaml", files.generated_metadata),
            ("config.yaml", files.generated_config),
            ("actions.yaml", files.generated_actions),
        ] {
            if let Some(text) = generated {
                let path = dest.join(name);
                fs::write(&path, text).map_err(|source| CharmError::Io { path, source })?;
            }
        }
        Ok(())
    }
}

/// The three documents Juju reads, whichever files they came from.
struct CharmFiles {
    metadata: serde_yaml::Value,
    metadata_file: &'static str,
    config: Option<serde_yaml::Value>,
    config_file: &'static str,
    actions: Option<serde_yaml::Value>,
    actions_file: &'static str,
    generated_metadata: Option<String>,
    generated_config: Option<String>,
    generated_actions: Option<String>,
}

/// Keys of `charmcraft.yaml` that are about building, not about the charm Juju sees.
const CHARMCRAFT_ONLY_KEYS: &[&str] = &[
    "type",
    "base",
    "build-base",
    "platforms",
    "bases",
    "parts",
    "config",
    "actions",
    "charm-libs",
    "analysis",
    "links",
    "charmhub",
];

impl CharmFiles {
    fn read(source: &Source) -> Result<CharmFiles, CharmError> {
        let path = source.path();
        let parse = |file: &'static str, text: String| {
            serde_yaml::from_str::<serde_yaml::Value>(&text).map_err(|err| CharmError::Invalid {
                path: path.to_owned(),
                file,
                reason: err.to_string(),
            })
        };
        let charmcraft = source
            .read_text("charmcraft.yaml")?
            .map(|text| parse("charmcraft.yaml", text))
            .transpose()?;
        let section = |key: &str| {
            charmcraft
                .as_ref()
                .and_then(|doc| doc.get(key))
                .filter(|v| !v.is_null())
                .cloned()
        };
        let mut files = CharmFiles {
            metadata: serde_yaml::Value::Null,
            metadata_file: "metadata.yaml",
            config: None,
            config_file: "config.yaml",
            actions: None,
            actions_file: "actions.yaml",
            generated_metadata: None,
            generated_config: None,
            generated_actions: None,
        };
        match source.read_text("metadata.yaml")? {
            Some(text) => files.metadata = parse("metadata.yaml", text)?,
            None => {
                let Some(serde_yaml::Value::Mapping(doc)) = &charmcraft else {
                    return Err(CharmError::NoMetadata {
                        path: path.to_owned(),
                    });
                };
                let mut meta = doc.clone();
                for key in CHARMCRAFT_ONLY_KEYS {
                    meta.remove(*key);
                }
                let meta = serde_yaml::Value::Mapping(meta);
                files.generated_metadata = Some(to_yaml(&meta));
                files.metadata = meta;
                files.metadata_file = "charmcraft.yaml";
            }
        }
        match source.read_text("config.yaml")? {
            Some(text) => files.config = Some(parse("config.yaml", text)?),
            None => {
                if let Some(config) = section("config") {
                    files.generated_config = Some(to_yaml(&config));
                    files.config = Some(config);
                    files.config_file = "charmcraft.yaml";
                }
            }
        }
        match source.read_text("actions.yaml")? {
            Some(text) => files.actions = Some(parse("actions.yaml", text)?),
            None => {
                if let Some(actions) = section("actions") {
                    files.generated_actions = Some(to_yaml(&actions));
                    files.actions = Some(actions);
                    files.actions_file = "charmcraft.yaml";
                }
            }
        }
        Ok(files)
    }
}

fn to_yaml(value: &serde_yaml::Value) -> String {
    // Serialising a value that came out of the YAML parser cannot fail.
    serde_yaml::to_string(value).unwrap_or_default()
}

fn open_archive(path: &Path) -> Result<zip::ZipArchive<fs::File>, CharmError> {
    let file = fs::File::open(path).map_err(|source| CharmError::Io {
        path: path.to_owned(),
        source,
    })?;
    zip::ZipArchive::new(file).map_err(|source| CharmError::Archive {
        path: path.to_owned(),
        source,
    })
}

const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

/// Unpacks a `.charm`, keeping the unix mode bits stored in the zip: `dispatch` must stay
/// executable, as Juju requires.
fn extract(archive_path: &Path, dest: &Path) -> Result<(), CharmError> {
    let mut archive = open_archive(archive_path)?;
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| CharmError::Io { path, source }
    };
    fs::create_dir_all(dest).map_err(io_err(dest))?;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|source| CharmError::Archive {
                path: archive_path.to_owned(),
                source,
            })?;
        let Some(relative) = entry.enclosed_name() else {
            return Err(CharmError::Invalid {
                path: archive_path.to_owned(),
                file: "archive",
                reason: format!("entry {:?} points outside the charm", entry.name()),
            });
        };
        let target = dest.join(relative);
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(io_err(&target))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let mode = entry.unix_mode();
        if mode.is_some_and(|m| m & S_IFMT == S_IFLNK) {
            let mut link = String::new();
            entry.read_to_string(&mut link).map_err(io_err(&target))?;
            symlink(link, &target).map_err(io_err(&target))?;
            continue;
        }
        let mut out = fs::File::create(&target).map_err(io_err(&target))?;
        io::copy(&mut entry, &mut out).map_err(io_err(&target))?;
        if let Some(mode) = mode {
            fs::set_permissions(&target, fs::Permissions::from_mode(mode & 0o7777))
                .map_err(io_err(&target))?;
        }
    }
    Ok(())
}

/// Copies a directory tree, keeping modes and symlinks.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), CharmError> {
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| CharmError::Io { path, source }
    };
    fs::create_dir_all(to).map_err(io_err(to))?;
    for entry in fs::read_dir(from).map_err(io_err(from))? {
        let entry = entry.map_err(io_err(from))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io_err(&src))?;
        if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else if kind.is_symlink() {
            let link = fs::read_link(&src).map_err(io_err(&src))?;
            symlink(link, &dst).map_err(io_err(&dst))?;
        } else {
            fs::copy(&src, &dst).map_err(io_err(&dst))?;
        }
    }
    Ok(())
}
