//! The model's errors: each names the model, application, unit or relation at fault, and uses
//! Juju's own wording where Juju refuses the same thing.

use std::io;
use std::path::PathBuf;

use crate::bundle::BundleError;
use crate::charm_definition::CharmError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing the model directory failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// `model.json` is not a model this emulator wrote.
    #[error("model file {}: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("{} already holds a model", path.display())]
    ModelExists { path: PathBuf },
    #[error("no model in {} (no model.json)", path.display())]
    NoModel { path: PathBuf },
    /// Another process (or another `Model` in this one) has the model open.
    #[error("model {} is in use by another process or Model", path.display())]
    Busy { path: PathBuf },
    #[error(transparent)]
    Charm(#[from] CharmError),
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// A name that Juju would not accept as an application or unit name.
    #[error("{0}")]
    InvalidName(#[from] juju::NameError),
    #[error("application {0:?} not found")]
    UnknownApplication(String),
    #[error("cannot add application {0:?}: application already exists")]
    ApplicationExists(String),
    #[error("unit {0:?} not found")]
    UnknownUnit(String),
    #[error("relation {0} not found")]
    UnknownRelation(String),
    #[error("machine {0} not found")]
    UnknownMachine(u32),
    /// A space name Juju would not accept (lower-case letters, digits, inner hyphens).
    #[error("{0:?} is not a valid space name")]
    InvalidSpaceName(String),
    #[error("cannot add space {0:?}: space already exists")]
    SpaceExists(String),
    /// A binding to a space the model does not have.
    #[error("space {0:?} not found")]
    UnknownSpace(String),
    /// A binding of an endpoint the application's charm does not define.
    #[error("application {app:?} wants to bind endpoint {endpoint:?}, but the endpoint is not defined by the charm")]
    UnknownEndpoint { app: String, endpoint: String },
    /// A config option that does not exist or a value of the wrong type.
    #[error("application {app:?}: {reason}")]
    InvalidConfig { app: String, reason: String },
    /// `relate` could not pick, or may not add, the relation.
    #[error("{0}")]
    Relate(String),
    /// Juju would refuse the operation; the message is Juju's.
    #[error("{0}")]
    Refused(String),
    #[error("unit {0:?} is not in an error state")]
    NotInError(String),
    #[error("action {action:?} not defined on unit {unit:?}")]
    UnknownAction { unit: String, action: String },
    /// Action params that do not match the action's schema: `validation failed: …`.
    #[error("{0}")]
    ActionValidation(String),
    /// `settle` ran this many hooks and there were still more: the charms never go quiet.
    #[error("the model did not settle after {0} hook executions")]
    NotSettling(u64),
    /// A `juju exec` script that did not run to an exit: it could not start, was killed or
    /// timed out.
    #[error("exec on unit {unit}: {reason}")]
    Exec { unit: String, reason: String },
    /// The hook runner could not start the hook-tool server or the process.
    #[error("cannot run {what} on unit {unit}: {source}")]
    Runner {
        unit: String,
        what: String,
        source: io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io_error(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
