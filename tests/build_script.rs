//! build.rs end to end, on a temporary copy of the workspace: a spec edit is regenerated and
//! compiled in the same `cargo build`; a no-op build rewrites nothing and does not rerun the
//! generator; a removed operation disappears; a broken spec fails the build with the
//! generator's message; a generated file deleted or edited by hand is restored by the next
//! build; a consumer outside the workspace compiles none of the generator.
//!
//! These run real cargo builds. Dependencies are shared through `target/pipeline-tests`
//! (never the main target directory, which the outer cargo holds locked).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

/// The builds of these tests share `target/pipeline-tests`; run one test at a time, so one
/// test's builds never make another's look stale (the freshness checks compare mtimes).
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared_target() -> PathBuf {
    root().join("target").join("pipeline-tests")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == "tests" && from.ends_with("codegen") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A copy of the workspace without its build outputs, VCS data and the root package's tests.
fn temp_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if ["target", ".git", ".tools", "tests"]
            .iter()
            .any(|n| name == *n)
        {
            continue;
        }
        let (src, dst) = (entry.path(), dir.path().join(&name));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
    dir
}

fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Path -> (mtime, bytes) of every file under generated-client.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (SystemTime, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.join("generated-client")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let meta = std::fs::metadata(&p).unwrap();
                out.insert(
                    p.clone(),
                    (meta.modified().unwrap(), std::fs::read(&p).unwrap()),
                );
            }
        }
    }
    out
}

fn edit_spec(dir: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("spec/osm.yaml");
    let mut v: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(&path, serde_yaml::to_string(&v).unwrap()).unwrap();
}

#[test]
fn spec_edits_regenerate_in_the_same_build_and_no_op_builds_do_nothing() {
    let _serial = serial();
    let ws = temp_workspace();
    let dir = ws.path();

    let first = cargo(dir, &["build"]);
    assert!(
        first.status.success(),
        "first build failed:\n{}",
        text(&first)
    );

    // A no-op build: the build script does not run, no file is rewritten.
    let before = snapshot(dir);
    let noop = cargo(dir, &["build", "-v"]);
    assert!(noop.status.success(), "{}", text(&noop));
    let log = text(&noop);
    assert!(
        log.contains("Fresh generated-client"),
        "generated-client was rebuilt on a no-op build:\n{log}"
    );
    assert!(
        !log.contains("generated-client") || !log.contains("build-script-build`"),
        "the build script ran again on a no-op build:\n{log}"
    );
    assert_eq!(
        before,
        snapshot(dir),
        "a no-op build touched generated files"
    );

    // Add a field to the spec; code in the same build uses it.
    edit_spec(dir, |v| {
        v["components"]["schemas"]["CreateCaseRequest"]["properties"]["ticket_note"] = serde_json::json!({
            "type": "string", "maxLength": 10, "description": "A field added by the test."
        });
    });
    std::fs::write(
        dir.join("src/lib.rs"),
        "pub fn note() -> generated_client::osm::types::CreateCaseRequest {\n    generated_client::osm::types::CreateCaseRequest { ticket_note: Some(\"hi\".into()), ..generated_client::osm::types::CreateCaseRequest::new(\"1\", \"d\", \"s\") }\n}\n",
    )
    .unwrap();
    let added = cargo(dir, &["build"]);
    assert!(
        added.status.success(),
        "the new field was not compiled in the same build:\n{}",
        text(&added)
    );
    let types = std::fs::read_to_string(dir.join("generated-client/src/osm/types.rs")).unwrap();
    assert!(types.contains("pub ticket_note: Option<String>"));

    // Remove an operation: its method is gone.
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    let client = std::fs::read_to_string(dir.join("generated-client/src/osm/client.rs")).unwrap();
    assert!(client.contains("pub fn create_relations("));
    edit_spec(dir, |v| {
        v["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/v2/servicerequest/cases/{case_id}/relations");
    });
    let removed = cargo(dir, &["build"]);
    assert!(removed.status.success(), "{}", text(&removed));
    let client = std::fs::read_to_string(dir.join("generated-client/src/osm/client.rs")).unwrap();
    assert!(
        !client.contains("pub fn create_relations("),
        "the removed operation's method is still generated"
    );

    // Break the spec: the build fails with the generator's message, not a panic.
    let spec = std::fs::read_to_string(dir.join("spec/osm.yaml")).unwrap();
    let broken = spec.replace(
        "$ref: '#/components/schemas/CreateCaseRequest'",
        "$ref: '#/components/schemas/NoSuchSchema'",
    );
    assert_ne!(spec, broken, "the test's edit did not apply");
    std::fs::write(dir.join("spec/osm.yaml"), broken).unwrap();
    let failed = cargo(dir, &["build"]);
    let log = text(&failed);
    assert!(!failed.status.success(), "a broken spec built:\n{log}");
    assert!(log.contains("osm.yaml:"), "no file:line in:\n{log}");
    assert!(log.contains("#/paths/"), "no JSON pointer in:\n{log}");
    assert!(log.contains("NoSuchSchema"), "{log}");
    assert!(
        !log.contains("panicked"),
        "the build script panicked:\n{log}"
    );
}

/// Asserts a `cargo build -v` log shows no rerun of generated-client's build script and no
/// rebuild of generated-client.
fn assert_fresh(log: &str) {
    assert!(
        log.contains("Fresh generated-client"),
        "generated-client was rebuilt on a no-op build:\n{log}"
    );
    assert!(
        !log.contains("generated-client") || !log.contains("build-script-build`"),
        "the build script ran again on a no-op build:\n{log}"
    );
}

#[test]
fn deleted_or_hand_edited_generated_files_are_restored_by_a_build() {
    let _serial = serial();
    let ws = temp_workspace();
    let dir = ws.path();
    let first = cargo(dir, &["build"]);
    assert!(first.status.success(), "{}", text(&first));
    let noop = cargo(dir, &["build", "-v"]);
    assert!(noop.status.success(), "{}", text(&noop));
    assert_fresh(&text(&noop));

    let types = dir.join("generated-client/src/osm/types.rs");
    let client = dir.join("generated-client/src/osm/client.rs");
    let (types_bytes, client_bytes) = (
        std::fs::read(&types).unwrap(),
        std::fs::read(&client).unwrap(),
    );
    std::fs::remove_file(&types).unwrap();
    let mut edited = client_bytes.clone();
    edited.extend_from_slice(b"\npub fn hand_edit() {}\n");
    std::fs::write(&client, &edited).unwrap();

    let restored = cargo(dir, &["build"]);
    assert!(
        restored.status.success(),
        "the build did not restore the generated files:\n{}",
        text(&restored)
    );
    assert!(
        std::fs::read(&types).ok() == Some(types_bytes),
        "the deleted types.rs was not restored byte-identical"
    );
    assert!(
        std::fs::read(&client).unwrap() == client_bytes,
        "the edited client.rs was not restored byte-identical"
    );

    // No rebuild loop: the run after a restore writes nothing, and then builds are fresh.
    let settle = cargo(dir, &["build"]);
    assert!(settle.status.success(), "{}", text(&settle));
    let before = snapshot(dir);
    let noop = cargo(dir, &["build", "-v"]);
    assert!(noop.status.success(), "{}", text(&noop));
    assert_fresh(&text(&noop));
    assert_eq!(
        before,
        snapshot(dir),
        "a no-op build touched generated files"
    );
}

#[test]
fn a_consumer_outside_the_workspace_compiles_none_of_the_generator() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let client = root().join("generated-client");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"consumer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ngenerated-client = {{ path = {:?} }}\n\n[workspace]\n",
            client.display().to_string()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/main.rs"),
        "fn main() { let _ = generated_client::osm::servers::ALL; }\n",
    )
    .unwrap();
    // Resolve with the workspace's lock file so no registry is needed.
    std::fs::copy(root().join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    let tree = cargo(
        dir.path(),
        &["tree", "-e", "normal,build", "--prefix", "none"],
    );
    let log = text(&tree);
    assert!(tree.status.success(), "{log}");
    assert!(log.contains("generated-client"), "{log}");
    for forbidden in [
        "codegen ",
        "prettyplease ",
        "openapiv3 ",
        "serde_yaml ",
        "heck ",
    ] {
        assert!(
            !log.lines().any(|l| l.starts_with(forbidden)),
            "the consumer depends on {forbidden}:\n{log}"
        );
    }
    // syn and quote may only come in as the parsers of derive macros (serde_derive,
    // thiserror-impl, ...), never through the generator.
    for parser in ["syn", "quote"] {
        let inverted = cargo(
            dir.path(),
            &[
                "tree",
                "-e",
                "normal,build",
                "--prefix",
                "none",
                "--depth",
                "1",
                "-i",
                parser,
            ],
        );
        let log = text(&inverted);
        for dependent in log.lines().skip(1).filter(|l| l.contains(" v")) {
            let name = dependent.split_whitespace().next().unwrap_or("");
            // A proc-macro crate, or a library only proc macros use.
            let derive_macro = dependent.contains("(proc-macro)")
                || ["syn", "quote", "proc-macro2", "synstructure"].contains(&name);
            assert!(
                derive_macro,
                "{parser} is pulled in by {name}, which is not a derive macro:\n{log}"
            );
        }
    }
    let built = cargo(dir.path(), &["check"]);
    assert!(
        built.status.success(),
        "the consumer does not build from the committed sources:\n{}",
        text(&built)
    );
}
