//! The charm's `metadata.yaml`, compiled into its binary and read once per hook as Juju reads
//! it ([`charm_definition::Metadata`], the workspace's one definition): the runtime asks it
//! which endpoints exist and which of them are peer relations.

pub use charm_definition::{Endpoint, Metadata, Role, Scope};

/// `metadata.yaml` that Juju would refuse.
#[derive(Debug, thiserror::Error)]
#[error("metadata.yaml: {0}")]
pub struct MetadataError(String);

/// Reads the text of `metadata.yaml`.
pub fn parse(yaml: &str) -> Result<Metadata, MetadataError> {
    let doc = serde_yaml::from_str(yaml).map_err(|e| MetadataError(e.to_string()))?;
    Metadata::parse(&doc).map_err(MetadataError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_in_both_forms_are_read_with_their_roles() {
        let m = parse(
            "name: demo\nsummary: s\ndescription: d\n\
             provides:\n  website: http\n\
             requires:\n  juju-info:\n    interface: juju-info\n    scope: container\n\
             peers:\n  cluster:\n    interface: demo-peers\n",
        )
        .unwrap();
        assert_eq!(m.name, "demo");
        let (role, website) = m.endpoint("website").unwrap();
        assert_eq!((role, website.interface.as_str()), (Role::Provider, "http"));
        assert_eq!(m.endpoint("juju-info").unwrap().1.scope, Scope::Container);
        assert!(m.is_peer("cluster"));
        assert!(!m.is_peer("website"));
        assert!(!m.is_peer("nope"));
    }

    #[test]
    fn every_charm_provides_juju_info_without_declaring_it() {
        let m = parse("name: demo\nsummary: s\ndescription: d\n").unwrap();
        let (role, implicit) = m.endpoint("juju-info").unwrap();
        assert_eq!(role, Role::Provider);
        assert_eq!(implicit.interface, "juju-info");
        assert_eq!(implicit.scope, Scope::Global);
    }

    #[test]
    fn metadata_juju_would_refuse_is_refused_with_the_reason() {
        let err =
            parse("name: d\nsummary: s\ndescription: d\nprovides: {db: x}\nrequires: {db: y}\n")
                .unwrap_err();
        assert!(err.to_string().starts_with("metadata.yaml: "), "{err}");
        assert!(err.to_string().contains("db"), "{err}");
        let err = parse("name: demo\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata.yaml: summary: expected string, got nothing"
        );
    }
}
