//! Runs one hook or action process as Juju's uniter does: the charm's `dispatch` (else the
//! `hooks/<name>` or `actions/<name>` file) with no arguments, in the charm directory, with a
//! clean environment, while a [`Server`] answers its hook-tool calls; or, for `juju exec`, a
//! shell script the same way.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::server::{Server, Session};

/// How to start one execution.
pub(crate) struct Launch<'a> {
    pub(crate) charm_dir: &'a Path,
    pub(crate) socket: &'a Path,
    pub(crate) env: &'a [(String, String)],
    /// `hooks/<name>` or `actions/<name>` (also `JUJU_DISPATCH_PATH`).
    pub(crate) dispatch_path: &'a str,
    pub(crate) timeout: Duration,
    /// A command prefix the process runs under (a confined machine's sandbox, a real-host
    /// machine's mount namespace).
    pub(crate) enter: Option<&'a [OsString]>,
    /// The prefix reports a process killed by signal N as exit code 128 + N, as bubblewrap
    /// (and a shell) does: such a code is read back as the signal.
    pub(crate) signal_codes: bool,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Neither `dispatch` nor the hook or action file exists.
    Missing,
    Code(i32),
    /// Could not start, killed by a signal, or timed out: Go's error text.
    Failed(String),
}

pub(crate) struct Finished {
    pub(crate) exit: Exit,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) session: Session,
}

/// After the process exits, how long its output pipes may stay open (held by a child it left
/// running) before the process group is killed.
const PIPE_GRACE: Duration = Duration::from_secs(2);

fn finished(exit: Exit, session: Session) -> Finished {
    Finished {
        exit,
        stdout: Vec::new(),
        stderr: Vec::new(),
        session,
    }
}

/// Runs the charm's hook or action handler.
pub(crate) fn run(launch: &Launch<'_>, session: Session) -> io::Result<Finished> {
    if !launch.charm_dir.join("metadata.yaml").is_file() {
        return Ok(finished(
            Exit::Failed("charm missing from disk".to_owned()),
            session,
        ));
    }
    let program = match handler(launch.charm_dir, launch.dispatch_path) {
        Handler::Found(program) => program,
        Handler::Missing => return Ok(finished(Exit::Missing, session)),
        Handler::NotExecutable(path) => {
            let reason = format!("fork/exec {}: permission denied", path.display());
            return Ok(finished(Exit::Failed(reason), session));
        }
    };
    let mut command = entered(launch, program.as_os_str());
    command.stdin(Stdio::null());
    spawn(launch, command, None, session)
}

/// Runs `commands` as `juju exec` does (juju/utils `exec.RunParams`): a script on the stdin of
/// `/bin/bash -s`, in the charm directory.
pub(crate) fn run_commands(
    launch: &Launch<'_>,
    commands: &str,
    session: Session,
) -> io::Result<Finished> {
    let mut command = entered(launch, "/bin/bash".as_ref());
    command.arg("-s").stdin(Stdio::piped());
    spawn(launch, command, Some(commands.as_bytes().to_vec()), session)
}

/// `program`, under the launch's prefix if it has one.
fn entered(launch: &Launch<'_>, program: &std::ffi::OsStr) -> Command {
    match launch.enter {
        Some([first, rest @ ..]) => {
            let mut command = Command::new(first);
            command.args(rest).arg(program);
            command
        }
        _ => Command::new(program),
    }
}

fn spawn(
    launch: &Launch<'_>,
    mut command: Command,
    stdin: Option<Vec<u8>>,
    session: Session,
) -> io::Result<Finished> {
    let program = command.get_program().to_owned();
    let server = Server::start(launch.socket, session)?;
    let spawned = command
        .env_clear()
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .current_dir(launch.charm_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => {
            let session = server.stop();
            let reason = format!("fork/exec {}: {err}", Path::new(&program).display());
            return Ok(finished(Exit::Failed(reason), session));
        }
    };
    if let (Some(script), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Written from a thread: the script may outgrow the pipe while bash is busy running
        // what it read so far. A script that exits early closes the pipe; that is its business.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&script);
        });
    }
    let group = Pid::from_raw(child.id() as i32);
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);

    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let exit = match done_rx.recv_timeout(launch.timeout) {
        Ok(status) => match exit_of(status) {
            Exit::Code(code) if launch.signal_codes && (129..=159).contains(&code) => {
                Exit::Failed(format!("signal: {}", signal_name(code - 128)))
            }
            exit => exit,
        },
        Err(_) => {
            let _ = killpg(group, Signal::SIGKILL);
            let _ = done_rx.recv();
            Exit::Failed(format!(
                "hook timed out after {}s and was killed",
                launch.timeout.as_secs()
            ))
        }
    };
    let collect = |pipe: Option<mpsc::Receiver<Vec<u8>>>| {
        let pipe = pipe?;
        pipe.recv_timeout(PIPE_GRACE).ok().or_else(|| {
            let _ = killpg(group, Signal::SIGKILL);
            // A daemon that left the process group (setsid) may hold the pipe for as long as
            // it runs: its output is lost rather than the hook waited for forever.
            pipe.recv_timeout(PIPE_GRACE).ok()
        })
    };
    let stdout = collect(stdout).unwrap_or_default();
    let stderr = collect(stderr).unwrap_or_default();
    let session = server.stop();
    Ok(Finished {
        exit,
        stdout,
        stderr,
        session,
    })
}

enum Handler {
    Found(PathBuf),
    Missing,
    NotExecutable(PathBuf),
}

/// `discoverHookHandler`: `dispatch` if present, else the hook or action file. A file that is
/// present but not executable is an error, not a missing hook (`exec.LookPath` semantics).
fn handler(charm_dir: &Path, dispatch_path: &str) -> Handler {
    for candidate in [charm_dir.join("dispatch"), charm_dir.join(dispatch_path)] {
        let Ok(meta) = fs::metadata(&candidate) else {
            continue;
        };
        if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
            return Handler::Found(candidate);
        }
        return Handler::NotExecutable(candidate);
    }
    Handler::Missing
}

fn exit_of(status: io::Result<ExitStatus>) -> Exit {
    match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Failed(format!("signal: {}", signal_name(signal))),
            (None, None) => Exit::Failed("exited abnormally".to_owned()),
        },
        Err(err) => Exit::Failed(format!("wait: {err}")),
    }
}

/// Go's `syscall.Signal` strings, for the signals a hook is likely to die of.
fn signal_name(signal: i32) -> String {
    match Signal::try_from(signal) {
        Ok(Signal::SIGKILL) => "killed".to_owned(),
        Ok(Signal::SIGTERM) => "terminated".to_owned(),
        Ok(Signal::SIGINT) => "interrupt".to_owned(),
        Ok(Signal::SIGSEGV) => "segmentation fault".to_owned(),
        Ok(Signal::SIGABRT) => "aborted".to_owned(),
        Ok(Signal::SIGPIPE) => "broken pipe".to_owned(),
        _ => format!("signal {signal}"),
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}
