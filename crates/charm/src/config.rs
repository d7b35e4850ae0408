//! Charm configuration: declared once, as the struct it is read into.
//!
//! ```
//! use charm::Options;
//!
//! /// The configuration.
//! #[derive(Debug, Options)]
//! pub struct Config {
//!     /// TCP port the service listens on.
//!     #[option(default = 8080, range = 1..=65535)]
//!     pub port: u16,
//!     /// Log every request.
//!     #[option(default = false)]
//!     pub verbose: bool,
//!     /// The peer to forward to; unset forwards nothing.
//!     #[option(name = "forward_to")]
//!     pub forward_to: Option<String>,
//! }
//!
//! assert!(charm::config::config_yaml(Config::OPTIONS).contains("default: 8080"));
//! let raw = charm::RawConfig::defaults(Config::OPTIONS).with("port", 0);
//! assert_eq!(
//!     Config::from_raw(&raw).unwrap_err().to_string(),
//!     "Invalid config: 'port': expected an integer from 1 to 65535, got 0"
//! );
//! ```
//!
//! Each field is one option. Its doc comment is the option's description; `#[option(...)]`
//! says the rest:
//! - `name = "..."`: the option's name (default: the field's, `_` spelt `-`);
//! - `default = <literal>`: its default, whose kind gives Juju's type (string, int, float,
//!   boolean); without one the option is unset until an operator sets it, and the type comes
//!   from the field (`bool`, an integer, `f64`, else string), or `ty = "..."`;
//! - how it is read, by the field's type: `bool`, integers (within `range = a..=b`, else the
//!   type's range), `f64`, `String`, `Option<..>` of those (unset or empty is `None`), or any
//!   `FromStr` type from a string option; or `with = path`, a
//!   `fn(&RawConfig, &str) -> Result<T, ConfigError>` given the option's name;
//! - `check = path`: a `fn(&T) -> Result<(), impl Display>` run on the value read.
//!
//! `#[options(validate = path)]` on the struct adds a check of the whole configuration
//! (`fn(&Self) -> Result<(), ConfigError>`).
//!
//! [`config_yaml`] generates the charm's `config.yaml` from the table (a test keeps the
//! checked-in file equal to it, see [`crate::testing::check_generated`]). At run time
//! `config-get --all` is read once into a [`RawConfig`]; every error names the option in its
//! [`ConfigError`].

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use serde_json::{Map, Value};
use serde_yaml::Mapping;

/// A charm's options, declared once: see the [module docs](self). Derived with
/// `#[derive(charm::Options)]`.
pub trait Options: Sized {
    /// Every option, in the order `config.yaml` lists them.
    const OPTIONS: &'static [OptionSpec];

    /// Reads and checks every option; an error names the option.
    fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError>;
}

/// One configuration option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionSpec {
    pub name: &'static str,
    pub ty: OptionType,
    pub description: &'static str,
}

/// An option's Juju type with its default; `None` means the option has no default and is
/// unset until an operator sets it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptionType {
    String { default: Option<&'static str> },
    Int { default: Option<i64> },
    Float { default: Option<f64> },
    Boolean { default: Option<bool> },
}

impl OptionType {
    /// The name `config.yaml` uses.
    pub fn juju_name(self) -> &'static str {
        match self {
            OptionType::String { .. } => "string",
            OptionType::Int { .. } => "int",
            OptionType::Float { .. } => "float",
            OptionType::Boolean { .. } => "boolean",
        }
    }

    fn default_value(self) -> Value {
        match self {
            OptionType::String { default } => default.map_or(Value::Null, Value::from),
            OptionType::Int { default } => default.map_or(Value::Null, Value::from),
            OptionType::Float { default } => default.map_or(Value::Null, Value::from),
            OptionType::Boolean { default } => default.map_or(Value::Null, Value::from),
        }
    }
}

/// The text of `config.yaml` for `options`, in table order.
pub fn config_yaml(options: &[OptionSpec]) -> String {
    let mut all = Mapping::new();
    for option in options {
        let mut entry = Mapping::new();
        entry.insert("type".into(), option.ty.juju_name().into());
        let default = match option.ty {
            OptionType::String { default } => default.map(serde_yaml::Value::from),
            OptionType::Int { default } => default.map(serde_yaml::Value::from),
            OptionType::Float { default } => default.map(serde_yaml::Value::from),
            OptionType::Boolean { default } => default.map(serde_yaml::Value::from),
        };
        if let Some(default) = default {
            entry.insert("default".into(), default);
        }
        entry.insert("description".into(), option.description.into());
        all.insert(option.name.into(), entry.into());
    }
    let mut root = Mapping::new();
    root.insert("options".into(), all.into());
    // A mapping of strings, numbers and booleans always serializes.
    let body = serde_yaml::to_string(&root).unwrap_or_default();
    format!(
        "# Generated from the charm's OPTIONS table: edit that, then run\n\
         # `UPDATE_GENERATED=1 cargo test` to rewrite this file.\n{body}"
    )
}

/// An option whose value the charm cannot use: the operator must fix it, so the charm reports
/// it as a `blocked` status, never as a failed hook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid config: '{option}': {reason}")]
pub struct ConfigError {
    pub option: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(option: impl Into<String>, reason: impl fmt::Display) -> Self {
        ConfigError {
            option: option.into(),
            reason: reason.to_string(),
        }
    }
}

/// `config-get --all` as Juju printed it: option name to JSON value, `null` for an option
/// that is unset and has no default.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawConfig {
    values: Map<String, Value>,
}

impl RawConfig {
    pub fn new(values: Map<String, Value>) -> Self {
        RawConfig { values }
    }

    /// What Juju reports for a unit whose operator set nothing: every option at its default.
    pub fn defaults(options: &[OptionSpec]) -> Self {
        let values = options
            .iter()
            .map(|o| (o.name.to_owned(), o.ty.default_value()))
            .collect();
        RawConfig { values }
    }

    /// The same config with `name` set to `value` (for tests and the emulator).
    #[must_use]
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }

    /// The raw value, `None` when unset.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name).filter(|v| !v.is_null())
    }

    fn required(&self, name: &str) -> Result<&Value, ConfigError> {
        self.get(name)
            .ok_or_else(|| ConfigError::new(name, "is not set"))
    }

    /// A string option that must be set (it may be empty).
    pub fn string(&self, name: &str) -> Result<String, ConfigError> {
        match self.required(name)? {
            Value::String(s) => Ok(s.clone()),
            other => Err(expected(name, "a string", other)),
        }
    }

    /// A string option where unset and empty both mean "not given".
    pub fn optional_string(&self, name: &str) -> Result<Option<String>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(expected(name, "a string", other)),
        }
    }

    /// A non-empty string option parsed with `T`'s `FromStr`; the parse error is the reason.
    pub fn parsed<T>(&self, name: &str) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.optional_parsed(name)?
            .ok_or_else(|| ConfigError::new(name, "is not set"))
    }

    /// Like [`RawConfig::parsed`], `None` when unset or empty.
    pub fn optional_parsed<T>(&self, name: &str) -> Result<Option<T>, ConfigError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.optional_string(name)?
            .map(|s| s.trim().parse().map_err(|e| ConfigError::new(name, e)))
            .transpose()
    }

    pub fn int(&self, name: &str) -> Result<i64, ConfigError> {
        let value = self.required(name)?;
        match value {
            Value::Number(n) => n
                .as_i64()
                // Go prints an integral float64 without a fraction, so `60` may come back as
                // `60.0` after a round trip; an integral value is still an integer.
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .ok_or_else(|| expected(name, "an integer", value)),
            other => Err(expected(name, "an integer", other)),
        }
    }

    /// An int option that must lie in `range`.
    pub fn int_in(&self, name: &str, range: RangeInclusive<i64>) -> Result<i64, ConfigError> {
        let n = self.int(name)?;
        if range.contains(&n) {
            Ok(n)
        } else {
            Err(ConfigError::new(
                name,
                format!(
                    "expected an integer from {} to {}, got {n}",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }

    pub fn float(&self, name: &str) -> Result<f64, ConfigError> {
        match self.required(name)? {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| ConfigError::new(name, "is not a finite number")),
            other => Err(expected(name, "a number", other)),
        }
    }

    pub fn boolean(&self, name: &str) -> Result<bool, ConfigError> {
        match self.required(name)? {
            Value::Bool(b) => Ok(*b),
            other => Err(expected(name, "a boolean", other)),
        }
    }
}

impl RawConfig {
    /// The values as JSON text, to keep in unit state.
    pub(crate) fn to_json(&self) -> String {
        Value::Object(self.values.clone()).to_string()
    }

    /// Values kept by [`RawConfig::to_json`]; `None` for anything else.
    pub(crate) fn from_json(text: &str) -> Option<RawConfig> {
        match serde_json::from_str(text).ok()? {
            Value::Object(values) => Some(RawConfig { values }),
            _ => None,
        }
    }
}

/// The charm's configuration as a hook reads it ([`Context::configured`]
/// (crate::Context::configured)): the current one when valid; when not, the last valid one,
/// kept so that the unit goes on as it was configured while the operator fixes the option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Configured<C> {
    Valid(C),
    /// The current configuration is invalid; `config` is the last valid one.
    Kept {
        config: C,
        error: ConfigError,
    },
    /// Invalid, and no valid configuration was seen before.
    Invalid(ConfigError),
}

impl<C> Configured<C> {
    /// The configuration to act on: the current one, or the kept one.
    pub fn config(&self) -> Option<&C> {
        match self {
            Configured::Valid(config) | Configured::Kept { config, .. } => Some(config),
            Configured::Invalid(_) => None,
        }
    }

    /// What is wrong with the current configuration.
    pub fn error(&self) -> Option<&ConfigError> {
        match self {
            Configured::Valid(_) => None,
            Configured::Kept { error, .. } | Configured::Invalid(error) => Some(error),
        }
    }
}

fn expected(name: &str, what: &str, got: &Value) -> ConfigError {
    ConfigError::new(name, format!("expected {what}, got {got}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &[OptionSpec] = &[
        OptionSpec {
            name: "greeting",
            ty: OptionType::String {
                default: Some("Hello: world"),
            },
            description: "What to say.",
        },
        OptionSpec {
            name: "port",
            ty: OptionType::Int { default: Some(80) },
            description: "Where to listen.\nA TCP port.",
        },
        OptionSpec {
            name: "ratio",
            ty: OptionType::Float { default: Some(0.5) },
            description: "A ratio.",
        },
        OptionSpec {
            name: "debug",
            ty: OptionType::Boolean {
                default: Some(false),
            },
            description: "Log more.",
        },
        OptionSpec {
            name: "vip",
            ty: OptionType::String { default: None },
            description: "A virtual IP.",
        },
    ];

    #[test]
    fn config_yaml_is_generated_from_the_table() {
        insta::assert_snapshot!(config_yaml(OPTIONS), @r#"
        # Generated from the charm's OPTIONS table: edit that, then run
        # `UPDATE_GENERATED=1 cargo test` to rewrite this file.
        options:
          greeting:
            type: string
            default: 'Hello: world'
            description: What to say.
          port:
            type: int
            default: 80
            description: |-
              Where to listen.
              A TCP port.
          ratio:
            type: float
            default: 0.5
            description: A ratio.
          debug:
            type: boolean
            default: false
            description: Log more.
          vip:
            type: string
            description: A virtual IP.
        "#);
    }

    #[test]
    fn the_generated_yaml_reads_back_as_the_table() {
        let parsed: serde_yaml::Value = serde_yaml::from_str(&config_yaml(OPTIONS)).unwrap();
        let options = &parsed["options"];
        assert_eq!(
            options["greeting"]["default"].as_str(),
            Some("Hello: world")
        );
        assert_eq!(options["port"]["default"].as_i64(), Some(80));
        assert_eq!(options["debug"]["default"].as_bool(), Some(false));
        assert!(options["vip"].get("default").is_none());
    }

    #[test]
    fn defaults_are_typed_and_unset_options_are_not_set() {
        let raw = RawConfig::defaults(OPTIONS);
        assert_eq!(raw.string("greeting").unwrap(), "Hello: world");
        assert_eq!(raw.int("port").unwrap(), 80);
        assert_eq!(raw.float("ratio").unwrap(), 0.5);
        assert!(!raw.boolean("debug").unwrap());
        assert_eq!(raw.optional_string("vip").unwrap(), None);
        assert_eq!(
            raw.string("vip").unwrap_err().to_string(),
            "Invalid config: 'vip': is not set"
        );
    }

    #[test]
    fn wrong_values_name_the_option_and_the_reason() {
        let raw = RawConfig::defaults(OPTIONS)
            .with("port", "x")
            .with("debug", 1)
            .with("vip", "10.0.0.300/24");
        assert_eq!(
            raw.int("port").unwrap_err().to_string(),
            r#"Invalid config: 'port': expected an integer, got "x""#
        );
        assert_eq!(
            raw.boolean("debug").unwrap_err().to_string(),
            "Invalid config: 'debug': expected a boolean, got 1"
        );
        let err = raw.parsed::<std::net::Ipv4Addr>("vip").unwrap_err();
        assert_eq!(err.option, "vip");
        assert_eq!(err.reason, "invalid IPv4 address syntax");
        let raw = raw.with("port", 70000);
        assert_eq!(
            raw.int_in("port", 1..=65535).unwrap_err().reason,
            "expected an integer from 1 to 65535, got 70000"
        );
        assert_eq!(raw.with("port", 60.0).int("port").unwrap(), 60);
    }
}
