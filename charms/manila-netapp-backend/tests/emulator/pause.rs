//! The subordinate's pause: it runs no service, so pausing shows on the back end's unit
//! alone; its principal keeps running it, and every hook until resume keeps it paused.

use emulator::ActionStatus;
use manila_testbed::MANILA_UNIT;
use serde_json::Map;

use crate::{beside_generic, NETAPP};

const PAUSED: &str = "Paused. Use 'resume' action to resume normal service.";

#[test]
fn pausing_the_back_end_shows_until_resume_and_leaves_the_principal_running() {
    let mut world = beside_generic(&[]);
    let unit = world.only_unit(NETAPP);
    let paused = world.model.run_action(&unit, "pause", Map::new()).unwrap();
    assert_eq!(paused.status, ActionStatus::Completed, "{paused:#?}");
    world.assert_status(&unit, "maintenance", PAUSED);

    // Its own config change still reaches manila.conf; the hooks keep it paused.
    world
        .model
        .set_config(NETAPP, [("vserver-name", "svm1")])
        .unwrap();
    world.settle();
    world.model.update_status().unwrap();
    world.settle();
    world.assert_status(&unit, "maintenance", PAUSED);
    let section = world.manila_conf(MANILA_UNIT).section("netapp-ontap");
    assert!(
        section.contains(&("netapp_vserver".to_owned(), "svm1".to_owned())),
        "{section:?}"
    );
    assert!(world.service(MANILA_UNIT, "manila-share").running);
    world.assert_ready(MANILA_UNIT);

    let refused = world
        .model
        .run_action(&unit, "restart-services", Map::new())
        .unwrap();
    assert_eq!(refused.status, ActionStatus::Failed, "{refused:#?}");

    let resumed = world.model.run_action(&unit, "resume", Map::new()).unwrap();
    assert_eq!(resumed.status, ActionStatus::Completed, "{resumed:#?}");
    world.assert_ready(&unit);
}

/// The binary started by hand rather than by Juju: it names what is missing and fails.
#[test]
fn outside_a_hook_the_binary_says_so() {
    assert_eq!(
        manila_testbed::Charm::NetappBackend.run_outside_juju(),
        (
            Some(1),
            "ERROR JUJU_UNIT_NAME is not set: is this process running as a Juju hook?\n".to_owned()
        )
    );
}
