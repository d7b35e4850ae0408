//! Inputs shared by the tests (what the manila charm sends, configurations for each driver
//! mode and login method), and the unit's hooks run in process against the emulator's
//! `scenario`: Juju's hook tools and the principal's emulated machine, one event at a time.

use std::cell::RefCell;
use std::io;

use charm::{dispatch, Bag};
use emulator::scenario::{juju_address_bag, Event, Output, Relation, Scenario, State};
use juju::{ToolOutput, ToolRunner};
use manila_generic_backend::GenericBackend;
use manila_plugin::AuthenticationData;
use serde_json::Value;

pub(crate) const UNIT: &str = "manila-generic-backend/0";
pub(crate) const PRINCIPAL: &str = "manila/0";
/// The manila-plugin relation most tests use.
pub(crate) const PLUGIN: u32 = 3;

/// `_authentication_data` exactly as charm-manila writes it (Python's `json.dumps`).
pub(crate) const AUTHENTICATION: &str = r#"{"data": {"username": "manila", "password": "s3cret", "project_domain_name": "service_domain", "project_name": "services", "user_domain_name": "service_domain", "auth_uri": "http://10.5.0.20:5000", "auth_url": "http://10.5.0.20:35357", "auth_type": "password"}}"#;

pub(crate) const PRIVATE_KEY: &str = include_str!("../fixtures/keys/ed25519");
pub(crate) const PUBLIC_KEY: &str = include_str!("../fixtures/keys/ed25519.pub");

/// The principal's bag with `_authentication_data` = `text`.
pub(crate) fn principal(text: &str) -> Bag {
    Bag::from([("_authentication_data".to_owned(), text.to_owned())])
}

/// The principal's bag once keystone has answered.
pub(crate) fn credentials() -> Bag {
    principal(AUTHENTICATION)
}

/// The principal's bag before keystone has answered: every value `null`.
pub(crate) fn credentials_pending() -> Bag {
    AuthenticationData::default().to_bag()
}

/// The driver modes: with share servers (DHSS True) or without.
pub(crate) const SHARE_SERVERS: [bool; 2] = [true, false];
/// Every `driver-auth-type`.
pub(crate) const AUTH_TYPES: [&str; 4] = ["", "password", "ssh", "both"];

/// `state` with option `name` set to `value`, as `juju config` sets it.
pub(crate) fn set(state: &mut State, name: &str, value: impl Into<Value>) {
    state.config.insert(name.to_owned(), value.into());
}

/// A complete configuration for `share_servers` and `auth_type`, with a password and both
/// keys set (the auth type selects which are used); no relation yet.
pub(crate) fn configured(share_servers: bool, auth_type: &str) -> State {
    let mut state = State::default();
    set(&mut state, "driver-handles-share-servers", share_servers);
    set(&mut state, "driver-service-instance-flavor-id", 100);
    set(&mut state, "driver-auth-type", auth_type);
    set(
        &mut state,
        "driver-service-instance-password",
        "instance-pw",
    );
    set(&mut state, "driver-service-ssh-key", PRIVATE_KEY);
    set(&mut state, "driver-service-ssh-key-public", PUBLIC_KEY);
    state
}

/// `state` related over manila-plugin (relation `id`) to `principal_unit`, whose bag is
/// `bag`.
pub(crate) fn relate_to(mut state: State, id: u32, principal_unit: &str, bag: Bag) -> State {
    let app = principal_unit.split('/').next().unwrap_or(principal_unit);
    state
        .relations
        .push(Relation::new(id, "manila-plugin", app).remote_unit(principal_unit, bag));
    state
}

/// `state` related to `manila/0` as relation [`PLUGIN`], whose bag is `bag`.
pub(crate) fn related(state: State, bag: Bag) -> State {
    relate_to(state, PLUGIN, PRINCIPAL, bag)
}

/// `state` with the principal's bag on relation `id` replaced by `bag`.
pub(crate) fn with_principal_bag(mut state: State, id: u32, bag: Bag) -> State {
    let relation = state.relations.iter_mut().find(|r| r.id == id).unwrap();
    let unit = relation.remote_units.keys().next().unwrap().clone();
    relation.remote_units.insert(unit, bag);
    state
}

/// `manila-plugin-relation-changed` on relation `id`, from its principal unit.
pub(crate) fn changed(state: &State, id: u32) -> Event {
    let relation = state.relation(id).unwrap();
    Event::relation_changed(id, relation.remote_units.keys().next().unwrap())
}

/// A ready unit: configured for `share_servers`/`auth_type`, related as [`PLUGIN`] to a
/// principal that has sent its credentials, after the relation-changed hook.
pub(crate) fn ready(share_servers: bool, auth_type: &str) -> Ran {
    let state = related(configured(share_servers, auth_type), credentials());
    run(changed(&state, PLUGIN), &state)
}

/// A name for the variant, for snapshots.
pub(crate) fn variant(share_servers: bool, auth_type: &str) -> String {
    let auth = if auth_type.is_empty() {
        "keypair"
    } else {
        auth_type
    };
    format!("dhss_{share_servers}_{auth}")
}

/// One run of the charm, and what its `relation-set` calls sent.
#[derive(Debug)]
pub(crate) struct Ran {
    pub(crate) out: Output,
    /// Each `relation-set`: its arguments and the keys it sent on stdin.
    pub(crate) relation_sets: Vec<(String, Bag)>,
}

/// Runs `event` from `state`; the charm must exit 0.
#[track_caller]
pub(crate) fn run(event: Event, state: &State) -> Ran {
    let scenario = Scenario::load(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .unit(UNIT)
        .unwrap();
    let relation_sets = RefCell::new(Vec::new());
    let out = scenario
        .run(event, state, |env, tools, host| {
            let seen = SeenRelationSets {
                tools,
                sent: &relation_sets,
            };
            dispatch::<GenericBackend, _>(env, &seen, host)
                .exit_code()
                .into()
        })
        .unwrap();
    assert_eq!(out.exit_code, 0, "{:#?}", out.logs);
    Ran {
        out,
        relation_sets: relation_sets.into_inner(),
    }
}

/// Passes every call on to the scenario's hook tools, noting what `relation-set` sent: the
/// scenario's transcript has the arguments of a call, not its stdin.
struct SeenRelationSets<'a> {
    tools: &'a dyn ToolRunner,
    sent: &'a RefCell<Vec<(String, Bag)>>,
}

impl ToolRunner for SeenRelationSets<'_> {
    fn run(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        if tool == "relation-set" {
            let sent = stdin
                .map(|s| serde_json::from_slice(s).expect("relation-set sends a JSON map"))
                .unwrap_or_default();
            self.sent
                .borrow_mut()
                .push((format!("{tool} {}", args.join(" ")), sent));
        }
        self.tools.run(tool, args, stdin)
    }
}

impl Ran {
    /// The state after the run, to start the next one from.
    pub(crate) fn state(&self) -> State {
        self.out.state.clone()
    }

    /// This unit's bag on relation `id` (empty once the relation is gone).
    pub(crate) fn published(&self, id: u32) -> Bag {
        self.out
            .state
            .relation(id)
            .map(|r| r.local_unit_data.clone())
            .unwrap_or_default()
            .into_iter()
            // The address keys Juju writes itself are not the charm's.
            .filter(|(key, _)| !juju_address_bag("").contains_key(key))
            .collect()
    }

    /// The keys each `relation-set` wrote.
    pub(crate) fn written_keys(&self) -> Vec<Vec<String>> {
        self.relation_sets
            .iter()
            .map(|(_, sent)| sent.keys().cloned().collect())
            .collect()
    }

    /// The unit's status, as `<status>: <message>`.
    pub(crate) fn status(&self) -> String {
        let status = &self.out.state.unit_status;
        format!("{}: {}", status.status, status.message)
    }

    /// The run's `juju-log` lines, as `<level> <message>`.
    pub(crate) fn log(&self) -> Vec<String> {
        self.out
            .logs
            .iter()
            .map(|line| format!("{} {}", line.level, line.message))
            .collect()
    }

    /// Content and mode of the file at machine path `path`, if there is one.
    pub(crate) fn file(&self, path: &str) -> Option<(String, u32)> {
        let file = self.out.state.files.get(path)?;
        Some((file.text()?.to_owned(), file.mode()?))
    }

    /// The calls of the run, without their exit codes.
    pub(crate) fn calls(&self) -> Vec<String> {
        self.out.commands()
    }

    /// The action's failure message, if it failed.
    pub(crate) fn action_failure(&self) -> Option<String> {
        self.out.action.as_ref().and_then(|a| a.message.clone())
    }
}
