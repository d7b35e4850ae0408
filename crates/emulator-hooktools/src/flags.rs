//! Juju's flag grammar (`juju/gnuflag` as `juju/cmd` drives it for hook tools).
//!
//! GNU style with interspersed positionals: `--` ends flags, a lone `-` is a positional,
//! `--name value`, `--name=value`, `-r 3`, `-r3`, bundled short switches (`-ab`), switches take a
//! value only as `--flag=<v>` (Go's `strconv.ParseBool`). Hook tools call flags "options", so
//! errors read `option provided but not defined: --foo`. Every error here exits 2.

use super::format::Format;
use super::gotext::{self, quote};
use super::{hook_relation, HookContext, ToolSpec};

/// A boolean flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Switch {
    App,
    All,
    IncludeData,
    Application,
    Debug,
    Strict,
    ShowEndpoints,
    BindAddress,
    IngressAddress,
    EgressSubnets,
    PrimaryAddress,
    Peek,
    Refresh,
    Now,
}

/// A free-text flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    LogLevel,
    Endpoints,
    /// `--format` on tools that print nothing; accepted for compatibility.
    DeprecatedFormat,
    Owner,
    Label,
    Description,
    Expire,
    Rotate,
    Unit,
    App,
    Revision,
    Storage,
    Labels,
}

/// How many [`Text`] flags there are.
const TEXTS: usize = Text::Labels as usize + 1;

/// What a flag sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Switch(Switch),
    Text(Text, &'static str),
    /// `--format`, with the tool's default and accepted formatters.
    Format(Format, &'static [Format]),
    /// `-o/--output`.
    Output,
    /// `-r/--relation`.
    Relation,
    /// `--file` (a path, or `-` for stdin).
    File,
}

/// One flag name; aliases are several defs with the same target.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FlagDef {
    pub(crate) name: &'static str,
    pub(crate) target: Target,
    pub(crate) usage: &'static str,
}

pub(crate) const fn flag(name: &'static str, target: Target, usage: &'static str) -> FlagDef {
    FlagDef {
        name,
        target,
        usage,
    }
}

/// `--format` for tools with output (`cmd.Output.AddFlags` with the default formatters).
pub(crate) const FORMAT: FlagDef = flag(
    "format",
    Target::Format(Format::Smart, Format::ALL),
    "Specify output format (json|smart|yaml)",
);
pub(crate) const O: FlagDef = flag("o", Target::Output, "Specify an output file");
pub(crate) const OUTPUT: FlagDef = flag("output", Target::Output, "");
pub(crate) const R: FlagDef = flag("r", Target::Relation, "Specify a relation by id");
pub(crate) const RELATION: FlagDef = flag("relation", Target::Relation, "");
/// `--format` on tools that print nothing: accepted, and only earns a notice.
pub(crate) const DEPRECATED_FORMAT: FlagDef = flag(
    "format",
    Target::Text(Text::DeprecatedFormat, ""),
    "deprecated format flag",
);

/// The outcome of parsing argv.
#[derive(Debug)]
pub(crate) enum Parse<'a> {
    Run(Box<Parsed<'a>>),
    /// `-h`/`--help`: print the tool's help and exit 0.
    Help,
}

/// Flags and positionals of one invocation.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub(crate) args: Vec<&'a str>,
    switches: u16,
    texts: [&'a str; TEXTS],
    pub(crate) format: Format,
    output: &'a str,
    file: &'a str,
    /// The relation `-r` names, or the hook's relation by default (Juju's `-1` is `None`).
    pub(crate) relation: Option<u32>,
}

impl<'a> Parsed<'a> {
    pub(crate) fn on(&self, switch: Switch) -> bool {
        self.switches & (1 << switch as u16) != 0
    }

    pub(crate) fn text(&self, text: Text) -> &'a str {
        self.texts[text as usize]
    }

    /// The `-o` path; empty means stdout, as in Juju.
    pub(crate) fn output(&self) -> &'a str {
        self.output
    }

    /// The `--file` path; empty means none.
    pub(crate) fn file(&self) -> &'a str {
        self.file
    }
}

/// Parses `args` against `defs`; errors carry Juju's message (exit 2).
pub(crate) fn parse<'a>(
    defs: &[FlagDef],
    ctx: &HookContext,
    args: &'a [String],
) -> Result<Parse<'a>, String> {
    let mut parsed = Parsed {
        args: Vec::new(),
        switches: 0,
        texts: [""; TEXTS],
        format: Format::Smart,
        output: "",
        file: "",
        relation: None,
    };
    for def in defs {
        match def.target {
            Target::Text(text, default) => parsed.texts[text as usize] = default,
            Target::Format(default, _) => parsed.format = default,
            Target::Relation => parsed.relation = default_relation(ctx),
            _ => {}
        }
    }

    let mut next = 0;
    // The rest of a bundle of short flags (`-ab`), or `=value` after a long flag.
    let mut rest: &'a str = "";
    loop {
        let (name, long) = if let Some(first) = rest.chars().next() {
            let (name, tail) = rest.split_at(first.len_utf8());
            rest = tail;
            (name, false)
        } else {
            let Some(arg) = args.get(next) else { break };
            let arg = arg.as_str();
            if arg == "-" || !arg.starts_with('-') {
                parsed.args.push(arg);
                next += 1;
                continue;
            }
            next += 1;
            if arg == "--" {
                parsed.args.extend(args[next..].iter().map(String::as_str));
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                match long.find('=') {
                    None => (long, true),
                    Some(0) => return Err(format!("empty option in argument {}", quote(arg))),
                    Some(eq) => {
                        rest = &long[eq..];
                        (&long[..eq], true)
                    }
                }
            } else {
                let bundle = &arg[1..];
                let first_len = bundle.chars().next().map_or(0, char::len_utf8);
                rest = &bundle[first_len..];
                (&bundle[..first_len], false)
            }
        };

        let Some(def) = defs.iter().find(|def| def.name == name) else {
            if name == "help" || name == "h" {
                return Ok(Parse::Help);
            }
            return Err(format!(
                "option provided but not defined: {}",
                with_minus(name)
            ));
        };
        if let Target::Switch(switch) = def.target {
            if !rest.starts_with('=') {
                parsed.switches |= 1 << switch as u16;
                continue;
            }
        }
        let value = if !rest.is_empty() {
            // A long flag's value follows `=`; a short flag's is the rest of the bundle.
            let value = if long { &rest[1..] } else { rest };
            rest = "";
            value
        } else if let Some(arg) = args.get(next) {
            next += 1;
            arg.as_str()
        } else {
            return Err(format!("option needs an argument: {}", with_minus(name)));
        };
        set(&mut parsed, def.target, value, ctx).map_err(|reason| {
            format!(
                "invalid value {} for option {}: {reason}",
                quote(value),
                with_minus(name)
            )
        })?;
    }
    Ok(Parse::Run(Box::new(parsed)))
}

fn set<'a>(
    parsed: &mut Parsed<'a>,
    target: Target,
    value: &'a str,
    ctx: &HookContext,
) -> Result<(), String> {
    match target {
        Target::Switch(switch) => {
            if gotext::parse_bool(value)? {
                parsed.switches |= 1 << switch as u16;
            } else {
                parsed.switches &= !(1 << switch as u16);
            }
        }
        Target::Text(text, _) => parsed.texts[text as usize] = value,
        Target::Format(_, choices) => {
            parsed.format = Format::from_name(value)
                .filter(|format| choices.contains(format))
                .ok_or_else(|| format!("unknown format {}", quote(value)))?;
        }
        Target::Output => parsed.output = value,
        Target::File => parsed.file = value,
        Target::Relation => parsed.relation = Some(relation_id(ctx, value)?),
    }
    Ok(())
}

/// Juju's `relationIdValue.Set`: the id is whatever follows the last `:`, and must name a
/// relation of the hook's snapshot. The endpoint before it is not checked (Juju 3.6).
fn relation_id(ctx: &HookContext, value: &str) -> Result<u32, String> {
    let id_text = value.rsplit(':').next().unwrap_or(value);
    let id = gotext::atoi(id_text).ok_or("invalid relation id")?;
    u32::try_from(id)
        .ok()
        .filter(|id| ctx.relations.contains_key(id))
        .ok_or_else(|| "relation not found".to_owned())
}

/// In a relation hook `-r` defaults to the hook's relation.
fn default_relation(ctx: &HookContext) -> Option<u32> {
    hook_relation(ctx)
        .map(|hook| hook.relation_id)
        .filter(|id| ctx.relations.contains_key(id))
}

fn with_minus(name: &str) -> String {
    if name.len() > 1 {
        format!("--{name}")
    } else {
        format!("-{name}")
    }
}

/// `juju/cmd` `Info.Help`: usage line, summary and the option list in gnuflag's
/// `PrintDefaults` layout (aliases on one line, shortest first; groups sorted by name).
pub(crate) fn help(spec: &ToolSpec, ctx: &HookContext) -> String {
    let mut text = format!("Usage: {}", spec.name);
    if !spec.flags.is_empty() {
        text.push_str(" [options]");
    }
    if !spec.synopsis.is_empty() {
        text.push(' ');
        text.push_str(spec.synopsis);
    }
    text.push_str("\n\nSummary:\n");
    text.push_str(spec.purpose);
    text.push('\n');
    if spec.flags.is_empty() {
        return text;
    }
    text.push_str("\nOptions:\n");
    let mut groups: Vec<Vec<&FlagDef>> = Vec::new();
    for def in spec.flags {
        match groups
            .iter_mut()
            .find(|group| group[0].target == def.target)
        {
            Some(group) => group.push(def),
            None => groups.push(vec![def]),
        }
    }
    for group in &mut groups {
        group.sort_by(|a, b| a.name.len().cmp(&b.name.len()).then(a.name.cmp(b.name)));
    }
    groups.sort_by(|a, b| a[0].name.cmp(b[0].name));
    for group in &groups {
        let names: Vec<String> = group.iter().map(|def| with_minus(def.name)).collect();
        let names = names.join(", ");
        let head = group[0];
        let line = match head.target {
            Target::Switch(_) => format!("{names}  (= false)"),
            Target::Text(_, default) => format!("{names} (= {})", quote(default)),
            Target::Output => format!("{names} (= \"\")"),
            Target::File => format!("{names}  (= )"),
            Target::Format(default, _) => format!("{names}  (= {})", default.name()),
            Target::Relation => {
                // The default is shown as Juju's `FakeId`, `endpoint:id`.
                let current = default_relation(ctx)
                    .and_then(|id| {
                        ctx.relations
                            .get(&id)
                            .map(|r| format!("{}:{id}", r.endpoint))
                    })
                    .unwrap_or_default();
                format!("{names}  (= {current})")
            }
        };
        text.push_str(&line);
        text.push_str("\n    ");
        text.push_str(head.usage);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFS: &[FlagDef] = &[
        flag("a", Target::Switch(Switch::All), "all"),
        flag("all", Target::Switch(Switch::All), ""),
        flag("debug", Target::Switch(Switch::Debug), "debug"),
        flag("l", Target::Text(Text::LogLevel, "INFO"), "level"),
        flag("log-level", Target::Text(Text::LogLevel, "INFO"), ""),
        flag(
            "format",
            Target::Format(Format::Smart, Format::ALL),
            "format",
        ),
        flag("o", Target::Output, "output"),
    ];

    fn parse_ok(argv: &[&str]) -> Parsed<'static> {
        let args: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let args: &'static [String] = Box::leak(args.into_boxed_slice());
        match parse(DEFS, &HookContext::default(), args) {
            Ok(Parse::Run(parsed)) => *parsed,
            other => panic!("{argv:?} gave {other:?}"),
        }
    }

    fn parse_err(argv: &[&str]) -> String {
        let args: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        match parse(DEFS, &HookContext::default(), &args) {
            Err(message) => message,
            other => panic!("{argv:?} gave {other:?}"),
        }
    }

    #[test]
    fn interspersed_flags_and_positionals() {
        let parsed = parse_ok(&["x", "-a", "y", "--log-level", "DEBUG", "-", "--", "-z"]);
        assert_eq!(parsed.args, ["x", "y", "-", "-z"]);
        assert!(parsed.on(Switch::All));
        assert_eq!(parsed.text(Text::LogLevel), "DEBUG");
    }

    #[test]
    fn values_attach_in_every_gnu_form() {
        assert_eq!(parse_ok(&["-lWARNING"]).text(Text::LogLevel), "WARNING");
        assert_eq!(
            parse_ok(&["--log-level=ERROR"]).text(Text::LogLevel),
            "ERROR"
        );
        assert_eq!(parse_ok(&["-al", "TRACE"]).text(Text::LogLevel), "TRACE");
        assert_eq!(parse_ok(&["--log-level="]).text(Text::LogLevel), "");
        assert_eq!(parse_ok(&[]).text(Text::LogLevel), "INFO");
        assert_eq!(parse_ok(&["--format=json"]).format, Format::Json);
    }

    #[test]
    fn switches_take_values_only_after_equals() {
        assert!(!parse_ok(&["--all=false"]).on(Switch::All));
        assert!(parse_ok(&["--all=T", "false"]).on(Switch::All));
        assert_eq!(parse_ok(&["--all", "false"]).args, ["false"]);
        assert_eq!(
            parse_err(&["--all=yes"]),
            r#"invalid value "yes" for option --all: strconv.ParseBool: parsing "yes": invalid syntax"#
        );
        // A short switch keeps the `=` in its value, as gnuflag does.
        assert_eq!(
            parse_err(&["-a=false"]),
            r#"invalid value "=false" for option -a: strconv.ParseBool: parsing "=false": invalid syntax"#
        );
    }

    #[test]
    fn errors_read_like_gnuflag_with_options() {
        assert_eq!(
            parse_err(&["--foo"]),
            "option provided but not defined: --foo"
        );
        assert_eq!(parse_err(&["-x"]), "option provided but not defined: -x");
        assert_eq!(parse_err(&["-l"]), "option needs an argument: -l");
        assert_eq!(parse_err(&["--=x"]), r#"empty option in argument "--=x""#);
        assert_eq!(
            parse_err(&["--format", "xml"]),
            r#"invalid value "xml" for option --format: unknown format "xml""#
        );
    }

    #[test]
    fn help_wins_only_when_reached() {
        let args: Vec<String> = vec!["-h".into()];
        assert!(matches!(
            parse(DEFS, &HookContext::default(), &args),
            Ok(Parse::Help)
        ));
        assert_eq!(
            parse_err(&["--bad", "--help"]),
            "option provided but not defined: --bad"
        );
    }
}
