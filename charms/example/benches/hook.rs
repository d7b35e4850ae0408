//! What one hook of the example charm costs as a whole process: spawn the built binary with
//! scripted hook tools first on `PATH` (as the process-level tests do), wait for it, repeat.
//!
//! The scripted tools are `/bin/sh` scripts, far slower than Juju's `jujuc` or the emulator's
//! shim, so the table also shows the charm's own time: the hook's time minus the same tool
//! calls replayed straight from the benchmark, and the same hook run in process
//! (`charm::dispatch` with a `Recorder`), which is the charm's work without its process start.
//! `BENCH_ITERATIONS` sets the number of runs (default 300).

#[path = "../tests/it/fake_juju.rs"]
mod fake_juju;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use example_charm::Example;
use fake_juju::FakeJuju;
use juju::testing::Recorder;

const CONFIG: &str = r#"{"greeting":"Hello","port":8080,"shout":false}"#;

struct Scenario {
    name: &'static str,
    dispatch_path: &'static str,
    /// Canned stdout per tool, served by the scripts and by the in-process recorder alike.
    answers: Vec<(String, String)>,
    fake: FakeJuju,
}

fn main() {
    let binary = Path::new(env!("CARGO_BIN_EXE_example-charm"));
    let iterations: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);

    let scenarios = scenarios(binary);
    let tool_cost = scripted_tool_cost(&scenarios[0].fake, iterations);
    let bare_start = median(&time_runs(iterations, || {
        // The binary outside a hook: process start, environment check, exit.
        let status = Command::new(binary)
            .env_clear()
            .stderr(Stdio::null())
            .status()
            .expect("the charm binary runs");
        assert_eq!(status.code(), Some(1));
    }));

    println!("example-charm, one hook per process, {iterations} runs each");
    println!(
        "one scripted tool call: {:.2} ms; charm binary start and exit outside a hook: {:.2} ms",
        ms(tool_cost),
        ms(bare_start)
    );
    println!();
    println!(
        "{:<44} {:>6} {:>8} {:>8} {:>8} {:>10} {:>12}",
        "hook", "calls", "mean ms", "p50 ms", "p90 ms", "own p50 ms", "in-proc p50"
    );
    for scenario in &scenarios {
        let before = scenario.fake.calls().len();
        run_hook(binary, scenario);
        let calls: Vec<String> = scenario.fake.calls()[before..].to_vec();
        let times = time_runs(iterations, || run_hook(binary, scenario));
        let p50 = median(&times);
        let runner = median(&time_runs(iterations, || replay(&scenario.fake, &calls)));
        let in_process = median(&time_runs(iterations, || scenario.run_in_process()));
        println!(
            "{:<44} {:>6} {:>8.2} {:>8.2} {:>8.2} {:>10.2} {:>12.3}",
            scenario.name,
            calls.len(),
            ms(mean(&times)),
            ms(p50),
            ms(times[times.len() * 9 / 10]),
            ms(p50.saturating_sub(runner)),
            ms(in_process)
        );
    }
    println!();
    println!("calls: hook tools and the `service` command, each a spawned /bin/sh script here;");
    println!("own p50: the median minus the same calls replayed straight from the bench (the");
    println!("runner's share), i.e. the charm process's own cost including its start.");
    println!("in-proc p50: charm::dispatch in this process with a Recorder answering the tools");
    println!("(no process start, no tool processes; a restart still runs the `service` script).");
}

fn scenarios(binary: &Path) -> Vec<Scenario> {
    let fresh = [
        ("config-get", CONFIG.to_owned()),
        ("is-leader", "true".to_owned()),
        ("state-get", "{}".to_owned()),
        ("relation-ids", "[]".to_owned()),
    ];
    let first = Scenario::new(
        "config-changed: render, restart, port, status",
        "hooks/config-changed",
        &fresh,
    );

    // Serving back the state the first hook stores, on the machine it left, nothing changes.
    let out = first
        .fake
        .command(binary, "hooks/config-changed")
        .output()
        .expect("the charm binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored = first
        .fake
        .calls()
        .iter()
        .find_map(|c| c.strip_prefix("state-set --file - <<< ").map(str::to_owned))
        .expect("the first hook stores state");
    let mut settled = fresh.clone();
    settled[2].1 = stored.clone();
    let steady = Scenario::new(
        "update-status: nothing changed",
        "hooks/update-status",
        &settled,
    );
    let conf = "etc/example/greeter.conf";
    std::fs::create_dir_all(steady.fake.root().join("etc/example")).expect("a directory");
    // fs::copy keeps the mode, so the file is exactly as the first hook left it.
    std::fs::copy(first.fake.root().join(conf), steady.fake.root().join(conf))
        .expect("the rendered file");

    let action = Scenario::new(
        "action greet",
        "actions/greet",
        &[
            ("action-get", r#"{"name":"Bob","shout":false}"#.to_owned()),
            ("config-get", CONFIG.to_owned()),
            ("state-get", stored),
        ],
    );
    let ignored = Scenario::new(
        "unhandled hook (ignored, one juju-log)",
        "hooks/data-storage-attached",
        &[],
    );
    vec![first, steady, action, ignored]
}

impl Scenario {
    fn new(name: &'static str, dispatch_path: &'static str, answers: &[(&str, String)]) -> Self {
        let fake = FakeJuju::new();
        for (tool, stdout) in answers {
            fake.answer(tool, stdout);
        }
        let answers = answers
            .iter()
            .map(|(tool, stdout)| ((*tool).to_owned(), stdout.clone()))
            .collect();
        Scenario {
            name,
            dispatch_path,
            answers,
            fake,
        }
    }

    /// The hook in this process, answered by a `Recorder` with the same canned outputs.
    fn run_in_process(&self) {
        let recorder = self
            .answers
            .iter()
            .fold(Recorder::new(), |r, (tool, stdout)| r.answer(tool, stdout));
        let env = charm::testing::hook_env("example/0", self.dispatch_path).expect("an env");
        let outcome = charm::dispatch::<Example, _>(env, &recorder, self.fake.host());
        assert_eq!(outcome.exit_code(), 0, "{}", self.name);
    }
}

fn run_hook(binary: &Path, scenario: &Scenario) {
    let status = scenario
        .fake
        .command(binary, scenario.dispatch_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the charm binary runs");
    assert_eq!(status.code(), Some(0), "{}", scenario.name);
}

/// What one scripted tool call costs on its own: spawn it, let it log, read its answer.
fn scripted_tool_cost(fake: &FakeJuju, iterations: usize) -> Duration {
    let calls = ["is-leader --format=json".to_owned()];
    median(&time_runs(iterations, || replay(fake, &calls)))
}

/// Runs the logged `calls` again, straight from this process: the runner's share of a hook.
fn replay(fake: &FakeJuju, calls: &[String]) {
    for call in calls {
        let (argv, stdin) = match call.split_once(" <<< ") {
            Some((argv, stdin)) => (argv, Some(stdin)),
            None => (call.as_str(), None),
        };
        let mut words = argv.split(' ');
        let tool = words.next().expect("a tool name");
        // The environment the charm's children get: a hook's, not this process's.
        let mut child = Command::new(fake.bin().join(tool))
            .args(words)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", fake.bin().display()))
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the scripted tool runs");
        if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(data.as_bytes()).expect("stdin");
        }
        let out = child.wait_with_output().expect("the scripted tool exits");
        assert!(out.status.success(), "{call}");
    }
}

fn time_runs(iterations: usize, mut run: impl FnMut()) -> Vec<Duration> {
    for _ in 0..iterations.min(10) {
        run();
    }
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn median(sorted: &[Duration]) -> Duration {
    sorted[sorted.len() / 2]
}

fn mean(times: &[Duration]) -> Duration {
    times.iter().sum::<Duration>() / times.len() as u32
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
