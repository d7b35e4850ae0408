//! Every bundle under `bundles/`: verified as Juju verifies a bundle (charms, endpoints,
//! options, placement) and deployed into the emulator until it settles, with each unit's
//! workload status asserted.

mod deploy;
mod support;
mod verify;
