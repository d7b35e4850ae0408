//! Tests against the real filesystem, real `dpkg-query` and `service`, and recording stand-ins for
//! the commands that would change the machine (`apt-get`, `systemctl`, `useradd`, …).

mod accounts;
mod command;
mod files;
mod packages;
mod paths;
mod services;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use crate::Host;

/// A directory of recording commands, to be a host's whole search path.
///
/// Each command appends its name and arguments, space-separated, as one line to a log, then runs
/// its body. The search path holds nothing else, so a command the test did not expect fails to
/// start instead of reaching the real machine; bodies therefore use shell builtins only.
pub(crate) struct FakeBin {
    dir: TempDir,
}

impl FakeBin {
    pub(crate) fn new() -> FakeBin {
        let dir = TempDir::new().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        FakeBin { dir }
    }

    pub(crate) fn search_path(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// The log the commands append to; a body may write to it as `"$log"`.
    pub(crate) fn log(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    /// Installs command `name` running the shell `body` after logging its call.
    pub(crate) fn command(&self, name: &str, body: &str) -> &FakeBin {
        let script = format!(
            "#!/bin/sh\nlog='{log}'\n{{ printf '%s' '{name}'; for arg in \"$@\"; do printf ' %s' \"$arg\"; done; printf '\\n'; }} >> \"$log\"\n{body}\n",
            log = self.log().display(),
        );
        install_executable(&self.search_path().join(name), &script);
        self
    }

    /// The logged lines, oldest first.
    pub(crate) fn calls(&self) -> Vec<String> {
        match std::fs::read_to_string(self.log()) {
            Ok(log) => log.lines().map(str::to_owned).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// A host confined to `root` that finds its commands here only.
    pub(crate) fn confined_host(&self, root: &Path) -> Host {
        Host::confined(root)
            .unwrap()
            .with_search_path(self.search_path())
    }
}

/// Writes an executable from a child process, never from this one.
///
/// If this multi-threaded test process held the file open for writing, a fork in another test
/// thread could inherit that descriptor, and executing the file would then fail with "Text file
/// busy" (ETXTBSY) until that child execs. Letting `sh` write it keeps the descriptor out of here.
fn install_executable(path: &Path, script: &str) {
    let mut writer = Command::new("/bin/sh")
        .args(["-c", r#"cat > "$1" && chmod 755 "$1""#, "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    writer
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(writer.wait().unwrap().success(), "cannot install {path:?}");
}
