//! The committed generated-client is exactly what the committed spec generates
//! (rust-analyzer style: regenerate in memory, fail on any difference).

#[test]
fn generated_client_matches_the_spec() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = codegen::workspace::config(root);
    assert_eq!(
        config.specs().len(),
        2,
        "expected spec/osm.yaml and spec/aicc-case.yaml"
    );
    if let Err(e) = config.check_dir() {
        panic!("{e}\nRun `cargo build` (or `cargo run -p codegen -- regen`) and commit generated-client/.");
    }
}

#[test]
fn regeneration_is_deterministic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let a = codegen::workspace::config(root).render().unwrap();
    let b = codegen::workspace::config(root).render().unwrap();
    assert_eq!(a.files, b.files);
}
