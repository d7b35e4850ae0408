//! The hook environment: what Juju tells a hook process through `JUJU_*` variables.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::names::{AppName, NameError, RelationId, UnitName};

/// A hook environment that cannot be understood: a required variable is missing or a value
/// does not parse. Either is a bug in whatever started the process, not an operator problem.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("{0} is not set: is this process running as a Juju hook?")]
    Missing(&'static str),
    #[error("{var}: {source}")]
    Invalid {
        var: &'static str,
        #[source]
        source: NameError,
    },
}

/// One hook or action run, as Juju describes it in the environment (contract §3).
///
/// Empty variables are `None`: Juju exports `JUJU_REMOTE_UNIT=""` in relation-created,
/// relation-broken and app-level relation-changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookEnv {
    pub unit: UnitName,
    pub charm_dir: PathBuf,
    /// `hooks/<name>` or `actions/<name>`; falls back to argv[0] (legacy hook symlinks).
    pub dispatch_path: String,
    /// Empty for actions.
    pub hook_name: Option<String>,
    pub relation: Option<String>,
    pub relation_id: Option<RelationId>,
    pub remote_unit: Option<UnitName>,
    pub remote_app: Option<AppName>,
    pub departing_unit: Option<UnitName>,
    pub action_name: Option<String>,
    pub action_uuid: Option<String>,
    pub model_name: Option<String>,
    pub model_uuid: Option<String>,
    pub principal_unit: Option<UnitName>,
    pub juju_version: Option<String>,
    pub machine_id: Option<String>,
    pub availability_zone: Option<String>,
}

impl HookEnv {
    /// Reads the process environment; `argv0` is the fallback dispatch path.
    pub fn from_env() -> Result<HookEnv, EnvError> {
        let vars: HashMap<String, String> = std::env::vars().collect();
        let argv0 = std::env::args().next().unwrap_or_default();
        HookEnv::from_vars(|k| vars.get(k).cloned(), &argv0)
    }

    /// Reads the variables through `get`, so tests and the in-process emulator need no
    /// process environment.
    pub fn from_vars(
        get: impl Fn(&str) -> Option<String>,
        argv0: &str,
    ) -> Result<HookEnv, EnvError> {
        let non_empty = |k: &str| get(k).filter(|v| !v.is_empty());
        let parsed = |k: &'static str| -> Result<Option<UnitName>, EnvError> {
            non_empty(k)
                .map(|v| {
                    v.parse()
                        .map_err(|source| EnvError::Invalid { var: k, source })
                })
                .transpose()
        };
        let unit = parsed("JUJU_UNIT_NAME")?.ok_or(EnvError::Missing("JUJU_UNIT_NAME"))?;
        let charm_dir = non_empty("JUJU_CHARM_DIR")
            .or_else(|| non_empty("CHARM_DIR"))
            .map(PathBuf::from)
            .ok_or(EnvError::Missing("JUJU_CHARM_DIR"))?;
        let dispatch_path = non_empty("JUJU_DISPATCH_PATH").unwrap_or_else(|| legacy_path(argv0));
        let relation_id = non_empty("JUJU_RELATION_ID")
            .map(|v| {
                v.parse().map_err(|source| EnvError::Invalid {
                    var: "JUJU_RELATION_ID",
                    source,
                })
            })
            .transpose()?;
        let remote_app = non_empty("JUJU_REMOTE_APP")
            .map(|v| {
                v.parse().map_err(|source| EnvError::Invalid {
                    var: "JUJU_REMOTE_APP",
                    source,
                })
            })
            .transpose()?;
        Ok(HookEnv {
            unit,
            charm_dir,
            dispatch_path,
            hook_name: non_empty("JUJU_HOOK_NAME"),
            relation: non_empty("JUJU_RELATION"),
            relation_id,
            remote_unit: parsed("JUJU_REMOTE_UNIT")?,
            remote_app,
            departing_unit: parsed("JUJU_DEPARTING_UNIT")?,
            action_name: non_empty("JUJU_ACTION_NAME"),
            action_uuid: non_empty("JUJU_ACTION_UUID"),
            model_name: non_empty("JUJU_MODEL_NAME"),
            model_uuid: non_empty("JUJU_MODEL_UUID"),
            principal_unit: parsed("JUJU_PRINCIPAL_UNIT")?,
            juju_version: non_empty("JUJU_VERSION"),
            machine_id: non_empty("JUJU_MACHINE_ID"),
            availability_zone: non_empty("JUJU_AVAILABILITY_ZONE"),
        })
    }
}

/// Before Juju 2.8 hooks were files named after the hook (`hooks/install` symlinked to the
/// charm binary); the hook name is then the last two path components of argv[0].
fn legacy_path(argv0: &str) -> String {
    let mut parts = argv0.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some(name), Some(dir @ ("hooks" | "actions"))) => format!("{dir}/{name}"),
        (Some(name), _) => format!("hooks/{name}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn relation_hook_environment_is_typed() {
        let e = HookEnv::from_vars(
            env(&[
                ("JUJU_UNIT_NAME", "manila/1"),
                ("JUJU_CHARM_DIR", "/var/lib/juju/agents/unit-manila-1/charm"),
                ("JUJU_DISPATCH_PATH", "hooks/shared-db-relation-changed"),
                ("JUJU_HOOK_NAME", "shared-db-relation-changed"),
                ("JUJU_RELATION", "shared-db"),
                ("JUJU_RELATION_ID", "shared-db:4"),
                ("JUJU_REMOTE_UNIT", "mysql/0"),
                ("JUJU_REMOTE_APP", "mysql"),
                ("JUJU_MODEL_NAME", "openstack"),
                ("JUJU_VERSION", "3.6.4"),
                ("JUJU_MACHINE_ID", "3"),
                ("JUJU_PRINCIPAL_UNIT", ""),
            ]),
            "/ignored",
        )
        .unwrap();
        assert_eq!(e.unit.to_string(), "manila/1");
        assert_eq!(e.relation_id, Some(RelationId::new("shared-db", 4)));
        assert_eq!(e.remote_unit.unwrap().to_string(), "mysql/0");
        assert_eq!(e.remote_app.unwrap().as_str(), "mysql");
        assert_eq!(e.principal_unit, None);
        assert_eq!(e.machine_id.as_deref(), Some("3"));
    }

    #[test]
    fn empty_remote_unit_is_none() {
        let e = HookEnv::from_vars(
            env(&[
                ("JUJU_UNIT_NAME", "manila/0"),
                ("JUJU_CHARM_DIR", "/c"),
                ("JUJU_DISPATCH_PATH", "hooks/amqp-relation-broken"),
                ("JUJU_REMOTE_UNIT", ""),
                ("JUJU_REMOTE_APP", "rabbitmq-server"),
            ]),
            "",
        )
        .unwrap();
        assert_eq!(e.remote_unit, None);
        assert!(e.remote_app.is_some());
    }

    #[test]
    fn dispatch_path_falls_back_to_argv0() {
        let base = [("JUJU_UNIT_NAME", "a/0"), ("JUJU_CHARM_DIR", "/c")];
        let e = HookEnv::from_vars(env(&base), "/c/hooks/install").unwrap();
        assert_eq!(e.dispatch_path, "hooks/install");
        let e = HookEnv::from_vars(env(&base), "/c/actions/pause").unwrap();
        assert_eq!(e.dispatch_path, "actions/pause");
    }

    #[test]
    fn missing_or_bad_variables_are_named() {
        let err = HookEnv::from_vars(env(&[("JUJU_CHARM_DIR", "/c")]), "").unwrap_err();
        assert!(err.to_string().contains("JUJU_UNIT_NAME"), "{err}");
        let err = HookEnv::from_vars(
            env(&[
                ("JUJU_UNIT_NAME", "a/0"),
                ("JUJU_CHARM_DIR", "/c"),
                ("JUJU_RELATION_ID", "x"),
            ]),
            "",
        )
        .unwrap_err();
        assert!(err.to_string().contains("JUJU_RELATION_ID"), "{err}");
    }
}
