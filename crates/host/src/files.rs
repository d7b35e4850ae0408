use std::ffi::OsString;
use std::fs::{self, DirBuilder, File, Metadata, Permissions};
use std::io::{self, ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::unistd::{Group, User};

use crate::error::{HostError, NameKind};
use crate::Host;

/// Who owns a file or directory and who may read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpec {
    /// The owning user, by name.
    pub owner: String,
    /// The owning group, by name.
    pub group: String,
    /// Permission bits, at most `0o7777`.
    pub mode: u32,
}

impl FileSpec {
    /// A spec for `owner:group` with `mode`.
    pub fn new(owner: impl Into<String>, group: impl Into<String>, mode: u32) -> FileSpec {
        FileSpec {
            owner: owner.into(),
            group: group.into(),
            mode,
        }
    }
}

/// Whether a write changed anything on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The content, owner, group or mode was different, and now is as asked.
    Changed,
    /// Everything was already as asked; nothing was touched.
    Unchanged,
}

impl Written {
    /// True for [`Written::Changed`]: the caller may need to restart something.
    pub fn is_changed(self) -> bool {
        self == Written::Changed
    }
}

/// Numeric owner and group, resolved on a real host only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ownership {
    uid: u32,
    gid: u32,
}

/// Mode of the directories created on the way to a file or directory.
const PARENT_MODE: u32 = 0o755;

impl Host {
    /// The content of the file at machine path `path`, or `None` if there is none.
    pub fn read_file(&self, path: impl AsRef<Path>) -> Result<Option<Vec<u8>>, HostError> {
        let path = self.map_path(path)?;
        match fs::read(&path) {
            Ok(content) => Ok(Some(content)),
            Err(source) if source.kind() == ErrorKind::NotFound => Ok(None),
            Err(source) => Err(HostError::Read { path, source }),
        }
    }

    /// A stamp of the file at machine path `path` that changes whenever it is rewritten
    /// (its inode, size and modification time), or `None` when there is none: how a charm
    /// knows that dpkg's database changed without asking dpkg. No command runs.
    pub fn file_stamp(&self, path: impl AsRef<Path>) -> Result<Option<String>, HostError> {
        use std::os::unix::fs::MetadataExt;
        let path = self.map_path(path)?;
        match fs::metadata(&path) {
            Ok(meta) => Ok(Some(format!(
                "{}:{}:{}.{}",
                meta.ino(),
                meta.size(),
                meta.mtime(),
                meta.mtime_nsec()
            ))),
            Err(source) if source.kind() == ErrorKind::NotFound => Ok(None),
            Err(source) => Err(HostError::Read { path, source }),
        }
    }

    /// Makes the file at machine path `path` hold `content` with `spec`'s owner, group and mode.
    ///
    /// Touches nothing when all of these already match. Otherwise the file is replaced
    /// atomically: a temporary file in the same directory gets the ownership and mode first,
    /// then the content, is synced, and is renamed over the target; then the directory is
    /// synced. So readers see the old file or the new one, never a mix, a failure leaves the
    /// old file in place, and a private file (say `0o640`) is never readable by others, not
    /// even for an instant. Missing parent directories are created with mode `0o755`. A
    /// symlink at `path` is replaced, not followed.
    ///
    /// On a confined host the ownership is neither looked up nor applied (see the crate docs).
    pub fn write_file(
        &self,
        path: impl AsRef<Path>,
        content: impl AsRef<[u8]>,
        spec: &FileSpec,
    ) -> Result<Written, HostError> {
        let path = path.as_ref();
        if path.file_name().is_none() {
            return Err(HostError::InvalidPath {
                path: path.to_path_buf(),
            });
        }
        let target = self.map_path(path)?;
        let content = content.as_ref();
        check_mode(&target, spec.mode)?;
        let ownership = self.ownership(spec)?;
        if file_matches(&target, content, spec.mode, ownership)? {
            return Ok(Written::Unchanged);
        }
        replace_file(&target, spec.mode, ownership, |file| {
            file.write_all(content)
        })?;
        Ok(Written::Changed)
    }

    /// Removes the file at machine path `path`; returns whether there was one.
    pub fn remove_file(&self, path: impl AsRef<Path>) -> Result<bool, HostError> {
        let path = self.map_path(path)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(source) if source.kind() == ErrorKind::NotFound => Ok(false),
            Err(source) => Err(HostError::Remove { path, source }),
        }
    }

    /// Makes machine path `path` a directory with `spec`'s owner, group and mode.
    ///
    /// A new directory is created private (`0o700`) and only then given its ownership and mode,
    /// so it is never more open than asked. Missing parents are created with mode `0o755`.
    pub fn ensure_dir(
        &self,
        path: impl AsRef<Path>,
        spec: &FileSpec,
    ) -> Result<Written, HostError> {
        let dir = self.map_path(path)?;
        check_mode(&dir, spec.mode)?;
        let ownership = self.ownership(spec)?;
        let create_error = |source| HostError::CreateDir {
            path: dir.clone(),
            source,
        };
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {
                if attributes_match(&meta, spec.mode, ownership) {
                    return Ok(Written::Unchanged);
                }
            }
            Ok(_) => return Err(HostError::NotADirectory { path: dir }),
            Err(source) if source.kind() == ErrorKind::NotFound => {
                if let Some(parent) = dir.parent() {
                    create_parents(parent)?;
                }
                DirBuilder::new()
                    .mode(0o700)
                    .create(&dir)
                    .map_err(create_error)?;
            }
            Err(source) => return Err(HostError::Read { path: dir, source }),
        }
        // chown before chmod: chown clears the set-id bits a mode may ask for.
        if let Some(Ownership { uid, gid }) = ownership {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(create_error)?;
        }
        fs::set_permissions(&dir, Permissions::from_mode(spec.mode)).map_err(create_error)?;
        Ok(Written::Changed)
    }

    /// The numeric owner and group for `spec`, or `None` on a confined host, whose accounts
    /// exist only on the emulated machine.
    fn ownership(&self, spec: &FileSpec) -> Result<Option<Ownership>, HostError> {
        if self.is_confined() {
            return Ok(None);
        }
        let user = User::from_name(&spec.owner)
            .map_err(|source| HostError::AccountLookup {
                kind: NameKind::User,
                name: spec.owner.clone(),
                source,
            })?
            .ok_or_else(|| HostError::UnknownUser {
                user: spec.owner.clone(),
            })?;
        let group = Group::from_name(&spec.group)
            .map_err(|source| HostError::AccountLookup {
                kind: NameKind::Group,
                name: spec.group.clone(),
                source,
            })?
            .ok_or_else(|| HostError::UnknownGroup {
                group: spec.group.clone(),
            })?;
        Ok(Some(Ownership {
            uid: user.uid.as_raw(),
            gid: group.gid.as_raw(),
        }))
    }
}

fn check_mode(path: &Path, mode: u32) -> Result<(), HostError> {
    if mode & !0o7777 != 0 {
        return Err(HostError::InvalidMode {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Whether `target` is a regular file with exactly this content, mode and ownership.
fn file_matches(
    target: &Path,
    content: &[u8],
    mode: u32,
    ownership: Option<Ownership>,
) -> Result<bool, HostError> {
    let read_error = |source| HostError::Read {
        path: target.to_path_buf(),
        source,
    };
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(source) if source.kind() == ErrorKind::NotFound => return Ok(false),
        Err(source) => return Err(read_error(source)),
    };
    if !meta.is_file()
        || meta.len() != content.len() as u64
        || !attributes_match(&meta, mode, ownership)
    {
        return Ok(false);
    }
    Ok(fs::read(target).map_err(read_error)? == content)
}

fn attributes_match(meta: &Metadata, mode: u32, ownership: Option<Ownership>) -> bool {
    meta.mode() & 0o7777 == mode
        && ownership.map_or(true, |Ownership { uid, gid }| {
            meta.uid() == uid && meta.gid() == gid
        })
}

/// Atomically replaces `target` with a file whose content `write_content` produces.
///
/// The content is produced by a closure so tests can make it fail midway.
pub(crate) fn replace_file(
    target: &Path,
    mode: u32,
    ownership: Option<Ownership>,
    write_content: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), HostError> {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(HostError::InvalidPath {
            path: target.to_path_buf(),
        });
    };
    let write_error = |source| HostError::Write {
        path: target.to_path_buf(),
        source,
    };
    create_parents(dir)?;
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    // The temporary file is created 0600 and owned by us, so it is private from the start;
    // ownership and mode are set before any content goes in. Dropping it on an error path
    // deletes it.
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .tempfile_in(dir)
        .map_err(write_error)?;
    if let Some(Ownership { uid, gid }) = ownership {
        // chown before chmod: chown clears the set-id bits a mode may ask for.
        std::os::unix::fs::fchown(temp.as_file(), Some(uid), Some(gid)).map_err(write_error)?;
    }
    temp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(write_error)?;
    write_content(temp.as_file_mut()).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    temp.persist(target)
        .map_err(|persist| write_error(persist.error))?;
    // The rename is only durable once the directory entry is on disk.
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(write_error)?;
    Ok(())
}

/// Creates `dir` and any missing ancestors with mode `0o755`, whatever the umask.
fn create_parents(dir: &Path) -> Result<(), HostError> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|ancestor| fs::symlink_metadata(ancestor).is_err())
        .map(Path::to_path_buf)
        .collect();
    for dir in missing.iter().rev() {
        let create_error = |source| HostError::CreateDir {
            path: dir.clone(),
            source,
        };
        match DirBuilder::new().mode(PARENT_MODE).create(dir) {
            Ok(()) => fs::set_permissions(dir, Permissions::from_mode(PARENT_MODE))
                .map_err(create_error)?,
            // Someone else made it meanwhile; theirs is as good as ours.
            Err(source) if source.kind() == ErrorKind::AlreadyExists => {}
            Err(source) => return Err(create_error(source)),
        }
    }
    Ok(())
}
