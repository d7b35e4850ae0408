//! The charm's binary: Juju runs it (as `dispatch`) for every hook and action.

fn main() -> std::process::ExitCode {
    charm::run::<manila_netapp_backend::NetappBackend>()
}
