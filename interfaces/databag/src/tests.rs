use super::*;

fn bag(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn python_json_matches_json_dumps_byte_for_byte() {
    // Expected text printed by Python 3:
    // json.dumps({"b": "é\u0001\x7f😀\"\\\n\t\b\f\r/", "a": [1, True, None]}, sort_keys=True)
    let value = PyJson::sorted_object([
        ("b", PyJson::from("é\u{1}\u{7f}😀\"\\\n\t\u{8}\u{c}\r/")),
        (
            "a",
            PyJson::List(vec![PyJson::Int(1), PyJson::Bool(true), PyJson::Null]),
        ),
    ]);
    assert_eq!(
        value.dumps(),
        r#"{"a": [1, true, null], "b": "\u00e9\u0001\u007f\ud83d\ude00\"\\\n\t\b\f\r/"}"#
    );
}

#[test]
fn python_json_keeps_insertion_order_unless_sorted() {
    let value = PyJson::Object(vec![
        ("z".into(), PyJson::from("1")),
        ("a".into(), PyJson::Object(vec![])),
        ("m".into(), PyJson::List(vec![])),
    ]);
    assert_eq!(value.dumps(), r#"{"z": "1", "a": {}, "m": []}"#);
    assert_eq!(PyJson::from(None::<String>).dumps(), "null");
    assert_eq!(PyJson::strings(["haproxy"]).dumps(), r#"["haproxy"]"#);
}

#[test]
fn changed_keys_writes_only_differences_and_treats_empty_as_absent() {
    let current = bag(&[("a", "1"), ("b", "2"), ("private-address", "10.0.0.1")]);
    let desired = bag(&[("a", "1"), ("b", "3"), ("c", "4"), ("gone", "")]);
    assert_eq!(
        changed_keys(&current, &desired),
        bag(&[("b", "3"), ("c", "4")])
    );

    let current = bag(&[("gone", "x")]);
    let desired = bag(&[("gone", "")]);
    assert_eq!(changed_keys(&current, &desired), bag(&[("gone", "")]));
    assert!(changed_keys(&desired, &desired).is_empty());
}

#[test]
fn readers_treat_empty_as_absent() {
    let b = bag(&[("p", ""), ("h", ""), ("f", "")]);
    assert_eq!(fields::text(&b, "p"), Ok(None));
    assert_eq!(fields::raw(&b, "p"), None);
    assert_eq!(fields::port(&b, "p"), Ok(None));
    assert_eq!(fields::host(&b, "h"), Ok(None));
    assert_eq!(fields::flag(&b, "f"), Ok(None));
    assert_eq!(fields::port(&b, "absent"), Ok(None));
}

#[test]
fn ports() {
    let b = bag(&[
        ("ok", "3306"),
        ("zero", "0"),
        ("big", "70000"),
        ("word", "http"),
    ]);
    assert_eq!(fields::port(&b, "ok"), Ok(Some(3306)));
    for key in ["zero", "big", "word"] {
        let err = fields::port(&b, key).unwrap_err();
        assert_eq!(err.key(), key);
        assert!(matches!(err.kind(), FieldErrorKind::InvalidPort { .. }));
    }
    assert_eq!(
        fields::port(&b, "word").unwrap_err().to_string(),
        r#"relation key `word`: expected a TCP port number (1-65535), got "http""#
    );
}

#[test]
fn hosts() {
    let b = bag(&[
        ("v4", "10.5.0.10"),
        ("v6", "2001:db8::1"),
        ("name", "juju-abc-0.maas"),
        ("space", "10.0.0.1 evil"),
        ("newline", "host\nx"),
        ("url", "http://x"),
    ]);
    let v4 = fields::host(&b, "v4").unwrap().unwrap();
    assert_eq!(v4.url_form(), "10.5.0.10");
    let v6 = fields::host(&b, "v6").unwrap().unwrap();
    assert_eq!(v6.url_form(), "[2001:db8::1]");
    assert_eq!(v6.to_string(), "2001:db8::1");
    assert!(fields::host(&b, "name").unwrap().is_some());
    for key in ["space", "newline", "url"] {
        let err = fields::host(&b, key).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                FieldErrorKind::InvalidHost { .. } | FieldErrorKind::ControlCharacter
            ),
            "{key}"
        );
    }
}

#[test]
fn flags_accept_the_python_spellings() {
    let b = bag(&[
        ("a", "True"),
        ("b", "yes"),
        ("c", "false"),
        ("d", "No"),
        ("e", "1"),
    ]);
    assert_eq!(fields::flag(&b, "a"), Ok(Some(true)));
    assert_eq!(fields::flag(&b, "b"), Ok(Some(true)));
    assert_eq!(fields::flag(&b, "c"), Ok(Some(false)));
    assert_eq!(fields::flag(&b, "d"), Ok(Some(false)));
    assert!(matches!(
        fields::flag(&b, "e").unwrap_err().kind(),
        FieldErrorKind::InvalidFlag { .. }
    ));
}

#[test]
fn base64_round_trips_and_rejects_garbage_without_quoting_it() {
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let encoded = fields::encode_base64(pem);
    let b = bag(&[("ca", &encoded), ("bad", "secret!!"), ("binary", "/w==")]);
    assert_eq!(fields::base64_text(&b, "ca"), Ok(Some(pem.to_owned())));
    let err = fields::base64_text(&b, "bad").unwrap_err();
    assert!(matches!(err.kind(), FieldErrorKind::InvalidBase64 { .. }));
    assert!(!err.to_string().contains("secret"), "{err}");
    assert!(fields::base64_text(&b, "binary").is_err());
}

#[test]
fn unit_lists() {
    let b = bag(&[("ok", "manila/0 manila/2"), ("bad", "manila/0 manila")]);
    let units = fields::unit_list(&b, "ok").unwrap().unwrap();
    assert_eq!(units.len(), 2);
    assert_eq!(units[1].to_string(), "manila/2");
    let err = fields::unit_list(&b, "bad").unwrap_err();
    assert_eq!(err.key(), "bad");
    assert!(matches!(err.kind(), FieldErrorKind::InvalidUnitName { .. }));
}

#[test]
fn required_collects_every_missing_key() {
    let b = bag(&[("a", "x"), ("port", "")]);
    let mut r = Required::new(&b);
    assert_eq!(r.text("a"), Ok(Some("x".to_owned())));
    assert_eq!(r.text("b"), Ok(None));
    assert_eq!(r.port("port"), Ok(None));
    r.not_yet("allowed_units");
    assert_eq!(
        r.incomplete::<()>(),
        Readiness::waiting_for(["b", "port", "allowed_units"])
    );
}

#[test]
fn unit_errors_name_unit_and_key() {
    let unit: juju::UnitName = "rabbitmq-server/1".parse().unwrap();
    let err = FieldError::new(
        "ssl_port",
        FieldErrorKind::InvalidPort { value: "x".into() },
    )
    .from_unit(&unit);
    assert_eq!(
        err.to_string(),
        r#"unit rabbitmq-server/1: relation key `ssl_port`: expected a TCP port number (1-65535), got "x""#
    );
}

#[test]
fn first_ready_prefers_a_ready_unit_over_errors_and_reads_no_units_as_an_empty_bag() {
    let parse = |bag: &Bag| -> Result<Readiness<u16>, FieldError> {
        let mut required = Required::new(bag);
        match required.port("port")? {
            Some(port) => Ok(Readiness::Ready(port)),
            None => Ok(required.incomplete()),
        }
    };
    let unit = |name: &str| -> juju::UnitName { name.parse().unwrap() };
    let units = BTreeMap::from([
        (unit("db/0"), bag(&[("port", "x")])),
        (unit("db/1"), bag(&[])),
        (unit("db/2"), bag(&[("port", "3306")])),
        (unit("db/3"), bag(&[("port", "3307")])),
    ]);
    assert_eq!(first_ready(&units, parse), Ok(Readiness::Ready(3306)));

    let units = BTreeMap::from([
        (unit("db/1"), bag(&[])),
        (unit("db/0"), bag(&[("port", "x")])),
    ]);
    let err = first_ready(&units, parse).unwrap_err();
    assert_eq!(err.unit, unit("db/0"));

    let units = BTreeMap::from([(unit("db/1"), bag(&[]))]);
    assert_eq!(
        first_ready(&units, parse),
        Ok(Readiness::waiting_for(["port"]))
    );
    assert_eq!(
        first_ready(&BTreeMap::new(), parse),
        Ok(Readiness::waiting_for(["port"]))
    );
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let b = bag(&[("password", "hunter2")]);
    let mut r = Required::new(&b);
    let secret = r.secret("password").unwrap().unwrap();
    assert_eq!(secret.expose(), "hunter2");
    assert_eq!(format!("{secret:?}"), "<redacted>");
    assert_eq!(format!("{:?}", Some(Secret::from("x"))), "Some(<redacted>)");
}

#[test]
fn text_is_one_line_and_the_refusal_never_repeats_the_value() {
    let b = bag(&[
        ("password", "hunter2\n[DEFAULT]\ndebug = True"),
        ("tab", "a\tb"),
        ("nel", "a\u{85}b"),
        ("separator", "a\u{2028}b"),
        ("fine", "p@ss$word with spaces"),
    ]);
    for key in ["password", "tab", "nel", "separator"] {
        let err = fields::text(&b, key).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("relation key `{key}`: contains a line break or another control character")
        );
        assert!(matches!(err.kind(), FieldErrorKind::ControlCharacter));
    }
    assert!(Required::new(&b).secret("password").is_err());
    assert_eq!(fields::text(&b, "fine"), Ok(Some("p@ss$word with spaces")));
    assert_eq!(
        fields::raw(&b, "password"),
        Some("hunter2\n[DEFAULT]\ndebug = True")
    );
    // Hosts and numbers read through text too.
    assert!(fields::host(&bag(&[("h", "db\nhost")]), "h").is_err());
}

const CERT: &str =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJw==\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";

#[test]
fn pem_values_hold_what_their_key_says_and_nothing_else() {
    let b = bag(&[
        ("ca", &fields::encode_base64(CERT)),
        ("chain", &fields::encode_base64(&format!("{CERT}{CERT}"))),
        ("key", &fields::encode_base64(KEY)),
        (
            "not-pem",
            &fields::encode_base64("[DEFAULT]\ndebug = True\n"),
        ),
        ("key-as-ca", &fields::encode_base64(KEY)),
        ("two-keys", &fields::encode_base64(&format!("{KEY}{KEY}"))),
        ("not-base64", "%%%"),
    ]);
    use fields::PemKind::{Certificates, PrivateKey};
    assert_eq!(
        fields::base64_pem(&b, "ca", Certificates),
        Ok(Some(CERT.to_owned()))
    );
    assert!(fields::base64_pem(&b, "chain", Certificates)
        .unwrap()
        .is_some());
    assert_eq!(
        fields::base64_pem(&b, "key", PrivateKey),
        Ok(Some(KEY.to_owned()))
    );
    assert_eq!(fields::base64_pem(&b, "absent", PrivateKey), Ok(None));
    let message = |key, kind| fields::base64_pem(&b, key, kind).unwrap_err().to_string();
    assert_eq!(
        message("not-pem", Certificates),
        "relation key `not-pem`: expected certificates in PEM form: no PEM block"
    );
    assert_eq!(
        message("key-as-ca", Certificates),
        "relation key `key-as-ca`: expected certificates in PEM form: found PRIVATE KEY"
    );
    assert_eq!(
        message("two-keys", PrivateKey),
        "relation key `two-keys`: expected a private key in PEM form: found PRIVATE KEY, PRIVATE KEY"
    );
    assert!(message("not-base64", Certificates).contains("expected base64-encoded text"));
    assert!(!message("key-as-ca", Certificates).contains("MIGH"));
}

#[test]
fn quoted_values_are_escaped_and_cut() {
    assert_eq!(Quoted("abc").to_string(), "\"abc\"");
    assert_eq!(Quoted("a\nb\"").to_string(), "\"a\\nb\\\"\"");
    let long = "x".repeat(1 << 20);
    assert_eq!(
        Quoted(&long).to_string(),
        format!("\"{}...\" (1048576 bytes)", "x".repeat(64))
    );
    let err = fields::port(&bag(&[("p", &long)]), "p").unwrap_err();
    assert!(err.to_string().len() < 200, "{err}");
}

#[test]
fn values_longer_than_any_of_their_kind_are_malformed() {
    let long = "x".repeat(fields::MAX_VALUE + 1);
    let b = bag(&[("password", &long), ("ca", &long)]);
    assert_eq!(
        fields::text(&b, "password").unwrap_err().to_string(),
        "relation key `password`: is 65537 bytes long; at most 65536 are taken"
    );
    assert!(fields::base64_text(&b, "ca").is_err());
}
