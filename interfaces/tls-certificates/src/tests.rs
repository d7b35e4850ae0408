use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use databag::{Bag, Host, Readiness};
use juju::UnitName;
use proptest::prelude::*;

use super::*;
use crate::testing::TestCa;

fn unit() -> UnitName {
    "manila/0".parse().unwrap()
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn answer(ca: &TestCa, certs: &[(&str, IssuedPem)]) -> Bag {
    let issued = BTreeMap::from([(
        "manila_0".to_owned(),
        certs
            .iter()
            .map(|(cn, pem)| ((*cn).to_owned(), pem.clone()))
            .collect(),
    )]);
    answer_bag(&ca.pem(), "", &issued)
}

fn host(s: &str) -> Host {
    Host::parse("test", s).unwrap()
}

#[test]
fn requests_are_written_as_charm_helpers_writes_them() {
    let requests = CertRequests::new(
        &unit(),
        vec![
            CertRequest {
                common_name: host("10.0.0.2"),
                sans: BTreeSet::from([host("10.0.0.2"), host("10.0.0.100")]),
            },
            CertRequest {
                common_name: host("manila.example.com"),
                sans: BTreeSet::from([host("10.0.0.2")]),
            },
        ],
    );
    let bag = requests.to_bag();
    assert_eq!(bag["unit_name"], "manila_0");
    // json.dumps(req, sort_keys=True): ", " and ": " separators, keys and sans sorted.
    assert_eq!(
        bag["cert_requests"],
        r#"{"10.0.0.2": {"sans": ["10.0.0.100", "10.0.0.2"]}, "manila.example.com": {"sans": ["10.0.0.2"]}}"#
    );
    assert_eq!(
        CertRequests::from_bag(&bag).unwrap(),
        Readiness::Ready(requests)
    );
}

#[test]
fn an_answer_is_read_with_its_certificates_checked() {
    let ca = TestCa::new("Test CA");
    let bag = answer(&ca, &[("10.0.0.2", ca.issue(&["10.0.0.2"], false))]);
    assert!(bag.contains_key("manila_0.processed_requests"));
    let issued = Issued::from_bag(&bag, &unit(), now())
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(issued.certs.keys().collect::<Vec<_>>(), [&host("10.0.0.2")]);
    assert!(issued.ca.starts_with("-----BEGIN CERTIFICATE-----"));
    // The key is never in Debug output.
    assert!(!format!("{issued:?}").contains("PRIVATE"));
}

#[test]
fn an_answer_for_another_unit_is_not_ours_yet() {
    let ca = TestCa::new("Test CA");
    let bag = answer(&ca, &[("10.0.0.2", ca.issue(&["10.0.0.2"], false))]);
    let other: UnitName = "manila/1".parse().unwrap();
    assert_eq!(
        Issued::from_bag(&bag, &other, now()).unwrap(),
        Readiness::waiting_for(["manila_1.processed_requests"])
    );
    assert_eq!(
        Issued::from_bag(&Bag::new(), &unit(), now()).unwrap(),
        Readiness::waiting_for(["ca", "manila_0.processed_requests"])
    );
}

fn problem(bag: &Bag) -> String {
    let e = Issued::from_bag(bag, &unit(), now()).unwrap_err();
    assert_eq!(e.key(), "manila_0.processed_requests");
    e.to_string()
}

#[test]
fn bad_certificates_are_refused_naming_the_problem() {
    let ca = TestCa::new("Test CA");
    let good = ca.issue(&["10.0.0.2"], false);

    let not_pem = IssuedPem {
        cert: "not a certificate".to_owned(),
        key: good.key.clone(),
    };
    let msg = problem(&answer(&ca, &[("10.0.0.2", not_pem)]));
    assert!(msg.contains("is not a PEM certificate"), "{msg}");

    let other = ca.issue(&["10.0.0.2"], false);
    let mismatched = IssuedPem {
        cert: good.cert.clone(),
        key: other.key,
    };
    let msg = problem(&answer(&ca, &[("10.0.0.2", mismatched)]));
    assert!(msg.contains("does not match"), "{msg}");

    let stranger = TestCa::new("Another CA");
    let msg = problem(&answer(
        &ca,
        &[("10.0.0.2", stranger.issue(&["10.0.0.2"], false))],
    ));
    assert!(msg.contains("the CA did not sign"), "{msg}");

    let expired = ca.issue(&["10.0.0.2"], true);
    let msg = problem(&answer(&ca, &[("10.0.0.2", expired)]));
    assert!(msg.contains("expired"), "{msg}");
    // No message repeats the key.
    assert!(!msg.contains("PRIVATE KEY-----\n"));
}

#[test]
fn a_ca_that_is_not_pem_is_refused() {
    let ca = TestCa::new("Test CA");
    let mut bag = answer(&ca, &[("10.0.0.2", ca.issue(&["10.0.0.2"], false))]);
    bag.insert("ca".into(), "garbage".into());
    let e = Issued::from_bag(&bag, &unit(), now()).unwrap_err();
    assert_eq!(e.key(), "ca");
}

#[test]
fn the_options_path_checks_a_lone_certificate_without_a_ca() {
    let ca = TestCa::new("Test CA");
    let pem = ca.issue(&["10.0.0.2"], false);
    let pair = KeyPair::check(&pem.cert, pem.key.expose(), None, None, now()).unwrap();
    assert!(pair.certificate.contains("BEGIN CERTIFICATE"));
    let expired = ca.issue(&["10.0.0.2"], true);
    assert!(matches!(
        KeyPair::check(&expired.cert, expired.key.expose(), None, None, now()),
        Err(TlsProblem::Expired { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn hostile_answers_never_panic(bag in databag::testing::hostile_bags(
        Bag::from([
            ("ca".to_owned(), "x".to_owned()),
            ("manila_0.processed_requests".to_owned(), "{}".to_owned()),
        ]),
        &["ca", "chain", "manila_0.processed_requests"],
    )) {
        let read = Issued::from_bag(&bag, &unit(), now());
        databag::testing::check_reading(&bag, &[], &read)?;
    }

    #[test]
    fn hostile_requests_never_panic(bag in databag::testing::hostile_bags(
        CertRequests::new(&unit(), Vec::new()).to_bag(),
        &["unit_name", "cert_requests"],
    )) {
        let read = CertRequests::from_bag(&bag);
        databag::testing::check_reading(&bag, &["unit_name", "cert_requests"], &read)?;
    }
}

#[test]
fn material_is_re_encoded_with_unix_line_endings() {
    let ca = TestCa::new("Test CA");
    let pem = ca.issue(&["10.0.0.2"], false);
    let pair = KeyPair::check(&pem.cert, pem.key.expose(), None, None, now()).unwrap();
    assert!(!pair.certificate.contains('\r'));
    assert!(!pair.key.expose().contains('\r'));
    assert_eq!(pair.certificate.trim(), pem.cert.trim());
}
