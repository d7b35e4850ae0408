//! Refuses a state and event no real model could produce for the charm, before anything runs
//! (ops Scenario's consistency checker, juju-contract §7.1): a test of an impossible situation
//! proves nothing, and the charm's answer to it would only mislead.

use std::collections::{BTreeMap, BTreeSet};

use juju::UnitName;
use serde_json::{Map, Value as Json};

use super::state::{Event, State};
use crate::charm_definition::{Charm, Role, Scope};
use crate::machine::Catalog;

/// What the checks derived: config values coerced to their option's type, and action params
/// validated with defaults inserted.
#[derive(Debug)]
pub(super) struct Checked {
    pub(super) config: BTreeMap<String, Json>,
    pub(super) action_params: Option<Map<String, Json>>,
}

/// Every problem with `state` and `event` for `charm` run on `unit`, or what the checks derived.
pub(super) fn check(
    charm: &Charm,
    unit: &UnitName,
    state: &State,
    event: &Event,
    catalog: &Catalog,
) -> Result<Checked, Vec<String>> {
    let mut problems = Vec::new();
    check_relations(charm, unit, state, &mut problems);
    check_event(charm, unit, state, event, &mut problems);
    let config = check_config(charm, state, &mut problems);
    let action_params = check_action(charm, event, &mut problems);
    let bindings = charm.meta.bindings();
    for binding in state.networks.keys() {
        if !bindings.contains(binding) {
            problems.push(format!(
                "networks: {binding:?} is neither an endpoint nor an extra binding in metadata.yaml"
            ));
        }
    }
    for package in state.machine.packages.keys() {
        if !catalog.packages.contains_key(package) {
            problems.push(format!(
                "machine: package {package:?} is installed but not in the catalog"
            ));
        }
    }
    for path in state.files.keys() {
        let clean = path.starts_with('/')
            && path
                .split('/')
                .skip(1)
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !clean {
            problems.push(format!(
                "files: {path:?} is not an absolute machine path without `.`, `..` or `//`"
            ));
        }
    }
    if problems.is_empty() {
        Ok(Checked {
            config,
            action_params,
        })
    } else {
        Err(problems)
    }
}

fn check_relations(charm: &Charm, unit: &UnitName, state: &State, problems: &mut Vec<String>) {
    let mut ids = BTreeSet::new();
    let mut per_endpoint: BTreeMap<&str, u32> = BTreeMap::new();
    for relation in &state.relations {
        let id = relation.id;
        if !ids.insert(id) {
            problems.push(format!("relation {id}: the id is used by another relation"));
        }
        let Some((role, endpoint)) = charm.meta.endpoint(&relation.endpoint) else {
            problems.push(format!(
                "relation {id}: endpoint {:?} is not in metadata.yaml (endpoints: {})",
                relation.endpoint,
                charm
                    .meta
                    .endpoints()
                    .map(|(name, _, _)| name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        };
        *per_endpoint.entry(relation.endpoint.as_str()).or_default() += 1;
        if let Some(limit) = endpoint.limit {
            if per_endpoint[relation.endpoint.as_str()] == limit + 1 {
                problems.push(format!(
                    "relation {id}: endpoint {:?} allows {limit} relation(s) (limit in metadata.yaml)",
                    relation.endpoint
                ));
            }
        }
        match (role, relation.peer) {
            (Role::Peer, false) => problems.push(format!(
                "relation {id}: {:?} is a peers endpoint: use Relation::peer",
                relation.endpoint
            )),
            (Role::Provider | Role::Requirer, true) => problems.push(format!(
                "relation {id}: {:?} is not a peers endpoint: use Relation::new",
                relation.endpoint
            )),
            _ => {}
        }
        let remote_app = if relation.peer {
            if !relation.remote_app.is_empty() && relation.remote_app != unit.app().as_str() {
                problems.push(format!(
                    "relation {id}: a peer relation's remote application is the unit's own ({}), not {:?}",
                    unit.app(),
                    relation.remote_app
                ));
            }
            unit.app().as_str()
        } else {
            if let Err(err) = relation.remote_app.parse::<juju::AppName>() {
                problems.push(format!("relation {id}: remote application: {err}"));
            }
            relation.remote_app.as_str()
        };
        for remote in relation.remote_units.keys() {
            match remote.parse::<UnitName>() {
                Err(err) => problems.push(format!("relation {id}: remote unit: {err}")),
                Ok(name) if name.app().as_str() != remote_app => problems.push(format!(
                    "relation {id}: remote unit {remote} is not a unit of {remote_app}"
                )),
                Ok(name) if &name == unit => problems.push(format!(
                    "relation {id}: {remote} is this unit, not a remote one"
                )),
                Ok(_) => {}
            }
        }
        if endpoint.scope == Scope::Container && relation.remote_units.len() > 1 {
            problems.push(format!(
                "relation {id}: container-scoped endpoint {:?} sees only the unit beside it, not {}",
                relation.endpoint,
                relation.remote_units.len()
            ));
        }
    }
}

fn check_event(
    charm: &Charm,
    unit: &UnitName,
    state: &State,
    event: &Event,
    problems: &mut Vec<String>,
) {
    let kind = event.kind();
    match event {
        Event::LeaderElected if !state.leader => problems.push(
            "leader-elected runs only on the leader (Juju skips it otherwise): set leader: true"
                .to_owned(),
        ),
        Event::LeaderSettingsChanged if state.leader => problems
            .push("leader-settings-changed never runs on the leader: set leader: false".to_owned()),
        Event::Action { name, .. } if !charm.actions.actions.contains_key(name) => {
            problems.push(format!(
                "action {name:?} is not in actions.yaml (actions: {})",
                charm
                    .actions
                    .actions
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        _ => {}
    }
    let Some(id) = event.relation() else {
        return;
    };
    let Some(relation) = state.relation(id) else {
        problems.push(format!(
            "{kind}: relation {id} is not in the state's relations"
        ));
        return;
    };
    if let Some(remote) = event.remote_unit() {
        if !relation.remote_units.contains_key(remote) {
            problems.push(format!(
                "{kind}: remote unit {remote} is not among relation {id}'s remote units ({})",
                relation
                    .remote_units
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Event::RelationDeparted {
        remote_unit,
        departing_unit: Some(departing),
        ..
    } = event
    {
        if departing != remote_unit && departing != &unit.to_string() {
            problems.push(format!(
                "{kind}: the departing unit is the remote unit ({remote_unit}) or this unit ({unit}), not {departing}"
            ));
        }
    }
}

fn check_config(
    charm: &Charm,
    state: &State,
    problems: &mut Vec<String>,
) -> BTreeMap<String, Json> {
    let mut config = BTreeMap::new();
    for (key, value) in &state.config {
        match charm.config.check_value(key, value) {
            Ok(value) => {
                config.insert(key.clone(), value);
            }
            Err(reason) => problems.push(format!("config: {reason}")),
        }
    }
    charm.config.effective(&config)
}

fn check_action(
    charm: &Charm,
    event: &Event,
    problems: &mut Vec<String>,
) -> Option<Map<String, Json>> {
    let Event::Action { name, params } = event else {
        return None;
    };
    let spec = charm.actions.actions.get(name)?;
    match spec.validate(params) {
        Ok(params) => Some(params),
        Err(reason) => {
            problems.push(format!("action {name:?}: params: {reason}"));
            None
        }
    }
}
