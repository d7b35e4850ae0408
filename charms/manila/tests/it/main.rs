//! The manila charm: generated files, `reconcile` for every role and relation state, every
//! rendered file as a snapshot (and through oslo-config-validator), hooks in process, and the
//! binary run as Juju runs it.

mod fixtures;
mod generated;
mod hooks;
mod machine;
mod model;
mod process;
mod reconcile;
mod snapshots;
mod validator;
