//! The `keystone-credentials` interface (keystone's `identity-credentials` endpoint): a charm
//! that serves no API asks for a user by name and receives its credentials. manila-ganesha
//! uses it to get the service user its `manila-share` authenticates with.
//!
//! | Key | Written by | Value |
//! |---|---|---|
//! | `username` | client | user to create |
//! | `project` | client | optional project (keystone's `service-tenant` when unset) |
//! | `domain` | client | optional domain (keystone's service domain when unset) |
//! | `requested_roles`, `requested_grants` | client | optional comma-separated role names |
//! | `credentials_username`, `credentials_password` | keystone | the user |
//! | `credentials_project`, `credentials_project_id` | keystone | its project |
//! | `credentials_host`, `credentials_port`, `credentials_protocol` | keystone | public identity endpoint |
//! | `auth_host`, `auth_port`, `auth_protocol` | keystone | admin identity endpoint |
//! | `api_version` | keystone | `2` or `3` |
//! | `region` | keystone | keystone's region |
//! | `domain`, `credentials_user_domain_name`, `credentials_user_domain_id`, `credentials_project_domain_name`, `credentials_project_domain_id` | keystone | domain (v3 only) |
//! | `ca_cert`, `https_keystone` | keystone | base64 CA PEM and `True` when keystone speaks TLS |
//!
//! The client is ready when the Python interface's base and auth data are complete: the
//! endpoint keys, `api_version`, and `credentials_project`, `credentials_username`,
//! `credentials_password`, `credentials_project_id`. (The Python interface also checks
//! `private-address`, which Juju always sets.)
//!
//! Where to start: the client publishes a [`CredentialsRequest`] and reads [`Credentials`];
//! keystone does the reverse.

use std::collections::BTreeMap;

use databag::fields::PemKind;
use databag::{fields, Bag, FieldError, Host, Readiness, Required, Secret, UnitError};
use juju::UnitName;

use crate::{optional_text, unless_null, Protocol};

/// What the client asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsRequest {
    pub username: String,
    pub project: Option<String>,
    pub domain: Option<String>,
    pub requested_roles: Vec<String>,
    pub requested_grants: Vec<String>,
}

impl CredentialsRequest {
    pub fn new(username: impl Into<String>) -> Self {
        CredentialsRequest {
            username: username.into(),
            project: None,
            domain: None,
            requested_roles: Vec::new(),
            requested_grants: Vec::new(),
        }
    }

    /// The client's bag: all five keys, as the Python layer sets them, with `""` (unset) for
    /// what was not asked.
    pub fn to_bag(&self) -> Bag {
        Bag::from([
            ("username".into(), self.username.clone()),
            ("project".into(), optional_text(&self.project)),
            ("domain".into(), optional_text(&self.domain)),
            ("requested_roles".into(), self.requested_roles.join(",")),
            ("requested_grants".into(), self.requested_grants.join(",")),
        ])
    }

    /// Keystone's reading of one client unit's bag. A value with a line break counts as not
    /// sent: no keystone answers such a request.
    pub fn from_bag(bag: &Bag) -> Readiness<Self> {
        let mut required = Required::new(bag);
        let Some(username) = required.text("username").ok().flatten() else {
            return required.incomplete();
        };
        let text = |key| fields::text(bag, key).ok().flatten().map(str::to_owned);
        let list = |key| {
            fields::text(bag, key)
                .ok()
                .flatten()
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        Readiness::Ready(CredentialsRequest {
            username,
            project: text("project"),
            domain: text("domain"),
            requested_roles: list("requested_roles"),
            requested_grants: list("requested_grants"),
        })
    }
}

/// What keystone sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
    pub project: String,
    pub project_id: String,
    pub host: Host,
    pub port: u16,
    pub protocol: Protocol,
    pub auth_host: Host,
    pub auth_port: u16,
    pub auth_protocol: Protocol,
    pub api_version: u64,
    pub region: Option<String>,
    pub domain: Option<String>,
    pub user_domain_name: Option<String>,
    pub user_domain_id: Option<String>,
    pub project_domain_name: Option<String>,
    pub project_domain_id: Option<String>,
    /// Keystone's CA, PEM text (base64 on the wire).
    pub ca_cert: Option<String>,
    pub https_keystone: Option<bool>,
}

impl Credentials {
    /// Keystone's bag (`add_credentials_to_keystone`). Unset optional keys are `""`.
    pub fn to_bag(&self) -> Bag {
        Bag::from([
            ("credentials_username".into(), self.username.clone()),
            (
                "credentials_password".into(),
                self.password.expose().to_owned(),
            ),
            ("credentials_project".into(), self.project.clone()),
            ("credentials_project_id".into(), self.project_id.clone()),
            ("credentials_host".into(), self.host.to_string()),
            ("credentials_port".into(), self.port.to_string()),
            ("credentials_protocol".into(), self.protocol.to_string()),
            ("auth_host".into(), self.auth_host.to_string()),
            ("auth_port".into(), self.auth_port.to_string()),
            ("auth_protocol".into(), self.auth_protocol.to_string()),
            ("api_version".into(), self.api_version.to_string()),
            ("region".into(), optional_text(&self.region)),
            ("domain".into(), optional_text(&self.domain)),
            (
                "credentials_user_domain_name".into(),
                optional_text(&self.user_domain_name),
            ),
            (
                "credentials_user_domain_id".into(),
                optional_text(&self.user_domain_id),
            ),
            (
                "credentials_project_domain_name".into(),
                optional_text(&self.project_domain_name),
            ),
            (
                "credentials_project_domain_id".into(),
                optional_text(&self.project_domain_id),
            ),
            (
                "ca_cert".into(),
                self.ca_cert
                    .as_deref()
                    .map(fields::encode_base64)
                    .unwrap_or_default(),
            ),
            (
                "https_keystone".into(),
                self.https_keystone
                    .map(|on| if on { "True" } else { "False" }.to_owned())
                    .unwrap_or_default(),
            ),
        ])
    }

    /// The client's reading of one keystone unit's bag.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<Self>, FieldError> {
        let mut required = Required::new(bag);
        let host = required.host("credentials_host")?;
        let protocol = Protocol::read(bag, "credentials_protocol")?;
        if protocol.is_none() {
            required.not_yet("credentials_protocol");
        }
        let port = required.port("credentials_port")?;
        let api_version = fields::number(bag, "api_version")?;
        if api_version.is_none() {
            required.not_yet("api_version");
        }
        let auth_host = required.host("auth_host")?;
        let auth_protocol = Protocol::read(bag, "auth_protocol")?;
        if auth_protocol.is_none() {
            required.not_yet("auth_protocol");
        }
        let auth_port = required.port("auth_port")?;
        let project = required.text("credentials_project")?;
        let username = required.text("credentials_username")?;
        let password = required.secret("credentials_password")?;
        let project_id = required.text("credentials_project_id")?;
        let ca_cert = unless_null(bag, "ca_cert", |bag, key| {
            fields::base64_pem(bag, key, PemKind::Certificates)
        })?;
        let https_keystone = unless_null(bag, "https_keystone", fields::flag)?;
        let text = |key| -> Result<Option<String>, FieldError> {
            Ok(fields::text(bag, key)?.map(str::to_owned))
        };

        let (
            Some(host),
            Some(protocol),
            Some(port),
            Some(api_version),
            Some(auth_host),
            Some(auth_protocol),
            Some(auth_port),
            Some(project),
            Some(username),
            Some(password),
            Some(project_id),
        ) = (
            host,
            protocol,
            port,
            api_version,
            auth_host,
            auth_protocol,
            auth_port,
            project,
            username,
            password,
            project_id,
        )
        else {
            return Ok(required.incomplete());
        };
        Ok(Readiness::Ready(Credentials {
            username,
            password,
            project,
            project_id,
            host,
            port,
            protocol,
            auth_host,
            auth_port,
            auth_protocol,
            api_version,
            region: text("region")?,
            domain: text("domain")?,
            user_domain_name: text("credentials_user_domain_name")?,
            user_domain_id: text("credentials_user_domain_id")?,
            project_domain_name: text("credentials_project_domain_name")?,
            project_domain_id: text("credentials_project_domain_id")?,
            ca_cert,
            https_keystone,
        }))
    }

    /// The client's reading of all keystone units: the first ready one in unit order. A
    /// malformed bag is an error only when no unit is ready.
    pub fn from_bags(units: &BTreeMap<UnitName, Bag>) -> Result<Readiness<Self>, UnitError> {
        databag::first_ready(units, Credentials::from_bag)
    }

    /// `auth_uri`: the public identity endpoint.
    pub fn auth_uri(&self) -> String {
        format!("{}://{}:{}", self.protocol, self.host.url_form(), self.port)
    }

    /// `auth_url`: the admin identity endpoint.
    pub fn auth_url(&self) -> String {
        format!(
            "{}://{}:{}",
            self.auth_protocol,
            self.auth_host.url_form(),
            self.auth_port
        )
    }
}
