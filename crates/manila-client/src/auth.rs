//! How the client proves who it is: a Keystone v3 token (password authentication, scoped to
//! a project) or Manila's no-auth mode, and where it finds Manila.

use std::time::{SystemTime, UNIX_EPOCH};

use secret::Secret;
use serde::Deserialize;
use serde_json::{json, Value};

/// Who the client is.
#[derive(Debug, Clone)]
pub enum Auth {
    /// Keystone v3 password authentication.
    Keystone(Keystone),
    /// Manila's `auth_strategy = noauth`: the token is `user:project` and the context is
    /// always admin. The endpoint must be given ([`Endpoint::Url`]).
    NoAuth { user: String, project: String },
}

/// A domain, by id (`default`) or by name (`Default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    Id(String),
    Name(String),
}

impl Domain {
    fn to_json(&self) -> Value {
        match self {
            Domain::Id(id) => json!({ "id": id }),
            Domain::Name(name) => json!({ "name": name }),
        }
    }
}

/// The project a token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    Id(String),
    Name { name: String, domain: Domain },
}

/// Keystone v3 password credentials, as the charm holds them for its service user.
#[derive(Debug, Clone)]
pub struct Keystone {
    /// Keystone's URL, with or without `/v3` (`http://10.0.0.5:5000`).
    pub auth_url: String,
    pub username: String,
    pub password: Secret,
    pub user_domain: Domain,
    pub project: Project,
}

impl Keystone {
    /// `POST {auth_url}/v3/auth/tokens`.
    pub fn tokens_url(&self) -> String {
        let base = self.auth_url.trim_end_matches('/');
        let base = base.strip_suffix("/v3").unwrap_or(base);
        format!("{base}/v3/auth/tokens")
    }

    /// The body of the password authentication request. It holds the password: it goes
    /// to the wire and nowhere else.
    pub fn token_request(&self) -> Value {
        let project = match &self.project {
            Project::Id(id) => json!({ "id": id }),
            Project::Name { name, domain } => json!({ "name": name, "domain": domain.to_json() }),
        };
        json!({"auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {
                    "name": self.username,
                    "domain": self.user_domain.to_json(),
                    "password": self.password.expose(),
                }},
            },
            "scope": {"project": project},
        }})
    }
}

/// Which of a service's endpoints to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    Public,
    Internal,
    Admin,
}

impl Interface {
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Interface {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Interface::Public),
            "internal" => Ok(Interface::Internal),
            "admin" => Ok(Interface::Admin),
            other => Err(format!(
                "'{other}' is not an endpoint interface (public, internal or admin)"
            )),
        }
    }
}

/// Where Manila's v2 API is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A known URL, `http://10.0.0.7:8786/v2/<project id>` (or `…/v2` for project-less URLs,
    /// which Manila routes from microversion 2.60).
    Url(String),
    /// The `sharev2` endpoint of the token's catalog.
    Catalog {
        interface: Interface,
        region: Option<String>,
    },
}

/// The catalog's service type of Manila's v2 API.
pub const SERVICE_TYPE: &str = "sharev2";

/// An issued token: its value, when it expires, and the catalog that came with it.
#[derive(Debug, Clone)]
pub struct Token {
    pub value: Secret,
    /// Seconds since the epoch; `None` when Keystone said nothing (the token is then used
    /// until Manila refuses it).
    pub expires_at: Option<u64>,
    pub project_id: Option<String>,
    pub catalog: Vec<CatalogService>,
}

/// One service of a token's catalog.
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogService {
    #[serde(rename = "type")]
    pub service_type: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub endpoints: Vec<CatalogEndpoint>,
}

/// One endpoint of a catalog service.
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogEndpoint {
    pub interface: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub region_id: Option<String>,
    pub url: String,
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenFields,
}

#[derive(Deserialize)]
struct TokenFields {
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    project: Option<ProjectRef>,
    #[serde(default)]
    catalog: Vec<CatalogService>,
}

#[derive(Deserialize)]
struct ProjectRef {
    id: String,
}

impl Token {
    /// Reads Keystone's answer to a token request: the token is the `X-Subject-Token`
    /// header, the rest is the body.
    pub fn parse(subject_token: &str, body: &[u8]) -> Result<Token, String> {
        let body: TokenBody = serde_json::from_slice(body)
            .map_err(|e| format!("the token body is not Keystone's: {e}"))?;
        let expires_at = body
            .token
            .expires_at
            .as_deref()
            .map(|text| {
                parse_timestamp(text)
                    .ok_or_else(|| format!("expires_at '{text}' is not an ISO 8601 UTC time"))
            })
            .transpose()?;
        Ok(Token {
            value: Secret::new(subject_token),
            expires_at,
            project_id: body.token.project.map(|p| p.id),
            catalog: body.token.catalog,
        })
    }

    /// Whether the token can still be sent: it stays valid for at least `margin_secs`.
    pub fn usable_at(&self, now: u64, margin_secs: u64) -> bool {
        self.expires_at
            .map_or(true, |expiry| now.saturating_add(margin_secs) < expiry)
    }

    /// The URL of the catalog's endpoint of `service_type` for `interface` in `region`
    /// (any region when `None`).
    pub fn endpoint(
        &self,
        service_type: &str,
        interface: Interface,
        region: Option<&str>,
    ) -> Result<String, crate::Error> {
        let endpoints = self
            .catalog
            .iter()
            .filter(|s| s.service_type == service_type)
            .flat_map(|s| s.endpoints.iter());
        let in_region = |e: &CatalogEndpoint| {
            region.map_or(true, |r| {
                e.region_id.as_deref() == Some(r) || e.region.as_deref() == Some(r)
            })
        };
        if let Some(found) = endpoints
            .clone()
            .find(|e| e.interface == interface.as_str() && in_region(e))
        {
            return Ok(found.url.clone());
        }
        Err(crate::Error::NoEndpoint {
            service_type: service_type.to_owned(),
            interface: interface.as_str().to_owned(),
            region: region.map(str::to_owned),
            found: endpoints
                .map(|e| {
                    let region = e.region_id.as_deref().or(e.region.as_deref());
                    format!("{} {} {}", e.interface, region.unwrap_or("-"), e.url)
                })
                .collect(),
        })
    }
}

/// Keystone's error body: `{"error": {"code": 401, "message": "…", "title": "Unauthorized"}}`.
pub(crate) fn keystone_message(body: &[u8], reason: &str) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| reason.to_owned())
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Seconds since the epoch of Keystone's `expires_at`: `2026-11-23T20:18:08.000000Z`
/// (UTC, fractional seconds optional, a `+00:00` offset accepted as well as `Z`).
pub fn parse_timestamp(text: &str) -> Option<u64> {
    let text = text.trim();
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))
        .unwrap_or(text);
    let (date, time) = text.split_once('T')?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    let time = time.split('.').next()?;
    let mut time_parts = time.splitn(3, ':');
    let hour: i64 = time_parts.next()?.parse().ok()?;
    let minute: i64 = time_parts.next()?.parse().ok()?;
    let second: i64 = time_parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    u64::try_from(days * 86_400 + hour * 3_600 + minute * 60 + second).ok()
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil-date
/// arithmetic: years start in March so the leap day comes last).
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
