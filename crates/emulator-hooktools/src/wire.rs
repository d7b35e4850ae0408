//! The shim ⇄ agent wire format: one request and one response per connection.
//!
//! Shared, by `#[path]`, between the library's socket server and the std-only shim binary, so
//! that both ends are compiled from the same definition. Every field is raw bytes (argv and the
//! working directory need not be UTF-8 on the client side); the server decides what to accept.
//! A frame is the 4-byte magic, then fields; a byte field is a little-endian `u32` length and
//! the bytes.

use std::io::{self, Read, Write};

const MAGIC: &[u8; 4] = b"JEM1";

/// The file, in a tools directory, that names the agent for shims started from there when
/// their environment does not: the context id, a newline, the socket path, a newline.
pub const AGENT_FILE: &str = ".jujuc-agent";

pub fn agent_file_contents(context_id: &[u8], socket: &[u8]) -> Vec<u8> {
    [context_id, b"\n", socket, b"\n"].concat()
}

/// `(context id, socket path)` from an agent file.
pub fn parse_agent_file(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let newline = text.iter().position(|&b| b == b'\n')?;
    let (context_id, rest) = text.split_at(newline);
    let socket = &rest[1..];
    Some((context_id, socket.strip_suffix(b"\n").unwrap_or(socket)))
}

/// Refuse absurd lengths from a confused peer instead of allocating them.
const MAX_FIELD: u32 = 256 << 20;

/// One hook-tool (or emulated machine command) invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub context_id: Vec<u8>,
    pub dir: Vec<u8>,
    pub command: Vec<u8>,
    pub args: Vec<Vec<u8>>,
    /// Absent on the first attempt: stdin is sent only when the server asks for it, as jujuc
    /// does, so that a tool that never reads stdin never blocks on it.
    pub stdin: Option<Vec<u8>>,
}

/// The agent's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Done {
        exit_code: i32,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    /// The command reads stdin: send the request again, on a new connection, with all of it.
    NeedsStdin,
    /// A transport-level failure; the client prints `ERROR <message>` and exits 1.
    Failed(Vec<u8>),
}

pub fn write_request(w: &mut impl Write, req: &Request) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(MAGIC);
    put(&mut buf, &req.context_id);
    put(&mut buf, &req.dir);
    put(&mut buf, &req.command);
    put_u32(&mut buf, req.args.len() as u32);
    for arg in &req.args {
        put(&mut buf, arg);
    }
    match &req.stdin {
        None => buf.push(0),
        Some(stdin) => {
            buf.push(1);
            put(&mut buf, stdin);
        }
    }
    w.write_all(&buf)?;
    w.flush()
}

pub fn read_request(r: &mut impl Read) -> io::Result<Request> {
    magic(r)?;
    let context_id = get(r)?;
    let dir = get(r)?;
    let command = get(r)?;
    let count = get_u32(r)?;
    let mut args = Vec::new();
    for _ in 0..count {
        args.push(get(r)?);
    }
    let stdin = match get_u8(r)? {
        0 => None,
        _ => Some(get(r)?),
    };
    Ok(Request {
        context_id,
        dir,
        command,
        args,
        stdin,
    })
}

pub fn write_response(w: &mut impl Write, resp: &Response) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(MAGIC);
    match resp {
        Response::Done {
            exit_code,
            stdout,
            stderr,
        } => {
            buf.push(0);
            buf.extend_from_slice(&exit_code.to_le_bytes());
            put(&mut buf, stdout);
            put(&mut buf, stderr);
        }
        Response::NeedsStdin => buf.push(1),
        Response::Failed(message) => {
            buf.push(2);
            put(&mut buf, message);
        }
    }
    w.write_all(&buf)?;
    w.flush()
}

pub fn read_response(r: &mut impl Read) -> io::Result<Response> {
    magic(r)?;
    match get_u8(r)? {
        0 => {
            let mut code = [0u8; 4];
            r.read_exact(&mut code)?;
            Ok(Response::Done {
                exit_code: i32::from_le_bytes(code),
                stdout: get(r)?,
                stderr: get(r)?,
            })
        }
        1 => Ok(Response::NeedsStdin),
        2 => Ok(Response::Failed(get(r)?)),
        other => Err(invalid(&format!("unknown response kind {other}"))),
    }
}

fn put(buf: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(buf, bytes.len() as u32);
    buf.extend_from_slice(bytes);
}

fn put_u32(buf: &mut Vec<u8>, n: u32) {
    buf.extend_from_slice(&n.to_le_bytes());
}

fn magic(r: &mut impl Read) -> io::Result<()> {
    let mut m = [0u8; 4];
    r.read_exact(&mut m)?;
    if &m != MAGIC {
        return Err(invalid("not a juju-emulator frame"));
    }
    Ok(())
}

fn get_u8(r: &mut impl Read) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn get_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    let n = u32::from_le_bytes(b);
    if n > MAX_FIELD {
        return Err(invalid("field too long"));
    }
    Ok(n)
}

fn get(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let len = get_u32(r)? as usize;
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_survive_the_round_trip() {
        let request = Request {
            context_id: b"u/0-install-1".to_vec(),
            dir: b"/charm".to_vec(),
            command: b"relation-set".to_vec(),
            args: vec![b"--file".to_vec(), b"-".to_vec(), vec![0xff, 0]],
            stdin: Some(b"a: b\n".to_vec()),
        };
        let mut buf = Vec::new();
        write_request(&mut buf, &request).unwrap();
        assert_eq!(read_request(&mut buf.as_slice()).unwrap(), request);
        for response in [
            Response::Done {
                exit_code: -3,
                stdout: b"out".to_vec(),
                stderr: Vec::new(),
            },
            Response::NeedsStdin,
            Response::Failed(b"nope".to_vec()),
        ] {
            let mut buf = Vec::new();
            write_response(&mut buf, &response).unwrap();
            assert_eq!(read_response(&mut buf.as_slice()).unwrap(), response);
        }
    }

    #[test]
    fn garbage_is_refused_not_allocated() {
        let mut frame = MAGIC.to_vec();
        frame.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(read_request(&mut frame.as_slice()).is_err());
        assert!(read_request(&mut &b"HTTP/1.1"[..]).is_err());
    }

    #[test]
    fn agent_files_name_the_context_and_the_socket() {
        let text = agent_file_contents(b"u/0-install-1", b"/tmp/x/agent.socket");
        assert_eq!(text, b"u/0-install-1\n/tmp/x/agent.socket\n");
        assert_eq!(
            parse_agent_file(&text),
            Some((&b"u/0-install-1"[..], &b"/tmp/x/agent.socket"[..]))
        );
        assert_eq!(parse_agent_file(b"no newline"), None);
    }
}
