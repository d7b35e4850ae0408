//! The resources an OpenStack charm asks hacluster for, decided from its configuration:
//! what charms.openstack's `configure_ha_resources` sends for `vips`, `haproxy` and `dnsha`,
//! plus single-node services (the share service of manila, run active/passive).

use std::fmt;
use std::net::IpAddr;

use crate::crm::{hashed_vip_key, service_key};
use crate::Crm;

/// Where a VIP goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VipNic {
    /// One of the unit's interfaces is in the VIP's network: the resource agent finds the
    /// NIC and netmask itself, as in the reference.
    Found { iface: String },
    /// None is: the configured `vip_iface` and `vip_cidr` are sent with the VIP.
    Fallback { iface: String, netmask: String },
}

impl VipNic {
    fn iface(&self) -> &str {
        match self {
            VipNic::Found { iface } | VipNic::Fallback { iface, .. } => iface,
        }
    }
}

/// One configured VIP and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vip {
    pub address: IpAddr,
    pub nic: VipNic,
}

/// A MAAS DNS record for one endpoint type: `os-<type>-hostname` pointing at this unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    /// The reference's word for the endpoint type: `public`, `int` or `admin`.
    pub endpoint_type: String,
    pub fqdn: String,
    pub ip: String,
}

/// A configuration hacluster cannot be asked for. The messages are the reference's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HaConfigError {
    /// `vip` and `dns-ha` are both set.
    VipAndDnsHa,
    /// `dns-ha` is set but no `os-*-hostname`.
    DnsHaWithoutHostnames,
}

impl fmt::Display for HaConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HaConfigError::VipAndDnsHa => {
                "HA: Either vip or dns-ha must be set but not both in order to use high availability"
            }
            HaConfigError::DnsHaWithoutHostnames => {
                "DNS HA: At least one os-*-hostname(s) must be set to use DNS HA"
            }
        })
    }
}

impl std::error::Error for HaConfigError {}

/// What one application (`service`, e.g. `manila`) asks hacluster to run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceResources {
    /// The prefix of every resource name: `res_<service>_...`, `grp_<service>_vips`.
    pub service: String,
    pub vips: Vec<Vip>,
    /// VIPs published earlier and no longer configured: their resources are deleted.
    pub retired_vips: Vec<IpAddr>,
    /// `dns-ha`: DNS records instead of VIPs.
    pub dns_ha: bool,
    pub dns_records: Vec<DnsRecord>,
    /// haproxy, an LSB service cloned on every node.
    pub haproxy: bool,
    /// systemd units that run on one node at a time, on the node holding the VIPs (not
    /// cloned, colocated with the VIP group when there are VIPs).
    pub single_node: Vec<String>,
}

impl ServiceResources {
    /// The Pacemaker configuration: the VIPs, hashed-named (and the reference's older
    /// interface-named VIP resources deleted, so that a cluster configured by the Python
    /// charm does not keep two resources for one address), or the DNS records; haproxy
    /// cloned; each single-node unit colocated with the VIPs; retired VIPs deleted.
    pub fn crm(&self) -> Result<Crm, HaConfigError> {
        let service = self.service.as_str();
        let mut crm = Crm::new();
        if self.dns_ha {
            if !self.vips.is_empty() {
                return Err(HaConfigError::VipAndDnsHa);
            }
            if self.dns_records.is_empty() {
                return Err(HaConfigError::DnsHaWithoutHostnames);
            }
            for record in &self.dns_records {
                crm.add_dnsha(service, &record.ip, &record.fqdn, &record.endpoint_type);
            }
        }
        for vip in &self.vips {
            let nic = match &vip.nic {
                VipNic::Found { .. } => None,
                VipNic::Fallback { iface, netmask } => Some((iface.as_str(), netmask.as_str())),
            };
            crm.add_hashed_vip(service, vip.address, nic);
        }
        for vip in &self.vips {
            let legacy = match vip.address {
                IpAddr::V4(_) => format!("res_{service}_{}_vip", vip.nic.iface()),
                IpAddr::V6(_) => format!("res_{service}_{}_ipv6addr_vip", vip.nic.iface()),
            };
            crm.delete_resource(&legacy);
        }
        for retired in &self.retired_vips {
            if !self.vips.iter().any(|v| v.address == *retired) {
                crm.delete_resource(&hashed_vip_key(service, *retired));
            }
        }
        if self.haproxy {
            crm.add_init_service(service, "haproxy", true);
        }
        let vip_group = format!("grp_{service}_vips");
        for unit in &self.single_node {
            crm.add_systemd_service(unit, unit, false);
            if !self.vips.is_empty() {
                let key = service_key(unit, unit);
                crm.add_colocation(
                    &format!("{}_with_vips", unit.replace('-', "_")),
                    "inf",
                    &[&key, &vip_group],
                    None,
                );
            }
        }
        Ok(crm)
    }
}
