//! The one place that decides what a finished hook, action or `juju exec` leaves behind, as
//! Juju's uniter does (`internal/worker/uniter/runner/context/context.go`: `Flush`,
//! `doFlush`, `handleReboot`, `finalizeAction`). The model and `scenario` both end a run with
//! [`finish`], each onto its own store (a [`HookSink`]), so that the two cannot disagree on
//! what Juju keeps.
//!
//! Juju's rules, as [`finish`] applies them:
//! - What the hook tools wrote to the controller while the hook ran stays, whatever the
//!   exit: `status-set`, `application-version-set`, `juju-log`, `action-log`, `leader-set`
//!   (the [`Effect`]s, in call order).
//! - `doFlush` runs only when the run reported no error: the unit's and the application's
//!   relation settings, the charm state (`state-set`), the port ranges, `storage-add` and the
//!   secret changes (the [`PendingChanges`]). A hook reports an error when it exits non-zero
//!   (or is killed, or cannot start); a missing hook is no error. `juju exec` reports one only
//!   when its commands could not run: their exit code is the caller's answer, not an error
//!   (`runner.go` `RunCommands` hands `Flush` the error of starting them).
//! - `juju-reboot --now` kills the hook, so the context ends in error and nothing is flushed;
//!   the hook is queued again after the reboot (`ErrRequeueAndReboot`).
//! - `juju-reboot` without `--now` reboots the machine after a hook that flushed
//!   (`RebootAfterHook`). Actions never reboot: `Flush` returns through `finalizeAction`
//!   before `handleReboot`.

use std::collections::{BTreeMap, BTreeSet};

use crate::hooktools::{
    apply_port_changes, Bag, Effect, HookContext, PendingChanges, Port, SecretChange,
};

/// What kind of run ended: it decides whether a reboot request counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunKind {
    Hook,
    /// An action or `juju exec`: Juju finalizes the action instead of rebooting.
    Action,
}

/// What [`finish`] did with the run's buffered writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flushed {
    /// The buffered writes are committed.
    Committed,
    /// The run ended in error: only the immediate writes stay.
    Dropped,
    /// `juju-reboot --now` interrupted a hook: nothing is committed, and the caller queues
    /// the hook again behind a reboot of its machine.
    RebootNow,
}

/// The store a finished run is applied to: the model's units and relations, or a scenario's
/// `State`. Each method is one kind of write; [`finish`] decides which ones happen and in
/// what order.
pub(crate) trait HookSink {
    // ---- immediate writes, kept whatever the exit ----
    fn unit_status(&mut self, status: &str, message: &str);
    fn app_status(&mut self, status: &str, message: &str);
    fn workload_version(&mut self, version: &str);
    /// A `juju-log` line (its message already carries the `endpoint:id: ` prefix).
    fn log(&mut self, level: &str, message: &str);
    fn action_log(&mut self, message: &str);
    /// The application's leader settings after a `leader-set`.
    fn leader_settings(&mut self, settings: &Bag);

    // ---- buffered writes, committed only when the run reported no error ----
    fn secrets(&mut self, changes: &[SecretChange]);
    fn storage_add(&mut self, requests: &BTreeMap<String, u32>);
    /// `juju-reboot` after a hook that committed.
    fn reboot(&mut self);
    /// This unit's settings in `relation`, as the hook left them.
    fn unit_bag(&mut self, relation: u32, bag: &Bag);
    /// This application's settings in `relation` (the leader's write).
    fn app_bag(&mut self, relation: u32, bag: &Bag);
    /// The unit's charm state, as the hook left it.
    fn unit_state(&mut self, state: &Bag);
    /// The unit's ports: those opened for all endpoints, and those of named endpoints
    /// (`None`: the unit is gone, its ports with it).
    fn ports(&mut self) -> Option<Ports<'_>>;
}

/// A unit's opened ports, to apply port changes to.
pub(crate) struct Ports<'a> {
    pub(crate) all: &'a mut BTreeSet<Port>,
    pub(crate) by_endpoint: &'a mut BTreeMap<String, BTreeSet<Port>>,
}

/// Applies a finished run to `sink` by Juju's rules (see the module's documentation).
/// `reported_error`: the run ended in error, in `Flush`'s sense.
pub(crate) fn finish(
    ctx: &HookContext,
    kind: RunKind,
    reported_error: bool,
    sink: &mut impl HookSink,
) -> Flushed {
    let mut reboot_now = false;
    for effect in &ctx.effects {
        match effect {
            Effect::UnitStatus { status, message } => sink.unit_status(status, message),
            Effect::AppStatus { status, message } => sink.app_status(status, message),
            Effect::WorkloadVersion(version) => sink.workload_version(version),
            Effect::Log { level, message } => sink.log(level, message),
            Effect::ActionLog(message) => sink.action_log(message),
            Effect::LeaderSettings(settings) => sink.leader_settings(settings),
            Effect::RebootNow => reboot_now = true,
        }
    }
    // The kill that `--now` makes is the hook's error: no flush. An action is killed the
    // same way, and finalized as failed rather than queued again.
    if reboot_now {
        return match kind {
            RunKind::Hook => Flushed::RebootNow,
            RunKind::Action => Flushed::Dropped,
        };
    }
    if reported_error {
        return Flushed::Dropped;
    }
    commit(&ctx.pending, kind, sink);
    Flushed::Committed
}

/// `doFlush`'s commit, then `handleReboot`'s after-hook reboot. The order is the model's
/// queueing order: secret and storage hooks, the reboot's `start`, then relation-changed.
fn commit(pending: &PendingChanges, kind: RunKind, sink: &mut impl HookSink) {
    sink.secrets(&pending.secrets);
    sink.storage_add(&pending.storage_add);
    if pending.reboot && kind == RunKind::Hook {
        sink.reboot();
    }
    for (relation, bag) in &pending.relation_unit {
        sink.unit_bag(*relation, bag);
    }
    for (relation, bag) in &pending.relation_app {
        sink.app_bag(*relation, bag);
    }
    if let Some(state) = &pending.state {
        sink.unit_state(state);
    }
    if let Some(ports) = sink.ports() {
        apply_port_changes(ports.all, &pending.ports);
        for (endpoint, changes) in &pending.endpoint_ports {
            let opened = ports.by_endpoint.entry(endpoint.clone()).or_default();
            apply_port_changes(opened, changes);
            if opened.is_empty() {
                ports.by_endpoint.remove(endpoint);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooktools::{PortChange, Protocol};

    /// Records the calls, in order.
    #[derive(Default)]
    struct Recorder {
        calls: Vec<String>,
        all: BTreeSet<Port>,
        by_endpoint: BTreeMap<String, BTreeSet<Port>>,
    }

    impl HookSink for Recorder {
        fn unit_status(&mut self, status: &str, message: &str) {
            self.calls.push(format!("unit-status {status} {message}"));
        }
        fn app_status(&mut self, status: &str, message: &str) {
            self.calls.push(format!("app-status {status} {message}"));
        }
        fn workload_version(&mut self, version: &str) {
            self.calls.push(format!("workload-version {version}"));
        }
        fn log(&mut self, level: &str, message: &str) {
            self.calls.push(format!("log {level} {message}"));
        }
        fn action_log(&mut self, message: &str) {
            self.calls.push(format!("action-log {message}"));
        }
        fn leader_settings(&mut self, settings: &Bag) {
            self.calls
                .push(format!("leader-settings {}", settings.len()));
        }
        fn secrets(&mut self, changes: &[SecretChange]) {
            self.calls.push(format!("secrets {}", changes.len()));
        }
        fn storage_add(&mut self, requests: &BTreeMap<String, u32>) {
            self.calls.push(format!("storage-add {}", requests.len()));
        }
        fn reboot(&mut self) {
            self.calls.push("reboot".to_owned());
        }
        fn unit_bag(&mut self, relation: u32, _: &Bag) {
            self.calls.push(format!("unit-bag {relation}"));
        }
        fn app_bag(&mut self, relation: u32, _: &Bag) {
            self.calls.push(format!("app-bag {relation}"));
        }
        fn unit_state(&mut self, _: &Bag) {
            self.calls.push("unit-state".to_owned());
        }
        fn ports(&mut self) -> Option<Ports<'_>> {
            Some(Ports {
                all: &mut self.all,
                by_endpoint: &mut self.by_endpoint,
            })
        }
    }

    fn port(number: u16) -> Port {
        Port::Range {
            from: number,
            to: number,
            protocol: Protocol::Tcp,
        }
    }

    /// A hook that used every kind of write.
    fn busy_hook() -> HookContext {
        HookContext {
            effects: vec![
                Effect::UnitStatus {
                    status: "maintenance".into(),
                    message: "working".into(),
                },
                Effect::Log {
                    level: "INFO".into(),
                    message: "hello".into(),
                },
                Effect::WorkloadVersion("1.2".into()),
                Effect::AppStatus {
                    status: "active".into(),
                    message: String::new(),
                },
                Effect::LeaderSettings(Bag::from([("k".to_owned(), "v".to_owned())])),
                Effect::ActionLog("step".into()),
            ],
            pending: PendingChanges {
                relation_unit: BTreeMap::from([(3, Bag::new())]),
                relation_app: BTreeMap::from([(3, Bag::new())]),
                state: Some(Bag::new()),
                ports: vec![PortChange::Open(port(80))],
                endpoint_ports: BTreeMap::from([(
                    "website".to_owned(),
                    vec![PortChange::Open(port(443))],
                )]),
                storage_add: BTreeMap::from([("data".to_owned(), 1)]),
                reboot: true,
                ..PendingChanges::default()
            },
            ..HookContext::default()
        }
    }

    const IMMEDIATE: [&str; 6] = [
        "unit-status maintenance working",
        "log INFO hello",
        "workload-version 1.2",
        "app-status active ",
        "leader-settings 1",
        "action-log step",
    ];

    /// `context.go` `Flush`: `doFlush` only when `ctxErr == nil`; the status, version, log
    /// and leader-settings writes went to the controller as the tools ran.
    #[test]
    fn a_hook_in_error_keeps_only_what_the_tools_wrote_at_once() {
        let mut sink = Recorder::default();
        let flushed = finish(&busy_hook(), RunKind::Hook, true, &mut sink);
        assert_eq!(flushed, Flushed::Dropped);
        assert_eq!(sink.calls, IMMEDIATE);
        assert!(sink.all.is_empty() && sink.by_endpoint.is_empty());
    }

    /// `context.go` `doFlush` (charm state, relation settings, port ranges, storage,
    /// secrets) then `handleReboot` (`RebootAfterHook`).
    #[test]
    fn a_hook_without_error_commits_its_buffered_writes_after_the_immediate_ones() {
        let mut sink = Recorder::default();
        let flushed = finish(&busy_hook(), RunKind::Hook, false, &mut sink);
        assert_eq!(flushed, Flushed::Committed);
        let committed: Vec<&str> = sink.calls[IMMEDIATE.len()..]
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(
            committed,
            [
                "secrets 0",
                "storage-add 1",
                "reboot",
                "unit-bag 3",
                "app-bag 3",
                "unit-state"
            ]
        );
        assert_eq!(sink.all, BTreeSet::from([port(80)]));
        assert_eq!(sink.by_endpoint["website"], BTreeSet::from([port(443)]));
    }

    /// `context.go` `Flush`: an action returns through `finalizeAction` before
    /// `handleReboot` ("reboot will not be supported in actions").
    #[test]
    fn an_action_commits_but_never_reboots() {
        let mut sink = Recorder::default();
        finish(&busy_hook(), RunKind::Action, false, &mut sink);
        assert!(
            !sink.calls.contains(&"reboot".to_owned()),
            "{:?}",
            sink.calls
        );
        assert!(sink.calls.contains(&"unit-state".to_owned()));
    }

    /// `context.go` `RequestReboot`/`handleReboot`: `--now` kills the hook (an error, so no
    /// flush) and asks for `ErrRequeueAndReboot`.
    #[test]
    fn reboot_now_drops_the_buffered_writes_and_asks_for_a_requeue() {
        let mut ctx = busy_hook();
        ctx.effects.push(Effect::RebootNow);
        let mut sink = Recorder::default();
        assert_eq!(
            finish(&ctx, RunKind::Hook, false, &mut sink),
            Flushed::RebootNow
        );
        assert_eq!(sink.calls, IMMEDIATE);
        let mut sink = Recorder::default();
        assert_eq!(
            finish(&ctx, RunKind::Action, false, &mut sink),
            Flushed::Dropped
        );
    }

    /// Ports closed for an endpoint leave no empty entry behind.
    #[test]
    fn closing_an_endpoint_s_last_port_forgets_the_endpoint() {
        let mut sink = Recorder::default();
        sink.by_endpoint
            .insert("website".to_owned(), BTreeSet::from([port(443)]));
        let mut ctx = HookContext::default();
        ctx.pending.endpoint_ports =
            BTreeMap::from([("website".to_owned(), vec![PortChange::Close(port(443))])]);
        finish(&ctx, RunKind::Hook, false, &mut sink);
        assert!(sink.by_endpoint.is_empty());
    }
}
