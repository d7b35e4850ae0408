//! A [`ToolRunner`] that records every call and answers from a script, for tests of code
//! that calls hook tools.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;

use crate::runner::{ToolOutput, ToolRunner};

/// One recorded hook-tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    pub tool: String,
    pub args: Vec<String>,
    pub stdin: Option<Vec<u8>>,
}

impl RecordedCall {
    /// The full command line, tool name first.
    pub fn argv(&self) -> Vec<&str> {
        std::iter::once(self.tool.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect()
    }

    pub fn stdin_text(&self) -> Option<&str> {
        self.stdin
            .as_deref()
            .and_then(|s| std::str::from_utf8(s).ok())
    }
}

/// Answers each tool from a queue of scripted outputs (per tool name, in order; the last one
/// repeats), exit 0 with empty output when nothing is scripted, or "not found" for tools
/// marked missing.
#[derive(Debug, Default)]
pub struct Recorder {
    calls: RefCell<Vec<RecordedCall>>,
    answers: RefCell<Vec<(String, VecDeque<ToolOutput>)>>,
    missing: Vec<String>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Scripts a successful answer printing `stdout`.
    pub fn answer(self, tool: &str, stdout: &str) -> Self {
        self.output(
            tool,
            ToolOutput {
                stdout: stdout.into(),
                stderr: Vec::new(),
                exit_code: 0,
            },
        )
    }

    /// Scripts a failing answer, as Juju prints it: `ERROR <message>` and an exit code.
    pub fn fail(self, tool: &str, exit_code: i32, message: &str) -> Self {
        let stderr = format!("ERROR {message}\n").into_bytes();
        self.output(
            tool,
            ToolOutput {
                stdout: Vec::new(),
                stderr,
                exit_code,
            },
        )
    }

    /// Makes a tool look absent from `PATH`.
    pub fn missing(mut self, tool: &str) -> Self {
        self.missing.push(tool.to_owned());
        self
    }

    pub fn output(self, tool: &str, out: ToolOutput) -> Self {
        {
            let mut answers = self.answers.borrow_mut();
            match answers.iter_mut().find(|(t, _)| t == tool) {
                Some((_, q)) => q.push_back(out),
                None => answers.push((tool.to_owned(), VecDeque::from([out]))),
            }
        }
        self
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls.borrow().clone()
    }
}

impl ToolRunner for Recorder {
    fn run(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        self.calls.borrow_mut().push(RecordedCall {
            tool: tool.to_owned(),
            args: args.to_vec(),
            stdin: stdin.map(<[u8]>::to_vec),
        });
        if self.missing.iter().any(|m| m == tool) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{tool}: not found"),
            ));
        }
        let mut answers = self.answers.borrow_mut();
        Ok(match answers.iter_mut().find(|(t, _)| t == tool) {
            Some((_, q)) if q.len() > 1 => q.pop_front().unwrap_or_default(),
            Some((_, q)) => q.front().cloned().unwrap_or_default(),
            None => ToolOutput::default(),
        })
    }
}
