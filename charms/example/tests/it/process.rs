//! The built binary, run as Juju runs it: scripted hook tools on `PATH`, `JUJU_*` variables,
//! a scratch machine root.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::fake_juju::FakeJuju;

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_example-charm"))
}

#[test]
fn config_changed_renders_under_the_root_sets_status_and_exits_0() {
    let fake = FakeJuju::new();
    fake.answer(
        "config-get",
        r#"{"greeting":"Hi","port":8080,"shout":false}"#,
    )
    .answer("is-leader", "true")
    .answer("state-get", "{}")
    .answer("relation-ids", "[]");
    let out = fake
        .command(binary(), "hooks/config-changed")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let conf = fake.root().join("etc/example/greeter.conf");
    let content = fs::read_to_string(&conf).unwrap();
    assert!(content.contains("greeting = \"Hi\""), "{content}");
    assert_eq!(
        fs::metadata(&conf).unwrap().permissions().mode() & 0o7777,
        0o640
    );

    let calls = fake.calls();
    let expected_in_order = [
        "config-get --all --format=json",
        "is-leader --format=json",
        "state-get --format=json -",
        "relation-ids --format=json website",
        "relation-ids --format=json greeters",
        "service example-greeter restart",
        "open-port 8080/tcp",
        "status-set active -- Greeting on port 8080",
    ];
    assert_eq!(
        calls[..expected_in_order.len()],
        expected_in_order,
        "{calls:#?}"
    );
    assert_eq!(calls.len(), expected_in_order.len() + 1, "{calls:#?}");
    assert!(calls[expected_in_order.len()].starts_with("state-set --file - <<< {"));
}

#[test]
fn an_unknown_hook_exits_0_and_only_logs() {
    let fake = FakeJuju::new();
    let out = fake
        .command(binary(), "hooks/data-storage-attached")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fake.calls(),
        ["juju-log --log-level DEBUG -- hooks/data-storage-attached: not handled by this charm, ignored"]
    );
}

#[test]
fn a_failing_hook_tool_exits_1_with_the_error_on_stderr_and_in_the_log() {
    let fake = FakeJuju::new();
    // config-get prints something that is not JSON: a transient or Juju-side failure.
    fake.answer("config-get", "not json");
    let out = fake
        .command(binary(), "hooks/config-changed")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("ERROR hook failed: config-get: unexpected output"),
        "{stderr}"
    );
    let calls = fake.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(calls[1].starts_with("juju-log --log-level ERROR -- hook failed: config-get"));
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
