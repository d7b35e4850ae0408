//! Inputs for `reconcile`, built the way `gather` builds them: relation bags as the remote
//! charms write them, read through the interface codecs.
//!
//! Every secret is a distinct marker (`DB-SECRET`, ...) so that tests can find it, and the
//! snapshots redact it.

use std::collections::BTreeMap;
use std::net::IpAddr;

use charm::config::RawConfig;
use charm::received::receive_relation;
use charm::Options;
use charm::Templates;
use charm::{Configured, Received, ServiceState};
use databag::{first_ready, Bag, FieldError, Readiness, UnitError};
use hacluster::HaAnswer;
use juju::{RelationId, UnitName};
use keystone::credentials::Credentials;
use keystone::ServiceCredentials;
use manila_charm::inputs::{
    read, Addresses, Cluster, Endpoint, Inputs, Mode, PluginRelation, Recorded,
};
use manila_charm::roles::Roles;
use manila_charm::{Config, Manila, Plan};
use manila_plugin::{BackendStatus, PluginBackends};
use mysql_shared::DatabaseAccess;
use openstack::network::{Binding, BoundAddress};
use openstack::release::OsRelease;
use openstack_ha::Peers;
use rabbitmq::{AccessRequest, AmqpConnection, BrokerUnit};

/// The secrets the fixtures use, and what snapshots show instead.
pub(crate) const SECRETS: &[(&str, &str)] = &[
    ("DB-SECRET", "[db password]"),
    ("RABBIT-SECRET", "[rabbit password]"),
    ("KEYSTONE-SECRET", "[keystone password]"),
    ("CREDENTIALS-SECRET", "[credentials password]"),
    ("STATS-SECRET", "[haproxy stats password]"),
    ("PLUGIN-NOVA-SECRET", "[nova password]"),
];

pub(crate) const CARACAL: &str = "1:18.0.0-0ubuntu1";
pub(crate) const ZED: &str = "1:15.1.0-2";

pub(crate) fn unit(name: &str) -> UnitName {
    name.parse().unwrap()
}

pub(crate) fn rel(id: &str) -> RelationId {
    id.parse().unwrap()
}

pub(crate) fn bag(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub(crate) fn templates() -> Templates {
    use charm::Charm;
    Templates::new(Manila::TEMPLATES)
}

pub(crate) fn plan(inputs: &Inputs) -> Plan {
    manila_charm::reconcile(inputs, &templates()).unwrap()
}

/// `raw` as `gather` reads it, with no valid configuration kept from earlier hooks.
pub(crate) fn configured(raw: &RawConfig) -> Configured<Config> {
    match Config::from_raw(raw) {
        Ok(config) => Configured::Valid(config),
        Err(error) => Configured::Invalid(error),
    }
}

pub(crate) fn config(raw: RawConfig) -> Config {
    Config::from_raw(&raw).unwrap()
}

/// Defaults plus the back end the fixtures' plugin announces.
pub(crate) fn raw_config(roles: &str) -> RawConfig {
    RawConfig::defaults(Config::OPTIONS)
        .with("roles", roles)
        .with("default-share-backend", "generic")
}

pub(crate) fn db_bag(allowed: &str) -> Bag {
    bag(&[
        ("db_host", "10.5.0.20"),
        ("db_port", "3306"),
        ("password", "DB-SECRET"),
        ("allowed_units", allowed),
    ])
}

pub(crate) fn shared_db(me: &UnitName, bags: &[(&str, Bag)]) -> Endpoint<DatabaseAccess> {
    let units: BTreeMap<UnitName, Bag> = bags.iter().map(|(u, b)| (unit(u), b.clone())).collect();
    let relations = vec![rel("shared-db:1")];
    Endpoint {
        data: received(
            &units,
            |bag| DatabaseAccess::from_bag(bag, me),
            |units| DatabaseAccess::from_bags(units, me),
        ),
        relations,
    }
}

pub(crate) fn amqp(bags: &[(&str, Bag)]) -> Endpoint<AmqpConnection> {
    let units: BTreeMap<UnitName, Bag> = bags.iter().map(|(u, b)| (unit(u), b.clone())).collect();
    let request = AccessRequest::new("manila", "openstack");
    Endpoint {
        data: received(&units, BrokerUnit::from_bag, |units| {
            AmqpConnection::from_bags(&request, units)
        }),
        relations: vec![rel("amqp:2")],
    }
}

pub(crate) fn rabbit_bag(address: &str) -> Bag {
    bag(&[("private-address", address), ("password", "RABBIT-SECRET")])
}

pub(crate) fn keystone_bag() -> Bag {
    bag(&[
        ("service_host", "10.5.0.5"),
        ("service_port", "5000"),
        ("service_protocol", "http"),
        ("auth_host", "10.5.0.5"),
        ("auth_port", "35357"),
        ("auth_protocol", "http"),
        ("service_tenant", "services"),
        ("service_tenant_id", "0123456789abcdef0123456789abcdef"),
        ("service_username", "manila_manilav2"),
        ("service_password", "KEYSTONE-SECRET"),
        ("service_domain", "service_domain"),
        ("api_version", "3"),
    ])
}

pub(crate) fn identity_service(bag: Bag) -> Endpoint<ServiceCredentials> {
    let units = BTreeMap::from([(unit("keystone/0"), bag)]);
    Endpoint {
        data: received(&units, read::service_credentials, |units| {
            first_ready(units, read::service_credentials)
        }),
        relations: vec![rel("identity-service:4")],
    }
}

pub(crate) fn credentials_bag(username: &str) -> Bag {
    bag(&[
        ("credentials_host", "10.5.0.5"),
        ("credentials_port", "5000"),
        ("credentials_protocol", "http"),
        ("auth_host", "10.5.0.5"),
        ("auth_port", "35357"),
        ("auth_protocol", "http"),
        ("api_version", "3"),
        ("credentials_project", "services"),
        ("credentials_project_id", "0123456789abcdef0123456789abcdef"),
        ("credentials_username", username),
        ("credentials_password", "CREDENTIALS-SECRET"),
        ("credentials_user_domain_name", "service_domain"),
        ("credentials_project_domain_name", "service_domain"),
        ("domain", "service_domain"),
    ])
}

pub(crate) fn identity_credentials(bag: Bag) -> Endpoint<Credentials> {
    let units = BTreeMap::from([(unit("keystone/0"), bag)]);
    Endpoint {
        data: received(&units, read::credentials, |units| {
            first_ready(units, read::credentials)
        }),
        relations: vec![rel("identity-credentials:6")],
    }
}

/// A manila-generic subordinate's bag (DHSS=False), as it sends it.
pub(crate) fn generic_backend_bag(name: &str) -> Bag {
    let section = format!(
        "[nova]\nusername = manila_manilav2\npassword = PLUGIN-NOVA-SECRET\n\
         project_domain_name = service_domain\nuser_domain_name = service_domain\n\
         project_name = services\nauth_uri = http://10.5.0.5:5000\n\
         auth_url = http://10.5.0.5:35357\nauth_type = password\n\n\
         [{name}]\n\
         # Set usage of Generic driver which uses cinder as backend.\n\
         share_driver = manila.share.drivers.generic.GenericShareDriver\n\
         driver_handles_share_servers = False\n\
         share_backend_name = {upper}\n\
         service_instance_user = manila\n",
        upper = name.to_uppercase()
    );
    manila_plugin::Backend::new(name.parse().unwrap())
        .with_file(manila_plugin::MANILA_CONF, section)
        .to_bag()
}

pub(crate) fn plugin(relation: &str, units: &[(&str, Bag)]) -> PluginRelation {
    let units: BTreeMap<UnitName, Bag> = units.iter().map(|(u, b)| (unit(u), b.clone())).collect();
    PluginRelation {
        relation: rel(relation),
        backends: received(&units, BackendStatus::check, PluginBackends::read),
    }
}

pub(crate) fn cluster(peers: &[(&str, &str)], leader_data: &[(&str, &str)]) -> Cluster {
    let units: BTreeMap<UnitName, Bag> = peers
        .iter()
        .map(|(u, a)| (unit(u), bag(&[("private-address", a)])))
        .collect();
    Cluster {
        relation: rel("cluster:3"),
        peers: received(&units, Peers::check, Peers::read),
        app_data: bag(leader_data),
    }
}

pub(crate) fn binding(address: &str, cidr: &str) -> Binding {
    Binding {
        addresses: vec![
            BoundAddress::new(address.parse().unwrap(), Some(cidr.parse().unwrap())).on("ens3"),
        ],
    }
}

pub(crate) fn addresses(address: &str) -> Addresses {
    let b = binding(address, "10.5.0.0/24");
    Addresses {
        endpoints: [b.clone(), b.clone(), b],
        cluster: Some(address.parse::<IpAddr>().unwrap()),
        shared_db: Some(address.to_owned()),
        amqp: Some(address.to_owned()),
    }
}

/// What `gather` reads from `units` with no data kept from earlier hooks.
pub(crate) fn received<T, V>(
    units: &BTreeMap<UnitName, Bag>,
    unit: impl Fn(&Bag) -> Result<Readiness<V>, FieldError>,
    relation: impl Fn(&BTreeMap<UnitName, Bag>) -> Result<Readiness<T>, UnitError>,
) -> Received<T> {
    receive_relation(units, &BTreeMap::new(), unit, relation).0
}

/// hacluster's answer on `ha`.
pub(crate) fn ha_answer(clustered: bool) -> Received<HaAnswer> {
    Received::Ready {
        value: HaAnswer { clustered },
        problems: Vec::new(),
        kept: false,
    }
}

/// Installed packages for `roles` at Manila `version`.
pub(crate) fn installed(roles: &Roles, version: &str) -> BTreeMap<String, String> {
    roles
        .packages()
        .into_iter()
        .map(|p| {
            let v = if p.starts_with("manila") || p == "python3-manila" {
                version
            } else {
                "1.0-1"
            };
            (p.to_owned(), v.to_owned())
        })
        .collect()
}

/// A unit of an application with `roles`, every relation its roles need ready, the schema
/// synced (api) or seen (others) for caracal, and its roles recorded as applied.
pub(crate) fn ready(unit_name: &str, roles: &str) -> Inputs {
    let me = unit(unit_name);
    let config = config(raw_config(roles));
    let api = config.roles.has(manila_charm::roles::Role::Api);
    let share = config.roles.has(manila_charm::roles::Role::Share);
    let address = "10.5.0.10";
    Inputs {
        mode: Mode::Full,
        leader: true,
        os: OsRelease::parse("ID=ubuntu\nVERSION_CODENAME=noble\n"),
        installed: installed(&config.roles, CARACAL),
        cpus: 2,
        paused: false,
        recorded: Recorded {
            roles: Some(config.roles.clone()),
            schema_seen: (!api).then_some(openstack::release::Release::Caracal),
            api_port_open: api,
            app_version: Some("18.0.0".to_owned()),
            ha_vips: Vec::new(),
            tls_ca: None,
            nrpe_files: Vec::new(),
            tls_served: None,
        },
        shared_db: shared_db(&me, &[("mysql/0", db_bag(&format!("{unit_name} other/0")))]),
        amqp: amqp(&[("rabbitmq-server/0", rabbit_bag("10.5.0.30"))]),
        identity_service: if api {
            identity_service(keystone_bag())
        } else {
            Endpoint::missing()
        },
        identity_credentials: if api {
            Endpoint::missing()
        } else {
            identity_credentials(credentials_bag(me.app().as_str()))
        },
        local_plugins: if share {
            vec![plugin(
                "manila-plugin:5",
                &[("manila-generic/0", generic_backend_bag("generic"))],
            )]
        } else {
            Vec::new()
        },
        remote_plugins: Vec::new(),
        cluster: Some(if api {
            cluster(
                &[
                    (&format!("{}/1", me.app()), "10.5.0.11"),
                    (&format!("{}/2", me.app()), "10.5.0.12"),
                ],
                &[
                    ("db-sync-done", "caracal"),
                    ("haproxy-stats-password", "STATS-SECRET"),
                ],
            )
        } else {
            cluster(&[], &[])
        }),
        ha: Vec::new(),
        ha_answer: Received::Missing,
        addresses: addresses(address),
        new_stats_password: None,
        // Settled: every service of its roles runs, the site is enabled.
        running: config
            .roles
            .services()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        schema_present: None,
        site_enabled: api,
        certificates: Endpoint::missing(),
        tls_machine: Default::default(),
        now: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
        nrpe: Default::default(),
        config: Configured::Valid(config),
        unit: me,
    }
}

/// Replaces the fixtures' secrets by their labels.
pub(crate) fn redact(text: &str) -> String {
    SECRETS.iter().fold(text.to_owned(), |t, (secret, label)| {
        t.replace(secret, label)
    })
}

/// The services `plan` wants in `state`.
pub(crate) fn in_state(plan: &Plan, state: ServiceState) -> Vec<&str> {
    plan.services_in(&state)
}

/// The services the plan wants running (and reported when they do not).
pub(crate) fn run(plan: &Plan) -> Vec<&str> {
    in_state(plan, ServiceState::Run)
}

/// The services the plan holds stopped.
pub(crate) fn held(plan: &Plan) -> Vec<&str> {
    in_state(plan, ServiceState::Hold)
}

/// The services the plan leaves to Pacemaker.
pub(crate) fn pacemaker(plan: &Plan) -> Vec<&str> {
    plan.services
        .iter()
        .filter(|(_, s)| matches!(s, ServiceState::Pacemaker { .. }))
        .map(|(n, _)| n.as_str())
        .collect()
}

/// This unit's bags the plan writes, owned.
pub(crate) fn unit_data(plan: &Plan) -> Vec<(RelationId, Bag)> {
    plan.unit_data()
        .into_iter()
        .map(|(r, d)| (r.clone(), d.clone()))
        .collect()
}

/// Whether the plan syncs the database schema.
pub(crate) fn syncs_schema(plan: &Plan) -> bool {
    plan.commands
        .iter()
        .any(|c| c.program == "manila-manage" && c.args == ["db", "sync"])
}

/// What the plan records under unit-state `key` (`Some(None)`: removes it).
pub(crate) fn recorded(plan: &Plan, key: &str) -> Option<Option<String>> {
    plan.state
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// The packages the plan installs.
pub(crate) fn packages(plan: &Plan) -> Vec<String> {
    plan.install
        .as_ref()
        .map(|i| i.keyrings.iter().chain(&i.packages).cloned().collect())
        .unwrap_or_default()
}

/// Whether the plan opens (`Some(true)`) or closes the API port.
pub(crate) fn api_port(plan: &Plan) -> Option<bool> {
    plan.ports.first().map(|(_, open)| *open)
}

/// The application bag the plan writes (leader data), if any.
pub(crate) fn app_data(plan: &Plan) -> Option<(RelationId, Bag)> {
    plan.app_data()
        .first()
        .map(|(r, d)| ((*r).clone(), (*d).clone()))
}

/// Whether the plan enables the API's Apache site.
pub(crate) fn enables_site(plan: &Plan) -> bool {
    plan.commands.iter().any(|c| c.program == "a2ensite")
}

/// The apt source change the plan makes: `Some(None)` removes the file.
pub(crate) fn apt_source(plan: &Plan) -> Option<Option<String>> {
    plan.install
        .as_ref()
        .and_then(|i| i.source.as_ref())
        .map(|(_, content)| content.clone())
}
