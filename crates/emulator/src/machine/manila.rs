//! `manila-manage db sync` and `manila-manage db version`, against a database the machine
//! state stands in for.
//!
//! The real tool reads `[database] connection` from its config files (oslo.config: each
//! `--config-file`, else `/etc/manila/manila.conf`), runs the alembic migrations up to the head
//! (`bb5938d74b73` for Debian 12's 1:15.1.0, real-peers §1.3) and `db version` prints alembic's
//! current revision, which is `None` on a database never synced. The emulation keeps, on the
//! machine that ran it, every sync with the database it went to (the connection URL without
//! its password, so that `model.json` holds no secret); `db version` answers from the syncs of
//! every machine, because the database is shared by all the machines that connect to it.

use std::fs;
use std::path::Path;

use super::{latest_revision, CommandResult, MachineState, SchemaSync};

/// The alembic head of Debian 12's manila 1:15.1.0-2.
pub const MANILA_SCHEMA_HEAD: &str = "bb5938d74b73";

const DEFAULT_CONFIG: &str = "/etc/manila/manila.conf";

pub(super) fn execute(
    state: &mut MachineState,
    model_syncs: &[SchemaSync],
    root: &Path,
    args: &[String],
) -> CommandResult {
    let mut config_files = Vec::new();
    let mut words = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--config-file" => match iter.next() {
                Some(file) => config_files.push(file.clone()),
                None => return usage("argument --config-file: expected one argument"),
            },
            a if a.starts_with("--config-file=") => {
                config_files.push(a["--config-file=".len()..].to_owned())
            }
            "--debug" | "-d" | "--verbose" | "-v" | "--nodebug" | "--noverbose" => {}
            a if a.starts_with('-') => {
                return usage(&format!("unrecognized arguments: {a}"));
            }
            word => words.push(word.to_owned()),
        }
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["db", "sync"] | ["db", "sync", "head" | MANILA_SCHEMA_HEAD] => {
            let database = match database(root, &config_files) {
                Ok(database) => database,
                Err(failure) => return failure,
            };
            state.schema_syncs.push(SchemaSync {
                tool: "manila-manage".to_owned(),
                database,
                revision: MANILA_SCHEMA_HEAD.to_owned(),
            });
            CommandResult::default()
        }
        ["db", "sync", other] => CommandResult::fail(
            1,
            format!(
                "alembic.util.exc.CommandError: Can't locate revision identified by '{other}'\n"
            ),
        ),
        ["db", "version"] => {
            let database = match database(root, &config_files) {
                Ok(database) => database,
                Err(failure) => return failure,
            };
            // This machine's own syncs are newer than the model's snapshot of them.
            let revision = state
                .schema_revision("manila-manage", &database)
                .or_else(|| latest_revision(model_syncs, "manila-manage", &database))
                .unwrap_or("None");
            CommandResult::ok(format!("{revision}\n"))
        }
        ["db", action, ..] => CommandResult::fail(
            1,
            format!("the emulated manila-manage does not implement `db {action}`\n"),
        ),
        [category, ..] => CommandResult::fail(
            1,
            format!("the emulated manila-manage does not implement `{category}`\n"),
        ),
        [] => usage("the following arguments are required: category"),
    }
}

fn usage(message: &str) -> CommandResult {
    CommandResult::fail(
        2,
        format!("usage: manila-manage [-h] [--config-dir DIR] [--config-file PATH] [--debug] [--version] {{version,shell,logs,service,get,db,host,share,share_server}} ...\nmanila-manage: error: {message}\n"),
    )
}

/// The database the config files point at, without the connection's password.
fn database(root: &Path, config_files: &[String]) -> Result<String, CommandResult> {
    let explicit = !config_files.is_empty();
    let files: Vec<&str> = if explicit {
        config_files.iter().map(String::as_str).collect()
    } else {
        vec![DEFAULT_CONFIG]
    };
    let mut connection = None;
    let mut missing = Vec::new();
    for file in files {
        let path = root.join(file.trim_start_matches('/'));
        match fs::read_to_string(&path) {
            Ok(text) => {
                if let Some(found) = ini_value(&text, "database", "connection") {
                    connection = Some(found);
                }
            }
            Err(_) => missing.push(file),
        }
    }
    if explicit && !missing.is_empty() {
        return Err(CommandResult::fail(
            1,
            format!(
                "oslo_config.cfg.ConfigFilesNotFoundError: Failed to find some config files: {}\n",
                missing.join(",")
            ),
        ));
    }
    match connection.filter(|c| !c.is_empty()) {
        Some(connection) => Ok(without_password(&connection)),
        None => Err(CommandResult::fail(
            1,
            "oslo_db.exception.CantStartEngineError: No sql_connection parameter is established\n"
                .to_owned(),
        )),
    }
}

/// `key` in `[section]` of an oslo.config INI file; the last one wins, as oslo reads them.
fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    let mut value = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_owned();
            continue;
        }
        if current != section {
            continue;
        }
        if let Some((k, v)) = line.split_once(['=', ':']) {
            if k.trim() == key {
                value = Some(v.trim().to_owned());
            }
        }
    }
    value
}

/// `mysql+pymysql://manila:secret@10.0.0.5/manila` → `mysql+pymysql://manila@10.0.0.5/manila`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_database_name() {
        assert_eq!(
            without_password("mysql+pymysql://manila:s3cr:t@10.0.0.5:3306/manila?charset=utf8"),
            "mysql+pymysql://manila@10.0.0.5:3306/manila?charset=utf8"
        );
        assert_eq!(without_password("sqlite:///x.db"), "sqlite:///x.db");
    }

    #[test]
    fn the_last_connection_in_the_database_section_wins() {
        let text = "[DEFAULT]\nconnection = wrong\n[database]\n# c\nconnection = a\nconnection=b\n[other]\nconnection = c\n";
        assert_eq!(
            ini_value(text, "database", "connection").as_deref(),
            Some("b")
        );
    }
}
