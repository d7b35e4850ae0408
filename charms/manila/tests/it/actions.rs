//! The actions' schemas: every action in them has a handler and every handler a schema.
//! (That `actions.yaml` is a copy of the shared schemas is `tests/tidy`'s check.)

use charm::{ActionSchemas, Charm};
use manila_charm::actions::Action;
use manila_charm::Manila;

#[test]
fn every_declared_action_is_handled_and_every_handled_one_declared() {
    let schemas = ActionSchemas::parse(Manila::ACTIONS).unwrap();
    let declared: Vec<&str> = schemas.names().collect();
    let mut handled: Vec<&str> = Action::all().into_iter().map(Action::name).collect();
    handled.sort_unstable();
    assert_eq!(declared, handled);
    for name in declared {
        assert_eq!(Action::from_name(name).map(Action::name), Some(name));
    }
    assert_eq!(Action::from_name("dance"), None);
}
