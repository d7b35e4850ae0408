//! Each bundle deployed into the emulator, with the fixture charms standing in for the
//! Charmhub ones, until the model settles: every unit's workload status is asserted.

use std::collections::BTreeMap;

use emulator::Model;

use crate::support::{debug_log, statuses, Deployed, Packed};

/// A workload status and message.
type Status = (&'static str, &'static str);

const READY: Status = ("active", "Unit is ready");
const CLUSTERED: Status = ("active", "Unit is ready and clustered");

/// Deploys `bundle` and settles; no unit may end in error.
fn deploy(bundle: &str) -> Deployed {
    let packed = Packed::get();
    let mut model = packed.model(bundle.trim_end_matches(".yaml"));
    model.deploy_bundle(packed.bundle(bundle)).unwrap();
    settle(&mut model);
    model
}

fn settle(model: &mut Model) {
    let report = model.settle().unwrap();
    assert!(
        report.units_in_error.is_empty(),
        "units in error: {:?}\n{}",
        report.units_in_error,
        debug_log(model)
    );
}

/// Asserts every unit's status: `special` lists the units whose status is not
/// `active "Unit is ready"`.
#[track_caller]
fn assert_statuses(model: &Model, special: &[(String, Status)]) {
    let special: BTreeMap<&str, Status> = special
        .iter()
        .map(|(unit, status)| (unit.as_str(), *status))
        .collect();
    let got = statuses(model);
    let mismatches: Vec<String> = got
        .iter()
        .filter_map(|(unit, (status, message))| {
            let want = special.get(unit.as_str()).copied().unwrap_or(READY);
            (want != (status.as_str(), message.as_str()))
                .then(|| format!("{unit}: {status} {message:?}, expected {want:?}"))
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{}\n{}",
        mismatches.join("\n"),
        debug_log(model)
    );
    for unit in special.keys() {
        assert!(got.contains_key(*unit), "no unit {unit}");
    }
}

#[test]
fn manila_aio_settles_active() {
    let model = deploy("manila-aio.yaml");
    assert_statuses(&model, &[]);
    assert_eq!(model.units("manila"), ["manila/0"]);
}

/// Three back ends on one manila: both NetApp modes and the generic driver, all enabled.
#[test]
fn manila_netapp_settles_active_with_every_back_end_enabled() {
    let model = deploy("manila-netapp.yaml");
    assert_statuses(&model, &[]);
    let machine = model.machine_of("manila/0").unwrap();
    let path = model.machine_root(machine).join("etc/manila/manila.conf");
    let conf = std::fs::read_to_string(path).unwrap();
    let enabled = conf
        .lines()
        .find_map(|l| l.strip_prefix("enabled_share_backends = "))
        .unwrap_or_else(|| panic!("no enabled_share_backends in\n{conf}"));
    assert_eq!(enabled, "generic,netapp-ontap,netapp-ontap-dhss", "{conf}");
}

#[test]
fn example_settles_active() {
    let model = deploy("example.yaml");
    let greeting = ("active", "Greeting on port 8080");
    let special = model.units("greeter").into_iter().map(|u| (u, greeting));
    assert_statuses(&model, &special.collect::<Vec<_>>());
}

/// The share and data units wait for the schema until their first hook after the API leader
/// synced it; on a controller that is the next update-status (every 5 minutes).
#[test]
fn manila_split_settles_active_after_an_update_status() {
    let mut model = deploy("manila-split.yaml");
    let schema: Status = (
        "waiting",
        "Waiting for the database schema (synced by the application with the api role); looking again at the next update-status",
    );
    let waiting: Vec<(String, Status)> = [
        "manila-share-generic-a/0",
        "manila-share-generic-b/0",
        "manila-data/0",
    ]
    .into_iter()
    .filter(|unit| model.unit_status(unit).unwrap().status == "waiting")
    .map(|unit| (unit.to_owned(), schema))
    .chain(clustered(&model, "manila-hacluster"))
    .chain(monitoring(&model))
    .collect();
    assert_statuses(&model, &waiting);
    model.update_status().unwrap();
    settle(&mut model);
    let clustered: Vec<_> = clustered(&model, "manila-hacluster")
        .chain(monitoring(&model))
        .collect();
    assert_eq!(
        clustered.len(),
        7,
        "one hacluster unit per manila unit, nrpe on api and data"
    );
    assert_statuses(&model, &clustered);
}

/// The nrpe units of the split bundle: on each api,scheduler unit six checks (apache2,
/// memcached, the scheduler, haproxy's two and the API; haproxy itself is Pacemaker's),
/// on the data unit one.
fn monitoring(model: &Model) -> Vec<(String, Status)> {
    const API: Status = ("active", "Ready, monitoring 6 checks");
    const DATA: Status = ("active", "Ready, monitoring 1 check");
    let got = statuses(model);
    let units: Vec<(String, Status)> = model
        .units("nrpe")
        .into_iter()
        .map(|unit| {
            let data = got.get(&unit).is_some_and(|(_, m)| m == DATA.1);
            (unit, if data { DATA } else { API })
        })
        .collect();
    assert_eq!(
        units.len(),
        4,
        "nrpe on the three api units and the data unit"
    );
    assert_eq!(
        units.iter().filter(|(_, s)| *s == DATA).count(),
        1,
        "{units:?}"
    );
    units
}

#[test]
fn manila_ha_settles_active_after_an_update_status() {
    let mut model = deploy("manila-ha.yaml");
    model.update_status().unwrap();
    settle(&mut model);
    let clustered: Vec<_> = clustered(&model, "manila-hacluster")
        .chain(clustered(&model, "manila-share-hacluster"))
        .collect();
    assert_eq!(
        clustered.len(),
        6,
        "one hacluster unit per api and share unit"
    );
    assert_statuses(&model, &clustered);
}

/// The units of a hacluster application, each expected to say the cluster formed.
fn clustered(model: &Model, app: &str) -> impl Iterator<Item = (String, Status)> {
    model.units(app).into_iter().map(|unit| (unit, CLUSTERED))
}
