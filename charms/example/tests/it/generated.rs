//! Files that are generated from, or embedded in, the code must match it.

use std::path::Path;

use charm::testing::{check_charm, check_embedded, check_generated};
use charm::Charm;
use charm::Options;
use example_charm::{Config, Example};

fn charm_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn config_yaml_is_generated_from_options() {
    let generated = charm::config::config_yaml(Config::OPTIONS);
    if let Err(drift) = check_generated(&charm_dir().join("config.yaml"), &generated) {
        panic!("{drift}");
    }
}

#[test]
fn every_template_in_the_directory_is_embedded() {
    let dir = charm_dir().join("../../templates/example");
    if let Err(drift) = check_embedded(Example::TEMPLATES, &dir) {
        panic!("{drift}");
    }
}

#[test]
fn metadata_actions_and_templates_parse() {
    check_charm::<Example>().unwrap();
}

/// Packing ships the charm directory's `actions.yaml`; the binary embeds the schema in
/// `actions/` that it copies.
#[test]
fn actions_yaml_is_the_shared_schema() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Err(drift) = charm::testing::check_generated(
        &dir.join("actions.yaml"),
        <example_charm::Example as charm::Charm>::ACTIONS,
    ) {
        panic!("{drift}");
    }
}
