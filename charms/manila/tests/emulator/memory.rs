//! Issue 15: a hook asks Juju only for what its event may have changed, and keeps the rest
//! from earlier hooks (`charm::memory`). Each kind of change Juju tells a unit about, made
//! while manila runs: the hook Juju runs for it sees it, and so do the hooks after it
//! (contract §5.2-5.4: `worker/uniter/resolver.go`, `worker/uniter/relation/resolver.go`).

use crate::support::{self, World};

const UNIT: &str = "manila/0";

fn manila_conf(world: &World) -> String {
    world.file(UNIT, "/etc/manila/manila.conf").unwrap()
}

/// The hooks `unit` ran since the journal held `from` records.
fn hooks_since(world: &World, from: usize) -> Vec<String> {
    world.hooks_since(from, UNIT)
}

#[test]
fn every_change_juju_reports_reaches_the_hooks_that_follow_it() {
    let mut world = support::all_in_one();
    let amqp = world
        .model
        .relation_id("manila:amqp", "rabbitmq-server")
        .unwrap();

    // A remote unit's bag: relation-changed on amqp re-reads it.
    let from = world.model.hook_log().len();
    world
        .model
        .exec(
            "rabbitmq-server/0",
            &[format!(
                "relation-set -r amqp:{amqp} password=ROTATED-SECRET"
            )],
        )
        .unwrap();
    world.settle();
    assert_eq!(hooks_since(&world, from), ["amqp-relation-changed"]);
    assert!(manila_conf(&world).contains(":ROTATED-SECRET@"));

    // Later hooks keep it without asking: config-changed re-reads the configuration only.
    let from = world.model.tool_calls().len();
    world
        .model
        .set_config("manila", [("debug", "true")])
        .unwrap();
    world.settle();
    let conf = manila_conf(&world);
    assert!(conf.contains("debug = True") && conf.contains(":ROTATED-SECRET@"));
    let asked: Vec<String> = world.model.tool_calls()[from..]
        .iter()
        .filter(|c| c.unit == UNIT)
        .map(|c| c.argv())
        .collect();
    assert!(
        !asked.iter().any(|c| c.starts_with("relation-ids")),
        "{asked:#?}"
    );
    world.model.update_status().unwrap();
    world.settle();
    assert!(manila_conf(&world).contains(":ROTATED-SECRET@"));
    world.assert_status(UNIT, "active", "Unit is ready");

    // A relation that goes: relation-broken drops what was kept of it.
    world
        .model
        .remove_relation("manila:amqp", "rabbitmq-server")
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "blocked", "'amqp' missing");
    world.model.update_status().unwrap();
    world.settle();
    world.assert_status(UNIT, "blocked", "'amqp' missing");

    // And comes back: relation-created/joined/changed read it afresh.
    world
        .model
        .relate("manila:amqp", "rabbitmq-server")
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");

    // upgrade-charm reads everything again.
    let from = world.model.tool_calls().len();
    let charm = world.charm(support::Charm::Manila);
    world.model.upgrade_charm("manila", Some(&charm)).unwrap();
    world.settle();
    let upgrade: Vec<String> = world.model.tool_calls()[from..]
        .iter()
        .filter(|c| c.unit == UNIT && c.hook == "upgrade-charm")
        .map(|c| c.argv())
        .collect();
    for endpoint in [
        "shared-db",
        "amqp",
        "identity-service",
        "manila-plugin",
        "cluster",
    ] {
        assert!(
            upgrade.contains(&format!("relation-ids --format=json {endpoint}")),
            "{endpoint}: {upgrade:#?}"
        );
    }
    world.assert_status(UNIT, "active", "Unit is ready");
}
