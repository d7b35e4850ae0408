//! Every charm's files that are generated from, copied from, or embedded in its code match
//! it: `config.yaml` (from the option declarations), `actions.yaml` (the shared schemas in
//! `actions/` the binary embeds), the README's reference part (options, relations, actions),
//! and `templates/<charm>/` (every file embedded, everything parses). One check for all the
//! charms under `charms/`; `UPDATE_GENERATED=1 cargo test -p tidy` rewrites what drifted.

use std::collections::BTreeSet;
use std::path::Path;

use charm::config::OptionSpec;
use charm::testing::{check_charm, check_embedded, check_generated};
use charm::{Charm, Options, Template};

use crate::workspace;

/// What the checks need of one charm: its directory under `charms/` and what its code
/// declares.
struct Declared {
    dir: &'static str,
    options: &'static [OptionSpec],
    metadata: &'static str,
    actions: &'static str,
    templates: &'static [Template],
    parses: fn() -> anyhow::Result<()>,
}

impl Declared {
    fn of<C: Charm, O: Options>(dir: &'static str) -> Declared {
        Declared {
            dir,
            options: O::OPTIONS,
            metadata: C::METADATA,
            actions: C::ACTIONS,
            templates: C::TEMPLATES,
            parses: check_charm::<C>,
        }
    }
}

/// Every charm under `charms/`; a directory missing here fails the test.
fn charms() -> Vec<Declared> {
    vec![
        Declared::of::<example_charm::Example, example_charm::Config>("example"),
        Declared::of::<manila_charm::Manila, manila_charm::Config>("manila"),
        Declared::of::<manila_generic_backend::GenericBackend, manila_generic_backend::Config>(
            "manila-generic-backend",
        ),
        Declared::of::<manila_netapp_backend::NetappBackend, manila_netapp_backend::Config>(
            "manila-netapp-backend",
        ),
        // `cargo xtask new-charm` adds its rows above this line.
    ]
}

#[test]
fn every_charm_directory_is_checked() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(workspace::root().join("charms"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let checked: BTreeSet<String> = charms().iter().map(|c| c.dir.to_owned()).collect();
    assert_eq!(
        on_disk, checked,
        "every charm under charms/ needs a row in tests/tidy/tests/generated.rs"
    );
}

#[test]
fn generated_and_copied_files_match_the_code() {
    let root = workspace::root();
    let mut drifted = Vec::new();
    for charm in charms() {
        let dir = root.join("charms").join(charm.dir);
        let mut check = |result: Result<(), String>| {
            if let Err(drift) = result {
                drifted.push(format!("charms/{}: {drift}", charm.dir));
            }
        };
        check(check_generated(
            &dir.join("config.yaml"),
            &charm::config::config_yaml(charm.options),
        ));
        check(actions_yaml(&dir, charm.actions));
        check(readme(&dir, &charm));
        check(check_embedded(
            charm.templates,
            &root.join("templates").join(charm.dir),
        ));
        check((charm.parses)().map_err(|e| format!("{e:#}")));
    }
    assert!(drifted.is_empty(), "{}", drifted.join("\n\n"));
}

/// A charm without actions ships no `actions.yaml` (an empty one is not a valid schema file).
fn actions_yaml(dir: &Path, actions: &str) -> Result<(), String> {
    let path = dir.join("actions.yaml");
    if actions.is_empty() {
        return match path.exists() {
            true => Err(format!(
                "{} exists, but the charm declares no actions",
                path.display()
            )),
            false => Ok(()),
        };
    }
    check_generated(&path, actions)
}

fn readme(dir: &Path, charm: &Declared) -> Result<(), String> {
    let path = dir.join("README.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let reference = charm::readme::reference(charm.options, charm.metadata, charm.actions)
        .map_err(|e| format!("cannot generate the README's reference: {e}"))?;
    check_generated(&path, &charm::readme::with_reference(&current, &reference))
}
