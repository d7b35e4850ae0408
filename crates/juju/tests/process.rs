//! The process runner spawns a real executable, passes argv and stdin, and reports exit codes.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use juju::{ProcessRunner, ToolRunner};

fn script(dir: &std::path::Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn argv_stdin_and_exit_code_reach_the_tool() {
    let dir = tempfile::tempdir().unwrap();
    let tool = script(
        dir.path(),
        "relation-set",
        r#"printf '%s|' "$@"; cat; echo "oops" >&2; exit 3"#,
    );
    let out = ProcessRunner
        .run(
            &tool,
            &["-r".into(), "db:1".into(), "--file".into(), "-".into()],
            Some(b"{\"a\":\"b\"}"),
        )
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "-r|db:1|--file|-|{\"a\":\"b\"}"
    );
    assert_eq!(out.stderr, b"oops\n");
    assert_eq!(out.exit_code, 3);
}

#[test]
fn tools_without_stdin_read_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let tool = script(dir.path(), "is-leader", "cat; echo true");
    let out = ProcessRunner.run(&tool, &[], None).unwrap();
    assert_eq!(out.stdout, b"true\n");
}

#[test]
fn a_missing_tool_is_not_found() {
    let err = ProcessRunner
        .run("/nonexistent/relation-ids", &[], None)
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}
