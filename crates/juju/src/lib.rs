//! Juju's hook tools, one typed function each, and the hook environment, typed.
//!
//! This is the only crate that ever runs a hook tool. Everything above it (the charm runtime,
//! interfaces, charms) talks to Juju through [`HookTools`], which builds the exact argv Juju's
//! tools parse (`--format=json` wherever a tool has output, `-r endpoint:id`, `--` before free
//! text, data through `--file -` on stdin) and parses the output into types.
//!
//! Where to start:
//! - [`HookEnv::from_env`] reads the `JUJU_*` variables of one hook or action run.
//! - [`HookTools`] wraps a [`ToolRunner`]: [`ProcessRunner`] spawns the real tools that Juju (or
//!   the model emulator) puts on `PATH`; tests and the emulator's in-process mode plug in their
//!   own runner.
//! - Every failure is a [`ToolError`] whose [`ToolErrorKind`] classifies Juju's `ERROR <msg>`
//!   and exit code (2: bad arguments, 1: runtime), carrying argv and stderr.
//!
//! ```
//! use juju::{HookTools, testing::Recorder};
//! let runner = Recorder::new().answer("is-leader", "true\n");
//! let tools = HookTools::new(&runner);
//! assert!(tools.is_leader()?);
//! assert_eq!(runner.calls()[0].argv(), ["is-leader", "--format=json"]);
//! # Ok::<(), juju::ToolError>(())
//! ```

mod env;
mod error;
mod names;
mod runner;
pub mod testing;
mod tools;
mod types;

pub use env::{EnvError, HookEnv};
pub use error::{ToolError, ToolErrorKind};
pub use names::{AppName, NameError, RelationId, UnitName};
pub use runner::{ProcessRunner, ToolOutput, ToolRunner};
pub use tools::{BagOwner, HookTools};
pub use types::{
    Bag, BindAddress, GoalState, GoalStatus, InterfaceAddress, LogLevel, NetworkInfo, Port,
    Protocol, Status, StatusInfo, UnitAddressKey,
};
