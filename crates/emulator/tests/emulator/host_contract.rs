//! The `host` crate's command contract (its crate doc table) against the emulated machine
//! commands: `host-probe` (tests/support/host_probe.rs) drives packages and services through
//! `host::Host::from_env()` inside a unit (`Model::exec`), on each init system, and the model's
//! machine state must show exactly what the host crate was asked to do.

use emulator::{DeployOptions, InitSystem, Model, ServiceAction, ServiceState};

use crate::support::{Scratch, TestCharm};

const PROBE: &str = env!("CARGO_BIN_EXE_host-probe");
const UNIT: &str = "probe/0";

fn model_on(scratch: &Scratch, init: InitSystem) -> Model {
    let charm = TestCharm::new("probe").write(scratch.path());
    let mut model = scratch.model();
    // The probe is a binary of this package's build, outside the model.
    let probe_dir = std::path::Path::new(PROBE).parent().unwrap();
    model.share_host_dir(probe_dir).unwrap();
    model.set_init_system(init).unwrap();
    model.deploy("probe", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty(), "{report:?}");
    model
}

/// Runs `host-probe <args>` in the unit; its stdout, trimmed, or its failure.
fn probe(model: &mut Model, args: &str) -> Result<String, String> {
    let result = model.exec(UNIT, &[PROBE, args]).unwrap();
    if result.code == 0 {
        Ok(result.stdout.trim().to_owned())
    } else {
        Err(result.stderr)
    }
}

fn ok(model: &mut Model, args: &str) -> String {
    probe(model, args).unwrap_or_else(|err| panic!("host-probe {args}: {err}"))
}

fn service(model: &Model, name: &str) -> ServiceState {
    model
        .service(UNIT, name)
        .unwrap()
        .unwrap_or_else(|| panic!("no service {name}"))
        .clone()
}

/// The machine commands the probe ran since call `from` of the transcript.
fn commands_since(model: &Model, from: usize) -> Vec<String> {
    model.tool_calls()[from..]
        .iter()
        .map(|call| format!("{} -> {}", call.argv(), call.exit_code))
        .collect()
}

/// What both init systems must agree on; `init` only changes which commands run. The
/// scratch directory holds the model: keep it while using the model.
fn packages_and_services(init: InitSystem) -> (Scratch, Model) {
    let scratch = Scratch::new();
    let mut model = model_on(&scratch, init);
    let expected_init = match init {
        InitSystem::Systemd => "systemd",
        InitSystem::Sysv => "sysv",
    };
    assert_eq!(ok(&mut model, "init"), expected_init);

    assert_eq!(ok(&mut model, "version haproxy"), "none");
    assert_eq!(
        ok(&mut model, "install haproxy memcached"),
        "haproxy memcached"
    );
    let versions = model.packages(UNIT).unwrap().clone();
    assert_eq!(versions["haproxy"], "2.6.12-1+deb12u3");
    assert_eq!(versions["memcached"], "1.6.18-1");
    assert_eq!(ok(&mut model, "version haproxy"), "2.6.12-1+deb12u3");
    let before = model.tool_calls().len();
    assert_eq!(ok(&mut model, "install haproxy"), "", "already installed");
    assert_eq!(
        commands_since(&model, before),
        [r"dpkg-query -W -f=${Package}\t${Status}\t${Version}\n haproxy -> 0"],
        "an installed package costs one query and no apt-get"
    );

    let haproxy = service(&model, "haproxy");
    assert!(haproxy.running && haproxy.enabled && !haproxy.masked);
    assert_eq!(haproxy.history[0].by, "apt-get install");
    assert_eq!(ok(&mut model, "running haproxy"), "true");
    assert_eq!(ok(&mut model, "enabled haproxy"), "true");

    ok(&mut model, "service haproxy restart");
    ok(&mut model, "service haproxy reload");
    ok(&mut model, "service haproxy stop");
    assert!(!service(&model, "haproxy").running);
    assert_eq!(ok(&mut model, "running haproxy"), "false");
    ok(&mut model, "service haproxy start");
    assert_eq!(ok(&mut model, "running haproxy"), "true");

    ok(&mut model, "service haproxy disable");
    assert!(!service(&model, "haproxy").enabled);
    assert_eq!(ok(&mut model, "enabled haproxy"), "false");
    ok(&mut model, "service haproxy enable");
    assert!(service(&model, "haproxy").enabled);
    assert_eq!(ok(&mut model, "enabled haproxy"), "true");

    let missing = probe(&mut model, "service nosuch start").unwrap_err();
    assert!(missing.contains("nosuch"), "{missing}");

    ok(&mut model, "update");
    assert_eq!(model.machine_state(0).unwrap().apt_updates, 1);
    assert_eq!(ok(&mut model, "purge memcached"), "memcached");
    assert!(!model.packages(UNIT).unwrap().contains_key("memcached"));
    assert!(!service(&model, "memcached").running);
    assert_eq!(
        ok(&mut model, "purge memcached"),
        "",
        "nothing left to purge"
    );

    // A command's standard input reaches it inside the unit's machine (bubblewrap included).
    let root = model.machine_root(model.machine_of(UNIT).unwrap());
    assert_eq!(
        ok(&mut model, "run-input s3cret"),
        format!("s3cret in {}", root.display())
    );

    let haproxy = service(&model, "haproxy");
    let counts = [
        ServiceAction::Start,
        ServiceAction::Stop,
        ServiceAction::Restart,
        ServiceAction::Reload,
    ]
    .map(|action| haproxy.count(action));
    assert_eq!(counts, [2, 1, 1, 1], "{:?}", haproxy.history);
    (scratch, model)
}

#[test]
fn the_host_crate_and_the_emulated_machine_agree_under_systemd() {
    let (_scratch, mut model) = packages_and_services(InitSystem::Systemd);
    let by: Vec<String> = service(&model, "haproxy").history[1..]
        .iter()
        .map(|e| e.by.clone())
        .collect();
    assert!(by.iter().all(|b| b == "systemctl"), "{by:?}");

    // systemctl mask does not stop a running unit; a masked one cannot start.
    ok(&mut model, "service haproxy mask");
    let haproxy = service(&model, "haproxy");
    assert!(haproxy.masked && haproxy.running);
    assert_eq!(ok(&mut model, "enabled haproxy"), "false");
    ok(&mut model, "service haproxy stop");
    let refused = probe(&mut model, "service haproxy start").unwrap_err();
    assert!(refused.contains("masked"), "{refused}");
    ok(&mut model, "service haproxy unmask");
    ok(&mut model, "service haproxy start");
    assert!(service(&model, "haproxy").running);

    let used: Vec<String> = model
        .tool_calls()
        .iter()
        .filter(|c| c.hook == "juju-exec")
        .map(|c| c.command.clone())
        .collect();
    assert!(
        used.iter()
            .all(|c| ["dpkg-query", "apt-get", "systemctl"].contains(&c.as_str())),
        "{used:?}"
    );
}

#[test]
fn the_host_crate_and_the_emulated_machine_agree_under_sysv() {
    let (_scratch, mut model) = packages_and_services(InitSystem::Sysv);
    let root = model.machine_root(model.machine_of(UNIT).unwrap());
    assert!(!root.join("run/systemd").exists());

    // sysv mask: disabled and stopped, the part of masking init scripts can have.
    ok(&mut model, "service haproxy mask");
    let haproxy = service(&model, "haproxy");
    assert!(!haproxy.running && !haproxy.enabled);
    assert_eq!(ok(&mut model, "enabled haproxy"), "false");
    assert_eq!(ok(&mut model, "running haproxy"), "false");
    ok(&mut model, "service haproxy unmask");
    assert!(service(&model, "haproxy").enabled);
    assert_eq!(ok(&mut model, "enabled haproxy"), "true");

    let used: Vec<String> = model
        .tool_calls()
        .iter()
        .filter(|c| c.hook == "juju-exec")
        .map(|c| c.command.clone())
        .collect();
    assert!(
        used.iter()
            .all(|c| ["dpkg-query", "apt-get", "service", "update-rc.d"].contains(&c.as_str())),
        "no systemctl on a machine without systemd: {used:?}"
    );
    let by: Vec<String> = service(&model, "haproxy").history[1..]
        .iter()
        .map(|e| e.by.clone())
        .collect();
    assert!(by.iter().all(|b| b == "service"), "{by:?}");
}
