//! Everything [`reconcile`](crate::reconcile()) decides from, and [`gather`], the only place
//! that reads it (hook tools through the runtime's caches, and the machine).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use charm::{Configured, Context, Options, Received};
use databag::{first_ready, Bag, FieldError, Readiness, UnitError};
use hacluster::HaAnswer;
use juju::{RelationId, ToolRunner, UnitName};
use keystone::credentials::Credentials;
use keystone::ServiceCredentials;
use manila_plugin::{BackendStatus, PluginBackends};
use mysql_shared::DatabaseAccess;
use nrpe_external_master::NagiosHost;
use openstack_ha::Peers;
use rabbitmq::{AccessRequest, AmqpConnection, BrokerUnit};
use rand::distributions::{Alphanumeric, DistString};

use crate::config::{Config, EndpointType};
use crate::roles::{Role, Roles, COMMON_PACKAGES, EVENTLET_API};
use openstack::network::Binding;
use openstack::release::{OsRelease, Release, CLOUD_ARCHIVE_KEYRING};

/// Endpoint names, as in `metadata.yaml`.
pub mod endpoint {
    pub const SHARED_DB: &str = "shared-db";
    pub const AMQP: &str = "amqp";
    pub const IDENTITY_SERVICE: &str = "identity-service";
    pub const IDENTITY_CREDENTIALS: &str = "identity-credentials";
    pub const MANILA_PLUGIN: &str = "manila-plugin";
    pub const REMOTE_MANILA_PLUGIN: &str = "remote-manila-plugin";
    pub const CLUSTER: &str = "cluster";
    pub const HA: &str = "ha";
    pub const CERTIFICATES: &str = "certificates";
    pub const NRPE: &str = "nrpe-external-master";
}

/// Unit-state keys of this charm.
pub mod state_key {
    /// The roles the last successful hook applied (to stop what a removed role ran).
    pub const ROLES: &str = "roles";
    /// The release for which a unit without the api role saw the database schema.
    pub const SCHEMA_SEEN: &str = "schema-seen";
    /// Set while the API port is open.
    pub const API_PORT: &str = "api-port";
    /// The version last given to `application-version-set`.
    pub const APP_VERSION: &str = "app-version";
    /// Every VIP this unit has asked hacluster for, space-separated: those no longer
    /// configured are deleted through `json_delete_resources` (kept there, since hacluster may
    /// read the relation only after a later hook rewrote it).
    pub const HA_VIPS: &str = "ha-vips";
    /// The CA this unit put into the trust store: its path and PEM (public).
    pub const TLS_CA: &str = "tls-ca";
    /// The NRPE files this unit wrote, space-separated (to remove those no longer wanted).
    pub const NRPE_FILES: &str = "nrpe-files";
    /// While the API is served over TLS: where its certificate came from, when it expires
    /// and the certificate and key files written ([`crate::tls::Served`]).
    pub const TLS_SERVED: &str = "tls-served";
}

/// Keys of the `cluster` peer relation's application bag, which the leader writes and every
/// unit reads: this charm's leader data.
pub mod leader_key {
    /// The release the leader last ran `manila-manage db sync` for.
    pub const DB_SYNC_DONE: &str = "db-sync-done";
    /// The password of haproxy's statistics page, the same on every unit.
    pub const HAPROXY_STATS_PASSWORD: &str = "haproxy-stats-password";
}

/// How much of the charm a hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Everything.
    Full,
    /// `update-status`: no packages, no files, no relation data, no stopping; check the
    /// services, start a dead `manila-share`, and start the services once the database schema
    /// is there. So neither the addresses nor the templates are needed: what they feed only
    /// changes in other hooks (Juju runs `config-changed` when the machine's addresses change).
    UpdateStatus,
}

/// An endpoint's relations and what they sent (the last good data kept while what they
/// send now cannot be used: see [`charm::received`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint<T> {
    pub relations: Vec<RelationId>,
    pub data: Received<T>,
}

impl<T> Endpoint<T> {
    pub fn missing() -> Self {
        Endpoint {
            relations: Vec::new(),
            data: Received::Missing,
        }
    }
}

/// One relation on `manila-plugin` or `remote-manila-plugin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRelation {
    pub relation: RelationId,
    pub backends: Received<PluginBackends>,
}

/// The `cluster` peer relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub relation: RelationId,
    /// The peers' addresses (a peer whose current bag is malformed with its last good one).
    pub peers: Received<Peers>,
    /// The application bag: the leader data (see [`leader_key`]).
    pub app_data: Bag,
}

impl Cluster {
    /// A value of the leader data; one that is not a single line is no value (the leader
    /// writes a new one).
    pub fn leader_value(&self, key: &str) -> Option<&str> {
        self.app_data
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty() && ini::is_line_safe(v))
    }
}

/// This unit's addresses, read only where they are needed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Addresses {
    /// The `public`, `internal` and `admin` bindings, indexed like [`EndpointType::ALL`]
    /// (api units, and units related to hacluster).
    pub endpoints: [Binding; 3],
    /// The address peers reach this unit at on `cluster` (api units only).
    pub cluster: Option<IpAddr>,
    /// The addresses this unit connects to the database and the broker from.
    pub shared_db: Option<String>,
    pub amqp: Option<String>,
}

impl Addresses {
    pub fn binding(&self, ty: EndpointType) -> &Binding {
        match ty {
            EndpointType::Public => &self.endpoints[0],
            EndpointType::Internal => &self.endpoints[1],
            EndpointType::Admin => &self.endpoints[2],
        }
    }
}

/// What earlier hooks recorded in unit state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recorded {
    pub roles: Option<Roles>,
    pub schema_seen: Option<Release>,
    pub api_port_open: bool,
    pub app_version: Option<String>,
    /// The VIPs ever published on `ha` (see [`state_key::HA_VIPS`]).
    pub ha_vips: Vec<IpAddr>,
    /// See [`state_key::TLS_CA`].
    pub tls_ca: Option<String>,
    /// The NRPE files written (see [`state_key::NRPE_FILES`]), sorted.
    pub nrpe_files: Vec<String>,
    /// See [`state_key::TLS_SERVED`].
    pub tls_served: Option<crate::tls::Served>,
}

/// The `nrpe-external-master` relation and NRPE on the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nrpe {
    pub relations: Vec<RelationId>,
    /// What the nrpe charm says (the host name nagios knows the machine by).
    pub host: Received<NagiosHost>,
    /// NRPE's configuration directory exists (the nrpe charm installed it): checks can be
    /// written. Asked only while related, in full hooks.
    pub installed: bool,
    /// The nrpe charm exports service definitions (`/var/lib/nagios/export` exists).
    pub exporting: bool,
}

impl Default for Nrpe {
    fn default() -> Self {
        Nrpe {
            relations: Vec::new(),
            host: Received::Missing,
            installed: false,
            exporting: false,
        }
    }
}

/// What of TLS the machine has besides what the charm records (read on api units in full
/// hooks only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TlsMachine {
    /// The reference's Apache site terminating TLS ([`crate::tls::LEGACY_HTTPS_SITE`]).
    pub legacy_site_enabled: bool,
}

/// Everything [`reconcile`](crate::reconcile()) decides from.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// What the hook does: [`Mode::UpdateStatus`] plans no files and no relation data.
    pub mode: Mode,
    pub unit: UnitName,
    pub leader: bool,
    /// The configuration, or the last valid one while it is invalid.
    pub config: Configured<Config>,
    /// `/etc/os-release`, when readable.
    pub os: Option<OsRelease>,
    /// Installed versions of the packages this charm knows, by name.
    pub installed: BTreeMap<String, String>,
    pub cpus: usize,
    pub paused: bool,
    pub recorded: Recorded,
    pub shared_db: Endpoint<DatabaseAccess>,
    pub amqp: Endpoint<AmqpConnection>,
    pub identity_service: Endpoint<ServiceCredentials>,
    pub identity_credentials: Endpoint<Credentials>,
    pub local_plugins: Vec<PluginRelation>,
    pub remote_plugins: Vec<PluginRelation>,
    pub cluster: Option<Cluster>,
    pub ha: Vec<RelationId>,
    /// What hacluster answers.
    pub ha_answer: Received<HaAnswer>,
    pub addresses: Addresses,
    /// A fresh password the leader publishes when the leader data has none yet (drawn in
    /// [`gather`], so that [`reconcile`](crate::reconcile()) stays deterministic).
    pub new_stats_password: Option<String>,
    /// The services of the unit (its roles', the eventlet API, retired ones) that run.
    pub running: BTreeSet<String>,
    /// Whether the database has Manila's schema (`manila-manage db version`), asked only
    /// where it matters ([`services::needs_schema_check`](crate::services::needs_schema_check)).
    pub schema_present: Option<bool>,
    /// Whether Apache's manila-api site is enabled.
    pub site_enabled: bool,
    /// What the `certificates` relation issued this unit (checked at `now`).
    pub certificates: Endpoint<tls_certificates::Issued>,
    pub tls_machine: TlsMachine,
    /// The time certificates are checked at.
    pub now: std::time::SystemTime,
    pub nrpe: Nrpe,
}

impl Inputs {
    /// hacluster said `clustered`: the VIPs answer, so endpoints are published on them.
    pub fn clustered(&self) -> bool {
        self.ha_answer
            .ready()
            .is_some_and(|answer| answer.clustered)
    }

    /// The roles of the configuration (or the last valid one), else the roles recorded by
    /// the last good hook.
    pub fn roles(&self) -> Option<&Roles> {
        match self.config.config() {
            Some(config) => Some(&config.roles),
            None => self.recorded.roles.as_ref(),
        }
    }
}

/// Every package whose version the charm reads: the release package, and those whose
/// services it manages.
pub fn known_packages() -> Vec<&'static str> {
    let mut packages: Vec<&'static str> = COMMON_PACKAGES.to_vec();
    for role in Role::ALL {
        packages.extend(role.packages());
    }
    packages.push(EVENTLET_API);
    packages.push(CLOUD_ARCHIVE_KEYRING);
    packages.sort_unstable();
    packages.dedup();
    packages
}

/// Reads the installed versions of [`known_packages`] (one `dpkg-query`, and none while
/// dpkg's database has not changed since a hook asked: [`Context::installed_versions`]).
pub fn read_installed<R: ToolRunner>(
    ctx: &mut Context<R>,
) -> anyhow::Result<BTreeMap<String, String>> {
    Ok(ctx
        .installed_versions(&known_packages())?
        .into_iter()
        .filter_map(|(name, version)| version.map(|v| (name, v)))
        .collect())
}

/// Reads every input of [`reconcile`](crate::reconcile()) a hook in `mode` needs: each
/// read at most once, and only what the event may have changed (the runtime keeps the rest
/// from earlier hooks: [`charm::memory`]), `/etc/os-release`.
pub fn gather<R: ToolRunner>(ctx: &mut Context<R>, mode: Mode) -> anyhow::Result<Inputs> {
    let config = ctx.configured(Config::from_raw)?;
    let leader = ctx.is_leader()?;
    let state = ctx.state()?;
    let paused = openstack::pause::is_paused(state);
    let recorded = Recorded {
        roles: state.get(state_key::ROLES).and_then(|r| r.parse().ok()),
        schema_seen: state
            .get(state_key::SCHEMA_SEEN)
            .and_then(|r| r.parse().ok()),
        api_port_open: state.get(state_key::API_PORT).is_some(),
        app_version: state.get(state_key::APP_VERSION).map(str::to_owned),
        // Unit state is this charm's own; an entry that does not parse was not written by it.
        ha_vips: state
            .get(state_key::HA_VIPS)
            .map(|text| {
                text.split_whitespace()
                    .filter_map(|vip| vip.parse().ok())
                    .collect()
            })
            .unwrap_or_default(),
        tls_ca: state.get(state_key::TLS_CA).map(str::to_owned),
        nrpe_files: state
            .get(state_key::NRPE_FILES)
            .map(|text| text.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        tls_served: state
            .get(state_key::TLS_SERVED)
            .and_then(crate::tls::Served::decode),
    };
    let os = ctx
        .host()
        .read_file("/etc/os-release")?
        .and_then(|bytes| OsRelease::parse(&String::from_utf8_lossy(&bytes)));
    let installed = read_installed(ctx)?;
    let unit = ctx.env().unit.clone();

    let amqp_request = match config.config() {
        Some(config) => AccessRequest::new(&config.rabbit_user, &config.rabbit_vhost),
        // Unused: without a valid config the unit blocks before relations matter.
        None => AccessRequest::new("", ""),
    };
    let api = config.config().is_some_and(|c| c.roles.has(Role::Api));
    let full = mode == Mode::Full;

    let shared_db = endpoint(
        ctx,
        endpoint::SHARED_DB,
        |bag| DatabaseAccess::from_bag(bag, &unit),
        |units| DatabaseAccess::from_bags(units, &unit),
    )?;
    let amqp = endpoint(ctx, endpoint::AMQP, BrokerUnit::from_bag, |units| {
        AmqpConnection::from_bags(&amqp_request, units)
    })?;
    let identity_service = endpoint(
        ctx,
        endpoint::IDENTITY_SERVICE,
        read::service_credentials,
        |units| first_ready(units, read::service_credentials),
    )?;
    let identity_credentials = endpoint(
        ctx,
        endpoint::IDENTITY_CREDENTIALS,
        read::credentials,
        |units| first_ready(units, read::credentials),
    )?;
    let local_plugins = plugins(ctx, endpoint::MANILA_PLUGIN)?;
    let remote_plugins = plugins(ctx, endpoint::REMOTE_MANILA_PLUGIN)?;
    let cluster = match ctx
        .receive_each(endpoint::CLUSTER, Peers::check, Peers::read)?
        .into_iter()
        .next()
    {
        Some((relation, peers)) => {
            let app_data = ctx.relations().local_app_data(&relation)?;
            Some(Cluster {
                peers,
                app_data,
                relation,
            })
        }
        None => None,
    };
    let ha = ctx.relations().ids(endpoint::HA)?;
    let ha_answer = ctx.receive(
        endpoint::HA,
        |_| Ok(Readiness::Ready(())),
        |units| Ok(Readiness::Ready(HaAnswer::from_bags(units))),
    )?;

    let mut addresses = Addresses::default();
    // The bindings give the endpoint addresses, and the interfaces VIPs go on.
    if (api || !ha.is_empty()) && full {
        for (slot, ty) in addresses.endpoints.iter_mut().zip(EndpointType::ALL) {
            *slot = Binding::from_network_info(&ctx.network(ty.word())?);
        }
    }
    if api && full {
        addresses.cluster = ctx
            .network(endpoint::CLUSTER)?
            .ingress_address()
            .and_then(|a| a.parse().ok());
    }
    if full && !shared_db.relations.is_empty() {
        addresses.shared_db = ctx
            .network(endpoint::SHARED_DB)?
            .bind_address()
            .map(str::to_owned);
    }
    if full && !amqp.relations.is_empty() {
        addresses.amqp = ctx
            .network(endpoint::AMQP)?
            .bind_address()
            .map(str::to_owned);
    }

    let new_stats_password = match &cluster {
        Some(cluster)
            if full
                && leader
                && api
                && cluster
                    .leader_value(leader_key::HAPROXY_STATS_PASSWORD)
                    .is_none() =>
        {
            Some(Alphanumeric.sample_string(&mut rand::thread_rng(), 32))
        }
        _ => None,
    };

    let nrpe_relations = ctx.relations().ids(endpoint::NRPE)?;
    let nrpe_host = ctx.receive(endpoint::NRPE, NagiosHost::from_bag, NagiosHost::from_bags)?;
    let exists = |ctx: &mut Context<R>, path: &str| -> anyhow::Result<bool> {
        Ok(ctx.host().file_stamp(path)?.is_some())
    };
    let related = full && !nrpe_relations.is_empty();
    let nrpe = Nrpe {
        installed: related && exists(ctx, nrpe_external_master::NRPE_CONFDIR)?,
        exporting: related && exists(ctx, nrpe_external_master::NAGIOS_EXPORTDIR)?,
        relations: nrpe_relations,
        host: nrpe_host,
    };
    let site_enabled = full
        && ctx
            .host()
            .read_file(crate::render::APACHE_SITE_ENABLED)?
            .is_some();
    let now = std::time::SystemTime::now();
    let certificates = endpoint(
        ctx,
        endpoint::CERTIFICATES,
        |bag| tls_certificates::Issued::from_bag(bag, &unit, now),
        |units| tls_certificates::Issued::from_bags(units, &unit, now),
    )?;
    let mut tls_machine = TlsMachine::default();
    if api && full {
        let host = ctx.host();
        tls_machine.legacy_site_enabled = host
            .read_file(crate::tls::LEGACY_HTTPS_SITE_ENABLED)?
            .is_some();
    }
    let mut inputs = Inputs {
        mode,
        unit,
        leader,
        config,
        os,
        installed,
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        paused,
        recorded,
        shared_db,
        amqp,
        identity_service,
        identity_credentials,
        local_plugins,
        remote_plugins,
        cluster,
        ha,
        ha_answer,
        addresses,
        new_stats_password,
        running: BTreeSet::new(),
        schema_present: None,
        site_enabled,
        certificates,
        tls_machine,
        now,
        nrpe,
    };
    let services = watched_services(&inputs);
    inputs.running = ctx.running(&services)?;
    if let Some(release) = installed_release(&inputs) {
        let ready = relations_ready(&inputs);
        if crate::services::needs_schema_check(&inputs, release, ready) {
            inputs.schema_present = Some(schema_exists(ctx)?);
        }
    }
    Ok(inputs)
}

/// Every service whose state the plan may depend on: the roles' (current and recorded),
/// the eventlet API.
fn watched_services(inputs: &Inputs) -> Vec<&'static str> {
    let mut names: BTreeSet<&'static str> = Role::ALL
        .iter()
        .filter(|role| {
            inputs.roles().is_some_and(|r| r.has(**role))
                || inputs
                    .recorded
                    .roles
                    .as_ref()
                    .is_some_and(|r| r.has(**role))
        })
        .flat_map(|role| role.services().iter().copied())
        .collect();
    names.insert(EVENTLET_API);
    names
        .into_iter()
        .filter(|name| inputs.installed.contains_key(*name) || *name == "apache2")
        .collect()
}

fn installed_release(inputs: &Inputs) -> Option<Release> {
    let version = inputs.installed.get("manila-common")?;
    Release::from_package_version(crate::MANILA, version).ok()
}

/// Whether every relation the unit's roles need has usable data.
fn relations_ready(inputs: &Inputs) -> bool {
    let Some(roles) = inputs.roles() else {
        return false;
    };
    let keystone = if roles.has(Role::Api) {
        inputs.identity_service.data.ready().is_some()
    } else {
        inputs.identity_credentials.data.ready().is_some()
    };
    inputs.shared_db.data.ready().is_some()
        && inputs.amqp.data.ready().is_some()
        && (keystone || !(roles.has(Role::Api) || roles.has(Role::Share)))
}

/// Whether the database has Manila's schema: `manila-manage db version` prints the current
/// alembic revision, or `None` before the first sync. A failure (the database not reachable
/// yet) counts as "not yet" and is logged; the next hook asks again.
fn schema_exists<R: ToolRunner>(ctx: &Context<R>) -> anyhow::Result<bool> {
    match ctx.host().run("manila-manage", ["db", "version"]) {
        Ok(output) => {
            let revision = output.stdout.lines().last().unwrap_or("").trim();
            Ok(!revision.is_empty() && revision != "None")
        }
        Err(e) => {
            ctx.log(
                juju::LogLevel::Warning,
                &format!("cannot ask the database for its schema version: {e}"),
            )?;
            Ok(false)
        }
    }
}

/// One endpoint read with `unit` and `relation` (see [`Context::receive`]).
fn endpoint<R: ToolRunner, T, V>(
    ctx: &mut Context<R>,
    name: &str,
    unit: impl Fn(&Bag) -> Result<Readiness<V>, FieldError>,
    relation: impl Fn(&BTreeMap<UnitName, Bag>) -> Result<Readiness<T>, UnitError>,
) -> anyhow::Result<Endpoint<T>> {
    let relations = ctx.relations().ids(name)?;
    let data = ctx.receive(name, unit, relation)?;
    Ok(Endpoint { relations, data })
}

fn plugins<R: ToolRunner>(
    ctx: &mut Context<R>,
    endpoint: &str,
) -> anyhow::Result<Vec<PluginRelation>> {
    Ok(ctx
        .receive_each(endpoint, BackendStatus::check, PluginBackends::read)?
        .into_iter()
        .map(|(relation, backends)| PluginRelation { relation, backends })
        .collect())
}

/// The readers of the keystone answers: the interface's, then a check that each value
/// `[keystone_authtoken]` takes as it is can be written there (oslo.config cannot read a
/// value holding `\$` back).
pub mod read {
    use databag::{fields, Bag, FieldError, FieldErrorKind, Readiness};
    use keystone::credentials::Credentials;
    use keystone::ServiceCredentials;

    /// One keystone unit's `identity-service` answer.
    pub fn service_credentials(bag: &Bag) -> Result<Readiness<ServiceCredentials>, FieldError> {
        let read = ServiceCredentials::from_bag(bag)?;
        oslo_values(
            bag,
            &[
                "service_tenant",
                "service_username",
                "service_password",
                "service_domain",
            ],
        )?;
        Ok(read)
    }

    /// One keystone unit's `identity-credentials` answer.
    pub fn credentials(bag: &Bag) -> Result<Readiness<Credentials>, FieldError> {
        let read = Credentials::from_bag(bag)?;
        oslo_values(
            bag,
            &[
                "credentials_project",
                "credentials_username",
                "credentials_password",
                "credentials_user_domain_name",
                "credentials_project_domain_name",
                "domain",
            ],
        )?;
        Ok(read)
    }

    fn oslo_values(bag: &Bag, keys: &[&str]) -> Result<(), FieldError> {
        for key in keys {
            if let Some(value) = fields::text(bag, key)? {
                if let Err(e) = ini::Dialect::Oslo.escape(value) {
                    return Err(FieldError::new(
                        *key,
                        FieldErrorKind::Refused {
                            reason: e.to_string(),
                        },
                    ));
                }
            }
        }
        Ok(())
    }
}
