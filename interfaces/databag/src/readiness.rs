use crate::{fields, Bag, FieldError, Host, Secret};

/// What one side has received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Readiness<T> {
    /// The peer has not published everything the interface needs yet; `missing` names the
    /// keys still awaited (or, where a key is present but does not yet concern us, that key).
    Incomplete { missing: Vec<String> },
    /// Everything needed is there and well-formed.
    Ready(T),
}

impl<T> Readiness<T> {
    /// Waiting for `keys`.
    pub fn waiting_for<K: Into<String>>(keys: impl IntoIterator<Item = K>) -> Self {
        Readiness::Incomplete {
            missing: keys.into_iter().map(Into::into).collect(),
        }
    }

    pub fn ready(self) -> Option<T> {
        match self {
            Readiness::Ready(value) => Some(value),
            Readiness::Incomplete { .. } => None,
        }
    }

    pub fn as_ready(&self) -> Option<&T> {
        match self {
            Readiness::Ready(value) => Some(value),
            Readiness::Incomplete { .. } => None,
        }
    }

    pub fn is_ready(&self) -> bool {
        matches!(self, Readiness::Ready(_))
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Readiness<U> {
        match self {
            Readiness::Ready(value) => Readiness::Ready(f(value)),
            Readiness::Incomplete { missing } => Readiness::Incomplete { missing },
        }
    }
}

/// Reads the required keys of one bag, remembering which are missing, so that a codec says
/// every missing key at once rather than the first.
///
/// Each reader returns `Ok(None)` for a missing key (and records it) and `Err` for a malformed
/// one; the codec then destructures its `Option`s with `let ... else` and answers
/// [`Required::incomplete`] when any is `None`.
#[derive(Debug)]
pub struct Required<'a> {
    bag: &'a Bag,
    missing: Vec<String>,
}

impl<'a> Required<'a> {
    pub fn new(bag: &'a Bag) -> Self {
        Required {
            bag,
            missing: Vec::new(),
        }
    }

    fn note<T>(&mut self, key: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.missing.push(key.to_owned());
        }
        value
    }

    pub fn text(&mut self, key: &str) -> Result<Option<String>, FieldError> {
        let value = fields::text(self.bag, key)?.map(str::to_owned);
        Ok(self.note(key, value))
    }

    pub fn secret(&mut self, key: &str) -> Result<Option<Secret>, FieldError> {
        let value = fields::text(self.bag, key)?.map(Secret::from);
        Ok(self.note(key, value))
    }

    pub fn port(&mut self, key: &str) -> Result<Option<u16>, FieldError> {
        let value = fields::port(self.bag, key)?;
        Ok(self.note(key, value))
    }

    pub fn host(&mut self, key: &str) -> Result<Option<Host>, FieldError> {
        let value = fields::host(self.bag, key)?;
        Ok(self.note(key, value))
    }

    /// Records `key` as missing although the bag has it: its value does not concern us yet
    /// (e.g. `allowed_units` without our unit).
    pub fn not_yet(&mut self, key: &str) {
        self.missing.push(key.to_owned());
    }

    /// The keys found missing so far.
    pub fn missing(&self) -> &[String] {
        &self.missing
    }

    pub fn incomplete<T>(self) -> Readiness<T> {
        Readiness::Incomplete {
            missing: self.missing,
        }
    }
}
