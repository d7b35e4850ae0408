//! `host-probe`: a test program that does one thing to its machine through the `host` crate,
//! so that the emulator's tests can run it inside a unit (`Model::exec`) and check that the
//! host crate's command contract and the emulated machine commands agree.
//!
//! ```text
//! host-probe init                      prints systemd or sysv
//! host-probe install PKG…              prints the packages it installed
//! host-probe purge PKG…                prints the packages it purged
//! host-probe update
//! host-probe version PKG               prints the installed version, or `none`
//! host-probe service NAME VERB         start|stop|restart|reload|enable|disable|mask|unmask
//! host-probe running NAME              prints true or false
//! host-probe enabled NAME              prints true or false
//! ```
//!
//! The machine is the one `CHARM_HOST_ROOT` names (`Host::from_env`), as for a charm.

use anyhow::{bail, Context, Result};
use host::{Host, InitSystem};

fn main() -> std::process::ExitCode {
    match probe(std::env::args().skip(1).collect()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("host-probe: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn probe(args: Vec<String>) -> Result<()> {
    let host = Host::from_env().context("CHARM_HOST_ROOT")?;
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["init"] => println!(
            "{}",
            match host.init_system() {
                InitSystem::Systemd => "systemd",
                InitSystem::SysV => "sysv",
            }
        ),
        ["install", packages @ ..] => println!("{}", host.install(packages)?.join(" ")),
        ["purge", packages @ ..] => println!("{}", host.purge(packages)?.join(" ")),
        ["update"] => host.update()?,
        ["version", package] => println!(
            "{}",
            host.installed_version(package)?
                .unwrap_or_else(|| "none".to_owned())
        ),
        ["service", name, verb] => {
            let service = host.service(name)?;
            match *verb {
                "start" => service.start()?,
                "stop" => service.stop()?,
                "restart" => service.restart()?,
                "reload" => service.reload()?,
                "enable" => service.enable()?,
                "disable" => service.disable()?,
                "mask" => service.mask()?,
                "unmask" => service.unmask()?,
                other => bail!("unknown service verb {other:?}"),
            }
        }
        ["running", name] => println!("{}", host.service(name)?.is_running()?),
        ["enabled", name] => println!("{}", host.service(name)?.is_enabled()?),
        // A command in the unit's machine given `input` on stdin: it prints what it read and
        // where its root is (how a charm hands a daemon a password).
        ["run-input", input] => print!(
            "{}",
            host.run_with_input(
                "sh",
                ["-c", r#"printf '%s in %s' "$(cat)" "${CHARM_HOST_ROOT:-/}""#],
                input.as_bytes()
            )?
            .stdout
        ),
        _ => bail!("usage: host-probe init|install|purge|update|version|service|running|enabled|run-input …"),
    }
    Ok(())
}
