//! `cargo xtask new-charm <name> [--subordinate]`: a working skeleton charm in
//! `charms/<name>/`, in the shape every charm here has (options declared once, `gather` →
//! pure `reconcile` → the toolkit's `Plan` and `apply`, a three-line `main`), with one
//! template in `templates/<name>/`, a `scenario` test and an emulator test. Its
//! `config.yaml` and README reference come from the generator every charm's come from:
//! `tests/tidy`'s drift check, run once in update mode after the charm is registered there.
//!
//! The skeleton's files are the `xtask/new-charm/*.in` texts with the names put in, so they
//! read as the code they become.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use clap::Args;

#[derive(Args)]
pub(crate) struct NewCharmArgs {
    /// The charm's name (`[a-z][a-z0-9-]*`): its directory, package, binary and application.
    name: String,
    /// A subordinate: `subordinate: true` and a container-scoped `juju-info` requirement;
    /// its emulator test deploys it beside a principal.
    #[arg(long)]
    subordinate: bool,
}

/// The names one charm name gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Names {
    /// `my-charm`: directory, package, binary, application.
    pub(crate) charm: String,
    /// `my_charm`: the library crate.
    pub(crate) krate: String,
    /// `MyCharm`: the type implementing `Charm`.
    pub(crate) type_name: String,
}

impl Names {
    pub(crate) fn new(charm: &str) -> Result<Names> {
        let valid = charm.starts_with(|c: char| c.is_ascii_lowercase())
            && !charm.ends_with('-')
            && !charm.contains("--")
            && charm
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            bail!("{charm:?} is not a charm name: lowercase letters, digits and single dashes, starting with a letter");
        }
        let type_name = charm
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        Ok(Names {
            charm: charm.to_owned(),
            krate: charm.replace('-', "_"),
            type_name,
        })
    }

    fn fill(&self, text: &str) -> String {
        text.replace("__name__", &self.charm)
            .replace("__crate__", &self.krate)
            .replace("__Type__", &self.type_name)
    }
}

/// The skeleton's files, as (path relative to the workspace root, text).
pub(crate) fn skeleton(names: &Names, subordinate: bool) -> Vec<(String, String)> {
    let charm = format!("charms/{}", names.charm);
    let (metadata_tail, deploy) = if subordinate {
        (SUBORDINATE_METADATA, DEPLOY_SUBORDINATE)
    } else {
        ("", DEPLOY_PRINCIPAL)
    };
    let files = [
        ("Cargo.toml", include_str!("../new-charm/Cargo.toml.in")),
        ("README.md", include_str!("../new-charm/README.md.in")),
        ("src/main.rs", include_str!("../new-charm/src/main.rs.in")),
        ("src/lib.rs", include_str!("../new-charm/src/lib.rs.in")),
        (
            "src/config.rs",
            include_str!("../new-charm/src/config.rs.in"),
        ),
        (
            "src/inputs.rs",
            include_str!("../new-charm/src/inputs.rs.in"),
        ),
        (
            "src/reconcile.rs",
            include_str!("../new-charm/src/reconcile.rs.in"),
        ),
        (
            "tests/it/main.rs",
            include_str!("../new-charm/tests/it/main.rs.in"),
        ),
    ];
    let mut out: Vec<(String, String)> = files
        .iter()
        .map(|(path, text)| (format!("{charm}/{path}"), names.fill(text)))
        .collect();
    out.push((
        format!("{charm}/metadata.yaml"),
        names.fill(&(METADATA.to_owned() + metadata_tail)),
    ));
    out.push((
        format!("{charm}/tests/emulator/main.rs"),
        names.fill(
            &include_str!("../new-charm/tests/emulator/main.rs.in").replace("__deploy__", deploy),
        ),
    ));
    out.push((
        format!("templates/{0}/{0}.conf", names.charm),
        include_str!("../new-charm/templates/conf.in").to_owned(),
    ));
    out
}

const METADATA: &str = "\
name: __name__
summary: The __name__ charm.
maintainers:
  - Manila charms in Rust <manila-charms@lists.example.org>
description: |
  What the charm deploys, for whom, and what it relates to.
tags:
  - openstack
";

const SUBORDINATE_METADATA: &str = "\
subordinate: true
requires:
  juju-info:
    interface: juju-info
    scope: container
";

const DEPLOY_PRINCIPAL: &str = "    model.deploy(APP, &charm, DeployOptions::new()).unwrap();";

const DEPLOY_SUBORDINATE: &str = r##"    // A subordinate runs beside a principal unit: the smallest charm there is, a `dispatch`
    // that does nothing.
    use std::os::unix::fs::PermissionsExt;
    let principal = dir.path().join("principal");
    std::fs::create_dir_all(&principal).unwrap();
    std::fs::write(
        principal.join("metadata.yaml"),
        "name: principal\nsummary: a principal\ndescription: a charm that does nothing\n",
    )
    .unwrap();
    let dispatch = principal.join("dispatch");
    std::fs::write(&dispatch, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&dispatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    model
        .deploy("principal", &principal, DeployOptions::new())
        .unwrap();
    model.deploy(APP, &charm, DeployOptions::new()).unwrap();
    model.relate(APP, "principal").unwrap();"##;

/// Where `tests/tidy` lists the charms its drift check covers.
const TIDY_MANIFEST: &str = "tests/tidy/Cargo.toml";
const TIDY_CHARMS: &str = "tests/tidy/tests/generated.rs";
const TIDY_MARKER: &str = "        // `cargo xtask new-charm` adds its rows above this line.\n";

/// Adds the charm to `tests/tidy`: a dev-dependency and a row of its drift check, which
/// fails for a charm directory it does not list.
pub(crate) fn register_in_tidy(root: &Path, names: &Names) -> Result<()> {
    let manifest_path = root.join(TIDY_MANIFEST);
    let charms_path = root.join(TIDY_CHARMS);
    let read = |path: &Path| fs::read_to_string(path).with_context(|| path.display().to_string());
    let (manifest, charms) = (read(&manifest_path)?, read(&charms_path)?);
    // Both edits are checked before either is made, so a failure leaves tests/tidy as it was.
    let (head, tail) = manifest
        .split_once("\n[lints]")
        .with_context(|| format!("{TIDY_MANIFEST} has no [lints] section to insert before"))?;
    if !charms.contains(TIDY_MARKER) {
        bail!("{TIDY_CHARMS} has lost its marker line {TIDY_MARKER:?}");
    }
    let dependency = format!("{0} = {{ path = \"../../charms/{0}\" }}\n", names.charm);
    let row = format!(
        "        Declared::of::<{0}::{1}, {0}::Config>(\"{2}\"),\n",
        names.krate, names.type_name, names.charm
    );
    fs::write(
        &manifest_path,
        format!("{}\n{dependency}\n[lints]{tail}", head.trim_end()),
    )?;
    fs::write(
        &charms_path,
        charms.replace(TIDY_MARKER, &(row + TIDY_MARKER)),
    )?;
    Ok(())
}

pub(crate) fn new_charm(root: &Path, args: &NewCharmArgs) -> Result<()> {
    let names = Names::new(&args.name)?;
    for taken in [
        root.join("charms").join(&names.charm),
        root.join("templates").join(&names.charm),
    ] {
        if taken.exists() {
            bail!("{} exists already", taken.display());
        }
    }
    let workspace = fs::read_to_string(root.join("Cargo.toml"))?;
    if workspace.contains(&format!("\n{} = ", names.charm)) {
        bail!("{} is a workspace crate's name already", names.charm);
    }
    for (path, text) in skeleton(&names, args.subordinate) {
        let path = root.join(path);
        fs::create_dir_all(path.parent().context("a file has a parent")?)?;
        fs::write(&path, text).with_context(|| path.display().to_string())?;
    }
    register_in_tidy(root, &names)?;
    crate::step(
        "format the new charm and tests/tidy",
        cargo(root, &["fmt", "-p", &names.charm, "-p", "tidy"]),
    )?;
    let mut generate = cargo(
        root,
        &["test", "-p", "tidy", "--test", "tidy", "generated::"],
    );
    generate.env("UPDATE_GENERATED", "1");
    crate::step("generate config.yaml and the README's reference", generate)?;
    eprintln!(
        "charms/{0} is ready: `cargo test -p {0}` runs its scenario and emulator tests.",
        names.charm
    );
    Ok(())
}

/// A cargo command as if run from a shell: without the variables cargo gives the process it
/// runs (`cargo xtask` is `cargo run`; a test is run by `cargo test`). Build scripts that
/// watch them (ring's watches `CARGO_MANIFEST_DIR` and `CARGO_PKG_NAME`) would otherwise
/// build again here, and again at the next cargo run from a shell.
pub(crate) fn cargo(root: &Path, args: &[&str]) -> std::process::Command {
    let mut command = crate::cargo(root, args);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let set_by_cargo = (key.starts_with("CARGO_")
            && !matches!(&*key, "CARGO_HOME" | "CARGO_TARGET_DIR"))
            || key == "OUT_DIR";
        if set_by_cargo {
            command.env_remove(&*key);
        }
    }
    command
}

#[cfg(test)]
mod tests;
