//! The charm's decisions: from [`Inputs`] to a [`Plan`], without I/O.
//!
//! - **Publishing.** Once the configuration is complete, the back end goes to every relation
//!   with a principal: `_name` and `_configuration_data` (`{"data": {"/etc/manila/manila.conf":
//!   <text>}}`); the runtime writes only the keys whose value changed. With a `[neutron]`
//!   section (share servers on Neutron's networks) a relation also waits for the principal's
//!   credentials. While the configuration is invalid the last valid one stays in force, and
//!   while it is incomplete nothing is written: what was sent before stays.
//! - **Status**, in the reference charm's order: paused, the configuration (invalid, then
//!   `Missing configs: [...]`), the relation (`Missing relations: manila-plugin`, then what
//!   the principal sent, when the text needs it), `Unit is ready`.

use charm::plan::{Plan, RelationWrite};
use charm::{Configured, TemplateError, Templates, UnitStatus};
use juju::Status;
use manila_plugin::{Backend, MANILA_CONF};

use crate::inputs::{Inputs, MANILA_PLUGIN};
use crate::render;

pub use openstack::status::READY;

/// Decides the status and what each relation is sent. Pure: the template renders in
/// memory; it fails only on a template bug.
pub fn reconcile(inputs: &Inputs, templates: &Templates) -> Result<Plan, TemplateError> {
    let mut plan = Plan::status(status(inputs));
    let complete = inputs.config.config().filter(|c| c.missing().is_empty());
    let Some((config, name)) = complete.and_then(|c| Some((c, c.share_backend_name.clone()?)))
    else {
        return Ok(plan);
    };
    for (relation, credentials) in &inputs.relations {
        let neutron = match (config.uses_neutron(), credentials.ready()) {
            (false, _) => None,
            (true, Some(credentials)) => Some(credentials),
            (true, None) => continue,
        };
        let text = render::section(templates, config, neutron)?;
        plan.relation_data.push(RelationWrite {
            relation: relation.clone(),
            app: false,
            data: Backend::new(name.clone())
                .with_file(MANILA_CONF, text)
                .to_bag(),
        });
    }
    Ok(plan)
}

fn status(inputs: &Inputs) -> UnitStatus {
    if inputs.paused {
        return UnitStatus::new(Status::Maintenance, openstack::pause::PAUSED);
    }
    let config = match &inputs.config {
        Configured::Valid(config) => config,
        Configured::Kept { error, .. } | Configured::Invalid(error) => {
            return UnitStatus::new(Status::Blocked, error.to_string());
        }
    };
    let missing = config.missing();
    if !missing.is_empty() {
        let quoted: Vec<String> = missing.iter().map(|o| format!("'{o}'")).collect();
        let message = format!("Missing configs: [{}]", quoted.join(", "));
        return UnitStatus::new(Status::Blocked, message);
    }
    if inputs.relations.is_empty() {
        let message = format!("Missing relations: {MANILA_PLUGIN}");
        return UnitStatus::new(Status::Blocked, message);
    }
    // The credentials matter only to a text with a [neutron] section.
    if config.uses_neutron() {
        let sent: Vec<_> = inputs
            .relations
            .iter()
            .map(|(_, c)| c.status(MANILA_PLUGIN))
            .collect();
        if let Some(status) = charm::relations_status(&sent) {
            return status;
        }
    }
    openstack::status::ready()
}
