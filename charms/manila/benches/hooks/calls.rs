//! What one hook asked of Juju and of its machine, from the emulator's transcript: hook-tool
//! calls (answered by the unit agent: on a real controller each is a process and an RPC) and
//! machine commands (apt, dpkg, systemctl, ..., answered by the emulated machine), each shown
//! as a command line with every written value hidden.

use emulator::hooktools::HOOK_TOOLS;
use emulator::ToolCallRecord;

/// The calls of one execution, in order, as printable command lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Calls {
    pub(crate) hook_tools: Vec<String>,
    pub(crate) machine: Vec<String>,
}

impl Calls {
    /// The calls of execution `execution` among `records`.
    pub(crate) fn of(records: &[ToolCallRecord], execution: u64) -> Calls {
        let mut calls = Calls::default();
        for record in records.iter().filter(|r| r.execution == execution) {
            let shown = shown(record);
            if HOOK_TOOLS.contains(&record.command.as_str()) {
                calls.hook_tools.push(shown);
            } else {
                calls.machine.push(shown);
            }
        }
        calls
    }
}

/// Tools whose `key=value` arguments carry values a charm writes (passwords among them).
const WRITERS: &[&str] = &[
    "relation-set",
    "leader-set",
    "state-set",
    "secret-add",
    "secret-set",
    "action-set",
];

/// `command arg…` with the value of every `key=value` argument of a writing tool hidden, so
/// that no password a hook publishes reaches the benchmark's output. Values passed on stdin
/// (`--file -`) never reach the transcript's argv at all.
fn shown(record: &ToolCallRecord) -> String {
    if !WRITERS.contains(&record.command.as_str()) {
        return record.argv();
    }
    let args = record.args.iter().map(|arg| match arg.split_once('=') {
        Some((key, _)) if !arg.starts_with('-') => format!("{key}=…"),
        _ => arg.clone(),
    });
    std::iter::once(record.command.clone())
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}
