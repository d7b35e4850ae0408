//! The text this charm sends, checked by oslo.config itself against the NetApp driver's
//! options.
//!
//! - `oslo-config-validator` checks option names. Manila's option namespace lists most of
//!   the driver's options but not all (`netapp_vserver`, of `netapp_cluster_opts`, is only
//!   registered when the driver loads), so the validator is fed option data: the namespaces
//!   a manila.conf uses (`manila_testbed::MANILA_NAMESPACES`) plus every option list of
//!   `manila.share.drivers.netapp.options`. The whole file is checked with the back-end
//!   sections excluded (no namespace knows their names), then their keys copied into
//!   `[DEFAULT]`, where the driver's options are registered.
//! - oslo.config then reads every value back, typed, with the driver's and Manila's options
//!   registered in each back end's section as the share manager registers them.
//!
//! Runs with the validator the testbed finds (`OSLO_CONFIG_VALIDATOR`, or xtask's venv);
//! without one the tests skip, unless `REQUIRE_OSLO_VALIDATOR=1`.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use manila_testbed::{Validator, MANILA_NAMESPACES};
use serde_json::Value;
use tempfile::TempDir;

use crate::fixtures::{self, run, set, Mode, PLUGIN};

/// Writes the validator's option data: the namespaces given, and the NetApp driver's options
/// in `[DEFAULT]`.
const OPTION_DATA: &str = r#"
import sys, warnings
warnings.filterwarnings("ignore")
import yaml
from oslo_config import cfg, generator
from manila.share.drivers.netapp import options as netapp
out, *namespaces = sys.argv[1:]
listed = generator._list_opts(namespaces)
driver = [o for name in sorted(dir(netapp)) if name.endswith("_opts") for o in getattr(netapp, name)]
listed.append(("manila.share.drivers.netapp", [(None, driver)]))
conf = cfg.ConfigOpts()
generator.register_cli_opts(conf)
conf(["--namespace", "manila"])
data = generator._generate_machine_readable_data(generator._get_groups(listed), conf)
with open(out, "w") as f:
    yaml.safe_dump(data, f)
"#;

/// Reads every key of each back-end section (argv: the file, then the section names) as
/// the option of Manila's `[DEFAULT]` or of the NetApp driver it names, registered in the
/// section;
/// prints `{section: {key: value}}`. An unknown key or a value of the wrong type fails.
const READ_BACK: &str = r#"
import json, sys, warnings
warnings.filterwarnings("ignore")
from oslo_config import cfg, generator
from manila.share.drivers.netapp import options as netapp
path, *sections = sys.argv[1:]
opts = {}
for _, groups in generator._list_opts(["manila"]):
    for group, listed in groups:
        if group is None or getattr(group, "name", group) == "DEFAULT":
            opts.update((o.dest, o) for o in listed)
for name in dir(netapp):
    if name.endswith("_opts"):
        opts.update((o.dest, o) for o in getattr(netapp, name))
parsed = {}
cfg.ConfigParser(path, parsed).parse()
conf = cfg.ConfigOpts()
for section in sections:
    unknown = [key for key in parsed[section] if key not in opts]
    if unknown:
        sys.exit(f"[{section}]: unknown {unknown}")
    conf.register_opts([opts[key] for key in parsed[section]], group=section)
conf(args=[], default_config_files=[path])
out = {s: {key: conf[s][key] for key in parsed[s]} for s in sections}
print(json.dumps(out, default=str))
"#;

/// The text a ready unit sends in `mode`, as back end `name`, with `options` set.
fn sent_text(mode: Mode, name: &str, options: &[(&str, &str)]) -> String {
    let mut state = fixtures::configured(mode);
    set(&mut state, "share-backend-name", name);
    for (option, value) in options {
        set(&mut state, option, *value);
    }
    let state = fixtures::related(state, fixtures::credentials());
    run(fixtures::changed(&state, PLUGIN), &state)
        .text(PLUGIN)
        .unwrap()
}

/// Every option away from its default.
const EVERY_OPTION: &[(&str, &str)] = &[
    ("admin-name", "vsadmin"),
    ("transport-type", "https"),
    ("netapp-server-port", "8443"),
    ("backend-availability-zone", "az2"),
    ("root-volume-name", "svm_root"),
    ("aggregate-name-search-pattern", "^aggr_(ssd|hdd)$"),
    ("enabled-share-protocols", "nfs4.1"),
    ("standalone-network-network-type", "vlan"),
    ("standalone-network-segmentation-id", "1010"),
    ("standalone-network-mtu", "9000"),
    (
        "standalone-network-allowed-ip-ranges",
        "10.0.0.10-10.0.0.99,10.0.0.200",
    ),
    ("standalone-network-mask", "255.255.255.0"),
    ("standalone-network-gateway", "10.0.0.1"),
    (
        "goodness-function",
        "capabilities.total_capacity_gb > 10 ? 100 : 0",
    ),
];

/// Each mode as its own back end, and every option set: `(name, text)`.
fn back_ends() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = Mode::ALL
        .iter()
        .map(|mode| {
            let name = mode.name().replace('_', "-");
            (name.clone(), sent_text(*mode, &name, &[]))
        })
        .collect();
    let text = sent_text(Mode::Standalone, "every-option", EVERY_OPTION);
    all.push(("every-option".to_owned(), text));
    all
}

/// manila.conf as the manila charm assembles it: its own part, then the back ends' text.
fn manila_conf(back_ends: &[(String, String)]) -> String {
    let names: Vec<&str> = back_ends.iter().map(|(name, _)| name.as_str()).collect();
    let mut conf = format!(
        "[DEFAULT]\nenabled_share_backends = {}\nstate_path = /var/lib/manila\n\n",
        names.join(",")
    );
    for (_, text) in back_ends {
        conf.push_str(text);
        conf.push('\n');
    }
    conf
}

/// The `key = value` lines of section `name` in `text`.
fn section_lines<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    let header = format!("[{name}]");
    let lines = text.lines().skip_while(|l| *l != header).skip(1);
    lines
        .take_while(|l| !l.starts_with('['))
        .filter(|l| l.contains(" = "))
        .collect()
}

/// The validator and the option data it is fed, in a scratch directory.
struct Checker {
    validator: Validator,
    dir: TempDir,
    opt_data: PathBuf,
}

impl Checker {
    fn new() -> Option<Checker> {
        let validator = Validator::find()?;
        let dir = tempfile::tempdir().unwrap();
        let opt_data = dir.path().join("opt-data.yaml");
        let mut args = vec!["-c", OPTION_DATA, opt_data.to_str().unwrap()];
        args.extend(MANILA_NAMESPACES);
        python(&validator, &args);
        Some(Checker {
            validator,
            dir,
            opt_data,
        })
    }

    /// The validator's `ERROR` lines about `conf`, skipping the groups `exclude`.
    fn errors(&self, conf: &str, exclude: &[&str]) -> Vec<String> {
        let input = self.write("manila.conf", conf);
        let mut cmd = Command::new(self.validator.path());
        cmd.arg("--opt-data")
            .arg(&self.opt_data)
            .arg("--input-file")
            .arg(&input);
        for group in exclude {
            cmd.args(["--exclude-group", group]);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<String> = stderr
            .lines()
            .filter(|l| l.starts_with("ERROR"))
            .map(str::to_owned)
            .collect();
        assert_eq!(out.status.success(), errors.is_empty(), "{stderr}");
        errors
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        fs::write(&path, text).unwrap();
        path
    }
}

/// Runs the validator's Python with `args`; its stdout.
fn python(validator: &Validator, args: &[&str]) -> String {
    let python = validator.path().with_file_name("python");
    let out = Command::new(&python).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {stderr}", python.display());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_mode_passes_oslo_config_validator_with_the_netapp_options() {
    let Some(checker) = Checker::new() else {
        return;
    };
    let back_ends = back_ends();
    let names: Vec<&str> = back_ends.iter().map(|(name, _)| name.as_str()).collect();
    let conf = manila_conf(&back_ends);
    assert_eq!(conf.matches("\n[neutron]\n").count(), 1, "{conf}");
    assert_eq!(checker.errors(&conf, &names), Vec::<String>::new());
    let mut defaults = String::from("[DEFAULT]\n");
    for (name, text) in &back_ends {
        let lines = section_lines(text, name);
        assert!(lines.len() >= 10, "[{name}] in:\n{text}");
        defaults.push_str(&format!("# {name}\n{}\n", lines.join("\n")));
    }
    assert_eq!(checker.errors(&defaults, &[]), Vec::<String>::new());
}

/// The validator is not a test that cannot fail: the reference's dead
/// `netapp_root_volume_name` (removed from Manila in Xena; `root-volume-name` goes to
/// `netapp_root_volume` here) and its `auth_uri` in `[neutron]` are both caught.
#[test]
fn the_validator_flags_what_the_charm_avoids() {
    let Some(checker) = Checker::new() else {
        return;
    };
    let text = sent_text(Mode::Neutron, "netapp", &[]);
    let upstream = text
        .replace("netapp_root_volume = ", "netapp_root_volume_name = ")
        .replace(
            "auth_url = ",
            "auth_uri = http://10.5.0.20:5000\nauth_url = ",
        );
    let errors = checker.errors(&upstream, &[]);
    let flagged = |needle: &str| errors.iter().any(|e| e.contains(needle));
    assert!(flagged("neutron/auth_uri"), "{errors:#?}");
    assert!(flagged("netapp/netapp_root_volume_name"), "{errors:#?}");
    let defaults = format!(
        "[DEFAULT]\n{}\n",
        section_lines(&upstream, "netapp").join("\n")
    );
    let errors = checker.errors(&defaults, &[]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("DEFAULT/netapp_root_volume_name"),
        "{errors:#?}"
    );
}

/// What Manila's NetApp driver reads: each value typed as the driver's option declares it.
#[test]
fn oslo_config_reads_back_what_the_options_say() {
    let Some(checker) = Checker::new() else {
        return;
    };
    let back_ends = back_ends();
    let path = checker.write("manila.conf", &manila_conf(&back_ends));
    let mut args = vec!["-c", READ_BACK, path.to_str().unwrap()];
    args.extend(back_ends.iter().map(|(name, _)| name.as_str()));
    let read: Value = serde_json::from_str(&python(&checker.validator, &args)).unwrap();
    let every = &read["every-option"];
    let expected = serde_json::json!({
        "share_backend_name": "every-option",
        "share_driver": "manila.share.drivers.netapp.common.NetAppDriver",
        "driver_handles_share_servers": true,
        "netapp_storage_family": "ontap_cluster",
        "netapp_server_hostname": "10.5.0.50",
        "netapp_login": "vsadmin",
        "netapp_password": "ontap-pw",
        "netapp_transport_type": "https",
        "netapp_server_port": 8443,
        "backend_availability_zone": "az2",
        "netapp_aggregate_name_search_pattern": "^aggr_(ssd|hdd)$",
        "goodness_function": "capabilities.total_capacity_gb > 10 ? 100 : 0",
        "netapp_root_volume_aggregate": "aggr1",
        "netapp_root_volume": "svm_root",
        "netapp_enabled_share_protocols": ["nfs4.1"],
        "network_api_class": "manila.network.standalone_network_plugin.StandaloneNetworkPlugin",
        "standalone_network_plugin_gateway": "10.0.0.1",
        "standalone_network_plugin_mask": "255.255.255.0",
        "standalone_network_plugin_network_type": "vlan",
        "standalone_network_plugin_segmentation_id": 1010,
        "standalone_network_plugin_mtu": 9000,
        "standalone_network_plugin_allowed_ip_ranges": ["10.0.0.10-10.0.0.99", "10.0.0.200"],
    });
    assert_eq!(every, &expected);
    assert_eq!(read["dhss-false"]["netapp_vserver"], "svm0");
    assert_eq!(read["dhss-false"]["driver_handles_share_servers"], false);
    assert_eq!(
        read["dhss-true-neutron"]["netapp_enabled_share_protocols"],
        serde_json::json!(["nfs3", "nfs4.0", "nfs4.1"])
    );
}
