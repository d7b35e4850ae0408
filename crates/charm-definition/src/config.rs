//! `config.yaml`, as `juju/charm:config.go` reads it, and option values as `juju config` parses
//! them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use serde_yaml::Value;

use super::{mapping_entries, yaml_kind};

/// The charm's config options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigSchema {
    pub options: BTreeMap<String, ConfigOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigOption {
    #[serde(rename = "type")]
    pub kind: OptionType,
    /// Already checked against (and coerced to) `kind`.
    pub default: Option<Json>,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionType {
    String,
    Int,
    Float,
    Boolean,
    Secret,
}

impl fmt::Display for OptionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptionType::String => "string",
            OptionType::Int => "int",
            OptionType::Float => "float",
            OptionType::Boolean => "boolean",
            OptionType::Secret => "secret",
        })
    }
}

impl ConfigSchema {
    /// `config.yaml` as a YAML document (its `options:`); the error names the option.
    pub fn parse(doc: &Value) -> Result<ConfigSchema, String> {
        let options = match doc.get("options") {
            Some(options) if !options.is_null() => options,
            _ => return Err("invalid config: empty configuration".to_owned()),
        };
        let mut schema = ConfigSchema::default();
        for (name, spec) in mapping_entries(options, "options")? {
            let kind = match spec.get("type") {
                None | Some(Value::Null) => OptionType::String,
                Some(Value::String(t)) => match t.as_str() {
                    "string" => OptionType::String,
                    "int" => OptionType::Int,
                    "float" => OptionType::Float,
                    "boolean" => OptionType::Boolean,
                    "secret" => OptionType::Secret,
                    other => return Err(format!("option {name:?} has unknown type {other:?}")),
                },
                Some(other) => {
                    return Err(format!(
                        "option {name:?}: type: expected string, got {}",
                        yaml_kind(other)
                    ))
                }
            };
            let description = match spec.get("description") {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            let default = match spec.get("default") {
                None | Some(Value::Null) => None,
                Some(value) => {
                    let json = serde_json::to_value(value)
                        .map_err(|err| format!("option {name:?}: default: {err}"))?;
                    Some(
                        check(name, kind, &json)
                            .map_err(|err| format!("invalid config default: {err}"))?,
                    )
                }
            };
            schema.options.insert(
                name.to_owned(),
                ConfigOption {
                    kind,
                    default,
                    description,
                },
            );
        }
        Ok(schema)
    }

    /// Parses `juju config app name=raw` as Juju does: by the option's type.
    pub fn parse_value(&self, name: &str, raw: &str) -> Result<Json, String> {
        let option = self.option(name)?;
        let bad = || format!("option {name:?} expected {}, got {raw:?}", option.kind);
        match option.kind {
            OptionType::String => Ok(Json::String(raw.to_owned())),
            OptionType::Secret => check(name, option.kind, &Json::String(raw.to_owned())),
            OptionType::Int => raw.parse::<i64>().map(Json::from).map_err(|_| bad()),
            OptionType::Float => raw
                .parse::<f64>()
                .ok()
                .and_then(float_value)
                .ok_or_else(bad),
            OptionType::Boolean => parse_go_bool(raw).map(Json::Bool).ok_or_else(bad),
        }
    }

    /// Checks (and coerces) a typed value, e.g. from a bundle's `options:`.
    pub fn check_value(&self, name: &str, value: &Json) -> Result<Json, String> {
        let option = self.option(name)?;
        check(name, option.kind, value)
    }

    fn option(&self, name: &str) -> Result<&ConfigOption, String> {
        self.options
            .get(name)
            .ok_or_else(|| format!("unknown option {name:?}"))
    }

    /// Every option's effective value: `set` over defaults, `null` for neither.
    pub fn effective(&self, set: &BTreeMap<String, Json>) -> BTreeMap<String, Json> {
        self.options
            .iter()
            .map(|(name, option)| {
                let value = set
                    .get(name)
                    .or(option.default.as_ref())
                    .cloned()
                    .unwrap_or(Json::Null);
                (name.clone(), value)
            })
            .collect()
    }
}

fn check(name: &str, kind: OptionType, value: &Json) -> Result<Json, String> {
    let bad = || format!("option {name:?} expected {kind}, got {value}");
    match (kind, value) {
        (OptionType::String, Json::String(_)) => Ok(value.clone()),
        (OptionType::Secret, Json::String(s)) if s.starts_with("secret:") => Ok(value.clone()),
        (OptionType::Int, Json::Number(n)) if n.is_i64() || n.is_u64() => Ok(value.clone()),
        // Juju checks ints with `schema.ForceInt()`, which also takes integral floats and
        // numeric strings.
        (OptionType::Int, Json::Number(n)) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| Json::from(f as i64))
            .ok_or_else(bad),
        (OptionType::Int, Json::String(s)) => {
            s.trim().parse::<i64>().map(Json::from).map_err(|_| bad())
        }
        (OptionType::Float, Json::Number(n)) => n.as_f64().and_then(float_value).ok_or_else(bad),
        (OptionType::Boolean, Json::Bool(_)) => Ok(value.clone()),
        _ => Err(bad()),
    }
}

/// Go marshals `float64(60)` as `60`: integral floats are stored as integers so that hook
/// tools print them as Juju does.
fn float_value(f: f64) -> Option<Json> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some(Json::from(f as i64));
    }
    serde_json::Number::from_f64(f).map(Json::Number)
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(raw: &str) -> Option<bool> {
    match raw {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}
