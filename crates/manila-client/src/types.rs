//! Manila's resources as the v2 API answers them (detail views, at the negotiated
//! microversion), and the bodies of the requests that create and change them.
//!
//! Fields Manila adds at later microversions, or shows to admins only, are `Option`s or
//! defaults: a response is read whatever the server chose to show.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Value};

/// Extra specs are strings on the wire (`"False"`); a few older servers answer booleans.
fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                Value::Bool(true) => "True".to_owned(),
                Value::Bool(false) => "False".to_owned(),
                other => other.to_string(),
            };
            (k, text)
        })
        .collect())
}

/// A share type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ShareType {
    pub id: String,
    pub name: String,
    #[serde(default, deserialize_with = "string_map")]
    pub extra_specs: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "string_map")]
    pub required_extra_specs: BTreeMap<String, String>,
    #[serde(rename = "share_type_access:is_public", default = "yes")]
    pub is_public: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_default: Option<bool>,
}

fn yes() -> bool {
    true
}

impl ShareType {
    /// The required extra spec every share type has.
    pub fn driver_handles_share_servers(&self) -> Option<bool> {
        self.extra_specs
            .get("driver_handles_share_servers")
            .and_then(|v| parse_bool(v))
    }
}

/// Manila's reading of a boolean extra spec (oslo's `bool_from_string`, strict subset).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "<is> true" => Some(true),
        "false" | "0" | "no" | "off" | "<is> false" => Some(false),
        _ => None,
    }
}

/// `POST /types`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShareType {
    pub name: String,
    /// The one required extra spec: whether the back end creates share servers.
    pub driver_handles_share_servers: bool,
    /// Any other extra specs (`snapshot_support` = `True`, …); a
    /// `driver_handles_share_servers` here is overridden by the field above.
    pub extra_specs: BTreeMap<String, String>,
    pub is_public: bool,
    pub description: Option<String>,
}

impl NewShareType {
    pub fn new(name: impl Into<String>, driver_handles_share_servers: bool) -> NewShareType {
        NewShareType {
            name: name.into(),
            driver_handles_share_servers,
            extra_specs: BTreeMap::new(),
            is_public: true,
            description: None,
        }
    }

    pub fn to_body(&self) -> Value {
        let mut specs: Map<String, Value> = self
            .extra_specs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        specs.insert(
            "driver_handles_share_servers".to_owned(),
            Value::String(python_bool(self.driver_handles_share_servers).to_owned()),
        );
        let mut share_type = json!({
            "name": self.name,
            "share_type_access:is_public": self.is_public,
            "extra_specs": specs,
        });
        if let Some(description) = &self.description {
            share_type["description"] = json!(description);
        }
        json!({ "share_type": share_type })
    }
}

fn python_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// A share (detail view).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Share {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub status: String,
    /// GiB; `None` while a managed share's size is not known yet.
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub share_proto: Option<String>,
    /// The share type's id (from microversion 2.6).
    #[serde(default)]
    pub share_type: Option<String>,
    #[serde(default)]
    pub share_type_name: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub snapshot_id: Option<String>,
    #[serde(default)]
    pub share_network_id: Option<String>,
    /// Shown to admins only.
    #[serde(default)]
    pub share_server_id: Option<String>,
    /// `host@backend#pool`; shown to admins only.
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub is_public: Option<bool>,
    #[serde(default)]
    pub task_state: Option<String>,
    #[serde(default)]
    pub access_rules_status: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "string_map")]
    pub metadata: BTreeMap<String, String>,
}

/// `POST /shares`: a new share, empty or from a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShare {
    /// `NFS`, `CIFS`, `CEPHFS`, …
    pub share_proto: String,
    /// GiB.
    pub size: u64,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Name or id; the server's default share type when `None`.
    pub share_type: Option<String>,
    pub snapshot_id: Option<String>,
    pub share_network_id: Option<String>,
    pub availability_zone: Option<String>,
    pub is_public: Option<bool>,
    pub metadata: BTreeMap<String, String>,
}

impl NewShare {
    pub fn new(share_proto: impl Into<String>, size: u64) -> NewShare {
        NewShare {
            share_proto: share_proto.into(),
            size,
            name: None,
            description: None,
            share_type: None,
            snapshot_id: None,
            share_network_id: None,
            availability_zone: None,
            is_public: None,
            metadata: BTreeMap::new(),
        }
    }

    pub fn to_body(&self) -> Value {
        let mut share = Map::new();
        share.insert("share_proto".into(), json!(self.share_proto));
        share.insert("size".into(), json!(self.size));
        insert_some(&mut share, "name", &self.name);
        insert_some(&mut share, "description", &self.description);
        insert_some(&mut share, "share_type", &self.share_type);
        insert_some(&mut share, "snapshot_id", &self.snapshot_id);
        insert_some(&mut share, "share_network_id", &self.share_network_id);
        insert_some(&mut share, "availability_zone", &self.availability_zone);
        if let Some(public) = self.is_public {
            share.insert("is_public".into(), json!(public));
        }
        if !self.metadata.is_empty() {
            share.insert("metadata".into(), json!(self.metadata));
        }
        json!({ "share": share })
    }
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), json!(value));
    }
}

/// `PUT /shares/{id}` and `PUT /snapshots/{id}`: what to change (`None` keeps it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Shares only; ignored for snapshots.
    pub is_public: Option<bool>,
}

impl Update {
    /// The v2 API still takes the v1 names `display_name` and `display_description`.
    pub fn to_body(&self, resource: &str) -> Value {
        let mut fields = Map::new();
        insert_some(&mut fields, "display_name", &self.name);
        insert_some(&mut fields, "display_description", &self.description);
        if resource == "share" {
            if let Some(public) = self.is_public {
                fields.insert("is_public".into(), json!(public));
            }
        }
        json!({ resource: fields })
    }
}

/// `POST /shares/manage`: bring a share that exists on a back end under Manila.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManageShare {
    pub protocol: String,
    pub export_path: String,
    /// `host@backend#pool`.
    pub service_host: String,
    /// Name or id of a share type with `driver_handles_share_servers` = False (or, from
    /// 2.49, True with `share_server_id`).
    pub share_type: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub is_public: Option<bool>,
    pub share_server_id: Option<String>,
    pub driver_options: BTreeMap<String, String>,
}

impl ManageShare {
    pub fn to_body(&self) -> Value {
        let mut share = Map::new();
        share.insert("protocol".into(), json!(self.protocol));
        share.insert("export_path".into(), json!(self.export_path));
        share.insert("service_host".into(), json!(self.service_host));
        share.insert("share_type".into(), json!(self.share_type));
        insert_some(&mut share, "name", &self.name);
        insert_some(&mut share, "description", &self.description);
        insert_some(&mut share, "share_server_id", &self.share_server_id);
        if let Some(public) = self.is_public {
            share.insert("is_public".into(), json!(public));
        }
        if !self.driver_options.is_empty() {
            share.insert("driver_options".into(), json!(self.driver_options));
        }
        json!({ "share": share })
    }
}

/// Filters of `GET /shares/detail` (all `None`: every share the caller sees in its project).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShareFilter {
    pub name: Option<String>,
    pub status: Option<String>,
    pub share_type_id: Option<String>,
    pub snapshot_id: Option<String>,
    pub share_server_id: Option<String>,
    pub share_network_id: Option<String>,
    pub host: Option<String>,
    pub project_id: Option<String>,
    /// Admins: every project's shares.
    pub all_tenants: bool,
}

impl ShareFilter {
    pub fn to_query(&self) -> Vec<(String, String)> {
        query(
            [
                ("name", &self.name),
                ("status", &self.status),
                ("share_type_id", &self.share_type_id),
                ("snapshot_id", &self.snapshot_id),
                ("share_server_id", &self.share_server_id),
                ("share_network_id", &self.share_network_id),
                ("host", &self.host),
                ("project_id", &self.project_id),
            ],
            self.all_tenants,
        )
    }
}

/// A list's query string: each filter that is set, in order, then `all_tenants=1` when
/// asked for (admins: every project's resources).
fn query<const N: usize>(
    filters: [(&str, &Option<String>); N],
    all_tenants: bool,
) -> Vec<(String, String)> {
    let mut query: Vec<(String, String)> = filters
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|v| (key.to_owned(), v.clone())))
        .collect();
    if all_tenants {
        query.push(("all_tenants".to_owned(), "1".to_owned()));
    }
    query
}

/// A share's export location.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ExportLocation {
    pub id: String,
    pub path: String,
    #[serde(default)]
    pub preferred: Option<bool>,
    #[serde(default)]
    pub is_admin_only: Option<bool>,
}

/// A snapshot (detail view).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Snapshot {
    pub id: String,
    pub share_id: String,
    pub status: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub share_size: Option<u64>,
    #[serde(default)]
    pub share_proto: Option<String>,
    /// Where the back end keeps it; admins only (from 2.12). What manage needs.
    #[serde(default)]
    pub provider_location: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `POST /snapshots`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSnapshot {
    pub share_id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Snapshot a share even while it is busy.
    pub force: bool,
}

impl NewSnapshot {
    pub fn to_body(&self) -> Value {
        let mut snapshot = Map::new();
        snapshot.insert("share_id".into(), json!(self.share_id));
        snapshot.insert("force".into(), json!(self.force));
        insert_some(&mut snapshot, "name", &self.name);
        insert_some(&mut snapshot, "description", &self.description);
        json!({ "snapshot": snapshot })
    }
}

/// `POST /snapshots/manage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManageSnapshot {
    pub share_id: String,
    pub provider_location: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub driver_options: BTreeMap<String, String>,
}

impl ManageSnapshot {
    pub fn to_body(&self) -> Value {
        let mut snapshot = Map::new();
        snapshot.insert("share_id".into(), json!(self.share_id));
        snapshot.insert("provider_location".into(), json!(self.provider_location));
        insert_some(&mut snapshot, "name", &self.name);
        insert_some(&mut snapshot, "description", &self.description);
        if !self.driver_options.is_empty() {
            snapshot.insert("driver_options".into(), json!(self.driver_options));
        }
        json!({ "snapshot": snapshot })
    }
}

/// Filters of `GET /snapshots/detail`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotFilter {
    pub share_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub all_tenants: bool,
}

impl SnapshotFilter {
    pub fn to_query(&self) -> Vec<(String, String)> {
        query(
            [
                ("share_id", &self.share_id),
                ("name", &self.name),
                ("status", &self.status),
            ],
            self.all_tenants,
        )
    }
}

/// A share server: what a back end with `driver_handles_share_servers` creates per share
/// network to host shares.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ShareServer {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub share_network_id: Option<String>,
    #[serde(default)]
    pub share_network_name: Option<String>,
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub is_auto_deletable: Option<bool>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A share network (what a share server is created for).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ShareNetwork {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
}

/// A back-end storage pool, as the scheduler reports it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Pool {
    /// `host@backend#pool`: what `service_host` of manage takes.
    pub name: String,
    pub host: String,
    pub backend: String,
    pub pool: String,
    #[serde(default)]
    pub capabilities: Map<String, Value>,
}

/// One of Manila's services, as `GET /services` lists them (admins only): the scheduler,
/// the data service, and one `manila-share` per back end (`host@backend`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Service {
    pub id: u64,
    /// `manila-scheduler`, `manila-share`, `manila-data`.
    pub binary: String,
    /// `host`, or `host@backend` for `manila-share`.
    pub host: String,
    #[serde(default)]
    pub zone: Option<String>,
    /// `enabled` or `disabled`: whether an operator lets it take work.
    pub status: String,
    /// `up` or `down`: whether it reported in recently.
    pub state: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl Service {
    pub fn is_up(&self) -> bool {
        self.state == "up"
    }
}

/// Filters of `GET /services` (all `None`: every service).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceFilter {
    pub binary: Option<String>,
    pub host: Option<String>,
    pub zone: Option<String>,
    pub state: Option<String>,
    pub status: Option<String>,
}

impl ServiceFilter {
    pub fn to_query(&self) -> Vec<(String, String)> {
        query(
            [
                ("binary", &self.binary),
                ("host", &self.host),
                ("zone", &self.zone),
                ("state", &self.state),
                ("status", &self.status),
            ],
            false,
        )
    }
}

/// An access rule of a share.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AccessRule {
    pub id: String,
    #[serde(default)]
    pub share_id: Option<String>,
    pub access_type: String,
    pub access_to: String,
    pub access_level: String,
    /// `queued_to_apply`, `applying`, `active`, `error`, …
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `allow_access`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccessRule {
    /// `ip`, `cert`, `user`, `cephx`.
    pub access_type: String,
    pub access_to: String,
    /// `rw` or `ro`.
    pub access_level: String,
}

impl NewAccessRule {
    pub fn to_body(&self) -> Value {
        json!({"allow_access": {
            "access_type": self.access_type,
            "access_to": self.access_to,
            "access_level": self.access_level,
        }})
    }
}

/// A user message: what Manila tells users about an asynchronous failure (the reason a
/// share went to `error`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Message {
    pub id: String,
    #[serde(default)]
    pub resource_id: Option<String>,
    pub user_message: String,
    #[serde(default)]
    pub created_at: Option<String>,
}
