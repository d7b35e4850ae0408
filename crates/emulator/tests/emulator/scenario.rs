//! The in-process scenario API (`emulator::scenario`) on a tiny charm written here as a
//! closure: hook tools through `juju::HookTools`, the machine through `host::Host`.

use std::collections::BTreeMap;

use emulator::scenario::{
    bag, juju_address_bag, Event, InitSystem, MachineFile, OsRelease, Port, Protocol, Relation,
    Scenario, ScenarioError, State,
};
use emulator::{ActionStatus, ServiceAction};
use host::{FileSpec, Host};
use juju::{BagOwner, HookEnv, HookTools, LogLevel, Status, ToolRunner};
use serde_json::json;

const METADATA: &str = "\
name: tiny
summary: a charm for scenario tests
description: tiny
requires:
  db:
    interface: mysql
    limit: 1
provides:
  website:
    interface: http
peers:
  cluster:
    interface: tiny-peers
";

const CONFIG: &str = "\
options:
  port:
    type: int
    default: 8080
    description: the port
  greeting:
    type: string
    default: hello
    description: what to say
  fail:
    type: boolean
    default: false
    description: fail config-changed after writing
";

const ACTIONS: &str = "\
greet:
  params:
    name:
      type: string
  required: [name]
  additionalProperties: false
refuse:
  description: always fails
migrate:
  description: runs the database migrations
";

fn scenario() -> Scenario {
    Scenario::from_yaml(METADATA, Some(CONFIG), Some(ACTIONS))
        .unwrap()
        .catalog(crate::support::workload_catalog())
}

/// The charm: what a `dispatch` would do, in process.
fn tiny(env: HookEnv, runner: &dyn ToolRunner, host: Host) -> i32 {
    match handle(&env, &HookTools::new(runner), &host) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("tiny: {err:#}");
            1
        }
    }
}

type Tools<'a> = HookTools<&'a dyn ToolRunner>;

fn handle(env: &HookEnv, tools: &Tools<'_>, host: &Host) -> anyhow::Result<i32> {
    let hook = env.dispatch_path.as_str();
    match hook {
        "hooks/install" => {
            tools.status_set(Status::Maintenance, "installing")?;
            host.install(&["apache2", "manila-common"])?;
            tools.open_port(Port::tcp(80))?;
            tools.application_version_set("1.0")?;
            tools.juju_log(LogLevel::Info, "installed")?;
        }
        "hooks/config-changed" => {
            let port = tools.config_get("port")?.unwrap_or_default();
            tools.status_set(Status::Maintenance, "configuring")?;
            host.write_file(
                "/etc/tiny/tiny.conf",
                format!("port = {port}\n"),
                &FileSpec::new("root", "root", 0o640),
            )?;
            tools.state_set(&BTreeMap::from([("port".to_owned(), port.to_string())]))?;
            tools.open_port(Port::tcp(8443))?;
            if tools.config_get("fail")? == Some(json!(true)) {
                tools.juju_log(LogLevel::Error, "told to fail")?;
                return Ok(1);
            }
            tools.status_set(Status::Active, &format!("listening on {port}"))?;
        }
        "hooks/start" => {
            host.run("a2enmod", ["ssl"])?;
            host.service("apache2")?.restart()?;
            tools.status_set(Status::Active, "")?;
        }
        "hooks/db-relation-changed" => {
            let id = env.relation_id.clone().expect("a relation hook");
            let remote = env.remote_unit.clone().expect("a unit's change");
            let db_host = tools
                .relation_get_key(&id, "host", BagOwner::Unit(&remote))?
                .unwrap_or_default();
            let mine = BTreeMap::from([
                ("database".to_owned(), "tiny".to_owned()),
                ("seen-host".to_owned(), db_host.clone()),
            ]);
            tools.relation_set(&id, false, &mine)?;
            if tools.is_leader()? {
                let app = BTreeMap::from([("schema".to_owned(), "v1".to_owned())]);
                tools.relation_set(&id, true, &app)?;
                tools.leader_set(&BTreeMap::from([("db-host".to_owned(), db_host.clone())]))?;
                tools.application_status_set(Status::Active, "leading")?;
            }
            tools.status_set(Status::Active, &format!("db at {db_host}"))?;
        }
        "hooks/db-relation-departed" | "hooks/db-relation-broken" => {
            let id = env.relation_id.clone().expect("a relation hook");
            let members = tools.relation_list(&id)?;
            tools.status_set(Status::Blocked, &format!("db units: {}", members.len()))?;
        }
        "hooks/cluster-relation-changed" => {
            let id = env.relation_id.clone().expect("a relation hook");
            let peers = tools.relation_list(&id)?;
            let names: Vec<String> = peers.iter().map(ToString::to_string).collect();
            tools.status_set(Status::Active, &format!("peers: {}", names.join(",")))?;
        }
        "actions/greet" => {
            let params = tools.action_get()?;
            let greeting = tools.config_get("greeting")?.unwrap_or_default();
            tools.action_log("greeting")?;
            let text = format!(
                "{} {}",
                greeting.as_str().unwrap_or_default(),
                params["name"].as_str().unwrap_or_default()
            );
            tools.action_set(&BTreeMap::from([("greeting".to_owned(), text)]))?;
        }
        "actions/refuse" => tools.action_fail("not today")?,
        "actions/migrate" => {
            let out = host.run("manila-manage", ["db", "version"])?;
            tools.action_set(&BTreeMap::from([(
                "before".to_owned(),
                out.stdout.trim().to_owned(),
            )]))?;
            host.run("manila-manage", ["db", "sync"])?;
        }
        _ => {}
    }
    Ok(0)
}

fn db_relation() -> Relation {
    Relation::new(1, "db", "mysql").remote_unit("mysql/0", bag([("host", "10.0.0.9")]))
}

#[test]
fn relation_data_and_leader_settings_go_in_and_come_out() {
    let state = State {
        leader: true,
        relations: vec![db_relation()],
        ..State::default()
    };
    let out = scenario()
        .run(Event::relation_changed(1, "mysql/0"), &state, tiny)
        .unwrap();
    assert_eq!(out.exit_code, 0);
    let db = out.state.relation(1).unwrap();
    let mut expected = juju_address_bag("127.1.0.1");
    expected.extend(bag([("database", "tiny"), ("seen-host", "10.0.0.9")]));
    assert_eq!(db.local_unit_data, expected);
    assert_eq!(db.local_app_data, bag([("schema", "v1")]));
    assert_eq!(db.remote_units, state.relation(1).unwrap().remote_units);
    assert_eq!(out.state.leader_settings, bag([("db-host", "10.0.0.9")]));
    assert_eq!(out.state.unit_status.status, "active");
    assert_eq!(out.state.unit_status.message, "db at 10.0.0.9");
    assert_eq!(out.state.app_status.message, "leading");
    assert_eq!(
        out.transcript(),
        [
            "relation-get --format=json -r db:1 host mysql/0 -> 0",
            "relation-set -r db:1 --file - -> 0",
            "is-leader --format=json -> 0",
            "relation-set -r db:1 --app --file - -> 0",
            "leader-set db-host=10.0.0.9 -> 0",
            "status-set --application active -- leading -> 0",
            "status-set active -- db at 10.0.0.9 -> 0",
        ]
    );
    assert_eq!(
        state.relation(1).unwrap().local_app_data,
        bag::<&str, &str>([]),
        "the input is frozen"
    );
}

#[test]
fn a_minion_cannot_write_leader_data() {
    // A charm that ignores leadership: Juju refuses the writes, the hook fails.
    let careless = |env: HookEnv, runner: &dyn ToolRunner, _host: Host| -> i32 {
        let tools = HookTools::new(runner);
        let id = env.relation_id.clone().unwrap();
        let app = BTreeMap::from([("schema".to_owned(), "v1".to_owned())]);
        let app_write = tools.relation_set(&id, true, &app);
        let leader_write = tools.leader_set(&BTreeMap::from([("k".to_owned(), "v".to_owned())]));
        assert!(app_write.is_err() && leader_write.is_err());
        1
    };
    let state = State {
        relations: vec![db_relation()],
        leader_settings: bag([("db-host", "old")]),
        ..State::default()
    };
    let out = scenario()
        .run(Event::relation_changed(1, "mysql/0"), &state, careless)
        .unwrap();
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        out.transcript(),
        [
            "relation-set -r db:1 --app --file - -> 1",
            "leader-set k=v -> 1",
        ]
    );
    assert_eq!(out.state.leader_settings, state.leader_settings);
    assert_eq!(out.state.relations, state.relations);
}

#[test]
fn config_defaults_and_settings_reach_the_charm_and_the_machine() {
    let state = State {
        config: BTreeMap::from([("port".to_owned(), json!(9090))]),
        ..State::default()
    };
    let out = scenario().run(Event::ConfigChanged, &state, tiny).unwrap();
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.state.unit_state, bag([("port", "9090")]));
    assert_eq!(
        out.state.files["/etc/tiny/tiny.conf"],
        MachineFile::File {
            contents: b"port = 9090\n".to_vec(),
            mode: 0o640
        }
    );
    let port = |p| Port::Range {
        from: p,
        to: p,
        protocol: Protocol::Tcp,
    };
    assert!(out.state.opened_ports.contains(&port(8443)));
    assert_eq!(out.state.unit_status.message, "listening on 9090");
    let statuses: Vec<&str> = out
        .status_history
        .iter()
        .map(|s| s.status.as_str())
        .collect();
    assert_eq!(statuses, ["maintenance", "active"]);
    assert!(
        !out.state.files.contains_key("/etc/os-release"),
        "provisioned files stay out of the state"
    );
}

#[test]
fn a_failing_hook_keeps_its_immediate_effects_and_discards_its_pending_writes() {
    let state = State {
        config: BTreeMap::from([("fail".to_owned(), json!(true))]),
        unit_state: bag([("port", "1")]),
        ..State::default()
    };
    let out = scenario().run(Event::ConfigChanged, &state, tiny).unwrap();
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        out.state.unit_state, state.unit_state,
        "state-set discarded"
    );
    assert!(out.state.opened_ports.is_empty(), "open-port discarded");
    assert_eq!(
        out.pending.state.as_ref().map(|s| s["port"].as_str()),
        Some("8080"),
        "it was buffered"
    );
    assert_eq!(out.state.unit_status.message, "configuring", "status stays");
    assert_eq!(out.logs[0].message, "told to fail");
    assert_eq!(out.logs[0].level, "ERROR");
    assert!(
        out.state.file_text("/etc/tiny/tiny.conf").is_some(),
        "the machine is never rolled back"
    );
}

#[test]
fn actions_report_results_logs_and_failures() {
    let greet = Event::action("greet").param("name", "world");
    let state = State {
        config: BTreeMap::from([("greeting".to_owned(), json!("hi"))]),
        ..State::default()
    };
    let out = scenario().run(greet, &state, tiny).unwrap();
    let action = out.action.unwrap();
    assert_eq!(action.status, ActionStatus::Completed);
    assert_eq!(
        serde_json::Value::Object(action.results),
        json!({"greeting": "hi world", "return-code": 0})
    );
    assert_eq!(action.logs, ["greeting"]);

    let out = scenario()
        .run(Event::action("refuse"), &State::default(), tiny)
        .unwrap();
    let action = out.action.unwrap();
    assert_eq!(
        (action.status, action.message.as_deref()),
        (ActionStatus::Failed, Some("not today"))
    );
    assert_eq!(out.exit_code, 0, "action-fail does not exit");
}

#[test]
fn machine_effects_carry_from_state_to_state() {
    let scenario = scenario();
    let installed = scenario
        .run(Event::Install, &State::default(), tiny)
        .unwrap();
    assert_eq!(installed.exit_code, 0, "{:?}", installed.transcript());
    let machine = &installed.state.machine;
    assert_eq!(machine.packages["apache2"], "2.4.67-1~deb12u2");
    assert!(machine.services["apache2"].running);
    assert_eq!(installed.state.workload_version, "1.0");
    assert_eq!(installed.logs[0].message, "installed");

    let started = scenario.run(Event::Start, &installed.state, tiny).unwrap();
    assert_eq!(started.exit_code, 0, "{:?}", started.transcript());
    let apache = &started.state.machine.services["apache2"];
    assert_eq!(apache.count(ServiceAction::Restart), 1);
    assert_eq!(apache.history.last().unwrap().by, "systemctl");
    assert_eq!(
        started.state.files["/etc/apache2/mods-enabled/ssl.load"],
        MachineFile::Symlink {
            target: "../mods-available/ssl.load".to_owned()
        }
    );
    assert!(started
        .transcript()
        .contains(&"systemctl restart apache2 -> 0".to_owned()));

    // The migration action: None before the first sync, the head after it.
    let configured = started.state.with_file(
        "/etc/manila/manila.conf",
        "[database]\nconnection = mysql+pymysql://manila:pw@10.0.0.9/manila\n",
    );
    let migrated = scenario
        .run(Event::action("migrate"), &configured, tiny)
        .unwrap();
    let action = migrated.action.clone().unwrap();
    assert_eq!(action.results["before"], "None");
    assert!(migrated
        .transcript()
        .contains(&"manila-manage db sync -> 0".to_owned()));
}

#[test]
fn the_machine_follows_the_scenarios_init_system_and_release() {
    let probe = |_env: HookEnv, _runner: &dyn ToolRunner, host: Host| -> i32 {
        let release = host.read_file("/etc/os-release").unwrap().unwrap();
        let release = String::from_utf8(release).unwrap();
        assert!(release.contains("VERSION_CODENAME=bookworm"), "{release}");
        assert_eq!(host.init_system(), host::InitSystem::SysV);
        host.install(&["memcached"]).unwrap();
        host.service("memcached").unwrap().restart().unwrap();
        0
    };
    let out = scenario()
        .init_system(InitSystem::Sysv)
        .os_release(OsRelease::DebianBookworm)
        .run(Event::Install, &State::default(), probe)
        .unwrap();
    let memcached = &out.state.machine.services["memcached"];
    assert_eq!(memcached.history.last().unwrap().by, "service");
    assert!(out.state.files.contains_key("/etc/rc2.d/S01memcached"));
}

#[test]
fn peers_and_departures_are_seen_as_juju_shows_them() {
    let state = State {
        relations: vec![
            Relation::peer(2, "cluster")
                .remote_unit("tiny/1", bag([("k", "v")]))
                .remote_unit("tiny/2", bag::<&str, &str>([])),
            db_relation().remote_unit("mysql/1", bag::<&str, &str>([])),
        ],
        ..State::default()
    };
    let out = scenario()
        .run(Event::relation_changed(2, "tiny/1"), &state, tiny)
        .unwrap();
    assert_eq!(out.state.unit_status.message, "peers: tiny/1,tiny/2");

    let departed = scenario()
        .run(Event::relation_departed(1, "mysql/1"), &state, tiny)
        .unwrap();
    assert_eq!(
        departed.state.unit_status.message, "db units: 1",
        "gone from relation-list"
    );
    let db = departed.state.relation(1).unwrap();
    assert_eq!(db.remote_units.keys().collect::<Vec<_>>(), ["mysql/0"]);

    let broken = scenario()
        .run(Event::RelationBroken { relation: 1 }, &departed.state, tiny)
        .unwrap();
    assert!(
        broken.state.relation(1).is_none(),
        "the relation is gone after broken"
    );
    assert!(broken.state.relation(2).is_some());
}

fn problems(result: Result<emulator::scenario::Output, ScenarioError>) -> Vec<String> {
    match result {
        Err(ScenarioError::Inconsistent(problems)) => problems,
        other => panic!("expected an inconsistent scenario, got {other:?}"),
    }
}

#[test]
fn impossible_states_and_events_are_refused_before_running() {
    let never = |_: HookEnv, _: &dyn ToolRunner, _: Host| -> i32 { panic!("must not run") };
    let scenario = scenario();
    let state = State {
        leader: false,
        config: BTreeMap::from([
            ("port".to_owned(), json!("eighty")),
            ("colour".to_owned(), json!("red")),
        ]),
        relations: vec![
            Relation::new(1, "db", "mysql").remote_unit("pgsql/0", bag::<&str, &str>([])),
            Relation::new(1, "db", "mysql"),
            Relation::new(3, "nosuch", "x"),
            Relation::new(4, "cluster", "tiny"),
        ],
        ..State::default()
    };
    let found = problems(scenario.run(Event::relation_joined(9, "mysql/0"), &state, never));
    let expected = [
        "relation 1: remote unit pgsql/0 is not a unit of mysql",
        "relation 1: the id is used by another relation",
        "relation 1: endpoint \"db\" allows 1 relation(s) (limit in metadata.yaml)",
        "relation 3: endpoint \"nosuch\" is not in metadata.yaml (endpoints: juju-info, website, db, cluster)",
        "relation 4: \"cluster\" is a peers endpoint: use Relation::peer",
        "relation-joined: relation 9 is not in the state's relations",
        "config: unknown option \"colour\"",
        "config: option \"port\" expected int, got \"eighty\"",
    ];
    assert_eq!(found, expected);

    let state = State {
        relations: vec![db_relation()],
        ..State::default()
    };
    let found = problems(scenario.run(Event::relation_changed(1, "mysql/7"), &state, never));
    assert_eq!(
        found,
        ["relation-changed: remote unit mysql/7 is not among relation 1's remote units (mysql/0)"]
    );
    let found = problems(scenario.run(Event::LeaderElected, &state, never));
    assert!(
        found[0].starts_with("leader-elected runs only on the leader"),
        "{found:?}"
    );
    let found = problems(scenario.run(Event::action("greet"), &state, never));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("action \"greet\": params: validation failed:")
            && found[0].contains("name"),
        "{found:?}"
    );
    let found = problems(scenario.run(
        Event::action("greet").param("name", "x").param("extra", 1),
        &state,
        never,
    ));
    assert!(found[0].contains("extra"), "{found:?}");
    let found = problems(scenario.run(Event::action("dance"), &state, never));
    assert_eq!(
        found,
        ["action \"dance\" is not in actions.yaml (actions: greet, migrate, refuse)"]
    );
    let message = ScenarioError::Inconsistent(found).to_string();
    assert!(
        message.starts_with("inconsistent scenario:\n  - action \"dance\""),
        "{message}"
    );
}
