//! The unit's status, with the reference charm's messages, in its order: paused, the
//! configuration, the relation, ready.

use emulator::scenario::{Event, State};

use crate::fixtures::{self, run, set, Mode, PLUGIN};

/// The status after config-changed on a unit related to a principal that sent credentials,
/// with `config` over the defaults.
fn status_with(config: &[(&str, serde_json::Value)]) -> String {
    let mut state = fixtures::related(State::default(), fixtures::credentials());
    for (name, value) in config {
        set(&mut state, name, value.clone());
    }
    run(Event::ConfigChanged, &state).status()
}

/// As the reference's Zed branch, the message stays across hooks, update-status included.
#[test]
fn the_defaults_are_missing_what_the_reference_says() {
    let missing =
        "blocked: Missing configs: ['management-address', 'admin-password', 'vserver-name']";
    assert_eq!(status_with(&[]), missing);
    let state = fixtures::related(State::default(), fixtures::credentials());
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(run(Event::UpdateStatus, &unit.state()).status(), missing);
}

#[test]
fn each_mode_requires_its_own_options() {
    let dhss = ("driver-handles-share-servers", true.into());
    let standalone = ("standalone-network", true.into());
    let cases = [
        (
            vec![dhss.clone()],
            "['management-address', 'admin-password', 'root-volume-aggregate-name']",
        ),
        (
            vec![
                dhss.clone(),
                standalone.clone(),
                ("standalone-network-gateway", "".into()),
                ("standalone-network-mask", "".into()),
            ],
            "['management-address', 'admin-password', 'root-volume-aggregate-name', \
             'standalone-network-gateway', 'standalone-network-mask']",
        ),
        (
            vec![
                ("share-backend-name", "".into()),
                ("admin-name", "".into()),
                ("vserver-name", "svm0".into()),
            ],
            "['share-backend-name', 'management-address', 'admin-name', 'admin-password']",
        ),
        // The standalone network is the share servers' only: without them it asks nothing.
        (
            vec![standalone, ("standalone-network-gateway", "".into())],
            "['management-address', 'admin-password', 'vserver-name']",
        ),
    ];
    for (config, missing) in cases {
        let expected = format!("blocked: Missing configs: {missing}");
        assert_eq!(status_with(&config), expected, "{config:?}");
    }
}

#[test]
fn an_invalid_value_blocks_naming_the_option() {
    let cases = [
        (
            ("transport-type", "ftp"),
            "'transport-type': expected one of http, https, got \"ftp\"",
        ),
        (
            ("share-backend-name", "neutron"),
            "'share-backend-name': \"neutron\" is a section Manila or its libraries use, not a \
             back end's name",
        ),
        (
            ("standalone-network-network-type", "VLAN 7"),
            "'standalone-network-network-type': expected one of flat, vlan, vxlan, gre, got \
             \"VLAN 7\"",
        ),
        (
            ("enabled-share-protocols", "nfs3,cifs"),
            "'enabled-share-protocols': expected one of nfs3, nfs4.0, nfs4.1, got \"cifs\"",
        ),
        (
            ("netapp-server-port", "http"),
            "'netapp-server-port': invalid digit found in string",
        ),
        (
            ("management-address", "ontap.example.com/api"),
            "'management-address': expected a host name or IP address, got \
             \"ontap.example.com/api\"",
        ),
        (
            ("vserver-name", "svm 0"),
            "'vserver-name': expected a name of letters, digits, '_', '-' and '.', got \"svm 0\"",
        ),
        (
            ("standalone-network-mask", "255.0.255.0"),
            "'standalone-network-mask': expected a prefix length or a netmask, got \
             \"255.0.255.0\"",
        ),
        (
            ("standalone-network-allowed-ip-ranges", "10.0.0.9-10.0.0.1"),
            "'standalone-network-allowed-ip-ranges': expected an IP address or a range of them \
             (a-b), got \"10.0.0.9-10.0.0.1\"",
        ),
        (
            ("admin-password", "pass\nword"),
            "'admin-password': contains a line break or another control character",
        ),
        (
            ("goodness-function", "a \\$b"),
            "'goodness-function': contains '\\$', which oslo.config cannot read back",
        ),
    ];
    for ((option, value), message) in cases {
        assert_eq!(
            status_with(&[(option, value.into())]),
            format!("blocked: Invalid config: {message}")
        );
    }
}

#[test]
fn the_relation_is_checked_after_the_configuration() {
    let unit = run(Event::Install, &State::default());
    assert_eq!(
        unit.status(),
        "blocked: Missing configs: ['management-address', 'admin-password', 'vserver-name']"
    );
    let mut state = unit.state();
    state.config = fixtures::configured(Mode::Svm).config;
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.status(), "blocked: Missing relations: manila-plugin");
    let state = fixtures::related(unit.state(), charm::Bag::new());
    let unit = run(Event::relation_joined(PLUGIN, fixtures::PRINCIPAL), &state);
    assert_eq!(unit.status(), "active: Unit is ready");
    let unit = run(Event::RelationBroken { relation: PLUGIN }, &unit.state());
    assert_eq!(unit.status(), "blocked: Missing relations: manila-plugin");
}

/// Only the `[neutron]` section needs the principal's credentials: the unit waits for them
/// there, and names what it sent that it cannot use.
#[test]
fn on_neutrons_networks_the_unit_waits_for_the_credentials() {
    let state = fixtures::related(fixtures::configured(Mode::Neutron), charm::Bag::new());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.status(), "waiting: 'manila-plugin' incomplete");
    let bad = fixtures::principal(r#"{"data": {"username": 7}}"#);
    let state = fixtures::with_principal_bag(unit.state(), PLUGIN, bad);
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert!(
        unit.status().starts_with("blocked: 'manila-plugin' "),
        "{}",
        unit.status()
    );
    for mode in [Mode::Svm, Mode::Standalone] {
        let state = fixtures::related(fixtures::configured(mode), charm::Bag::new());
        let unit = run(fixtures::changed(&state, PLUGIN), &state);
        assert_eq!(unit.status(), "active: Unit is ready", "{mode:?}");
    }
}

#[test]
fn update_status_keeps_a_ready_unit_ready_and_sends_nothing() {
    for mode in Mode::ALL {
        let unit = run(Event::UpdateStatus, &fixtures::ready(mode).state());
        assert_eq!(unit.status(), "active: Unit is ready");
        let calls = unit.out.commands();
        let quiet = |c: &String| !c.starts_with("relation-set") && !c.starts_with("status-set");
        assert!(calls.iter().all(quiet), "{calls:#?}");
    }
}
