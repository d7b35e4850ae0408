//! The SSH key pair the driver logs in to its service instances with, checked as keys: the
//! private one in a format paramiko (Manila's SSH client) reads without a passphrase, the
//! public one an OpenSSH public key line, the two halves of one key where that can be told.

use charm::ConfigError;
use databag::Secret;
use ssh_key::{PrivateKey, PublicKey};

const PRIVATE: &str = "driver-service-ssh-key";
const PUBLIC: &str = "driver-service-ssh-key-public";

/// The legacy PEM private keys paramiko reads besides OpenSSH's own format.
const PEM_KEYS: &[&str] = &[
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
    "PRIVATE KEY",
];

/// Checks a private key, when set; returns it as given.
pub(crate) fn check_private(private: Option<&str>) -> Result<Option<String>, ConfigError> {
    if let Some(key) = private {
        parse_private(key)?;
    }
    Ok(private.map(str::to_owned))
}

/// Checks a public key, when set; returns it as given.
pub(crate) fn check_public(public: Option<&str>) -> Result<Option<String>, ConfigError> {
    if let Some(key) = public {
        parse_public(key)?;
    }
    Ok(public.map(str::to_owned))
}

/// Checks that the halves are of one key, when both are set and the private one is in
/// OpenSSH's format (a legacy PEM key's public half is not compared). Messages name the
/// option and the problem, never the key.
pub(crate) fn check_pair(
    private: Option<&Secret>,
    public: Option<&str>,
) -> Result<(), ConfigError> {
    let (Some(private), Some(public)) = (private, public) else {
        return Ok(());
    };
    if let (Some(private), Ok(public)) = (parse_private(private.expose())?, parse_public(public)) {
        if private.public_key().key_data() != public.key_data() {
            return Err(ConfigError::new(
                PUBLIC,
                format!("is not the public half of '{PRIVATE}'"),
            ));
        }
    }
    Ok(())
}

/// The key, when it is in OpenSSH's format (`None` for a legacy PEM key, whose public half
/// is not compared).
fn parse_private(pasted: &str) -> Result<Option<PrivateKey>, ConfigError> {
    let text = key_text(pasted);
    let invalid = |why: &str| ConfigError::new(PRIVATE, why);
    if text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        let key = PrivateKey::from_openssh(&text)
            .map_err(|_| invalid("is not a readable OpenSSH private key"))?;
        if key.is_encrypted() {
            return Err(invalid(
                "is protected by a passphrase, which the driver cannot give",
            ));
        }
        return Ok(Some(key));
    }
    let block = pem::parse(&text).map_err(|_| {
        invalid("is not a private key (OpenSSH's format, or PEM: RSA, EC, DSA or PKCS#8)")
    })?;
    if !PEM_KEYS.contains(&block.tag()) {
        return Err(invalid(
            "is not a private key (OpenSSH's format, or PEM: RSA, EC, DSA or PKCS#8)",
        ));
    }
    if block.headers().get("Proc-Type").is_some() {
        return Err(invalid(
            "is protected by a passphrase, which the driver cannot give",
        ));
    }
    Ok(None)
}

fn parse_public(line: &str) -> Result<PublicKey, ConfigError> {
    let line = line.trim();
    if line.lines().count() != 1 {
        return Err(ConfigError::new(
            PUBLIC,
            "must be one line, as in an authorized_keys file",
        ));
    }
    PublicKey::from_openssh(line).map_err(|_| {
        ConfigError::new(
            PUBLIC,
            "is not an OpenSSH public key line ('ssh-ed25519 AAAA... comment')",
        )
    })
}

/// A key as pasted into config, as a key file: the indentation common to its lines removed
/// (a key pasted into an indented YAML block keeps its indentation), trailing blanks
/// dropped, one final newline (OpenSSH refuses a private key without it).
pub fn key_text(pasted: &str) -> String {
    let indent = pasted
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| &line[..line.len() - line.trim_start().len()])
        .reduce(|common, prefix| {
            let shared = common
                .char_indices()
                .zip(prefix.chars())
                .find(|((_, a), b)| a != b)
                .map_or(common.len().min(prefix.len()), |((i, _), _)| i);
            &common[..shared]
        })
        .unwrap_or("");
    let mut text: String = pasted
        .lines()
        .map(|line| line.strip_prefix(indent).unwrap_or(line.trim_start()))
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}
