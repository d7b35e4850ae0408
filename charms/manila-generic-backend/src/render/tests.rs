use super::*;

#[test]
fn pasted_keys_lose_common_indentation_and_end_in_one_newline() {
    assert_eq!(
        key_text("  -----BEGIN-----\n  abc\n\n    def\n  -----END-----  \n\n"),
        "-----BEGIN-----\nabc\n\n  def\n-----END-----\n"
    );
    assert_eq!(key_text("ssh-ed25519 AAAA x@y"), "ssh-ed25519 AAAA x@y\n");
    assert_eq!(key_text("\tk\n\tl"), "k\nl\n");
}

#[test]
fn key_files_are_private_and_public() {
    let keys = SshKeyPair {
        private: "PRIVATE".into(),
        public: "PUBLIC".into(),
    };
    let [private, public] = key_files(&keys);
    assert_eq!(private.path, "/etc/manila/ssh_image_key");
    assert_eq!(private.spec, FileSpec::new("manila", "manila", 0o600));
    assert_eq!(private.content, "PRIVATE\n");
    assert_eq!(public.path, "/etc/manila/ssh_image_key.pub");
    assert_eq!(public.spec, FileSpec::new("manila", "manila", 0o644));
}
