//! The layout of a workspace like this repository's (`spec/` generates `generated-client/`,
//! which regenerates itself with `build.rs`), shared by its build script, the CLI's `regen`
//! command and the drift test, so all three generate the same bytes. What the generated crate
//! says about its services lives in the workspace ([`CRATE_DOC_FILE`]), not here.

use std::path::{Path, PathBuf};

use crate::Config;

/// The specs of a spec directory: every `.yaml`, `.yml` and `.json` file directly in it, sorted.
pub fn specs(dir: &Path) -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .and_then(|e| e.to_str())
                            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
                })
                .collect()
        })
        .unwrap_or_default();
    specs.sort();
    specs
}

/// Where a workspace keeps the crate-level documentation of its generated client, relative
/// to its root: Markdown, ending whitespace ignored.
pub const CRATE_DOC_FILE: &str = "spec/crate-doc.md";

/// The configuration that generates `<root>/generated-client` from `<root>/spec`, with the
/// crate documentation of `<root>/spec/crate-doc.md` ([`CRATE_DOC_FILE`]; without that file,
/// the generator's own summary of the specs).
pub fn config(root: &Path) -> Config {
    let mut config = Config::new();
    for s in specs(&root.join("spec")) {
        config.spec(s);
    }
    config
        .out_dir(root.join("generated-client"))
        .crate_name("generated-client")
        .build_script("../build.rs", "../codegen")
        .runtime(crate::Runtime::Path("../codegen/runtime".into()))
        .examples(true);
    if let Ok(doc) = std::fs::read_to_string(root.join(CRATE_DOC_FILE)) {
        config.crate_doc(doc.trim_end());
    }
    config
}
