//! The `nrpe-external-master` interface: a principal tells the nrpe subordinate which NRPE
//! checks it defined on the machine, and the nrpe charm tells the principal the host name
//! nagios knows the machine by. Wire-compatible with the `nrpe` charm
//! (`canonical/charm-nrpe`: `hooks/nrpe_helpers.py`, `PrincipalRelation`) and with what
//! charm-helpers' `contrib/charmsupport/nrpe.py` writes for the OpenStack charms.
//!
//! | Key | Written by | Value |
//! |---|---|---|
//! | `monitors` | principal | YAML, `monitors: {remote: {nrpe: {<check>: {command: check_<check>}}}}`, as PyYAML's `yaml.dump` writes it (block style, keys sorted) |
//! | `primary` | principal | `True`: the nrpe charm may name the host after this unit |
//! | `nagios_hostname` | nrpe | the host name of the machine in nagios, `<nagios_host_context>-<unit>` |
//! | `nagios_host_context` | nrpe | the nrpe charm's `nagios_host_context` option (may be empty) |
//!
//! Besides the relation, the principal writes two files per check that the nrpe charm and
//! nagios read ([`Check::nrpe_cfg`], [`Check::service_cfg`]): the NRPE command in
//! `/etc/nagios/nrpe.d/check_<check>.cfg` and the nagios service definition the nrpe charm
//! exports, `/var/lib/nagios/export/service__<host>_check_<check>.cfg`. Every name in them
//! is a [`NagiosName`] and every text a [`Description`] or [`CommandLine`], none of which can
//! end a line, so a hostile peer or option cannot add a directive.
//!
//! Where to start: the principal builds [`Monitors`] and publishes
//! [`PrincipalData::to_bag`], and reads [`NagiosHost::from_bags`]; the nrpe side reads
//! [`PrincipalData::from_bag`] and publishes [`NagiosHost::to_bag`].

use std::collections::BTreeMap;
use std::fmt;

use databag::{fields, Bag, FieldError, FieldErrorKind, Quoted, Readiness, UnitError};
use juju::UnitName;

pub const MONITORS: &str = "monitors";
pub const PRIMARY: &str = "primary";
pub const NAGIOS_HOSTNAME: &str = "nagios_hostname";
pub const NAGIOS_HOST_CONTEXT: &str = "nagios_host_context";

/// Where NRPE reads check commands (`nrpe.py`'s `NRPE.nrpe_confdir`).
pub const NRPE_CONFDIR: &str = "/etc/nagios/nrpe.d";
/// Where the nrpe charm picks up service definitions for nagios (`NRPE.nagios_exportdir`).
pub const NAGIOS_EXPORTDIR: &str = "/var/lib/nagios/export";

/// The longest name taken: far more than any host or check name.
const MAX_NAME: usize = 255;

/// A name nagios and NRPE take in object names, file names and `command[...]` keys:
/// letters, digits, `_`, `-` and `.`, starting with a letter or digit. (nrpe.py's check
/// names also allow `@`; nothing here needs it.)
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NagiosName(String);

/// Why a text is not a [`NagiosName`], a [`Description`] or a [`CommandLine`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("is empty")]
    Empty,
    #[error("is {0} bytes long; at most {MAX_NAME} are taken")]
    TooLong(usize),
    #[error("{} holds {:?}; use letters, digits, '_', '-' and '.'", Quoted(.0), .1)]
    Character(String, char),
    #[error("{} must start with a letter or a digit", Quoted(.0))]
    Start(String),
    #[error("contains a line break or another control character")]
    ControlCharacter,
    #[error("{} holds {:?}, which nagios refuses in object names", Quoted(.0), .1)]
    Illegal(String, char),
    #[error("contains '$', which NRPE reads as a macro")]
    Macro,
}

impl NagiosName {
    pub fn parse(value: &str) -> Result<NagiosName, NameError> {
        if value.is_empty() {
            return Err(NameError::Empty);
        }
        if value.len() > MAX_NAME {
            return Err(NameError::TooLong(value.len()));
        }
        if let Some(c) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        {
            return Err(NameError::Character(value.to_owned(), c));
        }
        if !value.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(NameError::Start(value.to_owned()));
        }
        Ok(NagiosName(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As PyYAML writes it as a plain mapping key or value: quoted where YAML 1.1 would
    /// read the word as a boolean, a null or a number.
    fn yaml(&self) -> String {
        let s = self.0.as_str();
        let special = matches!(
            s,
            "yes"
                | "Yes"
                | "YES"
                | "no"
                | "No"
                | "NO"
                | "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "on"
                | "On"
                | "ON"
                | "off"
                | "Off"
                | "OFF"
                | "null"
                | "Null"
                | "NULL"
        ) || yaml_number(s);
        if special {
            format!("'{s}'")
        } else {
            s.to_owned()
        }
    }
}

/// Whether PyYAML's resolvers read `s` (a [`NagiosName`]) as an int or a float.
fn yaml_number(s: &str) -> bool {
    let all = |t: &str, f: fn(char) -> bool| !t.is_empty() && t.chars().all(f);
    let digits = |c: char| c.is_ascii_digit() || c == '_';
    if all(s, digits) {
        // 0[0-7_]+ (octal), 0, or [1-9][0-9_]*.
        return match s.strip_prefix('0') {
            Some(rest) => rest.chars().all(|c| matches!(c, '0'..='7' | '_')),
            None => true,
        };
    }
    if let Some(rest) = s.strip_prefix("0b") {
        return all(rest, |c| matches!(c, '0' | '1' | '_'));
    }
    if let Some(rest) = s.strip_prefix("0x") {
        return all(rest, |c| c.is_ascii_hexdigit() || c == '_');
    }
    // [0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?
    let Some((whole, fraction)) = s.split_once('.') else {
        return false;
    };
    let (fraction, exponent) = match fraction.find(['e', 'E']) {
        Some(at) => (&fraction[..at], Some(&fraction[at + 1..])),
        None => (fraction, None),
    };
    all(whole, digits)
        && fraction.chars().all(digits)
        && exponent.map_or(true, |e| {
            e.strip_prefix(['-', '+'])
                .is_some_and(|d| all(d, |c| c.is_ascii_digit()))
        })
}

impl fmt::Display for NagiosName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line of text for a nagios service description: no control character and none of
/// the characters nagios' default `illegal_object_name_chars` refuses (`` `~!$%^&*"|'<>?,()= ``).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(value: &str) -> Result<Description, NameError> {
        if value.len() > MAX_NAME {
            return Err(NameError::TooLong(value.len()));
        }
        if value.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        if let Some(c) = value.chars().find(|c| "`~!$%^&*\"|'<>?,()=".contains(*c)) {
            return Err(NameError::Illegal(value.to_owned(), c));
        }
        Ok(Description(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One NRPE command line (what NRPE hands to `/bin/sh -c`): one line, no control character,
/// and no `$`, which NRPE reads as the start of a `$ARGn$` macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine(String);

impl CommandLine {
    pub fn parse(value: &str) -> Result<CommandLine, NameError> {
        if value.is_empty() {
            return Err(NameError::Empty);
        }
        if value.len() > fields::MAX_VALUE {
            return Err(NameError::TooLong(value.len()));
        }
        if value.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        if value.contains('$') {
            return Err(NameError::Macro);
        }
        Ok(CommandLine(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One NRPE check a principal defines: `check_<name>` runs `command_line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The short name (nrpe.py's `shortname`): the `monitors` key and the file names.
    pub name: NagiosName,
    pub description: Description,
    pub command_line: CommandLine,
}

impl Check {
    /// The NRPE command, `check_<name>`.
    pub fn command(&self) -> NagiosName {
        NagiosName(format!("check_{}", self.name))
    }

    /// `/etc/nagios/nrpe.d/check_<name>.cfg`.
    pub fn nrpe_cfg_path(&self) -> String {
        format!("{NRPE_CONFDIR}/{}.cfg", self.command())
    }

    /// The NRPE command file, as nrpe.py's `Check.write` lays it out (the servicegroups
    /// header is there when there are servicegroups, which nrpe.py always has: they default
    /// to the nagios context).
    pub fn nrpe_cfg(&self, servicegroups: &[NagiosName]) -> String {
        let mut text = format!("# check {}\n", self.name);
        if !servicegroups.is_empty() {
            text.push_str("# The following header was added automatically by juju\n");
            text.push_str("# Modifying it will affect nagios monitoring and alerting\n");
            text.push_str(&format!("# servicegroups: {}\n", join(servicegroups)));
        }
        text.push_str(&format!(
            "command[{}]={}\n",
            self.command(),
            self.command_line.0
        ));
        text
    }

    /// `/var/lib/nagios/export/service__<host>_check_<name>.cfg`.
    pub fn service_cfg_path(&self, host: &NagiosName) -> String {
        format!("{NAGIOS_EXPORTDIR}/service__{host}_{}.cfg", self.command())
    }

    /// The nagios service definition the nrpe charm exports, as nrpe.py's
    /// `Check.service_template` lays it out.
    pub fn service_cfg(&self, host: &NagiosName, servicegroups: &[NagiosName]) -> String {
        format!(
            "\n#---------------------------------------------------\n\
             # This file is Juju managed\n\
             #---------------------------------------------------\n\
             define service {{\n    \
             use                             active-service\n    \
             host_name                       {host}\n    \
             service_description             {host}[{name}] {description}\n    \
             check_command                   check_nrpe!{command}\n    \
             servicegroups                   {groups}\n\
             \n}}\n",
            name = self.name,
            description = self.description.0,
            command = self.command(),
            groups = join(servicegroups),
        )
    }
}

fn join(names: &[NagiosName]) -> String {
    names
        .iter()
        .map(NagiosName::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// One entry of `monitors.remote.nrpe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    /// The NRPE command nagios runs, `check_<name>`.
    pub command: NagiosName,
    pub max_check_attempts: Option<u32>,
}

/// The checks a principal announces, by short name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Monitors(pub BTreeMap<NagiosName, Monitor>);

impl Monitors {
    /// The monitors of `checks`.
    pub fn of<'a>(checks: impl IntoIterator<Item = &'a Check>) -> Monitors {
        Monitors(
            checks
                .into_iter()
                .map(|check| {
                    (
                        check.name.clone(),
                        Monitor {
                            command: check.command(),
                            max_check_attempts: None,
                        },
                    )
                })
                .collect(),
        )
    }

    /// The YAML text, as PyYAML's `yaml.dump` writes nrpe.py's dictionary.
    pub fn to_yaml(&self) -> String {
        let mut text = String::from("monitors:\n  remote:\n    nrpe:");
        if self.0.is_empty() {
            text.push_str(" {}\n");
            return text;
        }
        text.push('\n');
        for (name, monitor) in &self.0 {
            text.push_str(&format!(
                "      {}:\n        command: {}\n",
                name.yaml(),
                monitor.command.yaml()
            ));
            if let Some(attempts) = monitor.max_check_attempts {
                text.push_str(&format!("        max_check_attempts: {attempts}\n"));
            }
        }
        text
    }

    /// Reads `monitors` as the nrpe charm does (`Monitors.add_monitors`): the checks under
    /// `monitors.remote.nrpe`; other check types (`local`, other remote kinds) are not
    /// taken. Anything else malformed is refused, with the reason.
    pub fn from_yaml(text: &str) -> Result<Monitors, String> {
        use serde_yaml::Value;
        let value: Value = serde_yaml::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
        let get = |v: &Value, key: &str| -> Result<Option<Value>, String> {
            match v {
                Value::Mapping(m) => Ok(m.get(key).cloned()),
                Value::Null => Ok(None),
                _ => Err(format!("expected a mapping holding {key:?}")),
            }
        };
        let Some(monitors) = get(&value, "monitors")? else {
            return Ok(Monitors::default());
        };
        let Some(remote) = get(&monitors, "remote")? else {
            return Ok(Monitors::default());
        };
        let nrpe = match get(&remote, "nrpe")? {
            None | Some(Value::Null) => return Ok(Monitors::default()),
            Some(Value::Mapping(m)) => m,
            Some(_) => return Err("expected a mapping under monitors.remote.nrpe".to_owned()),
        };
        let mut checks = BTreeMap::new();
        for (key, entry) in nrpe {
            let Value::String(key) = key else {
                return Err("a check name under monitors.remote.nrpe is not text".to_owned());
            };
            let name = NagiosName::parse(&key).map_err(|e| format!("check name: {e}"))?;
            let Value::Mapping(entry) = entry else {
                return Err(format!("check {name}: expected a mapping"));
            };
            let command = match entry.get("command") {
                Some(Value::String(c)) => {
                    NagiosName::parse(c).map_err(|e| format!("check {name}: command {e}"))?
                }
                _ => return Err(format!("check {name}: expected a command name")),
            };
            let max_check_attempts = match entry.get("max_check_attempts") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) => Some(
                    n.as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or_else(|| format!("check {name}: max_check_attempts out of range"))?,
                ),
                Some(_) => return Err(format!("check {name}: max_check_attempts is no number")),
            };
            checks.insert(
                name,
                Monitor {
                    command,
                    max_check_attempts,
                },
            );
        }
        Ok(Monitors(checks))
    }
}

/// What the principal publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalData {
    pub monitors: Monitors,
    /// nrpe.py's `primary` (`NRPE(primary=True)`, the default).
    pub primary: bool,
}

impl PrincipalData {
    pub fn to_bag(&self) -> Bag {
        Bag::from([
            (MONITORS.to_owned(), self.monitors.to_yaml()),
            (
                PRIMARY.to_owned(),
                if self.primary { "True" } else { "False" }.to_owned(),
            ),
        ])
    }

    /// The nrpe side's reading of one principal unit's bag: incomplete until `monitors`.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<PrincipalData>, FieldError> {
        let Some(text) = fields::raw(bag, MONITORS) else {
            return Ok(Readiness::waiting_for([MONITORS]));
        };
        if text.len() > fields::MAX_VALUE {
            return Err(FieldError::new(
                MONITORS,
                FieldErrorKind::TooLong {
                    len: text.len(),
                    max: fields::MAX_VALUE,
                },
            ));
        }
        let monitors = Monitors::from_yaml(text)
            .map_err(|reason| FieldError::new(MONITORS, FieldErrorKind::Refused { reason }))?;
        let primary = fields::flag(bag, PRIMARY)?.unwrap_or(false);
        Ok(Readiness::Ready(PrincipalData { monitors, primary }))
    }
}

/// What the nrpe charm tells the principal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NagiosHost {
    pub hostname: Option<NagiosName>,
    pub host_context: Option<NagiosName>,
}

impl NagiosHost {
    pub fn to_bag(&self) -> Bag {
        let text = |n: &Option<NagiosName>| n.as_ref().map(|n| n.0.clone()).unwrap_or_default();
        Bag::from([
            (NAGIOS_HOSTNAME.to_owned(), text(&self.hostname)),
            (NAGIOS_HOST_CONTEXT.to_owned(), text(&self.host_context)),
        ])
    }

    /// One nrpe unit's bag; always ready (the principal names the host itself until the nrpe
    /// charm says otherwise).
    pub fn from_bag(bag: &Bag) -> Result<Readiness<NagiosHost>, FieldError> {
        let name = |key: &str| -> Result<Option<NagiosName>, FieldError> {
            fields::text(bag, key)?
                .map(|v| {
                    NagiosName::parse(v).map_err(|e| {
                        FieldError::new(
                            key,
                            FieldErrorKind::Refused {
                                reason: format!("not a nagios name: {e}"),
                            },
                        )
                    })
                })
                .transpose()
        };
        Ok(Readiness::Ready(NagiosHost {
            hostname: name(NAGIOS_HOSTNAME)?,
            host_context: name(NAGIOS_HOST_CONTEXT)?,
        }))
    }

    /// The relation, as charm-helpers' `get_nagios_hostname` and `get_nagios_hostcontext`
    /// read it: the first unit that sent a host name (on a machine there is one nrpe unit).
    pub fn from_bags(units: &BTreeMap<UnitName, Bag>) -> Result<Readiness<NagiosHost>, UnitError> {
        let mut first = NagiosHost::default();
        for (unit, bag) in units {
            let Readiness::Ready(host) =
                NagiosHost::from_bag(bag).map_err(|e| e.from_unit(unit))?
            else {
                continue;
            };
            if host.hostname.is_some() {
                return Ok(Readiness::Ready(host));
            }
            if first.host_context.is_none() {
                first.host_context = host.host_context;
            }
        }
        Ok(Readiness::Ready(first))
    }

    /// The nagios host name of `unit`: the one the nrpe charm sent, else nrpe.py's
    /// `<nagios_context>-<unit with '/' as '-'>`.
    pub fn host_name(&self, nagios_context: &NagiosName, unit: &UnitName) -> NagiosName {
        self.hostname.clone().unwrap_or_else(|| {
            NagiosName(format!(
                "{nagios_context}-{}",
                unit.to_string().replace('/', "-")
            ))
        })
    }

    /// The unit as check descriptions name it (`get_nagios_unit_name`): `<context>:<unit>`
    /// with a host context, else the unit.
    pub fn unit_label(&self, unit: &UnitName) -> String {
        match &self.host_context {
            Some(context) => format!("{context}:{unit}"),
            None => unit.to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
