//! A subordinate charm that gives the manila charm a share back end on Manila's generic
//! driver (`manila.share.drivers.generic.GenericShareDriver`: each share server is a Nova
//! instance serving Cinder volumes, reached over Neutron). A drop-in for the reference
//! `manila-generic` charm: the same options, relation keys and status messages
//! (`../shared/reference/manila-charms.md` §2, §3).
//!
//! It runs nothing itself. Related to the manila charm over `manila-plugin` (container
//! scope, so it lives on the manila unit's machine), it receives the service credentials
//! (`_authentication_data`) and answers with the back end (`_name`, `_configuration_data`);
//! the manila charm puts the text into its manila.conf and runs manila-share for it. The
//! SSH key pair the driver logs in to its instances with goes to
//! `/etc/manila/ssh_image_key(.pub)` on that machine.
//!
//! Read it in this order:
//! 1. [`config::Config`]: the options, declared once as its fields (`#[derive(Options)]`;
//!    a test keeps `config.yaml` equal to them), and their validation.
//! 2. [`GenericBackend::handle`]: every hook is [`gather`] (all reads) → [`reconcile()`] (a
//!    pure function of [`Inputs`] to a [`Plan`]) → the toolkit's [`charm::plan::apply`].
//!    The actions run the toolkit's first; `remove` deletes the key files.
//! 3. [`reconcile()`] says when the back end is published, what happens to the key files
//!    and which status the unit shows; [`render`] what the text holds.
//!
//! # Actions
//!
//! `pause`, `resume` and `restart-services` (`actions/openstack-pause.yaml`, the toolkit's
//! [`openstack::pause`], shared with the other OpenStack charms; `actions.yaml` here is a copy a
//! test keeps equal). There are no services to stop or restart: pausing only shows
//! `maintenance` (`Paused. Use 'resume' action to resume normal service.`) until `resume`, as
//! the reference does, and `restart-services` is refused while paused; the back end stays
//! published.

pub mod config;
pub mod inputs;
pub mod reconcile;
pub mod render;

use charm::{Charm, Context, Event};
use juju::ToolRunner;
use openstack::pause;

pub use crate::config::Config;
pub use crate::inputs::{gather, Inputs};
pub use crate::reconcile::reconcile;
pub use charm::plan::Plan;

/// The charm.
#[derive(Debug)]
pub struct GenericBackend;

impl Charm for GenericBackend {
    const METADATA: &'static str = include_str!("../metadata.yaml");
    const ACTIONS: &'static str = pause::SCHEMA;
    const TEMPLATES: &'static [charm::Template] = charm::embed_templates!(
        "../../templates/manila-generic-backend",
        ["manila.conf" => OsloIni]
    );

    fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()> {
        match event {
            Event::Action(action) => {
                pause::run_without_services(ctx, &action.name)?;
                converge(ctx)
            }
            Event::Remove => {
                for path in [render::SSH_KEY, render::SSH_KEY_PUBLIC] {
                    ctx.host().remove_file(path)?;
                }
                Ok(())
            }
            Event::Stop => Ok(()),
            _ => converge(ctx),
        }
    }
}

fn converge<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<()> {
    charm::plan::converge(ctx, gather, reconcile)
}
