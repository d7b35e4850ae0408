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
use crate::metadata::Metadata;
use crate::received::{self, Received};
use crate::relations::{Leadership, RelationCache, Relations};
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
    leader: Leadership,
    config: Option<RawConfig>,
    relations: RelationCache,
    state: Option<UnitState>,
    /// Whether each service asked about runs, asked once per hook.
    running: BTreeMap<String, bool>,
    status: StatusBoard,
    pub(crate) action: Option<ActionRun>,
}

/// Unit-state key of the services [`Context::running`] trusts between hooks.
const RUNNING_KEY: &str = "charm.running";

/// `name=up name=down ...`; anything else is skipped (and so asked of the machine).
fn parse_running(record: &str) -> BTreeMap<String, bool> {
    record
        .split_whitespace()
        .filter_map(|pair| match pair.split_once('=')? {
            (name, "up") => Some((name.to_owned(), true)),
            (name, "down") => Some((name.to_owned(), false)),
            _ => None,
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
        Context {
            env,
            event,
            tools,
            metadata,
            templates,
            host,
            leader: Leadership::default(),
            config: None,
            relations,
            state: None,
            running: BTreeMap::new(),
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
    pub fn ingress_address(&self, binding: &str) -> Result<String, juju::ToolError> {
        match self.tools.network_get_ingress_address(binding, None)? {
            Some(address) => Ok(address),
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
    /// `update-status` and actions, the record [`apply`](crate::plan::apply) keeps of what it
    /// left running (unit state `charm.running`) answers, and a steady-state hook runs no
    /// command. `update-status`, an action, a name the record does not hold, or a record
    /// dropped by [`Context::forget_running`] ask the machine, once per hook for every name
    /// not yet known ([`Host::running`]: one `systemctl is-active` under systemd).
    pub fn running(&mut self, names: &[&str]) -> Result<BTreeSet<String>, Error> {
        let trust_record = !matches!(self.event, Event::UpdateStatus | Event::Action(_));
        if trust_record && self.running.is_empty() {
            let state = self.state()?;
            if let Some(record) = state.get(RUNNING_KEY) {
                self.running = parse_running(record);
            }
        }
        let unknown: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.running.contains_key(*n))
            .collect();
        if !unknown.is_empty() {
            let up = self.host.running(&unknown)?;
            for name in unknown {
                self.running.insert(name.to_owned(), up.contains(name));
            }
        }
        Ok(names
            .iter()
            .filter(|n| self.running.get(**n) == Some(&true))
            .map(|n| (*n).to_owned())
            .collect())
    }

    /// Forgets what [`Context::running`] knows, and the record of it: after an installation
    /// (whose maintainer scripts start the services they ship) or an action that stopped or
    /// started services outside a plan.
    pub fn forget_running(&mut self) -> Result<(), Error> {
        self.running.clear();
        self.state()?.remove(RUNNING_KEY);
        Ok(())
    }

    /// Records which of `names` run, as this hook left them (see [`Context::running`]),
    /// beside what the record held of other services; `unrecorded` are dropped from it
    /// (whose state this charm cannot vouch for, such as Pacemaker's).
    pub(crate) fn remember_running(
        &mut self,
        names: &[&str],
        running: &BTreeSet<String>,
        unrecorded: &[&str],
    ) -> Result<(), Error> {
        let state = self.state()?;
        let mut record = state
            .get(RUNNING_KEY)
            .map(parse_running)
            .unwrap_or_default();
        for name in names {
            let up = running.contains(*name);
            self.running.insert((*name).to_owned(), up);
            record.insert((*name).to_owned(), up);
        }
        for name in unrecorded {
            record.remove(*name);
        }
        let text = record
            .iter()
            .map(|(name, up)| format!("{name}={}", if *up { "up" } else { "down" }))
            .collect::<Vec<_>>()
            .join(" ");
        self.state()?.set(RUNNING_KEY, text);
        Ok(())
    }

    /// Whether this unit is the leader (`is-leader`, once per hook).
    pub fn is_leader(&mut self) -> Result<bool, ToolError> {
        self.leader.get(&self.tools)
    }

    /// The configuration as Juju reports it (`config-get --all`, once per hook); build the
    /// charm's typed config from it.
    pub fn config(&mut self) -> Result<&RawConfig, ToolError> {
        match &mut self.config {
            Some(config) => Ok(config),
            slot @ None => Ok(slot.insert(RawConfig::new(self.tools.config_get_all()?))),
        }
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
            leader: &mut self.leader,
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
        load_state(&mut self.state, &self.tools)
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
            let state = load_state(&mut self.state, &self.tools)?;
            if stale || state.last_status().as_ref() != Some(&status) {
                state.set_last_status(&status);
                self.tools.status_set(status.status, &status.message)?;
            }
        }
        if let Some(state) = &self.state {
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

fn load_state<'s, R: ToolRunner>(
    slot: &'s mut Option<UnitState>,
    tools: &HookTools<R>,
) -> Result<&'s mut UnitState, ToolError> {
    match slot {
        Some(state) => Ok(state),
        None => Ok(slot.insert(UnitState::new(tools.state_get()?))),
    }
}
