//! The charms a Manila model is made of, built and packed once per process, and the
//! deployments the tests start from.
//!
//! Cargo tells a test where its own package's binaries are (`CARGO_BIN_EXE_manila-charm`), not
//! other packages'. It releases the build lock before running tests, though, so the fixture
//! charms and the back end are built here with the same `cargo`, and their paths taken from
//! its JSON messages: always fresh, however the tests were started. Each test packs what it
//! deploys into its own scratch directory (a copy of each binary), which goes with the test.

use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use charm_pack::CharmSource;
use emulator::{DeployOptions, Model, SchemaSync, ServiceState};
use serde_json::{Map, Value};
use tempfile::TempDir;

/// The workspace root, from this package's directory (`charms/manila`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A charm the tests deploy: its source directory (relative to the workspace) and the
/// package and binary that build it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charm {
    Manila,
    Keystone,
    Mysql,
    RabbitmqServer,
    GenericBackend,
}

impl Charm {
    const SIBLINGS: [Charm; 4] = [
        Charm::Keystone,
        Charm::Mysql,
        Charm::RabbitmqServer,
        Charm::GenericBackend,
    ];

    fn source(self) -> &'static str {
        match self {
            Charm::Manila => "charms/manila",
            Charm::Keystone => "tests/fixtures/charms/keystone",
            Charm::Mysql => "tests/fixtures/charms/mysql",
            Charm::RabbitmqServer => "tests/fixtures/charms/rabbitmq-server",
            Charm::GenericBackend => "charms/manila-generic-backend",
        }
    }

    /// The package, and its binary, of the same name.
    fn package(self) -> &'static str {
        match self {
            Charm::Manila => "manila-charm",
            Charm::Keystone => "fixture-keystone",
            Charm::Mysql => "fixture-mysql",
            Charm::RabbitmqServer => "fixture-rabbitmq-server",
            Charm::GenericBackend => "manila-generic-backend",
        }
    }

    fn dir_name(self) -> &'static str {
        self.source().rsplit('/').next().unwrap_or(self.source())
    }
}

/// Paths of the sibling binaries, built once per process.
fn sibling_binaries() -> &'static Vec<(Charm, PathBuf)> {
    static BUILT: OnceLock<Vec<(Charm, PathBuf)>> = OnceLock::new();
    BUILT.get_or_init(|| {
        // The fixtures' speed is not what is measured: the dev profile, already built for
        // their own tests, serves tests and benchmarks alike.
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--message-format=json", "--bins"]);
        for charm in Charm::SIBLINGS {
            cargo.args(["-p", charm.package()]);
        }
        let out = cargo.current_dir(workspace()).output().unwrap();
        assert!(
            out.status.success(),
            "cargo build of the sibling charms failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let messages: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        Charm::SIBLINGS
            .iter()
            .map(|&charm| {
                let path = messages
                    .iter()
                    .find(|m| m["target"]["name"] == charm.package() && m["executable"].is_string())
                    .and_then(|m| m["executable"].as_str())
                    .unwrap_or_else(|| panic!("cargo built no binary for {}", charm.package()));
                (charm, PathBuf::from(path))
            })
            .collect()
    })
}

fn binary(charm: Charm) -> PathBuf {
    match charm {
        Charm::Manila => PathBuf::from(env!("CARGO_BIN_EXE_manila-charm")),
        other => sibling_binaries()
            .iter()
            .find(|(c, _)| *c == other)
            .map(|(_, path)| path.clone())
            .unwrap_or_else(|| panic!("{other:?} was not built")),
    }
}

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

/// The version of Manila Ubuntu 24.04 ships (caracal).
pub(crate) const NOBLE_MANILA: &str = "1:18.0.0-0ubuntu1";

/// A test's scratch directory: its packed charms and its model.
pub(crate) struct World {
    pub(crate) model: Model,
    scratch: TempDir,
}

impl World {
    /// An empty model of Ubuntu 24.04 machines whose archive has noble's Manila (caracal).
    pub(crate) fn new() -> World {
        let scratch = tempfile::Builder::new().prefix("manila").tempdir().unwrap();
        let mut model = Model::new(scratch.path().join("model")).unwrap();
        // The emulator's archive has Debian 12's versions; its machines say Ubuntu 24.04.
        let mut catalog = model.catalog().clone();
        for (name, package) in &mut catalog.packages {
            if name.starts_with("manila-") || name == "python3-manila" {
                package.version = NOBLE_MANILA.to_owned();
            }
        }
        model.set_catalog(catalog).unwrap();
        World { model, scratch }
    }

    /// Packs `charm` into the scratch directory (once) and returns the charm directory.
    pub(crate) fn charm(&self, charm: Charm) -> PathBuf {
        let dest = self.scratch.path().join("charms").join(charm.dir_name());
        if !dest.exists() {
            CharmSource::new(workspace().join(charm.source()), binary(charm))
                .assemble_dir(&dest)
                .unwrap();
        }
        dest
    }

    pub(crate) fn deploy(&mut self, app: &str, charm: Charm, options: DeployOptions) {
        let path = self.charm(charm);
        self.model.deploy(app, path, options).unwrap();
    }

    /// A subordinate charm written as a shell script: a back end publishing `name` on the
    /// dummy driver as soon as it joins, as a manila-plugin charm does (`_name`,
    /// `_configuration_data`).
    pub(crate) fn deploy_script_backend(&mut self, app: &str, name: &str) {
        let dir = self.script_charm(app, &SCRIPT_BACKEND_METADATA.replace("{app}", app));
        let dispatch = SCRIPT_BACKEND_DISPATCH.replace("{name}", name);
        fs::write(dir.join("dispatch"), dispatch).unwrap();
        self.model.deploy(app, &dir, DeployOptions::new()).unwrap();
    }

    /// A charm providing the database, broker and identity endpoints that never answers: its
    /// clients' relations stay incomplete.
    pub(crate) fn deploy_silent_peer(&mut self, app: &str) {
        let dir = self.script_charm(app, &SILENT_PEER_METADATA.replace("{app}", app));
        self.model.deploy(app, &dir, DeployOptions::new()).unwrap();
    }

    /// A charm directory with `metadata` and a `dispatch` that does nothing (yet).
    pub(crate) fn script_charm(&self, app: &str, metadata: &str) -> PathBuf {
        let dir = self.scratch.path().join("charms").join(app);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("metadata.yaml"), metadata).unwrap();
        let dispatch = dir.join("dispatch");
        fs::write(&dispatch, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&dispatch, fs::Permissions::from_mode(0o755)).unwrap();
        dir
    }

    /// The keystone, mysql and rabbitmq-server fixtures, one unit each.
    pub(crate) fn deploy_peers(&mut self) {
        self.deploy("keystone", Charm::Keystone, DeployOptions::new());
        self.deploy("mysql", Charm::Mysql, DeployOptions::new());
        self.deploy(
            "rabbitmq-server",
            Charm::RabbitmqServer,
            DeployOptions::new(),
        );
    }

    /// The generic back end, complete enough to publish (a flavor for its service instances).
    pub(crate) fn deploy_generic_backend(&mut self, app: &str) {
        self.deploy(
            app,
            Charm::GenericBackend,
            DeployOptions::new().config("driver-service-instance-flavor-id", 100),
        );
    }

    /// Relates `app` to mysql, rabbitmq-server and keystone (on identity-service for the api
    /// role, identity-credentials otherwise).
    pub(crate) fn relate_peers(&mut self, app: &str, api: bool) {
        self.model
            .relate(&format!("{app}:shared-db"), "mysql")
            .unwrap();
        self.model
            .relate(&format!("{app}:amqp"), "rabbitmq-server")
            .unwrap();
        let keystone = if api {
            "identity-service"
        } else {
            "identity-credentials"
        };
        self.model
            .relate(
                &format!("{app}:{keystone}"),
                &format!("keystone:{keystone}"),
            )
            .unwrap();
    }

    /// Runs the queued hooks; every unit must end out of error.
    pub(crate) fn settle(&mut self) {
        let report = self.model.settle().unwrap();
        assert!(
            report.units_in_error.is_empty(),
            "units in error: {:?}\n{}",
            report.units_in_error,
            self.debug_log()
        );
    }

    /// The debug log, for failure messages.
    pub(crate) fn debug_log(&self) -> String {
        self.model
            .debug_log()
            .iter()
            .fold(String::new(), |mut out, entry| {
                let _ = writeln!(out, "{}", entry.render());
                out
            })
    }

    /// `(status, message)` of a unit.
    pub(crate) fn status(&self, unit: &str) -> (String, String) {
        let status = self.model.unit_status(unit).unwrap();
        (status.status.clone(), status.message.clone())
    }

    /// Asserts the unit's status, with the debug log when it differs.
    #[track_caller]
    pub(crate) fn assert_status(&self, unit: &str, status: &str, message: &str) {
        let got = self.status(unit);
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            (status, message),
            "status of {unit}\n{}",
            self.debug_log()
        );
    }

    /// A file on the unit's machine, if it is there.
    pub(crate) fn file(&self, unit: &str, path: &str) -> Option<String> {
        let root = self
            .model
            .machine_root(self.model.machine_of(unit).unwrap());
        fs::read_to_string(root.join(path.trim_start_matches('/'))).ok()
    }

    /// The permission bits of a file on the unit's machine.
    pub(crate) fn mode(&self, unit: &str, path: &str) -> u32 {
        let root = self
            .model
            .machine_root(self.model.machine_of(unit).unwrap());
        fs::metadata(root.join(path.trim_start_matches('/')))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    }

    /// A service on the unit's machine; it must be known there.
    #[track_caller]
    pub(crate) fn service(&self, unit: &str, name: &str) -> ServiceState {
        self.model
            .service(unit, name)
            .unwrap()
            .cloned()
            .unwrap_or_else(|| panic!("{unit}'s machine never heard of {name}"))
    }

    /// The catalog the keystone fixture lists: `(service, public URL, application)`.
    pub(crate) fn keystone_catalog(&mut self) -> Vec<(String, String, String)> {
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

    /// Every `manila-manage db sync` run in the model, on any machine.
    pub(crate) fn schema_syncs(&self) -> Vec<(u32, SchemaSync)> {
        self.model
            .machines()
            .into_iter()
            .flat_map(|machine| {
                let syncs = self
                    .model
                    .machine_state(machine)
                    .unwrap()
                    .schema_syncs
                    .clone();
                syncs.into_iter().map(move |sync| (machine, sync))
            })
            .collect()
    }

    /// The names of the hooks `unit` ran from the `from`th record of the hook log on.
    pub(crate) fn hooks_since(&self, from: usize, unit: &str) -> Vec<String> {
        self.model.hook_log()[from..]
            .iter()
            .filter(|h| h.unit == unit)
            .map(|h| h.hook.clone())
            .collect()
    }
}

/// The whole Manila model on one unit: keystone, mysql and rabbitmq-server, a `manila` unit
/// with every role, and the generic back end on it, settled.
pub(crate) fn all_in_one() -> World {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new().config("default-share-backend", "generic"),
    );
    world.deploy_generic_backend("manila-generic-backend");
    world.relate_peers("manila", true);
    world
        .model
        .relate(
            "manila:manila-plugin",
            "manila-generic-backend:manila-plugin",
        )
        .unwrap();
    world.settle();
    world
}
