//! Compiles the hook-tool shim (`src/bin/jujuc.rs`, std only) into `OUT_DIR`, so that the library
//! can carry it (`include_bytes!`) and every crate that runs charms through the emulator gets a
//! shim matching its emulator without having to build a binary target of another package.

use std::env;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=src/bin/jujuc.rs");
    println!("cargo:rerun-if-changed=../emulator-hooktools/src/wire.rs");
    let (Some(out_dir), Some(target)) = (env::var_os("OUT_DIR"), env::var_os("TARGET")) else {
        eprintln!("OUT_DIR and TARGET must be set by cargo");
        return ExitCode::FAILURE;
    };
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = PathBuf::from(out_dir).join("jujuc");
    // The shim runs once per hook-tool call and does almost nothing but start: a static,
    // non-PIE binary skips the dynamic loader, which is most of its cost. Fall back to a
    // dynamic one where static glibc is not available.
    let static_flags: &[&str] = if target.to_string_lossy().contains("linux-gnu") {
        &[
            "-C",
            "target-feature=+crt-static",
            "-C",
            "relocation-model=static",
        ]
    } else {
        &[]
    };
    let mut last = None;
    for flags in [static_flags, &[]] {
        let status = Command::new(&rustc)
            .args([
                "--edition",
                "2021",
                "--crate-type",
                "bin",
                "--crate-name",
                "jujuc",
            ])
            .args([
                "-C",
                "opt-level=3",
                "-C",
                "panic=abort",
                "-C",
                "codegen-units=1",
            ])
            .args(["-C", "strip=symbols", "--cap-lints", "allow", "--target"])
            .arg(&target)
            .args(flags)
            .arg("-o")
            .arg(&output)
            .arg("src/bin/jujuc.rs")
            .status();
        match status {
            Ok(status) if status.success() => return ExitCode::SUCCESS,
            other => last = Some(other),
        }
    }
    match last {
        Some(Ok(status)) => eprintln!("compiling the hook-tool shim failed: {status}"),
        Some(Err(err)) => eprintln!("cannot run rustc to compile the hook-tool shim: {err}"),
        None => {}
    }
    ExitCode::FAILURE
}
