//! What every OpenStack charm shares, the part charms.openstack and charmhelpers play for
//! the Python charms: written once here so that a new OpenStack charm is only its own
//! decisions. The generic `charm` crate stays Juju's; this one is OpenStack's.
//!
//! - [`pause`]: the `pause`, `resume` and `restart-services` actions
//!   (`actions/openstack-pause.yaml`) and the paused flag a charm's plan honours.
//! - [`release`]: OpenStack releases, which one a project's package version is,
//!   `openstack-origin` and the Ubuntu Cloud Archive, the [`Install`](charm::plan::Install)
//!   an origin needs.
//! - [`network`]: the unit's bindings, the address each endpoint type (public, internal,
//!   admin) is published at, and the interface a VIP belongs on.
//! - [`keystone`]: the service's own keystone identity for its configuration files.
//! - [`status`]: the reference status words (`Unit is ready`, ...).
//!
//! Start with [`pause`] and [`status`]: every OpenStack charm, subordinate back ends
//! included, uses them.

pub mod keystone;
pub mod network;
pub mod pause;
pub mod release;
pub mod status;
