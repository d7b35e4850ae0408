//! How the cost of a hook on manila/0 grows with the deployment: 1, 5 and 20 back ends
//! (generic back-end subordinates, each its own application related over manila-plugin) and
//! 1, 3 and 7 units of the all-in-one application (its peers). Each series grows one model,
//! so the figures differ only by what was added; the increment per added back end or peer is
//! printed beside them.

use emulator::DeployOptions;
use manila_testbed::Charm;

use crate::events::Event;
use crate::support::{self, World};
use crate::timing::{measure, Figure, Timer};

const APP: &str = "manila";
const UNIT: &str = "manila/0";

/// One shape: how many of the thing there are, and each event's figure.
struct Shape {
    count: usize,
    figures: Vec<(Event, Figure)>,
}

fn measure_shape(world: &mut World, timer: &Timer, count: usize, runs: usize) -> Shape {
    world.assert_ready(UNIT);
    let figures = Event::ALL
        .iter()
        .map(|&event| (event, measure(world, timer, (APP, UNIT), event, runs)))
        .collect();
    world.assert_ready(UNIT);
    Shape { count, figures }
}

/// 1, 5 and 20 back ends: the all-in-one's generic back end, then more, each with a back-end
/// name of its own and without share servers (nothing else needed to publish).
pub(crate) fn backends(runs: usize) {
    let mut world = support::all_in_one();
    let timer = Timer::install(&mut world);
    let mut shapes = vec![measure_shape(&mut world, &timer, 1, runs)];
    let mut count = 1;
    for target in [5, 20] {
        while count < target {
            count += 1;
            let app = format!("backend{count}");
            world.deploy(
                &app,
                Charm::GenericBackend,
                DeployOptions::new()
                    .config("share-backend-name", format!("bench{count}"))
                    .config("driver-handles-share-servers", false),
            );
            world
                .model
                .relate(
                    &format!("{APP}:manila-plugin"),
                    &format!("{app}:manila-plugin"),
                )
                .unwrap();
        }
        world.settle();
        // Each back end counted must be one manila uses.
        assert_eq!(world.manila_conf(UNIT).enabled_backends().len(), count);
        shapes.push(measure_shape(&mut world, &timer, count, runs));
    }
    print("back ends", &shapes);
}

/// 1, 3 and 7 units of the all-in-one application, each with its back end subordinate.
pub(crate) fn peers(runs: usize) {
    let mut world = support::all_in_one();
    let timer = Timer::install(&mut world);
    let mut shapes = vec![measure_shape(&mut world, &timer, 1, runs)];
    let mut count = 1;
    for target in [3, 7] {
        world
            .model
            .add_unit(APP, u32::try_from(target - count).unwrap())
            .unwrap();
        count = target;
        world.settle();
        // Each unit counted must be a peer manila/0 sees.
        assert_eq!(peers_seen(&world), count - 1);
        shapes.push(measure_shape(&mut world, &timer, count, runs));
    }
    print("api units", &shapes);
}

/// The other units manila/0 sees on its peer relation.
fn peers_seen(world: &World) -> usize {
    let peers = world
        .model
        .relation_ids()
        .into_iter()
        .find(|&id| {
            let endpoints = world.model.relation_endpoints(id).unwrap();
            endpoints.iter().all(|e| e == &format!("{APP}:cluster"))
        })
        .expect("manila's peer relation");
    world.model.relation_members(peers, UNIT).unwrap().len()
}

/// One row per event and shape, and the increment of hook-tool calls per added `what` from
/// one shape to the next.
fn print(what: &str, shapes: &[Shape]) {
    println!(
        "\n{:<36} {:>4} {:>8} {:>8} {:>7} {:>7} {:>14}",
        format!("manila/0 with N {what}"),
        "N",
        "p50 ms",
        "p90 ms",
        "calls",
        "machine",
        "+calls per +1"
    );
    for (i, &event) in Event::ALL.iter().enumerate() {
        for (j, shape) in shapes.iter().enumerate() {
            let figure = &shape.figures[i].1;
            let increment = match j.checked_sub(1).map(|k| &shapes[k]) {
                Some(before) => {
                    let added = (shape.count - before.count) as f64;
                    let grew = figure.max_hook_tools() as f64
                        - before.figures[i].1.max_hook_tools() as f64;
                    format!("{:+.2}", grew / added)
                }
                None => String::new(),
            };
            println!(
                "{:<36} {:>4} {:>8.2} {:>8.2} {:>7} {:>7} {:>14}",
                if j == 0 { event.label() } else { "" },
                shape.count,
                figure.p50_ms(),
                figure.p90_ms(),
                figure.hook_tools(),
                figure.machine(),
                increment
            );
        }
    }
    // The calls that came with the shape: what a reader needs to see why an increment is
    // what it is.
    let (first, last) = (&shapes[0], &shapes[shapes.len() - 1]);
    for (i, &event) in Event::ALL.iter().enumerate() {
        let before = &first.figures[i].1.last.hook_tools;
        let after = &last.figures[i].1.last.hook_tools;
        let added: Vec<&String> = after.iter().filter(|c| !before.contains(c)).collect();
        if !added.is_empty() {
            println!(
                "  {} with {} {what} over {}: {} more calls, new ones:",
                event.label(),
                last.count,
                first.count,
                after.len() as i64 - before.len() as i64
            );
            for call in added {
                println!("    {call}");
            }
        }
    }
}
