//! Hostile values in every option of the generic back end and in every value of the
//! credentials the principal sends it (issue 13): no hook fails on either unit, neither the
//! principal's files nor the back end's text take a line of the attacker's, manila-share keeps
//! running, the back end's status names the input, and fixing it brings it back to ready.

use charm::Options;
use manila_generic_backend::Config;
use manila_testbed::hostile::{self, options_to_try, Baseline, Outcome, Tally, MARK};
use serde_json::Value as Json;

use crate::support::{self, World, READY};

const PRINCIPAL: &str = "manila/0";
const BACKEND_APP: &str = "manila-generic-backend";

fn backend_unit(world: &World) -> String {
    world.only_unit(BACKEND_APP)
}

/// The back end's status after `input`: ready, or blocked naming every one of `names` and
/// at least one of `any_of`.
fn judge(
    world: &World,
    names: &[&str],
    any_of: &[&str],
    tally: &mut Tally,
    input: &str,
) -> Outcome {
    let (status, message) = world.status(&backend_unit(world));
    if (status.as_str(), message.as_str()) == READY {
        return Outcome::Accepted;
    }
    let named = names.iter().all(|n| message.contains(n))
        && (any_of.is_empty() || any_of.iter().any(|n| message.contains(n)));
    if !(status == "blocked" || status == "waiting") || !named {
        tally.violation(format!("{input}: back end {status}: {message}"));
    }
    if message.contains("(using the last good data)") {
        Outcome::KeptLastGood
    } else {
        Outcome::Refused
    }
}

/// Both units ready again, the principal's services as before, and the back end's text
/// free of the mark.
fn assert_recovered(world: &World, baseline: &Baseline, tally: &mut Tally, input: &str) {
    for unit in [PRINCIPAL.to_owned(), backend_unit(world)] {
        let (status, message) = world.status(&unit);
        if (status.as_str(), message.as_str()) != READY {
            tally.violation(format!(
                "{input}: after the fix, {unit} {status}: {message}"
            ));
        }
    }
    if world.baseline(PRINCIPAL).running != baseline.running {
        tally.violation(format!("{input}: after the fix, services differ"));
    }
}

/// What the back end published must never carry a section or key of the attacker's.
fn check_published(world: &World, tally: &mut Tally, input: &str) {
    let relation = world
        .model
        .relation_id(
            "manila:manila-plugin",
            &format!("{BACKEND_APP}:manila-plugin"),
        )
        .unwrap();
    let bag = world
        .model
        .unit_bag(relation, &backend_unit(world))
        .unwrap();
    if let Some(data) = bag.get("_configuration_data") {
        let text = serde_json::from_str::<Json>(data).unwrap()["data"]["/etc/manila/manila.conf"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for line in text.lines() {
            if matches!(
                ini::Line::classify(line),
                ini::Line::Section(_) | ini::Line::Option { .. }
            ) && line.split('=').next().unwrap_or_default().contains(MARK)
            {
                tally.violation(format!("{input}: the back end sent {line:?}"));
            }
        }
    }
}

#[test]
fn hostile_option_values_never_inject_nor_unpublish_and_are_named() {
    let mut world = support::all_in_one();
    let baseline = world.baseline(PRINCIPAL);
    assert!(baseline.running.contains("manila-share"), "{baseline:?}");
    let mut tally = Tally::default();
    for option in options_to_try(Config::OPTIONS) {
        let before = world
            .model
            .config(BACKEND_APP)
            .unwrap()
            .get(option.name)
            .cloned();
        for value in hostile::option_values(option.ty) {
            let shown = match &value {
                emulator::ConfigValue::Text(text) => hostile::shown(text),
                emulator::ConfigValue::Typed(json) => json.to_string(),
            };
            let input = format!("option {}={shown}", option.name);
            world
                .model
                .set_config(BACKEND_APP, [(option.name, value)])
                .unwrap();
            world.settle_and_check(&baseline, &input, &mut tally);
            check_published(&world, &mut tally, &input);
            // The reference's messages: "Missing '<option>'" names it; this one in words.
            let words = "Need at least one of instance password or keypair name";
            let outcome = judge(&world, &[], &[option.name, words], &mut tally, &input);
            tally.count(outcome);
        }
        match before {
            Some(value) => world.model.set_config(BACKEND_APP, [(option.name, value)]),
            None => world.model.reset_config(BACKEND_APP, &[option.name]),
        }
        .unwrap();
        let input = format!("option {} put back", option.name);
        world.settle_and_check(&baseline, &input, &mut tally);
        assert_recovered(&world, &baseline, &mut tally, &input);
    }
    eprintln!("generic back end options: {tally}");
    assert!(
        tally.violations.is_empty(),
        "{tally}:\n{:#?}",
        tally.violations
    );
    assert!(tally.refused > 0 && tally.accepted > 0, "{tally}");
}

#[test]
fn hostile_credentials_keep_the_last_good_ones_and_are_named() {
    let mut world = support::all_in_one();
    let baseline = world.baseline(PRINCIPAL);
    let mut tally = Tally::default();
    let relation = world
        .model
        .relation_id(
            "manila:manila-plugin",
            &format!("{BACKEND_APP}:manila-plugin"),
        )
        .unwrap();
    let good = world.model.unit_bag(relation, PRINCIPAL).unwrap()["_authentication_data"].clone();
    let good_json: Json = serde_json::from_str(&good).unwrap();
    let inner_keys: Vec<String> = good_json["data"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    // (what was sent, the key the status must name, the payload)
    let mut cases: Vec<(String, String, String)> = hostile::strings()
        .into_iter()
        .map(|raw| {
            let input = format!("_authentication_data={}", hostile::shown(&raw));
            (input, "_authentication_data".to_owned(), raw)
        })
        .collect();
    for key in &inner_keys {
        for value in hostile::strings() {
            let mut payload = good_json.clone();
            payload["data"][key] = Json::from(value.clone());
            let input = format!("_authentication_data {key}={}", hostile::shown(&value));
            cases.push((input, key.clone(), payload.to_string()));
        }
    }
    for (input, key, payload) in cases {
        world.relation_set(PRINCIPAL, relation, &[("_authentication_data", &payload)]);
        world.settle_and_check(&baseline, &input, &mut tally);
        check_published(&world, &mut tally, &input);
        // A value that breaks the JSON text's line is the text's problem, not the value's.
        let any_of = [key.as_str(), "_authentication_data"];
        let outcome = judge(
            &world,
            &["'manila-plugin'", PRINCIPAL],
            &any_of,
            &mut tally,
            &input,
        );
        tally.count(outcome);
    }
    world.relation_set(PRINCIPAL, relation, &[("_authentication_data", &good)]);
    world.settle_and_check(&baseline, "credentials put back", &mut tally);
    assert_recovered(&world, &baseline, &mut tally, "credentials put back");
    eprintln!("generic back end credentials: {tally}");
    assert!(
        tally.violations.is_empty(),
        "{tally}:\n{:#?}",
        tally.violations
    );
    assert!(tally.kept_last_good > 0, "{tally}");
}
