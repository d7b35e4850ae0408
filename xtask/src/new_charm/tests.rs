//! The proof that `new-charm` writes a working charm: both kinds generated into a scratch
//! copy of the workspace, whose tests (the new charms' scenario and emulator tests, and the
//! tidy checks, which now cover them) must pass as generated.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{cargo, new_charm, Names, NewCharmArgs};

#[test]
fn names_give_the_package_crate_and_type_names() {
    let names = Names::new("my-backend2").unwrap();
    assert_eq!(
        (
            names.charm.as_str(),
            names.krate.as_str(),
            names.type_name.as_str()
        ),
        ("my-backend2", "my_backend2", "MyBackend2")
    );
    for bad in ["", "My", "2go", "a_b", "a--b", "end-", "with space"] {
        assert!(Names::new(bad).is_err(), "{bad:?}");
    }
}

/// The workspace's files as git sees them (tracked, and new ones not ignored): what a
/// checkout would hold, without `target/` and `build/`.
fn workspace_files(root: &Path) -> BTreeSet<PathBuf> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .filter(|path| !path.is_empty() && root.join(path).is_file())
        .map(PathBuf::from)
        .collect()
}

/// Makes `scratch` hold exactly `files` of `root`, writing only what differs, so that the
/// files' times stay put and cargo rebuilds only what changed since the last run.
fn mirror(root: &Path, scratch: &Path, files: &BTreeSet<PathBuf>) {
    for file in files {
        let (from, to) = (root.join(file), scratch.join(file));
        let text = fs::read(&from).unwrap();
        if fs::read(&to).ok().as_ref() != Some(&text) {
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::write(&to, text).unwrap();
            fs::set_permissions(&to, fs::metadata(&from).unwrap().permissions()).unwrap();
        }
    }
    remove_others(scratch, scratch, files);
}

fn remove_others(scratch: &Path, dir: &Path, keep: &BTreeSet<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            remove_others(scratch, &path, keep);
            // What the last run generated goes with its files.
            if fs::read_dir(&path).unwrap().next().is_none() {
                fs::remove_dir(&path).unwrap();
            }
        } else if !keep.contains(path.strip_prefix(scratch).unwrap()) {
            fs::remove_file(&path).unwrap();
        }
    }
}

#[test]
fn a_new_charm_passes_its_own_tests_and_the_tidy_checks_as_generated() {
    let root = crate::workspace_root();
    // A fixed place, so that a second run rebuilds only the generated charms.
    let scratch = root.join("build/new-charm-proof");
    mirror(&root, &scratch, &workspace_files(&root));
    // The copy builds in its own target directory. Cargo names a workspace crate's artifacts
    // by its path relative to the workspace root, so the copy's crates would get exactly the
    // names of the workspace's own and overwrite them in a shared one, under the tests and
    // doctests of this very run (rustdoc then finds no `databag`).
    // Beside the copy, not in it: the mirror removes what the workspace does not hold.
    std::env::set_var(
        "CARGO_TARGET_DIR",
        root.join("build/new-charm-proof-target"),
    );
    std::env::remove_var("UPDATE_GENERATED");
    for (name, subordinate) in [("proof-principal", false), ("proof-subordinate", true)] {
        let args = NewCharmArgs {
            name: name.to_owned(),
            subordinate,
        };
        new_charm(&scratch, &args).unwrap_or_else(|e| panic!("new-charm {name}: {e:#}"));
    }
    let out = cargo(
        &scratch,
        &[
            "test",
            "-p",
            "proof-principal",
            "-p",
            "proof-subordinate",
            "-p",
            "tidy",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "the generated charms' tests failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    for test in [
        "deploys_to_active_with_its_file",
        "install_writes_the_file_and_the_unit_is_ready",
        "generated_and_copied_files_match_the_code",
    ] {
        assert!(
            report.contains(&format!("{test} ... ok")),
            "{test} did not run:\n{report}"
        );
    }
}
