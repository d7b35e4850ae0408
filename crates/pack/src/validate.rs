//! The checks run before packing: the part of Juju's own checks (`juju/charm` `meta.go`,
//! `config.go`, `actions.go`) and of charm-proof's errors that a charm author can get wrong, so
//! a bad charm fails here, naming the file, instead of at `juju deploy` time. Every problem is
//! listed at once; the names' grammar and, last, Juju's acceptance of the whole charm are
//! `charm-definition`'s, the workspace's one reading of a charm.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use charm_definition::{reserved, valid_action_name, valid_charm_name, Charm, CharmError};
use serde_yaml::Value;

use crate::error::{PackError, Problem};

/// What packing needs to know about a charm that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharmInfo {
    /// `name` from `metadata.yaml` (equal to the charm directory's name).
    pub name: String,
    /// Whether an `actions.yaml` is shipped.
    pub has_actions: bool,
    /// Whether a `config.yaml` is shipped.
    pub has_config: bool,
}

/// Keys that Juju refuses in metadata once `manifest.yaml` declares bases (metadata format
/// v2, `meta.go` `checkV2`); charm-pack always writes bases.
const V1_ONLY_KEYS: &[&str] = &["series", "min-juju-version", "deployment"];

/// Checks the charm directory's `metadata.yaml`, `config.yaml` and `actions.yaml`, reporting
/// every problem found at once.
pub fn validate(dir: &Path) -> Result<CharmInfo, PackError> {
    let mut problems = Vec::new();
    let mut report = |file: &str, message: String| {
        problems.push(Problem {
            file: dir.join(file),
            message,
        });
    };
    let dir_name = dir
        .canonicalize()
        .map_err(PackError::io(dir))?
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    let mut name = String::new();
    match read_yaml(dir, "metadata.yaml")? {
        None => report("metadata.yaml", "missing: every charm needs one".to_owned()),
        Some(Err(message)) => report("metadata.yaml", message),
        Some(Ok(doc)) => {
            for message in metadata_problems(&doc, &dir_name) {
                report("metadata.yaml", message);
            }
            name = doc
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
        }
    }
    let config = read_yaml(dir, "config.yaml")?;
    match &config {
        None => {}
        Some(Err(message)) => report("config.yaml", message.clone()),
        Some(Ok(doc)) => config_problems(doc)
            .into_iter()
            .for_each(|m| report("config.yaml", m)),
    }
    let actions = read_yaml(dir, "actions.yaml")?;
    match &actions {
        None => {}
        Some(Err(message)) => report("actions.yaml", message.clone()),
        Some(Ok(doc)) => actions_problems(doc)
            .into_iter()
            .for_each(|m| report("actions.yaml", m)),
    }
    if problems.is_empty() {
        // The lint above lists every problem at once, in an author's words; Juju's own reading
        // of the charm (the workspace's one definition, which the emulator deploys with) must
        // accept it too.
        match Charm::load(dir) {
            Ok(_) => {}
            Err(CharmError::Invalid { file, reason, .. }) => problems.push(Problem {
                file: dir.join(file),
                message: format!("{reason} (Juju refuses this)"),
            }),
            Err(other) => problems.push(Problem {
                file: dir.to_owned(),
                message: format!("Juju cannot read the charm: {other}"),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(PackError::Invalid {
            charm: dir.to_owned(),
            problems,
        });
    }
    Ok(CharmInfo {
        name,
        has_actions: actions.is_some(),
        has_config: config.is_some(),
    })
}

/// `None` if the file is absent, `Some(Err)` if it is not YAML.
fn read_yaml(dir: &Path, file: &str) -> Result<Option<Result<Value, String>>, PackError> {
    let path = dir.join(file);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) if err.kind() == io::ErrorKind::InvalidData => {
            return Ok(Some(Err("not UTF-8 text".to_owned())))
        }
        Err(source) => return Err(PackError::Io { path, source }),
    };
    Ok(Some(
        serde_yaml::from_str(&text).map_err(|err| format!("not valid YAML: {err}")),
    ))
}

fn metadata_problems(doc: &Value, dir_name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let Value::Mapping(_) = doc else {
        return vec![format!("expected a mapping, got {}", kind(doc))];
    };
    for key in ["name", "summary", "description"] {
        match doc.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            None | Some(Value::Null) => problems.push(format!("{key}: missing; Juju requires it")),
            Some(Value::String(_)) => problems.push(format!("{key}: is empty")),
            Some(other) => problems.push(format!("{key}: expected text, got {}", kind(other))),
        }
    }
    let name = doc.get("name").and_then(Value::as_str).unwrap_or_default();
    if !name.is_empty() {
        if !valid_charm_name(name) {
            problems.push(format!(
                "name: {name:?} is not a valid charm name (lower-case letters, digits and \
                 single hyphens, starting with a letter; no segment of only digits)"
            ));
        }
        if name != dir_name {
            problems.push(format!(
                "name: {name:?} does not match the charm directory {dir_name:?}"
            ));
        }
    }
    for key in V1_ONLY_KEYS {
        if doc.get(*key).is_some() {
            problems.push(format!(
                "{key}: not allowed with the bases charm-pack writes to manifest.yaml \
                 (Juju refuses it in metadata format v2)"
            ));
        }
    }
    let subordinate = match doc.get("subordinate") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            problems.push(format!(
                "subordinate: expected true or false, got {}",
                kind(other)
            ));
            false
        }
    };
    let endpoints = endpoints(doc, &mut problems);
    let mut seen = BTreeSet::new();
    for endpoint in &endpoints {
        if !seen.insert(endpoint.name.as_str()) {
            problems.push(format!(
                "{}.{}: endpoint name used more than once",
                endpoint.section, endpoint.name
            ));
        }
        let own_namespace = name.starts_with("juju-");
        let container_requires = endpoint.section == "requires" && endpoint.container_scoped;
        if reserved(&endpoint.name) && !own_namespace && !container_requires {
            problems.push(format!(
                "{}.{}: endpoint names juju and juju-* are reserved",
                endpoint.section, endpoint.name
            ));
        }
        if endpoint.section != "requires" && reserved(&endpoint.interface) && !own_namespace {
            problems.push(format!(
                "{}.{}: interface {:?} is reserved",
                endpoint.section, endpoint.name, endpoint.interface
            ));
        }
    }
    if subordinate
        && !endpoints
            .iter()
            .any(|e| e.section == "requires" && e.container_scoped)
    {
        problems.push(
            "subordinate: a subordinate charm needs a requires endpoint with scope: container"
                .to_owned(),
        );
    }
    problems
}

struct Endpoint {
    section: &'static str,
    name: String,
    interface: String,
    container_scoped: bool,
}

fn endpoints(doc: &Value, problems: &mut Vec<String>) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for section in ["provides", "requires", "peers"] {
        let entries = match doc.get(section) {
            None | Some(Value::Null) => continue,
            Some(Value::Mapping(map)) => map,
            Some(other) => {
                problems.push(format!(
                    "{section}: expected a mapping of endpoints, got {}",
                    kind(other)
                ));
                continue;
            }
        };
        for (key, spec) in entries {
            let Some(name) = key.as_str() else {
                problems.push(format!("{section}: endpoint name {key:?} is not text"));
                continue;
            };
            let (interface, scope) = match spec {
                Value::String(interface) => (Some(interface.as_str()), None),
                Value::Mapping(_) => (
                    spec.get("interface").and_then(Value::as_str),
                    spec.get("scope"),
                ),
                other => {
                    problems.push(format!(
                        "{section}.{name}: expected an interface name or a mapping, got {}",
                        kind(other)
                    ));
                    continue;
                }
            };
            let Some(interface) = interface.filter(|i| !i.is_empty()) else {
                problems.push(format!("{section}.{name}: interface: missing"));
                continue;
            };
            let container_scoped = match scope {
                None | Some(Value::Null) => false,
                Some(Value::String(s)) if s == "global" => false,
                Some(Value::String(s)) if s == "container" => true,
                Some(other) => {
                    problems.push(format!(
                        "{section}.{name}: scope: expected global or container, got {other:?}"
                    ));
                    false
                }
            };
            out.push(Endpoint {
                section,
                name: name.to_owned(),
                interface: interface.to_owned(),
                container_scoped,
            });
        }
    }
    out
}

fn config_problems(doc: &Value) -> Vec<String> {
    let options = match doc {
        Value::Null => {
            return vec!["empty; Juju refuses an empty config.yaml (write `options: {}`)".into()]
        }
        Value::Mapping(_) => match doc.get("options") {
            Some(Value::Mapping(options)) => options,
            None | Some(Value::Null) => {
                return vec!["options: missing; Juju needs the options mapping".into()]
            }
            Some(other) => {
                return vec![format!("options: expected a mapping, got {}", kind(other))]
            }
        },
        other => return vec![format!("expected a mapping, got {}", kind(other))],
    };
    let mut problems = Vec::new();
    for (key, option) in options {
        let Some(name) = key.as_str() else {
            problems.push(format!("options: option name {key:?} is not text"));
            continue;
        };
        if !valid_option_name(name) {
            problems.push(format!(
                "options.{name}: names are letters, digits, '_' and '-', \
                 starting and ending with a letter or digit"
            ));
        }
        let Value::Mapping(_) = option else {
            problems.push(format!(
                "options.{name}: expected a mapping, got {}",
                kind(option)
            ));
            continue;
        };
        let option_type = match option.get("type") {
            Some(Value::String(t)) => t.as_str(),
            None | Some(Value::Null) => {
                problems.push(format!(
                    "options.{name}.type: missing (one of string, int, float, boolean, secret)"
                ));
                continue;
            }
            Some(other) => {
                problems.push(format!(
                    "options.{name}.type: expected text, got {}",
                    kind(other)
                ));
                continue;
            }
        };
        let default = option.get("default").filter(|d| !d.is_null());
        let fits = match option_type {
            "string" | "secret" => default.is_none_or(Value::is_string),
            "int" => default.is_none_or(|d| d.is_i64() || d.is_u64()),
            // Juju takes an integer here, charm-proof does not: ask for `1.0`.
            "float" => default.is_none_or(Value::is_f64),
            "boolean" => default.is_none_or(Value::is_bool),
            other => {
                problems.push(format!(
                    "options.{name}.type: {other:?} is not one of string, int, float, boolean, \
                     secret"
                ));
                continue;
            }
        };
        if !fits {
            let default = default.map(kind).unwrap_or_default();
            problems.push(format!(
                "options.{name}.default: {default} does not fit type {option_type}"
            ));
        }
    }
    problems
}

fn actions_problems(doc: &Value) -> Vec<String> {
    let actions = match doc {
        Value::Null => return Vec::new(),
        Value::Mapping(actions) => actions,
        other => {
            return vec![format!(
                "expected a mapping of actions, got {}",
                kind(other)
            )]
        }
    };
    let mut problems = Vec::new();
    for (key, spec) in actions {
        let Some(name) = key.as_str() else {
            problems.push(format!("action name {key:?} is not text"));
            continue;
        };
        if !valid_action_name(name) {
            problems.push(format!(
                "{name}: action names are lower-case letters, digits and '-', starting and \
                 ending with a letter or digit, and not juju or juju-*"
            ));
        }
        match spec {
            Value::Null => {}
            Value::Mapping(_) => match spec.get("params") {
                None | Some(Value::Null) => {}
                Some(Value::Mapping(params)) => {
                    for (param, schema) in params {
                        if !schema.is_mapping() {
                            problems.push(format!(
                                "{name}.params.{}: expected a JSON schema mapping, got {}",
                                param.as_str().unwrap_or("?"),
                                kind(schema)
                            ));
                        }
                    }
                }
                Some(other) => problems.push(format!(
                    "{name}.params: expected a mapping, got {}",
                    kind(other)
                )),
            },
            other => problems.push(format!("{name}: expected a mapping, got {}", kind(other))),
        }
    }
    problems
}

/// charm-proof's `^[a-z0-9]+(?:[\w-]*[a-z0-9]+)?$`, case-insensitive.
fn valid_option_name(name: &str) -> bool {
    let edge = |c: char| c.is_ascii_alphanumeric();
    let inner = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    name.starts_with(edge) && name.ends_with(edge) && name.chars().all(inner)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}
