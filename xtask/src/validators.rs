//! The Python tools the test suite checks our output with, installed from PyPI into virtual
//! environments under `build/` the first time they are needed:
//! - `oslo-config-validator` (from the `manila` package: it knows manila's option namespaces),
//! - `charm-proof` (charm-tools) and `charmcraft analyse` for packed charms, and
//!   jujubundlelib for the bundles;
//! - ops and charmhelpers, the libraries of the Python charms the emulator's tests and the
//!   manila benchmark run (`tests/python-charms/`), which copy them into each charm as
//!   `charmcraft pack` would.
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
    /// The site-packages holding ops and charmhelpers.
    pub(crate) python_charm_libs: PathBuf,
}

impl Tools {
    /// `PATH` with the charm linters first.
    pub(crate) fn path_with_linters(&self) -> Result<OsString> {
        let current = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::iter::once(self.linters_bin.clone()).chain(std::env::split_paths(&current));
        std::env::join_paths(dirs).context("building PATH for the charm linters")
    }
}

/// A virtual environment and the packages it must hold; `probe` is a path (from the
/// environment's directory) that exists once the install finished.
struct Venv {
    dir: &'static str,
    packages: &'static [&'static str],
    probe: &'static str,
}

const OSLO: Venv = Venv {
    dir: "build/venv-oslo",
    packages: &["manila"],
    probe: "bin/oslo-config-validator",
};
const LINTERS: Venv = Venv {
    dir: "build/venv-charm-tools",
    // charm-tools depends on jujubundlelib already; it is named because the bundle check
    // uses it directly.
    packages: &["charm-tools", "charmcraft==4.5.0", "jujubundlelib"],
    probe: "bin/charmcraft",
};
/// Pinned: the Python charms' tests check what these versions call. The charms run the
/// machine's `/usr/bin/python3`, whose version must be this environment's.
const PYTHON_CHARMS: Venv = Venv {
    dir: "build/venv-python-charms",
    packages: &["ops==3.9.0", "charmhelpers==1.2.1"],
    probe: "lib/python3.11/site-packages/charmhelpers/__init__.py",
};

pub(crate) fn ensure(root: &Path) -> Result<Tools> {
    let oslo = install(root, &OSLO)?;
    let linters = install(root, &LINTERS)?;
    Ok(Tools {
        oslo_config_validator: oslo.join("oslo-config-validator"),
        linters_bin: linters,
        python_charm_libs: python_charm_libs(root)?,
    })
}

/// Only ops and charmhelpers, for `cargo xtask bench`'s ops charm: the site-packages holding
/// them.
pub(crate) fn python_charm_libs(root: &Path) -> Result<PathBuf> {
    install(root, &PYTHON_CHARMS)?;
    Ok(root
        .join(PYTHON_CHARMS.dir)
        .join("lib/python3.11/site-packages"))
}

/// Creates the environment and installs its packages unless its probe is already there;
/// returns its `bin` directory.
fn install(root: &Path, venv: &Venv) -> Result<PathBuf> {
    let dir = root.join(venv.dir);
    let bin = dir.join("bin");
    if dir.join(venv.probe).exists() {
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
