//! One function per hook tool, building the argv Juju parses and typing what it prints.

use std::collections::BTreeMap;
use std::io;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{ToolError, ToolErrorKind};
use crate::names::{AppName, RelationId, UnitName};
use crate::runner::ToolRunner;
use crate::types::{
    Bag, GoalState, LogLevel, NetworkInfo, Port, Status, StatusInfo, UnitAddressKey,
};

/// Whose bag a `relation-get` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BagOwner<'a> {
    Unit(&'a UnitName),
    App(&'a AppName),
}

/// Juju's hook tools over a [`ToolRunner`]. Each method is one tool call, nothing more:
/// caching and policy live in the charm runtime above.
#[derive(Debug, Clone)]
pub struct HookTools<R> {
    runner: R,
}

/// ops splits log lines at this length; Juju's API refuses longer ones.
const MAX_LOG_LINE: usize = 131_071;

type Result<T> = std::result::Result<T, ToolError>;

impl<R: ToolRunner> HookTools<R> {
    pub fn new(runner: R) -> Self {
        HookTools { runner }
    }

    pub fn runner(&self) -> &R {
        &self.runner
    }

    // ---- relations -----------------------------------------------------------------------

    /// `relation-ids --format=json <endpoint>`: the live relations on an endpoint.
    pub fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>> {
        let argv = args(["relation-ids", "--format=json", endpoint]);
        let ids: Vec<String> = self.json(argv.clone())?;
        ids.into_iter()
            .map(|s| s.parse().map_err(|e| bad_output(&argv, format!("{e}"))))
            .collect()
    }

    /// `relation-list --format=json -r <id>`: remote units in the relation (never this unit).
    pub fn relation_list(&self, relation: &RelationId) -> Result<Vec<UnitName>> {
        let argv = args([
            "relation-list",
            "--format=json",
            "-r",
            &relation.to_string(),
        ]);
        let units: Option<Vec<String>> = self.json(argv.clone())?;
        units
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.parse().map_err(|e| bad_output(&argv, format!("{e}"))))
            .collect()
    }

    /// `relation-list --format=json --app -r <id>`: the application on the other side.
    pub fn relation_remote_app(&self, relation: &RelationId) -> Result<Option<AppName>> {
        let argv = args([
            "relation-list",
            "--format=json",
            "--app",
            "-r",
            &relation.to_string(),
        ]);
        let app: Option<String> = self.json(argv.clone())?;
        app.filter(|a| !a.is_empty())
            .map(|a| a.parse().map_err(|e| bad_output(&argv, format!("{e}"))))
            .transpose()
    }

    /// `relation-get --format=json -r <id> [--app] - <owner>`: a whole bag.
    pub fn relation_get(&self, relation: &RelationId, owner: BagOwner<'_>) -> Result<Bag> {
        let bag: Option<Bag> = self.json(relation_get_argv(relation, "-", owner))?;
        Ok(bag.unwrap_or_default())
    }

    /// `relation-get --format=json -r <id> [--app] <key> <owner>`: one key; `None` when unset.
    pub fn relation_get_key(
        &self,
        relation: &RelationId,
        key: &str,
        owner: BagOwner<'_>,
    ) -> Result<Option<String>> {
        self.json(relation_get_argv(relation, key, owner))
    }

    /// `relation-set -r <id> [--app] --file -` with the changes as JSON on stdin.
    /// An empty value deletes the key; keys not named are left alone. Nothing to change,
    /// no call.
    pub fn relation_set(&self, relation: &RelationId, app: bool, changes: &Bag) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut argv = args(["relation-set", "-r", &relation.to_string()]);
        if app {
            argv.push("--app".into());
        }
        argv.extend(args(["--file", "-"]));
        self.run(argv, Some(&json_bytes(changes)?)).map(drop)
    }

    // ---- config and leadership -----------------------------------------------------------

    /// `config-get --all --format=json`: every option, `null` for unset ones without default.
    pub fn config_get_all(&self) -> Result<Map<String, Value>> {
        let all: Option<Map<String, Value>> =
            self.json(args(["config-get", "--all", "--format=json"]))?;
        Ok(all.unwrap_or_default())
    }

    /// `config-get --format=json <key>`: `None` for an unknown or unset key.
    pub fn config_get(&self, key: &str) -> Result<Option<Value>> {
        let v: Value = self.json(args(["config-get", "--format=json", key]))?;
        Ok(if v.is_null() { None } else { Some(v) })
    }

    /// `is-leader --format=json`.
    pub fn is_leader(&self) -> Result<bool> {
        self.json(args(["is-leader", "--format=json"]))
    }

    /// `leader-get --format=json -`: the application's leader settings.
    pub fn leader_get(&self) -> Result<BTreeMap<String, String>> {
        let s: Option<BTreeMap<String, String>> =
            self.json(args(["leader-get", "--format=json", "-"]))?;
        Ok(s.unwrap_or_default())
    }

    /// `leader-get --format=json <key>`.
    pub fn leader_get_key(&self, key: &str) -> Result<Option<String>> {
        self.json(args(["leader-get", "--format=json", key]))
    }

    /// `leader-set k=v ...` (leader only; an empty value deletes). Takes effect at once.
    pub fn leader_set(&self, settings: &BTreeMap<String, String>) -> Result<()> {
        if settings.is_empty() {
            return Ok(());
        }
        let mut argv = vec!["leader-set".to_owned()];
        argv.extend(settings.iter().map(|(k, v)| format!("{k}={v}")));
        self.run(argv, None).map(drop)
    }

    // ---- status --------------------------------------------------------------------------

    /// `status-set <status> -- <message>` for this unit.
    pub fn status_set(&self, status: Status, message: &str) -> Result<()> {
        self.run(args(["status-set", status.as_str(), "--", message]), None)
            .map(drop)
    }

    /// `status-set --application <status> -- <message>` (leader only).
    pub fn application_status_set(&self, status: Status, message: &str) -> Result<()> {
        self.run(
            args([
                "status-set",
                "--application",
                status.as_str(),
                "--",
                message,
            ]),
            None,
        )
        .map(drop)
    }

    /// `status-get --include-data --format=json`: this unit's status.
    pub fn status_get(&self) -> Result<StatusInfo> {
        self.json(args(["status-get", "--include-data", "--format=json"]))
    }

    /// `status-get --application --include-data --format=json` (leader only): the
    /// application's status and each unit's (Juju nests `units` inside `application-status`).
    pub fn application_status_get(&self) -> Result<(StatusInfo, BTreeMap<String, StatusInfo>)> {
        #[derive(Deserialize)]
        struct Wrapper {
            #[serde(rename = "application-status")]
            app: AppStatus,
        }
        #[derive(Deserialize)]
        struct AppStatus {
            #[serde(flatten)]
            status: StatusInfo,
            #[serde(default)]
            units: BTreeMap<String, StatusInfo>,
        }
        let w: Wrapper = self.json(args([
            "status-get",
            "--application",
            "--include-data",
            "--format=json",
        ]))?;
        Ok((w.app.status, w.app.units))
    }

    /// `application-version-set -- <version>`.
    pub fn application_version_set(&self, version: &str) -> Result<()> {
        self.run(args(["application-version-set", "--", version]), None)
            .map(drop)
    }

    /// `juju-log --log-level <LEVEL> -- <message>`, split as ops splits over-long lines.
    pub fn juju_log(&self, level: LogLevel, message: &str) -> Result<()> {
        for chunk in chunks(message, MAX_LOG_LINE) {
            self.run(
                args(["juju-log", "--log-level", level.as_str(), "--", chunk]),
                None,
            )?;
        }
        Ok(())
    }

    // ---- actions -------------------------------------------------------------------------

    /// `action-get --format=json`: the action's params (defaults already inserted by Juju).
    pub fn action_get(&self) -> Result<Map<String, Value>> {
        let p: Option<Map<String, Value>> = self.json(args(["action-get", "--format=json"]))?;
        Ok(p.unwrap_or_default())
    }

    /// `action-set k=v ...`; dotted keys build nested results.
    pub fn action_set(&self, results: &BTreeMap<String, String>) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let mut argv = vec!["action-set".to_owned()];
        argv.extend(results.iter().map(|(k, v)| format!("{k}={v}")));
        self.run(argv, None).map(drop)
    }

    /// `action-fail -- <message>`: marks the action failed; the process goes on.
    pub fn action_fail(&self, message: &str) -> Result<()> {
        self.run(args(["action-fail", "--", message]), None)
            .map(drop)
    }

    /// `action-log -- <message>`: progress the operator sees at once.
    pub fn action_log(&self, message: &str) -> Result<()> {
        self.run(args(["action-log", "--", message]), None)
            .map(drop)
    }

    // ---- ports and networking ------------------------------------------------------------

    /// `open-port <port>` (committed when the hook succeeds).
    pub fn open_port(&self, port: Port) -> Result<()> {
        self.run(args(["open-port", &port.to_string()]), None)
            .map(drop)
    }

    /// `close-port <port>`.
    pub fn close_port(&self, port: Port) -> Result<()> {
        self.run(args(["close-port", &port.to_string()]), None)
            .map(drop)
    }

    /// `opened-ports --format=json`: committed ports only (not this hook's pending opens).
    pub fn opened_ports(&self) -> Result<Vec<Port>> {
        let argv = args(["opened-ports", "--format=json"]);
        let ports: Option<Vec<String>> = self.json(argv.clone())?;
        ports
            .unwrap_or_default()
            .iter()
            .map(|p| p.parse().map_err(|e: String| bad_output(&argv, e)))
            .collect()
    }

    /// `unit-get --format=json <key>`.
    pub fn unit_get(&self, key: UnitAddressKey) -> Result<String> {
        self.json(args(["unit-get", "--format=json", key.as_str()]))
    }

    /// `network-get --format=json [-r <id>] <binding>`: the whole structure.
    pub fn network_get(&self, binding: &str, relation: Option<&RelationId>) -> Result<NetworkInfo> {
        self.json(network_get_argv(binding, relation, None))
    }

    /// `network-get --format=json --primary-address [-r <id>] <binding>`.
    pub fn network_get_primary_address(
        &self,
        binding: &str,
        relation: Option<&RelationId>,
    ) -> Result<Option<String>> {
        self.json(network_get_argv(
            binding,
            relation,
            Some("--primary-address"),
        ))
    }

    /// `network-get --format=json --ingress-address [-r <id>] <binding>`.
    pub fn network_get_ingress_address(
        &self,
        binding: &str,
        relation: Option<&RelationId>,
    ) -> Result<Option<String>> {
        self.json(network_get_argv(
            binding,
            relation,
            Some("--ingress-address"),
        ))
    }

    /// `network-get --format=json --bind-address [-r <id>] <binding>`.
    pub fn network_get_bind_address(
        &self,
        binding: &str,
        relation: Option<&RelationId>,
    ) -> Result<Option<String>> {
        self.json(network_get_argv(binding, relation, Some("--bind-address")))
    }

    /// `goal-state --format=json`.
    pub fn goal_state(&self) -> Result<GoalState> {
        self.json(args(["goal-state", "--format=json"]))
    }

    // ---- unit state ----------------------------------------------------------------------

    /// `state-get --format=json -`: the unit's state, including this hook's pending sets.
    /// Juju 3 prints `{}` and Juju 4 `null` when nothing is stored; both are empty.
    pub fn state_get(&self) -> Result<BTreeMap<String, String>> {
        let s: Option<BTreeMap<String, String>> =
            self.json(args(["state-get", "--format=json", "-"]))?;
        Ok(s.unwrap_or_default())
    }

    /// `state-get --format=json <key>`; Juju prints `""` for a missing key, so an empty value
    /// and no value are both `None`.
    pub fn state_get_key(&self, key: &str) -> Result<Option<String>> {
        let v: Option<String> = self.json(args(["state-get", "--format=json", key]))?;
        Ok(v.filter(|v| !v.is_empty()))
    }

    /// `state-set --file -` with the values as JSON on stdin (committed when the hook
    /// succeeds).
    pub fn state_set(&self, values: &BTreeMap<String, String>) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        self.run(
            args(["state-set", "--file", "-"]),
            Some(&json_bytes(values)?),
        )
        .map(drop)
    }

    /// `state-delete <key>`.
    pub fn state_delete(&self, key: &str) -> Result<()> {
        self.run(args(["state-delete", key]), None).map(drop)
    }

    // ---- plumbing ------------------------------------------------------------------------

    fn run(&self, argv: Vec<String>, stdin: Option<&[u8]>) -> Result<Vec<u8>> {
        let (tool, rest) = argv
            .split_first()
            .expect("argv always starts with the tool name");
        match self.runner.run(tool, rest, stdin) {
            Ok(out) if out.exit_code == 0 => Ok(out.stdout),
            Ok(out) => Err(ToolError::from_exit(argv, out.exit_code, &out.stderr)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ToolError::new(
                ToolErrorKind::Missing,
                argv,
                None,
                String::new(),
            )),
            Err(e) => Err(ToolError::new(
                ToolErrorKind::Io(e.to_string()),
                argv,
                None,
                String::new(),
            )),
        }
    }

    fn json<T: DeserializeOwned>(&self, argv: Vec<String>) -> Result<T> {
        let stdout = self.run(argv.clone(), None)?;
        // A tool whose output is nil prints `null`; an empty stdout is treated the same so a
        // missing value never becomes a parse error.
        let text = if stdout.iter().all(u8::is_ascii_whitespace) {
            &b"null"[..]
        } else {
            &stdout
        };
        serde_json::from_slice(text).map_err(|e| bad_output(&argv, e.to_string()))
    }
}

fn args<const N: usize>(a: [&str; N]) -> Vec<String> {
    a.iter().map(|s| (*s).to_owned()).collect()
}

fn relation_get_argv(relation: &RelationId, key: &str, owner: BagOwner<'_>) -> Vec<String> {
    let mut argv = args(["relation-get", "--format=json", "-r", &relation.to_string()]);
    match owner {
        BagOwner::Unit(u) => argv.extend([key.to_owned(), u.to_string()]),
        BagOwner::App(a) => argv.extend(["--app".to_owned(), key.to_owned(), a.to_string()]),
    }
    argv
}

fn network_get_argv(
    binding: &str,
    relation: Option<&RelationId>,
    selector: Option<&str>,
) -> Vec<String> {
    let mut argv = args(["network-get", "--format=json"]);
    argv.extend(selector.map(str::to_owned));
    if let Some(r) = relation {
        argv.extend(["-r".to_owned(), r.to_string()]);
    }
    argv.push(binding.to_owned());
    argv
}

fn json_bytes(map: &BTreeMap<String, String>) -> Result<Vec<u8>> {
    // A map of strings always serializes; the error arm keeps that an error, not a panic.
    serde_json::to_vec(map).map_err(|e| {
        ToolError::new(
            ToolErrorKind::Io(e.to_string()),
            Vec::new(),
            None,
            String::new(),
        )
    })
}

fn bad_output(argv: &[String], why: String) -> ToolError {
    ToolError::new(
        ToolErrorKind::BadOutput(why),
        argv.to_vec(),
        Some(0),
        String::new(),
    )
}

/// Splits at char boundaries into pieces of at most `max` bytes; an empty message is one
/// empty piece (Juju refuses no message at all, but ops sends `''`).
fn chunks(s: &str, max: usize) -> Vec<&str> {
    if s.len() <= max {
        return vec![s];
    }
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let mut cut = rest.len().min(max);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push(head);
        rest = tail;
    }
    out
}
