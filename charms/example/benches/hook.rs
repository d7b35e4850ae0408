//! What one hook of the example charm costs as a whole process under the model emulator: the
//! packed charm deployed on one unit, one hook queued, `settle` timed (the hook's process,
//! its hook-tool calls over the emulator's socket, the machine commands, and the emulator
//! committing the result), and the hook-tool calls the hook made. The same for a charm whose
//! `dispatch` is an empty shell script gives the emulator's floor. `BENCH_ITERATIONS` sets
//! the runs per figure (default 200).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use charm_pack::CharmSource;
use emulator::{Catalog, DeployOptions, Model};

/// A figure's name and what fires its hook before each settle.
type Figure = (&'static str, Box<dyn Fn(&mut Model, usize)>);

fn main() {
    let runs: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let scratch = tempfile::tempdir().unwrap();
    let charm = scratch.path().join("example");
    CharmSource::new(
        env!("CARGO_MANIFEST_DIR"),
        env!("CARGO_BIN_EXE_example-charm"),
    )
    .assemble_dir(&charm)
    .unwrap();
    let empty = scratch.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    fs::write(
        empty.join("metadata.yaml"),
        "name: empty\nsummary: s\ndescription: d\n",
    )
    .unwrap();
    fs::write(
        empty.join("config.yaml"),
        "options:\n  n:\n    type: int\n    default: 0\n    description: d\n",
    )
    .unwrap();
    fs::write(empty.join("dispatch"), "#!/bin/sh\n").unwrap();
    fs::set_permissions(empty.join("dispatch"), fs::Permissions::from_mode(0o755)).unwrap();

    let mut model = Model::new(scratch.path().join("model")).unwrap();
    // The greeter's package is not Debian's: the charm's tests supply it, and so does this.
    let greeter = include_str!("../tests/it/greeter-package.yaml");
    let catalog = model
        .catalog()
        .clone()
        .with(Catalog::from_yaml(greeter).unwrap());
    model.set_catalog(catalog).unwrap();
    model
        .deploy("greeter", &charm, DeployOptions::new())
        .unwrap();
    model.deploy("empty", &empty, DeployOptions::new()).unwrap();
    let report = model.settle().unwrap();
    assert!(report.units_in_error.is_empty(), "{report:?}");

    println!("example-charm under the model emulator, one hook per settle, {runs} runs each");
    println!(
        "{:<40} {:>6} {:>8} {:>8} {:>8}",
        "hook", "calls", "mean ms", "p50 ms", "p90 ms"
    );
    let figures: [Figure; 3] = [
        (
            "greeter config-changed (restart)",
            Box::new(|m, run| {
                let greeting = if run % 2 == 0 { "Hi" } else { "Hello" };
                m.set_config("greeter", [("greeting", greeting)]).unwrap();
            }),
        ),
        (
            "greeter update-status",
            Box::new(|m, _| m.update_status().unwrap()),
        ),
        (
            "empty shell dispatch config-changed",
            Box::new(|m, run| {
                let n = i64::try_from(run).unwrap() + 1;
                m.set_config("empty", [("n", n)]).unwrap();
            }),
        ),
    ];
    for (name, trigger) in &figures {
        let mut times = Vec::with_capacity(runs);
        for run in 0..runs {
            trigger(&mut model, run);
            let start = Instant::now();
            model.settle().unwrap();
            times.push(start.elapsed());
        }
        let last = model.hook_log().last().unwrap().execution;
        let calls = model
            .tool_calls()
            .iter()
            .filter(|c| c.execution == last)
            .count();
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mean = times.iter().sum::<Duration>() / u32::try_from(times.len()).unwrap();
        println!(
            "{:<40} {:>6} {:>8.2} {:>8.2} {:>8.2}",
            name,
            calls,
            ms(mean),
            ms(times[times.len() / 2]),
            ms(times[times.len() * 9 / 10]),
        );
    }
}
