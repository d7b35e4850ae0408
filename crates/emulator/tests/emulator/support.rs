//! Test charms whose `dispatch` is a shell script, and a model in a temp dir.

use std::fs;
use std::path::{Path, PathBuf};

use emulator::{Catalog, Model};
use tempfile::TempDir;

/// A scratch directory holding charms and a model.
pub(crate) struct Scratch {
    pub(crate) dir: TempDir,
}

impl Scratch {
    pub(crate) fn new() -> Scratch {
        Scratch {
            dir: tempfile::Builder::new().prefix("emu").tempdir().unwrap(),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A new model whose confined machines share the scratch directory, where the test
    /// charms leave their traces.
    pub(crate) fn model(&self) -> Model {
        let mut model = Model::new(self.path().join("model")).unwrap();
        model.share_host_dir(self.path()).unwrap();
        model.set_catalog(workload_catalog()).unwrap();
        model
    }

    /// A file every hook of the charms built with [`TestCharm::recording`] appends to.
    pub(crate) fn trace(&self) -> PathBuf {
        self.path().join("trace")
    }

    pub(crate) fn trace_lines(&self) -> Vec<String> {
        fs::read_to_string(self.trace())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// Debian's packages and a workload's (`tests/support/workload-catalog.yaml`), as a charm's
/// tests supply them: the emulator itself knows only Debian's.
pub(crate) fn workload_catalog() -> Catalog {
    let workload = include_str!("../support/workload-catalog.yaml");
    Catalog::default().with(Catalog::from_yaml(workload).unwrap())
}

/// A charm directory under construction.
pub(crate) struct TestCharm {
    name: String,
    metadata: String,
    config: Option<String>,
    actions: Option<String>,
    dispatch: String,
}

impl TestCharm {
    pub(crate) fn new(name: &str) -> TestCharm {
        TestCharm {
            name: name.to_owned(),
            metadata: String::new(),
            config: None,
            actions: None,
            dispatch: "#!/bin/sh\nexit 0\n".to_owned(),
        }
    }

    /// Extra metadata.yaml lines (provides/requires/peers/subordinate).
    pub(crate) fn metadata(mut self, yaml: &str) -> TestCharm {
        self.metadata = yaml.to_owned();
        self
    }

    pub(crate) fn config(mut self, yaml: &str) -> TestCharm {
        self.config = Some(yaml.to_owned());
        self
    }

    pub(crate) fn actions(mut self, yaml: &str) -> TestCharm {
        self.actions = Some(yaml.to_owned());
        self
    }

    pub(crate) fn dispatch(mut self, script: &str) -> TestCharm {
        self.dispatch = script.to_owned();
        self
    }

    /// A dispatch that appends `<unit> <hook or action> <JUJU_REMOTE_UNIT>` to `trace`,
    /// then runs `body` (shell, may use `$HOOK`).
    pub(crate) fn recording(self, trace: &Path, body: &str) -> TestCharm {
        let script = format!(
            "#!/bin/sh\nset -e\nHOOK=\"${{JUJU_DISPATCH_PATH#*/}}\"\necho \"$JUJU_UNIT_NAME $HOOK $JUJU_REMOTE_UNIT\" >> {trace}\n{body}\n",
            trace = trace.display()
        );
        self.dispatch(&script)
    }

    pub(crate) fn write(&self, parent: &Path) -> PathBuf {
        let metadata = format!(
            "name: {}\nsummary: test charm\ndescription: a charm for tests\n{}",
            self.name, self.metadata
        );
        let dir = emulator::script_charm(
            parent,
            &format!("charm-{}", self.name),
            &metadata,
            &self.dispatch,
        )
        .unwrap();
        if let Some(config) = &self.config {
            fs::write(dir.join("config.yaml"), config).unwrap();
        }
        if let Some(actions) = &self.actions {
            fs::write(dir.join("actions.yaml"), actions).unwrap();
        }
        dir
    }
}

/// The hooks `unit` ran, in order.
pub(crate) fn hooks_of(model: &Model, unit: &str) -> Vec<String> {
    model
        .hook_log()
        .iter()
        .filter(|r| r.unit == unit)
        .map(|r| match &r.remote_unit {
            Some(remote) => format!("{} {}", r.hook, remote),
            None => r.hook.clone(),
        })
        .collect()
}
