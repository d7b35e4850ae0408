//! The binary started by hand rather than by Juju: it names what is missing and fails.

use crate::support::Charm;

#[test]
fn outside_a_hook_the_binary_says_so() {
    assert_eq!(
        Charm::Manila.run_outside_juju(),
        (
            Some(1),
            "ERROR JUJU_UNIT_NAME is not set: is this process running as a Juju hook?\n".to_owned()
        )
    );
}
