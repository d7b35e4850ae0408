//! The manila charm's NRPE checks run for real: the nrpe fixture installs Debian's
//! `nagios-nrpe-server` and `monitoring-plugins-basic` (NRPE on loopback only), manila
//! writes its checks, and the scenario asks NRPE for each one with Debian's `check_nrpe`
//! (`nagios-nrpe-plugin`), as a nagios server would: every check OK while the services run,
//! the scheduler's CRITICAL once `manila-scheduler` is stopped and OK again after `resume`,
//! and no check CRITICAL while the unit is paused.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use emulator::{ActionStatus, DeployOptions, Model};
use serde_json::Map;

use super::{all_active, charm, run_quiet, stage, wait_for};

const UNIT: &str = "manila/0";
/// The nrpe fixture, packed with the other charms.
pub(super) const NRPE_CHARM: &str = "tests/fixtures/charms/nrpe";
const CHECK_NRPE: &str = "/usr/lib/nagios/plugins/check_nrpe";
const NRPE_D: &str = "/etc/nagios/nrpe.d";
/// What the all-roles unit defines (`manila::nrpe`).
const EXPECTED: &[&str] = &[
    "apache2",
    "haproxy",
    "haproxy_queue",
    "haproxy_servers",
    "manila-data",
    "manila-scheduler",
    "manila-share",
    "manila_api_http",
    "memcached",
];

pub(super) fn nrpe_checks(root: &Path, model: &mut Model) -> Result<()> {
    stage("nrpe: Debian's NRPE runs manila's checks; scheduler stopped, resumed; paused");
    if !Path::new(CHECK_NRPE).exists() {
        run_quiet(
            Command::new("apt-get")
                .args([
                    "install",
                    "-y",
                    "--no-install-recommends",
                    "nagios-nrpe-plugin",
                ])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
    }
    model.deploy("nrpe", charm(root, NRPE_CHARM), DeployOptions::new())?;
    model.relate("manila:nrpe-external-master", "nrpe:nrpe-external-master")?;
    model.settle()?;
    all_active(model)?;
    let checks = defined()?;
    if checks != EXPECTED {
        bail!("manila/0 defines the checks {checks:?}, expected {EXPECTED:?}");
    }
    wait_for("every check OK", 90, || Ok(failing(&checks, 0)?.is_empty()))
        .with_context(|| report(&checks))?;

    run_quiet(Command::new("service").args(["manila-scheduler", "stop"]))?;
    wait_for("manila-scheduler's processes to end", 60, || {
        Ok(ask("manila-scheduler")?.0 != 0)
    })?;
    let (code, said) = ask("manila-scheduler")?;
    eprintln!("    manila-scheduler stopped: check_manila-scheduler {code}: {said}");
    if code != 2 {
        bail!("check_manila-scheduler answered {code} ({said}) with manila-scheduler stopped, not CRITICAL (2)");
    }
    action(model, "resume")?;
    wait_for("check_manila-scheduler OK after resume", 90, || {
        Ok(ask("manila-scheduler")?.0 == 0)
    })?;

    // Paused, every check says so and answers OK (NRPE restarts to read them: until it
    // listens again, check_nrpe answers UNKNOWN).
    action(model, "pause")?;
    wait_for("every check OK on the paused unit", 90, || {
        Ok(failing(&checks, 0)?.is_empty())
    })
    .with_context(|| report(&checks))?;
    eprintln!("{}", report(&checks));
    action(model, "resume")?;
    all_active(model)?;
    wait_for("every check OK after resume", 90, || {
        Ok(failing(&checks, 0)?.is_empty())
    })
    .with_context(|| report(&checks))?;
    eprintln!("{}", report(&checks));
    Ok(())
}

/// The checks manila/0 defined, by short name.
fn defined() -> Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(NRPE_D)
        .with_context(|| format!("reading {NRPE_D}"))?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Some(
                name.strip_prefix("check_")?
                    .strip_suffix(".cfg")?
                    .to_owned(),
            )
        })
        .collect();
    names.sort();
    Ok(names)
}

/// NRPE's answer to `check_<check>`: the exit code and the first line.
fn ask(check: &str) -> Result<(i32, String)> {
    let out = Command::new(CHECK_NRPE)
        // -u: a connection problem (NRPE restarting) is UNKNOWN, not CRITICAL.
        .args([
            "-H",
            "127.0.0.1",
            "-u",
            "-t",
            "30",
            "-c",
            &format!("check_{check}"),
        ])
        .output()
        .with_context(|| format!("running {CHECK_NRPE}"))?;
    let said = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok((out.status.code().unwrap_or(-1), said))
}

/// The checks that do not answer `code`.
fn failing(checks: &[String], code: i32) -> Result<Vec<String>> {
    let mut bad = Vec::new();
    for check in checks {
        let (got, said) = ask(check)?;
        if got != code {
            bad.push(format!("check_{check} {got}: {said}"));
        }
    }
    Ok(bad)
}

/// Every check's answer, one a line.
fn report(checks: &[String]) -> String {
    checks
        .iter()
        .map(|check| match ask(check) {
            Ok((code, said)) => format!("    check_{check} {code}: {said}"),
            Err(e) => format!("    check_{check}: {e:#}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn action(model: &mut Model, name: &str) -> Result<()> {
    let done = model.run_action(UNIT, name, Map::new())?;
    if done.status != ActionStatus::Completed {
        bail!("{name} failed: {:?} {:?}", done.message, done.results);
    }
    model.settle()?;
    Ok(())
}
