//! A seeded settle runs hooks in a different order across units, and a charm written as Juju
//! requires still converges.

use emulator::{DeployOptions, Model};

use crate::support::{Scratch, TestCharm};

/// Each unit publishes its number; the leader gathers them into the peer application bag;
/// every unit shows the gathered list.
const GATHER: &str = r#"rid=$(relation-ids cluster)
app=${JUJU_UNIT_NAME%/*}
case "$HOOK" in
cluster-relation-created) relation-set -r "$rid" n="${JUJU_UNIT_NAME#*/}" ;;
esac
if [ -n "$rid" ] && [ "$(is-leader --format=json)" = true ]; then
  all="${JUJU_UNIT_NAME#*/}"
  for u in $(relation-list -r "$rid"); do
    n=$(relation-get -r "$rid" n "$u")
    [ -n "$n" ] && all="$all
$n"
  done
  members=$(echo "$all" | sort -n | paste -sd, -)
  relation-set -r "$rid" --app members="$members"
fi
if [ -n "$rid" ]; then
  members=$(relation-get -r "$rid" --app members "$app")
  [ -n "$members" ] && status-set active "members: $members"
fi
true"#;

fn converge(scratch: &Scratch, seed: Option<u64>) -> (Model, Vec<String>) {
    let charm = TestCharm::new("agg")
        .metadata("peers:\n  cluster:\n    interface: agg\n")
        .recording(&scratch.trace(), GATHER)
        .write(scratch.path());
    let mut model = Model::new(scratch.path().join(format!("model-{seed:?}"))).unwrap();
    model
        .deploy("agg", &charm, DeployOptions::new().units(4))
        .unwrap();
    let report = match seed {
        Some(seed) => model.settle_seeded(seed).unwrap(),
        None => model.settle().unwrap(),
    };
    assert!(report.units_in_error.is_empty());
    let order = model.hook_log().iter().map(|r| r.summary()).collect();
    (model, order)
}

#[test]
fn every_seeded_order_converges_to_the_same_state() {
    let scratch = Scratch::new();
    let mut orders = Vec::new();
    for seed in [None, Some(1), Some(2), Some(3), Some(4)] {
        let (model, order) = converge(&scratch, seed);
        let peer = model.relation_id("agg:cluster", "agg:cluster").unwrap();
        assert_eq!(
            model.app_bag(peer, "agg").unwrap()["members"],
            "0,1,2,3",
            "seed {seed:?}"
        );
        for unit in model.units("agg") {
            assert_eq!(
                model.unit_status(&unit).unwrap().message,
                "members: 0,1,2,3",
                "{unit} with seed {seed:?}"
            );
        }
        // Whatever the interleaving, each unit's own hooks keep Juju's order.
        for unit in model.units("agg") {
            let own: Vec<&String> = order
                .iter()
                .filter(|h| h.starts_with(&format!("{unit} ")))
                .collect();
            assert!(own[0].ends_with(" install"), "{own:?}");
            let start = own.iter().position(|h| h.ends_with(" start")).unwrap();
            assert!(
                own[..start].iter().all(|h| !h.contains("relation-joined")),
                "{own:?}"
            );
        }
        orders.push(order);
    }
    orders.sort();
    orders.dedup();
    assert!(
        orders.len() >= 3,
        "seeds should give different interleavings"
    );
}

#[test]
fn the_same_seed_gives_the_same_order() {
    let first = converge(&Scratch::new(), Some(7)).1;
    let second = converge(&Scratch::new(), Some(7)).1;
    assert_eq!(first, second);
}
