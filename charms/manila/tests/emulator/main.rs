//! The real `manila-charm` binary in the model emulator, with the keystone, mysql and
//! rabbitmq-server fixture charms and a back end: what a deployment sees, from the packages
//! and files on each machine to the endpoints keystone registered.

mod all_in_one;
mod calls;
mod restarts;
mod roles;
mod split;
mod statuses;
mod support;
