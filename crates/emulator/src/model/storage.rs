//! Storage (metadata `storage:`) and resources: the instances a unit gets at deployment and
//! from `storage-add`, where they are on the machine, and the files given at deploy.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use juju::{AppName, UnitName};

use super::Model;
use crate::charm_definition::Charm;
use crate::error::{io_error, Error, Result};
use crate::hooktools::{StorageDeclaration, StorageSnapshot};
use crate::model_state::{Hook, StorageInstance};

impl Model {
    /// Creates the unit's first instances of each store (`multiple.range`'s minimum, one
    /// without a range) and returns their ids, in order.
    pub(super) fn attach_initial_storage(&mut self, unit: &UnitName) -> Result<Vec<String>> {
        let Some(app) = self.state.applications.get(unit.app()) else {
            return Ok(Vec::new());
        };
        let wanted: Vec<(String, u32)> = app
            .charm
            .meta
            .storage
            .iter()
            .map(|(name, spec)| (name.clone(), spec.min))
            .collect();
        let mut ids = Vec::new();
        for (name, count) in wanted {
            for _ in 0..count {
                ids.push(self.add_storage_instance(unit, &name)?);
            }
        }
        Ok(ids)
    }

    /// One new instance of store `name` on `unit`: numbered model-wide as Juju does, a
    /// filesystem made on the machine where the charm said (or under
    /// `/var/lib/juju/storage`).
    fn add_storage_instance(&mut self, unit: &UnitName, name: &str) -> Result<String> {
        let number = self.state.next_storage.entry(name.to_owned()).or_default();
        let id = format!("{name}/{number}");
        *number += 1;
        let Some(spec) = self
            .state
            .applications
            .get(unit.app())
            .and_then(|app| app.charm.meta.storage.get(name))
            .cloned()
        else {
            return Ok(id);
        };
        let n = id.rsplit('/').next().unwrap_or_default();
        let location = if spec.kind == "block" {
            format!("/dev/loop{n}")
        } else {
            spec.location
                .clone()
                .unwrap_or_else(|| format!("/var/lib/juju/storage/{name}/{n}"))
        };
        let machine = self.state.units.get(unit).map(|u| u.machine);
        if let (Some(machine), "filesystem", None) =
            (machine, spec.kind.as_str(), &self.state.real_host)
        {
            let dir = self
                .machine_root(machine)
                .join(location.trim_start_matches('/'));
            fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        }
        if let Some(u) = self.state.units.get_mut(unit) {
            u.storage.insert(
                id.clone(),
                StorageInstance {
                    kind: spec.kind,
                    location,
                },
            );
        }
        Ok(id)
    }

    /// `storage-add` of a successful hook: the new instances, each with its
    /// `storage-attached`.
    pub(super) fn commit_storage_add(&mut self, unit: &UnitName, requests: &BTreeMap<String, u32>) {
        for (name, count) in requests {
            for _ in 0..*count {
                if let Ok(storage) = self.add_storage_instance(unit, name) {
                    self.enqueue(unit, Hook::StorageAttached { storage });
                }
            }
        }
    }

    /// What `storage-list` and `storage-get` show the unit, and what `storage-add` may add.
    pub(super) fn storage_view(
        &self,
        unit: &UnitName,
    ) -> (
        BTreeMap<String, StorageSnapshot>,
        BTreeMap<String, StorageDeclaration>,
    ) {
        let attached = self
            .state
            .units
            .get(unit)
            .map(|u| {
                u.storage
                    .iter()
                    .map(|(id, s)| {
                        let snapshot = StorageSnapshot {
                            kind: s.kind.clone(),
                            location: s.location.clone(),
                        };
                        (id.clone(), snapshot)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let declared = self
            .state
            .applications
            .get(unit.app())
            .map(|app| storage_declarations(&app.charm.meta))
            .unwrap_or_default();
        (attached, declared)
    }

    /// The unit's storage instances: id -> (kind, location).
    pub fn storage(&self, unit: &str) -> Result<BTreeMap<String, (String, String)>> {
        Ok(self
            .unit(unit)?
            .1
            .storage
            .iter()
            .map(|(id, s)| (id.clone(), (s.kind.clone(), s.location.clone())))
            .collect())
    }

    /// Copies the resources given at deploy into the model (the charm may not change them
    /// under the operator), checking each is one the charm declares.
    pub(super) fn store_resources(
        &self,
        app: &AppName,
        charm: &Charm,
        given: &BTreeMap<String, PathBuf>,
    ) -> Result<BTreeMap<String, PathBuf>> {
        let mut stored = BTreeMap::new();
        for (name, source) in given {
            let Some(spec) = charm.meta.resources.get(name) else {
                return Err(Error::Refused(format!(
                    "invalid resource name {name:?}: charm {:?} declares no such resource",
                    charm.meta.name
                )));
            };
            let dir = self
                .dir
                .join("applications")
                .join(app.as_str())
                .join("resources")
                .join(name);
            fs::create_dir_all(&dir).map_err(io_error(&dir))?;
            let path = dir.join(&spec.filename);
            fs::copy(source, &path).map_err(io_error(source))?;
            stored.insert(name.clone(), path);
        }
        Ok(stored)
    }

    /// `juju trust <app>` (or `--remove`): whether the application may read the cloud
    /// credential.
    pub fn trust(&mut self, app: &str, trusted: bool) -> Result<()> {
        let name: AppName = app.parse()?;
        let application = self
            .state
            .applications
            .get_mut(&name)
            .ok_or_else(|| Error::UnknownApplication(app.to_owned()))?;
        let changed = application.trusted != trusted;
        application.trusted = trusted;
        // Juju runs config-changed on trust changes (juju-contract §5.2).
        if changed {
            for unit in self.live_units(&name) {
                self.enqueue(&unit, Hook::ConfigChanged);
            }
        }
        self.save()
    }

    /// The cloud spec `credential-get` prints to a trusted application: this emulator's
    /// stand-in cloud, with no secret in it.
    pub(super) fn cloud_spec(&self) -> serde_json::Value {
        serde_json::json!({
            "type": "manual",
            "name": "emulated",
            "region": "default",
            "endpoint": "127.1.255.254",
            "credential": {"auth-type": "empty", "attrs": {}, "redacted": []},
            "is-controller-cloud": false,
        })
    }
}

/// What `storage-add` may add, from the charm's `storage:`: what every hook's context, the
/// model's and a scenario's alike, tells the engine.
pub(crate) fn storage_declarations(
    meta: &crate::charm_definition::Metadata,
) -> BTreeMap<String, StorageDeclaration> {
    meta.storage
        .iter()
        .map(|(name, spec)| (name.clone(), StorageDeclaration { max: spec.max }))
        .collect()
}
