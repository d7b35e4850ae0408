use std::collections::BTreeMap;

use databag::{fields, Bag, FieldErrorKind, Readiness};
use juju::UnitName;

use crate::credentials::{Credentials, CredentialsRequest};
use crate::*;

fn bag(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn unit(name: &str) -> UnitName {
    name.parse().unwrap()
}

/// charm-manila's registration (§1.9): `canonical_url(type):8786/<v>/%(tenant_id)s`.
fn manila_registration() -> Registration {
    let endpoint = |service: &str, version: &str| Endpoint {
        service: service.into(),
        region: "RegionOne".into(),
        public_url: format!("http://10.5.100.1:8786/{version}/%(tenant_id)s"),
        internal_url: format!("http://10.6.100.1:8786/{version}/%(tenant_id)s"),
        admin_url: format!("http://10.7.100.1:8786/{version}/%(tenant_id)s"),
    };
    Registration::prefixed([
        ("v1", endpoint("manila", "v1")),
        ("v2", endpoint("manilav2", "v2")),
    ])
    .unwrap()
}

#[test]
fn manila_registers_two_prefixed_endpoints() {
    assert_eq!(
        manila_registration().to_bag(),
        bag(&[
            ("v1_service", "manila"),
            ("v1_region", "RegionOne"),
            ("v1_public_url", "http://10.5.100.1:8786/v1/%(tenant_id)s"),
            ("v1_internal_url", "http://10.6.100.1:8786/v1/%(tenant_id)s"),
            ("v1_admin_url", "http://10.7.100.1:8786/v1/%(tenant_id)s"),
            ("v2_service", "manilav2"),
            ("v2_region", "RegionOne"),
            ("v2_public_url", "http://10.5.100.1:8786/v2/%(tenant_id)s"),
            ("v2_internal_url", "http://10.6.100.1:8786/v2/%(tenant_id)s"),
            ("v2_admin_url", "http://10.7.100.1:8786/v2/%(tenant_id)s"),
        ])
    );
}

#[test]
fn keystone_reads_prefixed_registration_and_names_the_service_user() {
    let mut received = manila_registration().to_bag();
    // What Juju adds to every unit bag, and a group keystone must skip.
    received.insert("private-address".into(), "10.5.0.10".into());
    received.insert("ingress-address".into(), "10.5.0.10".into());
    received.insert("egress-subnets".into(), "10.5.0.10/32".into());
    received.insert("v3_service".into(), "half-written".into());
    let registration = Registration::from_bag(&received).ready().unwrap();
    assert_eq!(registration, manila_registration());
    assert_eq!(registration.service_username(), "manila_manilav2");
    let prefixes: Vec<_> = registration.endpoints().map(|(p, _)| p).collect();
    assert_eq!(prefixes, [Some("v1"), Some("v2")]);
}

#[test]
fn service_username_sorts_services_and_single_form_uses_its_service() {
    let endpoint = |service: &str| Endpoint {
        service: service.into(),
        region: "R".into(),
        public_url: "u".into(),
        internal_url: "u".into(),
        admin_url: "u".into(),
    };
    let reversed =
        Registration::prefixed([("a", endpoint("nova")), ("b", endpoint("ec2"))]).unwrap();
    assert_eq!(reversed.service_username(), "ec2_nova");
    let single = Registration::single(endpoint("manila"));
    assert_eq!(
        single.to_bag(),
        bag(&[
            ("service", "manila"),
            ("region", "R"),
            ("public_url", "u"),
            ("internal_url", "u"),
            ("admin_url", "u"),
        ])
    );
    assert_eq!(
        Registration::from_bag(&single.to_bag()),
        Readiness::Ready(single.clone())
    );
    assert_eq!(single.service_username(), "manila");
}

#[test]
fn information_requests_and_partial_groups_are_not_registrations() {
    let none = bag(&[
        ("service", "None"),
        ("region", "None"),
        ("public_url", "None"),
        ("internal_url", "None"),
        ("admin_url", "None"),
    ]);
    assert_eq!(
        Registration::from_bag(&none),
        Readiness::waiting_for([
            "service",
            "region",
            "public_url",
            "internal_url",
            "admin_url"
        ])
    );
    let partial = bag(&[("v1_service", "manila"), ("v1_region", "RegionOne")]);
    assert!(!Registration::from_bag(&partial).is_ready());
}

#[test]
fn prefixes_with_underscores_are_refused() {
    let endpoint = Endpoint {
        service: "s".into(),
        region: "r".into(),
        public_url: "u".into(),
        internal_url: "u".into(),
        admin_url: "u".into(),
    };
    let err = Registration::prefixed([("share_v1", endpoint.clone())]).unwrap_err();
    assert_eq!(err.prefix, "share_v1");
    assert!(Registration::prefixed([("", endpoint)]).is_err());
}

/// What keystone's `add_service_to_keystone` publishes for manila (v3, no TLS), with the
/// `__null__` placeholders keystone filters out of the client relation kept in, as a peer
/// echo might show them.
fn keystone_answer() -> Bag {
    bag(&[
        ("admin_domain_id", "a1b2"),
        ("admin_project_id", "c3d4"),
        ("admin_role", "Admin"),
        ("admin_user_id", "e5f6"),
        ("api_version", "3"),
        ("auth_host", "10.5.0.50"),
        ("auth_port", "35357"),
        ("auth_protocol", "http"),
        ("ca_cert", "__null__"),
        ("created_roles", ""),
        ("https_keystone", "__null__"),
        ("internal_host", "10.5.0.50"),
        ("internal_port", "5000"),
        ("internal_protocol", "http"),
        ("private-address", "10.5.0.50"),
        ("service_domain", "service_domain"),
        ("service_domain_id", "9f8e"),
        ("service_host", "10.5.0.51"),
        ("service_password", "Kq8Lm2"),
        ("service_port", "5000"),
        ("service_protocol", "http"),
        ("service_tenant", "services"),
        ("service_tenant_id", "7d6c"),
        ("service_type", "share"),
        ("service_user_id", "5b4a"),
        ("service_username", "manila_manilav2"),
    ])
}

#[test]
fn client_reads_keystone_answer() {
    let creds = ServiceCredentials::from_bag(&keystone_answer())
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(creds.service_username, "manila_manilav2");
    assert_eq!(creds.auth_uri(), "http://10.5.0.51:5000");
    assert_eq!(creds.auth_url(), "http://10.5.0.50:35357");
    assert_eq!(creds.domain_or_default(), "service_domain");
    assert_eq!(creds.api_version, Some(3));
    assert_eq!(creds.internal_port, Some(5000));
    assert_eq!(creds.service_type.as_deref(), Some("share"));
    assert_eq!(creds.ca_cert, None);
    assert_eq!(creds.https_keystone, None);
}

#[test]
fn domain_defaults_and_ipv6_urls() {
    let mut answer = keystone_answer();
    answer.remove("service_domain");
    answer.insert("service_host".into(), "2001:db8::51".into());
    let creds = ServiceCredentials::from_bag(&answer)
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(creds.domain_or_default(), "default");
    assert_eq!(creds.auth_uri(), "http://[2001:db8::51]:5000");
}

#[test]
fn client_waits_for_the_ten_required_keys() {
    assert_eq!(
        ServiceCredentials::from_bag(&bag(&[("private-address", "10.5.0.50")])),
        Ok(Readiness::waiting_for([
            "service_host",
            "service_protocol",
            "service_port",
            "auth_host",
            "auth_protocol",
            "auth_port",
            "service_tenant",
            "service_username",
            "service_password",
            "service_tenant_id",
        ]))
    );
    for key in ["service_password", "service_tenant_id", "auth_protocol"] {
        let mut answer = keystone_answer();
        answer.remove(key);
        assert_eq!(
            ServiceCredentials::from_bag(&answer),
            Ok(Readiness::waiting_for([key]))
        );
    }
}

#[test]
fn malformed_keystone_values_name_their_key() {
    for (key, value) in [
        ("service_port", "five thousand"),
        ("auth_port", "99999"),
        ("service_protocol", "ftp"),
        ("auth_host", "10.0.0.1/24"),
        ("internal_protocol", "HTTP"),
        ("api_version", "v3"),
        ("ca_cert", "@@@"),
        ("https_keystone", "perhaps"),
    ] {
        let mut answer = keystone_answer();
        answer.insert(key.into(), value.into());
        let err = ServiceCredentials::from_bag(&answer).unwrap_err();
        assert_eq!(err.key(), key, "{err}");
    }
    let mut answer = keystone_answer();
    answer.insert("service_protocol".into(), "ftp".into());
    assert_eq!(
        ServiceCredentials::from_bag(&answer).unwrap_err().kind(),
        &FieldErrorKind::NotOneOf {
            expected: "http or https",
            value: "ftp".into()
        }
    );
}

#[test]
fn tls_keystone_answer_decodes_the_ca() {
    let mut answer = keystone_answer();
    answer.insert("ca_cert".into(), fields::encode_base64(CA_PEM));
    answer.insert("https_keystone".into(), "True".into());
    answer.insert("service_protocol".into(), "https".into());
    let creds = ServiceCredentials::from_bag(&answer)
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(creds.ca_cert.as_deref(), Some(CA_PEM));
    assert_eq!(creds.https_keystone, Some(true));
    assert_eq!(creds.auth_uri(), "https://10.5.0.51:5000");
}

#[test]
fn keystone_side_round_trips() {
    let creds = ServiceCredentials::from_bag(&keystone_answer())
        .unwrap()
        .ready()
        .unwrap();
    let published = creds.to_bag();
    assert_eq!(published["service_username"], "manila_manilav2");
    assert_eq!(published["ca_cert"], "");
    assert_eq!(
        ServiceCredentials::from_bag(&published),
        Ok(Readiness::Ready(creds))
    );
}

#[test]
fn several_keystone_units_first_ready_wins() {
    let mut broken = keystone_answer();
    broken.insert("auth_port".into(), "x".into());
    let units = BTreeMap::from([
        (unit("keystone/0"), Bag::new()),
        (unit("keystone/1"), broken.clone()),
        (unit("keystone/2"), keystone_answer()),
    ]);
    assert!(ServiceCredentials::from_bags(&units).unwrap().is_ready());
    let units = BTreeMap::from([
        (unit("keystone/0"), Bag::new()),
        (unit("keystone/1"), broken),
    ]);
    let err = ServiceCredentials::from_bags(&units).unwrap_err();
    assert_eq!(err.unit, unit("keystone/1"));
    assert_eq!(err.error.key(), "auth_port");
}

// keystone-credentials

#[test]
fn credentials_request_sets_all_five_keys() {
    assert_eq!(
        CredentialsRequest::new("manila").to_bag(),
        bag(&[
            ("username", "manila"),
            ("project", ""),
            ("domain", ""),
            ("requested_roles", ""),
            ("requested_grants", ""),
        ])
    );
    let request = CredentialsRequest {
        project: Some("services".into()),
        requested_roles: vec!["member".into(), "reader".into()],
        ..CredentialsRequest::new("manila")
    };
    assert_eq!(request.to_bag()["requested_roles"], "member,reader");
    assert_eq!(
        CredentialsRequest::from_bag(&request.to_bag()),
        Readiness::Ready(request)
    );
    assert_eq!(
        CredentialsRequest::from_bag(&bag(&[("project", "x")])),
        Readiness::waiting_for(["username"])
    );
}

/// What keystone's `add_credentials_to_keystone` publishes (v3).
fn credentials_answer() -> Bag {
    bag(&[
        ("api_version", "3"),
        ("auth_host", "10.5.0.50"),
        ("auth_port", "35357"),
        ("auth_protocol", "http"),
        ("credentials_host", "10.5.0.51"),
        ("credentials_password", "Wn4Rt7"),
        ("credentials_port", "5000"),
        ("credentials_project", "services"),
        ("credentials_project_domain_id", "9f8e"),
        ("credentials_project_domain_name", "service_domain"),
        ("credentials_project_id", "7d6c"),
        ("credentials_protocol", "http"),
        ("credentials_user_domain_id", "9f8e"),
        ("credentials_user_domain_name", "service_domain"),
        ("credentials_username", "manila"),
        ("domain", "service_domain"),
        ("private-address", "10.5.0.50"),
        ("region", "RegionOne"),
    ])
}

#[test]
fn credentials_client_reads_keystone_answer() {
    let creds = Credentials::from_bag(&credentials_answer())
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(creds.username, "manila");
    assert_eq!(creds.password.expose(), "Wn4Rt7");
    assert_eq!(creds.project_domain_name.as_deref(), Some("service_domain"));
    assert_eq!(creds.region.as_deref(), Some("RegionOne"));
    assert_eq!(creds.auth_uri(), "http://10.5.0.51:5000");
    assert_eq!(creds.auth_url(), "http://10.5.0.50:35357");
    let published = creds.to_bag();
    let mut expected = credentials_answer();
    expected.remove("private-address");
    expected.insert("ca_cert".into(), String::new());
    expected.insert("https_keystone".into(), String::new());
    assert_eq!(published, expected);
    assert_eq!(
        Credentials::from_bag(&published),
        Ok(Readiness::Ready(creds))
    );
}

#[test]
fn credentials_client_waits_for_base_and_auth_data() {
    assert_eq!(
        Credentials::from_bag(&Bag::new()),
        Ok(Readiness::waiting_for([
            "credentials_host",
            "credentials_protocol",
            "credentials_port",
            "api_version",
            "auth_host",
            "auth_protocol",
            "auth_port",
            "credentials_project",
            "credentials_username",
            "credentials_password",
            "credentials_project_id",
        ]))
    );
    let mut answer = credentials_answer();
    answer.remove("credentials_project_id");
    assert_eq!(
        Credentials::from_bag(&answer),
        Ok(Readiness::waiting_for(["credentials_project_id"]))
    );
    let units = BTreeMap::from([(unit("keystone/0"), answer)]);
    assert!(!Credentials::from_bags(&units).unwrap().is_ready());
}

#[test]
fn credentials_malformed_values_name_their_key() {
    for (key, value) in [
        ("credentials_port", "http"),
        ("credentials_protocol", "tcp"),
        ("api_version", "three"),
        ("auth_host", "a b"),
        ("ca_cert", "!!"),
    ] {
        let mut answer = credentials_answer();
        answer.insert(key.into(), value.into());
        assert_eq!(Credentials::from_bag(&answer).unwrap_err().key(), key);
    }
}

/// A certificate in PEM form (its DER is not checked by the codecs).
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

mod properties {
    use databag::testing::{check_reading, hostile_bags};
    use proptest::prelude::*;

    use super::*;

    const SERVICE_KEYS: &[&str] = &[
        "service_host",
        "service_port",
        "service_protocol",
        "auth_host",
        "auth_port",
        "auth_protocol",
        "service_tenant",
        "service_username",
        "service_password",
        "service_tenant_id",
        "service_domain",
        "api_version",
        "ca_cert",
        "https_keystone",
        "internal_host",
        "internal_port",
        "internal_protocol",
    ];
    const CREDENTIALS_KEYS: &[&str] = &[
        "credentials_host",
        "credentials_port",
        "credentials_protocol",
        "auth_host",
        "auth_port",
        "auth_protocol",
        "api_version",
        "credentials_project",
        "credentials_project_id",
        "credentials_username",
        "credentials_password",
        "credentials_user_domain_name",
        "credentials_project_domain_name",
        "domain",
        "region",
        "ca_cert",
    ];

    proptest! {
        #[test]
        fn identity_service_answers_never_panic_and_refusals_name_a_key(
            bag in hostile_bags(keystone_answer(), SERVICE_KEYS)
        ) {
            let read = ServiceCredentials::from_bag(&bag);
            check_reading(&bag, SERVICE_KEYS, &read)?;
        }

        #[test]
        fn identity_credentials_answers_never_panic_and_refusals_name_a_key(
            bag in hostile_bags(credentials_answer(), CREDENTIALS_KEYS)
        ) {
            let read = Credentials::from_bag(&bag);
            check_reading(&bag, CREDENTIALS_KEYS, &read)?;
        }
    }
}
