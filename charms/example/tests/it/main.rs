//! The example charm: its generated files, its hooks in process, and its binary run as Juju
//! runs it.

mod emulator;
mod generated;
mod hooks;
mod process;
mod readme;
