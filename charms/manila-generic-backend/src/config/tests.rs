use super::*;

const PRIVATE_KEY: &str = include_str!("../../tests/fixtures/keys/ed25519");
const PUBLIC_KEY: &str = include_str!("../../tests/fixtures/keys/ed25519.pub");
const LOCKED_KEY: &str = include_str!("../../tests/fixtures/keys/locked");

#[test]
fn key_pairs_are_checked_as_keys_and_as_halves_of_one() {
    let pair = |private: &str, public: &str| {
        Config::from_raw(
            &defaults()
                .with("driver-service-ssh-key", private)
                .with("driver-service-ssh-key-public", public),
        )
    };
    assert!(pair(PRIVATE_KEY, PUBLIC_KEY).is_ok());
    let indented: String = PRIVATE_KEY.lines().map(|l| format!("    {l}\n")).collect();
    assert!(pair(&indented, &format!("  {PUBLIC_KEY}")).is_ok());
    assert!(pair(
        include_str!("../../tests/fixtures/keys/rsa-legacy"),
        include_str!("../../tests/fixtures/keys/rsa-legacy.pub")
    )
    .is_ok());
    assert_eq!(
        pair(
            PRIVATE_KEY,
            include_str!("../../tests/fixtures/keys/other.pub")
        )
        .unwrap_err()
        .to_string(),
        "Invalid config: 'driver-service-ssh-key-public': is not the public half of \
         'driver-service-ssh-key'"
    );
}

fn defaults() -> RawConfig {
    RawConfig::defaults(Config::OPTIONS)
}

#[test]
fn defaults_are_valid_but_lack_a_flavor() {
    let config = Config::from_raw(&defaults()).unwrap();
    assert_eq!(config.backend_name.as_ref().unwrap().as_str(), "generic");
    assert_eq!(config.share_protocols, ["NFS", "CIFS"]);
    assert!(config.handles_share_servers);
    assert_eq!(config.auth, AuthType::Neither);
    assert_eq!(config.keypair_name.as_deref(), Some("manila-service"));
    assert_eq!(
        config.missing(),
        Some("Missing 'driver-service-instance-flavor-id'")
    );
    let config = Config::from_raw(&defaults().with("driver-service-instance-flavor-id", 100));
    assert_eq!(config.unwrap().missing(), None);
}

#[test]
fn auth_types_are_read_case_insensitively_and_others_are_refused() {
    for (text, auth) in [
        ("", AuthType::Neither),
        ("password", AuthType::Password),
        ("SSH", AuthType::Ssh),
        (" Both ", AuthType::Both),
    ] {
        let raw = defaults().with("driver-auth-type", text);
        assert_eq!(Config::from_raw(&raw).unwrap().auth, auth, "{text:?}");
    }
    let err = Config::from_raw(&defaults().with("driver-auth-type", "foo")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid config: 'driver-auth-type': expected 'password', 'ssh', 'both' or nothing, \
         got \"foo\""
    );
}

#[test]
fn completeness_follows_the_reference_order_in_share_server_mode_only() {
    let flavored = defaults().with("driver-service-instance-flavor-id", 7);
    let missing = |raw: RawConfig| Config::from_raw(&raw).unwrap().missing();
    assert_eq!(
        missing(
            flavored
                .clone()
                .with("driver-service-image-name", "")
                .with("driver-service-instance-user", "")
        ),
        Some("Missing 'driver-service-image-name'")
    );
    assert_eq!(
        missing(flavored.clone().with("driver-service-instance-user", " ")),
        Some("Missing 'driver-service-instance-user'")
    );
    assert_eq!(
        missing(flavored.clone().with("driver-keypair-name", "")),
        Some("Need at least one of instance password or keypair name")
    );
    // The password counts whatever driver-auth-type says, as in the reference.
    assert_eq!(
        missing(
            flavored
                .clone()
                .with("driver-keypair-name", "")
                .with("driver-service-instance-password", "pw")
        ),
        None
    );
    let no_share_servers = defaults()
        .with("driver-handles-share-servers", false)
        .with("driver-service-image-name", "")
        .with("driver-keypair-name", "");
    assert_eq!(missing(no_share_servers), None);
    assert_eq!(
        missing(flavored.clone().with("share-backend-name", " ")),
        Some("Missing 'share-backend-name'")
    );
}

#[test]
fn ssh_needs_both_keys() {
    let ssh = defaults()
        .with("driver-service-instance-flavor-id", 7)
        .with("driver-auth-type", "ssh")
        .with("driver-service-ssh-key", PRIVATE_KEY);
    let config = Config::from_raw(&ssh).unwrap();
    assert_eq!(
        config.missing(),
        Some(
            "Set both 'driver-service-ssh-key' and 'driver-service-ssh-key-public' for ssh \
             authentication"
        )
    );
    assert!(!asks_for_ssh_keys(&ssh));
    let both_keys = ssh.with("driver-service-ssh-key-public", PUBLIC_KEY);
    let config = Config::from_raw(&both_keys).unwrap();
    assert_eq!(config.missing(), None);
    assert_eq!(config.ssh_keys().unwrap().public, PUBLIC_KEY);
    assert!(asks_for_ssh_keys(&both_keys));
    // Keys set but ssh not selected: not used, not asked for.
    let password = both_keys.with("driver-auth-type", "password");
    assert_eq!(Config::from_raw(&password).unwrap().ssh_keys(), None);
    assert!(!asks_for_ssh_keys(&password));
}

#[test]
fn the_password_is_used_only_when_selected() {
    let raw = defaults().with("driver-service-instance-password", "pw");
    assert_eq!(Config::from_raw(&raw).unwrap().password(), None);
    for auth in ["password", "both"] {
        let config = Config::from_raw(&raw.clone().with("driver-auth-type", auth)).unwrap();
        assert_eq!(config.password().map(Secret::expose), Some("pw"));
    }
}

#[test]
fn unusable_values_name_the_option_and_never_quote_a_password() {
    let cases = [
        (
            "share-backend-name",
            serde_json::Value::from("my backend"),
            "Invalid config: 'share-backend-name': \"my backend\" is not a valid section name: \
             use up to 255 letters, digits, '_', '-' and '.'",
        ),
        (
            "share-backend-name",
            "nova".into(),
            "Invalid config: 'share-backend-name': \"nova\" is a section Manila or its \
             libraries use, not a back end's name",
        ),
        (
            "share-backend-name",
            "database".into(),
            "Invalid config: 'share-backend-name': \"database\" is a section Manila or its \
             libraries use, not a back end's name",
        ),
        (
            "share-protocols",
            "NFS\nINJSECT".into(),
            "Invalid config: 'share-protocols': \"INJSECT\" is not a share protocol Manila \
             knows (NFS, CIFS, GLUSTERFS, HDFS, CEPHFS, MAPRFS, LUSTRE, WEKAFS)",
        ),
        (
            "driver-service-instance-password",
            "a\\$b".into(),
            "Invalid config: 'driver-service-instance-password': contains '\\$', which \
             oslo.config cannot read back",
        ),
        (
            "driver-service-ssh-key",
            "PRIVATE".into(),
            "Invalid config: 'driver-service-ssh-key': is not a private key (OpenSSH's format, \
             or PEM: RSA, EC, DSA or PKCS#8)",
        ),
        (
            "driver-service-ssh-key",
            LOCKED_KEY.into(),
            "Invalid config: 'driver-service-ssh-key': is protected by a passphrase, which the \
             driver cannot give",
        ),
        (
            "driver-service-ssh-key-public",
            "ssh-ed25519 AAAAFake x@y".into(),
            "Invalid config: 'driver-service-ssh-key-public': is not an OpenSSH public key line \
             ('ssh-ed25519 AAAA... comment')",
        ),
        (
            "driver-service-ssh-key-public",
            format!("{PUBLIC_KEY}{PUBLIC_KEY}").into(),
            "Invalid config: 'driver-service-ssh-key-public': must be one line, as in an \
             authorized_keys file",
        ),
        (
            "driver-service-instance-flavor-id",
            (-1).into(),
            "Invalid config: 'driver-service-instance-flavor-id': must not be negative, got -1",
        ),
        (
            "driver-service-instance-password",
            "secret\nshare_driver = evil".into(),
            "Invalid config: 'driver-service-instance-password': contains a line break or \
             another control character",
        ),
        (
            "driver-handles-share-servers",
            "yes".into(),
            "Invalid config: 'driver-handles-share-servers': expected a boolean, got \"yes\"",
        ),
    ];
    for (option, value, message) in cases {
        let err = Config::from_raw(&defaults().with(option, value)).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let raw = defaults()
        .with("driver-service-instance-password", "hunter2")
        .with("driver-service-ssh-key", PRIVATE_KEY);
    let shown = format!("{:?}", Config::from_raw(&raw).unwrap());
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("BEGIN OPENSSH"), "{shown}");
}
