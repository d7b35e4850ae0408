//! The deployments tests start from, settled.

use emulator::{ConfigValue, DeployOptions};

use crate::charms::Charm;
use crate::world::{Identity, World};

/// The share-only manila application of [`share_deployment`], which the back ends sit on.
pub const MANILA: &str = "manila";
pub const MANILA_UNIT: &str = "manila/0";
/// The `api,scheduler` application of [`share_deployment`]: it registers Manila in keystone
/// and syncs the schema.
pub const MANILA_API: &str = "manila-api";

/// The whole Manila model on one unit: keystone, mysql and rabbitmq-server, a `manila` unit
/// with every role, and the generic back end on it, settled.
pub fn all_in_one() -> World {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        "manila",
        Charm::Manila,
        DeployOptions::new().config("default-share-backend", "generic"),
    );
    world.deploy_generic_backend("manila-generic-backend");
    world.relate_peers("manila", Identity::Service);
    world
        .model
        .relate(
            "manila:manila-plugin",
            "manila-generic-backend:manila-plugin",
        )
        .unwrap();
    world.settle();
    world
}

/// A generic back end application: its name and its options besides the defaults.
#[derive(Debug, Clone)]
pub struct BackendApp {
    pub app: &'static str,
    pub options: Vec<(&'static str, ConfigValue)>,
}

impl BackendApp {
    /// The back end `name`, without share servers: nothing else is needed to publish it.
    pub fn named(app: &'static str, name: &str) -> BackendApp {
        BackendApp {
            app,
            options: vec![
                ("share-backend-name", name.into()),
                ("driver-handles-share-servers", false.into()),
            ],
        }
    }

    pub fn with(mut self, key: &'static str, value: impl Into<ConfigValue>) -> BackendApp {
        self.options.push((key, value.into()));
        self
    }

    fn name(&self) -> Option<ConfigValue> {
        self.options
            .iter()
            .find(|(key, _)| *key == "share-backend-name")
            .map(|(_, value)| value.clone())
    }
}

/// The keystone, mysql and rabbitmq-server fixtures and the [`MANILA_API`] application,
/// settled, so the schema is synced before any share unit looks for it. Then the share-only
/// [`MANILA`] application with `backends` related over manila-plugin (the default back end
/// set to the first), settled.
pub fn share_deployment(backends: &[BackendApp]) -> World {
    let mut world = World::new();
    world.deploy_peers();
    world.deploy(
        MANILA_API,
        Charm::Manila,
        DeployOptions::new().config("roles", "api,scheduler"),
    );
    world.relate_peers(MANILA_API, Identity::Service);
    world.settle();

    let mut manila = DeployOptions::new().config("roles", "share");
    if let Some(name) = backends.first().and_then(BackendApp::name) {
        manila = manila.config("default-share-backend", name);
    }
    world.deploy(MANILA, Charm::Manila, manila);
    world.relate_peers(MANILA, Identity::Credentials);
    for backend in backends {
        world.deploy_backend(backend);
        world.relate_backend(backend.app);
    }
    world.settle();
    world
}

impl World {
    pub fn deploy_backend(&mut self, backend: &BackendApp) {
        let options = backend
            .options
            .iter()
            .fold(DeployOptions::new(), |options, (key, value)| {
                options.config(key, value.clone())
            });
        self.deploy(backend.app, Charm::GenericBackend, options);
    }

    /// Relates the back end application to [`MANILA`] over manila-plugin; returns the id.
    pub fn relate_backend(&mut self, app: &str) -> u32 {
        self.model
            .relate(
                &format!("{MANILA}:manila-plugin"),
                &format!("{app}:manila-plugin"),
            )
            .unwrap()
    }
}
