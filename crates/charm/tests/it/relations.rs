//! Relation data: cached reads, buffered writes with only the changed keys, Juju's access rules.

use charm::{Outcome, RelationError};
use juju::testing::Recorder;
use juju::{RelationId, UnitName};

use crate::support::{count, demo_charm, env, relation_env, run, transcript};

/// The calls but reading and writing unit state (where what earlier hooks read is kept).
fn reads(rec: &Recorder) -> Vec<String> {
    transcript(rec)
        .into_iter()
        .filter(|call| !call.starts_with("state-get") && !call.starts_with("state-set"))
        .collect()
}

#[test]
fn every_read_is_made_once_per_hook() {
    demo_charm!(ReadsTwice, |ctx, event| {
        for _ in 0..2 {
            let mut relations = ctx.relations();
            for relation in relations.ids("db")? {
                for unit in relations.units(&relation)? {
                    relations.unit_data(&relation, &unit)?;
                }
                let app = relations.remote_app(&relation)?.unwrap();
                relations.app_data(&relation, &app)?;
            }
        }
        Ok(())
    });
    let rec = Recorder::new()
        .answer("relation-ids", r#"["db:4"]"#)
        .answer("relation-list", r#"["pg/0","pg/1"]"#)
        .answer("relation-list", r#""pg""#)
        .answer("relation-get", r#"{"host":"10.0.0.1"}"#);
    let outcome = run::<ReadsTwice>(env("hooks/update-status"), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        reads(&rec),
        [
            "relation-ids --format=json db",
            "relation-list --format=json -r db:4",
            "relation-get --format=json -r db:4 - pg/0",
            "relation-get --format=json -r db:4 - pg/1",
            "relation-list --format=json --app -r db:4",
            "relation-get --format=json -r db:4 --app - pg",
        ]
    );
}

#[test]
fn the_remote_app_of_the_hooks_relation_comes_from_the_environment() {
    demo_charm!(AsksRemoteApp, |ctx, event| {
        let app = ctx.relations().remote_app(&"db:4".parse()?)?;
        anyhow::ensure!(app.map(|a| a.to_string()).as_deref() == Some("pg"));
        Ok(())
    });
    let rec = Recorder::new();
    let outcome = run::<AsksRemoteApp>(relation_env("db:4", "changed", Some("pg/0")), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert!(rec.calls().is_empty(), "{:?}", transcript(&rec));
}

#[test]
fn only_changed_keys_are_sent_in_one_relation_set_per_bag() {
    demo_charm!(Publishes, |ctx, event| {
        let db = "db:4".parse()?;
        let mut relations = ctx.relations();
        relations.set_unit_data(&db, [("host", "10.0.0.9"), ("port", "5432")])?;
        relations.set_unit_data(&db, [("user", "demo"), ("stale", "")])?;
        relations.set_app_data(&db, [("database", "demo")])?;
        Ok(())
    });
    let rec = Recorder::new()
        .answer("is-leader", "true")
        .answer(
            "relation-get",
            r#"{"host":"10.0.0.9","port":"5433","stale":"x","egress-subnets":"10.0.0.9/32"}"#,
        )
        .answer("relation-get", r#"{"database":"demo"}"#);
    let outcome = run::<Publishes>(relation_env("db:4", "changed", Some("pg/0")), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        reads(&rec),
        [
            "is-leader --format=json",
            "relation-get --format=json -r db:4 - demo/0",
            r#"relation-set -r db:4 --file - <<< {"port":"5432","stale":"","user":"demo"}"#,
            "relation-get --format=json -r db:4 --app - demo",
        ]
    );
}

#[test]
fn writes_that_change_nothing_send_nothing() {
    demo_charm!(Republishes, |ctx, event| {
        let db = "db:4".parse()?;
        ctx.relations()
            .set_unit_data(&db, [("host", "10.0.0.9"), ("gone", "")])?;
        Ok(())
    });
    let rec = Recorder::new().answer("relation-get", r#"{"host":"10.0.0.9"}"#);
    run::<Republishes>(relation_env("db:4", "changed", Some("pg/0")), &rec);
    assert_eq!(count(&rec, "relation-set"), 0, "{:?}", transcript(&rec));
}

#[test]
fn a_hook_reads_its_own_writes() {
    demo_charm!(ReadsBack, |ctx, event| {
        let db: RelationId = "db:4".parse()?;
        let mut relations = ctx.relations();
        relations.set_unit_data(&db, [("port", "5432"), ("old", "")])?;
        let mine = relations.local_unit_data(&db)?;
        anyhow::ensure!(
            mine.get("port").map(String::as_str) == Some("5432"),
            "{mine:?}"
        );
        anyhow::ensure!(!mine.contains_key("old"), "{mine:?}");
        anyhow::ensure!(
            mine.get("host").map(String::as_str) == Some("10.0.0.9"),
            "{mine:?}"
        );
        Ok(())
    });
    let rec = Recorder::new().answer("relation-get", r#"{"host":"10.0.0.9","old":"x"}"#);
    let outcome = run::<ReadsBack>(relation_env("db:4", "changed", Some("pg/0")), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(count(&rec, "relation-get"), 1);
}

#[test]
fn a_non_leader_app_write_is_refused_before_any_relation_call() {
    demo_charm!(WritesApp, |ctx, event| {
        let err = ctx
            .relations()
            .set_app_data(&"db:4".parse()?, [("database", "demo")])
            .unwrap_err();
        anyhow::ensure!(matches!(err, RelationError::NotLeader { .. }), "{err}");
        Ok(())
    });
    let rec = Recorder::new().answer("is-leader", "false");
    let outcome = run::<WritesApp>(relation_env("db:4", "changed", Some("pg/0")), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(reads(&rec), ["is-leader --format=json"]);
}

#[test]
fn a_non_leader_reads_its_own_app_bag_only_on_peer_relations() {
    demo_charm!(ReadsOwnApp, |ctx, event| {
        let mut relations = ctx.relations();
        let err = relations.local_app_data(&"db:4".parse()?).unwrap_err();
        anyhow::ensure!(
            err.to_string()
                == "cannot read this application's data on db:4: only the leader may, except \
                    on peer relations",
            "{err}"
        );
        let peers = relations.local_app_data(&"cluster:1".parse()?)?;
        anyhow::ensure!(peers.get("leader").map(String::as_str) == Some("demo/1"));
        Ok(())
    });
    let rec = Recorder::new()
        .answer("is-leader", "false")
        .answer("relation-get", r#"{"leader":"demo/1"}"#);
    let outcome = run::<ReadsOwnApp>(relation_env("db:4", "changed", Some("pg/0")), &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
    assert_eq!(
        reads(&rec),
        [
            "is-leader --format=json",
            "relation-get --format=json -r cluster:1 --app - demo",
        ]
    );
}

#[test]
fn an_undeclared_endpoint_is_refused_without_a_call() {
    demo_charm!(Typo, |ctx, event| {
        ctx.relations().ids("dbb")?;
        Ok(())
    });
    let rec = Recorder::new();
    let outcome = run::<Typo>(relation_env("db:4", "changed", Some("pg/0")), &rec);
    let Outcome::Failed(err) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        err.to_string(),
        "endpoint 'dbb' is not declared in metadata.yaml"
    );
    assert_eq!(count(&rec, "relation-ids"), 0);
}

#[test]
fn relation_events_reach_the_charm_typed() {
    demo_charm!(Departs, |ctx, event| {
        let charm::Event::RelationDeparted(departed) = event else {
            anyhow::bail!("{event:?}")
        };
        let pg1: UnitName = "pg/1".parse()?;
        anyhow::ensure!(departed.remote_unit == pg1 && departed.departing_unit == pg1);
        anyhow::ensure!(ctx.event() == event);
        Ok(())
    });
    let mut env = relation_env("db:4", "departed", Some("pg/1"));
    env.departing_unit = Some("pg/1".parse().unwrap());
    let rec = Recorder::new();
    let outcome = run::<Departs>(env, &rec);
    assert!(matches!(outcome, Outcome::Handled), "{outcome:?}");
}
