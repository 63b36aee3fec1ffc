//! The runtime is a crate that generated crates share: two crates generated from two
//! different specs are used in one program with one error type; the service-specific
//! runtime features are on only for specs that declare them (no `hmac` in the dependency tree
//! of a crate whose spec has no access key signing), whether the runtime is a dependency or
//! vendored into the crate.
//!
//! Builds in `<workspace>/target/pipeline-tests`, like the constructs test.

mod support;

use std::path::Path;

use support::workspace;

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    support::cargo()
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"))
}

/// Its standard output, once `out` succeeded.
fn ok(what: &str, out: &std::process::Output) -> String {
    support::assert_success(what, out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn generate(spec: &Path, dir: &Path, name: &str, runtime: codegen::Runtime) {
    let mut config = codegen::Config::new();
    config
        .spec(spec)
        .out_dir(dir)
        .crate_name(name)
        .runtime(runtime);
    config
        .write()
        .unwrap_or_else(|e| panic!("generation of {name} failed:\n{e}"));
}

#[test]
fn two_generated_crates_share_one_error_type_and_only_declared_features() {
    let tmp = tempfile::Builder::new()
        .prefix("shared-runtime-")
        .tempdir()
        .expect("temp dir");
    let root = tmp.path();
    let runtime_dir = workspace().join("codegen/runtime");
    let runtime = codegen::Runtime::Path(runtime_dir.display().to_string());
    // A spec with no security scheme, and the OSM spec (access key signing).
    generate(
        &workspace().join("codegen/tests/fixtures/arrays.yaml"),
        &root.join("plain"),
        "plain",
        runtime.clone(),
    );
    generate(
        &workspace().join("spec/osm.yaml"),
        &root.join("signed"),
        "signed",
        runtime,
    );
    // The same plain spec with the runtime vendored: a crate that stands alone.
    generate(
        &workspace().join("codegen/tests/fixtures/arrays.yaml"),
        &root.join("vendored"),
        "vendored",
        codegen::Runtime::Vendored,
    );
    assert!(root.join("vendored/src/runtime.rs").is_file());
    assert!(!root.join("plain/src/runtime.rs").exists());
    // `cargo fmt` in a workspace that holds the vendored crate changes nothing: rustfmt goes
    // from lib.rs into the runtime's one file, and leaves each of its modules as they are.
    let fmt = std::process::Command::new("rustfmt")
        .args(["--edition", "2021", "--check"])
        .arg(root.join("vendored/src/lib.rs"))
        .output()
        .expect("rustfmt runs (rustup component add rustfmt)");
    assert!(
        fmt.status.success(),
        "rustfmt would change the vendored crate:\n{}",
        String::from_utf8_lossy(&fmt.stdout)
            .lines()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );

    std::fs::create_dir_all(root.join("app/src")).unwrap();
    std::fs::write(
        root.join("app/Cargo.toml"),
        format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nplain = {{ path = \"../plain\" }}\nsigned = {{ path = \"../signed\" }}\n\
             vendored = {{ path = \"../vendored\" }}\ncodegen-runtime = {{ path = \"{}\" }}\n\n[workspace]\n",
            runtime_dir.display()
        ),
    )
    .unwrap();
    // Compiles only if both crates' errors are the one `codegen_runtime::Error`: `?` on
    // either client's builder and the identity between the two `runtime::Error`s.
    std::fs::write(
        root.join("app/src/main.rs"),
        r#"
fn same(e: plain::runtime::Error) -> signed::runtime::Error {
    e
}

fn clients() -> Result<(plain::arrays::Client, signed::osm::Client), codegen_runtime::Error> {
    let a = plain::arrays::Client::new(plain::arrays::Client::builder().endpoint("http://127.0.0.1:1").build()?);
    let b = signed::osm::Client::new(signed::osm::Client::builder().build()?);
    Ok((a, b))
}

fn main() {
    let (_a, _b) = clients().expect("clients");
    let e = same(codegen_runtime::Error::InvalidRequest("x".into()));
    println!("{e}");
}
"#,
    )
    .unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), root.join("app/Cargo.lock")).unwrap();
    let out = ok(
        "cargo run of the program using both crates",
        &cargo(&root.join("app"), &["run", "--offline", "--quiet"]),
    );
    assert_eq!(out.trim(), "invalid request, not sent: x");

    // Each crate on its own, as an outside consumer builds it.
    let tree = |package: &str| {
        let dir = root.join(package);
        std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        ok(
            &format!("cargo tree in {package}"),
            &cargo(
                &dir,
                &["tree", "--offline", "-e", "normal", "--prefix", "none"],
            ),
        )
    };
    let plain = tree("plain");
    assert!(plain.contains("codegen-runtime v"), "{plain}");
    assert!(!plain.contains("hmac"), "plain pulls in hmac:\n{plain}");
    assert!(
        !plain.contains("codegen v"),
        "the generator leaked in:\n{plain}"
    );
    let vendored = tree("vendored");
    assert!(
        !vendored.contains("hmac"),
        "vendored pulls in hmac:\n{vendored}"
    );
    assert!(!vendored.contains("codegen-runtime v"), "{vendored}");
    let signed = tree("signed");
    assert!(
        signed.contains("hmac"),
        "the signing crate lost hmac:\n{signed}"
    );
}
