//! The unit's status, decided once from every check in the reference charm's order
//! (charms.openstack `_assess_status`): paused, then the charm's own checks (back ends),
//! then the relations (every failing one, combined: [`charm::relations_status`]), then what
//! this charm adds (the database schema), then whether the services run. The first check
//! that fails wins, except the relation check, which reports all failing relations at once.
//! The words OpenStack charms share are `openstack::status`'s.

pub use openstack::pause::PAUSED;
pub use openstack::status::{blocked, ready, waiting, INSTALLING, READY};

pub const NO_BACKENDS: &str = "No share backends configured";
pub const DEFAULT_BACKEND_UNSET: &str = "'default-share-backend' is not set";
pub const WAITING_FOR_SYNC: &str = "Waiting for the leader to sync the database schema";
/// No hook of a unit without the api role follows the api leader's schema sync: its
/// relations (the database router, the broker, keystone's credentials, its back ends) carry
/// nothing the sync changes. So the unit looks again in its next hook, at the latest the next
/// `update-status` (every 5 minutes by default), and says so.
pub const WAITING_FOR_SCHEMA: &str = "Waiting for the database schema (synced by the \
                                      application with the api role); looking again at the \
                                      next update-status";

/// `'default-share-backend:<name>' is not a configured backend`.
pub fn unknown_default_backend(name: &str) -> String {
    format!("'default-share-backend:{name}' is not a configured backend")
}

/// Two applications announcing one back-end name.
pub fn duplicate_backend(name: &str, first: &str, second: &str) -> String {
    format!("Share backend '{name}' is announced by both {first} and {second}")
}
