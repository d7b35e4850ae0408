//! Peak resident memory of the charm process per hook, measured where it runs: in the unit's
//! sandbox, under the emulator, with its real hook-tool calls.
//!
//! The emulator does not report a hook's resource use, and `ru_maxrss` cannot be trusted for
//! it: the kernel carries the parent's peak into a child across `exec` (the `fork` or `vfork`
//! copy's counters become the child's starting peak), so a child of the benchmark would
//! report at least the benchmark's own RSS. So for these runs the unit's `dispatch` starts a
//! probe, this very executable under the name [`PROBE`] copied into the charm directory.
//! It starts a shell that stops itself before it execs the program, traces it from there
//! (ptrace, `PTRACE_O_TRACEEXIT`: no `fork` of our own, as the workspace forbids `unsafe`),
//! and when the program stops on its way out, with its memory still mapped, reads its
//! `VmHWM` (the peak RSS of the program's own address space since its `exec`) from `/proc`;
//! then lets it exit and prints the figure on stderr, where the emulator puts it in the debug
//! log of that hook. Only the program is traced, not its children (the hook-tool shims), and
//! they are not counted.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use nix::sys::ptrace;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::binaries::Binary;
use crate::events::Event;
use crate::support::World;
use crate::timing::Timer;

/// The probe's file name; this executable acts as the probe when started under it.
const PROBE: &str = "bench-rss-probe";
/// The line the probe prints, followed by the peak in KiB.
const REPORT: &str = "bench-rss-probe: vmhwm_kib=";
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
    let argv: Vec<OsString> = args.collect();
    if argv.is_empty() {
        eprintln!("usage: {PROBE} PROGRAM [ARG…]");
        return Some(2);
    }
    // The shell stops itself so that it can be traced before the program exists; its exec
    // then replaces its address space, so the peak read is the program's alone.
    let spawned = Command::new("/bin/sh")
        .args(["-c", "kill -STOP $$; exec \"$@\"", "sh"])
        .args(&argv)
        .spawn();
    let child = match spawned {
        Ok(child) => Pid::from_raw(i32::try_from(child.id()).expect("a pid")),
        Err(e) => {
            eprintln!("{PROBE}: cannot start /bin/sh: {e}");
            return Some(127);
        }
    };
    Some(trace(child).unwrap_or_else(|e| {
        eprintln!("{PROBE}: tracing {:?}: {e}", argv[0]);
        127
    }))
}

/// Follows `child`, stopped, to its end: traces it, lets it run passing its signals on, reads
/// its peak at the exit stop; returns its exit code (128 + N for signal N).
fn trace(child: Pid) -> nix::Result<i32> {
    match waitpid(child, Some(WaitPidFlag::WUNTRACED))? {
        WaitStatus::Stopped(_, Signal::SIGSTOP) => {}
        WaitStatus::Exited(_, code) => return Ok(code),
        other => {
            eprintln!("{PROBE}: unexpected {other:?}");
            return Ok(127);
        }
    }
    ptrace::seize(child, ptrace::Options::PTRACE_O_TRACEEXIT)?;
    kill(child, Signal::SIGCONT)?;
    let mut peak = None;
    loop {
        match waitpid(child, None)? {
            WaitStatus::PtraceEvent(pid, _, event) => {
                if event == ptrace::Event::PTRACE_EVENT_EXIT as i32 {
                    peak = peak_of(pid);
                }
                ptrace::cont(pid, None)?;
            }
            WaitStatus::Stopped(pid, signal) => ptrace::cont(pid, signal)?,
            WaitStatus::Exited(_, code) => {
                report(peak);
                return Ok(code);
            }
            WaitStatus::Signaled(_, signal, _) => {
                report(peak);
                return Ok(128 + signal as i32);
            }
            _ => {}
        }
    }
}

fn report(peak: Option<Peak>) {
    match peak {
        Some(peak) => eprintln!(
            "{REPORT}{} (at exit: anonymous {} KiB, file-backed {} KiB)",
            peak.hwm, peak.anon, peak.file
        ),
        None => eprintln!("{PROBE}: no peak read"),
    }
}

/// From `/proc/<pid>/status` at the exit stop, in KiB: the peak, and what is resident then,
/// split into heap and stacks (anonymous) and the binary's pages (file-backed).
struct Peak {
    hwm: u64,
    anon: u64,
    file: u64,
}

fn peak_of(pid: Pid) -> Option<Peak> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some(Peak {
        hwm: field("VmHWM:")?,
        anon: field("RssAnon:").unwrap_or(0),
        file: field("RssFile:").unwrap_or(0),
    })
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
) -> Vec<(Event, u64, String)> {
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
) -> Vec<(Event, u64, String)> {
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
) -> Vec<(Event, u64, String)> {
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
                .max_by_key(|(kib, _)| *kib)
                .unwrap_or_default();
            (event, peak.0, peak.1)
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

/// The peak the probe printed in execution `execution`, and the rest of its line.
fn reported(world: &World, execution: u64) -> Option<(u64, String)> {
    world
        .model
        .debug_log()
        .iter()
        .rev()
        .filter(|entry| entry.execution == execution)
        .find_map(|entry| {
            let at = entry.message.find(REPORT)?;
            let rest = &entry.message[at + REPORT.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let detail = rest[digits.len()..].trim().to_owned();
            Some((digits.parse().ok()?, detail))
        })
}
