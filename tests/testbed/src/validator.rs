//! `oslo-config-validator`, which knows every option name Manila and its libraries register
//! (it checks names, not values), run on a manila.conf text.
//!
//! [`Validator::find`] takes the executable `OSLO_CONFIG_VALIDATOR` names, else the one
//! `cargo xtask` installs in `build/venv-oslo`. Without either a test skips, saying so on
//! stderr, unless `REQUIRE_OSLO_VALIDATOR=1`, where the missing validator fails it: CI sets
//! that so that a lost validator cannot pass silently.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::charms::workspace;

/// The namespaces that cover a real manila.conf (`real-peers.md` §2): upstream's generator
/// list is too narrow (it misses oslo.log, oslo.concurrency, ...).
pub const MANILA_NAMESPACES: &[&str] = &[
    "manila",
    "oslo.messaging",
    "oslo.middleware.cors",
    "oslo.middleware.http_proxy_to_wsgi",
    "oslo.db",
    "oslo.db.concurrency",
    "keystonemiddleware.auth_token",
    "oslo.log",
    "oslo.concurrency",
    "oslo.policy",
    "oslo.service.service",
    "oslo.service.wsgi",
    "oslo.reports",
    "osprofiler",
];

/// Where `cargo xtask` installs the validator, relative to the workspace root.
const XTASK_VENV: &str = "build/venv-oslo/bin/oslo-config-validator";

/// An `oslo-config-validator` executable.
#[derive(Debug, Clone)]
pub struct Validator {
    path: PathBuf,
}

/// What the validator said about a text it did not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Its exit code (`None` if a signal ended it).
    pub exit_code: Option<i32>,
    /// Its `ERROR` lines, one per unknown option (`... DEFAULT/foo not found`).
    pub errors: Vec<String>,
}

impl Rejected {
    /// Whether an error names `needle` (`"DEFAULT/enabled_share_backend"`).
    pub fn mentions(&self, needle: &str) -> bool {
        self.errors.iter().any(|e| e.contains(needle))
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "exit {:?}:", self.exit_code)?;
        f.write_str(&self.errors.join("\n"))
    }
}

impl Validator {
    /// The validator to use, or `None` (after saying why on stderr) when there is none and
    /// none is required.
    ///
    /// # Panics
    ///
    /// When `OSLO_CONFIG_VALIDATOR` names no file, or no validator is found while
    /// `REQUIRE_OSLO_VALIDATOR=1`.
    pub fn find() -> Option<Validator> {
        if let Some(path) = std::env::var_os("OSLO_CONFIG_VALIDATOR") {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "OSLO_CONFIG_VALIDATOR={} is not a file",
                path.display()
            );
            return Some(Validator { path });
        }
        let installed = workspace().join(XTASK_VENV);
        if installed.is_file() {
            return Some(Validator { path: installed });
        }
        let required = std::env::var("REQUIRE_OSLO_VALIDATOR").is_ok_and(|v| v == "1");
        let how = "install it (python3 -m venv V && V/bin/pip install manila) and set \
                   OSLO_CONFIG_VALIDATOR=V/bin/oslo-config-validator";
        assert!(
            !required,
            "REQUIRE_OSLO_VALIDATOR=1 but there is no oslo-config-validator (neither \
             OSLO_CONFIG_VALIDATOR nor {XTASK_VENV}): {how}"
        );
        eprintln!("skipped: no oslo-config-validator (OSLO_CONFIG_VALIDATOR, {XTASK_VENV}); {how}");
        None
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Validates `conf` against [`MANILA_NAMESPACES`], skipping the groups `exclude` (back-end
    /// sections, which the operator names and no namespace knows).
    ///
    /// # Panics
    ///
    /// When the validator cannot be run at all.
    pub fn check(&self, conf: &str, exclude: &[&str]) -> Result<(), Rejected> {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let input = dir.path().join("manila.conf");
        fs::write(&input, conf).expect("the text to validate is written");
        let mut cmd = Command::new(&self.path);
        for namespace in MANILA_NAMESPACES {
            cmd.args(["--namespace", namespace]);
        }
        for group in exclude {
            cmd.args(["--exclude-group", group]);
        }
        cmd.arg("--input-file").arg(&input);
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{} does not run: {e}", self.path.display()));
        let errors: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("ERROR"))
            .map(str::to_owned)
            .collect();
        if out.status.success() && errors.is_empty() {
            Ok(())
        } else {
            Err(Rejected {
                exit_code: out.status.code(),
                errors,
            })
        }
    }
}
