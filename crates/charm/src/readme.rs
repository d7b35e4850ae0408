//! The reference part of a charm's `README.md`: its options (from the same [`OptionSpec`]
//! table `config.yaml` is generated from), relations (from `metadata.yaml`) and actions (from
//! `actions.yaml`), as Markdown, so that what the README says cannot drift from the charm.
//!
//! The README keeps its hand-written part; the reference sits between two HTML comments
//! ([`BEGIN`], [`END`]) that [`with_reference`] rewrites, appending them the first time.
//! `tests/tidy` checks every charm's file with [`crate::testing::check_generated`]:
//!
//! ```
//! use charm::config::{OptionSpec, OptionType};
//! const OPTIONS: &[OptionSpec] = &[OptionSpec {
//!     name: "port",
//!     ty: OptionType::Int { default: Some(8080) },
//!     description: "TCP port the service listens on.",
//! }];
//! let metadata = "name: demo\nprovides:\n  website: http\n";
//! let reference = charm::readme::reference(OPTIONS, metadata, "")?;
//! assert!(reference.contains("| `port` | int | `8080` | TCP port the service listens on. |"));
//! let readme = charm::readme::with_reference("# demo\n\nA demo.\n", &reference);
//! assert!(readme.starts_with("# demo\n\nA demo.\n\n<!--"));
//! # Ok::<(), charm::readme::ReadmeError>(())
//! ```

use serde_yaml::{Mapping, Value};

use crate::config::{OptionSpec, OptionType};

/// The line that opens the generated reference.
pub const BEGIN: &str = "<!-- Generated from the charm's OPTIONS table, metadata.yaml and \
                         actions.yaml: edit those, then run `UPDATE_GENERATED=1 cargo test` \
                         to rewrite it. -->";
/// The line that closes it.
pub const END: &str = "<!-- End of the generated reference. -->";

/// A definition file the reference is built from does not have the shape Juju reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct ReadmeError {
    pub file: &'static str,
    pub reason: String,
}

/// The generated reference, [`BEGIN`] and [`END`] included: sections "Configuration",
/// "Relations" and "Actions".
pub fn reference(
    options: &[OptionSpec],
    metadata: &str,
    actions: &str,
) -> Result<String, ReadmeError> {
    let mut out = format!("{BEGIN}\n\n");
    configuration(&mut out, options);
    relations(&mut out, metadata)?;
    actions_section(&mut out, actions)?;
    out.push_str(END);
    out.push('\n');
    Ok(out)
}

/// `readme` with its reference replaced by `reference`, or with `reference` appended after a
/// blank line when it has none yet.
pub fn with_reference(readme: &str, reference: &str) -> String {
    if let (Some(start), Some(end)) = (readme.find(BEGIN), readme.find(END)) {
        if start < end {
            let after = &readme[end + END.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            return format!("{}{reference}{after}", &readme[..start]);
        }
    }
    let mut out = readme.trim_end().to_owned();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(reference);
    out
}

fn configuration(out: &mut String, options: &[OptionSpec]) {
    out.push_str("## Configuration\n\n");
    if options.is_empty() {
        out.push_str("This charm has no options.\n\n");
        return;
    }
    out.push_str(
        "Set with `juju config <application> <option>=<value>`; an option without a default \
         is unset until set.\n\n",
    );
    out.push_str("| Option | Type | Default | Description |\n|---|---|---|---|\n");
    for option in options {
        let default = match option.ty {
            OptionType::String { default } => default.map(|d| code(&format!("{d:?}"))),
            OptionType::Int { default } => default.map(|d| code(&d.to_string())),
            OptionType::Float { default } => default.map(|d| code(&d.to_string())),
            OptionType::Boolean { default } => default.map(|d| code(&d.to_string())),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            option.name,
            option.ty.juju_name(),
            default.unwrap_or_else(|| "unset".to_owned()),
            cell(option.description)
        ));
    }
    out.push('\n');
}

fn relations(out: &mut String, metadata: &str) -> Result<(), ReadmeError> {
    let invalid = |reason: String| ReadmeError {
        file: "metadata.yaml",
        reason,
    };
    let root: Mapping = serde_yaml::from_str(metadata).map_err(|e| invalid(e.to_string()))?;
    out.push_str("## Relations\n\n");
    let mut rows = Vec::new();
    for (section, role) in [
        ("requires", "requires"),
        ("provides", "provides"),
        ("peers", "peer"),
    ] {
        let Some(endpoints) = root.get(section) else {
            continue;
        };
        let endpoints = endpoints
            .as_mapping()
            .ok_or_else(|| invalid(format!("{section}: not a map of endpoints")))?;
        for (name, endpoint) in endpoints {
            let name = name
                .as_str()
                .ok_or_else(|| invalid(format!("{section}: an endpoint name is not text")))?;
            let (interface, scope) = match endpoint {
                Value::String(interface) => (interface.as_str(), "global"),
                Value::Mapping(fields) => (
                    fields
                        .get("interface")
                        .and_then(Value::as_str)
                        .ok_or_else(|| invalid(format!("{section}.{name}: no interface")))?,
                    fields
                        .get("scope")
                        .and_then(Value::as_str)
                        .unwrap_or("global"),
                ),
                _ => return Err(invalid(format!("{section}.{name}: not an endpoint"))),
            };
            rows.push(format!("| `{name}` | {role} | `{interface}` | {scope} |\n"));
        }
    }
    if rows.is_empty() {
        out.push_str("This charm declares no relations.\n\n");
        return Ok(());
    }
    out.push_str(
        "Relate with `juju integrate <application>:<endpoint> <other>`; container-scoped \
         endpoints relate a principal and a subordinate on the same machine.\n\n",
    );
    out.push_str("| Endpoint | Role | Interface | Scope |\n|---|---|---|---|\n");
    for row in rows {
        out.push_str(&row);
    }
    out.push('\n');
    Ok(())
}

fn actions_section(out: &mut String, actions: &str) -> Result<(), ReadmeError> {
    let invalid = |reason: String| ReadmeError {
        file: "actions.yaml",
        reason,
    };
    out.push_str("## Actions\n\n");
    let defs: Mapping = if actions.trim().is_empty() {
        Mapping::new()
    } else {
        serde_yaml::from_str(actions).map_err(|e| invalid(e.to_string()))?
    };
    if defs.is_empty() {
        out.push_str("This charm has no actions.\n\n");
        return Ok(());
    }
    out.push_str("Run with `juju run <unit> <action> [<param>=<value> ...]`.\n\n");
    for (name, def) in &defs {
        let name = name
            .as_str()
            .ok_or_else(|| invalid("an action name is not text".to_owned()))?;
        let def = def
            .as_mapping()
            .ok_or_else(|| invalid(format!("{name}: not a map")))?;
        out.push_str(&format!("### `{name}`\n\n"));
        if let Some(description) = def.get("description").and_then(Value::as_str) {
            out.push_str(&paragraph(description));
            out.push_str("\n\n");
        }
        let required: Vec<&str> = def
            .get("required")
            .and_then(Value::as_sequence)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let params = def.get("params").and_then(Value::as_mapping);
        let Some(params) = params.filter(|p| !p.is_empty()) else {
            out.push_str("No parameters.\n\n");
            continue;
        };
        out.push_str("| Parameter | Type | Default | Description |\n|---|---|---|---|\n");
        for (param, schema) in params {
            let param = param
                .as_str()
                .ok_or_else(|| invalid(format!("{name}: a parameter name is not text")))?;
            let field = |key: &str| schema.as_mapping().and_then(|s| s.get(key));
            let ty = field("type").map_or_else(|| "any".to_owned(), yaml_inline);
            let default = match field("default") {
                Some(value) => code(&yaml_inline(value)),
                None if required.contains(&param) => "required".to_owned(),
                None => "unset".to_owned(),
            };
            let mut description = field("description")
                .and_then(Value::as_str)
                .map(paragraph)
                .unwrap_or_default();
            if let Some(allowed) = field("enum").and_then(Value::as_sequence) {
                let allowed: Vec<String> = allowed.iter().map(|v| code(&yaml_inline(v))).collect();
                description.push_str(&format!(" One of {}.", allowed.join(", ")));
            }
            out.push_str(&format!(
                "| `{param}` | {} | {default} | {} |\n",
                cell(&ty),
                cell(description.trim())
            ));
        }
        out.push('\n');
    }
    Ok(())
}

/// A scalar or a short list on one line, as YAML writes it.
fn yaml_inline(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Sequence(items) => {
            let items: Vec<String> = items.iter().map(yaml_inline).collect();
            items.join(" or ")
        }
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

/// Text reflowed onto one line.
fn paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text that fits in a Markdown table cell.
fn cell(text: &str) -> String {
    paragraph(text).replace('|', "\\|")
}

/// Inline code, with a fence long enough for backticks inside.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &[OptionSpec] = &[
        OptionSpec {
            name: "roles",
            ty: OptionType::String {
                default: Some("all"),
            },
            description: "Which parts run:\n  api | scheduler.",
        },
        OptionSpec {
            name: "vip",
            ty: OptionType::String { default: None },
            description: "Virtual IP.",
        },
        OptionSpec {
            name: "debug",
            ty: OptionType::Boolean {
                default: Some(false),
            },
            description: "Debug logging.",
        },
    ];

    const METADATA: &str = "name: demo\nrequires:\n  shared-db:\n    interface: mysql-shared\n  \
                            ha:\n    interface: hacluster\n    scope: container\nprovides:\n  \
                            website: http\npeers:\n  cluster:\n    interface: demo-ha\n";

    const ACTIONS: &str = "pause:\n  description: Pause the services.\nset-mode:\n  \
                           description: |\n    Change the mode.\n  params:\n    mode:\n      \
                           type: string\n      enum: [fast, slow]\n      description: The \
                           mode.\n    force:\n      type: boolean\n      default: false\n  \
                           required: [mode]\n";

    #[test]
    fn options_relations_and_actions_are_tabulated() {
        let text = reference(OPTIONS, METADATA, ACTIONS).unwrap();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn the_reference_replaces_the_old_one_and_keeps_the_rest() {
        let old = reference(&OPTIONS[..1], METADATA, "").unwrap();
        let readme = format!("# demo\n\nIntro.\n\n{old}\n## Hand-written after\n");
        let new = reference(OPTIONS, METADATA, ACTIONS).unwrap();
        let updated = with_reference(&readme, &new);
        assert_eq!(
            updated,
            format!("# demo\n\nIntro.\n\n{new}\n## Hand-written after\n")
        );
        assert_eq!(with_reference(&updated, &new), updated, "stable");
        assert_eq!(with_reference("", &new), new);
    }

    #[test]
    fn malformed_definitions_name_their_file() {
        let err = reference(OPTIONS, "requires: [a, b]\n", "").unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata.yaml: requires: not a map of endpoints"
        );
        let err = reference(OPTIONS, METADATA, "- pause\n").unwrap_err();
        assert_eq!(err.file, "actions.yaml");
    }
}
