//! The emulated archive: which packages exist, and what installing one puts on the machine.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The packages the emulated archive offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub packages: BTreeMap<String, CatalogPackage>,
    /// Further archives by apt suite (`noble-updates/epoxy`, a pocket of the Ubuntu Cloud
    /// Archive): package name → the version that archive has of a package of
    /// [`Catalog::packages`] (what it brings stays the package's). A machine sees an
    /// archive's versions once one of its apt sources names the suite and `apt-get update`
    /// ran; apt then installs and upgrades to the newest version it sees.
    #[serde(default)]
    pub archives: BTreeMap<String, BTreeMap<String, String>>,
}

/// One package: its version and what its installation brings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPackage {
    pub version: String,
    /// Init services the package ships (started on installation, as Debian does).
    #[serde(default)]
    pub services: Vec<String>,
    /// Directories the package creates, as machine paths (`/etc/manila`).
    #[serde(default)]
    pub directories: Vec<String>,
    /// Emulated commands the package puts on `PATH` (`a2ensite`); they answer only while the
    /// package is installed.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Commands the package puts on `PATH` as scripts, by name: run with `/bin/sh -c`, the
    /// command's arguments after it, in the machine's root directory with `MACHINE_ROOT`
    /// (that directory) and `MODEL_SHARED` (a directory every machine of the model shares)
    /// set. How a catalog a charm's tests supply emulates its workload's tools.
    #[serde(default)]
    pub scripts: BTreeMap<String, String>,
    /// Files the package ships, machine path → contents; written on installation (an existing
    /// file is kept, as dpkg keeps a changed conffile) and removed on purge.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Symbolic links its maintainer scripts create, machine path → target (the Apache modules
    /// and site Debian enables on installation); removed on purge.
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    /// Packages it depends on, installed with it.
    #[serde(default)]
    pub depends: Vec<String>,
    /// System accounts its maintainer scripts create (`adduser --system --group`).
    #[serde(default)]
    pub users: Vec<SystemUser>,
    /// One line of `apt-cache show`'s `Description:`.
    #[serde(default)]
    pub description: String,
}

/// A system account a package creates, with a group of the same name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUser {
    pub name: String,
    pub home: String,
}

impl SystemUser {
    pub fn new(name: &str, home: &str) -> SystemUser {
        SystemUser {
            name: name.to_owned(),
            home: home.to_owned(),
        }
    }
}

impl CatalogPackage {
    /// A package of `version` that brings nothing else.
    pub fn new(version: &str) -> CatalogPackage {
        CatalogPackage {
            version: version.to_owned(),
            ..CatalogPackage::default()
        }
    }
}

impl Default for Catalog {
    /// Debian 12 (bookworm) versions of common server packages (Apache, haproxy, memcached,
    /// MariaDB, RabbitMQ, Keystone, NFS). A charm's tests add their workload's with
    /// [`Catalog::with`].
    fn default() -> Catalog {
        let with_service = |name: &str, version: &str, service: &str, dirs: &[&str]| {
            (
                name.to_owned(),
                CatalogPackage {
                    services: vec![service.to_owned()],
                    directories: dirs.iter().map(|d| (*d).to_owned()).collect(),
                    users: system_user_of(name).into_iter().collect(),
                    ..CatalogPackage::new(version)
                },
            )
        };
        let plain = |name: &str, version: &str| (name.to_owned(), CatalogPackage::new(version));
        let packages = [
            ("apache2".to_owned(), apache2()),
            ("libapache2-mod-wsgi-py3".to_owned(), mod_wsgi()),
            with_service("haproxy", "2.6.12-1+deb12u3", "haproxy", &["/etc/haproxy"]),
            with_service("memcached", "1.6.18-1", "memcached", &[]),
            plain("python3-memcache", "1.59-5"),
            plain("python3-pymysql", "1.0.2-2+deb12u1"),
            with_service(
                "mariadb-server",
                "1:10.11.14-0+deb12u2",
                "mariadb",
                &["/etc/mysql"],
            ),
            with_service(
                "rabbitmq-server",
                "3.10.8-1.1+deb12u1",
                "rabbitmq-server",
                &["/etc/rabbitmq"],
            ),
            with_service(
                "keystone",
                "2:22.0.2-0+deb12u1",
                "keystone",
                &["/etc/keystone"],
            ),
            with_service("nfs-kernel-server", "1:2.6.2-4+deb12u1", "nfs-server", &[]),
        ];
        Catalog {
            packages: packages.into_iter().collect(),
            archives: BTreeMap::new(),
        }
    }
}

impl Catalog {
    /// A catalog as YAML (or JSON): `packages:` by name, each as [`CatalogPackage`]'s fields,
    /// and optionally `archives:`. What a charm's tests supply for its workload.
    pub fn from_yaml(text: &str) -> Result<Catalog, String> {
        serde_yaml::from_str(text).map_err(|err| err.to_string())
    }

    /// This catalog with `other`'s packages and archives added (`other` wins on a clash).
    #[must_use]
    pub fn with(mut self, other: Catalog) -> Catalog {
        self.packages.extend(other.packages);
        for (suite, versions) in other.archives {
            self.archives.entry(suite).or_default().extend(versions);
        }
        self
    }

    /// The names of every command a package of the catalog answers with a script.
    pub fn script_commands(&self) -> BTreeSet<&str> {
        self.packages
            .values()
            .flat_map(|p| p.scripts.keys().map(String::as_str))
            .collect()
    }
}

/// The account a Debian package's postinst creates for its daemon.
fn system_user_of(package: &str) -> Option<SystemUser> {
    let (name, home) = match package {
        "haproxy" => ("haproxy", "/var/lib/haproxy"),
        "memcached" => ("memcache", "/nonexistent"),
        "mariadb-server" => ("mysql", "/nonexistent"),
        "rabbitmq-server" => ("rabbitmq", "/var/lib/rabbitmq"),
        "keystone" => ("keystone", "/var/lib/keystone"),
        _ => return None,
    };
    Some(SystemUser::new(name, home))
}

/// Modules Debian 12's apache2 ships, with the `# Depends:` line of their `.load` file and
/// whether they have a `.conf`.
const APACHE_MODULES: &[(&str, &[&str], bool)] = &[
    ("access_compat", &[], false),
    ("alias", &[], true),
    ("auth_basic", &[], false),
    ("authn_core", &[], false),
    ("authn_file", &[], false),
    ("authz_core", &[], false),
    ("authz_host", &[], false),
    ("authz_user", &[], false),
    ("autoindex", &[], true),
    ("deflate", &[], true),
    ("dir", &[], true),
    ("env", &[], false),
    ("filter", &[], false),
    ("headers", &[], false),
    ("mime", &[], true),
    ("mpm_event", &[], true),
    ("negotiation", &[], true),
    ("proxy", &[], true),
    ("proxy_http", &["proxy"], false),
    ("remoteip", &[], false),
    ("reqtimeout", &[], true),
    ("rewrite", &[], false),
    ("setenvif", &[], true),
    ("socache_shmcb", &[], false),
    ("ssl", &["setenvif", "mime", "socache_shmcb"], true),
    ("status", &[], true),
];

/// The modules apache2's postinst enables.
const APACHE_DEFAULT_MODULES: &[&str] = &[
    "access_compat",
    "alias",
    "auth_basic",
    "authn_core",
    "authn_file",
    "authz_core",
    "authz_host",
    "authz_user",
    "autoindex",
    "deflate",
    "dir",
    "env",
    "filter",
    "mime",
    "mpm_event",
    "negotiation",
    "reqtimeout",
    "setenvif",
    "status",
];

fn apache2() -> CatalogPackage {
    let mut package = CatalogPackage {
        services: vec!["apache2".to_owned()],
        directories: [
            "/etc/apache2/sites-available",
            "/etc/apache2/sites-enabled",
            "/etc/apache2/mods-available",
            "/etc/apache2/mods-enabled",
            "/var/log/apache2",
        ]
        .map(str::to_owned)
        .to_vec(),
        commands: ["a2ensite", "a2dissite", "a2enmod", "a2dismod"]
            .map(str::to_owned)
            .to_vec(),
        ..CatalogPackage::new("2.4.67-1~deb12u2")
    };
    for (module, depends, has_conf) in APACHE_MODULES {
        add_module(&mut package, module, depends, *has_conf);
    }
    for module in APACHE_DEFAULT_MODULES {
        enable_module(&mut package, module);
    }
    for site in ["000-default", "default-ssl"] {
        package.files.insert(
            format!("/etc/apache2/sites-available/{site}.conf"),
            format!("# the {site} site of Debian's apache2 (emulated)\n"),
        );
    }
    package.links.insert(
        "/etc/apache2/sites-enabled/000-default.conf".to_owned(),
        "../sites-available/000-default.conf".to_owned(),
    );
    package
}

/// mod_wsgi: its postinst enables the module.
fn mod_wsgi() -> CatalogPackage {
    let mut package = CatalogPackage::new("4.9.4-1+b2");
    add_module(&mut package, "wsgi", &[], true);
    enable_module(&mut package, "wsgi");
    package
}

fn add_module(package: &mut CatalogPackage, module: &str, depends: &[&str], has_conf: bool) {
    let mut load = String::new();
    if !depends.is_empty() {
        load.push_str(&format!("# Depends: {}\n", depends.join(" ")));
    }
    load.push_str(&format!(
        "LoadModule {module}_module /usr/lib/apache2/modules/mod_{module}.so\n"
    ));
    package
        .files
        .insert(format!("/etc/apache2/mods-available/{module}.load"), load);
    if has_conf {
        package.files.insert(
            format!("/etc/apache2/mods-available/{module}.conf"),
            format!("# configuration of mod_{module} (emulated)\n"),
        );
    }
}

fn enable_module(package: &mut CatalogPackage, module: &str) {
    let available: Vec<String> = ["load", "conf"]
        .iter()
        .map(|ext| format!("/etc/apache2/mods-available/{module}.{ext}"))
        .filter(|path| package.files.contains_key(path))
        .collect();
    for path in available {
        let file = path.rsplit('/').next().unwrap_or_default().to_owned();
        package.links.insert(
            format!("/etc/apache2/mods-enabled/{file}"),
            format!("../mods-available/{file}"),
        );
    }
}
