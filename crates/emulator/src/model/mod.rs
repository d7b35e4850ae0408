//! [`Model`]: a Juju model in a directory, its lifecycle operations and its inspectors.
//!
//! Operations (`deploy`, `relate`, `add_unit`, …) change the model and queue the hooks Juju
//! would fire; [`Model::settle`] runs queued hooks, one at a time, until none is left. The model
//! is saved to `<dir>/model.json` after every operation and every hook, so that it can be
//! reopened by another process (the command-line tool works that way).

mod execution;
mod juju_exec;
mod lifecycle;
mod ordering;
mod real_host;
mod secrets;
mod spaces;
mod storage;

pub use execution::{ActionResult, ActionStatus, SettleReport};
pub use juju_exec::ExecResult;
pub(crate) use lifecycle::infer_relation;
pub use lifecycle::{ConfigValue, DeployOptions, Placement};
pub use real_host::RealHost;
pub(crate) use spaces::{default_network, machine_address};
pub use spaces::{Space, DEFAULT_SPACE};
pub(crate) use storage::storage_declarations;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use juju::{AppName, UnitName};
use nix::fcntl::{Flock, FlockArg};
use rand::Rng;
use serde_json::Value as Json;

use crate::bundle::CharmStore;
use crate::charm_definition::Charm;
use crate::error::{io_error, Error, Result};
use crate::hooktools::{Bag, Port, StatusSnapshot};
use crate::journal::{self, HookRecord, Journal, LogEntry, ToolCallRecord};
use crate::machine::{Catalog, MachineState, OsRelease, ServiceFault, ServiceState};
use crate::model_state::{AgentState, InitSystem, ModelState, Unit};

const MODEL_FILE: &str = "model.json";
const SHIM_NAME: &str = "jujuc";

/// The hook-tool shim, compiled by `build.rs` from `src/bin/jujuc.rs`.
pub(crate) const SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jujuc"));

/// The Juju version the emulated agents report (`JUJU_VERSION`).
pub const JUJU_VERSION: &str = "3.6.8";

/// A Juju model living in a directory.
pub struct Model {
    dir: PathBuf,
    pub(crate) state: ModelState,
    journal: Journal,
    hook_timeout: Duration,
    settle_limit: u64,
    progress: Option<Progress>,
    /// Units whose tools directory this process has checked.
    tools_ready: BTreeSet<UnitName>,
    /// Held for the model's lifetime: one process at a time works on a model directory.
    _lock: Flock<fs::File>,
}

/// Called after every hook execution (see [`Model::on_hook`]).
type Progress = Box<dyn FnMut(&HookRecord)>;

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("dir", &self.dir)
            .field("name", &self.state.name)
            .field("applications", &self.state.applications.keys())
            .field("units", &self.state.units.keys())
            .finish_non_exhaustive()
    }
}

impl Model {
    /// How many workload statuses [`Model::status_history`] keeps per unit.
    pub const STATUS_HISTORY: usize = crate::model_state::Unit::STATUS_HISTORY;

    /// Creates an empty model in `dir` (created if needed; it must not already hold a model).
    pub fn new(dir: impl AsRef<Path>) -> Result<Model> {
        let dir = absolute(dir.as_ref())?;
        fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        if dir.join(MODEL_FILE).exists() {
            return Err(Error::ModelExists { path: dir });
        }
        journal::reset(&dir).map_err(io_error(&dir))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "emulated".to_owned());
        let state = ModelState {
            name,
            uuid: random_uuid(),
            init: InitSystem::default(),
            os_release: OsRelease::default(),
            catalog: Catalog::default(),
            charm_store: None,
            real_host: None,
            applications: BTreeMap::new(),
            machines: BTreeMap::new(),
            units: BTreeMap::new(),
            relations: BTreeMap::new(),
            spaces: Vec::new(),
            next_machine: 0,
            next_relation: 0,
            next_operation: 1,
            next_hook_seq: 0,
            executions: 0,
            automatically_retry_hooks: true,
            secrets: BTreeMap::new(),
            next_storage: BTreeMap::new(),
            shared_dirs: Vec::new(),
            retry_clock: 0,
        };
        let model = Model::with_state(dir, state)?;
        model.save()?;
        Ok(model)
    }

    /// Opens the model saved in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Model> {
        let dir = absolute(dir.as_ref())?;
        let path = dir.join(MODEL_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoModel { path: dir })
            }
            Err(err) => return Err(io_error(&path)(err)),
        };
        let state = serde_json::from_str(&text).map_err(|err| Error::Corrupt {
            path,
            reason: err.to_string(),
        })?;
        Model::with_state(dir, state)
    }

    /// Opens the model in `dir`, creating an empty one if there is none.
    pub fn open_or_new(dir: impl AsRef<Path>) -> Result<Model> {
        if dir.as_ref().join(MODEL_FILE).exists() {
            Model::open(dir)
        } else {
            Model::new(dir)
        }
    }

    fn with_state(dir: PathBuf, state: ModelState) -> Result<Model> {
        let journal = Journal::open(&dir);
        install_shim(&dir)?;
        Ok(Model {
            _lock: lock(&dir)?,
            dir,
            state,
            journal,
            hook_timeout: Duration::from_secs(600),
            settle_limit: 10_000,
            progress: None,
            tools_ready: BTreeSet::new(),
        })
    }

    /// Writes `model.json` (atomically: a reader never sees half a model).
    pub fn save(&self) -> Result<()> {
        let path = self.dir.join(MODEL_FILE);
        let tmp = self.dir.join(".model.json.tmp");
        let text = serde_json::to_string_pretty(&self.state).map_err(|err| Error::Corrupt {
            path: path.clone(),
            reason: err.to_string(),
        })?;
        fs::write(&tmp, text).map_err(io_error(&tmp))?;
        fs::rename(&tmp, &path).map_err(io_error(&path))
    }

    // ---- settings ----------------------------------------------------------------------

    /// The model directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn name(&self) -> &str {
        &self.state.name
    }

    pub fn uuid(&self) -> &str {
        &self.state.uuid
    }

    /// A hook still running after this long is killed and counts as failed (default 10 min).
    pub fn set_hook_timeout(&mut self, timeout: Duration) {
        self.hook_timeout = timeout;
    }

    /// How many hook executions one `settle` may run before giving up (default 10 000).
    pub fn set_settle_limit(&mut self, limit: u64) {
        self.settle_limit = limit;
    }

    /// Called after every hook execution, e.g. to print progress.
    pub fn on_hook(&mut self, progress: impl FnMut(&HookRecord) + 'static) {
        self.progress = Some(Box::new(progress));
    }

    /// `juju model-config key=value`. The emulator knows `automatically-retry-hooks`
    /// (default true): whether a failed hook is retried with Juju's backoff.
    pub fn set_model_config(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "automatically-retry-hooks" => {
                let retry = crate::charm_definition::parse_go_bool(value).ok_or_else(|| {
                    Error::Refused(format!(
                        "automatically-retry-hooks: expected bool, got string({value:?})"
                    ))
                })?;
                self.state.automatically_retry_hooks = retry;
                if !retry {
                    for unit in self.state.units.values_mut() {
                        unit.retry = None;
                    }
                }
            }
            other => {
                return Err(Error::Refused(format!(
                    "model config {other:?} is not emulated (known: automatically-retry-hooks)"
                )))
            }
        }
        self.save()
    }

    /// Makes host directory `dir` visible, read-write and at its own path, inside every
    /// confined machine: a deliberate opening in the sandbox, for tests that exchange files
    /// with their charms. Nothing else of the host is writable from a confined hook.
    pub fn share_host_dir(&mut self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = absolute(dir.as_ref())?;
        if !self.state.shared_dirs.contains(&dir) {
            self.state.shared_dirs.push(dir);
        }
        self.save()
    }

    /// Model config `automatically-retry-hooks`.
    pub fn automatically_retry_hooks(&self) -> bool {
        self.state.automatically_retry_hooks
    }

    /// The packages the emulated archive offers (default: Debian 12 versions).
    pub fn catalog(&self) -> &Catalog {
        &self.state.catalog
    }

    pub fn set_catalog(&mut self, catalog: Catalog) -> Result<()> {
        self.state.catalog = catalog;
        // Its script commands need their links in every unit's tools directory.
        self.tools_ready.clear();
        self.save()
    }

    /// The directory every machine of the model shares: package scripts keep there what
    /// all machines see (`MODEL_SHARED`), as a database all units connect to.
    pub fn shared_dir(&self) -> PathBuf {
        self.dir.join("shared")
    }

    /// The init system of machines created from now on (default systemd).
    /// Where bundles' Charmhub names (`charm: keystone`) resolve: a directory of
    /// `<name>.charm` archives or `<name>/` charm directories, kept with the model.
    pub fn set_charm_store(&mut self, dir: impl AsRef<Path>) -> Result<()> {
        self.state.charm_store = Some(absolute(dir.as_ref())?);
        self.save()
    }

    pub fn charm_store(&self) -> Option<CharmStore> {
        self.state.charm_store.as_ref().map(CharmStore::new)
    }

    pub fn set_init_system(&mut self, init: InitSystem) -> Result<()> {
        self.state.init = init;
        self.save()
    }

    /// What the `/etc/os-release` of machines created from now on says (default: Ubuntu
    /// 24.04, noble).
    pub fn set_os_release(&mut self, os_release: OsRelease) -> Result<()> {
        self.state.os_release = os_release;
        self.save()
    }

    pub fn os_release(&self) -> &OsRelease {
        &self.state.os_release
    }

    /// Switches the model to real-host mode (see [`RealHost`]): its units will run on this
    /// host for real, unconfined. Only an empty model can switch, so that no machine is half
    /// emulated.
    pub fn set_real_host(&mut self, real_host: RealHost) -> Result<()> {
        if !self.state.machines.is_empty() {
            return Err(Error::Refused(
                "real-host mode can only be set on a model without machines".to_owned(),
            ));
        }
        real_host.check()?;
        self.state.real_host = Some(real_host);
        self.save()
    }

    /// The model's real-host settings, when its units run on this host for real.
    pub fn real_host(&self) -> Option<&RealHost> {
        self.state.real_host.as_ref()
    }

    /// Makes `service` on the unit's machine misbehave (`None`: behave again), as a broken
    /// workload would: see [`ServiceFault`].
    pub fn set_service_fault(
        &mut self,
        unit: &str,
        service: &str,
        fault: Option<ServiceFault>,
    ) -> Result<()> {
        let machine = self.machine_of(unit)?;
        let state = &mut self
            .state
            .machines
            .get_mut(&machine)
            .ok_or(Error::UnknownMachine(machine))?
            .state;
        state.services.entry(service.to_owned()).or_default().fault = fault;
        self.save()
    }

    // ---- inspectors --------------------------------------------------------------------

    /// Application names, sorted.
    pub fn applications(&self) -> Vec<String> {
        self.state
            .applications
            .keys()
            .map(ToString::to_string)
            .collect()
    }

    /// Unit names of `app`, in unit-number order.
    pub fn units(&self, app: &str) -> Vec<String> {
        self.state
            .units
            .keys()
            .filter(|u| u.app().as_str() == app)
            .map(ToString::to_string)
            .collect()
    }

    /// Every unit, by application then number.
    pub fn all_units(&self) -> Vec<String> {
        self.state.units.keys().map(ToString::to_string).collect()
    }

    pub fn charm(&self, app: &str) -> Result<&Charm> {
        Ok(&self.app(app)?.1.charm)
    }

    /// The application's leader.
    pub fn leader(&self, app: &str) -> Result<Option<String>> {
        Ok(self.app(app)?.1.leader.as_ref().map(ToString::to_string))
    }

    /// Effective config: set values over defaults; options with neither are absent.
    pub fn config(&self, app: &str) -> Result<BTreeMap<String, Json>> {
        let (_, application) = self.app(app)?;
        Ok(application
            .charm
            .config
            .effective(&application.config)
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .collect())
    }

    pub fn leader_settings(&self, app: &str) -> Result<&Bag> {
        Ok(&self.app(app)?.1.leader_settings)
    }

    pub fn app_status(&self, app: &str) -> Result<&StatusSnapshot> {
        Ok(&self.app(app)?.1.status)
    }

    pub fn workload_version(&self, app: &str) -> Result<&str> {
        Ok(&self.app(app)?.1.workload_version)
    }

    /// The unit's workload status (as the charm, or Juju, last set it).
    pub fn unit_status(&self, unit: &str) -> Result<&StatusSnapshot> {
        Ok(&self.unit(unit)?.1.status)
    }

    /// The workload statuses the unit went through, oldest first: the last
    /// [`Model::STATUS_HISTORY`] of them.
    pub fn status_history(&self, unit: &str) -> Result<&[StatusSnapshot]> {
        Ok(&self.unit(unit)?.1.status_history)
    }

    /// How many workload statuses the unit went through, those the history no longer holds
    /// included.
    pub fn status_changes(&self, unit: &str) -> Result<u64> {
        let u = self.unit(unit)?.1;
        Ok(u.status_history_dropped + u.status_history.len() as u64)
    }

    /// The unit agent: allocating, idle, or in error after a failed hook.
    pub fn agent_state(&self, unit: &str) -> Result<&AgentState> {
        Ok(&self.unit(unit)?.1.agent)
    }

    /// The unit's committed charm state (`state-get`).
    pub fn unit_state(&self, unit: &str) -> Result<&Bag> {
        Ok(&self.unit(unit)?.1.state)
    }

    /// Ports the unit opened for all endpoints.
    pub fn opened_ports(&self, unit: &str) -> Result<&BTreeSet<Port>> {
        Ok(&self.unit(unit)?.1.opened_ports)
    }

    /// The hooks queued on the unit, by name, next first.
    pub fn pending_hooks(&self, unit: &str) -> Result<Vec<String>> {
        let (name, u) = self.unit(unit)?;
        Ok(u.queue
            .iter()
            .map(|q| self.hook_name(&name, &q.hook))
            .collect())
    }

    /// The machine the unit runs on.
    pub fn machine_of(&self, unit: &str) -> Result<u32> {
        Ok(self.unit(unit)?.1.machine)
    }

    /// The unit's principal, for subordinate units.
    pub fn principal_of(&self, unit: &str) -> Result<Option<String>> {
        Ok(self
            .unit(unit)?
            .1
            .principal
            .as_ref()
            .map(ToString::to_string))
    }

    /// The unit's (and its machine's) address.
    pub fn address(&self, unit: &str) -> Result<&str> {
        let machine = self.unit(unit)?.1.machine;
        Ok(&self.machine(machine)?.address)
    }

    /// Machine numbers, sorted.
    pub fn machines(&self) -> Vec<u32> {
        self.state.machines.keys().copied().collect()
    }

    /// The machine's packages and services.
    pub fn machine_state(&self, machine: u32) -> Result<&MachineState> {
        Ok(&self.machine(machine)?.state)
    }

    /// Installed packages (name → version) on the unit's machine.
    pub fn packages(&self, unit: &str) -> Result<&BTreeMap<String, String>> {
        Ok(&self.machine_state(self.machine_of(unit)?)?.packages)
    }

    /// The state of a service on the unit's machine (`None` if never heard of).
    pub fn service(&self, unit: &str, service: &str) -> Result<Option<&ServiceState>> {
        Ok(self
            .machine_state(self.machine_of(unit)?)?
            .services
            .get(service))
    }

    /// The directory standing for the machine's `/` (`CHARM_HOST_ROOT`).
    pub fn machine_root(&self, machine: u32) -> PathBuf {
        self.dir
            .join("machines")
            .join(machine.to_string())
            .join("root")
    }

    /// In real-host mode, where a machine other than 0 keeps the upper layers of its private
    /// directories (see [`RealHost`]).
    pub fn machine_overlay(&self, machine: u32) -> PathBuf {
        self.dir
            .join("machines")
            .join(machine.to_string())
            .join("overlay")
    }

    /// The unit's copy of its charm (`CHARM_DIR`).
    pub fn charm_dir(&self, unit: &str) -> Result<PathBuf> {
        let (name, _) = self.unit(unit)?;
        Ok(self.unit_dir(&name).join("charm"))
    }

    /// Relation ids, sorted.
    pub fn relation_ids(&self) -> Vec<u32> {
        self.state.relations.keys().copied().collect()
    }

    /// The relation between two applications (`app` or `app:endpoint` each), if any; for a
    /// peer relation pass the same `app:endpoint` twice.
    pub fn relation_id(&self, a: &str, b: &str) -> Option<u32> {
        let matches =
            |spec: &str, e: &crate::model_state::RelationEndpoint| match spec.split_once(':') {
                Some((app, ep)) => e.app.as_str() == app && e.name == ep,
                None => e.app.as_str() == spec,
            };
        self.state.relations.iter().find_map(|(id, rel)| {
            let hit = match rel.endpoints.as_slice() {
                [only] => matches(a, only) && matches(b, only),
                [x, y] => (matches(a, x) && matches(b, y)) || (matches(a, y) && matches(b, x)),
                _ => false,
            };
            hit.then_some(*id)
        })
    }

    /// `app:endpoint` of each side of the relation.
    pub fn relation_endpoints(&self, id: u32) -> Result<Vec<String>> {
        Ok(self
            .relation(id)?
            .endpoints
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    /// A unit's databag in a relation (empty if it never wrote and never entered scope).
    pub fn unit_bag(&self, relation: u32, unit: &str) -> Result<Bag> {
        let (name, _) = self.unit_any(unit)?;
        Ok(self
            .relation(relation)?
            .unit_bags
            .get(&name)
            .cloned()
            .unwrap_or_default())
    }

    /// An application's databag in a relation.
    pub fn app_bag(&self, relation: u32, app: &str) -> Result<Bag> {
        let app: AppName = app.parse()?;
        Ok(self
            .relation(relation)?
            .app_bags
            .get(&app)
            .cloned()
            .unwrap_or_default())
    }

    /// The remote units `unit` currently sees in the relation (its `relation-list`).
    pub fn relation_members(&self, relation: u32, unit: &str) -> Result<Vec<String>> {
        let (_, u) = self.unit(unit)?;
        Ok(u.relations
            .get(&relation)
            .map(|r| r.members.iter().map(ToString::to_string).collect())
            .unwrap_or_default())
    }

    /// Every hook and action run so far (also across invocations), oldest first.
    pub fn hook_log(&self) -> &[HookRecord] {
        self.journal.hooks()
    }

    /// The debug log: juju-log lines and hook output.
    pub fn debug_log(&self) -> &[LogEntry] {
        self.journal.logs()
    }

    /// Every hook-tool and machine-command call, oldest first.
    pub fn tool_calls(&self) -> &[ToolCallRecord] {
        self.journal.calls()
    }

    // ---- internal lookups --------------------------------------------------------------

    fn app(&self, app: &str) -> Result<(AppName, &crate::model_state::Application)> {
        let name: AppName = app.parse()?;
        match self.state.applications.get(&name) {
            Some(a) => Ok((name, a)),
            None => Err(Error::UnknownApplication(app.to_owned())),
        }
    }

    fn unit(&self, unit: &str) -> Result<(UnitName, &Unit)> {
        let name: UnitName = unit.parse()?;
        match self.state.units.get(&name) {
            Some(u) => Ok((name, u)),
            None => Err(Error::UnknownUnit(unit.to_owned())),
        }
    }

    /// A unit name that need not exist any more (its bags outlive it).
    fn unit_any(&self, unit: &str) -> Result<(UnitName, Option<&Unit>)> {
        let name: UnitName = unit.parse()?;
        let u = self.state.units.get(&name);
        Ok((name, u))
    }

    fn machine(&self, machine: u32) -> Result<&crate::model_state::Machine> {
        self.state
            .machines
            .get(&machine)
            .ok_or(Error::UnknownMachine(machine))
    }

    fn relation(&self, id: u32) -> Result<&crate::model_state::Relation> {
        self.state
            .relations
            .get(&id)
            .ok_or_else(|| Error::UnknownRelation(id.to_string()))
    }

    fn unit_dir(&self, unit: &UnitName) -> PathBuf {
        self.dir.join("units").join(unit.dashed())
    }

    fn hook_name(&self, unit: &UnitName, hook: &crate::model_state::Hook) -> String {
        let endpoint = hook
            .relation()
            .and_then(|r| self.state.relations.get(&r))
            .and_then(|rel| rel.endpoint_of(unit.app()))
            .map(|e| e.name.as_str());
        hook.name(endpoint)
    }
}

/// Takes the model directory's lock, so that two processes (or two `Model`s) never overwrite
/// each other's `model.json`. Waits a little for a short command to finish, then gives up
/// rather than hang.
fn lock(dir: &Path) -> Result<Flock<fs::File>> {
    const PATIENCE: Duration = Duration::from_secs(5);
    let path = dir.join(".lock");
    let mut file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    let started = std::time::Instant::now();
    loop {
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => return Ok(lock),
            Err((back, nix::errno::Errno::EWOULDBLOCK)) if started.elapsed() < PATIENCE => {
                file = back;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => {
                return Err(Error::Busy {
                    path: dir.to_owned(),
                })
            }
            Err((_, errno)) => return Err(io_error(&path)(std::io::Error::from(errno))),
        }
    }
}

fn absolute(dir: &Path) -> Result<PathBuf> {
    if dir.is_absolute() {
        return Ok(dir.to_owned());
    }
    let cwd = std::env::current_dir().map_err(io_error(dir))?;
    Ok(cwd.join(dir))
}

/// Writes the shim to `<model>/bin/jujuc` unless it is already there, unchanged.
fn install_shim(dir: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    let path = bin.join(SHIM_NAME);
    if fs::read(&path).is_ok_and(|existing| existing == SHIM) {
        return Ok(path);
    }
    fs::create_dir_all(&bin).map_err(io_error(&bin))?;
    // Write beside and rename: a running hook may be executing the old shim.
    let tmp = bin.join(format!(".{SHIM_NAME}.{}", std::process::id()));
    fs::write(&tmp, SHIM).map_err(io_error(&tmp))?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).map_err(io_error(&tmp))?;
    fs::rename(&tmp, &path).map_err(io_error(&path))?;
    Ok(path)
}

fn random_uuid() -> String {
    let mut rng = rand::thread_rng();
    let bytes: [u8; 16] = rng.gen();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A short, stable name for the model directory, for socket paths that would be too long.
fn dir_hash(dir: &Path) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut hasher);
    hasher.finish()
}
