use std::collections::BTreeMap;

use databag::fields::PemKind;
use databag::{fields, Bag, FieldError, Host, Readiness, Required, Secret, UnitError};
use juju::UnitName;

use crate::{optional_text, unless_null, Protocol};

/// The five values keystone needs to register one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub service: String,
    pub region: String,
    pub public_url: String,
    pub internal_url: String,
    pub admin_url: String,
}

const ENDPOINT_KEYS: [&str; 5] = [
    "service",
    "region",
    "public_url",
    "internal_url",
    "admin_url",
];

impl Endpoint {
    fn values(&self) -> [&str; 5] {
        [
            &self.service,
            &self.region,
            &self.public_url,
            &self.internal_url,
            &self.admin_url,
        ]
    }

    /// The endpoint under `<prefix>_<key>` (or plain keys), if all five are there. The
    /// string `None` is how a client asks keystone for information without registering, so
    /// such a group is not an endpoint.
    fn read(bag: &Bag, prefix: Option<&str>) -> Option<Endpoint> {
        let value = |key: &str| {
            let key = match prefix {
                Some(prefix) => format!("{prefix}_{key}"),
                None => key.to_owned(),
            };
            fields::text(bag, &key)
                .ok()
                .flatten()
                .filter(|v| *v != "None")
                .map(str::to_owned)
        };
        Some(Endpoint {
            service: value("service")?,
            region: value("region")?,
            public_url: value("public_url")?,
            internal_url: value("internal_url")?,
            admin_url: value("admin_url")?,
        })
    }
}

/// A prefix that cannot work: keystone splits keys at the first `_`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid endpoint prefix {prefix:?}: must be non-empty and contain no '_'")]
pub struct RegistrationError {
    pub prefix: String,
}

/// What an API charm registers: one endpoint with plain keys, or several with a prefix each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// `(None, endpoint)` for the single, unprefixed form.
    endpoints: Vec<(Option<String>, Endpoint)>,
}

impl Registration {
    /// One endpoint, plain keys.
    pub fn single(endpoint: Endpoint) -> Self {
        Registration {
            endpoints: vec![(None, endpoint)],
        }
    }

    /// Several endpoints, each under `<prefix>_`.
    pub fn prefixed<P: Into<String>>(
        endpoints: impl IntoIterator<Item = (P, Endpoint)>,
    ) -> Result<Self, RegistrationError> {
        let endpoints = endpoints
            .into_iter()
            .map(|(prefix, endpoint)| {
                let prefix = prefix.into();
                if prefix.is_empty() || prefix.contains('_') {
                    Err(RegistrationError { prefix })
                } else {
                    Ok((Some(prefix), endpoint))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Registration { endpoints })
    }

    pub fn endpoints(&self) -> impl Iterator<Item = (Option<&str>, &Endpoint)> {
        self.endpoints.iter().map(|(p, e)| (p.as_deref(), e))
    }

    /// The client's bag.
    pub fn to_bag(&self) -> Bag {
        let mut bag = Bag::new();
        for (prefix, endpoint) in &self.endpoints {
            for (key, value) in ENDPOINT_KEYS.iter().zip(endpoint.values()) {
                let key = match prefix {
                    Some(prefix) => format!("{prefix}_{key}"),
                    None => (*key).to_owned(),
                };
                bag.insert(key, value.to_owned());
            }
        }
        bag
    }

    /// Keystone's reading of one client unit's bag (`add_service_to_keystone`): the plain
    /// keys when all five are there, else every prefix group that has all five, in prefix
    /// order. Other keys (`private-address`, half-written groups) are ignored, as keystone
    /// ignores them.
    pub fn from_bag(bag: &Bag) -> Readiness<Self> {
        if let Some(endpoint) = Endpoint::read(bag, None) {
            return Readiness::Ready(Registration::single(endpoint));
        }
        let prefixes: std::collections::BTreeSet<&str> = bag
            .keys()
            .filter_map(|key| key.split_once('_').map(|(prefix, _)| prefix))
            .collect();
        let endpoints: Vec<_> = prefixes
            .into_iter()
            .filter_map(|prefix| {
                Endpoint::read(bag, Some(prefix)).map(|e| (Some(prefix.to_owned()), e))
            })
            .collect();
        if endpoints.is_empty() {
            Readiness::waiting_for(ENDPOINT_KEYS)
        } else {
            Readiness::Ready(Registration { endpoints })
        }
    }

    /// The service user keystone creates for this registration: the service name for one
    /// endpoint, the sorted service names joined by `_` for several (before keystone's
    /// optional `service-admin-prefix`).
    pub fn service_username(&self) -> String {
        match self.endpoints.as_slice() {
            [(None, endpoint)] => endpoint.service.clone(),
            endpoints => {
                let mut services: Vec<&str> =
                    endpoints.iter().map(|(_, e)| e.service.as_str()).collect();
                services.sort_unstable();
                services.join("_")
            }
        }
    }
}

/// What keystone sends an API charm once its endpoints are registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCredentials {
    pub service_host: Host,
    pub service_port: u16,
    pub service_protocol: Protocol,
    pub auth_host: Host,
    pub auth_port: u16,
    pub auth_protocol: Protocol,
    pub internal_host: Option<Host>,
    pub internal_port: Option<u16>,
    pub internal_protocol: Option<Protocol>,
    pub service_tenant: String,
    pub service_tenant_id: String,
    pub service_username: String,
    pub service_password: Secret,
    pub service_domain: Option<String>,
    pub service_domain_id: Option<String>,
    pub api_version: Option<u64>,
    pub service_type: Option<String>,
    /// Keystone's CA, PEM text (base64 on the wire).
    pub ca_cert: Option<String>,
    pub https_keystone: Option<bool>,
}

impl ServiceCredentials {
    /// Keystone's bag. Unset optional keys are `""`, which clears them.
    pub fn to_bag(&self) -> Bag {
        let host = |h: &Option<Host>| h.as_ref().map(Host::to_string).unwrap_or_default();
        let port = |p: Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
        let protocol = |p: Option<Protocol>| p.map(|p| p.to_string()).unwrap_or_default();
        Bag::from([
            ("service_host".into(), self.service_host.to_string()),
            ("service_port".into(), self.service_port.to_string()),
            ("service_protocol".into(), self.service_protocol.to_string()),
            ("auth_host".into(), self.auth_host.to_string()),
            ("auth_port".into(), self.auth_port.to_string()),
            ("auth_protocol".into(), self.auth_protocol.to_string()),
            ("internal_host".into(), host(&self.internal_host)),
            ("internal_port".into(), port(self.internal_port)),
            ("internal_protocol".into(), protocol(self.internal_protocol)),
            ("service_tenant".into(), self.service_tenant.clone()),
            ("service_tenant_id".into(), self.service_tenant_id.clone()),
            ("service_username".into(), self.service_username.clone()),
            (
                "service_password".into(),
                self.service_password.expose().to_owned(),
            ),
            ("service_domain".into(), optional_text(&self.service_domain)),
            (
                "service_domain_id".into(),
                optional_text(&self.service_domain_id),
            ),
            (
                "api_version".into(),
                self.api_version.map(|v| v.to_string()).unwrap_or_default(),
            ),
            ("service_type".into(), optional_text(&self.service_type)),
            (
                "ca_cert".into(),
                self.ca_cert
                    .as_deref()
                    .map(fields::encode_base64)
                    .unwrap_or_default(),
            ),
            (
                "https_keystone".into(),
                // Python's str(True).
                self.https_keystone
                    .map(|on| if on { "True" } else { "False" }.to_owned())
                    .unwrap_or_default(),
            ),
        ])
    }

    /// The client's reading of one keystone unit's bag.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<Self>, FieldError> {
        let mut required = Required::new(bag);
        let service_host = required.host("service_host")?;
        let service_protocol = Protocol::read(bag, "service_protocol")?;
        if service_protocol.is_none() {
            required.not_yet("service_protocol");
        }
        let service_port = required.port("service_port")?;
        let auth_host = required.host("auth_host")?;
        let auth_protocol = Protocol::read(bag, "auth_protocol")?;
        if auth_protocol.is_none() {
            required.not_yet("auth_protocol");
        }
        let auth_port = required.port("auth_port")?;
        let service_tenant = required.text("service_tenant")?;
        let service_username = required.text("service_username")?;
        let service_password = required.secret("service_password")?;
        let service_tenant_id = required.text("service_tenant_id")?;

        let internal_host = fields::host(bag, "internal_host")?;
        let internal_port = fields::port(bag, "internal_port")?;
        let internal_protocol = Protocol::read(bag, "internal_protocol")?;
        let text = |key| -> Result<Option<String>, FieldError> {
            Ok(fields::text(bag, key)?.map(str::to_owned))
        };
        let api_version = fields::number(bag, "api_version")?;
        let ca_cert = unless_null(bag, "ca_cert", |bag, key| {
            fields::base64_pem(bag, key, PemKind::Certificates)
        })?;
        let https_keystone = unless_null(bag, "https_keystone", fields::flag)?;

        let (
            Some(service_host),
            Some(service_protocol),
            Some(service_port),
            Some(auth_host),
            Some(auth_protocol),
            Some(auth_port),
            Some(service_tenant),
            Some(service_username),
            Some(service_password),
            Some(service_tenant_id),
        ) = (
            service_host,
            service_protocol,
            service_port,
            auth_host,
            auth_protocol,
            auth_port,
            service_tenant,
            service_username,
            service_password,
            service_tenant_id,
        )
        else {
            return Ok(required.incomplete());
        };
        Ok(Readiness::Ready(ServiceCredentials {
            service_host,
            service_port,
            service_protocol,
            auth_host,
            auth_port,
            auth_protocol,
            internal_host,
            internal_port,
            internal_protocol,
            service_tenant,
            service_tenant_id,
            service_username,
            service_password,
            service_domain: text("service_domain")?,
            service_domain_id: text("service_domain_id")?,
            api_version,
            service_type: text("service_type")?,
            ca_cert,
            https_keystone,
        }))
    }

    /// The client's reading of all keystone units (they all publish the same answer): the
    /// first unit in unit order whose bag is ready. A malformed bag is an error only when no
    /// unit is ready.
    pub fn from_bags(units: &BTreeMap<UnitName, Bag>) -> Result<Readiness<Self>, UnitError> {
        databag::first_ready(units, ServiceCredentials::from_bag)
    }

    /// `auth_uri` of `[keystone_authtoken]`: the public identity endpoint.
    pub fn auth_uri(&self) -> String {
        format!(
            "{}://{}:{}",
            self.service_protocol,
            self.service_host.url_form(),
            self.service_port
        )
    }

    /// `auth_url` of `[keystone_authtoken]`: the admin identity endpoint.
    pub fn auth_url(&self) -> String {
        format!(
            "{}://{}:{}",
            self.auth_protocol,
            self.auth_host.url_form(),
            self.auth_port
        )
    }

    /// The domain of the service user and project, `default` when keystone sent none (v2).
    pub fn domain_or_default(&self) -> &str {
        self.service_domain.as_deref().unwrap_or("default")
    }
}
