//! Whole hooks in process: the charm's `handle` through the runtime, against the test model
//! (hook tools) and a scratch machine (packages, services, files, commands).

use charm::{dispatch, Outcome};
use juju::HookEnv;
use manila_charm::Manila;

use crate::fixtures::*;
use crate::machine::Machine;
use crate::model::Model;

fn run(model: &Model, machine: &Machine, hook: &str) {
    let env: HookEnv =
        charm::testing::hook_env(&model.unit.to_string(), &format!("hooks/{hook}")).unwrap();
    let outcome = dispatch::<Manila, _>(env, model, machine.host());
    assert!(matches!(outcome, Outcome::Handled), "{hook}: {outcome:?}");
}

fn status_of(calls: &[String]) -> Option<&str> {
    calls
        .iter()
        .rev()
        .find_map(|c| c.strip_prefix("status-set "))
}

/// An all-in-one leader with its database, broker, keystone and a generic back end related.
fn all_in_one() -> Model {
    let model = Model::new("manila/0", true, raw_config("all"));
    model.relate("shared-db:1", "mysql", &[("mysql/0", db_bag("manila/0"))]);
    model.relate(
        "amqp:2",
        "rabbitmq-server",
        &[("rabbitmq-server/0", rabbit_bag("10.5.0.30"))],
    );
    model.relate("cluster:3", "manila", &[]);
    model.relate(
        "identity-service:4",
        "keystone",
        &[("keystone/0", keystone_bag())],
    );
    model.relate(
        "manila-plugin:5",
        "manila-generic",
        &[("manila-generic/0", generic_backend_bag("generic"))],
    );
    model
}

#[test]
fn the_first_hook_installs_renders_syncs_starts_and_registers() {
    let machine = Machine::new();
    let model = all_in_one();
    run(&model, &machine, "install");

    let changes = machine.take_changes();
    assert_eq!(changes[0], "apt-get update");
    assert!(changes[1].starts_with("apt-get install -y -o Dpkg::Options::=--force-confold manila-common python3-manila manila-api apache2"), "{changes:#?}");
    let expected_after_install = [
        // The eventlet API is masked: Apache serves the API.
        "service manila-api stop",
        "update-rc.d manila-api defaults",
        "update-rc.d manila-api disable",
        "update-rc.d manila-api defaults",
        "update-rc.d manila-api disable",
        "service manila-api stop",
        "a2ensite manila-api",
        "manila-manage db sync",
        "service apache2 restart",
        "service manila-scheduler restart",
        "service manila-share restart",
        "service manila-data restart",
        "service haproxy restart",
        "service memcached restart",
    ];
    assert_eq!(changes[2..], expected_after_install, "{changes:#?}");
    assert_eq!(
        machine.running(),
        [
            "apache2",
            "haproxy",
            "manila-data",
            "manila-scheduler",
            "manila-share",
            "memcached"
        ]
    );
    assert!(!machine.enabled("manila-api"));

    let conf = machine.file("/etc/manila/manila.conf").unwrap();
    assert!(conf.contains("connection = mysql+pymysql://manila:DB-SECRET@10.5.0.20:3306/manila"));
    assert_eq!(machine.mode("/etc/manila/manila.conf"), 0o640);
    assert!(machine
        .file("/etc/apache2/sites-enabled/manila-api.conf")
        .is_some());

    let calls = model.take_calls();
    assert_eq!(status_of(&calls), Some("active -- Unit is ready"));
    assert!(calls.contains(&"open-port 8786/tcp".to_owned()));
    assert!(calls.contains(&"application-version-set -- 18.0.0".to_owned()));
    let registration = model.local_unit_bag("identity-service:4");
    assert_eq!(
        registration["v2_public_url"],
        "http://10.5.0.10:8786/v2/%(tenant_id)s"
    );
    let leader = model.local_app_bag("cluster:3");
    assert_eq!(leader["db-sync-done"], "caracal");
    assert_eq!(leader["haproxy-stats-password"].len(), 32);
    let haproxy = machine.file("/etc/haproxy/haproxy.cfg").unwrap();
    assert!(haproxy.contains(&format!(
        "stats auth admin:{}",
        leader["haproxy-stats-password"]
    )));
    assert!(model
        .local_unit_bag("manila-plugin:5")
        .contains_key("_authentication_data"));
    assert_eq!(model.local_unit_bag("shared-db:1")["hostname"], "10.5.0.10");
}

#[test]
fn a_hook_that_changes_nothing_restarts_nothing_and_writes_nothing() {
    let machine = Machine::new();
    let model = all_in_one();
    run(&model, &machine, "install");
    machine.take_log();
    model.take_calls();

    run(&model, &machine, "config-changed");
    assert_eq!(machine.take_changes(), Vec::<String>::new());
    let calls = model.take_calls();
    let writes: Vec<&String> = calls
        .iter()
        .filter(|c| {
            c.starts_with("relation-set")
                || c.starts_with("status-set")
                || c.starts_with("state-set")
                || c.starts_with("open-port")
                || c.starts_with("application-version-set")
        })
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");
}

#[test]
fn a_config_change_restarts_only_the_services_of_the_changed_files() {
    let machine = Machine::new();
    let model = all_in_one();
    run(&model, &machine, "install");
    machine.take_log();

    model.set_config("haproxy-connect-timeout", 5000);
    run(&model, &machine, "config-changed");
    assert_eq!(machine.take_changes(), ["service haproxy restart"]);

    model.set_config("debug", true);
    run(&model, &machine, "config-changed");
    assert_eq!(
        machine.take_changes(),
        [
            "service apache2 restart",
            "service manila-scheduler restart",
            "service manila-share restart",
            "service manila-data restart",
        ]
    );
}

#[test]
fn removing_roles_stops_and_disables_their_services() {
    let machine = Machine::new();
    let model = all_in_one();
    run(&model, &machine, "install");
    machine.take_log();

    model.set_config("roles", "api");
    run(&model, &machine, "config-changed");
    let changes = machine.take_changes();
    for service in ["manila-scheduler", "manila-share", "manila-data"] {
        assert!(
            changes.contains(&format!("service {service} stop")),
            "{changes:#?}"
        );
        assert!(!machine.enabled(service), "{service} is still enabled");
    }
    assert_eq!(machine.running(), ["apache2", "haproxy", "memcached"]);
    assert_eq!(model.state.borrow()["roles"], "api");
}

#[test]
fn update_status_revives_a_dead_manila_share_and_renders_nothing() {
    let machine = Machine::new();
    let model = all_in_one();
    run(&model, &machine, "install");
    machine.take_log();
    model.take_calls();

    machine.kill("manila-share");
    machine.kill("manila-data");
    run(&model, &machine, "update-status");
    assert_eq!(machine.take_changes(), ["service manila-share start"]);
    let calls = model.take_calls();
    assert_eq!(
        status_of(&calls),
        Some("blocked -- Services not running that should be: manila-data")
    );
}

#[test]
fn a_share_application_waits_for_the_schema_then_starts() {
    let machine = Machine::new();
    let model = Model::new("manila-share/0", true, raw_config("share"));
    model.relate(
        "shared-db:1",
        "mysql",
        &[("mysql/0", db_bag("manila-share/0"))],
    );
    model.relate(
        "amqp:2",
        "rabbitmq-server",
        &[("rabbitmq-server/0", rabbit_bag("10.5.0.30"))],
    );
    model.relate(
        "identity-credentials:6",
        "keystone",
        &[("keystone/0", credentials_bag("manila-share"))],
    );
    model.relate(
        "manila-plugin:5",
        "manila-generic",
        &[("manila-generic/0", generic_backend_bag("generic"))],
    );
    run(&model, &machine, "install");
    let calls = model.take_calls();
    assert_eq!(
        status_of(&calls),
        Some(
            "waiting -- Waiting for the database schema (synced by the application with the \
             api role)"
        )
    );
    assert_eq!(
        machine.running(),
        Vec::<String>::new(),
        "held until the schema exists"
    );
    assert_eq!(
        model.local_unit_bag("identity-credentials:6")["username"],
        "manila-share"
    );
    assert!(!calls.iter().any(|c| c.starts_with("open-port")));
    machine.take_log();

    machine.create_schema();
    run(&model, &machine, "update-status");
    assert_eq!(machine.take_changes(), ["service manila-share start"]);
    assert_eq!(
        status_of(&model.take_calls()),
        Some("active -- Unit is ready")
    );
    assert_eq!(model.state.borrow()["schema-seen"], "caracal");

    // Seen once for this release: not asked again.
    run(&model, &machine, "config-changed");
    assert!(!machine
        .take_log()
        .contains(&"manila-manage db version".to_owned()));
}
