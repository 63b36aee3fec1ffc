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
        names.reserve("runtime");
        for path in &self.specs {
            match crate::lower_spec(path) {
                Ok((api, w)) => {
                    warnings.extend(w);
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("api");
                    let mut module = naming::snake(stem);
                    if naming::is_keyword(&module) {
                        module.push_str("_api");
                    }
                    let spec_name = path
                        .file_name()
                        .and_then(|s| s.to_str())
                        .unwrap_or("spec")
                        .to_string();
                    modules.push(ModuleInput {
                        module: names.unique(&module),
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
        let name = self.crate_name.clone().unwrap_or_else(|| {
            self.out_dir
                .as_ref()
                .and_then(|d| d.file_name())
                .and_then(|s| s.to_str())
                .unwrap_or("generated-client")
                .to_string()
        });
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
    pub fn write(&self) -> Result<WriteReport, Error> {
        let dir = self.dir()?.to_path_buf();
        let out = self.render().map_err(Error::Spec)?;
        let mut report = WriteReport {
            warnings: out.warnings,
            ..Default::default()
        };
        for f in &out.files {
            let path = dir.join(&f.path);
            if std::fs::read(&path).ok().as_deref() == Some(f.contents.as_bytes()) {
                report.unchanged.push(f.path.clone());
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::Io(parent.to_path_buf(), e))?;
            }
            std::fs::write(&path, &f.contents).map_err(|e| Error::Io(path.clone(), e))?;
            report.written.push(f.path.clone());
        }
        for stale in stale_files(&dir, &out.files) {
            let path = dir.join(&stale);
            std::fs::remove_file(&path).map_err(|e| Error::Io(path.clone(), e))?;
            report.removed.push(stale);
        }
        Ok(report)
    }

    /// Compares the output directory with what the specs generate; writes nothing.
    pub fn check_dir(&self) -> Result<Vec<Diagnostic>, Error> {
        let dir = self.dir()?.to_path_buf();
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

/// Generated files under `dir/src` that the new output does not contain.
fn stale_files(dir: &Path, files: &[GeneratedFile]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.join("src"), dir.join("examples")];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let Ok(rel) = p.strip_prefix(dir) else {
                    continue;
                };
                if files.iter().any(|f| f.path == rel) {
                    continue;
                }
                let head = std::fs::read_to_string(&p).unwrap_or_default();
                if head
                    .lines()
                    .next()
                    .is_some_and(|l| l.contains(GENERATED_MARKER))
                {
                    found.push(rel.to_path_buf());
                }
            }
        }
    }
    found.sort();
    found
}
