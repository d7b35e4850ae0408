use serde_json::json;

use super::*;

const FILES: &[Template] = &[
    Template {
        name: "app.conf",
        text: "root = {{ name }}\n",
        format: Format::OsloIni,
    },
    Template {
        name: "bravo/app.conf",
        text: "bravo = {{ name }}\n",
        format: Format::OsloIni,
    },
    Template {
        name: "delta/app.conf",
        text: "delta = {{ name }} {{ missing.deep }}\n",
        format: Format::OsloIni,
    },
    Template {
        name: "only-root.ini",
        text: "x = {{ value | default(value=1) }}\n",
        format: Format::PythonIni,
    },
    Template {
        name: "service.conf",
        text: "[DEFAULT]\n\
               password = {{ password }}\n\
               {% for flag in flags %}{{ flag.0 }} = {{ flag.1 }}\n{% endfor %}\
               {% for s in sections %}[{{ s.name }}]\nkey = {{ s.value }}\n{% endfor %}\
               {% if url %}url = {{ url }}\n{% endif %}\
               raw = {{ raw | safe }}\n",
        format: Format::OsloIni,
    },
    Template {
        name: "haproxy.cfg",
        text: "listen stats\n    stats auth admin:{{ password }}\n    server {{ name }} {{ address }}:80 check\n",
        format: Format::Haproxy,
    },
    Template {
        name: "site.conf",
        text: "Listen {{ port }}\n<VirtualHost *:{{ port }}>\n    ServerName {{ name }}\n</VirtualHost>\n",
        format: Format::Directives,
    },
];

fn render(name: &str, context: Value) -> Result<String, TemplateError> {
    Templates::new(FILES).render(name, &[], &context)
}

fn service(password: &str) -> Value {
    json!({
        "password": password,
        "flags": [["debug", "False"]],
        "sections": [{"name": "generic", "value": "v"}],
        "url": "",
        "raw": "$state_path/x",
    })
}

#[test]
fn release_directories_fall_back_to_older_ones_then_the_root() {
    let t = Templates::new(FILES);
    let chain = |newest: &[&'static str]| t.resolve("app.conf", newest).unwrap().name;
    assert_eq!(chain(&["charlie", "bravo", "alpha"]), "bravo/app.conf");
    assert_eq!(chain(&["bravo", "alpha"]), "bravo/app.conf");
    assert_eq!(chain(&["alpha"]), "app.conf");
    assert_eq!(chain(&[]), "app.conf");
    assert_eq!(
        t.resolve("only-root.ini", &["bravo"]).unwrap().name,
        "only-root.ini"
    );
    let err = t.resolve("nope.conf", &["bravo"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no template 'nope.conf' (looked for bravo/nope.conf, nope.conf)"
    );
}

#[test]
fn values_are_escaped_for_the_format_of_the_file() {
    let t = Templates::new(FILES);
    let name = json!({"name": "a$b <c>&"});
    assert_eq!(
        t.render("app.conf", &["charlie", "bravo"], &name).unwrap(),
        "bravo = a$$b <c>&\n"
    );
    assert_eq!(
        render("only-root.ini", json!({"value": "90%"})).unwrap(),
        "x = 90%%\n"
    );
    assert_eq!(
        render(
            "haproxy.cfg",
            json!({"password": "a b#c\\d\"", "name": "u-0", "address": "10.0.0.1"})
        )
        .unwrap(),
        "listen stats\n    stats auth admin:a\\ b\\#c\\\\d\\\"\n    server u-0 10.0.0.1:80 check\n"
    );
    let rendered = render("service.conf", service(" s3cret$ ")).unwrap();
    assert!(
        rendered.contains("password = \" s3cret$$ \"\n"),
        "{rendered}"
    );
    // `| safe` copies text the caller checked.
    assert!(rendered.contains("raw = $state_path/x\n"), "{rendered}");
}

#[test]
fn a_value_that_cannot_be_written_names_the_field_and_never_the_value() {
    let err = render("service.conf", service("x\n[DEFAULT]\ndebug = True")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template 'service.conf': the value of 'password' contains a line break or another \
         control character"
    );
    let mut nested = service("p");
    nested["sections"][0]["value"] = json!("C:\\$x");
    assert_eq!(
        render("service.conf", nested).unwrap_err().to_string(),
        "template 'service.conf': the value of 'sections[0].value' contains '\\$', which \
         oslo.config cannot read back"
    );
    assert_eq!(
        render("site.conf", json!({"port": 80, "name": "a b"}))
            .unwrap_err()
            .to_string(),
        "template 'site.conf': the value of 'name' contains a blank, which would split a \
         directive's word"
    );
}

#[test]
fn names_taken_from_the_context_must_be_names() {
    let mut bad_section = service("p");
    bad_section["sections"][0]["name"] = json!("nova] x [y");
    assert_eq!(
        render("service.conf", bad_section).unwrap_err().to_string(),
        "template 'service.conf', line 4: \"nova] x [y\" is not a valid section name: use up to \
         255 letters, digits, '_', '-' and '.'"
    );
    let mut bad_key = service("p");
    bad_key["flags"][0][0] = json!("[DEFAULT]");
    assert!(matches!(
        render("service.conf", bad_key).unwrap_err(),
        TemplateError::Structure { line: 3, .. }
    ));
}

#[test]
fn text_passed_as_safe_still_cannot_change_the_structure() {
    let mut hostile = service("p");
    hostile["raw"] = json!("x\n[DEFAULT]");
    // The context check sees the line break first...
    assert!(matches!(
        render("service.conf", hostile).unwrap_err(),
        TemplateError::UnsafeValue { .. }
    ));
    // ...and a template that makes one itself is caught by the structure check.
    const MAKES_A_SECTION: &[Template] = &[Template {
        name: "x.conf",
        text: "[a]\nk = {{ v | replace(from=\"!\", to=\"\n[b]\") | safe }}\n",
        format: Format::OsloIni,
    }];
    let err = Templates::new(MAKES_A_SECTION)
        .render("x.conf", &[], &json!({"v": "hi!"}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template 'x.conf', line 3: the file has 4 lines where the template makes 3"
    );
}

#[test]
fn a_failed_render_names_the_template() {
    let err = render("delta/app.conf", json!({"name": "x"})).unwrap_err();
    assert_eq!(err.to_string(), "cannot render template 'delta/app.conf'");
    assert!(matches!(err, TemplateError::Render { .. }));
}

#[test]
fn a_template_that_does_not_parse_is_named() {
    const BROKEN: &[Template] = &[Template {
        name: "bad.conf",
        text: "{% if %}",
        format: Format::OsloIni,
    }];
    let err = Templates::new(BROKEN)
        .render("bad.conf", &[], &json!({}))
        .unwrap_err();
    let chain = format!("{:#}", anyhow::Error::from(err));
    assert!(chain.contains("bad.conf"), "{chain}");
}

#[test]
fn haproxy_words_follow_its_escapes_quotes_and_comments() {
    let w = |line: &str| words(Format::Haproxy, line);
    assert_eq!(
        w("  stats realm Haproxy\\ Statistics"),
        ["stats", "realm", "Haproxy\\ Statistics"]
    );
    assert_eq!(w("a \"b c\" d # comment"), ["a", "\"b c\"", "d"]);
    assert_eq!(w("# all comment"), Vec::<String>::new());
    assert_eq!(
        words(Format::Directives, "ErrorLogFormat \"%{cu}t %M\""),
        ["ErrorLogFormat", "\"%{cu}t", "%M\""]
    );
}
