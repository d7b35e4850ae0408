//! Each bundle passes the emulator's verification (Juju's `bundleDataVerifier` checks: charms
//! exist, options exist with values of their type, relation endpoints exist and match, and
//! placement holds), names our charms by the paths `cargo xtask pack` writes, and names the
//! others as Charmhub charms with a channel, so that it deploys on a real controller.

use emulator::Bundle;
use serde_yaml::Value;

use crate::support::{bundle_names, workspace, Packed};

#[test]
fn every_bundle_verifies_against_the_charms_it_names() {
    let packed = Packed::get();
    let store = packed.store();
    for name in bundle_names() {
        let bundle = Bundle::load(packed.bundle(&name)).unwrap();
        assert!(!bundle.applications.is_empty(), "{name}");
        if let Err(err) = bundle.verify_with(Some(&store)) {
            panic!("{name}: {err}");
        }
    }
}

#[test]
fn local_charms_are_packed_archives_and_charmhub_charms_have_a_channel() {
    let local = Packed::get().local_charms();
    for name in bundle_names() {
        let text = std::fs::read_to_string(workspace().join("bundles").join(&name)).unwrap();
        let bundle: Value = serde_yaml::from_str(&text).unwrap();
        let apps = bundle["applications"].as_mapping().unwrap();
        for (app, def) in apps {
            let app = app.as_str().unwrap();
            let charm = def["charm"].as_str().unwrap();
            if let Some(path) = charm.strip_prefix("../build/") {
                let archive = path.strip_suffix(".charm").unwrap_or(path);
                assert!(
                    local.iter().any(|c| c == archive),
                    "{name}: {app}: {charm} is not what `cargo xtask pack` writes ({local:?})"
                );
                assert!(def.get("channel").is_none(), "{name}: {app}: a local charm");
            } else {
                assert!(
                    !charm.starts_with('.') && !charm.starts_with('/'),
                    "{name}: {app}: local charms are ../build/<name>.charm, not {charm}"
                );
                let channel = def["channel"].as_str().unwrap_or_default();
                assert!(
                    channel.ends_with("/stable"),
                    "{name}: {app}: Charmhub charm {charm} needs a stable channel, has {channel:?}"
                );
            }
        }
    }
}

/// What the issue asks of every `.charm`: the three YAML documents Juju reads, the manifest
/// with both bases, an executable `dispatch` and binary, the README, the LICENSE and the
/// `copyright` charm-proof asks for.
#[test]
fn every_packed_charm_holds_what_juju_and_operators_need() {
    use std::os::unix::fs::PermissionsExt;
    let packed = Packed::get();
    let license = std::fs::read(workspace().join("LICENSE")).unwrap();
    let unpacked = packed.temp_dir();
    for name in packed.local_charms() {
        let dir = unpacked.path().join(&name);
        charm_pack::extract(&packed.archive(&name), &dir).unwrap();
        for file in [
            "metadata.yaml",
            "config.yaml",
            "actions.yaml",
            "manifest.yaml",
            "README.md",
            "copyright",
        ] {
            assert!(dir.join(file).is_file(), "{name}: no {file}");
        }
        assert_eq!(
            std::fs::read(dir.join("LICENSE")).unwrap(),
            license,
            "{name}"
        );
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        for section in ["## Configuration", "## Relations", "## Actions"] {
            assert!(readme.contains(section), "{name}: README lacks {section}");
        }
        let manifest: Value =
            serde_yaml::from_str(&std::fs::read_to_string(dir.join("manifest.yaml")).unwrap())
                .unwrap();
        let bases: Vec<(&str, &str, &str)> = manifest["bases"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["name"].as_str().unwrap(),
                    b["channel"].as_str().unwrap(),
                    b["architectures"][0].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            bases,
            [("ubuntu", "22.04", "amd64"), ("ubuntu", "24.04", "amd64")],
            "{name}"
        );
        let dispatch = std::fs::read_to_string(dir.join("dispatch")).unwrap();
        let binary = dispatch
            .lines()
            .last()
            .and_then(|l| l.strip_prefix("exec ./"))
            .unwrap_or_else(|| panic!("{name}: dispatch does not exec the binary: {dispatch}"));
        for file in ["dispatch", binary] {
            let mode = std::fs::metadata(dir.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o755, "{name}: {file}");
        }
    }
}
