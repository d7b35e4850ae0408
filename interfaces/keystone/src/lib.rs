//! Keystone's two relation interfaces, both sides, as codecs over relation databags.
//! Wire-compatible with the `keystone` charm and the reactive `interface:keystone` and
//! `interface:keystone-credentials` layers.
//!
//! # `keystone` (`identity-service`): register endpoints, receive service credentials
//!
//! The API charm registers one or more endpoints ([`Registration`]). One endpoint uses plain
//! keys; several use a prefix per endpoint (keystone splits each key at its first `_`, so a
//! prefix has none). charm-manila registers two:
//!
//! | Key | Value |
//! |---|---|
//! | `service` / `<p>_service` | catalog service name (`manila`, `manilav2`) |
//! | `region` / `<p>_region` | region |
//! | `public_url`, `internal_url`, `admin_url` (or `<p>_...`) | endpoint URLs |
//!
//! Keystone answers ([`ServiceCredentials`]) once it has registered them, creating one
//! service user named after the services (`'_'.join(sorted(services))`, so
//! `manila_manilav2`; see [`Registration::service_username`]):
//!
//! | Key | Value |
//! |---|---|
//! | `service_host`, `service_port`, `service_protocol` | public identity endpoint |
//! | `auth_host`, `auth_port`, `auth_protocol` | admin identity endpoint |
//! | `internal_host`, `internal_port`, `internal_protocol` | internal identity endpoint |
//! | `service_tenant`, `service_tenant_id` | the services project |
//! | `service_username`, `service_password` | the service user |
//! | `service_domain`, `service_domain_id` | its domain (Keystone v3) |
//! | `api_version` | `2` or `3` |
//! | `service_type` | catalog type of the registered service |
//! | `ca_cert`, `https_keystone` | base64 CA PEM and `True` when keystone speaks TLS |
//!
//! The client is ready when the ten keys the Python interface checks are present:
//! `service_host`, `service_protocol`, `service_port`, `auth_host`, `auth_protocol`,
//! `auth_port`, `service_tenant`, `service_username`, `service_password`,
//! `service_tenant_id`.
//!
//! # `keystone-credentials`: credentials without an endpoint
//!
//! See the [`credentials`] module: a charm with no API (manila-ganesha) asks for a user by
//! name and receives `credentials_*` keys.
//!
//! ```
//! use keystone::{Endpoint, Registration};
//! let url = |v: &str| format!("http://10.5.100.1:8786/{v}/%(tenant_id)s");
//! let endpoint = |service: &str, v: &str| Endpoint {
//!     service: service.into(),
//!     region: "RegionOne".into(),
//!     public_url: url(v),
//!     internal_url: url(v),
//!     admin_url: url(v),
//! };
//! let registration = Registration::prefixed([
//!     ("v1", endpoint("manila", "v1")),
//!     ("v2", endpoint("manilav2", "v2")),
//! ])?;
//! let bag = registration.to_bag();
//! assert_eq!(bag["v2_service"], "manilav2");
//! assert_eq!(bag["v1_admin_url"], "http://10.5.100.1:8786/v1/%(tenant_id)s");
//! assert_eq!(registration.service_username(), "manila_manilav2");
//! # Ok::<(), keystone::RegistrationError>(())
//! ```

pub mod credentials;
mod identity_service;

use std::fmt;

use databag::{fields, Bag, FieldError, FieldErrorKind};

pub use identity_service::{Endpoint, Registration, RegistrationError, ServiceCredentials};

/// The scheme of an identity endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Http,
    Https,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
        }
    }

    fn read(bag: &Bag, key: &str) -> Result<Option<Protocol>, FieldError> {
        match fields::text(bag, key)? {
            None => Ok(None),
            Some("http") => Ok(Some(Protocol::Http)),
            Some("https") => Ok(Some(Protocol::Https)),
            Some(other) => Err(FieldError::new(
                key,
                FieldErrorKind::NotOneOf {
                    expected: "http or https",
                    value: other.to_owned(),
                },
            )),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Keystone writes the placeholder `__null__` for TLS keys it means to unset.
fn unless_null<T>(
    bag: &Bag,
    key: &str,
    read: impl Fn(&Bag, &str) -> Result<Option<T>, FieldError>,
) -> Result<Option<T>, FieldError> {
    if fields::raw(bag, key) == Some("__null__") {
        Ok(None)
    } else {
        read(bag, key)
    }
}

fn optional_text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests;
