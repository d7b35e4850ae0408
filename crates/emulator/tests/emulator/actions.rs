//! Actions: param validation, results, failure, and what their exit commits
//! (juju-contract §4.4, §6.4).

use emulator::{ActionStatus, DeployOptions, Error, Model};
use serde_json::{json, Map, Value};

use crate::support::{Scratch, TestCharm};

const ACTIONS: &str = r#"
backup:
  description: Back up the database.
  params:
    target:
      type: string
    compress:
      type: boolean
      default: true
    level:
      type: integer
      minimum: 1
  required: [target]
strict:
  params:
    name:
      type: string
  additionalProperties: false
fail-softly:
  description: fails through action-fail but exits 0
explode:
  description: exits 7
"#;

const DISPATCH: &str = r#"#!/bin/sh
case "$JUJU_DISPATCH_PATH" in
actions/backup)
  action-log "backing up to $(action-get target)"
  action-set result.path="/backups/$(action-get target)" compress="$(action-get compress --format=json)"
  echo "progress: done"
  ;;
actions/fail-softly)
  action-fail "disk full"
  state-set after-fail=yes
  echo "still running after action-fail"
  ;;
actions/explode)
  state-set exploded=yes
  echo oops >&2
  exit 7
  ;;
esac
exit 0
"#;

fn model(scratch: &Scratch) -> Model {
    let charm = TestCharm::new("db")
        .actions(ACTIONS)
        .dispatch(DISPATCH)
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("db", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    model
}

fn params(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[test]
fn an_action_reports_results_with_return_code_and_stdout_and_logs() {
    let scratch = Scratch::new();
    let mut model = model(&scratch);
    let result = model
        .run_action("db/0", "backup", params(json!({"target": "nightly"})))
        .unwrap();
    assert_eq!(result.status, ActionStatus::Completed);
    assert_eq!(result.message, None);
    assert_eq!(
        Value::Object(result.results.clone()),
        json!({
            "result": {"path": "/backups/nightly"},
            "compress": "true",
            "return-code": 0,
            "stdout": "progress: done\n",
        })
    );
    assert_eq!(result.log, ["backing up to nightly"]);
    assert_eq!((result.operation, result.task), (1, 2));
    let second = model
        .run_action("db/0", "backup", params(json!({"target": "x"})))
        .unwrap();
    assert_eq!((second.operation, second.task), (3, 4));
}

#[test]
fn action_fail_fails_the_action_without_ending_it_and_its_writes_still_commit() {
    let scratch = Scratch::new();
    let mut model = model(&scratch);
    let result = model.run_action("db/0", "fail-softly", Map::new()).unwrap();
    assert_eq!(result.status, ActionStatus::Failed);
    assert_eq!(result.message.as_deref(), Some("disk full"));
    assert_eq!(
        result.results["stdout"],
        "still running after action-fail\n"
    );
    assert_eq!(result.results["return-code"], 0);
    assert_eq!(model.unit_state("db/0").unwrap()["after-fail"], "yes");
}

#[test]
fn a_non_zero_exit_fails_with_exit_status_and_discards_buffered_writes() {
    let scratch = Scratch::new();
    let mut model = model(&scratch);
    let result = model.run_action("db/0", "explode", Map::new()).unwrap();
    assert_eq!(result.status, ActionStatus::Failed);
    assert_eq!(result.message.as_deref(), Some("exit status 7"));
    assert_eq!(result.results["return-code"], 7);
    assert_eq!(result.results["stderr"], "oops\n");
    assert!(!model.unit_state("db/0").unwrap().contains_key("exploded"));
    assert_eq!(
        model.agent_state("db/0").unwrap(),
        &emulator::AgentState::Idle,
        "actions never put the unit in error"
    );
}

#[test]
fn params_are_validated_against_the_schema_with_defaults_inserted() {
    let scratch = Scratch::new();
    let mut model = model(&scratch);
    let validation = |result: Result<_, Error>| match result {
        Err(Error::ActionValidation(message)) => message,
        other => panic!("expected a validation failure, got {other:?}"),
    };
    let missing = validation(model.run_action("db/0", "backup", Map::new()));
    assert!(missing.starts_with("validation failed: "), "{missing}");
    assert!(missing.contains("target"), "{missing}");
    let wrong_type = validation(model.run_action(
        "db/0",
        "backup",
        params(json!({"target": "x", "level": "high"})),
    ));
    assert!(wrong_type.contains("level"), "{wrong_type}");
    let too_low =
        validation(model.run_action("db/0", "backup", params(json!({"target": "x", "level": 0}))));
    assert!(too_low.contains("level"), "{too_low}");
    // Juju 3: unknown params are allowed unless the action says additionalProperties: false.
    let extra = model
        .run_action(
            "db/0",
            "backup",
            params(json!({"target": "x", "surprise": 1})),
        )
        .unwrap();
    assert_eq!(extra.status, ActionStatus::Completed);
    assert_eq!(
        extra.results["compress"], "true",
        "the default was inserted"
    );
    let strict = validation(model.run_action("db/0", "strict", params(json!({"nope": 1}))));
    assert!(strict.contains("nope"), "{strict}");
    assert!(matches!(
        model.run_action("db/0", "no-such-action", Map::new()),
        Err(Error::UnknownAction { .. })
    ));
    // Nothing ran for the refused ones.
    assert_eq!(model.hook_log().iter().filter(|r| r.action).count(), 1);
}

#[test]
fn an_action_the_charm_does_not_implement_fails() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("db").actions(ACTIONS).write(scratch.path());
    std::fs::remove_file(charm.join("dispatch")).unwrap();
    let mut model = scratch.model();
    model.deploy("db", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let result = model.run_action("db/0", "explode", Map::new()).unwrap();
    assert_eq!(result.status, ActionStatus::Failed);
    assert_eq!(
        result.message.as_deref(),
        Some(r#"action not implemented on unit "db/0""#)
    );
}
