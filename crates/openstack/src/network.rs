//! The unit's networks as Juju reports them, and the choices an OpenStack API charm makes
//! from them: which address each endpoint type is published at ([`resolve_address`]), and
//! which interface a VIP lives on ([`vip_nic`]).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// An IP network, `10.5.0.0/16` or `fd00::/64`: [`IpNet`] with messages for an operator
/// who mistyped one in a config option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr(IpNet);

impl Cidr {
    /// Whether `address` lies in this network (never across address families).
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.contains(&address)
    }

    /// The prefix length (`24` in `10.5.0.0/24`).
    pub fn prefix(&self) -> u8 {
        self.0.prefix_len()
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let (address, prefix) = s.split_once('/').ok_or_else(|| {
            format!(
                "{} is not a network in CIDR form (e.g. 10.5.0.0/16)",
                databag::Quoted(s)
            )
        })?;
        let network: IpAddr = address.parse().map_err(|_| {
            format!(
                "{}: {} is not an IP address",
                databag::Quoted(s),
                databag::Quoted(address)
            )
        })?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        prefix
            .parse()
            .ok()
            .and_then(|prefix| IpNet::new(network, prefix).ok())
            .map(Cidr)
            .ok_or_else(|| {
                format!(
                    "{}: the prefix length must be at most {max}",
                    databag::Quoted(s)
                )
            })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One address a binding is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundAddress {
    pub address: IpAddr,
    /// Its network, when Juju reported one.
    pub network: Option<Cidr>,
    /// The interface it is on (`eth0`), when Juju reported one.
    pub interface: Option<String>,
}

impl BoundAddress {
    /// An address on `network`, on no named interface.
    pub fn new(address: IpAddr, network: Option<Cidr>) -> Self {
        BoundAddress {
            address,
            network,
            interface: None,
        }
    }

    /// The same, on `interface`.
    pub fn on(mut self, interface: impl Into<String>) -> Self {
        self.interface = Some(interface.into());
        self
    }
}

/// The addresses of one binding, as `network-get` reports them: every bound address with its
/// network and interface, primary first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Binding {
    pub addresses: Vec<BoundAddress>,
}

impl Binding {
    pub fn primary(&self) -> Option<IpAddr> {
        self.addresses.first().map(|a| a.address)
    }

    /// The bound address in `network`, if any.
    pub fn in_network(&self, network: &Cidr) -> Option<IpAddr> {
        self.addresses
            .iter()
            .map(|a| a.address)
            .find(|a| network.contains(*a))
    }

    /// The networks the binding's addresses are in.
    pub fn networks(&self) -> impl Iterator<Item = &Cidr> {
        self.addresses.iter().filter_map(|a| a.network.as_ref())
    }

    /// Reads `network-get <binding>`'s structure; unparsable entries are skipped (Juju
    /// reports what the machine has, and one odd interface should not hide the others).
    pub fn from_network_info(info: &juju::NetworkInfo) -> Binding {
        let mut addresses = Vec::new();
        for bound in &info.bind_addresses {
            let interface = Some(bound.interface_name.clone()).filter(|name| !name.is_empty());
            for address in &bound.addresses {
                if let Ok(ip) = address.value.parse::<IpAddr>() {
                    addresses.push(BoundAddress {
                        address: ip,
                        network: address.cidr.parse().ok(),
                        interface: interface.clone(),
                    });
                }
            }
        }
        // Juju lists ingress addresses first in the order it prefers them.
        if let Some(ingress) = info
            .ingress_addresses
            .first()
            .and_then(|a| a.parse::<IpAddr>().ok())
        {
            if let Some(i) = addresses.iter().position(|a| a.address == ingress) {
                let primary = addresses.remove(i);
                addresses.insert(0, primary);
            } else {
                addresses.insert(0, BoundAddress::new(ingress, None));
            }
        }
        Binding { addresses }
    }
}

/// The address an endpoint is published at, as charm-helpers' `resolve_address`: the
/// configured host name; else, once hacluster said the cluster is formed (`clustered`), the
/// VIP in the configured network, or in the binding's network, or the first VIP; else the
/// binding's address in the configured network, or its primary address. Before the cluster
/// forms nothing answers on the VIP, so the unit's own address is published until then.
pub fn resolve_address(
    hostname: Option<&str>,
    network: Option<&Cidr>,
    vips: &[IpAddr],
    clustered: bool,
    binding: &Binding,
) -> Option<String> {
    if let Some(hostname) = hostname {
        return Some(hostname.to_owned());
    }
    if let (true, Some(first)) = (clustered, vips.first()) {
        let in_network = |net: &Cidr| vips.iter().find(|vip| net.contains(**vip)).copied();
        let vip = match network {
            Some(network) => in_network(network),
            None => binding.networks().find_map(in_network),
        };
        return Some(vip.unwrap_or(*first).to_string());
    }
    let address = match network {
        Some(network) => binding.in_network(network).or(binding.primary()),
        None => binding.primary(),
    };
    address.map(|a| a.to_string())
}

/// The interface of the unit a VIP belongs on, and the prefix length of its network: the
/// first bound address, across `bindings`, whose network holds the VIP and whose interface
/// Juju named (charm-helpers' `get_vip_settings`, reading Juju's view of the interfaces
/// instead of the kernel's). `None` when no interface is in the VIP's network: the caller
/// falls back to the configured `vip_iface` and `vip_cidr`.
pub fn vip_nic<'b>(
    vip: IpAddr,
    bindings: impl IntoIterator<Item = &'b Binding>,
) -> Option<(String, u8)> {
    bindings
        .into_iter()
        .flat_map(|b| b.addresses.iter())
        .find_map(|a| match (&a.network, &a.interface) {
            (Some(network), Some(interface)) if network.contains(vip) => {
                Some((interface.clone(), network.prefix()))
            }
            _ => None,
        })
}

/// `address` as it goes into a URL: IPv6 in brackets.
pub fn url_host(address: &str) -> String {
    if address.contains(':') {
        format!("[{address}]")
    } else {
        address.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn two_networks() -> Binding {
        Binding {
            addresses: vec![
                BoundAddress::new(ip("10.5.0.10"), Some(cidr("10.5.0.0/24"))).on("ens3"),
                BoundAddress::new(ip("192.168.7.10"), Some(cidr("192.168.7.0/24"))).on("ens4"),
            ],
        }
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        assert!(cidr("10.5.0.0/16").contains(ip("10.5.200.1")));
        assert!(!cidr("10.5.0.0/16").contains(ip("10.6.0.1")));
        assert!(cidr("0.0.0.0/0").contains(ip("192.0.2.1")));
        assert!(cidr("10.5.0.1/32").contains(ip("10.5.0.1")));
        assert!(cidr("fd00::/64").contains(ip("fd00::5")));
        assert!(!cidr("fd00::/64").contains(ip("10.5.0.1")));
        assert_eq!(
            "10.0.0.1".parse::<Cidr>().unwrap_err(),
            "\"10.0.0.1\" is not a network in CIDR form (e.g. 10.5.0.0/16)"
        );
    }

    #[test]
    fn addresses_resolve_in_the_reference_order() {
        let binding = two_networks();
        let vips = [ip("192.168.7.100"), ip("10.5.0.100")];
        let net = cidr("192.168.7.0/24");
        assert_eq!(
            resolve_address(
                Some("manila.example.com"),
                Some(&net),
                &vips,
                true,
                &binding
            )
            .as_deref(),
            Some("manila.example.com")
        );
        assert_eq!(
            resolve_address(None, Some(&net), &vips, true, &binding).as_deref(),
            Some("192.168.7.100")
        );
        // No configured network: the VIP in the binding's (first) network.
        assert_eq!(
            resolve_address(None, None, &vips, true, &binding).as_deref(),
            Some("10.5.0.100")
        );
        assert_eq!(
            resolve_address(None, Some(&cidr("172.16.0.0/12")), &vips, true, &binding).as_deref(),
            Some("192.168.7.100")
        );
        assert_eq!(
            resolve_address(None, Some(&net), &[], true, &binding).as_deref(),
            Some("192.168.7.10")
        );
        assert_eq!(
            resolve_address(None, None, &[], false, &binding).as_deref(),
            Some("10.5.0.10")
        );
        assert_eq!(
            resolve_address(None, None, &[], false, &Binding::default()),
            None
        );
    }

    #[test]
    fn vips_are_used_only_once_the_cluster_is_formed() {
        let binding = two_networks();
        let vips = [ip("10.5.0.100")];
        assert_eq!(
            resolve_address(None, None, &vips, false, &binding).as_deref(),
            Some("10.5.0.10")
        );
        let net = cidr("192.168.7.0/24");
        assert_eq!(
            resolve_address(None, Some(&net), &vips, false, &binding).as_deref(),
            Some("192.168.7.10")
        );
        assert_eq!(
            resolve_address(None, None, &vips, true, &binding).as_deref(),
            Some("10.5.0.100")
        );
    }

    #[test]
    fn a_vip_goes_on_the_interface_whose_network_holds_it() {
        let binding = two_networks();
        assert_eq!(
            vip_nic(ip("192.168.7.100"), [&binding]),
            Some(("ens4".to_owned(), 24))
        );
        assert_eq!(
            vip_nic(ip("10.5.0.100"), [&Binding::default(), &binding]),
            Some(("ens3".to_owned(), 24))
        );
        assert_eq!(vip_nic(ip("172.16.0.1"), [&binding]), None);
        // An address without an interface name cannot carry the VIP.
        let unnamed = Binding {
            addresses: vec![BoundAddress::new(
                ip("10.5.0.10"),
                Some(cidr("10.5.0.0/24")),
            )],
        };
        assert_eq!(vip_nic(ip("10.5.0.100"), [&unnamed]), None);
    }

    #[test]
    fn network_get_output_keeps_interfaces_and_puts_the_ingress_address_first() {
        let info: juju::NetworkInfo = serde_json::from_str(
            r#"{"bind-addresses": [
                {"interface-name": "ens3", "addresses": [{"value": "10.5.0.10", "cidr": "10.5.0.0/24"}]},
                {"interface-name": "ens4", "addresses": [{"value": "192.168.7.10", "cidr": "192.168.7.0/24"}]}
               ],
               "ingress-addresses": ["192.168.7.10"]}"#,
        )
        .unwrap();
        let binding = Binding::from_network_info(&info);
        assert_eq!(binding.primary(), Some(ip("192.168.7.10")));
        assert_eq!(binding.addresses[0].interface.as_deref(), Some("ens4"));
        assert_eq!(binding.addresses[1].network, Some(cidr("10.5.0.0/24")));
    }
}
