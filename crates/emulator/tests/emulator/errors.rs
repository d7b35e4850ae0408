//! Hook errors, `resolved`, and how the runner finds (or misses) the hook (juju-contract §4).

use std::fs;
use std::os::unix::fs::PermissionsExt;

use emulator::{ActionStatus, AgentState, DeployOptions, Error, HookOutcome};
use serde_json::Map;

use crate::support::{hooks_of, Scratch, TestCharm};

/// Fails `install` while `$CHARM_DIR/../../../fail-install` exists.
fn flaky(scratch: &Scratch) -> std::path::PathBuf {
    let flag = scratch.path().join("fail-install");
    fs::write(&flag, "").unwrap();
    TestCharm::new("alpha")
        .actions("ping:\n  description: answers\n")
        .recording(
            &scratch.trace(),
            &format!(
                r#"[ "$HOOK" = install ] && [ -e {flag} ] && {{ status-set blocked "install failing"; exit 1; }}
[ "$HOOK" = ping ] && action-set pong=yes
true"#,
                flag = flag.display()
            ),
        )
        .write(scratch.path())
}

#[test]
fn a_failed_hook_holds_the_queue_until_resolved_retries_it() {
    let scratch = Scratch::new();
    let charm = flaky(&scratch);
    let mut model = scratch.model();
    model
        .set_model_config("automatically-retry-hooks", "false")
        .unwrap();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert_eq!(report.units_in_error, ["alpha/0"]);
    assert_eq!(hooks_of(&model, "alpha/0"), ["install"]);
    assert!(matches!(
        model.hook_log()[0].outcome,
        HookOutcome::Failed { ref reason } if reason == "exit status 1"
    ));
    assert_eq!(
        model.pending_hooks("alpha/0").unwrap(),
        ["install", "leader-elected", "config-changed", "start"]
    );
    // Nothing runs while in error, however often we settle.
    model.settle().unwrap();
    assert_eq!(hooks_of(&model, "alpha/0"), ["install"]);
    assert!(model
        .debug_log()
        .iter()
        .any(|e| e.level == "ERROR" && e.message == r#"hook "install" failed: exit status 1"#));

    // Actions still run on a unit in error.
    let result = model.run_action("alpha/0", "ping", Map::new()).unwrap();
    assert_eq!(result.status, ActionStatus::Completed);
    assert_eq!(result.results["pong"], "yes");

    fs::remove_file(scratch.path().join("fail-install")).unwrap();
    model.resolved("alpha/0", true).unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "alpha/0"),
        [
            "install",
            "ping",
            "install",
            "leader-elected",
            "config-changed",
            "start"
        ]
    );
    assert_eq!(model.agent_state("alpha/0").unwrap(), &AgentState::Idle);
    // The charm set a status once, so Juju leaves it alone after start.
    assert_eq!(model.unit_status("alpha/0").unwrap().status, "blocked");
}

#[test]
fn resolved_no_retry_skips_the_failed_hook() {
    let scratch = Scratch::new();
    let charm = flaky(&scratch);
    let mut model = scratch.model();
    model
        .set_model_config("automatically-retry-hooks", "false")
        .unwrap();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    model.resolved("alpha/0", false).unwrap();
    model.settle().unwrap();
    assert_eq!(
        hooks_of(&model, "alpha/0"),
        ["install", "leader-elected", "config-changed", "start"]
    );
    assert!(matches!(
        model.resolved("alpha/0", true),
        Err(Error::NotInError(unit)) if unit == "alpha/0"
    ));
}

/// Juju retries a failed hook by itself (`internal/worker/uniter/resolver.go`
/// `nextOpHookError`) with the retry strategy's backoff: 5 s, doubling, at most 5 minutes
/// (`apiserver/facades/agent/retrystrategy/retrystrategy.go`). `settle` follows it on the
/// model's own clock, after every other unit's hooks: a hook failing twice then succeeding
/// needs no operator.
#[test]
fn a_failed_hook_is_retried_with_juju_backoff_until_it_succeeds() {
    let scratch = Scratch::new();
    let count = scratch.path().join("attempts");
    let charm = TestCharm::new("alpha")
        .recording(
            &scratch.trace(),
            &format!(
                r#"if [ "$HOOK" = install ]; then echo x >> {count}; [ "$(wc -l < {count})" -ge 3 ] || exit 1; fi"#,
                count = count.display()
            ),
        )
        .write(scratch.path());
    let other = TestCharm::new("beta").write(scratch.path());
    let mut model = scratch.model();
    assert!(model.automatically_retry_hooks());
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.deploy("beta", &other, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty(), "{report:?}");
    assert_eq!(
        hooks_of(&model, "alpha/0"),
        [
            "install",
            "install",
            "install",
            "leader-elected",
            "config-changed",
            "start"
        ]
    );
    // The retries waited: beta's whole startup ran before alpha's first retry.
    let order: Vec<String> = model.hook_log().iter().map(|r| r.summary()).collect();
    let first_retry = order.iter().rposition(|h| h == "alpha/0 install").unwrap();
    let beta_start = order.iter().position(|h| h == "beta/0 start").unwrap();
    assert!(beta_start < first_retry, "{order:?}");
    assert_eq!(model.agent_state("alpha/0").unwrap(), &AgentState::Idle);
}

/// A hook that never succeeds is retried at 5, 10, 20, 40, 80 and 160 s; settle stops at the
/// 5-minute ceiling and leaves the unit in error.
#[test]
fn a_hook_that_keeps_failing_is_retried_up_to_the_backoff_ceiling() {
    let scratch = Scratch::new();
    let charm = flaky(&scratch);
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert_eq!(report.units_in_error, ["alpha/0"]);
    assert_eq!(hooks_of(&model, "alpha/0"), ["install"; 7]);
    model.settle().unwrap();
    assert_eq!(hooks_of(&model, "alpha/0").len(), 7);
    // `resolved` retries at once and starts the backoff afresh.
    fs::remove_file(scratch.path().join("fail-install")).unwrap();
    model.resolved("alpha/0", true).unwrap();
    model.settle().unwrap();
    assert_eq!(model.agent_state("alpha/0").unwrap(), &AgentState::Idle);
    assert_eq!(hooks_of(&model, "alpha/0").len(), 11);
}

#[test]
fn a_present_but_not_executable_dispatch_is_a_hook_error() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha").write(scratch.path());
    fs::set_permissions(charm.join("dispatch"), fs::Permissions::from_mode(0o644)).unwrap();
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert_eq!(report.units_in_error, ["alpha/0"]);
    let HookOutcome::Failed { reason } = &model.hook_log()[0].outcome else {
        panic!("install should have failed");
    };
    assert!(reason.ends_with("dispatch: permission denied"), "{reason}");
}

#[test]
fn without_dispatch_hook_files_run_and_missing_hooks_are_skipped_as_success() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha").write(scratch.path());
    fs::remove_file(charm.join("dispatch")).unwrap();
    fs::create_dir(charm.join("hooks")).unwrap();
    let trace = scratch.trace();
    let start = charm.join("hooks/start");
    fs::write(
        &start,
        format!(
            "#!/bin/sh\necho \"$JUJU_DISPATCH_PATH\" > {}\n",
            trace.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&start, fs::Permissions::from_mode(0o755)).unwrap();
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty());
    let outcomes: Vec<(&str, &HookOutcome)> = model
        .hook_log()
        .iter()
        .map(|r| (r.hook.as_str(), &r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("install", &HookOutcome::Missing),
            ("leader-elected", &HookOutcome::Missing),
            ("config-changed", &HookOutcome::Missing),
            ("start", &HookOutcome::Completed),
        ]
    );
    assert_eq!(fs::read_to_string(trace).unwrap(), "hooks/start\n");
    // Missing hooks still get Juju's own statuses.
    assert_eq!(model.unit_status("alpha/0").unwrap().status, "unknown");
}

#[test]
fn a_hook_that_outlives_its_timeout_is_killed_and_fails() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .dispatch("#!/bin/sh\n[ \"$JUJU_DISPATCH_PATH\" = hooks/install ] && sleep 30\ntrue\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model.set_hook_timeout(std::time::Duration::from_millis(300));
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert_eq!(report.units_in_error, ["alpha/0"]);
    let HookOutcome::Failed { reason } = &model.hook_log()[0].outcome else {
        panic!("install should have failed");
    };
    assert!(reason.contains("timed out"), "{reason}");
}

#[test]
fn settle_gives_up_on_charms_that_never_go_quiet() {
    let scratch = Scratch::new();
    // Each peer rewrites its bag on every change: an endless ping-pong.
    let charm = TestCharm::new("alpha")
        .metadata("peers:\n  cluster:\n    interface: alpha\n")
        .dispatch("#!/bin/sh\ncase \"$JUJU_DISPATCH_PATH\" in *relation-changed) relation-set n=\"$(date +%s%N)\" ;; esac\ntrue\n")
        .write(scratch.path());
    let mut model = scratch.model();
    model.set_settle_limit(60);
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    assert!(matches!(model.settle(), Err(Error::NotSettling(60))));
}
