//! The back end's manila.conf text, rendered from `templates/manila-netapp-backend/manila.conf`
//! with the toolkit's oslo.config escaping (so manila reads back exactly the values given).
//!
//! - `[<share-backend-name>]`: the NetApp driver in the `ontap_cluster` family, the cluster's
//!   address and account, then either the SVM that serves the shares (`netapp_vserver`) or,
//!   with share servers, where the driver creates its SVMs (their root volumes' aggregate and
//!   name, their NFS versions) and, with the standalone network plugin, their network.
//! - `[neutron]`, with share servers on Neutron's networks: the service credentials the
//!   principal sent, as keystoneauth's password plugin reads them (the generic back end's
//!   keys, so that both back ends on one manila agree on the section).

use charm::{TemplateError, Templates};
use manila_plugin::Credentials;
use serde_json::json;

use crate::config::Config;

const TEMPLATE: &str = "manila.conf";

/// The text of the back end `config` describes (complete: [`Config::missing`] is empty),
/// with the `[neutron]` section from `neutron` when given.
pub fn section(
    templates: &Templates,
    config: &Config,
    neutron: Option<&Credentials>,
) -> Result<String, TemplateError> {
    let context = json!({
        "c": config,
        "standalone": config.driver_handles_share_servers && config.standalone_network,
        "neutron": neutron.map(|n| json!({
            "auth_type": n.auth_type,
            "auth_url": n.auth_url,
            "username": n.username,
            "password": n.password.expose(),
            "project_name": n.project_name,
            "project_domain_name": n.project_domain_name,
            "user_domain_name": n.user_domain_name,
        })),
    });
    templates.render(TEMPLATE, &[], &context)
}
