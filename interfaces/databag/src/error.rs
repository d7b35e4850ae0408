use juju::UnitName;

/// A value a peer published that cannot be what the interface says it is.
///
/// The message names the key and the expectation. It quotes the value only for kinds whose
/// values are never secret (ports, hosts, flags, numbers): passwords, certificates and JSON
/// payloads that carry credentials are never repeated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("relation key `{key}`: {kind}")]
pub struct FieldError {
    key: String,
    kind: FieldErrorKind,
}

impl FieldError {
    pub fn new(key: impl Into<String>, kind: FieldErrorKind) -> Self {
        FieldError {
            key: key.into(),
            kind,
        }
    }

    /// The relation key whose value is malformed.
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn kind(&self) -> &FieldErrorKind {
        &self.kind
    }

    /// The same error, said of `unit`.
    pub fn from_unit(self, unit: &UnitName) -> UnitError {
        UnitError {
            unit: unit.clone(),
            error: self,
        }
    }
}

/// What was wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldErrorKind {
    /// Not a TCP port number.
    #[error("expected a TCP port number (1-65535), got {value:?}")]
    InvalidPort { value: String },
    /// Neither an IP address nor a host name.
    #[error("expected a host name or IP address, got {value:?}")]
    InvalidHost { value: String },
    /// Not one of the boolean spellings the Python charms write.
    #[error("expected a boolean (true/false/yes/no), got {value:?}")]
    InvalidFlag { value: String },
    /// Not a whole number.
    #[error("expected a whole number, got {value:?}")]
    InvalidNumber { value: String },
    /// Not base64, or not UTF-8 text once decoded.
    #[error("expected base64-encoded text: {reason}")]
    InvalidBase64 { reason: String },
    /// A unit name in a unit list did not parse.
    #[error("expected space-separated unit names: {reason}")]
    InvalidUnitName { reason: String },
    /// Not one of a fixed set of words.
    #[error("expected {expected}, got {value:?}")]
    NotOneOf {
        expected: &'static str,
        value: String,
    },
    /// Text that does not parse as JSON.
    #[error("invalid JSON: {reason}")]
    InvalidJson { reason: String },
    /// Valid JSON of the wrong shape.
    #[error("unexpected JSON: expected {expected}")]
    UnexpectedJson { expected: String },
}

/// A [`FieldError`] in the bag of a named remote unit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unit {unit}: {error}")]
pub struct UnitError {
    pub unit: UnitName,
    pub error: FieldError,
}
