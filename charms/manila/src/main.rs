//! The manila charm's hook binary: Juju runs it (as `dispatch`) for every hook and action. The
//! actions on Manila's API are another binary's (`manila-api-actions`): this one execs it for
//! them, so that their HTTP client is not among the pages every hook touches.

use manila_charm::api_actions::{ApiAction, BINARY};

fn main() -> std::process::ExitCode {
    charm::exec_for_actions(BINARY, |name| ApiAction::from_name(name).is_some())
        .unwrap_or_else(charm::run::<manila_charm::Manila>)
}
