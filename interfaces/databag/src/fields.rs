//! Readers for the value shapes the OpenStack charms publish.
//!
//! Every reader treats a missing key and an empty value alike (`Ok(None)`), and a present but
//! malformed value as a [`FieldError`] naming the key. Every value is one line: a line break
//! or another control character is malformed wherever a reader expects text, so that nothing
//! read here can add a line to the files it ends up in; [`raw`] is for the few values that
//! are multi-line by design (PEM text some charms send unencoded).

use std::fmt;
use std::net::IpAddr;

use base64::Engine as _;
use juju::UnitName;

use crate::{Bag, FieldError, FieldErrorKind};

/// The value of `key` as it is, or `None` when it is absent or empty: for values that may
/// span lines. Everything else reads through [`text`].
pub fn raw<'a>(bag: &'a Bag, key: &str) -> Option<&'a str> {
    bag.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

/// The longest value a reader takes, in bytes: far more than any name, address, password or
/// certificate the OpenStack charms send, and what Juju keeps in one value of unit state.
pub const MAX_VALUE: usize = 64 * 1024;

/// The value of `key`, or `None` when it is absent or empty; a value with a line break, a
/// tab or another control character, or longer than [`MAX_VALUE`], is malformed.
pub fn text<'a>(bag: &'a Bag, key: &str) -> Result<Option<&'a str>, FieldError> {
    match raw(bag, key) {
        Some(value) if value.len() > MAX_VALUE => Err(too_long(key, value)),
        Some(value) if value.chars().any(breaks_a_line) => {
            Err(FieldError::new(key, FieldErrorKind::ControlCharacter))
        }
        value => Ok(value),
    }
}

fn too_long(key: &str, value: &str) -> FieldError {
    FieldError::new(
        key,
        FieldErrorKind::TooLong {
            len: value.len(),
            max: MAX_VALUE,
        },
    )
}

/// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
fn breaks_a_line(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// A TCP port. Python charms publish ints, which Juju turns into their decimal text.
pub fn port(bag: &Bag, key: &str) -> Result<Option<u16>, FieldError> {
    let Some(value) = text(bag, key)? else {
        return Ok(None);
    };
    match value.parse::<u16>() {
        Ok(port) if port != 0 => Ok(Some(port)),
        _ => Err(FieldError::new(
            key,
            FieldErrorKind::InvalidPort {
                value: value.to_owned(),
            },
        )),
    }
}

/// A whole number (timeouts, API versions).
pub fn number(bag: &Bag, key: &str) -> Result<Option<u64>, FieldError> {
    let Some(value) = text(bag, key)? else {
        return Ok(None);
    };
    value.parse().map(Some).map_err(|_| {
        FieldError::new(
            key,
            FieldErrorKind::InvalidNumber {
                value: value.to_owned(),
            },
        )
    })
}

/// A host name or IP address.
pub fn host(bag: &Bag, key: &str) -> Result<Option<Host>, FieldError> {
    text(bag, key)?
        .map(|value| Host::parse(key, value))
        .transpose()
}

/// A boolean as the Python charms spell it: `True`/`False` (`str(bool)`), `true`/`false`,
/// `yes`/`no`, in any case.
pub fn flag(bag: &Bag, key: &str) -> Result<Option<bool>, FieldError> {
    let Some(value) = text(bag, key)? else {
        return Ok(None);
    };
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" => Ok(Some(true)),
        "false" | "no" => Ok(Some(false)),
        _ => Err(FieldError::new(
            key,
            FieldErrorKind::InvalidFlag {
                value: value.to_owned(),
            },
        )),
    }
}

/// Base64-encoded UTF-8 text, decoded: how the charms ship certificates and keys.
pub fn base64_text(bag: &Bag, key: &str) -> Result<Option<String>, FieldError> {
    let Some(value) = raw(bag, key) else {
        return Ok(None);
    };
    if value.len() > MAX_VALUE {
        return Err(too_long(key, value));
    }
    let invalid = |reason: String| FieldError::new(key, FieldErrorKind::InvalidBase64 { reason });
    // Python's b64encode output has no line breaks, but PEM-minded peers may wrap it.
    let compact: String = value.split_ascii_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| invalid(e.to_string()))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| invalid("decoded bytes are not UTF-8 text".into()))
}

/// What a PEM value must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemKind {
    /// One or more `CERTIFICATE` blocks (a certificate, a chain, a CA bundle).
    Certificates,
    /// One private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`).
    PrivateKey,
}

impl PemKind {
    fn expected(self) -> &'static str {
        match self {
            PemKind::Certificates => "certificates",
            PemKind::PrivateKey => "a private key",
        }
    }
}

/// Base64-encoded PEM ([`base64_text`]), checked to hold `kind` and nothing else: the CA,
/// certificate and key the database and broker charms send, which become files the services
/// read. Never quotes the value (a key is secret).
pub fn base64_pem(bag: &Bag, key: &str, kind: PemKind) -> Result<Option<String>, FieldError> {
    let Some(text) = base64_text(bag, key)? else {
        return Ok(None);
    };
    let invalid = |reason: String| {
        FieldError::new(
            key,
            FieldErrorKind::InvalidPem {
                expected: kind.expected(),
                reason,
            },
        )
    };
    let blocks = pem::parse_many(&text).map_err(|e| invalid(e.to_string()))?;
    let labels_fit = match kind {
        PemKind::Certificates => blocks.iter().all(|b| b.tag() == "CERTIFICATE"),
        PemKind::PrivateKey => blocks.len() == 1 && blocks[0].tag().ends_with("PRIVATE KEY"),
    };
    if blocks.is_empty() || !labels_fit {
        let found: Vec<&str> = blocks.iter().map(pem::Pem::tag).collect();
        return Err(invalid(if found.is_empty() {
            "no PEM block".to_owned()
        } else {
            format!("found {}", found.join(", "))
        }));
    }
    Ok(Some(text))
}

/// The base64 form [`base64_text`] reads, as Python's `base64.b64encode` writes it.
pub fn encode_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A space-separated list of unit names, e.g. mysql's `allowed_units`.
pub fn unit_list(bag: &Bag, key: &str) -> Result<Option<Vec<UnitName>>, FieldError> {
    let Some(value) = text(bag, key)? else {
        return Ok(None);
    };
    value
        .split_ascii_whitespace()
        .map(|unit| {
            unit.parse().map_err(|e: juju::NameError| {
                FieldError::new(
                    key,
                    FieldErrorKind::InvalidUnitName {
                        reason: e.to_string(),
                    },
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A host name or IP address a peer published, checked so that it cannot smuggle anything
/// else (spaces, newlines, URL syntax) into the configuration files it ends up in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Host(String);

impl Host {
    /// Parses the value of relation key `key`.
    pub fn parse(key: &str, value: &str) -> Result<Host, FieldError> {
        let is_name = |s: &str| {
            s.len() <= 253
                && s.split('.').all(|label| {
                    !label.is_empty()
                        && !label.starts_with('-')
                        && label
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
        };
        if value.parse::<IpAddr>().is_ok() || is_name(value) {
            Ok(Host(value.to_owned()))
        } else {
            Err(FieldError::new(
                key,
                FieldErrorKind::InvalidHost {
                    value: value.to_owned(),
                },
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form a URL's authority needs: IPv6 addresses in brackets, anything else as is.
    pub fn url_form(&self) -> String {
        if self.0.contains(':') {
            format!("[{}]", self.0)
        } else {
            self.0.clone()
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
