//! Go's `encoding/json.Marshal`: compact, map keys sorted bytewise, struct fields in order,
//! HTML-safe string escaping (`<`, `>`, `&`, U+2028, U+2029 as `\u` escapes).

use serde_json::Value;

use super::gofloat;
use super::Out;

pub(super) fn write(out: &mut Vec<u8>, value: &Out<'_>) {
    match value {
        Out::Nil => out.extend_from_slice(b"null"),
        Out::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Out::Str(s) => string(out, s),
        Out::Strings(items) => sequence(out, items.iter(), |out, item| string(out, item)),
        Out::Json(value) => json_value(out, value),
        Out::List(items) => sequence(out, items.iter(), write),
        Out::Bag(bag) => {
            // A BTreeMap iterates in bytewise key order, which is Go's map order.
            mapping(out, bag.iter(), |out, v| string(out, v));
        }
        Out::Map(entries) => {
            let mut sorted: Vec<&(_, Out<'_>)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            mapping(out, sorted.into_iter().map(|(k, v)| (k, v)), write);
        }
        Out::Struct(fields) => mapping(out, fields.iter().map(|(k, v)| (k, v)), write),
    }
}

fn json_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            out.extend_from_slice(gofloat::format_json(n.as_f64().unwrap_or(0.0)).as_bytes());
        }
        Value::String(s) => string(out, s),
        Value::Array(items) => sequence(out, items.iter(), json_value),
        Value::Object(map) => {
            // Sort here too: serde_json may be built with `preserve_order` by another crate.
            let mut sorted: Vec<(&String, &Value)> = map.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            mapping(out, sorted.into_iter(), json_value);
        }
    }
}

fn sequence<T>(
    out: &mut Vec<u8>,
    items: impl Iterator<Item = T>,
    mut item: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, value) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(out, value);
    }
    out.push(b']');
}

fn mapping<K: AsRef<str>, V>(
    out: &mut Vec<u8>,
    entries: impl Iterator<Item = (K, V)>,
    mut value: impl FnMut(&mut Vec<u8>, V),
) {
    out.push(b'{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, k.as_ref());
        out.push(b':');
        value(out, v);
    }
    out.push(b'}');
}

fn string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: &[u8] = match c {
            '"' => b"\\\"",
            '\\' => b"\\\\",
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            '\u{8}' => b"\\b",
            '\u{c}' => b"\\f",
            '\u{2028}' => b"\\u2028",
            '\u{2029}' => b"\\u2029",
            c if c < ' ' || c == '<' || c == '>' || c == '&' => {
                out.extend_from_slice(&bytes[start..i]);
                let b = c as u8;
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize]]);
                out.push(HEX[(b & 0xf) as usize]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}
