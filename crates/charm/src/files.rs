//! Rendered files, and the hash of what was written that unit state remembers.

use host::FileSpec;
use sha1::{Digest, Sha1};

/// A file the charm wants on the machine, already rendered (see
/// [`Templates::render`](crate::Templates::render)); [`Context::write_files`]
/// (crate::Context::write_files) puts it there.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Absolute machine path, e.g. `/etc/example/greeter.conf`.
    pub path: String,
    pub content: String,
    pub spec: FileSpec,
}

/// The path, size and ownership, not the content: a configuration file carries passwords.
impl std::fmt::Debug for RenderedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedFile")
            .field("path", &self.path)
            .field("bytes", &self.content.len())
            .field("spec", &self.spec)
            .finish()
    }
}

/// The hex SHA-1 of `content`, as remembered in unit state.
pub(crate) fn content_hash(content: &[u8]) -> String {
    Sha1::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha1() {
        assert_eq!(
            content_hash(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}
