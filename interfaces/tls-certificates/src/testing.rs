//! A certificate authority for tests (feature `testing`): made with rcgen, it issues the
//! certificates and keys a provider would send, valid or expired, for the tests of this crate
//! and of the charms that read them.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

use crate::IssuedPem;

/// A self-signed CA and its key.
pub struct TestCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// A new CA whose common name is `name`.
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().expect("a key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        TestCa {
            cert: params.self_signed(&key).expect("a self-signed CA"),
            key,
        }
    }

    /// The CA's certificate, in PEM.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A certificate for `names` (the first its common name), valid for long, or expired
    /// since 2020.
    pub fn issue(&self, names: &[&str], expired: bool) -> IssuedPem {
        self.issue_until(names, expired.then_some((2020, 1, 1)))
    }

    /// A certificate for `names` (the first its common name) expiring at `not_after` (year,
    /// month, day; valid from 2000), or at rcgen's default, far away, when `None`.
    pub fn issue_until(&self, names: &[&str], not_after: Option<(i32, u8, u8)>) -> IssuedPem {
        let key = KeyPair::generate().expect("a key");
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .expect("certificate parameters");
        params.distinguished_name.push(DnType::CommonName, names[0]);
        if let Some((year, month, day)) = not_after {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(year, month, day);
        }
        IssuedPem {
            cert: params
                .signed_by(&key, &self.cert, &self.key)
                .expect("a signed certificate")
                .pem(),
            key: databag::Secret::new(key.serialize_pem()),
        }
    }
}
