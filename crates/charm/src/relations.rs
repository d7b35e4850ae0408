//! Relation data with Juju's rules, read once, and written once at the end of a hook.
//!
//! - Every read is cached for the hook: `relation-ids` once per endpoint, `relation-list` once
//!   per relation, `relation-get` once per bag; and kept in unit state for later hooks,
//!   which read again only what their event says changed (see [`crate::memory`]).
//! - Writes are buffered and read back (a hook sees its own writes). At the end of a successful
//!   hook each written bag gets one `relation-set` carrying only the keys whose value changed.
//! - Only the leader writes its application bag; a non-leader's write is refused before any
//!   `relation-set`. A non-leader cannot read its own application bag either, except on peer
//!   relations (peers are known from `metadata.yaml`).

use std::collections::{BTreeMap, HashMap};

use juju::{AppName, BagOwner, HookTools, RelationId, ToolError, ToolRunner, UnitName};

use crate::memory::{KeptRelation, Memory, Trust, JUJU_KEYS};
use crate::metadata::Metadata;
use crate::state::UnitState;

pub use juju::Bag;

/// A relation access that Juju would refuse, or a hook tool that failed.
#[derive(Debug, thiserror::Error)]
pub enum RelationError {
    /// Only the leader writes its application's bag.
    #[error("cannot write this application's data on {relation}: this unit is not the leader")]
    NotLeader { relation: RelationId },
    /// A non-leader reads its own application's bag on a relation other than a peer one.
    #[error(
        "cannot read this application's data on {relation}: only the leader may, except on peer \
         relations"
    )]
    ReadDenied { relation: RelationId },
    /// The endpoint is not in `metadata.yaml` (a typo in the charm).
    #[error("endpoint '{0}' is not declared in metadata.yaml")]
    UnknownEndpoint(String),
    #[error(transparent)]
    Tool(#[from] ToolError),
}

/// Which of this unit's own bags a write goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum LocalBag {
    Unit,
    App,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Owner {
    Unit(UnitName),
    App(AppName),
}

/// Everything read and written this hook.
#[derive(Debug, Default)]
pub(crate) struct RelationCache {
    ids: HashMap<String, Vec<RelationId>>,
    units: HashMap<RelationId, Vec<UnitName>>,
    remote_apps: HashMap<RelationId, Option<AppName>>,
    bags: HashMap<(RelationId, Owner), Bag>,
    pending: BTreeMap<(RelationId, LocalBag), Bag>,
}

impl RelationCache {
    pub(crate) fn know_remote_app(&mut self, relation: RelationId, app: AppName) {
        self.remote_apps.insert(relation, Some(app));
    }
}

/// What a hook knows beyond its own reads: unit state, and what earlier hooks kept in it.
#[derive(Debug)]
pub(crate) struct Kept {
    pub(crate) trust: Trust,
    pub(crate) state: Option<UnitState>,
    pub(crate) memory: Option<Memory>,
    /// Leadership, asked once per hook (Juju guarantees it holds for 30 s after a `true`).
    pub(crate) leader: Option<bool>,
}

impl Kept {
    pub(crate) fn new(trust: Trust) -> Kept {
        Kept {
            trust,
            state: None,
            memory: None,
            leader: None,
        }
    }

    /// Unit state (`state-get`, once per hook).
    pub(crate) fn state<R: ToolRunner>(
        &mut self,
        tools: &HookTools<R>,
    ) -> std::result::Result<&mut UnitState, ToolError> {
        match &mut self.state {
            Some(state) => Ok(state),
            slot @ None => Ok(slot.insert(UnitState::new(tools.state_get()?))),
        }
    }

    /// What earlier hooks kept (loading unit state first).
    pub(crate) fn memory<R: ToolRunner>(
        &mut self,
        tools: &HookTools<R>,
    ) -> std::result::Result<&mut Memory, ToolError> {
        if self.memory.is_none() {
            let memory = Memory::load(self.state(tools)?);
            self.memory = Some(memory);
        }
        Ok(self.memory.get_or_insert_with(Memory::default))
    }

    /// Whether this unit is the leader: asked once per hook, or as kept where trusted.
    pub(crate) fn is_leader<R: ToolRunner>(
        &mut self,
        tools: &HookTools<R>,
    ) -> std::result::Result<bool, ToolError> {
        if let Some(leader) = self.leader {
            return Ok(leader);
        }
        let trust = self.trust.leadership();
        let memory = self.memory(tools)?;
        let leader = match memory.leader.filter(|_| trust) {
            Some(leader) => leader,
            None => {
                let leader = tools.is_leader()?;
                memory.leader = Some(leader);
                leader
            }
        };
        self.leader = Some(leader);
        Ok(leader)
    }
}

/// This hook's view of the unit's relations; see the [module docs](self).
#[derive(Debug)]
pub struct Relations<'c, R> {
    pub(crate) tools: &'c HookTools<R>,
    pub(crate) cache: &'c mut RelationCache,
    pub(crate) kept: &'c mut Kept,
    pub(crate) metadata: &'c Metadata,
    pub(crate) unit: &'c UnitName,
}

type Result<T> = std::result::Result<T, RelationError>;

/// A bag whose values are secrets, such as the passwords a leader generates once and keeps in
/// the peer application bag: `Debug` shows the keys only, so logging it leaks nothing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretBag(pub Bag);

impl std::fmt::Debug for SecretBag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// One relation of an endpoint with the bag of each remote unit in it: what a provider reads
/// to answer every client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUnits {
    pub relation: RelationId,
    pub units: BTreeMap<UnitName, Bag>,
}

impl RemoteUnits {
    /// The application on the other side, named after its units (`None` before any joined).
    pub fn app(&self) -> Option<AppName> {
        self.units.keys().next().map(|unit| unit.app().clone())
    }
}

impl<R: ToolRunner> Relations<'_, R> {
    /// The live relations on `endpoint` (`relation-ids`, once per endpoint per hook).
    pub fn ids(&mut self, endpoint: &str) -> Result<Vec<RelationId>> {
        if self.metadata.endpoint(endpoint).is_none() {
            return Err(RelationError::UnknownEndpoint(endpoint.to_owned()));
        }
        if let Some(ids) = self.cache.ids.get(endpoint) {
            return Ok(ids.clone());
        }
        let trusted = self.kept.trust.ids(endpoint);
        let memory = self.kept.memory(self.tools)?;
        let kept = memory
            .ids
            .get(endpoint)
            .filter(|_| trusted)
            .and_then(|ids| ids.iter().map(|id| id.parse().ok()).collect());
        let ids: Vec<RelationId> = match kept {
            Some(ids) => ids,
            None => {
                let ids = self.tools.relation_ids(endpoint)?;
                memory.ids.insert(
                    endpoint.to_owned(),
                    ids.iter().map(ToString::to_string).collect(),
                );
                // A relation no longer listed is gone, and what was kept of it with it.
                memory.retain_relations(endpoint, &ids);
                ids
            }
        };
        self.cache.ids.insert(endpoint.to_owned(), ids.clone());
        Ok(ids)
    }

    /// The remote units in `relation` (`relation-list`, once per relation per hook). On a peer
    /// relation these are the other units of this application.
    pub fn units(&mut self, relation: &RelationId) -> Result<Vec<UnitName>> {
        if let Some(units) = self.cache.units.get(relation) {
            return Ok(units.clone());
        }
        let trusted = self.kept.trust.relation(relation);
        let kept = self.kept_relation(relation)?;
        let units: Vec<UnitName> = match kept
            .units
            .as_ref()
            .filter(|_| trusted)
            .and_then(|units| units.iter().map(|u| u.parse().ok()).collect())
        {
            Some(units) => units,
            None => {
                let units = self.tools.relation_list(relation)?;
                self.kept_relation(relation)?.units =
                    Some(units.iter().map(ToString::to_string).collect());
                units
            }
        };
        self.cache.units.insert(relation.clone(), units.clone());
        Ok(units)
    }

    /// Every relation on `endpoint` with each remote unit's bag: one `relation-ids`, then one
    /// `relation-list` and one `relation-get` per unit, all cached.
    pub fn remote_units(&mut self, endpoint: &str) -> Result<Vec<RemoteUnits>> {
        let mut remotes = Vec::new();
        for relation in self.ids(endpoint)? {
            let mut units = BTreeMap::new();
            for unit in self.units(&relation)? {
                let bag = self.unit_data(&relation, &unit)?;
                units.insert(unit, bag);
            }
            remotes.push(RemoteUnits { relation, units });
        }
        Ok(remotes)
    }

    /// The application on the other side of `relation` (this application on a peer one).
    pub fn remote_app(&mut self, relation: &RelationId) -> Result<Option<AppName>> {
        if let Some(app) = self.cache.remote_apps.get(relation) {
            return Ok(app.clone());
        }
        // The remote application of a relation never changes.
        let kept = self.kept_relation(relation)?.remote_app.clone();
        let app = match kept.and_then(|app| app.map(|a| a.parse().ok())) {
            Some(app) => app,
            None => {
                let app = self.tools.relation_remote_app(relation)?;
                self.kept_relation(relation)?.remote_app =
                    Some(app.as_ref().map(ToString::to_string));
                app
            }
        };
        self.cache.remote_apps.insert(relation.clone(), app.clone());
        Ok(app)
    }

    /// The bag of `unit`: a remote unit's, or this unit's own including this hook's writes.
    pub fn unit_data(&mut self, relation: &RelationId, unit: &UnitName) -> Result<Bag> {
        let fetched = self.fetch(relation, Owner::Unit(unit.clone()))?;
        if unit == self.unit {
            Ok(self.with_pending(relation, LocalBag::Unit, fetched))
        } else {
            Ok(fetched)
        }
    }

    /// The bag of application `app`: the remote one's, or this application's own (leader only,
    /// except on peer relations) including this hook's writes.
    pub fn app_data(&mut self, relation: &RelationId, app: &AppName) -> Result<Bag> {
        if app != self.unit.app() {
            return self.fetch(relation, Owner::App(app.clone()));
        }
        if !self.metadata.is_peer(relation.endpoint()) && !self.leader()? {
            return Err(RelationError::ReadDenied {
                relation: relation.clone(),
            });
        }
        let fetched = self.fetch(relation, Owner::App(app.clone()))?;
        Ok(self.with_pending(relation, LocalBag::App, fetched))
    }

    /// This unit's own bag, with this hook's writes.
    pub fn local_unit_data(&mut self, relation: &RelationId) -> Result<Bag> {
        let unit = self.unit.clone();
        self.unit_data(relation, &unit)
    }

    /// This application's own bag, with this hook's writes (see [`Relations::app_data`]).
    pub fn local_app_data(&mut self, relation: &RelationId) -> Result<Bag> {
        let app = self.unit.app().clone();
        self.app_data(relation, &app)
    }

    /// Sets keys in this unit's bag; an empty value deletes the key. Sent at the end of the
    /// hook, and only the keys whose value changed.
    pub fn set_unit_data<K, V>(
        &mut self,
        relation: &RelationId,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Result<()>
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.buffer(relation, LocalBag::Unit, data);
        Ok(())
    }

    /// Sets keys in this application's bag (leader only: a non-leader gets
    /// [`RelationError::NotLeader`] and nothing is sent).
    pub fn set_app_data<K, V>(
        &mut self,
        relation: &RelationId,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Result<()>
    where
        K: Into<String>,
        V: Into<String>,
    {
        if !self.leader()? {
            return Err(RelationError::NotLeader {
                relation: relation.clone(),
            });
        }
        self.buffer(relation, LocalBag::App, data);
        Ok(())
    }

    /// Whether this unit is the leader (see [`Kept::is_leader`]).
    fn leader(&mut self) -> Result<bool> {
        Ok(self.kept.is_leader(self.tools)?)
    }

    /// What is kept of `relation`, created empty when nothing is.
    fn kept_relation(&mut self, relation: &RelationId) -> Result<&mut KeptRelation> {
        let memory = self.kept.memory(self.tools)?;
        Ok(memory.relations.entry(relation.to_string()).or_default())
    }

    fn buffer<K: Into<String>, V: Into<String>>(
        &mut self,
        relation: &RelationId,
        bag: LocalBag,
        data: impl IntoIterator<Item = (K, V)>,
    ) {
        let pending = self
            .cache
            .pending
            .entry((relation.clone(), bag))
            .or_default();
        pending.extend(data.into_iter().map(|(k, v)| (k.into(), v.into())));
    }

    fn fetch(&mut self, relation: &RelationId, owner: Owner) -> Result<Bag> {
        self.fetch_for(relation, owner, true)
    }

    /// A bag, from this hook's reads, what is kept where it holds, or `relation-get`.
    /// `with_juju_keys`: whether the keys Juju writes in this unit's bags must be current
    /// (not when only this charm's own keys are compared).
    fn fetch_for(
        &mut self,
        relation: &RelationId,
        owner: Owner,
        with_juju_keys: bool,
    ) -> Result<Bag> {
        let key = (relation.clone(), owner);
        if let Some(bag) = self.cache.bags.get(&key) {
            return Ok(bag.clone());
        }
        let own = match &key.1 {
            Owner::Unit(unit) => unit == self.unit,
            Owner::App(app) => app == self.unit.app(),
        };
        let trust = &self.kept.trust;
        let trusted = match &key.1 {
            // Only this unit writes its bag, but Juju its address keys.
            Owner::Unit(_) if own => trust.own_bags() && (!with_juju_keys || trust.juju_keys()),
            // This application's bag: the leader writes it, and on a peer relation the
            // other units hear of it with a relation event.
            Owner::App(_) if own => trust.own_bags() && trust.relation(relation),
            _ => trust.relation(relation),
        };
        let name = owner_key(&key.1);
        let kept = self.kept_relation(relation)?.bags.get(&name).cloned();
        let Some(bag) = kept.filter(|_| trusted) else {
            let bag = match &key.1 {
                Owner::Unit(unit) => self.tools.relation_get(relation, BagOwner::Unit(unit))?,
                Owner::App(app) => self.tools.relation_get(relation, BagOwner::App(app))?,
            };
            self.kept_relation(relation)?.bags.insert(name, bag.clone());
            // Read afresh: good for the rest of the hook whatever it needs.
            self.cache.bags.insert(key, bag.clone());
            return Ok(bag);
        };
        // A bag whose Juju keys may be stale serves the comparison it was read for only.
        let partial = own && !with_juju_keys && matches!(key.1, Owner::Unit(_));
        if !partial {
            self.cache.bags.insert(key, bag.clone());
        }
        Ok(bag)
    }

    fn with_pending(&self, relation: &RelationId, bag: LocalBag, mut data: Bag) -> Bag {
        if let Some(pending) = self.cache.pending.get(&(relation.clone(), bag)) {
            for (k, v) in pending {
                if v.is_empty() {
                    data.remove(k);
                } else {
                    data.insert(k.clone(), v.clone());
                }
            }
        }
        data
    }

    /// One `relation-set` per written bag, with only the keys whose value differs from what
    /// Juju has (or, where it holds, from what this unit's earlier hooks left there); a bag
    /// whose writes change nothing gets no call. The bags as written are kept.
    pub(crate) fn flush(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.cache.pending);
        for ((relation, bag), writes) in &pending {
            let owner = match bag {
                LocalBag::Unit => Owner::Unit(self.unit.clone()),
                LocalBag::App => Owner::App(self.unit.app().clone()),
            };
            let juju_keys = writes.keys().any(|k| JUJU_KEYS.contains(&k.as_str()));
            let mut current = self.fetch_for(relation, owner.clone(), juju_keys)?;
            let changes: Bag = writes
                .iter()
                .filter(|(k, v)| match current.get(*k) {
                    Some(old) => old != *v,
                    None => !v.is_empty(),
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            self.tools
                .relation_set(relation, *bag == LocalBag::App, &changes)?;
            for (k, v) in changes {
                if v.is_empty() {
                    current.remove(&k);
                } else {
                    current.insert(k, v);
                }
            }
            self.kept_relation(relation)?
                .bags
                .insert(owner_key(&owner), current);
        }
        Ok(())
    }
}

/// How a bag's owner is named in what is kept: the unit's name, or `app:<name>`.
fn owner_key(owner: &Owner) -> String {
    match owner {
        Owner::Unit(unit) => unit.to_string(),
        Owner::App(app) => format!("app:{app}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Bag, SecretBag};

    #[test]
    fn a_secret_bag_shows_its_keys_and_never_its_values() {
        let bag = SecretBag(Bag::from([(
            "password.manila".to_owned(),
            "s3cret".to_owned(),
        )]));
        let shown = format!("{bag:?}");
        assert_eq!(shown, r#"{"password.manila"}"#);
    }
}
