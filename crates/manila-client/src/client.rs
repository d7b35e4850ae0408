use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client as Http, Response};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use secret::Secret;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::{self, Auth, Endpoint, Keystone, Token, SERVICE_TYPE};
use crate::error::{api_error, Error, Target};
use crate::microversion::{Microversion, ServerVersions};
use crate::requests::{self, Method, Request};
use crate::types::*;

/// The header that carries the microversion of every request.
pub const MICROVERSION_HEADER: &str = "X-OpenStack-Manila-API-Version";

/// A token is renewed when it has less than this left: a call never starts with a token
/// that could expire on its way.
const TOKEN_MARGIN_SECS: u64 = 120;

/// How to reach Manila.
#[derive(Debug, Clone)]
pub struct Settings {
    pub auth: Auth,
    pub endpoint: Endpoint,
    /// PEM certificates to trust besides the system's (Keystone's CA from the relation).
    pub ca_certificate: Option<String>,
    /// Per request.
    pub timeout: Duration,
}

impl Settings {
    pub fn new(auth: Auth, endpoint: Endpoint) -> Settings {
        Settings {
            auth,
            endpoint,
            ca_certificate: None,
            timeout: Duration::from_secs(60),
        }
    }
}

/// How long to wait for a resource, and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub timeout: Duration,
    pub interval: Duration,
}

impl Default for Wait {
    fn default() -> Wait {
        Wait {
            timeout: Duration::from_secs(300),
            interval: Duration::from_secs(2),
        }
    }
}

/// Whether a status is one Manila leaves a resource in after a failed operation
/// (`error`, `error_deleting`, `manage_error`, `extending_error`, …).
pub fn is_error_status(status: &str) -> bool {
    status == "error" || status.starts_with("error_") || status.ends_with("_error")
}

#[derive(Debug)]
enum Credentials {
    NoAuth(Secret),
    Keystone {
        keystone: Box<Keystone>,
        token: Mutex<Option<Token>>,
    },
}

/// A connection to Manila's v2 API at one microversion. `Debug` shows no secret.
#[derive(Debug)]
pub struct Client {
    http: Http,
    credentials: Credentials,
    endpoint: String,
    microversion: Microversion,
    /// Idempotent requests sent again after the server closed the connection without
    /// answering ([`Client::resent`]).
    resent: std::sync::atomic::AtomicU64,
}

/// One page of a list, as Manila answers it.
struct Page<T> {
    items: Vec<T>,
    has_next: bool,
}

impl Client {
    /// Authenticates (Keystone), finds the endpoint, and negotiates the microversion with
    /// the server's versions document.
    pub fn connect(settings: Settings) -> Result<Client, Error> {
        let mut builder = Http::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .use_rustls_tls();
        if let Some(pem) = &settings.ca_certificate {
            let certificates =
                reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
                    Error::Config {
                        setting: "ca_certificate",
                        reason: e.to_string(),
                    }
                })?;
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder.build().map_err(|e| Error::Config {
            setting: "http client",
            reason: e.to_string(),
        })?;
        let credentials = match settings.auth {
            Auth::NoAuth { user, project } => {
                Credentials::NoAuth(Secret::new(format!("{user}:{project}")))
            }
            Auth::Keystone(keystone) => Credentials::Keystone {
                keystone: Box::new(keystone),
                token: Mutex::new(None),
            },
        };
        let mut client = Client {
            http,
            credentials,
            endpoint: String::new(),
            microversion: crate::microversion::MIN_SUPPORTED,
            resent: std::sync::atomic::AtomicU64::new(0),
        };
        client.endpoint = match settings.endpoint {
            Endpoint::Url(url) => url,
            Endpoint::Catalog { interface, region } => match &client.credentials {
                Credentials::NoAuth(_) => {
                    return Err(Error::Config {
                        setting: "endpoint",
                        reason: "without Keystone there is no catalog: give Manila's URL"
                            .to_owned(),
                    })
                }
                Credentials::Keystone { .. } => client.with_token(|token| {
                    token.endpoint(SERVICE_TYPE, interface, region.as_deref())
                })?,
            },
        };
        client.endpoint = client.endpoint.trim_end_matches('/').to_owned();
        let versions = client.server_versions()?;
        client.microversion = versions.negotiate().ok_or(Error::Microversion {
            server_min: versions.min,
            server_max: versions.max,
        })?;
        Ok(client)
    }

    /// How many idempotent requests were sent again because the server closed their
    /// connection without an answer (a kept-alive connection closed by a server that
    /// reloads, as haproxy and Apache do with their idle ones).
    pub fn resent(&self) -> u64 {
        self.resent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The microversion every request carries.
    pub fn microversion(&self) -> Microversion {
        self.microversion
    }

    /// The v2 endpoint requests go to (`http://…:8786/v2/<project>`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The project the token is scoped to (Keystone), or the no-auth project.
    pub fn project_id(&self) -> Result<Option<String>, Error> {
        match &self.credentials {
            Credentials::NoAuth(token) => Ok(token
                .expose()
                .split_once(':')
                .map(|(_, project)| project.to_owned())),
            Credentials::Keystone { .. } => self.with_token(|t| Ok(t.project_id.clone())),
        }
    }

    /// The service's versions document is at its root, above `/v2`.
    fn versions_url(&self) -> Result<String, Error> {
        let mut url = reqwest::Url::parse(&self.endpoint).map_err(|e| Error::Config {
            setting: "endpoint",
            reason: format!("'{}' is not a URL: {e}", self.endpoint),
        })?;
        let segments: Vec<String> = url
            .path_segments()
            .map(|s| s.map(str::to_owned).collect())
            .unwrap_or_default();
        let Some(v2) = segments.iter().position(|s| s == "v2") else {
            return Err(Error::Config {
                setting: "endpoint",
                reason: format!(
                    "'{}' is not a Manila v2 endpoint (no /v2 in its path)",
                    self.endpoint
                ),
            });
        };
        let root: String = segments[..v2].iter().map(|s| format!("/{s}")).collect();
        url.set_path(&format!("{root}/"));
        url.set_query(None);
        Ok(url.to_string())
    }

    fn server_versions(&self) -> Result<ServerVersions, Error> {
        let url = self.versions_url()?;
        let target = "the versions document";
        // Unauthenticated: the root is outside the auth pipeline, and no-auth Manila
        // answers any request that carries no token with an empty 204.
        let response = self
            .http
            .get(&url)
            .header(ACCEPT, "application/json")
            .send()
            .map_err(|e| transport(target, &url, &e))?;
        let status = response.status().as_u16();
        let body = read_body(response, target, &url)?;
        // 300 Multiple Choices is what Manila answers at the root.
        if status != 200 && status != 300 {
            return Err(Error::Decode {
                target: target.to_owned(),
                reason: format!("GET {url} answered HTTP {status}"),
            });
        }
        ServerVersions::parse(&body).map_err(|reason| Error::Decode {
            target: target.to_owned(),
            reason,
        })
    }

    /// Runs `f` on a usable token, issuing a new one when there is none or it nears expiry.
    fn with_token<T>(&self, f: impl FnOnce(&Token) -> Result<T, Error>) -> Result<T, Error> {
        let Credentials::Keystone { keystone, token } = &self.credentials else {
            return Err(Error::Config {
                setting: "auth",
                reason: "no-auth mode has no Keystone token".to_owned(),
            });
        };
        let mut cached = token
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh = cached
            .as_ref()
            .is_some_and(|t| t.usable_at(auth::now(), TOKEN_MARGIN_SECS));
        if !fresh {
            *cached = Some(self.issue_token(keystone)?);
        }
        let current = cached.as_ref().ok_or_else(|| Error::Config {
            setting: "auth",
            reason: "no token".to_owned(),
        })?;
        f(current)
    }

    fn forget_token(&self) {
        if let Credentials::Keystone { token, .. } = &self.credentials {
            *token
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        }
    }

    fn issue_token(&self, keystone: &Keystone) -> Result<Token, Error> {
        let url = keystone.tokens_url();
        let target = "keystone token";
        let response = self
            .http
            .post(&url)
            .json(&keystone.token_request())
            .send()
            .map_err(|e| transport(target, &url, &e))?;
        let status = response.status();
        let subject = response
            .headers()
            .get("X-Subject-Token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_body(response, target, &url)?;
        if !status.is_success() {
            return Err(Error::Keystone {
                auth_url: keystone.auth_url.clone(),
                user: keystone.username.clone(),
                status: status.as_u16(),
                message: auth::keystone_message(&body, status.canonical_reason().unwrap_or("")),
            });
        }
        let subject = subject.ok_or_else(|| Error::Decode {
            target: target.to_owned(),
            reason: "Keystone issued no X-Subject-Token header".to_owned(),
        })?;
        Token::parse(&subject, &body).map_err(|reason| Error::Decode {
            target: target.to_owned(),
            reason,
        })
    }

    fn auth_token(&self) -> Result<Secret, Error> {
        match &self.credentials {
            Credentials::NoAuth(token) => Ok(token.clone()),
            Credentials::Keystone { .. } => self.with_token(|t| Ok(t.value.clone())),
        }
    }

    /// Sends `request`; an error status becomes [`Error::Api`]. A token Manila refuses
    /// (revoked, expired early) is renewed once.
    ///
    /// An idempotent request (not a POST) whose connection the server closed before any
    /// answer is sent once more on a new connection, as RFC 9112 section 9.3.1 allows: a
    /// server closes an idle kept-alive connection whenever it likes (Apache on a graceful
    /// reload, on `KeepAliveTimeout`), and a request already on its way then meets the
    /// close; it was never processed.
    fn send(&self, request: &Request, target: &Target) -> Result<Vec<u8>, Error> {
        let mut retried = false;
        let mut resent = false;
        loop {
            let token = self.auth_token()?;
            let url = format!("{}{}", self.endpoint, request.path);
            let method = match request.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
                Method::Put => reqwest::Method::PUT,
                Method::Delete => reqwest::Method::DELETE,
            };
            let mut token_header =
                HeaderValue::from_str(token.expose()).map_err(|_| Error::Config {
                    setting: "token",
                    reason: "not a valid HTTP header value".to_owned(),
                })?;
            token_header.set_sensitive(true);
            let mut builder = self
                .http
                .request(method, &url)
                .query(&request.query)
                .header("X-Auth-Token", token_header)
                .header(MICROVERSION_HEADER, self.microversion.to_string())
                .header(ACCEPT, "application/json");
            if let Some(body) = &request.body {
                builder = builder
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            let response = match builder.send() {
                Ok(response) => response,
                Err(e) if !resent && request.method != Method::Post && closed_unanswered(&e) => {
                    resent = true;
                    self.resent
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    continue;
                }
                Err(e) => return Err(transport(&target.to_string(), &url, &e)),
            };
            let status = response.status();
            let body = read_body(response, &target.to_string(), &url)?;
            if status.as_u16() == 401
                && !retried
                && matches!(self.credentials, Credentials::Keystone { .. })
            {
                retried = true;
                self.forget_token();
                continue;
            }
            if !status.is_success() {
                return Err(Error::Api(api_error(
                    target.clone(),
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("error"),
                    &body,
                )));
            }
            return Ok(body);
        }
    }

    /// Sends `request` and reads `key` of the answer as `T`.
    fn call<T: DeserializeOwned>(
        &self,
        request: &Request,
        target: Target,
        key: &str,
    ) -> Result<T, Error> {
        let body = self.send(request, &target)?;
        parse_field(&body, key, &target)
    }

    /// Sends `request`, whose answer has no body worth reading (202 Accepted).
    fn call_empty(&self, request: &Request, target: Target) -> Result<(), Error> {
        self.send(request, &target).map(drop)
    }

    /// Every item of a paginated list, in pages of `page_size`: `limit` and `offset`, for
    /// as long as Manila's answer carries a `next` link in `<links_key>`. The link's own
    /// `marker` is not followed: Manila (Zed) ignores `marker` on shares and snapshots and
    /// answers the first page again; it pages by `offset`.
    fn list_all<T: DeserializeOwned + Identified>(
        &self,
        request: Request,
        target: Target,
        key: &str,
        links_key: &str,
        page_size: u32,
    ) -> Result<Vec<T>, Error> {
        let page_size = page_size.max(1);
        let mut items: Vec<T> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut offset: u64 = 0;
        loop {
            let mut page_request = request.clone();
            page_request
                .query
                .push(("limit".to_owned(), page_size.to_string()));
            if offset > 0 {
                page_request
                    .query
                    .push(("offset".to_owned(), offset.to_string()));
            }
            let body = self.send(&page_request, &target)?;
            let page: Page<T> = parse_page(&body, key, links_key, &target)?;
            let count = page.items.len() as u64;
            // A resource created while paging shifts the pages: keep each one once.
            for item in page.items {
                if seen.insert(item.id().to_owned()) {
                    items.push(item);
                }
            }
            if !page.has_next || count == 0 {
                return Ok(items);
            }
            offset += count;
        }
    }

    // ---- share types ---------------------------------------------------------------------

    pub fn list_share_types(&self) -> Result<Vec<ShareType>, Error> {
        self.call(
            &requests::list_share_types(),
            Target::collection("share types"),
            "share_types",
        )
    }

    pub fn show_share_type(&self, id: &str) -> Result<ShareType, Error> {
        self.call(
            &requests::show_share_type(id),
            Target::one("share type", id),
            "share_type",
        )
    }

    /// The share type of this name or id.
    pub fn find_share_type(&self, name_or_id: &str) -> Result<Option<ShareType>, Error> {
        Ok(self
            .list_share_types()?
            .into_iter()
            .find(|t| t.id == name_or_id || t.name == name_or_id))
    }

    pub fn create_share_type(&self, new: &NewShareType) -> Result<ShareType, Error> {
        self.call(
            &requests::create_share_type(new),
            Target::one("share type", &new.name),
            "share_type",
        )
    }

    pub fn delete_share_type(&self, id: &str) -> Result<(), Error> {
        self.call_empty(
            &requests::delete_share_type(id),
            Target::one("share type", id),
        )
    }

    // ---- shares --------------------------------------------------------------------------

    /// Every share matching `filter`, in pages of `page_size`.
    pub fn list_shares(&self, filter: &ShareFilter, page_size: u32) -> Result<Vec<Share>, Error> {
        self.list_all(
            requests::list_shares(filter),
            Target::collection("shares"),
            "shares",
            "shares_links",
            page_size,
        )
    }

    pub fn show_share(&self, id: &str) -> Result<Share, Error> {
        self.call(&requests::show_share(id), Target::one("share", id), "share")
    }

    pub fn create_share(&self, new: &NewShare) -> Result<Share, Error> {
        let target = match &new.name {
            Some(name) => Target::one("new share", name),
            None => Target::collection("new share"),
        };
        self.call(&requests::create_share(new), target, "share")
    }

    pub fn update_share(&self, id: &str, update: &Update) -> Result<Share, Error> {
        self.call(
            &requests::update_share(id, update),
            Target::one("share", id),
            "share",
        )
    }

    pub fn delete_share(&self, id: &str) -> Result<(), Error> {
        self.call_empty(&requests::delete_share(id), Target::one("share", id))
    }

    pub fn extend_share(&self, id: &str, new_size: u64) -> Result<(), Error> {
        self.call_empty(
            &requests::extend_share(id, new_size),
            Target::one("share", id),
        )
    }

    pub fn shrink_share(&self, id: &str, new_size: u64) -> Result<(), Error> {
        self.call_empty(
            &requests::shrink_share(id, new_size),
            Target::one("share", id),
        )
    }

    /// Reverts a share in place to its most recent snapshot (the share type needs
    /// `revert_to_snapshot_support`).
    pub fn revert_share(&self, id: &str, snapshot_id: &str) -> Result<(), Error> {
        self.call_empty(
            &requests::revert_share(id, snapshot_id),
            Target::one("share", id),
        )
    }

    pub fn manage_share(&self, manage: &ManageShare) -> Result<Share, Error> {
        self.call(
            &requests::manage_share(manage),
            Target::one("managed share", &manage.export_path),
            "share",
        )
    }

    pub fn unmanage_share(&self, id: &str) -> Result<(), Error> {
        self.call_empty(&requests::unmanage_share(id), Target::one("share", id))
    }

    pub fn export_locations(&self, share_id: &str) -> Result<Vec<ExportLocation>, Error> {
        self.call(
            &requests::export_locations(share_id),
            Target::one("share", share_id),
            "export_locations",
        )
    }

    // ---- access rules --------------------------------------------------------------------

    pub fn allow_access(&self, share_id: &str, rule: &NewAccessRule) -> Result<AccessRule, Error> {
        self.call(
            &requests::allow_access(share_id, rule),
            Target::one("share", share_id),
            "access",
        )
    }

    pub fn deny_access(&self, share_id: &str, access_id: &str) -> Result<(), Error> {
        self.call_empty(
            &requests::deny_access(share_id, access_id),
            Target::one("share", share_id),
        )
    }

    pub fn list_access_rules(&self, share_id: &str) -> Result<Vec<AccessRule>, Error> {
        self.call(
            &requests::list_access_rules(share_id),
            Target::one("share", share_id),
            "access_list",
        )
    }

    // ---- snapshots -----------------------------------------------------------------------

    pub fn list_snapshots(
        &self,
        filter: &SnapshotFilter,
        page_size: u32,
    ) -> Result<Vec<Snapshot>, Error> {
        self.list_all(
            requests::list_snapshots(filter),
            Target::collection("snapshots"),
            "snapshots",
            "share_snapshots_links",
            page_size,
        )
    }

    pub fn show_snapshot(&self, id: &str) -> Result<Snapshot, Error> {
        self.call(
            &requests::show_snapshot(id),
            Target::one("snapshot", id),
            "snapshot",
        )
    }

    pub fn create_snapshot(&self, new: &NewSnapshot) -> Result<Snapshot, Error> {
        self.call(
            &requests::create_snapshot(new),
            Target::one("share", &new.share_id),
            "snapshot",
        )
    }

    pub fn update_snapshot(&self, id: &str, update: &Update) -> Result<Snapshot, Error> {
        self.call(
            &requests::update_snapshot(id, update),
            Target::one("snapshot", id),
            "snapshot",
        )
    }

    pub fn delete_snapshot(&self, id: &str) -> Result<(), Error> {
        self.call_empty(&requests::delete_snapshot(id), Target::one("snapshot", id))
    }

    pub fn manage_snapshot(&self, manage: &ManageSnapshot) -> Result<Snapshot, Error> {
        self.call(
            &requests::manage_snapshot(manage),
            Target::one("managed snapshot", &manage.provider_location),
            "snapshot",
        )
    }

    pub fn unmanage_snapshot(&self, id: &str) -> Result<(), Error> {
        self.call_empty(
            &requests::unmanage_snapshot(id),
            Target::one("snapshot", id),
        )
    }

    // ---- share servers, share networks, pools, services ----------------------------------

    pub fn list_share_servers(&self) -> Result<Vec<ShareServer>, Error> {
        self.call(
            &requests::list_share_servers(),
            Target::collection("share servers"),
            "share_servers",
        )
    }

    pub fn show_share_server(&self, id: &str) -> Result<ShareServer, Error> {
        self.call(
            &requests::show_share_server(id),
            Target::one("share server", id),
            "share_server",
        )
    }

    /// Refused with 409 (`conflictingRequest`) while shares live on the server.
    pub fn delete_share_server(&self, id: &str) -> Result<(), Error> {
        self.call_empty(
            &requests::delete_share_server(id),
            Target::one("share server", id),
        )
    }

    pub fn create_share_network(&self, name: &str) -> Result<ShareNetwork, Error> {
        self.call(
            &requests::create_share_network(name),
            Target::one("share network", name),
            "share_network",
        )
    }

    pub fn list_share_networks(&self) -> Result<Vec<ShareNetwork>, Error> {
        self.call(
            &requests::list_share_networks(),
            Target::collection("share networks"),
            "share_networks",
        )
    }

    pub fn delete_share_network(&self, id: &str) -> Result<(), Error> {
        self.call_empty(
            &requests::delete_share_network(id),
            Target::one("share network", id),
        )
    }

    pub fn list_pools(&self) -> Result<Vec<Pool>, Error> {
        self.call(
            &requests::list_pools(),
            Target::collection("pools"),
            "pools",
        )
    }

    /// Manila's services and whether each is up (admins only).
    pub fn list_services(&self, filter: &ServiceFilter) -> Result<Vec<Service>, Error> {
        self.call(
            &requests::list_services(filter),
            Target::collection("services"),
            "services",
        )
    }

    /// The newest user message about a resource: why it went to an error state.
    pub fn latest_message(&self, resource_id: &str) -> Result<Option<Message>, Error> {
        let messages: Vec<Message> = self.call(
            &requests::list_messages(resource_id),
            Target::one("messages of", resource_id),
            "messages",
        )?;
        Ok(messages
            .into_iter()
            .max_by(|a, b| a.created_at.cmp(&b.created_at)))
    }

    // ---- waiting -------------------------------------------------------------------------

    /// Waits until the share's status is `wanted`; fails at once on an error status.
    pub fn wait_for_share(&self, id: &str, wanted: &str, wait: Wait) -> Result<Share, Error> {
        let found = self.wait_until(Target::one("share", id), wanted, wait, || {
            let share = self.show_share(id)?;
            Ok(Some((share.status.clone(), share)))
        })?;
        found.ok_or_else(|| gone(Target::one("share", id), wanted))
    }

    pub fn wait_for_snapshot(&self, id: &str, wanted: &str, wait: Wait) -> Result<Snapshot, Error> {
        let found = self.wait_until(Target::one("snapshot", id), wanted, wait, || {
            let snapshot = self.show_snapshot(id)?;
            Ok(Some((snapshot.status.clone(), snapshot)))
        })?;
        found.ok_or_else(|| gone(Target::one("snapshot", id), wanted))
    }

    /// Waits until the share is gone (deleted or unmanaged).
    pub fn wait_for_share_gone(&self, id: &str, wait: Wait) -> Result<(), Error> {
        self.wait_gone(Target::one("share", id), wait, || {
            self.show_share(id).map(|s| s.status)
        })
    }

    pub fn wait_for_snapshot_gone(&self, id: &str, wait: Wait) -> Result<(), Error> {
        self.wait_gone(Target::one("snapshot", id), wait, || {
            self.show_snapshot(id).map(|s| s.status)
        })
    }

    pub fn wait_for_share_server_gone(&self, id: &str, wait: Wait) -> Result<(), Error> {
        self.wait_gone(Target::one("share server", id), wait, || {
            self.show_share_server(id).map(|s| s.status)
        })
    }

    fn wait_gone(
        &self,
        target: Target,
        wait: Wait,
        status: impl Fn() -> Result<String, Error>,
    ) -> Result<(), Error> {
        self.wait_until(target, GONE, wait, || match status() {
            Ok(status) => Ok(Some((status, ()))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        })
        .map(drop)
    }

    /// Polls `fetch` (`None`: the resource is gone) until the status is `wanted` (or, for
    /// [`GONE`], the resource is gone), an error status, or the timeout.
    fn wait_until<T>(
        &self,
        target: Target,
        wanted: &str,
        wait: Wait,
        fetch: impl Fn() -> Result<Option<(String, T)>, Error>,
    ) -> Result<Option<T>, Error> {
        let start = Instant::now();
        loop {
            let last_status = match fetch()? {
                None if wanted == GONE => return Ok(None),
                None => return Err(gone(target, wanted)),
                Some((status, found)) if status == wanted => return Ok(Some(found)),
                Some((status, _)) => status,
            };
            if is_error_status(&last_status) {
                let message = self.message_for(&target);
                return Err(Error::ErrorState {
                    target,
                    wanted: wanted.to_owned(),
                    status: last_status,
                    message,
                });
            }
            if start.elapsed() >= wait.timeout {
                let message = self.message_for(&target);
                return Err(Error::Timeout {
                    target,
                    wanted: wanted.to_owned(),
                    last_status,
                    message,
                    waited_secs: start.elapsed().as_secs(),
                });
            }
            thread::sleep(wait.interval);
        }
    }

    /// Best effort: a failure to read the messages must not hide the failure being reported.
    fn message_for(&self, target: &Target) -> Option<String> {
        let id = target.id()?;
        self.latest_message(id)
            .ok()
            .flatten()
            .map(|m| m.user_message)
    }
}

/// What [`Client::wait_until`] waits for when the resource should disappear.
const GONE: &str = "deleted";

fn gone(target: Target, wanted: &str) -> Error {
    Error::ErrorState {
        target,
        wanted: wanted.to_owned(),
        status: GONE.to_owned(),
        message: None,
    }
}

/// Items that lists page through by id.
trait Identified {
    fn id(&self) -> &str;
}

impl Identified for Share {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for Snapshot {
    fn id(&self) -> &str {
        &self.id
    }
}

/// Whether the server closed the connection before sending any answer: hyper's
/// `IncompleteMessage` ("connection closed before message completed", hyper's
/// `src/error.rs`), or a reset.
pub fn closed_unanswered(error: &reqwest::Error) -> bool {
    if error.is_timeout() || error.is_connect() {
        return false;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.to_string() == "connection closed before message completed" {
            return true;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            ) {
                return true;
            }
        }
        source = cause.source();
    }
    false
}

fn transport(target: &str, url: &str, error: &reqwest::Error) -> Error {
    // reqwest's own text names the URL; the chain of sources says what went wrong.
    let mut reason = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Transport {
        target: target.to_owned(),
        url: url.to_owned(),
        reason,
    }
}

fn read_body(response: Response, target: &str, url: &str) -> Result<Vec<u8>, Error> {
    response
        .bytes()
        .map(|b| b.to_vec())
        .map_err(|e| transport(target, url, &e))
}

/// Reads `key` of a JSON answer as `T`.
pub fn parse_field<T: DeserializeOwned>(
    body: &[u8],
    key: &str,
    target: &Target,
) -> Result<T, Error> {
    let decode = |reason: String| Error::Decode {
        target: target.to_string(),
        reason,
    };
    let mut value: Value =
        serde_json::from_slice(body).map_err(|e| decode(format!("not JSON: {e}")))?;
    let field = value
        .get_mut(key)
        .map(Value::take)
        .ok_or_else(|| decode(format!("no '{key}' in the answer")))?;
    serde_json::from_value(field).map_err(|e| decode(format!("'{key}': {e}")))
}

/// One page of a list, and whether Manila says there is a next one
/// (`{"shares": […], "shares_links": [{"rel": "next", "href": "…"}]}`).
fn parse_page<T: DeserializeOwned>(
    body: &[u8],
    key: &str,
    links_key: &str,
    target: &Target,
) -> Result<Page<T>, Error> {
    let items: Vec<T> = parse_field(body, key, target)?;
    let value: Value = serde_json::from_slice(body).map_err(|e| Error::Decode {
        target: target.to_string(),
        reason: format!("not JSON: {e}"),
    })?;
    let has_next = value
        .get(links_key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|link| link.get("rel").and_then(Value::as_str) == Some("next"));
    Ok(Page { items, has_next })
}

#[cfg(test)]
pub(crate) fn parse_page_for_test<T: DeserializeOwned>(
    body: &[u8],
    key: &str,
    links_key: &str,
) -> Result<(Vec<T>, bool), Error> {
    let page = parse_page(body, key, links_key, &Target::collection("test"))?;
    Ok((page.items, page.has_next))
}
