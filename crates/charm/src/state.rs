//! Unit state that survives between hooks, kept by Juju (`state-get`/`state-set`).
//!
//! Read once per hook (the first time anything asks), changed in memory, and written back at
//! the end of a successful hook: one `state-set` with only the changed keys and one
//! `state-delete` per removed key. Juju commits both only when the hook exits 0, so a hook
//! that fails leaves the state as it was.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::status::UnitStatus;

// The toolkit's own keys start with `charm.`; charms use keys without that prefix.

/// Juju's limit on one value of unit state (`core/quota`: 64 KiB), less one byte.
const MAX_VALUE: usize = 64 * 1024 - 1;
/// The most [`UnitState::set_large`] keeps of one value: well below Juju's default
/// `max-charm-state-size` (2 MiB) for the unit's whole state.
pub(crate) const MAX_LARGE: usize = 256 * 1024;
const LAST_STATUS: &str = "charm.status";
const FILE_HASH: &str = "charm.sha1:";

/// A stored value that no longer parses as the type the charm reads it as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unit state key '{key}' holds {value:?}, which does not parse: {reason}")]
pub struct StateError {
    pub key: String,
    pub value: String,
    pub reason: String,
}

/// The unit's state: what Juju had at the start of the hook and what it should have at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitState {
    stored: BTreeMap<String, String>,
    current: BTreeMap<String, String>,
}

impl UnitState {
    /// State as `state-get` returned it.
    pub fn new(stored: BTreeMap<String, String>) -> Self {
        UnitState {
            current: stored.clone(),
            stored,
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.current.get(key).map(String::as_str)
    }

    /// The value at `key` parsed as `T`; `Ok(None)` when absent.
    pub fn parse<T>(&self, key: &str) -> Result<Option<T>, StateError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.get(key)
            .map(|value| {
                value.parse().map_err(|e: T::Err| StateError {
                    key: key.to_owned(),
                    value: value.to_owned(),
                    reason: e.to_string(),
                })
            })
            .transpose()
    }

    /// Stores `value` under `key`; an empty value removes the key, as Juju would.
    pub fn set(&mut self, key: &str, value: impl ToString) {
        let value = value.to_string();
        if value.is_empty() {
            self.remove(key);
        } else {
            self.current.insert(key.to_owned(), value);
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.current.remove(key);
    }

    pub(crate) fn last_status(&self) -> Option<UnitStatus> {
        self.get(LAST_STATUS)
            .and_then(|s| serde_json::from_str(s).ok())
    }

    pub(crate) fn set_last_status(&mut self, status: &UnitStatus) {
        // A status is a word and a string; it always serializes.
        if let Ok(json) = serde_json::to_string(status) {
            self.set(LAST_STATUS, json);
        }
    }

    pub(crate) fn file_hash(&self, path: &str) -> Option<&str> {
        self.get(&format!("{FILE_HASH}{path}"))
    }

    pub(crate) fn set_file_hash(&mut self, path: &str, hash: &str) {
        self.set(&format!("{FILE_HASH}{path}"), hash);
    }

    /// Stores `value` under `key`, split over `key`, `key#1`, `key#2`, ... where it exceeds
    /// what Juju keeps in one value. A value over [`MAX_LARGE`] bytes is not stored (what was
    /// stored stays) and `false` returned: a state Juju would refuse would fail every hook.
    pub(crate) fn set_large(&mut self, key: &str, value: &str) -> bool {
        if value.len() > MAX_LARGE {
            return false;
        }
        let old_chunks = self.chunk_count(key);
        let mut chunks = Vec::new();
        {
            let mut rest = value;
            while !rest.is_empty() {
                let mut cut = rest.len().min(MAX_VALUE);
                while !rest.is_char_boundary(cut) {
                    cut -= 1;
                }
                chunks.push(&rest[..cut]);
                rest = &rest[cut..];
            }
        }
        for (index, chunk) in chunks.iter().enumerate() {
            self.set(&chunk_key(key, index), chunk);
        }
        for index in chunks.len()..old_chunks {
            self.remove(&chunk_key(key, index));
        }
        true
    }

    /// A value stored with [`UnitState::set_large`].
    pub(crate) fn get_large(&self, key: &str) -> Option<String> {
        let count = self.chunk_count(key);
        (count > 0).then(|| {
            (0..count)
                .filter_map(|index| self.get(&chunk_key(key, index)))
                .collect()
        })
    }

    fn chunk_count(&self, key: &str) -> usize {
        (0..)
            .take_while(|index| self.current.contains_key(&chunk_key(key, *index)))
            .count()
    }

    /// The keys under `prefix`, without it (and without [`UnitState::set_large`] chunk
    /// suffixes), each once.
    pub(crate) fn keys_under(&self, prefix: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .current
            .keys()
            .filter_map(|key| key.strip_prefix(prefix))
            .map(|rest| {
                rest.split_once('#')
                    .map_or(rest, |(base, _)| base)
                    .to_owned()
            })
            .collect();
        keys.dedup();
        keys
    }

    /// Removes every key that starts with `prefix` and is not `prefix` followed by one of
    /// `keep` (or one of their [`UnitState::set_large`] chunks).
    pub(crate) fn retain_under(&mut self, prefix: &str, keep: &[String]) {
        self.current
            .retain(|key, _| match key.strip_prefix(prefix) {
                Some(rest) => {
                    let base = rest.split_once('#').map_or(rest, |(base, _)| base);
                    keep.iter().any(|k| k == base)
                }
                None => true,
            });
    }

    /// The keys to `state-set` (new or changed values) and to `state-delete`.
    pub fn changes(&self) -> (BTreeMap<String, String>, Vec<String>) {
        let set = self
            .current
            .iter()
            .filter(|(k, v)| self.stored.get(*k) != Some(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let deleted = self
            .stored
            .keys()
            .filter(|k| !self.current.contains_key(*k))
            .cloned()
            .collect();
        (set, deleted)
    }
}

/// The key of chunk `index` of a large value: the key itself, then `key#1`, `key#2`, ...
fn chunk_key(key: &str, index: usize) -> String {
    if index == 0 {
        key.to_owned()
    } else {
        format!("{key}#{index}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_values_are_split_to_fit_juju_and_shrink_cleanly() {
        let mut state = UnitState::default();
        let big = "é".repeat(100_000);
        assert!(state.set_large("charm.config", &big));
        let (set, _) = state.changes();
        assert_eq!(set.len(), 4);
        assert!(
            set.values().all(|v| v.len() <= MAX_VALUE),
            "{:?}",
            set.keys()
        );
        assert_eq!(
            state.get_large("charm.config").as_deref(),
            Some(big.as_str())
        );
        assert!(state.set_large("charm.config", "small"));
        let (set, _) = state.changes();
        assert_eq!(
            set,
            BTreeMap::from([("charm.config".to_owned(), "small".to_owned())])
        );
        assert!(!state.set_large("charm.config", &"x".repeat(MAX_LARGE + 1)));
        assert_eq!(state.get_large("charm.config").as_deref(), Some("small"));
        assert_eq!(state.get_large("absent"), None);
    }

    #[test]
    fn only_changed_keys_are_set_and_removed_keys_deleted() {
        let mut state = UnitState::new(BTreeMap::from([
            ("release".to_owned(), "bravo".to_owned()),
            ("port".to_owned(), "80".to_owned()),
            ("old".to_owned(), "x".to_owned()),
        ]));
        state.set("release", "bravo");
        state.set("port", 8080);
        state.remove("old");
        state.set("new", "");
        let (set, deleted) = state.changes();
        assert_eq!(
            set,
            BTreeMap::from([("port".to_owned(), "8080".to_owned())])
        );
        assert_eq!(deleted, ["old"]);
    }

    #[test]
    fn typed_reads_name_the_key_that_does_not_parse() {
        let mut state = UnitState::default();
        state.set("port", "eighty");
        assert_eq!(state.parse::<u16>("missing"), Ok(None));
        let err = state.parse::<u16>("port").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unit state key 'port' holds \"eighty\", which does not parse: invalid digit found \
             in string"
        );
    }
}
