//! `cargo xtask e2e`: the manila charm against the real thing (issue #8). On this host, as
//! root, with Debian 12's packages: the emulator in real-host mode deploys manila (all roles)
//! with a dummy back end, and fixture charms running real MariaDB, RabbitMQ and Keystone;
//! then the scenario drives the actual Manila API through haproxy with `manila-client`, as
//! Keystone's admin, at the endpoint the charm registered in the catalog: a share lifecycle,
//! the Manila API client's own `real_api` test, the charm's Manila-API actions through the
//! emulator's `run` (issue #9), a config change, pause and resume, the NRPE checks run by
//! Debian's NRPE with the nrpe fixture (issue 16, [`nrpe`]), a second share-only
//! application with its own back end on a second machine (the host seen through private
//! overlays and its own PID namespace, see [`RealHost`]), oslo-config-validator on every
//! unit's manila.conf, and last TLS from the vault fixture (`tls`). Raw HTTP only where the client cannot go: a request without a token.
//!
//! Every stage is printed as it starts. On failure the services' logs are printed. Teardown
//! stops every service the scenario may have started, on success and on failure, and the
//! next run starts by removing the previous run's databases, so runs repeat on one machine.
//! Everything listens on and talks to loopback addresses only.

mod actions;
mod nrpe;
mod tls;

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use emulator::{DeployOptions, Model, Placement, RealHost};
use manila_client::{
    Auth, Client, Domain, Endpoint, Interface, Keystone, NewAccessRule, NewShare, NewShareType,
    NewSnapshot, Project, Secret, ServiceFilter, Settings, Share, ShareType, Wait,
};
use serde_json::Map;

use crate::{cargo, step, validators};

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
    tls::VAULT,
    nrpe::NRPE_CHARM,
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
    "nagios-nrpe-server",
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
    clock.time("nrpe checks", || nrpe::nrpe_checks(root, &mut model))?;
    clock.time("second share application", || {
        second_share_app(root, &mut model, &manila)
    })?;
    clock.time("oslo-config-validator", || {
        validate(&model, &tools.oslo_config_validator)
    })?;
    clock.time("TLS (vault fixture)", || {
        tls::tls(root, &mut model, model_dir, &keystone)
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
    tls::teardown();
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

/// Keystone's admin, finding Manila through the catalog as an operator would (what the charm
/// registered in Keystone), trusting `ca` beside the system's roots when given.
fn admin_client(model_dir: &Path, keystone: &str, ca: Option<&str>) -> Result<Client> {
    let password = fs::read_to_string(model_dir.join("admin-password"))?;
    let mut settings = Settings::new(
        Auth::Keystone(Keystone {
            auth_url: format!("{keystone}/v3"),
            username: "admin".to_owned(),
            password: Secret::new(password.trim()),
            user_domain: Domain::Id("default".to_owned()),
            project: Project::Name {
                name: "admin".to_owned(),
                domain: Domain::Id("default".to_owned()),
            },
        }),
        Endpoint::Catalog {
            interface: Interface::Public,
            region: None,
        },
    );
    settings.ca_certificate = ca.map(str::to_owned);
    Ok(Client::connect(settings)?)
}

fn api_answers(model_dir: &Path, keystone: &str, endpoint: &str) -> Result<Client> {
    stage("the API answers through haproxy on 8786 with a Keystone token");
    let manila = admin_client(model_dir, keystone, None)?;
    if !manila.endpoint().starts_with(&format!("{endpoint}/v2/")) {
        bail!(
            "the catalog's public sharev2 endpoint is {}, not manila/0's haproxy at {endpoint}",
            manila.endpoint()
        );
    }
    // Without a token the API refuses: Keystone auth is really on. (Raw HTTP: the client
    // always sends one.)
    let shares = format!("{}/shares", manila.endpoint());
    let anonymous = reqwest::blocking::get(&shares)
        .with_context(|| format!("GET {shares} without a token"))?
        .status();
    if anonymous != reqwest::StatusCode::UNAUTHORIZED {
        bail!("GET {shares} without a token should be 401, not {anonymous}");
    }
    eprintln!(
        "    {} at microversion {} with an admin token; waiting for the services and the \
         dummy1 pool",
        manila.endpoint(),
        manila.microversion()
    );
    wait_for(
        "manila-scheduler, manila-share (dummy1) and manila-data up",
        180,
        || {
            let services = manila.list_services(&ServiceFilter::default())?;
            let up = |binary: &str, host_suffix: &str| {
                services
                    .iter()
                    .any(|s| s.binary == binary && s.is_up() && s.host.ends_with(host_suffix))
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
    eprintln!("    share type default = {}", share_type.id);
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

/// How long a share or snapshot may take to change state, and how often to look.
const WAIT: Wait = Wait {
    timeout: Duration::from_secs(120),
    interval: Duration::from_millis(500),
};

/// The share type `name`, created (public, with `extra_specs`) if missing.
fn share_type(manila: &Client, name: &str, extra_specs: &[(&str, &str)]) -> Result<ShareType> {
    if let Some(found) = manila.find_share_type(name)? {
        return Ok(found);
    }
    let mut new = NewShareType::new(name, false);
    new.extra_specs = extra_specs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Ok(manila.create_share_type(&new)?)
}

/// The share type the lifecycle uses, created if missing: snapshots, shares from snapshots.
fn default_share_type(manila: &Client) -> Result<ShareType> {
    share_type(
        manila,
        "default",
        &[
            ("snapshot_support", "True"),
            ("create_share_from_snapshot_support", "True"),
        ],
    )
}

/// Whether the scheduler's pools list names one containing `needle`.
fn pool_listed(manila: &Client, needle: &str) -> Result<bool> {
    Ok(manila
        .list_pools()?
        .iter()
        .any(|pool| pool.name.contains(needle)))
}

/// One scheduling request, for its side effect of refreshing the scheduler's host cache: a
/// share of the default type, whatever becomes of it (available, or error for want of a
/// pool), then deleted.
fn schedule_probe(manila: &Client) -> Result<()> {
    let probe = manila.create_share(&new_share("e2e-probe", Some("default")))?;
    let wait = Wait {
        timeout: Duration::from_secs(60),
        ..WAIT
    };
    match manila.wait_for_share(&probe.id, "available", wait) {
        Ok(_) | Err(manila_client::Error::ErrorState { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    delete_share(manila, &probe.id)
}

/// A 1 GiB NFS share named `name`, of `share_type` (the default type when `None`).
fn new_share(name: &str, share_type: Option<&str>) -> NewShare {
    let mut share = NewShare::new("NFS", 1);
    share.name = Some(name.to_owned());
    share.share_type = share_type.map(str::to_owned);
    share
}

/// Deletes a share, if it is still there, and waits until it is gone.
fn delete_share(manila: &Client, id: &str) -> Result<()> {
    match manila.delete_share(id) {
        Err(e) if e.is_not_found() => return Ok(()),
        deleted => deleted?,
    }
    Ok(manila.wait_for_share_gone(id, WAIT)?)
}

/// Deletes a snapshot, if it is still there, and waits until it is gone.
fn delete_snapshot(manila: &Client, id: &str) -> Result<()> {
    match manila.delete_snapshot(id) {
        Err(e) if e.is_not_found() => return Ok(()),
        deleted => deleted?,
    }
    Ok(manila.wait_for_snapshot_gone(id, WAIT)?)
}

/// Whether Manila's API answers an authenticated request through haproxy.
fn api_answers_now(manila: &Client) -> bool {
    manila.list_share_types().is_ok()
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

fn lifecycle(manila: &Client) -> Result<()> {
    stage("share type, share, access rule, snapshot, share from snapshot, extend, delete");
    default_share_type(manila)?;
    let share = create_share(manila, &new_share("e2e-1", Some("default")))?;
    let exports = manila.export_locations(&share.id)?;
    if exports.is_empty() {
        bail!("share {} is available but has no export location", share.id);
    }
    let rule = manila.allow_access(
        &share.id,
        &NewAccessRule {
            access_type: "ip".to_owned(),
            access_to: "10.0.0.0/24".to_owned(),
            access_level: "rw".to_owned(),
        },
    )?;
    wait_for("the access rule to be active", 60, || {
        Ok(manila
            .list_access_rules(&share.id)?
            .iter()
            .any(|r| r.id == rule.id && r.state.as_deref() == Some("active")))
    })?;
    let snapshot = manila.create_snapshot(&NewSnapshot {
        share_id: share.id.clone(),
        name: Some("e2e-snap".to_owned()),
        description: None,
        force: false,
    })?;
    manila.wait_for_snapshot(&snapshot.id, "available", WAIT)?;
    eprintln!("    snapshot {} available", snapshot.id);
    let mut from_snapshot = new_share("e2e-2", None);
    from_snapshot.snapshot_id = Some(snapshot.id.clone());
    let from_snapshot = create_share(manila, &from_snapshot)?;
    manila.extend_share(&share.id, 2)?;
    let extended = manila.wait_for_share(&share.id, "available", WAIT)?;
    if extended.size != Some(2) {
        bail!(
            "share {} extended to 2 GiB reports size {:?}",
            share.id,
            extended.size
        );
    }
    eprintln!("    share {} extended to 2 GiB", share.id);
    manila.deny_access(&share.id, &rule.id)?;
    delete_share(manila, &from_snapshot.id)?;
    delete_snapshot(manila, &snapshot.id)?;
    delete_share(manila, &share.id)?;
    eprintln!("    everything deleted");
    Ok(())
}

/// The Manila API client's own test against this deployment, found through Keystone's
/// catalog as an operator would.
fn client_real_api(root: &Path, model_dir: &Path, keystone: &str) -> Result<()> {
    stage("manila-client's real_api test against this deployment (through the catalog)");
    let args = ["test", "-p", "manila-client", "--test", "real_api"];
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

/// Creates a share and waits until it is available.
fn create_share(manila: &Client, new: &NewShare) -> Result<Share> {
    let created = manila.create_share(new)?;
    let share = manila.wait_for_share(&created.id, "available", WAIT)?;
    eprintln!(
        "    share {} available on {}",
        share.id,
        share.host.as_deref().unwrap_or("(host not shown)")
    );
    Ok(share)
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

fn debug_change(model: &mut Model, manila: &Client) -> Result<()> {
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
        Ok(api_answers_now(manila))
    })?;
    Ok(())
}

fn pause_resume(model: &mut Model, manila: &Client) -> Result<()> {
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
    if api_answers_now(manila) {
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
        Ok(api_answers_now(manila))
    })?;
    Ok(())
}

fn second_share_app(root: &Path, model: &mut Model, manila: &Client) -> Result<()> {
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
        let shares = manila.list_services(&ServiceFilter {
            binary: Some("manila-share".to_owned()),
            ..ServiceFilter::default()
        })?;
        Ok(shares
            .iter()
            .any(|s| s.is_up() && s.host.ends_with("@dummy2")))
    })?;
    share_type(manila, "dummy2", &[("share_backend_name", "DUMMY2")])?;
    // The scheduler hears of dummy2's pool from its start-up report, or the next periodic
    // one: until then a share of this type finds no host, so retry until it lands.
    let started = Instant::now();
    let share = loop {
        let created = manila.create_share(&new_share("e2e-3", Some("dummy2")))?;
        match manila.wait_for_share(&created.id, "available", WAIT) {
            Ok(share) => break share,
            Err(e) if started.elapsed() < Duration::from_secs(180) => {
                eprintln!("    not yet ({e}); retrying");
                delete_share(manila, &created.id)?;
                std::thread::sleep(Duration::from_secs(5));
            }
            Err(e) => return Err(e.into()),
        }
    };
    let host = share.host.as_deref().unwrap_or_default();
    if !host.contains("@dummy2#") {
        bail!("the dummy2-type share landed on {host}, not on back end dummy2");
    }
    eprintln!("    share {} landed on {host}", share.id);
    delete_share(manila, &share.id)
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
