//! The example's hooks and action in process: the charm's `handle` through the runtime, against
//! the emulator's `scenario` (Juju's hook tools and an emulated machine, one event at a time),
//! and its pure `reconcile` on its own.

use charm::config::RawConfig;
use charm::Options;
use charm::{dispatch, Charm, Templates};
use emulator::scenario::{bag, Event, Output, Relation, Scenario, State};
use emulator::ServiceAction;
use example_charm::{reconcile, release_search, Config, Example, Inputs};
use juju::{Port, Status};
use serde_json::json;

const UNIT: &str = "example/0";
const CONF: &str = "/etc/example/greeter.conf";
const PEERS: u32 = 0;

fn scenario() -> Scenario {
    Scenario::load(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .unit(UNIT)
        .unwrap()
        .catalog(crate::catalog())
}

fn run(event: Event, state: &State) -> Output {
    scenario()
        .run(event, state, |env, tools, host| {
            dispatch::<Example, _>(env, tools, host).exit_code().into()
        })
        .unwrap()
}

/// A leader with its peer relation (no other unit yet) and no website consumers.
fn leader() -> State {
    State {
        leader: true,
        relations: vec![Relation::peer(PEERS, "greeters")],
        ..State::default()
    }
}

fn writes(out: &Output) -> Vec<String> {
    out.commands()
        .into_iter()
        .filter(|c| {
            c.contains("-set")
                || c.starts_with("open-port")
                || c.starts_with("close-port")
                || c.starts_with("service")
                || c.starts_with("systemctl")
                || c.starts_with("apt-get")
        })
        .collect()
}

fn status(out: &Output) -> (&str, &str) {
    let status = &out.state.unit_status;
    (status.status.as_str(), status.message.as_str())
}

/// `install` then `config-changed`, as a new leader runs them.
fn installed() -> Output {
    let installed = run(Event::Install, &leader());
    assert_eq!(installed.exit_code, 0, "{:#?}", installed.logs);
    let configured = run(Event::ConfigChanged, &installed.state);
    assert_eq!(configured.exit_code, 0, "{:#?}", configured.logs);
    configured
}

#[test]
fn install_installs_renders_restarts_publishes_and_sets_status() {
    let out = run(Event::Install, &leader());
    assert_eq!(out.exit_code, 0, "{:#?}", out.logs);
    insta::assert_snapshot!("install", out.commands().join("\n"));
    assert_eq!(status(&out), ("active", "Greeting on port 8080"));
    let conf = &out.state.files[CONF];
    assert_eq!(conf.mode(), Some(0o640));
    assert!(conf.text().unwrap().contains("leader = example/0"));
    let peers = out.state.relation(PEERS).unwrap();
    assert_eq!(peers.local_app_data, bag([("leader-unit", UNIT)]));
    assert!(out
        .state
        .opened_ports
        .iter()
        .any(|p| p.to_string() == "8080/tcp"));
    let service = &out.state.machine.services["example-greeter"];
    assert!(service.running && service.enabled, "{service:?}");
}

#[test]
fn a_hook_that_changes_nothing_only_reads() {
    let settled = installed();
    let restarts =
        |out: &Output| out.state.machine.services["example-greeter"].count(ServiceAction::Restart);
    // What earlier hooks read is kept: config-changed asks for the configuration (and
    // leadership) only; update-status asks Juju nothing, and the machine whether the
    // service runs, which is what it is for.
    for (event, expected) in [
        (
            Event::ConfigChanged,
            &[
                "state-get --format=json -",
                "config-get --all --format=json",
                "is-leader --format=json",
            ][..],
        ),
        (
            Event::UpdateStatus,
            &[
                "state-get --format=json -",
                "systemctl is-active --quiet example-greeter",
            ][..],
        ),
    ] {
        let out = run(event, &settled.state);
        assert_eq!(out.exit_code, 0, "{:#?}", out.logs);
        assert_eq!(out.commands(), expected);
        assert_eq!(restarts(&out), restarts(&settled), "no second restart");
        assert_eq!(out.state.unit_status, settled.state.unit_status);
    }
}

#[test]
fn invalid_config_blocks_naming_the_option_and_writes_nothing() {
    for (key, value, message) in [
        (
            "port",
            json!(70000),
            "Invalid config: 'port': expected an integer from 1 to 65535, got 70000",
        ),
        (
            "greeting",
            json!(" "),
            "Invalid config: 'greeting': must not be empty",
        ),
    ] {
        let mut state = leader();
        state.config.insert(key.to_owned(), value);
        let out = run(Event::ConfigChanged, &state);
        assert_eq!(out.exit_code, 0, "{:#?}", out.logs);
        assert_eq!(status(&out), ("blocked", message));
        assert!(!out.state.files.contains_key(CONF));
        assert!(
            writes(&out)
                .iter()
                .all(|c| c.starts_with("status-set") || c.starts_with("state-set")),
            "{:#?}",
            out.commands()
        );
    }
}

#[test]
fn website_consumers_get_the_address_and_port() {
    let mut state = installed().state;
    // Juju runs config-changed for a new value before any other hook.
    state.config.insert("port".to_owned(), json!(9000));
    let mut state = run(Event::ConfigChanged, &state).state;
    state.relations.push(
        Relation::new(3, "website", "haproxy").remote_unit("haproxy/0", bag([("port", "80")])),
    );
    let out = run(Event::relation_joined(3, "haproxy/0"), &state);
    assert_eq!(out.exit_code, 0, "{:#?}", out.logs);
    let address = scenario().address();
    let published = &out.state.relation(3).unwrap().local_unit_data;
    assert_eq!(published["hostname"], address);
    assert_eq!(published["port"], "9000");
    assert_eq!(status(&out), ("active", "Greeting on port 9000"));
}

#[test]
fn a_non_leader_waits_for_the_leader_then_names_it() {
    for (peer_app_bag, expected) in [
        (
            bag::<&str, &str>([]),
            ("waiting", "Waiting for the leader to publish itself"),
        ),
        (
            bag([("leader-unit", "example/1")]),
            ("active", "Greeting on port 8080"),
        ),
    ] {
        // Installed by an earlier leadership, now a follower of example/1.
        let mut state = installed().state;
        state.leader = false;
        state.relations = vec![Relation::peer(PEERS, "greeters")
            .local_app_data(peer_app_bag)
            .remote_unit("example/1", bag::<&str, &str>([]))];
        // What the peer relation's application bag holds is read when Juju says it changed.
        let out = run(Event::relation_changed(PEERS, "example/1"), &state);
        assert_eq!(status(&out), expected);
        assert!(
            !out.commands().iter().any(|c| c.starts_with("relation-set")),
            "{:#?}",
            out.commands()
        );
    }
}

#[test]
fn the_greet_action_returns_the_message() {
    let state = installed().state;
    let out = run(
        Event::action("greet")
            .param("name", "Bob")
            .param("shout", true),
        &state,
    );
    let action = out.action.unwrap();
    assert_eq!(action.message, None);
    assert_eq!(action.results["message"], "HELLO, BOB!");
    assert_eq!(action.results["greeter"]["unit"], UNIT);
    assert_eq!(action.results["greeter"]["release"], "charlie");
}

#[test]
fn greeting_with_invalid_config_fails_the_action_and_blocks_the_unit() {
    let mut state = installed().state;
    state.config.insert("greeting".to_owned(), json!(""));
    let out = run(Event::action("greet").param("name", "Bob"), &state);
    let message = "Invalid config: 'greeting': must not be empty";
    assert_eq!(
        out.action.as_ref().unwrap().message.as_deref(),
        Some(message)
    );
    assert_eq!(status(&out), ("blocked", message));
}

fn inputs(release: Option<&str>) -> Inputs {
    Inputs {
        unit: "example/0".parse().unwrap(),
        config: Config::from_raw(
            &RawConfig::defaults(Config::OPTIONS).with("greeting", "Good \"day\""),
        ),
        leader: true,
        release: release.map(str::to_owned),
        opened_port: None,
        website: vec![],
        ingress_address: None,
        peers: Some("greeters:0".parse().unwrap()),
        published_leader: None,
        installed: true,
    }
}

#[test]
fn reconcile_renders_the_template_of_the_unit_release() {
    let templates = Templates::new(Example::TEMPLATES);
    // A new unit takes the newest release, whose template falls back to bravo's.
    let plan = reconcile(&inputs(None), &templates).unwrap();
    assert!(plan
        .state
        .contains(&("release".to_owned(), Some("charlie".to_owned()))));
    insta::assert_snapshot!("greeter_conf_charlie", plan.files[0].content);
    // A unit installed at alpha keeps the root template.
    let plan = reconcile(&inputs(Some("alpha")), &templates).unwrap();
    assert!(plan.state.iter().all(|(key, _)| key != "release"));
    insta::assert_snapshot!("greeter_conf_alpha", plan.files[0].content);
    assert_eq!(release_search("charlie"), ["charlie", "bravo", "alpha"]);
    assert_eq!(release_search("unknown"), Vec::<&str>::new());
}

#[test]
fn reconcile_moves_the_port_and_reports_status() {
    let templates = Templates::new(Example::TEMPLATES);
    let mut moved = inputs(Some("bravo"));
    moved.opened_port = Some(80);
    let plan = reconcile(&moved, &templates).unwrap();
    assert_eq!(
        plan.ports,
        [(Port::tcp(80), false), (Port::tcp(8080), true)]
    );
    assert_eq!(plan.status.status, Status::Active);
    let mut settled = inputs(Some("bravo"));
    settled.opened_port = Some(8080);
    let plan = reconcile(&settled, &templates).unwrap();
    assert_eq!(plan.ports, []);
}
