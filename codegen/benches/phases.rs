//! Where `check` spends its time, against the floor: a bare `openapiv3` deserialization of
//! the same file (`serde_yaml`/`serde_json` straight into `openapiv3::OpenAPI`), our load
//! (syntax tree with positions kept, the tolerant step, `openapiv3` with paths to errors),
//! and load plus lowering (what `codegen check` does). A bench binary that prints figures:
//! the median of its runs and the ratio of `check` to the bare parse.
//!
//! ```text
//! cargo bench -p codegen --bench phases                   # the corpus's big specs
//! cargo bench -p codegen --bench phases -- stripe         # specs whose name contains a word
//! cargo bench -p codegen --bench phases -- spotify.yaml   # any file of the corpus, by its name
//! ```
//!
//! Environment: `CORPUS` (default `<repo>/../shared/corpus`), `BENCH_ITERS` (runs per
//! phase and spec, default 7); `PROFILE_LOWER=<spec>` lowers that spec 20 times and prints
//! nothing, for a profiler.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SPECS: &[&str] = &[
    "stripe-2023-09.yaml",
    "github.json",
    "digitalocean.yaml",
    "box.json",
    "oxide-nexus.json",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(iters: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache and the allocator
    median(
        (0..iters)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn bare(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let doc: openapiv3::OpenAPI = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| e.to_string())?
    } else {
        serde_yaml::from_str(&text).map_err(|e| e.to_string())?
    };
    black_box(doc);
    Ok(())
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let corpus = std::env::var("CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    if let Ok(spec) = std::env::var("PROFILE_LOWER") {
        // For a profiler: lowering alone, on a spec loaded once.
        let loaded = codegen::load::load_file(Path::new(&spec)).expect("loads");
        for _ in 0..20 {
            black_box(codegen::lower_loaded(&loaded).expect("lowers"));
        }
        return;
    }
    let iters: usize = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    println!(
        "{:<24} {:>12} {:>12} {:>12} {:>8}",
        "spec", "openapiv3", "load", "check", "ratio"
    );
    // The default specs a word names, then any other file of the corpus named in full.
    let mut names: Vec<&str> = SPECS
        .iter()
        .copied()
        .filter(|name| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())))
        .collect();
    for f in &filter {
        if !SPECS.contains(&f.as_str()) && corpus.join(f).is_file() {
            names.push(f);
        }
    }
    for name in names {
        let path = corpus.join(name);
        if !path.exists() {
            println!("{name:<24} (not found in {})", corpus.display());
            continue;
        }
        if let Err(e) = bare(&path) {
            println!("{name:<24} openapiv3 cannot read it ({e}): no floor");
            continue;
        }
        let floor = time(iters, || bare(&path).expect("read before"));
        let load = time(iters, || {
            black_box(codegen::load::load_file(&path).expect("loads"));
        });
        let check = time(iters, || {
            black_box(codegen::lower_spec(&path).expect("lowers"));
        });
        println!(
            "{name:<24} {:>10.1}ms {:>10.1}ms {:>10.1}ms {:>8.2}",
            floor.as_secs_f64() * 1e3,
            load.as_secs_f64() * 1e3,
            check.as_secs_f64() * 1e3,
            check.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
