//! Subordinates: spawned beside each principal unit over a container-scoped relation, seeing
//! only their own principal (juju-contract §5.6).

use std::fs;

use emulator::DeployOptions;

use crate::support::{hooks_of, Scratch, TestCharm};

fn deploy(scratch: &Scratch) -> emulator::Model {
    let principal = TestCharm::new("prin").write(scratch.path());
    let sub = TestCharm::new("sub")
        .metadata("subordinate: true\nrequires:\n  juju-info:\n    interface: juju-info\n    scope: container\n")
        .recording(
            &scratch.trace(),
            &format!(
                r#"if [ "$HOOK" = juju-info-relation-changed ]; then
  echo "$JUJU_UNIT_NAME principal=$JUJU_PRINCIPAL_UNIT machine=$JUJU_MACHINE_ID members=$(relation-list | tr '\n' ' ')" >> {out}
fi
true"#,
                out = scratch.path().join("seen").display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("prin", &principal, DeployOptions::new().units(2))
        .unwrap();
    model.deploy("sub", &sub, DeployOptions::new()).unwrap();
    assert!(
        model.units("sub").is_empty(),
        "a subordinate is deployed without units"
    );
    model.relate("sub", "prin").unwrap();
    model.settle().unwrap();
    model
}

#[test]
fn relating_spawns_one_subordinate_beside_each_principal_unit() {
    let scratch = Scratch::new();
    let model = deploy(&scratch);
    assert_eq!(model.units("sub"), ["sub/0", "sub/1"]);
    for (sub, principal) in [("sub/0", "prin/0"), ("sub/1", "prin/1")] {
        assert_eq!(model.principal_of(sub).unwrap().as_deref(), Some(principal));
        assert_eq!(
            model.machine_of(sub).unwrap(),
            model.machine_of(principal).unwrap()
        );
        assert_eq!(
            model.address(sub).unwrap(),
            model.address(principal).unwrap()
        );
    }
    assert_eq!(
        hooks_of(&model, "sub/0"),
        [
            "install",
            "juju-info-relation-created",
            "leader-elected",
            "config-changed",
            "start",
            "juju-info-relation-joined prin/0",
            "juju-info-relation-changed prin/0",
        ]
    );
    assert!(hooks_of(&model, "prin/1").contains(&"juju-info-relation-joined sub/1".to_owned()));
    assert!(!hooks_of(&model, "prin/1")
        .iter()
        .any(|h| h.ends_with("sub/0")));
    insta::assert_snapshot!("status_with_subordinates", emulator::status::render(&model));
    let mut seen: Vec<String> = fs::read_to_string(scratch.path().join("seen"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            "sub/0 principal=prin/0 machine=0 members=prin/0 ",
            "sub/1 principal=prin/1 machine=1 members=prin/1 ",
        ]
    );
}

#[test]
fn subordinates_follow_their_principal_in_and_out() {
    let scratch = Scratch::new();
    let mut model = deploy(&scratch);
    model.add_unit("prin", 1).unwrap();
    model.settle().unwrap();
    assert_eq!(model.units("sub"), ["sub/0", "sub/1", "sub/2"]);
    assert_eq!(
        model.principal_of("sub/2").unwrap().as_deref(),
        Some("prin/2")
    );
    let sub1_before = hooks_of(&model, "sub/1").len();
    model.remove_unit("prin/1").unwrap();
    model.settle().unwrap();
    assert_eq!(model.units("sub"), ["sub/0", "sub/2"]);
    assert_eq!(
        hooks_of(&model, "sub/1")[sub1_before..],
        [
            "juju-info-relation-departed prin/1",
            "juju-info-relation-broken",
            "stop",
            "remove"
        ]
    );
    let err = model.remove_unit("sub/0").unwrap_err();
    assert!(err.to_string().contains("is a subordinate"), "{err}");
}

#[test]
fn removing_the_container_relation_removes_the_subordinate_units() {
    let scratch = Scratch::new();
    let mut model = deploy(&scratch);
    model.remove_relation("sub", "prin").unwrap();
    model.settle().unwrap();
    assert!(model.units("sub").is_empty());
    assert_eq!(
        hooks_of(&model, "prin/0")[hooks_of(&model, "prin/0").len() - 2..],
        [
            "juju-info-relation-departed sub/0",
            "juju-info-relation-broken"
        ]
    );
    assert!(model.relation_ids().is_empty());
}

#[test]
fn a_subordinate_stays_while_another_container_relation_holds_it() {
    let scratch = Scratch::new();
    let principal = TestCharm::new("prin")
        .metadata("requires:\n  plugin:\n    interface: plug\n    scope: container\n")
        .write(scratch.path());
    let sub = TestCharm::new("sub")
        .metadata(
            "subordinate: true\nprovides:\n  plugin:\n    interface: plug\n    scope: container\n\
             requires:\n  juju-info:\n    interface: juju-info\n    scope: container\n",
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("prin", &principal, DeployOptions::new())
        .unwrap();
    model.deploy("sub", &sub, DeployOptions::new()).unwrap();
    model.relate("sub:plugin", "prin:plugin").unwrap();
    model.relate("sub:juju-info", "prin:juju-info").unwrap();
    model.settle().unwrap();
    assert_eq!(model.units("sub"), ["sub/0"]);

    model.remove_relation("sub:plugin", "prin:plugin").unwrap();
    model.settle().unwrap();
    assert_eq!(model.units("sub"), ["sub/0"], "juju-info still holds it");
    assert!(hooks_of(&model, "sub/0").ends_with(&[
        "plugin-relation-departed prin/0".to_owned(),
        "plugin-relation-broken".to_owned()
    ]));

    model
        .remove_relation("sub:juju-info", "prin:juju-info")
        .unwrap();
    model.settle().unwrap();
    assert!(model.units("sub").is_empty());
}

#[test]
fn deploying_a_subordinate_with_units_is_refused() {
    let scratch = Scratch::new();
    let sub = TestCharm::new("sub")
        .metadata("subordinate: true\nrequires:\n  juju-info:\n    interface: juju-info\n    scope: container\n")
        .write(scratch.path());
    let mut model = scratch.model();
    let err = model
        .deploy("sub", &sub, DeployOptions::new().units(1))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot use --num-units or --to with subordinate application"
    );
}
