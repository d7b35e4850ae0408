//! The hook-tool engine of the Juju model emulator (`emulator`, which re-exports this crate as
//! `emulator::hooktools`): Juju's hook tools, answered from a [`HookContext`], the socket
//! server a hook's tool calls reach ([`server`]), and the wire format the hook-tool shim
//! speaks ([`wire`]).
//!
//! Start with [`execute`], then [`HookContext`] (what a hook sees, and what it wrote).
//!
//! [`execute`] is the engine's whole surface: it takes one invocation as the `jujuc` client
//! sends it (tool name, argv, working directory, and stdin once asked for) and answers it the
//! way Juju 3.6's `jujuc` server does: the same flag grammar, the same output bytes for every
//! `--format`, the same error texts and exit codes, and the same split between writes Juju
//! buffers until the hook exits 0 ([`HookContext::pending`]) and writes it makes at once
//! ([`HookContext::effects`]).
//!
//! Layout: `flags` is Juju's flag parser (gnuflag), `format` is `juju/cmd`'s output formatters
//! (including a byte-exact emulation of the YAML encoder Juju links), and each tool family has
//! its own module (`relation`, `unit`, `leadership`, `status`, `action`, `ports`, `state`).

mod action;
pub mod context;
mod flags;
mod format;
mod gotext;
mod keyvalues;
mod leadership;
mod ports;
mod relation;
mod requests;
mod secret;
pub mod server;
mod status;
mod storage;
pub mod time;
mod unit;
mod unit_state;
pub mod wire;

use std::borrow::Cow;
use std::path::Path;

pub use context::*;
pub use secret::new_secret_id;

use flags::{FlagDef, Parse, Parsed};

/// Every hook tool the engine answers, by the name the charm runs.
pub const HOOK_TOOLS: &[&str] = &[
    "relation-ids",
    "relation-list",
    "relation-get",
    "relation-set",
    "config-get",
    "is-leader",
    "leader-get",
    "leader-set",
    "status-set",
    "status-get",
    "application-version-set",
    "juju-log",
    "action-get",
    "action-set",
    "action-fail",
    "action-log",
    "open-port",
    "close-port",
    "opened-ports",
    "unit-get",
    "network-get",
    "state-get",
    "state-set",
    "state-delete",
    "goal-state",
    "secret-add",
    "secret-get",
    "secret-set",
    "secret-info-get",
    "secret-ids",
    "secret-grant",
    "secret-revoke",
    "secret-remove",
    "storage-list",
    "storage-get",
    "storage-add",
    "credential-get",
    "resource-get",
    "relation-model-get",
    "juju-reboot",
    "add-metric",
];

/// What the `jujuc` client prints and exits with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_code: i32,
}

/// The answer to one request from the `jujuc` client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The tool ran (or failed); print this and exit.
    Done(ToolOutput),
    /// The tool must read stdin (`--file -`) and the request carried none. Juju's client then
    /// reads all of its stdin and sends the same request again with it; nothing was recorded.
    NeedsStdin,
}

/// Runs one hook-tool invocation against `ctx`, as Juju's `jujuc` server would.
///
/// `args` is argv without the tool name; `cwd` is the client's working directory (relative
/// `--file` and `-o` paths resolve against it); `stdin` is `None` on the first request, as
/// Juju's client sends it. Every call that gets a [`Reply::Done`] is appended to
/// [`HookContext::calls`].
pub fn execute(
    ctx: &mut HookContext,
    tool: &str,
    args: &[String],
    cwd: &Path,
    stdin: Option<&[u8]>,
) -> Reply {
    let mut session = Session {
        cwd,
        stdin,
        stdout: Vec::new(),
        stderr: Vec::new(),
        view: ctx.machine_view.clone(),
    };
    let spec = TOOLS.iter().find(|spec| spec.name == tool);
    let exit_code = match spec {
        // Juju's server refuses these before any command runs; its client prints the RPC
        // error and exits 1.
        _ if tool.is_empty() => session.fail("bad request: command not specified", 1),
        _ if !cwd.is_absolute() => session.fail("bad request: Dir is not absolute", 1),
        None => session.fail(&format!("bad request: unknown command: {tool}"), 1),
        Some(spec) => match run(spec, ctx, args, &mut session) {
            Ok(()) => 0,
            Err(Failure::Usage(message)) => session.fail(&message, 2),
            Err(Failure::Run(message)) => session.fail(&message, 1),
            Err(Failure::NeedsStdin) => return Reply::NeedsStdin,
        },
    };
    ctx.calls.push(ToolCall {
        tool: tool.to_owned(),
        args: args.to_vec(),
        exit_code,
    });
    Reply::Done(ToolOutput {
        stdout: session.stdout,
        stderr: session.stderr,
        exit_code,
    })
}

fn run(
    spec: &ToolSpec,
    ctx: &mut HookContext,
    args: &[String],
    session: &mut Session<'_>,
) -> Result<(), Failure> {
    match flags::parse(spec.flags, ctx, args).map_err(Failure::Usage)? {
        Parse::Help => {
            session.stdout = flags::help(spec, ctx).into_bytes();
            Ok(())
        }
        Parse::Run(parsed) => (spec.run)(ctx, session, *parsed),
    }
}

/// How a tool failed, which decides its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Bad flags or arguments (Juju's `Init`): exit 2.
    Usage(String),
    /// The tool ran and failed (Juju's `Run`): exit 1.
    Run(String),
    /// The tool needs stdin and the request carried none.
    NeedsStdin,
}

/// One request in progress: where the client runs, its stdin, and what it will print.
#[derive(Debug)]
pub(crate) struct Session<'a> {
    pub(crate) cwd: &'a Path,
    stdin: Option<&'a [u8]>,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    /// The sandbox the client runs in, if any: its paths are read through it.
    view: Option<MachineView>,
}

impl Session<'_> {
    fn fail(&mut self, message: &str, exit_code: i32) -> i32 {
        // `juju/cmd` WriteError; colour only on a tty, and this stderr is a pipe.
        self.stderr.extend_from_slice(b"ERROR ");
        self.stderr.extend_from_slice(message.as_bytes());
        self.stderr.push(b'\n');
        exit_code
    }

    /// Reads a `--file` argument: `-` is stdin, anything else a path from the client's cwd.
    pub(crate) fn read_input_file(&self, path: &str) -> Result<Cow<'_, [u8]>, Failure> {
        if path == "-" {
            return self.stdin.map(Cow::Borrowed).ok_or(Failure::NeedsStdin);
        }
        let full = gotext::abs_path(self.cwd, path);
        std::fs::read(self.host_path(&full))
            .map(Cow::Owned)
            .map_err(|err| Failure::Run(gotext::path_error("open", &full, &err)))
    }

    /// Where the client's (absolute) path `path` is for the agent: the same path, or in the
    /// machine's directory when the client runs in a sandbox. Messages keep the client's.
    pub(crate) fn host_path(&self, path: &Path) -> std::path::PathBuf {
        match &self.view {
            Some(view) => view.host_path(path),
            None => path.to_owned(),
        }
    }

    /// Juju's deprecated `--format` on tools without output only earns a notice (no newline).
    pub(crate) fn deprecated_format_notice(&mut self, parsed: &Parsed<'_>, tool: &str) {
        if !parsed.text(flags::Text::DeprecatedFormat).is_empty() {
            self.stderr.extend_from_slice(
                format!(
                    "--format flag deprecated for command {}",
                    gotext::quote(tool)
                )
                .as_bytes(),
            );
        }
    }
}

/// One hook tool: its flags, its help line and what it does.
pub(crate) struct ToolSpec {
    pub(crate) name: &'static str,
    /// The argument synopsis of the help's usage line.
    pub(crate) synopsis: &'static str,
    pub(crate) purpose: &'static str,
    pub(crate) flags: &'static [FlagDef],
    pub(crate) run: fn(&mut HookContext, &mut Session<'_>, Parsed<'_>) -> Result<(), Failure>,
}

impl std::fmt::Debug for ToolSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSpec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

static TOOLS: &[ToolSpec] = &[
    relation::RELATION_IDS,
    relation::RELATION_LIST,
    relation::RELATION_GET,
    relation::RELATION_SET,
    unit::CONFIG_GET,
    leadership::IS_LEADER,
    leadership::LEADER_GET,
    leadership::LEADER_SET,
    status::STATUS_SET,
    status::STATUS_GET,
    status::APPLICATION_VERSION_SET,
    status::JUJU_LOG,
    action::ACTION_GET,
    action::ACTION_SET,
    action::ACTION_FAIL,
    action::ACTION_LOG,
    ports::OPEN_PORT,
    ports::CLOSE_PORT,
    ports::OPENED_PORTS,
    unit::UNIT_GET,
    unit::NETWORK_GET,
    unit_state::STATE_GET,
    unit_state::STATE_SET,
    unit_state::STATE_DELETE,
    unit::GOAL_STATE,
    secret::SECRET_ADD,
    secret::SECRET_GET,
    secret::SECRET_SET,
    secret::SECRET_INFO_GET,
    secret::SECRET_IDS,
    secret::SECRET_GRANT,
    secret::SECRET_REVOKE,
    secret::SECRET_REMOVE,
    storage::STORAGE_LIST,
    storage::STORAGE_GET,
    storage::STORAGE_ADD,
    requests::CREDENTIAL_GET,
    requests::RESOURCE_GET,
    requests::RELATION_MODEL_GET,
    requests::JUJU_REBOOT,
    requests::ADD_METRIC,
];

/// The relation hook being run, if any (Juju's `HookRelation`).
pub(crate) fn hook_relation(ctx: &HookContext) -> Option<&RelationHook> {
    match &ctx.invocation {
        Invocation::Hook {
            relation: Some(hook),
            ..
        } => Some(hook),
        _ => None,
    }
}

/// `app/0` → `app`.
pub(crate) fn application_of(unit: &str) -> &str {
    unit.split_once('/').map_or(unit, |(app, _)| app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_tool_has_a_spec_and_no_spec_is_unlisted() {
        let names: Vec<&str> = TOOLS.iter().map(|spec| spec.name).collect();
        assert_eq!(names, HOOK_TOOLS);
    }
}
