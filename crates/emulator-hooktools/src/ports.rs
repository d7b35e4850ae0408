//! `open-port`, `close-port` (buffered until the hook exits 0) and `opened-ports` (committed
//! ports only).
//!
//! Requests are recorded the way Juju's `portRangeChangeRecorder` records them: opening a range
//! cancels a pending close of it (and vice versa), repeating a request is a no-op, and a range
//! that overlaps a different one already opened or requested is refused.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::context::{Port, PortChange, Protocol};
use super::flags::{flag, Parsed, Switch, Target, Text, DEPRECATED_FORMAT, FORMAT, O, OUTPUT};
use super::format::{self, Out};
use super::gotext::{self, quote};
use super::relation::check_empty;
use super::{Failure, HookContext, Session, ToolSpec};

pub(crate) const OPEN_PORT: ToolSpec = ToolSpec {
    name: "open-port",
    synopsis: "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp",
    purpose: "Request that a port or port range be opened.",
    flags: &[
        DEPRECATED_FORMAT,
        flag(
            "endpoints",
            Target::Text(Text::Endpoints, ""),
            "a comma-delimited list of application endpoints to target with this operation",
        ),
    ],
    run: open_port,
};

pub(crate) const CLOSE_PORT: ToolSpec = ToolSpec {
    name: "close-port",
    synopsis: "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp",
    purpose: "Request that a port or port range be closed.",
    flags: OPEN_PORT.flags,
    run: close_port,
};

pub(crate) const OPENED_PORTS: ToolSpec = ToolSpec {
    name: "opened-ports",
    synopsis: "",
    purpose: "List the ports and port ranges the unit has opened.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        flag(
            "endpoints",
            Target::Switch(Switch::ShowEndpoints),
            "display the list of target application endpoints for each port range",
        ),
    ],
    run: opened_ports,
};

fn open_port(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    change_ports(ctx, session, &parsed, Direction::Open)
}

fn close_port(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    change_ports(ctx, session, &parsed, Direction::Close)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Open,
    Close,
}

fn change_ports(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: &Parsed<'_>,
    direction: Direction,
) -> Result<(), Failure> {
    let Some((spec, rest)) = parsed.args.split_first() else {
        return Err(Failure::Usage("no port or range specified".to_owned()));
    };
    let port = parse_port_range(&spec.to_lowercase()).map_err(Failure::Usage)?;
    check_empty(rest)?;

    session.deprecated_format_notice(
        parsed,
        if direction == Direction::Open {
            "open-port"
        } else {
            "close-port"
        },
    );
    let endpoints = parsed.text(Text::Endpoints);
    if endpoints.is_empty() {
        return record(ctx, "", &port, direction).map_err(Failure::Run);
    }
    for endpoint in endpoints.split(',') {
        record(ctx, endpoint.trim(), &port, direction).map_err(Failure::Run)?;
    }
    Ok(())
}

/// `network.ParsePortRange` with its validation, on the lower-cased argument.
fn parse_port_range(text: &str) -> Result<Port, String> {
    let (ports, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let bounds: Vec<&str> = ports.split('-').collect();
    let port = |part: &str| {
        gotext::atoi_strict(part).map_err(|err| format!("invalid port {}: {err}", quote(part)))
    };
    let (from, to) = match bounds.as_slice() {
        // `icmp` takes no ports, whatever protocol follows it.
        ["icmp"] => return Ok(Port::Icmp),
        [single] => {
            let single = port(single)?;
            (single, single)
        }
        [from, to] => (port(from)?, port(to)?),
        _ => return Err(format!("invalid port range {}", quote(ports))),
    };
    let protocol = match protocol {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => {
            return Err(format!(
                "protocol \"icmp\" doesn't support any ports; got \"{from}\""
            ))
        }
        other => {
            return Err(format!(
                "invalid protocol {}, expected \"tcp\", \"udp\", or \"icmp\"",
                quote(other)
            ))
        }
    };
    if from > to {
        return Err(format!(
            "invalid port range {from}-{to}/{}",
            protocol_name(protocol)
        ));
    }
    match (u16::try_from(from), u16::try_from(to)) {
        (Ok(from), Ok(to)) => Ok(Port::Range { from, to, protocol }),
        _ => Err(format!(
            "port range bounds must be between 0 and 65535, got {from}-{to}"
        )),
    }
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    }
}

/// Juju's `PortRange.ConflictsWith`: same protocol and overlapping ports.
fn conflicts(a: &Port, b: &Port) -> bool {
    match (a, b) {
        (Port::Icmp, Port::Icmp) => true,
        (
            Port::Range {
                from: af,
                to: at,
                protocol: ap,
            },
            Port::Range {
                from: bf,
                to: bt,
                protocol: bp,
            },
        ) => ap == bp && at >= bf && bt >= af,
        _ => false,
    }
}

enum Check {
    Clear,
    AlreadyThere,
    Conflict(String),
}

/// Juju's `checkForConflict` against one unit's ranges, grouped by endpoint.
fn check<'a>(
    endpoint: &str,
    port: &Port,
    groups: impl Iterator<Item = (&'a str, &'a Port)>,
    unit: &str,
    requested_earlier: bool,
) -> Check {
    for (existing_endpoint, existing) in groups {
        if !conflicts(port, existing) {
            continue;
        }
        if port == existing {
            if existing_endpoint != endpoint {
                continue;
            }
            return Check::AlreadyThere;
        }
        let earlier = if requested_earlier {
            " requested earlier"
        } else {
            ""
        };
        return Check::Conflict(format!(
            "port range conflicts with {existing} (unit {}){earlier}",
            quote(unit)
        ));
    }
    Check::Clear
}

/// Pending requests of one kind, by endpoint (`""` is all endpoints).
fn pending(ctx: &HookContext, kind: Direction) -> impl Iterator<Item = (&str, &Port)> {
    let all = ctx.pending.ports.iter().map(|change| ("", change));
    let named = ctx
        .pending
        .endpoint_ports
        .iter()
        .flat_map(|(endpoint, changes)| {
            changes
                .iter()
                .map(move |change| (endpoint.as_str(), change))
        });
    all.chain(named)
        .filter_map(move |(endpoint, change)| match (change, kind) {
            (PortChange::Open(port), Direction::Open)
            | (PortChange::Close(port), Direction::Close) => Some((endpoint, port)),
            _ => None,
        })
}

/// Committed ranges of this unit, by endpoint.
fn committed(ctx: &HookContext) -> impl Iterator<Item = (&str, &Port)> {
    let all = ctx.opened_ports.iter().map(|port| ("", port));
    let named = ctx
        .endpoint_ports
        .iter()
        .flat_map(|(endpoint, ports)| ports.iter().map(move |port| (endpoint.as_str(), port)));
    all.chain(named)
}

fn record(
    ctx: &mut HookContext,
    endpoint: &str,
    port: &Port,
    direction: Direction,
) -> Result<(), String> {
    let (verb, request, opposite) = match direction {
        Direction::Open => ("open", PortChange::Open(*port), PortChange::Close(*port)),
        Direction::Close => ("close", PortChange::Close(*port), PortChange::Open(*port)),
    };
    let changes = if endpoint.is_empty() {
        Some(&mut ctx.pending.ports)
    } else {
        ctx.pending.endpoint_ports.get_mut(endpoint)
    };
    if let Some(changes) = changes {
        if let Some(at) = changes.iter().position(|change| *change == opposite) {
            changes.remove(at);
        }
    }
    ctx.pending
        .endpoint_ports
        .retain(|_, changes| !changes.is_empty());

    let unit = ctx.unit.as_str();
    let refuse = |reason: String| format!("cannot {verb} {port} (unit {}): {reason}", quote(unit));
    match check(endpoint, port, pending(ctx, direction), unit, true) {
        Check::Conflict(reason) => return Err(refuse(reason)),
        Check::AlreadyThere => return Ok(()),
        Check::Clear => {}
    }
    match check(endpoint, port, committed(ctx), unit, false) {
        Check::Conflict(reason) => return Err(refuse(reason)),
        // Opening what is open is a no-op; closing it is the point.
        Check::AlreadyThere if direction == Direction::Open => return Ok(()),
        Check::AlreadyThere | Check::Clear => {}
    }
    if direction == Direction::Close && committed(ctx).next().is_none() {
        // Nothing is open at all, so there is nothing to close.
        return Ok(());
    }
    if endpoint.is_empty() {
        ctx.pending.ports.push(request);
    } else {
        ctx.pending
            .endpoint_ports
            .entry(endpoint.to_owned())
            .or_default()
            .push(request);
    }
    Ok(())
}

/// Juju's port range order: protocol name, then from, then to (`icmp` is -1..-1).
fn sort_key(port: &Port) -> (&'static str, i32, i32) {
    match port {
        Port::Icmp => ("icmp", -1, -1),
        Port::Range { from, to, protocol } => {
            (protocol_name(*protocol), i32::from(*from), i32::from(*to))
        }
    }
}

fn opened_ports(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    check_empty(&parsed.args)?;
    let mut ranges: Vec<(&Port, BTreeSet<&str>)> = Vec::new();
    for (endpoint, port) in committed(ctx) {
        match ranges.iter_mut().find(|(seen, _)| *seen == port) {
            Some((_, endpoints)) => {
                endpoints.insert(endpoint);
            }
            None => ranges.push((port, BTreeSet::from([endpoint]))),
        }
    }
    ranges.sort_by_key(|(port, _)| sort_key(port));
    let show_endpoints = parsed.on(Switch::ShowEndpoints);
    let lines = ranges
        .iter()
        .map(|(port, endpoints)| {
            if !show_endpoints {
                return Cow::Owned(port.to_string());
            }
            let targets = if endpoints.contains("") {
                "*".to_owned()
            } else {
                endpoints.iter().copied().collect::<Vec<_>>().join(", ")
            };
            Cow::Owned(format!("{port} ({targets})"))
        })
        .collect();
    format::write(session, &parsed, &Out::Strings(lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_parse_and_validate_like_juju() {
        let tcp = |from, to| {
            Ok(Port::Range {
                from,
                to,
                protocol: Protocol::Tcp,
            })
        };
        assert_eq!(parse_port_range("80"), tcp(80, 80));
        assert_eq!(parse_port_range("80/tcp"), tcp(80, 80));
        assert_eq!(parse_port_range("0"), tcp(0, 0));
        assert_eq!(parse_port_range("8000-8100"), tcp(8000, 8100));
        assert_eq!(
            parse_port_range("53/udp"),
            Ok(Port::Range {
                from: 53,
                to: 53,
                protocol: Protocol::Udp
            })
        );
        assert_eq!(parse_port_range("icmp"), Ok(Port::Icmp));
        assert_eq!(
            parse_port_range("http"),
            Err(r#"invalid port "http": strconv.Atoi: parsing "http": invalid syntax"#.into())
        );
        assert_eq!(
            parse_port_range("1-x/udp"),
            Err(r#"invalid port "x": strconv.Atoi: parsing "x": invalid syntax"#.into())
        );
        assert_eq!(
            parse_port_range("1-2-3"),
            Err(r#"invalid port range "1-2-3""#.into())
        );
        assert_eq!(
            parse_port_range("90-80"),
            Err("invalid port range 90-80/tcp".into())
        );
        assert_eq!(
            parse_port_range("70000"),
            Err("port range bounds must be between 0 and 65535, got 70000-70000".into())
        );
        assert_eq!(
            parse_port_range("80/sctp"),
            Err(r#"invalid protocol "sctp", expected "tcp", "udp", or "icmp""#.into())
        );
        assert_eq!(
            parse_port_range("80/icmp"),
            Err(r#"protocol "icmp" doesn't support any ports; got "80""#.into())
        );
        assert_eq!(
            parse_port_range("99999999999999999999"),
            Err(r#"invalid port "99999999999999999999": strconv.Atoi: parsing "99999999999999999999": value out of range"#.into())
        );
    }
}
