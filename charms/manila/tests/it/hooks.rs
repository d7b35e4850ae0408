//! Whole hooks in process: the charm's `handle` through the runtime, against the emulator's
//! `scenario` (Juju's hook tools, and an emulated Ubuntu 24.04 machine whose archive has
//! noble's Manila), one event at a time, each starting from the state the last one left.

use charm::dispatch;
use emulator::scenario::{Catalog, Event, MachineState, Output, Relation, Scenario, State};
use emulator::ServiceAction;
use manila_charm::Manila;
use manila_testbed::{noble_catalog, MANILA_CONF, READY, SCHEMA_SYNCS_FILE};
use serde_json::{json, Value};

use crate::fixtures::*;

const DB: u32 = 1;
const AMQP: u32 = 2;
const CLUSTER: u32 = 3;
const IDENTITY: u32 = 4;
const PLUGIN: u32 = 5;
const CREDENTIALS: u32 = 6;

fn scenario(unit: &str) -> Scenario {
    Scenario::load(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .unit(unit)
        .unwrap()
        .catalog(noble_catalog(Catalog::default()))
}

/// Runs `event` on `unit` from `state`; the hook must exit 0.
#[track_caller]
fn run(unit: &str, event: Event, state: &State) -> Output {
    let out = scenario(unit)
        .run(event, state, |env, tools, host| {
            dispatch::<Manila, _>(env, tools, host).exit_code().into()
        })
        .unwrap();
    assert_eq!(out.exit_code, 0, "{:#?}", out.logs);
    out
}

fn status(out: &Output) -> (&str, &str) {
    let status = &out.state.unit_status;
    (status.status.as_str(), status.message.as_str())
}

/// The machine commands that changed something, and the hook tools that wrote something.
fn changes(out: &Output) -> Vec<String> {
    out.commands()
        .into_iter()
        .filter(|c| {
            let verb = c.split(' ').nth(1).unwrap_or_default();
            let query = matches!(verb, "is-active" | "is-enabled" | "status" | "show")
                || c.starts_with("dpkg-query")
                || c == "manila-manage db version";
            let reads_juju = [
                "config-get",
                "is-leader",
                "state-get",
                "relation-ids",
                "relation-list",
                "relation-get",
                "network-get",
                "juju-log",
            ]
            .iter()
            .any(|tool| c.starts_with(&format!("{tool} ")));
            !query && !reads_juju
        })
        .collect()
}

/// Just the machine commands among `changes`.
fn machine_changes(out: &Output) -> Vec<String> {
    const MACHINE: [&str; 6] = [
        "apt-get",
        "systemctl",
        "service",
        "update-rc.d",
        "a2ensite",
        "manila-manage",
    ];
    changes(out)
        .into_iter()
        .filter(|c| MACHINE.contains(&c.split(' ').next().unwrap_or_default()))
        .collect()
}

/// What an api unit tells Juju once installed, whatever its relations.
#[track_caller]
fn assert_api_port_open_and_version_set(out: &Output) {
    let ports: Vec<String> = out
        .state
        .opened_ports
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(ports, ["8786/tcp"]);
    assert_eq!(out.state.workload_version, "18.0.0");
}

fn running(machine: &MachineState) -> Vec<&str> {
    machine
        .services
        .iter()
        .filter(|(_, s)| s.running)
        .map(|(name, _)| name.as_str())
        .collect()
}

fn config(roles: &str) -> std::collections::BTreeMap<String, Value> {
    [
        ("roles".to_owned(), json!(roles)),
        ("default-share-backend".to_owned(), json!("generic")),
    ]
    .into()
}

/// An all-in-one leader with its database, broker, keystone and a generic back end related.
fn all_in_one() -> State {
    State {
        leader: true,
        config: config("all"),
        relations: vec![
            Relation::new(DB, "shared-db", "mysql").remote_unit("mysql/0", db_bag("manila/0")),
            Relation::new(AMQP, "amqp", "rabbitmq-server")
                .remote_unit("rabbitmq-server/0", rabbit_bag("10.5.0.30")),
            Relation::peer(CLUSTER, "cluster"),
            Relation::new(IDENTITY, "identity-service", "keystone")
                .remote_unit("keystone/0", keystone_bag()),
            Relation::new(PLUGIN, "manila-plugin", "manila-generic")
                .remote_unit("manila-generic/0", generic_backend_bag("generic")),
        ],
        ..State::default()
    }
}

/// The all-in-one leader after its install hook.
fn installed() -> Output {
    run("manila/0", Event::Install, &all_in_one())
}

#[test]
fn the_first_hook_installs_renders_syncs_starts_and_registers() {
    let out = installed();
    let machine = machine_changes(&out);
    assert_eq!(machine[0], "apt-get update");
    assert!(
        machine[1].starts_with(
            "apt-get install -y -o Dpkg::Options::=--force-confold manila-common \
             python3-manila manila-api apache2"
        ),
        "{machine:#?}"
    );
    // The eventlet API is masked (Apache serves the API), the schema synced once, and every
    // service its package started restarts on its rendered files, in the roles' order.
    assert_eq!(
        machine[2..],
        [
            "systemctl stop manila-api",
            "systemctl disable manila-api",
            "systemctl mask manila-api",
            "a2ensite manila-api",
            "manila-manage db sync",
            "systemctl restart apache2",
            "systemctl restart haproxy",
            "systemctl restart memcached",
            "systemctl restart manila-scheduler",
            "systemctl restart manila-share",
            "systemctl restart manila-data",
        ],
        "{machine:#?}"
    );
    assert_eq!(
        running(&out.state.machine),
        [
            "apache2",
            "haproxy",
            "manila-data",
            "manila-scheduler",
            "manila-share",
            "memcached"
        ]
    );
    let api = &out.state.machine.services["manila-api"];
    assert!(!api.enabled && !api.running, "{api:?}");
    let syncs = out.state.file_text(SCHEMA_SYNCS_FILE).unwrap_or_default();
    assert_eq!(syncs.lines().count(), 1, "{syncs}");

    let conf = &out.state.files[MANILA_CONF];
    assert!(conf
        .text()
        .unwrap()
        .contains("connection = mysql+pymysql://manila:DB-SECRET@10.5.0.20:3306/manila"));
    assert_eq!(conf.mode(), Some(0o640));
    assert!(out
        .state
        .files
        .contains_key("/etc/apache2/sites-enabled/manila-api.conf"));

    assert_eq!(status(&out), READY);
    assert_api_port_open_and_version_set(&out);
    let address = scenario("manila/0").address();
    let registration = &out.state.relation(IDENTITY).unwrap().local_unit_data;
    assert_eq!(
        registration["v2_public_url"],
        format!("http://{address}:8786/v2/%(tenant_id)s")
    );
    let leader = &out.state.relation(CLUSTER).unwrap().local_app_data;
    assert_eq!(leader["db-sync-done"], "caracal");
    assert_eq!(leader["haproxy-stats-password"].len(), 32);
    let haproxy = out.state.file_text("/etc/haproxy/haproxy.cfg").unwrap();
    assert!(haproxy.contains(&format!(
        "stats auth admin:{}",
        leader["haproxy-stats-password"]
    )));
    assert!(out
        .state
        .relation(PLUGIN)
        .unwrap()
        .local_unit_data
        .contains_key("_authentication_data"));
    assert_eq!(
        out.state.relation(DB).unwrap().local_unit_data["hostname"],
        address
    );
}

#[test]
fn a_hook_that_changes_nothing_restarts_nothing_and_writes_nothing() {
    let settled = installed();
    let out = run("manila/0", Event::ConfigChanged, &settled.state);
    assert_eq!(changes(&out), Vec::<String>::new());
    assert_eq!(out.state.machine, settled.state.machine);
    assert_eq!(out.status_history, []);
}

#[test]
fn a_config_change_restarts_only_the_services_of_the_changed_files() {
    let mut state = installed().state;
    state
        .config
        .insert("haproxy-connect-timeout".to_owned(), json!(5000));
    let out = run("manila/0", Event::ConfigChanged, &state);
    assert_eq!(machine_changes(&out), ["systemctl restart haproxy"]);

    let mut state = out.state;
    state.config.insert("debug".to_owned(), json!(true));
    let out = run("manila/0", Event::ConfigChanged, &state);
    assert_eq!(
        machine_changes(&out),
        [
            "systemctl restart apache2",
            "systemctl restart manila-scheduler",
            "systemctl restart manila-share",
            "systemctl restart manila-data",
        ]
    );
}

#[test]
fn removing_roles_stops_and_disables_their_services() {
    let mut state = installed().state;
    state.config.insert("roles".to_owned(), json!("api"));
    let out = run("manila/0", Event::ConfigChanged, &state);
    for service in ["manila-scheduler", "manila-share", "manila-data"] {
        let state = &out.state.machine.services[service];
        assert!(!state.running && !state.enabled, "{service}: {state:?}");
        assert_eq!(
            state.history.last().map(|e| e.action),
            Some(ServiceAction::Stop),
            "{service}: {state:?}"
        );
    }
    assert_eq!(
        running(&out.state.machine),
        ["apache2", "haproxy", "memcached"]
    );
    assert_eq!(out.state.unit_state["roles"], "api");
}

#[test]
fn update_status_revives_a_dead_manila_share_and_renders_nothing() {
    let mut state = installed().state;
    for dead in ["manila-share", "manila-data"] {
        state.machine.services.get_mut(dead).unwrap().running = false;
    }
    let out = run("manila/0", Event::UpdateStatus, &state);
    assert_eq!(machine_changes(&out), ["systemctl start manila-share"]);
    assert_eq!(out.state.files, state.files);
    assert_eq!(
        status(&out),
        (
            "blocked",
            "Services not running that should be: manila-data"
        )
    );
}

#[test]
fn a_share_application_waits_for_the_schema_then_starts() {
    const UNIT: &str = "manila-share/0";
    let state = State {
        leader: true,
        config: config("share"),
        relations: vec![
            Relation::new(DB, "shared-db", "mysql").remote_unit("mysql/0", db_bag(UNIT)),
            Relation::new(AMQP, "amqp", "rabbitmq-server")
                .remote_unit("rabbitmq-server/0", rabbit_bag("10.5.0.30")),
            Relation::new(CREDENTIALS, "identity-credentials", "keystone")
                .remote_unit("keystone/0", credentials_bag("manila-share")),
            Relation::new(PLUGIN, "manila-plugin", "manila-generic")
                .remote_unit("manila-generic/0", generic_backend_bag("generic")),
        ],
        ..State::default()
    };
    let out = run(UNIT, Event::Install, &state);
    assert_eq!(
        status(&out),
        (
            "waiting",
            "Waiting for the database schema (synced by the application with the api role); looking again at the next update-status"
        )
    );
    assert_eq!(
        running(&out.state.machine),
        Vec::<&str>::new(),
        "held until the schema exists"
    );
    assert_eq!(
        out.state.relation(CREDENTIALS).unwrap().local_unit_data["username"],
        "manila-share"
    );
    assert!(out.state.opened_ports.is_empty());
    assert!(!out.commands().iter().any(|c| c.starts_with("open-port")));

    // The api application syncs the shared database.
    let mut state = out.state;
    let synced = installed().state.files[SCHEMA_SYNCS_FILE].clone();
    state.files.insert(SCHEMA_SYNCS_FILE.to_owned(), synced);
    let out = run(UNIT, Event::UpdateStatus, &state);
    assert_eq!(machine_changes(&out), ["systemctl start manila-share"]);
    assert_eq!(running(&out.state.machine), ["manila-share"]);
    assert_eq!(status(&out), READY);
    assert_eq!(out.state.unit_state["schema-seen"], "caracal");

    // Seen once for this release: not asked again.
    let out = run(UNIT, Event::ConfigChanged, &out.state);
    assert!(
        !out.commands()
            .iter()
            .any(|c| c.starts_with("manila-manage")),
        "{:#?}",
        out.commands()
    );
}

/// What the binary did as a first hook before any relation, in process.
#[test]
fn install_without_relations_installs_renders_and_blocks_on_the_missing_backend() {
    let state = State {
        leader: true,
        ..State::default()
    };
    let out = run("manila/0", Event::Install, &state);
    assert_eq!(
        out.status_history
            .iter()
            .map(|s| (s.status.as_str(), s.message.as_str()))
            .collect::<Vec<_>>(),
        [("blocked", "No share backends configured")]
    );
    assert_api_port_open_and_version_set(&out);
    assert!(!out.commands().iter().any(|c| c.starts_with("relation-set")));

    // Installed and rendered, but nothing runs before the relations are there.
    assert!(machine_changes(&out)
        .iter()
        .any(|c| c.starts_with("apt-get install")));
    assert!(!out
        .commands()
        .iter()
        .any(|c| c.starts_with("manila-manage")));
    assert_eq!(running(&out.state.machine), Vec::<&str>::new());
    let conf = &out.state.files[MANILA_CONF];
    let text = conf.text().unwrap();
    assert!(text.contains("enabled_share_protocols = NFS,CIFS"));
    assert!(!text.contains("[database]"));
    assert_eq!(conf.mode(), Some(0o640));
    assert!(out.state.files.contains_key("/etc/haproxy/haproxy.cfg"));
}
