//! The hook-tool shim as jujuc's client: environment checks, the context id, lazy stdin.

use std::process::Command;

use emulator::DeployOptions;

use crate::support::{Scratch, TestCharm};

#[test]
fn outside_a_hook_the_shim_says_which_variable_is_missing() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha").write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let tool = model.dir().join("units/alpha-0/tools/relation-get");
    let output = Command::new(&tool).env_clear().output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ERROR JUJU_CONTEXT_ID not set\n"
    );
    let output = Command::new(&tool)
        .env_clear()
        .env("JUJU_CONTEXT_ID", "alpha/0-install-0")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "ERROR JUJU_AGENT_SOCKET_ADDRESS not set\n"
    );
}

#[test]
fn a_wrong_context_id_is_refused_and_stdin_is_read_only_when_asked_for() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let charm = TestCharm::new("alpha")
        .metadata("peers:\n  cluster:\n    interface: alpha\n")
        .recording(
            &scratch.trace(),
            &format!(
                r#"if [ "$HOOK" = cluster-relation-created ]; then
  JUJU_CONTEXT_ID=bogus is-leader 2> {out}.wrong || echo "code=$?" >> {out}.wrong
  printf 'from-stdin: "yes"\n' | relation-set --file -
  # A tool that never reads stdin does not block on an open, silent stdin.
  mkfifo {out}.fifo
  is-leader <> {out}.fifo > {out}.leader
fi
true"#,
                out = out.display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    let log: Vec<String> = model.debug_log().iter().map(|e| e.render()).collect();
    assert!(report.units_in_error.is_empty(), "{log:#?}");
    assert_eq!(
        std::fs::read_to_string(out.with_extension("wrong")).unwrap(),
        "ERROR bad request: wrong context ID; got \"bogus\"\ncode=1\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.with_extension("leader")).unwrap(),
        "True\n"
    );
    let peer = model.relation_id("alpha:cluster", "alpha:cluster").unwrap();
    assert_eq!(
        model.unit_bag(peer, "alpha/0").unwrap()["from-stdin"],
        "yes"
    );
}

#[test]
fn the_shim_prints_and_exits_as_the_engine_answers() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .recording(
            &scratch.trace(),
            &format!(
                r#"if [ "$HOOK" = install ]; then status-set bogus 2> {err} || echo "code=$?" >> {err}; fi"#,
                err = scratch.path().join("err").display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("alpha", &charm, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let err = std::fs::read_to_string(scratch.path().join("err")).unwrap();
    assert!(err.starts_with("ERROR invalid status \"bogus\""), "{err}");
    assert!(err.ends_with("code=2\n"), "{err}");
}
