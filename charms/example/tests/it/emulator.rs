//! The built example charm, packed as Juju unpacks it, deployed in the model emulator: the
//! lifecycle hooks, its peer relation, a config change and its action, as under Juju.

use charm_pack::CharmSource;
use emulator::{ActionStatus, DeployOptions, Model, ServiceAction};
use serde_json::{json, Map};

pub(crate) fn deployed(units: u32) -> (tempfile::TempDir, Model) {
    let dir = tempfile::tempdir().unwrap();
    let charm = dir.path().join("charm");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    CharmSource::new(source, env!("CARGO_BIN_EXE_example-charm"))
        .assemble_dir(&charm)
        .unwrap();
    let mut model = Model::new(dir.path().join("model")).unwrap();
    model.set_catalog(crate::catalog()).unwrap();
    model
        .deploy(
            "greeter",
            &charm,
            DeployOptions::new().units(units).config("greeting", "Hi"),
        )
        .unwrap();
    let report = model.settle().unwrap();
    assert!(
        report.units_in_error.is_empty(),
        "{report:?}\n{:#?}",
        model.debug_log()
    );
    (dir, model)
}

fn greeter_conf(model: &Model, unit: &str) -> String {
    let root = model.machine_root(model.machine_of(unit).unwrap());
    std::fs::read_to_string(root.join("etc/example/greeter.conf")).unwrap()
}

#[test]
fn deploys_to_active_with_its_file_service_and_port() {
    let (_dir, model) = deployed(2);
    for unit in ["greeter/0", "greeter/1"] {
        let status = model.unit_status(unit).unwrap();
        assert_eq!(
            (status.status.as_str(), status.message.as_str()),
            ("active", "Greeting on port 8080")
        );
        assert!(greeter_conf(&model, unit).contains("greeting = Hi"));
        let service = model
            .service(unit, "example-greeter")
            .unwrap()
            .expect("service installed");
        assert!(service.running, "{unit}: {service:?}");
        assert_eq!(
            model
                .opened_ports(unit)
                .unwrap()
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
            ["8080/tcp"]
        );
    }
    // Both units name the same leader: the leader published it in the peer app bag.
    assert!(greeter_conf(&model, "greeter/1").contains("leader = greeter/0"));
}

#[test]
fn a_config_change_rewrites_the_file_and_restarts_once_and_a_no_op_restarts_nothing() {
    let (_dir, mut model) = deployed(1);
    let restarts = |m: &Model| {
        m.service("greeter/0", "example-greeter")
            .unwrap()
            .unwrap()
            .count(ServiceAction::Restart)
    };
    let before = restarts(&model);
    model
        .set_config("greeter", [("greeting", "Bonjour")])
        .unwrap();
    model.settle().unwrap();
    assert!(greeter_conf(&model, "greeter/0").contains("greeting = Bonjour"));
    assert_eq!(restarts(&model), before + 1);

    model.update_status().unwrap();
    model.settle().unwrap();
    assert_eq!(
        restarts(&model),
        before + 1,
        "update-status changed nothing, restarted nothing"
    );
}

#[test]
fn the_greet_action_runs_and_bad_params_fail_it() {
    let (_dir, mut model) = deployed(1);
    let mut params = Map::new();
    params.insert("name".into(), json!("operator"));
    let result = model.run_action("greeter/0", "greet", params).unwrap();
    assert_eq!(result.status, ActionStatus::Completed, "{result:?}");
    assert_eq!(result.results["message"], json!("Hi, operator!"));

    let err = model
        .run_action("greeter/0", "greet", Map::new())
        .unwrap_err();
    assert!(
        err.to_string().contains("\"name\" is a required property"),
        "{err}"
    );
}
