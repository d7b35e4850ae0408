//! Share back ends from the manila-plugin relations: the local ones (container-scoped
//! subordinates, whose sections go into manila.conf and which `manila-share` here runs) and
//! the remote ones (principals running their own `manila-share`, whose names only count as
//! valid `default-share-backend` values).

use std::collections::BTreeMap;

use charm::UnitStatus;
use manila_plugin::{ShareBackend, SharedSections};

use crate::inputs::{endpoint, PluginRelation};

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
    pub local: Vec<&'a ShareBackend>,
    /// Every announced name, local and remote, sorted, once each.
    pub all_names: Vec<String>,
    pub duplicates: Vec<Duplicate>,
    /// The service-client sections of the local back ends, merged (see
    /// [`SharedSections::merge`]), with their disagreements.
    pub shared: SharedSections,
    /// What some plugin sends that cannot be used (its last good back end, if any, stays).
    pub problems: Vec<UnitStatus>,
}

impl<'a> ShareBackends<'a> {
    pub fn collect(local: &'a [PluginRelation], remote: &'a [PluginRelation]) -> Self {
        let mut found = ShareBackends::default();
        // name -> (first unit, relation index, the back end when local)
        let mut owners: BTreeMap<&str, (String, usize, Option<&'a ShareBackend>)> = BTreeMap::new();
        let relations = local
            .iter()
            .map(|r| (r, true, endpoint::MANILA_PLUGIN))
            .chain(
                remote
                    .iter()
                    .map(|r| (r, false, endpoint::REMOTE_MANILA_PLUGIN)),
            );
        for (index, (relation, is_local, name)) in relations.enumerate() {
            if !relation.backends.problems().is_empty() {
                found.problems.extend(relation.backends.status(name));
            }
            let Some(backends) = relation.backends.ready() else {
                continue;
            };
            for (unit, status) in &backends.units {
                let Some(backend) = status.ready() else {
                    continue;
                };
                match owners.get(backend.name.as_str()) {
                    Some((first, owner, _)) if *owner != index => {
                        let duplicate = Duplicate {
                            name: backend.name.to_string(),
                            units: (first.clone(), unit.to_string()),
                        };
                        if !found.duplicates.iter().any(|d| d.name == duplicate.name) {
                            found.duplicates.push(duplicate);
                        }
                    }
                    Some(_) => {}
                    None => {
                        owners.insert(
                            backend.name.as_str(),
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
        found.shared = SharedSections::merge(&found.local);
        found
    }

    /// `enabled_share_backends`.
    pub fn enabled(&self) -> String {
        let names: Vec<&str> = self.local.iter().map(|b| b.name.as_str()).collect();
        names.join(",")
    }

    /// The manila.conf sections of the local back ends: the merged service-client sections,
    /// then each back end's own, in name order.
    pub fn sections(&self) -> Vec<&ini::Section> {
        self.shared
            .sections
            .iter()
            .chain(self.local.iter().filter_map(|b| b.own.as_ref()))
            .collect()
    }
}
