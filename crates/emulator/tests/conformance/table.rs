//! A conformance row: a model, earlier calls, one invocation, and the exact bytes and exit
//! code Juju's `jujuc` would give back, plus checks on what the call left in the context.

use std::path::{Path, PathBuf};

use emulator::hooktools::{execute, HookContext, Reply, ToolOutput};

/// An assertion on what a call left in the context.
type ContextCheck = Box<dyn Fn(&HookContext)>;

pub(crate) const CHARM_DIR: &str = "/var/lib/juju/agents/unit-manila-0/charm";

pub(crate) struct Row {
    name: String,
    world: fn() -> HookContext,
    before: Vec<(&'static str, Vec<String>)>,
    tool: &'static str,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    cwd: PathBuf,
    stdout: String,
    stderr: String,
    code: i32,
    then: Option<ContextCheck>,
}

/// A row expecting success with no output until told otherwise.
pub(crate) fn row(
    name: &str,
    world: fn() -> HookContext,
    tool: &'static str,
    args: &[&str],
) -> Row {
    Row {
        name: name.to_owned(),
        world,
        before: Vec::new(),
        tool,
        args: args.iter().map(|arg| arg.to_string()).collect(),
        stdin: None,
        cwd: PathBuf::from(CHARM_DIR),
        stdout: String::new(),
        stderr: String::new(),
        code: 0,
        then: None,
    }
}

impl Row {
    pub(crate) fn out(mut self, stdout: &str) -> Row {
        self.stdout = stdout.to_owned();
        self
    }

    /// Expects `ERROR <message>\n` on stderr and `code`.
    pub(crate) fn error(mut self, message: &str, code: i32) -> Row {
        self.stderr = format!("ERROR {message}\n");
        self.code = code;
        self
    }

    pub(crate) fn stderr(mut self, stderr: &str) -> Row {
        self.stderr = stderr.to_owned();
        self
    }

    /// Stdin the client holds; it is only sent if the tool asks for it.
    pub(crate) fn stdin(mut self, stdin: &str) -> Row {
        self.stdin = Some(stdin.as_bytes().to_vec());
        self
    }

    pub(crate) fn cwd(mut self, cwd: &Path) -> Row {
        self.cwd = cwd.to_owned();
        self
    }

    /// A call made earlier in the same hook; it must succeed.
    pub(crate) fn after(mut self, tool: &'static str, args: &[&str]) -> Row {
        self.before
            .push((tool, args.iter().map(|arg| arg.to_string()).collect()));
        self
    }

    pub(crate) fn then(mut self, check: impl Fn(&HookContext) + 'static) -> Row {
        self.then = Some(Box::new(check));
        self
    }
}

/// Runs one call as Juju's client does: first without stdin, again with it if asked.
pub(crate) fn call(
    ctx: &mut HookContext,
    tool: &str,
    args: &[String],
    cwd: &Path,
    stdin: Option<&[u8]>,
) -> Result<ToolOutput, String> {
    match execute(ctx, tool, args, cwd, None) {
        Reply::Done(output) => Ok(output),
        Reply::NeedsStdin => match stdin {
            None => Err("the tool asked for stdin and the row has none".to_owned()),
            Some(stdin) => match execute(ctx, tool, args, cwd, Some(stdin)) {
                Reply::Done(output) => Ok(output),
                Reply::NeedsStdin => Err("the tool asked for stdin twice".to_owned()),
            },
        },
    }
}

/// Runs every row and fails once, listing every row that answered unlike Juju.
pub(crate) fn check(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for row in rows {
        if let Err(why) = run(&row) {
            failures.push(format!("row {:?}: {why}", row.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn run(row: &Row) -> Result<(), String> {
    let mut ctx = (row.world)();
    for (tool, args) in &row.before {
        let output = call(&mut ctx, tool, args, &row.cwd, None)?;
        if output.exit_code != 0 {
            return Err(format!(
                "earlier call {tool} {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    let calls_before = ctx.calls.len();
    let output = call(
        &mut ctx,
        row.tool,
        &row.args,
        &row.cwd,
        row.stdin.as_deref(),
    )?;
    let got = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.exit_code,
    );
    let want = (row.stdout.clone(), row.stderr.clone(), row.code);
    if got != want {
        return Err(format!(
            "{} {:?}\n  want stdout {:?}\n       stderr {:?}\n       exit {}\n  got  stdout {:?}\n       stderr {:?}\n       exit {}",
            row.tool, row.args, want.0, want.1, want.2, got.0, got.1, got.2
        ));
    }
    // Exactly one record per answered call, with its exit code.
    let recorded = &ctx.calls[calls_before..];
    if recorded.len() != 1
        || recorded[0].tool != row.tool
        || recorded[0].args != row.args
        || recorded[0].exit_code != row.code
    {
        return Err(format!("recorded calls {recorded:?}"));
    }
    if let Some(check) = &row.then {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&ctx)));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Err(format!("context check failed: {message}"));
        }
    }
    Ok(())
}
