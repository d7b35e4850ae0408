//! The principal Manila charm: OpenStack's shared file systems service, in four roles.
//!
//! One charm runs any of Manila's parts, chosen per application with the `roles` option
//! (`api`, `scheduler`, `share`, `data`, comma-separated, or `all`): an all-in-one
//! application, or e.g. an `api,scheduler` application and separate `share` applications
//! per back end. It is a drop-in for the reference Python charm: the same options, endpoints,
//! relation keys and status messages (`../shared/reference/manila-charms.md`).
//!
//! Read it in this order:
//! 1. [`config::Config`]: the options, declared once as its fields (`config.yaml` is
//!    generated from it; a test keeps it so), and their validation.
//!    [`roles`] says what each role installs and runs; [`release`] which OpenStack release is
//!    installed and where packages come from.
//! 2. [`Manila::handle`]: every hook is [`gather`] (all reads) → [`reconcile()`] (a pure
//!    function of [`Inputs`] to a [`Plan`], the toolkit's) → [`charm::plan::apply`], which
//!    decides nothing (after an installation, [`charm::plan::converge`] gathers and
//!    reconciles again).
//! 3. [`reconcile()`] decides files ([`render`], templates in `templates/manila/<release>/`
//!    falling back to older releases, then the directory's root), services, relation data
//!    and the status ([`status`], in the reference's order).
//!
//! # Roles and services
//!
//! - api: Apache serves `/usr/bin/manila-wsgi` on 8776, haproxy fronts every api unit of
//!   the application on 8786 (the port registered in keystone and opened), memcached caches
//!   tokens. The packaged eventlet `manila-api` service is stopped, disabled and masked.
//!   With TLS ([`tls`]: the `ssl_*` options, else the `certificates` relation) haproxy
//!   terminates TLS on each of the unit's addresses on 8766, in front of the unit's own
//!   application, and its frontend on 8786 spreads over those; keystone's endpoints are
//!   `https`.
//! - scheduler, share, data: `manila-scheduler`, `manila-share` (only with a local back
//!   end), `manila-data`.
//!
//! Services run once the unit's relations are ready and the database schema exists; until
//! then they are held stopped. A changed file restarts only the services that read it
//! ([`render::readers`]); a hook that changes nothing restarts nothing; a paused unit
//! restarts nothing. When a role is removed from `roles`, its services are stopped and
//! disabled (its packages stay installed). `update-status` ([`Mode::UpdateStatus`]) renders
//! nothing, publishes nothing and asks for no address: it checks the services and starts a
//! dead `manila-share`. Whether services run is asked of the machine on `update-status`
//! only, once for all of them ([`host::Host::running`]: one `systemctl is-active` under
//! systemd); other hooks trust what the last one left running ([`charm::Context::running`]).
//!
//! # The database schema across applications
//!
//! The leader of the application with the api role runs `manila-manage db sync` once per
//! release and records `db-sync-done=<release>` in its leader data. Its other units wait
//! for that record. Applications without the api role cannot see that application's leader
//! data (the `shared-db` provider is shared, not a channel between them), so each of their
//! units asks the database itself: `manila-manage db version` prints the schema's revision,
//! or `None` before the first sync. A unit waits (`waiting`) until a revision is there,
//! then records the release it saw it for in unit state and never asks again for that
//! release. This needs no extra relation and no cooperation from the api application; its
//! limit is that it sees *a* schema, not *the newest*: upgrade the api application first,
//! as OpenStack's upgrade order says anyway.
//!
//! # Leader data
//!
//! Leader data lives in the application bag of the `cluster` peer relation, which only
//! the leader writes and every unit reads: `leader-set` is gone from Juju 4 and would put
//! secrets (the haproxy statistics password) on a command line.
//!
//! # Actions
//!
//! `pause`, `resume`, `restart-services` (the toolkit's [`openstack::pause`]), `openstack-upgrade`
//! and `package-upgrade`: see [`actions`]. `actions.yaml` is the shared schemas in
//! `actions/`, copied (a test keeps the copy equal, and every action handled). A paused unit
//! renders its files in every hook but starts and restarts nothing, syncs no schema, and
//! keeps down what a package installation would start; only `resume` un-pauses it. Every hook
//! on a paused unit checks that its services are down, and says `blocked` naming those that
//! run (as the reference's `check_actually_paused`).
//!
//! The actions on Manila's API (`actions/manila-api.yaml`: share types, protection, share
//! servers, manage/unmanage) act as the charm's keystone service user: see [`api_actions`].
//! They run in the charm's second binary, `manila-api-actions`, which the hook binary execs
//! for them: their HTTP client stays out of the binary every hook runs.
//!
//! # Monitoring and logging
//!
//! With the nrpe subordinate on `nrpe-external-master`, the unit defines NRPE checks for
//! its roles' services, haproxy and the API, and tells the nrpe charm about them: see
//! [`nrpe`]. `use-syslog` sends the services' records to syslog; `use-internal-endpoints`
//! points keystonemiddleware and the Nova, Neutron and Cinder clients at the internal
//! endpoints.

pub mod actions;
pub mod api_actions;
pub mod backends;
pub mod config;
pub mod inputs;
pub mod nrpe;
pub mod reconcile;
pub mod render;
pub mod roles;
pub mod services;
pub mod status;
pub mod tls;

use charm::{Charm, Context, Event};
use juju::ToolRunner;

pub use crate::config::Config;
pub use crate::inputs::{gather, Inputs, Mode};
pub use crate::reconcile::reconcile;
pub use charm::Plan;

/// Manila as its packages show the OpenStack release (manila 15 is zed).
pub const MANILA: openstack::release::Project = openstack::release::Project {
    name: "manila",
    package: "manila-common",
    zed_major: 15,
};

/// The charm.
#[derive(Debug)]
pub struct Manila;

impl Charm for Manila {
    const METADATA: &'static str = include_str!("../metadata.yaml");
    const ACTIONS: &'static str = concat!(
        include_str!("../../../actions/openstack-pause.yaml"),
        include_str!("../../../actions/openstack-upgrade.yaml"),
        include_str!("../../../actions/manila-api.yaml")
    );
    const TEMPLATES: &'static [charm::Template] = charm::embed_templates!(
        "../../templates/manila",
        [
            "haproxy.cfg" => Haproxy,
            "memcached.conf" => Directives,
            "zed/manila.conf" => OsloIni,
            "zed/api-paste.ini" => PythonIni,
            "zed/logging.conf" => PythonIni,
            "zed/manila-api.conf" => Directives,
            "caracal/api-paste.ini" => PythonIni,
        ]
    );

    fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()> {
        match event {
            Event::Action(action) => match actions::Action::from_name(&action.name) {
                Some(action) => actions::run(ctx, action),
                None => anyhow::bail!("no handler for action '{}'", action.name),
            },
            // The machine is going away: nothing to converge.
            Event::Stop | Event::Remove => Ok(()),
            Event::UpdateStatus => converge(ctx, Mode::UpdateStatus),
            _ => converge(ctx, Mode::Full),
        }
    }
}

fn converge<R: ToolRunner>(ctx: &mut Context<R>, mode: Mode) -> anyhow::Result<()> {
    charm::plan::converge(ctx, |ctx| gather(ctx, mode), reconcile)
}
