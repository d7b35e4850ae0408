//! The OpenStack charms' status words, as charms.openstack and charmhelpers write them, so
//! that an operator reading `juju status` sees the same text whichever charm runs.

use charm::UnitStatus;
use juju::Status;

/// Everything the unit needs is there and running.
pub const READY: &str = "Unit is ready";
/// While packages install (first hook, or after `openstack-origin` changed).
pub const INSTALLING: &str = "Installing packages";

/// `active`, [`READY`].
pub fn ready() -> UnitStatus {
    UnitStatus::new(Status::Active, READY)
}

pub fn blocked(message: impl Into<String>) -> UnitStatus {
    UnitStatus::new(Status::Blocked, message)
}

pub fn waiting(message: impl Into<String>) -> UnitStatus {
    UnitStatus::new(Status::Waiting, message)
}

/// charms.openstack's message for services that should run and do not.
pub use charm::services_not_running as not_running;
