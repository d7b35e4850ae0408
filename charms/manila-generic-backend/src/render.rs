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
//! Values are written so that oslo.config reads back exactly the string given: `$` is
//! doubled (oslo.config substitutes `$name`), and a value with blanks at either end or
//! wrapped in quotes is put in double quotes (oslo.config strips both).

use charm::{RenderedFile, TemplateError, Templates};
use host::FileSpec;
use manila_plugin::Credentials;
use serde::Serialize;

use crate::config::{Config, SshKeyPair};

/// The file the principal adds the text to.
pub const MANILA_CONF: &str = "/etc/manila/manila.conf";
pub const SSH_KEY: &str = "/etc/manila/ssh_image_key";
pub const SSH_KEY_PUBLIC: &str = "/etc/manila/ssh_image_key.pub";
/// manila-share, which reads the keys, runs as `manila`.
const KEY_OWNER: &str = "manila";
const DRIVER: &str = "manila.share.drivers.generic.GenericShareDriver";
const TEMPLATE: &str = "manila.conf";

/// Credentials that cannot go into manila.conf as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the '{key}' value of _authentication_data contains a line break or another control character"
)]
pub struct UnusableCredentials {
    pub key: &'static str,
}

#[derive(Debug, Serialize)]
struct SectionsContext {
    credential_sections: [&'static str; 3],
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
    fn new(creds: &Credentials) -> Result<AuthContext, UnusableCredentials> {
        let value = |key: &'static str, text: &str| {
            if text.chars().any(char::is_control) {
                Err(UnusableCredentials { key })
            } else {
                Ok(ini_value(text))
            }
        };
        Ok(AuthContext {
            auth_type: value("auth_type", &creds.auth_type)?,
            auth_url: value("auth_url", &creds.auth_url)?,
            username: value("username", &creds.username)?,
            password: value("password", creds.password.expose())?,
            project_name: value("project_name", &creds.project_name)?,
            project_domain_name: value("project_domain_name", &creds.project_domain_name)?,
            user_domain_name: value("user_domain_name", &creds.user_domain_name)?,
        })
    }
}

/// Why the back end's text could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SectionsError {
    /// The principal's data: logged, and the relation counts as incomplete.
    #[error(transparent)]
    Credentials(#[from] UnusableCredentials),
    /// A bug in the template.
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// The manila.conf text of the back end `config` describes, with `creds`. `config` must be
/// complete ([`Config::missing`] is `None`).
pub fn sections(
    templates: &Templates,
    config: &Config,
    creds: &Credentials,
) -> Result<String, SectionsError> {
    let share_servers = config.handles_share_servers.then(|| ShareServers {
        image_name: ini_value(config.image_name.as_deref().unwrap_or_default()),
        flavor_id: config.flavor_id,
        connect_to_tenant_network: python_bool(config.connect_to_tenant_network),
        keypair_name: config.keypair_name.as_deref().map(ini_value),
    });
    let context = SectionsContext {
        credential_sections: ["nova", "neutron", "cinder"],
        auth: AuthContext::new(creds)?,
        backend: BackendContext {
            name: config.backend_name.clone(),
            driver: DRIVER,
            share_servers,
            instance_user: config.instance_user.as_deref().map(ini_value),
            instance_password: config.password().map(|p| ini_value(p.expose())),
            ssh: config.ssh_keys().map(|_| KeyPaths {
                private: SSH_KEY,
                public: SSH_KEY_PUBLIC,
            }),
        },
    };
    Ok(templates.render(TEMPLATE, &[], &context)?)
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

/// A key as pasted into config, as a key file: the indentation common to its lines removed
/// (a key pasted into an indented YAML block keeps its indentation), trailing blanks
/// dropped, one final newline (OpenSSH refuses a private key without it).
pub fn key_text(pasted: &str) -> String {
    let indent = pasted
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| &line[..line.len() - line.trim_start().len()])
        .reduce(|common, prefix| {
            let shared = common
                .char_indices()
                .zip(prefix.chars())
                .find(|((_, a), b)| a != b)
                .map_or(common.len().min(prefix.len()), |((i, _), _)| i);
            &common[..shared]
        })
        .unwrap_or("");
    let mut text: String = pasted
        .lines()
        .map(|line| line.strip_prefix(indent).unwrap_or(line.trim_start()))
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// `value` as oslo.config must see it to read back `value` itself.
pub fn ini_value(value: &str) -> String {
    let escaped = value.replace('$', "$$");
    let quoted_already = escaped.len() >= 2
        && [b'"', b'\'']
            .iter()
            .any(|q| escaped.as_bytes().first() == Some(q) && escaped.as_bytes().last() == Some(q));
    let blank_ends = escaped.trim() != escaped;
    if quoted_already || blank_ends {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
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
