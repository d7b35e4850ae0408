//! What this charm produces: the manila.conf text of the back end (rendered from
//! `templates/manila-generic-backend/manila.conf`) and the SSH key files.
//!
//! The text holds four sections:
//! - `[nova]`, `[neutron]`, `[cinder]`: the service credentials the principal sent, as
//!   keystoneauth's password plugin reads them (`auth_type`, `auth_url`, `username`,
//!   `password`, `project_name`, `project_domain_name`, `user_domain_name`). The reference
//!   also wrote `auth_uri`, which manila does not register in these groups (its option
//!   validator rejects it), so it is left out.
//! - `[<share-backend-name>]`: the generic driver's settings. With share servers
//!   (`driver_handles_share_servers = True`) they include the image, flavor, tenant-network
//!   and keypair settings; without, only what logging in to the existing instance needs.
//!
//! Values are written as the toolkit's renderer escapes them for oslo.config (`$` doubled,
//! blank-ended values quoted), so manila reads back exactly the string given.

use charm::{RenderedFile, TemplateError, Templates};
use host::FileSpec;
use manila_plugin::Credentials;
use serde::Serialize;

use crate::config::{key_text, Config, SshKeyPair};

pub const SSH_KEY: &str = "/etc/manila/ssh_image_key";
pub const SSH_KEY_PUBLIC: &str = "/etc/manila/ssh_image_key.pub";
/// manila-share, which reads the keys, runs as `manila`.
const KEY_OWNER: &str = "manila";
const DRIVER: &str = "manila.share.drivers.generic.GenericShareDriver";
const TEMPLATE: &str = "manila.conf";

#[derive(Debug, Serialize)]
struct SectionsContext {
    credential_sections: &'static [&'static str],
    auth: AuthContext,
    backend: BackendContext,
}

#[derive(Debug, Serialize)]
struct AuthContext {
    auth_type: String,
    auth_url: String,
    username: String,
    password: String,
    project_name: String,
    project_domain_name: String,
    user_domain_name: String,
}

#[derive(Debug, Serialize)]
struct BackendContext {
    name: String,
    driver: &'static str,
    share_servers: Option<ShareServers>,
    instance_user: Option<String>,
    instance_password: Option<String>,
    ssh: Option<KeyPaths>,
}

#[derive(Debug, Serialize)]
struct ShareServers {
    image_name: String,
    flavor_id: u64,
    connect_to_tenant_network: &'static str,
    keypair_name: Option<String>,
}

#[derive(Debug, Serialize)]
struct KeyPaths {
    private: &'static str,
    public: &'static str,
}

impl AuthContext {
    fn new(creds: &Credentials) -> AuthContext {
        AuthContext {
            auth_type: creds.auth_type.clone(),
            auth_url: creds.auth_url.clone(),
            username: creds.username.clone(),
            password: creds.password.expose().to_owned(),
            project_name: creds.project_name.clone(),
            project_domain_name: creds.project_domain_name.clone(),
            user_domain_name: creds.user_domain_name.clone(),
        }
    }
}

/// The manila.conf text of the back end `config` describes, with `creds`. `config` must be
/// complete ([`Config::missing`] is `None`).
pub fn sections(
    templates: &Templates,
    config: &Config,
    creds: &Credentials,
) -> Result<String, TemplateError> {
    let share_servers = config.handles_share_servers.then(|| ShareServers {
        image_name: config.image_name.clone().unwrap_or_default(),
        flavor_id: config.flavor_id,
        connect_to_tenant_network: python_bool(config.connect_to_tenant_network),
        keypair_name: config.keypair_name.clone(),
    });
    let context = SectionsContext {
        credential_sections: manila_plugin::SHARED_SECTIONS,
        auth: AuthContext::new(creds),
        backend: BackendContext {
            name: config
                .backend_name
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            driver: DRIVER,
            share_servers,
            instance_user: config.instance_user.clone(),
            instance_password: config.password().map(|p| p.expose().to_owned()),
            ssh: config.ssh_keys().map(|_| KeyPaths {
                private: SSH_KEY,
                public: SSH_KEY_PUBLIC,
            }),
        },
    };
    templates.render(TEMPLATE, &[], &context)
}

/// The two key files: the private key readable by manila-share only, the public one by all.
pub fn key_files(keys: &SshKeyPair) -> [RenderedFile; 2] {
    [
        RenderedFile {
            path: SSH_KEY.to_owned(),
            content: key_text(keys.private.expose()),
            spec: FileSpec::new(KEY_OWNER, KEY_OWNER, 0o600),
        },
        RenderedFile {
            path: SSH_KEY_PUBLIC.to_owned(),
            content: key_text(&keys.public),
            spec: FileSpec::new(KEY_OWNER, KEY_OWNER, 0o644),
        },
    ]
}

fn python_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests;
