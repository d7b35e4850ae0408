//! The SSH key files on the principal's machine: written (0600 private, 0644 public) with
//! a back end that logs in with SSH, removed as soon as nothing asks for them.

use emulator::scenario::{Event, State};

use crate::fixtures::{self, run, set, Ran, PLUGIN, PRIVATE_KEY, PUBLIC_KEY};

const KEY: &str = "/etc/manila/ssh_image_key";
const KEY_PUBLIC: &str = "/etc/manila/ssh_image_key.pub";

#[track_caller]
fn assert_keys_present(unit: &Ran) {
    assert_eq!(unit.file(KEY), Some((PRIVATE_KEY.to_owned(), 0o600)));
    assert_eq!(unit.file(KEY_PUBLIC), Some((PUBLIC_KEY.to_owned(), 0o644)));
}

#[track_caller]
fn assert_keys_absent(unit: &Ran) {
    assert_eq!(unit.file(KEY), None);
    assert_eq!(unit.file(KEY_PUBLIC), None);
}

/// config-changed on a ready unit with share servers and `auth_type`, `name` set to `value`.
fn reconfigured(auth_type: &str, name: &str, value: impl Into<serde_json::Value>) -> Ran {
    let mut state = fixtures::ready(true, auth_type).state();
    set(&mut state, name, value);
    run(Event::ConfigChanged, &state)
}

#[test]
fn ssh_and_both_write_the_keys_with_their_modes() {
    for share_servers in fixtures::SHARE_SERVERS {
        for auth in ["ssh", "both"] {
            assert_keys_present(&fixtures::ready(share_servers, auth));
        }
    }
}

#[test]
fn without_ssh_no_key_is_written() {
    for auth in ["", "password"] {
        assert_keys_absent(&fixtures::ready(true, auth));
    }
}

#[test]
fn keys_wait_for_the_credentials() {
    let state = fixtures::related(
        fixtures::configured(true, "ssh"),
        fixtures::credentials_pending(),
    );
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_keys_absent(&unit);
    let state = fixtures::with_principal_bag(unit.state(), PLUGIN, fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_keys_present(&unit);
}

#[test]
fn switching_to_password_removes_the_keys() {
    let unit = reconfigured("ssh", "driver-auth-type", "password");
    assert_keys_absent(&unit);
    assert!(!unit.published(PLUGIN)["_configuration_data"].contains("path_to_private_key"));
}

#[test]
fn clearing_a_key_removes_both_files_although_the_config_is_then_incomplete() {
    let unit = reconfigured("both", "driver-service-ssh-key", "");
    assert_keys_absent(&unit);
    assert!(unit.status().starts_with("blocked: Set both"));
}

/// A typo is an invalid configuration: the last valid one (ssh) stays in force, keys and
/// back end with it, until the operator fixes it.
#[test]
fn a_mistyped_auth_type_keeps_the_last_valid_configuration_and_its_keys() {
    let published = fixtures::ready(true, "ssh").published(PLUGIN);
    let unit = reconfigured("ssh", "driver-auth-type", "shh");
    assert_keys_present(&unit);
    assert_eq!(unit.published(PLUGIN), published);
    assert!(unit
        .status()
        .starts_with("blocked: Invalid config: 'driver-auth-type'"));
}

#[test]
fn an_unrelated_invalid_option_leaves_the_keys_and_the_back_end_alone() {
    let published = fixtures::ready(true, "ssh").published(PLUGIN);
    let unit = reconfigured("ssh", "driver-service-instance-flavor-id", -1);
    assert_keys_present(&unit);
    assert_eq!(unit.published(PLUGIN), published);
}

#[test]
fn keys_go_when_the_principal_does_and_when_the_unit_is_removed() {
    let state = fixtures::ready(true, "ssh").state();
    let unit = run(Event::RelationBroken { relation: PLUGIN }, &state);
    assert_keys_absent(&unit);

    let stopped = run(Event::Stop, &state);
    assert_keys_present(&stopped);
    let removed = run(Event::Remove, &stopped.state());
    assert_keys_absent(&removed);
}

#[test]
fn changed_keys_are_rewritten_and_indentation_from_pasting_is_dropped() {
    let mut state = fixtures::ready(true, "ssh").state();
    let indented: String = PRIVATE_KEY.lines().map(|l| format!("    {l}\n")).collect();
    set(&mut state, "driver-service-ssh-key", indented);
    set(
        &mut state,
        "driver-service-ssh-key-public",
        format!("  {}  ", PUBLIC_KEY.trim_end()),
    );
    let unit = run(Event::ConfigChanged, &state);
    assert_keys_present(&unit);
    let mut state: State = unit.state();
    set(
        &mut state,
        "driver-service-ssh-key",
        include_str!("../fixtures/keys/rsa-legacy"),
    );
    set(
        &mut state,
        "driver-service-ssh-key-public",
        include_str!("../fixtures/keys/rsa-legacy.pub"),
    );
    let unit = run(Event::ConfigChanged, &state);
    assert_eq!(
        unit.file(KEY_PUBLIC),
        Some((
            include_str!("../fixtures/keys/rsa-legacy.pub").to_owned(),
            0o644
        ))
    );
}
