//! Network spaces: endpoints bound to spaces answer `network-get` and fill relation bags with
//! the unit's address on their space.

use std::fs;
use std::path::PathBuf;

use emulator::{DeployOptions, Error, Model, Space};
use serde_json::{json, Value};

use crate::support::{Scratch, TestCharm};

/// `web`: endpoints `db` (requires), `website` (provides), `cluster` (peers), extra binding
/// `admin`.
fn web(scratch: &Scratch) -> PathBuf {
    TestCharm::new("web")
        .metadata(
            "requires:\n  db:\n    interface: pgsql\nprovides:\n  website:\n    interface: http\n\
             peers:\n  cluster:\n    interface: web-peer\nextra-bindings:\n  admin:\n",
        )
        .write(scratch.path())
}

fn db(scratch: &Scratch) -> PathBuf {
    TestCharm::new("db")
        .metadata("provides:\n  db:\n    interface: pgsql\n")
        .write(scratch.path())
}

/// `network-get <args>` run on `unit` through the shim, its stdout.
fn network_get(model: &mut Model, unit: &str, args: &str) -> String {
    let result = model.exec(unit, &[format!("network-get {args}")]).unwrap();
    assert_eq!(result.code, 0, "network-get {args}: {result:?}");
    result.stdout
}

fn network_json(model: &mut Model, unit: &str, binding: &str) -> Value {
    serde_json::from_str(&network_get(
        model,
        unit,
        &format!("{binding} --format=json"),
    ))
    .unwrap()
}

/// What Juju answers for a machine-0 unit on space `k`.
fn expected_network(k: u8) -> Value {
    expected_network_on(0, k)
}

/// What Juju answers for a unit on machine `machine` (below 254) on space `k`.
fn expected_network_on(machine: u32, k: u8) -> Value {
    let address = format!("127.{k}.0.{}", machine + 1);
    json!({
        "bind-addresses": [{
            "mac-address": format!("00:16:3e:{:02x}:00:{machine:02x}", k - 1),
            "interface-name": format!("eth{}", k - 1),
            "addresses": [{"hostname": "", "value": address, "cidr": format!("127.{k}.0.0/16")}],
        }],
        "egress-subnets": [format!("{address}/32")],
        "ingress-addresses": [address],
    })
}

#[test]
fn the_default_space_is_alpha_on_eth0() {
    let scratch = Scratch::new();
    let web = web(&scratch);
    let mut model = scratch.model();
    assert_eq!(
        model.spaces(),
        [Space {
            name: "alpha".into(),
            subnet: "127.1.0.0/16".into(),
            interface: "eth0".into(),
        }]
    );
    model.deploy("web", &web, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    for binding in ["db", "website", "cluster", "admin"] {
        assert_eq!(
            network_json(&mut model, "web/0", binding),
            expected_network(1),
            "{binding}"
        );
    }
    assert_eq!(model.bindings("web").unwrap()["db"], "alpha");
    assert_eq!(
        network_get(&mut model, "web/0", "db --bind-address --egress-subnets"),
        "bind-address: 127.1.0.1\negress-subnets:\n- 127.1.0.1/32\n"
    );
}

#[test]
fn network_get_answers_with_the_bindings_space() {
    let scratch = Scratch::new();
    let web = web(&scratch);
    let mut model = scratch.model();
    let beta = model.add_space("beta").unwrap();
    assert_eq!(
        beta,
        Space {
            name: "beta".into(),
            subnet: "127.2.0.0/16".into(),
            interface: "eth1".into(),
        }
    );
    model.add_space("gamma").unwrap();
    model
        .deploy(
            "web",
            &web,
            DeployOptions::new()
                .units(2)
                .bind("", "gamma")
                .bind("db", "beta")
                .bind("admin", "alpha"),
        )
        .unwrap();
    model.settle().unwrap();

    assert_eq!(network_json(&mut model, "web/0", "db"), expected_network(2));
    assert_eq!(
        network_json(&mut model, "web/0", "admin"),
        expected_network(1)
    );
    // Unbound endpoints follow the application's default space.
    assert_eq!(
        network_json(&mut model, "web/0", "website"),
        expected_network(3)
    );
    assert_eq!(
        network_json(&mut model, "web/0", "cluster"),
        expected_network(3)
    );
    // Every unit of the application, each with its machine's host part.
    assert_eq!(
        network_get(&mut model, "web/1", "db --ingress-address"),
        "127.2.0.2\n"
    );
    assert_eq!(
        model.binding_address("web/1", "website").unwrap(),
        "127.3.0.2"
    );
    // The unit's own address stays the default space's.
    let result = model
        .exec("web/1", &["unit-get", "private-address"])
        .unwrap();
    assert_eq!(result.stdout, "127.1.0.2\n");
    assert_eq!(model.address("web/1").unwrap(), "127.1.0.2");

    let bindings = model.bindings("web").unwrap();
    assert_eq!(
        bindings
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>(),
        [
            "=gamma",
            "admin=alpha",
            "cluster=gamma",
            "db=beta",
            "juju-info=gamma",
            "website=gamma"
        ]
    );
}

#[test]
fn network_get_with_a_relation_answers_for_the_binding() {
    let scratch = Scratch::new();
    let (web, db) = (web(&scratch), db(&scratch));
    let mut model = scratch.model();
    model.add_space("beta").unwrap();
    model
        .deploy("web", &web, DeployOptions::new().bind("db", "beta"))
        .unwrap();
    model.deploy("db", &db, DeployOptions::new()).unwrap();
    let id = model.relate("web", "db").unwrap();
    model.settle().unwrap();
    assert_eq!(
        network_get(
            &mut model,
            "web/0",
            &format!("db -r db:{id} --bind-address")
        ),
        "127.2.0.1\n"
    );
    assert_eq!(
        network_get(
            &mut model,
            "web/0",
            &format!("website -r {id} --bind-address")
        ),
        "127.1.0.1\n"
    );
}

#[test]
fn units_entering_scope_get_their_bound_spaces_addresses() {
    let scratch = Scratch::new();
    let (web, db) = (web(&scratch), db(&scratch));
    let mut model = scratch.model();
    model.add_space("beta").unwrap();
    model.add_space("gamma").unwrap();
    model
        .deploy(
            "web",
            &web,
            DeployOptions::new()
                .units(2)
                .bind("db", "beta")
                .bind("cluster", "gamma"),
        )
        .unwrap();
    model
        .deploy("db", &db, DeployOptions::new().bind("", "gamma"))
        .unwrap();
    let id = model.relate("web:db", "db:db").unwrap();
    model.settle().unwrap();

    let address_keys = |model: &Model, relation: u32, unit: &str| {
        let bag = model.unit_bag(relation, unit).unwrap();
        ["private-address", "ingress-address", "egress-subnets"].map(|k| bag[k].clone())
    };
    assert_eq!(
        address_keys(&model, id, "web/1"),
        ["127.2.0.2", "127.2.0.2", "127.2.0.2/32"]
    );
    // db's machine is the third.
    assert_eq!(
        address_keys(&model, id, "db/0"),
        ["127.3.0.3", "127.3.0.3", "127.3.0.3/32"]
    );
    let peers = model.relation_id("web:cluster", "web:cluster").unwrap();
    assert_eq!(
        address_keys(&model, peers, "web/0"),
        ["127.3.0.1", "127.3.0.1", "127.3.0.1/32"]
    );
    // What the remote unit reads.
    let result = model
        .exec(
            "db/0",
            &[format!("relation-get -r {id} private-address web/0")],
        )
        .unwrap();
    assert_eq!(result.stdout, "127.2.0.1\n");
}

#[test]
fn bindings_to_unknown_spaces_or_endpoints_are_refused() {
    let scratch = Scratch::new();
    let web = web(&scratch);
    let mut model = scratch.model();
    let err = model
        .deploy("web", &web, DeployOptions::new().bind("db", "beta"))
        .unwrap_err();
    assert!(matches!(err, Error::UnknownSpace(_)), "{err:?}");
    assert_eq!(err.to_string(), r#"space "beta" not found"#);
    let err = model
        .deploy("web", &web, DeployOptions::new().bind("", "beta"))
        .unwrap_err();
    assert_eq!(err.to_string(), r#"space "beta" not found"#);

    model.add_space("beta").unwrap();
    let err = model
        .deploy("web", &web, DeployOptions::new().bind("shared-db", "beta"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"application "web" wants to bind endpoint "shared-db", but the endpoint is not defined by the charm"#
    );
    assert!(model.applications().is_empty(), "nothing was deployed");
    assert!(model.machines().is_empty(), "no machine was added");
}

#[test]
fn space_names_are_checked() {
    let scratch = Scratch::new();
    let mut model = scratch.model();
    for bad in ["Beta", "db_net", "-db", ""] {
        let err = model.add_space(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidSpaceName(_)), "{bad}: {err:?}");
        assert_eq!(
            err.to_string(),
            format!("{bad:?} is not a valid space name")
        );
    }
    model.add_space("db-net").unwrap();
    for existing in ["alpha", "db-net"] {
        let err = model.add_space(existing).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot add space {existing:?}: space already exists")
        );
    }
    assert_eq!(model.spaces().len(), 2);
}

fn write_bundle(scratch: &Scratch, bindings: &str) -> PathBuf {
    let path = scratch.path().join("bundle.yaml");
    fs::write(
        &path,
        format!(
            "applications:\n  web:\n    charm: ./charm-web\n    num_units: 1\n    bindings:\n{bindings}\
             \n  db:\n    charm: ./charm-db\n    num_units: 1\nrelations:\n  - [web:db, db:db]\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_bundles_bindings_are_honoured() {
    let scratch = Scratch::new();
    web(&scratch);
    db(&scratch);
    let bundle = write_bundle(&scratch, "      \"\": beta\n      db: gamma");
    let mut model = scratch.model();
    model.add_space("beta").unwrap();
    model.add_space("gamma").unwrap();
    model.deploy_bundle(&bundle).unwrap();
    model.settle().unwrap();
    let (web_host, db_host) = (
        model.machine_of("web/0").unwrap() + 1,
        model.machine_of("db/0").unwrap() + 1,
    );
    assert_eq!(
        network_json(&mut model, "web/0", "db"),
        expected_network_on(web_host - 1, 3)
    );
    assert_eq!(
        network_get(&mut model, "web/0", "website --bind-address"),
        format!("127.2.0.{web_host}\n")
    );
    assert_eq!(
        network_get(&mut model, "db/0", "db --bind-address"),
        format!("127.1.0.{db_host}\n")
    );
    let id = model.relation_id("web", "db").unwrap();
    assert_eq!(
        model.unit_bag(id, "web/0").unwrap()["ingress-address"],
        format!("127.3.0.{web_host}")
    );
}

#[test]
fn a_bundle_binding_an_unknown_space_or_endpoint_deploys_nothing() {
    let scratch = Scratch::new();
    web(&scratch);
    db(&scratch);
    let mut model = scratch.model();
    model.add_space("beta").unwrap();

    let bundle = write_bundle(&scratch, "      db: delta");
    let err = model.deploy_bundle(&bundle).unwrap_err();
    assert_eq!(err.to_string(), r#"space "delta" not found"#);

    let bundle = write_bundle(&scratch, "      shared-db: beta");
    let err = model.deploy_bundle(&bundle).unwrap_err();
    assert!(
        err.to_string().contains(
            r#"application "web" wants to bind endpoint "shared-db", but the endpoint is not defined by the charm"#
        ),
        "{err}"
    );
    assert!(model.applications().is_empty());
    assert!(model.machines().is_empty());
}

#[test]
fn spaces_and_bindings_survive_a_reload() {
    let scratch = Scratch::new();
    let (web, db) = (web(&scratch), db(&scratch));
    let dir = scratch.path().join("model");
    {
        let mut model = Model::new(&dir).unwrap();
        model.add_space("beta").unwrap();
        model
            .deploy("web", &web, DeployOptions::new().bind("db", "beta"))
            .unwrap();
        model.settle().unwrap();
    }
    let mut model = Model::open(&dir).unwrap();
    assert_eq!(
        model
            .spaces()
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["alpha", "beta"]
    );
    assert_eq!(network_json(&mut model, "web/0", "db"), expected_network(2));
    model.deploy("db", &db, DeployOptions::new()).unwrap();
    let id = model.relate("web", "db").unwrap();
    model.settle().unwrap();
    assert_eq!(
        model.unit_bag(id, "web/0").unwrap()["private-address"],
        "127.2.0.1"
    );
}

/// A model file written before spaces existed: no `spaces`, no application `bindings`.
#[test]
fn a_model_saved_without_spaces_has_only_alpha() {
    let scratch = Scratch::new();
    let web = web(&scratch);
    let dir = scratch.path().join("model");
    {
        let mut model = Model::new(&dir).unwrap();
        model.deploy("web", &web, DeployOptions::new()).unwrap();
        model.settle().unwrap();
    }
    let path = dir.join("model.json");
    let mut state: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert!(state["spaces"].is_array(), "{state:#}");
    state.as_object_mut().unwrap().remove("spaces");
    state["applications"]["web"]
        .as_object_mut()
        .unwrap()
        .remove("bindings");
    fs::write(&path, state.to_string()).unwrap();

    let mut model = Model::open(&dir).unwrap();
    assert_eq!(model.spaces().len(), 1);
    assert_eq!(network_json(&mut model, "web/0", "db"), expected_network(1));
}
