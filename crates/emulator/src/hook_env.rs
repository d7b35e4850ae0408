//! The one hook environment: what Juju's `HookContext.HookVars` gives a hook or action
//! (`internal/worker/uniter/runner/context/context.go`, `env.go`; juju-contract §3), built
//! from a [`HookEnvSpec`] by the model (a process) and by `scenario` (a closure) alike, so
//! that the two cannot drift apart.

use crate::model::JUJU_VERSION;

/// The agent's address a hook sees in `JUJU_API_ADDRESSES` (loopback, as every address
/// the emulator hands out).
pub(crate) const API_ADDRESS: &str = "127.1.255.254:17070";

/// What decides a hook's environment.
#[derive(Debug, Clone, Default)]
pub(crate) struct HookEnvSpec {
    pub(crate) unit: String,
    pub(crate) model_name: String,
    pub(crate) model_uuid: String,
    pub(crate) machine: String,
    /// The principal of a subordinate unit.
    pub(crate) principal: Option<String>,
    pub(crate) charm_dir: String,
    pub(crate) context_id: String,
    pub(crate) socket: String,
    /// `hooks/<name>` or `actions/<name>`; empty for `juju exec` (no `JUJU_DISPATCH_PATH`).
    pub(crate) dispatch_path: String,
    /// The hook's name; empty for actions.
    pub(crate) hook_name: String,
    /// What `PATH` starts with: the tools directory.
    pub(crate) tools_dir: String,
    /// `CHARM_HOST_ROOT`, for a unit whose machine is a directory rather than `/`.
    pub(crate) host_root: Option<String>,
    pub(crate) relation: Option<RelationVars>,
    /// `(name, task id)` of an action.
    pub(crate) action: Option<(String, u32)>,
    /// `(id, location, kind)` of a storage hook's instance.
    pub(crate) storage: Option<(String, String, String)>,
    /// `(uri, label, revision)` of a secret hook's secret.
    pub(crate) secret: Option<(String, String, Option<u32>)>,
}

/// The relation variables of a relation hook.
#[derive(Debug, Clone, Default)]
pub(crate) struct RelationVars {
    pub(crate) endpoint: String,
    pub(crate) id: u32,
    pub(crate) remote_unit: String,
    pub(crate) remote_app: String,
    pub(crate) departing_unit: Option<String>,
}

/// The variables, in a stable order.
pub(crate) fn hook_environment(spec: &HookEnvSpec) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::with_capacity(40);
    let mut set = |key: &str, value: &str| env.push((key.to_owned(), value.to_owned()));
    set("CHARM_DIR", &spec.charm_dir);
    set("JUJU_CHARM_DIR", &spec.charm_dir);
    set("JUJU_CONTEXT_ID", &spec.context_id);
    set("JUJU_HOOK_NAME", &spec.hook_name);
    if !spec.dispatch_path.is_empty() {
        set("JUJU_DISPATCH_PATH", &spec.dispatch_path);
    }
    set("JUJU_AGENT_SOCKET_ADDRESS", &spec.socket);
    set("JUJU_AGENT_SOCKET_NETWORK", "unix");
    set("JUJU_UNIT_NAME", &spec.unit);
    set("JUJU_MODEL_UUID", &spec.model_uuid);
    set("JUJU_MODEL_NAME", &spec.model_name);
    set("JUJU_API_ADDRESSES", API_ADDRESS);
    set("JUJU_MACHINE_ID", &spec.machine);
    set(
        "JUJU_PRINCIPAL_UNIT",
        spec.principal.as_deref().unwrap_or(""),
    );
    set("JUJU_AVAILABILITY_ZONE", "");
    set("JUJU_VERSION", JUJU_VERSION);
    set("CLOUD_API_VERSION", "");
    for proxy in ["HTTP", "HTTPS", "FTP", "NO"] {
        set(&format!("JUJU_CHARM_{proxy}_PROXY"), "");
    }
    set("JUJU_SLA", "unsupported");
    set(
        "PATH",
        &format!(
            "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            spec.tools_dir
        ),
    );
    // `env.go` `ubuntuEnv`.
    set("APT_LISTCHANGES_FRONTEND", "none");
    set("DEBIAN_FRONTEND", "noninteractive");
    set("LANG", "C.UTF-8");
    set("TERM", "tmux-256color");
    if let Some(root) = &spec.host_root {
        set("CHARM_HOST_ROOT", root);
    }
    if let Some(relation) = &spec.relation {
        set("JUJU_RELATION", &relation.endpoint);
        set(
            "JUJU_RELATION_ID",
            &format!("{}:{}", relation.endpoint, relation.id),
        );
        set("JUJU_REMOTE_UNIT", &relation.remote_unit);
        set("JUJU_REMOTE_APP", &relation.remote_app);
        if let Some(departing) = &relation.departing_unit {
            set("JUJU_DEPARTING_UNIT", departing);
        }
    }
    if let Some((id, location, kind)) = &spec.storage {
        set("JUJU_STORAGE_ID", id);
        set("JUJU_STORAGE_LOCATION", location);
        set("JUJU_STORAGE_KIND", kind);
    }
    if let Some((uri, label, revision)) = &spec.secret {
        set("JUJU_SECRET_ID", uri);
        set("JUJU_SECRET_LABEL", label);
        if let Some(revision) = revision {
            set("JUJU_SECRET_REVISION", &revision.to_string());
        }
    }
    if let Some((name, task)) = &spec.action {
        set("JUJU_ACTION_NAME", name);
        set("JUJU_ACTION_UUID", &task.to_string());
        set("JUJU_ACTION_TAG", &format!("action-{task}"));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(env: &[(String, String)]) -> Vec<&str> {
        env.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// `HookContext.HookVars` (`runner/context/context.go`) plus `JUJU_DISPATCH_PATH`
    /// (`runner.go`): the always-set variables, then the relation's.
    #[test]
    fn a_relation_hook_gets_juju_s_variables() {
        let spec = HookEnvSpec {
            unit: "app/0".into(),
            hook_name: "db-relation-departed".into(),
            dispatch_path: "hooks/db-relation-departed".into(),
            relation: Some(RelationVars {
                endpoint: "db".into(),
                id: 3,
                remote_unit: "pg/1".into(),
                remote_app: "pg".into(),
                departing_unit: Some("pg/1".into()),
            }),
            ..HookEnvSpec::default()
        };
        let env = hook_environment(&spec);
        assert_eq!(
            keys(&env),
            [
                "CHARM_DIR",
                "JUJU_CHARM_DIR",
                "JUJU_CONTEXT_ID",
                "JUJU_HOOK_NAME",
                "JUJU_DISPATCH_PATH",
                "JUJU_AGENT_SOCKET_ADDRESS",
                "JUJU_AGENT_SOCKET_NETWORK",
                "JUJU_UNIT_NAME",
                "JUJU_MODEL_UUID",
                "JUJU_MODEL_NAME",
                "JUJU_API_ADDRESSES",
                "JUJU_MACHINE_ID",
                "JUJU_PRINCIPAL_UNIT",
                "JUJU_AVAILABILITY_ZONE",
                "JUJU_VERSION",
                "CLOUD_API_VERSION",
                "JUJU_CHARM_HTTP_PROXY",
                "JUJU_CHARM_HTTPS_PROXY",
                "JUJU_CHARM_FTP_PROXY",
                "JUJU_CHARM_NO_PROXY",
                "JUJU_SLA",
                "PATH",
                "APT_LISTCHANGES_FRONTEND",
                "DEBIAN_FRONTEND",
                "LANG",
                "TERM",
                "JUJU_RELATION",
                "JUJU_RELATION_ID",
                "JUJU_REMOTE_UNIT",
                "JUJU_REMOTE_APP",
                "JUJU_DEPARTING_UNIT",
            ]
        );
        assert!(env.contains(&("JUJU_RELATION_ID".into(), "db:3".into())));
    }

    /// Actions: an empty `JUJU_HOOK_NAME` and the task's id and tag; `juju exec` has no
    /// dispatch path.
    #[test]
    fn an_exec_task_has_the_action_variables_and_no_dispatch_path() {
        let spec = HookEnvSpec {
            action: Some(("juju-exec".into(), 4)),
            ..HookEnvSpec::default()
        };
        let env = hook_environment(&spec);
        assert!(!keys(&env).contains(&"JUJU_DISPATCH_PATH"));
        for (key, value) in [
            ("JUJU_HOOK_NAME", ""),
            ("JUJU_ACTION_NAME", "juju-exec"),
            ("JUJU_ACTION_UUID", "4"),
            ("JUJU_ACTION_TAG", "action-4"),
        ] {
            assert!(env.contains(&(key.into(), value.into())), "{key}");
        }
    }
}
