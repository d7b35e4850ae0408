//! End-to-end tests of the emulator: real processes through `dispatch`, real hook tools
//! through the shim and the socket.

mod support;

mod actions;
mod bundles;
mod commit;
mod confinement;
mod drift;
mod environment;
mod errors;
mod exec;
mod hook_views;
mod host_contract;
mod leadership;
mod lifecycle;
mod machine;
mod python_charms;
mod scenario;
mod secrets;
mod shim;
mod shuffle;
mod spaces;
mod storage;
mod subordinates;
