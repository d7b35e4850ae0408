//! Rendered files and the restart map: which services follow which files.

use host::FileSpec;
use sha1::{Digest, Sha1};

/// A file the charm wants on the machine, already rendered (see
/// [`Templates::render`](crate::Templates::render)); [`Context::write_files`]
/// (crate::Context::write_files) puts it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Absolute machine path, e.g. `/etc/example/greeter.conf`.
    pub path: String,
    pub content: String,
    pub spec: FileSpec,
}

/// One row of a restart map: when `file` changes, `services` restart.
///
/// ```
/// use charm::Restart;
/// const RESTART_MAP: &[Restart] = &[Restart {
///     file: "/etc/example/greeter.conf",
///     services: &["example-greeter"],
/// }];
/// let changed = ["/etc/example/greeter.conf".to_owned()];
/// assert_eq!(charm::services_to_restart(&changed, RESTART_MAP), ["example-greeter"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restart<'a> {
    pub file: &'a str,
    pub services: &'a [&'a str],
}

/// The services to restart because `changed` files changed: for each changed file in order,
/// its services in map order, each service once (first-seen order).
pub fn services_to_restart<'a>(changed: &[String], map: &[Restart<'a>]) -> Vec<&'a str> {
    let mut services: Vec<&'a str> = Vec::new();
    for file in changed {
        for row in map.iter().filter(|row| row.file == file) {
            for service in row.services {
                if !services.contains(service) {
                    services.push(service);
                }
            }
        }
    }
    services
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
    fn services_restart_once_in_first_seen_order() {
        const MAP: &[Restart] = &[
            Restart {
                file: "/etc/m/m.conf",
                services: &["m-api", "m-scheduler", "m-share"],
            },
            Restart {
                file: "/etc/m/api-paste.ini",
                services: &["m-api"],
            },
            Restart {
                file: "/etc/apache2/m.conf",
                services: &["apache2", "m-api"],
            },
        ];
        let changed =
            |files: &[&str]| -> Vec<String> { files.iter().map(|f| (*f).to_owned()).collect() };
        assert_eq!(
            services_to_restart(&changed(&["/etc/apache2/m.conf", "/etc/m/m.conf"]), MAP),
            ["apache2", "m-api", "m-scheduler", "m-share"]
        );
        assert_eq!(
            services_to_restart(&changed(&["/etc/m/api-paste.ini", "/etc/other"]), MAP),
            ["m-api"]
        );
        assert!(services_to_restart(&[], MAP).is_empty());
    }

    #[test]
    fn hashes_are_hex_sha1() {
        assert_eq!(
            content_hash(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}
