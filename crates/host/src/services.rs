use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::io::ErrorKind;
use std::time::{Duration, Instant};

use crate::error::HostError;
use crate::{names, Host};

/// How services are managed on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitSystem {
    /// systemd is PID 1: `systemctl`.
    Systemd,
    /// Debian's init scripts: `service` and `update-rc.d`.
    SysV,
}

/// What was asked of a service, as named in [`HostError::Service`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceAction {
    /// Start it.
    Start,
    /// Stop it.
    Stop,
    /// Stop and start it.
    Restart,
    /// Make it reread its configuration.
    Reload,
    /// Start it at boot.
    Enable,
    /// Don't start it at boot.
    Disable,
    /// Keep it from being started.
    Mask,
    /// Undo [`ServiceAction::Mask`].
    Unmask,
    /// Ask whether it runs or is enabled.
    Query,
}

impl ServiceAction {
    fn verb(self) -> &'static str {
        match self {
            ServiceAction::Start => "start",
            ServiceAction::Stop => "stop",
            ServiceAction::Restart => "restart",
            ServiceAction::Reload => "reload",
            ServiceAction::Enable => "enable",
            ServiceAction::Disable => "disable",
            ServiceAction::Mask => "mask",
            ServiceAction::Unmask => "unmask",
            ServiceAction::Query => "query",
        }
    }
}

impl fmt::Display for ServiceAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verb())
    }
}

/// How long [`Service::is_running_after_start`] waits for a sysv daemon to show up.
pub const START_PATIENCE: Duration = Duration::from_secs(5);

/// Runlevels in which Debian starts services; 2 is the default and 3 to 5 are identical to it.
const MULTI_USER_RUNLEVELS: [u8; 4] = [2, 3, 4, 5];

impl Host {
    /// systemd when it is PID 1, that is when `<root>/run/systemd/system` is a directory (the
    /// test `sd_booted(3)` makes); Debian's init scripts otherwise.
    pub fn init_system(&self) -> InitSystem {
        if self.root.join("run/systemd/system").is_dir() {
            InitSystem::Systemd
        } else {
            InitSystem::SysV
        }
    }

    /// Which of `names` run, asked in one `systemctl is-active` under systemd (it prints one
    /// state per unit, in order; `active` and `reloading` count as running, as its exit status
    /// would), and with each one's status command under sysv, where no batch exists.
    pub fn running<'n>(&self, names: &[&'n str]) -> Result<BTreeSet<&'n str>, HostError> {
        let mut running = BTreeSet::new();
        if self.init_system() == InitSystem::SysV || names.len() < 2 {
            for name in names {
                if self.service(name)?.is_running()? {
                    running.insert(*name);
                }
            }
            return Ok(running);
        }
        let mut argv = vec![OsStr::new("systemctl"), OsStr::new("is-active")];
        for name in names {
            argv.push(OsStr::new(names::service(name)?));
        }
        // Exit 0 when any is active, 3 when none is: the answer is in the lines either way.
        let output = self
            .run_unchecked(&argv, &[])
            .map_err(|source| HostError::Service {
                service: names.join(" "),
                action: ServiceAction::Query,
                source,
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let states: Vec<&str> = stdout.lines().collect();
        if states.len() != names.len() {
            return Err(HostError::ServiceStatesOutput {
                services: names.iter().map(|n| (*n).to_owned()).collect(),
                output: stdout.into_owned(),
            });
        }
        for (name, state) in names.iter().zip(states) {
            if matches!(state.trim(), "active" | "reloading") {
                running.insert(*name);
            }
        }
        Ok(running)
    }

    /// The service `name`: a systemd unit (`manila-api` means `manila-api.service`) or an init
    /// script in `/etc/init.d`, depending on [`Host::init_system`].
    pub fn service(&self, name: &str) -> Result<Service<'_>, HostError> {
        Ok(Service {
            host: self,
            name: names::service(name)?.to_owned(),
        })
    }
}

/// One service on a [`Host`]; every operation asks the init system afresh.
///
/// With systemd each operation is the `systemctl` verb of the same name. Debian's init scripts
/// have no direct equivalent of some, so they map as follows:
///
/// - **enable / disable**: `update-rc.d NAME enable|disable`, preceded by
///   `update-rc.d NAME defaults`, because `enable` and `disable` refuse a script that has no
///   runlevel links yet ("no runlevel symlinks to modify") while `defaults` creates them and
///   leaves existing ones alone, so it never undoes an earlier disable.
/// - **mask**: disable, then `service NAME stop`. Nothing in sysv keeps a later `service NAME
///   start` from working, so the part of masking that can be had is: down now and not started
///   at boot. (Debian 12's Manila packages ship init scripts that `service` drives well without
///   systemd.) Note that `systemctl mask` does not stop a running unit; callers pausing a
///   service stop it too.
/// - **unmask**: enable, undoing mask's disable.
/// - **is_enabled**: whether a start link `S<nn>NAME` exists in `/etc/rc2.d` to `/etc/rc5.d`
///   under the root, which is what `update-rc.d` maintains; there is no command for it.
#[derive(Debug, Clone)]
pub struct Service<'h> {
    host: &'h Host,
    name: String,
}

impl Service<'_> {
    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Starts the service.
    pub fn start(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Start)
    }

    /// Stops the service.
    pub fn stop(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Stop)
    }

    /// Restarts the service.
    pub fn restart(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Restart)
    }

    /// Makes the service reload its configuration.
    pub fn reload(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Reload)
    }

    /// Makes the service start at boot.
    pub fn enable(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Enable)
    }

    /// Keeps the service from starting at boot.
    pub fn disable(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Disable)
    }

    /// Masks the service; on sysv, disables and stops it (see [`Service`]).
    pub fn mask(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Mask)
    }

    /// Unmasks the service; on sysv, enables it (see [`Service`]).
    pub fn unmask(&self) -> Result<(), HostError> {
        self.act(ServiceAction::Unmask)
    }

    /// Whether the service runs: the status command exits 0. Only failing to run the status
    /// command at all is an error.
    pub fn is_running(&self) -> Result<bool, HostError> {
        self.succeeds(&self.status_command())
    }

    /// [`Service::is_running`] for a service just started. An init script's `start` returns
    /// once start-stop-daemon has forked the daemon, and its `status` finds the daemon only
    /// once that child has exec'd it: under sysv a "no" is asked again every 100 ms for up
    /// to [`START_PATIENCE`]. systemd answers for the unit it just started.
    pub fn is_running_after_start(&self) -> Result<bool, HostError> {
        if self.host.init_system() == InitSystem::Systemd {
            return self.is_running();
        }
        let deadline = Instant::now() + START_PATIENCE;
        loop {
            if self.is_running()? {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the service starts at boot (see [`Service`] for sysv).
    pub fn is_enabled(&self) -> Result<bool, HostError> {
        match self.host.init_system() {
            InitSystem::Systemd => {
                self.succeeds(&["systemctl", "is-enabled", "--quiet", &self.name])
            }
            InitSystem::SysV => self.has_start_link(),
        }
    }

    fn act(&self, action: ServiceAction) -> Result<(), HostError> {
        for argv in self.commands(action) {
            let argv: Vec<&OsStr> = argv.iter().map(OsStr::new).collect();
            self.host
                .run_checked(&argv, &[])
                .map_err(|source| HostError::Service {
                    service: self.name.clone(),
                    action,
                    source,
                })?;
        }
        Ok(())
    }

    /// The commands, in order, that carry out `action` on this host's init system.
    fn commands(&self, action: ServiceAction) -> Vec<Vec<&str>> {
        use ServiceAction::{Disable, Enable, Mask, Query, Reload, Restart, Start, Stop, Unmask};
        let name = self.name.as_str();
        let update_rc = |verb| vec!["update-rc.d", name, verb];
        match (self.host.init_system(), action) {
            (_, Query) => vec![self.status_command()],
            (InitSystem::Systemd, _) => vec![vec!["systemctl", action.verb(), name]],
            (InitSystem::SysV, Start | Stop | Restart | Reload) => {
                vec![vec!["service", name, action.verb()]]
            }
            (InitSystem::SysV, Enable | Unmask) => vec![update_rc("defaults"), update_rc("enable")],
            (InitSystem::SysV, Disable) => vec![update_rc("defaults"), update_rc("disable")],
            (InitSystem::SysV, Mask) => vec![
                update_rc("defaults"),
                update_rc("disable"),
                vec!["service", name, "stop"],
            ],
        }
    }

    /// The command whose exit status says whether the service runs.
    fn status_command(&self) -> Vec<&str> {
        let name = self.name.as_str();
        match self.host.init_system() {
            InitSystem::Systemd => vec!["systemctl", "is-active", "--quiet", name],
            InitSystem::SysV => vec!["service", name, "status"],
        }
    }

    fn succeeds(&self, argv: &[&str]) -> Result<bool, HostError> {
        let argv: Vec<&OsStr> = argv.iter().map(OsStr::new).collect();
        let output = self
            .host
            .run_unchecked(&argv, &[])
            .map_err(|source| HostError::Service {
                service: self.name.clone(),
                action: ServiceAction::Query,
                source,
            })?;
        Ok(output.status.success())
    }

    fn has_start_link(&self) -> Result<bool, HostError> {
        for runlevel in MULTI_USER_RUNLEVELS {
            let dir = self.host.root.join(format!("etc/rc{runlevel}.d"));
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(source) if source.kind() == ErrorKind::NotFound => continue,
                Err(source) => return Err(HostError::Read { path: dir, source }),
            };
            for entry in entries {
                let entry = entry.map_err(|source| HostError::Read {
                    path: dir.clone(),
                    source,
                })?;
                if is_start_link_for(&entry.file_name().to_string_lossy(), &self.name) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// `S01manila-api` is a start link for `manila-api`.
fn is_start_link_for(link: &str, service: &str) -> bool {
    link.strip_prefix('S')
        .filter(|rest| rest.len() > 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_digit))
        .is_some_and(|rest| &rest[2..] == service)
}
