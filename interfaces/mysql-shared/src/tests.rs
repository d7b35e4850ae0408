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

fn manila_request() -> DatabaseRequest {
    DatabaseRequest::new("manila", "manila", "10.5.0.10")
}

/// What mysql-router (subordinate, one client unit) publishes.
fn router_answer() -> Bag {
    bag(&[
        ("db_host", "127.0.0.1"),
        ("db_port", "3306"),
        ("password", "Zq3xv9Lp"),
        ("allowed_units", "manila/0"),
        ("wait_timeout", "3600"),
    ])
}

#[test]
fn client_publishes_exactly_database_username_hostname() {
    assert_eq!(
        manila_request().to_bag(),
        bag(&[
            ("database", "manila"),
            ("username", "manila"),
            ("hostname", "10.5.0.10")
        ])
    );
}

#[test]
fn client_reads_router_answer_and_builds_the_uri() {
    let access = DatabaseAccess::from_bag(&router_answer(), &unit("manila/0"))
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(access.port, Some(3306));
    assert_eq!(access.wait_timeout, Some(3600));
    assert_eq!(
        access.uri(&manila_request(), None),
        "mysql+pymysql://manila:Zq3xv9Lp@127.0.0.1:3306/manila"
    );
}

#[test]
fn uri_without_port_as_percona_sends_it() {
    let answer = bag(&[
        ("db_host", "10.5.0.20"),
        ("password", "pw"),
        ("allowed_units", "manila/1 manila/0 manila/2"),
    ]);
    let access = DatabaseAccess::from_bag(&answer, &unit("manila/0"))
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(
        access.uri(&manila_request(), None),
        "mysql+pymysql://manila:pw@10.5.0.20/manila"
    );
}

#[test]
fn uri_with_tls_files_appends_the_python_query() {
    let mut answer = router_answer();
    answer.insert("ssl_ca".into(), fields::encode_base64(CA_PEM));
    answer.insert("ssl_cert".into(), fields::encode_base64(CA_PEM));
    answer.insert("ssl_key".into(), fields::encode_base64(KEY_PEM));
    let access = DatabaseAccess::from_bag(&answer, &unit("manila/0"))
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(access.ssl_ca.as_deref(), Some(CA_PEM));
    assert_eq!(access.ssl_key, Some(Secret::from(KEY_PEM)));
    let dir = "/usr/local/share/ca-certificates";
    let ca_only = TlsFiles {
        ca: format!("{dir}/db-client.ca"),
        client: None,
    };
    assert_eq!(
        access.uri(&manila_request(), Some(&ca_only)),
        "mysql+pymysql://manila:Zq3xv9Lp@127.0.0.1:3306/manila\
         ?ssl_ca=/usr/local/share/ca-certificates/db-client.ca"
    );
    let full = TlsFiles {
        ca: format!("{dir}/db-client.ca"),
        client: Some((
            format!("{dir}/db-client.cert"),
            format!("{dir}/db-client.key"),
        )),
    };
    assert_eq!(
        access.uri(&manila_request(), Some(&full)),
        "mysql+pymysql://manila:Zq3xv9Lp@127.0.0.1:3306/manila\
         ?ssl_ca=/usr/local/share/ca-certificates/db-client.ca\
         &ssl_cert=/usr/local/share/ca-certificates/db-client.cert\
         &ssl_key=/usr/local/share/ca-certificates/db-client.key"
    );
}

#[test]
fn uri_escapes_userinfo_and_brackets_ipv6() {
    let answer = bag(&[
        ("db_host", "2001:db8::20"),
        ("password", "p@ss:w/rd%$x"),
        ("allowed_units", "manila/0"),
    ]);
    let access = DatabaseAccess::from_bag(&answer, &unit("manila/0"))
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(
        access.uri(&manila_request(), None),
        "mysql+pymysql://manila:p%40ss%3Aw%2Frd%25%24x@[2001:db8::20]/manila"
    );
}

#[test]
fn not_ready_until_allowed_units_names_us() {
    let me = unit("manila/0");
    let mut answer = router_answer();
    answer.insert("allowed_units".into(), "manila/1 manila/10".into());
    assert_eq!(
        DatabaseAccess::from_bag(&answer, &me),
        Ok(Readiness::waiting_for(["allowed_units"]))
    );
    answer.insert("allowed_units".into(), "".into());
    assert_eq!(
        DatabaseAccess::from_bag(&answer, &me),
        Ok(Readiness::waiting_for(["allowed_units"]))
    );
}

#[test]
fn incomplete_names_every_missing_key() {
    assert_eq!(
        DatabaseAccess::from_bag(&Bag::new(), &unit("manila/0")),
        Ok(Readiness::waiting_for([
            "db_host",
            "password",
            "allowed_units"
        ]))
    );
    assert_eq!(
        DatabaseAccess::from_bag(&bag(&[("db_host", "10.0.0.1")]), &unit("manila/0")),
        Ok(Readiness::waiting_for(["password", "allowed_units"]))
    );
}

#[test]
fn series_upgrading_cluster_is_not_ready() {
    let mut answer = router_answer();
    answer.insert("cluster-series-upgrading".into(), "True".into());
    assert_eq!(
        DatabaseAccess::from_bag(&answer, &unit("manila/0")),
        Ok(Readiness::waiting_for(["cluster-series-upgrading"]))
    );
    answer.insert("cluster-series-upgrading".into(), "False".into());
    assert!(DatabaseAccess::from_bag(&answer, &unit("manila/0"))
        .unwrap()
        .is_ready());
}

#[test]
fn malformed_values_are_errors_naming_the_key() {
    let me = unit("manila/0");
    let cases = [
        ("db_port", "mysql"),
        ("db_host", "10.0.0.1; DROP"),
        ("allowed_units", "manila/0 manila"),
        ("wait_timeout", "soon"),
        ("ssl_ca", "not base64!"),
    ];
    for (key, value) in cases {
        let mut answer = router_answer();
        answer.insert(key.into(), value.into());
        let err = DatabaseAccess::from_bag(&answer, &me).unwrap_err();
        assert_eq!(err.key(), key, "{err}");
    }
}

#[test]
fn from_bags_takes_the_first_ready_unit_and_reports_errors_only_when_none_is() {
    let me = unit("manila/0");
    let broken = bag(&[
        ("db_host", "10.0.0.1"),
        ("db_port", "x"),
        ("password", "p"),
        ("allowed_units", "manila/0"),
    ]);
    let units = BTreeMap::from([
        (unit("mysql/0"), broken.clone()),
        (unit("mysql/1"), router_answer()),
    ]);
    assert!(DatabaseAccess::from_bags(&units, &me).unwrap().is_ready());

    let units = BTreeMap::from([(unit("mysql/0"), broken), (unit("mysql/1"), Bag::new())]);
    let err = DatabaseAccess::from_bags(&units, &me).unwrap_err();
    assert_eq!(err.unit, unit("mysql/0"));
    assert_eq!(err.error.key(), "db_port");

    assert_eq!(
        DatabaseAccess::from_bags(&BTreeMap::new(), &me),
        Ok(Readiness::waiting_for([
            "db_host",
            "password",
            "allowed_units"
        ]))
    );
}

#[test]
fn server_reads_the_request() {
    assert_eq!(
        DatabaseRequest::from_bag(&manila_request().to_bag()),
        Ok(Readiness::Ready(manila_request()))
    );
    assert_eq!(
        DatabaseRequest::from_bag(&bag(&[("database", "manila"), ("private-address", "x")])),
        Ok(Readiness::waiting_for(["username", "hostname"]))
    );
    let sneaky = bag(&[
        ("database", "manila`; DROP DATABASE x; --"),
        ("username", "manila"),
        ("hostname", "10.0.0.1"),
    ]);
    assert_eq!(
        DatabaseRequest::from_bag(&sneaky).unwrap_err().key(),
        "database"
    );
}

#[test]
fn server_answer_round_trips_through_the_client_reader() {
    let access = DatabaseAccess {
        host: Host::parse("db_host", "10.5.0.20").unwrap(),
        port: Some(3306),
        password: Secret::from("pw"),
        allowed_units: vec![unit("manila/0"), unit("manila/1")],
        wait_timeout: None,
        ssl_ca: Some(CA_PEM.into()),
        ssl_cert: None,
        ssl_key: None,
    };
    let published = access.to_bag();
    assert_eq!(
        published,
        bag(&[
            ("db_host", "10.5.0.20"),
            ("db_port", "3306"),
            ("password", "pw"),
            ("allowed_units", "manila/0 manila/1"),
            ("wait_timeout", ""),
            ("ssl_ca", &fields::encode_base64(CA_PEM)),
            ("ssl_cert", ""),
            ("ssl_key", ""),
        ])
    );
    assert_eq!(
        DatabaseAccess::from_bag(&published, &unit("manila/1")),
        Ok(Readiness::Ready(access))
    );
}

/// A certificate in PEM form (its DER is not checked by the codecs).
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";

#[test]
fn tls_material_that_is_not_what_its_key_says_is_malformed() {
    let mut answer = router_answer();
    answer.insert(
        "ssl_ca".into(),
        fields::encode_base64("[DEFAULT]\ndebug = True"),
    );
    let err = DatabaseAccess::from_bag(&answer, &unit("manila/0")).unwrap_err();
    assert_eq!(err.key(), "ssl_ca");
    let mut answer = router_answer();
    answer.insert("ssl_key".into(), fields::encode_base64(CA_PEM));
    let err = DatabaseAccess::from_bag(&answer, &unit("manila/0")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "relation key `ssl_key`: expected a private key in PEM form: found CERTIFICATE"
    );
}

mod properties {
    use databag::testing::{check_reading, hostile_bags};
    use proptest::prelude::*;

    use super::*;

    const KEYS: &[&str] = &[
        "db_host",
        "db_port",
        "password",
        "allowed_units",
        "wait_timeout",
        "ssl_ca",
        "ssl_cert",
        "ssl_key",
        "cluster-series-upgrading",
    ];

    proptest! {
        #[test]
        fn answers_never_panic_and_refusals_name_a_key(bag in hostile_bags(router_answer(), KEYS)) {
            let read = DatabaseAccess::from_bag(&bag, &unit("manila/0"));
            check_reading(&bag, KEYS, &read)?;
        }
    }
}
