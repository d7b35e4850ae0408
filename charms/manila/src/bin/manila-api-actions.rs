//! The manila charm's second binary: the actions on Manila's API, which the hook binary
//! (`manila-charm`) execs for them (see `manila_charm::api_actions`).

fn main() -> std::process::ExitCode {
    charm::run::<manila_charm::api_actions::ApiActions>()
}
