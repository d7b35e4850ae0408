//! Storage, resources, trust and reboots through real hooks (juju-contract §2.22, §2.23,
//! §3.2, §5.2, §5.3).

use std::fs;

use emulator::DeployOptions;

use crate::support::{hooks_of, Scratch, TestCharm};

const STORAGE: &str = "storage:\n  data:\n    type: filesystem\n    location: /srv/data\n  logs:\n    type: filesystem\n    multiple:\n      range: 0-2\n";

/// Storage attaches before install and detaches after stop, before remove; each hook has
/// `JUJU_STORAGE_ID`, `_LOCATION`, `_KIND`; `storage-add` attaches more
/// (`docs/reference/hook.md`, the uniter's storage resolver).
#[test]
fn storage_hooks_frame_the_unit_s_life() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(STORAGE)
        .recording(
            &scratch.trace(),
            &format!(
                r#"case "$HOOK" in
*-storage-attached) echo "env $JUJU_STORAGE_ID $JUJU_STORAGE_KIND $JUJU_STORAGE_LOCATION $(storage-get location)" >> {trace} ;;
config-changed) storage-add logs ;;
esac"#,
                trace = scratch.trace().display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "alpha/0"),
        [
            "data-storage-attached",
            "install",
            "leader-elected",
            "config-changed",
            "start",
            "logs-storage-attached",
        ]
    );
    let lines = scratch.trace_lines();
    assert!(lines.contains(&"env data/0 filesystem /srv/data /srv/data".to_owned()));
    assert!(lines.contains(
        &"env logs/0 filesystem /var/lib/juju/storage/logs/0 /var/lib/juju/storage/logs/0"
            .to_owned()
    ));
    let root = model.machine_root(model.machine_of("alpha/0").unwrap());
    assert!(root.join("srv/data").is_dir());
    assert_eq!(model.storage("alpha/0").unwrap().len(), 2);

    let before = hooks_of(&model, "alpha/0").len();
    model.remove_unit("alpha/0").unwrap();
    model.settle().unwrap();
    assert_eq!(
        model.hook_log()[model.hook_log().len() - 4..]
            .iter()
            .map(|r| r.hook.as_str())
            .collect::<Vec<_>>(),
        [
            "stop",
            "data-storage-detaching",
            "logs-storage-detaching",
            "remove"
        ],
        "{before}"
    );
}

/// `resource-get` prints the file given at deploy; `credential-get` answers a trusted
/// application only (`jujuc/resource-get.go`, `jujuc/credential-get.go`).
#[test]
fn resources_given_at_deploy_and_credentials_once_trusted() {
    let scratch = Scratch::new();
    let file = scratch.path().join("payload.tar");
    fs::write(&file, "payload").unwrap();
    let charm = TestCharm::new("alpha")
        .metadata("resources:\n  software:\n    type: file\n    filename: software.tar\n")
        .recording(
            &scratch.trace(),
            &format!(
                r#"[ "$HOOK" = config-changed ] && {{ echo "res $(cat "$(resource-get software)")"; echo "cred $(credential-get --format=json 2>&1 | head -c 40)"; }} >> {}
true"#,
                scratch.trace().display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    let refused = model.deploy("beta", &charm, DeployOptions::new().resource("nope", &file));
    assert!(refused.is_err());
    model
        .deploy(
            "alpha",
            &charm,
            DeployOptions::new().resource("software", &file),
        )
        .unwrap();
    model.settle().unwrap();
    model.trust("alpha", true).unwrap();
    model.settle().unwrap();
    let lines: Vec<String> = scratch
        .trace_lines()
        .into_iter()
        .filter(|l| l.starts_with("res") || l.starts_with("cred"))
        .collect();
    assert_eq!(
        lines,
        [
            "res payload",
            "cred ERROR cannot access cloud credentials: p",
            "res payload",
            "cred {\"credential\":{\"attrs\":{},\"auth-type\":\"e",
        ]
    );
}

/// `juju-reboot` reboots the machine once the hook succeeded: enabled services come back
/// and the unit runs `start` again; `--now` ends the hook, which runs again after the
/// reboot (`jujuc/reboot.go`).
#[test]
fn juju_reboot_after_the_hook_and_now() {
    let scratch = Scratch::new();
    let flag = scratch.path().join("rebooted-once");
    let charm = TestCharm::new("alpha")
        .actions("noop:\n  description: nothing\n")
        .recording(
            &scratch.trace(),
            &format!(
                r#"[ "$HOOK" = install ] && juju-reboot
if [ "$HOOK" = config-changed ] && [ ! -e {flag} ]; then touch {flag}; juju-reboot --now; exit 0; fi
true"#,
                flag = flag.display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "alpha/0"),
        [
            "install",
            "leader-elected",
            "config-changed",
            "config-changed",
            "start"
        ]
    );
    let machine = model.machine_of("alpha/0").unwrap();
    assert_eq!(model.machine_state(machine).unwrap().reboots, 2);
}
