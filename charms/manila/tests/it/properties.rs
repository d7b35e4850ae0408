//! Property tests (issue 13): generated option values and relation data never panic, never
//! fail a hook with a template error, never put a line break inside a value or a section of
//! their own into a rendered file, and every refusal names the input.

use charm::config::OptionType;
use charm::Configured;
use charm::Options;
use databag::testing::{hostile_bags, hostile_value};
use ini::Line;
use manila_charm::inputs::Inputs;
use manila_charm::{Config, Plan};
use proptest::prelude::*;

use crate::fixtures::*;

/// Every section a manila.conf of the fixtures may have.
const SECTIONS: &[&str] = &[
    "DEFAULT",
    "oslo_concurrency",
    "database",
    "keystone_authtoken",
    "oslo_messaging_rabbit",
    "nova",
    "neutron",
    "cinder",
    "generic",
];

/// The string options, by index into [`Config::OPTIONS`].
fn string_options() -> Vec<&'static str> {
    Config::OPTIONS
        .iter()
        .filter(|o| matches!(o.ty, OptionType::String { .. }))
        .map(|o| o.name)
        .collect()
}

/// What must hold of any plan: its INI files have only known sections and one line per
/// option, no file has a control character, the status is one printable line.
fn check_plan(plan: &Plan) -> Result<(), TestCaseError> {
    for file in &plan.files {
        let ini = [".conf", ".ini"].iter().any(|e| file.path.ends_with(e))
            && file.path.starts_with("/etc/manila/");
        for line in file.content.lines() {
            prop_assert!(ini::is_line_safe(line), "{}: {line:?}", file.path);
            if ini {
                match Line::classify(line) {
                    Line::Invalid(why) => prop_assert!(false, "{}: {why}: {line:?}", file.path),
                    Line::Section(name) if file.path.ends_with("manila.conf") => {
                        prop_assert!(SECTIONS.contains(&name), "section [{name}]")
                    }
                    _ => {}
                }
            }
        }
    }
    prop_assert!(!plan.status.message.chars().any(char::is_control));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any value of a string option: a refusal names that option; a plan renders soundly.
    #[test]
    fn option_values_are_refused_naming_the_option_or_render_soundly(
        option in proptest::sample::select(string_options()),
        value in hostile_value(),
    ) {
        let raw = raw_config("all").with(option, value.as_str());
        match Config::from_raw(&raw) {
            Err(e) => prop_assert_eq!(e.option.as_str(), option),
            Ok(config) => {
                let mut inputs = ready("manila/0", "all");
                inputs.config = Configured::Valid(config);
                let plan = manila_charm::reconcile(&inputs, &templates());
                prop_assert!(plan.is_ok(), "{option}: {plan:?}");
                check_plan(&plan.unwrap())?;
            }
        }
    }

    /// Hostile data on any relation: reconcile never fails, renders soundly, and a blocked
    /// status names the relation.
    #[test]
    fn relation_data_renders_soundly_or_is_named(
        which in 0..4usize,
        db in hostile_bags(db_bag("manila/0 other/0"), &["db_host", "db_port", "password", "ssl_ca", "allowed_units"]),
        rabbit in hostile_bags(rabbit_bag("10.5.0.30"), &["private-address", "password", "ssl_port", "ssl_ca", "vip"]),
        keystone in hostile_bags(keystone_bag(), &["service_host", "service_port", "service_tenant", "service_username", "service_password", "service_domain", "api_version"]),
        plugin_bag in hostile_bags(generic_backend_bag("generic"), &["_name", "_configuration_data"]),
    ) {
        let mut inputs: Inputs = ready("manila/0", "all");
        let me = inputs.unit.clone();
        let endpoint = match which {
            0 => {
                inputs.shared_db = shared_db(&me, &[("mysql/0", db)]);
                "shared-db"
            }
            1 => {
                inputs.amqp = amqp(&[("rabbitmq-server/0", rabbit)]);
                "amqp"
            }
            2 => {
                inputs.identity_service = identity_service(keystone);
                "identity-service"
            }
            _ => {
                inputs.local_plugins = vec![plugin("manila-plugin:5", &[("manila-generic/0", plugin_bag)])];
                "manila-plugin"
            }
        };
        let plan = manila_charm::reconcile(&inputs, &templates());
        prop_assert!(plan.is_ok(), "{plan:?}");
        let plan = plan.unwrap();
        check_plan(&plan)?;
        let message = &plan.status.message;
        let named = message.contains(endpoint)
            || message == "Unit is ready"
            // A plugin that is no back end leaves none configured, which the status says.
            || (endpoint == "manila-plugin" && (message.contains("share backend") || message.contains("default-share-backend")));
        prop_assert!(named, "{endpoint}: {message}");
    }
}
