//! Section and option names that come from outside the charm.

use std::fmt;

/// A name that is not one of [`SectionName`] or [`Key`]. The value is quoted escaped (a
/// line break in it shows as `\n`) and cut when long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a valid {what}: use up to {MAX_NAME} letters, digits, '_', '-' and '.'", shown(.value))]
pub struct NameError {
    pub value: String,
    pub what: &'static str,
}

/// The longest name, in bytes.
pub const MAX_NAME: usize = 255;

/// `value` quoted for a message: escaped, and cut after 64 characters.
fn shown(value: &str) -> String {
    match value.char_indices().nth(64) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}... ({} bytes)", &value[..cut], value.len()),
    }
}

fn check(value: &str, what: &'static str) -> Result<(), NameError> {
    let valid = !value.is_empty()
        && value.len() <= MAX_NAME
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Ok(())
    } else {
        Err(NameError {
            value: value.to_owned(),
            what,
        })
    }
}

/// A section name: `[A-Za-z0-9_.-]+`, so that `[<name>]` is one line that every INI parser
/// reads as that section.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SectionName(String);

impl SectionName {
    pub fn new(value: &str) -> Result<SectionName, NameError> {
        check(value, "section name")?;
        Ok(SectionName(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for SectionName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An option name: `[A-Za-z0-9_.-]+`, so that `<key> = ` can neither start a section, a
/// comment or a continuation line, nor end before the `=`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(String);

impl Key {
    pub fn new(value: &str) -> Result<Key, NameError> {
        check(value, "option name")?;
        Ok(Key(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
