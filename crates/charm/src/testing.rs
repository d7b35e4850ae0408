//! Helpers for charms' own tests: generated files that must not drift, embedded templates that
//! must match their directory, a charm's definition files that must parse, hook environments.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use juju::HookEnv;

use crate::actions::ActionSchemas;
use crate::run::Charm;
use crate::templates::{Template, Templates};

/// Set (to anything) to rewrite generated files instead of comparing them.
pub const UPDATE_VAR: &str = "UPDATE_GENERATED";

/// Checks that the checked-in file at `path` holds exactly `generated`; with `UPDATE_GENERATED`
/// set, writes it instead. The error says how to fix a difference.
pub fn check_generated(path: &Path, generated: &str) -> Result<(), String> {
    if std::env::var_os(UPDATE_VAR).is_some() {
        return fs::write(path, generated)
            .map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    let on_disk = fs::read_to_string(path).unwrap_or_default();
    if on_disk == generated {
        Ok(())
    } else {
        Err(format!(
            "{} is not what the code generates; run `{UPDATE_VAR}=1 cargo test` to rewrite it.\n\
             --- checked in ---\n{on_disk}--- generated ---\n{generated}",
            path.display()
        ))
    }
}

/// Checks that `files` (from [`embed_templates!`](crate::embed_templates)) embeds exactly the
/// files under `dir`, so a template added to the directory cannot be forgotten in the list.
pub fn check_embedded(files: &[Template], dir: &Path) -> Result<(), String> {
    let mut on_disk = BTreeSet::new();
    collect(dir, dir, &mut on_disk).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let embedded: BTreeSet<String> = files.iter().map(|t| t.name.to_owned()).collect();
    let missing: Vec<_> = on_disk.difference(&embedded).collect();
    let extra: Vec<_> = embedded.difference(&on_disk).collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "templates in {} but not embedded: {missing:?}; embedded but not there: {extra:?}",
            dir.display()
        ))
    }
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.insert(relative.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// Checks that charm `C`'s embedded metadata, action schemas and templates all parse.
pub fn check_charm<C: Charm>() -> anyhow::Result<()> {
    crate::metadata::parse(C::METADATA)?;
    ActionSchemas::parse(C::ACTIONS)?;
    Templates::new(C::TEMPLATES).check()?;
    Ok(())
}

/// A hook environment for `unit` running `dispatch_path` (`hooks/install`,
/// `actions/greet`); set the relation fields for relation hooks.
pub fn hook_env(unit: &str, dispatch_path: &str) -> Result<HookEnv, juju::EnvError> {
    let charm_dir = format!("/var/lib/juju/agents/unit-{}/charm", unit.replace('/', "-"));
    HookEnv::from_vars(
        |var| match var {
            "JUJU_UNIT_NAME" => Some(unit.to_owned()),
            "JUJU_CHARM_DIR" => Some(charm_dir.clone()),
            "JUJU_DISPATCH_PATH" => Some(dispatch_path.to_owned()),
            _ => None,
        },
        "",
    )
}
