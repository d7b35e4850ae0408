//! Hostile values (`manila_testbed::hostile`) in every option, in each driver mode, and in
//! every value of the credentials the principal sends, in process: no hook fails, the text
//! sent never takes a line of the attacker's and is always one the principal accepts, and
//! the status is ready (the value was usable) or names the input.

use charm::Options;
use emulator::ConfigValue;
use manila_netapp_backend::Config;
use manila_plugin::BackendStatus;
use manila_testbed::hostile::{self, options_to_try, MARK};
use serde_json::Value;

use crate::fixtures::{self, run, set, Mode, Ran, AUTHENTICATION, PLUGIN};

/// What is wrong with what the unit sent after `input`, if anything.
fn injected(unit: &Ran, input: &str) -> Option<String> {
    let bag = unit.published(PLUGIN);
    if let BackendStatus::Invalid(e) = BackendStatus::from_bag(&bag) {
        return Some(format!("{input}: the principal refuses it: {e}"));
    }
    let text = unit.text(PLUGIN)?;
    let line = text.lines().find(|line| {
        !ini::is_line_safe(line)
            || match ini::Line::classify(line) {
                ini::Line::Section(name) => name.contains(MARK),
                ini::Line::Option { key, .. } => key.contains(MARK),
                ini::Line::Invalid(_) => true,
                _ => false,
            }
    })?;
    Some(format!("{input}: sent {line:?}"))
}

#[test]
fn hostile_option_values_never_inject_and_are_named() {
    let mut violations = Vec::new();
    let mut refused = 0;
    for mode in Mode::ALL {
        let ready = fixtures::ready(mode).state();
        for option in options_to_try(Config::OPTIONS) {
            for value in hostile::option_values(option.ty) {
                let json = match &value {
                    ConfigValue::Text(text) => Value::from(text.clone()),
                    ConfigValue::Typed(json) => json.clone(),
                };
                let input = format!(
                    "{mode:?} {}={}",
                    option.name,
                    hostile::shown(&json.to_string())
                );
                let mut state = ready.clone();
                set(&mut state, option.name, json);
                let unit = run(emulator::scenario::Event::ConfigChanged, &state);
                violations.extend(injected(&unit, &input));
                let status = unit.status();
                if status != "active: Unit is ready" {
                    refused += 1;
                    if !status.starts_with("blocked: ") || !status.contains(option.name) {
                        violations.push(format!("{input}: {status}"));
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
    assert!(refused > 100, "{refused} refused");
}

#[test]
fn hostile_credentials_never_inject_and_are_named() {
    let ready = fixtures::ready(Mode::Neutron);
    let good: Value = serde_json::from_str(AUTHENTICATION).unwrap();
    let mut violations = Vec::new();
    let keys: Vec<String> = good["data"].as_object().unwrap().keys().cloned().collect();
    let mut payloads: Vec<(String, String)> = hostile::strings()
        .into_iter()
        .map(|raw| {
            (
                format!("_authentication_data={}", hostile::shown(&raw)),
                raw,
            )
        })
        .collect();
    for key in &keys {
        for value in hostile::strings() {
            let mut payload = good.clone();
            payload["data"][key] = Value::from(value.clone());
            payloads.push((
                format!("{key}={}", hostile::shown(&value)),
                payload.to_string(),
            ));
        }
    }
    for (input, payload) in payloads {
        let bag = fixtures::principal(&payload);
        let state = fixtures::with_principal_bag(ready.state(), PLUGIN, bag);
        let unit = run(fixtures::changed(&state, PLUGIN), &state);
        violations.extend(injected(&unit, &input));
        let status = unit.status();
        let named = status.contains("'manila-plugin' from manila/0");
        if status != "active: Unit is ready" && !named {
            violations.push(format!("{input}: {status}"));
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}
