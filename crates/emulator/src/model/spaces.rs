//! Network spaces, and what a unit's bindings answer: every machine has one loopback address
//! on every space, so that charms bound to different spaces see different networks.
//!
//! Space `k` (`alpha`, Juju's default space, is 1; [`Model::add_space`] adds 2, 3, …) is the
//! subnet `127.k.0.0/16` on interface `eth<k-1>`, and machine `n` is
//! `127.k.<n / 254>.<n % 254 + 1>` on it: the same host part on every space. Linux routes
//! all of 127.0.0.0/8 to `lo`, so these addresses work unconfigured, in emulated and in
//! real-host mode alike.
//!
//! An application's endpoints (and `extra-bindings`) are bound to spaces when it is deployed
//! ([`crate::DeployOptions::bind`], a bundle's `bindings:`); the `""` binding is the
//! application's default space, `alpha` unless given, and unbound endpoints follow it.

use std::collections::BTreeMap;

use juju::{AppName, UnitName};

use super::Model;
use crate::charm_definition::Charm;
use crate::error::{Error, Result};
use crate::hooktools::{BindAddress, InterfaceAddress, NetworkSnapshot};

/// Juju's default space, which every model has.
pub const DEFAULT_SPACE: &str = "alpha";

/// The number of the default space: its subnet is 127.1.0.0/16.
const ALPHA: u8 = 1;

/// A network space of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub name: String,
    /// `127.<k>.0.0/16`.
    pub subnet: String,
    /// `eth<k-1>`, the interface every machine has on the space.
    pub interface: String,
}

impl Space {
    fn numbered(name: &str, k: u8) -> Space {
        Space {
            name: name.to_owned(),
            subnet: subnet(k),
            interface: interface(k),
        }
    }
}

impl Model {
    /// `juju add-space <name>`: a new space, on which every machine (present and future) has
    /// an address. Names are Juju's: lower-case letters, digits and inner hyphens.
    pub fn add_space(&mut self, name: &str) -> Result<Space> {
        if !valid_space_name(name) {
            return Err(Error::InvalidSpaceName(name.to_owned()));
        }
        if self.space_number(name).is_some() {
            return Err(Error::SpaceExists(name.to_owned()));
        }
        // 127.255.0.0/16 is the last subnet of the loopback network.
        let k = u8::try_from(self.state.spaces.len() + 2)
            .map_err(|_| Error::Refused(format!("cannot add space {name:?}: too many spaces")))?;
        self.state.spaces.push(name.to_owned());
        self.save()?;
        Ok(Space::numbered(name, k))
    }

    /// The model's spaces, `alpha` first, then in the order they were added.
    pub fn spaces(&self) -> Vec<Space> {
        std::iter::once(DEFAULT_SPACE)
            .chain(self.state.spaces.iter().map(String::as_str))
            .zip(ALPHA..)
            .map(|(name, k)| Space::numbered(name, k))
            .collect()
    }

    /// The space of every binding of the application (each endpoint and extra binding), and
    /// under `""` its default space.
    pub fn bindings(&self, app: &str) -> Result<BTreeMap<String, String>> {
        let (name, application) = self.app(app)?;
        Ok(std::iter::once(String::new())
            .chain(application.charm.meta.bindings())
            .map(|binding| {
                let space = self.binding_space_name(&name, &binding).to_owned();
                (binding, space)
            })
            .collect())
    }

    /// The unit's address on the space `binding` is bound to (`network-get <binding>`).
    pub fn binding_address(&self, unit: &str, binding: &str) -> Result<String> {
        let (name, u) = self.unit(unit)?;
        let charm = &self.state.applications[name.app()].charm;
        if !charm.meta.bindings().contains(binding) {
            return Err(Error::Refused(format!(
                "application {:?} has no endpoint or extra binding {binding:?}",
                name.app().as_str()
            )));
        }
        Ok(space_address(
            u.machine,
            self.binding_space(name.app(), binding),
        ))
    }

    /// Checks `juju deploy --bind`: each endpoint is one of the charm's (or `""`, the default)
    /// and each space exists.
    pub(super) fn check_bindings(
        &self,
        app: &str,
        charm: &Charm,
        bindings: &BTreeMap<String, String>,
    ) -> Result<()> {
        let known = charm.meta.bindings();
        for (endpoint, space) in bindings {
            if !endpoint.is_empty() && !known.contains(endpoint) {
                return Err(Error::UnknownEndpoint {
                    app: app.to_owned(),
                    endpoint: endpoint.clone(),
                });
            }
            self.check_space(space)?;
        }
        Ok(())
    }

    pub(super) fn check_space(&self, space: &str) -> Result<()> {
        match self.space_number(space) {
            Some(_) => Ok(()),
            None => Err(Error::UnknownSpace(space.to_owned())),
        }
    }

    /// What `network-get` answers for each binding of the unit.
    pub(super) fn unit_networks(&self, unit: &UnitName) -> BTreeMap<String, NetworkSnapshot> {
        let (Some(u), Some(app)) = (
            self.state.units.get(unit),
            self.state.applications.get(unit.app()),
        ) else {
            return BTreeMap::new();
        };
        app.charm
            .meta
            .bindings()
            .into_iter()
            .map(|binding| {
                let network = space_network(u.machine, self.binding_space(unit.app(), &binding));
                (binding, network)
            })
            .collect()
    }

    /// The unit's address on the space its application's `binding` is bound to: what Juju
    /// puts in its bag when it enters the scope of a relation on that endpoint.
    pub(super) fn unit_address_for(&self, unit: &UnitName, binding: &str) -> Option<String> {
        let machine = self.state.units.get(unit)?.machine;
        Some(space_address(
            machine,
            self.binding_space(unit.app(), binding),
        ))
    }

    fn binding_space(&self, app: &AppName, binding: &str) -> u8 {
        self.space_number(self.binding_space_name(app, binding))
            .unwrap_or(ALPHA)
    }

    fn binding_space_name<'a>(&'a self, app: &AppName, binding: &str) -> &'a str {
        let Some(application) = self.state.applications.get(app) else {
            return DEFAULT_SPACE;
        };
        application
            .bindings
            .get(binding)
            .or_else(|| application.bindings.get(""))
            .map_or(DEFAULT_SPACE, String::as_str)
    }

    fn space_number(&self, name: &str) -> Option<u8> {
        if name == DEFAULT_SPACE {
            return Some(ALPHA);
        }
        let index = self.state.spaces.iter().position(|s| s == name)?;
        u8::try_from(index + 2).ok()
    }
}

/// Juju's `names.IsValidSpace`: `^[a-z0-9]+(-[a-z0-9]+)*$`.
fn valid_space_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Machine `n`'s address on the default space: 127.1.0.1, 127.1.0.2, … (never 127.0.0.1).
pub(crate) fn machine_address(n: u32) -> String {
    space_address(n, ALPHA)
}

fn space_address(machine: u32, k: u8) -> String {
    format!("127.{k}.{}.{}", machine / 254, machine % 254 + 1)
}

fn subnet(k: u8) -> String {
    format!("127.{k}.0.0/16")
}

fn interface(k: u8) -> String {
    format!("eth{}", k - 1)
}

/// What `network-get` reports for a binding on space `k` of a unit on `machine`.
fn space_network(machine: u32, k: u8) -> NetworkSnapshot {
    let address = space_address(machine, k);
    NetworkSnapshot {
        bind_addresses: vec![BindAddress {
            mac_address: mac_address(machine, k),
            interface_name: interface(k),
            addresses: vec![InterfaceAddress {
                hostname: String::new(),
                value: address.clone(),
                cidr: subnet(k),
            }],
        }],
        egress_subnets: vec![format!("{address}/32")],
        ingress_addresses: vec![address],
    }
}

/// What `network-get` reports for every binding of a unit on `machine` in a model with only
/// the default space.
pub(crate) fn default_network(machine: u32) -> NetworkSnapshot {
    space_network(machine, ALPHA)
}

/// An LXD-style MAC address (`00:16:3e:…`): one byte for the interface, two for the machine
/// (unique below 65536 machines, far beyond what a test deploys).
fn mac_address(machine: u32, k: u8) -> String {
    let [_, _, b, c] = machine.to_be_bytes();
    format!("00:16:3e:{:02x}:{b:02x}:{c:02x}", k - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_names_are_jujus() {
        for good in ["alpha", "beta", "db-net", "a1", "0"] {
            assert!(valid_space_name(good), "{good}");
        }
        for bad in [
            "", "Beta", "db_net", "-db", "db-", "db--net", "db net", "bêta",
        ] {
            assert!(!valid_space_name(bad), "{bad}");
        }
    }

    #[test]
    fn machines_keep_their_host_part_on_every_space() {
        assert_eq!(machine_address(0), "127.1.0.1");
        assert_eq!(space_address(0, 2), "127.2.0.1");
        assert_eq!(space_address(300, 3), "127.3.1.47");
        let network = space_network(300, 3);
        assert_eq!(network.bind_addresses[0].interface_name, "eth2");
        assert_eq!(network.bind_addresses[0].mac_address, "00:16:3e:02:01:2c");
        assert_eq!(network.bind_addresses[0].addresses[0].cidr, "127.3.0.0/16");
        assert_eq!(network.egress_subnets, ["127.3.1.47/32"]);
        assert_eq!(network.ingress_addresses, ["127.3.1.47"]);
    }
}
