//! Generates one crate from every fixture in `tests/fixtures` (one module per spec), adds
//! `tests/roundtrip.rs` (JSON round trips per construct, every kind of constraint at its
//! boundary), and runs `cargo test --offline` and `cargo clippy -- -D warnings` on it.
//!
//! The crate builds in `<workspace>/target/pipeline-tests` ([`support::cargo`]).

mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use support::{assert_clippy_clean, assert_success, cargo, run, write_crate};

/// The test file written into the generated crate.
const ROUNDTRIP: &str = include_str!("fixtures/crate_tests/roundtrip.rs");

fn fixture_specs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    specs
}

#[test]
fn generated_crate_from_every_construct_compiles_round_trips_validates_and_is_clippy_clean() {
    let started = Instant::now();
    let specs = fixture_specs();
    assert!(specs.len() >= 20, "fixtures missing: {specs:?}");

    let tmp = tempfile::Builder::new()
        .prefix("codegen-constructs-")
        .tempdir()
        .expect("temp dir");
    let dir = tmp.path().join("constructs-crate");
    let report = write_crate(&specs, &dir, "constructs-crate");
    for w in &report.warnings {
        eprintln!("{w}");
    }
    // One module per spec.
    for s in &specs {
        let module = s.file_stem().unwrap().to_str().unwrap();
        assert!(
            dir.join("src").join(module).join("types.rs").is_file(),
            "no module {module}"
        );
    }
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/roundtrip.rs"), ROUNDTRIP).unwrap();

    // tests/fixtures/hostile_docs.yaml hides this write in its descriptions; the doctests
    // must not run it.
    let pwned = Path::new("/tmp/pwned_codegen");
    let pwned_before = pwned.exists();
    let mut test = cargo();
    test.args(["test", "--offline", "--quiet"]);
    let out = run("cargo test", test, &dir);
    assert_success("cargo test in the generated crate", &out);
    assert!(
        pwned_before || !pwned.exists(),
        "a doctest from spec text ran"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!(
        "test result: ok. {} passed",
        ROUNDTRIP.matches("#[test]").count()
    );
    assert!(
        stdout.contains(&expected),
        "expected `{expected}` from the round-trip tests:\n{stdout}"
    );

    assert_clippy_clean(&dir);
    eprintln!(
        "constructs: {} specs, total {:.1?}",
        specs.len(),
        started.elapsed()
    );
}
