use tempfile::TempDir;

use crate::{CommandOutput, Host, HostError};

#[test]
fn run_returns_what_the_command_printed() {
    let output = Host::real()
        .run("sh", ["-c", "echo out; echo err >&2"])
        .unwrap();
    assert_eq!(
        output,
        CommandOutput {
            stdout: "out\n".to_owned(),
            stderr: "err\n".to_owned(),
        }
    );
}

#[test]
fn non_zero_exit_is_an_error_keeping_argv_status_and_stderr() {
    let err = Host::real()
        .run("sh", ["-c", "echo 'no database' >&2; exit 3"])
        .unwrap_err();

    let HostError::Command(source) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        source.argv(),
        ["sh", "-c", "echo 'no database' >&2; exit 3"]
    );
    assert_eq!(source.exit_code(), Some(3));
    assert_eq!(source.stderr(), Some("no database\n"));
    let rule = "-".repeat(79);
    assert_eq!(
        err.to_string(),
        format!(
            "`sh -c 'echo '\\''no database'\\'' >&2; exit 3'` failed (exit status: 3), stderr:\n{rule}\nno database\n{rule}"
        )
    );
}

#[test]
fn program_missing_from_the_search_path_is_a_spawn_error() {
    let empty = TempDir::new().unwrap();
    let host = Host::real().with_search_path(empty.path());

    // sh exists on every Debian machine, but not on this host's search path.
    let err = host.run("sh", ["-c", "true"]).unwrap_err();

    let HostError::Command(source) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(source.exit_code(), None);
    assert_eq!(source.stderr(), None);
    assert_eq!(err.to_string(), "cannot run `sh -c true`");
    assert!(std::error::Error::source(source).is_some(), "io error kept");
}

#[test]
fn commands_learn_the_root_of_a_confined_host_only() {
    let script = ["-c", r#"printf %s "${CHARM_HOST_ROOT-unset}""#];
    let root = TempDir::new().unwrap();

    let confined = Host::confined(root.path())
        .unwrap()
        .run("/bin/sh", script)
        .unwrap();
    assert_eq!(confined.stdout, root.path().to_str().unwrap());

    let real = Host::real().run("/bin/sh", script).unwrap();
    assert_eq!(real.stdout, "unset");
}

#[test]
fn input_reaches_the_command_on_stdin_and_never_its_argv_or_error() {
    let host = Host::real();
    let output = host
        .run_with_input(
            "sh",
            ["-c", "read -r word; printf '%s' \"$word\" | wc -c"],
            b"hunter2\n",
        )
        .unwrap();
    assert_eq!(output.stdout.trim(), "7");

    let err = host
        .run_with_input("sh", ["-c", "cat >/dev/null; exit 4"], b"hunter2")
        .unwrap_err();
    let HostError::Command(source) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(source.exit_code(), Some(4));
    assert!(!format!("{err} {err:?}").contains("hunter2"));
}

#[test]
fn input_larger_than_a_pipe_is_written_while_the_output_is_read() {
    // 1 MiB each way: more than both pipes hold, so writing and reading must overlap.
    let input = vec![b'x'; 1 << 20];
    let output = Host::real()
        .run_with_input("cat", [] as [&str; 0], &input)
        .unwrap();
    assert_eq!(output.stdout.len(), 1 << 20);
}

#[test]
fn a_command_that_reads_no_input_still_succeeds() {
    let input = vec![b'x'; 1 << 20];
    let output = Host::real()
        .run_with_input("true", [] as [&str; 0], &input)
        .unwrap();
    assert_eq!(output.stdout, "");
}

#[test]
fn a_confined_command_gets_its_input_and_the_root() {
    let root = TempDir::new().unwrap();
    let output = Host::confined(root.path())
        .unwrap()
        .run_with_input(
            "/bin/sh",
            ["-c", r#"printf '%s %s' "$CHARM_HOST_ROOT" "$(cat)""#],
            b"in",
        )
        .unwrap();
    assert_eq!(output.stdout, format!("{} in", root.path().display()));
}
