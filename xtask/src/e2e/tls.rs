//! TLS on the real services (issue 16): the vault fixture's CA issues manila/0 its
//! certificate; Debian's haproxy then terminates TLS on the unit's address, in front of the
//! WSGI application in Apache. Requests verified against the fixture's CA succeed, the share
//! lifecycle runs over https, a client without that CA is refused, Keystone's catalog lists
//! https, and a renewal reloads haproxy, not Apache (the WSGI application's daemon processes
//! are the same), while threads, each on its own kept-alive connection, issue authenticated
//! requests back to back from before the renewal to after it settled: none may fail at the
//! TLS, TCP or HTTP level; each must have a request in flight during the renewal, and an
//! observer's connection must see the old certificate, then the renewed one (the reload
//! happened under load).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use emulator::{DeployOptions, Model, Placement};
use manila_client::Client;

use super::{admin_client, all_active, charm, lifecycle, stage};

pub(super) const VAULT: &str = "tests/fixtures/charms/vault";

/// What the stage leaves on the host, removed by teardown (of this run or the next).
const SSL_DIR: &str = "/etc/haproxy/ssl/manila";
const TRUSTED_CA: &str = "/usr/local/share/ca-certificates/vault_juju_ca_cert.crt";
/// Where an earlier layout terminated TLS (Apache's site and its certificates): taken away
/// too, should a run of it have left them.
const LEGACY_SITE: &str = "openstack_https_frontend";
const LEGACY_SSL_DIR: &str = "/etc/apache2/ssl/manila";

/// The pids of the WSGI application's daemon processes (mod_wsgi names them after their
/// group, `display-name=%{GROUP}`), in order.
fn wsgi_daemons() -> Vec<u32> {
    let mut pids: Vec<u32> = fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = fs::read(entry.path().join("cmdline")).ok()?;
            cmdline.starts_with(b"(wsgi:manila-api)").then_some(pid)
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// The certificate files haproxy presents.
fn served_certificates() -> Result<Vec<String>> {
    Ok(fs::read_dir(SSL_DIR)?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("cert"))
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .collect())
}

pub(super) fn tls(root: &Path, model: &mut Model, model_dir: &Path, keystone: &str) -> Result<()> {
    stage("TLS: the vault fixture's certificate, haproxy terminating it, https catalog");
    model.deploy(
        "vault",
        charm(root, VAULT),
        DeployOptions::new().to(Placement::Machine(0)),
    )?;
    let relation = model.relate("manila:certificates", "vault:certificates")?;
    model.settle()?;
    all_active(model)?;
    let ca = model
        .unit_bag(relation, "vault/0")?
        .get("ca")
        .cloned()
        .context("vault/0 sent no CA")?;
    let endpoint = format!("https://{}:8786", model.address("manila/0")?);

    let manila = admin_client(model_dir, keystone, Some(&ca))?;
    if !manila.endpoint().starts_with(&format!("{endpoint}/v2/")) {
        bail!(
            "the catalog's public sharev2 endpoint is {}, not {endpoint}",
            manila.endpoint()
        );
    }
    eprintln!(
        "    {} answers over TLS verified against the fixture's CA (microversion {})",
        manila.endpoint(),
        manila.microversion()
    );
    match admin_client(model_dir, keystone, None) {
        Ok(_) => bail!("a client without the fixture's CA was not refused by {endpoint}"),
        Err(e) => eprintln!("    without the fixture's CA: refused ({e})"),
    }
    let plain = format!("http://{}:8786/", model.address("manila/0")?);
    if reqwest::blocking::get(&plain).is_ok_and(|r| r.status().is_success()) {
        bail!("{plain} still answers plain HTTP");
    }
    lifecycle(&manila)?;

    stage("TLS: a renewal with requests in flight: haproxy reloaded, the application untouched, none lost");
    let daemons = wsgi_daemons();
    if daemons.is_empty() {
        bail!("no mod_wsgi daemon process of manila-api runs");
    }
    let served = served_certificates()?;
    let load = InFlight::new(CLIENTS + 1);
    let clients = (0..CLIENTS)
        .map(|_| admin_client(model_dir, keystone, Some(&ca)))
        .collect::<Result<Vec<_>>>()?;
    let observer = observer(&ca)?;
    let root_url = format!("{endpoint}/");
    let (renewal, counts) = std::thread::scope(|scope| {
        let load = &load;
        let mut threads = Vec::new();
        for (i, manila) in clients.iter().enumerate() {
            threads.push(scope.spawn(move || {
                load.run(i, || {
                    manila
                        .list_share_types()
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
            }));
        }
        let observer = &observer;
        let root_url = &root_url;
        let seen = scope.spawn(move || {
            let mut certificates: Vec<Vec<u8>> = Vec::new();
            let mut resent = 0;
            let counts = load.run(CLIENTS, || {
                // As manila-client does (RFC 9112 9.3.1): a GET whose kept-alive connection
                // the reloading server closed unanswered is sent once more.
                let response = match observer.get(root_url).send() {
                    Err(e) if manila_client::closed_unanswered(&e) => {
                        resent += 1;
                        observer.get(root_url).send()
                    }
                    other => other,
                }
                .map_err(|e| format!("{e:#}"))?;
                let status = response.status();
                let der = response
                    .extensions()
                    .get::<reqwest::tls::TlsInfo>()
                    .and_then(|info| info.peer_certificate())
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                // The versions document: 300 Multiple Choices, as Manila answers `/`.
                if !(status.is_success() || status.as_u16() == 300) {
                    return Err(format!("{root_url} answered {status}"));
                }
                if certificates.last() != Some(&der) {
                    certificates.push(der);
                }
                Ok(())
            });
            (counts, certificates, resent)
        });
        // Every connection open and kept alive before the renewal starts.
        load.wait_for(Phase::Before, 5);
        load.enter(Phase::During);
        let renewal = model
            .set_config("vault", [("generation", 1)])
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(model.settle().map(drop)?));
        load.enter(Phase::After);
        load.wait_for(Phase::After, 20);
        load.stop();
        let mut counts: Vec<Counts> = threads
            .into_iter()
            .map(|t| t.join().expect("a request thread panicked"))
            .collect();
        let (observed, certificates, resent) = seen.join().expect("the observer thread panicked");
        counts.push(observed);
        (renewal.map(|()| (certificates, resent)), counts)
    });
    let (certificates, observer_resent) = renewal?;
    all_active(model)?;
    let total = Counts::sum(&counts);
    let resent = clients.iter().map(Client::resent).sum::<u64>() + observer_resent;
    eprintln!(
        "    requests completed: {} before the renewal, {} during it (set_config to settled), {} after; {} in flight during it; {} failed; {resent} sent again after haproxy closed their kept-alive connection unanswered ({} threads, each on its own kept-alive connection)",
        total.ok[0], total.ok[1], total.ok[2], total.spanning, total.failed, CLIENTS + 1
    );
    if total.failed > 0 {
        bail!(
            "{} of the requests in flight during the renewal failed: {}",
            total.failed,
            total.errors.join("; ")
        );
    }
    if counts.iter().any(|c| c.spanning == 0) {
        bail!("a request thread had no request in flight during the renewal: {counts:?}");
    }
    // The observer's connection saw the old certificate, then the new one, with no request
    // failing in between: the reload happened while requests were being served.
    if certificates.len() != 2 {
        bail!(
            "the observer saw {} distinct certificates in a row where the old then the renewed one were expected",
            certificates.len()
        );
    }
    if served_certificates()? == served {
        bail!("the renewal left the certificates in {SSL_DIR} as they were");
    }
    if wsgi_daemons() != daemons {
        bail!(
            "the renewal restarted the WSGI application (its daemons {daemons:?} are now {:?})",
            wsgi_daemons()
        );
    }
    manila.list_share_types()?;
    eprintln!("    renewed; haproxy reloaded (the served certificate changed under load), the WSGI application's daemons {daemons:?} kept; the API answers");
    Ok(())
}

/// Threads issuing authenticated requests through the charm's endpoint during the renewal,
/// each with its own client (so its own kept-alive connection); one more, the observer,
/// records which certificate served each of its requests.
const CLIENTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Before = 0,
    During = 1,
    After = 2,
}

/// What one thread did, by phase.
#[derive(Debug, Default)]
struct Counts {
    /// Requests that succeeded, by the phase they completed in.
    ok: [u64; 3],
    /// Requests in flight at some time during the renewal: started before it ended and
    /// completed after it began (one slow request may span all of a short renewal).
    spanning: u64,
    failed: u64,
    errors: Vec<String>,
}

impl Counts {
    fn sum(all: &[Counts]) -> Counts {
        let mut total = Counts::default();
        for c in all {
            for (t, n) in total.ok.iter_mut().zip(c.ok) {
                *t += n;
            }
            total.spanning += c.spanning;
            total.failed += c.failed;
            total.errors.extend(c.errors.iter().take(5).cloned());
        }
        total
    }
}

/// Requests kept in flight: the phase the main thread is in, and each thread's count of
/// successes in it.
struct InFlight {
    phase: std::sync::atomic::AtomicU8,
    stop: std::sync::atomic::AtomicBool,
    failed: std::sync::atomic::AtomicU64,
    done: Vec<[std::sync::atomic::AtomicU64; 3]>,
}

impl InFlight {
    fn new(threads: usize) -> Self {
        InFlight {
            phase: std::sync::atomic::AtomicU8::new(Phase::Before as u8),
            stop: std::sync::atomic::AtomicBool::new(false),
            failed: std::sync::atomic::AtomicU64::new(0),
            done: (0..threads).map(|_| Default::default()).collect(),
        }
    }

    /// Runs `request` back to back until stopped, counting by the phase it completed in,
    /// and those in flight during the renewal.
    fn run(&self, thread: usize, mut request: impl FnMut() -> Result<(), String>) -> Counts {
        use std::sync::atomic::Ordering;
        let mut counts = Counts::default();
        while !self.stop.load(Ordering::SeqCst) {
            let started = self.phase.load(Ordering::SeqCst);
            let result = request();
            let phase = usize::from(self.phase.load(Ordering::SeqCst));
            if started <= Phase::During as u8 && phase >= Phase::During as usize {
                counts.spanning += 1;
            }
            match result {
                Ok(()) => {
                    counts.ok[phase] += 1;
                    self.done[thread][phase].fetch_add(1, Ordering::SeqCst);
                }
                Err(e) => {
                    counts.failed += 1;
                    self.failed.fetch_add(1, Ordering::SeqCst);
                    if counts.errors.len() < 5 {
                        counts.errors.push(e);
                    }
                }
            }
        }
        counts
    }

    fn enter(&self, phase: Phase) {
        self.phase
            .store(phase as u8, std::sync::atomic::Ordering::SeqCst);
    }

    /// Waits until every thread completed `n` requests in `phase`, or a request failed
    /// (the stage fails on it; waiting longer would only hide it).
    fn wait_for(&self, phase: Phase, n: u64) {
        use std::sync::atomic::Ordering;
        while self.failed.load(Ordering::SeqCst) == 0
            && self
                .done
                .iter()
                .any(|d| d[phase as usize].load(Ordering::SeqCst) < n)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A client trusting the fixture's CA that reports the certificate each answer came with,
/// keeping one connection alive.
fn observer(ca: &str) -> Result<reqwest::blocking::Client> {
    let mut builder = reqwest::blocking::Client::builder()
        .tls_info(true)
        .use_rustls_tls()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30));
    for certificate in reqwest::Certificate::from_pem_bundle(ca.as_bytes())? {
        builder = builder.add_root_certificate(certificate);
    }
    Ok(builder.build()?)
}

/// Takes away what the stage left on the host: the certificates, and the fixture's CA from
/// the trust store.
pub(super) fn teardown() {
    let quiet = |cmd: &mut Command| {
        let _ = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    };
    if Path::new("/etc/apache2/sites-enabled")
        .join(format!("{LEGACY_SITE}.conf"))
        .exists()
    {
        quiet(Command::new("a2dissite").arg(LEGACY_SITE));
    }
    let _ = fs::remove_file(format!("/etc/apache2/sites-available/{LEGACY_SITE}.conf"));
    let _ = fs::remove_dir_all(LEGACY_SSL_DIR);
    let _ = fs::remove_dir_all(SSL_DIR);
    if fs::remove_file(TRUSTED_CA).is_ok() {
        quiet(Command::new("update-ca-certificates").arg("--fresh"));
    }
}
