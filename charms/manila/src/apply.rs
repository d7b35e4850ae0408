//! Carries out a [`Plan`]: the only module with effects on the machine and the model.

use std::collections::{BTreeMap, BTreeSet};

use charm::{Context, Restart};
use host::{FileSpec, Host};
use juju::{LogLevel, Port, ToolRunner};

pub use crate::inputs::Mode;

use crate::inputs::{leader_key, state_key};
use crate::reconcile::{AptSource, Plan, PortChange, SchemaStep, Services};
use crate::release::{CLOUD_ARCHIVE_KEYRING, CLOUD_ARCHIVE_LIST};
use crate::render::{self, APACHE_SITE, APACHE_SITE_ENABLED, RESTART_MAP};
use crate::status;

/// The service the reference charm revives on `update-status` (LP#1706699).
const REVIVED_ON_UPDATE_STATUS: &str = "manila-share";

/// Points apt at the plan's source and installs those of the plan's packages that
/// `installed` lacks (so a unit with everything installed runs no apt at all). Returns
/// whether anything was installed, after which the caller reads the versions again.
pub fn install<R: ToolRunner>(
    ctx: &mut Context<R>,
    plan: &Plan,
    installed: &BTreeMap<String, String>,
) -> anyhow::Result<bool> {
    let host = ctx.host().clone();
    let mut source_changed = false;
    match &plan.apt_source {
        AptSource::Unchanged => {}
        AptSource::Remove => source_changed = host.remove_file(CLOUD_ARCHIVE_LIST)?,
        AptSource::Write(line) => {
            if !installed.contains_key(CLOUD_ARCHIVE_KEYRING) {
                host.install(&[CLOUD_ARCHIVE_KEYRING])?;
            }
            let file = charm::RenderedFile {
                path: CLOUD_ARCHIVE_LIST.to_owned(),
                content: line.clone(),
                spec: FileSpec::new("root", "root", 0o644),
            };
            // Through the runtime, so that a hook failing before `apt-get update` updates
            // again when retried.
            source_changed = !ctx.write_files(std::slice::from_ref(&file))?.is_empty();
        }
    }
    let missing: Vec<&str> = plan
        .packages
        .iter()
        .copied()
        .filter(|p| !installed.contains_key(*p))
        .collect();
    if source_changed || !missing.is_empty() {
        host.update()?;
    }
    if missing.is_empty() {
        return Ok(false);
    }
    Ok(!host.install(&missing)?.is_empty())
}

/// Carries out everything but the packages (see [`install`]).
pub fn apply<R: ToolRunner>(ctx: &mut Context<R>, plan: Plan, mode: Mode) -> anyhow::Result<()> {
    let host = ctx.host().clone();
    let full = mode == Mode::Full;
    let mut running = Running::ask(&host, &plan.services, full)?;

    let mut changed = Vec::new();
    if full {
        for service in &plan.services.mask {
            mask(&host, &mut running, service)?;
        }
        for service in &plan.services.retire {
            retire(&host, &mut running, service)?;
        }
        changed = ctx.write_files(&plan.files)?;
        if plan.enable_site && host.read_file(APACHE_SITE_ENABLED)?.is_none() {
            host.run("a2ensite", ["manila-api"])?;
            // Apache reads the site only when (re)started.
            changed.push(APACHE_SITE.to_owned());
        }
    }

    let mut status = plan.status.clone();
    let schema_ready = match &plan.schema {
        SchemaStep::Skip | SchemaStep::WaitForLeader => false,
        SchemaStep::Ready => true,
        SchemaStep::Sync { release, cluster } => {
            ctx.log(
                LogLevel::Info,
                &format!("syncing the database schema for {release}"),
            )?;
            host.run("manila-manage", ["db", "sync"])?;
            if let Some(cluster) = cluster {
                ctx.relations()
                    .set_app_data(cluster, [(leader_key::DB_SYNC_DONE, release.name())])?;
            }
            true
        }
        SchemaStep::Check { release } => {
            let seen = schema_exists(ctx, &host)?;
            if seen {
                ctx.state()?.set(state_key::SCHEMA_SEEN, release.name());
            } else {
                status = status::without_schema(status);
            }
            seen
        }
    };
    let newly_ready = schema_ready && plan.schema != SchemaStep::Ready;

    if full {
        pacemaker_services(ctx, &host, &running, &plan, &changed)?;
    }

    let mut not_running = Vec::new();
    if full {
        let held = plan.services.hold.iter().chain(if schema_ready {
            &[][..]
        } else {
            &plan.services.run[..]
        });
        for name in held {
            if running.take(name) {
                host.service(name)?.stop()?;
            }
        }
    }
    if schema_ready {
        let restarted = if full {
            restart_changed(ctx, &changed, &plan.services.run)?
        } else {
            Vec::new()
        };
        for name in plan.services.checked() {
            if restarted.iter().any(|r| r == name) || running.has(name) {
                continue;
            }
            if full || newly_ready || name == REVIVED_ON_UPDATE_STATUS {
                // A service that does not start is the status's to report (and the next
                // hook's to try again), not a reason to fail this one.
                match start(&host, name) {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => ctx.log(LogLevel::Warning, &format!("cannot start {name}: {e}"))?,
                }
            }
            not_running.push(name);
        }
        for name in &plan.services.unchecked {
            // Pacemaker runs them once the cluster forms; before that, this charm does.
            if full && plan.services.run.contains(name) && !running.has(name) {
                host.service(name)?.start()?;
            }
        }
    }
    status = status::with_services(status, &not_running);
    let still_up: Vec<&str> = plan
        .services
        .paused
        .iter()
        .copied()
        .filter(|name| running.has(name))
        .collect();
    if !still_up.is_empty() {
        status = status::blocked(charm::pause::still_running(&still_up));
    }

    match plan.api_port {
        PortChange::Keep => {}
        PortChange::Open => {
            ctx.tools().open_port(Port::tcp(render::API_PORT))?;
            ctx.state()?.set(state_key::API_PORT, render::API_PORT);
        }
        PortChange::Close => {
            ctx.tools().close_port(Port::tcp(render::API_PORT))?;
            ctx.state()?.remove(state_key::API_PORT);
        }
    }

    let mut relations = ctx.relations();
    for (relation, data) in plan.unit_data {
        relations.set_unit_data(&relation, data)?;
    }
    if let Some((relation, data)) = plan.leader_data {
        relations.set_app_data(&relation, data)?;
    }

    if let Some(vips) = plan.record_ha_vips {
        let text: Vec<String> = vips.iter().map(ToString::to_string).collect();
        ctx.state()?.set(state_key::HA_VIPS, text.join(" "));
    }
    if let Some(roles) = plan.record_roles {
        ctx.state()?.set(state_key::ROLES, roles);
    }
    if let Some(version) = plan.app_version {
        ctx.tools().application_version_set(&version)?;
        ctx.state()?.set(state_key::APP_VERSION, version);
    }
    ctx.status().report(status.status, status.message);
    Ok(())
}

/// Restarts the running services that read a changed file; the runtime skips this on a
/// paused unit.
fn restart_changed<R: ToolRunner>(
    ctx: &mut Context<R>,
    changed: &[String],
    run: &[&'static str],
) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(&str, Vec<&str>)> = RESTART_MAP
        .iter()
        .map(|row| {
            let services = row
                .services
                .iter()
                .copied()
                .filter(|s| run.contains(s))
                .collect();
            (row.file, services)
        })
        .collect();
    let map: Vec<Restart<'_>> = rows
        .iter()
        .map(|(file, services)| Restart {
            file,
            services: services.as_slice(),
        })
        .collect();
    Ok(ctx.restart_changed(changed, &map)?)
}

/// The services Pacemaker runs on one node: disabled so that no boot starts them beside
/// Pacemaker; stopped until the cluster is formed, so that no two units run them before
/// Pacemaker places them; afterwards left where Pacemaker runs them, and restarted there
/// (only there: a restart would start them anywhere) when a file they read changed.
fn pacemaker_services<R: ToolRunner>(
    ctx: &mut Context<R>,
    host: &Host,
    running: &Running,
    plan: &Plan,
    changed: &[String],
) -> anyhow::Result<()> {
    for name in &plan.services.pacemaker {
        let service = host.service(name)?;
        if service.is_enabled()? {
            service.disable()?;
        }
        let running = running.has(name);
        if !plan.clustered {
            if running {
                service.stop()?;
            }
            continue;
        }
        let reads_changed = RESTART_MAP
            .iter()
            .any(|row| row.services.contains(name) && changed.iter().any(|c| c == row.file));
        if running && reads_changed {
            let row = Restart {
                file: render::MANILA_CONF,
                services: std::slice::from_ref(name),
            };
            ctx.restart_changed(&[render::MANILA_CONF.to_owned()], &[row])?;
        }
    }
    Ok(())
}

/// Whether the database has Manila's schema: `manila-manage db version` prints the
/// current alembic revision, or `None` before the first sync. A failure (the database not
/// reachable yet) counts as "not yet" and is logged; the next hook asks again.
fn schema_exists<R: ToolRunner>(ctx: &Context<R>, host: &Host) -> anyhow::Result<bool> {
    match host.run("manila-manage", ["db", "version"]) {
        Ok(output) => {
            let revision = output.stdout.lines().last().unwrap_or("").trim();
            Ok(!revision.is_empty() && revision != "None")
        }
        Err(e) => {
            ctx.log(
                LogLevel::Warning,
                &format!("cannot ask the database for its schema version: {e}"),
            )?;
            Ok(false)
        }
    }
}

/// Enables and starts `name`; whether it runs afterwards.
fn start(host: &Host, name: &str) -> Result<bool, host::HostError> {
    let service = host.service(name)?;
    if !service.is_enabled()? {
        service.enable()?;
    }
    service.start()?;
    service.is_running_after_start()
}

/// Stops, disables and masks `name` (nothing when already so).
fn mask(host: &Host, running: &mut Running, name: &str) -> anyhow::Result<()> {
    let service = host.service(name)?;
    if running.take(name) {
        service.stop()?;
    }
    if service.is_enabled()? {
        service.disable()?;
        service.mask()?;
    }
    Ok(())
}

/// Stops and disables `name`, a service of a role this unit no longer has.
fn retire(host: &Host, running: &mut Running, name: &str) -> anyhow::Result<()> {
    let service = host.service(name)?;
    if running.take(name) {
        service.stop()?;
    }
    if service.is_enabled()? {
        service.disable()?;
    }
    Ok(())
}

/// Which of the plan's services ran when the hook began: asked once for all of them (one
/// `systemctl is-active` under systemd), and forgotten as this hook stops them. A service
/// this hook starts is asked about again on its own.
struct Running(BTreeSet<&'static str>);

impl Running {
    /// Every service the hook may touch in `full` mode; otherwise only those whose health
    /// the status reports.
    fn ask(host: &Host, services: &Services, full: bool) -> anyhow::Result<Running> {
        let mut names: BTreeSet<&'static str> = services.checked().collect();
        names.extend(&services.paused);
        if full {
            for list in [
                &services.mask,
                &services.retire,
                &services.hold,
                &services.run,
                &services.unchecked,
                &services.pacemaker,
            ] {
                names.extend(list);
            }
        }
        let names: Vec<&'static str> = names.into_iter().collect();
        Ok(Running(host.running(&names)?))
    }

    fn has(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    /// Whether `name` runs, forgetting it: the caller stops it.
    fn take(&mut self, name: &str) -> bool {
        self.0.remove(name)
    }
}
