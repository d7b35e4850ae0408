//! The machine emulation of the Juju model emulator (`emulator`, which re-exports this crate
//! as `emulator::machine`): the emulated parts of a unit's machine, Debian packages, init
//! services, and the few other commands a charm may run, and the bubblewrap sandbox a
//! confined unit's hooks run in ([`sandbox`]).
//!
//! Start with [`Machine`], which answers one command against a [`MachineState`], and
//! [`Catalog`], the packages the emulated archive offers.
//!
//! A confined unit (one the emulator runs) finds the [`MACHINE_COMMANDS`] first on its `PATH`;
//! they are the hook-tool shim, and the agent answers them here from the machine's
//! [`MachineState`], with the argument forms, output and exit codes of the real tools for
//! everything the `host` crate and the charms run. Packages come from a [`Catalog`] the model is
//! configured with; a package brings the services it provides, which start on installation
//! unless masked or disabled (Debian's postinst behaviour), its files, the accounts its
//! maintainer scripts create, and its commands (`a2ensite` and friends with `apache2`), which
//! answer only while it is installed. A catalog supplied by a charm's tests may add packages
//! whose commands are scripts ([`CatalogPackage::scripts`]): the emulator knows Debian, not
//! each workload's tools.
//!
//! The init system is the one the `host` crate detects: systemd when `<root>/run/systemd/system`
//! is a directory. Without it `systemctl` can still edit unit files (enable, disable, mask) but
//! cannot talk to a service manager, as on a real machine not booted with systemd.

mod accounts;
mod apache;
mod apt_cache;
mod archive;
mod catalog;
mod os_release;
pub mod sandbox;

pub use catalog::{Catalog, CatalogPackage, SystemUser};
pub use os_release::OsRelease;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The command names answered here rather than by the hook-tool engine.
pub const MACHINE_COMMANDS: &[&str] = &[
    "apt-get",
    "apt-cache",
    "dpkg",
    "dpkg-query",
    "service",
    "systemctl",
    "update-rc.d",
    "a2ensite",
    "a2dissite",
    "a2enmod",
    "a2dismod",
    "a2query",
];

/// Long options of apt 2.x's `apt-get` that take a value after `=`.
const APT_VALUED_OPTIONS: &[&str] = &[
    "--error-on",
    "--quiet",
    "--target-release",
    "--default-release",
    "--config-file",
    "--option",
    "--host-architecture",
    "--solver",
];

/// systemctl's answer, on a machine not booted with systemd, to what needs the service manager.
const NOT_BOOTED: &str = "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n";

/// The machine commands of the base system; the others come with a package.
const BASE_COMMANDS: &[&str] = &[
    "apt-get",
    "apt-cache",
    "dpkg",
    "dpkg-query",
    "service",
    "systemctl",
    "update-rc.d",
];

/// One machine's packages and services.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineState {
    /// Installed packages and their versions.
    pub packages: BTreeMap<String, String>,
    /// Every service the machine has heard of (a masked service need not be installed).
    pub services: BTreeMap<String, ServiceState>,
    /// How many times `apt-get update` ran.
    pub apt_updates: u32,
    /// The apt suites the machine's sources named at the last `apt-get update`: the
    /// [`Catalog::archives`] whose versions it sees.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub apt_suites: BTreeSet<String>,
    /// How many times the machine rebooted (`juju-reboot`).
    #[serde(default)]
    pub reboots: u32,
}

impl MachineState {
    /// The machine reboots: each service comes back running exactly when it is enabled and
    /// not masked.
    pub fn reboot(&mut self) {
        for service in self.services.values_mut() {
            service.running = service.enabled && !service.masked;
        }
        self.reboots += 1;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    pub enabled: bool,
    pub masked: bool,
    pub running: bool,
    /// The last [`ServiceState::HISTORY`] starts, stops, restarts and reloads, in order,
    /// with what caused each: `model.json` stays bounded however long the model lives.
    pub history: Vec<ServiceEvent>,
    /// How many times each action happened, including events the history no longer holds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub totals: BTreeMap<ServiceAction, u64>,
    /// How the service misbehaves, when a test made it (see `Model::set_service_fault`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<ServiceFault>,
}

/// A service that does not do what it is told, as a broken workload does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceFault {
    /// Its start fails (the process exits at once): `start` and `restart` exit 1 as
    /// systemctl does for a failed job, and it is left stopped.
    FailsToStart,
    /// Its stop fails: `stop` exits 1 and it keeps running.
    FailsToStop,
}

impl ServiceState {
    /// How many events the history keeps.
    pub const HISTORY: usize = 256;

    /// How many times `action` happened.
    pub fn count(&self, action: ServiceAction) -> usize {
        let kept = self.history.iter().filter(|e| e.action == action).count();
        // Models written before the totals were kept have only their history.
        (self.totals.get(&action).copied().unwrap_or(0) as usize).max(kept)
    }

    /// Records one event, dropping the oldest beyond [`ServiceState::HISTORY`].
    pub fn push(&mut self, event: ServiceEvent) {
        *self.totals.entry(event.action).or_default() += 1;
        self.history.push(event);
        if self.history.len() > Self::HISTORY {
            let excess = self.history.len() - Self::HISTORY;
            self.history.drain(..excess);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub action: ServiceAction,
    /// The command that caused it: `systemctl`, `service` or `apt-get install`.
    pub by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceAction {
    Start,
    Stop,
    Restart,
    Reload,
}

impl fmt::Display for ServiceAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServiceAction::Start => "start",
            ServiceAction::Stop => "stop",
            ServiceAction::Restart => "restart",
            ServiceAction::Reload => "reload",
        })
    }
}

/// What one emulated command printed and returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandResult {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

impl CommandResult {
    fn ok(stdout: impl Into<String>) -> CommandResult {
        CommandResult {
            stdout: stdout.into(),
            ..CommandResult::default()
        }
    }

    fn fail(exit_code: i32, stderr: impl Into<String>) -> CommandResult {
        CommandResult {
            stderr: stderr.into(),
            exit_code,
            ..CommandResult::default()
        }
    }
}

/// A machine as one command sees it: its state, the archive, its root directory, and the
/// directory its package scripts share with every machine of the model.
#[derive(Debug)]
pub struct Machine<'a> {
    pub state: &'a mut MachineState,
    pub catalog: &'a Catalog,
    pub root: &'a Path,
    /// Shared by the model's machines, as a remote service they all reach (a database):
    /// package scripts keep there what every machine must see (`MODEL_SHARED`).
    pub shared: &'a Path,
}

impl Machine<'_> {
    pub fn execute(&mut self, command: &str, args: &[String]) -> CommandResult {
        if !self.provides(command) {
            // What a shell says; a program spawning it directly would get ENOENT.
            return CommandResult::fail(127, format!("{command}: command not found\n"));
        }
        match command {
            "apt-get" => self.apt_get(args),
            "apt-cache" => self.apt_cache(args),
            "dpkg" => self.dpkg(args),
            "dpkg-query" if args.iter().any(|a| a == "-l" || a == "--list") => {
                self.dpkg_list(args.iter().filter(|a| !a.starts_with('-')))
            }
            "dpkg-query" => self.dpkg_query(args),
            "a2query" => apache::a2query(self.root, args),
            "systemctl" => self.systemctl(args),
            "service" => self.service(args),
            "update-rc.d" => self.update_rc_d(args),
            "a2ensite" | "a2dissite" | "a2enmod" | "a2dismod" => {
                apache::execute(self.root, command, args)
            }
            other => match self.script(other) {
                Some(script) => self.run_script(other, &script, args),
                None => CommandResult::fail(127, format!("{other}: command not found\n")),
            },
        }
    }

    /// The script an installed package answers `command` with.
    fn script(&self, command: &str) -> Option<String> {
        self.state
            .packages
            .keys()
            .filter_map(|name| self.catalog.packages.get(name))
            .find_map(|package| package.scripts.get(command).cloned())
    }

    /// Runs a package's script for `command` (`/bin/sh -c SCRIPT COMMAND ARGS…`) in the
    /// machine's root, with `MACHINE_ROOT` and `MODEL_SHARED` saying where things are.
    fn run_script(&self, command: &str, script: &str, args: &[String]) -> CommandResult {
        let _ = fs::create_dir_all(self.shared);
        let output = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg(command)
            .args(args)
            .current_dir(self.root)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LANG", "C.UTF-8")
            .env("MACHINE_ROOT", self.root)
            .env("MODEL_SHARED", self.shared)
            .stdin(std::process::Stdio::null())
            .output();
        match output {
            Ok(output) => CommandResult {
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                exit_code: output.status.code().unwrap_or(1),
            },
            Err(err) => CommandResult::fail(126, format!("{command}: {err}\n")),
        }
    }

    /// Whether `command` is on the machine: a base command, or one an installed package brings.
    fn provides(&self, command: &str) -> bool {
        BASE_COMMANDS.contains(&command)
            || self
                .state
                .packages
                .keys()
                .filter_map(|name| self.catalog.packages.get(name))
                .any(|package| {
                    package.commands.iter().any(|c| c == command)
                        || package.scripts.contains_key(command)
                })
    }

    /// systemd is the service manager: the test `sd_booted(3)` makes, as the `host` crate does.
    fn systemd_booted(&self) -> bool {
        self.root.join("run/systemd/system").is_dir()
    }

    /// Services provided by installed packages.
    fn installed_services(&self) -> BTreeSet<String> {
        self.state
            .packages
            .keys()
            .filter_map(|name| self.catalog.packages.get(name))
            .flat_map(|package| package.services.iter().cloned())
            .collect()
    }

    fn exists(&self, service: &str) -> bool {
        self.installed_services().contains(service)
    }

    fn service_mut(&mut self, name: &str) -> &mut ServiceState {
        self.state.services.entry(name.to_owned()).or_default()
    }

    fn record(&mut self, name: &str, action: ServiceAction, by: &str) {
        let service = self.service_mut(name);
        service.running = !matches!(action, ServiceAction::Stop);
        service.push(ServiceEvent {
            action,
            by: by.to_owned(),
        });
    }

    // ---- apt-get -------------------------------------------------------------------------

    fn apt_get(&mut self, args: &[String]) -> CommandResult {
        let mut words = Vec::new();
        let mut only_upgrade = false;
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "-o" | "--option" | "-c" | "--config-file" | "-t" | "--target-release" => {
                    if iter.next().is_none() {
                        return CommandResult::fail(
                            100,
                            format!("E: Command line option {arg} needs an argument\n"),
                        );
                    }
                }
                a if a.starts_with("-o") || a.starts_with("--option=") => {}
                // apt 2.x options with a value (`--error-on=any`, `--quiet=2`, …).
                a if APT_VALUED_OPTIONS
                    .iter()
                    .any(|o| a.strip_prefix(o).is_some_and(|v| v.starts_with('='))) => {}
                "-y"
                | "--yes"
                | "--assume-yes"
                | "-q"
                | "-qq"
                | "--quiet"
                | "-d"
                | "--download-only"
                | "--no-install-recommends"
                | "--install-recommends"
                | "--allow-downgrades"
                | "--allow-change-held-packages"
                | "--force-yes"
                | "--fix-missing"
                | "-f"
                | "--fix-broken"
                | "--purge"
                | "-s"
                | "--simulate"
                | "--dry-run"
                | "--reinstall"
                | "--auto-remove"
                | "--autoremove"
                | "--allow-unauthenticated"
                | "--allow-remove-essential"
                | "--no-upgrade"
                | "--with-new-pkgs"
                | "--show-progress"
                | "--no-show-upgraded"
                | "--ignore-missing"
                | "-m"
                | "--no-remove" => {}
                "--only-upgrade" => only_upgrade = true,
                a if a.starts_with('-') => {
                    return CommandResult::fail(
                        100,
                        format!("E: Command line option '{a}' is not understood in combination with the other options\n"),
                    );
                }
                word => words.push(word.to_owned()),
            }
        }
        let Some((verb, packages)) = words.split_first() else {
            return CommandResult::fail(100, "E: No command given\n".to_owned());
        };
        match verb.as_str() {
            "update" => {
                self.state.apt_updates += 1;
                self.state.apt_suites = archive::source_suites(self.root)
                    .into_iter()
                    .filter(|suite| self.catalog.archives.contains_key(suite))
                    .collect();
                CommandResult::ok("Reading package lists... Done\n")
            }
            "install" => self.apt_install(packages, only_upgrade),
            "upgrade" | "dist-upgrade" | "full-upgrade" => {
                let installed: Vec<String> = self.state.packages.keys().cloned().collect();
                self.apt_install(&installed, true)
            }
            "purge" | "remove" => self.apt_purge(packages),
            other => CommandResult::fail(100, format!("E: Invalid operation {other}\n")),
        }
    }

    const APT_PREAMBLE: &'static str =
        "Reading package lists...\nBuilding dependency tree...\nReading state information...\n";

    /// Installs `names` at their candidate versions, upgrading those installed older; with
    /// `only_upgrade`, only upgrades (what `upgrade` and `--only-upgrade` do).
    fn apt_install(&mut self, names: &[String], only_upgrade: bool) -> CommandResult {
        let names = &if only_upgrade {
            names.to_vec()
        } else {
            self.with_dependencies(names)
        };
        if let Some(refused) = self.unknown_package(names) {
            return refused;
        }
        let mut out = String::from(Self::APT_PREAMBLE);
        let services_before = self.installed_services();
        let mut new = Vec::new();
        let mut upgraded = Vec::new();
        for name in names {
            let candidate = self
                .catalog
                .candidate(name, &self.state.apt_suites)
                .unwrap_or_default()
                .to_owned();
            match self.state.packages.get(name) {
                Some(installed) if archive::compare_versions(&candidate, installed).is_gt() => {
                    upgraded.push((name.clone(), installed.clone(), candidate));
                }
                Some(installed) => out.push_str(&format!(
                    "{name} is already the newest version ({installed}).\n"
                )),
                None if only_upgrade => out.push_str(&format!(
                    "Skipping {name}, it is not installed and only upgrades are requested.\n"
                )),
                None => new.push((name.clone(), candidate)),
            }
        }
        out.push_str(&format!(
            "{} upgraded, {} newly installed, 0 to remove and 0 not upgraded.\n",
            upgraded.len(),
            new.len()
        ));
        for (name, from, to) in &upgraded {
            self.state.packages.insert(name.clone(), to.clone());
            out.push_str(&format!(
                "Unpacking {name} ({to}) over ({from}) ...\nSetting up {name} ({to}) ...\n"
            ));
            self.unpack(&self.catalog.packages[name]);
            // Debian's postinst restarts the package's enabled services on upgrade
            // (deb-systemd-invoke leaves disabled and masked ones alone), stopped ones included.
            for service in self.catalog.packages[name].services.clone() {
                let state = self.service_mut(&service);
                if state.enabled && !state.masked {
                    self.record(&service, ServiceAction::Restart, "apt-get upgrade");
                }
            }
        }
        for (name, version) in &new {
            self.state.packages.insert(name.clone(), version.clone());
            out.push_str(&format!("Setting up {name} ({version}) ...\n"));
            self.unpack(&self.catalog.packages[name]);
            // What the package's postinst does first: its system accounts.
            for user in self.catalog.packages[name].users.clone() {
                accounts::add_system_user(self.root, &user);
            }
        }
        if !upgraded.is_empty() || !new.is_empty() {
            self.write_dpkg_status();
        }
        let services_after = self.installed_services();
        for service in services_after.difference(&services_before) {
            // A masked unit is a link to /dev/null: the postinst can neither enable nor start it.
            let state = self.service_mut(service);
            if state.masked {
                continue;
            }
            state.enabled = true;
            self.rc_links(service, true);
            self.record(service, ServiceAction::Start, "apt-get install");
        }
        CommandResult::ok(out)
    }

    /// Rewrites `/var/lib/dpkg/status` as dpkg does after every change (a new file renamed
    /// over the old): what is installed, for readers of the file (and of its stamp).
    fn write_dpkg_status(&self) {
        let text: String = self
            .state
            .packages
            .iter()
            .map(|(name, version)| {
                format!(
                    "Package: {name}\nStatus: install ok installed\nArchitecture: {}\nVersion: {version}\n\n",
                    apt_cache::ARCH
                )
            })
            .collect();
        let path = self.root.join("var/lib/dpkg/status");
        let next = self.root.join("var/lib/dpkg/status-new");
        // The machine's root is the model's; a write that fails leaves the old database,
        // which only readers of the file see.
        if std::fs::write(&next, text).is_ok() {
            let _ = std::fs::rename(&next, &path);
        }
    }

    /// apt's answer when one of `names` is in no archive the machine knows.
    fn unknown_package(&self, names: &[String]) -> Option<CommandResult> {
        let unknown = names
            .iter()
            .find(|n| !self.catalog.packages.contains_key(*n))?;
        Some(CommandResult {
            stdout: Self::APT_PREAMBLE.to_owned(),
            stderr: format!("E: Unable to locate package {unknown}\n"),
            exit_code: 100,
        })
    }

    fn apt_purge(&mut self, names: &[String]) -> CommandResult {
        if let Some(refused) = self.unknown_package(names) {
            return refused;
        }
        let mut out = String::from(Self::APT_PREAMBLE);
        let services_before = self.installed_services();
        for name in names {
            match self.state.packages.remove(name) {
                Some(version) => {
                    out.push_str(&format!(
                        "Purging configuration files for {name} ({version}) ...\n"
                    ));
                    self.remove_files(&self.catalog.packages[name]);
                }
                None => out.push_str(&format!(
                    "Package '{name}' is not installed, so not removed\n"
                )),
            }
        }
        self.write_dpkg_status();
        let services_after = self.installed_services();
        for service in services_before.difference(&services_after) {
            if self.service_mut(service).running {
                self.record(service, ServiceAction::Stop, "apt-get purge");
            }
            self.service_mut(service).enabled = false;
            self.remove_rc_links(service);
        }
        CommandResult::ok(out)
    }

    /// What installing `package` puts on the machine: its directories, its files (a file
    /// already there is kept, as dpkg keeps a changed conffile) and its links.
    fn unpack(&self, package: &CatalogPackage) {
        for dir in &package.directories {
            let _ = fs::create_dir_all(self.path(dir));
        }
        for (path, contents) in &package.files {
            let path = self.path(path);
            if let Some(parent) = path.parent() {
                let _ = fs::create_dir_all(parent);
            }
            if fs::symlink_metadata(&path).is_err() {
                let _ = fs::write(&path, contents);
            }
        }
        for (path, target) in &package.links {
            let path = self.path(path);
            if let Some(parent) = path.parent() {
                let _ = fs::create_dir_all(parent);
            }
            let _ = symlink(target, path);
        }
    }

    /// Purging removes the package's files and links (directories stay: others may use them).
    fn remove_files(&self, package: &CatalogPackage) {
        for path in package.files.keys().chain(package.links.keys()) {
            let _ = fs::remove_file(self.path(path));
        }
    }

    /// A machine path under the root.
    fn path(&self, machine_path: &str) -> std::path::PathBuf {
        self.root.join(machine_path.trim_start_matches('/'))
    }

    // ---- dpkg-query ----------------------------------------------------------------------

    fn dpkg_query(&mut self, args: &[String]) -> CommandResult {
        let mut show = false;
        let mut format = "${binary:Package}\t${Version}\n".to_owned();
        let mut names = Vec::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "-W" | "--show" => show = true,
                "-f" | "--showformat" => match iter.next() {
                    Some(f) => format = f.clone(),
                    None => {
                        return CommandResult::fail(
                            2,
                            "dpkg-query: error: --showformat needs a value\n".to_owned(),
                        )
                    }
                },
                a if a.starts_with("-f=") => format = a["-f=".len()..].to_owned(),
                a if a.starts_with("--showformat=") => {
                    format = a["--showformat=".len()..].to_owned()
                }
                a if a.starts_with("-f") => format = a[2..].to_owned(),
                a if a.starts_with('-') => {
                    return CommandResult::fail(
                        2,
                        format!("dpkg-query: error: unknown option {a}\n"),
                    )
                }
                name => names.push(name.to_owned()),
            }
        }
        if !show {
            return CommandResult::fail(2, "dpkg-query: error: need an action option\n".to_owned());
        }
        let mut result = CommandResult::default();
        for name in &names {
            match self.state.packages.get(name) {
                Some(version) => result
                    .stdout
                    .push_str(&render_dpkg_format(&format, name, version)),
                None => {
                    result
                        .stderr
                        .push_str(&format!("dpkg-query: no packages found matching {name}\n"));
                    result.exit_code = 1;
                }
            }
        }
        result
    }

    // ---- systemctl -----------------------------------------------------------------------

    fn systemctl(&mut self, args: &[String]) -> CommandResult {
        let quiet = args.iter().any(|a| a == "--quiet" || a == "-q");
        let words: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
            .collect();
        let Some((verb, units)) = words.split_first() else {
            return CommandResult::fail(1, "Too few arguments.\n".to_owned());
        };
        if matches!(*verb, "is-active" | "is-enabled") && units.len() > 1 {
            return self.systemctl_query_each(verb, units, quiet);
        }
        let [unit] = units else {
            return CommandResult::fail(
                1,
                format!(
                    "emulated systemctl takes exactly one unit, got {}\n",
                    units.len()
                ),
            );
        };
        let name = unit.strip_suffix(".service").unwrap_or(unit);
        let exists = self.exists(name);
        let masked = self.state.services.get(name).is_some_and(|s| s.masked);
        let unit = format!("{name}.service");
        match *verb {
            "start" | "stop" | "restart" | "reload" | "is-active" if !self.systemd_booted() => {
                CommandResult::fail(1, NOT_BOOTED.to_owned())
            }
            "start" | "stop" | "restart" | "reload" => self.control(name, verb, "systemctl", true),
            "enable" | "disable" => {
                if !exists {
                    return CommandResult::fail(
                        1,
                        format!("Failed to {verb} unit: Unit file {unit} does not exist.\n"),
                    );
                }
                if masked && *verb == "enable" {
                    return CommandResult::fail(
                        1,
                        format!("Failed to enable unit: Unit file /etc/systemd/system/{unit} is masked.\n"),
                    );
                }
                let enable = *verb == "enable";
                self.service_mut(name).enabled = enable;
                self.rc_links(name, enable);
                CommandResult::default()
            }
            "mask" => {
                let service = self.service_mut(name);
                let was = std::mem::replace(&mut service.masked, true);
                if was {
                    return CommandResult::default();
                }
                CommandResult {
                    stderr: format!("Created symlink /etc/systemd/system/{unit} → /dev/null.\n"),
                    ..CommandResult::default()
                }
            }
            "unmask" => {
                let service = self.service_mut(name);
                let was = std::mem::replace(&mut service.masked, false);
                if !was {
                    return CommandResult::default();
                }
                CommandResult {
                    stderr: format!("Removed \"/etc/systemd/system/{unit}\".\n"),
                    ..CommandResult::default()
                }
            }
            "is-enabled" => {
                let (word, code) = if masked {
                    ("masked", 1)
                } else if !exists {
                    return CommandResult::fail(
                        1,
                        format!(
                            "Failed to get unit file state for {unit}: No such file or directory\n"
                        ),
                    );
                } else if self.service_mut(name).enabled {
                    ("enabled", 0)
                } else {
                    ("disabled", 1)
                };
                CommandResult {
                    stdout: if quiet {
                        String::new()
                    } else {
                        format!("{word}\n")
                    },
                    stderr: String::new(),
                    exit_code: code,
                }
            }
            "is-active" => {
                let running = exists && self.state.services.get(name).is_some_and(|s| s.running);
                let (word, code) = if running {
                    ("active", 0)
                } else {
                    ("inactive", 3)
                };
                CommandResult {
                    stdout: if quiet {
                        String::new()
                    } else {
                        format!("{word}\n")
                    },
                    stderr: String::new(),
                    exit_code: code,
                }
            }
            other => CommandResult::fail(1, format!("Unknown command verb '{other}'.\n")),
        }
    }

    /// `is-active` or `is-enabled` of several units, as systemctl answers: one state per
    /// unit, in order (none with `--quiet`), exit 0 when any is in the good state, else the
    /// single-unit code; an is-enabled error on one unit ends the answer there.
    fn systemctl_query_each(&mut self, verb: &str, units: &[&str], quiet: bool) -> CommandResult {
        let mut answer = CommandResult::default();
        let mut any = false;
        let mut none_code = 0;
        for unit in units {
            let one = self.systemctl(&[verb.to_owned(), (*unit).to_owned()]);
            if one.exit_code != 0 && one.stdout.is_empty() {
                answer.stderr.push_str(&one.stderr);
                answer.exit_code = one.exit_code;
                return answer;
            }
            if !quiet {
                answer.stdout.push_str(&one.stdout);
            }
            any |= one.exit_code == 0;
            none_code = none_code.max(one.exit_code);
        }
        answer.exit_code = if any { 0 } else { none_code };
        answer
    }

    /// Starts, stops, restarts or reloads `name`, recording it as done `by` a command; the
    /// failures are systemctl's (which `service` prints too under systemd).
    fn control(&mut self, name: &str, verb: &str, by: &str, honour_mask: bool) -> CommandResult {
        let exists = self.exists(name);
        let masked = honour_mask && self.state.services.get(name).is_some_and(|s| s.masked);
        let unit = format!("{name}.service");
        let action = match verb {
            "start" => ServiceAction::Start,
            "stop" => ServiceAction::Stop,
            "restart" => ServiceAction::Restart,
            _ => ServiceAction::Reload,
        };
        let fault = self.state.services.get(name).and_then(|s| s.fault);
        let job_failed = || {
            CommandResult::fail(
                1,
                format!(
                    "Job for {unit} failed because the control process exited with error code.\n\
                     See \"systemctl status {unit}\" and \"journalctl -xeu {unit}\" for details.\n"
                ),
            )
        };
        if action == ServiceAction::Stop {
            if !exists && !masked {
                return CommandResult::fail(
                    5,
                    format!("Failed to stop {unit}: Unit {unit} not loaded.\n"),
                );
            }
            if fault == Some(ServiceFault::FailsToStop) && self.service_mut(name).running {
                return job_failed();
            }
            self.record(name, action, by);
            return CommandResult::default();
        }
        if !exists {
            return CommandResult::fail(
                5,
                format!("Failed to {verb} {unit}: Unit {unit} not found.\n"),
            );
        }
        if masked {
            return CommandResult::fail(
                1,
                format!("Failed to {verb} {unit}: Unit {unit} is masked.\n"),
            );
        }
        if action == ServiceAction::Reload && !self.service_mut(name).running {
            return CommandResult::fail(1, format!("{unit} is not active, cannot reload.\n"));
        }
        if fault == Some(ServiceFault::FailsToStart)
            && matches!(action, ServiceAction::Start | ServiceAction::Restart)
        {
            self.service_mut(name).running = false;
            return job_failed();
        }
        self.record(name, action, by);
        CommandResult::default()
    }

    // ---- service (sysv) ------------------------------------------------------------------

    fn service(&mut self, args: &[String]) -> CommandResult {
        let [name, verb] = args else {
            return CommandResult::fail(1, "Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n".to_owned());
        };
        if !self.exists(name) {
            return CommandResult::fail(1, format!("{name}: unrecognized service\n"));
        }
        match verb.as_str() {
            // Under systemd, `service` redirects to systemctl, masks included; an init script
            // knows nothing of masks.
            "start" | "stop" | "restart" | "reload" => {
                let systemd = self.systemd_booted();
                self.control(name, verb, "service", systemd)
            }
            "status" => {
                let running = self.service_mut(name).running;
                let active = if running { "active (running)" } else { "inactive (dead)" };
                CommandResult {
                    stdout: format!("● {name}.service - {name}\n     Loaded: loaded\n     Active: {active}\n"),
                    stderr: String::new(),
                    exit_code: if running { 0 } else { 3 },
                }
            }
            other => CommandResult::fail(1, format!("Usage: /etc/init.d/{name} {{start|stop|restart|reload|status}} (got {other:?})\n")),
        }
    }

    // ---- update-rc.d ---------------------------------------------------------------------

    fn update_rc_d(&mut self, args: &[String]) -> CommandResult {
        let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let [name, verb, ..] = words.as_slice() else {
            return CommandResult::fail(
                1,
                "usage: update-rc.d [-f] <basename> remove|defaults|enable|disable\n".to_owned(),
            );
        };
        if !self.exists(name) {
            return CommandResult::fail(
                1,
                format!("update-rc.d: error: cannot find a LSB script for {name}\n"),
            );
        }
        match verb.as_str() {
            "defaults" => {
                let enabled = self.service_mut(name).enabled;
                self.rc_links(name, enabled);
            }
            "enable" | "disable" => {
                let enable = verb.as_str() == "enable";
                self.service_mut(name).enabled = enable;
                self.rc_links(name, enable);
            }
            "remove" => self.remove_rc_links(name),
            other => {
                return CommandResult::fail(
                    1,
                    format!("update-rc.d: error: unknown action {other}\n"),
                )
            }
        }
        CommandResult::default()
    }

    /// sysv-rc's record of an enabled service: `S01<name>` links in rc2–5.d (`K01` when
    /// disabled), which the `host` crate reads in sysv mode.
    fn rc_links(&self, name: &str, enabled: bool) {
        self.remove_rc_links(name);
        for level in 0..=6 {
            let runlevel = (2..=5).contains(&level);
            let prefix = if runlevel && enabled { "S01" } else { "K01" };
            let dir = self.root.join(format!("etc/rc{level}.d"));
            let _ = fs::create_dir_all(&dir);
            let _ = symlink(
                format!("../init.d/{name}"),
                dir.join(format!("{prefix}{name}")),
            );
        }
    }

    fn remove_rc_links(&self, name: &str) {
        for level in 0..=6 {
            let dir = self.root.join(format!("etc/rc{level}.d"));
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let file = entry.file_name();
                let file = file.to_string_lossy();
                if (file.starts_with('S') || file.starts_with('K'))
                    && file.len() > 3
                    && file[3..] == *name
                {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }
}

/// dpkg-query's `--showformat`: `${field}` substitutions and backslash escapes.
fn render_dpkg_format(format: &str, package: &str, version: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let field: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let field = field.split(';').next().unwrap_or_default();
                out.push_str(match field {
                    "Package" | "binary:Package" => package,
                    "Version" => version,
                    "Status" => "install ok installed",
                    "db:Status-Abbrev" => "ii ",
                    "db:Status-Want" => "install",
                    "db:Status-Status" => "installed",
                    "Architecture" => "amd64",
                    _ => "",
                });
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
