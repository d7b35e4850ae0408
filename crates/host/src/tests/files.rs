use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use nix::unistd::{Gid, Group, Uid, User};
use tempfile::TempDir;

use crate::files::replace_file;
use crate::{FileSpec, Host, HostError, Written};

const CONF: &str = "/etc/manila/manila.conf";

fn confined() -> (TempDir, Host) {
    let root = TempDir::new().unwrap();
    let host = Host::confined(root.path()).unwrap();
    (root, host)
}

fn mode_of(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn new_file_is_written_with_its_mode_and_parents_0755() {
    let (root, host) = confined();
    let spec = FileSpec::new("root", "manila", 0o640);

    let written = host.write_file(CONF, "[DEFAULT]\n", &spec).unwrap();

    assert_eq!(written, Written::Changed);
    let file = root.path().join("etc/manila/manila.conf");
    assert_eq!(fs::read_to_string(&file).unwrap(), "[DEFAULT]\n");
    assert_eq!(mode_of(&file), 0o640);
    assert_eq!(mode_of(&root.path().join("etc")), 0o755);
    assert_eq!(mode_of(&root.path().join("etc/manila")), 0o755);
}

#[test]
fn identical_write_touches_nothing() {
    let (root, host) = confined();
    let spec = FileSpec::new("root", "root", 0o644);
    host.write_file(CONF, "a = 1\n", &spec).unwrap();
    let file = root.path().join("etc/manila/manila.conf");
    let before = fs::metadata(&file).unwrap();

    let written = host.write_file(CONF, "a = 1\n", &spec).unwrap();

    assert_eq!(written, Written::Unchanged);
    let after = fs::metadata(&file).unwrap();
    assert_eq!(after.ino(), before.ino(), "file was replaced");
    assert_eq!(entries(file.parent().unwrap()), ["manila.conf"]);
}

#[test]
fn different_content_replaces_the_file() {
    let (root, host) = confined();
    let spec = FileSpec::new("root", "root", 0o644);
    host.write_file(CONF, "a = 1\n", &spec).unwrap();

    let written = host.write_file(CONF, "a = 2\n", &spec).unwrap();

    assert_eq!(written, Written::Changed);
    let file = root.path().join("etc/manila/manila.conf");
    assert_eq!(fs::read_to_string(&file).unwrap(), "a = 2\n");
    assert_eq!(entries(file.parent().unwrap()), ["manila.conf"]);
}

#[test]
fn different_mode_alone_is_a_change() {
    let (root, host) = confined();
    host.write_file(CONF, "x", &FileSpec::new("root", "root", 0o644))
        .unwrap();

    let written = host
        .write_file(CONF, "x", &FileSpec::new("root", "root", 0o600))
        .unwrap();

    assert_eq!(written, Written::Changed);
    assert_eq!(mode_of(&root.path().join("etc/manila/manila.conf")), 0o600);
}

#[test]
fn real_host_applies_ownership_and_notices_a_different_owner() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("owned.conf");
    let host = Host::real();
    let daemon_user = User::from_name("daemon").unwrap().unwrap();
    let daemon_group = Group::from_name("daemon").unwrap().unwrap();

    let written = host
        .write_file(&path, "x", &FileSpec::new("daemon", "daemon", 0o640))
        .unwrap();
    assert_eq!(written, Written::Changed);
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(
        (Uid::from_raw(meta.uid()), Gid::from_raw(meta.gid())),
        (daemon_user.uid, daemon_group.gid)
    );

    let root_spec = FileSpec::new("root", "root", 0o640);
    assert_eq!(
        host.write_file(&path, "x", &root_spec).unwrap(),
        Written::Changed
    );
    let meta = fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (0, 0));
    assert_eq!(
        host.write_file(&path, "x", &root_spec).unwrap(),
        Written::Unchanged
    );
}

#[test]
fn set_id_bits_survive_the_ownership_change() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("tool");
    Host::real()
        .write_file(
            &path,
            "#!/bin/sh\n",
            &FileSpec::new("daemon", "daemon", 0o2755),
        )
        .unwrap();
    assert_eq!(mode_of(&path), 0o2755);
}

#[test]
fn unknown_owner_or_group_is_named_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("x.conf");
    let host = Host::real();

    let err = host
        .write_file(&path, "x", &FileSpec::new("no-such-user-h", "root", 0o644))
        .unwrap_err();
    assert!(
        matches!(&err, HostError::UnknownUser { user } if user == "no-such-user-h"),
        "{err:?}"
    );
    let err = host
        .write_file(&path, "x", &FileSpec::new("root", "no-such-group-h", 0o644))
        .unwrap_err();
    assert!(
        matches!(&err, HostError::UnknownGroup { group } if group == "no-such-group-h"),
        "{err:?}"
    );
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn confined_host_ignores_ownership_but_applies_the_mode() {
    let (root, host) = confined();

    host.write_file(
        CONF,
        "x",
        &FileSpec::new("manila-only-there", "manila-only-there", 0o640),
    )
    .unwrap();

    let meta = fs::metadata(root.path().join("etc/manila/manila.conf")).unwrap();
    assert_eq!(meta.uid(), Uid::effective().as_raw());
    assert_eq!(meta.mode() & 0o7777, 0o640);
}

#[test]
fn mode_outside_permission_bits_is_refused() {
    let (_root, host) = confined();
    let err = host
        .write_file(CONF, "x", &FileSpec::new("root", "root", 0o100644))
        .unwrap_err();
    assert!(
        matches!(err, HostError::InvalidMode { mode: 0o100644, .. }),
        "{err:?}"
    );
}

#[test]
fn failure_midway_through_the_content_keeps_the_old_file() {
    let (root, host) = confined();
    let spec = FileSpec::new("root", "root", 0o644);
    host.write_file(CONF, "old content\n", &spec).unwrap();
    let file = root.path().join("etc/manila/manila.conf");

    let err = replace_file(&file, 0o644, None, |temp| {
        temp.write_all(b"new con")?;
        Err(io::Error::other("disk on fire"))
    })
    .unwrap_err();

    assert!(
        matches!(&err, HostError::Write { path, source } if *path == file && source.to_string() == "disk on fire"),
        "{err:?}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "old content\n");
    assert_eq!(
        entries(file.parent().unwrap()),
        ["manila.conf"],
        "temporary file left behind"
    );
}

#[test]
fn failed_rename_keeps_what_was_there_and_leaves_no_temporary_file() {
    let (root, host) = confined();
    let in_the_way = root.path().join("etc/manila/manila.conf");
    fs::create_dir_all(in_the_way.join("keep")).unwrap();

    let err = host
        .write_file(CONF, "new", &FileSpec::new("root", "root", 0o644))
        .unwrap_err();

    assert!(
        matches!(&err, HostError::Write { path, .. } if *path == in_the_way),
        "{err:?}"
    );
    assert!(in_the_way.join("keep").is_dir());
    assert_eq!(entries(in_the_way.parent().unwrap()), ["manila.conf"]);
}

#[test]
fn private_file_has_its_mode_before_any_content_goes_in() {
    let (root, _host) = confined();
    let file = root.path().join("secret");
    for mode in [0o600, 0o640] {
        replace_file(&file, mode, None, |temp| {
            let meta = temp.metadata()?;
            assert_eq!(meta.len(), 0, "content written before the mode was set");
            assert_eq!(meta.mode() & 0o7777, mode);
            temp.write_all(b"password = hunter2\n")
        })
        .unwrap();
        assert_eq!(mode_of(&file), mode);
    }
}

#[test]
fn symlink_at_the_target_is_replaced_not_followed() {
    let (root, host) = confined();
    let elsewhere = root.path().join("elsewhere");
    fs::write(&elsewhere, "untouched").unwrap();
    fs::create_dir_all(root.path().join("etc/manila")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.path().join("etc/manila/manila.conf")).unwrap();

    host.write_file(CONF, "new", &FileSpec::new("root", "root", 0o644))
        .unwrap();

    assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "untouched");
    let file = root.path().join("etc/manila/manila.conf");
    assert!(fs::symlink_metadata(&file).unwrap().is_file());
    assert_eq!(fs::read_to_string(&file).unwrap(), "new");
}

#[test]
fn read_file_gives_none_when_absent() {
    let (_root, host) = confined();
    assert_eq!(host.read_file(CONF).unwrap(), None);
    host.write_file(CONF, "x = 1", &FileSpec::new("root", "root", 0o644))
        .unwrap();
    assert_eq!(host.read_file(CONF).unwrap(), Some(b"x = 1".to_vec()));
}

#[test]
fn remove_file_says_whether_there_was_one() {
    let (root, host) = confined();
    host.write_file(CONF, "x", &FileSpec::new("root", "root", 0o644))
        .unwrap();

    assert!(host.remove_file(CONF).unwrap());
    assert!(!root.path().join("etc/manila/manila.conf").exists());
    assert!(!host.remove_file(CONF).unwrap());
}

#[test]
fn remove_file_refuses_a_directory() {
    let (_root, host) = confined();
    host.ensure_dir("/etc/manila", &FileSpec::new("root", "root", 0o755))
        .unwrap();
    let err = host.remove_file("/etc/manila").unwrap_err();
    assert!(matches!(err, HostError::Remove { .. }), "{err:?}");
}

#[test]
fn ensure_dir_creates_then_leaves_alone_then_fixes_the_mode() {
    let (root, host) = confined();
    let dir = root.path().join("var/lib/manila");
    let spec = FileSpec::new("manila", "manila", 0o750);

    assert_eq!(
        host.ensure_dir("/var/lib/manila", &spec).unwrap(),
        Written::Changed
    );
    assert!(dir.is_dir());
    assert_eq!(mode_of(&dir), 0o750);
    assert_eq!(mode_of(&root.path().join("var")), 0o755);

    assert_eq!(
        host.ensure_dir("/var/lib/manila", &spec).unwrap(),
        Written::Unchanged
    );

    fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
    assert_eq!(
        host.ensure_dir("/var/lib/manila", &spec).unwrap(),
        Written::Changed
    );
    assert_eq!(mode_of(&dir), 0o750);
}

#[test]
fn ensure_dir_applies_ownership_on_a_real_host() {
    let parent = TempDir::new().unwrap();
    let dir = parent.path().join("state");
    let daemon = User::from_name("daemon").unwrap().unwrap();

    Host::real()
        .ensure_dir(&dir, &FileSpec::new("daemon", "root", 0o700))
        .unwrap();

    let meta = fs::metadata(&dir).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (daemon.uid.as_raw(), 0));
}

#[test]
fn ensure_dir_refuses_a_file_in_the_way() {
    let (root, host) = confined();
    host.write_file("/var/lib/manila", "", &FileSpec::new("root", "root", 0o644))
        .unwrap();
    let err = host
        .ensure_dir("/var/lib/manila", &FileSpec::new("root", "root", 0o755))
        .unwrap_err();
    assert!(
        matches!(&err, HostError::NotADirectory { path } if *path == root.path().join("var/lib/manila")),
        "{err:?}"
    );
}

#[test]
fn writing_the_root_itself_is_refused() {
    let (_root, host) = confined();
    let err = host
        .write_file("/", "x", &FileSpec::new("root", "root", 0o644))
        .unwrap_err();
    assert!(matches!(err, HostError::InvalidPath { .. }), "{err:?}");
}
