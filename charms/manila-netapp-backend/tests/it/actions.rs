//! pause, resume and restart-services: no service to act on, but pausing shows until
//! `resume`, across hooks, and the back end stays published.

use charm::{ActionSchemas, Charm};
use emulator::scenario::{Event, State};
use emulator::ActionStatus;
use manila_netapp_backend::NetappBackend;
use openstack::pause::ServicesAction;

use crate::fixtures::{self, run, Mode, PLUGIN};

const PAUSED: &str = "maintenance: Paused. Use 'resume' action to resume normal service.";
const READY: &str = "active: Unit is ready";

#[test]
fn pause_shows_until_resume_whatever_hooks_run_between() {
    let paused = run(
        Event::action("pause"),
        &fixtures::ready(Mode::Neutron).state(),
    );
    assert_eq!(paused.action_failure(), None);
    assert_eq!(paused.status(), PAUSED);
    let mut state = paused.state();
    for event in [
        Event::ConfigChanged,
        Event::UpdateStatus,
        Event::UpgradeCharm,
        fixtures::changed(&state, PLUGIN),
    ] {
        let unit = run(event.clone(), &state);
        assert_eq!(unit.status(), PAUSED, "{event:?}");
        state = unit.state();
    }
    let resumed = run(Event::action("resume"), &state);
    assert_eq!(resumed.action_failure(), None);
    assert_eq!(resumed.status(), READY);
    assert_eq!(run(Event::UpdateStatus, &resumed.state()).status(), READY);
}

/// As in the reference, pausing hides the other checks but does not hold back the back end.
#[test]
fn a_paused_unit_still_publishes_and_hides_other_problems() {
    let paused = run(Event::action("pause"), &State::default());
    assert_eq!(paused.status(), PAUSED);
    let mut state = paused.state();
    state.config = fixtures::configured(Mode::Svm).config;
    // Juju runs config-changed for new values before any other hook.
    let state = run(Event::ConfigChanged, &state).state();
    let state = fixtures::related(state, fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(unit.status(), PAUSED);
    assert_eq!(unit.published(PLUGIN)["_name"], "netapp-ontap");
    assert_eq!(run(Event::action("resume"), &unit.state()).status(), READY);
}

#[test]
fn restart_services_succeeds_and_changes_nothing() {
    let ready = fixtures::ready(Mode::Svm);
    let unit = run(Event::action("restart-services"), &ready.state());
    let action = unit.out.action.as_ref().unwrap();
    assert_eq!(action.status, ActionStatus::Completed, "{action:?}");
    assert_eq!(unit.status(), READY);
    assert_eq!(unit.out.state.unit_state, ready.out.state.unit_state);
    assert_eq!(unit.relation_sets(), Vec::<String>::new());
}

#[test]
fn restart_services_is_refused_while_paused() {
    let paused = run(Event::action("pause"), &fixtures::ready(Mode::Svm).state());
    let refused = run(Event::action("restart-services"), &paused.state());
    assert_eq!(
        refused.action_failure().as_deref(),
        Some(openstack::pause::RESTART_WHILE_PAUSED)
    );
    assert_eq!(refused.status(), PAUSED);
}

/// Every action in the schema has a handler and every handler a schema: the shared three.
#[test]
fn every_declared_action_is_handled_and_every_handled_one_declared() {
    let schemas = ActionSchemas::parse(NetappBackend::ACTIONS).unwrap();
    let declared: Vec<&str> = schemas.names().collect();
    let mut handled: Vec<&str> = ServicesAction::ALL.iter().map(|a| a.name()).collect();
    handled.sort_unstable();
    assert_eq!(declared, handled);
    let state = fixtures::ready(Mode::Svm).state();
    for name in declared {
        assert_eq!(
            run(Event::action(name), &state).action_failure(),
            None,
            "{name}"
        );
    }
}
