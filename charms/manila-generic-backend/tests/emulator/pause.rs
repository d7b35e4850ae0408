//! The subordinate's pause: it runs no service, so pausing shows on the back end's unit
//! alone; its principal keeps running it, and every hook until resume keeps it paused.

use emulator::{ActionStatus, ServiceAction};
use serde_json::Map;

use crate::support::{share_deployment, BackendApp, MANILA_UNIT};

const BACKEND: &str = "manila-generic-backend";
const PAUSED: &str = "Paused. Use 'resume' action to resume normal service.";

#[test]
fn pausing_the_back_end_shows_until_resume_and_leaves_the_principal_running() {
    let mut world = share_deployment(&[BackendApp::named(BACKEND, "alpha")]);
    let unit = world.only_unit(BACKEND);
    world.assert_ready(&unit);
    let share = world.service(MANILA_UNIT, "manila-share");

    let paused = world.model.run_action(&unit, "pause", Map::new()).unwrap();
    assert_eq!(paused.status, ActionStatus::Completed, "{paused:#?}");
    world.assert_status(&unit, "maintenance", PAUSED);

    // Its own config change still reaches manila.conf; the hooks keep it paused.
    world
        .model
        .set_config(BACKEND, [("driver-service-instance-user", "ubuntu")])
        .unwrap();
    world.settle();
    world.model.update_status().unwrap();
    world.settle();
    world.assert_status(&unit, "maintenance", PAUSED);
    let conf = world.manila_conf(MANILA_UNIT);
    assert!(
        conf.section("alpha")
            .iter()
            .any(|(k, v)| k == "service_instance_user" && v == "ubuntu"),
        "{:?}",
        conf.section("alpha")
    );
    let after = world.service(MANILA_UNIT, "manila-share");
    assert!(after.running);
    assert_eq!(
        after.count(ServiceAction::Restart),
        share.count(ServiceAction::Restart) + 1
    );
    world.assert_ready(MANILA_UNIT);

    let refused = world
        .model
        .run_action(&unit, "restart-services", Map::new())
        .unwrap();
    assert_eq!(
        (refused.status, refused.message.as_deref()),
        (
            ActionStatus::Failed,
            Some("The unit is paused: its services stay stopped until the 'resume' action.")
        )
    );

    let resumed = world.model.run_action(&unit, "resume", Map::new()).unwrap();
    assert_eq!(resumed.status, ActionStatus::Completed, "{resumed:#?}");
    world.assert_ready(&unit);
}
