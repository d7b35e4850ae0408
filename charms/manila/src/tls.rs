//! TLS for the API: the certificates of charm-helpers' `cert_utils` (from the `certificates`
//! relation or the `ssl_*` options), terminated by haproxy.
//!
//! Where the certificate comes from: the `ssl_cert`/`ssl_key` options (with `ssl_ca`) when
//! both are set, which take precedence, else the `certificates` relation (one certificate per
//! address of this unit's bindings, [`requests`]); with neither, no TLS and the layout is the
//! plain one.
//!
//! The layout, for a public port P (8786): haproxy's frontend keeps P in TCP mode and
//! spreads over every api unit. Without TLS it spreads over the units' WSGI application
//! (Apache, P-10, 8776). With TLS it spreads over the units' P-20 (8766), where haproxy
//! terminates TLS, on each address of the unit with that address's certificate ([`TlsBind`]),
//! and forwards over HTTP to the unit's own WSGI application on P-10. So traffic between units
//! is TLS too, and the WSGI application never moves.
//!
//! Why not Apache, as the reference does (its `openstack_https_frontend` site on P, in the
//! Apache that also runs the WSGI application): a renewed certificate must reach a running
//! server without losing a request, and Apache re-reads certificates only on a graceful
//! restart, which also restarts mod_wsgi's daemon processes. Requests queued for them are
//! cut off (`Truncated or oversized response headers`, a 500): with six clients, 36 in ten
//! restarts; the end-to-end run saw one or two 5xx in each renewal. haproxy reloads without
//! dropping a connection (25,000 requests over 25 reloads, none failed; a connection kept
//! alive is closed between requests, which clients retry) and without touching Apache. The
//! reference's site, where a unit has it, is retired ([`LEGACY_HTTPS_SITE`]).
//!
//! The CA goes into the system trust store (`/usr/local/share/ca-certificates`, then
//! `update-ca-certificates`), so that Manila's own clients verify it. Each certificate file
//! holds the key, root-only; a renewed certificate reloads haproxy (the toolkit's
//! [`PlannedFile::reloading`]).
//!
//! When the material in force stops being usable (the certificate kept as the last good one
//! expired, and nothing valid replaces it), TLS stays on with what the machine serves
//! ([`Serving::Kept`]), blocked naming the source and the expiry: plain HTTP would be a silent
//! downgrade of every client and of Keystone's endpoints. Only the operator's explicit change
//! (the `ssl_*` options cleared and the `certificates` relation removed) turns TLS off, which
//! removes haproxy's TLS frontend, the certificate files written (recorded in unit state,
//! [`Served`])
//! and the CA from the trust store.
//!
//! Bad material is refused where it is read: options in [`options`] (called by the
//! configuration's validation, so the last valid configuration keeps serving, and the status
//! names the option), relation data by [`tls_certificates::Issued::from_bag`] (so
//! `Context::receive` keeps the last good answer, and the status names the relation).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::SystemTime;

use charm::plan::{Command, Plan, PlannedFile};
use charm::RenderedFile;
use databag::Host;
use host::FileSpec;
use serde::Serialize;
use tls_certificates::{CertRequest, KeyPair};

use crate::config::{Config, EndpointType};
use crate::inputs::{state_key, Inputs};
use crate::render;
use openstack::network::resolve_address;

/// The reference's site terminating TLS in Apache (charm-helpers' `openstack_https_frontend`):
/// retired where a unit has it enabled, as it would hold the ports haproxy serves.
pub const LEGACY_HTTPS_SITE: &str = "/etc/apache2/sites-available/openstack_https_frontend.conf";
pub const LEGACY_HTTPS_SITE_ENABLED: &str =
    "/etc/apache2/sites-enabled/openstack_https_frontend.conf";
/// The certificates haproxy presents, each with its chain and key (`cert_<cn>.pem`, after
/// charm-helpers' `cert_<cn>`; `cert.pem` from the options).
pub const SSL_DIR: &str = "/etc/haproxy/ssl/manila";
/// The names charm-helpers gives a CA in the trust store, from the options and from the
/// relation.
pub const CA_FROM_OPTIONS: &str = "/usr/local/share/ca-certificates/charm_config_juju_ca_cert.crt";
pub const CA_FROM_RELATION: &str = "/usr/local/share/ca-certificates/vault_juju_ca_cert.crt";

/// The port haproxy terminates TLS on, on each of the unit's addresses, for its frontend on
/// the API port to spread over (charm-helpers' `determine_api_port` arithmetic, P-20).
pub const TLS_PORT: u16 = render::API_PORT - 20;

/// Where the certificate in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Options,
    Relation,
}

impl Source {
    fn word(self) -> &'static str {
        match self {
            Source::Options => "options",
            Source::Relation => "relation",
        }
    }

    /// What the status names: the option or the relation an operator acts on.
    pub fn named(self) -> &'static str {
        match self {
            Source::Options => "'ssl_cert'",
            Source::Relation => "'certificates'",
        }
    }
}

/// What the unit serves TLS with, recorded in unit state by every hook that writes it
/// ([`state_key::TLS_SERVED`](crate::inputs::state_key::TLS_SERVED)): the source, the
/// earliest expiry, and where haproxy presents which certificate file (so that a unit keeping
/// TLS on without usable material renders the same configuration, and the files are taken
/// away when TLS is switched off or a file is no longer used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub source: Source,
    /// Seconds since the Unix epoch.
    pub expires: u64,
    /// The expiry as the certificate says it, for the status.
    pub not_after: String,
    pub binds: Vec<TlsBind>,
}

impl Served {
    /// One value per line: source, expiry (seconds), expiry (text), then each address and
    /// its certificate file, separated by a tab.
    pub fn encode(&self) -> String {
        let mut lines = vec![
            self.source.word().to_owned(),
            self.expires.to_string(),
            self.not_after.clone(),
        ];
        lines.extend(
            self.binds
                .iter()
                .map(|bind| format!("{}\t{}", bind.address, bind.pem)),
        );
        lines.join("\n")
    }

    /// The record read back; what does not parse was not written by this charm.
    pub fn decode(text: &str) -> Option<Served> {
        let mut lines = text.lines();
        let source = match lines.next()? {
            "options" => Source::Options,
            "relation" => Source::Relation,
            _ => return None,
        };
        let expires = lines.next()?.parse().ok()?;
        let not_after = lines.next()?.to_owned();
        let binds = lines
            .map(|line| {
                let (address, pem) = line.split_once('\t')?;
                let address: IpAddr = address.parse().ok()?;
                let in_dir = pem.starts_with(SSL_DIR) && !pem.contains("..");
                in_dir.then(|| TlsBind {
                    address: address.to_string(),
                    pem: pem.to_owned(),
                })
            })
            .collect::<Option<_>>()?;
        Some(Served {
            source,
            expires,
            not_after,
            binds,
        })
    }

    /// The certificate files, each once.
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self.binds.iter().map(|b| b.pem.clone()).collect();
        files.sort();
        files.dedup();
        files
    }

    /// What haproxy's configuration adds for it.
    pub fn haproxy(&self) -> HaproxyTls {
        HaproxyTls {
            port: TLS_PORT,
            backend_port: render::WSGI_PORT,
            binds: self.binds.clone(),
        }
    }
}

/// How the API is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    /// Plain HTTP: no TLS material, or the operator switched TLS off.
    Plain,
    /// Over TLS with this material, presented on these addresses.
    Tls {
        material: Material,
        files: Vec<PlannedFile>,
        binds: Vec<TlsBind>,
    },
    /// Over TLS with what the machine has, though no usable material is there any more (the
    /// certificate in force expired, and nothing valid replaces it): falling back to plain
    /// HTTP would silently downgrade every client and Keystone's endpoints, so TLS stays on,
    /// blocked, until the material is renewed or the operator switches TLS off.
    Kept(Served),
}

impl Serving {
    pub fn is_tls(&self) -> bool {
        !matches!(self, Serving::Plain)
    }

    /// What haproxy's configuration adds for TLS: `None` when the API is plain.
    pub fn haproxy(&self) -> Option<HaproxyTls> {
        match self {
            Serving::Plain => None,
            Serving::Kept(served) => Some(served.haproxy()),
            Serving::Tls { binds, .. } => Some(HaproxyTls {
                port: TLS_PORT,
                backend_port: render::WSGI_PORT,
                binds: binds.clone(),
            }),
        }
    }
}

/// The certificate material in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    pub source: Source,
    /// `None`: one certificate for every address (the options); else by common name.
    pub single: Option<KeyPair>,
    pub by_name: BTreeMap<Host, KeyPair>,
    /// The CA to trust, if one was given.
    pub ca: Option<String>,
}

fn decode(b64: &str, option: &str) -> Result<String, String> {
    let bag = databag::Bag::from([(option.to_owned(), b64.to_owned())]);
    databag::fields::base64_text(&bag, option)
        .map(Option::unwrap_or_default)
        .map_err(|e| e.kind().to_string())
}

/// The `ssl_*` options checked together at `now`: `None` when `ssl_cert` and `ssl_key`
/// are not both set; else the material, or the option to blame and why.
pub fn options(
    config: &Config,
    now: SystemTime,
) -> Option<Result<Material, (&'static str, String)>> {
    let (cert, key) = match (&config.ssl_cert, &config.ssl_key) {
        (None, None) => return None,
        (Some(_), None) => return Some(Err(("ssl_key", "is needed with ssl_cert".to_owned()))),
        (None, Some(_)) => return Some(Err(("ssl_cert", "is needed with ssl_key".to_owned()))),
        (Some(cert), Some(key)) => (cert, key),
    };
    Some((|| {
        let cert = decode(cert, "ssl_cert").map_err(|e| ("ssl_cert", e))?;
        let key = decode(key, "ssl_key").map_err(|e| ("ssl_key", e))?;
        let ca = match &config.ssl_ca {
            Some(ca) => Some(decode(ca, "ssl_ca").map_err(|e| ("ssl_ca", e))?),
            None => None,
        };
        let pair = KeyPair::check(&cert, &key, ca.as_deref(), None, now).map_err(|e| {
            let option = match e {
                tls_certificates::TlsProblem::KeyMismatch => "ssl_key",
                tls_certificates::TlsProblem::NotSignedByCa { .. } => "ssl_ca",
                tls_certificates::TlsProblem::NotPem {
                    what: "the key", ..
                } => "ssl_key",
                tls_certificates::TlsProblem::NotPem { what: "the CA", .. } => "ssl_ca",
                _ => "ssl_cert",
            };
            (option, e.to_string())
        })?;
        let ca = match ca {
            Some(ca) => Some(
                tls_certificates::x509::ca_bundle("the CA", &ca)
                    .map_err(|e| ("ssl_ca", e.to_string()))?,
            ),
            None => None,
        };
        Ok(Material {
            source: Source::Options,
            single: Some(pair),
            by_name: BTreeMap::new(),
            ca,
        })
    })())
}

/// The material in force: the options' when set, else the relation's last good answer.
pub fn material(inputs: &Inputs, config: &Config) -> Option<Material> {
    if let Some(options) = options(config, inputs.now) {
        // An invalid pair never reaches here: the configuration would not be valid.
        return options.ok();
    }
    let issued = inputs.certificates.data.ready()?;
    if issued.certs.is_empty() {
        return None;
    }
    Some(Material {
        source: Source::Relation,
        single: None,
        by_name: issued.certs.clone(),
        ca: Some(issued.ca.clone()),
    })
}

/// This unit's address on each network it serves the API on: the cluster address, then each
/// endpoint type's (its binding, or `os-*-network`), deduplicated, each with the host name
/// configured for the types served there.
fn addresses(inputs: &Inputs, config: &Config) -> Vec<(IpAddr, Vec<Host>)> {
    let mut out: Vec<(IpAddr, Vec<Host>)> = Vec::new();
    let default = inputs
        .addresses
        .cluster
        .or_else(|| inputs.addresses.binding(EndpointType::Internal).primary());
    if let Some(address) = default {
        out.push((address, Vec::new()));
    }
    for ty in EndpointType::ALL {
        let endpoint = config.endpoint(ty);
        let Some(address) = resolve_address(
            None,
            endpoint.network,
            &[],
            false,
            inputs.addresses.binding(ty),
        )
        .and_then(|a| a.parse::<IpAddr>().ok()) else {
            continue;
        };
        let hostname = endpoint
            .hostname
            .and_then(|h| Host::parse(ty.word(), h).ok());
        match out.iter_mut().find(|(a, _)| *a == address) {
            Some((_, names)) => names.extend(hostname),
            None => out.push((address, hostname.into_iter().collect())),
        }
    }
    out
}

/// The VIP in `address`'s network, as charm-helpers' `get_vip_in_network`.
fn vip_near(inputs: &Inputs, config: &Config, address: IpAddr) -> Option<IpAddr> {
    let network = EndpointType::ALL
        .into_iter()
        .flat_map(|ty| &inputs.addresses.binding(ty).addresses)
        .find(|bound| bound.address == address)
        .and_then(|bound| bound.network)?;
    config
        .vips
        .iter()
        .copied()
        .find(|vip| network.contains(*vip))
}

fn host(address: IpAddr) -> Option<Host> {
    Host::parse("address", &address.to_string()).ok()
}

/// The certificates this unit asks the `certificates` relation for, as charm-helpers'
/// `get_certificate_request`: one per address (its common name the address, where the
/// reference reverse-resolves the unit's main address to a host name: a charm's run decides
/// nothing from DNS here), with that address and the VIP in its network; and one per
/// configured `os-*-hostname`, whose names are every address and VIP of the unit.
pub fn requests(inputs: &Inputs, config: &Config) -> Vec<CertRequest> {
    let addresses = addresses(inputs, config);
    let mut every = std::collections::BTreeSet::new();
    let mut requests = Vec::new();
    for (address, _) in &addresses {
        let Some(common_name) = host(*address) else {
            continue;
        };
        let mut sans = std::collections::BTreeSet::from([common_name.clone()]);
        sans.extend(vip_near(inputs, config, *address).and_then(host));
        every.extend(sans.iter().cloned());
        requests.push(CertRequest { common_name, sans });
    }
    for (_, names) in &addresses {
        for name in names {
            if requests.iter().all(|r| &r.common_name != name) {
                requests.push(CertRequest {
                    common_name: name.clone(),
                    sans: every.clone(),
                });
            }
        }
    }
    requests
}

/// One address haproxy terminates TLS on, with the certificate it presents there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsBind {
    /// The address as haproxy's `bind` takes it (the port follows the last colon, so an
    /// IPv6 address goes without brackets).
    pub address: String,
    /// The certificate, its chain and its key, in one file as haproxy reads them.
    pub pem: String,
}

/// What haproxy's configuration adds for TLS ([`crate::render::HaproxyCfg`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HaproxyTls {
    pub port: u16,
    /// The WSGI application on this unit.
    pub backend_port: u16,
    pub binds: Vec<TlsBind>,
}

/// The certificate files (each the certificate, its chain and its key, root-only; a change
/// reloads haproxy) and where each is presented (none: no certificate fits any address, TLS
/// stays off).
fn cert_files(
    inputs: &Inputs,
    config: &Config,
    material: &Material,
) -> (Vec<PlannedFile>, Vec<TlsBind>) {
    let mut files = Vec::new();
    let mut binds = Vec::new();
    for (address, names) in addresses(inputs, config) {
        let Some(address_host) = host(address) else {
            continue;
        };
        // A host name's certificate names every address; the address's own names only it
        // (charm-helpers links `cert_<address>` to the host name's for the same reason).
        let chosen = match &material.single {
            Some(pair) => Some((String::new(), pair)),
            None => names
                .iter()
                .chain(std::iter::once(&address_host))
                .find_map(|name| {
                    material
                        .by_name
                        .get(name)
                        .map(|pair| (format!("_{name}"), pair))
                }),
        };
        let Some((suffix, pair)) = chosen else {
            continue;
        };
        let pem = format!("{SSL_DIR}/cert{suffix}.pem");
        if files.iter().all(|f: &PlannedFile| f.path != pem) {
            let content = format!(
                "{}\n{}",
                pair.certificate.trim_end(),
                pair.key.expose().trim_end()
            );
            files.push(PlannedFile::reloading(
                render::pem_file_with(&pem, &content, FileSpec::new("root", "root", 0o600)),
                &["haproxy"],
            ));
        }
        binds.push(TlsBind {
            address: address.to_string(),
            pem,
        });
    }
    (files, binds)
}

/// What TLS adds to `plan` besides haproxy's configuration ([`haproxy`]): the certificate
/// files and the CA, recorded in unit state; with TLS off, what a previous TLS configuration
/// left is taken away (the certificate files, the CA).
pub fn apply_to(inputs: &Inputs, serving: &Serving, plan: &mut Plan) {
    if inputs.tls_machine.legacy_site_enabled {
        plan.commands.push(
            Command::new("a2dissite", &["openstack_https_frontend"]).restarting(&["apache2"]),
        );
        plan.remove.push(LEGACY_HTTPS_SITE.to_owned());
    }
    let recorded = inputs.recorded.tls_served.as_ref();
    let (material, files, binds) = match serving {
        // The machine keeps what it serves: nothing is written, removed or recorded.
        Serving::Kept(_) => return,
        Serving::Plain => {
            if let Some(served) = recorded {
                plan.remove.extend(served.files());
                plan.state
                    .push((crate::inputs::state_key::TLS_SERVED.to_owned(), None));
            }
            trust(inputs, None, plan);
            return;
        }
        Serving::Tls {
            material,
            files,
            binds,
        } => (material, files.clone(), binds.clone()),
    };
    let pairs = || material.single.iter().chain(material.by_name.values());
    let served = Served {
        source: material.source,
        expires: pairs().map(|pair| pair.expires).min().unwrap_or_default(),
        not_after: pairs()
            .min_by_key(|pair| pair.expires)
            .map(|pair| pair.not_after.clone())
            .unwrap_or_default(),
        binds,
    };
    if let Some(before) = recorded {
        // Files of names no longer served (an address gone, the options replacing the
        // relation's certificates).
        let now = served.files();
        plan.remove.extend(
            before
                .files()
                .into_iter()
                .filter(|path| !now.contains(path)),
        );
    }
    if recorded != Some(&served) {
        plan.state.push((
            crate::inputs::state_key::TLS_SERVED.to_owned(),
            Some(served.encode()),
        ));
    }
    plan.files.extend(files);
    trust(inputs, Some(material), plan);
}

/// The trust store: the CA of the material in force, nothing else of ours (`None`: no CA of
/// ours at all).
fn trust(inputs: &Inputs, material: Option<&Material>, plan: &mut Plan) {
    let ca_path = match material.map(|m| m.source) {
        Some(Source::Options) => CA_FROM_OPTIONS,
        _ => CA_FROM_RELATION,
    };
    let other = if ca_path == CA_FROM_OPTIONS {
        CA_FROM_RELATION
    } else {
        CA_FROM_OPTIONS
    };
    let ca = material.and_then(|m| m.ca.clone());
    if let Some(ca) = &ca {
        plan.files.push(PlannedFile::new(
            RenderedFile {
                path: ca_path.to_owned(),
                content: ca.clone(),
                spec: FileSpec::new("root", "root", 0o644),
            },
            &[],
        ));
    }
    let recorded = inputs.recorded.tls_ca.as_deref();
    let wanted = ca.as_ref().map(|ca| format!("{ca_path}\n{ca}"));
    if recorded != wanted.as_deref() {
        if ca.is_none() {
            plan.remove.push(ca_path.to_owned());
        }
        plan.remove.push(other.to_owned());
        // `--fresh` drops the links of a CA removed above.
        plan.commands
            .push(Command::new("update-ca-certificates", &["--fresh"]));
        plan.state.push((state_key::TLS_CA.to_owned(), wanted));
    }
}

/// Whether the operator asks for no TLS: neither `ssl_cert` nor `ssl_key` set, and no
/// `certificates` relation. Only then does a unit that served TLS go back to plain HTTP.
pub fn switched_off(inputs: &Inputs, config: &Config) -> bool {
    config.ssl_cert.is_none()
        && config.ssl_key.is_none()
        && inputs.certificates.relations.is_empty()
}

/// How the API is served: over TLS with usable material fitting an address; without usable
/// material, over TLS with what was served last unless the operator switched TLS off; else
/// plain.
pub fn serving(inputs: &Inputs, config: &Config) -> Serving {
    if let Some(material) = material(inputs, config) {
        let (files, binds) = cert_files(inputs, config, &material);
        if binds.is_empty() {
            // Material that fits no address of the unit (or a hook that reads no addresses,
            // update-status) is no reason to keep an old certificate.
            return Serving::Plain;
        }
        return Serving::Tls {
            material,
            files,
            binds,
        };
    }
    match &inputs.recorded.tls_served {
        Some(served) if !switched_off(inputs, config) => Serving::Kept(served.clone()),
        _ => Serving::Plain,
    }
}

/// The status of a unit keeping TLS on without usable material: blocked, naming the source
/// and the expiry, and what the operator can do.
pub fn kept_status(served: &Served, now: SystemTime) -> String {
    let seconds = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let what = if served.expires < seconds {
        format!("expired ({})", served.not_after)
    } else {
        format!("no longer usable (expires {})", served.not_after)
    };
    format!(
        "TLS certificate from {} {what}, still served: renew it, or remove the 'certificates' relation and the ssl_* options to serve plain http",
        served.source.named()
    )
}
