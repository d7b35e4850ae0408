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
//! Runs with the validator the testbed finds (`OSLO_CONFIG_VALIDATOR`, or xtask's venv);
//! without one the tests skip, unless `REQUIRE_OSLO_VALIDATOR=1`.

use manila_testbed::{Rejected, Validator};

use crate::fixtures::{self, run, set, AUTH_TYPES, PLUGIN, SHARE_SERVERS};

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

/// The text a ready unit sends for `share_servers`/`auth_type`, as back end `name`.
fn sent_text(share_servers: bool, auth_type: &str, name: &str) -> String {
    let mut state = fixtures::configured(share_servers, auth_type);
    set(&mut state, "share-backend-name", name);
    let state = fixtures::related(state, fixtures::credentials());
    let unit = run(fixtures::changed(&state, PLUGIN), &state);
    let wrapped = &unit.published(PLUGIN)["_configuration_data"];
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
    let Some(validator) = Validator::find() else {
        return;
    };
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
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    validator.check(&conf, &names).unwrap();
    validator.check(&backend_keys, &[]).unwrap();
}

/// The validator is not a test that cannot fail: the reference's `auth_uri` in the
/// credential sections and a misspelt back-end key are both caught.
#[test]
fn the_validator_flags_what_the_charm_avoids() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let text = sent_text(true, "both", "generic");
    let with_auth_uri = text.replace(
        "auth_url = ",
        "auth_uri = http://10.5.0.20:5000\nauth_url = ",
    );
    let conf = PRINCIPAL_PART.replace("{backends}", "generic") + &with_auth_uri;
    let rejected: Rejected = validator.check(&conf, &["generic"]).unwrap_err();
    for section in ["nova", "neutron", "cinder"] {
        assert!(
            rejected.mentions(&format!("{section}/auth_uri")),
            "{rejected}"
        );
    }
    let keys = format!(
        "[DEFAULT]\n{}\nservice_instance_flavour_id = 100\n",
        section_lines(&text, "generic").join("\n")
    );
    let rejected = validator.check(&keys, &[]).unwrap_err();
    assert!(
        rejected.mentions("DEFAULT/service_instance_flavour_id"),
        "{rejected}"
    );
    assert_eq!(rejected.errors.len(), 1, "{rejected}");
}
