//! The public face: a small builder in the manner of `prost_build::Config`. It holds the
//! options; [`Config::render`], [`Config::write`] and [`Config::check_dir`] hand them to the
//! pipeline (`pipeline.rs`: lower every spec, emit the crate) and the write stage
//! (`write.rs`: files on disk, drift).

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::krate::GeneratedFile;
pub use crate::emit::krate::Runtime;
use crate::pipeline::{self, check_package_name};
use crate::write;
pub use crate::write::WriteReport;

/// What to generate, and where.
///
/// A large spec is loaded and its crate emitted on every CPU the process may run on: the
/// first run that needs them starts one helper thread per CPU beyond the first, and they stay,
/// idle between runs, for the life of the process (a build script's process ends with it).
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub(crate) specs: Vec<PathBuf>,
    pub(crate) out_dir: Option<PathBuf>,
    pub(crate) crate_name: Option<String>,
    pub(crate) build_script: Option<(String, String)>,
    pub(crate) standalone: bool,
    pub(crate) crate_doc: Option<String>,
    pub(crate) examples: bool,
    pub(crate) runtime: Runtime,
    pub(crate) force: bool,
}

/// Everything a run produces, in memory.
#[derive(Debug, Clone)]
pub struct Output {
    /// The files, paths relative to the crate directory, in a fixed order.
    pub files: Vec<GeneratedFile>,
    /// Warnings (generation went on).
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

    /// Where the generated crate gets its runtime: a copy in `src/runtime.rs`
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
        crate::parallel::on_large_stack(|| pipeline::lower_all(self).map(|(_, w, _)| w))
    }

    fn dir(&self) -> Result<&Path, Error> {
        self.out_dir
            .as_deref()
            .ok_or_else(|| Error::Usage("no output directory: call `out_dir`".into()))
    }

    /// Generates every file in memory.
    pub fn render(&self) -> Result<Output, Diagnostics> {
        crate::parallel::on_large_stack(|| pipeline::render(self))
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
        let dir = self.dir()?;
        self.package_name()?;
        let out = self.render().map_err(Error::Spec)?;
        write::write(dir, out, self.force)
    }

    /// Compares the output directory with what the specs generate; writes nothing.
    pub fn check_dir(&self) -> Result<Vec<Diagnostic>, Error> {
        let dir = self.dir()?;
        self.package_name()?;
        let out = self.render().map_err(Error::Spec)?;
        let differ = write::drift(dir, &out.files);
        if differ.is_empty() {
            Ok(out.warnings)
        } else {
            Err(Error::Drift(differ))
        }
    }
}
