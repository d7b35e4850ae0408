//! Every file the charm renders, for an all-in-one unit and for the units of a split
//! deployment (api+scheduler, share, data), with the fixtures' secrets redacted. A snapshot
//! is an assertion: review a changed one line by line (`cargo insta review`).

use manila_charm::Inputs;

use crate::fixtures::*;

/// Snapshots each file of `inputs`' plan as `<scenario>@<file name>`.
fn snapshot_files(scenario: &str, inputs: &Inputs) -> Vec<String> {
    let plan = plan(inputs);
    assert_eq!(plan.status.message, "Unit is ready", "{scenario}");
    let mut names = Vec::new();
    for file in &plan.files {
        let name = format!(
            "{scenario}@{}",
            file.path.trim_start_matches('/').replace('/', "_")
        );
        let redacted = redact(&file.content);
        for (secret, _) in SECRETS {
            assert!(!redacted.contains(secret), "{name} still shows {secret}");
        }
        insta::assert_snapshot!(name.clone(), redacted);
        names.push(name);
    }
    names
}

#[test]
fn all_in_one() {
    let names = snapshot_files("all_in_one", &ready("manila/0", "all"));
    assert_eq!(names.len(), 6);
}

#[test]
fn split_api_and_scheduler() {
    let names = snapshot_files("split_api", &ready("manila-api/0", "api,scheduler"));
    assert_eq!(names.len(), 6);
}

#[test]
fn split_share() {
    let names = snapshot_files("split_share", &ready("manila-share/0", "share"));
    assert_eq!(names.len(), 2);
}

#[test]
fn split_data() {
    let names = snapshot_files("split_data", &ready("manila-data/0", "data"));
    assert_eq!(names.len(), 2);
}

/// zed reads the templates of its own directory (the api-paste.ini before caracal).
#[test]
fn all_in_one_zed() {
    let mut inputs = ready("manila/0", "all");
    inputs.installed = installed(&manila_charm::roles::Roles::all(), ZED);
    inputs
        .cluster
        .as_mut()
        .unwrap()
        .app_data
        .insert("db-sync-done".into(), "zed".into());
    let plan = plan(&inputs);
    let paste = plan
        .files
        .iter()
        .find(|f| f.path == "/etc/manila/api-paste.ini")
        .unwrap();
    insta::assert_snapshot!("all_in_one_zed@etc_manila_api-paste.ini", &paste.content);
}

/// The optional parts of manila.conf: TLS to the database and broker, mirrored queues,
/// scheduler filters, config-flags (a scheduler-only unit: two files).
#[test]
fn tls_and_options() {
    let mut inputs = ready("manila-sched/0", "scheduler");
    inputs.config = configured(
        &raw_config("scheduler")
            .with("config-flags", "report_interval=20, periodic_interval=120")
            .with(
                "scheduler-default-filters",
                "AvailabilityZoneFilter, CapacityFilter,CapabilitiesFilter",
            )
            .with("debug", true)
            .with("verbose", true),
    );
    let me = inputs.unit.clone();
    let b64 = databag::fields::encode_base64;
    let mut db = db_bag("manila-sched/0");
    db.insert(
        "ssl_ca".into(),
        b64("-----BEGIN CERTIFICATE-----\nDBCA\n-----END CERTIFICATE-----\n"),
    );
    db.insert(
        "ssl_cert".into(),
        b64("-----BEGIN CERTIFICATE-----\nDBCERTAA\n-----END CERTIFICATE-----\n"),
    );
    db.insert(
        "ssl_key".into(),
        b64("-----BEGIN PRIVATE KEY-----\nDBKEYAAA\n-----END PRIVATE KEY-----\n"),
    );
    inputs.shared_db = shared_db(&me, &[("mysql/0", db)]);
    let rabbit = |address: &str| {
        let mut bag = rabbit_bag(address);
        bag.insert("ssl_port".into(), "5671".into());
        bag.insert(
            "ssl_ca".into(),
            b64("-----BEGIN CERTIFICATE-----\nMQCA\n-----END CERTIFICATE-----\n"),
        );
        bag.insert("ha_queues".into(), "True".into());
        bag
    };
    inputs.amqp = amqp(&[
        ("rabbitmq-server/0", rabbit("10.5.0.30")),
        ("rabbitmq-server/1", rabbit("10.5.0.31")),
    ]);
    let names = snapshot_files("tls_and_options", &inputs);
    assert_eq!(names.len(), 6, "{names:?}");
}

/// The endpoints split onto networks (public by `os-public-network` among the binding's
/// addresses, internal by its own binding, admin beside the peers' network), the peers
/// publishing an address on each, and an IPv6 VIP: a request goes to the units' addresses
/// on the network it arrived on, the admin network being the default one needs no backend
/// of its own, and haproxy listens on IPv6 too.
#[test]
fn haproxy_on_split_networks() {
    use openstack::network::{Binding, BoundAddress};
    use openstack_ha::Peers;

    let mut inputs = ready("manila/0", "api,scheduler");
    inputs.config = configured(
        &raw_config("api,scheduler")
            .with("os-public-network", "192.168.7.0/24")
            .with("vip", "10.5.0.100 fd00::100"),
    );
    let on = |address: &str, cidr: &str, nic: &str| {
        BoundAddress::new(address.parse().unwrap(), Some(cidr.parse().unwrap())).on(nic)
    };
    inputs.addresses.endpoints = [
        Binding {
            addresses: vec![
                on("10.5.0.10", "10.5.0.0/24", "ens3"),
                on("192.168.7.10", "192.168.7.0/24", "ens4"),
            ],
        },
        Binding {
            addresses: vec![on("10.6.0.10", "10.6.0.0/24", "ens5")],
        },
        binding("10.5.0.10", "10.5.0.0/24"),
    ];
    let peers = ["manila/1", "manila/2"].map(|name| {
        let n = &name[name.len() - 1..];
        let host = format!("1{n}");
        (
            unit(name),
            bag(&[
                ("private-address", &format!("10.5.0.{host}")),
                ("admin-address", &format!("10.5.0.{host}")),
                ("internal-address", &format!("10.6.0.{host}")),
                ("public-address", &format!("192.168.7.{host}")),
            ]),
        )
    });
    inputs.cluster.as_mut().unwrap().peers =
        received(&peers.into_iter().collect(), Peers::check, Peers::read);

    let plan = plan(&inputs);
    let cfg = plan
        .files
        .iter()
        .find(|f| f.path == "/etc/haproxy/haproxy.cfg")
        .unwrap();
    insta::assert_snapshot!(
        "split_networks@etc_haproxy_haproxy.cfg",
        redact(&cfg.content)
    );
}
