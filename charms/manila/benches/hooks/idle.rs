//! What a dispatch costs when it has nothing to do, against `/bin/true`, in one harness: this
//! process starts each program (fork, exec, wait) with its output discarded, the variants
//! taking turns run by run so that the machine's load falls on all alike. No emulator: its
//! own cost per hook (sandbox, socket, commit) would hide the difference.
//!
//! "Nothing to do" two ways, both printed:
//! - *start*: the binary with no hook environment, as outside Juju: it starts, finds no
//!   `JUJU_UNIT_NAME`, says so and exits. The process's fixed cost alone.
//! - *unhandled hook*: `collect-metrics`, a hook Juju may run that manila does not handle:
//!   the binary reads its hook environment and compiled-in metadata, finds no event of its
//!   own and exits, calling no hook tool (a `juju-log` here, answered by `/bin/true` through
//!   `PATH`, would show as one more process start).

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::binaries::Binary;
use crate::timing::ms;

const TRUE: &str = "/bin/true";

/// One program run as one variant.
struct Variant {
    label: String,
    command: Command,
    durations: Vec<Duration>,
}

impl Variant {
    fn new(label: String, command: Command) -> Variant {
        Variant {
            label,
            command,
            durations: Vec::new(),
        }
    }

    fn run_once(&mut self) {
        let start = Instant::now();
        let status = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("{}: {e}", self.label));
        self.durations.push(start.elapsed());
        // Outside Juju the charm must refuse (exit 1); everything else must succeed.
        assert!(
            status.success() || self.label.contains("start"),
            "{}: {status}",
            self.label
        );
    }

    fn percentile(&self, p: usize) -> Duration {
        let mut sorted = self.durations.clone();
        sorted.sort();
        sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
    }
}

/// Times `/bin/true` and each binary's two idle runs, `runs` times each, and prints them
/// with their ratio to `/bin/true`.
pub(crate) fn compare(binaries: &[Binary], runs: usize) {
    let scratch = tempfile::tempdir().unwrap();
    let tools = scratch.path().join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    symlink(TRUE, tools.join("juju-log")).unwrap();

    let mut variants = vec![Variant::new(TRUE.to_owned(), bare(Path::new(TRUE)))];
    for binary in binaries {
        variants.push(Variant::new(
            format!("{}: start (no hook env)", binary.label),
            bare(&binary.path),
        ));
        let mut unhandled = bare(&binary.path);
        unhandled
            .env("PATH", &tools)
            .env("JUJU_UNIT_NAME", "manila/0")
            .env("JUJU_CHARM_DIR", scratch.path())
            .env("JUJU_DISPATCH_PATH", "hooks/collect-metrics")
            .current_dir(scratch.path());
        variants.push(Variant::new(
            format!("{}: unhandled hook", binary.label),
            unhandled,
        ));
    }
    for _ in 0..runs {
        for variant in &mut variants {
            variant.run_once();
        }
    }

    let floor = variants[0].percentile(50);
    println!(
        "\n{:<66} {:>8} {:>8} {:>9}",
        "do-nothing dispatch (fork, exec, wait)", "p50 ms", "p90 ms", "x true"
    );
    for variant in &variants {
        let p50 = variant.percentile(50);
        println!(
            "{:<66} {:>8.3} {:>8.3} {:>8.2}x",
            variant.label,
            ms(p50),
            ms(variant.percentile(90)),
            p50.as_secs_f64() / floor.as_secs_f64()
        );
    }
}

/// `program` with an empty environment.
fn bare(program: &Path) -> Command {
    let mut command = Command::new(program);
    command.env_clear();
    command
}
