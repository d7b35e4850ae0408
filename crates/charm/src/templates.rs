//! Tera templates compiled into the charm binary, looked up per release with fall-back.
//!
//! A charm's templates live in the top-level `templates/<charm>/` directory and are embedded
//! with [`embed_templates!`](crate::embed_templates) (one `include_str!` per file, so cargo
//! rebuilds when one changes; a test from [`crate::testing`] keeps the list equal to the
//! directory). A template is named by its path below that directory: `greeter.conf` at the
//! root, `bravo/greeter.conf` in a release directory.
//!
//! [`Templates::resolve`] takes the release directories to search, newest first, and falls
//! back to the root: a charm at release `charlie` searching `["charlie", "bravo", "alpha"]`
//! uses `charlie/x` if present, else `bravo/x`, else `alpha/x`, else `x`. The caller decides
//! the order (OpenStack's release order is not alphabetical).

use std::cell::OnceCell;
use std::fmt;

use serde::Serialize;
use tera::Tera;

/// Embeds template files from a directory relative to the calling crate's `Cargo.toml`:
///
/// ```
/// // In charms/example: ("../../templates/example", ["greeter.conf", "bravo/greeter.conf"]).
/// const TEMPLATES: &[(&str, &str)] = charm::embed_templates!(
///     "tests/fixtures/templates",
///     ["demo.conf", "bravo/demo.conf"]
/// );
/// let templates = charm::Templates::new(TEMPLATES);
/// assert_eq!(templates.resolve("demo.conf", &["charlie", "bravo"])?, "bravo/demo.conf");
/// # Ok::<(), charm::TemplateError>(())
/// ```
#[macro_export]
macro_rules! embed_templates {
    ($dir:literal, [$($file:literal),* $(,)?]) => {
        &[$((
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir, "/", $file)),
        )),*]
    };
}

/// A template that cannot be found, parsed or rendered; each names the template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no template '{name}' (looked for {})", searched.join(", "))]
    NotFound { name: String, searched: Vec<String> },
    #[error("the charm's templates do not parse")]
    Parse(#[source] tera::Error),
    #[error("cannot render template '{template}'")]
    Render {
        template: String,
        #[source]
        source: tera::Error,
    },
}

/// The charm's embedded templates; parsed the first time one is rendered.
pub struct Templates {
    files: &'static [(&'static str, &'static str)],
    tera: OnceCell<Tera>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.files.iter().map(|(name, _)| name))
            .finish()
    }
}

impl Templates {
    /// `files` are `(name, content)` pairs, as [`embed_templates!`](crate::embed_templates)
    /// makes them.
    pub fn new(files: &'static [(&'static str, &'static str)]) -> Self {
        Templates {
            files,
            tera: OnceCell::new(),
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.files.iter().map(|(name, _)| *name)
    }

    /// The template to use for `name`: the first of `<dir>/<name>` for each directory in
    /// `search`, then `<name>`.
    pub fn resolve(&self, name: &str, search: &[&str]) -> Result<&'static str, TemplateError> {
        let candidates: Vec<String> = search
            .iter()
            .map(|dir| format!("{dir}/{name}"))
            .chain([name.to_owned()])
            .collect();
        candidates
            .iter()
            .find_map(|c| self.names().find(|n| n == c))
            .ok_or_else(|| TemplateError::NotFound {
                name: name.to_owned(),
                searched: candidates,
            })
    }

    /// Renders the template `resolve(name, search)` picks with `context`. Pure: no file is
    /// touched.
    pub fn render(
        &self,
        name: &str,
        search: &[&str],
        context: &impl Serialize,
    ) -> Result<String, TemplateError> {
        let template = self.resolve(name, search)?;
        let render_error = |source| TemplateError::Render {
            template: template.to_owned(),
            source,
        };
        let context = tera::Context::from_serialize(context).map_err(render_error)?;
        self.tera()?
            .render(template, &context)
            .map_err(render_error)
    }

    /// Parses every template now (rendering does it on first use); for the charm's tests.
    pub fn check(&self) -> Result<(), TemplateError> {
        self.tera().map(drop)
    }

    fn tera(&self) -> Result<&Tera, TemplateError> {
        if let Some(tera) = self.tera.get() {
            return Ok(tera);
        }
        let mut tera = Tera::default();
        // Configuration files, not HTML: nothing is escaped, whatever the file name.
        tera.autoescape_on(Vec::new());
        tera.add_raw_templates(self.files.iter().copied())
            .map_err(TemplateError::Parse)?;
        Ok(self.tera.get_or_init(|| tera))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: &[(&str, &str)] = &[
        ("app.conf", "root {{ name }}\n"),
        ("bravo/app.conf", "bravo {{ name }}\n"),
        ("delta/app.conf", "delta {{ name }} {{ missing.deep }}\n"),
        ("only-root.ini", "x = {{ value | default(value=1) }}\n"),
        ("page.html", "<{{ name }}>\n"),
    ];

    #[derive(Serialize)]
    struct Ctx {
        name: &'static str,
    }

    #[test]
    fn release_directories_fall_back_to_older_ones_then_the_root() {
        let t = Templates::new(FILES);
        let chain = |newest: &[&'static str]| t.resolve("app.conf", newest).unwrap();
        assert_eq!(chain(&["charlie", "bravo", "alpha"]), "bravo/app.conf");
        assert_eq!(chain(&["bravo", "alpha"]), "bravo/app.conf");
        assert_eq!(chain(&["alpha"]), "app.conf");
        assert_eq!(chain(&[]), "app.conf");
        assert_eq!(
            t.resolve("only-root.ini", &["bravo"]).unwrap(),
            "only-root.ini"
        );
        let err = t.resolve("nope.conf", &["bravo"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no template 'nope.conf' (looked for bravo/nope.conf, nope.conf)"
        );
    }

    #[test]
    fn rendering_uses_the_resolved_template_and_escapes_nothing() {
        let t = Templates::new(FILES);
        let ctx = Ctx { name: "<b>&" };
        assert_eq!(
            t.render("app.conf", &["charlie", "bravo"], &ctx).unwrap(),
            "bravo <b>&\n"
        );
        assert_eq!(t.render("page.html", &[], &ctx).unwrap(), "<<b>&>\n");
    }

    #[test]
    fn a_failed_render_names_the_template() {
        let t = Templates::new(FILES);
        let err = t
            .render("app.conf", &["delta"], &Ctx { name: "x" })
            .unwrap_err();
        assert_eq!(err.to_string(), "cannot render template 'delta/app.conf'");
        assert!(matches!(err, TemplateError::Render { .. }));
    }

    #[test]
    fn a_template_that_does_not_parse_is_named() {
        const BROKEN: &[(&str, &str)] = &[("bad.conf", "{% if %}")];
        let err = Templates::new(BROKEN)
            .render("bad.conf", &[], &Ctx { name: "x" })
            .unwrap_err();
        let chain = format!("{:#}", anyhow::Error::from(err));
        assert!(chain.contains("bad.conf"), "{chain}");
    }
}
