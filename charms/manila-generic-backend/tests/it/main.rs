//! The manila-generic-backend charm: its generated files, its hooks and actions in process
//! against the emulator's scenario, and the text it sends checked by manila's own option
//! validator.

mod actions;
mod fixtures;
mod generated;
mod keys;
mod principal;
mod properties;
mod publishing;
mod relation_data;
mod status;
mod validator;
