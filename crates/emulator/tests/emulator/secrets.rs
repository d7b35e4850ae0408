//! Secrets between applications, through real hooks: an owner's leader creates and grants
//! a secret, a consumer reads it, a new revision reaches the consumer as `secret-changed`,
//! and the revision nobody reads any more reaches the owner as `secret-remove`
//! (`internal/worker/uniter/runner/context/context.go`, the secrets facades; juju-contract
//! §2.21, §3.2). User secrets come from the operator (`juju add-secret`, `grant-secret`).

use emulator::DeployOptions;

use crate::support::{Scratch, TestCharm};

const OWNER: &str = r#"
case "$HOOK" in
start)
    if [ "$(is-leader)" = True ] && [ -z "$(secret-ids)" ]; then
        secret-add --label pw --description "the password" password="$(config-get password)" >/dev/null
    fi ;;
config-changed)
    id=$(secret-ids)
    [ -n "$id" ] && secret-set "secret:$id" password="$(config-get password)"
    true ;;
share-relation-joined)
    id=$(secret-ids)
    secret-grant "secret:$id" -r "$JUJU_RELATION_ID"
    relation-set --app secret="secret:$id" ;;
secret-remove)
    secret-remove "$JUJU_SECRET_ID" --revision "$JUJU_SECRET_REVISION" ;;
esac
"#;

const CONSUMER: &str = r#"
case "$HOOK" in
share-relation-changed)
    uri=$(relation-get --app secret "$JUJU_REMOTE_APP")
    [ -n "$uri" ] && echo "read $(secret-get "$uri" password --label shared)" >> TRACE
    true ;;
secret-changed)
    echo "changed $JUJU_SECRET_LABEL $(secret-get "$JUJU_SECRET_ID" password) -> $(secret-get "$JUJU_SECRET_ID" password --refresh)" >> TRACE ;;
esac
"#;

fn trace_line(scratch: &Scratch) -> String {
    format!("{}", scratch.trace().display())
}

#[test]
fn a_granted_secret_is_read_then_its_new_revision_changes_and_the_old_is_removed() {
    let scratch = Scratch::new();
    let owner = TestCharm::new("vault")
        .metadata("provides:\n  share:\n    interface: pw\n")
        .config("options:\n  password:\n    type: string\n    default: one\n")
        .recording(&scratch.trace(), OWNER)
        .write(scratch.path());
    let consumer = TestCharm::new("app")
        .metadata("requires:\n  share:\n    interface: pw\n")
        .recording(
            &scratch.trace(),
            &CONSUMER.replace("TRACE", &trace_line(&scratch)),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("vault", &owner, DeployOptions::new()).unwrap();
    model
        .deploy("app", &consumer, DeployOptions::new())
        .unwrap();
    model.relate("app", "vault").unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty(), "{report:?}");
    let (uri, kind, label) = model.secrets().remove(0);
    assert_eq!((kind.as_str(), label.as_str()), ("application", "pw"));
    assert!(scratch.trace_lines().contains(&"read one".to_owned()));
    assert_eq!(model.secret_tracked(&uri, "app/0"), Some(1));

    model.set_config("vault", [("password", "two")]).unwrap();
    model.settle().unwrap();
    let lines = scratch.trace_lines();
    assert!(
        lines.contains(&"changed shared one -> two".to_owned()),
        "{lines:?}"
    );
    assert_eq!(model.secret_tracked(&uri, "app/0"), Some(2));
    // The owner heard that revision 1 is read by nobody, and removed it.
    let removal = model
        .hook_log()
        .iter()
        .find(|r| r.hook == "secret-remove")
        .map(|r| r.unit.clone());
    assert_eq!(removal.as_deref(), Some("vault/0"), "{lines:?}");
    assert!(model.secret_content(&uri, Some(1)).is_err());
    assert_eq!(model.secret_content(&uri, None).unwrap()["password"], "two");
}

#[test]
fn rotation_and_expiry_reach_the_owner_s_leader_with_juju_s_environment() {
    let scratch = Scratch::new();
    let owner = TestCharm::new("vault")
        .config("options:\n  password:\n    type: string\n    default: one\n")
        .recording(
            &scratch.trace(),
            &format!(
                "{OWNER}\necho \"env $HOOK $JUJU_SECRET_ID $JUJU_SECRET_LABEL ${{JUJU_SECRET_REVISION:-none}}\" >> {}",
                scratch.trace().display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model
        .deploy("vault", &owner, DeployOptions::new().units(2))
        .unwrap();
    model.settle().unwrap();
    let (uri, _, _) = model.secrets().remove(0);
    model.rotate_secret(&uri).unwrap();
    model.expire_secret(&uri).unwrap();
    model.settle().unwrap();
    let lines = scratch.trace_lines();
    assert!(
        lines.contains(&format!("env secret-rotate {uri} pw none")),
        "{lines:?}"
    );
    assert!(
        lines.contains(&format!("env secret-expired {uri} pw 1")),
        "{lines:?}"
    );
    // Only the leader owns the application's secret hooks.
    assert!(
        !lines.iter().any(|l| l.starts_with("vault/1 secret-")),
        "{lines:?}"
    );
}

#[test]
fn a_user_secret_is_read_once_granted() {
    let scratch = Scratch::new();
    let reader = TestCharm::new("app")
        .config("options:\n  creds:\n    type: secret\n")
        .recording(
            &scratch.trace(),
            &format!(
                r#"[ "$HOOK" = config-changed ] && uri=$(config-get creds) && [ -n "$uri" ] && echo "got $(secret-get "$uri" user 2>&1)" >> {}
true"#,
                scratch.trace().display()
            ),
        )
        .write(scratch.path());
    let mut model = scratch.model();
    model.deploy("app", &reader, DeployOptions::new()).unwrap();
    model.settle().unwrap();
    let uri = model.add_secret("creds", &[("user", "admin")]).unwrap();
    model.set_config("app", [("creds", uri.as_str())]).unwrap();
    model.settle().unwrap();
    assert!(scratch
        .trace_lines()
        .contains(&"got ERROR permission denied".to_owned()));
    model.grant_secret("creds", "app").unwrap();
    model.set_config("app", [("creds", uri.as_str())]).unwrap();
    model.update_status().unwrap();
    model.reset_config("app", &["creds"]).unwrap();
    model.set_config("app", [("creds", uri.as_str())]).unwrap();
    model.settle().unwrap();
    assert!(
        scratch.trace_lines().contains(&"got admin".to_owned()),
        "{:?}",
        scratch.trace_lines()
    );
}
