//! The NRPE checks (`nrpe-external-master`) and the logging and endpoint options, decided in
//! process: which checks each role gets, the files and `monitors` (as charm-helpers'
//! `nrpe.py` writes them), role changes, pause, relation removal, a malformed nrpe bag.

use charm::plan::Plan;
use charm::received::Received;
use manila_charm::inputs::{state_key, Nrpe};
use manila_charm::Inputs;
use nrpe_external_master::{Monitors, NagiosHost, NagiosName, PrincipalData};

use crate::fixtures::*;

/// `inputs` related to an nrpe unit that named the host `juju-manila-0`, with NRPE
/// installed and exporting service definitions.
fn with_nrpe(mut inputs: Inputs) -> Inputs {
    inputs.nrpe = Nrpe {
        relations: vec![rel("nrpe-external-master:9")],
        host: Received::Ready {
            value: NagiosHost {
                hostname: Some(NagiosName::parse("juju-manila-0").unwrap()),
                host_context: Some(NagiosName::parse("juju").unwrap()),
            },
            problems: Vec::new(),
            kept: false,
        },
        installed: true,
        exporting: true,
    };
    inputs
}

fn check_names(plan: &Plan) -> Vec<String> {
    plan.files
        .iter()
        .filter_map(|f| f.path.strip_prefix("/etc/nagios/nrpe.d/check_"))
        .map(|name| name.trim_end_matches(".cfg").to_owned())
        .collect()
}

fn monitors(plan: &Plan) -> Monitors {
    let (_, bag) = unit_data(plan)
        .into_iter()
        .find(|(id, _)| id.to_string() == "nrpe-external-master:9")
        .expect("monitors published");
    assert_eq!(bag["primary"], "True");
    PrincipalData::from_bag(&bag)
        .unwrap()
        .ready()
        .unwrap()
        .monitors
}

fn command_of<'p>(plan: &'p Plan, check: &str) -> &'p str {
    let file = plan
        .file(&format!("/etc/nagios/nrpe.d/check_{check}.cfg"))
        .unwrap_or_else(|| panic!("no check {check}"));
    file.content
        .lines()
        .find_map(|l| l.strip_prefix(&format!("command[check_{check}]=")))
        .unwrap()
}

#[test]
fn every_service_of_the_roles_haproxy_and_the_api_are_checked() {
    let plan = plan(&with_nrpe(ready("manila/0", "all")));
    assert_eq!(plan.status.message, "Unit is ready");
    let expected = [
        "apache2",
        "haproxy",
        "memcached",
        "manila-scheduler",
        "manila-share",
        "manila-data",
        "haproxy_servers",
        "haproxy_queue",
        "manila_api_http",
    ];
    assert_eq!(check_names(&plan), expected);
    let announced: Vec<String> = monitors(&plan).0.keys().map(|n| n.to_string()).collect();
    let mut sorted = expected.map(str::to_owned).to_vec();
    sorted.sort();
    assert_eq!(announced, sorted);
    // An export file per check, named after the host the nrpe charm gave.
    for name in expected {
        let path = format!("/var/lib/nagios/export/service__juju-manila-0_check_{name}.cfg");
        assert!(plan.file(&path).is_some(), "{path}");
    }
    // NRPE reads the checks: restarted when one changes.
    assert_eq!(
        plan.file("/etc/nagios/nrpe.d/check_apache2.cfg")
            .unwrap()
            .read_by,
        ["nagios-nrpe-server"]
    );
    assert_eq!(
        plan.service("nagios-nrpe-server"),
        Some(charm::ServiceState::RunUnchecked)
    );
    // The haproxy checks read the statistics credentials from a file nagios alone reads.
    let auth = plan.file("/etc/nagios/manila-haproxy-stats.auth").unwrap();
    assert_eq!(auth.content, "admin:STATS-SECRET\n");
    assert_eq!(
        (auth.spec.group.as_str(), auth.spec.mode),
        ("nagios", 0o640)
    );
    let script = plan
        .file("/usr/local/lib/nagios/plugins/check_haproxy_stats.sh")
        .unwrap();
    assert_eq!(script.spec.mode, 0o755);
    assert_eq!(
        command_of(&plan, "manila-scheduler"),
        "/usr/lib/nagios/plugins/check_procs -c 1: \
         --ereg-argument-array='^/usr/bin/python3(\\.[0-9]+)? /usr/bin/manila-scheduler '"
    );
    assert_eq!(
        command_of(&plan, "manila_api_http"),
        "/usr/lib/nagios/plugins/check_http -I 127.0.0.1 -p 8786 -u / -e 200,300"
    );
    // Every file written is recorded, for the day it is no longer wanted.
    let recorded = recorded(&plan, state_key::NRPE_FILES).unwrap().unwrap();
    assert_eq!(
        recorded.split(' ').count(),
        plan.files
            .iter()
            .filter(|f| f.path.contains("nagios"))
            .count()
    );
}

#[test]
fn the_files_as_nrpe_py_writes_them() {
    let mut inputs = with_nrpe(ready("manila/0", "all"));
    inputs.config = configured(
        &raw_config("all")
            .with("nagios_context", "prod")
            .with("nagios_servicegroups", "manila, openstack"),
    );
    let plan = plan(&inputs);
    for path in [
        "/etc/nagios/nrpe.d/check_manila-scheduler.cfg",
        "/etc/nagios/nrpe.d/check_haproxy_servers.cfg",
        "/var/lib/nagios/export/service__juju-manila-0_check_manila-scheduler.cfg",
    ] {
        let file = plan.file(path).unwrap();
        assert_eq!(file.spec.mode, 0o644);
        let name = format!("nrpe@{}", path.trim_start_matches('/').replace('/', "_"));
        insta::assert_snapshot!(name, &file.content);
    }
    insta::assert_snapshot!(
        "nrpe@monitors",
        unit_data(&plan)
            .into_iter()
            .find(|(id, _)| id.to_string() == "nrpe-external-master:9")
            .unwrap()
            .1["monitors"]
    );
}

#[test]
fn without_a_host_name_from_nrpe_the_context_names_the_host() {
    let mut inputs = with_nrpe(ready("manila/0", "data"));
    inputs.nrpe.host = Received::Missing;
    inputs.config = configured(&raw_config("data").with("nagios_context", "prod"));
    let plan = plan(&inputs);
    let export = plan
        .file("/var/lib/nagios/export/service__prod-manila-0_check_manila-data.cfg")
        .unwrap();
    // The servicegroup defaults to the context, and the unit is named without a host context.
    assert!(export
        .content
        .contains("servicegroups                   prod\n"));
    assert!(export
        .content
        .contains("[manila-data] process check {manila/0}\n"));
    assert_eq!(check_names(&plan), ["manila-data"]);
}

#[test]
fn checks_follow_the_roles() {
    let before = plan(&with_nrpe(ready("manila/0", "all")));
    let written = recorded(&before, state_key::NRPE_FILES).unwrap().unwrap();
    let mut inputs = with_nrpe(ready("manila/0", "scheduler"));
    inputs.recorded.nrpe_files = written.split(' ').map(str::to_owned).collect();
    let after = plan(&inputs);
    assert_eq!(check_names(&after), ["manila-scheduler"]);
    assert!(after
        .remove
        .contains(&"/etc/nagios/nrpe.d/check_apache2.cfg".to_owned()));
    assert!(after.remove.contains(
        &"/var/lib/nagios/export/service__juju-manila-0_check_manila-data.cfg".to_owned()
    ));
    assert!(after
        .remove
        .contains(&"/etc/nagios/manila-haproxy-stats.auth".to_owned()));
    assert!(!after.remove.iter().any(|p| p.contains("manila-scheduler")));
    assert_eq!(
        monitors(&after)
            .0
            .keys()
            .map(|n| n.to_string())
            .collect::<Vec<_>>(),
        ["manila-scheduler"]
    );
}

#[test]
fn a_paused_unit_s_checks_say_so_instead_of_failing() {
    let mut inputs = with_nrpe(ready("manila/0", "all"));
    inputs.paused = true;
    inputs.running.clear();
    let plan = plan(&inputs);
    assert_eq!(
        plan.status.message,
        "Paused. Use 'resume' action to resume normal service."
    );
    for check in check_names(&plan) {
        let command = command_of(&plan, &check);
        assert!(
            command.starts_with("/usr/lib/nagios/plugins/check_dummy 0 'paused: "),
            "{check}: {command}"
        );
    }
    // Still announced: nagios keeps the services, which answer OK.
    assert_eq!(monitors(&plan).0.len(), 9);
}

#[test]
fn leaving_the_relation_removes_every_file() {
    let before = plan(&with_nrpe(ready("manila/0", "all")));
    let written = recorded(&before, state_key::NRPE_FILES).unwrap().unwrap();
    let mut inputs = ready("manila/0", "all");
    inputs.recorded.nrpe_files = written.split(' ').map(str::to_owned).collect();
    let after = plan(&inputs);
    assert_eq!(after.remove.len(), written.split(' ').count());
    assert!(check_names(&after).is_empty());
    assert_eq!(recorded(&after, state_key::NRPE_FILES), Some(None));
    assert_eq!(after.service("nagios-nrpe-server"), None);
}

#[test]
fn nothing_is_written_before_nrpe_is_installed() {
    let mut inputs = with_nrpe(ready("manila/0", "all"));
    inputs.nrpe.installed = false;
    let plan = plan(&inputs);
    assert!(check_names(&plan).is_empty());
    let (_, bag) = unit_data(&plan)
        .into_iter()
        .find(|(id, _)| id.to_string() == "nrpe-external-master:9")
        .unwrap();
    assert_eq!(bag, bag_of(&[("primary", "True")]));
    // Without the export directory, only NRPE's files.
    let mut inputs = with_nrpe(ready("manila/0", "data"));
    inputs.nrpe.exporting = false;
    assert!(!plan_files(&inputs).iter().any(|p| p.contains("export")));
}

fn bag_of(pairs: &[(&str, &str)]) -> charm::Bag {
    bag(pairs)
}

fn plan_files(inputs: &Inputs) -> Vec<String> {
    plan(inputs).files.iter().map(|f| f.path.clone()).collect()
}

#[test]
fn pacemaker_s_services_are_left_to_its_checks() {
    let mut inputs = with_nrpe(ready("manila/0", "api,share"));
    inputs.ha = vec![rel("ha:7")];
    let names = check_names(&plan(&inputs));
    assert!(!names.contains(&"haproxy".to_owned()), "{names:?}");
    assert!(!names.contains(&"manila-share".to_owned()), "{names:?}");
    assert!(names.contains(&"apache2".to_owned()), "{names:?}");
}

#[test]
fn a_malformed_host_name_is_reported_and_the_last_good_one_kept() {
    let me = "manila/0";
    let good = NagiosHost {
        hostname: Some(NagiosName::parse("juju-manila-0").unwrap()),
        host_context: None,
    }
    .to_bag();
    let bad = bag(&[("nagios_hostname", "x\ncommand[evil]=/bin/rm")]);
    let units = std::collections::BTreeMap::from([(unit("nrpe/0"), bad)]);
    let kept = std::collections::BTreeMap::from([(unit("nrpe/0"), good)]);
    let (received, _) = charm::received::receive_relation(
        &units,
        &kept,
        NagiosHost::from_bag,
        NagiosHost::from_bags,
    );
    let mut inputs = with_nrpe(ready(me, "data"));
    inputs.nrpe.host = received;
    let plan = plan(&inputs);
    assert!(
        plan.status.message.contains("nrpe-external-master"),
        "{}",
        plan.status.message
    );
    assert!(plan
        .file("/var/lib/nagios/export/service__juju-manila-0_check_manila-data.cfg")
        .is_some());
    assert!(plan.files.iter().all(|f| !f.content.contains("evil")));
}

#[test]
fn syslog_and_internal_endpoints() {
    let mut inputs = ready("manila/0", "all");
    inputs.config = configured(
        &raw_config("all")
            .with("use-syslog", true)
            .with("use-internal-endpoints", true),
    );
    let plan = plan(&inputs);
    let conf = &plan.file("/etc/manila/manila.conf").unwrap().content;
    insta::assert_snapshot!("nrpe@syslog_internal_manila.conf", redact(conf));
    assert!(conf.contains("\nuse_syslog = True\n"));
    assert!(conf.contains("\n[keystone_authtoken]\n"));
    assert!(conf.contains("\ninterface = internal\n"));
    let logging = &plan.file("/etc/manila/logging.conf").unwrap().content;
    assert!(
        logging.contains("[logger_root]\nlevel = WARNING\nhandlers = syslog\n"),
        "{logging}"
    );
    assert!(logging.contains("handlers = stderr, syslog\nqualname = manila\n"));
    // Off (the default), nothing of either.
    let conf = &plan_default_conf();
    assert!(
        !conf.contains("use_syslog")
            && !conf.contains("interface =")
            && !conf.contains("endpoint_type")
    );
}

fn plan_default_conf() -> String {
    plan(&ready("manila/0", "all"))
        .file("/etc/manila/manila.conf")
        .unwrap()
        .content
        .clone()
}

#[test]
fn with_tls_the_api_check_speaks_tls() {
    let plain = plan(&with_nrpe(ready("manila/0", "all")));
    assert_eq!(
        command_of(&plain, "manila_api_http"),
        "/usr/lib/nagios/plugins/check_http -I 127.0.0.1 -p 8786 -u / -e 200,300"
    );
    let vault = tls_certificates::testing::TestCa::new("Vault CA");
    let answer = crate::tls::vault_answer(&vault, vault.issue(&[crate::tls::ADDRESS], false));
    let tls = plan(&crate::tls::with_relation(
        with_nrpe(ready("manila/0", "all")),
        &answer,
    ));
    assert_eq!(tls.status.message, "Unit is ready");
    assert_eq!(
        command_of(&tls, "manila_api_http"),
        "/usr/lib/nagios/plugins/check_http -S -I 127.0.0.1 -p 8786 -u / -e 200,300"
    );
}
