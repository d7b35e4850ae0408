//! A certificate, its key and its CA, checked together before anything serves them.
//!
//! [`KeyPair::check`] is the one check of TLS material from outside (the `ssl_*` options, a
//! provider's answer): every certificate parses as X.509, the key parses and is the
//! certificate's, the certificate is valid now, and, with a CA, the CA (through the chain)
//! signed it for server use. Each failure is a [`TlsProblem`] an operator can act on, never
//! repeating the key.

use std::time::{Duration, SystemTime};

use databag::Secret;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};

/// The most PEM text taken for one value: a certificate with a long chain fits many times.
pub const MAX_PEM: usize = 64 * 1024;

/// What is wrong with a certificate, its key or its CA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsProblem {
    /// Not PEM of the expected kind, or a PEM block that does not parse as one.
    #[error("{what} is not a PEM {expected}: {reason}")]
    NotPem {
        what: &'static str,
        expected: &'static str,
        reason: String,
    },
    #[error("the private key does not match the certificate")]
    KeyMismatch,
    #[error("the certificate expired ({not_after})")]
    Expired { not_after: String },
    #[error("the certificate is not valid before {not_before}")]
    NotYetValid { not_before: String },
    #[error("the CA did not sign the certificate ({reason})")]
    NotSignedByCa { reason: String },
}

/// Parsed, checked TLS material: the certificate (leaf first, then the chain) and its key.
/// `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// The leaf certificate, then any intermediates, in PEM.
    pub certificate: String,
    pub key: Secret,
    /// The leaf's expiry, as RFC 2822-ish text for messages.
    pub not_after: String,
    /// The leaf's expiry, in seconds since the Unix epoch (0 before it).
    pub expires: u64,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// PEM `CERTIFICATE` blocks, each parsed as X.509.
fn certificates(what: &'static str, text: &str) -> Result<Vec<Vec<u8>>, TlsProblem> {
    let not_pem = |reason: String| TlsProblem::NotPem {
        what,
        expected: "certificate",
        reason,
    };
    if text.len() > MAX_PEM {
        return Err(not_pem(format!("{} bytes, at most {MAX_PEM}", text.len())));
    }
    let blocks = pem::parse_many(text).map_err(|e| not_pem(e.to_string()))?;
    if blocks.is_empty() {
        return Err(not_pem("no PEM block".to_owned()));
    }
    blocks
        .into_iter()
        .map(|block| {
            if block.tag() != "CERTIFICATE" {
                return Err(not_pem(format!("found {}", block.tag())));
            }
            x509_parser::parse_x509_certificate(block.contents())
                .map_err(|e| not_pem(e.to_string()))?;
            Ok(block.into_contents())
        })
        .collect()
}

fn private_key(text: &str) -> Result<PrivateKeyDer<'static>, TlsProblem> {
    let not_pem = |reason: String| TlsProblem::NotPem {
        what: "the key",
        expected: "private key",
        reason,
    };
    if text.len() > MAX_PEM {
        return Err(not_pem(format!("{} bytes, at most {MAX_PEM}", text.len())));
    }
    let blocks = pem::parse_many(text).map_err(|e| not_pem(e.to_string()))?;
    let [block] = blocks.as_slice() else {
        return Err(not_pem(format!(
            "{} PEM blocks, one expected",
            blocks.len()
        )));
    };
    let der = block.contents().to_vec();
    match block.tag() {
        "PRIVATE KEY" => Ok(PrivateKeyDer::Pkcs8(der.into())),
        "RSA PRIVATE KEY" => Ok(PrivateKeyDer::Pkcs1(der.into())),
        "EC PRIVATE KEY" => Ok(PrivateKeyDer::Sec1(der.into())),
        // The label only: a key's text is never repeated.
        other => Err(not_pem(format!("found {other}"))),
    }
}

/// PEM with Unix line endings (the `pem` crate's default is CRLF).
fn encode(block: &pem::Pem) -> String {
    pem::encode_config(
        block,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

fn pem_text(blocks: &[Vec<u8>]) -> String {
    blocks
        .iter()
        .map(|der| encode(&pem::Pem::new("CERTIFICATE", der.clone())))
        .collect::<Vec<_>>()
        .concat()
}

impl KeyPair {
    /// Checks `certificate` (a leaf, optionally followed by intermediates), its `key`, and,
    /// when given, that `ca` (one or more trusted certificates) signed it through `chain` and
    /// the intermediates, at `now`.
    pub fn check(
        certificate: &str,
        key: &str,
        ca: Option<&str>,
        chain: Option<&str>,
        now: SystemTime,
    ) -> Result<KeyPair, TlsProblem> {
        let mut certs = certificates("the certificate", certificate)?;
        let key = private_key(key)?;
        let leaf = certs.remove(0);
        let (_, parsed) =
            x509_parser::parse_x509_certificate(&leaf).map_err(|e| TlsProblem::NotPem {
                what: "the certificate",
                expected: "certificate",
                reason: e.to_string(),
            })?;

        let signing = rustls::crypto::ring::sign::any_supported_type(&key).map_err(|e| {
            TlsProblem::NotPem {
                what: "the key",
                expected: "private key",
                reason: e.to_string(),
            }
        })?;
        let public = signing.public_key().ok_or(TlsProblem::KeyMismatch)?;
        if public.as_ref() != parsed.tbs_certificate.subject_pki.raw {
            return Err(TlsProblem::KeyMismatch);
        }

        let seconds = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let validity = parsed.validity();
        let not_after = validity.not_after.to_string();
        let expires = u64::try_from(validity.not_after.timestamp()).unwrap_or(0);
        if expires < seconds {
            return Err(TlsProblem::Expired { not_after });
        }
        if u64::try_from(validity.not_before.timestamp()).unwrap_or(u64::MAX) > seconds {
            return Err(TlsProblem::NotYetValid {
                not_before: validity.not_before.to_string(),
            });
        }

        if let Some(ca) = ca {
            let anchors_der = certificates("the CA", ca)?;
            let mut intermediates = certs.clone();
            if let Some(chain) = chain {
                intermediates.extend(certificates("the chain", chain)?);
            }
            let anchor_certs: Vec<CertificateDer<'_>> = anchors_der
                .iter()
                .map(|d| CertificateDer::from(d.as_slice()))
                .collect();
            let anchors = anchor_certs
                .iter()
                .map(|c| webpki::anchor_from_trusted_cert(c).map(|a| a.to_owned()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| TlsProblem::NotPem {
                    what: "the CA",
                    expected: "certificate",
                    reason: e.to_string(),
                })?;
            let intermediates: Vec<CertificateDer<'_>> = intermediates
                .into_iter()
                .map(CertificateDer::from)
                .collect();
            let leaf_der = CertificateDer::from(leaf.as_slice());
            let end_entity =
                webpki::EndEntityCert::try_from(&leaf_der).map_err(|e| TlsProblem::NotPem {
                    what: "the certificate",
                    expected: "certificate",
                    reason: e.to_string(),
                })?;
            end_entity
                .verify_for_usage(
                    webpki::ALL_VERIFICATION_ALGS,
                    &anchors,
                    &intermediates,
                    UnixTime::since_unix_epoch(Duration::from_secs(seconds)),
                    webpki::KeyUsage::server_auth(),
                    None,
                    None,
                )
                .map_err(|e| TlsProblem::NotSignedByCa {
                    reason: e.to_string(),
                })?;
        }

        let mut all = vec![leaf];
        all.extend(certs);
        let key_text = encode(&pem::Pem::new(
            match &key {
                PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
                PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
                _ => "PRIVATE KEY",
            },
            key.secret_der().to_vec(),
        ));
        Ok(KeyPair {
            certificate: pem_text(&all),
            key: Secret::new(key_text),
            not_after,
            expires,
        })
    }
}

/// A CA bundle, re-encoded from its parsed certificates (nothing but `CERTIFICATE` blocks of
/// X.509 reaches a file).
pub fn ca_bundle(what: &'static str, text: &str) -> Result<String, TlsProblem> {
    certificates(what, text).map(|blocks| pem_text(&blocks))
}
