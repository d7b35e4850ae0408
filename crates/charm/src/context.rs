//! What a charm's handler gets: the hook's inputs, cached, and the effects it may ask for.

use std::collections::{BTreeMap, BTreeSet};

use databag::{Bag, FieldError, Readiness, UnitError};
use juju::{HookEnv, HookTools, LogLevel, RelationId, ToolError, ToolRunner, UnitName};
use serde::de::DeserializeOwned;

use host::Host;

use crate::actions::{ActionError, ActionRun};
use crate::config::{ConfigError, Configured, RawConfig};

/// The unit-state key of the last valid configuration.
const CONFIG_KEY: &str = "charm.config";
use crate::event::Event;
use crate::files::{content_hash, RenderedFile};
use crate::memory::{KeptPackages, Trust};
use crate::metadata::Metadata;
use crate::received::{self, Received};
use crate::relations::{Kept, RelationCache, Relations};
use crate::state::UnitState;
use crate::status::StatusBoard;
use crate::templates::Templates;
use crate::Error;

/// One hook run, as the charm sees it.
///
/// Reads are lazy and cached for the hook: leadership, config, unit state and each relation
/// read cost one hook-tool call at most. Writes to relations, unit state, status and action
/// results are buffered and sent by the runtime at the end of a hook that succeeded.
///
/// Generic over the [`ToolRunner`], so the same charm code runs under Juju
/// ([`juju::ProcessRunner`]), in tests ([`juju::testing::Recorder`]) and in the model emulator.
#[derive(Debug)]
pub struct Context<R> {
    env: HookEnv,
    event: Event,
    tools: HookTools<R>,
    metadata: Metadata,
    templates: Templates,
    host: Host,
    config: Option<RawConfig>,
    /// `network-get` answers of this hook, by binding.
    networks: BTreeMap<String, juju::NetworkInfo>,
    relations: RelationCache,
    /// Unit state, leadership and what earlier hooks kept.
    kept: Kept,
    /// The state of each service asked about: from the record, or asked once per hook.
    running: BTreeMap<String, Seen>,
    /// Whether the record was read (or dropped).
    services_loaded: bool,
    status: StatusBoard,
    pub(crate) action: Option<ActionRun>,
}

/// Where dpkg keeps what is installed; its stamp says whether that changed.
const DPKG_STATUS: &str = "/var/lib/dpkg/status";

/// Unit-state key of the services [`Context::running`] trusts between hooks.
const RUNNING_KEY: &str = "charm.running";

/// The state this charm left a service in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    Up,
    /// Stopped (enabled or not).
    Down,
    /// Stopped and disabled.
    Off,
    /// Stopped, disabled and masked.
    Masked,
}

impl Seen {
    fn word(self) -> &'static str {
        match self {
            Seen::Up => "up",
            Seen::Down => "down",
            Seen::Off => "off",
            Seen::Masked => "masked",
        }
    }
}

/// `name=up name=masked ...`; anything else is skipped (and so asked of the machine).
fn parse_services(record: &str) -> BTreeMap<String, Seen> {
    record
        .split_whitespace()
        .filter_map(|pair| {
            let (name, word) = pair.split_once('=')?;
            let seen = [Seen::Up, Seen::Down, Seen::Off, Seen::Masked]
                .into_iter()
                .find(|s| s.word() == word)?;
            Some((name.to_owned(), seen))
        })
        .collect()
}

impl<R: ToolRunner> Context<R> {
    pub(crate) fn new(
        env: HookEnv,
        event: Event,
        tools: HookTools<R>,
        metadata: Metadata,
        templates: Templates,
        host: Host,
    ) -> Self {
        let mut relations = RelationCache::default();
        // Juju names the remote application of the hook's own relation; no need to ask.
        if let (Some(relation), Some(app)) = (&env.relation_id, &env.remote_app) {
            relations.know_remote_app(relation.clone(), app.clone());
        }
        let trust = Trust::for_event(&event);
        Context {
            env,
            event,
            tools,
            metadata,
            templates,
            host,
            config: None,
            networks: BTreeMap::new(),
            relations,
            kept: Kept::new(trust),
            running: BTreeMap::new(),
            services_loaded: false,
            status: StatusBoard::default(),
            action: None,
        }
    }

    /// The `JUJU_*` environment of this run.
    pub fn env(&self) -> &HookEnv {
        &self.env
    }

    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The hook tools themselves, for what the runtime does not wrap (ports, networking,
    /// workload version). Prefer the cached accessors below for everything they cover.
    pub fn tools(&self) -> &HookTools<R> {
        &self.tools
    }

    /// The address clients reach this unit at over `binding`: its ingress address, else the
    /// unit's private address (Juju before network-get answered ingress addresses).
    pub fn ingress_address(&mut self, binding: &str) -> Result<String, juju::ToolError> {
        match self.network(binding)?.ingress_address() {
            Some(address) => Ok(address.to_owned()),
            None => self.tools.unit_get(juju::UnitAddressKey::PrivateAddress),
        }
    }

    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// The machine: files, packages, services, commands.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Which of `names` run.
    ///
    /// Between hooks a service changes state only through this charm, or by failing; Juju
    /// runs `update-status` every five minutes to notice the latter. So outside
    /// `update-status` and actions, the record [`apply`](crate::plan::apply) keeps of the
    /// state it left each service in (unit state `charm.running`) answers, and a
    /// steady-state hook runs no command. `update-status`, an action, a name the record does
    /// not hold, or a record dropped by [`Context::forget_running`] ask the machine, once
    /// per hook for every name not yet known ([`Host::running`]: one `systemctl is-active`
    /// under systemd).
    pub fn running(&mut self, names: &[&str]) -> Result<BTreeSet<String>, Error> {
        self.load_services()?;
        let unknown: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.running.contains_key(*n))
            .collect();
        if !unknown.is_empty() {
            let up = self.host.running(&unknown)?;
            for name in unknown {
                let seen = if up.contains(name) {
                    Seen::Up
                } else {
                    Seen::Down
                };
                self.running.insert(name.to_owned(), seen);
            }
        }
        Ok(names
            .iter()
            .filter(|n| self.running.get(**n) == Some(&Seen::Up))
            .map(|n| (*n).to_owned())
            .collect())
    }

    /// The state this charm last left `name` in, when the record holds it (see
    /// [`Context::running`]).
    pub(crate) fn seen(&mut self, name: &str) -> Result<Option<Seen>, Error> {
        self.load_services()?;
        Ok(self.running.get(name).copied())
    }

    fn load_services(&mut self) -> Result<(), Error> {
        let trust_record = !matches!(self.event, Event::UpdateStatus | Event::Action(_));
        if trust_record && !self.services_loaded {
            self.services_loaded = true;
            if let Some(record) = self.state()?.get(RUNNING_KEY) {
                self.running = parse_services(record);
            }
        }
        Ok(())
    }

    /// Forgets what [`Context::running`] knows, and the record of it: after an installation
    /// (whose maintainer scripts start the services they ship) or an action that stopped or
    /// started services outside a plan.
    pub fn forget_running(&mut self) -> Result<(), Error> {
        self.running.clear();
        self.services_loaded = true;
        self.state()?.remove(RUNNING_KEY);
        Ok(())
    }

    /// Records the state this hook left each of `services` in (see [`Context::running`]),
    /// beside what the record held of other services; `unrecorded` are dropped from it
    /// (whose state this charm cannot vouch for, such as Pacemaker's).
    pub(crate) fn remember_services(
        &mut self,
        services: &[(&str, Seen)],
        unrecorded: &[&str],
    ) -> Result<(), Error> {
        let state = self.state()?;
        let mut record = state
            .get(RUNNING_KEY)
            .map(parse_services)
            .unwrap_or_default();
        for (name, seen) in services {
            self.running.insert((*name).to_owned(), *seen);
            record.insert((*name).to_owned(), *seen);
        }
        for name in unrecorded {
            record.remove(*name);
        }
        let text = record
            .iter()
            .map(|(name, seen)| format!("{name}={}", seen.word()))
            .collect::<Vec<_>>()
            .join(" ");
        self.state()?.set(RUNNING_KEY, text);
        Ok(())
    }

    /// Whether this unit is the leader (`is-leader`, once per hook; on `update-status`, as
    /// the last hook that asked found it).
    pub fn is_leader(&mut self) -> Result<bool, ToolError> {
        self.kept.is_leader(&self.tools)
    }

    /// The configuration as Juju reports it (`config-get --all`, once per hook, and only
    /// where it may have changed: see [`crate::memory`]); build the charm's typed config
    /// from it.
    pub fn config(&mut self) -> Result<&RawConfig, ToolError> {
        if self.config.is_none() {
            let trusted = self.kept.trust.config();
            let memory = self.kept.memory(&self.tools)?;
            let values = match memory.config.clone().filter(|_| trusted) {
                Some(values) => values,
                None => {
                    let values = self.tools.config_get_all()?;
                    memory.config = Some(values.clone());
                    values
                }
            };
            self.config = Some(RawConfig::new(values));
        }
        Ok(self
            .config
            .get_or_insert_with(|| RawConfig::new(Default::default())))
    }

    /// What `network-get <binding>` reports (once per binding, and only where the machine's
    /// addresses may have changed: see [`crate::memory`]).
    pub fn network(&mut self, binding: &str) -> Result<juju::NetworkInfo, ToolError> {
        if let Some(info) = self.networks.get(binding) {
            return Ok(info.clone());
        }
        let trusted = self.kept.trust.config();
        let memory = self.kept.memory(&self.tools)?;
        let info = match memory.networks.get(binding).filter(|_| trusted) {
            Some(info) => info.clone(),
            None => {
                let info = self.tools.network_get(binding, None)?;
                memory.networks.insert(binding.to_owned(), info.clone());
                info
            }
        };
        self.networks.insert(binding.to_owned(), info.clone());
        Ok(info)
    }

    /// The installed version of each of `packages` (`None`: not installed). Asked of dpkg
    /// only when its database changed since the last hook asked (its status file's stamp),
    /// or a name was not asked about then.
    pub fn installed_versions(
        &mut self,
        packages: &[&str],
    ) -> Result<BTreeMap<String, Option<String>>, Error> {
        let stamp = self.host.file_stamp(DPKG_STATUS)?;
        let memory = self.kept.memory(&self.tools)?;
        if let (Some(kept), Some(stamp)) = (&memory.packages, &stamp) {
            if kept.stamp == *stamp && packages.iter().all(|p| kept.versions.contains_key(*p)) {
                return Ok(packages
                    .iter()
                    .map(|p| ((*p).to_owned(), kept.versions[*p].clone()))
                    .collect());
            }
        }
        let versions = self.host.installed_versions(packages)?;
        memory.packages = stamp.map(|stamp| KeptPackages {
            stamp,
            versions: versions.clone(),
        });
        Ok(versions)
    }

    /// Forgets the installed versions kept (after installing: see
    /// [`Context::installed_versions`]).
    pub fn forget_installed(&mut self) -> Result<(), Error> {
        self.kept.memory(&self.tools)?.packages = None;
        Ok(())
    }

    /// The configuration parsed with `parse`; while it is invalid, the last valid one (kept
    /// in unit state, under `charm.config`) with the error: see [`Configured`].
    pub fn configured<C>(
        &mut self,
        parse: impl Fn(&RawConfig) -> Result<C, ConfigError>,
    ) -> Result<Configured<C>, ToolError> {
        let raw = self.config()?.clone();
        let state = self.state()?;
        Ok(match parse(&raw) {
            Ok(config) => {
                // A configuration too large to keep leaves the last one that was kept.
                state.set_large(CONFIG_KEY, &raw.to_json());
                Configured::Valid(config)
            }
            Err(error) => match state
                .get_large(CONFIG_KEY)
                .and_then(|text| RawConfig::from_json(&text))
                .and_then(|kept| parse(&kept).ok())
            {
                Some(config) => Configured::Kept { config, error },
                None => Configured::Invalid(error),
            },
        })
    }

    /// Relation data, with Juju's access rules; see [`Relations`].
    pub fn relations(&mut self) -> Relations<'_, R> {
        Relations {
            tools: &self.tools,
            cache: &mut self.relations,
            kept: &mut self.kept,
            metadata: &self.metadata,
            unit: &self.env.unit,
        }
    }

    /// What the remote units of `endpoint` sent, read as one interface with the last good
    /// data kept (see [`crate::received`]): `unit` checks one remote unit's bag, `relation`
    /// reads a relation from its units' bags. For an endpoint with one relation at most
    /// (the first ready one wins when there are several); [`Received::Missing`] without any.
    pub fn receive<T, V>(
        &mut self,
        endpoint: &str,
        unit: impl Fn(&Bag) -> Result<Readiness<V>, FieldError>,
        relation: impl Fn(&BTreeMap<UnitName, Bag>) -> Result<Readiness<T>, UnitError>,
    ) -> Result<Received<T>, Error> {
        let mut all: Vec<Received<T>> = self
            .receive_each(endpoint, unit, relation)?
            .into_iter()
            .map(|(_, received)| received)
            .collect();
        let ready = all.iter().position(|r| r.ready().is_some());
        Ok(match (ready, all.is_empty()) {
            (_, true) => Received::Missing,
            (Some(index), _) => all.swap_remove(index),
            (None, false) => all.swap_remove(0),
        })
    }

    /// Like [`Context::receive`], for each relation of `endpoint` on its own.
    pub fn receive_each<T, V>(
        &mut self,
        endpoint: &str,
        unit: impl Fn(&Bag) -> Result<Readiness<V>, FieldError>,
        relation: impl Fn(&BTreeMap<UnitName, Bag>) -> Result<Readiness<T>, UnitError>,
    ) -> Result<Vec<(RelationId, Received<T>)>, Error> {
        let remotes = self.relations().remote_units(endpoint)?;
        let state = self.state()?;
        let live: Vec<String> = remotes.iter().map(|r| r.relation.to_string()).collect();
        // A relation that left `relation-ids` is gone: its kept data goes with it.
        state.retain_under(
            &format!("{}{endpoint}:", received::STATE_PREFIX),
            &live_ids(&live),
        );
        let mut all = Vec::new();
        for remote in remotes {
            let key = received::state_key(&remote.relation);
            let kept = state
                .get_large(&key)
                .map(|text| received::decode(&text))
                .unwrap_or_default();
            let (got, keep) = received::receive_relation(&remote.units, &kept, &unit, &relation);
            if let Some(bags) = keep {
                // Data too large to keep is used now; the last that was kept stays kept.
                state.set_large(&key, &received::encode(&bags));
            }
            all.push((remote.relation, got));
        }
        Ok(all)
    }

    /// The unit's persistent state (`state-get`, once per hook); changes are written back at
    /// the end of the hook.
    pub fn state(&mut self) -> Result<&mut UnitState, ToolError> {
        self.kept.state(&self.tools)
    }

    /// Where components report the unit's status; the runtime decides and sets it once.
    pub fn status(&mut self) -> &mut StatusBoard {
        &mut self.status
    }

    /// The running action: parameters (already validated against `actions.yaml`), results,
    /// failure.
    pub fn action(&mut self) -> Result<&mut ActionRun, ActionError> {
        self.action.as_mut().ok_or(ActionError::NotAnAction)
    }

    /// The running action's parameters as the charm's type.
    pub fn action_params<P: DeserializeOwned>(&mut self) -> Result<P, ActionError> {
        self.action()?.params()
    }

    /// Sends `message` to Juju's log now (`juju-log`).
    pub fn log(&self, level: LogLevel, message: &str) -> Result<(), ToolError> {
        self.tools.juju_log(level, message)
    }

    /// Puts rendered files on the machine (atomically, only when different; see
    /// [`Host::write_file`]) and returns the paths that changed, in order.
    ///
    /// A file also counts as changed when its content differs from what the last successful
    /// hook wrote (remembered in unit state): if a hook wrote a file and then failed before
    /// restarting its services, the retry restarts them even though the file is already in
    /// place.
    pub fn write_files(&mut self, files: &[RenderedFile]) -> Result<Vec<String>, Error> {
        let mut changed = Vec::new();
        for file in files {
            let written = self
                .host
                .write_file(&file.path, &file.content, &file.spec)?;
            let hash = content_hash(file.content.as_bytes());
            let state = self.state()?;
            if written.is_changed() || state.file_hash(&file.path) != Some(hash.as_str()) {
                changed.push(file.path.clone());
            }
            state.set_file_hash(&file.path, &hash);
        }
        Ok(changed)
    }

    /// Sends everything buffered, in the order that keeps a failure harmless: action results,
    /// relation data, then the status (only if it differs from the last one set), then unit
    /// state. Juju commits relation data and state only when the hook exits 0, so an error
    /// here (which fails the hook) discards them.
    pub(crate) fn flush(&mut self) -> Result<(), Error> {
        if let Some(action) = &self.action {
            self.tools.action_set(action.results())?;
            if let Some(message) = action.failure() {
                self.tools.action_fail(message)?;
            }
        }
        self.relations().flush()?;
        if let Some(status) = self.status.decide() {
            // Juju sets `maintenance` itself before `stop`, so what was set last is stale.
            let stale = self.event == Event::Stop;
            let state = self.kept.state(&self.tools)?;
            if stale || state.last_status().as_ref() != Some(&status) {
                state.set_last_status(&status);
                self.tools.status_set(status.status, &status.message)?;
            }
        }
        if let Some(memory) = &self.kept.memory {
            // Loading memory loaded the state.
            if let Some(state) = &mut self.kept.state {
                memory.store(state);
            }
        }
        if let Some(state) = &self.kept.state {
            let (set, deleted) = state.changes();
            self.tools.state_set(&set)?;
            for key in deleted {
                self.tools.state_delete(&key)?;
            }
        }
        Ok(())
    }
}

/// The numbers of `relation ids` (`db:3` → `3`), as the kept-data keys end after the
/// endpoint.
fn live_ids(relations: &[String]) -> Vec<String> {
    relations
        .iter()
        .filter_map(|r| r.rsplit(':').next().map(str::to_owned))
        .collect()
}
