//! What a settled unit asks of Juju and of its machine in a hook that has nothing to do:
//! every read once, no write, no log line; after a change of an option that changes nothing
//! on the machine, one write only: the new configuration kept as the last valid one.

use std::collections::BTreeSet;

use emulator::ToolCallRecord;

use crate::support::{self, World};

const UNIT: &str = "manila/0";

/// Hook tools and machine commands that change something (`systemctl` is checked by verb).
const WRITES: &[&str] = &[
    "relation-set",
    "state-set",
    "state-delete",
    "status-set",
    "application-version-set",
    "open-port",
    "close-port",
    "juju-log",
    "apt-get",
    "a2ensite",
    "manila-manage",
    "service",
];

/// The unit's calls from the `from`th record of the transcript on.
fn calls_since(world: &World, from: usize) -> Vec<ToolCallRecord> {
    world.model.tool_calls()[from..]
        .iter()
        .filter(|c| c.unit == UNIT)
        .cloned()
        .collect()
}

#[track_caller]
fn assert_reads_once_and_writes_nothing(calls: &[ToolCallRecord]) {
    assert_reads_once_and_writes_only(calls, &[]);
}

/// As [`assert_reads_once_and_writes_nothing`], allowing the calls `allowed` (each once).
#[track_caller]
fn assert_reads_once_and_writes_only(calls: &[ToolCallRecord], allowed: &[&str]) {
    assert!(!calls.is_empty());
    let transcript: Vec<String> = calls.iter().map(ToolCallRecord::argv).collect();
    for call in calls {
        let changes_a_service = call.command == "systemctl"
            && !call
                .args
                .iter()
                .any(|a| a == "is-active" || a == "is-enabled");
        let write = WRITES.contains(&call.command.as_str()) || changes_a_service;
        assert!(
            !write || allowed.contains(&call.argv().as_str()),
            "{} in {transcript:#?}",
            call.argv()
        );
    }
    let distinct: BTreeSet<&String> = transcript.iter().collect();
    assert_eq!(distinct.len(), transcript.len(), "{transcript:#?}");
}

#[test]
fn a_hook_with_nothing_to_do_reads_each_thing_once_and_writes_nothing() {
    let mut world = support::all_in_one();

    let from = world.model.tool_calls().len();
    let state_before = world.model.unit_state(UNIT).unwrap().clone();
    world
        .model
        .set_config("manila", [("nagios_context", "elsewhere")])
        .unwrap();
    world.settle();
    let config_changed = calls_since(&world, from);
    assert!(config_changed.iter().all(|c| c.hook == "config-changed"));
    assert_reads_once_and_writes_only(&config_changed, &["state-set --file -"]);
    // Issue 15: the configuration, leadership and the networks (config-changed also says
    // the machine's addresses changed); no relation read but the bag Juju rewrites; no
    // machine command.
    assert_eq!(
        config_changed
            .iter()
            .map(ToolCallRecord::argv)
            .collect::<Vec<_>>(),
        [
            "state-get --format=json -",
            "config-get --all --format=json",
            "is-leader --format=json",
            "network-get --format=json public",
            "network-get --format=json internal",
            "network-get --format=json admin",
            "network-get --format=json cluster",
            "network-get --format=json shared-db",
            "network-get --format=json amqp",
            "relation-get --format=json -r amqp:5 - manila/0",
            "state-set --file -",
        ]
    );
    let mut state_after = world.model.unit_state(UNIT).unwrap().clone();
    // The configuration is kept twice: the last valid one, and the last one read.
    for key in ["charm.config", "charm.seen.config"] {
        assert!(state_after[key].contains(r#""nagios_context":"elsewhere""#));
        state_after.insert(key.into(), state_before[key].clone());
    }
    assert_eq!(
        state_after, state_before,
        "only the kept configuration changed"
    );

    // update-status renders and publishes nothing, so it needs no address and none of this
    // unit's own bags.
    let from = world.model.tool_calls().len();
    world.model.update_status().unwrap();
    world.settle();
    let update_status = calls_since(&world, from);
    assert_reads_once_and_writes_nothing(&update_status);
    // Issue 15: unit state, and one question to the machine about every service.
    assert_eq!(
        update_status
            .iter()
            .map(ToolCallRecord::argv)
            .collect::<Vec<_>>(),
        [
            "state-get --format=json -",
            "systemctl is-active apache2 haproxy manila-api manila-data manila-scheduler \
             manila-share memcached",
        ]
    );
    for call in &update_status {
        let own_bag = call.command == "relation-get" && call.args.iter().any(|a| a == UNIT);
        assert!(
            call.command != "network-get" && !own_bag,
            "update-status asked {}",
            call.argv()
        );
    }
    assert!(update_status.len() < config_changed.len());
    world.assert_status(UNIT, "active", "Unit is ready");
}
