use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a charm could not be packed. Every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The charm's own files would be refused by Juju; every problem found is listed.
    #[error("charm {} is not valid:{}", charm.display(), ProblemList(problems))]
    Invalid {
        charm: PathBuf,
        problems: Vec<Problem>,
    },
    /// The charm binary is missing or cannot be shipped.
    #[error("charm binary {}: {reason}", path.display())]
    Binary { path: PathBuf, reason: String },
    /// The charm's `Cargo.toml` does not say which binary to ship.
    #[error("{}: {reason}", path.display())]
    CargoManifest { path: PathBuf, reason: String },
    /// The directory to assemble into already holds files.
    #[error("{}: destination is not empty; assembling needs an empty or absent directory", path.display())]
    DestinationNotEmpty { path: PathBuf },
    /// The zip archive could not be written or read.
    #[error("charm archive {}: {source}", path.display())]
    Zip {
        path: PathBuf,
        source: zip::result::ZipError,
    },
    /// An archive entry cannot be unpacked safely.
    #[error("charm archive {}: entry {entry:?}: {reason}", path.display())]
    UnsafeEntry {
        path: PathBuf,
        entry: String,
        reason: &'static str,
    },
}

impl PackError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(io::Error) -> PackError + '_ {
        move |source| PackError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn zip(path: &Path) -> impl FnOnce(zip::result::ZipError) -> PackError + '_ {
        move |source| PackError::Zip {
            path: path.to_owned(),
            source,
        }
    }
}

/// One thing wrong with one of the charm's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault.
    pub file: PathBuf,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in self.0 {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}
