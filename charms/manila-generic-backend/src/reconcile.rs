//! The charm's decisions: from [`Inputs`] to a [`Plan`], without I/O.
//!
//! - **Publishing.** The back end is sent on a relation once the configuration is complete
//!   and that relation's principal has sent usable credentials: `_name` (the back-end name)
//!   and `_configuration_data` (`{"data": {"/etc/manila/manila.conf": <text>}}`). Only keys
//!   whose value differs from what the unit's bag holds are written. Until then nothing is
//!   sent; and while the configuration is incomplete or invalid, what was sent before stays
//!   (the principal keeps a working back end; the status says what to fix).
//! - **Key files.** Written when a back end that logs in with SSH is published; removed when
//!   a back end without SSH is published, when no valid configuration asks for the keys any
//!   more (see [`asks_for_ssh_keys`](crate::config::asks_for_ssh_keys): a cleared key goes at
//!   once, a typo keeps the last valid configuration and its keys), and when there is no
//!   principal to use them; otherwise left as they are.
//! - **Status**, in the reference charm's order: paused, then the configuration (invalid,
//!   then incomplete), then the relation (`'manila-plugin' missing` / `incomplete`, or what
//!   the principal sent that is unusable), then `Unit is ready`.
//! - **Bad input never unpublishes.** An invalid configuration leaves the last valid one in
//!   force, unusable credentials leave the last good ones (see [`charm::received`]): the
//!   back end stays as it was published, and the status names the problem.

use std::fmt;

use charm::{Databag, RenderedFile, TemplateError, Templates, UnitStatus};
use databag::changed_keys;
use juju::{RelationId, Status};
use manila_plugin::{Backend, BackendStatus, MANILA_CONF};

use crate::config::Config;
use crate::inputs::{Inputs, MANILA_PLUGIN};
use crate::render::{self, SSH_KEY, SSH_KEY_PUBLIC};

pub const READY: &str = "Unit is ready";
pub const PAUSED: &str = charm::pause::PAUSED;

/// One change to a key file.
#[derive(Clone, PartialEq, Eq)]
pub enum FileChange {
    Write(RenderedFile),
    Remove(&'static str),
}

impl fmt::Debug for FileChange {
    /// A private key is never shown, only its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileChange::Write(file) => write!(
                f,
                "Write({} ({} bytes), {:?})",
                file.path,
                file.content.len(),
                file.spec
            ),
            FileChange::Remove(path) => write!(f, "Remove({path})"),
        }
    }
}

/// What this unit should do now. `Debug` shows the keys to publish, not their values
/// (the text carries the service password).
#[derive(Clone, PartialEq, Eq)]
pub struct Plan {
    pub status: UnitStatus,
    /// Key file changes, applied before anything is published (the principal may restart
    /// manila-share as soon as it sees the new text).
    pub files: Vec<FileChange>,
    /// The keys to write to this unit's bag, per relation; never empty.
    pub publish: Vec<(RelationId, Databag)>,
}

/// Decides status, key files and relation data from `inputs`. Pure: the template renders in
/// memory. Fails only on a template bug.
pub fn reconcile(inputs: &Inputs, templates: &Templates) -> Result<Plan, TemplateError> {
    let complete = inputs
        .config
        .config()
        .filter(|config| config.missing().is_none());
    let mut publish = Vec::new();
    let mut ready = 0;
    let mut unsendable = None;
    for plugin in &inputs.relations {
        let Some(creds) = plugin.credentials.ready() else {
            continue;
        };
        let Some((config, name)) = complete.and_then(|c| Some((c, c.backend_name.clone()?))) else {
            ready += 1;
            continue;
        };
        let text = render::sections(templates, config, creds)?;
        let desired = Backend::new(name).with_file(MANILA_CONF, text).to_bag();
        // What the principal would refuse is not sent: it would only replace a working back
        // end with one it keeps refusing.
        if let BackendStatus::Invalid(e) = BackendStatus::from_bag(&desired) {
            unsendable = Some(e);
            continue;
        }
        ready += 1;
        let changes = changed_keys(&plugin.published, &desired);
        if !changes.is_empty() {
            publish.push((plugin.relation.clone(), changes));
        }
    }

    // With a complete configuration, `ready` counts the relations the back end goes to.
    let sent_with = complete.filter(|_| ready > 0);
    let remove_keys = || {
        vec![
            FileChange::Remove(SSH_KEY),
            FileChange::Remove(SSH_KEY_PUBLIC),
        ]
    };
    let files = match sent_with.map(Config::ssh_keys) {
        Some(Some(keys)) => render::key_files(&keys)
            .into_iter()
            .map(FileChange::Write)
            .collect(),
        Some(None) => remove_keys(),
        None if !inputs.config_asks_for_ssh_keys || inputs.relations.is_empty() => remove_keys(),
        None => Vec::new(),
    };

    let all_ready = ready == inputs.relations.len();
    let status = match unsendable {
        Some(e) if !inputs.paused && inputs.config.error().is_none() => UnitStatus::new(
            Status::Blocked,
            format!("The back end's text is not one manila accepts: {e}"),
        ),
        _ => status(inputs, all_ready),
    };
    Ok(Plan {
        status,
        files,
        publish,
    })
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let publish: Vec<(String, Vec<&String>)> = self
            .publish
            .iter()
            .map(|(relation, bag)| (relation.to_string(), bag.keys().collect()))
            .collect();
        f.debug_struct("Plan")
            .field("status", &self.status)
            .field("files", &self.files)
            .field("publish", &publish)
            .finish()
    }
}

fn status(inputs: &Inputs, all_relations_ready: bool) -> UnitStatus {
    if inputs.paused {
        return UnitStatus::new(Status::Maintenance, PAUSED);
    }
    if let Some(invalid) = inputs.config.error() {
        return UnitStatus::new(Status::Blocked, invalid.to_string());
    }
    if let Some(missing) = inputs.config.config().and_then(Config::missing) {
        return UnitStatus::new(Status::Blocked, missing);
    }
    if inputs.relations.is_empty() {
        return UnitStatus::new(Status::Blocked, format!("'{MANILA_PLUGIN}' missing"));
    }
    let statuses: Vec<Option<UnitStatus>> = inputs
        .relations
        .iter()
        .map(|r| r.credentials.status(MANILA_PLUGIN))
        .collect();
    if let Some(status) = charm::relations_status(&statuses) {
        return status;
    }
    if !all_relations_ready {
        return UnitStatus::new(Status::Waiting, format!("'{MANILA_PLUGIN}' incomplete"));
    }
    UnitStatus::new(Status::Active, READY)
}
