//! Generation time, load to formatted output, in process: `codegen::Config::render()` (load,
//! check, lower, emit, prettyplease) on the largest public specs of `../shared/corpus` and on
//! this repository's own specs. A bench binary (`harness = false`) that prints figures; the
//! comparison against progenitor's CLI is `scripts/bench-generate.sh`, which times both CLIs
//! in the same run.
//!
//! ```text
//! cargo bench -p codegen --bench generate                  # all specs
//! cargo bench -p codegen --bench generate -- github.json   # specs whose name contains a word
//! ```
//!
//! Environment: `CORPUS` (default `<repo>/../shared/corpus`), `BENCH_ITERS` (at most this many
//! timed runs per spec, default 10), `BENCH_SECS` (stop a spec's runs after this many seconds,
//! default 20). Every loop is bounded by both.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CORPUS_SPECS: &[&str] = &[
    "stripe-2023-09.yaml",
    "github.json",
    "digitalocean.yaml",
    "box.json",
    "oxide-nexus.json",
    "oxide-propolis-server.json",
    "oxide-buildomat.json",
    "oxide-keeper.json",
];

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One generation, or the first error line.
fn render(specs: &[PathBuf]) -> Result<(usize, usize), String> {
    let mut config = codegen::Config::new();
    for s in specs {
        config.spec(s);
    }
    config.out_dir("bench-out").crate_name("bench-out");
    let out = config
        .render()
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())?;
    let bytes = out.files.iter().map(|f| f.contents.len()).sum();
    Ok((out.files.len(), bytes))
}

fn bench(label: &str, specs: &[PathBuf], max_iters: u64, max_time: Duration) {
    // One untimed run: warms the page cache and shows whether the spec generates at all.
    let (files, bytes) = match render(specs) {
        Ok(v) => v,
        Err(e) => {
            println!("{label:<28} FAILED: {e}");
            return;
        }
    };
    let mut times = Vec::new();
    let start = Instant::now();
    while (times.len() as u64) < max_iters && start.elapsed() < max_time {
        let t = Instant::now();
        let _ = black_box(render(black_box(specs)));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let n = times.len() as f64;
    let mean = times.iter().sum::<f64>() / n;
    let sd = (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / n).sqrt();
    println!(
        "{label:<28} mean {mean:>9.1} ms  ± {sd:>7.1}  min {:>9.1}  median {:>9.1}  runs {:>3}  files {files:>3}  output {:>6} KiB",
        times[0],
        times[times.len() / 2],
        times.len(),
        bytes / 1024
    );
}

fn main() {
    // `cargo bench` passes `--bench`; anything else not starting with '-' filters by name.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    let max_iters = env_num("BENCH_ITERS", 10).max(1);
    let max_time = Duration::from_secs(env_num("BENCH_SECS", 20));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = manifest.parent().unwrap_or(manifest);
    let corpus = std::env::var_os("CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("../shared/corpus"));

    println!("codegen::Config::render(): load, check, lower, emit, prettyplease (in process)");
    println!(
        "at most {max_iters} runs or {}s per spec",
        max_time.as_secs()
    );
    let own = codegen::workspace::specs(&repo.join("spec"));
    if wanted("osm") && !own.is_empty() {
        bench("spec/ (osm + aicc-case)", &own, max_iters, max_time);
    }
    for name in CORPUS_SPECS {
        if !wanted(name) {
            continue;
        }
        let path = corpus.join(name);
        if !path.is_file() {
            println!("{name:<28} SKIPPED: {} not found", path.display());
            continue;
        }
        bench(name, &[path], max_iters, max_time);
    }
}
