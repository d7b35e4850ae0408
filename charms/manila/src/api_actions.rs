//! The operator actions that talk to Manila's API (`actions/manila-api.yaml`): share types,
//! protection (snapshots, with the semantics of the Karbor share protection plugin), share
//! servers, and manage/unmanage of shares and snapshots.
//!
//! - **Who**: the charm's keystone service user, from the `identity-service` relation
//!   (password authentication scoped to the service project; Keystone's CA when it sent
//!   one). **Where**: the `sharev2` internal endpoint of the catalog in the `region`
//!   option's region; when the catalog has none, this unit's own API (haproxy on 8786).
//! - **Order**: the parameters are read and checked first (a bad one fails the action
//!   naming it, before anything is asked of Manila), then the credentials, then the call.
//! - **Failures** go to `action-fail` with Manila's own message. An action never stops
//!   half-way silently: a snapshot or share it created that failed is deleted again (a
//!   managed one is unmanaged: its data stays on the back end), and the failure says so, or
//!   says which resource is left and in which state.
//! - **Which binary**: these actions run in the charm's second binary, [`BINARY`]
//!   (`src/bin/manila-api-actions.rs`, the charm [`ApiActions`]); the hook binary execs it
//!   for them ([`charm::exec_for_actions`]). The HTTP client, TLS and async runtime they need
//!   are 1.8 MB of the 8.2 MB binary that held them, and every hook paid for them in memory
//!   though it ran none of them: the pages a hook touches are spread over the whole binary
//!   (issue 15: the peak RSS of a config-changed went from 5128 to 4296 KiB without them).

use std::collections::BTreeMap;
use std::time::Duration;

use charm::{Charm, Context, Event};
use databag::Readiness;
use juju::ToolRunner;
use keystone::ServiceCredentials;
use manila_client::{
    Auth, Client, Domain, Endpoint, Error as ApiError, Interface, Keystone, ManageShare,
    ManageSnapshot, NewShare, NewShareType, NewSnapshot, Project, Settings, ShareFilter,
    SnapshotFilter, Wait,
};
use serde_json::{json, Map, Value};

use crate::inputs::endpoint;
use crate::render::API_PORT;

/// Every action of `actions/manila-api.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiAction {
    CreateShareType,
    ListShareTypes,
    DeleteShareType,
    ProtectShare,
    RestoreShare,
    DeleteProtection,
    ListProtectable,
    ListShareServers,
    DeleteShareServer,
    ManageShare,
    UnmanageShare,
    ManageSnapshot,
    UnmanageSnapshot,
}

impl ApiAction {
    pub const ALL: [ApiAction; 13] = [
        ApiAction::CreateShareType,
        ApiAction::ListShareTypes,
        ApiAction::DeleteShareType,
        ApiAction::ProtectShare,
        ApiAction::RestoreShare,
        ApiAction::DeleteProtection,
        ApiAction::ListProtectable,
        ApiAction::ListShareServers,
        ApiAction::DeleteShareServer,
        ApiAction::ManageShare,
        ApiAction::UnmanageShare,
        ApiAction::ManageSnapshot,
        ApiAction::UnmanageSnapshot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ApiAction::CreateShareType => "create-share-type",
            ApiAction::ListShareTypes => "list-share-types",
            ApiAction::DeleteShareType => "delete-share-type",
            ApiAction::ProtectShare => "protect-share",
            ApiAction::RestoreShare => "restore-share",
            ApiAction::DeleteProtection => "delete-protection",
            ApiAction::ListProtectable => "list-protectable",
            ApiAction::ListShareServers => "list-share-servers",
            ApiAction::DeleteShareServer => "delete-share-server",
            ApiAction::ManageShare => "manage-share",
            ApiAction::UnmanageShare => "unmanage-share",
            ApiAction::ManageSnapshot => "manage-snapshot",
            ApiAction::UnmanageSnapshot => "unmanage-snapshot",
        }
    }

    pub fn from_name(name: &str) -> Option<ApiAction> {
        ApiAction::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// The name of the charm's binary that runs these actions, beside the hook binary in `bin/`.
pub const BINARY: &str = "manila-api-actions";

/// The charm as [`BINARY`] runs it: these actions only (the hook binary hands it nothing else).
#[derive(Debug)]
pub struct ApiActions;

impl Charm for ApiActions {
    const METADATA: &'static str = crate::Manila::METADATA;
    const ACTIONS: &'static str = crate::Manila::ACTIONS;

    fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()> {
        match event {
            Event::Action(action) => match ApiAction::from_name(&action.name) {
                Some(action) => run(ctx, action),
                None => anyhow::bail!(
                    "{BINARY} runs the actions on Manila's API, not '{}'",
                    action.name
                ),
            },
            other => anyhow::bail!("{BINARY} runs actions only, not {other:?}"),
        }
    }
}

/// The failure message when there are no credentials to act with.
pub const NO_KEYSTONE: &str = "the identity-service relation is not ready: relate this \
     application to keystone (these actions act as the charm's keystone service user)";

/// One validated call: what the action will ask of Manila.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    CreateShareType(NewShareType),
    ListShareTypes,
    DeleteShareType {
        share_type: String,
    },
    ProtectShare {
        snapshot: NewSnapshot,
        timeout: Duration,
    },
    RestoreShare {
        snapshot_id: String,
        name: Option<String>,
        description: Option<String>,
        timeout: Duration,
    },
    DeleteProtection {
        snapshot_id: String,
        timeout: Duration,
    },
    ListProtectable {
        project_id: Option<String>,
    },
    ListShareServers,
    DeleteShareServer {
        id: String,
        timeout: Duration,
    },
    ManageShare {
        manage: ManageShare,
        timeout: Duration,
    },
    UnmanageShare {
        id: String,
        timeout: Duration,
    },
    ManageSnapshot {
        manage: ManageSnapshot,
        timeout: Duration,
    },
    UnmanageSnapshot {
        id: String,
        timeout: Duration,
    },
}

/// Reads an action's parameters (already checked against the schema for types and required
/// keys) into a [`Call`]. `default_share_type` is the `default-share-type` option.
pub fn parse(
    action: ApiAction,
    params: &Map<String, Value>,
    default_share_type: &str,
) -> Result<Call, String> {
    let p = Params(params);
    Ok(match action {
        ApiAction::CreateShareType => {
            let name = p
                .text("name")?
                .unwrap_or_else(|| default_share_type.to_owned());
            if name.trim().is_empty() {
                return Err("invalid parameter 'name': no name given, and the \
                            default-share-type option is empty"
                    .to_owned());
            }
            let extra_specs = p.pairs("extra-specs")?;
            if extra_specs.contains_key("driver_handles_share_servers") {
                return Err(
                    "invalid parameter 'extra-specs': set driver_handles_share_servers \
                            with the driver-handles-share-servers parameter"
                        .to_owned(),
                );
            }
            Call::CreateShareType(NewShareType {
                name,
                driver_handles_share_servers: p.flag("driver-handles-share-servers", false)?,
                extra_specs,
                is_public: p.flag("public", true)?,
                description: p.text("description")?,
            })
        }
        ApiAction::ListShareTypes => Call::ListShareTypes,
        ApiAction::DeleteShareType => Call::DeleteShareType {
            share_type: p.required("share-type")?,
        },
        ApiAction::ProtectShare => Call::ProtectShare {
            snapshot: NewSnapshot {
                share_id: p.required("share-id")?,
                name: p.text("snapshot-name")?,
                description: p.text("description")?,
                force: p.flag("force", false)?,
            },
            timeout: p.timeout(300)?,
        },
        ApiAction::RestoreShare => Call::RestoreShare {
            snapshot_id: p.required("snapshot-id")?,
            name: p.text("restore-name")?,
            description: p.text("restore-description")?,
            timeout: p.timeout(600)?,
        },
        ApiAction::DeleteProtection => Call::DeleteProtection {
            snapshot_id: p.required("snapshot-id")?,
            timeout: p.timeout(300)?,
        },
        ApiAction::ListProtectable => Call::ListProtectable {
            project_id: p.text("project-id")?,
        },
        ApiAction::ListShareServers => Call::ListShareServers,
        ApiAction::DeleteShareServer => Call::DeleteShareServer {
            id: p.required("share-server-id")?,
            timeout: p.timeout(300)?,
        },
        ApiAction::ManageShare => Call::ManageShare {
            manage: ManageShare {
                protocol: p.text("protocol")?.unwrap_or_else(|| "NFS".to_owned()),
                export_path: p.required("export-path")?,
                service_host: p.required("service-host")?,
                share_type: p
                    .text("share-type")?
                    .unwrap_or_else(|| default_share_type.to_owned()),
                name: p.text("name")?,
                description: p.text("description")?,
                is_public: None,
                share_server_id: p.text("share-server-id")?,
                driver_options: p.pairs("driver-options")?,
            },
            timeout: p.timeout(300)?,
        },
        ApiAction::UnmanageShare => Call::UnmanageShare {
            id: p.required("share-id")?,
            timeout: p.timeout(300)?,
        },
        ApiAction::ManageSnapshot => Call::ManageSnapshot {
            manage: ManageSnapshot {
                share_id: p.required("share-id")?,
                provider_location: p.required("provider-location")?,
                name: p.text("name")?,
                description: p.text("description")?,
                driver_options: p.pairs("driver-options")?,
            },
            timeout: p.timeout(300)?,
        },
        ApiAction::UnmanageSnapshot => Call::UnmanageSnapshot {
            id: p.required("snapshot-id")?,
            timeout: p.timeout(300)?,
        },
    })
}

struct Params<'a>(&'a Map<String, Value>);

impl Params<'_> {
    /// A string parameter; empty means not given.
    fn text(&self, name: &str) -> Result<Option<String>, String> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(format!(
                "invalid parameter '{name}': expected a string, got {other}"
            )),
        }
    }

    fn required(&self, name: &str) -> Result<String, String> {
        self.text(name)?
            .ok_or_else(|| format!("missing parameter '{name}'"))
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool, String> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(format!(
                "invalid parameter '{name}': expected true or false, got {other}"
            )),
        }
    }

    fn timeout(&self, default: u64) -> Result<Duration, String> {
        match self.0.get("timeout") {
            None | Some(Value::Null) => Ok(Duration::from_secs(default)),
            Some(value) => match value.as_u64() {
                Some(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
                _ => Err(format!(
                    "invalid parameter 'timeout': expected a positive number of seconds, got {value}"
                )),
            },
        }
    }

    fn pairs(&self, name: &str) -> Result<BTreeMap<String, String>, String> {
        parse_pairs(name, self.text(name)?.as_deref().unwrap_or(""))
    }
}

/// `key=value` pairs separated by spaces or commas (`snapshot_support=True,foo=bar`).
pub fn parse_pairs(param: &str, text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut pairs = BTreeMap::new();
    for item in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!(
                "invalid parameter '{param}': '{item}' is not a key=value pair"
            ));
        };
        if key.is_empty() {
            return Err(format!(
                "invalid parameter '{param}': '{item}' has no key before '='"
            ));
        }
        if pairs.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(format!(
                "invalid parameter '{param}': '{key}' is given twice"
            ));
        }
    }
    Ok(pairs)
}

/// How the charm reaches Manila as its service user: password authentication with the
/// relation's credentials, the catalog's internal `sharev2` endpoint in `region`.
pub fn settings(credentials: &ServiceCredentials, region: &str) -> Result<Settings, String> {
    if credentials.api_version == Some(2) {
        return Err("keystone offers only its v2 API; these actions need Keystone v3".to_owned());
    }
    let domain = match (&credentials.service_domain_id, &credentials.service_domain) {
        (Some(id), _) => Domain::Id(id.clone()),
        (None, Some(name)) => Domain::Name(name.clone()),
        (None, None) => Domain::Id("default".to_owned()),
    };
    let auth = Auth::Keystone(Keystone {
        auth_url: credentials.auth_url(),
        username: credentials.service_username.clone(),
        password: credentials.service_password.clone(),
        user_domain: domain,
        project: Project::Id(credentials.service_tenant_id.clone()),
    });
    let mut settings = Settings::new(
        auth,
        Endpoint::Catalog {
            interface: Interface::Internal,
            region: Some(region.to_owned()),
        },
    );
    settings.ca_certificate = credentials.ca_cert.clone();
    Ok(settings)
}

/// Runs `action`: its results go to `action-set`, its failure to `action-fail`.
pub fn run<R: ToolRunner>(ctx: &mut Context<R>, action: ApiAction) -> anyhow::Result<()> {
    let outcome = prepare_and_execute(ctx, action);
    let run = ctx.action()?;
    match outcome {
        Ok(results) => {
            for (key, value) in results {
                run.set(&key, value)?;
            }
        }
        Err(message) => run.fail(message),
    }
    Ok(())
}

type Results = BTreeMap<String, String>;

fn prepare_and_execute<R: ToolRunner>(
    ctx: &mut Context<R>,
    action: ApiAction,
) -> Result<Results, String> {
    let params = ctx
        .action()
        .map_err(|e| e.to_string())?
        .raw_params()
        .clone();
    let config = ctx.config().map_err(|e| e.to_string())?;
    let default_share_type = config.string("default-share-type").unwrap_or_default();
    let region = config
        .string("region")
        .unwrap_or_else(|_| "RegionOne".to_owned());
    let call = parse(action, &params, &default_share_type)?;
    let credentials = credentials(ctx)?;
    let client = connect(&credentials, &region)?;
    execute(&client, call)
}

fn credentials<R: ToolRunner>(ctx: &mut Context<R>) -> Result<ServiceCredentials, String> {
    let mut relations = ctx.relations();
    let ids = relations
        .ids(endpoint::IDENTITY_SERVICE)
        .map_err(|e| e.to_string())?;
    let mut bags = BTreeMap::new();
    for id in &ids {
        for unit in relations.units(id).map_err(|e| e.to_string())? {
            let bag = relations.unit_data(id, &unit).map_err(|e| e.to_string())?;
            bags.insert(unit, bag);
        }
    }
    match ServiceCredentials::from_bags(&bags) {
        Ok(Readiness::Ready(credentials)) => Ok(credentials),
        Ok(Readiness::Incomplete { .. }) => Err(NO_KEYSTONE.to_owned()),
        Err(e) => Err(format!(
            "the identity-service relation's data is malformed: {e}"
        )),
    }
}

fn connect(credentials: &ServiceCredentials, region: &str) -> Result<Client, String> {
    let settings = settings(credentials, region)?;
    match Client::connect(settings.clone()) {
        Ok(client) => Ok(client),
        Err(missing @ ApiError::NoEndpoint { .. }) => {
            // Keystone has not registered Manila (yet): this unit's own API, if it has one.
            let local = format!(
                "http://127.0.0.1:{API_PORT}/v2/{}",
                credentials.service_tenant_id
            );
            let mut settings = settings;
            settings.endpoint = Endpoint::Url(local.clone());
            Client::connect(settings).map_err(|e| format!("{missing}; and at {local}: {e}"))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn wait(timeout: Duration) -> Wait {
    Wait {
        timeout,
        interval: Duration::from_secs(2),
    }
}

fn json_text(value: &Value) -> String {
    value.to_string()
}

/// Asks Manila for `call` and returns the action's results.
pub fn execute(client: &Client, call: Call) -> Result<Results, String> {
    let mut results = Results::new();
    let text = |e: ApiError| e.to_string();
    match call {
        Call::CreateShareType(new) => {
            if let Some(existing) = client.find_share_type(&new.name).map_err(text)? {
                return Err(format!(
                    "share type '{}' already exists (id {})",
                    existing.name, existing.id
                ));
            }
            let created = client.create_share_type(&new).map_err(text)?;
            results.insert("id".into(), created.id);
            results.insert("name".into(), created.name);
            results.insert(
                "driver-handles-share-servers".into(),
                new.driver_handles_share_servers.to_string(),
            );
            results.insert("extra-specs".into(), json_text(&json!(created.extra_specs)));
        }
        Call::ListShareTypes => {
            let types = client.list_share_types().map_err(text)?;
            let listed: Vec<Value> = types
                .iter()
                .map(|t| {
                    json!({"id": t.id, "name": t.name, "extra_specs": t.extra_specs,
                           "public": t.is_public, "default": t.is_default})
                })
                .collect();
            results.insert("count".into(), types.len().to_string());
            results.insert("share-types".into(), json_text(&json!(listed)));
        }
        Call::DeleteShareType { share_type } => {
            let found = client
                .find_share_type(&share_type)
                .map_err(text)?
                .ok_or_else(|| format!("no share type is named or has the id '{share_type}'"))?;
            client.delete_share_type(&found.id).map_err(text)?;
            results.insert("deleted".into(), found.id);
            results.insert("name".into(), found.name);
        }
        Call::ProtectShare { snapshot, timeout } => {
            let created = client.create_snapshot(&snapshot).map_err(text)?;
            match client.wait_for_snapshot(&created.id, "available", wait(timeout)) {
                Ok(ready) => {
                    results.insert("snapshot-id".into(), ready.id);
                    results.insert("snapshot-name".into(), ready.name.unwrap_or_default());
                    results.insert("share-id".into(), ready.share_id);
                    results.insert("status".into(), ready.status);
                }
                Err(failure) => {
                    let cleanup = client
                        .delete_snapshot(&created.id)
                        .and_then(|()| client.wait_for_snapshot_gone(&created.id, wait(timeout)));
                    return Err(undone(
                        &failure,
                        "snapshot",
                        &created.id,
                        "deleted",
                        cleanup,
                    ));
                }
            }
        }
        Call::RestoreShare {
            snapshot_id,
            name,
            description,
            timeout,
        } => {
            let snapshot = client.show_snapshot(&snapshot_id).map_err(text)?;
            if snapshot.status != "available" {
                return Err(format!(
                    "snapshot '{snapshot_id}' is {}, not available: it cannot be restored now",
                    snapshot.status
                ));
            }
            let size = snapshot
                .share_size
                .or(snapshot.size)
                .ok_or_else(|| format!("snapshot '{snapshot_id}' shows no size"))?;
            let protocol = snapshot
                .share_proto
                .clone()
                .ok_or_else(|| format!("snapshot '{snapshot_id}' shows no share protocol"))?;
            let mut new = NewShare::new(protocol, size);
            new.name = name;
            new.description = description;
            new.snapshot_id = Some(snapshot_id.clone());
            let created = client.create_share(&new).map_err(text)?;
            match client.wait_for_share(&created.id, "available", wait(timeout)) {
                Ok(share) => {
                    let paths: Vec<String> = client
                        .export_locations(&share.id)
                        .map_err(text)?
                        .into_iter()
                        .map(|l| l.path)
                        .collect();
                    results.insert("share-id".into(), share.id);
                    results.insert("share-name".into(), share.name.unwrap_or_default());
                    results.insert("status".into(), share.status);
                    results.insert("size".into(), share.size.unwrap_or(size).to_string());
                    results.insert("snapshot-id".into(), snapshot_id);
                    results.insert("export-locations".into(), json_text(&json!(paths)));
                }
                Err(failure) => {
                    let cleanup = client
                        .delete_share(&created.id)
                        .and_then(|()| client.wait_for_share_gone(&created.id, wait(timeout)));
                    return Err(undone(&failure, "share", &created.id, "deleted", cleanup));
                }
            }
        }
        Call::DeleteProtection {
            snapshot_id,
            timeout,
        } => {
            client.delete_snapshot(&snapshot_id).map_err(text)?;
            client
                .wait_for_snapshot_gone(&snapshot_id, wait(timeout))
                .map_err(text)?;
            results.insert("deleted".into(), snapshot_id);
        }
        Call::ListProtectable { project_id } => {
            let filter = ShareFilter {
                project_id: project_id.clone(),
                all_tenants: true,
                ..ShareFilter::default()
            };
            let shares = client.list_shares(&filter, 500).map_err(text)?;
            let snapshots = client
                .list_snapshots(
                    &SnapshotFilter {
                        all_tenants: true,
                        ..SnapshotFilter::default()
                    },
                    500,
                )
                .map_err(text)?;
            let listed: Vec<Value> = shares
                .iter()
                .map(|s| {
                    let of_share: Vec<Value> = snapshots
                        .iter()
                        .filter(|n| n.share_id == s.id)
                        .map(|n| json!({"id": n.id, "name": n.name, "status": n.status}))
                        .collect();
                    json!({"id": s.id, "name": s.name, "status": s.status, "size": s.size,
                           "protocol": s.share_proto, "project_id": s.project_id,
                           "snapshots": of_share})
                })
                .collect();
            results.insert("count".into(), shares.len().to_string());
            results.insert("shares".into(), json_text(&json!(listed)));
        }
        Call::ListShareServers => {
            let servers = client.list_share_servers().map_err(text)?;
            let listed: Vec<Value> = servers
                .iter()
                .map(|s| {
                    json!({"id": s.id, "status": s.status, "host": s.host,
                           "project_id": s.project_id, "share_network_id": s.share_network_id,
                           "share_network_name": s.share_network_name})
                })
                .collect();
            results.insert("count".into(), servers.len().to_string());
            results.insert("share-servers".into(), json_text(&json!(listed)));
        }
        Call::DeleteShareServer { id, timeout } => {
            let in_use = |client: &Client| -> Result<Vec<String>, String> {
                let filter = ShareFilter {
                    share_server_id: Some(id.clone()),
                    all_tenants: true,
                    ..ShareFilter::default()
                };
                Ok(client
                    .list_shares(&filter, 500)
                    .map_err(text)?
                    .into_iter()
                    .map(|s| s.id)
                    .collect())
            };
            let refused = |shares: &[String]| {
                format!(
                    "share server '{id}' still hosts {} share(s): {}; delete or unmanage them first",
                    shares.len(),
                    shares.join(", ")
                )
            };
            client.show_share_server(&id).map_err(text)?;
            let shares = in_use(client)?;
            if !shares.is_empty() {
                return Err(refused(&shares));
            }
            match client.delete_share_server(&id) {
                Ok(()) => {}
                Err(e) if e.is_conflict() => {
                    let shares = in_use(client)?;
                    return Err(if shares.is_empty() {
                        e.to_string()
                    } else {
                        refused(&shares)
                    });
                }
                Err(e) => return Err(e.to_string()),
            }
            client
                .wait_for_share_server_gone(&id, wait(timeout))
                .map_err(text)?;
            results.insert("deleted".into(), id);
        }
        Call::ManageShare { manage, timeout } => {
            let created = client.manage_share(&manage).map_err(text)?;
            match client.wait_for_share(&created.id, "available", wait(timeout)) {
                Ok(share) => {
                    results.insert("share-id".into(), share.id);
                    results.insert("status".into(), share.status);
                    results.insert(
                        "size".into(),
                        share.size.map(|s| s.to_string()).unwrap_or_default(),
                    );
                    results.insert(
                        "share-type".into(),
                        share.share_type_name.unwrap_or_default(),
                    );
                }
                Err(failure) => {
                    // Deleting would destroy the operator's data on the back end: let the
                    // record go instead.
                    let cleanup = client
                        .unmanage_share(&created.id)
                        .and_then(|()| client.wait_for_share_gone(&created.id, wait(timeout)));
                    return Err(undone(&failure, "share", &created.id, "unmanaged", cleanup));
                }
            }
        }
        Call::UnmanageShare { id, timeout } => {
            client.unmanage_share(&id).map_err(text)?;
            client
                .wait_for_share_gone(&id, wait(timeout))
                .map_err(text)?;
            results.insert("unmanaged".into(), id);
        }
        Call::ManageSnapshot { manage, timeout } => {
            let created = client.manage_snapshot(&manage).map_err(text)?;
            match client.wait_for_snapshot(&created.id, "available", wait(timeout)) {
                Ok(snapshot) => {
                    results.insert("snapshot-id".into(), snapshot.id);
                    results.insert("status".into(), snapshot.status);
                    results.insert("share-id".into(), snapshot.share_id);
                }
                Err(failure) => {
                    let cleanup = client
                        .unmanage_snapshot(&created.id)
                        .and_then(|()| client.wait_for_snapshot_gone(&created.id, wait(timeout)));
                    return Err(undone(
                        &failure,
                        "snapshot",
                        &created.id,
                        "unmanaged",
                        cleanup,
                    ));
                }
            }
        }
        Call::UnmanageSnapshot { id, timeout } => {
            client.unmanage_snapshot(&id).map_err(text)?;
            client
                .wait_for_snapshot_gone(&id, wait(timeout))
                .map_err(text)?;
            results.insert("unmanaged".into(), id);
        }
    }
    Ok(results)
}

/// The failure of an action that created `kind` `id` and then tried to take it back:
/// what went wrong, and whether the resource is gone or which one is left.
fn undone(
    failure: &ApiError,
    kind: &str,
    id: &str,
    undo: &str,
    cleanup: Result<(), ApiError>,
) -> String {
    match cleanup {
        Ok(()) => format!("{failure}; the {kind} was {undo} again"),
        Err(e) => {
            format!("{failure}; the {kind} '{id}' is left behind (it could not be {undo}: {e})")
        }
    }
}
