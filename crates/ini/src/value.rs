//! Values: what text to write so that a service reads back a given string.

use std::fmt;

/// Why a string cannot be written as a value.
///
/// The messages never repeat the value: it may be a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A line break, a tab or another control character: it would end the line (or be read
    /// as something else than itself).
    #[error("contains a line break or another control character")]
    ControlCharacter,
    /// oslo.config reads `\$` as a literal `$` before it substitutes, so a value holding a
    /// backslash followed by `$` cannot be written at all.
    #[error("contains '\\$', which oslo.config cannot read back")]
    BackslashDollar,
    /// configparser strips the blanks around a value and has no quoting.
    #[error("starts or ends with a blank, which configparser strips")]
    BlankEnds,
    /// A `$` in text meant to be copied verbatim that is neither `$$`, `\$`, nor a
    /// reference to another option (`$state_path`, `${state_path}`).
    #[error("has a '$' that is neither '$$' nor a reference such as '$state_path'")]
    StrayDollar,
}

/// The INI syntax a file is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// oslo.config (`manila.conf`): the value after `=` is stripped and one pair of matching
    /// quotes around it removed; then `\$` becomes `$$`, `$$` a literal `$`, and `$name` or
    /// `${name}` the value of option `name`.
    Oslo,
    /// Python's `configparser` with its default interpolation (`logging.conf`, paste.deploy's
    /// `api-paste.ini`): the value is stripped, `%%` is a literal `%` and `%(name)s`
    /// substitutes.
    Python,
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Oslo => "oslo.config",
            Dialect::Python => "configparser",
        })
    }
}

/// Whether `c` ends a line or is otherwise not itself in a one-line value: every control
/// character (C0, DEL, C1, which includes U+0085), and the Unicode line and paragraph
/// separators.
fn breaks_a_line(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Whether `text` can stand on one line of a file as itself: no line break, tab or other
/// control character.
pub fn is_line_safe(text: &str) -> bool {
    !text.chars().any(breaks_a_line)
}

impl Dialect {
    /// The text to write after `key = ` so that the service reads back exactly `value`.
    ///
    /// - oslo.config: every `$` is doubled; a value with a blank at either end, or that
    ///   starts and ends with the same quote character, is wrapped in double quotes (oslo.config
    ///   strips both, once). A value containing `\$` is refused: oslo.config turns it into
    ///   `$$` before anything else, so no text reads back as a backslash followed by `$`.
    /// - configparser: every `%` is doubled; blanks at either end are refused.
    ///
    /// Line breaks and other control characters are refused in both.
    pub fn escape(self, value: &str) -> Result<String, ValueError> {
        if !is_line_safe(value) {
            return Err(ValueError::ControlCharacter);
        }
        match self {
            Dialect::Oslo => {
                if value.contains("\\$") {
                    return Err(ValueError::BackslashDollar);
                }
                let escaped = value.replace('$', "$$");
                if needs_oslo_quotes(&escaped) {
                    Ok(format!("\"{escaped}\""))
                } else {
                    Ok(escaped)
                }
            }
            Dialect::Python => {
                if value.trim() != value {
                    return Err(ValueError::BlankEnds);
                }
                Ok(value.replace('%', "%%"))
            }
        }
    }
}

/// Whether oslo.config would change `text` when reading it as a value: strip blanks, or
/// remove a pair of quotes (`value[0] == value[-1]` and a quote character, which holds for a
/// lone quote too).
fn needs_oslo_quotes(text: &str) -> bool {
    let quoted = match (text.chars().next(), text.chars().last()) {
        (Some(first), Some(last)) => first == last && (first == '"' || first == '\''),
        _ => false,
    };
    quoted || text.trim() != text
}

/// Checks text that is already in oslo.config's syntax, to be copied into a file as it is
/// (the `manila.conf` sections a back end sends): it fits on one line, and every `$` is `$$`
/// or a reference to another option (`$name`, `${name}`, where a name may hold dots for
/// `group.option`). oslo.config's other spelling of a literal `$`, `\$`, is refused as
/// [`Dialect::escape`] refuses it: the text must also be writable by the charm's renderer,
/// which checks every value it is given.
pub fn check_oslo_text(text: &str) -> Result<(), ValueError> {
    if !is_line_safe(text) {
        return Err(ValueError::ControlCharacter);
    }
    if text.contains("\\$") {
        return Err(ValueError::BackslashDollar);
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let rest = &text[i + 1..];
        let consumed = if rest.starts_with('$') {
            1
        } else if let Some(inner) = rest.strip_prefix('{') {
            match inner.find('}') {
                Some(end) if is_reference(&inner[..end]) => end + 2,
                _ => return Err(ValueError::StrayDollar),
            }
        } else {
            let name_len = rest
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.'))
                .map_or(rest.len(), |(at, _)| at);
            if !is_reference(&rest[..name_len]) {
                return Err(ValueError::StrayDollar);
            }
            name_len
        };
        i += 1 + consumed;
    }
    Ok(())
}

/// oslo.config's reference pattern, `[_a-z][._a-z0-9]*` ignoring case.
fn is_reference(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}
