//! The actions on Manila's API, where the emulator can take them: the units talk to no
//! Manila, so these are the failures before and at the first call. Bad parameters are named
//! (by the schema, or by the charm for what a schema cannot say), a unit without keystone
//! says which relation it needs, and an unreachable keystone is reported without the
//! service password. The calls themselves run in `cargo xtask e2e` against a real Manila.

use std::fs;

use emulator::{ActionResult, ActionStatus, DeployOptions};
use manila_charm::api_actions::{BINARY, NO_KEYSTONE};
use serde_json::{json, Map, Value};

use crate::support::{self, Charm, World};

const UNIT: &str = "manila/0";

fn params(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// A manila unit related to nothing.
fn alone() -> World {
    let mut world = World::new();
    world.deploy("manila", Charm::Manila, DeployOptions::new());
    world.settle();
    world
}

#[track_caller]
fn assert_failed(done: &ActionResult, message: &str) {
    assert_eq!(
        (done.status, done.message.as_deref()),
        (ActionStatus::Failed, Some(message)),
        "{done:#?}"
    );
}

#[test]
fn without_keystone_the_actions_name_the_relation_and_bad_params_come_first() {
    let mut world = alone();
    for (action, given) in [
        ("list-share-types", json!({})),
        (
            "create-share-type",
            json!({"extra-specs": "snapshot_support=True"}),
        ),
        ("protect-share", json!({"share-id": "5f1c"})),
        ("list-share-servers", json!({})),
    ] {
        let done = world.model.run_action(UNIT, action, params(given)).unwrap();
        assert_failed(&done, NO_KEYSTONE);
    }
    // The parameters are checked before the credentials are looked for.
    let done = world
        .model
        .run_action(
            UNIT,
            "create-share-type",
            params(json!({"extra-specs": "snapshot_support"})),
        )
        .unwrap();
    assert_failed(
        &done,
        "invalid parameter 'extra-specs': 'snapshot_support' is not a key=value pair",
    );
    let done = world
        .model
        .run_action(
            UNIT,
            "manage-share",
            params(
                json!({"export-path": "10.0.0.10:/s", "service-host": "h@b#p",
                          "driver-options": "=x"}),
            ),
        )
        .unwrap();
    assert_failed(
        &done,
        "invalid parameter 'driver-options': '=x' has no key before '='",
    );
}

#[test]
fn the_schema_refuses_missing_and_mistyped_params_by_name() {
    let mut world = alone();
    for (action, given, named) in [
        ("delete-share-type", json!({}), "share-type"),
        ("restore-share", json!({"snapshot-id": 7}), "snapshot-id"),
        (
            "protect-share",
            json!({"share-id": "s", "force": "yes"}),
            "force",
        ),
        ("manage-share", json!({"export-path": "p"}), "service-host"),
        (
            "unmanage-snapshot",
            json!({"snapshot-id": "n", "timeout": 0}),
            "timeout",
        ),
    ] {
        let refused = world
            .model
            .run_action(UNIT, action, params(given))
            .unwrap_err()
            .to_string();
        assert!(refused.contains(named), "{action}: {refused}");
    }
}

#[test]
fn an_unreachable_keystone_fails_the_action_without_the_password() {
    let mut world = support::all_in_one();
    let done = world
        .model
        .run_action(UNIT, "list-share-types", Map::new())
        .unwrap();
    assert_eq!(done.status, ActionStatus::Failed, "{done:#?}");
    let message = done.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("keystone token: no answer from http://"),
        "{message}"
    );
    assert!(message.contains("/v3/auth/tokens"), "{message}");
    let identity = world.model.relation_id("manila", "keystone").unwrap();
    let identity = world.model.unit_bag(identity, "keystone/0").unwrap();
    let password = &identity["service_password"];
    assert!(!password.is_empty());
    assert!(
        !format!("{done:?}").contains(password.as_str()),
        "{done:#?}"
    );
}

/// The actions on Manila's API are the charm's second binary's: the hook binary execs it for
/// them (`charm::exec_for_actions`), which keeps their HTTP client out of every hook's pages.
/// Without it in `bin/` they fail saying so; with it, they run.
#[test]
fn the_api_actions_run_in_the_charms_second_binary() {
    let mut world = alone();
    let second = world
        .model
        .charm_dir(UNIT)
        .unwrap()
        .join("bin")
        .join(BINARY);
    assert!(second.is_file(), "{second:?}");
    let away = second.with_extension("away");
    fs::rename(&second, &away).unwrap();
    let done = world
        .model
        .run_action(UNIT, "list-share-types", Map::new())
        .unwrap();
    assert_eq!(done.status, ActionStatus::Failed, "{done:#?}");
    let stderr = done.results["stderr"].as_str().unwrap_or_default();
    assert!(
        stderr.contains("cannot run the charm's binary manila-api-actions"),
        "{done:#?}"
    );
    fs::rename(&away, &second).unwrap();
    let done = world
        .model
        .run_action(UNIT, "list-share-types", Map::new())
        .unwrap();
    assert_failed(&done, NO_KEYSTONE);
}
