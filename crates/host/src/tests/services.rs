use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::FakeBin;
use crate::{Host, HostError, InitSystem, Service, ServiceAction};

fn with_systemd(root: &Path) {
    fs::create_dir_all(root.join("run/systemd/system")).unwrap();
}

/// Runs every state-changing operation, in a fixed order.
fn every_action(service: &Service<'_>) {
    service.start().unwrap();
    service.stop().unwrap();
    service.restart().unwrap();
    service.reload().unwrap();
    service.enable().unwrap();
    service.disable().unwrap();
    service.mask().unwrap();
    service.unmask().unwrap();
}

#[test]
fn init_system_is_systemd_only_when_it_runs() {
    let root = TempDir::new().unwrap();
    let host = Host::confined(root.path()).unwrap();
    assert_eq!(host.init_system(), InitSystem::SysV);
    with_systemd(root.path());
    assert_eq!(host.init_system(), InitSystem::Systemd);
}

#[test]
fn systemd_actions_are_the_systemctl_verbs() {
    let root = TempDir::new().unwrap();
    with_systemd(root.path());
    let bin = FakeBin::new();
    bin.command("systemctl", "");
    let host = bin.confined_host(root.path());

    every_action(&host.service("manila-api").unwrap());

    assert_eq!(
        bin.calls(),
        [
            "systemctl start manila-api",
            "systemctl stop manila-api",
            "systemctl restart manila-api",
            "systemctl reload manila-api",
            "systemctl enable manila-api",
            "systemctl disable manila-api",
            "systemctl mask manila-api",
            "systemctl unmask manila-api",
        ]
    );
}

#[test]
fn sysv_actions_map_to_service_and_update_rc_d() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    bin.command("service", "").command("update-rc.d", "");
    let host = bin.confined_host(root.path());

    every_action(&host.service("manila-api").unwrap());

    assert_eq!(
        bin.calls(),
        [
            "service manila-api start",
            "service manila-api stop",
            "service manila-api restart",
            "service manila-api reload",
            // enable
            "update-rc.d manila-api defaults",
            "update-rc.d manila-api enable",
            // disable
            "update-rc.d manila-api defaults",
            "update-rc.d manila-api disable",
            // mask
            "update-rc.d manila-api defaults",
            "update-rc.d manila-api disable",
            "service manila-api stop",
            // unmask
            "update-rc.d manila-api defaults",
            "update-rc.d manila-api enable",
        ]
    );
}

#[test]
fn systemd_is_running_and_is_enabled_follow_the_exit_status() {
    let root = TempDir::new().unwrap();
    with_systemd(root.path());
    let bin = FakeBin::new();
    bin.command(
        "systemctl",
        r#"case "$1 $3" in "is-active up"|"is-enabled up") exit 0 ;; *) exit 3 ;; esac"#,
    );
    let host = bin.confined_host(root.path());

    assert!(host.service("up").unwrap().is_running().unwrap());
    assert!(!host.service("down").unwrap().is_running().unwrap());
    assert!(host.service("up").unwrap().is_enabled().unwrap());
    assert!(!host.service("down").unwrap().is_enabled().unwrap());
    assert_eq!(
        bin.calls(),
        [
            "systemctl is-active --quiet up",
            "systemctl is-active --quiet down",
            "systemctl is-enabled --quiet up",
            "systemctl is-enabled --quiet down",
        ]
    );
}

#[test]
fn systemd_running_asks_once_for_every_service() {
    let root = TempDir::new().unwrap();
    with_systemd(root.path());
    let bin = FakeBin::new();
    // systemctl's exit status says only whether any is active: the lines carry the answer.
    bin.command(
        "systemctl",
        r#"shift; for u in "$@"; do case $u in up) echo active ;; re) echo reloading ;; fail) echo failed ;; *) echo inactive ;; esac; done; exit 3"#,
    );
    let host = bin.confined_host(root.path());

    let running = host.running(&["up", "down", "re", "fail"]).unwrap();

    assert_eq!(running.into_iter().collect::<Vec<_>>(), ["re", "up"]);
    assert_eq!(bin.calls(), ["systemctl is-active up down re fail"]);
}

#[test]
fn systemd_running_refuses_an_answer_it_cannot_pair_with_the_services() {
    let root = TempDir::new().unwrap();
    with_systemd(root.path());
    let bin = FakeBin::new();
    bin.command("systemctl", "echo active");
    let host = bin.confined_host(root.path());

    let err = host.running(&["a", "b"]).unwrap_err();

    assert!(
        matches!(err, HostError::ServiceStatesOutput { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "cannot read systemctl is-active's answer for a b: \"active\\n\""
    );
}

#[test]
fn sysv_running_asks_each_init_script() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    bin.command("service", r#"[ "$1" = up ] || exit 3"#);
    let host = bin.confined_host(root.path());

    let running = host.running(&["up", "down"]).unwrap();

    assert_eq!(running.into_iter().collect::<Vec<_>>(), ["up"]);
    assert_eq!(bin.calls(), ["service up status", "service down status"]);
}

#[test]
fn sysv_asks_again_until_a_just_started_daemon_shows_up() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    // The daemon appears on the third status query (counted in the call log: builtins only).
    bin.command(
        "service",
        r#"n=0; while read -r _; do n=$((n+1)); done < "$log"; [ $n -ge 3 ]"#,
    );
    let host = bin.confined_host(root.path());

    assert!(host
        .service("late")
        .unwrap()
        .is_running_after_start()
        .unwrap());
    assert_eq!(bin.calls(), ["service late status"; 3]);
}

#[test]
fn systemd_answers_at_once_for_a_just_started_unit() {
    let root = TempDir::new().unwrap();
    with_systemd(root.path());
    let bin = FakeBin::new();
    bin.command("systemctl", "exit 3");
    let host = bin.confined_host(root.path());

    assert!(!host
        .service("down")
        .unwrap()
        .is_running_after_start()
        .unwrap());
    assert_eq!(bin.calls(), ["systemctl is-active --quiet down"]);
}

#[test]
fn sysv_is_running_follows_the_status_exit_code() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    bin.command("service", r#"[ "$1" = up ] || exit 3"#);
    let host = bin.confined_host(root.path());

    assert!(host.service("up").unwrap().is_running().unwrap());
    assert!(!host.service("down").unwrap().is_running().unwrap());
    assert_eq!(bin.calls(), ["service up status", "service down status"]);
}

#[test]
fn sysv_is_enabled_reads_the_start_links() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    let host = bin.confined_host(root.path());
    let api = host.service("manila-api").unwrap();
    assert!(!api.is_enabled().unwrap(), "no rc directories at all");

    for runlevel in 0..=6 {
        fs::create_dir_all(root.path().join(format!("etc/rc{runlevel}.d"))).unwrap();
    }
    // Stop links, and start links of other services, don't count.
    for link in [
        "etc/rc0.d/K01manila-api",
        "etc/rc2.d/K01manila-api",
        "etc/rc2.d/S01manila-api-x",
        "etc/rc2.d/S01manila",
    ] {
        std::os::unix::fs::symlink("../init.d/x", root.path().join(link)).unwrap();
    }
    assert!(!api.is_enabled().unwrap());

    std::os::unix::fs::symlink(
        "../init.d/manila-api",
        root.path().join("etc/rc3.d/S02manila-api"),
    )
    .unwrap();
    assert!(api.is_enabled().unwrap());
    assert!(bin.calls().is_empty(), "sysv is_enabled runs no command");
}

#[test]
fn failed_action_names_the_service_and_keeps_the_command_and_stderr() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    bin.command("service", "echo 'manila-api: failed to bind' >&2; exit 1");
    let host = bin.confined_host(root.path());

    let err = host.service("manila-api").unwrap().start().unwrap_err();

    let HostError::Service {
        service,
        action,
        source,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(service, "manila-api");
    assert_eq!(*action, ServiceAction::Start);
    assert_eq!(source.argv(), ["service", "manila-api", "start"]);
    assert_eq!(source.exit_code(), Some(1));
    assert_eq!(source.stderr(), Some("manila-api: failed to bind\n"));
    assert_eq!(err.to_string(), "cannot start service manila-api");
    assert!(source.to_string().contains("manila-api: failed to bind"));
}

#[test]
fn sysv_mask_stops_nothing_when_disabling_fails() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    bin.command("service", "")
        .command("update-rc.d", r#"[ "$2" = disable ] && exit 1; exit 0"#);
    let host = bin.confined_host(root.path());

    let err = host.service("manila-share").unwrap().mask().unwrap_err();

    let HostError::Service { action, source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*action, ServiceAction::Mask);
    assert_eq!(source.argv(), ["update-rc.d", "manila-share", "disable"]);
    assert_eq!(
        bin.calls(),
        [
            "update-rc.d manila-share defaults",
            "update-rc.d manila-share disable"
        ]
    );
}

#[test]
fn missing_status_command_is_an_error_not_a_stopped_service() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    let host = bin.confined_host(root.path());

    let err = host
        .service("manila-api")
        .unwrap()
        .is_running()
        .unwrap_err();

    let HostError::Service { action, source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*action, ServiceAction::Query);
    assert_eq!(source.exit_code(), None);
    assert_eq!(source.argv(), ["service", "manila-api", "status"]);
}

#[test]
fn service_names_that_commands_would_misread_are_refused() {
    let host = Host::real();
    for bad in [
        "",
        "-manila",
        "../manila",
        "manila api",
        "manila/api",
        ".hidden",
    ] {
        let err = host.service(bad).unwrap_err();
        assert!(
            matches!(&err, HostError::InvalidName { name, .. } if name == bad),
            "{bad:?}: {err:?}"
        );
    }
    for good in [
        "manila-api",
        "getty@tty1",
        "apache2.service",
        "systemd-fsck-root",
    ] {
        host.service(good).unwrap();
    }
}

#[test]
fn real_service_reports_an_unknown_service_as_not_running() {
    let running = Host::real()
        .service("no-such-service-for-host-tests")
        .unwrap()
        .is_running()
        .unwrap();
    assert!(!running);
}
