//! The options, declared once as the fields of [`Config`] (`config.yaml` is generated from
//! it), each read into a type that holds only what manila.conf can take: a value that is not
//! one is a `blocked` status naming the option (`Invalid config: '<option>': ...`). An empty
//! optional value leaves its line out of the text, so Manila's default applies.

use std::net::IpAddr;
use std::num::{NonZeroU16, NonZeroU32};

use charm::Options;
use databag::Secret;
use manila_plugin::BackendName;
use serde::Serialize;

use charm::values::{display, expose, password, HostAddress, IpRanges, Netmask, Text};

use crate::values::{NetworkType, NfsVersions, OntapName, Transport};

/// The configuration, in the reference charm's option order. It serializes as the template
/// reads it: each value as the text to write, the password included.
#[derive(Debug, Clone, PartialEq, Eq, Options, Serialize)]
pub struct Config {
    /// Name of the back end: its manila.conf section, its share_backend_name and its entry in
    /// the manila charm's enabled_share_backends. Letters, digits, '_', '-' and '.'.
    #[option(default = "netapp-ontap")]
    #[serde(serialize_with = "display")]
    pub share_backend_name: Option<BackendName>,
    /// Whether the driver creates an SVM (share server) per share network itself, rather
    /// than serving every share from the SVM named by vserver-name.
    #[option(default = false)]
    pub driver_handles_share_servers: bool,
    /// Aggregate the root volumes of the SVMs the driver creates go on. Required when
    /// driver-handles-share-servers is true.
    pub root_volume_aggregate_name: Option<OntapName>,
    /// NFS versions enabled on the SVMs the driver creates, comma-separated: nfs3, nfs4.0,
    /// nfs4.1. Used when driver-handles-share-servers is true.
    #[option(default = "nfs3,nfs4.0,nfs4.1")]
    pub enabled_share_protocols: Option<NfsVersions>,
    /// The existing SVM (vserver) that serves the shares. Required when
    /// driver-handles-share-servers is false.
    pub vserver_name: Option<OntapName>,
    /// Host name or IP address of the cluster's management interface. Required.
    pub management_address: Option<HostAddress>,
    /// Cluster account the driver logs in with. Required.
    #[option(default = "admin")]
    pub admin_name: Option<Text>,
    /// Password of admin-name. Required; sent to the manila charm in its manila.conf text.
    #[option(with = password)]
    #[serde(serialize_with = "expose")]
    pub admin_password: Option<Secret>,
    /// Protocol of the cluster's management API: http or https.
    #[option(default = "http")]
    pub transport_type: Option<Transport>,
    /// TCP port of the management API; empty for the protocol's (80 or 443).
    #[option(default = "")]
    pub netapp_server_port: Option<NonZeroU16>,
    /// Availability zone of the back end's shares; empty for manila's
    /// storage_availability_zone.
    #[option(default = "nova")]
    pub backend_availability_zone: Option<Text>,
    /// Name of the root volume of each SVM the driver creates (Manila's netapp_root_volume).
    /// Used when driver-handles-share-servers is true.
    #[option(default = "root")]
    pub root_volume_name: Option<OntapName>,
    /// Regular expression choosing the aggregates offered to the scheduler as pools.
    #[option(default = "(.*)")]
    pub aggregate_name_search_pattern: Option<Text>,
    /// With driver-handles-share-servers, put the SVMs' interfaces on the network the
    /// standalone-network-* options describe instead of Neutron's.
    #[option(default = false)]
    pub standalone_network: bool,
    /// The standalone network's type: flat, vlan, vxlan or gre.
    #[option(default = "flat")]
    pub standalone_network_network_type: Option<NetworkType>,
    /// The standalone network's segmentation id (its VLAN, for vlan); empty for none.
    #[option(default = "")]
    pub standalone_network_segmentation_id: Option<NonZeroU32>,
    /// The standalone network's MTU.
    #[option(default = "1500")]
    pub standalone_network_mtu: Option<NonZeroU16>,
    /// Addresses the SVMs' interfaces may take on the standalone network, comma-separated
    /// addresses or ranges (10.0.0.10-10.0.0.254); empty for the whole subnet.
    #[option(default = "")]
    pub standalone_network_allowed_ip_ranges: Option<IpRanges>,
    /// The standalone network's mask: a prefix length (24) or a netmask (255.255.255.0).
    #[option(default = "24")]
    pub standalone_network_mask: Option<Netmask>,
    /// The standalone network's gateway address.
    #[option(default = "172.16.31.1")]
    pub standalone_network_gateway: Option<IpAddr>,
    /// Goodness function the scheduler scores the back end with; empty for none.
    #[option(default = "")]
    pub goodness_function: Option<Text>,
}

impl Config {
    /// The options the back end cannot be sent without, in the reference charm's order.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        let mut need = |option, set: bool| {
            if !set {
                missing.push(option);
            }
        };
        need("share-backend-name", self.share_backend_name.is_some());
        need("management-address", self.management_address.is_some());
        need("admin-name", self.admin_name.is_some());
        need("admin-password", self.admin_password.is_some());
        if self.driver_handles_share_servers {
            need(
                "root-volume-aggregate-name",
                self.root_volume_aggregate_name.is_some(),
            );
            if self.standalone_network {
                need(
                    "standalone-network-gateway",
                    self.standalone_network_gateway.is_some(),
                );
                need(
                    "standalone-network-mask",
                    self.standalone_network_mask.is_some(),
                );
            }
        } else {
            need("vserver-name", self.vserver_name.is_some());
        }
        missing
    }

    /// Whether the text carries a `[neutron]` section, from the credentials manila sends.
    pub fn uses_neutron(&self) -> bool {
        self.driver_handles_share_servers && !self.standalone_network
    }
}
