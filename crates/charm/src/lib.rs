//! The charm runtime: what every charm in this workspace runs on.
//!
//! A charm is a binary whose `main` is `charm::run::<MyCharm>()`. For each hook or action Juju
//! starts it; the runtime parses the environment into a typed [`Event`], hands the charm a
//! [`Context`] (cached reads of config, leadership, relation data and unit state; a status
//! board; templates; the [`host::Host`]), and at the end of a successful hook sends what the
//! charm changed in as few hook-tool calls as possible: one `relation-set` per changed bag with
//! only the changed keys, one `state-set`, and one `status-set` only when the status changed.
//! The exit policy lives in [`run`]: operator problems are a `blocked` status and exit 0; bugs
//! and transient failures exit 1 with the error chain logged, and nothing is sent.
//!
//! Where to start: `charms/example` (package `example-charm`), a greeter service in a few
//! hundred lines that uses every part, and whose logic is a pure `reconcile(inputs) -> Plan`
//! carried out by the toolkit's one [`plan::apply`]. Then:
//!
//! - [`Charm`] and [`dispatch`]: the trait a charm implements, and the in-process entry point
//!   that tests and the model emulator use with their own [`juju::ToolRunner`].
//!   [`exec_for_actions`] hands some actions to another binary of the charm, for code that
//!   only they need to stay out of every hook's binary.
//! - [`config`]: options declared once, as the fields of the charm's config struct
//!   (`#[derive(Options)]`), `config.yaml` generated from them, raw values validated into
//!   the struct ([`config::ConfigError`] names the option).
//! - [`plan`]: a hook's decisions as data ([`Plan`]: status, packages, files and the
//!   services that read them, commands, one desired state per service, commands once
//!   the services run (a secret on their stdin), relation data, ports, unit-state
//!   records), [`plan::apply`] and [`plan::converge`].
//! - [`Relations`] and [`received`]: relation data with Juju's access rules, and the last
//!   good data kept when a remote unit sends something malformed.
//! - [`StatusBoard`], [`UnitState`], [`ActionRun`], [`Templates`].
//! - [`readme`]: the options, relations and actions part of a charm's README, generated.
//! - [`testing`]: helpers for the charms' own tests (generated-file checks, hook envs).
//!
//! What OpenStack charms share beyond Juju (pause/resume, releases, endpoint addresses) is
//! the `openstack` crate's. Only the `juju` crate runs hook tools; only the `host` crate
//! touches the machine.

// The derive's generated code names `::charm`, in this crate's own tests too.
extern crate self as charm;

pub mod actions;
pub mod config;
mod context;
mod event;
mod files;
pub mod memory;
pub mod metadata;
pub mod plan;
pub mod readme;
pub mod received;
mod relations;
mod run;
mod state;
mod status;
mod templates;
pub mod testing;
pub mod values;

// For the macros' expansions in charms.
#[doc(hidden)]
pub use serde as __serde;

pub use actions::{ActionError, ActionRun, ActionSchemas};
pub use charm_derive::Options;
pub use config::{ConfigError, Configured, OptionSpec, OptionType, Options, RawConfig};
pub use context::Context;
pub use event::{
    Action, Event, EventError, RelationBroken, RelationChanged, RelationCreated, RelationDeparted,
    RelationJoined,
};
pub use files::RenderedFile;
pub use metadata::{Endpoint, Metadata, MetadataError, Role, Scope};
pub use plan::{Plan, PlannedFile, ServiceState};
pub use received::{relations_status, Problem, Received};
pub use relations::{Bag, RelationError, Relations, RemoteUnits, SecretBag};
pub use run::{dispatch, exec_for_actions, run, Blocked, Charm, Outcome};
pub use state::{StateError, UnitState};
pub use status::{services_not_running, StatusBoard, UnitStatus};
pub use templates::{Format, Template, TemplateError, Templates};

/// Any failure of the runtime's own operations; charms usually pass it on with `?` into
/// `anyhow`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Tool(#[from] juju::ToolError),
    #[error(transparent)]
    Host(#[from] host::HostError),
    #[error(transparent)]
    Relation(#[from] RelationError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Action(#[from] ActionError),
    #[error(transparent)]
    State(#[from] StateError),
}
