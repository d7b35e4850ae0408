//! The ops-framework charm measured beside manila: `tests/python-charms/ops-api-service`,
//! which reads the relations manila reads (shared-db, amqp, identity-service), renders one
//! file and sets its status, deployed into the same model and related to the same fixtures.
//!
//! ops comes from PyPI: `cargo xtask bench` installs it into `build/venv-python-charms` and
//! names its site-packages in `PYTHON_CHARM_LIBS`, as `cargo xtask test` does for the
//! emulator's Python-charm tests; the charm gets a copy in its `venv/`, as `charmcraft pack`
//! would put it.

use std::fs;
use std::path::{Path, PathBuf};

use emulator::DeployOptions;
use manila_testbed::workspace;

use crate::support::World;

pub(crate) const APP: &str = "ops-api-service";
pub(crate) const UNIT: &str = "ops-api-service/0";

/// The site-packages holding ops, or why the ops charm is skipped and how to get it.
pub(crate) fn libraries() -> Result<PathBuf, String> {
    let dir = std::env::var_os("PYTHON_CHARM_LIBS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace().join("build/venv-python-charms/lib/python3.11/site-packages")
        });
    if dir.join("ops").is_dir() && dir.join("jinja2").is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "skipped the ops charm: no ops (and jinja2) in {}; `cargo xtask bench` installs \
             them (build/venv-python-charms), or set PYTHON_CHARM_LIBS to a Python 3.11 \
             site-packages holding ops==3.9.0 and jinja2",
            dir.display()
        ))
    }
}

/// Deploys the ops charm with `libraries` and relates it as the all-in-one manila is; the
/// caller settles.
pub(crate) fn deploy(world: &mut World, libraries: &Path) {
    let source = workspace().join("tests/python-charms").join(APP);
    let metadata = fs::read_to_string(source.join("metadata.yaml")).unwrap();
    let dir = world.script_charm(APP, &metadata);
    copy(&source, &dir);
    let venv = dir.join("venv");
    fs::create_dir_all(&venv).unwrap();
    for entry in fs::read_dir(libraries).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        // What pip needs to install, not what a charm imports: charmcraft leaves it out.
        let tooling = ["pip", "setuptools", "_distutils_hack", "pkg_resources"]
            .iter()
            .any(|t| name == *t || name.starts_with(&format!("{t}-")));
        if !tooling && !name.ends_with(".pth") {
            copy(&entry.path(), &venv.join(&name));
        }
    }
    world.model.deploy(APP, &dir, DeployOptions::new()).unwrap();
    world
        .model
        .relate(&format!("{APP}:shared-db"), "mysql")
        .unwrap();
    world
        .model
        .relate(&format!("{APP}:amqp"), "rabbitmq-server")
        .unwrap();
    world
        .model
        .relate(
            &format!("{APP}:identity-service"),
            "keystone:identity-service",
        )
        .unwrap();
}

/// Copies a file or a tree (without Python's bytecode caches), keeping the mode bits.
fn copy(from: &Path, to: &Path) {
    let meta = fs::symlink_metadata(from).unwrap();
    if meta.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "__pycache__" {
                copy(&entry.path(), &to.join(entry.file_name()));
            }
        }
    } else if meta.is_file() {
        fs::copy(from, to).unwrap();
    }
}
