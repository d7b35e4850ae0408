//! DNS HA: MAAS DNS records for the configured host names instead of a VIP, and the
//! configuration that asks for both.

use crate::ha::{api_cluster, ha_bag, manila_urls, units, VIP};

#[test]
fn dns_ha_asks_for_one_record_per_host_name_and_refuses_a_vip_beside_it() {
    let mut world = api_cluster(&[
        ("dns-ha", "true"),
        ("os-public-hostname", "manila.example.com"),
        ("os-internal-hostname", "manila-internal.example.com"),
    ]);
    for unit in units(&world, "manila") {
        world.assert_ready(&unit);
    }
    // Each unit's records point at its own address.
    let address = world.model.address("manila/0").unwrap().to_owned();
    let bag = ha_bag(&world, "manila/0");
    assert!(
        bag.contains(&format!(
            r#""res_manila_public_hostname": "  params  fqdn=\"manila.example.com\" ip_address=\"{address}\"""#
        )),
        "{bag}"
    );
    insta::assert_snapshot!("dns_ha", bag);
    let urls = manila_urls(&mut world);
    assert_eq!(
        urls,
        [
            "http://manila.example.com:8786/v1/%(tenant_id)s",
            "http://manila.example.com:8786/v2/%(tenant_id)s",
        ]
    );

    // A VIP as well: blocked, and hacluster is not asked for anything new.
    world.model.set_config("manila", [("vip", VIP)]).unwrap();
    world.settle();
    for unit in units(&world, "manila") {
        world.assert_status(
            &unit,
            "blocked",
            "HA: Either vip or dns-ha must be set but not both in order to use high availability",
        );
    }
    assert_eq!(ha_bag(&world, "manila/0"), bag);
}

#[test]
fn dns_ha_without_a_host_name_is_blocked() {
    let world = api_cluster(&[("dns-ha", "true")]);
    for unit in units(&world, "manila") {
        world.assert_status(
            &unit,
            "blocked",
            "DNS HA: At least one os-*-hostname(s) must be set to use DNS HA",
        );
    }
}
