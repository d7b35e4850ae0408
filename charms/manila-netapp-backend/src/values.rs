//! The types the options are read into, beyond the toolkit's own (`bool`, numbers, `FromStr`
//! types): each holds only a value manila.conf can take, and says why it refuses one without
//! repeating a secret. Nothing here is NetApp's but the vocabularies: candidates for
//! `charm::config`.

use std::fmt::Display;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use charm::config::{ConfigError, RawConfig};
use databag::{Quoted, Secret};
use serde::{Serialize, Serializer};

/// A string option's type, read by `$check` (a `fn(&str) -> Result<String, String>` given the
/// trimmed value), which returns the value to write or why there is none.
macro_rules! checked {
    ($($(#[$doc:meta])* $name:ident = $check:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $check(s).map($name)
            }
        }
    )*};
}

checked! {
    /// One line of text that oslo.config reads back as itself.
    Text = text;
    /// An ONTAP object's name (an SVM, an aggregate, a volume).
    OntapName = ontap_name;
    /// A host name or an IP address.
    HostAddress = host;
    /// `http` or `https`.
    Transport = |s| one_of(s, &["http", "https"]);
    /// A network type of Manila's standalone network plugin.
    NetworkType = |s| one_of(s, &["flat", "vlan", "vxlan", "gre"]);
    /// NFS versions, comma-separated.
    NfsVersions = |s: &str| list(s, |v| one_of(v, &["nfs3", "nfs4.0", "nfs4.1"]));
    /// IP addresses and ranges of them, comma-separated.
    IpRanges = |s: &str| list(s, ip_range);
    /// A prefix length or a netmask.
    Netmask = netmask;
}

/// The longest free text taken: the back end's whole text must fit in one relation value.
const MAX_TEXT: usize = 1024;

fn text(s: &str) -> Result<String, String> {
    ini::Dialect::Oslo.escape(s).map_err(|e| e.to_string())?;
    match s.len() {
        0 => Err("is blank".to_owned()),
        n if n > MAX_TEXT => Err(format!("is {n} bytes long; at most {MAX_TEXT} are taken")),
        _ => Ok(s.to_owned()),
    }
}

fn host(s: &str) -> Result<String, String> {
    let host = databag::Host::parse("", s).map_err(|e| e.kind().to_string())?;
    Ok(host.to_string())
}

/// `s` if `valid`, else why not: `expected <what>, got "<s>"`.
fn expect(valid: bool, s: &str, what: &str) -> Result<String, String> {
    match valid {
        true => Ok(s.to_owned()),
        false => Err(format!("expected {what}, got {}", Quoted(s))),
    }
}

fn ontap_name(s: &str) -> Result<String, String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let valid = (1..=255).contains(&s.len()) && s.chars().all(ok) && !s.starts_with(['-', '.']);
    expect(valid, s, "a name of letters, digits, '_', '-' and '.'")
}

fn one_of(s: &str, words: &[&str]) -> Result<String, String> {
    let word = s.to_ascii_lowercase();
    let valid = words.contains(&word.as_str());
    expect(valid, s, &format!("one of {}", words.join(", "))).map(|_| word)
}

/// A comma-separated list of at least one item, each checked by `item`.
fn list(s: &str, item: fn(&str) -> Result<String, String>) -> Result<String, String> {
    let items: Result<Vec<String>, String> = s.split(',').map(|i| item(i.trim())).collect();
    Ok(items?.join(","))
}

fn ip_range(s: &str) -> Result<String, String> {
    let (first, last) = s.split_once('-').unwrap_or((s, s));
    let valid = matches!((first.parse::<IpAddr>(), last.parse::<IpAddr>()),
        (Ok(a), Ok(b)) if a.is_ipv4() == b.is_ipv4() && a <= b);
    expect(valid, s, "an IP address or a range of them (a-b)")
}

fn netmask(s: &str) -> Result<String, String> {
    let contiguous =
        |mask: Ipv4Addr| u32::from(mask).leading_ones() == u32::from(mask).count_ones();
    let valid = matches!(s.parse::<u8>(), Ok(0..=128)) || s.parse().is_ok_and(contiguous);
    expect(valid, s, "a prefix length or a netmask")
}

/// The password, kept as typed (blanks included) and never shown.
pub(crate) fn password(raw: &RawConfig, option: &str) -> Result<Option<Secret>, ConfigError> {
    let value = raw.optional_string(option)?;
    if let Some(Err(e)) = value.as_deref().map(|v| text(v.trim()).and(text(v))) {
        return Err(ConfigError::new(option, e));
    }
    Ok(value.map(Secret::from))
}

/// Serializes an optional value as its text.
pub(crate) fn display<S: Serializer>(v: &Option<impl Display>, s: S) -> Result<S::Ok, S::Error> {
    v.as_ref().map(ToString::to_string).serialize(s)
}

/// Serializes the password itself: for the template only.
pub(crate) fn expose<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    v.as_ref().map(Secret::expose).serialize(s)
}
