use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::error::{CommandError, HostError};
use crate::{Host, ROOT_VAR};

/// What a command that exited 0 printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Standard output, with invalid UTF-8 replaced.
    pub stdout: String,
    /// Standard error, with invalid UTF-8 replaced.
    pub stderr: String,
}

impl Host {
    /// Runs `program` with `args`, found through this host's search path, with stdin closed.
    ///
    /// Exit 0 gives its output; anything else is a [`HostError::Command`] keeping the argv,
    /// exit status and stderr. Don't pass secrets as arguments (see the crate docs).
    pub fn run<I, S>(&self, program: &str, args: I) -> Result<CommandOutput, HostError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut argv = vec![program.as_ref()];
        let args: Vec<S> = args.into_iter().collect();
        argv.extend(args.iter().map(AsRef::as_ref));
        Ok(self.run_checked(&argv, &[])?)
    }

    /// Runs `program` with `args` as [`Host::run`] does, with `input` on its standard input
    /// (then closed): the way to hand a command a password, which must stay out of its argv
    /// (visible in `/proc` and kept in errors) and out of files. Neither the output nor an
    /// error contains `input`, unless the command printed it.
    pub fn run_with_input<I, S>(
        &self,
        program: &str,
        args: I,
        input: &[u8],
    ) -> Result<CommandOutput, HostError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut argv = vec![program.as_ref()];
        let args: Vec<S> = args.into_iter().collect();
        argv.extend(args.iter().map(AsRef::as_ref));
        let output = self.spawn(&argv, &[], Some(input))?;
        Ok(checked(&argv, output)?)
    }

    /// Runs `argv` and returns its output whatever the exit status; only a failure to start is
    /// an error.
    pub(crate) fn run_unchecked(
        &self,
        argv: &[&OsStr],
        env: &[(&str, &str)],
    ) -> Result<Output, CommandError> {
        self.spawn(argv, env, None)
    }

    /// Runs `argv` with `input` on its stdin (closed when `None`), collecting its output.
    fn spawn(
        &self,
        argv: &[&OsStr],
        env: &[(&str, &str)],
        input: Option<&[u8]>,
    ) -> Result<Output, CommandError> {
        let Some((program, args)) = argv.split_first() else {
            return Err(CommandError::spawn(Vec::new(), empty_argv()));
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // std searches for the program in the PATH given to the child, so this is enough to
        // make the search path apply to the lookup itself.
        if let Some(search_path) = &self.search_path {
            command.env("PATH", search_path);
        }
        if self.is_confined() {
            command.env(ROOT_VAR, &self.root);
        } else {
            command.env_remove(ROOT_VAR);
        }
        command.envs(env.iter().copied());
        let spawn_error = |source| CommandError::spawn(argv_strings(argv), source);
        let Some(input) = input else {
            return command.output().map_err(spawn_error);
        };
        let mut child = command.spawn().map_err(spawn_error)?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        // Written beside the reading of stdout and stderr: a command answering before it
        // read all its input must not block on a full pipe while we block on its stdin.
        let written = std::thread::scope(|scope| {
            let writer = scope.spawn(move || {
                let written = stdin.write_all(input);
                drop(stdin);
                written
            });
            let output = child.wait_with_output();
            (writer.join(), output)
        });
        let (written, output) = written;
        if let Err(panic) = written {
            std::panic::resume_unwind(panic);
        }
        // A write error is a command that exited without reading all its input (`true`, or
        // one that failed early): its exit status says what happened.
        output.map_err(spawn_error)
    }

    /// Runs `argv`; anything but exit 0 is an error.
    pub(crate) fn run_checked(
        &self,
        argv: &[&OsStr],
        env: &[(&str, &str)],
    ) -> Result<CommandOutput, CommandError> {
        checked(argv, self.run_unchecked(argv, env)?)
    }
}

/// The output of `argv` if it exited 0, else the error keeping its status and stderr.
fn checked(argv: &[&OsStr], output: Output) -> Result<CommandOutput, CommandError> {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(CommandError::exit(
            argv_strings(argv),
            output.status,
            stderr,
        ));
    }
    Ok(CommandOutput {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    })
}

pub(crate) fn argv_strings(argv: &[&OsStr]) -> Vec<String> {
    argv.iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect()
}

fn empty_argv() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, "no program given")
}
