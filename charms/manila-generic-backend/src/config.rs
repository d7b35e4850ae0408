//! The charm's options, declared once as the fields of [`Config`] (`config.yaml` is
//! generated from it), and their validation.
//!
//! Validation has two outcomes an operator sees differently, both `blocked`:
//! - a value the charm cannot use at all is a [`ConfigError`] naming the option
//!   (`Invalid config: 'driver-auth-type': ...`);
//! - a usable but incomplete configuration is [`Config::missing`], with the reference
//!   charm's messages (`Missing 'driver-service-instance-flavor-id'`, ...).

use std::fmt;
use std::str::FromStr;

use charm::config::{ConfigError, RawConfig};
use charm::Options;
use databag::Secret;
use manila_plugin::BackendName;

mod ssh;

pub use ssh::key_text;

/// How the driver logs in to its service instances (`driver-auth-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    /// Empty: neither a password nor an SSH key (a Nova keypair only).
    Neither,
    Password,
    Ssh,
    Both,
}

impl AuthType {
    pub fn uses_password(self) -> bool {
        matches!(self, AuthType::Password | AuthType::Both)
    }

    pub fn uses_ssh(self) -> bool {
        matches!(self, AuthType::Ssh | AuthType::Both)
    }
}

/// A `driver-auth-type` that is none of the accepted words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAuthType(String);

impl fmt::Display for UnknownAuthType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected 'password', 'ssh', 'both' or nothing, got {:?}",
            self.0
        )
    }
}

impl FromStr for AuthType {
    type Err = UnknownAuthType;

    /// Case-insensitive, as the reference charm compares it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(AuthType::Neither),
            "password" => Ok(AuthType::Password),
            "ssh" => Ok(AuthType::Ssh),
            "both" => Ok(AuthType::Both),
            _ => Err(UnknownAuthType(s.to_owned())),
        }
    }
}

/// The SSH key pair from config, both halves present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshKeyPair {
    pub private: Secret,
    pub public: String,
}

/// The configuration, validated: each field an option, in the reference charm's order (the
/// single source of `config.yaml`). Optional strings are `None` when empty.
#[derive(Debug, Clone, PartialEq, Eq, Options)]
#[options(validate = check_keys)]
pub struct Config {
    /// Repository from which to install OpenStack. Accepted for compatibility with the
    /// reference charm: this charm installs nothing (the manila charm installs manila-share).
    #[option(default = "distro")]
    pub openstack_origin: String,
    /// Enable debug logging. Accepted for compatibility with the reference charm: manila's
    /// logging is the manila charm's to configure.
    #[option(default = false)]
    pub debug: bool,
    /// Enable verbose logging. Accepted for compatibility with the reference charm: manila's
    /// logging is the manila charm's to configure.
    #[option(default = false)]
    pub verbose: bool,
    /// Name of the share back end: the manila.conf section its settings go in, its
    /// share_backend_name, and the name the manila charm adds to enabled_share_backends.
    /// Letters, digits, '_', '-' and '.'.
    #[option(name = "share-backend-name", default = "generic", with = backend_name)]
    pub backend_name: Option<BackendName>,
    /// Space-delimited list of the share protocols this back end provides. Informational:
    /// manila's enabled_share_protocols is the manila charm's share-protocols option.
    #[option(default = "NFS CIFS", with = share_protocols)]
    pub share_protocols: Vec<&'static str>,
    /// Name of the Glance image the generic driver boots its service instances (share
    /// servers) from. Used when driver-handles-share-servers is true.
    #[option(name = "driver-service-image-name", default = "manila-service-image", with = name)]
    pub image_name: Option<String>,
    /// Whether the driver creates and manages its own share servers (Nova service
    /// instances, one per share network). When false, the image, flavor, tenant network and
    /// keypair settings are not sent.
    #[option(name = "driver-handles-share-servers", default = true)]
    pub handles_share_servers: bool,
    /// Nova flavor id of the service instances. Used when driver-handles-share-servers is
    /// true; the charm blocks while it is 0.
    #[option(name = "driver-service-instance-flavor-id", default = 0, with = flavor_id)]
    pub flavor_id: u64,
    /// Attach share servers to the tenant's network as well as to the service network. Used
    /// when driver-handles-share-servers is true.
    #[option(name = "driver-connect-share-server-to-tenant-network", default = true)]
    pub connect_to_tenant_network: bool,
    /// User the driver logs in to service instances as.
    #[option(name = "driver-service-instance-user", default = "manila", with = name)]
    pub instance_user: Option<String>,
    /// How the driver logs in to service instances: 'password' (with
    /// driver-service-instance-password), 'ssh' (with the key pair in driver-service-ssh-key
    /// and driver-service-ssh-key-public), 'both', or empty for neither (Nova keypair only,
    /// see driver-keypair-name).
    #[option(name = "driver-auth-type", default = "", with = auth_type)]
    pub auth: AuthType,
    /// Password of driver-service-instance-user on the service instances; sent when
    /// driver-auth-type is 'password' or 'both'.
    #[option(name = "driver-service-instance-password", default = "", with = password)]
    pub instance_password: Option<Secret>,
    /// Private SSH key (the whole key file) the driver logs in to service instances with.
    /// Written to /etc/manila/ssh_image_key (mode 0600) when driver-auth-type is 'ssh' or
    /// 'both', and removed otherwise.
    #[option(name = "driver-service-ssh-key", default = "", with = key)]
    pub ssh_key: Option<Secret>,
    /// Public half of driver-service-ssh-key. Written to /etc/manila/ssh_image_key.pub (mode
    /// 0644) when driver-auth-type is 'ssh' or 'both', and removed otherwise.
    #[option(name = "driver-service-ssh-key-public", default = "", with = public_key)]
    pub ssh_key_public: Option<String>,
    /// Name of the Nova keypair the driver creates for its service instances. Used when
    /// driver-handles-share-servers is true.
    #[option(name = "driver-keypair-name", default = "manila-service", with = name)]
    pub keypair_name: Option<String>,
}

impl Config {
    /// The reference charm's completeness check, in its order, plus the two things it let
    /// through to a broken back end (no back-end name; ssh without keys). `None` when the
    /// back end can be sent.
    pub fn missing(&self) -> Option<&'static str> {
        if self.backend_name.is_none() {
            return Some("Missing 'share-backend-name'");
        }
        if self.handles_share_servers {
            if self.image_name.is_none() {
                return Some("Missing 'driver-service-image-name'");
            }
            if self.instance_user.is_none() {
                return Some("Missing 'driver-service-instance-user'");
            }
            if self.flavor_id == 0 {
                return Some("Missing 'driver-service-instance-flavor-id'");
            }
            if self.instance_password.is_none() && self.keypair_name.is_none() {
                return Some("Need at least one of instance password or keypair name");
            }
        }
        if self.auth.uses_ssh() && self.ssh_key_pair().is_none() {
            return Some(
                "Set both 'driver-service-ssh-key' and 'driver-service-ssh-key-public' for ssh \
                 authentication",
            );
        }
        None
    }

    /// The instance password, when the driver is to use it.
    pub fn password(&self) -> Option<&Secret> {
        self.instance_password
            .as_ref()
            .filter(|_| self.auth.uses_password())
    }

    /// The key pair, when both halves are set (whether or not ssh is selected).
    pub fn ssh_key_pair(&self) -> Option<SshKeyPair> {
        match (&self.ssh_key, &self.ssh_key_public) {
            (Some(private), Some(public)) => Some(SshKeyPair {
                private: private.clone(),
                public: public.clone(),
            }),
            _ => None,
        }
    }

    /// The key pair the driver is to use: ssh selected and both halves set.
    pub fn ssh_keys(&self) -> Option<SshKeyPair> {
        self.ssh_key_pair().filter(|_| self.auth.uses_ssh())
    }
}

/// Whether the configuration, valid or not, still asks for the SSH key files: ssh selected
/// (in any spelling the charm accepts) and both keys set. When it does not, the key files
/// go, even while another option is invalid: an operator who clears a key expects it gone
/// from the machine.
pub fn asks_for_ssh_keys(raw: &RawConfig) -> bool {
    let set = |name| {
        raw.optional_string(name)
            .ok()
            .flatten()
            .is_some_and(|v| !v.trim().is_empty())
    };
    let ssh = raw
        .optional_parsed::<AuthType>("driver-auth-type")
        .ok()
        .flatten()
        .is_some_and(AuthType::uses_ssh);
    ssh && set("driver-service-ssh-key") && set("driver-service-ssh-key-public")
}

fn backend_name(raw: &RawConfig, option: &str) -> Result<Option<BackendName>, ConfigError> {
    match raw.string(option)?.trim() {
        "" => Ok(None),
        name => BackendName::new(name)
            .map(Some)
            .map_err(|e| ConfigError::new(option, e)),
    }
}

fn share_protocols(raw: &RawConfig, option: &str) -> Result<Vec<&'static str>, ConfigError> {
    manila_plugin::parse_protocols(&raw.string(option)?).map_err(|e| ConfigError::new(option, e))
}

fn flavor_id(raw: &RawConfig, option: &str) -> Result<u64, ConfigError> {
    let id = raw.int(option)?;
    u64::try_from(id)
        .map_err(|_| ConfigError::new(option, format!("must not be negative, got {id}")))
}

fn auth_type(raw: &RawConfig, option: &str) -> Result<AuthType, ConfigError> {
    Ok(raw
        .optional_parsed::<AuthType>(option)?
        .unwrap_or(AuthType::Neither))
}

fn password(raw: &RawConfig, option: &str) -> Result<Option<Secret>, ConfigError> {
    Ok(single_line(raw, option)?.map(Secret::from))
}

fn key(raw: &RawConfig, option: &str) -> Result<Option<Secret>, ConfigError> {
    let key = raw
        .optional_string(option)?
        .filter(|key| !key.trim().is_empty());
    Ok(ssh::check_private(key.as_deref())?.map(Secret::from))
}

fn public_key(raw: &RawConfig, option: &str) -> Result<Option<String>, ConfigError> {
    let key = raw
        .optional_string(option)?
        .filter(|key| !key.trim().is_empty());
    ssh::check_public(key.as_deref())
}

/// The two halves of the key pair, when both are set, are halves of one key.
fn check_keys(config: &Config) -> Result<(), ConfigError> {
    ssh::check_pair(config.ssh_key.as_ref(), config.ssh_key_public.as_deref())
}

/// A name (of a user, an image, a keypair): surrounding blanks are not part of it.
fn name(raw: &RawConfig, option: &str) -> Result<Option<String>, ConfigError> {
    Ok(single_line(raw, option)?.map(|v| v.trim().to_owned()))
}

/// An optional string that goes into manila.conf as one value: it must be one that
/// oslo.config reads back as itself (no line break or other control character, no `\$`).
/// The value is never quoted in the message (it may be a password).
fn single_line(raw: &RawConfig, name: &str) -> Result<Option<String>, ConfigError> {
    let value = raw.optional_string(name)?;
    if let Some(Err(e)) = value.as_deref().map(|v| ini::Dialect::Oslo.escape(v)) {
        return Err(ConfigError::new(name, e));
    }
    // Nova's and Glance's names, Linux user names and passwords all fit in 255 bytes.
    if value.as_ref().is_some_and(|v| v.len() > ini::MAX_NAME) {
        return Err(ConfigError::new(
            name,
            format!("must be at most {} characters", ini::MAX_NAME),
        ));
    }
    Ok(value.filter(|v| !v.trim().is_empty()))
}

#[cfg(test)]
mod tests;
