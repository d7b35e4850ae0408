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

fn name(text: &str) -> BackendName {
    text.parse().unwrap()
}

fn generic() -> Backend {
    Backend::new(name("generic")).with_file(MANILA_CONF, GENERIC_SECTION)
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
        Backend::new(name("generic")).to_bag()["_configuration_data"],
        r#"{"data": {}}"#
    );
}

#[test]
fn ganesha_plugin_payload_matches_python() {
    assert_eq!(
        Backend::new(name("cephfsnfs1"))
            .with_complete(true)
            .to_bag(),
        bag(&[
            ("_name", "cephfsnfs1"),
            ("_configuration_data", r#"{"data": {"complete": true}}"#),
        ])
    );
}

#[test]
fn files_keep_insertion_order_on_the_wire() {
    let backend = Backend::new(name("b"))
        .with_complete(false)
        .with_file(MANILA_CONF, "z")
        .with_file("/etc/manila/a.conf", "a");
    assert_eq!(
        backend.to_bag()["_configuration_data"],
        r#"{"data": {"complete": false, "/etc/manila/manila.conf": "z", "/etc/manila/a.conf": "a"}}"#
    );
}

#[test]
fn principal_reads_each_backend_as_parsed_sections() {
    let generic = BackendStatus::from_bag(&generic().to_bag());
    let generic = generic.ready().unwrap();
    assert_eq!(generic.name.as_str(), "generic");
    let own = generic.own.as_ref().unwrap();
    assert_eq!(own.name.as_str(), "generic");
    assert_eq!(
        own.get("share_driver"),
        Some("manila.share.drivers.generic.GenericShareDriver")
    );
    assert_eq!(own.options.len(), 4);
    assert!(generic.shared.is_empty());

    let ganesha = BackendStatus::from_bag(&bag(&[
        ("_name", "cephfsnfs1"),
        ("_configuration_data", r#"{"data": {"complete": true}}"#),
    ]));
    let ganesha = ganesha.ready().unwrap();
    assert_eq!(ganesha.complete, Some(true));
    assert_eq!((&ganesha.own, ganesha.shared.len()), (&None, 0));
    // Python's compact form, other files and unknown top-level keys are fine too.
    let compact = BackendStatus::from_bag(&bag(&[
        ("_name", "x"),
        (
            "_configuration_data",
            r#"{"data":{"/etc/f":"s","/etc/manila/manila.conf":"[cinder]\nauth_type = password\n[x]\ny = 1\n[nova]\nauth_type = password\n"},"v":1}"#,
        ),
    ]));
    let compact = compact.ready().unwrap();
    let shared: Vec<&str> = compact.shared.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(shared, ["nova", "cinder"]);
    assert_eq!(compact.own.as_ref().unwrap().get("y"), Some("1"));
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

fn refusal(name: &str, payload: &str) -> String {
    let status =
        BackendStatus::from_bag(&bag(&[("_name", name), ("_configuration_data", payload)]));
    let BackendStatus::Invalid(err) = status else {
        panic!("{name:?} {payload} was accepted: {status:?}");
    };
    err.to_string()
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
        assert_eq!(
            refusal("generic", payload),
            format!("relation key `_configuration_data`: {reason}")
        );
    }
}

#[test]
fn names_that_are_not_section_names_or_are_manilas_own_are_refused() {
    let data = r#"{"data": {}}"#;
    for (bad, why) in [
        ("gen eric", r#""gen eric" is not a valid section name"#),
        ("a,b", r#""a,b" is not a valid section name"#),
        (
            "x\n[DEFAULT]",
            "contains a line break or another control character",
        ),
        ("x]", r#""x]" is not a valid section name"#),
        (
            "DEFAULT",
            r#""DEFAULT" is a section Manila or its libraries use"#,
        ),
        (
            "database",
            r#""database" is a section Manila or its libraries use"#,
        ),
        (
            "Keystone_AuthToken",
            "is a section Manila or its libraries use",
        ),
        (
            "oslo_messaging_amqp",
            "is a section Manila or its libraries use",
        ),
        ("nova", "is a section Manila or its libraries use"),
    ] {
        let message = refusal(bad, data);
        assert!(message.starts_with("relation key `_name`: "), "{message}");
        assert!(message.contains(why), "{bad:?}: {message}");
    }
    assert!(is_reserved("DEFAULT") && is_reserved("oslo_anything") && !is_reserved("generic"));
}

#[test]
fn text_that_is_not_ini_or_writes_other_sections_is_refused() {
    let payload = |text: &str| {
        format!(
            r#"{{"data": {{"/etc/manila/manila.conf": {}}}}}"#,
            serde_json::to_string(text).unwrap()
        )
    };
    let cases = [
        (
            "[DEFAULT] = x",
            "line 1: a section header must end with ']'",
        ),
        (
            "[generic]\nx = 1\n[DEFAULT]\ndebug = True\n",
            "has a section [DEFAULT]; a back end may write only its own ([generic]) and [nova], \
             [neutron], [cinder]",
        ),
        (
            "[database]\nconnection = sqlite://\n",
            "has a section [database]",
        ),
        ("share_driver = x", "line 1: an option before any section"),
        (
            "[generic]\nx = 1\n  continued",
            "line 3: a line starting with a blank",
        ),
        (
            "[generic]\npath = $",
            "line 2: the value of 'path' has a '$'",
        ),
        (
            "[generic]\nx = a\tb",
            "line 2: the value of 'x' contains a line break",
        ),
    ];
    for (text, why) in cases {
        let message = refusal("generic", &payload(text));
        assert!(
            message.starts_with(
                "relation key `_configuration_data`: its /etc/manila/manila.conf text"
            ),
            "{message}"
        );
        assert!(message.contains(why), "{text:?}: {message}");
        assert!(!message.contains("sqlite"), "{message}");
    }
}

#[test]
fn shared_sections_merge_and_report_disagreements_by_name() {
    let with = |backend: &str, nova_url: &str| {
        let text =
            format!("[nova]\nauth_url = {nova_url}\nauth_type = password\n[{backend}]\nx = 1\n");
        ShareBackend::parse(name(backend), Some(&text)).unwrap()
    };
    let a = with("alpha", "http://k:5000");
    let b = with("beta", "http://k:5000");
    let merged = SharedSections::merge(&[&a, &b]);
    assert_eq!(merged.conflicts, []);
    assert_eq!(merged.sections.len(), 1);
    assert_eq!(merged.sections[0].options.len(), 2);

    let c = with("gamma", "http://evil:5000");
    let merged = SharedSections::merge(&[&a, &c]);
    assert_eq!(merged.sections[0].get("auth_url"), Some("http://k:5000"));
    assert_eq!(
        merged
            .conflicts
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["Share backends 'alpha' and 'gamma' send different values for 'auth_url' in [nova]"]
    );
}

#[test]
fn principal_view_of_all_units() {
    let broken = bag(&[("_name", "broken"), ("_configuration_data", "{")]);
    let other = Backend::new(name("alpha")).with_file(MANILA_CONF, "[alpha]\n");
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
    assert_eq!(backends.ready()[1].own.as_ref().unwrap().options.len(), 4);
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
        r#"{"data": {"username": "u", "password": "hunter2\n[DEFAULT]"}}"#,
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
    let backend =
        Backend::new(name("generic")).with_file(MANILA_CONF, "[nova]\npassword = hunter2\n");
    let shown = format!("{backend:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("/etc/manila/manila.conf (26 bytes)"),
        "{shown}"
    );
    let received = BackendStatus::from_bag(&backend.to_bag());
    let shown = format!("{received:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("[nova] (1 options)"), "{shown}");
    let shown = format!("{:?}", keystone_answered());
    assert!(!shown.contains("Kq8Lm2"), "{shown}");
}

#[test]
fn share_protocols_are_manilas_in_any_case_and_separator() {
    assert_eq!(
        parse_protocols("nfs CIFS,cephfs  nfs"),
        Ok(vec!["NFS", "CIFS", "CEPHFS"])
    );
    assert_eq!(
        parse_protocols("NFS FOO"),
        Err(
            "\"FOO\" is not a share protocol Manila knows (NFS, CIFS, GLUSTERFS, HDFS, CEPHFS, \
             MAPRFS, LUSTRE, WEKAFS)"
                .to_owned()
        )
    );
    assert!(parse_protocols("NFS\n[DEFAULT]")
        .unwrap_err()
        .starts_with("\"[DEFAULT]\""));
    assert!(parse_protocols(" , ").is_err());
}

#[test]
fn credentials_oslo_cannot_read_back_are_refused() {
    let mut auth = keystone_answered();
    auth.password = Some(Secret::from("a\\$b"));
    let err = Credentials::from_bag(&auth.to_bag()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "relation key `_authentication_data`: \"password\" contains '\\$', which oslo.config \
         cannot read back"
    );
}

mod properties {
    use databag::testing::{check_reading, hostile_bags, hostile_value};
    use proptest::prelude::*;

    use super::*;

    const PLUGIN_KEYS: &[&str] = &["_name", "_configuration_data"];

    /// A back end whose manila.conf text holds `text` (JSON-escaped as a plugin sends it).
    fn with_text(text: &str) -> Bag {
        let payload = serde_json::json!({ "data": { MANILA_CONF: text } });
        bag(&[
            ("_name", "generic"),
            ("_configuration_data", &payload.to_string()),
        ])
    }

    proptest! {
        #[test]
        fn plugin_bags_never_panic_and_refusals_name_a_key(
            bag in hostile_bags(generic().to_bag(), PLUGIN_KEYS)
        ) {
            let read = BackendStatus::check(&bag);
            check_reading(&bag, PLUGIN_KEYS, &read)?;
        }

        /// Whatever text a plugin sends, what the principal accepts renders back as the same
        /// sections, each line one option of a valid name (no line of the text's own).
        #[test]
        fn accepted_sections_are_the_backends_own_or_shared_and_one_line_each(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("[generic]".to_owned()),
                    Just("[nova]".to_owned()),
                    Just("[DEFAULT]".to_owned()),
                    "[a-z_]{1,8} = [a-z$ ]{0,8}",
                    hostile_value(),
                ],
                0..8,
            )
        ) {
            let text = lines.join("\n");
            if let BackendStatus::Ready(backend) = BackendStatus::from_bag(&with_text(&text)) {
                let sections: Vec<&ini::Section> =
                    backend.own.iter().chain(&backend.shared).collect();
                for section in sections {
                    let name = section.name.as_str();
                    prop_assert!(name == "generic" || SHARED_SECTIONS.contains(&name), "{name}");
                    for (_, value) in &section.options {
                        prop_assert!(ini::check_oslo_text(value).is_ok(), "{value:?}");
                    }
                }
            }
        }

        #[test]
        fn credentials_never_panic_and_refusals_name_the_key(value in hostile_value()) {
            let mut auth = keystone_answered();
            auth.password = Some(Secret::from(value.as_str()));
            auth.username = Some(value);
            let bag = auth.to_bag();
            let read = Credentials::from_bag(&bag);
            check_reading(&bag, &[], &read)?;
            if let Ok(Readiness::Ready(creds)) = read {
                prop_assert!(ini::Dialect::Oslo.escape(creds.password.expose()).is_ok());
                prop_assert!(ini::Dialect::Oslo.escape(&creds.username).is_ok());
            }
        }
    }
}
