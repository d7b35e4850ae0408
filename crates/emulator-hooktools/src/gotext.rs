//! The few Go standard-library behaviours whose text reaches the charm: `%q` quoting,
//! `strconv.Atoi`/`ParseBool`, `filepath.Join` and `*os.PathError` messages.

use std::fmt::Write as _;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Go's `%q` of a string (`strconv.Quote` keeping printable Unicode as is).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
pub(crate) fn quote_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| quote(item)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `unicode.IsPrint`, close enough for argv: letters, marks, numbers, punctuation,
/// symbols and the ASCII space; not controls, other spaces or format characters.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e000}'..='\u{f8ff}' | '\u{fffe}' | '\u{ffff}')
}

/// Go's `strconv.Atoi` on a 64-bit platform.
pub(crate) fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Rust's parser takes the same sign and digits; it only differs on what Go rejects anyway.
    s.parse().ok()
}

/// Go's `strconv.Atoi` with its error text (`strconv.Atoi: parsing "x": invalid syntax`).
pub(crate) fn atoi_strict(s: &str) -> Result<i64, String> {
    atoi(s).ok_or_else(|| {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        let reason = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        format!("strconv.Atoi: parsing {}: {reason}", quote(s))
    })
}

/// Go's `strconv.ParseBool`, with its error text.
pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            quote(s)
        )),
    }
}

/// `juju/cmd` `Context.AbsPath`: absolute paths as given, others joined to the client's cwd
/// and cleaned lexically as Go's `filepath.Join` does.
pub(crate) fn abs_path(cwd: &Path, path: &str) -> PathBuf {
    if Path::new(path).is_absolute() {
        return PathBuf::from(path);
    }
    let mut clean = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !clean.pop() {
                    clean.push("/");
                }
            }
            other => clean.push(other.as_os_str()),
        }
    }
    clean
}

/// The text of Go's `*os.PathError`: `open /x: no such file or directory`.
pub(crate) fn path_error(op: &str, path: &Path, err: &io::Error) -> String {
    format!("{op} {}: {}", path.display(), errno_text(err))
}

/// Go's `syscall.Errno` strings for the errors a file open or create can meet.
fn errno_text(err: &io::Error) -> String {
    let known = match err.raw_os_error() {
        Some(1) => "operation not permitted",
        Some(2) => "no such file or directory",
        Some(13) => "permission denied",
        Some(17) => "file exists",
        Some(20) => "not a directory",
        Some(21) => "is a directory",
        Some(24) => "too many open files",
        Some(28) => "no space left on device",
        Some(30) => "read-only file system",
        Some(36) => "file name too long",
        Some(40) => "too many levels of symbolic links",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    // Rust appends " (os error N)" and capitalises; Go does neither.
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_like_go() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("tab\there\x01"), r#""tab\there\x01""#);
        assert_eq!(quote("héllo"), "\"héllo\"");
        assert_eq!(quote("nb\u{a0}sp"), r#""nb\u00a0sp""#);
        assert_eq!(quote_list(&["x", "y z"]), r#"["x" "y z"]"#);
    }

    #[test]
    fn atoi_takes_what_go_takes() {
        assert_eq!(atoi("7"), Some(7));
        assert_eq!(atoi("+7"), Some(7));
        assert_eq!(atoi("-7"), Some(-7));
        assert_eq!(atoi("007"), Some(7));
        assert_eq!(atoi(""), None);
        assert_eq!(atoi("1_0"), None);
        assert_eq!(atoi("x"), None);
        assert_eq!(atoi("99999999999999999999"), None);
    }

    #[test]
    fn abs_path_cleans_like_filepath_join() {
        let cwd = Path::new("/charm/dir");
        assert_eq!(
            abs_path(cwd, "out.json"),
            PathBuf::from("/charm/dir/out.json")
        );
        assert_eq!(abs_path(cwd, "../x/./y"), PathBuf::from("/charm/x/y"));
        assert_eq!(abs_path(cwd, "/tmp/a"), PathBuf::from("/tmp/a"));
    }
}
