//! The example's hooks and action, in process against `juju::testing::Recorder`, and its pure
//! `reconcile` on its own.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use charm::config::RawConfig;
use charm::{dispatch, Charm, Outcome, Templates};
use example_charm::{reconcile, release_search, Config, Example, Inputs, OPTIONS};
use juju::testing::Recorder;
use juju::{HookEnv, Status};

use crate::fake_juju::FakeJuju;

const CONFIG: &str = r#"{"greeting":"Hello","port":8080,"shout":false}"#;

fn env(dispatch_path: &str) -> HookEnv {
    charm::testing::hook_env("example/0", dispatch_path).unwrap()
}

fn transcript(recorder: &Recorder) -> Vec<String> {
    recorder
        .calls()
        .iter()
        .map(|call| {
            let line = call.argv().join(" ");
            match call.stdin_text() {
                Some(stdin) => format!("{line} <<< {stdin}"),
                None => line,
            }
        })
        .collect()
}

/// A leader's first config-changed: with a peer relation and no website consumers.
fn first_hook(fake: &FakeJuju) -> Recorder {
    let rec = Recorder::new()
        .answer("config-get", CONFIG)
        .answer("is-leader", "true")
        .answer("state-get", "{}")
        .answer("relation-ids", "[]")
        .answer("relation-ids", r#"["greeters:0"]"#)
        .answer("relation-get", "{}");
    let outcome = dispatch::<Example, _>(env("hooks/config-changed"), &rec, fake.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    rec
}

#[test]
fn the_first_hook_renders_restarts_publishes_and_sets_status() {
    let fake = FakeJuju::new();
    let rec = first_hook(&fake);
    insta::assert_snapshot!("first_config_changed", transcript(&rec).join("\n"));
    assert_eq!(fake.calls(), ["service example-greeter restart"]);
    let conf = fake.root().join("etc/example/greeter.conf");
    assert_eq!(
        fs::metadata(&conf).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    assert!(fs::read_to_string(&conf)
        .unwrap()
        .contains("leader = \"example/0\""));
}

#[test]
fn a_hook_that_changes_nothing_only_reads() {
    let fake = FakeJuju::new();
    let first = first_hook(&fake);
    let stored_state = first
        .calls()
        .into_iter()
        .find(|c| c.tool == "state-set")
        .and_then(|c| c.stdin_text().map(str::to_owned))
        .unwrap();
    let rec = Recorder::new()
        .answer("config-get", CONFIG)
        .answer("is-leader", "true")
        .answer("state-get", &stored_state)
        .answer("relation-ids", "[]")
        .answer("relation-ids", r#"["greeters:0"]"#)
        .answer("relation-get", r#"{"leader-unit":"example/0"}"#);
    let outcome = dispatch::<Example, _>(env("hooks/update-status"), &rec, fake.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        transcript(&rec),
        [
            "config-get --all --format=json",
            "is-leader --format=json",
            "state-get --format=json -",
            "relation-ids --format=json website",
            "relation-ids --format=json greeters",
            "relation-get --format=json -r greeters:0 --app - example",
        ]
    );
    assert_eq!(
        fake.calls(),
        ["service example-greeter restart"],
        "no second restart"
    );
}

#[test]
fn invalid_config_blocks_naming_the_option_and_writes_nothing() {
    for (config, message) in [
        (
            r#"{"greeting":"Hello","port":70000,"shout":false}"#,
            "Invalid config: 'port': expected an integer from 1 to 65535, got 70000",
        ),
        (
            r#"{"greeting":" ","port":8080,"shout":false}"#,
            "Invalid config: 'greeting': must not be empty",
        ),
    ] {
        let fake = FakeJuju::new();
        let rec = Recorder::new()
            .answer("config-get", config)
            .answer("is-leader", "true")
            .answer("state-get", "{}")
            .answer("relation-ids", "[]");
        let outcome = dispatch::<Example, _>(env("hooks/config-changed"), &rec, fake.host());
        assert_eq!(outcome.exit_code(), 0);
        assert!(
            transcript(&rec).contains(&format!("status-set blocked -- {message}")),
            "{:?}",
            transcript(&rec)
        );
        assert!(!fake.root().join("etc/example/greeter.conf").exists());
        assert!(fake.calls().is_empty());
    }
}

#[test]
fn website_consumers_get_the_address_and_port() {
    let fake = FakeJuju::new();
    let mut env = env("hooks/website-relation-joined");
    env.relation = Some("website".into());
    env.relation_id = Some("website:3".parse().unwrap());
    env.remote_app = Some("haproxy".parse().unwrap());
    env.remote_unit = Some("haproxy/0".parse().unwrap());
    let rec = Recorder::new()
        .answer(
            "config-get",
            r#"{"greeting":"Hello","port":9000,"shout":false}"#,
        )
        .answer("is-leader", "false")
        .answer("state-get", "{}")
        .answer("relation-ids", r#"["website:3"]"#)
        .answer("relation-ids", "[]")
        .answer("network-get", r#""10.1.2.3""#)
        .answer("relation-get", r#"{"ingress-address":"10.1.2.3"}"#);
    let outcome = dispatch::<Example, _>(env, &rec, fake.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    let calls = transcript(&rec);
    assert!(calls.contains(&"network-get --format=json --ingress-address website".to_owned()));
    assert!(
        calls.contains(
            &r#"relation-set -r website:3 --file - <<< {"hostname":"10.1.2.3","port":"9000"}"#
                .to_owned()
        ),
        "{calls:?}"
    );
    assert!(calls.contains(&"status-set active -- Greeting on port 9000".to_owned()));
}

#[test]
fn a_non_leader_waits_for_the_leader_then_names_it() {
    for (peer_app_bag, status) in [
        (
            "{}",
            "status-set waiting -- Waiting for the leader to publish itself",
        ),
        (
            r#"{"leader-unit":"example/1"}"#,
            "status-set active -- Greeting on port 8080",
        ),
    ] {
        let fake = FakeJuju::new();
        let rec = Recorder::new()
            .answer("config-get", CONFIG)
            .answer("is-leader", "false")
            .answer("state-get", "{}")
            .answer("relation-ids", "[]")
            .answer("relation-ids", r#"["greeters:0"]"#)
            .answer("relation-get", peer_app_bag);
        dispatch::<Example, _>(env("hooks/config-changed"), &rec, fake.host());
        let calls = transcript(&rec);
        assert!(calls.contains(&status.to_owned()), "{calls:?}");
        assert!(
            !calls.iter().any(|c| c.starts_with("relation-set")),
            "{calls:?}"
        );
    }
}

#[test]
fn the_greet_action_returns_the_message() {
    let rec = Recorder::new()
        .answer("action-get", r#"{"name":"Bob","shout":true}"#)
        .answer("config-get", CONFIG)
        .answer("state-get", r#"{"release":"charlie"}"#);
    let outcome = dispatch::<Example, _>(env("actions/greet"), &rec, FakeJuju::new().host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        transcript(&rec),
        [
            "action-get --format=json",
            "config-get --all --format=json",
            "state-get --format=json -",
            "action-set greeter.release=charlie greeter.unit=example/0 message=HELLO, BOB!",
        ]
    );
}

#[test]
fn the_greet_action_fails_naming_a_bad_param() {
    for (params, failure) in [
        (r#"{"shout":false}"#, r#""name" is a required property"#),
        (
            r#"{"name":"","shout":false}"#,
            r#"'name': "" is shorter than 1 character"#,
        ),
    ] {
        let rec = Recorder::new().answer("action-get", params);
        let outcome = dispatch::<Example, _>(env("actions/greet"), &rec, FakeJuju::new().host());
        assert_eq!(outcome.exit_code(), 0);
        assert_eq!(
            transcript(&rec),
            [
                "action-get --format=json".to_owned(),
                format!("action-fail -- Invalid parameters for action 'greet': {failure}"),
            ]
        );
    }
}

#[test]
fn greeting_with_invalid_config_fails_the_action_and_blocks_the_unit() {
    let rec = Recorder::new()
        .answer("action-get", r#"{"name":"Bob","shout":false}"#)
        .answer("config-get", r#"{"greeting":"","port":8080,"shout":false}"#)
        .answer("state-get", "{}");
    let outcome = dispatch::<Example, _>(env("actions/greet"), &rec, FakeJuju::new().host());
    assert_eq!(outcome.exit_code(), 0);
    let message = "Invalid config: 'greeting': must not be empty";
    assert_eq!(
        transcript(&rec)[2..],
        [
            format!("action-fail -- {message}"),
            "state-get --format=json -".to_owned(),
            format!("status-set blocked -- {message}"),
            format!(
                r#"state-set --file - <<< {{"charm.status":"{{\"status\":\"blocked\",\"message\":\"{message}\"}}"}}"#
            ),
        ]
    );
}

fn inputs(release: Option<&str>) -> Inputs {
    Inputs {
        unit: "example/0".parse().unwrap(),
        config: Config::from_raw(&RawConfig::defaults(OPTIONS).with("greeting", "Good \"day\"")),
        leader: true,
        release: release.map(str::to_owned),
        opened_port: None,
        website: vec![],
        ingress_address: None,
        peers: Some("greeters:0".parse().unwrap()),
        published_leader: None,
    }
}

#[test]
fn reconcile_renders_the_template_of_the_unit_release() {
    let templates = Templates::new(Example::TEMPLATES);
    // A new unit takes the newest release, whose template falls back to bravo's.
    let plan = reconcile(&inputs(None), &templates).unwrap();
    assert_eq!(plan.record_release.as_deref(), Some("charlie"));
    insta::assert_snapshot!("greeter_conf_charlie", plan.files[0].content);
    // A unit installed at alpha keeps the root template.
    let plan = reconcile(&inputs(Some("alpha")), &templates).unwrap();
    assert_eq!(plan.record_release, None);
    insta::assert_snapshot!("greeter_conf_alpha", plan.files[0].content);
    assert_eq!(release_search("charlie"), ["charlie", "bravo", "alpha"]);
    assert_eq!(release_search("unknown"), Vec::<&str>::new());
}

#[test]
fn reconcile_moves_the_port_and_reports_status() {
    let templates = Templates::new(Example::TEMPLATES);
    let mut moved = inputs(Some("bravo"));
    moved.opened_port = Some(80);
    let plan = reconcile(&moved, &templates).unwrap();
    assert_eq!((plan.close_port, plan.open_port), (Some(80), Some(8080)));
    assert_eq!(plan.status.status, Status::Active);
    let mut settled = inputs(Some("bravo"));
    settled.opened_port = Some(8080);
    let plan = reconcile(&settled, &templates).unwrap();
    assert_eq!((plan.close_port, plan.open_port), (None, None));
}
