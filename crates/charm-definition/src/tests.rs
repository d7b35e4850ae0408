#[cfg(feature = "files")]
use std::fs;
#[cfg(feature = "files")]
use std::io::Write;
#[cfg(feature = "files")]
use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use super::*;

fn meta(yaml: &str) -> Result<Metadata, String> {
    Metadata::parse(&serde_yaml::from_str(yaml).unwrap())
}

#[test]
fn metadata_requires_name_summary_and_description() {
    assert_eq!(
        meta("name: x\ndescription: d\n").unwrap_err(),
        "summary: expected string, got nothing"
    );
    assert_eq!(
        meta("name: Bad_Name\nsummary: s\ndescription: d\n").unwrap_err(),
        "invalid charm name \"Bad_Name\""
    );
}

#[test]
fn every_charm_provides_juju_info_unless_it_names_an_endpoint_so() {
    let m = meta("name: x\nsummary: s\ndescription: d\nrequires:\n  db: pgsql\n").unwrap();
    assert_eq!(m.endpoint("juju-info").unwrap().0, Role::Provider);
    assert_eq!(m.endpoint("db").unwrap().1.interface, "pgsql");
    let sub = meta(
        "name: x\nsummary: s\ndescription: d\nsubordinate: true\nrequires:\n  juju-info:\n    interface: juju-info\n    scope: container\n",
    )
    .unwrap();
    assert_eq!(sub.endpoint("juju-info").unwrap().0, Role::Requirer);
    assert_eq!(sub.endpoint("juju-info").unwrap().1.scope, Scope::Container);
}

#[test]
fn metadata_checks_follow_juju() {
    assert_eq!(
        meta("name: x\nsummary: s\ndescription: d\nsubordinate: true\nrequires:\n  db: pgsql\n")
            .unwrap_err(),
        "subordinate charm \"x\" lacks \"requires\" relation with container scope"
    );
    assert_eq!(
        meta("name: x\nsummary: s\ndescription: d\nprovides:\n  db: a\nrequires:\n  db: b\n")
            .unwrap_err(),
        "charm \"x\" using a duplicated relation name: \"db\""
    );
    assert_eq!(
        meta("name: x\nsummary: s\ndescription: d\nprovides:\n  juju-foo: a\n").unwrap_err(),
        "charm \"x\" using a reserved relation name: \"juju-foo\""
    );
}

fn config(yaml: &str) -> Result<ConfigSchema, String> {
    ConfigSchema::parse(&serde_yaml::from_str(yaml).unwrap())
}

#[test]
fn config_defaults_are_typed_and_checked() {
    let schema = config(
        "options:\n  port: {type: int, default: 80}\n  ratio: {type: float, default: 2}\n  debug: {type: boolean, default: false}\n  name: {default: x}\n  nothing: {type: string}\n",
    )
    .unwrap();
    assert_eq!(schema.options["name"].kind, OptionType::String);
    let effective = schema.effective(&Default::default());
    assert_eq!(
        json!(effective),
        json!({"port": 80, "ratio": 2, "debug": false, "name": "x", "nothing": null})
    );
    assert_eq!(
        config("options:\n  port: {type: int, default: eighty}\n").unwrap_err(),
        "invalid config default: option \"port\" expected int, got \"eighty\""
    );
    assert_eq!(
        config("{}").unwrap_err(),
        "invalid config: empty configuration"
    );
}

#[test]
fn config_values_parse_as_juju_config_does() {
    let schema =
        config("options:\n  port: {type: int}\n  on: {type: boolean}\n  ratio: {type: float}\n")
            .unwrap();
    assert_eq!(schema.parse_value("port", "8080").unwrap(), json!(8080));
    assert_eq!(schema.parse_value("on", "True").unwrap(), json!(true));
    assert_eq!(schema.parse_value("ratio", "1.5").unwrap(), json!(1.5));
    assert_eq!(
        schema.parse_value("ratio", "3").unwrap(),
        json!(3),
        "Go prints float64(3) as 3"
    );
    assert_eq!(
        schema.parse_value("on", "yes").unwrap_err(),
        "option \"on\" expected boolean, got \"yes\""
    );
    assert_eq!(
        schema.parse_value("nope", "1").unwrap_err(),
        "unknown option \"nope\""
    );
    assert_eq!(
        schema.check_value("port", &json!("42")).unwrap(),
        json!(42),
        "ForceInt takes numeric strings"
    );
}

fn actions(yaml: &str) -> Result<Actions, String> {
    Actions::parse(&serde_yaml::from_str(yaml).unwrap())
}

#[test]
fn actions_become_json_schemas_and_validate_params() {
    let a = actions("snap:\n  params:\n    n: {type: integer, default: 3}\n    name: {type: string}\n  required: [name]\n").unwrap();
    let spec = &a.actions["snap"];
    assert_eq!(spec.description, "No description");
    assert_eq!(spec.schema["title"], "snap");
    let params = spec
        .validate(json!({"name": "a", "extra": true}).as_object().unwrap())
        .unwrap();
    assert_eq!(json!(params), json!({"name": "a", "extra": true, "n": 3}));
    let err = spec.validate(json!({}).as_object().unwrap()).unwrap_err();
    assert!(err.starts_with("validation failed: (root): "), "{err}");
    assert_eq!(
        actions("Bad:\n  description: x\n").unwrap_err(),
        "bad action name \"Bad\""
    );
    assert_eq!(
        actions("juju-x: {}\n").unwrap_err(),
        "bad action name \"juju-x\""
    );
    assert!(actions("x:\n  params:\n    p: {$ref: '#/a'}\n")
        .unwrap_err()
        .contains("\"$ref\""));
}

#[cfg(feature = "files")]
#[test]
fn a_packed_charm_keeps_exec_bits_and_a_unified_charmcraft_yaml_is_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("x.charm");
    let mut zip = zip::ZipWriter::new(fs::File::create(&archive).unwrap());
    let file = |mode| zip::write::SimpleFileOptions::default().unix_permissions(mode);
    zip.start_file("charmcraft.yaml", file(0o644)).unwrap();
    zip.write_all(
        b"type: charm\nname: x\nsummary: s\ndescription: d\nbase: ubuntu@24.04\nprovides:\n  web: http\nconfig:\n  options:\n    port: {type: int, default: 1}\nactions:\n  go: {}\n",
    )
    .unwrap();
    zip.start_file("dispatch", file(0o755)).unwrap();
    zip.write_all(b"#!/bin/sh\n").unwrap();
    zip.finish().unwrap();

    let charm = Charm::load(&archive).unwrap();
    assert_eq!(charm.meta.name, "x");
    assert!(charm.meta.provides.contains_key("web"));
    assert_eq!(charm.config.options["port"].default, Some(json!(1)));
    assert!(charm.actions.actions.contains_key("go"));

    let dest = dir.path().join("unpacked");
    Source::open(&archive).unwrap().unpack(&dest).unwrap();
    let mode = fs::metadata(dest.join("dispatch"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    let generated: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(dest.join("metadata.yaml")).unwrap()).unwrap();
    assert_eq!(generated["name"], "x");
    assert!(generated.get("parts").is_none() && generated.get("config").is_none());
    assert!(dest.join("config.yaml").exists() && dest.join("actions.yaml").exists());
    // The unpacked directory is itself a loadable charm.
    assert_eq!(Charm::load(&dest).unwrap(), charm);
}

#[cfg(feature = "files")]
#[test]
fn a_charm_without_metadata_is_refused_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let err = Charm::load(dir.path()).unwrap_err();
    assert!(matches!(err, CharmError::NoMetadata { .. }));
    assert!(err.to_string().contains(&dir.path().display().to_string()));
}
