//! A typed client of OpenStack Manila's v2 API (shared file systems), blocking, over
//! HTTP(S) with rustls.
//!
//! - **Who**: Keystone v3 password authentication ([`Auth::Keystone`]): the token is kept
//!   and reused until it nears expiry, and renewed once when Manila refuses it; or Manila's
//!   no-auth mode ([`Auth::NoAuth`], `X-Auth-Token: user:project`).
//! - **Where**: a given URL, or the `sharev2` endpoint of the token's catalog for an
//!   interface and region ([`Endpoint`]).
//! - **Which API**: every request carries `X-OpenStack-Manila-API-Version`, the newest
//!   microversion both the server (its versions document) and this client
//!   ([`microversion::MIN_SUPPORTED`]..=[`microversion::MAX_SUPPORTED`]) speak.
//! - **What**: share types, shares (with manage/unmanage, extend/shrink, revert), access
//!   rules, snapshots (with manage/unmanage), share servers, share networks, pools,
//!   services: methods of [`Client`], each a [`requests`] value sent and its answer read
//!   into [`types`].
//!   Lists page with `limit`/`offset` while Manila's `*_links` announce a next page.
//! - **Waiting**: [`Client::wait_for_share`] and friends poll until a status, fail at
//!   once on an error status, and give up after a timeout; both failures carry the last
//!   status and Manila's user message about the resource.
//! - **Errors**: Manila's fault bodies become [`ApiError`]s naming the resource, the HTTP
//!   status, the fault and Manila's message. Passwords and tokens are [`Secret`]s: never in
//!   `Debug` output or errors.
//!
//! ```no_run
//! use manila_client::{Auth, Client, Endpoint, NewShare, Settings, Wait};
//! let auth = Auth::NoAuth { user: "admin".into(), project: "0123456789abcdef".into() };
//! let client = Client::connect(Settings::new(
//!     auth,
//!     Endpoint::Url("http://127.0.0.1:8786/v2/0123456789abcdef".into()),
//! ))?;
//! let share = client.create_share(&NewShare::new("NFS", 1))?;
//! client.wait_for_share(&share.id, "available", Wait::default())?;
//! # Ok::<(), manila_client::Error>(())
//! ```

mod auth;
mod client;
mod error;
pub mod microversion;
pub mod requests;
pub mod types;

#[cfg(test)]
mod tests;

pub use secret::Secret;

pub use crate::auth::{
    parse_timestamp, Auth, CatalogEndpoint, CatalogService, Domain, Endpoint, Interface, Keystone,
    Project, Token, SERVICE_TYPE,
};
pub use crate::client::{
    closed_unanswered, is_error_status, parse_field, Client, Settings, Wait, MICROVERSION_HEADER,
};
pub use crate::error::{ApiError, Error, Target};
pub use crate::microversion::{Microversion, ServerVersions};
pub use crate::types::{
    AccessRule, ExportLocation, ManageShare, ManageSnapshot, Message, NewAccessRule, NewShare,
    NewShareType, NewSnapshot, Pool, Service, ServiceFilter, Share, ShareFilter, ShareNetwork,
    ShareServer, ShareType, Snapshot, SnapshotFilter, Update,
};
