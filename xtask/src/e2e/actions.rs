//! The manila charm's Manila-API actions run as an operator would, `juju run manila/0 …`
//! through the emulator (issue #9): the charm acts as its own keystone service user, while
//! the scenario's admin client makes the share to protect and checks what the actions did.

use anyhow::{bail, Context, Result};
use emulator::{ActionStatus, Model};
use manila_client::Client;
use serde_json::{json, Map, Value};

use super::{create_share, delete_share, delete_snapshot, new_share, stage, WAIT};

const UNIT: &str = "manila/0";

/// What the stage made, for the clean-up whatever the outcome.
#[derive(Default)]
struct Made {
    share_type: Option<String>,
    snapshot: Option<String>,
    /// Shares in Manila's care, in the order they were made.
    shares: Vec<String>,
}

pub(super) fn api_actions(model: &mut Model, manila: &Client) -> Result<()> {
    stage("manila's API actions through run: share type, protect, restore, unmanage, manage");
    let mut made = Made::default();
    let outcome = sequence(model, manila, &mut made);
    let cleaned = clean_up(model, manila, &made);
    match (outcome, cleaned) {
        (Ok(()), cleaned) => cleaned,
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(cleanup)) => Err(e.context(format!("and the clean-up failed: {cleanup:#}"))),
    }
}

fn sequence(model: &mut Model, manila: &Client, made: &mut Made) -> Result<()> {
    // Without a name the action creates the type the charm configures as Manila's default;
    // the scenario's own types ("default", "dummy2") have other names.
    let default_type = model
        .config("manila")?
        .get("default-share-type")
        .and_then(Value::as_str)
        .context("manila has no default-share-type option value")?
        .to_owned();
    let created = run(
        model,
        "create-share-type",
        json!({"extra-specs": "snapshot_support=True create_share_from_snapshot_support=True"}),
    )?;
    let type_id = result(&created, "create-share-type", "id")?;
    made.share_type = Some(type_id.clone());
    if result(&created, "create-share-type", "name")? != default_type {
        bail!("create-share-type without a name should create '{default_type}': {created:?}");
    }
    let specs = manila.show_share_type(&type_id)?.extra_specs;
    for spec in ["snapshot_support", "create_share_from_snapshot_support"] {
        if !specs
            .get(spec)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            bail!("share type {default_type} should have {spec}=True: {specs:?}");
        }
    }
    eprintln!("    create-share-type: {default_type} ({type_id})");

    let share = create_share(manila, &new_share("e2e-act", Some(&type_id)))?.id;
    made.shares.push(share.clone());

    let protected = run(
        model,
        "protect-share",
        json!({"share-id": share, "snapshot-name": "daily"}),
    )?;
    let snapshot = result(&protected, "protect-share", "snapshot-id")?;
    made.snapshot = Some(snapshot.clone());
    expect_result(&protected, "protect-share", "status", "available")?;
    expect_result(&protected, "protect-share", "share-id", &share)?;
    manila.wait_for_snapshot(&snapshot, "available", WAIT)?;
    eprintln!("    protect-share: snapshot {snapshot} of share {share}");

    let restored = run(
        model,
        "restore-share",
        json!({"snapshot-id": snapshot, "restore-name": "restored"}),
    )?;
    let restored_id = result(&restored, "restore-share", "share-id")?;
    made.shares.push(restored_id.clone());
    expect_result(&restored, "restore-share", "status", "available")?;
    expect_result(&restored, "restore-share", "share-name", "restored")?;
    let exports: Vec<String> =
        serde_json::from_str(&result(&restored, "restore-share", "export-locations")?)
            .context("restore-share's export-locations is not a JSON list of paths")?;
    let export = exports
        .first()
        .with_context(|| format!("restore-share gave no export location: {restored:?}"))?
        .clone();
    let restored_share = manila.wait_for_share(&restored_id, "available", WAIT)?;
    if restored_share.snapshot_id.as_deref() != Some(snapshot.as_str()) {
        bail!(
            "restored share {restored_id} should come from snapshot {snapshot}: \
             {restored_share:?}"
        );
    }
    let host = restored_share
        .host
        .with_context(|| format!("restored share {restored_id} has no host"))?;
    eprintln!("    restore-share: share {restored_id} on {host} at {export}");

    let deleted = run(model, "delete-protection", json!({"snapshot-id": snapshot}))?;
    expect_result(&deleted, "delete-protection", "deleted", &snapshot)?;
    manila.wait_for_snapshot_gone(&snapshot, WAIT)?;
    made.snapshot = None;
    eprintln!("    delete-protection: snapshot {snapshot} gone");

    let unmanaged = run(model, "unmanage-share", json!({"share-id": restored_id}))?;
    expect_result(&unmanaged, "unmanage-share", "unmanaged", &restored_id)?;
    manila.wait_for_share_gone(&restored_id, WAIT)?;
    made.shares.retain(|s| *s != restored_id);
    eprintln!("    unmanage-share: share {restored_id} no longer Manila's");

    // The share type defaults to the charm's default-share-type: the one made above.
    let managed = run(
        model,
        "manage-share",
        json!({"export-path": export, "service-host": host, "name": "managed"}),
    )?;
    let managed_id = result(&managed, "manage-share", "share-id")?;
    made.shares.push(managed_id.clone());
    expect_result(&managed, "manage-share", "status", "available")?;
    expect_result(&managed, "manage-share", "share-type", &default_type)?;
    let managed_share = manila.wait_for_share(&managed_id, "available", WAIT)?;
    if managed_share.host.as_deref() != Some(host.as_str()) {
        bail!("managed share {managed_id} should be on {host}: {managed_share:?}");
    }
    eprintln!("    manage-share: {export} is share {managed_id} again");
    Ok(())
}

/// Deletes what the stage made and is still there: the snapshot, then the shares, then the
/// share type (through the charm's delete-share-type action).
fn clean_up(model: &mut Model, manila: &Client, made: &Made) -> Result<()> {
    if let Some(snapshot) = &made.snapshot {
        delete_snapshot(manila, snapshot)?;
    }
    for share in made.shares.iter().rev() {
        delete_share(manila, share)?;
    }
    if let Some(share_type) = &made.share_type {
        let deleted = run(
            model,
            "delete-share-type",
            json!({"share-type": share_type}),
        )?;
        expect_result(&deleted, "delete-share-type", "deleted", share_type)?;
        if manila
            .list_share_types()?
            .iter()
            .any(|t| t.id == *share_type)
        {
            bail!("share type {share_type} is still listed after delete-share-type");
        }
    }
    eprintln!(
        "    cleaned up: {} share(s) and the share type",
        made.shares.len()
    );
    Ok(())
}

/// `juju run manila/0 <action> <params>`: its results when it completed.
fn run(model: &mut Model, action: &str, params: Value) -> Result<Map<String, Value>> {
    let params = match params {
        Value::Object(params) => params,
        other => bail!("{action}: params must be an object, not {other}"),
    };
    let outcome = model
        .run_action(UNIT, action, params)
        .with_context(|| format!("juju run {UNIT} {action}"))?;
    if outcome.status != ActionStatus::Completed {
        bail!(
            "juju run {UNIT} {action} failed: {}; results {:?}",
            outcome.message.as_deref().unwrap_or("(no message)"),
            outcome.results
        );
    }
    Ok(outcome.results)
}

fn result(results: &Map<String, Value>, action: &str, key: &str) -> Result<String> {
    results
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("{action} gave no '{key}': {results:?}"))
}

fn expect_result(results: &Map<String, Value>, action: &str, key: &str, want: &str) -> Result<()> {
    let got = result(results, action, key)?;
    if got != want {
        bail!("{action}: '{key}' is '{got}', not '{want}': {results:?}");
    }
    Ok(())
}
