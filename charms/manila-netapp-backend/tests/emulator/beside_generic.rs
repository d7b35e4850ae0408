//! The NetApp back end beside the generic one on one manila unit, in each of the driver's
//! modes: both enabled, both sections in manila.conf, the `[neutron]` section they both send
//! written once, every unit ready.

use emulator::ConfigValue;
use manila_plugin::BackendStatus;
use manila_testbed::hostile::{self, Tally};
use manila_testbed::{World, MANILA, MANILA_UNIT, READY};

use crate::{beside_generic, NETAPP};

const DRIVER: &str = "manila.share.drivers.netapp.common.NetAppDriver";

/// Every unit ready, both back ends enabled, manila-share running, and the NetApp section.
fn assert_both_enabled(world: &World) -> Vec<(String, String)> {
    for unit in [
        MANILA_UNIT.to_owned(),
        world.only_unit("manila-generic-backend"),
        world.only_unit(NETAPP),
    ] {
        world.assert_ready(&unit);
    }
    let conf = world.manila_conf(MANILA_UNIT);
    assert_eq!(
        conf.enabled_backends(),
        ["generic", "netapp-ontap"],
        "{}",
        conf.0
    );
    for section in ["generic", "netapp-ontap", "neutron"] {
        assert_eq!(conf.headers(section), 1, "[{section}] once in\n{}", conf.0);
    }
    let share = world.service(MANILA_UNIT, "manila-share");
    assert!(share.running && share.enabled, "{share:?}");
    conf.section("netapp-ontap")
}

fn pairs(lines: &[(&str, &str)]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn without_share_servers_both_back_ends_are_enabled() {
    let world = beside_generic(&[]);
    let netapp = world.only_unit(NETAPP);
    assert_eq!(
        world.model.principal_of(&netapp).unwrap().as_deref(),
        Some(MANILA_UNIT)
    );
    let section = assert_both_enabled(&world);
    assert_eq!(
        section,
        pairs(&[
            ("share_backend_name", "netapp-ontap"),
            ("share_driver", DRIVER),
            ("driver_handles_share_servers", "False"),
            ("netapp_storage_family", "ontap_cluster"),
            ("netapp_server_hostname", "10.5.0.50"),
            ("netapp_login", "admin"),
            ("netapp_password", "ontap-pw"),
            ("netapp_transport_type", "http"),
            ("backend_availability_zone", "nova"),
            ("netapp_aggregate_name_search_pattern", "(.*)"),
            ("netapp_vserver", "svm0"),
        ])
    );
}

/// With share servers on Neutron's networks both back ends send `[neutron]` with keystone's
/// credentials for manila: they agree, so manila writes it once.
#[test]
fn with_share_servers_on_neutron_both_send_the_same_neutron_section() {
    let world = beside_generic(&[
        ("driver-handles-share-servers", true.into()),
        ("root-volume-aggregate-name", "aggr1".into()),
    ]);
    let section = assert_both_enabled(&world);
    let value = |key: &str| {
        section
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(value("driver_handles_share_servers"), Some("True"));
    assert_eq!(value("netapp_root_volume_aggregate"), Some("aggr1"));
    assert_eq!(value("netapp_vserver"), None);
    let keystone = world.keystone_credentials(MANILA);
    let neutron = world.manila_conf(MANILA_UNIT).section("neutron");
    let username = neutron.iter().find(|(k, _)| k == "username");
    assert_eq!(username.map(|(_, v)| v), Some(&keystone.username));
    assert_eq!(
        sent_neutron(&world, NETAPP),
        sent_neutron(&world, "manila-generic-backend")
    );
}

/// The `[neutron]` section `app`'s unit sent manila.
fn sent_neutron(world: &World, app: &str) -> Option<ini::Section> {
    let relation = world
        .model
        .relation_id("manila:manila-plugin", &format!("{app}:manila-plugin"))
        .unwrap();
    let bag = world
        .model
        .unit_bag(relation, &world.only_unit(app))
        .unwrap();
    let sent = BackendStatus::from_bag(&bag);
    let backend = sent.ready().unwrap_or_else(|| panic!("{app}: {sent:?}"));
    backend
        .shared
        .iter()
        .find(|s| s.name.as_str() == "neutron")
        .cloned()
}

#[test]
fn with_share_servers_on_the_standalone_network_both_are_enabled() {
    let mut world = beside_generic(&[
        ("driver-handles-share-servers", true.into()),
        ("root-volume-aggregate-name", "aggr1".into()),
    ]);
    world
        .model
        .set_config(
            NETAPP,
            [
                ("standalone-network", ConfigValue::from(true)),
                ("standalone-network-mtu", "9000".into()),
            ],
        )
        .unwrap();
    world.settle();
    let section = assert_both_enabled(&world);
    let value = |key: &str| {
        section
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(value("standalone_network_plugin_mtu"), Some("9000"));
    assert_eq!(
        value("network_api_class"),
        Some("manila.network.standalone_network_plugin.StandaloneNetworkPlugin")
    );
}

/// Hostile values in the options that reach the text: taken as the text they are (`$`
/// escaped), or refused, the back end blocking naming the option while manila keeps the
/// section it had and keeps running; putting the value back heals it.
#[test]
fn hostile_options_never_reach_manila_conf() {
    let mut world = beside_generic(&[]);
    let baseline = world.baseline(MANILA_UNIT);
    assert!(baseline.running.contains("manila-share"), "{baseline:?}");
    let section = world.manila_conf(MANILA_UNIT).section("netapp-ontap");
    let mut tally = Tally::default();
    for option in ["vserver-name", "admin-password", "goodness-function"] {
        for value in hostile::strings().into_iter().take(6) {
            let input = format!("{option}={}", hostile::shown(&value));
            let before = world.manila_conf(MANILA_UNIT).section("netapp-ontap");
            world
                .model
                .set_config(NETAPP, [(option, value.as_str())])
                .unwrap();
            world.settle_and_check(&baseline, &input, &mut tally);
            let (status, message) = world.status(&world.only_unit(NETAPP));
            if (status.as_str(), message.as_str()) == READY {
                tally.count(hostile::Outcome::Accepted);
            } else if status == "blocked" && message.contains(option) {
                tally.count(hostile::Outcome::Refused);
                let now = world.manila_conf(MANILA_UNIT).section("netapp-ontap");
                if now != before {
                    tally.violation(format!("{input}: manila.conf changed: {now:?}"));
                }
            } else {
                tally.violation(format!("{input}: {status} {message}"));
            }
        }
        match option {
            "vserver-name" => world.model.set_config(NETAPP, [(option, "svm0")]),
            "admin-password" => world.model.set_config(NETAPP, [(option, "ontap-pw")]),
            _ => world.model.reset_config(NETAPP, &[option]),
        }
        .unwrap();
        world.settle_and_check(&baseline, &format!("{option} put back"), &mut tally);
    }
    assert_eq!(assert_both_enabled(&world), section);
    assert!(
        tally.violations.is_empty(),
        "{tally}:\n{:#?}",
        tally.violations
    );
    assert!(tally.refused >= 12, "{tally}");
}
