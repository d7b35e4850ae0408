//! `reconcile` for a unit related to hacluster: the share service handed to Pacemaker, the
//! shared service identity, the VIPs remembered for deletion, and the HA configurations
//! hacluster cannot be asked for.

use juju::Status;
use manila_charm::{Inputs, Plan};

use crate::fixtures::*;

fn with(mut inputs: Inputs, raw: charm::config::RawConfig) -> Inputs {
    inputs.config = configured(&raw);
    inputs.ha = vec![rel("ha:8")];
    inputs
}

fn ha_bag(plan: &Plan) -> &databag::Bag {
    plan.unit_data()
        .into_iter()
        .find(|(r, _)| r.endpoint() == "ha")
        .expect("a request to hacluster")
        .1
}

fn manila_conf(plan: &Plan) -> &str {
    &plan
        .files
        .iter()
        .find(|f| f.path == "/etc/manila/manila.conf")
        .unwrap()
        .content
}

#[test]
fn a_clustered_share_unit_hands_manila_share_to_pacemaker_under_the_application_name() {
    let inputs = with(
        ready("manila-share/1", "share"),
        raw_config("share").with("vip", "10.5.0.100"),
    );
    let p = plan(&inputs);
    assert_eq!(pacemaker(&p), ["manila-share"]);
    assert!(!run(&p).contains(&"manila-share"));
    assert!(!held(&p).contains(&"manila-share"));
    assert!(manila_conf(&p).contains("\nhost = manila-share\n"));
    let bag = ha_bag(&p);
    assert_eq!(
        bag["json_colocations"],
        r#"{"manila_share_with_vips": "inf: res_manila_share_manila_share grp_manila_vips"}"#
    );
    // Found on the unit's interface: no NIC sent, the Python charm's name deleted.
    assert_eq!(bag["json_delete_resources"], r#"["res_manila_ens3_vip"]"#);
    assert_eq!(recorded(&p, "ha-vips"), Some(Some("10.5.0.100".to_owned())));
    assert_eq!(p.status.status, Status::Active);

    // Without hacluster it is an ordinary service with the unit's own identity.
    let mut alone = inputs.clone();
    alone.ha.clear();
    let p = plan(&alone);
    assert_eq!(run(&p), ["manila-share"]);
    assert!(pacemaker(&p).is_empty());
    assert!(!manila_conf(&p).contains("\nhost ="));
}

#[test]
fn the_share_resource_is_requested_only_once_manila_share_can_work() {
    let mut inputs = with(ready("manila-share/0", "share"), raw_config("share"));
    inputs.local_plugins.clear();
    let p = plan(&inputs);
    assert_eq!(ha_bag(&p)["json_resources"], "{}");
    // Still Pacemaker's: the charm never starts it.
    assert_eq!(pacemaker(&p), ["manila-share"]);
}

#[test]
fn vips_once_published_are_deleted_when_they_leave_the_config() {
    let mut inputs = with(
        ready("manila/0", "api"),
        raw_config("api").with("vip", "10.5.100.2"),
    );
    inputs.recorded.ha_vips = vec!["10.5.100.1".parse().unwrap(), "10.5.100.2".parse().unwrap()];
    let p = plan(&inputs);
    assert_eq!(
        ha_bag(&p)["json_delete_resources"],
        r#"["res_manila_eth0_vip", "res_manila_242d562_vip"]"#
    );
    assert_eq!(recorded(&p, "ha-vips"), None);
}

#[test]
fn vip_with_dns_ha_and_dns_ha_without_host_names_are_blocked_and_not_requested() {
    let both = with(
        ready("manila/0", "api"),
        raw_config("api")
            .with("vip", "10.5.100.1")
            .with("dns-ha", true)
            .with("os-public-hostname", "manila.example.com"),
    );
    let p = plan(&both);
    assert_eq!(
        (p.status.status, p.status.message.as_str()),
        (
            Status::Blocked,
            "HA: Either vip or dns-ha must be set but not both in order to use high availability"
        )
    );
    assert!(!p.unit_data().iter().any(|(r, _)| r.endpoint() == "ha"));

    let nameless = with(
        ready("manila/0", "api"),
        raw_config("api").with("dns-ha", true),
    );
    let p = plan(&nameless);
    assert_eq!(
        (p.status.status, p.status.message.as_str()),
        (
            Status::Blocked,
            "DNS HA: At least one os-*-hostname(s) must be set to use DNS HA"
        )
    );
}

/// Issue 13: a peer whose address turns malformed keeps its last good address in haproxy,
/// and the status names it.
#[test]
fn a_peer_whose_address_turns_malformed_keeps_its_last_good_one_and_is_named() {
    use std::collections::BTreeMap;

    use charm::received::receive_relation;
    use openstack_ha::Peers;

    let mut inputs = ready("manila/0", "api,scheduler");
    let good = BTreeMap::from([
        (unit("manila/1"), bag(&[("private-address", "10.5.0.11")])),
        (unit("manila/2"), bag(&[("private-address", "10.5.0.12")])),
    ]);
    let mut now = good.clone();
    now.insert(
        unit("manila/2"),
        bag(&[("private-address", "10.5.0.12\nserver evil 6.6.6.6:80")]),
    );
    inputs.cluster.as_mut().unwrap().peers =
        receive_relation(&now, &good, Peers::check, Peers::read).0;
    let p = plan(&inputs);
    let haproxy = p
        .files
        .iter()
        .find(|f| f.path == "/etc/haproxy/haproxy.cfg")
        .unwrap();
    assert!(
        haproxy
            .content
            .contains("server manila-2 10.5.0.12:8776 check"),
        "{}",
        haproxy.content
    );
    assert!(!haproxy.content.contains("evil"));
    assert_eq!(
        (p.status.status, p.status.message.as_str()),
        (
            Status::Blocked,
            "'cluster' from manila/2: relation key `private-address`: contains a line break or \
             another control character (using the last good data)"
        )
    );
}
