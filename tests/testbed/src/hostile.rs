//! Hostile input for the charms, and what must hold after each: every option and every
//! relation key a charm reads is given values of the wrong shape, line breaks opening a
//! section, `$`, 1 MB, nothing; afterwards no hook failed, no file a unit wrote gained a line
//! of the attacker's, the services that ran still run, and the status either is ready (the
//! value was usable) or names the input.
//!
//! The values mark what they would inject with the word [`MARK`], so a file that took one in
//! shows it as a key or a section of that name.

use std::collections::BTreeSet;
use std::fmt;

use charm::config::{OptionSpec, OptionType};
use emulator::ConfigValue;
use ini::Line;
use serde_json::Value as Json;

use crate::world::World;

/// The word every injected key and section carries.
pub const MARK: &str = "INJECTED";

/// Hostile values for a text input.
pub fn strings() -> Vec<String> {
    vec![
        format!("ok\n[DEFAULT]\n{MARK} = True"),
        format!("ok\r\n[database]\r\n{MARK} = sqlite://"),
        format!("ok\u{2028}{MARK} = 1"),
        format!("${MARK}"),
        "a\\$b".to_owned(),
        format!("[{MARK}]"),
        "x".repeat(1 << 20),
        String::new(),
        "not, a= valid shape #!".to_owned(),
    ]
}

/// Hostile values for an option of type `ty` (Juju itself refuses a value of the wrong type).
pub fn option_values(ty: OptionType) -> Vec<ConfigValue> {
    match ty {
        OptionType::String { .. } => strings().into_iter().map(ConfigValue::Text).collect(),
        OptionType::Int { .. } => [-1_i64, 0, 1 << 40]
            .into_iter()
            .map(|n| ConfigValue::Typed(Json::from(n)))
            .collect(),
        OptionType::Float { .. } => [-1.5_f64, 0.0, 1e300]
            .into_iter()
            .map(|n| ConfigValue::Typed(Json::from(n)))
            .collect(),
        // true and false are both values the charm must take.
        OptionType::Boolean { .. } => Vec::new(),
    }
}

/// How a value fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Usable: the unit is ready with it.
    Accepted,
    /// Refused: blocked, naming the input.
    Refused,
    /// Refused, with the last good data of the relation kept in force.
    KeptLastGood,
}

/// The counts a run reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub tried: usize,
    pub accepted: usize,
    pub refused: usize,
    pub kept_last_good: usize,
    pub failed_hooks: usize,
    pub panics: usize,
    /// What went wrong, one line each: the test fails unless this is empty.
    pub violations: Vec<String>,
}

impl Tally {
    pub fn count(&mut self, outcome: Outcome) {
        self.tried += 1;
        match outcome {
            Outcome::Accepted => self.accepted += 1,
            Outcome::Refused => self.refused += 1,
            Outcome::KeptLastGood => self.kept_last_good += 1,
        }
    }

    pub fn violation(&mut self, what: impl Into<String>) {
        self.violations.push(what.into());
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} values tried: {} accepted, {} refused, {} kept the last good data; {} failed \
             hooks, {} panics, {} violations",
            self.tried,
            self.accepted,
            self.refused,
            self.kept_last_good,
            self.failed_hooks,
            self.panics,
            self.violations.len()
        )
    }
}

/// What a unit looks like between two hostile values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub unit: String,
    /// The services running on its machine.
    pub running: BTreeSet<String>,
    /// The sections of each INI file it wrote.
    pub sections: Vec<(String, BTreeSet<String>)>,
}

/// INI files the charms write, and other files they write (checked for the mark only).
const INI_FILES: &[&str] = &[
    "/etc/manila/manila.conf",
    "/etc/manila/api-paste.ini",
    "/etc/manila/logging.conf",
];
const OTHER_FILES: &[&str] = &[
    "/etc/haproxy/haproxy.cfg",
    "/etc/apache2/sites-available/manila-api.conf",
    "/etc/memcached.conf",
    "/etc/manila/ssh_image_key.pub",
];

/// Directories of NRPE check files (one `command[...]` or `define service` per file; their
/// names carry the nagios host name).
const NRPE_DIRS: &[&str] = &["/etc/nagios/nrpe.d", "/var/lib/nagios/export"];

/// Services the charms manage.
const SERVICES: &[&str] = &[
    "apache2",
    "haproxy",
    "memcached",
    "manila-scheduler",
    "manila-share",
    "manila-data",
];

impl World {
    /// The unit's running services and the sections of its INI files, now.
    pub fn baseline(&self, unit: &str) -> Baseline {
        let running = SERVICES
            .iter()
            .filter(|name| {
                self.model
                    .service(unit, name)
                    .ok()
                    .flatten()
                    .is_some_and(|s| s.running)
            })
            .map(|name| (*name).to_owned())
            .collect();
        let sections = INI_FILES
            .iter()
            .filter_map(|path| {
                let text = self.file(unit, path)?;
                let names = text
                    .lines()
                    .filter_map(|line| match Line::classify(line) {
                        Line::Section(name) => Some(name.to_owned()),
                        _ => None,
                    })
                    .collect();
                Some(((*path).to_owned(), names))
            })
            .collect();
        Baseline {
            unit: unit.to_owned(),
            running,
            sections,
        }
    }

    /// Runs the queued hooks and records in `tally` what must not happen: a failed hook, a
    /// panic, a file that took a line of the attacker's, a service of `baseline` that stopped.
    /// `input` says what was given, for the violation messages.
    pub fn settle_and_check(&mut self, baseline: &Baseline, input: &str, tally: &mut Tally) {
        let log_from = self.model.debug_log().len();
        let report = self.model.settle().unwrap();
        if !report.units_in_error.is_empty() {
            tally.failed_hooks += report.units_in_error.len();
            tally.violation(format!(
                "{input}: units in error {:?}",
                report.units_in_error
            ));
            for unit in &report.units_in_error {
                // Put it back, so that the next value is tried on a working model.
                let _ = self.model.resolved(unit, false);
            }
            let _ = self.model.settle();
        }
        let panics = self.model.debug_log()[log_from..]
            .iter()
            .filter(|entry| entry.render().contains("panicked"))
            .count();
        if panics > 0 {
            tally.panics += panics;
            tally.violation(format!("{input}: {panics} panics"));
        }
        for problem in self.structure_problems(baseline) {
            tally.violation(format!("{input}: {problem}"));
        }
        let now = self.baseline(&baseline.unit).running;
        let stopped: Vec<&String> = baseline.running.difference(&now).collect();
        if !stopped.is_empty() {
            tally.violation(format!("{input}: stopped {stopped:?}"));
        }
    }

    /// Lines of the attacker's in the unit's files: a line oslo.config cannot read, a
    /// section the file did not have, a key or section carrying [`MARK`].
    fn structure_problems(&self, baseline: &Baseline) -> Vec<String> {
        let mut problems = Vec::new();
        for (path, known) in &baseline.sections {
            let Some(text) = self.file(&baseline.unit, path) else {
                continue;
            };
            for (number, line) in text.lines().enumerate() {
                let at = format!("{path}:{}", number + 1);
                match Line::classify(line) {
                    Line::Section(name) if !known.contains(name) || name.contains(MARK) => {
                        problems.push(format!("{at}: section [{name}] appeared"));
                    }
                    Line::Option { key, .. } if key.contains(MARK) => {
                        problems.push(format!("{at}: option {key} appeared"));
                    }
                    Line::Invalid(why) => problems.push(format!("{at}: {why}")),
                    _ => {}
                }
                if !ini::is_line_safe(line) {
                    problems.push(format!("{at}: a control character"));
                }
            }
        }
        for path in OTHER_FILES {
            let Some(text) = self.file(&baseline.unit, path) else {
                continue;
            };
            for (number, line) in text.lines().enumerate() {
                let first = line.split_whitespace().next().unwrap_or_default();
                if first.contains(MARK) || first.starts_with('[') || !ini::is_line_safe(line) {
                    problems.push(format!("{path}:{}: {line:?}", number + 1));
                }
            }
        }
        for dir in NRPE_DIRS {
            let Ok(entries) = std::fs::read_dir(self.path_on(&baseline.unit, dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.contains(MARK) {
                    problems.push(format!("{dir}/{name} appeared"));
                }
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                for (number, line) in text.lines().enumerate() {
                    if line.contains(MARK) || !ini::is_line_safe(line) {
                        problems.push(format!("{dir}/{name}:{}: {line:?}", number + 1));
                    }
                }
            }
        }
        problems
    }

    /// Sets keys in `unit`'s bag on `relation` as the unit itself would (`relation-set` in a
    /// `juju exec` on it); Juju then runs the other side's relation-changed.
    pub fn relation_set(&mut self, unit: &str, relation: u32, pairs: &[(&str, &str)]) {
        let endpoint = self
            .model
            .relation_endpoints(relation)
            .unwrap()
            .into_iter()
            .find(|e| e.starts_with(&format!("{}:", unit.split('/').next().unwrap())))
            .unwrap_or_else(|| panic!("{unit} is not in relation {relation}"));
        let name = endpoint.split(':').nth(1).unwrap();
        let bag: serde_json::Map<String, Json> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Json::from(*v)))
            .collect();
        let script = format!(
            "relation-set -r {name}:{relation} --file - <<'END_OF_BAG'\n{}\nEND_OF_BAG",
            Json::Object(bag)
        );
        let result = self.model.exec(unit, &[script]).unwrap();
        assert_eq!(result.code, 0, "relation-set failed: {}", result.stderr);
    }
}

/// Every option in `options` with a type that hostile values exist for.
pub fn options_to_try(options: &[OptionSpec]) -> Vec<&OptionSpec> {
    options
        .iter()
        .filter(|o| !option_values(o.ty).is_empty())
        .collect()
}

/// A value shortened for a message.
pub fn shown(value: &str) -> String {
    databag::Quoted(value).to_string()
}
