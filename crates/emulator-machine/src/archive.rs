//! Where apt finds versions: the catalog's base archive plus the further archives
//! ([`Catalog::archives`]) a machine's apt sources name, and Debian's version order to pick
//! the newest.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use super::Catalog;

/// The suites (`noble-updates/epoxy`) of the `deb` lines in the machine's
/// `/etc/apt/sources.list` and `/etc/apt/sources.list.d/*.list`, as `apt-get update` reads them.
pub(super) fn source_suites(root: &Path) -> BTreeSet<String> {
    let mut files = vec![root.join("etc/apt/sources.list")];
    if let Ok(entries) = fs::read_dir(root.join("etc/apt/sources.list.d")) {
        let mut listed: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|ext| ext == "list"))
            .collect();
        listed.sort();
        files.extend(listed);
    }
    files
        .iter()
        .filter_map(|file| fs::read_to_string(file).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|line| deb_line_suite(line).map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The suite of a one-line-style `deb [options] uri suite components...` entry.
fn deb_line_suite(line: &str) -> Option<&str> {
    let line = line.split('#').next().unwrap_or_default();
    let rest = line.trim().strip_prefix("deb ")?.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(options) => options.split_once(']')?.1,
        None => rest,
    };
    let mut words = rest.split_whitespace();
    let _uri = words.next()?;
    words.next()
}

impl Catalog {
    /// The version apt would install of `package` on a machine whose index holds `suites`:
    /// the newest of the base archive's and those of the suites' archives. `None` when no
    /// archive has it.
    pub(super) fn candidate(&self, package: &str, suites: &BTreeSet<String>) -> Option<&str> {
        let base = self.packages.get(package).map(|p| p.version.as_str());
        suites
            .iter()
            .filter_map(|suite| self.archives.get(suite)?.get(package))
            .map(String::as_str)
            .chain(base)
            .max_by(|a, b| compare_versions(a, b))
    }
}

/// Debian's version order (`dpkg --compare-versions`): epoch numerically, then the upstream
/// version and the revision each compared part by part, non-digits (letters before other
/// characters, `~` before anything, even the end) then digits numerically.
pub(super) fn compare_versions(a: &str, b: &str) -> Ordering {
    let (epoch_a, upstream_a, revision_a) = split_version(a);
    let (epoch_b, upstream_b, revision_b) = split_version(b);
    epoch_a
        .cmp(&epoch_b)
        .then_with(|| compare_part(upstream_a, upstream_b))
        .then_with(|| compare_part(revision_a, revision_b))
}

fn split_version(version: &str) -> (u64, &str, &str) {
    let (epoch, rest) = match version.split_once(':') {
        Some((epoch, rest)) => (epoch.parse().unwrap_or(0), rest),
        None => (0, version),
    };
    match rest.rsplit_once('-') {
        Some((upstream, revision)) => (epoch, upstream, revision),
        None => (epoch, rest, ""),
    }
}

fn compare_part(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        let (text_a, rest_a) = split_while(a, |c| !c.is_ascii_digit());
        let (text_b, rest_b) = split_while(b, |c| !c.is_ascii_digit());
        let mut i = 0;
        while i < text_a.len() || i < text_b.len() {
            let order = char_order(text_a.get(i)).cmp(&char_order(text_b.get(i)));
            if order != Ordering::Equal {
                return order;
            }
            i += 1;
        }
        let (digits_a, rest_a) = split_while(rest_a, |c| c.is_ascii_digit());
        let (digits_b, rest_b) = split_while(rest_b, |c| c.is_ascii_digit());
        let order = number(digits_a).cmp(&number(digits_b));
        if order != Ordering::Equal {
            return order;
        }
        (a, b) = (rest_a, rest_b);
    }
    Ordering::Equal
}

fn split_while(s: &[u8], keep: impl Fn(u8) -> bool) -> (&[u8], &[u8]) {
    let end = s.iter().position(|c| !keep(*c)).unwrap_or(s.len());
    s.split_at(end)
}

/// dpkg's weight of one character of a non-digit run: `~` sorts before the end of the run,
/// letters before every other character.
fn char_order(c: Option<&u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(*c),
        Some(c) => i32::from(*c) + 256,
    }
}

fn number(digits: &[u8]) -> u128 {
    digits.iter().fold(0u128, |n, d| {
        n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_dpkg_does() {
        use Ordering::{Equal, Greater, Less};
        for (a, b, expected) in [
            ("1:18.0.0-0ubuntu1", "1:19.0.0-0ubuntu1~cloud0", Less),
            ("1:15.1.0-2", "1:18.0.0-0ubuntu1", Less),
            ("2:1.0", "1:9.9", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0", "1.0+deb12u1", Less),
            ("1.0-1", "1.0-1", Equal),
            ("1.10", "1.9", Greater),
            ("1.0a", "1.0+", Less),
            ("1:18.0.0-0ubuntu1", "1:18.0.0-0ubuntu1.1", Less),
            ("1:19.0.0-0ubuntu1~cloud0", "1:19.0.0-0ubuntu1", Less),
        ] {
            assert_eq!(compare_versions(a, b), expected, "{a} vs {b}");
            assert_eq!(compare_versions(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn deb_lines_name_their_suite() {
        assert_eq!(
            deb_line_suite(
                "deb http://ubuntu-cloud.archive.canonical.com/ubuntu noble-updates/epoxy main"
            ),
            Some("noble-updates/epoxy")
        );
        assert_eq!(
            deb_line_suite("deb [signed-by=/k.gpg arch=amd64] http://x/ubuntu noble main"),
            Some("noble")
        );
        for other in [
            "# deb http://x noble main",
            "deb-src http://x noble main",
            "deb",
        ] {
            assert_eq!(deb_line_suite(other), None, "{other}");
        }
    }
}
