//! What related applications sent, with the last good data kept while what they send now
//! cannot be used.
//!
//! A relation that was complete once keeps serving: when a remote unit later sends a
//! malformed value, or stops sending a key, or every remote unit leaves, the charm goes on
//! with the data that last parsed (the services keep running on their last good
//! configuration) and the status names the relation, the unit and the key. Only the
//! relation's departure (it is no longer in `relation-ids`) forgets that data. This is
//! [`Context::receive`](crate::Context::receive): every relation a charm reads goes through
//! it, so no charm decides this on its own.
//!
//! The last good data is each remote unit's bag at the last hook in which the relation
//! parsed, kept in unit state under `charm.received.<relation id>` (Juju's unit state lives in
//! the controller, not in a file on the machine). Per unit: one malformed peer among several
//! keeps its own last good bag and leaves the others current.

use std::collections::BTreeMap;
use std::fmt;

use databag::{Bag, FieldError, Readiness, UnitError};
use juju::{RelationId, Status, UnitName};

use crate::status::UnitStatus;

/// The unit-state key prefix of the kept data.
pub(crate) const STATE_PREFIX: &str = "charm.received.";

/// Why a relation's current data is not used as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A remote unit's bag has a malformed value (the error names the key).
    Malformed(UnitError),
    /// A remote unit stopped sending keys it had sent.
    Withdrawn {
        unit: UnitName,
        missing: Vec<String>,
    },
    /// No remote unit sends complete data any more (they left, or their replacements have
    /// not answered yet).
    NoCompleteUnit { missing: Vec<String> },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Malformed(e) => write!(f, "from {}: {}", e.unit, e.error),
            Problem::Withdrawn { unit, missing } => {
                write!(f, "from {unit}: no longer sent: {}", quoted_list(missing))
            }
            Problem::NoCompleteUnit { missing } if missing.is_empty() => {
                f.write_str("no remote unit sends its data")
            }
            Problem::NoCompleteUnit { missing } => {
                write!(f, "no remote unit sends {}", quoted_list(missing))
            }
        }
    }
}

fn quoted_list(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one endpoint of this unit has received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received<T> {
    /// No relation on the endpoint.
    Missing,
    /// Related, but the remote side has not sent `missing` yet (and never sent complete
    /// data), or sent only what `problems` says is unusable.
    Incomplete {
        missing: Vec<String>,
        problems: Vec<Problem>,
    },
    /// Usable data. With `problems`, some of it is the last good data kept for a unit whose
    /// current data is unusable (`kept`), or some unit's data is left out.
    Ready {
        value: T,
        problems: Vec<Problem>,
        kept: bool,
    },
}

impl<T> Received<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Received::Ready { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Received::Missing)
    }

    pub fn problems(&self) -> &[Problem] {
        match self {
            Received::Missing => &[],
            Received::Incomplete { problems, .. } | Received::Ready { problems, .. } => problems,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Received<U> {
        match self {
            Received::Missing => Received::Missing,
            Received::Incomplete { missing, problems } => {
                Received::Incomplete { missing, problems }
            }
            Received::Ready {
                value,
                problems,
                kept,
            } => Received::Ready {
                value: f(value),
                problems,
                kept,
            },
        }
    }

    /// The status this says of `endpoint`, if it says one: `'x' missing` (blocked), `'x'
    /// incomplete` (waiting), or a problem named (`'x' from mysql/0: relation key
    /// `db_port`: ...`): blocked when a unit sends something unusable, waiting when no unit
    /// sends complete data; with ` (using the last good data)` when the charm goes on with
    /// it.
    pub fn status(&self, endpoint: &str) -> Option<UnitStatus> {
        match self {
            Received::Missing => Some(missing(endpoint)),
            Received::Incomplete { problems, .. } if problems.is_empty() => {
                Some(incomplete(endpoint))
            }
            Received::Incomplete { problems, .. } => Some(problem_status(endpoint, problems, "")),
            Received::Ready { problems, .. } if problems.is_empty() => None,
            Received::Ready { problems, kept, .. } => Some(problem_status(
                endpoint,
                problems,
                if *kept {
                    " (using the last good data)"
                } else {
                    " (left out)"
                },
            )),
        }
    }
}

/// `'x' missing` (blocked): no relation on the endpoint (charms.openstack's words).
pub fn missing(endpoint: &str) -> UnitStatus {
    UnitStatus::new(Status::Blocked, format!("'{endpoint}' missing"))
}

/// `'x' incomplete` (waiting): related, and the remote side has not sent all it must.
pub fn incomplete(endpoint: &str) -> UnitStatus {
    UnitStatus::new(Status::Waiting, format!("'{endpoint}' incomplete"))
}

fn problem_status(endpoint: &str, problems: &[Problem], suffix: &str) -> UnitStatus {
    let level = if problems
        .iter()
        .all(|p| matches!(p, Problem::NoCompleteUnit { .. }))
    {
        Status::Waiting
    } else {
        Status::Blocked
    };
    let text: Vec<String> = problems
        .iter()
        .map(|p| format!("'{endpoint}' {p}{suffix}"))
        .collect();
    UnitStatus::new(level, text.join(", "))
}

/// The statuses of several endpoints combined, in the given order: every one that says
/// something, joined with ", ", at the worst level among them; `None` when all are ready and
/// well.
pub fn relations_status(statuses: &[Option<UnitStatus>]) -> Option<UnitStatus> {
    let said: Vec<&UnitStatus> = statuses.iter().flatten().collect();
    let level = said.iter().map(|s| s.status).max()?;
    let messages: Vec<&str> = said.iter().map(|s| s.message.as_str()).collect();
    Some(UnitStatus::new(level, messages.join(", ")))
}

/// Reads one relation from the remote units' `current` bags and the `kept` ones (what
/// [`Context::receive`](crate::Context::receive) does with unit state); returns what was
/// received and the bags to keep now (`None`: keep what is kept). Pure: charms' tests build
/// their inputs with it.
#[allow(clippy::type_complexity)]
pub fn receive_relation<T, V>(
    current: &BTreeMap<UnitName, Bag>,
    kept: &BTreeMap<UnitName, Bag>,
    unit: impl Fn(&Bag) -> Result<Readiness<V>, FieldError>,
    relation: impl Fn(&BTreeMap<UnitName, Bag>) -> Result<Readiness<T>, UnitError>,
) -> (Received<T>, Option<BTreeMap<UnitName, Bag>>) {
    let mut problems = Vec::new();
    let mut usable = BTreeMap::new();
    let mut substituted = false;
    for (name, bag) in current {
        let good = kept.get(name);
        match (unit(bag), good) {
            (Ok(Readiness::Ready(_)), _) => {
                usable.insert(name.clone(), bag.clone());
            }
            (Ok(Readiness::Incomplete { missing }), Some(good)) => {
                problems.push(Problem::Withdrawn {
                    unit: name.clone(),
                    missing,
                });
                usable.insert(name.clone(), good.clone());
                substituted = true;
            }
            (Ok(Readiness::Incomplete { .. }), None) => {
                usable.insert(name.clone(), bag.clone());
            }
            (Err(e), Some(good)) => {
                problems.push(Problem::Malformed(e.from_unit(name)));
                usable.insert(name.clone(), good.clone());
                substituted = true;
            }
            (Err(e), None) => problems.push(Problem::Malformed(e.from_unit(name))),
        }
    }
    match relation(&usable) {
        Ok(Readiness::Ready(value)) => (
            Received::Ready {
                value,
                problems,
                kept: substituted,
            },
            Some(usable),
        ),
        not_ready => {
            let missing = match not_ready {
                Ok(Readiness::Incomplete { missing }) => missing,
                Ok(Readiness::Ready(_)) => Vec::new(),
                Err(e) => {
                    problems.push(Problem::Malformed(e));
                    Vec::new()
                }
            };
            if !kept.is_empty() {
                if let Ok(Readiness::Ready(value)) = relation(kept) {
                    if problems.is_empty() {
                        problems.push(Problem::NoCompleteUnit { missing });
                    }
                    return (
                        Received::Ready {
                            value,
                            problems,
                            kept: true,
                        },
                        None,
                    );
                }
            }
            (Received::Incomplete { missing, problems }, None)
        }
    }
}

/// The unit-state key of `relation`'s kept bags.
pub(crate) fn state_key(relation: &RelationId) -> String {
    format!("{STATE_PREFIX}{relation}")
}

/// Kept bags as stored: JSON of unit name to bag.
pub(crate) fn encode(bags: &BTreeMap<UnitName, Bag>) -> String {
    let plain: BTreeMap<String, &Bag> = bags.iter().map(|(u, b)| (u.to_string(), b)).collect();
    // A map of strings always serializes.
    serde_json::to_string(&plain).unwrap_or_default()
}

/// Kept bags read back; what does not parse (written by an older charm) is no kept data.
pub(crate) fn decode(text: &str) -> BTreeMap<UnitName, Bag> {
    let plain: BTreeMap<String, Bag> = serde_json::from_str(text).unwrap_or_default();
    plain
        .into_iter()
        .filter_map(|(unit, bag)| Some((unit.parse().ok()?, bag)))
        .collect()
}

#[cfg(test)]
mod tests;
