//! Every call of the client as data: method, path under the endpoint, query and body.
//! [`crate::Client`] sends them; tests read them.

use serde_json::{json, Value};

use crate::types::{
    ManageShare, ManageSnapshot, NewAccessRule, NewShare, NewShareType, NewSnapshot, ServiceFilter,
    ShareFilter, SnapshotFilter, Update,
};

/// An HTTP method of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One call: `path` is relative to the endpoint (`/shares/detail`).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Request {
    fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    fn get(path: impl Into<String>) -> Request {
        Request::new(Method::Get, path)
    }

    fn delete(path: impl Into<String>) -> Request {
        Request::new(Method::Delete, path)
    }

    fn post(path: impl Into<String>, body: Value) -> Request {
        Request {
            body: Some(body),
            ..Request::new(Method::Post, path)
        }
    }

    fn put(path: impl Into<String>, body: Value) -> Request {
        Request {
            body: Some(body),
            ..Request::new(Method::Put, path)
        }
    }

    fn query(mut self, query: Vec<(String, String)>) -> Request {
        self.query = query;
        self
    }
}

/// Ids go into paths: anything but unreserved characters is percent-encoded, so an id
/// given by an operator cannot reach another path.
fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `GET /types?is_public=all`: public and private types (private ones are shown to
/// admins and to the projects they are shared with).
pub fn list_share_types() -> Request {
    Request::get("/types").query(vec![("is_public".into(), "all".into())])
}

pub fn show_share_type(id: &str) -> Request {
    Request::get(format!("/types/{}", segment(id)))
}

pub fn create_share_type(new: &NewShareType) -> Request {
    Request::post("/types", new.to_body())
}

pub fn delete_share_type(id: &str) -> Request {
    Request::delete(format!("/types/{}", segment(id)))
}

pub fn list_shares(filter: &ShareFilter) -> Request {
    Request::get("/shares/detail").query(filter.to_query())
}

pub fn show_share(id: &str) -> Request {
    Request::get(format!("/shares/{}", segment(id)))
}

pub fn create_share(new: &NewShare) -> Request {
    Request::post("/shares", new.to_body())
}

pub fn update_share(id: &str, update: &Update) -> Request {
    Request::put(format!("/shares/{}", segment(id)), update.to_body("share"))
}

pub fn delete_share(id: &str) -> Request {
    Request::delete(format!("/shares/{}", segment(id)))
}

fn share_action(id: &str, body: Value) -> Request {
    Request::post(format!("/shares/{}/action", segment(id)), body)
}

pub fn extend_share(id: &str, new_size: u64) -> Request {
    share_action(id, json!({"extend": {"new_size": new_size}}))
}

pub fn shrink_share(id: &str, new_size: u64) -> Request {
    share_action(id, json!({"shrink": {"new_size": new_size}}))
}

pub fn revert_share(id: &str, snapshot_id: &str) -> Request {
    share_action(id, json!({"revert": {"snapshot_id": snapshot_id}}))
}

pub fn manage_share(manage: &ManageShare) -> Request {
    Request::post("/shares/manage", manage.to_body())
}

pub fn unmanage_share(id: &str) -> Request {
    share_action(id, json!({"unmanage": null}))
}

pub fn export_locations(id: &str) -> Request {
    Request::get(format!("/shares/{}/export_locations", segment(id)))
}

pub fn allow_access(share_id: &str, rule: &NewAccessRule) -> Request {
    share_action(share_id, rule.to_body())
}

pub fn deny_access(share_id: &str, access_id: &str) -> Request {
    share_action(share_id, json!({"deny_access": {"access_id": access_id}}))
}

/// From 2.45; the `access_list` action before it.
pub fn list_access_rules(share_id: &str) -> Request {
    Request::get("/share-access-rules").query(vec![("share_id".into(), share_id.to_owned())])
}

pub fn list_snapshots(filter: &SnapshotFilter) -> Request {
    Request::get("/snapshots/detail").query(filter.to_query())
}

pub fn show_snapshot(id: &str) -> Request {
    Request::get(format!("/snapshots/{}", segment(id)))
}

pub fn create_snapshot(new: &NewSnapshot) -> Request {
    Request::post("/snapshots", new.to_body())
}

pub fn update_snapshot(id: &str, update: &Update) -> Request {
    Request::put(
        format!("/snapshots/{}", segment(id)),
        update.to_body("snapshot"),
    )
}

pub fn delete_snapshot(id: &str) -> Request {
    Request::delete(format!("/snapshots/{}", segment(id)))
}

pub fn manage_snapshot(manage: &ManageSnapshot) -> Request {
    Request::post("/snapshots/manage", manage.to_body())
}

pub fn unmanage_snapshot(id: &str) -> Request {
    Request::post(
        format!("/snapshots/{}/action", segment(id)),
        json!({"unmanage": null}),
    )
}

pub fn list_share_servers() -> Request {
    Request::get("/share-servers")
}

pub fn show_share_server(id: &str) -> Request {
    Request::get(format!("/share-servers/{}", segment(id)))
}

pub fn delete_share_server(id: &str) -> Request {
    Request::delete(format!("/share-servers/{}", segment(id)))
}

pub fn create_share_network(name: &str) -> Request {
    Request::post("/share-networks", json!({"share_network": {"name": name}}))
}

pub fn list_share_networks() -> Request {
    Request::get("/share-networks/detail")
}

pub fn delete_share_network(id: &str) -> Request {
    Request::delete(format!("/share-networks/{}", segment(id)))
}

pub fn list_pools() -> Request {
    Request::get("/scheduler-stats/pools/detail")
}

/// The v2 path (from microversion 2.7; `/os-services` before).
pub fn list_services(filter: &ServiceFilter) -> Request {
    Request::get("/services").query(filter.to_query())
}

pub fn list_messages(resource_id: &str) -> Request {
    Request::get("/messages").query(vec![("resource_id".into(), resource_id.to_owned())])
}
