use std::fs;

use super::*;

struct Fixture {
    state: MachineState,
    catalog: Catalog,
    root: tempfile::TempDir,
    shared: tempfile::TempDir,
}

/// Debian's packages and a workload's, as a charm's tests supply them.
fn workload_catalog() -> Catalog {
    let workload = include_str!("../../emulator/tests/support/workload-catalog.yaml");
    Catalog::default().with(Catalog::from_yaml(workload).unwrap())
}

impl Fixture {
    /// A machine booted with systemd, as the model makes them by default.
    fn new() -> Fixture {
        let fixture = Fixture::sysv();
        fs::create_dir_all(fixture.root.path().join("run/systemd/system")).unwrap();
        fixture
    }

    /// A machine without systemd: Debian's init scripts.
    fn sysv() -> Fixture {
        Fixture {
            state: MachineState::default(),
            catalog: workload_catalog(),
            root: tempfile::tempdir().unwrap(),
            shared: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, machine_path: &str) -> std::path::PathBuf {
        self.root.path().join(machine_path.trim_start_matches('/'))
    }

    fn link(&self, machine_path: &str) -> Option<String> {
        fs::read_link(self.path(machine_path))
            .ok()
            .map(|target| target.display().to_string())
    }

    fn run(&mut self, argv: &str) -> CommandResult {
        let mut words = argv.split_whitespace();
        let command = words.next().unwrap();
        let args: Vec<String> = words.map(str::to_owned).collect();
        Machine {
            state: &mut self.state,
            catalog: &self.catalog,
            root: self.root.path(),
            shared: self.shared.path(),
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
fn systemctl_queries_several_units_in_one_call() {
    let mut m = Fixture::new();
    m.run("apt-get install -y haproxy manila-api");
    m.run("systemctl stop manila-api");
    m.run("systemctl disable manila-api");

    let active = m.run("systemctl is-active haproxy manila-api nothing");
    assert_eq!(
        (active.exit_code, active.stdout.as_str()),
        (0, "active\ninactive\ninactive\n"),
        "exit 0: one of them is active"
    );
    let none = m.run("systemctl is-active manila-api nothing");
    assert_eq!(
        (none.exit_code, none.stdout.as_str()),
        (3, "inactive\ninactive\n")
    );
    let quiet = m.run("systemctl is-active --quiet manila-api haproxy");
    assert_eq!((quiet.exit_code, quiet.stdout.as_str()), (0, ""));

    let enabled = m.run("systemctl is-enabled manila-api haproxy");
    assert_eq!(
        (enabled.exit_code, enabled.stdout.as_str()),
        (0, "disabled\nenabled\n")
    );
    let missing = m.run("systemctl is-enabled haproxy nothing");
    assert_eq!(
        (
            missing.exit_code,
            missing.stdout.as_str(),
            missing.stderr.as_str()
        ),
        (
            1,
            "enabled\n",
            "Failed to get unit file state for nothing.service: No such file or directory\n"
        )
    );
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

#[test]
fn without_systemd_systemctl_edits_unit_files_but_cannot_control_services() {
    let mut m = Fixture::sysv();
    m.run("apt-get install -y haproxy");
    assert!(
        m.state.services["haproxy"].running,
        "the postinst starts it"
    );
    let start = m.run("systemctl restart haproxy");
    assert_eq!(start.exit_code, 1);
    assert!(start
        .stderr
        .starts_with("System has not been booted with systemd as init system (PID 1)."));
    assert_eq!(m.run("systemctl is-active haproxy").exit_code, 1);
    assert_eq!(m.run("systemctl disable haproxy").exit_code, 0);
    assert!(!m.state.services["haproxy"].enabled);
    // An init script knows nothing of systemd's masks.
    m.run("systemctl mask haproxy");
    assert_eq!(m.run("service haproxy restart").exit_code, 0);
    let haproxy = &m.state.services["haproxy"];
    assert_eq!(haproxy.count(ServiceAction::Restart), 1);
    assert_eq!(haproxy.history.last().unwrap().by, "service");
}

#[test]
fn package_commands_answer_only_while_the_package_is_installed() {
    let mut m = Fixture::new();
    let missing = m.run("a2ensite manila-api");
    assert_eq!(
        (missing.exit_code, missing.stderr.as_str()),
        (127, "a2ensite: command not found\n")
    );
    assert_eq!(m.run("manila-manage db version").exit_code, 127);
    m.run("apt-get install -y apache2 manila-common");
    assert_eq!(m.run("a2ensite 000-default").exit_code, 0);
    m.run("apt-get purge -y apache2");
    assert_eq!(m.run("a2ensite 000-default").exit_code, 127);
    assert!(
        m.link("/etc/apache2/sites-enabled/000-default.conf")
            .is_none(),
        "purge removes the package's links"
    );
}

#[test]
fn installing_apache2_ships_its_modules_and_enables_debians_defaults() {
    let mut m = Fixture::new();
    m.run("apt-get install -y apache2 libapache2-mod-wsgi-py3");
    assert_eq!(
        fs::read_to_string(m.path("/etc/apache2/mods-available/ssl.load")).unwrap(),
        "# Depends: setenvif mime socache_shmcb\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
    );
    assert_eq!(
        m.link("/etc/apache2/mods-enabled/mpm_event.load")
            .as_deref(),
        Some("../mods-available/mpm_event.load")
    );
    assert_eq!(
        m.link("/etc/apache2/mods-enabled/wsgi.conf").as_deref(),
        Some("../mods-available/wsgi.conf"),
        "mod_wsgi's postinst enables it"
    );
    assert!(m.link("/etc/apache2/mods-enabled/ssl.load").is_none());
    assert_eq!(
        m.link("/etc/apache2/sites-enabled/000-default.conf")
            .as_deref(),
        Some("../sites-available/000-default.conf")
    );
}

#[test]
fn a2ensite_and_a2dissite_answer_like_debian() {
    let mut m = Fixture::new();
    m.run("apt-get install -y apache2");
    let absent = m.run("a2ensite manila-api");
    assert_eq!(
        (
            absent.exit_code,
            absent.stderr.as_str(),
            absent.stdout.as_str()
        ),
        (1, "ERROR: Site manila-api does not exist!\n", "")
    );
    fs::write(
        m.path("/etc/apache2/sites-available/manila-api.conf"),
        "<VirtualHost *:8776>\n</VirtualHost>\n",
    )
    .unwrap();
    let enabled = m.run("a2ensite manila-api");
    assert_eq!(enabled.exit_code, 0, "{enabled:?}");
    assert_eq!(
        enabled.stdout,
        "Enabling site manila-api.\nTo activate the new configuration, you need to run:\n  systemctl reload apache2\n"
    );
    assert_eq!(
        m.link("/etc/apache2/sites-enabled/manila-api.conf")
            .as_deref(),
        Some("../sites-available/manila-api.conf")
    );
    let again = m.run("a2ensite manila-api.conf");
    assert_eq!(
        (again.exit_code, again.stdout.as_str()),
        (0, "Site manila-api already enabled\n")
    );
    let disabled = m.run("a2dissite 000-default");
    assert_eq!(
        disabled.stdout,
        "Site 000-default disabled.\nTo activate the new configuration, you need to run:\n  systemctl reload apache2\n"
    );
    assert!(m
        .link("/etc/apache2/sites-enabled/000-default.conf")
        .is_none());
    let quiet = m.run("a2dissite -q 000-default");
    assert_eq!((quiet.exit_code, quiet.stdout.as_str()), (0, ""));
    assert_eq!(m.run("a2ensite --bogus x").exit_code, 2);
}

#[test]
fn a2enmod_follows_dependencies_both_ways() {
    let mut m = Fixture::new();
    m.run("apt-get install -y apache2");
    let ssl = m.run("a2enmod ssl");
    assert_eq!(ssl.exit_code, 0, "{ssl:?}");
    assert_eq!(
        ssl.stdout,
        "Considering dependency setenvif for ssl:\n\
         Module setenvif already enabled\n\
         Considering dependency mime for ssl:\n\
         Module mime already enabled\n\
         Considering dependency socache_shmcb for ssl:\n\
         Enabling module socache_shmcb.\n\
         Enabling module ssl.\n\
         See /usr/share/doc/apache2/README.Debian.gz on how to configure SSL and create self-signed certificates.\n\
         To activate the new configuration, you need to run:\n  systemctl restart apache2\n"
    );
    for file in ["ssl.load", "ssl.conf", "socache_shmcb.load"] {
        assert!(
            m.link(&format!("/etc/apache2/mods-enabled/{file}"))
                .is_some(),
            "{file} enabled"
        );
    }
    m.run("a2enmod proxy_http");
    let proxy = m.run("a2dismod proxy");
    assert_eq!(
        proxy.stdout,
        "Considering reverse dependency proxy_http for proxy:\n\
         Module proxy_http disabled.\n\
         Module proxy disabled.\n\
         To activate the new configuration, you need to run:\n  systemctl restart apache2\n"
    );
    assert!(m.link("/etc/apache2/mods-enabled/proxy.conf").is_none());
    let nothing = m.run("a2enmod remoteip nosuch");
    assert_eq!(nothing.exit_code, 1);
    assert_eq!(nothing.stderr, "ERROR: Module nosuch does not exist!\n");
    assert!(
        m.link("/etc/apache2/mods-enabled/remoteip.load").is_some(),
        "the valid names are still enabled"
    );
}

#[test]
fn a_package_script_answers_its_command_while_the_package_is_installed() {
    let mut m = Fixture::new();
    assert_eq!(m.run("manila-manage db version").exit_code, 127);
    m.run("apt-get install -y manila-common");
    assert_eq!(m.run("manila-manage db version").stdout, "None\n");
    let sync = m.run("manila-manage db sync");
    assert_eq!(sync.exit_code, 0, "{sync:?}");
    // What the script keeps in MODEL_SHARED, every machine of the model sees.
    assert_eq!(m.run("manila-manage db version").stdout, "bb5938d74b73\n");
    assert_eq!(m.run("manila-manage nonsense").exit_code, 2);
    m.run("apt-get purge -y manila-common");
    assert_eq!(m.run("manila-manage db version").exit_code, 127);
}

#[test]
fn os_release_texts_name_their_release() {
    let noble = OsRelease::default().contents().into_owned();
    assert!(noble.contains("VERSION_CODENAME=noble\n") && noble.contains("VERSION_ID=\"24.04\"\n"));
    let jammy = OsRelease::UbuntuJammy.contents().into_owned();
    assert!(jammy.contains("UBUNTU_CODENAME=jammy\n"));
    assert!(OsRelease::DebianBookworm
        .contents()
        .contains("VERSION_CODENAME=bookworm\n"));
    assert_eq!(OsRelease::default().base(), "ubuntu@24.04");
    assert_eq!(OsRelease::DebianBookworm.base(), "debian@12");
    let custom = OsRelease::Custom("NAME=\"Rocky\"\nID=\"rocky\"\nVERSION_ID=\"9.4\"\n".to_owned());
    assert_eq!(custom.base(), "rocky@9.4");
}

#[test]
fn an_archive_named_by_an_apt_source_offers_its_newer_versions_after_update() {
    let mut m = Fixture::new();
    let suite = "noble-updates/dalmatian";
    m.catalog.archives.insert(
        suite.to_owned(),
        [("manila-scheduler", "1:19.0.0-0ubuntu1~cloud0")]
            .map(|(p, v)| (p.to_owned(), v.to_owned()))
            .into(),
    );
    assert_eq!(m.run("apt-get install -y manila-scheduler").exit_code, 0);
    assert_eq!(m.state.packages["manila-scheduler"], "1:15.1.0-2");

    let list = m.path("/etc/apt/sources.list.d/cloud-archive.list");
    fs::create_dir_all(list.parent().unwrap()).unwrap();
    fs::write(
        &list,
        format!("# comment\ndeb http://ubuntu-cloud.archive.canonical.com/ubuntu {suite} main\n"),
    )
    .unwrap();
    // Not seen before the index is refreshed.
    let result = m.run("apt-get install -y --only-upgrade manila-scheduler manila-data");
    assert!(result.stdout.contains("0 upgraded"), "{}", result.stdout);
    assert!(result
        .stdout
        .contains("Skipping manila-data, it is not installed and only upgrades are requested."));
    assert!(!m.state.packages.contains_key("manila-data"));

    assert_eq!(m.run("apt-get update").exit_code, 0);
    assert_eq!(m.state.apt_suites, BTreeSet::from([suite.to_owned()]));
    let restarts = m.state.services["manila-scheduler"].count(ServiceAction::Restart);
    let result = m.run("apt-get dist-upgrade -y");
    assert_eq!(result.exit_code, 0, "{result:?}");
    assert!(
        result.stdout.contains("1 upgraded, 0 newly installed"),
        "{}",
        result.stdout
    );
    assert_eq!(
        m.state.packages["manila-scheduler"],
        "1:19.0.0-0ubuntu1~cloud0"
    );
    let scheduler = &m.state.services["manila-scheduler"];
    assert_eq!(scheduler.count(ServiceAction::Restart), restarts + 1);
    assert_eq!(scheduler.history.last().unwrap().by, "apt-get upgrade");

    // A package the archive lacks comes from the base archive; a masked service is left be.
    assert_eq!(m.run("systemctl stop manila-scheduler").exit_code, 0);
    assert_eq!(m.run("systemctl mask manila-scheduler").exit_code, 0);
    m.catalog.archives.get_mut(suite).unwrap().insert(
        "manila-scheduler".to_owned(),
        "1:19.0.1-0ubuntu1~cloud0".to_owned(),
    );
    assert_eq!(
        m.run("apt-get install -y manila-scheduler manila-data")
            .exit_code,
        0
    );
    assert_eq!(m.state.packages["manila-data"], "1:15.1.0-2");
    assert_eq!(
        m.state.packages["manila-scheduler"],
        "1:19.0.1-0ubuntu1~cloud0"
    );
    assert!(!m.state.services["manila-scheduler"].running);

    // Without the source, the index forgets the archive.
    fs::remove_file(&list).unwrap();
    m.run("apt-get update");
    assert!(m.state.apt_suites.is_empty());
}

#[test]
fn faulty_services_fail_to_start_or_stop_as_systemd_reports_it() {
    let mut m = Fixture::new();
    m.run("apt-get install -y manila-data manila-scheduler");
    m.state.services.get_mut("manila-data").unwrap().fault = Some(ServiceFault::FailsToStop);
    m.state.services.get_mut("manila-scheduler").unwrap().fault = Some(ServiceFault::FailsToStart);

    let result = m.run("systemctl stop manila-data");
    assert_eq!(result.exit_code, 1);
    assert!(result
        .stderr
        .starts_with("Job for manila-data.service failed because the control process exited"));
    assert!(m.state.services["manila-data"].running);

    assert_eq!(m.run("systemctl stop manila-scheduler").exit_code, 0);
    for verb in ["start", "restart"] {
        let result = m.run(&format!("systemctl {verb} manila-scheduler"));
        assert_eq!(result.exit_code, 1, "{verb}");
        assert!(!m.state.services["manila-scheduler"].running, "{verb}");
    }
    assert_eq!(m.run("systemctl is-active manila-scheduler").exit_code, 3);
    // `service` goes through the same jobs.
    assert_eq!(m.run("service manila-scheduler start").exit_code, 1);

    m.state.services.get_mut("manila-scheduler").unwrap().fault = None;
    assert_eq!(m.run("systemctl start manila-scheduler").exit_code, 0);
    assert!(m.state.services["manila-scheduler"].running);
}

#[test]
fn a_service_s_history_is_bounded_and_its_counts_are_not() {
    let mut service = ServiceState::default();
    for _ in 0..(ServiceState::HISTORY + 10) {
        service.push(ServiceEvent {
            action: ServiceAction::Restart,
            by: "systemctl".to_owned(),
        });
    }
    assert_eq!(service.history.len(), ServiceState::HISTORY);
    assert_eq!(
        service.count(ServiceAction::Restart),
        ServiceState::HISTORY + 10
    );
}
