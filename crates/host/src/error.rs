use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

use crate::services::ServiceAction;

/// Everything that can go wrong between a charm and its machine.
///
/// Each variant names what it was acting on. Paths are the paths on this machine, that is,
/// already mapped under the host's root.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The root given to [`Host::confined`](crate::Host::confined) or in `CHARM_HOST_ROOT` is
    /// relative.
    #[error("host root {root:?} is not an absolute path")]
    RelativeRoot {
        /// The root as given.
        root: PathBuf,
    },
    /// A machine path is relative, contains `..`, or names no file where one is needed.
    #[error("{path:?} is not an absolute machine path without `..` naming a file")]
    InvalidPath {
        /// The path as given.
        path: PathBuf,
    },
    /// A package, service, user or group name that the commands would misread.
    #[error("{name:?} is not a valid {kind} name")]
    InvalidName {
        /// What the name was meant to name.
        kind: NameKind,
        /// The name as given.
        name: String,
    },
    /// A file mode with bits outside `0o7777`.
    #[error("mode {mode:#o} for {path} is not a permission mode")]
    InvalidMode {
        /// The file the mode was meant for.
        path: PathBuf,
        /// The mode as given.
        mode: u32,
    },
    /// Reading a file or its metadata failed.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Writing, syncing, chmod-ing, chown-ing or renaming into place failed; the previous
    /// content, if any, is still there.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Removing a file failed.
    #[error("cannot remove {path}")]
    Remove {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Creating a directory or setting its mode or ownership failed.
    #[error("cannot create directory {path}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Something other than a directory is in the way.
    #[error("{path} exists and is not a directory")]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A file's owner does not exist on this machine.
    #[error("user {user:?} does not exist")]
    UnknownUser {
        /// The user name.
        user: String,
    },
    /// A file's group does not exist on this machine.
    #[error("group {group:?} does not exist")]
    UnknownGroup {
        /// The group name.
        group: String,
    },
    /// The user or group database could not be read.
    #[error("cannot look up {kind} {name:?}")]
    AccountLookup {
        /// User or group.
        kind: NameKind,
        /// The name looked up.
        name: String,
        /// Why.
        #[source]
        source: nix::errno::Errno,
    },
    /// `dpkg-query` failed.
    #[error("cannot query the state of packages {}", .packages.join(" "))]
    PackageQuery {
        /// The packages asked about.
        packages: Vec<String>,
        /// The failed command.
        #[source]
        source: CommandError,
    },
    /// `dpkg-query` printed a line this crate cannot read.
    #[error("cannot read dpkg-query output line {line:?}")]
    PackageQueryOutput {
        /// The line.
        line: String,
    },
    /// `apt-get install` failed.
    #[error("cannot install packages {}", .packages.join(" "))]
    PackageInstall {
        /// The packages that were missing.
        packages: Vec<String>,
        /// The failed command.
        #[source]
        source: CommandError,
    },
    /// `apt-get purge` failed.
    #[error("cannot purge packages {}", .packages.join(" "))]
    PackagePurge {
        /// The packages that were present.
        packages: Vec<String>,
        /// The failed command.
        #[source]
        source: CommandError,
    },
    /// `apt-get install --only-upgrade` failed.
    #[error("cannot upgrade packages {}", .packages.join(" "))]
    PackageUpgrade {
        /// The installed packages asked to upgrade.
        packages: Vec<String>,
        /// The failed command.
        #[source]
        source: CommandError,
    },
    /// `apt-get update` failed.
    #[error("cannot update the package index")]
    PackageIndexUpdate {
        /// The failed command.
        #[source]
        source: CommandError,
    },
    /// A service operation failed.
    #[error("cannot {action} service {service}")]
    Service {
        /// The service.
        service: String,
        /// What was asked of it.
        action: ServiceAction,
        /// The command that failed (for sysv, possibly one step of several).
        #[source]
        source: CommandError,
    },
    /// `systemctl is-active` printed other than one state per service asked about.
    #[error("cannot read systemctl is-active's answer for {}: {output:?}", .services.join(" "))]
    ServiceStatesOutput {
        /// The services asked about.
        services: Vec<String>,
        /// What it printed.
        output: String,
    },
    /// `groupadd` failed.
    #[error("cannot create group {group}")]
    GroupAdd {
        /// The group.
        group: String,
        /// The failed command.
        #[source]
        source: CommandError,
    },
    /// `useradd` failed.
    #[error("cannot create user {user}")]
    UserAdd {
        /// The user.
        user: String,
        /// The failed command.
        #[source]
        source: CommandError,
    },
    /// A command run with [`Host::run`](crate::Host::run) failed.
    #[error(transparent)]
    Command(#[from] CommandError),
}

/// What kind of name [`HostError::InvalidName`] or [`HostError::AccountLookup`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A Debian package.
    Package,
    /// A systemd unit or init script.
    Service,
    /// A user account.
    User,
    /// A group.
    Group,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Package => "package",
            NameKind::Service => "service",
            NameKind::User => "user",
            NameKind::Group => "group",
        })
    }
}

/// A command that could not be started or did not exit 0.
///
/// Keeps the full argv and, for a command that ran, its exit status and stderr, which its
/// `Display` prints between two rules.
#[derive(Debug)]
pub struct CommandError {
    argv: Vec<String>,
    kind: CommandErrorKind,
}

#[derive(Debug)]
enum CommandErrorKind {
    Spawn(io::Error),
    Exit { status: ExitStatus, stderr: String },
}

impl CommandError {
    pub(crate) fn spawn(argv: Vec<String>, source: io::Error) -> CommandError {
        CommandError {
            argv,
            kind: CommandErrorKind::Spawn(source),
        }
    }

    pub(crate) fn exit(argv: Vec<String>, status: ExitStatus, stderr: String) -> CommandError {
        CommandError {
            argv,
            kind: CommandErrorKind::Exit { status, stderr },
        }
    }

    /// The program and its arguments.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// The exit code, or `None` if the command could not be started or was killed by a signal.
    pub fn exit_code(&self) -> Option<i32> {
        match &self.kind {
            CommandErrorKind::Spawn(_) => None,
            CommandErrorKind::Exit { status, .. } => status.code(),
        }
    }

    /// What the command wrote to stderr, or `None` if it could not be started.
    pub fn stderr(&self) -> Option<&str> {
        match &self.kind {
            CommandErrorKind::Spawn(_) => None,
            CommandErrorKind::Exit { stderr, .. } => Some(stderr),
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let command = ShellWords(&self.argv);
        match &self.kind {
            CommandErrorKind::Spawn(_) => write!(f, "cannot run `{command}`"),
            CommandErrorKind::Exit { status, stderr } => {
                write!(f, "`{command}` failed ({status})")?;
                let stderr = stderr.trim_end();
                if !stderr.is_empty() {
                    let rule = "-".repeat(79);
                    write!(f, ", stderr:\n{rule}\n{stderr}\n{rule}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CommandError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            CommandErrorKind::Spawn(source) => Some(source),
            CommandErrorKind::Exit { .. } => None,
        }
    }
}

/// Displays an argv so it could be pasted into a shell.
struct ShellWords<'a>(&'a [String]);

impl fmt::Display for ShellWords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, word) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            let plain = !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c));
            if plain {
                f.write_str(word)?;
            } else {
                write!(f, "'{}'", word.replace('\'', r"'\''"))?;
            }
        }
        Ok(())
    }
}
