//! NRPE checks for the nrpe subordinate (`nrpe-external-master`): a pure part of
//! [`reconcile`](crate::reconcile()), as charm-helpers' `contrib/charmsupport/nrpe.py` does
//! it for the reference charm (`render_nrpe_checks`: `add_init_service_checks` over the
//! services, then `NRPE.write`).
//!
//! - **Which checks**: one process check per service the unit's roles run (`check_<service>`,
//!   "process check {unit}"), and with the api role haproxy's backends (`haproxy_servers`),
//!   its queue depth (`haproxy_queue`) and the API over HTTP, or HTTPS with TLS (`manila_api_http`). Not
//!   checked here, as in the reference: haproxy under Pacemaker (hacluster's `check_crm`
//!   watches it, LP#1880601), and likewise a clustered share application's `manila-share`,
//!   which runs on one node only.
//! - **Commands** exist on Debian 12 and Ubuntu with `monitoring-plugins-basic`: the
//!   reference's `check_systemd.py` comes with the nrpe charm and needs systemd and dbus, so a
//!   service is checked with `check_procs` on its process (the Python services by their
//!   command line); haproxy's two checks are one small script the charm ships
//!   ([`HAPROXY_STATS_SCRIPT`], `servers` or `queue`) reading haproxy's statistics page with
//!   `check_http`, as the reference's `check_haproxy.sh` and `check_haproxy_queue_depth.sh`
//!   do, with the statistics credentials in a file only the
//!   `nagios` group reads ([`HAPROXY_AUTH`]).
//! - **Paused**: the checks of a paused unit's services (and haproxy's) stay defined but
//!   answer `OK` saying the unit is paused (`check_dummy`), so nagios reports no failure
//!   for services the operator stopped on purpose, and `resume` brings the real checks back.
//!   (The reference skips its NRPE handler while paused, leaving checks that fail.)
//! - **Files**: `/etc/nagios/nrpe.d/check_<name>.cfg`, and where the nrpe charm exports
//!   service definitions, `/var/lib/nagios/export/service__<host>_check_<name>.cfg`, with
//!   `nagios_context` and `nagios_servicegroups` (servicegroups default to the context, as
//!   in nrpe.py). Nothing is written until NRPE is installed (nrpe.py's test on its
//!   configuration directory). The files written are recorded in unit state: a check that
//!   is no longer wanted (a removed role, a departed relation) has its files removed.
//! - **Relation data**: `monitors` (the checks) and `primary=True` on every
//!   `nrpe-external-master` relation.

use charm::plan::{PlannedFile, RelationWrite};
use charm::{Bag, RenderedFile};
use host::FileSpec;
use nrpe_external_master::{
    Check, CommandLine, Description, Monitors, NagiosHost, NagiosName, PrincipalData,
};

use crate::config::Config;
use crate::inputs::{state_key, Inputs};
use crate::render;
use crate::roles::Role;

/// Where the charm's check scripts go (nrpe.py's `NAGIOS_PLUGINS` for scripts a charm ships).
pub const LOCAL_PLUGINS: &str = "/usr/local/lib/nagios/plugins";
/// Debian's monitoring plugins.
pub const PLUGINS: &str = "/usr/lib/nagios/plugins";
/// The service that reads the checks.
pub const NRPE_SERVICE: &str = "nagios-nrpe-server";
/// `user:password` of haproxy's statistics page, for the haproxy checks.
pub const HAPROXY_AUTH: &str = "/etc/nagios/manila-haproxy-stats.auth";
/// The haproxy checks' script on the machine.
pub const HAPROXY_STATS_PATH: &str = "/usr/local/lib/nagios/plugins/check_haproxy_stats.sh";
/// `servers`: CRITICAL naming every haproxy server that is not up (the statistics page's
/// CSV: field 2 the server, field 18 its status; FRONTEND and BACKEND rows are not servers).
/// `queue`: CRITICAL when a backend has requests queued now, or more than 100 at its worst.
pub const HAPROXY_STATS_SCRIPT: &str = include_str!("checks/check_haproxy_stats.sh");

/// What the NRPE part adds to the plan.
#[derive(Debug, Default)]
pub struct NrpePlan {
    pub files: Vec<PlannedFile>,
    pub remove: Vec<String>,
    pub relation_data: Vec<RelationWrite>,
    pub state: Vec<(String, Option<String>)>,
    /// Whether NRPE reads the files (then it runs, and restarts when they change).
    pub nrpe_service: bool,
}

/// The checks this unit defines; `tls`: whether the API is served over TLS.
pub fn checks(inputs: &Inputs, config: &Config, host: &NagiosHost, tls: bool) -> Vec<Check> {
    let unit = host.unit_label(&inputs.unit);
    let paused = |name: &str| {
        CommandLine::parse(&format!(
            "{PLUGINS}/check_dummy 0 'paused: {name} is stopped on purpose until the resume \
             action'"
        ))
    };
    let mut checks = Vec::new();
    let mut add = |name: &str, description: String, command: String| {
        let command = if inputs.paused {
            paused(name)
        } else {
            CommandLine::parse(&command)
        };
        // Every part is the charm's own constant or a validated name: nothing fails here.
        if let (Ok(name), Ok(description), Ok(command_line)) = (
            NagiosName::parse(name),
            Description::parse(&description),
            command,
        ) {
            checks.push(Check {
                name,
                description,
                command_line,
            });
        }
    };
    let clustered = !inputs.ha.is_empty();
    for service in config.roles.services() {
        let pacemakers = match service {
            "haproxy" => clustered,
            crate::services::SHARE_SERVICE => clustered && config.roles.has(Role::Share),
            _ => false,
        };
        if pacemakers {
            continue;
        }
        add(
            service,
            format!("process check {{{unit}}}"),
            process_check(service),
        );
    }
    if config.roles.has(Role::Api) {
        add(
            "haproxy_servers",
            format!("Check HAProxy {{{unit}}}"),
            format!("{HAPROXY_STATS_PATH} servers"),
        );
        add(
            "haproxy_queue",
            format!("Check HAProxy queue depth {{{unit}}}"),
            format!("{HAPROXY_STATS_PATH} queue"),
        );
        // Through haproxy, on this unit: Manila's unversioned root answers 300 with its
        // versions (200 on some releases). With TLS haproxy passes the connection on to
        // where it terminates TLS, so the check speaks TLS too.
        let (over, tls) = if tls { ("HTTPS", " -S") } else { ("HTTP", "") };
        add(
            "manila_api_http",
            format!("Manila API over {over} {{{unit}}}"),
            format!(
                "{PLUGINS}/check_http{tls} -I 127.0.0.1 -p {} -u / -e 200,300",
                render::API_PORT
            ),
        );
    }
    checks
}

/// A process check of `service`: the daemons by their command name, Manila's Python
/// services by their command line, `python3 /usr/bin/<service> <arguments>` as their init
/// scripts start them (anchored, so that the shell NRPE starts the check from, which holds
/// the pattern in its own arguments, does not match; and without a `$`, which NRPE reads
/// as the start of a macro).
fn process_check(service: &str) -> String {
    if service.starts_with("manila-") {
        format!(
            "{PLUGINS}/check_procs -c 1: --ereg-argument-array='^/usr/bin/python3(\\.[0-9]+)? \
             /usr/bin/{service} '"
        )
    } else {
        format!("{PLUGINS}/check_procs -c 1: -C {service}")
    }
}

/// The NRPE part of the plan. `stats_password` is haproxy's statistics password, when known;
/// `tls`, whether the API is served over TLS.
pub fn plan(inputs: &Inputs, config: &Config, stats_password: Option<&str>, tls: bool) -> NrpePlan {
    let mut out = NrpePlan::default();
    let nrpe = &inputs.nrpe;
    let host = nrpe.host.ready().cloned().unwrap_or_default();
    let mut wanted: Vec<String> = Vec::new();
    if !nrpe.relations.is_empty() && nrpe.installed {
        let checks = checks(inputs, config, &host, tls);
        let context = NagiosName::parse(&config.nagios_context).ok();
        let mut groups: Vec<NagiosName> = config
            .nagios_servicegroups
            .iter()
            .filter_map(|g| NagiosName::parse(g).ok())
            .collect();
        if groups.is_empty() {
            groups.extend(context.clone());
        }
        let nagios_host = context.map(|c| host.host_name(&c, &inputs.unit));
        let public = || FileSpec::new("root", "root", 0o644);
        let nrpe_reads = [NRPE_SERVICE];
        for check in &checks {
            out.files.push(PlannedFile::new(
                RenderedFile {
                    path: check.nrpe_cfg_path(),
                    content: check.nrpe_cfg(&groups),
                    spec: public(),
                },
                &nrpe_reads,
            ));
            if let (true, Some(nagios_host)) = (nrpe.exporting, &nagios_host) {
                out.files.push(PlannedFile::new(
                    RenderedFile {
                        path: check.service_cfg_path(nagios_host),
                        content: check.service_cfg(nagios_host, &groups),
                        spec: public(),
                    },
                    &[],
                ));
            }
        }
        if config.roles.has(Role::Api) {
            out.files.push(PlannedFile::new(
                RenderedFile {
                    path: HAPROXY_STATS_PATH.to_owned(),
                    content: HAPROXY_STATS_SCRIPT.to_owned(),
                    spec: FileSpec::new("root", "root", 0o755),
                },
                &[],
            ));
            if let Some(password) = stats_password {
                out.files.push(PlannedFile::new(
                    RenderedFile {
                        path: HAPROXY_AUTH.to_owned(),
                        content: format!("admin:{password}\n"),
                        spec: FileSpec::new("root", "nagios", 0o640),
                    },
                    &[],
                ));
            }
        }
        wanted = out.files.iter().map(|f| f.path.clone()).collect();
        out.nrpe_service = true;
        let data = PrincipalData {
            monitors: Monitors::of(&checks),
            primary: true,
        };
        out.relation_data
            .extend(nrpe.relations.iter().map(|relation| RelationWrite {
                relation: relation.clone(),
                app: false,
                data: data.to_bag(),
            }));
    } else {
        // nrpe.py sets `primary` before it knows whether NRPE is there.
        out.relation_data
            .extend(nrpe.relations.iter().map(|relation| RelationWrite {
                relation: relation.clone(),
                app: false,
                data: Bag::from([("primary".to_owned(), "True".to_owned())]),
            }));
    }
    wanted.sort();
    out.remove = inputs
        .recorded
        .nrpe_files
        .iter()
        .filter(|path| !wanted.contains(path))
        .cloned()
        .collect();
    if inputs.recorded.nrpe_files != wanted {
        out.state.push((
            state_key::NRPE_FILES.to_owned(),
            (!wanted.is_empty()).then(|| wanted.join(" ")),
        ));
    }
    out
}
