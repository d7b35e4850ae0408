use super::*;
use proptest::prelude::*;

fn name(s: &str) -> NagiosName {
    NagiosName::parse(s).unwrap()
}

fn check(short: &str) -> Check {
    Check {
        name: name(short),
        description: Description::parse("process check {juju:manila/0}").unwrap(),
        command_line: CommandLine::parse("/usr/lib/nagios/plugins/check_procs -c 1: -C apache2")
            .unwrap(),
    }
}

/// What PyYAML 6's `yaml.dump` prints for nrpe.py's dictionary
/// `{"monitors": {"remote": {"nrpe": {"apache2": {"command": "check_apache2"}, "manila-data":
/// {"command": "check_manila-data"}}}}}` (block style, keys sorted).
#[test]
fn monitors_are_written_as_pyyaml_dumps_them() {
    let monitors = Monitors::of(&[check("manila-data"), check("apache2")]);
    assert_eq!(
        monitors.to_yaml(),
        "monitors:\n  remote:\n    nrpe:\n      apache2:\n        command: check_apache2\n      \
         manila-data:\n        command: check_manila-data\n"
    );
    assert_eq!(
        Monitors::default().to_yaml(),
        "monitors:\n  remote:\n    nrpe: {}\n"
    );
    // Words YAML 1.1 reads as booleans or numbers are quoted, as PyYAML quotes them.
    assert_eq!(name("on").yaml(), "'on'");
    assert_eq!(name("1x").yaml(), "1x");
    for number in [
        "12", "1_0", "0x1f", "0b10", "1.5", "1.", "1.5e-3", "017", "0",
    ] {
        assert_eq!(name(number).yaml(), format!("'{number}'"));
    }
    for text in ["1.5e3", "1.2.3", "089", "1x"] {
        assert_eq!(name(text).yaml(), text);
    }
    assert_eq!(name("onx").yaml(), "onx");
}

#[test]
fn monitors_read_back_and_what_the_nrpe_charm_reads() {
    let monitors = Monitors::of(&[check("haproxy_servers"), check("on")]);
    assert_eq!(
        Monitors::from_yaml(&monitors.to_yaml()),
        Ok(monitors.clone())
    );
    // The flow style and extra keys another charm may send.
    let other = "monitors:\n  local: {procrunning: {x: {name: x}}}\n  remote:\n    nrpe: \
                 {a: {command: check_a, max_check_attempts: 3}}\nversion: '0.3'\n";
    let read = Monitors::from_yaml(other).unwrap();
    assert_eq!(read.0[&name("a")].max_check_attempts, Some(3));
    assert_eq!(Monitors::from_yaml("{}"), Ok(Monitors::default()));
    for bad in [
        "monitors: [1]",
        "monitors:\n  remote:\n    nrpe:\n      'a b': {command: check_a}\n",
        "monitors:\n  remote:\n    nrpe:\n      a: {command: \"x\\ny\"}\n",
        "monitors:\n  remote:\n    nrpe:\n      a: {command: check_a, max_check_attempts: -1}\n",
        "monitors: {remote: {nrpe: {a: 1}}}",
        ": : :",
    ] {
        assert!(Monitors::from_yaml(bad).is_err(), "{bad:?} was taken");
    }
}

#[test]
fn principal_bag_round_trip() {
    let data = PrincipalData {
        monitors: Monitors::of(&[check("manila-scheduler")]),
        primary: true,
    };
    let bag = data.to_bag();
    assert_eq!(bag[PRIMARY], "True");
    assert_eq!(PrincipalData::from_bag(&bag), Ok(Readiness::Ready(data)));
    assert!(!PrincipalData::from_bag(&Bag::new()).unwrap().is_ready());
}

#[test]
fn the_nrpe_charm_names_the_host() {
    let unit: UnitName = "manila/0".parse().unwrap();
    let bag = NagiosHost {
        hostname: Some(name("juju-manila-0")),
        host_context: Some(name("juju")),
    }
    .to_bag();
    let units = BTreeMap::from([("nrpe/3".parse().unwrap(), bag)]);
    let host = NagiosHost::from_bags(&units).unwrap().ready().unwrap();
    assert_eq!(
        host.host_name(&name("ctx"), &unit).as_str(),
        "juju-manila-0"
    );
    assert_eq!(host.unit_label(&unit), "juju:manila/0");
    // Before it says, nrpe.py's own name: the principal's nagios_context and the unit.
    let none = NagiosHost::default();
    assert_eq!(none.host_name(&name("ctx"), &unit).as_str(), "ctx-manila-0");
    assert_eq!(none.unit_label(&unit), "manila/0");
    // A host name that could end a line or a path is refused, naming the key.
    let bad = Bag::from([(NAGIOS_HOSTNAME.to_owned(), "../../etc/x".to_owned())]);
    assert_eq!(
        NagiosHost::from_bag(&bad).unwrap_err().key(),
        NAGIOS_HOSTNAME
    );
}

/// The two files as nrpe.py's `Check.write` and `Check.write_service_config` lay them out.
#[test]
fn check_files() {
    let check = check("apache2");
    let groups = [name("juju"), name("manila")];
    assert_eq!(
        check.nrpe_cfg_path(),
        "/etc/nagios/nrpe.d/check_apache2.cfg"
    );
    assert_eq!(
        check.nrpe_cfg(&groups),
        "# check apache2\n# The following header was added automatically by juju\n# Modifying \
         it will affect nagios monitoring and alerting\n# servicegroups: juju,manila\n\
         command[check_apache2]=/usr/lib/nagios/plugins/check_procs -c 1: -C apache2\n"
    );
    let host = name("juju-manila-0");
    assert_eq!(
        check.service_cfg_path(&host),
        "/var/lib/nagios/export/service__juju-manila-0_check_apache2.cfg"
    );
    let text = check.service_cfg(&host, &groups);
    assert!(text.starts_with("\n#------"), "{text}");
    assert!(text.contains(
        "\n    service_description             juju-manila-0[apache2] process check \
         {juju:manila/0}\n"
    ));
    assert!(text.contains("\n    check_command                   check_nrpe!check_apache2\n"));
    assert!(text.ends_with("    servicegroups                   juju,manila\n\n}\n"));
}

#[test]
fn names_and_texts_cannot_end_a_line() {
    for bad in [
        "",
        "a b",
        "a\nb",
        "-a",
        ".a",
        "a/b",
        "a$b",
        &"a".repeat(256),
    ] {
        assert!(NagiosName::parse(bad).is_err(), "{bad:?}");
    }
    assert!(Description::parse("a\nb").is_err());
    assert!(Description::parse("a (b)").is_err());
    assert!(CommandLine::parse("a\nb").is_err());
    assert!(CommandLine::parse("a\rb").is_err());
    assert!(CommandLine::parse("check_procs -a 'x$'").is_err());
}

proptest! {
    #[test]
    fn hostile_nrpe_bags(bag in databag::testing::hostile_bags(
        NagiosHost { hostname: Some(name("juju-m-0")), host_context: None }.to_bag(),
        &[NAGIOS_HOSTNAME, NAGIOS_HOST_CONTEXT],
    )) {
        let read = NagiosHost::from_bag(&bag);
        databag::testing::check_reading(&bag, &[NAGIOS_HOSTNAME, NAGIOS_HOST_CONTEXT], &read)?;
        if let Ok(Readiness::Ready(host)) = read {
            for n in host.hostname.iter().chain(&host.host_context) {
                prop_assert!(NagiosName::parse(n.as_str()).is_ok());
            }
        }
    }

    #[test]
    fn hostile_principal_bags(bag in databag::testing::hostile_bags(
        PrincipalData { monitors: Monitors::of(&[check("a")]), primary: true }.to_bag(),
        &[MONITORS, PRIMARY],
    )) {
        let read = PrincipalData::from_bag(&bag);
        if let Err(e) = &read {
            prop_assert!(bag.contains_key(e.key()));
        }
        if let Ok(Readiness::Ready(data)) = read {
            for (n, m) in &data.monitors.0 {
                prop_assert!(NagiosName::parse(n.as_str()).is_ok());
                prop_assert!(NagiosName::parse(m.command.as_str()).is_ok());
            }
        }
    }
}
