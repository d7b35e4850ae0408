//! Expected payloads were printed by Python 3's `json.dumps` from the dicts the reference
//! charms build (manila-generic `get_config_for_principal`, manila-ganesha `setup_manila`,
//! charm-manila `share_to_manila_plugins_auth`).

use super::*;

fn bag(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn unit(name: &str) -> UnitName {
    name.parse().unwrap()
}

const GENERIC_SECTION: &str = "[generic]
# Set usage of Generic driver which uses cinder as backend.
share_driver = manila.share.drivers.generic.GenericShareDriver
driver_handles_share_servers = False
share_backend_name = generic
service_instance_user = manila
";

fn generic() -> Backend {
    Backend::new("generic").with_file("/etc/manila/manila.conf", GENERIC_SECTION)
}

#[test]
fn generic_plugin_payload_matches_python() {
    assert_eq!(
        generic().to_bag(),
        bag(&[
            ("_name", "generic"),
            (
                "_configuration_data",
                r#"{"data": {"/etc/manila/manila.conf": "[generic]\n# Set usage of Generic driver which uses cinder as backend.\nshare_driver = manila.share.drivers.generic.GenericShareDriver\ndriver_handles_share_servers = False\nshare_backend_name = generic\nservice_instance_user = manila\n"}}"#
            ),
        ])
    );
    assert_eq!(
        Backend::new("generic").to_bag()["_configuration_data"],
        r#"{"data": {}}"#
    );
}

#[test]
fn ganesha_plugin_payload_matches_python() {
    assert_eq!(
        Backend::new("cephfsnfs1").with_complete(true).to_bag(),
        bag(&[
            ("_name", "cephfsnfs1"),
            ("_configuration_data", r#"{"data": {"complete": true}}"#),
        ])
    );
}

#[test]
fn files_keep_insertion_order_on_the_wire() {
    let backend = Backend::new("b")
        .with_complete(false)
        .with_file("/etc/manila/manila.conf", "z")
        .with_file("/etc/manila/a.conf", "a");
    assert_eq!(
        backend.to_bag()["_configuration_data"],
        r#"{"data": {"complete": false, "/etc/manila/manila.conf": "z", "/etc/manila/a.conf": "a"}}"#
    );
}

#[test]
fn principal_reads_each_backend() {
    assert_eq!(
        BackendStatus::from_bag(&generic().to_bag()),
        BackendStatus::Ready(generic())
    );
    let ganesha = BackendStatus::from_bag(&bag(&[
        ("_name", "cephfsnfs1"),
        ("_configuration_data", r#"{"data": {"complete": true}}"#),
    ]));
    let ganesha = ganesha.ready().unwrap();
    assert_eq!(ganesha.complete, Some(true));
    assert!(ganesha.files.is_empty());
    // Python's compact form and unknown top-level keys are fine too.
    let compact = BackendStatus::from_bag(&bag(&[
        ("_name", "x"),
        ("_configuration_data", r#"{"data":{"/etc/f":"s"},"v":1}"#),
    ]));
    assert_eq!(compact.ready().unwrap().file("/etc/f"), Some("s"));
}

#[test]
fn principal_waits_for_name_and_configuration() {
    assert_eq!(
        BackendStatus::from_bag(&bag(&[("private-address", "10.5.0.10")])),
        BackendStatus::Waiting {
            missing: vec!["_name".into(), "_configuration_data".into()]
        }
    );
    assert_eq!(
        BackendStatus::from_bag(&bag(&[("_name", "generic"), ("_configuration_data", "")])),
        BackendStatus::Waiting {
            missing: vec!["_configuration_data".into()]
        }
    );
}

#[test]
fn malformed_payloads_are_invalid_with_a_reason() {
    let cases = [
        (
            "{not json",
            "invalid JSON: key must be a string at line 1 column 2",
        ),
        (
            "[1, 2]",
            r#"unexpected JSON: expected an object {"data": {...}}"#,
        ),
        (
            r#"{"config": {}}"#,
            r#"unexpected JSON: expected a "data" key"#,
        ),
        (
            r#"{"data": "text"}"#,
            r#"unexpected JSON: expected "data" to be an object"#,
        ),
        (
            r#"{"data": {"/etc/manila/manila.conf": ["a"]}}"#,
            r#"unexpected JSON: expected the section for "/etc/manila/manila.conf" to be a string"#,
        ),
        (
            r#"{"data": {"complete": "yes"}}"#,
            r#"unexpected JSON: expected "complete" to be true or false"#,
        ),
    ];
    for (payload, reason) in cases {
        let status = BackendStatus::from_bag(&bag(&[
            ("_name", "generic"),
            ("_configuration_data", payload),
        ]));
        let BackendStatus::Invalid(err) = status else {
            panic!("{payload} was accepted: {status:?}");
        };
        assert_eq!(err.key(), "_configuration_data");
        assert_eq!(
            err.to_string(),
            format!("relation key `_configuration_data`: {reason}")
        );
    }
}

#[test]
fn principal_view_of_all_units() {
    let broken = bag(&[("_name", "broken"), ("_configuration_data", "{")]);
    let other = Backend::new("alpha").with_file("/etc/manila/manila.conf", "[alpha]\n");
    let backends = PluginBackends::from_bags(&BTreeMap::from([
        (unit("manila-generic/0"), generic().to_bag()),
        (
            unit("manila-generic/1"),
            generic().with_file("/x", "later unit").to_bag(),
        ),
        (unit("alpha/0"), other.to_bag()),
        (unit("broken/0"), broken),
        (unit("waiting/0"), bag(&[("_name", "waiting")])),
    ]));
    assert_eq!(backends.names(), ["alpha", "generic"]);
    assert_eq!(
        backends.sections_for("/etc/manila/manila.conf"),
        ["[alpha]\n", GENERIC_SECTION]
    );
    assert_eq!(backends.ready()[1], &generic());
    let invalid: Vec<_> = backends.invalid().map(|(u, _)| u.to_string()).collect();
    assert_eq!(invalid, ["broken/0"]);
    assert!(matches!(
        backends.units[&unit("waiting/0")],
        BackendStatus::Waiting { .. }
    ));
}

fn keystone_answered() -> AuthenticationData {
    AuthenticationData {
        username: Some("manila_manilav2".into()),
        password: Some(Secret::from("Kq8Lm2")),
        project_domain_name: Some("service_domain".into()),
        project_name: Some("services".into()),
        user_domain_name: Some("service_domain".into()),
        auth_uri: Some("http://10.5.0.51:5000".into()),
        auth_url: Some("http://10.5.0.50:35357".into()),
        auth_type: Some("password".into()),
    }
}

#[test]
fn authentication_payload_matches_python() {
    assert_eq!(
        keystone_answered().to_bag(),
        bag(&[(
            "_authentication_data",
            r#"{"data": {"username": "manila_manilav2", "password": "Kq8Lm2", "project_domain_name": "service_domain", "project_name": "services", "user_domain_name": "service_domain", "auth_uri": "http://10.5.0.51:5000", "auth_url": "http://10.5.0.50:35357", "auth_type": "password"}}"#
        )])
    );
    // Before keystone answers, charm-manila formats its missing values into the URLs.
    let early = AuthenticationData {
        project_name: Some("services".into()),
        auth_uri: Some("None://None:None".into()),
        auth_url: Some("None://None:None".into()),
        auth_type: Some("password".into()),
        ..AuthenticationData::default()
    };
    assert_eq!(
        early.to_bag()["_authentication_data"],
        r#"{"data": {"username": null, "password": null, "project_domain_name": null, "project_name": "services", "user_domain_name": null, "auth_uri": "None://None:None", "auth_url": "None://None:None", "auth_type": "password"}}"#
    );
    assert_eq!(
        Credentials::from_bag(&early.to_bag()),
        Ok(Readiness::waiting_for([
            "username",
            "password",
            "project_domain_name",
            "user_domain_name"
        ]))
    );
}

#[test]
fn plugin_reads_credentials() {
    let creds = Credentials::from_bag(&keystone_answered().to_bag())
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(creds.username, "manila_manilav2");
    assert_eq!(creds.auth_url, "http://10.5.0.50:35357");
    assert_eq!(AuthenticationData::from(creds), keystone_answered());
    assert_eq!(
        Credentials::from_bag(&Bag::new()),
        Ok(Readiness::waiting_for(["_authentication_data"]))
    );
}

#[test]
fn plugin_accepts_domain_ids_from_older_principals() {
    let payload = r#"{"data": {"username": "u", "password": "p", "project_domain_id": "d1", "project_name": "services", "user_domain_id": "d2", "auth_uri": "http://k:5000", "auth_url": "http://k:35357", "auth_type": "password"}}"#;
    let creds = Credentials::from_bag(&bag(&[("_authentication_data", payload)]))
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(creds.project_domain_name, "d1");
    assert_eq!(creds.user_domain_name, "d2");
}

#[test]
fn malformed_authentication_data_is_an_error_that_keeps_secrets_out() {
    for payload in [
        r#"{"data": {"username": "u", "password": "hunter2"#,
        r#"{"username": "u", "password": "hunter2"}"#,
        r#"{"data": ["hunter2"]}"#,
        r#"{"data": {"username": 7, "password": "hunter2"}}"#,
    ] {
        let err = Credentials::from_bag(&bag(&[("_authentication_data", payload)])).unwrap_err();
        assert_eq!(err.key(), "_authentication_data");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}

#[test]
fn publishing_writes_only_changed_keys() {
    let current = generic().to_bag();
    assert!(changed_keys(&current, &generic().to_bag()).is_empty());
    let changed = generic().with_complete(true).to_bag();
    assert_eq!(
        changed_keys(&current, &changed).keys().collect::<Vec<_>>(),
        ["_configuration_data"]
    );
}

#[test]
fn debug_output_keeps_passwords_out() {
    let backend = Backend::new("generic")
        .with_file("/etc/manila/manila.conf", "[nova]\npassword = hunter2\n");
    let shown = format!("{backend:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("/etc/manila/manila.conf (26 bytes)"),
        "{shown}"
    );
    let shown = format!("{:?}", keystone_answered());
    assert!(!shown.contains("Kq8Lm2"), "{shown}");
}
