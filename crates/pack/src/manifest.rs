//! `manifest.yaml`: the bases a charm runs on, in the form Juju reads (`juju/charm`
//! `manifest.go`: `bases[].{name, channel, architectures}`).

use serde::Serialize;

/// One operating-system base a packed charm declares it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Base {
    pub name: &'static str,
    pub channel: &'static str,
    pub architectures: &'static [&'static str],
}

/// The bases every charm is packed for. The binaries are x86-64; `cargo xtask pack` links them
/// statically (musl) when it can, so that they run on both releases whatever glibc they carry.
pub const BASES: &[Base] = &[
    Base {
        name: "ubuntu",
        channel: "22.04",
        architectures: &["amd64"],
    },
    Base {
        name: "ubuntu",
        channel: "24.04",
        architectures: &["amd64"],
    },
];

#[derive(Serialize)]
struct Manifest {
    bases: &'static [Base],
}

pub(crate) fn manifest_yaml() -> String {
    // Plain strings and lists: serialising them cannot fail.
    serde_yaml::to_string(&Manifest { bases: BASES }).unwrap_or_default()
}
