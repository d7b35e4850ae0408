//! How a hook tool is run: the trait every backend implements, and the process backend.

use std::io::{self, Write};
use std::process::{Command, Stdio};

/// What a hook tool printed and how it exited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_code: i32,
}

/// Runs one hook tool. [`ProcessRunner`] spawns it; tests record calls and the model
/// emulator answers in process. `Err` means the tool could not be run at all (e.g. it is not
/// on `PATH`), never that it ran and failed.
pub trait ToolRunner {
    fn run(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput>;
}

impl<R: ToolRunner + ?Sized> ToolRunner for &R {
    fn run(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        (**self).run(tool, args, stdin)
    }
}

/// Spawns the hook tools Juju (or the emulator) put first on `PATH`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessRunner;

impl ToolRunner for ProcessRunner {
    fn run(&self, tool: &str, args: &[String], stdin: Option<&[u8]>) -> io::Result<ToolOutput> {
        let mut cmd = Command::new(tool);
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        // Juju's jujuc reads stdin lazily and only for `--file -`; giving every other tool an
        // empty stdin keeps a hook from hanging on an inherited terminal.
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = cmd.spawn()?;
        if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A tool that exits before reading everything closes the pipe; its exit code
            // and stderr say why, so a broken pipe here is not the error to report.
            if let Err(e) = pipe.write_all(data) {
                if e.kind() != io::ErrorKind::BrokenPipe {
                    return Err(e);
                }
            }
        }
        let out = child.wait_with_output()?;
        Ok(ToolOutput {
            stdout: out.stdout,
            stderr: out.stderr,
            // Killed by a signal: no code; report it as a runtime failure.
            exit_code: out.status.code().unwrap_or(1),
        })
    }
}
