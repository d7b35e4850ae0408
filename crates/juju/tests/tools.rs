//! Every hook tool: the exact argv and stdin we send, and how its output and errors parse.

use std::collections::BTreeMap;

use juju::testing::Recorder;
use juju::{
    AppName, BagOwner, HookTools, LogLevel, Port, RelationId, Status, ToolErrorKind,
    UnitAddressKey, UnitName,
};
use serde_json::json;

fn rel() -> RelationId {
    RelationId::new("shared-db", 7)
}

fn unit(s: &str) -> UnitName {
    s.parse().unwrap()
}

fn app(s: &str) -> AppName {
    s.parse().unwrap()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs `f` against a recorder scripted with `tool` printing `stdout`; returns the single
/// recorded argv and stdin along with `f`'s result.
fn one_call<T>(
    tool: &str,
    stdout: &str,
    f: impl FnOnce(&HookTools<&Recorder>) -> T,
) -> (T, Vec<String>, Option<String>) {
    let rec = Recorder::new().answer(tool, stdout);
    let result = f(&HookTools::new(&rec));
    let calls = rec.calls();
    assert_eq!(calls.len(), 1, "expected exactly one call: {calls:?}");
    let argv = calls[0].argv().iter().map(|s| s.to_string()).collect();
    (result, argv, calls[0].stdin_text().map(str::to_owned))
}

#[test]
fn relation_ids() {
    let (ids, argv, _) = one_call("relation-ids", "[\"amqp:3\",\"amqp:11\"]\n", |t| {
        t.relation_ids("amqp")
    });
    assert_eq!(argv, ["relation-ids", "--format=json", "amqp"]);
    assert_eq!(
        ids.unwrap(),
        [RelationId::new("amqp", 3), RelationId::new("amqp", 11)]
    );
    let (ids, _, _) = one_call("relation-ids", "[]\n", |t| t.relation_ids("nope"));
    assert!(ids.unwrap().is_empty());
}

#[test]
fn relation_list_and_remote_app() {
    let (units, argv, _) = one_call("relation-list", "[\"mysql/0\",\"mysql/2\"]\n", |t| {
        t.relation_list(&rel())
    });
    assert_eq!(
        argv,
        ["relation-list", "--format=json", "-r", "shared-db:7"]
    );
    assert_eq!(units.unwrap(), [unit("mysql/0"), unit("mysql/2")]);

    let (a, argv, _) = one_call("relation-list", "\"mysql\"\n", |t| {
        t.relation_remote_app(&rel())
    });
    assert_eq!(
        argv,
        [
            "relation-list",
            "--format=json",
            "--app",
            "-r",
            "shared-db:7"
        ]
    );
    assert_eq!(a.unwrap(), Some(app("mysql")));
}

#[test]
fn relation_get_whole_bags_and_keys() {
    let remote = unit("mysql/0");
    let (bag, argv, _) = one_call("relation-get", "{\"db_host\":\"10.0.0.2\"}\n", |t| {
        t.relation_get(&rel(), BagOwner::Unit(&remote))
    });
    assert_eq!(
        argv,
        [
            "relation-get",
            "--format=json",
            "-r",
            "shared-db:7",
            "-",
            "mysql/0"
        ]
    );
    assert_eq!(bag.unwrap(), map(&[("db_host", "10.0.0.2")]));

    let a = app("mysql");
    let (bag, argv, _) = one_call("relation-get", "{}\n", |t| {
        t.relation_get(&rel(), BagOwner::App(&a))
    });
    assert_eq!(
        argv,
        [
            "relation-get",
            "--format=json",
            "-r",
            "shared-db:7",
            "--app",
            "-",
            "mysql"
        ]
    );
    assert!(bag.unwrap().is_empty());

    let (v, argv, _) = one_call("relation-get", "null\n", |t| {
        t.relation_get_key(&rel(), "password", BagOwner::Unit(&remote))
    });
    assert_eq!(
        argv,
        [
            "relation-get",
            "--format=json",
            "-r",
            "shared-db:7",
            "password",
            "mysql/0"
        ]
    );
    assert_eq!(v.unwrap(), None, "a missing key is None, not an error");
}

#[test]
fn relation_set_sends_json_on_stdin() {
    let changes = map(&[("database", "manila"), ("hostname", "")]);
    let (r, argv, stdin) = one_call("relation-set", "", |t| {
        t.relation_set(&rel(), false, &changes)
    });
    r.unwrap();
    assert_eq!(argv, ["relation-set", "-r", "shared-db:7", "--file", "-"]);
    assert_eq!(stdin.unwrap(), r#"{"database":"manila","hostname":""}"#);

    let (r, argv, _) = one_call("relation-set", "", |t| {
        t.relation_set(&rel(), true, &changes)
    });
    r.unwrap();
    assert_eq!(
        argv,
        ["relation-set", "-r", "shared-db:7", "--app", "--file", "-"]
    );

    let rec = Recorder::new();
    HookTools::new(&rec)
        .relation_set(&rel(), false, &BTreeMap::new())
        .unwrap();
    assert!(rec.calls().is_empty(), "nothing to write, nothing sent");
}

#[test]
fn config_get() {
    let (all, argv, _) = one_call(
        "config-get",
        "{\"debug\":false,\"vip\":null,\"workers\":4}\n",
        |t| t.config_get_all(),
    );
    assert_eq!(argv, ["config-get", "--all", "--format=json"]);
    let all = all.unwrap();
    assert_eq!(all["debug"], json!(false));
    assert_eq!(all["vip"], json!(null));
    assert_eq!(all["workers"], json!(4));

    let (v, argv, _) = one_call("config-get", "null\n", |t| t.config_get("nope"));
    assert_eq!(argv, ["config-get", "--format=json", "nope"]);
    assert_eq!(v.unwrap(), None);
}

#[test]
fn leadership() {
    let (l, argv, _) = one_call("is-leader", "false\n", |t| t.is_leader());
    assert_eq!(argv, ["is-leader", "--format=json"]);
    assert!(!l.unwrap());

    let (s, argv, _) = one_call("leader-get", "{\"db-sync-done\":\"True\"}\n", |t| {
        t.leader_get()
    });
    assert_eq!(argv, ["leader-get", "--format=json", "-"]);
    assert_eq!(s.unwrap(), map(&[("db-sync-done", "True")]));

    let (s, argv, _) = one_call("leader-get", "null\n", |t| t.leader_get_key("x"));
    assert_eq!(argv, ["leader-get", "--format=json", "x"]);
    assert_eq!(s.unwrap(), None);

    let settings = map(&[("a", "1"), ("b", "two words")]);
    let (r, argv, _) = one_call("leader-set", "", |t| t.leader_set(&settings));
    r.unwrap();
    assert_eq!(argv, ["leader-set", "a=1", "b=two words"]);
}

#[test]
fn status() {
    let (r, argv, _) = one_call("status-set", "", |t| {
        t.status_set(Status::Blocked, "'shared-db' missing")
    });
    r.unwrap();
    assert_eq!(argv, ["status-set", "blocked", "--", "'shared-db' missing"]);

    let (r, argv, _) = one_call("status-set", "", |t| {
        t.application_status_set(Status::Active, "")
    });
    r.unwrap();
    assert_eq!(argv, ["status-set", "--application", "active", "--", ""]);

    let (s, argv, _) = one_call(
        "status-get",
        "{\"message\":\"Unit is ready\",\"status\":\"active\",\"status-data\":{}}\n",
        |t| t.status_get(),
    );
    assert_eq!(argv, ["status-get", "--include-data", "--format=json"]);
    let s = s.unwrap();
    assert_eq!(
        (s.status.as_str(), s.message.as_str()),
        ("active", "Unit is ready")
    );

    let out = r#"{"application-status":{"message":"","status":"active","status-data":{},"units":{"manila/0":{"message":"hi","status":"waiting","status-data":{}}}}}"#;
    let (s, argv, _) = one_call("status-get", out, |t| t.application_status_get());
    assert_eq!(
        argv,
        [
            "status-get",
            "--application",
            "--include-data",
            "--format=json"
        ]
    );
    let (app, units) = s.unwrap();
    assert_eq!(app.status, "active");
    assert_eq!(units["manila/0"].message, "hi");
}

#[test]
fn version_and_log() {
    let (r, argv, _) = one_call("application-version-set", "", |t| {
        t.application_version_set("15.1.0")
    });
    r.unwrap();
    assert_eq!(argv, ["application-version-set", "--", "15.1.0"]);

    let (r, argv, _) = one_call("juju-log", "", |t| {
        t.juju_log(LogLevel::Warning, "-r is not a flag")
    });
    r.unwrap();
    assert_eq!(
        argv,
        [
            "juju-log",
            "--log-level",
            "WARNING",
            "--",
            "-r is not a flag"
        ]
    );

    let rec = Recorder::new();
    let long = "é".repeat(100_000); // 200_000 bytes: two pieces, split on a char boundary
    HookTools::new(&rec)
        .juju_log(LogLevel::Info, &long)
        .unwrap();
    let calls = rec.calls();
    assert_eq!(calls.len(), 2);
    let joined: String = calls.iter().map(|c| c.args[3].clone()).collect();
    assert_eq!(joined, long);
}

#[test]
fn actions() {
    let (p, argv, _) = one_call("action-get", "{\"force\":true,\"name\":\"x\"}\n", |t| {
        t.action_get()
    });
    assert_eq!(argv, ["action-get", "--format=json"]);
    assert_eq!(p.unwrap()["force"], json!(true));

    let results = map(&[("outcome", "done"), ("services.stopped", "apache2 haproxy")]);
    let (r, argv, _) = one_call("action-set", "", |t| t.action_set(&results));
    r.unwrap();
    assert_eq!(
        argv,
        [
            "action-set",
            "outcome=done",
            "services.stopped=apache2 haproxy"
        ]
    );

    let (r, argv, _) = one_call("action-fail", "", |t| {
        t.action_fail("manila-share didn't stop")
    });
    r.unwrap();
    assert_eq!(argv, ["action-fail", "--", "manila-share didn't stop"]);

    let (r, argv, _) = one_call("action-log", "", |t| t.action_log("stopping apache2"));
    r.unwrap();
    assert_eq!(argv, ["action-log", "--", "stopping apache2"]);
}

#[test]
fn ports() {
    let (r, argv, _) = one_call("open-port", "", |t| t.open_port(Port::tcp(8786)));
    r.unwrap();
    assert_eq!(argv, ["open-port", "8786/tcp"]);
    let (r, argv, _) = one_call("close-port", "", |t| t.close_port(Port::Icmp));
    r.unwrap();
    assert_eq!(argv, ["close-port", "icmp"]);
    let (p, argv, _) = one_call("opened-ports", "[\"8786/tcp\",\"5000-5010/udp\"]\n", |t| {
        t.opened_ports()
    });
    assert_eq!(argv, ["opened-ports", "--format=json"]);
    assert_eq!(
        p.unwrap(),
        [
            "8786/tcp".parse().unwrap(),
            "5000-5010/udp".parse::<Port>().unwrap()
        ]
    );
}

#[test]
fn unit_get_and_network_get() {
    let (a, argv, _) = one_call("unit-get", "\"10.0.0.9\"\n", |t| {
        t.unit_get(UnitAddressKey::PrivateAddress)
    });
    assert_eq!(argv, ["unit-get", "--format=json", "private-address"]);
    assert_eq!(a.unwrap(), "10.0.0.9");

    let full = r#"{"bind-addresses":[{"mac-address":"","interface-name":"eth0","addresses":[{"hostname":"","value":"127.1.0.2","cidr":"127.1.0.0/24"}]}],"egress-subnets":["127.1.0.2/32"],"ingress-addresses":["127.1.0.2"]}"#;
    let (n, argv, _) = one_call("network-get", full, |t| t.network_get("shared-db", None));
    assert_eq!(argv, ["network-get", "--format=json", "shared-db"]);
    let n = n.unwrap();
    assert_eq!(n.bind_addresses[0].addresses[0].cidr, "127.1.0.0/24");
    assert_eq!(n.ingress_addresses, ["127.1.0.2"]);

    let (a, argv, _) = one_call("network-get", "\"127.1.0.2\"\n", |t| {
        t.network_get_primary_address("public", Some(&RelationId::new("identity-service", 4)))
    });
    assert_eq!(
        argv,
        [
            "network-get",
            "--format=json",
            "--primary-address",
            "-r",
            "identity-service:4",
            "public"
        ]
    );
    assert_eq!(a.unwrap().as_deref(), Some("127.1.0.2"));

    let (_, argv, _) = one_call("network-get", "\"a\"", |t| {
        t.network_get_ingress_address("amqp", None)
    });
    assert_eq!(
        argv,
        ["network-get", "--format=json", "--ingress-address", "amqp"]
    );
    let (_, argv, _) = one_call("network-get", "\"a\"", |t| {
        t.network_get_bind_address("amqp", None)
    });
    assert_eq!(
        argv,
        ["network-get", "--format=json", "--bind-address", "amqp"]
    );
}

#[test]
fn goal_state() {
    let out = r#"{"units":{"manila/0":{"status":"active","since":"x"},"manila/1":{"status":"dying","since":"y"}},"relations":{}}"#;
    let (g, argv, _) = one_call("goal-state", out, |t| t.goal_state());
    assert_eq!(argv, ["goal-state", "--format=json"]);
    assert_eq!(g.unwrap().planned_units(), 1);
}

#[test]
fn unit_state() {
    for printed in ["{}\n", "null\n"] {
        let (s, argv, _) = one_call("state-get", printed, |t| t.state_get());
        assert_eq!(argv, ["state-get", "--format=json", "-"]);
        assert!(s.unwrap().is_empty(), "{printed:?} is an empty state");
    }
    let (s, argv, _) = one_call("state-get", "\"\"\n", |t| t.state_get_key("paused"));
    assert_eq!(argv, ["state-get", "--format=json", "paused"]);
    assert_eq!(s.unwrap(), None);

    let values = map(&[("paused", "true")]);
    let (r, argv, stdin) = one_call("state-set", "", |t| t.state_set(&values));
    r.unwrap();
    assert_eq!(argv, ["state-set", "--file", "-"]);
    assert_eq!(stdin.unwrap(), r#"{"paused":"true"}"#);

    let (r, argv, _) = one_call("state-delete", "", |t| t.state_delete("paused"));
    r.unwrap();
    assert_eq!(argv, ["state-delete", "paused"]);
}

#[test]
fn each_error_class_carries_argv_and_stderr() {
    let cases = [
        (
            "relation-get",
            2,
            "invalid value \"shared-db:7\" for option -r: relation not found",
            ToolErrorKind::RelationNotFound,
        ),
        (
            "relation-get",
            1,
            "permission denied",
            ToolErrorKind::PermissionDenied,
        ),
        (
            "relation-get",
            2,
            "option provided but not defined: --bogus",
            ToolErrorKind::BadArguments,
        ),
        (
            "relation-get",
            1,
            "cannot read settings: connection reset",
            ToolErrorKind::Failed,
        ),
    ];
    let remote = unit("mysql/0");
    for (tool, code, msg, kind) in cases {
        let rec = Recorder::new().fail(tool, code, msg);
        let err = HookTools::new(&rec)
            .relation_get(&rel(), BagOwner::Unit(&remote))
            .unwrap_err();
        assert_eq!(err.kind(), &kind, "{msg}");
        assert_eq!(err.exit_code(), Some(code));
        assert_eq!(err.message(), msg);
        assert_eq!(err.argv()[0], "relation-get");
        assert!(err.stderr().starts_with("ERROR "));
    }

    let rec = Recorder::new().fail("relation-set", 1, "cannot write relation settings");
    let err = HookTools::new(&rec)
        .relation_set(&rel(), true, &map(&[("a", "b")]))
        .unwrap_err();
    assert_eq!(err.kind(), &ToolErrorKind::NotLeader);

    let rec = Recorder::new().missing("is-leader");
    let err = HookTools::new(&rec).is_leader().unwrap_err();
    assert_eq!(err.kind(), &ToolErrorKind::Missing);

    let rec = Recorder::new().answer("is-leader", "maybe\n");
    let err = HookTools::new(&rec).is_leader().unwrap_err();
    assert!(matches!(err.kind(), ToolErrorKind::BadOutput(_)), "{err:?}");
}
