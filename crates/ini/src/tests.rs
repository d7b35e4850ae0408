use proptest::prelude::*;

use super::*;

/// What oslo.config reads from the text after `key =` (`iniparser._split_key_value`, then
/// `ConfigOpts._substitute` for a value without references).
fn oslo_reads(written: &str) -> String {
    let mut value = written.trim();
    let quoted = value.starts_with(['"', '\''])
        && value.chars().next() == value.chars().last()
        && !value.is_empty();
    if quoted {
        value = if value.len() >= 2 {
            &value[1..value.len() - 1]
        } else {
            ""
        };
    }
    value.replace("\\$", "$$").replace("$$", "$")
}

#[test]
fn oslo_values_double_dollars_and_quote_what_oslo_would_strip() {
    let oslo = |v: &str| Dialect::Oslo.escape(v).unwrap();
    assert_eq!(oslo("plain"), "plain");
    assert_eq!(oslo("a$b"), "a$$b");
    assert_eq!(oslo(" padded "), "\" padded \"");
    assert_eq!(oslo("'quoted'"), "\"'quoted'\"");
    assert_eq!(oslo("\""), "\"\"\"");
    assert_eq!(oslo("a=b:c # not a comment"), "a=b:c # not a comment");
    assert_eq!(oslo(""), "");
    for value in [
        "plain", "a$b", " padded ", "'quoted'", "\"", "$$", "x\"", "\"x",
    ] {
        assert_eq!(oslo_reads(&oslo(value)), value, "{value:?}");
    }
}

#[test]
fn values_that_cannot_be_written_are_refused_without_repeating_them() {
    for hostile in [
        "x\n[DEFAULT]\ndebug = True",
        "a\rb",
        "tab\there",
        "nel\u{85}",
        "ls\u{2028}",
    ] {
        assert_eq!(
            Dialect::Oslo.escape(hostile),
            Err(ValueError::ControlCharacter),
            "{hostile:?}"
        );
        assert_eq!(
            Dialect::Python.escape(hostile),
            Err(ValueError::ControlCharacter)
        );
    }
    assert_eq!(
        Dialect::Oslo.escape("C:\\$share"),
        Err(ValueError::BackslashDollar)
    );
    assert_eq!(
        Dialect::Oslo.escape("x\n").unwrap_err().to_string(),
        "contains a line break or another control character"
    );
}

#[test]
fn configparser_values_double_percents_and_refuse_blank_ends() {
    assert_eq!(Dialect::Python.escape("100%").unwrap(), "100%%");
    assert_eq!(Dialect::Python.escape(" x"), Err(ValueError::BlankEnds));
    assert_eq!(Dialect::Python.escape("$x").unwrap(), "$x");
}

#[test]
fn lines_are_classified_as_oslo_config_reads_them() {
    assert_eq!(Line::classify(""), Line::Blank);
    assert_eq!(Line::classify("   "), Line::Blank);
    assert_eq!(Line::classify("# c"), Line::Comment);
    assert_eq!(Line::classify("; c"), Line::Comment);
    assert_eq!(Line::classify("[DEFAULT]"), Line::Section("DEFAULT"));
    assert_eq!(Line::classify("[DEFAULT] = x").kind(), "an invalid line");
    assert_eq!(Line::classify("[]"), Line::Invalid("empty section name"));
    assert_eq!(Line::classify(" x = 1"), Line::Continuation);
    assert_eq!(
        Line::classify("a = b = c"),
        Line::Option {
            key: "a",
            value: "b = c"
        }
    );
    // The first of '=' and ':' splits.
    assert_eq!(
        Line::classify("url: http://x"),
        Line::Option {
            key: "url",
            value: "http://x"
        }
    );
    assert_eq!(
        Line::classify("a:b = c"),
        Line::Option {
            key: "a",
            value: "b = c"
        }
    );
    assert_eq!(Line::classify("= x"), Line::Invalid("empty option name"));
    assert_eq!(Line::classify("just words").kind(), "an invalid line");
}

#[test]
fn names_follow_the_grammar_and_quote_what_they_refuse_escaped() {
    assert!(SectionName::new("generic-a.1_x").is_ok());
    for bad in ["", "gen eric", "a,b", "x]", "a\nb", "nova]\n[DEFAULT"] {
        assert!(SectionName::new(bad).is_err(), "{bad:?}");
        assert!(Key::new(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        SectionName::new("a\nb").unwrap_err().to_string(),
        "\"a\\nb\" is not a valid section name: use up to 255 letters, digits, '_', '-' and '.'"
    );
}

#[test]
fn oslo_text_allows_escapes_and_references_only() {
    for ok in [
        "plain",
        "$$",
        "$state_path/mnt",
        "${state_path}/x",
        "$group.opt",
    ] {
        assert_eq!(check_oslo_text(ok), Ok(()), "{ok:?}");
    }
    for bad in ["$", "a $ b", "$1", "${}", "${unclosed", "${a b}"] {
        assert_eq!(
            check_oslo_text(bad),
            Err(ValueError::StrayDollar),
            "{bad:?}"
        );
    }
    assert_eq!(check_oslo_text("a\nb"), Err(ValueError::ControlCharacter));
    assert_eq!(check_oslo_text("a\\$b"), Err(ValueError::BackslashDollar));
}

#[test]
fn documents_read_strictly_and_render_back() {
    let text =
        "# a back end\n[generic]\nshare_driver = manila.share.drivers.generic.GenericShareDriver\n\
                path = $state_path/x\n\n[nova]\npassword = \"a b\"\n[generic]\nextra = 1\r\n";
    let doc = Document::parse(text).unwrap();
    let names: Vec<&str> = doc.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["generic", "nova"]);
    assert_eq!(doc.section("generic").unwrap().get("extra"), Some("1"));
    assert_eq!(
        doc.section("nova").unwrap().get("password"),
        Some("\"a b\"")
    );
    assert_eq!(Document::parse(&doc.render()).unwrap(), doc);

    let error = |text: &str| Document::parse(text).unwrap_err().to_string();
    assert_eq!(error("x = 1"), "line 1: an option before any section");
    assert_eq!(
        error("[a]\n[DEFAULT] = x"),
        "line 2: a section header must end with ']'"
    );
    assert_eq!(
        error("[a]\nk = v\n  more"),
        "line 3: a line starting with a blank (multi-line values are not accepted)"
    );
    assert_eq!(
        error("[gen eric]"),
        "line 1: \"gen eric\" is not a valid section name: use up to 255 letters, digits, '_', '-' and '.'"
    );
    assert_eq!(
        error("[a]\nk = $"),
        "line 2: the value of 'k' has a '$' that is neither '$$' nor a reference such as \
         '$state_path'"
    );
    assert_eq!(
        error("[a]\nk = a\u{c}b"),
        "line 2: the value of 'k' contains a line break or another control character"
    );
    assert_eq!(
        error("not ini at all"),
        "line 1: neither 'key = value' nor a section header"
    );
}

proptest! {
    /// Whatever the value, an escaped one is one option line that oslo.config reads back as
    /// the value itself; or it is refused.
    #[test]
    fn escaped_oslo_values_read_back_or_are_refused(value in "\\PC*|[ $\\\\\"'=:#;\\[\\]\n\r\tA-z]{0,24}") {
        match Dialect::Oslo.escape(&value) {
            Ok(written) => {
                let line = format!("key = {written}");
                prop_assert!(!line.contains(['\n', '\r']));
                match Line::classify(&line) {
                    Line::Option { key, value: read } => {
                        prop_assert_eq!(key, "key");
                        prop_assert_eq!(oslo_reads(read), value);
                    }
                    other => prop_assert!(false, "{:?}", other),
                }
            }
            Err(ValueError::ControlCharacter) => prop_assert!(!is_line_safe(&value)),
            Err(ValueError::BackslashDollar) => prop_assert!(value.contains("\\$")),
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }

    /// Parsing never panics, and what it accepts renders to text it accepts again, equal.
    #[test]
    fn documents_round_trip(text in "([\\[\\]a-z0-9 =$#;\n\r\t{}.-]{0,12}\n?){0,8}") {
        if let Ok(doc) = Document::parse(&text) {
            let again = Document::parse(&doc.render()).unwrap();
            prop_assert_eq!(again, doc);
        }
    }
}
