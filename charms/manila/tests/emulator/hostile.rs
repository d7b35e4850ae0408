//! Hostile values in every option of the manila charm and in every key it reads from a
//! related charm (issue 13): no hook fails, no file takes a line of the attacker's, the
//! services keep running on their last good configuration, the status names the input, and
//! fixing the value brings the unit back to ready.
//!
//! The options come from the charm's option table, so a new option is tried without
//! touching this test; the relation keys are those the related charms send plus those the
//! interface crates read when present.

use charm::Options;
use manila_charm::Config;
use manila_testbed::hostile::{self, options_to_try, Baseline, Outcome, Tally};

use crate::support::{self, World, READY};

const UNIT: &str = "manila/0";

/// The status after a hostile value of `input`: ready, or blocked naming it (every one of
/// `names`).
fn judge(world: &World, names: &[&str], tally: &mut Tally, input: &str) -> Outcome {
    let (status, message) = world.status(UNIT);
    if (status.as_str(), message.as_str()) == READY {
        return Outcome::Accepted;
    }
    let named = names.iter().all(|name| message.contains(name));
    if !(status == "blocked" || status == "waiting") || !named {
        tally.violation(format!("{input}: status {status}: {message}"));
    }
    if message.contains("(using the last good data)") {
        Outcome::KeptLastGood
    } else {
        Outcome::Refused
    }
}

/// After `input` was undone: ready, and the services of `baseline` running.
fn assert_recovered(world: &World, baseline: &Baseline, tally: &mut Tally, input: &str) {
    let (status, message) = world.status(UNIT);
    if (status.as_str(), message.as_str()) != READY {
        tally.violation(format!("{input}: after the fix, {status}: {message}"));
    }
    if world.baseline(UNIT).running != baseline.running {
        tally.violation(format!("{input}: after the fix, services differ"));
    }
}

/// The all-in-one model with the nrpe fixture on manila, so that the nagios options and
/// the nrpe charm's keys reach the NRPE files.
fn all_in_one_monitored() -> World {
    let mut world = support::all_in_one();
    world.deploy("nrpe", support::Charm::Nrpe, emulator::DeployOptions::new());
    world
        .model
        .relate("manila:nrpe-external-master", "nrpe:nrpe-external-master")
        .unwrap();
    world.settle();
    world
}

#[test]
fn hostile_option_values_never_inject_nor_stop_and_are_named() {
    let mut world = all_in_one_monitored();
    let baseline = world.baseline(UNIT);
    assert!(baseline.running.len() >= 5, "{baseline:?}");
    let mut tally = Tally::default();
    for option in options_to_try(Config::OPTIONS) {
        let before = world
            .model
            .config("manila")
            .unwrap()
            .get(option.name)
            .cloned();
        // One value after the other, each on top of the last; then the operator's fix.
        for value in hostile::option_values(option.ty) {
            let input = format!("option {}={}", option.name, shown_config(&value));
            world
                .model
                .set_config("manila", [(option.name, value)])
                .unwrap();
            world.settle_and_check(&baseline, &input, &mut tally);
            let outcome = judge(&world, &[option.name], &mut tally, &input);
            tally.count(outcome);
        }
        match before {
            Some(value) => world.model.set_config("manila", [(option.name, value)]),
            None => world.model.reset_config("manila", &[option.name]),
        }
        .unwrap();
        let input = format!("option {} put back", option.name);
        world.settle_and_check(&baseline, &input, &mut tally);
        assert_recovered(&world, &baseline, &mut tally, &input);
    }
    eprintln!("manila options: {tally}");
    assert!(
        tally.violations.is_empty(),
        "{tally}:\n{:#?}",
        tally.violations
    );
    assert!(tally.refused > 0 && tally.accepted > 0, "{tally}");
}

fn shown_config(value: &emulator::ConfigValue) -> String {
    match value {
        emulator::ConfigValue::Text(text) => hostile::shown(text),
        emulator::ConfigValue::Typed(json) => json.to_string(),
    }
}

/// The keys each related unit's codec reads besides those it sends now.
const OPTIONAL_KEYS: &[(&str, &[&str])] = &[
    (
        "mysql/0",
        &["db_port", "ssl_ca", "ssl_cert", "ssl_key", "wait_timeout"],
    ),
    (
        "rabbitmq-server/0",
        &[
            "hostname",
            "ssl_port",
            "ssl_ca",
            "vip",
            "clustered",
            "ha_queues",
            "ha-vip-only",
        ],
    ),
    (
        "keystone/0",
        &[
            "service_domain",
            "api_version",
            "ca_cert",
            "https_keystone",
            "internal_host",
            "internal_port",
            "internal_protocol",
        ],
    ),
    ("manila-generic-backend/0", &[]),
    ("nrpe/0", &[]),
];

/// The endpoint of `manila` each related unit is on.
fn endpoint_of(remote: &str) -> &'static str {
    match remote {
        "mysql/0" => "shared-db",
        "rabbitmq-server/0" => "amqp",
        "keystone/0" => "identity-service",
        "nrpe/0" => "nrpe-external-master",
        _ => "manila-plugin",
    }
}

#[test]
fn hostile_relation_data_keeps_the_last_good_configuration_and_names_unit_and_key() {
    let mut world = all_in_one_monitored();
    let baseline = world.baseline(UNIT);
    let mut tally = Tally::default();
    for (remote, optional) in OPTIONAL_KEYS {
        let endpoint = endpoint_of(remote);
        let app = remote.split('/').next().unwrap();
        let relation = world
            .model
            .relation_id(&format!("manila:{endpoint}"), &format!("{app}:{endpoint}"))
            .unwrap_or_else(|| panic!("manila:{endpoint} is not related to {app}"));
        let sent = world.model.unit_bag(relation, remote).unwrap();
        let mut keys: Vec<&str> = sent
            .keys()
            .map(String::as_str)
            // Juju's own keys.
            .filter(|k| !["egress-subnets", "ingress-address"].contains(k))
            .chain(optional.iter().copied())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            let good = sent.get(key).cloned().unwrap_or_default();
            for value in hostile::strings() {
                let input = format!("{remote} {endpoint} {key}={}", hostile::shown(&value));
                world.relation_set(remote, relation, &[(key, &value)]);
                world.settle_and_check(&baseline, &input, &mut tally);
                let outcome = judge(&world, &[endpoint, remote, key], &mut tally, &input);
                tally.count(outcome);
            }
            world.relation_set(remote, relation, &[(key, &good)]);
            let input = format!("{remote} {endpoint} {key} put back");
            world.settle_and_check(&baseline, &input, &mut tally);
            assert_recovered(&world, &baseline, &mut tally, &input);
        }
    }
    eprintln!("manila relation data: {tally}");
    assert!(
        tally.violations.is_empty(),
        "{tally}:\n{:#?}",
        tally.violations
    );
    assert!(tally.kept_last_good > 0, "{tally}");
}
