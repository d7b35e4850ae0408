//! Running queued hooks and actions: the snapshot a hook sees, the environment it gets, and
//! what its exit commits (juju-contract §3–§5).

use std::collections::BTreeMap;

use base64::prelude::{Engine as _, BASE64_STANDARD};
use juju::{AppName, UnitName};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::{dir_hash, Model};
use crate::error::{Error, Result};
use crate::hook_env::{hook_environment, HookEnvSpec, RelationVars};
use crate::hook_exit::{self, Flushed, HookSink, Ports, RunKind};
use crate::hooktools::{
    Bag, Effect, GoalState, GoalStatus, HookContext, Invocation, MachineView, RelationHook,
    RelationSnapshot, SecretChange, SecretHook, StatusSnapshot,
};
use crate::journal::{now_hms, HookOutcome, HookRecord, LogEntry, ToolCallRecord};
use crate::machine::sandbox;
use crate::model_state::{AgentState, Hook, HookRetry, Queued};
use crate::runner::{self, Exit, Finished, Launch};
use crate::server::Session;

/// What one `settle` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettleReport {
    /// Hooks executed (or skipped) during this settle.
    pub executions: u64,
    /// Units left in error, holding their queues.
    pub units_in_error: Vec<String>,
}

/// A finished action task, as `juju show-task` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionResult {
    pub unit: String,
    pub action: String,
    /// `juju run` prints "Running operation N with 1 task".
    pub operation: u32,
    /// The task id, also `JUJU_ACTION_UUID`.
    pub task: u32,
    pub status: ActionStatus,
    /// The failure message (`action-fail`'s, or `exit status N`).
    pub message: Option<String>,
    /// `action-set` results plus Juju's `return-code`, `stdout` and `stderr`.
    pub results: Map<String, Json>,
    /// `action-log` messages.
    pub log: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    Completed,
    Failed,
}

/// The hook or action being run, with what its environment and records need.
pub(super) struct Run {
    pub(super) unit: UnitName,
    /// `install`, `db-relation-joined`, or the action name.
    pub(super) name: String,
    /// `hooks/<name>` or `actions/<name>`; empty for `juju exec`, which sets no
    /// `JUJU_DISPATCH_PATH`.
    pub(super) dispatch_path: String,
    pub(super) invocation: Invocation,
    pub(super) relation: Option<RelationHook>,
    pub(super) endpoint: Option<String>,
    pub(super) action: Option<(String, u32)>,
    /// `juju exec`: the script run instead of the charm (whose output is the caller's, not
    /// the debug log's).
    pub(super) commands: Option<String>,
    /// A storage hook's instance (`data/0`).
    pub(super) storage: Option<String>,
    /// A secret hook's secret.
    pub(super) secret: Option<SecretHook>,
}

impl Model {
    /// Runs queued hooks until none is left (units in error hold theirs), in queue order
    /// across units.
    pub fn settle(&mut self) -> Result<SettleReport> {
        self.settle_with(None)
    }

    /// Like [`Model::settle`], but the next unit to run a hook is picked at random (seeded):
    /// Juju makes no promise about ordering across units, and a charm must converge whatever
    /// order it gets.
    pub fn settle_seeded(&mut self, seed: u64) -> Result<SettleReport> {
        self.settle_with(Some(StdRng::seed_from_u64(seed)))
    }

    fn settle_with(&mut self, mut rng: Option<StdRng>) -> Result<SettleReport> {
        let mut report = SettleReport::default();
        loop {
            let runnable = self.runnable_units();
            let next = match &mut rng {
                Some(rng) => runnable.choose(rng).map(|(unit, _)| unit.clone()),
                None => runnable
                    .iter()
                    .min_by_key(|(_, seq)| *seq)
                    .map(|(unit, _)| unit.clone()),
            };
            let Some(unit) = next.or_else(|| self.next_retry()) else {
                break;
            };
            if report.executions >= self.settle_limit {
                return Err(Error::NotSettling(report.executions));
            }
            self.run_next(&unit)?;
            report.executions += 1;
        }
        report.units_in_error = self
            .state
            .units
            .iter()
            .filter(|(_, u)| matches!(u.agent, AgentState::Error { .. }))
            .map(|(n, _)| n.to_string())
            .collect();
        Ok(report)
    }

    /// Runs the next queued hook of the unit first in line; `None` when nothing can run.
    pub fn step(&mut self) -> Result<Option<HookRecord>> {
        let next = self
            .runnable_units()
            .into_iter()
            .min_by_key(|(_, seq)| *seq)
            .map(|(unit, _)| unit);
        match next {
            Some(unit) => self.run_next(&unit).map(Some),
            None => Ok(None),
        }
    }

    /// When nothing else can run: the unit in error whose automatic retry comes first, with
    /// the model's retry clock moved to it and the unit out of error. Settle follows the
    /// backoff until the wait reaches its 5-minute ceiling; from there the unit stays in error
    /// (Juju would go on retrying every 5 minutes; a test wants a model that goes quiet).
    fn next_retry(&mut self) -> Option<UnitName> {
        let (unit, retry) = self
            .state
            .units
            .iter()
            .filter(|(_, u)| matches!(u.agent, AgentState::Error { .. }))
            .filter_map(|(name, u)| Some((name, u.retry?)))
            .filter(|(_, retry)| retry.delay < HookRetry::MAX_DELAY)
            .min_by_key(|(name, retry)| (retry.at, (*name).clone()))
            .map(|(name, retry)| (name.clone(), retry))?;
        self.state.retry_clock = self.state.retry_clock.max(retry.at);
        if let Some(u) = self.state.units.get_mut(&unit) {
            u.agent = AgentState::Idle;
        }
        Some(unit)
    }

    /// Units with a hook to run and not in error, with the queue position of their next hook.
    fn runnable_units(&self) -> Vec<(UnitName, u64)> {
        self.state
            .units
            .iter()
            .filter(|(_, u)| !matches!(u.agent, AgentState::Error { .. }))
            .filter_map(|(n, u)| u.queue.front().map(|q| (n.clone(), q.seq)))
            .collect()
    }

    /// Runs the hook at the head of `unit`'s queue and commits or holds it.
    fn run_next(&mut self, unit: &UnitName) -> Result<HookRecord> {
        let Some(queued) = self
            .state
            .units
            .get_mut(unit)
            .and_then(|u| u.queue.pop_front())
        else {
            return Err(Error::UnknownUnit(unit.to_string()));
        };
        let hook = queued.hook.clone();
        let run = self.describe_hook(unit, &hook);

        // Juju skips leader-elected on a unit that lost leadership before it ran.
        if hook == Hook::LeaderElected && !self.is_leader(unit) {
            let record = self.record(
                &run,
                HookOutcome::Skipped {
                    reason: "not leader".to_owned(),
                },
            )?;
            self.save()?;
            return Ok(record);
        }
        self.before_hook(unit, &hook)?;
        let ctx = self.snapshot(unit, &run);
        let finished = self.execute(&run, ctx)?;
        // A missing hook is no error (`runner.go`: the uniter carries on as if it ran).
        let success = matches!(finished.exit, Exit::Code(0) | Exit::Missing);
        let flushed = self.finish_run(&run, &finished, !success)?;
        // `juju-reboot --now` ends the hook: nothing is committed, the machine reboots and
        // the hook runs again (`jujuc/reboot.go`, `RebootNow`).
        if flushed == Flushed::RebootNow {
            if let Some(u) = self.state.units.get_mut(unit) {
                u.queue.push_front(queued);
            }
            self.reboot(unit);
            let record = self.record(
                &run,
                HookOutcome::Skipped {
                    reason: "interrupted by juju-reboot --now; runs again after the reboot"
                        .to_owned(),
                },
            )?;
            self.save()?;
            return Ok(record);
        }
        let outcome = match &finished.exit {
            Exit::Missing => HookOutcome::Missing,
            Exit::Code(0) => HookOutcome::Completed,
            Exit::Code(code) => HookOutcome::Failed {
                reason: format!("exit status {code}"),
            },
            Exit::Failed(reason) => HookOutcome::Failed {
                reason: reason.clone(),
            },
        };
        if success {
            if let Some(u) = self.state.units.get_mut(unit) {
                u.agent = AgentState::Idle;
                u.retry = None;
            }
            self.after_hook(unit, &hook);
        } else {
            self.hold_failed(unit, queued, &run);
        }
        let record = self.record(&run, outcome)?;
        self.save()?;
        Ok(record)
    }

    /// The unit's machine reboots: its services come back as they are enabled, and every
    /// started unit on it runs `start` again (Juju fires `start` after a machine reboot).
    fn reboot(&mut self, unit: &UnitName) {
        let Some(machine) = self.state.units.get(unit).map(|u| u.machine) else {
            return;
        };
        if let Some(m) = self.state.machines.get_mut(&machine) {
            m.state.reboot();
        }
        let started: Vec<UnitName> = self
            .state
            .units
            .iter()
            .filter(|(_, u)| u.machine == machine && u.started && !u.dying)
            .map(|(n, _)| n.clone())
            .collect();
        for unit in started {
            self.enqueue(&unit, Hook::Start);
        }
    }

    /// Puts the failed hook back at the head and the unit in error.
    fn hold_failed(&mut self, unit: &UnitName, queued: Queued, run: &Run) {
        let mut data = Map::new();
        data.insert("hook".into(), run.name.clone().into());
        if let Some(rel) = &run.relation {
            data.insert("relation-id".into(), rel.relation_id.into());
            if let Some(remote) = &rel.remote_unit {
                data.insert("remote-unit".into(), remote.clone().into());
            }
        }
        let retrying = self.state.automatically_retry_hooks;
        let now = self.state.retry_clock;
        if let Some(u) = self.state.units.get_mut(unit) {
            u.queue.push_front(queued);
            u.agent = AgentState::Error {
                message: format!("hook failed: {:?}", run.name),
                data,
            };
            // The uniter's resolver retries the failed hook with the retry strategy's
            // backoff (`internal/worker/uniter/resolver.go` `nextOpHookError`).
            let failures = u.retry.map_or(0, |r| r.failures) + 1;
            u.retry = retrying.then(|| HookRetry::after(failures, now));
        }
    }

    fn is_leader(&self, unit: &UnitName) -> bool {
        self.state
            .applications
            .get(unit.app())
            .is_some_and(|a| a.leader.as_ref() == Some(unit))
    }

    fn describe_hook(&self, unit: &UnitName, hook: &Hook) -> Run {
        let relation = hook.relation();
        let rel = relation.and_then(|r| self.state.relations.get(&r));
        let endpoint = rel
            .and_then(|rel| rel.endpoint_of(unit.app()))
            .map(|e| e.name.clone());
        let name = hook.name(endpoint.as_deref());
        let relation_hook = relation.map(|relation_id| RelationHook {
            relation_id,
            remote_unit: hook.remote_unit().map(ToString::to_string),
            remote_app: rel
                .and_then(|rel| rel.remote_app(unit.app()))
                .map(ToString::to_string)
                .unwrap_or_default(),
            departing_unit: match hook {
                Hook::RelationDeparted { departing, .. } => Some(departing.to_string()),
                _ => None,
            },
        });
        Run {
            unit: unit.clone(),
            dispatch_path: format!("hooks/{name}"),
            invocation: Invocation::Hook {
                name: name.clone(),
                relation: relation_hook.clone(),
            },
            relation: relation_hook,
            endpoint,
            action: None,
            commands: None,
            storage: hook.storage().map(str::to_owned),
            secret: hook.secret().map(|(id, revision)| SecretHook {
                uri: format!("secret:{id}"),
                label: self.secret_label(unit, id),
                revision,
            }),
            name,
        }
    }

    /// State changes Juju makes as a hook starts (idempotent: a retried hook repeats them).
    fn before_hook(&mut self, unit: &UnitName, hook: &Hook) -> Result<()> {
        match hook {
            Hook::Install
                if !self
                    .state
                    .units
                    .get(unit)
                    .is_some_and(|u| u.charm_set_status) =>
            {
                self.set_status(unit, "maintenance", "installing charm software");
            }
            Hook::Stop => {
                self.set_status(unit, "maintenance", "cleaning up prior to charm deletion")
            }
            Hook::UpgradeCharm => self.refresh_unit_charm(unit)?,
            Hook::RelationCreated { relation } => self.enter_scope(unit, *relation),
            Hook::RelationJoined { relation, remote } => {
                if let Some(view) = self
                    .state
                    .units
                    .get_mut(unit)
                    .and_then(|u| u.relations.get_mut(relation))
                {
                    view.members.insert(remote.clone());
                }
            }
            Hook::RelationDeparted {
                relation, remote, ..
            } => {
                if let Some(view) = self
                    .state
                    .units
                    .get_mut(unit)
                    .and_then(|u| u.relations.get_mut(relation))
                {
                    view.members.remove(remote);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What consuming a hook (run successfully, or skipped by `resolved --no-retry`) means.
    pub(super) fn after_hook(&mut self, unit: &UnitName, hook: &Hook) {
        match hook {
            Hook::Install => {
                if let Some(u) = self.state.units.get_mut(unit) {
                    u.installed = true;
                }
            }
            Hook::Start => {
                let set = self
                    .state
                    .units
                    .get(unit)
                    .is_some_and(|u| u.charm_set_status);
                if let Some(u) = self.state.units.get_mut(unit) {
                    u.started = true;
                }
                if !set {
                    self.set_status(unit, "unknown", "");
                }
            }
            Hook::RelationBroken { relation } => {
                if let Some(u) = self.state.units.get_mut(unit) {
                    u.relations.remove(relation);
                }
                if let Some(rel) = self.state.relations.get_mut(relation) {
                    rel.scope_units.remove(unit);
                }
                self.maybe_delete_relation(*relation);
            }
            Hook::StorageDetaching { storage } => {
                if let Some(u) = self.state.units.get_mut(unit) {
                    u.storage.remove(storage);
                }
            }
            Hook::Remove => {
                self.set_status(unit, "terminated", "");
                self.finalize_removal(unit);
            }
            _ => {}
        }
    }

    /// The unit enters the relation's scope (as its `relation-created` starts): its bag gets
    /// Juju's address keys, and it and every unit it sees queue joined and changed for each
    /// other (after an application-level changed if the remote application already wrote).
    fn enter_scope(&mut self, unit: &UnitName, relation: u32) {
        // The address on the space the unit's endpoint of the relation is bound to.
        let Some(address) = self
            .state
            .relations
            .get(&relation)
            .and_then(|rel| rel.endpoint_of(unit.app()))
            .and_then(|endpoint| self.unit_address_for(unit, &endpoint.name))
        else {
            return;
        };
        let Some(u) = self.state.units.get_mut(unit) else {
            return;
        };
        if u.relations.contains_key(&relation) {
            return;
        }
        u.relations.insert(relation, Default::default());
        let Some(rel) = self.state.relations.get_mut(&relation) else {
            return;
        };
        if rel.dying {
            return;
        }
        let bag = rel.unit_bags.entry(unit.clone()).or_default();
        for key in ["private-address", "ingress-address"] {
            bag.entry(key.to_owned()).or_insert_with(|| address.clone());
        }
        bag.entry("egress-subnets".to_owned())
            .or_insert_with(|| format!("{address}/32"));
        rel.scope_units.insert(unit.clone());
        if rel.status != "joined" {
            rel.status = "joined".to_owned();
            rel.status_since = crate::journal::unix_now();
        }

        let rel = &self.state.relations[&relation];
        let remote_app = rel.remote_app(unit.app()).cloned();
        let remote_app_wrote = remote_app
            .as_ref()
            .and_then(|app| rel.app_bags.get(app))
            .is_some_and(|bag| !bag.is_empty());
        let others: Vec<UnitName> = rel
            .scope_units
            .iter()
            .filter(|other| self.sees(rel, unit, other))
            .filter(|other| self.state.units.get(*other).is_some_and(|o| !o.dying))
            .cloned()
            .collect();
        if remote_app_wrote {
            self.enqueue(
                unit,
                Hook::RelationChanged {
                    relation,
                    remote: None,
                },
            );
        }
        for other in others {
            self.enqueue(
                unit,
                Hook::RelationJoined {
                    relation,
                    remote: other.clone(),
                },
            );
            self.enqueue(
                unit,
                Hook::RelationChanged {
                    relation,
                    remote: Some(other.clone()),
                },
            );
            self.enqueue(
                &other,
                Hook::RelationJoined {
                    relation,
                    remote: unit.clone(),
                },
            );
            self.enqueue(
                &other,
                Hook::RelationChanged {
                    relation,
                    remote: Some(unit.clone()),
                },
            );
        }
    }

    fn unit_address(&self, unit: &UnitName) -> Option<String> {
        let machine = self.state.units.get(unit)?.machine;
        Some(self.state.machines.get(&machine)?.address.clone())
    }

    fn set_status(&mut self, unit: &UnitName, status: &str, message: &str) {
        let Some(u) = self.state.units.get_mut(unit) else {
            return;
        };
        let new = StatusSnapshot {
            status: status.to_owned(),
            message: message.to_owned(),
            data: Default::default(),
        };
        // Juju refreshes the time on every status-set, changed or not.
        u.status_since = crate::journal::unix_now();
        if u.status != new {
            u.record_status(new);
        }
    }

    // ---- the hook's view ---------------------------------------------------------------

    /// Everything the hook can see, as Juju snapshots it when the hook starts.
    pub(super) fn snapshot(&self, unit: &UnitName, run: &Run) -> HookContext {
        let u = &self.state.units[unit];
        let app = &self.state.applications[unit.app()];
        let address = self.unit_address(unit).unwrap_or_default();
        let broken = match &run.invocation {
            Invocation::Hook { name, relation } if name.ends_with("-relation-broken") => {
                relation.as_ref().map(|r| r.relation_id)
            }
            _ => None,
        };
        let relations = u
            .relations
            .iter()
            .filter_map(|(id, view)| {
                let rel = self.state.relations.get(id)?;
                let endpoint = rel.endpoint_of(unit.app())?;
                let remote_app = rel.remote_app(unit.app())?;
                let remote_units = rel
                    .unit_bags
                    .iter()
                    .filter(|(other, _)| {
                        other.app() == remote_app
                            && *other != unit
                            && (self.sees(rel, unit, other)
                                || !self.state.units.contains_key(*other)
                                || view.members.contains(*other))
                    })
                    .map(|(other, bag)| (other.to_string(), bag.clone()))
                    .collect();
                Some((
                    *id,
                    RelationSnapshot {
                        endpoint: endpoint.name.clone(),
                        remote_app: remote_app.to_string(),
                        peer: rel.peer(),
                        members: view.members.iter().map(ToString::to_string).collect(),
                        local_unit: rel.unit_bags.get(unit).cloned().unwrap_or_default(),
                        local_app: rel.app_bags.get(unit.app()).cloned().unwrap_or_default(),
                        remote_units,
                        remote_app_bag: rel.app_bags.get(remote_app).cloned().unwrap_or_default(),
                        broken: broken == Some(*id),
                        key: rel.key(),
                    },
                ))
            })
            .collect();
        let storage = self.storage_view(unit);
        let app_unit_statuses = self
            .state
            .units
            .iter()
            .filter(|(n, _)| n.app() == unit.app())
            .map(|(n, other)| (n.to_string(), other.status.clone()))
            .collect();
        HookContext {
            unit: unit.to_string(),
            leader: app.leader.as_ref() == Some(unit),
            invocation: run.invocation.clone(),
            config: app.charm.config.effective(&app.config),
            relations,
            leader_settings: app.leader_settings.clone(),
            unit_state: u.state.clone(),
            opened_ports: u.opened_ports.clone(),
            endpoint_ports: u.endpoint_ports.clone(),
            unit_status: u.status.clone(),
            app_status: app.status.clone(),
            app_unit_statuses,
            private_address: address.clone(),
            public_address: address,
            networks: self.unit_networks(unit),
            goal_state: self.goal_state(unit),
            secrets: self.secrets_view(unit),
            hook_storage: run.storage.clone(),
            storage: storage.0,
            storage_declared: storage.1,
            resources: app
                .resources
                .iter()
                .map(|(name, path)| (name.clone(), path.display().to_string()))
                .collect(),
            model_uuid: self.state.uuid.clone(),
            credential: app.trusted.then(|| self.cloud_spec()),
            ..HookContext::default()
        }
    }

    /// `goal-state` as the uniter facade computes it (`apiserver/facades/agent/uniter/uniter.go`
    /// `oneGoalState`, `goalStateRelations`, `goalStateUnits`): the application's units with
    /// their workload status (`dying` for a dying unit), and per local endpoint of each
    /// non-peer relation the remote application with the relation's status and its units.
    /// Units of a subordinate application count only when this unit is their principal,
    /// which is Juju's rule, literally applied (a subordinate unit sees none of its own).
    fn goal_state(&self, unit: &UnitName) -> GoalState {
        let since = |unix: u64| crate::journal::format_iso_time(unix);
        let app_units = |app: &AppName| -> BTreeMap<String, GoalStatus> {
            self.state
                .units
                .iter()
                .filter(|(n, u)| n.app() == app && u.principal.as_ref().is_none_or(|p| p == unit))
                .map(|(n, u)| {
                    let status = if u.dying { "dying" } else { &u.status.status };
                    (
                        n.to_string(),
                        GoalStatus::new(status, &since(u.status_since)),
                    )
                })
                .collect()
        };
        let units = app_units(unit.app());
        let mut relations: BTreeMap<String, BTreeMap<String, GoalStatus>> = BTreeMap::new();
        for rel in self.state.relations.values() {
            let Some(endpoint) = rel.endpoint_of(unit.app()) else {
                continue;
            };
            if rel.peer() {
                continue;
            }
            for remote in rel.endpoints.iter().filter(|e| &e.app != unit.app()) {
                let entry = relations.entry(endpoint.name.clone()).or_default();
                entry.insert(
                    remote.app.to_string(),
                    GoalStatus::new(&rel.status, &since(rel.status_since)),
                );
                entry.extend(app_units(&remote.app));
            }
        }
        GoalState { units, relations }
    }

    fn environment(&self, run: &Run, context_id: &str, socket: &str) -> Vec<(String, String)> {
        let unit = &run.unit;
        let u = &self.state.units[unit];
        let spec =
            HookEnvSpec {
                unit: unit.to_string(),
                model_name: self.state.name.clone(),
                model_uuid: self.state.uuid.clone(),
                machine: u.machine.to_string(),
                principal: u.principal.as_ref().map(ToString::to_string),
                charm_dir: self.unit_dir(unit).join("charm").display().to_string(),
                context_id: context_id.to_owned(),
                socket: socket.to_owned(),
                dispatch_path: run.dispatch_path.clone(),
                hook_name: if run.action.is_some() {
                    String::new()
                } else {
                    run.name.clone()
                },
                tools_dir: self.unit_dir(unit).join("tools").display().to_string(),
                host_root: self
                    .state
                    .real_host
                    .is_none()
                    .then(|| self.machine_root(u.machine).display().to_string()),
                relation: run.relation.as_ref().zip(run.endpoint.as_ref()).map(
                    |(rel, endpoint)| RelationVars {
                        endpoint: endpoint.clone(),
                        id: rel.relation_id,
                        remote_unit: rel.remote_unit.clone().unwrap_or_default(),
                        remote_app: rel.remote_app.clone(),
                        departing_unit: rel.departing_unit.clone(),
                    },
                ),
                action: run.action.clone(),
                storage: run.storage.as_ref().and_then(|id| {
                    let instance = u.storage.get(id)?;
                    Some((id.clone(), instance.location.clone(), instance.kind.clone()))
                }),
                secret: run
                    .secret
                    .as_ref()
                    .map(|s| (s.uri.clone(), s.label.clone(), s.revision)),
            };
        hook_environment(&spec)
    }

    /// Runs the process (or finds it missing) with the hook-tool server up.
    pub(super) fn execute(&mut self, run: &Run, ctx: HookContext) -> Result<Finished> {
        let unit = &run.unit;
        // Once per unit and process: the links outlive us, but a model directory written by an
        // older emulator may lack a newer tool.
        if self.tools_ready.insert(unit.clone()) {
            self.prepare_tools(unit)?;
        }
        let machine = self.state.units[unit].machine;
        let hex: u128 = rand::thread_rng().gen();
        let context_id = format!("{unit}-{}-{hex:032x}", run.name);
        let socket = self.socket_path(unit);
        let env = self.environment(run, &context_id, &socket.display().to_string());
        let mut session = Session {
            context_id: context_id.clone(),
            ctx,
            machine: self.state.machines[&machine].state.clone(),
            catalog: self.state.catalog.clone(),
            root: self.machine_root(machine),
            shared: self.shared_dir(),
            calls: Vec::new(),
        };
        let charm_dir = self.unit_dir(unit).join("charm");
        if self.state.real_host.is_none() {
            let mut shared = vec![self.dir.clone()];
            shared.extend(self.state.shared_dirs.iter().cloned());
            session.ctx.machine_view = Some(MachineView {
                root: self.machine_root(machine),
                shared,
                machine_dirs: sandbox::MACHINE_DIRS
                    .iter()
                    .map(|d| (*d).to_owned())
                    .collect(),
            });
        }
        let enter = match &self.state.real_host {
            Some(real_host) => {
                real_host.enter(machine, &self.machine_overlay(machine), &charm_dir)?
            }
            None => Some(self.confine(unit, machine, &context_id, &socket, &charm_dir)?),
        };
        let launch = Launch {
            charm_dir: &charm_dir,
            socket: &socket,
            env: &env,
            dispatch_path: &run.dispatch_path,
            timeout: self.hook_timeout,
            enter: enter.as_deref(),
            signal_codes: self.state.real_host.is_none(),
        };
        let finished = match &run.commands {
            Some(commands) => runner::run_commands(&launch, commands, session),
            None => runner::run(&launch, session),
        }
        .map_err(|source| Error::Runner {
            unit: unit.to_string(),
            what: run.name.clone(),
            source,
        });
        if !socket.starts_with(self.unit_dir(unit)) {
            // The shared short directory: removed once no unit's socket is left in it.
            if let Some(dir) = socket.parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
        let finished = finished?;
        // Machine changes happen as the commands run; a failing hook does not undo them.
        if let Some(m) = self.state.machines.get_mut(&machine) {
            m.state = finished.session.machine.clone();
        }
        Ok(finished)
    }

    /// The sandbox a confined unit's process runs in (see [`crate::machine::sandbox`]),
    /// with the agent file its emulated commands find the hook through.
    fn confine(
        &self,
        unit: &UnitName,
        machine: u32,
        context_id: &str,
        socket: &std::path::Path,
        charm_dir: &std::path::Path,
    ) -> Result<Vec<std::ffi::OsString>> {
        let runner_error = |source: std::io::Error| Error::Runner {
            unit: unit.to_string(),
            what: "its machine's sandbox".to_owned(),
            source,
        };
        if !sandbox::available() {
            return Err(runner_error(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "confined units run under bubblewrap: install it (apt-get install bubblewrap)",
            )));
        }
        let root = self.machine_root(machine);
        let contents = crate::wire::agent_file_contents(
            context_id.as_bytes(),
            socket.as_os_str().as_encoded_bytes(),
        );
        sandbox::agent_file(&root, &contents).map_err(runner_error)?;
        let shim = self.dir.join("bin").join(super::SHIM_NAME);
        let mut shared = vec![self.dir.clone()];
        shared.extend(self.state.shared_dirs.iter().cloned());
        if let Some(dir) = socket.parent().filter(|dir| !dir.starts_with(&self.dir)) {
            shared.push(dir.to_owned());
        }
        sandbox::Confinement {
            root: &root,
            shim: &shim,
            shared,
            cwd: charm_dir,
            scripts: self
                .state
                .catalog
                .script_commands()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
        .command_prefix()
        .map_err(runner_error)
    }

    /// `<unit dir>/agent.socket`, or a short path under the temp dir when that would not fit
    /// in a `sockaddr_un`.
    fn socket_path(&self, unit: &UnitName) -> std::path::PathBuf {
        let path = self.unit_dir(unit).join("agent.socket");
        if path.as_os_str().len() < 100 {
            return path;
        }
        let dir = std::env::temp_dir().join(format!("juju-emulator-{:016x}", dir_hash(&self.dir)));
        let _ = std::fs::create_dir_all(&dir);
        dir.join(format!("{}.socket", unit.dashed()))
    }

    // ---- applying what the hook did ----------------------------------------------------

    /// Applies a finished run by Juju's rules ([`hook_exit::finish`]: the immediate writes
    /// always, the buffered ones when the run reported no error), then journals its debug-log
    /// lines (`juju-log`, the process's output, the operation's line) and its tool calls.
    pub(super) fn finish_run(
        &mut self,
        run: &Run,
        finished: &Finished,
        reported_error: bool,
    ) -> Result<Flushed> {
        let unit = &run.unit;
        let execution = self.state.executions + 1;
        let kind = if run.action.is_some() {
            RunKind::Action
        } else {
            RunKind::Hook
        };
        let mut sink = UnitSink {
            model: self,
            unit,
            juju_log: Vec::new(),
        };
        let flushed = hook_exit::finish(&finished.session.ctx, kind, reported_error, &mut sink);
        let juju_log = sink.juju_log;
        let entry = |level: &str, module: String, message: String| LogEntry {
            execution,
            unit: unit.to_string(),
            time: now_hms(),
            level: level.to_owned(),
            module,
            message,
        };
        // `juju-log` already put the `endpoint:id: ` prefix in the message.
        let mut logs: Vec<LogEntry> = juju_log
            .into_iter()
            .map(|(level, message)| entry(&level, format!("unit.{unit}.juju-log"), message))
            .collect();
        let output_module = format!("unit.{unit}.{}", run.name);
        let output = [("DEBUG", &finished.stdout), ("WARNING", &finished.stderr)];
        let logged_output = if run.commands.is_some() {
            &output[..0]
        } else {
            &output[..]
        };
        for (level, bytes) in logged_output {
            for line in String::from_utf8_lossy(bytes).lines() {
                logs.push(entry(level, output_module.clone(), line.to_owned()));
            }
        }
        let failure = match &finished.exit {
            Exit::Code(0) | Exit::Missing => None,
            Exit::Code(code) => Some(format!("exit status {code}")),
            Exit::Failed(reason) => Some(reason.clone()),
        };
        if run.action.is_none() {
            let (level, message) = match (&finished.exit, failure) {
                (Exit::Missing, _) => ("INFO", format!("skipped {:?} hook (missing)", run.name)),
                (_, Some(reason)) => ("ERROR", format!("hook {:?} failed: {reason}", run.name)),
                (_, None) => ("INFO", format!("ran {:?} hook", run.name)),
            };
            logs.push(entry(
                level,
                "juju.worker.uniter.operation".to_owned(),
                message,
            ));
        }
        self.journal.log(logs).map_err(super::io_error(&self.dir))?;
        let calls = finished
            .session
            .calls
            .iter()
            .map(|call| ToolCallRecord {
                execution,
                unit: unit.to_string(),
                hook: run.name.clone(),
                command: call.tool.clone(),
                args: call.args.clone(),
                exit_code: call.exit_code,
            })
            .collect();
        self.journal
            .record_calls(calls)
            .map_err(super::io_error(&self.dir))?;
        Ok(flushed)
    }

    /// `leader-set` is immediate; the others hear of a change through
    /// `leader-settings-changed`.
    fn write_leader_settings(&mut self, unit: &UnitName, bag: &crate::hooktools::Bag) {
        let Some(app) = self.state.applications.get_mut(unit.app()) else {
            return;
        };
        if &app.leader_settings == bag {
            return;
        }
        app.leader_settings = bag.clone();
        for other in self.live_units(unit.app()) {
            if &other != unit {
                self.enqueue(&other, Hook::LeaderSettingsChanged);
            }
        }
    }

    /// relation-changed for `writer` on every unit in scope that knows it (a unit still
    /// waiting for its relation-joined will read the bag in the changed that follows).
    fn notify_unit_bag(&mut self, relation: u32, writer: &UnitName) {
        let Some(rel) = self.state.relations.get(&relation) else {
            return;
        };
        if rel.dying {
            return;
        }
        let watchers: Vec<UnitName> = rel
            .scope_units
            .iter()
            .filter(|v| self.sees(rel, v, writer))
            .filter(|v| {
                self.state.units.get(*v).is_some_and(|u| {
                    u.relations
                        .get(&relation)
                        .is_some_and(|view| view.members.contains(writer))
                })
            })
            .cloned()
            .collect();
        for watcher in watchers {
            self.enqueue(
                &watcher,
                Hook::RelationChanged {
                    relation,
                    remote: Some(writer.clone()),
                },
            );
        }
    }

    /// Application-level relation-changed on every unit in scope of the other side (in a
    /// peer relation: the writer's fellow units).
    fn notify_app_bag(&mut self, relation: u32, writer: &UnitName) {
        let Some(rel) = self.state.relations.get(&relation) else {
            return;
        };
        if rel.dying {
            return;
        }
        let app: &AppName = writer.app();
        let watchers: Vec<UnitName> = rel
            .scope_units
            .iter()
            .filter(|v| *v != writer && (rel.peer() == (v.app() == app)))
            .cloned()
            .collect();
        for watcher in watchers {
            self.enqueue(
                &watcher,
                Hook::RelationChanged {
                    relation,
                    remote: None,
                },
            );
        }
    }

    pub(super) fn record(&mut self, run: &Run, outcome: HookOutcome) -> Result<HookRecord> {
        self.state.executions += 1;
        let record = HookRecord {
            execution: self.state.executions,
            unit: run.unit.to_string(),
            hook: run.name.clone(),
            action: run.action.is_some(),
            relation_id: run.relation.as_ref().map(|r| r.relation_id),
            remote_unit: run.relation.as_ref().and_then(|r| r.remote_unit.clone()),
            departing_unit: run.relation.as_ref().and_then(|r| r.departing_unit.clone()),
            outcome,
        };
        self.journal
            .hook(record.clone())
            .map_err(super::io_error(&self.dir))?;
        if let Some(progress) = &mut self.progress {
            progress(&record);
        }
        Ok(record)
    }

    // ---- actions -----------------------------------------------------------------------

    /// `juju run <unit> <action> k=v…`: validates the params against the action's schema
    /// (inserting defaults) and runs the action at once, even on a unit in error.
    pub fn run_action(
        &mut self,
        unit: &str,
        action: &str,
        params: Map<String, Json>,
    ) -> Result<ActionResult> {
        let (name, _) = self.unit(unit)?;
        let spec = self.state.applications[name.app()]
            .charm
            .actions
            .actions
            .get(action)
            .ok_or_else(|| Error::UnknownAction {
                unit: unit.to_owned(),
                action: action.to_owned(),
            })?;
        let params = spec.validate(&params).map_err(Error::ActionValidation)?;
        let operation = self.state.next_operation;
        let task = operation + 1;
        self.state.next_operation += 2;
        let run = Run {
            unit: name.clone(),
            name: action.to_owned(),
            dispatch_path: format!("actions/{action}"),
            invocation: Invocation::Action {
                name: action.to_owned(),
                id: task.to_string(),
                params,
            },
            relation: None,
            endpoint: None,
            action: Some((action.to_owned(), task)),
            commands: None,
            storage: None,
            secret: None,
        };
        let ctx = self.snapshot(&name, &run);
        let finished = self.execute(&run, ctx)?;
        self.finish_run(&run, &finished, finished.exit != Exit::Code(0))?;
        let ctx = &finished.session.ctx;
        let mut results = ctx.action.results.clone();
        let (status, message) = match &finished.exit {
            Exit::Missing => (
                ActionStatus::Failed,
                Some(format!("action not implemented on unit {unit:?}")),
            ),
            Exit::Code(0) => match &ctx.action.failure {
                Some(message) => (ActionStatus::Failed, Some(message.clone())),
                None => (ActionStatus::Completed, None),
            },
            Exit::Code(code) => (ActionStatus::Failed, Some(format!("exit status {code}"))),
            Exit::Failed(reason) => (ActionStatus::Failed, Some(reason.clone())),
        };
        if let Exit::Code(code) = finished.exit {
            results.insert("return-code".into(), code.into());
        }
        for (key, bytes) in [("stdout", &finished.stdout), ("stderr", &finished.stderr)] {
            if bytes.is_empty() {
                continue;
            }
            match String::from_utf8(bytes.clone()) {
                Ok(text) => {
                    results.insert(key.into(), text.into());
                }
                Err(_) => {
                    results.insert(key.into(), BASE64_STANDARD.encode(bytes).into());
                    results.insert(format!("{key}-encoding"), "base64".into());
                }
            }
        }
        let log = ctx
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::ActionLog(message) => Some(message.clone()),
                _ => None,
            })
            .collect();
        let outcome = match status {
            ActionStatus::Completed => HookOutcome::Completed,
            ActionStatus::Failed => HookOutcome::Failed {
                reason: message.clone().unwrap_or_default(),
            },
        };
        self.record(&run, outcome)?;
        self.save()?;
        Ok(ActionResult {
            unit: unit.to_owned(),
            action: action.to_owned(),
            operation,
            task,
            status,
            message,
            results,
            log,
        })
    }
}

/// The model as the store of one unit's finished run: what Juju would write for it, and who
/// hears of each change.
struct UnitSink<'a> {
    model: &'a mut Model,
    unit: &'a UnitName,
    /// `juju-log` lines, `(level, message)`, for the debug log.
    juju_log: Vec<(String, String)>,
}

impl HookSink for UnitSink<'_> {
    fn unit_status(&mut self, status: &str, message: &str) {
        if let Some(u) = self.model.state.units.get_mut(self.unit) {
            u.charm_set_status = true;
        }
        self.model.set_status(self.unit, status, message);
    }

    fn app_status(&mut self, status: &str, message: &str) {
        if let Some(app) = self.model.state.applications.get_mut(self.unit.app()) {
            app.status = StatusSnapshot {
                status: status.to_owned(),
                message: message.to_owned(),
                data: Default::default(),
            };
        }
    }

    fn workload_version(&mut self, version: &str) {
        if let Some(u) = self.model.state.units.get_mut(self.unit) {
            u.workload_version = version.to_owned();
        }
        if let Some(app) = self.model.state.applications.get_mut(self.unit.app()) {
            app.workload_version = version.to_owned();
        }
    }

    fn log(&mut self, level: &str, message: &str) {
        self.juju_log.push((level.to_owned(), message.to_owned()));
    }

    // Kept by the action's record (`run_action` reads them from the context).
    fn action_log(&mut self, _: &str) {}

    fn leader_settings(&mut self, settings: &Bag) {
        self.model.write_leader_settings(self.unit, settings);
    }

    fn secrets(&mut self, changes: &[SecretChange]) {
        self.model.commit_secrets(self.unit, changes);
    }

    fn storage_add(&mut self, requests: &BTreeMap<String, u32>) {
        self.model.commit_storage_add(self.unit, requests);
    }

    fn reboot(&mut self) {
        self.model.reboot(self.unit);
    }

    /// Queues relation-changed on the units that see a changed bag.
    fn unit_bag(&mut self, relation: u32, bag: &Bag) {
        let Some(rel) = self.model.state.relations.get_mut(&relation) else {
            return;
        };
        let slot = rel.unit_bags.entry(self.unit.clone()).or_default();
        if slot != bag {
            *slot = bag.clone();
            self.model.notify_unit_bag(relation, self.unit);
        }
    }

    fn app_bag(&mut self, relation: u32, bag: &Bag) {
        let Some(rel) = self.model.state.relations.get_mut(&relation) else {
            return;
        };
        let slot = rel.app_bags.entry(self.unit.app().clone()).or_default();
        if slot != bag {
            *slot = bag.clone();
            self.model.notify_app_bag(relation, self.unit);
        }
    }

    fn unit_state(&mut self, state: &Bag) {
        if let Some(u) = self.model.state.units.get_mut(self.unit) {
            u.state = state.clone();
        }
    }

    fn ports(&mut self) -> Option<Ports<'_>> {
        let u = self.model.state.units.get_mut(self.unit)?;
        Some(Ports {
            all: &mut u.opened_ports,
            by_endpoint: &mut u.endpoint_ports,
        })
    }
}
