//! The built binary's exit policy, run as Juju runs it: inside a hook context of a unit
//! deployed in the emulator (`juju exec`), and outside any hook.

use std::path::Path;

use crate::emulator::deployed;

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_example-charm"))
}

/// Runs the charm's `dispatch` in a hook context of greeter/0 as hook `dispatch_path`, with
/// `env` on top, as Juju would run that hook.
fn dispatch(
    dispatch_path: &str,
    env: &str,
) -> (tempfile::TempDir, emulator::Model, emulator::ExecResult) {
    let (dir, mut model) = deployed(1);
    let out = model
        .exec(
            "greeter/0",
            &[&format!(
                "JUJU_DISPATCH_PATH={dispatch_path} {env} \"$CHARM_DIR/dispatch\""
            )],
        )
        .unwrap();
    (dir, model, out)
}

#[test]
fn an_unknown_hook_exits_0_without_a_hook_tool_call() {
    let (_dir, mut model) = deployed(1);
    let calls_before = model.tool_calls().len();
    let out = model
        .exec(
            "greeter/0",
            &["JUJU_DISPATCH_PATH=hooks/data-storage-attached \"$CHARM_DIR/dispatch\""],
        )
        .unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    let calls = &model.tool_calls()[calls_before..];
    assert!(calls.is_empty(), "{calls:#?}");
    // The same context does record the calls a command makes.
    model.exec("greeter/0", &["is-leader"]).unwrap();
    assert_eq!(model.tool_calls().len(), calls_before + 1);
}

#[test]
fn a_failing_hook_tool_exits_1_with_the_error_on_stderr() {
    // A context Juju does not know (a hook that outlived its context, say): every hook tool
    // fails, state-get (what earlier hooks kept) first.
    let (_dir, _model, out) = dispatch("hooks/config-changed", "JUJU_CONTEXT_ID=greeter/0-gone-0");
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.starts_with("ERROR hook failed: state-get"),
        "{out:?}"
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
