//! The bundles under `bundles/`, checked with jujubundlelib (PyPI), the bundle validator of
//! the Python charm tools, when it is installed (the linters' venv has it): a second opinion
//! on their structure beside the emulator's own verification (the `bundles` test package).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Feeds each bundle to `jujubundlelib.validation.validate`. The library predates Juju 2 and
/// Python 3.10: it reads `services:` (not `applications:`), imports the ABCs from
/// `collections`, and refuses local charm paths, so the script adapts the bundle first (a
/// local archive is named by the charm it holds).
const VALIDATE_PY: &str = r#"
import collections, collections.abc, os, sys
for name in ("Mapping", "MutableMapping", "Sequence", "Iterable"):
    if not hasattr(collections, name):
        setattr(collections, name, getattr(collections.abc, name))
import yaml
from jujubundlelib import validation

failed = False
for path in sys.argv[1:]:
    with open(path) as f:
        bundle = yaml.safe_load(f)
    apps = bundle.pop("applications", None) or {}
    for app in apps.values():
        charm = str(app.get("charm", ""))
        if charm.startswith((".", "/")):
            name = os.path.basename(charm.rstrip("/"))
            app["charm"] = "ch:" + (name[: -len(".charm")] if name.endswith(".charm") else name)
    bundle["services"] = apps
    errors = validation.validate(bundle)
    print(f"{path}: " + ("OK" if not errors else f"{len(errors)} error(s)"))
    for error in errors:
        print(f"  {error}")
    failed = failed or bool(errors)
sys.exit(1 if failed else 0)
"#;

/// Every `bundles/*.yaml`, sorted.
pub(crate) fn list(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join("bundles");
    let mut bundles = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "yaml") {
            bundles.push(path);
        }
    }
    bundles.sort();
    Ok(bundles)
}

/// Runs jujubundlelib over every bundle; without it, says so (an error under
/// `REQUIRE_CHARM_TOOLS=1`).
pub(crate) fn validate(root: &Path) -> Result<()> {
    let require = std::env::var("REQUIRE_CHARM_TOOLS").is_ok_and(|v| v == "1");
    let python = "python3";
    let probe = Command::new(python)
        .args(["-c", "import jujubundlelib, yaml"])
        .output();
    if !probe.is_ok_and(|out| out.status.success()) {
        let missing = "jujubundlelib not importable by python3 on PATH (pip install \
                       jujubundlelib into a venv and put its bin/ on PATH)";
        if require {
            bail!("{missing}; REQUIRE_CHARM_TOOLS=1 makes it mandatory");
        }
        eprintln!("==> skipped the bundle check: {missing}");
        return Ok(());
    }
    let bundles = list(root)?;
    eprintln!("==> jujubundlelib: validate {} bundles", bundles.len());
    let out = Command::new(python)
        .arg("-c")
        .arg(VALIDATE_PY)
        .args(&bundles)
        .current_dir(root)
        .output()
        .context("could not start python3")?;
    let report = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        eprintln!("    {line}");
    }
    if !out.status.success() {
        bail!("jujubundlelib found errors in the bundles ({})", out.status);
    }
    Ok(())
}
