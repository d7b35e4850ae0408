//! Unit state: read once, written back with only the changed keys.

use charm::Outcome;
use juju::testing::Recorder;

use crate::support::{demo_charm, env, run, transcript};

#[test]
fn changed_keys_are_set_once_and_removed_keys_deleted() {
    demo_charm!(Keeps, |ctx, event| {
        let state = ctx.state()?;
        let hooks: u32 = state.parse("hooks")?.unwrap_or(0);
        state.set("hooks", hooks + 1);
        state.set("release", "bravo");
        state.remove("obsolete");
        state.set("flag", "true");
        Ok(())
    });
    let rec = Recorder::new().answer(
        "state-get",
        r#"{"hooks":"41","release":"bravo","obsolete":"x"}"#,
    );
    let outcome = run::<Keeps>(env("hooks/update-status"), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        transcript(&rec),
        [
            "state-get --format=json -",
            r#"state-set --file - <<< {"flag":"true","hooks":"42"}"#,
            "state-delete obsolete",
        ]
    );
}

#[test]
fn a_value_that_no_longer_parses_is_an_error_naming_the_key() {
    demo_charm!(Strict, |ctx, event| {
        ctx.state()?.parse::<u16>("port")?;
        Ok(())
    });
    let rec = Recorder::new().answer("state-get", r#"{"port":"eighty"}"#);
    let Outcome::Failed(err) = run::<Strict>(env("hooks/update-status"), &rec) else {
        panic!()
    };
    assert!(
        err.to_string().starts_with("unit state key 'port'"),
        "{err}"
    );
}
