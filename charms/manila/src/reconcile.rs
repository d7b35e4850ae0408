//! [`reconcile`]: from [`Inputs`] to the [`Plan`] of what this unit should look like. Pure:
//! templates render in memory, nothing is read or written; the toolkit's
//! [`charm::plan::apply`] carries the plan out.

use std::net::IpAddr;

use charm::plan::{self, Command, Install, Plan, PlannedFile, RelationWrite};
use charm::{Bag, TemplateError, Templates, UnitStatus};
use hacluster::{DnsRecord, HaConfigError, HaRequest, ServiceResources, Vip, VipNic};
use juju::{RelationId, Status};
use keystone::credentials::CredentialsRequest;
use keystone::{Endpoint as KeystoneEndpoint, Registration};
use manila_plugin::AuthenticationData;
use mysql_shared::{DatabaseRequest, TlsFiles};
use openstack_ha::{AddressKind, Backend as PeerBackend, LocalAddresses};
use rabbitmq::AccessRequest;

use crate::backends::ShareBackends;
use crate::config::{Config, EndpointType};
use crate::inputs::{endpoint, leader_key, state_key, Inputs, Mode};
use crate::render::{self, HaproxyCfg, HaproxyServer, KeystoneSection, ManilaConf};
use crate::roles::Role;
use crate::services::{self, Readiness, Schema, SHARE_SERVICE};
use crate::status;
use crate::tls;
use openstack::keystone::ServiceClient;
use openstack::network::{resolve_address, url_host, vip_nic};
use openstack::release::{upstream_version, Release};

/// Whether this unit runs the share role in a cluster (related to hacluster): then
/// `manila-share` is active/passive under Pacemaker, with one identity for the application.
fn share_clustered(inputs: &Inputs, config: &Config) -> bool {
    config.roles.has(Role::Share) && !inputs.ha.is_empty()
}

/// The service identity (`host` in manila.conf) of a clustered share application: the
/// application's name, the same on every unit, so that the shares the active node created
/// stay its own when another node takes over. (manila-ganesha uses the VIP; a name does not
/// change when the operator moves the VIP, and a share application needs no VIP.)
fn share_host(inputs: &Inputs, config: &Config) -> Option<String> {
    share_clustered(inputs, config).then(|| inputs.unit.app().as_str().to_owned())
}

/// A configuration hacluster cannot be asked for, whatever the relations.
fn ha_config_problem(config: &Config) -> Option<HaConfigError> {
    if !config.dns_ha {
        return None;
    }
    if !config.vips.is_empty() {
        return Some(HaConfigError::VipAndDnsHa);
    }
    let hostnames = EndpointType::ALL
        .iter()
        .any(|ty| config.endpoint(*ty).hostname.is_some());
    (config.roles.has(Role::Api) && !hostnames).then_some(HaConfigError::DnsHaWithoutHostnames)
}

/// Decides everything from `inputs`.
pub fn reconcile(inputs: &Inputs, templates: &Templates) -> Result<Plan, TemplateError> {
    // An invalid configuration leaves the last valid one in force (the status says what is
    // wrong); without one there is nothing to act on.
    let Some(config) = inputs.config.config() else {
        let invalid = inputs.config.error().map(ToString::to_string);
        return Ok(Plan::status(status::blocked(invalid.unwrap_or_default())));
    };
    let full = inputs.mode == Mode::Full;
    let install = match install(inputs, config) {
        Ok(install) => Some(install).filter(|_| full),
        Err(blocked) => return Ok(Plan::status(blocked)),
    };
    let release = match installed_release(inputs) {
        Ok(release) => release,
        Err(status) => {
            let mut plan = Plan::status(status);
            plan.install = install;
            return Ok(plan);
        }
    };
    let facts = Facts::new(inputs, config);
    let schema = services::schema(inputs, release, facts.readiness.relations);
    let states = services::services(inputs, facts.readiness, &schema);
    let not_running = services::not_running(inputs, &states, facts.readiness, &schema);

    let mut plan = Plan::status(decide_status(inputs, config, &facts, &schema, &not_running));
    plan.install = install;
    plan.services = states;
    plan.commands = schema.commands;
    plan.state = schema.state;
    plan.relation_data.extend(schema.leader_data);
    record(inputs, config, &mut plan);
    if full {
        let api = config.roles.has(Role::Api);
        plan.files = files(inputs, config, release, &facts, templates)?;
        if api && !inputs.site_enabled {
            // Apache reads the site only when (re)started.
            plan.commands.insert(
                0,
                Command::new("a2ensite", &["manila-api"]).restarting(&["apache2"]),
            );
        }
        if api {
            tls::apply_to(inputs, &facts.tls, &mut plan);
        }
        publish(inputs, config, &facts, &mut plan);
        monitoring(inputs, config, &facts, &mut plan);
    }
    Ok(plan)
}

/// What several parts of the plan depend on, worked out once.
struct Facts<'i> {
    backends: ShareBackends<'i>,
    readiness: Readiness,
    /// The status of each relation the roles need (or that has problems to report).
    relations: Vec<Option<UnitStatus>>,
    keystone: Option<KeystoneSection>,
    /// How the API is served (plain on units without the api role).
    tls: tls::Serving,
}

impl<'i> Facts<'i> {
    fn new(inputs: &'i Inputs, config: &Config) -> Facts<'i> {
        let roles = &config.roles;
        let api = roles.has(Role::Api);
        let backends = ShareBackends::collect(&inputs.local_plugins, &inputs.remote_plugins);
        // Keystone: api units register and use identity-service; others use
        // identity-credentials.
        let (keystone_status, keystone_ready) = if api {
            let data = &inputs.identity_service.data;
            (
                data.status(endpoint::IDENTITY_SERVICE),
                data.ready().is_some(),
            )
        } else {
            let data = &inputs.identity_credentials.data;
            (
                data.status(endpoint::IDENTITY_CREDENTIALS),
                data.ready().is_some(),
            )
        };
        let mut relations = vec![
            inputs.shared_db.data.status(endpoint::SHARED_DB),
            inputs.amqp.data.status(endpoint::AMQP),
        ];
        let mut ready =
            inputs.shared_db.data.ready().is_some() && inputs.amqp.data.ready().is_some();
        if api || roles.has(Role::Share) {
            relations.push(keystone_status);
            ready &= keystone_ready;
        }
        // Relations whose problems are reported although the unit works without them.
        if let Some(cluster) = &inputs.cluster {
            if !cluster.peers.problems().is_empty() {
                relations.push(cluster.peers.status(endpoint::CLUSTER));
            }
        }
        if !inputs.ha_answer.problems().is_empty() {
            relations.push(inputs.ha_answer.status(endpoint::HA));
        }
        if api && !inputs.certificates.data.problems().is_empty() {
            relations.push(inputs.certificates.data.status(endpoint::CERTIFICATES));
        }
        if !inputs.nrpe.host.problems().is_empty() {
            relations.push(inputs.nrpe.host.status(endpoint::NRPE));
        }
        Facts {
            readiness: Readiness {
                relations: ready,
                local_backend: !backends.local.is_empty(),
                share_clustered: share_clustered(inputs, config),
            },
            backends,
            relations,
            keystone: keystone_section(inputs, api),
            tls: if api {
                tls::serving(inputs, config)
            } else {
                tls::Serving::Plain
            },
        }
    }
}

/// The apt source and packages the roles need (only those missing), or why the origin
/// cannot be placed.
fn install(inputs: &Inputs, config: &Config) -> Result<Install, UnitStatus> {
    let mut install = openstack::release::install(
        &config.origin,
        inputs.os.as_ref(),
        "manila",
        &config.roles.packages(),
        |package| inputs.installed.contains_key(package),
    )
    .map_err(status::blocked)?;
    // A package's maintainer script starts the services it ships: a paused unit keeps those
    // down too.
    if inputs.paused {
        install.keep_down = config
            .roles
            .services()
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    Ok(install)
}

/// The release of the installed Manila, or the status saying why there is none to use.
fn installed_release(inputs: &Inputs) -> Result<Release, UnitStatus> {
    let Some(version) = inputs.installed.get("manila-common") else {
        return Err(UnitStatus::new(Status::Maintenance, status::INSTALLING));
    };
    Release::from_package_version(crate::MANILA, version)
        .map_err(|e| status::blocked(e.to_string()))
}

/// Unit-state records and the workload version: what later hooks read of this one.
fn record(inputs: &Inputs, config: &Config, plan: &mut Plan) {
    let roles = &config.roles;
    if inputs.recorded.roles.as_ref() != Some(roles) {
        plan.state
            .push((state_key::ROLES.to_owned(), Some(roles.to_string())));
    }
    if let Some(version) = inputs
        .installed
        .get("manila-common")
        .map(|v| upstream_version(v))
    {
        if inputs.recorded.app_version.as_deref() != Some(version) {
            plan.workload_version = Some(version.to_owned());
            plan.state
                .push((state_key::APP_VERSION.to_owned(), Some(version.to_owned())));
        }
    }
    let api = roles.has(Role::Api);
    let port = juju::Port::tcp(render::API_PORT);
    match (api, inputs.recorded.api_port_open) {
        (true, false) => {
            plan.ports.push((port, true));
            plan.state.push((
                state_key::API_PORT.to_owned(),
                Some(render::API_PORT.to_string()),
            ));
        }
        (false, true) => {
            plan.ports.push((port, false));
            plan.state.push((state_key::API_PORT.to_owned(), None));
        }
        _ => {}
    }
}

/// This unit's relation data: requests, registrations, credentials for the back ends,
/// peer addresses, hacluster's resources, and the leader's haproxy password.
fn publish(inputs: &Inputs, config: &Config, facts: &Facts<'_>, plan: &mut Plan) {
    let share_ready = facts.readiness.share_clustered
        && facts.readiness.relations
        && facts.readiness.local_backend;
    let (unit_data, asked_hacluster) = relation_data(inputs, config, facts, share_ready);
    plan.relation_data
        .extend(unit_data.into_iter().map(|(relation, data)| RelationWrite {
            relation,
            app: false,
            data,
        }));
    let new_vips: Vec<IpAddr> = config
        .vips
        .iter()
        .filter(|v| !inputs.recorded.ha_vips.contains(v))
        .copied()
        .collect();
    if asked_hacluster && !new_vips.is_empty() {
        let vips: Vec<String> = inputs
            .recorded
            .ha_vips
            .iter()
            .chain(&new_vips)
            .map(ToString::to_string)
            .collect();
        plan.state
            .push((state_key::HA_VIPS.to_owned(), Some(vips.join(" "))));
    }
    let api = config.roles.has(Role::Api);
    if let (true, true, Some(cluster), Some(password)) = (
        inputs.leader,
        api,
        &inputs.cluster,
        &inputs.new_stats_password,
    ) {
        plan.relation_data.push(RelationWrite {
            relation: cluster.relation.clone(),
            app: true,
            data: Bag::from([(
                leader_key::HAPROXY_STATS_PASSWORD.to_owned(),
                password.clone(),
            )]),
        });
    }
}

/// The NRPE checks ([`crate::nrpe`]): their files, the ones to remove, `monitors`, and
/// NRPE itself, restarted when a check changed (as nrpe.py restarts it after writing).
fn monitoring(inputs: &Inputs, config: &Config, facts: &Facts<'_>, plan: &mut Plan) {
    let password = stats_password(inputs);
    let nrpe = crate::nrpe::plan(inputs, config, password.as_deref(), facts.tls.is_tls());
    plan.files.extend(nrpe.files);
    plan.remove.extend(nrpe.remove);
    plan.relation_data.extend(nrpe.relation_data);
    plan.state.extend(nrpe.state);
    if nrpe.nrpe_service {
        // The nrpe charm's service: started if it is not, never reported as this unit's.
        plan.services.push((
            crate::nrpe::NRPE_SERVICE.to_owned(),
            plan::ServiceState::RunUnchecked,
        ));
    }
}

/// The status, in the reference's order (charms.openstack's `_assess_status`): paused (or
/// paused with services up), the configuration, the charm's own checks (HA, back ends), the
/// relations, the schema, then the services that should run and do not.
fn decide_status(
    inputs: &Inputs,
    config: &Config,
    facts: &Facts<'_>,
    schema: &Schema,
    not_running: &[&str],
) -> UnitStatus {
    let backends = &facts.backends;
    if inputs.paused {
        let managed = services::managed(inputs);
        let still_up: Vec<&str> = managed
            .into_iter()
            .filter(|s| inputs.running.contains(*s))
            .collect();
        if !still_up.is_empty() {
            return status::blocked(openstack::pause::still_running(&still_up));
        }
        return UnitStatus::new(Status::Maintenance, status::PAUSED);
    }
    // Before anything else an operator may be told: clients are served a certificate that
    // no longer holds.
    if let tls::Serving::Kept(served) = &facts.tls {
        let mut message = tls::kept_status(served, inputs.now);
        if let Some(invalid) = inputs.config.error() {
            message = format!("{message}; {invalid}");
        }
        return status::blocked(message);
    }
    if let Some(invalid) = inputs.config.error() {
        return status::blocked(invalid.to_string());
    }
    if let Some(problem) = ha_config_problem(config) {
        return status::blocked(problem.to_string());
    }
    if let Some(duplicate) = backends.duplicates.first() {
        return status::blocked(status::duplicate_backend(
            &duplicate.name,
            &duplicate.units.0,
            &duplicate.units.1,
        ));
    }
    if let Some(problem) = charm::relations_status(
        &backends
            .problems
            .iter()
            .cloned()
            .map(Some)
            .collect::<Vec<_>>(),
    ) {
        return problem;
    }
    if let Some(conflict) = backends.shared.conflicts.first() {
        return status::blocked(conflict.to_string());
    }
    if config.roles.has(Role::Share) {
        if backends.local.is_empty() {
            return status::blocked(status::NO_BACKENDS);
        }
        match &config.default_share_backend {
            None => return status::blocked(status::DEFAULT_BACKEND_UNSET),
            Some(name) if !backends.all_names.contains(name) => {
                return status::blocked(status::unknown_default_backend(name))
            }
            Some(_) => {}
        }
    }
    if let Some(relations) = charm::relations_status(&facts.relations) {
        return relations;
    }
    if let Some(waiting) = &schema.waiting {
        return waiting.clone();
    }
    plan::with_services(status::ready(), not_running)
}

/// `[keystone_authtoken]`, from identity-service on api units (with the memcached token
/// cache) and from identity-credentials elsewhere.
fn keystone_section(inputs: &Inputs, api: bool) -> Option<KeystoneSection> {
    if api {
        Some(KeystoneSection {
            client: ServiceClient::from_service(inputs.identity_service.data.ready()?),
            memcached_servers: Some(render::MEMCACHED_ADDRESS.to_owned()),
        })
    } else {
        Some(KeystoneSection {
            client: ServiceClient::from_credentials(inputs.identity_credentials.data.ready()?),
            memcached_servers: None,
        })
    }
}

/// Every file this unit's roles need.
fn files(
    inputs: &Inputs,
    config: &Config,
    release: Release,
    facts: &Facts<'_>,
    templates: &Templates,
) -> Result<Vec<PlannedFile>, TemplateError> {
    let backends = &facts.backends;
    let keystone = facts.keystone.as_ref();
    let mut extra = Vec::new();
    let workers = config.workers(inputs.cpus);

    let database = inputs.shared_db.data.ready().map(|access| {
        let tls = access.ssl_ca.as_deref().map(|ca| {
            extra.push(render::pem_file(render::DB_CA, ca, false));
            let client = match (&access.ssl_cert, &access.ssl_key) {
                (Some(cert), Some(key)) => {
                    extra.push(render::pem_file(render::DB_CERT, cert, false));
                    extra.push(render::pem_file(render::DB_KEY, key.expose(), true));
                    Some((render::DB_CERT.to_owned(), render::DB_KEY.to_owned()))
                }
                _ => None,
            };
            TlsFiles {
                ca: render::DB_CA.to_owned(),
                client,
            }
        });
        let request = DatabaseRequest::new(&config.database, &config.database_user, "");
        render::DatabaseSection {
            connection: access.uri(&request, tls.as_ref()),
        }
    });
    let amqp = inputs.amqp.data.ready();
    let rabbit = amqp.map(|amqp| render::RabbitSection {
        ha_queues: amqp.ha_queues(),
        ssl_ca_file: amqp.ssl_ca().map(|ca| {
            extra.push(render::pem_file(render::RABBIT_CA, ca, false));
            render::RABBIT_CA.to_owned()
        }),
    });
    let conf = ManilaConf {
        enabled_share_backends: backends.enabled(),
        enabled_share_protocols: config.share_protocols.join(","),
        default_share_type: config.default_share_type.clone(),
        debug: config.debug,
        workers,
        scheduler_default_filters: (!config.scheduler_default_filters.is_empty())
            .then(|| config.scheduler_default_filters.join(",")),
        transport_url: amqp.map(rabbitmq::AmqpConnection::transport_url),
        config_flags: config.config_flags.clone(),
        host: share_host(inputs, config),
        database,
        keystone: keystone.cloned(),
        rabbit,
        use_syslog: config.use_syslog,
        keystone_interface: config.use_internal_endpoints.then_some("internal"),
        backend_sections: service_clients(
            backends
                .sections()
                .into_iter()
                .map(render::BackendSection::from)
                .collect(),
            config.use_internal_endpoints,
        ),
    };
    let mut files = render::common_files(templates, release, &conf, config.log_level())?;
    files.extend(extra);
    if config.roles.has(Role::Api) {
        files.extend(render::api_files(
            templates,
            release,
            workers,
            &haproxy(inputs, config, &facts.tls),
        )?);
    }
    Ok(files.into_iter().map(render::with_readers).collect())
}

/// The password of haproxy's statistics page: the leader's, or the one this leader publishes
/// now.
fn stats_password(inputs: &Inputs) -> Option<String> {
    inputs
        .cluster
        .as_ref()
        .and_then(|c| c.leader_value(leader_key::HAPROXY_STATS_PASSWORD))
        .map(str::to_owned)
        .or_else(|| inputs.new_stats_password.clone())
}

/// The sections for Nova, Neutron and Cinder, Manila's clients of other services, with
/// `use-internal-endpoints`: each selects the catalog's internal endpoint (`endpoint_type`,
/// whose choices in manila's `nova`, `neutron` and `cinder` option groups include
/// `internalURL`), over what a back end sent; a section no back end sent is added.
fn service_clients(
    mut sections: Vec<render::BackendSection>,
    internal: bool,
) -> Vec<render::BackendSection> {
    if !internal {
        return sections;
    }
    for name in manila_plugin::SHARED_SECTIONS {
        let option = ("endpoint_type".to_owned(), "internalURL".to_owned());
        match sections.iter_mut().find(|s| s.name == *name) {
            Some(section) => {
                section.options.retain(|(key, _)| key != "endpoint_type");
                section.options.push(option);
            }
            None => sections.push(render::BackendSection {
                name: (*name).to_owned(),
                options: vec![option],
            }),
        }
    }
    sections
}

fn haproxy(inputs: &Inputs, config: &Config, serving: &tls::Serving) -> HaproxyCfg {
    let timeouts = config.haproxy_timeouts();
    let stats_password = stats_password(inputs);
    let backends = haproxy_backends(inputs, config);
    let ipv6 =
        backends.iter().any(|b| b.local.contains(':')) || config.vips.iter().any(IpAddr::is_ipv6);
    let tls = serving.haproxy();
    HaproxyCfg {
        queue_timeout: timeouts.queue,
        connect_timeout: timeouts.connect,
        client_timeout: timeouts.client,
        server_timeout: timeouts.server,
        stats_password,
        frontend_port: render::API_PORT,
        ipv6,
        backend_port: match tls {
            Some(_) => tls::TLS_PORT,
            None => render::WSGI_PORT,
        },
        backends,
        tls,
    }
}

/// haproxy's backends, as the reference builds them (charms.openstack's
/// `PeerHARelationAdapter`): first the network peers reach each other on, with every api
/// unit's `private-address`; then, per endpoint type, this unit's address for that endpoint
/// (its binding, or `os-*-network`) with every peer's address of that type. Requests go to
/// the backend whose network they arrived on. When the networks are not split all of these
/// are one address and one backend, filled from `private-address` (the reference lets the
/// last type refill it, with the same addresses from peers that publish every type; a peer
/// that does not would drop out).
fn haproxy_backends(inputs: &Inputs, config: &Config) -> Vec<render::HaproxyBackend> {
    let peers = inputs.cluster.as_ref().and_then(|c| c.peers.ready());
    let default = inputs
        .addresses
        .cluster
        .or_else(|| inputs.addresses.binding(EndpointType::Internal).primary());
    let split = EndpointType::ALL.into_iter().filter_map(|ty| {
        let network = config.endpoint(ty).network;
        let local = resolve_address(None, network, &[], false, inputs.addresses.binding(ty))?;
        Some((local.parse::<IpAddr>().ok()?, ty.address_kind()))
    });
    let mut backends: Vec<render::HaproxyBackend> = Vec::new();
    for (local, kind) in default
        .map(|a| (a, AddressKind::Private))
        .into_iter()
        .chain(split)
    {
        let Ok(host) = databag::Host::parse("cluster", &local.to_string()) else {
            continue;
        };
        let me = PeerBackend {
            unit: inputs.unit.clone(),
            address: host,
        };
        let servers = match peers {
            Some(peers) => peers.backends_with(kind, me),
            None => vec![me],
        };
        let backend = render::HaproxyBackend {
            name: format!("manila-api_admin_{local}"),
            local: local.to_string(),
            network: format!("{local}/{}", prefix_of(inputs, local)),
            servers: servers
                .into_iter()
                .map(|b| HaproxyServer {
                    name: b.name(),
                    address: b.address.url_form(),
                })
                .collect(),
        };
        if backends.iter().all(|b| b.local != backend.local) {
            backends.push(backend);
        }
    }
    backends
}

/// The prefix length of the network `address` is bound in, as network-get reported it; a
/// host route when no binding says.
fn prefix_of(inputs: &Inputs, address: IpAddr) -> u8 {
    EndpointType::ALL
        .into_iter()
        .flat_map(|ty| &inputs.addresses.binding(ty).addresses)
        .find(|bound| bound.address == address)
        .and_then(|bound| bound.network.as_ref())
        .map(|network| network.prefix())
        .unwrap_or(if address.is_ipv6() { 128 } else { 32 })
}

/// This unit's bag on every relation it publishes to, and whether it asked hacluster for
/// the configured VIPs.
fn relation_data(
    inputs: &Inputs,
    config: &Config,
    facts: &Facts<'_>,
    share_ready: bool,
) -> (Vec<(RelationId, Bag)>, bool) {
    let keystone = facts.keystone.as_ref();
    let mut data = Vec::new();
    let api = config.roles.has(Role::Api);
    let each = |data: &mut Vec<(RelationId, Bag)>, ids: &[RelationId], bag: &Bag| {
        data.extend(ids.iter().map(|id| (id.clone(), bag.clone())));
    };

    let mut db = DatabaseRequest::new(
        &config.database,
        &config.database_user,
        inputs.addresses.shared_db.clone().unwrap_or_default(),
    )
    .to_bag();
    db.retain(|_, v| !v.is_empty());
    each(&mut data, &inputs.shared_db.relations, &db);

    let mut amqp = AccessRequest::new(&config.rabbit_user, &config.rabbit_vhost);
    if let Some(address) = &inputs.addresses.amqp {
        amqp = amqp.with_address(address);
    }
    each(&mut data, &inputs.amqp.relations, &amqp.to_bag());

    if api {
        if let Some(registration) = registration(inputs, config, facts.tls.is_tls()) {
            each(
                &mut data,
                &inputs.identity_service.relations,
                &registration.to_bag(),
            );
        }
        let requests = tls::requests(inputs, config);
        if !requests.is_empty() {
            let bag = tls_certificates::CertRequests::new(&inputs.unit, requests).to_bag();
            each(&mut data, &inputs.certificates.relations, &bag);
        }
    } else {
        let request = CredentialsRequest::new(inputs.unit.app().as_str());
        each(
            &mut data,
            &inputs.identity_credentials.relations,
            &request.to_bag(),
        );
    }

    if let Some(KeystoneSection { client, .. }) = keystone {
        let auth = AuthenticationData {
            username: Some(client.username.clone()),
            password: Some(client.password.clone()),
            project_domain_name: Some(client.project_domain_name.clone()),
            project_name: Some(client.project_name.clone()),
            user_domain_name: Some(client.user_domain_name.clone()),
            auth_uri: Some(client.www_authenticate_uri.clone()),
            auth_url: Some(client.auth_url.clone()),
            auth_type: Some("password".to_owned()),
        }
        .to_bag();
        for plugin in inputs.local_plugins.iter().chain(&inputs.remote_plugins) {
            data.push((plugin.relation.clone(), auth.clone()));
        }
    }

    if api {
        if let Some(cluster) = &inputs.cluster {
            let address = |ty: EndpointType| {
                let network = config.endpoint(ty).network;
                resolve_address(None, network, &[], false, inputs.addresses.binding(ty))
            };
            if let (Some(admin), Some(internal), Some(public)) = (
                address(EndpointType::Admin),
                address(EndpointType::Internal),
                address(EndpointType::Public),
            ) {
                let bag = LocalAddresses {
                    admin,
                    internal,
                    public,
                }
                .to_bag();
                data.push((cluster.relation.clone(), bag));
            }
        }
    }
    let mut asked_hacluster = false;
    if !inputs.ha.is_empty() {
        if let Some(request) = ha_request(inputs, config, share_ready) {
            each(&mut data, &inputs.ha, &request.to_bag());
            asked_hacluster = true;
        }
    }
    (data, asked_hacluster)
}

/// The two endpoints keystone registers, v1 (`manila`) and v2 (`manilav2`), when every
/// endpoint type has an address.
fn registration(inputs: &Inputs, config: &Config, tls: bool) -> Option<Registration> {
    let scheme = if tls { "https" } else { "http" };
    let mut urls = Vec::new();
    for ty in EndpointType::ALL {
        let endpoint = config.endpoint(ty);
        let address = resolve_address(
            endpoint.hostname,
            endpoint.network,
            &config.vips,
            inputs.clustered(),
            inputs.addresses.binding(ty),
        )?;
        urls.push(format!(
            "{scheme}://{}:{}",
            url_host(&address),
            render::API_PORT
        ));
    }
    let endpoint = |service: &str, version: &str| KeystoneEndpoint {
        service: service.to_owned(),
        region: config.region.clone(),
        public_url: format!("{}/{version}/%(tenant_id)s", urls[0]),
        internal_url: format!("{}/{version}/%(tenant_id)s", urls[1]),
        admin_url: format!("{}/{version}/%(tenant_id)s", urls[2]),
    };
    Registration::prefixed([
        ("v1", endpoint("manila", "v1")),
        ("v2", endpoint("manilav2", "v2")),
    ])
    .ok()
}

/// What hacluster runs for this unit's roles: for the api, the VIPs (or with dns-ha the
/// DNS records of the configured host names, pointing at this unit) and haproxy cloned on
/// every node; for the share role, the VIPs and, once the share service can work,
/// `manila-share` on one node with them. `None` when the unit has neither role, or the
/// configuration is one hacluster cannot be asked for (the status says why).
fn ha_request(inputs: &Inputs, config: &Config, share_ready: bool) -> Option<HaRequest> {
    let api = config.roles.has(Role::Api);
    let share = config.roles.has(Role::Share);
    if !api && !share {
        return None;
    }
    let bindings = &inputs.addresses.endpoints;
    let vips = config
        .vips
        .iter()
        .map(|vip| Vip {
            address: *vip,
            nic: match vip_nic(*vip, bindings) {
                Some((iface, _)) => VipNic::Found { iface },
                None => VipNic::Fallback {
                    iface: config.vip_iface.clone(),
                    netmask: config.vip_cidr.to_string(),
                },
            },
        })
        .collect();
    let mut dns_records = Vec::new();
    if config.dns_ha && api {
        for (ty, word) in [
            (EndpointType::Admin, "admin"),
            (EndpointType::Internal, "int"),
            (EndpointType::Public, "public"),
        ] {
            let endpoint = config.endpoint(ty);
            let Some(hostname) = &endpoint.hostname else {
                continue;
            };
            // The record points at this unit's own address on that network.
            let binding = inputs.addresses.binding(ty);
            if let Some(ip) = resolve_address(None, endpoint.network, &[], false, binding) {
                dns_records.push(DnsRecord {
                    endpoint_type: word.to_owned(),
                    fqdn: (*hostname).to_owned(),
                    ip,
                });
            }
        }
    }
    let resources = ServiceResources {
        service: "manila".to_owned(),
        vips,
        retired_vips: inputs.recorded.ha_vips.clone(),
        dns_ha: config.dns_ha,
        dns_records,
        haproxy: api,
        single_node: if share && share_ready {
            vec![SHARE_SERVICE.to_owned()]
        } else {
            Vec::new()
        },
    };
    let crm = resources.crm().ok()?;
    Some(HaRequest::new(&config.vip_iface, crm))
}
