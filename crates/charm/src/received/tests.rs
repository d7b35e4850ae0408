use databag::{fields, FieldErrorKind, Required};

use super::*;

fn unit(name: &str) -> UnitName {
    name.parse().unwrap()
}

fn bag(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A toy interface: each unit sends `host` (a host name) and `password`; the relation is
/// ready when any unit is, and reads as the sorted hosts of the ready units.
fn check(bag: &Bag) -> Result<Readiness<()>, FieldError> {
    let mut required = Required::new(bag);
    let host = required.host("host")?;
    let password = required.secret("password")?;
    match (host, password) {
        (Some(_), Some(_)) => Ok(Readiness::Ready(())),
        _ => Ok(required.incomplete()),
    }
}

fn hosts(units: &BTreeMap<UnitName, Bag>) -> Result<Readiness<Vec<String>>, UnitError> {
    let mut hosts = Vec::new();
    for (name, bag) in units {
        if let Readiness::Ready(()) = check(bag).map_err(|e| e.from_unit(name))? {
            hosts.push(fields::text(bag, "host").unwrap().unwrap().to_owned());
        }
    }
    if hosts.is_empty() {
        Ok(Readiness::waiting_for(["host", "password"]))
    } else {
        Ok(Readiness::Ready(hosts))
    }
}

fn receive(
    current: &[(&str, Bag)],
    kept: &BTreeMap<UnitName, Bag>,
) -> (Received<Vec<String>>, Option<BTreeMap<UnitName, Bag>>) {
    let current = current.iter().map(|(u, b)| (unit(u), b.clone())).collect();
    receive_relation(&current, kept, check, hosts)
}

fn good(host: &str) -> Bag {
    bag(&[("host", host), ("password", "pw")])
}

#[test]
fn complete_data_is_used_and_kept() {
    let (received, keep) = receive(&[("db/0", good("db0"))], &BTreeMap::new());
    assert_eq!(received.ready(), Some(&vec!["db0".to_owned()]));
    assert_eq!(received.status("shared-db"), None);
    assert_eq!(keep.unwrap()[&unit("db/0")], good("db0"));
}

#[test]
fn data_never_complete_is_incomplete_or_names_the_malformed_key() {
    let (received, keep) = receive(&[("db/0", bag(&[("host", "db0")]))], &BTreeMap::new());
    assert_eq!(
        received.status("shared-db"),
        Some(UnitStatus::new(Status::Waiting, "'shared-db' incomplete"))
    );
    assert_eq!(keep, None);
    let (received, _) = receive(&[("db/0", good("db 0"))], &BTreeMap::new());
    assert_eq!(
        received.status("shared-db"),
        Some(UnitStatus::new(
            Status::Blocked,
            "'shared-db' from db/0: relation key `host`: expected a host name or IP address, \
             got \"db 0\""
        ))
    );
    assert!(received.ready().is_none());
}

#[test]
fn a_malformed_update_keeps_the_last_good_data_and_says_so() {
    let (_, keep) = receive(&[("db/0", good("db0"))], &BTreeMap::new());
    let kept = keep.unwrap();
    let hostile = bag(&[("host", "db0"), ("password", "pw\n[DEFAULT]\ndebug = True")]);
    let (received, keep) = receive(&[("db/0", hostile)], &kept);
    assert_eq!(received.ready(), Some(&vec!["db0".to_owned()]));
    let status = received.status("shared-db").unwrap();
    assert_eq!(status.status, Status::Blocked);
    assert_eq!(
        status.message,
        "'shared-db' from db/0: relation key `password`: contains a line break or another \
         control character (using the last good data)"
    );
    assert!(!status.message.contains('\n'));
    // What is kept stays the good bag, not the hostile one.
    assert_eq!(keep.unwrap()[&unit("db/0")], good("db0"));
    assert!(matches!(
        &received.problems()[0],
        Problem::Malformed(e) if matches!(e.error.kind(), FieldErrorKind::ControlCharacter)
    ));
}

#[test]
fn a_withdrawn_key_keeps_the_last_good_data() {
    let kept = BTreeMap::from([(unit("db/0"), good("db0"))]);
    let (received, _) = receive(&[("db/0", bag(&[("host", "db0")]))], &kept);
    assert_eq!(received.ready(), Some(&vec!["db0".to_owned()]));
    assert_eq!(
        received.status("shared-db").unwrap().message,
        "'shared-db' from db/0: no longer sent: 'password' (using the last good data)"
    );
}

#[test]
fn when_every_unit_left_the_kept_data_stands_until_the_relation_goes() {
    let kept = BTreeMap::from([(unit("db/0"), good("db0"))]);
    let (received, keep) = receive(&[], &kept);
    assert_eq!(received.ready(), Some(&vec!["db0".to_owned()]));
    assert_eq!(
        received.status("shared-db"),
        Some(UnitStatus::new(
            Status::Waiting,
            "'shared-db' no remote unit sends 'host', 'password' (using the last good data)"
        ))
    );
    assert_eq!(keep, None);
    // The replacement answers: its data is current, the departed unit's forgotten.
    let (received, keep) = receive(&[("db/1", good("db1"))], &kept);
    assert_eq!(received.ready(), Some(&vec!["db1".to_owned()]));
    assert_eq!(keep.unwrap().keys().collect::<Vec<_>>(), [&unit("db/1")]);
}

#[test]
fn one_bad_unit_among_good_ones_is_named_and_keeps_its_own_last_good_bag() {
    let kept = BTreeMap::from([(unit("mq/0"), good("mq0")), (unit("mq/1"), good("mq1"))]);
    let (received, keep) = receive(&[("mq/0", good("mq0")), ("mq/1", good("mq 1"))], &kept);
    assert_eq!(
        received.ready(),
        Some(&vec!["mq0".to_owned(), "mq1".to_owned()])
    );
    assert!(received
        .status("amqp")
        .unwrap()
        .message
        .starts_with("'amqp' from mq/1:"));
    assert_eq!(keep.unwrap()[&unit("mq/1")], good("mq1"));
    // Without a last good bag for it, the bad unit is left out and the others serve.
    let (received, _) = receive(
        &[("mq/0", good("mq0")), ("mq/2", good("mq 2"))],
        &BTreeMap::from([(unit("mq/0"), good("mq0"))]),
    );
    assert_eq!(received.ready(), Some(&vec!["mq0".to_owned()]));
    assert!(received
        .status("amqp")
        .unwrap()
        .message
        .ends_with("(left out)"));
}

#[test]
fn statuses_combine_at_the_worst_level() {
    let missing: Received<()> = Received::Missing;
    let incomplete: Received<()> = Received::Incomplete {
        missing: vec![],
        problems: vec![],
    };
    assert_eq!(
        relations_status(&[incomplete.status("amqp"), missing.status("shared-db"), None]),
        Some(UnitStatus::new(
            Status::Blocked,
            "'amqp' incomplete, 'shared-db' missing"
        ))
    );
    assert_eq!(relations_status(&[None, None]), None);
}

#[test]
fn kept_bags_round_trip_through_unit_state_text() {
    let bags = BTreeMap::from([(unit("db/0"), good("db0"))]);
    assert_eq!(decode(&encode(&bags)), bags);
    assert!(decode("not json").is_empty());
}
