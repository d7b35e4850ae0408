//! The charm's decisions: from [`Inputs`] to a [`Plan`], without I/O.
//!
//! - **Publishing.** The back end is sent on a relation once the configuration is complete
//!   and that relation's principal has sent usable credentials: `_name` (the back-end name)
//!   and `_configuration_data` (`{"data": {"/etc/manila/manila.conf": <text>}}`). The runtime
//!   writes only the keys whose value changed. Until then nothing is
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

use charm::plan::{Plan, PlannedFile, RelationWrite};
use charm::{TemplateError, Templates, UnitStatus};
use juju::Status;
use manila_plugin::{Backend, BackendStatus, MANILA_CONF};

use crate::config::Config;
use crate::inputs::{Inputs, MANILA_PLUGIN};
use crate::render::{self, SSH_KEY, SSH_KEY_PUBLIC};

pub use openstack::pause::PAUSED;
pub use openstack::status::READY;

/// Decides status, key files and relation data from `inputs`. Pure: the template renders in
/// memory. Fails only on a template bug. The key files are written before anything is
/// published (the principal may restart manila-share as soon as it sees the new text); no
/// service reads them here, so the toolkit keeps no record of them.
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
        // The runtime sends only the keys whose value changed.
        publish.push(RelationWrite {
            relation: plugin.relation.clone(),
            app: false,
            data: desired,
        });
    }

    // With a complete configuration, `ready` counts the relations the back end goes to.
    let sent_with = complete.filter(|_| ready > 0);
    let mut plan = Plan::status(openstack::status::ready());
    let remove_keys = || vec![SSH_KEY.to_owned(), SSH_KEY_PUBLIC.to_owned()];
    match sent_with.map(Config::ssh_keys) {
        Some(Some(keys)) => {
            plan.files = render::key_files(&keys)
                .into_iter()
                .map(|file| PlannedFile::new(file, &[]))
                .collect();
        }
        Some(None) => plan.remove = remove_keys(),
        None if !inputs.config_asks_for_ssh_keys || inputs.relations.is_empty() => {
            plan.remove = remove_keys();
        }
        None => {}
    }

    let all_ready = ready == inputs.relations.len();
    plan.status = match unsendable {
        Some(e) if !inputs.paused && inputs.config.error().is_none() => UnitStatus::new(
            Status::Blocked,
            format!("The back end's text is not one manila accepts: {e}"),
        ),
        _ => status(inputs, all_ready),
    };
    plan.relation_data = publish;
    Ok(plan)
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
        return charm::received::missing(MANILA_PLUGIN);
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
        return charm::received::incomplete(MANILA_PLUGIN);
    }
    openstack::status::ready()
}
