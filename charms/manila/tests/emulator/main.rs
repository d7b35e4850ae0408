//! The real `manila-charm` binary in the model emulator, with the keystone, mysql and
//! rabbitmq-server fixture charms and a back end: what a deployment sees, from the packages
//! and files on each machine to the endpoints keystone registered.

mod actions;
mod all_in_one;
mod api_actions;
mod calls;
mod ha;
mod ha_dns;
mod ha_haproxy;
mod ha_share;
mod hostile;
mod memory;
mod nrpe;
mod outside_juju;
mod restarts;
mod roles;
mod split;
mod statuses;
mod support;
mod tls;
