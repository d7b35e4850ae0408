//! The exact relation data this side writes, byte for byte: `_name` and
//! `_configuration_data` as Python's `json.dumps({"data": {...}})` writes it, for each
//! driver mode and login method, with the text it carries snapshotted for review.

use crate::fixtures::{self, run, set, AUTH_TYPES, PLUGIN, SHARE_SERVERS};

/// A first publication, written out by hand from the reference's wire format: one
/// `relation-set` carrying both keys, `_configuration_data` being Python's
/// `json.dumps({"data": {path: text}})` (separators `", "` and `": "`).
#[test]
fn golden_first_publication_without_share_servers_with_a_password() {
    let model = fixtures::ready(false, "password");
    let expected_configuration = concat!(
        r#"{"data": {"/etc/manila/manila.conf": ""#,
        r#"# Share back end 'generic' (manila-generic-backend): the generic driver reaches\n"#,
        r#"# Nova, Neutron and Cinder with these credentials.\n"#,
        r#"\n[nova]\nauth_type = password\nauth_url = http://10.5.0.20:35357\n"#,
        r#"username = manila\npassword = s3cret\nproject_name = services\n"#,
        r#"project_domain_name = service_domain\nuser_domain_name = service_domain\n"#,
        r#"\n[neutron]\nauth_type = password\nauth_url = http://10.5.0.20:35357\n"#,
        r#"username = manila\npassword = s3cret\nproject_name = services\n"#,
        r#"project_domain_name = service_domain\nuser_domain_name = service_domain\n"#,
        r#"\n[cinder]\nauth_type = password\nauth_url = http://10.5.0.20:35357\n"#,
        r#"username = manila\npassword = s3cret\nproject_name = services\n"#,
        r#"project_domain_name = service_domain\nuser_domain_name = service_domain\n"#,
        r#"\n[generic]\n"#,
        r#"share_driver = manila.share.drivers.generic.GenericShareDriver\n"#,
        r#"share_backend_name = generic\ndriver_handles_share_servers = False\n"#,
        r#"service_instance_user = manila\nservice_instance_password = instance-pw\n"#,
        r#""}}"#,
    );
    let bag = model.published(PLUGIN);
    assert_eq!(bag["_configuration_data"], expected_configuration);
    assert_eq!(bag["_name"], "generic");
    assert_eq!(bag.len(), 2);

    let calls = &model.relation_sets;
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let (argv, sent) = &calls[0];
    assert_eq!(argv, "relation-set -r manila-plugin:3 --file -");
    assert_eq!(sent, &bag);
}

/// The published bag, decoded one level: `_configuration_data` is exactly the Python-style
/// wrapper around the text, and the text is the snapshot.
#[test]
fn each_mode_and_login_publishes_the_name_and_the_wrapped_text() {
    for share_servers in SHARE_SERVERS {
        for auth_type in AUTH_TYPES {
            let model = fixtures::ready(share_servers, auth_type);
            let bag = model.published(PLUGIN);
            assert_eq!(
                bag.keys().collect::<Vec<_>>(),
                ["_configuration_data", "_name"]
            );
            assert_eq!(bag["_name"], "generic");
            let wrapped = &bag["_configuration_data"];
            let prefix = r#"{"data": {"/etc/manila/manila.conf": "#;
            let text_json = wrapped
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix("}}"))
                .unwrap_or_else(|| panic!("not the reference's wrapper: {wrapped}"));
            let text: String = serde_json::from_str(text_json).unwrap();
            // Python escapes exactly what serde_json does for ASCII text.
            assert!(text.is_ascii());
            assert_eq!(serde_json::to_string(&text).unwrap(), text_json);
            // The principal's side of the interface accepts it, sections and values: its own
            // section and the three service-client ones, parsed back into the same text.
            let received = manila_plugin::BackendStatus::from_bag(&bag);
            let backend = received.ready().unwrap_or_else(|| panic!("{received:?}"));
            assert_eq!(backend.name.as_str(), "generic");
            let sections: Vec<&str> = backend
                .shared
                .iter()
                .chain(&backend.own)
                .map(|s| s.name.as_str())
                .collect();
            assert_eq!(sections, ["nova", "neutron", "cinder", "generic"]);
            let parsed = ini::Document::parse(&text).unwrap();
            assert_eq!(backend.own.as_ref(), parsed.section("generic"));
            insta::assert_snapshot!(fixtures::variant(share_servers, auth_type), text);
        }
    }
}

/// Python's `json.dumps` writes non-ASCII as `\uXXXX` (ensure_ascii); so does this side, so
/// that both sides compare equal text.
#[test]
fn non_ascii_values_are_escaped_as_python_does() {
    let mut state = fixtures::configured(false, "password");
    set(&mut state, "driver-service-instance-password", "pässwörd");
    let state = fixtures::related(state, fixtures::credentials());
    let model = run(fixtures::changed(&state, PLUGIN), &state);
    let wrapped = &model.published(PLUGIN)["_configuration_data"];
    assert!(
        wrapped.contains(r"service_instance_password = p\u00e4ssw\u00f6rd\n"),
        "{wrapped}"
    );
}

/// The reference's `*_domain_id` keys (interface-manila-plugin's documented names) stand in
/// for the names; they carry domain names there too.
#[test]
fn domain_id_keys_fill_the_domain_names() {
    let by_id = fixtures::AUTHENTICATION
        .replace("project_domain_name", "project_domain_id")
        .replace(
            "user_domain_name\": \"service_domain",
            "user_domain_id\": \"users_domain",
        );
    let state = fixtures::related(fixtures::configured(false, ""), fixtures::principal(&by_id));
    let model = run(fixtures::changed(&state, PLUGIN), &state);
    let wrapped = &model.published(PLUGIN)["_configuration_data"];
    assert!(
        wrapped
            .contains(r"project_domain_name = service_domain\nuser_domain_name = users_domain\n"),
        "{wrapped}"
    );
    assert!(!wrapped.contains("domain_id"), "{wrapped}");
}

/// What relation-changed asks of Juju, in order, and what it does: the keys on the principal's
/// machine with their modes, one `relation-set`, the status, then the unit state, which holds
/// neither the key nor the password.
#[test]
fn relation_changed_reads_publishes_writes_the_keys_and_records_its_state() {
    let state = fixtures::related(fixtures::configured(true, "ssh"), fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(
        unit.file("/etc/manila/ssh_image_key"),
        Some((fixtures::PRIVATE_KEY.to_owned(), 0o600))
    );
    assert_eq!(
        unit.file("/etc/manila/ssh_image_key.pub")
            .map(|(_, mode)| mode),
        Some(0o644)
    );
    let calls = unit.calls();
    let expected_in_order = [
        "state-get --format=json -",
        "config-get --all --format=json",
        "relation-ids --format=json manila-plugin",
        "relation-list --format=json -r manila-plugin:3",
        "relation-get --format=json -r manila-plugin:3 - manila/0",
        "relation-get --format=json -r manila-plugin:3 - manila-generic-backend/0",
        "relation-set -r manila-plugin:3 --file -",
        "status-set active -- Unit is ready",
        "state-set --file -",
    ];
    assert_eq!(calls, expected_in_order);
    let (_, sent) = &unit.relation_sets[0];
    assert_eq!(sent["_name"], "generic");
    assert!(
        sent["_configuration_data"].contains(r"path_to_private_key = /etc/manila/ssh_image_key\n")
    );
    // Secrets are in unit state only where the configuration and relation data read are
    // kept (Juju keeps unit state in the controller, as it keeps config and relation data);
    // never in what the runtime remembers of files or services.
    for (key, value) in &unit.out.state.unit_state {
        let kept = key == "charm.config"
            || key.starts_with("charm.received.")
            || key.starts_with("charm.seen.");
        assert!(
            kept || (!value.contains("OPENSSH") && !value.contains("s3cret")),
            "{key}: {value}"
        );
    }
}
