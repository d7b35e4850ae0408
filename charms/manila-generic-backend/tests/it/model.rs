//! A small in-memory Juju for one unit of this charm: it answers the hook tools the charm
//! calls as Juju does, keeps what the hooks write (relation data, unit state, status, the
//! log, action results), and gives the unit a scratch machine root. Hooks run in process
//! one after another, as Juju would run them.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;

use charm::{dispatch, Databag, Outcome};
use host::Host;
use juju::{HookEnv, RelationId, ToolOutput, ToolRunner, UnitName};
use manila_generic_backend::{GenericBackend, OPTIONS};
use serde_json::{Map, Value};

pub(crate) const UNIT: &str = "manila-generic-backend/0";
pub(crate) const PRINCIPAL: &str = "manila/0";

#[derive(Debug, Clone)]
struct Relation {
    id: RelationId,
    remote_units: BTreeMap<UnitName, Databag>,
    local_unit: Databag,
}

#[derive(Debug)]
pub(crate) struct Model {
    config: RefCell<Map<String, Value>>,
    state: RefCell<BTreeMap<String, String>>,
    relations: RefCell<Vec<Relation>>,
    status: RefCell<Option<(String, String)>>,
    log: RefCell<Vec<String>>,
    action_results: RefCell<BTreeMap<String, String>>,
    action_failure: RefCell<Option<String>>,
    calls: RefCell<Vec<String>>,
    root: tempfile::TempDir,
}

fn ok(stdout: impl Into<Vec<u8>>) -> io::Result<ToolOutput> {
    Ok(ToolOutput {
        stdout: stdout.into(),
        stderr: Vec::new(),
        exit_code: 0,
    })
}

fn json(value: &impl serde::Serialize) -> io::Result<ToolOutput> {
    ok(serde_json::to_vec(value)?)
}

impl Model {
    /// A unit with every option at its default and no relations.
    pub(crate) fn new() -> Model {
        let defaults = charm::RawConfig::defaults(OPTIONS);
        let config = OPTIONS
            .iter()
            .map(|o| {
                let value = defaults.get(o.name).cloned().unwrap_or(Value::Null);
                (o.name.to_owned(), value)
            })
            .collect();
        Model {
            config: RefCell::new(config),
            state: RefCell::default(),
            relations: RefCell::default(),
            status: RefCell::default(),
            log: RefCell::default(),
            action_results: RefCell::default(),
            action_failure: RefCell::default(),
            calls: RefCell::default(),
            root: tempfile::tempdir().expect("a scratch machine root"),
        }
    }

    pub(crate) fn set_config(&self, name: &str, value: impl Into<Value>) -> &Self {
        assert!(OPTIONS.iter().any(|o| o.name == name), "no option {name}");
        self.config
            .borrow_mut()
            .insert(name.to_owned(), value.into());
        self
    }

    /// Relates the unit to the principal unit `manila/0` as `manila-plugin:<id>`, with
    /// `principal` as that unit's bag.
    pub(crate) fn relate(&self, id: u32, principal: Databag) {
        self.relations.borrow_mut().push(Relation {
            id: format!("manila-plugin:{id}").parse().unwrap(),
            remote_units: BTreeMap::from([(PRINCIPAL.parse().unwrap(), principal)]),
            local_unit: Databag::new(),
        });
    }

    /// Replaces the principal's bag on relation `id`.
    pub(crate) fn set_principal_bag(&self, id: u32, principal: Databag) {
        let id = relation_id(id);
        let mut relations = self.relations.borrow_mut();
        let relation = relations.iter_mut().find(|r| r.id == id).unwrap();
        relation
            .remote_units
            .insert(PRINCIPAL.parse().unwrap(), principal);
    }

    /// Removes relation `id` (as Juju does before `-relation-broken`).
    pub(crate) fn unrelate(&self, id: u32) {
        let id = relation_id(id);
        self.relations.borrow_mut().retain(|r| r.id != id);
    }

    /// Runs hook `name` (`config-changed`, ...).
    pub(crate) fn hook(&self, name: &str) -> Outcome {
        self.run(env(&format!("hooks/{name}")))
    }

    /// Runs `manila-plugin-relation-<kind>` for relation `id`, from the principal unit.
    pub(crate) fn relation_hook(&self, kind: &str, id: u32) -> Outcome {
        let mut env = env(&format!("hooks/manila-plugin-relation-{kind}"));
        env.relation = Some("manila-plugin".to_owned());
        env.relation_id = Some(relation_id(id));
        env.remote_app = Some("manila".parse().unwrap());
        if kind != "broken" {
            env.remote_unit = Some(PRINCIPAL.parse().unwrap());
        }
        if kind == "departed" {
            env.departing_unit = Some(PRINCIPAL.parse().unwrap());
        }
        self.run(env)
    }

    /// Runs action `name` (without parameters).
    pub(crate) fn action(&self, name: &str) -> Outcome {
        let mut env = env(&format!("actions/{name}"));
        env.action_name = Some(name.to_owned());
        env.action_uuid = Some("1".to_owned());
        self.action_results.borrow_mut().clear();
        self.action_failure.borrow_mut().take();
        self.run(env)
    }

    fn run(&self, env: HookEnv) -> Outcome {
        let host = Host::confined(self.root.path()).unwrap();
        let outcome = dispatch::<GenericBackend, _>(env, self, host);
        assert!(
            matches!(outcome, Outcome::Handled | Outcome::Ignored),
            "{outcome:?}"
        );
        outcome
    }

    /// This unit's bag on relation `id`.
    pub(crate) fn published(&self, id: u32) -> Databag {
        let id = relation_id(id);
        self.relations
            .borrow()
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.local_unit.clone())
            .unwrap_or_default()
    }

    /// The status set last, as `<status>: <message>`.
    pub(crate) fn status(&self) -> String {
        let status = self.status.borrow();
        let (status, message) = status.as_ref().expect("a status was set");
        format!("{status}: {message}")
    }

    pub(crate) fn log(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    pub(crate) fn action_failure(&self) -> Option<String> {
        self.action_failure.borrow().clone()
    }

    pub(crate) fn action_results(&self) -> BTreeMap<String, String> {
        self.action_results.borrow().clone()
    }

    /// The hook-tool calls so far (stdin after ` <<< `), forgetting them.
    pub(crate) fn take_calls(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.borrow_mut())
    }

    /// The calls that wrote relation data, forgetting all calls.
    pub(crate) fn take_relation_sets(&self) -> Vec<String> {
        self.take_calls()
            .into_iter()
            .filter(|c| c.starts_with("relation-set"))
            .collect()
    }

    /// Content and mode of the file at machine path `path`, if there is one.
    pub(crate) fn file(&self, path: &str) -> Option<(String, u32)> {
        let on_disk = self.root.path().join(path.trim_start_matches('/'));
        let content = fs::read_to_string(&on_disk).ok()?;
        let mode = fs::metadata(&on_disk).ok()?.permissions().mode() & 0o7777;
        Some((content, mode))
    }

    fn answer(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stdin_map = || -> BTreeMap<String, String> {
            stdin
                .and_then(|s| serde_json::from_slice(s).ok())
                .expect("a JSON map on stdin")
        };
        match (tool, args.as_slice()) {
            ("config-get", ["--all", "--format=json"]) => json(&*self.config.borrow()),
            ("state-get", ["--format=json", "-"]) => json(&*self.state.borrow()),
            ("state-set", ["--file", "-"]) => {
                self.state.borrow_mut().extend(stdin_map());
                ok("")
            }
            ("state-delete", [key]) => {
                self.state.borrow_mut().remove(*key);
                ok("")
            }
            ("relation-ids", ["--format=json", "manila-plugin"]) => {
                let ids: Vec<String> = self
                    .relations
                    .borrow()
                    .iter()
                    .map(|r| r.id.to_string())
                    .collect();
                json(&ids)
            }
            ("relation-list", ["--format=json", "-r", id]) => {
                let units: Vec<String> = self
                    .relation(id)
                    .map(|r| r.remote_units.keys().map(ToString::to_string).collect())
                    .unwrap_or_default();
                json(&units)
            }
            ("relation-get", ["--format=json", "-r", id, "-", owner]) => {
                let bag = self.relation(id).map(|r| {
                    if *owner == UNIT {
                        r.local_unit
                    } else {
                        let unit: UnitName = owner.parse().unwrap();
                        r.remote_units.get(&unit).cloned().unwrap_or_default()
                    }
                });
                json(&bag.unwrap_or_default())
            }
            ("relation-set", ["-r", id, "--file", "-"]) => {
                let changes = stdin_map();
                let id: RelationId = id.parse().unwrap();
                let mut relations = self.relations.borrow_mut();
                let relation = relations.iter_mut().find(|r| r.id == id).unwrap();
                for (key, value) in changes {
                    if value.is_empty() {
                        relation.local_unit.remove(&key);
                    } else {
                        relation.local_unit.insert(key, value);
                    }
                }
                ok("")
            }
            ("status-set", [status, "--", message]) => {
                *self.status.borrow_mut() = Some(((*status).to_owned(), (*message).to_owned()));
                ok("")
            }
            ("juju-log", ["--log-level", level, "--", message]) => {
                self.log.borrow_mut().push(format!("{level} {message}"));
                ok("")
            }
            ("action-get", ["--format=json"]) => ok("{}"),
            ("action-set", results) => {
                for result in results {
                    let (key, value) = result.split_once('=').unwrap();
                    self.action_results
                        .borrow_mut()
                        .insert(key.to_owned(), value.to_owned());
                }
                ok("")
            }
            ("action-fail", ["--", message]) => {
                *self.action_failure.borrow_mut() = Some((*message).to_owned());
                ok("")
            }
            _ => Ok(ToolOutput {
                stdout: Vec::new(),
                stderr: format!("ERROR the test model does not answer {tool} {args:?}\n")
                    .into_bytes(),
                exit_code: 1,
            }),
        }
    }

    fn relation(&self, id: &str) -> Option<Relation> {
        let id: RelationId = id.parse().ok()?;
        self.relations.borrow().iter().find(|r| r.id == id).cloned()
    }
}

impl ToolRunner for Model {
    fn run(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        let mut line = std::iter::once(tool)
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(stdin) = stdin {
            line.push_str(" <<< ");
            line.push_str(&String::from_utf8_lossy(stdin));
        }
        self.calls.borrow_mut().push(line);
        self.answer(tool, args, stdin)
    }
}

fn env(dispatch_path: &str) -> HookEnv {
    let mut env = charm::testing::hook_env(UNIT, dispatch_path).unwrap();
    env.principal_unit = Some(PRINCIPAL.parse().unwrap());
    env
}

fn relation_id(id: u32) -> RelationId {
    format!("manila-plugin:{id}").parse().unwrap()
}
