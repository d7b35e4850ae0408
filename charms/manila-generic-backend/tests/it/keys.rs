//! The SSH key files on the principal's machine: written (0600 private, 0644 public) with
//! a back end that logs in with SSH, removed as soon as nothing asks for them.

use crate::fixtures::{self, PRIVATE_KEY, PUBLIC_KEY};
use crate::model::Model;

const KEY: &str = "/etc/manila/ssh_image_key";
const KEY_PUBLIC: &str = "/etc/manila/ssh_image_key.pub";

fn assert_keys_present(model: &Model) {
    assert_eq!(model.file(KEY), Some((PRIVATE_KEY.to_owned(), 0o600)));
    assert_eq!(
        model.file(KEY_PUBLIC),
        Some((format!("{PUBLIC_KEY}\n"), 0o644))
    );
}

fn assert_keys_absent(model: &Model) {
    assert_eq!(model.file(KEY), None);
    assert_eq!(model.file(KEY_PUBLIC), None);
}

#[test]
fn ssh_and_both_write_the_keys_with_their_modes() {
    for share_servers in fixtures::SHARE_SERVERS {
        for auth in ["ssh", "both"] {
            let model = fixtures::ready(share_servers, auth);
            assert_keys_present(&model);
        }
    }
}

#[test]
fn without_ssh_no_key_is_written() {
    for auth in ["", "password"] {
        let model = fixtures::ready(true, auth);
        assert_keys_absent(&model);
    }
}

#[test]
fn keys_wait_for_the_credentials() {
    let model = Model::new();
    fixtures::configure(&model, true, "ssh");
    model.relate(3, fixtures::credentials_pending());
    model.relation_hook("changed", 3);
    assert_keys_absent(&model);
    model.set_principal_bag(3, fixtures::credentials());
    model.relation_hook("changed", 3);
    assert_keys_present(&model);
}

#[test]
fn switching_to_password_removes_the_keys() {
    let model = fixtures::ready(true, "ssh");
    model.set_config("driver-auth-type", "password");
    model.hook("config-changed");
    assert_keys_absent(&model);
    assert!(!model.published(3)["_configuration_data"].contains("path_to_private_key"));
}

#[test]
fn clearing_a_key_removes_both_files_although_the_config_is_then_incomplete() {
    let model = fixtures::ready(true, "both");
    model.set_config("driver-service-ssh-key", "");
    model.hook("config-changed");
    assert_keys_absent(&model);
    assert!(model.status().starts_with("blocked: Set both"));
}

#[test]
fn a_mistyped_auth_type_removes_the_keys() {
    let model = fixtures::ready(true, "ssh");
    model.set_config("driver-auth-type", "shh");
    model.hook("config-changed");
    assert_keys_absent(&model);
}

#[test]
fn an_unrelated_invalid_option_leaves_the_keys_and_the_back_end_alone() {
    let model = fixtures::ready(true, "ssh");
    let published = model.published(3);
    model.set_config("driver-service-instance-flavor-id", -1);
    model.hook("config-changed");
    assert_keys_present(&model);
    assert_eq!(model.published(3), published);
}

#[test]
fn keys_go_when_the_principal_does_and_when_the_unit_is_removed() {
    let model = fixtures::ready(true, "ssh");
    model.unrelate(3);
    model.relation_hook("broken", 3);
    assert_keys_absent(&model);

    let model = fixtures::ready(true, "ssh");
    model.hook("stop");
    assert_keys_present(&model);
    model.hook("remove");
    assert_keys_absent(&model);
}

#[test]
fn changed_keys_are_rewritten_and_indentation_from_pasting_is_dropped() {
    let model = fixtures::ready(true, "ssh");
    let indented: String = PRIVATE_KEY.lines().map(|l| format!("    {l}\n")).collect();
    model.set_config("driver-service-ssh-key", indented);
    model.set_config("driver-service-ssh-key-public", format!("  {PUBLIC_KEY}  "));
    model.hook("config-changed");
    assert_keys_present(&model);
    model.set_config("driver-service-ssh-key-public", "ssh-ed25519 AAAAother x@y");
    model.hook("config-changed");
    assert_eq!(
        model.file(KEY_PUBLIC),
        Some(("ssh-ed25519 AAAAother x@y\n".to_owned(), 0o644))
    );
}
