//! Files generated from, copied from, or embedded in the code must match it.

use std::path::Path;

use charm::testing::{check_charm, check_embedded, check_generated};
use charm::Options;
use charm::{Charm, Role, Scope};
use manila_generic_backend::{Config, GenericBackend};

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

/// Packing ships the charm directory's `actions.yaml`; the binary embeds the shared
/// schema it copies.
#[test]
fn actions_yaml_is_the_shared_pause_resume_schema() {
    if let Err(drift) = check_generated(&charm_dir().join("actions.yaml"), GenericBackend::ACTIONS)
    {
        panic!("{drift}");
    }
}

#[test]
fn every_template_in_the_directory_is_embedded() {
    let dir = charm_dir().join("../../templates/manila-generic-backend");
    if let Err(drift) = check_embedded(GenericBackend::TEMPLATES, &dir) {
        panic!("{drift}");
    }
}

#[test]
fn metadata_actions_and_templates_parse() {
    check_charm::<GenericBackend>().unwrap();
}

/// What `cargo xtask pack` checks before packing, as Juju and charm-proof would.
#[test]
fn the_charm_directory_passes_the_packing_checks() {
    let info = charm_pack::validate(charm_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert!(info.has_actions && info.has_config, "{info:?}");
}

#[test]
fn it_is_a_subordinate_providing_manila_plugin_in_container_scope() {
    let metadata = charm::metadata::parse(GenericBackend::METADATA).unwrap();
    assert_eq!(metadata.name, "manila-generic-backend");
    assert!(metadata.subordinate);
    let (role, plugin) = metadata.endpoint("manila-plugin").unwrap();
    assert_eq!(
        (role, plugin.interface.as_str(), plugin.scope),
        (Role::Provider, "manila-plugin", Scope::Container)
    );
    let (role, info) = metadata.endpoint("juju-info").unwrap();
    assert_eq!(
        (role, info.interface.as_str(), info.scope),
        (Role::Requirer, "juju-info", Scope::Container)
    );
    let raw: serde_json::Value = serde_yaml_value(GenericBackend::METADATA);
    assert!(raw["maintainers"].as_array().is_some_and(|m| !m.is_empty()));
    assert!(raw["tags"].as_array().is_some_and(|t| !t.is_empty()));
}

#[test]
fn the_options_are_the_reference_charms() {
    use charm::OptionType::{Boolean, Int, String};
    let expected = [
        (
            "openstack-origin",
            String {
                default: Some("distro"),
            },
        ),
        (
            "debug",
            Boolean {
                default: Some(false),
            },
        ),
        (
            "verbose",
            Boolean {
                default: Some(false),
            },
        ),
        (
            "share-backend-name",
            String {
                default: Some("generic"),
            },
        ),
        (
            "share-protocols",
            String {
                default: Some("NFS CIFS"),
            },
        ),
        (
            "driver-service-image-name",
            String {
                default: Some("manila-service-image"),
            },
        ),
        (
            "driver-handles-share-servers",
            Boolean {
                default: Some(true),
            },
        ),
        (
            "driver-service-instance-flavor-id",
            Int { default: Some(0) },
        ),
        (
            "driver-connect-share-server-to-tenant-network",
            Boolean {
                default: Some(true),
            },
        ),
        (
            "driver-service-instance-user",
            String {
                default: Some("manila"),
            },
        ),
        ("driver-auth-type", String { default: Some("") }),
        (
            "driver-service-instance-password",
            String { default: Some("") },
        ),
        ("driver-service-ssh-key", String { default: Some("") }),
        (
            "driver-service-ssh-key-public",
            String { default: Some("") },
        ),
        (
            "driver-keypair-name",
            String {
                default: Some("manila-service"),
            },
        ),
    ];
    let declared: Vec<_> = Config::OPTIONS.iter().map(|o| (o.name, o.ty)).collect();
    assert_eq!(declared, expected);
}

fn serde_yaml_value(text: &str) -> serde_json::Value {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    serde_json::to_value(yaml).unwrap()
}
