//! What a scenario run starts from and ends with: the unit's [`State`] and the [`Event`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use crate::hooktools::{Bag, NetworkSnapshot, Port, StatusSnapshot};
use crate::machine::MachineState;

/// A databag from `(key, value)` pairs: `bag([("hostname", "10.0.0.1")])`.
pub fn bag<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Bag {
    pairs
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// Everything a unit's hook can see and change, frozen: a run takes one and gives a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Whether the unit is its application's leader for the whole hook.
    pub leader: bool,
    /// Options the operator set (`juju config`); the others take their `config.yaml` default.
    pub config: BTreeMap<String, Json>,
    /// Relations the unit is in, peer relations included.
    pub relations: Vec<Relation>,
    /// The application's leader settings (`leader-get`), which `leader-set` changes at once.
    pub leader_settings: Bag,
    /// The unit's charm state (`state-get`).
    pub unit_state: Bag,
    /// Ports opened for all endpoints.
    pub opened_ports: BTreeSet<Port>,
    /// Ports opened for named endpoints only (`open-port --endpoints`), by endpoint.
    pub endpoint_ports: BTreeMap<String, BTreeSet<Port>>,
    pub unit_status: StatusSnapshot,
    /// The application's status (the leader's to set).
    pub app_status: StatusSnapshot,
    pub workload_version: String,
    /// `network-get` answers by binding name; bindings not named here get the unit's address
    /// on the default space (`alpha`: 127.1.0.0/16 on `eth0`).
    pub networks: BTreeMap<String, NetworkSnapshot>,
    /// The machine's packages and services (with their start, stop and restart history), and
    /// schema migrations.
    pub machine: MachineState,
    /// Files under the machine's root, by machine path: regular files, symbolic links and
    /// empty directories (a directory with anything in it is implied by its contents). The
    /// `/etc/os-release` and systemd marker the scenario provisions are left out unless changed.
    pub files: BTreeMap<String, MachineFile>,
}

impl Default for State {
    fn default() -> State {
        let unknown = StatusSnapshot {
            status: "unknown".to_owned(),
            ..StatusSnapshot::default()
        };
        State {
            leader: false,
            config: BTreeMap::new(),
            relations: Vec::new(),
            leader_settings: Bag::new(),
            unit_state: Bag::new(),
            opened_ports: BTreeSet::new(),
            endpoint_ports: BTreeMap::new(),
            unit_status: unknown.clone(),
            app_status: unknown,
            workload_version: String::new(),
            networks: BTreeMap::new(),
            machine: MachineState::default(),
            files: BTreeMap::new(),
        }
    }
}

impl State {
    /// The relation with id `id`.
    pub fn relation(&self, id: u32) -> Option<&Relation> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// A file's text, if it is a regular file holding UTF-8.
    pub fn file_text(&self, path: &str) -> Option<&str> {
        self.files.get(path).and_then(MachineFile::text)
    }

    /// This state with a regular file (mode 0644) at machine path `path`.
    #[must_use]
    pub fn with_file(mut self, path: &str, contents: impl Into<Vec<u8>>) -> State {
        self.files.insert(
            path.to_owned(),
            MachineFile::File {
                contents: contents.into(),
                mode: 0o644,
            },
        );
        self
    }
}

/// One entry under the machine root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachineFile {
    File {
        contents: Vec<u8>,
        mode: u32,
    },
    Symlink {
        target: String,
    },
    /// A directory with nothing in it.
    Dir {
        mode: u32,
    },
}

impl MachineFile {
    /// A regular file's text, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        match self {
            MachineFile::File { contents, .. } => std::str::from_utf8(contents).ok(),
            _ => None,
        }
    }

    /// The permission bits of a file or directory.
    pub fn mode(&self) -> Option<u32> {
        match self {
            MachineFile::File { mode, .. } | MachineFile::Dir { mode } => Some(*mode),
            MachineFile::Symlink { .. } => None,
        }
    }
}

/// One relation as the unit sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub id: u32,
    /// This charm's endpoint.
    pub endpoint: String,
    /// The application on the other side; empty for a peer relation (the unit's own).
    pub remote_app: String,
    pub peer: bool,
    /// This unit's bag. [`Relation::new`] starts it with the address keys Juju writes when
    /// the unit enters the relation's scope.
    pub local_unit_data: Bag,
    /// This application's bag (the leader writes it; in a peer relation every unit reads it).
    pub local_app_data: Bag,
    /// The remote application's bag (unused in a peer relation).
    pub remote_app_data: Bag,
    /// The remote units the unit has seen join (`relation-list`), with their bags; in a peer
    /// relation, the other units of the application.
    pub remote_units: BTreeMap<String, Bag>,
}

/// The address of machine 0, which a scenario's unit has unless told otherwise.
pub(crate) const DEFAULT_ADDRESS: &str = "127.1.0.1";

impl Relation {
    /// A relation on `endpoint` with `remote_app`, with no remote unit yet; this unit's bag
    /// holds the address keys of a unit on machine 0 (`127.1.0.1`).
    pub fn new(id: u32, endpoint: &str, remote_app: &str) -> Relation {
        Relation {
            id,
            endpoint: endpoint.to_owned(),
            remote_app: remote_app.to_owned(),
            peer: false,
            local_unit_data: juju_address_bag(DEFAULT_ADDRESS),
            local_app_data: Bag::new(),
            remote_app_data: Bag::new(),
            remote_units: BTreeMap::new(),
        }
    }

    /// A peer relation on `endpoint`.
    pub fn peer(id: u32, endpoint: &str) -> Relation {
        Relation {
            peer: true,
            ..Relation::new(id, endpoint, "")
        }
    }

    /// With remote unit `unit` (a peer unit, in a peer relation) and its bag.
    #[must_use]
    pub fn remote_unit(mut self, unit: &str, data: Bag) -> Relation {
        self.remote_units.insert(unit.to_owned(), data);
        self
    }

    #[must_use]
    pub fn remote_app_data(mut self, data: Bag) -> Relation {
        self.remote_app_data = data;
        self
    }

    #[must_use]
    pub fn local_app_data(mut self, data: Bag) -> Relation {
        self.local_app_data = data;
        self
    }

    #[must_use]
    pub fn local_unit_data(mut self, data: Bag) -> Relation {
        self.local_unit_data = data;
        self
    }
}

/// The keys Juju puts in a unit's bag as it enters a relation's scope.
pub fn juju_address_bag(address: &str) -> Bag {
    bag([
        ("private-address", address.to_owned()),
        ("ingress-address", address.to_owned()),
        ("egress-subnets", format!("{address}/32")),
    ])
}

/// The one event a run delivers, as Juju would fire it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Install,
    Start,
    ConfigChanged,
    UpgradeCharm,
    UpdateStatus,
    LeaderElected,
    LeaderSettingsChanged,
    Stop,
    Remove,
    RelationCreated {
        relation: u32,
    },
    /// `remote_unit` must be among the relation's remote units (it has joined by now).
    RelationJoined {
        relation: u32,
        remote_unit: String,
    },
    /// `remote_unit: None` is the application-level change (remote application bag).
    RelationChanged {
        relation: u32,
        remote_unit: Option<String>,
    },
    /// `departing_unit` is the remote unit unless this unit is the one leaving.
    RelationDeparted {
        relation: u32,
        remote_unit: String,
        departing_unit: Option<String>,
    },
    RelationBroken {
        relation: u32,
    },
    /// An action with its params as `juju run` would send them (defaults are inserted).
    Action {
        name: String,
        params: Map<String, Json>,
    },
}

impl Event {
    /// The action `name` with no params.
    pub fn action(name: &str) -> Event {
        Event::Action {
            name: name.to_owned(),
            params: Map::new(),
        }
    }

    /// This action event with one more param.
    #[must_use]
    pub fn param(mut self, key: &str, value: impl Into<Json>) -> Event {
        if let Event::Action { params, .. } = &mut self {
            params.insert(key.to_owned(), value.into());
        }
        self
    }

    /// `relation-changed` from `remote_unit`.
    pub fn relation_changed(relation: u32, remote_unit: &str) -> Event {
        Event::RelationChanged {
            relation,
            remote_unit: Some(remote_unit.to_owned()),
        }
    }

    /// `relation-joined` of `remote_unit`.
    pub fn relation_joined(relation: u32, remote_unit: &str) -> Event {
        Event::RelationJoined {
            relation,
            remote_unit: remote_unit.to_owned(),
        }
    }

    /// `relation-departed` of `remote_unit`, which is leaving.
    pub fn relation_departed(relation: u32, remote_unit: &str) -> Event {
        Event::RelationDeparted {
            relation,
            remote_unit: remote_unit.to_owned(),
            departing_unit: None,
        }
    }

    /// The relation a relation event is about.
    pub fn relation(&self) -> Option<u32> {
        match self {
            Event::RelationCreated { relation }
            | Event::RelationJoined { relation, .. }
            | Event::RelationChanged { relation, .. }
            | Event::RelationDeparted { relation, .. }
            | Event::RelationBroken { relation } => Some(*relation),
            _ => None,
        }
    }

    /// The remote unit of a relation event (`JUJU_REMOTE_UNIT`).
    pub fn remote_unit(&self) -> Option<&str> {
        match self {
            Event::RelationJoined { remote_unit, .. }
            | Event::RelationDeparted { remote_unit, .. } => Some(remote_unit),
            Event::RelationChanged { remote_unit, .. } => remote_unit.as_deref(),
            _ => None,
        }
    }

    /// The hook name without the endpoint (`install`, `relation-joined`), or the action name.
    pub fn kind(&self) -> &str {
        match self {
            Event::Install => "install",
            Event::Start => "start",
            Event::ConfigChanged => "config-changed",
            Event::UpgradeCharm => "upgrade-charm",
            Event::UpdateStatus => "update-status",
            Event::LeaderElected => "leader-elected",
            Event::LeaderSettingsChanged => "leader-settings-changed",
            Event::Stop => "stop",
            Event::Remove => "remove",
            Event::RelationCreated { .. } => "relation-created",
            Event::RelationJoined { .. } => "relation-joined",
            Event::RelationChanged { .. } => "relation-changed",
            Event::RelationDeparted { .. } => "relation-departed",
            Event::RelationBroken { .. } => "relation-broken",
            Event::Action { name, .. } => name,
        }
    }
}
