//! In-process, state-in/state-out tests of charm logic, after ops' Scenario (juju-contract
//! §7.1, §7.4): one [`Event`] and a frozen [`State`] in; the new `State` and the side effects
//! ([`Output`]) out.
//!
//! It shares the process emulator's machinery rather than imitating it: the run builds the same
//! [`HookContext`] snapshot a hook of the [`Model`](crate::Model) gets, every hook-tool call is
//! answered by [`hooktools::execute`] (the engine the conformance suite holds to Juju's bytes),
//! and the machine is the emulated one: the charm gets a [`host::Host`] confined to a scratch
//! root whose `apt-get`, `systemctl`, `a2ensite`… are the hook-tool shim,
//! served for the duration of the run by the same socket server a unit's hooks use. Only the
//! process boundary is gone: the charm is a closure, called with the hook environment, an
//! in-process [`ToolRunner`] and the host, returning its exit code; so the emulator does not
//! depend on the charm runtime, and a charm test calls it through `charm::dispatch`:
//!
//! ```no_run
//! use emulator::scenario::{bag, Event, Relation, Scenario, State};
//! # const METADATA: &str = "name: demo\nsummary: s\ndescription: d\nrequires:\n  db:\n    interface: mysql\n";
//! let scenario = Scenario::from_yaml(METADATA, None, None)?;
//! let state = State {
//!     relations: vec![Relation::new(1, "db", "mysql").remote_unit("mysql/0", bag([("host", "10.0.0.9")]))],
//!     ..State::default()
//! };
//! let out = scenario.run(Event::relation_changed(1, "mysql/0"), &state, |env, tools, host| {
//!     // charm::dispatch::<MyCharm, _>(env, tools, host).exit_code().into()
//! #   let _ = (env, tools, host);
//!     0
//! })?;
//! assert_eq!(out.exit_code, 0);
//! # Ok::<(), emulator::scenario::ScenarioError>(())
//! ```
//!
//! Before running, the state and event are checked against the charm's `metadata.yaml`,
//! `config.yaml` and `actions.yaml` ([`ScenarioError::Inconsistent`] lists every problem).
//! After it, the run's writes go into the new state through the model's own rules
//! (`hook_exit`, Juju's `Flush`): status, workload version, logs and `leader-set` count
//! whatever the exit code; relation data, unit state and ports only when the charm exited 0;
//! machine changes (packages, services, files) are never rolled back.
//!
//! Why a socket for the machine: the `host` crate runs its commands as processes found through
//! a search path, with no seam to answer them in process, and that is the contract worth
//! exercising. Hook tools need no process: they go to the engine directly. The shim finds the
//! run's socket through a file in the run's tools directory, since the host passes a command
//! nothing but `PATH` and `CHARM_HOST_ROOT`, and the test process's environment is shared by
//! tests running in parallel.

mod consistency;
mod state;

pub use state::{bag, juju_address_bag, Event, MachineFile, Relation, State};
// The types of `State`'s fields, so that a test needs no other import.
pub use crate::hooktools::{Bag, NetworkSnapshot, Port, Protocol, StatusSnapshot};
pub use crate::machine::{Catalog, MachineState, OsRelease};
pub use crate::model_state::InitSystem;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use host::Host;
use juju::{HookEnv, ToolOutput, ToolRunner, UnitName};
use serde_json::{Map, Value as Json};

use crate::charm_definition::{Charm, CharmError};
use crate::hook_env::{hook_environment, HookEnvSpec, RelationVars};
use crate::hook_exit::{self, Flushed, HookSink, Ports, RunKind};
use crate::hooktools::{
    self, GoalState, GoalStatus, HookContext, Invocation, PendingChanges, RelationHook,
    RelationSnapshot, ToolCall,
};
use crate::machine::MACHINE_COMMANDS;
use crate::model::{default_network, machine_address, storage_declarations, ActionStatus, SHIM};
use crate::server::{self, Server, Session, SharedSession};
use crate::wire::{self, Request, Response};

use consistency::Checked;

/// A scenario run that could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The state or event is impossible for this charm; every problem is listed.
    #[error("inconsistent scenario:\n  - {}", .0.join("\n  - "))]
    Inconsistent(Vec<String>),
    #[error(transparent)]
    Charm(#[from] CharmError),
    #[error("{0}")]
    InvalidName(#[from] juju::NameError),
    /// The scratch machine, tools directory or socket could not be made or read.
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    #[error(transparent)]
    Host(#[from] host::HostError),
    #[error(transparent)]
    Env(#[from] juju::EnvError),
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> ScenarioError {
    let what = what.into();
    move |source| ScenarioError::Io { what, source }
}

/// One charm on one unit, ready to run events: where the charm comes from and what the
/// unit's model and machine look like. Runs share nothing; each gets a fresh machine root.
#[derive(Debug, Clone)]
pub struct Scenario {
    charm: Charm,
    source: CharmSource,
    unit: UnitName,
    machine: u32,
    model_name: String,
    model_uuid: String,
    catalog: Catalog,
    init: InitSystem,
    os_release: OsRelease,
}

/// What `CHARM_DIR` holds.
#[derive(Debug, Clone)]
enum CharmSource {
    /// A charm directory on disk, used as it is.
    Dir(PathBuf),
    /// The texts of the definition files, written into each run's scratch charm directory.
    Texts {
        metadata: String,
        config: Option<String>,
        actions: Option<String>,
    },
}

/// What the run did.
#[derive(Debug, Clone)]
pub struct Output {
    /// The state after the event, as Juju would have it.
    pub state: State,
    /// What the charm returned.
    pub exit_code: i32,
    /// Every status the charm set on the unit during the run, in order.
    pub status_history: Vec<StatusSnapshot>,
    /// Every status the charm set on the application during the run, in order.
    pub app_status_history: Vec<StatusSnapshot>,
    /// `juju-log` lines, in order.
    pub logs: Vec<LogLine>,
    /// The action's outcome (action events only).
    pub action: Option<ActionOutput>,
    /// Every hook-tool and machine-command call, interleaved, in order.
    pub calls: Vec<ToolCall>,
    /// What the charm buffered: committed into `state` only if it exited 0.
    pub pending: PendingChanges,
    /// The hook's environment, as a process charm would have got it (the model's hooks get
    /// theirs from the same builder).
    pub environment: Vec<(String, String)>,
}

impl Output {
    /// The calls as command lines, the exit code only where it is not 0:
    /// `status-set active -- ready`, `dpkg-query -W … manila-common -> 1`.
    pub fn commands(&self) -> Vec<String> {
        self.transcript()
            .into_iter()
            .map(|line| match line.strip_suffix(" -> 0") {
                Some(succeeded) => succeeded.to_owned(),
                None => line,
            })
            .collect()
    }

    /// The calls as command lines with their exit codes: `status-set active -- ready -> 0`.
    pub fn transcript(&self) -> Vec<String> {
        self.calls
            .iter()
            .map(|call| {
                let argv: Vec<&str> = std::iter::once(call.tool.as_str())
                    .chain(call.args.iter().map(String::as_str))
                    .collect();
                format!("{} -> {}", argv.join(" "), call.exit_code)
            })
            .collect()
    }
}

/// One `juju-log` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// `DEBUG`, `INFO`, `WARNING`, `ERROR`.
    pub level: String,
    pub message: String,
}

/// How an action ended, as `juju show-task` would report it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionOutput {
    pub status: ActionStatus,
    /// `action-fail`'s message, or `exit status N`.
    pub message: Option<String>,
    /// `action-set` results plus Juju's `return-code` (an in-process charm has no stdout).
    pub results: Map<String, Json>,
    /// `action-log` messages.
    pub logs: Vec<String>,
}

/// The first task of a model's first operation, as `juju run` numbers it.
const ACTION_TASK: u32 = 2;

impl Scenario {
    /// The charm described by the text of its definition files (empty or `None` config and
    /// actions: the charm has none), on unit `<name>/0`.
    pub fn from_yaml(
        metadata: &str,
        config: Option<&str>,
        actions: Option<&str>,
    ) -> Result<Scenario, ScenarioError> {
        let charm = Charm::from_yaml(metadata, config, actions)?;
        let source = CharmSource::Texts {
            metadata: metadata.to_owned(),
            config: config.map(str::to_owned),
            actions: actions.map(str::to_owned),
        };
        Scenario::with_charm(charm, source)
    }

    /// The charm in directory `dir` (also the hook's `CHARM_DIR`), on unit `<name>/0`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let dir = dir.as_ref();
        let dir = if dir.is_absolute() {
            dir.to_owned()
        } else {
            std::env::current_dir()
                .map_err(io_error("current directory"))?
                .join(dir)
        };
        let charm = Charm::load(&dir)?;
        Scenario::with_charm(charm, CharmSource::Dir(dir))
    }

    fn with_charm(charm: Charm, source: CharmSource) -> Result<Scenario, ScenarioError> {
        let unit = format!("{}/0", charm.meta.name).parse()?;
        Ok(Scenario {
            charm,
            source,
            unit,
            machine: 0,
            model_name: "scenario".to_owned(),
            model_uuid: "6a7c1a3e-56de-4b5e-8f0a-5c3fd0e4a1b2".to_owned(),
            catalog: Catalog::default(),
            init: InitSystem::default(),
            os_release: OsRelease::default(),
        })
    }

    /// Runs as `unit` (an application name other than the charm's, or another unit number).
    pub fn unit(mut self, unit: &str) -> Result<Scenario, ScenarioError> {
        self.unit = unit.parse()?;
        Ok(self)
    }

    /// The machine number (`JUJU_MACHINE_ID`, and the address `127.1.0.<n+1>`).
    #[must_use]
    pub fn machine(mut self, machine: u32) -> Scenario {
        self.machine = machine;
        self
    }

    /// The packages the emulated archive offers (default: [`Catalog::default`]).
    #[must_use]
    pub fn catalog(mut self, catalog: Catalog) -> Scenario {
        self.catalog = catalog;
        self
    }

    /// The machine's init system (default systemd).
    #[must_use]
    pub fn init_system(mut self, init: InitSystem) -> Scenario {
        self.init = init;
        self
    }

    /// What the machine's `/etc/os-release` says (default Ubuntu 24.04).
    #[must_use]
    pub fn os_release(mut self, os_release: OsRelease) -> Scenario {
        self.os_release = os_release;
        self
    }

    /// The charm's metadata, config and actions.
    pub fn charm(&self) -> &Charm {
        &self.charm
    }

    pub fn unit_name(&self) -> &UnitName {
        &self.unit
    }

    /// The unit's address (`unit-get private-address`, `network-get`).
    pub fn address(&self) -> String {
        machine_address(self.machine)
    }

    /// Checks `state` and `event` against the charm, runs `charm` on them, and returns the new
    /// state and what happened. `charm` gets the hook environment, the hook-tool runner and the
    /// machine, and returns the process's exit code.
    pub fn run<F>(&self, event: Event, state: &State, charm: F) -> Result<Output, ScenarioError>
    where
        F: FnOnce(HookEnv, &dyn ToolRunner, Host) -> i32,
    {
        let checked = consistency::check(&self.charm, &self.unit, state, &event, &self.catalog)
            .map_err(ScenarioError::Inconsistent)?;
        let sandbox = Sandbox::create(self, state)?;
        let hook_name = self.hook_name(&event, state);
        let context_id = format!("{}-{hook_name}-{:032x}", self.unit, rand::random::<u128>());
        sandbox.announce(&context_id)?;
        let ctx = self.context(&event, state, checked);
        let env = self.environment(&event, state, &hook_name, &context_id, &sandbox);
        let hook_env = HookEnv::from_vars(
            |var| env.iter().find(|(k, _)| k == var).map(|(_, v)| v.clone()),
            "",
        )?;
        let search_path = format!(
            "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            sandbox.tools.display()
        );
        let host = Host::confined(&sandbox.root)?.with_search_path(search_path);
        let session: SharedSession = Arc::new(Mutex::new(Session {
            context_id: context_id.clone(),
            ctx,
            machine: state.machine.clone(),
            catalog: self.catalog.clone(),
            root: sandbox.root.clone(),
            shared: sandbox.shared.clone(),
            calls: Vec::new(),
        }));
        let server = Server::start_shared(&sandbox.socket, Arc::clone(&session))
            .map_err(io_error(format!("socket {}", sandbox.socket.display())))?;
        let runner = InProcessTools {
            scripts: self
                .catalog
                .script_commands()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            session,
            context_id,
            cwd: sandbox.charm_dir.display().to_string(),
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            charm(hook_env, &runner, host)
        }));
        drop(runner);
        let session = server.stop();
        let exit_code = match result {
            Ok(code) => code,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let files = sandbox.read_files(self)?;
        let mut output = self.outcome(&event, state, session, exit_code, files);
        output.environment = env;
        Ok(output)
    }

    /// `install`, `db-relation-joined`, or the action name.
    fn hook_name(&self, event: &Event, state: &State) -> String {
        match event.relation().and_then(|id| state.relation(id)) {
            Some(relation) => format!("{}-{}", relation.endpoint, event.kind()),
            None => event.kind().to_owned(),
        }
    }

    /// The relation hook's `RelationHook`, as the model describes a queued relation hook.
    fn relation_hook(&self, event: &Event, state: &State) -> Option<RelationHook> {
        let relation = state.relation(event.relation()?)?;
        Some(RelationHook {
            relation_id: relation.id,
            remote_unit: event.remote_unit().map(str::to_owned),
            remote_app: self.remote_app(relation),
            departing_unit: match event {
                Event::RelationDeparted {
                    remote_unit,
                    departing_unit,
                    ..
                } => Some(
                    departing_unit
                        .clone()
                        .unwrap_or_else(|| remote_unit.clone()),
                ),
                _ => None,
            },
        })
    }

    fn remote_app(&self, relation: &Relation) -> String {
        if relation.peer {
            self.unit.app().to_string()
        } else {
            relation.remote_app.clone()
        }
    }

    /// The hook's snapshot of the model, as [`crate::Model`] builds it for a hook.
    fn context(&self, event: &Event, state: &State, checked: Checked) -> HookContext {
        let address = self.address();
        let relation_hook = self.relation_hook(event, state);
        let invocation = match event {
            Event::Action { name, .. } => Invocation::Action {
                name: name.clone(),
                id: ACTION_TASK.to_string(),
                params: checked.action_params.unwrap_or_default(),
            },
            _ => Invocation::Hook {
                name: self.hook_name(event, state),
                relation: relation_hook.clone(),
            },
        };
        // The departing unit has left `relation-list` by the time its departed hook runs;
        // its bag stays readable.
        let departed = match event {
            Event::RelationDeparted {
                relation,
                remote_unit,
                ..
            } => Some((*relation, remote_unit.as_str())),
            _ => None,
        };
        let relations = state
            .relations
            .iter()
            .map(|relation| {
                let members = relation
                    .remote_units
                    .keys()
                    .filter(|unit| departed != Some((relation.id, unit.as_str())))
                    .cloned()
                    .collect();
                let snapshot = RelationSnapshot {
                    endpoint: relation.endpoint.clone(),
                    remote_app: self.remote_app(relation),
                    peer: relation.peer,
                    members,
                    local_unit: relation.local_unit_data.clone(),
                    local_app: relation.local_app_data.clone(),
                    remote_units: relation.remote_units.clone(),
                    remote_app_bag: if relation.peer {
                        relation.local_app_data.clone()
                    } else {
                        relation.remote_app_data.clone()
                    },
                    broken: matches!(event, Event::RelationBroken { relation: id } if *id == relation.id),
                    key: if relation.peer {
                        format!("{}:{}", self.unit.app(), relation.endpoint)
                    } else {
                        format!("{}:{} {}", self.unit.app(), relation.endpoint, relation.remote_app)
                    },
                };
                (relation.id, snapshot)
            })
            .collect();
        // Goal state as the uniter facade builds it (see `Model`'s): this unit and its peers,
        // and the non-peer relations' remote applications and units. The state knows no
        // other unit's status, so they read `active`; every time is now.
        let now = crate::journal::format_iso_time(crate::journal::unix_now());
        let mut app_unit_statuses = BTreeMap::new();
        let mut goal_units = BTreeMap::new();
        let mut goal_relations: BTreeMap<String, BTreeMap<String, GoalStatus>> = BTreeMap::new();
        for relation in &state.relations {
            for remote in relation.remote_units.keys() {
                if relation.peer {
                    goal_units.insert(remote.clone(), GoalStatus::new("active", &now));
                    app_unit_statuses.insert(
                        remote.clone(),
                        StatusSnapshot {
                            status: "unknown".to_owned(),
                            ..StatusSnapshot::default()
                        },
                    );
                }
            }
            if relation.peer {
                continue;
            }
            let entry = goal_relations.entry(relation.endpoint.clone()).or_default();
            entry.insert(relation.remote_app.clone(), GoalStatus::new("joined", &now));
            for remote in relation.remote_units.keys() {
                entry.insert(remote.clone(), GoalStatus::new("active", &now));
            }
        }
        goal_units.insert(
            self.unit.to_string(),
            GoalStatus::new(&state.unit_status.status, &now),
        );
        app_unit_statuses.insert(self.unit.to_string(), state.unit_status.clone());
        let default_network = default_network(self.machine);
        HookContext {
            unit: self.unit.to_string(),
            leader: state.leader,
            invocation,
            config: checked.config,
            relations,
            leader_settings: state.leader_settings.clone(),
            unit_state: state.unit_state.clone(),
            opened_ports: state.opened_ports.clone(),
            endpoint_ports: state.endpoint_ports.clone(),
            unit_status: state.unit_status.clone(),
            app_status: state.app_status.clone(),
            app_unit_statuses,
            private_address: address.clone(),
            public_address: address,
            networks: self
                .charm
                .meta
                .bindings()
                .into_iter()
                .map(|binding| {
                    let network = state
                        .networks
                        .get(&binding)
                        .cloned()
                        .unwrap_or_else(|| default_network.clone());
                    (binding, network)
                })
                .collect(),
            goal_state: GoalState {
                units: goal_units,
                relations: goal_relations,
            },
            // The state holds no storage instances, but `storage-add` checks the charm's
            // declarations as the model's hooks do.
            storage_declared: storage_declarations(&self.charm.meta),
            model_uuid: self.model_uuid.clone(),
            ..HookContext::default()
        }
    }

    /// The hook environment, from the builder the model's hooks use (juju-contract §3).
    fn environment(
        &self,
        event: &Event,
        state: &State,
        hook_name: &str,
        context_id: &str,
        sandbox: &Sandbox,
    ) -> Vec<(String, String)> {
        let action = matches!(event, Event::Action { .. });
        let dispatch = if action { "actions" } else { "hooks" };
        let relation = self
            .relation_hook(event, state)
            .zip(event.relation().and_then(|id| state.relation(id)))
            .map(|(hook, relation)| RelationVars {
                endpoint: relation.endpoint.clone(),
                id: relation.id,
                remote_unit: hook.remote_unit.unwrap_or_default(),
                remote_app: hook.remote_app,
                departing_unit: hook.departing_unit,
            });
        let spec = HookEnvSpec {
            unit: self.unit.to_string(),
            model_name: self.model_name.clone(),
            model_uuid: self.model_uuid.clone(),
            machine: self.machine.to_string(),
            principal: None,
            charm_dir: sandbox.charm_dir.display().to_string(),
            context_id: context_id.to_owned(),
            socket: sandbox.socket.display().to_string(),
            dispatch_path: format!("{dispatch}/{hook_name}"),
            hook_name: if action {
                String::new()
            } else {
                hook_name.to_owned()
            },
            tools_dir: sandbox.tools.display().to_string(),
            host_root: Some(sandbox.root.display().to_string()),
            relation,
            action: match event {
                Event::Action { name, .. } => Some((name.clone(), ACTION_TASK)),
                _ => None,
            },
            storage: None,
            secret: None,
        };
        hook_environment(&spec)
    }

    /// The new state and the side effects, committing as Juju does.
    fn outcome(
        &self,
        event: &Event,
        state: &State,
        session: Session,
        exit_code: i32,
        files: BTreeMap<String, MachineFile>,
    ) -> Output {
        let Session {
            ctx,
            machine,
            calls,
            ..
        } = session;
        let mut out = state.clone();
        out.machine = machine;
        out.files = files;
        let mut sink = StateSink {
            state: &mut out,
            status_history: Vec::new(),
            app_status_history: Vec::new(),
            logs: Vec::new(),
            action_logs: Vec::new(),
        };
        let kind = if matches!(event, Event::Action { .. }) {
            RunKind::Action
        } else {
            RunKind::Hook
        };
        let flushed = hook_exit::finish(&ctx, kind, exit_code != 0, &mut sink);
        let StateSink {
            status_history,
            app_status_history,
            logs,
            action_logs,
            ..
        } = sink;
        let success = flushed == Flushed::Committed;
        // Membership changes as Juju's hook starts, whatever the hook then does.
        if let Event::RelationDeparted {
            relation,
            remote_unit,
            ..
        } = event
        {
            if let Some(r) = out.relations.iter_mut().find(|r| r.id == *relation) {
                r.remote_units.remove(remote_unit);
            }
        }
        if let Event::RelationBroken { relation } = event {
            if success {
                out.relations.retain(|r| r.id != *relation);
            }
        }
        let action = matches!(event, Event::Action { .. }).then(|| {
            let mut results = ctx.action.results.clone();
            results.insert("return-code".into(), exit_code.into());
            let (status, message) = match (&ctx.action.failure, exit_code) {
                (_, code) if code != 0 => {
                    (ActionStatus::Failed, Some(format!("exit status {code}")))
                }
                (Some(message), _) => (ActionStatus::Failed, Some(message.clone())),
                (None, _) => (ActionStatus::Completed, None),
            };
            ActionOutput {
                status,
                message,
                results,
                logs: action_logs,
            }
        });
        Output {
            state: out,
            exit_code,
            status_history,
            app_status_history,
            logs,
            action,
            calls,
            pending: ctx.pending,
            environment: Vec::new(),
        }
    }
}

/// A scenario's `State` as the store of the run's writes, with the histories `Output` shows.
struct StateSink<'a> {
    state: &'a mut State,
    status_history: Vec<StatusSnapshot>,
    app_status_history: Vec<StatusSnapshot>,
    logs: Vec<LogLine>,
    action_logs: Vec<String>,
}

fn status_snapshot(status: &str, message: &str) -> StatusSnapshot {
    StatusSnapshot {
        status: status.to_owned(),
        message: message.to_owned(),
        data: BTreeMap::new(),
    }
}

impl HookSink for StateSink<'_> {
    fn unit_status(&mut self, status: &str, message: &str) {
        self.state.unit_status = status_snapshot(status, message);
        self.status_history.push(self.state.unit_status.clone());
    }

    fn app_status(&mut self, status: &str, message: &str) {
        self.state.app_status = status_snapshot(status, message);
        self.app_status_history.push(self.state.app_status.clone());
    }

    fn workload_version(&mut self, version: &str) {
        self.state.workload_version = version.to_owned();
    }

    fn log(&mut self, level: &str, message: &str) {
        self.logs.push(LogLine {
            level: level.to_owned(),
            message: message.to_owned(),
        });
    }

    fn action_log(&mut self, message: &str) {
        self.action_logs.push(message.to_owned());
    }

    fn leader_settings(&mut self, settings: &Bag) {
        self.state.leader_settings = settings.clone();
    }

    // The state holds no secrets and no storage: what the charm asked for stays readable in
    // `Output::pending`.
    fn secrets(&mut self, _: &[hooktools::SecretChange]) {}

    fn storage_add(&mut self, _: &BTreeMap<String, u32>) {}

    fn reboot(&mut self) {
        self.state.machine.reboot();
    }

    fn unit_bag(&mut self, relation: u32, bag: &Bag) {
        if let Some(r) = self.state.relations.iter_mut().find(|r| r.id == relation) {
            r.local_unit_data = bag.clone();
        }
    }

    fn app_bag(&mut self, relation: u32, bag: &Bag) {
        if let Some(r) = self.state.relations.iter_mut().find(|r| r.id == relation) {
            r.local_app_data = bag.clone();
        }
    }

    fn unit_state(&mut self, state: &Bag) {
        self.state.unit_state = state.clone();
    }

    fn ports(&mut self) -> Option<Ports<'_>> {
        Some(Ports {
            all: &mut self.state.opened_ports,
            by_endpoint: &mut self.state.endpoint_ports,
        })
    }
}

/// The hook-tool runner the charm gets: each call is answered by the run's session, exactly as
/// a call through the shim and the socket would be (the same `server::answer`), with stdin
/// handed over when the tool asks for it as Juju's client does.
struct InProcessTools {
    session: SharedSession,
    /// The catalog's script commands, machine commands as the emulated ones are.
    scripts: Vec<String>,
    context_id: String,
    cwd: String,
}

impl ToolRunner for InProcessTools {
    fn run(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        if !hooktools::HOOK_TOOLS.contains(&tool)
            && !MACHINE_COMMANDS.contains(&tool)
            && !self.scripts.iter().any(|s| s == tool)
        {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{tool}: not a hook tool or emulated machine command"),
            ));
        }
        let mut request = Request {
            context_id: self.context_id.clone().into_bytes(),
            dir: self.cwd.clone().into_bytes(),
            command: tool.as_bytes().to_vec(),
            args: args.iter().map(|a| a.clone().into_bytes()).collect(),
            stdin: None,
        };
        loop {
            let response = server::answer(&mut server::lock(&self.session), request.clone());
            match response {
                Response::Done {
                    exit_code,
                    stdout,
                    stderr,
                } => {
                    return Ok(ToolOutput {
                        stdout,
                        stderr,
                        exit_code,
                    })
                }
                // The process runner's child would read its stdin, empty if none was given.
                Response::NeedsStdin if request.stdin.is_none() => {
                    request.stdin = Some(stdin.unwrap_or_default().to_vec());
                }
                Response::NeedsStdin => {
                    return Err(io::Error::other(format!("{tool} asked for stdin twice")))
                }
                Response::Failed(message) => {
                    let mut stderr = b"ERROR ".to_vec();
                    stderr.extend_from_slice(&message);
                    stderr.push(b'\n');
                    return Ok(ToolOutput {
                        stdout: Vec::new(),
                        stderr,
                        exit_code: 1,
                    });
                }
            }
        }
    }
}

/// The shim, written once for all the runs in progress in this process, and removed with the
/// last of them.
///
/// Why not a copy per run: tests run scenarios on many threads, and a charm forks to run a
/// machine command. A child forked while another thread has its own new copy of the shim
/// open for writing holds that file open until it execs, and exec'ing the file meanwhile
/// fails with ETXTBSY ("Text file busy"). The shared shim is only written when no run is in
/// progress, so no run's charm is forking then.
struct ShimLease {
    path: PathBuf,
}

/// The shared shim's directory and how many runs use it.
static SHARED_SHIM: Mutex<Option<(tempfile::TempDir, usize)>> = Mutex::new(None);

impl ShimLease {
    fn acquire() -> Result<ShimLease, ScenarioError> {
        let mut shared = SHARED_SHIM
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if shared.is_none() {
            let dir = tempfile::Builder::new()
                .prefix("scenario-shim")
                .tempdir()
                .map_err(io_error("shim directory"))?;
            let path = dir.path().join("jujuc");
            fs::write(&path, SHIM)
                .and_then(|()| fs::set_permissions(&path, fs::Permissions::from_mode(0o755)))
                .map_err(io_error(path.display().to_string()))?;
            *shared = Some((dir, 0));
        }
        let (dir, users) = shared.as_mut().expect("the shared shim was just made");
        *users += 1;
        Ok(ShimLease {
            path: dir.path().join("jujuc"),
        })
    }
}

impl Drop for ShimLease {
    fn drop(&mut self) {
        let mut shared = SHARED_SHIM
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, users)) = shared.as_mut() {
            *users -= 1;
            if *users == 0 {
                *shared = None;
            }
        }
    }
}

/// One run's scratch space: the machine root, the tools directory, the socket, and (unless
/// the charm is a directory on disk) the charm directory.
struct Sandbox {
    _dir: tempfile::TempDir,
    shim: ShimLease,
    root: PathBuf,
    /// What the machine's package scripts share with other machines (`MODEL_SHARED`): the
    /// run's own, empty at the start.
    shared: PathBuf,
    tools: PathBuf,
    socket: PathBuf,
    charm_dir: PathBuf,
}

impl Sandbox {
    fn create(scenario: &Scenario, state: &State) -> Result<Sandbox, ScenarioError> {
        let dir = tempfile::Builder::new()
            .prefix("scenario")
            .tempdir()
            .map_err(io_error("scratch directory"))?;
        let root = dir.path().join("root");
        let tools = dir.path().join("tools");
        let socket = dir.path().join("agent.socket");
        let charm_dir = match &scenario.source {
            CharmSource::Dir(path) => path.clone(),
            CharmSource::Texts {
                metadata,
                config,
                actions,
            } => {
                let charm_dir = dir.path().join("charm");
                fs::create_dir_all(&charm_dir).map_err(io_error("charm directory"))?;
                for (name, text) in [
                    ("metadata.yaml", Some(metadata)),
                    ("config.yaml", config.as_ref()),
                    ("actions.yaml", actions.as_ref()),
                ] {
                    if let Some(text) = text {
                        let path = charm_dir.join(name);
                        fs::write(&path, text).map_err(io_error(path.display().to_string()))?;
                    }
                }
                charm_dir
            }
        };
        let shared = dir.path().join("shared");
        let sandbox = Sandbox {
            _dir: dir,
            shim: ShimLease::acquire()?,
            root,
            shared,
            tools,
            socket,
            charm_dir,
        };
        sandbox.provision(scenario, state)?;
        sandbox.install_tools(&scenario.catalog)?;
        Ok(sandbox)
    }

    /// The machine root: the state's files, then what the scenario provisions.
    fn provision(&self, scenario: &Scenario, state: &State) -> Result<(), ScenarioError> {
        fs::create_dir_all(&self.root).map_err(io_error("machine root"))?;
        for (path, entry) in &state.files {
            let full = self.root.join(path.trim_start_matches('/'));
            let failed = io_error(format!("state file {path}"));
            if let Some(parent) = full.parent() {
                fs::create_dir_all(parent).map_err(io_error(format!("state file {path}")))?;
            }
            match entry {
                MachineFile::File { contents, mode } => fs::write(&full, contents)
                    .and_then(|()| fs::set_permissions(&full, fs::Permissions::from_mode(*mode))),
                MachineFile::Symlink { target } => symlink(target, &full),
                MachineFile::Dir { mode } => fs::create_dir_all(&full)
                    .and_then(|()| fs::set_permissions(&full, fs::Permissions::from_mode(*mode))),
            }
            .map_err(failed)?;
        }
        if !state.files.contains_key(OsRelease::PATH) {
            scenario
                .os_release
                .write(&self.root)
                .map_err(io_error(OsRelease::PATH))?;
        }
        if scenario.init == InitSystem::Systemd {
            fs::create_dir_all(self.root.join(SYSTEMD_MARKER.trim_start_matches('/')))
                .map_err(io_error(SYSTEMD_MARKER))?;
        }
        Ok(())
    }

    /// The shim under every tool's name. Hard links, not symbolic ones: the shim finds the
    /// agent file beside the path it was started from, which a symbolic link would resolve
    /// away.
    fn install_tools(&self, catalog: &Catalog) -> Result<(), ScenarioError> {
        let failed = || io_error(format!("tools directory {}", self.tools.display()));
        fs::create_dir_all(&self.tools).map_err(failed())?;
        let scripts = catalog.script_commands();
        for name in hooktools::HOOK_TOOLS
            .iter()
            .chain(MACHINE_COMMANDS)
            .chain(scripts.iter())
        {
            fs::hard_link(&self.shim.path, self.tools.join(name)).map_err(failed())?;
        }
        Ok(())
    }

    /// Tells the shims which context and socket to use.
    fn announce(&self, context_id: &str) -> Result<(), ScenarioError> {
        let contents = wire::agent_file_contents(
            context_id.as_bytes(),
            self.socket.as_os_str().as_encoded_bytes(),
        );
        let path = self.tools.join(wire::AGENT_FILE);
        fs::write(&path, contents).map_err(io_error(path.display().to_string()))
    }

    /// Every file, link and empty directory under the root, but what the scenario provisioned
    /// and the run left as it was.
    fn read_files(
        &self,
        scenario: &Scenario,
    ) -> Result<BTreeMap<String, MachineFile>, ScenarioError> {
        let mut files = BTreeMap::new();
        walk(&self.root, &self.root, &mut files)
            .map_err(io_error(format!("machine root {}", self.root.display())))?;
        let os_release = scenario.os_release.contents();
        if files.get(OsRelease::PATH).and_then(MachineFile::text) == Some(os_release.as_ref()) {
            files.remove(OsRelease::PATH);
        }
        if scenario.init == InitSystem::Systemd {
            files.remove(SYSTEMD_MARKER);
        }
        Ok(files)
    }
}

/// The directory whose presence makes a machine systemd-booted (`sd_booted(3)`).
const SYSTEMD_MARKER: &str = "/run/systemd/system";

fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, MachineFile>) -> io::Result<()> {
    let mut entries = fs::read_dir(dir)?.peekable();
    let machine_path = |path: &Path| {
        let relative = path.strip_prefix(root).unwrap_or(path);
        format!("/{}", relative.display())
    };
    if entries.peek().is_none() && dir != root {
        let mode = fs::metadata(dir)?.permissions().mode() & 0o7777;
        files.insert(machine_path(dir), MachineFile::Dir { mode });
        return Ok(());
    }
    for entry in entries {
        let path = entry?.path();
        let meta = fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&path)?.display().to_string();
            files.insert(machine_path(&path), MachineFile::Symlink { target });
        } else if meta.is_dir() {
            walk(root, &path, files)?;
        } else if meta.is_file() {
            files.insert(
                machine_path(&path),
                MachineFile::File {
                    contents: fs::read(&path)?,
                    mode: meta.permissions().mode() & 0o7777,
                },
            );
        }
    }
    Ok(())
}
