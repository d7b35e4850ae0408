//! The charm's options, declared once as the fields of [`Config`] (`config.yaml` is generated
//! from it), and their validation.
//!
//! Names, types and defaults are those of the reference charm with the layers it inherits
//! (`charm-layer-openstack`, `-principle`, `-api`), plus `roles`. The `ssl_*` options are checked
//! together ([`crate::tls::options`]). `use-syslog` and `use-internal-endpoints` shape
//! manila.conf, and `nagios_context` and `nagios_servicegroups` the NRPE checks
//! ([`crate::nrpe`]). `action-managed-upgrade` is read by the
//! openstack-upgrade action ([`crate::actions`]).

use std::net::IpAddr;

use charm::config::{ConfigError, RawConfig};
use charm::Options;
use databag::Quoted;
use openstack_ha::AddressKind;

use crate::roles::Roles;
use openstack::network::Cidr;
use openstack::release::Origin;

/// The configuration: each field an option, in the order `config.yaml` lists them. Names,
/// types and defaults are the reference charm's (with the layers it inherits), plus `roles`.
#[derive(Debug, Clone, PartialEq, Options)]
#[options(validate = validate)]
pub struct Config {
    /// Which parts of Manila this application runs: a comma-separated list of api (the REST API
    /// under Apache mod_wsgi behind haproxy, registered in keystone), scheduler (manila-scheduler),
    /// share (manila-share with the back ends of related manila-plugin subordinates) and data
    /// (manila-data), or all. Services of a role that is removed are stopped and disabled.
    #[option(default = "all")]
    pub roles: Roles,
    /// Where to install OpenStack from: 'distro' (the release the OS ships), a bare release name
    /// such as 'caracal' (the OS's own packages when it ships that release, else the Ubuntu Cloud
    /// Archive for this series), or 'cloud:<series>-<release>' (optionally with '/updates' or
    /// '/proposed'). Changing it later does not upgrade installed packages.
    #[option(name = "openstack-origin", default = "caracal")]
    pub origin: Origin,
    /// Username used to access the RabbitMQ queue.
    #[option(default = "manila", with = identifier)]
    pub rabbit_user: String,
    /// RabbitMQ virtual host.
    #[option(default = "openstack", with = identifier)]
    pub rabbit_vhost: String,
    /// Username for Manila database access.
    #[option(default = "manila", with = identifier)]
    pub database_user: String,
    /// Database name for Manila.
    #[option(default = "manila", with = identifier)]
    pub database: String,
    /// Enable debug logging.
    #[option(default = false)]
    pub debug: bool,
    /// Enable verbose logging (with debug: the DEBUG level in logging.conf).
    #[option(default = false)]
    pub verbose: bool,
    /// Setting this to True will allow supporting services to log to syslog: Manila's services
    /// send their records to syslog too (use_syslog in manila.conf, and the syslog handler in
    /// logging.conf).
    #[option(default = false)]
    pub use_syslog: bool,
    /// Openstack mostly defaults to using public endpoints for internal communication between
    /// services. If set to True this option will configure services to use internal endpoints where
    /// possible: keystonemiddleware ([keystone_authtoken] interface) and Manila's Nova, Neutron and
    /// Cinder clients (endpoint_type) select the internal endpoints.
    #[option(default = false)]
    pub use_internal_endpoints: bool,
    /// OpenStack region the API endpoints are registered in.
    #[option(default = "RegionOne", with = single_word)]
    pub region: String,
    /// Space-delimited list of the protocols the share back ends provide (enabled_share_protocols),
    /// in any case: NFS, CIFS, GLUSTERFS, HDFS, CEPHFS, MAPRFS, LUSTRE or WEKAFS.
    #[option(default = "NFS CIFS", with = share_protocols)]
    pub share_protocols: Vec<&'static str>,
    /// The default back end for this Manila deployment. Must be one of the back ends of the related
    /// manila-plugin charms, or the charm blocks.
    #[option(default = "", with = trimmed)]
    pub default_share_backend: Option<String>,
    /// The default share type. It must match a share type created with 'manila type-create'; the
    /// charm does not create it.
    #[option(default = "default_share_type", with = single_word)]
    pub default_share_type: String,
    /// Used by the nrpe-external-master subordinate charm: a prefix for host names in nagios
    /// (until the nrpe charm names the host), and the servicegroup when nagios_servicegroups is
    /// empty.
    #[option(name = "nagios_context", default = "juju", with = nagios_context)]
    pub nagios_context: String,
    /// Comma-separated list of nagios servicegroups for the service checks. If left empty, the
    /// nagios_context is used as the servicegroup.
    #[option(name = "nagios_servicegroups", default = "", with = nagios_servicegroups)]
    pub nagios_servicegroups: Vec<String>,
    /// Comma-separated key=value pairs added to the [DEFAULT] section of manila.conf, e.g.
    /// 'key1=value1,key2=value2'. Values are written as given: a '$' is a dollar sign, not a
    /// reference to another option. Use with care.
    #[option(default = "", with = config_flags_option)]
    pub config_flags: Vec<(String, String)>,
    /// Comma-separated list of scheduler filter class names Manila knows (e.g.
    /// 'AvailabilityZoneFilter,CapacityFilter,CapabilitiesFilter'); empty keeps Manila's default.
    #[option(default = "", with = scheduler_filters)]
    pub scheduler_default_filters: Vec<String>,
    /// Base64-encoded SSL certificate for the API endpoints (PEM, optionally followed by its
    /// intermediates). With ssl_key, haproxy terminates TLS for the API and keystone registers
    /// https endpoints; it takes precedence over certificates from the certificates relation.
    #[option(name = "ssl_cert", with = certificates)]
    pub ssl_cert: Option<String>,
    /// Base64-encoded SSL key of ssl_cert (PEM).
    #[option(name = "ssl_key", with = private_key)]
    pub ssl_key: Option<String>,
    /// Base64-encoded certificate authority that signed ssl_cert (PEM): checked to have signed
    /// it, and added to the unit's trusted CAs. Only needed for a privately signed ssl_cert.
    #[option(name = "ssl_ca", with = certificates)]
    pub ssl_ca: Option<String>,
    /// If True, the openstack-upgrade action upgrades OpenStack to the release openstack-origin
    /// names; if False, it refuses. Changing openstack-origin never upgrades by itself.
    #[option(default = false)]
    pub action_managed_upgrade: bool,
    /// The IP network (CIDR) of the admin endpoint: its address, or the VIP, is taken from this
    /// network.
    pub os_admin_network: Option<Cidr>,
    /// The IP network (CIDR) of the internal endpoint: its address, or the VIP, is taken from this
    /// network.
    pub os_internal_network: Option<Cidr>,
    /// The IP network (CIDR) of the public endpoint: its address, or the VIP, is taken from this
    /// network.
    pub os_public_network: Option<Cidr>,
    /// A host name registered in keystone for the public endpoint instead of an address;
    /// '{service_name}' is replaced by 'manila'.
    #[option(with = hostname)]
    pub os_public_hostname: Option<String>,
    /// A host name registered in keystone for the internal endpoint instead of an address;
    /// '{service_name}' is replaced by 'manila'.
    #[option(with = hostname)]
    pub os_internal_hostname: Option<String>,
    /// A host name registered in keystone for the admin endpoint instead of an address;
    /// '{service_name}' is replaced by 'manila'.
    #[option(with = hostname)]
    pub os_admin_hostname: Option<String>,
    /// The number of API workers is the number of CPUs times this. When unset, twice the CPUs, at
    /// most 4.
    #[option(with = worker_multiplier)]
    pub worker_multiplier: Option<f64>,
    /// Server timeout of haproxy, in milliseconds (90000 when unset).
    #[option(range = 1..=4294967295)]
    pub haproxy_server_timeout: Option<u32>,
    /// Client timeout of haproxy, in milliseconds (90000 when unset).
    #[option(range = 1..=4294967295)]
    pub haproxy_client_timeout: Option<u32>,
    /// Queue timeout of haproxy, in milliseconds (9000 when unset).
    #[option(range = 1..=4294967295)]
    pub haproxy_queue_timeout: Option<u32>,
    /// Connect timeout of haproxy, in milliseconds (9000 when unset).
    #[option(range = 1..=4294967295)]
    pub haproxy_connect_timeout: Option<u32>,
    /// Use DNS HA with MAAS 2.0. Note if this is set do not set vip settings below.
    #[option(default = false)]
    pub dns_ha: bool,
    /// Virtual IP(s) of the API, space-separated, one per network. Used by the hacluster
    /// subordinate and for the keystone endpoint addresses.
    #[option(name = "vip", with = vips)]
    pub vips: Vec<IpAddr>,
    /// Network interface corosync binds to, and the VIP's fallback interface.
    #[option(name = "vip_iface", default = "eth0", with = single_word)]
    pub vip_iface: String,
    /// Netmask (prefix length) of the VIP when it cannot be detected.
    #[option(name = "vip_cidr", default = 24, range = 1..=128)]
    pub vip_cidr: u8,
}

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EndpointOverride<'c> {
    /// `os-<type>-hostname`, with `{service_name}` already replaced.
    pub hostname: Option<&'c str>,
    /// `os-<type>-network`.
    pub network: Option<&'c Cidr>,
}

/// haproxy's timeouts, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HaproxyTimeouts {
    pub queue: u32,
    pub connect: u32,
    pub client: u32,
    pub server: u32,
}

impl Config {
    /// How the address of endpoint type `ty` is chosen.
    pub fn endpoint(&self, ty: EndpointType) -> EndpointOverride<'_> {
        let (hostname, network) = match ty {
            EndpointType::Public => (&self.os_public_hostname, &self.os_public_network),
            EndpointType::Internal => (&self.os_internal_hostname, &self.os_internal_network),
            EndpointType::Admin => (&self.os_admin_hostname, &self.os_admin_network),
        };
        EndpointOverride {
            hostname: hostname.as_deref(),
            network: network.as_ref(),
        }
    }

    /// haproxy's timeouts, with charm-helpers' defaults for those not set.
    pub fn haproxy_timeouts(&self) -> HaproxyTimeouts {
        HaproxyTimeouts {
            queue: self.haproxy_queue_timeout.unwrap_or(9000),
            connect: self.haproxy_connect_timeout.unwrap_or(9000),
            client: self.haproxy_client_timeout.unwrap_or(90000),
            server: self.haproxy_server_timeout.unwrap_or(90000),
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

/// The checks across options: a VIP prefix every VIP can have.
fn validate(config: &Config) -> Result<(), ConfigError> {
    // The certificate, its key and CA together, at this hook's time: a pair that does not
    // serve leaves the last valid configuration, and its certificate, in force.
    if let Some(Err((option, problem))) = crate::tls::options(config, std::time::SystemTime::now())
    {
        return Err(ConfigError::new(option, problem));
    }
    if let Some(v4) = config.vips.iter().find(|v| v.is_ipv4()) {
        if config.vip_cidr > 32 {
            return Err(ConfigError::new(
                "vip_cidr",
                format!(
                    "expected an integer from 1 to 32, got {}, as the VIP {v4} is IPv4",
                    config.vip_cidr
                ),
            ));
        }
    }
    Ok(())
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

fn nagios_context(raw: &RawConfig, option: &str) -> Result<String, ConfigError> {
    nagios_name(option, &raw.string(option)?)
}

fn nagios_servicegroups(raw: &RawConfig, option: &str) -> Result<Vec<String>, ConfigError> {
    raw.string(option)?
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(|g| nagios_name(option, g))
        .collect()
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
fn scheduler_filters(raw: &RawConfig, option: &str) -> Result<Vec<String>, ConfigError> {
    raw.string(option)?
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|filter| match SCHEDULER_FILTERS.contains(&filter) {
            true => Ok(filter.to_owned()),
            false => Err(ConfigError::new(
                option,
                format!(
                    "{} is not a scheduler filter Manila knows ({})",
                    Quoted(filter),
                    SCHEDULER_FILTERS.join(", ")
                ),
            )),
        })
        .collect()
}

/// `ssl_cert`, `ssl_ca`: base64 of PEM certificates, when set.
fn certificates(raw: &RawConfig, option: &str) -> Result<Option<String>, ConfigError> {
    pem(raw, option, databag::fields::PemKind::Certificates)
}

/// `ssl_key`: base64 of one PEM private key, when set.
fn private_key(raw: &RawConfig, option: &str) -> Result<Option<String>, ConfigError> {
    pem(raw, option, databag::fields::PemKind::PrivateKey)
}

fn pem(
    raw: &RawConfig,
    option: &str,
    kind: databag::fields::PemKind,
) -> Result<Option<String>, ConfigError> {
    let Some(value) = raw.optional_string(option)? else {
        return Ok(None);
    };
    let bag = databag::Bag::from([(option.to_owned(), value.clone())]);
    databag::fields::base64_pem(&bag, option, kind)
        .map_err(|e| ConfigError::new(option, e.kind()))?;
    Ok(Some(value))
}

/// `os-*-hostname`: a host name, with `{service_name}` replaced by `manila`.
fn hostname(raw: &RawConfig, option: &str) -> Result<Option<String>, ConfigError> {
    let hostname = raw
        .optional_string(option)?
        .map(|h| h.trim().replace("{service_name}", "manila"))
        .filter(|h| !h.is_empty());
    if let Some(hostname) = &hostname {
        check_hostname(option, hostname)?;
    }
    Ok(hostname)
}

/// A string whose surrounding blanks are not part of it; `None` when nothing is left.
fn trimmed(raw: &RawConfig, option: &str) -> Result<Option<String>, ConfigError> {
    Ok(raw
        .optional_string(option)?
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty()))
}

fn check_hostname(option: &str, hostname: &str) -> Result<(), ConfigError> {
    databag::Host::parse(option, hostname)
        .map(drop)
        .map_err(|_| ConfigError::new(option, format!("{} is not a host name", Quoted(hostname))))
}

/// `share-protocols`: blank-separated protocol names Manila knows, in any case.
fn share_protocols(raw: &RawConfig, option: &str) -> Result<Vec<&'static str>, ConfigError> {
    manila_plugin::parse_protocols(&raw.string(option)?).map_err(|e| ConfigError::new(option, e))
}

/// `config-flags`, read with [`config_flags`].
fn config_flags_option(
    raw: &RawConfig,
    option: &str,
) -> Result<Vec<(String, String)>, ConfigError> {
    config_flags(&raw.string(option)?)
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

fn worker_multiplier(raw: &RawConfig, option: &str) -> Result<Option<f64>, ConfigError> {
    if raw.get(option).is_none() {
        return Ok(None);
    }
    let multiplier = raw.float(option)?;
    if !(0.0..=64.0).contains(&multiplier) {
        return Err(ConfigError::new(
            option,
            format!("expected a number from 0 to 64, got {multiplier}"),
        ));
    }
    Ok(Some(multiplier))
}

fn vips(raw: &RawConfig, option: &str) -> Result<Vec<IpAddr>, ConfigError> {
    let Some(text) = raw.optional_string(option)? else {
        return Ok(Vec::new());
    };
    text.split_whitespace()
        .map(|vip| {
            vip.parse().map_err(|_| {
                ConfigError::new(option, format!("{} is not an IP address", Quoted(vip)))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> RawConfig {
        RawConfig::defaults(Config::OPTIONS)
    }

    #[test]
    fn the_defaults_are_valid() {
        let config = Config::from_raw(&defaults()).unwrap();
        assert_eq!(config.roles.to_string(), "api,scheduler,share,data");
        assert_eq!(config.share_protocols, ["NFS", "CIFS"]);
        assert_eq!(config.default_share_backend, None);
        assert_eq!(config.haproxy_timeouts().client, 90000);
        assert_eq!(config.haproxy_timeouts().queue, 9000);
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
            config.endpoint(EndpointType::Public).hostname,
            Some("manila.example.com")
        );
    }
}
