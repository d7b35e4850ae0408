//! What happened in a model, kept in memory and appended to JSON-lines files in the model
//! directory (so that `juju-emulator debug-log` works across invocations): every hook run,
//! every debug-log line (juju-log, hook stdout and stderr) and every hook-tool call.

use std::cell::OnceCell;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

pub(crate) use emulator_hooktools::time::{format_iso_time, unix_now};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One hook (or action) execution, or a hook Juju considered and skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookRecord {
    /// Numbers executions model-wide, from 1.
    pub execution: u64,
    pub unit: String,
    /// `install`, `db-relation-joined`, or for actions the action name.
    pub hook: String,
    pub action: bool,
    pub relation_id: Option<u32>,
    /// `JUJU_REMOTE_UNIT` (absent where Juju sets it empty).
    pub remote_unit: Option<String>,
    pub departing_unit: Option<String>,
    pub outcome: HookOutcome,
}

impl HookRecord {
    /// `unit hook`, plus the remote unit for relation hooks: the shape ordering tests compare.
    pub fn summary(&self) -> String {
        match &self.remote_unit {
            Some(remote) => format!("{} {} {}", self.unit, self.hook, remote),
            None => format!("{} {}", self.unit, self.hook),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum HookOutcome {
    /// The process exited 0 (for actions: whatever the action's own status).
    Completed,
    /// Neither `dispatch` nor the hook file exists: skipped as success, as Juju does.
    Missing,
    /// The hook failed: non-zero exit, not executable, killed, or timed out.
    Failed { reason: String },
    /// Juju would not run it (e.g. `leader-elected` on a unit that is no longer leader).
    Skipped { reason: String },
}

/// One line of the model's debug log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub execution: u64,
    pub unit: String,
    /// `HH:MM:SS`, UTC.
    pub time: String,
    /// `DEBUG`, `INFO`, `WARNING`, `ERROR`, `TRACE`, `CRITICAL`.
    pub level: String,
    /// `unit.<unit>.juju-log` or `unit.<unit>.<hook>` (hook output).
    pub module: String,
    pub message: String,
}

impl LogEntry {
    /// As `juju debug-log` prints it.
    pub fn render(&self) -> String {
        let tag = self.unit.replace('/', "-");
        format!(
            "unit-{tag}: {} {} {} {}",
            self.time, self.level, self.module, self.message
        )
    }
}

/// One hook-tool or emulated machine-command call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCallRecord {
    pub execution: u64,
    pub unit: String,
    pub hook: String,
    pub command: String,
    pub args: Vec<String>,
    pub exit_code: i32,
}

impl ToolCallRecord {
    /// `command arg arg…`, for transcripts.
    pub fn argv(&self) -> String {
        std::iter::once(self.command.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const HOOKS_FILE: &str = "hooks.jsonl";
const LOG_FILE: &str = "debug-log.jsonl";
const CALLS_FILE: &str = "tool-calls.jsonl";

/// The journal of a model: appended to as hooks run, read back only by the inspectors
/// that ask (`hook_log`, `debug_log`, `tool_calls`), so that a command that only reads the
/// model (`status`) does not read its whole history.
#[derive(Debug)]
pub(crate) struct Journal {
    dir: PathBuf,
    hooks: OnceCell<Vec<HookRecord>>,
    logs: OnceCell<Vec<LogEntry>>,
    calls: OnceCell<Vec<ToolCallRecord>>,
}

impl Journal {
    pub(crate) fn open(dir: &Path) -> Journal {
        Journal {
            dir: dir.to_owned(),
            hooks: OnceCell::new(),
            logs: OnceCell::new(),
            calls: OnceCell::new(),
        }
    }

    /// Every hook record, read from the file on first use. A journal that cannot be read
    /// reads as what could be read.
    pub(crate) fn hooks(&self) -> &[HookRecord] {
        self.hooks
            .get_or_init(|| read_lines(&self.dir.join(HOOKS_FILE)))
    }

    pub(crate) fn logs(&self) -> &[LogEntry] {
        self.logs
            .get_or_init(|| read_lines(&self.dir.join(LOG_FILE)))
    }

    pub(crate) fn calls(&self) -> &[ToolCallRecord] {
        self.calls
            .get_or_init(|| read_lines(&self.dir.join(CALLS_FILE)))
    }

    pub(crate) fn hook(&mut self, record: HookRecord) -> io::Result<()> {
        append(&self.dir.join(HOOKS_FILE), &record)?;
        if let Some(hooks) = self.hooks.get_mut() {
            hooks.push(record);
        }
        Ok(())
    }

    pub(crate) fn log(&mut self, entries: Vec<LogEntry>) -> io::Result<()> {
        append_all(&self.dir.join(LOG_FILE), &entries)?;
        if let Some(logs) = self.logs.get_mut() {
            logs.extend(entries);
        }
        Ok(())
    }

    pub(crate) fn record_calls(&mut self, calls: Vec<ToolCallRecord>) -> io::Result<()> {
        append_all(&self.dir.join(CALLS_FILE), &calls)?;
        if let Some(all) = self.calls.get_mut() {
            all.extend(calls);
        }
        Ok(())
    }
}

/// The time of day, UTC, for debug-log lines.
pub(crate) fn now_hms() -> String {
    let secs = unix_now() % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The records of a JSON-lines file; a missing file holds none, and reading stops at the
/// first line that is not a record (a line cut short by a crash).
fn read_lines<T: DeserializeOwned>(path: &Path) -> Vec<T> {
    let Ok(file) = File::open(path) else {
        return Vec::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter(|line| !line.trim().is_empty())
        .map_while(|line| serde_json::from_str(&line).ok())
        .collect()
}

fn append<T: Serialize>(path: &Path, record: &T) -> io::Result<()> {
    append_all(path, std::slice::from_ref(record))
}

fn append_all<T: Serialize>(path: &Path, records: &[T]) -> io::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let mut text = String::new();
    for record in records {
        text.push_str(&serde_json::to_string(record).map_err(io::Error::other)?);
        text.push('\n');
    }
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())
}

/// Removes the journal files of a model being created afresh.
pub(crate) fn reset(dir: &Path) -> io::Result<()> {
    for name in [HOOKS_FILE, LOG_FILE, CALLS_FILE] {
        match fs::remove_file(dir.join(name)) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    Ok(())
}
