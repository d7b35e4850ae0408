//! Leadership: who is leader, leader-elected and leader-settings-changed, leader-set.

use emulator::DeployOptions;

use crate::support::{hooks_of, Scratch, TestCharm};

const PEERS: &str = "peers:\n  cluster:\n    interface: alpha\n";

#[test]
fn leader_set_reaches_the_other_units_as_leader_settings_changed() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .recording(
            &scratch.trace(),
            r#"if [ "$HOOK" = leader-elected ]; then leader-set token=abc; fi
if [ "$HOOK" = leader-settings-changed ]; then status-set active "token $(leader-get token)"; fi
true"#,
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(3))
        .unwrap();
    model.settle().unwrap();
    assert_eq!(model.leader("alpha").unwrap().as_deref(), Some("alpha/0"));
    assert_eq!(model.leader_settings("alpha").unwrap()["token"], "abc");
    assert!(!hooks_of(&model, "alpha/0").contains(&"leader-settings-changed".to_owned()));
    for unit in ["alpha/1", "alpha/2"] {
        assert_eq!(model.unit_status(unit).unwrap().message, "token abc");
    }
}

#[test]
fn set_leader_elects_the_new_leader_and_tells_the_others() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .recording(
            &scratch.trace(),
            r#"status-set active "leader=$(is-leader --format=json)"; true"#,
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    assert_eq!(model.unit_status("alpha/0").unwrap().message, "leader=true");
    assert_eq!(
        model.unit_status("alpha/1").unwrap().message,
        "leader=false"
    );
    let before = (
        hooks_of(&model, "alpha/0").len(),
        hooks_of(&model, "alpha/1").len(),
    );
    model.set_leader("alpha/1").unwrap();
    model.settle().unwrap();
    assert_eq!(hooks_of(&model, "alpha/1")[before.1..], ["leader-elected"]);
    assert_eq!(
        hooks_of(&model, "alpha/0")[before.0..],
        ["leader-settings-changed"]
    );
    assert_eq!(model.unit_status("alpha/1").unwrap().message, "leader=true");
    assert_eq!(
        model.unit_status("alpha/0").unwrap().message,
        "leader=false"
    );
}

#[test]
fn leader_elected_is_skipped_on_a_unit_that_lost_leadership_before_it_ran() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    model.set_leader("alpha/1").unwrap();
    model.set_leader("alpha/0").unwrap();
    model.settle().unwrap();
    let skipped: Vec<(&str, &str)> = model
        .hook_log()
        .iter()
        .filter(|r| matches!(r.outcome, emulator::HookOutcome::Skipped { .. }))
        .map(|r| (r.unit.as_str(), r.hook.as_str()))
        .collect();
    assert_eq!(skipped, [("alpha/1", "leader-elected")]);
}

#[test]
fn only_the_leader_may_write_the_application_bag() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .recording(
            &scratch.trace(),
            r#"if [ "$HOOK" = cluster-relation-created ]; then
  if relation-set --app "from=$JUJU_UNIT_NAME" 2>"$CHARM_DIR/../app-set.err"; then :; fi
fi
true"#,
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    let peer = model.relation_id("alpha:cluster", "alpha:cluster").unwrap();
    assert_eq!(model.app_bag(peer, "alpha").unwrap()["from"], "alpha/0");
    let err = std::fs::read_to_string(model.charm_dir("alpha/1").unwrap().join("../app-set.err"))
        .unwrap();
    assert!(
        err.starts_with("ERROR "),
        "non-leader write refused: {err:?}"
    );
    // The leader's own app-bag write in a peer relation reaches the other unit, not itself.
    assert!(hooks_of(&model, "alpha/1").contains(&"cluster-relation-changed".to_owned()));
    assert!(!hooks_of(&model, "alpha/0").contains(&"cluster-relation-changed".to_owned()));
}
