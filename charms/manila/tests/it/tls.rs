//! TLS for the API: what the unit asks the `certificates` relation for, the layout with a
//! certificate (from the relation or the `ssl_*` options, which win), and bad material
//! refused with the last good kept.

use std::collections::BTreeMap;

use base64::Engine as _;
use charm::{Configured, Received};
use juju::Status;
use manila_charm::inputs::{Endpoint, Inputs};
use manila_charm::render::HAPROXY_CFG;
use manila_charm::tls;
use tls_certificates::testing::TestCa;
use tls_certificates::{answer_bag, CertRequests, Issued, IssuedPem};

use crate::fixtures::*;

pub(crate) const ADDRESS: &str = "10.5.0.10";

pub(crate) fn vault_answer(ca: &TestCa, pem: IssuedPem) -> BTreeMap<juju::UnitName, databag::Bag> {
    let issued = BTreeMap::from([(
        "manila_0".to_owned(),
        BTreeMap::from([(ADDRESS.to_owned(), pem)]),
    )]);
    BTreeMap::from([(unit("vault/0"), answer_bag(&ca.pem(), "", &issued))])
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

/// An all-in-one unit to which vault issued a certificate for its address.
fn issued() -> Inputs {
    let ca = TestCa::new("Vault CA");
    with_relation(
        ready("manila/0", "all"),
        &vault_answer(&ca, ca.issue(&[ADDRESS], false)),
    )
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn with_options(mut inputs: Inputs, pem: &IssuedPem, ca: Option<&TestCa>) -> Inputs {
    let mut raw = raw_config("all")
        .with("ssl_cert", b64(&pem.cert))
        .with("ssl_key", b64(pem.key.expose()));
    if let Some(ca) = ca {
        raw = raw.with("ssl_ca", b64(&ca.pem()));
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

/// The plan's commands, each as its program and arguments on one line.
fn command_lines(plan: &manila_charm::Plan) -> Vec<String> {
    plan.commands
        .iter()
        .map(|c| format!("{} {}", c.program, c.args.join(" ")))
        .collect()
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
    assert!(!file(&plan, HAPROXY_CFG).contains("ssl crt"));
    assert!(file(&plan, "/etc/apache2/sites-available/manila-api.conf").contains("Listen 8776"));
    assert!(registered_urls(&plan)
        .iter()
        .all(|u| u.starts_with("http://")));
    assert_eq!(plan.status.message, "Unit is ready");
}

#[test]
fn without_tls_nothing_of_it_is_planned() {
    let plan = plan(&ready("manila/0", "all"));
    assert!(plan
        .files
        .iter()
        .all(|f| !f.path.contains("ssl") && !f.path.contains("ca-certificates")));
    assert!(!file(&plan, HAPROXY_CFG).contains("tls-in"));
    assert!(plan
        .commands
        .iter()
        .all(|c| c.program != "a2dissite" && c.program != "update-ca-certificates"));
    assert_eq!(recorded(&plan, "tls-ca"), None);
}

#[test]
fn an_issued_certificate_turns_the_api_to_https() {
    let inputs = issued();
    let plan = plan(&inputs);
    assert_eq!(plan.status.message, "Unit is ready");
    // haproxy terminates TLS on the unit's address, in front of the unit's application
    // (which stays where it was), and its frontend spreads over the units' TLS port.
    let haproxy = file(&plan, HAPROXY_CFG);
    assert!(
        haproxy.contains(
            "bind 10.5.0.10:8766 ssl crt /etc/haproxy/ssl/manila/cert_10.5.0.10.pem ssl-min-ver TLSv1.2\n"
        ),
        "{haproxy}"
    );
    assert!(
        haproxy.contains("server local 127.0.0.1:8776 check"),
        "{haproxy}"
    );
    assert!(haproxy.contains("bind *:8786") && haproxy.contains("10.5.0.10:8766 check"));
    assert!(file(&plan, "/etc/apache2/sites-available/manila-api.conf").contains("Listen 8776"));

    let pem = plan
        .file("/etc/haproxy/ssl/manila/cert_10.5.0.10.pem")
        .expect("the certificate");
    assert_eq!(pem.spec.mode, 0o600, "it holds the key");
    assert_eq!(pem.spec.owner, "root");
    // A renewal reloads haproxy; only a change of its configuration restarts it.
    assert_eq!(pem.reloaded_by, ["haproxy"]);
    assert!(pem.read_by.is_empty());
    assert!(pem.content.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(pem.content.contains("PRIVATE KEY-----"));
    assert!(plan
        .files
        .iter()
        .all(|f| !f.path.starts_with("/etc/apache2/ssl")));

    let ca_file = file(&plan, tls::CA_FROM_RELATION);
    assert!(ca_file.contains("BEGIN CERTIFICATE"));
    assert_eq!(command_lines(&plan), ["update-ca-certificates --fresh"]);
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
    let mut inputs = issued();
    let first = plan(&inputs);
    inputs.recorded.tls_ca = recorded(&first, "tls-ca").flatten();
    let again = plan(&inputs);
    assert!(again.commands.is_empty(), "{:?}", again.commands);
    assert_eq!(recorded(&again, "tls-ca"), None);
}

#[test]
fn the_options_take_precedence_over_the_relation() {
    let vault = TestCa::new("Vault CA");
    let own = TestCa::new("Operator CA");
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
    let haproxy = file(&plan, HAPROXY_CFG);
    assert!(
        haproxy.contains("bind 10.5.0.10:8766 ssl crt /etc/haproxy/ssl/manila/cert.pem "),
        "{haproxy}"
    );
    assert!(plan
        .file("/etc/haproxy/ssl/manila/cert_10.5.0.10.pem")
        .is_none());
    assert_eq!(file(&plan, tls::CA_FROM_OPTIONS).trim(), own.pem().trim());
    assert!(plan.file(tls::CA_FROM_RELATION).is_none());
    assert!(plan.remove.contains(&tls::CA_FROM_RELATION.to_owned()));
}

#[test]
fn bad_options_block_naming_the_option_and_keep_the_last_good_pair() {
    let own = TestCa::new("Operator CA");
    let good = own.issue(&[ADDRESS], false);
    let other = own.issue(&[ADDRESS], false);
    let stranger = TestCa::new("Stranger CA");
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
        assert!(file(&plan, "/etc/haproxy/ssl/manila/cert.pem").starts_with(good.cert.trim()));
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
    let ca = TestCa::new("Vault CA");
    let good = vault_answer(&ca, ca.issue(&[ADDRESS], false));
    let stranger = TestCa::new("Stranger");
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
        assert!(plan
            .file("/etc/haproxy/ssl/manila/cert_10.5.0.10.pem")
            .is_some());
    }
}

/// The new files, as a unit with a certificate from the relation renders them (certificate
/// and key contents are not snapshotted: they differ each run).
#[test]
fn snapshots_of_the_tls_layout() {
    let plan = plan(&issued());
    insta::assert_snapshot!(
        "tls@haproxy.cfg",
        redact(file(&plan, "/etc/haproxy/haproxy.cfg"))
    );
}

/// The inputs of the hook after `plan` ran: what it recorded.
fn after(mut inputs: Inputs, plan: &manila_charm::Plan) -> Inputs {
    inputs.recorded.tls_ca = recorded(plan, "tls-ca").flatten();
    inputs.recorded.tls_served = recorded(plan, "tls-served")
        .flatten()
        .and_then(|text| tls::Served::decode(&text));
    inputs
}

/// 2029-04: after the certificates issued until 2028 expired.
fn later() -> std::time::SystemTime {
    std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_870_000_000)
}

fn assert_kept(plan: &manila_charm::Plan, source: &str, served_haproxy: &str) {
    assert_eq!(
        plan.status.status,
        Status::Blocked,
        "{}",
        plan.status.message
    );
    assert!(
        plan.status.message.starts_with(&format!(
            "TLS certificate from {source} expired (Jan  1 00:00:00 2028 +00:00), still served"
        )),
        "{}",
        plan.status.message
    );
    // Nothing of TLS touched: not the certificates, not the trust store; and haproxy's
    // configuration is the one that served them (the recorded addresses and files).
    assert!(plan.remove.is_empty(), "{:?}", plan.remove);
    assert!(plan.commands.is_empty(), "{:?}", plan.commands);
    assert!(plan
        .files
        .iter()
        .all(|f| !f.path.starts_with(tls::SSL_DIR) && !f.path.contains("ca-certificates")));
    assert_eq!(recorded(plan, "tls-served"), None);
    assert_eq!(recorded(plan, "tls-ca"), None);
    assert_eq!(file(plan, HAPROXY_CFG), served_haproxy);
    // Keystone keeps https.
    let urls = registered_urls(plan);
    assert!(!urls.is_empty());
    assert!(urls.iter().all(|u| u.starts_with("https://")), "{urls:?}");
}

#[test]
fn a_kept_certificate_from_the_relation_that_expires_stays_served_blocked() {
    let ca = TestCa::new("Vault CA");
    let good = vault_answer(&ca, ca.issue_until(&[ADDRESS], Some((2028, 1, 1))));
    let inputs = with_relation(ready("manila/0", "all"), &good);
    let first = plan(&inputs);
    assert_eq!(first.status.message, "Unit is ready");
    let served = recorded(&first, "tls-served").flatten().expect("recorded");
    assert!(served.starts_with("relation\n1830297600\n"), "{served}");
    assert!(served.ends_with("\n10.5.0.10\t/etc/haproxy/ssl/manila/cert_10.5.0.10.pem"));
    let mut inputs = after(inputs, &first);
    assert!(plan(&inputs).commands.is_empty());

    // Later the kept answer has expired, and vault sends nothing better (an expired
    // certificate, or nothing at all).
    inputs.now = later();
    let me = inputs.unit.clone();
    let now = inputs.now;
    for current in [
        vault_answer(&ca, ca.issue(&[ADDRESS], true)),
        good.clone(),
        BTreeMap::new(),
    ] {
        let (data, _) = charm::received::receive_relation(
            &current,
            &good,
            |bag| Issued::from_bag(bag, &me, now),
            |units| Issued::from_bags(units, &me, now),
        );
        assert!(data.ready().is_none());
        let mut inputs = inputs.clone();
        inputs.certificates.data = data;
        assert_kept(&plan(&inputs), "'certificates'", file(&first, HAPROXY_CFG));
    }
}

#[test]
fn a_kept_certificate_from_the_options_that_expires_stays_served_blocked() {
    let own = TestCa::new("Operator CA");
    let pem = own.issue_until(&[ADDRESS], Some((2028, 1, 1)));
    let inputs = with_options(ready("manila/0", "all"), &pem, Some(&own));
    let first = plan(&inputs);
    assert_eq!(first.status.message, "Unit is ready");
    let mut inputs = after(inputs, &first);
    inputs.now = later();
    let plan = plan(&inputs);
    assert_kept(&plan, "'ssl_cert'", file(&first, HAPROXY_CFG));
}

#[test]
fn switching_tls_off_takes_the_frontend_certificates_and_ca_away() {
    let inputs = issued();
    let first = plan(&inputs);
    let tls_on = after(inputs, &first);

    // The relation removed, no options: the operator's explicit change.
    let mut off = tls_on.clone();
    off.certificates = Endpoint::missing();
    let plan = plan(&off);
    assert_eq!(plan.status.message, "Unit is ready");
    for path in [
        "/etc/haproxy/ssl/manila/cert_10.5.0.10.pem",
        tls::CA_FROM_RELATION,
    ] {
        assert!(
            plan.remove.contains(&path.to_owned()),
            "{path}: {:?}",
            plan.remove
        );
    }
    assert_eq!(command_lines(&plan), ["update-ca-certificates --fresh"]);
    assert!(!file(&plan, HAPROXY_CFG).contains("ssl crt"));
    assert!(file(&plan, HAPROXY_CFG).contains("10.5.0.10:8776 check"));
    assert_eq!(recorded(&plan, "tls-served"), Some(None));
    assert_eq!(recorded(&plan, "tls-ca"), Some(None));
    assert!(file(&plan, "/etc/apache2/sites-available/manila-api.conf").contains("Listen 8776"));
    assert!(registered_urls(&plan)
        .iter()
        .all(|u| u.starts_with("http://")));

    // The relation's certificate replaced by the options': the relation's files go.
    let own = TestCa::new("Operator CA");
    let options = with_options(tls_on, &own.issue(&[ADDRESS], false), Some(&own));
    let replaced = self::plan(&options);
    assert!(replaced
        .remove
        .contains(&"/etc/haproxy/ssl/manila/cert_10.5.0.10.pem".to_owned()));
    assert!(replaced.file("/etc/haproxy/ssl/manila/cert.pem").is_some());
}

#[test]
fn update_status_says_the_same_of_tls() {
    let ca = TestCa::new("Vault CA");
    let good = vault_answer(&ca, ca.issue_until(&[ADDRESS], Some((2028, 1, 1))));
    let inputs = with_relation(ready("manila/0", "all"), &good);
    let first = plan(&inputs);
    let mut inputs = after(inputs, &first);
    // update-status reads no addresses: a valid certificate is no reason to block.
    inputs.mode = manila_charm::inputs::Mode::UpdateStatus;
    inputs.addresses = Default::default();
    assert_eq!(plan(&inputs).status.message, "Unit is ready");
    // An expired kept one is.
    inputs.now = later();
    let me = inputs.unit.clone();
    let now = inputs.now;
    inputs.certificates.data = charm::received::receive_relation(
        &good,
        &good,
        |bag| Issued::from_bag(bag, &me, now),
        |units| Issued::from_bags(units, &me, now),
    )
    .0;
    let plan = plan(&inputs);
    assert_eq!(plan.status.status, Status::Blocked);
    assert!(plan
        .status
        .message
        .starts_with("TLS certificate from 'certificates' expired"));
}

#[test]
fn the_references_apache_tls_site_is_retired_where_a_unit_has_it() {
    let mut inputs = ready("manila/0", "all");
    inputs.tls_machine.legacy_site_enabled = true;
    let plan = plan(&inputs);
    assert_eq!(command_lines(&plan), ["a2dissite openstack_https_frontend"]);
    assert!(plan.remove.contains(&tls::LEGACY_HTTPS_SITE.to_owned()));
}

#[test]
fn the_served_record_reads_back_and_refuses_what_this_charm_did_not_write() {
    let served = tls::Served {
        source: tls::Source::Relation,
        expires: 1_830_297_600,
        not_after: "Jan  1 00:00:00 2028 +00:00".to_owned(),
        binds: vec![
            tls::TlsBind {
                address: "10.5.0.10".to_owned(),
                pem: "/etc/haproxy/ssl/manila/cert_10.5.0.10.pem".to_owned(),
            },
            tls::TlsBind {
                address: "fd00::10".to_owned(),
                pem: "/etc/haproxy/ssl/manila/cert_10.5.0.10.pem".to_owned(),
            },
        ],
    };
    assert_eq!(tls::Served::decode(&served.encode()), Some(served.clone()));
    assert_eq!(
        served.files(),
        ["/etc/haproxy/ssl/manila/cert_10.5.0.10.pem"]
    );
    for bad in [
        "relation\n1\nx\n10.5.0.10\t/etc/shadow",
        "relation\n1\nx\n10.5.0.10\t/etc/haproxy/ssl/manila/../../shadow",
        "relation\n1\nx\nnot-an-address\t/etc/haproxy/ssl/manila/cert.pem",
        "relation\n1\nx\n/etc/haproxy/ssl/manila/cert.pem",
        "other\n1\nx",
    ] {
        assert_eq!(tls::Served::decode(bad), None, "{bad:?}");
    }
}

/// Debian's haproxy loads the configuration with the certificate files the plan writes (each
/// the certificate and then its key), moved under a scratch directory: `haproxy -c`. Runs
/// when haproxy is installed, or fails without it under `REQUIRE_HAPROXY=1`.
#[test]
fn haproxy_loads_the_planned_certificates() {
    let Some(haproxy) = manila_testbed::checker::Checker {
        program: "/usr/sbin/haproxy",
        needs: &[],
        require: "REQUIRE_HAPROXY",
        install: "apt-get install -y haproxy",
    }
    .find() else {
        return;
    };
    let plan = plan(&issued());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().display().to_string();
    for file in plan
        .files
        .iter()
        .filter(|f| f.path.starts_with(tls::SSL_DIR))
    {
        let path = dir.path().join(file.path.trim_start_matches('/'));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.content).unwrap();
    }
    let cfg = file(&plan, HAPROXY_CFG).replace(tls::SSL_DIR, &format!("{root}{}", tls::SSL_DIR));
    assert!(cfg.contains(&format!("ssl crt {root}")), "{cfg}");
    let path = dir.path().join("haproxy.cfg");
    std::fs::write(&path, cfg).unwrap();
    if let Err(e) = manila_testbed::checker::complaints(
        std::process::Command::new(haproxy)
            .arg("-c")
            .arg("-f")
            .arg(&path),
    ) {
        panic!("haproxy -c refused the TLS configuration:\n{e}");
    }
}
