//! `action-get`, `action-set`, `action-fail`, `action-log`; outside an action they fail as
//! Juju's context does (`not running an action`, exit 1).

use serde_json::{Map, Value};

use super::context::{Effect, Invocation};
use super::flags::{Parsed, FORMAT, O, OUTPUT};
use super::format::{self, Out};
use super::gotext::quote;
use super::relation::check_empty;
use super::{Failure, HookContext, Session, ToolSpec};

pub(crate) const ACTION_GET: ToolSpec = ToolSpec {
    name: "action-get",
    synopsis: "[<key>[.<key>.<key>...]]",
    purpose: "Print the action's parameters, or one of them.",
    flags: &[FORMAT, O, OUTPUT],
    run: action_get,
};

pub(crate) const ACTION_SET: ToolSpec = ToolSpec {
    name: "action-set",
    synopsis: "<key>=<value> [<key>=<value> ...]",
    purpose: "Add values to the action's results.",
    flags: &[],
    run: action_set,
};

pub(crate) const ACTION_FAIL: ToolSpec = ToolSpec {
    name: "action-fail",
    synopsis: "[\"<failure message>\"]",
    purpose: "Mark the action failed, with a message.",
    flags: &[],
    run: action_fail,
};

pub(crate) const ACTION_LOG: ToolSpec = ToolSpec {
    name: "action-log",
    synopsis: "<message>",
    purpose: "Record a progress message for the action.",
    flags: &[],
    run: action_log,
};

/// Result keys Juju fills in itself.
const RESERVED_KEYS: [&str; 4] = ["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

fn not_running_an_action() -> Failure {
    Failure::Run("not running an action".to_owned())
}

fn params(ctx: &HookContext) -> Result<&Map<String, Value>, Failure> {
    match &ctx.invocation {
        Invocation::Action { params, .. } => Ok(params),
        Invocation::Hook { .. } => Err(not_running_an_action()),
    }
}

fn in_action(ctx: &HookContext) -> Result<(), Failure> {
    params(ctx).map(|_| ())
}

fn action_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let path = match parsed.args.split_first() {
        Some((path, rest)) => {
            check_empty(rest)?;
            Some(*path)
        }
        None => None,
    };
    let params = params(ctx)?;
    let value = match path {
        None => Out::json_map(params.iter()),
        Some(path) => {
            let mut keys = path.split('.');
            let first = keys.next().and_then(|key| params.get(key));
            keys.try_fold(first, |value, key| match value {
                Some(Value::Object(map)) => Some(map.get(key)),
                _ => None,
            })
            .flatten()
            .map_or(Out::Nil, Out::Json)
        }
    };
    format::write(session, &parsed, &value)
}

/// `juju/charm`'s action name rule, applied to each dotted part of a result key.
fn valid_key_part(part: &str) -> bool {
    let b = part.as_bytes();
    let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter().all(|c| edge(c) || *c == b'-')
}

fn action_set(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let mut updates = Vec::with_capacity(parsed.args.len());
    for arg in &parsed.args {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(Failure::Usage(format!(
                "argument {} must be of the form key...=value",
                quote(arg)
            )));
        };
        let parts: Vec<&str> = key.split('.').collect();
        for part in &parts {
            if !valid_key_part(part) {
                return Err(Failure::Usage(format!(
                    "key {} must start and end with lowercase alphanumeric, and contain only \
                     lowercase alphanumeric, hyphens and periods",
                    quote(part)
                )));
            }
            if RESERVED_KEYS.contains(part) {
                return Err(Failure::Usage(format!(
                    "cannot set reserved action key \"{part}\""
                )));
            }
        }
        updates.push((parts, value));
    }
    // Juju only asks for the results map once there is something to put in it.
    if !updates.is_empty() {
        in_action(ctx)?;
    }
    for (parts, value) in updates {
        insert_result(&mut ctx.action.results, &parts, value);
    }
    Ok(())
}

/// Juju's `addValueToMap`: walk (or make) nested maps along the dotted key, replacing any
/// non-map in the way, and set the last part.
fn insert_result(results: &mut Map<String, Value>, parts: &[&str], value: &str) {
    let Some((last, path)) = parts.split_last() else {
        return;
    };
    let mut map = results;
    for part in path {
        let slot = map
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        map = next;
    }
    map.insert((*last).to_owned(), Value::String(value.to_owned()));
}

fn action_fail(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let message = match parsed.args.split_first() {
        Some((message, rest)) => {
            check_empty(rest)?;
            *message
        }
        None => "action failed without reason given, check action for errors",
    };
    in_action(ctx)?;
    ctx.action.failure = Some(message.to_owned());
    Ok(())
}

fn action_log(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    if parsed.args.is_empty() {
        return Err(Failure::Usage("no message specified".to_owned()));
    }
    in_action(ctx)?;
    ctx.effects.push(Effect::ActionLog(parsed.args.join(" ")));
    Ok(())
}
