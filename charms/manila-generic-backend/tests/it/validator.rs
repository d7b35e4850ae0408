//! The text this charm sends, checked by `oslo-config-validator`, which knows every option
//! name Manila and its libraries register (names only, not values).
//!
//! Every driver mode and login method is rendered as its own back end, and all of them go
//! into one manila.conf the way the manila charm assembles it (as when several generic back
//! ends share one manila): the `[nova]`, `[neutron]` and `[cinder]` sections are checked
//! there. Back-end sections are named by the operator, so no namespace knows them: the
//! validator is told to skip them, and their keys are checked a second time copied into a
//! `[DEFAULT]` section, where the driver options are registered (`real-peers.md` §2).
//!
//! Runs when `OSLO_CONFIG_VALIDATOR` names the executable (`python3 -m venv V &&
//! V/bin/pip install manila`, then `V/bin/oslo-config-validator`). Without it the tests do
//! nothing, unless `REQUIRE_OSLO_VALIDATOR=1`, where a missing validator fails them, so
//! that CI cannot pass without it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixtures::{self, AUTH_TYPES, SHARE_SERVERS};
use crate::model::Model;

/// The namespaces that cover a real manila.conf (`real-peers.md` §2).
const NAMESPACES: &[&str] = &[
    "manila",
    "oslo.messaging",
    "oslo.middleware.cors",
    "oslo.middleware.http_proxy_to_wsgi",
    "oslo.db",
    "oslo.db.concurrency",
    "keystonemiddleware.auth_token",
    "oslo.log",
    "oslo.concurrency",
    "oslo.policy",
    "oslo.service.service",
    "oslo.service.wsgi",
    "oslo.reports",
    "osprofiler",
];

/// The principal's own part of manila.conf, as the manila charm writes it.
const PRINCIPAL_PART: &str = "\
[DEFAULT]
debug = False
enabled_share_protocols = NFS,CIFS
default_share_type = default_share_type
state_path = /var/lib/manila
api_paste_config = /etc/manila/api-paste.ini
transport_url = rabbit://manila:rabbitpw@10.5.0.30:5672/openstack
auth_strategy = keystone
my_ip = 10.5.0.10
enabled_share_backends = {backends}

[database]
connection = mysql+pymysql://manila:dbpw@10.5.0.40/manila

[keystone_authtoken]
www_authenticate_uri = http://10.5.0.20:5000
auth_url = http://10.5.0.20:35357
auth_type = password
project_domain_name = service_domain
user_domain_name = service_domain
project_name = services
username = manila
password = s3cret

[oslo_concurrency]
lock_path = /var/lib/manila/tmp

# Share back ends
";

fn validator() -> Option<PathBuf> {
    let required = std::env::var("REQUIRE_OSLO_VALIDATOR").is_ok_and(|v| v == "1");
    match std::env::var_os("OSLO_CONFIG_VALIDATOR") {
        Some(path) if Path::new(&path).is_file() => Some(PathBuf::from(path)),
        Some(path) => panic!(
            "OSLO_CONFIG_VALIDATOR={} is not a file",
            Path::new(&path).display()
        ),
        None if required => panic!(
            "REQUIRE_OSLO_VALIDATOR=1 but OSLO_CONFIG_VALIDATOR is not set: install the \
             validator (python3 -m venv V && V/bin/pip install manila) and set \
             OSLO_CONFIG_VALIDATOR=V/bin/oslo-config-validator"
        ),
        None => None,
    }
}

/// Runs the validator on `conf`, skipping the groups `exclude`; `Err` carries its
/// complaints.
fn validate(validator: &Path, conf: &str, exclude: &[String], dir: &Path) -> Result<(), String> {
    let input = dir.join("manila.conf");
    fs::write(&input, conf).unwrap();
    let mut cmd = Command::new(validator);
    for namespace in NAMESPACES {
        cmd.args(["--namespace", namespace]);
    }
    for group in exclude {
        cmd.args(["--exclude-group", group]);
    }
    cmd.arg("--input-file").arg(&input);
    let out = cmd.output().expect("the validator runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("ERROR")).collect();
    if out.status.success() && errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "exit {:?}:\n{}",
            out.status.code(),
            errors.join("\n")
        ))
    }
}

/// The text a ready unit sends for `share_servers`/`auth_type`, as back end `name`.
fn sent_text(share_servers: bool, auth_type: &str, name: &str) -> String {
    let model = Model::new();
    fixtures::configure(&model, share_servers, auth_type);
    model.set_config("share-backend-name", name);
    model.relate(3, fixtures::credentials());
    model.relation_hook("changed", 3);
    let wrapped = &model.published(3)["_configuration_data"];
    let data: serde_json::Value = serde_json::from_str(wrapped).unwrap();
    data["data"]["/etc/manila/manila.conf"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The `key = value` lines of section `name` in `text`.
fn section_lines<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let header = format!("[{name}]");
    text.lines()
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter(|l| l.contains(" = "))
        .collect()
}

#[test]
fn every_mode_and_login_passes_oslo_config_validator() {
    let Some(validator) = validator() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    let mut sections = String::new();
    let mut backend_keys = String::from("[DEFAULT]\n");
    for share_servers in SHARE_SERVERS {
        for auth_type in AUTH_TYPES {
            let name = fixtures::variant(share_servers, auth_type);
            let text = sent_text(share_servers, auth_type, &name);
            let lines = section_lines(&text, &name);
            assert!(lines.len() >= 4, "no section [{name}] in:\n{text}");
            backend_keys.push_str(&format!("# {name}\n"));
            for line in lines {
                backend_keys.push_str(line);
                backend_keys.push('\n');
            }
            sections.push_str(&text);
            names.push(name);
        }
    }
    let conf = PRINCIPAL_PART.replace("{backends}", &names.join(",")) + &sections;
    for section in ["nova", "neutron", "cinder"] {
        assert_eq!(
            conf.matches(&format!("\n[{section}]\n")).count(),
            names.len()
        );
    }
    validate(&validator, &conf, &names, dir.path()).unwrap();
    validate(&validator, &backend_keys, &[], dir.path()).unwrap();
}

/// The validator is not a test that cannot fail: the reference's `auth_uri` in the
/// credential sections and a misspelt back-end key are both caught.
#[test]
fn the_validator_flags_what_the_charm_avoids() {
    let Some(validator) = validator() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = sent_text(true, "both", "generic");
    let with_auth_uri = text.replace(
        "auth_url = ",
        "auth_uri = http://10.5.0.20:5000\nauth_url = ",
    );
    let conf = PRINCIPAL_PART.replace("{backends}", "generic") + &with_auth_uri;
    let complaints = validate(&validator, &conf, &["generic".to_owned()], dir.path()).unwrap_err();
    for section in ["nova", "neutron", "cinder"] {
        assert!(
            complaints.contains(&format!("{section}/auth_uri")),
            "{complaints}"
        );
    }
    let keys = format!(
        "[DEFAULT]\n{}\nservice_instance_flavour_id = 100\n",
        section_lines(&text, "generic").join("\n")
    );
    let complaints = validate(&validator, &keys, &[], dir.path()).unwrap_err();
    assert!(
        complaints.contains("DEFAULT/service_instance_flavour_id"),
        "{complaints}"
    );
    assert_eq!(complaints.matches("ERROR").count(), 1, "{complaints}");
}
