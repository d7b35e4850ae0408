//! Rendering and restarts through a plan: write only what changed, restart the services that
//! read it, unless they are left alone.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use charm::plan::{apply, Plan, PlannedFile, ServiceState};
use charm::{dispatch, Outcome, RenderedFile, UnitStatus};
use host::FileSpec;
use juju::testing::Recorder;
use juju::Status;
use serde_json::json;

use crate::support::{count, demo_charm, env, stored_state, transcript, Machine};

const CONF: &str = "/etc/demo/demo.conf";
const PASTE: &str = "/etc/demo/paste.ini";

// Renders both files from config `value` for the release in unit state; both services run,
// unless unit state says to leave them alone (as a paused OpenStack unit does).
demo_charm!(Renders, |ctx, event| {
    let value = ctx.config()?.string("value")?;
    let state = ctx.state()?;
    let left_alone = state.get("left-alone").is_some();
    let release = state.get("release").unwrap_or("alpha").to_owned();
    let search: Vec<&str> = match release.as_str() {
        "charlie" => vec!["charlie", "bravo", "alpha"],
        "bravo" => vec!["bravo", "alpha"],
        _ => vec!["alpha"],
    };
    let context = json!({ "value": value });
    let mut plan = Plan::status(UnitStatus::new(Status::Active, ""));
    plan.files = vec![
        PlannedFile::new(
            RenderedFile {
                path: PASTE.into(),
                content: format!("[pipeline]\nvalue = {value}\n"),
                spec: FileSpec::new("root", "demo", 0o640),
            },
            &["demo-api"],
        ),
        PlannedFile::new(
            RenderedFile {
                path: CONF.into(),
                content: ctx.templates().render("demo.conf", &search, &context)?,
                spec: FileSpec::new("root", "demo", 0o640),
            },
            &["demo-api", "demo-worker"],
        ),
    ];
    let state = if left_alone {
        ServiceState::Untouched
    } else {
        ServiceState::Run
    };
    plan.services = vec![("demo-api".into(), state), ("demo-worker".into(), state)];
    apply(ctx, plan)?;
    Ok(())
});

fn config(value: &str) -> String {
    json!({ "value": value }).to_string()
}

#[test]
fn changed_files_restart_their_readers_once_in_plan_order() {
    let machine = Machine::new();
    let rec = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", "{}");
    let outcome = dispatch::<Renders, _>(env("hooks/config-changed"), &rec, machine.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        machine.service_calls(),
        ["demo-api restart", "demo-worker restart"]
    );
    let conf = machine.path(CONF);
    assert_eq!(
        fs::read_to_string(&conf).unwrap(),
        "# demo, root template\nvalue = one\n"
    );
    assert_eq!(
        fs::metadata(&conf).unwrap().permissions().mode() & 0o7777,
        0o640
    );
}

#[test]
fn the_release_picks_its_template_directory_or_an_older_one() {
    for (release, expected) in [
        ("charlie", "# demo, bravo and later\nvalue = v\n"),
        ("bravo", "# demo, bravo and later\nvalue = v\n"),
        ("alpha", "# demo, root template\nvalue = v\n"),
    ] {
        let machine = Machine::new();
        let rec = Recorder::new()
            .answer("config-get", &config("v"))
            .answer("state-get", &json!({ "release": release }).to_string());
        dispatch::<Renders, _>(env("hooks/config-changed"), &rec, machine.host());
        assert_eq!(
            fs::read_to_string(machine.path(CONF)).unwrap(),
            expected,
            "{release}"
        );
    }
}

#[test]
fn unchanged_files_restart_nothing_and_a_second_hook_sends_no_state() {
    let machine = Machine::new();
    let first = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", "{}");
    dispatch::<Renders, _>(env("hooks/config-changed"), &first, machine.host());
    // The first hook records the file hashes.
    let stored = stored_state(&first);

    let second = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", &stored);
    dispatch::<Renders, _>(env("hooks/config-changed"), &second, machine.host());
    assert_eq!(
        transcript(&second),
        [
            "state-get --format=json -",
            "config-get --all --format=json",
        ]
    );
    assert_eq!(
        machine.service_calls().len(),
        2,
        "no restart in the second hook"
    );
}

#[test]
fn only_the_services_of_the_changed_file_restart() {
    let machine = Machine::new();
    let first = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", "{}");
    dispatch::<Renders, _>(env("hooks/config-changed"), &first, machine.host());
    // Someone edited demo.conf by hand; the next hook puts it back and restarts for it only
    // (paste.ini is unchanged).
    fs::write(machine.path(CONF), "tampered").unwrap();
    let stored = stored_state(&first);
    let second = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", &stored);
    dispatch::<Renders, _>(env("hooks/config-changed"), &second, machine.host());
    assert_eq!(
        machine.service_calls(),
        [
            "demo-api restart",
            "demo-worker restart",
            "demo-api restart",
            "demo-worker restart"
        ]
    );
}

#[test]
fn a_retry_after_a_failed_hook_still_restarts() {
    let machine = Machine::new();
    machine.set_service_exit(1);
    let first = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", "{}");
    let outcome = dispatch::<Renders, _>(env("hooks/config-changed"), &first, machine.host());
    assert_eq!(outcome.exit_code(), 1);
    assert_eq!(count(&first, "state-set"), 0);
    assert!(machine.path(CONF).exists());

    // The files are in place and unchanged, but Juju discarded the failed hook's state, so
    // the retry knows the restart never happened.
    machine.set_service_exit(0);
    let retry = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", "{}");
    let outcome = dispatch::<Renders, _>(env("hooks/config-changed"), &retry, machine.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        machine.service_calls(),
        [
            "demo-api restart",
            "demo-api restart",
            "demo-worker restart"
        ]
    );
}

#[test]
fn services_left_alone_get_their_files_but_no_restart_and_the_log_says_so() {
    let machine = Machine::new();
    let rec = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", r#"{"left-alone":"true"}"#);
    let outcome = dispatch::<Renders, _>(env("hooks/config-changed"), &rec, machine.host());
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert!(machine.service_calls().is_empty());
    assert!(machine.path(CONF).exists());
    assert!(
        transcript(&rec).contains(
            &"juju-log --log-level INFO -- not restarting demo-api, demo-worker after \
              configuration changes: left alone"
                .to_owned()
        ),
        "{:#?}",
        transcript(&rec)
    );
}

#[test]
fn a_failed_render_names_the_template_and_leaves_the_old_file() {
    demo_charm!(RendersBadly, |ctx, event| {
        // The template needs `value`, which this context lacks.
        let content = ctx
            .templates()
            .render("demo.conf", &["bravo"], &json!({ "other": 1 }))?;
        ctx.write_files(&[RenderedFile {
            path: CONF.into(),
            content,
            spec: FileSpec::new("root", "demo", 0o640),
        }])?;
        Ok(())
    });
    let machine = Machine::new();
    fs::create_dir_all(machine.path("/etc/demo")).unwrap();
    fs::write(machine.path(CONF), "old\n").unwrap();
    let rec = Recorder::new();
    let outcome = dispatch::<RendersBadly, _>(env("hooks/config-changed"), &rec, machine.host());
    let Outcome::Failed(err) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(err.to_string(), "cannot render template 'bravo/demo.conf'");
    assert_eq!(fs::read_to_string(machine.path(CONF)).unwrap(), "old\n");
}

const CERT: &str = "/etc/demo/cert.pem";

// The certificate (from config `value`) is re-read on reload; demo.conf needs a restart.
demo_charm!(Reloads, |ctx, event| {
    let value = ctx.config()?.string("value")?;
    let mut plan = Plan::status(UnitStatus::new(Status::Active, ""));
    plan.files = vec![
        PlannedFile::new(
            RenderedFile {
                path: CONF.into(),
                content: "fixed\n".into(),
                spec: FileSpec::new("root", "root", 0o644),
            },
            &["demo-api"],
        ),
        PlannedFile::reloading(
            RenderedFile {
                path: CERT.into(),
                content: format!("{value}\n"),
                spec: FileSpec::new("root", "root", 0o600),
            },
            &["demo-api"],
        ),
    ];
    plan.services = vec![("demo-api".into(), ServiceState::Run)];
    apply(ctx, plan)?;
    Ok(())
});

#[test]
fn a_changed_file_its_readers_reload_reloads_them_unless_they_restart_anyway() {
    let machine = Machine::new();
    let first = Recorder::new()
        .answer("config-get", &config("one"))
        .answer("state-get", "{}");
    dispatch::<Reloads, _>(env("hooks/config-changed"), &first, machine.host());
    // Both files are new: the restart covers the reload.
    assert_eq!(machine.service_calls(), ["demo-api restart"]);
    let stored = stored_state(&first);
    let second = Recorder::new()
        .answer("config-get", &config("two"))
        .answer("state-get", &stored);
    dispatch::<Reloads, _>(env("hooks/config-changed"), &second, machine.host());
    assert_eq!(
        machine.service_calls(),
        ["demo-api restart", "demo-api reload"]
    );
    assert_eq!(
        fs::metadata(machine.path(CERT))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o600
    );
}
