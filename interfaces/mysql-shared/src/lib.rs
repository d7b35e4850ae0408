//! The `mysql-shared` interface (the `shared-db` endpoint of the OpenStack charms), both sides,
//! as a codec over relation databags. Wire-compatible with `percona-cluster`, `mysql-router`
//! and the reactive `interface:mysql-shared` layer.
//!
//! The client asks for one database (the unprefixed form; prefixed multi-database requests
//! are not used by our charms). All values are plain strings:
//!
//! | Key | Written by | Value |
//! |---|---|---|
//! | `database` | client | database name |
//! | `username` | client | user to create |
//! | `hostname` | client | address the client connects from (its `shared-db` binding address) |
//! | `db_host` | server | address to connect to |
//! | `db_port` | server | TCP port (mysql-router sends it; percona-cluster does not) |
//! | `password` | server | the user's password |
//! | `allowed_units` | server | space-separated unit names granted access |
//! | `wait_timeout` | server | optional, seconds |
//! | `ssl_ca`, `ssl_cert`, `ssl_key` | server | optional, base64 of PEM text |
//! | `cluster-series-upgrading` | server | `True` while the cluster is being series-upgraded |
//!
//! The client's view is ready when `db_host`, `password` and `allowed_units` are set,
//! `allowed_units` names the local unit, and the cluster is not series-upgrading.
//!
//! Where to start: the client publishes a [`DatabaseRequest`] and reads a [`DatabaseAccess`]
//! ([`DatabaseAccess::from_bag`], then [`DatabaseAccess::uri`] for the SQLAlchemy URL); the
//! server reads a [`DatabaseRequest`] ([`DatabaseRequest::from_bag`]) and publishes a
//! [`DatabaseAccess`] ([`DatabaseAccess::to_bag`]).
//!
//! ```
//! use mysql_shared::{DatabaseAccess, DatabaseRequest};
//! let me: juju::UnitName = "manila/0".parse()?;
//! let request = DatabaseRequest::new("manila", "manila", "10.5.0.10");
//! let answer = [
//!     ("db_host", "10.5.0.20"), ("db_port", "3306"), ("password", "s3cret"),
//!     ("allowed_units", "manila/0 manila/1"),
//! ].map(|(k, v)| (k.to_string(), v.to_string())).into();
//! let access = DatabaseAccess::from_bag(&answer, &me)?.ready().expect("ready");
//! assert_eq!(
//!     access.uri(&request, None),
//!     "mysql+pymysql://manila:s3cret@10.5.0.20:3306/manila",
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use databag::fields::PemKind;
use databag::{
    fields, Bag, FieldError, FieldErrorKind, Host, Readiness, Required, Secret, UnitError,
};
use juju::UnitName;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What the client asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseRequest {
    pub database: String,
    pub username: String,
    /// The address the client will connect from; the server grants access from it.
    pub hostname: String,
}

impl DatabaseRequest {
    pub fn new(
        database: impl Into<String>,
        username: impl Into<String>,
        hostname: impl Into<String>,
    ) -> Self {
        DatabaseRequest {
            database: database.into(),
            username: username.into(),
            hostname: hostname.into(),
        }
    }

    /// The client's bag.
    pub fn to_bag(&self) -> Bag {
        Bag::from([
            ("database".into(), self.database.clone()),
            ("username".into(), self.username.clone()),
            ("hostname".into(), self.hostname.clone()),
        ])
    }

    /// The server's reading of one client unit's bag. Names must be plain identifiers
    /// (letters, digits, `_`, `-`) because the server puts them into SQL.
    pub fn from_bag(bag: &Bag) -> Result<Readiness<Self>, FieldError> {
        let mut required = Required::new(bag);
        let database = required.text("database")?;
        let username = required.text("username")?;
        let hostname = required.host("hostname")?;
        let (Some(database), Some(username), Some(hostname)) = (database, username, hostname)
        else {
            return Ok(required.incomplete());
        };
        check_identifier("database", &database)?;
        check_identifier("username", &username)?;
        Ok(Readiness::Ready(DatabaseRequest {
            database,
            username,
            hostname: hostname.to_string(),
        }))
    }
}

fn check_identifier(key: &str, value: &str) -> Result<(), FieldError> {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(())
    } else {
        Err(FieldError::new(
            key,
            FieldErrorKind::NotOneOf {
                expected: "a name of letters, digits, '_' and '-'",
                value: value.to_owned(),
            },
        ))
    }
}

/// What the server grants: where to connect and with which password, for which units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseAccess {
    pub host: Host,
    pub port: Option<u16>,
    pub password: Secret,
    pub allowed_units: Vec<UnitName>,
    pub wait_timeout: Option<u64>,
    /// PEM text (decoded from the wire's base64).
    pub ssl_ca: Option<String>,
    pub ssl_cert: Option<String>,
    /// The client key is a secret, unlike the certificates.
    pub ssl_key: Option<Secret>,
}

/// Where the client wrote the server's TLS material, for [`DatabaseAccess::uri`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: String,
    /// Client certificate and key paths; written to the URI only as a pair.
    pub client: Option<(String, String)>,
}

impl DatabaseAccess {
    /// The server's bag. Unset optional keys are `""`, which clears them.
    pub fn to_bag(&self) -> Bag {
        let pem = |v: Option<&str>| v.map(fields::encode_base64).unwrap_or_default();
        let units: Vec<String> = self.allowed_units.iter().map(ToString::to_string).collect();
        Bag::from([
            ("db_host".into(), self.host.to_string()),
            (
                "db_port".into(),
                self.port.map(|p| p.to_string()).unwrap_or_default(),
            ),
            ("password".into(), self.password.expose().to_owned()),
            ("allowed_units".into(), units.join(" ")),
            (
                "wait_timeout".into(),
                self.wait_timeout.map(|t| t.to_string()).unwrap_or_default(),
            ),
            ("ssl_ca".into(), pem(self.ssl_ca.as_deref())),
            ("ssl_cert".into(), pem(self.ssl_cert.as_deref())),
            (
                "ssl_key".into(),
                pem(self.ssl_key.as_ref().map(Secret::expose)),
            ),
        ])
    }

    /// The client's reading of one server unit's bag, for the local unit `me`.
    pub fn from_bag(bag: &Bag, me: &UnitName) -> Result<Readiness<Self>, FieldError> {
        let mut required = Required::new(bag);
        let host = required.host("db_host")?;
        let password = required.secret("password")?;
        let allowed_units = fields::unit_list(bag, "allowed_units")?;
        match &allowed_units {
            None => required.not_yet("allowed_units"),
            Some(units) if !units.contains(me) => required.not_yet("allowed_units"),
            Some(_) => {}
        }
        // While the cluster is series-upgrading the server withholds service: the Python
        // interface drops `.available` on the string `True`.
        if fields::text(bag, "cluster-series-upgrading")? == Some("True") {
            required.not_yet("cluster-series-upgrading");
        }
        let port = fields::port(bag, "db_port")?;
        let wait_timeout = fields::number(bag, "wait_timeout")?;
        let ssl_ca = fields::base64_pem(bag, "ssl_ca", PemKind::Certificates)?;
        let ssl_cert = fields::base64_pem(bag, "ssl_cert", PemKind::Certificates)?;
        let ssl_key = fields::base64_pem(bag, "ssl_key", PemKind::PrivateKey)?.map(Secret::from);
        let (Some(host), Some(password), Some(allowed_units), true) =
            (host, password, allowed_units, required.missing().is_empty())
        else {
            return Ok(required.incomplete());
        };
        Ok(Readiness::Ready(DatabaseAccess {
            host,
            port,
            password,
            allowed_units,
            wait_timeout,
            ssl_ca,
            ssl_cert,
            ssl_key,
        }))
    }

    /// The client's reading of all server units: the first unit (in unit order) whose bag is
    /// ready. A malformed bag is an error only when no unit is ready.
    pub fn from_bags(
        units: &BTreeMap<UnitName, Bag>,
        me: &UnitName,
    ) -> Result<Readiness<Self>, UnitError> {
        databag::first_ready(units, |bag| DatabaseAccess::from_bag(bag, me))
    }

    /// The SQLAlchemy URL for oslo.db, as the OpenStack charms write it (`[database]
    /// connection`): `mysql+pymysql://user:password@host[:port]/database`, then
    /// `?ssl_ca=<path>[&ssl_cert=<path>&ssl_key=<path>]` when the client wrote TLS material.
    ///
    /// User, password and database are percent-encoded (SQLAlchemy decodes them), so a
    /// password with `@`, `/`, `:`, `%` or `$` (oslo.config's interpolation) survives; the
    /// alphanumeric passwords the MySQL charms generate are unchanged. IPv6 hosts are
    /// bracketed.
    pub fn uri(&self, request: &DatabaseRequest, tls: Option<&TlsFiles>) -> String {
        let mut uri = format!(
            "mysql+pymysql://{}:{}@{}",
            escape(&request.username),
            escape(self.password.expose()),
            self.host.url_form()
        );
        if let Some(port) = self.port {
            uri.push_str(&format!(":{port}"));
        }
        uri.push('/');
        uri.push_str(&escape(&request.database));
        if let Some(tls) = tls {
            uri.push_str(&format!("?ssl_ca={}", tls.ca));
            if let Some((cert, key)) = &tls.client {
                uri.push_str(&format!("&ssl_cert={cert}&ssl_key={key}"));
            }
        }
        uri
    }
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn escape(s: &str) -> String {
    utf8_percent_encode(s, USERINFO).to_string()
}

#[cfg(test)]
mod tests;
