//! The exact relation data this side writes, byte for byte: `_name` and
//! `_configuration_data` as Python's `json.dumps({"data": {...}})` writes it, for each
//! driver mode and login method, with the text it carries snapshotted for review.

use crate::fixtures::{self, AUTH_TYPES, SHARE_SERVERS};

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
    let bag = model.published(3);
    assert_eq!(bag["_configuration_data"], expected_configuration);
    assert_eq!(bag["_name"], "generic");
    assert_eq!(bag.len(), 2);

    let calls = model.take_relation_sets();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let (argv, stdin) = calls[0].split_once(" <<< ").unwrap();
    assert_eq!(argv, "relation-set -r manila-plugin:3 --file -");
    let sent: charm::Databag = serde_json::from_str(stdin).unwrap();
    assert_eq!(sent, bag);
}

/// The published bag, decoded one level: `_configuration_data` is exactly the Python-style
/// wrapper around the text, and the text is the snapshot.
#[test]
fn each_mode_and_login_publishes_the_name_and_the_wrapped_text() {
    for share_servers in SHARE_SERVERS {
        for auth_type in AUTH_TYPES {
            let model = fixtures::ready(share_servers, auth_type);
            let bag = model.published(3);
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
            // The principal's side of the interface reads it back as this back end.
            let backend = manila_plugin::BackendStatus::from_bag(&bag);
            let expected = manila_plugin::Backend::new("generic")
                .with_file("/etc/manila/manila.conf", text.as_str());
            assert_eq!(backend.ready(), Some(&expected));
            insta::assert_snapshot!(fixtures::variant(share_servers, auth_type), text);
        }
    }
}

/// Python's `json.dumps` writes non-ASCII as `\uXXXX` (ensure_ascii); so does this side, so
/// that both sides compare equal text.
#[test]
fn non_ascii_values_are_escaped_as_python_does() {
    let model = crate::model::Model::new();
    fixtures::configure(&model, false, "password");
    model.set_config("driver-service-instance-password", "pässwörd");
    model.relate(3, fixtures::credentials());
    model.relation_hook("changed", 3);
    let wrapped = &model.published(3)["_configuration_data"];
    assert!(
        wrapped.contains(r"service_instance_password = p\u00e4ssw\u00f6rd\n"),
        "{wrapped}"
    );
}

/// The reference's `*_domain_id` keys (interface-manila-plugin's documented names) stand in
/// for the names; they carry domain names there too.
#[test]
fn domain_id_keys_fill_the_domain_names() {
    let model = crate::model::Model::new();
    fixtures::configure(&model, false, "");
    let by_id = fixtures::AUTHENTICATION
        .replace("project_domain_name", "project_domain_id")
        .replace(
            "user_domain_name\": \"service_domain",
            "user_domain_id\": \"users_domain",
        );
    model.relate(3, fixtures::principal(&by_id));
    model.relation_hook("changed", 3);
    let wrapped = &model.published(3)["_configuration_data"];
    assert!(
        wrapped
            .contains(r"project_domain_name = service_domain\nuser_domain_name = users_domain\n"),
        "{wrapped}"
    );
    assert!(!wrapped.contains("domain_id"), "{wrapped}");
}
