//! The model and `scenario` run hooks on one engine: the same charm's hook, making the same
//! hook-tool calls, leaves the same committed effects and sees the same environment keys in
//! both. What a hook's end commits is Juju's `Flush`/`doFlush`
//! (`internal/worker/uniter/runner/context/context.go`): the status, version, log and
//! leader-settings writes at once, the relation settings, charm state and ports only when the
//! hook reports no error. The environment is `HookContext.HookVars` in the same file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use emulator::scenario::{bag, Event, Relation, Scenario, State};
use emulator::DeployOptions;
use serde_json::json;

use crate::support::{Scratch, TestCharm};

const CONFIG: &str = "options:
  go:
    type: boolean
    default: false
  fail:
    type: boolean
    default: false
";

/// Every hook-tool call of the hook under test: each kind of immediate and buffered write.
fn writes(relation: u32) -> Vec<Vec<String>> {
    let rel = format!("db:{relation}");
    [
        vec!["status-set", "maintenance", "drifting"],
        vec!["application-version-set", "2.0"],
        vec!["juju-log", "-l", "INFO", "flushing"],
        vec!["relation-set", "-r", &rel, "written=yes"],
        vec!["relation-set", "-r", &rel, "--app", "shared=yes"],
        vec!["state-set", "seen=yes"],
        vec!["open-port", "8080/tcp"],
        vec!["open-port", "9000-9010/udp"],
        vec!["leader-set", "lk=lv"],
        vec!["status-set", "--application", "active", "leading"],
    ]
    .into_iter()
    .map(|argv| argv.into_iter().map(str::to_owned).collect())
    .collect()
}

/// A hook's committed effects, as both sides can report them.
#[derive(Debug, PartialEq)]
struct Effects {
    unit_status: (String, String),
    app_status: (String, String),
    workload_version: String,
    /// The keys the hook writes, of this unit's and this application's bags.
    unit_bag: BTreeMap<String, String>,
    app_bag: BTreeMap<String, String>,
    unit_state: BTreeMap<String, String>,
    opened_ports: BTreeSet<String>,
    leader_settings: BTreeMap<String, String>,
    juju_log: Vec<String>,
}

fn written(bag: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    bag.iter()
        .filter(|(k, _)| ["written", "shared"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Runs config-changed (with `go` set) on drift/0, the leader, related to store/0 in a
/// model; `fail` makes the hook exit 1 after its writes.
fn in_model(scratch: &Scratch, fail: bool) -> (Effects, BTreeSet<String>, u32) {
    let dump = scratch.path().join("env");
    let script = scratch.path().join("writes.sh");
    let charm = TestCharm::new("drift")
        .metadata("requires:\n  db:\n    interface: pgsql\n")
        .config(CONFIG)
        .dispatch(&format!(
            "#!/bin/sh\n\
             [ \"$JUJU_DISPATCH_PATH\" = hooks/config-changed ] || exit 0\n\
             [ \"$(config-get go --format=json)\" = true ] || exit 0\n\
             env > {dump}\n\
             . {script}\n",
            dump = dump.display(),
            script = script.display(),
        ))
        .write(scratch.path());
    let store = TestCharm::new("store")
        .metadata("provides:\n  db:\n    interface: pgsql\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .set_model_config("automatically-retry-hooks", "false")
        .unwrap();
    model.deploy("drift", &charm, DeployOptions::new()).unwrap();
    model.deploy("store", &store, DeployOptions::new()).unwrap();
    let id = model.relate("drift", "store").unwrap();
    model.settle().unwrap();
    let mut lines: Vec<String> = writes(id).iter().map(|argv| shell_line(argv)).collect();
    lines.push(format!("exit {}", u8::from(fail)));
    fs::write(&script, lines.join("\n") + "\n").unwrap();
    let logged_before = model.debug_log().len();
    model
        .set_config("drift", [("go", "true"), ("fail", &fail.to_string())])
        .unwrap();
    let report = model.settle().unwrap();
    assert_eq!(report.units_in_error.is_empty(), !fail, "{report:?}");
    let pair = |s: &emulator::scenario::StatusSnapshot| (s.status.clone(), s.message.clone());
    let effects = Effects {
        unit_status: pair(model.unit_status("drift/0").unwrap()),
        app_status: pair(model.app_status("drift").unwrap()),
        workload_version: model.workload_version("drift").unwrap().to_owned(),
        unit_bag: written(&model.unit_bag(id, "drift/0").unwrap()),
        app_bag: written(&model.app_bag(id, "drift").unwrap()),
        unit_state: model.unit_state("drift/0").unwrap().clone(),
        opened_ports: ports(model.opened_ports("drift/0").unwrap()),
        leader_settings: model.leader_settings("drift").unwrap().clone(),
        juju_log: model.debug_log()[logged_before..]
            .iter()
            .filter(|e| e.module == "unit.drift/0.juju-log")
            .map(|e| format!("{} {}", e.level, e.message))
            .collect(),
    };
    (effects, env_keys(&dump), id)
}

/// The same hook in a scenario of the same charm directory, the charm a closure making the
/// same calls.
fn in_scenario(charm_dir: &Path, relation: u32, fail: bool) -> (Effects, BTreeSet<String>) {
    let state = State {
        leader: true,
        config: BTreeMap::from([
            ("go".to_owned(), json!(true)),
            ("fail".to_owned(), json!(fail)),
        ]),
        relations: vec![
            Relation::new(relation, "db", "store").remote_unit("store/0", bag([("a", "b")]))
        ],
        ..State::default()
    };
    let out = Scenario::load(charm_dir)
        .unwrap()
        .run(Event::ConfigChanged, &state, |_, tools, _| {
            for argv in writes(relation) {
                let output = tools.run(&argv[0], &argv[1..], None).unwrap();
                assert_eq!(output.exit_code, 0, "{argv:?}: {output:?}");
            }
            i32::from(fail)
        })
        .unwrap();
    let state = &out.state;
    let db = state.relation(relation).unwrap();
    let pair = |s: &emulator::scenario::StatusSnapshot| (s.status.clone(), s.message.clone());
    let effects = Effects {
        unit_status: pair(&state.unit_status),
        app_status: pair(&state.app_status),
        workload_version: state.workload_version.clone(),
        unit_bag: written(&db.local_unit_data),
        app_bag: written(&db.local_app_data),
        unit_state: state.unit_state.clone(),
        opened_ports: ports(&state.opened_ports),
        leader_settings: state.leader_settings.clone(),
        juju_log: out
            .logs
            .iter()
            .map(|l| format!("{} {}", l.level, l.message))
            .collect(),
    };
    let keys = out.environment.iter().map(|(k, _)| k.clone()).collect();
    (effects, keys)
}

fn ports(ports: &BTreeSet<emulator::scenario::Port>) -> BTreeSet<String> {
    ports.iter().map(ToString::to_string).collect()
}

/// Single-quoted for `sh`.
fn shell_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The variables of an `env` dump, but those the shell itself sets.
fn env_keys(dump: &Path) -> BTreeSet<String> {
    fs::read_to_string(dump)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_owned()))
        .filter(|k| !["PWD", "OLDPWD", "SHLVL", "_"].contains(&k.as_str()))
        .collect()
}

fn drift(fail: bool) {
    let scratch = Scratch::new();
    let (model, model_env, id) = in_model(&scratch, fail);
    let (scenario, scenario_env) = in_scenario(&scratch.path().join("charm-drift"), id, fail);
    assert_eq!(model, scenario);
    // Not equal by being empty: the writes reached both.
    let committed = if fail { None } else { Some("yes") };
    assert_eq!(
        scenario.unit_state.get("seen").map(String::as_str),
        committed
    );
    assert_eq!(
        scenario.unit_bag.get("written").map(String::as_str),
        committed
    );
    assert_eq!(scenario.opened_ports.len(), if fail { 0 } else { 2 });
    assert_eq!(scenario.leader_settings["lk"], "lv");
    assert_eq!(scenario.unit_status.1, "drifting");
    assert_eq!(scenario.juju_log, ["INFO flushing"]);
    assert_eq!(model_env, scenario_env);
    for key in [
        "JUJU_API_ADDRESSES",
        "JUJU_AVAILABILITY_ZONE",
        "JUJU_SLA",
        "JUJU_VERSION",
        "CHARM_HOST_ROOT",
    ] {
        assert!(scenario_env.contains(key), "{key} missing");
    }
}

#[test]
fn a_successful_hook_commits_the_same_in_the_model_and_in_a_scenario() {
    drift(false);
}

/// The buffered writes are dropped in both, the immediate ones kept in both.
#[test]
fn a_failing_hook_keeps_the_same_in_the_model_and_in_a_scenario() {
    drift(true);
}

/// `relation-model-get` (`jujuc/relation-model-get.go`) names the hook's own model in a
/// scenario as in the model: the uuid of `JUJU_MODEL_UUID`.
#[test]
fn a_scenario_s_relation_model_get_names_its_own_model() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("drift")
        .metadata("requires:\n  db:\n    interface: pgsql\n")
        .config(CONFIG)
        .write(scratch.path());
    let state = State {
        relations: vec![Relation::new(4, "db", "store").remote_unit("store/0", bag([("a", "b")]))],
        ..State::default()
    };
    let mut answer = String::new();
    let out = Scenario::load(&charm)
        .unwrap()
        .run(Event::ConfigChanged, &state, |_, tools, _| {
            let args = [
                "-r".to_owned(),
                "db:4".to_owned(),
                "--format=json".to_owned(),
            ];
            let output = tools.run("relation-model-get", &args, None).unwrap();
            answer = String::from_utf8(output.stdout).unwrap();
            output.exit_code
        })
        .unwrap();
    assert_eq!(out.exit_code, 0);
    let uuid = &out
        .environment
        .iter()
        .find(|(k, _)| k == "JUJU_MODEL_UUID")
        .unwrap()
        .1;
    assert_eq!(answer.trim(), format!("{{\"uuid\":\"{uuid}\"}}"));
}

/// What the hook-tool calls of the hook under reads answer, as `== argv`, the output and
/// `-> exit code`: the snapshot each side builds for the hook, seen through the tools.
fn reads(relation: u32) -> Vec<Vec<String>> {
    let rel = format!("db:{relation}");
    [
        vec!["is-leader", "--format=json"],
        vec!["config-get", "--format=json"],
        vec!["relation-ids", "db", "--format=json"],
        vec!["relation-list", "-r", &rel, "--format=json"],
        vec!["relation-get", "-r", &rel, "--format=json", "-", "store/0"],
        vec!["relation-get", "-r", &rel, "--format=json", "-", "drift/0"],
        vec![
            "relation-get",
            "-r",
            &rel,
            "--app",
            "--format=json",
            "-",
            "store",
        ],
        vec!["unit-get", "private-address"],
        vec!["network-get", "db", "--format=json"],
        vec!["state-get", "--format=json"],
        vec!["leader-get", "--format=json"],
        vec!["opened-ports", "--format=json"],
        vec!["status-get", "--format=json", "--include-data"],
        vec!["storage-list", "--format=json"],
        vec!["secret-ids", "--format=json"],
        vec!["credential-get", "--format=json"],
    ]
    .into_iter()
    .map(|argv| argv.into_iter().map(str::to_owned).collect())
    .collect()
}

/// The tools' answers to [`reads`] in a model's config-changed on drift/0, the leader,
/// related to store/0; and the address of store/0.
fn reads_in_model(scratch: &Scratch) -> (String, String, u32) {
    let answers = scratch.path().join("answers");
    let script = scratch.path().join("reads.sh");
    let charm = TestCharm::new("drift")
        .metadata("requires:\n  db:\n    interface: pgsql\n")
        .config(CONFIG)
        .dispatch(&format!(
            "#!/bin/sh\n\
             [ \"$JUJU_DISPATCH_PATH\" = hooks/config-changed ] || exit 0\n\
             [ \"$(config-get go --format=json)\" = true ] || exit 0\n\
             . {script} > {answers} 2>&1\n",
            script = script.display(),
            answers = answers.display(),
        ))
        .write(scratch.path());
    let store = TestCharm::new("store")
        .metadata("provides:\n  db:\n    interface: pgsql\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("drift", &charm, DeployOptions::new()).unwrap();
    model.deploy("store", &store, DeployOptions::new()).unwrap();
    let id = model.relate("drift", "store").unwrap();
    model.settle().unwrap();
    let lines: Vec<String> = reads(id)
        .iter()
        .map(|argv| {
            format!(
                "printf '== %s\\n' {quoted}; {command}; echo \"-> $?\"",
                quoted = shell_line(&[argv.join(" ")]),
                command = shell_line(argv),
            )
        })
        .collect();
    fs::write(&script, lines.join("\n") + "\n").unwrap();
    model.set_config("drift", [("go", "true")]).unwrap();
    model.settle().unwrap();
    let store_address = model.address("store/0").unwrap().to_owned();
    (fs::read_to_string(&answers).unwrap(), store_address, id)
}

/// The same reads in a scenario holding what the model held.
fn reads_in_scenario(charm_dir: &Path, relation: u32, store_address: &str) -> String {
    let state = State {
        leader: true,
        config: BTreeMap::from([("go".to_owned(), json!(true))]),
        relations: vec![Relation::new(relation, "db", "store").remote_unit(
            "store/0",
            emulator::scenario::juju_address_bag(store_address),
        )],
        ..State::default()
    };
    let mut answers = String::new();
    Scenario::load(charm_dir)
        .unwrap()
        .run(Event::ConfigChanged, &state, |_, tools, _| {
            for argv in reads(relation) {
                let output = tools.run(&argv[0], &argv[1..], None).unwrap();
                answers.push_str(&format!("== {}\n", argv.join(" ")));
                answers.push_str(&String::from_utf8_lossy(&output.stdout));
                answers.push_str(&String::from_utf8_lossy(&output.stderr));
                answers.push_str(&format!("-> {}\n", output.exit_code));
            }
            0
        })
        .unwrap();
    answers
}

/// `context.go` (`HookContext`'s cached relations, settings, addresses) and the uniter
/// facade's answers, seen through the tools: the same state gives the same answers.
#[test]
fn the_same_state_reads_the_same_in_the_model_and_in_a_scenario() {
    let scratch = Scratch::new();
    let (model, store_address, id) = reads_in_model(&scratch);
    let scenario = reads_in_scenario(&scratch.path().join("charm-drift"), id, &store_address);
    assert!(
        model.contains("== is-leader --format=json\ntrue\n-> 0"),
        "{model}"
    );
    assert!(
        model.contains(&format!("\"private-address\":\"{store_address}\"")),
        "{model}"
    );
    assert_same_answers(&model, &scenario);
}

/// Line by line, so that a drift names the tool.
fn assert_same_answers(model: &str, scenario: &str) {
    let mut call = "";
    for (m, s) in model.lines().zip(scenario.lines()) {
        if m.starts_with("== ") {
            call = m;
        }
        assert_eq!(m, s, "after {call}\nmodel:\n{model}\nscenario:\n{scenario}");
    }
    assert_eq!(
        model.lines().count(),
        scenario.lines().count(),
        "model:\n{model}\nscenario:\n{scenario}"
    );
}
