//! `juju status`, rendered from a [`Model`] as Juju's tabular format shows it.

use std::collections::BTreeMap;
use std::fmt::Write;

use juju::UnitName;

use crate::charm_definition::Scope;
use crate::hooktools::{Port, Protocol};
use crate::model::{Model, JUJU_VERSION};
use crate::model_state::{AgentState, Application, Unit};

/// The status table: model, applications, units (subordinates under their principal, the
/// leader marked `*`), machines and integrations.
pub fn render(model: &Model) -> String {
    let state = &model.state;
    let mut out = String::new();
    table(
        &mut out,
        &["Model", "Controller", "Cloud/Region", "Version", "SLA"],
        &[],
        vec![vec![
            state.name.clone(),
            "emulator".into(),
            "localhost/localhost".into(),
            JUJU_VERSION.into(),
            "unsupported".into(),
        ]],
    );

    if !state.applications.is_empty() {
        out.push('\n');
        let rows = state
            .applications
            .iter()
            .map(|(name, app)| {
                let units: Vec<&Unit> = state
                    .units
                    .iter()
                    .filter(|(n, _)| n.app() == name)
                    .map(|(_, u)| u)
                    .collect();
                let (status, message) = app_status(app, &units);
                vec![
                    name.to_string(),
                    app.workload_version.clone(),
                    status,
                    units.len().to_string(),
                    app.charm.meta.name.clone(),
                    String::new(),
                    app.revision.to_string(),
                    "no".into(),
                    message,
                ]
            })
            .collect();
        table(
            &mut out,
            &[
                "App", "Version", "Status", "Scale", "Charm", "Channel", "Rev", "Exposed",
                "Message",
            ],
            &[3, 6],
            rows,
        );
    }

    if !state.units.is_empty() {
        out.push('\n');
        let mut rows = Vec::new();
        for (name, unit) in state.units.iter().filter(|(_, u)| u.principal.is_none()) {
            rows.push(unit_row(model, name, unit, ""));
            for (sub_name, sub) in state
                .units
                .iter()
                .filter(|(_, s)| s.principal.as_ref() == Some(name))
            {
                rows.push(unit_row(model, sub_name, sub, "  "));
            }
        }
        table(
            &mut out,
            &[
                "Unit",
                "Workload",
                "Agent",
                "Machine",
                "Public address",
                "Ports",
                "Message",
            ],
            &[],
            rows,
        );
    }

    if !state.machines.is_empty() {
        out.push('\n');
        let rows = state
            .machines
            .iter()
            .map(|(id, machine)| {
                vec![
                    id.to_string(),
                    "started".into(),
                    machine.address.clone(),
                    format!("machine-{id}"),
                    machine.os_release.base(),
                    String::new(),
                    "running".into(),
                ]
            })
            .collect();
        table(
            &mut out,
            &[
                "Machine", "State", "Address", "Inst id", "Base", "AZ", "Message",
            ],
            &[],
            rows,
        );
    }

    if !state.relations.is_empty() {
        out.push('\n');
        let mut rows: Vec<Vec<String>> = state
            .relations
            .values()
            .map(|rel| {
                let provider = rel.endpoints[0].to_string();
                let requirer = rel
                    .endpoints
                    .last()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let kind = if rel.peer() {
                    "peer"
                } else if rel.scope == Scope::Container {
                    "subordinate"
                } else {
                    "regular"
                };
                let message = if rel.dying { "removing" } else { "" };
                vec![
                    provider,
                    requirer,
                    rel.interface.clone(),
                    kind.into(),
                    message.into(),
                ]
            })
            .collect();
        rows.sort();
        table(
            &mut out,
            &[
                "Integration provider",
                "Requirer",
                "Interface",
                "Type",
                "Message",
            ],
            &[],
            rows,
        );
    }
    out
}

fn unit_row(model: &Model, name: &UnitName, unit: &Unit, indent: &str) -> Vec<String> {
    let state = &model.state;
    let leader = state
        .applications
        .get(name.app())
        .is_some_and(|a| a.leader.as_ref() == Some(name));
    let (workload, message) = match &unit.agent {
        AgentState::Error { message, .. } => ("error".to_owned(), message.clone()),
        _ => (unit.status.status.clone(), unit.status.message.clone()),
    };
    let agent = if unit.dying && !matches!(unit.agent, AgentState::Error { .. }) {
        "executing".to_owned()
    } else {
        unit.agent.to_string()
    };
    let address = state
        .machines
        .get(&unit.machine)
        .map(|m| m.address.clone())
        .unwrap_or_default();
    vec![
        format!("{indent}{name}{}", if leader { "*" } else { "" }),
        workload,
        agent,
        if unit.principal.is_some() {
            String::new()
        } else {
            unit.machine.to_string()
        },
        address,
        ports(unit),
        message,
    ]
}

/// Juju's grouping: `80,443/tcp 53/udp icmp`.
fn ports(unit: &Unit) -> String {
    let mut by_protocol: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut icmp = false;
    for port in &unit.opened_ports {
        match port {
            Port::Icmp => icmp = true,
            Port::Range { from, to, protocol } => {
                let proto = match protocol {
                    Protocol::Tcp => "tcp",
                    Protocol::Udp => "udp",
                };
                let range = if from == to {
                    from.to_string()
                } else {
                    format!("{from}-{to}")
                };
                by_protocol.entry(proto).or_default().push(range);
            }
        }
    }
    let mut parts: Vec<String> = by_protocol
        .into_iter()
        .map(|(proto, ranges)| format!("{}/{proto}", ranges.join(",")))
        .collect();
    if icmp {
        parts.push("icmp".into());
    }
    parts.join(" ")
}

/// The application's status: as the leader set it, else derived from its units' statuses
/// (the most severe wins), as Juju does.
fn app_status(app: &Application, units: &[&Unit]) -> (String, String) {
    if app.status.status != "unknown" || units.is_empty() {
        return (app.status.status.clone(), app.status.message.clone());
    }
    let severity = |status: &str| match status {
        "error" => 6,
        "blocked" => 5,
        "maintenance" => 4,
        "waiting" => 3,
        "active" => 2,
        "terminated" => 1,
        _ => 0,
    };
    let shown = |u: &Unit| match &u.agent {
        AgentState::Error { message, .. } => ("error".to_owned(), message.clone()),
        _ => (u.status.status.clone(), u.status.message.clone()),
    };
    units
        .iter()
        .map(|u| shown(u))
        .max_by_key(|(status, _)| severity(status))
        .unwrap_or_default()
}

/// A left-aligned table (right-aligned for the columns in `right`), two spaces between
/// columns, no trailing blanks: Juju's tabwriter output.
fn table(out: &mut String, headers: &[&str], right: &[usize], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = width.saturating_sub(cell.chars().count());
            if right.contains(&i) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push_str("  ");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
