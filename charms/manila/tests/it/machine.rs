//! A scratch machine for hook tests: a confined host root and small shell stand-ins for the
//! commands the charm runs (`dpkg-query`, `apt-get`, `service`, `update-rc.d`, `a2ensite`,
//! `manila-manage`), which keep their state in files and log every call. Installing a
//! package with a service starts and enables it, as Debian's maintainer scripts do.
//!
//! The model emulator (`crates/emulator`) will answer these commands for real deployments;
//! this stays the charm's own, minimal fake for hook-level tests.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use host::Host;

/// Manila packages install at this version (caracal); others at `1.0-1`.
pub(crate) const MANILA_VERSION: &str = "1:18.0.0-0ubuntu1";

const SCRIPTS: &[(&str, &str)] = &[
    (
        "dpkg-query",
        r#"missing=0
for pkg in "$@"; do
  case "$pkg" in -*) continue;; esac
  line=$(grep "^$pkg " "$STATE/installed" 2>/dev/null)
  if [ -n "$line" ]; then printf '%s\tinstall ok installed\t%s\n' "$pkg" "${line#* }"; else missing=1; fi
done
exit $missing"#,
    ),
    (
        "apt-get",
        r#"[ "$1" = install ] || exit 0
shift
skip=0
for pkg in "$@"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case "$pkg" in -o) skip=1; continue;; -*) continue;; esac
  grep -q "^$pkg " "$STATE/installed" 2>/dev/null && continue
  case "$pkg" in manila*|python3-manila) v="$MANILA_VERSION";; *) v=1.0-1;; esac
  echo "$pkg $v" >> "$STATE/installed"
  case "$pkg" in manila-api|manila-scheduler|manila-share|manila-data|apache2|haproxy|memcached)
    echo "$pkg" >> "$STATE/running"
    mkdir -p "$ROOT/etc/rc2.d" && touch "$ROOT/etc/rc2.d/S01$pkg";;
  esac
done"#,
    ),
    (
        "service",
        r#"touch "$STATE/running"
case "$2" in
  status) grep -qx "$1" "$STATE/running";;
  start|restart) grep -qx "$1" "$STATE/running" || echo "$1" >> "$STATE/running";;
  stop) grep -vx "$1" "$STATE/running" > "$STATE/running.new"; mv "$STATE/running.new" "$STATE/running";;
esac"#,
    ),
    (
        "update-rc.d",
        r#"mkdir -p "$ROOT/etc/rc2.d"
case "$2" in
  defaults) [ -e "$ROOT/etc/rc2.d/K01$1" ] || touch "$ROOT/etc/rc2.d/S01$1";;
  enable) rm -f "$ROOT/etc/rc2.d/K01$1"; touch "$ROOT/etc/rc2.d/S01$1";;
  disable) rm -f "$ROOT/etc/rc2.d/S01$1"; touch "$ROOT/etc/rc2.d/K01$1";;
esac"#,
    ),
    (
        "a2ensite",
        r#"mkdir -p "$ROOT/etc/apache2/sites-enabled"
ln -sf ../sites-available/$1.conf "$ROOT/etc/apache2/sites-enabled/$1.conf""#,
    ),
    (
        "manila-manage",
        r#"case "$2" in
  sync) touch "$STATE/schema";;
  version) if [ -e "$STATE/schema" ]; then echo bb5938d74b73; else echo None; fi;;
esac"#,
    ),
];

pub(crate) struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    pub(crate) fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let machine = Machine { dir };
        for sub in ["bin", "state", "root/etc"] {
            fs::create_dir_all(machine.dir.path().join(sub)).unwrap();
        }
        fs::write(
            machine.root().join("etc/os-release"),
            "ID=ubuntu\nVERSION_CODENAME=noble\n",
        )
        .unwrap();
        for (name, body) in SCRIPTS {
            let script = format!(
                "#!/bin/sh\nSTATE='{state}'\nROOT=\"$CHARM_HOST_ROOT\"\nMANILA_VERSION='{MANILA_VERSION}'\n\
                 {{ printf '%s' '{name}'; for a in \"$@\"; do printf ' %s' \"$a\"; done; echo; }} >> \"$STATE/log\"\n{body}\n",
                state = machine.state().display(),
            );
            let path = machine.dir.path().join("bin").join(name);
            fs::write(&path, script).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        machine
    }

    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    pub(crate) fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub(crate) fn host(&self) -> Host {
        Host::confined(self.root())
            .unwrap()
            .with_search_path(format!("{}:/usr/bin:/bin", self.bin().display()))
    }

    /// Every command run so far, then forgets them.
    pub(crate) fn take_log(&self) -> Vec<String> {
        let path = self.state().join("log");
        let log = fs::read_to_string(&path).unwrap_or_default();
        let _ = fs::remove_file(&path);
        log.lines().map(str::to_owned).collect()
    }

    /// The commands that changed something (not queries).
    pub(crate) fn take_changes(&self) -> Vec<String> {
        self.take_log()
            .into_iter()
            .filter(|c| {
                !(c.starts_with("dpkg-query")
                    || c.ends_with(" status")
                    || c == "manila-manage db version")
            })
            .collect()
    }

    pub(crate) fn running(&self) -> Vec<String> {
        let mut running: Vec<String> = fs::read_to_string(self.state().join("running"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect();
        running.sort();
        running
    }

    pub(crate) fn kill(&self, service: &str) {
        let running: Vec<String> = self
            .running()
            .into_iter()
            .filter(|s| s != service)
            .collect();
        fs::write(self.state().join("running"), running.join("\n") + "\n").unwrap();
    }

    pub(crate) fn enabled(&self, service: &str) -> bool {
        self.root().join(format!("etc/rc2.d/S01{service}")).exists()
    }

    pub(crate) fn create_schema(&self) {
        fs::write(self.state().join("schema"), "").unwrap();
    }

    pub(crate) fn file(&self, path: &str) -> Option<String> {
        fs::read_to_string(self.root().join(path.trim_start_matches('/'))).ok()
    }

    pub(crate) fn mode(&self, path: &str) -> u32 {
        fs::metadata(self.root().join(path.trim_start_matches('/')))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    }
}
