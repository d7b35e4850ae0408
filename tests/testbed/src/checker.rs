//! The machine's own programs that tests check rendered files with (`haproxy -c`,
//! `apache2 -t`): found when installed, else the test skips, saying so, unless its
//! `REQUIRE_*` variable is `1` (`cargo xtask test` sets them), where a missing one fails it,
//! so that CI cannot pass without having checked.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A checker: `program` exists together with every path in `needs` (a module it loads).
#[derive(Debug, Clone, Copy)]
pub struct Checker<'a> {
    pub program: &'a str,
    pub needs: &'a [&'a str],
    /// The variable that makes its absence a failure.
    pub require: &'a str,
    /// How to install it, for the failure message.
    pub install: &'a str,
}

impl Checker<'_> {
    /// The program's path, or `None` when the test should skip.
    pub fn find(&self) -> Option<PathBuf> {
        let present = Path::new(self.program).is_file()
            && self.needs.iter().all(|path| Path::new(path).exists());
        let required = std::env::var(self.require).is_ok_and(|v| v == "1");
        match (present, required) {
            (true, _) => Some(PathBuf::from(self.program)),
            (false, true) => panic!(
                "{}=1 but {} is not installed: {}",
                self.require, self.program, self.install
            ),
            (false, false) => {
                eprintln!(
                    "{} is not installed: skipping ({}=1 makes this fail)",
                    self.program, self.require
                );
                None
            }
        }
    }
}

/// Runs a checker's `command`: `Ok` when it accepts, else its complaints (stdout, stderr).
pub fn complaints(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} does not run: {e}"));
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_checker_not_required_is_skipped() {
        let missing = Checker {
            program: "/nonexistent/checker",
            needs: &[],
            require: "TESTBED_CHECKER_NEVER_SET",
            install: "nothing",
        };
        assert_eq!(missing.find(), None);
        let shell = Checker {
            program: "/bin/sh",
            needs: &["/nonexistent/module.so"],
            ..missing
        };
        assert_eq!(shell.find(), None, "a missing module counts as missing");
        let shell = Checker {
            needs: &[],
            ..shell
        };
        assert_eq!(shell.find(), Some(PathBuf::from("/bin/sh")));
    }

    #[test]
    fn complaints_are_what_the_checker_printed() {
        assert_eq!(
            complaints(Command::new("/bin/sh").args(["-c", "true"])),
            Ok(())
        );
        assert_eq!(
            complaints(Command::new("/bin/sh").args(["-c", "echo out; echo err >&2; exit 1"])),
            Err("out\nerr\n".to_owned())
        );
    }
}
