//! Hook-tool failures, classified from Juju's `ERROR <msg>` and exit code.

use std::fmt;

/// What went wrong, as far as a charm needs to tell cases apart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolErrorKind {
    /// The tool is not on `PATH`: the process is not running inside a hook.
    Missing,
    /// `relation not found` (an unknown `-r`).
    RelationNotFound,
    /// A leader-only write by a non-leader: `cannot write relation settings`,
    /// `cannot write leadership settings`, `this unit is not the leader`.
    NotLeader,
    /// `permission denied` (e.g. reading the own application bag as a non-leader).
    PermissionDenied,
    /// Exit code 2: the arguments did not parse. A bug in the caller.
    BadArguments,
    /// Any other runtime failure (exit code 1 or another non-zero code).
    Failed,
    /// The tool succeeded but printed something that is not what it documents.
    BadOutput(String),
    /// Spawning or talking to the tool failed.
    Io(String),
}

/// A hook tool that failed, with the argv that was sent and what it printed on stderr.
///
/// Neither `Display` nor `Debug` shows argument values: `relation-set` and `leader-set` carry
/// passwords. [`ToolError::argv`] has them for code that needs them.
#[derive(Clone, PartialEq, Eq)]
pub struct ToolError {
    kind: ToolErrorKind,
    argv: Vec<String>,
    exit_code: Option<i32>,
    stderr: String,
}

impl ToolError {
    pub(crate) fn new(
        kind: ToolErrorKind,
        argv: Vec<String>,
        exit_code: Option<i32>,
        stderr: String,
    ) -> Self {
        ToolError {
            kind,
            argv,
            exit_code,
            stderr,
        }
    }

    /// Classifies a non-zero exit from Juju's message and code (contract §1.3).
    pub(crate) fn from_exit(argv: Vec<String>, exit_code: i32, stderr: &[u8]) -> Self {
        let stderr = String::from_utf8_lossy(stderr).into_owned();
        let message = stderr
            .trim()
            .strip_prefix("ERROR ")
            .unwrap_or(stderr.trim());
        let kind = if message.contains("relation not found") {
            ToolErrorKind::RelationNotFound
        } else if message.contains("cannot write relation settings")
            || message.contains("cannot write leadership settings")
            || message.contains("not the leader")
        {
            ToolErrorKind::NotLeader
        } else if message.contains("permission denied") {
            ToolErrorKind::PermissionDenied
        } else if exit_code == 2 {
            ToolErrorKind::BadArguments
        } else {
            ToolErrorKind::Failed
        };
        ToolError::new(kind, argv, Some(exit_code), stderr)
    }

    pub fn kind(&self) -> &ToolErrorKind {
        &self.kind
    }

    /// The full command line, tool name first.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    pub fn exit_code(&self) -> Option<i32> {
        self.exit_code
    }

    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// Juju's message without the `ERROR ` prefix.
    pub fn message(&self) -> &str {
        let s = self.stderr.trim();
        s.strip_prefix("ERROR ").unwrap_or(s)
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tool = self.argv.first().map(String::as_str).unwrap_or("hook tool");
        match &self.kind {
            ToolErrorKind::Missing => write!(f, "{tool}: not found on PATH (not inside a hook?)"),
            ToolErrorKind::Io(e) => write!(f, "{tool}: {e}"),
            ToolErrorKind::BadOutput(why) => write!(f, "{tool}: unexpected output: {why}"),
            _ => {
                // argv is shown without its values: relation-set and leader-set carry secrets.
                write!(f, "{tool} failed")?;
                if let Some(code) = self.exit_code {
                    write!(f, " (exit {code})")?;
                }
                write!(f, ": {}", self.message())
            }
        }
    }
}

impl fmt::Debug for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted: Vec<String> = self
            .argv
            .iter()
            .map(|a| match a.split_once('=') {
                Some((k, _)) if !k.starts_with('-') => format!("{k}=…"),
                _ => a.clone(),
            })
            .collect();
        f.debug_struct("ToolError")
            .field("kind", &self.kind)
            .field("argv", &redacted)
            .field("exit_code", &self.exit_code)
            .field("stderr", &self.stderr)
            .finish()
    }
}

impl std::error::Error for ToolError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(code: i32, stderr: &str) -> ToolErrorKind {
        ToolError::from_exit(vec!["t".into()], code, stderr.as_bytes())
            .kind()
            .clone()
    }

    #[test]
    fn juju_messages_are_classified() {
        assert_eq!(
            classify(
                2,
                "ERROR invalid value \"db:9\" for option -r: relation not found\n"
            ),
            ToolErrorKind::RelationNotFound
        );
        assert_eq!(
            classify(1, "ERROR cannot write relation settings\n"),
            ToolErrorKind::NotLeader
        );
        assert_eq!(
            classify(
                1,
                "ERROR cannot write leadership settings: cannot write settings: not the leader\n"
            ),
            ToolErrorKind::NotLeader
        );
        assert_eq!(
            classify(1, "ERROR this unit is not the leader\n"),
            ToolErrorKind::NotLeader
        );
        assert_eq!(
            classify(1, "ERROR permission denied\n"),
            ToolErrorKind::PermissionDenied
        );
        assert_eq!(
            classify(2, "ERROR option provided but not defined: --foo\n"),
            ToolErrorKind::BadArguments
        );
        assert_eq!(
            classify(1, "ERROR not running an action\n"),
            ToolErrorKind::Failed
        );
    }

    #[test]
    fn display_names_the_tool_and_message_but_not_the_arguments() {
        let e = ToolError::from_exit(
            vec!["leader-set".into(), "password=hunter2".into()],
            1,
            b"ERROR cannot write leadership settings: cannot write settings: not the leader\n",
        );
        let shown = e.to_string();
        assert!(
            shown.starts_with("leader-set failed (exit 1): cannot write leadership"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"));
        assert_eq!(e.argv()[1], "password=hunter2");
        assert!(!format!("{e:?}").contains("hunter2"));
    }
}
