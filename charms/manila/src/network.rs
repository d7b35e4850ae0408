//! Networks and addresses: which address each keystone endpoint gets.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP network, `10.5.0.0/16` or `fd00::/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `address` lies in this network (never across address families).
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(addr)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(addr) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(addr)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(addr) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let (address, prefix) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}' is not a network in CIDR form (e.g. 10.5.0.0/16)"))?;
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("'{s}': '{address}' is not an IP address"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| format!("'{s}': the prefix length must be at most {max}"))?;
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The addresses of one binding, as `network-get` reports them: every bound address with its
/// network, primary first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Binding {
    pub addresses: Vec<(IpAddr, Option<Cidr>)>,
}

impl Binding {
    pub fn primary(&self) -> Option<IpAddr> {
        self.addresses.first().map(|(a, _)| *a)
    }

    /// The bound address in `network`, if any.
    pub fn in_network(&self, network: &Cidr) -> Option<IpAddr> {
        self.addresses
            .iter()
            .map(|(a, _)| *a)
            .find(|a| network.contains(*a))
    }

    /// The networks the binding's addresses are in.
    pub fn networks(&self) -> impl Iterator<Item = &Cidr> {
        self.addresses.iter().filter_map(|(_, n)| n.as_ref())
    }

    /// Reads `network-get <binding>`'s structure; unparsable entries are skipped (Juju
    /// reports what the machine has, and one odd interface should not hide the others).
    pub fn from_network_info(info: &juju::NetworkInfo) -> Binding {
        let mut addresses = Vec::new();
        for bound in &info.bind_addresses {
            for address in &bound.addresses {
                if let Ok(ip) = address.value.parse::<IpAddr>() {
                    addresses.push((ip, address.cidr.parse().ok()));
                }
            }
        }
        // Juju lists ingress addresses first in the order it prefers them.
        if let Some(ingress) = info
            .ingress_addresses
            .first()
            .and_then(|a| a.parse::<IpAddr>().ok())
        {
            if let Some(i) = addresses.iter().position(|(a, _)| *a == ingress) {
                let primary = addresses.remove(i);
                addresses.insert(0, primary);
            } else {
                addresses.insert(0, (ingress, None));
            }
        }
        Binding { addresses }
    }
}

/// The address an endpoint is published at, as charms.openstack's `resolve_address`:
/// the configured host name; else the VIP in the configured network, or in the binding's
/// network, or the first VIP; else the binding's address in the configured network, or its
/// primary address.
pub fn resolve_address(
    hostname: Option<&str>,
    network: Option<&Cidr>,
    vips: &[IpAddr],
    binding: &Binding,
) -> Option<String> {
    if let Some(hostname) = hostname {
        return Some(hostname.to_owned());
    }
    if let Some(first) = vips.first() {
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
            "'10.0.0.1' is not a network in CIDR form (e.g. 10.5.0.0/16)"
        );
    }

    #[test]
    fn addresses_resolve_in_the_reference_order() {
        let binding = Binding {
            addresses: vec![
                (ip("10.5.0.10"), Some(cidr("10.5.0.0/24"))),
                (ip("192.168.7.10"), Some(cidr("192.168.7.0/24"))),
            ],
        };
        let vips = [ip("192.168.7.100"), ip("10.5.0.100")];
        let net = cidr("192.168.7.0/24");
        assert_eq!(
            resolve_address(Some("manila.example.com"), Some(&net), &vips, &binding).as_deref(),
            Some("manila.example.com")
        );
        assert_eq!(
            resolve_address(None, Some(&net), &vips, &binding).as_deref(),
            Some("192.168.7.100")
        );
        // No configured network: the VIP in the binding's (first) network.
        assert_eq!(
            resolve_address(None, None, &vips, &binding).as_deref(),
            Some("10.5.0.100")
        );
        assert_eq!(
            resolve_address(None, Some(&cidr("172.16.0.0/12")), &vips, &binding).as_deref(),
            Some("192.168.7.100")
        );
        assert_eq!(
            resolve_address(None, Some(&net), &[], &binding).as_deref(),
            Some("192.168.7.10")
        );
        assert_eq!(
            resolve_address(None, None, &[], &binding).as_deref(),
            Some("10.5.0.10")
        );
        assert_eq!(resolve_address(None, None, &[], &Binding::default()), None);
    }
}
