//! Changing an application's roles: what a removed role ran stops, and stays stopped.

use emulator::DeployOptions;

use crate::support::{Charm, Identity, World};

const UNIT: &str = "manila/0";

#[test]
fn dropping_the_api_role_stops_its_services_and_closes_its_port() {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new().config("roles", "api,scheduler"),
    );
    world.relate_peers("manila", Identity::Service);
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");
    for name in ["apache2", "haproxy", "memcached", "manila-scheduler"] {
        let service = world.service(UNIT, name);
        assert!(service.running && service.enabled, "{name}: {service:?}");
    }
    let port = |world: &World| {
        world
            .model
            .opened_ports(UNIT)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(port(&world), ["8786/tcp"]);
    // Neither share nor data: their packages are not installed.
    for package in ["manila-share", "manila-data"] {
        assert!(
            !world.model.packages(UNIT).unwrap().contains_key(package),
            "{package} installed"
        );
    }

    world
        .model
        .set_config("manila", [("roles", "scheduler")])
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");
    for name in ["apache2", "haproxy", "memcached"] {
        let service = world.service(UNIT, name);
        assert!(
            !service.running && !service.enabled,
            "{name} should be stopped and disabled: {service:?}"
        );
    }
    let scheduler = world.service(UNIT, "manila-scheduler");
    assert!(scheduler.running && scheduler.enabled, "{scheduler:?}");
    assert_eq!(port(&world), Vec::<String>::new());

    // Later hooks leave them so.
    world.model.update_status().unwrap();
    world
        .model
        .set_config("manila", [("debug", "true")])
        .unwrap();
    world.settle();
    for name in ["apache2", "haproxy", "memcached"] {
        let service = world.service(UNIT, name);
        assert!(!service.running && !service.enabled, "{name}: {service:?}");
    }
    world.assert_status(UNIT, "active", "Unit is ready");
}
