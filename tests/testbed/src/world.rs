//! A test's model: its scratch directory, the charms packed into it, and readers of what the
//! units did.

use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use databag::Readiness;
use emulator::{Catalog, DeployOptions, Model, ServiceState};
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::charms::Charm;
use crate::conf::Conf;

/// The version of Manila Ubuntu 24.04 ships (caracal).
pub const NOBLE_MANILA: &str = "1:18.0.0-0ubuntu1";

/// `catalog` with Manila's packages at noble's version (caracal): the archive has Debian
/// 12's versions of everything else, while its machines say Ubuntu 24.04.
pub fn noble_catalog(catalog: Catalog) -> Catalog {
    let mut catalog = catalog
        .with(crate::catalog::manila_packages())
        .with(crate::catalog::nrpe_packages());
    for (name, package) in &mut catalog.packages {
        if name.starts_with("manila-") || name == "python3-manila" {
            package.version = NOBLE_MANILA.to_owned();
        }
    }
    catalog
}

/// One `manila-manage db sync`, as the emulated `manila-manage` records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSync {
    /// `manila-manage`.
    pub tool: String,
    /// The connection URL, without its password.
    pub database: String,
    /// The alembic revision the database was migrated to.
    pub revision: String,
}

/// The status of a unit with nothing left to do.
pub const READY: (&str, &str) = ("active", openstack::status::READY);

/// Where Manila's configuration lives on a unit.
pub use manila_plugin::MANILA_CONF;

const SCRIPT_BACKEND_METADATA: &str = "\
name: {app}
summary: A dummy share back end.
description: Publishes one back end on Manila's dummy driver.
subordinate: true
provides:
  manila-plugin:
    interface: manila-plugin
    scope: container
requires:
  juju-info:
    interface: juju-info
    scope: container
";

/// Publishes the back end in every manila-plugin hook (`relation-set` is idempotent).
const SCRIPT_BACKEND_DISPATCH: &str = r#"#!/bin/sh
set -e
case "$JUJU_DISPATCH_PATH" in
hooks/manila-plugin-relation-joined|hooks/manila-plugin-relation-changed)
    section='[{name}]\nshare_backend_name = {name}\nshare_driver = manila.tests.share.drivers.dummy.DummyDriver\ndriver_handles_share_servers = False\n'
    relation-set _name={name} "_configuration_data={\"data\": {\"/etc/manila/manila.conf\": \"$section\"}}" ;;
esac
"#;

const SILENT_PEER_METADATA: &str = "\
name: {app}
summary: Says nothing.
description: Provides what manila needs, and never answers.
provides:
  shared-db:
    interface: mysql-shared
  amqp:
    interface: rabbitmq
  identity-service:
    interface: keystone
  identity-credentials:
    interface: keystone-credentials
";

/// Which keystone endpoint a manila application relates to: `identity-service` registers
/// the API (api role), `identity-credentials` only fetches service credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Service,
    Credentials,
}

impl Identity {
    pub fn endpoint(self) -> &'static str {
        match self {
            Identity::Service => "identity-service",
            Identity::Credentials => "identity-credentials",
        }
    }
}

/// A test's scratch directory: its packed charms and its model, removed with it.
#[derive(Debug)]
pub struct World {
    pub model: Model,
    scratch: TempDir,
}

impl World {
    /// An empty model of Ubuntu 24.04 machines whose archive has noble's Manila (caracal).
    pub fn new() -> World {
        let scratch = tempfile::Builder::new()
            .prefix("manila-testbed")
            .tempdir()
            .unwrap();
        let mut model = Model::new(scratch.path().join("model")).unwrap();
        let catalog = noble_catalog(model.catalog().clone());
        model.set_catalog(catalog).unwrap();
        World { model, scratch }
    }

    /// Packs `charm` into the scratch directory (once) and returns the charm directory.
    pub fn charm(&self, charm: Charm) -> PathBuf {
        let dest = self.scratch.path().join("charms").join(charm.dir_name());
        if !dest.exists() {
            charm.built().assemble_dir(&dest).unwrap();
        }
        dest
    }

    pub fn deploy(&mut self, app: &str, charm: Charm, options: DeployOptions) {
        let path = self.charm(charm);
        self.model.deploy(app, path, options).unwrap();
    }

    /// A subordinate charm written as a shell script: a back end publishing `name` on the
    /// dummy driver as soon as it joins, as a manila-plugin charm does (`_name`,
    /// `_configuration_data`).
    pub fn deploy_script_backend(&mut self, app: &str, name: &str) {
        let dir = self.script_charm(app, &SCRIPT_BACKEND_METADATA.replace("{app}", app));
        let dispatch = SCRIPT_BACKEND_DISPATCH.replace("{name}", name);
        fs::write(dir.join("dispatch"), dispatch).unwrap();
        self.model.deploy(app, &dir, DeployOptions::new()).unwrap();
    }

    /// A charm providing the database, broker and identity endpoints that never answers: its
    /// clients' relations stay incomplete.
    pub fn deploy_silent_peer(&mut self, app: &str) {
        let dir = self.script_charm(app, &SILENT_PEER_METADATA.replace("{app}", app));
        self.model.deploy(app, &dir, DeployOptions::new()).unwrap();
    }

    /// A charm directory with `metadata` and a `dispatch` that does nothing (yet).
    pub fn script_charm(&self, app: &str, metadata: &str) -> PathBuf {
        let charms = self.scratch.path().join("charms");
        emulator::script_charm(&charms, app, metadata, "#!/bin/sh\n").unwrap()
    }

    /// The keystone, mysql and rabbitmq-server fixtures, one unit each.
    pub fn deploy_peers(&mut self) {
        self.deploy("keystone", Charm::Keystone, DeployOptions::new());
        self.deploy("mysql", Charm::Mysql, DeployOptions::new());
        self.deploy(
            "rabbitmq-server",
            Charm::RabbitmqServer,
            DeployOptions::new(),
        );
    }

    /// The generic back end, complete enough to publish (a flavor for its service instances).
    pub fn deploy_generic_backend(&mut self, app: &str) {
        self.deploy(
            app,
            Charm::GenericBackend,
            DeployOptions::new().config("driver-service-instance-flavor-id", 100),
        );
    }

    /// Relates `app` to mysql, rabbitmq-server and keystone.
    pub fn relate_peers(&mut self, app: &str, identity: Identity) {
        self.model
            .relate(&format!("{app}:shared-db"), "mysql")
            .unwrap();
        self.model
            .relate(&format!("{app}:amqp"), "rabbitmq-server")
            .unwrap();
        let keystone = identity.endpoint();
        self.model
            .relate(
                &format!("{app}:{keystone}"),
                &format!("keystone:{keystone}"),
            )
            .unwrap();
    }

    /// Runs the queued hooks; every unit must end out of error.
    #[track_caller]
    pub fn settle(&mut self) {
        let report = self.model.settle().unwrap();
        assert!(
            report.units_in_error.is_empty(),
            "units in error: {:?}\n{}",
            report.units_in_error,
            self.debug_log()
        );
    }

    /// The debug log, for failure messages.
    pub fn debug_log(&self) -> String {
        self.model
            .debug_log()
            .iter()
            .fold(String::new(), |mut out, entry| {
                let _ = writeln!(out, "{}", entry.render());
                out
            })
    }

    /// `(status, message)` of a unit.
    pub fn status(&self, unit: &str) -> (String, String) {
        let status = self.model.unit_status(unit).unwrap();
        (status.status.clone(), status.message.clone())
    }

    /// Asserts the unit's status, with the debug log when it differs.
    #[track_caller]
    pub fn assert_status(&self, unit: &str, status: &str, message: &str) {
        let got = self.status(unit);
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            (status, message),
            "status of {unit}\n{}",
            self.debug_log()
        );
    }

    /// Asserts the unit is [`READY`].
    #[track_caller]
    pub fn assert_ready(&self, unit: &str) {
        self.assert_status(unit, READY.0, READY.1);
    }

    /// The path standing for `path` on the unit's machine.
    pub fn path_on(&self, unit: &str, path: &str) -> PathBuf {
        let machine = self.model.machine_of(unit).unwrap();
        self.model
            .machine_root(machine)
            .join(path.trim_start_matches('/'))
    }

    /// A file on the unit's machine, if it is there.
    pub fn file(&self, unit: &str, path: &str) -> Option<String> {
        fs::read_to_string(self.path_on(unit, path)).ok()
    }

    /// The permission bits of a file on the unit's machine, if it is there.
    pub fn mode(&self, unit: &str, path: &str) -> Option<u32> {
        fs::metadata(self.path_on(unit, path))
            .ok()
            .map(|meta| meta.permissions().mode() & 0o7777)
    }

    /// The unit's manila.conf; it must have one.
    #[track_caller]
    pub fn manila_conf(&self, unit: &str) -> Conf {
        Conf(
            self.file(unit, MANILA_CONF)
                .unwrap_or_else(|| panic!("{unit} has no {MANILA_CONF}")),
        )
    }

    /// A service on the unit's machine; it must be known there.
    #[track_caller]
    pub fn service(&self, unit: &str, name: &str) -> ServiceState {
        self.model
            .service(unit, name)
            .unwrap()
            .cloned()
            .unwrap_or_else(|| panic!("{unit}'s machine never heard of {name}"))
    }

    /// The only unit of an application (a subordinate's, typically).
    #[track_caller]
    pub fn only_unit(&self, app: &str) -> String {
        match self.model.units(app).as_slice() {
            [unit] => unit.clone(),
            other => panic!("{app} has units {other:?}, not one"),
        }
    }

    /// The service credentials `unit` (of the manila application) sent a back end on
    /// `relation`, as the back end reads them.
    #[track_caller]
    pub fn sent_credentials(&self, relation: u32, unit: &str) -> manila_plugin::Credentials {
        let bag = self.model.unit_bag(relation, unit).unwrap();
        match manila_plugin::Credentials::from_bag(&bag) {
            Ok(Readiness::Ready(credentials)) => credentials,
            other => panic!("{unit} sent no usable credentials on {relation}: {other:?}"),
        }
    }

    /// What keystone answered application `app` on identity-credentials.
    #[track_caller]
    pub fn keystone_credentials(&self, app: &str) -> keystone::credentials::Credentials {
        let relation = self
            .model
            .relation_id(&format!("{app}:identity-credentials"), "keystone")
            .unwrap();
        let bag = self.model.unit_bag(relation, "keystone/0").unwrap();
        match keystone::credentials::Credentials::from_bag(&bag) {
            Ok(Readiness::Ready(credentials)) => credentials,
            other => panic!("keystone has not answered {app}: {other:?}"),
        }
    }

    /// The catalog the keystone fixture lists: `(service, public URL, application)`.
    pub fn keystone_catalog(&mut self) -> Vec<(String, String, String)> {
        let listed = self
            .model
            .run_action("keystone/0", "list-endpoints", Map::new())
            .unwrap();
        let endpoints: Vec<Value> =
            serde_json::from_str(listed.results["endpoints"].as_str().unwrap()).unwrap();
        let field = |e: &Value, key: &str| e[key].as_str().unwrap().to_owned();
        endpoints
            .iter()
            .map(|e| {
                (
                    field(e, "service"),
                    field(e, "public_url"),
                    field(e, "application"),
                )
            })
            .collect()
    }

    /// Every `manila-manage db sync` run in the model, on any machine, in order.
    pub fn schema_syncs(&self) -> Vec<(u32, SchemaSync)> {
        let path = self
            .model
            .shared_dir()
            .join(crate::catalog::SHARED_SCHEMA_SYNCS);
        let text = fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .map(|record| {
                let field = |key: &str| record[key].as_str().unwrap_or_default().to_owned();
                // `<model>/machines/<n>/root`
                let machine = field("machine_root")
                    .rsplit('/')
                    .nth(1)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(u32::MAX);
                let sync = SchemaSync {
                    tool: field("tool"),
                    database: field("database"),
                    revision: field("revision"),
                };
                (machine, sync)
            })
            .collect()
    }

    /// The names of the hooks `unit` ran from the `from`th record of the hook log on.
    pub fn hooks_since(&self, from: usize, unit: &str) -> Vec<String> {
        self.model.hook_log()[from..]
            .iter()
            .filter(|h| h.unit == unit)
            .map(|h| h.hook.clone())
            .collect()
    }
}

impl Default for World {
    fn default() -> World {
        World::new()
    }
}
