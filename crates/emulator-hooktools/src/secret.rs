//! `secret-add`, `secret-get`, `secret-set`, `secret-info-get`, `secret-ids`,
//! `secret-grant`, `secret-revoke`, `secret-remove` (`internal/worker/uniter/runner/jujuc/
//! secret-*.go`), against the secrets of the hook's snapshot.
//!
//! Juju's rules: a unit owns its unit secrets and, with its application, the application's
//! secrets, which only the leader manages; others read a secret once granted (over a
//! relation), pinned to the revision they first read until `--refresh`. Every write is
//! buffered ([`SecretChange`]) and committed when the hook exits 0; this hook's reads see
//! its own writes. Content is kept base64-encoded, as Juju stores it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::prelude::{Engine as _, BASE64_STANDARD};

use super::context::{Bag, SecretChange, SecretGrant, SecretOwner, SecretSnapshot};
use super::flags::{flag, Parsed, Switch, Target, Text, FORMAT, O, OUTPUT, R, RELATION};
use super::format::{self, Format, Out};
use super::gotext::{self, quote};
use super::relation::{check_empty, is_valid_unit};
use super::{application_of, Failure, HookContext, Session, ToolSpec};

const YAML_FORMAT: super::flags::FlagDef = flag(
    "format",
    Target::Format(Format::Yaml, Format::SERIAL),
    "Specify output format (json|yaml)",
);

const UPSERT_FLAGS: [super::flags::FlagDef; 5] = [
    flag(
        "expire",
        Target::Text(Text::Expire, ""),
        "either a duration or time when the secret should expire",
    ),
    flag(
        "rotate",
        Target::Text(Text::Rotate, ""),
        "the secret rotation policy",
    ),
    flag(
        "description",
        Target::Text(Text::Description, ""),
        "the secret description",
    ),
    flag(
        "label",
        Target::Text(Text::Label, ""),
        "a label used to identify the secret in hooks",
    ),
    flag(
        "file",
        Target::File,
        "a YAML file containing secret key values",
    ),
];

pub(crate) const SECRET_ADD: ToolSpec = ToolSpec {
    name: "secret-add",
    synopsis: "[key[#base64|#file]=value...]",
    purpose: "Add a new secret.",
    flags: &[
        UPSERT_FLAGS[0],
        UPSERT_FLAGS[1],
        UPSERT_FLAGS[2],
        UPSERT_FLAGS[3],
        UPSERT_FLAGS[4],
        flag(
            "owner",
            Target::Text(Text::Owner, "application"),
            "the owner of the secret, either the application or unit",
        ),
    ],
    run: secret_add,
};

pub(crate) const SECRET_SET: ToolSpec = ToolSpec {
    name: "secret-set",
    synopsis: "<ID> [key[#base64|#file]=value...]",
    purpose: "Update an existing secret.",
    flags: &UPSERT_FLAGS,
    run: secret_set,
};

pub(crate) const SECRET_GET: ToolSpec = ToolSpec {
    name: "secret-get",
    synopsis: "<ID> [key[#base64]]",
    purpose: "Get the content of a secret.",
    flags: &[
        YAML_FORMAT,
        O,
        OUTPUT,
        flag(
            "label",
            Target::Text(Text::Label, ""),
            "a label used to identify the secret in hooks",
        ),
        flag(
            "peek",
            Target::Switch(Switch::Peek),
            "get the latest revision just this time",
        ),
        flag(
            "refresh",
            Target::Switch(Switch::Refresh),
            "get the latest revision and also get this same revision for subsequent calls",
        ),
    ],
    run: secret_get,
};

pub(crate) const SECRET_INFO_GET: ToolSpec = ToolSpec {
    name: "secret-info-get",
    synopsis: "<ID>",
    purpose: "Get a secret's metadata info.",
    flags: &[
        YAML_FORMAT,
        O,
        OUTPUT,
        flag(
            "label",
            Target::Text(Text::Label, ""),
            "a label used to identify the secret",
        ),
    ],
    run: secret_info_get,
};

pub(crate) const SECRET_IDS: ToolSpec = ToolSpec {
    name: "secret-ids",
    synopsis: "",
    purpose: "Print secret IDs.",
    flags: &[FORMAT, O, OUTPUT],
    run: secret_ids,
};

pub(crate) const SECRET_GRANT: ToolSpec = ToolSpec {
    name: "secret-grant",
    synopsis: "<ID>",
    purpose: "Grant access to a secret.",
    flags: &[
        flag(
            "unit",
            Target::Text(Text::Unit, ""),
            "the unit to grant access",
        ),
        R,
        RELATION,
    ],
    run: secret_grant,
};

pub(crate) const SECRET_REVOKE: ToolSpec = ToolSpec {
    name: "secret-revoke",
    synopsis: "<ID>",
    purpose: "Revoke access to a secret.",
    flags: &[
        flag(
            "app",
            Target::Text(Text::App, ""),
            "the application to revoke access",
        ),
        flag(
            "unit",
            Target::Text(Text::Unit, ""),
            "the unit to revoke access",
        ),
        R,
        RELATION,
    ],
    run: secret_revoke,
};

pub(crate) const SECRET_REMOVE: ToolSpec = ToolSpec {
    name: "secret-remove",
    synopsis: "<ID>",
    purpose: "Remove an existing secret.",
    flags: &[flag(
        "revision",
        Target::Text(Text::Revision, ""),
        "remove the specified revision",
    )],
    run: secret_remove,
};

/// Juju's rotate policies (`core/secrets` `RotatePolicy.IsValid`).
const ROTATE_POLICIES: [&str; 7] = [
    "never",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
];

/// A secret id as Juju makes them (an xid: 20 characters of base32hex, lower case).
pub fn new_secret_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    (0..20)
        .map(|_| char::from(ALPHABET[rand::random::<usize>() % ALPHABET.len()]))
        .collect()
}

/// `secrets.ParseURI`: `secret:<id>`, `secret://<model>/<id>`, or a bare id.
fn parse_uri(text: &str) -> Result<String, Failure> {
    let id = text
        .strip_prefix("secret://")
        .and_then(|rest| rest.rsplit_once('/').map(|(_, id)| id))
        .or_else(|| text.strip_prefix("secret:"))
        .unwrap_or(text);
    let valid = id.len() == 20
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b));
    if valid {
        Ok(id.to_owned())
    } else {
        Err(Failure::Usage(format!(
            "secret URI {} not valid",
            quote(text)
        )))
    }
}

/// The `<ID>` every managing tool starts with, and nothing after it.
fn only_uri(args: &[&str]) -> Result<String, Failure> {
    let Some((uri, rest)) = args.split_first() else {
        return Err(Failure::Usage("missing secret URI".to_owned()));
    };
    let id = parse_uri(uri)?;
    check_empty(rest)?;
    Ok(id)
}

fn not_found(what: &str) -> Failure {
    Failure::Run(format!("secret {} not found", quote(what)))
}

fn not_the_leader() -> Failure {
    Failure::Run("this unit is not the leader".to_owned())
}

/// Whether this unit (with its application) owns the secret.
fn owns(ctx: &HookContext, secret: &SecretSnapshot) -> bool {
    match &secret.owner {
        Some(SecretOwner::Unit(unit)) => *unit == ctx.unit,
        Some(SecretOwner::Application(app)) => app == application_of(&ctx.unit),
        _ => false,
    }
}

/// Whether this unit may change the secret: its own unit secret, or as leader its
/// application's.
fn may_manage(ctx: &HookContext, secret: &SecretSnapshot) -> Result<(), Failure> {
    match &secret.owner {
        Some(SecretOwner::Unit(unit)) if *unit == ctx.unit => Ok(()),
        Some(SecretOwner::Application(app)) if app == application_of(&ctx.unit) => {
            if ctx.leader {
                Ok(())
            } else {
                Err(not_the_leader())
            }
        }
        _ => Err(Failure::Run("permission denied".to_owned())),
    }
}

/// Whether a grant lets this unit read the secret.
fn granted(ctx: &HookContext, secret: &SecretSnapshot) -> bool {
    let app = application_of(&ctx.unit);
    secret
        .grants
        .iter()
        .any(|g| g.app == app && g.unit.as_ref().is_none_or(|u| *u == ctx.unit))
}

/// The id of the secret an invocation names by URI or label: an owner's label, or this
/// unit's consumer label.
fn resolve(ctx: &HookContext, uri: Option<&str>, label: &str) -> Result<String, Failure> {
    if let Some(uri) = uri {
        let id = parse_uri(uri)?;
        return if ctx.secrets.contains_key(&id) {
            Ok(id)
        } else {
            Err(not_found(&id))
        };
    }
    ctx.secrets
        .iter()
        .find(|(_, s)| {
            (owns(ctx, s) && s.label == label) || (!owns(ctx, s) && s.consumer_label == label)
        })
        .map(|(id, _)| id.clone())
        .ok_or_else(|| not_found(label))
}

/// `secrets.CreateSecretData`: `key=value` (value base64-encoded), `key#base64=value`
/// (already encoded), `key#file=path` (the file's content, encoded); keys as Juju's
/// `^([a-z](?:-?[a-z0-9]){2,})$`.
fn secret_data(session: &Session<'_>, args: &[&str]) -> Result<Bag, Failure> {
    let mut data = Bag::new();
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(Failure::Usage(format!(
                "expected \"key=value\", got {}",
                quote(arg)
            )));
        };
        let (key, encoded) = encode_value(session, key, value)?;
        data.insert(key, encoded);
    }
    Ok(data)
}

fn encode_value(
    session: &Session<'_>,
    key: &str,
    value: &str,
) -> Result<(String, String), Failure> {
    let (name, encoded) = if let Some(name) = key.strip_suffix("#base64") {
        if BASE64_STANDARD.decode(value).is_err() {
            return Err(Failure::Usage(format!(
                "base64 decoding value for key {}: illegal base64 data",
                quote(name)
            )));
        }
        (name, value.to_owned())
    } else if let Some(name) = key.strip_suffix("#file") {
        let path = gotext::abs_path(session.cwd, value);
        let bytes = std::fs::read(session.host_path(&path))
            .map_err(|err| Failure::Usage(gotext::path_error("open", &path, &err)))?;
        (name, BASE64_STANDARD.encode(bytes))
    } else {
        (key, BASE64_STANDARD.encode(value))
    };
    if !valid_key(name) {
        return Err(Failure::Usage(format!("key {} not valid", quote(name))));
    }
    Ok((name.to_owned(), encoded))
}

fn valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    let Some((first, rest)) = b.split_first() else {
        return false;
    };
    if !first.is_ascii_lowercase() || rest.last() == Some(&b'-') {
        return false;
    }
    // `(-?[a-z0-9]){2,}`: at least two letters or digits, each maybe after one hyphen.
    let mut units = 0;
    let mut hyphen = false;
    for c in rest {
        match c {
            b'-' if !hyphen => hyphen = true,
            c if c.is_ascii_lowercase() || c.is_ascii_digit() => {
                units += 1;
                hyphen = false;
            }
            _ => return false,
        }
    }
    units >= 2
}

/// The data of `--file` (a YAML map), encoded like arguments.
fn file_data(session: &Session<'_>, file: &str) -> Result<Bag, Failure> {
    let bytes = session.read_input_file(file)?;
    let doc: BTreeMap<String, serde_yaml::Value> =
        serde_yaml::from_slice(&bytes).map_err(|err| Failure::Usage(format!("yaml: {err}")))?;
    let mut data = Bag::new();
    for (key, value) in doc {
        let text = match value {
            serde_yaml::Value::String(s) => s,
            other => serde_yaml::to_string(&other)
                .unwrap_or_default()
                .trim_end()
                .to_owned(),
        };
        let (key, encoded) = encode_value(session, &key, &text)?;
        data.insert(key, encoded);
    }
    Ok(data)
}

/// The flags `secret-add` and `secret-set` share, checked as Juju's `Init` does.
struct Upsert {
    label: Option<String>,
    description: Option<String>,
    rotate: Option<String>,
    expire: Option<String>,
}

fn upsert_flags(parsed: &Parsed<'_>) -> Result<Upsert, Failure> {
    let given = |text: Text| Some(parsed.text(text).to_owned()).filter(|t| !t.is_empty());
    let rotate = given(Text::Rotate);
    if let Some(policy) = &rotate {
        if !ROTATE_POLICIES.contains(&policy.as_str()) {
            return Err(Failure::Usage(format!(
                "rotate policy {} not valid",
                quote(policy)
            )));
        }
    }
    let expire = match given(Text::Expire) {
        Some(spec) => Some(expire_time(&spec)?),
        None => None,
    };
    Ok(Upsert {
        label: given(Text::Label),
        description: given(Text::Description),
        rotate,
        expire,
    })
}

/// `--expire`: an RFC 3339 time (or one without zone), else a Go duration from now.
fn expire_time(spec: &str) -> Result<String, Failure> {
    let looks_like_time = spec.len() >= 19 && spec.as_bytes()[4] == b'-' && spec.contains('T');
    if looks_like_time {
        let time = if spec.len() == 19 {
            format!("{spec}Z")
        } else {
            spec.to_owned()
        };
        return Ok(time);
    }
    let seconds = go_duration_seconds(spec).ok_or_else(|| {
        Failure::Usage(format!("expire time or duration {} not valid", quote(spec)))
    })?;
    if seconds <= 0.0 {
        return Err(Failure::Usage(format!(
            "negative expire duration {} not valid",
            quote(spec)
        )));
    }
    let at = crate::time::unix_now() + seconds as u64;
    Ok(crate::time::format_iso_time(at).replacen(' ', "T", 1))
}

/// Go's `time.ParseDuration`, in seconds.
fn go_duration_seconds(spec: &str) -> Option<f64> {
    let (negative, mut rest) = match spec.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, spec.strip_prefix('+').unwrap_or(spec)),
    };
    if rest == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut any = false;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * factor;
        any = true;
    }
    any.then_some(if negative { -total } else { total })
}

fn secret_add(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    if parsed.args.is_empty() && parsed.file().is_empty() {
        return Err(Failure::Usage(
            "missing secret value or filename".to_owned(),
        ));
    }
    let flags = upsert_flags(&parsed)?;
    let owner_kind = parsed.text(Text::Owner);
    if owner_kind != "application" && owner_kind != "unit" {
        return Err(Failure::Usage(format!(
            "secret owner {} not valid",
            quote(owner_kind)
        )));
    }
    let mut content = secret_data(session, &parsed.args)?;
    if !parsed.file().is_empty() {
        content.extend(file_data(session, parsed.file())?);
    }
    if content.is_empty() {
        return Err(Failure::Run("empty secret value not valid".to_owned()));
    }
    let owner = if owner_kind == "unit" {
        SecretOwner::Unit(ctx.unit.clone())
    } else {
        if !ctx.leader {
            return Err(not_the_leader());
        }
        SecretOwner::Application(application_of(&ctx.unit).to_owned())
    };
    let label = flags.label.unwrap_or_default();
    if !label.is_empty()
        && ctx
            .secrets
            .values()
            .any(|s| s.owner.as_ref() == Some(&owner) && s.label == label)
    {
        return Err(Failure::Run(format!(
            "secret with label {} already exists",
            quote(&label)
        )));
    }
    let id = new_secret_id();
    let snapshot = SecretSnapshot {
        owner: Some(owner.clone()),
        label: label.clone(),
        description: flags.description.clone().unwrap_or_default(),
        rotate: flags.rotate.clone().unwrap_or_default(),
        expire: flags.expire.clone().unwrap_or_default(),
        revisions: BTreeMap::from([(1, content.clone())]),
        ..SecretSnapshot::default()
    };
    ctx.pending.secrets.push(SecretChange::Create {
        id: id.clone(),
        owner,
        label,
        description: snapshot.description.clone(),
        rotate: snapshot.rotate.clone(),
        expire: snapshot.expire.clone(),
        content,
    });
    ctx.secrets.insert(id.clone(), snapshot);
    session
        .stdout
        .extend_from_slice(format!("secret:{id}\n").as_bytes());
    Ok(())
}

fn secret_set(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((uri, data_args)) = parsed.args.split_first() else {
        return Err(Failure::Usage("missing secret URI".to_owned()));
    };
    let id = parse_uri(uri)?;
    let flags = upsert_flags(&parsed)?;
    let mut content = secret_data(session, data_args)?;
    if !parsed.file().is_empty() {
        content.extend(file_data(session, parsed.file())?);
    }
    let secret = ctx.secrets.get(&id).ok_or_else(|| not_found(&id))?;
    may_manage(ctx, secret)?;
    let new_content = (!content.is_empty()
        && secret.revisions.get(&secret.latest()) != Some(&content))
    .then_some(content);
    let secret = ctx.secrets.get_mut(&id).ok_or_else(|| not_found(&id))?;
    if let Some(label) = &flags.label {
        secret.label = label.clone();
    }
    if let Some(description) = &flags.description {
        secret.description = description.clone();
    }
    if let Some(rotate) = &flags.rotate {
        secret.rotate = rotate.clone();
    }
    if let Some(expire) = &flags.expire {
        secret.expire = expire.clone();
    }
    if let Some(content) = &new_content {
        let next = secret.latest() + 1;
        secret.revisions.insert(next, content.clone());
    }
    ctx.pending.secrets.push(SecretChange::Update {
        id,
        label: flags.label,
        description: flags.description,
        rotate: flags.rotate,
        expire: flags.expire,
        content: new_content,
    });
    Ok(())
}

fn secret_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let mut args = parsed.args.as_slice();
    let uri = match args.split_first() {
        Some((uri, rest)) => {
            args = rest;
            Some(*uri)
        }
        None => None,
    };
    let label = parsed.text(Text::Label);
    if uri.is_none() && label.is_empty() {
        return Err(Failure::Usage(
            "require either a secret URI or label".to_owned(),
        ));
    }
    if let Some(uri) = uri {
        parse_uri(uri)?;
    }
    let (peek, refresh) = (parsed.on(Switch::Peek), parsed.on(Switch::Refresh));
    if peek && refresh {
        return Err(Failure::Usage(
            "specify one of --peek or --refresh but not both".to_owned(),
        ));
    }
    let key = match args.split_first() {
        Some((key, rest)) => {
            check_empty(rest)?;
            Some(*key)
        }
        None => None,
    };
    let id = resolve(ctx, uri, label)?;
    let secret = &ctx.secrets[&id];
    let revision = if owns(ctx, secret) {
        // The owner reads the latest revision, its own pending changes included.
        secret.latest()
    } else {
        if !granted(ctx, secret) {
            return Err(Failure::Run("permission denied".to_owned()));
        }
        let latest = secret.latest();
        let revision = match secret.tracked {
            Some(tracked) if !peek && !refresh => tracked,
            _ => latest,
        };
        let first_read = secret.tracked.is_none();
        let relabel = (uri.is_some() && !label.is_empty() && secret.consumer_label != label)
            .then(|| label.to_owned());
        if first_read || refresh || relabel.is_some() {
            let tracked = if peek {
                secret.tracked.unwrap_or(latest)
            } else {
                revision
            };
            let secret = ctx.secrets.get_mut(&id).ok_or_else(|| not_found(&id))?;
            secret.tracked = Some(tracked);
            if let Some(label) = &relabel {
                secret.consumer_label = label.clone();
            }
            ctx.pending.secrets.push(SecretChange::Track {
                id: id.clone(),
                revision: tracked,
                label: relabel,
            });
        }
        revision
    };
    let content = ctx.secrets[&id]
        .revisions
        .get(&revision)
        .cloned()
        .unwrap_or_default();
    let decoded: Bag = content
        .iter()
        .map(|(k, v)| (k.clone(), decode(v)))
        .collect();
    let value = match key {
        None => Out::Bag(&decoded),
        Some(key) => match key.strip_suffix("#base64") {
            Some(name) => content
                .get(name)
                .map(|v| Out::str(v.clone()))
                .ok_or_else(|| missing_key(key))?,
            None => decoded
                .get(key)
                .map(|v| Out::str(v.clone()))
                .ok_or_else(|| missing_key(key))?,
        },
    };
    format::write(session, &parsed, &value)
}

fn decode(value: &str) -> String {
    BASE64_STANDARD
        .decode(value)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

fn missing_key(key: &str) -> Failure {
    Failure::Run(format!("secret key value {} not found", quote(key)))
}

fn secret_info_get(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let (uri, rest) = match parsed.args.split_first() {
        Some((uri, rest)) => (Some(*uri), rest),
        None => (None, &[][..]),
    };
    let label = parsed.text(Text::Label);
    if let Some(uri) = uri {
        parse_uri(uri)?;
    }
    if uri.is_none() && label.is_empty() {
        return Err(Failure::Usage(
            "require either a secret URI or label".to_owned(),
        ));
    }
    if uri.is_some() && !label.is_empty() {
        return Err(Failure::Usage(
            "specify either a secret URI or label but not both".to_owned(),
        ));
    }
    check_empty(rest)?;
    // Only the owner's metadata is there to read (`SecretMetadata` lists owned secrets).
    let wanted = match uri {
        Some(uri) => parse_uri(uri)?,
        None => label.to_owned(),
    };
    let found = ctx.secrets.iter().find(|(id, s)| {
        owns(ctx, s)
            && match uri {
                Some(_) => **id == wanted,
                None => s.label == wanted,
            }
    });
    let Some((id, secret)) = found else {
        return Err(not_found(&wanted));
    };
    let revision = serde_json::Value::from(secret.latest());
    let mut fields = vec![
        ("revision", Out::Json(&revision)),
        ("label", Out::str(secret.label.as_str())),
        (
            "owner",
            Out::str(secret.owner.as_ref().map_or("", SecretOwner::kind)),
        ),
    ];
    if !secret.description.is_empty() {
        fields.push(("description", Out::str(secret.description.as_str())));
    }
    if !secret.rotate.is_empty() {
        fields.push(("rotation", Out::str(secret.rotate.as_str())));
    }
    if !secret.expire.is_empty() {
        fields.push(("expiry", Out::str(secret.expire.as_str())));
    }
    if !secret.grants.is_empty() {
        let access = secret
            .grants
            .iter()
            .map(|grant| {
                let target = match &grant.unit {
                    Some(unit) => format!("unit-{}", unit.replace('/', "-")),
                    None => format!("application-{}", grant.app),
                };
                let scope = format!(
                    "relation-{}",
                    grant.relation_key.replace(':', ".").replace(' ', "#")
                );
                Out::Struct(vec![
                    ("target", Out::str(target)),
                    ("scope", Out::str(scope)),
                    ("role", Out::str("view")),
                ])
            })
            .collect();
        fields.push(("access", Out::List(access)));
    }
    let value = Out::Map(vec![(Cow::Borrowed(id.as_str()), Out::Struct(fields))]);
    format::write(session, &parsed, &value)
}

fn secret_ids(
    ctx: &mut HookContext,
    session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    check_empty(&parsed.args)?;
    let ids: Vec<Cow<'_, str>> = ctx
        .secrets
        .iter()
        .filter(|(_, s)| owns(ctx, s))
        .map(|(id, _)| Cow::Borrowed(id.as_str()))
        .collect();
    format::write(session, &parsed, &Out::Strings(ids))
}

fn secret_grant(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let Some((uri, rest)) = parsed.args.split_first() else {
        return Err(Failure::Usage("missing secret URI".to_owned()));
    };
    let id = parse_uri(uri)?;
    let relation = parsed
        .relation
        .ok_or_else(|| Failure::Usage("no relation id specified".to_owned()))?;
    let snapshot = &ctx.relations[&relation];
    let app = snapshot.remote_app.clone();
    let unit = Some(parsed.text(Text::Unit).to_owned()).filter(|u| !u.is_empty());
    if let Some(unit) = &unit {
        if !is_valid_unit(unit) {
            return Err(Failure::Usage(format!("unit {} not valid", quote(unit))));
        }
        if application_of(unit) != app {
            return Err(Failure::Usage(format!(
                "cannot specify unit {} in relation to application {}",
                quote(unit),
                quote(&app)
            )));
        }
    }
    check_empty(rest)?;
    let grant = SecretGrant {
        relation: Some(relation),
        relation_key: snapshot.key.clone(),
        app,
        unit,
    };
    let secret = ctx.secrets.get(&id).ok_or_else(|| not_found(&id))?;
    may_manage(ctx, secret)?;
    if let Some(secret) = ctx.secrets.get_mut(&id) {
        if !secret.grants.contains(&grant) {
            secret.grants.push(grant.clone());
        }
    }
    ctx.pending.secrets.push(SecretChange::Grant { id, grant });
    Ok(())
}

fn secret_revoke(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let id = only_uri(&parsed.args)?;
    let relation = parsed.relation;
    let app = Some(parsed.text(Text::App).to_owned()).filter(|a| !a.is_empty());
    let unit = Some(parsed.text(Text::Unit).to_owned()).filter(|u| !u.is_empty());
    let secret = ctx.secrets.get(&id).ok_or_else(|| not_found(&id))?;
    may_manage(ctx, secret)?;
    let relation_app = relation
        .and_then(|r| ctx.relations.get(&r))
        .map(|r| r.remote_app.clone());
    let app_or_relations = app.as_deref().or(relation_app.as_deref());
    if let Some(secret) = ctx.secrets.get_mut(&id) {
        secret
            .grants
            .retain(|g| !g.revoked_by(relation, app_or_relations, unit.as_deref()));
    }
    ctx.pending.secrets.push(SecretChange::Revoke {
        id,
        relation,
        app,
        unit,
    });
    Ok(())
}

fn secret_remove(
    ctx: &mut HookContext,
    _session: &mut Session<'_>,
    parsed: Parsed<'_>,
) -> Result<(), Failure> {
    let id = only_uri(&parsed.args)?;
    let revision = match parsed.text(Text::Revision) {
        "" => None,
        text => Some(
            text.parse::<u32>()
                .map_err(|_| Failure::Usage(format!("revision {} not valid", quote(text))))?,
        ),
    };
    let secret = ctx.secrets.get(&id).ok_or_else(|| not_found(&id))?;
    may_manage(ctx, secret)?;
    match revision {
        Some(revision) => {
            let secret = ctx.secrets.get_mut(&id).ok_or_else(|| not_found(&id))?;
            if secret.revisions.remove(&revision).is_none() {
                return Err(Failure::Run(format!(
                    "secret revision {revision} for {} not found",
                    quote(&id)
                )));
            }
        }
        None => {
            ctx.secrets.remove(&id);
        }
    }
    ctx.pending
        .secrets
        .push(SecretChange::Remove { id, revision });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_follow_juju_s_rule() {
        for good in ["abc", "a-b-c", "token", "a1b", "db-password"] {
            assert!(valid_key(good), "{good}");
        }
        for bad in ["ab", "Abc", "1ab", "a--b", "abc-", "a_b", ""] {
            assert!(!valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(go_duration_seconds("24h"), Some(86_400.0));
        assert_eq!(go_duration_seconds("1h30m"), Some(5_400.0));
        assert_eq!(go_duration_seconds("-5s"), Some(-5.0));
        assert_eq!(go_duration_seconds("5"), None);
        assert_eq!(go_duration_seconds("tomorrow"), None);
    }

    #[test]
    fn uris_parse_in_every_form() {
        let id = "9m4e2mr0ui3e8a215n4g";
        assert_eq!(parse_uri(&format!("secret:{id}")).unwrap(), id);
        assert_eq!(parse_uri(&format!("secret://deadbeef/{id}")).unwrap(), id);
        assert_eq!(parse_uri(id).unwrap(), id);
        assert!(parse_uri("secret:nope").is_err());
        assert_eq!(new_secret_id().len(), 20);
        assert!(parse_uri(&new_secret_id()).is_ok());
    }
}
