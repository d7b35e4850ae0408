//! Share back ends from the manila-plugin relations: the local ones (container-scoped
//! subordinates, whose sections go into manila.conf and which `manila-share` here runs) and
//! the remote ones (principals running their own `manila-share`, whose names only count as
//! valid `default-share-backend` values).

use std::collections::BTreeMap;

use manila_plugin::Backend;

use crate::inputs::PluginRelation;

/// The manila.conf path plugins send their sections for.
pub const MANILA_CONF: &str = "/etc/manila/manila.conf";

/// One back-end name announced by two applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub name: String,
    /// The first announcing unit of each of the two relations.
    pub units: (String, String),
}

/// What the plugin relations add up to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShareBackends<'a> {
    /// Local back ends, in name order, without duplicated names.
    pub local: Vec<&'a Backend>,
    /// Every announced name, local and remote, sorted, once each.
    pub all_names: Vec<String>,
    pub duplicates: Vec<Duplicate>,
    /// Malformed plugin data, for the log.
    pub warnings: Vec<String>,
}

impl<'a> ShareBackends<'a> {
    pub fn collect(local: &'a [PluginRelation], remote: &'a [PluginRelation]) -> Self {
        let mut found = ShareBackends::default();
        // name -> (first unit, relation index, is local, backend)
        let mut owners: BTreeMap<&str, (String, usize, Option<&'a Backend>)> = BTreeMap::new();
        let relations = local
            .iter()
            .map(|r| (r, true))
            .chain(remote.iter().map(|r| (r, false)));
        for (index, (relation, is_local)) in relations.enumerate() {
            for (unit, error) in relation.backends.invalid() {
                found.warnings.push(format!(
                    "ignoring the back end of {unit} on {}: {error}",
                    relation.relation
                ));
            }
            for (unit, status) in &relation.backends.units {
                let Some(backend) = status.ready() else {
                    continue;
                };
                match owners.get(backend.name.as_str()) {
                    Some((first, owner, _)) if *owner != index => {
                        let duplicate = Duplicate {
                            name: backend.name.clone(),
                            units: (first.clone(), unit.to_string()),
                        };
                        if !found.duplicates.iter().any(|d| d.name == duplicate.name) {
                            found.duplicates.push(duplicate);
                        }
                    }
                    Some(_) => {}
                    None => {
                        owners.insert(
                            &backend.name,
                            (unit.to_string(), index, is_local.then_some(backend)),
                        );
                    }
                }
            }
        }
        found.all_names = owners.keys().map(|name| (*name).to_owned()).collect();
        found.local = owners
            .iter()
            .filter(|(name, _)| !found.duplicates.iter().any(|d| d.name == **name))
            .filter_map(|(_, (_, _, backend))| *backend)
            .collect();
        found
    }

    /// `enabled_share_backends`.
    pub fn enabled(&self) -> String {
        let names: Vec<&str> = self.local.iter().map(|b| b.name.as_str()).collect();
        names.join(",")
    }

    /// The manila.conf sections of the local back ends, in name order.
    pub fn sections(&self) -> Vec<&'a str> {
        self.local
            .iter()
            .filter_map(|b| b.file(MANILA_CONF))
            .collect()
    }
}
