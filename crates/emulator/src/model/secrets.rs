//! Secrets: the model's store, what a hook sees of it, what a successful hook's secret
//! changes do (new revisions, grants, the hooks they cause), and the operator's side
//! (`juju add-secret`, `juju grant-secret`, rotation and expiry).
//!
//! Juju's rules (`internal/worker/uniter/runner/context/context.go`, the secrets facades):
//! a consumer that read a secret is told of every new revision (`secret-changed`); the owner
//! is told when a revision is read by no consumer any more (`secret-remove`), when rotation
//! is due (`secret-rotate`) and when a revision expires (`secret-expired`); the owner of an
//! application secret is its leader.

use std::collections::BTreeMap;

use juju::{AppName, UnitName};

use super::Model;
use crate::error::{Error, Result};
use crate::hooktools::{
    new_secret_id, Bag, SecretChange, SecretGrant, SecretOwner, SecretSnapshot,
};
use crate::model_state::{Hook, Secret};

impl Model {
    /// The model's secrets as `unit`'s hook sees them: the tools decide what it may read
    /// (an unknown secret is "not found", a known one not granted "permission denied").
    pub(super) fn secrets_view(&self, unit: &UnitName) -> BTreeMap<String, SecretSnapshot> {
        self.state
            .secrets
            .iter()
            .map(|(id, secret)| {
                let consumer = secret.consumers.get(unit);
                let snapshot = SecretSnapshot {
                    owner: Some(secret.owner.clone()),
                    label: secret.label.clone(),
                    description: secret.description.clone(),
                    rotate: secret.rotate.clone(),
                    expire: secret.expire.clone(),
                    revisions: secret.revisions.clone(),
                    grants: secret.grants.clone(),
                    consumer_label: consumer.map(|c| c.label.clone()).unwrap_or_default(),
                    tracked: consumer.map(|c| c.tracked),
                };
                (id.clone(), snapshot)
            })
            .collect()
    }

    /// Applies a successful hook's secret changes, in order.
    pub(super) fn commit_secrets(&mut self, unit: &UnitName, changes: &[SecretChange]) {
        for change in changes {
            match change {
                SecretChange::Create {
                    id,
                    owner,
                    label,
                    description,
                    rotate,
                    expire,
                    content,
                } => {
                    self.state.secrets.insert(
                        id.clone(),
                        Secret {
                            owner: owner.clone(),
                            label: label.clone(),
                            description: description.clone(),
                            rotate: rotate.clone(),
                            expire: expire.clone(),
                            revisions: BTreeMap::from([(1, content.clone())]),
                            grants: Vec::new(),
                            consumers: BTreeMap::new(),
                            obsolete: Default::default(),
                        },
                    );
                }
                SecretChange::Update {
                    id,
                    label,
                    description,
                    rotate,
                    expire,
                    content,
                } => {
                    let Some(secret) = self.state.secrets.get_mut(id) else {
                        continue;
                    };
                    for (field, value) in [
                        (&mut secret.label, label),
                        (&mut secret.description, description),
                        (&mut secret.rotate, rotate),
                        (&mut secret.expire, expire),
                    ] {
                        if let Some(value) = value {
                            *field = value.clone();
                        }
                    }
                    if let Some(content) = content {
                        let next = secret.latest() + 1;
                        secret.revisions.insert(next, content.clone());
                        self.announce_revision(id);
                    }
                }
                SecretChange::Grant { id, grant } => {
                    if let Some(secret) = self.state.secrets.get_mut(id) {
                        if !secret.grants.contains(grant) {
                            secret.grants.push(grant.clone());
                        }
                    }
                }
                SecretChange::Revoke {
                    id,
                    relation,
                    app,
                    unit: revoked_unit,
                } => {
                    let relation_app = relation
                        .and_then(|r| self.state.relations.get(&r))
                        .and_then(|rel| rel.remote_app(unit.app()))
                        .map(ToString::to_string);
                    let app = app.as_deref().or(relation_app.as_deref());
                    if let Some(secret) = self.state.secrets.get_mut(id) {
                        secret
                            .grants
                            .retain(|g| !g.revoked_by(*relation, app, revoked_unit.as_deref()));
                    }
                }
                SecretChange::Remove { id, revision } => match revision {
                    Some(revision) => {
                        if let Some(secret) = self.state.secrets.get_mut(id) {
                            secret.revisions.remove(revision);
                        }
                    }
                    None => {
                        self.state.secrets.remove(id);
                    }
                },
                SecretChange::Track {
                    id,
                    revision,
                    label,
                } => {
                    if let Some(secret) = self.state.secrets.get_mut(id) {
                        let consumer = secret.consumers.entry(unit.clone()).or_default();
                        consumer.tracked = *revision;
                        if let Some(label) = label {
                            consumer.label = label.clone();
                        }
                    }
                }
            }
        }
        let touched: Vec<String> = changes.iter().map(|c| change_id(c).to_owned()).collect();
        for id in touched {
            self.announce_obsolete(&id);
        }
    }

    /// `secret-changed` on every consumer behind the latest revision.
    fn announce_revision(&mut self, id: &str) {
        let Some(secret) = self.state.secrets.get(id) else {
            return;
        };
        let latest = secret.latest();
        let behind: Vec<UnitName> = secret
            .consumers
            .iter()
            .filter(|(_, c)| c.tracked < latest)
            .map(|(unit, _)| unit.clone())
            .collect();
        for unit in behind {
            self.enqueue(
                &unit,
                Hook::SecretChanged {
                    secret: id.to_owned(),
                },
            );
        }
    }

    /// `secret-remove` on the owner for each old revision no consumer reads any more.
    fn announce_obsolete(&mut self, id: &str) {
        let Some(secret) = self.state.secrets.get(id) else {
            return;
        };
        let latest = secret.latest();
        let obsolete: Vec<u32> = secret
            .revisions
            .keys()
            .copied()
            .filter(|r| *r < latest && !secret.obsolete.contains(r))
            .filter(|r| !secret.consumers.values().any(|c| c.tracked == *r))
            .collect();
        let Some(owner) = self.owner_unit(&secret.owner) else {
            return;
        };
        for revision in obsolete {
            if let Some(secret) = self.state.secrets.get_mut(id) {
                secret.obsolete.insert(revision);
            }
            self.enqueue(
                &owner,
                Hook::SecretRemove {
                    secret: id.to_owned(),
                    revision,
                },
            );
        }
    }

    /// The unit that gets the owner's secret hooks: the unit, or the application's leader.
    fn owner_unit(&self, owner: &SecretOwner) -> Option<UnitName> {
        match owner {
            SecretOwner::Unit(unit) => unit.parse().ok(),
            SecretOwner::Application(app) => {
                let app: AppName = app.parse().ok()?;
                self.state.applications.get(&app)?.leader.clone()
            }
            SecretOwner::Model => None,
        }
    }

    /// The label a secret hook of `unit` carries: the owner's label for the owner, the
    /// consumer's for a consumer.
    pub(super) fn secret_label(&self, unit: &UnitName, id: &str) -> String {
        let Some(secret) = self.state.secrets.get(id) else {
            return String::new();
        };
        if owns(unit, secret) {
            secret.label.clone()
        } else {
            secret
                .consumers
                .get(unit)
                .map(|c| c.label.clone())
                .unwrap_or_default()
        }
    }

    // ---- the operator's side -------------------------------------------------------------

    /// `juju add-secret <name> key=value…`: a user secret (owned by the model) labelled
    /// `name`; returns its URI (`secret:<id>`).
    pub fn add_secret(&mut self, name: &str, content: &[(&str, &str)]) -> Result<String> {
        if content.is_empty() {
            return Err(Error::Refused("missing secret value".to_owned()));
        }
        if self
            .state
            .secrets
            .values()
            .any(|s| s.owner == SecretOwner::Model && s.label == name)
        {
            return Err(Error::Refused(format!(
                "secret with name {name:?} already exists"
            )));
        }
        let bag = encoded(content);
        let id = new_secret_id();
        self.state.secrets.insert(
            id.clone(),
            Secret {
                owner: SecretOwner::Model,
                label: name.to_owned(),
                description: String::new(),
                rotate: String::new(),
                expire: String::new(),
                revisions: BTreeMap::from([(1, bag)]),
                grants: Vec::new(),
                consumers: BTreeMap::new(),
                obsolete: Default::default(),
            },
        );
        self.save()?;
        Ok(format!("secret:{id}"))
    }

    /// `juju update-secret <name|uri> key=value…`: a new revision of a user secret.
    pub fn update_secret(&mut self, secret: &str, content: &[(&str, &str)]) -> Result<()> {
        let id = self.user_secret_id(secret)?;
        let bag = encoded(content);
        if let Some(s) = self.state.secrets.get_mut(&id) {
            let next = s.latest() + 1;
            s.revisions.insert(next, bag);
        }
        self.announce_revision(&id);
        self.save()
    }

    /// `juju grant-secret <name|uri> <app>`: the application's units may read the user
    /// secret.
    pub fn grant_secret(&mut self, secret: &str, app: &str) -> Result<()> {
        let id = self.user_secret_id(secret)?;
        let app_name: AppName = app.parse()?;
        if !self.state.applications.contains_key(&app_name) {
            return Err(Error::UnknownApplication(app.to_owned()));
        }
        let grant = SecretGrant {
            relation: None,
            relation_key: String::new(),
            app: app.to_owned(),
            unit: None,
        };
        if let Some(s) = self.state.secrets.get_mut(&id) {
            if !s.grants.contains(&grant) {
                s.grants.push(grant);
            }
        }
        self.save()
    }

    fn user_secret_id(&self, secret: &str) -> Result<String> {
        let wanted = secret.strip_prefix("secret:").unwrap_or(secret);
        self.state
            .secrets
            .iter()
            .find(|(id, s)| s.owner == SecretOwner::Model && (*id == wanted || s.label == secret))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| Error::Refused(format!("secret {secret:?} not found")))
    }

    /// The rotation of a charm secret comes due (Juju's timer, fired now): `secret-rotate` on
    /// its owner.
    pub fn rotate_secret(&mut self, uri: &str) -> Result<()> {
        let (id, owner) = self.charm_secret(uri)?;
        self.enqueue(&owner, Hook::SecretRotate { secret: id });
        self.save()
    }

    /// The latest revision of a charm secret expires now: `secret-expired` on its owner.
    pub fn expire_secret(&mut self, uri: &str) -> Result<()> {
        let (id, owner) = self.charm_secret(uri)?;
        let revision = self.state.secrets[&id].latest();
        self.enqueue(
            &owner,
            Hook::SecretExpired {
                secret: id,
                revision,
            },
        );
        self.save()
    }

    fn charm_secret(&self, uri: &str) -> Result<(String, UnitName)> {
        let id = uri.strip_prefix("secret:").unwrap_or(uri).to_owned();
        let secret = self
            .state
            .secrets
            .get(&id)
            .ok_or_else(|| Error::Refused(format!("secret {uri:?} not found")))?;
        let owner = self
            .owner_unit(&secret.owner)
            .ok_or_else(|| Error::Refused(format!("secret {uri:?} has no owner unit to tell")))?;
        Ok((id, owner))
    }

    /// Every secret's URI, with its owner kind and label.
    pub fn secrets(&self) -> Vec<(String, String, String)> {
        self.state
            .secrets
            .iter()
            .map(|(id, s)| {
                (
                    format!("secret:{id}"),
                    s.owner.kind().to_owned(),
                    s.label.clone(),
                )
            })
            .collect()
    }

    /// A secret revision's content, decoded (`None` for the latest).
    pub fn secret_content(&self, uri: &str, revision: Option<u32>) -> Result<Bag> {
        use base64::prelude::{Engine as _, BASE64_STANDARD};
        let id = uri.strip_prefix("secret:").unwrap_or(uri);
        let secret = self
            .state
            .secrets
            .get(id)
            .ok_or_else(|| Error::Refused(format!("secret {uri:?} not found")))?;
        let revision = revision.unwrap_or_else(|| secret.latest());
        let content = secret
            .revisions
            .get(&revision)
            .ok_or_else(|| Error::Refused(format!("secret {uri:?} has no revision {revision}")))?;
        Ok(content
            .iter()
            .map(|(k, v)| {
                let bytes = BASE64_STANDARD.decode(v).unwrap_or_default();
                (k.clone(), String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect())
    }

    /// The revision `unit` reads of a secret it consumes.
    pub fn secret_tracked(&self, uri: &str, unit: &str) -> Option<u32> {
        let id = uri.strip_prefix("secret:").unwrap_or(uri);
        let unit: UnitName = unit.parse().ok()?;
        Some(self.state.secrets.get(id)?.consumers.get(&unit)?.tracked)
    }
}

/// Secret content as Juju stores it: values base64-encoded.
fn encoded(content: &[(&str, &str)]) -> Bag {
    use base64::prelude::{Engine as _, BASE64_STANDARD};
    content
        .iter()
        .map(|(k, v)| ((*k).to_owned(), BASE64_STANDARD.encode(v)))
        .collect()
}

fn change_id(change: &SecretChange) -> &str {
    match change {
        SecretChange::Create { id, .. }
        | SecretChange::Update { id, .. }
        | SecretChange::Grant { id, .. }
        | SecretChange::Revoke { id, .. }
        | SecretChange::Remove { id, .. }
        | SecretChange::Track { id, .. } => id,
    }
}

fn owns(unit: &UnitName, secret: &Secret) -> bool {
    match &secret.owner {
        SecretOwner::Unit(owner) => owner == &unit.to_string(),
        SecretOwner::Application(app) => app == unit.app().as_str(),
        SecretOwner::Model => false,
    }
}
