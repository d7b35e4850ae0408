//! What a hook sees of the model beyond the hook tools' grammar: `goal-state` as the uniter
//! facade computes it, `juju-log` lines in the debug log, and the unit's charm directory.

use std::fs;

use emulator::DeployOptions;

use crate::support::{Scratch, TestCharm};

const PEERS: &str = "peers:\n  cluster:\n    interface: alpha-peer\n";

/// `goal-state` leaves peer relations out (`apiserver/facades/agent/uniter/uniter.go`
/// `goalStateRelations`: "Ignore peer relations here"), gives each unit its workload status
/// and every entry a `since` in `common.FormatTime(t, true)`'s form
/// (`internal/worker/uniter/runner/jujuc/goal-state.go`), which ops' `planned_units` reads.
#[test]
fn goal_state_has_since_and_no_peer_relations() {
    let scratch = Scratch::new();
    let out = scratch.path().join("goal");
    let alpha = TestCharm::new("alpha")
        .metadata(&format!("{PEERS}requires:\n  db:\n    interface: pg\n"))
        .dispatch(&format!(
            "#!/bin/sh\n[ \"$JUJU_UNIT_NAME\" = alpha/0 ] && goal-state --format=json > {}\nexit 0\n",
            out.display()
        ))
        .write(scratch.path());
    let beta = TestCharm::new("beta")
        .metadata("provides:\n  db:\n    interface: pg\n")
        .dispatch("#!/bin/sh\nstatus-set active ready\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &alpha, DeployOptions::new().units(2))
        .unwrap();
    model.deploy("beta", &beta, DeployOptions::new()).unwrap();
    model.relate("alpha", "beta").unwrap();
    model.settle().unwrap();
    model.update_status().unwrap();
    model.settle().unwrap();

    let goal: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    let relations = goal["relations"].as_object().unwrap();
    assert_eq!(relations.keys().collect::<Vec<_>>(), ["db"], "{goal}");
    assert_eq!(goal["relations"]["db"]["beta"]["status"], "joined");
    assert_eq!(goal["relations"]["db"]["beta/0"]["status"], "active");
    // alpha never set a status: Juju's `unknown` after start.
    assert_eq!(goal["units"]["alpha/0"]["status"], "unknown");
    assert_eq!(goal["units"]["alpha/1"]["status"], "unknown");
    let entries = [
        &goal["units"]["alpha/0"],
        &goal["units"]["alpha/1"],
        &goal["relations"]["db"]["beta"],
        &goal["relations"]["db"]["beta/0"],
    ];
    for entry in entries {
        let since = entry["since"].as_str().unwrap();
        // 2006-01-02 15:04:05Z
        let shape: String = since
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect();
        assert_eq!(shape, "9999-99-99 99:99:99Z", "{since}");
    }

    // A dying unit reads `dying`.
    model.remove_unit("alpha/1").unwrap();
    model.update_status().unwrap();
    model.step().unwrap();
    let goal: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(goal["units"]["alpha/1"]["status"], "dying", "{goal}");
}

/// `juju-log` puts `endpoint:id: ` before a relation hook's message once
/// (`internal/worker/uniter/runner/jujuc/juju-log.go`), and the debug log shows it as is.
#[test]
fn juju_log_in_a_relation_hook_has_one_relation_prefix() {
    let scratch = Scratch::new();
    let alpha = TestCharm::new("alpha")
        .metadata("requires:\n  db:\n    interface: pg\n")
        .dispatch(
            "#!/bin/sh\ncase \"$JUJU_DISPATCH_PATH\" in hooks/db-relation-joined) juju-log hello;; esac\n",
        )
        .write(scratch.path());
    let beta = TestCharm::new("beta")
        .metadata("provides:\n  db:\n    interface: pg\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &alpha, DeployOptions::new()).unwrap();
    model.deploy("beta", &beta, DeployOptions::new()).unwrap();
    let id = model.relate("alpha", "beta").unwrap();
    model.settle().unwrap();
    let lines: Vec<&str> = model
        .debug_log()
        .iter()
        .filter(|e| e.module == "unit.alpha/0.juju-log")
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(lines, [format!("db:{id}: hello")]);
}

/// Juju expands the charm into each unit's own directory and writes `revision` there
/// (`juju/charm` `charmarchive.go` `ExpandTo`): a unit writing into its charm files changes
/// nothing of another unit's.
#[test]
fn each_unit_has_its_own_copy_of_the_charm_with_a_revision_file() {
    let scratch = Scratch::new();
    let alpha = TestCharm::new("alpha")
        .dispatch("#!/bin/sh\n[ \"$JUJU_UNIT_NAME\" = alpha/0 ] && echo changed >> metadata.yaml\nexit 0\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &alpha, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    let dir0 = model.charm_dir("alpha/0").unwrap();
    let dir1 = model.charm_dir("alpha/1").unwrap();
    assert_eq!(fs::read_to_string(dir0.join("revision")).unwrap(), "0");
    assert!(fs::read_to_string(dir0.join("metadata.yaml"))
        .unwrap()
        .contains("changed"));
    assert!(!fs::read_to_string(dir1.join("metadata.yaml"))
        .unwrap()
        .contains("changed"));

    model.upgrade_charm("alpha", None).unwrap();
    model.settle().unwrap();
    assert_eq!(fs::read_to_string(dir1.join("revision")).unwrap(), "1");
}
