use tempfile::TempDir;

use super::FakeBin;
use crate::{AccountKind, Ensured, Host, HostError};

const MISSING: &str = "host-tests-nosuch";

/// A real host (accounts are only managed there) whose `groupadd`/`useradd` only record.
fn host_with_recording_tools(bin: &FakeBin) -> Host {
    bin.command("groupadd", "").command("useradd", "");
    Host::real().with_search_path(bin.search_path())
}

#[test]
fn existing_group_and_user_are_left_alone() {
    let bin = FakeBin::new();
    let host = host_with_recording_tools(&bin);

    assert_eq!(
        host.ensure_group("root", AccountKind::System).unwrap(),
        Ensured::Present
    );
    assert_eq!(
        host.ensure_user("root", "root", "/root", AccountKind::System)
            .unwrap(),
        Ensured::Present
    );
    assert!(bin.calls().is_empty());
}

#[test]
fn missing_system_group_and_user_are_created() {
    let bin = FakeBin::new();
    let host = host_with_recording_tools(&bin);

    assert_eq!(
        host.ensure_group(MISSING, AccountKind::System).unwrap(),
        Ensured::Created
    );
    assert_eq!(
        host.ensure_user(MISSING, MISSING, "/var/lib/manila", AccountKind::System)
            .unwrap(),
        Ensured::Created
    );
    assert_eq!(
        bin.calls(),
        [
            format!("groupadd --system {MISSING}"),
            format!("useradd --system --gid {MISSING} --home-dir /var/lib/manila --no-create-home --shell /usr/sbin/nologin {MISSING}"),
        ]
    );
}

#[test]
fn regular_accounts_get_neither_system_ids_nor_a_nologin_shell() {
    let bin = FakeBin::new();
    let host = host_with_recording_tools(&bin);

    host.ensure_group(MISSING, AccountKind::Regular).unwrap();
    host.ensure_user(MISSING, "users", "/home/x", AccountKind::Regular)
        .unwrap();

    assert_eq!(
        bin.calls(),
        [
            format!("groupadd {MISSING}"),
            format!("useradd --gid users --home-dir /home/x --no-create-home {MISSING}"),
        ]
    );
}

#[test]
fn confined_host_skips_accounts() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    bin.command("groupadd", "").command("useradd", "");
    let host = bin.confined_host(root.path());

    assert_eq!(
        host.ensure_group(MISSING, AccountKind::System).unwrap(),
        Ensured::Skipped
    );
    assert_eq!(
        host.ensure_user(MISSING, MISSING, "/var/lib/manila", AccountKind::System)
            .unwrap(),
        Ensured::Skipped
    );
    assert!(bin.calls().is_empty());
}

#[test]
fn failed_useradd_names_the_user_and_keeps_stderr() {
    let bin = FakeBin::new();
    bin.command(
        "useradd",
        "echo \"useradd: group 'nogrp' does not exist\" >&2; exit 6",
    );
    let host = Host::real().with_search_path(bin.search_path());

    let err = host
        .ensure_user(MISSING, "nogrp", "/nonexistent", AccountKind::System)
        .unwrap_err();

    let HostError::UserAdd { user, source } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(user, MISSING);
    assert_eq!(source.exit_code(), Some(6));
    assert_eq!(
        source.stderr(),
        Some("useradd: group 'nogrp' does not exist\n")
    );
}

#[test]
fn bad_names_and_relative_homes_are_refused_before_anything_runs() {
    let bin = FakeBin::new();
    let host = host_with_recording_tools(&bin);

    for bad in [
        "-r",
        "Manila",
        "ma:nila",
        "",
        "a-very-long-name-that-useradd-refuses",
    ] {
        let err = host.ensure_group(bad, AccountKind::System).unwrap_err();
        assert!(
            matches!(&err, HostError::InvalidName { name, .. } if name == bad),
            "{bad:?}: {err:?}"
        );
    }
    let err = host
        .ensure_user(MISSING, MISSING, "var/lib/manila", AccountKind::System)
        .unwrap_err();
    assert!(matches!(err, HostError::InvalidPath { .. }), "{err:?}");
    assert!(bin.calls().is_empty());
}
