//! `cargo xtask demo`: the README's main job. Packs the charms into `build/` and the fixture
//! charms standing in for the Charmhub ones (keystone, mysql-innodb-cluster, mysql-router,
//! rabbitmq-server, hacluster) into the charm store `build/store/`, deploys a bundle into a
//! fresh emulator model, settles it, prints the status table and where each unit's rendered
//! files are, and builds the emulator's command line, with which the README goes on.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use emulator::Model;

use crate::pack::{self, shown, PackArgs};

#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// The bundle to deploy.
    #[arg(default_value = "bundles/manila-aio.yaml")]
    bundle: PathBuf,
    /// Where the model lives (recreated); the emulator's CLI works on it afterwards.
    #[arg(long, default_value = "build/demo-model")]
    model: PathBuf,
}

/// Where the fixture charms are packed: the emulator's charm store.
pub(crate) const STORE: &str = "build/store";
/// The fixture charms' directory.
const FIXTURES: &str = "tests/fixtures/charms";
/// The emulator's `juju`-like command line (`crates/juju-emulator`).
const EMULATOR_CLI: &str = "juju-emulator";

/// Files worth pointing at after a deploy, when a unit rendered them.
const INTERESTING_FILES: &[&str] = &[
    "/etc/manila/manila.conf",
    "/etc/haproxy/haproxy.cfg",
    "/etc/example/greeter.conf",
];

pub(crate) fn demo(root: &Path, args: &DemoArgs) -> Result<()> {
    pack::pack(root, &PackArgs::all())?;
    pack::pack(
        root,
        &PackArgs::every_charm_in(&root.join(FIXTURES), Path::new(STORE))?,
    )?;
    // Built before the deploy, so that its compile output does not push the status away.
    let cli = build_emulator_cli(root)?;
    let bundle = root.join(&args.bundle);
    let dir = root.join(&args.model);
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    eprintln!(
        "==> deploy {} into {} (Charmhub names from {STORE})",
        args.bundle.display(),
        args.model.display()
    );
    let mut model = Model::new(&dir)?;
    // Manila's packages are data the charms' test support supplies; written beside the
    // store too, for the CLI's `--catalog`.
    let catalog = manila_testbed::workspace_catalog();
    let catalog_file = root.join(STORE).join("catalog.yaml");
    std::fs::write(&catalog_file, serde_yaml::to_string(&catalog)?)
        .with_context(|| format!("writing {}", catalog_file.display()))?;
    model.set_catalog(catalog)?;
    model.set_charm_store(root.join(STORE))?;
    model.on_hook(|record| eprintln!("    {}", record.summary()));
    model.deploy_bundle(&bundle)?;
    let report = model.settle()?;
    eprintln!("==> settled ({report:?})");
    println!("{}", emulator::status::render(&model));
    for app in model.applications() {
        for unit in model.units(&app) {
            // A subordinate's files are its principal's, listed once under the principal.
            if model.principal_of(&unit)?.is_some() {
                continue;
            }
            let root = model.machine_root(model.machine_of(&unit)?);
            for file in INTERESTING_FILES {
                let path = root.join(file.trim_start_matches('/'));
                if path.exists() {
                    println!("{unit}: {file} is at {}", path.display());
                }
            }
        }
    }
    println!(
        "\nThe model stays in {}; try: {} --model {} status",
        args.model.display(),
        shown(root, &cli),
        args.model.display()
    );
    Ok(())
}

/// Builds the emulator's command line, which the demo's last line and the README's next
/// steps run; returns where cargo wrote it.
fn build_emulator_cli(root: &Path) -> Result<PathBuf> {
    eprintln!("==> build the emulator's command line ({EMULATOR_CLI}) in release mode");
    let built = pack::cargo_build(
        root,
        &["--release", "-p", EMULATOR_CLI, "--bin", EMULATOR_CLI],
    )?;
    built
        .into_iter()
        .find_map(|((_, name), executable)| (name == EMULATOR_CLI).then_some(executable))
        .with_context(|| format!("cargo built no {EMULATOR_CLI} binary"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_runs_the_emulator_cli_the_demo_builds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let readme = fs::read_to_string(root.join("README.md")).unwrap();
        let cli = format!("target/release/{EMULATOR_CLI} --model build/demo-model");
        assert!(readme.contains(&cli), "README.md never runs {cli}");
        let cli = fs::read_to_string(root.join("crates/juju-emulator/Cargo.toml")).unwrap();
        assert!(
            cli.contains(&format!("name = \"{EMULATOR_CLI}\"")),
            "crates/juju-emulator is not the package {EMULATOR_CLI}"
        );
    }
}
