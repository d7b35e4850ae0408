//! The key pair the generic driver logs in with: written by the subordinate onto its
//! principal's machine, where manila-share reads it, and gone when no longer configured.

use crate::support::{share_deployment, BackendApp, World, MANILA_UNIT};

const BACKEND: &str = "manila-generic-backend";
const KEY: &str = "/etc/manila/ssh_image_key";
const KEY_PUBLIC: &str = "/etc/manila/ssh_image_key.pub";
const PRIVATE_KEY: &str = include_str!("../fixtures/keys/ed25519");
const PUBLIC_KEY: &str = include_str!("../fixtures/keys/ed25519.pub");

/// The `path_to_*` lines of the back end's section.
fn key_paths(world: &World) -> Vec<(String, String)> {
    world
        .manila_conf(MANILA_UNIT)
        .section("alpha")
        .into_iter()
        .filter(|(key, _)| key.starts_with("path_to_"))
        .collect()
}

#[test]
fn the_key_pair_lands_on_the_principals_machine_and_leaves_when_unconfigured() {
    let mut world = share_deployment(&[BackendApp::named(BACKEND, "alpha")]);
    let unit = world.only_unit(BACKEND);
    assert_eq!(world.file(MANILA_UNIT, KEY), None);
    assert_eq!(key_paths(&world), []);

    world
        .model
        .set_config(
            BACKEND,
            [
                ("driver-auth-type", "ssh"),
                ("driver-service-ssh-key", PRIVATE_KEY),
                ("driver-service-ssh-key-public", PUBLIC_KEY),
            ],
        )
        .unwrap();
    world.settle();

    // The subordinate has no machine of its own: the principal's root is where it wrote.
    assert_eq!(
        world.model.machine_of(&unit).unwrap(),
        world.model.machine_of(MANILA_UNIT).unwrap()
    );
    assert_eq!(world.file(MANILA_UNIT, KEY).as_deref(), Some(PRIVATE_KEY));
    assert_eq!(world.mode(MANILA_UNIT, KEY), Some(0o600));
    assert_eq!(
        world.file(MANILA_UNIT, KEY_PUBLIC),
        Some(PUBLIC_KEY.to_owned())
    );
    assert_eq!(world.mode(MANILA_UNIT, KEY_PUBLIC), Some(0o644));
    let paths = |private: &str, public: &str| {
        vec![
            ("path_to_private_key".to_owned(), private.to_owned()),
            ("path_to_public_key".to_owned(), public.to_owned()),
        ]
    };
    assert_eq!(key_paths(&world), paths(KEY, KEY_PUBLIC));
    // The private key stays on the machine: not in manila.conf, not in the relation.
    let relation = world
        .model
        .relation_id("manila:manila-plugin", &format!("{BACKEND}:manila-plugin"))
        .unwrap();
    let secret_line = PRIVATE_KEY.lines().nth(1).unwrap();
    assert!(!world.manila_conf(MANILA_UNIT).0.contains(secret_line));
    let bag = world.model.unit_bag(relation, &unit).unwrap();
    assert!(!bag.values().any(|v| v.contains(secret_line)), "{bag:?}");
    world.assert_ready(&unit);
    world.assert_ready(MANILA_UNIT);

    world
        .model
        .set_config(BACKEND, [("driver-auth-type", "")])
        .unwrap();
    world.settle();

    assert_eq!(world.file(MANILA_UNIT, KEY), None);
    assert_eq!(world.file(MANILA_UNIT, KEY_PUBLIC), None);
    assert_eq!(key_paths(&world), []);
    world.assert_ready(&unit);
    world.assert_ready(MANILA_UNIT);
}

#[test]
fn the_key_pair_leaves_the_principals_machine_with_the_back_end() {
    let mut world = share_deployment(&[BackendApp::named(BACKEND, "alpha")
        .with("driver-auth-type", "both")
        .with("driver-service-instance-password", "instance-secret")
        .with("driver-service-ssh-key", PRIVATE_KEY)
        .with("driver-service-ssh-key-public", PUBLIC_KEY)]);
    assert_eq!(world.mode(MANILA_UNIT, KEY), Some(0o600));
    assert_eq!(world.mode(MANILA_UNIT, KEY_PUBLIC), Some(0o644));

    world
        .model
        .remove_relation("manila:manila-plugin", &format!("{BACKEND}:manila-plugin"))
        .unwrap();
    world.settle();

    assert!(world.model.units(BACKEND).is_empty());
    assert_eq!(world.file(MANILA_UNIT, KEY), None);
    assert_eq!(world.file(MANILA_UNIT, KEY_PUBLIC), None);
    world.assert_status(MANILA_UNIT, "blocked", "No share backends configured");
}
