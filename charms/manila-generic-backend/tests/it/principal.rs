//! What the principal may send in `_authentication_data`, well-formed or not. Nothing is
//! published until usable credentials are there; malformed data blocks the unit with a status
//! naming the relation, the unit and what is wrong (never a value): retrying the hook would
//! not help, and the principal may still fix it. Once credentials were good, malformed ones
//! leave the back end as it was published (the last good credentials stay in force).

use charm::Bag;

use crate::fixtures::{self, Ran, AUTHENTICATION, PLUGIN};

const INCOMPLETE: &str = "waiting: 'manila-plugin' incomplete";

/// A configured unit related to a principal whose bag is `principal`, after relation-changed.
fn with_principal(principal: Bag) -> Ran {
    let state = fixtures::related(fixtures::configured(true, "both"), principal);
    fixtures::run(fixtures::changed(&state, PLUGIN), &state)
}

fn assert_nothing_published(model: &Ran) {
    assert_eq!(model.published(PLUGIN), Bag::new());
    assert_eq!(model.relation_sets, []);
}

fn assert_waiting_with_nothing_published(model: &Ran) {
    assert_nothing_published(model);
    assert_eq!(model.status(), INCOMPLETE);
}

fn assert_no_secret_logged(model: &Ran) {
    for line in model.log() {
        assert!(!line.contains("s3cret"), "{line}");
    }
}

#[test]
fn before_the_principal_writes_anything_the_unit_waits_quietly() {
    let model = with_principal(Bag::new());
    assert_waiting_with_nothing_published(&model);
    assert_eq!(model.log(), Vec::<String>::new());
}

#[test]
fn null_values_before_keystone_answers_wait_quietly() {
    let model = with_principal(fixtures::credentials_pending());
    assert_waiting_with_nothing_published(&model);
    assert_eq!(model.log(), Vec::<String>::new());
}

#[test]
fn missing_or_empty_keys_wait_quietly() {
    for broken in [
        AUTHENTICATION.replace(r#""username": "manila", "#, ""),
        AUTHENTICATION.replace(
            r#""auth_url": "http://10.5.0.20:35357""#,
            r#""auth_url": """#,
        ),
        AUTHENTICATION.replace("auth_uri", "auth_urn"),
        r#"{"data": {}}"#.to_owned(),
    ] {
        let model = with_principal(fixtures::principal(&broken));
        assert_waiting_with_nothing_published(&model);
        assert_eq!(model.log(), Vec::<String>::new(), "{broken}");
    }
}

#[test]
fn malformed_data_blocks_naming_what_is_wrong() {
    let why = |text: &str| {
        let model = with_principal(fixtures::principal(text));
        assert_nothing_published(&model);
        assert_no_secret_logged(&model);
        assert!(!model.status().contains("s3cret"), "{}", model.status());
        model.status()
    };
    let prefix = "blocked: 'manila-plugin' from manila/0: relation key `_authentication_data`: ";
    let cases = [
        (
            "not json".to_owned(),
            "invalid JSON: expected ident at line 1 column 2",
        ),
        (
            r#"["data"]"#.to_owned(),
            r#"unexpected JSON: expected an object {"data": {...}}"#,
        ),
        (
            r#"{"nodata": {}}"#.to_owned(),
            r#"unexpected JSON: expected a "data" key"#,
        ),
        (
            r#"{"data": "s3cret"}"#.to_owned(),
            r#"unexpected JSON: expected "data" to be an object"#,
        ),
        (
            AUTHENTICATION.replace(r#""s3cret""#, "5"),
            r#"unexpected JSON: expected "password" to be a string or null"#,
        ),
        (
            // Cut short: a partial write would look like this.
            AUTHENTICATION[..60].to_owned(),
            "invalid JSON: EOF while parsing a string at line 1 column 60",
        ),
    ];
    for (text, reason) in cases {
        assert_eq!(why(&text), format!("{prefix}{reason}"), "{text}");
    }
}

#[test]
fn a_value_with_a_line_break_is_refused_rather_than_written_into_manila_conf() {
    let injected = AUTHENTICATION.replace("s3cret", r"s3cret\n[DEFAULT]\ndebug = true");
    let model = with_principal(fixtures::principal(&injected));
    assert_nothing_published(&model);
    assert_no_secret_logged(&model);
    assert_eq!(
        model.status(),
        "blocked: 'manila-plugin' from manila/0: relation key `_authentication_data`: \
         \"password\" contains a line break or another control character"
    );
}

#[test]
fn domain_ids_stand_in_for_names_and_names_win_when_both_are_sent() {
    let ids_only = AUTHENTICATION
        .replace("project_domain_name", "project_domain_id")
        .replace("user_domain_name", "user_domain_id");
    let model = with_principal(fixtures::principal(&ids_only));
    assert_eq!(model.status(), "active: Unit is ready");
    assert!(model.published(PLUGIN)["_configuration_data"]
        .contains(r"project_domain_name = service_domain\nuser_domain_name = service_domain\n"));

    let both = AUTHENTICATION.replace(
        r#""auth_type": "password""#,
        r#""auth_type": "password", "project_domain_id": "other", "user_domain_id": "other""#,
    );
    let model = with_principal(fixtures::principal(&both));
    let text = &model.published(PLUGIN)["_configuration_data"];
    assert!(!text.contains("other"), "{text}");
}

/// A principal that breaks its data after the back end was published: the back end stays
/// as it was (manila keeps working), the unit says what is wrong; fixed, all is well again.
#[test]
fn data_that_turns_bad_later_leaves_the_published_back_end_alone() {
    let ready = fixtures::ready(true, "password");
    let published = ready.published(PLUGIN);
    assert!(!published.is_empty());
    let state = fixtures::with_principal_bag(ready.state(), PLUGIN, fixtures::principal("{"));
    let model = fixtures::run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(model.published(PLUGIN), published);
    assert_eq!(model.relation_sets, []);
    assert_eq!(
        model.status(),
        "blocked: 'manila-plugin' from manila/0: relation key `_authentication_data`: invalid \
         JSON: EOF while parsing an object at line 1 column 1 (using the last good data)"
    );
    // Withdrawn altogether: the same.
    let state = fixtures::with_principal_bag(model.state(), PLUGIN, Bag::new());
    let model = fixtures::run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(model.published(PLUGIN), published);
    assert_eq!(
        model.status(),
        "blocked: 'manila-plugin' from manila/0: no longer sent: '_authentication_data' (using \
         the last good data)"
    );
    let state = fixtures::with_principal_bag(model.state(), PLUGIN, fixtures::credentials());
    let model = fixtures::run(fixtures::changed(&state, PLUGIN), &state);
    assert_eq!(model.published(PLUGIN), published);
    assert_eq!(model.status(), "active: Unit is ready");
}

/// Garbage met outside the relation's own hooks (config-changed reads the principal too):
/// the hook still succeeds and says why it cannot publish.
#[test]
fn garbage_from_the_principal_does_not_fail_another_hook() {
    let state = fixtures::related(
        fixtures::configured(true, "ssh"),
        fixtures::principal(r#"{"data": 42}"#),
    );
    let model = fixtures::run(emulator::scenario::Event::ConfigChanged, &state);
    assert_eq!(model.out.exit_code, 0);
    assert_nothing_published(&model);
    assert_eq!(
        model.status(),
        "blocked: 'manila-plugin' from manila/0: relation key `_authentication_data`: \
         unexpected JSON: expected \"data\" to be an object"
    );
}
