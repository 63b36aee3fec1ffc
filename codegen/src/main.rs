//! The codegen CLI.
//!
//! ```text
//! codegen generate <SPEC>... --out <DIR> [--crate-name <CRATE>] [--runtime <HOW>] [--force] [--check]
//! codegen check <SPEC>...
//! ```

use std::process::ExitCode;

const USAGE: &str = "usage:
  codegen generate <SPEC>... --out <DIR> [--crate-name <CRATE>] [--runtime <HOW>] [--force] [--check] [--workspace-build <BUILD_RS> <CODEGEN_PATH>]
      writes a complete crate (Cargo.toml, src/) generated from the specs;
      --crate-name (or --name) sets the package name (default: DIR's name);
      --runtime says where the crate gets its runtime: `vendored` (the default: a copy in
        src/runtime/, the crate stands alone), `path=<DIR>` (a path dependency on the
        codegen-runtime crate, DIR as written into Cargo.toml) or `version=<REQ>` (a registry
        dependency); several clients sharing one runtime crate share one Error type;
      --force overwrites files in DIR that codegen did not generate (a hand-written Cargo.toml);
      --check writes nothing and fails when DIR differs from what the specs generate
  codegen check <SPEC>...
      reports every problem in the specs and writes nothing
  codegen regen [--check] [ROOT]
      regenerates ROOT/generated-client from ROOT/spec exactly as `cargo build` does
      (ROOT defaults to the current directory); --check fails when they differ";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(USAGE.to_string());
    };
    if cmd == "regen" {
        let check = rest.iter().any(|a| a == "--check");
        let root = rest
            .iter()
            .find(|a| !a.starts_with('-'))
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let config = codegen::workspace::config(&root);
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
        return Ok(());
    }
    let mut config = codegen::Config::new();
    let mut out = None;
    let mut check = false;
    let mut specs = 0;
    let mut i = 0;
    while i < rest.len() {
        match rest[i].as_str() {
            "--out" | "-o" => {
                i += 1;
                out = Some(rest.get(i).ok_or("--out needs a directory")?.clone());
            }
            "--name" | "--crate-name" => {
                i += 1;
                config.crate_name(
                    rest.get(i)
                        .ok_or("--crate-name needs a crate name")?
                        .clone(),
                );
            }
            "--force" => {
                config.force(true);
            }
            "--runtime" => {
                i += 1;
                let how = rest
                    .get(i)
                    .ok_or("--runtime needs `vendored`, `path=<DIR>` or `version=<REQ>`")?;
                config.runtime(match how.split_once('=') {
                    None if how == "vendored" => codegen::Runtime::Vendored,
                    Some(("path", dir)) if !dir.is_empty() => codegen::Runtime::Path(dir.into()),
                    Some(("version", req)) if !req.is_empty() => {
                        codegen::Runtime::Version(req.into())
                    }
                    _ => {
                        return Err(format!(
                        "--runtime {how:?}: expected `vendored`, `path=<DIR>` or `version=<REQ>`"
                    ))
                    }
                });
            }
            "--check" => check = true,
            "--workspace-build" => {
                let build = rest
                    .get(i + 1)
                    .ok_or("--workspace-build needs <BUILD_RS> <CODEGEN_PATH>")?;
                let path = rest
                    .get(i + 2)
                    .ok_or("--workspace-build needs <BUILD_RS> <CODEGEN_PATH>")?;
                config.build_script(build.clone(), path.clone());
                i += 2;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}\n{USAGE}")),
            spec => {
                config.spec(spec);
                specs += 1;
            }
        }
        i += 1;
    }
    if specs == 0 {
        return Err(format!("no spec given\n{USAGE}"));
    }
    match cmd.as_str() {
        "check" => {
            let warnings = config.check().map_err(|d| d.to_string())?;
            for w in &warnings {
                eprintln!("{w}");
            }
            eprintln!("ok: {} spec(s), {} warning(s)", specs, warnings.len());
            Ok(())
        }
        "generate" => {
            let out = out.ok_or_else(|| format!("generate needs --out <DIR>\n{USAGE}"))?;
            config.out_dir(&out);
            if !config.regenerates_itself() {
                config.standalone(true);
            }
            if check {
                let warnings = config.check_dir().map_err(|e| e.to_string())?;
                eprintln!("ok: {out} is up to date ({} warning(s))", warnings.len());
                return Ok(());
            }
            let report = config.write().map_err(|e| e.to_string())?;
            for w in &report.warnings {
                eprintln!("{w}");
            }
            eprintln!(
                "wrote {} file(s), {} unchanged, {} removed, into {out}",
                report.written.len(),
                report.unchanged.len(),
                report.removed.len()
            );
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}
