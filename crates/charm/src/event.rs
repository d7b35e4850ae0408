//! What Juju asked the charm to handle, parsed from the hook environment.
//!
//! Each relation event carries exactly what Juju guarantees for it (contract §3.2, §5.3): a
//! joined event always has a remote unit, a changed event may be application-level, a departed
//! event names the departing unit, a broken event has no remote unit. An environment that lacks
//! a guaranteed variable is an [`EventError`], never a guess.

use std::fmt;

use juju::{AppName, HookEnv, RelationId, UnitName};

use crate::metadata::Metadata;

/// A hook environment that does not describe an event Juju can send to this charm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// A variable Juju always sets for this kind of hook is missing or empty.
    #[error("{hook}: {var} is not set, but Juju always sets it for this hook")]
    Missing { hook: String, var: &'static str },
    /// The hook name, `JUJU_RELATION` and `JUJU_RELATION_ID` name different endpoints.
    #[error("{hook}: {var} names endpoint '{found}', but the hook is for '{expected}'")]
    EndpointMismatch {
        hook: String,
        var: &'static str,
        expected: String,
        found: String,
    },
    /// A relation hook for an endpoint `metadata.yaml` does not declare: the binary and the
    /// charm's metadata disagree.
    #[error("{hook}: endpoint '{endpoint}' is not declared in metadata.yaml")]
    UnknownEndpoint { hook: String, endpoint: String },
    /// `JUJU_DISPATCH_PATH` is neither `hooks/<name>` nor `actions/<name>`.
    #[error("cannot tell the event from dispatch path {0:?}")]
    BadDispatchPath(String),
}

/// One hook or action run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Install,
    Start,
    Stop,
    Remove,
    ConfigChanged,
    UpgradeCharm,
    UpdateStatus,
    LeaderElected,
    LeaderSettingsChanged,
    PreSeriesUpgrade,
    PostSeriesUpgrade,
    RelationCreated(RelationCreated),
    RelationJoined(RelationJoined),
    RelationChanged(RelationChanged),
    RelationDeparted(RelationDeparted),
    RelationBroken(RelationBroken),
    Action(Action),
}

/// `<endpoint>-relation-created`: the relation exists; no remote unit has joined yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationCreated {
    pub relation: RelationId,
    pub remote_app: AppName,
}

/// `<endpoint>-relation-joined`: `remote_unit` entered the relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationJoined {
    pub relation: RelationId,
    pub remote_app: AppName,
    pub remote_unit: UnitName,
}

/// `<endpoint>-relation-changed`: a remote unit's bag changed, or, when `remote_unit` is
/// `None`, the remote application's bag. Data may still be incomplete; the event fires again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationChanged {
    pub relation: RelationId,
    pub remote_app: AppName,
    pub remote_unit: Option<UnitName>,
}

/// `<endpoint>-relation-departed`: `remote_unit` left. `departing_unit` is that unit, or this
/// unit when it is the one going away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationDeparted {
    pub relation: RelationId,
    pub remote_app: AppName,
    pub remote_unit: UnitName,
    pub departing_unit: UnitName,
}

/// `<endpoint>-relation-broken`: the relation is going away; it is already missing from
/// `relation-ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationBroken {
    pub relation: RelationId,
    pub remote_app: AppName,
}

/// An action run (`actions/<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub name: String,
    /// `JUJU_ACTION_UUID`: the task id.
    pub id: Option<String>,
}

impl Event {
    /// The event `env` describes; `Ok(None)` for hooks this runtime does not handle
    /// (storage, secrets, metrics, workload hooks), which the caller skips.
    pub fn from_env(env: &HookEnv, metadata: &Metadata) -> Result<Option<Event>, EventError> {
        let path = env.dispatch_path.as_str();
        if let Some(name) = path.strip_prefix("actions/").filter(|n| !n.is_empty()) {
            return Ok(Some(Event::Action(Action {
                name: name.to_owned(),
                id: env.action_uuid.clone(),
            })));
        }
        let Some(hook) = path.strip_prefix("hooks/").filter(|n| !n.is_empty()) else {
            return Err(EventError::BadDispatchPath(path.to_owned()));
        };
        let event = match hook {
            "install" => Event::Install,
            "start" => Event::Start,
            "stop" => Event::Stop,
            "remove" => Event::Remove,
            "config-changed" => Event::ConfigChanged,
            "upgrade-charm" => Event::UpgradeCharm,
            "update-status" => Event::UpdateStatus,
            "leader-elected" => Event::LeaderElected,
            "leader-settings-changed" => Event::LeaderSettingsChanged,
            "pre-series-upgrade" => Event::PreSeriesUpgrade,
            "post-series-upgrade" => Event::PostSeriesUpgrade,
            _ => return relation_event(hook, env, metadata),
        };
        Ok(Some(event))
    }

    /// The relation this event is about, if it is a relation event.
    pub fn relation(&self) -> Option<&RelationId> {
        match self {
            Event::RelationCreated(e) => Some(&e.relation),
            Event::RelationJoined(e) => Some(&e.relation),
            Event::RelationChanged(e) => Some(&e.relation),
            Event::RelationDeparted(e) => Some(&e.relation),
            Event::RelationBroken(e) => Some(&e.relation),
            _ => None,
        }
    }
}

impl fmt::Display for Event {
    /// The hook name (`website-relation-joined`) or `action <name>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let relation = |f: &mut fmt::Formatter<'_>, r: &RelationId, kind: &str| {
            write!(f, "{}-relation-{kind}", r.endpoint())
        };
        match self {
            Event::Install => f.write_str("install"),
            Event::Start => f.write_str("start"),
            Event::Stop => f.write_str("stop"),
            Event::Remove => f.write_str("remove"),
            Event::ConfigChanged => f.write_str("config-changed"),
            Event::UpgradeCharm => f.write_str("upgrade-charm"),
            Event::UpdateStatus => f.write_str("update-status"),
            Event::LeaderElected => f.write_str("leader-elected"),
            Event::LeaderSettingsChanged => f.write_str("leader-settings-changed"),
            Event::PreSeriesUpgrade => f.write_str("pre-series-upgrade"),
            Event::PostSeriesUpgrade => f.write_str("post-series-upgrade"),
            Event::RelationCreated(e) => relation(f, &e.relation, "created"),
            Event::RelationJoined(e) => relation(f, &e.relation, "joined"),
            Event::RelationChanged(e) => relation(f, &e.relation, "changed"),
            Event::RelationDeparted(e) => relation(f, &e.relation, "departed"),
            Event::RelationBroken(e) => relation(f, &e.relation, "broken"),
            Event::Action(a) => write!(f, "action {}", a.name),
        }
    }
}

const RELATION_KINDS: [&str; 5] = ["created", "joined", "changed", "departed", "broken"];

fn relation_event(
    hook: &str,
    env: &HookEnv,
    metadata: &Metadata,
) -> Result<Option<Event>, EventError> {
    let Some((endpoint, kind)) = RELATION_KINDS.iter().find_map(|kind| {
        hook.strip_suffix(kind)
            .and_then(|rest| rest.strip_suffix("-relation-"))
            .map(|endpoint| (endpoint, *kind))
    }) else {
        return Ok(None);
    };
    let missing = |var| EventError::Missing {
        hook: hook.to_owned(),
        var,
    };
    let mismatch = |var, found: &str| EventError::EndpointMismatch {
        hook: hook.to_owned(),
        var,
        expected: endpoint.to_owned(),
        found: found.to_owned(),
    };
    if metadata.endpoint(endpoint).is_none() {
        return Err(EventError::UnknownEndpoint {
            hook: hook.to_owned(),
            endpoint: endpoint.to_owned(),
        });
    }
    match env.relation.as_deref() {
        None => return Err(missing("JUJU_RELATION")),
        Some(found) if found != endpoint => return Err(mismatch("JUJU_RELATION", found)),
        Some(_) => {}
    }
    let relation = env
        .relation_id
        .clone()
        .ok_or_else(|| missing("JUJU_RELATION_ID"))?;
    if relation.endpoint() != endpoint {
        return Err(mismatch("JUJU_RELATION_ID", relation.endpoint()));
    }
    let remote_app = env
        .remote_app
        .clone()
        .ok_or_else(|| missing("JUJU_REMOTE_APP"))?;
    let remote_unit = || {
        env.remote_unit
            .clone()
            .ok_or_else(|| missing("JUJU_REMOTE_UNIT"))
    };
    let event = match kind {
        "created" => Event::RelationCreated(RelationCreated {
            relation,
            remote_app,
        }),
        "joined" => Event::RelationJoined(RelationJoined {
            relation,
            remote_app,
            remote_unit: remote_unit()?,
        }),
        "changed" => Event::RelationChanged(RelationChanged {
            relation,
            remote_app,
            remote_unit: env.remote_unit.clone(),
        }),
        "departed" => Event::RelationDeparted(RelationDeparted {
            relation,
            remote_app,
            remote_unit: remote_unit()?,
            departing_unit: env
                .departing_unit
                .clone()
                .ok_or_else(|| missing("JUJU_DEPARTING_UNIT"))?,
        }),
        _ => Event::RelationBroken(RelationBroken {
            relation,
            remote_app,
        }),
    };
    Ok(Some(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> Metadata {
        crate::metadata::parse(
            "name: demo\nsummary: s\ndescription: d\nprovides: {website: http}\n\
             peers: {cluster: demo-peers}\n",
        )
        .unwrap()
    }

    fn env(vars: &[(&str, &str)]) -> HookEnv {
        let mut all = vec![("JUJU_UNIT_NAME", "demo/0"), ("JUJU_CHARM_DIR", "/charm")];
        all.extend_from_slice(vars);
        HookEnv::from_vars(
            |k| {
                all.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            },
            "",
        )
        .unwrap()
    }

    fn relation_env(hook: &str, extra: &[(&str, &str)]) -> HookEnv {
        let path = format!("hooks/{hook}");
        let mut vars = vec![
            ("JUJU_DISPATCH_PATH", path.as_str()),
            ("JUJU_RELATION", "website"),
            ("JUJU_RELATION_ID", "website:3"),
            ("JUJU_REMOTE_APP", "haproxy"),
        ];
        vars.extend_from_slice(extra);
        env(&vars)
    }

    fn parse(env: &HookEnv) -> Result<Option<Event>, EventError> {
        Event::from_env(env, &metadata())
    }

    #[test]
    fn lifecycle_hooks_and_actions_parse() {
        let e = env(&[("JUJU_DISPATCH_PATH", "hooks/config-changed")]);
        assert_eq!(parse(&e), Ok(Some(Event::ConfigChanged)));
        let e = env(&[
            ("JUJU_DISPATCH_PATH", "actions/greet"),
            ("JUJU_ACTION_UUID", "7"),
        ]);
        assert_eq!(
            parse(&e),
            Ok(Some(Event::Action(Action {
                name: "greet".into(),
                id: Some("7".into())
            })))
        );
    }

    #[test]
    fn unknown_hooks_are_not_events() {
        for hook in ["data-storage-attached", "secret-changed", "collect-metrics"] {
            let path = format!("hooks/{hook}");
            let e = env(&[("JUJU_DISPATCH_PATH", &path)]);
            assert_eq!(parse(&e), Ok(None), "{hook}");
        }
    }

    #[test]
    fn relation_events_carry_what_juju_guarantees() {
        let joined = parse(&relation_env(
            "website-relation-joined",
            &[("JUJU_REMOTE_UNIT", "haproxy/1")],
        ));
        let Ok(Some(Event::RelationJoined(j))) = joined else {
            panic!("{joined:?}")
        };
        assert_eq!(j.relation, RelationId::new("website", 3));
        assert_eq!(j.remote_unit.to_string(), "haproxy/1");

        let app_level = parse(&relation_env(
            "website-relation-changed",
            &[("JUJU_REMOTE_UNIT", "")],
        ));
        let Ok(Some(Event::RelationChanged(c))) = app_level else {
            panic!("{app_level:?}")
        };
        assert_eq!(c.remote_unit, None);

        let departed = parse(&relation_env(
            "website-relation-departed",
            &[
                ("JUJU_REMOTE_UNIT", "haproxy/1"),
                ("JUJU_DEPARTING_UNIT", "haproxy/1"),
            ],
        ));
        let Ok(Some(Event::RelationDeparted(d))) = departed else {
            panic!("{departed:?}")
        };
        assert_eq!(d.departing_unit.to_string(), "haproxy/1");

        let broken = parse(&relation_env("website-relation-broken", &[]));
        assert!(matches!(broken, Ok(Some(Event::RelationBroken(_)))));
        assert_eq!(
            broken.unwrap().unwrap().to_string(),
            "website-relation-broken"
        );
    }

    #[test]
    fn a_relation_hook_without_its_guarantees_is_an_error() {
        let err = parse(&relation_env("website-relation-joined", &[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "website-relation-joined: JUJU_REMOTE_UNIT is not set, but Juju always sets it for \
             this hook"
        );
        let err = parse(&relation_env(
            "website-relation-departed",
            &[("JUJU_REMOTE_UNIT", "haproxy/1")],
        ))
        .unwrap_err();
        assert!(err.to_string().contains("JUJU_DEPARTING_UNIT"), "{err}");
        let e = env(&[
            ("JUJU_DISPATCH_PATH", "hooks/website-relation-created"),
            ("JUJU_RELATION", "website"),
            ("JUJU_RELATION_ID", "cluster:1"),
            ("JUJU_REMOTE_APP", "haproxy"),
        ]);
        assert!(matches!(
            parse(&e),
            Err(EventError::EndpointMismatch {
                var: "JUJU_RELATION_ID",
                ..
            })
        ));
        let e = env(&[("JUJU_DISPATCH_PATH", "hooks/db-relation-joined")]);
        assert!(matches!(parse(&e), Err(EventError::UnknownEndpoint { .. })));
        let e = env(&[("JUJU_DISPATCH_PATH", "dispatch")]);
        assert!(matches!(parse(&e), Err(EventError::BadDispatchPath(_))));
    }
}
