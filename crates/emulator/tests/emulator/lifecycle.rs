//! Hook orderings of deploy, add-unit, remove-unit, relate, remove-relation, config and
//! upgrade (juju-contract §5.2, §5.3).

use emulator::DeployOptions;

use crate::support::{hooks_of, Scratch, TestCharm};

const PEERS: &str = "peers:\n  cluster:\n    interface: alpha-ha\n";
const PROVIDES_DB: &str = "provides:\n  db:\n    interface: pgsql\n";
const REQUIRES_DB: &str = "requires:\n  database:\n    interface: pgsql\n";

#[test]
fn a_new_unit_runs_install_created_leader_config_start() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .recording(&scratch.trace(), "")
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "alpha/0"),
        [
            "install",
            "cluster-relation-created",
            "leader-elected",
            "config-changed",
            "start"
        ]
    );
    // The processes really ran: dispatch appended one line per hook.
    assert_eq!(
        scratch.trace_lines(),
        [
            "alpha/0 install ",
            "alpha/0 cluster-relation-created ",
            "alpha/0 leader-elected ",
            "alpha/0 config-changed ",
            "alpha/0 start "
        ]
    );
}

#[test]
fn peers_join_each_other_after_starting() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "alpha/1"),
        [
            "install",
            "cluster-relation-created",
            "leader-settings-changed",
            "config-changed",
            "start",
            "cluster-relation-joined alpha/0",
            "cluster-relation-changed alpha/0",
        ]
    );
    assert_eq!(
        hooks_of(&model, "alpha/0")[5..],
        [
            "cluster-relation-joined alpha/1",
            "cluster-relation-changed alpha/1"
        ]
    );
    let peer = model.relation_id("alpha:cluster", "alpha:cluster").unwrap();
    assert_eq!(
        model.relation_members(peer, "alpha/0").unwrap(),
        ["alpha/1"]
    );
}

#[test]
fn juju_sets_installing_then_unknown_when_the_charm_sets_no_status() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha").write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let history: Vec<(String, String)> = model
        .status_history("alpha/0")
        .unwrap()
        .iter()
        .map(|s| (s.status.clone(), s.message.clone()))
        .collect();
    assert_eq!(
        history,
        [
            ("waiting".into(), "waiting for machine".into()),
            ("maintenance".into(), "installing charm software".into()),
            ("unknown".into(), String::new()),
        ]
    );
}

#[test]
fn a_status_set_by_the_charm_is_not_overwritten_by_juju() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .recording(
            &scratch.trace(),
            r#"[ "$HOOK" = install ] && status-set active ready; true"#,
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let status = model.unit_status("alpha/0").unwrap();
    assert_eq!(
        (status.status.as_str(), status.message.as_str()),
        ("active", "ready")
    );
}

/// `model.json` is read by every command and rewritten after every hook: a unit's status
/// history keeps its last `Model::STATUS_HISTORY` entries and the count of the others, across
/// a reopening.
#[test]
fn the_status_history_is_bounded_and_its_count_is_not() {
    let scratch = Scratch::new();
    let steps = emulator::Model::STATUS_HISTORY + 20;
    let charm = TestCharm::new("alpha")
        .recording(
            &scratch.trace(),
            &format!(
                r#"if [ "$HOOK" = install ]; then i=1; while [ $i -le {steps} ]; do status-set active "step $i"; i=$((i+1)); done; fi"#
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let dir = model.dir().to_owned();
    drop(model);
    let model = emulator::Model::open(&dir).unwrap();
    let history = model.status_history("alpha/0").unwrap();
    assert_eq!(history.len(), emulator::Model::STATUS_HISTORY);
    assert_eq!(history[0].message, "step 21");
    assert_eq!(history.last().unwrap().message, format!("step {steps}"));
    // Juju's own "waiting for machine" and "installing charm software" came first.
    assert_eq!(model.status_changes("alpha/0").unwrap(), steps as u64 + 2);
}

fn related(scratch: &Scratch, body: &str, units: (u32, u32)) -> emulator::Model {
    let server = TestCharm::new("server")
        .metadata(&format!("{PROVIDES_DB}{}", PEERS))
        .recording(&scratch.trace(), body)
        .write(scratch.path());
    let client = TestCharm::new("client")
        .metadata(REQUIRES_DB)
        .recording(&scratch.trace(), body)
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("server", &server, DeployOptions::new().units(units.0))
        .unwrap();
    model
        .deploy("client", &client, DeployOptions::new().units(units.1))
        .unwrap();
    model.settle().unwrap();
    model
}

fn since(model: &emulator::Model, unit: &str, skip: usize) -> Vec<String> {
    hooks_of(model, unit)[skip..].to_vec()
}

#[test]
fn relate_runs_created_then_joined_and_changed_per_remote_unit_in_order() {
    let scratch = Scratch::new();
    let mut model = related(&scratch, "", (2, 1));
    let before = hooks_of(&model, "client/0").len();
    model.relate("client", "server").unwrap();
    model.settle().unwrap();
    assert_eq!(
        since(&model, "client/0", before),
        [
            "database-relation-created",
            "database-relation-joined server/0",
            "database-relation-changed server/0",
            "database-relation-joined server/1",
            "database-relation-changed server/1",
        ]
    );
    let before = hooks_of(&model, "server/1").len() - 3;
    assert_eq!(
        since(&model, "server/1", before),
        [
            "db-relation-created",
            "db-relation-joined client/0",
            "db-relation-changed client/0",
        ]
    );
}

#[test]
fn app_data_written_in_created_reaches_the_other_side_as_app_level_changed_first() {
    let scratch = Scratch::new();
    let body = r#"case "$HOOK" in
db-relation-created) relation-set --app -r "$JUJU_RELATION_ID" host=db.example ;;
esac"#;
    let mut model = related(&scratch, body, (1, 1));
    let before = hooks_of(&model, "client/0").len();
    let id = model.relate("client", "server").unwrap();
    model.settle().unwrap();
    assert_eq!(
        since(&model, "client/0", before),
        [
            "database-relation-created",
            "database-relation-changed",
            "database-relation-joined server/0",
            "database-relation-changed server/0",
        ]
    );
    assert_eq!(model.app_bag(id, "server").unwrap()["host"], "db.example");
}

#[test]
fn units_entering_scope_get_the_address_keys() {
    let scratch = Scratch::new();
    let mut model = related(&scratch, "", (1, 1));
    let id = model.relate("client", "server").unwrap();
    model.settle().unwrap();
    let bag = model.unit_bag(id, "client/0").unwrap();
    let address = model.address("client/0").unwrap().to_owned();
    assert!(
        address.starts_with("127.") && address != "127.0.0.1",
        "{address}"
    );
    assert_eq!(bag["private-address"], address);
    assert_eq!(bag["ingress-address"], address);
    assert_eq!(bag["egress-subnets"], format!("{address}/32"));
}

#[test]
fn add_unit_starts_the_new_unit_then_everyone_joins() {
    let scratch = Scratch::new();
    let mut model = related(&scratch, "", (1, 1));
    model.relate("client", "server").unwrap();
    model.settle().unwrap();
    let client_before = hooks_of(&model, "client/0").len();
    let server_before = hooks_of(&model, "server/0").len();
    model.add_unit("server", 1).unwrap();
    model.settle().unwrap();
    let new = hooks_of(&model, "server/1");
    assert_eq!(
        new[..5],
        [
            "install",
            "cluster-relation-created",
            "db-relation-created",
            "leader-settings-changed",
            "config-changed",
        ]
    );
    assert_eq!(new[5], "start");
    // The other relations' hooks before the peer relation's: Juju's relation resolver
    // defers peer relations (`internal/worker/uniter/relation/resolver.go` `NextOp`).
    assert_eq!(
        new[6..],
        [
            "db-relation-joined client/0",
            "db-relation-changed client/0",
            "cluster-relation-joined server/0",
            "cluster-relation-changed server/0",
        ]
    );
    assert_eq!(
        since(&model, "client/0", client_before),
        [
            "database-relation-joined server/1",
            "database-relation-changed server/1"
        ]
    );
    assert_eq!(
        since(&model, "server/0", server_before),
        [
            "cluster-relation-joined server/1",
            "cluster-relation-changed server/1"
        ]
    );
}

#[test]
fn remove_unit_departs_the_others_then_departs_breaks_stops_and_removes_itself() {
    let scratch = Scratch::new();
    let mut model = related(&scratch, "", (2, 1));
    let id = model.relate("client", "server").unwrap();
    model.settle().unwrap();
    let client_before = hooks_of(&model, "client/0").len();
    let server0_before = hooks_of(&model, "server/0").len();
    let server1_before = hooks_of(&model, "server/1").len();
    model.remove_unit("server/1").unwrap();
    model.settle().unwrap();
    assert_eq!(
        since(&model, "client/0", client_before),
        ["database-relation-departed server/1"]
    );
    assert_eq!(
        since(&model, "server/0", server0_before),
        ["cluster-relation-departed server/1"]
    );
    // The peer relation departs last: Juju's relation resolver defers peer relations
    // (`internal/worker/uniter/relation/resolver.go` `NextOp`).
    assert_eq!(
        since(&model, "server/1", server1_before),
        [
            "db-relation-departed client/0",
            "db-relation-broken",
            "cluster-relation-departed server/0",
            "stop",
            "remove",
        ]
    );
    assert!(model.unit_status("server/1").is_err(), "the unit is gone");
    assert_eq!(
        model.relation_members(id, "client/0").unwrap(),
        ["server/0"]
    );
    let departing: Vec<_> = model
        .hook_log()
        .iter()
        .filter(|r| r.hook.ends_with("-relation-departed"))
        .map(|r| (r.unit.clone(), r.departing_unit.clone().unwrap()))
        .collect();
    assert!(departing.contains(&("client/0".into(), "server/1".into())));
    assert!(departing.contains(&("server/1".into(), "server/1".into())));
}

#[test]
fn removing_the_leader_elects_another_unit() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    model.remove_unit("alpha/0").unwrap();
    model.settle().unwrap();
    assert_eq!(model.leader("alpha").unwrap().as_deref(), Some("alpha/1"));
    assert!(hooks_of(&model, "alpha/1").contains(&"leader-elected".to_owned()));
}

#[test]
fn remove_relation_departs_every_member_then_breaks_everywhere() {
    let scratch = Scratch::new();
    let mut model = related(&scratch, "", (2, 1));
    let id = model.relate("client", "server").unwrap();
    model.settle().unwrap();
    let client_before = hooks_of(&model, "client/0").len();
    let server_before = hooks_of(&model, "server/1").len();
    model.remove_relation("server", "client").unwrap();
    model.settle().unwrap();
    assert_eq!(
        since(&model, "client/0", client_before),
        [
            "database-relation-departed server/0",
            "database-relation-departed server/1",
            "database-relation-broken",
        ]
    );
    assert_eq!(
        since(&model, "server/1", server_before),
        ["db-relation-departed client/0", "db-relation-broken"]
    );
    assert!(!model.relation_ids().contains(&id), "the relation is gone");
}

#[test]
fn config_changes_fire_config_changed_only_when_a_value_changes() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .config("options:\n  port:\n    type: int\n    default: 80\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let before = hooks_of(&model, "alpha/0").len();
    model.set_config("alpha", [("port", "80")]).unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "alpha/0").len(),
        before,
        "same value: no hook"
    );
    model.set_config("alpha", [("port", "8080")]).unwrap();
    model.settle().unwrap();
    assert_eq!(since(&model, "alpha/0", before), ["config-changed"]);
    assert_eq!(model.config("alpha").unwrap()["port"], 8080);
    let err = model.set_config("alpha", [("port", "eighty")]).unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"option "port" expected int, got "eighty""#),
        "{err}"
    );
    let err = model.set_config("alpha", [("nope", "1")]).unwrap_err();
    assert!(
        err.to_string().contains(r#"unknown option "nope""#),
        "{err}"
    );
}

#[test]
fn upgrade_charm_replaces_the_charm_dir_then_runs_upgrade_charm_and_config_changed() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .recording(&scratch.trace(), "echo v1 > /dev/null")
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let before = hooks_of(&model, "alpha/0").len();
    let v2 = TestCharm::new("alpha")
        .recording(
            &scratch.trace(),
            "echo version-two > \"$CHARM_DIR/../seen\"",
        )
        .write(&scratch.path().join("v2"));
    model.upgrade_charm("alpha", Some(&v2)).unwrap();
    model.settle().unwrap();
    assert_eq!(
        since(&model, "alpha/0", before),
        ["upgrade-charm", "config-changed"]
    );
    let seen =
        std::fs::read_to_string(model.charm_dir("alpha/0").unwrap().join("../seen")).unwrap();
    assert_eq!(
        seen.trim(),
        "version-two",
        "upgrade-charm ran the new dispatch"
    );
}

#[test]
fn update_status_runs_on_started_units() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha").write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    model.update_status().unwrap();
    model.settle().unwrap();
    assert_eq!(hooks_of(&model, "alpha/1").last().unwrap(), "update-status");
    assert_eq!(hooks_of(&model, "alpha/0").last().unwrap(), "update-status");
}

#[test]
fn relate_refuses_what_juju_refuses() {
    let scratch = Scratch::new();
    let mut model = related(&scratch, "", (1, 1));
    let err = model.relate("client", "client").unwrap_err();
    assert!(err.to_string().contains("to itself"), "{err}");
    let err = model.relate("client:nope", "server").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"application "client" has no "nope" relation"#
    );
    model.relate("client", "server").unwrap();
    let err = model.relate("server", "client").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"cannot add relation "client:database server:db": relation client:database server:db already exists"#
    );
}

#[test]
fn a_model_reopens_with_its_state_and_refuses_a_second_opener() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .metadata(PEERS)
        .write(scratch.path());
    let dir = scratch.path().join("model");
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    assert!(matches!(
        emulator::Model::open(&dir),
        Err(emulator::Error::Busy { .. })
    ));
    let log_len = model.hook_log().len();
    drop(model);
    let reopened = emulator::Model::open(&dir).unwrap();
    assert_eq!(reopened.units("alpha"), ["alpha/0", "alpha/1"]);
    assert_eq!(
        reopened.leader("alpha").unwrap().as_deref(),
        Some("alpha/0")
    );
    assert_eq!(reopened.hook_log().len(), log_len);
    assert!(matches!(
        emulator::Model::new(&dir),
        Err(emulator::Error::ModelExists { .. }) | Err(emulator::Error::Busy { .. })
    ));
}
