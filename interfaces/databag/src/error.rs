use std::fmt;

use juju::UnitName;

/// A value quoted for a message an operator reads (a status, a log line): in double quotes,
/// control characters escaped (`"a\nb"`), and cut after 64 characters with its size said, so
/// that a hostile value can neither break the message's line nor fill it.
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 64;
        match self.0.char_indices().nth(SHOWN) {
            None => write!(f, "{:?}", self.0),
            Some((cut, _)) => {
                let shown = format!("{:?}", &self.0[..cut]);
                write!(
                    f,
                    "{}...\" ({} bytes)",
                    shown.trim_end_matches('"'),
                    self.0.len()
                )
            }
        }
    }
}

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
    #[error("expected a TCP port number (1-65535), got {}", Quoted(value))]
    InvalidPort { value: String },
    /// Neither an IP address nor a host name.
    #[error("expected a host name or IP address, got {}", Quoted(value))]
    InvalidHost { value: String },
    /// Not one of the boolean spellings the Python charms write.
    #[error("expected a boolean (true/false/yes/no), got {}", Quoted(value))]
    InvalidFlag { value: String },
    /// Not a whole number.
    #[error("expected a whole number, got {}", Quoted(value))]
    InvalidNumber { value: String },
    /// Not base64, or not UTF-8 text once decoded.
    #[error("expected base64-encoded text: {reason}")]
    InvalidBase64 { reason: String },
    /// A unit name in a unit list did not parse.
    #[error("expected space-separated unit names: {reason}")]
    InvalidUnitName { reason: String },
    /// Not one of a fixed set of words.
    #[error("expected {expected}, got {}", Quoted(value))]
    NotOneOf {
        expected: &'static str,
        value: String,
    },
    /// Longer than any value of its kind.
    #[error("is {len} bytes long; at most {max} are taken")]
    TooLong { len: usize, max: usize },
    /// A line break, a tab or another control character where one line of text belongs.
    /// The value is not quoted: it may be a password.
    #[error("contains a line break or another control character")]
    ControlCharacter,
    /// Base64 that does not decode to the PEM blocks expected.
    #[error("expected {expected} in PEM form: {reason}")]
    InvalidPem {
        expected: &'static str,
        reason: String,
    },
    /// A value the interface defines a syntax for (a name, INI text) that breaks it; the
    /// reason names what is wrong without repeating secrets.
    #[error("{reason}")]
    Refused { reason: String },
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
