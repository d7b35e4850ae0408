use std::fmt::Write as _;

/// A JSON value that serialises exactly as Python's `json.dumps` does with its defaults.
///
/// Defaults means: separators `", "` and `": "`, no indentation, `ensure_ascii=True` (every
/// character outside printable ASCII is written as a lowercase `\uXXXX` escape, astral
/// characters as a surrogate pair), and object keys in the order they are held. For
/// `sort_keys=True` build the object with [`PyJson::sorted_object`].
///
/// Peers store these strings and compare them (the hacluster interface hashes them, the
/// manila-plugin interface compares the text it last saw), so matching the bytes matters.
/// Only the types these interfaces send exist here: no floats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyJson {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<PyJson>),
    /// Keys in output order.
    Object(Vec<(String, PyJson)>),
}

impl PyJson {
    /// An object whose keys are written sorted, as `json.dumps(..., sort_keys=True)` does.
    pub fn sorted_object<K: Into<String>>(entries: impl IntoIterator<Item = (K, PyJson)>) -> Self {
        let mut entries: Vec<(String, PyJson)> =
            entries.into_iter().map(|(k, v)| (k.into(), v)).collect();
        // Python compares str by code point, which is UTF-8 byte order.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        PyJson::Object(entries)
    }

    /// A list of strings.
    pub fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        PyJson::List(items.into_iter().map(|s| PyJson::Str(s.into())).collect())
    }

    /// The text `json.dumps` produces for this value.
    pub fn dumps(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            PyJson::Null => out.push_str("null"),
            PyJson::Bool(true) => out.push_str("true"),
            PyJson::Bool(false) => out.push_str("false"),
            PyJson::Int(n) => {
                let _ = write!(out, "{n}");
            }
            PyJson::Str(s) => write_str(s, out),
            PyJson::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            PyJson::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(key, out);
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl From<&str> for PyJson {
    fn from(s: &str) -> Self {
        PyJson::Str(s.to_owned())
    }
}

impl From<String> for PyJson {
    fn from(s: String) -> Self {
        PyJson::Str(s)
    }
}

impl From<bool> for PyJson {
    fn from(b: bool) -> Self {
        PyJson::Bool(b)
    }
}

impl<T: Into<PyJson>> From<Option<T>> for PyJson {
    fn from(value: Option<T>) -> Self {
        value.map_or(PyJson::Null, Into::into)
    }
}

/// Python's `py_encode_basestring_ascii`.
fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}
