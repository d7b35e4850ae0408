//! A hook environment for running the built binary as Juju would: small shell scripts named
//! like the hook tools first on `PATH` (each logs its argv and stdin and prints a canned
//! answer), the `JUJU_*` variables of a subordinate unit, and a scratch machine root in
//! `CHARM_HOST_ROOT` standing for the principal's machine.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const TOOLS: &[&str] = &[
    "action-fail",
    "action-get",
    "action-log",
    "action-set",
    "config-get",
    "juju-log",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-set",
    "state-delete",
    "state-get",
    "state-set",
    "status-get",
    "status-set",
];

pub(crate) struct FakeJuju {
    dir: tempfile::TempDir,
}

impl FakeJuju {
    pub(crate) fn new() -> FakeJuju {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let fake = FakeJuju { dir };
        for sub in ["bin", "answers", "root", "charm"] {
            fs::create_dir_all(fake.dir.path().join(sub)).expect("scratch directories");
        }
        let log = fake.log_path();
        let answers = fake.dir.path().join("answers");
        let script = fake.dir.path().join("fake-tool");
        // One script for every tool, told apart by the name it runs as. It answers from
        // `answers/<tool> <args>` (slashes as '%') if present, else from `answers/<tool>`.
        let body = format!(
            r#"#!/bin/sh
tool=${{0##*/}}
{{ printf '%s' "$tool"; for arg in "$@"; do printf ' %s' "$arg"; done; }} >> '{log}'
case " $* " in *" --file - "*) printf ' <<< ' >> '{log}'; cat >> '{log}';; esac
echo >> '{log}'
exact=$(printf '%s %s' "$tool" "$*" | tr '/' '%')
if [ -f '{answers}/'"$exact" ]; then cat '{answers}/'"$exact"
elif [ -f '{answers}/'"$tool" ]; then cat '{answers}/'"$tool"; fi
"#,
            log = log.display(),
            answers = answers.display(),
        );
        fs::write(&script, body).expect("the fake tool");
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
        for tool in TOOLS {
            symlink(&script, fake.dir.path().join("bin").join(tool)).expect("a tool link");
        }
        fake
    }

    /// Makes `tool` print `stdout` whatever its arguments.
    pub(crate) fn answer(&self, tool: &str, stdout: &str) -> &Self {
        fs::write(self.dir.path().join("answers").join(tool), stdout).expect("an answer");
        self
    }

    /// Makes `tool` print `stdout` when called with exactly `args`.
    pub(crate) fn answer_to(&self, tool: &str, args: &str, stdout: &str) -> &Self {
        let name = format!("{tool} {args}").replace('/', "%");
        fs::write(self.dir.path().join("answers").join(name), stdout).expect("an answer");
        self
    }

    /// The scratch machine's root (`CHARM_HOST_ROOT`).
    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// `binary` set up to run hook or action `dispatch_path` of unit
    /// `manila-generic-backend/0`, subordinate to `manila/0`, with the environment a Juju
    /// hook gets (plus `CHARM_HOST_ROOT`).
    pub(crate) fn command(&self, binary: &Path, dispatch_path: &str) -> Command {
        let charm_dir = self.dir.path().join("charm");
        let path = format!("{}:/usr/bin:/bin", self.dir.path().join("bin").display());
        let mut cmd = Command::new(binary);
        cmd.env_clear()
            .current_dir(&charm_dir)
            .env("PATH", path)
            .env("CHARM_HOST_ROOT", self.root())
            .env("JUJU_UNIT_NAME", "manila-generic-backend/0")
            .env("JUJU_PRINCIPAL_UNIT", "manila/0")
            .env("JUJU_CHARM_DIR", &charm_dir)
            .env("CHARM_DIR", &charm_dir)
            .env("JUJU_DISPATCH_PATH", dispatch_path)
            .env("JUJU_MODEL_NAME", "test")
            .env("JUJU_MODEL_UUID", "5f0e7a0c-6e2c-4f4e-8a53-7d1c2f0a9b10")
            .env("JUJU_VERSION", "3.6.4")
            .env("JUJU_CONTEXT_ID", "manila-generic-backend/0-test-1");
        if let Some(hook) = dispatch_path.strip_prefix("hooks/") {
            cmd.env("JUJU_HOOK_NAME", hook);
        }
        if let Some(action) = dispatch_path.strip_prefix("actions/") {
            cmd.env("JUJU_ACTION_NAME", action)
                .env("JUJU_ACTION_UUID", "1");
        }
        cmd
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    /// Every call logged so far, one line each (stdin after ` <<< `).
    pub(crate) fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}
