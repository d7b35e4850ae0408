//! The environment, arguments and working directory of each kind of hook (juju-contract §3,
//! §4.1).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use emulator::DeployOptions;
use serde_json::Map;

use crate::support::{Scratch, TestCharm};

/// A dispatch that saves, per execution, its argv count, cwd and environment.
fn env_dumping(dir: &Path) -> String {
    format!(
        r#"#!/bin/sh
n=$(ls {dir} | wc -l)
out={dir}/$(printf %03d "$n")
{{ echo "ARGC=$#"; echo "CWD=$(pwd)"; env; }} > "$out"
"#,
        dir = dir.display()
    )
}

/// Every dump, in execution order, as maps.
fn dumps(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn find<'a>(
    dumps: &'a [BTreeMap<String, String>],
    unit: &str,
    dispatch: &str,
) -> &'a BTreeMap<String, String> {
    dumps
        .iter()
        .find(|d| d["JUJU_UNIT_NAME"] == unit && d["JUJU_DISPATCH_PATH"] == dispatch)
        .unwrap_or_else(|| panic!("no {dispatch} on {unit}"))
}

#[test]
fn hooks_get_a_clean_juju_environment() {
    let scratch = Scratch::new();
    let dumps_dir = scratch.path().join("dumps");
    fs::create_dir(&dumps_dir).unwrap();
    let server = TestCharm::new("server")
        .metadata("provides:\n  db:\n    interface: pgsql\n")
        .actions("backup:\n  description: back up\n")
        .dispatch(&env_dumping(&dumps_dir))
        .write(scratch.path());
    let client = TestCharm::new("client")
        .metadata("requires:\n  database:\n    interface: pgsql\n")
        .dispatch(&env_dumping(&dumps_dir))
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("server", &server, DeployOptions::new())
        .unwrap();
    model
        .deploy("client", &client, DeployOptions::new())
        .unwrap();
    model.relate("server", "client").unwrap();
    model.settle().unwrap();
    model.run_action("server/0", "backup", Map::new()).unwrap();
    model.remove_relation("server", "client").unwrap();
    model.settle().unwrap();
    let all = dumps(&dumps_dir);

    let install = find(&all, "server/0", "hooks/install");
    let charm_dir = model.charm_dir("server/0").unwrap();
    assert_eq!(install["ARGC"], "0", "hooks run with no arguments");
    assert_eq!(install["CWD"], charm_dir.display().to_string());
    assert_eq!(install["CHARM_DIR"], charm_dir.display().to_string());
    assert_eq!(install["JUJU_CHARM_DIR"], install["CHARM_DIR"]);
    assert_eq!(install["JUJU_HOOK_NAME"], "install");
    assert_eq!(install["JUJU_MODEL_NAME"], "model");
    assert_eq!(install["JUJU_MODEL_UUID"], model.uuid());
    assert_eq!(install["JUJU_MACHINE_ID"], "0");
    assert_eq!(install["JUJU_PRINCIPAL_UNIT"], "");
    assert_eq!(install["JUJU_AVAILABILITY_ZONE"], "");
    assert!(install["JUJU_VERSION"].starts_with("3.6."));
    assert_eq!(install["JUJU_AGENT_SOCKET_NETWORK"], "unix");
    assert_eq!(install["DEBIAN_FRONTEND"], "noninteractive");
    assert_eq!(install["LANG"], "C.UTF-8");
    assert_eq!(
        install["CHARM_HOST_ROOT"],
        model.machine_root(0).display().to_string()
    );
    let context = &install["JUJU_CONTEXT_ID"];
    let hex = context.strip_prefix("server/0-install-").unwrap();
    assert!(
        hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "{context}"
    );
    let path = &install["PATH"];
    assert!(path.ends_with(":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    assert!(path.starts_with(
        &model
            .dir()
            .join("units/server-0/tools")
            .display()
            .to_string()
    ));
    for var in [
        "HOME",
        "USER",
        "JUJU_RELATION",
        "JUJU_REMOTE_UNIT",
        "JUJU_ACTION_NAME",
    ] {
        assert!(!install.contains_key(var), "{var} leaked into install");
    }
    let unexpected: Vec<&String> = install
        .keys()
        .filter(|k| {
            !(k.starts_with("JUJU_")
                || [
                    "ARGC",
                    "CWD",
                    "PATH",
                    "CHARM_DIR",
                    "CHARM_HOST_ROOT",
                    "CLOUD_API_VERSION",
                    "LANG",
                    "TERM",
                    "DEBIAN_FRONTEND",
                    "APT_LISTCHANGES_FRONTEND",
                    "PWD",
                    "SHLVL",
                    "_",
                ]
                .contains(&k.as_str()))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "not a clean environment: {unexpected:?}"
    );

    let created = find(&all, "server/0", "hooks/db-relation-created");
    assert_eq!(created["JUJU_RELATION"], "db");
    let id = model.hook_log().iter().find_map(|r| r.relation_id).unwrap();
    assert_eq!(created["JUJU_RELATION_ID"], format!("db:{id}"));
    assert_eq!(
        created["JUJU_REMOTE_UNIT"], "",
        "set but empty in relation-created"
    );
    assert_eq!(created["JUJU_REMOTE_APP"], "client");
    assert!(!created.contains_key("JUJU_DEPARTING_UNIT"));

    let joined = find(&all, "client/0", "hooks/database-relation-joined");
    assert_eq!(joined["JUJU_REMOTE_UNIT"], "server/0");
    assert_eq!(joined["JUJU_REMOTE_APP"], "server");
    assert_eq!(joined["JUJU_HOOK_NAME"], "database-relation-joined");

    let departed = find(&all, "client/0", "hooks/database-relation-departed");
    assert_eq!(departed["JUJU_REMOTE_UNIT"], "server/0");
    assert_eq!(departed["JUJU_DEPARTING_UNIT"], "server/0");

    let broken = find(&all, "client/0", "hooks/database-relation-broken");
    assert_eq!(
        broken["JUJU_REMOTE_UNIT"], "",
        "set but empty in relation-broken"
    );
    assert_eq!(broken["JUJU_REMOTE_APP"], "server");

    let action = find(&all, "server/0", "actions/backup");
    assert_eq!(action["JUJU_HOOK_NAME"], "", "empty for actions");
    assert_eq!(action["JUJU_ACTION_NAME"], "backup");
    assert_eq!(action["JUJU_ACTION_UUID"], "2", "operation 1, task 2");
    assert_eq!(action["JUJU_ACTION_TAG"], "action-2");
    assert!(action["JUJU_CONTEXT_ID"].starts_with("server/0-backup-"));
}

#[test]
fn a_departing_local_unit_names_itself_in_juju_departing_unit() {
    let scratch = Scratch::new();
    let dumps_dir = scratch.path().join("dumps");
    fs::create_dir(&dumps_dir).unwrap();
    let charm = TestCharm::new("alpha")
        .metadata("peers:\n  cluster:\n    interface: alpha\n")
        .dispatch(&env_dumping(&dumps_dir))
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("alpha", &charm, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    model.remove_unit("alpha/1").unwrap();
    model.settle().unwrap();
    let all = dumps(&dumps_dir);
    let own = find(&all, "alpha/1", "hooks/cluster-relation-departed");
    assert_eq!(own["JUJU_REMOTE_UNIT"], "alpha/0");
    assert_eq!(own["JUJU_DEPARTING_UNIT"], "alpha/1");
    let other = find(&all, "alpha/0", "hooks/cluster-relation-departed");
    assert_eq!(other["JUJU_REMOTE_UNIT"], "alpha/1");
    assert_eq!(other["JUJU_DEPARTING_UNIT"], "alpha/1");
}
