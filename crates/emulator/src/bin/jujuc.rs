//! The hook-tool shim: one binary, linked under the name of every hook tool (and of every
//! emulated machine command) in a unit's tools directory.
//!
//! Like Juju's `jujuc` client it takes the command from `basename(argv[0])`, finds the agent
//! through `JUJU_CONTEXT_ID`, `JUJU_AGENT_SOCKET_ADDRESS` and `JUJU_AGENT_SOCKET_NETWORK`,
//! sends `{context id, cwd, command, args}`, sends stdin only when the agent asks for it, then
//! prints the answer verbatim and exits with its code. It runs once per hook-tool call, so it
//! uses nothing but std.
//!
//! One addition to Juju's client: when the directory it was started from (hard links keep it;
//! symbolic links resolve to the shim's own) holds an agent file (`wire::AGENT_FILE`), the context id and socket
//! path come from there instead. The in-process scenario runner serves the machine commands of
//! a test's `host::Host` that way: the host gives its commands only a `PATH`, and the test
//! process's environment is shared by tests running in parallel.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process;

// The library's server uses the other half of this module.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../emulator-hooktools/src/wire.rs"]
mod wire;

use wire::{Request, Response};

fn main() {
    let mut argv = std::env::args_os();
    let argv0 = argv.next().unwrap_or_default();
    let command = Path::new(&argv0)
        .file_name()
        .map(|name| name.as_bytes().to_vec())
        .unwrap_or_default();
    let args: Vec<Vec<u8>> = argv.map(OsString::into_vec).collect();

    let (context_id, address) = match agent_file().or_else(machine_agent_file) {
        Some(agent) => agent,
        None => {
            let context_id = required("JUJU_CONTEXT_ID");
            let address = required("JUJU_AGENT_SOCKET_ADDRESS");
            let network = required("JUJU_AGENT_SOCKET_NETWORK");
            if network != "unix" {
                fail(&format!(
                    "unsupported agent socket network {:?}",
                    network.to_string_lossy()
                ));
            }
            (context_id, address)
        }
    };
    let dir = match std::env::current_dir() {
        Ok(dir) => dir.into_os_string().into_vec(),
        Err(err) => fail(&format!("cannot get working directory: {err}")),
    };

    let mut request = Request {
        context_id: context_id.into_vec(),
        dir,
        command,
        args,
        stdin: None,
    };
    loop {
        match call(Path::new(&address), &request) {
            Ok(Response::Done {
                exit_code,
                stdout,
                stderr,
            }) => {
                // A closed stdout (`tool | head -1`) is the reader's business, not an error.
                let _ = io::stdout().write_all(&stdout);
                let _ = io::stdout().flush();
                let _ = io::stderr().write_all(&stderr);
                process::exit(exit_code);
            }
            Ok(Response::NeedsStdin) if request.stdin.is_none() => {
                let mut stdin = Vec::new();
                if let Err(err) = io::stdin().read_to_end(&mut stdin) {
                    fail(&format!("cannot read stdin: {err}"));
                }
                request.stdin = Some(stdin);
            }
            Ok(Response::NeedsStdin) => fail("agent asked for stdin twice"),
            Ok(Response::Failed(message)) => fail(&String::from_utf8_lossy(&message)),
            Err(err) => fail(&err.to_string()),
        }
    }
}

/// One request per connection: a tool waiting for its stdin must not hold the agent, which may
/// be needed by the process writing that stdin (`relation-get | relation-set --file -`).
fn call(address: &Path, request: &Request) -> io::Result<Response> {
    let mut stream = UnixStream::connect(address)?;
    wire::write_request(&mut stream, request)?;
    stream.shutdown(std::net::Shutdown::Write)?;
    wire::read_response(&mut stream)
}

/// The context id and socket path from the agent file beside this executable, if any.
fn agent_file() -> Option<(OsString, OsString)> {
    let exe = std::env::current_exe().ok()?;
    let text = std::fs::read(exe.parent()?.join(wire::AGENT_FILE)).ok()?;
    let (context_id, socket) = wire::parse_agent_file(&text)?;
    Some((
        OsString::from_vec(context_id.to_vec()),
        OsString::from_vec(socket.to_vec()),
    ))
}

/// On a confined machine, a command run with a cleared environment (charmhelpers runs apt
/// with only `PATH`) finds the running hook's agent in the machine's `/run`.
fn machine_agent_file() -> Option<(OsString, OsString)> {
    if std::env::var_os("JUJU_CONTEXT_ID").is_some() {
        return None;
    }
    let text = std::fs::read("/run/juju-emulator/agent").ok()?;
    let (context_id, socket) = wire::parse_agent_file(&text)?;
    Some((
        OsString::from_vec(context_id.to_vec()),
        OsString::from_vec(socket.to_vec()),
    ))
}

fn required(var: &str) -> OsString {
    match std::env::var_os(var) {
        Some(value) if !value.is_empty() => value,
        _ => fail(&format!("{var} not set")),
    }
}

fn fail(message: &str) -> ! {
    let _ = writeln!(io::stderr(), "ERROR {message}");
    process::exit(1);
}
