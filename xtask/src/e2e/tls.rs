//! TLS on the real services (issue 16): the vault fixture's CA issues manila/0 its
//! certificate; Debian's Apache with mod_ssl then terminates TLS behind haproxy, in front of
//! the WSGI application. Requests verified against the fixture's CA succeed, the share
//! lifecycle runs over https, a client without that CA is refused, Keystone's catalog lists
//! https, and a renewal reloads Apache (same main process) with the API answering throughout.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use emulator::{DeployOptions, Model, Placement};
use manila_client::{
    Auth, Client, Domain, Endpoint, Interface, Keystone, Project, Secret, Settings,
};

use super::{all_active, charm, lifecycle, stage};

pub(super) const VAULT: &str = "tests/fixtures/charms/vault";

/// What the stage leaves on the host, removed by teardown (of this run or the next).
const HTTPS_SITE: &str = "openstack_https_frontend";
const SSL_DIR: &str = "/etc/apache2/ssl/manila";
const TRUSTED_CA: &str = "/usr/local/share/ca-certificates/vault_juju_ca_cert.crt";
const APACHE_PID: &str = "/run/apache2/apache2.pid";

fn client(model_dir: &Path, keystone: &str, ca: Option<&str>) -> Result<Client> {
    let password = fs::read_to_string(model_dir.join("admin-password"))?;
    let mut settings = Settings::new(
        Auth::Keystone(Keystone {
            auth_url: format!("{keystone}/v3"),
            username: "admin".to_owned(),
            password: Secret::new(password.trim()),
            user_domain: Domain::Id("default".to_owned()),
            project: Project::Name {
                name: "admin".to_owned(),
                domain: Domain::Id("default".to_owned()),
            },
        }),
        Endpoint::Catalog {
            interface: Interface::Public,
            region: None,
        },
    );
    settings.ca_certificate = ca.map(str::to_owned);
    Ok(Client::connect(settings)?)
}

fn apache_pid() -> String {
    fs::read_to_string(APACHE_PID)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

pub(super) fn tls(root: &Path, model: &mut Model, model_dir: &Path, keystone: &str) -> Result<()> {
    stage("TLS: the vault fixture's certificate, Apache mod_ssl behind haproxy, https catalog");
    model.deploy(
        "vault",
        charm(root, VAULT),
        DeployOptions::new().to(Placement::Machine(0)),
    )?;
    let relation = model.relate("manila:certificates", "vault:certificates")?;
    model.settle()?;
    all_active(model)?;
    let ca = model
        .unit_bag(relation, "vault/0")?
        .get("ca")
        .cloned()
        .context("vault/0 sent no CA")?;
    let endpoint = format!("https://{}:8786", model.address("manila/0")?);

    let manila = client(model_dir, keystone, Some(&ca))?;
    if !manila.endpoint().starts_with(&format!("{endpoint}/v2/")) {
        bail!(
            "the catalog's public sharev2 endpoint is {}, not {endpoint}",
            manila.endpoint()
        );
    }
    eprintln!(
        "    {} answers over TLS verified against the fixture's CA (microversion {})",
        manila.endpoint(),
        manila.microversion()
    );
    match client(model_dir, keystone, None) {
        Ok(_) => bail!("a client without the fixture's CA was not refused by {endpoint}"),
        Err(e) => eprintln!("    without the fixture's CA: refused ({e})"),
    }
    let plain = format!("http://{}:8786/", model.address("manila/0")?);
    if reqwest::blocking::get(&plain).is_ok_and(|r| r.status().is_success()) {
        bail!("{plain} still answers plain HTTP");
    }
    lifecycle(&manila)?;

    stage("TLS: a renewal reloads Apache (the same main process), the API answering");
    let pid = apache_pid();
    let served = fs::read_dir(SSL_DIR)?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("cert_"))
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<Vec<_>>();
    model.set_config("vault", [("generation", 1)])?;
    model.settle()?;
    all_active(model)?;
    let renewed = fs::read_dir(SSL_DIR)?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("cert_"))
        .map(|e| fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<Vec<_>>();
    if renewed == served {
        bail!("the renewal left the certificates in {SSL_DIR} as they were");
    }
    if apache_pid() != pid {
        bail!(
            "the renewal restarted Apache (main pid {pid} is now {})",
            apache_pid()
        );
    }
    manila.list_share_types()?;
    eprintln!("    renewed; Apache reloaded (main pid {pid} kept); the API answers");
    Ok(())
}

/// Takes away what the stage left on the host: the TLS site and its certificates, and the
/// fixture's CA from the trust store.
pub(super) fn teardown() {
    let quiet = |cmd: &mut Command| {
        let _ = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    };
    if Path::new("/etc/apache2/sites-enabled")
        .join(format!("{HTTPS_SITE}.conf"))
        .exists()
    {
        quiet(Command::new("a2dissite").arg(HTTPS_SITE));
    }
    let _ = fs::remove_file(format!("/etc/apache2/sites-available/{HTTPS_SITE}.conf"));
    let _ = fs::remove_dir_all(SSL_DIR);
    if fs::remove_file(TRUSTED_CA).is_ok() {
        quiet(Command::new("update-ca-certificates").arg("--fresh"));
    }
}
