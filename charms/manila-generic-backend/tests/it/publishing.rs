//! When the back end is sent, and that only changed keys are written.

use charm::Bag;
use charm::Options;
use emulator::scenario::Event;

use crate::fixtures::{self, run, set, AUTHENTICATION, PLUGIN};

#[test]
fn nothing_is_sent_while_the_configuration_is_incomplete() {
    let state = fixtures::related(Default::default(), fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.published(PLUGIN), Bag::new());
    let mut state = unit.state();
    set(&mut state, "driver-service-instance-flavor-id", 100);
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.published(PLUGIN)["_name"], "generic");
}

#[test]
fn a_hook_that_changes_nothing_writes_nothing() {
    let ready = fixtures::ready(true, "both");
    assert_eq!(ready.written_keys(), [["_configuration_data", "_name"]]);
    let state = ready.state();
    for event in [
        Event::ConfigChanged,
        Event::UpdateStatus,
        Event::UpgradeCharm,
    ] {
        let unit = run(event.clone(), &state);
        assert_eq!(unit.relation_sets, [], "{event:?}");
    }
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.relation_sets, []);
}

#[test]
fn a_changed_option_rewrites_only_the_configuration() {
    let mut state = fixtures::ready(true, "").state();
    set(&mut state, "driver-service-instance-flavor-id", 101);
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.written_keys(), [["_configuration_data"]]);
    assert!(
        unit.published(PLUGIN)["_configuration_data"].contains("service_instance_flavor_id = 101")
    );
}

#[test]
fn a_new_back_end_name_rewrites_both_keys() {
    let mut state = fixtures::ready(true, "").state();
    set(&mut state, "share-backend-name", "generic-2");
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.written_keys(), [["_configuration_data", "_name"]]);
    let published = unit.published(PLUGIN);
    assert_eq!(published["_name"], "generic-2");
    assert!(published["_configuration_data"].contains(r"\n[generic-2]\n"));
}

#[test]
fn rotated_credentials_are_passed_on() {
    let state = fixtures::with_principal_bag(
        fixtures::ready(false, "").state(),
        PLUGIN,
        fixtures::principal(&AUTHENTICATION.replace("s3cret", "n3w")),
    );
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.written_keys(), [["_configuration_data"]]);
    let text = &unit.published(PLUGIN)["_configuration_data"];
    assert!(text.contains("password = n3w") && !text.contains("s3cret"));
}

/// While the operator fixes the configuration, manila keeps the last working back end.
#[test]
fn an_incomplete_configuration_leaves_what_was_sent() {
    let ready = fixtures::ready(true, "password");
    let published = ready.published(PLUGIN);
    let mut state = ready.state();
    set(&mut state, "driver-service-instance-flavor-id", 0);
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.relation_sets, []);
    assert_eq!(unit.published(PLUGIN), published);
    assert_eq!(
        unit.status(),
        "blocked: Missing 'driver-service-instance-flavor-id'"
    );
}

#[test]
fn a_second_relation_gets_its_own_publication() {
    let state = fixtures::relate_to(
        fixtures::ready(true, "").state(),
        4,
        "manila-share/0",
        fixtures::principal(&AUTHENTICATION.replace("s3cret", "other")),
    );
    let unit = run(fixtures::changed(&state, 4), &state);
    assert!(unit.published(PLUGIN)["_configuration_data"].contains("password = s3cret"));
    assert!(unit.published(4)["_configuration_data"].contains("password = other"));
    assert_eq!(unit.status(), "active: Unit is ready");
}

/// The plan and the inputs are debuggable without showing a password or a key.
#[test]
fn debug_output_shows_no_secret() {
    let inputs = manila_generic_backend::Inputs {
        config: charm::Configured::Valid(
            manila_generic_backend::Config::from_raw(
                &charm::RawConfig::defaults(manila_generic_backend::Config::OPTIONS)
                    .with("share-protocols", "NFS")
                    .with("driver-service-image-name", "img")
                    .with("driver-service-instance-flavor-id", 1)
                    .with("driver-auth-type", "both")
                    .with("driver-service-instance-password", "instance-pw")
                    .with("driver-service-ssh-key", fixtures::PRIVATE_KEY)
                    .with("driver-service-ssh-key-public", fixtures::PUBLIC_KEY)
                    .with("driver-keypair-name", "kp"),
            )
            .unwrap(),
        ),
        config_asks_for_ssh_keys: true,
        paused: false,
        relations: vec![manila_generic_backend::inputs::PluginRelation {
            relation: "manila-plugin:3".parse().unwrap(),
            credentials: charm::received::receive_relation(
                &std::collections::BTreeMap::from([(
                    "manila/0".parse().unwrap(),
                    fixtures::credentials(),
                )]),
                &std::collections::BTreeMap::new(),
                manila_plugin::Credentials::from_bag,
                |units| databag::first_ready(units, manila_plugin::Credentials::from_bag),
            )
            .0,
        }],
    };
    let templates =
        charm::Templates::new(<manila_generic_backend::GenericBackend as charm::Charm>::TEMPLATES);
    let plan = manila_generic_backend::reconcile(&inputs, &templates).unwrap();
    assert_eq!(plan.files.len(), 2);
    assert_eq!(plan.unit_data().len(), 1);
    for shown in [format!("{inputs:?}"), format!("{plan:?}")] {
        for secret in ["s3cret", "instance-pw", "OPENSSH"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
