//! The README documents the charm's options, relations and actions, generated from the same
//! definitions as `config.yaml`, `metadata.yaml` and `actions.yaml`, so it cannot drift.

use std::path::Path;

use charm::Charm;
use charm::Options;
use manila_netapp_backend::{Config, NetappBackend};

#[test]
fn readme_documents_options_relations_and_actions() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let reference = charm::readme::reference(
        Config::OPTIONS,
        NetappBackend::METADATA,
        NetappBackend::ACTIONS,
    )
    .unwrap();
    let expected = charm::readme::with_reference(&current, &reference);
    if let Err(drift) = charm::testing::check_generated(&path, &expected) {
        panic!("{drift}");
    }
}
