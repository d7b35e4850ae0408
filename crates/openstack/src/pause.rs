//! The OpenStack charms' service actions: `pause`, `resume` and `restart-services`
//! (`actions/openstack-pause.yaml`), as charmhelpers' `pause_unit`/`resume_unit` and
//! charms.openstack's `restart_services` do them.
//!
//! - **pause** stops each service, disables and masks it (so neither a reboot, a package's
//!   maintainer script nor a stray `systemctl start` brings it back), and records the unit as
//!   paused ([`is_paused`]). While paused, hooks may render files but a charm's plan leaves
//!   every service alone ([`ServiceState::Untouched`](charm::ServiceState::Untouched)), so
//!   nothing restarts or starts; only `resume` clears the flag.
//! - **resume** unmasks and enables each service, starts those the charm wants running, and
//!   clears the flag; the charm then converges as in any hook, so the status is recomputed
//!   and the services run with the current configuration.
//! - **restart-services** stops all the services, then starts them all; refused while paused.
//!
//! The charm passes the services: the ones it manages, without those another manager owns
//! (on a clustered unit, Pacemaker's haproxy). Each action reports the services it acted on
//! (`action-set`) and fails (`action-fail`) naming every service that did not end in the
//! wanted state, with the reference's message per service (`"<svc> didn't pause
//! cleanly."`); what was done stays done, as in the reference (a unit that failed to pause is
//! still paused).

use charm::{ActionError, Context, Error, UnitState};
use host::Host;
use juju::{LogLevel, ToolRunner};

/// The schemas of the three actions, shared by the OpenStack charms (a charm's `actions.yaml`
/// includes this text).
pub const SCHEMA: &str = include_str!("../../../actions/openstack-pause.yaml");

/// One of the three actions, by its name in [`SCHEMA`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServicesAction {
    Pause,
    Resume,
    RestartServices,
}

impl ServicesAction {
    pub const ALL: [ServicesAction; 3] = [
        ServicesAction::Pause,
        ServicesAction::Resume,
        ServicesAction::RestartServices,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ServicesAction::Pause => "pause",
            ServicesAction::Resume => "resume",
            ServicesAction::RestartServices => "restart-services",
        }
    }

    pub fn from_name(name: &str) -> Option<ServicesAction> {
        ServicesAction::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// The status of a paused unit (charms.openstack's exact words).
pub const PAUSED: &str = "Paused. Use 'resume' action to resume normal service.";

/// Unit-state key of the paused flag (the name units deployed before this crate existed
/// already carry).
const PAUSED_KEY: &str = "charm.paused";

/// Whether the operator paused the unit: its services stay down and are not restarted.
pub fn is_paused(state: &UnitState) -> bool {
    state.get(PAUSED_KEY) == Some("true")
}

/// Records the unit as paused, or not.
pub fn set_paused(state: &mut UnitState, paused: bool) {
    if paused {
        state.set(PAUSED_KEY, "true");
    } else {
        state.remove(PAUSED_KEY);
    }
}

/// The status of a paused unit some of whose services run (charmhelpers'
/// `check_actually_paused` words).
pub fn still_running(services: &[&str]) -> String {
    format!(
        "Services should be paused but these services running: {}",
        services.join(", ")
    )
}

/// Why `restart-services` refuses to run on a paused unit.
pub const RESTART_WHILE_PAUSED: &str =
    "The unit is paused: its services stay stopped until the 'resume' action.";

/// What an action did to each service it was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicesReport {
    /// The services that ended as wanted, in the order given.
    pub done: Vec<String>,
    /// The services that did not, each with what went wrong (for the log).
    pub failed: Vec<(String, String)>,
}

impl ServicesReport {
    fn record(&mut self, service: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.done.push(service.to_owned()),
            Err(why) => self.failed.push((service.to_owned(), why)),
        }
    }

    /// The names of the services that failed.
    pub fn failed_names(&self) -> Vec<&str> {
        self.failed.iter().map(|(name, _)| name.as_str()).collect()
    }
}

/// Stops, disables and masks each of `services` (charmhelpers' `service_pause`); a service
/// fails when it still runs afterwards or the init system refused.
pub fn pause_services(host: &Host, services: &[&str]) -> ServicesReport {
    let mut report = ServicesReport::default();
    for name in services {
        let outcome = (|| {
            let service = host.service(name).map_err(|e| e.to_string())?;
            if service.is_running().map_err(|e| e.to_string())? {
                service.stop().map_err(|e| error_chain(&e))?;
            }
            if service.is_enabled().map_err(|e| e.to_string())? {
                service.disable().map_err(|e| error_chain(&e))?;
            }
            service.mask().map_err(|e| error_chain(&e))?;
            match service.is_running() {
                Ok(false) => Ok(()),
                Ok(true) => Err("still running".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        })();
        report.record(name, outcome);
    }
    report
}

/// Unmasks and enables each of `services`, and starts those of them in `start` that do not
/// run (charmhelpers' `service_resume`); a service fails when the init system refused or one
/// to start does not run afterwards.
pub fn resume_services(host: &Host, services: &[&str], start: &[&str]) -> ServicesReport {
    let mut report = ServicesReport::default();
    for name in services {
        let outcome = (|| {
            let service = host.service(name).map_err(|e| e.to_string())?;
            if !service.is_enabled().map_err(|e| e.to_string())? {
                service.unmask().map_err(|e| error_chain(&e))?;
                service.enable().map_err(|e| error_chain(&e))?;
            }
            if !start.contains(name) || service.is_running().map_err(|e| e.to_string())? {
                return Ok(());
            }
            service.start().map_err(|e| error_chain(&e))?;
            match service.is_running_after_start() {
                Ok(true) => Ok(()),
                Ok(false) => Err("not running after start".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        })();
        report.record(name, outcome);
    }
    report
}

/// Stops every one of `services`, then starts every one (charms.openstack's
/// `restart_services`: a service never runs beside a stopped peer of the old configuration).
pub fn restart_services(host: &Host, services: &[&str]) -> ServicesReport {
    let mut stop_failures = Vec::new();
    for name in services {
        let stopped = host
            .service(name)
            .and_then(|service| service.stop())
            .map_err(|e| error_chain(&e));
        if let Err(why) = stopped {
            stop_failures.push((*name, why));
        }
    }
    let mut report = ServicesReport::default();
    for name in services {
        if let Some((_, why)) = stop_failures.iter().find(|(n, _)| n == name) {
            report.record(name, Err(why.clone()));
            continue;
        }
        let outcome = host
            .service(name)
            .and_then(|service| {
                service.start()?;
                service.is_running_after_start()
            })
            .map_err(|e| error_chain(&e))
            .and_then(|running| {
                if running {
                    Ok(())
                } else {
                    Err("not running after start".to_owned())
                }
            });
        report.record(name, outcome);
    }
    report
}

/// The `pause` action: pauses `services` (see [`pause_services`]), records the unit as
/// paused, reports `stopped` (and `failed`), and shows [`PAUSED`], or `blocked` naming the
/// services that still run.
pub fn pause<R: ToolRunner>(
    ctx: &mut Context<R>,
    services: &[&str],
) -> Result<ServicesReport, Error> {
    let report = pause_services(ctx.host(), services);
    // What ran before is no longer what runs.
    ctx.forget_running()?;
    set_paused(ctx.state()?, true);
    finish(ctx, &report, "stopped", "pause")?;
    if report.failed.is_empty() {
        ctx.status().maintenance(PAUSED);
    } else {
        ctx.status().blocked(still_running(&report.failed_names()));
    }
    Ok(report)
}

/// The `resume` action: unmasks and enables `services`, starts those in `start` (see
/// [`resume_services`]), clears the paused flag and reports `started` (and `failed`). The
/// charm converges afterwards to recompute its status; on a failure it shows `blocked`
/// naming the services that do not run.
pub fn resume<R: ToolRunner>(
    ctx: &mut Context<R>,
    services: &[&str],
    start: &[&str],
) -> Result<ServicesReport, Error> {
    let report = resume_services(ctx.host(), services, start);
    // What ran before is no longer what runs.
    ctx.forget_running()?;
    set_paused(ctx.state()?, false);
    finish(ctx, &report, "started", "resume")?;
    block_on_failures(ctx, &report);
    Ok(report)
}

/// The `restart-services` action: refused on a paused unit (`None`), else restarts
/// `services` (see [`restart_services`]) and reports `restarted` (and `failed`); on a failure
/// it shows `blocked` naming the services that do not run.
pub fn restart<R: ToolRunner>(
    ctx: &mut Context<R>,
    services: &[&str],
) -> Result<Option<ServicesReport>, Error> {
    if is_paused(ctx.state()?) {
        ctx.action()?.fail(RESTART_WHILE_PAUSED);
        return Ok(None);
    }
    let report = restart_services(ctx.host(), services);
    // What ran before is no longer what runs.
    ctx.forget_running()?;
    finish(ctx, &report, "restarted", "restart")?;
    block_on_failures(ctx, &report);
    Ok(Some(report))
}

/// `action`, one of the three, on a charm that runs no service of its own and has no other
/// action (a subordinate back end): pausing only records the pause (the charm's status says
/// so until `resume`), and `restart-services` is refused while paused. Any other action is
/// not the charm's ([`ActionError::Unknown`]).
pub fn run_without_services<R: ToolRunner>(
    ctx: &mut Context<R>,
    action: &str,
) -> Result<ServicesAction, Error> {
    let which =
        ServicesAction::from_name(action).ok_or_else(|| ActionError::Unknown(action.to_owned()))?;
    match which {
        ServicesAction::Pause => {
            pause(ctx, &[])?;
        }
        ServicesAction::Resume => {
            resume(ctx, &[], &[])?;
        }
        ServicesAction::RestartServices => {
            restart(ctx, &[])?;
        }
    }
    Ok(which)
}

fn block_on_failures<R: ToolRunner>(ctx: &mut Context<R>, report: &ServicesReport) {
    if !report.failed.is_empty() {
        ctx.status()
            .blocked(crate::status::not_running(&report.failed_names()));
    }
}

/// Sets the results (`<done_key>`: the services acted on, `failed`: those that were not) and,
/// on failures, logs why and fails the action as the reference words it.
fn finish<R: ToolRunner>(
    ctx: &mut Context<R>,
    report: &ServicesReport,
    done_key: &str,
    verb: &str,
) -> Result<(), Error> {
    for (service, why) in &report.failed {
        ctx.log(
            LogLevel::Warning,
            &format!("{service} didn't {verb} cleanly: {why}"),
        )?;
    }
    let action = ctx.action()?;
    if !report.done.is_empty() {
        action.set(done_key, report.done.join(", "))?;
    }
    if report.failed.is_empty() {
        return Ok(());
    }
    action.set("failed", report.failed_names().join(", "))?;
    let messages: Vec<String> = report
        .failed_names()
        .iter()
        .map(|service| format!("{service} didn't {verb} cleanly."))
        .collect();
    action.fail(format!("Couldn't {verb}: {}", messages.join("; ")));
    Ok(())
}

/// A host error with its causes (the command's stderr), on one line.
fn error_chain(error: &host::HostError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(cause.to_string().trim());
        source = cause.source();
    }
    text
}
