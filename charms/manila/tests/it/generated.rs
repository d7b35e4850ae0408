//! Files generated from, or embedded in, the code must match it.

use std::path::Path;

use charm::testing::{check_charm, check_embedded, check_generated};
use charm::Charm;
use charm::Options;
use manila_charm::{Config, Manila};

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
    let dir = charm_dir().join("../../templates/manila");
    if let Err(drift) = check_embedded(Manila::TEMPLATES, &dir) {
        panic!("{drift}");
    }
}

#[test]
fn metadata_and_templates_parse() {
    check_charm::<Manila>().unwrap();
}

/// The reference charm's effective options (charm layer plus inherited layers) keep their
/// names, types and defaults; `roles` is the one addition.
#[test]
fn options_match_the_reference_charm() {
    use charm::config::OptionType;
    let expected: &[(&str, &str, Option<&str>)] = &[
        ("roles", "string", Some("all")),
        ("openstack-origin", "string", Some("caracal")),
        ("rabbit-user", "string", Some("manila")),
        ("rabbit-vhost", "string", Some("openstack")),
        ("database-user", "string", Some("manila")),
        ("database", "string", Some("manila")),
        ("debug", "boolean", Some("false")),
        ("verbose", "boolean", Some("false")),
        ("use-syslog", "boolean", Some("false")),
        ("use-internal-endpoints", "boolean", Some("false")),
        ("region", "string", Some("RegionOne")),
        ("share-protocols", "string", Some("NFS CIFS")),
        ("default-share-backend", "string", Some("")),
        ("default-share-type", "string", Some("default_share_type")),
        ("nagios_context", "string", Some("juju")),
        ("nagios_servicegroups", "string", Some("")),
        ("config-flags", "string", Some("")),
        ("scheduler-default-filters", "string", Some("")),
        ("ssl_cert", "string", None),
        ("ssl_key", "string", None),
        ("ssl_ca", "string", None),
        ("action-managed-upgrade", "boolean", Some("false")),
        ("os-admin-network", "string", None),
        ("os-internal-network", "string", None),
        ("os-public-network", "string", None),
        ("os-public-hostname", "string", None),
        ("os-internal-hostname", "string", None),
        ("os-admin-hostname", "string", None),
        ("worker-multiplier", "float", None),
        ("haproxy-server-timeout", "int", None),
        ("haproxy-client-timeout", "int", None),
        ("haproxy-queue-timeout", "int", None),
        ("haproxy-connect-timeout", "int", None),
        ("dns-ha", "boolean", Some("false")),
        ("vip", "string", None),
        ("vip_iface", "string", Some("eth0")),
        ("vip_cidr", "int", Some("24")),
    ];
    let actual: Vec<(&str, &str, Option<String>)> = Config::OPTIONS
        .iter()
        .map(|o| {
            let default = match o.ty {
                OptionType::String { default } => default.map(str::to_owned),
                OptionType::Int { default } => default.map(|d| d.to_string()),
                OptionType::Float { default } => default.map(|d| d.to_string()),
                OptionType::Boolean { default } => default.map(|d| d.to_string()),
            };
            (o.name, o.ty.juju_name(), default)
        })
        .collect();
    let expected: Vec<(&str, &str, Option<String>)> = expected
        .iter()
        .map(|(n, t, d)| (*n, *t, d.map(str::to_owned)))
        .collect();
    assert_eq!(actual, expected);
}
