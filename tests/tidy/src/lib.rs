//! Checks of the workspace's shape rather than of any one crate's behaviour (`cargo test -p
//! tidy`): the dependency rules of ARCHITECTURE.md's code map, over `cargo metadata`; that no
//! crate but `juju` spawns a hook tool; that every crate begins with its documentation; that
//! every charm's generated and copied files (`config.yaml`, `actions.yaml`, the README's
//! reference part; the fixture charms' `config.yaml`) are what its code makes them. The tests
//! are in `tests/`; there is no code.
