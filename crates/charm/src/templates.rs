//! Tera templates compiled into the charm binary, looked up per release with fall-back, and
//! rendered so that no value can change a file's structure.
//!
//! A charm's templates live in the top-level `templates/<charm>/` directory and are embedded
//! with [`embed_templates!`](crate::embed_templates), each with the [`Format`] of the file it
//! makes (one `include_str!` per file, so cargo rebuilds when one changes; a test from
//! [`crate::testing`] keeps the list equal to the directory). A template is named by its
//! path below that directory: `greeter.conf` at the root, `bravo/greeter.conf` in a release
//! directory.
//!
//! [`Templates::resolve`] takes the release directories to search, newest first, and falls
//! back to the root: a charm at release `charlie` searching `["charlie", "bravo", "alpha"]`
//! uses `charlie/x` if present, else `bravo/x`, else `alpha/x`, else `x`. The caller decides
//! the order (OpenStack's release order is not alphabetical).
//!
//! # Values cannot break a file
//!
//! Template contexts carry what config, relations and actions said, so [`Templates::render`]
//! treats every string in a context as hostile, whatever its Rust type:
//!
//! 1. Every string in the context must be writable in the file's [`Format`] (no line break or
//!    other control character anywhere; what else the format cannot hold): otherwise
//!    [`TemplateError::UnsafeValue`] names the context field (never the value).
//! 2. Every `{{ value }}` is escaped for the format (oslo.config's `$$`, configparser's `%%`,
//!    haproxy's backslashes); `| safe` opts out, for text a caller checked to be in the file's
//!    syntax already.
//! 3. The template is rendered a second time with every non-empty string of the context
//!    replaced by a placeholder word, and the two results must have the same structure: the
//!    same lines, each of the same kind (section header, option, comment, ... for INI; the
//!    same number of words for directive files), with the same section and option names
//!    except where the template takes a name from the context, which must then be a valid
//!    name ([`ini::SectionName`], [`ini::Key`]). So a value can fill in a line, never add
//!    one, turn an option into a section header, or split one word into two.
//!    [`TemplateError::Structure`] says which line differs.
//!
//! Templates may test whether a value is there (`{% if x %}`) and loop over lists, but never
//! compare a string's content: the second rendering would take another branch.

use std::cell::OnceCell;
use std::fmt;

use ini::{Dialect, Key, Line, SectionName};
use serde::Serialize;
use serde_json::Value;
use tera::Tera;

/// Embeds template files from a directory relative to the calling crate's `Cargo.toml`, each
/// with the [`Format`] of the file it makes:
///
/// ```
/// // In charms/example: ("../../templates/example", ["greeter.conf" => OsloIni, ...]).
/// const TEMPLATES: &[charm::Template] = charm::embed_templates!(
///     "tests/fixtures/templates",
///     ["demo.conf" => OsloIni, "bravo/demo.conf" => OsloIni]
/// );
/// let templates = charm::Templates::new(TEMPLATES);
/// assert_eq!(templates.resolve("demo.conf", &["charlie", "bravo"])?.name, "bravo/demo.conf");
/// # Ok::<(), charm::TemplateError>(())
/// ```
#[macro_export]
macro_rules! embed_templates {
    ($dir:literal, [$($file:literal => $format:ident),* $(,)?]) => {
        &[$($crate::Template {
            name: $file,
            text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir, "/", $file)),
            format: $crate::Format::$format,
        }),*]
    };
}

/// How the service reads a file, which decides how values are escaped and what structure is
/// checked (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// INI read by oslo.config (`manila.conf`): `$` doubled, values quoted where oslo.config
    /// would strip blanks or quotes; a value holding `\$` is refused.
    OsloIni,
    /// INI read by Python's configparser (`logging.conf`, paste.deploy's `api-paste.ini`):
    /// `%` doubled; a value with blanks at its ends is refused.
    PythonIni,
    /// haproxy's configuration: words separated by blanks, `#` starting a comment; blanks,
    /// `#`, quotes and backslashes in values are backslash-escaped.
    Haproxy,
    /// Lines of blank-separated words with `#` comment lines (Apache, memcached's options):
    /// nothing is escaped, and a value with a blank is refused.
    Directives,
}

impl Format {
    /// Why `value` cannot be written into a file of this format, if it cannot.
    fn refuse(self, value: &str) -> Option<String> {
        let dialect_error = |dialect: Dialect| dialect.escape(value).err().map(|e| e.to_string());
        match self {
            Format::OsloIni => dialect_error(Dialect::Oslo),
            Format::PythonIni => dialect_error(Dialect::Python),
            Format::Haproxy => {
                (!ini::is_line_safe(value)).then(|| ini::ValueError::ControlCharacter.to_string())
            }
            Format::Directives => {
                if !ini::is_line_safe(value) {
                    Some(ini::ValueError::ControlCharacter.to_string())
                } else if value.chars().any(char::is_whitespace) {
                    Some("contains a blank, which would split a directive's word".to_owned())
                } else {
                    None
                }
            }
        }
    }

    fn escape_fn(self) -> fn(&str) -> String {
        match self {
            Format::OsloIni => escape_oslo,
            Format::PythonIni => escape_python,
            Format::Haproxy => escape_haproxy,
            Format::Directives => escape_nothing,
        }
    }
}

/// The escape functions cannot fail; a value they cannot write (which the check of the
/// context should have refused) becomes a NUL, which the check of the output refuses.
const UNWRITABLE: &str = "\0";

fn escape_oslo(value: &str) -> String {
    Dialect::Oslo
        .escape(value)
        .unwrap_or_else(|_| UNWRITABLE.to_owned())
}

fn escape_python(value: &str) -> String {
    Dialect::Python
        .escape(value)
        .unwrap_or_else(|_| UNWRITABLE.to_owned())
}

/// haproxy's backslash escapes (configuration manual, "Quoting and escaping").
fn escape_haproxy(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ' ' | '#' | '\\' | '\'' | '"') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn escape_nothing(value: &str) -> String {
    value.to_owned()
}

/// One embedded template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// Its path below the charm's template directory.
    pub name: &'static str,
    pub text: &'static str,
    pub format: Format,
}

/// A template that cannot be found, parsed or rendered, or whose output would not be what it
/// declares; each names the template, none repeats a value.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no template '{name}' (looked for {})", searched.join(", "))]
    NotFound { name: String, searched: Vec<String> },
    #[error("the charm's templates do not parse")]
    Parse(#[source] tera::Error),
    #[error("cannot render template '{template}'")]
    Render {
        template: String,
        #[source]
        source: tera::Error,
    },
    /// A value in the context cannot be written into this kind of file. The charm should
    /// have refused it where it read it (naming the option or relation key).
    #[error("template '{template}': the value of '{field}' {reason}")]
    UnsafeValue {
        template: String,
        /// The context path, e.g. `keystone.password`.
        field: String,
        reason: String,
    },
    /// The rendered file's structure differs from what the template declares.
    #[error("template '{template}', line {line}: {reason}")]
    Structure {
        template: String,
        line: usize,
        reason: String,
    },
}

/// The charm's embedded templates; each parsed the first time it is rendered (a hook parses
/// only what it renders).
pub struct Templates {
    files: &'static [Template],
    /// One Tera per template, escaping for the template's format; filled on first use.
    parsed: Vec<OnceCell<Tera>>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.files.iter().map(|t| t.name))
            .finish()
    }
}

impl Templates {
    /// `files` as [`embed_templates!`](crate::embed_templates) makes them.
    pub fn new(files: &'static [Template]) -> Self {
        Templates {
            files,
            parsed: files.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.files.iter().map(|t| t.name)
    }

    /// The template to use for `name`: the first of `<dir>/<name>` for each directory in
    /// `search`, then `<name>`.
    pub fn resolve(&self, name: &str, search: &[&str]) -> Result<&'static Template, TemplateError> {
        self.find(name, search).map(|index| &self.files[index])
    }

    /// The index of the template [`Templates::resolve`] picks.
    fn find(&self, name: &str, search: &[&str]) -> Result<usize, TemplateError> {
        let candidates: Vec<String> = search
            .iter()
            .map(|dir| format!("{dir}/{name}"))
            .chain([name.to_owned()])
            .collect();
        candidates
            .iter()
            .find_map(|c| self.files.iter().position(|t| t.name == c))
            .ok_or_else(|| TemplateError::NotFound {
                name: name.to_owned(),
                searched: candidates,
            })
    }

    /// Renders the template `resolve(name, search)` picks with `context`, checked as the
    /// [module docs](self) say. Pure: no file is touched.
    pub fn render(
        &self,
        name: &str,
        search: &[&str],
        context: &impl Serialize,
    ) -> Result<String, TemplateError> {
        let index = self.find(name, search)?;
        let template = &self.files[index];
        let render_error = |source| TemplateError::Render {
            template: template.name.to_owned(),
            source,
        };
        let value =
            serde_json::to_value(context).map_err(|e| render_error(tera::Error::json(e)))?;
        check_context(template, &value, &mut String::new())?;
        let tera = self.parse(index)?;
        let render = |value: &Value| {
            let context = tera::Context::from_value(value.clone()).map_err(render_error)?;
            tera.render(template.name, &context).map_err(render_error)
        };
        let rendered = render(&value)?;
        let mut canary = value;
        let mut originals = Vec::new();
        placeholders(&mut canary, &mut originals);
        let expected = render(&canary)?;
        check_structure(template, &rendered, &expected, &originals)?;
        Ok(rendered)
    }

    /// Parses every template now (rendering does it on first use); for the charm's tests.
    pub fn check(&self) -> Result<(), TemplateError> {
        (0..self.files.len()).try_for_each(|index| self.parse(index).map(drop))
    }

    /// The Tera holding template `index`, parsed now if not yet.
    fn parse(&self, index: usize) -> Result<&Tera, TemplateError> {
        let template = &self.files[index];
        if let Some(tera) = self.parsed[index].get() {
            return Ok(tera);
        }
        let mut tera = Tera::default();
        // The template is escaped with its format's function, whatever its name.
        tera.autoescape_on(vec![""]);
        tera.set_escape_fn(template.format.escape_fn());
        tera.add_raw_template(template.name, template.text)
            .map_err(TemplateError::Parse)?;
        Ok(self.parsed[index].get_or_init(|| tera))
    }
}

/// Refuses a context with a string the template's format cannot hold; `path` is the field
/// being walked (`keystone.password`, `backends[0].name`).
fn check_context(
    template: &Template,
    value: &Value,
    path: &mut String,
) -> Result<(), TemplateError> {
    match value {
        Value::String(text) => match template.format.refuse(text) {
            Some(reason) => Err(TemplateError::UnsafeValue {
                template: template.name.to_owned(),
                field: path.clone(),
                reason,
            }),
            None => Ok(()),
        },
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check_context(template, item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                check_context(template, field, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// The word every placeholder contains; lower case and letters only, so that it survives the
/// escape functions and is recognised after `| upper`.
const PLACEHOLDER: &str = "zzvalue";

/// Replaces every non-empty string with a distinct placeholder word (`zzvalue0zz`, ...),
/// keeping the string it replaced at the placeholder's number in `originals`; empty strings
/// stay empty so that `{% if %}` takes the same branch.
fn placeholders(value: &mut Value, originals: &mut Vec<String>) {
    match value {
        Value::String(text) if !text.is_empty() => {
            let placeholder = format!("{PLACEHOLDER}{}zz", originals.len());
            originals.push(std::mem::replace(text, placeholder));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| placeholders(v, originals)),
        Value::Object(fields) => fields.values_mut().for_each(|v| placeholders(v, originals)),
        _ => {}
    }
}

/// The string a placeholder that stands alone (`zzvalue3zz`) replaced.
fn original<'o>(placeholder: &str, originals: &'o [String]) -> Option<&'o str> {
    let number = placeholder.strip_prefix(PLACEHOLDER)?.strip_suffix("zz")?;
    originals
        .get(number.parse::<usize>().ok()?)
        .map(String::as_str)
}

fn is_placeholder(text: &str) -> bool {
    text.to_ascii_lowercase().contains(PLACEHOLDER)
}

/// Compares the rendered file with the placeholder rendering, line by line.
fn check_structure(
    template: &Template,
    rendered: &str,
    expected: &str,
    originals: &[String],
) -> Result<(), TemplateError> {
    let error = |line: usize, reason: String| TemplateError::Structure {
        template: template.name.to_owned(),
        line,
        reason,
    };
    if let Some(index) = rendered.lines().position(|l| !ini::is_line_safe(l)) {
        return Err(error(
            index + 1,
            "a value left a control character in the file".to_owned(),
        ));
    }
    let got: Vec<&str> = rendered.split('\n').collect();
    let want: Vec<&str> = expected.split('\n').collect();
    if got.len() != want.len() {
        let first = got
            .iter()
            .zip(&want)
            .position(|(g, w)| kind_of(template.format, g) != kind_of(template.format, w))
            .unwrap_or(got.len().min(want.len()));
        return Err(error(
            first + 1,
            format!(
                "the file has {} lines where the template makes {}",
                got.len(),
                want.len()
            ),
        ));
    }
    for (index, (got, want)) in got.iter().zip(&want).enumerate() {
        if let Err(reason) = same_structure(template.format, got, want, originals) {
            return Err(error(index + 1, reason));
        }
    }
    Ok(())
}

/// A name from the rendered file where the template has `want`: the same; or, where the
/// template took it from the context, valid as `parse` says and, when the whole name is one
/// value, that value as the format writes it (so that it was not cut short at a `=`).
fn same_name<E: fmt::Display>(
    format: Format,
    (got, want): (&str, &str),
    originals: &[String],
    what: &str,
    parse: impl Fn(&str) -> Result<(), E>,
) -> Result<(), String> {
    if is_placeholder(want) {
        parse(got).map_err(|e| e.to_string())?;
        match original(want, originals) {
            Some(given) if (format.escape_fn())(given) != got => Err(format!(
                "{what} {got:?} where the template writes a value of its context"
            )),
            _ => Ok(()),
        }
    } else if got == want {
        Ok(())
    } else {
        Err(format!("{what} {got:?} where the template has {want:?}"))
    }
}

fn kind_of(format: Format, line: &str) -> String {
    match format {
        Format::OsloIni | Format::PythonIni => Line::classify(line).kind().to_owned(),
        Format::Haproxy | Format::Directives => format!("{} words", words(format, line).len()),
    }
}

fn same_structure(
    format: Format,
    got: &str,
    want: &str,
    originals: &[String],
) -> Result<(), String> {
    match format {
        Format::OsloIni | Format::PythonIni => match (Line::classify(got), Line::classify(want)) {
            (Line::Section(got), Line::Section(want)) => {
                same_name(format, (got, want), originals, "section", |n| {
                    SectionName::new(n).map(drop)
                })
            }
            (Line::Option { key: got, .. }, Line::Option { key: want, .. }) => {
                same_name(format, (got, want), originals, "option", |n| {
                    Key::new(n).map(drop)
                })
            }
            (got, want) if got.kind() == want.kind() => Ok(()),
            (got, want) => Err(format!(
                "{} where the template makes {}",
                got.kind(),
                want.kind()
            )),
        },
        Format::Haproxy | Format::Directives => {
            let (got, want) = (words(format, got), words(format, want));
            if got.len() != want.len() {
                return Err(format!(
                    "{} words where the template makes {}",
                    got.len(),
                    want.len()
                ));
            }
            match (got.first(), want.first()) {
                (Some(got), Some(want)) => {
                    same_name(format, (got, want), originals, "directive", |n| {
                        Key::new(n).map(drop)
                    })
                }
                _ => Ok(()),
            }
        }
    }
}

/// The words of a line: split at unescaped blanks, up to a comment. haproxy's lines honour
/// backslash escapes and quotes and end at an unescaped `#`; directive lines are comments
/// only when they start with `#`.
fn words(format: Format, line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.trim_start().chars();
    if format == Format::Directives && line.trim_start().starts_with('#') {
        return words;
    }
    while let Some(c) = chars.next() {
        match (format, c, quote) {
            (Format::Haproxy, '\\', _) => {
                word.push(c);
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (Format::Haproxy, '"' | '\'', None) => {
                quote = Some(c);
                word.push(c);
                in_word = true;
            }
            (Format::Haproxy, _, Some(open)) if c == open => {
                quote = None;
                word.push(c);
            }
            (Format::Haproxy, '#', None) => break,
            (_, c, None) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests;
