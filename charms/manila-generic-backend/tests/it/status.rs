//! The unit's status, with the reference charm's exact messages, in its order: paused, the
//! configuration, the relation, ready.

use emulator::scenario::{Event, State};

use crate::fixtures::{self, run, set, PLUGIN};

/// The status after config-changed on a unit related to a principal that sent credentials,
/// with the defaults changed by `config`.
fn status_with(config: &[(&str, serde_json::Value)]) -> String {
    let mut state = fixtures::related(State::default(), fixtures::credentials());
    for (name, value) in config {
        set(&mut state, name, value.clone());
    }
    run(Event::ConfigChanged, &state).status()
}

#[test]
fn the_defaults_block_on_the_flavor() {
    assert_eq!(
        status_with(&[]),
        "blocked: Missing 'driver-service-instance-flavor-id'"
    );
}

#[test]
fn each_missing_setting_is_named() {
    let flavor = ("driver-service-instance-flavor-id", 100.into());
    let cases = [
        (
            vec![flavor.clone(), ("driver-service-image-name", "".into())],
            "blocked: Missing 'driver-service-image-name'",
        ),
        (
            vec![flavor.clone(), ("driver-service-instance-user", "".into())],
            "blocked: Missing 'driver-service-instance-user'",
        ),
        (
            vec![flavor.clone(), ("driver-keypair-name", "".into())],
            "blocked: Need at least one of instance password or keypair name",
        ),
        (
            vec![flavor.clone(), ("share-backend-name", "".into())],
            "blocked: Missing 'share-backend-name'",
        ),
        (
            vec![flavor.clone(), ("driver-auth-type", "ssh".into())],
            "blocked: Set both 'driver-service-ssh-key' and 'driver-service-ssh-key-public' \
             for ssh authentication",
        ),
        (vec![flavor.clone()], "active: Unit is ready"),
    ];
    for (config, expected) in cases {
        assert_eq!(status_with(&config), expected, "{config:?}");
    }
}

#[test]
fn without_share_servers_the_instance_settings_are_not_required() {
    assert_eq!(
        status_with(&[
            ("driver-handles-share-servers", false.into()),
            ("driver-service-image-name", "".into()),
            ("driver-keypair-name", "".into()),
        ]),
        "active: Unit is ready"
    );
}

#[test]
fn an_invalid_value_blocks_naming_the_option() {
    assert_eq!(
        status_with(&[("driver-auth-type", "foo".into())]),
        "blocked: Invalid config: 'driver-auth-type': expected 'password', 'ssh', 'both' or \
         nothing, got \"foo\""
    );
    assert_eq!(
        status_with(&[("share-backend-name", "cinder".into())]),
        "blocked: Invalid config: 'share-backend-name': \"cinder\" is a section Manila or its \
         libraries use, not a back end's name"
    );
}

#[test]
fn the_relation_is_checked_after_the_configuration() {
    let unit = run(Event::Install, &State::default());
    assert_eq!(
        unit.status(),
        "blocked: Missing 'driver-service-instance-flavor-id'"
    );
    let mut state = unit.state();
    set(&mut state, "driver-service-instance-flavor-id", 100);
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.status(), "blocked: 'manila-plugin' missing");
    let state = fixtures::related(unit.state(), charm::Bag::new());
    let unit = run(Event::relation_joined(PLUGIN, fixtures::PRINCIPAL), &state);
    assert_eq!(unit.status(), "waiting: 'manila-plugin' incomplete");
    let state = fixtures::with_principal_bag(unit.state(), PLUGIN, fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.status(), "active: Unit is ready");
    let unit = run(Event::RelationBroken { relation: PLUGIN }, &unit.state());
    assert_eq!(unit.status(), "blocked: 'manila-plugin' missing");
}

#[test]
fn update_status_keeps_a_ready_unit_ready_and_sends_nothing() {
    let ready = fixtures::ready(true, "");
    let unit = run(Event::UpdateStatus, &ready.state());
    assert_eq!(unit.status(), "active: Unit is ready");
    let calls = unit.calls();
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("relation-set") && !c.starts_with("status-set")),
        "{calls:#?}"
    );
}
