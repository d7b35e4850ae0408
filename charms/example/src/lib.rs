//! A tiny greeter charm: the worked example of the charm runtime (`crates/charm`).
//!
//! The greeter is configured by three options, writes `/etc/example/greeter.conf` (0640,
//! root:root), restarts its `example-greeter` service when that file changes, opens its port,
//! publishes `hostname` and `port` to consumers of its `website` (http) endpoint, agrees on a
//! leader through its `greeters` peer relation, and answers the `greet` action.
//!
//! Read it in this order:
//! 1. [`OPTIONS`] and [`Config`]: options declared once; `config.yaml` is generated from the
//!    table (a test keeps it so) and [`Config::from_raw`] validates raw values.
//! 2. [`Example::handle`]: every hook runs the same three steps: [`gather`] reads the inputs
//!    (all hook-tool reads, cached by the runtime), [`reconcile`] computes a [`Plan`] without
//!    any I/O, and [`apply`] carries it out. Only `remove` and the `greet` action differ.
//! 3. The runtime does the rest: one `relation-set` per changed bag, one `status-set` when
//!    the status changed, unit state written back, and the exit policy.
//!
//! The binary embeds the top-level `actions/example.yaml`; this directory carries a copy as
//! `actions.yaml` (what packing ships), kept equal by a test, beside `metadata.yaml` and the
//! generated `config.yaml` and `README.md`.

use charm::config::{ConfigError, OptionSpec, OptionType, RawConfig};
use charm::{Charm, Context, Databag, Event, RenderedFile, Restart, Templates, UnitStatus};
use host::FileSpec;
use juju::{Port, RelationId, Status, ToolRunner, UnitName};
use serde::{Deserialize, Serialize};

/// The charm's configuration options, the single source of `config.yaml`.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "greeting",
        ty: OptionType::String {
            default: Some("Hello"),
        },
        description: "What the greeter says before a name.",
    },
    OptionSpec {
        name: "port",
        ty: OptionType::Int {
            default: Some(8080),
        },
        description: "TCP port the greeter listens on (1-65535).",
    },
    OptionSpec {
        name: "shout",
        ty: OptionType::Boolean {
            default: Some(false),
        },
        description: "Greet in capitals.",
    },
];

/// The configuration, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub greeting: String,
    pub port: u16,
    pub shout: bool,
}

impl Config {
    pub fn from_raw(raw: &RawConfig) -> Result<Config, ConfigError> {
        let greeting = raw.string("greeting")?;
        if greeting.trim().is_empty() {
            return Err(ConfigError::new("greeting", "must not be empty"));
        }
        let port = raw.int_in("port", 1..=65535)?;
        Ok(Config {
            greeting,
            port: u16::try_from(port).map_err(|e| ConfigError::new("port", e))?,
            shout: raw.boolean("shout")?,
        })
    }

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
pub const RESTART_MAP: &[Restart] = &[Restart {
    file: CONFIG_FILE,
    services: &[SERVICE],
}];

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
            Event::Install => {
                ctx.host().install(&[PACKAGE])?;
                let inputs = gather(ctx)?;
                let plan = reconcile(&inputs, ctx.templates())?;
                apply(ctx, plan)
            }
            Event::Remove => {
                ctx.host().remove_file(CONFIG_FILE)?;
                Ok(())
            }
            _ => {
                let inputs = gather(ctx)?;
                let plan = reconcile(&inputs, ctx.templates())?;
                apply(ctx, plan)
            }
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
}

/// What this unit should look like, computed without I/O.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub status: UnitStatus,
    pub record_release: Option<String>,
    pub files: Vec<RenderedFile>,
    pub open_port: Option<u16>,
    pub close_port: Option<u16>,
    /// Unit data for each `website` relation.
    pub website: Vec<(RelationId, Databag)>,
    /// Application data for the peer relation (leader only).
    pub peer_app: Option<(RelationId, Databag)>,
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
    })
}

/// Decides files, ports, relation data and status from `inputs`. Pure: templates render in
/// memory.
pub fn reconcile(inputs: &Inputs, templates: &Templates) -> Result<Plan, charm::TemplateError> {
    let release = inputs
        .release
        .clone()
        .unwrap_or_else(|| RELEASES[RELEASES.len() - 1].to_owned());
    let mut plan = Plan {
        status: UnitStatus::new(Status::Active, ""),
        record_release: inputs.release.is_none().then(|| release.clone()),
        files: Vec::new(),
        open_port: None,
        close_port: None,
        website: Vec::new(),
        peer_app: None,
    };
    let config = match &inputs.config {
        Ok(config) => config,
        Err(invalid) => {
            plan.status = UnitStatus::new(Status::Blocked, invalid.to_string());
            return Ok(plan);
        }
    };

    let leader = if inputs.leader {
        let me = inputs.unit.to_string();
        plan.peer_app = inputs
            .peers
            .clone()
            .map(|peers| (peers, Databag::from([(LEADER_KEY.to_owned(), me.clone())])));
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
    plan.files.push(RenderedFile {
        path: CONFIG_FILE.to_owned(),
        content: templates.render("greeter.conf", &release_search(&release), &context)?,
        spec: FileSpec::new("root", "root", 0o640),
    });

    if inputs.opened_port != Some(config.port) {
        plan.open_port = Some(config.port);
        plan.close_port = inputs.opened_port;
    }

    if let Some(address) = &inputs.ingress_address {
        let data = Databag::from([
            ("hostname".to_owned(), address.clone()),
            ("port".to_owned(), config.port.to_string()),
        ]);
        plan.website = inputs
            .website
            .iter()
            .map(|relation| (relation.clone(), data.clone()))
            .collect();
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

/// Carries out `plan`: the only function here with effects.
pub fn apply<R: ToolRunner>(ctx: &mut Context<R>, plan: Plan) -> anyhow::Result<()> {
    ctx.status().report(plan.status.status, plan.status.message);
    if let Some(release) = plan.record_release {
        ctx.state()?.set(RELEASE_KEY, release);
    }
    let changed = ctx.write_files(&plan.files)?;
    ctx.restart_changed(&changed, RESTART_MAP)?;
    if let Some(port) = plan.close_port {
        ctx.tools().close_port(Port::tcp(port))?;
    }
    if let Some(port) = plan.open_port {
        ctx.tools().open_port(Port::tcp(port))?;
        ctx.state()?.set(OPENED_PORT_KEY, port);
    }
    let mut relations = ctx.relations();
    for (relation, data) in plan.website {
        relations.set_unit_data(&relation, data)?;
    }
    if let Some((relation, data)) = plan.peer_app {
        relations.set_app_data(&relation, data)?;
    }
    Ok(())
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
