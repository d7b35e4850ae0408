//! The `hacluster` interface (the `ha` endpoint): a principal asks the hacluster subordinate
//! to run Pacemaker resources for it (VIPs, cloned haproxy, single-node services, DNS
//! records), and hacluster says when the cluster is formed. Wire-compatible with the
//! `hacluster` charm and the reactive `interface:hacluster` layer.
//!
//! | Key | Written by | Value |
//! |---|---|---|
//! | `corosync_bindiface` | principal | NIC corosync binds to (config `vip_iface`, `eth0`) |
//! | `corosync_mcastport` | principal | `4440` |
//! | `json_resources` | principal | `{name: agent}`, e.g. `{"res_manila_haproxy": "lsb:haproxy"}` |
//! | `json_resource_params` | principal | `{name: "  params ...  meta ...  op ..."}` |
//! | `json_delete_resources` | principal | `[name, ...]` to delete |
//! | `json_groups`, `json_clones`, `json_colocations` | principal | `{name: spec}` |
//! | `json_ms`, `json_orders`, `json_locations` | principal | `{name: spec}` (unused by our charms) |
//! | `json_init_services`, `json_systemd_services` | principal | `[service]`: services Pacemaker takes over |
//! | `clustered` | hacluster | `yes` once the resources are configured |
//!
//! Every `json_*` value is Python's `json.dumps(value, sort_keys=True)` with its default
//! separators (`", "`, `": "`); all eleven are always sent, empty ones as `{}` or `[]`.
//! hacluster also accepts each collection under its bare name (`resources`, ...) when the
//! `json_` key is absent; [`HaRequest::from_bag`] does the same, for JSON values only (the
//! oldest charms sent Python literals there).
//!
//! Where to start: an OpenStack charm describes what it runs as [`ServiceResources`] (VIPs
//! and where they go, DNS records, haproxy, single-node services) and gets the [`Crm`];
//! lower down, the principal builds a [`Crm`] itself (`add_vip`, `add_init_service`, ...),
//! publishes [`HaRequest::to_bag`] and reads [`HaAnswer::from_bags`]; the hacluster side reads
//! [`HaRequest::from_bag`] and publishes [`HaAnswer::to_bag`].
//!
//! ```
//! use hacluster::{Crm, HaRequest};
//! let mut crm = Crm::new();
//! crm.add_vip("manila", "10.5.100.1".parse()?)
//!     .add_init_service("manila", "haproxy", true);
//! let bag = HaRequest::new("eth0", crm).to_bag();
//! assert_eq!(bag["json_groups"], r#"{"grp_manila_vips": "res_manila_242d562_vip"}"#);
//! assert_eq!(bag["json_clones"], r#"{"cl_res_manila_haproxy": "res_manila_haproxy"}"#);
//! assert_eq!(bag["corosync_mcastport"], "4440");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod crm;
mod service;

use std::collections::BTreeMap;

use databag::{fields, Bag, FieldError, FieldErrorKind, PyJson, Readiness};
use juju::UnitName;

pub use crm::{hashed_vip_key, service_key, Crm};
pub use service::{DnsRecord, HaConfigError, ServiceResources, Vip, VipNic};

/// The multicast port the reactive layer always sends.
pub const DEFAULT_MCASTPORT: u16 = 4440;

/// What the principal publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaRequest {
    pub bindiface: Option<String>,
    pub mcastport: Option<u16>,
    pub crm: Crm,
}

impl HaRequest {
    /// The request the reactive layer's `bind_resources(iface=...)` makes.
    pub fn new(bindiface: impl Into<String>, crm: Crm) -> Self {
        HaRequest {
            bindiface: Some(bindiface.into()),
            mcastport: Some(DEFAULT_MCASTPORT),
            crm,
        }
    }

    /// The principal's bag: the corosync keys that are set and all eleven `json_*` keys.
    pub fn to_bag(&self) -> Bag {
        let object = |map: &BTreeMap<String, String>| {
            PyJson::sorted_object(
                map.iter()
                    .map(|(k, v)| (k.clone(), PyJson::from(v.as_str()))),
            )
            .dumps()
        };
        let list = |items: &[String]| PyJson::strings(items.iter().cloned()).dumps();
        let crm = &self.crm;
        let mut bag = Bag::from([
            ("json_resources".into(), object(&crm.resources)),
            ("json_delete_resources".into(), list(&crm.delete_resources)),
            ("json_resource_params".into(), object(&crm.resource_params)),
            ("json_groups".into(), object(&crm.groups)),
            ("json_ms".into(), object(&crm.ms)),
            ("json_orders".into(), object(&crm.orders)),
            ("json_colocations".into(), object(&crm.colocations)),
            ("json_clones".into(), object(&crm.clones)),
            ("json_locations".into(), object(&crm.locations)),
            ("json_init_services".into(), list(&crm.init_services)),
            ("json_systemd_services".into(), list(&crm.systemd_services)),
        ]);
        if let Some(iface) = &self.bindiface {
            bag.insert("corosync_bindiface".into(), iface.clone());
        }
        if let Some(port) = self.mcastport {
            bag.insert("corosync_mcastport".into(), port.to_string());
        }
        bag
    }

    /// hacluster's reading of the principal's bag. Ready once the principal has published
    /// its resources (possibly none: `{}`); every other collection defaults to empty.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<Self>, FieldError> {
        if collection(bag, "resources").is_none() {
            return Ok(Readiness::waiting_for(["json_resources"]));
        }
        let crm = Crm {
            resources: object(bag, "resources")?,
            delete_resources: list(bag, "delete_resources")?,
            resource_params: object(bag, "resource_params")?,
            groups: object(bag, "groups")?,
            ms: object(bag, "ms")?,
            orders: object(bag, "orders")?,
            colocations: object(bag, "colocations")?,
            clones: object(bag, "clones")?,
            locations: object(bag, "locations")?,
            init_services: services(bag, "init_services")?,
            systemd_services: services(bag, "systemd_services")?,
        };
        Ok(Readiness::Ready(HaRequest {
            bindiface: fields::text(bag, "corosync_bindiface")?.map(str::to_owned),
            mcastport: fields::port(bag, "corosync_mcastport")?,
            crm,
        }))
    }
}

/// The key a collection is read from, `json_<name>` first, and its text.
fn collection<'a>(bag: &'a Bag, name: &str) -> Option<(String, &'a str)> {
    let json_key = format!("json_{name}");
    // JSON, parsed next: a line break in it cannot reach a file.
    match fields::raw(bag, &json_key) {
        Some(text) => Some((json_key, text)),
        None => fields::raw(bag, name).map(|text| (name.to_owned(), text)),
    }
}

fn parse(bag: &Bag, name: &str) -> Result<Option<(String, serde_json::Value)>, FieldError> {
    let Some((key, text)) = collection(bag, name) else {
        return Ok(None);
    };
    match serde_json::from_str(text) {
        Ok(value) => Ok(Some((key, value))),
        Err(e) => Err(FieldError::new(
            key,
            FieldErrorKind::InvalidJson {
                reason: e.to_string(),
            },
        )),
    }
}

fn shape_error(key: String, expected: &str) -> FieldError {
    FieldError::new(
        key,
        FieldErrorKind::UnexpectedJson {
            expected: expected.to_owned(),
        },
    )
}

fn object(bag: &Bag, name: &str) -> Result<BTreeMap<String, String>, FieldError> {
    let Some((key, value)) = parse(bag, name)? else {
        return Ok(BTreeMap::new());
    };
    let serde_json::Value::Object(map) = value else {
        return Err(shape_error(key, "an object of strings"));
    };
    let mut result = BTreeMap::new();
    for (name, value) in map {
        let serde_json::Value::String(value) = value else {
            return Err(shape_error(key, "an object of strings"));
        };
        result.insert(name, value);
    }
    Ok(result)
}

fn strings(
    key: &str,
    items: Vec<serde_json::Value>,
    expected: &str,
) -> Result<Vec<String>, FieldError> {
    items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(shape_error(key.to_owned(), expected)),
        })
        .collect()
}

fn list(bag: &Bag, name: &str) -> Result<Vec<String>, FieldError> {
    match parse(bag, name)? {
        None => Ok(Vec::new()),
        Some((key, serde_json::Value::Array(items))) => strings(&key, items, "a list of strings"),
        Some((key, _)) => Err(shape_error(key, "a list of strings")),
    }
}

/// Service lists: the reactive layer sends a list; charm-helpers' classic charms send
/// `{resource: service}`, whose values are the services.
fn services(bag: &Bag, name: &str) -> Result<Vec<String>, FieldError> {
    const EXPECTED: &str = "a list of strings or an object of strings";
    match parse(bag, name)? {
        None => Ok(Vec::new()),
        Some((key, serde_json::Value::Array(items))) => strings(&key, items, EXPECTED),
        Some((key, serde_json::Value::Object(map))) => {
            strings(&key, map.into_iter().map(|(_, v)| v).collect(), EXPECTED)
        }
        Some((key, _)) => Err(shape_error(key, EXPECTED)),
    }
}

/// What hacluster answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HaAnswer {
    /// hacluster has configured the resources (`clustered`).
    pub clustered: bool,
}

impl HaAnswer {
    /// hacluster's bag: `clustered=yes`, or unset.
    pub fn to_bag(&self) -> Bag {
        let value = if self.clustered { "yes" } else { "" };
        Bag::from([("clustered".into(), value.to_owned())])
    }

    /// The principal's reading of one hacluster unit's bag. Like the Python layer, any value
    /// other than `yes`/`true` (in any case) means not clustered, never an error.
    pub fn from_bag(bag: &Bag) -> Self {
        let clustered = fields::raw(bag, "clustered")
            .is_some_and(|v| v.eq_ignore_ascii_case("yes") || v.eq_ignore_ascii_case("true"));
        HaAnswer { clustered }
    }

    /// The principal's reading of the relation (one hacluster unit: the subordinate on its
    /// own machine).
    pub fn from_bags(units: &BTreeMap<UnitName, Bag>) -> Self {
        HaAnswer {
            clustered: units.values().any(|bag| HaAnswer::from_bag(bag).clustered),
        }
    }
}

#[cfg(test)]
mod tests;
