//! The `manila-plugin` interface between the manila principal and its share back ends, both
//! sides, as a codec over relation databags. Wire-compatible with
//! `interface:manila-plugin` and so with manila-generic, manila-ganesha and charm-manila.
//!
//! | Key | Written by | Value |
//! |---|---|---|
//! | `_name` | plugin | back-end name, plain (`generic`, `cephfsnfs1`): a section name and an `enabled_share_backends` entry |
//! | `_configuration_data` | plugin | `{"data": {"<config file path>": "<text to add to it>", ...}}`, optionally with `"complete": true` |
//! | `_authentication_data` | principal | `{"data": {"username": ..., "password": ..., "project_domain_name": ..., "project_name": ..., "user_domain_name": ..., "auth_uri": ..., "auth_url": ..., "auth_type": ...}}` |
//!
//! Both JSON values are Python's `json.dumps` with its default separators (`", "`, `": "`)
//! and keys in the order written, which [`Backend::to_bag`] and
//! [`AuthenticationData::to_bag`] reproduce byte for byte. The principal writes its
//! authentication data as soon as keystone is related, so values may be `null` until
//! keystone answers; older peers send `project_domain_id`/`user_domain_id` for the domain
//! names, which [`Credentials::from_bag`] accepts.
//!
//! A back end is available to the principal once it has sent both `_name` and
//! `_configuration_data` (`{"data": {}}` included: manila-generic sends that until it is
//! configured, manila-ganesha only ever sends `{"complete": true}`).
//!
//! # What the principal accepts
//!
//! The text a back end adds to `manila.conf` ([`MANILA_CONF`]) ends up in the file every
//! Manila service reads, so the principal parses it on receipt ([`ShareBackend`]) and
//! renders it again from the parse, never copies it:
//! - `_name` is a [`BackendName`]: a section name (`[A-Za-z0-9_.-]+`) that is none of the
//!   sections Manila and its libraries use ([`RESERVED_SECTIONS`], `oslo_*`);
//! - the text is INI ([`ini::Document`]): its sections are the back end's own `[<name>]`
//!   and the service-client sections the reference charms send ([`SHARED_SECTIONS`]), one
//!   `key = value` per line, values in oslo.config's syntax;
//! - anything else (a payload that is not JSON, has no `data` object or a non-string file
//!   section, a bad name, text that is not INI, another section) makes the unit
//!   [`BackendStatus::Invalid`] with a [`FieldError`] saying why, never repeating a value.
//!
//! Where to start: a plugin publishes a [`Backend`] and reads [`Credentials`]; the principal
//! publishes [`AuthenticationData`] and reads [`PluginBackends`], merging the back ends'
//! service-client sections with [`SharedSections::merge`]. Both write through
//! [`changed_keys`] so that only changed keys reach `relation-set`.
//!
//! ```
//! use manila_plugin::{Backend, BackendName, BackendStatus, MANILA_CONF};
//! let name: BackendName = "generic".parse()?;
//! let backend = Backend::new(name.clone())
//!     .with_file(MANILA_CONF, "[generic]\nshare_backend_name = generic\n");
//! let bag = backend.to_bag();
//! assert_eq!(
//!     bag["_configuration_data"],
//!     r#"{"data": {"/etc/manila/manila.conf": "[generic]\nshare_backend_name = generic\n"}}"#,
//! );
//! let received = BackendStatus::from_bag(&bag);
//! let own = received.ready().unwrap().own.as_ref().unwrap();
//! assert_eq!(own.get("share_backend_name"), Some("generic"));
//! # Ok::<(), manila_plugin::BackendNameError>(())
//! ```

mod names;
mod protocols;
mod shared;

use std::collections::BTreeMap;
use std::fmt;

use databag::{fields, Bag, FieldError, FieldErrorKind, PyJson, Readiness, Secret, UnitError};
use ini::{Document, Section};
use juju::UnitName;
use serde_json::Value;

pub use databag::changed_keys;
pub use names::{is_reserved, BackendName, BackendNameError, RESERVED_SECTIONS, SHARED_SECTIONS};
pub use protocols::{parse_protocols, SHARE_PROTOCOLS};
pub use shared::{Conflict, SharedSections};

const NAME: &str = "_name";
const CONFIGURATION: &str = "_configuration_data";
const AUTHENTICATION: &str = "_authentication_data";

/// The file whose text the principal adds to its own `manila.conf`.
pub const MANILA_CONF: &str = "/etc/manila/manila.conf";

/// One share back end, as a plugin announces it.
#[derive(Clone, PartialEq, Eq)]
pub struct Backend {
    pub name: BackendName,
    /// Config file path and the text the principal adds to that file, in the order the
    /// plugin sends them.
    pub files: Vec<(String, String)>,
    /// The plugin's own completeness flag, when it sends one (manila-ganesha does,
    /// manila-generic never).
    pub complete: Option<bool>,
}

impl Backend {
    pub fn new(name: BackendName) -> Self {
        Backend {
            name,
            files: Vec::new(),
            complete: None,
        }
    }

    pub fn with_file(mut self, path: impl Into<String>, text: impl Into<String>) -> Self {
        self.files.push((path.into(), text.into()));
        self
    }

    pub fn with_complete(mut self, complete: bool) -> Self {
        self.complete = Some(complete);
        self
    }

    /// The plugin's bag.
    pub fn to_bag(&self) -> Bag {
        let mut data = Vec::new();
        if let Some(complete) = self.complete {
            data.push(("complete".to_owned(), PyJson::Bool(complete)));
        }
        for (path, text) in &self.files {
            data.push((path.clone(), PyJson::from(text.as_str())));
        }
        Bag::from([
            (NAME.into(), self.name.to_string()),
            (CONFIGURATION.into(), wrap(PyJson::Object(data))),
        ])
    }
}

impl fmt::Debug for Backend {
    /// File sections can carry credentials (manila-generic's `[nova]` password), so only
    /// their sizes are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files: Vec<String> = self
            .files
            .iter()
            .map(|(path, text)| format!("{path} ({} bytes)", text.len()))
            .collect();
        f.debug_struct("Backend")
            .field("name", &self.name)
            .field("files", &files)
            .field("complete", &self.complete)
            .finish()
    }
}

/// `{"data": <value>}`, as both sides wrap their payload.
fn wrap(data: PyJson) -> String {
    PyJson::Object(vec![("data".to_owned(), data)]).dumps()
}

/// The `data` object of a payload, or why there is none.
fn unwrap_data(key: &str, text: &str) -> Result<serde_json::Map<String, Value>, FieldError> {
    let shape = |expected: &str| {
        FieldError::new(
            key,
            FieldErrorKind::UnexpectedJson {
                expected: expected.to_owned(),
            },
        )
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        FieldError::new(
            key,
            FieldErrorKind::InvalidJson {
                reason: e.to_string(),
            },
        )
    })?;
    let Value::Object(mut outer) = value else {
        return Err(shape(r#"an object {"data": {...}}"#));
    };
    match outer.remove("data") {
        Some(Value::Object(data)) => Ok(data),
        Some(_) => Err(shape(r#""data" to be an object"#)),
        None => Err(shape(r#"a "data" key"#)),
    }
}

/// A back end as the principal accepted it: a valid name and its `manila.conf` text, parsed
/// and held to the sections it may write (see the [crate docs](crate)).
#[derive(Clone, PartialEq, Eq)]
pub struct ShareBackend {
    pub name: BackendName,
    /// Its own section, `[<name>]`, once it sends one.
    pub own: Option<Section>,
    /// The service-client sections it sends, in [`SHARED_SECTIONS`] order.
    pub shared: Vec<Section>,
    /// The plugin's own completeness flag, when it sends one.
    pub complete: Option<bool>,
}

impl fmt::Debug for ShareBackend {
    /// Values can be credentials: only section names and option counts are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sections: Vec<String> = self
            .own
            .iter()
            .chain(&self.shared)
            .map(|s| format!("[{}] ({} options)", s.name, s.options.len()))
            .collect();
        f.debug_struct("ShareBackend")
            .field("name", &self.name)
            .field("sections", &sections)
            .field("complete", &self.complete)
            .finish()
    }
}

impl ShareBackend {
    /// Reads a plugin's name and `manila.conf` text (`None`: it sent none yet).
    pub fn parse(name: BackendName, manila_conf: Option<&str>) -> Result<ShareBackend, String> {
        let mut backend = ShareBackend {
            name,
            own: None,
            shared: Vec::new(),
            complete: None,
        };
        let Some(text) = manila_conf else {
            return Ok(backend);
        };
        let document = Document::parse(text).map_err(|e| format!("its {MANILA_CONF} text, {e}"))?;
        for section in document.sections {
            if section.name.as_str() == backend.name.as_str() {
                backend.own = Some(section);
            } else if SHARED_SECTIONS.contains(&section.name.as_str()) {
                backend.shared.push(section);
            } else {
                return Err(format!(
                    "its {MANILA_CONF} text has a section [{}]; a back end may write only its \
                     own ([{}]) and {}",
                    section.name,
                    backend.name,
                    SHARED_SECTIONS
                        .iter()
                        .map(|s| format!("[{s}]"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        backend
            .shared
            .sort_by_key(|s| SHARED_SECTIONS.iter().position(|n| *n == s.name.as_str()));
        Ok(backend)
    }
}

/// What the principal knows of one plugin unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendStatus {
    /// Name and configuration received and well-formed.
    Ready(ShareBackend),
    /// The plugin has not sent `missing` yet.
    Waiting { missing: Vec<String> },
    /// The plugin sent something that is not a back end.
    Invalid(FieldError),
}

impl BackendStatus {
    /// The principal's reading of one plugin unit's bag.
    pub fn from_bag(bag: &Bag) -> Self {
        match Self::read(bag) {
            Ok(status) => status,
            Err(e) => BackendStatus::Invalid(e),
        }
    }

    fn read(bag: &Bag) -> Result<Self, FieldError> {
        let name = fields::text(bag, NAME)?;
        let configuration = fields::text(bag, CONFIGURATION)?;
        let (Some(name), Some(configuration)) = (name, configuration) else {
            let missing = [
                (NAME, name.is_none()),
                (CONFIGURATION, configuration.is_none()),
            ]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(|(key, _)| key.to_owned())
            .collect();
            return Ok(BackendStatus::Waiting { missing });
        };
        let refused =
            |key: &str, reason: String| FieldError::new(key, FieldErrorKind::Refused { reason });
        let name = BackendName::new(name).map_err(|e| refused(NAME, e.to_string()))?;
        let (complete, files) = parse_configuration(configuration)?;
        let manila_conf = files
            .iter()
            .find(|(path, _)| path == MANILA_CONF)
            .map(|(_, text)| text.as_str());
        let mut backend = ShareBackend::parse(name, manila_conf)
            .map_err(|reason| refused(CONFIGURATION, reason))?;
        backend.complete = complete;
        Ok(BackendStatus::Ready(backend))
    }

    pub fn ready(&self) -> Option<&ShareBackend> {
        match self {
            BackendStatus::Ready(backend) => Some(backend),
            _ => None,
        }
    }

    /// One plugin unit's bag as a readiness, for readers that keep the last good data.
    pub fn check(bag: &Bag) -> Result<Readiness<ShareBackend>, FieldError> {
        match BackendStatus::from_bag(bag) {
            BackendStatus::Ready(backend) => Ok(Readiness::Ready(backend)),
            BackendStatus::Waiting { missing } => Ok(Readiness::Incomplete { missing }),
            BackendStatus::Invalid(e) => Err(e),
        }
    }
}

/// The completeness flag and the `(path, text)` entries of a `_configuration_data` payload.
#[allow(clippy::type_complexity)]
fn parse_configuration(text: &str) -> Result<(Option<bool>, Vec<(String, String)>), FieldError> {
    let data = unwrap_data(CONFIGURATION, text)?;
    let mut complete = None;
    let mut files = Vec::new();
    for (key, value) in data {
        match (key.as_str(), value) {
            ("complete", Value::Bool(flag)) => complete = Some(flag),
            ("complete", _) => {
                return Err(FieldError::new(
                    CONFIGURATION,
                    FieldErrorKind::UnexpectedJson {
                        expected: r#""complete" to be true or false"#.to_owned(),
                    },
                ))
            }
            (_, Value::String(section)) => files.push((key, section)),
            (_, _) => {
                return Err(FieldError::new(
                    CONFIGURATION,
                    FieldErrorKind::UnexpectedJson {
                        expected: format!("the section for {key:?} to be a string"),
                    },
                ))
            }
        }
    }
    Ok((complete, files))
}

/// What the principal knows of every plugin unit on one relation endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PluginBackends {
    pub units: BTreeMap<UnitName, BackendStatus>,
}

impl PluginBackends {
    pub fn from_bags(units: &BTreeMap<UnitName, Bag>) -> Self {
        PluginBackends {
            units: units
                .iter()
                .map(|(unit, bag)| (unit.clone(), BackendStatus::from_bag(bag)))
                .collect(),
        }
    }

    /// The relation's reading: ready once a unit announced a back end; a malformed unit is an
    /// error only when no unit is ready.
    pub fn read(units: &BTreeMap<UnitName, Bag>) -> Result<Readiness<Self>, UnitError> {
        let backends = PluginBackends::from_bags(units);
        if !backends.ready().is_empty() {
            return Ok(Readiness::Ready(backends));
        }
        if let Some((unit, error)) = backends.invalid().next() {
            return Err(error.clone().from_unit(unit));
        }
        let missing = backends
            .units
            .values()
            .find_map(|status| match status {
                BackendStatus::Waiting { missing } => Some(missing.clone()),
                _ => None,
            })
            .unwrap_or_else(|| vec![NAME.to_owned(), CONFIGURATION.to_owned()]);
        Ok(Readiness::Incomplete { missing })
    }

    /// The ready back ends, one per name (the first unit in unit order wins: several units
    /// of one plugin application announce the same back end).
    pub fn ready(&self) -> Vec<&ShareBackend> {
        let mut by_name: BTreeMap<&BackendName, &ShareBackend> = BTreeMap::new();
        for backend in self.units.values().filter_map(BackendStatus::ready) {
            by_name.entry(&backend.name).or_insert(backend);
        }
        by_name.into_values().collect()
    }

    /// The names of the ready back ends, sorted and de-duplicated (charm-manila's
    /// `enabled_share_backends` and `default-share-backend` check).
    pub fn names(&self) -> Vec<&str> {
        self.ready().iter().map(|b| b.name.as_str()).collect()
    }

    /// Units whose payload is malformed, for the caller to report.
    pub fn invalid(&self) -> impl Iterator<Item = (&UnitName, &FieldError)> {
        self.units.iter().filter_map(|(unit, status)| match status {
            BackendStatus::Invalid(e) => Some((unit, e)),
            _ => None,
        })
    }
}

/// What the principal sends every plugin: the service credentials its back ends use to reach
/// nova, neutron and cinder. Fields are `None` (JSON `null`) until keystone has answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthenticationData {
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub project_domain_name: Option<String>,
    pub project_name: Option<String>,
    pub user_domain_name: Option<String>,
    pub auth_uri: Option<String>,
    pub auth_url: Option<String>,
    pub auth_type: Option<String>,
}

impl AuthenticationData {
    /// The principal's bag, keys in charm-manila's order.
    pub fn to_bag(&self) -> Bag {
        let data = PyJson::Object(
            [
                ("username", self.username.as_deref()),
                ("password", self.password.as_ref().map(Secret::expose)),
                ("project_domain_name", self.project_domain_name.as_deref()),
                ("project_name", self.project_name.as_deref()),
                ("user_domain_name", self.user_domain_name.as_deref()),
                ("auth_uri", self.auth_uri.as_deref()),
                ("auth_url", self.auth_url.as_deref()),
                ("auth_type", self.auth_type.as_deref()),
            ]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), PyJson::from(value)))
            .collect(),
        );
        Bag::from([(AUTHENTICATION.into(), wrap(data))])
    }
}

impl From<Credentials> for AuthenticationData {
    fn from(c: Credentials) -> Self {
        AuthenticationData {
            username: Some(c.username),
            password: Some(c.password),
            project_domain_name: Some(c.project_domain_name),
            project_name: Some(c.project_name),
            user_domain_name: Some(c.user_domain_name),
            auth_uri: Some(c.auth_uri),
            auth_url: Some(c.auth_url),
            auth_type: Some(c.auth_type),
        }
    }
}

/// The credentials a plugin receives, once every value is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
    pub project_domain_name: String,
    pub project_name: String,
    pub user_domain_name: String,
    pub auth_uri: String,
    pub auth_url: String,
    pub auth_type: String,
}

impl Credentials {
    /// The plugin's reading of the principal's bag. Incomplete while the key is absent or any
    /// value is missing or `null`; `project_domain_id`/`user_domain_id` stand in for the
    /// `*_name` keys when only they are sent.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<Self>, FieldError> {
        let Some(text) = fields::text(bag, AUTHENTICATION)? else {
            return Ok(Readiness::waiting_for([AUTHENTICATION]));
        };
        let data = unwrap_data(AUTHENTICATION, text)?;
        let mut missing = Vec::new();
        let mut value = |keys: &[&str]| -> Result<Option<String>, FieldError> {
            for key in keys {
                match data.get(*key) {
                    // The values go into manila.conf: each must be one oslo.config value.
                    Some(Value::String(s)) if ini::Dialect::Oslo.escape(s).is_err() => {
                        let why = ini::Dialect::Oslo.escape(s).err().map(|e| e.to_string());
                        return Err(FieldError::new(
                            AUTHENTICATION,
                            FieldErrorKind::Refused {
                                reason: format!("{key:?} {}", why.unwrap_or_default()),
                            },
                        ));
                    }
                    Some(Value::String(s)) if !s.is_empty() => return Ok(Some(s.clone())),
                    None | Some(Value::Null) | Some(Value::String(_)) => {}
                    Some(_) => {
                        return Err(FieldError::new(
                            AUTHENTICATION,
                            FieldErrorKind::UnexpectedJson {
                                expected: format!("{key:?} to be a string or null"),
                            },
                        ))
                    }
                }
            }
            missing.push(keys[0].to_owned());
            Ok(None)
        };
        let username = value(&["username"])?;
        let password = value(&["password"])?.map(Secret::from);
        let project_domain_name = value(&["project_domain_name", "project_domain_id"])?;
        let project_name = value(&["project_name"])?;
        let user_domain_name = value(&["user_domain_name", "user_domain_id"])?;
        let auth_uri = value(&["auth_uri"])?;
        let auth_url = value(&["auth_url"])?;
        let auth_type = value(&["auth_type"])?;
        let (
            Some(username),
            Some(password),
            Some(project_domain_name),
            Some(project_name),
            Some(user_domain_name),
            Some(auth_uri),
            Some(auth_url),
            Some(auth_type),
        ) = (
            username,
            password,
            project_domain_name,
            project_name,
            user_domain_name,
            auth_uri,
            auth_url,
            auth_type,
        )
        else {
            return Ok(Readiness::Incomplete { missing });
        };
        Ok(Readiness::Ready(Credentials {
            username,
            password,
            project_domain_name,
            project_name,
            user_domain_name,
            auth_uri,
            auth_url,
            auth_type,
        }))
    }
}

#[cfg(test)]
mod tests;
