//! OpenStack releases: which one is installed (from a project's package version), where to
//! install from (`openstack-origin`, charmhelpers' `configure_installation_source`), and
//! which template directories a release reads.

use std::fmt;
use std::str::FromStr;

use charm::plan::Install;
use databag::Quoted;

/// The releases the toolkit supports, in OpenStack order (not alphabetical).
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

/// Each release, oldest first.
const RELEASES: [(Release, &str); 7] = [
    (Release::Zed, "zed"),
    (Release::Antelope, "antelope"),
    (Release::Bobcat, "bobcat"),
    (Release::Caracal, "caracal"),
    (Release::Dalmatian, "dalmatian"),
    (Release::Epoxy, "epoxy"),
    (Release::Flamingo, "flamingo"),
];

/// An OpenStack project as its packages show its release: since zed every project raises
/// its major version by one each release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Project {
    /// As operators know it (`manila`).
    pub name: &'static str,
    /// The package whose version tells the release (`manila-common`).
    pub package: &'static str,
    /// Its major version in zed (manila 15).
    pub zed_major: u32,
}

impl Project {
    /// The major version of the project in `release`.
    pub fn major(self, release: Release) -> u32 {
        self.zed_major + release.index()
    }
}

impl Release {
    pub const OLDEST: Release = Release::Zed;
    pub const NEWEST: Release = Release::Flamingo;

    pub fn name(self) -> &'static str {
        RELEASES[self.index() as usize].1
    }

    fn index(self) -> u32 {
        self as u32
    }

    /// The release a version of `project`'s package belongs to: for manila, `1:15.1.0-2`
    /// (Debian 12) is zed, `1:18.0.0-0ubuntu1` caracal.
    pub fn from_package_version(project: Project, version: &str) -> Result<Release, ReleaseError> {
        let upstream = upstream_version(version);
        let major: u32 = upstream
            .split(['.', '~', '+'])
            .next()
            .and_then(|m| m.parse().ok())
            .ok_or_else(|| ReleaseError::Unparsable {
                package: project.package,
                version: version.to_owned(),
            })?;
        RELEASES
            .iter()
            .find(|(r, _)| project.major(*r) == major)
            .map(|(r, _)| *r)
            .ok_or_else(|| ReleaseError::Unsupported {
                project,
                version: upstream.to_owned(),
                newer: major > project.major(Release::NEWEST),
            })
    }

    /// Template directories for this release, newest first: this release and every older
    /// supported one, so that a file changed in caracal is used from caracal on.
    pub fn template_search(self) -> Vec<&'static str> {
        RELEASES
            .iter()
            .rev()
            .filter(|(r, _)| *r <= self)
            .map(|(_, name)| *name)
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
            .find(|(_, name)| *name == s)
            .map(|(r, _)| *r)
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

/// An installed release the charm cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    #[error("cannot tell the OpenStack release from {package} version '{version}'")]
    Unparsable {
        package: &'static str,
        version: String,
    },
    #[error(
        "Unsupported OpenStack release: {name} {version} is {}; this charm supports {} ({name} {}) to {} ({name} {})",
        if *newer { format!("newer than {}", Release::NEWEST) } else { format!("older than {}", Release::OLDEST) },
        Release::OLDEST,
        project.major(Release::OLDEST),
        Release::NEWEST,
        project.major(Release::NEWEST),
        name = project.name,
    )]
    Unsupported {
        project: Project,
        version: String,
        newer: bool,
    },
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

    /// The OpenStack release the OS itself ships, when it is one the toolkit supports.
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

/// The apt source an origin needs on `os`, written by charm `charm`: `Ok(None)` for the OS's
/// own packages.
pub fn apt_source(origin: &Origin, os: &OsRelease, charm: &str) -> Result<Option<String>, String> {
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
        "# Managed by the {charm} charm (openstack-origin).\n\
         deb http://ubuntu-cloud.archive.canonical.com/ubuntu {series}-{pocket}/{release} main\n"
    )))
}

/// What to install for `packages` from `origin`: the cloud archive's keyring and source when
/// the origin needs them (the source file removed when it does not), and the packages not in
/// `installed` yet. `Err` is the blocked status's message: the origin cannot be placed on
/// this OS (or the OS is unknown).
pub fn install(
    origin: &Origin,
    os: Option<&OsRelease>,
    charm: &str,
    packages: &[&str],
    installed: impl Fn(&str) -> bool,
) -> Result<Install, String> {
    let source = match (os, origin) {
        (_, Origin::Distro) => None,
        (Some(os), origin) => apt_source(origin, os, charm)?,
        (None, _) => {
            return Err(
                "Cannot read /etc/os-release to place openstack-origin; set it to 'distro'"
                    .to_owned(),
            )
        }
    };
    let missing = |packages: &[&str]| -> Vec<String> {
        packages
            .iter()
            .filter(|p| !installed(p))
            .map(|p| (*p).to_owned())
            .collect()
    };
    Ok(Install {
        keyrings: if source.is_some() {
            missing(&[CLOUD_ARCHIVE_KEYRING])
        } else {
            Vec::new()
        },
        source: Some((CLOUD_ARCHIVE_LIST.to_owned(), source)),
        packages: missing(packages),
        keep_down: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANILA: Project = Project {
        name: "manila",
        package: "manila-common",
        zed_major: 15,
    };

    #[test]
    fn releases_follow_the_project_majors() {
        assert_eq!(
            Release::from_package_version(MANILA, "1:15.1.0-2"),
            Ok(Release::Zed)
        );
        assert_eq!(
            Release::from_package_version(MANILA, "1:18.0.0-0ubuntu1~cloud0"),
            Ok(Release::Caracal)
        );
        assert_eq!(
            Release::from_package_version(MANILA, "21.0.0"),
            Ok(Release::Flamingo)
        );
        assert_eq!(
            Release::from_package_version(MANILA, "1:14.0.0-0ubuntu1")
                .unwrap_err()
                .to_string(),
            "Unsupported OpenStack release: manila 14.0.0 is older than zed; this charm \
             supports zed (manila 15) to flamingo (manila 21)"
        );
        assert_eq!(
            Release::from_package_version(MANILA, "1:22.0.0-1")
                .unwrap_err()
                .to_string(),
            "Unsupported OpenStack release: manila 22.0.0 is newer than flamingo; this charm \
             supports zed (manila 15) to flamingo (manila 21)"
        );
        assert!(matches!(
            Release::from_package_version(MANILA, "garbage"),
            Err(ReleaseError::Unparsable { .. })
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
            apt_source(&Origin::Release(Release::Caracal), &noble, "manila"),
            Ok(None)
        );
        assert_eq!(apt_source(&Origin::Distro, &bookworm, "manila"), Ok(None));
        assert_eq!(
            apt_source(&Origin::Release(Release::Zed), &bookworm, "manila"),
            Ok(None)
        );
        assert_eq!(
            apt_source(&Origin::Release(Release::Epoxy), &noble, "manila")
                .unwrap()
                .unwrap(),
            "# Managed by the manila charm (openstack-origin).\n\
             deb http://ubuntu-cloud.archive.canonical.com/ubuntu noble-updates/epoxy main\n"
        );
        assert_eq!(
            apt_source(&Origin::Release(Release::Caracal), &bookworm, "manila").unwrap_err(),
            "openstack-origin 'caracal' needs the Ubuntu Cloud Archive, which debian bookworm \
             does not have; set openstack-origin to 'distro'"
        );
    }
}
