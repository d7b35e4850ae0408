use std::fs;

use super::*;

struct Fixture {
    state: MachineState,
    catalog: Catalog,
    root: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            state: MachineState::default(),
            catalog: Catalog::default(),
            root: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&mut self, argv: &str) -> CommandResult {
        let mut words = argv.split_whitespace();
        let command = words.next().unwrap();
        let args: Vec<String> = words.map(str::to_owned).collect();
        Machine {
            state: &mut self.state,
            catalog: &self.catalog,
            root: self.root.path(),
        }
        .execute(command, &args)
    }
}

#[test]
fn installing_an_unknown_package_installs_nothing_and_exits_100() {
    let mut m = Fixture::new();
    let result = m.run("apt-get install -y -o Dpkg::Options::=--force-confold manila-api nosuch");
    assert_eq!(result.exit_code, 100);
    assert_eq!(result.stderr, "E: Unable to locate package nosuch\n");
    assert!(m.state.packages.is_empty());
}

#[test]
fn installing_starts_and_enables_the_packages_services() {
    let mut m = Fixture::new();
    let result = m.run("apt-get install -y haproxy");
    assert_eq!(result.exit_code, 0, "{result:?}");
    assert!(result
        .stdout
        .contains("Setting up haproxy (2.6.12-1+deb12u3) ...\n"));
    let haproxy = &m.state.services["haproxy"];
    assert!(haproxy.running && haproxy.enabled && !haproxy.masked);
    assert_eq!(haproxy.count(ServiceAction::Start), 1);
    assert!(m.root.path().join("etc/haproxy").is_dir());
    assert!(fs::symlink_metadata(m.root.path().join("etc/rc2.d/S01haproxy")).is_ok());
    let again = m.run("apt-get install -y haproxy");
    assert!(again
        .stdout
        .contains("haproxy is already the newest version (2.6.12-1+deb12u3).\n"));
    assert_eq!(m.state.services["haproxy"].count(ServiceAction::Start), 1);
}

#[test]
fn dpkg_query_prints_known_packages_and_complains_about_the_rest() {
    let mut m = Fixture::new();
    m.run("apt-get install -y manila-api");
    let result = m.run(r"dpkg-query -W -f=${Package}\t${Status}\t${Version}\n manila-api haproxy");
    assert_eq!(
        result.stdout,
        "manila-api\tinstall ok installed\t1:15.1.0-2\n"
    );
    assert_eq!(
        result.stderr,
        "dpkg-query: no packages found matching haproxy\n"
    );
    assert_eq!(result.exit_code, 1);
    let status = m.run(r"dpkg-query -W -f=${Status}\t${Version}\n manila-api");
    assert_eq!(status.stdout, "install ok installed\t1:15.1.0-2\n");
    assert_eq!(status.exit_code, 0);
}

#[test]
fn systemctl_answers_like_systemd() {
    let mut m = Fixture::new();
    let missing = m.run("systemctl start manila-api");
    assert_eq!(missing.exit_code, 5);
    assert_eq!(
        missing.stderr,
        "Failed to start manila-api.service: Unit manila-api.service not found.\n"
    );
    assert_eq!(m.run("systemctl mask manila-api").exit_code, 0);
    m.run("apt-get install -y manila-api");
    assert!(
        !m.state.services["manila-api"].running,
        "masked: not started by the package"
    );
    let masked = m.run("systemctl start manila-api");
    assert_eq!(
        (masked.exit_code, masked.stderr.as_str()),
        (
            1,
            "Failed to start manila-api.service: Unit manila-api.service is masked.\n"
        )
    );
    let enabled = m.run("systemctl is-enabled manila-api");
    assert_eq!(
        (enabled.exit_code, enabled.stdout.as_str()),
        (1, "masked\n")
    );
    m.run("systemctl unmask manila-api");
    assert_eq!(m.run("systemctl is-active --quiet manila-api").exit_code, 3);
    assert_eq!(m.run("systemctl restart manila-api.service").exit_code, 0);
    let active = m.run("systemctl is-active --quiet manila-api");
    assert_eq!((active.exit_code, active.stdout.as_str()), (0, ""));
    m.run("systemctl stop manila-api");
    let reload = m.run("systemctl reload manila-api");
    assert_eq!(reload.exit_code, 1);
    let history: Vec<ServiceAction> = m.state.services["manila-api"]
        .history
        .iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(history, [ServiceAction::Restart, ServiceAction::Stop]);
}

#[test]
fn service_and_update_rc_d_answer_like_debian() {
    let mut m = Fixture::new();
    let unknown = m.run("service memcached status");
    assert_eq!(
        (unknown.exit_code, unknown.stderr.as_str()),
        (1, "memcached: unrecognized service\n")
    );
    m.run("apt-get install -y memcached");
    assert_eq!(m.run("service memcached status").exit_code, 0);
    m.run("service memcached stop");
    assert_eq!(m.run("service memcached status").exit_code, 3);
    assert_eq!(
        m.state.services["memcached"].history.last().unwrap().by,
        "service"
    );
    let root = m.root.path().to_owned();
    assert_eq!(m.run("update-rc.d memcached disable").exit_code, 0);
    assert!(fs::symlink_metadata(root.join("etc/rc3.d/K01memcached")).is_ok());
    assert!(fs::symlink_metadata(root.join("etc/rc3.d/S01memcached")).is_err());
    assert!(!m.state.services["memcached"].enabled);
    m.run("update-rc.d memcached enable");
    assert!(fs::symlink_metadata(root.join("etc/rc3.d/S01memcached")).is_ok());
    let none = m.run("update-rc.d nothing defaults");
    assert_eq!(
        none.stderr,
        "update-rc.d: error: cannot find a LSB script for nothing\n"
    );
}

#[test]
fn purging_stops_the_services_the_package_provided() {
    let mut m = Fixture::new();
    m.run("apt-get install -y manila-scheduler");
    let result = m.run("apt-get purge -y manila-scheduler haproxy");
    assert_eq!(result.exit_code, 0);
    assert!(result
        .stdout
        .contains("Package 'haproxy' is not installed, so not removed\n"));
    let scheduler = &m.state.services["manila-scheduler"];
    assert!(!scheduler.running);
    assert_eq!(scheduler.history.last().unwrap().by, "apt-get purge");
    assert_eq!(m.run("systemctl start manila-scheduler").exit_code, 5);
}
