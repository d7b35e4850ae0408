//! The service's own keystone identity, as the OpenStack services' configuration files take
//! it (`[keystone_authtoken]`, and the `[nova]`/`[neutron]`/`[cinder]` clients): from
//! `identity-service` on a unit that registers endpoints, from `identity-credentials` on one
//! that only calls other services.

use databag::Secret;
use keystone::credentials::Credentials;
use keystone::ServiceCredentials;
use serde::Serialize;

/// Who the service is to keystone, and where keystone is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceClient {
    /// Keystone's public endpoint (`www_authenticate_uri`, `auth_uri`).
    pub www_authenticate_uri: String,
    /// Keystone's admin/internal endpoint (`auth_url`).
    pub auth_url: String,
    pub project_domain_name: String,
    pub user_domain_name: String,
    pub project_name: String,
    pub username: String,
    #[serde(serialize_with = "expose")]
    pub password: Secret,
}

/// Templates need the password itself (what reaches a file is the template's concern: it is
/// rendered into a file only the service's group reads).
fn expose<S: serde::Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

impl ServiceClient {
    /// From what keystone answered a registration (charms.openstack's `IdentityServiceContext`:
    /// one domain for user and project, `default` when keystone names none).
    pub fn from_service(creds: &ServiceCredentials) -> ServiceClient {
        let domain = creds.domain_or_default().to_owned();
        ServiceClient {
            www_authenticate_uri: creds.auth_uri(),
            auth_url: creds.auth_url(),
            project_domain_name: domain.clone(),
            user_domain_name: domain,
            project_name: creds.service_tenant.clone(),
            username: creds.service_username.clone(),
            password: creds.service_password.clone(),
        }
    }

    /// From `identity-credentials`: the user's and the project's domains when keystone names
    /// them, else its `domain`, else `default`.
    pub fn from_credentials(creds: &Credentials) -> ServiceClient {
        let domain = |name: &Option<String>| {
            name.clone()
                .or_else(|| creds.domain.clone())
                .unwrap_or_else(|| "default".to_owned())
        };
        ServiceClient {
            www_authenticate_uri: creds.auth_uri(),
            auth_url: creds.auth_url(),
            project_domain_name: domain(&creds.project_domain_name),
            user_domain_name: domain(&creds.user_domain_name),
            project_name: creds.project.clone(),
            username: creds.username.clone(),
            password: creds.password.clone(),
        }
    }
}
