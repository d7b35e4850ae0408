//! The manila charm: generated files, `reconcile` for every role and relation state, every
//! rendered file as a snapshot (and through oslo-config-validator), hooks in process against
//! the emulator's scenario.

mod actions;
mod apache;
mod api_actions;
mod fixtures;
mod generated;
mod ha;
mod hooks;
mod hostile_templates;
mod nrpe;
mod properties;
mod reconcile;
mod snapshots;
mod tls;
mod validator;
