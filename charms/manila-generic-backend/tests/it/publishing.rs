//! When the back end is sent, and that only changed keys are written.

use charm::Databag;

use crate::fixtures::{self, AUTHENTICATION};
use crate::model::Model;

/// The keys each `relation-set` of `calls` wrote.
fn written_keys(calls: &[String]) -> Vec<Vec<String>> {
    calls
        .iter()
        .map(|call| {
            let (_, stdin) = call.split_once(" <<< ").unwrap();
            let sent: Databag = serde_json::from_str(stdin).unwrap();
            sent.into_keys().collect()
        })
        .collect()
}

#[test]
fn nothing_is_sent_while_the_configuration_is_incomplete() {
    let model = Model::new();
    model.relate(3, fixtures::credentials());
    model.relation_hook("changed", 3);
    assert_eq!(model.published(3), Databag::new());
    model.set_config("driver-service-instance-flavor-id", 100);
    model.hook("config-changed");
    assert_eq!(model.published(3)["_name"], "generic");
}

#[test]
fn a_hook_that_changes_nothing_writes_nothing() {
    let model = fixtures::ready(true, "both");
    assert_eq!(
        written_keys(&model.take_relation_sets()),
        [["_configuration_data", "_name"]]
    );
    for hook in ["config-changed", "update-status", "upgrade-charm"] {
        model.hook(hook);
        assert_eq!(model.take_relation_sets(), Vec::<String>::new(), "{hook}");
    }
    model.relation_hook("changed", 3);
    assert_eq!(model.take_relation_sets(), Vec::<String>::new());
}

#[test]
fn a_changed_option_rewrites_only_the_configuration() {
    let model = fixtures::ready(true, "");
    model.take_calls();
    model.set_config("driver-service-instance-flavor-id", 101);
    model.hook("config-changed");
    assert_eq!(
        written_keys(&model.take_relation_sets()),
        [["_configuration_data"]]
    );
    assert!(model.published(3)["_configuration_data"].contains("service_instance_flavor_id = 101"));
}

#[test]
fn a_new_back_end_name_rewrites_both_keys() {
    let model = fixtures::ready(true, "");
    model.take_calls();
    model.set_config("share-backend-name", "generic-2");
    model.hook("config-changed");
    assert_eq!(
        written_keys(&model.take_relation_sets()),
        [["_configuration_data", "_name"]]
    );
    let published = model.published(3);
    assert_eq!(published["_name"], "generic-2");
    assert!(published["_configuration_data"].contains(r"\n[generic-2]\n"));
}

#[test]
fn rotated_credentials_are_passed_on() {
    let model = fixtures::ready(false, "");
    model.take_calls();
    model.set_principal_bag(
        3,
        fixtures::principal(&AUTHENTICATION.replace("s3cret", "n3w")),
    );
    model.relation_hook("changed", 3);
    assert_eq!(
        written_keys(&model.take_relation_sets()),
        [["_configuration_data"]]
    );
    let text = &model.published(3)["_configuration_data"];
    assert!(text.contains("password = n3w") && !text.contains("s3cret"));
}

/// While the operator fixes the configuration, manila keeps the last working back end.
#[test]
fn an_incomplete_configuration_leaves_what_was_sent() {
    let model = fixtures::ready(true, "password");
    let published = model.published(3);
    model.take_calls();
    model.set_config("driver-service-instance-flavor-id", 0);
    model.hook("config-changed");
    assert_eq!(model.take_relation_sets(), Vec::<String>::new());
    assert_eq!(model.published(3), published);
    assert_eq!(
        model.status(),
        "blocked: Missing 'driver-service-instance-flavor-id'"
    );
}

#[test]
fn a_second_relation_gets_its_own_publication() {
    let model = fixtures::ready(true, "");
    model.relate(
        4,
        fixtures::principal(&AUTHENTICATION.replace("s3cret", "other")),
    );
    model.relation_hook("changed", 4);
    assert!(model.published(3)["_configuration_data"].contains("password = s3cret"));
    assert!(model.published(4)["_configuration_data"].contains("password = other"));
    assert_eq!(model.status(), "active: Unit is ready");
}

/// The plan and the inputs are debuggable without showing a password or a key.
#[test]
fn debug_output_shows_no_secret() {
    let model = fixtures::ready(true, "both");
    let inputs = manila_generic_backend::Inputs {
        config: manila_generic_backend::Config::from_raw(&charm::RawConfig::new(
            serde_json::from_value(serde_json::json!({
                "share-backend-name": "generic",
                "driver-handles-share-servers": true,
                "driver-service-image-name": "img",
                "driver-service-instance-flavor-id": 1,
                "driver-connect-share-server-to-tenant-network": true,
                "driver-service-instance-user": "manila",
                "driver-auth-type": "both",
                "driver-service-instance-password": "instance-pw",
                "driver-service-ssh-key": fixtures::PRIVATE_KEY,
                "driver-service-ssh-key-public": fixtures::PUBLIC_KEY,
                "driver-keypair-name": "kp",
            }))
            .unwrap(),
        )),
        config_asks_for_ssh_keys: true,
        paused: false,
        relations: vec![manila_generic_backend::inputs::PluginRelation {
            relation: "manila-plugin:3".parse().unwrap(),
            credentials: manila_plugin::Credentials::from_bag(&fixtures::credentials())
                .map_err(|e| e.from_unit(&"manila/0".parse().unwrap())),
            published: model.published(3),
        }],
    };
    let templates =
        charm::Templates::new(<manila_generic_backend::GenericBackend as charm::Charm>::TEMPLATES);
    let plan = manila_generic_backend::reconcile(&inputs, &templates).unwrap();
    assert_eq!(plan.files.len(), 2);
    assert_eq!(plan.publish.len(), 1, "image, flavor and keypair differ");
    for shown in [format!("{inputs:?}"), format!("{plan:?}")] {
        for secret in ["s3cret", "instance-pw", "OPENSSH"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
