//! The Apache sites the charm renders, through Debian's Apache: `apache2 -t` (what
//! `apache2ctl configtest` runs) on the plain layout and on both TLS layouts, with the
//! modules the sites need and the certificate files the plan writes.
//!
//! Runs when `/usr/sbin/apache2` is installed (`apt-get install apache2
//! libapache2-mod-wsgi-py3`). Without it the test does nothing, unless `REQUIRE_APACHE2=1`
//! (set by `cargo xtask test`), where a missing Apache fails it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use manila_charm::{Inputs, Plan};
use manila_testbed::checker::{complaints, Checker};

use crate::fixtures::*;
use crate::tls::{ca, vault_answer, with_relation, ADDRESS};

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
    for module in [
        "mpm_event",
        "authz_core",
        "ssl",
        "proxy",
        "proxy_http",
        "headers",
        "wsgi",
    ] {
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

fn layouts() -> Vec<(&'static str, Inputs)> {
    let ca = ca("Vault CA");
    let relation = with_relation(
        ready("manila/0", "all"),
        &vault_answer(&ca, ca.issue(&[ADDRESS], false)),
    );
    let pem = ca.issue(&[ADDRESS], false);
    let mut options = ready("manila/0", "all");
    let b64 = |t: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(t)
    };
    options.config = configured(
        &raw_config("all")
            .with("ssl_cert", b64(&pem.cert))
            .with("ssl_key", b64(pem.key.expose())),
    );
    vec![
        ("plain", ready("manila/0", "all")),
        ("tls from the relation", relation),
        ("tls from the options", options),
    ]
}

#[test]
fn every_apache_layout_passes_apache2_configtest() {
    let Some(apache2) = apache2() else {
        return;
    };
    for (name, inputs) in layouts() {
        let plan = plan(&inputs);
        let dir = tempfile::tempdir().unwrap();
        if let Err(e) = configtest(&apache2, &plan, dir.path()) {
            panic!("{name}: apache2 -t refused the sites:\n{e}");
        }
    }
}
