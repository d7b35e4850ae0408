//! The operator actions: the toolkit's `pause`, `resume` and `restart-services`
//! ([`openstack::pause`], `actions/openstack-pause.yaml`) over this unit's services, and
//! `openstack-upgrade` and `package-upgrade` (`actions/openstack-upgrade.yaml`).
//!
//! - **The services** an action acts on are those of the unit's roles that are installed,
//!   without those Pacemaker owns on a clustered unit (haproxy under hacluster, a clustered
//!   share application's manila-share): pausing them would fight the cluster, which the
//!   operator pauses through the hacluster unit (the schema's description says so).
//! - **resume** starts only what the charm wants running now (the relations ready, the
//!   database schema there), then converges as any hook does: the status is recomputed and a
//!   schema the leader still has to sync is synced.
//! - **openstack-upgrade** needs `action-managed-upgrade` and a newer release in
//!   `openstack-origin` than the one installed (`no upgrade available` otherwise). It points
//!   apt at the origin, upgrades the roles' packages (their maintainer scripts restart the
//!   services they ship, as Debian's do), then converges: the files are rendered for the new
//!   release, the services reading a changed file restart, and the api application's leader
//!   syncs the schema for the new release (its other units wait for that). A paused unit is
//!   upgraded too and stays paused.
//! - **package-upgrade** upgrades the roles' packages within the installed release; skipped
//!   when `openstack-origin` offers a newer release (that is openstack-upgrade's job).

use charm::{Context, Plan, ServiceState};
use juju::ToolRunner;
use openstack::pause::{self, ServicesAction};

use crate::inputs::{gather, read_installed, Inputs, Mode};
use crate::reconcile::reconcile;
use crate::services;
use openstack::release::Release;

/// Every action of this charm, by its name in `actions.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Services(ServicesAction),
    OpenstackUpgrade,
    PackageUpgrade,
    /// The actions on Manila's API ([`crate::api_actions`]): their own binary runs them.
    Api(crate::api_actions::ApiAction),
}

impl Action {
    pub fn all() -> Vec<Action> {
        let mut all: Vec<Action> = ServicesAction::ALL.map(Action::Services).to_vec();
        all.extend([Action::OpenstackUpgrade, Action::PackageUpgrade]);
        all.extend(crate::api_actions::ApiAction::ALL.map(Action::Api));
        all
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::Services(action) => action.name(),
            Action::OpenstackUpgrade => "openstack-upgrade",
            Action::PackageUpgrade => "package-upgrade",
            Action::Api(action) => action.name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::all().into_iter().find(|a| a.name() == name)
    }
}

/// `outcome` when `action-managed-upgrade` is off (charmhelpers' words).
pub const UPGRADE_NOT_MANAGED: &str = "action-managed-upgrade config is False, skipped upgrade";
/// The action's failure message then.
pub const UPGRADE_REFUSED: &str =
    "action-managed-upgrade is false: set it to true to upgrade OpenStack with this action";
/// `outcome` when `openstack-origin` offers nothing newer.
pub const NO_UPGRADE: &str = "no upgrade available";
/// `outcome` of a package-upgrade while an OpenStack upgrade is available.
pub const UPGRADE_SKIPPED: &str = "upgrade skipped because an openstack upgrade is available";
/// `outcome` of an upgrade that went through.
pub const UPGRADED: &str = "success, upgrade completed";

/// Runs `action`.
pub fn run<R: ToolRunner>(ctx: &mut Context<R>, action: Action) -> anyhow::Result<()> {
    match action {
        Action::Services(ServicesAction::Pause) => {
            let (inputs, _) = plan(ctx)?;
            let report = pause::pause(ctx, &services::managed(&inputs))?;
            // As resume does: the unit converges to its paused self (on a paused unit that
            // starts and restarts nothing), so what depends on the pause is current at once,
            // e.g. the NRPE checks of the stopped services saying paused rather than failing.
            if report.failed.is_empty() {
                crate::converge(ctx, Mode::Full)?;
            }
            Ok(())
        }
        Action::Services(ServicesAction::Resume) => {
            // Planned as the unit will be once resumed.
            pause::set_paused(ctx.state()?, false);
            let (inputs, plan) = plan(ctx)?;
            // What the plan wants running: nothing while the relations or the schema wait.
            let start = plan.services_in(&ServiceState::Run);
            let report = pause::resume(ctx, &services::managed(&inputs), &start)?;
            // A service that would not start would fail the hook's own start: the status
            // already says which, and the next hook converges.
            if report.failed.is_empty() {
                crate::converge(ctx, Mode::Full)?;
            }
            Ok(())
        }
        Action::Services(ServicesAction::RestartServices) => {
            let (_, plan) = plan(ctx)?;
            let report = pause::restart(ctx, &plan.services_in(&ServiceState::Run))?;
            // The status is recomputed as update-status does it (nothing rendered, nothing
            // started that the restart could not).
            if report.is_some_and(|r| r.failed.is_empty()) {
                crate::converge(ctx, Mode::UpdateStatus)?;
            }
            Ok(())
        }
        Action::OpenstackUpgrade => openstack_upgrade(ctx),
        Action::PackageUpgrade => package_upgrade(ctx),
        // `main` execs the API actions' binary for them: they reach here only in process.
        Action::Api(action) => anyhow::bail!(
            "'{}' runs in the charm's {} binary",
            action.name(),
            crate::api_actions::BINARY
        ),
    }
}

fn plan<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<(Inputs, Plan)> {
    let inputs = gather(ctx, Mode::Full)?;
    let plan = reconcile(&inputs, ctx.templates())?;
    Ok((inputs, plan))
}

/// The installed release and the newer one `openstack-origin` offers, if any. An invalid
/// configuration is returned as the error (the runtime blocks and fails the action with it).
fn upgrade_available(inputs: &Inputs) -> anyhow::Result<(Release, Option<Release>)> {
    let config = match &inputs.config {
        charm::Configured::Valid(config) => config,
        charm::Configured::Kept { error, .. } | charm::Configured::Invalid(error) => {
            return Err(error.clone().into())
        }
    };
    let version = inputs
        .installed
        .get("manila-common")
        .ok_or_else(|| charm::Blocked("Manila is not installed yet".to_owned()))?;
    let installed = Release::from_package_version(crate::MANILA, version)?;
    let offered = config
        .origin
        .release(inputs.os.as_ref())
        .filter(|offered| *offered > installed);
    Ok((installed, offered))
}

fn openstack_upgrade<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<()> {
    if !ctx.config()?.boolean("action-managed-upgrade")? {
        let action = ctx.action()?;
        action.set("outcome", UPGRADE_NOT_MANAGED)?;
        action.fail(UPGRADE_REFUSED);
        return Ok(());
    }
    let (inputs, plan) = plan(ctx)?;
    let (installed, Some(target)) = upgrade_available(&inputs)? else {
        ctx.action()?.set("outcome", NO_UPGRADE)?;
        return Ok(());
    };
    let upgraded = upgrade(ctx, &inputs, plan, true)?;
    let now = read_installed(ctx)?;
    let reached = now
        .get("manila-common")
        .and_then(|v| Release::from_package_version(crate::MANILA, v).ok());
    let action = ctx.action()?;
    action.set("from", installed.name())?;
    if reached != Some(target) {
        action.set("outcome", "upgrade failed")?;
        action.fail(format!(
            "openstack-origin offers {target}, but apt installed manila-common {}: check that \
             the archive has {target}",
            now.get("manila-common").map_or("(none)", String::as_str)
        ));
        return Ok(());
    }
    action.set("to", target.name())?;
    action.set("upgraded", upgraded)?;
    action.set("outcome", UPGRADED)?;
    Ok(())
}

fn package_upgrade<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<()> {
    let (inputs, plan) = plan(ctx)?;
    if let (_, Some(_)) = upgrade_available(&inputs)? {
        ctx.action()?.set("outcome", UPGRADE_SKIPPED)?;
        return Ok(());
    }
    let upgraded = upgrade(ctx, &inputs, plan, false)?;
    let action = ctx.action()?;
    if upgraded.is_empty() {
        action.set("outcome", "no packages to upgrade")?;
    } else {
        action.set("upgraded", upgraded)?;
        action.set("outcome", UPGRADED)?;
    }
    Ok(())
}

/// Refreshes the package index (pointing apt at `openstack-origin` first when `new_source`),
/// upgrades the roles' packages, and converges. Returns the upgrades, `package from -> to`.
fn upgrade<R: ToolRunner>(
    ctx: &mut Context<R>,
    inputs: &Inputs,
    plan: Plan,
    new_source: bool,
) -> anyhow::Result<String> {
    if let (true, Some(install)) = (new_source, &plan.install) {
        // The source only: the upgrade below brings the packages.
        let source = charm::plan::Install {
            keyrings: install.keyrings.clone(),
            source: install.source.clone(),
            ..charm::plan::Install::default()
        };
        charm::plan::install(ctx, &source)?;
    }
    let packages = inputs
        .config
        .config()
        .map(|c| c.roles.packages())
        .unwrap_or_default();
    let host = ctx.host().clone();
    host.update()?;
    let upgraded = host.upgrade(&packages)?;
    crate::converge(ctx, Mode::Full)?;
    Ok(upgraded
        .iter()
        .map(|u| format!("{} {} -> {}", u.package, u.from, u.to))
        .collect::<Vec<_>>()
        .join(", "))
}
