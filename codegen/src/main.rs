//! The codegen CLI.
//!
//! ```text
//! codegen generate <SPEC>... --out <DIR> [--crate-name <CRATE>] [--runtime <HOW>] [--force] [--check]
//!                  [--workspace-build <BUILD_RS> <CODEGEN_PATH>] [--examples] [--crate-doc <FILE>]
//!                  [--standalone | --no-standalone]
//! codegen check <SPEC>...
//! codegen regen [ROOT] [--check]
//! codegen bundle [ROOT] [--check]
//! ```
//!
//! Exit codes: 0 when all went well (and for `--help` and `--version`), 1 on any error,
//! usage errors included (clap's own code for those, 2, is not used).

#[cfg(feature = "fast-alloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's first arena: 256 MiB of address space where its default is 1 GiB, unless the
/// user chose the size (`MIMALLOC_ARENA_RESERVE`, which mimalloc reads itself). mimalloc
/// clears a bitmap for every block of the arena when it reserves one, so the default's start
/// took about 30 page faults more (at 3 µs each on the machine measured): `--version` 0.955
/// of the time, oai-petstore 0.974, keeper 0.981, propolis 0.985, and stripe, plaid and nexus
/// unchanged; a larger spec gets further arenas as it needs them (BENCHMARKS.md, twelfth
/// round).
#[cfg(all(feature = "fast-alloc", target_os = "linux"))]
mod first_arena {
    /// The size, in KiB.
    const KIB: std::os::raw::c_long = 256 * 1024;

    /// mimalloc's `mi_option_arena_reserve` (its index in `mi_option_t`, mimalloc 2 and 3
    /// alike; `libmimalloc-sys` names no constant for it).
    const MI_OPTION_ARENA_RESERVE: libmimalloc_sys::mi_option_t = 23;

    /// Run by the C runtime before `main`, and so before the standard library's start-up
    /// makes the first allocation, which reserves the first arena: set from `main`, the option
    /// came too late. Three lines, where the `ctor` crate would bring a procedural macro to
    /// write them.
    #[used]
    #[link_section = ".init_array"]
    static SET_BEFORE_MAIN: extern "C" fn() = set;

    /// Sets [`KIB`] unless the user chose the size. Reading an unset variable allocates
    /// nothing.
    extern "C" fn set() {
        if std::env::var_os("MIMALLOC_ARENA_RESERVE").is_none() {
            // SAFETY: setting an option takes no pointers; mimalloc reads this one when it
            // reserves an arena, which no allocation has asked for yet.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_RESERVE, KIB) };
        }
    }
}

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use codegen::{Config, Runtime};

/// Generates typed, validated Rust API clients from OpenAPI 3.0 specs.
#[derive(Debug, Parser)]
#[command(name = "codegen", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes a complete crate (Cargo.toml, src/) generated from the specs.
    Generate(Generate),
    /// Reports every problem in the specs and writes nothing.
    Check {
        /// OpenAPI 3.0 specs (YAML or JSON); each becomes a module named after its file.
        #[arg(value_name = "SPEC", required = true)]
        specs: Vec<PathBuf>,
    },
    /// Regenerates ROOT/generated-client from ROOT/spec exactly as `cargo build` does.
    Regen {
        /// The workspace root.
        #[arg(value_name = "ROOT", default_value = ".")]
        root: PathBuf,
        /// Writes nothing; fails when generated-client differs from what spec/ generates.
        #[arg(long)]
        check: bool,
    },
    /// Writes each spec of ROOT/spec as one self-contained file, JSON and YAML, into
    /// ROOT/dist (references to other files resolved, key order kept), for other languages,
    /// and as an HTML API reference (ROOT/dist/NAME.html).
    Bundle {
        /// The workspace root.
        #[arg(value_name = "ROOT", default_value = ".")]
        root: PathBuf,
        /// Writes nothing; fails when dist/ differs from what spec/ bundles into.
        #[arg(long)]
        check: bool,
    },
}

/// The options of `generate`: one for each option of [`Config`].
#[derive(Debug, Args)]
struct Generate {
    /// OpenAPI 3.0 specs (YAML or JSON); each becomes a module named after its file.
    #[arg(value_name = "SPEC", required = true)]
    specs: Vec<PathBuf>,
    /// The crate directory to write.
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// The package name [default: DIR's name].
    #[arg(long, visible_alias = "name", value_name = "CRATE")]
    crate_name: Option<String>,
    /// Where the crate gets its runtime: `vendored` (a copy in src/runtime.rs, the crate stands
    /// alone), `path=<DIR>` (a path dependency on the codegen-runtime crate, DIR as written
    /// into Cargo.toml) or `version=<REQ>` (a registry dependency). Clients sharing one
    /// runtime crate share one Error type. [default: vendored]
    #[arg(long, value_name = "HOW", value_parser = parse_runtime)]
    runtime: Option<Runtime>,
    /// Overwrites files in DIR that codegen did not generate (a hand-written Cargo.toml).
    #[arg(long)]
    force: bool,
    /// Writes nothing; fails when DIR differs from what the specs generate.
    #[arg(long)]
    check: bool,
    /// Makes the crate regenerate itself: `build = "<BUILD_RS>"` and a `regenerate` feature
    /// with an optional build-dependency on codegen at CODEGEN_PATH (both as written into
    /// Cargo.toml).
    #[arg(long, num_args = 2, value_names = ["BUILD_RS", "CODEGEN_PATH"])]
    workspace_build: Option<Vec<String>>,
    /// Also writes examples/<module>_<operation>.rs, one runnable example per operation.
    #[arg(long)]
    examples: bool,
    /// A Markdown file whose text becomes the crate documentation of src/lib.rs (ending
    /// whitespace ignored) [default: a summary of the specs].
    #[arg(long, value_name = "FILE")]
    crate_doc: Option<PathBuf>,
    /// Adds an empty `[workspace]` table to Cargo.toml, so the crate builds on its own
    /// anywhere [default: on, unless --workspace-build].
    #[arg(long, overrides_with = "no_standalone")]
    standalone: bool,
    /// Leaves the `[workspace]` table out: the crate is a member of an enclosing workspace.
    #[arg(long, overrides_with = "standalone")]
    no_standalone: bool,
}

fn parse_runtime(how: &str) -> Result<Runtime, String> {
    match how.split_once('=') {
        None if how == "vendored" => Ok(Runtime::Vendored),
        Some(("path", dir)) if !dir.is_empty() => Ok(Runtime::Path(dir.into())),
        Some(("version", req)) if !req.is_empty() => Ok(Runtime::Version(req.into())),
        _ => Err("expected `vendored`, `path=<DIR>` or `version=<REQ>`".into()),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 1.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // The main thread's stack (8 MiB on Linux) holds the deepest spec the generator takes:
    // the library runs here instead of on a thread of its own.
    codegen::this_thread_has_a_large_stack();
    let code = match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    };
    #[cfg(feature = "fast-alloc")]
    codegen::purge_nothing_from_now();
    code
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Generate(args) => generate(args),
        Command::Check { specs } => {
            let mut config = Config::new();
            for s in &specs {
                config.spec(s);
            }
            let warnings = config.check().map_err(|d| d.to_string())?;
            for w in &warnings {
                eprintln!("{w}");
            }
            eprintln!("ok: {} spec(s), {} warning(s)", specs.len(), warnings.len());
            Ok(())
        }
        Command::Regen { root, check } => regen(&root, check),
        Command::Bundle { root, check } => bundle(&root, check),
    }
}

fn generate(args: Generate) -> Result<(), String> {
    let mut config = Config::new();
    for s in &args.specs {
        config.spec(s);
    }
    config
        .out_dir(&args.out)
        .force(args.force)
        .examples(args.examples);
    if let Some(name) = args.crate_name {
        config.crate_name(name);
    }
    if let Some(runtime) = args.runtime {
        config.runtime(runtime);
    }
    if let Some(file) = &args.crate_doc {
        let doc = std::fs::read_to_string(file)
            .map_err(|e| format!("--crate-doc {}: {e}", file.display()))?;
        config.crate_doc(doc.trim_end());
    }
    if let Some([build_rs, codegen_path]) = args.workspace_build.as_deref() {
        config.build_script(build_rs, codegen_path);
    }
    // A crate that regenerates itself lives in a workspace; any other stands alone.
    config.standalone(if args.standalone || args.no_standalone {
        args.standalone
    } else {
        !config.regenerates_itself()
    });
    let out = args.out.display();
    if args.check {
        let warnings = config.check_dir().map_err(|e| e.to_string())?;
        eprintln!("ok: {out} is up to date ({} warning(s))", warnings.len());
        return Ok(());
    }
    let report = config.write().map_err(|e| e.to_string())?;
    // Said in one write: stderr is unbuffered, and `eprintln!` writes each piece of its
    // format on its own (nine system calls for the summary line).
    let mut said = String::new();
    for w in &report.warnings {
        said.push_str(&format!("{w}\n"));
    }
    said.push_str(&format!(
        "wrote {} file(s), {} unchanged, {} removed, into {out}\n",
        report.written.len(),
        report.unchanged.len(),
        report.removed.len()
    ));
    eprint!("{said}");
    Ok(())
}

fn regen(root: &Path, check: bool) -> Result<(), String> {
    let config = codegen::workspace::config(root);
    if check {
        config.check_dir().map_err(|e| e.to_string())?;
        eprintln!("ok: generated-client is up to date with spec/");
    } else {
        let report = config.write().map_err(|e| e.to_string())?;
        eprintln!(
            "wrote {} file(s), {} unchanged, {} removed",
            report.written.len(),
            report.unchanged.len(),
            report.removed.len()
        );
    }
    Ok(())
}

fn bundle(root: &Path, check: bool) -> Result<(), String> {
    if check {
        let differ = codegen::bundle::drift(root).map_err(|e| e.to_string())?;
        if !differ.is_empty() {
            let mut msg = String::from(
                "dist/ differs from what spec/ bundles into; run `cargo run -p codegen -- bundle` and commit:",
            );
            for p in &differ {
                msg.push_str(&format!("\n  {}", p.display()));
            }
            return Err(msg);
        }
        eprintln!("ok: dist/ is up to date with spec/");
    } else {
        let report = codegen::bundle(root).map_err(|e| e.to_string())?;
        for p in &report.written {
            eprintln!("wrote {}", p.display());
        }
        eprintln!(
            "wrote {} file(s), {} unchanged, {} removed",
            report.written.len(),
            report.unchanged.len(),
            report.removed.len()
        );
    }
    Ok(())
}
