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
