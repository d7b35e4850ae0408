//! Monitoring with the nrpe fixture on `nrpe-external-master`: the checks of the unit's
//! roles on the machine, `monitors` on the relation, `nagios_context` and
//! `nagios_servicegroups` in the files, and the checks following the roles, pause and
//! resume, the host name the nrpe charm gives, and the relation's removal.

use emulator::DeployOptions;
use nrpe_external_master::{Monitors, PrincipalData};
use serde_json::Map;

use crate::support::*;

const UNIT: &str = "manila/0";
const NRPE_UNIT: &str = "nrpe/0";
const ALL_CHECKS: [&str; 9] = [
    "apache2",
    "haproxy",
    "haproxy_queue",
    "haproxy_servers",
    "manila-data",
    "manila-scheduler",
    "manila-share",
    "manila_api_http",
    "memcached",
];

/// The all-in-one model with the nrpe fixture related to manila, settled; and the
/// relation's id.
fn monitored() -> (World, u32) {
    let mut world = all_in_one();
    world.deploy("nrpe", Charm::Nrpe, DeployOptions::new());
    world
        .model
        .relate("manila:nrpe-external-master", "nrpe:nrpe-external-master")
        .unwrap();
    world.settle();
    let relation = world
        .model
        .relation_id("manila:nrpe-external-master", "nrpe:nrpe-external-master")
        .unwrap();
    (world, relation)
}

/// The checks defined on the unit's machine, by short name.
fn checks_on(world: &World) -> Vec<String> {
    let dir = world.path_on(UNIT, "/etc/nagios/nrpe.d");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter_map(|n| {
                    n.strip_prefix("check_")?
                        .strip_suffix(".cfg")
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The service definitions exported for nagios, by file name.
fn exported(world: &World) -> Vec<String> {
    let dir = world.path_on(UNIT, "/var/lib/nagios/export");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("service__"))
        .collect();
    names.sort();
    names
}

fn monitors(world: &World, relation: u32) -> Vec<String> {
    let bag = world.model.unit_bag(relation, UNIT).unwrap();
    let data: PrincipalData = PrincipalData::from_bag(&bag).unwrap().ready().unwrap();
    let Monitors(checks) = data.monitors;
    checks.keys().map(ToString::to_string).collect()
}

fn command(world: &World, check: &str) -> String {
    let text = world
        .file(UNIT, &format!("/etc/nagios/nrpe.d/check_{check}.cfg"))
        .unwrap_or_else(|| panic!("no check_{check}"));
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("command[check_{check}]=")))
        .unwrap()
        .to_owned()
}

#[test]
fn the_roles_checks_are_defined_and_announced() {
    let (world, relation) = monitored();
    world.assert_ready(UNIT);
    world.assert_status(NRPE_UNIT, "active", "Ready, monitoring 9 checks");
    assert_eq!(checks_on(&world), ALL_CHECKS);
    assert_eq!(monitors(&world, relation), ALL_CHECKS);
    // The nrpe fixture named the host; the servicegroup is the default context.
    let nrpe_bag = world.model.unit_bag(relation, NRPE_UNIT).unwrap();
    assert_eq!(nrpe_bag["nagios_hostname"], "juju-manila-0");
    let expected: Vec<String> = ALL_CHECKS
        .iter()
        .map(|c| format!("service__juju-manila-0_check_{c}.cfg"))
        .collect();
    assert_eq!(exported(&world), expected);
    let export = world
        .file(
            UNIT,
            "/var/lib/nagios/export/service__juju-manila-0_check_manila-scheduler.cfg",
        )
        .unwrap();
    assert!(
        export.contains("    servicegroups                   juju\n"),
        "{export}"
    );
    assert!(export.contains("[manila-scheduler] process check {juju:manila/0}\n"));
    // NRPE runs; the haproxy checks can read the statistics page's credentials.
    assert!(world.service(UNIT, "nagios-nrpe-server").running);
    assert_eq!(
        world.mode(UNIT, "/etc/nagios/manila-haproxy-stats.auth"),
        Some(0o640)
    );
}

#[test]
fn context_servicegroups_host_name_roles_pause_and_removal() {
    let (mut world, relation) = monitored();

    world
        .model
        .set_config(
            "manila",
            [
                ("nagios_context", "prod"),
                ("nagios_servicegroups", "manila,ops"),
            ],
        )
        .unwrap();
    world.settle();
    let export = |world: &World, host: &str| {
        world
            .file(
                UNIT,
                &format!("/var/lib/nagios/export/service__{host}_check_manila-data.cfg"),
            )
            .unwrap_or_default()
    };
    assert!(
        export(&world, "juju-manila-0").contains("servicegroups                   manila,ops\n")
    );
    assert!(world
        .file(UNIT, "/etc/nagios/nrpe.d/check_manila-data.cfg")
        .unwrap()
        .contains("# servicegroups: manila,ops\n"));

    // The nrpe charm renames the host: the files follow, the old ones go.
    world
        .model
        .set_config("nrpe", [("nagios_host_context", "site1")])
        .unwrap();
    world.settle();
    assert!(export(&world, "site1-manila-0")
        .contains("site1-manila-0[manila-data] process check {site1:manila/0}"));
    assert!(exported(&world)
        .iter()
        .all(|n| n.starts_with("service__site1-manila-0_")));

    // A removed role's checks go.
    world
        .model
        .set_config("manila", [("roles", "scheduler,data")])
        .unwrap();
    world.settle();
    world.assert_ready(UNIT);
    assert_eq!(checks_on(&world), ["manila-data", "manila-scheduler"]);
    assert_eq!(
        monitors(&world, relation),
        ["manila-data", "manila-scheduler"]
    );
    assert_eq!(exported(&world).len(), 2);
    assert!(world
        .file(UNIT, "/etc/nagios/manila-haproxy-stats.auth")
        .is_none());
    world.assert_status(NRPE_UNIT, "active", "Ready, monitoring 2 checks");

    // Paused, the checks answer OK saying so; resumed, they check again.
    let done = world.model.run_action(UNIT, "pause", Map::new()).unwrap();
    assert_eq!(format!("{:?}", done.status), "Completed", "{done:#?}");
    for check in ["manila-data", "manila-scheduler"] {
        let paused = command(&world, check);
        assert!(paused.contains("check_dummy 0 'paused: "), "{paused}");
    }
    let done = world.model.run_action(UNIT, "resume", Map::new()).unwrap();
    assert_eq!(format!("{:?}", done.status), "Completed", "{done:#?}");
    world.settle();
    world.assert_ready(UNIT);
    assert!(command(&world, "manila-scheduler").contains("check_procs -c 1: "));

    // The relation goes: so do the files.
    world
        .model
        .remove_relation("manila:nrpe-external-master", "nrpe:nrpe-external-master")
        .unwrap();
    world.settle();
    world.assert_ready(UNIT);
    assert!(checks_on(&world).is_empty(), "{:?}", checks_on(&world));
    assert!(exported(&world).is_empty());
}
