//! Names Juju hands to hooks, parsed once at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A name that did not parse, with what it was expected to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: {reason}")]
pub struct NameError {
    what: &'static str,
    value: String,
    reason: &'static str,
}

impl NameError {
    fn new(what: &'static str, value: &str, reason: &'static str) -> Self {
        NameError {
            what,
            value: value.to_owned(),
            reason,
        }
    }
}

/// An application name, e.g. `manila` or `manila-generic-backend`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AppName(String);

impl AppName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AppName {
    type Err = NameError;

    /// Juju's rule: lowercase letters, digits and hyphens, starting with a letter, no segment
    /// that is only digits, not ending in a hyphen.
    fn from_str(s: &str) -> Result<Self, NameError> {
        let what = "application name";
        if s.is_empty() {
            return Err(NameError::new(what, s, "empty"));
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(NameError::new(
                what,
                s,
                "must start with a lowercase letter",
            ));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(NameError::new(
                what,
                s,
                "only lowercase letters, digits and '-' allowed",
            ));
        }
        if s.split('-')
            .any(|seg| seg.is_empty() || seg.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(NameError::new(what, s, "empty or all-digit segment"));
        }
        Ok(AppName(s.to_owned()))
    }
}

impl TryFrom<String> for AppName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, NameError> {
        s.parse()
    }
}

impl From<AppName> for String {
    fn from(a: AppName) -> String {
        a.0
    }
}

impl fmt::Display for AppName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unit name, e.g. `manila/0`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitName {
    app: AppName,
    number: u32,
}

impl UnitName {
    pub fn new(app: AppName, number: u32) -> Self {
        UnitName { app, number }
    }

    pub fn app(&self) -> &AppName {
        &self.app
    }

    pub fn number(&self) -> u32 {
        self.number
    }

    /// The form haproxy and the OpenStack charms use in host-like places: `manila-0`.
    pub fn dashed(&self) -> String {
        format!("{}-{}", self.app, self.number)
    }
}

impl FromStr for UnitName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, NameError> {
        let what = "unit name";
        let Some((app, number)) = s.split_once('/') else {
            return Err(NameError::new(what, s, "expected <application>/<number>"));
        };
        let app = app
            .parse()
            .map_err(|_| NameError::new(what, s, "bad application part"))?;
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(NameError::new(what, s, "bad unit number"));
        }
        let number = number
            .parse()
            .map_err(|_| NameError::new(what, s, "unit number too large"))?;
        Ok(UnitName { app, number })
    }
}

impl TryFrom<String> for UnitName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, NameError> {
        s.parse()
    }
}

impl From<UnitName> for String {
    fn from(u: UnitName) -> String {
        u.to_string()
    }
}

impl fmt::Display for UnitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.app, self.number)
    }
}

/// A relation id as Juju prints it: `<endpoint>:<id>`, e.g. `shared-db:7`.
///
/// Juju only parses the number after the last `:`; the endpoint travels with the id so that
/// every `-r` we send is the full form ops sends too.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RelationId {
    endpoint: String,
    id: u32,
}

impl RelationId {
    pub fn new(endpoint: impl Into<String>, id: u32) -> Self {
        RelationId {
            endpoint: endpoint.into(),
            id,
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn id(&self) -> u32 {
        self.id
    }
}

impl FromStr for RelationId {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, NameError> {
        let what = "relation id";
        let Some((endpoint, id)) = s.rsplit_once(':') else {
            return Err(NameError::new(what, s, "expected <endpoint>:<id>"));
        };
        if endpoint.is_empty() {
            return Err(NameError::new(what, s, "empty endpoint"));
        }
        let id = id
            .parse()
            .map_err(|_| NameError::new(what, s, "id is not a number"))?;
        Ok(RelationId {
            endpoint: endpoint.to_owned(),
            id,
        })
    }
}

impl TryFrom<String> for RelationId {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, NameError> {
        s.parse()
    }
}

impl From<RelationId> for String {
    fn from(r: RelationId) -> String {
        r.to_string()
    }
}

impl fmt::Display for RelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.endpoint, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_parse_and_print() {
        let u: UnitName = "manila-generic-backend/12".parse().unwrap();
        assert_eq!(u.app().as_str(), "manila-generic-backend");
        assert_eq!(u.number(), 12);
        assert_eq!(u.to_string(), "manila-generic-backend/12");
        assert_eq!(u.dashed(), "manila-generic-backend-12");
    }

    #[test]
    fn bad_unit_names_are_refused() {
        for bad in [
            "manila",
            "manila/",
            "manila/x",
            "Manila/0",
            "/0",
            "manila/-1",
            "9a/0",
            "a-1/0",
        ] {
            assert!(bad.parse::<UnitName>().is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn relation_ids_take_the_number_after_the_last_colon() {
        let r: RelationId = "shared-db:7".parse().unwrap();
        assert_eq!((r.endpoint(), r.id()), ("shared-db", 7));
        assert_eq!(r.to_string(), "shared-db:7");
        assert!("7".parse::<RelationId>().is_err());
        assert!("db:x".parse::<RelationId>().is_err());
        assert!(":3".parse::<RelationId>().is_err());
    }

    #[test]
    fn app_names_follow_juju_rules() {
        assert!("keystone".parse::<AppName>().is_ok());
        assert!("mysql-router-2a".parse::<AppName>().is_ok());
        for bad in ["", "1app", "app_", "app-", "app-12", "App"] {
            assert!(bad.parse::<AppName>().is_err(), "{bad} parsed");
        }
    }
}
