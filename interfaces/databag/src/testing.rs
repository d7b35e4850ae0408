//! Property-test support for interface codecs (feature `testing`): hostile bags made from a
//! valid one, and the checks every codec must pass on them.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::{fields, Bag, FieldError, Readiness};

/// Values a hostile or broken peer may send: line breaks opening a section, other control
/// characters, `$`, brackets, quotes, long and empty text, any printable text.
pub fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x\n[DEFAULT]\ndebug = True".to_owned()),
        Just("x\r[database]\rconnection = sqlite://".to_owned()),
        Just("$state_path\\$x".to_owned()),
        Just(String::new()),
        Just("x".repeat(fields::MAX_VALUE + 1)),
        "[\\[\\]=:;#$%'\" \t\n\\r\u{0}\u{85}\u{2028}a-z0-9./-]{0,24}",
        "\\PC{0,40}",
    ]
}

/// `valid` with some of `keys` set to hostile values (a key may also be added), and the keys
/// replaced.
pub fn hostile_bags(valid: Bag, keys: &'static [&'static str]) -> impl Strategy<Value = Bag> {
    proptest::collection::btree_map(
        proptest::sample::select(keys).prop_map(str::to_owned),
        hostile_value(),
        1..=keys.len().max(1),
    )
    .prop_map(move |hostile| {
        let mut bag = valid.clone();
        bag.extend(hostile);
        bag
    })
}

/// What a codec read from a hostile `bag` must be: an error naming a key of the bag (never
/// a panic, never an unnamed one), or, read as ready, with every key of `text_keys` that
/// it takes holding one line of text (a value with a line break is never taken).
pub fn check_reading<T>(
    bag: &Bag,
    text_keys: &[&str],
    read: &Result<Readiness<T>, FieldError>,
) -> Result<(), TestCaseError> {
    match read {
        Err(e) => prop_assert!(
            bag.contains_key(e.key()),
            "the error names {:?}, which the bag does not have: {e}",
            e.key()
        ),
        Ok(Readiness::Ready(_)) => {
            for key in text_keys {
                if let Some(value) = bag.get(*key) {
                    prop_assert!(
                        !value.chars().any(char::is_control) && value.len() <= fields::MAX_VALUE,
                        "{key} was taken with {value:?}"
                    );
                }
            }
        }
        Ok(Readiness::Incomplete { .. }) => {}
    }
    Ok(())
}
