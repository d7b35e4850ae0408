//! What earlier hooks read, kept in unit state: each hook asks Juju only for what its event
//! says may have changed (`charm::memory`; the rules are Juju's, contract §5.2-5.4, from
//! `worker/uniter/resolver.go` and `worker/uniter/relation/resolver.go`).

use std::collections::BTreeMap;

use charm::Outcome;
use juju::testing::Recorder;
use juju::HookEnv;

use crate::support::{demo_charm, env, relation_env, run, stored_state, transcript};

// Reads the configuration, leadership, the db network and both relation endpoints, and
// publishes a user on each db relation.
demo_charm!(Watches, |ctx, event| {
    ctx.config()?;
    ctx.is_leader()?;
    ctx.network("db")?;
    for endpoint in ["db", "website"] {
        ctx.relations().remote_units(endpoint)?;
    }
    for relation in ctx.relations().ids("db")? {
        ctx.relations()
            .set_unit_data(&relation, [("user", "demo")])?;
    }
    Ok(())
});

/// The model as the fake Juju answers it.
fn juju(state: &BTreeMap<String, String>) -> Recorder {
    Recorder::new()
        .answer("state-get", &serde_json::to_string(state).unwrap())
        .answer("config-get", r#"{"name":"demo"}"#)
        .answer("is-leader", "true")
        .answer(
            "network-get",
            r#"{"bind-addresses":[{"interface-name":"eth0","addresses":[{"value":"10.0.0.9","cidr":"10.0.0.0/24"}]}],"ingress-addresses":["10.0.0.9"]}"#,
        )
}

/// Runs `env` against `rec` and returns the calls but unit state's, and the state after.
fn hook(
    env: HookEnv,
    rec: &Recorder,
    state: &BTreeMap<String, String>,
) -> (Vec<String>, BTreeMap<String, String>) {
    let outcome = run::<Watches>(env, rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    let mut after = state.clone();
    for call in rec.calls() {
        match call.tool.as_str() {
            "state-set" => {
                let set: BTreeMap<String, String> =
                    serde_json::from_str(call.stdin_text().unwrap()).unwrap();
                after.extend(set);
            }
            "state-delete" => {
                after.remove(&call.args[0]);
            }
            _ => {}
        }
    }
    let calls = transcript(rec)
        .into_iter()
        .filter(|c| !c.starts_with("state-"))
        .collect();
    (calls, after)
}

/// One db relation with one unit, one website relation with one unit.
fn related(rec: Recorder) -> Recorder {
    rec.answer("relation-ids", r#"["db:4"]"#)
        .answer("relation-ids", r#"["website:7"]"#)
        .answer("relation-list", r#"["pg/0"]"#)
        .answer("relation-list", r#"["web/0"]"#)
        .answer("relation-get", r#"{"host":"10.0.0.1"}"#)
        .answer("relation-get", r#"{"url":"http://web"}"#)
        .answer("relation-get", r#"{"user":"old"}"#)
}

#[test]
fn a_first_hook_reads_everything_and_later_hooks_only_what_their_event_changed() {
    let (calls, state) = hook(
        env("hooks/install"),
        &related(juju(&BTreeMap::new())),
        &BTreeMap::new(),
    );
    assert_eq!(
        calls,
        [
            "config-get --all --format=json",
            "is-leader --format=json",
            "network-get --format=json db",
            "relation-ids --format=json db",
            "relation-list --format=json -r db:4",
            "relation-get --format=json -r db:4 - pg/0",
            "relation-ids --format=json website",
            "relation-list --format=json -r website:7",
            "relation-get --format=json -r website:7 - web/0",
            "relation-get --format=json -r db:4 - demo/0",
            r#"relation-set -r db:4 --file - <<< {"user":"demo"}"#,
        ]
    );

    // update-status: nothing the model could have changed without another hook first.
    let (calls, after) = hook(env("hooks/update-status"), &juju(&state), &state);
    assert_eq!(calls, Vec::<String>::new());
    assert_eq!(after, state, "nothing new to keep");

    // config-changed: the configuration and the networks (the machine's addresses change
    // with it), leadership; no relation.
    let (calls, _) = hook(env("hooks/config-changed"), &juju(&state), &state);
    assert_eq!(
        calls,
        [
            "config-get --all --format=json",
            "is-leader --format=json",
            "network-get --format=json db",
        ]
    );

    // A change on db:4: that relation (and its endpoint's ids) only.
    let rec = juju(&state)
        .answer("relation-ids", r#"["db:4"]"#)
        .answer("relation-list", r#"["pg/0","pg/1"]"#)
        .answer("relation-get", r#"{"host":"10.0.0.2"}"#);
    let (calls, state) = hook(relation_env("db:4", "changed", Some("pg/1")), &rec, &state);
    assert_eq!(
        calls,
        [
            "is-leader --format=json",
            "relation-ids --format=json db",
            "relation-list --format=json -r db:4",
            "relation-get --format=json -r db:4 - pg/0",
            "relation-get --format=json -r db:4 - pg/1",
        ]
    );

    // db:4 broken: it leaves relation-ids, and what was kept of it goes.
    let rec = juju(&state).answer("relation-ids", "[]");
    let (calls, state) = hook(relation_env("db:4", "broken", None), &rec, &state);
    assert_eq!(
        calls,
        ["is-leader --format=json", "relation-ids --format=json db"]
    );
    assert!(
        !state
            .keys()
            .any(|k| k.starts_with("charm.seen.relation.db:4")),
        "{state:?}"
    );
    assert!(state.contains_key("charm.seen.relation.website:7"));

    // upgrade-charm: new code may read differently; everything afresh.
    let rec = juju(&state)
        .answer("relation-ids", "[]")
        .answer("relation-ids", r#"["website:7"]"#)
        .answer("relation-list", r#"["web/0"]"#);
    let (calls, _) = hook(env("hooks/upgrade-charm"), &rec, &state);
    assert_eq!(calls.len(), 7, "{calls:#?}");
}

#[test]
fn a_write_compares_with_what_this_unit_left_there_unless_juju_rewrote_it() {
    let (_, state) = hook(
        env("hooks/install"),
        &related(juju(&BTreeMap::new())),
        &BTreeMap::new(),
    );
    // The same write in a later hook: compared with what the last one left, no call.
    let rec = juju(&state)
        .answer("relation-ids", r#"["website:7"]"#)
        .answer("relation-list", r#"["web/0"]"#)
        .answer("relation-get", r#"{"url":"http://web"}"#);
    let (calls, _) = hook(relation_env("website:7", "changed", None), &rec, &state);
    assert!(!calls.iter().any(|c| c.contains("db:4")), "{calls:#?}");
}

#[test]
fn juju_rewrites_its_address_keys_on_config_changed_so_a_write_of_them_reads_first() {
    demo_charm!(PublishesAddress, |ctx, event| {
        ctx.relations()
            .set_unit_data(&"db:4".parse()?, [("private-address", "10.0.0.9")])?;
        Ok(())
    });
    let first = Recorder::new()
        .answer("state-get", "{}")
        .answer("relation-get", r#"{"private-address":"10.0.0.8"}"#);
    assert!(matches!(
        run::<PublishesAddress>(relation_env("db:4", "changed", Some("pg/0")), &first),
        Outcome::Handled
    ));
    let state = stored_state(&first);
    for (hook, reads) in [
        ("hooks/update-status", false),
        ("hooks/config-changed", true),
    ] {
        let rec = Recorder::new()
            .answer("state-get", &state)
            .answer("relation-get", r#"{"private-address":"10.0.0.7"}"#);
        assert!(matches!(
            run::<PublishesAddress>(env(hook), &rec),
            Outcome::Handled
        ));
        let calls = transcript(&rec);
        assert_eq!(
            calls.contains(&"relation-get --format=json -r db:4 - demo/0".to_owned()),
            reads,
            "{hook}: {calls:#?}"
        );
        // After config-changed Juju's value differs from ours: written again.
        assert_eq!(
            calls.iter().any(|c| c.starts_with("relation-set")),
            reads,
            "{hook}: {calls:#?}"
        );
    }
}
