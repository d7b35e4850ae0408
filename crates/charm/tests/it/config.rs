//! Config: read once, invalid values become a blocked status naming the option.

use charm::{ConfigError, Outcome};
use juju::testing::Recorder;

use crate::support::{count, demo_charm, env, run, transcript};

demo_charm!(NeedsPort, |ctx, event| {
    let port = ctx.config()?.int_in("port", 1..=65535)?;
    // A second read is served from the cache.
    ctx.config()?.string("name")?;
    ctx.status().active(format!("Listening on {port}"));
    Ok(())
});

#[test]
fn invalid_config_is_a_blocked_status_naming_the_option_and_the_hook_succeeds() {
    let rec = Recorder::new()
        .answer("config-get", r#"{"port":"x","name":"demo"}"#)
        .answer("state-get", "{}");
    let outcome = run::<NeedsPort>(env("hooks/config-changed"), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(outcome.exit_code(), 0);
    let calls = transcript(&rec);
    // Unit state first: what earlier hooks kept decides what to ask.
    assert_eq!(calls[0], "state-get --format=json -");
    assert_eq!(calls[1], "config-get --all --format=json");
    assert_eq!(
        calls[2],
        r#"status-set blocked -- Invalid config: 'port': expected an integer, got "x""#
    );
    assert_eq!(count(&rec, "config-get"), 1);
}

#[test]
fn valid_config_is_read_once() {
    let rec = Recorder::new()
        .answer("config-get", r#"{"port":8080,"name":"demo"}"#)
        .answer("state-get", "{}");
    run::<NeedsPort>(env("hooks/config-changed"), &rec);
    assert_eq!(count(&rec, "config-get"), 1);
    assert!(transcript(&rec).contains(&"status-set active -- Listening on 8080".to_owned()));
}

#[test]
fn a_config_error_keeps_its_fields() {
    let err = ConfigError::new("vip_cidr", r#"expected an integer, got "x""#);
    assert_eq!(err.option, "vip_cidr");
    assert_eq!(
        err.to_string(),
        r#"Invalid config: 'vip_cidr': expected an integer, got "x""#
    );
}
