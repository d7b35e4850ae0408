//! The Apache site the charm renders, through Debian's Apache: `apache2 -t` (what
//! `apache2ctl configtest` runs), with the modules the site needs. It is the same with TLS
//! (haproxy terminates it, [`manila_charm::tls`]).
//!
//! Runs when `/usr/sbin/apache2` is installed (`apt-get install apache2
//! libapache2-mod-wsgi-py3`). Without it the test does nothing, unless `REQUIRE_APACHE2=1`
//! (set by `cargo xtask test`), where a missing Apache fails it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use manila_charm::Plan;
use manila_testbed::checker::{complaints, Checker};

use crate::fixtures::*;

const MODULES: &str = "/usr/lib/apache2/modules";

fn apache2() -> Option<PathBuf> {
    Checker {
        program: "/usr/sbin/apache2",
        needs: &["/usr/lib/apache2/modules/mod_wsgi.so"],
        require: "REQUIRE_APACHE2",
        install: "apt-get install -y apache2 libapache2-mod-wsgi-py3",
    }
    .find()
}

/// Writes the plan's Apache files under `root` (their paths and the paths in them moved
/// there) with a server configuration loading Debian's modules, and runs `apache2 -t`.
fn configtest(apache2: &Path, plan: &Plan, root: &Path) -> Result<(), String> {
    let moved = |text: &str| {
        text.replace("/etc/apache2/", &format!("{}/etc/apache2/", root.display()))
            .replace("/var/log/apache2/", &format!("{}/", root.display()))
    };
    let mut sites = Vec::new();
    for file in &plan.files {
        if !file.path.starts_with("/etc/apache2/") {
            continue;
        }
        let path = root.join(file.path.trim_start_matches('/'));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, moved(&file.content)).unwrap();
        if file.path.starts_with("/etc/apache2/sites-available/") {
            sites.push(path);
        }
    }
    let mut conf = format!(
        "ServerName localhost\nPidFile {root}/apache2.pid\nErrorLog {root}/error.log\n\
         DefaultRuntimeDir {root}\n",
        root = root.display()
    );
    for module in ["mpm_event", "authz_core", "wsgi"] {
        conf.push_str(&format!(
            "LoadModule {module}_module {MODULES}/mod_{module}.so\n"
        ));
    }
    for site in &sites {
        conf.push_str(&format!("Include {}\n", site.display()));
    }
    let main = root.join("apache2.conf");
    fs::write(&main, conf).unwrap();
    complaints(Command::new(apache2).arg("-t").arg("-f").arg(&main))
}

#[test]
fn the_apache_site_passes_apache2_configtest() {
    let Some(apache2) = apache2() else {
        return;
    };
    let plan = plan(&ready("manila/0", "all"));
    let dir = tempfile::tempdir().unwrap();
    if let Err(e) = configtest(&apache2, &plan, dir.path()) {
        panic!("apache2 -t refused the site:\n{e}");
    }
}
