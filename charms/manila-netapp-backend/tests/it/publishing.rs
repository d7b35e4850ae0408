//! When the back end is sent, that only changed keys are written, and that bad input never
//! takes a working back end away.

use charm::Bag;
use emulator::scenario::Event;

use crate::fixtures::{self, run, set, Mode, AUTHENTICATION, PLUGIN};

#[test]
fn nothing_is_sent_while_the_configuration_is_incomplete() {
    let state = fixtures::related(Default::default(), fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.published(PLUGIN), Bag::new());
    let mut state = unit.state();
    state.config = fixtures::configured(Mode::Svm).config;
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.published(PLUGIN)["_name"], "netapp-ontap");
}

/// Without a `[neutron]` section the credentials are not needed: the back end goes out as
/// soon as the relation is there (the reference waits for them with share servers on the
/// standalone network too, which use none).
#[test]
fn only_the_neutron_section_waits_for_the_credentials() {
    for mode in Mode::ALL {
        let state = fixtures::related(fixtures::configured(mode), Bag::new());
        let unit = run(fixtures::changed(&state, PLUGIN), &state);
        assert_eq!(
            unit.text(PLUGIN).is_none(),
            mode == Mode::Neutron,
            "{mode:?}"
        );
        let state = fixtures::with_principal_bag(unit.state(), PLUGIN, fixtures::credentials());
        let unit = run(fixtures::changed(&state, PLUGIN), &state);
        let text = unit.text(PLUGIN).unwrap();
        assert_eq!(
            text.contains("\n[neutron]\n"),
            mode == Mode::Neutron,
            "{text}"
        );
    }
}

#[test]
fn a_hook_that_changes_nothing_writes_nothing() {
    for mode in Mode::ALL {
        let state = fixtures::ready(mode).state();
        for event in [
            Event::ConfigChanged,
            Event::UpdateStatus,
            Event::UpgradeCharm,
            fixtures::changed(&state, PLUGIN),
        ] {
            let unit = run(event.clone(), &state);
            assert_eq!(unit.relation_sets(), Vec::<String>::new(), "{event:?}");
        }
    }
}

#[test]
fn a_changed_option_rewrites_the_configuration_and_a_new_name_both_keys() {
    let mut state = fixtures::ready(Mode::Svm).state();
    set(&mut state, "vserver-name", "svm1");
    let unit = run(Event::ConfigChanged, &state);
    assert!(unit
        .text(PLUGIN)
        .unwrap()
        .contains("netapp_vserver = svm1\n"));
    assert_eq!(unit.published(PLUGIN)["_name"], "netapp-ontap");
    let mut state = unit.state();
    set(&mut state, "share-backend-name", "ontap-2");
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(unit.published(PLUGIN)["_name"], "ontap-2");
    assert!(unit.text(PLUGIN).unwrap().starts_with("[ontap-2]\n"));
}

#[test]
fn rotated_credentials_are_passed_on() {
    let state = fixtures::with_principal_bag(
        fixtures::ready(Mode::Neutron).state(),
        PLUGIN,
        fixtures::principal(&AUTHENTICATION.replace("s3cret", "n3w")),
    );
    let text = run(fixtures::changed(&state, PLUGIN), &state)
        .text(PLUGIN)
        .unwrap();
    assert!(
        text.contains("password = n3w") && !text.contains("s3cret"),
        "{text}"
    );
}

/// While the operator fixes the configuration, manila keeps the last working back end: an
/// invalid value leaves the last valid configuration in force, a missing one sends nothing.
#[test]
fn bad_or_incomplete_configuration_leaves_what_was_sent() {
    let ready = fixtures::ready(Mode::Neutron);
    let published = ready.published(PLUGIN);
    for (option, value, status) in [
        (
            "transport-type",
            "gopher",
            "blocked: Invalid config: 'transport-type': expected one of http, https, got \
             \"gopher\"",
        ),
        (
            "root-volume-aggregate-name",
            "",
            "blocked: Missing configs: ['root-volume-aggregate-name']",
        ),
    ] {
        let mut state = ready.state();
        set(&mut state, option, value);
        let unit = run(Event::ConfigChanged, &state);
        assert_eq!(unit.relation_sets(), Vec::<String>::new());
        assert_eq!(unit.published(PLUGIN), published);
        assert_eq!(unit.status(), status);
    }
}

/// Unusable credentials keep the last good ones in the text; the status names the unit.
#[test]
fn unusable_credentials_keep_the_last_good_ones() {
    let ready = fixtures::ready(Mode::Neutron);
    let text = ready.text(PLUGIN).unwrap();
    let broken = fixtures::principal(&AUTHENTICATION.replace("s3cret", "s3\\u000acret"));
    let state = fixtures::with_principal_bag(ready.state(), PLUGIN, broken);
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.text(PLUGIN).unwrap(), text);
    let status = unit.status();
    assert!(
        status.starts_with("blocked: 'manila-plugin' from manila/0: ")
            && status.ends_with("(using the last good data)"),
        "{status}"
    );
}

#[test]
fn a_second_relation_gets_its_own_publication() {
    let state = fixtures::relate_to(
        fixtures::ready(Mode::Neutron).state(),
        4,
        "manila-share/0",
        fixtures::principal(&AUTHENTICATION.replace("s3cret", "other")),
    );
    let unit = run(fixtures::changed(&state, 4), &state);
    assert!(unit.text(PLUGIN).unwrap().contains("password = s3cret"));
    assert!(unit.text(4).unwrap().contains("password = other"));
    assert_eq!(unit.status(), "active: Unit is ready");
}

/// The inputs and the plan are debuggable without showing a password.
#[test]
fn debug_output_shows_no_secret() {
    let ready = fixtures::ready(Mode::Neutron);
    let shown = format!("{:?}", ready.out.logs);
    for secret in ["s3cret", "ontap-pw"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    let raw =
        charm::RawConfig::defaults(<manila_netapp_backend::Config as charm::Options>::OPTIONS)
            .with("admin-password", "ontap-pw");
    let config = <manila_netapp_backend::Config as charm::Options>::from_raw(&raw).unwrap();
    assert!(!format!("{config:?}").contains("ontap-pw"));
}
