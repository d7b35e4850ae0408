//! The built binary, run as Juju runs it: hook tools as scripts first on `PATH` (each logs
//! its argv and prints the answer scripted for exactly that argv), the `JUJU_*` variables,
//! and the scratch machine (`CHARM_HOST_ROOT` and its commands).

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::machine::Machine;

const TOOLS: &[&str] = &[
    "application-version-set",
    "close-port",
    "config-get",
    "is-leader",
    "juju-log",
    "network-get",
    "open-port",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-set",
    "state-delete",
    "state-get",
    "state-set",
    "status-set",
];

struct HookTools {
    dir: tempfile::TempDir,
}

impl HookTools {
    fn new() -> HookTools {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["bin", "answers"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let script = dir.path().join("tool");
        let body = format!(
            r#"#!/bin/sh
tool=${{0##*/}}
line="$tool"; for a in "$@"; do line="$line $a"; done
echo "$line" >> '{log}'
key=$(printf '%s' "$line" | tr ' /' '_%')
if [ -f '{answers}/'"$key" ]; then cat '{answers}/'"$key"; elif [ -f '{answers}/'"$tool" ]; then cat '{answers}/'"$tool"; fi
"#,
            log = dir.path().join("log").display(),
            answers = dir.path().join("answers").display(),
        );
        fs::write(&script, body).unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        for tool in TOOLS {
            symlink(&script, dir.path().join("bin").join(tool)).unwrap();
        }
        HookTools { dir }
    }

    /// Makes the call `argv` (or any call of a tool, when `argv` is just its name) print
    /// `stdout`.
    fn answer(&self, argv: &str, stdout: &str) -> &Self {
        let key = argv.replace(' ', "_").replace('/', "%");
        fs::write(self.dir.path().join("answers").join(key), stdout).unwrap();
        self
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_manila-charm"))
}

fn hook(tools: &HookTools, machine: &Machine, hook: &str) -> Command {
    let charm_dir = tools.dir.path().join("charm");
    fs::create_dir_all(&charm_dir).unwrap();
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        tools.bin().display(),
        machine.bin().display()
    );
    let mut cmd = Command::new(binary());
    cmd.env_clear()
        .current_dir(&charm_dir)
        .env("PATH", path)
        .env("CHARM_HOST_ROOT", machine.root())
        .env("JUJU_UNIT_NAME", "manila/0")
        .env("JUJU_CHARM_DIR", &charm_dir)
        .env("CHARM_DIR", &charm_dir)
        .env("JUJU_DISPATCH_PATH", format!("hooks/{hook}"))
        .env("JUJU_HOOK_NAME", hook)
        .env("JUJU_MODEL_NAME", "test")
        .env("JUJU_MODEL_UUID", "5f0e7a0c-6e2c-4f4e-8a53-7d1c2f0a9b10")
        .env("JUJU_VERSION", "3.6.4")
        .env("JUJU_CONTEXT_ID", "manila/0-install-1");
    cmd
}

#[test]
fn install_without_relations_installs_renders_and_blocks_on_the_missing_backend() {
    let machine = Machine::new();
    let tools = HookTools::new();
    let defaults = charm::config::RawConfig::defaults(manila_charm::OPTIONS);
    let config: serde_json::Map<String, serde_json::Value> = manila_charm::OPTIONS
        .iter()
        .map(|o| {
            (
                o.name.to_owned(),
                defaults.get(o.name).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let config = serde_json::to_string(&config).unwrap();
    let network = r#"{"bind-addresses":[{"interface-name":"eth0","addresses":[{"value":"10.5.0.10","cidr":"10.5.0.0/24"}]}],"ingress-addresses":["10.5.0.10"]}"#;
    tools
        .answer("config-get", &config)
        .answer("is-leader", "true")
        .answer("state-get", "{}")
        .answer("relation-ids", "[]")
        .answer("network-get", network)
        .answer(
            "network-get --format=json --ingress-address cluster",
            "\"10.5.0.10\"",
        );

    let out = hook(&tools, &machine, "install").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let calls = tools.calls();
    let status: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("status-set"))
        .collect();
    assert_eq!(
        status,
        ["status-set blocked -- No share backends configured"]
    );
    assert!(
        calls.contains(&"open-port 8786/tcp".to_owned()),
        "{calls:#?}"
    );
    assert!(calls.contains(&"application-version-set -- 18.0.0".to_owned()));
    assert!(!calls.iter().any(|c| c.starts_with("relation-set")));

    // Installed and rendered, but nothing runs before the relations are there.
    let machine_log = machine.take_changes();
    assert!(machine_log.iter().any(|c| c.starts_with("apt-get install")));
    assert!(!machine_log.iter().any(|c| c.starts_with("manila-manage")));
    assert_eq!(machine.running(), Vec::<String>::new());
    let conf = machine.file("/etc/manila/manila.conf").unwrap();
    assert!(conf.contains("enabled_share_protocols = NFS,CIFS"));
    assert!(!conf.contains("[database]"));
    assert_eq!(machine.mode("/etc/manila/manila.conf"), 0o640);
    assert!(machine.file("/etc/haproxy/haproxy.cfg").is_some());
}

#[test]
fn outside_a_hook_the_binary_says_so() {
    let out = Command::new(binary()).env_clear().output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JUJU_UNIT_NAME is not set"));
}
