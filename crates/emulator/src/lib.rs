//! A Juju model emulator: it stands in for Juju's controller and unit agents so that real charm
//! binaries run through `dispatch`, with hook tools that answer as Juju's do.
//!
//! Start with [`Model`]: a model in a directory. Deploy charms (a directory or a packed
//! `.charm`) or a bundle, relate them, change config, add and remove units; each operation
//! queues the hooks Juju would fire, and [`Model::settle`] runs them until the model is quiet.
//! Inspectors read back statuses, databags, machine packages and services, the debug log and
//! the hook-tool transcript.
//!
//! ```no_run
//! use emulator::{DeployOptions, Model};
//! let mut model = Model::new("/tmp/model")?;
//! model.deploy("manila", "charms/manila.charm", DeployOptions::new().units(2))?;
//! model.deploy("mysql", "charms/mysql", DeployOptions::new())?;
//! model.relate("manila:shared-db", "mysql")?;
//! model.settle()?;
//! assert_eq!(model.unit_status("manila/0")?.status, "active");
//! # Ok::<(), emulator::Error>(())
//! ```
//!
//! How a hook runs: each unit has its own copy of its charm (`<model>/units/<app>-<n>/charm`,
//! with Juju's `revision` file), a tools directory where one small shim binary
//! (`src/bin/jujuc.rs`) is linked under the name of every hook tool and of every emulated
//! machine command ([`machine::MACHINE_COMMANDS`]), and a unix socket. The model builds a
//! [`hooktools::HookContext`] snapshot, serves it on the socket while `dispatch` runs with
//! Juju's environment, lets [`hooktools::execute`] answer every tool call, then applies the
//! context's `effects` always and its `pending` writes only if the hook exited 0 (a failed
//! hook is retried with Juju's backoff unless `automatically-retry-hooks` is off). Those
//! rules live in one place, `hook_exit`, which [`scenario`] ends its runs with too; the
//! environment comes from one builder, `hook_env`, for both.
//!
//! A confined unit's hook runs in its machine's sandbox (bubblewrap): the machine's `/etc`,
//! `/var`, `/run`, `/tmp`, `/srv`, `/opt`, `/home`, `/root` and `/usr/local` are directories of
//! the model, over the host's read-only `/usr`, with the emulated commands bound over their
//! Ubuntu paths; a new machine looks like Ubuntu 24.04 ([`OsRelease`]). `CHARM_HOST_ROOT` also
//! points at the machine's root, for charms on the `host` crate. [`Model::exec`] runs a
//! command in a unit's hook context as `juju exec` does.
//!
//! Networks: every machine has a loopback address on every space of the model. The default
//! space `alpha` is 127.1.0.0/16 on `eth0` (machine `n` is 127.1.0.`n+1`); [`Model::add_space`]
//! adds space `k` = 2, 3, … as 127.`k`.0.0/16 on `eth<k-1>`, with the same host part. An
//! application's endpoints are bound to spaces when deployed ([`DeployOptions::bind`], a
//! bundle's `bindings:`); `network-get <binding>` and the address keys Juju puts in a unit's
//! relation bag come from the binding's space, `unit-get private-address` from `alpha`.
//!
//! In real-host mode ([`Model::set_real_host`], [`RealHost`]) units are not confined: no
//! sandbox, no `CHARM_HOST_ROOT`, no emulated machine commands; their hooks change this host
//! for real.
//!
//! For unit tests of charm logic without processes, [`scenario`] runs one event on a frozen
//! state in process, on the same hook-tool engine and emulated machine.
//!
//! Modules: [`charm_definition`] (a charm as Juju reads it: metadata, config, actions), [`bundle`], [`machine`] (emulated packages,
//! services and commands), [`hooktools`] (the hook-tool engine), [`scenario`] (in-process
//! state-in/state-out tests), [`status`] (`juju status` rendering).

pub mod bundle;
pub use charm_definition;
/// The hook-tool engine (the `emulator-hooktools` crate).
pub use emulator_hooktools as hooktools;
/// The machine emulation (the `emulator-machine` crate).
pub use emulator_machine as machine;
mod error;
mod hook_env;
mod hook_exit;
mod journal;
mod model;
mod model_state;
mod runner;
pub mod scenario;
mod script_charm;
use emulator_hooktools::server;
pub mod status;
use emulator_hooktools::wire;

pub use crate::{
    bundle::{Bundle, BundleError, CharmStore},
    charm_definition::{Charm, CharmError},
    error::{Error, Result},
    journal::{HookOutcome, HookRecord, LogEntry, ToolCallRecord},
    machine::{
        Catalog, CatalogPackage, MachineState, OsRelease, ServiceAction, ServiceFault,
        ServiceState, SystemUser,
    },
    model::{
        ActionResult, ActionStatus, ConfigValue, DeployOptions, ExecResult, Model, Placement,
        RealHost, SettleReport, Space, DEFAULT_SPACE, JUJU_VERSION,
    },
    model_state::{AgentState, InitSystem},
    script_charm::script_charm,
};
