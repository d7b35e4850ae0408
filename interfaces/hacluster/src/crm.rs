use std::collections::BTreeMap;
use std::net::IpAddr;

use sha1::{Digest, Sha1};

const META: &str = r#"migration-threshold="INFINITY" failure-timeout="5s""#;
const VIP_MONITOR: &str = r#"monitor timeout="20s" interval="10s" depth="0""#;
const SERVICE_MONITOR: &str = r#"monitor interval="5s""#;

/// The Pacemaker configuration a principal asks hacluster to manage: the eleven collections
/// that travel as `json_<name>` keys.
///
/// The builder methods reproduce `interface_hacluster.common` (`add_vip`, `add_init_service`,
/// `add_systemd_service`, `add_dnsha`, `add_colocation`, `delete_resource`) name for name and
/// byte for byte, including the double spaces of the parameter strings. The Python layer
/// keeps this object across hooks; charms re-run the same calls every hook, so building it
/// afresh each time gives the same result as the Python layer's steady state (from its second
/// run on: on its very first run it leaves the VIP group out).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Crm {
    pub resources: BTreeMap<String, String>,
    pub delete_resources: Vec<String>,
    pub resource_params: BTreeMap<String, String>,
    pub groups: BTreeMap<String, String>,
    pub ms: BTreeMap<String, String>,
    pub orders: BTreeMap<String, String>,
    pub colocations: BTreeMap<String, String>,
    pub clones: BTreeMap<String, String>,
    pub locations: BTreeMap<String, String>,
    pub init_services: Vec<String>,
    pub systemd_services: Vec<String>,
}

impl Crm {
    pub fn new() -> Self {
        Crm::default()
    }

    /// A VIP on the interface whose network holds it (hacluster finds the NIC):
    /// `res_<service>_<first 7 hex of sha1(vip)>_vip`, or for IPv6
    /// `res_<service>_None_ipv6addr_vip` (sic: the Python layer formats its absent NIC).
    pub fn add_vip(&mut self, service: &str, vip: IpAddr) -> &mut Self {
        self.vip(service, vip, None)
    }

    /// A VIP on an explicit interface and netmask, the fallback when the unit has no
    /// interface in the VIP's network: `res_<service>_<iface>_vip`.
    pub fn add_vip_on(
        &mut self,
        service: &str,
        vip: IpAddr,
        iface: &str,
        netmask: &str,
    ) -> &mut Self {
        self.vip(service, vip, Some((iface, netmask)))
    }

    fn vip(&mut self, service: &str, vip: IpAddr, nic: Option<(&str, &str)>) -> &mut Self {
        let (key, agent, mut params) = match vip {
            IpAddr::V4(_) => {
                let id = match nic {
                    Some((iface, _)) => iface.to_owned(),
                    None => vip_hash(vip),
                };
                (
                    format!("res_{service}_{id}_vip"),
                    "ocf:heartbeat:IPaddr2",
                    format!(r#"ip="{vip}""#),
                )
            }
            IpAddr::V6(_) => (
                format!(
                    "res_{service}_{}_ipv6addr_vip",
                    nic.map_or("None", |(iface, _)| iface)
                ),
                "ocf:heartbeat:IPv6addr",
                format!(r#"ipv6addr="{vip}""#),
            ),
        };
        if let Some((iface, netmask)) = nic {
            params.push_str(&format!(r#" nic="{iface}" cidr_netmask="{netmask}""#));
        }
        self.primitive(&key, agent, Some(&params), Some(META), &[VIP_MONITOR]);
        self.group_resources_containing(&format!("grp_{service}_vips"), "vip");
        self
    }

    /// A VIP named after its address whatever its family and NIC,
    /// `res_<service>_<first 7 hex of sha1(vip)>_vip` (charm-helpers' naming, which stays
    /// unique when several VIPs fall back to one interface), with `nic` and `cidr_netmask`
    /// when given: `ocf:heartbeat:IPaddr2` (`ip=`) or `ocf:heartbeat:IPv6addr` (`ipv6addr=`).
    pub fn add_hashed_vip(
        &mut self,
        service: &str,
        vip: IpAddr,
        nic: Option<(&str, &str)>,
    ) -> &mut Self {
        let (agent, mut params) = match vip {
            IpAddr::V4(_) => ("ocf:heartbeat:IPaddr2", format!(r#"ip="{vip}""#)),
            IpAddr::V6(_) => ("ocf:heartbeat:IPv6addr", format!(r#"ipv6addr="{vip}""#)),
        };
        if let Some((iface, netmask)) = nic {
            params.push_str(&format!(r#" nic="{iface}" cidr_netmask="{netmask}""#));
        }
        let key = hashed_vip_key(service, vip);
        self.primitive(&key, agent, Some(&params), Some(META), &[VIP_MONITOR]);
        self.group_resources_containing(&format!("grp_{service}_vips"), "vip");
        self
    }

    /// Deletes the VIP resource `add_vip` made for `vip` (after a VIP left the config).
    pub fn remove_vip(&mut self, service: &str, vip: IpAddr) -> &mut Self {
        self.delete_resource(&hashed_vip_key(service, vip))
    }

    /// An LSB init script managed by Pacemaker (`res_<service>_<init>`, `lsb:<init>`), cloned
    /// on every node as `cl_res_<service>_<init>` when `clone`.
    pub fn add_init_service(&mut self, service: &str, init: &str, clone: bool) -> &mut Self {
        let key = service_key(service, init);
        self.primitive(
            &key,
            &format!("lsb:{init}"),
            None,
            Some(META),
            &[SERVICE_MONITOR],
        );
        // The Python layer replaces the list rather than extending it.
        self.init_services = vec![init.to_owned()];
        if clone {
            self.clones.insert(format!("cl_{key}"), key);
        }
        self
    }

    /// A systemd unit managed by Pacemaker (`res_<service>_<unit>`, `systemd:<unit>`).
    /// Cloned, it runs everywhere; not cloned, it runs on one node, monitored both where it
    /// runs (`role=Started`) and where it must not (`role=Stopped`).
    pub fn add_systemd_service(&mut self, service: &str, unit: &str, clone: bool) -> &mut Self {
        let key = service_key(service, unit);
        let agent = format!("systemd:{unit}");
        if clone {
            self.primitive(&key, &agent, None, Some(META), &[SERVICE_MONITOR]);
            self.clones.insert(format!("cl_{key}"), key);
        } else {
            self.primitive(
                &key,
                &agent,
                None,
                Some(META),
                &[
                    r#"monitor interval="5s" role=Started"#,
                    r#"monitor interval="6s" role=Stopped"#,
                ],
            );
        }
        // Replaced, not extended, as in the Python layer: the last call wins.
        self.systemd_services = vec![unit.to_owned()];
        self
    }

    /// A MAAS DNS record for an endpoint type (`public`, `int`, `admin`, ...):
    /// `res_<service>_<type>_hostname`, `ocf:maas:dns`, grouped in `grp_<service>_hostnames`.
    pub fn add_dnsha(
        &mut self,
        service: &str,
        ip: &str,
        fqdn: &str,
        endpoint_type: &str,
    ) -> &mut Self {
        let key = format!("res_{}_{endpoint_type}_hostname", service.replace('-', "_"));
        let params = format!(r#" fqdn="{fqdn}" ip_address="{ip}""#);
        self.primitive(&key, "ocf:maas:dns", Some(&params), None, &[]);
        self.group_resources_containing(&format!("grp_{service}_hostnames"), "hostname");
        self
    }

    /// A colocation constraint: `<score>: <r1> <r2> ...[ node-attribute=<attr>]`.
    pub fn add_colocation(
        &mut self,
        name: &str,
        score: &str,
        resources: &[&str],
        node_attribute: Option<&str>,
    ) -> &mut Self {
        let mut spec = format!("{score}: {}", resources.join(" "));
        if let Some(attribute) = node_attribute {
            spec.push_str(&format!(" node-attribute={attribute}"));
        }
        self.colocations.insert(name.to_owned(), spec);
        self
    }

    /// Asks hacluster to delete a resource, and forgets it here: from every collection keyed
    /// by name and from the service lists (group member strings are left as they are, as in
    /// the Python layer).
    pub fn delete_resource(&mut self, name: &str) -> &mut Self {
        if !self.delete_resources.iter().any(|r| r == name) {
            self.delete_resources.push(name.to_owned());
        }
        for map in [
            &mut self.resources,
            &mut self.resource_params,
            &mut self.groups,
            &mut self.ms,
            &mut self.orders,
            &mut self.colocations,
            &mut self.clones,
            &mut self.locations,
        ] {
            map.remove(name);
        }
        self.init_services.retain(|s| s != name);
        self.systemd_services.retain(|s| s != name);
        self
    }

    /// `CRM.primitive`: each of params, meta and op becomes `' ' + ' <word> <value> ...'`
    /// (trailing space trimmed), which is where the double spaces come from.
    fn primitive(
        &mut self,
        name: &str,
        agent: &str,
        params: Option<&str>,
        meta: Option<&str>,
        ops: &[&str],
    ) {
        self.resources.insert(name.to_owned(), agent.to_owned());
        let mut spec = String::new();
        let parts = [
            ("params", params.map(|p| vec![p])),
            ("meta", meta.map(|m| vec![m])),
            ("op", (!ops.is_empty()).then(|| ops.to_vec())),
        ];
        for (word, values) in parts {
            if let Some(values) = values {
                let joined: String = values.iter().map(|v| format!("{word} {v} ")).collect();
                spec.push(' ');
                spec.push_str(format!(" {joined}").trim_end());
            }
        }
        if !spec.is_empty() {
            self.resource_params.insert(name.to_owned(), spec);
        }
    }

    /// The Python layer groups, sorted, every resource whose name contains `marker`.
    fn group_resources_containing(&mut self, group: &str, marker: &str) {
        let members: Vec<&str> = self
            .resources
            .keys()
            .filter(|name| name.contains(marker))
            .map(String::as_str)
            .collect();
        let members = members.join(" ");
        self.groups.insert(group.to_owned(), members);
    }
}

/// The name [`Crm::add_systemd_service`] and [`Crm::add_init_service`] give a service's
/// resource: `res_<service>_<unit>`, dashes turned into underscores.
pub fn service_key(service: &str, unit: &str) -> String {
    format!(
        "res_{}_{}",
        service.replace('-', "_"),
        unit.replace('-', "_")
    )
}

/// The name [`Crm::add_hashed_vip`] gives `vip`'s resource.
pub fn hashed_vip_key(service: &str, vip: IpAddr) -> String {
    format!("res_{service}_{}_vip", vip_hash(vip))
}

/// The first seven hex digits of the SHA-1 of the VIP's text.
fn vip_hash(vip: IpAddr) -> String {
    let digest = Sha1::digest(vip.to_string().as_bytes());
    let mut hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    hex.truncate(7);
    hex
}
