//! A share application of two units clustered by hacluster: manila-share runs on one node
//! at a time, under one service identity, and moves when that node goes.

use emulator::DeployOptions;

use crate::ha::{ha_bag, subordinate, units};
use crate::support::{Charm, Identity, World};

const SHARE_VIP: &str = "127.1.101.1";

/// An api application (one unit, which syncs the schema), and `manila-share`: two share
/// units with the generic back end, clustered by `hacluster-share` (two nodes), settled.
fn share_cluster() -> World {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new().config("roles", "api,scheduler"),
    );
    world.relate_peers("manila", Identity::Service);
    world.deploy(
        "manila-share",
        Charm::Manila,
        DeployOptions::new()
            .units(2)
            .config("roles", "share")
            .config("default-share-backend", "generic")
            .config("vip", SHARE_VIP),
    );
    world.deploy_generic_backend("manila-generic-backend");
    world
        .model
        .relate(
            "manila-share:manila-plugin",
            "manila-generic-backend:manila-plugin",
        )
        .unwrap();
    world.deploy(
        "hacluster-share",
        Charm::Hacluster,
        DeployOptions::new().config("cluster_count", 2),
    );
    world
        .model
        .relate("manila-share:ha", "hacluster-share:ha")
        .unwrap();
    world.relate_peers("manila-share", Identity::Credentials);
    world.settle();
    world
}

/// The share units running manila-share.
fn running(world: &World) -> Vec<String> {
    units(world, "manila-share")
        .into_iter()
        .filter(|u| world.service(u, "manila-share").running)
        .collect()
}

/// The share unit beside the hacluster leader: where Pacemaker places single-node resources.
fn beside_leader(world: &World) -> String {
    let leader = world.model.leader("hacluster-share").unwrap().unwrap();
    world.model.principal_of(&leader).unwrap().unwrap()
}

#[test]
fn exactly_one_share_unit_runs_manila_share_under_one_identity() {
    let mut world = share_cluster();
    for unit in units(&world, "manila-share") {
        world.assert_ready(&unit);
        let hacluster = subordinate(&world, &unit, "hacluster-share");
        world.assert_status(&hacluster, "active", "Unit is ready and clustered");
        // Pacemaker starts it; no boot does.
        assert!(!world.service(&unit, "manila-share").enabled, "{unit}");
        assert_eq!(
            world.manila_conf(&unit).default("host").as_deref(),
            Some("manila-share"),
            "{unit}"
        );
    }
    assert_eq!(running(&world), [beside_leader(&world)]);
    // The api application is not clustered: it keeps its own identity.
    assert_eq!(world.manila_conf("manila/0").default("host"), None);

    let bag = ha_bag(&world, "manila-share/0");
    assert_eq!(ha_bag(&world, "manila-share/1"), bag);
    insta::assert_snapshot!("share_cluster", bag);

    // update-status (Pacemaker's monitor, for the fixture) changes nothing.
    world.model.update_status().unwrap();
    world.settle();
    assert_eq!(running(&world), [beside_leader(&world)]);
}

#[test]
fn manila_share_moves_with_the_node_that_holds_it() {
    let mut world = share_cluster();
    let active = running(&world);
    assert_eq!(active.len(), 1, "{active:?}");
    world.model.remove_unit(&active[0]).unwrap();
    world.settle();
    let left = units(&world, "manila-share");
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(running(&world), left);
    assert_eq!(
        world.manila_conf(&left[0]).default("host").as_deref(),
        Some("manila-share")
    );
}
