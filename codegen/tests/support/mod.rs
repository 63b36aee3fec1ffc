//! What the tests that build generated crates share: the workspace's paths, and cargo run on a
//! generated crate in `<workspace>/target/pipeline-tests` (`CARGO_TARGET_DIR`), shared across
//! runs and tests so dependencies compile once; never the workspace's own target directory,
//! which the outer cargo holds locked.

#![allow(dead_code)] // each test file uses some of it

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf()
}

/// `cargo`, as the outer `cargo test` runs it, without the outer build's settings and with
/// the shared target directory.
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // The outer `cargo test` sets these for its own build; the inner build must not see them.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_TARGET_DIR",
    ] {
        c.env_remove(var);
    }
    c.env(
        "CARGO_TARGET_DIR",
        workspace().join("target/pipeline-tests"),
    );
    c.env("CARGO_TERM_COLOR", "never");
    c
}

/// Generates one crate from `specs` (a module each) into `dir`, standing alone, with the
/// runtime as a path dependency (the corpus run covers the vendored copy), and the workspace's
/// `Cargo.lock`, so `--offline` resolves the versions already built.
pub fn write_crate(specs: &[PathBuf], dir: &Path, name: &str) -> codegen::WriteReport {
    let mut config = codegen::Config::new();
    for s in specs {
        config.spec(s);
    }
    let runtime_dir = workspace().join("codegen/runtime");
    config
        .out_dir(dir)
        .crate_name(name)
        .standalone(true)
        .runtime(codegen::Runtime::Path(runtime_dir.display().to_string()));
    let report = config.write().unwrap_or_else(|e| {
        panic!(
            "generation of {name} from {} specs failed:\n{e}",
            specs.len()
        )
    });
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    report
}

/// Runs `cmd` in `dir`, printing how long it took.
pub fn run(what: &str, mut cmd: Command, dir: &Path) -> Output {
    let started = Instant::now();
    let out = cmd
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    eprintln!("{what}: {:?} in {:.1?}", out.status, started.elapsed());
    out
}

pub fn assert_success(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `cargo clippy` is installed.
pub fn has_clippy() -> bool {
    cargo()
        .args(["clippy", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `cargo clippy --offline --all-targets -- -D warnings` on the crate in `dir`: fails the test
/// on any warning. Skipped, with a note, without clippy.
pub fn assert_clippy_clean(dir: &Path) {
    if !has_clippy() {
        eprintln!("skipping clippy: `cargo clippy` is not installed");
        return;
    }
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--offline",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    let out = run("cargo clippy", clippy, dir);
    assert_success("cargo clippy -D warnings on the generated crate", &out);
}
