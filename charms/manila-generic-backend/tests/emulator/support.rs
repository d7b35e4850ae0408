//! The charms of a Manila model with generic back ends, built once per process, and the
//! deployment every test starts from.
//!
//! Cargo tells a test where its own package's binary is (`CARGO_BIN_EXE_manila-generic-backend`),
//! not other packages'. It releases the build lock before running tests, though, so the
//! manila charm and the fixtures are built here with the same `cargo`, and their paths taken
//! from its JSON messages: always fresh, however the tests were started. Each test packs what
//! it deploys into its own scratch directory, which goes with the test.

use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use charm_pack::CharmSource;
use databag::Readiness;
use emulator::{ConfigValue, DeployOptions, Model, ServiceState};
use serde_json::Value;
use tempfile::TempDir;

/// The share-only manila application the back ends sit on.
pub(crate) const MANILA: &str = "manila";
pub(crate) const MANILA_UNIT: &str = "manila/0";
/// The `api,scheduler` application that registers Manila in keystone and syncs the schema.
pub(crate) const MANILA_API: &str = "manila-api";
pub(crate) const MANILA_CONF: &str = "/etc/manila/manila.conf";
pub(crate) const READY: (&str, &str) = ("active", "Unit is ready");

/// Ubuntu 24.04's Manila (caracal): the emulated machines say noble, the archive Debian 12.
const NOBLE_MANILA: &str = "1:18.0.0-0ubuntu1";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A charm the tests deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charm {
    GenericBackend,
    Manila,
    Keystone,
    Mysql,
    RabbitmqServer,
}

impl Charm {
    const SIBLINGS: [Charm; 4] = [
        Charm::Manila,
        Charm::Keystone,
        Charm::Mysql,
        Charm::RabbitmqServer,
    ];

    fn source(self) -> &'static str {
        match self {
            Charm::GenericBackend => "charms/manila-generic-backend",
            Charm::Manila => "charms/manila",
            Charm::Keystone => "tests/fixtures/charms/keystone",
            Charm::Mysql => "tests/fixtures/charms/mysql",
            Charm::RabbitmqServer => "tests/fixtures/charms/rabbitmq-server",
        }
    }

    /// The package building the charm; its binary has the same name.
    fn package(self) -> &'static str {
        match self {
            Charm::GenericBackend => "manila-generic-backend",
            Charm::Manila => "manila-charm",
            Charm::Keystone => "fixture-keystone",
            Charm::Mysql => "fixture-mysql",
            Charm::RabbitmqServer => "fixture-rabbitmq-server",
        }
    }

    fn binary(self) -> PathBuf {
        if self == Charm::GenericBackend {
            return PathBuf::from(env!("CARGO_BIN_EXE_manila-generic-backend"));
        }
        sibling_binaries()
            .iter()
            .find(|(charm, _)| *charm == self)
            .map(|(_, path)| path.clone())
            .unwrap_or_else(|| panic!("{self:?} was not built"))
    }
}

/// The other packages' binaries, built once per process in the profile of this test.
fn sibling_binaries() -> &'static Vec<(Charm, PathBuf)> {
    static BUILT: OnceLock<Vec<(Charm, PathBuf)>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--message-format=json", "--bins"]);
        for charm in Charm::SIBLINGS {
            cargo.args(["-p", charm.package()]);
        }
        if !cfg!(debug_assertions) {
            cargo.arg("--release");
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

/// A generic back end application: its name and its options besides the defaults.
#[derive(Debug, Clone)]
pub(crate) struct BackendApp {
    pub(crate) app: &'static str,
    pub(crate) options: Vec<(&'static str, ConfigValue)>,
}

impl BackendApp {
    /// The back end `name`, without share servers: nothing else is needed to publish it.
    pub(crate) fn named(app: &'static str, name: &str) -> BackendApp {
        BackendApp {
            app,
            options: vec![
                ("share-backend-name", name.into()),
                ("driver-handles-share-servers", false.into()),
            ],
        }
    }

    pub(crate) fn with(mut self, key: &'static str, value: impl Into<ConfigValue>) -> BackendApp {
        self.options.push((key, value.into()));
        self
    }
}

/// A test's scratch directory: its packed charms and its model.
pub(crate) struct World {
    pub(crate) model: Model,
    scratch: TempDir,
}

impl World {
    /// An empty model of Ubuntu 24.04 machines whose archive has noble's Manila.
    pub(crate) fn new() -> World {
        let scratch = tempfile::Builder::new()
            .prefix("generic-backend")
            .tempdir()
            .unwrap();
        let mut model = Model::new(scratch.path().join("model")).unwrap();
        let mut catalog = model.catalog().clone();
        for (name, package) in &mut catalog.packages {
            if name.starts_with("manila-") || name == "python3-manila" {
                package.version = NOBLE_MANILA.to_owned();
            }
        }
        model.set_catalog(catalog).unwrap();
        World { model, scratch }
    }

    /// The keystone, mysql and rabbitmq-server fixtures and an `api,scheduler` manila
    /// application, settled: the schema is synced before any share unit looks for it. Then
    /// the share-only `manila` application with `backends` related over manila-plugin (and
    /// the default back end set to the first), settled.
    pub(crate) fn share_deployment(backends: &[BackendApp]) -> World {
        let mut world = World::new();
        world.deploy("keystone", Charm::Keystone, DeployOptions::new());
        world.deploy("mysql", Charm::Mysql, DeployOptions::new());
        world.deploy(
            "rabbitmq-server",
            Charm::RabbitmqServer,
            DeployOptions::new(),
        );
        world.deploy(
            MANILA_API,
            Charm::Manila,
            DeployOptions::new().config("roles", "api,scheduler"),
        );
        world.relate_peers(MANILA_API, "identity-service");
        world.settle();

        let mut manila = DeployOptions::new().config("roles", "share");
        if let Some(first) = backends.first() {
            let name = first
                .options
                .iter()
                .find(|(key, _)| *key == "share-backend-name")
                .map(|(_, value)| value.clone());
            if let Some(name) = name {
                manila = manila.config("default-share-backend", name);
            }
        }
        world.deploy(MANILA, Charm::Manila, manila);
        world.relate_peers(MANILA, "identity-credentials");
        for backend in backends {
            world.deploy_backend(backend);
            world.relate_backend(backend.app);
        }
        world.settle();
        world
    }

    pub(crate) fn deploy(&mut self, app: &str, charm: Charm, options: DeployOptions) {
        let dest = self.scratch.path().join("charms").join(charm.package());
        if !dest.exists() {
            CharmSource::new(workspace().join(charm.source()), charm.binary())
                .assemble_dir(&dest)
                .unwrap();
        }
        self.model.deploy(app, dest, options).unwrap();
    }

    pub(crate) fn deploy_backend(&mut self, backend: &BackendApp) {
        let options = backend
            .options
            .iter()
            .fold(DeployOptions::new(), |options, (key, value)| {
                options.config(key, value.clone())
            });
        self.deploy(backend.app, Charm::GenericBackend, options);
    }

    /// Relates the back end application to `manila` over manila-plugin; returns the id.
    pub(crate) fn relate_backend(&mut self, app: &str) -> u32 {
        self.model
            .relate(
                &format!("{MANILA}:manila-plugin"),
                &format!("{app}:manila-plugin"),
            )
            .unwrap()
    }

    fn relate_peers(&mut self, app: &str, keystone_endpoint: &str) {
        self.model
            .relate(&format!("{app}:shared-db"), "mysql")
            .unwrap();
        self.model
            .relate(&format!("{app}:amqp"), "rabbitmq-server")
            .unwrap();
        self.model
            .relate(
                &format!("{app}:{keystone_endpoint}"),
                &format!("keystone:{keystone_endpoint}"),
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

    /// Asserts the unit's status, with the debug log when it differs.
    #[track_caller]
    pub(crate) fn assert_status(&self, unit: &str, (status, message): (&str, &str)) {
        let got = self.model.unit_status(unit).unwrap();
        assert_eq!(
            (got.status.as_str(), got.message.as_str()),
            (status, message),
            "status of {unit}\n{}",
            self.debug_log()
        );
    }

    /// The path standing for `path` on the unit's machine.
    pub(crate) fn path_on(&self, unit: &str, path: &str) -> PathBuf {
        let machine = self.model.machine_of(unit).unwrap();
        self.model
            .machine_root(machine)
            .join(path.trim_start_matches('/'))
    }

    /// A file on the unit's machine, if it is there.
    pub(crate) fn file(&self, unit: &str, path: &str) -> Option<String> {
        fs::read_to_string(self.path_on(unit, path)).ok()
    }

    /// The permission bits of a file on the unit's machine, if it is there.
    pub(crate) fn mode(&self, unit: &str, path: &str) -> Option<u32> {
        fs::metadata(self.path_on(unit, path))
            .ok()
            .map(|meta| meta.permissions().mode() & 0o7777)
    }

    /// The manila unit's manila.conf.
    #[track_caller]
    pub(crate) fn manila_conf(&self) -> Conf {
        Conf(
            self.file(MANILA_UNIT, MANILA_CONF)
                .unwrap_or_else(|| panic!("{MANILA_UNIT} has no {MANILA_CONF}")),
        )
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

    /// The only unit of a subordinate application.
    #[track_caller]
    pub(crate) fn backend_unit(&self, app: &str) -> String {
        match self.model.units(app).as_slice() {
            [unit] => unit.clone(),
            other => panic!("{app} has units {other:?}, not one"),
        }
    }

    /// What `unit` of the manila application sent a back end on `relation`: the service
    /// credentials as the back end reads them.
    #[track_caller]
    pub(crate) fn sent_credentials(&self, relation: u32) -> manila_plugin::Credentials {
        let bag = self.model.unit_bag(relation, MANILA_UNIT).unwrap();
        match manila_plugin::Credentials::from_bag(&bag) {
            Ok(Readiness::Ready(credentials)) => credentials,
            other => panic!("{MANILA_UNIT} sent no usable credentials on {relation}: {other:?}"),
        }
    }

    /// What keystone answered the manila application on identity-credentials.
    #[track_caller]
    pub(crate) fn keystone_credentials(&self) -> keystone::credentials::Credentials {
        let relation = self
            .model
            .relation_id(&format!("{MANILA}:identity-credentials"), "keystone")
            .unwrap();
        let bag = self.model.unit_bag(relation, "keystone/0").unwrap();
        match keystone::credentials::Credentials::from_bag(&bag) {
            Ok(Readiness::Ready(credentials)) => credentials,
            other => panic!("keystone has not answered {MANILA}: {other:?}"),
        }
    }
}

/// A manila.conf's text, read as oslo.config reads it: `[section]` lines, `key = value` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Conf(pub(crate) String);

impl Conf {
    /// The `key = value` lines of every `[name]` section, in order (a section may repeat:
    /// each back end sends its own `[nova]`).
    pub(crate) fn section(&self, name: &str) -> Vec<(String, String)> {
        let header = format!("[{name}]");
        let mut inside = false;
        let mut lines = Vec::new();
        for line in self.0.lines().map(str::trim) {
            if line.starts_with('[') {
                inside = line == header;
            } else if inside {
                if let Some((key, value)) = line.split_once('=') {
                    lines.push((key.trim().to_owned(), value.trim().to_owned()));
                }
            }
        }
        lines
    }

    /// How many `[name]` headers there are.
    pub(crate) fn headers(&self, name: &str) -> usize {
        let header = format!("[{name}]");
        self.0.lines().filter(|line| line.trim() == header).count()
    }

    /// The value of `key` in the `[DEFAULT]` section.
    pub(crate) fn default(&self, key: &str) -> Option<String> {
        self.section("DEFAULT")
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value)
    }

    /// `enabled_share_backends`, split.
    pub(crate) fn enabled_backends(&self) -> Vec<String> {
        self.default("enabled_share_backends")
            .map(|names| names.split(',').map(|n| n.trim().to_owned()).collect())
            .unwrap_or_default()
    }

    /// Whether the text mentions back end `name` at all: its section, its
    /// `share_backend_name`, or the comment above its sections.
    pub(crate) fn mentions_backend(&self, name: &str) -> bool {
        self.headers(name) > 0
            || self.0.contains(&format!("share_backend_name = {name}\n"))
            || self.0.contains(&format!("Share back end '{name}'"))
    }
}
