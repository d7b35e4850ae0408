//! The actions' schemas: `actions.yaml` is the shared schemas, and every action in it has a
//! handler and every handler a schema.

use std::path::Path;

use charm::testing::check_generated;
use charm::{ActionSchemas, Charm};
use manila_charm::actions::Action;
use manila_charm::Manila;

/// Packing ships the charm directory's `actions.yaml`; the binary embeds the shared schemas
/// it copies.
#[test]
fn actions_yaml_is_the_shared_schemas() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("actions.yaml");
    if let Err(drift) = check_generated(&path, Manila::ACTIONS) {
        panic!("{drift}");
    }
}

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
