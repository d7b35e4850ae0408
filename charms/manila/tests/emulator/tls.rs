//! TLS for the API with the vault fixture (a real CA) and with the `ssl_*` options: the https
//! layout (haproxy terminating it), https endpoints in keystone, renewal reloading haproxy
//! and not touching Apache, bad material blocked with the last good certificate kept.

use base64::Engine as _;
use emulator::{DeployOptions, ServiceAction};
use manila_testbed::Charm;
use tls_certificates::testing::TestCa;

use crate::support::{self, World};

const UNIT: &str = "manila/0";
const HAPROXY_CFG: &str = "/etc/haproxy/haproxy.cfg";
const WSGI_SITE: &str = "/etc/apache2/sites-available/manila-api.conf";

/// `world` with the vault fixture related on `certificates`, settled.
fn with_vault(mut world: World) -> World {
    world.deploy("vault", Charm::Vault, DeployOptions::new());
    world
        .model
        .relate("manila:certificates", "vault:certificates")
        .unwrap();
    world.settle();
    world
}

fn count(world: &World, service: &str, action: ServiceAction) -> u64 {
    world
        .service(UNIT, service)
        .totals
        .get(&action)
        .copied()
        .unwrap_or(0)
}

/// The certificate file haproxy presents on the unit's one address: its path, and its
/// certificate (the file's text before the key).
fn served_cert(world: &World) -> (String, String) {
    let cfg = world
        .file(UNIT, HAPROXY_CFG)
        .expect("haproxy's configuration");
    let path = cfg
        .lines()
        .find_map(|l| l.split(" ssl crt ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a certificate")
        .to_owned();
    let pem = world.file(UNIT, &path).expect("the certificate file");
    let cert = pem
        .split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|part| part.contains("BEGIN CERTIFICATE"))
        .collect();
    (path, cert)
}

fn configure(world: &mut World, app: &str, options: &[(&str, &str)]) {
    world
        .model
        .set_config(app, options.iter().map(|(k, v)| (*k, *v)))
        .unwrap();
    world.settle();
}

#[test]
fn the_vault_fixture_turns_the_api_to_https_and_renewals_reload_haproxy() {
    let world = support::all_in_one();
    assert!(!world.file(UNIT, HAPROXY_CFG).unwrap().contains("ssl crt"));
    let mut world = with_vault(world);
    world.assert_status(UNIT, "active", "Unit is ready");
    world.assert_status("vault/0", "active", "Unit is ready");

    // haproxy terminates TLS on 8766 in front of the application, which stays on 8776.
    let cfg = world.file(UNIT, HAPROXY_CFG).unwrap();
    assert!(cfg.contains(":8766 ssl crt "), "{cfg}");
    assert!(cfg.contains("server local 127.0.0.1:8776 check"), "{cfg}");
    assert!(world.file(UNIT, WSGI_SITE).unwrap().contains("Listen 8776"));
    let (cert_path, cert) = served_cert(&world);
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(world.mode(UNIT, &cert_path), Some(0o600));
    assert!(world.service(UNIT, "apache2").running);
    assert!(world.service(UNIT, "haproxy").running);

    // The CA is trusted on the machine; keystone lists https endpoints.
    let ca = world
        .file(
            UNIT,
            "/usr/local/share/ca-certificates/vault_juju_ca_cert.crt",
        )
        .expect("the CA in the trust store");
    assert!(ca.contains("BEGIN CERTIFICATE"));
    // update-ca-certificates linked it into the machine's trust store.
    let bundle = world
        .file(UNIT, "/etc/ssl/certs/ca-certificates.crt")
        .unwrap();
    assert!(bundle.contains(ca.trim()), "the CA is not in the bundle");
    let catalog = world.keystone_catalog();
    let manila: Vec<_> = catalog
        .iter()
        .filter(|(_, _, app)| app == "manila")
        .collect();
    assert!(!manila.is_empty());
    for (service, url, _) in manila {
        assert!(url.starts_with("https://"), "{service}: {url}");
        assert!(url.contains(":8786/"), "{service}: {url}");
    }

    // A renewal replaces the certificate and reloads haproxy, without a restart; Apache,
    // and the application in it, are not touched.
    let totals = |world: &World| {
        [
            count(world, "haproxy", ServiceAction::Restart),
            count(world, "haproxy", ServiceAction::Reload),
            count(world, "apache2", ServiceAction::Restart),
            count(world, "apache2", ServiceAction::Reload),
        ]
    };
    let [restarts, reloads, apache_restarts, apache_reloads] = totals(&world);
    configure(&mut world, "vault", &[("generation", "1")]);
    world.assert_status(UNIT, "active", "Unit is ready");
    let (_, renewed) = served_cert(&world);
    assert_ne!(renewed, cert);
    assert_eq!(
        totals(&world),
        [restarts, reloads + 1, apache_restarts, apache_reloads]
    );

    // A certificate another CA signed: blocked naming the relation, the last good served.
    configure(&mut world, "vault", &[("fault", "wrong-ca")]);
    let (status, message) = world.status(UNIT);
    assert_eq!(status, "blocked", "{message}");
    assert!(
        message.starts_with("'certificates' from vault/0: ")
            && message.contains("the CA did not sign the certificate")
            && message.ends_with("(using the last good data)"),
        "{message}"
    );
    assert_eq!(served_cert(&world).1, renewed);
    configure(&mut world, "vault", &[("fault", "")]);
    world.assert_status(UNIT, "active", "Unit is ready");
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn the_ssl_options_win_and_a_bad_pair_keeps_the_last_good_one() {
    let ca = TestCa::new("Operator CA");
    let issued = ca.issue(&["manila.example.com"], false);
    let (cert, key) = (issued.cert, issued.key.expose().to_owned());
    let other_key = ca
        .issue(&["manila.example.com"], false)
        .key
        .expose()
        .to_owned();

    let mut world = with_vault(support::all_in_one());
    configure(
        &mut world,
        "manila",
        &[
            ("ssl_cert", &b64(&cert)),
            ("ssl_key", &b64(&key)),
            ("ssl_ca", &b64(&ca.pem())),
        ],
    );
    world.assert_status(UNIT, "active", "Unit is ready");
    let (path, served) = served_cert(&world);
    assert_eq!(path, "/etc/haproxy/ssl/manila/cert.pem");
    assert_eq!(served.trim(), cert.trim());
    assert!(world
        .file(
            UNIT,
            "/usr/local/share/ca-certificates/charm_config_juju_ca_cert.crt"
        )
        .is_some());
    assert!(world
        .file(
            UNIT,
            "/usr/local/share/ca-certificates/vault_juju_ca_cert.crt"
        )
        .is_none());

    configure(&mut world, "manila", &[("ssl_key", &b64(&other_key))]);
    let (status, message) = world.status(UNIT);
    assert_eq!(status, "blocked");
    assert!(
        message.contains("'ssl_key': the private key does not match the certificate"),
        "{message}"
    );
    assert_eq!(served_cert(&world).1.trim(), cert.trim());
    assert_eq!(
        world.mode(UNIT, "/etc/haproxy/ssl/manila/cert.pem"),
        Some(0o600)
    );
}

#[test]
fn an_expired_kept_certificate_stays_served_until_the_operator_switches_tls_off() {
    const CA: &str = "/usr/local/share/ca-certificates/vault_juju_ca_cert.crt";
    const BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
    let mut world = with_vault(support::all_in_one());
    world.assert_status(UNIT, "active", "Unit is ready");

    // A short-lived certificate, then nothing better from vault: an expired one.
    const LIFETIME: u64 = 12;
    let issued = std::time::Instant::now();
    configure(
        &mut world,
        "vault",
        &[("lifetime", &LIFETIME.to_string()), ("generation", "1")],
    );
    world.assert_status(UNIT, "active", "Unit is ready");
    let (path, short_lived) = served_cert(&world);
    configure(&mut world, "vault", &[("fault", "expired")]);
    let (status, message) = world.status(UNIT);
    assert_eq!(status, "blocked", "{message}");
    assert!(message.ends_with("(using the last good data)"), "{message}");

    // The kept certificate expires (hooks check it against the clock); the next hook keeps
    // TLS on with it, blocked, rather than falling back to plain http.
    let expired = issued + std::time::Duration::from_secs(LIFETIME + 2);
    if let Some(left) = expired.checked_duration_since(std::time::Instant::now()) {
        std::thread::sleep(left);
    }
    configure(&mut world, "manila", &[("debug", "true")]);
    let (status, message) = world.status(UNIT);
    assert_eq!(status, "blocked", "{message}");
    assert!(
        message.starts_with("TLS certificate from 'certificates' expired (")
            && message.contains("still served"),
        "{message}"
    );
    assert_eq!(served_cert(&world), (path.clone(), short_lived));
    assert!(world.file(UNIT, HAPROXY_CFG).unwrap().contains(&path));
    let ca = world.file(UNIT, CA).expect("the CA still trusted");
    for (service, url, app) in world.keystone_catalog() {
        if app == "manila" {
            assert!(url.starts_with("https://"), "{service}: {url}");
        }
    }

    // The operator switches TLS off (no ssl_* options, the relation removed): plain http,
    // and nothing of TLS left behind, the CA out of the trust store.
    world
        .model
        .remove_relation("manila:certificates", "vault:certificates")
        .unwrap();
    world.settle();
    world.assert_status(UNIT, "active", "Unit is ready");
    for gone in [path.as_str(), CA] {
        assert!(world.file(UNIT, gone).is_none(), "{gone} is still there");
    }
    assert!(!world.file(UNIT, BUNDLE).unwrap().contains(ca.trim()));
    assert!(!world.file(UNIT, HAPROXY_CFG).unwrap().contains("ssl crt"));
    for (service, url, app) in world.keystone_catalog() {
        if app == "manila" {
            assert!(url.starts_with("http://"), "{service}: {url}");
        }
    }
}
