//! Every charm's files that are generated from, copied from, or embedded in its code match
//! it: `config.yaml` (from the option declarations), `actions.yaml` (the shared schemas in
//! `actions/` the binary embeds), the README's reference part (options, relations, actions),
//! and `templates/<charm>/` (every file embedded, everything parses). One check for all the
//! charms under `charms/` and, for `config.yaml` and parsing, the fixture charms under
//! `tests/fixtures/`; `UPDATE_GENERATED=1 cargo test -p tidy` rewrites what drifted.

use std::collections::BTreeSet;
use std::path::Path;

use charm::config::OptionSpec;
use charm::testing::{check_charm, check_embedded, check_generated};
use charm::{Charm, Options, Template};

use crate::workspace;

/// What the checks need of one charm: its directory and what its code declares.
struct Declared {
    /// Relative to the workspace root.
    dir: String,
    options: &'static [OptionSpec],
    metadata: &'static str,
    actions: &'static str,
    templates: &'static [Template],
    parses: fn() -> anyhow::Result<()>,
    /// A charm we ship: a README with the generated reference, actions copied from
    /// `actions/`, templates from `templates/<charm>/`. A fixture has none of these (its
    /// actions.yaml is the file it embeds).
    shipped: bool,
}

impl Declared {
    /// The charm in `charms/<name>`.
    fn of<C: Charm, O: Options>(name: &str) -> Declared {
        Declared {
            dir: format!("charms/{name}"),
            options: O::OPTIONS,
            metadata: C::METADATA,
            actions: C::ACTIONS,
            templates: C::TEMPLATES,
            parses: check_charm::<C>,
            shipped: true,
        }
    }

    /// A fixture charm (some declare their options as a table, some as a `Config`).
    fn fixture<C: Charm>(dir: &str, options: &'static [OptionSpec]) -> Declared {
        Declared {
            dir: dir.to_owned(),
            options,
            metadata: C::METADATA,
            actions: C::ACTIONS,
            templates: C::TEMPLATES,
            parses: check_charm::<C>,
            shipped: false,
        }
    }
}

/// Every charm; a charm directory missing here fails the test.
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
        Declared::fixture::<fixture_hacluster::Hacluster>(
            "tests/fixtures/charms/hacluster",
            <fixture_hacluster::Config as Options>::OPTIONS,
        ),
        Declared::fixture::<fixture_keystone::Keystone>(
            "tests/fixtures/charms/keystone",
            <fixture_keystone::Config as Options>::OPTIONS,
        ),
        Declared::fixture::<fixture_mysql::Mysql>(
            "tests/fixtures/charms/mysql",
            fixture_mysql::OPTIONS,
        ),
        Declared::fixture::<fixture_mysql_innodb_cluster::MysqlInnodbCluster>(
            "tests/fixtures/charms/mysql-innodb-cluster",
            fixture_mysql_innodb_cluster::OPTIONS,
        ),
        Declared::fixture::<fixture_mysql_router::MysqlRouter>(
            "tests/fixtures/charms/mysql-router",
            fixture_mysql_router::OPTIONS,
        ),
        Declared::fixture::<fixture_nrpe::Nrpe>(
            "tests/fixtures/charms/nrpe",
            fixture_nrpe::OPTIONS,
        ),
        Declared::fixture::<fixture_rabbitmq_server::RabbitmqServer>(
            "tests/fixtures/charms/rabbitmq-server",
            <fixture_rabbitmq_server::Config as Options>::OPTIONS,
        ),
        Declared::fixture::<fixture_vault::Vault>(
            "tests/fixtures/charms/vault",
            <fixture_vault::Config as Options>::OPTIONS,
        ),
        Declared::fixture::<dummy_backend::DummyBackend>(
            "tests/fixtures/real-charms/dummy-backend",
            <dummy_backend::Config as Options>::OPTIONS,
        ),
        Declared::fixture::<real_keystone::RealKeystone>(
            "tests/fixtures/real-charms/real-keystone",
            <real_keystone::Config as Options>::OPTIONS,
        ),
        Declared::fixture::<real_mysql::RealMysql>("tests/fixtures/real-charms/real-mysql", &[]),
        Declared::fixture::<real_rabbitmq::RealRabbitmq>(
            "tests/fixtures/real-charms/real-rabbitmq",
            &[],
        ),
    ]
}

const CHARM_DIRS: &[&str] = &[
    "charms",
    "tests/fixtures/charms",
    "tests/fixtures/real-charms",
];

#[test]
fn every_charm_directory_is_checked() {
    let root = workspace::root();
    let mut on_disk = BTreeSet::new();
    for parent in CHARM_DIRS {
        for entry in std::fs::read_dir(root.join(parent)).unwrap() {
            let entry = entry.unwrap();
            if entry.path().join("Cargo.toml").is_file() {
                on_disk.insert(format!("{parent}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    let checked: BTreeSet<String> = charms().into_iter().map(|c| c.dir).collect();
    assert_eq!(
        on_disk, checked,
        "every charm directory needs a row in tests/tidy/tests/generated.rs"
    );
}

#[test]
fn generated_and_copied_files_match_the_code() {
    let root = workspace::root();
    let mut drifted = Vec::new();
    for charm in charms() {
        let dir = root.join(&charm.dir);
        let mut check = |result: Result<(), String>| {
            if let Err(drift) = result {
                drifted.push(format!("{}: {drift}", charm.dir));
            }
        };
        check(check_generated(
            &dir.join("config.yaml"),
            &charm::config::config_yaml(charm.options),
        ));
        check((charm.parses)().map_err(|e| format!("{e:#}")));
        if charm.shipped {
            let name = dir.file_name().unwrap();
            check(actions_yaml(&dir, charm.actions));
            check(readme(&dir, &charm));
            check(check_embedded(
                charm.templates,
                &root.join("templates").join(name),
            ));
        }
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
