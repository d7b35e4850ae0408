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

fn host(addr: &str) -> Host {
    Host::parse("test", addr).unwrap()
}

fn peer(private: &str, admin: &str, internal: &str, public: &str) -> Bag {
    bag(&[
        ("private-address", private),
        ("admin-address", admin),
        ("internal-address", internal),
        ("public-address", public),
        ("egress-subnets", "10.5.0.0/32"),
    ])
}

#[test]
fn local_unit_publishes_three_addresses() {
    let local = LocalAddresses {
        admin: "10.7.0.10".into(),
        internal: "10.6.0.10".into(),
        public: "10.5.0.10".into(),
    };
    assert_eq!(
        local.to_bag(),
        bag(&[
            ("admin-address", "10.7.0.10"),
            ("internal-address", "10.6.0.10"),
            ("public-address", "10.5.0.10"),
        ])
    );
}

#[test]
fn backends_per_network_in_unit_order() {
    let peers = Peers::from_bags(&BTreeMap::from([
        (
            unit("manila/10"),
            peer("10.5.0.20", "10.7.0.20", "10.6.0.20", "10.5.0.20"),
        ),
        (
            unit("manila/2"),
            peer("10.5.0.12", "10.7.0.12", "10.6.0.12", "10.5.0.12"),
        ),
        (unit("manila/1"), bag(&[("private-address", "10.5.0.11")])),
    ]));
    assert!(peers.is_available());
    let render = |kind| -> Vec<String> {
        peers
            .backends(kind)
            .iter()
            .map(|b| format!("{} {}", b.name(), b.address))
            .collect()
    };
    assert_eq!(
        render(AddressKind::Private),
        [
            "manila-1 10.5.0.11",
            "manila-2 10.5.0.12",
            "manila-10 10.5.0.20"
        ]
    );
    // manila/1 has not published its split addresses yet.
    assert_eq!(
        render(AddressKind::Admin),
        ["manila-2 10.7.0.12", "manila-10 10.7.0.20"]
    );
    assert_eq!(
        render(AddressKind::Internal),
        ["manila-2 10.6.0.12", "manila-10 10.6.0.20"]
    );
}

#[test]
fn local_unit_joins_its_backends_in_order() {
    let peers = Peers::from_bags(&BTreeMap::from([
        (unit("manila/0"), bag(&[("private-address", "10.5.0.10")])),
        (unit("manila/2"), bag(&[("private-address", "10.5.0.12")])),
    ]));
    let local = Backend {
        unit: unit("manila/1"),
        address: host("10.5.0.11"),
    };
    let names: Vec<_> = peers
        .backends_with(AddressKind::Private, local)
        .iter()
        .map(Backend::name)
        .collect();
    assert_eq!(names, ["manila-0", "manila-1", "manila-2"]);
}

#[test]
fn not_available_until_a_peer_has_a_private_address() {
    assert!(!Peers::from_bags(&BTreeMap::new()).is_available());
    let peers = Peers::from_bags(&BTreeMap::from([(
        unit("manila/1"),
        bag(&[("admin-address", "10.7.0.11")]),
    )]));
    assert!(!peers.is_available());
}

#[test]
fn malformed_peer_is_left_out_and_reported() {
    let peers = Peers::from_bags(&BTreeMap::from([
        (unit("manila/1"), bag(&[("private-address", "10.5.0.11")])),
        (
            unit("manila/2"),
            bag(&[
                ("private-address", "10.5.0.12"),
                ("public-address", "10.5.0.12\n  server evil"),
            ]),
        ),
    ]));
    assert_eq!(peers.backends(AddressKind::Private).len(), 1);
    assert_eq!(peers.invalid.len(), 1);
    assert_eq!(peers.invalid[0].unit, unit("manila/2"));
    assert_eq!(peers.invalid[0].error.key(), "public-address");
}

mod properties {
    use databag::testing::{check_reading, hostile_bags};
    use databag::Readiness;
    use proptest::prelude::*;

    use super::*;

    const KEYS: &[&str] = &[
        "private-address",
        "admin-address",
        "internal-address",
        "public-address",
    ];

    proptest! {
        #[test]
        fn peer_bags_never_panic_and_refusals_name_a_key(
            bag in hostile_bags(peer("10.5.0.11", "10.5.0.11", "10.6.0.11", "192.168.7.11"), KEYS)
        ) {
            let read = PeerAddresses::from_bag(&bag).map(Readiness::Ready);
            check_reading(&bag, KEYS, &read)?;
        }
    }
}
