//! Everything [`reconcile`](crate::reconcile()) decides from, read in one place.

use charm::{Configured, Context, Options, Received};
use databag::first_ready;
use juju::{RelationId, ToolRunner};
use manila_plugin::Credentials;

use crate::config::Config;

/// The endpoint the principal relates to.
pub const MANILA_PLUGIN: &str = "manila-plugin";

/// The inputs of one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The configuration, or the last valid one while it is invalid.
    pub config: Configured<Config>,
    pub paused: bool,
    /// Each relation with a principal, and the service credentials it sent
    /// (`_authentication_data`; the last good ones while what it sends is unusable).
    pub relations: Vec<(RelationId, Received<Credentials>)>,
}

/// Reads the inputs.
pub fn gather<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<Inputs> {
    Ok(Inputs {
        config: ctx.configured(Config::from_raw)?,
        paused: openstack::pause::is_paused(ctx.state()?),
        relations: ctx.receive_each(MANILA_PLUGIN, Credentials::from_bag, |units| {
            first_ready(units, Credentials::from_bag)
        })?,
    })
}
