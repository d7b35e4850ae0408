//! `juju-emulator`: the model emulator's command line, shaped like `juju`'s.
//!
//! The model lives in a directory (`--model DIR` or `JUJU_EMULATOR_MODEL`), so every command
//! is a separate invocation working on the same model, as with a real controller. Commands that
//! change the model run the hooks they cause before returning (one progress line per hook on
//! stderr), unless `--no-settle` is given.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use emulator::{
    ActionResult, ActionStatus, Charm, ConfigValue, DeployOptions, HookOutcome, Model, Placement,
    Space,
};
use serde_json::{Map, Value as Json};

#[derive(Parser, Debug)]
#[command(
    name = "juju-emulator",
    version,
    about = "A Juju model in a directory, running real charms"
)]
struct Cli {
    /// The model directory (created by the first `deploy`).
    #[arg(short, long, env = "JUJU_EMULATOR_MODEL", global = true)]
    model: Option<PathBuf>,
    /// A directory standing in for Charmhub: bundles' `charm: <name>` (and `deploy <name>`)
    /// resolve to `<name>.charm` or `<name>/` in it. Kept with the model once given.
    #[arg(long, env = "JUJU_EMULATOR_STORE", global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    /// A catalog file (YAML) of packages to add to the model's emulated archive, such as a
    /// charm's workload (`cargo xtask demo` writes Manila's to build/store/catalog.yaml).
    /// Kept with the model once given.
    #[arg(
        long,
        env = "JUJU_EMULATOR_CATALOG",
        global = true,
        value_name = "FILE"
    )]
    catalog: Option<PathBuf>,
    /// Queue the hooks a command causes without running them (see `settle`).
    #[arg(long, global = true)]
    no_settle: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Deploy a charm (directory, .charm, or a name from --store) or a bundle (bundle.yaml).
    Deploy {
        path: PathBuf,
        /// Application name (default: the charm's name).
        app: Option<String>,
        #[arg(short = 'n', long = "num-units")]
        num_units: Option<u32>,
        /// key=value, parsed by the option's type.
        #[arg(long = "config", value_name = "KEY=VALUE")]
        config: Vec<String>,
        /// Machine number, `new`, or a unit to sit beside; once per unit.
        #[arg(long)]
        to: Vec<String>,
        /// Bind endpoints to spaces, as `juju deploy --bind`: `"<default-space>
        /// <endpoint>=<space> …"` (words separated by spaces; may be repeated).
        #[arg(long, value_name = "BINDINGS")]
        bind: Vec<String>,
        /// Let the application read the cloud credential (`credential-get`).
        #[arg(long)]
        trust: bool,
        /// `name=path`: a file for one of the charm's resources; may be repeated.
        #[arg(long = "resource", value_name = "NAME=PATH")]
        resources: Vec<String>,
    },
    /// Give (or with --remove take back) an application's access to the cloud credential.
    Trust {
        app: String,
        #[arg(long)]
        remove: bool,
    },
    /// Set model config (`automatically-retry-hooks=false`).
    ModelConfig { settings: Vec<String> },
    /// Add a user secret: `add-secret NAME key=value…`; prints its URI.
    AddSecret { name: String, content: Vec<String> },
    /// A new revision of a user secret: `update-secret NAME|URI key=value…`.
    UpdateSecret {
        secret: String,
        content: Vec<String>,
    },
    /// Let an application read a user secret.
    GrantSecret { secret: String, app: String },
    /// List the model's secrets: URI, owner kind, label.
    Secrets,
    /// Add a network space: every machine gets an address on it (`spaces` lists them).
    AddSpace { name: String },
    /// List the model's spaces with their subnet and interface.
    Spaces,
    /// Show applications, units, machines and integrations.
    Status,
    /// Show an application's config, one option, or set options.
    Config {
        app: String,
        /// `key=value` to set, or one `key` to show.
        settings: Vec<String>,
        /// Reset an option to its default.
        #[arg(long)]
        reset: Vec<String>,
    },
    /// Integrate two applications (`app` or `app:endpoint` each).
    #[command(alias = "integrate")]
    Relate { a: String, b: String },
    /// Remove the integration between two applications.
    RemoveRelation { a: String, b: String },
    /// Add units to an application.
    AddUnit {
        app: String,
        #[arg(short = 'n', long = "num-units", default_value_t = 1)]
        num_units: u32,
        #[arg(long)]
        to: Option<String>,
    },
    /// Remove units (they depart, break, stop and are removed).
    RemoveUnit {
        #[arg(required = true)]
        units: Vec<String>,
    },
    /// Run an action: `run UNIT ACTION key=value…` (values are YAML, `a.b=c` nests).
    Run {
        unit: String,
        action: String,
        params: Vec<String>,
        /// Keep values as strings instead of parsing them as YAML.
        #[arg(long)]
        string_args: bool,
        #[arg(long, value_enum, default_value_t = Format::Plain)]
        format: Format,
    },
    /// Run a command in a hook context of a unit: `exec UNIT -- command args…` (the words are
    /// joined into a bash script, as `juju exec` does). Exits with the command's code.
    Exec {
        unit: String,
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Print the debug log (juju-log lines and hook output).
    DebugLog {
        /// Only these units (`app/0`) or applications.
        #[arg(long)]
        include: Vec<String>,
        /// Only the last N lines.
        #[arg(short = 'n', long)]
        lines: Option<usize>,
    },
    /// Run queued hooks until none is left.
    Settle {
        /// Pick the next unit at random from this seed (any order Juju could take).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Clear a unit's hook error (retrying the hook unless --no-retry).
    Resolved {
        unit: String,
        #[arg(long)]
        no_retry: bool,
    },
    /// Upgrade an application's charm (reread from where it was deployed, or --path).
    #[command(alias = "refresh")]
    UpgradeCharm {
        app: String,
        #[arg(long)]
        path: Option<PathBuf>,
    },
    /// Make a unit the leader of its application.
    SetLeader { unit: String },
    /// Fire update-status on every started unit.
    UpdateStatus,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Plain,
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ERROR {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let Some(dir) = cli.model.clone() else {
        bail!("no model directory: pass --model DIR or set JUJU_EMULATOR_MODEL");
    };
    let mut model = match &cli.command {
        // Spaces come before the deploys that bind to them.
        Command::Deploy { .. }
        | Command::AddSpace { .. }
        | Command::ModelConfig { .. }
        | Command::AddSecret { .. } => Model::open_or_new(&dir),
        _ => Model::open(&dir),
    }
    .with_context(|| format!("model {}", dir.display()))?;
    if let Some(store) = &cli.store {
        model
            .set_charm_store(store)
            .with_context(|| format!("charm store {}", store.display()))?;
    }
    if let Some(file) = &cli.catalog {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("catalog {}", file.display()))?;
        let added = emulator::Catalog::from_yaml(&text)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("catalog {}", file.display()))?;
        let catalog = model.catalog().clone().with(added);
        model.set_catalog(catalog)?;
    }
    model.on_hook(|record| {
        if record.action {
            // `run` reports its task itself.
            return;
        }
        let outcome = match &record.outcome {
            HookOutcome::Completed => "ok".to_owned(),
            HookOutcome::Missing => "missing, skipped".to_owned(),
            HookOutcome::Failed { reason } => format!("failed: {reason}"),
            HookOutcome::Skipped { reason } => format!("skipped: {reason}"),
        };
        let remote = record
            .remote_unit
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        eprintln!("{}: {}{remote} {outcome}", record.unit, record.hook);
    });

    let mut settle = !cli.no_settle;
    match cli.command {
        Command::Deploy {
            path,
            app,
            num_units,
            config,
            to,
            bind,
            trust,
            resources,
        } => {
            if is_bundle(&path) {
                if app.is_some()
                    || num_units.is_some()
                    || !config.is_empty()
                    || !to.is_empty()
                    || !bind.is_empty()
                    || trust
                    || !resources.is_empty()
                {
                    bail!(
                        "a bundle takes no application name, --num-units, --config, --to, --bind, --trust or --resource"
                    );
                }
                model.deploy_bundle(&path)?;
            } else {
                // `deploy keystone`: a Charmhub name, from the store, as `juju deploy` would
                // take it from Charmhub.
                let path = match model.charm_store() {
                    Some(store) if !path.exists() => store
                        .resolve(&path.to_string_lossy())
                        .map_err(anyhow::Error::msg)?,
                    _ => path,
                };
                let name = match app {
                    Some(app) => app,
                    None => Charm::load(&path)?.meta.name,
                };
                let mut options = DeployOptions {
                    units: num_units,
                    trust,
                    ..DeployOptions::default()
                };
                for resource in &resources {
                    let (name, file) = split_setting(resource)?;
                    options = options.resource(name, file);
                }
                for setting in &config {
                    let (key, value) = split_setting(setting)?;
                    options
                        .config
                        .insert(key.to_owned(), ConfigValue::from(value));
                }
                for placement in &to {
                    options
                        .to
                        .push(placement.parse::<Placement>().map_err(anyhow::Error::msg)?);
                }
                options.bindings = parse_bindings(&bind)?;
                model.deploy(&name, &path, options)?;
            }
        }
        Command::Trust { app, remove } => model.trust(&app, !remove)?,
        Command::ModelConfig { settings } => {
            for setting in &settings {
                let (key, value) = split_setting(setting)?;
                model.set_model_config(key, value)?;
            }
        }
        Command::AddSecret { name, content } => {
            settle = false;
            let pairs = content
                .iter()
                .map(|c| split_setting(c))
                .collect::<Result<Vec<_>>>()?;
            println!("{}", model.add_secret(&name, &pairs)?);
        }
        Command::UpdateSecret { secret, content } => {
            let pairs = content
                .iter()
                .map(|c| split_setting(c))
                .collect::<Result<Vec<_>>>()?;
            model.update_secret(&secret, &pairs)?;
        }
        Command::GrantSecret { secret, app } => {
            settle = false;
            model.grant_secret(&secret, &app)?;
        }
        Command::Secrets => {
            settle = false;
            for (uri, owner, label) in model.secrets() {
                println!("{uri}  {owner}  {label}");
            }
        }
        Command::AddSpace { name } => {
            settle = false;
            let space = model.add_space(&name)?;
            eprintln!("added space {:?} with subnet {}", space.name, space.subnet);
        }
        Command::Spaces => {
            settle = false;
            print_spaces(&model.spaces());
        }
        Command::Status => {
            settle = false;
            print!("{}", emulator::status::render(&model));
        }
        Command::Config {
            app,
            settings,
            reset,
        } => {
            let sets: Vec<&String> = settings.iter().filter(|s| s.contains('=')).collect();
            let gets: Vec<&String> = settings.iter().filter(|s| !s.contains('=')).collect();
            if !gets.is_empty() && (!sets.is_empty() || gets.len() > 1 || !reset.is_empty()) {
                bail!("can only retrieve a single value, or all values");
            }
            if let [key] = gets.as_slice() {
                settle = false;
                print_config_value(&model, &app, key)?;
            } else if sets.is_empty() && reset.is_empty() {
                settle = false;
                print_config(&model, &app)?;
            } else {
                if !reset.is_empty() {
                    let keys: Vec<&str> = reset.iter().map(String::as_str).collect();
                    model.reset_config(&app, &keys)?;
                }
                let mut values = Vec::new();
                for setting in sets {
                    let (key, value) = split_setting(setting)?;
                    values.push((key.to_owned(), value.to_owned()));
                }
                model.set_config(&app, values)?;
            }
        }
        Command::Relate { a, b } => {
            model.relate(&a, &b)?;
        }
        Command::RemoveRelation { a, b } => model.remove_relation(&a, &b)?,
        Command::AddUnit { app, num_units, to } => {
            let placement = match to {
                Some(to) => to.parse::<Placement>().map_err(anyhow::Error::msg)?,
                None => Placement::New,
            };
            for _ in 0..num_units {
                model.add_unit_to(&app, placement.clone())?;
            }
        }
        Command::RemoveUnit { units } => {
            for unit in units {
                model.remove_unit(&unit)?;
            }
        }
        Command::Run {
            unit,
            action,
            params,
            string_args,
            format,
        } => {
            let params = parse_params(&params, string_args)?;
            let operation_unit = unit.replace('/', "-");
            let result = model.run_action(&unit, &action, params)?;
            if format == Format::Plain {
                eprintln!(
                    "Running operation {} with 1 task\n  - task {} on unit-{operation_unit}\n\nWaiting for task {}...",
                    result.operation, result.task, result.task
                );
            }
            settle = false;
            let failed = print_action(&result, format)?;
            if failed {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Exec { unit, command } => {
            let result = model.exec(&unit, &command)?;
            std::io::stdout().write_all(result.stdout.as_bytes())?;
            std::io::stderr().write_all(result.stderr.as_bytes())?;
            if settle {
                let report = model.settle()?;
                report_errors(&report.units_in_error);
            }
            // A shell's view of the code: its low byte.
            return Ok(ExitCode::from(result.code as u8));
        }
        Command::DebugLog { include, lines } => {
            settle = false;
            let entries: Vec<String> = model
                .debug_log()
                .iter()
                .filter(|e| {
                    include.is_empty()
                        || include
                            .iter()
                            .any(|i| &e.unit == i || e.unit.split('/').next() == Some(i.as_str()))
                })
                .map(|e| e.render())
                .collect();
            let skip = lines.map_or(0, |n| entries.len().saturating_sub(n));
            let mut out = std::io::stdout().lock();
            for line in &entries[skip..] {
                writeln!(out, "{line}")?;
            }
        }
        Command::Settle { seed } => {
            settle = false;
            let report = match seed {
                Some(seed) => model.settle_seeded(seed)?,
                None => model.settle()?,
            };
            report_errors(&report.units_in_error);
        }
        Command::Resolved { unit, no_retry } => model.resolved(&unit, !no_retry)?,
        Command::UpgradeCharm { app, path } => model.upgrade_charm(&app, path.as_deref())?,
        Command::SetLeader { unit } => model.set_leader(&unit)?,
        Command::UpdateStatus => model.update_status()?,
    }
    if settle {
        let report = model.settle()?;
        report_errors(&report.units_in_error);
    }
    Ok(ExitCode::SUCCESS)
}

fn report_errors(units: &[String]) {
    if !units.is_empty() {
        eprintln!(
            "units in error (see `status`, fix, then `resolved`): {}",
            units.join(", ")
        );
    }
}

/// A bundle is a YAML file, or a directory with `bundle.yaml` and no charm metadata.
fn is_bundle(path: &Path) -> bool {
    if path.is_dir() {
        return path.join("bundle.yaml").is_file()
            && !path.join("metadata.yaml").exists()
            && !path.join("charmcraft.yaml").exists();
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// `juju deploy --bind`: a bare word is the default space, `endpoint=space` binds one
/// endpoint. Spaces and endpoints are checked by the model.
fn parse_bindings(words: &[String]) -> Result<BTreeMap<String, String>> {
    let mut bindings = BTreeMap::new();
    for word in words.iter().flat_map(|w| w.split_whitespace()) {
        let (endpoint, space) = word.split_once('=').unwrap_or(("", word));
        if space.is_empty() {
            bail!("--bind {word:?}: no space given for endpoint {endpoint:?}");
        }
        if let Some(previous) = bindings.insert(endpoint.to_owned(), space.to_owned()) {
            if previous != space {
                bail!("--bind: endpoint {endpoint:?} bound to both {previous:?} and {space:?}");
            }
        }
    }
    Ok(bindings)
}

/// `juju spaces`, in its tabular shape.
fn print_spaces(spaces: &[Space]) {
    let width = spaces
        .iter()
        .map(|s| s.name.len())
        .chain(["Name".len()])
        .max()
        .unwrap_or(0);
    println!("{:width$}  {:15}  Interface", "Name", "Subnet");
    for space in spaces {
        println!(
            "{:width$}  {:15}  {}",
            space.name, space.subnet, space.interface
        );
    }
}

fn split_setting(setting: &str) -> Result<(&str, &str)> {
    setting
        .split_once('=')
        .with_context(|| format!("expected key=value, got {setting:?}"))
}

/// `juju run` params: `key=value` with YAML values, dotted keys nesting maps.
fn parse_params(params: &[String], string_args: bool) -> Result<Map<String, Json>> {
    let mut out = Map::new();
    for param in params {
        let (key, raw) = split_setting(param)?;
        let value = if string_args {
            Json::String(raw.to_owned())
        } else {
            let yaml: serde_yaml::Value = serde_yaml::from_str(raw)
                .with_context(|| format!("parameter {key:?}: invalid YAML value {raw:?}"))?;
            serde_json::to_value(yaml)
                .with_context(|| format!("parameter {key:?}: value {raw:?}"))?
        };
        let mut parts: Vec<&str> = key.split('.').collect();
        let Some(last) = parts.pop() else {
            continue;
        };
        let mut map = &mut out;
        for part in parts {
            let entry = map
                .entry(part.to_owned())
                .or_insert_with(|| Json::Object(Map::new()));
            if !entry.is_object() {
                *entry = Json::Object(Map::new());
            }
            let Json::Object(inner) = entry else {
                unreachable!("just made it an object")
            };
            map = inner;
        }
        map.insert(last.to_owned(), value);
    }
    Ok(out)
}

/// Prints a task as `juju run` does; returns whether it failed.
fn print_action(result: &ActionResult, format: Format) -> Result<bool> {
    let failed = result.status == ActionStatus::Failed;
    match format {
        Format::Plain => {
            for line in &result.log {
                eprintln!("{line}");
            }
            let mut shown = result.results.clone();
            for key in [
                "return-code",
                "stdout",
                "stderr",
                "stdout-encoding",
                "stderr-encoding",
            ] {
                shown.remove(key);
            }
            if !shown.is_empty() {
                print!("{}", serde_yaml::to_string(&shown)?);
            }
            if let Some(Json::String(stdout)) = result.results.get("stdout") {
                print!("{stdout}");
            }
            if let Some(Json::String(stderr)) = result.results.get("stderr") {
                eprint!("{stderr}");
            }
            if failed {
                let code = result
                    .results
                    .get("return-code")
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "unknown".to_owned());
                eprintln!(
                    "ERROR the following task failed:\n id {:?} with return code {code}\n\nuse 'juju show-task' to inspect the failure",
                    result.task.to_string()
                );
            }
        }
        Format::Yaml | Format::Json => {
            let mut task = BTreeMap::new();
            task.insert("id", Json::String(result.task.to_string()));
            if let Some(message) = &result.message {
                task.insert("message", Json::String(message.clone()));
            }
            task.insert("results", Json::Object(result.results.clone()));
            task.insert("status", serde_json::to_value(result.status)?);
            task.insert("unit", Json::String(result.unit.clone()));
            let mut doc = BTreeMap::new();
            doc.insert(result.unit.clone(), task);
            if format == Format::Yaml {
                print!("{}", serde_yaml::to_string(&doc)?);
            } else {
                println!("{}", serde_json::to_string(&doc)?);
            }
        }
    }
    Ok(failed)
}

/// `juju config app`: the charm's options with their values and where they come from.
fn print_config(model: &Model, app: &str) -> Result<()> {
    let charm = model.charm(app)?;
    let values = model.config(app)?;
    let mut settings = serde_yaml::Mapping::new();
    for (name, option) in &charm.config.options {
        let mut entry = serde_yaml::Mapping::new();
        if let Some(default) = &option.default {
            entry.insert("default".into(), serde_yaml::to_value(default)?);
        }
        entry.insert("description".into(), option.description.clone().into());
        let value = values.get(name);
        let source = match (value, &option.default) {
            (Some(v), Some(d)) if v == d => "default",
            (Some(_), _) => "user",
            (None, _) => "unset",
        };
        entry.insert("source".into(), source.into());
        entry.insert("type".into(), option.kind.to_string().into());
        if let Some(value) = value {
            entry.insert("value".into(), serde_yaml::to_value(value)?);
        }
        settings.insert(name.clone().into(), entry.into());
    }
    let mut doc = serde_yaml::Mapping::new();
    doc.insert("application".into(), app.into());
    doc.insert("charm".into(), charm.meta.name.clone().into());
    doc.insert("settings".into(), settings.into());
    print!("{}", serde_yaml::to_string(&doc)?);
    Ok(())
}

fn print_config_value(model: &Model, app: &str, key: &str) -> Result<()> {
    let charm = model.charm(app)?;
    if !charm.config.options.contains_key(key) {
        bail!("key {key:?} not found in {app:?} application config or charm settings");
    }
    match model.config(app)?.get(key) {
        Some(Json::String(s)) => println!("{s}"),
        Some(other) => println!("{other}"),
        None => println!(),
    }
    Ok(())
}
