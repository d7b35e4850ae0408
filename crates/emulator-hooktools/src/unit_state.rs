//! `state-get`, `state-set`, `state-delete`: the unit's controller-side state, read through
//! this hook's pending writes and committed only when the hook exits 0.

use super::context::Bag;
use super::flags::{flag, Parsed, Switch, Target, FORMAT, O, OUTPUT};
use super::format::{self, Out};
use super::gotext::quote;
use super::relation::check_empty;
use super::{keyvalues, Failure, HookContext, Session, ToolSpec};

pub(crate) const STATE_GET: ToolSpec = ToolSpec {
    name: "state-get",
    synopsis: "[<key>]",
    purpose: "Print the unit's server-side state, or one key of it.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        flag(
            "strict",
            Target::Switch(Switch::Strict),
            "Return an error if the requested key does not exist",
        ),
    ],
    run: state_get,
};

pub(crate) const STATE_SET: ToolSpec = ToolSpec {
    name: "state-set",
    synopsis: "key=value [key=value ...]",
    purpose: "Set server-side state values of the unit.",
    flags: &[flag(
        "file",
        Target::File,
        "file containing key-value pairs (- for stdin)",
    )],
    run: state_set,
};

pub(crate) const STATE_DELETE: ToolSpec = ToolSpec {
    name: "state-delete",
    synopsis: "<key>",
    purpose: "Delete a server-side state key of the unit.",
    flags: &[],
    run: state_delete,
};

/// Juju's fixed limits on one state entry (`core/quota`).
const MAX_KEY_BYTES: usize = 256;
const MAX_VALUE_BYTES: usize = 64 * 1024;

/// The state as it will be after commit.
fn current(ctx: &HookContext) -> &Bag {
    ctx.pending.state.as_ref().unwrap_or(&ctx.unit_state)
}

fn state_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let key = match parsed.args.split_first() {
        Some((key, rest)) => {
            check_empty(rest)?;
            if *key == "-" {
                ""
            } else {
                *key
            }
        }
        None => "",
    };
    let state = current(ctx);
    if key.is_empty() {
        return format::write(session, &parsed, &Out::Bag(state));
    }
    match state.get(key) {
        Some(value) => format::write(session, &parsed, &Out::str(value.as_str())),
        None if parsed.on(Switch::Strict) => Err(Failure::Run(format!("{} not found", quote(key)))),
        // Juju prints the zero string: nothing in smart format, `""` in json.
        None => format::write(session, &parsed, &Out::str("")),
    }
}

fn state_set(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let overrides = keyvalues::parse(&parsed.args)?;
    let settings = keyvalues::settings(session, parsed.file(), &overrides)?;
    for (key, value) in &settings {
        if key.len() > MAX_KEY_BYTES {
            return Err(Failure::Run(format!(
                "max allowed key length ({MAX_KEY_BYTES}) exceeded quota limit exceeded"
            )));
        }
        if value.len() > MAX_VALUE_BYTES {
            return Err(Failure::Run(format!(
                "max allowed value length ({MAX_VALUE_BYTES}) exceeded quota limit exceeded"
            )));
        }
    }
    // Unlike relation settings, an empty value is stored, not deleted.
    let mut state = current(ctx).clone();
    let mut changed = false;
    for (key, value) in settings {
        if state.get(&key) != Some(&value) {
            state.insert(key, value);
            changed = true;
        }
    }
    if changed {
        ctx.pending.state = Some(state);
    }
    Ok(())
}

fn state_delete(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((key, rest)) = parsed.args.split_first() else {
        return Ok(());
    };
    check_empty(rest)?;
    if key.is_empty() || !current(ctx).contains_key(*key) {
        return Ok(());
    }
    let mut state = current(ctx).clone();
    state.remove(*key);
    ctx.pending.state = Some(state);
    Ok(())
}
