//! Every manila.conf snapshot through `oslo-config-validator`, which knows every option
//! name Manila and its libraries register (it checks names, not values).
//!
//! Runs with the validator the testbed finds (`OSLO_CONFIG_VALIDATOR`, or xtask's venv);
//! without one the tests skip, unless `REQUIRE_OSLO_VALIDATOR=1`.

use std::fs;
use std::path::Path;

use manila_testbed::{Rejected, Validator};

/// The body of an insta snapshot: what follows the header's closing `---`.
fn snapshot_body(text: &str) -> &str {
    text.splitn(3, "---\n").nth(2).unwrap_or("")
}

/// The sections the plugins sent (everything after the charm's marker comment): back-end
/// sections are named by the plugins, so no namespace knows them, and the plugins' own
/// sections (manila-generic's `[nova]`, ...) are the plugin charms' to validate. The
/// charm only appends them verbatim.
fn plugin_sections(conf: &str) -> Vec<&str> {
    conf.lines()
        .skip_while(|l| !l.starts_with("# Share back ends"))
        .filter_map(|l| l.strip_prefix('[')?.strip_suffix(']'))
        .collect()
}

/// Validates a rendered manila.conf, skipping the plugins' sections.
fn validate(validator: &Validator, conf: &str) -> Result<(), Rejected> {
    validator.check(conf, &plugin_sections(conf))
}

#[test]
fn every_manila_conf_snapshot_passes_oslo_config_validator() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in fs::read_dir(&snapshots).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("manila.conf.snap") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        if let Err(complaints) = validate(&validator, snapshot_body(&text)) {
            failures.push(format!("{name}: {complaints}"));
        }
        checked += 1;
    }
    assert!(
        checked >= 4,
        "expected the manila.conf snapshots, found {checked}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The validator is not a test that cannot fail: a misspelt option is caught.
#[test]
fn the_validator_flags_an_unknown_option() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let conf = "[DEFAULT]\nenabled_share_backend = generic\n[bogus_section]\nfoo = bar\n";
    let rejected = validate(&validator, conf).unwrap_err();
    assert!(
        rejected.mentions("DEFAULT/enabled_share_backend"),
        "{rejected}"
    );
    assert!(rejected.mentions("bogus_section/foo"), "{rejected}");
}

/// The sections a back end may not be named after are those of every option namespace the
/// validator's installation knows (`manila_plugin::RESERVED_SECTIONS`): regenerated here and
/// compared, so that a new library section cannot go unnoticed.
#[test]
fn the_reserved_sections_are_those_of_the_known_option_namespaces() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let python = validator.path().with_file_name("python");
    let script = r#"
import json, warnings
warnings.filterwarnings("ignore")
from importlib.metadata import entry_points
from oslo_config import generator
groups = set()
for name in sorted({e.name for e in entry_points(group="oslo.config.opts")}):
    try:
        for _, listing in generator._list_opts([name]):
            for group, _ in listing:
                groups.add(getattr(group, "name", group) or "DEFAULT")
    except Exception:
        pass
print(json.dumps(sorted(groups, key=str.lower)))
"#;
    let output = std::process::Command::new(&python)
        .args(["-c", script])
        .output()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", python.display()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let known: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    // Every section the namespaces know is reserved (by name, or as an `oslo_*` section).
    let unreserved: Vec<&String> = known
        .iter()
        .filter(|group| !manila_plugin::is_reserved(group))
        .collect();
    assert!(
        unreserved.is_empty(),
        "add to manila_plugin::RESERVED_SECTIONS: {unreserved:?}"
    );
    assert!(known.len() >= 20, "{known:?}");
}

/// `use-syslog` and `use-internal-endpoints` write options Manila's namespaces know:
/// `[DEFAULT] use_syslog` (oslo.log), `[keystone_authtoken] interface`
/// (keystonemiddleware), and `endpoint_type` in manila's `nova`, `neutron` and `cinder`
/// groups, which are validated here too (only the back end's own section is skipped).
#[test]
fn the_logging_and_endpoint_options_are_manila_s() {
    let Some(validator) = Validator::find() else {
        return;
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/snapshots/it__nrpe__nrpe@syslog_internal_manila.conf.snap");
    let text = fs::read_to_string(path).unwrap();
    let conf = snapshot_body(&text);
    for option in [
        "use_syslog",
        "interface = internal",
        "endpoint_type = internalURL",
    ] {
        assert!(conf.contains(option), "{option}");
    }
    // The generic back end's `[nova] auth_uri` is its own (keystoneauth's legacy name,
    // which no namespace lists): the plugin charm's to answer for, not this option's.
    let conf = conf.replace("auth_uri = http://10.5.0.5:5000\n", "");
    validator.check(&conf, &["generic"]).unwrap();
    // And the validator does check those groups.
    let wrong = format!("{conf}\n[cinder]\nendpoint_typo = internalURL\n");
    assert!(validator
        .check(&wrong, &["generic"])
        .unwrap_err()
        .mentions("cinder/endpoint_typo"));
}
