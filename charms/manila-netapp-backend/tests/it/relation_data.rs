//! The exact relation data this side writes: `_name` and `_configuration_data` as Python's
//! `json.dumps({"data": {...}})` writes it, with the text of each driver mode snapshotted for
//! review, and the principal's side of the interface accepting it.

use emulator::scenario::Event;
use manila_plugin::BackendStatus;

use crate::fixtures::{self, run, set, Mode, PLUGIN};

/// A first publication, written out by hand: one `relation-set` carrying both keys.
#[test]
fn golden_first_publication_without_share_servers() {
    let ready = fixtures::ready(Mode::Svm);
    let expected = concat!(
        r#"{"data": {"/etc/manila/manila.conf": ""#,
        r#"[netapp-ontap]\nshare_backend_name = netapp-ontap\n"#,
        r#"share_driver = manila.share.drivers.netapp.common.NetAppDriver\n"#,
        r#"driver_handles_share_servers = False\nnetapp_storage_family = ontap_cluster\n"#,
        r#"netapp_server_hostname = 10.5.0.50\nnetapp_login = admin\n"#,
        r#"netapp_password = ontap-pw\nnetapp_transport_type = http\n"#,
        r#"backend_availability_zone = nova\n"#,
        r#"netapp_aggregate_name_search_pattern = (.*)\nnetapp_vserver = svm0\n"#,
        r#""}}"#,
    );
    let bag = ready.published(PLUGIN);
    assert_eq!(bag["_configuration_data"], expected);
    assert_eq!(bag["_name"], "netapp-ontap");
    assert_eq!(bag.len(), 2);
    assert_eq!(
        ready.relation_sets(),
        ["relation-set -r manila-plugin:3 --file -"]
    );
}

/// Each mode's text, snapshotted; the principal accepts it, its own section and (on
/// Neutron's networks) `[neutron]`, and reads back the same section.
#[test]
fn each_mode_publishes_its_section_and_the_principal_accepts_it() {
    for mode in Mode::ALL {
        let ready = fixtures::ready(mode);
        let bag = ready.published(PLUGIN);
        let received = BackendStatus::from_bag(&bag);
        let backend = received.ready().unwrap_or_else(|| panic!("{received:?}"));
        assert_eq!(backend.name.as_str(), "netapp-ontap");
        let shared: Vec<&str> = backend.shared.iter().map(|s| s.name.as_str()).collect();
        let neutron: &[&str] = if mode == Mode::Neutron {
            &["neutron"]
        } else {
            &[]
        };
        assert_eq!(shared, neutron, "{mode:?}");
        let text = ready.text(PLUGIN).unwrap();
        let parsed = ini::Document::parse(&text).unwrap();
        assert_eq!(backend.own.as_ref(), parsed.section("netapp-ontap"));
        insta::assert_snapshot!(mode.name(), text);
    }
}

/// Every option that reaches the text set away from its default, in the mode that uses it:
/// each value appears once, as the option says, and the empty ones leave their line out.
#[test]
fn every_option_reaches_its_key() {
    let mut state = fixtures::configured(Mode::Standalone);
    for (option, value) in [
        ("share-backend-name", "ontap-2"),
        ("admin-name", "vsadmin"),
        ("transport-type", "HTTPS"),
        ("netapp-server-port", "8443"),
        ("backend-availability-zone", "az 2"),
        ("root-volume-name", "svm_root"),
        ("aggregate-name-search-pattern", "^aggr_(ssd|hdd)$"),
        ("enabled-share-protocols", "nfs4.1, NFS4.0"),
        ("standalone-network-network-type", "vlan"),
        ("standalone-network-segmentation-id", "1010"),
        ("standalone-network-mtu", "9000"),
        (
            "standalone-network-allowed-ip-ranges",
            "10.0.0.10-10.0.0.99, 10.0.0.200",
        ),
        ("standalone-network-mask", "255.255.255.0"),
        ("standalone-network-gateway", "10.0.0.1"),
        (
            "goodness-function",
            "capabilities.total_capacity_gb > 10 ? 100 : 0",
        ),
    ] {
        set(&mut state, option, value);
    }
    let state = fixtures::related(state, fixtures::credentials());
    let text = run(fixtures::changed(&state, PLUGIN), &state)
        .text(PLUGIN)
        .unwrap();
    insta::assert_snapshot!("every_option", text);
    let mut state = fixtures::configured(Mode::Standalone);
    for option in [
        "transport-type",
        "netapp-server-port",
        "backend-availability-zone",
        "aggregate-name-search-pattern",
        "root-volume-name",
        "enabled-share-protocols",
        "standalone-network-network-type",
        "standalone-network-mtu",
    ] {
        set(&mut state, option, "");
    }
    let text = run(
        Event::ConfigChanged,
        &fixtures::related(state, fixtures::credentials()),
    )
    .text(PLUGIN)
    .unwrap();
    insta::assert_snapshot!("empty_optional_options", text);
}

/// Python's `json.dumps` writes non-ASCII as `\uXXXX` (ensure_ascii); so does this side.
#[test]
fn non_ascii_values_are_escaped_as_python_does() {
    let mut state = fixtures::configured(Mode::Svm);
    set(&mut state, "admin-password", "pässwörd");
    let state = fixtures::related(state, fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    let wrapped = &unit.published(PLUGIN)["_configuration_data"];
    assert!(
        wrapped.contains(r"netapp_password = p\u00e4ssw\u00f6rd\n"),
        "{wrapped}"
    );
}
