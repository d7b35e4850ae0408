//! `cargo xtask e2e`: the manila charm against the real thing (issue #8). On this host, as
//! root, with Debian 12's packages: the emulator in real-host mode deploys manila (all roles)
//! with a dummy back end, and fixture charms running real MariaDB, RabbitMQ and Keystone;
//! then the scenario checks the actual Manila API through haproxy with a Keystone token:
//! a share lifecycle, the Manila API client's own `real_api` test (when it exists and builds),
//! the charm's Manila-API actions through the emulator's `run` (issue #9), a config change,
//! pause and resume, a second share-only application with its own back end on a second machine
//! (the host seen through private overlays and its own PID namespace, see [`RealHost`]), and
//! oslo-config-validator on every unit's manila.conf.
//!
//! Every stage is printed as it starts. On failure the services' logs are printed. Teardown
//! stops every service the scenario may have started, on success and on failure, and the
//! next run starts by removing the previous run's databases, so runs repeat on one machine.
//! Everything listens on and talks to loopback addresses only.

mod actions;
mod client;

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use emulator::{DeployOptions, Model, Placement, RealHost};
use serde_json::{json, Map, Value};

use crate::{cargo, step, validators};
use client::{id_of, Manila, Token};

#[derive(Debug, clap::Args)]
pub(crate) struct E2eArgs {
    /// Where the model lives (recreated on every run).
    #[arg(long, default_value = "build/e2e-model")]
    model: PathBuf,
}

/// The charms the scenario deploys, by directory.
const CHARMS: &[&str] = &[
    "charms/manila",
    "tests/fixtures/real-charms/real-mysql",
    "tests/fixtures/real-charms/real-rabbitmq",
    "tests/fixtures/real-charms/real-keystone",
    "tests/fixtures/real-charms/dummy-backend",
];

/// What a second machine keeps to itself: manila's config, state, logs and pid files, so that
/// a second manila application can run its own `manila-share` beside the first.
const PRIVATE_DIRS: &[&str] = &[
    "/etc/manila",
    "/var/lib/manila",
    "/var/log/manila",
    "/run/manila",
];

/// Every service the scenario may start, in the order teardown stops them.
const SERVICES: &[&str] = &[
    "manila-api",
    "manila-data",
    "manila-share",
    "manila-scheduler",
    "apache2",
    "haproxy",
    "memcached",
    "keystone",
    "rabbitmq-server",
    "mariadb",
];

/// Logs worth reading when something failed.
const LOG_GLOBS: &[&str] = &[
    "/var/log/manila",
    "/var/log/apache2",
    "/var/log/keystone",
    "/var/log/rabbitmq",
    "/var/log/mysql",
];

/// The services whose restarts the config-change stage counts, with their pid files.
const PID_FILES: &[(&str, &str)] = &[
    ("manila-scheduler", "/run/manila/manila-scheduler.pid"),
    ("manila-share", "/run/manila/manila-share.pid"),
    ("manila-data", "/run/manila/manila-data.pid"),
    ("apache2", "/run/apache2/apache2.pid"),
    ("haproxy", "/run/haproxy.pid"),
    ("memcached", "/run/memcached.pid"),
    ("keystone", "/run/keystone/keystone.pid"),
];

const MANILA_NAMESPACES: &[&str] = &[
    "manila",
    "oslo.messaging",
    "oslo.middleware.cors",
    "oslo.middleware.http_proxy_to_wsgi",
    "oslo.db",
    "keystonemiddleware.auth_token",
    "oslo.log",
    "oslo.concurrency",
    "oslo.policy",
    "oslo.service.service",
    "oslo.service.wsgi",
    "oslo.reports",
    "osprofiler",
];

/// Wall time per phase, for the report.
#[derive(Default)]
struct Clock {
    started: Option<Instant>,
    /// Each phase, and whether it is a part of the one before.
    phases: Vec<(&'static str, Duration, bool)>,
}

impl Clock {
    fn time<T>(&mut self, phase: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let start = Instant::now();
        let result = f();
        self.phases.push((phase, start.elapsed(), false));
        result
    }

    /// A part of the phase before.
    fn detail(&mut self, part: &'static str, took: Duration) {
        self.phases.push((part, took, true));
    }

    fn print(&self) {
        let total = self.started.map(|s| s.elapsed()).unwrap_or_default();
        eprintln!("==> e2e wall time: {:.0} s", total.as_secs_f64());
        for (phase, took, part) in &self.phases {
            let indent = if *part { "  " } else { "" };
            let phase = format!("{indent}{phase}");
            eprintln!("    {phase:<30} {:>6.1} s", took.as_secs_f64());
        }
    }
}

fn stage(name: &str) {
    eprintln!("==> [e2e] {name}");
}

pub(crate) fn e2e(root: &Path, args: &E2eArgs) -> Result<()> {
    check_host()?;
    let mut clock = Clock {
        started: Some(Instant::now()),
        ..Clock::default()
    };
    let model_dir = root.join(&args.model);
    let policy = clock.time("prepare host", || prepare_host(&model_dir))?;
    let outcome = run(root, &model_dir, &mut clock);
    if let Err(e) = &outcome {
        eprintln!("==> [e2e] FAILED: {e:#}");
        print_logs(&model_dir);
    }
    stage("teardown: stop every service");
    let stopped = clock.time("teardown", || teardown(&model_dir));
    if policy.added {
        let _ = fs::remove_file(POLICY_RC);
    }
    clock.print();
    outcome?;
    stopped?;
    eprintln!("==> [e2e] PASSED");
    Ok(())
}

fn run(root: &Path, model_dir: &Path, clock: &mut Clock) -> Result<()> {
    let tools = clock.time("validators (venv)", || validators::ensure(root))?;
    clock.time("build and pack charms", || pack(root))?;
    let install = Rc::new(InstallTime::default());
    let mut model = clock.time("deploy and settle", || {
        deploy(root, model_dir, install.clone())
    })?;
    install.counting.set(false);
    clock.detail("of which install hooks (apt)", install.total.get());
    let keystone = format!("http://{}:5000", model.address("real-keystone/0")?);
    let endpoint = format!("http://{}:8786", model.address("manila/0")?);
    let manila = clock.time("API through haproxy", || {
        api_answers(model_dir, &keystone, &endpoint)
    })?;
    clock.time("share lifecycle", || lifecycle(&manila))?;
    clock.time("manila-client real_api", || {
        client_real_api(root, model_dir, &keystone)
    })?;
    clock.time("manila API actions (run)", || {
        actions::api_actions(&mut model, &manila)
    })?;
    clock.time("config debug=true", || debug_change(&mut model, &manila))?;
    clock.time("pause and resume", || pause_resume(&mut model, &manila))?;
    clock.time("second share application", || {
        second_share_app(root, &mut model, &manila)
    })?;
    clock.time("oslo-config-validator", || {
        validate(&model, &tools.oslo_config_validator)
    })?;
    Ok(())
}

// ---- host ----------------------------------------------------------------------------------

fn check_host() -> Result<()> {
    let uid = output(Command::new("id").arg("-u"))?;
    if uid.trim() != "0" {
        bail!("cargo xtask e2e changes this machine (packages, /etc, services): run it as root on a disposable Debian 12 machine");
    }
    let os = fs::read_to_string("/etc/os-release").unwrap_or_default();
    if !os.lines().any(|l| l == "VERSION_CODENAME=bookworm") {
        bail!("cargo xtask e2e needs Debian 12 (bookworm): its Manila packages are what the scenario runs (/etc/os-release says otherwise)");
    }
    Ok(())
}

const POLICY_RC: &str = "/usr/sbin/policy-rc.d";

struct Policy {
    added: bool,
}

/// Stops what an earlier run left running, removes its model and databases, and keeps
/// package installs from starting daemons (the charms start them, configured).
fn prepare_host(model_dir: &Path) -> Result<Policy> {
    stage("prepare host: stop leftovers, drop old databases, hold package daemons");
    teardown(model_dir)?;
    if model_dir.exists() {
        fs::remove_dir_all(model_dir)
            .with_context(|| format!("removing {}", model_dir.display()))?;
    }
    let added = !Path::new(POLICY_RC).exists();
    if added {
        use std::os::unix::fs::PermissionsExt;
        fs::write(
            POLICY_RC,
            "#!/bin/sh\n# cargo xtask e2e: the charms start services.\nexit 101\n",
        )
        .context("writing /usr/sbin/policy-rc.d")?;
        fs::set_permissions(POLICY_RC, fs::Permissions::from_mode(0o755))?;
    }
    if Path::new("/etc/init.d/mariadb").exists() && Path::new("/usr/sbin/mariadbd").exists() {
        run_quiet(Command::new("service").args(["mariadb", "start"]))?;
        run_quiet(Command::new("mysql").args([
            "-e",
            "DROP DATABASE IF EXISTS manila; DROP DATABASE IF EXISTS keystone;",
        ]))?;
        run_quiet(Command::new("service").args(["mariadb", "stop"]))?;
    }
    Ok(Policy { added })
}

/// Stops every service of [`SERVICES`] that is installed, every further machine (with all it
/// runs: its namespaces die with their init), and epmd, which rabbitmq's init script leaves
/// behind.
fn teardown(model_dir: &Path) -> Result<()> {
    if let Ok(entries) = fs::read_dir(model_dir.join("machines")) {
        for entry in entries.flatten() {
            RealHost::stop_machine(&entry.path().join("overlay"));
        }
    }
    for service in SERVICES {
        if Path::new("/etc/init.d").join(service).exists() {
            let _ = Command::new("service")
                .args([service, "stop"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
    if Path::new("/usr/bin/epmd").exists() {
        let _ = Command::new("epmd").arg("-kill").output();
    }
    Ok(())
}

fn print_logs(model_dir: &Path) {
    eprintln!("==> [e2e] service logs (last 40 lines each)");
    let mut dirs: Vec<PathBuf> = LOG_GLOBS.iter().map(PathBuf::from).collect();
    // A second machine's manila logs live in its overlay.
    if let Ok(entries) = fs::read_dir(model_dir.join("machines")) {
        for entry in entries.flatten() {
            if let Ok(layers) = fs::read_dir(entry.path().join("overlay")) {
                dirs.extend(layers.flatten().map(|l| l.path().join("upper")));
            }
        }
    }
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .collect();
        files.sort();
        for file in files {
            let text = fs::read_to_string(&file).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                continue;
            }
            eprintln!("---- {} ----", file.display());
            for line in &lines[lines.len().saturating_sub(40)..] {
                eprintln!("{line}");
            }
        }
    }
    if let Ok(model) = Model::open(model_dir) {
        eprintln!("---- the model's debug log (last 60 lines) ----");
        let log = model.debug_log();
        for entry in &log[log.len().saturating_sub(60)..] {
            eprintln!(
                "{} {} {}: {}",
                entry.time, entry.unit, entry.level, entry.message
            );
        }
        eprintln!("{}", emulator::status::render(&model));
    }
}

// ---- deploy --------------------------------------------------------------------------------

fn pack(root: &Path) -> Result<()> {
    stage("build and pack the charms");
    let mut args = vec!["xtask", "pack"];
    args.extend(CHARMS);
    step("pack manila and the real-host fixtures", cargo(root, &args))
}

fn charm(root: &Path, dir: &str) -> PathBuf {
    let name = Path::new(dir).file_name().unwrap_or_default();
    root.join("build")
        .join(format!("{}.charm", name.to_string_lossy()))
}

/// The admin password of this run's Keystone.
fn admin_password() -> String {
    format!(
        "e2e-{:x}",
        (std::process::id() as u64 * 2_654_435_761) ^ now_nanos()
    )
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
}

/// The time the deploy stage spent in `install` hooks (package installs, mostly): each hook's
/// time is measured from the end of the one before, which in that stage follow each other
/// with nothing in between.
struct InstallTime {
    counting: Cell<bool>,
    last: Cell<Instant>,
    total: Cell<Duration>,
}

impl Default for InstallTime {
    fn default() -> InstallTime {
        InstallTime {
            counting: Cell::new(true),
            last: Cell::new(Instant::now()),
            total: Cell::new(Duration::ZERO),
        }
    }
}

fn deploy(root: &Path, model_dir: &Path, install: Rc<InstallTime>) -> Result<Model> {
    stage("deploy manila (all roles), dummy1, real-mysql, real-rabbitmq, real-keystone; settle");
    let mut model = Model::new(model_dir)?;
    let mut real = RealHost::new();
    for dir in PRIVATE_DIRS {
        real = real.private_dir(dir);
    }
    model.set_real_host(real)?;
    model.set_hook_timeout(Duration::from_secs(900));
    install.last.set(Instant::now());
    model.on_hook(move |record| {
        let took = install.last.get().elapsed();
        install.last.set(Instant::now());
        if install.counting.get() && record.hook == "install" && !record.action {
            install.total.set(install.total.get() + took);
            eprintln!("    {} ({:.1} s)", record.summary(), took.as_secs_f64());
        } else {
            eprintln!("    {}", record.summary());
        }
    });
    let here = || DeployOptions::new().to(Placement::Machine(0));
    let password = admin_password();
    fs::write(model_dir.join("admin-password"), &password)?;
    // The model's first machine is created by the first deploy: place it, then the rest on it.
    model.deploy(
        "real-mysql",
        charm(root, CHARMS[1]),
        DeployOptions::new().to(Placement::New),
    )?;
    model.deploy("real-rabbitmq", charm(root, CHARMS[2]), here())?;
    model.deploy(
        "real-keystone",
        charm(root, CHARMS[3]),
        here().config("admin-password", password.as_str()),
    )?;
    model.deploy(
        "manila",
        charm(root, CHARMS[0]),
        here()
            .config("openstack-origin", "distro")
            .config("default-share-backend", "dummy1"),
    )?;
    model.deploy(
        "dummy1",
        charm(root, CHARMS[4]),
        DeployOptions::new().config("backend-name", "dummy1"),
    )?;
    model.relate("real-keystone:shared-db", "real-mysql:shared-db")?;
    model.relate("manila:shared-db", "real-mysql:shared-db")?;
    model.relate("manila:amqp", "real-rabbitmq:amqp")?;
    model.relate("manila:identity-service", "real-keystone:identity-service")?;
    model.relate("manila:manila-plugin", "dummy1:manila-plugin")?;
    model.settle()?;
    all_active(&model)?;
    Ok(model)
}

fn all_active(model: &Model) -> Result<()> {
    let mut bad = Vec::new();
    for unit in model.all_units() {
        let status = model.unit_status(&unit)?;
        if status.status != "active" {
            bad.push(format!("{unit}: {} ({})", status.status, status.message));
        }
    }
    if !bad.is_empty() {
        bail!(
            "not every unit is active: {}\n{}",
            bad.join("; "),
            emulator::status::render(model)
        );
    }
    eprintln!("{}", emulator::status::render(model));
    Ok(())
}

// ---- the scenario --------------------------------------------------------------------------

fn api_answers(model_dir: &Path, keystone: &str, endpoint: &str) -> Result<Manila> {
    stage("the API answers through haproxy on 8786 with a Keystone token");
    let password = fs::read_to_string(model_dir.join("admin-password"))?;
    let token = Token::admin(keystone, &password)?;
    let versions = ureq::get(&format!("{endpoint}/")).call();
    match versions {
        Ok(r) if r.status() == 300 => {}
        Err(ureq::Error::Status(300, _)) => {}
        other => bail!("GET {endpoint}/ should list the API versions (300): {other:?}"),
    }
    let manila = Manila::new(endpoint, &token);
    // Without a token the API refuses: Keystone auth is really on.
    let anonymous = ureq::get(&format!("{endpoint}/v2/{}/shares", token.project_id)).call();
    if !matches!(anonymous, Err(ureq::Error::Status(401, _))) {
        bail!("GET /shares without a token should be 401: {anonymous:?}");
    }
    eprintln!(
        "    token for project {} accepted; waiting for the services and the dummy1 pool",
        token.project_id
    );
    wait_for(
        "manila-scheduler, manila-share (dummy1) and manila-data up",
        180,
        || {
            let services = manila.expect("GET", "/services", None, &[200])?;
            let up = |binary: &str, host_suffix: &str| {
                services["services"].as_array().is_some_and(|all| {
                    all.iter().any(|s| {
                        s["binary"] == binary
                            && s["state"] == "up"
                            && s["host"].as_str().is_some_and(|h| h.ends_with(host_suffix))
                    })
                })
            };
            Ok(
                up("manila-scheduler", "")
                    && up("manila-share", "@dummy1")
                    && up("manila-data", ""),
            )
        },
    )?;
    // The scheduler learns a back end's pools from its capability reports: at start-up, or
    // at the first periodic report (up to 2 minutes later) when the start-up one was missed.
    // The pools API answers from the scheduler's cache, which a query before the first
    // report fills with a pool-less host until the next scheduling request (real-peers
    // gotcha 3): while the pool is missing, make one, a throw-away share.
    let share_type = default_share_type(&manila)?;
    eprintln!("    share type default = {share_type}");
    wait_for("the dummy1 pool at the scheduler", 240, || {
        if pool_listed(&manila, "@dummy1#")? {
            return Ok(true);
        }
        schedule_probe(&manila)?;
        std::thread::sleep(Duration::from_secs(3));
        pool_listed(&manila, "@dummy1#")
    })?;
    Ok(manila)
}

/// The share type the lifecycle uses, created if missing: snapshots, shares from snapshots.
fn default_share_type(manila: &Manila) -> Result<String> {
    manila.share_type(
        "default",
        json!({"driver_handles_share_servers": false, "snapshot_support": true,
               "create_share_from_snapshot_support": true}),
    )
}

/// Whether the scheduler's pools list names one containing `needle`.
fn pool_listed(manila: &Manila, needle: &str) -> Result<bool> {
    let pools = manila.expect("GET", "/scheduler-stats/pools", None, &[200])?;
    Ok(pools["pools"].as_array().is_some_and(|all| {
        all.iter()
            .any(|p| p["name"].as_str().is_some_and(|n| n.contains(needle)))
    }))
}

/// One scheduling request, for its side effect of refreshing the scheduler's host cache: a
/// share of the default type, whatever becomes of it (available, or error for want of a
/// pool), then deleted.
fn schedule_probe(manila: &Manila) -> Result<()> {
    let created = manila.expect(
        "POST",
        "/shares",
        Some(
            json!({"share": {"name": "e2e-probe", "share_proto": "NFS", "size": 1,
                               "share_type": "default"}}),
        ),
        &[200, 202],
    )?;
    let id = id_of(&created, "share")?;
    let started = Instant::now();
    loop {
        let share = manila.expect("GET", &format!("/shares/{id}"), None, &[200])?;
        let status = share["share"]["status"].as_str().unwrap_or_default();
        if status != "creating" {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("probe share {id} still 'creating' after 60 s");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    manila.expect("DELETE", &format!("/shares/{id}"), None, &[202])?;
    manila.wait_gone("share", &id)
}

/// Polls `check` every second until it says yes, for at most `seconds`.
fn wait_for(what: &str, seconds: u64, mut check: impl FnMut() -> Result<bool>) -> Result<()> {
    let started = Instant::now();
    loop {
        match check() {
            Ok(true) => {
                eprintln!("    {what}: after {:.0} s", started.elapsed().as_secs_f64());
                return Ok(());
            }
            Ok(false) => {}
            Err(e) if started.elapsed().as_secs() >= seconds => return Err(e),
            Err(_) => {}
        }
        if started.elapsed().as_secs() >= seconds {
            bail!("timed out after {seconds} s waiting for {what}");
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn lifecycle(manila: &Manila) -> Result<()> {
    stage("share type, share, access rule, snapshot, share from snapshot, extend, delete");
    default_share_type(manila)?;
    let share = create_share(
        manila,
        json!({"name": "e2e-1", "share_proto": "NFS", "size": 1, "share_type": "default"}),
    )?;
    let exports = manila.expect(
        "GET",
        &format!("/shares/{share}/export_locations"),
        None,
        &[200],
    )?;
    let paths = exports["export_locations"].as_array().map_or(0, Vec::len);
    if paths == 0 {
        bail!("share {share} is available but has no export location: {exports}");
    }
    let rule = manila.expect(
        "POST",
        &format!("/shares/{share}/action"),
        Some(
            json!({"allow_access": {"access_type": "ip", "access_to": "10.0.0.0/24",
                                      "access_level": "rw"}}),
        ),
        &[200],
    )?;
    let rule_id = id_of(&rule, "access")?;
    wait_for("the access rule to be active", 60, || {
        let rules = manila.expect(
            "GET",
            &format!("/share-access-rules?share_id={share}"),
            None,
            &[200],
        )?;
        Ok(rules["access_list"].as_array().is_some_and(|all| {
            all.iter()
                .any(|r| r["id"] == rule_id.as_str() && r["state"] == "active")
        }))
    })?;
    let snapshot = manila.expect(
        "POST",
        "/snapshots",
        Some(json!({"snapshot": {"share_id": share, "name": "e2e-snap"}})),
        &[200, 202],
    )?;
    let snapshot = id_of(&snapshot, "snapshot")?;
    manila.wait_status("snapshot", &snapshot, "available")?;
    eprintln!("    snapshot {snapshot} available");
    let from_snapshot = create_share(
        manila,
        json!({"name": "e2e-2", "share_proto": "NFS", "size": 1, "snapshot_id": snapshot}),
    )?;
    manila.expect(
        "POST",
        &format!("/shares/{share}/action"),
        Some(json!({"extend": {"new_size": 2}})),
        &[202],
    )?;
    let extended = manila.wait_status("share", &share, "available")?;
    if extended["size"] != 2 {
        bail!(
            "share {share} extended to 2 GiB reports size {}",
            extended["size"]
        );
    }
    eprintln!("    share {share} extended to 2 GiB");
    manila.expect(
        "POST",
        &format!("/shares/{share}/action"),
        Some(json!({"deny_access": {"access_id": rule_id}})),
        &[202],
    )?;
    manila.expect("DELETE", &format!("/shares/{from_snapshot}"), None, &[202])?;
    manila.wait_gone("share", &from_snapshot)?;
    manila.expect("DELETE", &format!("/snapshots/{snapshot}"), None, &[202])?;
    manila.wait_gone("snapshot", &snapshot)?;
    manila.expect("DELETE", &format!("/shares/{share}"), None, &[202])?;
    manila.wait_gone("share", &share)?;
    eprintln!("    everything deleted");
    Ok(())
}

/// The Manila API client's own test against this deployment, found through Keystone's
/// catalog as an operator would: only when that test exists and builds (it is another
/// piece of work, maybe unfinished); otherwise says why it is skipped.
fn client_real_api(root: &Path, model_dir: &Path, keystone: &str) -> Result<()> {
    stage("manila-client's real_api test against this deployment (through the catalog)");
    let source = root.join("crates/manila-client/tests/real_api.rs");
    if !source.exists() {
        eprintln!("    SKIPPED: {} does not exist", source.display());
        return Ok(());
    }
    let args = ["test", "-p", "manila-client", "--test", "real_api"];
    let built = cargo(root, &[&args[..], &["--no-run"]].concat())
        .output()
        .context("building manila-client's real_api test")?;
    if !built.status.success() {
        let stderr = String::from_utf8_lossy(&built.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        eprintln!("    SKIPPED: manila-client's real_api test does not build:");
        for line in tail.iter().rev() {
            eprintln!("      {line}");
        }
        return Ok(());
    }
    let password = fs::read_to_string(model_dir.join("admin-password"))?;
    let mut test = cargo(root, &args);
    test.env("MANILA_CLIENT_TEST_ENDPOINT", "catalog")
        .env("MANILA_CLIENT_TEST_AUTH", "keystone")
        .env("MANILA_CLIENT_TEST_KEYSTONE_URL", format!("{keystone}/v3"))
        .env("MANILA_CLIENT_TEST_USERNAME", "admin")
        .env("MANILA_CLIENT_TEST_PASSWORD", password.trim())
        .env("MANILA_CLIENT_TEST_PROJECT_NAME", "admin");
    step("cargo test -p manila-client --test real_api", test)
}

/// Creates a share and waits until it is available; returns its id.
fn create_share(manila: &Manila, share: Value) -> Result<String> {
    let created = manila.expect(
        "POST",
        "/shares",
        Some(json!({"share": share})),
        &[200, 202],
    )?;
    let id = id_of(&created, "share")?;
    let share = manila.wait_status("share", &id, "available")?;
    eprintln!("    share {id} available on {}", share["host"]);
    Ok(id)
}

/// The pid in each pid file of [`PID_FILES`] (host view).
fn pids() -> Vec<(&'static str, Option<String>)> {
    PID_FILES
        .iter()
        .map(|(service, file)| {
            let pid = fs::read_to_string(file).ok().map(|p| p.trim().to_owned());
            (
                *service,
                pid.filter(|p| Path::new("/proc").join(p).exists()),
            )
        })
        .collect()
}

fn debug_change(model: &mut Model, manila: &Manila) -> Result<()> {
    stage("config debug=true: manila.conf changes, only the affected services restart");
    let before = pids();
    model.set_config("manila", [("debug", true)])?;
    model.settle()?;
    all_active(model)?;
    let conf = fs::read_to_string("/etc/manila/manila.conf")?;
    if !conf.lines().any(|l| l.trim() == "debug = True") {
        bail!("manila.conf has no 'debug = True' after config debug=true");
    }
    let after = pids();
    let mut restarted = Vec::new();
    let mut kept = Vec::new();
    for ((service, old), (_, new)) in before.iter().zip(&after) {
        if new.is_none() {
            bail!("{service} is not running after the config change");
        }
        if old != new {
            restarted.push(*service);
        } else {
            kept.push(*service);
        }
    }
    eprintln!("    restarted: {restarted:?}; untouched: {kept:?}");
    let expected = ["manila-scheduler", "manila-share", "manila-data", "apache2"];
    if restarted != expected {
        bail!("config debug=true should restart exactly {expected:?} (manila.conf readers), restarted {restarted:?}");
    }
    wait_for("the API to answer again", 60, || {
        Ok(manila.call("GET", "/shares", None)?.status == 200)
    })?;
    Ok(())
}

fn pause_resume(model: &mut Model, manila: &Manila) -> Result<()> {
    stage("pause: services stop, the API stops answering, status says paused; resume");
    if !model.charm("manila")?.actions.actions.contains_key("pause") {
        eprintln!("    SKIPPED: the manila charm has no pause action yet");
        return Ok(());
    }
    let paused = model.run_action("manila/0", "pause", Map::new())?;
    if paused.status != emulator::ActionStatus::Completed {
        bail!("pause failed: {:?} {:?}", paused.message, paused.results);
    }
    model.settle()?;
    let status = model.unit_status("manila/0")?.clone();
    if status.status != "maintenance" || !status.message.contains("Paused") {
        bail!(
            "paused manila/0 shows {} ({}), not the paused message",
            status.status,
            status.message
        );
    }
    for (service, pid) in pids() {
        let stopped =
            service.starts_with("manila-") || service == "apache2" || service == "haproxy";
        if stopped && pid.is_some() {
            bail!("{service} still runs on the paused unit");
        }
    }
    if manila
        .call("GET", "/shares", None)
        .is_ok_and(|a| a.status == 200)
    {
        bail!("the API still answers on the paused unit");
    }
    eprintln!(
        "    paused: {} ({}); the API does not answer",
        status.status, status.message
    );
    model.set_config("manila", [("debug", false)])?;
    model.settle()?;
    if let Some((service, _)) = pids()
        .into_iter()
        .find(|(s, pid)| (s.starts_with("manila-") || *s == "apache2") && pid.is_some())
    {
        bail!("config-changed on the paused unit started {service}");
    }
    eprintln!("    config-changed while paused started nothing");
    let resumed = model.run_action("manila/0", "resume", Map::new())?;
    if resumed.status != emulator::ActionStatus::Completed {
        bail!("resume failed: {:?} {:?}", resumed.message, resumed.results);
    }
    model.settle()?;
    all_active(model)?;
    wait_for("the API to answer after resume", 90, || {
        Ok(manila.call("GET", "/shares", None)?.status == 200)
    })?;
    Ok(())
}

fn second_share_app(root: &Path, model: &mut Model, manila: &Manila) -> Result<()> {
    stage("a second share-only application (machine 1) with back end dummy2");
    model.deploy(
        "manila-share2",
        charm(root, CHARMS[0]),
        DeployOptions::new()
            .to(Placement::New)
            .config("roles", "share")
            .config("default-share-backend", "dummy2")
            .config("openstack-origin", "distro")
            .config("debug", true),
    )?;
    model.deploy(
        "dummy2",
        charm(root, CHARMS[4]),
        DeployOptions::new().config("backend-name", "dummy2"),
    )?;
    model.relate("manila-share2:shared-db", "real-mysql:shared-db")?;
    model.relate("manila-share2:amqp", "real-rabbitmq:amqp")?;
    // A unit without the API registers no endpoint: it authenticates to other services
    // with credentials of its own.
    model.relate(
        "manila-share2:identity-credentials",
        "real-keystone:identity-credentials",
    )?;
    model.relate("manila-share2:manila-plugin", "dummy2:manila-plugin")?;
    model.settle()?;
    all_active(model)?;
    wait_for("manila-share @dummy2 up at the same scheduler", 180, || {
        let services = manila.expect("GET", "/services?binary=manila-share", None, &[200])?;
        Ok(services["services"].as_array().is_some_and(|all| {
            all.iter().any(|s| {
                s["state"] == "up" && s["host"].as_str().is_some_and(|h| h.ends_with("@dummy2"))
            })
        }))
    })?;
    manila.share_type(
        "dummy2",
        json!({"driver_handles_share_servers": false, "share_backend_name": "DUMMY2"}),
    )?;
    // The scheduler hears of dummy2's pool from its start-up report, or the next periodic
    // one: until then a share of this type finds no host, so retry until it lands.
    let started = Instant::now();
    let share = loop {
        let created = manila.expect(
            "POST",
            "/shares",
            Some(
                json!({"share": {"name": "e2e-3", "share_proto": "NFS", "size": 1,
                                   "share_type": "dummy2"}}),
            ),
            &[200, 202],
        )?;
        let id = id_of(&created, "share")?;
        match manila.wait_status("share", &id, "available") {
            Ok(share) => break share,
            Err(e) if started.elapsed() < Duration::from_secs(180) => {
                eprintln!("    not yet ({e}); retrying");
                manila.expect("DELETE", &format!("/shares/{id}"), None, &[202])?;
                manila.wait_gone("share", &id)?;
                std::thread::sleep(Duration::from_secs(5));
            }
            Err(e) => return Err(e),
        }
    };
    let host = share["host"].as_str().unwrap_or_default();
    if !host.contains("@dummy2#") {
        bail!("the dummy2-type share landed on {host}, not on back end dummy2");
    }
    eprintln!("    share {} landed on {host}", share["id"]);
    let id = share["id"].as_str().unwrap_or_default().to_owned();
    manila.expect("DELETE", &format!("/shares/{id}"), None, &[202])?;
    manila.wait_gone("share", &id)?;
    Ok(())
}

/// Every manila unit's rendered manila.conf: the host's for machine 0, the overlay's for the
/// others.
fn rendered_confs(model: &Model) -> Result<Vec<(String, PathBuf)>> {
    let etc_manila = PRIVATE_DIRS
        .iter()
        .position(|d| *d == "/etc/manila")
        .context("/etc/manila is a private directory")?;
    let mut confs = Vec::new();
    for app in model.applications() {
        if model.charm(&app)?.meta.name != "manila" {
            continue;
        }
        for unit in model.units(&app) {
            let machine = model.machine_of(&unit)?;
            let path = if machine == 0 {
                PathBuf::from("/etc/manila/manila.conf")
            } else {
                model
                    .machine_overlay(machine)
                    .join(etc_manila.to_string())
                    .join("upper/manila.conf")
            };
            confs.push((unit, path));
        }
    }
    Ok(confs)
}

fn validate(model: &Model, validator: &Path) -> Result<()> {
    stage("oslo-config-validator on every unit's manila.conf");
    for (unit, path) in rendered_confs(model)? {
        let text = fs::read_to_string(&path)
            .with_context(|| format!("{unit}: reading {}", path.display()))?;
        let backends: Vec<String> = text
            .lines()
            .find_map(|l| l.strip_prefix("enabled_share_backends = "))
            .map(|b| b.split(',').map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default();
        let mut cmd = Command::new(validator);
        for namespace in MANILA_NAMESPACES {
            cmd.args(["--namespace", namespace]);
        }
        // Back-end sections are named by the operator: no namespace knows them.
        for backend in &backends {
            cmd.args(["--exclude-group", backend]);
        }
        cmd.arg("--input-file").arg(&path);
        let out = cmd
            .output()
            .with_context(|| format!("running {}", validator.display()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("ERROR")).collect();
        if !out.status.success() || !errors.is_empty() {
            bail!(
                "{unit}: {} fails oslo-config-validator:\n{stderr}",
                path.display()
            );
        }
        eprintln!(
            "    {unit}: {} valid (back ends {backends:?} excluded)",
            path.display()
        );
    }
    Ok(())
}

// ---- small helpers -------------------------------------------------------------------------

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("could not run {cmd:?}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn run_quiet(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("could not run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
