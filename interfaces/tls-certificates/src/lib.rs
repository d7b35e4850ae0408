//! The `tls-certificates` relation interface, as vault and easyrsa serve the OpenStack
//! charms, both sides, plus the X.509 checks of what is received ([`x509`]).
//!
//! The requirer (interface-tls-certificates' `requires.py`, and charm-helpers'
//! `cert_utils.get_certificate_request` that the classic charms use) publishes in its unit
//! bag:
//! - `unit_name`: its unit name with `/` replaced by `_` (`manila_0`), the prefix of the
//!   provider's answer keys;
//! - `cert_requests`: `json.dumps({cn: {"sans": [...]}}, sort_keys=True)`, one entry per
//!   certificate wanted, the subject alternative names sorted.
//!
//! The provider (vault's `provides.py`) answers in its unit bag:
//! - `ca`: the CA certificate (PEM, not encoded), `chain`: intermediates (PEM, may be empty);
//! - `<unit_name>.processed_requests`: `json.dumps({cn: {"cert": PEM, "key": PEM}},
//!   sort_keys=True)`, the requested certificates of that unit and their keys.
//!
//! The legacy single-certificate keys (`common_name`, `<unit_name>.server.cert`,
//! `<unit_name>.server.key`) are neither sent nor read: charm-helpers' `process_certificates`
//! reads only the processed requests.
//!
//! Reading an answer ([`Issued::from_bag`]) checks every certificate with its key against
//! the CA at a given time ([`x509::KeyPair::check`]): a provider's certificate that is not
//! PEM, whose key is another's, that the CA did not sign, or that expired, is a
//! [`FieldError`] naming the key, so that the charm keeps its last good certificates.
//!
//! With the `testing` feature, `testing::TestCa` issues certificates for tests.

#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod x509;

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use databag::{fields, Bag, FieldError, FieldErrorKind, Host, PyJson, Readiness, UnitError};
use juju::UnitName;

pub use x509::{KeyPair, TlsProblem};

/// The requirer's keys.
pub const UNIT_NAME: &str = "unit_name";
pub const CERT_REQUESTS: &str = "cert_requests";
/// The provider's keys.
pub const CA: &str = "ca";
pub const CHAIN: &str = "chain";

/// A unit's name as the interface writes it: `manila/0` is `manila_0`.
pub fn unit_key(unit: &UnitName) -> String {
    unit.to_string().replace('/', "_")
}

/// The provider's key holding `unit_key`'s certificates.
pub fn processed_key(unit_key: &str) -> String {
    format!("{unit_key}.processed_requests")
}

/// One certificate asked for: its common name and subject alternative names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRequest {
    pub common_name: Host,
    pub sans: BTreeSet<Host>,
}

/// Everything a requirer unit asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRequests {
    /// [`unit_key`] of the requiring unit.
    pub unit_key: String,
    pub requests: Vec<CertRequest>,
}

impl CertRequests {
    pub fn new(unit: &UnitName, requests: Vec<CertRequest>) -> Self {
        CertRequests {
            unit_key: unit_key(unit),
            requests,
        }
    }

    /// The requirer's unit bag.
    pub fn to_bag(&self) -> Bag {
        let json = PyJson::sorted_object(self.requests.iter().map(|r| {
            (
                r.common_name.as_str().to_owned(),
                PyJson::sorted_object([(
                    "sans",
                    PyJson::strings(r.sans.iter().map(|s| s.as_str().to_owned())),
                )]),
            )
        }));
        Bag::from([
            (UNIT_NAME.to_owned(), self.unit_key.clone()),
            (CERT_REQUESTS.to_owned(), json.dumps()),
        ])
    }

    /// A requirer unit's bag, as the provider reads it.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<CertRequests>, FieldError> {
        let (Some(unit_key), Some(requests)) = (
            fields::text(bag, UNIT_NAME)?,
            fields::text(bag, CERT_REQUESTS)?,
        ) else {
            return Ok(Readiness::waiting_for(
                [UNIT_NAME, CERT_REQUESTS]
                    .into_iter()
                    .filter(|k| fields::raw(bag, k).is_none()),
            ));
        };
        let unit_ok = unit_key.len() <= 128
            && unit_key.rsplit_once('_').is_some_and(|(app, n)| {
                !app.is_empty()
                    && app
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_digit())
            });
        if !unit_ok {
            return Err(FieldError::new(
                UNIT_NAME,
                FieldErrorKind::Refused {
                    reason: "expected a unit name with '_' for '/' (manila_0)".to_owned(),
                },
            ));
        }
        let shape = || {
            FieldError::new(
                CERT_REQUESTS,
                FieldErrorKind::UnexpectedJson {
                    expected: "an object of common names to {\"sans\": [names]}".to_owned(),
                },
            )
        };
        let value: serde_json::Value = serde_json::from_str(requests).map_err(|e| {
            FieldError::new(
                CERT_REQUESTS,
                FieldErrorKind::InvalidJson {
                    reason: e.to_string(),
                },
            )
        })?;
        let object = value.as_object().ok_or_else(shape)?;
        let mut parsed = Vec::new();
        for (cn, entry) in object {
            let common_name = Host::parse(CERT_REQUESTS, cn)?;
            let sans = match entry.get("sans") {
                None | Some(serde_json::Value::Null) => BTreeSet::new(),
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .ok_or_else(shape)
                            .and_then(|s| Host::parse(CERT_REQUESTS, s))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(shape()),
            };
            parsed.push(CertRequest { common_name, sans });
        }
        Ok(Readiness::Ready(CertRequests {
            unit_key: unit_key.to_owned(),
            requests: parsed,
        }))
    }
}

/// A certificate and key the provider issued, in PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedPem {
    pub cert: String,
    pub key: databag::Secret,
}

/// The provider's unit bag: its CA and chain, and each requiring unit's certificates by
/// common name.
pub fn answer_bag(
    ca: &str,
    chain: &str,
    issued: &BTreeMap<String, BTreeMap<String, IssuedPem>>,
) -> Bag {
    let mut bag = Bag::from([
        (CA.to_owned(), ca.to_owned()),
        (CHAIN.to_owned(), chain.to_owned()),
    ]);
    for (unit_key, certs) in issued {
        let json = PyJson::sorted_object(certs.iter().map(|(cn, pem)| {
            (
                cn.clone(),
                PyJson::sorted_object([
                    ("cert", PyJson::Str(pem.cert.clone())),
                    ("key", PyJson::Str(pem.key.expose().to_owned())),
                ]),
            )
        }));
        bag.insert(processed_key(unit_key), json.dumps());
    }
    bag
}

/// What the provider issued to this unit, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The CA, re-encoded from its parsed certificates.
    pub ca: String,
    /// Certificate and key per common name.
    pub certs: BTreeMap<Host, KeyPair>,
}

impl Issued {
    /// One provider unit's bag, as `unit` reads it at `now`: incomplete until the CA and
    /// this unit's processed requests are there; every certificate checked with its key
    /// against the CA and chain.
    pub fn from_bag(
        bag: &Bag,
        unit: &UnitName,
        now: SystemTime,
    ) -> Result<Readiness<Issued>, FieldError> {
        let processed = processed_key(&unit_key(unit));
        let (Some(ca), Some(json)) = (fields::raw(bag, CA), fields::raw(bag, &processed)) else {
            return Ok(Readiness::waiting_for(
                [CA, processed.as_str()]
                    .into_iter()
                    .filter(|k| fields::raw(bag, k).is_none()),
            ));
        };
        let chain = fields::raw(bag, CHAIN);
        let refused =
            |key: &str, reason: String| FieldError::new(key, FieldErrorKind::Refused { reason });
        let ca = x509::ca_bundle("the CA", ca).map_err(|e| refused(CA, e.to_string()))?;
        if let Some(chain) = chain {
            x509::ca_bundle("the chain", chain).map_err(|e| refused(CHAIN, e.to_string()))?;
        }
        let shape = || {
            FieldError::new(
                processed.clone(),
                FieldErrorKind::UnexpectedJson {
                    expected: "an object of common names to {\"cert\": PEM, \"key\": PEM}"
                        .to_owned(),
                },
            )
        };
        if json.len() > 16 * x509::MAX_PEM {
            return Err(FieldError::new(
                processed.clone(),
                FieldErrorKind::TooLong {
                    len: json.len(),
                    max: 16 * x509::MAX_PEM,
                },
            ));
        }
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            FieldError::new(
                processed.clone(),
                FieldErrorKind::InvalidJson {
                    reason: e.to_string(),
                },
            )
        })?;
        let object = value.as_object().ok_or_else(shape)?;
        let mut certs = BTreeMap::new();
        for (cn, entry) in object {
            let common_name = Host::parse(&processed, cn)?;
            let (Some(cert), Some(key)) = (
                entry.get("cert").and_then(|v| v.as_str()),
                entry.get("key").and_then(|v| v.as_str()),
            ) else {
                return Err(shape());
            };
            let pair = KeyPair::check(cert, key, Some(&ca), chain, now)
                .map_err(|e| refused(&processed, format!("certificate for {common_name}: {e}")))?;
            certs.insert(common_name, pair);
        }
        Ok(Readiness::Ready(Issued { ca, certs }))
    }

    /// The relation: the first provider unit with a complete answer for `unit`.
    pub fn from_bags(
        units: &BTreeMap<UnitName, Bag>,
        unit: &UnitName,
        now: SystemTime,
    ) -> Result<Readiness<Issued>, UnitError> {
        databag::first_ready(units, |bag| Issued::from_bag(bag, unit, now))
    }
}

#[cfg(test)]
mod tests;
