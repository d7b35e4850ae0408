//! Everything [`reconcile`](crate::reconcile()) decides from, read in one place: each read is
//! one cached hook-tool call at most.

use std::collections::BTreeMap;
use std::fmt;

use charm::config::ConfigError;
use charm::{Context, Databag};
use databag::{first_ready, Readiness, UnitError};
use juju::{RelationId, ToolRunner};
use manila_plugin::Credentials;

use crate::config::{asks_for_ssh_keys, Config};

/// The endpoint the principal relates to.
pub const MANILA_PLUGIN: &str = "manila-plugin";

/// One relation with a principal on `manila-plugin` (in practice there is one: the
/// subordinate sits on one principal unit). `Debug` shows the published keys, not their
/// values (the text carries the service password).
#[derive(Clone, PartialEq, Eq)]
pub struct PluginRelation {
    pub relation: RelationId,
    /// What the principal sent (`_authentication_data`), or why it is unusable.
    pub credentials: Result<Readiness<Credentials>, UnitError>,
    /// This unit's bag on the relation as Juju has it: what was published before.
    pub published: Databag,
}

impl fmt::Debug for PluginRelation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginRelation")
            .field("relation", &self.relation)
            .field("credentials", &self.credentials)
            .field("published", &self.published.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The inputs of one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub config: Result<Config, ConfigError>,
    /// Whether the configuration, valid or not, asks for the SSH key files.
    pub config_asks_for_ssh_keys: bool,
    pub paused: bool,
    pub relations: Vec<PluginRelation>,
}

/// Reads the inputs.
pub fn gather<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<Inputs> {
    let raw = ctx.config()?;
    let config = Config::from_raw(raw);
    let config_asks_for_ssh_keys = asks_for_ssh_keys(raw);
    let paused = ctx.state()?.paused();
    let mut relations = ctx.relations();
    let mut plugins = Vec::new();
    for relation in relations.ids(MANILA_PLUGIN)? {
        let mut bags = BTreeMap::new();
        for unit in relations.units(&relation)? {
            let bag = relations.unit_data(&relation, &unit)?;
            bags.insert(unit, bag);
        }
        let published = relations.local_unit_data(&relation)?;
        plugins.push(PluginRelation {
            credentials: first_ready(&bags, Credentials::from_bag),
            relation,
            published,
        });
    }
    Ok(Inputs {
        config,
        config_asks_for_ssh_keys,
        paused,
        relations: plugins,
    })
}
