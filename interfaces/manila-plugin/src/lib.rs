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
//! configured, manila-ganesha only ever sends `{"complete": true}`). A payload that is not
//! JSON, has no `data` object, or has a non-string file section is [`BackendStatus::Invalid`]
//! with a [`FieldError`] saying why; the caller logs it with the relation and unit.
//!
//! Where to start: a plugin publishes a [`Backend`] and reads [`Credentials`]; the principal
//! publishes [`AuthenticationData`] and reads [`PluginBackends`]. Both write through
//! [`changed_keys`] so that only changed keys reach `relation-set`.
//!
//! ```
//! use manila_plugin::{Backend, BackendStatus};
//! let backend = Backend::new("generic")
//!     .with_file("/etc/manila/manila.conf", "[generic]\nshare_backend_name = generic\n");
//! let bag = backend.to_bag();
//! assert_eq!(
//!     bag["_configuration_data"],
//!     r#"{"data": {"/etc/manila/manila.conf": "[generic]\nshare_backend_name = generic\n"}}"#,
//! );
//! assert_eq!(BackendStatus::from_bag(&bag), BackendStatus::Ready(backend));
//! ```

use std::collections::BTreeMap;
use std::fmt;

use databag::{fields, Bag, FieldError, FieldErrorKind, PyJson, Readiness, Secret};
use juju::UnitName;
use serde_json::Value;

pub use databag::changed_keys;

const NAME: &str = "_name";
const CONFIGURATION: &str = "_configuration_data";
const AUTHENTICATION: &str = "_authentication_data";

/// One share back end, as a plugin announces it.
#[derive(Clone, PartialEq, Eq)]
pub struct Backend {
    pub name: String,
    /// Config file path and the text the principal adds to that file, in the order the
    /// plugin sends them (read back in path order).
    pub files: Vec<(String, String)>,
    /// The plugin's own completeness flag, when it sends one (manila-ganesha does,
    /// manila-generic never).
    pub complete: Option<bool>,
}

impl Backend {
    pub fn new(name: impl Into<String>) -> Self {
        Backend {
            name: name.into(),
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

    /// The text this back end adds to `path`.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, text)| text.as_str())
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
            (NAME.into(), self.name.clone()),
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

/// What the principal knows of one plugin unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendStatus {
    /// Name and configuration received and well-formed.
    Ready(Backend),
    /// The plugin has not sent `missing` yet.
    Waiting { missing: Vec<String> },
    /// The plugin sent something that is not a back end.
    Invalid(FieldError),
}

impl BackendStatus {
    /// The principal's reading of one plugin unit's bag.
    pub fn from_bag(bag: &Bag) -> Self {
        let name = fields::text(bag, NAME);
        let configuration = fields::text(bag, CONFIGURATION);
        let (Some(name), Some(configuration)) = (name, configuration) else {
            let missing = [
                (NAME, name.is_none()),
                (CONFIGURATION, configuration.is_none()),
            ]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(|(key, _)| key.to_owned())
            .collect();
            return BackendStatus::Waiting { missing };
        };
        match parse_configuration(name, configuration) {
            Ok(backend) => BackendStatus::Ready(backend),
            Err(e) => BackendStatus::Invalid(e),
        }
    }

    pub fn ready(&self) -> Option<&Backend> {
        match self {
            BackendStatus::Ready(backend) => Some(backend),
            _ => None,
        }
    }
}

fn parse_configuration(name: &str, text: &str) -> Result<Backend, FieldError> {
    let data = unwrap_data(CONFIGURATION, text)?;
    let mut backend = Backend::new(name);
    for (key, value) in data {
        match (key.as_str(), value) {
            ("complete", Value::Bool(complete)) => backend.complete = Some(complete),
            ("complete", _) => {
                return Err(FieldError::new(
                    CONFIGURATION,
                    FieldErrorKind::UnexpectedJson {
                        expected: r#""complete" to be true or false"#.to_owned(),
                    },
                ))
            }
            (_, Value::String(section)) => backend.files.push((key, section)),
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
    // serde_json's map order depends on a crate feature; path order is stable either way.
    backend.files.sort();
    Ok(backend)
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

    /// The ready back ends, one per name (the first unit in unit order wins: several units
    /// of one plugin application announce the same back end).
    pub fn ready(&self) -> Vec<&Backend> {
        let mut by_name: BTreeMap<&str, &Backend> = BTreeMap::new();
        for backend in self.units.values().filter_map(BackendStatus::ready) {
            by_name.entry(backend.name.as_str()).or_insert(backend);
        }
        by_name.into_values().collect()
    }

    /// The names of the ready back ends, sorted and de-duplicated (charm-manila's
    /// `enabled_share_backends` and `default-share-backend` check).
    pub fn names(&self) -> Vec<&str> {
        self.ready().iter().map(|b| b.name.as_str()).collect()
    }

    /// The sections the ready back ends add to `path`, in back-end name order.
    pub fn sections_for(&self, path: &str) -> Vec<&str> {
        self.ready().iter().filter_map(|b| b.file(path)).collect()
    }

    /// Units whose payload is malformed, for the caller to log.
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
        let Some(text) = fields::text(bag, AUTHENTICATION) else {
            return Ok(Readiness::waiting_for([AUTHENTICATION]));
        };
        let data = unwrap_data(AUTHENTICATION, text)?;
        let mut missing = Vec::new();
        let mut value = |keys: &[&str]| -> Result<Option<String>, FieldError> {
            for key in keys {
                match data.get(*key) {
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
