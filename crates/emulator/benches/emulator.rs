//! What the emulator itself costs: one hook-tool call (shim process + socket + engine), one
//! hook of a trivial charm confined and unconfined (the sandbox's cost), settling a 10-unit model, one `juju exec`, and scenario runs.
//! Plain `std::time`, many iterations; run with `cargo bench -p emulator`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use emulator::hooktools::{self, HookContext};
use emulator::scenario::{Event, Scenario, State};
use emulator::{DeployOptions, Model};
use serde_json::Map;

const LOOP_CALLS: u32 = 1000;

fn main() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut rows = Vec::new();

    // The engine alone, in process.
    let mut ctx = HookContext::default();
    let n = 200_000;
    let started = Instant::now();
    for _ in 0..n {
        hooktools::execute(&mut ctx, "is-leader", &[], Path::new("/"), None);
        ctx.calls.clear();
    }
    rows.push(("engine: is-leader, in process", n, started.elapsed() / n));

    // One tool call from a hook: a shell loop calling `is-leader`, against the same loop
    // calling /bin/true (what any process spawn costs).
    let looper = charm(
        scratch.path(),
        "looper",
        &format!(
            "#!/bin/sh\ncase \"$JUJU_DISPATCH_PATH\" in\nactions/tool) i=0; while [ $i -lt {LOOP_CALLS} ]; do is-leader >/dev/null; i=$((i+1)); done ;;\nactions/spawn) i=0; while [ $i -lt {LOOP_CALLS} ]; do /bin/true; i=$((i+1)); done ;;\nesac\n"
        ),
        "tool: {}\nspawn: {}\n",
    );
    let mut model = Model::new(scratch.path().join("calls")).expect("model");
    model
        .deploy("looper", &looper, DeployOptions::new())
        .expect("deploy");
    model.settle().expect("settle");
    let time_action = |model: &mut Model, action: &str| {
        let runs = 5;
        let started = Instant::now();
        for _ in 0..runs {
            model
                .run_action("looper/0", action, Map::new())
                .expect("action");
        }
        started.elapsed() / (runs * LOOP_CALLS)
    };
    let spawn = time_action(&mut model, "spawn");
    let tool = time_action(&mut model, "tool");
    rows.push((
        "hook-tool call from a hook (fork+exec shim, socket, engine)",
        5 * LOOP_CALLS,
        tool,
    ));
    rows.push((
        "  of which a bare process spawn (/bin/true)",
        5 * LOOP_CALLS,
        spawn,
    ));

    // One hook of the cheapest charm there is: dispatch is /bin/true.
    let trivial = scratch.path().join("trivial");
    fs::create_dir_all(&trivial).expect("charm dir");
    fs::write(
        trivial.join("metadata.yaml"),
        "name: trivial\nsummary: s\ndescription: d\npeers:\n  cluster:\n    interface: trivial\n",
    )
    .expect("metadata");
    fs::copy("/bin/true", trivial.join("dispatch")).expect("dispatch");
    let mut model = Model::new(scratch.path().join("hooks")).expect("model");
    model
        .deploy("trivial", &trivial, DeployOptions::new())
        .expect("deploy");
    model.settle().expect("settle");
    let n = 300;
    let started = Instant::now();
    for _ in 0..n {
        model.update_status().expect("update-status");
        model.settle().expect("settle");
    }
    let confined = started.elapsed() / n;
    rows.push((
        "hook of a trivial charm, confined (bubblewrap sandbox)",
        n,
        confined,
    ));

    // The same hook unconfined: a real-host model runs it on this host as it is, so the
    // difference is what the sandbox costs per hook.
    let mut host_model = Model::new(scratch.path().join("host-hooks")).expect("model");
    host_model
        .set_real_host(emulator::RealHost::new())
        .expect("real-host mode");
    host_model
        .deploy("trivial", &trivial, DeployOptions::new())
        .expect("deploy");
    host_model.settle().expect("settle");
    let started = Instant::now();
    for _ in 0..n {
        host_model.update_status().expect("update-status");
        host_model.settle().expect("settle");
    }
    let unconfined = started.elapsed() / n;
    rows.push((
        "hook of a trivial charm, unconfined (real-host mode)",
        n,
        unconfined,
    ));

    // Settling a 10-unit model from deploy: 10 × (install, created, leader, config, start)
    // plus 90 peer joined/changed pairs.
    let runs = 5;
    let mut hooks = 0;
    let started = Instant::now();
    for run in 0..runs {
        let mut model = Model::new(scratch.path().join(format!("ten-{run}"))).expect("model");
        model
            .deploy("trivial", &trivial, DeployOptions::new().units(10))
            .expect("deploy");
        hooks = model.settle().expect("settle").executions;
    }
    let per_settle = started.elapsed() / runs;
    rows.push((
        "settle a 10-unit peer model (deploy to quiet)",
        runs,
        per_settle,
    ));

    // `juju exec` of `true` on a settled unit: bash, the hook context, the commit.
    let n = 100;
    let started = Instant::now();
    for _ in 0..n {
        model.exec("trivial/0", &["true"]).expect("exec");
    }
    rows.push(("juju exec of `true`", n, started.elapsed() / n));

    // Scenario runs: a closure making one hook-tool call in process, and one that also runs
    // one machine command through the host (shim process, socket).
    let scenario = Scenario::from_yaml("name: trivial\nsummary: s\ndescription: d\n", None, None)
        .expect("scenario");
    let n = 200;
    let started = Instant::now();
    for _ in 0..n {
        scenario
            .run(Event::UpdateStatus, &State::default(), |_, tools, _| {
                i32::from(juju::HookTools::new(tools).is_leader().is_err())
            })
            .expect("run");
    }
    rows.push((
        "scenario run, one in-process hook-tool call",
        n,
        started.elapsed() / n,
    ));
    let started = Instant::now();
    for _ in 0..n {
        scenario
            .run(Event::UpdateStatus, &State::default(), |_, _, host| {
                i32::from(host.installed_version("haproxy").is_err())
            })
            .expect("run");
    }
    rows.push((
        "scenario run, one machine command through the host",
        n,
        started.elapsed() / n,
    ));

    println!("\n{:<62} {:>8} {:>12}", "measurement", "n", "mean");
    for (name, n, mean) in &rows {
        println!("{name:<62} {n:>8} {:>12}", show(*mean));
    }
    println!(
        "\nhook-tool call minus a bare process spawn: {:+.1} µs",
        (tool.as_nanos() as f64 - spawn.as_nanos() as f64) / 1e3
    );
    println!(
        "the sandbox per hook: {:+.2} ms",
        (confined.as_nanos() as f64 - unconfined.as_nanos() as f64) / 1e6
    );
    println!(
        "10-unit settle ran {hooks} hooks: {} per hook",
        show(per_settle / hooks.max(1) as u32)
    );
}

fn charm(parent: &Path, name: &str, dispatch: &str, actions: &str) -> PathBuf {
    let metadata = format!("name: {name}\nsummary: s\ndescription: d\n");
    let dir = emulator::script_charm(parent, name, &metadata, dispatch).expect("charm dir");
    fs::write(dir.join("actions.yaml"), actions).expect("actions");
    dir
}

fn show(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos >= 1_000_000 {
        format!("{:.2} ms", nanos as f64 / 1e6)
    } else {
        format!("{:.1} µs", nanos as f64 / 1e3)
    }
}
