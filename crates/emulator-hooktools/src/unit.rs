//! What a unit reads about itself: `config-get`, `unit-get`, `network-get`, `goal-state`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::context::{GoalStatus, NetworkSnapshot};
use super::flags::{flag, Parsed, Switch, Target, FORMAT, O, OUTPUT, R, RELATION};
use super::format::{self, Format, Out};
use super::gotext::quote;
use super::relation::check_empty;
use super::{Failure, HookContext, Session, ToolSpec};

pub(crate) const CONFIG_GET: ToolSpec = ToolSpec {
    name: "config-get",
    synopsis: "[<key>]",
    purpose: "Print the application's configuration, or one option of it.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        flag("a", Target::Switch(Switch::All), "print all keys"),
        flag("all", Target::Switch(Switch::All), ""),
    ],
    run: config_get,
};

pub(crate) const UNIT_GET: ToolSpec = ToolSpec {
    name: "unit-get",
    synopsis: "<setting>",
    purpose: "Print the unit's public-address or private-address.",
    flags: &[FORMAT, O, OUTPUT],
    run: unit_get,
};

pub(crate) const NETWORK_GET: ToolSpec = ToolSpec {
    name: "network-get",
    synopsis: "<binding-name> [--ingress-address] [--bind-address] [--egress-subnets]",
    purpose: "Print the network configuration of a binding.",
    flags: &[
        FORMAT,
        O,
        OUTPUT,
        flag(
            "primary-address",
            Target::Switch(Switch::PrimaryAddress),
            "(deprecated) get the primary address for the binding",
        ),
        flag(
            "bind-address",
            Target::Switch(Switch::BindAddress),
            "get the address to listen on",
        ),
        flag(
            "ingress-address",
            Target::Switch(Switch::IngressAddress),
            "get the ingress address",
        ),
        flag(
            "egress-subnets",
            Target::Switch(Switch::EgressSubnets),
            "get the egress subnets",
        ),
        R,
        RELATION,
    ],
    run: network_get,
};

pub(crate) const GOAL_STATE: ToolSpec = ToolSpec {
    name: "goal-state",
    synopsis: "",
    purpose: "Print the units and related units this unit's application is expected to have.",
    flags: &[
        flag(
            "format",
            Target::Format(Format::Yaml, Format::SERIAL),
            "Specify output format (json|yaml)",
        ),
        O,
        OUTPUT,
    ],
    run: goal_state,
};

fn config_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let all = parsed.on(Switch::All);
    let key = match parsed.args.split_first() {
        Some((key, rest)) => {
            if !key.is_empty() && all {
                return Err(Failure::Usage(format!(
                    "cannot use argument --all together with key {}",
                    quote(key)
                )));
            }
            check_empty(rest)?;
            *key
        }
        None => "",
    };
    let value = if key.is_empty() {
        // Options with neither a value nor a default are left out unless --all.
        Out::Map(
            ctx.config
                .iter()
                .filter(|(_, value)| all || !value.is_null())
                .map(|(name, value)| (Cow::Borrowed(name.as_str()), Out::Json(value)))
                .collect(),
        )
    } else {
        ctx.config.get(key).map_or(Out::Nil, Out::Json)
    };
    format::write(session, &parsed, &value)
}

fn unit_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((setting, rest)) = parsed.args.split_first() else {
        return Err(Failure::Usage("no setting specified".to_owned()));
    };
    let (address, missing) = match *setting {
        "private-address" => (&ctx.private_address, "private address not found"),
        "public-address" => (&ctx.public_address, "public address not found"),
        other => return Err(Failure::Usage(format!("unknown setting {}", quote(other)))),
    };
    check_empty(rest)?;
    if address.is_empty() {
        return Err(Failure::Run(missing.to_owned()));
    }
    format::write(session, &parsed, &Out::str(address.as_str()))
}

fn network_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((binding, rest)) = parsed.args.split_first() else {
        return Err(Failure::Usage("no arguments specified".to_owned()));
    };
    if binding.is_empty() {
        return Err(Failure::Usage("no binding name specified".to_owned()));
    }
    check_empty(rest)?;

    // `-r` was checked when parsed and changes nothing here: Juju computes the relation's
    // network info for the relation's own endpoint (its binding's space, and for cross-model
    // relations its ingress address), and answers with it only when that endpoint is
    // `<binding>`, whose space is the same. The binding alone decides the space.
    let Some(network) = ctx
        .networks
        .get(*binding)
        .filter(|n| !n.bind_addresses.is_empty())
    else {
        return Err(Failure::Run(format!(
            "no network config found for binding {}",
            quote(binding)
        )));
    };
    let no_addresses = || {
        Failure::Run(format!(
            "no addresses attached to space for binding {}",
            quote(binding)
        ))
    };
    let first_address = network.bind_addresses[0]
        .addresses
        .first()
        .map(|a| a.value.as_str());

    let bind = parsed.on(Switch::BindAddress);
    let ingress = parsed.on(Switch::IngressAddress);
    let egress = parsed.on(Switch::EgressSubnets);
    let primary = parsed.on(Switch::PrimaryAddress);
    if primary {
        if bind || ingress || egress {
            return Err(Failure::Run(
                "--primary-address must be the only flag specified".into(),
            ));
        }
        let address = first_address.ok_or_else(no_addresses)?;
        return format::write(session, &parsed, &Out::str(address));
    }
    if !(bind || ingress || egress) {
        let value = display(network, parsed.format == Format::Json);
        return format::write(session, &parsed, &value);
    }

    // Juju's map of the requested values; one value alone is printed bare.
    let mut values: Vec<(Cow<'_, str>, Out<'_>)> = Vec::with_capacity(3);
    if egress {
        // An empty list came over Juju's API as nil: json `null`, yaml `[]`.
        let subnets = if network.egress_subnets.is_empty() {
            Out::Nil
        } else {
            Out::Strings(
                network
                    .egress_subnets
                    .iter()
                    .map(|s| Cow::Borrowed(s.as_str()))
                    .collect(),
            )
        };
        values.push((Cow::Borrowed("egress-subnets"), subnets));
    }
    if ingress {
        let address = match network.ingress_addresses.first() {
            Some(address) => address.as_str(),
            None => first_address.ok_or_else(no_addresses)?,
        };
        values.push((Cow::Borrowed("ingress-address"), Out::str(address)));
    }
    if bind {
        values.push((
            Cow::Borrowed("bind-address"),
            Out::str(first_address.ok_or_else(no_addresses)?),
        ));
    }
    let value = if values.len() == 1 {
        values.pop().map_or(Out::Nil, |(_, value)| value)
    } else {
        Out::Map(values)
    };
    format::write(session, &parsed, &value)
}

/// Juju's `networkInfoResultDisplay`: top-level lists are omitted when empty; YAML also carries
/// the legacy `macaddress`, `interfacename` and `address` copies.
fn display(network: &NetworkSnapshot, json: bool) -> Out<'_> {
    let bind_addresses = network
        .bind_addresses
        .iter()
        .map(|bind| {
            let addresses = bind
                .addresses
                .iter()
                .map(|address| {
                    let mut fields = vec![
                        ("hostname", Out::str(address.hostname.as_str())),
                        ("value", Out::str(address.value.as_str())),
                        ("cidr", Out::str(address.cidr.as_str())),
                    ];
                    if !json {
                        fields.push(("address", Out::str(address.value.as_str())));
                    }
                    Out::Struct(fields)
                })
                .collect();
            let mut fields = vec![
                ("mac-address", Out::str(bind.mac_address.as_str())),
                ("interface-name", Out::str(bind.interface_name.as_str())),
                ("addresses", Out::List(addresses)),
            ];
            if !json {
                fields.push(("macaddress", Out::str(bind.mac_address.as_str())));
                fields.push(("interfacename", Out::str(bind.interface_name.as_str())));
            }
            Out::Struct(fields)
        })
        .collect();
    let mut fields = vec![("bind-addresses", Out::List(bind_addresses))];
    if !network.egress_subnets.is_empty() {
        fields.push(("egress-subnets", strings(&network.egress_subnets)));
    }
    if !network.ingress_addresses.is_empty() {
        fields.push(("ingress-addresses", strings(&network.ingress_addresses)));
    }
    Out::Struct(fields)
}

fn goal_state(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    check_empty(&parsed.args)?;
    let goal = &ctx.goal_state;
    let relations = goal
        .relations
        .iter()
        .map(|(endpoint, members)| (Cow::Borrowed(endpoint.as_str()), units(members)))
        .collect();
    let value = Out::Struct(vec![
        ("units", units(&goal.units)),
        ("relations", Out::Map(relations)),
    ]);
    format::write(session, &parsed, &value)
}

/// Juju's `unitsGoalStateContents` (`jujuc/goal-state.go`): status and `since` per unit or
/// application, `since` left out when empty.
fn units(statuses: &BTreeMap<String, GoalStatus>) -> Out<'_> {
    Out::Map(
        statuses
            .iter()
            .map(|(name, entry)| {
                let mut fields = vec![("status", Out::str(entry.status.as_str()))];
                if !entry.since.is_empty() {
                    fields.push(("since", Out::str(entry.since.as_str())));
                }
                (Cow::Borrowed(name.as_str()), Out::Struct(fields))
            })
            .collect(),
    )
}

fn strings(items: &[String]) -> Out<'_> {
    Out::Strings(items.iter().map(|s| Cow::Borrowed(s.as_str())).collect())
}
