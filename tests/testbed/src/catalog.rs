//! The workspace's workload packages for the emulator's archive: what `apt-get install
//! manila-api` brings on an emulated machine, with `manila-manage` (`data/manila-manage.py`)
//! answered as a package script, and the example charm's package. The emulator knows
//! Debian; this is what the charms' tests add to it.

use emulator::{Catalog, CatalogPackage, SystemUser};

/// Debian 12's manila version (real-peers §1).
pub const DEBIAN_MANILA: &str = "1:15.1.0-2";

/// Where a machine records the schema syncs it ran (one JSON object a line).
pub const SCHEMA_SYNCS_FILE: &str = "/var/lib/manila/emulated-schema-syncs";

/// Where every machine of a model records them (under the model's shared directory).
pub const SHARED_SCHEMA_SYNCS: &str = "manila-schema-syncs";

/// The alembic head of Debian 12's manila 1:15.1.0-2.
pub const MANILA_SCHEMA_HEAD: &str = "bb5938d74b73";

/// Manila's packages at Debian 12's versions, with the services they ship and the
/// `manila` account and `manila-manage` command of `manila-common`.
pub fn manila_packages() -> Catalog {
    let script = format!(
        "exec python3 - \"$@\" <<'PY'\n{}\nPY\n",
        include_str!("../data/manila-manage.py")
    );
    let service = |name: &str| {
        (
            name.to_owned(),
            CatalogPackage {
                services: vec![name.to_owned()],
                directories: vec!["/etc/manila".to_owned()],
                depends: vec!["manila-common".to_owned()],
                description: format!("OpenStack shared file system as a service - {name}"),
                ..CatalogPackage::new(DEBIAN_MANILA)
            },
        )
    };
    let common = CatalogPackage {
        directories: ["/etc/manila", "/var/lib/manila", "/var/log/manila"]
            .map(str::to_owned)
            .to_vec(),
        depends: vec!["python3-manila".to_owned()],
        users: vec![SystemUser::new("manila", "/var/lib/manila")],
        scripts: [("manila-manage".to_owned(), script)].into_iter().collect(),
        description: "OpenStack shared file system as a service - common files".to_owned(),
        ..CatalogPackage::new(DEBIAN_MANILA)
    };
    Catalog {
        packages: [
            ("manila-common".to_owned(), common),
            (
                "python3-manila".to_owned(),
                CatalogPackage::new(DEBIAN_MANILA),
            ),
            service("manila-api"),
            service("manila-scheduler"),
            service("manila-share"),
            service("manila-data"),
        ]
        .into_iter()
        .collect(),
        archives: Default::default(),
    }
}

/// Debian 12's `nagios-nrpe-server` and `monitoring-plugins-basic`, which the nrpe fixture
/// installs: NRPE's service, the `nagios` account, and the directories the principal's
/// checks go to.
pub fn nrpe_packages() -> Catalog {
    let server = CatalogPackage {
        services: vec!["nagios-nrpe-server".to_owned()],
        directories: ["/etc/nagios", "/etc/nagios/nrpe.d", "/var/lib/nagios"]
            .map(str::to_owned)
            .to_vec(),
        files: [(
            "/etc/nagios/nrpe.cfg".to_owned(),
            "include_dir=/etc/nagios/nrpe.d/\n".to_owned(),
        )]
        .into_iter()
        .collect(),
        users: vec![SystemUser::new("nagios", "/var/lib/nagios")],
        description: "Nagios Remote Plugin Executor Server".to_owned(),
        ..CatalogPackage::new("4.1.0-1+b1")
    };
    let plugins = CatalogPackage {
        directories: vec!["/usr/lib/nagios/plugins".to_owned()],
        description: "Plugins for nagios compatible monitoring systems (basic)".to_owned(),
        ..CatalogPackage::new("2.3.3-5+deb12u2")
    };
    Catalog {
        packages: [
            ("nagios-nrpe-server".to_owned(), server),
            ("monitoring-plugins-basic".to_owned(), plugins),
        ]
        .into_iter()
        .collect(),
        archives: Default::default(),
    }
}

/// The emulator's Debian archive with every workload package the workspace's charms install:
/// Manila's, and the example charm's `example-greeter` (which its own tests supply).
pub fn workspace_catalog() -> Catalog {
    let greeter = include_str!("../../../charms/example/tests/it/greeter-package.yaml");
    let greeter = Catalog::from_yaml(greeter).expect("the example charm's package is a catalog");
    Catalog::default()
        .with(manila_packages())
        .with(nrpe_packages())
        .with(greeter)
}
