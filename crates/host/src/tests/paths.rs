use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::{Host, HostError};

#[test]
fn unset_or_empty_root_variable_means_the_real_host() {
    for value in [None, Some(OsString::new())] {
        let host = Host::from_root_var(value).unwrap();
        assert_eq!(host, Host::real());
        assert!(!host.is_confined());
    }
}

#[test]
fn root_variable_confines_the_host() {
    let host = Host::from_root_var(Some("/var/tmp/unit-0".into())).unwrap();
    assert!(host.is_confined());
    assert_eq!(host.root(), Path::new("/var/tmp/unit-0"));
}

#[test]
fn relative_root_is_refused() {
    let err = Host::from_root_var(Some("scratch/unit-0".into())).unwrap_err();
    assert!(
        matches!(&err, HostError::RelativeRoot { root } if root == Path::new("scratch/unit-0")),
        "{err:?}"
    );
}

#[test]
fn slash_is_not_a_confinement() {
    assert!(!Host::confined("/").unwrap().is_confined());
}

#[test]
fn confined_host_maps_machine_paths_under_its_root() {
    let host = Host::confined("/scratch/unit-0").unwrap();
    assert_eq!(
        host.map_path("/etc/manila/manila.conf").unwrap(),
        PathBuf::from("/scratch/unit-0/etc/manila/manila.conf")
    );
    assert_eq!(
        host.map_path("//etc/./manila/").unwrap(),
        PathBuf::from("/scratch/unit-0/etc/manila")
    );
    assert_eq!(
        host.map_path("/").unwrap(),
        PathBuf::from("/scratch/unit-0")
    );
}

#[test]
fn real_host_maps_machine_paths_to_themselves() {
    assert_eq!(
        Host::real().map_path("/etc/manila/manila.conf").unwrap(),
        PathBuf::from("/etc/manila/manila.conf")
    );
}

#[test]
fn relative_and_escaping_paths_are_refused_in_both_modes() {
    for host in [Host::real(), Host::confined("/scratch/unit-0").unwrap()] {
        for path in ["etc/manila.conf", "", "/etc/../../outside", "/.."] {
            let err = host.map_path(path).unwrap_err();
            assert!(
                matches!(&err, HostError::InvalidPath { path: p } if p == Path::new(path)),
                "{path:?}: {err:?}"
            );
        }
    }
}
