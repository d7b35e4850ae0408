//! Wall time and calls of one hook, run many times: each run makes a change, settles the
//! model, and takes the hook's time from the model's progress callback (dispatch, every
//! hook-tool call over the emulator's socket, the machine commands, and the emulator
//! committing the result) and its calls from the transcript.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use emulator::HookRecord;

use crate::calls::Calls;
use crate::events::Event;
use crate::support::World;

/// Hook durations as the model reports each hook done: the time since the previous one (or
/// since [`Timer::start`]). Hooks run one after another, so that is the hook's own time.
#[derive(Clone, Default)]
pub(crate) struct Timer {
    inner: Rc<RefCell<TimerState>>,
}

#[derive(Default)]
struct TimerState {
    since: Option<Instant>,
    hooks: Vec<(HookRecord, Duration)>,
}

impl Timer {
    pub(crate) fn install(world: &mut World) -> Timer {
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

    pub(crate) fn start(&self) {
        let mut state = self.inner.borrow_mut();
        state.hooks.clear();
        state.since = Some(Instant::now());
    }

    /// The one run of `hook` on `unit` since `start`.
    pub(crate) fn took(&self, unit: &str, hook: &str) -> (HookRecord, Duration) {
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

/// One figure: the durations of its runs, the calls of each run, the calls of the last.
pub(crate) struct Figure {
    pub(crate) durations: Vec<Duration>,
    /// Hook-tool calls and machine commands of each run.
    pub(crate) counts: Vec<(usize, usize)>,
    pub(crate) last: Calls,
}

impl Figure {
    pub(crate) fn percentile(&self, p: usize) -> Duration {
        let mut sorted = self.durations.clone();
        sorted.sort();
        sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
    }

    pub(crate) fn p50_ms(&self) -> f64 {
        ms(self.percentile(50))
    }

    pub(crate) fn p90_ms(&self) -> f64 {
        ms(self.percentile(90))
    }

    /// Hook-tool calls: one number when every run made as many, else `min-max`.
    pub(crate) fn hook_tools(&self) -> String {
        range(self.counts.iter().map(|c| c.0))
    }

    pub(crate) fn machine(&self) -> String {
        range(self.counts.iter().map(|c| c.1))
    }

    /// The most hook-tool calls any run made.
    pub(crate) fn max_hook_tools(&self) -> usize {
        self.counts.iter().map(|c| c.0).max().unwrap_or(0)
    }

    pub(crate) fn max_machine(&self) -> usize {
        self.counts.iter().map(|c| c.1).max().unwrap_or(0)
    }
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn range(counts: impl Iterator<Item = usize>) -> String {
    let counts: Vec<usize> = counts.collect();
    let (min, max) = (counts.iter().min(), counts.iter().max());
    match (min, max) {
        (Some(min), Some(max)) if min == max => min.to_string(),
        (Some(min), Some(max)) => format!("{min}-{max}"),
        _ => "-".to_owned(),
    }
}

/// Fires `event` on `app` then settles, `runs` times, timing the event's hook on `unit`.
pub(crate) fn measure(
    world: &mut World,
    timer: &Timer,
    (app, unit): (&str, &str),
    event: Event,
    runs: usize,
) -> Figure {
    let mut durations = Vec::with_capacity(runs);
    let mut counts = Vec::with_capacity(runs);
    let mut last = Calls::default();
    for run in 0..runs {
        event.fire(world, app, run);
        let from = world.model.tool_calls().len();
        timer.start();
        world.settle();
        let (record, took) = timer.took(unit, event.hook());
        durations.push(took);
        last = Calls::of(&world.model.tool_calls()[from..], record.execution);
        counts.push((last.hook_tools.len(), last.machine.len()));
    }
    Figure {
        durations,
        counts,
        last,
    }
}
