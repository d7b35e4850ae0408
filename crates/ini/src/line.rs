//! One line, as oslo.config's INI parser (`oslo_config/iniparser.py`) reads it.

/// What a line of an INI file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// Empty or blanks only: ends a multi-line value.
    Blank,
    /// Starts with `#` or `;`.
    Comment,
    /// `[name]`: the text between the brackets, as is.
    Section(&'a str),
    /// `key = value` or `key: value`, split at whichever of `=` and `:` comes first; both
    /// sides without their surrounding blanks (the value still quoted, as written).
    Option { key: &'a str, value: &'a str },
    /// Starts with a blank or a tab: more of the previous option's value.
    Continuation,
    /// Anything else; the reason is oslo.config's.
    Invalid(&'static str),
}

impl<'a> Line<'a> {
    /// Classifies `line` (without its line break). Trailing blanks are ignored, as oslo.config
    /// strips them; the other rules, in its order: a blank line, a continuation (leading blank
    /// or tab), a section header (must end with `]` and name something), a comment, an option.
    pub fn classify(line: &'a str) -> Line<'a> {
        let line = line.trim_end();
        if line.is_empty() {
            return Line::Blank;
        }
        if line.starts_with([' ', '\t']) {
            return Line::Continuation;
        }
        if let Some(rest) = line.strip_prefix('[') {
            return match rest.strip_suffix(']') {
                Some("") => Line::Invalid("empty section name"),
                Some(name) => Line::Section(name),
                None => Line::Invalid("a section header must end with ']'"),
            };
        }
        if line.starts_with(['#', ';']) {
            return Line::Comment;
        }
        let split = line.find(['=', ':']);
        match split {
            None => Line::Invalid("neither 'key = value' nor a section header"),
            Some(at) => {
                let key = line[..at].trim();
                if key.is_empty() {
                    Line::Invalid("empty option name")
                } else {
                    Line::Option {
                        key,
                        value: line[at + 1..].trim(),
                    }
                }
            }
        }
    }

    /// The kind of line, in words (for error messages).
    pub fn kind(&self) -> &'static str {
        match self {
            Line::Blank => "a blank line",
            Line::Comment => "a comment",
            Line::Section(_) => "a section header",
            Line::Option { .. } => "an option",
            Line::Continuation => "a continuation line",
            Line::Invalid(_) => "an invalid line",
        }
    }
}
