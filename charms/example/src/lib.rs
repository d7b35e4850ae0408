//! A tiny greeter charm: the worked example of the charm runtime (`crates/charm`).
//!
//! The greeter is configured by three options, writes `/etc/example/greeter.conf` (0640,
//! root:root), restarts its `example-greeter` service when that file changes, opens its port,
//! publishes `hostname` and `port` to consumers of its `website` (http) endpoint, agrees on a
//! leader through its `greeters` peer relation, and answers the `greet` action.
//!
//! Read it in this order:
//! 1. [`Config`]: options declared once, as the struct they are read into (`#[derive(Options)]`);
//!    `config.yaml` is generated from it (a test keeps it so).
//! 2. [`Example::handle`]: every hook runs the same three steps: [`gather`] reads the inputs
//!    (all hook-tool reads, cached by the runtime), [`reconcile`] computes the toolkit's
//!    [`Plan`] without any I/O, and the toolkit's [`charm::plan::apply`] carries it out
//!    (files, the service, ports, relation data, unit state, status). Only `remove` and the
//!    `greet` action differ.
//! 3. The runtime does the rest: one `relation-set` per changed bag, one `status-set` when
//!    the status changed, unit state written back, and the exit policy.
//!
//! The binary embeds the top-level `actions/example.yaml`; this directory carries a copy as
//! `actions.yaml` (what packing ships), kept equal by a test, beside `metadata.yaml` and the
//! generated `config.yaml` and `README.md`.

use charm::config::ConfigError;
use charm::plan::{Install, Plan, PlannedFile, RelationWrite, ServiceState};
use charm::{Bag, Charm, Context, Event, Options, RenderedFile, Templates, UnitStatus};
use host::FileSpec;
use juju::{Port, RelationId, Status, ToolRunner, UnitName};
use serde::{Deserialize, Serialize};

/// The configuration: each field an option, the single source of `config.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Options)]
pub struct Config {
    /// What the greeter says before a name.
    #[option(default = "Hello", check = not_blank)]
    pub greeting: String,
    /// TCP port the greeter listens on (1-65535).
    #[option(default = 8080, range = 1..=65535)]
    pub port: u16,
    /// Greet in capitals.
    #[option(default = false)]
    pub shout: bool,
}

fn not_blank(text: &str) -> Result<(), &'static str> {
    if text.trim().is_empty() {
        Err("must not be empty")
    } else {
        Ok(())
    }
}

impl Config {
    /// The greeting for `name`.
    pub fn greet(&self, name: &str, shout: bool) -> String {
        let message = format!("{}, {name}!", self.greeting);
        if shout || self.shout {
            message.to_uppercase()
        } else {
            message
        }
    }
}

/// Greeter releases, oldest first. A unit keeps the release it was installed with (in unit
/// state); templates for a release fall back to older releases, then to the template root.
pub const RELEASES: &[&str] = &["alpha", "bravo", "charlie"];

pub const CONFIG_FILE: &str = "/etc/example/greeter.conf";
pub const SERVICE: &str = "example-greeter";
/// The package that ships [`SERVICE`]. It exists only in the model emulator's package
/// catalog: the example is a demonstration of the toolkit, not a workload to run for real.
pub const PACKAGE: &str = "example-greeter";

const WEBSITE: &str = "website";
const PEERS: &str = "greeters";
/// Peer application bag key under which the leader names itself.
const LEADER_KEY: &str = "leader-unit";
const RELEASE_KEY: &str = "release";
const OPENED_PORT_KEY: &str = "opened-port";

/// The charm.
#[derive(Debug)]
pub struct Example;

impl Charm for Example {
    const METADATA: &'static str = include_str!("../metadata.yaml");
    const ACTIONS: &'static str = include_str!("../../../actions/example.yaml");
    const TEMPLATES: &'static [charm::Template] = charm::embed_templates!(
        "../../templates/example",
        ["greeter.conf" => OsloIni, "bravo/greeter.conf" => OsloIni]
    );

    fn handle<R: ToolRunner>(ctx: &mut Context<R>, event: &Event) -> anyhow::Result<()> {
        match event {
            Event::Action(action) if action.name == "greet" => greet(ctx),
            Event::Action(action) => anyhow::bail!("no handler for action '{}'", action.name),
            Event::Remove => {
                ctx.host().remove_file(CONFIG_FILE)?;
                Ok(())
            }
            _ => charm::plan::converge(ctx, gather, reconcile),
        }
    }
}

/// Everything [`reconcile`] decides from.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub unit: UnitName,
    pub config: Result<Config, ConfigError>,
    pub leader: bool,
    /// The release recorded at install; `None` before the first hook finished.
    pub release: Option<String>,
    /// The port opened by an earlier hook.
    pub opened_port: Option<u16>,
    pub website: Vec<RelationId>,
    /// The address consumers reach this unit at; read only when there are consumers.
    pub ingress_address: Option<String>,
    pub peers: Option<RelationId>,
    /// The leader as published in the peer application bag.
    pub published_leader: Option<String>,
    /// Whether the greeter's package is installed (read once, on `install`).
    pub installed: bool,
}

/// The greeter configuration template's context.
#[derive(Debug, Serialize)]
struct GreeterConf<'a> {
    unit: String,
    greeting: &'a str,
    port: u16,
    shout: bool,
    leader: Option<&'a str>,
}

/// Reads every input of [`reconcile`]; each is one cached hook-tool call at most.
pub fn gather<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<Inputs> {
    let config = Config::from_raw(ctx.config()?);
    let leader = ctx.is_leader()?;
    let state = ctx.state()?;
    let release = state.get(RELEASE_KEY).map(str::to_owned);
    let opened_port = state.parse::<u16>(OPENED_PORT_KEY)?;
    let mut relations = ctx.relations();
    let website = relations.ids(WEBSITE)?;
    let peers = relations.ids(PEERS)?.into_iter().next();
    let published_leader = match &peers {
        Some(peers) => relations.local_app_data(peers)?.remove(LEADER_KEY),
        None => None,
    };
    // Installed by the install hook, which no later hook runs before.
    let installed = match ctx.env().hook_name.as_deref() {
        Some("install") => ctx.host().installed_version(PACKAGE)?.is_some(),
        _ => true,
    };
    let ingress_address = if website.is_empty() {
        None
    } else {
        ctx.tools().network_get_ingress_address(WEBSITE, None)?
    };
    Ok(Inputs {
        unit: ctx.env().unit.clone(),
        config,
        leader,
        release,
        opened_port,
        website,
        ingress_address,
        peers,
        published_leader,
        installed,
    })
}

/// Decides files, ports, relation data and status from `inputs`. Pure: templates render in
/// memory.
pub fn reconcile(inputs: &Inputs, templates: &Templates) -> Result<Plan, charm::TemplateError> {
    let release = inputs
        .release
        .clone()
        .unwrap_or_else(|| RELEASES[RELEASES.len() - 1].to_owned());
    let mut plan = Plan::status(UnitStatus::new(Status::Active, ""));
    if inputs.release.is_none() {
        plan.state
            .push((RELEASE_KEY.to_owned(), Some(release.clone())));
    }
    if !inputs.installed {
        plan.install = Some(Install {
            packages: vec![PACKAGE.to_owned()],
            ..Install::default()
        });
    }
    let config = match &inputs.config {
        Ok(config) => config,
        Err(invalid) => {
            plan.status = UnitStatus::new(Status::Blocked, invalid.to_string());
            return Ok(plan);
        }
    };

    let leader = if inputs.leader {
        let me = inputs.unit.to_string();
        plan.relation_data
            .extend(inputs.peers.clone().map(|peers| RelationWrite {
                relation: peers,
                app: true,
                data: Bag::from([(LEADER_KEY.to_owned(), me.clone())]),
            }));
        Some(me)
    } else {
        inputs.published_leader.clone()
    };

    let context = GreeterConf {
        unit: inputs.unit.to_string(),
        greeting: &config.greeting,
        port: config.port,
        shout: config.shout,
        leader: leader.as_deref(),
    };
    let file = RenderedFile {
        path: CONFIG_FILE.to_owned(),
        content: templates.render("greeter.conf", &release_search(&release), &context)?,
        spec: FileSpec::new("root", "root", 0o640),
    };
    plan.files.push(PlannedFile::new(file, &[SERVICE]));
    plan.services.push((SERVICE.to_owned(), ServiceState::Run));

    if inputs.opened_port != Some(config.port) {
        if let Some(old) = inputs.opened_port {
            plan.ports.push((Port::tcp(old), false));
        }
        plan.ports.push((Port::tcp(config.port), true));
        plan.state
            .push((OPENED_PORT_KEY.to_owned(), Some(config.port.to_string())));
    }

    if let Some(address) = &inputs.ingress_address {
        let data = Bag::from([
            ("hostname".to_owned(), address.clone()),
            ("port".to_owned(), config.port.to_string()),
        ]);
        plan.relation_data
            .extend(inputs.website.iter().map(|relation| RelationWrite {
                relation: relation.clone(),
                app: false,
                data: data.clone(),
            }));
    }

    plan.status = if leader.is_none() && inputs.peers.is_some() {
        UnitStatus::new(Status::Waiting, "Waiting for the leader to publish itself")
    } else {
        UnitStatus::new(Status::Active, format!("Greeting on port {}", config.port))
    };
    Ok(plan)
}

/// Template directories for `release`: it and every older release, newest first.
pub fn release_search(release: &str) -> Vec<&'static str> {
    let known = RELEASES
        .iter()
        .position(|r| *r == release)
        .map_or(0, |i| i + 1);
    RELEASES[..known].iter().rev().copied().collect()
}

/// The `greet` action's parameters (`actions/example.yaml`).
#[derive(Debug, Deserialize)]
struct GreetParams {
    name: String,
    #[serde(default)]
    shout: bool,
}

#[derive(Debug, Serialize)]
struct GreetResults {
    message: String,
    greeter: Greeter,
}

#[derive(Debug, Serialize)]
struct Greeter {
    unit: String,
    release: String,
}

fn greet<R: ToolRunner>(ctx: &mut Context<R>) -> anyhow::Result<()> {
    let params: GreetParams = ctx.action_params()?;
    // An invalid config is the operator's to fix: the runtime turns this error into a failed
    // action and a blocked status.
    let config = Config::from_raw(ctx.config()?)?;
    let release = ctx
        .state()?
        .get(RELEASE_KEY)
        .unwrap_or("unknown")
        .to_owned();
    let results = GreetResults {
        message: config.greet(&params.name, params.shout),
        greeter: Greeter {
            unit: ctx.env().unit.to_string(),
            release,
        },
    };
    ctx.action()?.set_all(&results)?;
    Ok(())
}
