//! A back end leaving: its section and its name leave manila.conf together, in the first
//! hook the manila unit runs without it.

use emulator::HookOutcome;

use crate::support::{share_deployment, BackendApp, World, MANILA_UNIT};

const STAYING: &str = "generic-alpha";
const LEAVING: &str = "generic-beta";

fn deployment() -> World {
    let world = share_deployment(&[
        BackendApp::named(STAYING, "alpha"),
        BackendApp::named(LEAVING, "beta"),
    ]);
    let conf = world.manila_conf(MANILA_UNIT);
    assert_eq!(conf.enabled_backends(), ["alpha", "beta"], "{}", conf.0);
    assert!(conf.mentions_backend("beta"));
    world
}

/// Runs the queued hooks one at a time. After each of the manila unit's, `beta` is either
/// wholly in manila.conf (section and enabled name) or wholly out. Returns the hook after
/// which it was first out.
fn settle_watching_beta(world: &mut World) -> String {
    let mut gone_after = None;
    while let Some(record) = world.model.step().unwrap() {
        assert!(
            !matches!(record.outcome, HookOutcome::Failed { .. }),
            "{} failed\n{}",
            record.summary(),
            world.debug_log()
        );
        if record.unit != MANILA_UNIT {
            continue;
        }
        let conf = world.manila_conf(MANILA_UNIT);
        let enabled = conf.enabled_backends().contains(&"beta".to_owned());
        let section = conf.mentions_backend("beta");
        assert_eq!(
            enabled,
            section,
            "after {}: enabled_share_backends and the sections disagree on beta:\n{}",
            record.summary(),
            conf.0
        );
        if !section && gone_after.is_none() {
            gone_after = Some(record.hook.clone());
        }
        if gone_after.is_some() {
            assert!(!section, "beta came back after {}", record.summary());
        }
    }
    gone_after.expect("beta never left manila.conf")
}

fn assert_only_alpha_left(world: &World) {
    let conf = world.manila_conf(MANILA_UNIT);
    assert_eq!(conf.enabled_backends(), ["alpha"], "{}", conf.0);
    assert_eq!(conf.headers("alpha"), 1, "{}", conf.0);
    // Only alpha's copy of the credential sections is left.
    assert_eq!(conf.headers("nova"), 1, "{}", conf.0);
    world.assert_ready(MANILA_UNIT);
    world.assert_ready(&world.only_unit(STAYING));
    let share = world.service(MANILA_UNIT, "manila-share");
    assert!(share.running, "{share:?}");
}

#[test]
fn removing_the_relation_of_a_back_end_whose_unit_stays_drops_it_at_once() {
    let mut world = deployment();
    // Also related over juju-info, the back end's unit outlives its manila-plugin relation.
    world
        .model
        .relate(&format!("{LEAVING}:juju-info"), "manila:juju-info")
        .unwrap();
    world.settle();
    let unit = world.only_unit(LEAVING);

    world
        .model
        .remove_relation("manila:manila-plugin", &format!("{LEAVING}:manila-plugin"))
        .unwrap();
    // Its last good data stands until the relation is gone: the hook right after.
    let gone_after = settle_watching_beta(&mut world);
    assert_eq!(gone_after, "manila-plugin-relation-broken");

    assert_only_alpha_left(&world);
    world.assert_status(&unit, "blocked", "'manila-plugin' missing");
}

#[test]
fn a_back_end_unit_leaving_with_its_relation_drops_it_at_once() {
    let mut world = deployment();
    let unit = world.only_unit(LEAVING);

    // Its only relation to the principal: the subordinate unit goes with it.
    world
        .model
        .remove_relation("manila:manila-plugin", &format!("{LEAVING}:manila-plugin"))
        .unwrap();
    // Its last good data stands until the relation is gone: the hook right after.
    let gone_after = settle_watching_beta(&mut world);
    assert_eq!(gone_after, "manila-plugin-relation-broken");

    assert_only_alpha_left(&world);
    assert!(
        world.model.units(LEAVING).is_empty(),
        "{unit} is still there"
    );
    let ran: Vec<&str> = world
        .model
        .hook_log()
        .iter()
        .filter(|h| h.unit == unit)
        .map(|h| h.hook.as_str())
        .collect();
    assert!(ran.ends_with(&["stop", "remove"]), "{unit} ran {ran:?}");
}
