//! Peak resident memory of the charm process per hook, measured where it runs: in the unit's
//! sandbox, under the emulator, with its real hook-tool calls.
//!
//! The emulator does not report a hook's resource use, and the benchmark's own
//! `RUSAGE_CHILDREN` is the peak over every process the model ever ran. So for these runs the
//! unit's `dispatch` starts a probe, this very executable under the name [`PROBE`] copied into
//! the charm directory, which runs the binary as its only child, waits for it, and prints the
//! child's peak RSS (`getrusage(RUSAGE_CHILDREN)`, which the kernel folds down from the
//! child's own children: the hook-tool shims, each far smaller) on stderr, where the emulator
//! puts it in the debug log of that hook. The probe's own memory is not counted.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Command;

use nix::sys::resource::{getrusage, UsageWho};

use crate::binaries::Binary;
use crate::events::Event;
use crate::support::World;
use crate::timing::Timer;

/// The probe's file name; this executable acts as the probe when started under it.
const PROBE: &str = "bench-rss-probe";
/// The line the probe prints, followed by the peak in KiB.
const REPORT: &str = "bench-rss-probe: maxrss_kib=";
/// The measured binary's name in the charm directory's `bin/`.
const MEASURED: &str = "bench-measured";

/// When this executable was started as the probe (`bench-rss-probe PROGRAM ARG…`): runs
/// PROGRAM, reports its peak RSS, and returns the exit code to leave with, PROGRAM's own.
pub(crate) fn probe_mode() -> Option<i32> {
    let mut args = std::env::args_os();
    let argv0 = args.next()?;
    if Path::new(&argv0).file_name()? != PROBE {
        return None;
    }
    let Some(program) = args.next() else {
        eprintln!("usage: {PROBE} PROGRAM [ARG…]");
        return Some(2);
    };
    let rest: Vec<OsString> = args.collect();
    let status = match Command::new(&program).args(rest).status() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("{PROBE}: cannot run {}: {e}", Path::new(&program).display());
            return Some(127);
        }
    };
    match getrusage(UsageWho::RUSAGE_CHILDREN) {
        // Linux reports ru_maxrss in KiB.
        Ok(usage) => eprintln!("{REPORT}{}", usage.max_rss()),
        Err(e) => eprintln!("{PROBE}: getrusage: {e}"),
    }
    Some(
        status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)),
    )
}

/// The peak RSS in KiB of `binary` in each of `events` on `unit` of `app` (the most over
/// `runs` runs each), started as the packed `dispatch` starts the charm's binary.
pub(crate) fn measure(
    world: &mut World,
    timer: &Timer,
    (app, unit): (&str, &str),
    binary: &Binary,
    events: &[Event],
    runs: usize,
) -> Vec<(Event, u64)> {
    let measured = world
        .model
        .charm_dir(unit)
        .unwrap()
        .join("bin")
        .join(MEASURED);
    install(&binary.path, &measured);
    let peaks = with_probe(
        world,
        timer,
        (app, unit),
        &format!("./bin/{MEASURED}"),
        events,
        runs,
    );
    fs::remove_file(&measured).unwrap();
    peaks
}

/// As [`measure`], for the charm's own `dispatch` (a Python charm's, which execs Python).
pub(crate) fn measure_dispatch(
    world: &mut World,
    timer: &Timer,
    (app, unit): (&str, &str),
    events: &[Event],
    runs: usize,
) -> Vec<(Event, u64)> {
    let charm_dir = world.model.charm_dir(unit).unwrap();
    let measured = charm_dir.join(MEASURED);
    install(&charm_dir.join("dispatch"), &measured);
    let peaks = with_probe(
        world,
        timer,
        (app, unit),
        &format!("./{MEASURED}"),
        events,
        runs,
    );
    fs::remove_file(&measured).unwrap();
    peaks
}

/// Runs each event `runs` times with the unit's `dispatch` starting the probe in front of
/// `program` (a path from the charm directory); puts `dispatch` back as it was afterwards.
fn with_probe(
    world: &mut World,
    timer: &Timer,
    (app, unit): (&str, &str),
    program: &str,
    events: &[Event],
    runs: usize,
) -> Vec<(Event, u64)> {
    let charm_dir = world.model.charm_dir(unit).unwrap();
    let dispatch = charm_dir.join("dispatch");
    let original = fs::read(&dispatch).unwrap();
    let probe = charm_dir.join(PROBE);
    install(&std::env::current_exe().unwrap(), &probe);
    // As the packed dispatch, with the probe in front.
    let script = format!(
        "#!/bin/sh\ncase $0 in */*) cd \"${{0%/*}}\" || exit ;; esac\n\
         exec ./{PROBE} {program}\n"
    );
    fs::write(&dispatch, script).unwrap();

    let peaks = events
        .iter()
        .map(|&event| {
            let peak = (0..runs)
                .map(|run| {
                    event.fire(world, app, run);
                    timer.start();
                    world.settle();
                    let (record, _) = timer.took(unit, event.hook());
                    reported(world, record.execution)
                        .unwrap_or_else(|| panic!("no peak reported for {unit} {}", event.hook()))
                })
                .max()
                .unwrap_or(0);
            (event, peak)
        })
        .collect();

    fs::write(&dispatch, original).unwrap();
    fs::remove_file(&probe).unwrap();
    peaks
}

fn install(from: &Path, to: &Path) {
    fs::copy(from, to).unwrap();
    fs::set_permissions(to, fs::Permissions::from_mode(0o755)).unwrap();
}

/// The peak the probe printed in execution `execution`.
fn reported(world: &World, execution: u64) -> Option<u64> {
    world
        .model
        .debug_log()
        .iter()
        .rev()
        .filter(|entry| entry.execution == execution)
        .find_map(|entry| {
            let at = entry.message.find(REPORT)?;
            let digits: String = entry.message[at + REPORT.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
}
