//! A strict reading of INI text that another charm sent.

use std::fmt;

use crate::line::Line;
use crate::name::{Key, NameError, SectionName};
use crate::value::{check_oslo_text, ValueError};

/// Why INI text was refused: the line (counting from 1) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ParseError {
    pub line: usize,
    pub reason: String,
}

impl ParseError {
    fn new(line: usize, reason: impl fmt::Display) -> ParseError {
        ParseError {
            line,
            reason: reason.to_string(),
        }
    }
}

/// One section and its options in the order written. Values are kept as written (quotes
/// and `$` syntax included), checked to be copyable into an oslo.config file as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: SectionName,
    pub options: Vec<(Key, String)>,
}

impl Section {
    /// The value written for `key` (the last one, as oslo.config reads a repeated key).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v.as_str())
    }
}

/// INI text read strictly: every line blank, a comment, a section header with a valid
/// [`SectionName`], or `key = value` inside a section with a valid [`Key`] and a value that
/// [`check_oslo_text`] accepts. Continuation lines are refused (nothing we read needs
/// multi-line values). A section written twice is one section, as oslo.config reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub sections: Vec<Section>,
}

impl Document {
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        let mut document = Document::default();
        let mut current: Option<usize> = None;
        // Lines as Python's universal newlines split them: `\r\n`, `\r` and `\n`.
        let lines = text.lines().flat_map(|l| l.split('\r'));
        for (index, raw) in lines.enumerate() {
            let number = index + 1;
            match Line::classify(raw) {
                Line::Blank | Line::Comment => {}
                Line::Section(name) => {
                    let name = SectionName::new(name).map_err(|e| name_error(number, &e))?;
                    current = Some(document.section_index(name));
                }
                Line::Option { key, value } => {
                    let Some(section) = current else {
                        return Err(ParseError::new(number, "an option before any section"));
                    };
                    let key = Key::new(key).map_err(|e| name_error(number, &e))?;
                    check_oslo_text(value).map_err(|e| value_error(number, &key, e))?;
                    document.sections[section]
                        .options
                        .push((key, value.to_owned()));
                }
                Line::Continuation => {
                    return Err(ParseError::new(
                        number,
                        "a line starting with a blank (multi-line values are not accepted)",
                    ))
                }
                Line::Invalid(reason) => return Err(ParseError::new(number, reason)),
            }
            if !crate::is_line_safe(raw) {
                return Err(ParseError::new(
                    number,
                    "contains a control character (a tab, a form feed, ...)",
                ));
            }
        }
        Ok(document)
    }

    fn section_index(&mut self, name: SectionName) -> usize {
        match self.sections.iter().position(|s| s.name == name) {
            Some(index) => index,
            None => {
                self.sections.push(Section {
                    name,
                    options: Vec::new(),
                });
                self.sections.len() - 1
            }
        }
    }

    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name.as_str() == name)
    }

    /// The text again: each section's header, then one `key = value` line per option.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for (index, section) in self.sections.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            text.push_str(&format!("[{}]\n", section.name));
            for (key, value) in &section.options {
                text.push_str(&format!("{key} = {value}\n"));
            }
        }
        text
    }
}

fn name_error(line: usize, error: &NameError) -> ParseError {
    ParseError::new(line, error)
}

fn value_error(line: usize, key: &Key, error: ValueError) -> ParseError {
    ParseError::new(line, format_args!("the value of '{key}' {error}"))
}
