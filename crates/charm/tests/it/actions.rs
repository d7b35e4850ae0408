//! Actions: parameters validated before the charm runs, results sent once, failures reported.

use charm::Outcome;
use juju::testing::Recorder;
use serde::Deserialize;

use crate::support::{demo_charm, env, run, transcript};

#[derive(Deserialize)]
struct Greet {
    name: String,
    times: u32,
}

demo_charm!(Greeter, |ctx, event| {
    let params: Greet = ctx.action_params()?;
    let message = vec![format!("Hello, {}!", params.name); params.times as usize].join(" ");
    let action = ctx.action()?;
    action.set("message", message)?;
    action.set_all(&serde_json::json!({"greeter": {"unit": "demo/0", "count": params.times}}))?;
    Ok(())
});

#[test]
fn valid_params_reach_the_charm_and_results_go_out_in_one_action_set() {
    let rec = Recorder::new().answer("action-get", r#"{"name":"Bob","times":2}"#);
    let outcome = run::<Greeter>(env("actions/greet"), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        transcript(&rec),
        [
            "action-get --format=json",
            "action-set greeter.count=2 greeter.unit=demo/0 message=Hello, Bob! Hello, Bob!",
        ]
    );
}

#[test]
fn invalid_params_fail_the_action_naming_the_param_without_running_the_charm() {
    let cases = [
        (
            r#"{"times":1}"#,
            r#"action-fail -- Invalid parameters for action 'greet': "name" is a required property"#,
        ),
        (
            r#"{"name":"Bob","times":"two"}"#,
            r#"action-fail -- Invalid parameters for action 'greet': 'times': "two" is not of type "integer""#,
        ),
        (
            r#"{"name":"Bob","times":1,"loud":true}"#,
            "action-fail -- Invalid parameters for action 'greet': Additional properties are \
             not allowed ('loud' was unexpected)",
        ),
    ];
    for (params, fail) in cases {
        let rec = Recorder::new().answer("action-get", params);
        let outcome = run::<Greeter>(env("actions/greet"), &rec);
        assert_eq!(outcome.exit_code(), 0, "{outcome:?}");
        assert_eq!(transcript(&rec), ["action-get --format=json", fail]);
    }
}

#[test]
fn an_action_the_charm_fails_reports_its_message_and_exits_zero() {
    demo_charm!(Refuses, |ctx, event| {
        ctx.action()?.fail("the greeter is paused");
        Ok(())
    });
    let rec = Recorder::new().answer("action-get", r#"{"name":"Bob","times":1}"#);
    let outcome = run::<Refuses>(env("actions/greet"), &rec);
    assert_eq!(outcome.exit_code(), 0);
    assert_eq!(
        transcript(&rec),
        [
            "action-get --format=json",
            "action-fail -- the greeter is paused"
        ]
    );
}

#[test]
fn a_bad_result_key_is_a_bug_and_nothing_is_sent() {
    demo_charm!(BadKey, |ctx, event| {
        ctx.action()?.set("Message", "hi")?;
        Ok(())
    });
    let rec = Recorder::new().answer("action-get", r#"{"name":"Bob","times":1}"#);
    let outcome = run::<BadKey>(env("actions/greet"), &rec);
    let Outcome::Failed(err) = &outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        err.to_string().starts_with("action result key \"Message\""),
        "{err}"
    );
    assert_eq!(transcript(&rec)[0], "action-get --format=json");
    assert!(transcript(&rec)[1].starts_with("juju-log --log-level ERROR -- hook failed: "));
    assert_eq!(rec.calls().len(), 2);
}

#[test]
fn an_undeclared_action_is_a_bug() {
    demo_charm!(Any, |ctx, event| { Ok(()) });
    let rec = Recorder::new().answer("action-get", "{}");
    let outcome = run::<Any>(env("actions/dance"), &rec);
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(
        transcript(&rec)[1],
        "juju-log --log-level ERROR -- hook failed: action 'dance' is not declared in \
         actions.yaml"
    );
}

#[test]
fn action_calls_in_a_hook_are_refused() {
    demo_charm!(Confused, |ctx, event| {
        ctx.action()?;
        Ok(())
    });
    let outcome = run::<Confused>(env("hooks/install"), &Recorder::new());
    let Outcome::Failed(err) = outcome else {
        panic!()
    };
    assert_eq!(err.to_string(), "not running an action");
}
