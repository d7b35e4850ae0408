//! The built binary, run as Juju runs it: scripted hook tools on `PATH`, the `JUJU_*`
//! variables of a subordinate unit, a scratch machine root.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use crate::fake_juju::FakeJuju;
use crate::fixtures::{AUTHENTICATION, PRIVATE_KEY, PUBLIC_KEY};

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_manila-generic-backend"))
}

fn assert_exit_0(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A unit configured for share servers with ssh, related to `manila/0`, which has sent its
/// credentials.
fn related_unit() -> FakeJuju {
    let fake = FakeJuju::new();
    let config = serde_json::json!({
        "share-backend-name": "generic",
        "driver-handles-share-servers": true,
        "driver-service-image-name": "manila-service-image",
        "driver-service-instance-flavor-id": 100,
        "driver-connect-share-server-to-tenant-network": true,
        "driver-service-instance-user": "manila",
        "driver-auth-type": "ssh",
        "driver-service-instance-password": "",
        "driver-service-ssh-key": PRIVATE_KEY,
        "driver-service-ssh-key-public": PUBLIC_KEY,
        "driver-keypair-name": "manila-service",
        "share-protocols": "NFS CIFS",
        "debug": false,
        "verbose": false,
        "openstack-origin": "distro",
    });
    let principal = serde_json::json!({ "_authentication_data": AUTHENTICATION });
    fake.answer("config-get", &config.to_string())
        .answer("state-get", "{}")
        .answer("relation-ids", r#"["manila-plugin:3"]"#)
        .answer("relation-list", r#"["manila/0"]"#)
        .answer("relation-get", "{}")
        .answer_to(
            "relation-get",
            "--format=json -r manila-plugin:3 - manila/0",
            &principal.to_string(),
        );
    fake
}

#[test]
fn relation_changed_publishes_writes_the_keys_and_exits_0() {
    let fake = related_unit();
    let out = fake
        .command(binary(), "hooks/manila-plugin-relation-changed")
        .env("JUJU_RELATION", "manila-plugin")
        .env("JUJU_RELATION_ID", "manila-plugin:3")
        .env("JUJU_REMOTE_UNIT", "manila/0")
        .env("JUJU_REMOTE_APP", "manila")
        .output()
        .unwrap();
    assert_exit_0(&out);

    let key = fake.root().join("etc/manila/ssh_image_key");
    assert_eq!(fs::read_to_string(&key).unwrap(), PRIVATE_KEY);
    assert_eq!(
        fs::metadata(&key).unwrap().permissions().mode() & 0o7777,
        0o600
    );
    let public = fake.root().join("etc/manila/ssh_image_key.pub");
    assert_eq!(
        fs::metadata(&public).unwrap().permissions().mode() & 0o7777,
        0o644
    );

    let calls = fake.calls();
    let expected_in_order = [
        "config-get --all --format=json",
        "state-get --format=json -",
        "relation-ids --format=json manila-plugin",
        "relation-list --format=json -r manila-plugin:3",
        "relation-get --format=json -r manila-plugin:3 - manila/0",
        "relation-get --format=json -r manila-plugin:3 - manila-generic-backend/0",
    ];
    assert_eq!(
        calls[..expected_in_order.len()],
        expected_in_order,
        "{calls:#?}"
    );
    let rest = &calls[expected_in_order.len()..];
    assert_eq!(rest.len(), 3, "{calls:#?}");
    let (argv, stdin) = rest[0].split_once(" <<< ").unwrap();
    assert_eq!(argv, "relation-set -r manila-plugin:3 --file -");
    let sent: charm::Databag = serde_json::from_str(stdin).unwrap();
    assert_eq!(sent["_name"], "generic");
    assert!(
        sent["_configuration_data"].contains(r"path_to_private_key = /etc/manila/ssh_image_key\n")
    );
    assert_eq!(rest[1], "status-set active -- Unit is ready");
    assert!(rest[2].starts_with("state-set --file - <<< {"));
    // Neither the key nor the password reaches the log or unit state.
    assert!(!rest[2].contains("OPENSSH") && !rest[2].contains("s3cret"));
}

#[test]
fn the_pause_action_reports_the_paused_status() {
    let fake = related_unit();
    fake.answer("action-get", "{}");
    let out = fake.command(binary(), "actions/pause").output().unwrap();
    assert_exit_0(&out);
    let calls = fake.calls();
    assert!(
        calls.contains(
            &"status-set maintenance -- Paused. Use 'resume' action to resume normal service."
                .to_owned()
        ),
        "{calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("state-set") && c.contains(r#""charm.paused":"true""#)),
        "{calls:#?}"
    );
    assert!(
        !calls.iter().any(|c| c.starts_with("action-fail")),
        "{calls:#?}"
    );
}

#[test]
fn a_principal_that_sends_garbage_does_not_fail_the_hook() {
    let fake = related_unit();
    fake.answer_to(
        "relation-get",
        "--format=json -r manila-plugin:3 - manila/0",
        r#"{"_authentication_data": "{\"data\": 42}"}"#,
    );
    let out = fake
        .command(binary(), "hooks/config-changed")
        .output()
        .unwrap();
    assert_exit_0(&out);
    let calls = fake.calls();
    assert!(
        calls.contains(&"status-set waiting -- 'manila-plugin' incomplete".to_owned()),
        "{calls:#?}"
    );
    assert!(
        !calls.iter().any(|c| c.starts_with("relation-set")),
        "{calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("juju-log --log-level WARNING -- ignoring")),
        "{calls:#?}"
    );
}

#[test]
fn outside_a_hook_the_binary_says_so() {
    let out = std::process::Command::new(binary())
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JUJU_UNIT_NAME is not set"));
}
