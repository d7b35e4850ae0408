//! The Manila models the emulator tests and benchmarks deploy, shared by every charm's tests.
//!
//! A test starts from a [`World`]: a scratch directory holding an emulator [`Model`] of
//! Ubuntu 24.04 machines and the workspace's charms ([`Charm`]), built once per process with
//! the cargo running the tests and packed on first deploy. [`all_in_one`] and
//! [`share_deployment`] are the settled deployments most tests start from; the `World`'s
//! readers ([`World::manila_conf`], [`World::service`], [`World::assert_status`], ...) look at
//! what the units did on their emulated machines. [`workspace_catalog`] is the workloads'
//! part of the emulated archive (the emulator itself knows only Debian's packages),
//! `manila-manage` included. [`Validator`] runs oslo-config-validator on a manila.conf text.
//!
//! Failures panic with the model's debug log: this crate is for tests only.
//!
//! [`Model`]: emulator::Model

mod catalog;
mod charms;
pub mod checker;
mod conf;
mod deployments;
pub mod hostile;
mod validator;
mod world;

pub use catalog::{
    manila_packages, nrpe_packages, workspace_catalog, DEBIAN_MANILA, MANILA_SCHEMA_HEAD,
    SCHEMA_SYNCS_FILE, SHARED_SCHEMA_SYNCS,
};
pub use charms::{workspace, Charm};
pub use conf::Conf;
pub use deployments::{all_in_one, share_deployment, BackendApp, MANILA, MANILA_API, MANILA_UNIT};
pub use validator::{Rejected, Validator, MANILA_NAMESPACES};
pub use world::{noble_catalog, Identity, SchemaSync, World, MANILA_CONF, NOBLE_MANILA, READY};
