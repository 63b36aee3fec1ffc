//! Both specs parse with `openapiv3` (through codegen's loader, which deserializes the
//! document into `openapiv3::OpenAPI`) and lower without a single warning.

use std::path::Path;

#[test]
fn specs_parse_with_openapiv3_and_generate_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["osm.yaml", "aicc-case.yaml"] {
        let path = root.join("spec").join(name);
        let spec = codegen::load::load_file(&path).unwrap_or_else(|d| panic!("{d}"));
        assert!(
            spec.doc.openapi.starts_with("3.0."),
            "{name}: {}",
            spec.doc.openapi
        );
        assert!(!spec.doc.paths.paths.is_empty(), "{name} has no paths");
        let (api, warnings) = codegen::lower_loaded(&spec).unwrap_or_else(|d| panic!("{d}"));
        assert!(warnings.is_empty(), "{name}: {warnings:#?}");
        assert!(!api.operations.is_empty());
    }
}
