//! The files the charm writes: their paths, owners, template contexts and the restart map.
//! Contexts are plain data computed in Rust; the templates only interpolate and loop.

use charm::{PlannedFile, RenderedFile, TemplateError, Templates};
use host::FileSpec;
use serde::Serialize;

use openstack::keystone::ServiceClient;
use openstack::release::Release;

/// The file back ends add their sections to, as the plugin interface names it.
pub use manila_plugin::MANILA_CONF;
pub const API_PASTE: &str = "/etc/manila/api-paste.ini";
pub const LOGGING_CONF: &str = "/etc/manila/logging.conf";
pub const APACHE_SITE: &str = "/etc/apache2/sites-available/manila-api.conf";
/// Where `a2ensite manila-api` links the site.
pub const APACHE_SITE_ENABLED: &str = "/etc/apache2/sites-enabled/manila-api.conf";
pub const HAPROXY_CFG: &str = "/etc/haproxy/haproxy.cfg";
pub const MEMCACHED_CONF: &str = "/etc/memcached.conf";
/// TLS material the database sent, for `[database] connection`.
pub const DB_CA: &str = "/etc/manila/db-ssl/ca.pem";
pub const DB_CERT: &str = "/etc/manila/db-ssl/cert.pem";
pub const DB_KEY: &str = "/etc/manila/db-ssl/key.pem";
/// The CA RabbitMQ sent, for `[oslo_messaging_rabbit] ssl_ca_file`.
pub const RABBIT_CA: &str = "/etc/manila/rabbit-ca.pem";

/// The port haproxy fronts the API on, registered in keystone and opened.
pub const API_PORT: u16 = 8786;
/// The port Apache serves `manila-wsgi` on, behind haproxy (with TLS too: haproxy terminates
/// TLS on [`crate::tls::TLS_PORT`] in front of it).
pub const WSGI_PORT: u16 = 8776;
/// memcached, for keystonemiddleware's token cache.
pub const MEMCACHED_ADDRESS: &str = "127.0.0.1:11211";

/// Services reading manila.conf and logging.conf (Apache runs the API).
const MANILA_SERVICES: &[&str] = &["apache2", "manila-scheduler", "manila-share", "manila-data"];

/// The services that read `path` (restarted when it changes, those of them that run).
pub fn readers(path: &str) -> &'static [&'static str] {
    match path {
        MANILA_CONF | LOGGING_CONF | DB_CA | DB_CERT | DB_KEY | RABBIT_CA => MANILA_SERVICES,
        API_PASTE | APACHE_SITE => &["apache2"],
        HAPROXY_CFG => &["haproxy"],
        MEMCACHED_CONF => &["memcached"],
        _ => &[],
    }
}

/// `file` with the services that read it ([`readers`]).
pub fn with_readers(file: RenderedFile) -> PlannedFile {
    let read_by = readers(&file.path);
    PlannedFile::new(file, read_by)
}

/// manila.conf carries passwords: readable by the manila group only.
pub fn manila_private() -> FileSpec {
    FileSpec::new("root", "manila", 0o640)
}

fn public() -> FileSpec {
    FileSpec::new("root", "root", 0o644)
}

/// `[database]`.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseSection {
    pub connection: String,
}

/// `[keystone_authtoken]`: the service's keystone identity, and memcached on api units.
#[derive(Debug, Clone, Serialize)]
pub struct KeystoneSection {
    #[serde(flatten)]
    pub client: ServiceClient,
    /// Only where memcached runs (api units).
    pub memcached_servers: Option<String>,
}

/// `[oslo_messaging_rabbit]`.
#[derive(Debug, Clone, Serialize)]
pub struct RabbitSection {
    pub ha_queues: bool,
    pub ssl_ca_file: Option<String>,
}

/// Everything manila.conf says.
#[derive(Debug, Clone, Serialize)]
pub struct ManilaConf {
    pub enabled_share_backends: String,
    pub enabled_share_protocols: String,
    pub default_share_type: String,
    pub debug: bool,
    pub workers: u32,
    pub scheduler_default_filters: Option<String>,
    pub transport_url: Option<String>,
    pub config_flags: Vec<(String, String)>,
    /// The service identity shared by every unit of a clustered share application.
    pub host: Option<String>,
    pub database: Option<DatabaseSection>,
    pub keystone: Option<KeystoneSection>,
    pub rabbit: Option<RabbitSection>,
    /// `use-syslog`: oslo.log also sends the services' records to syslog.
    pub use_syslog: bool,
    /// `[keystone_authtoken] interface`: `internal` with `use-internal-endpoints`
    /// (keystonemiddleware's own default otherwise).
    pub keystone_interface: Option<&'static str>,
    /// The back ends' sections, parsed on receipt (values already in oslo.config's syntax,
    /// which the template copies with `| safe`).
    pub backend_sections: Vec<BackendSection>,
}

/// One section a back end sent.
#[derive(Debug, Clone, Serialize)]
pub struct BackendSection {
    pub name: String,
    pub options: Vec<(String, String)>,
}

impl From<&ini::Section> for BackendSection {
    fn from(section: &ini::Section) -> Self {
        BackendSection {
            name: section.name.to_string(),
            options: section
                .options
                .iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct LoggingConf {
    level: &'static str,
    syslog: bool,
}

#[derive(Debug, Clone, Serialize)]
struct ApacheSite {
    port: u16,
    processes: u32,
}

/// One haproxy backend server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HaproxyServer {
    pub name: String,
    pub address: String,
}

/// The api units as reached on one of this unit's networks: requests arriving at an address
/// in `network` go to the servers' addresses on that network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HaproxyBackend {
    /// `manila-api_admin_<local address>`, the reference charm's name.
    pub name: String,
    /// This unit's address on the network; names the frontend's acl.
    pub local: String,
    /// `<local address>/<prefix>`.
    pub network: String,
    pub servers: Vec<HaproxyServer>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HaproxyCfg {
    pub queue_timeout: u32,
    pub connect_timeout: u32,
    pub client_timeout: u32,
    pub server_timeout: u32,
    /// The statistics page's password; the page is left out until the leader published one.
    pub stats_password: Option<String>,
    pub frontend_port: u16,
    /// Whether the frontend also listens on IPv6 (the unit or a VIP has an IPv6 address).
    pub ipv6: bool,
    /// The port of the units the frontend spreads over: the WSGI application's, or with TLS
    /// the port haproxy terminates TLS on.
    pub backend_port: u16,
    /// The default backend (the network peers reach each other on) first, then one per
    /// other network the endpoints are split onto.
    pub backends: Vec<HaproxyBackend>,
    /// Where this unit terminates TLS, when the API is served over it.
    pub tls: Option<crate::tls::HaproxyTls>,
}

#[derive(Debug, Clone, Serialize)]
struct MemcachedConf {
    address: &'static str,
    port: u16,
}

/// Renders the files every role reads.
pub fn common_files(
    templates: &Templates,
    release: Release,
    conf: &ManilaConf,
    log_level: &'static str,
) -> Result<Vec<RenderedFile>, TemplateError> {
    let search = release.template_search();
    Ok(vec![
        RenderedFile {
            path: MANILA_CONF.to_owned(),
            content: templates.render("manila.conf", &search, conf)?,
            spec: manila_private(),
        },
        RenderedFile {
            path: LOGGING_CONF.to_owned(),
            content: templates.render(
                "logging.conf",
                &search,
                &LoggingConf {
                    level: log_level,
                    syslog: conf.use_syslog,
                },
            )?,
            spec: manila_private(),
        },
    ])
}

/// Renders the files of the api role, the WSGI application on `wsgi_port`.
pub fn api_files(
    templates: &Templates,
    release: Release,
    workers: u32,
    haproxy: &HaproxyCfg,
) -> Result<Vec<RenderedFile>, TemplateError> {
    let search = release.template_search();
    Ok(vec![
        RenderedFile {
            path: API_PASTE.to_owned(),
            // The pipelines are the same for every unit: nothing to fill in.
            content: templates.render("api-paste.ini", &search, &serde_json::Map::new())?,
            spec: manila_private(),
        },
        RenderedFile {
            path: APACHE_SITE.to_owned(),
            content: templates.render(
                "manila-api.conf",
                &search,
                &ApacheSite {
                    port: WSGI_PORT,
                    processes: workers,
                },
            )?,
            spec: public(),
        },
        RenderedFile {
            path: HAPROXY_CFG.to_owned(),
            content: templates.render("haproxy.cfg", &search, haproxy)?,
            // The statistics password is in it.
            spec: FileSpec::new("root", "haproxy", 0o640),
        },
        RenderedFile {
            path: MEMCACHED_CONF.to_owned(),
            content: templates.render(
                "memcached.conf",
                &search,
                &MemcachedConf {
                    address: "127.0.0.1",
                    port: 11211,
                },
            )?,
            spec: public(),
        },
    ])
}

/// TLS material a relation sent, as files: certificates world-readable, keys not.
pub fn pem_file(path: &str, pem: &str, private: bool) -> RenderedFile {
    pem_file_with(path, pem, if private { manila_private() } else { public() })
}

/// PEM text as a file with `spec`.
pub fn pem_file_with(path: &str, pem: &str, spec: FileSpec) -> RenderedFile {
    let mut content = pem.trim_end().to_owned();
    content.push('\n');
    RenderedFile {
        path: path.to_owned(),
        content,
        spec,
    }
}
