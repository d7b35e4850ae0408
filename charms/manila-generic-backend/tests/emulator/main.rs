//! The real `manila-generic-backend` binary on the real `manila-charm` binary in the model
//! emulator, with the keystone, mysql and rabbitmq-server fixtures: the manila-plugin
//! relation end to end, from keystone's credentials to the sections in manila.conf and the
//! key files on the principal's machine.

mod changes;
mod hostile;
mod outside_juju;
mod pause;
mod removal;
mod ssh_keys;
mod support;
mod two_backends;
