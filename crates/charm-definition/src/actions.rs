//! `actions.yaml`, as `juju/charm:actions.go` reads it, and action params as `juju run` checks
//! them (Juju 3: JSON schema, `additionalProperties` default true, defaults inserted).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use serde_yaml::Value;

use super::{mapping_entries, yaml_kind};

/// The charm's actions by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actions {
    pub actions: BTreeMap<String, ActionSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionSpec {
    pub description: String,
    pub parallel: bool,
    pub execution_group: String,
    /// The JSON schema Juju builds: `{type: object, title, description, properties, ...}`.
    pub schema: Json,
}

const NOT_SCHEMA: &[&str] = &["description", "parallel", "execution-group", "params"];

impl Actions {
    /// `actions.yaml` as a YAML document: each action's parameters become a JSON schema,
    /// as Juju builds it; the error names the action and what Juju would refuse.
    pub fn parse(doc: &Value) -> Result<Actions, String> {
        let mut actions = Actions::default();
        for (name, spec) in mapping_entries(doc, "actions")? {
            if !valid_action_name(name) {
                return Err(format!("bad action name {name:?}"));
            }
            let spec_json: Json = match spec {
                Value::Null => Json::Object(Map::new()),
                Value::Mapping(_) => {
                    serde_json::to_value(spec).map_err(|err| format!("action {name:?}: {err}"))?
                }
                other => {
                    return Err(format!(
                        "action {name:?}: expected a mapping, got {}",
                        yaml_kind(other)
                    ))
                }
            };
            let description = match spec_json.get("description") {
                Some(Json::String(s)) => s.clone(),
                _ => "No description".to_owned(),
            };
            let parallel = spec_json
                .get("parallel")
                .and_then(Json::as_bool)
                .unwrap_or(false);
            let execution_group = spec_json
                .get("execution-group")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut schema = Map::new();
            schema.insert("type".into(), "object".into());
            schema.insert("title".into(), name.into());
            schema.insert("description".into(), description.clone().into());
            let properties = match spec_json.get("params") {
                None | Some(Json::Null) => Json::Object(Map::new()),
                Some(params @ Json::Object(_)) => params.clone(),
                Some(_) => return Err(format!("action {name:?}: params: expected a mapping")),
            };
            schema.insert("properties".into(), properties);
            if let Json::Object(spec_map) = &spec_json {
                for (key, value) in spec_map {
                    if !NOT_SCHEMA.contains(&key.as_str()) {
                        schema.insert(key.clone(), value.clone());
                    }
                }
            }
            let schema = Json::Object(schema);
            if let Some(key) = forbidden_key(&schema) {
                return Err(format!(
                    "action {name:?}: schema key {key:?} is not allowed"
                ));
            }
            jsonschema::validator_for(&schema)
                .map_err(|err| format!("action {name:?}: invalid params schema: {err}"))?;
            actions.actions.insert(
                name.to_owned(),
                ActionSpec {
                    description,
                    parallel,
                    execution_group,
                    schema,
                },
            );
        }
        Ok(actions)
    }
}

/// One way params break an action's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamProblem {
    /// Where, as a JSON pointer (`/target`); empty for the params as a whole.
    pub pointer: String,
    pub message: String,
}

impl ActionSpec {
    /// Every way `params` break this action's schema (none: they are valid). Each reader
    /// words them its own way: `juju run` as Juju does, the charm runtime for an operator.
    pub fn problems(&self, params: &Map<String, Json>) -> Result<Vec<ParamProblem>, String> {
        let validator = jsonschema::validator_for(&self.schema)
            .map_err(|err| format!("invalid schema: {err}"))?;
        let instance = Json::Object(params.clone());
        Ok(validator
            .iter_errors(&instance)
            .map(|err| ParamProblem {
                pointer: err.instance_path().to_string(),
                message: err.to_string(),
            })
            .collect())
    }

    /// Validates params as `juju run` does, then inserts defaults.
    pub fn validate(&self, params: &Map<String, Json>) -> Result<Map<String, Json>, String> {
        let problems = self
            .problems(params)
            .map_err(|err| format!("validation failed: {err}"))?;
        if !problems.is_empty() {
            let errors: Vec<String> = problems
                .iter()
                .map(|p| {
                    let path = if p.pointer.is_empty() {
                        "(root)"
                    } else {
                        &p.pointer
                    };
                    format!("{path}: {}", p.message)
                })
                .collect();
            return Err(format!("validation failed: {}", errors.join("; ")));
        }
        let mut params = params.clone();
        insert_defaults(&self.schema, &mut params);
        Ok(params)
    }
}

fn insert_defaults(schema: &Json, params: &mut Map<String, Json>) {
    let Some(Json::Object(properties)) = schema.get("properties") else {
        return;
    };
    for (name, property) in properties {
        match params.get_mut(name) {
            None => {
                if let Some(default) = property.get("default") {
                    params.insert(name.clone(), default.clone());
                }
            }
            Some(Json::Object(nested)) => insert_defaults(property, nested),
            Some(_) => {}
        }
    }
}

fn forbidden_key(schema: &Json) -> Option<String> {
    match schema {
        Json::Object(map) => map.iter().find_map(|(key, value)| {
            if key == "$ref" || key == "$schema" {
                Some(key.clone())
            } else {
                forbidden_key(value)
            }
        }),
        Json::Array(items) => items.iter().find_map(forbidden_key),
        _ => None,
    }
}

/// `juju/charm` `actions.go`: `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`, and not `juju` or `juju-*`.
pub fn valid_action_name(name: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.starts_with(ok_char)
        && name.ends_with(ok_char)
        && name.chars().all(|c| ok_char(c) || c == '-')
        && name != "juju"
        && !name.starts_with("juju-")
}
