//! The emulated machine commands, as a charm's host layer runs them through `PATH`.

use std::fs;

use emulator::{DeployOptions, OsRelease, ServiceAction};

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
    // The three asked for, and manila-common's dependency.
    assert_eq!(
        packages.keys().collect::<Vec<_>>(),
        [
            "manila-api",
            "manila-common",
            "manila-scheduler",
            "python3-manila"
        ]
    );
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

#[test]
fn machines_report_their_os_release_which_the_model_sets_for_new_ones() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("os").write(scratch.path());
    let mut model = scratch.model();
    model.deploy("os", &charm, DeployOptions::new()).unwrap();
    let release = |model: &emulator::Model, unit: &str| {
        let root = model.machine_root(model.machine_of(unit).unwrap());
        fs::read_to_string(root.join("etc/os-release")).unwrap()
    };
    assert_eq!(release(&model, "os/0"), OsRelease::UbuntuNoble.contents());
    model.set_os_release(OsRelease::UbuntuJammy).unwrap();
    model.add_unit("os", 1).unwrap();
    assert!(release(&model, "os/1").contains("VERSION_CODENAME=jammy\n"));
    assert!(
        release(&model, "os/0").contains("VERSION_CODENAME=noble\n"),
        "existing machines keep theirs"
    );
    let status = emulator::status::render(&model);
    assert!(
        status.contains("ubuntu@24.04") && status.contains("ubuntu@22.04"),
        "{status}"
    );
}

#[test]
fn package_commands_reach_the_unit_through_its_path() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("web").write(scratch.path());
    let mut model = scratch.model();
    model.deploy("web", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let before = model.exec("web/0", &["a2enmod", "ssl"]).unwrap();
    assert_eq!(
        (before.code, before.stderr.as_str()),
        (127, "a2enmod: command not found\n")
    );
    let after = model
        .exec(
            "web/0",
            &["apt-get install -y apache2 manila-common >/dev/null && a2enmod -q ssl && manila-manage db version"],
        )
        .unwrap();
    // The workload package's script command answers once it is installed.
    assert_eq!(after.code, 0, "{after:?}");
    assert!(after.stdout.ends_with("None\n"), "{after:?}");
    let root = model.machine_root(model.machine_of("web/0").unwrap());
    assert!(fs::symlink_metadata(root.join("etc/apache2/mods-enabled/ssl.load")).is_ok());
}
