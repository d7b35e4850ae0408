//! Readers for the value shapes the OpenStack charms publish.
//!
//! Every reader treats a missing key and an empty value alike (`Ok(None)`), and a present but
//! malformed value as a [`FieldError`] naming the key.

use std::fmt;
use std::net::IpAddr;

use base64::Engine as _;
use juju::UnitName;

use crate::{Bag, FieldError, FieldErrorKind};

/// The value of `key`, or `None` when it is absent or empty.
pub fn text<'a>(bag: &'a Bag, key: &str) -> Option<&'a str> {
    bag.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

/// A TCP port. Python charms publish ints, which Juju turns into their decimal text.
pub fn port(bag: &Bag, key: &str) -> Result<Option<u16>, FieldError> {
    let Some(value) = text(bag, key) else {
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
    let Some(value) = text(bag, key) else {
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
    text(bag, key)
        .map(|value| Host::parse(key, value))
        .transpose()
}

/// A boolean as the Python charms spell it: `True`/`False` (`str(bool)`), `true`/`false`,
/// `yes`/`no`, in any case.
pub fn flag(bag: &Bag, key: &str) -> Result<Option<bool>, FieldError> {
    let Some(value) = text(bag, key) else {
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
    let Some(value) = text(bag, key) else {
        return Ok(None);
    };
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

/// The base64 form [`base64_text`] reads, as Python's `base64.b64encode` writes it.
pub fn encode_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A space-separated list of unit names, e.g. mysql's `allowed_units`.
pub fn unit_list(bag: &Bag, key: &str) -> Result<Option<Vec<UnitName>>, FieldError> {
    let Some(value) = text(bag, key) else {
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
