//! Manila's API microversions and their negotiation against the server's versions document.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// A microversion of Manila's v2 API, `2.73`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    pub major: u16,
    pub minor: u16,
}

impl Microversion {
    pub const fn new(major: u16, minor: u16) -> Microversion {
        Microversion { major, minor }
    }
}

/// The oldest microversion this client speaks: from 2.45 access rules are listed with
/// `GET /share-access-rules` (the `access_list` action is gone), and every call here exists.
pub const MIN_SUPPORTED: Microversion = Microversion::new(2, 45);
/// The newest microversion whose request and response shapes this client was checked
/// against (Zed, Debian 12's Manila). A newer server is asked for this one.
pub const MAX_SUPPORTED: Microversion = Microversion::new(2, 73);

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Microversion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a microversion (major.minor)");
        let (major, minor) = s.trim().split_once('.').ok_or_else(bad)?;
        Ok(Microversion {
            major: major.parse().map_err(|_| bad())?,
            minor: minor.parse().map_err(|_| bad())?,
        })
    }
}

/// The range of microversions the server's v2 API serves, from its versions document
/// (`GET /` of the service: `{"versions": [{"id": "v2.0", "min_version": "2.0",
/// "version": "2.73", …}]}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerVersions {
    pub min: Microversion,
    pub max: Microversion,
}

#[derive(Deserialize)]
struct VersionsDocument {
    versions: Vec<VersionEntry>,
}

#[derive(Deserialize)]
struct VersionEntry {
    id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    min_version: String,
}

impl ServerVersions {
    /// Reads the versions document; the v2 entry must carry both bounds (v1 carries none).
    pub fn parse(body: &[u8]) -> Result<ServerVersions, String> {
        let document: VersionsDocument = serde_json::from_slice(body)
            .map_err(|e| format!("the versions document is not what Manila serves: {e}"))?;
        let v2 = document
            .versions
            .iter()
            .find(|v| v.id.starts_with("v2"))
            .ok_or("the versions document has no v2 API")?;
        Ok(ServerVersions {
            min: v2.min_version.parse()?,
            max: v2.version.parse()?,
        })
    }

    /// The newest microversion both sides speak.
    pub fn negotiate(self) -> Option<Microversion> {
        let chosen = self.max.min(MAX_SUPPORTED);
        (chosen >= MIN_SUPPORTED && chosen >= self.min).then_some(chosen)
    }
}
