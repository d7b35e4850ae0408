//! `is-leader`, `leader-get`, `leader-set` (Juju 3.x leader settings, written at once).

use super::context::{Bag, Effect};
use super::flags::{Parsed, FORMAT, O, OUTPUT};
use super::format::{self, Out};
use super::gotext::quote;
use super::relation::check_empty;
use super::{keyvalues, Failure, HookContext, Session, ToolSpec};

pub(crate) const IS_LEADER: ToolSpec = ToolSpec {
    name: "is-leader",
    synopsis: "",
    purpose: "Print whether this unit is the application's leader.",
    flags: &[FORMAT, O, OUTPUT],
    run: is_leader,
};

pub(crate) const LEADER_GET: ToolSpec = ToolSpec {
    name: "leader-get",
    synopsis: "[<key>|-]",
    purpose: "Print the application's leader settings, or one of them.",
    flags: &[FORMAT, O, OUTPUT],
    run: leader_get,
};

pub(crate) const LEADER_SET: ToolSpec = ToolSpec {
    name: "leader-set",
    synopsis: "<key>=<value> [...]",
    purpose: "Write the application's leader settings (leader only, at once).",
    flags: &[],
    run: leader_set,
};

fn is_leader(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    check_empty(&parsed.args)?;
    format::write(session, &parsed, &Out::Bool(ctx.leader))
}

/// The leader settings as the controller holds them now: the snapshot, or this hook's last
/// write.
fn current_settings(ctx: &HookContext) -> &Bag {
    ctx.effects
        .iter()
        .rev()
        .find_map(|effect| match effect {
            Effect::LeaderSettings(settings) => Some(settings),
            _ => None,
        })
        .unwrap_or(&ctx.leader_settings)
}

fn leader_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let key = match parsed.args.split_first() {
        None => "",
        Some((&"-", rest)) => {
            check_empty(rest)?;
            ""
        }
        Some((key, rest)) => {
            if key.contains('=') {
                return Err(Failure::Usage(format!("invalid key {}", quote(key))));
            }
            check_empty(rest)?;
            *key
        }
    };
    let settings = current_settings(ctx);
    let value = if key.is_empty() {
        Out::Bag(settings)
    } else {
        settings
            .get(key)
            .map_or(Out::Nil, |value| Out::str(value.as_str()))
    };
    format::write(session, &parsed, &value)
}

fn leader_set(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let pairs = keyvalues::parse(&parsed.args)?;
    if !ctx.leader {
        return Err(Failure::Run(
            "cannot write leadership settings: cannot write settings: not the leader".to_owned(),
        ));
    }
    // The controller merges: an empty value deletes the key.
    let mut settings = current_settings(ctx).clone();
    for (key, value) in pairs {
        if value.is_empty() {
            settings.remove(key);
        } else {
            settings.insert(key.to_owned(), value.to_owned());
        }
    }
    if &settings != current_settings(ctx) {
        ctx.effects.push(Effect::LeaderSettings(settings));
    }
    Ok(())
}
