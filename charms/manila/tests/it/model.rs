//! A small in-memory model answering the hook tools the manila charm calls, as Juju answers
//! them for one unit: config, leadership, unit state, relations (remote bags, this unit's
//! bags, the peer application bag), network bindings. Writes land in the model, so hooks can
//! run one after another.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;

use charm::Databag;
use juju::{RelationId, ToolOutput, ToolRunner, UnitName};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
pub(crate) struct Relation {
    pub(crate) id: RelationId,
    pub(crate) remote_app: String,
    pub(crate) remote_units: BTreeMap<UnitName, Databag>,
    pub(crate) local_unit: Databag,
    pub(crate) local_app: Databag,
}

#[derive(Debug)]
pub(crate) struct Model {
    pub(crate) unit: UnitName,
    pub(crate) leader: bool,
    pub(crate) config: RefCell<Map<String, Value>>,
    pub(crate) state: RefCell<BTreeMap<String, String>>,
    pub(crate) relations: RefCell<Vec<Relation>>,
    /// Binding name to this unit's address on it.
    pub(crate) address: String,
    calls: RefCell<Vec<String>>,
}

fn ok(stdout: impl Into<Vec<u8>>) -> io::Result<ToolOutput> {
    Ok(ToolOutput {
        stdout: stdout.into(),
        stderr: Vec::new(),
        exit_code: 0,
    })
}

fn fail(message: &str) -> io::Result<ToolOutput> {
    Ok(ToolOutput {
        stdout: Vec::new(),
        stderr: format!("ERROR {message}\n").into_bytes(),
        exit_code: 1,
    })
}

impl Model {
    pub(crate) fn new(unit: &str, leader: bool, config: charm::config::RawConfig) -> Model {
        let config = manila_charm::OPTIONS
            .iter()
            .map(|o| {
                (
                    o.name.to_owned(),
                    config.get(o.name).cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        Model {
            unit: unit.parse().unwrap(),
            leader,
            config: RefCell::new(config),
            state: RefCell::new(BTreeMap::new()),
            relations: RefCell::new(Vec::new()),
            address: "10.5.0.10".to_owned(),
            calls: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn relate(&self, id: &str, remote_app: &str, units: &[(&str, Databag)]) {
        self.relations.borrow_mut().push(Relation {
            id: id.parse().unwrap(),
            remote_app: remote_app.to_owned(),
            remote_units: units
                .iter()
                .map(|(u, b)| (u.parse().unwrap(), b.clone()))
                .collect(),
            local_unit: Databag::new(),
            local_app: Databag::new(),
        });
    }

    pub(crate) fn set_config(&self, name: &str, value: impl Into<Value>) {
        self.config
            .borrow_mut()
            .insert(name.to_owned(), value.into());
    }

    /// The calls of the hooks so far, then forgets them.
    pub(crate) fn take_calls(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.borrow_mut())
    }

    pub(crate) fn local_unit_bag(&self, id: &str) -> Databag {
        let id: RelationId = id.parse().unwrap();
        self.relations
            .borrow()
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.local_unit.clone())
            .unwrap_or_default()
    }

    pub(crate) fn local_app_bag(&self, id: &str) -> Databag {
        let id: RelationId = id.parse().unwrap();
        self.relations
            .borrow()
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.local_app.clone())
            .unwrap_or_default()
    }

    fn relation<T>(&self, id: &str, f: impl FnOnce(&mut Relation) -> T) -> Option<T> {
        let id: RelationId = id.parse().ok()?;
        self.relations
            .borrow_mut()
            .iter_mut()
            .find(|r| r.id == id)
            .map(f)
    }

    fn answer(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stdin_map = || -> BTreeMap<String, String> {
            stdin
                .and_then(|s| serde_json::from_slice(s).ok())
                .unwrap_or_default()
        };
        match (tool, args.as_slice()) {
            ("config-get", ["--all", "--format=json"]) => {
                ok(serde_json::to_vec(&*self.config.borrow())?)
            }
            ("is-leader", ["--format=json"]) => ok(self.leader.to_string()),
            ("state-get", ["--format=json", "-"]) => ok(serde_json::to_vec(&*self.state.borrow())?),
            ("state-set", ["--file", "-"]) => {
                self.state.borrow_mut().extend(stdin_map());
                ok("")
            }
            ("state-delete", [key]) => {
                self.state.borrow_mut().remove(*key);
                ok("")
            }
            ("relation-ids", ["--format=json", endpoint]) => {
                let ids: Vec<String> = self
                    .relations
                    .borrow()
                    .iter()
                    .filter(|r| r.id.endpoint() == *endpoint)
                    .map(|r| r.id.to_string())
                    .collect();
                ok(serde_json::to_vec(&ids)?)
            }
            ("relation-list", ["--format=json", "-r", id]) => {
                let units = self.relation(id, |r| {
                    r.remote_units
                        .keys()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                });
                ok(serde_json::to_vec(&units.unwrap_or_default())?)
            }
            ("relation-list", ["--format=json", "--app", "-r", id]) => {
                let app = self.relation(id, |r| r.remote_app.clone());
                ok(serde_json::to_vec(&app)?)
            }
            ("relation-get", ["--format=json", "-r", id, "-", owner]) => {
                let me = self.unit.to_string();
                let bag = self.relation(id, |r| {
                    if *owner == me {
                        r.local_unit.clone()
                    } else {
                        let unit: UnitName = owner.parse().unwrap();
                        r.remote_units.get(&unit).cloned().unwrap_or_default()
                    }
                });
                ok(serde_json::to_vec(&bag.unwrap_or_default())?)
            }
            ("relation-get", ["--format=json", "-r", id, "--app", "-", _app]) => {
                let bag = self.relation(id, |r| r.local_app.clone());
                ok(serde_json::to_vec(&bag.unwrap_or_default())?)
            }
            ("relation-set", ["-r", id, "--file", "-"]) => {
                let changes = stdin_map();
                self.relation(id, |r| apply_changes(&mut r.local_unit, changes));
                ok("")
            }
            ("relation-set", ["-r", id, "--app", "--file", "-"]) => {
                if !self.leader {
                    return fail("cannot write relation settings");
                }
                let changes = stdin_map();
                self.relation(id, |r| apply_changes(&mut r.local_app, changes));
                ok("")
            }
            ("network-get", ["--format=json", _binding]) => ok(serde_json::to_vec(&json!({
                "bind-addresses": [{"interface-name": "eth0", "addresses": [
                    {"value": self.address, "cidr": "10.5.0.0/24"}]}],
                "ingress-addresses": [self.address],
            }))?),
            ("network-get", ["--format=json", _selector, _binding]) => {
                ok(serde_json::to_vec(&self.address)?)
            }
            (
                "status-set" | "juju-log" | "open-port" | "close-port" | "application-version-set",
                _,
            ) => ok(""),
            _ => fail(&format!("the test model does not answer {tool} {args:?}")),
        }
    }
}

fn apply_changes(bag: &mut Databag, changes: BTreeMap<String, String>) {
    for (key, value) in changes {
        if value.is_empty() {
            bag.remove(&key);
        } else {
            bag.insert(key, value);
        }
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
