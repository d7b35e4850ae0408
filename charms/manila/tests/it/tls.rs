//! TLS for the API: what the unit asks the `certificates` relation for, the layout with a
//! certificate (from the relation or the `ssl_*` options, which win), and bad material
//! refused with the last good kept.

use std::collections::BTreeMap;

use base64::Engine as _;
use charm::{Configured, Received};
use juju::Status;
use manila_charm::inputs::{Endpoint, Inputs};
use manila_charm::tls;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa};
use tls_certificates::{answer_bag, CertRequests, Issued, IssuedPem};

use crate::fixtures::*;

pub(crate) struct Ca {
    cert: rcgen::Certificate,
    key: rcgen::KeyPair,
}

pub(crate) fn ca(name: &str) -> Ca {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    Ca {
        cert: params.self_signed(&key).unwrap(),
        key,
    }
}

impl Ca {
    pub(crate) fn issue(&self, names: &[&str], expired: bool) -> IssuedPem {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        }
        IssuedPem {
            cert: params.signed_by(&key, &self.cert, &self.key).unwrap().pem(),
            key: databag::Secret::new(key.serialize_pem()),
        }
    }
}

pub(crate) const ADDRESS: &str = "10.5.0.10";

pub(crate) fn vault_answer(ca: &Ca, pem: IssuedPem) -> BTreeMap<juju::UnitName, databag::Bag> {
    let issued = BTreeMap::from([(
        "manila_0".to_owned(),
        BTreeMap::from([(ADDRESS.to_owned(), pem)]),
    )]);
    BTreeMap::from([(unit("vault/0"), answer_bag(&ca.cert.pem(), "", &issued))])
}

pub(crate) fn with_relation(
    mut inputs: Inputs,
    units: &BTreeMap<juju::UnitName, databag::Bag>,
) -> Inputs {
    let me = inputs.unit.clone();
    let now = inputs.now;
    inputs.certificates = Endpoint {
        relations: vec![rel("certificates:9")],
        data: received(
            units,
            |bag| Issued::from_bag(bag, &me, now),
            |units| Issued::from_bags(units, &me, now),
        ),
    };
    inputs
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn with_options(mut inputs: Inputs, pem: &IssuedPem, ca: Option<&Ca>) -> Inputs {
    let mut raw = raw_config("all")
        .with("ssl_cert", b64(&pem.cert))
        .with("ssl_key", b64(pem.key.expose()));
    if let Some(ca) = ca {
        raw = raw.with("ssl_ca", b64(&ca.cert.pem()));
    }
    inputs.config = configured(&raw);
    inputs
}

fn file<'p>(plan: &'p manila_charm::Plan, path: &str) -> &'p str {
    &plan
        .file(path)
        .unwrap_or_else(|| panic!("no {path}"))
        .content
}

fn registered_urls(plan: &manila_charm::Plan) -> Vec<String> {
    unit_data(plan)
        .into_iter()
        .filter(|(r, _)| r.to_string().starts_with("identity-service"))
        .flat_map(|(_, bag)| bag.into_iter())
        .filter(|(k, _)| k.ends_with("_url"))
        .map(|(_, v)| v)
        .collect()
}

#[test]
fn an_api_unit_asks_for_a_certificate_per_address_as_charm_helpers_does() {
    let mut inputs = with_relation(ready("manila/0", "all"), &BTreeMap::new());
    inputs.config = configured(&raw_config("all").with("os-public-hostname", "manila.example.com"));
    let plan = plan(&inputs);
    let (_, bag) = unit_data(&plan)
        .into_iter()
        .find(|(r, _)| r.to_string() == "certificates:9")
        .expect("the request is published");
    assert_eq!(bag["unit_name"], "manila_0");
    assert_eq!(
        bag["cert_requests"],
        r#"{"10.5.0.10": {"sans": ["10.5.0.10"]}, "manila.example.com": {"sans": ["10.5.0.10"]}}"#
    );
    assert!(CertRequests::from_bag(&bag).unwrap().is_ready());
    // Nothing issued yet: the plain layout, http endpoints.
    assert!(plan.file(tls::HTTPS_SITE).is_none());
    assert!(file(&plan, "/etc/apache2/sites-available/manila-api.conf").contains("Listen 8776"));
    assert!(registered_urls(&plan)
        .iter()
        .all(|u| u.starts_with("http://")));
    assert_eq!(plan.status.message, "Unit is ready");
}

#[test]
fn without_tls_nothing_of_it_is_planned() {
    let plan = plan(&ready("manila/0", "all"));
    assert!(plan.files.iter().all(|f| !f.path.contains("ssl")
        && !f.path.contains("ca-certificates")
        && f.path != tls::HTTPS_SITE));
    assert!(plan
        .commands
        .iter()
        .all(|c| c.program != "a2enmod" && c.program != "update-ca-certificates"));
    assert_eq!(recorded(&plan, "tls-ca"), None);
}

#[test]
fn an_issued_certificate_turns_the_api_to_https() {
    let ca = ca("Vault CA");
    let inputs = with_relation(
        ready("manila/0", "all"),
        &vault_answer(&ca, ca.issue(&[ADDRESS], false)),
    );
    let plan = plan(&inputs);
    assert_eq!(plan.status.message, "Unit is ready");
    let site = file(&plan, tls::HTTPS_SITE);
    assert!(site.contains("<VirtualHost 10.5.0.10:8776>"), "{site}");
    assert!(
        site.contains("ProxyPass / http://localhost:8766/"),
        "{site}"
    );
    // The application moves 10 down; haproxy is unchanged (its backends are now the sites).
    assert!(file(&plan, "/etc/apache2/sites-available/manila-api.conf").contains("Listen 8766"));
    let haproxy = file(&plan, "/etc/haproxy/haproxy.cfg");
    assert!(haproxy.contains("bind *:8786") && haproxy.contains(":8776 check"));

    let key = plan
        .file("/etc/apache2/ssl/manila/key_10.5.0.10")
        .expect("the key");
    assert_eq!(key.spec.mode, 0o600);
    assert_eq!(key.spec.owner, "root");
    // A renewal reloads Apache; only the site's change restarts it.
    assert_eq!(key.reloaded_by, ["apache2"]);
    assert!(key.read_by.is_empty());
    let cert = plan.file("/etc/apache2/ssl/manila/cert_10.5.0.10").unwrap();
    assert!(cert.content.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(cert.reloaded_by, ["apache2"]);

    let ca_file = file(&plan, tls::CA_FROM_RELATION);
    assert!(ca_file.contains("BEGIN CERTIFICATE"));
    let programs: Vec<String> = plan
        .commands
        .iter()
        .map(|c| format!("{} {}", c.program, c.args.join(" ")))
        .collect();
    assert!(programs.contains(&"a2enmod -q ssl proxy proxy_http headers".to_owned()));
    assert!(programs.contains(&"a2ensite openstack_https_frontend".to_owned()));
    assert!(programs.contains(&"update-ca-certificates --fresh".to_owned()));
    assert!(matches!(recorded(&plan, "tls-ca"), Some(Some(_))));

    let urls = registered_urls(&plan);
    assert!(!urls.is_empty());
    assert!(
        urls.iter()
            .all(|u| u.starts_with("https://10.5.0.10:8786/")),
        "{urls:?}"
    );
}

#[test]
fn a_settled_tls_unit_runs_no_command_again() {
    let ca = ca("Vault CA");
    let mut inputs = with_relation(
        ready("manila/0", "all"),
        &vault_answer(&ca, ca.issue(&[ADDRESS], false)),
    );
    let first = plan(&inputs);
    inputs.recorded.tls_ca = recorded(&first, "tls-ca").flatten();
    inputs.tls_machine.modules = true;
    inputs.tls_machine.site_enabled = true;
    let again = plan(&inputs);
    assert!(again.commands.is_empty(), "{:?}", again.commands);
    assert_eq!(recorded(&again, "tls-ca"), None);
}

#[test]
fn the_options_take_precedence_over_the_relation() {
    let vault = ca("Vault CA");
    let own = ca("Operator CA");
    let inputs = with_options(
        with_relation(
            ready("manila/0", "all"),
            &vault_answer(&vault, vault.issue(&[ADDRESS], false)),
        ),
        &own.issue(&["manila.example.com", ADDRESS], false),
        Some(&own),
    );
    let plan = plan(&inputs);
    assert_eq!(plan.status.message, "Unit is ready");
    let site = file(&plan, tls::HTTPS_SITE);
    assert!(
        site.contains("SSLCertificateFile /etc/apache2/ssl/manila/cert\n"),
        "{site}"
    );
    assert!(plan
        .file("/etc/apache2/ssl/manila/cert_10.5.0.10")
        .is_none());
    assert_eq!(
        file(&plan, tls::CA_FROM_OPTIONS).trim(),
        own.cert.pem().trim()
    );
    assert!(plan.file(tls::CA_FROM_RELATION).is_none());
    assert!(plan.remove.contains(&tls::CA_FROM_RELATION.to_owned()));
}

#[test]
fn bad_options_block_naming_the_option_and_keep_the_last_good_pair() {
    let own = ca("Operator CA");
    let good = own.issue(&[ADDRESS], false);
    let other = own.issue(&[ADDRESS], false);
    let stranger = ca("Stranger CA");
    let cases = [
        (
            IssuedPem {
                cert: good.cert.clone(),
                key: other.key.clone(),
            },
            Some(&own),
            "'ssl_key': the private key does not match the certificate",
        ),
        (
            stranger.issue(&[ADDRESS], false),
            Some(&own),
            "'ssl_ca': the CA did not sign the certificate",
        ),
        (
            own.issue(&[ADDRESS], true),
            Some(&own),
            "'ssl_cert': the certificate expired",
        ),
    ];
    let good_inputs = with_options(ready("manila/0", "all"), &good, Some(&own));
    let good_config = good_inputs.config.config().unwrap().clone();
    for (pem, ca, expected) in cases {
        let bad = with_options(ready("manila/0", "all"), &pem, ca);
        let Configured::Invalid(error) = &bad.config else {
            panic!("{expected}: accepted");
        };
        assert!(error.to_string().contains(expected), "{error}");
        // As gather hands it over: the last valid configuration kept, the error said.
        let mut kept = good_inputs.clone();
        kept.config = Configured::Kept {
            config: good_config.clone(),
            error: error.clone(),
        };
        let plan = plan(&kept);
        assert_eq!(plan.status.status, Status::Blocked);
        assert!(
            plan.status.message.contains(expected),
            "{}",
            plan.status.message
        );
        assert_eq!(
            file(&plan, "/etc/apache2/ssl/manila/cert").trim(),
            good.cert.trim()
        );
    }
    // A certificate alone is not enough.
    let raw = raw_config("all").with("ssl_cert", b64(&good.cert));
    let Configured::Invalid(error) = configured(&raw) else {
        panic!("accepted")
    };
    assert!(error
        .to_string()
        .contains("'ssl_key': is needed with ssl_cert"));
}

#[test]
fn a_bad_answer_blocks_naming_the_relation_and_keeps_the_last_good_one() {
    let ca = ca("Vault CA");
    let good = vault_answer(&ca, ca.issue(&[ADDRESS], false));
    let stranger = self::ca("Stranger");
    let inputs = ready("manila/0", "all");
    let me = inputs.unit.clone();
    let now = inputs.now;
    for (bad, expected) in [
        (
            vault_answer(&ca, stranger.issue(&[ADDRESS], false)),
            "the CA did not sign the certificate",
        ),
        (
            vault_answer(&ca, ca.issue(&[ADDRESS], true)),
            "the certificate expired",
        ),
        (
            vault_answer(
                &ca,
                IssuedPem {
                    cert: "garbage".to_owned(),
                    key: databag::Secret::new("garbage"),
                },
            ),
            "is not a PEM certificate",
        ),
    ] {
        let (data, _) = charm::received::receive_relation(
            &bad,
            &good,
            |bag| Issued::from_bag(bag, &me, now),
            |units| Issued::from_bags(units, &me, now),
        );
        assert!(matches!(data, Received::Ready { kept: true, .. }));
        let mut inputs = inputs.clone();
        inputs.certificates = Endpoint {
            relations: vec![rel("certificates:9")],
            data,
        };
        let plan = plan(&inputs);
        assert_eq!(plan.status.status, Status::Blocked);
        let message = &plan.status.message;
        assert!(
            message.starts_with(
                "'certificates' from vault/0: relation key `manila_0.processed_requests`"
            ) && message.contains(expected)
                && message.ends_with("(using the last good data)"),
            "{message}"
        );
        assert!(!message.contains("PRIVATE"));
        assert!(plan.file(tls::HTTPS_SITE).is_some());
    }
}

/// The new files, as a unit with a certificate from the relation renders them (certificate
/// and key contents are not snapshotted: they differ each run).
#[test]
fn snapshots_of_the_tls_layout() {
    let ca = ca("Vault CA");
    let plan = plan(&with_relation(
        ready("manila/0", "all"),
        &vault_answer(&ca, ca.issue(&[ADDRESS], false)),
    ));
    insta::assert_snapshot!(
        "tls@openstack_https_frontend.conf",
        file(&plan, tls::HTTPS_SITE)
    );
    insta::assert_snapshot!(
        "tls@manila-api.conf",
        file(&plan, "/etc/apache2/sites-available/manila-api.conf")
    );
    insta::assert_snapshot!(
        "tls@haproxy.cfg",
        redact(file(&plan, "/etc/haproxy/haproxy.cfg"))
    );
}
