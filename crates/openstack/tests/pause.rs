//! pause, resume and restart-services on a sysv machine whose `service` and `update-rc.d`
//! keep state (running, enabled) and can be told to fail.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use charm::{Charm, Context, Event, Outcome};
use host::Host;
use juju::testing::Recorder;
use juju::{HookEnv, ToolRunner};
use openstack::pause::{self, PAUSED, RESTART_WHILE_PAUSED};

const METADATA: &str = "\
name: demo
summary: A charm for the OpenStack actions' tests.
description: Only its actions matter.
";

/// An action environment for `demo/0`.
fn env(dispatch_path: &str) -> HookEnv {
    charm::testing::hook_env("demo/0", dispatch_path).unwrap()
}

/// The calls made, as command lines; stdin (`--file -`) follows after ` <<< `.
fn transcript(recorder: &Recorder) -> Vec<String> {
    recorder
        .calls()
        .iter()
        .map(|call| {
            let line = call.argv().join(" ");
            match call.stdin_text() {
                Some(stdin) => format!("{line} <<< {stdin}"),
                None => line,
            }
        })
        .collect()
}

const SERVICES: [&str; 2] = ["demo-api", "demo-worker"];

/// A charm whose actions are the shared OpenStack ones over [`SERVICES`]; resume starts
/// every service.
struct Paused;

impl Charm for Paused {
    const METADATA: &'static str = METADATA;
    const ACTIONS: &'static str = pause::SCHEMA;

    fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()> {
        let Event::Action(action) = event else {
            return Ok(());
        };
        match action.name.as_str() {
            "pause" => {
                pause::pause(ctx, &SERVICES)?;
            }
            "resume" => {
                pause::resume(ctx, &SERVICES, &SERVICES)?;
            }
            "restart-services" => {
                pause::restart(ctx, &SERVICES)?;
            }
            other => anyhow::bail!("no handler for {other}"),
        }
        Ok(())
    }
}

/// A machine with init scripts: `service` and `update-rc.d` keep each service's state in
/// files, log every call, and fail where a `fail-<verb>-<service>` file says so.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let machine = Machine { dir };
        let (bin, state, log) = (machine.bin(), machine.state(), machine.log());
        fs::create_dir_all(&bin).unwrap();
        fs::create_dir_all(&state).unwrap();
        fs::create_dir_all(machine.root().join("etc/rc2.d")).unwrap();
        let script = |name: &str, body: String| {
            let path = bin.join(name);
            fs::write(
                &path,
                format!(
                    "#!/bin/sh\nPATH=/usr/bin:/bin\necho \"{name} $*\" >> '{}'\nstate='{}'\nrc='{}'\n{body}\n",
                    log.display(),
                    state.display(),
                    machine.root().join("etc/rc2.d").display()
                ),
            )
            .unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        };
        script(
            "service",
            r#"case "$2" in
status) [ -e "$state/running-$1" ] ;;
start) [ -e "$state/fail-start-$1" ] && exit 1; touch "$state/running-$1" ;;
stop) [ -e "$state/fail-stop-$1" ] && [ -e "$state/running-$1" ] && exit 1; rm -f "$state/running-$1" ;;
esac"#
                .to_owned(),
        );
        script(
            "update-rc.d",
            r#"case "$2" in
enable) ln -sf "../init.d/$1" "$rc/S01$1" ;;
disable) rm -f "$rc/S01$1" ;;
esac"#
                .to_owned(),
        );
        machine
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    fn host(&self) -> Host {
        Host::confined(self.root())
            .unwrap()
            .with_search_path(self.bin())
    }

    /// `service` running and enabled.
    fn up(&self, service: &str) {
        touch(&self.state().join(format!("running-{service}")));
        std::os::unix::fs::symlink(
            format!("../init.d/{service}"),
            self.root().join(format!("etc/rc2.d/S01{service}")),
        )
        .unwrap();
    }

    fn fail(&self, verb: &str, service: &str) {
        touch(&self.state().join(format!("fail-{verb}-{service}")));
    }

    fn running(&self, service: &str) -> bool {
        self.state().join(format!("running-{service}")).exists()
    }

    fn enabled(&self, service: &str) -> bool {
        fs::symlink_metadata(self.root().join(format!("etc/rc2.d/S01{service}"))).is_ok()
    }

    /// The `service` start and stop calls, in order.
    fn starts_and_stops(&self) -> Vec<String> {
        fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("service ") && !l.ends_with(" status"))
            .map(str::to_owned)
            .collect()
    }
}

fn touch(path: &Path) {
    fs::write(path, "").unwrap();
}

fn run_action(machine: &Machine, action: &str, state: &str) -> Recorder {
    let rec = Recorder::new()
        .answer("action-get", "{}")
        .answer("state-get", state);
    let outcome =
        charm::dispatch::<Paused, _>(env(&format!("actions/{action}")), &rec, machine.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    rec
}

const NOT_PAUSED: &str = "{}";
const IS_PAUSED: &str = r#"{"charm.paused":"true"}"#;

#[test]
fn pause_stops_and_disables_every_service_and_records_the_unit_paused() {
    let machine = Machine::new();
    SERVICES.iter().for_each(|s| machine.up(s));
    let rec = run_action(&machine, "pause", NOT_PAUSED);
    for service in SERVICES {
        assert!(
            !machine.running(service) && !machine.enabled(service),
            "{service}"
        );
    }
    assert_eq!(
        transcript(&rec),
        [
            "action-get --format=json",
            "state-get --format=json -",
            "action-set stopped=demo-api, demo-worker",
            &format!("status-set maintenance -- {PAUSED}"),
            &format!(
                r#"state-set --file - <<< {{"charm.paused":"true","charm.status":"{{\"status\":\"maintenance\",\"message\":\"{PAUSED}\"}}"}}"#
            ),
        ]
    );
}

#[test]
fn a_service_that_does_not_stop_fails_the_pause_by_name_but_the_unit_is_paused() {
    let machine = Machine::new();
    SERVICES.iter().for_each(|s| machine.up(s));
    machine.fail("stop", "demo-api");
    let rec = run_action(&machine, "pause", NOT_PAUSED);
    assert!(machine.running("demo-api"));
    assert!(!machine.running("demo-worker") && !machine.enabled("demo-worker"));
    let calls = transcript(&rec);
    let expected = [
        "action-set failed=demo-api stopped=demo-worker",
        "action-fail -- Couldn't pause: demo-api didn't pause cleanly.",
        "status-set blocked -- Services should be paused but these services running: demo-api",
    ];
    for line in expected {
        assert!(calls.iter().any(|c| c == line), "{line} not in {calls:#?}");
    }
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("juju-log --log-level WARNING -- demo-api didn't pause cleanly: cannot stop service demo-api")),
        "{calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("state-set") && c.contains(r#""charm.paused":"true""#)),
        "{calls:#?}"
    );
}

#[test]
fn resume_enables_and_starts_every_service_and_clears_the_flag() {
    let machine = Machine::new();
    let rec = run_action(&machine, "resume", IS_PAUSED);
    for service in SERVICES {
        assert!(
            machine.running(service) && machine.enabled(service),
            "{service}"
        );
    }
    assert_eq!(
        transcript(&rec),
        [
            "action-get --format=json",
            "state-get --format=json -",
            "action-set started=demo-api, demo-worker",
            "state-delete charm.paused",
        ]
    );
}

#[test]
fn a_service_that_does_not_start_fails_the_resume_by_name_and_blocks() {
    let machine = Machine::new();
    machine.fail("start", "demo-worker");
    let rec = run_action(&machine, "resume", IS_PAUSED);
    assert!(machine.running("demo-api"));
    assert!(!machine.running("demo-worker") && machine.enabled("demo-worker"));
    let calls = transcript(&rec);
    for line in [
        "action-set failed=demo-worker started=demo-api",
        "action-fail -- Couldn't resume: demo-worker didn't resume cleanly.",
        "status-set blocked -- Services not running that should be: demo-worker",
        "state-delete charm.paused",
    ] {
        assert!(calls.iter().any(|c| c == line), "{line} not in {calls:#?}");
    }
}

#[test]
fn restart_stops_everything_then_starts_everything() {
    let machine = Machine::new();
    SERVICES.iter().for_each(|s| machine.up(s));
    let rec = run_action(&machine, "restart-services", NOT_PAUSED);
    assert_eq!(
        machine.starts_and_stops(),
        [
            "service demo-api stop",
            "service demo-worker stop",
            "service demo-api start",
            "service demo-worker start",
        ]
    );
    assert!(transcript(&rec)
        .iter()
        .any(|c| c == "action-set restarted=demo-api, demo-worker"));
}

#[test]
fn restart_is_refused_while_paused_and_touches_nothing() {
    let machine = Machine::new();
    let rec = run_action(&machine, "restart-services", IS_PAUSED);
    assert!(machine.starts_and_stops().is_empty());
    assert_eq!(
        transcript(&rec),
        [
            "action-get --format=json",
            "state-get --format=json -",
            &format!("action-fail -- {RESTART_WHILE_PAUSED}"),
        ]
    );
}

#[test]
fn a_restart_that_does_not_come_back_fails_by_name() {
    let machine = Machine::new();
    SERVICES.iter().for_each(|s| machine.up(s));
    machine.fail("start", "demo-api");
    let rec = run_action(&machine, "restart-services", NOT_PAUSED);
    assert!(!machine.running("demo-api") && machine.running("demo-worker"));
    assert!(transcript(&rec)
        .iter()
        .any(|c| c == "action-fail -- Couldn't restart: demo-api didn't restart cleanly."));
}
