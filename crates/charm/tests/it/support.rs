//! Fixtures: a demo charm definition, hook environments, a confined machine, call transcripts.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use charm::Outcome;
use host::Host;
use juju::testing::Recorder;
use juju::{AppName, HookEnv, RelationId, UnitName};

pub(crate) const METADATA: &str = "\
name: demo
summary: A charm for the runtime's tests.
description: Only its endpoints matter.
provides:
  website: http
requires:
  db:
    interface: pgsql
peers:
  cluster:
    interface: demo-peers
";

pub(crate) const ACTIONS: &str = "\
greet:
  params:
    name: {type: string, minLength: 1}
    times: {type: integer, default: 1}
  required: [name]
  additionalProperties: false
";

pub(crate) const TEMPLATES: &[charm::Template] = charm::embed_templates!(
    "tests/fixtures/templates",
    ["demo.conf" => OsloIni, "bravo/demo.conf" => OsloIni]
);

/// Declares a charm with the demo definition and `handle` as its handler.
macro_rules! demo_charm {
    ($name:ident, |$ctx:ident, $event:ident| $body:block) => {
        struct $name;
        impl charm::Charm for $name {
            const METADATA: &'static str = $crate::support::METADATA;
            const ACTIONS: &'static str = $crate::support::ACTIONS;
            const TEMPLATES: &'static [charm::Template] = $crate::support::TEMPLATES;
            #[allow(unused_variables)]
            fn handle<R: juju::ToolRunner>(
                $ctx: &mut charm::Context<R>,
                $event: &charm::Event,
            ) -> anyhow::Result<()> {
                $body
            }
        }
    };
}
pub(crate) use demo_charm;

/// A hook environment for `demo/0`.
pub(crate) fn env(dispatch_path: &str) -> HookEnv {
    charm::testing::hook_env("demo/0", dispatch_path).unwrap()
}

/// A relation hook environment for `demo/0`, `kind` being `joined`, `changed`, ...; the
/// remote application is `pg`.
pub(crate) fn relation_env(relation: &str, kind: &str, remote_unit: Option<&str>) -> HookEnv {
    let relation: RelationId = relation.parse().unwrap();
    let mut env = env(&format!("hooks/{}-relation-{kind}", relation.endpoint()));
    env.relation = Some(relation.endpoint().to_owned());
    env.relation_id = Some(relation);
    env.remote_app = Some("pg".parse::<AppName>().unwrap());
    env.remote_unit = remote_unit.map(|u| u.parse::<UnitName>().unwrap());
    env
}

/// A scratch machine: a confined host whose `service` command logs its arguments.
pub(crate) struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    pub(crate) fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        fs::create_dir_all(&bin).unwrap();
        fs::create_dir_all(dir.path().join("root")).unwrap();
        let machine = Machine { dir };
        machine.set_service_exit(0);
        machine
    }

    /// Makes every `service` command but `status` (every service runs) log itself and exit
    /// with `code`.
    pub(crate) fn set_service_exit(&self, code: i32) {
        let log = self.dir.path().join("service.log");
        let script = self.dir.path().join("bin/service");
        fs::write(
            &script,
            format!(
                "#!/bin/sh\n[ \"$2\" = status ] && exit 0\necho \"$*\" >> '{}'\nexit {code}\n",
                log.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    }

    pub(crate) fn host(&self) -> Host {
        Host::confined(self.dir.path().join("root"))
            .unwrap()
            .with_search_path(self.dir.path().join("bin"))
    }

    /// Where machine path `path` is on disk.
    pub(crate) fn path(&self, path: &str) -> PathBuf {
        self.dir
            .path()
            .join("root")
            .join(path.trim_start_matches('/'))
    }

    /// Every `service` command run so far, one line each.
    pub(crate) fn service_calls(&self) -> Vec<String> {
        read_lines(&self.dir.path().join("service.log"))
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Runs charm `C` for one hook on a fresh machine.
pub(crate) fn run<C: charm::Charm>(env: HookEnv, recorder: &Recorder) -> Outcome {
    charm::dispatch::<C, _>(env, recorder, Machine::new().host())
}

/// The calls made, as command lines; stdin (`--file -`) follows after ` <<< `.
pub(crate) fn transcript(recorder: &Recorder) -> Vec<String> {
    recorder
        .calls()
        .iter()
        .map(|call| {
            let line = call.argv().join(" ");
            match call.stdin_text() {
                Some(stdin) => format!("{line} <<< {stdin}"),
                None => line,
            }
        })
        .collect()
}

/// How many calls of `tool` were made.
pub(crate) fn count(recorder: &Recorder, tool: &str) -> usize {
    recorder.calls().iter().filter(|c| c.tool == tool).count()
}

/// What the hook `recorder` answered stored with `state-set`: the next hook's `state-get`.
pub(crate) fn stored_state(recorder: &Recorder) -> String {
    recorder
        .calls()
        .into_iter()
        .find(|c| c.tool == "state-set")
        .expect("the hook records its state")
        .stdin_text()
        .unwrap()
        .to_owned()
}
