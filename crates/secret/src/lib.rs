//! [`Secret`]: passwords, tokens and private keys, whichever side of the workspace holds them.
//! The relation codecs read them from databags (`databag` re-exports the type), the charms
//! keep them in their configuration, and `manila-client` sends them to Keystone and Manila;
//! this crate depends on nothing so that each of those can use the one type without the
//! others.

use std::fmt;

/// A value that must not reach a log: a password, a token, a private key. `Debug` shows `<redacted>`, there is no `Display`, and the text is reached only
/// through [`Secret::expose`], so that every use is a visible decision.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}
