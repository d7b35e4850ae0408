//! A hook's decisions as data ([`Plan`]), and the one [`apply`] that carries them out.
//!
//! A charm is `gather` (every read) → `reconcile` (a pure function of what was read to a
//! [`Plan`]) → [`apply`]; [`converge`] runs the three. `apply` decides nothing: it installs
//! what the plan lists, writes its files, runs its commands, puts each service in the state
//! the plan wants, runs the commands meant for the running services ([`Plan::after_start`]),
//! and sends relation data, ports, unit-state records and the status, in that order. The one thing it adds is a fact only it can know: a service the plan wants running
//! that would not start makes an `active` status `blocked` ("Services not running that
//! should be: ...", the OpenStack charms' words), and the hook still succeeds.
//!
//! Services restart when a file they read changed (each [`PlannedFile`] names its readers):
//! when the content differs from the file on the machine, or from what the last successful
//! hook wrote (so that a hook failing between the write and the restart restarts on retry).
//! A file a running service re-reads on `reload` (haproxy's certificates) names it among its
//! reloaders instead ([`PlannedFile::reloading`]): the service reloads, keeping its
//! connections, unless something else restarts it in the same hook.
//!
//! A [`Command`] may carry a [`Secret`] for its standard input (SQL granting a password, a
//! broker user's password): never in its argv, a log or a file. Commands run every time they
//! are planned, so `reconcile` plans them only when needed, typically from a unit-state record
//! the same plan sets once they ran (set only when the hook got that far).

use std::collections::{BTreeMap, BTreeSet};

use host::{FileSpec, Host, HostError};
use juju::{LogLevel, Port, RelationId, Status, ToolRunner};
use secret::Secret;

use crate::context::{Context, Seen};
use crate::files::RenderedFile;
use crate::relations::Bag;
use crate::status::UnitStatus;
use crate::Error;

/// What one hook should leave behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The unit's status, assuming every service the plan wants running runs.
    pub status: UnitStatus,
    /// Lines for Juju's log (never a secret).
    pub log: Vec<(LogLevel, String)>,
    /// Packages to install first; after installing, [`converge`] reads and decides again.
    pub install: Option<Install>,
    /// Files to put on the machine, each with the services that read it.
    pub files: Vec<PlannedFile>,
    /// Files to remove.
    pub remove: Vec<String>,
    /// Commands to run, in order, after the files and before services start (a schema
    /// migration, `a2ensite`). A command that fails fails the hook: nothing after it is sent.
    pub commands: Vec<Command>,
    /// The state each service should be in.
    pub services: Vec<(String, ServiceState)>,
    /// Commands to run, in order, once every service is in its state: those that talk to a
    /// daemon the plan runs (SQL, `rabbitmqctl`). A command that fails fails the hook.
    /// [`converge`] gathers and decides once more after them, since what they did may change
    /// what `gather` reads (an id the daemon made).
    pub after_start: Vec<Command>,
    /// This unit's bags to write.
    pub relation_data: Vec<RelationWrite>,
    /// Ports to open (`true`) or close.
    pub ports: Vec<(Port, bool)>,
    /// Unit-state records to set (`Some`) or remove.
    pub state: Vec<(String, Option<String>)>,
    /// A new `application-version-set` value.
    pub workload_version: Option<String>,
}

impl Plan {
    /// The plan of `stop` and `remove`: `maintenance` "Stopped", and each of `services` held
    /// stopped (name those installed: an absent package has nothing to stop).
    pub fn stopped(services: &[&str]) -> Plan {
        let mut plan = Plan::status(UnitStatus::new(Status::Maintenance, "Stopped"));
        for service in services {
            plan.services
                .push(((*service).to_owned(), ServiceState::Hold));
        }
        plan
    }

    /// A plan that only sets `status`.
    pub fn status(status: UnitStatus) -> Plan {
        Plan {
            status,
            log: Vec::new(),
            install: None,
            files: Vec::new(),
            remove: Vec::new(),
            commands: Vec::new(),
            services: Vec::new(),
            after_start: Vec::new(),
            relation_data: Vec::new(),
            ports: Vec::new(),
            state: Vec::new(),
            workload_version: None,
        }
    }

    /// Sends `data` as this unit's bag on `relation`.
    pub fn publish(&mut self, relation: RelationId, data: Bag) {
        self.relation_data.push(RelationWrite {
            relation,
            app: false,
            data,
        });
    }

    /// Sends `data` as the application's bag on `relation` (only the leader may).
    pub fn publish_app(&mut self, relation: RelationId, data: Bag) {
        self.relation_data.push(RelationWrite {
            relation,
            app: true,
            data,
        });
    }

    /// The file the plan writes at `path`.
    pub fn file(&self, path: &str) -> Option<&PlannedFile> {
        self.files.iter().find(|f| f.file.path == path)
    }

    /// This unit's own bags the plan writes (not the application's), by relation.
    pub fn unit_data(&self) -> Vec<(&RelationId, &Bag)> {
        self.relation_data
            .iter()
            .filter(|w| !w.app)
            .map(|w| (&w.relation, &w.data))
            .collect()
    }

    /// The application bags the plan writes (leader data), by relation.
    pub fn app_data(&self) -> Vec<(&RelationId, &Bag)> {
        self.relation_data
            .iter()
            .filter(|w| w.app)
            .map(|w| (&w.relation, &w.data))
            .collect()
    }

    /// The state the plan wants `service` in.
    pub fn service(&self, service: &str) -> Option<ServiceState> {
        self.services
            .iter()
            .find(|(name, _)| name == service)
            .map(|(_, state)| *state)
    }

    /// The services in `state`, in plan order.
    pub fn services_in(&self, state: &ServiceState) -> Vec<&str> {
        self.services
            .iter()
            .filter(|(_, s)| s == state)
            .map(|(name, _)| name.as_str())
            .collect()
    }
}

/// Packages to install, with the apt source they come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Install {
    /// Packages the source needs first (its keyring).
    pub keyrings: Vec<String>,
    /// The apt source file to write, or remove (`None` content), if it should change.
    pub source: Option<(String, Option<String>)>,
    /// The packages (only those not installed yet).
    pub packages: Vec<String>,
    /// Services to keep down after the installation (stopped, disabled and masked): what a
    /// package's maintainer script started on a unit whose services must not run.
    pub keep_down: Vec<String>,
}

/// A file and the services that read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub file: RenderedFile,
    /// Restarted when the file changed (those of them the plan wants running).
    pub read_by: Vec<String>,
    /// Reloaded when the file changed (those of them that run and are not restarted anyway).
    pub reloaded_by: Vec<String>,
}

/// A planned file reads as the file it writes (`planned.path`, `planned.content`).
impl std::ops::Deref for PlannedFile {
    type Target = RenderedFile;

    fn deref(&self) -> &RenderedFile {
        &self.file
    }
}

impl PlannedFile {
    pub fn new(file: RenderedFile, read_by: &[&str]) -> Self {
        PlannedFile {
            file,
            read_by: read_by.iter().map(|s| (*s).to_owned()).collect(),
            reloaded_by: Vec::new(),
        }
    }

    /// A file `services` re-read on reload: a change reloads them rather than restarting.
    pub fn reloading(file: RenderedFile, services: &[&str]) -> Self {
        PlannedFile {
            file,
            read_by: Vec::new(),
            reloaded_by: services.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// A command to run on the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub program: String,
    /// Never a secret: argv is visible to every local user and kept in errors.
    pub args: Vec<String>,
    /// Services to restart once it ran (those the plan wants running), e.g. Apache after
    /// enabling a site.
    pub restarts: Vec<String>,
    /// Its standard input (closed when `None`): how a secret reaches it.
    pub input: Option<Secret>,
}

impl Command {
    pub fn new(program: &str, args: &[&str]) -> Self {
        Command {
            program: program.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            restarts: Vec::new(),
            input: None,
        }
    }

    /// The command with `input` on its standard input.
    #[must_use]
    pub fn with_input(mut self, input: Secret) -> Self {
        self.input = Some(input);
        self
    }

    #[must_use]
    pub fn restarting(mut self, services: &[&str]) -> Self {
        self.restarts = services.iter().map(|s| (*s).to_owned()).collect();
        self
    }
}

/// One of this unit's bags.
#[derive(Clone, PartialEq, Eq)]
pub struct RelationWrite {
    pub relation: RelationId,
    /// The application's bag (leader only) rather than the unit's.
    pub app: bool,
    pub data: Bag,
}

/// Keys only: a bag may carry a password.
impl std::fmt::Debug for RelationWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelationWrite")
            .field("relation", &self.relation.to_string())
            .field("app", &self.app)
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The state a service should be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    /// Running: enabled and started when it is not; restarted when a file it reads changed.
    /// One that will not start makes an active status blocked.
    Run,
    /// Running as [`ServiceState::Run`], but another manager may own it (haproxy under
    /// Pacemaker): started when it is not, never reported.
    RunUnchecked,
    /// Stopped if it runs, left enabled: its part of the unit waits (for relations, a
    /// schema, a back end).
    Hold,
    /// Stopped and disabled: a part the unit no longer has.
    Retire,
    /// Stopped, disabled and masked: replaced by something else (the eventlet API by
    /// Apache).
    Mask,
    /// Run by Pacemaker on one node: disabled at boot; stopped until the cluster formed;
    /// afterwards never started here, only restarted where it runs when a file it reads
    /// changed.
    Pacemaker { clustered: bool },
    /// Left alone: the unit is paused (the status says whether it is down).
    Untouched,
}

/// Installs what `install` lists; whether anything was installed.
pub fn install<R: ToolRunner>(ctx: &mut Context<R>, install: &Install) -> Result<bool, Error> {
    let host = ctx.host().clone();
    if !install.keyrings.is_empty() {
        host.install(&install.keyrings)?;
    }
    let mut source_changed = false;
    if let Some((path, content)) = &install.source {
        source_changed = match content {
            None => host.remove_file(path)?,
            Some(content) => {
                let file = RenderedFile {
                    path: path.clone(),
                    content: content.clone(),
                    spec: FileSpec::new("root", "root", 0o644),
                };
                // Through the runtime, so that a hook failing before `apt-get update`
                // updates again when retried.
                !ctx.write_files(std::slice::from_ref(&file))?.is_empty()
            }
        };
    }
    if source_changed || !install.packages.is_empty() {
        host.update()?;
    }
    if install.packages.is_empty() {
        return Ok(false);
    }
    let installed = !host.install(&install.packages)?.is_empty();
    if installed {
        ctx.forget_running()?;
        ctx.forget_installed()?;
    }
    for name in &install.keep_down {
        let service = host.service(name)?;
        service.stop()?;
        service.disable()?;
        service.mask()?;
    }
    Ok(installed)
}

/// Carries out `plan` but its installation (see [`install`] and [`converge`]).
pub fn apply<R: ToolRunner>(ctx: &mut Context<R>, plan: Plan) -> Result<(), Error> {
    let status = carry_out(ctx, plan)?;
    ctx.status().report(status.status, status.message);
    Ok(())
}

/// Carries out `plan` but its installation and its status: the status to report.
fn carry_out<R: ToolRunner>(ctx: &mut Context<R>, plan: Plan) -> Result<UnitStatus, Error> {
    for (level, line) in &plan.log {
        ctx.log(*level, line)?;
    }
    let host = ctx.host().clone();
    let names: Vec<&str> = plan.services.iter().map(|(n, _)| n.as_str()).collect();
    let running = ctx.running(&names)?;
    // What each service is in now: as recorded (stopped, disabled, masked) or as asked.
    let mut seen: BTreeMap<&str, Seen> = BTreeMap::new();
    for name in &names {
        let recorded = ctx.seen(name)?;
        let now = match recorded {
            Some(seen) => seen,
            None if running.contains(*name) => Seen::Up,
            None => Seen::Down,
        };
        seen.insert(name, now);
    }

    for (name, state) in &plan.services {
        let now = seen[name.as_str()];
        match state {
            ServiceState::Mask if now != Seen::Masked => {
                stop_disable(&host, now == Seen::Up, name, true)?;
                seen.insert(name, Seen::Masked);
            }
            ServiceState::Retire if !matches!(now, Seen::Off | Seen::Masked) => {
                stop_disable(&host, now == Seen::Up, name, false)?;
                seen.insert(name, Seen::Off);
            }
            _ => {}
        }
    }

    // A file no service reads needs no record of what was written (the record is there to
    // restart readers when a hook is retried): it goes straight to the machine, and a
    // private key's fingerprint stays out of unit state.
    let (tracked, untracked): (Vec<&PlannedFile>, Vec<&PlannedFile>) = plan
        .files
        .iter()
        .partition(|f| !f.read_by.is_empty() || !f.reloaded_by.is_empty());
    let files: Vec<RenderedFile> = tracked.iter().map(|f| f.file.clone()).collect();
    let changed = ctx.write_files(&files)?;
    for file in untracked {
        host.write_file(&file.path, &file.content, &file.spec)?;
    }
    for path in &plan.remove {
        host.remove_file(path)?;
    }
    let mut to_restart: BTreeSet<&str> = plan
        .files
        .iter()
        .filter(|f| changed.contains(&f.file.path))
        .flat_map(|f| f.read_by.iter().map(String::as_str))
        .collect();
    for command in &plan.commands {
        run(&host, command)?;
        to_restart.extend(command.restarts.iter().map(String::as_str));
    }
    let to_reload: BTreeSet<&str> = plan
        .files
        .iter()
        .filter(|f| changed.contains(&f.file.path))
        .flat_map(|f| f.reloaded_by.iter().map(String::as_str))
        .filter(|name| !to_restart.contains(name))
        .collect();

    let left_alone: Vec<&str> = plan
        .services
        .iter()
        .filter(|(n, s)| {
            *s == ServiceState::Untouched
                && (to_restart.contains(n.as_str()) || to_reload.contains(n.as_str()))
        })
        .map(|(n, _)| n.as_str())
        .collect();
    if !left_alone.is_empty() {
        // A paused unit, typically: its files change, its services wait for `resume`.
        ctx.log(
            LogLevel::Info,
            &format!(
                "not restarting {} after configuration changes: left alone",
                left_alone.join(", ")
            ),
        )?;
    }

    let mut not_running = Vec::new();
    for (name, state) in &plan.services {
        let is_running = seen[name.as_str()] == Seen::Up;
        match state {
            ServiceState::Hold if is_running => {
                host.service(name)?.stop()?;
                seen.insert(name, Seen::Down);
            }
            ServiceState::Run | ServiceState::RunUnchecked => {
                if is_running && to_restart.contains(name.as_str()) {
                    host.service(name)?.restart()?;
                } else if is_running && to_reload.contains(name.as_str()) {
                    host.service(name)?.reload()?;
                } else if !is_running {
                    // A service that does not start is the status's to report (and the next
                    // hook's to try again), not a reason to fail this one.
                    match start(&host, name) {
                        Ok(true) => {
                            seen.insert(name, Seen::Up);
                        }
                        Ok(false) => not_running.push(name.as_str()),
                        Err(e) => {
                            ctx.log(LogLevel::Warning, &format!("cannot start {name}: {e}"))?;
                            not_running.push(name.as_str());
                        }
                    }
                }
            }
            ServiceState::Pacemaker { clustered } => {
                let service = host.service(name)?;
                if service.is_enabled()? {
                    service.disable()?;
                }
                if !clustered && is_running {
                    service.stop()?;
                } else if *clustered && is_running && to_restart.contains(name.as_str()) {
                    service.restart()?;
                }
            }
            _ => {}
        }
    }

    // Only now: a service that did not start would fail them, and they may talk to it.
    let mut restart_after: BTreeSet<&str> = BTreeSet::new();
    for command in &plan.after_start {
        run(&host, command)?;
        restart_after.extend(command.restarts.iter().map(String::as_str));
    }
    for (name, state) in &plan.services {
        let wanted = matches!(state, ServiceState::Run | ServiceState::RunUnchecked);
        if wanted && restart_after.contains(name.as_str()) && seen[name.as_str()] == Seen::Up {
            host.service(name)?.restart()?;
        }
    }

    // Pacemaker moves its services between nodes: what runs here is always asked.
    let (pacemaker, ours): (Vec<_>, Vec<_>) = plan
        .services
        .iter()
        .map(|(name, state)| (name.as_str(), state))
        .partition(|(_, state)| matches!(state, ServiceState::Pacemaker { .. }));
    let ours: Vec<(&str, Seen)> = ours.into_iter().map(|(n, _)| (n, seen[n])).collect();
    let pacemaker: Vec<&str> = pacemaker.into_iter().map(|(n, _)| n).collect();
    ctx.remember_services(&ours, &pacemaker)?;

    let mut relations = ctx.relations();
    for write in plan.relation_data {
        if write.app {
            relations.set_app_data(&write.relation, write.data)?;
        } else {
            relations.set_unit_data(&write.relation, write.data)?;
        }
    }
    for (port, open) in &plan.ports {
        if *open {
            ctx.tools().open_port(*port)?;
        } else {
            ctx.tools().close_port(*port)?;
        }
    }
    let state = ctx.state()?;
    for (key, value) in &plan.state {
        match value {
            Some(value) => state.set(key, value),
            None => state.remove(key),
        }
    }
    if let Some(version) = &plan.workload_version {
        ctx.tools().application_version_set(version)?;
    }
    let reported: Vec<&str> = not_running
        .into_iter()
        .filter(|name| {
            plan.services
                .iter()
                .any(|(n, s)| n == name && *s == ServiceState::Run)
        })
        .collect();
    Ok(with_services(plan.status, &reported))
}

/// The reference's status for services that should run and do not; only an active status
/// gives way to it.
pub fn with_services(status: UnitStatus, not_running: &[&str]) -> UnitStatus {
    if status.status != Status::Active || not_running.is_empty() {
        return status;
    }
    UnitStatus::new(
        Status::Blocked,
        crate::status::services_not_running(not_running),
    )
}

/// Gathers, reconciles and applies; after an installation (which changes what is
/// installed) it gathers and reconciles once more before applying.
pub fn converge<R, I, E>(
    ctx: &mut Context<R>,
    gather: impl Fn(&mut Context<R>) -> Result<I, E>,
    reconcile: impl Fn(&I, &crate::Templates) -> Result<Plan, crate::TemplateError>,
) -> anyhow::Result<()>
where
    R: ToolRunner,
    E: Into<anyhow::Error>,
{
    let inputs = gather(ctx).map_err(Into::into)?;
    let mut plan = reconcile(&inputs, ctx.templates())?;
    if let Some(packages) = plan.install.take() {
        if install(ctx, &packages)? {
            let inputs = gather(ctx).map_err(Into::into)?;
            plan = reconcile(&inputs, ctx.templates())?;
            plan.install = None;
        }
    }
    if plan.after_start.is_empty() {
        return Ok(apply(ctx, plan)?);
    }
    // The status is the second decision's.
    carry_out(ctx, plan)?;
    // What the commands did to a daemon may be read back (an id it generated); the records
    // the plan set keep `reconcile` from planning them again.
    let inputs = gather(ctx).map_err(Into::into)?;
    let mut plan = reconcile(&inputs, ctx.templates())?;
    plan.install = None;
    Ok(apply(ctx, plan)?)
}

/// Runs `command`, with its input if it has one.
fn run(host: &Host, command: &Command) -> Result<(), HostError> {
    match &command.input {
        None => host.run(&command.program, command.args.iter())?,
        Some(input) => host.run_with_input(
            &command.program,
            command.args.iter(),
            input.expose().as_bytes(),
        )?,
    };
    Ok(())
}

/// Enables and starts `name`; whether it runs afterwards.
fn start(host: &Host, name: &str) -> Result<bool, HostError> {
    let service = host.service(name)?;
    if !service.is_enabled()? {
        service.enable()?;
    }
    service.start()?;
    service.is_running_after_start()
}

/// Stops and disables `name` (and masks it), each only when needed.
fn stop_disable(host: &Host, running: bool, name: &str, mask: bool) -> Result<(), HostError> {
    let service = host.service(name)?;
    if running {
        service.stop()?;
    }
    if service.is_enabled()? {
        service.disable()?;
        if mask {
            service.mask()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_not_running_matter_only_to_an_active_status() {
        let active = UnitStatus::new(Status::Active, "Unit is ready");
        assert_eq!(
            with_services(active.clone(), &["manila-share", "haproxy"]),
            UnitStatus::new(
                Status::Blocked,
                "Services not running that should be: manila-share, haproxy"
            )
        );
        assert_eq!(with_services(active.clone(), &[]), active);
        let waiting = UnitStatus::new(Status::Waiting, "'shared-db' incomplete");
        assert_eq!(with_services(waiting.clone(), &["apache2"]), waiting);
    }

    #[test]
    fn stopping_holds_the_services_named_and_says_so() {
        let plan = Plan::stopped(&["mariadb"]);
        assert_eq!(plan.service("mariadb"), Some(ServiceState::Hold));
        assert_eq!(plan.services.len(), 1);
        assert_eq!(plan.status, UnitStatus::new(Status::Maintenance, "Stopped"));
        assert!(Plan::stopped(&[]).services.is_empty());
    }
}
