//! Every crate begins with its documentation, so `cargo doc` and a reader opening the file
//! both start with what the crate is for.

use crate::workspace;

#[test]
fn every_crate_root_begins_with_a_crate_doc() {
    let root = workspace::root();
    let mut undocumented = Vec::new();
    let mut roots = 0;
    for member in workspace::members() {
        for file in ["src/lib.rs", "src/main.rs"] {
            let path = root.join(&member.dir).join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            roots += 1;
            if !text.starts_with("//!") {
                undocumented.push(format!("{}/{file}", member.dir));
            }
        }
    }
    assert!(roots > 30, "found only {roots} crate roots");
    assert!(
        undocumented.is_empty(),
        "these crate roots do not begin with a `//!` crate doc: {undocumented:?}"
    );
}
