//! `juju/cmd`'s output formatters (`--format smart|json|yaml`, `-o FILE`), byte for byte.
//!
//! Tools build an [`Out`]: the Go value Juju would hand to the formatter, with the Go
//! distinctions that change the bytes kept (a `string` or `[]string` prints bare in smart
//! format, a `bool` prints `True`/`False`, a Go map is printed sorted while a struct keeps its
//! field order, and every number Juju decodes from its API is a `float64`).

mod gofloat;
mod json;
mod yaml;

use std::borrow::Cow;
use std::io::Write as _;

use serde_json::Value;

use super::context::Bag;
use super::flags::Parsed;
use super::gotext;
use super::{Failure, Session};

/// An output formatter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Smart,
    Json,
    Yaml,
}

impl Format {
    /// The formatters of most tools, in the order Juju's help lists them.
    pub(crate) const ALL: &'static [Format] = &[Format::Json, Format::Smart, Format::Yaml];
    /// `goal-state` offers no smart format.
    pub(crate) const SERIAL: &'static [Format] = &[Format::Json, Format::Yaml];

    pub(crate) fn from_name(name: &str) -> Option<Format> {
        match name {
            "smart" => Some(Format::Smart),
            "json" => Some(Format::Json),
            "yaml" => Some(Format::Yaml),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Smart => "smart",
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// A Go value as a hook tool hands it to `juju/cmd`'s `Output.Write`.
#[derive(Debug, Clone)]
pub(crate) enum Out<'a> {
    /// A nil `interface{}`: smart and yaml print nothing, json `null`.
    Nil,
    Bool(bool),
    Str(Cow<'a, str>),
    /// A `[]string`: smart prints it one per line.
    Strings(Vec<Cow<'a, str>>),
    /// A value decoded from Juju's API into `interface{}` (numbers are `float64`).
    Json(&'a Value),
    /// A slice of anything else.
    List(Vec<Out<'a>>),
    /// A `map[string]string`.
    Bag(&'a Bag),
    /// A Go map with string keys: printed in key order.
    Map(Vec<(Cow<'a, str>, Out<'a>)>),
    /// A Go struct: fields in declaration order.
    Struct(Vec<(&'static str, Out<'a>)>),
}

impl<'a> Out<'a> {
    pub(crate) fn str(s: impl Into<Cow<'a, str>>) -> Out<'a> {
        Out::Str(s.into())
    }

    /// A Go `map[string]interface{}` of JSON values.
    pub(crate) fn json_map(map: impl IntoIterator<Item = (&'a String, &'a Value)>) -> Out<'a> {
        Out::Map(
            map.into_iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Out::Json(v)))
                .collect(),
        )
    }
}

/// Renders `value` as `format` would.
pub(crate) fn render(format: Format, value: &Out<'_>) -> Vec<u8> {
    match format {
        Format::Json => {
            let mut out = Vec::with_capacity(64);
            json::write(&mut out, value);
            out.push(b'\n');
            out
        }
        Format::Yaml => yaml_document(value),
        Format::Smart => smart(value),
    }
}

/// `cmd.FormatSmart`.
fn smart(value: &Out<'_>) -> Vec<u8> {
    let text: Cow<'_, str> = match value {
        Out::Nil | Out::Json(Value::Null) => return Vec::new(),
        Out::Str(s) => Cow::Borrowed(s.as_ref()),
        Out::Json(Value::String(s)) => Cow::Borrowed(s.as_str()),
        Out::Strings(items) => Cow::Owned(items.join("\n")),
        Out::Bool(b) => Cow::Borrowed(if *b { "True" } else { "False" }),
        Out::Json(Value::Bool(b)) => Cow::Borrowed(if *b { "True" } else { "False" }),
        _ => return yaml_document(value),
    };
    if text.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(text.len() + 1);
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
    out
}

/// `cmd.FormatYaml`: nothing for nil, else the document with its trailing newlines collapsed
/// to exactly one.
fn yaml_document(value: &Out<'_>) -> Vec<u8> {
    if matches!(value, Out::Nil | Out::Json(Value::Null)) {
        return Vec::new();
    }
    let mut out = yaml::marshal(value).into_bytes();
    let mut end = out.len();
    while end > 1 && out[end - 1] == b'\n' {
        end -= 1;
    }
    out.truncate(end);
    if !out.is_empty() {
        out.push(b'\n');
    }
    out
}

/// `cmd.Output.Write`: formats `value` to stdout, or to the `-o` file (relative to the
/// client's cwd), which is created even when there is nothing to print.
pub(crate) fn write(
    session: &mut Session<'_>,
    parsed: &Parsed<'_>,
    value: &Out<'_>,
) -> Result<(), Failure> {
    let bytes = render(parsed.format, value);
    let path = parsed.output();
    if path.is_empty() {
        session.stdout.extend_from_slice(&bytes);
        return Ok(());
    }
    let full = gotext::abs_path(session.cwd, path);
    std::fs::File::create(session.host_path(&full))
        .and_then(|mut file| file.write_all(&bytes))
        .map_err(|err| Failure::Run(gotext::path_error("open", &full, &err)))
}

#[cfg(test)]
mod tests;
