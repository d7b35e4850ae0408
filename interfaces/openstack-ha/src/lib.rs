//! The `openstack-ha` peer interface (the `cluster` endpoint of the OpenStack API charms): each
//! unit tells its peers its address on each network, and every unit builds its haproxy
//! backends from them. Wire-compatible with `interface:openstack-ha` and charms.openstack's
//! `update_peers`.
//!
//! | Key | Written by | Value |
//! |---|---|---|
//! | `private-address` | Juju | the unit's address on the `cluster` binding |
//! | `admin-address` | each unit | its address on the `admin` binding (or `os-admin-network`) |
//! | `internal-address` | each unit | its address on the `internal` binding (or `os-internal-network`) |
//! | `public-address` | each unit | its address on the `public` binding (or `os-public-network`) |
//!
//! A peer is available once it has a `private-address`. Backends are named as haproxy and the
//! Python charms name them, after the unit with its `/` turned into `-` (`manila-1`), and come
//! in unit order (`manila-2` before `manila-10`) so that the rendered haproxy.cfg is stable.
//!
//! Where to start: publish [`LocalAddresses::to_bag`]; read the peers' bags with
//! [`Peers::from_bags`] and ask for [`Peers::backends`]. What an API charm decides from its
//! bindings (the address of each endpoint type, the interface of a VIP) is the `openstack`
//! crate's `network`.
//!
//! ```
//! use std::collections::BTreeMap;
//! use openstack_ha::{AddressKind, Peers};
//! let bag = |addr: &str| -> databag::Bag {
//!     [("private-address", addr)].map(|(k, v)| (k.to_string(), v.to_string())).into()
//! };
//! let peers = Peers::from_bags(&BTreeMap::from([
//!     ("manila/10".parse()?, bag("10.5.0.20")),
//!     ("manila/2".parse()?, bag("10.5.0.12")),
//! ]));
//! let names: Vec<_> = peers.backends(AddressKind::Private).iter().map(|b| b.name()).collect();
//! assert_eq!(names, ["manila-2", "manila-10"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use databag::{fields, Bag, FieldError, Host, Readiness, UnitError};
use juju::UnitName;

/// Which of a unit's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// Juju's `private-address`: the default when the networks are not split.
    Private,
    Admin,
    Internal,
    Public,
}

impl AddressKind {
    pub fn key(self) -> &'static str {
        match self {
            AddressKind::Private => "private-address",
            AddressKind::Admin => "admin-address",
            AddressKind::Internal => "internal-address",
            AddressKind::Public => "public-address",
        }
    }
}

/// What the local unit publishes to its peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAddresses {
    pub admin: String,
    pub internal: String,
    pub public: String,
}

impl LocalAddresses {
    /// The unit's bag (`private-address` is Juju's).
    pub fn to_bag(&self) -> Bag {
        Bag::from([
            ("admin-address".into(), self.admin.clone()),
            ("internal-address".into(), self.internal.clone()),
            ("public-address".into(), self.public.clone()),
        ])
    }
}

/// One peer's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerAddresses {
    pub private: Option<Host>,
    pub admin: Option<Host>,
    pub internal: Option<Host>,
    pub public: Option<Host>,
}

impl PeerAddresses {
    pub fn from_bag(bag: &Bag) -> Result<Self, FieldError> {
        Ok(PeerAddresses {
            private: fields::host(bag, AddressKind::Private.key())?,
            admin: fields::host(bag, AddressKind::Admin.key())?,
            internal: fields::host(bag, AddressKind::Internal.key())?,
            public: fields::host(bag, AddressKind::Public.key())?,
        })
    }

    pub fn get(&self, kind: AddressKind) -> Option<&Host> {
        match kind {
            AddressKind::Private => self.private.as_ref(),
            AddressKind::Admin => self.admin.as_ref(),
            AddressKind::Internal => self.internal.as_ref(),
            AddressKind::Public => self.public.as_ref(),
        }
    }
}

/// One haproxy backend server.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backend {
    pub unit: UnitName,
    pub address: Host,
}

impl Backend {
    /// The server name haproxy.cfg uses: the unit name with a dash (`manila-1`).
    pub fn name(&self) -> String {
        self.unit.dashed()
    }
}

/// What the local unit knows of its peers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Peers {
    pub units: BTreeMap<UnitName, PeerAddresses>,
    /// Peers whose bag holds a malformed address; they are left out of `units` so that one
    /// bad bag does not take every backend down. The caller logs these.
    pub invalid: Vec<UnitError>,
}

impl Peers {
    /// One peer's bag as a readiness (every address is optional: a peer is always ready
    /// unless an address it sent is malformed), for readers that keep the last good data.
    pub fn check(bag: &Bag) -> Result<Readiness<PeerAddresses>, FieldError> {
        PeerAddresses::from_bag(bag).map(Readiness::Ready)
    }

    /// The relation's reading: always ready.
    pub fn read(units: &BTreeMap<UnitName, Bag>) -> Result<Readiness<Self>, UnitError> {
        Ok(Readiness::Ready(Peers::from_bags(units)))
    }

    pub fn from_bags(units: &BTreeMap<UnitName, Bag>) -> Self {
        let mut peers = Peers::default();
        for (unit, bag) in units {
            match PeerAddresses::from_bag(bag) {
                Ok(addresses) => {
                    peers.units.insert(unit.clone(), addresses);
                }
                Err(e) => peers.invalid.push(e.from_unit(unit)),
            }
        }
        peers
    }

    /// Whether any peer has published its `private-address`.
    pub fn is_available(&self) -> bool {
        self.units.values().any(|p| p.private.is_some())
    }

    /// The peers that have published an address of `kind`, in unit order.
    pub fn backends(&self, kind: AddressKind) -> Vec<Backend> {
        self.units
            .iter()
            .filter_map(|(unit, addresses)| {
                addresses.get(kind).map(|address| Backend {
                    unit: unit.clone(),
                    address: address.clone(),
                })
            })
            .collect()
    }

    /// [`Peers::backends`] plus the local unit, in unit order: haproxy on every unit fronts
    /// all of them, itself included.
    pub fn backends_with(&self, kind: AddressKind, local: Backend) -> Vec<Backend> {
        let mut backends = self.backends(kind);
        backends.retain(|b| b.unit != local.unit);
        backends.push(local);
        backends.sort();
        backends
    }
}

#[cfg(test)]
mod tests;
