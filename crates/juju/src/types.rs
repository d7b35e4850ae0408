//! Values hook tools take and print, typed.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One relation databag, as `relation-get` prints it and `relation-set` takes it: Juju's keys
/// and values are always strings. The workspace's one definition: the interfaces
/// (`databag::Bag`), the charm runtime and the emulator all name this type.
pub type Bag = BTreeMap<String, String>;

/// The workload statuses a charm may set (`status-set` accepts exactly these four).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Waiting,
    Maintenance,
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Waiting => "waiting",
            Status::Maintenance => "maintenance",
            Status::Blocked => "blocked",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status as `status-get` reports it: any of Juju's status words (it also reports
/// `unknown`, `error`, `terminated`, ...), with message and data.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct StatusInfo {
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, rename = "status-data")]
    pub data: BTreeMap<String, serde_json::Value>,
}

/// `juju-log --log-level` values (loggo's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }
}

/// `unit-get` accepts only these two keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitAddressKey {
    PrivateAddress,
    PublicAddress,
}

impl UnitAddressKey {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitAddressKey::PrivateAddress => "private-address",
            UnitAddressKey::PublicAddress => "public-address",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    // The capitalised names are how the emulator's model files spelt them before it used
    // this type.
    #[serde(alias = "Tcp")]
    Tcp,
    #[serde(alias = "Udp")]
    Udp,
}

/// A port or range as `open-port` takes it and `opened-ports` prints it:
/// `8786/tcp`, `8000-8999/udp`, `icmp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Port {
    Icmp,
    Range {
        from: u16,
        to: u16,
        protocol: Protocol,
    },
}

impl Port {
    pub fn tcp(port: u16) -> Port {
        Port::Range {
            from: port,
            to: port,
            protocol: Protocol::Tcp,
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Port::Icmp => f.write_str("icmp"),
            Port::Range { from, to, protocol } => {
                let proto = match protocol {
                    Protocol::Tcp => "tcp",
                    Protocol::Udp => "udp",
                };
                if from == to {
                    write!(f, "{from}/{proto}")
                } else {
                    write!(f, "{from}-{to}/{proto}")
                }
            }
        }
    }
}

impl FromStr for Port {
    type Err = String;
    fn from_str(s: &str) -> Result<Port, String> {
        if s == "icmp" {
            return Ok(Port::Icmp);
        }
        let (range, protocol) = match s.split_once('/') {
            Some((r, "tcp")) => (r, Protocol::Tcp),
            Some((r, "udp")) => (r, Protocol::Udp),
            Some((_, p)) => return Err(format!("unknown protocol {p:?} in port {s:?}")),
            None => (s, Protocol::Tcp),
        };
        let num = |p: &str| {
            p.parse::<u16>()
                .map_err(|_| format!("bad port number in {s:?}"))
        };
        let (from, to) = match range.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => (num(range)?, num(range)?),
        };
        Ok(Port::Range { from, to, protocol })
    }
}

/// `network-get <binding>` output (contract §2.17).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct NetworkInfo {
    #[serde(default, rename = "bind-addresses")]
    pub bind_addresses: Vec<BindAddress>,
    #[serde(default, rename = "egress-subnets")]
    pub egress_subnets: Vec<String>,
    #[serde(default, rename = "ingress-addresses")]
    pub ingress_addresses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BindAddress {
    #[serde(default, rename = "mac-address")]
    pub mac_address: String,
    #[serde(default, rename = "interface-name")]
    pub interface_name: String,
    #[serde(default)]
    pub addresses: Vec<InterfaceAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct InterfaceAddress {
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub cidr: String,
}

impl NetworkInfo {
    /// What `network-get --bind-address` answers: the first address of the first
    /// interface (`jujuc/network-get.go`).
    pub fn bind_address(&self) -> Option<&str> {
        self.bind_addresses
            .first()
            .and_then(|b| b.addresses.first())
            .map(|a| a.value.as_str())
    }

    /// What `network-get --ingress-address` answers: the first ingress address, else the
    /// bind address.
    pub fn ingress_address(&self) -> Option<&str> {
        self.ingress_addresses
            .first()
            .map(String::as_str)
            .or_else(|| self.bind_address())
    }
}

/// `goal-state`: the units and relation members Juju expects to exist.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct GoalState {
    #[serde(default)]
    pub units: BTreeMap<String, GoalStatus>,
    #[serde(default)]
    pub relations: BTreeMap<String, BTreeMap<String, GoalStatus>>,
}

impl GoalState {
    /// Units of this application that are not going away (what ops calls planned units).
    pub fn planned_units(&self) -> usize {
        self.units.values().filter(|s| s.status != "dying").count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct GoalStatus {
    pub status: String,
    #[serde(default)]
    pub since: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_round_trip() {
        for s in ["8786/tcp", "8000-8999/udp", "icmp"] {
            assert_eq!(s.parse::<Port>().unwrap().to_string(), s);
        }
        assert_eq!("80".parse::<Port>().unwrap(), Port::tcp(80));
        assert!("80/sctp".parse::<Port>().is_err());
        assert!("http".parse::<Port>().is_err());
    }
}
