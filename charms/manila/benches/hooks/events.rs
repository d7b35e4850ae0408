//! The steady-state events every figure is made of, fired on any application related like the
//! all-in-one manila (to mysql, rabbitmq-server and keystone) with the options `debug` and
//! `nagios_context`: manila itself and the ops charm beside it.

use crate::support::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// config-changed after a change of an option no file reads: the hook runs and finds
    /// everything in place.
    ConfigNothing,
    /// amqp-relation-changed after rabbitmq-server wrote a key no client reads.
    RelationNothing,
    /// config-changed with `debug` flipped: every file that says it changes, and the services
    /// reading them restart.
    Debug,
    UpdateStatus,
}

impl Event {
    pub(crate) const ALL: [Event; 4] = [
        Event::ConfigNothing,
        Event::RelationNothing,
        Event::Debug,
        Event::UpdateStatus,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Event::ConfigNothing => "config-changed, nothing to change",
            Event::RelationNothing => "relation-changed, nothing to change",
            Event::Debug => "config-changed, debug toggled",
            Event::UpdateStatus => "update-status",
        }
    }

    /// The hook the event runs on the application's units.
    pub(crate) fn hook(self) -> &'static str {
        match self {
            Event::ConfigNothing | Event::Debug => "config-changed",
            Event::RelationNothing => "amqp-relation-changed",
            Event::UpdateStatus => "update-status",
        }
    }

    /// Makes the change that queues the event on `app`'s units (`run` numbers the runs, so
    /// that every run changes something). update-status runs on every unit of the model.
    pub(crate) fn fire(self, world: &mut World, app: &str, run: usize) {
        match self {
            Event::ConfigNothing => {
                let context = format!("bench-{run}");
                world
                    .model
                    .set_config(app, [("nagios_context", context)])
                    .unwrap();
            }
            Event::RelationNothing => {
                let amqp = world
                    .model
                    .relation_id(&format!("{app}:amqp"), "rabbitmq-server")
                    .unwrap();
                world
                    .model
                    .exec(
                        "rabbitmq-server/0",
                        &[format!("relation-set -r amqp:{amqp} bench-nonce={run}")],
                    )
                    .unwrap();
            }
            Event::Debug => {
                // Read back rather than derived from `run`: the figures of several callers
                // share one model.
                let debug = world.model.config(app).unwrap()["debug"] == true;
                world.model.set_config(app, [("debug", !debug)]).unwrap();
            }
            Event::UpdateStatus => world.model.update_status().unwrap(),
        }
    }
}
