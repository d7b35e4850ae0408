//! The split deployment: an `api,scheduler` application of three units, a `share`
//! application with the back end and a `data` application, sharing one database.

use std::collections::BTreeSet;

use emulator::DeployOptions;

use crate::support::{Charm, Identity, World};

/// The files each role writes (besides logging.conf, which all do).
const API_FILES: [&str; 4] = [
    "/etc/manila/api-paste.ini",
    "/etc/apache2/sites-available/manila-api.conf",
    "/etc/haproxy/haproxy.cfg",
    "/etc/memcached.conf",
];

#[test]
fn one_registration_one_schema_sync_and_each_role_on_its_own() {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila-share",
        Charm::Manila,
        DeployOptions::new()
            .config("roles", "share")
            .config("default-share-backend", "generic"),
    );
    world.deploy_generic_backend("manila-generic-backend");
    world.deploy(
        "manila-data",
        Charm::Manila,
        DeployOptions::new().config("roles", "data"),
    );
    world.relate_peers("manila-share", Identity::Credentials);
    world
        .model
        .relate(
            "manila-share:manila-plugin",
            "manila-generic-backend:manila-plugin",
        )
        .unwrap();
    world
        .model
        .relate("manila-data:shared-db", "mysql")
        .unwrap();
    world
        .model
        .relate("manila-data:amqp", "rabbitmq-server")
        .unwrap();
    world.settle();

    // No application has the api role yet, so nobody has synced the schema: wait, held.
    for (unit, service) in [
        ("manila-share/0", "manila-share"),
        ("manila-data/0", "manila-data"),
    ] {
        world.assert_status(
            unit,
            "waiting",
            "Waiting for the database schema (synced by the application with the api role); looking again at the next update-status",
        );
        assert!(!world.service(unit, service).running, "{service} runs");
    }
    assert!(world.schema_syncs().is_empty());

    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new()
            .units(3)
            .config("roles", "api,scheduler"),
    );
    world.relate_peers("manila", Identity::Service);
    world.settle();
    for unit in world.model.units("manila") {
        world.assert_status(&unit, "active", "Unit is ready");
    }

    // The schema: synced once, by the api application's leader.
    let syncs = world.schema_syncs();
    assert_eq!(syncs.len(), 1, "{syncs:#?}");
    let leader = world.model.leader("manila").unwrap().unwrap();
    assert_eq!(syncs[0].0, world.model.machine_of(&leader).unwrap());

    // The share and data units see it at their next hook.
    world.model.update_status().unwrap();
    world.settle();
    for (unit, service) in [
        ("manila-share/0", "manila-share"),
        ("manila-data/0", "manila-data"),
    ] {
        world.assert_status(unit, "active", "Unit is ready");
        let state = world.service(unit, service);
        assert!(state.running && state.enabled, "{service}: {state:?}");
    }
    assert_eq!(world.schema_syncs().len(), 1, "nobody synced again");

    // One registration: only the api application relates to identity-service.
    let registered = world.keystone_catalog();
    let services: Vec<(&str, &str)> = registered
        .iter()
        .map(|(service, _, app)| (service.as_str(), app.as_str()))
        .collect();
    assert_eq!(services, [("manila", "manila"), ("manilav2", "manila")]);
    for app in ["manila-share", "manila-data"] {
        assert_eq!(
            world
                .model
                .relation_id(&format!("{app}:identity-service"), "keystone"),
            None
        );
    }

    // Each unit has its role's packages, files and services, and nothing of the others'.
    for unit in world.model.units("manila") {
        for file in API_FILES {
            assert!(world.file(&unit, file).is_some(), "{unit} lacks {file}");
        }
        let conf = world.file(&unit, "/etc/manila/manila.conf").unwrap();
        assert!(conf.contains("[keystone_authtoken]"), "{conf}");
        assert!(
            !conf.contains("[generic]"),
            "{unit} has the back end:\n{conf}"
        );
        for service in ["apache2", "haproxy", "memcached", "manila-scheduler"] {
            assert!(world.service(&unit, service).running, "{unit}: {service}");
        }
        assert_packages(
            &world,
            &unit,
            &[
                "manila-api",
                "apache2",
                "libapache2-mod-wsgi-py3",
                "haproxy",
                "memcached",
                "python3-memcache",
                "manila-scheduler",
            ],
        );
        let haproxy = world.file(&unit, "/etc/haproxy/haproxy.cfg").unwrap();
        for peer in world.model.units("manila") {
            let address = world.model.address(&peer).unwrap();
            let server = format!("server {} {address}:8776", peer.replace('/', "-"));
            assert!(
                haproxy.contains(&server),
                "{unit} lacks {server}:\n{haproxy}"
            );
        }
    }
    let share = world
        .file("manila-share/0", "/etc/manila/manila.conf")
        .unwrap();
    for line in [
        "[generic]",
        "enabled_share_backends = generic",
        "[keystone_authtoken]",
    ] {
        assert!(share.lines().any(|l| l == line), "no {line:?} in\n{share}");
    }
    assert_packages(&world, "manila-share/0", &["manila-share"]);
    assert_packages(&world, "manila-data/0", &["manila-data"]);
    for unit in ["manila-share/0", "manila-data/0"] {
        for file in API_FILES {
            assert_eq!(world.file(unit, file), None, "{unit} has {file}");
        }
        assert!(world.model.opened_ports(unit).unwrap().is_empty());
    }
}

/// The unit's packages are Manila's common ones plus `role_packages`.
#[track_caller]
fn assert_packages(world: &World, unit: &str, role_packages: &[&str]) {
    let installed: BTreeSet<&str> = world
        .model
        .packages(unit)
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected: BTreeSet<&str> = ["manila-common", "python3-manila"].into();
    expected.extend(role_packages);
    assert_eq!(installed, expected, "{unit}");
}

#[test]
fn api_units_sync_once_whoever_leads_and_however_many_there_are() {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new()
            .units(3)
            .config("roles", "api,scheduler"),
    );
    world.relate_peers("manila", Identity::Service);
    world.settle();
    let first_leader = world.model.leader("manila").unwrap().unwrap();
    assert_eq!(world.schema_syncs().len(), 1);

    let other = world
        .model
        .units("manila")
        .into_iter()
        .find(|u| *u != first_leader)
        .unwrap();
    world.model.set_leader(&other).unwrap();
    let added = world.model.add_unit("manila", 1).unwrap();
    world.settle();
    assert_eq!(world.schema_syncs().len(), 1, "{:#?}", world.schema_syncs());

    let units = world.model.units("manila");
    assert_eq!(units.len(), 4);
    for unit in &units {
        world.assert_status(unit, "active", "Unit is ready");
        // Every haproxy fronts every api unit, the new one included.
        let haproxy = world.file(unit, "/etc/haproxy/haproxy.cfg").unwrap();
        for peer in &units {
            let address = world.model.address(peer).unwrap();
            let server = format!("server {} {address}:8776", peer.replace('/', "-"));
            assert!(
                haproxy.contains(&server),
                "{unit} lacks {server}:\n{haproxy}"
            );
        }
    }
    let new = world.service(&added[0], "apache2");
    assert!(new.running && new.enabled, "{new:?}");
    // Still registered once: keystone lists v1 and v2, not one pair per unit.
    assert_eq!(world.keystone_catalog().len(), 2);
}
