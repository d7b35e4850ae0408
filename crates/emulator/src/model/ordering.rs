//! Where a hook waits in its unit's queue: the one place the emulator decides Juju's event
//! orderings (juju-contract §5.2, §5.3).
//!
//! Juju does not queue hooks: on each step its resolvers look at the whole model and pick
//! the next hook by priority (`internal/worker/uniter/resolver.go` `NextOp`, the relation
//! resolver `internal/worker/uniter/relation/resolver.go`). The emulator keeps a queue per
//! unit instead, and [`RULES`] say where a newly queued hook goes so that the queue runs in
//! the order those resolvers would choose. The first rule that applies decides; a hook no
//! rule places goes to the back. A failed hook held at the head (unit in error) stays there.

use std::collections::{BTreeSet, VecDeque};

use crate::model_state::{Hook, Queued};

/// What the rules may consult besides the queue and the hook.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    /// Ids of peer relations.
    pub(crate) peers: &'a BTreeSet<u32>,
    /// Whether the unit ran `start`.
    pub(crate) started: bool,
    /// Whether the head is a failed hook the unit holds (the unit is in error).
    pub(crate) head_held: bool,
}

/// One ordering rule.
pub(crate) struct Rule {
    pub(crate) name: &'static str,
    /// The Juju source the rule follows.
    pub(crate) source: &'static str,
    /// The index the hook goes to, or `None` when the rule does not apply to it.
    place: fn(&VecDeque<Queued>, &Hook, &Facts<'_>) -> Option<usize>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("name", &self.name)
            .field("source", &self.source)
            .finish()
    }
}

/// The rules, first match wins.
pub(crate) const RULES: &[Rule] = &[
    Rule {
        name: "relation-created of a unit not yet started goes with its startup relation-created hooks",
        source: "internal/worker/uniter/resolver.go NextOp: relation-created after install, before leadership, config-changed and start",
        place: created_before_startup,
    },
    Rule {
        name: "storage-attached goes before waiting config-changed, relation and update-status hooks",
        source: "internal/worker/uniter/resolver.go NextOp: the storage resolver comes before config-changed and the relation resolver",
        place: storage_early,
    },
    Rule {
        name: "application-level relation-changed goes before the relation's waiting unit hooks",
        source: "internal/worker/uniter/relation/resolver.go nextHookForRelation: application members first",
        place: app_changed_first,
    },
    Rule {
        name: "a non-peer relation's hook goes before the peer relation hooks waiting at the back",
        source: "internal/worker/uniter/relation/resolver.go NextOp: peer relations deferred",
        place: peers_last,
    },
];

/// Where `hook` goes in `queue`.
pub(crate) fn position(queue: &VecDeque<Queued>, hook: &Hook, facts: &Facts<'_>) -> usize {
    let held = usize::from(facts.head_held);
    RULES
        .iter()
        .find_map(|rule| (rule.place)(queue, hook, facts))
        .unwrap_or(queue.len())
        .max(held)
}

fn created_before_startup(
    queue: &VecDeque<Queued>,
    hook: &Hook,
    facts: &Facts<'_>,
) -> Option<usize> {
    if !matches!(hook, Hook::RelationCreated { .. }) || facts.started {
        return None;
    }
    Some(
        queue
            .iter()
            .position(|q| {
                !matches!(
                    q.hook,
                    Hook::StorageAttached { .. } | Hook::Install | Hook::RelationCreated { .. }
                )
            })
            .unwrap_or(queue.len()),
    )
}

fn storage_early(queue: &VecDeque<Queued>, hook: &Hook, facts: &Facts<'_>) -> Option<usize> {
    if !matches!(hook, Hook::StorageAttached { .. }) {
        return None;
    }
    let held = usize::from(facts.head_held);
    Some(
        queue
            .iter()
            .enumerate()
            .skip(held)
            .find(|(_, q)| {
                matches!(
                    q.hook,
                    Hook::ConfigChanged
                        | Hook::UpdateStatus
                        | Hook::RelationJoined { .. }
                        | Hook::RelationChanged { .. }
                        | Hook::RelationDeparted { .. }
                        | Hook::RelationBroken { .. }
                )
            })
            .map_or(queue.len(), |(at, _)| at),
    )
}

fn app_changed_first(queue: &VecDeque<Queued>, hook: &Hook, facts: &Facts<'_>) -> Option<usize> {
    let Hook::RelationChanged {
        relation,
        remote: None,
    } = hook
    else {
        return None;
    };
    let held = usize::from(facts.head_held);
    Some(
        queue
            .iter()
            .enumerate()
            .skip(held)
            .find(|(_, q)| {
                matches!(&q.hook,
                    Hook::RelationJoined { relation: r, .. }
                    | Hook::RelationChanged { relation: r, remote: Some(_) } if r == relation)
            })
            .map_or(queue.len(), |(at, _)| at),
    )
}

fn peers_last(queue: &VecDeque<Queued>, hook: &Hook, facts: &Facts<'_>) -> Option<usize> {
    let is_peer = |relation: &u32| facts.peers.contains(relation);
    let non_peer = matches!(hook,
        Hook::RelationJoined { relation, .. }
        | Hook::RelationChanged { relation, .. }
        | Hook::RelationDeparted { relation, .. }
        | Hook::RelationBroken { relation } if !is_peer(relation));
    if !non_peer {
        return None;
    }
    let waiting_peer_hook = |hook: &Hook| {
        matches!(hook,
            Hook::RelationJoined { relation, .. }
            | Hook::RelationChanged { relation, .. }
            | Hook::RelationDeparted { relation, .. } if is_peer(relation))
    };
    let held = usize::from(facts.head_held);
    let mut at = queue.len();
    while at > held && waiting_peer_hook(&queue[at - 1].hook) {
        at -= 1;
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str) -> juju::UnitName {
        name.parse().unwrap()
    }

    /// A row: the queue, what is known, the new hook, and the queue after.
    struct Row {
        name: &'static str,
        queue: Vec<Hook>,
        started: bool,
        head_held: bool,
        hook: Hook,
        after: Vec<Hook>,
    }

    fn joined(relation: u32, remote: &str) -> Hook {
        Hook::RelationJoined {
            relation,
            remote: unit(remote),
        }
    }

    fn changed(relation: u32, remote: Option<&str>) -> Hook {
        Hook::RelationChanged {
            relation,
            remote: remote.map(unit),
        }
    }

    /// Relation 5 is a peer relation; 3 and 7 are not.
    fn rows() -> Vec<Row> {
        vec![
            Row {
                name: "startup relation-created goes before leadership, config and start",
                queue: vec![
                    Hook::Install,
                    Hook::RelationCreated { relation: 5 },
                    Hook::LeaderElected,
                    Hook::ConfigChanged,
                    Hook::Start,
                ],
                started: false,
                head_held: false,
                hook: Hook::RelationCreated { relation: 3 },
                after: vec![
                    Hook::Install,
                    Hook::RelationCreated { relation: 5 },
                    Hook::RelationCreated { relation: 3 },
                    Hook::LeaderElected,
                    Hook::ConfigChanged,
                    Hook::Start,
                ],
            },
            Row {
                name: "relation-created of a started unit waits its turn",
                queue: vec![Hook::UpdateStatus],
                started: true,
                head_held: false,
                hook: Hook::RelationCreated { relation: 3 },
                after: vec![Hook::UpdateStatus, Hook::RelationCreated { relation: 3 }],
            },
            Row {
                name: "application-level changed before the relation's unit hooks",
                queue: vec![joined(3, "db/0"), changed(3, Some("db/0"))],
                started: true,
                head_held: false,
                hook: changed(3, None),
                after: vec![
                    changed(3, None),
                    joined(3, "db/0"),
                    changed(3, Some("db/0")),
                ],
            },
            Row {
                name: "a failed hook held at the head stays first",
                queue: vec![joined(3, "db/0"), changed(3, Some("db/0"))],
                started: true,
                head_held: true,
                hook: changed(3, None),
                after: vec![
                    joined(3, "db/0"),
                    changed(3, None),
                    changed(3, Some("db/0")),
                ],
            },
            Row {
                name: "non-peer relation hooks before waiting peer hooks",
                queue: vec![Hook::Start, joined(5, "app/1"), changed(5, Some("app/1"))],
                started: false,
                head_held: false,
                hook: joined(3, "db/0"),
                after: vec![
                    Hook::Start,
                    joined(3, "db/0"),
                    joined(5, "app/1"),
                    changed(5, Some("app/1")),
                ],
            },
            Row {
                name: "a departing unit's other relations break before its peers depart",
                queue: vec![Hook::RelationDeparted {
                    relation: 5,
                    remote: unit("app/1"),
                    departing: unit("app/0"),
                }],
                started: true,
                head_held: false,
                hook: Hook::RelationBroken { relation: 7 },
                after: vec![
                    Hook::RelationBroken { relation: 7 },
                    Hook::RelationDeparted {
                        relation: 5,
                        remote: unit("app/1"),
                        departing: unit("app/0"),
                    },
                ],
            },
            Row {
                name: "peer hooks keep their place behind other hooks",
                queue: vec![joined(3, "db/0")],
                started: true,
                head_held: false,
                hook: joined(5, "app/1"),
                after: vec![joined(3, "db/0"), joined(5, "app/1")],
            },
            Row {
                name: "storage added later attaches before waiting config and relation hooks",
                queue: vec![
                    Hook::LeaderSettingsChanged,
                    Hook::ConfigChanged,
                    joined(3, "db/0"),
                ],
                started: true,
                head_held: false,
                hook: Hook::StorageAttached {
                    storage: "logs/1".into(),
                },
                after: vec![
                    Hook::LeaderSettingsChanged,
                    Hook::StorageAttached {
                        storage: "logs/1".into(),
                    },
                    Hook::ConfigChanged,
                    joined(3, "db/0"),
                ],
            },
            Row {
                name: "anything else goes to the back",
                queue: vec![joined(5, "app/1")],
                started: true,
                head_held: false,
                hook: Hook::ConfigChanged,
                after: vec![joined(5, "app/1"), Hook::ConfigChanged],
            },
        ]
    }

    #[test]
    fn every_row_orders_as_juju_s_resolvers_do() {
        let peers = BTreeSet::from([5]);
        let mut failures = Vec::new();
        for row in rows() {
            let mut queue: VecDeque<Queued> = row
                .queue
                .iter()
                .enumerate()
                .map(|(seq, hook)| Queued {
                    seq: seq as u64,
                    hook: hook.clone(),
                })
                .collect();
            let facts = Facts {
                peers: &peers,
                started: row.started,
                head_held: row.head_held,
            };
            let at = position(&queue, &row.hook, &facts);
            queue.insert(
                at,
                Queued {
                    seq: 99,
                    hook: row.hook.clone(),
                },
            );
            let got: Vec<Hook> = queue.into_iter().map(|q| q.hook).collect();
            if got != row.after {
                failures.push(format!("{}: got {got:?}", row.name));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_rule_names_its_juju_source() {
        for rule in RULES {
            assert!(
                rule.source.starts_with("internal/worker/uniter/"),
                "{}",
                rule.name
            );
        }
    }
}
