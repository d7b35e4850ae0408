//! The workspace's tidy checks; see the crate documentation.

mod crate_docs;
mod dependencies;
mod generated;
mod hook_tools;
mod workspace;
