//! Request building and response reading, with bodies in the shapes Manila's and Keystone's
//! API references document.

mod loopback;

use std::collections::BTreeMap;

use serde_json::json;

use crate::client::parse_page_for_test;
use crate::error::api_error;
use crate::requests::{self, Method};
use crate::*;

fn target() -> Target {
    Target::one("share", "5f1c")
}

// ---- microversions ---------------------------------------------------------------------

const VERSIONS: &str = r#"{"versions": [
  {"id": "v1.0", "status": "DEPRECATED", "version": "", "min_version": "",
   "updated": "2015-08-27T11:33:21Z", "links": [], "media-types": []},
  {"id": "v2.0", "status": "CURRENT", "version": "2.73", "min_version": "2.0",
   "updated": "2015-08-27T11:33:21Z",
   "links": [{"rel": "self", "href": "http://127.0.0.1:8786/v2/"}],
   "media-types": [{"base": "application/json",
                    "type": "application/vnd.openstack.share+json;version=1"}]}]}"#;

#[test]
fn the_versions_document_gives_the_v2_range() {
    let versions = ServerVersions::parse(VERSIONS.as_bytes()).unwrap();
    assert_eq!(versions.min, Microversion::new(2, 0));
    assert_eq!(versions.max, Microversion::new(2, 73));
    assert_eq!(versions.negotiate(), Some(Microversion::new(2, 73)));
}

#[test]
fn negotiation_caps_at_the_client_maximum_and_refuses_old_servers() {
    let range = |min: &str, max: &str| ServerVersions {
        min: min.parse().unwrap(),
        max: max.parse().unwrap(),
    };
    // Caracal serves more than this client knows: it is asked for the client's newest.
    assert_eq!(
        range("2.0", "2.84").negotiate(),
        Some(microversion::MAX_SUPPORTED)
    );
    // Ussuri: older than the newest, newer than the oldest this client speaks.
    assert_eq!(
        range("2.0", "2.55").negotiate(),
        Some(Microversion::new(2, 55))
    );
    // Rocky: no access-rules API.
    assert_eq!(range("2.0", "2.44").negotiate(), None);
    // A server that dropped everything this client speaks.
    assert_eq!(range("2.80", "2.90").negotiate(), None);
}

#[test]
fn microversions_order_numerically_not_textually() {
    let a: Microversion = "2.9".parse().unwrap();
    let b: Microversion = "2.10".parse().unwrap();
    assert!(a < b);
    assert_eq!(b.to_string(), "2.10");
    let error = "two".parse::<Microversion>().unwrap_err();
    assert!(error.contains("'two'"), "{error}");
}

#[test]
fn a_versions_document_without_v2_is_refused() {
    let error = ServerVersions::parse(br#"{"versions": [{"id": "v1.0"}]}"#).unwrap_err();
    assert!(error.contains("no v2"), "{error}");
}

// ---- errors ----------------------------------------------------------------------------

#[test]
fn manila_faults_become_typed_errors_naming_the_resource() {
    let body = br#"{"itemNotFound": {"code": 404, "message": "Share 5f1c could not be found."}}"#;
    let error = Error::Api(api_error(target(), 404, "Not Found", body));
    assert!(error.is_not_found());
    assert!(!error.is_conflict());
    let api = error.api().unwrap();
    assert_eq!(api.fault.as_deref(), Some("itemNotFound"));
    assert_eq!(api.message, "Share 5f1c could not be found.");
    assert_eq!(
        error.to_string(),
        "share '5f1c': Manila answered HTTP 404 (itemNotFound): Share 5f1c could not be found."
    );
}

#[test]
fn a_conflict_is_a_conflict() {
    let body = br#"{"conflictingRequest": {"code": 409, "message": "Share server 77 is in use."}}"#;
    let error = Error::Api(api_error(
        Target::one("share server", "77"),
        409,
        "Conflict",
        body,
    ));
    assert!(error.is_conflict());
    assert!(error.to_string().contains("share server '77'"));
    assert!(error.to_string().contains("HTTP 409 (conflictingRequest)"));
}

#[test]
fn a_body_that_is_not_a_fault_keeps_the_http_reason() {
    let error = api_error(target(), 503, "Service Unavailable", b"<html>down</html>");
    assert_eq!(error.fault, None);
    assert_eq!(error.message, "Service Unavailable");
    let error = api_error(target(), 400, "Bad Request", b"");
    assert_eq!(error.message, "Bad Request");
}

#[test]
fn timeouts_and_error_states_carry_the_last_status_and_message() {
    let timeout = Error::Timeout {
        target: target(),
        wanted: "available".into(),
        last_status: "creating".into(),
        message: Some("No storage could be allocated for this share request.".into()),
        waited_secs: 300,
    };
    assert_eq!(
        timeout.to_string(),
        "share '5f1c' did not become available within 300 s: last status 'creating', \
         last message: No storage could be allocated for this share request."
    );
    let failed = Error::ErrorState {
        target: target(),
        wanted: "available".into(),
        status: "error".into(),
        message: None,
    };
    assert_eq!(
        failed.to_string(),
        "share '5f1c' went to status 'error' while waiting for available"
    );
}

#[test]
fn error_statuses() {
    for status in ["error", "error_deleting", "manage_error", "extending_error"] {
        assert!(is_error_status(status), "{status}");
    }
    for status in ["available", "creating", "deleting", "unmanage_starting"] {
        assert!(!is_error_status(status), "{status}");
    }
}

// ---- keystone --------------------------------------------------------------------------

fn keystone() -> Keystone {
    Keystone {
        auth_url: "http://127.0.0.1:5000/v3/".into(),
        username: "manila".into(),
        password: Secret::new("s3cret-pa55"),
        user_domain: Domain::Name("service_domain".into()),
        project: Project::Name {
            name: "services".into(),
            domain: Domain::Name("service_domain".into()),
        },
    }
}

#[test]
fn the_password_request_is_keystone_v3s() {
    let keystone = keystone();
    assert_eq!(
        keystone.tokens_url(),
        "http://127.0.0.1:5000/v3/auth/tokens"
    );
    assert_eq!(
        keystone.token_request(),
        json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "manila", "domain": {"name": "service_domain"}, "password": "s3cret-pa55"}}},
            "scope": {"project": {"name": "services", "domain": {"name": "service_domain"}}}}})
    );
    let by_id = Keystone {
        auth_url: "https://keystone.example:5000".into(),
        user_domain: Domain::Id("default".into()),
        project: Project::Id("0a1b".into()),
        ..keystone
    };
    assert_eq!(
        by_id.tokens_url(),
        "https://keystone.example:5000/v3/auth/tokens"
    );
    let body = by_id.token_request();
    assert_eq!(body["auth"]["scope"], json!({"project": {"id": "0a1b"}}));
    assert_eq!(
        body["auth"]["identity"]["password"]["user"]["domain"],
        json!({"id": "default"})
    );
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let settings = Settings::new(Auth::Keystone(keystone()), Endpoint::Url("x".into()));
    let debug = format!("{settings:?}");
    assert!(!debug.contains("s3cret-pa55"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

const TOKEN: &str = r#"{"token": {
  "methods": ["password"], "expires_at": "2026-11-23T20:18:08.000000Z",
  "issued_at": "2026-11-23T19:18:08.000000Z",
  "user": {"id": "u1", "name": "manila", "domain": {"id": "d1", "name": "service_domain"}},
  "project": {"id": "0123456789abcdef0123456789abcdef", "name": "services",
              "domain": {"id": "d1", "name": "service_domain"}},
  "roles": [{"id": "r1", "name": "admin"}],
  "catalog": [
    {"type": "identity", "name": "keystone", "id": "s1", "endpoints": [
      {"id": "e1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
       "url": "http://127.0.0.1:5000/v3"}]},
    {"type": "sharev2", "name": "manilav2", "id": "s2", "endpoints": [
      {"id": "e2", "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
       "url": "http://10.0.0.7:8786/v2/0123456789abcdef0123456789abcdef"},
      {"id": "e3", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne",
       "url": "http://10.1.0.7:8786/v2/0123456789abcdef0123456789abcdef"},
      {"id": "e4", "interface": "internal", "region": "RegionTwo", "region_id": "RegionTwo",
       "url": "http://10.2.0.7:8786/v2/0123456789abcdef0123456789abcdef"}]},
    {"type": "share", "name": "manila", "id": "s3", "endpoints": [
      {"id": "e5", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne",
       "url": "http://10.1.0.7:8786/v1/0123456789abcdef0123456789abcdef"}]}]}}"#;

#[test]
fn a_token_is_read_with_its_expiry_project_and_catalog() {
    let token = Token::parse("gAAAAAB-token", TOKEN.as_bytes()).unwrap();
    assert_eq!(token.value.expose(), "gAAAAAB-token");
    assert_eq!(
        token.project_id.as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    let expiry = token.expires_at.unwrap();
    assert_eq!(Some(expiry), parse_timestamp("2026-11-23T20:18:08Z"));
    // Reused while more than the margin is left, renewed after.
    assert!(token.usable_at(expiry - 600, 120));
    assert!(!token.usable_at(expiry - 60, 120));
    assert!(!token.usable_at(expiry + 1, 120));
}

#[test]
fn the_catalog_gives_sharev2_by_interface_and_region() {
    let token = Token::parse("t", TOKEN.as_bytes()).unwrap();
    assert_eq!(
        token
            .endpoint(SERVICE_TYPE, Interface::Internal, Some("RegionOne"))
            .unwrap(),
        "http://10.1.0.7:8786/v2/0123456789abcdef0123456789abcdef"
    );
    assert_eq!(
        token
            .endpoint(SERVICE_TYPE, Interface::Internal, Some("RegionTwo"))
            .unwrap(),
        "http://10.2.0.7:8786/v2/0123456789abcdef0123456789abcdef"
    );
    assert_eq!(
        token
            .endpoint(SERVICE_TYPE, Interface::Public, None)
            .unwrap(),
        "http://10.0.0.7:8786/v2/0123456789abcdef0123456789abcdef"
    );
    let missing = token
        .endpoint(SERVICE_TYPE, Interface::Admin, Some("RegionOne"))
        .unwrap_err();
    let text = missing.to_string();
    assert!(
        text.starts_with(
            "the keystone catalog has no 'sharev2' endpoint for interface 'admin' in region 'RegionOne'"
        ),
        "{text}"
    );
    assert!(
        text.contains("internal RegionTwo http://10.2.0.7"),
        "{text}"
    );
}

#[test]
fn keystone_times_are_read_as_utc_seconds() {
    assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        parse_timestamp("2000-03-01T00:00:00.000000Z"),
        Some(951_868_800)
    );
    assert_eq!(
        parse_timestamp("2024-02-29T12:34:56+00:00"),
        Some(1_709_210_096)
    );
    assert_eq!(parse_timestamp("2024-13-01T00:00:00Z"), None);
    assert_eq!(parse_timestamp("tomorrow"), None);
}

#[test]
fn keystone_refusals_keep_keystones_message() {
    let body = br#"{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}"#;
    assert_eq!(
        auth::keystone_message(body, "Unauthorized"),
        "The request you have made requires authentication."
    );
    assert_eq!(auth::keystone_message(b"", "Unauthorized"), "Unauthorized");
}

// ---- requests --------------------------------------------------------------------------

#[test]
fn a_share_type_is_created_with_its_required_spec_as_manila_spells_it() {
    let mut new = NewShareType::new("default", false);
    new.extra_specs = BTreeMap::from([
        ("snapshot_support".into(), "True".into()),
        // The field wins over a spec of the same name.
        ("driver_handles_share_servers".into(), "True".into()),
    ]);
    new.description = Some("the charm's default".into());
    let request = requests::create_share_type(&new);
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.path, "/types");
    assert_eq!(
        request.body.unwrap(),
        json!({"share_type": {
            "name": "default",
            "share_type_access:is_public": true,
            "description": "the charm's default",
            "extra_specs": {"driver_handles_share_servers": "False", "snapshot_support": "True"}}})
    );
    assert_eq!(
        requests::list_share_types().query,
        [("is_public".to_owned(), "all".to_owned())]
    );
}

#[test]
fn shares_are_listed_in_detail_with_their_filters() {
    let filter = ShareFilter {
        name: Some("s1".into()),
        status: Some("available".into()),
        all_tenants: true,
        ..ShareFilter::default()
    };
    let request = requests::list_shares(&filter);
    assert_eq!(
        (request.method, request.path.as_str()),
        (Method::Get, "/shares/detail")
    );
    assert_eq!(
        request.query,
        [
            ("name".to_owned(), "s1".to_owned()),
            ("status".to_owned(), "available".to_owned()),
            ("all_tenants".to_owned(), "1".to_owned()),
        ]
    );
}

#[test]
fn share_requests() {
    let mut new = NewShare::new("NFS", 1);
    new.name = Some("restored".into());
    new.snapshot_id = Some("snap-1".into());
    new.share_type = Some("default".into());
    assert_eq!(
        requests::create_share(&new).body.unwrap(),
        json!({"share": {"share_proto": "NFS", "size": 1, "name": "restored",
                         "snapshot_id": "snap-1", "share_type": "default"}})
    );
    let update = Update {
        name: Some("renamed".into()),
        description: None,
        is_public: Some(false),
    };
    let request = requests::update_share("s1", &update);
    assert_eq!(
        (request.method, request.path.as_str()),
        (Method::Put, "/shares/s1")
    );
    assert_eq!(
        request.body.unwrap(),
        json!({"share": {"display_name": "renamed", "is_public": false}})
    );
    let actions = [
        (
            requests::extend_share("s1", 2),
            json!({"extend": {"new_size": 2}}),
        ),
        (
            requests::shrink_share("s1", 1),
            json!({"shrink": {"new_size": 1}}),
        ),
        (
            requests::revert_share("s1", "snap-1"),
            json!({"revert": {"snapshot_id": "snap-1"}}),
        ),
        (requests::unmanage_share("s1"), json!({"unmanage": null})),
        (
            requests::deny_access("s1", "a1"),
            json!({"deny_access": {"access_id": "a1"}}),
        ),
    ];
    for (request, body) in actions {
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.path, "/shares/s1/action");
        assert_eq!(request.body.unwrap(), body);
    }
    assert_eq!(requests::delete_share("s1").method, Method::Delete);
    assert_eq!(
        requests::list_access_rules("s1").query,
        [("share_id".to_owned(), "s1".to_owned())]
    );
}

#[test]
fn manage_requests() {
    let manage = ManageShare {
        protocol: "NFS".into(),
        export_path: "10.0.0.10:/path/to/fake/share/share_abc".into(),
        service_host: "vm@dummy1#fake_pool_for_DUMMY1".into(),
        share_type: "default".into(),
        name: Some("adopted".into()),
        description: None,
        is_public: None,
        share_server_id: None,
        driver_options: BTreeMap::new(),
    };
    let request = requests::manage_share(&manage);
    assert_eq!(request.path, "/shares/manage");
    assert_eq!(
        request.body.unwrap(),
        json!({"share": {"protocol": "NFS", "export_path": "10.0.0.10:/path/to/fake/share/share_abc",
            "service_host": "vm@dummy1#fake_pool_for_DUMMY1", "share_type": "default",
            "name": "adopted"}})
    );
    let snapshot = ManageSnapshot {
        share_id: "s1".into(),
        provider_location: "/path/to/fake/snapshot/snap_1".into(),
        name: None,
        description: Some("back".into()),
        driver_options: BTreeMap::from([("k".into(), "v".into())]),
    };
    let request = requests::manage_snapshot(&snapshot);
    assert_eq!(request.path, "/snapshots/manage");
    assert_eq!(
        request.body.unwrap(),
        json!({"snapshot": {"share_id": "s1", "provider_location": "/path/to/fake/snapshot/snap_1",
            "description": "back", "driver_options": {"k": "v"}}})
    );
    let request = requests::unmanage_snapshot("n1");
    assert_eq!(request.path, "/snapshots/n1/action");
    assert_eq!(request.body.unwrap(), json!({"unmanage": null}));
}

#[test]
fn snapshot_requests() {
    let new = NewSnapshot {
        share_id: "s1".into(),
        name: Some("protect-1".into()),
        description: None,
        force: true,
    };
    assert_eq!(
        requests::create_snapshot(&new).body.unwrap(),
        json!({"snapshot": {"share_id": "s1", "force": true, "name": "protect-1"}})
    );
    let update = Update {
        name: None,
        description: Some("kept".into()),
        is_public: Some(true),
    };
    // is_public is not a snapshot field.
    assert_eq!(
        requests::update_snapshot("n1", &update).body.unwrap(),
        json!({"snapshot": {"display_description": "kept"}})
    );
    let filter = SnapshotFilter {
        share_id: Some("s1".into()),
        ..SnapshotFilter::default()
    };
    let request = requests::list_snapshots(&filter);
    assert_eq!(request.path, "/snapshots/detail");
    assert_eq!(request.query, [("share_id".to_owned(), "s1".to_owned())]);
}

#[test]
fn ids_cannot_leave_their_path_segment() {
    assert_eq!(
        requests::show_share("../types/x?y").path,
        "/shares/..%2Ftypes%2Fx%3Fy"
    );
    assert_eq!(
        requests::delete_share_server("1f0e-ab").path,
        "/share-servers/1f0e-ab"
    );
}

// ---- responses -------------------------------------------------------------------------

#[test]
fn a_share_detail_is_read() {
    let body = br#"{"share": {
      "id": "011d21e2-fbc3-4e4a-9993-9ea223f73264", "name": "share_London",
      "description": "My custom share London", "status": "available", "size": 1,
      "share_proto": "NFS", "share_type": "25747776-08e5-494f-ab40-a64b9d20d8f7",
      "share_type_name": "default", "availability_zone": "nova",
      "project_id": "16e1ab15c35a457e9c2b2aa189f544e1", "snapshot_id": null,
      "share_network_id": null, "share_server_id": null, "host": "vm@dummy1#fake_pool_for_DUMMY1",
      "is_public": true, "task_state": null, "access_rules_status": "active",
      "snapshot_support": true, "metadata": {"project": "my_app"},
      "created_at": "2015-09-18T10:25:24.000000", "links": [],
      "replication_type": null, "has_replicas": false, "user_id": "66ffd308757e44b9a8bec381322b0b88",
      "create_share_from_snapshot_support": true, "revert_to_snapshot_support": false,
      "share_group_id": null, "source_share_group_snapshot_member_id": null,
      "mount_snapshot_support": false, "progress": "100%", "is_soft_deleted": false,
      "scheduled_to_be_deleted_at": null}}"#;
    let share: Share = parse_field(body, "share", &target()).unwrap();
    assert_eq!(share.id, "011d21e2-fbc3-4e4a-9993-9ea223f73264");
    assert_eq!(share.status, "available");
    assert_eq!(share.size, Some(1));
    assert_eq!(share.share_type_name.as_deref(), Some("default"));
    assert_eq!(
        share.host.as_deref(),
        Some("vm@dummy1#fake_pool_for_DUMMY1")
    );
    assert_eq!(share.metadata["project"], "my_app");
    assert_eq!(share.snapshot_id, None);
}

#[test]
fn a_missing_key_or_a_wrong_shape_names_the_resource() {
    let error = parse_field::<Share>(br#"{"snapshot": {}}"#, "share", &target()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "share '5f1c': unexpected answer: no 'share' in the answer"
    );
    let error = parse_field::<Share>(br#"{"share": {"id": 3}}"#, "share", &target()).unwrap_err();
    assert!(error
        .to_string()
        .starts_with("share '5f1c': unexpected answer: 'share': "));
    let error = parse_field::<Share>(b"<html>", "share", &target()).unwrap_err();
    assert!(error.to_string().contains("not JSON"));
}

#[test]
fn share_types_are_read_with_their_specs() {
    let body = br#"{"share_types": [
      {"id": "7fa1342b-de9d-4d89-bdc8-af67795c0e52", "name": "default",
       "extra_specs": {"driver_handles_share_servers": "False", "snapshot_support": "True"},
       "required_extra_specs": {"driver_handles_share_servers": "False"},
       "share_type_access:is_public": true, "description": null, "is_default": true},
      {"id": "b6d3a5e5", "name": "legacy", "extra_specs": {"driver_handles_share_servers": true},
       "required_extra_specs": {}, "share_type_access:is_public": false}],
      "volume_types": []}"#;
    let types: Vec<ShareType> =
        parse_field(body, "share_types", &Target::collection("share types")).unwrap();
    assert_eq!(types.len(), 2);
    assert_eq!(types[0].driver_handles_share_servers(), Some(false));
    assert_eq!(types[0].is_default, Some(true));
    assert!(types[0].is_public);
    assert_eq!(types[1].extra_specs["driver_handles_share_servers"], "True");
    assert_eq!(types[1].driver_handles_share_servers(), Some(true));
    assert!(!types[1].is_public);
}

#[test]
fn snapshots_servers_pools_and_access_rules_are_read() {
    let snapshot: Snapshot = parse_field(
        br#"{"snapshot": {"id": "6d221c1d", "share_id": "406ea93b", "status": "available",
            "name": "snapshot_share1", "description": "Here is a snapshot", "size": 1,
            "share_size": 1, "share_proto": "NFS", "created_at": "2015-09-07T11:50:39.000000",
            "provider_location": "/path/to/fake/snapshot/snapshot_6d221c1d", "user_id": "u",
            "project_id": "p", "metadata": {}, "links": []}}"#,
        "snapshot",
        &target(),
    )
    .unwrap();
    assert_eq!(
        snapshot.provider_location.as_deref(),
        Some("/path/to/fake/snapshot/snapshot_6d221c1d")
    );
    let servers: Vec<ShareServer> = parse_field(
        br#"{"share_servers": [{"id": "e268f4aa-d571-43dd-9ab3-f49ad06ffaef",
            "project_id": "5b23075b4b504261a5987b18588f86cf", "updated_at": null,
            "status": "active", "host": "manila2@generic1", "share_network_name": "net_my",
            "share_network_id": "5b23075b-4b50-4261-a598-7b18588f86cf",
            "created_at": "2015-09-07T08:37:19.000000", "is_auto_deletable": true,
            "identifier": "e268f4aa-d571-43dd-9ab3-f49ad06ffaef",
            "share_network_subnet_ids": [], "task_state": null}]}"#,
        "share_servers",
        &target(),
    )
    .unwrap();
    assert_eq!(servers[0].status, "active");
    assert_eq!(servers[0].share_network_name.as_deref(), Some("net_my"));
    let pools: Vec<Pool> = parse_field(
        br#"{"pools": [{"name": "vm@dummy1#fake_pool_for_DUMMY1", "host": "vm",
            "backend": "dummy1", "pool": "fake_pool_for_DUMMY1",
            "capabilities": {"driver_handles_share_servers": false, "total_capacity_gb": 1230}}]}"#,
        "pools",
        &target(),
    )
    .unwrap();
    assert_eq!(pools[0].name, "vm@dummy1#fake_pool_for_DUMMY1");
    assert_eq!(
        pools[0].capabilities["driver_handles_share_servers"],
        json!(false)
    );
    let rules: Vec<AccessRule> = parse_field(
        br#"{"access_list": [{"id": "a25b2df3-90bd-4add-afa6-5f0dbbd50452",
            "access_level": "rw", "access_to": "10.0.0.0/24", "access_type": "ip",
            "state": "active", "access_key": null, "created_at": "2018-07-17T02:01:04.000000",
            "updated_at": null, "metadata": {"key1": "v1"}}]}"#,
        "access_list",
        &target(),
    )
    .unwrap();
    assert_eq!(rules[0].access_to, "10.0.0.0/24");
    assert_eq!(rules[0].state.as_deref(), Some("active"));
}

#[test]
fn services_are_listed_by_the_v2_path_with_their_filters() {
    assert_eq!(
        requests::list_services(&ServiceFilter::default()),
        requests::Request {
            method: Method::Get,
            path: "/services".into(),
            query: vec![],
            body: None,
        }
    );
    let filter = ServiceFilter {
        binary: Some("manila-share".into()),
        host: Some("vm@dummy1".into()),
        state: Some("up".into()),
        ..ServiceFilter::default()
    };
    assert_eq!(
        requests::list_services(&filter).query,
        [
            ("binary".to_owned(), "manila-share".to_owned()),
            ("host".to_owned(), "vm@dummy1".to_owned()),
            ("state".to_owned(), "up".to_owned()),
        ]
    );
    let services: Vec<Service> = parse_field(
        br#"{"services": [{"status": "disabled", "binary": "manila-data", "zone": "nova",
            "host": "vm", "updated_at": null, "state": "up", "id": 3,
            "disabled_reason": "maintenance"}]}"#,
        "services",
        &target(),
    )
    .unwrap();
    assert_eq!(
        services,
        [Service {
            id: 3,
            binary: "manila-data".into(),
            host: "vm".into(),
            zone: Some("nova".into()),
            status: "disabled".into(),
            state: "up".into(),
            updated_at: None,
        }]
    );
}

#[test]
fn a_next_link_means_another_page() {
    let body = br#"{"shares": [{"id": "a", "status": "available"}, {"id": "b", "status": "error"}],
        "shares_links": [{"rel": "next",
            "href": "http://10.0.0.7:8776/v2/p/shares?limit=2&marker=b"}]}"#;
    let (items, more): (Vec<Share>, _) =
        parse_page_for_test(body, "shares", "shares_links").unwrap();
    assert_eq!(items.len(), 2);
    assert!(more);
    let last = br#"{"shares": [{"id": "c", "status": "available"}]}"#;
    let (items, more): (Vec<Share>, _) =
        parse_page_for_test(last, "shares", "shares_links").unwrap();
    assert_eq!(items.len(), 1);
    assert!(!more);
    let snapshots = br#"{"snapshots": [{"id": "n", "share_id": "a", "status": "available"}],
        "share_snapshots_links": [{"rel": "next", "href": "http://h/v2/p/snapshots?limit=1&marker=n"}]}"#;
    let (items, more): (Vec<Snapshot>, _) =
        parse_page_for_test(snapshots, "snapshots", "share_snapshots_links").unwrap();
    assert_eq!((items.len(), more), (1, true));
}
