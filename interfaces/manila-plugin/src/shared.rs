//! The service-client sections several back ends send: one `[nova]` in manila.conf for all.

use std::fmt;

use ini::{Key, Section, SectionName};

use crate::{BackendName, ShareBackend, SHARED_SECTIONS};

/// Two back ends that send different values for one option of a shared section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub section: SectionName,
    pub key: Key,
    /// The back end whose value is kept (the first in name order), and the other.
    pub kept: BackendName,
    pub other: BackendName,
}

impl fmt::Display for Conflict {
    /// Names the back ends, the section and the option, never the values (credentials).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Share backends '{}' and '{}' send different values for '{}' in [{}]",
            self.kept, self.other, self.key, self.section
        )
    }
}

/// The shared sections of several back ends, merged: each section once, in
/// [`SHARED_SECTIONS`] order, each option once with the value of the first back end that
/// sends it (back ends in the order given), and every disagreement as a [`Conflict`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SharedSections {
    pub sections: Vec<Section>,
    pub conflicts: Vec<Conflict>,
}

impl SharedSections {
    pub fn merge(backends: &[&ShareBackend]) -> SharedSections {
        let mut merged = SharedSections::default();
        for name in SHARED_SECTIONS {
            let mut section: Option<Section> = None;
            let mut owners: Vec<(Key, BackendName)> = Vec::new();
            for backend in backends {
                let Some(sent) = backend.shared.iter().find(|s| s.name.as_str() == *name) else {
                    continue;
                };
                let target = section.get_or_insert_with(|| Section {
                    name: sent.name.clone(),
                    options: Vec::new(),
                });
                for (key, _) in &sent.options {
                    // The value oslo.config reads: the last one written for the key.
                    let value = sent.get(key.as_str()).unwrap_or_default();
                    match target.get(key.as_str()) {
                        None => {
                            target.options.push((key.clone(), value.to_owned()));
                            owners.push((key.clone(), backend.name.clone()));
                        }
                        Some(kept) if kept != value => {
                            let kept_by = owners
                                .iter()
                                .find(|(k, _)| k == key)
                                .map(|(_, owner)| owner.clone())
                                .unwrap_or_else(|| backend.name.clone());
                            let conflict = Conflict {
                                section: sent.name.clone(),
                                key: key.clone(),
                                kept: kept_by,
                                other: backend.name.clone(),
                            };
                            if !merged.conflicts.contains(&conflict) {
                                merged.conflicts.push(conflict);
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
            merged.sections.extend(section);
        }
        merged
    }
}
