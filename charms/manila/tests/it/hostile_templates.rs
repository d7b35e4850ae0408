//! Every template of the charm rendered with hostile values in every field of its context
//! (issue 13): the renderer refuses the value, or the file has the template's structure; and
//! a manila.conf that took a value is read back by the real oslo.config as that very value.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use charm::{TemplateError, Templates};
use ini::Line;
use manila_charm::render::{
    BackendSection, DatabaseSection, HaproxyBackend, HaproxyCfg, HaproxyServer, KeystoneSection,
    ManilaConf, RabbitSection,
};
use manila_testbed::Validator;
use serde_json::{json, Value};

use crate::fixtures::templates;

/// Values a template may be given by a careless charm author: line breaks with a section,
/// `$` (with and without a backslash), `%`, quotes, blanks at the ends, brackets, `#`, `=`.
const HOSTILE: &[&str] = &[
    "x\n[DEFAULT]\ndebug = True",
    "x\r[database]",
    "tab\there",
    "$state_path",
    "a\\$b",
    "100%",
    " padded ",
    "'quoted'",
    "\"",
    "[DEFAULT]",
    "# not a comment",
    "a = b : c",
    "p@ss w0rd;#x",
];

/// A manila.conf context with every optional part present.
fn manila_conf() -> ManilaConf {
    ManilaConf {
        enabled_share_backends: "generic".into(),
        enabled_share_protocols: "NFS,CIFS".into(),
        default_share_type: "default_share_type".into(),
        debug: true,
        workers: 2,
        scheduler_default_filters: Some("CapacityFilter".into()),
        transport_url: Some("rabbit://manila:pw@10.5.0.30:5672/openstack".into()),
        config_flags: vec![("report_interval".into(), "20".into())],
        host: Some("manila-share".into()),
        database: Some(DatabaseSection {
            connection: "mysql+pymysql://manila:pw@10.5.0.20/manila".into(),
        }),
        keystone: Some(KeystoneSection {
            client: openstack::keystone::ServiceClient {
                www_authenticate_uri: "http://10.5.0.5:5000".into(),
                auth_url: "http://10.5.0.5:35357".into(),
                project_domain_name: "service_domain".into(),
                user_domain_name: "service_domain".into(),
                project_name: "services".into(),
                username: "manila".into(),
                password: "pw".into(),
            },
            memcached_servers: Some("127.0.0.1:11211".into()),
        }),
        rabbit: Some(RabbitSection {
            ha_queues: true,
            ssl_ca_file: Some("/etc/manila/rabbit-ca.pem".into()),
        }),
        use_syslog: true,
        keystone_interface: Some("internal"),
        backend_sections: vec![BackendSection {
            name: "generic".into(),
            options: vec![("share_driver".into(), "x.Driver".into())],
        }],
    }
}

fn haproxy_cfg() -> HaproxyCfg {
    HaproxyCfg {
        queue_timeout: 9000,
        connect_timeout: 9000,
        client_timeout: 90000,
        server_timeout: 90000,
        stats_password: Some("stats".into()),
        frontend_port: 8786,
        ipv6: true,
        backend_port: 8776,
        backends: vec![HaproxyBackend {
            name: "manila-api_admin_10.5.0.10".into(),
            local: "10.5.0.10".into(),
            network: "10.5.0.10/24".into(),
            servers: vec![HaproxyServer {
                name: "manila-0".into(),
                address: "10.5.0.10".into(),
            }],
        }],
        tls: Some(manila_charm::tls::HaproxyTls {
            port: 8766,
            backend_port: 8776,
            binds: vec![manila_charm::tls::TlsBind {
                address: "10.5.0.10".into(),
                pem: "/etc/haproxy/ssl/manila/cert_10.5.0.10.pem".into(),
            }],
        }),
    }
}

/// Every template's name and a context filling every field it reads.
fn contexts() -> Vec<(&'static str, Value)> {
    vec![
        (
            "zed/manila.conf",
            serde_json::to_value(manila_conf()).unwrap(),
        ),
        ("zed/logging.conf", json!({"level": "WARNING"})),
        ("zed/api-paste.ini", json!({})),
        ("caracal/api-paste.ini", json!({})),
        ("zed/manila-api.conf", json!({"port": 8776, "processes": 2})),
        ("haproxy.cfg", serde_json::to_value(haproxy_cfg()).unwrap()),
        (
            "memcached.conf",
            json!({"address": "127.0.0.1", "port": 11211}),
        ),
    ]
}

/// The paths of every string in `value`.
fn string_paths(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::String(_) => out.push(path.clone()),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(json!(index));
                string_paths(item, path, out);
                path.pop();
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                path.push(json!(name));
                string_paths(field, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn slot<'v>(value: &'v mut Value, path: &[Value]) -> &'v mut Value {
    path.iter().fold(value, |at, step| match step {
        Value::String(name) => &mut at[name.as_str()],
        Value::Number(index) => &mut at[index.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

/// The kind of each line (with section and option names), the structure a file must keep.
fn shape(format: charm::Format, text: &str) -> Vec<String> {
    text.split('\n')
        .map(|line| match format {
            charm::Format::OsloIni | charm::Format::PythonIni => match Line::classify(line) {
                Line::Section(name) => format!("[{name}]"),
                Line::Option { key, .. } => format!("{key} ="),
                other => other.kind().to_owned(),
            },
            // haproxy reads `\ ` as a blank inside a word.
            _ => format!(
                "{} words",
                line.replace("\\ ", "_").split_whitespace().count()
            ),
        })
        .collect()
}

/// A rendered manila.conf that took a hostile value, and where the value went.
struct Taken {
    text: String,
    section: String,
    key: String,
    value: String,
}

#[test]
fn every_field_of_every_template_takes_hostile_values_only_without_changing_the_structure() {
    let templates: Templates = templates();
    let mut tried = 0;
    let mut refused = 0;
    let mut taken = Vec::new();
    for (name, context) in contexts() {
        let template = templates.resolve(name, &[]).unwrap();
        let sample = templates.render(name, &[], &context).unwrap();
        let mut paths = Vec::new();
        string_paths(&context, &mut Vec::new(), &mut paths);
        for path in paths {
            for hostile in HOSTILE {
                tried += 1;
                let mut mutated = context.clone();
                *slot(&mut mutated, &path) = json!(hostile);
                match templates.render(name, &[], &mutated) {
                    Err(TemplateError::UnsafeValue { .. } | TemplateError::Structure { .. }) => {
                        refused += 1;
                    }
                    Err(other) => panic!("{name} {path:?}={hostile:?}: {other:?}"),
                    Ok(text) => {
                        let format = template.format;
                        // Names from the context may change; kinds of lines may not.
                        let kinds = |t: &str| -> Vec<String> {
                            shape(format, t)
                                .into_iter()
                                .map(|s| if s.starts_with('[') { "[]".into() } else { s })
                                .collect()
                        };
                        if !path.iter().any(|p| p == "name" || p == "options") {
                            assert_eq!(
                                shape(format, &text),
                                shape(format, &sample),
                                "{name} {path:?}={hostile:?}"
                            );
                        } else {
                            assert_eq!(
                                kinds(&text).len(),
                                kinds(&sample).len(),
                                "{name} {path:?}={hostile:?}"
                            );
                        }
                        assert!(!text.lines().any(|l| l.chars().any(char::is_control)));
                        if name.ends_with("manila.conf") {
                            if let Some(found) = locate(&sample, &text, hostile) {
                                taken.push(found);
                            }
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "templates: {tried} values tried, {refused} refused, {} read back",
        taken.len()
    );
    assert!(refused > 0 && !taken.is_empty());
    read_back_with_oslo(&taken);
}

/// The section and option of the one line where `text` differs from `sample`, if the value
/// of that line is a whole value (an option's value, not a part of one or a comment).
fn locate(sample: &str, text: &str, hostile: &str) -> Option<Taken> {
    let mut section = String::new();
    for (a, b) in sample.lines().zip(text.lines()) {
        if let Line::Section(name) = Line::classify(b) {
            section = name.to_owned();
        }
        if a == b {
            continue;
        }
        let Line::Option { key, .. } = Line::classify(b) else {
            return None;
        };
        // `| safe` values (back ends' text) are in oslo.config's syntax already.
        let whole = ini::Dialect::Oslo.escape(hostile).ok()?;
        let written = b.split_once('=').map(|(_, v)| v.trim())?;
        return (written == whole).then(|| Taken {
            text: text.to_owned(),
            section,
            key: key.to_owned(),
            value: hostile.to_owned(),
        });
    }
    None
}

/// Asks oslo.config itself what each file says for the option that took a hostile value.
fn read_back_with_oslo(taken: &[Taken]) {
    let Some(validator) = Validator::find() else {
        return;
    };
    let python = validator.path().with_file_name("python");
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (index, t) in taken.iter().enumerate() {
        let path = dir.path().join(format!("{index}.conf"));
        fs::write(&path, &t.text).unwrap();
        cases.push(json!([path, t.section, t.key]));
    }
    let script = r#"
import json, sys
from oslo_config import cfg
out = []
for path, section, key in json.load(sys.stdin):
    conf = cfg.ConfigOpts()
    group = None if section == "DEFAULT" else section
    conf.register_opt(cfg.StrOpt(key), group=group)
    conf(args=[], default_config_files=[path])
    out.append((conf[key] if group is None else conf[group][key]))
print(json.dumps(out))
"#;
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", python.display()));
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(Value::Array(cases).to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    let mismatches: BTreeMap<String, (String, String)> = taken
        .iter()
        .zip(read)
        .filter(|(t, got)| t.value != *got)
        .map(|(t, got)| (format!("[{}] {}", t.section, t.key), (t.value.clone(), got)))
        .collect();
    assert!(
        mismatches.is_empty(),
        "oslo.config read back other values: {mismatches:#?}"
    );
}
