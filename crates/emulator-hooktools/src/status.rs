//! `status-set`, `status-get`, `application-version-set`, `juju-log`: all written at once.

use std::borrow::Cow;

use super::context::{Effect, StatusSnapshot};
use super::flags::{flag, Parsed, Switch, Target, Text, DEPRECATED_FORMAT, FORMAT, O, OUTPUT};
use super::format::{self, Format, Out};
use super::gotext::quote;
use super::relation::check_empty;
use super::{hook_relation, Failure, HookContext, Session, ToolSpec};

pub(crate) const STATUS_SET: ToolSpec = ToolSpec {
    name: "status-set",
    synopsis: "<maintenance | blocked | waiting | active> [message]",
    purpose: "Set the unit's (or, for the leader, the application's) workload status.",
    flags: &[flag(
        "application",
        Target::Switch(Switch::Application),
        "set the application's status (leader only)",
    )],
    run: status_set,
};

pub(crate) const STATUS_GET: ToolSpec = ToolSpec {
    name: "status-get",
    synopsis: "[--include-data] [--application]",
    purpose: "Print the unit's (or application's) workload status.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        flag(
            "include-data",
            Target::Switch(Switch::IncludeData),
            "print all status data",
        ),
        flag(
            "application",
            Target::Switch(Switch::Application),
            "print the status of the application and its units (leader only)",
        ),
    ],
    run: status_get,
};

pub(crate) const APPLICATION_VERSION_SET: ToolSpec = ToolSpec {
    name: "application-version-set",
    synopsis: "<new-version>",
    purpose: "Set the workload version shown in juju status.",
    flags: &[],
    run: application_version_set,
};

pub(crate) const JUJU_LOG: ToolSpec = ToolSpec {
    name: "juju-log",
    synopsis: "<message>",
    purpose: "Write a message to the unit's log.",
    flags: &[
        flag("debug", Target::Switch(Switch::Debug), "log at debug level"),
        flag(
            "l",
            Target::Text(Text::LogLevel, "INFO"),
            "Send log message at the given level",
        ),
        flag("log-level", Target::Text(Text::LogLevel, "INFO"), ""),
        DEPRECATED_FORMAT,
    ],
    run: juju_log,
};

const SETTABLE: [&str; 4] = ["maintenance", "blocked", "waiting", "active"];

fn not_the_leader() -> String {
    "this unit is not the leader".to_owned()
}

fn status_set(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((status, rest)) = parsed.args.split_first() else {
        return Err(Failure::Usage(
            "invalid args, require <status> [message]".to_owned(),
        ));
    };
    if !SETTABLE.contains(status) {
        return Err(Failure::Usage(format!(
            "invalid status {}, expected one of [{}]",
            quote(status),
            SETTABLE.join(" ")
        )));
    }
    let message = match rest.split_first() {
        Some((message, rest)) => {
            check_empty(rest)?;
            *message
        }
        None => "",
    };
    let (status, message) = ((*status).to_owned(), message.to_owned());
    if parsed.on(Switch::Application) {
        if !ctx.leader {
            return Err(Failure::Run(not_the_leader()));
        }
        ctx.effects.push(Effect::AppStatus { status, message });
    } else {
        ctx.effects.push(Effect::UnitStatus { status, message });
    }
    Ok(())
}

/// The unit status the controller holds now: the snapshot, or this hook's last `status-set`
/// (which carries no data).
fn live_unit_status(ctx: &HookContext) -> StatusSnapshot {
    ctx.effects
        .iter()
        .rev()
        .find_map(|effect| match effect {
            Effect::UnitStatus { status, message } => Some(StatusSnapshot {
                status: status.clone(),
                message: message.clone(),
                data: Default::default(),
            }),
            _ => None,
        })
        .unwrap_or_else(|| ctx.unit_status.clone())
}

fn live_app_status(ctx: &HookContext) -> StatusSnapshot {
    ctx.effects
        .iter()
        .rev()
        .find_map(|effect| match effect {
            Effect::AppStatus { status, message } => Some(StatusSnapshot {
                status: status.clone(),
                message: message.clone(),
                data: Default::default(),
            }),
            _ => None,
        })
        .unwrap_or_else(|| ctx.app_status.clone())
}

/// Juju's `toDetails`: a Go map, so json and yaml print its keys sorted.
fn details(status: &StatusSnapshot, include_data: bool) -> Vec<(Cow<'_, str>, Out<'_>)> {
    let mut fields = vec![(Cow::Borrowed("status"), Out::str(status.status.as_str()))];
    if include_data {
        fields.push((Cow::Borrowed("message"), Out::str(status.message.as_str())));
        fields.push((
            Cow::Borrowed("status-data"),
            Out::json_map(status.data.iter()),
        ));
    }
    fields
}

fn status_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    check_empty(&parsed.args)?;
    let include_data = parsed.on(Switch::IncludeData);
    let bare = !include_data && parsed.format == Format::Smart;
    if parsed.on(Switch::Application) {
        if !ctx.leader {
            return Err(Failure::Run(format!(
                "finding application status: {}",
                not_the_leader()
            )));
        }
        // Juju asks the controller every time, so this sees this hook's status-set calls.
        let app = live_app_status(ctx);
        if bare {
            return format::write(session, &parsed, &Out::str(app.status.as_str()));
        }
        let own = live_unit_status(ctx);
        let units = ctx
            .app_unit_statuses
            .iter()
            .map(|(unit, status)| {
                let status = if *unit == ctx.unit { &own } else { status };
                (
                    Cow::Borrowed(unit.as_str()),
                    Out::Map(details(status, include_data)),
                )
            })
            .collect();
        let mut fields = details(&app, include_data);
        fields.push((Cow::Borrowed("units"), Out::Map(units)));
        let value = Out::Map(vec![(
            Cow::Borrowed("application-status"),
            Out::Map(fields),
        )]);
        return format::write(session, &parsed, &value);
    }
    // Juju reads the unit status once per hook and serves later calls from that cache.
    let unit = match &ctx.memo.unit_status {
        Some(seen) => seen.clone(),
        None => {
            let live = live_unit_status(ctx);
            ctx.memo.unit_status = Some(live.clone());
            live
        }
    };
    if bare {
        return format::write(session, &parsed, &Out::str(unit.status.as_str()));
    }
    format::write(session, &parsed, &Out::Map(details(&unit, include_data)))
}

fn application_version_set(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((version, rest)) = parsed.args.split_first() else {
        return Err(Failure::Usage("no version specified".to_owned()));
    };
    check_empty(rest)?;
    ctx.effects
        .push(Effect::WorkloadVersion((*version).to_owned()));
    Ok(())
}

/// loggo's levels, as `juju-log -l` accepts them (any case; `WARN` too).
fn log_level(name: &str) -> Option<Option<&'static str>> {
    let level = match name.to_ascii_uppercase().as_str() {
        // A valid level that loggo never writes.
        "UNSPECIFIED" => None,
        "TRACE" => Some("TRACE"),
        "DEBUG" => Some("DEBUG"),
        "INFO" => Some("INFO"),
        "WARNING" | "WARN" => Some("WARNING"),
        "ERROR" => Some("ERROR"),
        "CRITICAL" => Some("CRITICAL"),
        _ => return None,
    };
    Some(level)
}

fn juju_log(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    if parsed.args.is_empty() {
        return Err(Failure::Usage("no message specified".to_owned()));
    }
    session.deprecated_format_notice(&parsed, "juju-log");
    let requested = parsed.text(Text::LogLevel);
    let level = if parsed.on(Switch::Debug) {
        Some("DEBUG")
    } else if requested.is_empty() {
        Some("INFO")
    } else if let Some(level) = log_level(requested) {
        level
    } else {
        ctx.effects.push(Effect::Log {
            level: "WARNING".to_owned(),
            message: format!("Specified log level of {} is not valid", quote(requested)),
        });
        Some("INFO")
    };
    let Some(level) = level else { return Ok(()) };
    let mut message = String::new();
    if let Some(hook) = hook_relation(ctx) {
        if let Some(relation) = ctx.relations.get(&hook.relation_id) {
            message = format!("{}:{}: ", relation.endpoint, hook.relation_id);
        }
    }
    message.push_str(&parsed.args.join(" "));
    ctx.effects.push(Effect::Log {
        level: level.to_owned(),
        message,
    });
    Ok(())
}
