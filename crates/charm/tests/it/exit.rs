//! The exit policy: operator problems exit 0 with a status; bugs, transient failures and
//! panics exit 1, are logged, and flush nothing.

use charm::{Blocked, Outcome};
use juju::testing::Recorder;

use crate::support::{count, demo_charm, env, relation_env, run, transcript};

/// Buffers a relation write, a state change and a status, then fails as told.
macro_rules! buffers_then {
    ($name:ident, $fail:expr) => {
        demo_charm!($name, |ctx, event| {
            ctx.relations()
                .set_unit_data(&"db:4".parse()?, [("host", "10.0.0.9")])?;
            ctx.state()?.set("release", "bravo");
            ctx.status().active("Unit is ready");
            $fail
        });
    };
}

buffers_then!(Panics, panic!("the greeter fell over"));
buffers_then!(
    Fails,
    Err(anyhow::anyhow!("manila-manage failed").context("db sync"))
);
buffers_then!(Blocks, Err(Blocked("Missing relation: amqp".into()).into()));

fn hook() -> juju::HookEnv {
    relation_env("db:4", "changed", Some("pg/0"))
}

#[test]
fn a_panic_exits_1_is_logged_and_flushes_nothing() {
    let rec = Recorder::new().answer("state-get", "{}");
    let outcome = run::<Panics>(hook(), &rec);
    assert_eq!(outcome.exit_code(), 1);
    assert!(matches!(&outcome, Outcome::Panicked(m) if m == "the greeter fell over"));
    assert_eq!(
        transcript(&rec),
        [
            "state-get --format=json -",
            "juju-log --log-level ERROR -- hook failed: the charm panicked: the greeter fell over",
        ]
    );
}

#[test]
fn an_error_exits_1_with_its_chain_logged_and_flushes_nothing() {
    let rec = Recorder::new().answer("state-get", "{}");
    let outcome = run::<Fails>(hook(), &rec);
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(
        transcript(&rec),
        [
            "state-get --format=json -",
            "juju-log --log-level ERROR -- hook failed: db sync: manila-manage failed",
        ]
    );
}

#[test]
fn a_failing_hook_tool_is_a_retryable_failure() {
    demo_charm!(AsksLeader, |ctx, event| {
        ctx.is_leader()?;
        Ok(())
    });
    let rec = Recorder::new().fail("is-leader", 1, "leadership status unknown: timeout");
    let outcome = run::<AsksLeader>(env("hooks/install"), &rec);
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(
        transcript(&rec)[1..],
        [
            "is-leader --format=json",
            "juju-log --log-level ERROR -- hook failed: is-leader failed (exit 1): leadership \
             status unknown: timeout"
        ]
    );
}

#[test]
fn blocked_is_a_status_the_hook_succeeds_and_everything_is_flushed() {
    let rec = Recorder::new()
        .answer("state-get", "{}")
        .answer("relation-get", "{}");
    let outcome = run::<Blocks>(hook(), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    let calls = transcript(&rec);
    assert!(calls.contains(&"status-set blocked -- Missing relation: amqp".to_owned()));
    assert_eq!(count(&rec, "relation-set"), 1, "{calls:?}");
    assert_eq!(count(&rec, "state-set"), 1, "{calls:?}");
}

#[test]
fn unknown_hooks_are_ignored_without_a_single_call() {
    let rec = Recorder::new();
    let outcome = run::<Panics>(env("hooks/data-storage-attached"), &rec);
    assert!(matches!(outcome, Outcome::Ignored), "{outcome:?}");
    assert!(transcript(&rec).is_empty(), "{:?}", transcript(&rec));
}

#[test]
fn a_relation_hook_missing_what_juju_guarantees_exits_1() {
    let rec = Recorder::new();
    let outcome = run::<Panics>(relation_env("db:4", "joined", None), &rec);
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(
        transcript(&rec),
        [
            "juju-log --log-level ERROR -- hook failed: db-relation-joined: JUJU_REMOTE_UNIT is \
          not set, but Juju always sets it for this hook"
        ]
    );
}
