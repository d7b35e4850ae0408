//! The emulated machine commands, as a charm's host layer runs them through `PATH`.

use std::fs;

use emulator::{DeployOptions, ServiceAction};

use crate::support::{Scratch, TestCharm};

const INSTALLER: &str = r#"case "$HOOK" in
install)
  systemctl mask manila-api
  apt-get update
  apt-get install -y -o Dpkg::Options::=--force-confold manila-common manila-api manila-scheduler
  if apt-get install -y nosuch-package >"$CHARM_DIR/../apt.out" 2>"$CHARM_DIR/../apt.err"; then exit 9; else echo $? > "$CHARM_DIR/../apt.code"; fi
  dpkg-query -W -f='${Package}\t${Status}\t${Version}\n' manila-api not-there > "$CHARM_DIR/../dpkg.out" 2>&1 || echo "dpkg=$?" >> "$CHARM_DIR/../dpkg.out"
  ;;
config-changed)
  echo "[DEFAULT]" > "$CHARM_HOST_ROOT/etc/manila/manila.conf"
  systemctl restart manila-scheduler
  systemctl is-active --quiet manila-api || echo "api not running" > "$CHARM_DIR/../api.state"
  ;;
esac
true"#;

#[test]
fn packages_and_services_live_on_the_units_machine() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("manila")
        .recording(&scratch.trace(), INSTALLER)
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("manila", &charm, DeployOptions::new())
        .unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty(), "{report:?}");
    let unit_dir = model.charm_dir("manila/0").unwrap().join("..");

    let packages = model.packages("manila/0").unwrap();
    assert_eq!(packages["manila-api"], "1:15.1.0-2");
    assert_eq!(packages.len(), 3);
    assert_eq!(
        fs::read_to_string(unit_dir.join("apt.code")).unwrap(),
        "100\n"
    );
    assert_eq!(
        fs::read_to_string(unit_dir.join("apt.err")).unwrap(),
        "E: Unable to locate package nosuch-package\n"
    );
    assert_eq!(
        fs::read_to_string(unit_dir.join("dpkg.out")).unwrap(),
        "manila-api\tinstall ok installed\t1:15.1.0-2\ndpkg-query: no packages found matching not-there\ndpkg=1\n"
    );

    let scheduler = model
        .service("manila/0", "manila-scheduler")
        .unwrap()
        .unwrap();
    assert!(scheduler.running && scheduler.enabled);
    assert_eq!(
        scheduler.count(ServiceAction::Restart),
        1,
        "restarted exactly once"
    );
    assert_eq!(scheduler.history[0].by, "apt-get install");
    let api = model.service("manila/0", "manila-api").unwrap().unwrap();
    assert!(
        api.masked && !api.running,
        "masked before install: never started"
    );
    assert!(unit_dir.join("api.state").exists());

    let root = model.machine_root(model.machine_of("manila/0").unwrap());
    assert_eq!(
        fs::read_to_string(root.join("etc/manila/manila.conf")).unwrap(),
        "[DEFAULT]\n",
        "the host layer writes under CHARM_HOST_ROOT; the package made /etc/manila"
    );
    assert!(
        root.join("run/systemd/system").is_dir(),
        "systemd is the init system"
    );
    assert_eq!(model.machine_state(0).unwrap().apt_updates, 1);

    let transcript: Vec<String> = model
        .tool_calls()
        .iter()
        .filter(|c| c.hook == "install")
        .map(|c| format!("{} -> {}", c.argv(), c.exit_code))
        .collect();
    assert_eq!(
        transcript[..3],
        [
            "systemctl mask manila-api -> 0",
            "apt-get update -> 0",
            "apt-get install -y -o Dpkg::Options::=--force-confold manila-common manila-api manila-scheduler -> 0",
        ]
    );
    assert!(transcript.contains(&"apt-get install -y nosuch-package -> 100".to_owned()));
}
