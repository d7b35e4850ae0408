//! The model as persisted: applications, machines, units, relations and their databags.
//!
//! Everything here is plain data (serialised as `model.json` in the model directory); the rules
//! that change it live in [`crate::model`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::PathBuf;

use juju::{AppName, UnitName};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::charm_definition::{Charm, Role, Scope};
use crate::hooktools::{Bag, Port, SecretGrant, SecretOwner, StatusSnapshot};
use crate::machine::{Catalog, MachineState, OsRelease};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ModelState {
    pub(crate) name: String,
    pub(crate) uuid: String,
    pub(crate) init: InitSystem,
    /// What new machines' `/etc/os-release` says.
    #[serde(default)]
    pub(crate) os_release: OsRelease,
    pub(crate) catalog: Catalog,
    /// Where bundles' Charmhub names resolve (see [`crate::bundle::CharmStore`]).
    #[serde(default)]
    pub(crate) charm_store: Option<std::path::PathBuf>,
    /// Real-host mode (units run on this host for real), when set; see [`crate::RealHost`].
    #[serde(default)]
    pub(crate) real_host: Option<crate::model::RealHost>,
    pub(crate) applications: BTreeMap<AppName, Application>,
    pub(crate) machines: BTreeMap<u32, Machine>,
    pub(crate) units: BTreeMap<UnitName, Unit>,
    pub(crate) relations: BTreeMap<u32, Relation>,
    /// Spaces added to the model, in order (`alpha` is implicit): the first is space 2
    /// (see [`crate::Space`]).
    #[serde(default)]
    pub(crate) spaces: Vec<String>,
    pub(crate) next_machine: u32,
    pub(crate) next_relation: u32,
    /// Juju numbers operations and tasks from one sequence: the first `juju run` is
    /// operation 1 with task 2.
    pub(crate) next_operation: u32,
    /// Orders queued hooks across units (first queued, first run, in deterministic mode).
    pub(crate) next_hook_seq: u64,
    /// Numbers hook executions, for the journal.
    pub(crate) executions: u64,
    /// Model config `automatically-retry-hooks` (Juju's default: true).
    #[serde(default = "retry_hooks_default")]
    pub(crate) automatically_retry_hooks: bool,
    /// Secrets of the model: charms', and the user's (`juju add-secret`), by id.
    #[serde(default)]
    pub(crate) secrets: BTreeMap<String, Secret>,
    /// The next number of each storage name (`data/0`, `data/1`, … model-wide).
    #[serde(default)]
    pub(crate) next_storage: BTreeMap<String, u32>,
    /// Host directories every confined machine sees at their own path (see
    /// [`crate::Model::share_host_dir`]).
    #[serde(default)]
    pub(crate) shared_dirs: Vec<PathBuf>,
    /// The model's clock for hook retries, in seconds: `settle` moves it forward to the next
    /// retry when nothing else can run, so that backoffs are followed without waiting.
    #[serde(default)]
    pub(crate) retry_clock: u64,
}

fn retry_hooks_default() -> bool {
    true
}

/// A failed hook waiting for its automatic retry (`apiserver/facades/agent/retrystrategy/
/// retrystrategy.go`: first after 5 s, doubling up to 5 min).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HookRetry {
    /// How many times the hook failed in a row.
    pub(crate) failures: u32,
    /// When it runs again, on the model's retry clock.
    pub(crate) at: u64,
    /// The wait before that run.
    pub(crate) delay: u64,
}

impl HookRetry {
    pub(crate) const MIN_DELAY: u64 = 5;
    pub(crate) const MAX_DELAY: u64 = 300;

    /// The retry after the `failures`-th failure in a row, at `now`.
    pub(crate) fn after(failures: u32, now: u64) -> HookRetry {
        let doublings = failures.saturating_sub(1).min(16);
        let delay = (Self::MIN_DELAY << doublings).min(Self::MAX_DELAY);
        HookRetry {
            failures,
            at: now + delay,
            delay,
        }
    }
}

/// The init system of the emulated machines; decides whether `<root>/run/systemd/system`
/// exists, which is how the `host` crate (like `sd_booted(3)`) tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitSystem {
    #[default]
    Systemd,
    Sysv,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Application {
    pub(crate) charm: Charm,
    /// What was deployed (absolute), reread by `upgrade-charm` without a new path.
    pub(crate) charm_source: PathBuf,
    pub(crate) revision: u32,
    /// Options set explicitly (`juju config`); defaults come from the charm.
    pub(crate) config: BTreeMap<String, Json>,
    pub(crate) leader: Option<UnitName>,
    pub(crate) leader_settings: Bag,
    pub(crate) status: StatusSnapshot,
    pub(crate) workload_version: String,
    pub(crate) next_unit: u32,
    /// Endpoint (or extra binding) → space, as deployed; `""` is the application's default
    /// space. Endpoints not named follow the default, which is `alpha` when not named.
    #[serde(default)]
    pub(crate) bindings: BTreeMap<String, String>,
    /// `juju trust`: the application may read the cloud credential (`credential-get`).
    #[serde(default)]
    pub(crate) trusted: bool,
    /// Resources given at deploy: name -> the file (a copy in the model directory).
    #[serde(default)]
    pub(crate) resources: BTreeMap<String, PathBuf>,
}

impl Application {
    pub(crate) fn subordinate(&self) -> bool {
        self.charm.meta.subordinate
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Machine {
    pub(crate) address: String,
    pub(crate) state: MachineState,
    /// What its `/etc/os-release` says (`juju status` shows it as the base).
    #[serde(default)]
    pub(crate) os_release: OsRelease,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Unit {
    pub(crate) machine: u32,
    /// For subordinate units: the principal they were spawned beside.
    pub(crate) principal: Option<UnitName>,
    pub(crate) status: StatusSnapshot,
    /// When the workload status was last set (Unix seconds): `goal-state`'s `since`.
    #[serde(default)]
    pub(crate) status_since: u64,
    /// The last [`Unit::STATUS_HISTORY`] workload statuses, oldest first: `model.json` is
    /// read by every command and rewritten after every hook, so it must not grow with the
    /// model's age.
    pub(crate) status_history: Vec<StatusSnapshot>,
    /// How many older statuses the history no longer holds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) status_history_dropped: u64,
    /// Whether the charm ever called `status-set` (Juju's own statuses apply until it does).
    pub(crate) charm_set_status: bool,
    pub(crate) agent: AgentState,
    pub(crate) workload_version: String,
    pub(crate) opened_ports: BTreeSet<Port>,
    /// Ports opened for named endpoints only (`open-port --endpoints`).
    pub(crate) endpoint_ports: BTreeMap<String, BTreeSet<Port>>,
    pub(crate) state: Bag,
    pub(crate) queue: VecDeque<Queued>,
    /// Relations this unit has seen created (and not yet broken), with its view of them.
    pub(crate) relations: BTreeMap<u32, UnitRelation>,
    pub(crate) installed: bool,
    pub(crate) started: bool,
    pub(crate) dying: bool,
    /// The charm revision in the unit's charm directory.
    pub(crate) revision: u32,
    /// The automatic retry of the failed hook at the head of the queue, if any.
    #[serde(default)]
    pub(crate) retry: Option<HookRetry>,
    /// Storage instances attached to the unit, by id (`data/0`).
    #[serde(default)]
    pub(crate) storage: BTreeMap<String, StorageInstance>,
}

impl Unit {
    /// How many workload statuses a unit's history keeps.
    pub(crate) const STATUS_HISTORY: usize = 100;

    /// Records a new workload status, dropping the oldest beyond [`Unit::STATUS_HISTORY`].
    pub(crate) fn record_status(&mut self, status: StatusSnapshot) {
        self.status_history.push(status.clone());
        self.status = status;
        if self.status_history.len() > Self::STATUS_HISTORY {
            let excess = self.status_history.len() - Self::STATUS_HISTORY;
            self.status_history.drain(..excess);
            self.status_history_dropped += excess as u64;
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One storage instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StorageInstance {
    /// `filesystem` or `block`.
    pub(crate) kind: String,
    /// The machine path: a filesystem's mount point, a block device's node.
    pub(crate) location: String,
}

/// A secret, with every revision still kept and who reads which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Secret {
    pub(crate) owner: SecretOwner,
    pub(crate) label: String,
    pub(crate) description: String,
    pub(crate) rotate: String,
    pub(crate) expire: String,
    /// Revision -> content (values base64-encoded).
    pub(crate) revisions: BTreeMap<u32, Bag>,
    pub(crate) grants: Vec<SecretGrant>,
    /// Each consumer unit's label and the revision it reads.
    pub(crate) consumers: BTreeMap<UnitName, SecretConsumer>,
    /// Revisions the owner was told of as no longer read (`secret-remove`).
    pub(crate) obsolete: BTreeSet<u32>,
}

impl Secret {
    pub(crate) fn latest(&self) -> u32 {
        self.revisions.keys().next_back().copied().unwrap_or(0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SecretConsumer {
    pub(crate) label: String,
    pub(crate) tracked: u32,
}

/// One unit's view of one relation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct UnitRelation {
    /// Remote units this unit has seen join and not yet depart (`relation-list`).
    pub(crate) members: BTreeSet<UnitName>,
}

/// The unit agent's state, as `juju status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "state")]
pub enum AgentState {
    /// No hook has run yet.
    Allocating,
    Idle,
    /// A hook failed; the unit runs no further hooks until resolved.
    Error {
        /// `hook failed: "<hook>"`.
        message: String,
        /// `{hook, relation-id?, remote-unit?}`.
        data: Map<String, Json>,
    },
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgentState::Allocating => "allocating",
            AgentState::Idle => "idle",
            AgentState::Error { .. } => "error",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Queued {
    pub(crate) seq: u64,
    pub(crate) hook: Hook,
}

/// A hook waiting to run on a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "hook")]
pub(crate) enum Hook {
    Install,
    Start,
    ConfigChanged,
    UpgradeCharm,
    UpdateStatus,
    LeaderElected,
    LeaderSettingsChanged,
    Stop,
    Remove,
    RelationCreated {
        relation: u32,
    },
    RelationJoined {
        relation: u32,
        remote: UnitName,
    },
    /// `remote: None` is the application-level change (`JUJU_REMOTE_UNIT=""`).
    RelationChanged {
        relation: u32,
        remote: Option<UnitName>,
    },
    RelationDeparted {
        relation: u32,
        remote: UnitName,
        departing: UnitName,
    },
    RelationBroken {
        relation: u32,
    },
    /// `<name>-storage-attached` for storage instance `storage` (`data/0`).
    StorageAttached {
        storage: String,
    },
    StorageDetaching {
        storage: String,
    },
    /// A new revision of a secret this unit reads (consumer).
    SecretChanged {
        secret: String,
    },
    /// The owner's rotation of a secret is due.
    SecretRotate {
        secret: String,
    },
    /// A revision of the owner's secret expired.
    SecretExpired {
        secret: String,
        revision: u32,
    },
    /// A revision of the owner's secret is read by no consumer any more.
    SecretRemove {
        secret: String,
        revision: u32,
    },
}

impl Hook {
    /// The storage instance a storage hook is about.
    pub(crate) fn storage(&self) -> Option<&str> {
        match self {
            Hook::StorageAttached { storage } | Hook::StorageDetaching { storage } => Some(storage),
            _ => None,
        }
    }

    /// The secret id and revision a secret hook is about.
    pub(crate) fn secret(&self) -> Option<(&str, Option<u32>)> {
        match self {
            Hook::SecretChanged { secret } | Hook::SecretRotate { secret } => Some((secret, None)),
            Hook::SecretExpired { secret, revision } | Hook::SecretRemove { secret, revision } => {
                Some((secret, Some(*revision)))
            }
            _ => None,
        }
    }

    pub(crate) fn relation(&self) -> Option<u32> {
        match self {
            Hook::RelationCreated { relation }
            | Hook::RelationJoined { relation, .. }
            | Hook::RelationChanged { relation, .. }
            | Hook::RelationDeparted { relation, .. }
            | Hook::RelationBroken { relation } => Some(*relation),
            _ => None,
        }
    }

    pub(crate) fn remote_unit(&self) -> Option<&UnitName> {
        match self {
            Hook::RelationJoined { remote, .. } | Hook::RelationDeparted { remote, .. } => {
                Some(remote)
            }
            Hook::RelationChanged { remote, .. } => remote.as_ref(),
            _ => None,
        }
    }

    /// The hook's name without the endpoint (`install`, `relation-joined`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Hook::Install => "install",
            Hook::Start => "start",
            Hook::ConfigChanged => "config-changed",
            Hook::UpgradeCharm => "upgrade-charm",
            Hook::UpdateStatus => "update-status",
            Hook::LeaderElected => "leader-elected",
            Hook::LeaderSettingsChanged => "leader-settings-changed",
            Hook::Stop => "stop",
            Hook::Remove => "remove",
            Hook::RelationCreated { .. } => "relation-created",
            Hook::RelationJoined { .. } => "relation-joined",
            Hook::RelationChanged { .. } => "relation-changed",
            Hook::RelationDeparted { .. } => "relation-departed",
            Hook::RelationBroken { .. } => "relation-broken",
            Hook::StorageAttached { .. } => "storage-attached",
            Hook::StorageDetaching { .. } => "storage-detaching",
            Hook::SecretChanged { .. } => "secret-changed",
            Hook::SecretRotate { .. } => "secret-rotate",
            Hook::SecretExpired { .. } => "secret-expired",
            Hook::SecretRemove { .. } => "secret-remove",
        }
    }

    /// The full hook name: `<endpoint>-relation-joined` for relation hooks.
    pub(crate) fn name(&self, endpoint: Option<&str>) -> String {
        if let Some(storage) = self.storage() {
            let name = storage.split('/').next().unwrap_or(storage);
            return format!("{name}-{}", self.kind());
        }
        match (self.relation(), endpoint) {
            (Some(_), Some(endpoint)) => format!("{endpoint}-{}", self.kind()),
            _ => self.kind().to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Relation {
    /// One endpoint for a peer relation, two otherwise (provider first).
    pub(crate) endpoints: Vec<RelationEndpoint>,
    pub(crate) interface: String,
    pub(crate) scope: Scope,
    pub(crate) unit_bags: BTreeMap<UnitName, Bag>,
    pub(crate) app_bags: BTreeMap<AppName, Bag>,
    /// Units in the relation's scope: they see each other's changes.
    pub(crate) scope_units: BTreeSet<UnitName>,
    pub(crate) dying: bool,
    /// Juju's relation status: `joining` until a unit enters its scope, then `joined`.
    #[serde(default)]
    pub(crate) status: String,
    /// When the status was set (Unix seconds).
    #[serde(default)]
    pub(crate) status_since: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RelationEndpoint {
    pub(crate) app: AppName,
    pub(crate) name: String,
    pub(crate) role: Role,
}

impl fmt::Display for RelationEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.app, self.name)
    }
}

impl Relation {
    pub(crate) fn peer(&self) -> bool {
        self.endpoints.len() == 1
    }

    /// This application's endpoint in the relation.
    pub(crate) fn endpoint_of(&self, app: &AppName) -> Option<&RelationEndpoint> {
        self.endpoints.iter().find(|e| &e.app == app)
    }

    /// The application on the other side (for a peer relation: the same one).
    pub(crate) fn remote_app(&self, app: &AppName) -> Option<&AppName> {
        if self.peer() {
            return self.endpoints.first().map(|e| &e.app);
        }
        self.endpoints
            .iter()
            .find(|e| &e.app != app)
            .map(|e| &e.app)
    }

    /// Juju's relation key: `app:endpoint` of a peer relation, else the requirer's then the
    /// provider's.
    pub(crate) fn key(&self) -> String {
        let mut sides: Vec<&RelationEndpoint> = self.endpoints.iter().collect();
        sides.sort_by_key(|e| e.role != Role::Requirer);
        sides
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub(crate) fn involves(&self, app: &AppName) -> bool {
        self.endpoints.iter().any(|e| &e.app == app)
    }
}
