//! The manila-netapp-backend charm: its generated files, its hooks and actions in process
//! against the emulator's scenario, and the text it sends checked by oslo.config.

mod actions;
mod fixtures;
mod generated;
mod hostile;
mod publishing;
mod relation_data;
mod status;
mod validator;
