//! The operations of `juju` on a model, and the hooks each queues (juju-contract §5).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use juju::{AppName, UnitName};
use serde_json::Value as Json;

use super::{absolute, machine_address, ordering, Model};
use crate::bundle::Bundle;
use crate::charm_definition::{self, Charm, Metadata, Role, Scope, Source};
use crate::error::{io_error, Error, Result};
use crate::hooktools::{self, StatusSnapshot};
use crate::machine::MACHINE_COMMANDS;
use crate::model_state::{
    AgentState, Application, Hook, InitSystem, Machine, Queued, Relation, RelationEndpoint, Unit,
};

/// A config value as given to `juju config` (text, parsed by the option's type) or as a bundle
/// gives it (typed YAML).
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    Text(String),
    Typed(Json),
}

impl From<&str> for ConfigValue {
    fn from(s: &str) -> Self {
        ConfigValue::Text(s.to_owned())
    }
}

impl From<String> for ConfigValue {
    fn from(s: String) -> Self {
        ConfigValue::Text(s)
    }
}

impl From<Json> for ConfigValue {
    fn from(v: Json) -> Self {
        ConfigValue::Typed(v)
    }
}

impl From<i64> for ConfigValue {
    fn from(v: i64) -> Self {
        ConfigValue::Typed(v.into())
    }
}

impl From<bool> for ConfigValue {
    fn from(v: bool) -> Self {
        ConfigValue::Typed(v.into())
    }
}

impl From<f64> for ConfigValue {
    fn from(v: f64) -> Self {
        ConfigValue::Typed(v.into())
    }
}

/// Where a new unit goes (`--to`, a bundle's `to:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// A new machine (the default).
    New,
    /// An existing machine.
    Machine(u32),
    /// The machine of an existing unit.
    Unit(String),
}

impl FromStr for Placement {
    type Err = String;

    fn from_str(s: &str) -> Result<Placement, String> {
        if s == "new" {
            return Ok(Placement::New);
        }
        if let Ok(n) = s.parse() {
            return Ok(Placement::Machine(n));
        }
        if s.contains(':') {
            return Err(format!("placement {s:?}: containers are not emulated"));
        }
        if s.parse::<UnitName>().is_ok() {
            return Ok(Placement::Unit(s.to_owned()));
        }
        Err(format!("invalid placement {s:?}"))
    }
}

/// `juju deploy` options.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// `-n`; default 1 (0 for subordinates, which must not set it).
    pub units: Option<u32>,
    pub config: BTreeMap<String, ConfigValue>,
    /// Placement of each unit in turn; units beyond the list get new machines.
    pub to: Vec<Placement>,
    /// `--bind`: endpoint (or extra binding) → space; `""` is the application's default space
    /// (`alpha` when not given), which endpoints not named here follow.
    pub bindings: BTreeMap<String, String>,
    /// `--trust`: the application may read the cloud credential.
    pub trust: bool,
    /// `--resource name=path`: files for the charm's `resources:`.
    pub resources: BTreeMap<String, PathBuf>,
}

impl DeployOptions {
    pub fn new() -> DeployOptions {
        DeployOptions::default()
    }

    pub fn units(mut self, n: u32) -> DeployOptions {
        self.units = Some(n);
        self
    }

    pub fn config(mut self, key: &str, value: impl Into<ConfigValue>) -> DeployOptions {
        self.config.insert(key.to_owned(), value.into());
        self
    }

    pub fn to(mut self, placement: Placement) -> DeployOptions {
        self.to.push(placement);
        self
    }

    /// `--bind "<endpoint>=<space>"`, or with `endpoint` `""` the application's default space
    /// (`--bind <space>`).
    pub fn bind(mut self, endpoint: &str, space: &str) -> DeployOptions {
        self.bindings.insert(endpoint.to_owned(), space.to_owned());
        self
    }

    /// `--trust`.
    pub fn trust(mut self) -> DeployOptions {
        self.trust = true;
        self
    }

    /// `--resource <name>=<path>`.
    pub fn resource(mut self, name: &str, path: impl Into<PathBuf>) -> DeployOptions {
        self.resources.insert(name.to_owned(), path.into());
        self
    }
}

impl Model {
    /// `juju deploy <charm> <app>`: adds the application and its units, and queues each unit's
    /// startup hooks.
    pub fn deploy(
        &mut self,
        app: &str,
        charm_path: impl AsRef<Path>,
        options: DeployOptions,
    ) -> Result<()> {
        let name: AppName = app.parse()?;
        if self.state.applications.contains_key(&name) {
            return Err(Error::ApplicationExists(app.to_owned()));
        }
        let source_path = absolute(charm_path.as_ref())?;
        let charm = Charm::load(&source_path)?;
        let subordinate = charm.meta.subordinate;
        if subordinate && (options.units.is_some_and(|n| n > 0) || !options.to.is_empty()) {
            return Err(Error::Refused(
                "cannot use --num-units or --to with subordinate application".to_owned(),
            ));
        }
        let mut config = BTreeMap::new();
        for (key, value) in &options.config {
            config.insert(key.clone(), check_config(app, &charm, key, value)?);
        }
        self.check_bindings(app, &charm, &options.bindings)?;
        let resources = self.store_resources(&name, &charm, &options.resources)?;
        self.unpack_charm(&name, &source_path, 0)?;
        let peers: Vec<String> = charm.meta.peers.keys().cloned().collect();
        self.state.applications.insert(
            name.clone(),
            Application {
                charm,
                charm_source: source_path,
                revision: 0,
                config,
                leader: None,
                leader_settings: Default::default(),
                status: StatusSnapshot {
                    status: "unknown".into(),
                    ..Default::default()
                },
                workload_version: String::new(),
                next_unit: 0,
                bindings: options.bindings,
                trusted: options.trust,
                resources,
            },
        );
        for peer in peers {
            self.add_relation(vec![RelationEndpoint {
                app: name.clone(),
                name: peer,
                role: Role::Peer,
            }])?;
        }
        let count = options.units.unwrap_or(if subordinate { 0 } else { 1 });
        for index in 0..count as usize {
            let placement = options.to.get(index).cloned().unwrap_or(Placement::New);
            let machine = self.place(&placement)?;
            self.add_unit_on(&name, machine, None)?;
        }
        self.save()
    }

    /// `juju deploy ./bundle.yaml`: verifies the whole bundle first (nothing is deployed if it
    /// is invalid), then adds its machines, applications, units and relations. Charmhub names
    /// resolve in the model's charm store ([`Model::set_charm_store`]).
    pub fn deploy_bundle(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let verified = Bundle::load(path)?.verify_with(self.charm_store().as_ref())?;
        let bundle = &verified.bundle;
        for (name, _) in &bundle.applications {
            if self
                .state
                .applications
                .contains_key(&name.parse::<AppName>()?)
            {
                return Err(Error::ApplicationExists(name.clone()));
            }
        }
        // The verifier knows the charms, not the model: spaces are checked here, before
        // anything is deployed.
        for (_, app) in &bundle.applications {
            for space in app.bindings.values() {
                self.check_space(space)?;
            }
        }
        let mut machine_ids: Vec<&String> = bundle.machines.iter().collect();
        machine_ids.sort_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX));
        let mut machines = BTreeMap::new();
        for id in machine_ids {
            machines.insert(id.clone(), self.new_machine()?);
        }
        for (name, app) in &bundle.applications {
            let Some((charm_path, _)) = verified.charms.get(name) else {
                continue;
            };
            let options = DeployOptions {
                units: Some(0),
                config: app
                    .options
                    .iter()
                    .map(|(k, v)| (k.clone(), ConfigValue::Typed(v.clone())))
                    .collect(),
                to: Vec::new(),
                bindings: app.bindings.clone(),
                ..DeployOptions::default()
            };
            self.deploy(name, charm_path, options)?;
        }
        // Units in bundle order, each once its placement target exists.
        let mut placed: BTreeMap<&str, usize> = BTreeMap::new();
        loop {
            let mut progress = false;
            let mut left = false;
            for (name, app) in &bundle.applications {
                let wanted = app.num_units.unwrap_or(0).max(0) as usize;
                while placed.get(name.as_str()).copied().unwrap_or(0) < wanted {
                    let index = placed.get(name.as_str()).copied().unwrap_or(0);
                    let directive = app.to.get(index).map(String::as_str).unwrap_or("new");
                    let machine = if directive == "new" {
                        Some(self.new_machine()?)
                    } else if let Some(machine) = machines.get(directive) {
                        Some(*machine)
                    } else {
                        let target = if directive.contains('/') {
                            directive.to_owned()
                        } else {
                            format!("{directive}/{index}")
                        };
                        self.machine_of(&target).ok()
                    };
                    let Some(machine) = machine else {
                        left = true;
                        break;
                    };
                    self.add_unit_on(&name.parse()?, machine, None)?;
                    *placed.entry(name.as_str()).or_default() += 1;
                    progress = true;
                }
            }
            if !left {
                break;
            }
            if !progress {
                return Err(Error::Refused(format!(
                    "bundle {}: unit placements refer to each other in a cycle",
                    bundle.path.display()
                )));
            }
        }
        for [(app_a, ep_a), (app_b, ep_b)] in &verified.relations {
            self.relate(&format!("{app_a}:{ep_a}"), &format!("{app_b}:{ep_b}"))?;
        }
        self.save()
    }

    /// `juju add-unit -n <count>`: new units on new machines.
    pub fn add_unit(&mut self, app: &str, count: u32) -> Result<Vec<String>> {
        (0..count)
            .map(|_| self.add_unit_to(app, Placement::New))
            .collect()
    }

    /// `juju add-unit --to <placement>`.
    pub fn add_unit_to(&mut self, app: &str, placement: Placement) -> Result<String> {
        let (name, application) = self.app(app)?;
        if application.subordinate() {
            return Err(Error::Refused(format!(
                "cannot add unit to application {app:?}: application is subordinate"
            )));
        }
        let machine = self.place(&placement)?;
        let unit = self.add_unit_on(&name, machine, None)?;
        self.save()?;
        Ok(unit.to_string())
    }

    /// `juju remove-unit`: the unit departs its relations, then runs `stop` and `remove`; its
    /// subordinates go with it.
    pub fn remove_unit(&mut self, unit: &str) -> Result<()> {
        let (name, u) = self.unit(unit)?;
        if u.principal.is_some() {
            return Err(Error::Refused(format!(
                "no units were destroyed: unit {unit:?} is a subordinate, remove its relation to the principal instead"
            )));
        }
        self.destroy_unit(&name);
        self.save()
    }

    /// `juju integrate a[:endpoint] b[:endpoint]`, inferring endpoints as Juju does. Returns
    /// the new relation's id.
    pub fn relate(&mut self, a: &str, b: &str) -> Result<u32> {
        let (first, second) = self.infer_endpoints(a, b)?;
        let (provider, requirer) = if first.role == Role::Provider {
            (first, second)
        } else {
            (second, first)
        };
        // Juju's relation key names the requirer first.
        let key = format!("{requirer} {provider}");
        if self.state.relations.values().any(|rel| {
            rel.endpoints.len() == 2
                && rel.endpoints.contains(&provider)
                && rel.endpoints.contains(&requirer)
        }) {
            return Err(Error::Relate(format!(
                "cannot add relation {key:?}: relation {key} already exists"
            )));
        }
        let id = self.add_relation(vec![provider, requirer])?;
        self.save()?;
        Ok(id)
    }

    /// `juju remove-relation a[:endpoint] b[:endpoint]`.
    pub fn remove_relation(&mut self, a: &str, b: &str) -> Result<()> {
        let id = self
            .relation_id(a, b)
            .ok_or_else(|| Error::UnknownRelation(format!("\"{a} {b}\"")))?;
        self.remove_relation_id(id)
    }

    /// Removes relation `id`: every unit in it departs each member, then runs `relation-broken`.
    pub fn remove_relation_id(&mut self, id: u32) -> Result<()> {
        let rel = self.relation(id)?;
        if rel.peer() {
            return Err(Error::Refused(format!(
                "cannot remove peer relation {}",
                rel.endpoints[0]
            )));
        }
        if !rel.dying {
            self.destroy_relation(id);
        }
        self.save()
    }

    /// `juju config app key=value…`: `config-changed` on every unit if anything changed.
    pub fn set_config<K, V>(
        &mut self,
        app: &str,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Result<()>
    where
        K: Into<String>,
        V: Into<ConfigValue>,
    {
        let (name, application) = self.app(app)?;
        let mut config = application.config.clone();
        for (key, value) in values {
            let key = key.into();
            let value = check_config(app, &application.charm, &key, &value.into())?;
            config.insert(key, value);
        }
        self.replace_config(&name, config)
    }

    /// `juju config app --reset key…`.
    pub fn reset_config(&mut self, app: &str, keys: &[&str]) -> Result<()> {
        let (name, application) = self.app(app)?;
        let mut config = application.config.clone();
        for key in keys {
            if !application.charm.config.options.contains_key(*key) {
                return Err(Error::InvalidConfig {
                    app: app.to_owned(),
                    reason: format!("unknown option {key:?}"),
                });
            }
            config.remove(*key);
        }
        self.replace_config(&name, config)
    }

    fn replace_config(&mut self, app: &AppName, config: BTreeMap<String, Json>) -> Result<()> {
        let application = &self.state.applications[app];
        let before = application.charm.config.effective(&application.config);
        let after = application.charm.config.effective(&config);
        if let Some(application) = self.state.applications.get_mut(app) {
            application.config = config;
        }
        if before != after {
            for unit in self.live_units(app) {
                self.enqueue(&unit, Hook::ConfigChanged);
            }
        }
        self.save()
    }

    /// Moves leadership to `unit`: it gets `leader-elected`, the others
    /// `leader-settings-changed` (Juju 3.x).
    pub fn set_leader(&mut self, unit: &str) -> Result<()> {
        let (name, u) = self.unit(unit)?;
        if u.dying {
            return Err(Error::Refused(format!("unit {unit:?} is dying")));
        }
        self.elect(&name);
        self.save()
    }

    /// `juju refresh --path`: reloads the charm (from `path`, else from where it was deployed
    /// from), then queues `upgrade-charm` and `config-changed` on every unit.
    pub fn upgrade_charm(&mut self, app: &str, path: Option<&Path>) -> Result<()> {
        let (name, application) = self.app(app)?;
        let source = match path {
            Some(path) => absolute(path)?,
            None => application.charm_source.clone(),
        };
        let charm = Charm::load(&source)?;
        if charm.meta.subordinate != application.subordinate() {
            return Err(Error::Refused(format!(
                "cannot upgrade application {app:?}: cannot change an application's subordinacy"
            )));
        }
        let revision = application.revision + 1;
        let old_peers: Vec<String> = application.charm.meta.peers.keys().cloned().collect();
        self.unpack_charm(&name, &source, revision)?;
        let new_peers: Vec<String> = charm
            .meta
            .peers
            .keys()
            .filter(|p| !old_peers.contains(p))
            .cloned()
            .collect();
        if let Some(application) = self.state.applications.get_mut(&name) {
            application
                .config
                .retain(|key, _| charm.config.options.contains_key(key));
            application.charm = charm;
            application.charm_source = source;
            application.revision = revision;
        }
        for peer in new_peers {
            self.add_relation(vec![RelationEndpoint {
                app: name.clone(),
                name: peer,
                role: Role::Peer,
            }])?;
        }
        for unit in self.live_units(&name) {
            self.enqueue(&unit, Hook::UpgradeCharm);
            self.enqueue(&unit, Hook::ConfigChanged);
        }
        self.save()
    }

    /// Queues `update-status` on every started unit not in error (Juju's timer tick).
    pub fn update_status(&mut self) -> Result<()> {
        let units: Vec<UnitName> = self
            .state
            .units
            .iter()
            .filter(|(_, u)| u.started && !u.dying && !matches!(u.agent, AgentState::Error { .. }))
            .map(|(n, _)| n.clone())
            .collect();
        for unit in units {
            self.enqueue(&unit, Hook::UpdateStatus);
        }
        self.save()
    }

    /// `juju resolved [--no-retry]`: clears a hook error; the failed hook runs again at the next
    /// settle, or with `retry == false` is skipped (its changes stay discarded).
    pub fn resolved(&mut self, unit: &str, retry: bool) -> Result<()> {
        let (name, u) = self.unit(unit)?;
        if !matches!(u.agent, AgentState::Error { .. }) {
            return Err(Error::NotInError(unit.to_owned()));
        }
        let skipped = if retry {
            None
        } else {
            self.state
                .units
                .get_mut(&name)
                .and_then(|u| u.queue.pop_front())
        };
        if let Some(u) = self.state.units.get_mut(&name) {
            u.agent = AgentState::Idle;
            u.retry = None;
        }
        if let Some(queued) = skipped {
            self.after_hook(&name, &queued.hook);
        }
        self.save()
    }

    // ---- units and machines ------------------------------------------------------------

    fn place(&mut self, placement: &Placement) -> Result<u32> {
        match placement {
            Placement::New => self.new_machine(),
            Placement::Machine(n) => {
                self.machine(*n)?;
                Ok(*n)
            }
            Placement::Unit(unit) => self.machine_of(unit),
        }
    }

    fn new_machine(&mut self) -> Result<u32> {
        let id = self.state.next_machine;
        self.state.next_machine += 1;
        if self.state.real_host.is_some() {
            // The host is the machine: nothing of it to create or to write.
            self.state.machines.insert(
                id,
                Machine {
                    address: machine_address(id),
                    state: Default::default(),
                    os_release: super::real_host::host_os_release(),
                },
            );
            return Ok(id);
        }
        let root = self.machine_root(id);
        fs::create_dir_all(&root).map_err(io_error(&root))?;
        if self.state.init == InitSystem::Systemd {
            let marker = root.join("run/systemd/system");
            fs::create_dir_all(&marker).map_err(io_error(&marker))?;
        }
        let hostname = format!("juju-{}-{id}", &self.state.uuid[..6]);
        crate::machine::sandbox::provision(&root, &self.state.os_release, &hostname)
            .map_err(io_error(&root))?;
        self.state.machines.insert(
            id,
            Machine {
                address: machine_address(id),
                state: Default::default(),
                os_release: self.state.os_release.clone(),
            },
        );
        Ok(id)
    }

    /// Adds a unit of `app` on `machine` and queues its startup: install, relation-created
    /// for each relation it takes part in, leader-elected or leader-settings-changed,
    /// config-changed, start. A principal unit gets a unit of each subordinate related to it
    /// over a container-scoped relation.
    fn add_unit_on(
        &mut self,
        app: &AppName,
        machine: u32,
        principal: Option<UnitName>,
    ) -> Result<UnitName> {
        let Some(application) = self.state.applications.get_mut(app) else {
            return Err(Error::UnknownApplication(app.to_string()));
        };
        let name = UnitName::new(app.clone(), application.next_unit);
        application.next_unit += 1;
        let revision = application.revision;
        if application.leader.is_none() {
            application.leader = Some(name.clone());
        }
        let leader = application.leader.as_ref() == Some(&name);
        let subordinate = application.subordinate();
        self.prepare_unit_dirs(&name, revision)?;
        let initial = StatusSnapshot {
            status: "waiting".into(),
            message: "waiting for machine".into(),
            data: Default::default(),
        };
        self.state.units.insert(
            name.clone(),
            Unit {
                machine,
                principal,
                status_history: vec![initial.clone()],
                status_history_dropped: 0,
                status: initial,
                status_since: crate::journal::unix_now(),
                charm_set_status: false,
                agent: AgentState::Allocating,
                workload_version: String::new(),
                opened_ports: Default::default(),
                endpoint_ports: Default::default(),
                state: Default::default(),
                queue: Default::default(),
                relations: Default::default(),
                installed: false,
                started: false,
                dying: false,
                revision,
                retry: None,
                storage: BTreeMap::new(),
            },
        );
        // Machine charms' storage attaches before install (`docs/reference/hook.md`,
        // juju-contract §5.2).
        for storage in self.attach_initial_storage(&name)? {
            self.enqueue(&name, Hook::StorageAttached { storage });
        }
        self.enqueue(&name, Hook::Install);
        let relations: Vec<u32> = self
            .state
            .relations
            .iter()
            .filter(|(_, rel)| !rel.dying && self.participates(&name, rel))
            .map(|(id, _)| *id)
            .collect();
        for relation in relations {
            self.enqueue(&name, Hook::RelationCreated { relation });
        }
        self.enqueue(
            &name,
            if leader {
                Hook::LeaderElected
            } else {
                Hook::LeaderSettingsChanged
            },
        );
        self.enqueue(&name, Hook::ConfigChanged);
        self.enqueue(&name, Hook::Start);
        if !subordinate {
            for sub_app in self.container_subordinates(app) {
                self.spawn_subordinate(&sub_app, &name)?;
            }
        }
        Ok(name)
    }

    /// Subordinate applications related to `app` over a live container-scoped relation.
    fn container_subordinates(&self, app: &AppName) -> Vec<AppName> {
        let mut subs: Vec<AppName> = self
            .state
            .relations
            .values()
            .filter(|rel| !rel.dying && rel.scope == Scope::Container && rel.involves(app))
            .filter_map(|rel| rel.remote_app(app).cloned())
            .filter(|other| {
                other != app
                    && self
                        .state
                        .applications
                        .get(other)
                        .is_some_and(Application::subordinate)
            })
            .collect();
        subs.sort();
        subs.dedup();
        subs
    }

    /// One unit of `sub_app` beside `principal`, unless its machine already has one.
    fn spawn_subordinate(&mut self, sub_app: &AppName, principal: &UnitName) -> Result<()> {
        let Some(machine) = self.state.units.get(principal).map(|u| u.machine) else {
            return Ok(());
        };
        let present = self
            .state
            .units
            .iter()
            .any(|(n, u)| n.app() == sub_app && u.machine == machine && !u.dying);
        if !present {
            self.add_unit_on(sub_app, machine, Some(principal.clone()))?;
        }
        Ok(())
    }

    /// Whether `unit` takes part in `rel`: container-scoped relations reach a subordinate unit
    /// only when the other application has a unit on its machine.
    pub(super) fn participates(&self, unit: &UnitName, rel: &Relation) -> bool {
        if !rel.involves(unit.app()) {
            return false;
        }
        let Some(u) = self.state.units.get(unit) else {
            return false;
        };
        let subordinate = self
            .state
            .applications
            .get(unit.app())
            .is_some_and(Application::subordinate);
        if rel.peer() || rel.scope == Scope::Global || !subordinate {
            return true;
        }
        let Some(other) = rel.remote_app(unit.app()) else {
            return false;
        };
        self.state
            .units
            .iter()
            .any(|(n, v)| n.app() == other && v.machine == u.machine && !v.dying)
    }

    /// Whether `a` sees `b` in `rel`: units of the other side (or, in a peer relation, of
    /// its own side), and under container scope only those on its machine.
    pub(super) fn sees(&self, rel: &Relation, a: &UnitName, b: &UnitName) -> bool {
        if a == b || rel.peer() != (a.app() == b.app()) {
            return false;
        }
        if rel.scope == Scope::Global || rel.peer() {
            return true;
        }
        match (self.state.units.get(a), self.state.units.get(b)) {
            (Some(x), Some(y)) => x.machine == y.machine,
            _ => false,
        }
    }

    fn prepare_unit_dirs(&self, unit: &UnitName, revision: u32) -> Result<()> {
        let dir = self.unit_dir(unit);
        let charm_dir = dir.join("charm");
        if charm_dir.exists() {
            fs::remove_dir_all(&charm_dir).map_err(io_error(&charm_dir))?;
        }
        // Juju expands the charm archive into every unit's own directory: a charm that
        // writes into its files (a state file, a `.pyc`) changes only its unit's copy.
        charm_definition::copy_tree(&self.app_charm_dir(unit.app(), revision), &charm_dir)?;
        self.prepare_tools(unit)
    }

    /// The unit's tools directory: the shim under the name of every hook tool and emulated
    /// machine command.
    pub(super) fn prepare_tools(&self, unit: &UnitName) -> Result<()> {
        let tools = self.unit_dir(unit).join("tools");
        fs::create_dir_all(&tools).map_err(io_error(&tools))?;
        let machine_commands = if self.state.real_host.is_some() {
            // The host's own commands answer: no emulated one may shadow them.
            for name in MACHINE_COMMANDS {
                let link = tools.join(name);
                if fs::symlink_metadata(&link).is_ok() {
                    fs::remove_file(&link).map_err(io_error(&link))?;
                }
            }
            &[][..]
        } else {
            MACHINE_COMMANDS
        };
        let scripts: Vec<&str> = if self.state.real_host.is_some() {
            Vec::new()
        } else {
            self.state.catalog.script_commands().into_iter().collect()
        };
        for name in hooktools::HOOK_TOOLS
            .iter()
            .chain(machine_commands)
            .chain(scripts.iter())
        {
            let link = tools.join(name);
            if fs::symlink_metadata(&link).is_ok() {
                continue;
            }
            symlink(Path::new("../../../bin").join(super::SHIM_NAME), &link)
                .map_err(io_error(&link))?;
        }
        Ok(())
    }

    /// Replaces the unit's charm directory with its application's current charm.
    pub(super) fn refresh_unit_charm(&mut self, unit: &UnitName) -> Result<()> {
        let Some(revision) = self.state.applications.get(unit.app()).map(|a| a.revision) else {
            return Ok(());
        };
        if self
            .state
            .units
            .get(unit)
            .is_some_and(|u| u.revision != revision)
        {
            self.prepare_unit_dirs(unit, revision)?;
            if let Some(u) = self.state.units.get_mut(unit) {
                u.revision = revision;
            }
        }
        Ok(())
    }

    pub(super) fn app_charm_dir(&self, app: &AppName, revision: u32) -> PathBuf {
        self.dir
            .join("applications")
            .join(app.as_str())
            .join(format!("charm-r{revision}"))
    }

    fn unpack_charm(&self, app: &AppName, source: &Path, revision: u32) -> Result<()> {
        let dest = self.app_charm_dir(app, revision);
        if dest.exists() {
            fs::remove_dir_all(&dest).map_err(io_error(&dest))?;
        }
        Source::open(source)?.unpack(&dest)?;
        // `charmarchive.go` `ExpandTo` always writes the charm revision into `revision`
        // (no newline); charmhelpers' unit data store reads it.
        let revision_file = dest.join("revision");
        fs::write(&revision_file, revision.to_string()).map_err(io_error(&revision_file))?;
        Ok(())
    }

    /// Alive (not dying) units of `app`, in order.
    pub(super) fn live_units(&self, app: &AppName) -> Vec<UnitName> {
        self.state
            .units
            .iter()
            .filter(|(n, u)| n.app() == app && !u.dying)
            .map(|(n, _)| n.clone())
            .collect()
    }

    fn elect(&mut self, leader: &UnitName) {
        let Some(application) = self.state.applications.get_mut(leader.app()) else {
            return;
        };
        if application.leader.as_ref() == Some(leader) {
            return;
        }
        application.leader = Some(leader.clone());
        self.enqueue(leader, Hook::LeaderElected);
        for unit in self.live_units(leader.app()) {
            if &unit != leader {
                self.enqueue(&unit, Hook::LeaderSettingsChanged);
            }
        }
    }

    /// Starts a unit's teardown (idempotent).
    pub(super) fn destroy_unit(&mut self, name: &UnitName) {
        let Some(u) = self.state.units.get_mut(name) else {
            return;
        };
        if u.dying {
            return;
        }
        u.dying = true;
        let subordinates: Vec<UnitName> = self
            .state
            .units
            .iter()
            .filter(|(_, s)| s.principal.as_ref() == Some(name))
            .map(|(n, _)| n.clone())
            .collect();
        for sub in &subordinates {
            self.destroy_unit(sub);
        }

        // The others see it leave.
        let relations: Vec<u32> = self
            .state
            .relations
            .iter()
            .filter(|(_, rel)| rel.scope_units.contains(name))
            .map(|(id, _)| *id)
            .collect();
        for relation in relations {
            let Some(rel) = self.state.relations.get_mut(&relation) else {
                continue;
            };
            rel.scope_units.remove(name);
            let others: Vec<UnitName> = rel.scope_units.iter().cloned().collect();
            for other in others {
                self.drop_pending(&other, |hook| match hook {
                    Hook::RelationJoined {
                        relation: r,
                        remote,
                    } => *r == relation && remote == name,
                    Hook::RelationChanged {
                        relation: r,
                        remote: Some(remote),
                    } => *r == relation && remote == name,
                    _ => false,
                });
                let member = self.state.units.get(&other).is_some_and(|o| {
                    o.relations
                        .get(&relation)
                        .is_some_and(|r| r.members.contains(name))
                });
                if member {
                    self.enqueue(
                        &other,
                        Hook::RelationDeparted {
                            relation,
                            remote: name.clone(),
                            departing: name.clone(),
                        },
                    );
                }
            }
        }

        // The unit itself: nothing ran yet, or departed… broken… stop, remove.
        let Some(u) = self.state.units.get_mut(name) else {
            return;
        };
        let failed_head = match u.agent {
            AgentState::Error { .. } => u.queue.pop_front(),
            _ => None,
        };
        u.queue.clear();
        if !u.installed && failed_head.is_none() {
            self.finalize_removal(name);
            return;
        }
        u.queue.extend(failed_head);
        let mut teardown = Vec::new();
        // Non-peer relations depart and break first, the peer relations depart last
        // (`internal/worker/uniter/relation/resolver.go` defers peer relations).
        let peer = |relation: &u32| {
            self.state
                .relations
                .get(relation)
                .is_some_and(Relation::peer)
        };
        let mut ordered: Vec<(&u32, &crate::model_state::UnitRelation)> =
            u.relations.iter().collect();
        ordered.sort_by_key(|(relation, _)| peer(relation));
        for (relation, view) in ordered {
            for member in &view.members {
                teardown.push(Hook::RelationDeparted {
                    relation: *relation,
                    remote: member.clone(),
                    departing: name.clone(),
                });
            }
            if !peer(relation) {
                teardown.push(Hook::RelationBroken {
                    relation: *relation,
                });
            }
        }
        teardown.push(Hook::Stop);
        // `relation-departed… → relation-broken… → stop → storage-detaching… → remove`
        // (juju-contract §5.3, from the uniter's storage resolver).
        for storage in u.storage.keys() {
            teardown.push(Hook::StorageDetaching {
                storage: storage.clone(),
            });
        }
        teardown.push(Hook::Remove);
        for hook in teardown {
            self.enqueue(name, hook);
        }
    }

    /// Deletes a unit whose `remove` hook has run (or that never ran anything).
    pub(super) fn finalize_removal(&mut self, name: &UnitName) {
        let Some(u) = self.state.units.remove(name) else {
            return;
        };
        for rel in self.state.relations.values_mut() {
            rel.scope_units.remove(name);
        }
        for relation in u.relations.keys() {
            self.maybe_delete_relation(*relation);
        }
        let was_leader = self
            .state
            .applications
            .get(name.app())
            .is_some_and(|a| a.leader.as_ref() == Some(name));
        if was_leader {
            if let Some(application) = self.state.applications.get_mut(name.app()) {
                application.leader = None;
            }
            if let Some(next) = self.live_units(name.app()).into_iter().next() {
                self.elect(&next);
            }
        }
        if !self
            .state
            .units
            .values()
            .any(|other| other.machine == u.machine)
        {
            self.state.machines.remove(&u.machine);
        }
    }

    // ---- relations ---------------------------------------------------------------------

    fn infer_endpoints(&self, a: &str, b: &str) -> Result<(RelationEndpoint, RelationEndpoint)> {
        let parse = |spec: &str| -> Result<(AppName, Option<String>)> {
            let (app, endpoint) = match spec.split_once(':') {
                Some((app, ep)) => (app, Some(ep.to_owned())),
                None => (spec, None),
            };
            let app: AppName = app.parse()?;
            if !self.state.applications.contains_key(&app) {
                return Err(Error::UnknownApplication(app.to_string()));
            }
            Ok((app, endpoint))
        };
        let (app_a, ep_a) = parse(a)?;
        let (app_b, ep_b) = parse(b)?;
        let meta_a = &self.state.applications[&app_a].charm.meta;
        let meta_b = &self.state.applications[&app_b].charm.meta;
        let (x, y) = infer_relation(
            (app_a.as_str(), meta_a, ep_a.as_deref()),
            (app_b.as_str(), meta_b, ep_b.as_deref()),
        )
        .map_err(Error::Relate)?;
        let endpoint = |(app, name, role): ResolvedEndpoint| -> Result<RelationEndpoint> {
            Ok(RelationEndpoint {
                app: app.parse()?,
                name,
                role,
            })
        };
        Ok((endpoint(x)?, endpoint(y)?))
    }

    /// Adds a relation and queues `relation-created` on every unit taking part; a
    /// container-scoped relation between a subordinate and a principal spawns a subordinate
    /// unit beside each principal unit.
    fn add_relation(&mut self, endpoints: Vec<RelationEndpoint>) -> Result<u32> {
        let mut interface = String::new();
        let mut scope = Scope::Global;
        for e in &endpoints {
            if let Some((_, spec)) = self
                .state
                .applications
                .get(&e.app)
                .and_then(|a| a.charm.meta.endpoint(&e.name))
            {
                interface = spec.interface.clone();
                if spec.scope == Scope::Container {
                    scope = Scope::Container;
                }
            }
        }
        let id = self.state.next_relation;
        self.state.next_relation += 1;
        let apps: Vec<AppName> = endpoints.iter().map(|e| e.app.clone()).collect();
        self.state.relations.insert(
            id,
            Relation {
                endpoints,
                interface,
                scope,
                unit_bags: Default::default(),
                app_bags: Default::default(),
                scope_units: Default::default(),
                dying: false,
                status: "joining".to_owned(),
                status_since: crate::journal::unix_now(),
            },
        );
        let rel = &self.state.relations[&id];
        let units: Vec<UnitName> = self
            .state
            .units
            .iter()
            .filter(|(n, u)| !u.dying && self.participates(n, rel))
            .map(|(n, _)| n.clone())
            .collect();
        for unit in units {
            self.enqueue(&unit, Hook::RelationCreated { relation: id });
        }
        if scope == Scope::Container {
            let subordinate = |app: &AppName| {
                self.state
                    .applications
                    .get(app)
                    .is_some_and(Application::subordinate)
            };
            if let [x, y] = apps.as_slice() {
                let pair = match (subordinate(x), subordinate(y)) {
                    (true, false) => Some((x.clone(), y.clone())),
                    (false, true) => Some((y.clone(), x.clone())),
                    _ => None,
                };
                if let Some((sub_app, principal_app)) = pair {
                    for principal in self.live_units(&principal_app) {
                        self.spawn_subordinate(&sub_app, &principal)?;
                    }
                }
            }
        }
        Ok(id)
    }

    fn destroy_relation(&mut self, id: u32) {
        let Some(rel) = self.state.relations.get_mut(&id) else {
            return;
        };
        rel.dying = true;
        let scope = rel.scope;
        let endpoints = rel.endpoints.clone();

        // A subordinate unit loses its reason to exist with the last container-scoped
        // relation between its application and its principal's (juju-info often outlives
        // the others).
        if scope == Scope::Container {
            let joins = |rel: &Relation, sub: &AppName, principal: &AppName| {
                rel.endpoints.iter().any(|e| &e.app == sub)
                    && rel.endpoints.iter().any(|e| &e.app == principal)
            };
            let doomed: Vec<UnitName> = self
                .state
                .units
                .iter()
                .filter(|(n, u)| {
                    let Some(principal) = &u.principal else {
                        return false;
                    };
                    let (sub, principal) = (n.app(), principal.app());
                    endpoints.iter().any(|e| &e.app == sub)
                        && endpoints.iter().any(|e| &e.app == principal)
                        && !self.state.relations.iter().any(|(other, rel)| {
                            *other != id
                                && !rel.dying
                                && rel.scope == Scope::Container
                                && joins(rel, sub, principal)
                        })
                })
                .map(|(n, _)| n.clone())
                .collect();
            for unit in &doomed {
                self.destroy_unit(unit);
            }
        }

        let units: Vec<UnitName> = self.state.units.keys().cloned().collect();
        for unit in units {
            self.drop_pending(&unit, |hook| {
                matches!(hook,
                    Hook::RelationCreated { relation }
                    | Hook::RelationJoined { relation, .. }
                    | Hook::RelationChanged { relation, .. } if *relation == id)
            });
            let Some(u) = self.state.units.get(&unit) else {
                continue;
            };
            if u.dying {
                // Its teardown already departs and breaks every relation it knows.
                continue;
            }
            let Some(view) = u.relations.get(&id) else {
                continue;
            };
            let members: Vec<UnitName> = view.members.iter().cloned().collect();
            for member in members {
                self.enqueue(
                    &unit,
                    Hook::RelationDeparted {
                        relation: id,
                        remote: member.clone(),
                        departing: member,
                    },
                );
            }
            self.enqueue(&unit, Hook::RelationBroken { relation: id });
        }
        if let Some(rel) = self.state.relations.get_mut(&id) {
            rel.scope_units.clear();
        }
        self.maybe_delete_relation(id);
    }

    /// Forgets a dying relation once no unit knows it any more.
    pub(super) fn maybe_delete_relation(&mut self, id: u32) {
        let dying = self.state.relations.get(&id).is_some_and(|r| r.dying);
        let known = self
            .state
            .units
            .values()
            .any(|u| u.relations.contains_key(&id));
        if dying && !known {
            self.state.relations.remove(&id);
        }
    }

    // ---- the hook queue ----------------------------------------------------------------

    /// Queues `hook` on `unit` unless an identical hook is already waiting there (Juju
    /// coalesces: a waiting `relation-changed` will read the latest data anyway), where the
    /// ordering rules put it ([`super::ordering`]). Dying units take only teardown hooks.
    pub(super) fn enqueue(&mut self, unit: &UnitName, hook: Hook) {
        let seq = self.state.next_hook_seq;
        let peers: BTreeSet<u32> = self
            .state
            .relations
            .iter()
            .filter(|(_, rel)| rel.peer())
            .map(|(id, _)| *id)
            .collect();
        let Some(u) = self.state.units.get_mut(unit) else {
            return;
        };
        let teardown = matches!(
            hook,
            Hook::RelationDeparted { .. }
                | Hook::RelationBroken { .. }
                | Hook::Stop
                | Hook::StorageDetaching { .. }
                | Hook::Remove
        );
        if u.dying && !teardown {
            return;
        }
        if u.queue.iter().any(|q| q.hook == hook) {
            return;
        }
        self.state.next_hook_seq += 1;
        let facts = ordering::Facts {
            peers: &peers,
            started: u.started,
            head_held: matches!(u.agent, AgentState::Error { .. }),
        };
        let at = ordering::position(&u.queue, &hook, &facts);
        // A hook that jumps ahead takes the place (and the turn) of the hook it passes.
        let seq = u.queue.get(at).map_or(seq, |q| q.seq.min(seq));
        u.queue.insert(at, Queued { seq, hook });
    }

    /// Drops waiting hooks matching `doomed`, except a failed hook held at the head.
    pub(super) fn drop_pending(&mut self, unit: &UnitName, doomed: impl Fn(&Hook) -> bool) {
        let Some(u) = self.state.units.get_mut(unit) else {
            return;
        };
        let keep_head = matches!(u.agent, AgentState::Error { .. });
        let mut index = 0;
        u.queue.retain(|q| {
            let held = keep_head && index == 0;
            index += 1;
            held || !doomed(&q.hook)
        });
    }
}

/// One side of a relation spec: application, its metadata, and the endpoint if given.
pub(crate) type RelationSide<'a> = (&'a str, &'a Metadata, Option<&'a str>);

/// A resolved endpoint: application, endpoint name, role.
pub(crate) type ResolvedEndpoint = (String, String, Role);

/// Picks the endpoints of a relation between two applications as `juju integrate` does:
/// matching roles (provides/requires) and interfaces; with several candidates, those using the
/// implicit `juju-info` endpoint are dropped; still several is ambiguous.
pub(crate) fn infer_relation(
    (app_a, meta_a, ep_a): RelationSide<'_>,
    (app_b, meta_b, ep_b): RelationSide<'_>,
) -> Result<(ResolvedEndpoint, ResolvedEndpoint), String> {
    for (app, meta, endpoint) in [(app_a, meta_a, ep_a), (app_b, meta_b, ep_b)] {
        if let Some(ep) = endpoint {
            if meta.endpoint(ep).is_none() {
                return Err(format!("application {app:?} has no {ep:?} relation"));
            }
        }
    }
    if app_a == app_b {
        return Err(format!("cannot relate application {app_a:?} to itself"));
    }
    let mut candidates = Vec::new();
    for (name_a, role_a, end_a) in meta_a.endpoints() {
        if role_a == Role::Peer || ep_a.is_some_and(|ep| ep != name_a) {
            continue;
        }
        for (name_b, role_b, end_b) in meta_b.endpoints() {
            if role_b != role_a.counterpart()
                || ep_b.is_some_and(|ep| ep != name_b)
                || end_a.interface != end_b.interface
            {
                continue;
            }
            candidates.push((
                (app_a.to_owned(), name_a.to_owned(), role_a),
                (app_b.to_owned(), name_b.to_owned(), role_b),
            ));
        }
    }
    if candidates.len() > 1 {
        let implicit = |(_, name, role): &ResolvedEndpoint| {
            *role == Role::Provider && name == charm_definition::JUJU_INFO
        };
        candidates.retain(|(x, y)| !implicit(x) && !implicit(y));
    }
    let shown = |(app, name, _): &ResolvedEndpoint| format!("{app}:{name}");
    match candidates.len() {
        0 => Err(format!(
            "no relations found between {:?} and {:?}",
            ep_a.map_or(app_a.to_owned(), |ep| format!("{app_a}:{ep}")),
            ep_b.map_or(app_b.to_owned(), |ep| format!("{app_b}:{ep}"))
        )),
        1 => Ok(candidates.remove(0)),
        _ => {
            let options: Vec<String> = candidates
                .iter()
                .map(|(x, y)| format!("\"{} {}\"", shown(x), shown(y)))
                .collect();
            Err(format!(
                "ambiguous relation: \"{app_a} {app_b}\" could refer to {}",
                options.join("; ")
            ))
        }
    }
}

fn check_config(app: &str, charm: &Charm, key: &str, value: &ConfigValue) -> Result<Json> {
    let checked = match value {
        ConfigValue::Text(text) => charm.config.parse_value(key, text),
        ConfigValue::Typed(json) => charm.config.check_value(key, json),
    };
    checked.map_err(|reason| Error::InvalidConfig {
        app: app.to_owned(),
        reason,
    })
}
