//! The build script of `generated-client` (its manifest says `build = "../build.rs"`).
//!
//! With the `regenerate` feature (the workspace turns it on), it runs the codegen library on
//! every spec in `spec/` and writes `generated-client/` before cargo compiles that crate, so the
//! sources compiled are always the ones the spec generates. A file is written only when its
//! bytes change, and generated files whose source is gone are removed. The specs and every
//! generated file are the script's inputs, so a spec edit, and a generated file deleted or
//! edited by hand, rerun it (and the file is restored). Without the feature
//! (a consumer outside the workspace) it does nothing: the committed sources are compiled.

fn main() {
    #[cfg(feature = "regenerate")]
    regenerate::run();
}

#[cfg(feature = "regenerate")]
mod regenerate {
    use std::path::{Path, PathBuf};

    pub fn run() {
        let crate_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
        let root = crate_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let spec_dir = root.join("spec");
        // The directory itself: a spec added or removed reruns the script.
        println!("cargo:rerun-if-changed={}", spec_dir.display());
        let specs = codegen::workspace::specs(&spec_dir);
        for s in &specs {
            println!("cargo:rerun-if-changed={}", s.display());
        }
        if specs.is_empty() {
            println!(
                "cargo:warning=no spec in {}: nothing to generate",
                spec_dir.display()
            );
            return;
        }
        // The crate documentation (read by `workspace::config`), not a spec.
        println!(
            "cargo:rerun-if-changed={}",
            root.join(codegen::workspace::CRATE_DOC_FILE).display()
        );
        let config = codegen::workspace::config(&root);
        match config.write() {
            Ok(report) => {
                for w in &report.warnings {
                    println!("cargo:warning={w}");
                }
                // The generated files are inputs too: one deleted or edited by hand reruns
                // the script, which restores it. No loop: the script writes only files
                // whose bytes change, so a no-op build stays fresh (a run that did write
                // files is followed by one more run that writes nothing, as cargo sees
                // files changed during a run as changed).
                for f in report.written.iter().chain(&report.unchanged) {
                    println!("cargo:rerun-if-changed={}", f.display());
                }
            }
            Err(e) => {
                // The generator's message (file, line, JSON pointer), not a panic.
                eprintln!("error: the spec does not generate a client:\n{e}");
                std::process::exit(1);
            }
        }
    }
}
