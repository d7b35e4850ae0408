//! The charm's options, declared once ([`OPTIONS`], from which `config.yaml` is generated),
//! and the validated configuration ([`Config::from_raw`]).
//!
//! Names, types and defaults are those of the reference charm with the layers it inherits
//! (`charm-layer-openstack`, `-principle`, `-api`), plus `roles`. A few inherited options are
//! accepted but, as in the reference, nothing reads them: `use-syslog`,
//! `use-internal-endpoints`, `nagios_context`, `nagios_servicegroups`, and the `ssl_*`
//! options (see the crate docs on TLS). `action-managed-upgrade` is read by the
//! openstack-upgrade action ([`crate::actions`]).

use std::net::IpAddr;

use charm::config::{ConfigError, OptionSpec, OptionType, RawConfig};
use databag::Quoted;
use openstack_ha::AddressKind;

use crate::network::Cidr;
use crate::release::Origin;
use crate::roles::Roles;

const fn string(default: Option<&'static str>) -> OptionType {
    OptionType::String { default }
}

const fn boolean(default: bool) -> OptionType {
    OptionType::Boolean {
        default: Some(default),
    }
}

/// Every option, in the order `config.yaml` lists them.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "roles",
        ty: string(Some("all")),
        description: "Which parts of Manila this application runs: a comma-separated list of \
                      api (the REST API under Apache mod_wsgi behind haproxy, registered in \
                      keystone), scheduler (manila-scheduler), share (manila-share with the \
                      back ends of related manila-plugin subordinates) and data (manila-data), \
                      or all. Services of a role that is removed are stopped and disabled.",
    },
    OptionSpec {
        name: "openstack-origin",
        ty: string(Some("caracal")),
        description: "Where to install OpenStack from: 'distro' (the release the OS ships), a \
                      bare release name such as 'caracal' (the OS's own packages when it ships \
                      that release, else the Ubuntu Cloud Archive for this series), or \
                      'cloud:<series>-<release>' (optionally with '/updates' or '/proposed'). \
                      Changing it later does not upgrade installed packages.",
    },
    OptionSpec {
        name: "rabbit-user",
        ty: string(Some("manila")),
        description: "Username used to access the RabbitMQ queue.",
    },
    OptionSpec {
        name: "rabbit-vhost",
        ty: string(Some("openstack")),
        description: "RabbitMQ virtual host.",
    },
    OptionSpec {
        name: "database-user",
        ty: string(Some("manila")),
        description: "Username for Manila database access.",
    },
    OptionSpec {
        name: "database",
        ty: string(Some("manila")),
        description: "Database name for Manila.",
    },
    OptionSpec {
        name: "debug",
        ty: boolean(false),
        description: "Enable debug logging.",
    },
    OptionSpec {
        name: "verbose",
        ty: boolean(false),
        description: "Enable verbose logging (with debug: the DEBUG level in logging.conf).",
    },
    OptionSpec {
        name: "use-syslog",
        ty: boolean(false),
        description: "Setting this to True will allow supporting services to log to syslog. \
                      (Accepted for compatibility; Manila's files do not use it.)",
    },
    OptionSpec {
        name: "use-internal-endpoints",
        ty: boolean(false),
        description: "Openstack mostly defaults to using public endpoints for internal \
                      communication between services. If set to True this option will \
                      configure services to use internal endpoints where possible. (Accepted \
                      for compatibility; Manila's files do not use it.)",
    },
    OptionSpec {
        name: "region",
        ty: string(Some("RegionOne")),
        description: "OpenStack region the API endpoints are registered in.",
    },
    OptionSpec {
        name: "share-protocols",
        ty: string(Some("NFS CIFS")),
        description: "Space-delimited list of the protocols the share back ends provide \
                      (enabled_share_protocols), in any case: NFS, CIFS, GLUSTERFS, HDFS, \
                      CEPHFS, MAPRFS, LUSTRE or WEKAFS.",
    },
    OptionSpec {
        name: "default-share-backend",
        ty: string(Some("")),
        description: "The default back end for this Manila deployment. Must be one of the \
                      back ends of the related manila-plugin charms, or the charm blocks.",
    },
    OptionSpec {
        name: "default-share-type",
        ty: string(Some("default_share_type")),
        description: "The default share type. It must match a share type created with \
                      'manila type-create'; the charm does not create it.",
    },
    OptionSpec {
        name: "nagios_context",
        ty: string(Some("juju")),
        description: "Used by the nrpe-external-master subordinate charm: a prefix for host \
                      names in nagios.",
    },
    OptionSpec {
        name: "nagios_servicegroups",
        ty: string(Some("")),
        description: "Comma-separated list of nagios servicegroups for the service checks.",
    },
    OptionSpec {
        name: "config-flags",
        ty: string(Some("")),
        description: "Comma-separated key=value pairs added to the [DEFAULT] section of \
                      manila.conf, e.g. 'key1=value1,key2=value2'. Values are written as \
                      given: a '$' is a dollar sign, not a reference to another option. Use \
                      with care.",
    },
    OptionSpec {
        name: "scheduler-default-filters",
        ty: string(Some("")),
        description: "Comma-separated list of scheduler filter class names Manila knows \
                      (e.g. 'AvailabilityZoneFilter,CapacityFilter,CapabilitiesFilter'); \
                      empty keeps Manila's default.",
    },
    OptionSpec {
        name: "ssl_cert",
        ty: string(None),
        description: "Base64-encoded SSL certificate for the API endpoints. (Accepted for \
                      compatibility; TLS termination is not implemented by this charm yet.)",
    },
    OptionSpec {
        name: "ssl_key",
        ty: string(None),
        description: "Base64-encoded SSL key for the API endpoints. (Accepted for \
                      compatibility; see ssl_cert.)",
    },
    OptionSpec {
        name: "ssl_ca",
        ty: string(None),
        description: "Base64-encoded certificate authority of ssl_cert. (Accepted for \
                      compatibility; see ssl_cert.)",
    },
    OptionSpec {
        name: "action-managed-upgrade",
        ty: boolean(false),
        description: "If True, the openstack-upgrade action upgrades OpenStack to the \
                      release openstack-origin names; if False, it refuses. Changing \
                      openstack-origin never upgrades by itself.",
    },
    OptionSpec {
        name: "os-admin-network",
        ty: string(None),
        description: "The IP network (CIDR) of the admin endpoint: its address, or the VIP, \
                      is taken from this network.",
    },
    OptionSpec {
        name: "os-internal-network",
        ty: string(None),
        description: "The IP network (CIDR) of the internal endpoint: its address, or the VIP, \
                      is taken from this network.",
    },
    OptionSpec {
        name: "os-public-network",
        ty: string(None),
        description: "The IP network (CIDR) of the public endpoint: its address, or the VIP, \
                      is taken from this network.",
    },
    OptionSpec {
        name: "os-public-hostname",
        ty: string(None),
        description: "A host name registered in keystone for the public endpoint instead of \
                      an address; '{service_name}' is replaced by 'manila'.",
    },
    OptionSpec {
        name: "os-internal-hostname",
        ty: string(None),
        description: "A host name registered in keystone for the internal endpoint instead \
                      of an address; '{service_name}' is replaced by 'manila'.",
    },
    OptionSpec {
        name: "os-admin-hostname",
        ty: string(None),
        description: "A host name registered in keystone for the admin endpoint instead of \
                      an address; '{service_name}' is replaced by 'manila'.",
    },
    OptionSpec {
        name: "worker-multiplier",
        ty: OptionType::Float { default: None },
        description: "The number of API workers is the number of CPUs times this. When unset, \
                      twice the CPUs, at most 4.",
    },
    OptionSpec {
        name: "haproxy-server-timeout",
        ty: OptionType::Int { default: None },
        description: "Server timeout of haproxy, in milliseconds (90000 when unset).",
    },
    OptionSpec {
        name: "haproxy-client-timeout",
        ty: OptionType::Int { default: None },
        description: "Client timeout of haproxy, in milliseconds (90000 when unset).",
    },
    OptionSpec {
        name: "haproxy-queue-timeout",
        ty: OptionType::Int { default: None },
        description: "Queue timeout of haproxy, in milliseconds (9000 when unset).",
    },
    OptionSpec {
        name: "haproxy-connect-timeout",
        ty: OptionType::Int { default: None },
        description: "Connect timeout of haproxy, in milliseconds (9000 when unset).",
    },
    OptionSpec {
        name: "dns-ha",
        ty: boolean(false),
        description: "Use DNS HA with MAAS 2.0. Note if this is set do not set vip settings \
                      below.",
    },
    OptionSpec {
        name: "vip",
        ty: string(None),
        description: "Virtual IP(s) of the API, space-separated, one per network. Used by the \
                      hacluster subordinate and for the keystone endpoint addresses.",
    },
    OptionSpec {
        name: "vip_iface",
        ty: string(Some("eth0")),
        description: "Network interface corosync binds to, and the VIP's fallback interface.",
    },
    OptionSpec {
        name: "vip_cidr",
        ty: OptionType::Int { default: Some(24) },
        description: "Netmask (prefix length) of the VIP when it cannot be detected.",
    },
];

/// The three kinds of keystone endpoint, each with its own address selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndpointType {
    Public,
    Internal,
    Admin,
}

impl EndpointType {
    pub const ALL: [EndpointType; 3] = [
        EndpointType::Public,
        EndpointType::Internal,
        EndpointType::Admin,
    ];

    /// The word in option names (`os-<word>-network`) and the extra binding's name.
    pub fn word(self) -> &'static str {
        match self {
            EndpointType::Public => "public",
            EndpointType::Internal => "internal",
            EndpointType::Admin => "admin",
        }
    }

    /// The key peers publish their address of this type under (`admin-address`).
    pub fn address_kind(self) -> AddressKind {
        match self {
            EndpointType::Public => AddressKind::Public,
            EndpointType::Internal => AddressKind::Internal,
            EndpointType::Admin => AddressKind::Admin,
        }
    }
}

/// How one endpoint type's address is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointOverride {
    /// `os-<type>-hostname`, with `{service_name}` already replaced.
    pub hostname: Option<String>,
    /// `os-<type>-network`.
    pub network: Option<Cidr>,
}

/// haproxy's timeouts, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HaproxyTimeouts {
    pub queue: u32,
    pub connect: u32,
    pub client: u32,
    pub server: u32,
}

/// The configuration, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub roles: Roles,
    pub origin: Origin,
    pub rabbit_user: String,
    pub rabbit_vhost: String,
    pub database_user: String,
    pub database: String,
    pub debug: bool,
    pub verbose: bool,
    pub region: String,
    /// Manila's names, e.g. `["NFS", "CIFS"]`.
    pub share_protocols: Vec<&'static str>,
    pub default_share_backend: Option<String>,
    pub default_share_type: String,
    pub config_flags: Vec<(String, String)>,
    pub scheduler_default_filters: Vec<String>,
    pub worker_multiplier: Option<f64>,
    pub haproxy_timeouts: HaproxyTimeouts,
    pub vips: Vec<IpAddr>,
    pub vip_iface: String,
    /// `vip_cidr`: the VIP's prefix length when no interface of the unit is in its network.
    pub vip_cidr: u8,
    pub dns_ha: bool,
    /// Indexed like [`EndpointType::ALL`].
    pub endpoints: [EndpointOverride; 3],
    /// `nagios_context` and `nagios_servicegroups` (for the NRPE checks).
    pub nagios_context: String,
    pub nagios_servicegroups: Vec<String>,
}

impl Config {
    pub fn from_raw(raw: &RawConfig) -> Result<Config, ConfigError> {
        let endpoint = |ty: EndpointType| -> Result<EndpointOverride, ConfigError> {
            let hostname_option = format!("os-{}-hostname", ty.word());
            let network_option = format!("os-{}-network", ty.word());
            let hostname = raw
                .optional_string(&hostname_option)?
                .map(|h| h.trim().replace("{service_name}", "manila"))
                .filter(|h| !h.is_empty());
            if let Some(hostname) = &hostname {
                check_hostname(&hostname_option, hostname)?;
            }
            Ok(EndpointOverride {
                hostname,
                network: raw.optional_parsed(&network_option)?,
            })
        };
        Ok(Config {
            roles: raw.parsed("roles")?,
            origin: raw.parsed("openstack-origin")?,
            rabbit_user: identifier(raw, "rabbit-user")?,
            rabbit_vhost: identifier(raw, "rabbit-vhost")?,
            database_user: identifier(raw, "database-user")?,
            database: identifier(raw, "database")?,
            debug: raw.boolean("debug")?,
            verbose: raw.boolean("verbose")?,
            region: single_word(raw, "region")?,
            share_protocols: share_protocols(raw)?,
            default_share_backend: raw
                .optional_string("default-share-backend")?
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            default_share_type: single_word(raw, "default-share-type")?,
            config_flags: config_flags(&raw.string("config-flags")?)?,
            scheduler_default_filters: scheduler_filters(raw)?,
            worker_multiplier: worker_multiplier(raw)?,
            haproxy_timeouts: HaproxyTimeouts {
                queue: timeout(raw, "haproxy-queue-timeout", 9000)?,
                connect: timeout(raw, "haproxy-connect-timeout", 9000)?,
                client: timeout(raw, "haproxy-client-timeout", 90000)?,
                server: timeout(raw, "haproxy-server-timeout", 90000)?,
            },
            vips: vips(raw)?,
            vip_iface: single_word(raw, "vip_iface")?,
            vip_cidr: vip_cidr(raw, &vips(raw)?)?,
            dns_ha: raw.boolean("dns-ha")?,
            endpoints: [
                endpoint(EndpointType::Public)?,
                endpoint(EndpointType::Internal)?,
                endpoint(EndpointType::Admin)?,
            ],
            nagios_context: nagios_name("nagios_context", &raw.string("nagios_context")?)?,
            nagios_servicegroups: raw
                .string("nagios_servicegroups")?
                .split(',')
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(|g| nagios_name("nagios_servicegroups", g))
                .collect::<Result<_, _>>()?,
        })
        .and_then(|config| {
            check_tls_options(raw)?;
            Ok(config)
        })
    }

    pub fn endpoint(&self, ty: EndpointType) -> &EndpointOverride {
        match ty {
            EndpointType::Public => &self.endpoints[0],
            EndpointType::Internal => &self.endpoints[1],
            EndpointType::Admin => &self.endpoints[2],
        }
    }

    /// API worker processes for `cpus` CPUs: `cpus × worker-multiplier` (at least 1), or when
    /// unset twice the CPUs, at most 4 (charm-helpers' defaults).
    pub fn workers(&self, cpus: usize) -> u32 {
        let cpus = cpus.max(1) as f64;
        let count = match self.worker_multiplier {
            Some(multiplier) => (cpus * multiplier).floor(),
            None => (cpus * 2.0).min(4.0),
        };
        // A multiplier of 0 would leave the API without a worker.
        (count as u32).max(1)
    }

    /// The level in logging.conf: DEBUG with debug and verbose, INFO with debug alone, else
    /// WARNING. (The reference writes NONE without debug, which Python's logging refuses.)
    pub fn log_level(&self) -> &'static str {
        match (self.debug, self.verbose) {
            (false, _) => "WARNING",
            (true, false) => "INFO",
            (true, true) => "DEBUG",
        }
    }
}

/// Names the charm sends to the database and broker charms, which put them into SQL and
/// RabbitMQ commands.
fn identifier(raw: &RawConfig, option: &str) -> Result<String, ConfigError> {
    let value = raw.string(option)?.trim().to_owned();
    if value.is_empty() {
        return Err(ConfigError::new(option, "must not be empty"));
    }
    // MySQL's limit for user and database names.
    if value.len() > 64 {
        return Err(ConfigError::new(option, "must be at most 64 characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(ConfigError::new(
            option,
            format!(
                "{} may only contain letters, digits, '_', '-' and '.'",
                Quoted(&value)
            ),
        ));
    }
    Ok(value)
}

/// A value written into a config file as one token: no blank, no control character, and
/// one that oslo.config reads back as itself.
fn single_word(raw: &RawConfig, option: &str) -> Result<String, ConfigError> {
    let value = raw.string(option)?.trim().to_owned();
    if value.is_empty() {
        return Err(ConfigError::new(option, "must not be empty"));
    }
    if value.len() > ini::MAX_NAME {
        return Err(ConfigError::new(
            option,
            format!("must be at most {} characters", ini::MAX_NAME),
        ));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError::new(
            option,
            format!("{} must be a single word", Quoted(&value)),
        ));
    }
    ini::Dialect::Oslo
        .escape(&value)
        .map_err(|e| ConfigError::new(option, e))?;
    Ok(value)
}

/// A name nagios shows (`nagios_context`, each of `nagios_servicegroups`): letters, digits,
/// '_', '-' and '.'.
fn nagios_name(option: &str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    ini::Key::new(value).map(|_| value.to_owned()).map_err(|_| {
        ConfigError::new(
            option,
            format!(
                "{} is not a nagios name: use letters, digits, '_', '-' and '.'",
                Quoted(value)
            ),
        )
    })
}

/// The filter classes Manila's scheduler knows (its `manila.scheduler.filters` entry points).
pub const SCHEDULER_FILTERS: &[&str] = &[
    "AffinityFilter",
    "AntiAffinityFilter",
    "AvailabilityZoneFilter",
    "CapabilitiesFilter",
    "CapacityFilter",
    "ConsistentSnapshotFilter",
    "CreateFromSnapshotFilter",
    "DriverFilter",
    "IgnoreAttemptedHostsFilter",
    "JsonFilter",
    "OnlyHostFilter",
    "RetryFilter",
    "ShareReplicationFilter",
];

/// `scheduler-default-filters`: comma-separated filter class names Manila knows.
fn scheduler_filters(raw: &RawConfig) -> Result<Vec<String>, ConfigError> {
    const OPTION: &str = "scheduler-default-filters";
    raw.string(OPTION)?
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|filter| match SCHEDULER_FILTERS.contains(&filter) {
            true => Ok(filter.to_owned()),
            false => Err(ConfigError::new(
                OPTION,
                format!(
                    "{} is not a scheduler filter Manila knows ({})",
                    Quoted(filter),
                    SCHEDULER_FILTERS.join(", ")
                ),
            )),
        })
        .collect()
}

/// `vip_cidr`: a prefix length every VIP can have (at most 32 with an IPv4 VIP).
fn vip_cidr(raw: &RawConfig, vips: &[IpAddr]) -> Result<u8, ConfigError> {
    let max = if vips.iter().any(IpAddr::is_ipv4) {
        32
    } else {
        128
    };
    let cidr =
        raw.int_in("vip_cidr", 1..=max)
            .map_err(|e| match vips.iter().find(|v| v.is_ipv4()) {
                Some(v4) if max == 32 => {
                    ConfigError::new("vip_cidr", format!("{}, as the VIP {v4} is IPv4", e.reason))
                }
                _ => e,
            })?;
    u8::try_from(cidr).map_err(|e| ConfigError::new("vip_cidr", e))
}

/// The `ssl_*` options, when set: base64 of PEM certificates (`ssl_cert`, `ssl_ca`) and of
/// one private key (`ssl_key`).
fn check_tls_options(raw: &RawConfig) -> Result<(), ConfigError> {
    use databag::fields::PemKind;
    for (option, kind) in [
        ("ssl_cert", PemKind::Certificates),
        ("ssl_key", PemKind::PrivateKey),
        ("ssl_ca", PemKind::Certificates),
    ] {
        let Some(value) = raw.optional_string(option)? else {
            continue;
        };
        let bag = databag::Bag::from([(option.to_owned(), value)]);
        databag::fields::base64_pem(&bag, option, kind)
            .map_err(|e| ConfigError::new(option, e.kind()))?;
    }
    Ok(())
}

fn check_hostname(option: &str, hostname: &str) -> Result<(), ConfigError> {
    databag::Host::parse(option, hostname)
        .map(drop)
        .map_err(|_| ConfigError::new(option, format!("{} is not a host name", Quoted(hostname))))
}

/// `share-protocols`: blank-separated protocol names Manila knows, in any case.
fn share_protocols(raw: &RawConfig) -> Result<Vec<&'static str>, ConfigError> {
    manila_plugin::parse_protocols(&raw.string("share-protocols")?)
        .map_err(|e| ConfigError::new("share-protocols", e))
}

/// `config-flags`: `key=value` pairs separated by commas. A key is an option name
/// ([`ini::Key`]); a value holds no blank, comma or control character and is written so that
/// oslo.config reads it as given (a `$` is a `$`, not a reference).
pub fn config_flags(text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut flags = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let bad = || {
            ConfigError::new(
                "config-flags",
                format!(
                    "{} is not key=value (pairs are separated by commas)",
                    Quoted(item)
                ),
            )
        };
        let (key, value) = item.split_once('=').ok_or_else(bad)?;
        let (key, value) = (key.trim(), value.trim());
        let well_formed =
            |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed(value) || ini::Key::new(key).is_err() {
            return Err(bad());
        }
        if let Err(e) = ini::Dialect::Oslo.escape(value) {
            return Err(ConfigError::new(
                "config-flags",
                format!("the value of {} {e}", Quoted(key)),
            ));
        }
        flags.push((key.to_owned(), value.to_owned()));
    }
    Ok(flags)
}

fn worker_multiplier(raw: &RawConfig) -> Result<Option<f64>, ConfigError> {
    if raw.get("worker-multiplier").is_none() {
        return Ok(None);
    }
    let multiplier = raw.float("worker-multiplier")?;
    if !(0.0..=64.0).contains(&multiplier) {
        return Err(ConfigError::new(
            "worker-multiplier",
            format!("expected a number from 0 to 64, got {multiplier}"),
        ));
    }
    Ok(Some(multiplier))
}

fn timeout(raw: &RawConfig, option: &str, default: u32) -> Result<u32, ConfigError> {
    if raw.get(option).is_none() {
        return Ok(default);
    }
    let ms = raw.int_in(option, 1..=i64::from(u32::MAX))?;
    u32::try_from(ms).map_err(|e| ConfigError::new(option, e))
}

fn vips(raw: &RawConfig) -> Result<Vec<IpAddr>, ConfigError> {
    let Some(text) = raw.optional_string("vip")? else {
        return Ok(Vec::new());
    };
    text.split_whitespace()
        .map(|vip| {
            vip.parse().map_err(|_| {
                ConfigError::new("vip", format!("{} is not an IP address", Quoted(vip)))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> RawConfig {
        RawConfig::defaults(OPTIONS)
    }

    #[test]
    fn the_defaults_are_valid() {
        let config = Config::from_raw(&defaults()).unwrap();
        assert_eq!(config.roles.to_string(), "api,scheduler,share,data");
        assert_eq!(config.share_protocols, ["NFS", "CIFS"]);
        assert_eq!(config.default_share_backend, None);
        assert_eq!(config.haproxy_timeouts.client, 90000);
        assert_eq!(config.haproxy_timeouts.queue, 9000);
        assert!(config.vips.is_empty());
        assert_eq!(config.log_level(), "WARNING");
    }

    #[test]
    fn workers_follow_charm_helpers() {
        let config = Config::from_raw(&defaults()).unwrap();
        assert_eq!(config.workers(1), 2);
        assert_eq!(config.workers(8), 4);
        let config = Config::from_raw(&defaults().with("worker-multiplier", 0.5)).unwrap();
        assert_eq!(config.workers(8), 4);
        assert_eq!(config.workers(1), 1);
        let config = Config::from_raw(&defaults().with("worker-multiplier", 0.0)).unwrap();
        assert_eq!(config.workers(8), 1);
    }

    #[test]
    fn config_flags_are_pairs() {
        assert_eq!(
            config_flags(" a=b , c = d,").unwrap(),
            [("a".into(), "b".into()), ("c".into(), "d".into())]
        );
        assert_eq!(config_flags("").unwrap(), []);
        assert_eq!(
            config_flags("a=b,oops").unwrap_err().to_string(),
            "Invalid config: 'config-flags': \"oops\" is not key=value (pairs are separated by \
             commas)"
        );
        assert!(config_flags("a=b c").is_err());
        assert!(config_flags("=x").is_err());
    }

    #[test]
    fn bad_values_name_the_option() {
        let err = |raw: RawConfig| Config::from_raw(&raw).unwrap_err().to_string();
        assert_eq!(
            err(defaults().with("vip", "10.0.0.1 nope")),
            "Invalid config: 'vip': \"nope\" is not an IP address"
        );
        assert_eq!(
            err(defaults().with("database", "man ila")),
            "Invalid config: 'database': \"man ila\" may only contain letters, digits, '_', '-' \
             and '.'"
        );
        assert_eq!(
            err(defaults().with("share-protocols", "  ")),
            "Invalid config: 'share-protocols': must name at least one protocol, e.g. 'NFS CIFS'"
        );
        assert_eq!(
            err(defaults().with("os-public-network", "10.0.0.0/33")),
            "Invalid config: 'os-public-network': \"10.0.0.0/33\": the prefix length must be at \
             most 32"
        );
        assert_eq!(
            err(defaults().with("haproxy-client-timeout", 0)),
            "Invalid config: 'haproxy-client-timeout': expected an integer from 1 to \
             4294967295, got 0"
        );
    }

    #[test]
    fn the_vip_prefix_fits_the_vips_family() {
        let err = |raw: RawConfig| Config::from_raw(&raw).unwrap_err().to_string();
        let v4 = defaults().with("vip", "10.0.0.100").with("vip_cidr", 99);
        assert_eq!(
            err(v4),
            "Invalid config: 'vip_cidr': expected an integer from 1 to 32, got 99, as the VIP \
             10.0.0.100 is IPv4"
        );
        let v6 = defaults().with("vip", "fd00::100").with("vip_cidr", 99);
        assert_eq!(Config::from_raw(&v6).unwrap().vip_cidr, 99);
        let both = defaults()
            .with("vip", "fd00::100 10.0.0.100")
            .with("vip_cidr", 64);
        assert!(Config::from_raw(&both).is_err());
        let v4 = defaults().with("vip", "10.0.0.100").with("vip_cidr", 24);
        assert_eq!(Config::from_raw(&v4).unwrap().vip_cidr, 24);
    }

    #[test]
    fn vocabularies_and_shapes_are_checked() {
        let err = |raw: RawConfig| Config::from_raw(&raw).unwrap_err().to_string();
        assert_eq!(
            err(defaults().with("share-protocols", "NFS FOO")),
            "Invalid config: 'share-protocols': \"FOO\" is not a share protocol Manila knows \
             (NFS, CIFS, GLUSTERFS, HDFS, CEPHFS, MAPRFS, LUSTRE, WEKAFS)"
        );
        assert!(
            err(defaults().with("scheduler-default-filters", "CapacityFilter,Nope"))
                .starts_with("Invalid config: 'scheduler-default-filters': \"Nope\" is not")
        );
        assert_eq!(
            err(defaults().with("nagios_context", "my juju")),
            "Invalid config: 'nagios_context': \"my juju\" is not a nagios name: use letters, \
             digits, '_', '-' and '.'"
        );
        assert!(err(defaults().with("nagios_servicegroups", "a,b\nc"))
            .starts_with("Invalid config: 'nagios_servicegroups': \"b\\nc\""));
        assert_eq!(
            err(defaults().with("ssl_cert", "bm90IHBlbQ==")),
            "Invalid config: 'ssl_cert': expected certificates in PEM form: no PEM block"
        );
        assert_eq!(
            err(defaults().with("config-flags", "[DEFAULT]=x")),
            "Invalid config: 'config-flags': \"[DEFAULT]=x\" is not key=value (pairs are \
             separated by commas)"
        );
        assert_eq!(
            err(defaults().with("config-flags", "a=b\\$c")),
            "Invalid config: 'config-flags': the value of \"a\" contains '\\$', which \
             oslo.config cannot read back"
        );
        let config = Config::from_raw(
            &defaults()
                .with("share-protocols", "nfs cephfs")
                .with(
                    "scheduler-default-filters",
                    " CapacityFilter , DriverFilter ",
                )
                .with("nagios_servicegroups", "manila, openstack"),
        )
        .unwrap();
        assert_eq!(config.share_protocols, ["NFS", "CEPHFS"]);
        assert_eq!(
            config.scheduler_default_filters,
            ["CapacityFilter", "DriverFilter"]
        );
        assert_eq!(config.nagios_servicegroups, ["manila", "openstack"]);
    }

    #[test]
    fn hostnames_get_the_service_name() {
        let config =
            Config::from_raw(&defaults().with("os-public-hostname", "{service_name}.example.com"))
                .unwrap();
        assert_eq!(
            config.endpoint(EndpointType::Public).hostname.as_deref(),
            Some("manila.example.com")
        );
    }
}
