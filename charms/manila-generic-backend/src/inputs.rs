//! Everything [`reconcile`](crate::reconcile()) decides from, read in one place: each read is
//! one cached hook-tool call at most.

use charm::{Configured, Context, Options, Received};
use databag::first_ready;
use juju::{RelationId, ToolRunner};
use manila_plugin::Credentials;

use crate::config::{asks_for_ssh_keys, Config};

/// The endpoint the principal relates to.
pub const MANILA_PLUGIN: &str = "manila-plugin";

/// One relation with a principal on `manila-plugin` (in practice there is one: the
/// subordinate sits on one principal unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRelation {
    pub relation: RelationId,
    /// What the principal sent (`_authentication_data`), the last good credentials kept
    /// while what it sends now is unusable.
    pub credentials: Received<Credentials>,
}

/// The inputs of one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The configuration, or the last valid one while it is invalid.
    pub config: Configured<Config>,
    /// Whether the configuration, valid or not, asks for the SSH key files.
    pub config_asks_for_ssh_keys: bool,
    pub paused: bool,
    pub relations: Vec<PluginRelation>,
}

/// Reads the inputs.
pub fn gather<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<Inputs> {
    let config = ctx.configured(Config::from_raw)?;
    let config_asks_for_ssh_keys = asks_for_ssh_keys(ctx.config()?);
    let paused = openstack::pause::is_paused(ctx.state()?);
    let received = ctx.receive_each(MANILA_PLUGIN, Credentials::from_bag, |units| {
        first_ready(units, Credentials::from_bag)
    })?;
    let relations = received
        .into_iter()
        .map(|(relation, credentials)| PluginRelation {
            relation,
            credentials,
        })
        .collect();
    Ok(Inputs {
        config,
        config_asks_for_ssh_keys,
        paused,
        relations,
    })
}
