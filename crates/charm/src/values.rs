//! Types options are read into beyond `bool`, numbers and a charm's own `FromStr` types: each
//! holds only a value a configuration file can take, and says why it refuses one without
//! repeating a secret. Use them as option field types (`Option<Text>`, `Option<HostAddress>`)
//! or readers (`#[option(with = values::password)]`); [`checked_text!`](crate::checked_text)
//! declares a charm's own vocabulary the same way.

use std::fmt::Display;
use std::net::{IpAddr, Ipv4Addr};

use databag::{Quoted, Secret};
use serde::{Serialize, Serializer};

use crate::config::{ConfigError, RawConfig};

/// Declares string option types, each read by a check (`fn(&str) -> Result<String, String>`
/// given the value) that returns the text to write or why there is none.
///
/// ```
/// charm::checked_text! {
///     /// `http` or `https`.
///     Transport = |s| charm::values::one_of(s, &["http", "https"]);
/// }
/// assert_eq!("HTTPS".parse::<Transport>().unwrap().as_str(), "https");
/// assert!("ftp".parse::<Transport>().is_err());
/// ```
#[macro_export]
macro_rules! checked_text {
    ($($(#[$doc:meta])* $name:ident = $check:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        /// As the text it holds.
        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let check: fn(&str) -> Result<String, String> = $check;
                check(s).map($name)
            }
        }
    )*};
}

checked_text! {
    /// One line of text that oslo.config reads back as itself.
    Text = text;
    /// A host name or an IP address.
    HostAddress = host;
    /// IP addresses and ranges of them, comma-separated.
    IpRanges = |s| list(s, ip_range);
    /// A prefix length or an IPv4 netmask.
    Netmask = netmask;
}

/// The longest free text taken: a back end's whole text must fit in one relation value.
const MAX_TEXT: usize = 1024;

/// One line of at most 1 KiB that oslo.config reads back as itself.
pub fn text(s: &str) -> Result<String, String> {
    ini::Dialect::Oslo.escape(s).map_err(|e| e.to_string())?;
    match s.len() {
        0 => Err("is blank".to_owned()),
        n if n > MAX_TEXT => Err(format!("is {n} bytes long; at most {MAX_TEXT} are taken")),
        _ => Ok(s.to_owned()),
    }
}

/// A host name or an IP address, as relation data takes it.
pub fn host(s: &str) -> Result<String, String> {
    let host = databag::Host::parse("", s).map_err(|e| e.kind().to_string())?;
    Ok(host.to_string())
}

/// `s` if `valid`, else why not: `expected <what>, got "<s>"`.
pub fn expect(valid: bool, s: &str, what: &str) -> Result<String, String> {
    if valid {
        Ok(s.to_owned())
    } else {
        Err(format!("expected {what}, got {}", Quoted(s)))
    }
}

/// One of `words`, in any case; written in lower case.
pub fn one_of(s: &str, words: &[&str]) -> Result<String, String> {
    let word = s.to_ascii_lowercase();
    let valid = words.contains(&word.as_str());
    expect(valid, s, &format!("one of {}", words.join(", "))).map(|_| word)
}

/// A comma-separated list of at least one item, each checked by `item`.
pub fn list(s: &str, item: fn(&str) -> Result<String, String>) -> Result<String, String> {
    let items: Result<Vec<String>, String> = s.split(',').map(|i| item(i.trim())).collect();
    Ok(items?.join(","))
}

/// An IP address, or a range of them (`a-b`, one family, in order).
pub fn ip_range(s: &str) -> Result<String, String> {
    let (first, last) = s.split_once('-').unwrap_or((s, s));
    let valid = matches!((first.parse::<IpAddr>(), last.parse::<IpAddr>()),
        (Ok(a), Ok(b)) if a.is_ipv4() == b.is_ipv4() && a <= b);
    expect(valid, s, "an IP address or a range of them (a-b)")
}

/// A prefix length (0-128) or a contiguous IPv4 netmask.
pub fn netmask(s: &str) -> Result<String, String> {
    let contiguous =
        |mask: Ipv4Addr| u32::from(mask).leading_ones() == u32::from(mask).count_ones();
    let valid = matches!(s.parse::<u8>(), Ok(0..=128)) || s.parse().is_ok_and(contiguous);
    expect(valid, s, "a prefix length or a netmask")
}

/// A password option, kept as typed (blanks included), one line, and never shown.
pub fn password(raw: &RawConfig, option: &str) -> Result<Option<Secret>, ConfigError> {
    let value = raw.optional_string(option)?;
    if let Some(Err(e)) = value.as_deref().map(|v| text(v.trim()).and(text(v))) {
        return Err(ConfigError::new(option, e));
    }
    Ok(value.map(Secret::from))
}

/// Serializes an optional value as its text (`#[serde(serialize_with = ...)]`).
pub fn display<S: Serializer>(v: &Option<impl Display>, s: S) -> Result<S::Ok, S::Error> {
    v.as_ref().map(ToString::to_string).serialize(s)
}

/// Serializes a password itself: for a template's context only.
pub fn expose<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    v.as_ref().map(Secret::expose).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_refused_with_the_reason() {
        assert_eq!(
            "a\nb".parse::<Text>().unwrap_err(),
            "contains a line break or another control character"
        );
        assert_eq!(
            "10.0.0.1-10.0.0.9, 10.0.1.1"
                .parse::<IpRanges>()
                .unwrap()
                .as_str(),
            "10.0.0.1-10.0.0.9,10.0.1.1"
        );
        assert!("10.0.0.9-10.0.0.1".parse::<IpRanges>().is_err());
        assert!("255.255.0.0".parse::<Netmask>().is_ok());
        assert!("255.0.255.0".parse::<Netmask>().is_err());
        assert_eq!(
            one_of("gopher", &["http", "https"]).unwrap_err(),
            "expected one of http, https, got \"gopher\""
        );
    }
}
