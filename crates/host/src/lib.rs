//! The one boundary between a charm and the machine it runs on.
//!
//! Everything a charm does to its machine (write a file, install a package, restart a service,
//! create a user, run `manila-manage db sync`) goes through a [`Host`]. A `Host` has a *root
//! directory*: `/` on a real machine, a scratch directory for a unit confined by the model
//! emulator or a test. Start with [`Host::from_env`], then see [`Host::write_file`],
//! [`Host::install`], [`Host::service`], [`Host::ensure_user`] and [`Host::run`].
//!
//! # Paths
//!
//! Paths given to the API are absolute *machine* paths (`/etc/manila/manila.conf`); the host maps
//! them under its root (`<root>/etc/manila/manila.conf`). A relative path or one containing `..`
//! is refused, so a charm cannot address anything outside the root by accident. Confinement is
//! for tests, not a security boundary: a symlink inside the root is followed like any other.
//!
//! # Confined mode
//!
//! `CHARM_HOST_ROOT` (read by [`Host::from_env`]) or [`Host::confined`] selects a root other
//! than `/`. In that mode the host differs from a real one in exactly two ways, because the
//! unit's users and groups exist only on the emulated machine, not on the one running the test:
//!
//! - file and directory *ownership* is neither looked up nor applied (the *mode* is);
//! - [`Host::ensure_group`] and [`Host::ensure_user`] do nothing and say so
//!   ([`Ensured::Skipped`]).
//!
//! Commands are **not** special-cased: in both modes they are found through `PATH` (or the path
//! set with [`Host::with_search_path`]). The emulator puts its own `apt-get`, `dpkg-query`,
//! `service`, `systemctl` and `update-rc.d` first on the `PATH` of a confined unit, so a charm runs
//! the same code in both modes. Every command gets `CHARM_HOST_ROOT=<root>` in its environment
//! when confined, and has it removed when real.
//!
//! # The command contract
//!
//! These are all the argument vectors the crate itself runs; an emulator implements exactly
//! these. `PKG…` are Debian package names (`[a-z0-9][a-z0-9+.-]+`), `NAME` a service name.
//!
//! | Operation | argv | Success |
//! |---|---|---|
//! | query packages | `dpkg-query -W -f=${Package}\t${Status}\t${Version}\n PKG…` (`\t`, `\n` are the two literal characters; dpkg expands them) | exit 0, or 1 when some names are unknown; one line per *known* package, any order; status `want ok installed` = installed |
//! | [`Host::install`] | `apt-get install -y -o Dpkg::Options::=--force-confold PKG…` | exit 0 |
//! | [`Host::purge`] | `apt-get purge -y PKG…` | exit 0 |
//! | [`Host::update`] | `apt-get update` | exit 0 |
//! | systemd: start, stop, restart, reload, enable, disable, mask, unmask | `systemctl <verb> NAME` | exit 0 |
//! | systemd: [`Service::is_running`] | `systemctl is-active --quiet NAME` | exit 0 = running, other = not |
//! | systemd: [`Host::running`] (two or more services) | `systemctl is-active NAME…` | any exit status; one state per NAME on stdout, in order: `active` or `reloading` = running |
//! | systemd: [`Service::is_enabled`] | `systemctl is-enabled --quiet NAME` | exit 0 = enabled, other = not |
//! | sysv: start, stop, restart, reload | `service NAME <verb>` | exit 0 |
//! | sysv: [`Service::is_running`] | `service NAME status` | exit 0 = running, other = not |
//! | sysv: [`Service::is_running_after_start`] | `service NAME status`, again every 100 ms for up to 5 s while not 0 | exit 0 = running |
//! | sysv: enable / unmask | `update-rc.d NAME defaults`, then `update-rc.d NAME enable` | exit 0 each |
//! | sysv: disable | `update-rc.d NAME defaults`, then `update-rc.d NAME disable` | exit 0 each |
//! | sysv: mask | as disable, then `service NAME stop` | exit 0 each |
//! | sysv: [`Service::is_enabled`] | no command: a `S<nn>NAME` entry in `<root>/etc/rc{2,3,4,5}.d/` | |
//! | [`Host::ensure_group`] (real mode only) | `groupadd [--system] NAME` | exit 0 |
//! | [`Host::ensure_user`] (real mode only) | `useradd [--system] --gid GROUP --home-dir HOME --no-create-home [--shell /usr/sbin/nologin] NAME` (`--shell` with `--system`) | exit 0 |
//!
//! `apt-get` always runs with `DEBIAN_FRONTEND=noninteractive`. [`Host::run`] runs anything else
//! the charm asks for, through the same `PATH`, and [`Host::run_with_input`] the same with bytes
//! on its standard input.
//!
//! The init system is systemd when `<root>/run/systemd/system` is a directory (the test
//! `sd_booted(3)` makes), otherwise Debian's init scripts. See [`Service`] for why the sysv
//! mapping of `enable` and `mask` looks the way it does.
//!
//! # Errors
//!
//! Every failure is a [`HostError`] naming the path, package, service or command involved. A
//! failed command keeps its argv, exit status and stderr in a [`CommandError`]. Argument vectors
//! appear in errors (and are visible to every local user in `/proc`), so never put a secret in
//! one: hand it to the command on its standard input ([`Host::run_with_input`]), or through a
//! file written with a private [`FileSpec`] when the program reads only files.
//!
//! ```no_run
//! use host::{FileSpec, Host};
//!
//! let host = Host::from_env()?;
//! host.install(&["manila-api"])?;
//! let conf = FileSpec::new("root", "manila", 0o640);
//! if host.write_file("/etc/manila/manila.conf", "[DEFAULT]\n", &conf)?.is_changed() {
//!     host.service("manila-api")?.restart()?;
//! }
//! # Ok::<(), host::HostError>(())
//! ```

mod accounts;
mod command;
mod error;
mod files;
mod names;
mod packages;
mod services;

pub use crate::{
    accounts::{AccountKind, Ensured},
    command::CommandOutput,
    error::{CommandError, HostError, NameKind},
    files::{FileSpec, Written},
    packages::Upgraded,
    services::{InitSystem, Service, ServiceAction, START_PATIENCE},
};

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// The environment variable naming the root directory of a confined unit.
pub const ROOT_VAR: &str = "CHARM_HOST_ROOT";

/// The machine a charm acts on, seen through a root directory.
///
/// Cheap to clone. See the [crate documentation](crate) for the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    root: PathBuf,
    search_path: Option<OsString>,
}

impl Host {
    /// The host this process runs on, rooted at `/`.
    pub fn real() -> Host {
        Host {
            root: PathBuf::from("/"),
            search_path: None,
        }
    }

    /// A host confined to `root`, which must be an absolute path. `/` gives the real host.
    pub fn confined(root: impl Into<PathBuf>) -> Result<Host, HostError> {
        let root = root.into();
        if !root.is_absolute() {
            return Err(HostError::RelativeRoot { root });
        }
        Ok(Host {
            root,
            search_path: None,
        })
    }

    /// The host selected by `CHARM_HOST_ROOT`: unset or empty means the real host.
    pub fn from_env() -> Result<Host, HostError> {
        Host::from_root_var(std::env::var_os(ROOT_VAR))
    }

    fn from_root_var(value: Option<OsString>) -> Result<Host, HostError> {
        match value {
            Some(root) if !root.is_empty() => Host::confined(root),
            _ => Ok(Host::real()),
        }
    }

    /// Use `search_path` (a `PATH`-style list) to find every command this host runs, instead of
    /// the process's `PATH`. The process environment is left alone, so tests can give each host
    /// its own commands while running in parallel.
    #[must_use]
    pub fn with_search_path(mut self, search_path: impl Into<OsString>) -> Host {
        self.search_path = Some(search_path.into());
        self
    }

    /// The root directory machine paths are mapped under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the root is something other than `/`.
    pub fn is_confined(&self) -> bool {
        self.root != Path::new("/")
    }

    /// Where the absolute machine path `path` lives on this host.
    ///
    /// Refuses relative paths and paths containing `..`, which could leave the root.
    pub fn map_path(&self, path: impl AsRef<Path>) -> Result<PathBuf, HostError> {
        let path = path.as_ref();
        let mut mapped = self.root.clone();
        let mut components = path.components();
        if components.next() != Some(Component::RootDir) {
            return Err(HostError::InvalidPath {
                path: path.to_path_buf(),
            });
        }
        for component in components {
            match component {
                Component::Normal(part) => mapped.push(part),
                Component::CurDir => {}
                Component::RootDir | Component::Prefix(_) | Component::ParentDir => {
                    return Err(HostError::InvalidPath {
                        path: path.to_path_buf(),
                    })
                }
            }
        }
        Ok(mapped)
    }
}

#[cfg(test)]
mod tests;
