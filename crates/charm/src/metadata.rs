//! The parts of `metadata.yaml` the runtime acts on: which endpoints exist and which are peers.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `metadata.yaml` that does not parse or lacks what Juju requires.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// Not YAML, or not the shape Juju documents.
    #[error("metadata.yaml does not parse")]
    Parse(#[source] serde_yaml::Error),
    /// An endpoint name appears under more than one of provides, requires and peers.
    #[error("metadata.yaml declares endpoint '{0}' more than once")]
    DuplicateEndpoint(String),
}

/// The endpoint (and interface) Juju provides implicitly on every charm.
const JUJU_INFO: &str = "juju-info";

/// How an endpoint takes part in relations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Provides,
    Requires,
    /// A relation among the units of this application; it has no remote application and
    /// every unit may read the application bag.
    Peer,
}

/// One declared endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub role: Role,
    pub interface: String,
    /// `scope: container` (subordinate relations).
    pub container_scoped: bool,
}

/// The charm's `metadata.yaml`, embedded in the binary with `include_str!` and parsed once per
/// hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub name: String,
    pub subordinate: bool,
    endpoints: Vec<Endpoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawMetadata {
    name: String,
    #[serde(default)]
    subordinate: bool,
    #[serde(default)]
    provides: BTreeMap<String, RawEndpoint>,
    #[serde(default)]
    requires: BTreeMap<String, RawEndpoint>,
    #[serde(default)]
    peers: BTreeMap<String, RawEndpoint>,
}

/// Juju accepts `website: http` as well as `website: {interface: http, ...}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawEndpoint {
    Interface(String),
    Full {
        interface: String,
        #[serde(default)]
        scope: Option<String>,
    },
}

impl Metadata {
    pub fn parse(yaml: &str) -> Result<Metadata, MetadataError> {
        let raw: RawMetadata = serde_yaml::from_str(yaml).map_err(MetadataError::Parse)?;
        let mut endpoints: Vec<Endpoint> = Vec::new();
        let roles = [
            (Role::Provides, raw.provides),
            (Role::Requires, raw.requires),
            (Role::Peer, raw.peers),
        ];
        for (role, declared) in roles {
            for (name, endpoint) in declared {
                if endpoints.iter().any(|e| e.name == name) {
                    return Err(MetadataError::DuplicateEndpoint(name));
                }
                let (interface, scope) = match endpoint {
                    RawEndpoint::Interface(interface) => (interface, None),
                    RawEndpoint::Full { interface, scope } => (interface, scope),
                };
                endpoints.push(Endpoint {
                    name,
                    role,
                    interface,
                    container_scoped: scope.as_deref() == Some("container"),
                });
            }
        }
        // Juju gives every charm a `juju-info` endpoint it never declares, so that any
        // subordinate can attach to it; its hooks run like any other relation's.
        if !endpoints.iter().any(|e| e.name == JUJU_INFO) {
            endpoints.push(Endpoint {
                name: JUJU_INFO.to_owned(),
                role: Role::Provides,
                interface: JUJU_INFO.to_owned(),
                container_scoped: false,
            });
        }
        Ok(Metadata {
            name: raw.name,
            subordinate: raw.subordinate,
            endpoints,
        })
    }

    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Whether `endpoint` is declared under `peers`.
    pub fn is_peer(&self, endpoint: &str) -> bool {
        self.endpoint(endpoint)
            .is_some_and(|e| e.role == Role::Peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_in_both_forms_are_read_with_their_roles() {
        let m = Metadata::parse(
            "name: demo\nsummary: s\ndescription: d\n\
             provides:\n  website: http\n\
             requires:\n  juju-info:\n    interface: juju-info\n    scope: container\n\
             peers:\n  cluster:\n    interface: demo-peers\n",
        )
        .unwrap();
        assert_eq!(m.name, "demo");
        assert_eq!(m.endpoint("website").unwrap().interface, "http");
        assert!(m.endpoint("juju-info").unwrap().container_scoped);
        assert!(m.is_peer("cluster"));
        assert!(!m.is_peer("website"));
        assert!(!m.is_peer("nope"));
    }

    #[test]
    fn every_charm_provides_juju_info_without_declaring_it() {
        let m = Metadata::parse("name: demo\nsummary: s\ndescription: d\n").unwrap();
        let implicit = m.endpoint("juju-info").unwrap();
        assert_eq!(implicit.role, Role::Provides);
        assert_eq!(implicit.interface, "juju-info");
        assert!(!implicit.container_scoped);
    }

    #[test]
    fn an_endpoint_declared_twice_is_refused() {
        let err = Metadata::parse("name: d\nprovides: {db: x}\nrequires: {db: y}\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata.yaml declares endpoint 'db' more than once"
        );
    }
}
