use std::fmt;

use crate::microversion::Microversion;

/// What a call was about: a collection (`shares`) or one resource (`share 5f1c…`), so that
/// every error names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    kind: &'static str,
    id: Option<String>,
}

impl Target {
    /// A collection, named in the plural (`share types`).
    pub fn collection(kind: &'static str) -> Target {
        Target { kind, id: None }
    }

    /// One resource, named in the singular (`share`), with its id or name.
    pub fn one(kind: &'static str, id: impl Into<String>) -> Target {
        Target {
            kind,
            id: Some(id.into()),
        }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{} '{id}'", self.kind),
            None => f.write_str(self.kind),
        }
    }
}

/// Manila refused a request: its fault body (`{"itemNotFound": {"code": 404, "message": …}}`)
/// read into the status, the fault's name and Manila's own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub target: Target,
    pub status: u16,
    /// The fault's name (`itemNotFound`, `conflictingRequest`, …); `None` when the body was
    /// not a Manila fault (a proxy's error page, an empty body).
    pub fault: Option<String>,
    /// Manila's message, or the HTTP reason when the body carried none.
    pub message: String,
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    pub fn is_conflict(&self) -> bool {
        self.status == 409
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: Manila answered HTTP {}", self.target, self.status)?;
        if let Some(fault) = &self.fault {
            write!(f, " ({fault})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every way a call of this client fails. No variant carries a password or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Manila answered with an error status.
    #[error("{0}")]
    Api(ApiError),
    /// Keystone refused to issue a token.
    #[error(
        "keystone at {auth_url} refused to authenticate user '{user}': HTTP {status}: {message}"
    )]
    Keystone {
        auth_url: String,
        user: String,
        status: u16,
        message: String,
    },
    /// The request did not get an answer (connection refused, TLS, timeout).
    #[error("{target}: no answer from {url}: {reason}")]
    Transport {
        target: String,
        url: String,
        reason: String,
    },
    /// The answer was not what the API reference documents.
    #[error("{target}: unexpected answer: {reason}")]
    Decode { target: String, reason: String },
    /// The token's catalog has no endpoint of the service for this interface and region.
    #[error("the keystone catalog has no '{service_type}' endpoint for interface '{interface}'{}; it has: {}",
        region.as_deref().map(|r| format!(" in region '{r}'")).unwrap_or_default(),
        if found.is_empty() { "none".to_owned() } else { found.join(", ") })]
    NoEndpoint {
        service_type: String,
        interface: String,
        region: Option<String>,
        /// `interface region url` of every endpoint of the service type.
        found: Vec<String>,
    },
    /// The server's microversions and this client's do not overlap.
    #[error(
        "Manila serves microversions {server_min} to {server_max}; this client needs {} to {}",
        crate::microversion::MIN_SUPPORTED,
        crate::microversion::MAX_SUPPORTED
    )]
    Microversion {
        server_min: Microversion,
        server_max: Microversion,
    },
    /// A resource did not reach the wanted state in time.
    #[error("{target} did not become {wanted} within {waited_secs} s: last status '{last_status}'{}",
        message.as_deref().map(|m| format!(", last message: {m}")).unwrap_or_default())]
    Timeout {
        target: Target,
        wanted: String,
        last_status: String,
        message: Option<String>,
        waited_secs: u64,
    },
    /// A resource reached an error state while it was waited for.
    #[error("{target} went to status '{status}' while waiting for {wanted}{}",
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    ErrorState {
        target: Target,
        wanted: String,
        status: String,
        message: Option<String>,
    },
    /// The client's own settings are unusable (a malformed URL, a bad CA certificate).
    #[error("invalid client setting '{setting}': {reason}")]
    Config {
        setting: &'static str,
        reason: String,
    },
}

impl Error {
    /// The Manila refusal, when this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(ApiError::is_not_found)
    }

    pub fn is_conflict(&self) -> bool {
        self.api().is_some_and(ApiError::is_conflict)
    }
}

/// Reads Manila's fault body: one key, the fault's name, over `code` and `message`.
pub(crate) fn api_error(target: Target, status: u16, reason: &str, body: &[u8]) -> ApiError {
    let parsed: Option<(String, String)> = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| {
            let object = value.as_object()?;
            if object.len() != 1 {
                return None;
            }
            let (name, detail) = object.iter().next()?;
            let message = detail.get("message")?.as_str()?.trim().to_owned();
            Some((name.clone(), message))
        });
    match parsed {
        Some((fault, message)) => ApiError {
            target,
            status,
            fault: Some(fault),
            message,
        },
        None => ApiError {
            target,
            status,
            fault: None,
            message: reason.to_owned(),
        },
    }
}
