//! Back-end names and the sections of manila.conf a back end may write.

use std::fmt;

use ini::{NameError, SectionName};

/// Every section Manila and the libraries it loads register options in, from the option
/// namespaces oslo-config-validator knows (the `oslo.config.opts` entry points of the
/// `manila` package and its dependencies; regenerate with the script in
/// `charms/manila/tests/it/validator.rs`, which checks this list against them).
pub const RESERVED_SECTIONS: &[&str] = &[
    "audit_middleware_notifications",
    "barbican",
    "barbican_service_user",
    "cache",
    "cinder",
    "cors",
    "database",
    "DEFAULT",
    "glance",
    "healthcheck",
    "identity",
    "key_manager",
    "keystone_authtoken",
    "neutron",
    "nova",
    "oslo_concurrency",
    "oslo_messaging_kafka",
    "oslo_messaging_notifications",
    "oslo_messaging_rabbit",
    "oslo_middleware",
    "oslo_middleware_tracing",
    "oslo_policy",
    "oslo_reports",
    "privsep",
    "profiler",
    "profiler_jaeger",
    "profiler_otlp",
    "quota",
    "sample_castellan_source",
    "sample_remote_file_source",
    "ssl",
    "vault",
];

/// The service-client sections a back end may send besides its own: the credentials
/// Manila's generic driver uses to reach Nova, Neutron and Cinder (as the reference
/// manila-generic charm sends them).
pub const SHARED_SECTIONS: &[&str] = &["nova", "neutron", "cinder"];

/// Whether `name` is a section Manila or its libraries use: one of [`RESERVED_SECTIONS`], or
/// any `oslo_*` section (a library added later), compared without case.
pub fn is_reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("oslo_")
        || lower.starts_with("oslo.")
        || RESERVED_SECTIONS
            .iter()
            .any(|reserved| reserved.eq_ignore_ascii_case(name))
}

/// Why a name cannot be a back end's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendNameError {
    #[error(transparent)]
    Grammar(#[from] NameError),
    #[error("{0:?} is a section Manila or its libraries use, not a back end's name")]
    Reserved(String),
}

/// A back end's name: its section in manila.conf and its entry in `enabled_share_backends`,
/// so a [`SectionName`] (`[A-Za-z0-9_.-]+`: no comma, no blank) that none of Manila's own
/// sections has ([`is_reserved`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BackendName(SectionName);

impl BackendName {
    pub fn new(name: &str) -> Result<BackendName, BackendNameError> {
        let section = SectionName::new(name)?;
        if is_reserved(name) {
            return Err(BackendNameError::Reserved(name.to_owned()));
        }
        Ok(BackendName(section))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn section(&self) -> &SectionName {
        &self.0
    }
}

impl fmt::Display for BackendName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for BackendName {
    type Err = BackendNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BackendName::new(s)
    }
}
