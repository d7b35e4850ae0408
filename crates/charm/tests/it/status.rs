//! Status: decided once at the end of the hook, set only when it changed.

use charm::Outcome;
use juju::testing::Recorder;

use crate::support::{count, demo_charm, env, run, transcript};

demo_charm!(Reports, |ctx, event| {
    ctx.status().active("Unit is ready");
    ctx.status().waiting("Waiting for db");
    ctx.status().waiting("Waiting for amqp");
    Ok(())
});

#[test]
fn one_status_set_with_the_winning_priority_and_remembered_in_state() {
    let rec = Recorder::new().answer("state-get", "{}");
    let outcome = run::<Reports>(env("hooks/update-status"), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        transcript(&rec),
        [
            "state-get --format=json -",
            "status-set waiting -- Waiting for db, Waiting for amqp",
            r#"state-set --file - <<< {"charm.status":"{\"status\":\"waiting\",\"message\":\"Waiting for db, Waiting for amqp\"}"}"#,
        ]
    );
}

#[test]
fn an_unchanged_status_is_not_set_again() {
    let rec = Recorder::new().answer(
        "state-get",
        r#"{"charm.status":"{\"status\":\"waiting\",\"message\":\"Waiting for db, Waiting for amqp\"}"}"#,
    );
    run::<Reports>(env("hooks/update-status"), &rec);
    assert_eq!(transcript(&rec), ["state-get --format=json -"]);
}

#[test]
fn stop_sets_the_status_even_if_unchanged_because_juju_changed_it() {
    let rec = Recorder::new().answer(
        "state-get",
        r#"{"charm.status":"{\"status\":\"waiting\",\"message\":\"Waiting for db, Waiting for amqp\"}"}"#,
    );
    run::<Reports>(env("hooks/stop"), &rec);
    assert_eq!(count(&rec, "status-set"), 1, "{:?}", transcript(&rec));
    assert_eq!(count(&rec, "state-set"), 0);
}

#[test]
fn a_hook_that_reports_nothing_leaves_the_status_alone() {
    demo_charm!(Silent, |ctx, event| { Ok(()) });
    let rec = Recorder::new();
    run::<Silent>(env("hooks/install"), &rec);
    assert!(rec.calls().is_empty(), "{:?}", transcript(&rec));
}
