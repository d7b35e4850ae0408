//! The expected bags below were printed by the real `interface_hacluster/common.py`
//! (charm-interface-hacluster `d91e83a`) driven with the same calls through an in-memory
//! `ResourceManagement`, each called twice to reach its steady state; the manila ones match
//! §4.1 of the reference report, the ganesha one §6.3.

use super::*;

fn render(bag: &Bag) -> String {
    bag.iter().map(|(k, v)| format!("{k} = {v}\n")).collect()
}

fn vip(text: &str) -> std::net::IpAddr {
    text.parse().unwrap()
}

fn manila() -> Crm {
    let mut crm = Crm::new();
    crm.add_vip("manila", vip("10.5.100.1"))
        .delete_resource("res_manila_ens3_vip")
        .add_init_service("manila", "haproxy", true);
    crm
}

#[test]
fn manila_vip_and_haproxy_match_the_reference_byte_for_byte() {
    let bag = HaRequest::new("eth0", manila()).to_bag();
    assert_eq!(
        render(&bag),
        r#"corosync_bindiface = eth0
corosync_mcastport = 4440
json_clones = {"cl_res_manila_haproxy": "res_manila_haproxy"}
json_colocations = {}
json_delete_resources = ["res_manila_ens3_vip"]
json_groups = {"grp_manila_vips": "res_manila_242d562_vip"}
json_init_services = ["haproxy"]
json_locations = {}
json_ms = {}
json_orders = {}
json_resource_params = {"res_manila_242d562_vip": "  params ip=\"10.5.100.1\"  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"", "res_manila_haproxy": "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor interval=\"5s\""}
json_resources = {"res_manila_242d562_vip": "ocf:heartbeat:IPaddr2", "res_manila_haproxy": "lsb:haproxy"}
json_systemd_services = []
"#
    );
}

#[test]
fn manila_fallback_vip_names_the_nic() {
    let mut crm = Crm::new();
    crm.add_vip_on("manila", vip("10.5.100.1"), "eth0", "24")
        .add_init_service("manila", "haproxy", true);
    let bag = HaRequest::new("eth0", crm).to_bag();
    assert_eq!(bag["json_delete_resources"], "[]");
    assert_eq!(
        bag["json_groups"],
        r#"{"grp_manila_vips": "res_manila_eth0_vip"}"#
    );
    assert_eq!(
        bag["json_resource_params"],
        r#"{"res_manila_eth0_vip": "  params ip=\"10.5.100.1\" nic=\"eth0\" cidr_netmask=\"24\"  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"", "res_manila_haproxy": "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor interval=\"5s\""}"#
    );
    assert_eq!(
        bag["json_resources"],
        r#"{"res_manila_eth0_vip": "ocf:heartbeat:IPaddr2", "res_manila_haproxy": "lsb:haproxy"}"#
    );
}

#[test]
fn ganesha_active_passive_services_match_the_reference() {
    let mut crm = Crm::new();
    crm.add_systemd_service("nfs-ganesha", "nfs-ganesha", false)
        .add_systemd_service("manila-share", "manila-share", false)
        .add_colocation(
            "ganesha_with_vip",
            "inf",
            &["res_nfs_ganesha_nfs_ganesha", "grp_ganesha_vips"],
            None,
        )
        .add_colocation(
            "manila_with_vip",
            "inf",
            &["res_manila_share_manila_share", "grp_ganesha_vips"],
            None,
        )
        .add_vip("ganesha", vip("10.5.100.2"));
    let bag = HaRequest::new("eth0", crm).to_bag();
    assert_eq!(
        render(&bag),
        r#"corosync_bindiface = eth0
corosync_mcastport = 4440
json_clones = {}
json_colocations = {"ganesha_with_vip": "inf: res_nfs_ganesha_nfs_ganesha grp_ganesha_vips", "manila_with_vip": "inf: res_manila_share_manila_share grp_ganesha_vips"}
json_delete_resources = []
json_groups = {"grp_ganesha_vips": "res_ganesha_4c2a33d_vip"}
json_init_services = []
json_locations = {}
json_ms = {}
json_orders = {}
json_resource_params = {"res_ganesha_4c2a33d_vip": "  params ip=\"10.5.100.2\"  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"", "res_manila_share_manila_share": "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor interval=\"5s\" role=Started op monitor interval=\"6s\" role=Stopped", "res_nfs_ganesha_nfs_ganesha": "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor interval=\"5s\" role=Started op monitor interval=\"6s\" role=Stopped"}
json_resources = {"res_ganesha_4c2a33d_vip": "ocf:heartbeat:IPaddr2", "res_manila_share_manila_share": "systemd:manila-share", "res_nfs_ganesha_nfs_ganesha": "systemd:nfs-ganesha"}
json_systemd_services = ["manila-share"]
"#
    );
}

#[test]
fn every_builder_call_together_matches_the_reference() {
    let mut crm = Crm::new();
    crm.add_vip("manila", vip("10.5.100.1"))
        .add_vip("manila", vip("2001:db8::100"))
        .add_vip_on("manila", vip("10.6.100.1"), "ens4", "255.255.255.0")
        .add_init_service("manila", "haproxy", true)
        .add_systemd_service("my-svc", "my-svc", true)
        .add_dnsha("manila", "10.5.100.1", "manila.example.com", "public")
        .add_dnsha("manila", "10.6.100.1", "manila-int.example.com", "int")
        .add_colocation("c1", "inf", &["a", "b"], Some("rack"))
        .remove_vip("manila", vip("10.9.9.9"));
    let bag = HaRequest::new("ens3", crm).to_bag();
    assert_eq!(
        render(&bag),
        r#"corosync_bindiface = ens3
corosync_mcastport = 4440
json_clones = {"cl_res_manila_haproxy": "res_manila_haproxy", "cl_res_my_svc_my_svc": "res_my_svc_my_svc"}
json_colocations = {"c1": "inf: a b node-attribute=rack"}
json_delete_resources = ["res_manila_2de49d7_vip"]
json_groups = {"grp_manila_hostnames": "res_manila_int_hostname res_manila_public_hostname", "grp_manila_vips": "res_manila_242d562_vip res_manila_None_ipv6addr_vip res_manila_ens4_vip"}
json_init_services = ["haproxy"]
json_locations = {}
json_ms = {}
json_orders = {}
json_resource_params = {"res_manila_242d562_vip": "  params ip=\"10.5.100.1\"  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"", "res_manila_None_ipv6addr_vip": "  params ipv6addr=\"2001:db8::100\"  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"", "res_manila_ens4_vip": "  params ip=\"10.6.100.1\" nic=\"ens4\" cidr_netmask=\"255.255.255.0\"  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"", "res_manila_haproxy": "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor interval=\"5s\"", "res_manila_int_hostname": "  params  fqdn=\"manila-int.example.com\" ip_address=\"10.6.100.1\"", "res_manila_public_hostname": "  params  fqdn=\"manila.example.com\" ip_address=\"10.5.100.1\"", "res_my_svc_my_svc": "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor interval=\"5s\""}
json_resources = {"res_manila_242d562_vip": "ocf:heartbeat:IPaddr2", "res_manila_None_ipv6addr_vip": "ocf:heartbeat:IPv6addr", "res_manila_ens4_vip": "ocf:heartbeat:IPaddr2", "res_manila_haproxy": "lsb:haproxy", "res_manila_int_hostname": "ocf:maas:dns", "res_manila_public_hostname": "ocf:maas:dns", "res_my_svc_my_svc": "systemd:my-svc"}
json_systemd_services = ["my-svc"]
"#
    );
}

#[test]
fn deleting_a_resource_forgets_it_everywhere() {
    let mut crm = manila();
    crm.delete_resource("res_manila_haproxy")
        .delete_resource("cl_res_manila_haproxy")
        .delete_resource("res_manila_haproxy");
    assert!(!crm.resources.contains_key("res_manila_haproxy"));
    assert!(!crm.resource_params.contains_key("res_manila_haproxy"));
    assert!(crm.clones.is_empty());
    assert_eq!(
        crm.delete_resources,
        [
            "res_manila_ens3_vip",
            "res_manila_haproxy",
            "cl_res_manila_haproxy"
        ]
    );
}

#[test]
fn hacluster_reads_back_what_the_principal_sent() {
    let request = HaRequest::new("eth0", manila());
    assert_eq!(
        HaRequest::from_bag(&request.to_bag()),
        Ok(Readiness::Ready(request))
    );
}

#[test]
fn hacluster_falls_back_to_bare_keys_and_classic_service_maps() {
    // charm-helpers' classic form: compact separators, init_services as a map.
    let bag = Bag::from([
        (
            "resources".to_string(),
            r#"{"res_ks_haproxy":"lsb:haproxy"}"#.to_string(),
        ),
        (
            "json_init_services".to_string(),
            r#"{"res_ks_haproxy":"haproxy"}"#.to_string(),
        ),
        ("corosync_bindiface".to_string(), "ens3".to_string()),
    ]);
    let request = HaRequest::from_bag(&bag).unwrap().ready().unwrap();
    assert_eq!(request.crm.resources["res_ks_haproxy"], "lsb:haproxy");
    assert_eq!(request.crm.init_services, ["haproxy"]);
    assert_eq!(request.bindiface.as_deref(), Some("ens3"));
    assert_eq!(request.mcastport, None);
    assert!(request.crm.groups.is_empty());
}

#[test]
fn hacluster_waits_for_resources() {
    let bag = Bag::from([("corosync_bindiface".to_string(), "eth0".to_string())]);
    assert_eq!(
        HaRequest::from_bag(&bag),
        Ok(Readiness::waiting_for(["json_resources"]))
    );
}

#[test]
fn malformed_collections_name_the_key_they_came_from() {
    let cases = [
        ("json_resources", r#"{"a": "b""#),
        ("json_resources", r#"["a"]"#),
        ("json_groups", r#"{"g": 1}"#),
        ("json_delete_resources", r#"{"a": "b"}"#),
        ("json_systemd_services", r#"[1]"#),
        ("json_init_services", "null"),
        ("clones", "{'a': 'b'}"),
        ("corosync_mcastport", "many"),
    ];
    for (key, value) in cases {
        let mut bag = HaRequest::new("eth0", manila()).to_bag();
        bag.remove(&format!("json_{key}"));
        bag.insert(key.to_owned(), value.to_owned());
        let err = HaRequest::from_bag(&bag).unwrap_err();
        assert_eq!(err.key(), key, "{err}");
    }
    let mut bag = HaRequest::new("eth0", manila()).to_bag();
    bag.insert("json_groups".into(), "[".into());
    assert_eq!(
        HaRequest::from_bag(&bag).unwrap_err().to_string(),
        "relation key `json_groups`: invalid JSON: EOF while parsing a list at line 1 column 1"
    );
}

#[test]
fn clustered_accepts_yes_and_true_in_any_case() {
    let answer =
        |v: &str| HaAnswer::from_bag(&Bag::from([("clustered".to_string(), v.to_string())]));
    assert!(answer("yes").clustered);
    assert!(answer("True").clustered);
    assert!(answer("YES").clustered);
    assert!(!answer("no").clustered);
    assert!(!answer("1").clustered);
    assert!(!HaAnswer::from_bag(&Bag::new()).clustered);
    assert_eq!(
        HaAnswer { clustered: true }.to_bag(),
        Bag::from([("clustered".to_string(), "yes".to_string())])
    );
    let units = BTreeMap::from([(
        "hacluster/0".parse().unwrap(),
        HaAnswer { clustered: true }.to_bag(),
    )]);
    assert!(HaAnswer::from_bags(&units).clustered);
    assert!(!HaAnswer::from_bags(&BTreeMap::new()).clustered);
}

fn found(address: &str, iface: &str) -> Vip {
    Vip {
        address: vip(address),
        nic: VipNic::Found {
            iface: iface.to_owned(),
        },
    }
}

/// The reference's steady state for a VIP found on `ens3` (the bag above), reached from the
/// configuration alone.
#[test]
fn a_found_vip_and_haproxy_give_the_reference_request() {
    let crm = ServiceResources {
        service: "manila".into(),
        vips: vec![found("10.5.100.1", "ens3")],
        haproxy: true,
        ..ServiceResources::default()
    }
    .crm()
    .unwrap();
    assert_eq!(crm, manila());
}

#[test]
fn a_fallback_vip_keeps_its_hashed_name_and_carries_nic_and_netmask() {
    let crm = ServiceResources {
        service: "manila".into(),
        vips: vec![
            Vip {
                address: vip("10.5.100.1"),
                nic: VipNic::Fallback {
                    iface: "eth0".into(),
                    netmask: "24".into(),
                },
            },
            Vip {
                address: vip("fd00::100"),
                nic: VipNic::Fallback {
                    iface: "eth0".into(),
                    netmask: "64".into(),
                },
            },
        ],
        ..ServiceResources::default()
    }
    .crm()
    .unwrap();
    let v6 = hashed_vip_key("manila", vip("fd00::100"));
    assert_eq!(
        crm.resources,
        BTreeMap::from([
            (
                "res_manila_242d562_vip".to_owned(),
                "ocf:heartbeat:IPaddr2".to_owned()
            ),
            (v6.clone(), "ocf:heartbeat:IPv6addr".to_owned()),
        ])
    );
    assert_eq!(
        crm.resource_params["res_manila_242d562_vip"],
        r#"  params ip="10.5.100.1" nic="eth0" cidr_netmask="24"  meta migration-threshold="INFINITY" failure-timeout="5s"  op monitor timeout="20s" interval="10s" depth="0""#
    );
    assert!(crm.resource_params[&v6]
        .starts_with(r#"  params ipv6addr="fd00::100" nic="eth0" cidr_netmask="64"  meta "#));
    let mut members = ["res_manila_242d562_vip".to_owned(), v6];
    members.sort();
    assert_eq!(crm.groups["grp_manila_vips"], members.join(" "));
    // The Python charm's names for the same VIPs are deleted.
    assert_eq!(
        crm.delete_resources,
        ["res_manila_eth0_vip", "res_manila_eth0_ipv6addr_vip"]
    );
}

#[test]
fn retired_vips_are_deleted_unless_configured_again() {
    let crm = ServiceResources {
        service: "manila".into(),
        vips: vec![found("10.5.100.2", "ens3")],
        retired_vips: vec![vip("10.5.100.1"), vip("10.5.100.2")],
        ..ServiceResources::default()
    }
    .crm()
    .unwrap();
    assert_eq!(
        crm.delete_resources,
        ["res_manila_ens3_vip", "res_manila_242d562_vip"]
    );
    assert_eq!(
        crm.resources.keys().collect::<Vec<_>>(),
        [&hashed_vip_key("manila", vip("10.5.100.2"))]
    );
}

#[test]
fn dns_ha_publishes_hostnames_and_refuses_vips_or_no_hostname() {
    let record = |ty: &str, fqdn: &str| DnsRecord {
        endpoint_type: ty.into(),
        fqdn: fqdn.into(),
        ip: "10.5.0.10".into(),
    };
    let dns = ServiceResources {
        service: "manila".into(),
        dns_ha: true,
        dns_records: vec![
            record("public", "manila.example.com"),
            record("int", "manila-int.example.com"),
        ],
        haproxy: true,
        ..ServiceResources::default()
    };
    let crm = dns.crm().unwrap();
    assert_eq!(
        crm.resources,
        BTreeMap::from([
            ("res_manila_haproxy".to_owned(), "lsb:haproxy".to_owned()),
            (
                "res_manila_int_hostname".to_owned(),
                "ocf:maas:dns".to_owned()
            ),
            (
                "res_manila_public_hostname".to_owned(),
                "ocf:maas:dns".to_owned()
            ),
        ])
    );
    assert_eq!(
        crm.resource_params["res_manila_public_hostname"],
        r#"  params  fqdn="manila.example.com" ip_address="10.5.0.10""#
    );
    assert_eq!(
        crm.groups["grp_manila_hostnames"],
        "res_manila_int_hostname res_manila_public_hostname"
    );

    let both = ServiceResources {
        vips: vec![found("10.5.100.1", "ens3")],
        ..dns.clone()
    };
    assert_eq!(both.crm(), Err(HaConfigError::VipAndDnsHa));
    assert_eq!(
        HaConfigError::VipAndDnsHa.to_string(),
        "HA: Either vip or dns-ha must be set but not both in order to use high availability"
    );
    let none = ServiceResources {
        dns_records: Vec::new(),
        ..dns
    };
    assert_eq!(none.crm(), Err(HaConfigError::DnsHaWithoutHostnames));
}

/// manila-share as manila-ganesha runs it (§6.3): a systemd primitive monitored where it runs
/// and where it must not, colocated with the VIP group.
#[test]
fn a_single_node_service_runs_with_the_vips_uncloned() {
    let crm = ServiceResources {
        service: "manila".into(),
        vips: vec![found("10.5.100.1", "ens3")],
        single_node: vec!["manila-share".into()],
        ..ServiceResources::default()
    }
    .crm()
    .unwrap();
    assert_eq!(
        crm.resources["res_manila_share_manila_share"],
        "systemd:manila-share"
    );
    assert_eq!(
        crm.resource_params["res_manila_share_manila_share"],
        r#"  meta migration-threshold="INFINITY" failure-timeout="5s"  op monitor interval="5s" role=Started op monitor interval="6s" role=Stopped"#
    );
    assert!(crm.clones.is_empty());
    assert_eq!(
        crm.colocations,
        BTreeMap::from([(
            "manila_share_with_vips".to_owned(),
            "inf: res_manila_share_manila_share grp_manila_vips".to_owned()
        )])
    );
    assert_eq!(crm.systemd_services, ["manila-share"]);

    // Without VIPs there is nothing to colocate with; it still runs on one node.
    let alone = ServiceResources {
        service: "manila".into(),
        single_node: vec!["manila-share".into()],
        ..ServiceResources::default()
    }
    .crm()
    .unwrap();
    assert!(alone.colocations.is_empty());
    assert!(alone
        .resources
        .contains_key("res_manila_share_manila_share"));
}

mod properties {
    use databag::testing::{check_reading, hostile_bags};
    use proptest::prelude::*;

    use super::*;

    const KEYS: &[&str] = &[
        "json_resources",
        "json_resource_params",
        "json_groups",
        "json_clones",
        "json_delete_resources",
        "json_init_services",
        "corosync_bindiface",
        "corosync_mcastport",
        "clustered",
    ];

    proptest! {
        #[test]
        fn requests_and_answers_never_panic_and_refusals_name_a_key(
            bag in hostile_bags(HaRequest::new("eth0", manila()).to_bag(), KEYS)
        ) {
            let read = HaRequest::from_bag(&bag);
            check_reading(&bag, &["corosync_bindiface"], &read)?;
            // Any answer is clustered or not; none is an error.
            let _ = HaAnswer::from_bag(&bag);
        }
    }
}
