//! `Model::exec`: a command in a hook context with no hook (the CLI's `exec` is tested with
//! the CLI, in `crates/juju-emulator`).

use std::collections::BTreeMap;

use emulator::{DeployOptions, Error, HookOutcome, Model};

use crate::support::{hooks_of, Scratch, TestCharm};

/// web/0 related to db/0 and settled.
fn related(scratch: &Scratch) -> (Model, u32) {
    let web = TestCharm::new("web")
        .metadata("requires:\n  db:\n    interface: pgsql\n")
        .write(scratch.path());
    let db = TestCharm::new("db")
        .metadata("provides:\n  db:\n    interface: pgsql\n")
        .recording(&scratch.trace(), "true")
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("web", &web, DeployOptions::new()).unwrap();
    model.deploy("db", &db, DeployOptions::new()).unwrap();
    let id = model.relate("web", "db").unwrap();
    model.settle().unwrap();
    (model, id)
}

#[test]
fn exec_runs_in_a_juju_exec_task_context() {
    let scratch = Scratch::new();
    let (mut model, _) = related(&scratch);
    let result = model
        .exec("web/0", &["echo", "ARGC=$#;", "echo", "CWD=$(pwd);", "env"])
        .unwrap();
    assert_eq!(result.code, 0, "{result:?}");
    let env: BTreeMap<&str, &str> = result
        .stdout
        .lines()
        .filter_map(|line| line.split_once('='))
        .collect();
    let charm_dir = model.charm_dir("web/0").unwrap();
    assert_eq!(env["CWD"], charm_dir.display().to_string());
    assert_eq!(env["ARGC"], "0");
    assert_eq!(env["JUJU_UNIT_NAME"], "web/0");
    assert_eq!(env["JUJU_HOOK_NAME"], "", "a hook context with no hook");
    assert!(!env.contains_key("JUJU_DISPATCH_PATH"), "{env:?}");
    assert_eq!(env["JUJU_ACTION_NAME"], "juju-exec");
    let task = env["JUJU_ACTION_UUID"];
    assert_eq!(env["JUJU_ACTION_TAG"], format!("action-{task}"));
    assert!(
        env["JUJU_CONTEXT_ID"].starts_with("web/0-juju-exec-"),
        "{}",
        env["JUJU_CONTEXT_ID"]
    );
    let tools = charm_dir.parent().unwrap().join("tools");
    assert!(
        env["PATH"].starts_with(&format!("{}:", tools.display())),
        "{}",
        env["PATH"]
    );
    let root = model.machine_root(model.machine_of("web/0").unwrap());
    assert_eq!(env["CHARM_HOST_ROOT"], root.display().to_string());
    assert!(!env.contains_key("JUJU_RELATION_ID"));

    let record = model.hook_log().last().unwrap();
    assert_eq!((record.hook.as_str(), record.action), ("juju-exec", true));
    assert_eq!(record.outcome, HookOutcome::Completed);
}

#[test]
fn hook_tools_work_and_their_writes_are_committed_even_on_a_non_zero_exit() {
    let scratch = Scratch::new();
    let (mut model, id) = related(&scratch);
    let before = hooks_of(&model, "db/0").len();
    let result = model
        .exec(
            "web/0",
            &[
                "relation-set -r db:{id} answer=42 &&",
                "state-set seen=yes &&",
                "action-get command &&",
                "echo oops >&2; exit 3",
            ]
            .map(|part| part.replace("{id}", &id.to_string())),
        )
        .unwrap();
    assert_eq!(result.code, 3);
    assert_eq!(result.stderr, "oops\n");
    assert!(
        result.stdout.starts_with("relation-set -r db:"),
        "action-get sees the task's command param: {result:?}"
    );
    // Juju's exec does not treat a non-zero exit as an error: the context is flushed.
    assert_eq!(model.unit_bag(id, "web/0").unwrap()["answer"], "42");
    assert_eq!(model.unit_state("web/0").unwrap()["seen"], "yes");
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "db/0")[before..],
        ["db-relation-changed web/0"],
        "the remote side hears of the change"
    );
    assert!(
        model
            .debug_log()
            .iter()
            .all(|e| !e.message.contains("oops")),
        "exec output is the caller's, not the debug log's"
    );
}

#[test]
fn a_killed_command_commits_nothing() {
    let scratch = Scratch::new();
    let (mut model, _) = related(&scratch);
    let err = model
        .exec("web/0", &["state-set gone=yes; kill -9 $$"])
        .unwrap_err();
    assert!(
        matches!(&err, Error::Exec { unit, reason } if unit == "web/0" && reason == "signal: killed"),
        "{err:?}"
    );
    assert!(model.unit_state("web/0").unwrap().is_empty());
    assert!(matches!(
        model.exec("nope/0", &["true"]),
        Err(Error::UnknownUnit(_))
    ));
}

#[test]
fn machine_commands_run_from_exec_change_the_units_machine() {
    let scratch = Scratch::new();
    let (mut model, _) = related(&scratch);
    let result = model
        .exec(
            "web/0",
            &["apt-get install -y memcached >/dev/null && systemctl is-active memcached"],
        )
        .unwrap();
    assert_eq!((result.code, result.stdout.as_str()), (0, "active\n"));
    assert!(model.packages("web/0").unwrap().contains_key("memcached"));
    assert!(
        !model.packages("db/0").unwrap().contains_key("memcached"),
        "another machine"
    );
}
