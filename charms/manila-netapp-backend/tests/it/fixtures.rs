//! Inputs shared by the tests (configurations for each driver mode, what the manila charm
//! sends), and the unit's hooks run in process against the emulator's `scenario`.

use charm::{dispatch, Bag};
use emulator::scenario::{juju_address_bag, Event, Output, Relation, Scenario, State};
use manila_netapp_backend::NetappBackend;
use serde_json::Value;

pub(crate) const UNIT: &str = "manila-netapp-backend/0";
pub(crate) const PRINCIPAL: &str = "manila/0";
/// The manila-plugin relation most tests use.
pub(crate) const PLUGIN: u32 = 3;

/// `_authentication_data` exactly as charm-manila writes it (Python's `json.dumps`).
pub(crate) const AUTHENTICATION: &str = r#"{"data": {"username": "manila", "password": "s3cret", "project_domain_name": "service_domain", "project_name": "services", "user_domain_name": "service_domain", "auth_uri": "http://10.5.0.20:5000", "auth_url": "http://10.5.0.20:35357", "auth_type": "password"}}"#;

/// The driver's modes: which network the SVMs it creates go on, if it creates any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// driver-handles-share-servers false: one existing SVM serves every share.
    Svm,
    /// driver-handles-share-servers true, on Neutron's networks (a `[neutron]` section).
    Neutron,
    /// driver-handles-share-servers true, on the standalone network plugin's.
    Standalone,
}

impl Mode {
    pub(crate) const ALL: [Mode; 3] = [Mode::Svm, Mode::Neutron, Mode::Standalone];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Svm => "dhss_false",
            Mode::Neutron => "dhss_true_neutron",
            Mode::Standalone => "dhss_true_standalone",
        }
    }
}

/// The principal's bag with `_authentication_data` = `text`.
pub(crate) fn principal(text: &str) -> Bag {
    Bag::from([("_authentication_data".to_owned(), text.to_owned())])
}

/// The principal's bag once keystone has answered.
pub(crate) fn credentials() -> Bag {
    principal(AUTHENTICATION)
}

/// `state` with option `name` set to `value`, as `juju config` sets it.
pub(crate) fn set(state: &mut State, name: &str, value: impl Into<Value>) {
    state.config.insert(name.to_owned(), value.into());
}

/// A complete configuration for `mode` (the options the reference requires, the defaults
/// otherwise); no relation yet.
pub(crate) fn configured(mode: Mode) -> State {
    let mut state = State::default();
    set(&mut state, "management-address", "10.5.0.50");
    set(&mut state, "admin-password", "ontap-pw");
    match mode {
        Mode::Svm => set(&mut state, "vserver-name", "svm0"),
        Mode::Neutron | Mode::Standalone => {
            set(&mut state, "driver-handles-share-servers", true);
            set(&mut state, "root-volume-aggregate-name", "aggr1");
            set(&mut state, "standalone-network", mode == Mode::Standalone);
        }
    }
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

/// A ready unit in `mode`, related as [`PLUGIN`] to a principal that has sent its
/// credentials, after the relation-changed hook.
pub(crate) fn ready(mode: Mode) -> Ran {
    let state = related(configured(mode), credentials());
    run(changed(&state, PLUGIN), &state)
}

/// One run of the charm.
#[derive(Debug)]
pub(crate) struct Ran {
    pub(crate) out: Output,
}

/// Runs `event` from `state`; the charm must exit 0.
#[track_caller]
pub(crate) fn run(event: Event, state: &State) -> Ran {
    let scenario = Scenario::load(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .unit(UNIT)
        .unwrap();
    let out = scenario
        .run(event, state, |env, tools, host| {
            dispatch::<NetappBackend, _>(env, tools, host)
                .exit_code()
                .into()
        })
        .unwrap();
    assert_eq!(out.exit_code, 0, "{:#?}", out.logs);
    Ran { out }
}

impl Ran {
    /// The state after the run, to start the next one from.
    pub(crate) fn state(&self) -> State {
        self.out.state.clone()
    }

    /// This unit's bag on relation `id`, without the address keys Juju writes itself.
    pub(crate) fn published(&self, id: u32) -> Bag {
        let relation = self.out.state.relation(id);
        let bag = relation
            .map(|r| r.local_unit_data.clone())
            .unwrap_or_default();
        let juju = juju_address_bag("");
        bag.into_iter()
            .filter(|(k, _)| !juju.contains_key(k))
            .collect()
    }

    /// The manila.conf text published on relation `id`, if any.
    pub(crate) fn text(&self, id: u32) -> Option<String> {
        let wrapped = self.published(id).remove("_configuration_data")?;
        let data: Value = serde_json::from_str(&wrapped).unwrap();
        Some(data["data"]["/etc/manila/manila.conf"].as_str()?.to_owned())
    }

    /// The unit's status, as `<status>: <message>`.
    pub(crate) fn status(&self) -> String {
        let status = &self.out.state.unit_status;
        format!("{}: {}", status.status, status.message)
    }

    /// The `relation-set` calls of the run.
    pub(crate) fn relation_sets(&self) -> Vec<String> {
        let calls = self.out.commands().into_iter();
        calls.filter(|c| c.starts_with("relation-set")).collect()
    }

    /// The action's failure message, if it failed.
    pub(crate) fn action_failure(&self) -> Option<String> {
        self.out.action.as_ref().and_then(|a| a.message.clone())
    }
}
