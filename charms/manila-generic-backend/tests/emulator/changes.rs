//! Changes on either side of the back end reaching manila.conf: its own options, and the
//! service credentials keystone hands out.

use emulator::ServiceAction;

use crate::support::{share_deployment, BackendApp, World, MANILA, MANILA_UNIT};

const BACKEND: &str = "manila-generic-backend";

#[test]
fn a_changed_back_end_option_reaches_manila_conf_and_restarts_manila_share_once() {
    let mut world = share_deployment(&[BackendApp::named(BACKEND, "alpha")]);
    world.assert_ready(MANILA_UNIT);
    let before = world.service(MANILA_UNIT, "manila-share");
    assert!(before.running, "{before:?}");
    let user = |world: &World| {
        world
            .manila_conf(MANILA_UNIT)
            .section("alpha")
            .into_iter()
            .find(|(key, _)| key == "service_instance_user")
            .map(|(_, value)| value)
    };
    assert_eq!(user(&world).as_deref(), Some("manila"));

    world
        .model
        .set_config(BACKEND, [("driver-service-instance-user", "ubuntu")])
        .unwrap();
    world.settle();

    assert_eq!(user(&world).as_deref(), Some("ubuntu"));
    let after = world.service(MANILA_UNIT, "manila-share");
    assert!(after.running, "{after:?}");
    assert_eq!(
        after.count(ServiceAction::Restart) - before.count(ServiceAction::Restart),
        1,
        "{:#?}",
        &after.history[before.history.len()..]
    );
    assert_eq!(after.history.len() - before.history.len(), 1, "{after:?}");
    world.assert_ready(MANILA_UNIT);
    world.assert_ready(&world.only_unit(BACKEND));
}

#[test]
fn new_keystone_credentials_reach_the_back_end_and_its_sections() {
    let mut world = share_deployment(&[BackendApp::named(BACKEND, "alpha")]);
    let relation = world
        .model
        .relation_id("manila:manila-plugin", &format!("{BACKEND}:manila-plugin"))
        .unwrap();
    let old = world
        .keystone_credentials(MANILA)
        .password
        .expose()
        .to_owned();
    assert_eq!(
        world
            .sent_credentials(relation, MANILA_UNIT)
            .password
            .expose(),
        old
    );

    let new = "a-new-service-password";
    assert_ne!(old, new);
    world
        .model
        .set_config("keystone", [("service-password", new)])
        .unwrap();
    world.settle();

    assert_eq!(world.keystone_credentials(MANILA).password.expose(), new);
    assert_eq!(
        world
            .sent_credentials(relation, MANILA_UNIT)
            .password
            .expose(),
        new
    );
    let conf = world.manila_conf(MANILA_UNIT);
    for section in ["nova", "neutron", "cinder", "keystone_authtoken"] {
        let passwords: Vec<String> = conf
            .section(section)
            .into_iter()
            .filter(|(key, _)| key == "password")
            .map(|(_, value)| value)
            .collect();
        assert_eq!(passwords, [new], "[{section}] in\n{}", conf.0);
    }
    assert!(
        !conf.0.contains(&old),
        "the old password is still in\n{}",
        conf.0
    );
    world.assert_ready(MANILA_UNIT);
    world.assert_ready(&world.only_unit(BACKEND));
}
