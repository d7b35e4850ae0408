//! Only `crates/juju` runs hook tools: everything else reaches Juju through its `HookTools`,
//! so the recorder in tests sees every call and the emulator's shim is the only other side.
//! A source scan, cheap rather than complete: a `Command::new` whose program is a hook tool's
//! name, written as a literal.

use std::path::Path;

use crate::workspace;

/// Juju 3.6's hook tools.
const HOOK_TOOLS: &[&str] = &[
    "action-fail",
    "action-get",
    "action-log",
    "action-set",
    "add-metric",
    "application-version-set",
    "close-port",
    "config-get",
    "credential-get",
    "goal-state",
    "is-leader",
    "juju-log",
    "juju-reboot",
    "leader-get",
    "leader-set",
    "network-get",
    "open-port",
    "opened-ports",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-model-get",
    "relation-set",
    "resource-get",
    "secret-add",
    "secret-get",
    "secret-grant",
    "secret-ids",
    "secret-info-get",
    "secret-remove",
    "secret-revoke",
    "secret-set",
    "state-delete",
    "state-get",
    "state-set",
    "status-get",
    "status-set",
    "storage-add",
    "storage-get",
    "storage-list",
    "unit-get",
];

const SOURCE_DIRS: &[&str] = &["crates", "charms", "interfaces", "tests", "xtask"];

#[test]
fn only_juju_spawns_hook_tools() {
    let root = workspace::root();
    let mut spawns = Vec::new();
    let mut scanned = 0;
    for dir in SOURCE_DIRS {
        scan(&root, &root.join(dir), &mut scanned, &mut spawns);
    }
    assert!(scanned > 100, "scanned only {scanned} files");
    assert!(
        spawns.is_empty(),
        "hook tools spawned outside crates/juju:\n{}",
        spawns.join("\n")
    );
}

fn scan(root: &Path, dir: &Path, scanned: &mut usize, spawns: &mut Vec<String>) {
    let relative = dir.strip_prefix(root).unwrap();
    if relative == Path::new("crates/juju") || dir.ends_with("target") {
        return;
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan(root, &path, scanned, spawns);
        } else if path.extension().is_some_and(|e| e == "rs") {
            *scanned += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("Command::new(") {
                let program = text[at + "Command::new(".len()..]
                    .split(')')
                    .next()
                    .unwrap_or_default()
                    .trim();
                let name = program.trim_matches('"');
                let name = name.rsplit('/').next().unwrap_or(name);
                if program.starts_with('"') && HOOK_TOOLS.contains(&name) {
                    let line = text[..at].lines().count();
                    spawns.push(format!("{}:{line}: {program}", path.display()));
                }
            }
        }
    }
}
