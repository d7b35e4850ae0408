//! `key=value` arguments (`juju/utils` `keyvalues.Parse`) and `--file` settings documents, as
//! `relation-set`, `state-set` and `leader-set` read them.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::gotext::quote;
use super::{Failure, Session};

/// Parses `key=value` arguments in order: split at the first `=`, both sides trimmed, empty
/// values allowed (they delete), empty keys and repeated keys refused.
pub(crate) fn parse<'a>(args: &[&'a str]) -> Result<Vec<(&'a str, &'a str)>, Failure> {
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(args.len());
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(Failure::Usage(format!(
                "expected \"key=value\", got {}",
                quote(arg)
            )));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(Failure::Usage(format!(
                "expected \"key=value\", got \"{key}={value}\""
            )));
        }
        if pairs.iter().any(|(seen, _)| *seen == key) {
            return Err(Failure::Usage(format!(
                "key {} specified more than once",
                quote(key)
            )));
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// The settings to apply: the `--file` document (if any) overridden by the `key=value` pairs.
/// A key mapped to YAML null reads as `""`.
pub(crate) fn settings(
    session: &Session<'_>,
    file: &str,
    overrides: &[(&str, &str)],
) -> Result<BTreeMap<String, String>, Failure> {
    let mut settings = BTreeMap::new();
    if !file.is_empty() {
        let data = session.read_input_file(file)?;
        settings = parse_document(&data).map_err(Failure::Run)?;
    }
    for (key, value) in overrides {
        settings.insert((*key).to_owned(), (*value).to_owned());
    }
    Ok(settings)
}

/// Decodes a YAML (or JSON) map into strings the way go-yaml fills a `map[string]string`:
/// scalars keep their source text (`1.50` stays `1.50`), null becomes `""`, a later
/// duplicate key wins.
fn parse_document(data: &[u8]) -> Result<BTreeMap<String, String>, String> {
    match serde_yaml::from_slice::<Document>(data) {
        Ok(Document(settings)) => Ok(settings),
        Err(err) => Err(go_yaml_error(&err)),
    }
}

/// go-yaml's messages for the mistakes a settings file can hold; other parse errors keep
/// the parser's own wording after go-yaml's `yaml: ` prefix.
fn go_yaml_error(err: &serde_yaml::Error) -> String {
    let message = err.to_string();
    let line = err.location().map_or(1, |location| location.line());
    let found = if message.contains("invalid type: sequence") {
        "!!seq".to_owned()
    } else if message.contains("invalid type: map") {
        "!!map".to_owned()
    } else if let Some(rest) = message.split("invalid type: string \"").nth(1) {
        let text = rest.split('"').next().unwrap_or_default();
        format!("!!str `{text}`")
    } else {
        return format!("yaml: {message}");
    };
    let into = if message.contains("expected a map") {
        "map[string]string"
    } else {
        "string"
    };
    format!("yaml: unmarshal errors:\n  line {line}: cannot unmarshal {found} into {into}")
}

struct Document(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_none<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document(BTreeMap::new()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document(BTreeMap::new()))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut settings = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<Text, Option<Text>>()? {
            settings.insert(key.0, value.map(|value| value.0).unwrap_or_default());
        }
        Ok(Document(settings))
    }
}

/// A scalar's text.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(v.to_owned()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Result<Vec<(String, String)>, String> {
        parse_document(text.as_bytes()).map(|settings| settings.into_iter().collect())
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn documents_decode_like_go_yaml_into_a_string_map() {
        assert_eq!(doc(""), Ok(vec![]));
        assert_eq!(doc("{}"), Ok(vec![]));
        assert_eq!(doc("null"), Ok(vec![]));
        assert_eq!(
            doc("a: 1.50\nb: 0x10\nc: yes\nd: ~\ne:\nf: 'null'\n"),
            Ok(pairs(&[
                ("a", "1.50"),
                ("b", "0x10"),
                ("c", "yes"),
                ("d", ""),
                ("e", ""),
                ("f", "null")
            ]))
        );
        assert_eq!(
            doc(r#"{"k": "v", "n": 1}"#),
            Ok(pairs(&[("k", "v"), ("n", "1")]))
        );
        assert_eq!(doc("k: 1\nk: 2\n"), Ok(pairs(&[("k", "2")])));
    }

    #[test]
    fn documents_that_are_not_string_maps_fail_in_go_yaml_words() {
        assert_eq!(
            doc("- a\n"),
            Err(
                "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]string"
                    .into()
            )
        );
        assert_eq!(
            doc("a: [1]\n"),
            Err("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into string".into())
        );
        assert_eq!(
            doc("a:\n  b: c\n"),
            Err("yaml: unmarshal errors:\n  line 2: cannot unmarshal !!map into string".into())
        );
    }

    #[test]
    fn key_value_arguments() {
        assert_eq!(
            parse(&["a=1", " b = two ", "c="]),
            Ok(vec![("a", "1"), ("b", "two"), ("c", "")])
        );
        assert_eq!(
            parse(&["a"]),
            Err(Failure::Usage(r#"expected "key=value", got "a""#.into()))
        );
        assert_eq!(
            parse(&[" =v"]),
            Err(Failure::Usage(r#"expected "key=value", got "=v""#.into()))
        );
        assert_eq!(
            parse(&["a=1", "a =2"]),
            Err(Failure::Usage(r#"key "a" specified more than once"#.into()))
        );
    }
}
