//! Inputs shared by the tests: what the manila charm sends, and configurations for each
//! driver mode and login method.

use charm::Databag;
use manila_plugin::AuthenticationData;

use crate::model::Model;

/// `_authentication_data` exactly as charm-manila writes it (Python's `json.dumps`).
pub(crate) const AUTHENTICATION: &str = r#"{"data": {"username": "manila", "password": "s3cret", "project_domain_name": "service_domain", "project_name": "services", "user_domain_name": "service_domain", "auth_uri": "http://10.5.0.20:5000", "auth_url": "http://10.5.0.20:35357", "auth_type": "password"}}"#;

pub(crate) const PRIVATE_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n\
-----END OPENSSH PRIVATE KEY-----\n";
pub(crate) const PUBLIC_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFake manila@generic";

/// The principal's bag with `_authentication_data` = `text`.
pub(crate) fn principal(text: &str) -> Databag {
    Databag::from([("_authentication_data".to_owned(), text.to_owned())])
}

/// The principal's bag once keystone has answered.
pub(crate) fn credentials() -> Databag {
    principal(AUTHENTICATION)
}

/// The principal's bag before keystone has answered: every value `null`.
pub(crate) fn credentials_pending() -> Databag {
    AuthenticationData::default().to_bag()
}

/// The driver modes: with share servers (DHSS True) or without.
pub(crate) const SHARE_SERVERS: [bool; 2] = [true, false];
/// Every `driver-auth-type`.
pub(crate) const AUTH_TYPES: [&str; 4] = ["", "password", "ssh", "both"];

/// A complete configuration for `share_servers` and `auth_type`, with a password and both
/// keys set (the auth type selects which are used).
pub(crate) fn configure(model: &Model, share_servers: bool, auth_type: &str) {
    model
        .set_config("driver-handles-share-servers", share_servers)
        .set_config("driver-service-instance-flavor-id", 100)
        .set_config("driver-auth-type", auth_type)
        .set_config("driver-service-instance-password", "instance-pw")
        .set_config("driver-service-ssh-key", PRIVATE_KEY)
        .set_config("driver-service-ssh-key-public", PUBLIC_KEY);
}

/// A name for the variant, for snapshots.
pub(crate) fn variant(share_servers: bool, auth_type: &str) -> String {
    let auth = if auth_type.is_empty() {
        "keypair"
    } else {
        auth_type
    };
    format!("dhss_{share_servers}_{auth}")
}

/// A ready unit: configured for `share_servers`/`auth_type`, related as `manila-plugin:3`
/// to a principal that has sent its credentials, after the relation-changed hook.
pub(crate) fn ready(share_servers: bool, auth_type: &str) -> Model {
    let model = Model::new();
    configure(&model, share_servers, auth_type);
    model.relate(3, credentials());
    model.relation_hook("changed", 3);
    model
}
