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

fn request() -> AccessRequest {
    AccessRequest::new("manila", "openstack")
}

/// What a rabbitmq-server unit publishes without TLS or HA (`amqp_changed`).
fn server(addr: &str) -> Bag {
    bag(&[
        ("hostname", addr),
        ("private-address", addr),
        ("password", "Hx7pQ2"),
    ])
}

fn connect(units: &[(&str, Bag)]) -> Result<Readiness<AmqpConnection>, UnitError> {
    let units = units.iter().map(|(u, b)| (unit(u), b.clone())).collect();
    AmqpConnection::from_bags(&request(), &units)
}

#[test]
fn client_publishes_username_vhost_and_optionally_its_address() {
    assert_eq!(
        request().to_bag(),
        bag(&[("username", "manila"), ("vhost", "openstack")])
    );
    assert_eq!(
        request().with_address("10.5.0.10").to_bag(),
        bag(&[
            ("username", "manila"),
            ("vhost", "openstack"),
            ("private-address", "10.5.0.10")
        ])
    );
}

#[test]
fn transport_url_single_unit() {
    let amqp = connect(&[("rabbitmq-server/0", server("10.5.0.30"))])
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(
        amqp.transport_url(),
        "rabbit://manila:Hx7pQ2@10.5.0.30:5672/openstack"
    );
}

#[test]
fn transport_url_lists_every_ready_unit_in_unit_order() {
    let amqp = connect(&[
        ("rabbitmq-server/2", server("10.5.0.32")),
        ("rabbitmq-server/0", server("10.5.0.30")),
        (
            "rabbitmq-server/1",
            bag(&[("private-address", "10.5.0.31")]),
        ),
        ("rabbitmq-server/10", server("10.5.0.40")),
    ])
    .unwrap()
    .ready()
    .unwrap();
    assert_eq!(
        amqp.transport_url(),
        "rabbit://manila:Hx7pQ2@10.5.0.30:5672,manila:Hx7pQ2@10.5.0.32:5672,\
         manila:Hx7pQ2@10.5.0.40:5672/openstack"
    );
}

#[test]
fn single_unit_with_vip_and_ssl_port() {
    let mut b = server("10.5.0.30");
    b.insert("vip".into(), "10.5.100.5".into());
    b.insert("ssl_port".into(), "5671".into());
    b.insert("ssl_ca".into(), fields::encode_base64(CA_PEM));
    b.insert("clustered".into(), "true".into());
    let amqp = connect(&[("rabbitmq-server/0", b)])
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(
        amqp.transport_url(),
        "rabbit://manila:Hx7pQ2@10.5.100.5:5671/openstack"
    );
    assert_eq!(amqp.ssl_ca(), Some(CA_PEM));
    assert!(amqp.servers[0].1.clustered);
}

#[test]
fn several_units_use_their_own_addresses_even_with_a_vip() {
    let mut a = server("10.5.0.30");
    a.insert("vip".into(), "10.5.100.5".into());
    let mut b = server("10.5.0.31");
    b.insert("vip".into(), "10.5.100.5".into());
    let amqp = connect(&[("rabbitmq-server/0", a), ("rabbitmq-server/1", b)])
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(
        amqp.transport_url(),
        "rabbit://manila:Hx7pQ2@10.5.0.30:5672,manila:Hx7pQ2@10.5.0.31:5672/openstack"
    );
}

#[test]
fn hostname_is_the_fallback_address_and_ipv6_is_bracketed() {
    let b = bag(&[("hostname", "2001:db8::30"), ("password", "pw")]);
    let amqp = connect(&[("rabbitmq-server/0", b)])
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(
        amqp.transport_url(),
        "rabbit://manila:pw@[2001:db8::30]:5672/openstack"
    );
}

#[test]
fn transport_url_escapes_userinfo_and_vhost() {
    let request = AccessRequest::new("man ila", "/");
    let units = BTreeMap::from([(
        unit("rabbitmq-server/0"),
        bag(&[("private-address", "10.5.0.30"), ("password", "a@b:c/d")]),
    )]);
    let amqp = AmqpConnection::from_bags(&request, &units)
        .unwrap()
        .ready()
        .unwrap();
    assert_eq!(
        amqp.transport_url(),
        "rabbit://man%20ila:a%40b%3Ac%2Fd@10.5.0.30:5672/%2F"
    );
}

#[test]
fn not_ready_without_password_or_address() {
    assert_eq!(
        connect(&[(
            "rabbitmq-server/0",
            bag(&[("private-address", "10.5.0.30")])
        )]),
        Ok(Readiness::waiting_for(["password"]))
    );
    assert_eq!(
        connect(&[("rabbitmq-server/0", bag(&[("password", "pw")]))]),
        Ok(Readiness::waiting_for(["hostname"]))
    );
    assert_eq!(
        connect(&[]),
        Ok(Readiness::waiting_for(["hostname", "password"]))
    );
}

#[test]
fn malformed_unit_is_skipped_when_another_is_ready_and_reported_otherwise() {
    let mut broken = server("10.5.0.31");
    broken.insert("ssl_port".into(), "tls".into());
    let amqp = connect(&[
        ("rabbitmq-server/0", server("10.5.0.30")),
        ("rabbitmq-server/1", broken.clone()),
    ])
    .unwrap()
    .ready()
    .unwrap();
    assert_eq!(amqp.servers.len(), 1);

    let err = connect(&[("rabbitmq-server/1", broken)]).unwrap_err();
    assert_eq!(err.unit, unit("rabbitmq-server/1"));
    assert_eq!(err.error.key(), "ssl_port");
}

#[test]
fn every_malformed_value_names_its_key() {
    for (key, value) in [
        ("private-address", "10.0.0.1 x"),
        ("ssl_port", "0"),
        ("ssl_ca", "%%%"),
        ("clustered", "maybe"),
        ("vip", "not a host"),
        ("ha-vip-only", "2"),
        ("ha_queues", "sure"),
    ] {
        let mut b = server("10.5.0.30");
        b.insert(key.into(), value.into());
        assert_eq!(BrokerUnit::from_bag(&b).unwrap_err().key(), key);
    }
}

#[test]
fn server_side_reads_the_request_and_publishes_what_rabbitmq_server_does() {
    assert_eq!(
        AccessRequest::from_bag(&request().with_address("10.5.0.10").to_bag()),
        Readiness::Ready(request().with_address("10.5.0.10"))
    );
    assert_eq!(
        AccessRequest::from_bag(&bag(&[("vhost", "openstack")])),
        Readiness::waiting_for(["username"])
    );

    let unit = BrokerUnit {
        address: Host::parse("private-address", "10.5.0.30").unwrap(),
        password: Secret::from("pw"),
        ssl_port: Some(5671),
        ssl_ca: Some(CA_PEM.into()),
        clustered: true,
        vip: None,
        ha_vip_only: false,
        ha_queues: true,
    };
    let published = unit.to_bag();
    assert_eq!(
        published,
        bag(&[
            ("hostname", "10.5.0.30"),
            ("private-address", "10.5.0.30"),
            ("password", "pw"),
            ("ssl_port", "5671"),
            ("ssl_ca", &fields::encode_base64(CA_PEM)),
            ("clustered", "true"),
            ("vip", ""),
            ("ha-vip-only", ""),
            ("ha_queues", "True"),
        ])
    );
    assert_eq!(BrokerUnit::from_bag(&published), Ok(Readiness::Ready(unit)));
}

/// A certificate in PEM form (its DER is not checked by the codecs).
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

mod properties {
    use databag::testing::{check_reading, hostile_bags};
    use proptest::prelude::*;

    use super::*;

    const KEYS: &[&str] = &[
        "hostname",
        "private-address",
        "password",
        "ssl_port",
        "ssl_ca",
        "clustered",
        "vip",
        "ha-vip-only",
        "ha_queues",
    ];

    proptest! {
        #[test]
        fn answers_never_panic_and_refusals_name_a_key(bag in hostile_bags(server("10.5.0.30"), KEYS)) {
            let read = BrokerUnit::from_bag(&bag);
            // `hostname` is read only without `private-address`.
            let taken: Vec<&str> = KEYS
                .iter()
                .copied()
                .filter(|k| *k != "hostname" || !bag.contains_key("private-address"))
                .collect();
            check_reading(&bag, &taken, &read)?;
            // What a connection is built from is one line, whatever was sent.
            if let Ok(Readiness::Ready(connection)) = connect(&[("rabbitmq-server/0", bag)]) {
                prop_assert!(!connection.transport_url().chars().any(char::is_control));
            }
        }
    }
}
