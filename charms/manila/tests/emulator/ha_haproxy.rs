//! The haproxy.cfg the charm renders, through Debian's haproxy: every rendering passes
//! `haproxy -c`, and the three-unit one, run on loopback in front of three small HTTP
//! servers at the units' addresses, keeps answering when one of them stops.
//!
//! Runs when `haproxy` is installed (`apt-get install haproxy`). Without it the tests do
//! nothing, unless `REQUIRE_HAPROXY=1` (set by `cargo xtask test`), where a missing haproxy
//! fails them, so that CI cannot pass without having checked.

use std::collections::BTreeSet;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use base64::prelude::{Engine as _, BASE64_STANDARD};

use emulator::DeployOptions;
use manila_testbed::checker::{complaints, Checker};
use tls_certificates::testing::TestCa;

use crate::ha::{api_cluster, units, VIP};
use crate::support::{Charm, Identity, World};

const CFG: &str = "/etc/haproxy/haproxy.cfg";

/// Debian's haproxy, or `None` (skip) when it is not installed and not required.
fn haproxy() -> Option<PathBuf> {
    Checker {
        program: "/usr/sbin/haproxy",
        needs: &[],
        require: "REQUIRE_HAPROXY",
        install: "apt-get install -y haproxy",
    }
    .find()
}

/// `haproxy -c -f <cfg>`; `Err` carries its complaints. haproxy loads the certificates
/// named after `crt`: each is a freshly made one (certificate then key, as the charm writes
/// them) in `dir`.
fn check(haproxy: &Path, cfg: &str, dir: &Path) -> Result<(), String> {
    let mut cfg = cfg.to_owned();
    let named: BTreeSet<String> = cfg
        .split_whitespace()
        .zip(cfg.split_whitespace().skip(1))
        .filter(|(word, _)| *word == "crt")
        .map(|(_, path)| path.to_owned())
        .collect();
    for (i, original) in named.iter().enumerate() {
        let made = TestCa::new("Test CA").issue(&["10.5.0.10"], false);
        let pem = dir.join(format!("cert-{i}.pem"));
        fs::write(&pem, format!("{}{}", made.cert, made.key.expose())).unwrap();
        cfg = cfg.replace(original, &pem.display().to_string());
    }
    let path = dir.join("haproxy.cfg");
    fs::write(&path, cfg).unwrap();
    complaints(Command::new(haproxy).arg("-c").arg("-f").arg(&path))
}

/// Every haproxy.cfg snapshot of this package's tests.
fn snapshots() -> Vec<(PathBuf, String)> {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut found = Vec::new();
    let mut dirs = vec![tests];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().ends_with("haproxy.cfg.snap") {
                let text = fs::read_to_string(&path).unwrap();
                // The body follows the header's closing `---`; the redacted password is
                // one word again.
                let body = text.splitn(3, "---\n").nth(2).unwrap_or("");
                let body = body.replace("[haproxy stats password]", "redacted");
                found.push((path, body));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_haproxy_cfg_snapshot_passes_haproxy_check() {
    let Some(haproxy) = haproxy() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let snapshots = snapshots();
    assert!(
        snapshots.len() >= 2,
        "the haproxy.cfg snapshots went missing: {snapshots:?}"
    );
    for (path, cfg) in snapshots {
        if let Err(complaints) = check(&haproxy, &cfg, scratch.path()) {
            panic!("{}: haproxy -c refused it:\n{complaints}", path.display());
        }
    }
}

/// One small HTTP server answering `200` with its name, until stopped.
struct Backend {
    name: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Backend {
    fn start(name: &str, listener: TcpListener) -> Backend {
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, body) = (stop.clone(), name.to_owned());
        let thread = thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    // Each connection on its own thread, as a real server would: a slow
                    // one (a health check, a loaded machine) must not hold the others up.
                    Ok((stream, _)) => {
                        let body = body.clone();
                        thread::spawn(move || serve(stream, &body));
                    }
                    // Nothing to accept: look at the stop flag again shortly.
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => {}
                }
            }
            // The listener is dropped here: the port refuses connections from now on.
        });
        Backend {
            name: name.to_owned(),
            stop,
            thread: Some(thread),
        }
    }

    /// Stops accepting and closes the listening socket before returning.
    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(mut stream: TcpStream, body: &str) {
    // haproxy's TCP health checks connect and close without a request: no answer needed.
    let _ = stream.set_nonblocking(false);
    // As long as the client waits (`get`): under load haproxy may pass a request on late.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let _ = write!(
        stream,
        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// haproxy, killed when dropped.
struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET /` through `port`: the answering server's name, or why there was none.
fn get(port: u16) -> Result<String, String> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(10))
        .map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: manila\r\n\r\n")
        .map_err(|e| format!("send: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("read: {e}"))?;
    match response.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.0 200 OK") => Ok(body.to_owned()),
        _ => Err(format!("no answer: {response:?}")),
    }
}

/// The state haproxy's statistics give `server` (`UP`, `DOWN`, ...).
fn server_status(stats_port: u16, password: &str, server: &str) -> Option<String> {
    let address = SocketAddr::from(([127, 0, 0, 1], stats_port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let credentials = BASE64_STANDARD.encode(format!("admin:{password}"));
    write!(
        stream,
        "GET /;csv HTTP/1.0\r\nAuthorization: Basic {credentials}\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    // CSV: pxname,svname,...; the status is the 18th column.
    response.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(',').collect();
        (fields.get(1) == Some(&server)).then(|| fields.get(17).unwrap_or(&"").to_string())
    })
}

/// A port free on 127.0.0.1 now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One listener per address, all on the same free port (as every unit's Apache listens on
/// 8776 on its own address).
fn listeners(addresses: &[IpAddr]) -> (u16, Vec<TcpListener>) {
    for _ in 0..20 {
        let first = TcpListener::bind((addresses[0], 0)).unwrap();
        let port = first.local_addr().unwrap().port();
        let mut all = vec![first];
        for address in &addresses[1..] {
            match TcpListener::bind((*address, port)) {
                Ok(listener) => all.push(listener),
                Err(_) => break,
            }
        }
        if all.len() == addresses.len() {
            return (port, all);
        }
    }
    panic!("no port free on all of {addresses:?}");
}

/// Polls `probe` until it returns `Some`, or panics naming `what` after `limit`.
fn poll<T>(what: &str, limit: Duration, probe: impl FnMut() -> Option<T>) -> T {
    poll_or(limit, probe).unwrap_or_else(|| panic!("gave up waiting for {what}"))
}

/// Polls `probe` until it returns `Some`, or gives up after `limit`.
fn poll_or<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn haproxy_keeps_serving_the_api_when_one_unit_stops() {
    let Some(haproxy) = haproxy() else { return };
    let world = api_cluster(&[("vip", VIP)]);
    let scratch = tempfile::tempdir().unwrap();

    // What each unit rendered is valid.
    for unit in units(&world, "manila") {
        let cfg = world.file(&unit, CFG).unwrap();
        if let Err(complaints) = check(&haproxy, &cfg, scratch.path()) {
            panic!("{unit}'s {CFG}: haproxy -c refused it:\n{complaints}");
        }
    }

    // manila/0's, on free ports; its statistics socket in the scratch directory, and
    // without a user to switch to when the test does not run as root.
    let cfg = world.file("manila/0", CFG).unwrap();
    let password = cfg
        .lines()
        .find_map(|l| l.trim().strip_prefix("stats auth admin:"))
        .expect("the leader published a statistics password")
        .to_owned();
    let names: Vec<String> = units(&world, "manila")
        .iter()
        .map(|u| u.replace('/', "-"))
        .collect();
    let addresses: Vec<IpAddr> = units(&world, "manila")
        .iter()
        .map(|u| world.model.address(u).unwrap().parse().unwrap())
        .collect();
    let (backend_port, listening) = listeners(&addresses);
    let (front, stats) = (free_port(), free_port());
    let root = fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let socket = scratch.path().join("admin.sock");
    let cfg: String = cfg
        .lines()
        .filter(|l| root || !(l.trim().starts_with("user ") || l.trim().starts_with("group ")))
        .map(|l| {
            let l = l
                .replace("bind *:8786", &format!("bind 127.0.0.1:{front}"))
                .replace("bind 127.0.0.1:8888", &format!("bind 127.0.0.1:{stats}"))
                .replace(":8776 check", &format!(":{backend_port} check"))
                .replace("/var/run/haproxy/admin.sock", &socket.display().to_string());
            format!("{l}\n")
        })
        .collect();
    for (name, address) in names.iter().zip(&addresses) {
        assert!(
            cfg.contains(&format!("server {name} {address}:{backend_port} check")),
            "{cfg}"
        );
    }
    let path = scratch.path().join("haproxy.cfg");
    fs::write(&path, &cfg).unwrap();
    let log = scratch.path().join("haproxy.log");

    let mut backends: Vec<Backend> = names
        .iter()
        .zip(listening)
        .map(|(name, listener)| Backend::start(name, listener))
        .collect();
    let _proxy = Proxy(
        Command::new(&haproxy)
            .arg("-db")
            // The rendered maxconn (20000) needs twice as many file descriptors as a test's
            // limit may allow; haproxy's own option lowers it without editing the file.
            .args(["-n", "1000"])
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );

    // Up: every unit serves its share of requests.
    let mut seen = BTreeSet::new();
    let started = poll_or(Duration::from_secs(20), || get(front).ok());
    assert!(
        started.is_some(),
        "haproxy does not answer on its frontend; its log:\n{}\nits configuration:\n{cfg}",
        fs::read_to_string(&log).unwrap_or_default()
    );
    poll(
        "every unit to serve a request",
        Duration::from_secs(30),
        || {
            let name = get(front).unwrap_or_else(|e| panic!("a request failed: {e}"));
            seen.insert(name);
            (seen.len() == 3).then_some(())
        },
    );

    // One unit stops: no request fails while haproxy finds out, nor after.
    let mut gone = backends.remove(1);
    gone.stop();
    let stopped = gone.name.clone();
    poll(
        &format!("haproxy to mark {stopped} down"),
        Duration::from_secs(60),
        || {
            let name = get(front).unwrap_or_else(|e| panic!("a request failed: {e}"));
            assert_ne!(name, stopped, "served by a stopped unit");
            let status = server_status(stats, &password, &stopped)?;
            status.starts_with("DOWN").then_some(())
        },
    );
    let mut served = BTreeSet::new();
    for _ in 0..20 {
        served.insert(get(front).unwrap_or_else(|e| panic!("a request failed: {e}")));
    }
    let alive: BTreeSet<String> = backends.iter().map(|b| b.name.clone()).collect();
    assert_eq!(served, alive);
}

/// The public endpoint bound to a space of its own: each unit publishes its public address to
/// its peers, haproxy sends requests arriving on the public network to the units' public
/// addresses and the rest to their addresses on the default space, and keystone lists the
/// public URL on the public network.
#[test]
fn haproxy_routes_each_network_to_the_units_addresses_on_it() {
    let mut world = World::new();
    world.model.add_space("public-net").unwrap();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new()
            .units(3)
            .config("roles", "api,scheduler")
            .bind("public", "public-net"),
    );
    world.relate_peers("manila", Identity::Service);
    world.settle();
    let units = units(&world, "manila");
    let public: Vec<String> = units
        .iter()
        .map(|u| world.model.binding_address(u, "public").unwrap())
        .collect();
    let default: Vec<String> = units
        .iter()
        .map(|u| world.model.address(u).unwrap().to_owned())
        .collect();
    assert!(public[0].starts_with("127.2.") && default[0].starts_with("127.1."));

    let scratch = tempfile::tempdir().unwrap();
    for (i, unit) in units.iter().enumerate() {
        world.assert_ready(unit);
        let cfg = world.file(unit, CFG).unwrap();
        let frontend = format!(
            "    acl net_{me} dst {me}/16\n    use_backend manila-api_admin_{me} if net_{me}\n",
            me = public[i]
        );
        assert!(cfg.contains(&frontend), "{unit}: {frontend}\n{cfg}");
        assert!(
            cfg.contains(&format!(
                "    default_backend manila-api_admin_{}\n",
                default[i]
            )),
            "{unit}\n{cfg}"
        );
        for (j, peer) in units.iter().enumerate() {
            let name = peer.replace('/', "-");
            for address in [&public[j], &default[j]] {
                let server = format!("    server {name} {address}:8776 check\n");
                assert!(cfg.contains(&server), "{unit}: {server}\n{cfg}");
            }
        }
        if let Some(haproxy) = haproxy() {
            if let Err(complaints) = check(&haproxy, &cfg, scratch.path()) {
                panic!("{unit}'s {CFG}: haproxy -c refused it:\n{complaints}");
            }
        }
    }

    let urls = crate::ha::manila_urls(&mut world);
    assert_eq!(urls.len(), 2, "{urls:?}");
    for url in urls {
        assert!(public.iter().any(|p| url.contains(p.as_str())), "{url}");
    }
}
