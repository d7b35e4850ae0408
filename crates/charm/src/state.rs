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

// The runtime's own keys start with `charm.`; charms use keys without that prefix.
const PAUSED: &str = "charm.paused";
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

    /// Whether the operator paused the unit: services stay down and are not restarted.
    pub fn paused(&self) -> bool {
        self.get(PAUSED) == Some("true")
    }

    pub fn set_paused(&mut self, paused: bool) {
        if paused {
            self.set(PAUSED, "true");
        } else {
            self.remove(PAUSED);
        }
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

    /// Removes every key that starts with `prefix` and is not `prefix` followed by one of
    /// `keep`.
    pub(crate) fn retain_under(&mut self, prefix: &str, keep: &[String]) {
        self.current
            .retain(|key, _| match key.strip_prefix(prefix) {
                Some(rest) => keep.iter().any(|k| k == rest),
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn pausing_is_a_flag_that_is_absent_when_off() {
        let mut state = UnitState::default();
        assert!(!state.paused());
        state.set_paused(true);
        assert!(state.paused());
        state.set_paused(false);
        assert_eq!(state.changes(), (BTreeMap::new(), vec![]));
    }
}
