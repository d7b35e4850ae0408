//! A charm as Juju reads it: `metadata.yaml` (or the metadata keys of a unified
//! `charmcraft.yaml`), `config.yaml` and `actions.yaml`, checked as `juju/charm` checks them.
//!
//! One definition for every part of the workspace that reads a charm: the `charm` runtime
//! (which endpoints exist and which are peers; action parameters checked against their
//! schema), `pack` (what Juju would refuse before an archive is built) and the emulator
//! (everything Juju acts on).
//!
//! Start at [`Charm::from_yaml`] (the three texts) or, with the `files` feature,
//! [`Charm::load`] (a charm directory or a packed `.charm`, which [`Source::unpack`] expands
//! as Juju does). [`Metadata`], [`ConfigSchema`] and [`Actions`] are the three documents.

mod actions;
mod config;
#[cfg(feature = "files")]
mod files;
mod metadata;

#[cfg(feature = "files")]
pub use files::{copy_tree, Source};

pub use actions::{valid_action_name, ActionSpec, Actions, ParamProblem};
pub use config::parse_go_bool;
pub use config::{ConfigOption, ConfigSchema, OptionType};
pub use metadata::JUJU_INFO;
pub use metadata::{
    reserved, valid_charm_name, Endpoint, Metadata, ResourceSpec, Role, Scope, StorageSpec,
};

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A charm that failed to load, naming the charm and the file at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CharmError {
    /// The charm (or one of its files) could not be read or written.
    #[error("charm {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The `.charm` file is not a readable zip archive.
    #[cfg(feature = "files")]
    #[error("charm archive {}: {source}", path.display())]
    Archive {
        path: PathBuf,
        source: zip::result::ZipError,
    },
    /// Neither `metadata.yaml` nor `charmcraft.yaml` is present.
    #[error("charm {}: no metadata.yaml (or charmcraft.yaml) found", path.display())]
    NoMetadata { path: PathBuf },
    /// A file is present but Juju would refuse it.
    #[error("charm {}: {file}: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        file: &'static str,
        reason: String,
    },
}

/// What Juju knows about a charm: its metadata, config options and actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Charm {
    pub meta: Metadata,
    pub config: ConfigSchema,
    pub actions: Actions,
}

impl Charm {
    /// The charm described by the text of its `metadata.yaml`, and of its `config.yaml` and
    /// `actions.yaml` when it has them (empty text counts as absent), as a test declares it.
    pub fn from_yaml(
        metadata: &str,
        config: Option<&str>,
        actions: Option<&str>,
    ) -> Result<Charm, CharmError> {
        let path = Path::new("(in memory)");
        let invalid = |file: &'static str| {
            move |reason: String| CharmError::Invalid {
                path: path.to_owned(),
                file,
                reason,
            }
        };
        let parse = |file: &'static str, text: &str| {
            serde_yaml::from_str::<serde_yaml::Value>(text)
                .map_err(|err| invalid(file)(err.to_string()))
        };
        let meta = Metadata::parse(&parse("metadata.yaml", metadata)?)
            .map_err(invalid("metadata.yaml"))?;
        let config = match config.filter(|t| !t.trim().is_empty()) {
            Some(text) => {
                ConfigSchema::parse(&parse("config.yaml", text)?).map_err(invalid("config.yaml"))?
            }
            None => ConfigSchema::default(),
        };
        let actions = match actions.filter(|t| !t.trim().is_empty()) {
            Some(text) => {
                Actions::parse(&parse("actions.yaml", text)?).map_err(invalid("actions.yaml"))?
            }
            None => Actions::default(),
        };
        Ok(Charm {
            meta,
            config,
            actions,
        })
    }
}

/// Reads a YAML mapping's string-keyed entries, naming the offending key otherwise.
pub(crate) fn mapping_entries<'a>(
    value: &'a serde_yaml::Value,
    what: &str,
) -> Result<Vec<(&'a str, &'a serde_yaml::Value)>, String> {
    match value {
        serde_yaml::Value::Null => Ok(Vec::new()),
        serde_yaml::Value::Mapping(map) => map
            .iter()
            .map(|(k, v)| match k.as_str() {
                Some(k) => Ok((k, v)),
                None => Err(format!("{what}: key {k:?} is not a string")),
            })
            .collect(),
        other => Err(format!(
            "{what}: expected a mapping, got {}",
            yaml_kind(other)
        )),
    }
}

pub(crate) fn yaml_kind(value: &serde_yaml::Value) -> &'static str {
    match value {
        serde_yaml::Value::Null => "nothing",
        serde_yaml::Value::Bool(_) => "a boolean",
        serde_yaml::Value::Number(_) => "a number",
        serde_yaml::Value::String(_) => "a string",
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Mapping(_) => "a mapping",
        serde_yaml::Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests;
