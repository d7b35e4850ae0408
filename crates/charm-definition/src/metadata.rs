//! `metadata.yaml`, as `juju/charm:meta.go` reads and checks it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use super::{mapping_entries, yaml_kind};

/// The parts of a charm's metadata the emulator acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub name: String,
    pub summary: String,
    pub description: String,
    pub subordinate: bool,
    /// Includes the implicit `juju-info` endpoint every charm provides.
    pub provides: BTreeMap<String, Endpoint>,
    pub requires: BTreeMap<String, Endpoint>,
    pub peers: BTreeMap<String, Endpoint>,
    pub extra_bindings: BTreeSet<String>,
    /// `storage:`: the stores the charm declares.
    #[serde(default)]
    pub storage: BTreeMap<String, StorageSpec>,
    /// `resources:`: the files the application is deployed with.
    #[serde(default)]
    pub resources: BTreeMap<String, ResourceSpec>,
}

/// One store of `metadata.yaml`'s `storage:` (`juju/charm` `meta.go` `Storage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageSpec {
    /// `filesystem` or `block`.
    pub kind: String,
    /// Where a filesystem is mounted (default `/var/lib/juju/storage/<name>/<n>`).
    pub location: Option<String>,
    /// How many instances a unit gets at deployment (`multiple.range`'s minimum; 1 without).
    pub min: u32,
    /// How many it may have (`None`: no limit).
    pub max: Option<u32>,
}

/// One resource of `metadata.yaml`'s `resources:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceSpec {
    /// `file` or `oci-image`.
    pub kind: String,
    /// The name the file has on the unit.
    pub filename: String,
}

/// One relation endpoint of a charm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub interface: String,
    pub scope: Scope,
    pub limit: Option<u32>,
    pub optional: bool,
}

/// Which side of a relation an endpoint is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Provider,
    Requirer,
    Peer,
}

impl Role {
    /// The role an endpoint must have to relate to this one.
    pub fn counterpart(self) -> Role {
        match self {
            Role::Provider => Role::Requirer,
            Role::Requirer => Role::Provider,
            Role::Peer => Role::Peer,
        }
    }
}

/// `global`, or `container`: units see only their co-located counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Global,
    Container,
}

pub const JUJU_INFO: &str = "juju-info";

impl Metadata {
    /// `metadata.yaml` as a YAML document, with the checks of `juju/charm`'s `meta.go`.
    pub fn parse(doc: &Value) -> Result<Metadata, String> {
        if !doc.is_mapping() {
            return Err(format!("expected a mapping, got {}", yaml_kind(doc)));
        }
        let text = |key: &str| -> Result<String, String> {
            match doc.get(key) {
                Some(Value::String(s)) => Ok(s.clone()),
                None | Some(Value::Null) => Err(format!("{key}: expected string, got nothing")),
                Some(other) => Err(format!("{key}: expected string, got {}", yaml_kind(other))),
            }
        };
        let name = text("name")?;
        if !valid_charm_name(&name) {
            return Err(format!("invalid charm name {name:?}"));
        }
        let summary = text("summary")?;
        let description = text("description")?;
        let subordinate = match doc.get("subordinate") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "subordinate: expected bool, got {}",
                    yaml_kind(other)
                ))
            }
        };
        let mut meta = Metadata {
            provides: endpoints(doc, "provides")?,
            requires: endpoints(doc, "requires")?,
            peers: endpoints(doc, "peers")?,
            extra_bindings: doc
                .get("extra-bindings")
                .map(|v| mapping_entries(v, "extra-bindings"))
                .transpose()?
                .unwrap_or_default()
                .into_iter()
                .map(|(k, _)| k.to_owned())
                .collect(),
            storage: storage(doc)?,
            resources: resources(doc)?,
            name,
            summary,
            description,
            subordinate,
        };
        meta.check()?;
        // Every charm provides juju-info implicitly, unless it names an endpoint so itself
        // (a subordinate's container-scoped `requires: juju-info`).
        if meta.endpoint(JUJU_INFO).is_none() {
            meta.provides.insert(
                JUJU_INFO.to_owned(),
                Endpoint {
                    interface: JUJU_INFO.to_owned(),
                    scope: Scope::Global,
                    limit: None,
                    optional: false,
                },
            );
        }
        Ok(meta)
    }

    /// The checks of `meta.go` `Check` that matter here.
    fn check(&self) -> Result<(), String> {
        let mut seen = BTreeSet::new();
        for (role, endpoints) in [
            (Role::Provider, &self.provides),
            (Role::Requirer, &self.requires),
            (Role::Peer, &self.peers),
        ] {
            for (name, endpoint) in endpoints {
                if !seen.insert(name) {
                    return Err(format!(
                        "charm {:?} using a duplicated relation name: {name:?}",
                        self.name
                    ));
                }
                let implicit_ok = role == Role::Requirer && endpoint.scope == Scope::Container;
                if reserved(name) && !self.name.starts_with("juju-") && !implicit_ok {
                    return Err(format!(
                        "charm {:?} using a reserved relation name: {name:?}",
                        self.name
                    ));
                }
                if role != Role::Requirer
                    && reserved(&endpoint.interface)
                    && !self.name.starts_with("juju-")
                {
                    return Err(format!(
                        "charm {:?} relation {name:?} using a reserved interface: {:?}",
                        self.name, endpoint.interface
                    ));
                }
            }
        }
        if self.subordinate
            && !self
                .requires
                .values()
                .any(|endpoint| endpoint.scope == Scope::Container)
        {
            return Err(format!(
                "subordinate charm {:?} lacks \"requires\" relation with container scope",
                self.name
            ));
        }
        Ok(())
    }

    /// The endpoint called `name`, with its role.
    pub fn endpoint(&self, name: &str) -> Option<(Role, &Endpoint)> {
        self.provides
            .get(name)
            .map(|e| (Role::Provider, e))
            .or_else(|| self.requires.get(name).map(|e| (Role::Requirer, e)))
            .or_else(|| self.peers.get(name).map(|e| (Role::Peer, e)))
    }

    /// Every endpoint with its role, providers first.
    /// Whether `endpoint` is one of the charm's peer relations.
    pub fn is_peer(&self, endpoint: &str) -> bool {
        self.peers.contains_key(endpoint)
    }

    pub fn endpoints(&self) -> impl Iterator<Item = (&str, Role, &Endpoint)> {
        tagged(&self.provides, Role::Provider)
            .chain(tagged(&self.requires, Role::Requirer))
            .chain(tagged(&self.peers, Role::Peer))
    }

    /// Names `network-get` answers for: every endpoint and extra binding.
    pub fn bindings(&self) -> BTreeSet<String> {
        self.endpoints()
            .map(|(name, _, _)| name.to_owned())
            .chain(self.extra_bindings.iter().cloned())
            .collect()
    }
}

fn tagged(
    map: &BTreeMap<String, Endpoint>,
    role: Role,
) -> impl Iterator<Item = (&str, Role, &Endpoint)> {
    map.iter().map(move |(name, e)| (name.as_str(), role, e))
}

/// Names Juju keeps for itself: `juju` and `juju-*` (endpoints, interfaces, actions).
pub fn reserved(name: &str) -> bool {
    name == "juju" || name.starts_with("juju-")
}

/// `juju/charm`: `^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$`.
pub fn valid_charm_name(name: &str) -> bool {
    let mut segments = name.split('-');
    let first_ok = segments.next().is_some_and(|first| {
        first.starts_with(|c: char| c.is_ascii_lowercase())
            && first
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    first_ok
        && segments.all(|seg| {
            seg.chars().any(|c| c.is_ascii_lowercase())
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn endpoints(doc: &Value, key: &str) -> Result<BTreeMap<String, Endpoint>, String> {
    let Some(section) = doc.get(key) else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for (name, spec) in mapping_entries(section, key)? {
        let endpoint = match spec {
            Value::String(interface) => Endpoint {
                interface: interface.clone(),
                scope: Scope::Global,
                limit: None,
                optional: false,
            },
            Value::Mapping(_) => {
                let interface = match spec.get("interface") {
                    Some(Value::String(s)) => s.clone(),
                    _ => return Err(format!("{key}.{name}: interface: expected string")),
                };
                let scope = match spec.get("scope") {
                    None | Some(Value::Null) => Scope::Global,
                    Some(Value::String(s)) if s == "global" => Scope::Global,
                    Some(Value::String(s)) if s == "container" => Scope::Container,
                    Some(other) => {
                        return Err(format!(
                        "{key}.{name}: scope: expected \"global\" or \"container\", got {other:?}"
                    ))
                    }
                };
                let limit = match spec.get("limit") {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                    Some(_) => return Err(format!("{key}.{name}: limit: expected int")),
                };
                let optional = match spec.get("optional") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => return Err(format!("{key}.{name}: optional: expected bool")),
                };
                Endpoint {
                    interface,
                    scope,
                    limit,
                    optional,
                }
            }
            other => {
                return Err(format!(
                    "{key}.{name}: expected an interface name or a mapping, got {}",
                    yaml_kind(other)
                ))
            }
        };
        out.insert(name.to_owned(), endpoint);
    }
    Ok(out)
}

/// `storage:` as `meta.go` `parseStorage` reads it: `type` required, `multiple.range` as
/// `m`, `m-n`, `m-` or `m+`.
fn storage(doc: &Value) -> Result<BTreeMap<String, StorageSpec>, String> {
    let Some(section) = doc.get("storage") else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for (name, spec) in mapping_entries(section, "storage")? {
        let kind = match spec.get("type") {
            Some(Value::String(kind)) if kind == "filesystem" || kind == "block" => kind.clone(),
            Some(other) => return Err(format!("storage.{name}.type: unexpected value {other:?}")),
            None => {
                return Err(format!(
                    "storage.{name}: type: expected string, got nothing"
                ))
            }
        };
        let location = spec
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let (min, max) = match spec.get("multiple").and_then(|m| m.get("range")) {
            None => (1, Some(1)),
            Some(range) => {
                let text = match range {
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => s.clone(),
                    other => return Err(format!("storage.{name}.multiple.range: {other:?}")),
                };
                parse_range(&text).ok_or_else(|| {
                    format!("storage.{name}.multiple.range: invalid range {text:?}")
                })?
            }
        };
        out.insert(
            name.to_owned(),
            StorageSpec {
                kind,
                location,
                min,
                max,
            },
        );
    }
    Ok(out)
}

fn parse_range(text: &str) -> Option<(u32, Option<u32>)> {
    if let Some(min) = text.strip_suffix('+').or_else(|| text.strip_suffix('-')) {
        return Some((min.parse().ok()?, None));
    }
    match text.split_once('-') {
        Some((min, max)) => {
            let (min, max): (u32, u32) = (min.parse().ok()?, max.parse().ok()?);
            (min <= max).then_some((min, Some(max)))
        }
        None => {
            let n = text.parse().ok()?;
            Some((n, Some(n)))
        }
    }
}

/// `resources:`: `type` (default `file`) and `filename`.
fn resources(doc: &Value) -> Result<BTreeMap<String, ResourceSpec>, String> {
    let Some(section) = doc.get("resources") else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for (name, spec) in mapping_entries(section, "resources")? {
        let kind = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("file")
            .to_owned();
        let filename = spec
            .get("filename")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_owned();
        out.insert(name.to_owned(), ResourceSpec { kind, filename });
    }
    Ok(out)
}
