//! Whole-process hooks of a fully related all-in-one manila unit in the model emulator: the
//! wall time of each hook (dispatch, every hook-tool call over the emulator's socket, the
//! machine commands, and the emulator committing the result), and the hook-tool calls it
//! makes. `cargo bench -p manila-charm --bench hooks`; `MANILA_BENCH_RUNS` sets the runs per
//! figure (default 100, at least 50).
//!
//! Under `cargo bench` the charm binary is the release build (`CARGO_BIN_EXE_manila-charm`).
//! For scale, the same figures for a charm whose `dispatch` is an empty shell script (the
//! emulator's floor), and for one that makes 40 hook-tool calls (the cost of a call).

#[allow(dead_code)]
#[path = "../tests/emulator/support.rs"]
mod support;

use std::cell::RefCell;
use std::fs;
use std::rc::Rc;
use std::time::{Duration, Instant};

use emulator::{DeployOptions, HookRecord};

use support::World;

const UNIT: &str = "manila/0";

/// Hook durations as the model reports each hook done: the time since the previous one (or
/// since [`Timer::start`]).
#[derive(Clone, Default)]
struct Timer {
    inner: Rc<RefCell<TimerState>>,
}

#[derive(Default)]
struct TimerState {
    since: Option<Instant>,
    hooks: Vec<(HookRecord, Duration)>,
}

impl Timer {
    fn install(world: &mut World) -> Timer {
        let timer = Timer::default();
        let inner = timer.inner.clone();
        world.model.on_hook(move |record| {
            let mut state = inner.borrow_mut();
            let now = Instant::now();
            let took = state.since.map_or(Duration::ZERO, |t| now - t);
            state.hooks.push((record.clone(), took));
            state.since = Some(now);
        });
        timer
    }

    fn start(&self) {
        let mut state = self.inner.borrow_mut();
        state.hooks.clear();
        state.since = Some(Instant::now());
    }

    /// The one run of `hook` on `unit` since `start`.
    fn took(&self, unit: &str, hook: &str) -> (HookRecord, Duration) {
        let state = self.inner.borrow();
        let runs: Vec<&(HookRecord, Duration)> = state
            .hooks
            .iter()
            .filter(|(r, _)| r.unit == unit && r.hook == hook)
            .collect();
        assert_eq!(runs.len(), 1, "{unit} ran {hook} {} times", runs.len());
        runs[0].clone()
    }
}

/// One figure: the durations of `runs` hooks and the calls of the last.
struct Figure {
    name: String,
    durations: Vec<Duration>,
    calls: Vec<String>,
}

impl Figure {
    fn percentile(&self, p: usize) -> Duration {
        let mut sorted = self.durations.clone();
        sorted.sort();
        sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
    }

    fn print(&self) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{:<44} runs {:>4}  p50 {:>7.2} ms  p90 {:>7.2} ms  hook-tool calls {:>3}",
            self.name,
            self.durations.len(),
            ms(self.percentile(50)),
            ms(self.percentile(90)),
            self.calls.len()
        );
    }
}

/// Runs `trigger` then settles, `runs` times, timing `hook` on `unit`.
fn measure(
    world: &mut World,
    timer: &Timer,
    name: &str,
    (unit, hook): (&str, &str),
    runs: usize,
    mut trigger: impl FnMut(&mut World, usize),
) -> Figure {
    let mut durations = Vec::with_capacity(runs);
    let mut execution = 0;
    for run in 0..runs {
        trigger(world, run);
        timer.start();
        world.settle();
        let (record, took) = timer.took(unit, hook);
        durations.push(took);
        execution = record.execution;
    }
    let calls = world
        .model
        .tool_calls()
        .iter()
        .filter(|c| c.execution == execution)
        .map(|c| c.argv())
        .collect();
    Figure {
        name: name.to_owned(),
        durations,
        calls,
    }
}

/// A charm with one option whose `dispatch` runs `body`.
fn deploy_script(world: &mut World, app: &str, body: &str) {
    let metadata = format!("name: {app}\nsummary: For scale.\ndescription: For scale.\n");
    let dir = world.script_charm(app, &metadata);
    fs::write(
        dir.join("config.yaml"),
        "options:\n  n:\n    type: int\n    default: 0\n    description: Changed to fire config-changed.\n",
    )
    .unwrap();
    fs::write(dir.join("dispatch"), format!("#!/bin/sh\n{body}\n")).unwrap();
    world.model.deploy(app, &dir, DeployOptions::new()).unwrap();
}

fn main() {
    let runs: usize = std::env::var("MANILA_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100)
        .max(50);
    let mut world = support::all_in_one();
    world.assert_status(UNIT, "active", "Unit is ready");
    deploy_script(&mut world, "empty", "");
    deploy_script(
        &mut world,
        "forty-calls",
        "i=0; while [ $i -lt 40 ]; do is-leader >/dev/null; i=$((i+1)); done",
    );
    world.settle();
    let timer = Timer::install(&mut world);

    let figures = [
        measure(
            &mut world,
            &timer,
            "manila config-changed (nothing to change)",
            (UNIT, "config-changed"),
            runs,
            // An option no file reads: the hook runs, finds everything in place.
            |world, run| {
                let context = format!("bench-{run}");
                world
                    .model
                    .set_config("manila", [("nagios_context", context)])
                    .unwrap();
            },
        ),
        measure(
            &mut world,
            &timer,
            "manila config-changed (debug: 4 restarts)",
            (UNIT, "config-changed"),
            runs,
            |world, run| {
                let debug = if run % 2 == 0 { "true" } else { "false" };
                world
                    .model
                    .set_config("manila", [("debug", debug)])
                    .unwrap();
            },
        ),
        measure(
            &mut world,
            &timer,
            "manila update-status",
            (UNIT, "update-status"),
            runs,
            |world, _| world.model.update_status().unwrap(),
        ),
        measure(
            &mut world,
            &timer,
            "empty shell dispatch config-changed",
            ("empty/0", "config-changed"),
            runs,
            |world, run| {
                let n = i64::try_from(run).unwrap() + 1;
                world.model.set_config("empty", [("n", n)]).unwrap();
            },
        ),
        measure(
            &mut world,
            &timer,
            "shell dispatch, 40 calls, config-changed",
            ("forty-calls/0", "config-changed"),
            runs,
            |world, run| {
                let n = i64::try_from(run).unwrap() + 1;
                world.model.set_config("forty-calls", [("n", n)]).unwrap();
            },
        ),
    ];
    world.assert_status(UNIT, "active", "Unit is ready");

    println!();
    for figure in &figures {
        figure.print();
    }
    for figure in &figures[..3] {
        println!("\nthe calls of one {}:", figure.name);
        for call in &figure.calls {
            println!("  {call}");
        }
    }
}
