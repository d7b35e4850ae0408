//! Three api units clustered by the hacluster fixture around a VIP: what hacluster is asked
//! for (byte for byte), haproxy in front of every unit, keystone on the VIP once the cluster
//! is formed, and what happens when the VIP moves or goes.

use emulator::DeployOptions;
use serde_json::Map;

use crate::support::{Charm, Identity, World};

/// The VIP, in the emulator's default space (its units are 127.1.0.N on `eth0`,
/// 127.1.0.0/16), so it is found on `eth0`.
pub(crate) const VIP: &str = "127.1.100.1";

/// The units of `app`, in order.
pub(crate) fn units(world: &World, app: &str) -> Vec<String> {
    world.model.units(app)
}

/// The keys the principal unit wrote on its `ha` relation, as `key = value` lines (Juju's
/// own address keys left out).
pub(crate) fn ha_bag(world: &World, unit: &str) -> String {
    let app = unit.split('/').next().unwrap();
    let relation = world
        .model
        .relation_ids()
        .into_iter()
        .find(|id| {
            let endpoints = world.model.relation_endpoints(*id).unwrap();
            endpoints.iter().any(|e| e == &format!("{app}:ha"))
        })
        .expect("related to hacluster");
    world
        .model
        .unit_bag(relation, unit)
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("json_") || k.starts_with("corosync_"))
        .map(|(k, v)| format!("{k} = {v}\n"))
        .collect()
}

/// The hacluster subordinate on `principal`'s machine.
pub(crate) fn subordinate(world: &World, principal: &str, app: &str) -> String {
    units(world, app)
        .into_iter()
        .find(|u| world.model.principal_of(u).unwrap().as_deref() == Some(principal))
        .unwrap_or_else(|| panic!("no {app} unit beside {principal}"))
}

/// What the hacluster fixture on `unit` received, one collection per result.
pub(crate) fn show_crm(world: &mut World, unit: &str) -> Map<String, serde_json::Value> {
    world
        .model
        .run_action(unit, "show-crm", Map::new())
        .unwrap()
        .results
}

/// keystone, mysql and rabbitmq-server, and an `api,scheduler` application of three units
/// with `config`, clustered by `hacluster` (three nodes), settled.
pub(crate) fn api_cluster(config: &[(&str, &str)]) -> World {
    let mut world = World::new();
    world.deploy_peers();
    let mut options = DeployOptions::new()
        .units(3)
        .config("roles", "api,scheduler");
    for (key, value) in config {
        options = options.config(key, *value);
    }
    world.deploy("manila", Charm::Manila, options);
    world.deploy("hacluster", Charm::Hacluster, DeployOptions::new());
    world.relate_peers("manila", Identity::Service);
    world.model.relate("manila:ha", "hacluster:ha").unwrap();
    world.settle();
    world
}

/// The public URLs keystone lists for manila's two services.
pub(crate) fn manila_urls(world: &mut World) -> Vec<String> {
    world
        .keystone_catalog()
        .into_iter()
        .filter(|(_, _, app)| app == "manila")
        .map(|(_, url, _)| url)
        .collect()
}

#[test]
fn three_api_units_ask_hacluster_for_the_vip_and_a_cloned_haproxy() {
    let mut world = api_cluster(&[("vip", VIP)]);
    for unit in units(&world, "manila") {
        world.assert_ready(&unit);
        let hacluster = subordinate(&world, &unit, "hacluster");
        world.assert_status(&hacluster, "active", "Unit is ready and clustered");
    }

    // Every unit asks for the same thing; the VIP is on eth0, so its resource agent finds
    // the NIC itself, and the interface-named resource of the Python charm is deleted.
    let bag = ha_bag(&world, "manila/0");
    for unit in ["manila/1", "manila/2"] {
        assert_eq!(ha_bag(&world, unit), bag, "{unit}");
    }
    insta::assert_snapshot!("three_units_vip", bag);

    // hacluster read it as sent.
    let hacluster = subordinate(&world, "manila/0", "hacluster");
    let crm = show_crm(&mut world, &hacluster);
    assert_eq!(
        crm["groups"],
        r#"{"grp_manila_vips":"res_manila_6e8b863_vip"}"#
    );
    assert_eq!(crm["corosync-bindiface"], "eth0");

    // haproxy on every unit fronts all three.
    let addresses: Vec<String> = units(&world, "manila")
        .iter()
        .map(|u| world.model.address(u).unwrap().to_owned())
        .collect();
    for unit in units(&world, "manila") {
        let cfg = world.file(&unit, "/etc/haproxy/haproxy.cfg").unwrap();
        for (n, address) in addresses.iter().enumerate() {
            let server = format!("    server manila-{n} {address}:8776 check\n");
            assert!(cfg.contains(&server), "{unit} lacks {server:?}:\n{cfg}");
        }
        assert!(cfg.contains("    bind *:8786\n"), "{cfg}");
    }

    // Keystone lists the API on the VIP.
    let urls = manila_urls(&mut world);
    assert_eq!(
        urls,
        [
            format!("http://{VIP}:8786/v1/%(tenant_id)s"),
            format!("http://{VIP}:8786/v2/%(tenant_id)s"),
        ]
    );
}

#[test]
fn endpoints_move_to_the_vip_only_once_hacluster_says_clustered() {
    // Two hacluster nodes are too few for a cluster of three: no `clustered` yet.
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new()
            .units(2)
            .config("roles", "api,scheduler")
            .config("vip", VIP),
    );
    world.deploy("hacluster", Charm::Hacluster, DeployOptions::new());
    world.relate_peers("manila", Identity::Service);
    world.model.relate("manila:ha", "hacluster:ha").unwrap();
    world.settle();
    let hacluster = subordinate(&world, "manila/0", "hacluster");
    world.assert_status(
        &hacluster,
        "blocked",
        "Insufficient peer units for ha cluster (require 3)",
    );
    let urls = manila_urls(&mut world);
    assert!(
        urls.iter().all(|u| u.starts_with("http://127.1.0.")),
        "{urls:?}"
    );

    // A third node forms the cluster; the endpoints are registered again, on the VIP.
    world.model.add_unit("manila", 1).unwrap();
    world.settle();
    world.assert_status(&hacluster, "active", "Unit is ready and clustered");
    let urls = manila_urls(&mut world);
    assert_eq!(
        urls,
        [
            format!("http://{VIP}:8786/v1/%(tenant_id)s"),
            format!("http://{VIP}:8786/v2/%(tenant_id)s"),
        ]
    );
}

#[test]
fn a_changed_vip_replaces_its_resource_and_a_removed_one_is_deleted() {
    let mut world = api_cluster(&[("vip", VIP)]);
    let moved = "127.1.100.2";
    world.model.set_config("manila", [("vip", moved)]).unwrap();
    world.settle();
    let bag = ha_bag(&world, "manila/1");
    insta::assert_snapshot!("vip_changed", bag);
    assert_eq!(
        manila_urls(&mut world),
        [
            format!("http://{moved}:8786/v1/%(tenant_id)s"),
            format!("http://{moved}:8786/v2/%(tenant_id)s"),
        ]
    );
    let hacluster = subordinate(&world, "manila/1", "hacluster");
    let crm = show_crm(&mut world, &hacluster);
    assert_eq!(
        crm["delete-resources"],
        r#"["res_manila_eth0_vip","res_manila_6e8b863_vip"]"#
    );

    // No VIP at all: both VIP resources are deleted, haproxy stays, and the endpoints go
    // back to the units' own addresses.
    world.model.reset_config("manila", &["vip"]).unwrap();
    world.settle();
    let bag = ha_bag(&world, "manila/2");
    insta::assert_snapshot!("vip_removed", bag);
    let urls = manila_urls(&mut world);
    assert!(
        urls.iter().all(|u| u.starts_with("http://127.1.0.")),
        "{urls:?}"
    );
}
