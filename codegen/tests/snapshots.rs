//! Snapshot tests: each fixture in `tests/fixtures/<name>.yaml` is rendered and its
//! `src/<name>/types.rs` and `src/<name>/client.rs` are compared with
//! `tests/snapshots/<name>/{types,client}.rs`.
//!
//! To accept new output (bindgen/insta style), run with `UPDATE_SNAPSHOTS=1`:
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test -p codegen --test snapshots
//! ```
//!
//! and review the diff of `tests/snapshots/` before committing it.

use std::path::{Path, PathBuf};

use codegen::{Config, Output};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(format!("{name}.yaml"))
}

fn render(specs: &[&str]) -> Output {
    let mut config = Config::new();
    for s in specs {
        config.spec(fixture(s));
    }
    config
        .out_dir("/nonexistent/snapshot-crate")
        .crate_name("snapshot-crate")
        .standalone(true);
    config
        .render()
        .unwrap_or_else(|e| panic!("rendering {specs:?} failed:\n{e}"))
}

fn file<'a>(out: &'a Output, path: &str) -> &'a str {
    out.files
        .iter()
        .find(|f| f.path == Path::new(path))
        .map(|f| &*f.contents)
        .unwrap_or_else(|| {
            let paths: Vec<_> = out
                .files
                .iter()
                .map(|f| f.path.display().to_string())
                .collect();
            panic!("no {path} in the output; files: {paths:?}")
        })
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// A line diff (longest common subsequence) with three lines of context, at most `limit`
/// lines long.
fn line_diff(expected: &str, actual: &str, limit: usize) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // Trim the common prefix and suffix so the table stays small.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut lcs = vec![vec![0u32; mb.len() + 1]; ma.len() + 1];
    for i in (0..ma.len()).rev() {
        for j in (0..mb.len()).rev() {
            lcs[i][j] = if ma[i] == mb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // (tag, line number in expected or actual, text)
    let mut ops: Vec<(char, usize, &str)> = Vec::new();
    for (k, line) in a[..prefix].iter().enumerate() {
        ops.push((' ', k + 1, line));
    }
    let (mut i, mut j) = (0, 0);
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
            ops.push((' ', prefix + i + 1, ma[i]));
            i += 1;
            j += 1;
        } else if i < ma.len() && (j == mb.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', prefix + i + 1, ma[i]));
            i += 1;
        } else {
            ops.push(('+', prefix + j + 1, mb[j]));
            j += 1;
        }
    }
    for (k, line) in a[a.len() - suffix..].iter().enumerate() {
        ops.push((' ', a.len() - suffix + k + 1, line));
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut out = Vec::new();
    let mut last_shown: Option<usize> = None;
    for (k, op) in ops.iter().enumerate() {
        let near = changed.iter().any(|&c| c.abs_diff(k) <= 3);
        if !near {
            continue;
        }
        if last_shown.is_some_and(|l| l + 1 != k) || (last_shown.is_none() && k > 0) {
            out.push("   ...".to_string());
        }
        out.push(format!("{}{:5} {}", op.0, op.1, op.2));
        last_shown = Some(k);
        if out.len() >= limit {
            out.push(format!("   ... ({} changed lines in all)", changed.len()));
            break;
        }
    }
    out.join("\n")
}

fn check_snapshot(name: &str) {
    let out = render(&[name]);
    let mut failures = Vec::new();
    for kind in ["types", "client"] {
        let actual = file(&out, &format!("src/{name}/{kind}.rs"));
        let path = snapshots_dir().join(name).join(format!("{kind}.rs"));
        let expected = std::fs::read_to_string(&path).ok();
        if updating() {
            if expected.as_deref() != Some(actual) {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, actual).unwrap();
                eprintln!("updated {}", path.display());
            }
            continue;
        }
        match expected {
            None => failures.push(format!(
                "{} is missing; run `UPDATE_SNAPSHOTS=1 cargo test -p codegen --test snapshots` to create it",
                path.display()
            )),
            Some(expected) if expected != actual => failures.push(format!(
                "{} differs from the generated code (- snapshot, + generated):\n{}",
                path.display(),
                line_diff(&expected, actual, 120)
            )),
            Some(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended, re-bless with UPDATE_SNAPSHOTS=1 and review the diff.",
        failures.join("\n\n")
    );
}

macro_rules! snapshot_tests {
    ($($name:ident),* $(,)?) => {
        const FIXTURES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                check_snapshot(stringify!($name));
            }
        )*
    };
}

snapshot_tests!(
    objects,
    arrays,
    maps,
    enums,
    extensible_enum,
    numbers,
    string_formats,
    nullable,
    read_write_only,
    defaults,
    all_of,
    unions,
    recursive,
    keywords,
    big_bounds,
    constraints,
    no_operation_id,
    multi_success,
    media_types,
    multipart,
    paging,
    form,
    octet_stream,
    text_response,
    cookie_params,
    deep_object,
    header_params,
    empty_responses,
    hostile_docs,
    builder_members,
    emitted_names,
    deep_nesting,
);

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "yaml").then(|| p.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_has_a_snapshot_test_and_no_snapshot_is_orphaned() {
    let mut listed: Vec<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        fixture_names(),
        listed,
        "add the fixture to snapshot_tests!"
    );
    if let Ok(dirs) = std::fs::read_dir(snapshots_dir()) {
        for d in dirs.flatten() {
            let n = d.file_name().to_string_lossy().to_string();
            assert!(listed.contains(&n), "snapshot directory {n} has no fixture");
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    let all = fixture_names();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let first = render(&all);
    let second = render(&all);
    assert_eq!(first.files.len(), second.files.len());
    for (a, b) in first.files.iter().zip(&second.files) {
        assert_eq!(a.path, b.path);
        assert!(
            a.contents == b.contents,
            "{} differs between two runs",
            a.path.display()
        );
    }
    // A module does not depend on which other specs are rendered with it.
    for name in ["enums", "constraints", "unions"] {
        let alone = render(&[name]);
        for kind in ["types", "client"] {
            let p = format!("src/{name}/{kind}.rs");
            assert_eq!(
                file(&alone, &p),
                file(&first, &p),
                "{p} depends on the other specs"
            );
        }
    }
}

#[test]
fn every_file_starts_with_the_generated_header_naming_the_spec() {
    let out = render(&["objects", "maps"]);
    assert!(!out.files.is_empty());
    for f in &out.files {
        let path = f.path.to_string_lossy().replace('\\', "/");
        let first = f.contents.lines().next().unwrap_or("");
        let comment = if path == "Cargo.toml" { "# " } else { "// " };
        assert!(
            first.starts_with(&format!("{comment}@generated by codegen")),
            "{path}: first line is {first:?}"
        );
        let names_spec = if path.starts_with("src/objects/") {
            first.contains("objects.yaml")
        } else if path.starts_with("src/maps/") {
            first.contains("maps.yaml")
        } else if path == "src/runtime.rs" {
            // The runtime is the same for every spec; its header names where it comes from.
            first.contains("codegen/runtime/")
        } else {
            first.contains("objects.yaml") && first.contains("maps.yaml")
        };
        assert!(
            names_spec,
            "{path}: header does not name its source: {first:?}"
        );
    }
}

#[test]
fn the_diff_is_readable() {
    let d = line_diff("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n", 50);
    assert!(d.contains("-    2 b"), "{d}");
    assert!(d.contains("+    2 B"), "{d}");
    assert!(d.contains("+    5 e"), "{d}");
    assert!(d.contains("     1 a"), "{d}");
}
