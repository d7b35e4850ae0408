//! The unit's status through every missing relation, every incomplete one and every bad
//! option value, with the reference charm's exact messages (manila-charms.md §1.6).

use emulator::DeployOptions;

use crate::support::{Charm, Identity, World};

const UNIT: &str = "manila/0";

#[test]
fn missing_relations_are_named_together_in_the_reference_order() {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new().config("default-share-backend", "dummy"),
    );
    world.deploy_script_backend("dummy-backend", "dummy");
    world.settle();
    // The back-end check comes before the relations (custom_assess_status_check first).
    world.assert_status(UNIT, "blocked", "No share backends configured");

    world
        .model
        .relate("manila:manila-plugin", "dummy-backend:manila-plugin")
        .unwrap();
    world.settle();
    world.assert_status(
        UNIT,
        "blocked",
        "'shared-db' missing, 'amqp' missing, 'identity-service' missing",
    );
    world
        .model
        .relate("manila:amqp", "rabbitmq-server")
        .unwrap();
    world.settle();
    world.assert_status(
        UNIT,
        "blocked",
        "'shared-db' missing, 'identity-service' missing",
    );
    world.model.relate("manila:shared-db", "mysql").unwrap();
    world.settle();
    world.assert_status(UNIT, "blocked", "'identity-service' missing");
    // Nothing runs before the relations are complete.
    for name in ["apache2", "manila-scheduler", "manila-share", "manila-data"] {
        assert!(!world.service(UNIT, name).running, "{name} runs");
    }
    assert!(world.schema_syncs().is_empty());

    world
        .model
        .relate("manila:identity-service", "keystone:identity-service")
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");

    // Removing one brings its message back.
    world
        .model
        .remove_relation("manila", "rabbitmq-server")
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "blocked", "'amqp' missing");
}

#[test]
fn relations_whose_remote_side_has_not_answered_are_incomplete() {
    let mut world = World::new();
    world.deploy_silent_peer("silent");
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new().config("roles", "api"),
    );
    world.model.relate("manila:shared-db", "silent").unwrap();
    world.settle();
    // The worst level wins: one missing relation blocks.
    world.assert_status(
        UNIT,
        "blocked",
        "'shared-db' incomplete, 'amqp' missing, 'identity-service' missing",
    );
    world.model.relate("manila:amqp", "silent").unwrap();
    world
        .model
        .relate("manila:identity-service", "silent:identity-service")
        .unwrap();
    world.settle();
    world.assert_status(
        UNIT,
        "waiting",
        "'shared-db' incomplete, 'amqp' incomplete, 'identity-service' incomplete",
    );
}

#[test]
fn share_units_name_their_backend_problems() {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy("manila", Charm::Manila, DeployOptions::new());
    world.relate_peers("manila", Identity::Service);
    world.settle();
    world.assert_status(UNIT, "blocked", "No share backends configured");
    // Without a back end, manila-share has nothing to serve; the other parts run.
    assert!(!world.service(UNIT, "manila-share").running);
    for name in ["apache2", "manila-scheduler", "manila-data"] {
        assert!(world.service(UNIT, name).running, "{name}");
    }

    world.deploy_script_backend("dummy-backend", "dummy");
    world
        .model
        .relate("manila:manila-plugin", "dummy-backend:manila-plugin")
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "blocked", "'default-share-backend' is not set");

    world
        .model
        .set_config("manila", [("default-share-backend", "generic")])
        .unwrap();
    world.settle();
    world.assert_status(
        UNIT,
        "blocked",
        "'default-share-backend:generic' is not a configured backend",
    );

    world
        .model
        .set_config("manila", [("default-share-backend", "dummy")])
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");
    assert!(world.service(UNIT, "manila-share").running);
    let conf = world.file(UNIT, "/etc/manila/manila.conf").unwrap();
    for line in [
        "enabled_share_backends = dummy",
        "[dummy]",
        "share_driver = manila.tests.share.drivers.dummy.DummyDriver",
    ] {
        assert!(conf.lines().any(|l| l == line), "no {line:?} in\n{conf}");
    }

    // A second back end: both enabled, in name order.
    world.deploy_generic_backend("manila-generic-backend");
    world
        .model
        .relate(
            "manila:manila-plugin",
            "manila-generic-backend:manila-plugin",
        )
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");
    let conf = world.file(UNIT, "/etc/manila/manila.conf").unwrap();
    assert!(
        conf.lines()
            .any(|l| l == "enabled_share_backends = dummy,generic"),
        "{conf}"
    );

    // Both gone: blocked again, and manila-share stops.
    world
        .model
        .remove_relation("manila", "manila-generic-backend")
        .unwrap();
    world
        .model
        .remove_relation("manila", "dummy-backend")
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "blocked", "No share backends configured");
    assert!(!world.service(UNIT, "manila-share").running);
    let conf = world.file(UNIT, "/etc/manila/manila.conf").unwrap();
    assert!(!conf.contains("[dummy]"), "{conf}");
}

#[test]
fn bad_option_values_block_with_the_option_named() {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new().config("roles", "api"),
    );
    world.relate_peers("manila", Identity::Service);
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");

    let cases = [
        (
            "roles",
            "api,sharing",
            "Invalid config: 'roles': unknown role \"sharing\"; expected a comma-separated list \
             of api, scheduler, share and data, or all",
        ),
        (
            "roles",
            " , ",
            "Invalid config: 'roles': names no role; expected a comma-separated list of api, \
             scheduler, share and data, or all",
        ),
        (
            "config-flags",
            "a=b,oops",
            "Invalid config: 'config-flags': \"oops\" is not key=value (pairs are separated by \
             commas)",
        ),
        (
            "openstack-origin",
            "yoga",
            "Invalid config: 'openstack-origin': \"yoga\" is not 'distro', a release or \
             'cloud:<series>-<release>': unknown or unsupported release 'yoga' (supported: zed \
             to flamingo)",
        ),
        (
            "database",
            "man ila",
            "Invalid config: 'database': \"man ila\" may only contain letters, digits, '_', '-' \
             and '.'",
        ),
        (
            "vip",
            "10.0.0.1 nope",
            "Invalid config: 'vip': \"nope\" is not an IP address",
        ),
        (
            "worker-multiplier",
            "-1",
            "Invalid config: 'worker-multiplier': expected a number from 0 to 64, got -1",
        ),
    ];
    for (option, value, message) in cases {
        let before = world.model.config("manila").unwrap().get(option).cloned();
        world.model.set_config("manila", [(option, value)]).unwrap();
        world.settle();
        world.assert_status(UNIT, "blocked", message);
        // Blocked on config, the unit leaves its running services alone.
        assert!(world.service(UNIT, "apache2").running, "{option}={value}");
        match before {
            Some(value) => world.model.set_config("manila", [(option, value)]).unwrap(),
            None => world.model.reset_config("manila", &[option]).unwrap(),
        }
        world.settle();
        world.assert_status(UNIT, "active", "Unit is ready");
    }
}

/// Issue 13: a dead manila-share that will not start is the status's to report on
/// update-status, not a failed hook; once it starts again the unit is ready.
#[test]
fn a_service_that_fails_to_start_on_update_status_blocks_naming_it() {
    let mut world = crate::support::all_in_one();
    let result = world
        .model
        .exec(UNIT, &["systemctl stop manila-share"])
        .unwrap();
    assert_eq!(result.code, 0, "{}", result.stderr);
    world
        .model
        .set_service_fault(
            UNIT,
            "manila-share",
            Some(emulator::ServiceFault::FailsToStart),
        )
        .unwrap();
    world.model.update_status().unwrap();
    world.settle();
    world.assert_status(
        UNIT,
        "blocked",
        "Services not running that should be: manila-share",
    );
    assert!(!world.service(UNIT, "manila-share").running);

    world
        .model
        .set_service_fault(UNIT, "manila-share", None)
        .unwrap();
    world.model.update_status().unwrap();
    world.settle();
    world.assert_ready(UNIT);
    assert!(world.service(UNIT, "manila-share").running);
}
