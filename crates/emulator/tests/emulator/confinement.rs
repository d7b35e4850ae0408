//! Confined machines are sandboxes: whatever absolute path a charm uses lands in the model,
//! and the machine looks like Ubuntu to it, while the host is left as it was.

use std::fs;
use std::path::Path;

use emulator::DeployOptions;

use crate::support::{Scratch, TestCharm};

/// What a charmhelpers-style install does by absolute path, with apt's environment cleared
/// to `PATH` and `DEBIAN_FRONTEND` as charmhelpers' `apt_install` clears it.
const INSTALL: &str = r#"
[ "$HOOK" = install ] || exit 0
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    /usr/bin/apt-get --assume-yes --error-on=any --option=Dpkg::Options::=--force-confold \
    install memcached manila-common > /srv/apt.out 2>&1 || exit 1
echo confined > /etc/confined-marker
echo '#!/bin/sh' > /usr/local/sbin/confined-tool
getent passwd manila > /srv/manila-user
/usr/bin/systemctl is-active memcached > /srv/memcached-active
. /etc/lsb-release && echo "$DISTRIB_ID $DISTRIB_RELEASE $DISTRIB_CODENAME" > /srv/lsb
sudo -u manila id -un > /srv/sudo-user
/usr/bin/dpkg-query --list memcached | tail -1 > /srv/dpkg-list
dpkg --compare-versions 1.6.18-1 gt 1.6.9 && echo newer > /srv/compare
apt-cache show --no-all-versions memcached | head -3 > /srv/apt-cache
true
"#;

fn host_dpkg_knows(package: &str) -> bool {
    fs::read_to_string("/var/lib/dpkg/status")
        .unwrap_or_default()
        .lines()
        .any(|line| line == format!("Package: {package}"))
}

#[test]
fn a_confined_install_lands_in_the_model_and_the_host_is_untouched() {
    for path in ["/etc/confined-marker", "/usr/local/sbin/confined-tool"] {
        assert!(
            !Path::new(path).exists(),
            "{path} on the host before the test"
        );
    }
    let memcached_on_host = host_dpkg_knows("memcached");
    let manila_on_host = std::process::Command::new("getent")
        .args(["passwd", "manila"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);

    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .recording(&scratch.trace(), INSTALL)
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    let root = model.machine_root(model.machine_of("alpha/0").unwrap());
    let read = |path: &str| fs::read_to_string(root.join(path)).unwrap_or_default();
    assert!(report.units_in_error.is_empty(), "{}", read("srv/apt.out"));

    // In the model: the package, its service and its account, the files.
    assert!(model.packages("alpha/0").unwrap().contains_key("memcached"));
    assert!(
        model
            .packages("alpha/0")
            .unwrap()
            .contains_key("python3-manila"),
        "a dependency"
    );
    assert_eq!(read("srv/memcached-active"), "active\n");
    assert!(
        read("srv/manila-user").starts_with("manila:x:"),
        "{}",
        read("srv/manila-user")
    );
    assert_eq!(read("srv/sudo-user"), "manila\n");
    assert_eq!(read("srv/lsb"), "Ubuntu 24.04 noble\n");
    assert!(
        read("srv/dpkg-list").starts_with("ii  memcached"),
        "{}",
        read("srv/dpkg-list")
    );
    assert_eq!(read("srv/compare"), "newer\n");
    assert!(read("srv/apt-cache").starts_with("Package: memcached\n"));
    assert_eq!(read("etc/confined-marker"), "confined\n");
    assert!(root.join("usr/local/sbin/confined-tool").is_file());

    // On the host: nothing.
    for path in ["/etc/confined-marker", "/usr/local/sbin/confined-tool"] {
        assert!(!Path::new(path).exists(), "{path} reached the host");
    }
    assert_eq!(host_dpkg_knows("memcached"), memcached_on_host);
    let manila_now = std::process::Command::new("getent")
        .args(["passwd", "manila"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert_eq!(manila_now, manila_on_host);
}
