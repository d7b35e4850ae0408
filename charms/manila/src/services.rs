//! Which state each of the unit's services should be in, and the database schema step: a
//! pure part of [`reconcile`](crate::reconcile()).
//!
//! - A role's services run once the unit's relations are ready and the schema exists;
//!   until then they are held stopped. `manila-share` also needs a local back end. A
//!   clustered share application's `manila-share` is Pacemaker's.
//! - Services of a role the unit no longer has are retired (stopped, disabled); the eventlet
//!   API is masked wherever its package is installed.
//! - A paused unit's services are left alone (the status says whether they are down).
//! - `update-status` starts only `manila-share` (the reference revives it, LP#1706699), or
//!   everything once the schema just appeared; it stops, retires and masks nothing.
//! - The schema: the api application's leader syncs it once per release (`manila-manage db
//!   sync`, then `db-sync-done` in the leader data); its other units wait for that record.
//!   Units without the api role ask the database ([`Inputs::schema_present`]) and record the
//!   release they saw it for.

use charm::plan::{Command, RelationWrite, ServiceState};
use charm::UnitStatus;
use databag::Bag;

use crate::inputs::{leader_key, state_key, Inputs, Mode};
use crate::roles::{Role, EVENTLET_API};
use crate::status;
use openstack::release::Release;

/// The share service, which a clustered share application runs on one node at a time.
pub const SHARE_SERVICE: &str = "manila-share";

/// The service the reference revives on `update-status` (LP#1706699).
const REVIVED_ON_UPDATE_STATUS: &str = "manila-share";

/// What the unit knows about whether it can run its roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// Every relation the roles need has usable data.
    pub relations: bool,
    /// A back end is configured locally (for `manila-share`).
    pub local_backend: bool,
    /// `manila-share` is Pacemaker's (a share application related to hacluster).
    pub share_clustered: bool,
}

/// The schema step and what it adds to the plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// Known to be there for the installed release (after this hook's commands).
    pub ready: bool,
    /// A newly seen or newly synced schema: services start now, even on `update-status`.
    pub new: bool,
    pub commands: Vec<Command>,
    pub leader_data: Option<RelationWrite>,
    pub state: Vec<(String, Option<String>)>,
    /// Why the unit waits, when it does.
    pub waiting: Option<UnitStatus>,
}

/// Whether `gather` must ask the database for the schema (`manila-manage db version`): a
/// unit without the api role whose relations are ready and which has not seen the schema
/// for `release` yet.
pub fn needs_schema_check(inputs: &Inputs, release: Release, relations_ready: bool) -> bool {
    let api = inputs.roles().is_some_and(|r| r.has(Role::Api));
    !api && relations_ready && !inputs.paused && inputs.recorded.schema_seen != Some(release)
}

/// The schema step of this hook.
pub fn schema(inputs: &Inputs, release: Release, relations_ready: bool) -> Schema {
    let mut step = Schema::default();
    if !relations_ready || inputs.paused {
        return step;
    }
    let api = inputs.roles().is_some_and(|r| r.has(Role::Api));
    let cluster = inputs.cluster.as_ref();
    let synced = cluster.and_then(|c| c.leader_value(leader_key::DB_SYNC_DONE));
    if api {
        if synced == Some(release.name()) {
            step.ready = true;
        } else if inputs.leader {
            step.ready = true;
            step.new = true;
            step.commands
                .push(Command::new("manila-manage", &["db", "sync"]));
            step.leader_data = cluster.map(|c| RelationWrite {
                relation: c.relation.clone(),
                app: true,
                data: Bag::from([(
                    leader_key::DB_SYNC_DONE.to_owned(),
                    release.name().to_owned(),
                )]),
            });
        } else {
            step.waiting = Some(status::waiting(status::WAITING_FOR_SYNC));
        }
    } else if inputs.recorded.schema_seen == Some(release) {
        step.ready = true;
    } else if inputs.schema_present == Some(true) {
        step.ready = true;
        step.new = true;
        step.state.push((
            state_key::SCHEMA_SEEN.to_owned(),
            Some(release.name().to_owned()),
        ));
    } else {
        step.waiting = Some(status::waiting(status::WAITING_FOR_SCHEMA));
    }
    step
}

/// The state of every service the unit manages.
pub fn services(inputs: &Inputs, ready: Readiness, schema: &Schema) -> Vec<(String, ServiceState)> {
    let Some(roles) = inputs.roles() else {
        return Vec::new();
    };
    let full = inputs.mode == Mode::Full;
    let mut states = Vec::new();
    let mut set = |name: &str, state: ServiceState| states.push((name.to_owned(), state));
    let runs = ready.relations && schema.ready;
    for service in roles.services() {
        let needs_backend = service == SHARE_SERVICE && !ready.local_backend;
        let state = if inputs.paused {
            ServiceState::Untouched
        } else if ready.share_clustered && service == SHARE_SERVICE {
            if full {
                ServiceState::Pacemaker {
                    clustered: inputs.clustered(),
                }
            } else {
                ServiceState::Untouched
            }
        } else if runs && !needs_backend {
            let starts_now = full || schema.new || service == REVIVED_ON_UPDATE_STATUS;
            if service == "haproxy" && !inputs.ha.is_empty() {
                // Pacemaker runs it once the cluster forms; before that, this charm does.
                if full {
                    ServiceState::RunUnchecked
                } else {
                    ServiceState::Untouched
                }
            } else if starts_now {
                ServiceState::Run
            } else {
                ServiceState::Untouched
            }
        } else if full {
            ServiceState::Hold
        } else {
            ServiceState::Untouched
        };
        set(service, state);
    }
    if full {
        if let Some(recorded) = &inputs.recorded.roles {
            let current = roles.services();
            for role in recorded.removed_in(roles) {
                for service in role.services() {
                    if !current.contains(service) && inputs.installed.contains_key(*service) {
                        set(service, ServiceState::Retire);
                    }
                }
            }
        }
        if inputs.installed.contains_key(EVENTLET_API) {
            set(EVENTLET_API, ServiceState::Mask);
        }
    }
    states
}

/// The installed services of the unit's roles that this charm manages (not Pacemaker's,
/// nor haproxy under hacluster): what `pause` stops and `resume` starts.
pub fn managed(inputs: &Inputs) -> Vec<&'static str> {
    let Some(roles) = inputs.roles() else {
        return Vec::new();
    };
    let share_clustered = roles.has(Role::Share) && !inputs.ha.is_empty();
    roles
        .services()
        .into_iter()
        // Every service of a role is shipped by the package of the same name.
        .filter(|s| inputs.installed.contains_key(*s))
        .filter(|s| !owned_by_pacemaker(inputs, share_clustered, s))
        .collect()
}

/// Whether Pacemaker runs `service` on this unit: haproxy once hacluster is related, and a
/// clustered share application's `manila-share`.
fn owned_by_pacemaker(inputs: &Inputs, share_clustered: bool, service: &str) -> bool {
    (service == "haproxy" && !inputs.ha.is_empty()) || (share_clustered && service == SHARE_SERVICE)
}

/// Services that should run now and do not, as the status of a hook that does not start
/// them reports (`update-status` but for the revived one).
pub fn not_running<'s>(
    inputs: &Inputs,
    states: &'s [(String, ServiceState)],
    ready: Readiness,
    schema: &Schema,
) -> Vec<&'s str> {
    if inputs.paused || !(ready.relations && schema.ready) {
        return Vec::new();
    }
    states
        .iter()
        .filter(|(name, state)| {
            let waits_for_backend = name == SHARE_SERVICE && !ready.local_backend;
            *state == ServiceState::Untouched
                && !inputs.running.contains(name)
                && !owned_by_pacemaker(inputs, ready.share_clustered, name)
                && !waits_for_backend
        })
        .map(|(name, _)| name.as_str())
        .collect()
}
