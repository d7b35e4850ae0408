//! The Python tools the test suite checks our output with, installed from PyPI into virtual
//! environments under `build/` the first time they are needed:
//! - `oslo-config-validator` (from the `manila` package: it knows manila's option namespaces),
//! - `charm-proof` (charm-tools) and `charmcraft analyse` for packed charms, and
//!   jujubundlelib for the bundles.
//!
//! They live in two environments because manila and charmcraft pin different versions of
//! shared libraries.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::step;

pub(crate) struct Tools {
    pub(crate) oslo_config_validator: PathBuf,
    linters_bin: PathBuf,
}

impl Tools {
    /// `PATH` with the charm linters first.
    pub(crate) fn path_with_linters(&self) -> Result<OsString> {
        let current = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::iter::once(self.linters_bin.clone()).chain(std::env::split_paths(&current));
        std::env::join_paths(dirs).context("building PATH for the charm linters")
    }
}

/// A virtual environment and the packages it must hold; `probe` is an executable that exists
/// once the install finished.
struct Venv {
    dir: &'static str,
    packages: &'static [&'static str],
    probe: &'static str,
}

const OSLO: Venv = Venv {
    dir: "build/venv-oslo",
    packages: &["manila"],
    probe: "oslo-config-validator",
};
const LINTERS: Venv = Venv {
    dir: "build/venv-charm-tools",
    // charm-tools depends on jujubundlelib already; it is named because the bundle check
    // uses it directly.
    packages: &["charm-tools", "charmcraft==4.5.0", "jujubundlelib"],
    probe: "charmcraft",
};

pub(crate) fn ensure(root: &Path) -> Result<Tools> {
    let oslo = install(root, &OSLO)?;
    let linters = install(root, &LINTERS)?;
    Ok(Tools {
        oslo_config_validator: oslo.join(OSLO.probe),
        linters_bin: linters,
    })
}

/// Creates the environment and installs its packages unless its probe is already there;
/// returns its `bin` directory.
fn install(root: &Path, venv: &Venv) -> Result<PathBuf> {
    let dir = root.join(venv.dir);
    let bin = dir.join("bin");
    if bin.join(venv.probe).exists() {
        return Ok(bin);
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut create = Command::new(python);
    create.arg("-m").arg("venv").arg(&dir);
    step(&format!("create {}", venv.dir), create)?;
    let mut pip = Command::new(bin.join("pip"));
    pip.args(["install", "--quiet", "--disable-pip-version-check"])
        .args(venv.packages);
    step(
        &format!("pip install {} into {}", venv.packages.join(" "), venv.dir),
        pip,
    )?;
    Ok(bin)
}
