//! A plan's commands: those before the services start, those after (with a secret on their
//! standard input), and `converge` deciding again after the latter.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use charm::plan::{apply, converge, Command, Plan, PlannedFile, ServiceState};
use charm::{dispatch, Outcome, RenderedFile, UnitStatus};
use host::FileSpec;
use juju::testing::Recorder;
use juju::Status;
use secret::Secret;
use serde_json::json;

use crate::support::{demo_charm, env, Machine};

/// Puts `tool` on the machine: it logs its arguments and what it read on stdin to the
/// machine's service log (the shell's `read`: the machine's search path has no `cat`) (beside the `service` calls, so the order shows), and exits `code`.
fn with_tool(machine: &Machine, code: i32) {
    let bin = machine.path("/").parent().unwrap().join("bin");
    let log = bin.parent().unwrap().join("service.log");
    let script = bin.join("tool");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\nIFS= read -r input\necho \"tool $* <<< $input\" >> '{}'\nexit {code}\n",
            log.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
}

// A file demo-api reads (its content the `value` option), a command before the services and
// one after them with a password on stdin.
demo_charm!(Both, |ctx, event| {
    let value = ctx.config()?.string("value")?;
    let mut plan = Plan::status(UnitStatus::new(Status::Active, ""));
    plan.files = vec![PlannedFile::new(
        RenderedFile {
            path: "/etc/demo/demo.conf".into(),
            content: value,
            spec: FileSpec::new("root", "root", 0o644),
        },
        &["demo-api"],
    )];
    plan.commands = vec![Command::new("tool", &["before"])];
    plan.services = vec![("demo-api".into(), ServiceState::Run)];
    plan.after_start = vec![Command::new("tool", &["after"]).with_input(Secret::new("s3cret"))];
    apply(ctx, plan)?;
    Ok(())
});

#[test]
fn after_start_commands_run_once_the_services_are_up_with_their_input_on_stdin() {
    let machine = Machine::new();
    with_tool(&machine, 0);
    let rec = Recorder::new()
        .answer("config-get", &json!({ "value": "one" }).to_string())
        .answer("state-get", "{}");
    let outcome = dispatch::<Both, _>(env("hooks/config-changed"), &rec, machine.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        machine.service_calls(),
        [
            "tool before <<< ",
            "demo-api restart",
            "tool after <<< s3cret"
        ]
    );
    let sent: Vec<String> = rec.calls().iter().map(|c| c.argv().join(" ")).collect();
    assert!(sent.iter().all(|c| !c.contains("s3cret")), "{sent:?}");
}

#[test]
fn a_failing_after_start_command_fails_the_hook_and_sends_nothing() {
    let machine = Machine::new();
    with_tool(&machine, 1);
    let rec = Recorder::new()
        .answer("config-get", &json!({ "value": "one" }).to_string())
        .answer("state-get", "{}");
    let outcome = dispatch::<Both, _>(env("hooks/config-changed"), &rec, machine.host());
    let Outcome::Failed(err) = outcome else {
        panic!("{outcome:?}");
    };
    assert!(!format!("{err:?}").contains("s3cret"), "{err:?}");
    assert!(rec.calls().iter().all(|c| c.tool != "status-set"));
}

// `converge` with a record: the after-start command is planned until the record says it ran.
demo_charm!(Recorded, |ctx, event| {
    converge(
        ctx,
        |ctx| -> anyhow::Result<bool> { Ok(ctx.state()?.get("granted").is_some()) },
        |granted, _| {
            let mut plan = Plan::status(UnitStatus::new(
                Status::Active,
                if *granted { "granted" } else { "granting" },
            ));
            if !*granted {
                plan.after_start = vec![Command::new("tool", &["grant"])];
                plan.state = vec![("granted".into(), Some("yes".into()))];
            }
            Ok(plan)
        },
    )
});

#[test]
fn converge_decides_again_after_the_after_start_commands() {
    let machine = Machine::new();
    with_tool(&machine, 0);
    let rec = Recorder::new().answer("state-get", "{}");
    let outcome = dispatch::<Recorded, _>(env("hooks/config-changed"), &rec, machine.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(machine.service_calls(), ["tool grant <<< "], "once");
    let status: Vec<String> = rec
        .calls()
        .iter()
        .filter(|c| c.tool == "status-set")
        .map(|c| c.argv().join(" "))
        .collect();
    assert_eq!(
        status,
        ["status-set active -- granted"],
        "the second decision"
    );
}
