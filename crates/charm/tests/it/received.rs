//! `Context::receive` over the hook tools: the last good data goes into unit state at the
//! end of a hook that read it, stands in for malformed data later, and goes when the
//! relation does.

use databag::{Readiness, Required};
use juju::testing::Recorder;

use crate::support::{demo_charm, env, run};

/// The demo reads `db` as one unit's `host` (a host name) and `password`, and reports what
/// it received as the status.
fn read(bag: &databag::Bag) -> Result<Readiness<String>, databag::FieldError> {
    let mut required = Required::new(bag);
    let host = required.host("host")?;
    let password = required.secret("password")?;
    match (host, password) {
        (Some(host), Some(_)) => Ok(Readiness::Ready(host.to_string())),
        _ => Ok(required.incomplete()),
    }
}

demo_charm!(Receives, |ctx, event| {
    let received = ctx.receive("db", read, |units| databag::first_ready(units, read))?;
    match received.status("db") {
        Some(status) => ctx.status().report(status.status, status.message),
        None => ctx
            .status()
            .active(format!("using {}", received.ready().unwrap())),
    }
    Ok(())
});

/// The `state-set` input of a hook, as the `key: value` YAML the runtime sends.
fn state_sent(rec: &Recorder) -> Option<String> {
    rec.calls()
        .iter()
        .find(|c| c.argv()[0] == "state-set")
        .and_then(|c| c.stdin_text().map(str::to_owned))
}

fn status_set(rec: &Recorder) -> Vec<String> {
    rec.calls()
        .iter()
        .filter(|c| c.argv()[0] == "status-set")
        .map(|c| c.argv().join(" "))
        .collect()
}

const GOOD: &str = r#"{"host": "db0", "password": "pw"}"#;
const KEPT: &str = r#"{"pg/0":{"host":"db0","password":"pw"}}"#;

#[test]
fn good_data_is_kept_bad_data_falls_back_to_it_and_a_gone_relation_forgets_it() {
    // A good answer: used, and kept.
    let rec = Recorder::new()
        .answer("state-get", "{}")
        .answer("relation-ids", r#"["db:4"]"#)
        .answer("relation-list", r#"["pg/0"]"#)
        .answer("relation-get", GOOD);
    run::<Receives>(env("hooks/config-changed"), &rec);
    assert_eq!(status_set(&rec), ["status-set active -- using db0"]);
    let sent: serde_json::Value = serde_json::from_str(&state_sent(&rec).unwrap()).unwrap();
    assert_eq!(sent["charm.received.db:4"], KEPT);

    // A hostile answer: the kept one is used, the status names the unit and the key, and
    // nothing new is kept.
    let state = serde_json::json!({ "charm.received.db:4": KEPT }).to_string();
    let rec = Recorder::new()
        .answer("state-get", &state)
        .answer("relation-ids", r#"["db:4"]"#)
        .answer("relation-list", r#"["pg/0"]"#)
        .answer(
            "relation-get",
            r#"{"host": "db0\n[DEFAULT]", "password": "pw"}"#,
        );
    run::<Receives>(env("hooks/config-changed"), &rec);
    assert_eq!(
        status_set(&rec),
        [
            "status-set blocked -- 'db' from pg/0: relation key `host`: contains a line break or \
          another control character (using the last good data)"
        ]
    );
    let sent = state_sent(&rec).unwrap_or_default();
    assert!(!sent.contains("charm.received"), "{sent}");

    // The relation is gone (broken): its kept data is deleted.
    let rec = Recorder::new()
        .answer("state-get", &state)
        .answer("relation-ids", "[]");
    run::<Receives>(env("hooks/config-changed"), &rec);
    assert_eq!(status_set(&rec), ["status-set blocked -- 'db' missing"]);
    let deleted: Vec<String> = rec
        .calls()
        .iter()
        .filter(|c| c.argv()[0] == "state-delete")
        .map(|c| c.argv().join(" "))
        .collect();
    assert_eq!(deleted, ["state-delete charm.received.db:4"]);
}
