//! Files generated from, copied from, or embedded in the code must match it; the options are
//! the reference charm's.

use std::path::Path;

use charm::testing::{check_charm, check_embedded, check_generated};
use charm::Options;
use charm::{Charm, Role, Scope};
use manila_netapp_backend::{Config, NetappBackend};

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
    if let Err(drift) = check_generated(&charm_dir().join("actions.yaml"), NetappBackend::ACTIONS) {
        panic!("{drift}");
    }
}

#[test]
fn every_template_in_the_directory_is_embedded() {
    let dir = charm_dir().join("../../templates/manila-netapp-backend");
    if let Err(drift) = check_embedded(NetappBackend::TEMPLATES, &dir) {
        panic!("{drift}");
    }
}

#[test]
fn metadata_actions_and_templates_parse() {
    check_charm::<NetappBackend>().unwrap();
}

/// What `cargo xtask pack` checks before packing, as Juju and charm-proof would.
#[test]
fn the_charm_directory_passes_the_packing_checks() {
    let info = charm_pack::validate(charm_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert!(info.has_actions && info.has_config, "{info:?}");
}

#[test]
fn it_is_a_subordinate_providing_manila_plugin_in_container_scope() {
    let metadata = charm::metadata::parse(NetappBackend::METADATA).unwrap();
    assert_eq!(metadata.name, "manila-netapp-backend");
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
}

/// The reference charm's config.yaml: every option, its type and its default, in its order
/// (upstream `charm-manila-netapp`, `config.yaml`).
#[test]
fn the_options_are_the_reference_charms() {
    use charm::OptionType::{Boolean, String};
    let text = |default| String { default };
    let expected = [
        ("share-backend-name", text(Some("netapp-ontap"))),
        (
            "driver-handles-share-servers",
            Boolean {
                default: Some(false),
            },
        ),
        ("root-volume-aggregate-name", text(None)),
        ("enabled-share-protocols", text(Some("nfs3,nfs4.0,nfs4.1"))),
        ("vserver-name", text(None)),
        ("management-address", text(None)),
        ("admin-name", text(Some("admin"))),
        ("admin-password", text(None)),
        ("transport-type", text(Some("http"))),
        ("netapp-server-port", text(Some(""))),
        ("backend-availability-zone", text(Some("nova"))),
        ("root-volume-name", text(Some("root"))),
        ("aggregate-name-search-pattern", text(Some("(.*)"))),
        (
            "standalone-network",
            Boolean {
                default: Some(false),
            },
        ),
        ("standalone-network-network-type", text(Some("flat"))),
        ("standalone-network-segmentation-id", text(Some(""))),
        ("standalone-network-mtu", text(Some("1500"))),
        ("standalone-network-allowed-ip-ranges", text(Some(""))),
        ("standalone-network-mask", text(Some("24"))),
        ("standalone-network-gateway", text(Some("172.16.31.1"))),
        ("goodness-function", text(Some(""))),
    ];
    let declared: Vec<_> = Config::OPTIONS.iter().map(|o| (o.name, o.ty)).collect();
    assert_eq!(declared, expected);
}
