use std::collections::BTreeMap;

use tempfile::TempDir;

use super::FakeBin;
use crate::{Host, HostError};

const QUERY: &str = r"dpkg-query -W -f=${Package}\t${Status}\t${Version}\n";

/// A dpkg that knows `pkg-a` (installed), `pkg-c` (removed, conffiles left) and `pkg-m`
/// (installed for one architecture, removed for another) and nothing else, printing and exiting
/// as the real one does for unknown names.
fn fake_dpkg(bin: &FakeBin) {
    bin.command(
        "dpkg-query",
        r#"status=0
for pkg in "$@"; do
  case "$pkg" in
    -*) ;;
    pkg-a) printf 'pkg-a\tinstall ok installed\t1.0-1\n' ;;
    pkg-c) printf 'pkg-c\tdeinstall ok config-files\t2.0-1\n' ;;
    pkg-m) printf 'pkg-m\tinstall ok installed\t3.0-1\npkg-m\tdeinstall ok config-files\t3.0-1\n' ;;
    *) echo "dpkg-query: no packages found matching $pkg" >&2; status=1 ;;
  esac
done
exit $status"#,
    );
}

/// An apt-get that records the environment it was given.
fn fake_apt_get(bin: &FakeBin) {
    bin.command(
        "apt-get",
        r#"printf 'env DEBIAN_FRONTEND=%s CHARM_HOST_ROOT=%s\n' "$DEBIAN_FRONTEND" "$CHARM_HOST_ROOT" >> "$log""#,
    );
}

fn setup() -> (TempDir, FakeBin, Host) {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    fake_dpkg(&bin);
    fake_apt_get(&bin);
    let host = bin.confined_host(root.path());
    (root, bin, host)
}

#[test]
fn install_asks_dpkg_once_and_installs_only_what_is_missing() {
    let (root, bin, host) = setup();

    let installed = host.install(&["pkg-a", "pkg-b", "pkg-c", "pkg-a"]).unwrap();

    assert_eq!(installed, ["pkg-b", "pkg-c"]);
    assert_eq!(
        bin.calls(),
        [
            format!("{QUERY} pkg-a pkg-b pkg-c"),
            "apt-get install -y -o Dpkg::Options::=--force-confold pkg-b pkg-c".to_owned(),
            format!(
                "env DEBIAN_FRONTEND=noninteractive CHARM_HOST_ROOT={}",
                root.path().display()
            ),
        ]
    );
}

#[test]
fn install_of_installed_packages_runs_no_apt_get() {
    let (_root, bin, host) = setup();

    assert!(host.install(&["pkg-a"]).unwrap().is_empty());

    assert_eq!(bin.calls(), [format!("{QUERY} pkg-a")]);
}

#[test]
fn install_of_nothing_runs_nothing() {
    let (_root, bin, host) = setup();
    assert!(host.install::<&str>(&[]).unwrap().is_empty());
    assert!(bin.calls().is_empty());
}

#[test]
fn failed_install_names_the_packages_and_keeps_stderr() {
    let (_root, bin, host) = setup();
    bin.command(
        "apt-get",
        "echo 'E: Unable to locate package pkg-b' >&2; exit 100",
    );

    let err = host.install(&["pkg-b"]).unwrap_err();

    let HostError::PackageInstall { packages, source } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(packages, &["pkg-b"]);
    assert_eq!(source.exit_code(), Some(100));
    assert_eq!(source.stderr(), Some("E: Unable to locate package pkg-b\n"));
    assert_eq!(
        source.argv(),
        [
            "apt-get",
            "install",
            "-y",
            "-o",
            "Dpkg::Options::=--force-confold",
            "pkg-b"
        ]
    );
}

#[test]
fn dpkg_query_failing_outright_is_an_error() {
    let (_root, bin, host) = setup();
    bin.command(
        "dpkg-query",
        "echo 'dpkg-query: error: database locked' >&2; exit 2",
    );

    let err = host.installed_version("pkg-a").unwrap_err();

    let HostError::PackageQuery { packages, source } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(packages, &["pkg-a"]);
    assert_eq!(source.exit_code(), Some(2));
    assert_eq!(
        source.stderr(),
        Some("dpkg-query: error: database locked\n")
    );
}

#[test]
fn installed_versions_covers_every_name_asked() {
    let (_root, bin, host) = setup();

    let versions = host
        .installed_versions(&["pkg-a", "pkg-b", "pkg-c"])
        .unwrap();

    assert_eq!(
        versions,
        BTreeMap::from([
            ("pkg-a".to_owned(), Some("1.0-1".to_owned())),
            ("pkg-b".to_owned(), None),
            ("pkg-c".to_owned(), None),
        ])
    );
    assert_eq!(bin.calls().len(), 1);
}

#[test]
fn installed_for_one_architecture_is_installed() {
    let (_root, _bin, host) = setup();
    assert_eq!(
        host.installed_version("pkg-m").unwrap(),
        Some("3.0-1".to_owned())
    );
}

/// apt-get must get `DEBIAN_FRONTEND=noninteractive` from the host, not by luck from the
/// caller's environment (Debian container images set it), so the check runs in a copy of this
/// test binary started without it.
#[test]
fn apt_get_is_noninteractive_whatever_the_callers_environment() {
    const NAME: &str =
        "tests::packages::apt_get_is_noninteractive_whatever_the_callers_environment";
    if std::env::var_os("DEBIAN_FRONTEND").is_some() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--nocapture"])
            .env_remove("DEBIAN_FRONTEND")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        return;
    }
    let (_root, bin, host) = setup();
    host.update().unwrap();
    assert!(
        bin.calls()[1].starts_with("env DEBIAN_FRONTEND=noninteractive "),
        "{:?}",
        bin.calls()
    );
}

#[test]
fn purge_removes_what_dpkg_knows_including_leftover_conffiles() {
    let (_root, bin, host) = setup();

    let purged = host.purge(&["pkg-a", "pkg-b", "pkg-c"]).unwrap();

    assert_eq!(purged, ["pkg-a", "pkg-c"]);
    assert_eq!(bin.calls()[1], "apt-get purge -y pkg-a pkg-c");
}

#[test]
fn purge_of_unknown_packages_runs_no_apt_get() {
    let (_root, bin, host) = setup();
    assert!(host.purge(&["pkg-b"]).unwrap().is_empty());
    assert_eq!(bin.calls(), [format!("{QUERY} pkg-b")]);
}

#[test]
fn update_refreshes_the_index_noninteractively() {
    let (root, bin, host) = setup();

    host.update().unwrap();

    assert_eq!(
        bin.calls(),
        [
            "apt-get update".to_owned(),
            format!(
                "env DEBIAN_FRONTEND=noninteractive CHARM_HOST_ROOT={}",
                root.path().display()
            ),
        ]
    );
}

#[test]
fn invalid_package_name_runs_nothing() {
    let (_root, bin, host) = setup();
    let err = host.install(&["pkg-a", "--reinstall"]).unwrap_err();
    assert!(
        matches!(&err, HostError::InvalidName { name, .. } if name == "--reinstall"),
        "{err:?}"
    );
    assert!(bin.calls().is_empty());
}

#[test]
fn real_dpkg_knows_dpkg_is_installed() {
    let version = Host::real().installed_version("dpkg").unwrap();
    let version = version.expect("dpkg is installed on Debian");
    assert!(
        version.starts_with(|c: char| c.is_ascii_digit()),
        "{version:?}"
    );
}

#[test]
fn real_dpkg_knows_an_unknown_package_is_not_installed() {
    let host = Host::real();
    assert_eq!(
        host.installed_version("no-such-package-for-host-tests")
            .unwrap(),
        None
    );
    let versions = host
        .installed_versions(&["no-such-package-for-host-tests", "dpkg"])
        .unwrap();
    assert_eq!(versions["no-such-package-for-host-tests"], None);
    assert!(versions["dpkg"].is_some());
}

#[test]
fn upgrade_upgrades_installed_packages_only_and_reports_new_versions() {
    let root = TempDir::new().unwrap();
    let bin = FakeBin::new();
    // pkg-a moves to 1.1-1 once apt-get ran; pkg-m stays; pkg-b is not installed.
    let upgraded_marker = bin.log().with_extension("upgraded");
    bin.command(
        "dpkg-query",
        &format!(
            r#"status=0
for pkg in "$@"; do
  case "$pkg" in
    -*) ;;
    pkg-a) if [ -e '{marker}' ]; then v=1.1-1; else v=1.0-1; fi
           printf 'pkg-a\tinstall ok installed\t%s\n' "$v" ;;
    pkg-m) printf 'pkg-m\tinstall ok installed\t3.0-1\n' ;;
    *) echo "dpkg-query: no packages found matching $pkg" >&2; status=1 ;;
  esac
done
exit $status"#,
            marker = upgraded_marker.display()
        ),
    );
    bin.command("apt-get", &format!(": > '{}'", upgraded_marker.display()));
    let host = bin.confined_host(root.path());

    let upgraded = host.upgrade(&["pkg-m", "pkg-b", "pkg-a"]).unwrap();

    assert_eq!(
        upgraded,
        [crate::Upgraded {
            package: "pkg-a".into(),
            from: "1.0-1".into(),
            to: "1.1-1".into()
        }]
    );
    assert_eq!(
        bin.calls(),
        [
            format!("{QUERY} pkg-m pkg-b pkg-a"),
            "apt-get install -y --only-upgrade -o Dpkg::Options::=--force-confdef -o \
             Dpkg::Options::=--force-confnew pkg-a pkg-m"
                .to_owned(),
            format!("{QUERY} pkg-a pkg-m"),
        ]
    );
}

#[test]
fn upgrade_of_packages_not_installed_runs_no_apt_get() {
    let (_root, bin, host) = setup();
    assert!(host.upgrade(&["pkg-b", "pkg-c"]).unwrap().is_empty());
    assert_eq!(bin.calls(), [format!("{QUERY} pkg-b pkg-c")]);
}
