//! Bundles with local charms (directories and packed `.charm` files) and Charmhub names
//! resolved in a charm store.

use std::fs;
use std::io::Write;
use std::path::Path;

use emulator::{BundleError, Error};

use crate::support::{hooks_of, Scratch, TestCharm};

/// Packs a charm directory the way charmcraft does: a zip keeping unix modes.
fn pack(dir: &Path, out: &Path) {
    let file = fs::File::create(out).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&path).unwrap().permissions());
        let options = zip::write::SimpleFileOptions::default().unix_permissions(mode);
        zip.start_file(path.file_name().unwrap().to_string_lossy(), options)
            .unwrap();
        zip.write_all(&fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

fn charms(scratch: &Scratch) {
    let server = TestCharm::new("server")
        .metadata("provides:\n  db:\n    interface: pgsql\n")
        .config("options:\n  port:\n    type: int\n    default: 5432\n")
        .recording(
            &scratch.trace(),
            r#"status-set active "port $(config-get port)""#,
        )
        .write(scratch.path());
    pack(&server, &scratch.path().join("server.charm"));
    fs::remove_dir_all(&server).unwrap();
    TestCharm::new("client")
        .metadata("requires:\n  database:\n    interface: pgsql\n")
        .write(scratch.path());
    TestCharm::new("agent")
        .metadata("subordinate: true\nrequires:\n  juju-info:\n    interface: juju-info\n    scope: container\n")
        .write(scratch.path());
}

#[test]
fn a_bundle_deploys_machines_units_config_and_relations() {
    let scratch = Scratch::new();
    charms(&scratch);
    let bundle = scratch.path().join("bundle.yaml");
    fs::write(
        &bundle,
        r#"description: test
machines:
  "0": {}
applications:
  server:
    charm: ./server.charm
    num_units: 2
    to: ["0"]
    options:
      port: 6543
  client:
    charm: ./charm-client
    num_units: 1
    to: ["server/1"]
  agent:
    charm: ./charm-agent
relations:
  - [client, server]
  - ["agent:juju-info", "client"]
"#,
    )
    .unwrap();
    let mut model = scratch.model();
    model.deploy_bundle(&bundle).unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty());
    assert_eq!(model.units("server"), ["server/0", "server/1"]);
    assert_eq!(model.machine_of("server/0").unwrap(), 0);
    assert_eq!(
        model.machine_of("client/0").unwrap(),
        model.machine_of("server/1").unwrap(),
        "placed beside server/1"
    );
    assert_eq!(model.unit_status("server/1").unwrap().message, "port 6543");
    assert_eq!(
        model.principal_of("agent/0").unwrap().as_deref(),
        Some("client/0")
    );
    let id = model.relation_id("client", "server").unwrap();
    assert_eq!(
        model.relation_endpoints(id).unwrap(),
        ["server:db", "client:database"]
    );
    assert!(hooks_of(&model, "client/0").contains(&"database-relation-joined server/1".to_owned()));
    // The packed charm kept dispatch executable.
    assert!(model
        .charm_dir("server/0")
        .unwrap()
        .join("dispatch")
        .exists());
}

#[test]
fn an_invalid_bundle_is_refused_whole_with_every_problem_named() {
    let scratch = Scratch::new();
    charms(&scratch);
    let bundle = scratch.path().join("bad.yaml");
    fs::write(
        &bundle,
        r#"machines:
  "0": {}
  "1": {}
applications:
  server:
    charm: ./server.charm
    num_units: 1
    to: ["0", "0"]
    options:
      port: many
      colour: blue
  client:
    charm: ./nowhere
  agent:
    charm: ./charm-agent
    num_units: 2
  hub:
    charm: postgresql
relations:
  - [server, ghost]
  - [agent, server:db]
"#,
    )
    .unwrap();
    let mut model = scratch.model();
    let err = model.deploy_bundle(&bundle).unwrap_err();
    let Error::Bundle(BundleError::Invalid { errors, .. }) = &err else {
        panic!("expected an invalid bundle, got {err}");
    };
    let expected = [
        r#"charm path in application "client" does not exist"#,
        r#"cannot validate application "server": option "port" expected int, got "many""#,
        r#"cannot validate application "server": unknown option "colour""#,
        r#"too many units specified in unit placement for application "server""#,
        r#"application "agent" is subordinate but has non-zero num_units"#,
        r#"application "hub": charm "postgresql" is a Charmhub name and no charm store was given"#,
        r#"machine "1" is not used"#,
        r#"relation [server ghost] refers to application "ghost" not defined in this bundle"#,
        r#"relation [agent server:db]: no relations found"#,
    ];
    for needle in expected {
        assert!(
            errors.iter().any(|e| e.contains(needle)),
            "missing {needle:?} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    assert!(model.applications().is_empty(), "nothing deployed");
}

#[test]
fn charmhub_names_resolve_in_the_charm_store() {
    let scratch = Scratch::new();
    charms(&scratch);
    let store = scratch.path().join("store");
    fs::create_dir(&store).unwrap();
    fs::rename(
        scratch.path().join("server.charm"),
        store.join("server.charm"),
    )
    .unwrap();
    fs::rename(scratch.path().join("charm-client"), store.join("client")).unwrap();
    // A store entry whose charm has another name is refused, as Charmhub would never serve it.
    fs::rename(scratch.path().join("charm-agent"), store.join("impostor")).unwrap();
    let bundle = scratch.path().join("bundle.yaml");
    let write = |extra: &str| {
        fs::write(
            &bundle,
            format!(
                "applications:\n  db:\n    charm: ch:server\n    channel: 14/stable\n    num_units: 1\n  \
                 app:\n    charm: client\n    num_units: 1\n{extra}relations:\n  - [app, db]\n"
            ),
        )
        .unwrap();
    };

    write("  other:\n    charm: impostor\n  missing:\n    charm: nowhere\n");
    let mut model = scratch.model();
    model.set_charm_store(&store).unwrap();
    let err = model.deploy_bundle(&bundle).unwrap_err();
    let Error::Bundle(BundleError::Invalid { errors, .. }) = &err else {
        panic!("expected an invalid bundle, got {err}");
    };
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].contains(r#"application "missing": charm "nowhere" is not in the charm store"#),
        "{errors:#?}"
    );
    assert!(
        errors[1].contains(r#"application "other": the store's charm"#)
            && errors[1].contains(r#"is named "agent", not "impostor""#),
        "{errors:#?}"
    );

    write("");
    model.deploy_bundle(&bundle).unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty());
    assert_eq!(model.charm("db").unwrap().meta.name, "server");
    assert_eq!(model.unit_status("db/0").unwrap().message, "port 5432");
    assert!(model.relation_id("app", "db").is_some());
    // The store stays with the model: another process opening it resolves the same names.
    drop(model);
    let reopened = emulator::Model::open(scratch.path().join("model")).unwrap();
    assert_eq!(
        reopened.charm_store().unwrap().dir(),
        store.canonicalize().unwrap()
    );
}
