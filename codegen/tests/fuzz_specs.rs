//! Property test: specs mutated at the level of their YAML tree (keys deleted, values replaced
//! by other types, `$ref`s pointing back at their ancestors to make cycles, huge numbers, odd
//! strings, subtrees duplicated elsewhere) never panic, abort or hang in load + lower, and
//! whatever lowers is emitted (examples too) into code that parses. The first
//! [`COMPILED_SAMPLE`] mutated specs that lower become the modules of one crate, which must
//! pass `cargo clippy -D warnings`.
//!
//! Deterministic: a fixed seed and 256 cases (`PROPTEST_CASES` overrides the count;
//! `COMPILED_SAMPLE` the size of the sample), and no failure-persistence files; a failure
//! prints the minimal mutated spec, or keeps the crate that clippy failed on.

mod support;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_yaml::{Mapping, Value};

fn bases() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = [root.join("tests/fixtures"), root.join("../spec")]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        // A stress fixture for rustc's recursion limit, not a construct to mutate: each
        // mutation of it renders and compiles 100 levels of nested types, which took this
        // test from 14 to 245 s. The hostile depth tests cover deep nesting.
        .filter(|p| !p.ends_with("deep_nesting.yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let v: Value = serde_yaml::from_str(&text).ok()?;
            Some((p.file_name()?.to_string_lossy().into_owned(), v))
        })
        .collect()
}

#[derive(Clone, Debug)]
enum Seg {
    Key(Value),
    Index(usize),
}

/// Every node's path, breadth-first (iterative).
fn paths(root: &Value) -> Vec<Vec<Seg>> {
    let mut out = vec![Vec::new()];
    let mut i = 0;
    while i < out.len() {
        let path = out[i].clone();
        match get(root, &path) {
            Some(Value::Mapping(m)) => {
                for k in m.keys() {
                    let mut p = path.clone();
                    p.push(Seg::Key(k.clone()));
                    out.push(p);
                }
            }
            Some(Value::Sequence(s)) => {
                for j in 0..s.len() {
                    let mut p = path.clone();
                    p.push(Seg::Index(j));
                    out.push(p);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn get<'a>(mut v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    for s in path {
        v = match (s, v) {
            (Seg::Key(k), Value::Mapping(m)) => m.get(k)?,
            (Seg::Index(i), Value::Sequence(s)) => s.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn get_mut<'a>(mut v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    for s in path {
        v = match (s, v) {
            (Seg::Key(k), Value::Mapping(m)) => m.get_mut(k)?,
            (Seg::Index(i), Value::Sequence(s)) => s.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// The JSON pointer of a path (for `$ref`s back to an ancestor).
fn pointer(path: &[Seg]) -> String {
    let mut out = String::from("#");
    for s in path {
        out.push('/');
        match s {
            Seg::Key(k) => {
                let k = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                };
                out.push_str(&k.replace('~', "~0").replace('/', "~1"));
            }
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

const ODD_STRINGS: &[&str] = &[
    "",
    " ",
    "~1%7B",
    "#/",
    "#/components/schemas/",
    "\u{feff}",
    "{",
    "a\nb",
    "\u{540d}\u{524d}",
    "\u{1F980}",
    "$ref",
    "\\d+(",
    "(?=x)",
    "123abc",
    "List rules",
    "x-max-bytes",
    "-1",
];

fn replacement(kind: u64, pick: u64) -> Value {
    let s = |x: &str| Value::String(x.to_string());
    match kind % 12 {
        0 => Value::Null,
        1 => Value::Bool(pick.is_multiple_of(2)),
        2 => Value::Number((pick as i64 % 1000).into()),
        3 => Value::Number(u64::MAX.into()),
        4 => Value::Number(i64::MIN.into()),
        5 => Value::Number(serde_yaml::Number::from(1e308)),
        6 => Value::Number(serde_yaml::Number::from(-4.5)),
        7 => s(ODD_STRINGS[(pick as usize) % ODD_STRINGS.len()]),
        8 => Value::Sequence(Vec::new()),
        9 => Value::Mapping(Mapping::new()),
        10 => {
            let mut m = Mapping::new();
            m.insert(
                s("type"),
                s(["string", "object", "array", "integer"][(pick % 4) as usize]),
            );
            m.insert(s("x-max-bytes"), s("20"));
            Value::Mapping(m)
        }
        _ => {
            let mut m = Mapping::new();
            m.insert(s("oneOf"), Value::Sequence(vec![Value::Null, s("x")]));
            Value::Mapping(m)
        }
    }
}

/// Applies one mutation, chosen by `op`, at the node chosen by `at` (`other` picks a second
/// node or a value).
fn mutate(doc: &mut Value, op: u8, at: u64, other: u64) {
    let all = paths(doc);
    let path = all[(at as usize) % all.len()].clone();
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    match op {
        // Delete a key or an item.
        0 => match (get_mut(doc, parent), last) {
            (Some(Value::Mapping(m)), Seg::Key(k)) => {
                m.remove(k);
            }
            (Some(Value::Sequence(s)), Seg::Index(i)) if *i < s.len() => {
                s.remove(*i);
            }
            _ => {}
        },
        // A value of another type, a huge number or an odd string.
        1 | 2 => {
            if let Some(v) = get_mut(doc, &path) {
                *v = replacement(other, at);
            }
        }
        // A `$ref` back at an ancestor (a cycle) or at a component schema.
        3 => {
            let target = if other.is_multiple_of(2) {
                pointer(&path[..(other as usize / 2) % path.len()])
            } else {
                let names: Vec<String> = doc
                    .get("components")
                    .and_then(|c| c.get("schemas"))
                    .and_then(Value::as_mapping)
                    .map(|m| {
                        m.keys()
                            .filter_map(|k| k.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                match names.get((other as usize / 2) % names.len().max(1)) {
                    Some(n) => format!("#/components/schemas/{}", n.replace(' ', "%20")),
                    None => "#/components/schemas/Nope".to_string(),
                }
            };
            if let Some(v) = get_mut(doc, &path) {
                let mut m = Mapping::new();
                m.insert(Value::String("$ref".into()), Value::String(target));
                *v = Value::Mapping(m);
            }
        }
        // A subtree copied over another node (an ancestor into a descendant nests it deeper).
        4 => {
            let from = all[(other as usize) % all.len()].clone();
            if let Some(copy) = get(doc, &from).cloned() {
                if let Some(v) = get_mut(doc, &path) {
                    *v = copy;
                }
            }
        }
        // An odd key beside the node.
        _ => {
            if let Some(Value::Mapping(m)) = get_mut(doc, parent) {
                let key = ODD_STRINGS[(other as usize) % ODD_STRINGS.len()];
                m.insert(Value::String(key.to_string()), replacement(other / 7, at));
            }
        }
    }
}

/// How many of the mutated specs that lower are compiled, as the modules of one crate, unless
/// the variable of that name says otherwise.
const COMPILED_SAMPLE: usize = 40;

#[test]
fn mutated_spec_trees_never_panic_and_what_lowers_compiles_clippy_clean() {
    let bases = bases();
    assert!(bases.len() > 20, "fixtures and spec/ found");
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let n = bases.len();
    let emitted = std::sync::atomic::AtomicUsize::new(0);
    let sample_size = std::env::var("COMPILED_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(COMPILED_SAMPLE);
    // An 8 MiB stack, as a program's main thread has: what runs here must fit in it. Marked
    // as the CLI marks its main thread, so the library runs here, as it does in the CLI.
    let sample = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            codegen::this_thread_has_a_large_stack();
            // (base spec's name, mutated text) of the first specs that lower.
            let sample: RefCell<Vec<(String, String)>> = RefCell::default();
            let mut runner = TestRunner::new_with_rng(
                config,
                TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]),
            );
            let strategy = (
                0..n,
                proptest::collection::vec((0u8..6, any::<u64>(), any::<u64>()), 1..8),
            );
            let result = runner.run(&strategy, |(base, ops)| {
                let (name, doc) = &bases[base];
                let mut doc = doc.clone();
                for (op, at, other) in ops {
                    mutate(&mut doc, op, at, other);
                }
                let text = serde_yaml::to_string(&doc)
                    .map_err(|e| TestCaseError::reject(e.to_string()))?;
                let path = Path::new(name);
                let kept = (sample.borrow().len() < sample_size).then(|| text.clone());
                // Ok or Err (diagnostics) are both fine for loading and lowering; only a
                // panic fails. What lowers is emitted, examples too, and that must succeed:
                // an error there is generated code that does not parse.
                let Ok(spec) = codegen::load::load_str(path, text) else {
                    return Ok(());
                };
                let Ok((api, _)) = codegen::lower_loaded(&spec) else {
                    return Ok(());
                };
                let module = codegen::ir::ModuleInput {
                    module: "fuzzed".into(),
                    spec_name: name.clone(),
                    api,
                };
                codegen::emit::krate::crate_files(
                    &[module],
                    "Fuzzed.",
                    Some("fuzzed"),
                    &codegen::Runtime::Vendored,
                )
                .map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
                emitted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Some(kept) = kept {
                    sample.borrow_mut().push((name.clone(), kept));
                }
                Ok(())
            });
            if let Err(e) = result {
                panic!("{e}");
            }
            // Enough mutated specs lower for the emission to be tried on many.
            let emitted = emitted.load(std::sync::atomic::Ordering::Relaxed);
            assert!(
                emitted * 10 >= cases as usize,
                "{emitted} of {cases} emitted"
            );
            sample.into_inner()
        })
        .unwrap()
        .join()
        .expect("no panic");
    compile_sample(&sample);
}

/// Generates one crate with a module for each mutated spec of `sample` and runs `cargo clippy
/// -D warnings` on it: what the generator accepts must compile without a warning.
fn compile_sample(sample: &[(String, String)]) {
    assert!(!sample.is_empty(), "no mutated spec lowered");
    let tmp = tempfile::Builder::new()
        .prefix("codegen-mutated-")
        .tempdir()
        .expect("temp dir");
    let specs: Vec<PathBuf> = sample
        .iter()
        .enumerate()
        .map(|(i, (name, text))| {
            // The module is named after the file: m00_arrays, m01_octet_stream, ...
            let path = tmp.path().join(format!("m{i:02}_{name}"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let dir = tmp.path().join("mutated-crate");
    support::write_crate(&specs, &dir, "mutated-crate");
    // Kept when clippy fails, for a look at the specs and the code.
    let root = tmp.keep();
    eprintln!("mutated specs and their crate: {}", root.display());
    support::assert_clippy_clean(&dir);
    let _ = std::fs::remove_dir_all(&root);
}
