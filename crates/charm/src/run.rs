//! The one place that turns a hook's outcome into an exit code.
//!
//! - What the operator must fix (a [`ConfigError`], a [`Blocked`]) becomes a `blocked` status,
//!   the hook's buffered changes are flushed, and the process exits 0: retrying would not help.
//! - Bugs and transient failures (a hook tool or the machine failing) exit 1 with the error
//!   chain in `juju-log --log-level ERROR` and on stderr, and nothing is flushed; Juju retries
//!   the hook.
//! - A panic never escapes: it is caught, logged the same way, and exits 1.

use std::any::Any;
use std::os::unix::process::CommandExt;
use std::panic::{self, AssertUnwindSafe};
use std::process::{Command, ExitCode};

use host::Host;
use juju::{HookEnv, HookTools, LogLevel, ProcessRunner, ToolRunner};

use crate::actions::{ActionError, ActionRun, ActionSchemas};
use crate::config::ConfigError;
use crate::context::Context;
use crate::event::Event;
use crate::templates::{Template, Templates};

/// A charm: its embedded definition files and its handler.
///
/// ```
/// use charm::{Charm, Context, Event};
/// use juju::ToolRunner;
///
/// pub struct Demo;
///
/// impl Charm for Demo {
///     // In a charm: include_str!("../metadata.yaml").
///     const METADATA: &'static str =
///         "name: demo\nsummary: A demo.\ndescription: A demo.\nprovides:\n  website: http\n";
///     const TEMPLATES: &'static [charm::Template] =
///         charm::embed_templates!("tests/fixtures/templates", ["demo.conf" => OsloIni]);
///
///     fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()> {
///         let port = ctx.config()?.int_in("port", 1..=65535)?;
///         ctx.status().active(format!("Listening on {port}"));
///         Ok(())
///     }
/// }
///
/// // The binary's main is `charm::run::<Demo>()`; here it runs in process:
/// let tools = juju::testing::Recorder::new()
///     .answer("config-get", r#"{"port": 8080}"#)
///     .answer("state-get", "{}");
/// let env = charm::testing::hook_env("demo/0", "hooks/config-changed")?;
/// let host = host::Host::confined(std::env::temp_dir())?;
/// let outcome = charm::dispatch::<Demo, _>(env, &tools, host);
/// assert_eq!(outcome.exit_code(), 0);
/// assert!(tools.calls().iter().any(|c| c.argv() == ["status-set", "active", "--", "Listening on 8080"]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Charm {
    /// The text of `metadata.yaml` (`include_str!`).
    const METADATA: &'static str;
    /// The text of `actions.yaml`; empty for a charm without actions.
    const ACTIONS: &'static str = "";
    /// The templates, from [`embed_templates!`](crate::embed_templates).
    const TEMPLATES: &'static [Template] = &[];

    /// Handles one event. Return `Err` for bugs and transient failures (Juju retries the hook);
    /// report operator problems on [`Context::status`] (or return a [`ConfigError`] or
    /// [`Blocked`], which the runtime turns into a `blocked` status).
    fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()>;
}

/// A problem only the operator can fix; returned from a handler it becomes the `blocked`
/// status `message` and the hook succeeds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Blocked(pub String);

/// How a hook run ended.
#[derive(Debug)]
pub enum Outcome {
    /// The event was handled (possibly ending in `blocked` or a failed action) and its
    /// changes were sent.
    Handled,
    /// A hook this runtime does not handle; nothing was done.
    Ignored,
    /// A bug or transient failure: nothing was sent, Juju will retry.
    Failed(anyhow::Error),
    /// The charm panicked: nothing was sent, Juju will retry.
    Panicked(String),
}

impl Outcome {
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Handled | Outcome::Ignored => 0,
            Outcome::Failed(_) | Outcome::Panicked(_) => 1,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome.exit_code())
    }
}

/// The charm binary's `main`: reads the hook environment, runs the real hook tools and acts on
/// the machine `CHARM_HOST_ROOT` names (`/` when unset).
pub fn run<C: Charm>() -> ExitCode {
    let env = match HookEnv::from_env() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("ERROR {e}");
            return ExitCode::FAILURE;
        }
    };
    match Host::from_env() {
        Ok(host) => dispatch::<C, _>(env, ProcessRunner, host).into(),
        Err(e) => {
            let failed = Outcome::Failed(anyhow::Error::new(e).context("CHARM_HOST_ROOT"));
            report(&HookTools::new(ProcessRunner), &failed);
            failed.into()
        }
    }
}

/// For a charm shipped as several binaries (every one in the charm's `bin/`): when Juju
/// dispatched an action `handled` accepts, replaces this process with the charm's binary named
/// `binary`, found beside the running one, with the same environment (an `exec`: no process
/// of its own, the pid, signals and exit code are the other binary's). Returns `None` for
/// every other hook and action, which the caller runs itself, and an exit code only when the
/// exec failed (said on stderr, which Juju logs).
///
/// What it is for: a hook's memory is mostly the pages of the binary it runs. Code that only
/// some actions need (an HTTP client and its TLS stack, say) put in a second binary is not
/// spread among the code every hook runs.
pub fn exec_for_actions(binary: &str, handled: impl Fn(&str) -> bool) -> Option<ExitCode> {
    let path = std::env::var("JUJU_DISPATCH_PATH").ok()?;
    let action = path.strip_prefix("actions/")?;
    if !handled(action) {
        return None;
    }
    let error = match std::env::current_exe() {
        Ok(exe) => Command::new(exe.with_file_name(binary))
            .args(std::env::args_os().skip(1))
            .exec(),
        Err(e) => e,
    };
    eprintln!("ERROR action {action}: cannot run the charm's binary {binary}: {error}");
    Some(ExitCode::FAILURE)
}

/// Runs one hook of charm `C` in this process with `runner` answering the hook tools: what
/// [`run`] does after reading the environment, and what tests and the model emulator call.
pub fn dispatch<C: Charm, R: ToolRunner>(env: HookEnv, runner: R, host: Host) -> Outcome {
    let tools = HookTools::new(&runner);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        run_hook::<C, _>(env, HookTools::new(&runner), host)
    }));
    let outcome = match result {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => Outcome::Failed(e),
        Err(payload) => Outcome::Panicked(panic_message(payload.as_ref())),
    };
    report(&tools, &outcome);
    outcome
}

fn run_hook<C: Charm, R: ToolRunner>(
    env: HookEnv,
    tools: HookTools<R>,
    host: Host,
) -> anyhow::Result<Outcome> {
    let metadata = crate::metadata::parse(C::METADATA)?;
    // A hook the charm has no event for ends here, without a word: Juju's own log already
    // says which hook ran, and a `juju-log` would double what doing nothing costs (one more
    // process, and an RPC on a real controller).
    let Some(event) = Event::from_env(&env, &metadata)? else {
        return Ok(Outcome::Ignored);
    };
    let templates = Templates::new(C::TEMPLATES);
    let mut ctx = Context::new(env, event.clone(), tools, metadata, templates, host);
    if let Event::Action(action) = &event {
        let params = ctx.tools().action_get()?;
        match ActionSchemas::parse(C::ACTIONS)?.validate(&action.name, &params) {
            Ok(()) => ctx.action = Some(ActionRun::new(action.name.clone(), params)),
            Err(invalid @ ActionError::InvalidParams { .. }) => {
                ctx.tools().action_fail(&invalid.to_string())?;
                return Ok(Outcome::Handled);
            }
            Err(bug) => return Err(bug.into()),
        }
    }
    if let Err(e) = C::handle(&mut ctx, &event) {
        let Some(message) = operator_problem(&e) else {
            return Err(e);
        };
        if let Some(action) = ctx.action.as_mut() {
            action.fail(message.clone());
        }
        ctx.status().blocked(message);
    }
    ctx.flush()?;
    Ok(Outcome::Handled)
}

/// The message of the first [`ConfigError`] or [`Blocked`] in `e`'s chain.
fn operator_problem(e: &anyhow::Error) -> Option<String> {
    e.chain().find_map(|cause| {
        cause
            .downcast_ref::<ConfigError>()
            .map(ToString::to_string)
            .or_else(|| cause.downcast_ref::<Blocked>().map(|b| b.0.clone()))
    })
}

fn report<R: ToolRunner>(tools: &HookTools<R>, outcome: &Outcome) {
    let message = match outcome {
        Outcome::Handled | Outcome::Ignored => return,
        Outcome::Failed(e) => format!("hook failed: {e:#}"),
        Outcome::Panicked(why) => format!("hook failed: the charm panicked: {why}"),
    };
    eprintln!("ERROR {message}");
    // The failure is already on stderr (Juju logs it at WARNING); a juju-log that fails too
    // has nothing better to report to.
    let _ = tools.juju_log(LogLevel::Error, &message);
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}
