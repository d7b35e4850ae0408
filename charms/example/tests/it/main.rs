//! The example charm: its generated files, its hooks in process, and its binary run as Juju
//! runs it.

mod emulator;
mod hooks;
mod process;

/// The emulator's Debian archive with the charm's workload package, which these tests
/// supply (`greeter-package.yaml`).
pub(crate) fn catalog() -> ::emulator::Catalog {
    let greeter = include_str!("greeter-package.yaml");
    ::emulator::Catalog::default().with(::emulator::Catalog::from_yaml(greeter).unwrap())
}
