//! Packs a compiled charm into what Juju deploys: a charm directory, or a reproducible
//! `.charm` zip with the same files.
//!
//! A charm here is a Cargo package under `charms/<name>/` holding `metadata.yaml`,
//! `config.yaml` and optionally `actions.yaml`, `README.md`, `copyright`, `icon.svg`; the
//! package builds the binary that handles every hook and action, and may build others that
//! this one execs itself (for actions whose code every hook need not map: see
//! `charm::exec_for_actions`); every `[[bin]]` target of the package ships. Packed, it
//! becomes:
//!
//! ```text
//! LICENSE          the charm's own, else the Cargo workspace's
//! README.md …      the optional files above, when present
//! actions.yaml     copied as they are
//! bin/<binary>     the binary, and the package's other binaries beside it, mode 0755
//! config.yaml
//! dispatch         a tiny sh script that execs bin/<binary>, mode 0755
//! manifest.yaml    the bases: Ubuntu 22.04 and 24.04, amd64
//! metadata.yaml
//! ```
//!
//! Where to start: [`CharmSource`] names the charm directory and the built binaries;
//! [`CharmSource::assemble_dir`] writes the directory, [`CharmSource::write_zip`] the archive.
//! Both validate first (metadata, config and actions as Juju and charm-proof check them) and
//! fail with a [`PackError`] that names the file at fault; [`validate`] runs the same checks
//! before the binary is built. [`CargoCharm`] reads which package and binaries a charm
//! directory builds; [`extract`] unpacks an archive keeping its modes.
//!
//! ```no_run
//! use charm_pack::CharmSource;
//! let charm = CharmSource::new("charms/example", "target/release/example-charm");
//! let contents = charm.write_zip("build/example.charm".as_ref())?;
//! assert_eq!(contents.name(), "example");
//! # Ok::<(), charm_pack::PackError>(())
//! ```

mod archive;
mod cargo;
mod error;
mod manifest;
mod source;
mod validate;

pub use archive::extract;
pub use cargo::CargoCharm;
pub use error::{PackError, Problem};
pub use manifest::{Base, BASES};
pub use source::{CharmSource, Contents, Entry};
pub use validate::{validate, CharmInfo};

/// Where the charm's binaries live inside a packed charm, beside `dispatch`.
pub const ARCHIVE_BIN_DIR: &str = "bin";

#[cfg(test)]
mod tests;
