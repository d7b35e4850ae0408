//! The options are the reference charm's. (That `config.yaml`, `actions.yaml`, the README and
//! the templates match the code is `tests/tidy`'s check, for every charm.)

use charm::Options;
use manila_charm::Config;

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
