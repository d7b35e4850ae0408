//! What earlier hooks read of the model, kept in unit state, and which of it a hook may use
//! without asking Juju again.
//!
//! Juju tells a unit about every change it may see, by running a hook for it
//! (`../shared/reference/juju-contract.md` §5.2, §5.3, from `worker/uniter/resolver.go` and
//! `worker/uniter/relation/resolver.go`):
//!
//! - a remote unit's or application's bag changed: `<endpoint>-relation-changed` for that
//!   relation; a unit came or went: `-joined` / `-departed`; a relation came or went:
//!   `-created` / `-broken` (which leaves it out of `relation-ids`);
//! - the configuration, the trust or the machine's addresses changed: `config-changed`
//!   (whose commit also rewrites the `private-address`, `ingress-address` and
//!   `egress-subnets` Juju keeps in this unit's bags);
//! - another unit became leader: `leader-elected` here, `leader-settings-changed` elsewhere.
//!
//! So what a hook read stays true until a hook says otherwise, and each hook re-reads only
//! what its event says changed: the relation of a relation event (and its endpoint's
//! `relation-ids`), the configuration and the networks on `config-changed`. Everything is
//! read afresh on `install`, `start`, `upgrade-charm` (new code may read differently),
//! `stop`, `remove`, `leader-elected` (another leader may have written this application's
//! bags) and actions (rare, and not worth a doubt), and whenever nothing is kept.
//! Leadership is only trusted on `update-status`: a change of leader runs `leader-elected`
//! or `leader-settings-changed` on every unit before any `update-status` (leadership comes
//! before the update-status timer in `worker/uniter/resolver.go`'s `NextOp`), and those ask.
//!
//! Kept under `charm.seen.*`: the relation ids per endpoint, per relation its units, the
//! bags read (this unit's own as this hook left them) and the remote application, the raw
//! configuration, the networks, leadership, and the installed package versions with the
//! dpkg database stamp they were read at.

use std::collections::BTreeMap;

use juju::{NetworkInfo, RelationId};
use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::relations::Bag;
use crate::state::UnitState;

const IDS_KEY: &str = "charm.seen.ids";
const RELATION_PREFIX: &str = "charm.seen.relation.";
const CONFIG_KEY: &str = "charm.seen.config";
const NETWORK_KEY: &str = "charm.seen.network";
const LEADER_KEY: &str = "charm.seen.leader";
const PACKAGES_KEY: &str = "charm.seen.packages";

/// The keys Juju itself writes in this unit's bags, refreshed when `config-changed` commits.
pub(crate) const JUJU_KEYS: [&str; 3] = ["private-address", "ingress-address", "egress-subnets"];

/// Which kept reads this hook may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trust {
    /// Nothing: every read goes to Juju.
    Nothing,
    /// Everything but the configuration, the networks and what Juju rewrote in this unit's
    /// bags (`config-changed`).
    AllButConfig,
    /// Everything but this relation and its endpoint's ids (a relation event).
    AllBut(RelationId),
    /// Everything (hooks no change of the model triggers).
    All { leadership: bool },
}

impl Trust {
    pub(crate) fn for_event(event: &Event) -> Trust {
        match event {
            Event::Install
            | Event::Start
            | Event::Stop
            | Event::Remove
            | Event::UpgradeCharm
            // This application's bags may have been written by another leader meanwhile.
            | Event::LeaderElected
            | Event::Action(_) => Trust::Nothing,
            Event::ConfigChanged => Trust::AllButConfig,
            Event::RelationCreated(e) => Trust::AllBut(e.relation.clone()),
            Event::RelationJoined(e) => Trust::AllBut(e.relation.clone()),
            Event::RelationChanged(e) => Trust::AllBut(e.relation.clone()),
            Event::RelationDeparted(e) => Trust::AllBut(e.relation.clone()),
            Event::RelationBroken(e) => Trust::AllBut(e.relation.clone()),
            Event::UpdateStatus => Trust::All { leadership: true },
            Event::LeaderSettingsChanged
            | Event::PreSeriesUpgrade
            | Event::PostSeriesUpgrade => Trust::All { leadership: false },
        }
    }

    /// Whether kept `relation-ids` of `endpoint` hold.
    pub(crate) fn ids(&self, endpoint: &str) -> bool {
        match self {
            Trust::Nothing => false,
            Trust::AllBut(relation) => relation.endpoint() != endpoint,
            Trust::AllButConfig | Trust::All { .. } => true,
        }
    }

    /// Whether what was kept of `relation` (its units and remote bags) holds.
    pub(crate) fn relation(&self, relation: &RelationId) -> bool {
        match self {
            Trust::Nothing => false,
            Trust::AllBut(changed) => changed != relation,
            Trust::AllButConfig | Trust::All { .. } => true,
        }
    }

    /// Whether this unit's own kept bags hold, but for [`JUJU_KEYS`].
    pub(crate) fn own_bags(&self) -> bool {
        !matches!(self, Trust::Nothing)
    }

    /// Whether [`JUJU_KEYS`] in this unit's kept bags hold.
    pub(crate) fn juju_keys(&self) -> bool {
        !matches!(self, Trust::Nothing | Trust::AllButConfig)
    }

    /// Whether the kept configuration and networks hold.
    pub(crate) fn config(&self) -> bool {
        !matches!(self, Trust::Nothing | Trust::AllButConfig)
    }

    pub(crate) fn leadership(&self) -> bool {
        matches!(self, Trust::All { leadership: true })
    }
}

/// One relation as kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeptRelation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) units: Option<Vec<String>>,
    /// By owner: a unit's name, or `app:<name>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) bags: BTreeMap<String, Bag>,
    /// `Some(None)`: asked, and no remote application yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) remote_app: Option<Option<String>>,
}

/// Installed package versions as read at a dpkg database stamp.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeptPackages {
    pub(crate) stamp: String,
    pub(crate) versions: BTreeMap<String, Option<String>>,
}

/// Everything kept, as loaded at the first read of the hook and stored back at its end.
#[derive(Debug, Default)]
pub(crate) struct Memory {
    pub(crate) ids: BTreeMap<String, Vec<String>>,
    pub(crate) relations: BTreeMap<String, KeptRelation>,
    pub(crate) config: Option<serde_json::Map<String, serde_json::Value>>,
    pub(crate) networks: BTreeMap<String, NetworkInfo>,
    pub(crate) leader: Option<bool>,
    pub(crate) packages: Option<KeptPackages>,
}

impl Memory {
    /// What `state` keeps (anything that does not parse, from an older charm, is not kept).
    pub(crate) fn load(state: &UnitState) -> Memory {
        fn json<T: for<'de> Deserialize<'de>>(text: Option<String>) -> Option<T> {
            serde_json::from_str(&text?).ok()
        }
        let relations = state
            .keys_under(RELATION_PREFIX)
            .into_iter()
            .filter_map(|id| {
                let kept = json(state.get_large(&format!("{RELATION_PREFIX}{id}")))?;
                Some((id, kept))
            })
            .collect();
        Memory {
            ids: json(state.get_large(IDS_KEY)).unwrap_or_default(),
            relations,
            config: json(state.get_large(CONFIG_KEY)),
            networks: json(state.get_large(NETWORK_KEY)).unwrap_or_default(),
            leader: state.get(LEADER_KEY).map(|v| v == "true"),
            packages: json(state.get_large(PACKAGES_KEY)),
        }
    }

    /// Writes what is kept into `state` (unit state sends only what changed). What is too
    /// large to keep is dropped, and read from Juju again next time.
    pub(crate) fn store(&self, state: &mut UnitState) {
        fn put<T: Serialize>(state: &mut UnitState, key: &str, value: Option<&T>) {
            let text = value
                .and_then(|v| serde_json::to_string(v).ok())
                .unwrap_or_default();
            if !state.set_large(key, &text) {
                state.set_large(key, "");
            }
        }
        put(
            state,
            IDS_KEY,
            Some(&self.ids).filter(|ids| !ids.is_empty()),
        );
        let ids: Vec<String> = self.relations.keys().cloned().collect();
        state.retain_under(RELATION_PREFIX, &ids);
        for (id, kept) in &self.relations {
            put(state, &format!("{RELATION_PREFIX}{id}"), Some(kept));
        }
        put(state, CONFIG_KEY, self.config.as_ref());
        put(
            state,
            NETWORK_KEY,
            Some(&self.networks).filter(|n| !n.is_empty()),
        );
        match self.leader {
            Some(leader) => state.set(LEADER_KEY, leader),
            None => state.remove(LEADER_KEY),
        }
        put(state, PACKAGES_KEY, self.packages.as_ref());
    }

    /// Forgets the relations of `endpoint` that are not in `live`.
    pub(crate) fn retain_relations(&mut self, endpoint: &str, live: &[RelationId]) {
        self.relations.retain(|id, _| {
            id.split_once(':').map(|(e, _)| e) != Some(endpoint)
                || live.iter().any(|l| l.to_string() == *id)
        });
    }
}
