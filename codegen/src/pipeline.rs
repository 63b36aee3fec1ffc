//! The pipeline between the specs and the files: every spec loaded, checked and lowered
//! (each becomes a module named after its file), then the crate emitted in memory.
//! Writing the files is the next stage ([`crate::write`]).

use std::path::{Path, PathBuf};

use crate::config::{Config, Output};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::emit::krate::{self, GeneratedFile, Manifest};
use crate::ir::ModuleInput;
use crate::naming;

/// Loads, checks and lowers every spec, each into a module of its own; every problem of
/// every spec is reported together. Also gives whether the specs are large
/// ([`crate::alloc::LARGE_SPEC_BYTES`] of files or more; each spec's memory is freed once it
/// is lowered).
pub(crate) fn lower_all(
    config: &Config,
) -> Result<(Vec<ModuleInput>, Vec<Diagnostic>, bool), Diagnostics> {
    if config.specs.is_empty() {
        return Err(Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            file: PathBuf::new(),
            line: None,
            column: None,
            pointer: String::new(),
            message: "no spec given".into(),
        }]));
    }
    let mut modules = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut names = naming::Scope::default();
    // Generated modules and the files and directories of the crate: a spec named
    // `lib.yaml` must not make `src/lib/` next to `src/lib.rs`.
    for reserved in RESERVED_MODULES {
        names.reserve(reserved);
    }
    // Large specs give freed pages back soon while they load (see `alloc::PurgeSoon`).
    let spec_file_bytes: u64 = config
        .specs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let large = spec_file_bytes >= crate::alloc::LARGE_SPEC_BYTES;
    let _purge = large.then(crate::alloc::PurgeSoon::start);
    for path in &config.specs {
        let lowered = crate::load::load_file(path).and_then(|spec| {
            let lowered = crate::lower_loaded(&spec);
            spec.free();
            lowered
        });
        match lowered {
            Ok((api, w)) => {
                warnings.extend(w);
                let module = module_name(path);
                let unique = names.unique(&module);
                if unique != module && RESERVED_MODULES.contains(&module.as_str()) {
                    warnings.push(Diagnostic {
                        severity: Severity::Warning,
                        file: path.clone(),
                        line: None,
                        column: None,
                        pointer: String::new(),
                        message: format!(
                            "the module `{module}` would collide with the crate's own `{module}`; it is named `{unique}`"
                        ),
                    });
                }
                // The file's name goes into comments (`Cargo.toml`, each file's first line)
                // and docs: a line break in it would end the comment and write TOML or Rust of
                // the spec author's choosing, so such characters are escaped.
                let spec_name = path
                    .file_name()
                    .and_then(|s| s.to_str())
                    .map(|s| crate::diag::printable(s).into_owned())
                    .unwrap_or_else(|| "spec".into());
                modules.push(ModuleInput {
                    module: unique,
                    spec_name,
                    api,
                });
            }
            Err(d) => errors.extend(d.0),
        }
    }
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(Diagnostics(errors));
    }
    Ok((modules, warnings, large))
}

/// The module a spec becomes, from its file's stem (`aicc-case.yaml` -> `aicc_case`): a
/// Rust identifier, not a keyword (before [`RESERVED_MODULES`] and other specs are avoided).
fn module_name(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("api");
    let mut module = naming::snake(stem);
    if module.is_empty() || module.starts_with(|c: char| c.is_ascii_digit()) {
        module.insert_str(0, "api_");
    }
    if naming::is_keyword(&module) {
        module.push_str("_api");
    }
    module
}

/// Generates every file in memory: lowers every spec, then emits the crate.
pub(crate) fn render(config: &Config) -> Result<Output, Diagnostics> {
    let (modules, warnings, large) = lower_all(config)?;
    if large {
        crate::alloc::release_freed_memory();
    }
    let crate_doc = config.crate_doc.clone().unwrap_or_else(|| {
        let titles: Vec<String> = modules
            .iter()
            .map(|m| format!("- [`{}`]: {} {}", m.module, m.api.title.trim(), m.api.version.trim()))
            .collect();
        format!(
            "A typed, validated client generated from OpenAPI specs.\n\n{}\n\nThe [`runtime`] module holds the HTTP client, authentication, signing, errors and validation.",
            titles.join("\n")
        )
    });
    let name = config.package_name().map_err(|e| {
        Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            file: PathBuf::new(),
            line: None,
            column: None,
            pointer: String::new(),
            message: e.to_string(),
        }])
    })?;
    let crate_ident = name.replace('-', "_");
    let examples_for = config.examples.then_some(crate_ident.as_str());
    let mut files = krate::crate_files(&modules, &crate_doc, examples_for, &config.runtime)
        .map_err(|m| {
            Diagnostics(vec![Diagnostic {
                severity: Severity::Error,
                file: config.specs[0].clone(),
                line: None,
                column: None,
                pointer: String::new(),
                message: m,
            }])
        })?;
    let spec_names: Vec<String> = modules.iter().map(|m| m.spec_name.clone()).collect();
    files.insert(
        0,
        GeneratedFile {
            path: PathBuf::from("Cargo.toml"),
            contents: krate::manifest(
                &Manifest {
                    name,
                    build_script: config.build_script.clone(),
                    standalone: config.standalone,
                    runtime: config.runtime.clone(),
                    features: krate::runtime_features(&modules),
                },
                &spec_names,
            )
            .into(),
        },
    );
    Ok(Output { files, warnings })
}

/// Module names a spec cannot take: the generated `runtime`, and the names of the crate's
/// own files and directories (`src/lib.rs`, `src/main.rs`, `build.rs`, `tests/`, ...).
/// `codegen_runtime` is the runtime crate's name where the crate depends on it, which a
/// module of that name would make ambiguous.
const RESERVED_MODULES: &[&str] = &[
    "runtime",
    "lib",
    "main",
    "build",
    "tests",
    "examples",
    "benches",
    "codegen_runtime",
];

/// Names cargo refuses as package names besides keywords: the standard library crates and
/// its own artifact directories.
const RESERVED_PACKAGE_NAMES: &[&str] = &[
    "test",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "proc-macro",
    "build",
    "deps",
    "examples",
    "incremental",
];

/// Why cargo would refuse `name` as a package name, if it would.
pub(crate) fn check_package_name(name: &str) -> Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err("it is empty".into());
    };
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "`{}` is not allowed (only ASCII letters, digits, `-` and `_`)",
            c.escape_debug()
        ));
    }
    if first.is_ascii_digit() {
        return Err("it starts with a digit".into());
    }
    if RESERVED_PACKAGE_NAMES.contains(&name) || naming::is_keyword(&name.replace('-', "_")) {
        return Err("it is a Rust keyword or a name reserved by cargo".into());
    }
    if name.replace('_', "-") == crate::emit::krate::RUNTIME_CRATE {
        return Err(format!(
            "it is the name of the runtime crate the generated crate depends on (`{}`)",
            crate::emit::krate::RUNTIME_CRATE
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        for ok in ["a", "generated-client", "x_1", "A-b"] {
            assert!(check_package_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "q\"x",
            "1a",
            "a b",
            "é",
            "test",
            "std",
            "core",
            "fn",
            "self",
            "a.b",
            "codegen-runtime",
            "codegen_runtime",
        ] {
            assert!(check_package_name(bad).is_err(), "{bad}");
        }
    }
}
