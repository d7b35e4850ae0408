//! The NetApp driver's vocabularies, as option types (the toolkit's `charm::values` holds
//! the rest).

use charm::values::{expect, list, one_of};

charm::checked_text! {
    /// An ONTAP object's name (an SVM, an aggregate, a volume).
    OntapName = ontap_name;
    /// `http` or `https`.
    Transport = |s| one_of(s, &["http", "https"]);
    /// A network type of Manila's standalone network plugin.
    NetworkType = |s| one_of(s, &["flat", "vlan", "vxlan", "gre"]);
    /// NFS versions, comma-separated.
    NfsVersions = |s| list(s, |v| one_of(v, &["nfs3", "nfs4.0", "nfs4.1"]));
}

fn ontap_name(s: &str) -> Result<String, String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let valid = (1..=255).contains(&s.len()) && s.chars().all(ok) && !s.starts_with(['-', '.']);
    expect(valid, s, "a name of letters, digits, '_', '-' and '.'")
}
