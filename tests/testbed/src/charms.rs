//! The workspace's charms, built with the cargo running the tests.
//!
//! Cargo tells a test where its own package's binaries are, not other packages'. It releases
//! the build lock before running tests, though, so every charm is built here, once per
//! process, with the same `cargo` and in the profile of the test (or benchmark) asking, and
//! their paths are taken from cargo's JSON messages: always fresh, however the tests were
//! started.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use charm_pack::{CargoCharm, CharmSource};
use serde_json::Value;

/// A charm of the workspace a test deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Charm {
    Manila,
    GenericBackend,
    NetappBackend,
    Keystone,
    Mysql,
    RabbitmqServer,
    Hacluster,
    Vault,
    Nrpe,
}

impl Charm {
    pub const ALL: [Charm; 9] = [
        Charm::Manila,
        Charm::GenericBackend,
        Charm::NetappBackend,
        Charm::Keystone,
        Charm::Mysql,
        Charm::RabbitmqServer,
        Charm::Hacluster,
        Charm::Vault,
        Charm::Nrpe,
    ];

    /// Its directory, relative to the workspace root.
    pub fn source(self) -> &'static str {
        match self {
            Charm::Manila => "charms/manila",
            Charm::GenericBackend => "charms/manila-generic-backend",
            Charm::NetappBackend => "charms/manila-netapp-backend",
            Charm::Keystone => "tests/fixtures/charms/keystone",
            Charm::Mysql => "tests/fixtures/charms/mysql",
            Charm::RabbitmqServer => "tests/fixtures/charms/rabbitmq-server",
            Charm::Hacluster => "tests/fixtures/charms/hacluster",
            Charm::Vault => "tests/fixtures/charms/vault",
            Charm::Nrpe => "tests/fixtures/charms/nrpe",
        }
    }

    /// The last component of its directory: the charm's name.
    pub fn dir_name(self) -> &'static str {
        let source = self.source();
        source.rsplit('/').next().unwrap_or(source)
    }

    /// The charm's source directory.
    pub fn dir(self) -> PathBuf {
        workspace().join(self.source())
    }

    /// The charm's directory and binaries (the one `dispatch` runs, and those it execs),
    /// built (with every other charm) on first use: what packing it takes.
    #[track_caller]
    pub fn built(self) -> CharmSource {
        built()
            .iter()
            .find(|(charm, _)| *charm == self)
            .map(|(_, source)| source.clone())
            .unwrap_or_else(|| panic!("{self:?} was not built"))
    }

    /// The binary `dispatch` runs.
    #[track_caller]
    pub fn binary(self) -> PathBuf {
        self.built().binary
    }
}

impl Charm {
    /// Runs the charm's binary with an empty environment, as no Juju runs it: its exit code
    /// and what it printed on stderr.
    pub fn run_outside_juju(self) -> (Option<i32>, String) {
        let out = Command::new(self.binary())
            .env_clear()
            .output()
            .unwrap_or_else(|e| panic!("{self:?}'s binary does not run: {e}"));
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn built() -> &'static Vec<(Charm, CharmSource)> {
    static BUILT: OnceLock<Vec<(Charm, CharmSource)>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let targets: Vec<(Charm, CargoCharm)> = Charm::ALL
            .iter()
            .map(|&charm| {
                let cargo = CargoCharm::read(&charm.dir())
                    .unwrap_or_else(|err| panic!("{}: {err}", charm.source()));
                (charm, cargo)
            })
            .collect();
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--message-format=json", "--bins"]);
        for (_, target) in &targets {
            cargo.args(["-p", &target.package]);
        }
        // Benchmarks measure the release build; tests take the dev build their packages'
        // own tests already made.
        if !cfg!(debug_assertions) {
            cargo.arg("--release");
        }
        let out = cargo.current_dir(workspace()).output().expect("cargo runs");
        assert!(
            out.status.success(),
            "cargo build of the charms failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let messages: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        targets
            .into_iter()
            .map(|(charm, target)| {
                let path = |binary: &str| {
                    messages
                        .iter()
                        .filter(|m| m["target"]["kind"][0] == "bin")
                        .find(|m| m["target"]["name"] == binary)
                        .and_then(|m| m["executable"].as_str())
                        .map(PathBuf::from)
                        .unwrap_or_else(|| panic!("cargo built no binary {binary}"))
                };
                let source = CharmSource::new(charm.dir(), path(&target.binary))
                    .with_other_binaries(target.other_binaries.iter().map(|b| path(b)));
                (charm, source)
            })
            .collect()
    })
}
