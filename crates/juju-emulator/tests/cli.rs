//! The command-line tool, across invocations on one model directory (with the emulator's own
//! test support: scratch directories and test charms).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

#[allow(dead_code)]
#[path = "../../emulator/tests/emulator/support.rs"]
mod support;

use support::{Scratch, TestCharm};

/// Runs `juju-emulator --model MODEL ARGS…`.
pub(crate) fn cli(model: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_juju-emulator"))
        .arg("--model")
        .arg(model)
        .args(args)
        .output()
        .unwrap();
    output
}

fn ok(model: &Path, args: &[&str]) -> (String, String) {
    let output = cli(model, args);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        output.status.success(),
        "{args:?} failed:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

const DISPATCH: &str = r#"case "$HOOK" in
install) open-port 80/tcp; juju-log "installed"; application-version-set 1.2.3 ;;
start|config-changed|leader-*|*relation*)
  if [ "$(config-get broken --format=json)" = true ]; then exit 1; fi
  status-set active "port $(config-get port)" ;;
backup) action-set saved-to="/srv/$(action-get target)"; echo "backed up" ;;
esac
true"#;

#[test]
fn the_cli_drives_one_model_across_invocations() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("web")
        .metadata("peers:\n  cluster:\n    interface: web\n")
        .config("options:\n  port:\n    type: int\n    default: 80\n    description: Port.\n  broken:\n    type: boolean\n    default: false\n")
        .actions("backup:\n  params:\n    target:\n      type: string\n  required: [target]\n")
        .recording(&scratch.trace(), DISPATCH)
        .write(scratch.path());
    let model = scratch.path().join("model");
    // Created by the library first, to share the scratch directory with its machines.
    drop(scratch.model());
    let charm_arg = charm.display().to_string();

    let (_, progress) = ok(
        &model,
        &["deploy", &charm_arg, "-n", "2", "--config", "port=8080"],
    );
    assert!(progress.contains("web/0: install ok\n"), "{progress}");
    assert!(
        progress.contains("web/1: cluster-relation-joined (web/0) ok\n"),
        "{progress}"
    );

    let (status, _) = ok(&model, &["status"]);
    insta::assert_snapshot!("status_after_deploy", status);

    let (config, _) = ok(&model, &["config", "web"]);
    assert!(config.contains("  port:\n    default: 80\n    description: Port.\n    source: user\n    type: int\n    value: 8080\n"), "{config}");
    ok(&model, &["config", "web", "port=9090"]);
    assert_eq!(ok(&model, &["config", "web", "port"]).0, "9090\n");
    assert_eq!(
        scratch
            .trace_lines()
            .iter()
            .filter(|l| l.ends_with("config-changed "))
            .count(),
        4,
        "two units, two config-changed each"
    );

    let (results, waiting) = ok(&model, &["run", "web/0", "backup", "target=nightly"]);
    assert_eq!(results, "saved-to: /srv/nightly\nbacked up\n");
    assert!(
        waiting.starts_with("Running operation 1 with 1 task\n  - task 2 on unit-web-0\n"),
        "{waiting}"
    );
    // Values are YAML: 7 is an integer, which the schema refuses, unless --string-args.
    let typed = cli(&model, &["run", "web/0", "backup", "target=7"]);
    assert_eq!(
        String::from_utf8_lossy(&typed.stderr),
        "ERROR validation failed: /target: 7 is not of type \"string\"\n"
    );
    let (yaml, _) = ok(
        &model,
        &[
            "run",
            "web/0",
            "backup",
            "target=7",
            "--string-args",
            "--format",
            "yaml",
        ],
    );
    assert!(
        yaml.contains("  id: '4'\n") || yaml.contains("  id: \"4\"\n"),
        "{yaml}"
    );
    assert!(yaml.contains("return-code: 0"), "{yaml}");
    let invalid = cli(&model, &["run", "web/0", "backup"]);
    assert!(!invalid.status.success());
    assert!(String::from_utf8_lossy(&invalid.stderr).starts_with("ERROR validation failed: "));

    let (log, _) = ok(&model, &["debug-log", "--include", "web/1"]);
    assert!(
        log.contains("unit-web-1: ") && log.contains(" INFO unit.web/1.juju-log installed\n"),
        "{log}"
    );
    assert!(!log.contains("unit-web-0"), "{log}");

    // A failing hook puts the unit in error; fixing config and resolving recovers it.
    let (_, stderr) = ok(&model, &["config", "web", "broken=true"]);
    assert!(stderr.contains("units in error"), "{stderr}");
    assert!(ok(&model, &["status"]).0.contains(
        r#"error     error  0        127.1.0.1       80/tcp  hook failed: "config-changed""#
    ));
    ok(&model, &["--no-settle", "config", "web", "broken=false"]);
    ok(&model, &["resolved", "web/0"]);
    ok(&model, &["resolved", "web/1"]);
    let (status, _) = ok(&model, &["status"]);
    assert!(!status.contains("error"), "{status}");

    ok(&model, &["remove-unit", "web/1"]);
    let (status, _) = ok(&model, &["status"]);
    assert!(!status.contains("web/1"), "{status}");
    assert!(
        status.contains("web  1.2.3    active      1  web"),
        "{status}"
    );

    let missing = cli(&scratch.path().join("elsewhere"), &["status"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no model in"));
}

/// `add-secret` prints the new URI, `grant-secret` lets an application read it, and
/// `model-config automatically-retry-hooks=false` leaves a failed hook for `resolved`.
#[test]
fn user_secrets_trust_and_model_config_from_the_cli() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha")
        .config("options:\n  creds:\n    type: secret\n")
        .recording(
            &scratch.trace(),
            &format!(
                r#"[ "$HOOK" = config-changed ] && uri=$(config-get creds) && [ -n "$uri" ] && echo "user $(secret-get "$uri" user)" >> {}
[ "$HOOK" = install ] && [ "$(credential-get >/dev/null 2>&1 && echo trusted)" != trusted ] && exit 1
true"#,
                scratch.trace().display()
            ),
        )
        .write(scratch.path());
    let model = scratch.path().join("model");
    drop(scratch.model());
    ok(&model, &["model-config", "automatically-retry-hooks=false"]);
    let charm_path = charm.to_string_lossy().into_owned();
    let (_, stderr) = ok(&model, &["deploy", &charm_path]);
    // Tried once only: no automatic retry.
    assert_eq!(stderr.matches("alpha/0: install").count(), 1, "{stderr}");
    assert!(stderr.contains("units in error"), "{stderr}");
    ok(&model, &["trust", "alpha"]);
    ok(&model, &["resolved", "alpha/0"]);
    let (uri, _) = ok(&model, &["add-secret", "creds", "user=admin"]);
    let uri = uri.trim();
    assert!(uri.starts_with("secret:") && uri.len() == 27, "{uri}");
    ok(&model, &["grant-secret", "creds", "alpha"]);
    ok(&model, &["config", "alpha", &format!("creds={uri}")]);
    assert!(scratch.trace_lines().contains(&"user admin".to_owned()));
    let (listed, _) = ok(&model, &["secrets"]);
    assert_eq!(listed, format!("{uri}  model  creds\n"));
}

/// Reading the model does not read its history: `status` answers from `model.json` alone,
/// and the journal is read only by the commands that show it.
#[test]
fn status_does_not_read_the_journal() {
    let scratch = Scratch::new();
    let charm = TestCharm::new("alpha").write(scratch.path());
    let model = scratch.path().join("model");
    ok(&model, &["deploy", &charm.to_string_lossy()]);
    // A journal no reader could parse: had status read it, it would fail or show it.
    let journal = model.join("debug-log.jsonl");
    let mut garbage = fs::read(&journal).unwrap();
    garbage.extend_from_slice(b"{ this is not a record\n");
    fs::write(&journal, &garbage).unwrap();
    fs::write(model.join("tool-calls.jsonl"), b"\x00\x01 not json").unwrap();
    let (status, _) = ok(&model, &["status"]);
    assert!(status.contains("alpha/0*"), "{status}");
    // debug-log reads what it can, up to the damaged line.
    let (log, _) = ok(&model, &["debug-log"]);
    assert!(log.contains("ran \"start\" hook"), "{log}");
}

/// `--catalog FILE` adds a workload's packages (and their script commands) to the model's
/// archive, kept with the model: the emulator itself knows only Debian's.
#[test]
fn a_catalog_file_adds_a_workload_s_packages() {
    let scratch = Scratch::new();
    let catalog = scratch.path().join("catalog.yaml");
    fs::write(
        &catalog,
        "packages:\n  greeter:\n    version: \"2.0-1\"\n    scripts:\n      greet: 'echo \"hello $1\"'\n",
    )
    .unwrap();
    let charm = TestCharm::new("alpha").write(scratch.path());
    let model = scratch.path().join("model");
    let catalog_arg = catalog.to_string_lossy().into_owned();
    ok(
        &model,
        &[
            "--catalog",
            &catalog_arg,
            "deploy",
            &charm.to_string_lossy(),
        ],
    );
    let (out, _) = ok(
        &model,
        &[
            "exec",
            "alpha/0",
            "--",
            "apt-get install -y greeter >/dev/null && greet world",
        ],
    );
    assert_eq!(out, "hello world\n");
}

/// A charm with a requires, a provides, a peer endpoint and an extra binding.
fn web(scratch: &Scratch) -> std::path::PathBuf {
    TestCharm::new("web")
        .metadata(
            "requires:\n  db:\n    interface: pgsql\nprovides:\n  website:\n    interface: http\n\
             peers:\n  cluster:\n    interface: web-peer\nextra-bindings:\n  admin:\n",
        )
        .write(scratch.path())
}

/// The CLI's success, stdout and stderr.
fn cli_result(model: &Path, args: &[&str]) -> (bool, String, String) {
    let output = cli(model, args);
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn the_cli_adds_lists_and_binds_spaces() {
    let scratch = Scratch::new();
    let web = web(&scratch).display().to_string();
    let model = scratch.path().join("model");

    let (ok, _, err) = cli_result(&model, &["add-space", "beta"]);
    assert!(ok, "{err}");
    assert_eq!(err, "added space \"beta\" with subnet 127.2.0.0/16\n");
    let (ok, _, err) = cli_result(&model, &["add-space", "beta"]);
    assert!(!ok);
    assert_eq!(
        err,
        "ERROR cannot add space \"beta\": space already exists\n"
    );
    let (ok, _, err) = cli_result(&model, &["add-space", "Gamma"]);
    assert!(!ok);
    assert_eq!(err, "ERROR \"Gamma\" is not a valid space name\n");

    let (ok, spaces, err) = cli_result(&model, &["spaces"]);
    assert!(ok, "{err}");
    assert_eq!(
        spaces,
        "Name   Subnet           Interface\n\
         alpha  127.1.0.0/16     eth0\n\
         beta   127.2.0.0/16     eth1\n"
    );

    let (ok, _, err) = cli_result(&model, &["deploy", &web, "--bind", "delta"]);
    assert!(!ok);
    assert_eq!(err, "ERROR space \"delta\" not found\n");

    let (ok, _, err) = cli_result(&model, &["deploy", &web, "--bind", "alpha db=beta"]);
    assert!(ok, "{err}");
    let (ok, out, err) = cli_result(
        &model,
        &["exec", "web/0", "--", "network-get", "db", "--bind-address"],
    );
    assert!(ok, "{err}");
    assert_eq!(out, "127.2.0.1\n");
    let (_, out, _) = cli_result(
        &model,
        &[
            "exec",
            "web/0",
            "--",
            "network-get",
            "website",
            "--bind-address",
        ],
    );
    assert_eq!(out, "127.1.0.1\n");
}

#[test]
fn exec_runs_in_a_hook_context_and_exits_with_the_commands_code() {
    let scratch = Scratch::new();
    let web = TestCharm::new("web").write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("web", &web, emulator::DeployOptions::new())
        .unwrap();
    model.settle().unwrap();
    let dir = model.dir().to_owned();
    drop(model);
    let output = cli(
        &dir,
        &[
            "exec",
            "web/0",
            "--",
            "state-set",
            "k=v;",
            "is-leader;",
            "exit",
            "4",
        ],
    );
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "True\n");
    let model = emulator::Model::open(&dir).unwrap();
    assert_eq!(model.unit_state("web/0").unwrap()["k"], "v");
}
