//! The public face: a small builder in the manner of `prost_build::Config`.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, Severity};
pub use crate::emit::krate::Runtime;
use crate::emit::krate::{self, GeneratedFile, Manifest, ModuleInput, GENERATED_MARKER};
use crate::naming;

/// What to generate, and where.
#[derive(Debug, Clone, Default)]
pub struct Config {
    specs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    crate_name: Option<String>,
    build_script: Option<(String, String)>,
    standalone: bool,
    crate_doc: Option<String>,
    examples: bool,
    runtime: Runtime,
    force: bool,
}

/// Everything a run produces, in memory.
#[derive(Debug, Clone)]
pub struct Output {
    /// The files, paths relative to the crate directory, in a fixed order.
    pub files: Vec<GeneratedFile>,
    /// Warnings (generation went on).
    pub warnings: Vec<Diagnostic>,
}

/// What [`Config::write`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files whose bytes changed (or that are new).
    pub written: Vec<PathBuf>,
    /// Files left alone because their bytes were already right.
    pub unchanged: Vec<PathBuf>,
    /// Generated files removed because nothing generates them any more.
    pub removed: Vec<PathBuf>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// A failure of [`Config::write`] or [`Config::check_dir`].
#[derive(Debug)]
pub enum Error {
    /// The specs have errors.
    Spec(Diagnostics),
    /// Writing failed.
    Io(PathBuf, std::io::Error),
    /// The output directory differs from what the specs generate (`check_dir`).
    Drift(Vec<PathBuf>),
    /// Misuse of the builder (no spec, no output directory).
    Usage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(d) => write!(f, "{d}"),
            Error::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Error::Drift(paths) => {
                write!(f, "generated sources differ from the spec; regenerate (`cargo build`, or `codegen generate`):")?;
                for p in paths {
                    write!(f, "\n  {}", p.display())?;
                }
                Ok(())
            }
            Error::Usage(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

impl Config {
    /// An empty configuration.
    pub fn new() -> Self {
        Config::default()
    }

    /// Adds a spec; each becomes a module named after the file's stem (`aicc-case.yaml` ->
    /// `aicc_case`).
    pub fn spec(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.specs.push(path.as_ref().to_path_buf());
        self
    }

    /// The crate directory to write (its `Cargo.toml` and `src/`).
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The package name in the generated `Cargo.toml` (default: the output directory's name).
    pub fn crate_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.crate_name = Some(name.into());
        self
    }

    /// Makes the crate regenerate itself: `build = "<build_rs>"` and a `regenerate` feature
    /// with an optional build-dependency on codegen at `codegen_path`.
    pub fn build_script(
        &mut self,
        build_rs: impl Into<String>,
        codegen_path: impl Into<String>,
    ) -> &mut Self {
        self.build_script = Some((build_rs.into(), codegen_path.into()));
        self
    }

    /// Adds an empty `[workspace]` table so the crate builds on its own anywhere.
    pub fn standalone(&mut self, yes: bool) -> &mut Self {
        self.standalone = yes;
        self
    }

    /// Also writes `examples/<module>_<operation>.rs`: one runnable example per operation,
    /// reading the endpoint, credentials and parameters from environment variables.
    pub fn examples(&mut self, yes: bool) -> &mut Self {
        self.examples = yes;
        self
    }

    /// Where the generated crate gets its runtime: a copy in `src/runtime/`
    /// ([`Runtime::Vendored`], the default: the crate stands alone anywhere), or a
    /// dependency on the `codegen-runtime` crate ([`Runtime::Path`], [`Runtime::Version`]),
    /// which several generated clients in one program then share, with one `Error` type.
    /// Either way only the runtime features the specs declare are turned on.
    pub fn runtime(&mut self, runtime: Runtime) -> &mut Self {
        self.runtime = runtime;
        self
    }

    /// Lets [`Config::write`] overwrite files that do not carry the generated marker (a
    /// hand-written `Cargo.toml` or `src/lib.rs`); without it, such a file stops the write.
    pub fn force(&mut self, yes: bool) -> &mut Self {
        self.force = yes;
        self
    }

    /// The package name of the generated crate: [`Config::crate_name`], or the output
    /// directory's name; an error when cargo would not accept it.
    pub fn package_name(&self) -> Result<String, Error> {
        let (name, from) = match &self.crate_name {
            Some(n) => (n.clone(), "the crate name"),
            None => (
                self.out_dir
                    .as_ref()
                    .and_then(|d| {
                        // `.` and `..` have no name of their own.
                        d.file_name().map(|s| s.to_os_string()).or_else(|| {
                            d.canonicalize().ok()?.file_name().map(|s| s.to_os_string())
                        })
                    })
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "generated-client".to_string()),
                "the crate name (taken from the output directory's name)",
            ),
        };
        check_package_name(&name)
            .map(|()| name.clone())
            .map_err(|why| {
                Error::Usage(format!(
                    "{from} `{}` is not a valid package name: {why}; choose one with `--crate-name <NAME>` (`Config::crate_name`)",
                    name.escape_debug()
                ))
            })
    }

    /// The crate-level documentation of `lib.rs`.
    pub fn crate_doc(&mut self, text: impl Into<String>) -> &mut Self {
        self.crate_doc = Some(text.into());
        self
    }

    /// True when [`Config::build_script`] was set.
    pub fn regenerates_itself(&self) -> bool {
        self.build_script.is_some()
    }

    /// The specs, in the order given.
    pub fn specs(&self) -> &[PathBuf] {
        &self.specs
    }

    /// Loads, checks and lowers every spec; reports every problem of every spec.
    pub fn check(&self) -> Result<Vec<Diagnostic>, Diagnostics> {
        self.lower_all().map(|(_, w)| w)
    }

    fn lower_all(&self) -> Result<(Vec<ModuleInput>, Vec<Diagnostic>), Diagnostics> {
        if self.specs.is_empty() {
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
        for path in &self.specs {
            match crate::lower_spec(path) {
                Ok((api, w)) => {
                    warnings.extend(w);
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("api");
                    let mut module = naming::snake(stem);
                    if module.is_empty() || module.starts_with(|c: char| c.is_ascii_digit()) {
                        module.insert_str(0, "api_");
                    }
                    if naming::is_keyword(&module) {
                        module.push_str("_api");
                    }
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
                    let spec_name = path
                        .file_name()
                        .and_then(|s| s.to_str())
                        .unwrap_or("spec")
                        .to_string();
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
        Ok((modules, warnings))
    }

    /// Generates every file in memory.
    pub fn render(&self) -> Result<Output, Diagnostics> {
        let (modules, warnings) = self.lower_all()?;
        let crate_doc = self.crate_doc.clone().unwrap_or_else(|| {
            let titles: Vec<String> = modules
                .iter()
                .map(|m| format!("- [`{}`]: {} {}", m.module, m.api.title.trim(), m.api.version.trim()))
                .collect();
            format!(
                "A typed, validated client generated from OpenAPI specs.\n\n{}\n\nThe [`runtime`] module holds the HTTP client, authentication, signing, errors and validation.",
                titles.join("\n")
            )
        });
        let name = self.package_name().map_err(|e| {
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
        let examples_for = self.examples.then_some(crate_ident.as_str());
        let mut files = krate::crate_files(&modules, &crate_doc, examples_for, &self.runtime)
            .map_err(|m| {
                Diagnostics(vec![Diagnostic {
                    severity: Severity::Error,
                    file: self.specs[0].clone(),
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
                        build_script: self.build_script.clone(),
                        standalone: self.standalone,
                        runtime: self.runtime.clone(),
                        features: krate::runtime_features(&modules),
                    },
                    &spec_names,
                ),
            },
        );
        Ok(Output { files, warnings })
    }

    fn dir(&self) -> Result<&Path, Error> {
        self.out_dir
            .as_deref()
            .ok_or_else(|| Error::Usage("no output directory: call `out_dir`".into()))
    }

    /// Generates and writes the crate: a file is written only when its bytes change, and
    /// generated files (those carrying the marker) that nothing generates any more are removed.
    ///
    /// Nothing is written or removed outside the output directory: a symlink on the way to a
    /// file to write is an error, and the search for stale files does not follow symlinks.
    /// An existing file without the generated marker on its first line (a hand-written
    /// `Cargo.toml`) is an error unless [`Config::force`] is set. Every check runs before
    /// anything is written.
    pub fn write(&self) -> Result<WriteReport, Error> {
        let dir = self.dir()?.to_path_buf();
        self.package_name()?;
        let out = self.render().map_err(Error::Spec)?;
        let mut report = WriteReport {
            warnings: out.warnings,
            ..Default::default()
        };
        let mut pending = Vec::new();
        for f in &out.files {
            let path = dir.join(&f.path);
            refuse_symlinks(&dir, &f.path)?;
            let existing = match std::fs::read(&path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::Io(path, e)),
            };
            match existing {
                Some(bytes) if bytes == f.contents.as_bytes() => {
                    report.unchanged.push(f.path.clone())
                }
                Some(bytes) if !self.force && !is_generated(&bytes) => {
                    return Err(Error::Usage(format!(
                        "{} exists and was not generated by codegen (its first line lacks `{GENERATED_MARKER}`); \
                         refusing to overwrite it: move it away, choose another --out, or pass --force (`Config::force`) to overwrite it",
                        path.display()
                    )));
                }
                _ => pending.push((path, f)),
            }
        }
        for (path, f) in pending {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::Io(parent.to_path_buf(), e))?;
            }
            // Checked again now that the directories exist: nothing may have become a link.
            refuse_symlinks(&dir, &f.path)?;
            std::fs::write(&path, &f.contents).map_err(|e| Error::Io(path.clone(), e))?;
            report.written.push(f.path.clone());
        }
        for stale in stale_files(&dir, &out.files) {
            let path = dir.join(&stale);
            refuse_symlinks(&dir, &stale)?;
            std::fs::remove_file(&path).map_err(|e| Error::Io(path.clone(), e))?;
            report.removed.push(stale);
        }
        Ok(report)
    }

    /// Compares the output directory with what the specs generate; writes nothing.
    pub fn check_dir(&self) -> Result<Vec<Diagnostic>, Error> {
        let dir = self.dir()?.to_path_buf();
        self.package_name()?;
        let out = self.render().map_err(Error::Spec)?;
        let mut differ = Vec::new();
        for f in &out.files {
            if std::fs::read(dir.join(&f.path)).ok().as_deref() != Some(f.contents.as_bytes()) {
                differ.push(f.path.clone());
            }
        }
        differ.extend(stale_files(&dir, &out.files));
        if differ.is_empty() {
            Ok(out.warnings)
        } else {
            Err(Error::Drift(differ))
        }
    }
}

/// Module names a spec cannot take: the generated `runtime`, and the names of the crate's
/// own files and directories (`src/lib.rs`, `src/main.rs`, `build.rs`, `tests/`, ...).
const RESERVED_MODULES: &[&str] = &[
    "runtime", "lib", "main", "build", "tests", "examples", "benches",
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
fn check_package_name(name: &str) -> Result<(), String> {
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
    Ok(())
}

/// True when `bytes` start with a line carrying the generated marker.
fn is_generated(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(first).contains(GENERATED_MARKER)
}

/// An error when `rel` (a path relative to the output directory) or any directory on the way
/// to it inside the output directory is a symlink.
fn refuse_symlinks(dir: &Path, rel: &Path) -> Result<(), Error> {
    let mut path = dir.to_path_buf();
    for part in rel.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::Usage(format!(
                    "{} is a symlink; codegen writes only inside the output directory and never through a symlink: remove it or choose another --out",
                    path.display()
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::Io(path, e)),
        }
    }
    Ok(())
}

/// The most directories the search for stale files visits: it ends on any tree.
const MAX_STALE_SEARCH_DIRS: usize = 10_000;
/// The deepest the search for stale files goes below `src/` and `examples/`.
const MAX_STALE_SEARCH_DEPTH: usize = 32;

/// Generated files under `dir/src` and `dir/examples` that the new output does not contain.
/// The search does not follow symlinks (a linked directory is not descended into, a linked
/// file is never a stale file) and visits a bounded number of directories.
fn stale_files(dir: &Path, files: &[GeneratedFile]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack: Vec<(PathBuf, usize)> = Vec::new();
    for top in ["src", "examples"] {
        let p = dir.join(top);
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
            stack.push((p, 0));
        }
    }
    let mut visited = 0;
    while let Some((d, depth)) = stack.pop() {
        visited += 1;
        if visited > MAX_STALE_SEARCH_DIRS {
            break;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            // `DirEntry::file_type` does not follow symlinks.
            let Ok(kind) = e.file_type() else {
                continue;
            };
            let p = e.path();
            if kind.is_dir() {
                if depth < MAX_STALE_SEARCH_DEPTH {
                    stack.push((p, depth + 1));
                }
            } else if kind.is_file() && p.extension().is_some_and(|x| x == "rs") {
                let Ok(rel) = p.strip_prefix(dir) else {
                    continue;
                };
                if files.iter().any(|f| f.path == rel) {
                    continue;
                }
                if std::fs::read(&p).is_ok_and(|b| is_generated(&b)) {
                    found.push(rel.to_path_buf());
                }
            }
        }
    }
    found.sort();
    found
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
            "", "q\"x", "1a", "a b", "é", "test", "std", "core", "fn", "self", "a.b",
        ] {
            assert!(check_package_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn generated_marker_on_the_first_line_only() {
        assert!(is_generated(b"// @generated by codegen from x\nfn f() {}"));
        assert!(!is_generated(b"[package]\n# @generated by codegen"));
        assert!(!is_generated(b""));
    }
}
