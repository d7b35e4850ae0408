//! A charm written as a shell script, for tests: the other side of a relation that a test
//! wants to drive exactly (`relation-set` these keys on joined, nothing else), without
//! building a charm for it.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Writes the charm directory `parent/<name>`: `metadata` as its `metadata.yaml`, and
/// `dispatch` (a script, `#!/bin/sh` first) as its executable `dispatch`, which Juju runs for
/// every hook with `JUJU_DISPATCH_PATH` naming it. Returns the directory, ready to deploy.
pub fn script_charm(
    parent: &Path,
    name: &str,
    metadata: &str,
    dispatch: &str,
) -> io::Result<PathBuf> {
    let dir = parent.join(name);
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("metadata.yaml"), metadata)?;
    let script = dir.join("dispatch");
    fs::write(&script, dispatch)?;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755))?;
    Ok(dir)
}
