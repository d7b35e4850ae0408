//! What a hook's exit commits: buffered writes only on exit 0, immediate ones always
//! (juju-contract §5.5), and who hears of a committed change.

use emulator::{AgentState, DeployOptions, Model};

use crate::support::{hooks_of, Scratch, TestCharm};

/// server/0 writes on config-changed, and fails when `fail` is true.
const WRITER: &str = r#"case "$HOOK" in
config-changed)
  status-set maintenance "configuring"
  for r in $(relation-ids db); do relation-set -r "$r" foo=bar; done
  state-set seen=yes
  open-port 8080/tcp
  juju-log "configured"
  [ "$(config-get fail --format=json)" = "true" ] && exit 3
  ;;
esac
true"#;

fn model_with_writer(scratch: &Scratch) -> (Model, u32) {
    let server = TestCharm::new("server")
        .metadata("provides:\n  db:\n    interface: pgsql\n")
        .config("options:\n  fail:\n    type: boolean\n    default: false\n")
        .recording(&scratch.trace(), WRITER)
        .write(scratch.path());
    let client = TestCharm::new("client")
        .metadata("requires:\n  database:\n    interface: pgsql\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("server", &server, DeployOptions::new().config("fail", true))
        .unwrap();
    model
        .deploy("client", &client, DeployOptions::new())
        .unwrap();
    let id = model.relate("server", "client").unwrap();
    (model, id)
}

#[test]
fn a_failing_hook_keeps_its_status_and_logs_but_drops_its_buffered_writes() {
    let scratch = Scratch::new();
    let (mut model, id) = model_with_writer(&scratch);
    let report = model.settle().unwrap();
    assert_eq!(report.units_in_error, ["server/0"]);
    let AgentState::Error { message, data } = model.agent_state("server/0").unwrap() else {
        panic!("server/0 should be in error");
    };
    assert_eq!(message, r#"hook failed: "config-changed""#);
    assert_eq!(data["hook"], "config-changed");

    let status = model.unit_status("server/0").unwrap();
    assert_eq!(
        (status.status.as_str(), status.message.as_str()),
        ("maintenance", "configuring")
    );
    assert!(model
        .debug_log()
        .iter()
        .any(|e| e.unit == "server/0" && e.message == "configured" && e.level == "INFO"));

    assert!(!model.unit_bag(id, "server/0").unwrap().contains_key("foo"));
    assert!(model.unit_state("server/0").unwrap().is_empty());
    assert!(model.opened_ports("server/0").unwrap().is_empty());
    // The client saw server/0 join with the address keys only: foo never reached it.
    let client = hooks_of(&model, "client/0");
    assert!(
        client.contains(&"database-relation-changed server/0".to_owned()),
        "{client:?}"
    );
}

#[test]
fn a_successful_hook_commits_and_the_other_side_hears_of_it() {
    let scratch = Scratch::new();
    let (mut model, id) = model_with_writer(&scratch);
    model.settle().unwrap();
    let client_before = hooks_of(&model, "client/0").len();
    model.set_config("server", [("fail", "false")]).unwrap();
    model.resolved("server/0", true).unwrap();
    model.settle().unwrap();
    assert_eq!(model.agent_state("server/0").unwrap(), &AgentState::Idle);
    assert_eq!(model.unit_bag(id, "server/0").unwrap()["foo"], "bar");
    assert_eq!(model.unit_state("server/0").unwrap()["seen"], "yes");
    let ports: Vec<String> = model
        .opened_ports("server/0")
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(ports, ["8080/tcp"]);
    // The client had not joined server/0 before (the server was stuck in config-changed),
    // so it hears of the data through joined + changed; the writer itself hears nothing.
    let client_hooks = hooks_of(&model, "client/0")[client_before..].to_vec();
    assert!(
        client_hooks.contains(&"database-relation-changed server/0".to_owned()),
        "{client_hooks:?}"
    );
    assert!(!hooks_of(&model, "server/0")
        .iter()
        .any(|h| h == "db-relation-changed server/0"));
}

#[test]
fn a_committed_bag_change_queues_relation_changed_on_the_units_that_see_it_only() {
    let scratch = Scratch::new();
    let (mut model, id) = model_with_writer(&scratch);
    model.set_config("server", [("fail", "false")]).unwrap();
    model.settle().unwrap();
    assert_eq!(model.unit_bag(id, "server/0").unwrap()["foo"], "bar");
    let client_before = hooks_of(&model, "client/0").len();
    // A second write of the same value changes nothing: no event.
    model.set_config("server", [("fail", "0")]).unwrap();
    model.settle().unwrap();
    assert_eq!(hooks_of(&model, "client/0").len(), client_before);
    // The charm now writes something new from a different hook.
    model.upgrade_charm(
        "server",
        Some(
            &TestCharm::new("server")
                .metadata("provides:\n  db:\n    interface: pgsql\n")
                .config("options:\n  fail:\n    type: boolean\n    default: false\n")
                .dispatch("#!/bin/sh\n[ \"${JUJU_DISPATCH_PATH}\" = hooks/upgrade-charm ] && relation-set -r \"$(relation-ids db)\" foo=baz\ntrue\n")
                .write(&scratch.path().join("v2")),
        ),
    )
    .unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "client/0")[client_before..],
        ["database-relation-changed server/0"]
    );
    assert_eq!(model.unit_bag(id, "server/0").unwrap()["foo"], "baz");
}
