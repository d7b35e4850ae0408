//! What a charm asks its agent for beyond the model's data: `credential-get`,
//! `resource-get`, `relation-model-get`, `juju-reboot`, `add-metric`.

use std::borrow::Cow;

use super::context::Invocation;
use super::flags::{flag, Parsed, Switch, Target, Text, FORMAT, O, OUTPUT, R, RELATION};
use super::format::{self, Out};
use super::gotext::quote;
use super::relation::check_empty;
use super::{Failure, HookContext, Session, ToolSpec};

pub(crate) const CREDENTIAL_GET: ToolSpec = ToolSpec {
    name: "credential-get",
    synopsis: "",
    purpose: "Access cloud credentials.",
    flags: &[FORMAT, O, OUTPUT],
    run: credential_get,
};

pub(crate) const RESOURCE_GET: ToolSpec = ToolSpec {
    name: "resource-get",
    synopsis: "<resource name>",
    purpose: "Get the path to the locally cached resource file.",
    flags: &[],
    run: resource_get,
};

pub(crate) const RELATION_MODEL_GET: ToolSpec = ToolSpec {
    name: "relation-model-get",
    synopsis: "",
    purpose: "Get details about the model hosing a related application.",
    flags: &[FORMAT, O, OUTPUT, R, RELATION],
    run: relation_model_get,
};

pub(crate) const JUJU_REBOOT: ToolSpec = ToolSpec {
    name: "juju-reboot",
    synopsis: "",
    purpose: "Reboot the host machine.",
    flags: &[flag(
        "now",
        Target::Switch(Switch::Now),
        "reboot immediately, killing the invoking process",
    )],
    run: juju_reboot,
};

pub(crate) const ADD_METRIC: ToolSpec = ToolSpec {
    name: "add-metric",
    synopsis: "key1=value1 [key2=value2 ...]",
    purpose: "Add metrics.",
    flags: &[
        flag(
            "l",
            Target::Text(Text::Labels, ""),
            "labels to be associated with metric values",
        ),
        flag("labels", Target::Text(Text::Labels, ""), ""),
    ],
    run: add_metric,
};

/// `jujuc/credential-get.go`: the model's cloud spec, for trusted applications only.
fn credential_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    check_empty(&parsed.args)?;
    match &ctx.credential {
        Some(spec) => format::write(session, &parsed, &Out::Json(spec)),
        None => Err(Failure::Run(
            "cannot access cloud credentials: permission denied".to_owned(),
        )),
    }
}

/// `jujuc/resource-get.go`: the path of the resource file the application was deployed with.
fn resource_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((name, rest)) = parsed.args.split_first() else {
        return Err(Failure::Usage("missing required resource name".to_owned()));
    };
    check_empty(rest)?;
    let path = ctx.resources.get(*name).ok_or_else(|| {
        Failure::Run(format!(
            "could not download resource: resource {} not found",
            quote(name)
        ))
    })?;
    session.stdout.extend_from_slice(path.as_bytes());
    Ok(())
}

/// `jujuc/relation-model-get.go`: the related application's model; in this emulator every
/// relation is within the model.
fn relation_model_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    parsed
        .relation
        .ok_or_else(|| Failure::Usage("no relation id specified".to_owned()))?;
    check_empty(&parsed.args)?;
    let value = Out::Struct(vec![(
        "uuid",
        Out::str(Cow::Borrowed(ctx.model_uuid.as_str())),
    )]);
    format::write(session, &parsed, &value)
}

/// `jujuc/reboot.go`: a reboot once the hook succeeds, or (`--now`) one that ends the hook,
/// which Juju runs again after the machine is back.
fn juju_reboot(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    check_empty(&parsed.args)?;
    if matches!(ctx.invocation, Invocation::Action { .. }) {
        return Err(Failure::Run(
            "juju-reboot is not supported when running an action.".to_owned(),
        ));
    }
    ctx.pending.reboot = true;
    if parsed.on(Switch::Now) {
        ctx.effects.push(super::context::Effect::RebootNow);
    }
    Ok(())
}

/// `jujuc/add-metric.go`: metrics are only taken in `collect-metrics`, which machine charms
/// in Juju 3.6 without a metered charm never get (`runner/context/context.go` `AddMetric`).
fn add_metric(
    _ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    if parsed.args.is_empty() {
        return Err(Failure::Usage("no metrics specified".to_owned()));
    }
    for arg in &parsed.args {
        if !arg.contains('=') {
            return Err(Failure::Usage(format!(
                "expected \"key=value\", got {}",
                quote(arg)
            )));
        }
    }
    Err(Failure::Run(
        "metrics not allowed in this context".to_owned(),
    ))
}
