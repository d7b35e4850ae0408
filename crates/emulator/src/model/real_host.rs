//! Real-host mode: the model's units run on the machine running the emulator, for real.
//!
//! A confined unit (the default) sees a scratch root (`CHARM_HOST_ROOT`) and emulated
//! `apt-get`, `service` and friends. In real-host mode a unit gets neither: its hooks install
//! packages with the real `apt-get`, write the real `/etc` and drive services through the
//! host's own init system; only the hook tools are the emulator's, answered exactly as in
//! confined mode. This is for end-to-end tests of charms against the real workload, on a
//! disposable machine, as root.
//!
//! Machine 0 is the host itself; place units on it (`Placement::Machine(0)`) to run a whole
//! model on one machine. A further machine is the same host seen through private,
//! copy-on-write overlays of the directories [`RealHost::private_dirs`] names, with processes
//! of its own: the machine is a mount namespace where those directories are an overlay of the
//! host's directory with the machine's own changes on top, and a PID namespace, both held by
//! a small init process started on the machine's first hook. Every hook of the machine (and
//! every daemon it starts) runs in them (`nsenter`). That lets a second unit of a charm own
//! its copy of, say, `/etc/manila` and `/run/manila` (config, pid files) and its own
//! `manila-share` process beside the first, while packages, users, the network and
//! everything else stay shared. Its processes are visible from machine 0 (the host), not the
//! other way round. The overlays' upper layers and the init's pid live in the model directory
//! (`machines/<n>/overlay/`); [`RealHost::stop_machine`] ends a machine and all it runs.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{io_error, Error, Result};

/// How a real-host model maps machines onto this host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealHost {
    /// Absolute directories every machine but machine 0 sees through a private overlay.
    pub private_dirs: Vec<PathBuf>,
}

impl RealHost {
    /// Units share the host as it is; further machines get no private directories.
    pub fn new() -> RealHost {
        RealHost::default()
    }

    /// Machines other than 0 see `dir` through a private overlay.
    pub fn private_dir(mut self, dir: impl Into<PathBuf>) -> RealHost {
        self.private_dirs.push(dir.into());
        self
    }

    /// Refuses what the mount script could not handle.
    pub(crate) fn check(&self) -> Result<()> {
        for dir in &self.private_dirs {
            let text = dir.to_string_lossy();
            if !dir.is_absolute() || dir == Path::new("/") || text.contains(['\'', ',', ':']) {
                return Err(Error::Refused(format!(
                    "real-host private directory {text:?}: must be absolute, not '/', and \
                     contain no quote, comma or colon (overlayfs option syntax)"
                )));
            }
        }
        Ok(())
    }

    /// The command prefix that runs a process of `machine` inside the machine, in directory
    /// `cwd`, or `None` when it runs on the host as it is. `overlay_root` is the machine's
    /// directory for upper layers. Starts the machine's namespaces on first use (see
    /// [`RealHost`]).
    pub(crate) fn enter(
        &self,
        machine: u32,
        overlay_root: &Path,
        cwd: &Path,
    ) -> Result<Option<Vec<OsString>>> {
        if machine == 0 || self.private_dirs.is_empty() {
            return Ok(None);
        }
        let init = self.machine_init(machine, overlay_root)?;
        // Entering a mount namespace moves the process to its root, and nsenter's `--wd`
        // opens the directory before entering (the host's, under the overlay): the working
        // directory is looked up again inside the machine.
        Ok(Some(vec![
            "nsenter".into(),
            "--target".into(),
            init.to_string().into(),
            "--mount".into(),
            "--pid".into(),
            "--".into(),
            "/bin/sh".into(),
            "-c".into(),
            "cd \"$0\" && exec \"$@\"".into(),
            cwd.into(),
        ]))
    }

    /// The script the machine's init runs: mount the overlays, then reap orphans for ever.
    /// Creates the directories the mounts need (the host's directory too: a package may not
    /// have created it yet).
    fn init_script(&self, overlay_root: &Path) -> Result<String> {
        let mut script = String::from("set -e\n");
        for (index, dir) in self.private_dirs.iter().enumerate() {
            let layer = overlay_root.join(index.to_string());
            let (upper, work) = (layer.join("upper"), layer.join("work"));
            for path in [dir, &upper, &work] {
                fs::create_dir_all(path).map_err(io_error(path))?;
            }
            // The overlay's root directory shows the upper layer's owner and mode: make them
            // the host directory's, or a daemon that owns `/var/lib/x` on the host could not
            // write there on this machine.
            let host = fs::metadata(dir).map_err(io_error(dir))?;
            std::os::unix::fs::chown(&upper, Some(host.uid()), Some(host.gid()))
                .map_err(io_error(&upper))?;
            fs::set_permissions(&upper, host.permissions()).map_err(io_error(&upper))?;
            script.push_str(&format!(
                "mount -t overlay overlay -o 'lowerdir={},upperdir={},workdir={}' '{}'\n",
                dir.display(),
                upper.display(),
                work.display(),
                dir.display()
            ));
        }
        // PID 1 of the namespace adopts every daemon a hook starts (they daemonise): it must
        // reap them, or a stopped daemon stays a zombie that `start-stop-daemon --stop` waits
        // on. `wait` in sh reaps any child, adopted ones included.
        script.push_str(&format!(
            "touch '{}'\nset +e\nwhile :; do sleep 60 & wait; done\n",
            overlay_root.join(READY).display()
        ));
        Ok(script)
    }

    /// The host pid of the machine's init (PID 1 of its namespaces), started if it is not
    /// running: a mount namespace with the overlays and a PID namespace, both living as long
    /// as the init. The PID namespace is what makes the machine a machine for its init
    /// scripts: Debian's `status` finds a daemon by name (`pidof`) when the package's pid
    /// file is not where `pidofproc` looks, and must not find the same daemon of another
    /// machine.
    fn machine_init(&self, machine: u32, overlay_root: &Path) -> Result<u32> {
        fs::create_dir_all(overlay_root).map_err(io_error(overlay_root))?;
        let pid_file = overlay_root.join(INIT_PID);
        if let Some(pid) = running_init(overlay_root) {
            return Ok(pid);
        }
        let ready = overlay_root.join(READY);
        let _ = fs::remove_file(&ready);
        let script = self.init_script(overlay_root)?;
        let refused = |what: String| Error::Refused(format!("real-host machine {machine}: {what}"));
        let log_path = overlay_root.join(INIT_LOG);
        let log = fs::File::create(&log_path).map_err(io_error(&log_path))?;
        let mut unshare = std::process::Command::new("unshare")
            .args([
                "--mount",
                "--propagation",
                "private",
                "--pid",
                "--fork",
                "--mount-proc",
                "--",
            ])
            .args(["/bin/sh", "-c", &script])
            .arg(format!("{INIT_NAME}-{machine}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| refused(format!("cannot run unshare: {e}")))?;
        let parent = unshare.id();
        let started = std::time::Instant::now();
        loop {
            if ready.exists() {
                break;
            }
            if let Ok(Some(status)) = unshare.try_wait() {
                let stderr = fs::read_to_string(&log_path).unwrap_or_default();
                return Err(refused(format!(
                    "its namespaces did not start ({status}): {}",
                    stderr.trim()
                )));
            }
            if started.elapsed() > std::time::Duration::from_secs(20) {
                return Err(refused("its namespaces did not start in 20 s".to_owned()));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let children = format!("/proc/{parent}/task/{parent}/children");
        let init: u32 = fs::read_to_string(&children)
            .ok()
            .and_then(|c| c.split_whitespace().next()?.parse().ok())
            .ok_or_else(|| refused(format!("no init process under unshare ({children})")))?;
        fs::write(&pid_file, format!("{init}\n")).map_err(io_error(&pid_file))?;
        // The init outlives this process; nobody waits for `unshare` but the host's init.
        std::mem::forget(unshare);
        Ok(init)
    }

    /// Ends machine `overlay_root`'s namespaces, and with them every process running in it
    /// (the kernel kills a PID namespace's processes when its init dies). For teardown; a
    /// machine whose init is not running is left as it is.
    pub fn stop_machine(overlay_root: &Path) {
        if let Some(pid) = running_init(overlay_root) {
            let pid = nix::unistd::Pid::from_raw(pid as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            for _ in 0..100 {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
        let _ = fs::remove_file(overlay_root.join(INIT_PID));
    }
}

/// Where a machine's overlay directory records its init's host pid.
const INIT_PID: &str = "init.pid";
/// The init's standard error.
const INIT_LOG: &str = "init.log";
/// Created by the init once the overlays are mounted.
const READY: &str = "ready";
/// The init's `$0`, which marks it in `ps` and tells it from a reused pid.
const INIT_NAME: &str = "real-host-machine";

/// The recorded init of `overlay_root`, if that process still runs and is that init.
fn running_init(overlay_root: &Path) -> Option<u32> {
    let pid: u32 = fs::read_to_string(overlay_root.join(INIT_PID))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let cmdline = String::from_utf8_lossy(&cmdline);
    let ours = cmdline.contains(INIT_NAME)
        && cmdline.contains(&*overlay_root.join(READY).to_string_lossy());
    ours.then_some(pid)
}

/// The host's own `/etc/os-release`, for `juju status`.
pub(crate) fn host_os_release() -> crate::machine::OsRelease {
    let text = fs::read_to_string("/etc/os-release").unwrap_or_default();
    crate::machine::OsRelease::Custom(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_zero_and_machines_without_private_dirs_run_as_they_are() {
        let scratch = tempfile::tempdir().unwrap();
        let real = RealHost::new().private_dir(scratch.path().join("etc-x"));
        assert_eq!(real.enter(0, scratch.path(), scratch.path()).unwrap(), None);
        assert_eq!(
            RealHost::new()
                .enter(3, scratch.path(), scratch.path())
                .unwrap(),
            None
        );
    }

    #[test]
    fn further_machines_mount_one_overlay_per_private_dir() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("etc-x");
        let real = RealHost::new().private_dir(&dir);
        let overlay = scratch.path().join("overlay");
        let script = real.init_script(&overlay).unwrap();
        assert!(
            script.contains(&format!(
                "mount -t overlay overlay -o 'lowerdir={d},upperdir={o}/0/upper,workdir={o}/0/work' '{d}'",
                d = dir.display(),
                o = overlay.display()
            )),
            "{script}"
        );
        assert!(dir.is_dir() && overlay.join("0/upper").is_dir());
    }

    #[test]
    fn directories_overlayfs_cannot_take_are_refused() {
        for bad in ["relative", "/", "/etc/a,b", "/etc/a:b", "/etc/it's"] {
            let err = RealHost::new().private_dir(bad).check().unwrap_err();
            assert!(
                err.to_string().contains("real-host private directory"),
                "{err}"
            );
        }
        assert!(RealHost::new().private_dir("/etc/manila").check().is_ok());
    }

    #[test]
    fn a_further_machine_has_its_own_processes_and_directories_until_stopped() {
        // Namespaces and overlay mounts need root; elsewhere there is nothing to check.
        if fs::metadata("/proc/self").unwrap().uid() != 0 {
            eprintln!("skipped: needs root (unshare, mount)");
            return;
        }
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("etc-x");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("f"), "host\n").unwrap();
        let real = RealHost::new().private_dir(&dir);
        let overlay = scratch.path().join("overlay");
        // A failing assertion must not leave the machine's init behind.
        struct Stop<'a>(&'a Path);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                RealHost::stop_machine(self.0);
            }
        }
        let _stop = Stop(&overlay);
        let run = |script: &str| {
            let prefix = real.enter(1, &overlay, &dir).unwrap().unwrap();
            let out = std::process::Command::new(&prefix[0])
                .args(&prefix[1..])
                .args(["/bin/sh", "-c", script])
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o750)).unwrap();
        std::os::unix::fs::chown(&dir, Some(4242), Some(4243)).unwrap();
        let seen = run(
            "stat -c '%u %g %a' .; echo machine > f; cat f; echo $$; ls /proc | grep -c '^[0-9]'",
        );
        let seen: Vec<&str> = seen.lines().collect();
        // The machine's directory looks like the host's: same owner, group and mode.
        assert_eq!(seen[0], "4242 4243 750");
        assert_eq!(seen[1], "machine");
        // Its own PID namespace: a small pid, and only its init and this hook's processes.
        assert!(seen[2].parse::<u32>().unwrap() < 10, "{seen:?}");
        assert!(seen[3].parse::<u32>().unwrap() < 10, "{seen:?}");
        assert_eq!(fs::read_to_string(dir.join("f")).unwrap(), "host\n");
        assert_eq!(
            fs::read_to_string(overlay.join("0/upper/f")).unwrap(),
            "machine\n"
        );
        // The next hook enters the same machine: what the first left is there.
        let init = running_init(&overlay).unwrap();
        assert_eq!(run("cat f").trim(), "machine");
        assert_eq!(running_init(&overlay), Some(init));
        RealHost::stop_machine(&overlay);
        assert!(!Path::new(&format!("/proc/{init}")).exists());
        assert_eq!(running_init(&overlay), None);
    }
}
