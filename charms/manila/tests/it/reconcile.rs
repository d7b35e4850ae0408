//! `reconcile` on its own: roles, relation states, every status message, role changes and
//! which services a change restarts.

use charm::Options;
use charm::{ServiceState, UnitStatus};
use juju::Status;
use manila_charm::inputs::Endpoint;
use manila_charm::roles::Roles;
use manila_charm::{Inputs, Plan};
use openstack::release::{OsRelease, Release};

use crate::fixtures::*;

fn status(plan: &Plan) -> (Status, &str) {
    (plan.status.status, plan.status.message.as_str())
}

fn paths(plan: &Plan) -> Vec<&str> {
    plan.files.iter().map(|f| f.path.as_str()).collect()
}

fn with_config(mut inputs: Inputs, raw: charm::config::RawConfig) -> Inputs {
    inputs.config = configured(&raw);
    inputs
}

/// The services a change from `before` to `after` restarts: those reading a file whose
/// content changed, among the services `after` runs, in plan order.
fn restarted<'p>(before: &Plan, after: &'p Plan) -> Vec<&'p str> {
    let readers: Vec<&str> = after
        .files
        .iter()
        .filter(|f| {
            before
                .file(&f.path)
                .map_or(true, |b| b.content != f.content)
        })
        .flat_map(|f| f.read_by.iter().map(String::as_str))
        .collect();
    run(after)
        .into_iter()
        .filter(|s| readers.contains(s))
        .collect()
}

#[test]
fn an_all_in_one_unit_with_everything_ready_runs_every_service() {
    let plan = plan(&ready("manila/0", "all"));
    assert_eq!(status(&plan), (Status::Active, "Unit is ready"));
    assert_eq!(
        run(&plan),
        [
            "apache2",
            "haproxy",
            "memcached",
            "manila-scheduler",
            "manila-share",
            "manila-data"
        ]
    );
    assert!(held(&plan).is_empty() && in_state(&plan, ServiceState::Retire).is_empty());
    assert_eq!(in_state(&plan, ServiceState::Mask), ["manila-api"]);
    assert!(!syncs_schema(&plan));
    assert_eq!(api_port(&plan), None);
    assert_eq!(
        apt_source(&plan),
        Some(None),
        "caracal is noble's own release"
    );
    assert_eq!(
        paths(&plan),
        [
            "/etc/manila/manila.conf",
            "/etc/manila/logging.conf",
            "/etc/manila/api-paste.ini",
            "/etc/apache2/sites-available/manila-api.conf",
            "/etc/haproxy/haproxy.cfg",
            "/etc/memcached.conf",
        ]
    );
    let conf = &plan.files[0];
    assert_eq!(
        (
            conf.spec.owner.as_str(),
            conf.spec.group.as_str(),
            conf.spec.mode
        ),
        ("root", "manila", 0o640)
    );
    assert_eq!(recorded(&plan, "roles"), None);
    assert_eq!(plan.workload_version, None);
}

#[test]
fn each_role_installs_runs_and_renders_only_its_part() {
    let cases: &[(&str, &[&str], &[&str], usize)] = &[
        (
            "api",
            &[
                "manila-common",
                "python3-manila",
                "manila-api",
                "apache2",
                "libapache2-mod-wsgi-py3",
                "haproxy",
                "memcached",
                "python3-memcache",
            ],
            &["apache2", "haproxy", "memcached"],
            6,
        ),
        (
            "scheduler",
            &["manila-common", "python3-manila", "manila-scheduler"],
            &["manila-scheduler"],
            2,
        ),
        (
            "share",
            &["manila-common", "python3-manila", "manila-share"],
            &["manila-share"],
            2,
        ),
        (
            "data",
            &["manila-common", "python3-manila", "manila-data"],
            &["manila-data"],
            2,
        ),
    ];
    for (roles, wanted, services, files) in cases {
        let plan = plan(&ready("manila/0", roles));
        assert_eq!(
            packages(&plan),
            Vec::<String>::new(),
            "{roles}: all installed"
        );
        let mut fresh = ready("manila/0", roles);
        fresh.installed.clear();
        assert_eq!(packages(&crate::fixtures::plan(&fresh)), *wanted, "{roles}");
        assert_eq!(run(&plan), *services, "{roles}");
        assert_eq!(plan.files.len(), *files, "{roles}: {:?}", paths(&plan));
        let mut site_disabled = ready("manila/0", roles);
        site_disabled.site_enabled = false;
        let enables = enables_site(&crate::fixtures::plan(&site_disabled));
        assert_eq!(enables, *roles == "api", "{roles}");
    }
}

#[test]
fn only_api_units_register_endpoints_and_open_the_port() {
    let mut api = ready("manila/0", "api,scheduler");
    api.recorded.api_port_open = false;
    let p = plan(&api);
    assert_eq!(api_port(&p), Some(true));
    let (_, registration) = unit_data(&p)
        .into_iter()
        .find(|(r, _)| r.endpoint() == "identity-service")
        .unwrap();
    assert_eq!(registration["v1_service"], "manila");
    assert_eq!(registration["v2_service"], "manilav2");
    assert_eq!(
        registration["v1_public_url"],
        "http://10.5.0.10:8786/v1/%(tenant_id)s"
    );
    assert_eq!(
        registration["v2_admin_url"],
        "http://10.5.0.10:8786/v2/%(tenant_id)s"
    );
    assert_eq!(registration["v2_region"], "RegionOne");
    assert_eq!(registration.len(), 10);

    let mut share = ready("manila-share/0", "share");
    share.recorded.api_port_open = true;
    let p = plan(&share);
    assert_eq!(api_port(&p), Some(false));
    assert!(!unit_data(&p)
        .iter()
        .any(|(r, _)| r.endpoint() == "identity-service"));
    let (_, request) = unit_data(&p)
        .into_iter()
        .find(|(r, _)| r.endpoint() == "identity-credentials")
        .unwrap();
    assert_eq!(request["username"], "manila-share");
}

#[test]
fn endpoint_addresses_prefer_hostnames_then_vips_then_bindings() {
    let mut inputs = with_config(
        ready("manila/0", "api"),
        raw_config("api")
            .with("vip", "10.5.100.1 192.168.9.100")
            .with("os-public-hostname", "{service_name}.example.com")
            .with("os-admin-network", "192.168.9.0/24")
            .with("region", "RegionTwo"),
    );
    inputs.addresses.endpoints[2] = binding("192.168.9.10", "192.168.9.0/24");
    // Nothing answers on the VIPs before hacluster says the cluster is formed.
    let (_, bag) = unit_data(&plan(&inputs))
        .into_iter()
        .find(|(r, _)| r.endpoint() == "identity-service")
        .unwrap();
    assert_eq!(
        bag["v2_internal_url"],
        "http://10.5.0.10:8786/v2/%(tenant_id)s"
    );
    assert_eq!(
        bag["v2_admin_url"],
        "http://192.168.9.10:8786/v2/%(tenant_id)s"
    );
    inputs.ha_answer = ha_answer(true);
    let plan = plan(&inputs);
    let (_, bag) = unit_data(&plan)
        .into_iter()
        .find(|(r, _)| r.endpoint() == "identity-service")
        .unwrap();
    assert_eq!(
        bag["v1_public_url"],
        "http://manila.example.com:8786/v1/%(tenant_id)s"
    );
    assert_eq!(
        bag["v2_internal_url"],
        "http://10.5.100.1:8786/v2/%(tenant_id)s"
    );
    assert_eq!(
        bag["v2_admin_url"],
        "http://192.168.9.100:8786/v2/%(tenant_id)s"
    );
    assert_eq!(bag["v1_region"], "RegionTwo");
}

#[test]
fn a_changed_address_changes_only_the_registration_keys_that_depend_on_it() {
    let before = plan(&ready("manila/0", "api"));
    let mut moved = ready("manila/0", "api");
    moved.addresses.endpoints[0] = binding("10.5.0.99", "10.5.0.0/24");
    let after = plan(&moved);
    let bag = |p: &Plan| {
        unit_data(p)
            .iter()
            .find(|(r, _)| r.endpoint() == "identity-service")
            .unwrap()
            .1
            .clone()
    };
    let changed = databag::changed_keys(&bag(&before), &bag(&after));
    assert_eq!(
        changed.keys().collect::<Vec<_>>(),
        ["v1_public_url", "v2_public_url"]
    );
}

#[test]
fn missing_and_incomplete_relations_combine_in_the_reference_order() {
    let mut inputs = ready("manila/0", "all");
    inputs.shared_db = Endpoint::missing();
    inputs.amqp = Endpoint::missing();
    inputs.identity_service = Endpoint::missing();
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (
            Status::Blocked,
            "'shared-db' missing, 'amqp' missing, 'identity-service' missing"
        )
    );
    assert!(!syncs_schema(&p));
    assert!(run(&p).is_empty());
    assert_eq!(
        held(&p).len(),
        6,
        "held stopped until the relations are ready"
    );

    // Related, but MySQL has not granted this unit yet.
    let me = unit("manila/0");
    inputs.shared_db = shared_db(&me, &[("mysql/0", db_bag("manila/1"))]);
    inputs.amqp = amqp(&[(
        "rabbitmq-server/0",
        bag(&[("private-address", "10.5.0.30")]),
    )]);
    inputs.identity_service = identity_service(bag(&[("service_host", "10.5.0.5")]));
    assert_eq!(
        status(&plan(&inputs)),
        (
            Status::Waiting,
            "'shared-db' incomplete, 'amqp' incomplete, 'identity-service' incomplete"
        )
    );
    inputs.identity_service = Endpoint::missing();
    assert_eq!(
        status(&plan(&inputs)),
        (
            Status::Blocked,
            "'shared-db' incomplete, 'amqp' incomplete, 'identity-service' missing"
        )
    );
}

#[test]
fn malformed_relation_data_names_the_relation_the_unit_and_the_key_without_secrets() {
    let mut inputs = ready("manila/0", "all");
    let me = inputs.unit.clone();
    let mut bad = db_bag("manila/0");
    bad.insert("db_port".into(), "x".into());
    inputs.shared_db = shared_db(&me, &[("mysql/0", bad)]);
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (
            Status::Blocked,
            "'shared-db' from mysql/0: relation key `db_port`: expected a TCP port number \
             (1-65535), got \"x\""
        )
    );
    assert!(run(&p).is_empty(), "never complete: nothing runs yet");
    let mut hostile = db_bag("manila/0");
    hostile.insert(
        "password".into(),
        "DB-SECRET\n[DEFAULT]\ndebug = True".into(),
    );
    inputs.shared_db = shared_db(&me, &[("mysql/0", hostile)]);
    assert_eq!(
        status(&plan(&inputs)),
        (
            Status::Blocked,
            "'shared-db' from mysql/0: relation key `password`: contains a line break or \
             another control character"
        )
    );
}

#[test]
fn units_without_api_use_identity_credentials_only_for_the_share_role() {
    let mut share = ready("manila-share/0", "share");
    share.identity_credentials = Endpoint::missing();
    assert_eq!(
        status(&plan(&share)),
        (Status::Blocked, "'identity-credentials' missing")
    );
    let mut scheduler = ready("manila-sched/0", "scheduler,data");
    scheduler.identity_credentials = Endpoint::missing();
    assert_eq!(status(&plan(&scheduler)), (Status::Active, "Unit is ready"));
}

#[test]
fn share_units_need_a_local_backend_and_a_known_default() {
    let mut inputs = ready("manila/0", "all");
    inputs.local_plugins.clear();
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (Status::Blocked, "No share backends configured")
    );
    assert!(!run(&p).contains(&"manila-share"));
    assert!(held(&p).contains(&"manila-share"));

    // The back-end check comes before the relation check, as in the reference.
    inputs.shared_db = Endpoint::missing();
    assert_eq!(
        status(&plan(&inputs)),
        (Status::Blocked, "No share backends configured")
    );

    let inputs = with_config(
        ready("manila/0", "all"),
        raw_config("all").with("default-share-backend", ""),
    );
    assert_eq!(
        status(&plan(&inputs)),
        (Status::Blocked, "'default-share-backend' is not set")
    );
    let inputs = with_config(
        ready("manila/0", "all"),
        raw_config("all").with("default-share-backend", "cephfsnfs1"),
    );
    assert_eq!(
        status(&plan(&inputs)),
        (
            Status::Blocked,
            "'default-share-backend:cephfsnfs1' is not a configured backend"
        )
    );

    // A remote back end (manila-ganesha) is a valid default, but not a local section.
    let mut inputs = inputs;
    inputs.remote_plugins = vec![plugin(
        "remote-manila-plugin:7",
        &[(
            "manila-ganesha/0",
            manila_plugin::Backend::new("cephfsnfs1".parse().unwrap())
                .with_complete(true)
                .to_bag(),
        )],
    )];
    let p = plan(&inputs);
    assert_eq!(status(&p), (Status::Active, "Unit is ready"));
    assert!(p.files[0]
        .content
        .contains("enabled_share_backends = generic\n"));
}

#[test]
fn non_share_units_do_not_check_backends() {
    let inputs = with_config(
        ready("manila/0", "api,scheduler"),
        raw_config("api,scheduler").with("default-share-backend", ""),
    );
    assert_eq!(status(&plan(&inputs)), (Status::Active, "Unit is ready"));
}

#[test]
fn two_backends_with_one_name_block_naming_both_units() {
    let mut inputs = ready("manila/0", "all");
    inputs.local_plugins.push(plugin(
        "manila-plugin:9",
        &[("other-generic/0", generic_backend_bag("generic"))],
    ));
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (
            Status::Blocked,
            "Share backend 'generic' is announced by both manila-generic/0 and other-generic/0"
        )
    );
    assert!(
        !p.files[0].content.contains("[generic]"),
        "neither section is used"
    );
}

#[test]
fn backends_are_sorted_and_their_sections_appended() {
    let mut inputs = ready("manila/0", "all");
    inputs.local_plugins.push(plugin(
        "manila-plugin:9",
        &[("alpha-generic/0", generic_backend_bag("alpha"))],
    ));
    let p = plan(&inputs);
    let conf = &p.files[0].content;
    assert!(
        conf.contains("enabled_share_backends = alpha,generic\n"),
        "{conf}"
    );
    let alpha = conf.find("[alpha]").unwrap();
    let generic = conf.find("[generic]").unwrap();
    assert!(alpha < generic);
}

#[test]
fn credentials_go_to_every_plugin_once_keystone_is_complete() {
    let mut inputs = ready("manila/0", "all");
    inputs.remote_plugins = vec![plugin("remote-manila-plugin:7", &[])];
    let p = plan(&inputs);
    let auth: Vec<_> = unit_data(&p)
        .iter()
        .filter(|(_, b)| b.contains_key("_authentication_data"))
        .map(|(r, b)| (r.to_string(), b["_authentication_data"].clone()))
        .collect();
    assert_eq!(auth.len(), 2);
    assert_eq!(auth[0].0, "manila-plugin:5");
    assert_eq!(auth[1].0, "remote-manila-plugin:7");
    assert_eq!(
        auth[0].1,
        r#"{"data": {"username": "manila_manilav2", "password": "KEYSTONE-SECRET", "project_domain_name": "service_domain", "project_name": "services", "user_domain_name": "service_domain", "auth_uri": "http://10.5.0.5:5000", "auth_url": "http://10.5.0.5:35357", "auth_type": "password"}}"#
    );

    inputs.identity_service = identity_service(bag(&[("service_host", "10.5.0.5")]));
    assert!(!unit_data(&plan(&inputs))
        .iter()
        .any(|(_, b)| b.contains_key("_authentication_data")));
}

#[test]
fn invalid_roles_and_config_block_naming_the_input() {
    let inputs = with_config(ready("manila/0", "all"), raw_config("api,sharing"));
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (
            Status::Blocked,
            "Invalid config: 'roles': unknown role \"sharing\"; expected a comma-separated list \
             of api, scheduler, share and data, or all"
        )
    );
    assert!(p.files.is_empty() && packages(&p).is_empty() && p.services.is_empty());

    let inputs = with_config(
        ready("manila/0", "all"),
        raw_config("all").with("config-flags", "a"),
    );
    assert_eq!(
        status(&plan(&inputs)),
        (
            Status::Blocked,
            "Invalid config: 'config-flags': \"a\" is not key=value (pairs are separated by \
             commas)"
        )
    );
}

/// An option made invalid on a unit that had a valid configuration: the unit goes on with
/// the last valid one (files, services, relation data), and the status says what to fix.
#[test]
fn an_invalid_option_keeps_the_last_valid_configuration_in_force() {
    let good = ready("manila/0", "all");
    let before = plan(&good);
    let mut inputs = good.clone();
    let error = manila_charm::Config::from_raw(&raw_config("all").with(
        "scheduler-default-filters",
        "x\n[database]\nconnection = sqlite://",
    ))
    .unwrap_err();
    inputs.config = charm::Configured::Kept {
        config: good.config.config().unwrap().clone(),
        error,
    };
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (
            Status::Blocked,
            "Invalid config: 'scheduler-default-filters': \"x\\n[database]\\nconnection = \
             sqlite://\" is not a scheduler filter Manila knows (AffinityFilter, \
             AntiAffinityFilter, AvailabilityZoneFilter, CapabilitiesFilter, CapacityFilter, \
             ConsistentSnapshotFilter, CreateFromSnapshotFilter, DriverFilter, \
             IgnoreAttemptedHostsFilter, JsonFilter, OnlyHostFilter, RetryFilter, \
             ShareReplicationFilter)"
        )
    );
    assert_eq!(p.files, before.files);
    assert_eq!(p.services, before.services);
    assert_eq!(unit_data(&p), unit_data(&before));
}

#[test]
fn the_release_comes_from_manila_common_and_must_be_supported() {
    let mut inputs = ready("manila/0", "all");
    inputs.installed.clear();
    let p = plan(&inputs);
    assert_eq!(status(&p), (Status::Maintenance, "Installing packages"));
    assert_eq!(packages(&p).len(), 11);
    assert!(p.files.is_empty());

    inputs.installed = installed(&Roles::all(), "1:22.0.0-0ubuntu1");
    assert_eq!(
        status(&plan(&inputs)),
        (
            Status::Blocked,
            "Unsupported OpenStack release: manila 22.0.0 is newer than flamingo; this charm \
             supports zed (manila 15) to flamingo (manila 21)"
        )
    );

    inputs.installed = installed(&Roles::all(), ZED);
    let p = plan(&inputs);
    assert_eq!(p.workload_version.as_deref(), Some("15.1.0"));
    let paste = p
        .files
        .iter()
        .find(|f| f.path.ends_with("api-paste.ini"))
        .unwrap();
    assert!(
        paste.content.contains("(zed to bobcat)"),
        "zed reads the zed template"
    );
    let caracal = plan(&ready("manila/0", "all"));
    let paste = caracal
        .files
        .iter()
        .find(|f| f.path.ends_with("api-paste.ini"))
        .unwrap();
    assert!(paste.content.contains("/healthcheck: healthcheck"));
}

#[test]
fn openstack_origin_places_the_cloud_archive() {
    let inputs = with_config(
        ready("manila/0", "all"),
        raw_config("all").with("openstack-origin", "epoxy"),
    );
    let p = plan(&inputs);
    assert_eq!(
        apt_source(&p),
        Some(Some(
            "# Managed by the manila charm (openstack-origin).\n\
             deb http://ubuntu-cloud.archive.canonical.com/ubuntu noble-updates/epoxy main\n"
                .into()
        ))
    );
    assert_eq!(packages(&p)[0], "ubuntu-cloud-keyring");

    let mut debian = ready("manila/0", "all");
    debian.os = OsRelease::parse("ID=debian\nVERSION_CODENAME=bookworm\n");
    assert_eq!(
        status(&plan(&debian)),
        (
            Status::Blocked,
            "openstack-origin 'caracal' needs the Ubuntu Cloud Archive, which debian bookworm \
             does not have; set openstack-origin to 'distro'"
        )
    );
    let debian = with_config(debian, raw_config("all").with("openstack-origin", "distro"));
    assert_eq!(apt_source(&plan(&debian)), Some(None));

    let mut unknown = ready("manila/0", "all");
    unknown.os = None;
    assert_eq!(
        status(&plan(&unknown)),
        (
            Status::Blocked,
            "Cannot read /etc/os-release to place openstack-origin; set it to 'distro'"
        )
    );
    let unknown = with_config(
        unknown,
        raw_config("all").with("openstack-origin", "distro"),
    );
    assert_eq!(status(&plan(&unknown)), (Status::Active, "Unit is ready"));
}

#[test]
fn the_api_leader_syncs_the_schema_once_per_release() {
    let mut inputs = ready("manila/0", "all");
    inputs
        .cluster
        .as_mut()
        .unwrap()
        .app_data
        .remove("db-sync-done");
    let p = plan(&inputs);
    assert!(syncs_schema(&p));
    assert_eq!(
        app_data(&p),
        Some((rel("cluster:3"), bag(&[("db-sync-done", "caracal")])))
    );
    assert_eq!(
        run(&p).len(),
        6,
        "the services start once the schema is synced"
    );
    // An upgrade: synced for zed, caracal installed.
    inputs
        .cluster
        .as_mut()
        .unwrap()
        .app_data
        .insert("db-sync-done".into(), "zed".into());
    assert!(syncs_schema(&plan(&inputs)));

    inputs.leader = false;
    let p = plan(&inputs);
    assert!(!syncs_schema(&p));
    assert_eq!(held(&p).len(), 6, "held until the leader synced");
    assert_eq!(
        status(&p),
        (
            Status::Waiting,
            "Waiting for the leader to sync the database schema"
        )
    );
}

#[test]
fn units_without_api_check_the_schema_until_they_see_it_for_their_release() {
    let mut inputs = ready("manila-share/0", "share");
    assert_eq!(run(&plan(&inputs)), ["manila-share"]);
    assert!(!manila_charm::services::needs_schema_check(
        &inputs,
        Release::Caracal,
        true
    ));

    // Seen for zed, caracal installed: gather asks the database.
    inputs.recorded.schema_seen = Some(Release::Zed);
    assert!(manila_charm::services::needs_schema_check(
        &inputs,
        Release::Caracal,
        true
    ));
    inputs.schema_present = Some(false);
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (
            Status::Waiting,
            "Waiting for the database schema (synced by the application with the api role); \
             looking again at the next update-status"
        )
    );
    assert_eq!(held(&p), ["manila-share"]);
    assert_eq!(recorded(&p, "schema-seen"), None);

    inputs.schema_present = Some(true);
    let p = plan(&inputs);
    assert_eq!(status(&p), (Status::Active, "Unit is ready"));
    assert_eq!(run(&p), ["manila-share"]);
    assert_eq!(
        recorded(&p, "schema-seen"),
        Some(Some("caracal".to_owned()))
    );

    // Without its relations, the unit does not ask.
    assert!(!manila_charm::services::needs_schema_check(
        &inputs,
        Release::Caracal,
        false
    ));
}

#[test]
fn a_removed_role_retires_its_installed_services() {
    let mut inputs = with_config(ready("manila/0", "all"), raw_config("api"));
    inputs.recorded.roles = Some(Roles::all());
    let p = plan(&inputs);
    assert_eq!(
        in_state(&p, ServiceState::Retire),
        ["manila-scheduler", "manila-share", "manila-data"]
    );
    assert_eq!(run(&p), ["apache2", "haproxy", "memcached"]);
    assert_eq!(recorded(&p, "roles"), Some(Some("api".to_owned())));

    // The api role goes: its services stop, its port closes.
    let mut inputs = with_config(ready("manila/0", "all"), raw_config("share"));
    inputs.identity_credentials = identity_credentials(credentials_bag("manila"));
    inputs.recorded.roles = Some(Roles::all());
    let p = plan(&inputs);
    assert_eq!(
        in_state(&p, ServiceState::Retire),
        [
            "apache2",
            "haproxy",
            "memcached",
            "manila-scheduler",
            "manila-data"
        ]
    );
    assert_eq!(api_port(&p), Some(false));
    assert!(!p.files.iter().any(|f| f.path.contains("haproxy")));
}

#[test]
fn config_changes_restart_only_the_services_that_read_what_changed() {
    let base = plan(&ready("manila/0", "all"));
    let change = |option: &str, value: serde_json::Value| {
        plan(&with_config(
            ready("manila/0", "all"),
            raw_config("all").with(option, value),
        ))
    };
    assert_eq!(restarted(&base, &base), Vec::<&str>::new());
    assert_eq!(
        restarted(&base, &change("haproxy-client-timeout", 30000.into())),
        ["haproxy"]
    );
    assert_eq!(
        restarted(&base, &change("debug", true.into())),
        ["apache2", "manila-scheduler", "manila-share", "manila-data"]
    );
    assert_eq!(
        restarted(&base, &change("worker-multiplier", 4.0.into())),
        ["apache2", "manila-scheduler", "manila-share", "manila-data"]
    );
    // Options only keystone sees change no file.
    assert_eq!(
        restarted(&base, &change("region", "RegionTwo".into())),
        Vec::<&str>::new()
    );

    // A back end's section changes: manila.conf changes, so manila-share restarts.
    let mut inputs = ready("manila/0", "all");
    inputs.local_plugins = vec![plugin(
        "manila-plugin:5",
        &[(
            "manila-generic/0",
            manila_plugin::Backend::new("generic".parse().unwrap())
                .with_file(
                    "/etc/manila/manila.conf",
                    "[generic]\nshare_backend_name = G2\n",
                )
                .to_bag(),
        )],
    )];
    assert!(restarted(&base, &plan(&inputs)).contains(&"manila-share"));
}

#[test]
fn a_paused_unit_holds_nothing_runs_nothing_and_says_so() {
    let mut inputs = ready("manila/0", "all");
    inputs.paused = true;
    // Paused with its services still up (a package upgrade started them): said, not fixed.
    assert_eq!(
        status(&plan(&inputs)),
        (
            Status::Blocked,
            "Services should be paused but these services running: apache2, haproxy, \
             memcached, manila-scheduler, manila-share, manila-data"
        )
    );
    inputs.running.clear();
    let p = plan(&inputs);
    assert_eq!(
        p.status,
        UnitStatus::new(
            Status::Maintenance,
            "Paused. Use 'resume' action to resume normal service."
        )
    );
    assert!(run(&p).is_empty() && held(&p).is_empty());
    assert!(!syncs_schema(&p));
}

#[test]
fn the_leader_publishes_a_new_stats_password_and_haproxy_fronts_every_api_unit() {
    let mut inputs = ready("manila/0", "api");
    inputs
        .cluster
        .as_mut()
        .unwrap()
        .app_data
        .remove("haproxy-stats-password");
    inputs.new_stats_password = Some("NEW-STATS".into());
    let p = plan(&inputs);
    let (relation, data) = app_data(&p).unwrap();
    assert_eq!(relation, rel("cluster:3"));
    assert_eq!(data["haproxy-stats-password"], "NEW-STATS");
    let haproxy = p
        .files
        .iter()
        .find(|f| f.path == "/etc/haproxy/haproxy.cfg")
        .unwrap();
    assert!(haproxy.content.contains("stats auth admin:NEW-STATS"));
    assert_eq!(
        (haproxy.spec.group.as_str(), haproxy.spec.mode),
        ("haproxy", 0o640)
    );
    for server in [
        "server manila-0 10.5.0.10:8776 check",
        "server manila-1 10.5.0.11:8776 check",
        "server manila-2 10.5.0.12:8776 check",
    ] {
        assert!(
            haproxy.content.contains(server),
            "{server}\n{}",
            haproxy.content
        );
    }

    // A non-leader without the password yet leaves the statistics page out.
    let mut inputs = ready("manila/1", "api");
    inputs.leader = false;
    inputs
        .cluster
        .as_mut()
        .unwrap()
        .app_data
        .remove("haproxy-stats-password");
    let p = plan(&inputs);
    assert_eq!(app_data(&p), None);
    let haproxy = p
        .files
        .iter()
        .find(|f| f.path == "/etc/haproxy/haproxy.cfg")
        .unwrap();
    assert!(!haproxy.content.contains("listen stats"));
}

#[test]
fn hacluster_gets_the_vips_and_haproxy() {
    let mut inputs = with_config(
        ready("manila/0", "api"),
        raw_config("api").with("vip", "10.5.100.1"),
    );
    inputs.ha = vec![rel("ha:8")];
    let p = plan(&inputs);
    let (_, ha) = unit_data(&p)
        .into_iter()
        .find(|(r, _)| r.endpoint() == "ha")
        .unwrap();
    assert_eq!(
        ha["json_resources"],
        r#"{"res_manila_242d562_vip": "ocf:heartbeat:IPaddr2", "res_manila_haproxy": "lsb:haproxy"}"#
    );
    assert_eq!(
        ha["json_clones"],
        r#"{"cl_res_manila_haproxy": "res_manila_haproxy"}"#
    );
    assert_eq!(ha["corosync_bindiface"], "eth0");
    assert_eq!(in_state(&p, ServiceState::RunUnchecked), ["haproxy"]);
    assert_eq!(run(&p), ["apache2", "memcached"]);
}

#[test]
fn the_database_and_broker_get_their_requests() {
    let p = plan(&ready("manila/0", "all"));
    let bag_of = |endpoint: &str| {
        unit_data(&p)
            .iter()
            .find(|(r, _)| r.endpoint() == endpoint)
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(
        bag_of("shared-db"),
        bag(&[
            ("database", "manila"),
            ("username", "manila"),
            ("hostname", "10.5.0.10")
        ])
    );
    assert_eq!(
        bag_of("amqp"),
        bag(&[
            ("username", "manila"),
            ("vhost", "openstack"),
            ("private-address", "10.5.0.10")
        ])
    );
    assert_eq!(
        bag_of("cluster"),
        bag(&[
            ("admin-address", "10.5.0.10"),
            ("internal-address", "10.5.0.10"),
            ("public-address", "10.5.0.10")
        ])
    );
}

#[test]
fn tls_material_from_the_database_and_broker_becomes_files() {
    let mut inputs = ready("manila/0", "scheduler");
    let me = inputs.unit.clone();
    let mut db = db_bag("manila/0");
    let b64 = |s: &str| databag::fields::encode_base64(s);
    db.insert(
        "ssl_ca".into(),
        b64("-----BEGIN CERTIFICATE-----\nCAAA\n-----END CERTIFICATE-----\n"),
    );
    db.insert("ssl_cert".into(), b64(CERT));
    db.insert("ssl_key".into(), b64(KEY));
    inputs.shared_db = shared_db(&me, &[("mysql/0", db)]);
    let mut rabbit = rabbit_bag("10.5.0.30");
    rabbit.insert("ssl_port".into(), "5671".into());
    rabbit.insert("ssl_ca".into(), b64(RABBIT_CA));
    inputs.amqp = amqp(&[("rabbitmq-server/0", rabbit)]);
    let p = plan(&inputs);
    let conf = &p.files[0].content;
    assert!(conf.contains(
        "connection = mysql+pymysql://manila:DB-SECRET@10.5.0.20:3306/manila?ssl_ca=/etc/manila/db-ssl/ca.pem&ssl_cert=/etc/manila/db-ssl/cert.pem&ssl_key=/etc/manila/db-ssl/key.pem\n"
    ), "{conf}");
    assert!(
        conf.contains("transport_url = rabbit://manila:RABBIT-SECRET@10.5.0.30:5671/openstack\n")
    );
    assert!(conf.contains("ssl = True\nssl_ca_file = /etc/manila/rabbit-ca.pem\n"));
    let key = p
        .files
        .iter()
        .find(|f| f.path == "/etc/manila/db-ssl/key.pem")
        .unwrap();
    assert_eq!((key.content.as_str(), key.spec.mode), (KEY, 0o640));
    let ca = p
        .files
        .iter()
        .find(|f| f.path == "/etc/manila/rabbit-ca.pem")
        .unwrap();
    assert_eq!((ca.content.as_str(), ca.spec.mode), (RABBIT_CA, 0o644));
}

const CERT: &str = "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nKEYA\n-----END PRIVATE KEY-----\n";
const RABBIT_CA: &str = "-----BEGIN CERTIFICATE-----\nRBCA\n-----END CERTIFICATE-----\n";

#[test]
fn non_api_units_take_keystone_values_from_identity_credentials() {
    let p = plan(&ready("manila-share/0", "share"));
    let conf = &p.files[0].content;
    assert!(
        conf.contains("username = manila-share\npassword = CREDENTIALS-SECRET\n"),
        "{conf}"
    );
    assert!(!conf.contains("memcached_servers"));
}

#[test]
fn update_status_plans_the_same_status_and_services_without_files_or_relation_data() {
    let mut inputs = ready("manila/0", "all");
    inputs.new_stats_password = Some("NEW-STATS-SECRET".to_owned());
    let full = plan(&inputs);
    inputs.mode = manila_charm::Mode::UpdateStatus;
    let lean = plan(&inputs);
    assert_eq!(lean.status, full.status);
    // Only the revived share service is started; nothing is stopped, retired or masked.
    assert_eq!(run(&lean), ["manila-share"]);
    assert_eq!(
        lean.services.len(),
        in_state(&lean, ServiceState::Untouched).len() + 1
    );
    assert_eq!(lean.commands, full.commands);
    assert!(!full.files.is_empty() && !unit_data(&full).is_empty());
    assert!(app_data(&full).is_some());
    assert!(enables_site(&full) || inputs.site_enabled);
    assert_eq!(paths(&lean), Vec::<&str>::new());
    assert!(unit_data(&lean).is_empty() && app_data(&lean).is_none() && !enables_site(&lean));
}

/// Issue 13: a back end that sends what is not a back end is named with the key, not hidden
/// behind "No share backends configured"; nor is a name Manila uses, or a section of its own.
#[test]
fn malformed_plugin_data_names_the_unit_and_the_key() {
    let cases = [
        (
            bag(&[
                ("_name", "database"),
                ("_configuration_data", r#"{"data": {}}"#),
            ]),
            "'manila-plugin' from manila-generic/0: relation key `_name`: \"database\" is a \
             section Manila or its libraries use, not a back end's name",
        ),
        (
            bag(&[
                ("_name", "generic"),
                (
                    "_configuration_data",
                    r#"{"data": {"/etc/manila/manila.conf": "[DEFAULT] = x"}}"#,
                ),
            ]),
            "'manila-plugin' from manila-generic/0: relation key `_configuration_data`: its \
             /etc/manila/manila.conf text, line 1: a section header must end with ']'",
        ),
        (
            bag(&[
                ("_name", "generic"),
                (
                    "_configuration_data",
                    r#"{"data": {"/etc/manila/manila.conf": "[generic]\nx = 1\n[database]\nconnection = sqlite://\n"}}"#,
                ),
            ]),
            "'manila-plugin' from manila-generic/0: relation key `_configuration_data`: its \
             /etc/manila/manila.conf text has a section [database]; a back end may write only \
             its own ([generic]) and [nova], [neutron], [cinder]",
        ),
    ];
    for (sent, message) in cases {
        let mut inputs = ready("manila/0", "all");
        inputs.local_plugins = vec![plugin("manila-plugin:5", &[("manila-generic/0", sent)])];
        let p = plan(&inputs);
        assert_eq!(status(&p), (Status::Blocked, message));
        let conf = &p.files[0].content;
        assert!(!conf.contains("sqlite") && !conf.contains("[database]\nconnection = sqlite"));
    }
}

/// Issue 13: two back ends that disagree on a shared section are named, with the section
/// and the option; the first one's value is written once.
#[test]
fn back_ends_disagreeing_on_a_shared_section_are_named() {
    let mut inputs = ready("manila/0", "all");
    let mut other = generic_backend_bag("other");
    let text = other["_configuration_data"].replace("PLUGIN-NOVA-SECRET", "ANOTHER-SECRET");
    other.insert("_configuration_data".into(), text);
    inputs.local_plugins = vec![
        plugin(
            "manila-plugin:5",
            &[("manila-generic/0", generic_backend_bag("generic"))],
        ),
        plugin("manila-plugin:9", &[("other/0", other)]),
    ];
    let p = plan(&inputs);
    assert_eq!(
        status(&p),
        (
            Status::Blocked,
            "Share backends 'generic' and 'other' send different values for 'password' in [nova]"
        )
    );
    let conf = &p.files[0].content;
    assert_eq!(conf.matches("[nova]").count(), 1);
    assert!(conf.contains("password = PLUGIN-NOVA-SECRET") && !conf.contains("ANOTHER-SECRET"));
}
