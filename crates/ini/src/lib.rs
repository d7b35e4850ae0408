//! INI files as OpenStack's Python services read them: what may be written into one, and how
//! to read one a related charm sent.
//!
//! Manila reads `manila.conf` with oslo.config's own INI parser; `logging.conf` and
//! paste.deploy's `api-paste.ini` go through Python's `configparser`. Both are line-based: a
//! line break inside a value starts a new line, which may open a section or set a key, and
//! each has its own substitution syntax (`$name` in oslo.config, `%(name)s` in configparser).
//! This crate is what stands between an untrusted string and such a file:
//!
//! - [`Dialect::escape`]: the text to write after `key = ` so that the service reads back
//!   exactly the given value, or a [`ValueError`] when no such text exists (a line break or
//!   another control character, oslo.config's unrepresentable `\$`, blanks at the ends for
//!   configparser). The charm runtime applies it to every value a template interpolates.
//! - [`SectionName`] and [`Key`]: names that come over the wire, held to a grammar
//!   (`[A-Za-z0-9_.-]+`) so that they can neither break a line nor look like something else.
//! - [`Line::classify`]: one line as oslo.config's parser sees it (section header, option,
//!   comment, continuation, blank, or invalid), which the runtime uses to check that a
//!   rendered file has the structure its template declares.
//! - [`Document::parse`]: a strict reading of INI text a related charm sent (a back end's
//!   `manila.conf` sections): sections with named options, one line each, or an error saying
//!   which line is wrong; [`Document::render`] writes it back.
//! - [`check_oslo_text`]: whether text already in oslo.config's syntax (a `$` only as `$$`,
//!   `\$` or a reference such as `$state_path`) can be copied into a file verbatim.
//!
//! ```
//! use ini::{Dialect, Line};
//! let written = Dialect::Oslo.escape("pa$$word ")?;
//! assert_eq!(written, "\"pa$$$$word \"");
//! let line = format!("password = {written}");
//! assert!(matches!(Line::classify(&line), Line::Option { key: "password", .. }));
//! assert!(Dialect::Oslo.escape("x\n[DEFAULT]\ndebug = True").is_err());
//! # Ok::<(), ini::ValueError>(())
//! ```

mod document;
mod line;
mod name;
mod value;

pub use document::{Document, ParseError, Section};
pub use line::Line;
pub use name::{Key, NameError, SectionName, MAX_NAME};
pub use value::{check_oslo_text, is_line_safe, Dialect, ValueError};

#[cfg(test)]
mod tests;
