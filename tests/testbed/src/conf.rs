//! manila.conf read the way the tests ask about it.

/// A manila.conf's text, read as oslo.config reads it: `[section]` lines, `key = value` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conf(pub String);

impl Conf {
    /// The `key = value` lines of every `[name]` section, in order (a section may repeat:
    /// each back end sends its own `[nova]`).
    pub fn section(&self, name: &str) -> Vec<(String, String)> {
        let header = format!("[{name}]");
        let mut inside = false;
        let mut lines = Vec::new();
        for line in self.0.lines().map(str::trim) {
            if line.starts_with('[') {
                inside = line == header;
            } else if inside {
                if let Some((key, value)) = line.split_once('=') {
                    lines.push((key.trim().to_owned(), value.trim().to_owned()));
                }
            }
        }
        lines
    }

    /// How many `[name]` headers there are.
    pub fn headers(&self, name: &str) -> usize {
        let header = format!("[{name}]");
        self.0.lines().filter(|line| line.trim() == header).count()
    }

    /// The value of `key` in the `[DEFAULT]` section.
    pub fn default(&self, key: &str) -> Option<String> {
        self.section("DEFAULT")
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value)
    }

    /// `enabled_share_backends`, split.
    pub fn enabled_backends(&self) -> Vec<String> {
        self.default("enabled_share_backends")
            .map(|names| names.split(',').map(|n| n.trim().to_owned()).collect())
            .unwrap_or_default()
    }

    /// Whether the text mentions back end `name` at all: its section, its
    /// `share_backend_name`, or the comment above its sections.
    pub fn mentions_backend(&self, name: &str) -> bool {
        self.headers(name) > 0
            || self.0.contains(&format!("share_backend_name = {name}\n"))
            || self.0.contains(&format!("Share back end '{name}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::Conf;

    #[test]
    fn repeated_sections_are_read_in_order_and_other_sections_skipped() {
        let conf = Conf(
            "[DEFAULT]\nenabled_share_backends = a, b\n[nova]\nusername = x\n[a]\n\
             share_backend_name = a\n[nova]\nusername = y\n"
                .to_owned(),
        );
        assert_eq!(conf.enabled_backends(), ["a", "b"]);
        assert_eq!(conf.headers("nova"), 2);
        let users: Vec<String> = conf.section("nova").into_iter().map(|(_, v)| v).collect();
        assert_eq!(users, ["x", "y"]);
        assert!(conf.mentions_backend("a"));
        assert!(!conf.mentions_backend("b"));
        assert_eq!(conf.default("username"), None);
    }
}
