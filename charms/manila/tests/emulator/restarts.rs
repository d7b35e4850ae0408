//! Config changes restart exactly the services that read what changed, once each.

use std::collections::BTreeMap;

use emulator::ServiceAction;

use crate::support::{self, World};

const UNIT: &str = "manila/0";

const SERVICES: [&str; 6] = [
    "apache2",
    "haproxy",
    "memcached",
    "manila-scheduler",
    "manila-share",
    "manila-data",
];

/// How many history events each service of the unit has had so far.
fn events(world: &World) -> BTreeMap<&'static str, usize> {
    SERVICES
        .iter()
        .map(|name| (*name, world.service(UNIT, name).history.len()))
        .collect()
}

/// What happened to each service since `before`, as `(service, [actions])`, services with
/// nothing left out.
fn since(
    world: &World,
    before: &BTreeMap<&'static str, usize>,
) -> Vec<(String, Vec<ServiceAction>)> {
    SERVICES
        .iter()
        .filter_map(|name| {
            let history = world.service(UNIT, name).history;
            let new: Vec<ServiceAction> =
                history[before[name]..].iter().map(|e| e.action).collect();
            (!new.is_empty()).then(|| ((*name).to_owned(), new))
        })
        .collect()
}

/// Changes `options` and settles; the unit must have run `config-changed`.
fn configure(world: &mut World, options: &[(&str, &str)]) {
    let from = world.model.hook_log().len();
    world
        .model
        .set_config("manila", options.iter().copied())
        .unwrap();
    world.settle();
    assert_eq!(world.hooks_since(from, UNIT), ["config-changed"]);
    world.assert_status(UNIT, "active", "Unit is ready");
}

/// Since `before`: manila.conf's readers (Apache's WSGI application and the three services)
/// restarted once each, and nothing else did anything.
fn assert_only_manila_conf_readers_restarted_once(
    world: &World,
    before: &BTreeMap<&'static str, usize>,
) {
    let restart = vec![ServiceAction::Restart];
    assert_eq!(
        since(world, before),
        [
            ("apache2".to_owned(), restart.clone()),
            ("manila-scheduler".to_owned(), restart.clone()),
            ("manila-share".to_owned(), restart.clone()),
            ("manila-data".to_owned(), restart),
        ]
    );
}

#[test]
fn debug_restarts_the_services_reading_manila_conf_once_each() {
    let mut world = support::all_in_one();
    let before = events(&world);
    configure(&mut world, &[("debug", "true")]);
    assert_only_manila_conf_readers_restarted_once(&world, &before);
    let conf = world.file(UNIT, "/etc/manila/manila.conf").unwrap();
    assert!(conf.lines().any(|l| l == "debug = True"), "{conf}");
}

#[test]
fn a_haproxy_timeout_restarts_haproxy_alone() {
    let mut world = support::all_in_one();
    let before = events(&world);
    configure(&mut world, &[("haproxy-client-timeout", "30000")]);
    assert_eq!(
        since(&world, &before),
        [("haproxy".to_owned(), vec![ServiceAction::Restart])]
    );
    let cfg = world.file(UNIT, "/etc/haproxy/haproxy.cfg").unwrap();
    assert!(cfg.contains("timeout client 30000"), "{cfg}");
}

#[test]
fn hooks_that_change_nothing_restart_nothing() {
    let mut world = support::all_in_one();
    let before = events(&world);
    // Options no file reads still fire config-changed (the nagios ones shape the NRPE
    // checks, and this unit has no nrpe subordinate).
    configure(&mut world, &[("nagios_servicegroups", "ops")]);
    configure(&mut world, &[("nagios_context", "elsewhere")]);
    assert_eq!(since(&world, &before), []);

    world.model.update_status().unwrap();
    world.settle();
    assert_eq!(since(&world, &before), []);

    // A refreshed charm runs upgrade-charm and config-changed: the same files, no restart.
    let charm = world.charm(support::Charm::Manila);
    world.model.upgrade_charm("manila", Some(&charm)).unwrap();
    world.settle();
    assert_eq!(since(&world, &before), []);
    world.assert_status(UNIT, "active", "Unit is ready");
}

#[test]
fn syslog_and_internal_endpoints_restart_what_reads_manila_conf() {
    let mut world = support::all_in_one();
    let before = events(&world);
    configure(
        &mut world,
        &[("use-syslog", "true"), ("use-internal-endpoints", "true")],
    );
    assert_only_manila_conf_readers_restarted_once(&world, &before);
    let conf = world.file(UNIT, "/etc/manila/manila.conf").unwrap();
    for line in [
        "use_syslog = True",
        "interface = internal",
        "endpoint_type = internalURL",
    ] {
        assert!(conf.lines().any(|l| l == line), "{line}: {conf}");
    }
    let logging = world.file(UNIT, "/etc/manila/logging.conf").unwrap();
    assert!(logging.contains("handlers = stderr, syslog\n"), "{logging}");
}
