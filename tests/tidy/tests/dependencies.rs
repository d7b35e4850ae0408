//! ARCHITECTURE.md's dependency rules, as a table checked against `cargo metadata` and against
//! the table ARCHITECTURE.md prints.

use std::fmt::Write;

use crate::workspace::{self, Kind, Member};

/// A place in the layering; every workspace crate is in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Juju,
    Host,
    Ini,
    CharmDerive,
    CharmDefinition,
    Secret,
    Databag,
    Interfaces,
    Charm,
    Openstack,
    ManilaClient,
    Pack,
    EmulatorMachine,
    EmulatorHooktools,
    Emulator,
    EmulatorCli,
    Charms,
    TestTools,
}

use Layer::*;

/// Which workspace crates a crate of each layer may use in its `[dependencies]` and
/// `[build-dependencies]`. `None`: any. Dev-dependencies are not checked: tests may reach
/// for the emulator, the packer and the testbed.
const RULES: &[(Layer, Option<&[Layer]>)] = &[
    (Juju, Some(&[])),
    (Host, Some(&[])),
    (Ini, Some(&[])),
    (CharmDerive, Some(&[])),
    (CharmDefinition, Some(&[])),
    (Secret, Some(&[])),
    (Pack, Some(&[CharmDefinition])),
    (Databag, Some(&[Juju, Secret])),
    (Interfaces, Some(&[Juju, Ini, Secret, Databag])),
    (
        Charm,
        Some(&[
            Juju,
            Host,
            Ini,
            CharmDerive,
            CharmDefinition,
            Secret,
            Databag,
        ]),
    ),
    (
        Openstack,
        Some(&[Juju, Host, Secret, Databag, Interfaces, Charm]),
    ),
    (ManilaClient, Some(&[Secret])),
    (EmulatorMachine, Some(&[])),
    (EmulatorHooktools, Some(&[Juju, EmulatorMachine])),
    (
        Emulator,
        Some(&[
            Juju,
            Host,
            CharmDefinition,
            EmulatorMachine,
            EmulatorHooktools,
        ]),
    ),
    (EmulatorCli, Some(&[Emulator])),
    (
        Charms,
        Some(&[
            Juju,
            Host,
            Ini,
            Secret,
            Databag,
            Interfaces,
            Charm,
            Openstack,
            ManilaClient,
        ]),
    ),
    (TestTools, None),
];

impl Layer {
    fn of(member: &Member) -> Layer {
        let dir = member.dir.as_str();
        match member.name.as_str() {
            "juju" => Juju,
            "host" => Host,
            "ini" => Ini,
            "charm-derive" => CharmDerive,
            "charm-definition" => CharmDefinition,
            "secret" => Secret,
            "databag" => Databag,
            "charm" => Charm,
            "openstack" => Openstack,
            "manila-client" => ManilaClient,
            "charm-pack" => Pack,
            "emulator" => Emulator,
            "emulator-machine" => EmulatorMachine,
            "emulator-hooktools" => EmulatorHooktools,
            "juju-emulator" => EmulatorCli,
            "manila-testbed" | "bundles" | "tidy" | "xtask" => TestTools,
            _ if dir.starts_with("interfaces/") => Interfaces,
            _ if dir.starts_with("charms/") || dir.starts_with("tests/fixtures/") => Charms,
            name => panic!("{name} ({dir}) has no layer: give it one in tests/tidy"),
        }
    }

    /// How ARCHITECTURE.md names the layer.
    fn prose(self) -> &'static str {
        match self {
            Juju => "`juju`",
            Host => "`host`",
            Ini => "`ini`",
            CharmDerive => "`charm-derive`",
            CharmDefinition => "`charm-definition`",
            Secret => "`secret`",
            Databag => "`databag`",
            Interfaces => "the other interfaces (`interfaces/*`)",
            Charm => "`charm`",
            Openstack => "`openstack`",
            ManilaClient => "`manila-client`",
            Pack => "`pack`",
            Emulator => "`emulator`",
            EmulatorMachine => "`emulator-machine`",
            EmulatorHooktools => "`emulator-hooktools`",
            EmulatorCli => "`juju-emulator`",
            Charms => "charms (`charms/*`, `tests/fixtures/*/*`)",
            TestTools => "`tests/testbed`, `tests/bundles`, `tests/tidy`, `xtask`",
        }
    }

    /// The short name used in a row's list of what it may use.
    fn short(self) -> &'static str {
        match self {
            Interfaces => "interfaces",
            Charms => "charms",
            other => other.prose(),
        }
    }
}

fn allowed(layer: Layer) -> Option<&'static [Layer]> {
    RULES
        .iter()
        .find(|(row, _)| *row == layer)
        .unwrap_or_else(|| panic!("{layer:?} has no row in RULES"))
        .1
}

#[test]
fn every_crate_uses_only_what_its_layer_may() {
    let members = workspace::members();
    let layer_of = |name: &str| {
        members
            .iter()
            .find(|m| m.name == name)
            .map(Layer::of)
            .unwrap_or_else(|| panic!("{name} is not a workspace crate"))
    };
    let mut broken = Vec::new();
    for member in &members {
        let layer = Layer::of(member);
        let Some(may) = allowed(layer) else { continue };
        for (used, kind) in &member.uses {
            if *kind == Kind::Dev {
                continue;
            }
            let used_layer = layer_of(used);
            if !may.contains(&used_layer) {
                broken.push(format!(
                    "{} ({}) uses {used} ({}), which its layer may not",
                    member.name,
                    layer.prose(),
                    used_layer.prose()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// ARCHITECTURE.md prints the same table, so the prose cannot drift from the check.
#[test]
fn architecture_md_prints_the_rules() {
    let mut table = String::from("| Crate | May depend on |\n|---|---|\n");
    for (layer, may) in RULES {
        let may = match may {
            None => "anything".to_owned(),
            Some([]) => "no workspace crate".to_owned(),
            Some(layers) => layers
                .iter()
                .map(|l| l.short())
                .collect::<Vec<_>>()
                .join(", "),
        };
        writeln!(table, "| {} | {may} |", layer.prose()).unwrap();
    }
    let path = workspace::root().join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&table),
        "ARCHITECTURE.md's code map must hold the dependency table exactly as tests/tidy \
         has it:\n{table}"
    );
}
