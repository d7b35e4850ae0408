//! Carries out a [`Plan`]: the only place this charm has effects.

use charm::Context;
use juju::ToolRunner;

use crate::reconcile::{FileChange, Plan};

pub fn apply<R: ToolRunner>(ctx: &mut Context<R>, plan: Plan) -> anyhow::Result<()> {
    ctx.status().report(plan.status.status, plan.status.message);
    // Straight to the host, not through `Context::write_files`: that remembers a hash of
    // each file in unit state, and a private key's fingerprint has no business there.
    for change in &plan.files {
        match change {
            FileChange::Write(file) => {
                ctx.host()
                    .write_file(&file.path, &file.content, &file.spec)?;
            }
            FileChange::Remove(path) => {
                ctx.host().remove_file(path)?;
            }
        }
    }
    let mut relations = ctx.relations();
    for (relation, changes) in plan.publish {
        relations.set_unit_data(&relation, changes)?;
    }
    Ok(())
}
