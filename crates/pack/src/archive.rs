//! The `.charm` zip: written reproducibly, and unpacked keeping the mode bits Juju relies on.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::error::PackError;
use crate::source::{prepare_empty_dir, Contents, Data, EntryKind};

/// flate2's default level: level 9 costs about twice the time for a few percent on a binary.
const DEFLATE_LEVEL: i64 = 6;

const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;

pub(crate) fn write(contents: &Contents, dest: &Path) -> Result<(), PackError> {
    // Written beside the destination and renamed into place, so a failed or interrupted pack
    // never leaves a truncated archive under the real name.
    let partial = partial_path(dest);
    match write_to(contents, &partial) {
        Ok(()) => fs::rename(&partial, dest).map_err(PackError::io(dest)),
        Err(err) => {
            // Best effort: the error that matters is the one being returned.
            let _ = fs::remove_file(&partial);
            Err(err)
        }
    }
}

fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    dest.with_file_name(name)
}

fn write_to(contents: &Contents, path: &Path) -> Result<(), PackError> {
    let file = fs::File::create(path).map_err(PackError::io(path))?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    // Everything that could vary between two packs of the same input is fixed: entry order
    // (sorted by `Contents`), timestamps (the zip epoch, 1980-01-01) and modes.
    let options = SimpleFileOptions::default().last_modified_time(DateTime::default());
    for entry in &contents.entries {
        match &entry.kind {
            EntryKind::Dir => zip
                .add_directory(
                    format!("{}/", entry.path),
                    options
                        .compression_method(CompressionMethod::Stored)
                        .unix_permissions(entry.mode()),
                )
                .map_err(PackError::zip(path))?,
            EntryKind::File { mode, data } => {
                zip.start_file(
                    entry.path.as_str(),
                    options
                        .compression_method(CompressionMethod::Deflated)
                        .compression_level(Some(DEFLATE_LEVEL))
                        .unix_permissions(*mode),
                )
                .map_err(PackError::zip(path))?;
                match data {
                    Data::CopyOf(from) => {
                        let mut input = fs::File::open(from).map_err(PackError::io(from))?;
                        io::copy(&mut input, &mut zip).map_err(PackError::io(from))?;
                    }
                    Data::Generated(bytes) => {
                        zip.write_all(bytes).map_err(PackError::io(path))?;
                    }
                }
            }
        }
    }
    let mut out = zip.finish().map_err(PackError::zip(path))?;
    out.flush().map_err(PackError::io(path))
}

/// Unpacks a `.charm` into `dest` (absent or empty), giving each file the permission bits
/// stored in the archive, as Juju does; entries without any get 0644.
pub fn extract(archive_path: &Path, dest: &Path) -> Result<(), PackError> {
    let file = fs::File::open(archive_path).map_err(PackError::io(archive_path))?;
    let mut archive = ZipArchive::new(file).map_err(PackError::zip(archive_path))?;
    prepare_empty_dir(dest)?;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(PackError::zip(archive_path))?;
        let unsafe_entry = |reason| PackError::UnsafeEntry {
            path: archive_path.to_owned(),
            entry: entry.name().to_owned(),
            reason,
        };
        let Some(relative) = entry.enclosed_name() else {
            return Err(unsafe_entry("points outside the charm"));
        };
        let mode = entry.unix_mode();
        let file_type = mode.map_or(0, |m| m & S_IFMT);
        let target = dest.join(relative);
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(PackError::io(&target))?;
            continue;
        }
        if file_type != 0 && file_type != S_IFREG {
            return Err(unsafe_entry("is neither a file nor a directory"));
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(PackError::io(parent))?;
        }
        let mut out = fs::File::create(&target).map_err(PackError::io(&target))?;
        io::copy(&mut entry, &mut out).map_err(PackError::io(&target))?;
        let permissions = mode.map_or(0o644, |m| m & 0o777);
        fs::set_permissions(&target, fs::Permissions::from_mode(permissions))
            .map_err(PackError::io(&target))?;
    }
    Ok(())
}
