//! `storage-list`, `storage-get`, `storage-add` (`internal/worker/uniter/runner/jujuc/
//! storage-*.go`): the unit's storage instances, and requests for more (buffered).

use std::borrow::Cow;

use super::flags::{flag, Parsed, Target, Text, FORMAT, O, OUTPUT};
use super::format::{self, Out};
use super::gotext::{self, quote};
use super::relation::check_empty;
use super::{Failure, HookContext, Session, ToolSpec};

pub(crate) const STORAGE_LIST: ToolSpec = ToolSpec {
    name: "storage-list",
    synopsis: "[<storage-name>]",
    purpose: "List storage attached to the unit.",
    flags: &[FORMAT, O, OUTPUT],
    run: storage_list,
};

pub(crate) const STORAGE_GET: ToolSpec = ToolSpec {
    name: "storage-get",
    synopsis: "[<key>]",
    purpose: "Print information for the storage instance with the specified ID.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        flag(
            "s",
            Target::Text(Text::Storage, ""),
            "specify a storage instance by id",
        ),
    ],
    run: storage_get,
};

pub(crate) const STORAGE_ADD: ToolSpec = ToolSpec {
    name: "storage-add",
    synopsis: "<charm storage name>[=count] ...",
    purpose: "Add storage instances.",
    flags: &[],
    run: storage_add,
};

fn storage_list(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let name = match parsed.args.split_first() {
        Some((name, rest)) => {
            check_empty(rest)?;
            Some(*name)
        }
        None => None,
    };
    let ids: Vec<Cow<'_, str>> = ctx
        .storage
        .keys()
        .filter(|id| name.is_none_or(|name| id.split('/').next() == Some(name)))
        .map(|id| Cow::Borrowed(id.as_str()))
        .collect();
    format::write(session, &parsed, &Out::Strings(ids))
}

/// `names.IsValidStorage`: `<name>/<number>`, the name as charm storage names are.
fn valid_storage_id(id: &str) -> bool {
    let Some((name, number)) = id.split_once('/') else {
        return false;
    };
    let name_ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.ends_with('-');
    name_ok
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && (number == "0" || !number.starts_with('0'))
}

fn storage_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    // `-s` is checked as gnuflag sets it (`storage-id.go`), which Juju does before Init.
    let given = parsed.text(Text::Storage);
    let id = if given.is_empty() {
        ctx.hook_storage.clone()
    } else {
        let invalid = |reason: String| {
            Failure::Usage(format!(
                "invalid value {} for option -s: {reason}",
                quote(given)
            ))
        };
        if !valid_storage_id(given) {
            return Err(invalid(format!("invalid storage ID {}", quote(given))));
        }
        if !ctx.storage.contains_key(given) {
            return Err(invalid(format!("storage {} not found", quote(given))));
        }
        Some(given.to_owned())
    };
    let Some(id) = id else {
        return Err(Failure::Usage("no storage instance specified".to_owned()));
    };
    let key = match parsed.args.split_first() {
        Some((key, rest)) => {
            check_empty(rest)?;
            Some(*key)
        }
        None => None,
    };
    let storage = ctx
        .storage
        .get(&id)
        .ok_or_else(|| Failure::Run(format!("storage {} not found", quote(&id))))?;
    let fields = vec![
        (Cow::Borrowed("kind"), Out::str(storage.kind.as_str())),
        (
            Cow::Borrowed("location"),
            Out::str(storage.location.as_str()),
        ),
    ];
    let value = match key {
        None => Out::Map(fields),
        Some(key) => fields
            .into_iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
            .ok_or_else(|| Failure::Run(format!("invalid storage attribute {}", quote(key))))?,
    };
    format::write(session, &parsed, &value)
}

fn storage_add(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    if parsed.args.is_empty() {
        return Err(Failure::Usage(
            "storage add requires a storage directive".to_owned(),
        ));
    }
    let mut requested = Vec::new();
    for arg in &parsed.args {
        let (name, count) = match arg.split_once('=') {
            Some((name, count)) => {
                let count = gotext::atoi(count)
                    .filter(|n| *n > 0)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        Failure::Usage(format!(
                            "cannot parse count: count must be greater than zero, got {}",
                            quote(count)
                        ))
                    })?;
                (name, count)
            }
            None => (*arg, 1),
        };
        requested.push((name.to_owned(), count));
    }
    for (name, count) in requested {
        let Some(declared) = ctx.storage_declared.get(&name) else {
            return Err(Failure::Run(format!(
                "adding storage to unit: charm storage {} not found",
                quote(&name)
            )));
        };
        let existing = ctx
            .storage
            .keys()
            .filter(|id| id.split('/').next() == Some(name.as_str()))
            .count() as u32;
        let pending = ctx.pending.storage_add.get(&name).copied().unwrap_or(0);
        if declared
            .max
            .is_some_and(|max| existing + pending + count > max)
        {
            return Err(Failure::Run(format!(
                "adding storage to unit: attaching {count} storage instances brings the total to {}, exceeding the maximum of {}",
                existing + pending + count,
                declared.max.unwrap_or_default()
            )));
        }
        *ctx.pending.storage_add.entry(name).or_default() += count;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_ids_are_name_slash_number() {
        for good in ["data/0", "logs-a/12"] {
            assert!(valid_storage_id(good), "{good}");
        }
        for bad in ["data", "data/", "data/01", "Data/0", "data/x", "-a/0"] {
            assert!(!valid_storage_id(bad), "{bad}");
        }
    }
}
