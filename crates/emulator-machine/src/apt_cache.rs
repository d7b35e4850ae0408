//! `apt-cache` and `dpkg` as a Debian/Ubuntu machine answers them, from the catalog and the
//! machine's installed packages: what charmhelpers' `ubuntu_apt_pkg` (its python-apt
//! stand-in) and `fetch` helpers parse (`apt-cache show --no-all-versions`,
//! `dpkg-query --list`, `dpkg --compare-versions`, `apt-cache policy`).

use std::cmp::Ordering;

use super::{archive, CommandResult, Machine};

pub(super) const ARCH: &str = "amd64";

impl Machine<'_> {
    /// `names` and, depth first, every package they depend on, each once, dependencies
    /// first (the order apt sets them up).
    pub(super) fn with_dependencies(&self, names: &[String]) -> Vec<String> {
        fn visit(machine: &Machine<'_>, name: &str, out: &mut Vec<String>) {
            if out.iter().any(|n| n == name) {
                return;
            }
            if let Some(package) = machine.catalog.packages.get(name) {
                for dep in &package.depends {
                    visit(machine, dep, out);
                }
            }
            out.push(name.to_owned());
        }
        let mut out = Vec::new();
        for name in names {
            visit(self, name, &mut out);
        }
        out
    }

    pub(super) fn apt_cache(&mut self, args: &[String]) -> CommandResult {
        let words: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
            .collect();
        let Some((verb, names)) = words.split_first() else {
            return CommandResult::fail(100, "E: No operation specified\n".to_owned());
        };
        match *verb {
            "show" => self.apt_cache_show(names),
            "policy" => self.apt_cache_policy(names),
            "madison" => self.apt_cache_madison(names),
            "pkgnames" => {
                let prefix = names.first().copied().unwrap_or("");
                let listed: String = self
                    .catalog
                    .packages
                    .keys()
                    .filter(|n| n.starts_with(prefix))
                    .map(|n| format!("{n}\n"))
                    .collect();
                CommandResult::ok(listed)
            }
            other => CommandResult::fail(100, format!("E: Invalid operation {other}\n")),
        }
    }

    fn candidate(&self, name: &str) -> Option<String> {
        self.catalog
            .candidate(name, &self.state.apt_suites)
            .map(str::to_owned)
    }

    /// `apt-cache show`: one stanza per known package (the candidate); exit 100 naming the
    /// first unknown one when none is known.
    fn apt_cache_show(&self, names: &[&str]) -> CommandResult {
        let mut out = String::new();
        let mut errors = String::new();
        for name in names {
            let (Some(package), Some(version)) =
                (self.catalog.packages.get(*name), self.candidate(name))
            else {
                errors.push_str("E: No packages found\n");
                continue;
            };
            out.push_str(&format!("Package: {name}\nArchitecture: {ARCH}\nVersion: {version}\nPriority: optional\nSection: misc\n"));
            if !package.depends.is_empty() {
                out.push_str(&format!("Depends: {}\n", package.depends.join(", ")));
            }
            let description = if package.description.is_empty() {
                name
            } else {
                package.description.as_str()
            };
            out.push_str(&format!("Description: {description}\n\n"));
        }
        CommandResult {
            exit_code: if out.is_empty() && !names.is_empty() {
                100
            } else {
                0
            },
            stdout: out,
            stderr: errors,
        }
    }

    fn apt_cache_policy(&self, names: &[&str]) -> CommandResult {
        let mut out = String::new();
        for name in names {
            let Some(candidate) = self.candidate(name) else {
                out.push_str(&format!("N: Unable to locate package {name}\n"));
                continue;
            };
            let installed = self
                .state
                .packages
                .get(*name)
                .cloned()
                .unwrap_or_else(|| "(none)".to_owned());
            out.push_str(&format!(
                "{name}:\n  Installed: {installed}\n  Candidate: {candidate}\n  Version table:\n     {candidate} 500\n        500 http://archive.ubuntu.com/ubuntu noble/main {ARCH} Packages\n"
            ));
        }
        CommandResult::ok(out)
    }

    fn apt_cache_madison(&self, names: &[&str]) -> CommandResult {
        let mut out = String::new();
        for name in names {
            if let Some(candidate) = self.candidate(name) {
                out.push_str(&format!(
                    "{name:>10} | {candidate} | http://archive.ubuntu.com/ubuntu noble/main {ARCH} Packages\n"
                ));
            }
        }
        if out.is_empty() {
            return CommandResult::fail(
                100,
                format!("N: Unable to locate package {}\n", names.join(" ")),
            );
        }
        CommandResult::ok(out)
    }

    /// `dpkg`: `--compare-versions`, `--print-architecture`, `-l`/`--list`, `-s`/`--status`.
    pub(super) fn dpkg(&mut self, args: &[String]) -> CommandResult {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            ["--compare-versions", a, op, b] => compare(a, op, b),
            ["--print-architecture"] => CommandResult::ok(format!("{ARCH}\n")),
            ["-l" | "--list", names @ ..] => self.dpkg_list(names.iter()),
            ["-s" | "--status", names @ ..] => {
                let mut result = CommandResult::default();
                for name in names {
                    match self.state.packages.get(*name) {
                        Some(version) => result.stdout.push_str(&format!(
                            "Package: {name}\nStatus: install ok installed\nArchitecture: {ARCH}\nVersion: {version}\n\n"
                        )),
                        None => {
                            result.stderr.push_str(&format!(
                                "dpkg-query: package '{name}' is not installed and no information is available\n"
                            ));
                            result.exit_code = 1;
                        }
                    }
                }
                result
            }
            _ => CommandResult::fail(
                2,
                format!(
                    "dpkg: error: the emulated dpkg does not take {}\n",
                    args.join(" ")
                ),
            ),
        }
    }

    /// `dpkg-query --list` (`dpkg -l`): the header, then one `ii` line per installed
    /// package asked for (all when none is named); exit 1 naming a package not found.
    pub(super) fn dpkg_list<'s>(
        &self,
        names: impl Iterator<Item = impl AsRef<str> + 's>,
    ) -> CommandResult {
        let names: Vec<String> = names.map(|n| n.as_ref().to_owned()).collect();
        let mut out = String::from(
            "Desired=Unknown/Install/Remove/Purge/Hold\n\
             | Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n\
             |/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n\
             ||/ Name           Version      Architecture Description\n\
             +++-==============-============-============-=================================\n",
        );
        let mut result = CommandResult::default();
        let listed: Vec<(&String, &String)> = if names.is_empty() {
            self.state.packages.iter().collect()
        } else {
            names
                .iter()
                .filter_map(|name| self.state.packages.get_key_value(name))
                .collect()
        };
        for name in &names {
            if !self.state.packages.contains_key(name) {
                result
                    .stderr
                    .push_str(&format!("dpkg-query: no packages found matching {name}\n"));
                result.exit_code = 1;
            }
        }
        for (name, version) in listed {
            out.push_str(&format!("ii  {name:<14} {version:<12} {ARCH:<12} {name}\n"));
        }
        if result.exit_code != 0 && names.len() == 1 {
            return result;
        }
        result.stdout = out;
        result
    }
}

/// `dpkg --compare-versions a op b`: exit 0 when true, 1 when false.
fn compare(a: &str, op: &str, b: &str) -> CommandResult {
    let order = archive::compare_versions(a, b);
    let holds = match op {
        "lt" | "<<" => order == Ordering::Less,
        "le" | "<=" => order != Ordering::Greater,
        "eq" | "=" => order == Ordering::Equal,
        "ne" => order != Ordering::Equal,
        "ge" | ">=" => order != Ordering::Less,
        "gt" | ">>" => order == Ordering::Greater,
        other => {
            return CommandResult::fail(
                2,
                format!("dpkg: error: --compare-versions takes three arguments: <version> <relation> <version>\n(bad relation {other})\n"),
            )
        }
    };
    CommandResult {
        exit_code: if holds { 0 } else { 1 },
        ..CommandResult::default()
    }
}
