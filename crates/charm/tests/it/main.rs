//! The runtime run in process against `juju::testing::Recorder`: every test states the exact
//! hook-tool calls a hook makes.

mod actions;
mod commands;
mod config;
mod exit;
mod files;
mod memory;
mod received;
mod relations;
mod state;
mod status;
mod support;
