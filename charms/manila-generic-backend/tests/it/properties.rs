//! Property tests (issue 13): whatever the options and whatever the principal sends, the
//! back end either refuses naming the input, or publishes text the principal accepts (its own
//! section and the service-client ones, one option per line); never a panic, never a
//! template error.

use std::collections::BTreeMap;

use charm::config::{OptionType, RawConfig};
use charm::received::receive_relation;
use charm::{Charm, Configured, Options, Templates};
use databag::first_ready;
use databag::testing::hostile_value;
use manila_generic_backend::inputs::{Inputs, PluginRelation};
use manila_generic_backend::{Config, GenericBackend};
use manila_plugin::{BackendStatus, Credentials};
use proptest::prelude::*;
use serde_json::Value;

use crate::fixtures::{self, AUTHENTICATION, PLUGIN};

fn string_options() -> Vec<&'static str> {
    Config::OPTIONS
        .iter()
        .filter(|o| matches!(o.ty, OptionType::String { .. }))
        .map(|o| o.name)
        .collect()
}

/// A complete configuration in share-server mode with password and ssh login.
fn complete() -> RawConfig {
    RawConfig::defaults(Config::OPTIONS)
        .with("driver-service-instance-flavor-id", 100)
        .with("driver-auth-type", "both")
        .with("driver-service-instance-password", "instance-pw")
        .with("driver-service-ssh-key", fixtures::PRIVATE_KEY)
        .with("driver-service-ssh-key-public", fixtures::PUBLIC_KEY)
}

/// The back end a unit with `config` publishes to a principal that sent `principal`, as
/// the principal reads it; `None` when nothing is published.
fn published(
    config: Config,
    principal: BTreeMap<juju::UnitName, databag::Bag>,
) -> Option<BackendStatus> {
    let credentials = receive_relation(
        &principal,
        &BTreeMap::new(),
        Credentials::from_bag,
        |units| first_ready(units, Credentials::from_bag),
    )
    .0;
    let inputs = Inputs {
        config: Configured::Valid(config),
        config_asks_for_ssh_keys: true,
        paused: false,
        relations: vec![PluginRelation {
            relation: format!("manila-plugin:{PLUGIN}").parse().unwrap(),
            credentials,
        }],
    };
    let plan =
        manila_generic_backend::reconcile(&inputs, &Templates::new(GenericBackend::TEMPLATES))
            .expect("no template error");
    assert!(!plan.status.message.chars().any(char::is_control));
    plan.unit_data()
        .first()
        .map(|(_, bag)| BackendStatus::from_bag(bag))
}

fn principal(payload: &str) -> BTreeMap<juju::UnitName, databag::Bag> {
    BTreeMap::from([("manila/0".parse().unwrap(), fixtures::principal(payload))])
}

proptest! {
    #[test]
    fn option_values_are_refused_naming_the_option_or_accepted_by_the_principal(
        option in proptest::sample::select(string_options()),
        value in hostile_value(),
    ) {
        match Config::from_raw(&complete().with(option, value.as_str())) {
            Err(e) => prop_assert_eq!(e.option.as_str(), option),
            Ok(config) => {
                if let Some(status) = published(config, principal(AUTHENTICATION)) {
                    prop_assert!(matches!(status, BackendStatus::Ready(_)), "{option}: {status:?}");
                }
            }
        }
    }

    #[test]
    fn credentials_are_refused_naming_the_key_or_accepted_by_the_principal(
        key in proptest::sample::select(vec!["username", "password", "project_name", "project_domain_name", "user_domain_name", "auth_url", "auth_type"]),
        value in hostile_value(),
    ) {
        let mut payload: Value = serde_json::from_str(AUTHENTICATION).unwrap();
        payload["data"][key] = Value::from(value);
        let config = Config::from_raw(&complete()).unwrap();
        if let Some(status) = published(config, principal(&payload.to_string())) {
            prop_assert!(matches!(status, BackendStatus::Ready(_)), "{key}: {status:?}");
        }
    }
}
