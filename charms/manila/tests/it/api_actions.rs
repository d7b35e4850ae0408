//! The actions on Manila's API: their parameters read into calls (bad ones named), and the
//! keystone settings built from the relation. What they ask of a real Manila is exercised by
//! the end-to-end scenario.

use std::time::Duration;

use databag::Readiness;
use keystone::ServiceCredentials;
use manila_charm::api_actions::{parse, parse_pairs, settings, ApiAction, Call};
use manila_client::{Auth, Domain, Endpoint, Interface, Project};
use serde_json::{json, Map, Value};

use crate::fixtures::keystone_bag;

fn params(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[test]
fn create_share_type_defaults_to_the_configured_name() {
    let call = parse(
        ApiAction::CreateShareType,
        &params(json!({"driver-handles-share-servers": false, "extra-specs": ""})),
        "default_share_type",
    )
    .unwrap();
    let Call::CreateShareType(new) = call else {
        panic!("{call:?}")
    };
    assert_eq!(new.name, "default_share_type");
    assert!(!new.driver_handles_share_servers);
    assert!(new.extra_specs.is_empty());
    assert!(new.is_public);
}

#[test]
fn create_share_type_reads_its_extra_specs() {
    let call = parse(
        ApiAction::CreateShareType,
        &params(json!({"name": "gold", "driver-handles-share-servers": true,
            "extra-specs": "snapshot_support=True, create_share_from_snapshot_support=True",
            "public": false})),
        "default_share_type",
    )
    .unwrap();
    let Call::CreateShareType(new) = call else {
        panic!("{call:?}")
    };
    assert_eq!(new.name, "gold");
    assert!(new.driver_handles_share_servers);
    assert!(!new.is_public);
    assert_eq!(
        new.extra_specs.into_iter().collect::<Vec<_>>(),
        [
            (
                "create_share_from_snapshot_support".to_owned(),
                "True".to_owned()
            ),
            ("snapshot_support".to_owned(), "True".to_owned()),
        ]
    );
}

#[test]
fn bad_pairs_are_refused_naming_the_parameter() {
    for (text, why) in [
        (
            "snapshot_support",
            "'snapshot_support' is not a key=value pair",
        ),
        ("=True", "'=True' has no key before '='"),
        ("a=1 a=2", "'a' is given twice"),
    ] {
        assert_eq!(
            parse_pairs("extra-specs", text).unwrap_err(),
            format!("invalid parameter 'extra-specs': {why}")
        );
    }
    // A value may itself hold '=' and be empty.
    let pairs = parse_pairs("driver-options", "k=a=b empty=").unwrap();
    assert_eq!(pairs["k"], "a=b");
    assert_eq!(pairs["empty"], "");
}

#[test]
fn the_required_spec_is_set_by_its_own_parameter() {
    let error = parse(
        ApiAction::CreateShareType,
        &params(json!({"extra-specs": "driver_handles_share_servers=True"})),
        "default",
    )
    .unwrap_err();
    assert!(
        error.starts_with("invalid parameter 'extra-specs'"),
        "{error}"
    );
}

#[test]
fn an_empty_default_share_type_needs_a_name() {
    let error = parse(ApiAction::CreateShareType, &params(json!({})), "").unwrap_err();
    assert!(error.starts_with("invalid parameter 'name'"), "{error}");
}

#[test]
fn protection_calls() {
    let call = parse(
        ApiAction::ProtectShare,
        &params(json!({"share-id": "s1", "snapshot-name": "daily", "force": true, "timeout": 30})),
        "default",
    )
    .unwrap();
    let Call::ProtectShare { snapshot, timeout } = call else {
        panic!("{call:?}")
    };
    assert_eq!(snapshot.share_id, "s1");
    assert_eq!(snapshot.name.as_deref(), Some("daily"));
    assert!(snapshot.force);
    assert_eq!(timeout, Duration::from_secs(30));

    let call = parse(
        ApiAction::RestoreShare,
        &params(json!({"snapshot-id": "n1", "restore-name": "back"})),
        "default",
    )
    .unwrap();
    assert_eq!(
        call,
        Call::RestoreShare {
            snapshot_id: "n1".into(),
            name: Some("back".into()),
            description: None,
            timeout: Duration::from_secs(600),
        }
    );
    let error = parse(
        ApiAction::DeleteProtection,
        &params(json!({"snapshot-id": "n1", "timeout": 0})),
        "default",
    )
    .unwrap_err();
    assert!(error.starts_with("invalid parameter 'timeout'"), "{error}");
}

#[test]
fn manage_share_defaults_protocol_and_type() {
    let call = parse(
        ApiAction::ManageShare,
        &params(
            json!({"export-path": "10.0.0.10:/share", "service-host": "h@b#p",
                       "driver-options": "mode=fast"}),
        ),
        "default_share_type",
    )
    .unwrap();
    let Call::ManageShare { manage, .. } = call else {
        panic!("{call:?}")
    };
    assert_eq!(manage.protocol, "NFS");
    assert_eq!(manage.share_type, "default_share_type");
    assert_eq!(manage.driver_options["mode"], "fast");
    // The schema requires these; the charm still names one that is missing or blank.
    let error = parse(
        ApiAction::ManageShare,
        &params(json!({"export-path": " ", "service-host": "h@b#p"})),
        "default",
    )
    .unwrap_err();
    assert_eq!(error, "missing parameter 'export-path'");
}

#[test]
fn every_action_has_a_name_and_comes_back_from_it() {
    for action in ApiAction::ALL {
        assert_eq!(ApiAction::from_name(action.name()), Some(action));
    }
}

#[test]
fn the_charm_authenticates_as_its_service_user_on_the_internal_endpoint() {
    let bag = keystone_bag();
    let Readiness::Ready(credentials) = ServiceCredentials::from_bag(&bag).unwrap() else {
        panic!("fixture not ready")
    };
    let settings = settings(&credentials, "RegionTwo").unwrap();
    let Auth::Keystone(keystone) = &settings.auth else {
        panic!("{settings:?}")
    };
    assert_eq!(keystone.auth_url, "http://10.5.0.5:35357");
    assert_eq!(keystone.username, "manila_manilav2");
    assert_eq!(keystone.password.expose(), "KEYSTONE-SECRET");
    assert_eq!(keystone.user_domain, Domain::Name("service_domain".into()));
    assert_eq!(
        keystone.project,
        Project::Id("0123456789abcdef0123456789abcdef".into())
    );
    assert_eq!(
        settings.endpoint,
        Endpoint::Catalog {
            interface: Interface::Internal,
            region: Some("RegionTwo".into()),
        }
    );
    assert!(!format!("{settings:?}").contains("KEYSTONE-SECRET"));
}

#[test]
fn keystone_v2_is_refused() {
    let mut bag = keystone_bag();
    bag.insert("api_version".into(), "2".into());
    let Readiness::Ready(credentials) = ServiceCredentials::from_bag(&bag).unwrap() else {
        panic!("fixture not ready")
    };
    let error = settings(&credentials, "RegionOne").unwrap_err();
    assert!(error.contains("Keystone v3"), "{error}");
}

/// The actions' calls against a real Manila with Keystone, as the charm makes them (its
/// service user's settings, the catalog's internal endpoint). Runs only with the
/// Keystone variables of `crates/manila-client/tests/real_api.rs` set
/// (`MANILA_CLIENT_TEST_KEYSTONE_URL`, `…_USERNAME`, `…_PASSWORD`, `…_PROJECT_NAME`,
/// `…_REGION`); the project must be the user's (the charm's service project).
#[test]
fn real_manila_actions() {
    use manila_charm::api_actions::execute;
    use manila_client::{Client, Keystone, NewShare, Secret, Settings, Wait};

    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(url) = var("MANILA_CLIENT_TEST_KEYSTONE_URL") else {
        eprintln!("real_manila_actions: skipped (MANILA_CLIENT_TEST_KEYSTONE_URL is not set)");
        return;
    };
    let domain = var("MANILA_CLIENT_TEST_DOMAIN").unwrap_or_else(|| "default".into());
    let auth = Auth::Keystone(Keystone {
        auth_url: url,
        username: var("MANILA_CLIENT_TEST_USERNAME").unwrap(),
        password: Secret::new(var("MANILA_CLIENT_TEST_PASSWORD").unwrap()),
        user_domain: Domain::Id(domain.clone()),
        project: Project::Name {
            name: var("MANILA_CLIENT_TEST_PROJECT_NAME").unwrap(),
            domain: Domain::Id(domain),
        },
    });
    let endpoint = Endpoint::Catalog {
        interface: Interface::Internal,
        region: var("MANILA_CLIENT_TEST_REGION"),
    };
    let client = Client::connect(Settings::new(auth, endpoint)).unwrap();
    let stamp = std::process::id();
    let run = |action: ApiAction, given: Value| {
        let call = parse(action, &params(given), "unused").unwrap();
        let results = execute(&client, call);
        eprintln!("{}: {results:?}", action.name());
        results.unwrap()
    };

    let type_name = format!("act-{stamp}");
    let created = run(
        ApiAction::CreateShareType,
        json!({"name": type_name, "extra-specs":
            "snapshot_support=True create_share_from_snapshot_support=True"}),
    );
    let again = parse(
        ApiAction::CreateShareType,
        &params(json!({"name": type_name})),
        "",
    )
    .unwrap();
    let exists = execute(&client, again).unwrap_err();
    assert!(exists.contains("already exists"), "{exists}");
    let listed = run(ApiAction::ListShareTypes, json!({}));
    assert!(listed["share-types"].contains(&created["id"]));

    let mut new = NewShare::new("NFS", 1);
    new.name = Some(format!("act-{stamp}-share"));
    new.share_type = Some(created["id"].clone());
    let share = client.create_share(&new).unwrap();
    let wait = Wait::default();
    let share = client.wait_for_share(&share.id, "available", wait).unwrap();

    let protected = run(
        ApiAction::ProtectShare,
        json!({"share-id": share.id, "snapshot-name": "daily", "description": "e2e"}),
    );
    assert_eq!(protected["status"], "available");
    let protectable = run(ApiAction::ListProtectable, json!({}));
    assert!(protectable["shares"].contains(&protected["snapshot-id"]));
    let restored = run(
        ApiAction::RestoreShare,
        json!({"snapshot-id": protected["snapshot-id"], "restore-name": "restored"}),
    );
    assert_eq!(restored["status"], "available");
    let missing = execute(
        &client,
        parse(
            ApiAction::RestoreShare,
            &params(json!({"snapshot-id": "00000000-0000-0000-0000-000000000000"})),
            "",
        )
        .unwrap(),
    )
    .unwrap_err();
    assert!(missing.contains("HTTP 404"), "{missing}");
    run(
        ApiAction::DeleteProtection,
        json!({"snapshot-id": protected["snapshot-id"]}),
    );

    // Unmanage the restored share and manage it back.
    let restored_share = client.show_share(&restored["share-id"]).unwrap();
    let path = client.export_locations(&restored_share.id).unwrap()[0]
        .path
        .clone();
    run(
        ApiAction::UnmanageShare,
        json!({"share-id": restored_share.id}),
    );
    let managed = run(
        ApiAction::ManageShare,
        json!({"export-path": path, "service-host": restored_share.host.unwrap(),
               "share-type": created["id"], "name": "managed"}),
    );
    assert_eq!(managed["status"], "available");

    // A snapshot unmanaged and managed back.
    let snap = run(ApiAction::ProtectShare, json!({"share-id": share.id}));
    let location = client
        .show_snapshot(&snap["snapshot-id"])
        .unwrap()
        .provider_location
        .unwrap();
    run(
        ApiAction::UnmanageSnapshot,
        json!({"snapshot-id": snap["snapshot-id"]}),
    );
    let snap = run(
        ApiAction::ManageSnapshot,
        json!({"share-id": share.id, "provider-location": location}),
    );
    run(
        ApiAction::DeleteProtection,
        json!({"snapshot-id": snap["snapshot-id"]}),
    );
    run(ApiAction::ListShareServers, json!({}));

    // With a back end that creates share servers: delete-share-server is refused while a
    // share lives on the server, and deletes it once the share is gone.
    let dhss = client
        .list_pools()
        .unwrap()
        .into_iter()
        .find(|p| p.capabilities.get("driver_handles_share_servers") == Some(&json!(true)));
    if let Some(pool) = dhss {
        let mut dhss_type = manila_client::NewShareType::new(format!("act-{stamp}-dhss"), true);
        dhss_type.extra_specs.insert(
            "share_backend_name".into(),
            pool.capabilities["share_backend_name"]
                .as_str()
                .unwrap()
                .into(),
        );
        let dhss_type = client.create_share_type(&dhss_type).unwrap();
        let network = client
            .create_share_network(&format!("act-{stamp}"))
            .unwrap();
        let mut on_server = NewShare::new("NFS", 1);
        on_server.share_type = Some(dhss_type.id.clone());
        on_server.share_network_id = Some(network.id.clone());
        let on_server = client.create_share(&on_server).unwrap();
        let on_server = client
            .wait_for_share(&on_server.id, "available", wait)
            .unwrap();
        let server = on_server.share_server_id.clone().unwrap();
        let listed = run(ApiAction::ListShareServers, json!({}));
        assert!(listed["share-servers"].contains(&server));
        let refused = execute(
            &client,
            parse(
                ApiAction::DeleteShareServer,
                &params(json!({"share-server-id": server})),
                "",
            )
            .unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            refused,
            format!(
                "share server '{server}' still hosts 1 share(s): {}; delete or unmanage them first",
                on_server.id
            )
        );
        client.delete_share(&on_server.id).unwrap();
        client.wait_for_share_gone(&on_server.id, wait).unwrap();
        run(
            ApiAction::DeleteShareServer,
            json!({"share-server-id": server}),
        );
        client.delete_share_network(&network.id).unwrap();
        client.delete_share_type(&dhss_type.id).unwrap();
    } else {
        eprintln!("delete-share-server in use: skipped (no pool with share servers)");
    }

    for id in [&managed["share-id"], &share.id] {
        client.delete_share(id).unwrap();
        client.wait_for_share_gone(id, wait).unwrap();
    }
    run(ApiAction::DeleteShareType, json!({"share-type": type_name}));
}
