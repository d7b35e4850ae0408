//! The operator actions on the all-in-one unit: pause holds every service through whatever
//! hooks run until resume; the actions report what they touched and name what failed;
//! restart-services is refused while paused; openstack-upgrade only with
//! action-managed-upgrade and a newer openstack-origin.

use std::collections::BTreeMap;

use emulator::{ActionResult, ActionStatus, CatalogPackage, ServiceAction, ServiceFault};
use serde_json::{Map, Value};

use crate::support::{self, World};

const UNIT: &str = "manila/0";
const PAUSED: &str = "Paused. Use 'resume' action to resume normal service.";

const SERVICES: [&str; 6] = [
    "apache2",
    "haproxy",
    "memcached",
    "manila-scheduler",
    "manila-share",
    "manila-data",
];
const LISTED: &str = "apache2, haproxy, memcached, manila-scheduler, manila-share, manila-data";

/// Caracal's successor, as the cloud archive for noble offers it.
const DALMATIAN_SUITE: &str = "noble-updates/dalmatian";
const DALMATIAN_MANILA: &str = "1:19.0.0-0ubuntu1~cloud0";

fn run(world: &mut World, action: &str) -> ActionResult {
    world.model.run_action(UNIT, action, Map::new()).unwrap()
}

fn result<'a>(done: &'a ActionResult, key: &str) -> Option<&'a str> {
    done.results.get(key).and_then(Value::as_str)
}

#[track_caller]
fn assert_completed(done: &ActionResult) {
    assert_eq!(done.status, ActionStatus::Completed, "{done:#?}");
}

#[track_caller]
fn assert_failed(done: &ActionResult, message: &str) {
    assert_eq!(
        (done.status, done.message.as_deref()),
        (ActionStatus::Failed, Some(message)),
        "{done:#?}"
    );
}

/// How many starts and restarts each service has had.
fn starts(world: &World) -> BTreeMap<&'static str, usize> {
    SERVICES
        .iter()
        .map(|name| {
            let service = world.service(UNIT, name);
            let count = service.count(ServiceAction::Start) + service.count(ServiceAction::Restart);
            (*name, count)
        })
        .collect()
}

#[track_caller]
fn assert_all_down(world: &World) {
    for name in SERVICES {
        let service = world.service(UNIT, name);
        assert!(
            !service.running && !service.enabled && service.masked,
            "{name}: {service:?}"
        );
    }
}

#[track_caller]
fn assert_all_up(world: &World) {
    for name in SERVICES {
        let service = world.service(UNIT, name);
        assert!(
            service.running && service.enabled && !service.masked,
            "{name}: {service:?}"
        );
    }
}

#[test]
fn a_paused_unit_renders_but_starts_nothing_whatever_hooks_run_until_resume() {
    let mut world = support::all_in_one();
    assert_all_up(&world);

    let paused = run(&mut world, "pause");
    assert_completed(&paused);
    assert_eq!(result(&paused, "stopped"), Some(LISTED));
    assert_all_down(&world);
    world.assert_status(UNIT, "maintenance", PAUSED);
    let before = starts(&world);

    // config-changed renders the new option, restarts nothing.
    world
        .model
        .set_config("manila", [("debug", "true")])
        .unwrap();
    world.settle();
    let conf = world.file(UNIT, "/etc/manila/manila.conf").unwrap();
    assert!(conf.lines().any(|l| l == "debug = True"), "{conf}");
    // upgrade-charm (and its config-changed), update-status: the reference revives a dead
    // manila-share on update-status, but not on a paused unit.
    let charm = world.charm(support::Charm::Manila);
    world.model.upgrade_charm("manila", Some(&charm)).unwrap();
    world.settle();
    world.model.update_status().unwrap();
    world.settle();
    assert_eq!(starts(&world), before);
    assert_all_down(&world);
    world.assert_status(UNIT, "maintenance", PAUSED);

    let resumed = run(&mut world, "resume");
    assert_completed(&resumed);
    assert_eq!(result(&resumed, "started"), Some(LISTED));
    assert_all_up(&world);
    world.assert_status(UNIT, "active", "Unit is ready");
    // Started on the configuration rendered while paused, not restarted again for it.
    for (name, count) in starts(&world) {
        assert_eq!(count, before[name] + 1, "{name}");
    }
    assert!(!world
        .model
        .unit_state(UNIT)
        .unwrap()
        .contains_key("charm.paused"));
}

#[test]
fn pause_and_resume_name_the_services_that_did_not_stop_or_start() {
    let mut world = support::all_in_one();
    world
        .model
        .set_service_fault(UNIT, "manila-data", Some(ServiceFault::FailsToStop))
        .unwrap();
    let paused = run(&mut world, "pause");
    assert_failed(&paused, "Couldn't pause: manila-data didn't pause cleanly.");
    assert_eq!(result(&paused, "failed"), Some("manila-data"));
    assert_eq!(
        result(&paused, "stopped"),
        Some("apache2, haproxy, memcached, manila-scheduler, manila-share")
    );
    assert!(world.service(UNIT, "manila-data").running);
    world.assert_status(
        UNIT,
        "blocked",
        "Services should be paused but these services running: manila-data",
    );
    // Still paused, as the reference leaves it, and every later hook keeps saying what runs.
    world.model.update_status().unwrap();
    world.settle();
    world.assert_status(
        UNIT,
        "blocked",
        "Services should be paused but these services running: manila-data",
    );

    world
        .model
        .set_service_fault(UNIT, "manila-data", None)
        .unwrap();
    assert_completed(&run(&mut world, "pause"));
    world.model.update_status().unwrap();
    world.settle();
    world.assert_status(UNIT, "maintenance", PAUSED);
    world
        .model
        .set_service_fault(UNIT, "manila-scheduler", Some(ServiceFault::FailsToStart))
        .unwrap();
    let resumed = run(&mut world, "resume");
    assert_failed(
        &resumed,
        "Couldn't resume: manila-scheduler didn't resume cleanly.",
    );
    assert_eq!(result(&resumed, "failed"), Some("manila-scheduler"));
    assert!(!world.service(UNIT, "manila-scheduler").running);
    world.assert_status(
        UNIT,
        "blocked",
        "Services not running that should be: manila-scheduler",
    );

    // Once it can start, restart-services brings everything back and the status with it.
    world
        .model
        .set_service_fault(UNIT, "manila-scheduler", None)
        .unwrap();
    let restarted = run(&mut world, "restart-services");
    assert_completed(&restarted);
    assert_all_up(&world);
    world.assert_status(UNIT, "active", "Unit is ready");
}

#[test]
fn restart_services_stops_then_starts_each_service_and_is_refused_while_paused() {
    let mut world = support::all_in_one();
    let lengths: Vec<usize> = SERVICES
        .iter()
        .map(|name| world.service(UNIT, name).history.len())
        .collect();
    let restarted = run(&mut world, "restart-services");
    assert_completed(&restarted);
    assert_eq!(result(&restarted, "restarted"), Some(LISTED));
    for (name, from) in SERVICES.iter().zip(lengths) {
        let history: Vec<ServiceAction> = world.service(UNIT, name).history[from..]
            .iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            history,
            [ServiceAction::Stop, ServiceAction::Start],
            "{name}"
        );
    }
    world.assert_status(UNIT, "active", "Unit is ready");

    assert_completed(&run(&mut world, "pause"));
    let before = starts(&world);
    let refused = run(&mut world, "restart-services");
    assert_failed(
        &refused,
        "The unit is paused: its services stay stopped until the 'resume' action.",
    );
    assert_eq!(starts(&world), before);
    assert_all_down(&world);
    world.assert_status(UNIT, "maintenance", PAUSED);
}

/// The model's archive with a cloud-archive pocket offering dalmatian's Manila.
fn offer_dalmatian(world: &mut World) {
    let mut catalog = world.model.catalog().clone();
    let dalmatian = catalog
        .packages
        .keys()
        .filter(|name| name.starts_with("manila-") || *name == "python3-manila")
        .map(|name| (name.clone(), DALMATIAN_MANILA.to_owned()))
        .collect();
    catalog
        .archives
        .insert(DALMATIAN_SUITE.to_owned(), dalmatian);
    // Ubuntu's package with the archive's signing key, which the charm installs first.
    catalog.packages.insert(
        "ubuntu-cloud-keyring".to_owned(),
        CatalogPackage::new("2021.03.26"),
    );
    world.model.set_catalog(catalog).unwrap();
}

fn manila_common(world: &World) -> String {
    world.model.packages(UNIT).unwrap()["manila-common"].clone()
}

#[test]
fn openstack_upgrade_needs_action_managed_upgrade_and_a_newer_origin() {
    let mut world = support::all_in_one();
    offer_dalmatian(&mut world);
    let caracal = manila_common(&world);

    let refused = run(&mut world, "openstack-upgrade");
    assert_failed(
        &refused,
        "action-managed-upgrade is false: set it to true to upgrade OpenStack with this action",
    );
    assert_eq!(
        result(&refused, "outcome"),
        Some("action-managed-upgrade config is False, skipped upgrade")
    );

    world
        .model
        .set_config("manila", [("action-managed-upgrade", "true")])
        .unwrap();
    world.settle();
    let nothing = run(&mut world, "openstack-upgrade");
    assert_completed(&nothing);
    assert_eq!(result(&nothing, "outcome"), Some("no upgrade available"));

    // A newer origin alone upgrades nothing: it points apt at the archive.
    world
        .model
        .set_config("manila", [("openstack-origin", "dalmatian")])
        .unwrap();
    world.settle();
    assert_eq!(manila_common(&world), caracal);
    let list = world
        .file(UNIT, "/etc/apt/sources.list.d/cloud-archive.list")
        .unwrap();
    assert!(list.contains(DALMATIAN_SUITE), "{list}");
    let skipped = run(&mut world, "package-upgrade");
    assert_completed(&skipped);
    assert_eq!(
        result(&skipped, "outcome"),
        Some("upgrade skipped because an openstack upgrade is available")
    );
    assert_eq!(manila_common(&world), caracal);

    let syncs = world.schema_syncs().len();
    let upgraded = run(&mut world, "openstack-upgrade");
    assert_completed(&upgraded);
    assert_eq!(
        (
            result(&upgraded, "outcome"),
            result(&upgraded, "from"),
            result(&upgraded, "to")
        ),
        (
            Some("success, upgrade completed"),
            Some("caracal"),
            Some("dalmatian")
        )
    );
    let listed = result(&upgraded, "upgraded").unwrap();
    assert!(
        listed.contains(&format!("manila-common {caracal} -> {DALMATIAN_MANILA}")),
        "{listed}"
    );
    assert_eq!(manila_common(&world), DALMATIAN_MANILA);
    // The leader synced the schema for the new release, and everything runs on it.
    assert_eq!(world.schema_syncs().len(), syncs + 1);
    assert_all_up(&world);
    world.assert_status(UNIT, "active", "Unit is ready");
    assert_eq!(world.model.workload_version("manila").unwrap(), "19.0.0");

    let again = run(&mut world, "openstack-upgrade");
    assert_eq!(result(&again, "outcome"), Some("no upgrade available"));
}

#[test]
fn package_upgrade_upgrades_within_the_release_and_restarts_what_it_upgraded() {
    let mut world = support::all_in_one();
    let mut catalog = world.model.catalog().clone();
    catalog
        .packages
        .get_mut("manila-scheduler")
        .unwrap()
        .version = "1:18.0.1-0ubuntu1".to_owned();
    world.model.set_catalog(catalog).unwrap();
    let before = world
        .service(UNIT, "manila-scheduler")
        .count(ServiceAction::Restart);

    let upgraded = run(&mut world, "package-upgrade");
    assert_completed(&upgraded);
    assert_eq!(
        result(&upgraded, "upgraded"),
        Some("manila-scheduler 1:18.0.0-0ubuntu1 -> 1:18.0.1-0ubuntu1")
    );
    assert_eq!(
        world
            .service(UNIT, "manila-scheduler")
            .count(ServiceAction::Restart),
        before + 1
    );
    world.assert_status(UNIT, "active", "Unit is ready");

    let nothing = run(&mut world, "package-upgrade");
    assert_eq!(result(&nothing, "outcome"), Some("no packages to upgrade"));
}
