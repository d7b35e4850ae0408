//! Relation databags as data: the vocabulary every interface crate under `interfaces/` shares.
//!
//! A Juju relation databag is a map of strings to strings ([`Bag`]). Each interface crate is a
//! pure codec between such bags and typed views; this crate holds what they have in common:
//!
//! - [`Readiness`]: what a side has received is either [`Readiness::Incomplete`] (the peer has
//!   not published everything yet: the charm waits) or [`Readiness::Ready`].
//! - [`FieldError`] (with [`FieldErrorKind`]): a value a peer published that cannot be what the
//!   interface says it is. It names the key; [`UnitError`] adds the unit that sent it.
//! - [`fields`]: readers for the value shapes the OpenStack charms use (ports, hosts, flags,
//!   base64 text, unit lists), each failing with a [`FieldError`], never a panic.
//! - [`PyJson`]: JSON written byte for byte as Python's `json.dumps` writes it, for the
//!   interfaces whose peers compare or store JSON text.
//! - [`changed_keys`]: the part of a bag that must actually be written.
//! - [`Secret`]: passwords and keys, redacted from `Debug` output (the `secret` crate's type,
//!   re-exported for the codecs that read them).
//! - `testing` (feature `testing`): hostile bags and the checks every codec's property tests
//!   make with them.
//!
//! Juju's rule for empty values holds throughout: `relation-set key=` deletes `key`, so an
//! empty value and a missing key mean the same thing. Readers treat `""` as absent, and a
//! codec's `to_bag` uses `""` for a key it owns but wants unset.
//!
//! ```
//! use databag::{changed_keys, fields, Bag};
//! let current: Bag = [("db_port".into(), "3306".into())].into();
//! assert_eq!(fields::port(&current, "db_port")?, Some(3306));
//! let desired: Bag = [("db_port".into(), "3306".into()), ("db_host".into(), "10.0.0.5".into())].into();
//! assert_eq!(changed_keys(&current, &desired).keys().collect::<Vec<_>>(), ["db_host"]);
//! # Ok::<(), databag::FieldError>(())
//! ```

mod error;
pub mod fields;
mod python_json;
mod readiness;
#[cfg(feature = "testing")]
pub mod testing;

use std::collections::BTreeMap;

use juju::UnitName;

pub use error::{FieldError, FieldErrorKind, Quoted, UnitError};
pub use fields::Host;
pub use python_json::PyJson;
pub use readiness::{Readiness, Required};
pub use secret::Secret;

pub use juju::Bag;

/// The entries of `desired` whose value differs from `current`: what a charm must pass to
/// `relation-set` so that it writes only the keys whose value changed.
///
/// A key missing from `current` and a key whose desired value is `""` are the same (Juju
/// deletes a key set to `""`), so asking to clear an absent key yields nothing to write.
/// Keys of `current` that `desired` does not mention are left alone: they belong to someone
/// else (Juju's `private-address`, another codec).
pub fn changed_keys(current: &Bag, desired: &Bag) -> Bag {
    desired
        .iter()
        .filter(|(key, value)| current.get(*key).map_or("", String::as_str) != value.as_str())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Reads a relation whose remote units all publish the same answer (keystone, the MySQL
/// charms): the first unit, in unit order, whose bag `parse` finds ready.
///
/// A malformed bag is an error only when no unit is ready: a unit still catching up (or
/// broken) does not hide a good answer from another. With no units at all the answer is
/// what `parse` says of an empty bag: incomplete, missing every required key.
pub fn first_ready<T>(
    units: &BTreeMap<UnitName, Bag>,
    parse: impl Fn(&Bag) -> Result<Readiness<T>, FieldError>,
) -> Result<Readiness<T>, UnitError> {
    let mut first_error = None;
    let mut first_incomplete = None;
    for (unit, bag) in units {
        match parse(bag) {
            Ok(Readiness::Ready(value)) => return Ok(Readiness::Ready(value)),
            Ok(incomplete) => {
                first_incomplete.get_or_insert(incomplete);
            }
            Err(e) => {
                first_error.get_or_insert(e.from_unit(unit));
            }
        }
    }
    match (first_error, first_incomplete) {
        (Some(e), _) => Err(e),
        (None, Some(incomplete)) => Ok(incomplete),
        (None, None) => Ok(parse(&Bag::new()).unwrap_or(Readiness::Incomplete {
            missing: Vec::new(),
        })),
    }
}

#[cfg(test)]
mod tests;
