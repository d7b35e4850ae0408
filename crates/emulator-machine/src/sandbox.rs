//! A confined machine as a real sandbox: every hook of a confined unit runs in its own
//! mount namespace (bubblewrap, `bwrap`) whose `/etc`, `/var`, `/run`, `/tmp`, `/srv`,
//! `/opt`, `/home`, `/root` and `/usr/local` are the machine's directories in the model,
//! over the host's read-only `/usr`. Whatever path a charm uses (charmhelpers runs
//! `/usr/bin/apt-get` with `PATH=/usr/sbin:/usr/bin:/sbin:/bin`, writes `/etc` and
//! `/usr/local/sbin`), it lands in the model; the host's files, packages and services are
//! out of reach.
//!
//! Why bubblewrap: it is one small setuid-free program (as root it needs no user
//! namespace) that builds the whole mount table from its arguments in one `exec`, with no
//! daemon and no image; util-linux `unshare` would need a shell script of `mount` calls per
//! hook (a process per mount), and systemd-nspawn wants a bootable tree and a systemd to
//! register with. Its cost is measured by `benches/emulator.rs` (`confined hook`).
//!
//! The emulated commands (apt-get, dpkg, systemctl, …) are the hook-tool shim bound over
//! the host's file at the same path when the host has one, and linked in the machine's
//! `/usr/local/sbin` (first on every `PATH` Juju or charmhelpers sets) when it has not, as
//! are the commands of the catalog's package scripts.
//! A command run with a cleared environment (charmhelpers' apt helpers keep only `PATH` and
//! `DEBIAN_FRONTEND`) finds the agent through [`AGENT_FILE`], written before each hook.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use super::os_release::OsRelease;

/// Where, inside a confined machine, the shim finds the running hook's agent when its
/// environment does not say (`/run` is the machine's own).
pub const AGENT_FILE: &str = "/run/juju-emulator/agent";

/// The machine directories bound over the host's, writable.
pub const MACHINE_DIRS: &[&str] = &[
    "etc",
    "var",
    "run",
    "tmp",
    "srv",
    "opt",
    "home",
    "root",
    "usr/local",
];

/// The emulated commands and where Ubuntu has them.
pub const COMMAND_PATHS: &[(&str, &str)] = &[
    ("apt-get", "/usr/bin"),
    ("apt-cache", "/usr/bin"),
    ("dpkg", "/usr/bin"),
    ("dpkg-query", "/usr/bin"),
    ("systemctl", "/usr/bin"),
    ("service", "/usr/sbin"),
    ("update-rc.d", "/usr/sbin"),
    ("a2ensite", "/usr/sbin"),
    ("a2dissite", "/usr/sbin"),
    ("a2enmod", "/usr/sbin"),
    ("a2dismod", "/usr/sbin"),
    ("a2query", "/usr/sbin"),
];

/// Files of the host's `/etc` a machine starts with: what programs need to run (the
/// dynamic loader's cache, alternatives, name service, PAM, certificates, shadow's
/// defaults), never the host's accounts or secrets.
const HOST_ETC: &[&str] = &[
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "nsswitch.conf",
    "login.defs",
    "pam.conf",
    "pam.d",
    "security",
    "skel",
    "shells",
    "localtime",
    "adduser.conf",
    "deluser.conf",
    // The trust store as Ubuntu's ca-certificates leaves it, so that a charm's
    // `update-ca-certificates` (the host's, from `/usr`) runs on the machine's own copy.
    // Not `ssl/private`: the host's keys stay the host's.
    "ssl/certs",
    "ca-certificates.conf",
    "ca-certificates",
];

/// Host directories of `/etc` that describe the host's `/usr`, which the machine shares:
/// bound read-only rather than copied into every machine.
const HOST_ETC_SHARED: &[&str] = &["alternatives"];

/// Ubuntu 24.04's base accounts (`base-passwd` and the cloud image's default user).
const PASSWD: &str = "\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
systemd-timesync:x:996:996:systemd Time Synchronization:/:/usr/sbin/nologin
messagebus:x:100:102::/nonexistent:/usr/sbin/nologin
syslog:x:101:103::/nonexistent:/usr/sbin/nologin
ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash
";

const GROUP: &str = "\
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:syslog,ubuntu
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:ubuntu
cdrom:x:24:ubuntu
floppy:x:25:
tape:x:26:
sudo:x:27:ubuntu
audio:x:29:ubuntu
dip:x:30:ubuntu
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
shadow:x:42:
utmp:x:43:
video:x:44:ubuntu
sasl:x:45:
plugdev:x:46:ubuntu
staff:x:50:
games:x:60:
users:x:100:ubuntu
nogroup:x:65534:
systemd-journal:x:999:
systemd-network:x:998:
systemd-timesync:x:996:
messagebus:x:102:
syslog:x:103:
ubuntu:x:1000:
";

/// Creates machine `root`'s tree as a fresh Ubuntu machine has it: the directories the
/// sandbox binds, the base accounts, `/etc/lsb-release`, `/etc/os-release`, sudo's
/// configuration and the host files programs need to run.
pub fn provision(root: &Path, os: &OsRelease, hostname: &str) -> io::Result<()> {
    for dir in MACHINE_DIRS.iter().chain(&[
        "var/lib/dpkg",
        "var/log",
        "var/cache",
        "var/tmp",
        "usr/local/bin",
        "usr/local/sbin",
        "usr/local/lib",
        "home/ubuntu",
        "etc/default",
        "etc/sudoers.d",
        "run/juju-emulator",
    ]) {
        fs::create_dir_all(root.join(dir))?;
    }
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(root.join("tmp"), fs::Permissions::from_mode(0o1777))?;
    fs::set_permissions(root.join("var/tmp"), fs::Permissions::from_mode(0o1777))?;
    fs::set_permissions(root.join("root"), fs::Permissions::from_mode(0o700))?;
    let etc = root.join("etc");
    for name in HOST_ETC {
        let from = Path::new("/etc").join(name);
        if fs::symlink_metadata(&from).is_ok() && fs::symlink_metadata(etc.join(name)).is_err() {
            copy_entry(&from, &etc.join(name))?;
        }
    }
    os.write(root)?;
    let shadow = |text: &str| -> String {
        text.lines()
            .filter_map(|line| line.split(':').next())
            .map(|name| format!("{name}:*:19800:0:99999:7:::\n"))
            .collect()
    };
    let gshadow = |text: &str| -> String {
        text.lines()
            .filter_map(|line| line.split(':').next())
            .map(|name| format!("{name}:*::\n"))
            .collect()
    };
    let files: [(&str, String, u32); 10] = [
        ("etc/passwd", PASSWD.to_owned(), 0o644),
        ("etc/group", GROUP.to_owned(), 0o644),
        ("etc/shadow", shadow(PASSWD), 0o640),
        ("etc/gshadow", gshadow(GROUP), 0o640),
        ("etc/lsb-release", os.lsb_release(), 0o644),
        ("etc/hostname", format!("{hostname}\n"), 0o644),
        (
            "etc/hosts",
            format!("127.0.0.1 localhost\n127.0.1.1 {hostname}\n"),
            0o644,
        ),
        (
            "etc/environment",
            "PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin\"\n".to_owned(),
            0o644,
        ),
        (
            "etc/sudoers",
            "Defaults\tenv_reset\nDefaults\tsecure_path=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\nroot\tALL=(ALL:ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n".to_owned(),
            0o440,
        ),
        ("var/lib/dpkg/status", String::new(), 0o644),
    ];
    for (path, text, mode) in files {
        let full = root.join(path);
        if !full.exists() {
            fs::write(&full, text)?;
            fs::set_permissions(&full, fs::Permissions::from_mode(mode))?;
        }
    }
    let sudo = root.join("usr/local/bin/sudo");
    if !sudo.exists() {
        fs::write(&sudo, SUDO)?;
        fs::set_permissions(&sudo, fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

/// `sudo` for a machine whose hooks run as root: `-u USER` runs the command as that user
/// (setpriv, with the machine's accounts), the other options are accepted and left aside.
const SUDO: &str = r#"#!/bin/sh
# sudo on an emulated machine: hooks run as root, so only -u changes anything.
user=""
while [ $# -gt 0 ]; do
    case "$1" in
        -u|--user) user="$2"; shift 2 ;;
        -u*) user="${1#-u}"; shift ;;
        --user=*) user="${1#--user=}"; shift ;;
        -g|-C|-D|-h|-p|-r|-t|-U|-T) shift 2 ;;
        --) shift; break ;;
        -*) shift ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: sudo [-u user] command" >&2; exit 1; }
if [ -z "$user" ] || [ "$user" = root ]; then exec "$@"; fi
uid=$(id -u "$user") || exit 1
gid=$(id -g "$user") || exit 1
exec setpriv --reuid="$uid" --regid="$gid" --init-groups "$@"
"#;

fn copy_entry(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        return symlink(fs::read_link(from)?, to);
    }
    if meta.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            // An unreadable file of the host's stays behind; it is not the machine's.
            let _ = copy_entry(&entry.path(), &to.join(entry.file_name()));
        }
        return Ok(());
    }
    fs::copy(from, to).map(drop)
}

/// What one confined process needs bound into its sandbox.
#[derive(Debug)]
pub struct Confinement<'a> {
    /// The machine's root directory in the model.
    pub root: &'a Path,
    /// The hook-tool shim.
    pub shim: &'a Path,
    /// Host directories the hook needs at their own paths: the model (charm, tools,
    /// `CHARM_HOST_ROOT`) and the agent's socket.
    pub shared: Vec<PathBuf>,
    /// The process's working directory.
    pub cwd: &'a Path,
    /// The catalog's script commands, linked with the emulated commands the host lacks.
    pub scripts: Vec<String>,
}

impl Confinement<'_> {
    /// The `bwrap` command line that runs a program in the sandbox (the program follows).
    pub fn command_prefix(&self) -> io::Result<Vec<OsString>> {
        self.link_commands()?;
        let mut argv: Vec<OsString> = vec!["bwrap".into(), "--die-with-parent".into()];
        let mut arg = |items: &[&dyn AsRef<std::ffi::OsStr>]| {
            argv.extend(items.iter().map(|i| i.as_ref().to_os_string()));
        };
        arg(&[&"--ro-bind", &"/usr", &"/usr"]);
        for (link, target) in [
            ("/bin", "usr/bin"),
            ("/sbin", "usr/sbin"),
            ("/lib", "usr/lib"),
            ("/lib64", "usr/lib64"),
        ] {
            arg(&[&"--symlink", &target, &link]);
        }
        arg(&[&"--proc", &"/proc", &"--dev", &"/dev"]);
        for dir in MACHINE_DIRS {
            let mount = format!("/{dir}");
            arg(&[&"--bind", &self.root.join(dir), &mount]);
        }
        for name in HOST_ETC_SHARED {
            let path = Path::new("/etc").join(name);
            if path.is_dir() {
                arg(&[&"--ro-bind", &path, &path]);
            }
        }
        for (command, dir) in COMMAND_PATHS {
            let path = Path::new(dir).join(command);
            if path.exists() {
                arg(&[&"--ro-bind", &self.shim, &path]);
            }
        }
        for shared in &self.shared {
            arg(&[&"--bind", shared, shared]);
        }
        arg(&[&"--chdir", &self.cwd, &"--"]);
        Ok(argv)
    }

    /// The emulated commands the host lacks, in the machine's `/usr/local/sbin`.
    fn link_commands(&self) -> io::Result<()> {
        let sbin = self.root.join("usr/local/sbin");
        fs::create_dir_all(&sbin)?;
        let missing = COMMAND_PATHS
            .iter()
            .filter(|(command, dir)| !Path::new(dir).join(command).exists())
            .map(|(command, _)| *command)
            .chain(self.scripts.iter().map(String::as_str));
        for command in missing {
            let link = sbin.join(command);
            if fs::symlink_metadata(&link).is_err() {
                symlink(self.shim, &link)?;
            }
        }
        Ok(())
    }
}

/// Whether bubblewrap can be run here.
pub fn available() -> bool {
    std::process::Command::new("bwrap")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Writes the agent file, where the shim inside the sandbox finds the hook's context id and
/// socket. `contents` are in the shim's wire format, which the hook-tool engine owns
/// (`wire::agent_file_contents`): the machine only says where the file goes.
pub fn agent_file(root: &Path, contents: &[u8]) -> io::Result<()> {
    let path = root.join(AGENT_FILE.trim_start_matches('/'));
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, contents)
}
