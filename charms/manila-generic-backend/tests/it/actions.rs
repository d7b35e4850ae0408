//! pause, resume and restart-services: no services to act on, but pausing shows until
//! `resume`, across hooks.

use charm::{ActionSchemas, Charm};
use manila_generic_backend::GenericBackend;

use crate::fixtures;

const PAUSED: &str = "maintenance: Paused. Use 'resume' action to resume normal service.";

#[test]
fn pause_shows_until_resume_whatever_hooks_run_between() {
    let model = fixtures::ready(true, "");
    model.action("pause");
    assert_eq!(model.action_failure(), None);
    assert_eq!(model.status(), PAUSED);
    for hook in ["config-changed", "update-status", "upgrade-charm"] {
        model.hook(hook);
        assert_eq!(model.status(), PAUSED, "{hook}");
    }
    model.relation_hook("changed", 3);
    assert_eq!(model.status(), PAUSED);
    model.action("resume");
    assert_eq!(model.action_failure(), None);
    assert_eq!(model.status(), "active: Unit is ready");
    model.hook("update-status");
    assert_eq!(model.status(), "active: Unit is ready");
}

/// As in the reference, pausing hides the other checks but does not hold back the back end.
#[test]
fn a_paused_unit_still_publishes_and_hides_other_problems() {
    let model = crate::model::Model::new();
    model.action("pause");
    assert_eq!(model.status(), PAUSED);
    fixtures::configure(&model, false, "");
    model.relate(3, fixtures::credentials());
    model.relation_hook("changed", 3);
    assert_eq!(model.status(), PAUSED);
    assert_eq!(model.published(3)["_name"], "generic");
    model.action("resume");
    assert_eq!(model.status(), "active: Unit is ready");
}

#[test]
fn restart_services_succeeds_and_changes_nothing() {
    let model = fixtures::ready(true, "ssh");
    model.take_calls();
    model.action("restart-services");
    assert_eq!(model.action_failure(), None);
    assert!(model.action_results().is_empty());
    assert_eq!(model.status(), "active: Unit is ready");
    let calls = model.take_calls();
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("relation-set") && !c.starts_with("state-set")),
        "{calls:#?}"
    );
}

/// Every action in the schema has a handler, and the schema is the three OpenStack actions.
#[test]
fn every_declared_action_is_handled() {
    let schemas = ActionSchemas::parse(GenericBackend::ACTIONS).unwrap();
    let names: Vec<&str> = schemas.names().collect();
    assert_eq!(names, ["pause", "restart-services", "resume"]);
    for name in names {
        let model = fixtures::ready(false, "");
        model.action(name);
        assert_eq!(model.action_failure(), None, "{name}");
    }
}
