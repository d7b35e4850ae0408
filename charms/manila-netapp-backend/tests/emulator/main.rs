//! The real `manila-netapp-backend` binary beside the real `manila-generic-backend` on the
//! real `manila` charm in the model emulator, with the keystone, mysql and rabbitmq-server
//! fixtures: both back ends in one manila.conf, in each of the NetApp driver's modes, hostile
//! options kept out of it, and the pause actions.

mod beside_generic;
mod pause;

use emulator::ConfigValue;
use manila_testbed::{share_deployment, BackendApp, Charm, World};

/// The NetApp back end's application.
pub(crate) const NETAPP: &str = "manila-netapp-backend";

/// A share-only manila unit with the generic back end `generic` (the default) and the NetApp
/// back end `netapp-ontap`, configured with `options`, both related to it and settled.
pub(crate) fn beside_generic(options: &[(&str, ConfigValue)]) -> World {
    let mut world = share_deployment(&[BackendApp::named("manila-generic-backend", "generic")]);
    let mut deploy = emulator::DeployOptions::new()
        .config("management-address", "10.5.0.50")
        .config("admin-password", "ontap-pw")
        .config("vserver-name", "svm0");
    for (option, value) in options {
        deploy = deploy.config(option, value.clone());
    }
    world.deploy(NETAPP, Charm::NetappBackend, deploy);
    world.relate_backend(NETAPP);
    world.settle();
    world
}
