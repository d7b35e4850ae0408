//! What one hook (or action) execution can see of the model, and what it wrote.
//!
//! The model builds a [`HookContext`] when a hook starts: a snapshot, as Juju's uniter takes one
//! (`contextFactory`), of config, relations and their bags, leadership, unit state, ports and
//! statuses. Hook tools read the snapshot and record writes. Writes Juju buffers until the hook
//! exits 0 go to [`HookContext::pending`]; writes Juju makes at once (status, version, logs,
//! leader settings) go to [`HookContext::effects`] in call order. The model applies `effects`
//! whatever the exit code, and `pending` only on success.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use juju::Bag;

/// Everything one hook execution can see, plus what it wrote.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HookContext {
    /// The unit running the hook, e.g. `manila/0`.
    pub unit: String,
    /// Whether the unit holds leadership for the whole hook (Juju guarantees 30 s after a claim).
    pub leader: bool,
    /// The hook or action being run.
    pub invocation: Invocation,
    /// Every option of the charm's config: set values, defaults, and `Value::Null` for options
    /// with neither (`config-get` leaves those out unless `--all`).
    pub config: BTreeMap<String, Value>,
    /// Relations known to the unit when the hook started, by relation id.
    pub relations: BTreeMap<u32, RelationSnapshot>,
    /// The application's leader settings (`leader-get`).
    pub leader_settings: Bag,
    /// Committed unit state (`state-get`); pending writes live in [`PendingChanges::state`].
    pub unit_state: Bag,
    /// Committed opened ports (`opened-ports` never shows pending opens).
    pub opened_ports: BTreeSet<Port>,
    /// Committed ports opened for named endpoints only (`open-port --endpoints ep`), by endpoint;
    /// `opened_ports` holds those opened for all endpoints.
    #[serde(default)]
    pub endpoint_ports: BTreeMap<String, BTreeSet<Port>>,
    /// The unit's workload status as last committed.
    pub unit_status: StatusSnapshot,
    /// The application's status, and every unit's status, for `status-get --application`.
    pub app_status: StatusSnapshot,
    pub app_unit_statuses: BTreeMap<String, StatusSnapshot>,
    /// `unit-get private-address` / `public-address`.
    pub private_address: String,
    pub public_address: String,
    /// Network info per binding name (every endpoint and extra binding of the charm).
    pub networks: BTreeMap<String, NetworkSnapshot>,
    /// What `goal-state` reports.
    pub goal_state: GoalState,
    /// Secrets this unit owns (its own, and its application's) or was granted, by id, with
    /// this hook's own changes applied as it makes them.
    #[serde(default)]
    pub secrets: BTreeMap<String, SecretSnapshot>,
    /// In a storage hook, the storage instance it is about (`storage-get`'s default `-s`).
    #[serde(default)]
    pub hook_storage: Option<String>,
    /// The unit's storage instances (`data/0`), for `storage-list` and `storage-get`.
    #[serde(default)]
    pub storage: BTreeMap<String, StorageSnapshot>,
    /// Storage the charm declares, by name, with how many instances it may have.
    #[serde(default)]
    pub storage_declared: BTreeMap<String, StorageDeclaration>,
    /// Resources given at deploy, by name: the path `resource-get` prints.
    #[serde(default)]
    pub resources: BTreeMap<String, String>,
    /// The model's UUID (`relation-model-get`: every relation is within the model).
    #[serde(default)]
    pub model_uuid: String,
    /// The cloud credential `credential-get` prints, when the application is trusted.
    #[serde(default)]
    pub credential: Option<Value>,
    /// How the hook's paths map to this process's, when the hook runs in a sandbox.
    #[serde(default)]
    pub machine_view: Option<MachineView>,
    /// Buffered writes, committed by the model only when the process exits 0.
    pub pending: PendingChanges,
    /// Immediate writes, in call order; applied whatever the exit code.
    pub effects: Vec<Effect>,
    /// Results, failure message and logs of the running action (actions only).
    pub action: ActionOutcome,
    /// Every hook-tool call of this execution, in order.
    pub calls: Vec<ToolCall>,
    /// What the hook-tool engine remembers between calls of one execution, as Juju's hook
    /// context caches it. The model leaves it at its default.
    #[serde(default)]
    pub memo: ToolMemo,
}

/// A sandboxed machine's file system as the agent reaches it: the machine's own directories
/// live under `root`, the directories in `shared` are at the same path on both sides, and
/// anything else (`/usr`) is the host's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineView {
    pub root: std::path::PathBuf,
    pub shared: Vec<std::path::PathBuf>,
    /// The machine directories (`etc`, `tmp`, `usr/local`…) bound from `root`.
    pub machine_dirs: Vec<String>,
}

impl MachineView {
    /// Where machine path `path` (absolute) is for this process.
    pub fn host_path(&self, path: &std::path::Path) -> std::path::PathBuf {
        if self.shared.iter().any(|dir| path.starts_with(dir)) {
            return path.to_owned();
        }
        let relative = path.strip_prefix("/").unwrap_or(path);
        let in_machine = self
            .machine_dirs
            .iter()
            .any(|dir| relative.starts_with(dir));
        if in_machine {
            self.root.join(relative)
        } else {
            path.to_owned()
        }
    }
}

/// Reads Juju's hook context caches for the rest of the execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolMemo {
    /// The unit status as the first `status-get` of the execution read it: Juju fetches it
    /// once and serves later calls from that cache, even after a `status-set`.
    pub unit_status: Option<StatusSnapshot>,
}

/// The hook or action a context runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Invocation {
    /// A hook, e.g. `config-changed` or `db-relation-joined`.
    Hook {
        name: String,
        /// Set for relation hooks only.
        relation: Option<RelationHook>,
    },
    /// An action with its (validated, defaults inserted) params.
    Action {
        name: String,
        id: String,
        params: Map<String, Value>,
    },
}

impl Default for Invocation {
    fn default() -> Self {
        Invocation::Hook {
            name: "install".into(),
            relation: None,
        }
    }
}

/// The relation a relation hook is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationHook {
    pub relation_id: u32,
    /// Empty for relation-created, relation-broken and app-level relation-changed.
    pub remote_unit: Option<String>,
    pub remote_app: String,
    /// relation-departed only: the unit leaving (a remote unit, or this unit when it is dying).
    pub departing_unit: Option<String>,
}

/// The secret a secret hook is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHook {
    /// `secret:<id>`.
    pub uri: String,
    pub label: String,
    /// secret-remove and secret-expired: the revision.
    pub revision: Option<u32>,
}

/// One relation as the hook sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelationSnapshot {
    pub endpoint: String,
    /// The other application (for peers: this unit's own application).
    pub remote_app: String,
    pub peer: bool,
    /// Remote member units in this hook's membership snapshot (`relation-list`), sorted.
    pub members: Vec<String>,
    /// This unit's bag and this application's bag.
    pub local_unit: Bag,
    pub local_app: Bag,
    /// Bags of remote units, including departed ones (still readable for the relation's life).
    pub remote_units: BTreeMap<String, Bag>,
    pub remote_app_bag: Bag,
    /// The relation being broken in this hook: left out of `relation-ids`.
    pub broken: bool,
    /// Juju's relation key (`requirer:ep provider:ep`, or `app:ep` for a peer relation).
    #[serde(default)]
    pub key: String,
}

/// A workload status as Juju stores it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusSnapshot {
    /// `maintenance`, `blocked`, `waiting`, `active`, `unknown`, `error`, `terminated`.
    pub status: String,
    pub message: String,
    pub data: BTreeMap<String, Value>,
}

/// One binding's network info, as `network-get` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NetworkSnapshot {
    pub bind_addresses: Vec<BindAddress>,
    pub egress_subnets: Vec<String>,
    pub ingress_addresses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BindAddress {
    pub mac_address: String,
    pub interface_name: String,
    pub addresses: Vec<InterfaceAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceAddress {
    pub hostname: String,
    pub value: String,
    pub cidr: String,
}

/// `goal-state`: units of this application and the relations' expected members, as the
/// uniter facade's `GoalStates` computes them (`apiserver/facades/agent/uniter/uniter.go`
/// `oneGoalState`): peer relations are left out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GoalState {
    /// unit name -> its workload status (`dying` once it is going away)
    pub units: BTreeMap<String, GoalStatus>,
    /// local endpoint -> (remote application -> the relation's status, and remote unit ->
    /// its workload status)
    pub relations: BTreeMap<String, BTreeMap<String, GoalStatus>>,
}

/// One entry of `goal-state`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GoalStatus {
    pub status: String,
    /// When the status was set, as Juju prints it (`2006-01-02 15:04:05Z`); empty prints no
    /// `since` (Juju's `omitempty`).
    pub since: String,
}

impl GoalStatus {
    pub fn new(status: &str, since: &str) -> GoalStatus {
        GoalStatus {
            status: status.to_owned(),
            since: since.to_owned(),
        }
    }
}

/// An opened port or range, as Juju prints it (`80/tcp`, `8000-8999/udp`, `icmp`): the one
/// type the charm side uses too.
pub use juju::{Port, Protocol};

/// Writes Juju buffers and commits only when the hook exits 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PendingChanges {
    /// Relation id -> this unit's bag as it will be after commit (absent: untouched).
    pub relation_unit: BTreeMap<u32, Bag>,
    /// Relation id -> this application's bag as it will be after commit (leader only).
    pub relation_app: BTreeMap<u32, Bag>,
    /// Unit state as it will be after commit (absent: untouched).
    pub state: Option<Bag>,
    /// Port opens and closes for all endpoints, as Juju's recorder keeps them: an open cancels
    /// a pending close of the same range and vice versa, and repeats are dropped, so applying
    /// them in order gives Juju's result.
    pub ports: Vec<PortChange>,
    /// Port opens and closes for named endpoints (`--endpoints`), by endpoint, kept the same way.
    #[serde(default)]
    pub endpoint_ports: BTreeMap<String, Vec<PortChange>>,
    /// Secret changes, in call order.
    #[serde(default)]
    pub secrets: Vec<SecretChange>,
    /// `storage-add`: storage name -> instances to add.
    #[serde(default)]
    pub storage_add: BTreeMap<String, u32>,
    /// `juju-reboot` (without `--now`): reboot the machine once the hook exits 0.
    #[serde(default)]
    pub reboot: bool,
}

/// Who owns a secret (Juju's `secrets.Owner` kinds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretOwner {
    /// Owned by an application: its leader manages it, its units read it.
    Application(String),
    /// Owned by one unit.
    Unit(String),
    /// A user secret (`juju add-secret`), owned by the model.
    Model,
}

impl SecretOwner {
    /// The owner kind as `secret-info-get` prints it.
    pub fn kind(&self) -> &'static str {
        match self {
            SecretOwner::Application(_) => "application",
            SecretOwner::Unit(_) => "unit",
            SecretOwner::Model => "model",
        }
    }
}

/// One secret as a hook sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretSnapshot {
    pub owner: Option<SecretOwner>,
    /// The owner's label (empty: none).
    pub label: String,
    pub description: String,
    /// Rotation policy (`hourly`, …; empty: none).
    pub rotate: String,
    /// Expiry of the latest revision, RFC 3339 (empty: none).
    pub expire: String,
    /// Content of every revision still kept, values base64-encoded as Juju stores them.
    pub revisions: BTreeMap<u32, Bag>,
    /// Grants: who may read it, in the context of which relation.
    pub grants: Vec<SecretGrant>,
    /// This unit's label for the secret as a consumer (empty: none).
    pub consumer_label: String,
    /// The revision this unit reads as a consumer (`None`: it never read it).
    pub tracked: Option<u32>,
}

impl SecretSnapshot {
    /// The newest revision.
    pub fn latest(&self) -> u32 {
        self.revisions.keys().next_back().copied().unwrap_or(0)
    }
}

/// Read access given to an application (or one of its units) over a relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretGrant {
    /// The relation the grant lives in (`None` for a user secret's `juju grant-secret`).
    pub relation: Option<u32>,
    /// Juju's relation key (`app:ep other:ep`), for `secret-info-get`'s `scope`.
    #[serde(default)]
    pub relation_key: String,
    pub app: String,
    /// Only this unit of the application.
    pub unit: Option<String>,
}

impl SecretGrant {
    /// Whether `secret-revoke` with these options takes this grant away: every option given
    /// must match (`app` defaults to the relation's remote application), and a unit revoke
    /// also ends an application-wide grant.
    pub fn revoked_by(&self, relation: Option<u32>, app: Option<&str>, unit: Option<&str>) -> bool {
        relation.is_none_or(|r| self.relation == Some(r))
            && app.is_none_or(|a| self.app == a)
            && unit.is_none_or(|u| self.unit.is_none() || self.unit.as_deref() == Some(u))
    }
}

/// A secret write Juju buffers until the hook exits 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecretChange {
    Create {
        id: String,
        owner: SecretOwner,
        label: String,
        description: String,
        rotate: String,
        expire: String,
        content: Bag,
    },
    /// `secret-set`: each field that was given.
    Update {
        id: String,
        label: Option<String>,
        description: Option<String>,
        rotate: Option<String>,
        expire: Option<String>,
        content: Option<Bag>,
    },
    Grant {
        id: String,
        grant: SecretGrant,
    },
    Revoke {
        id: String,
        relation: Option<u32>,
        app: Option<String>,
        unit: Option<String>,
    },
    /// `secret-remove`: one revision, or the whole secret.
    Remove {
        id: String,
        revision: Option<u32>,
    },
    /// A consumer's read pinned (or moved) its revision, and maybe set its label.
    Track {
        id: String,
        revision: u32,
        label: Option<String>,
    },
}

/// One storage instance attached to the unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageSnapshot {
    /// `block` or `filesystem`.
    pub kind: String,
    /// Where it is: the mount point, or the block device.
    pub location: String,
}

/// A storage the charm declares in `metadata.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageDeclaration {
    /// The most instances it may have (`multiple.range`; `None`: no limit).
    pub max: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortChange {
    Open(Port),
    Close(Port),
}

/// A successful hook's port changes, applied in order to the committed `ports`.
pub fn apply_port_changes(ports: &mut BTreeSet<Port>, changes: &[PortChange]) {
    for change in changes {
        match change {
            PortChange::Open(port) => {
                ports.insert(*port);
            }
            PortChange::Close(port) => {
                ports.remove(port);
            }
        }
    }
}

/// Writes Juju makes at once, surviving a failing hook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Effect {
    UnitStatus {
        status: String,
        message: String,
    },
    AppStatus {
        status: String,
        message: String,
    },
    WorkloadVersion(String),
    Log {
        level: String,
        message: String,
    },
    ActionLog(String),
    /// The leader settings after the write (only changed keys are meaningful to minions).
    LeaderSettings(Bag),
    /// `juju-reboot --now`: the hook is to end now and run again after the reboot.
    RebootNow,
}

/// What an action reported. Juju adds `return-code`, `stdout` and `stderr` at the end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionOutcome {
    /// Nested results map built from dotted `action-set` keys.
    pub results: Map<String, Value>,
    /// Set by `action-fail`; the action is failed even when the process exits 0.
    pub failure: Option<String>,
}

/// One hook-tool call, for the model's transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    pub tool: String,
    pub args: Vec<String>,
    pub exit_code: i32,
}
