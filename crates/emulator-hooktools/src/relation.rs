//! `relation-ids`, `relation-list`, `relation-get`, `relation-set`.
//!
//! Databag rules (contract §5.4): a unit reads its own bag with this hook's pending writes, and
//! so does the leader for its application's bag; anything else is read "from the controller"
//! (the snapshot), where the own application's bag is the leader's alone except on peer
//! relations, and a remote unit must be one of the relation's.

use std::borrow::Cow;

use super::context::{Bag, RelationSnapshot};
use super::flags::{flag, Parsed, Switch, Target, FORMAT, O, OUTPUT, R, RELATION};
use super::format::{self, Out};
use super::gotext::{quote, quote_list};
use super::{application_of, hook_relation, keyvalues, Failure, HookContext, Session, ToolSpec};

pub(crate) const RELATION_IDS: ToolSpec = ToolSpec {
    name: "relation-ids",
    synopsis: "[<endpoint>]",
    purpose: "List the ids of the relations on an endpoint.",
    flags: &[FORMAT, O, OUTPUT],
    run: relation_ids,
};

pub(crate) const RELATION_LIST: ToolSpec = ToolSpec {
    name: "relation-list",
    synopsis: "",
    purpose: "List the remote units of a relation.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        R,
        RELATION,
        flag(
            "app",
            Target::Switch(Switch::App),
            "List the remote application instead of its units",
        ),
    ],
    run: relation_list,
};

pub(crate) const RELATION_GET: ToolSpec = ToolSpec {
    name: "relation-get",
    synopsis: "[<key>|-] [<unit or application>]",
    purpose: "Print a relation databag, or one of its keys.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        R,
        RELATION,
        flag(
            "app",
            Target::Switch(Switch::App),
            "Read an application databag rather than a unit's",
        ),
    ],
    run: relation_get,
};

pub(crate) const RELATION_SET: ToolSpec = ToolSpec {
    name: "relation-set",
    synopsis: "key=value [key=value ...]",
    purpose: "Write this unit's (or, for the leader, this application's) relation databag.",
    flags: &[
        R,
        RELATION,
        flag(
            "file",
            Target::File,
            "file containing key-value pairs (- for stdin)",
        ),
        flag(
            "app",
            Target::Switch(Switch::App),
            "write the application databag (leader only)",
        ),
        super::flags::DEPRECATED_FORMAT,
    ],
    run: relation_set,
};

pub(crate) fn check_empty(args: &[&str]) -> Result<(), Failure> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "unrecognized args: {}",
            quote_list(args)
        )))
    }
}

fn usage(message: &str) -> Failure {
    Failure::Usage(message.to_owned())
}

fn relation_ids(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let endpoint = match parsed.args.split_first() {
        Some((endpoint, rest)) => {
            check_empty(rest)?;
            *endpoint
        }
        None => hook_relation(ctx)
            .and_then(|hook| ctx.relations.get(&hook.relation_id))
            .map(|relation| relation.endpoint.as_str())
            .ok_or_else(|| usage("no endpoint name specified"))?,
    };
    let mut ids: Vec<Cow<'_, str>> = ctx
        .relations
        .iter()
        .filter(|(_, relation)| relation.endpoint == endpoint && !relation.broken)
        .map(|(id, relation)| Cow::Owned(format!("{}:{id}", relation.endpoint)))
        .collect();
    // Juju sorts the `endpoint:id` strings, so `db:10` comes before `db:9`.
    ids.sort();
    format::write(session, &parsed, &Out::Strings(ids))
}

fn the_relation(parsed: &Parsed<'_>) -> Result<u32, Failure> {
    parsed
        .relation
        .ok_or_else(|| usage("no relation id specified"))
}

fn relation_list(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let id = the_relation(&parsed)?;
    check_empty(&parsed.args)?;
    let relation = &ctx.relations[&id];
    let value = if parsed.on(Switch::App) {
        Out::str(relation.remote_app.as_str())
    } else {
        Out::Strings(
            relation
                .members
                .iter()
                .map(|unit| Cow::Borrowed(unit.as_str()))
                .collect(),
        )
    };
    format::write(session, &parsed, &value)
}

fn relation_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let id = the_relation(&parsed)?;
    let mut args = parsed.args.as_slice();
    let key = match args.split_first() {
        Some((key, rest)) => {
            args = rest;
            if *key == "-" {
                ""
            } else {
                key
            }
        }
        None => "",
    };
    let mut app = parsed.on(Switch::App);
    let target: &str = match args.split_first() {
        Some((name, rest)) => {
            args = rest;
            if app {
                if is_valid_application(name) {
                    name
                } else if is_valid_unit(name) {
                    application_of(name)
                } else {
                    // Juju leaves the target empty here; the controller then refuses it.
                    ""
                }
            } else if is_valid_unit(name) {
                name
            } else if is_valid_application(name) {
                return Err(Failure::Usage(format!(
                    "expected unit name, got application name {}",
                    quote(name)
                )));
            } else {
                return Err(Failure::Usage(format!("invalid unit name {}", quote(name))));
            }
        }
        None => {
            // The defaults are the hook's remote unit and application, whatever `-r` says.
            let hook = hook_relation(ctx);
            let remote_unit = hook.and_then(|hook| hook.remote_unit.as_deref());
            let remote_unit = remote_unit.filter(|unit| !unit.is_empty());
            let remote_app = hook
                .map(|hook| hook.remote_app.as_str())
                .filter(|a| !a.is_empty());
            match (app, remote_unit, remote_app) {
                (true, _, Some(remote_app)) => remote_app,
                (false, Some(remote_unit), _) => remote_unit,
                // relation-created, relation-broken, app-level relation-changed: Juju silently
                // reads the remote application's bag.
                (false, None, Some(remote_app)) => {
                    app = true;
                    remote_app
                }
                _ => return Err(usage("no unit or application specified")),
            }
        }
    };
    check_empty(args)?;

    let relation = &ctx.relations[&id];
    let bag = read_bag(ctx, id, relation, target, app)?;
    let value = if key.is_empty() {
        Out::Bag(bag)
    } else {
        bag.get(key)
            .map_or(Out::Nil, |value| Out::str(value.as_str()))
    };
    format::write(session, &parsed, &value)
}

/// The bag `relation-get` reads for `target`.
fn read_bag<'a>(
    ctx: &'a HookContext,
    id: u32,
    relation: &'a RelationSnapshot,
    target: &str,
    app: bool,
) -> Result<&'a Bag, Failure> {
    let local_app = application_of(&ctx.unit);
    if !app && target == ctx.unit {
        return Ok(local_unit_bag(ctx, id, relation));
    }
    if app && target == local_app {
        if ctx.leader {
            return Ok(local_app_bag(ctx, id, relation));
        }
        if relation.peer {
            return Ok(&relation.local_app);
        }
        return Err(permission_denied());
    }
    if app {
        return if target == relation.remote_app {
            Ok(&relation.remote_app_bag)
        } else {
            Err(permission_denied())
        };
    }
    if application_of(target) != relation.remote_app {
        return Err(permission_denied());
    }
    relation
        .remote_units
        .get(target)
        .ok_or_else(permission_denied)
}

fn permission_denied() -> Failure {
    Failure::Run("permission denied".to_owned())
}

/// This unit's bag as it will be after commit.
pub(crate) fn local_unit_bag<'a>(
    ctx: &'a HookContext,
    id: u32,
    relation: &'a RelationSnapshot,
) -> &'a Bag {
    ctx.pending
        .relation_unit
        .get(&id)
        .unwrap_or(&relation.local_unit)
}

/// This application's bag as it will be after commit (the leader's view).
fn local_app_bag<'a>(ctx: &'a HookContext, id: u32, relation: &'a RelationSnapshot) -> &'a Bag {
    ctx.pending
        .relation_app
        .get(&id)
        .unwrap_or(&relation.local_app)
}

fn relation_set(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let id = the_relation(&parsed)?;
    let overrides = keyvalues::parse(&parsed.args)?;

    session.deprecated_format_notice(&parsed, "relation-set");
    let settings = keyvalues::settings(session, parsed.file(), &overrides)?;
    let app = parsed.on(Switch::App);
    if app && !ctx.leader {
        return Err(Failure::Run("cannot write relation settings".to_owned()));
    }
    let relation = &ctx.relations[&id];
    let current = if app {
        local_app_bag(ctx, id, relation)
    } else {
        local_unit_bag(ctx, id, relation)
    };
    let mut updated = current.clone();
    for (key, value) in settings {
        if value.is_empty() {
            updated.remove(&key);
        } else {
            updated.insert(key, value);
        }
    }
    if &updated != current {
        let pending = if app {
            &mut ctx.pending.relation_app
        } else {
            &mut ctx.pending.relation_unit
        };
        pending.insert(id, updated);
    }
    Ok(())
}

/// `names.IsValidApplication`: lowercase words of letters and digits joined by single
/// hyphens, starting with a letter, every word after the first holding a letter.
pub(crate) fn is_valid_application(name: &str) -> bool {
    let mut words = name.split('-');
    let first_ok = words.next().is_some_and(|first| {
        first.starts_with(|c: char| c.is_ascii_lowercase())
            && first
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    first_ok
        && words.all(|word| {
            word.bytes().any(|b| b.is_ascii_lowercase())
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `names.IsValidUnit`: `<application>/<number>` without leading zeros.
pub(crate) fn is_valid_unit(name: &str) -> bool {
    let Some((app, number)) = name.split_once('/') else {
        return false;
    };
    is_valid_application(app)
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && (number == "0" || !number.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn juju_names() {
        for app in ["mysql", "manila-generic", "a1", "a-1b", "x-y-z"] {
            assert!(is_valid_application(app), "{app}");
        }
        for bad in ["", "1a", "Mysql", "a-", "-a", "a--b", "a-1", "a_b", "a/0"] {
            assert!(!is_valid_application(bad), "{bad}");
        }
        for unit in ["mysql/0", "manila-generic/12"] {
            assert!(is_valid_unit(unit), "{unit}");
        }
        for bad in [
            "mysql",
            "mysql/",
            "mysql/01",
            "mysql/-1",
            "1a/0",
            "mysql/0/1",
        ] {
            assert!(!is_valid_unit(bad), "{bad}");
        }
    }
}
