//! The manila-generic-backend charm: its generated files, its hooks and actions in process
//! against an in-memory Juju, the text it sends checked by manila's own option validator,
//! and its binary run as Juju runs it.

mod actions;
mod fake_juju;
mod fixtures;
mod generated;
mod keys;
mod model;
mod principal;
mod process;
mod publishing;
mod relation_data;
mod status;
mod validator;
