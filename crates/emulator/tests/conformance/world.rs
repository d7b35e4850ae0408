//! The model the conformance rows run against: unit `manila/0` of `manila`, related to
//! `mysql` (relation 3, and a second database relation 10), with a peer relation (5).

use std::collections::{BTreeMap, BTreeSet};

use emulator::hooktools::{
    Bag, BindAddress, GoalState, GoalStatus, HookContext, InterfaceAddress, Invocation,
    NetworkSnapshot, Port, Protocol, RelationHook, RelationSnapshot, SecretGrant, SecretOwner,
    SecretSnapshot, StatusSnapshot, StorageDeclaration, StorageSnapshot,
};
use serde_json::{json, Map, Value};

pub(crate) fn bag(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn tcp(from: u16, to: u16) -> Port {
    Port::Range {
        from,
        to,
        protocol: Protocol::Tcp,
    }
}

fn udp(from: u16, to: u16) -> Port {
    Port::Range {
        from,
        to,
        protocol: Protocol::Udp,
    }
}

/// An `install` hook on the leader.
pub(crate) fn install() -> HookContext {
    let mut relations = BTreeMap::new();
    relations.insert(
        3,
        RelationSnapshot {
            endpoint: "shared-db".into(),
            remote_app: "mysql".into(),
            peer: false,
            members: vec!["mysql/0".into(), "mysql/1".into()],
            local_unit: bag(&[("private-address", "10.0.0.10"), ("database", "manila")]),
            local_app: bag(&[("db-name", "manila")]),
            remote_units: BTreeMap::from([
                (
                    "mysql/0".into(),
                    bag(&[("password", "s3cret"), ("allowed_units", "manila/0")]),
                ),
                ("mysql/1".into(), Bag::new()),
                // Departed, still readable.
                ("mysql/2".into(), bag(&[("old", "x")])),
            ]),
            remote_app_bag: bag(&[("host", "10.0.0.20")]),
            broken: false,
            key: "manila:shared-db mysql:shared-db".into(),
        },
    );
    relations.insert(
        10,
        RelationSnapshot {
            endpoint: "shared-db".into(),
            remote_app: "mysql-b".into(),
            ..Default::default()
        },
    );
    relations.insert(
        5,
        RelationSnapshot {
            endpoint: "cluster".into(),
            remote_app: "manila".into(),
            peer: true,
            members: vec!["manila/1".into()],
            local_unit: bag(&[("private-address", "10.0.0.10")]),
            local_app: bag(&[("secret", "abc")]),
            remote_units: BTreeMap::from([("manila/1".into(), bag(&[("ready", "yes")]))]),
            remote_app_bag: bag(&[("secret", "abc")]),
            broken: false,
            key: "manila:cluster".into(),
        },
    );

    let config: BTreeMap<String, Value> = [
        ("debug", json!(false)),
        ("port", json!(8776)),
        ("name", json!("manila")),
        ("ratio", json!(1.5)),
        ("big", json!(2_000_000)),
        ("unset", Value::Null),
        ("text", json!("line1\nline2")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();

    let unit_status = StatusSnapshot {
        status: "active".into(),
        message: "Unit is ready".into(),
        data: BTreeMap::from([("progress".to_string(), json!(10))]),
    };
    let shared_db = NetworkSnapshot {
        bind_addresses: vec![BindAddress {
            mac_address: "00:16:3e:aa:bb:cc".into(),
            interface_name: "eth0".into(),
            addresses: vec![InterfaceAddress {
                hostname: String::new(),
                value: "10.0.0.10".into(),
                cidr: "10.0.0.0/24".into(),
            }],
        }],
        egress_subnets: vec!["10.0.0.10/32".into()],
        ingress_addresses: vec!["10.0.0.10".into()],
    };
    let bare = NetworkSnapshot {
        bind_addresses: vec![BindAddress {
            mac_address: String::new(),
            interface_name: "lo".into(),
            addresses: vec![InterfaceAddress {
                hostname: "host.internal".into(),
                value: "127.0.0.2".into(),
                cidr: "127.0.0.0/8".into(),
            }],
        }],
        egress_subnets: Vec::new(),
        ingress_addresses: Vec::new(),
    };

    HookContext {
        unit: "manila/0".into(),
        leader: true,
        invocation: Invocation::Hook {
            name: "install".into(),
            relation: None,
        },
        config,
        relations,
        leader_settings: bag(&[("cluster-key", "abc")]),
        unit_state: Bag::new(),
        opened_ports: BTreeSet::from([tcp(80, 80), Port::Icmp, udp(8000, 8100)]),
        endpoint_ports: BTreeMap::from([("public".into(), BTreeSet::from([tcp(443, 443)]))]),
        unit_status: unit_status.clone(),
        app_status: StatusSnapshot {
            status: "waiting".into(),
            message: "Waiting for peers".into(),
            data: BTreeMap::new(),
        },
        app_unit_statuses: BTreeMap::from([
            ("manila/0".into(), unit_status),
            (
                "manila/1".into(),
                StatusSnapshot {
                    status: "maintenance".into(),
                    message: "installing".into(),
                    data: BTreeMap::new(),
                },
            ),
        ]),
        secrets: secrets(),
        storage: BTreeMap::from([(
            "data/0".into(),
            StorageSnapshot {
                kind: "filesystem".into(),
                location: "/srv/data".into(),
            },
        )]),
        storage_declared: BTreeMap::from([
            ("data".into(), StorageDeclaration { max: None }),
            ("logs".into(), StorageDeclaration { max: Some(1) }),
        ]),
        resources: BTreeMap::from([(
            "config-file".into(),
            "/var/lib/juju/agents/unit-manila-0/resources/config-file/config.tar".into(),
        )]),
        model_uuid: "6a7c1a3e-56de-4b5e-8f0a-5c3fd0e4a1b2".into(),
        private_address: "10.0.0.10".into(),
        public_address: "203.0.113.10".into(),
        networks: BTreeMap::from([("shared-db".into(), shared_db), ("lo".into(), bare)]),
        goal_state: GoalState {
            units: BTreeMap::from([
                (
                    "manila/0".into(),
                    GoalStatus::new("active", "2025-11-20 10:00:00Z"),
                ),
                (
                    "manila/1".into(),
                    GoalStatus::new("dying", "2025-11-20 10:02:30Z"),
                ),
            ]),
            relations: BTreeMap::from([(
                "shared-db".into(),
                BTreeMap::from([
                    (
                        "mysql".into(),
                        GoalStatus::new("joined", "2025-11-20 10:05:00Z"),
                    ),
                    (
                        "mysql/0".into(),
                        GoalStatus::new("waiting", "2025-11-20 10:04:59Z"),
                    ),
                ]),
            )]),
        },
        ..Default::default()
    }
}

/// The application's secret (granted to mysql over relation 3, two revisions), one of
/// mysql's granted to manila (this unit reads revision 1 as `root`), and one of another
/// application's that nobody granted.
fn secrets() -> BTreeMap<String, SecretSnapshot> {
    let grant = |app: &str| SecretGrant {
        relation: Some(3),
        relation_key: "manila:shared-db mysql:shared-db".into(),
        app: app.into(),
        unit: None,
    };
    BTreeMap::from([
        (
            OWN_SECRET.into(),
            SecretSnapshot {
                owner: Some(SecretOwner::Application("manila".into())),
                label: "db-pass".into(),
                description: "the database password".into(),
                revisions: BTreeMap::from([
                    (1, bag(&[("password", "czNjcmV0")])),
                    (2, bag(&[("password", "bjN3")])),
                ]),
                grants: vec![grant("mysql")],
                ..Default::default()
            },
        ),
        (
            CONSUMED_SECRET.into(),
            SecretSnapshot {
                owner: Some(SecretOwner::Application("mysql".into())),
                label: "mysql-internal".into(),
                revisions: BTreeMap::from([
                    (1, bag(&[("user", "bWFuaWxh")])),
                    (2, bag(&[("user", "bWFuaWxhMg==")])),
                ]),
                grants: vec![grant("manila")],
                consumer_label: "root".into(),
                tracked: Some(1),
                ..Default::default()
            },
        ),
        (
            FOREIGN_SECRET.into(),
            SecretSnapshot {
                owner: Some(SecretOwner::Application("other".into())),
                revisions: BTreeMap::from([(1, bag(&[("k", "dg==")]))]),
                ..Default::default()
            },
        ),
    ])
}

/// Secret ids of [`install`]'s model.
pub(crate) const OWN_SECRET: &str = "d0a7e9v1d4h4hq2mb8l0";
pub(crate) const CONSUMED_SECRET: &str = "c5g1h0d2m2bu6k3jj0f0";
pub(crate) const FOREIGN_SECRET: &str = "a1b2c3d4e5f6g7h8i9j0";

/// `install` on a trusted application (`credential-get` answers).
pub(crate) fn trusted() -> HookContext {
    HookContext {
        credential: Some(json!({
            "type": "manual",
            "name": "emulated",
            "credential": {"auth-type": "empty"}
        })),
        ..install()
    }
}

/// `data-storage-attached` for `data/0`.
pub(crate) fn storage_attached() -> HookContext {
    HookContext {
        invocation: Invocation::Hook {
            name: "data-storage-attached".into(),
            relation: None,
        },
        hook_storage: Some("data/0".into()),
        ..install()
    }
}

/// `install` on a unit with no ports open.
pub(crate) fn no_ports() -> HookContext {
    HookContext {
        opened_ports: BTreeSet::new(),
        endpoint_ports: BTreeMap::new(),
        ..install()
    }
}

/// `install` on a lone unit whose status time is unknown (no `since` to print).
pub(crate) fn lone_unit() -> HookContext {
    HookContext {
        goal_state: GoalState {
            units: BTreeMap::from([("manila/0".into(), GoalStatus::new("active", ""))]),
            relations: BTreeMap::new(),
        },
        ..install()
    }
}

/// `install` on a unit that is not the leader.
pub(crate) fn minion() -> HookContext {
    HookContext {
        leader: false,
        ..install()
    }
}

fn relation_hook(
    name: &str,
    relation_id: u32,
    remote_unit: Option<&str>,
    remote_app: &str,
) -> Invocation {
    Invocation::Hook {
        name: name.into(),
        relation: Some(RelationHook {
            relation_id,
            remote_unit: remote_unit.map(str::to_owned),
            remote_app: remote_app.into(),
            departing_unit: None,
        }),
    }
}

/// `shared-db-relation-changed` for `mysql/0` on relation 3.
pub(crate) fn db_changed() -> HookContext {
    HookContext {
        invocation: relation_hook("shared-db-relation-changed", 3, Some("mysql/0"), "mysql"),
        ..install()
    }
}

/// `shared-db-relation-created` on relation 3: a remote application but no remote unit.
pub(crate) fn db_created() -> HookContext {
    HookContext {
        invocation: relation_hook("shared-db-relation-created", 3, None, "mysql"),
        ..install()
    }
}

/// `shared-db-relation-broken` on relation 10, which is going away.
pub(crate) fn db_broken() -> HookContext {
    let mut ctx = HookContext {
        invocation: relation_hook("shared-db-relation-broken", 10, None, "mysql-b"),
        ..install()
    };
    if let Some(relation) = ctx.relations.get_mut(&10) {
        relation.broken = true;
    }
    ctx
}

/// `cluster-relation-changed` for `manila/1` on the peer relation, on a minion.
pub(crate) fn peer_changed_minion() -> HookContext {
    HookContext {
        leader: false,
        invocation: relation_hook("cluster-relation-changed", 5, Some("manila/1"), "manila"),
        ..install()
    }
}

/// The `backup` action, with params as Juju hands them over (defaults inserted).
pub(crate) fn action() -> HookContext {
    let params: Map<String, Value> = serde_json::from_value(json!({
        "target": {"path": "/srv", "count": 3},
        "force": true,
        "name": "x",
        "size": 2_000_000,
    }))
    .unwrap_or_default();
    HookContext {
        invocation: Invocation::Action {
            name: "backup".into(),
            id: "7".into(),
            params,
        },
        ..install()
    }
}
