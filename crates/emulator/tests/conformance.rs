//! Conformance of the hook-tool engine with Juju 3.6's `jujuc` (contract §1, §2, §5.4, §5.5, §8).
//!
//! Each row is a model, an invocation and the exact stdout, stderr and exit code Juju gives,
//! with checks on the buffered (`pending`) and immediate (`effects`) writes where the tool
//! writes anything.

mod conformance {
    pub(crate) mod table;
    pub(crate) mod world;
}

use conformance::table::{call, check, row, CHARM_DIR};
use conformance::world::{self, bag, CONSUMED_SECRET, FOREIGN_SECRET, OWN_SECRET};
use emulator::hooktools::{
    execute, Effect, HookContext, Port, PortChange, Protocol, Reply, SecretChange, SecretOwner,
    HOOK_TOOLS,
};
use serde_json::json;

fn tcp(port: u16) -> Port {
    Port::Range {
        from: port,
        to: port,
        protocol: Protocol::Tcp,
    }
}

#[test]
fn grammar_and_transport() {
    check(vec![
        row("unknown tool", world::install, "payload-register", &[])
            .error("bad request: unknown command: payload-register", 1),
        row("relative working directory", world::install, "is-leader", &[])
            .cwd(std::path::Path::new("charm"))
            .error("bad request: Dir is not absolute", 1),
        row("unknown option", world::install, "is-leader", &["--foo"])
            .error("option provided but not defined: --foo", 2),
        row("unknown short option", world::install, "is-leader", &["-x"])
            .error("option provided but not defined: -x", 2),
        row("missing value", world::db_changed, "relation-get", &["-r"])
            .error("option needs an argument: -r", 2),
        row("relation not found", world::install, "relation-get", &["-r", "db:9"])
            .error(r#"invalid value "db:9" for option -r: relation not found"#, 2),
        row("relation id not a number", world::install, "relation-list", &["-r", "db:x"])
            .error(r#"invalid value "db:x" for option -r: invalid relation id"#, 2),
        row("long relation option", world::install, "relation-list", &["--relation=99"])
            .error(r#"invalid value "99" for option --relation: relation not found"#, 2),
        row("relation id after the last colon", world::install, "relation-list", &["-r", "a:b:3"])
            .out("mysql/0\nmysql/1\n"),
        row("endpoint prefix not checked", world::install, "relation-list", &["-r", "nope:3"])
            .out("mysql/0\nmysql/1\n"),
        row("attached short value", world::install, "relation-list", &["-r3", "--app"])
            .out("mysql\n"),
        row("long option with =", world::install, "relation-list", &["--relation=shared-db:3"])
            .out("mysql/0\nmysql/1\n"),
        row("unrecognized args", world::install, "is-leader", &["extra", "more"])
            .error(r#"unrecognized args: ["extra" "more"]"#, 2),
        row("unknown format", world::install, "is-leader", &["--format", "xml"])
            .error(r#"invalid value "xml" for option --format: unknown format "xml""#, 2),
        row("format with =", world::install, "is-leader", &["--format=json"]).out("true\n"),
        row("interspersed flags", world::install, "relation-get", &["password", "-r", "3", "mysql/0", "--format", "json"])
            .out("\"s3cret\"\n"),
        row("double dash ends options", world::db_changed, "juju-log", &["--", "-l", "x"])
            .then(|ctx| assert_eq!(log(ctx), [("INFO", "shared-db:3: -l x")])),
        row("lone dash is positional", world::db_changed, "relation-get", &["-", "mysql/1", "--format=json"])
            .out("{}\n"),
        row("switch with a bool value", world::install, "status-set", &["--application=false", "active"])
            .then(|ctx| assert_eq!(ctx.effects, [unit_status("active", "")])),
        row("switch with a Go bool spelling", world::install, "status-set", &["--application=T", "active"])
            .then(|ctx| assert_eq!(ctx.effects, [app_status("active", "")])),
        row("switch with a bad bool", world::install, "status-set", &["--application=yes", "active"])
            .error(r#"invalid value "yes" for option --application: strconv.ParseBool: parsing "yes": invalid syntax"#, 2),
        row("switch does not take the next argument", world::install, "status-set", &["--application", "false", "x"])
            .error(r#"invalid status "false", expected one of [maintenance blocked waiting active]"#, 2),
        row("help", world::install, "is-leader", &["-h"]).out(
            "Usage: is-leader [options]\n\nSummary:\nPrint whether this unit is the application's leader.\n\n\
             Options:\n--format  (= smart)\n    Specify output format (json|smart|yaml)\n\
             -o, --output (= \"\")\n    Specify an output file\n",
        ),
        row("long help", world::install, "application-version-set", &["--help"]).out(
            "Usage: application-version-set <new-version>\n\nSummary:\nSet the workload version shown in juju status.\n",
        ),
        row("help after an error is not reached", world::install, "is-leader", &["--bad", "-h"])
            .error("option provided but not defined: --bad", 2),
        row("help shows the default relation", world::db_changed, "relation-list", &["--help"]).out(
            "Usage: relation-list [options]\n\nSummary:\nList the remote units of a relation.\n\n\
             Options:\n--app  (= false)\n    List the remote application instead of its units\n\
             --format  (= smart)\n    Specify output format (json|smart|yaml)\n\
             -o, --output (= \"\")\n    Specify an output file\n\
             -r, --relation  (= shared-db:3)\n    Specify a relation by id\n",
        ),
    ]);
}

#[test]
fn relation_ids() {
    check(vec![
        row(
            "sorted as strings",
            world::install,
            "relation-ids",
            &["shared-db"],
        )
        .out("shared-db:10\nshared-db:3\n"),
        row(
            "json",
            world::install,
            "relation-ids",
            &["shared-db", "--format=json"],
        )
        .out("[\"shared-db:10\",\"shared-db:3\"]\n"),
        row(
            "yaml",
            world::install,
            "relation-ids",
            &["cluster", "--format=yaml"],
        )
        .out("- cluster:5\n"),
        row(
            "unknown endpoint",
            world::install,
            "relation-ids",
            &["nope"],
        ),
        row(
            "unknown endpoint json",
            world::install,
            "relation-ids",
            &["nope", "--format=json"],
        )
        .out("[]\n"),
        row(
            "unknown endpoint yaml",
            world::install,
            "relation-ids",
            &["nope", "--format=yaml"],
        )
        .out("[]\n"),
        row(
            "endpoint required outside relation hooks",
            world::install,
            "relation-ids",
            &[],
        )
        .error("no endpoint name specified", 2),
        row(
            "defaults to the hook's endpoint",
            world::db_changed,
            "relation-ids",
            &[],
        )
        .out("shared-db:10\nshared-db:3\n"),
        row(
            "broken relation left out",
            world::db_broken,
            "relation-ids",
            &[],
        )
        .out("shared-db:3\n"),
        row(
            "one endpoint only",
            world::install,
            "relation-ids",
            &["a", "b"],
        )
        .error(r#"unrecognized args: ["b"]"#, 2),
    ]);
}

#[test]
fn relation_list() {
    check(vec![
        row("members", world::db_changed, "relation-list", &[]).out("mysql/0\nmysql/1\n"),
        row(
            "json",
            world::db_changed,
            "relation-list",
            &["--format=json"],
        )
        .out("[\"mysql/0\",\"mysql/1\"]\n"),
        row("no members", world::install, "relation-list", &["-r", "10"]),
        row(
            "no members json",
            world::install,
            "relation-list",
            &["-r", "10", "--format=json"],
        )
        .out("[]\n"),
        row(
            "remote application",
            world::db_changed,
            "relation-list",
            &["--app"],
        )
        .out("mysql\n"),
        row(
            "remote application json",
            world::db_changed,
            "relation-list",
            &["--app", "--format=json"],
        )
        .out("\"mysql\"\n"),
        row(
            "peers list the other units",
            world::install,
            "relation-list",
            &["-r", "cluster:5"],
        )
        .out("manila/1\n"),
        row(
            "relation required outside relation hooks",
            world::install,
            "relation-list",
            &[],
        )
        .error("no relation id specified", 2),
        row("no positionals", world::db_changed, "relation-list", &["x"])
            .error(r#"unrecognized args: ["x"]"#, 2),
    ]);
}

#[test]
fn relation_get() {
    check(vec![
        row("remote unit's bag", world::db_changed, "relation-get", &[])
            .out("allowed_units: manila/0\npassword: s3cret\n"),
        row(
            "remote unit's bag json",
            world::db_changed,
            "relation-get",
            &["--format=json"],
        )
        .out("{\"allowed_units\":\"manila/0\",\"password\":\"s3cret\"}\n"),
        row("one key", world::db_changed, "relation-get", &["password"]).out("s3cret\n"),
        row(
            "dash is every key",
            world::db_changed,
            "relation-get",
            &["-", "mysql/0", "--format=json"],
        )
        .out("{\"allowed_units\":\"manila/0\",\"password\":\"s3cret\"}\n"),
        row("missing key", world::db_changed, "relation-get", &["nope"]),
        row(
            "missing key json",
            world::db_changed,
            "relation-get",
            &["nope", "--format=json"],
        )
        .out("null\n"),
        row(
            "missing key yaml",
            world::db_changed,
            "relation-get",
            &["nope", "--format=yaml"],
        ),
        row(
            "empty bag yaml",
            world::db_changed,
            "relation-get",
            &["-", "mysql/1"],
        )
        .out("{}\n"),
        row(
            "departed unit stays readable",
            world::db_changed,
            "relation-get",
            &["old", "mysql/2"],
        )
        .out("x\n"),
        row(
            "remote application bag",
            world::db_changed,
            "relation-get",
            &["--app"],
        )
        .out("host: 10.0.0.20\n"),
        row(
            "unit name with --app means its application",
            world::db_changed,
            "relation-get",
            &["--app", "host", "mysql/0"],
        )
        .out("10.0.0.20\n"),
        row(
            "no remote unit reads the remote application",
            world::db_created,
            "relation-get",
            &["--format=json"],
        )
        .out("{\"host\":\"10.0.0.20\"}\n"),
        row(
            "application name needs --app",
            world::db_changed,
            "relation-get",
            &["-", "mysql"],
        )
        .error(r#"expected unit name, got application name "mysql""#, 2),
        row(
            "garbage target",
            world::db_changed,
            "relation-get",
            &["-", "Bad!"],
        )
        .error(r#"invalid unit name "Bad!""#, 2),
        row(
            "no target outside relation hooks",
            world::install,
            "relation-get",
            &["-r", "3"],
        )
        .error("no unit or application specified", 2),
        row(
            "no --app target outside relation hooks",
            world::install,
            "relation-get",
            &["-r", "3", "--app"],
        )
        .error("no unit or application specified", 2),
        row(
            "relation required outside relation hooks",
            world::install,
            "relation-get",
            &[],
        )
        .error("no relation id specified", 2),
        row(
            "extra args",
            world::db_changed,
            "relation-get",
            &["a", "mysql/0", "c"],
        )
        .error(r#"unrecognized args: ["c"]"#, 2),
        row(
            "unit of another application",
            world::install,
            "relation-get",
            &["-r", "3", "-", "other/0"],
        )
        .error("permission denied", 1),
        row(
            "unit of the application not in the relation",
            world::install,
            "relation-get",
            &["-r", "3", "-", "mysql/7"],
        )
        .error("permission denied", 1),
        row(
            "another application",
            world::install,
            "relation-get",
            &["-r", "3", "--app", "-", "other"],
        )
        .error("permission denied", 1),
        row(
            "own unit bag",
            world::install,
            "relation-get",
            &["-r", "3", "-", "manila/0", "--format=json"],
        )
        .out("{\"database\":\"manila\",\"private-address\":\"10.0.0.10\"}\n"),
        row(
            "own unit bag sees this hook's writes",
            world::install,
            "relation-get",
            &["-r", "3", "-", "manila/0", "--format=json"],
        )
        .after("relation-set", &["-r", "3", "database=", "new=1"])
        .out("{\"new\":\"1\",\"private-address\":\"10.0.0.10\"}\n"),
        row(
            "leader reads own application bag",
            world::install,
            "relation-get",
            &["-r", "3", "--app", "-", "manila"],
        )
        .out("db-name: manila\n"),
        row(
            "leader's own application bag sees this hook's writes",
            world::install,
            "relation-get",
            &["-r", "3", "--app", "db-name", "manila"],
        )
        .after("relation-set", &["-r", "3", "--app", "db-name=other"])
        .out("other\n"),
        row(
            "minion may not read own application bag",
            world::minion,
            "relation-get",
            &["-r", "3", "--app", "-", "manila"],
        )
        .error("permission denied", 1),
        row(
            "peers may read own application bag",
            world::peer_changed_minion,
            "relation-get",
            &["--app", "-", "manila"],
        )
        .out("secret: abc\n"),
        row("peer unit", world::peer_changed_minion, "relation-get", &[]).out("ready: \"yes\"\n"),
        row(
            "defaults are the hook's even with -r",
            world::db_changed,
            "relation-get",
            &["-r", "10"],
        )
        .error("permission denied", 1),
    ]);
}

#[test]
fn relation_set() {
    check(vec![
        row("sets and deletes, buffered", world::db_changed, "relation-set", &["a=1", "database="])
            .then(|ctx| {
                assert_eq!(
                    ctx.pending.relation_unit.get(&3),
                    Some(&bag(&[("a", "1"), ("private-address", "10.0.0.10")]))
                );
                // Committed data is untouched until the hook exits 0.
                assert_eq!(ctx.relations[&3].local_unit.get("database").map(String::as_str), Some("manila"));
                assert!(ctx.effects.is_empty());
            }),
        row("values are trimmed", world::db_changed, "relation-set", &[" a = 1 "])
            .then(|ctx| assert_eq!(ctx.pending.relation_unit[&3].get("a").map(String::as_str), Some("1"))),
        row("value may hold =", world::db_changed, "relation-set", &["url=a=b"])
            .then(|ctx| assert_eq!(ctx.pending.relation_unit[&3].get("url").map(String::as_str), Some("a=b"))),
        row("no change, no pending write", world::db_changed, "relation-set", &["database=manila", "gone="])
            .then(|ctx| assert!(ctx.pending.relation_unit.is_empty())),
        row("file from stdin", world::db_changed, "relation-set", &["--file", "-"])
            .stdin(r#"{"x": "y", "database": null, "n": 1.50}"#)
            .then(|ctx| {
                assert_eq!(
                    ctx.pending.relation_unit.get(&3),
                    Some(&bag(&[("n", "1.50"), ("private-address", "10.0.0.10"), ("x", "y")]))
                );
            }),
        row("yaml file from stdin, arguments win", world::db_changed, "relation-set", &["--file=-", "x=arg"])
            .stdin("x: file\ny: file\n")
            .then(|ctx| {
                let bag = &ctx.pending.relation_unit[&3];
                assert_eq!(bag.get("x").map(String::as_str), Some("arg"));
                assert_eq!(bag.get("y").map(String::as_str), Some("file"));
            }),
        row("file that is not a map", world::db_changed, "relation-set", &["--file", "-"])
            .stdin("- a\n")
            .error("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]string", 1),
        row("missing file", world::db_changed, "relation-set", &["--file", "nope.yaml"])
            .error(&format!("open {CHARM_DIR}/nope.yaml: no such file or directory"), 1),
        row("duplicate key", world::db_changed, "relation-set", &["a=1", "a=2"])
            .error(r#"key "a" specified more than once"#, 2),
        row("not a pair", world::db_changed, "relation-set", &["a"])
            .error(r#"expected "key=value", got "a""#, 2),
        row("empty key", world::db_changed, "relation-set", &["=v"])
            .error(r#"expected "key=value", got "=v""#, 2),
        row("relation required outside relation hooks", world::install, "relation-set", &["a=1"])
            .error("no relation id specified", 2),
        row("application bag needs leadership", world::minion, "relation-set", &["-r", "3", "--app", "a=1"])
            .error("cannot write relation settings", 1)
            .then(|ctx| assert!(ctx.pending.relation_app.is_empty())),
        row("leader writes the application bag", world::install, "relation-set", &["-r", "3", "--app", "a=1"])
            .then(|ctx| {
                assert_eq!(ctx.pending.relation_app.get(&3), Some(&bag(&[("a", "1"), ("db-name", "manila")])));
                assert!(ctx.pending.relation_unit.is_empty());
            }),
        row("deprecated format flag", world::db_changed, "relation-set", &["--format", "json", "a=1"])
            .stderr("--format flag deprecated for command \"relation-set\""),
        row("deprecated format flag then a failure", world::minion, "relation-set", &["-r", "3", "--format=json", "--app", "a=1"])
            .error("cannot write relation settings", 1)
            .stderr("--format flag deprecated for command \"relation-set\"ERROR cannot write relation settings\n"),
    ]);
}

#[test]
fn stdin_is_lazy() {
    let cwd = std::path::Path::new(CHARM_DIR);
    let args = |list: &[&str]| -> Vec<String> { list.iter().map(|a| a.to_string()).collect() };

    // Only `--file -` asks, and asking records nothing and writes nothing.
    let mut ctx = world::db_changed();
    let asked = execute(&mut ctx, "relation-set", &args(&["--file", "-"]), cwd, None);
    assert_eq!(asked, Reply::NeedsStdin);
    assert!(ctx.calls.is_empty());
    assert!(ctx.pending.relation_unit.is_empty());
    let Reply::Done(done) = execute(
        &mut ctx,
        "relation-set",
        &args(&["--file", "-"]),
        cwd,
        Some(b"k: v"),
    ) else {
        panic!("relation-set asked for stdin twice");
    };
    assert_eq!(done.exit_code, 0);
    assert_eq!(ctx.calls.len(), 1);

    // Argument errors come before stdin is needed.
    let mut ctx = world::db_changed();
    let reply = execute(
        &mut ctx,
        "relation-set",
        &args(&["--file", "-", "bad"]),
        cwd,
        None,
    );
    assert!(
        matches!(reply, Reply::Done(ref output) if output.exit_code == 2),
        "{reply:?}"
    );

    // Leadership is checked after the file is read, as Juju does.
    let mut ctx = world::minion();
    let reply = execute(
        &mut ctx,
        "relation-set",
        &args(&["-r", "3", "--app", "--file", "-"]),
        cwd,
        None,
    );
    assert_eq!(reply, Reply::NeedsStdin);

    let mut ctx = world::install();
    assert_eq!(
        execute(&mut ctx, "state-set", &args(&["--file", "-"]), cwd, None),
        Reply::NeedsStdin
    );

    // Everything else answers on the first request.
    let mut ctx = world::action();
    for tool in HOOK_TOOLS {
        let reply = execute(&mut ctx, tool, &[], cwd, None);
        assert!(matches!(reply, Reply::Done(_)), "{tool} asked for stdin");
    }
    assert_eq!(ctx.calls.len(), HOOK_TOOLS.len());
}

#[test]
fn config_get() {
    check(vec![
        row("options set or defaulted", world::install, "config-get", &[]).out(
            "big: 2e+06\ndebug: false\nname: manila\nport: 8776\nratio: 1.5\ntext: |-\n  line1\n  line2\n",
        ),
        row("json", world::install, "config-get", &["--format=json"]).out(
            "{\"big\":2000000,\"debug\":false,\"name\":\"manila\",\"port\":8776,\"ratio\":1.5,\"text\":\"line1\\nline2\"}\n",
        ),
        row("--all includes options without a value", world::install, "config-get", &["--all", "--format=json"]).out(
            "{\"big\":2000000,\"debug\":false,\"name\":\"manila\",\"port\":8776,\"ratio\":1.5,\"text\":\"line1\\nline2\",\"unset\":null}\n",
        ),
        row("-a is --all", world::install, "config-get", &["-a", "--format=yaml"]).out(
            "big: 2e+06\ndebug: false\nname: manila\nport: 8776\nratio: 1.5\ntext: |-\n  line1\n  line2\nunset: null\n",
        ),
        row("int", world::install, "config-get", &["port"]).out("8776\n"),
        row("bool", world::install, "config-get", &["debug"]).out("False\n"),
        row("bool json", world::install, "config-get", &["debug", "--format=json"]).out("false\n"),
        row("string", world::install, "config-get", &["name"]).out("manila\n"),
        row("float", world::install, "config-get", &["ratio"]).out("1.5\n"),
        row("large number", world::install, "config-get", &["big"]).out("2e+06\n"),
        row("large number json", world::install, "config-get", &["big", "--format=json"]).out("2000000\n"),
        row("multi-line string", world::install, "config-get", &["text"]).out("line1\nline2\n"),
        row("option without a value", world::install, "config-get", &["unset"]),
        row("option without a value json", world::install, "config-get", &["unset", "--format=json"])
            .out("null\n"),
        row("unknown option", world::install, "config-get", &["nope"]),
        row("unknown option json", world::install, "config-get", &["nope", "--format=json"]).out("null\n"),
        row("key and --all", world::install, "config-get", &["port", "--all"])
            .error(r#"cannot use argument --all together with key "port""#, 2),
        row("one key only", world::install, "config-get", &["port", "name"])
            .error(r#"unrecognized args: ["name"]"#, 2),
    ]);
}

#[test]
fn leadership() {
    check(vec![
        row("leader", world::install, "is-leader", &[]).out("True\n"),
        row(
            "leader json",
            world::install,
            "is-leader",
            &["--format=json"],
        )
        .out("true\n"),
        row(
            "leader yaml",
            world::install,
            "is-leader",
            &["--format=yaml"],
        )
        .out("true\n"),
        row("minion", world::minion, "is-leader", &[]).out("False\n"),
        row("leader-get all", world::minion, "leader-get", &[]).out("cluster-key: abc\n"),
        row(
            "leader-get dash",
            world::minion,
            "leader-get",
            &["-", "--format=json"],
        )
        .out("{\"cluster-key\":\"abc\"}\n"),
        row(
            "leader-get key",
            world::minion,
            "leader-get",
            &["cluster-key"],
        )
        .out("abc\n"),
        row(
            "leader-get missing key",
            world::minion,
            "leader-get",
            &["nope", "--format=json"],
        )
        .out("null\n"),
        row(
            "leader-get key with =",
            world::minion,
            "leader-get",
            &["a=b"],
        )
        .error(r#"invalid key "a=b""#, 2),
        row(
            "leader-set writes at once",
            world::install,
            "leader-set",
            &["a=1", "cluster-key="],
        )
        .then(|ctx| assert_eq!(ctx.effects, [Effect::LeaderSettings(bag(&[("a", "1")]))])),
        row(
            "leader-get sees the write",
            world::install,
            "leader-get",
            &["--format=json"],
        )
        .after("leader-set", &["a=1"])
        .out("{\"a\":\"1\",\"cluster-key\":\"abc\"}\n"),
        row(
            "leader-set on a minion",
            world::minion,
            "leader-set",
            &["a=1"],
        )
        .error(
            "cannot write leadership settings: cannot write settings: not the leader",
            1,
        )
        .then(|ctx| assert!(ctx.effects.is_empty())),
        row("leader-set bad pair", world::install, "leader-set", &["a"])
            .error(r#"expected "key=value", got "a""#, 2),
    ]);
}

fn unit_status(status: &str, message: &str) -> Effect {
    Effect::UnitStatus {
        status: status.into(),
        message: message.into(),
    }
}

fn app_status(status: &str, message: &str) -> Effect {
    Effect::AppStatus {
        status: status.into(),
        message: message.into(),
    }
}

fn log(ctx: &HookContext) -> Vec<(&str, &str)> {
    ctx.effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Log { level, message } => Some((level.as_str(), message.as_str())),
            _ => None,
        })
        .collect()
}

#[test]
fn status() {
    check(vec![
        row("status-set", world::install, "status-set", &["active", "Unit is ready"])
            .then(|ctx| assert_eq!(ctx.effects, [unit_status("active", "Unit is ready")])),
        row("status-set as ops calls it", world::minion, "status-set", &["--application=False", "blocked", "--", "-- needs config"])
            .then(|ctx| assert_eq!(ctx.effects, [unit_status("blocked", "-- needs config")])),
        row("status-set without message", world::install, "status-set", &["maintenance"])
            .then(|ctx| assert_eq!(ctx.effects, [unit_status("maintenance", "")])),
        row("status-set application", world::install, "status-set", &["--application", "waiting", "peers"])
            .then(|ctx| assert_eq!(ctx.effects, [app_status("waiting", "peers")])),
        row("status-set application on a minion", world::minion, "status-set", &["--application", "active"])
            .error("this unit is not the leader", 1)
            .then(|ctx| assert!(ctx.effects.is_empty())),
        row("status-set other statuses", world::install, "status-set", &["error", "x"])
            .error(r#"invalid status "error", expected one of [maintenance blocked waiting active]"#, 2),
        row("status-set nothing", world::install, "status-set", &[])
            .error("invalid args, require <status> [message]", 2),
        row("status-set too much", world::install, "status-set", &["active", "a", "b"])
            .error(r#"unrecognized args: ["b"]"#, 2),
        row("status-get bare", world::install, "status-get", &[]).out("active\n"),
        row("status-get json", world::install, "status-get", &["--format=json"])
            .out("{\"status\":\"active\"}\n"),
        row("status-get with data", world::install, "status-get", &["--include-data"])
            .out("message: Unit is ready\nstatus: active\nstatus-data:\n  progress: 10\n"),
        row("status-get with data json", world::install, "status-get", &["--include-data", "--format=json"])
            .out("{\"message\":\"Unit is ready\",\"status\":\"active\",\"status-data\":{\"progress\":10}}\n"),
        row("status-get sees an earlier status-set", world::install, "status-get", &["--include-data", "--format=json"])
            .after("status-set", &["blocked", "no db"])
            .out("{\"message\":\"no db\",\"status\":\"blocked\",\"status-data\":{}}\n"),
        row("status-get caches its first read", world::install, "status-get", &[])
            .after("status-get", &[])
            .after("status-set", &["blocked", "no db"])
            .out("active\n"),
        row("application status bare", world::install, "status-get", &["--application"])
            .out("waiting\n"),
        row("application status json", world::install, "status-get", &["--application", "--format=json"]).out(
            "{\"application-status\":{\"status\":\"waiting\",\"units\":{\"manila/0\":{\"status\":\"active\"},\"manila/1\":{\"status\":\"maintenance\"}}}}\n",
        ),
        row("application status with data", world::install, "status-get", &["--application", "--include-data"]).out(
            "application-status:\n  message: Waiting for peers\n  status: waiting\n  status-data: {}\n  units:\n    \
             manila/0:\n      message: Unit is ready\n      status: active\n      status-data:\n        progress: 10\n    \
             manila/1:\n      message: installing\n      status: maintenance\n      status-data: {}\n",
        ),
        row("application status sees this hook's writes", world::install, "status-get", &["--application", "--format=json"])
            .after("status-set", &["--application", "active"])
            .after("status-set", &["blocked"])
            .out("{\"application-status\":{\"status\":\"active\",\"units\":{\"manila/0\":{\"status\":\"blocked\"},\"manila/1\":{\"status\":\"maintenance\"}}}}\n"),
        row("application status on a minion", world::minion, "status-get", &["--application"])
            .error("finding application status: this unit is not the leader", 1),
        row("status-get takes no arguments", world::install, "status-get", &["x"])
            .error(r#"unrecognized args: ["x"]"#, 2),
        row("application-version-set", world::install, "application-version-set", &["1.2.3"])
            .then(|ctx| assert_eq!(ctx.effects, [Effect::WorkloadVersion("1.2.3".into())])),
        row("application-version-set nothing", world::install, "application-version-set", &[])
            .error("no version specified", 2),
        row("application-version-set too much", world::install, "application-version-set", &["1", "2"])
            .error(r#"unrecognized args: ["2"]"#, 2),
    ]);
}

#[test]
fn juju_log() {
    check(vec![
        row(
            "message words joined",
            world::install,
            "juju-log",
            &["hello", "world"],
        )
        .then(|ctx| assert_eq!(log(ctx), [("INFO", "hello world")])),
        row(
            "relation hooks prefix the relation",
            world::db_changed,
            "juju-log",
            &["hi"],
        )
        .then(|ctx| assert_eq!(log(ctx), [("INFO", "shared-db:3: hi")])),
        row(
            "--debug",
            world::install,
            "juju-log",
            &["--debug", "-l", "ERROR", "x"],
        )
        .then(|ctx| assert_eq!(log(ctx), [("DEBUG", "x")])),
        row(
            "-l any case",
            world::install,
            "juju-log",
            &["-l", "warning", "x"],
        )
        .then(|ctx| assert_eq!(log(ctx), [("WARNING", "x")])),
        row(
            "--log-level WARN",
            world::install,
            "juju-log",
            &["--log-level=WARN", "x"],
        )
        .then(|ctx| assert_eq!(log(ctx), [("WARNING", "x")])),
        row(
            "invalid level warns and logs at INFO",
            world::install,
            "juju-log",
            &["-l", "LOUD", "x"],
        )
        .then(|ctx| {
            assert_eq!(
                log(ctx),
                [
                    ("WARNING", "Specified log level of \"LOUD\" is not valid"),
                    ("INFO", "x")
                ]
            );
        }),
        row("no message", world::install, "juju-log", &["-l", "INFO"])
            .error("no message specified", 2),
        row(
            "deprecated format flag",
            world::install,
            "juju-log",
            &["--format", "json", "x"],
        )
        .stderr("--format flag deprecated for command \"juju-log\"")
        .then(|ctx| assert_eq!(log(ctx), [("INFO", "x")])),
    ]);
}

#[test]
fn actions() {
    check(vec![
        row("params", world::action, "action-get", &[])
            .out("force: true\nname: x\nsize: 2e+06\ntarget:\n  count: 3\n  path: /srv\n"),
        row("params json", world::action, "action-get", &["--format=json"])
            .out("{\"force\":true,\"name\":\"x\",\"size\":2000000,\"target\":{\"count\":3,\"path\":\"/srv\"}}\n"),
        row("dotted key", world::action, "action-get", &["target.path"]).out("/srv\n"),
        row("nested map", world::action, "action-get", &["target"]).out("count: 3\npath: /srv\n"),
        row("bool param", world::action, "action-get", &["force"]).out("True\n"),
        row("missing param", world::action, "action-get", &["target.nope.deeper"]),
        row("missing param json", world::action, "action-get", &["nope", "--format=json"]).out("null\n"),
        row("one key path only", world::action, "action-get", &["a", "b"])
            .error(r#"unrecognized args: ["b"]"#, 2),
        row("action-get outside an action", world::install, "action-get", &[])
            .error("not running an action", 1),
        row("results nest dotted keys", world::action, "action-set", &["a.b=1", "a.c=2", "d=x=y"])
            .then(|ctx| {
                assert_eq!(
                    serde_json::Value::Object(ctx.action.results.clone()),
                    json!({"a": {"b": "1", "c": "2"}, "d": "x=y"})
                );
            }),
        row("later writes replace values with maps", world::action, "action-set", &["a.b=2"])
            .after("action-set", &["a=1"])
            .then(|ctx| {
                assert_eq!(serde_json::Value::Object(ctx.action.results.clone()), json!({"a": {"b": "2"}}));
            }),
        row("result key grammar", world::action, "action-set", &["ok=1", "Bad=2"])
            .error(
                r#"key "Bad" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"#,
                2,
            )
            .then(|ctx| assert!(ctx.action.results.is_empty())),
        row("result key ends with a hyphen", world::action, "action-set", &["a.b-=1"])
            .error(
                r#"key "b-" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"#,
                2,
            ),
        row("reserved result key", world::action, "action-set", &["out.stdout=x"])
            .error(r#"cannot set reserved action key "stdout""#, 2),
        row("result without =", world::action, "action-set", &["a"])
            .error(r#"argument "a" must be of the form key...=value"#, 2),
        row("action-set outside an action", world::install, "action-set", &["a=1"])
            .error("not running an action", 1),
        row("action-set of nothing asks nothing", world::install, "action-set", &[]),
        row("bad arguments outside an action", world::install, "action-set", &["A=1"])
            .error(
                r#"key "A" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"#,
                2,
            ),
        row("action-fail default message", world::action, "action-fail", &[])
            .then(|ctx| {
                assert_eq!(
                    ctx.action.failure.as_deref(),
                    Some("action failed without reason given, check action for errors")
                );
            }),
        row("action-fail message", world::action, "action-fail", &["disk full"])
            .then(|ctx| assert_eq!(ctx.action.failure.as_deref(), Some("disk full"))),
        row("action-fail one message", world::action, "action-fail", &["a", "b"])
            .error(r#"unrecognized args: ["b"]"#, 2),
        row("action-fail outside an action", world::install, "action-fail", &["x"])
            .error("not running an action", 1),
        row("action-log", world::action, "action-log", &["step", "1"])
            .then(|ctx| assert_eq!(ctx.effects, [Effect::ActionLog("step 1".into())])),
        row("action-log nothing", world::action, "action-log", &[]).error("no message specified", 2),
        row("action-log outside an action", world::install, "action-log", &["x"])
            .error("not running an action", 1),
    ]);
}

#[test]
fn ports() {
    check(vec![
        row("open is buffered", world::install, "open-port", &["8776/tcp"])
            .then(|ctx| {
                assert_eq!(ctx.pending.ports, [PortChange::Open(tcp(8776))]);
                assert!(!ctx.opened_ports.contains(&tcp(8776)));
            }),
        row("protocol defaults to tcp, any case", world::install, "open-port", &["9000-9010/UDP"])
            .then(|ctx| {
                assert_eq!(
                    ctx.pending.ports,
                    [PortChange::Open(Port::Range { from: 9000, to: 9010, protocol: Protocol::Udp })]
                );
            }),
        row("open what is open", world::install, "open-port", &["80"])
            .then(|ctx| assert!(ctx.pending.ports.is_empty())),
        row("icmp", world::minion, "close-port", &["icmp"])
            .then(|ctx| assert_eq!(ctx.pending.ports, [PortChange::Close(Port::Icmp)])),
        row("close cancels the pending open (and is kept, as Juju keeps it)", world::install, "close-port", &["9999"])
            .after("open-port", &["9999"])
            .then(|ctx| assert_eq!(ctx.pending.ports, [PortChange::Close(tcp(9999))])),
        row("open cancels the pending close", world::install, "open-port", &["80"])
            .after("close-port", &["80"])
            .then(|ctx| assert!(ctx.pending.ports.is_empty())),
        row("close of a port that is not open is still recorded", world::install, "close-port", &["22"])
            .then(|ctx| assert_eq!(ctx.pending.ports, [PortChange::Close(tcp(22))])),
        row("close with nothing open at all is a no-op", world::no_ports, "close-port", &["80"])
            .then(|ctx| assert!(ctx.pending.ports.is_empty())),
        row("close on an endpoint", world::install, "close-port", &["443", "--endpoints=public"])
            .then(|ctx| assert_eq!(ctx.pending.endpoint_ports["public"], [PortChange::Close(tcp(443))])),
        row("nothing open", world::no_ports, "opened-ports", &["--format=json"]).out("[]\n"),
        row("endpoints", world::install, "open-port", &["80", "--endpoints", "admin, public"])
            .then(|ctx| {
                assert!(ctx.pending.ports.is_empty());
                assert_eq!(ctx.pending.endpoint_ports["admin"], [PortChange::Open(tcp(80))]);
                assert_eq!(ctx.pending.endpoint_ports["public"], [PortChange::Open(tcp(80))]);
            }),
        row("overlap with an open range", world::install, "open-port", &["8050/udp"])
            .error(
                r#"cannot open 8050/udp (unit "manila/0"): port range conflicts with 8000-8100/udp (unit "manila/0")"#,
                1,
            ),
        row("overlap with a requested range", world::install, "open-port", &["9005"])
            .after("open-port", &["9000-9010"])
            .error(
                r#"cannot open 9005/tcp (unit "manila/0"): port range conflicts with 9000-9010/tcp (unit "manila/0") requested earlier"#,
                1,
            ),
        row("no port", world::install, "open-port", &[]).error("no port or range specified", 2),
        row("not a port", world::install, "open-port", &["http"])
            .error(r#"invalid port "http": strconv.Atoi: parsing "http": invalid syntax"#, 2),
        row("bad protocol", world::install, "close-port", &["80/sctp"])
            .error(r#"invalid protocol "sctp", expected "tcp", "udp", or "icmp""#, 2),
        row("reversed range", world::install, "open-port", &["90-80"])
            .error("invalid port range 90-80/tcp", 2),
        row("out of range", world::install, "open-port", &["65536"])
            .error("port range bounds must be between 0 and 65535, got 65536-65536", 2),
        row("deprecated format flag", world::install, "open-port", &["--format=json", "1234"])
            .stderr("--format flag deprecated for command \"open-port\""),
        row("opened ports, sorted the Juju way", world::install, "opened-ports", &[])
            .out("icmp\n80/tcp\n443/tcp\n8000-8100/udp\n"),
        row("opened ports with endpoints", world::install, "opened-ports", &["--endpoints"])
            .out("icmp (*)\n80/tcp (*)\n443/tcp (public)\n8000-8100/udp (*)\n"),
        row("opened ports json", world::install, "opened-ports", &["--format=json"])
            .out("[\"icmp\",\"80/tcp\",\"443/tcp\",\"8000-8100/udp\"]\n"),
        row("opened ports shows committed ports only", world::install, "opened-ports", &[])
            .after("open-port", &["1234"])
            .after("close-port", &["80"])
            .out("icmp\n80/tcp\n443/tcp\n8000-8100/udp\n"),
    ]);
}

#[test]
fn unit_and_network() {
    check(vec![
        row("private address", world::install, "unit-get", &["private-address"]).out("10.0.0.10\n"),
        row("public address json", world::install, "unit-get", &["public-address", "--format=json"])
            .out("\"203.0.113.10\"\n"),
        row("unknown setting", world::install, "unit-get", &["zone"])
            .error(r#"unknown setting "zone""#, 2),
        row("no setting", world::install, "unit-get", &[]).error("no setting specified", 2),
        row("network json", world::install, "network-get", &["shared-db", "--format=json"]).out(
            "{\"bind-addresses\":[{\"mac-address\":\"00:16:3e:aa:bb:cc\",\"interface-name\":\"eth0\",\
             \"addresses\":[{\"hostname\":\"\",\"value\":\"10.0.0.10\",\"cidr\":\"10.0.0.0/24\"}]}],\
             \"egress-subnets\":[\"10.0.0.10/32\"],\"ingress-addresses\":[\"10.0.0.10\"]}\n",
        ),
        row("network yaml keeps the legacy keys", world::install, "network-get", &["shared-db"]).out(
            "bind-addresses:\n- mac-address: 00:16:3e:aa:bb:cc\n  interface-name: eth0\n  addresses:\n  \
             - hostname: \"\"\n    value: 10.0.0.10\n    cidr: 10.0.0.0/24\n    address: 10.0.0.10\n  \
             macaddress: 00:16:3e:aa:bb:cc\n  interfacename: eth0\negress-subnets:\n- 10.0.0.10/32\n\
             ingress-addresses:\n- 10.0.0.10\n",
        ),
        row("empty lists are left out", world::install, "network-get", &["lo", "--format=json"]).out(
            "{\"bind-addresses\":[{\"mac-address\":\"\",\"interface-name\":\"lo\",\
             \"addresses\":[{\"hostname\":\"host.internal\",\"value\":\"127.0.0.2\",\"cidr\":\"127.0.0.0/8\"}]}]}\n",
        ),
        row("one value", world::install, "network-get", &["shared-db", "--ingress-address"])
            .out("10.0.0.10\n"),
        row("ingress falls back to the first address", world::install, "network-get", &["lo", "--ingress-address"])
            .out("127.0.0.2\n"),
        row("egress subnets", world::install, "network-get", &["shared-db", "--egress-subnets", "--format=json"])
            .out("[\"10.0.0.10/32\"]\n"),
        row("no egress subnets", world::install, "network-get", &["lo", "--egress-subnets", "--format=json"])
            .out("null\n"),
        row("several values", world::install, "network-get", &["shared-db", "--bind-address", "--ingress-address", "--format=json"])
            .out("{\"bind-address\":\"10.0.0.10\",\"ingress-address\":\"10.0.0.10\"}\n"),
        row("several values yaml", world::db_changed, "network-get", &["shared-db", "--egress-subnets", "--bind-address"])
            .out("bind-address: 10.0.0.10\negress-subnets:\n- 10.0.0.10/32\n"),
        row("primary address", world::install, "network-get", &["lo", "--primary-address"])
            .out("127.0.0.2\n"),
        row("primary address alone", world::install, "network-get", &["lo", "--primary-address", "--bind-address"])
            .error("--primary-address must be the only flag specified", 1),
        row("unknown binding", world::install, "network-get", &["nope"])
            .error(r#"no network config found for binding "nope""#, 1),
        row("no binding", world::install, "network-get", &[]).error("no arguments specified", 2),
        row("empty binding", world::install, "network-get", &[""]).error("no binding name specified", 2),
        row("bad relation", world::install, "network-get", &["shared-db", "-r", "9"])
            .error(r#"invalid value "9" for option -r: relation not found"#, 2),
        // `jujuc/goal-state.go`: `since` is `common.FormatTime(since, true)`, omitted when empty.
        row("goal state", world::install, "goal-state", &[]).out(
            "units:\n  manila/0:\n    status: active\n    since: 2025-11-20 10:00:00Z\n\
             \x20 manila/1:\n    status: dying\n    since: 2025-11-20 10:02:30Z\n\
             relations:\n  shared-db:\n    mysql:\n      status: joined\n      since: 2025-11-20 10:05:00Z\n\
             \x20   mysql/0:\n      status: waiting\n      since: 2025-11-20 10:04:59Z\n",
        ),
        row("goal state json", world::install, "goal-state", &["--format=json"]).out(
            "{\"units\":{\"manila/0\":{\"status\":\"active\",\"since\":\"2025-11-20 10:00:00Z\"},\
             \"manila/1\":{\"status\":\"dying\",\"since\":\"2025-11-20 10:02:30Z\"}},\
             \"relations\":{\"shared-db\":{\"mysql\":{\"status\":\"joined\",\"since\":\"2025-11-20 10:05:00Z\"},\
             \"mysql/0\":{\"status\":\"waiting\",\"since\":\"2025-11-20 10:04:59Z\"}}}}\n",
        ),
        row("goal state without since", world::lone_unit, "goal-state", &["--format=json"])
            .out("{\"units\":{\"manila/0\":{\"status\":\"active\"}},\"relations\":{}}\n"),
        row("goal state has no smart format", world::install, "goal-state", &["--format=smart"])
            .error(r#"invalid value "smart" for option --format: unknown format "smart""#, 2),
    ]);
}

#[test]
fn unit_state() {
    check(vec![
        row("nothing stored", world::install, "state-get", &[]).out("{}\n"),
        row(
            "nothing stored json",
            world::install,
            "state-get",
            &["--format=json"],
        )
        .out("{}\n"),
        row(
            "set is buffered",
            world::install,
            "state-set",
            &["a=1", "b="],
        )
        .then(|ctx| {
            assert_eq!(ctx.pending.state, Some(bag(&[("a", "1"), ("b", "")])));
            assert!(ctx.unit_state.is_empty());
        }),
        row(
            "get sees pending sets",
            world::install,
            "state-get",
            &["--format=json"],
        )
        .after("state-set", &["a=1"])
        .out("{\"a\":\"1\"}\n"),
        row("get a key", world::install, "state-get", &["a"])
            .after("state-set", &["a=1"])
            .out("1\n"),
        row("missing key", world::install, "state-get", &["nope"]),
        row(
            "missing key json",
            world::install,
            "state-get",
            &["nope", "--format=json"],
        )
        .out("\"\"\n"),
        row(
            "missing key strict",
            world::install,
            "state-get",
            &["nope", "--strict"],
        )
        .error(r#""nope" not found"#, 1),
        row(
            "set from stdin",
            world::install,
            "state-set",
            &["--file", "-"],
        )
        .stdin("k: |\n  multi\n")
        .then(|ctx| assert_eq!(ctx.pending.state, Some(bag(&[("k", "multi\n")])))),
        row(
            "set merges with pending sets",
            world::install,
            "state-set",
            &["k=v"],
        )
        .after("state-set", &["ok=1"])
        .then(|ctx| assert_eq!(ctx.pending.state, Some(bag(&[("k", "v"), ("ok", "1")])))),
        row("delete", world::install, "state-delete", &["a"])
            .after("state-set", &["a=1", "b=2"])
            .then(|ctx| assert_eq!(ctx.pending.state, Some(bag(&[("b", "2")])))),
        row(
            "delete a missing key",
            world::install,
            "state-delete",
            &["nope"],
        )
        .then(|ctx| assert_eq!(ctx.pending.state, None)),
        row("delete nothing", world::install, "state-delete", &[]),
        row(
            "delete one key",
            world::install,
            "state-delete",
            &["a", "b"],
        )
        .error(r#"unrecognized args: ["b"]"#, 2),
    ]);
}

#[test]
fn state_quota() {
    let mut ctx = world::install();
    let cwd = std::path::Path::new(CHARM_DIR);
    let too_long = vec![format!("k={}", "v".repeat(64 * 1024 + 1))];
    let output = call(&mut ctx, "state-set", &too_long, cwd, None).expect("answered");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ERROR max allowed value length (65536) exceeded quota limit exceeded\n"
    );
    assert_eq!(output.exit_code, 1);
    assert_eq!(ctx.pending.state, None);
}

#[test]
fn output_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cwd = dir.path().to_owned();
    let missing = cwd.join("no-such-dir/out.txt");
    let settings = cwd.join("settings.yaml");
    std::fs::write(&settings, "from-file: yes\n").expect("write settings");
    let out_check = cwd.clone();
    check(vec![
        row(
            "-o writes the file, not stdout",
            world::install,
            "config-get",
            &["port", "-o", "out.txt"],
        )
        .cwd(&cwd)
        .then(move |_| {
            assert_eq!(
                std::fs::read_to_string(out_check.join("out.txt"))
                    .ok()
                    .as_deref(),
                Some("8776\n")
            );
        }),
        row(
            "--output with nothing to print still creates the file",
            world::install,
            "config-get",
            &["nope", "--output=empty.txt"],
        )
        .cwd(&cwd),
        row(
            "-o into a missing directory",
            world::install,
            "is-leader",
            &["-o", "no-such-dir/out.txt"],
        )
        .cwd(&cwd)
        .error(
            &format!("open {}: no such file or directory", missing.display()),
            1,
        ),
        row(
            "--file relative to the cwd",
            world::db_changed,
            "relation-set",
            &["--file", "settings.yaml"],
        )
        .cwd(&cwd)
        .then(|ctx| {
            assert_eq!(
                ctx.pending.relation_unit[&3]
                    .get("from-file")
                    .map(String::as_str),
                Some("yes")
            );
        }),
    ]);
    assert_eq!(
        std::fs::read_to_string(cwd.join("empty.txt"))
            .ok()
            .as_deref(),
        Some("")
    );
}

fn own(suffix: &str) -> String {
    format!("secret:{OWN_SECRET}{suffix}")
}

/// `jujuc/secret-get.go`, `secret-info-get.go`, `secret-ids.go`, `secret-set.go`,
/// `secret-grant.go`, `secret-revoke.go`, `secret-remove.go`; access rules of
/// `runner/context/context.go` (the owner reads the latest revision, a consumer the one it
/// tracks until `--refresh`; an application secret is managed by its leader).
#[test]
fn secrets() {
    let own_uri: &'static str = Box::leak(own("").into_boxed_str());
    let consumed: &'static str = Box::leak(format!("secret:{CONSUMED_SECRET}").into_boxed_str());
    let foreign: &'static str = Box::leak(format!("secret:{FOREIGN_SECRET}").into_boxed_str());
    check(vec![
        row("owner reads the latest revision", world::install, "secret-get", &[own_uri])
            .out("password: n3w\n"),
        row("by the owner's label", world::install, "secret-get", &["--label", "db-pass"])
            .out("password: n3w\n"),
        row("one key", world::install, "secret-get", &[own_uri, "password"]).out("n3w\n"),
        row("one key as stored", world::install, "secret-get", &[own_uri, "password#base64"])
            .out("bjN3\n"),
        row("json", world::install, "secret-get", &[own_uri, "--format=json"])
            .out("{\"password\":\"n3w\"}\n"),
        row("no smart format", world::install, "secret-get", &[own_uri, "--format=smart"])
            .error(r#"invalid value "smart" for option --format: unknown format "smart""#, 2),
        row("a bare id", world::install, "secret-get", &[OWN_SECRET]).out("password: n3w\n"),
        row("consumer reads its tracked revision", world::install, "secret-get", &[consumed])
            .out("user: manila\n")
            .then(|ctx| assert!(ctx.pending.secrets.is_empty())),
        row("by the consumer's label", world::install, "secret-get", &["--label", "root"])
            .out("user: manila\n"),
        row("peek reads the latest once", world::install, "secret-get", &[consumed, "--peek"])
            .out("user: manila2\n")
            .then(|ctx| assert!(ctx.pending.secrets.is_empty())),
        row("peek leaves the pin", world::install, "secret-get", &[consumed])
            .after("secret-get", &[consumed, "--peek"])
            .out("user: manila\n"),
        row("refresh moves the pin", world::install, "secret-get", &[consumed])
            .after("secret-get", &[consumed, "--refresh"])
            .out("user: manila2\n")
            .then(|ctx| {
                assert_eq!(
                    ctx.pending.secrets,
                    [SecretChange::Track { id: CONSUMED_SECRET.into(), revision: 2, label: None }]
                )
            }),
        row("not granted", world::install, "secret-get", &[foreign]).error("permission denied", 1),
        row("unknown", world::install, "secret-get", &["secret:v0000000000000000000"])
            .error(r#"secret "v0000000000000000000" not found"#, 1),
        row("unknown label", world::install, "secret-get", &["--label", "nope"])
            .error(r#"secret "nope" not found"#, 1),
        row("missing key", world::install, "secret-get", &[own_uri, "nope"])
            .error(r#"secret key value "nope" not found"#, 1),
        row("not a URI", world::install, "secret-get", &["nope"])
            .error(r#"secret URI "nope" not valid"#, 2),
        row("nothing named", world::install, "secret-get", &[])
            .error("require either a secret URI or label", 2),
        row("peek and refresh", world::install, "secret-get", &[own_uri, "--peek", "--refresh"])
            .error("specify one of --peek or --refresh but not both", 2),
        row("info", world::install, "secret-info-get", &[own_uri]).out(&format!(
            "{OWN_SECRET}:\n  revision: 2\n  label: db-pass\n  owner: application\n  \
             description: the database password\n  access:\n  - target: application-mysql\n    \
             scope: relation-manila.shared-db#mysql.shared-db\n    role: view\n"
        )),
        row("info by label, json", world::install, "secret-info-get", &["--label", "db-pass", "--format=json"])
            .out(&format!(
                "{{\"{OWN_SECRET}\":{{\"revision\":2,\"label\":\"db-pass\",\"owner\":\"application\",\
                 \"description\":\"the database password\",\"access\":[{{\"target\":\"application-mysql\",\
                 \"scope\":\"relation-manila.shared-db#mysql.shared-db\",\"role\":\"view\"}}]}}}}\n"
            )),
        row("info is the owner's", world::install, "secret-info-get", &[consumed])
            .error(&format!("secret {CONSUMED_SECRET:?} not found"), 1),
        row("info by URI or label, not both", world::install, "secret-info-get", &[own_uri, "--label", "x"])
            .error("specify either a secret URI or label but not both", 2),
        row("ids of owned secrets", world::install, "secret-ids", &[]).out(&format!("{OWN_SECRET}\n")),
        row("ids json", world::install, "secret-ids", &["--format=json"])
            .out(&format!("[\"{OWN_SECRET}\"]\n")),
        row("add needs content", world::install, "secret-add", &[])
            .error("missing secret value or filename", 2),
        row("add: an application secret needs the leader", world::minion, "secret-add", &["token=abc"])
            .error("this unit is not the leader", 1),
        row("add: keys as Juju's", world::install, "secret-add", &["ab=1"])
            .error(r#"key "ab" not valid"#, 2),
        row("add: rotate policy", world::install, "secret-add", &["--rotate", "sometimes", "token=abc"])
            .error(r#"rotate policy "sometimes" not valid"#, 2),
        row("add: owner kind", world::install, "secret-add", &["--owner", "model", "token=abc"])
            .error(r#"secret owner "model" not valid"#, 2),
        row("add: expiry", world::install, "secret-add", &["--expire", "tomorrow", "token=abc"])
            .error(r#"expire time or duration "tomorrow" not valid"#, 2),
        row("set a new revision", world::install, "secret-set", &[own_uri, "password=x"])
            .then(|ctx| {
                assert!(matches!(&ctx.pending.secrets[..],
                    [SecretChange::Update { content: Some(content), .. }] if content["password"] == "eA=="));
                assert_eq!(ctx.secrets[OWN_SECRET].latest(), 3);
            }),
        row("owner reads what it set", world::install, "secret-get", &[own_uri, "password"])
            .after("secret-set", &[own_uri, "password=x"])
            .out("x\n"),
        row("set: the application's secret is the leader's", world::minion, "secret-set", &[own_uri, "password=x"])
            .error("this unit is not the leader", 1),
        row("set: a consumer may not", world::install, "secret-set", &[consumed, "user=x"])
            .error("permission denied", 1),
        row("set needs a URI", world::install, "secret-set", &[]).error("missing secret URI", 2),
        row("grant over a relation", world::install, "secret-grant", &[own_uri, "-r", "3", "--unit", "mysql/1"])
            .then(|ctx| assert!(matches!(&ctx.pending.secrets[..],
                [SecretChange::Grant { grant, .. }] if grant.unit.as_deref() == Some("mysql/1")))),
        row("grant needs a relation", world::install, "secret-grant", &[own_uri])
            .error("no relation id specified", 2),
        row("grant to a unit of the relation's application", world::install, "secret-grant", &[own_uri, "-r", "3", "--unit", "other/0"])
            .error(r#"cannot specify unit "other/0" in relation to application "mysql""#, 2),
        row("grant needs a URI", world::install, "secret-grant", &[]).error("missing secret URI", 2),
        row("revoke", world::install, "secret-revoke", &[own_uri, "-r", "3"])
            .then(|ctx| assert!(ctx.secrets[OWN_SECRET].grants.is_empty())),
        row("remove", world::install, "secret-remove", &[own_uri])
            .then(|ctx| {
                assert_eq!(ctx.pending.secrets, [SecretChange::Remove { id: OWN_SECRET.into(), revision: None }]);
                assert!(!ctx.secrets.contains_key(OWN_SECRET));
            }),
        row("remove one revision", world::install, "secret-remove", &[own_uri, "--revision", "1"])
            .then(|ctx| assert_eq!(ctx.secrets[OWN_SECRET].revisions.len(), 1)),
    ]);
}

/// `secret-add` prints the new secret's URI (`secret:` and a 20-character xid) and buffers
/// its creation; the hook reads it back at once.
#[test]
fn secret_add_creates_and_reads_back() {
    let cwd = std::path::Path::new(CHARM_DIR);
    let args = |list: &[&str]| -> Vec<String> { list.iter().map(|a| a.to_string()).collect() };
    let mut ctx = world::minion();
    let out = call(
        &mut ctx,
        "secret-add",
        &args(&["--owner", "unit", "--label", "mine", "token=abc"]),
        cwd,
        None,
    )
    .unwrap();
    assert_eq!(out.exit_code, 0, "{}", String::from_utf8_lossy(&out.stderr));
    let uri = String::from_utf8(out.stdout).unwrap();
    let id = uri.trim_end().strip_prefix("secret:").unwrap().to_owned();
    assert_eq!(id.len(), 20, "{uri}");
    assert!(matches!(&ctx.pending.secrets[..],
        [SecretChange::Create { owner: SecretOwner::Unit(unit), label, .. }] if unit == "manila/0" && label == "mine"));
    let got = call(
        &mut ctx,
        "secret-get",
        &args(&["--label", "mine"]),
        cwd,
        None,
    )
    .unwrap();
    assert_eq!(String::from_utf8(got.stdout).unwrap(), "token: abc\n");
    // The first argument is always the URI, as in Juju: a key needs it.
    let keyed = call(
        &mut ctx,
        "secret-get",
        &args(&["--label", "mine", "token"]),
        cwd,
        None,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(keyed.stderr).unwrap(),
        "ERROR secret URI \"token\" not valid\n"
    );
    let ids = call(&mut ctx, "secret-ids", &[], cwd, None).unwrap();
    assert!(String::from_utf8(ids.stdout).unwrap().contains(&id));
    // A second secret of the same owner may not take the label.
    let again = call(
        &mut ctx,
        "secret-add",
        &args(&["--owner", "unit", "--label", "mine", "token=x"]),
        cwd,
        None,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(again.stderr).unwrap(),
        "ERROR secret with label \"mine\" already exists\n"
    );
}

/// `jujuc/storage-list.go`, `storage-get.go` (with `storage-id.go`'s `-s` checks),
/// `storage-add.go`.
#[test]
fn storage() {
    check(vec![
        row("list", world::install, "storage-list", &[]).out("data/0\n"),
        row("list by name", world::install, "storage-list", &["logs"]),
        row(
            "list json",
            world::install,
            "storage-list",
            &["data", "--format=json"],
        )
        .out("[\"data/0\"]\n"),
        row("get", world::install, "storage-get", &["-s", "data/0"])
            .out("kind: filesystem\nlocation: /srv/data\n"),
        row(
            "get one key",
            world::install,
            "storage-get",
            &["-s", "data/0", "location"],
        )
        .out("/srv/data\n"),
        row(
            "get defaults to the hook's storage",
            world::storage_attached,
            "storage-get",
            &["kind"],
        )
        .out("filesystem\n"),
        row(
            "get needs a storage outside storage hooks",
            world::install,
            "storage-get",
            &[],
        )
        .error("no storage instance specified", 2),
        row(
            "get: not a storage id",
            world::install,
            "storage-get",
            &["-s", "bad"],
        )
        .error(
            r#"invalid value "bad" for option -s: invalid storage ID "bad""#,
            2,
        ),
        row(
            "get: one key at most",
            world::storage_attached,
            "storage-get",
            &["kind", "x"],
        )
        .error(r#"unrecognized args: ["x"]"#, 2),
        row(
            "get: unknown attribute",
            world::storage_attached,
            "storage-get",
            &["size"],
        )
        .error(r#"invalid storage attribute "size""#, 1),
        row("add", world::install, "storage-add", &["data=2", "logs"]).then(|ctx| {
            assert_eq!(ctx.pending.storage_add.get("data"), Some(&2));
            assert_eq!(ctx.pending.storage_add.get("logs"), Some(&1));
        }),
        row("add needs a directive", world::install, "storage-add", &[])
            .error("storage add requires a storage directive", 2),
    ]);
}

/// `jujuc/credential-get.go`, `resource-get.go`, `relation-model-get.go`, `reboot.go`,
/// `add-metric.go`.
#[test]
fn credential_resource_model_reboot_metric() {
    check(vec![
        row("credential needs trust", world::install, "credential-get", &[])
            .error("cannot access cloud credentials: permission denied", 1),
        row("credential of a trusted application", world::trusted, "credential-get", &["--format=json"])
            .out("{\"credential\":{\"auth-type\":\"empty\"},\"name\":\"emulated\",\"type\":\"manual\"}\n"),
        row("resource path, no newline", world::install, "resource-get", &["config-file"])
            .out("/var/lib/juju/agents/unit-manila-0/resources/config-file/config.tar"),
        row("resource name required", world::install, "resource-get", &[])
            .error("missing required resource name", 2),
        row("relation model", world::db_changed, "relation-model-get", &[])
            .out("uuid: 6a7c1a3e-56de-4b5e-8f0a-5c3fd0e4a1b2\n"),
        row("relation model needs a relation", world::install, "relation-model-get", &[])
            .error("no relation id specified", 2),
        row("reboot after the hook", world::install, "juju-reboot", &[])
            .then(|ctx| assert!(ctx.pending.reboot && ctx.effects.is_empty())),
        row("reboot now", world::install, "juju-reboot", &["--now"])
            .then(|ctx| assert_eq!(ctx.effects, [Effect::RebootNow])),
        row("no reboot in an action", world::action, "juju-reboot", &[])
            .error("juju-reboot is not supported when running an action.", 1),
        row("metrics only in collect-metrics", world::install, "add-metric", &["k=1"])
            .error("metrics not allowed in this context", 1),
        row("metrics need values", world::install, "add-metric", &[])
            .error("no metrics specified", 2),
    ]);
}
