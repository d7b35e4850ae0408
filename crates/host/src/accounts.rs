use std::ffi::OsStr;
use std::path::Path;

use nix::unistd::{Group, User};

use crate::error::{HostError, NameKind};
use crate::{names, Host};

/// Whether an account is a system account (for a service) or a regular one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// An id from the system range, and for users no login shell.
    System,
    /// An id from the regular range and the default shell.
    Regular,
}

/// What [`Host::ensure_group`] and [`Host::ensure_user`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ensured {
    /// The account did not exist and was created.
    Created,
    /// The account already existed; it was left as it is.
    Present,
    /// The host is confined: accounts belong to the emulated machine and are not managed here.
    Skipped,
}

/// The shell of system users: services run as them, nobody logs in as them.
const NO_LOGIN_SHELL: &str = "/usr/sbin/nologin";

impl Host {
    /// Creates group `name` with `groupadd` unless it exists. An existing group is not changed.
    ///
    /// On a confined host this does nothing ([`Ensured::Skipped`]): files there are not given
    /// owners, so there is nothing for the group to own.
    pub fn ensure_group(&self, name: &str, kind: AccountKind) -> Result<Ensured, HostError> {
        let name = names::account(NameKind::Group, name)?;
        if self.is_confined() {
            return Ok(Ensured::Skipped);
        }
        let existing = Group::from_name(name).map_err(|source| HostError::AccountLookup {
            kind: NameKind::Group,
            name: name.to_owned(),
            source,
        })?;
        if existing.is_some() {
            return Ok(Ensured::Present);
        }
        let mut argv = vec!["groupadd"];
        if kind == AccountKind::System {
            argv.push("--system");
        }
        argv.push(name);
        let argv: Vec<&OsStr> = argv.into_iter().map(OsStr::new).collect();
        self.run_checked(&argv, &[])
            .map_err(|source| HostError::GroupAdd {
                group: name.to_owned(),
                source,
            })?;
        Ok(Ensured::Created)
    }

    /// Creates user `name` with primary group `group` and home directory `home` (a machine path,
    /// not created: use [`Host::ensure_dir`]) with `useradd`, unless the user exists. An
    /// existing user is not changed. System users get no login shell.
    ///
    /// On a confined host this does nothing ([`Ensured::Skipped`]), as for groups.
    pub fn ensure_user(
        &self,
        name: &str,
        group: &str,
        home: impl AsRef<Path>,
        kind: AccountKind,
    ) -> Result<Ensured, HostError> {
        let name = names::account(NameKind::User, name)?;
        let group = names::account(NameKind::Group, group)?;
        let home = home.as_ref();
        // Checked like any machine path, though useradd gets it unmapped: it is only ever run
        // on a real host, where the two are the same.
        self.map_path(home)?;
        if self.is_confined() {
            return Ok(Ensured::Skipped);
        }
        let existing = User::from_name(name).map_err(|source| HostError::AccountLookup {
            kind: NameKind::User,
            name: name.to_owned(),
            source,
        })?;
        if existing.is_some() {
            return Ok(Ensured::Present);
        }
        let mut argv: Vec<&OsStr> = vec![OsStr::new("useradd")];
        if kind == AccountKind::System {
            argv.push(OsStr::new("--system"));
        }
        argv.extend(["--gid", group, "--home-dir"].map(OsStr::new));
        argv.push(home.as_os_str());
        argv.push(OsStr::new("--no-create-home"));
        if kind == AccountKind::System {
            argv.extend(["--shell", NO_LOGIN_SHELL].map(OsStr::new));
        }
        argv.push(OsStr::new(name));
        self.run_checked(&argv, &[])
            .map_err(|source| HostError::UserAdd {
                user: name.to_owned(),
                source,
            })?;
        Ok(Ensured::Created)
    }
}
