use std::collections::BTreeMap;
use std::ffi::OsStr;

use crate::command::argv_strings;
use crate::error::{CommandError, HostError};
use crate::{names, Host};

/// One line per known package: name, dpkg status (`want flag status`), version. dpkg-query
/// expands the `\t` and `\n` itself.
const DPKG_QUERY_FORMAT: &str = r"-f=${Package}\t${Status}\t${Version}\n";

/// apt-get must never wait for an answer: a hook has no one to ask.
const APT_ENV: &[(&str, &str)] = &[("DEBIAN_FRONTEND", "noninteractive")];

/// A package [`Host::upgrade`] moved to another version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgraded {
    /// The package's name.
    pub package: String,
    /// The version before.
    pub from: String,
    /// The version after.
    pub to: String,
}

/// What dpkg knows about one package.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PackageState {
    /// Unpacked and configured.
    Installed { version: String },
    /// Known to dpkg but not (fully) installed: removed with its conffiles left, half-installed,
    /// unpacked but unconfigured, and so on.
    Partial,
    /// Unknown to dpkg, or known as `not-installed`.
    Absent,
}

impl Host {
    /// The installed version of `package`, or `None` when it is not installed or unknown.
    pub fn installed_version(&self, package: &str) -> Result<Option<String>, HostError> {
        let mut versions = self.installed_versions(&[package])?;
        Ok(versions.remove(package).flatten())
    }

    /// The installed version of each of `packages` (`None` for those not installed or unknown),
    /// from a single `dpkg-query` call.
    pub fn installed_versions<S: AsRef<str>>(
        &self,
        packages: &[S],
    ) -> Result<BTreeMap<String, Option<String>>, HostError> {
        let packages = package_names(packages)?;
        let states = self.package_states(&packages)?;
        Ok(states
            .into_iter()
            .map(|(name, state)| {
                let version = match state {
                    PackageState::Installed { version } => Some(version),
                    PackageState::Partial | PackageState::Absent => None,
                };
                (name, version)
            })
            .collect())
    }

    /// Installs those of `packages` that are not installed, keeping existing configuration
    /// files, and returns them. When all are installed, runs no `apt-get` at all. Name real
    /// packages: dpkg never lists a virtual one as installed, so it would be "installed" again on
    /// every call.
    pub fn install<S: AsRef<str>>(&self, packages: &[S]) -> Result<Vec<String>, HostError> {
        let packages = package_names(packages)?;
        let states = self.package_states(&packages)?;
        let missing: Vec<String> = packages
            .iter()
            .filter(|name| !matches!(states.get(**name), Some(PackageState::Installed { .. })))
            .map(|name| (*name).to_owned())
            .collect();
        if missing.is_empty() {
            return Ok(missing);
        }
        // force-confold: a charm renders its own configuration over the package's, so a
        // package upgrade must neither prompt about nor replace the rendered files.
        let mut argv = vec![
            "apt-get",
            "install",
            "-y",
            "-o",
            "Dpkg::Options::=--force-confold",
        ];
        argv.extend(missing.iter().map(String::as_str));
        self.run_checked(&os_strs(&argv), APT_ENV)
            .map_err(|source| HostError::PackageInstall {
                packages: missing.clone(),
                source,
            })?;
        Ok(missing)
    }

    /// Purges those of `packages` that dpkg knows (installed or with configuration files left)
    /// and returns them. When there are none, runs no `apt-get` at all.
    pub fn purge<S: AsRef<str>>(&self, packages: &[S]) -> Result<Vec<String>, HostError> {
        let packages = package_names(packages)?;
        let states = self.package_states(&packages)?;
        let present: Vec<String> = packages
            .iter()
            .filter(|name| !matches!(states.get(**name), Some(PackageState::Absent) | None))
            .map(|name| (*name).to_owned())
            .collect();
        if present.is_empty() {
            return Ok(present);
        }
        let mut argv = vec!["apt-get", "purge", "-y"];
        argv.extend(present.iter().map(String::as_str));
        self.run_checked(&os_strs(&argv), APT_ENV)
            .map_err(|source| HostError::PackagePurge {
                packages: present.clone(),
                source,
            })?;
        Ok(present)
    }

    /// Upgrades those of `packages` that are installed to the newest version the package
    /// index offers, and returns what changed. Runs no `apt-get` when none is installed.
    ///
    /// Unlike [`Host::install`], an upgrade takes the new version's configuration files
    /// (`--force-confdef --force-confnew`, as OpenStack's charms upgrade): a new release may
    /// need new defaults in the files the charm does not render, and it renders its own again
    /// afterwards.
    pub fn upgrade<S: AsRef<str>>(&self, packages: &[S]) -> Result<Vec<Upgraded>, HostError> {
        let packages = package_names(packages)?;
        let installed = |states: BTreeMap<String, PackageState>| -> BTreeMap<String, String> {
            states
                .into_iter()
                .filter_map(|(name, state)| match state {
                    PackageState::Installed { version } => Some((name, version)),
                    PackageState::Partial | PackageState::Absent => None,
                })
                .collect()
        };
        let before = installed(self.package_states(&packages)?);
        if before.is_empty() {
            return Ok(Vec::new());
        }
        let mut argv = vec![
            "apt-get",
            "install",
            "-y",
            "--only-upgrade",
            "-o",
            "Dpkg::Options::=--force-confdef",
            "-o",
            "Dpkg::Options::=--force-confnew",
        ];
        argv.extend(before.keys().map(String::as_str));
        self.run_checked(&os_strs(&argv), APT_ENV)
            .map_err(|source| HostError::PackageUpgrade {
                packages: before.keys().cloned().collect(),
                source,
            })?;
        let names: Vec<&str> = before.keys().map(String::as_str).collect();
        let after = installed(self.package_states(&names)?);
        Ok(before
            .into_iter()
            .filter_map(|(package, from)| {
                let to = after.get(&package).filter(|to| **to != from)?.clone();
                Some(Upgraded { package, from, to })
            })
            .collect())
    }

    /// Refreshes the package index (`apt-get update`).
    pub fn update(&self) -> Result<(), HostError> {
        self.run_checked(&os_strs(&["apt-get", "update"]), APT_ENV)
            .map_err(|source| HostError::PackageIndexUpdate { source })?;
        Ok(())
    }

    /// What dpkg knows about each of `packages`, which must be valid and distinct.
    fn package_states(
        &self,
        packages: &[&str],
    ) -> Result<BTreeMap<String, PackageState>, HostError> {
        let mut states: BTreeMap<String, PackageState> = packages
            .iter()
            .map(|name| ((*name).to_owned(), PackageState::Absent))
            .collect();
        if packages.is_empty() {
            return Ok(states);
        }
        let mut argv = vec!["dpkg-query", "-W", DPKG_QUERY_FORMAT];
        argv.extend(packages);
        let query_error = |source| HostError::PackageQuery {
            packages: packages.iter().map(|name| (*name).to_owned()).collect(),
            source,
        };
        let argv = os_strs(&argv);
        let output = self.run_unchecked(&argv, &[]).map_err(query_error)?;
        // Exit 1 means some names are unknown to dpkg; the known ones are still printed.
        if !matches!(output.status.code(), Some(0 | 1)) {
            return Err(query_error(CommandError::exit(
                argv_strings(&argv),
                output.status,
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )));
        }
        for (name, state) in parse_dpkg_query(&String::from_utf8_lossy(&output.stdout))? {
            if let Some(known) = states.get_mut(&name) {
                // A package installed for several architectures has a line per architecture;
                // installed anywhere counts as installed.
                if !matches!(known, PackageState::Installed { .. }) {
                    *known = state;
                }
            }
        }
        Ok(states)
    }
}

/// Parses lines of [`DPKG_QUERY_FORMAT`] output.
fn parse_dpkg_query(stdout: &str) -> Result<Vec<(String, PackageState)>, HostError> {
    stdout
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let unreadable = || HostError::PackageQueryOutput {
                line: line.to_owned(),
            };
            let mut fields = line.splitn(3, '\t');
            let (Some(name), Some(status), Some(version)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(unreadable());
            };
            let words: Vec<&str> = status.split_whitespace().collect();
            let [_want, _flag, status] = words[..] else {
                return Err(unreadable());
            };
            let state = match status {
                "installed" => PackageState::Installed {
                    version: version.to_owned(),
                },
                "not-installed" => PackageState::Absent,
                _ => PackageState::Partial,
            };
            Ok((name.to_owned(), state))
        })
        .collect()
}

/// Validates `packages` and drops repeats, keeping the first occurrence's place.
fn package_names<S: AsRef<str>>(packages: &[S]) -> Result<Vec<&str>, HostError> {
    let mut names = Vec::with_capacity(packages.len());
    for package in packages {
        let name = names::package(package.as_ref())?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

fn os_strs<'a>(argv: &[&'a str]) -> Vec<&'a OsStr> {
    argv.iter().map(|arg| OsStr::new(*arg)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_query_lines_become_states() {
        let stdout = "dpkg\tinstall ok installed\t1.21.22\n\
                      manila-api\tdeinstall ok config-files\t1:15.1.0-2\n\
                      gone\tunknown ok not-installed\t\n\
                      libfoo\tinstall ok unpacked\t2.0\n";
        assert_eq!(
            parse_dpkg_query(stdout).unwrap(),
            vec![
                (
                    "dpkg".to_owned(),
                    PackageState::Installed {
                        version: "1.21.22".to_owned()
                    }
                ),
                ("manila-api".to_owned(), PackageState::Partial),
                ("gone".to_owned(), PackageState::Absent),
                ("libfoo".to_owned(), PackageState::Partial),
            ]
        );
    }

    #[test]
    fn unreadable_dpkg_query_lines_are_errors_naming_the_line() {
        for line in ["dpkg installed 1.0", "dpkg\tinstalled\t1.0"] {
            let err = parse_dpkg_query(line).unwrap_err();
            assert!(
                matches!(&err, HostError::PackageQueryOutput { line: l } if l == line),
                "{err:?}"
            );
        }
    }

    #[test]
    fn package_names_are_checked_and_deduplicated() {
        assert_eq!(
            package_names(&["b", "a", "b"].map(|n| format!("pkg-{n}"))).unwrap(),
            ["pkg-b", "pkg-a"]
        );
        for bad in ["-y", "Manila", "a", "pkg*", "pkg name", "pkg:amd64", ""] {
            assert!(
                matches!(package_names(&[bad]), Err(HostError::InvalidName { name, .. }) if name == bad),
                "{bad:?} accepted"
            );
        }
    }
}
