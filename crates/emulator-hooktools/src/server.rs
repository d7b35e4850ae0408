//! The unit agent's side of the hook-tool socket: one listener per hook execution, answering
//! each shim connection from the execution's [`Session`].

use std::io;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate as hooktools;
use crate::wire::{self, Request, Response};
use crate::{HookContext, ToolCall};
use emulator_machine::{Catalog, Machine, MachineState, MACHINE_COMMANDS};

/// Everything one hook execution's tool calls may read or change.
#[derive(Debug, Clone)]
pub struct Session {
    pub context_id: String,
    pub ctx: HookContext,
    pub machine: MachineState,
    pub catalog: Catalog,
    /// The machine's root directory (`CHARM_HOST_ROOT`).
    pub root: PathBuf,
    /// The directory the model's machines share (package scripts' `MODEL_SHARED`).
    pub shared: PathBuf,
    /// Every call, hook tools and machine commands interleaved, in order.
    pub calls: Vec<ToolCall>,
}

/// A client that connects and then sends nothing must not wedge the agent.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// A session the socket server and an in-process caller (the scenario's tool runner) answer
/// from in turn.
pub type SharedSession = Arc<Mutex<Session>>;

/// The listener of one hook execution, answering on its own thread until stopped.
#[derive(Debug)]
pub struct Server {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    session: SharedSession,
    thread: JoinHandle<()>,
}

impl Server {
    /// Binds `path` (replacing a stale socket) and serves `session` until [`Server::stop`].
    pub fn start(path: &Path, session: Session) -> io::Result<Server> {
        Server::start_shared(path, Arc::new(Mutex::new(session)))
    }

    /// Like [`Server::start`], for a session others may answer calls from meanwhile.
    pub fn start_shared(path: &Path, session: SharedSession) -> io::Result<Server> {
        match std::fs::remove_file(path) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        let listener = UnixListener::bind(path)?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            let session = Arc::clone(&session);
            std::thread::Builder::new()
                .name("hook-tool-server".into())
                .spawn(move || serve(listener, &session, &stop))?
        };
        Ok(Server {
            path: path.to_owned(),
            stop,
            session,
            thread,
        })
    }

    /// Stops serving and hands the session back. Every other holder of a shared session must
    /// have dropped it by now.
    pub fn stop(self) -> Session {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop; if this fails the listener is already gone.
        let _ = UnixStream::connect(&self.path);
        if let Err(panic) = self.thread.join() {
            std::panic::resume_unwind(panic);
        }
        let _ = std::fs::remove_file(&self.path);
        match Arc::try_unwrap(self.session) {
            Ok(session) => session.into_inner().unwrap_or_else(PoisonError::into_inner),
            // A holder outlived the server: hand back a copy of what the calls did.
            Err(shared) => lock(&shared).clone(),
        }
    }
}

/// The session, even if a panic elsewhere poisoned the lock: every answer leaves it whole.
pub fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(PoisonError::into_inner)
}

fn serve(listener: UnixListener, session: &Mutex<Session>, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        // Commands run one at a time, as Juju's jujuc server serialises them.
        if let Ok(stream) = stream {
            let _ = handle(stream, session);
        }
    }
}

fn handle(mut stream: UnixStream, session: &Mutex<Session>) -> io::Result<()> {
    stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
    let response = match wire::read_request(&mut stream) {
        Ok(request) => answer(&mut lock(session), request),
        Err(err) => Response::Failed(format!("bad request: {err}").into_bytes()),
    };
    wire::write_response(&mut stream, &response)
}

pub fn answer(session: &mut Session, request: Request) -> Response {
    if request.context_id != session.context_id.as_bytes() {
        return failed(format!(
            "bad request: wrong context ID; got {:?}",
            String::from_utf8_lossy(&request.context_id)
        ));
    }
    let Ok(command) = String::from_utf8(request.command) else {
        return failed("bad request: command name is not UTF-8".to_owned());
    };
    let args: Result<Vec<String>, _> = request.args.into_iter().map(String::from_utf8).collect();
    let Ok(args) = args else {
        return failed(format!("bad request: arguments of {command} are not UTF-8"));
    };
    let Ok(dir) = String::from_utf8(request.dir) else {
        return failed(format!(
            "bad request: working directory of {command} is not UTF-8"
        ));
    };

    let machine_command = MACHINE_COMMANDS.contains(&command.as_str())
        || session.catalog.script_commands().contains(command.as_str());
    let (exit_code, stdout, stderr) = if machine_command {
        let mut machine = Machine {
            state: &mut session.machine,
            catalog: &session.catalog,
            root: &session.root,
            shared: &session.shared,
        };
        let result = machine.execute(&command, &args);
        (
            result.exit_code,
            result.stdout.into_bytes(),
            result.stderr.into_bytes(),
        )
    } else if hooktools::HOOK_TOOLS.contains(&command.as_str()) {
        match hooktools::execute(
            &mut session.ctx,
            &command,
            &args,
            Path::new(&dir),
            request.stdin.as_deref(),
        ) {
            hooktools::Reply::NeedsStdin => return Response::NeedsStdin,
            hooktools::Reply::Done(output) => (output.exit_code, output.stdout, output.stderr),
        }
    } else {
        return failed(format!("bad request: unknown command: {command}"));
    };
    session.calls.push(ToolCall {
        tool: command,
        args,
        exit_code,
    });
    Response::Done {
        exit_code,
        stdout,
        stderr,
    }
}

fn failed(message: String) -> Response {
    Response::Failed(message.into_bytes())
}
