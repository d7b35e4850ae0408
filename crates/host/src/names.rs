//! Checks on names that end up as command arguments, so that none can be read as an option, a
//! glob or a path by the command receiving it.

use crate::error::{HostError, NameKind};

/// Debian policy §5.6.1: lower-case letters, digits, `+ - .`, at least two characters, starting
/// with an alphanumeric.
pub(crate) fn package(name: &str) -> Result<&str, HostError> {
    let mut chars = name.chars();
    let valid = name.len() >= 2
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    check(valid, NameKind::Package, name)
}

/// The union of systemd unit name characters and init script names, starting with an
/// alphanumeric (so never an option) and without `/` (so never a path).
pub(crate) fn service(name: &str) -> Result<&str, HostError> {
    let mut chars = name.chars();
    let valid = name.len() <= 255
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || ":_.@-+\\".contains(c));
    check(valid, NameKind::Service, name)
}

/// What Debian's `useradd`/`groupadd` accept for system accounts: `[a-z_][a-z0-9_-]*[$]?`, at
/// most 32 characters.
pub(crate) fn account(kind: NameKind, name: &str) -> Result<&str, HostError> {
    let body = name.strip_suffix('$').unwrap_or(name);
    let mut chars = body.chars();
    let valid = name.len() <= 32
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    check(valid, kind, name)
}

fn check(valid: bool, kind: NameKind, name: &str) -> Result<&str, HostError> {
    if valid {
        Ok(name)
    } else {
        Err(HostError::InvalidName {
            kind,
            name: name.to_owned(),
        })
    }
}
