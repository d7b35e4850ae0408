use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use databag::{Bag, Host, Readiness, Secret};
use juju::UnitName;
use proptest::prelude::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa};

use super::*;

struct Ca {
    cert: rcgen::Certificate,
    key: rcgen::KeyPair,
}

fn ca(name: &str) -> Ca {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    Ca {
        cert: params.self_signed(&key).unwrap(),
        key,
    }
}

fn issue(ca: &Ca, cn: &str, not_after: Option<(i32, u8, u8)>) -> IssuedPem {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![cn.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    if let Some((y, m, d)) = not_after {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(y, m, d);
    }
    let cert = params.signed_by(&key, &ca.cert, &ca.key).unwrap();
    IssuedPem {
        cert: cert.pem(),
        key: Secret::new(key.serialize_pem()),
    }
}

fn unit() -> UnitName {
    "manila/0".parse().unwrap()
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn answer(ca: &Ca, certs: &[(&str, IssuedPem)]) -> Bag {
    let issued = BTreeMap::from([(
        "manila_0".to_owned(),
        certs
            .iter()
            .map(|(cn, pem)| ((*cn).to_owned(), pem.clone()))
            .collect(),
    )]);
    answer_bag(&ca.cert.pem(), "", &issued)
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
    let ca = ca("Test CA");
    let bag = answer(&ca, &[("10.0.0.2", issue(&ca, "10.0.0.2", None))]);
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
    let ca = ca("Test CA");
    let bag = answer(&ca, &[("10.0.0.2", issue(&ca, "10.0.0.2", None))]);
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
    let ca = ca("Test CA");
    let good = issue(&ca, "10.0.0.2", None);

    let not_pem = IssuedPem {
        cert: "not a certificate".to_owned(),
        key: good.key.clone(),
    };
    let msg = problem(&answer(&ca, &[("10.0.0.2", not_pem)]));
    assert!(msg.contains("is not a PEM certificate"), "{msg}");

    let other = issue(&ca, "10.0.0.2", None);
    let mismatched = IssuedPem {
        cert: good.cert.clone(),
        key: other.key,
    };
    let msg = problem(&answer(&ca, &[("10.0.0.2", mismatched)]));
    assert!(msg.contains("does not match"), "{msg}");

    let stranger = self::ca("Another CA");
    let msg = problem(&answer(
        &ca,
        &[("10.0.0.2", issue(&stranger, "10.0.0.2", None))],
    ));
    assert!(msg.contains("the CA did not sign"), "{msg}");

    let expired = issue(&ca, "10.0.0.2", Some((2020, 1, 1)));
    let msg = problem(&answer(&ca, &[("10.0.0.2", expired)]));
    assert!(msg.contains("expired"), "{msg}");
    // No message repeats the key.
    assert!(!msg.contains("PRIVATE KEY-----\n"));
}

#[test]
fn a_ca_that_is_not_pem_is_refused() {
    let ca = ca("Test CA");
    let mut bag = answer(&ca, &[("10.0.0.2", issue(&ca, "10.0.0.2", None))]);
    bag.insert("ca".into(), "garbage".into());
    let e = Issued::from_bag(&bag, &unit(), now()).unwrap_err();
    assert_eq!(e.key(), "ca");
}

#[test]
fn the_options_path_checks_a_lone_certificate_without_a_ca() {
    let ca = ca("Test CA");
    let pem = issue(&ca, "10.0.0.2", None);
    let pair = KeyPair::check(&pem.cert, pem.key.expose(), None, None, now()).unwrap();
    assert!(pair.certificate.contains("BEGIN CERTIFICATE"));
    let expired = issue(&ca, "10.0.0.2", Some((2020, 1, 1)));
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
    let ca = ca("Test CA");
    let pem = issue(&ca, "10.0.0.2", None);
    let pair = KeyPair::check(&pem.cert, pem.key.expose(), None, None, now()).unwrap();
    assert!(!pair.certificate.contains('\r'));
    assert!(!pair.key.expose().contains('\r'));
    assert_eq!(pair.certificate.trim(), pem.cert.trim());
}
