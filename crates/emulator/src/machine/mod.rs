//! The emulated parts of a unit's machine: Debian packages and init services.
//!
//! A confined unit (one the emulator runs) finds `apt-get`, `dpkg-query`, `service`,
//! `update-rc.d` and `systemctl` first on its `PATH`; they are the hook-tool shim, and the
//! agent answers them here from the machine's [`MachineState`], with the argument forms, output
//! and exit codes of the real tools for everything the `host` crate runs. Packages come from a
//! [`Catalog`] the model is configured with; a package brings the services it provides, which
//! start on installation unless masked or disabled (Debian's postinst behaviour).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The command names answered here rather than by the hook-tool engine.
pub const MACHINE_COMMANDS: &[&str] = &[
    "apt-get",
    "dpkg-query",
    "service",
    "systemctl",
    "update-rc.d",
];

/// The packages the emulated archive offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub packages: BTreeMap<String, CatalogPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPackage {
    pub version: String,
    /// Init services the package ships (started on installation, as Debian does).
    #[serde(default)]
    pub services: Vec<String>,
    /// Directories the package creates, as machine paths (`/etc/manila`).
    #[serde(default)]
    pub directories: Vec<String>,
}

impl Default for Catalog {
    /// Debian 12 (bookworm) versions of the packages the Manila charms and their peers use.
    fn default() -> Catalog {
        let manila = "1:15.1.0-2";
        let entries: &[(&str, &str, &[&str], &[&str])] = &[
            (
                "manila-common",
                manila,
                &[],
                &["/etc/manila", "/var/lib/manila", "/var/log/manila"],
            ),
            ("python3-manila", manila, &[], &[]),
            ("manila-api", manila, &["manila-api"], &["/etc/manila"]),
            (
                "manila-scheduler",
                manila,
                &["manila-scheduler"],
                &["/etc/manila"],
            ),
            ("manila-share", manila, &["manila-share"], &["/etc/manila"]),
            ("manila-data", manila, &["manila-data"], &["/etc/manila"]),
            (
                "apache2",
                "2.4.67-1~deb12u2",
                &["apache2"],
                &["/etc/apache2/sites-available", "/etc/apache2/sites-enabled"],
            ),
            ("libapache2-mod-wsgi-py3", "4.9.4-1+b2", &[], &[]),
            (
                "haproxy",
                "2.6.12-1+deb12u3",
                &["haproxy"],
                &["/etc/haproxy"],
            ),
            ("memcached", "1.6.18-1", &["memcached"], &[]),
            ("python3-memcache", "1.59-5", &[], &[]),
            ("python3-pymysql", "1.0.2-2+deb12u1", &[], &[]),
            (
                "mariadb-server",
                "1:10.11.14-0+deb12u2",
                &["mariadb"],
                &["/etc/mysql"],
            ),
            (
                "rabbitmq-server",
                "3.10.8-1.1+deb12u1",
                &["rabbitmq-server"],
                &["/etc/rabbitmq"],
            ),
            (
                "keystone",
                "2:22.0.2-0+deb12u1",
                &["keystone"],
                &["/etc/keystone"],
            ),
            (
                "nfs-kernel-server",
                "1:2.6.2-4+deb12u1",
                &["nfs-server"],
                &[],
            ),
        ];
        Catalog {
            packages: entries
                .iter()
                .map(|(name, version, services, directories)| {
                    let package = CatalogPackage {
                        version: (*version).to_owned(),
                        services: services.iter().map(|s| (*s).to_owned()).collect(),
                        directories: directories.iter().map(|d| (*d).to_owned()).collect(),
                    };
                    ((*name).to_owned(), package)
                })
                .collect(),
        }
    }
}

/// One machine's packages and services.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineState {
    /// Installed packages and their versions.
    pub packages: BTreeMap<String, String>,
    /// Every service the machine has heard of (a masked service need not be installed).
    pub services: BTreeMap<String, ServiceState>,
    /// How many times `apt-get update` ran.
    pub apt_updates: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    pub enabled: bool,
    pub masked: bool,
    pub running: bool,
    /// Every start, stop, restart and reload, in order, with what caused it.
    pub history: Vec<ServiceEvent>,
}

impl ServiceState {
    /// How many times `action` happened.
    pub fn count(&self, action: ServiceAction) -> usize {
        self.history.iter().filter(|e| e.action == action).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub action: ServiceAction,
    /// The command that caused it: `systemctl`, `service` or `apt-get install`.
    pub by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
pub(crate) struct CommandResult {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) exit_code: i32,
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

/// A machine as one command sees it: its state, the archive, and its root directory.
pub(crate) struct Machine<'a> {
    pub(crate) state: &'a mut MachineState,
    pub(crate) catalog: &'a Catalog,
    pub(crate) root: &'a Path,
}

impl Machine<'_> {
    pub(crate) fn execute(&mut self, command: &str, args: &[String]) -> CommandResult {
        match command {
            "apt-get" => self.apt_get(args),
            "dpkg-query" => self.dpkg_query(args),
            "systemctl" => self.systemctl(args),
            "service" => self.service(args),
            "update-rc.d" => self.update_rc_d(args),
            other => CommandResult::fail(127, format!("{other}: command not found\n")),
        }
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
        service.history.push(ServiceEvent {
            action,
            by: by.to_owned(),
        });
    }

    // ---- apt-get -------------------------------------------------------------------------

    fn apt_get(&mut self, args: &[String]) -> CommandResult {
        let mut words = Vec::new();
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
                | "--purge" => {}
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
                CommandResult::ok("Reading package lists... Done\n")
            }
            "install" => self.apt_install(packages),
            "purge" | "remove" => self.apt_purge(packages),
            other => CommandResult::fail(100, format!("E: Invalid operation {other}\n")),
        }
    }

    const APT_PREAMBLE: &'static str =
        "Reading package lists...\nBuilding dependency tree...\nReading state information...\n";

    fn apt_install(&mut self, names: &[String]) -> CommandResult {
        let mut out = String::from(Self::APT_PREAMBLE);
        if let Some(unknown) = names
            .iter()
            .find(|n| !self.catalog.packages.contains_key(*n))
        {
            return CommandResult {
                stdout: out,
                stderr: format!("E: Unable to locate package {unknown}\n"),
                exit_code: 100,
            };
        }
        let services_before = self.installed_services();
        let mut new = Vec::new();
        for name in names {
            let version = &self.catalog.packages[name].version;
            match self.state.packages.get(name) {
                Some(installed) => out.push_str(&format!(
                    "{name} is already the newest version ({installed}).\n"
                )),
                None => new.push((name.clone(), version.clone())),
            }
        }
        out.push_str(&format!(
            "0 upgraded, {} newly installed, 0 to remove and 0 not upgraded.\n",
            new.len()
        ));
        for (name, version) in &new {
            self.state.packages.insert(name.clone(), version.clone());
            out.push_str(&format!("Setting up {name} ({version}) ...\n"));
            for dir in &self.catalog.packages[name].directories {
                let _ = fs::create_dir_all(self.root.join(dir.trim_start_matches('/')));
            }
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

    fn apt_purge(&mut self, names: &[String]) -> CommandResult {
        let mut out = String::from(Self::APT_PREAMBLE);
        if let Some(unknown) = names
            .iter()
            .find(|n| !self.catalog.packages.contains_key(*n))
        {
            return CommandResult {
                stdout: out,
                stderr: format!("E: Unable to locate package {unknown}\n"),
                exit_code: 100,
            };
        }
        let services_before = self.installed_services();
        for name in names {
            match self.state.packages.remove(name) {
                Some(version) => out.push_str(&format!(
                    "Purging configuration files for {name} ({version}) ...\n"
                )),
                None => out.push_str(&format!(
                    "Package '{name}' is not installed, so not removed\n"
                )),
            }
        }
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
            "start" | "restart" | "reload" => {
                let action = match *verb {
                    "start" => ServiceAction::Start,
                    "restart" => ServiceAction::Restart,
                    _ => ServiceAction::Reload,
                };
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
                    return CommandResult::fail(
                        1,
                        format!("{unit} is not active, cannot reload.\n"),
                    );
                }
                self.record(name, action, "systemctl");
                CommandResult::default()
            }
            "stop" => {
                if !exists && !masked {
                    return CommandResult::fail(
                        5,
                        format!("Failed to stop {unit}: Unit {unit} not loaded.\n"),
                    );
                }
                self.record(name, ServiceAction::Stop, "systemctl");
                CommandResult::default()
            }
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

    // ---- service (sysv) ------------------------------------------------------------------

    fn service(&mut self, args: &[String]) -> CommandResult {
        let [name, verb] = args else {
            return CommandResult::fail(1, "Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n".to_owned());
        };
        if !self.exists(name) {
            return CommandResult::fail(1, format!("{name}: unrecognized service\n"));
        }
        match verb.as_str() {
            "start" | "stop" | "restart" | "reload" => {
                let mut result = self.systemctl(&[verb.clone(), name.clone()]);
                // `service` records itself, not the systemctl it redirects to.
                if result.exit_code == 0 {
                    if let Some(event) = self.service_mut(name).history.last_mut() {
                        event.by = "service".to_owned();
                    }
                }
                result.stdout.clear();
                result
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
