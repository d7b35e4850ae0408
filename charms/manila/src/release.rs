//! OpenStack releases: which one is installed (from `manila-common`'s version), where to
//! install from (`openstack-origin`), and which template directories a release reads.

use databag::Quoted;
use std::fmt;
use std::str::FromStr;

/// The releases this charm supports, in OpenStack order (not alphabetical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Release {
    Zed,
    Antelope,
    Bobcat,
    Caracal,
    Dalmatian,
    Epoxy,
    Flamingo,
}

/// Each release with the major version of Manila it ships.
const RELEASES: [(Release, &str, u32); 7] = [
    (Release::Zed, "zed", 15),
    (Release::Antelope, "antelope", 16),
    (Release::Bobcat, "bobcat", 17),
    (Release::Caracal, "caracal", 18),
    (Release::Dalmatian, "dalmatian", 19),
    (Release::Epoxy, "epoxy", 20),
    (Release::Flamingo, "flamingo", 21),
];

impl Release {
    pub const OLDEST: Release = Release::Zed;
    pub const NEWEST: Release = Release::Flamingo;

    pub fn name(self) -> &'static str {
        RELEASES
            .iter()
            .find(|(r, _, _)| *r == self)
            .map_or("unknown", |(_, name, _)| name)
    }

    /// The release a `manila-common` package version belongs to: `1:15.1.0-2` (Debian 12) is
    /// zed, `1:18.0.0-0ubuntu1` caracal.
    pub fn from_manila_version(version: &str) -> Result<Release, ReleaseError> {
        let upstream = upstream_version(version);
        let major: u32 = upstream
            .split(['.', '~', '+'])
            .next()
            .and_then(|m| m.parse().ok())
            .ok_or_else(|| ReleaseError::Unparsable(version.to_owned()))?;
        RELEASES
            .iter()
            .find(|(_, _, m)| *m == major)
            .map(|(r, _, _)| *r)
            .ok_or_else(|| ReleaseError::Unsupported {
                version: upstream.to_owned(),
                newer: major > 21,
            })
    }

    /// Template directories for this release, newest first: this release and every older
    /// supported one, so that a file changed in caracal is used from caracal on.
    pub fn template_search(self) -> Vec<&'static str> {
        RELEASES
            .iter()
            .rev()
            .filter(|(r, _, _)| *r <= self)
            .map(|(_, name, _)| *name)
            .collect()
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Release {
    type Err = String;

    fn from_str(s: &str) -> Result<Release, String> {
        RELEASES
            .iter()
            .find(|(_, name, _)| *name == s)
            .map(|(r, _, _)| *r)
            .ok_or_else(|| {
                format!(
                    "unknown or unsupported release '{s}' (supported: {} to {})",
                    Release::OLDEST,
                    Release::NEWEST
                )
            })
    }
}

/// The upstream part of a Debian version: no epoch, no Debian revision.
pub fn upstream_version(version: &str) -> &str {
    let without_epoch = version.split_once(':').map_or(version, |(_, rest)| rest);
    without_epoch
        .rsplit_once('-')
        .map_or(without_epoch, |(upstream, _)| upstream)
}

/// An installed Manila the charm cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    #[error("cannot tell the OpenStack release from manila-common version '{0}'")]
    Unparsable(String),
    #[error(
        "Unsupported OpenStack release: manila {version} is {}; this charm supports {} (manila 15) to {} (manila 21)",
        if *newer { "newer than flamingo" } else { "older than zed" },
        Release::OLDEST,
        Release::NEWEST
    )]
    Unsupported { version: String, newer: bool },
}

/// The `openstack-origin` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The operating system's own packages.
    Distro,
    /// A release: the OS's own packages when the OS ships it, else the cloud archive.
    Release(Release),
    /// `cloud:<series>-<release>[/<pocket>]`: the Ubuntu Cloud Archive.
    Cloud {
        series: String,
        release: Release,
        pocket: Pocket,
    },
}

impl Origin {
    /// The release this origin installs on `os`: `distro` means the one the OS ships
    /// (`None` when it ships none this charm supports, or the OS is unknown).
    pub fn release(&self, os: Option<&OsRelease>) -> Option<Release> {
        match self {
            Origin::Distro => os.and_then(OsRelease::distro_release),
            Origin::Release(release) | Origin::Cloud { release, .. } => Some(*release),
        }
    }
}

/// A pocket of the Ubuntu Cloud Archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pocket {
    Updates,
    Proposed,
}

impl FromStr for Origin {
    type Err = String;

    fn from_str(s: &str) -> Result<Origin, String> {
        let s = s.trim();
        if s == "distro" {
            return Ok(Origin::Distro);
        }
        let Some(cloud) = s.strip_prefix("cloud:") else {
            return s.parse().map(Origin::Release).map_err(|e| {
                format!(
                    "{} is not 'distro', a release or 'cloud:<series>-<release>': {e}",
                    Quoted(s)
                )
            });
        };
        let (name, pocket) = match cloud.split_once('/') {
            None | Some((_, "updates")) => {
                (cloud.split('/').next().unwrap_or(cloud), Pocket::Updates)
            }
            Some((name, "proposed")) => (name, Pocket::Proposed),
            Some((_, other)) => {
                return Err(format!(
                    "'{s}': unknown cloud archive pocket '{other}' (expected updates or proposed)"
                ))
            }
        };
        let (series, release) = name
            .split_once('-')
            .ok_or_else(|| format!("{} is not 'cloud:<series>-<release>'", Quoted(s)))?;
        if series.is_empty() || !series.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(format!(
                "{}: {} is not a series name",
                Quoted(s),
                Quoted(series)
            ));
        }
        Ok(Origin::Cloud {
            series: series.to_owned(),
            release: release.parse()?,
            pocket,
        })
    }
}

/// The parts of `/etc/os-release` that decide where packages come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsRelease {
    /// `ubuntu`, `debian`, ...
    pub id: String,
    /// `noble`, `bookworm`, ...
    pub codename: String,
}

impl OsRelease {
    /// Parses the text of `/etc/os-release`; `None` when it names no codename.
    pub fn parse(text: &str) -> Option<OsRelease> {
        let value = |key: &str| {
            text.lines()
                .filter_map(|line| line.split_once('='))
                .find(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
                .filter(|v| !v.is_empty())
        };
        Some(OsRelease {
            id: value("ID")?,
            codename: value("VERSION_CODENAME").or_else(|| value("UBUNTU_CODENAME"))?,
        })
    }

    /// The OpenStack release the OS itself ships, when it is one this charm supports.
    pub fn distro_release(&self) -> Option<Release> {
        match (self.id.as_str(), self.codename.as_str()) {
            ("debian", "bookworm") => Some(Release::Zed),
            ("debian", "trixie") => Some(Release::Epoxy),
            ("ubuntu", "noble") => Some(Release::Caracal),
            ("ubuntu", "oracular") => Some(Release::Dalmatian),
            ("ubuntu", "plucky") => Some(Release::Epoxy),
            ("ubuntu", "questing") => Some(Release::Flamingo),
            _ => None,
        }
    }
}

/// Where the charm's apt source file lives.
pub const CLOUD_ARCHIVE_LIST: &str = "/etc/apt/sources.list.d/cloud-archive.list";
/// Ubuntu's package with the cloud archive's signing key.
pub const CLOUD_ARCHIVE_KEYRING: &str = "ubuntu-cloud-keyring";

/// The apt source an origin needs on `os`: `Ok(None)` for the OS's own packages.
pub fn apt_source(origin: &Origin, os: &OsRelease) -> Result<Option<String>, String> {
    let (series, release, pocket) = match origin {
        Origin::Distro => return Ok(None),
        Origin::Release(release) if os.distro_release() == Some(*release) => return Ok(None),
        Origin::Release(release) => (os.codename.as_str(), *release, Pocket::Updates),
        Origin::Cloud {
            series,
            release,
            pocket,
        } => (series.as_str(), *release, *pocket),
    };
    if os.id != "ubuntu" {
        return Err(format!(
            "openstack-origin '{release}' needs the Ubuntu Cloud Archive, which {} {} does not \
             have; set openstack-origin to 'distro'",
            os.id, os.codename
        ));
    }
    let pocket = match pocket {
        Pocket::Updates => "updates",
        Pocket::Proposed => "proposed",
    };
    Ok(Some(format!(
        "# Managed by the manila charm (openstack-origin).\n\
         deb http://ubuntu-cloud.archive.canonical.com/ubuntu {series}-{pocket}/{release} main\n"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_follow_manila_majors() {
        assert_eq!(Release::from_manila_version("1:15.1.0-2"), Ok(Release::Zed));
        assert_eq!(
            Release::from_manila_version("1:18.0.0-0ubuntu1~cloud0"),
            Ok(Release::Caracal)
        );
        assert_eq!(
            Release::from_manila_version("21.0.0"),
            Ok(Release::Flamingo)
        );
        assert_eq!(
            Release::from_manila_version("1:14.0.0-0ubuntu1")
                .unwrap_err()
                .to_string(),
            "Unsupported OpenStack release: manila 14.0.0 is older than zed; this charm \
             supports zed (manila 15) to flamingo (manila 21)"
        );
        assert_eq!(
            Release::from_manila_version("1:22.0.0-1")
                .unwrap_err()
                .to_string(),
            "Unsupported OpenStack release: manila 22.0.0 is newer than flamingo; this charm \
             supports zed (manila 15) to flamingo (manila 21)"
        );
        assert!(matches!(
            Release::from_manila_version("garbage"),
            Err(ReleaseError::Unparsable(_))
        ));
    }

    #[test]
    fn templates_fall_back_to_older_releases() {
        assert_eq!(Release::Zed.template_search(), ["zed"]);
        assert_eq!(
            Release::Caracal.template_search(),
            ["caracal", "bobcat", "antelope", "zed"]
        );
    }

    #[test]
    fn origins_parse() {
        assert_eq!("distro".parse(), Ok(Origin::Distro));
        assert_eq!("caracal".parse(), Ok(Origin::Release(Release::Caracal)));
        assert_eq!(
            "cloud:jammy-antelope/proposed".parse(),
            Ok(Origin::Cloud {
                series: "jammy".into(),
                release: Release::Antelope,
                pocket: Pocket::Proposed
            })
        );
        assert_eq!(
            "yoga".parse::<Origin>().unwrap_err(),
            "\"yoga\" is not 'distro', a release or 'cloud:<series>-<release>': unknown or \
             unsupported release 'yoga' (supported: zed to flamingo)"
        );
        assert!("cloud:jammy".parse::<Origin>().is_err());
        assert!("cloud:jammy-caracal/backports".parse::<Origin>().is_err());
    }

    #[test]
    fn an_origin_names_the_release_it_installs() {
        let noble = OsRelease::parse("ID=ubuntu\nVERSION_CODENAME=noble\n").unwrap();
        let unknown = OsRelease::parse("ID=ubuntu\nVERSION_CODENAME=lunar\n").unwrap();
        assert_eq!(Origin::Distro.release(Some(&noble)), Some(Release::Caracal));
        assert_eq!(Origin::Distro.release(Some(&unknown)), None);
        assert_eq!(Origin::Distro.release(None), None);
        let epoxy: Origin = "cloud:noble-epoxy/proposed".parse().unwrap();
        assert_eq!(epoxy.release(None), Some(Release::Epoxy));
        assert_eq!(
            Origin::Release(Release::Dalmatian).release(Some(&noble)),
            Some(Release::Dalmatian)
        );
    }

    #[test]
    fn sources_come_from_the_cloud_archive_only_when_the_os_lacks_the_release() {
        let noble = OsRelease::parse("ID=ubuntu\nVERSION_CODENAME=noble\n").unwrap();
        let bookworm = OsRelease::parse(
            "PRETTY_NAME=\"Debian GNU/Linux 12\"\nID=debian\nVERSION_CODENAME=bookworm\n",
        )
        .unwrap();
        assert_eq!(
            apt_source(&Origin::Release(Release::Caracal), &noble),
            Ok(None)
        );
        assert_eq!(apt_source(&Origin::Distro, &bookworm), Ok(None));
        assert_eq!(
            apt_source(&Origin::Release(Release::Zed), &bookworm),
            Ok(None)
        );
        assert_eq!(
            apt_source(&Origin::Release(Release::Epoxy), &noble)
                .unwrap()
                .unwrap(),
            "# Managed by the manila charm (openstack-origin).\n\
             deb http://ubuntu-cloud.archive.canonical.com/ubuntu noble-updates/epoxy main\n"
        );
        assert_eq!(
            apt_source(&Origin::Release(Release::Caracal), &bookworm).unwrap_err(),
            "openstack-origin 'caracal' needs the Ubuntu Cloud Archive, which debian bookworm \
             does not have; set openstack-origin to 'distro'"
        );
    }
}
