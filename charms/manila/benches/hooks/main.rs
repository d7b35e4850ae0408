//! What a hook of a fully related all-in-one manila unit costs in the model emulator, at
//! steady state, with issue 15's targets beside each figure:
//! - per event (config-changed and relation-changed with nothing to change, config-changed
//!   with `debug` toggled, update-status): hook-tool calls and machine commands with their
//!   list (written values hidden), and the wall time of the whole hook (dispatch, every
//!   hook-tool call over the emulator's socket, the machine commands, the emulator committing
//!   the result), median and 90th percentile;
//! - the same for an ops-framework charm of the same shape in the same model, and the ratio;
//! - peak RSS of the charm process per hook (`rss`), of the release build and of the binary
//!   `cargo xtask pack` ships when it has been built: the hook binary, `manila-charm` (the
//!   API actions' binary, `manila-api-actions`, runs in no hook). Measured with 3 runs: the
//!   shipped static binary at 8.2 MB, holding the API actions, took 5128 KiB on
//!   config-changed, 5000 on relation-changed, 3916 on update-status; split from them
//!   (6.4 MB), 4236-4424 KiB, and 3468 on update-status. The peak is nearly all the binary's
//!   pages a hook faults in, 64 KiB around each (the kernel's fault-around), so it follows
//!   how widely the hook's code is spread over the binary;
//! - a do-nothing dispatch against `/bin/true` (`idle`);
//! - 1, 5 and 20 back ends, 1, 3 and 7 api units, and the calls each added one costs
//!   (`shapes`).
//!
//! `cargo xtask bench` runs it after packing the charms and installing ops;
//! `cargo bench -p manila-charm --bench hooks` uses whatever of the two is there and says
//! what it skipped. `MANILA_BENCH_RUNS` sets the runs per figure (default 100; the series of
//! shapes take a tenth). For scale, the same figures for a charm whose `dispatch` is an empty
//! shell script (the emulator's floor) and for one making 40 hook-tool calls (a call's cost).
//! Nothing here asserts a time or a count: figures are printed beside their targets.

#[allow(dead_code)]
#[path = "../../tests/emulator/support.rs"]
mod support;

mod binaries;
mod calls;
mod events;
mod idle;
mod python;
mod rss;
mod shapes;
mod timing;

use std::fs;

use emulator::DeployOptions;

use binaries::Binary;
use events::Event;
use support::World;
use timing::{measure, Figure, Timer};

const APP: &str = "manila";
const UNIT: &str = "manila/0";

/// A charm with manila's two trigger options whose `dispatch` runs `body`.
fn deploy_script(world: &mut World, app: &str, body: &str) {
    let metadata = format!("name: {app}\nsummary: For scale.\ndescription: For scale.\n");
    let dir = world.script_charm(app, &metadata);
    fs::write(
        dir.join("config.yaml"),
        "options:\n  nagios_context:\n    type: string\n    default: juju\n    \
         description: Changed to fire config-changed.\n  debug:\n    type: boolean\n    \
         default: false\n    description: Unused.\n",
    )
    .unwrap();
    fs::write(dir.join("dispatch"), format!("#!/bin/sh\n{body}\n")).unwrap();
    world.model.deploy(app, &dir, DeployOptions::new()).unwrap();
}

/// The figures of one charm for every event.
struct Row {
    charm: String,
    figures: Vec<(Event, Figure)>,
}

fn main() {
    // The RSS probe is this executable under another name, started inside a unit (`rss`).
    if let Some(code) = rss::probe_mode() {
        std::process::exit(code);
    }
    let runs: usize = std::env::var("MANILA_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100)
        .max(3);
    let release = Binary::release();
    let shipped = Binary::shipped();

    let mut world = support::all_in_one();
    world.assert_ready(UNIT);
    let ops = python::libraries();
    if let Ok(libraries) = &ops {
        python::deploy(&mut world, libraries);
    }
    deploy_script(&mut world, "empty", "");
    deploy_script(
        &mut world,
        "forty-calls",
        "i=0; while [ $i -lt 40 ]; do is-leader >/dev/null; i=$((i+1)); done",
    );
    world.settle();
    world.assert_ready(UNIT);
    if ops.is_ok() {
        world.assert_ready(python::UNIT);
    }
    let timer = Timer::install(&mut world);

    let mut rows = vec![row(
        &mut world,
        &timer,
        "manila (release build)",
        (APP, UNIT),
        &Event::ALL,
        runs,
    )];
    if ops.is_ok() {
        rows.push(row(
            &mut world,
            &timer,
            "ops-api-service (ops 3.9)",
            (python::APP, python::UNIT),
            &Event::ALL,
            runs,
        ));
    }
    let scale = [
        row(
            &mut world,
            &timer,
            "empty shell dispatch",
            ("empty", "empty/0"),
            &[Event::ConfigNothing],
            runs,
        ),
        row(
            &mut world,
            &timer,
            "shell dispatch, 40 is-leader",
            ("forty-calls", "forty-calls/0"),
            &[Event::ConfigNothing],
            runs,
        ),
    ];
    world.assert_ready(UNIT);

    println!("\n== manila/0, all-in-one, fully related, steady state ({runs} runs per figure)");
    print_rows(&rows);
    print_rows(&scale);
    if let Err(skipped) = &ops {
        println!("{skipped}");
    } else {
        print_ratios(&rows[0], &rows[1]);
    }
    print_targets(&rows[0]);
    for (event, figure) in &rows[0].figures {
        print_calls(&format!("manila {}", event.label()), figure);
    }
    if ops.is_ok() {
        for (event, figure) in &rows[1].figures {
            print_calls(&format!("ops-api-service {}", event.label()), figure);
        }
    }

    println!("\n== peak RSS (VmHWM) of the charm process per hook (target <= 5 MB; max of 3 runs)");
    let measured: Vec<Binary> = std::iter::once(release.clone())
        .chain(shipped.clone())
        .collect();
    for binary in &measured {
        println!("{}: {}", binary.label, binary.describe());
        let peaks = rss::measure(&mut world, &timer, (APP, UNIT), binary, &Event::ALL, 3);
        for (event, kib, detail) in peaks {
            println!(
                "  {:<36} {:>6} KiB = {:>5.2} MB {:<15} {detail}",
                event.label(),
                kib,
                kib as f64 * 1024.0 / 1e6,
                verdict(kib * 1024 <= 5_000_000)
            );
        }
    }
    if shipped.is_none() {
        println!(
            "(no shipped binary: `cargo xtask pack` builds it into \
             target/x86_64-unknown-linux-musl/charm/, and `cargo xtask bench` runs it first)"
        );
    }
    if ops.is_ok() {
        println!("ops-api-service: its dispatch, which execs /usr/bin/python3 src/charm.py");
        for (event, kib, detail) in python_rss(&mut world, &timer) {
            println!(
                "  {:<36} {:>6} KiB = {:>5.2} MB {:<15} {detail}",
                event.label(),
                kib,
                kib as f64 * 1024.0 / 1e6,
                ""
            );
        }
    }
    world.assert_ready(UNIT);

    println!("\n== do-nothing dispatch against /bin/true (target: within 2x)");
    idle::compare(&measured, runs * 5);
    drop(world);

    println!("\n== how calls grow with the deployment (target: +1 call at most per added one)");
    let shape_runs = (runs / 10).max(3);
    shapes::backends(shape_runs);
    shapes::peers(shape_runs);
}

/// Peak RSS of the ops charm's Python process per hook, through the same probe.
fn python_rss(world: &mut World, timer: &Timer) -> Vec<(Event, u64, String)> {
    rss::measure_dispatch(world, timer, (python::APP, python::UNIT), &Event::ALL, 3)
}

fn row(
    world: &mut World,
    timer: &Timer,
    charm: &str,
    (app, unit): (&str, &str),
    events: &[Event],
    runs: usize,
) -> Row {
    let figures = events
        .iter()
        .map(|&event| (event, measure(world, timer, (app, unit), event, runs)))
        .collect();
    Row {
        charm: charm.to_owned(),
        figures,
    }
}

fn print_rows(rows: &[Row]) {
    println!(
        "\n{:<36} {:<30} {:>8} {:>8} {:>6} {:>8}",
        "event", "charm", "p50 ms", "p90 ms", "calls", "machine"
    );
    for event in Event::ALL {
        let mut label = event.label();
        for row in rows {
            let Some((_, figure)) = row.figures.iter().find(|(e, _)| *e == event) else {
                continue;
            };
            println!(
                "{:<36} {:<30} {:>8.2} {:>8.2} {:>6} {:>8}",
                label,
                row.charm,
                figure.p50_ms(),
                figure.p90_ms(),
                figure.hook_tools(),
                figure.machine()
            );
            label = "";
        }
    }
}

fn print_ratios(ours: &Row, theirs: &Row) {
    println!(
        "\n{:<36} {:>18} {:>18}",
        "ops-api-service / manila", "p50 time ratio", "calls ratio"
    );
    for ((event, a), (_, b)) in ours.figures.iter().zip(&theirs.figures) {
        println!(
            "{:<36} {:>17.2}x {:>17.2}x",
            event.label(),
            b.p50_ms() / a.p50_ms(),
            b.max_hook_tools() as f64 / a.max_hook_tools().max(1) as f64
        );
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "(target met)"
    } else {
        "(TARGET MISSED)"
    }
}

/// Issue 15's call targets against manila's figures.
fn print_targets(manila: &Row) {
    let figure = |event| &manila.figures.iter().find(|(e, _)| *e == event).unwrap().1;
    println!("\ntargets (hook-tool calls / machine commands, most over the runs):");
    for event in [Event::ConfigNothing, Event::RelationNothing] {
        let f = figure(event);
        println!(
            "  {:<36} {:>3} / {}   target <= 12 / 0 {}",
            event.label(),
            f.max_hook_tools(),
            f.max_machine(),
            verdict(f.max_hook_tools() <= 12 && f.max_machine() == 0)
        );
    }
    let debug = figure(Event::Debug);
    let nothing = figure(Event::ConfigNothing);
    println!(
        "  {:<36} {:>3} / {}   target: only what the restarts need on top: +{} calls, +{} \
         commands (see its list)",
        Event::Debug.label(),
        debug.max_hook_tools(),
        debug.max_machine(),
        debug.max_hook_tools() as i64 - nothing.max_hook_tools() as i64,
        debug.max_machine() as i64 - nothing.max_machine() as i64,
    );
    let status = figure(Event::UpdateStatus);
    println!(
        "  {:<36} {:>3} / {}   target <= 4 / <= 1 {}",
        Event::UpdateStatus.label(),
        status.max_hook_tools(),
        status.max_machine(),
        verdict(status.max_hook_tools() <= 4 && status.max_machine() <= 1)
    );
}

fn print_calls(name: &str, figure: &Figure) {
    println!("\nthe calls of one {name}:");
    for call in &figure.last.hook_tools {
        println!("  {call}");
    }
    for call in &figure.last.machine {
        println!("  [machine] {call}");
    }
}
