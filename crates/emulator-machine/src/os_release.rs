//! `/etc/os-release` of the emulated machines: charms read it to pick the package pocket (the
//! Ubuntu Cloud Archive release for the series).

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The operating system an emulated machine reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OsRelease {
    /// Ubuntu 24.04 LTS (noble), the base the Manila charms target.
    #[default]
    UbuntuNoble,
    /// Ubuntu 22.04 LTS (jammy).
    UbuntuJammy,
    /// Debian 12 (bookworm), what the emulated archive's versions come from.
    DebianBookworm,
    /// Any other `os-release` text, written as given.
    Custom(String),
}

impl OsRelease {
    /// The file's text, as the distribution ships it.
    pub fn contents(&self) -> Cow<'_, str> {
        match self {
            OsRelease::UbuntuNoble => ubuntu("24.04", "24.04.1 LTS", "Noble Numbat", "noble"),
            OsRelease::UbuntuJammy => ubuntu("22.04", "22.04.5 LTS", "Jammy Jellyfish", "jammy"),
            OsRelease::DebianBookworm => Cow::Borrowed(
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n\
                 NAME=\"Debian GNU/Linux\"\n\
                 VERSION_ID=\"12\"\n\
                 VERSION=\"12 (bookworm)\"\n\
                 VERSION_CODENAME=bookworm\n\
                 ID=debian\n\
                 HOME_URL=\"https://www.debian.org/\"\n\
                 SUPPORT_URL=\"https://www.debian.org/support\"\n\
                 BUG_REPORT_URL=\"https://bugs.debian.org/\"\n",
            ),
            OsRelease::Custom(text) => Cow::Borrowed(text),
        }
    }

    /// The base, as `juju status` shows it: `ubuntu@24.04` (`ID@VERSION_ID`).
    pub fn base(&self) -> String {
        format!("{}@{}", self.field("ID"), self.field("VERSION_ID"))
    }

    /// One `KEY=value` of the file, unquoted (empty when absent).
    fn field(&self, name: &str) -> String {
        self.contents()
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
            .map(|value| value.trim_matches('"').to_owned())
            .unwrap_or_default()
    }

    /// `/etc/lsb-release` of the same system, as Ubuntu's `base-files` writes it
    /// (charmhelpers' `lsb_release()` reads it).
    pub fn lsb_release(&self) -> String {
        let field = |name: &str| self.field(name);
        format!(
            "DISTRIB_ID={}\nDISTRIB_RELEASE={}\nDISTRIB_CODENAME={}\nDISTRIB_DESCRIPTION=\"{}\"\n",
            field("NAME").split_whitespace().next().unwrap_or_default(),
            field("VERSION_ID"),
            field("VERSION_CODENAME"),
            field("PRETTY_NAME")
        )
    }

    /// The machine path of the file.
    pub const PATH: &'static str = "/etc/os-release";

    /// Writes the file under the machine root `root`.
    pub fn write(&self, root: &Path) -> io::Result<()> {
        let etc = root.join("etc");
        fs::create_dir_all(&etc)?;
        fs::write(etc.join("os-release"), self.contents().as_bytes())
    }
}

fn ubuntu(version_id: &str, version: &str, name: &str, codename: &str) -> Cow<'static, str> {
    Cow::Owned(format!(
        "PRETTY_NAME=\"Ubuntu {version}\"\n\
         NAME=\"Ubuntu\"\n\
         VERSION_ID=\"{version_id}\"\n\
         VERSION=\"{version} ({name})\"\n\
         VERSION_CODENAME={codename}\n\
         ID=ubuntu\n\
         ID_LIKE=debian\n\
         HOME_URL=\"https://www.ubuntu.com/\"\n\
         SUPPORT_URL=\"https://help.ubuntu.com/\"\n\
         BUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\n\
         PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\n\
         UBUNTU_CODENAME={codename}\n\
         LOGO=ubuntu-logo\n"
    ))
}
