//! `juju exec --unit UNIT -- command…`: a command in a hook context of the unit, with no hook.
//!
//! Juju 3 runs it as a task of the built-in `juju-exec` action (`runner.go`
//! `runJujuExecAction`): the command words joined with spaces are a script for `/bin/bash -s`,
//! run in the charm directory with the hook environment of an action context (so
//! `JUJU_ACTION_NAME=juju-exec` and the task's `JUJU_ACTION_UUID`, an empty `JUJU_HOOK_NAME`,
//! and no `JUJU_DISPATCH_PATH`); hook tools work, and what they buffer is committed when the
//! script ran to an exit, whatever its code: a non-zero exit "isn't considered an error" by
//! juju/utils' `exec`, so `Flush` gets no error. Only a script that could not run, was killed
//! or timed out commits nothing.

use serde_json::{Map, Value as Json};

use super::execution::Run;
use super::Model;
use crate::error::{Error, Result};
use crate::hooktools::Invocation;
use crate::journal::HookOutcome;
use crate::runner::Exit;

/// The built-in action `juju exec` runs as.
const EXEC_ACTION: &str = "juju-exec";

/// `juju exec`'s default `--wait` (5 min), which it sends as the task's `timeout` param.
const EXEC_TIMEOUT_NANOS: u64 = 300_000_000_000;

/// What the command printed and how it exited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecResult {
    /// Standard output (invalid UTF-8 replaced).
    pub stdout: String,
    /// Standard error (invalid UTF-8 replaced).
    pub stderr: String,
    /// The script's exit code.
    pub code: i32,
}

impl Model {
    /// Runs `command` (words joined with spaces, run by bash: shell syntax works, quoting is
    /// the caller's, as with `juju exec`) in a hook context of `unit`, and returns its output.
    /// Hook-tool writes are committed unless the script was killed or timed out, and machine
    /// commands change the unit's machine; `action-get` sees the task's params (`command`,
    /// `timeout`, `workload-context`), as in Juju. Runs even on a unit in error, as Juju's
    /// actions do.
    pub fn exec<S: AsRef<str>>(&mut self, unit: &str, command: &[S]) -> Result<ExecResult> {
        let (name, _) = self.unit(unit)?;
        let script = command
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(" ");
        let operation = self.state.next_operation;
        let task = operation + 1;
        self.state.next_operation += 2;
        let mut params = Map::new();
        params.insert("command".into(), Json::from(script.clone()));
        params.insert("timeout".into(), Json::from(EXEC_TIMEOUT_NANOS));
        params.insert("workload-context".into(), Json::from(false));
        let run = Run {
            unit: name.clone(),
            name: EXEC_ACTION.to_owned(),
            dispatch_path: String::new(),
            invocation: Invocation::Action {
                name: EXEC_ACTION.to_owned(),
                id: task.to_string(),
                params,
            },
            relation: None,
            endpoint: None,
            action: Some((EXEC_ACTION.to_owned(), task)),
            commands: Some(script),
            storage: None,
            secret: None,
        };
        let ctx = self.snapshot(&name, &run);
        let finished = self.execute(&run, ctx)?;
        // The script's exit code is the caller's answer, not an error of the run: only a
        // script that could not run keeps its writes from being committed (`runner.go`
        // `RunCommands`).
        let could_not_run = matches!(finished.exit, Exit::Missing | Exit::Failed(_));
        self.finish_run(&run, &finished, could_not_run)?;
        let code = match &finished.exit {
            Exit::Code(code) => *code,
            Exit::Missing | Exit::Failed(_) => {
                let reason = match &finished.exit {
                    Exit::Failed(reason) => reason.clone(),
                    _ => "the script did not run".to_owned(),
                };
                self.record(
                    &run,
                    HookOutcome::Failed {
                        reason: reason.clone(),
                    },
                )?;
                self.save()?;
                return Err(Error::Exec {
                    unit: unit.to_owned(),
                    reason,
                });
            }
        };
        // The task fails on `action-fail`; the exit code alone leaves it completed.
        let outcome = match &finished.session.ctx.action.failure {
            Some(message) => HookOutcome::Failed {
                reason: message.clone(),
            },
            None => HookOutcome::Completed,
        };
        self.record(&run, outcome)?;
        self.save()?;
        Ok(ExecResult {
            stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&finished.stderr).into_owned(),
            code,
        })
    }
}
