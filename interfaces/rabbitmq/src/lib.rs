//! The `rabbitmq` interface (the `amqp` endpoint of the OpenStack charms), both sides, as a
//! codec over relation databags. Wire-compatible with `rabbitmq-server` and the reactive
//! `interface:rabbitmq` layer.
//!
//! | Key | Written by | Value |
//! |---|---|---|
//! | `username` | client | user to create |
//! | `vhost` | client | virtual host to create and grant |
//! | `private-address` | client (and Juju) | the client's `amqp` binding address |
//! | `hostname`, `private-address` | each server unit | its `amqp` address |
//! | `password` | each server unit | the user's password (the same on every unit) |
//! | `ssl_port` | each server unit | TLS port, when TLS is on |
//! | `ssl_ca` | each server unit | base64 of the CA's PEM, when TLS is on |
//! | `clustered` | each server unit | `true` once the units form a cluster |
//! | `vip`, `ha-vip-only` | each server unit | legacy active/passive VIP, when clustered via hacluster |
//! | `ha_queues` | each server unit | `True` for RabbitMQ older than 3.0.1 |
//!
//! A server unit is ready once it has published a `password` and an address
//! (`private-address`, else `hostname`); the client is ready once at least one unit is (the
//! Python interface's `.available`, given that the client knows its own `username` and
//! `vhost`).
//!
//! Where to start: the client publishes an [`AccessRequest`] and reads an [`AmqpConnection`]
//! ([`AmqpConnection::from_bags`], then [`AmqpConnection::transport_url`]); each server unit
//! reads the [`AccessRequest`] and publishes a [`BrokerUnit`].
//!
//! ```
//! use std::collections::BTreeMap;
//! use rabbitmq::{AccessRequest, AmqpConnection};
//! let request = AccessRequest::new("manila", "openstack");
//! let bag = |addr: &str| -> databag::Bag {
//!     [("private-address", addr), ("password", "pw")]
//!         .map(|(k, v)| (k.to_string(), v.to_string())).into()
//! };
//! let units = BTreeMap::from([
//!     ("rabbitmq-server/0".parse()?, bag("10.5.0.30")),
//!     ("rabbitmq-server/1".parse()?, bag("10.5.0.31")),
//! ]);
//! let amqp = AmqpConnection::from_bags(&request, &units)?.ready().expect("ready");
//! assert_eq!(
//!     amqp.transport_url(),
//!     "rabbit://manila:pw@10.5.0.30:5672,manila:pw@10.5.0.31:5672/openstack",
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use databag::fields::PemKind;
use databag::{fields, Bag, FieldError, Host, Readiness, Required, Secret, UnitError};
use juju::UnitName;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The AMQP port when a server unit publishes no `ssl_port`.
pub const DEFAULT_PORT: u16 = 5672;

/// What the client asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    pub username: String,
    pub vhost: String,
    /// The client's `amqp` binding address, published as `private-address` (the reactive
    /// layer sets it explicitly; Juju also sets it on its own).
    pub address: Option<String>,
}

impl AccessRequest {
    pub fn new(username: impl Into<String>, vhost: impl Into<String>) -> Self {
        AccessRequest {
            username: username.into(),
            vhost: vhost.into(),
            address: None,
        }
    }

    pub fn with_address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    /// The client's bag. `private-address` appears only when an address was given, so that
    /// Juju's own value is otherwise left alone.
    pub fn to_bag(&self) -> Bag {
        let mut bag = Bag::from([
            ("username".into(), self.username.clone()),
            ("vhost".into(), self.vhost.clone()),
        ]);
        if let Some(address) = &self.address {
            bag.insert("private-address".into(), address.clone());
        }
        bag
    }

    /// A server unit's reading of one client unit's bag. A value with a line break counts as
    /// not sent: no broker answers such a request.
    pub fn from_bag(bag: &Bag) -> Readiness<Self> {
        let mut required = Required::new(bag);
        let username = required.text("username").ok().flatten();
        let vhost = required.text("vhost").ok().flatten();
        let (Some(username), Some(vhost)) = (username, vhost) else {
            return required.incomplete();
        };
        Readiness::Ready(AccessRequest {
            username,
            vhost,
            address: fields::text(bag, "private-address")
                .ok()
                .flatten()
                .map(str::to_owned),
        })
    }
}

/// What one server unit publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUnit {
    pub address: Host,
    pub password: Secret,
    pub ssl_port: Option<u16>,
    /// The CA's PEM text (base64 on the wire).
    pub ssl_ca: Option<String>,
    pub clustered: bool,
    pub vip: Option<Host>,
    pub ha_vip_only: bool,
    pub ha_queues: bool,
}

impl BrokerUnit {
    /// The server unit's bag, as rabbitmq-server writes it. Unset optional keys are `""`,
    /// which clears them (rabbitmq-server blanks its TLS keys the same way).
    pub fn to_bag(&self) -> Bag {
        let when = |on: bool, word: &str| if on { word.to_owned() } else { String::new() };
        Bag::from([
            ("hostname".into(), self.address.to_string()),
            ("private-address".into(), self.address.to_string()),
            ("password".into(), self.password.expose().to_owned()),
            (
                "ssl_port".into(),
                self.ssl_port.map(|p| p.to_string()).unwrap_or_default(),
            ),
            (
                "ssl_ca".into(),
                self.ssl_ca
                    .as_deref()
                    .map(fields::encode_base64)
                    .unwrap_or_default(),
            ),
            ("clustered".into(), when(self.clustered, "true")),
            (
                "vip".into(),
                self.vip.as_ref().map(Host::to_string).unwrap_or_default(),
            ),
            ("ha-vip-only".into(), when(self.ha_vip_only, "true")),
            // Python's str(True).
            ("ha_queues".into(), when(self.ha_queues, "True")),
        ])
    }

    /// The client's reading of one server unit's bag.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<Self>, FieldError> {
        let mut required = Required::new(bag);
        let address = match fields::host(bag, "private-address")? {
            Some(address) => Some(address),
            None => required.host("hostname")?,
        };
        let password = required.secret("password")?;
        let ssl_port = fields::port(bag, "ssl_port")?;
        let ssl_ca = fields::base64_pem(bag, "ssl_ca", PemKind::Certificates)?;
        let clustered = fields::flag(bag, "clustered")?.unwrap_or(false);
        let vip = fields::host(bag, "vip")?;
        let ha_vip_only = fields::flag(bag, "ha-vip-only")?.unwrap_or(false);
        let ha_queues = fields::flag(bag, "ha_queues")?.unwrap_or(false);
        let (Some(address), Some(password)) = (address, password) else {
            return Ok(required.incomplete());
        };
        Ok(Readiness::Ready(BrokerUnit {
            address,
            password,
            ssl_port,
            ssl_ca,
            clustered,
            vip,
            ha_vip_only,
            ha_queues,
        }))
    }

    fn port(&self) -> u16 {
        self.ssl_port.unwrap_or(DEFAULT_PORT)
    }
}

/// The client's view: its own request and every ready server unit, in unit order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmqpConnection {
    pub username: String,
    pub vhost: String,
    pub servers: Vec<(UnitName, BrokerUnit)>,
}

impl AmqpConnection {
    /// Reads every server unit's bag. Ready when at least one unit is; a malformed bag is
    /// left out, and is an error only when no unit is ready.
    pub fn from_bags(
        request: &AccessRequest,
        units: &BTreeMap<UnitName, Bag>,
    ) -> Result<Readiness<Self>, UnitError> {
        let mut servers = Vec::new();
        let mut first_error = None;
        let mut first_missing = None;
        for (unit, bag) in units {
            match BrokerUnit::from_bag(bag) {
                Ok(Readiness::Ready(server)) => servers.push((unit.clone(), server)),
                Ok(Readiness::Incomplete { missing }) => {
                    first_missing.get_or_insert(missing);
                }
                Err(e) => {
                    first_error.get_or_insert(e.from_unit(unit));
                }
            }
        }
        if servers.is_empty() {
            return match first_error {
                Some(e) => Err(e),
                None => Ok(Readiness::Incomplete {
                    // No units yet: everything a unit must publish is missing.
                    missing: first_missing
                        .unwrap_or_else(|| vec!["hostname".into(), "password".into()]),
                }),
            };
        }
        Ok(Readiness::Ready(AmqpConnection {
            username: request.username.clone(),
            vhost: request.vhost.clone(),
            servers,
        }))
    }

    /// The oslo.messaging transport URL, as charm-manila builds it:
    /// `rabbit://user:password@host:port[,user:password@host:port...]/vhost`.
    ///
    /// With several ready units, one entry per unit at its own address; with a single unit,
    /// its `vip` when it publishes one, else its address. The port is the unit's `ssl_port`,
    /// else 5672. User, password and vhost are percent-encoded (oslo.messaging decodes them;
    /// the generated passwords are alphanumeric and unchanged); IPv6 hosts are bracketed.
    pub fn transport_url(&self) -> String {
        let user = escape(&self.username);
        let hosts: Vec<String> = match self.servers.as_slice() {
            [(_, only)] => {
                let host = only.vip.as_ref().unwrap_or(&only.address);
                vec![entry(&user, only, host)]
            }
            servers => servers
                .iter()
                .map(|(_, server)| entry(&user, server, &server.address))
                .collect(),
        };
        format!("rabbit://{}/{}", hosts.join(","), escape(&self.vhost))
    }

    /// The CA to trust for TLS, from the first server unit that publishes one.
    pub fn ssl_ca(&self) -> Option<&str> {
        self.servers.iter().find_map(|(_, s)| s.ssl_ca.as_deref())
    }

    /// Whether the servers ask for mirrored queues (RabbitMQ older than 3.0.1).
    pub fn ha_queues(&self) -> bool {
        self.servers.iter().any(|(_, s)| s.ha_queues)
    }
}

fn entry(user: &str, server: &BrokerUnit, host: &Host) -> String {
    format!(
        "{user}:{}@{}:{}",
        escape(server.password.expose()),
        host.url_form(),
        server.port()
    )
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn escape(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

#[cfg(test)]
mod tests;
