//! The machine's accounts (`/etc/passwd`, `/etc/group` and their shadows), as a package's
//! maintainer script creates them with `adduser --system --group`.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use super::catalog::SystemUser;

/// Adds `user` (with a group of the same name) unless the machine has it: the lowest free
/// system uid and gid (100–999), no login shell, as `adduser --system` does.
pub(super) fn add_system_user(root: &Path, user: &SystemUser) {
    let etc = root.join("etc");
    let passwd = fs::read_to_string(etc.join("passwd")).unwrap_or_default();
    if passwd
        .lines()
        .any(|l| l.split(':').next() == Some(user.name.as_str()))
    {
        return;
    }
    let group = fs::read_to_string(etc.join("group")).unwrap_or_default();
    let used = |text: &str| -> BTreeSet<u32> {
        text.lines()
            .filter_map(|l| l.split(':').nth(2)?.parse().ok())
            .collect()
    };
    let (uids, gids) = (used(&passwd), used(&group));
    let Some(uid) = (100..1000).find(|id| !uids.contains(id)) else {
        return;
    };
    let existing_gid = group
        .lines()
        .find(|l| l.split(':').next() == Some(user.name.as_str()))
        .and_then(|l| l.split(':').nth(2)?.parse::<u32>().ok());
    let gid = existing_gid.unwrap_or_else(|| {
        (100..1000)
            .find(|id| !gids.contains(id) && !uids.contains(id))
            .unwrap_or(uid)
    });
    let name = &user.name;
    let append = |file: &str, line: String| {
        if let Ok(mut f) = fs::OpenOptions::new().append(true).open(etc.join(file)) {
            let _ = f.write_all(line.as_bytes());
        }
    };
    if existing_gid.is_none() {
        append("group", format!("{name}:x:{gid}:\n"));
        append("gshadow", format!("{name}:!::\n"));
    }
    append(
        "passwd",
        format!("{name}:x:{uid}:{gid}::{}:/usr/sbin/nologin\n", user.home),
    );
    append("shadow", format!("{name}:*:19800:0:99999:7:::\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_user_gets_the_lowest_free_ids_once() {
        let root = tempfile::tempdir().unwrap();
        let etc = root.path().join("etc");
        fs::create_dir_all(&etc).unwrap();
        fs::write(etc.join("passwd"), "root:x:0:0:root:/root:/bin/bash\nmessagebus:x:100:102::/nonexistent:/usr/sbin/nologin\n").unwrap();
        fs::write(etc.join("group"), "root:x:0:\nmessagebus:x:102:\n").unwrap();
        fs::write(etc.join("shadow"), "").unwrap();
        fs::write(etc.join("gshadow"), "").unwrap();
        let manila = SystemUser::new("manila", "/var/lib/manila");
        add_system_user(root.path(), &manila);
        add_system_user(root.path(), &manila);
        let passwd = fs::read_to_string(etc.join("passwd")).unwrap();
        assert!(
            passwd.ends_with("manila:x:101:101::/var/lib/manila:/usr/sbin/nologin\n"),
            "{passwd}"
        );
        assert_eq!(
            passwd.lines().filter(|l| l.starts_with("manila:")).count(),
            1
        );
        assert!(fs::read_to_string(etc.join("group"))
            .unwrap()
            .contains("manila:x:101:\n"));
    }
}
