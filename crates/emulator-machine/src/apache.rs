//! Debian's `a2ensite`, `a2dissite`, `a2enmod` and `a2dismod`: symbolic links in
//! `/etc/apache2/{sites,mods}-enabled` to the files in `…-available`, with the messages and exit
//! codes of Debian's script (`debian/a2enmod` in the apache2 source). Module dependencies
//! (`# Depends:` in a `.load` file) are followed both ways; `# Conflicts:` is not checked, and
//! the `/var/lib/apache2` state markers `a2query` reads are not kept.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use super::CommandResult;

/// What one of the four commands works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Site,
    Module,
}

impl Kind {
    /// `site`, as in "Enabling site x.".
    fn word(self) -> &'static str {
        match self {
            Kind::Site => "site",
            Kind::Module => "module",
        }
    }

    /// `Site`, as in "Site x already enabled".
    fn name(self) -> &'static str {
        match self {
            Kind::Site => "Site",
            Kind::Module => "Module",
        }
    }

    fn dirs(self) -> (&'static str, &'static str) {
        match self {
            Kind::Site => ("etc/apache2/sites-available", "etc/apache2/sites-enabled"),
            Kind::Module => ("etc/apache2/mods-available", "etc/apache2/mods-enabled"),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Kind::Site => ".conf",
            Kind::Module => ".load",
        }
    }
}

/// One run of the script: its output, whether anything changed, whether anything failed.
struct Run<'a> {
    root: &'a Path,
    kind: Kind,
    quiet: bool,
    stdout: String,
    stderr: String,
    changed: bool,
}

/// Runs `a2ensite`, `a2dissite`, `a2enmod` or `a2dismod` on the machine under `root`.
pub(super) fn execute(root: &Path, command: &str, args: &[String]) -> CommandResult {
    let (kind, enable) = match command {
        "a2ensite" => (Kind::Site, true),
        "a2dissite" => (Kind::Site, false),
        "a2enmod" => (Kind::Module, true),
        _ => (Kind::Module, false),
    };
    let mut run = Run {
        root,
        kind,
        quiet: false,
        stdout: String::new(),
        stderr: String::new(),
        changed: false,
    };
    let mut names = Vec::new();
    for arg in args {
        match arg.as_str() {
            "-q" | "--quiet" => run.quiet = true,
            // Forcing and maintainer mode change nothing the emulation keeps.
            "-f" | "--force" | "-m" | "--maintmode" | "-p" | "--purge" => {}
            option if option.starts_with('-') => {
                return CommandResult::fail(2, format!("Unknown option: {}\n", &option[1..]))
            }
            name => names.push(name.to_owned()),
        }
    }
    if names.is_empty() {
        return CommandResult::fail(
            1,
            format!(
                "ERROR: no {} given (the emulated {command} does not prompt for one)\n",
                kind.word()
            ),
        );
    }
    let mut ok = true;
    for name in names {
        let name = name
            .strip_suffix(".load")
            .or_else(|| name.strip_suffix(".conf"))
            .unwrap_or(&name)
            .to_owned();
        let done = if enable {
            run.enable(&name)
        } else {
            run.disable(&name)
        };
        ok &= done;
    }
    if run.changed {
        let verb = match kind {
            Kind::Module => "restart",
            Kind::Site => "reload",
        };
        run.info(&format!(
            "To activate the new configuration, you need to run:\n  systemctl {verb} apache2\n"
        ));
    }
    CommandResult {
        stdout: run.stdout,
        stderr: run.stderr,
        exit_code: if ok { 0 } else { 1 },
    }
}

impl Run<'_> {
    fn info(&mut self, message: &str) {
        if !self.quiet {
            self.stdout.push_str(message);
        }
    }

    fn error(&mut self, message: &str) {
        self.stderr.push_str("ERROR: ");
        self.stderr.push_str(message);
    }

    fn available(&self, file: &str) -> PathBuf {
        self.root.join(self.kind.dirs().0).join(file)
    }

    fn enabled(&self, file: &str) -> PathBuf {
        self.root.join(self.kind.dirs().1).join(file)
    }

    /// A module's `.conf`, which goes with its `.load` when present.
    fn conf_file(&self, name: &str) -> Option<String> {
        let file = format!("{name}.conf");
        (self.kind == Kind::Module && self.available(&file).exists()).then_some(file)
    }

    fn enable(&mut self, name: &str) -> bool {
        let (kind, file) = (self.kind, format!("{name}{}", self.kind.suffix()));
        if !self.available(&file).exists() {
            self.error(&format!("{} {name} does not exist!\n", kind.name()));
            return false;
        }
        if kind == Kind::Module {
            for dependency in depends(&self.available(&file)) {
                self.info(&format!(
                    "Considering dependency {dependency} for {name}:\n"
                ));
                if !self.enable(&dependency) {
                    self.error(&format!(
                        "Could not enable dependency {dependency} for {name}, aborting\n"
                    ));
                    return false;
                }
            }
        }
        let conf = self.conf_file(name);
        if is_link(&self.enabled(&file)) {
            match conf {
                Some(conf) if !is_link(&self.enabled(&conf)) => {
                    self.stdout
                        .push_str(&format!("Enabling config file {conf}.\n"));
                    return self.link(&conf);
                }
                _ => {
                    self.info(&format!("{} {name} already enabled\n", kind.name()));
                    return true;
                }
            }
        }
        if let Some(conf) = conf {
            if !is_link(&self.enabled(&conf)) && !self.link(&conf) {
                return false;
            }
        }
        self.stdout
            .push_str(&format!("Enabling {} {name}.\n", kind.word()));
        if kind == Kind::Module && name == "ssl" {
            self.info(
                "See /usr/share/doc/apache2/README.Debian.gz on how to configure SSL and create \
                 self-signed certificates.\n",
            );
        }
        self.link(&file)
    }

    fn disable(&mut self, name: &str) -> bool {
        let (kind, file) = (self.kind, format!("{name}{}", self.kind.suffix()));
        let link = self.enabled(&file);
        if !self.available(&file).exists() {
            if is_link(&link) {
                self.info(&format!(
                    "removing dangling symlink {}\n",
                    self.shown(&link)
                ));
                let _ = fs::remove_file(&link);
                let conf = self.enabled(&format!("{name}.conf"));
                if kind == Kind::Module && is_link(&conf) {
                    self.info(&format!(
                        "removing dangling symlink {}\n",
                        self.shown(&conf)
                    ));
                    let _ = fs::remove_file(&conf);
                }
                self.changed = true;
                return true;
            }
            self.error(&format!("{} {name} does not exist!\n", kind.name()));
            return false;
        }
        if kind == Kind::Module {
            for dependent in self.enabled_dependents(name) {
                self.info(&format!(
                    "Considering reverse dependency {dependent} for {name}:\n"
                ));
                if !self.disable(&dependent) {
                    self.error(&format!(
                        "Could not disable reverse dependency {dependent} for {name}!\n"
                    ));
                    return false;
                }
            }
        }
        let conf = self.conf_file(name).map(|conf| self.enabled(&conf));
        if is_link(&link) {
            let _ = fs::remove_file(&link);
            if let Some(conf) = conf.filter(|c| is_link(c)) {
                let _ = fs::remove_file(conf);
            }
            self.changed = true;
            self.stdout
                .push_str(&format!("{} {name} disabled.\n", kind.name()));
        } else if let Some(conf) = conf.filter(|c| is_link(c)) {
            self.stdout
                .push_str(&format!("Disabling stale config file {name}.conf.\n"));
            let _ = fs::remove_file(conf);
            self.changed = true;
        } else {
            self.info(&format!("{} {name} already disabled\n", kind.name()));
        }
        true
    }

    /// Enabled modules whose `.load` depends on `name`.
    fn enabled_dependents(&self, name: &str) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.root.join(self.kind.dirs().1)) else {
            return Vec::new();
        };
        let mut dependents: Vec<String> = entries
            .flatten()
            .filter_map(|entry| {
                let file = entry.file_name().to_string_lossy().into_owned();
                let module = file.strip_suffix(".load")?.to_owned();
                depends(&entry.path())
                    .iter()
                    .any(|d| d == name)
                    .then_some(module)
            })
            .collect();
        dependents.sort();
        dependents
    }

    /// `<enabled dir>/<file>` → `../<available dir>/<file>`.
    fn link(&mut self, file: &str) -> bool {
        let (available, enabled) = self.kind.dirs();
        let dir = self.root.join(enabled);
        let available = available.rsplit('/').next().unwrap_or(available);
        let made = fs::create_dir_all(&dir)
            .and_then(|()| symlink(format!("../{available}/{file}"), dir.join(file)));
        match made {
            Ok(()) => {
                self.changed = true;
                true
            }
            Err(err) => {
                let link = self.shown(&dir.join(file));
                self.error(&format!("Could not create {link}: {err}\n"));
                false
            }
        }
    }

    /// A path under the root as the machine sees it.
    fn shown(&self, path: &Path) -> String {
        match path.strip_prefix(self.root) {
            Ok(relative) => format!("/{}", relative.display()),
            Err(_) => path.display().to_string(),
        }
    }
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
}

/// The modules named on `# Depends:` lines of a `.load` file.
fn depends(load: &Path) -> Vec<String> {
    fs::read_to_string(load)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim_start_matches('#').trim().strip_prefix("Depends:"))
        .flat_map(|deps| deps.split([' ', ',']).filter(|d| !d.is_empty()))
        .map(str::to_owned)
        .collect()
}

/// Debian's `a2query -m [MODULE]`, `-s [SITE]` (`-q` quiet): which modules and sites are
/// enabled, by their links in `…-enabled`; exit 32 when the one asked for is not.
pub(super) fn a2query(root: &Path, args: &[String]) -> CommandResult {
    let quiet = args.iter().any(|a| a == "-q");
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "-q")
        .collect();
    let (kind, name) = match words.as_slice() {
        ["-m", rest @ ..] => (Kind::Module, rest.first().copied()),
        ["-s", rest @ ..] => (Kind::Site, rest.first().copied()),
        ["-v"] => return CommandResult::ok("2.4.58\n"),
        _ => {
            return CommandResult::fail(
                1,
                "usage: a2query -q|-m [MODULE]|-s [SITE]|-c [CONF]|-a|-v|-M|-d|-h\n".to_owned(),
            )
        }
    };
    let (_, enabled_dir) = kind.dirs();
    let suffix = match kind {
        Kind::Module => ".load",
        Kind::Site => ".conf",
    };
    let mut enabled: Vec<String> = fs::read_dir(root.join(enabled_dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(suffix)
                .map(str::to_owned)
        })
        .collect();
    enabled.sort();
    let line = |name: &str| format!("{name} (enabled by site administrator)\n");
    match name {
        Some(name) if enabled.iter().any(|e| e == name) => {
            CommandResult::ok(if quiet { String::new() } else { line(name) })
        }
        Some(name) => CommandResult {
            stdout: String::new(),
            stderr: if quiet {
                String::new()
            } else {
                format!("No {} matches {name}\n", kind.word())
            },
            exit_code: 32,
        },
        None => CommandResult::ok(if quiet {
            String::new()
        } else {
            enabled.iter().map(|e| line(e)).collect()
        }),
    }
}
