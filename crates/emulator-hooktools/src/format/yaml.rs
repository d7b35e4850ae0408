//! The YAML encoder Juju 3.6 links: `github.com/juju/yaml/v2` (its fork of go-yaml v2), whose
//! emitter is a port of libyaml's. Reproduced for the block-style documents Go marshals:
//!
//! * strings are requested plain unless plain text would read back as another type (`"true"`,
//!   `"1.5"`, `"2021-01-02"`, `""`, `"1:30"` are double-quoted), or literal (`|-`) when they
//!   hold a newline; the emitter then falls back to single or double quotes when the text
//!   cannot be written in the requested style;
//! * long plain and quoted scalars fold at spaces past column 80;
//! * maps are sorted the go-yaml way (runs of digits compare as numbers, letters after other
//!   characters); struct fields keep their order; sequences inside maps are not indented;
//! * numbers are Go `float64`s written with `strconv.FormatFloat(f, 'g', -1, 64)`.

use std::borrow::Cow;

use serde_json::Value;

use super::gofloat;
use super::Out;

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

/// `yaml.Marshal(value)`.
pub(super) fn marshal(value: &Out<'_>) -> String {
    let mut emitter = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
        indent: -1,
        indents: Vec::new(),
    };
    emitter.node(&Node::from_out(value), Place::Root);
    // Document end.
    emitter.write_indent();
    emitter.out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

#[derive(Debug)]
enum Node<'a> {
    Scalar(Cow<'a, str>, Style),
    Sequence(Vec<Node<'a>>),
    Mapping(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    fn from_out(value: &'a Out<'a>) -> Node<'a> {
        match value {
            Out::Nil => plain("null"),
            Out::Bool(b) => plain(if *b { "true" } else { "false" }),
            Out::Str(s) => string(Cow::Borrowed(s.as_ref())),
            Out::Strings(items) => Node::Sequence(
                items
                    .iter()
                    .map(|s| string(Cow::Borrowed(s.as_ref())))
                    .collect(),
            ),
            Out::Json(value) => Node::from_json(value),
            Out::List(items) => Node::Sequence(items.iter().map(Node::from_out).collect()),
            Out::Bag(bag) => sorted_mapping(
                bag.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), string(Cow::Borrowed(v)))),
            ),
            Out::Map(entries) => sorted_mapping(
                entries
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_ref()), Node::from_out(v))),
            ),
            Out::Struct(fields) => Node::Mapping(
                fields
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(*k), Node::from_out(v)))
                    .collect(),
            ),
        }
    }

    fn from_json(value: &'a Value) -> Node<'a> {
        match value {
            Value::Null => plain("null"),
            Value::Bool(b) => plain(if *b { "true" } else { "false" }),
            Value::Number(n) => Node::Scalar(
                Cow::Owned(gofloat::format_g(n.as_f64().unwrap_or(0.0))),
                Style::Plain,
            ),
            Value::String(s) => string(Cow::Borrowed(s)),
            Value::Array(items) => Node::Sequence(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => sorted_mapping(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from_json(v))),
            ),
        }
    }
}

fn plain(text: &'static str) -> Node<'static> {
    Node::Scalar(Cow::Borrowed(text), Style::Plain)
}

/// go-yaml's `stringv`: the style it asks the emitter for.
fn string(text: Cow<'_, str>) -> Node<'_> {
    let style = if text.contains('\n') {
        Style::Literal
    } else if reads_back_as_string(&text) && !is_base60_float(&text) {
        Style::Plain
    } else {
        Style::Double
    };
    Node::Scalar(text, style)
}

/// go-yaml sorts map keys with a comparison that is not always transitive (`a1b`, `a9`, `a10`),
/// starting from Go's random map order, so Juju itself prints such keys in no fixed order.
/// Insertion by binary search gives the one sorted order whenever there is one, and never
/// trips over the cases where there is none (as a standard sort may).
fn sorted_mapping<'a>(entries: impl Iterator<Item = (Cow<'a, str>, Node<'a>)>) -> Node<'a> {
    let mut sorted: Vec<(Cow<'a, str>, Node<'a>)> = Vec::new();
    for entry in entries {
        let at = sorted.partition_point(|existing| !less(&entry.0, &existing.0));
        sorted.insert(at, entry);
    }
    Node::Mapping(sorted)
}

/// Where a node sits, which changes how libyaml indents and quotes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    SequenceItem,
    MappingValue,
    SimpleKey,
    ComplexKey,
}

/// libyaml's emitter state for block-style output.
struct Emitter {
    out: String,
    /// Characters (not bytes) since the last line break.
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i32,
    indents: Vec<i32>,
}

impl Emitter {
    fn node(&mut self, node: &Node<'_>, place: Place) {
        let in_mapping = matches!(
            place,
            Place::MappingValue | Place::SimpleKey | Place::ComplexKey
        );
        match node {
            Node::Scalar(text, style) => self.scalar(text, *style, place == Place::SimpleKey),
            Node::Sequence(items) if items.is_empty() => self.empty_flow("[", "]"),
            Node::Mapping(entries) if entries.is_empty() => self.empty_flow("{", "}"),
            Node::Sequence(items) => {
                let indentless = in_mapping && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.indicator("-", true, false, true);
                    self.node(item, Place::SequenceItem);
                }
                self.pop_indent();
            }
            Node::Mapping(entries) => {
                self.increase_indent(false, false);
                for (key, value) in entries {
                    self.write_indent();
                    let key_node = string(Cow::Borrowed(key.as_ref()));
                    if !has_break(key) && key.len() <= 128 {
                        self.node(&key_node, Place::SimpleKey);
                        self.indicator(":", false, false, false);
                    } else {
                        self.indicator("?", true, false, true);
                        self.node(&key_node, Place::ComplexKey);
                        self.write_indent();
                        self.indicator(":", true, false, true);
                    }
                    self.node(value, Place::MappingValue);
                }
                self.pop_indent();
            }
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.indicator(close, false, false, false);
    }

    fn scalar(&mut self, text: &str, requested: Style, simple_key: bool) {
        let analysis = Analysis::of(text);
        let mut style = requested;
        if simple_key && analysis.multiline {
            style = Style::Double;
        }
        if style == Style::Plain
            && (!analysis.block_plain_allowed || (text.is_empty() && simple_key))
        {
            style = Style::Single;
        }
        if style == Style::Single && !analysis.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!analysis.block_allowed || simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.plain(text, allow_breaks),
            Style::Single => self.single_quoted(text, allow_breaks),
            Style::Double => self.double_quoted(text, allow_breaks),
            Style::Literal => self.literal(text),
        }
        self.pop_indent();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn indicator(
        &mut self,
        text: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(text);
        self.column += text.chars().count();
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn plain(&mut self, text: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                let next_is_space = chars.peek() == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == ' ' {
                let next_is_space = chars.peek().map(|&(_, n)| n) == Some(' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < text.len()
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.indicator("\"", true, false, false);
        // libyaml checks for a byte-order mark at the start of the value, not of each
        // character, so a leading BOM escapes everything.
        let bom = text.starts_with('\u{feff}');
        let mut spaces = false;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.escape(c);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < text.len()
                {
                    self.write_indent();
                    if chars.peek().map(|&(_, n)| n) == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn escape(&mut self, c: char) {
        self.put('\\');
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(short) = short {
            self.put(short);
            return;
        }
        let code = c as u32;
        let (letter, width) = match code {
            0..=0xff => ('x', 2),
            0x100..=0xffff => ('u', 4),
            _ => ('U', 8),
        };
        self.put(letter);
        for shift in (0..width).rev() {
            let digit = (code >> (shift * 4)) & 0xf;
            self.put(
                char::from_digit(digit, 16)
                    .unwrap_or('0')
                    .to_ascii_uppercase(),
            );
        }
    }

    fn literal(&mut self, text: &str) {
        self.indicator("|", true, false, false);
        let mut chars = text.chars();
        if chars.next().is_some_and(|c| c == ' ' || is_break(c)) {
            self.indicator("2", false, false, false);
        }
        let mut from_end = text.chars().rev();
        let chomp = match (from_end.next(), from_end.next()) {
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in text.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn has_break(text: &str) -> bool {
    text.chars().any(is_break)
}

/// libyaml's `is_printable` (by character rather than by UTF-8 byte).
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}')
        || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
}

/// libyaml's `yaml_emitter_analyze_scalar`: which styles can carry `text`.
#[derive(Debug)]
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

impl Analysis {
    fn of(text: &str) -> Analysis {
        if text.is_empty() {
            return Analysis {
                multiline: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let mut block_indicators = text.starts_with("---") || text.starts_with("...");
        let (mut leading_space, mut leading_break) = (false, false);
        let (mut trailing_space, mut trailing_break) = (false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut line_breaks, mut special_characters) = (false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut preceded_by_whitespace = true;
        let mut chars = text.chars().peekable();
        let mut first = true;
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            let last = next.is_none();
            let followed_by_whitespace = next.is_none_or(|n| n == ' ' || n == '\t');
            if first {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\''
                    | '"' | '%' | '@' | '`' => block_indicators = true,
                    '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                    _ => {}
                }
            } else {
                match c {
                    ':' if followed_by_whitespace => block_indicators = true,
                    '#' if preceded_by_whitespace => block_indicators = true,
                    _ => {}
                }
            }
            if !is_printable(c) {
                special_characters = true;
            }
            if c == ' ' {
                leading_space |= first;
                trailing_space |= last;
                break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                line_breaks = true;
                leading_break |= first;
                trailing_break |= last;
                space_break |= previous_space;
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = c == ' ' || c == '\t' || c == '\0' || is_break(c);
            first = false;
        }
        let mut analysis = Analysis {
            multiline: line_breaks,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            analysis.block_plain_allowed = false;
        }
        if trailing_space {
            analysis.block_allowed = false;
        }
        if break_space {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
        }
        if space_break || special_characters {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
            analysis.block_allowed = false;
        }
        if line_breaks || block_indicators {
            analysis.block_plain_allowed = false;
        }
        analysis
    }
}

/// go-yaml's `resolve` on an untagged plain scalar: false when the text would read back as
/// a bool, null, number or timestamp.
fn reads_back_as_string(text: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null",
        "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    let hint = match text.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return true,
    };
    if SPECIAL.contains(&text) {
        return false;
    }
    match hint {
        b'.' => go_parse_float(text).is_none(),
        b'D' | b'S' => {
            if is_timestamp(text) {
                return false;
            }
            let plain = text.replace('_', "");
            !(go_parse_int(&plain)
                || (yaml_style_float(&plain) && go_parse_float(&plain).is_some()))
        }
        _ => true,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeding.
fn go_parse_int(s: &str) -> bool {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &body[2..]),
        Some("0o") => (8, &body[2..]),
        Some("0b") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return false;
    }
    let Ok(magnitude) = u64::from_str_radix(digits, radix) else {
        return false;
    };
    if negative {
        magnitude <= 1 << 63
    } else if s.starts_with('+') {
        magnitude <= i64::MAX as u64
    } else {
        // Unsigned text up to u64::MAX is ParseUint's.
        true
    }
}

/// `^[-+]?(0|[1-9][0-9]*)?(\.[0-9]+)?([eE][-+][0-9]+)?$`
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    if b.get(i) == Some(&b'0') {
        i += 1;
    } else if matches!(b.get(i), Some(b'1'..=b'9')) {
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        if !matches!(b.get(i + 1), Some(b'-' | b'+')) {
            return false;
        }
        let start = i + 2;
        i = start;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text (the only kind these callers can see):
/// digits with single `_` between them, an optional point and exponent; overflow fails.
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |part: &str| {
        part.is_empty()
            || (part
                .split('_')
                .all(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_digit())))
    };
    if whole.is_empty() && fraction.is_empty() || !digits_ok(whole) || !digits_ok(fraction) {
        return None;
    }
    // Go rejects an underscore next to the point.
    if whole.ends_with('_') || fraction.starts_with('_') {
        return None;
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !digits_ok(digits) {
            return None;
        }
    }
    let value: f64 = s.replace('_', "").parse().ok()?;
    value.is_finite().then_some(value)
}

/// go-yaml's `parseTimestamp`: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00` (or with `t`),
/// `2006-1-2 15:4:5.999999999`, with Go's range checks.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut cursor = Cursor { bytes: b, at: 5 };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = cursor.number() else {
        return false;
    };
    if !cursor.eat(b'-') {
        return false;
    }
    let Some(day) = cursor.number() else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return false;
    }
    if cursor.done() {
        return true;
    }
    let zoned = match b[cursor.at] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    cursor.at += 1;
    let Some(hour) = cursor.number() else {
        return false;
    };
    if !cursor.eat(b':') {
        return false;
    }
    let Some(minute) = cursor.number() else {
        return false;
    };
    if !cursor.eat(b':') {
        return false;
    }
    let Some(second) = cursor.number() else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    if matches!(b.get(cursor.at), Some(b'.' | b','))
        && b.get(cursor.at + 1).is_some_and(u8::is_ascii_digit)
    {
        cursor.at += 1;
        while b.get(cursor.at).is_some_and(u8::is_ascii_digit) {
            cursor.at += 1;
        }
    }
    if !zoned {
        return cursor.done();
    }
    match b.get(cursor.at) {
        Some(b'Z') => cursor.at + 1 == b.len(),
        Some(b'+' | b'-') => {
            let zone = &b[cursor.at + 1..];
            zone.len() == 5
                && zone[2] == b':'
                && zone[..2].iter().chain(&zone[3..]).all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// One or two digits, as Go's `getnum(value, false)`.
    fn number(&mut self) -> Option<u32> {
        let first = *self.bytes.get(self.at).filter(|b| b.is_ascii_digit())?;
        self.at += 1;
        let mut value = u32::from(first - b'0');
        if let Some(&second) = self.bytes.get(self.at).filter(|b| b.is_ascii_digit()) {
            self.at += 1;
            value = value * 10 + u32::from(second - b'0');
        }
        Some(value)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(hit);
        hit
    }

    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// YAML 1.1 base-60 floats (`1:30`), which go-yaml quotes for other parsers' sake.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if !matches!(b.first(), Some(b'+' | b'-' | b'0'..=b'9')) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(matches!(b[0], b'+' | b'-'));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i - start < 2 && b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if (b'0'..=b'5').contains(&b[start]) => {}
            // Two digits starting above 5 match as `[0-5]?` empty plus one digit, leaving one.
            2 => i -= 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's `keyList.Less` for string keys: letters sort after other characters, and runs
/// of digits compare by value.
fn less(a: &str, b: &str) -> bool {
    let mut a_chars = a.char_indices();
    let mut b_chars = b.char_indices();
    loop {
        let (at, ca, cb) = match (a_chars.next(), b_chars.next()) {
            (Some((at, ca)), Some((_, cb))) => (at, ca, cb),
            // Equal so far: the shorter sorts first.
            (None, Some(_)) => return true,
            (_, None) => return false,
        };
        if ca == cb {
            continue;
        }
        let (a_letter, b_letter) = (ca.is_alphabetic(), cb.is_alphabetic());
        if a_letter && b_letter {
            return ca < cb;
        }
        if a_letter || b_letter {
            return b_letter;
        }
        // go-yaml seeds both numbers with 1 when a zero continues a non-zero run.
        let mut seed = 0;
        if ca == '0' || cb == '0' {
            for c in a[..at].chars().rev() {
                if !c.is_ascii_digit() {
                    break;
                }
                if c != '0' {
                    seed = 1;
                    break;
                }
            }
        }
        let (a_number, a_digits) = digit_run(seed, &a[at..]);
        let b_at = b.len() - (b_chars.as_str().len() + cb.len_utf8());
        let (b_number, b_digits) = digit_run(seed, &b[b_at..]);
        if a_number != b_number {
            return a_number < b_number;
        }
        if a_digits != b_digits {
            return a_digits < b_digits;
        }
        return ca < cb;
    }
}

/// The value (wrapping, as Go's int64 does) and length of the digits starting `text`.
fn digit_run(seed: i64, text: &str) -> (i64, usize) {
    let mut value = seed;
    let mut count = 0;
    for c in text.chars().take_while(char::is_ascii_digit) {
        value = value
            .wrapping_mul(10)
            .wrapping_add(i64::from(c as u8 - b'0'));
        count += 1;
    }
    (value, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_read_back_as_other_types_are_quoted() {
        for text in [
            "",
            "true",
            "False",
            "yes",
            "n",
            "ON",
            "~",
            "null",
            "1",
            "-1",
            "+1",
            "0x1f",
            "0o17",
            "0b101",
            "0755",
            "1.5",
            "-1.5e+3",
            "1_000",
            ".5",
            ".inf",
            "-.Inf",
            "2021-01-02",
            "2021-1-2T3:4:5Z",
            "2021-01-02 10:20:30.5",
            "1:30",
            "-1:30:00.5",
            "99999999999999999999",
        ] {
            assert!(
                !reads_back_as_string(text) || is_base60_float(text),
                "{text:?} stays plain"
            );
        }
        for text in [
            "hello",
            "0.0.0.0",
            "10.0.0.5",
            "1e5",
            "1.",
            "09",
            "0x",
            "+",
            "-",
            "v1",
            "2021-13-01",
            "2021-02-30",
            "2021-01-02T10:20:30",
            "1:60",
            "1:3a",
            "Yes please",
            "nope",
            "tru",
            ".5.5",
            "1e+400",
        ] {
            assert!(
                reads_back_as_string(text) && !is_base60_float(text),
                "{text:?} gets quoted"
            );
        }
    }

    fn sorted(keys: &[&'static str]) -> Vec<&'static str> {
        let entries = keys.iter().map(|k| (Cow::Borrowed(*k), plain("v")));
        let Node::Mapping(sorted) = sorted_mapping(entries) else {
            return Vec::new();
        };
        sorted
            .into_iter()
            .map(|(k, _)| match k {
                Cow::Borrowed(k) => k,
                Cow::Owned(_) => "",
            })
            .collect()
    }

    #[test]
    fn keys_sort_the_go_yaml_way() {
        assert_eq!(
            sorted(&["b", "a10", "a9", "A", "_x", "a", "1", "a2b"]),
            ["_x", "1", "A", "a", "a2b", "a9", "a10", "b"]
        );
        assert_eq!(sorted(&["x01", "x1", "x001"]), ["x1", "x01", "x001"]);
        assert_eq!(
            sorted(&["v10", "v100", "v9", "v-1"]),
            ["v-1", "v9", "v10", "v100"]
        );
    }

    #[test]
    fn keys_without_a_go_yaml_order_still_sort_without_panicking() {
        // a1b < a9 < a10 < a1b: Juju prints these in map order, which is random.
        assert_eq!(sorted(&["a1b", "a9", "a10"]).len(), 3);
    }
}
