//! Bundles (`bundle.yaml`) with local charms: parsed, then verified as Juju's
//! `bundleDataVerifier` does where it applies to a machine model, before anything is deployed.
//!
//! Charms are local paths relative to the bundle file (a directory or a `.charm`), or Charmhub
//! names (`keystone`, `ch:keystone`) looked up in a [`CharmStore`]: a directory standing in
//! for Charmhub, where `<name>.charm` or `<name>/` is the one revision of every channel.
//! Placement (`to:`) takes bundle machine ids, `new`, and `<app>/<n>`; containers (`lxd:1`) are
//! not emulated. A multi-document file is a base followed by overlays.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value as Json;
use serde_yaml::Value;

use crate::charm_definition::Charm;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("bundle {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("bundle {}: {reason}", path.display())]
    Parse { path: PathBuf, reason: String },
    /// Every problem found, each in Juju's words where Juju has them.
    #[error("bundle {} is invalid:\n  {}", path.display(), errors.join("\n  "))]
    Invalid { path: PathBuf, errors: Vec<String> },
}

/// A parsed bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The bundle file; charm paths are relative to its directory.
    pub path: PathBuf,
    /// In file order.
    pub applications: Vec<(String, BundleApplication)>,
    /// Bundle machine ids.
    pub machines: BTreeSet<String>,
    pub relations: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BundleApplication {
    /// As written in the bundle.
    pub charm: String,
    pub num_units: Option<i64>,
    pub to: Vec<String>,
    pub options: BTreeMap<String, Json>,
    pub bindings: BTreeMap<String, String>,
}

/// A bundle that passed verification, with each application's charm loaded.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    pub bundle: Bundle,
    pub charms: BTreeMap<String, (PathBuf, Charm)>,
    /// Each relation with both endpoints resolved: `(app, endpoint)` pairs.
    pub relations: Vec<[(String, String); 2]>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawBundle {
    #[serde(default)]
    bundle: Option<String>,
    #[serde(default, alias = "services")]
    applications: Option<BTreeMap<String, Option<RawApplication>>>,
    #[serde(default)]
    machines: Option<serde_yaml::Mapping>,
    #[serde(default)]
    relations: Option<Vec<Vec<String>>>,
    #[serde(default)]
    saas: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "snake_case")]
struct RawApplication {
    #[serde(default)]
    charm: Option<String>,
    #[serde(default, alias = "scale")]
    num_units: Option<i64>,
    #[serde(default)]
    to: Option<Value>,
    #[serde(default)]
    options: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    bindings: Option<BTreeMap<String, String>>,
}

impl Bundle {
    /// Reads `path` (base document plus overlays).
    pub fn load(path: impl AsRef<Path>) -> Result<Bundle, BundleError> {
        let path = path.as_ref();
        let path = if path.is_dir() {
            path.join("bundle.yaml")
        } else {
            path.to_owned()
        };
        let text = fs::read_to_string(&path).map_err(|source| BundleError::Io {
            path: path.clone(),
            source,
        })?;
        Bundle::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Bundle, BundleError> {
        let parse_err = |reason: String| BundleError::Parse {
            path: path.to_owned(),
            reason,
        };
        let mut bundle = Bundle {
            path: path.to_owned(),
            applications: Vec::new(),
            machines: BTreeSet::new(),
            relations: Vec::new(),
        };
        for (index, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
            let raw = RawBundle::deserialize(document).map_err(|err| parse_err(err.to_string()))?;
            if raw.bundle.as_deref() == Some("kubernetes") {
                return Err(parse_err("kubernetes bundles are not emulated".to_owned()));
            }
            if raw.saas.is_some() {
                return Err(parse_err(
                    "saas (cross-model) offers are not emulated".to_owned(),
                ));
            }
            for (name, app) in raw.applications.unwrap_or_default() {
                let position = bundle.applications.iter().position(|(n, _)| n == &name);
                let Some(app) = app else {
                    // An empty entry in an overlay removes the application.
                    if index > 0 {
                        if let Some(at) = position {
                            bundle.applications.remove(at);
                        }
                        continue;
                    }
                    return Err(parse_err(format!("application {name:?} is empty")));
                };
                let to = match app.to {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Sequence(items)) => items.iter().map(scalar).collect(),
                    Some(other) => vec![scalar(&other)],
                };
                let options = app
                    .options
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| {
                        serde_json::to_value(&v)
                            .map(|json| (k.clone(), json))
                            .map_err(|err| {
                                parse_err(format!("application {name:?} option {k:?}: {err}"))
                            })
                    })
                    .collect::<Result<BTreeMap<_, _>, _>>()?;
                let entry = BundleApplication {
                    charm: app.charm.unwrap_or_default(),
                    num_units: app.num_units,
                    to,
                    options,
                    bindings: app.bindings.unwrap_or_default(),
                };
                match position {
                    Some(at) => {
                        let existing = &mut bundle.applications[at].1;
                        if !entry.charm.is_empty() {
                            existing.charm = entry.charm;
                        }
                        if entry.num_units.is_some() {
                            existing.num_units = entry.num_units;
                        }
                        if !entry.to.is_empty() {
                            existing.to = entry.to;
                        }
                        existing.options.extend(entry.options);
                        existing.bindings.extend(entry.bindings);
                    }
                    None => bundle.applications.push((name, entry)),
                }
            }
            if let Some(machines) = raw.machines {
                bundle.machines = machines.keys().map(scalar).collect();
            }
            bundle.relations.extend(raw.relations.unwrap_or_default());
        }
        Ok(bundle)
    }

    /// The directory charm paths are relative to.
    fn base_dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_owned)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// Checks the bundle as Juju would before deploying anything, loading every charm; with no
    /// store, only local charms resolve.
    pub fn verify(self) -> Result<VerifiedBundle, BundleError> {
        self.verify_with(None)
    }

    /// [`Bundle::verify`], resolving Charmhub names in `store`.
    pub fn verify_with(self, store: Option<&CharmStore>) -> Result<VerifiedBundle, BundleError> {
        let mut errors = Vec::new();
        if self.applications.is_empty() {
            errors.push("at least one application must be specified".to_owned());
        }
        let mut charms = BTreeMap::new();
        for (name, app) in &self.applications {
            if let Err(err) = name.parse::<juju::AppName>() {
                errors.push(err.to_string());
            }
            if app.charm.is_empty() {
                errors.push(format!("empty charm path in application {name:?}"));
                continue;
            }
            let path = if app.charm.starts_with('.') || app.charm.starts_with('/') {
                let path = self.base_dir().join(&app.charm);
                if !path.exists() {
                    errors.push(format!(
                        "charm path in application {name:?} does not exist: {}",
                        path.display()
                    ));
                    continue;
                }
                path
            } else {
                let resolved = match store {
                    Some(store) => store.resolve(&app.charm),
                    None => Err(format!(
                        "charm {:?} is a Charmhub name and no charm store was given (the \
                         emulator's --store DIR)",
                        app.charm
                    )),
                };
                match resolved {
                    Ok(path) => path,
                    Err(reason) => {
                        errors.push(format!("application {name:?}: {reason}"));
                        continue;
                    }
                }
            };
            match Charm::load(&path) {
                Ok(charm) => {
                    if let Some(expected) = store_name(&app.charm) {
                        if charm.meta.name != expected {
                            errors.push(format!(
                                "application {name:?}: the store's charm {} is named {:?}, not {expected:?}",
                                path.display(),
                                charm.meta.name
                            ));
                            continue;
                        }
                    }
                    charms.insert(name.clone(), (path, charm));
                }
                Err(err) => errors.push(format!("application {name:?}: {err}")),
            }
        }

        let units_of = |app: &str| {
            self.applications
                .iter()
                .find(|(n, _)| n == app)
                .map(|(_, a)| a.num_units.unwrap_or(0))
        };
        let mut used_machines = BTreeSet::new();
        for (name, app) in &self.applications {
            let num_units = app.num_units.unwrap_or(0);
            if num_units < 0 {
                errors.push(format!(
                    "negative number of units specified on application {name:?}"
                ));
            }
            if let Some((_, charm)) = charms.get(name) {
                if charm.meta.subordinate {
                    if num_units > 0 {
                        errors.push(format!(
                            "application {name:?} is subordinate but has non-zero num_units"
                        ));
                    }
                    if !app.to.is_empty() {
                        errors.push(format!(
                            "application {name:?} is subordinate but specifies unit placement"
                        ));
                    }
                }
                for (key, value) in &app.options {
                    if let Err(reason) = charm.config.check_value(key, value) {
                        errors.push(format!("cannot validate application {name:?}: {reason}"));
                    }
                }
                for endpoint in app.bindings.keys() {
                    if !endpoint.is_empty() && !charm.meta.bindings().contains(endpoint) {
                        errors.push(format!(
                            "application {name:?} wants to bind endpoint {endpoint:?}, but the endpoint is not defined by the charm"
                        ));
                    }
                }
            }
            if app.to.len() as i64 > num_units.max(0) {
                errors.push(format!(
                    "too many units specified in unit placement for application {name:?}"
                ));
            }
            for placement in &app.to {
                if placement == "new" {
                    continue;
                }
                if placement.contains(':') {
                    errors.push(format!(
                        "placement {placement:?} in application {name:?}: containers are not emulated"
                    ));
                } else if placement.chars().all(|c| c.is_ascii_digit()) {
                    if self.machines.contains(placement) {
                        used_machines.insert(placement.clone());
                    } else {
                        errors.push(format!(
                            "placement {placement:?} refers to a machine not defined in this bundle"
                        ));
                    }
                } else {
                    let (target, unit) = match placement.split_once('/') {
                        Some((app, n)) => (app, n.parse::<i64>().ok()),
                        None => (placement.as_str(), None),
                    };
                    match units_of(target) {
                        None => errors.push(format!(
                            "placement {placement:?} refers to an application not defined in this bundle"
                        )),
                        Some(count) => {
                            if unit.is_some_and(|n| n >= count) {
                                errors.push(format!(
                                    "placement {placement:?} specifies a unit greater than the {count} unit(s) started by the target application"
                                ));
                            }
                        }
                    }
                }
            }
        }
        for machine in &self.machines {
            if !used_machines.contains(machine) {
                errors.push(format!("machine {machine:?} is not used"));
            }
        }

        let mut relations = Vec::new();
        let mut seen = BTreeSet::new();
        for relation in &self.relations {
            let shown = format!("[{}]", relation.join(" "));
            let [a, b] = relation.as_slice() else {
                errors.push(format!(
                    "relation {shown} has {} endpoint(s), not 2",
                    relation.len()
                ));
                continue;
            };
            let split = |spec: &str| match spec.split_once(':') {
                Some((app, ep)) => (app.to_owned(), Some(ep.to_owned())),
                None => (spec.to_owned(), None),
            };
            let (app_a, ep_a) = split(a);
            let (app_b, ep_b) = split(b);
            let mut missing = false;
            for app in [&app_a, &app_b] {
                if !self.applications.iter().any(|(n, _)| n == app) {
                    errors.push(format!(
                        "relation {shown} refers to application {app:?} not defined in this bundle"
                    ));
                    missing = true;
                }
            }
            if missing {
                continue;
            }
            if app_a == app_b {
                errors.push(format!("relation {shown} relates an application to itself"));
                continue;
            }
            let (Some((_, charm_a)), Some((_, charm_b))) = (charms.get(&app_a), charms.get(&app_b))
            else {
                continue;
            };
            match crate::model::infer_relation(
                (&app_a, &charm_a.meta, ep_a.as_deref()),
                (&app_b, &charm_b.meta, ep_b.as_deref()),
            ) {
                Ok((x, y)) => {
                    let key = if (x.0.as_str(), x.1.as_str()) <= (y.0.as_str(), y.1.as_str()) {
                        (x.clone(), y.clone())
                    } else {
                        (y.clone(), x.clone())
                    };
                    if !seen.insert(key) {
                        errors.push(format!("relation {shown} is defined more than once"));
                        continue;
                    }
                    relations.push([(x.0, x.1), (y.0, y.1)]);
                }
                Err(reason) => errors.push(format!("relation {shown}: {reason}")),
            }
        }
        if !errors.is_empty() {
            return Err(BundleError::Invalid {
                path: self.path,
                errors,
            });
        }
        Ok(VerifiedBundle {
            bundle: self,
            charms,
            relations,
        })
    }
}

/// A directory standing in for Charmhub: `<name>.charm` (or a charm directory `<name>/`) is
/// what a bundle's `charm: <name>` or `charm: ch:<name>` deploys, whatever its `channel` or
/// `revision` say, since the store holds one revision of each charm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharmStore {
    dir: PathBuf,
}

impl CharmStore {
    pub fn new(dir: impl Into<PathBuf>) -> CharmStore {
        CharmStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The archive or directory of the charm a Charmhub reference names.
    pub fn resolve(&self, reference: &str) -> Result<PathBuf, String> {
        let Some(name) = store_name(reference) else {
            return Err(format!(
                "charm {reference:?} is neither a local path nor a Charmhub name"
            ));
        };
        let archive = self.dir.join(format!("{name}.charm"));
        if archive.is_file() {
            return Ok(archive);
        }
        let dir = self.dir.join(name);
        if dir.join("metadata.yaml").is_file() {
            return Ok(dir);
        }
        Err(format!(
            "charm {reference:?} is not in the charm store {} (no {name}.charm and no {name}/)",
            self.dir.display()
        ))
    }
}

/// The charm name in a Charmhub reference (`keystone`, `ch:keystone`); `None` for local
/// paths and for names Charmhub would refuse.
fn store_name(reference: &str) -> Option<&str> {
    if reference.starts_with('.') || reference.starts_with('/') {
        return None;
    }
    let name = reference.strip_prefix("ch:").unwrap_or(reference);
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    valid.then_some(name)
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}
