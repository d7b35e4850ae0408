//! A subordinate charm that gives the manila charm a share back end on a NetApp ONTAP
//! cluster, through Manila's NetApp driver. A drop-in for the reference `manila-netapp`
//! charm: the same options, relation keys and status messages (deviations are in the
//! README).
//!
//! It runs nothing itself. Related to the manila charm over `manila-plugin` (container
//! scope), it answers with the back end (`_name`, `_configuration_data`), which manila adds
//! to its manila.conf; with share servers on Neutron's networks the text carries the service
//! credentials manila sends (`_authentication_data`) as a `[neutron]` section.
//!
//! Read it in this order: [`config::Config`] (the options, declared once, each typed), then
//! [`NetappBackend::handle`] (every hook is [`gather`] → [`reconcile()`], a pure function of
//! [`Inputs`] to a [`Plan`] → the toolkit's [`charm::plan::apply`]), then [`render`].
//!
//! The actions are the toolkit's `pause`, `resume` and `restart-services`
//! ([`openstack::pause`]). There is no service to act on: a paused unit shows `maintenance` until
//! `resume`, and the back end stays published, as in the reference.

pub mod config;
pub mod inputs;
pub mod reconcile;
pub mod render;
pub mod values;

use charm::{Charm, Context, Event};
use juju::ToolRunner;
use openstack::pause;

pub use crate::config::Config;
pub use crate::inputs::{gather, Inputs};
pub use crate::reconcile::reconcile;
pub use charm::plan::Plan;

/// The charm.
#[derive(Debug)]
pub struct NetappBackend;

impl Charm for NetappBackend {
    const METADATA: &'static str = include_str!("../metadata.yaml");
    const ACTIONS: &'static str = pause::SCHEMA;
    const TEMPLATES: &'static [charm::Template] = charm::embed_templates!(
        "../../templates/manila-netapp-backend",
        ["manila.conf" => OsloIni]
    );

    fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()> {
        match event {
            Event::Action(action) => {
                pause::run_without_services(ctx, &action.name)?;
                converge(ctx)
            }
            Event::Stop | Event::Remove => Ok(()),
            _ => converge(ctx),
        }
    }
}

fn converge<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<()> {
    charm::plan::converge(ctx, gather, reconcile)
}
