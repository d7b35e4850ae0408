//! Two generic back ends on one share-only manila unit: both published, both configured, or
//! neither when they claim the same name.

use emulator::ServiceAction;

use crate::support::{share_deployment, BackendApp, MANILA, MANILA_UNIT};

const DRIVER: &str = "manila.share.drivers.generic.GenericShareDriver";

#[test]
fn two_back_ends_under_their_own_names_are_both_enabled_with_keystones_credentials() {
    let world = share_deployment(&[
        BackendApp::named("generic-alpha", "alpha"),
        BackendApp::named("generic-beta", "beta"),
    ]);

    world.assert_ready(MANILA_UNIT);
    let share = world.service(MANILA_UNIT, "manila-share");
    assert!(share.running && share.enabled, "manila-share: {share:?}");
    let machine = world.model.machine_of(MANILA_UNIT).unwrap();
    for app in ["generic-alpha", "generic-beta"] {
        let unit = world.only_unit(app);
        world.assert_ready(&unit);
        assert_eq!(
            world.model.principal_of(&unit).unwrap().as_deref(),
            Some(MANILA_UNIT)
        );
        assert_eq!(world.model.machine_of(&unit).unwrap(), machine);
    }

    let conf = world.manila_conf(MANILA_UNIT);
    assert_eq!(conf.enabled_backends(), ["alpha", "beta"], "{}", conf.0);
    for name in ["alpha", "beta"] {
        assert_eq!(conf.headers(name), 1, "[{name}] once in\n{}", conf.0);
        assert_eq!(
            conf.section(name),
            [
                ("share_driver", DRIVER),
                ("share_backend_name", name),
                ("driver_handles_share_servers", "False"),
                ("service_instance_user", "manila"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
            "{}",
            conf.0
        );
    }

    // Keystone answered the manila application with a credentials user; manila handed that
    // user to both back ends, and their sections log in to nova, neutron and cinder with it.
    let keystone = world.keystone_credentials(MANILA);
    let password = keystone.password.expose().to_owned();
    assert!(!password.is_empty());
    for app in ["generic-alpha", "generic-beta"] {
        let relation = world
            .model
            .relation_id("manila:manila-plugin", &format!("{app}:manila-plugin"))
            .unwrap();
        let sent = world.sent_credentials(relation, MANILA_UNIT);
        assert_eq!(sent.username, keystone.username, "{app}");
        assert_eq!(sent.password.expose(), password, "{app}");
        assert_eq!(sent.project_name, keystone.project, "{app}");
        assert_eq!(sent.auth_url, keystone.auth_url(), "{app}");
        assert_eq!(sent.auth_uri, keystone.auth_uri(), "{app}");
        assert_eq!(sent.auth_type, "password", "{app}");
        let domain = keystone.domain.clone().unwrap_or_else(|| "default".into());
        assert_eq!(sent.project_domain_name, domain, "{app}");
        assert_eq!(sent.user_domain_name, domain, "{app}");
    }
    for section in ["nova", "neutron", "cinder"] {
        // Sent by both back ends, written once: they agree.
        assert_eq!(conf.headers(section), 1, "{}", conf.0);
        let lines = conf.section(section);
        let value = |key: &str| {
            let values: Vec<&str> = lines
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            values
        };
        assert_eq!(value("username"), [keystone.username.as_str()]);
        assert_eq!(value("password"), [password.as_str()]);
        assert_eq!(value("auth_url"), [keystone.auth_url().as_str()]);
        assert_eq!(value("project_name"), [keystone.project.as_str()]);
    }

    // The charm holds manila-share stopped until it has a back end; from then on each back end
    // reached manila.conf with a restart, never a stop.
    let first_run = share
        .history
        .iter()
        .position(|e| e.by != "apt-get install" && e.action != ServiceAction::Stop)
        .expect("the charm never started manila-share");
    assert!(
        share.history[first_run..]
            .iter()
            .all(|e| e.action != ServiceAction::Stop),
        "{share:?}"
    );
}

#[test]
fn two_back_ends_under_one_name_block_manila_and_neither_is_enabled() {
    let world = share_deployment(&[
        BackendApp::named("generic-one", "alpha"),
        BackendApp::named("generic-two", "alpha"),
    ]);

    world.assert_status(
        MANILA_UNIT,
        "blocked",
        "Share backend 'alpha' is announced by both generic-one/0 and generic-two/0",
    );
    // Either would do, so manila takes neither rather than pick one.
    let conf = world.manila_conf(MANILA_UNIT);
    assert!(conf.enabled_backends().is_empty(), "{}", conf.0);
    assert!(!conf.mentions_backend("alpha"), "{}", conf.0);
    let share = world.service(MANILA_UNIT, "manila-share");
    assert!(
        !share.running,
        "manila-share runs without a back end: {share:?}"
    );
    // The back ends did their part.
    for app in ["generic-one", "generic-two"] {
        world.assert_ready(&world.only_unit(app));
    }
}
