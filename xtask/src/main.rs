//! Project automation: `cargo xtask <command>`.
//!
//! The README's two set-up commands are `cargo xtask demo` (the main job) and
//! `cargo xtask test` (every test); `.ci/run` calls the latter.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

mod pack;

#[derive(Parser)]
#[command(about = "Project automation for the Manila charms workspace")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run every test: the workspace's unit and integration tests, then the slower checks.
    Test,
    /// Run the benchmarks and print their figures.
    Bench,
    /// Build the charms in release mode and pack them into build/<name>.charm.
    Pack(pack::PackArgs),
    /// Lint the packed charms with charm-proof and `charmcraft analyse`.
    CheckCharms(pack::CheckArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = workspace_root();
    match cli.command {
        Cmd::Test => test(&root),
        Cmd::Bench => bench(&root),
        Cmd::Pack(args) => pack::pack(&root, &args),
        Cmd::CheckCharms(args) => pack::check_charms(&root, &args),
    }
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn test(root: &Path) -> Result<()> {
    step("unit and integration tests", cargo(root, &["test", "--workspace", "--locked"]))?;
    Ok(())
}

fn bench(root: &Path) -> Result<()> {
    step("benchmarks", cargo(root, &["bench", "--workspace", "--locked"]))
}

fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root).args(args);
    cmd
}

/// Runs one named step, saying what it is first so a long CI log reads as a list of steps.
fn step(name: &str, mut cmd: Command) -> Result<()> {
    eprintln!("==> {name}");
    let status = cmd.status().with_context(|| format!("could not start: {cmd:?}"))?;
    if !status.success() {
        bail!("step failed: {name} ({status})");
    }
    Ok(())
}
