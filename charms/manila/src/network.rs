//! Networks and addresses: which address each keystone endpoint gets. The logic is shared by
//! every OpenStack API charm, so it lives in the `openstack-ha` interface crate.

pub use openstack_ha::network::{resolve_address, url_host, vip_nic, Binding, BoundAddress, Cidr};
