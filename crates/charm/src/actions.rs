//! Actions: parameters validated against the charm's `actions.yaml`, typed results.
//!
//! Juju validates parameters when an action is enqueued, but the charm is the last line of
//! defence (and the model emulator or an older Juju may not): the runtime validates
//! `action-get`'s output against the schema from `actions.yaml` before the charm sees it, and
//! a failure becomes `action-fail` with a message naming the parameter. Results follow Juju's
//! key grammar, checked before anything is sent; nested maps become dotted keys.

use std::collections::BTreeMap;

use charm_definition::Actions;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// Something wrong with an action's definition, parameters or results.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// `actions.yaml` is not a map of action names to definitions.
    #[error("actions.yaml does not parse")]
    Parse(#[source] serde_yaml::Error),
    /// `actions.yaml` declares something Juju would refuse (a bad name, a schema that is
    /// not one).
    #[error("actions.yaml: {0}")]
    Definition(String),
    /// Juju ran an action `actions.yaml` does not declare.
    #[error("action '{0}' is not declared in actions.yaml")]
    Unknown(String),
    /// The parameters do not match the schema. The runtime reports this with `action-fail`.
    #[error("Invalid parameters for action '{action}': {reason}")]
    InvalidParams { action: String, reason: String },
    /// The parameters match the schema but not the charm's params type: the two disagree.
    #[error("parameters of action '{action}' do not fit the charm's type (actions.yaml and the code disagree)")]
    ParamsType {
        action: String,
        #[source]
        source: serde_json::Error,
    },
    /// A result key Juju would refuse.
    #[error("action result key {key:?} {reason}")]
    BadResultKey { key: String, reason: &'static str },
    /// Results that are not a map (or do not serialize).
    #[error("action results must serialize to a map of keys to values")]
    BadResults(#[source] Option<serde_json::Error>),
    /// An action-only call in a hook.
    #[error("not running an action")]
    NotAnAction,
}

/// The action definitions of `actions.yaml`, read as Juju reads them
/// ([`charm_definition::Actions`], the workspace's one definition).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionSchemas {
    actions: Actions,
}

impl ActionSchemas {
    /// Parses `actions.yaml` (an empty text means no actions): one JSON schema per action,
    /// built as Juju builds it (`{type: object, properties: <params>, ...}` plus the
    /// definition's other JSON-schema keywords; Juju 3 leaves `additionalProperties` at the
    /// JSON-schema default, true).
    pub fn parse(yaml: &str) -> Result<ActionSchemas, ActionError> {
        if yaml.trim().is_empty() {
            return Ok(ActionSchemas::default());
        }
        let doc = serde_yaml::from_str(yaml).map_err(ActionError::Parse)?;
        let actions = Actions::parse(&doc).map_err(ActionError::Definition)?;
        Ok(ActionSchemas { actions })
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.actions.actions.keys().map(String::as_str)
    }

    /// Checks `params` of action `action`; the error names every offending parameter.
    pub fn validate(&self, action: &str, params: &Map<String, Value>) -> Result<(), ActionError> {
        let spec = self
            .actions
            .actions
            .get(action)
            .ok_or_else(|| ActionError::Unknown(action.to_owned()))?;
        let problems = spec.problems(params).map_err(ActionError::Definition)?;
        if problems.is_empty() {
            return Ok(());
        }
        let problems: Vec<String> = problems
            .into_iter()
            .map(|problem| {
                let path = problem.pointer.trim_start_matches('/').replace('/', ".");
                if path.is_empty() {
                    problem.message
                } else {
                    format!("'{path}': {}", problem.message)
                }
            })
            .collect();
        Err(ActionError::InvalidParams {
            action: action.to_owned(),
            reason: problems.join("; "),
        })
    }
}

/// One action run: its validated parameters, the results to send and whether it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRun {
    name: String,
    params: Map<String, Value>,
    results: BTreeMap<String, String>,
    failure: Option<String>,
}

impl ActionRun {
    pub(crate) fn new(name: String, params: Map<String, Value>) -> Self {
        ActionRun {
            name,
            params,
            results: BTreeMap::new(),
            failure: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The parameters as Juju gave them (defaults inserted, validated against the schema).
    pub fn raw_params(&self) -> &Map<String, Value> {
        &self.params
    }

    /// The parameters as the charm's type.
    pub fn params<P: DeserializeOwned>(&self) -> Result<P, ActionError> {
        serde_json::from_value(Value::Object(self.params.clone())).map_err(|source| {
            ActionError::ParamsType {
                action: self.name.clone(),
                source,
            }
        })
    }

    /// Adds one result. `key` may be dotted (`greeter.unit`); each part must match Juju's
    /// grammar and not be reserved.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> Result<(), ActionError> {
        check_result_key(key)?;
        self.results.insert(key.to_owned(), value.into());
        Ok(())
    }

    /// Adds every field of `results` (a struct or map); nested maps become dotted keys and
    /// scalars their text.
    pub fn set_all(&mut self, results: &impl Serialize) -> Result<(), ActionError> {
        let value = serde_json::to_value(results).map_err(|e| ActionError::BadResults(Some(e)))?;
        let Value::Object(map) = value else {
            return Err(ActionError::BadResults(None));
        };
        let mut flat = BTreeMap::new();
        flatten("", &map, &mut flat);
        for key in flat.keys() {
            check_result_key(key)?;
        }
        self.results.extend(flat);
        Ok(())
    }

    pub fn results(&self) -> &BTreeMap<String, String> {
        &self.results
    }

    /// Marks the action failed with a message for the operator (sent with `action-fail` at the
    /// end of the run; the charm still exits 0, so its other changes are kept).
    pub fn fail(&mut self, message: impl Into<String>) {
        self.failure = Some(message.into());
    }

    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
}

fn flatten(prefix: &str, map: &Map<String, Value>, out: &mut BTreeMap<String, String>) {
    for (key, value) in map {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) => flatten(&key, inner, out),
            Value::String(s) => {
                out.insert(key, s.clone());
            }
            Value::Null => {}
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Keys Juju fills in from the process's output.
const RESERVED: [&str; 4] = ["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

/// Juju's `action-set` key rule: dot-separated parts matching
/// `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`, and no reserved key.
fn check_result_key(key: &str) -> Result<(), ActionError> {
    let bad = |reason| ActionError::BadResultKey {
        key: key.to_owned(),
        reason,
    };
    if RESERVED.contains(&key) {
        return Err(bad("is reserved by Juju"));
    }
    for part in key.split('.') {
        let well_formed = !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !part.starts_with('-')
            && !part.ends_with('-');
        if !well_formed {
            return Err(bad(
                "must be dot-separated parts of lowercase letters, digits and inner hyphens",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACTIONS: &str = "\
greet:
  description: Say hello.
  params:
    name:
      type: string
      minLength: 1
    times:
      type: integer
      default: 1
  required: [name]
strict:
  params:
    level: {type: integer}
  additionalProperties: false
";

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn valid_params_pass_and_bad_ones_are_named() {
        let schemas = ActionSchemas::parse(ACTIONS).unwrap();
        assert_eq!(schemas.names().collect::<Vec<_>>(), ["greet", "strict"]);
        schemas
            .validate("greet", &params(json!({"name": "Bob", "times": 2})))
            .unwrap();
        let err = schemas
            .validate("greet", &params(json!({"times": 2})))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"Invalid parameters for action 'greet': "name" is a required property"#
        );
        let err = schemas
            .validate("greet", &params(json!({"name": 42})))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"Invalid parameters for action 'greet': 'name': 42 is not of type "string""#
        );
    }

    #[test]
    fn additional_properties_are_allowed_unless_refused() {
        let schemas = ActionSchemas::parse(ACTIONS).unwrap();
        schemas
            .validate("greet", &params(json!({"name": "Bob", "extra": true})))
            .unwrap();
        let err = schemas
            .validate("strict", &params(json!({"level": 1, "extra": true})))
            .unwrap_err();
        assert!(err.to_string().contains("'extra' was unexpected"), "{err}");
    }

    #[test]
    fn unknown_actions_and_broken_schemas_are_errors() {
        let schemas = ActionSchemas::parse(ACTIONS).unwrap();
        assert!(matches!(
            schemas.validate("nope", &Map::new()),
            Err(ActionError::Unknown(_))
        ));
        let err = ActionSchemas::parse("bad:\n  params:\n    x: {type: 12}\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(r#"actions.yaml: action "bad": invalid params schema"#),
            "{err}"
        );
        assert!(ActionSchemas::parse("").unwrap().names().next().is_none());
    }

    #[test]
    fn nested_results_flatten_to_dotted_keys() {
        let mut run = ActionRun::new("greet".into(), Map::new());
        run.set_all(&json!({
            "message": "Hello, Bob!",
            "greeter": {"unit": "example/0", "count": 3, "loud": false},
        }))
        .unwrap();
        assert_eq!(
            run.results(),
            &BTreeMap::from([
                ("greeter.count".to_owned(), "3".to_owned()),
                ("greeter.loud".to_owned(), "false".to_owned()),
                ("greeter.unit".to_owned(), "example/0".to_owned()),
                ("message".to_owned(), "Hello, Bob!".to_owned()),
            ])
        );
    }

    #[test]
    fn result_keys_follow_juju_grammar() {
        let mut run = ActionRun::new("a".into(), Map::new());
        for good in ["message", "a-b.c1", "0"] {
            run.set(good, "v").unwrap();
        }
        for bad in [
            "Message",
            "a_b",
            "-a",
            "a-",
            "a..b",
            "",
            "stdout",
            "stderr-encoding",
        ] {
            assert!(run.set(bad, "v").is_err(), "{bad} accepted");
        }
        let err = run.set_all(&json!({"Bad": 1})).unwrap_err();
        assert!(matches!(err, ActionError::BadResultKey { .. }));
        assert!(!run.results().contains_key("Bad"));
    }

    #[test]
    fn params_deserialize_into_the_charm_type() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Greet {
            name: String,
            times: u32,
        }
        let run = ActionRun::new("greet".into(), params(json!({"name": "Bob", "times": 2})));
        assert_eq!(
            run.params::<Greet>().unwrap(),
            Greet {
                name: "Bob".into(),
                times: 2
            }
        );
        let run = ActionRun::new("greet".into(), params(json!({"name": "Bob"})));
        assert!(matches!(
            run.params::<Greet>(),
            Err(ActionError::ParamsType { .. })
        ));
    }
}
