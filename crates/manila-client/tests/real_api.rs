//! Every call of the client against a real Manila API, with its error paths.
//!
//! Runs only when `MANILA_CLIENT_TEST_ENDPOINT` is set; otherwise it says it skipped (and
//! fails when `REQUIRE_REAL_MANILA=1`). It creates its own uniquely named resources
//! (`mc-<pid>-<time>-…`) and deletes them at the end, on failure too.
//!
//! | variable | meaning |
//! |---|---|
//! | `MANILA_CLIENT_TEST_ENDPOINT` | Manila's v2 URL (`http://127.0.0.1:8786/v2/<project>`), or `catalog` (Keystone mode) |
//! | `MANILA_CLIENT_TEST_AUTH` | `noauth` or `keystone` (default: `keystone` when `MANILA_CLIENT_TEST_KEYSTONE_URL` is set) |
//! | `MANILA_CLIENT_TEST_PROJECT` | no-auth: the project (hex; default `0123456789abcdef0123456789abcdef`) |
//! | `MANILA_CLIENT_TEST_KEYSTONE_URL` | Keystone, `http://127.0.0.1:5000/v3` |
//! | `MANILA_CLIENT_TEST_USERNAME`, `…_PASSWORD`, `…_PROJECT_NAME` | an admin user and its project |
//! | `MANILA_CLIENT_TEST_DOMAIN` | domain id of the user and project (default `default`) |
//! | `MANILA_CLIENT_TEST_INTERFACE`, `…_REGION` | catalog lookup (default `public`, any region) |
//! | `MANILA_CLIENT_TEST_CROSSCHECK=1` | also list with openstacksdk (`/usr/bin/python3`) and compare |
//! | `REQUIRE_REAL_MANILA=1` | a missing endpoint, or no pool with share servers, fails |
//!
//! The share-server steps need a pool whose back end has `driver_handles_share_servers`
//! (the dummy driver with the standalone network plugin); without one they are reported
//! as skipped.

use std::collections::BTreeMap;
use std::env;
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use manila_client::*;

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &str) -> Result<String, String> {
    var(name).ok_or_else(|| format!("{name} is not set"))
}

fn require_real() -> bool {
    var("REQUIRE_REAL_MANILA").as_deref() == Some("1")
}

fn main() -> ExitCode {
    // `cargo test` passes harness flags (`--nocapture`, filters): this target has one
    // scenario and ignores them; `--list` must list nothing runnable.
    if env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    let Some(endpoint) = var("MANILA_CLIENT_TEST_ENDPOINT") else {
        if require_real() {
            eprintln!("real_api: FAILED: REQUIRE_REAL_MANILA=1 but MANILA_CLIENT_TEST_ENDPOINT is not set");
            return ExitCode::FAILURE;
        }
        println!("real_api: skipped (MANILA_CLIENT_TEST_ENDPOINT is not set)");
        return ExitCode::SUCCESS;
    };
    let settings = match settings(&endpoint) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("real_api: FAILED: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut scenario = Scenario::new();
    let outcome = scenario.run(settings);
    scenario.cleanup();
    match outcome {
        Ok(()) => {
            println!("real_api: PASSED ({} steps)", scenario.steps);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("real_api: FAILED at step {}: {e}", scenario.steps);
            ExitCode::FAILURE
        }
    }
}

fn settings(endpoint: &str) -> Result<Settings, String> {
    let keystone_url = var("MANILA_CLIENT_TEST_KEYSTONE_URL");
    let mode = var("MANILA_CLIENT_TEST_AUTH").unwrap_or_else(|| {
        if keystone_url.is_some() {
            "keystone".into()
        } else {
            "noauth".into()
        }
    });
    let interface: Interface = var("MANILA_CLIENT_TEST_INTERFACE")
        .unwrap_or_else(|| "public".into())
        .parse()
        .map_err(|e| format!("MANILA_CLIENT_TEST_INTERFACE: {e}"))?;
    let endpoint = if endpoint == "catalog" {
        Endpoint::Catalog {
            interface,
            region: var("MANILA_CLIENT_TEST_REGION"),
        }
    } else {
        Endpoint::Url(endpoint.to_owned())
    };
    let auth = match mode.as_str() {
        "noauth" => Auth::NoAuth {
            user: "admin".into(),
            project: var("MANILA_CLIENT_TEST_PROJECT")
                .unwrap_or_else(|| "0123456789abcdef0123456789abcdef".into()),
        },
        "keystone" => {
            let domain = var("MANILA_CLIENT_TEST_DOMAIN").unwrap_or_else(|| "default".into());
            Auth::Keystone(Keystone {
                auth_url: required("MANILA_CLIENT_TEST_KEYSTONE_URL")?,
                username: required("MANILA_CLIENT_TEST_USERNAME")?,
                password: Secret::new(required("MANILA_CLIENT_TEST_PASSWORD")?),
                user_domain: Domain::Id(domain.clone()),
                project: Project::Name {
                    name: required("MANILA_CLIENT_TEST_PROJECT_NAME")?,
                    domain: Domain::Id(domain),
                },
            })
        }
        other => {
            return Err(format!(
                "MANILA_CLIENT_TEST_AUTH: '{other}' is neither noauth nor keystone"
            ))
        }
    };
    Ok(Settings::new(auth, endpoint))
}

type Outcome = Result<(), String>;

fn check(condition: bool, what: impl FnOnce() -> String) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(what())
    }
}

/// Expects `result` to be Manila's refusal with `status`.
fn refused<T: std::fmt::Debug>(result: Result<T, Error>, status: u16, what: &str) -> Outcome {
    match result {
        Err(Error::Api(e)) if e.status == status => {
            println!("    {what}: refused as expected: {e}");
            Ok(())
        }
        other => Err(format!("{what}: expected HTTP {status}, got {other:?}")),
    }
}

fn e(error: Error) -> String {
    error.to_string()
}

#[derive(Debug)]
enum Created {
    ShareType(String),
    Share(String),
    Snapshot(String),
    ShareNetwork(String),
}

struct Scenario {
    client: Option<Client>,
    prefix: String,
    created: Vec<Created>,
    steps: usize,
    wait: Wait,
}

impl Scenario {
    fn new() -> Scenario {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Scenario {
            client: None,
            prefix: format!("mc-{}-{now}", std::process::id()),
            created: Vec::new(),
            steps: 0,
            wait: Wait {
                timeout: Duration::from_secs(180),
                interval: Duration::from_secs(1),
            },
        }
    }

    fn step(&mut self, name: &str) {
        self.steps += 1;
        println!("[{}] {name}", self.steps);
    }

    fn name(&self, what: &str) -> String {
        format!("{}-{what}", self.prefix)
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("connected in the first step")
    }

    fn forget(&mut self, gone: &str) {
        self.created.retain(|c| match c {
            Created::ShareType(id)
            | Created::Share(id)
            | Created::Snapshot(id)
            | Created::ShareNetwork(id) => id != gone,
        });
    }

    fn run(&mut self, settings: Settings) -> Outcome {
        if let Auth::Keystone(keystone) = &settings.auth {
            self.step("keystone: a wrong password is refused, and not repeated in the error");
            let wrong = "not-the-password-0f3a";
            let mut bad = settings.clone();
            bad.auth = Auth::Keystone(Keystone {
                password: Secret::new(wrong),
                ..keystone.clone()
            });
            match Client::connect(bad) {
                Err(err @ Error::Keystone { status: 401, .. }) => {
                    let text = format!("{err} {err:?}");
                    check(!text.contains(wrong), || {
                        format!("the error shows the password: {text}")
                    })?;
                    println!("    refused as expected: {err}");
                }
                other => return Err(format!("a wrong password gave {other:?}")),
            }
        }
        self.step("connect: authenticate, find the endpoint, negotiate the microversion");
        let client = Client::connect(settings).map_err(e)?;
        println!(
            "    endpoint {} at microversion {}",
            client.endpoint(),
            client.microversion()
        );
        check(client.microversion() >= microversion::MIN_SUPPORTED, || {
            "microversion below the client's minimum".into()
        })?;
        self.client = Some(client);
        let wait = self.wait;

        self.step("pools and services");
        let pools = self.client().list_pools().map_err(e)?;
        for pool in &pools {
            println!("    pool {}", pool.name);
        }
        check(!pools.is_empty(), || "the scheduler reports no pool".into())?;
        let schedulers = self
            .client()
            .list_services(&ServiceFilter {
                binary: Some("manila-scheduler".into()),
                ..ServiceFilter::default()
            })
            .map_err(e)?;
        for service in &schedulers {
            println!(
                "    {} on {}: {}",
                service.binary, service.host, service.state
            );
        }
        check(
            !schedulers.is_empty() && schedulers.iter().all(|s| s.binary == "manila-scheduler"),
            || format!("filtering by binary gave {schedulers:?}"),
        )?;
        check(schedulers.iter().any(Service::is_up), || {
            "no manila-scheduler is up".into()
        })?;

        self.step("share types: create, list, show, conflict, not found");
        let mut new_type = NewShareType::new(self.name("type"), false);
        new_type.extra_specs = BTreeMap::from([
            ("snapshot_support".into(), "True".into()),
            ("create_share_from_snapshot_support".into(), "True".into()),
            ("revert_to_snapshot_support".into(), "True".into()),
        ]);
        new_type.description = Some("manila-client real_api".into());
        let share_type = self.client().create_share_type(&new_type).map_err(e)?;
        self.created.push(Created::ShareType(share_type.id.clone()));
        check(
            share_type.driver_handles_share_servers() == Some(false),
            || format!("created type has specs {:?}", share_type.extra_specs),
        )?;
        let types = self.client().list_share_types().map_err(e)?;
        check(types.iter().any(|t| t.id == share_type.id), || {
            "the new type is not listed".into()
        })?;
        let shown = self.client().show_share_type(&share_type.id).map_err(e)?;
        check(shown.name == new_type.name, || {
            format!("show gave {shown:?}")
        })?;
        let found = self.client().find_share_type(&new_type.name).map_err(e)?;
        check(found.is_some_and(|t| t.id == share_type.id), || {
            "find by name failed".into()
        })?;
        refused(
            self.client().create_share_type(&new_type),
            409,
            "a second share type of the same name",
        )?;
        refused(
            self.client()
                .show_share_type("00000000-0000-0000-0000-000000000000"),
            404,
            "an unknown share type",
        )?;

        self.step("shares: create two, wait, show, list with filters and pages of one");
        let mut new_share = NewShare::new("NFS", 1);
        new_share.name = Some(self.name("s1"));
        new_share.share_type = Some(share_type.id.clone());
        let s1 = self.client().create_share(&new_share).map_err(e)?;
        self.created.push(Created::Share(s1.id.clone()));
        new_share.name = Some(self.name("s2"));
        let s2 = self.client().create_share(&new_share).map_err(e)?;
        self.created.push(Created::Share(s2.id.clone()));
        let s1 = self
            .client()
            .wait_for_share(&s1.id, "available", wait)
            .map_err(e)?;
        self.client()
            .wait_for_share(&s2.id, "available", wait)
            .map_err(e)?;
        let by_name = self
            .client()
            .list_shares(
                &ShareFilter {
                    name: Some(self.name("s1")),
                    ..ShareFilter::default()
                },
                100,
            )
            .map_err(e)?;
        check(by_name.len() == 1 && by_name[0].id == s1.id, || {
            format!("filter by name gave {by_name:?}")
        })?;
        let type_filter = ShareFilter {
            share_type_id: Some(share_type.id.clone()),
            ..ShareFilter::default()
        };
        let paged = self.client().list_shares(&type_filter, 1).map_err(e)?;
        let mut paged_ids: Vec<&str> = paged.iter().map(|s| s.id.as_str()).collect();
        paged_ids.sort_unstable();
        let mut expected = vec![s1.id.as_str(), s2.id.as_str()];
        expected.sort_unstable();
        check(paged_ids == expected, || {
            format!("pages of one gave {paged_ids:?}, expected {expected:?}")
        })?;
        refused(
            self.client()
                .show_share("00000000-0000-0000-0000-000000000000"),
            404,
            "an unknown share",
        )?;

        self.step("shares: update, extend, shrink");
        let updated = self
            .client()
            .update_share(
                &s1.id,
                &Update {
                    name: Some(self.name("s1-renamed")),
                    description: Some("renamed by real_api".into()),
                    is_public: None,
                },
            )
            .map_err(e)?;
        check(
            updated.name.as_deref() == Some(self.name("s1-renamed").as_str()),
            || format!("update gave {updated:?}"),
        )?;
        self.client().extend_share(&s1.id, 2).map_err(e)?;
        let extended = self
            .client()
            .wait_for_share(&s1.id, "available", wait)
            .map_err(e)?;
        check(extended.size == Some(2), || {
            format!("extended to {:?}", extended.size)
        })?;
        self.client().shrink_share(&s1.id, 1).map_err(e)?;
        let shrunk = self
            .client()
            .wait_for_share(&s1.id, "available", wait)
            .map_err(e)?;
        check(shrunk.size == Some(1), || {
            format!("shrunk to {:?}", shrunk.size)
        })?;
        refused(
            self.client()
                .extend_share("00000000-0000-0000-0000-000000000000", 2),
            404,
            "extending an unknown share",
        )?;

        self.step("access rules: allow, list, deny");
        let rule = self
            .client()
            .allow_access(
                &s1.id,
                &NewAccessRule {
                    access_type: "ip".into(),
                    access_to: "10.0.0.0/24".into(),
                    access_level: "rw".into(),
                },
            )
            .map_err(e)?;
        let rules = self.client().list_access_rules(&s1.id).map_err(e)?;
        check(rules.iter().any(|r| r.id == rule.id), || {
            format!("rule {} not listed: {rules:?}", rule.id)
        })?;
        self.client().deny_access(&s1.id, &rule.id).map_err(e)?;
        self.poll("the denied rule to go", || {
            let rules = self.client().list_access_rules(&s1.id).map_err(e)?;
            Ok(!rules.iter().any(|r| r.id == rule.id))
        })?;

        self.step("snapshots: create, wait, show, update, list, share from snapshot, revert");
        let snapshot = self
            .client()
            .create_snapshot(&NewSnapshot {
                share_id: s1.id.clone(),
                name: Some(self.name("snap")),
                description: None,
                force: false,
            })
            .map_err(e)?;
        self.created.push(Created::Snapshot(snapshot.id.clone()));
        let snapshot = self
            .client()
            .wait_for_snapshot(&snapshot.id, "available", wait)
            .map_err(e)?;
        let renamed = self
            .client()
            .update_snapshot(
                &snapshot.id,
                &Update {
                    name: Some(self.name("snap-renamed")),
                    ..Update::default()
                },
            )
            .map_err(e)?;
        check(
            renamed.name.as_deref() == Some(self.name("snap-renamed").as_str()),
            || format!("snapshot update gave {renamed:?}"),
        )?;
        let of_share = self
            .client()
            .list_snapshots(
                &SnapshotFilter {
                    share_id: Some(s1.id.clone()),
                    ..SnapshotFilter::default()
                },
                1,
            )
            .map_err(e)?;
        check(of_share.len() == 1 && of_share[0].id == snapshot.id, || {
            format!("snapshots of s1: {of_share:?}")
        })?;
        let mut from_snapshot = NewShare::new("NFS", 1);
        from_snapshot.name = Some(self.name("s3-restored"));
        from_snapshot.snapshot_id = Some(snapshot.id.clone());
        let s3 = self.client().create_share(&from_snapshot).map_err(e)?;
        self.created.push(Created::Share(s3.id.clone()));
        let s3 = self
            .client()
            .wait_for_share(&s3.id, "available", wait)
            .map_err(e)?;
        check(
            s3.snapshot_id.as_deref() == Some(snapshot.id.as_str()),
            || format!("restored share: {s3:?}"),
        )?;
        self.client()
            .revert_share(&s1.id, &snapshot.id)
            .map_err(e)?;
        self.client()
            .wait_for_share(&s1.id, "available", wait)
            .map_err(e)?;
        refused(
            self.client().delete_share(&s1.id),
            403,
            "deleting a share that has a snapshot",
        )?;
        refused(
            self.client().delete_share_type(&share_type.id),
            400,
            "deleting a share type in use",
        )?;
        refused(
            self.client()
                .show_snapshot("00000000-0000-0000-0000-000000000000"),
            404,
            "an unknown snapshot",
        )?;

        self.step("snapshots: unmanage, manage back");
        let location = self
            .client()
            .show_snapshot(&snapshot.id)
            .map_err(e)?
            .provider_location
            .ok_or("the snapshot shows no provider_location (admin only)")?;
        self.client().unmanage_snapshot(&snapshot.id).map_err(e)?;
        self.client()
            .wait_for_snapshot_gone(&snapshot.id, wait)
            .map_err(e)?;
        self.forget(&snapshot.id);
        let managed = self
            .client()
            .manage_snapshot(&ManageSnapshot {
                share_id: s1.id.clone(),
                provider_location: location,
                name: Some(self.name("snap-managed")),
                description: None,
                driver_options: BTreeMap::new(),
            })
            .map_err(e)?;
        self.created.push(Created::Snapshot(managed.id.clone()));
        self.client()
            .wait_for_snapshot(&managed.id, "available", wait)
            .map_err(e)?;

        self.step("shares: unmanage, manage back");
        let before = self.client().show_share(&s2.id).map_err(e)?;
        let host = before.host.ok_or("the share shows no host (admin only)")?;
        let locations = self.client().export_locations(&s2.id).map_err(e)?;
        let path = locations
            .iter()
            .find(|l| l.preferred == Some(true))
            .or(locations.first())
            .map(|l| l.path.clone())
            .ok_or("the share has no export location")?;
        self.client().unmanage_share(&s2.id).map_err(e)?;
        self.client().wait_for_share_gone(&s2.id, wait).map_err(e)?;
        self.forget(&s2.id);
        let adopted = self
            .client()
            .manage_share(&ManageShare {
                protocol: "NFS".into(),
                export_path: path,
                service_host: host,
                share_type: share_type.id.clone(),
                name: Some(self.name("s2-managed")),
                description: None,
                is_public: None,
                share_server_id: None,
                driver_options: BTreeMap::new(),
            })
            .map_err(e)?;
        self.created.push(Created::Share(adopted.id.clone()));
        self.client()
            .wait_for_share(&adopted.id, "available", wait)
            .map_err(e)?;

        if var("MANILA_CLIENT_TEST_CROSSCHECK").as_deref() == Some("1") {
            self.step("cross-check: openstacksdk lists the same shares and snapshots");
            self.crosscheck(&share_type.id, &share_type.name)?;
        }

        self.step("share servers: list, not found");
        let servers = self.client().list_share_servers().map_err(e)?;
        println!("    {} share server(s)", servers.len());
        refused(
            self.client()
                .show_share_server("00000000-0000-0000-0000-000000000000"),
            404,
            "an unknown share server",
        )?;
        refused(
            self.client()
                .delete_share_server("00000000-0000-0000-0000-000000000000"),
            404,
            "deleting an unknown share server",
        )?;
        self.share_servers(&pools)?;

        self.step("delete everything, waiting until it is gone");
        self.delete_all()?;
        refused(self.client().show_share(&s1.id), 404, "the deleted share")?;
        Ok(())
    }

    /// A share on a back end with share servers: the server cannot be deleted while the
    /// share lives on it.
    fn share_servers(&mut self, pools: &[Pool]) -> Outcome {
        let dhss = pools.iter().find(|p| {
            p.capabilities
                .get("driver_handles_share_servers")
                .is_some_and(|v| v == &serde_json::json!(true) || v == "True" || v == "true")
        });
        let Some(pool) = dhss else {
            if require_real()
                && var("MANILA_CLIENT_TEST_REQUIRE_SHARE_SERVERS").as_deref() == Some("1")
            {
                return Err("no pool with driver_handles_share_servers".into());
            }
            println!(
                "    share server in use: skipped (no pool with driver_handles_share_servers)"
            );
            return Ok(());
        };
        self.step("share servers: a share on its server, delete refused while in use");
        let wait = self.wait;
        let mut new_type = NewShareType::new(self.name("dhss-type"), true);
        new_type.extra_specs = BTreeMap::from([(
            "share_backend_name".into(),
            pool.capabilities
                .get("share_backend_name")
                .and_then(|v| v.as_str())
                .unwrap_or(&pool.backend)
                .to_owned(),
        )]);
        let share_type = self.client().create_share_type(&new_type).map_err(e)?;
        self.created.push(Created::ShareType(share_type.id.clone()));
        let network = self
            .client()
            .create_share_network(&self.name("net"))
            .map_err(e)?;
        self.created.push(Created::ShareNetwork(network.id.clone()));
        let mut new_share = NewShare::new("NFS", 1);
        new_share.name = Some(self.name("on-server"));
        new_share.share_type = Some(share_type.id.clone());
        new_share.share_network_id = Some(network.id.clone());
        let share = self.client().create_share(&new_share).map_err(e)?;
        self.created.push(Created::Share(share.id.clone()));
        let share = self
            .client()
            .wait_for_share(&share.id, "available", wait)
            .map_err(e)?;
        let server_id = share
            .share_server_id
            .clone()
            .ok_or("the share on a DHSS back end has no share server")?;
        let server = self.client().show_share_server(&server_id).map_err(e)?;
        println!("    share server {} is {}", server.id, server.status);
        let listed = self.client().list_share_servers().map_err(e)?;
        check(listed.iter().any(|s| s.id == server_id), || {
            "the share server is not listed".into()
        })?;
        refused(
            self.client().delete_share_server(&server_id),
            409,
            "deleting a share server in use",
        )?;
        self.client().delete_share(&share.id).map_err(e)?;
        self.client()
            .wait_for_share_gone(&share.id, wait)
            .map_err(e)?;
        self.forget(&share.id);
        // Manila may delete an auto-deletable server itself once its last share is gone.
        match self.client().delete_share_server(&server_id) {
            Ok(()) => {}
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(e(err)),
        }
        self.client()
            .wait_for_share_server_gone(&server_id, wait)
            .map_err(e)?;
        Ok(())
    }

    fn crosscheck(&self, share_type_id: &str, share_type_name: &str) -> Outcome {
        let mut ours: Vec<String> = self
            .client()
            .list_shares(
                &ShareFilter {
                    share_type_id: Some(share_type_id.to_owned()),
                    ..ShareFilter::default()
                },
                100,
            )
            .map_err(e)?
            .into_iter()
            .map(|s| s.id)
            .collect();
        ours.sort();
        let mut our_snapshots: Vec<String> = self
            .client()
            .list_snapshots(&SnapshotFilter::default(), 100)
            .map_err(e)?
            .into_iter()
            .filter(|n| ours.contains(&n.share_id))
            .map(|n| n.id)
            .collect();
        our_snapshots.sort();
        let script = r#"
import os, sys, json
import openstack.connection
from keystoneauth1 import noauth, session
if os.environ.get('OS_AUTH_URL'):
    import openstack
    conn = openstack.connect(cloud='envvars')
else:
    # The NoAuth plugin's own token ('notused') overrides an X-Auth-Token given in
    # additional_headers, and manila's noauth then acts in project 'notused': the token
    # has to come from the plugin. Debian's openstacksdk 0.101 negotiates no
    # microversion, and below 2.60 project-less URLs do not route: send one.
    class Token(noauth.NoAuth):
        def get_token(self, session, **kwargs):
            return os.environ['MC_TOKEN']
    sess = session.Session(auth=Token(endpoint=os.environ['MC_ENDPOINT']),
                           additional_headers={'X-OpenStack-Manila-API-Version': os.environ['MC_MICROVERSION']})
    conn = openstack.connection.Connection(session=sess)
sfs = conn.shared_file_system
# openstacksdk 0.101 (Debian 12) takes no share_type_id filter: filter here. Without a
# negotiated microversion (Keystone mode) it reads the 2.0 view, where share_type is the
# type's name; from 2.6 it is the id.
shares = sorted(s.id for s in sfs.shares(details=True) if s.share_type in sys.argv[1:3])
snapshots = sorted(n.id for n in sfs.share_snapshots(details=True) if n.share_id in shares)
print(json.dumps({'shares': shares, 'snapshots': snapshots}))
"#;
        let mut command = Command::new("/usr/bin/python3");
        command
            .arg("-c")
            .arg(script)
            .arg(share_type_id)
            .arg(share_type_name);
        if let Some(url) = var("MANILA_CLIENT_TEST_KEYSTONE_URL") {
            let domain = var("MANILA_CLIENT_TEST_DOMAIN").unwrap_or_else(|| "default".into());
            command
                .env("OS_AUTH_URL", url)
                .env("OS_USERNAME", required("MANILA_CLIENT_TEST_USERNAME")?)
                .env("OS_PASSWORD", required("MANILA_CLIENT_TEST_PASSWORD")?)
                .env(
                    "OS_PROJECT_NAME",
                    required("MANILA_CLIENT_TEST_PROJECT_NAME")?,
                )
                .env("OS_USER_DOMAIN_ID", &domain)
                .env("OS_PROJECT_DOMAIN_ID", &domain)
                .env("OS_IDENTITY_API_VERSION", "3")
                .env(
                    "OS_INTERFACE",
                    var("MANILA_CLIENT_TEST_INTERFACE").unwrap_or_else(|| "public".into()),
                );
            if let Some(region) = var("MANILA_CLIENT_TEST_REGION") {
                command.env("OS_REGION_NAME", region);
            }
        } else {
            let project = self.client().project_id().map_err(e)?.unwrap_or_default();
            let root = self
                .client()
                .endpoint()
                .split("/v2")
                .next()
                .unwrap_or_default()
                .to_owned();
            command
                .env("MC_ENDPOINT", format!("{root}/v2/"))
                .env("MC_TOKEN", format!("admin:{project}"))
                .env("MC_MICROVERSION", self.client().microversion().to_string());
        }
        let output = command
            .output()
            .map_err(|err| format!("running /usr/bin/python3: {err}"))?;
        if !output.status.success() {
            return Err(format!(
                "openstacksdk failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let theirs: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|err| format!("openstacksdk printed no id lists: {err}"))?;
        let ids = |key: &str| -> Vec<String> {
            theirs[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let (their_shares, their_snapshots) = (ids("shares"), ids("snapshots"));
        println!("    shares: ours {ours:?}, openstacksdk {their_shares:?}");
        println!("    snapshots: ours {our_snapshots:?}, openstacksdk {their_snapshots:?}");
        check(
            ours == their_shares && our_snapshots == their_snapshots && !ours.is_empty(),
            || "openstacksdk and this client list different shares or snapshots".into(),
        )
    }

    /// Polls `done` every second for up to the wait timeout.
    fn poll(&self, what: &str, done: impl Fn() -> Result<bool, String>) -> Outcome {
        let start = std::time::Instant::now();
        while start.elapsed() < self.wait.timeout {
            if done()? {
                return Ok(());
            }
            std::thread::sleep(self.wait.interval);
        }
        Err(format!("gave up waiting for {what}"))
    }

    fn delete_all(&mut self) -> Outcome {
        let wait = self.wait;
        let Some(client) = self.client.as_ref() else {
            return Ok(());
        };
        // Snapshots before their shares, shares before their types and networks.
        let order = |c: &Created| match c {
            Created::Snapshot(_) => 0,
            Created::Share(_) => 1,
            Created::ShareNetwork(_) => 2,
            Created::ShareType(_) => 3,
        };
        let mut created = std::mem::take(&mut self.created);
        created.sort_by_key(order);
        let mut first_error = None;
        for item in &created {
            let result = match item {
                Created::Snapshot(id) => client
                    .delete_snapshot(id)
                    .and_then(|()| client.wait_for_snapshot_gone(id, wait)),
                Created::Share(id) => client
                    .delete_share(id)
                    .and_then(|()| client.wait_for_share_gone(id, wait)),
                Created::ShareNetwork(id) => client.delete_share_network(id),
                Created::ShareType(id) => client.delete_share_type(id),
            };
            match result {
                Ok(()) => {}
                Err(err) if err.is_not_found() => {}
                Err(err) => {
                    eprintln!("    cleanup: {item:?}: {err}");
                    first_error.get_or_insert(e(err));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn cleanup(&mut self) {
        if !self.created.is_empty() {
            println!(
                "cleanup: deleting {} leftover resource(s)",
                self.created.len()
            );
            let _ = self.delete_all();
        }
    }
}
