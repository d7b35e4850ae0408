//! The share protocols Manila knows.

/// `manila.common.constants.SUPPORTED_SHARE_PROTOCOLS` of Manila 2025.1; a release older than
/// the newest refuses shares of a protocol it does not know yet (LUSTRE, WEKAFS).
pub const SHARE_PROTOCOLS: &[&str] = &[
    "NFS",
    "CIFS",
    "GLUSTERFS",
    "HDFS",
    "CEPHFS",
    "MAPRFS",
    "LUSTRE",
    "WEKAFS",
];

/// A list of share protocols as operators write it (blank- or comma-separated, any case):
/// the protocols, upper-cased, each once; or why not (an unknown name, quoted escaped, or
/// none at all).
pub fn parse_protocols(text: &str) -> Result<Vec<&'static str>, String> {
    let mut protocols = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        let Some(known) = SHARE_PROTOCOLS
            .iter()
            .find(|p| p.eq_ignore_ascii_case(word))
        else {
            return Err(format!(
                "{} is not a share protocol Manila knows ({})",
                databag::Quoted(word),
                SHARE_PROTOCOLS.join(", ")
            ));
        };
        if !protocols.contains(known) {
            protocols.push(*known);
        }
    }
    if protocols.is_empty() {
        return Err("must name at least one protocol, e.g. 'NFS CIFS'".to_owned());
    }
    Ok(protocols)
}
