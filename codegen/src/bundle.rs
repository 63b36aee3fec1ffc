//! Bundling: each spec of a workspace's `spec/` as one self-contained file in JSON and in
//! YAML, under `dist/`, for generators of other languages, and as an HTML API reference
//! ([`crate::reference`]) for people (`codegen bundle`).
//!
//! A `$ref` to another file (`common.yaml#/components/schemas/Money`) is replaced by what it
//! points at, itself bundled; a `$ref` inside the spec (`#/components/...`) stays as written.
//! A `$ref` inside a referenced file that points into that file is inlined too (its pointer
//! means nothing in the bundle); one that points back into the spec becomes a local `$ref`.
//! Keys keep the order of the source; the YAML quotes every string a YAML 1.1 parser would
//! read as something else ([`to_yaml`]). Every file ends with a newline and is written only when
//! its bytes change; `.json`, `.yaml` and `.html` files in `dist/` that no spec produces any
//! more are removed ([`write()`]) or reported ([`drift`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::config::Error;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::WriteReport;

/// The output directory of a workspace's bundles, relative to its root.
pub const DIST_DIR: &str = "dist";

/// One bundled file: its path relative to the workspace root and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledFile {
    /// `dist/<spec name>.json`, `.yaml` or `.html`.
    pub path: PathBuf,
    /// The whole file, ending with a newline.
    pub contents: String,
}

/// The bundles of every spec in `<root>/spec` (see [`crate::workspace::specs`]): for each,
/// `dist/<name>.json`, `dist/<name>.yaml` then `dist/<name>.html`, in the order of the specs.
pub fn render(root: &Path) -> Result<Vec<BundledFile>, Error> {
    let specs = crate::workspace::specs(&root.join("spec"));
    if specs.is_empty() {
        return Err(Error::Usage(format!(
            "no spec (*.yaml, *.yml, *.json) in {}",
            root.join("spec").display()
        )));
    }
    let mut files = Vec::new();
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    for spec in &specs {
        let name = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| Error::Usage(format!("{}: not a UTF-8 file name", spec.display())))?
            .to_string();
        if let Some(other) = names.insert(name.clone(), spec.clone()) {
            return Err(Error::Usage(format!(
                "{} and {} would both be bundled as {DIST_DIR}/{name}.json: rename one",
                other.display(),
                spec.display()
            )));
        }
        let tree = bundle_file(spec)?;
        check_bundle(spec, &tree)?;
        let source = spec
            .strip_prefix(root)
            .unwrap_or(spec)
            .display()
            .to_string();
        let mut json = serde_json::to_string_pretty(&tree).expect("a JSON tree serializes");
        json.push('\n');
        let yaml = to_yaml(&tree);
        let yaml = format!(
            "# Bundled from {source} by `cargo run -p codegen -- bundle`: do not edit.\n{yaml}"
        );
        let html = crate::reference::render(&tree, &name);
        let dist = Path::new(DIST_DIR);
        files.push(BundledFile {
            path: dist.join(format!("{name}.json")),
            contents: json,
        });
        files.push(BundledFile {
            path: dist.join(format!("{name}.yaml")),
            contents: yaml,
        });
        files.push(BundledFile {
            path: dist.join(format!("{name}.html")),
            contents: html,
        });
    }
    Ok(files)
}

/// Checks the bundle of `spec` as the generator checks a spec: what is published for other
/// generators is what this one accepts. A file of `spec/` that is no OpenAPI document (a
/// fragment without `openapi`), a dangling `$ref` or bounds that contradict each other are
/// errors here too, located in `spec`'s own text where the pointer is in it.
fn check_bundle(spec: &Path, tree: &Value) -> Result<(), Error> {
    let text = serde_json::to_string(tree).expect("a JSON tree serializes");
    let checked = crate::load::load_str(spec, text).and_then(|s| crate::lower_loaded(&s));
    let Err(found) = checked else {
        return Ok(());
    };
    let source = std::fs::read_to_string(spec).unwrap_or_default();
    let mut sink = crate::diag::Sink::new(spec, &source);
    for d in found.errors() {
        sink.error(&d.pointer, d.message.clone());
    }
    Err(Error::Spec(Diagnostics(sink.into_items())))
}

/// Writes the bundles of `<root>/spec` into `<root>/dist`, each file only when its bytes
/// change, and removes the `.json`, `.yaml` and `.html` files of `dist/` that no spec produces.
pub fn write(root: &Path) -> Result<WriteReport, Error> {
    let files = render(root)?;
    let mut report = WriteReport::default();
    let dist = root.join(DIST_DIR);
    if dist.is_symlink() {
        return Err(Error::Usage(format!(
            "{} is a symbolic link: refusing to write through it",
            dist.display()
        )));
    }
    std::fs::create_dir_all(&dist).map_err(|e| Error::Io(dist.clone(), e))?;
    for f in &files {
        let path = root.join(&f.path);
        if std::fs::read(&path).ok().as_deref() == Some(f.contents.as_bytes()) {
            report.unchanged.push(f.path.clone());
            continue;
        }
        std::fs::write(&path, &f.contents).map_err(|e| Error::Io(path.clone(), e))?;
        report.written.push(f.path.clone());
    }
    for stale in stale(root, &files) {
        let path = root.join(&stale);
        std::fs::remove_file(&path).map_err(|e| Error::Io(path, e))?;
        report.removed.push(stale);
    }
    Ok(report)
}

/// The files of `<root>/dist` that differ from what [`write()`] would write (missing, other
/// bytes, or produced by no spec), relative to `root`; empty when `dist/` is up to date.
pub fn drift(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let files = render(root)?;
    let mut differ: Vec<PathBuf> = files
        .iter()
        .filter(|f| {
            std::fs::read(root.join(&f.path)).ok().as_deref() != Some(f.contents.as_bytes())
        })
        .map(|f| f.path.clone())
        .collect();
    differ.extend(stale(root, &files));
    Ok(differ)
}

/// The `.json`, `.yaml` and `.html` files directly in `<root>/dist` that `files` does not name,
/// sorted.
fn stale(root: &Path, files: &[BundledFile]) -> Vec<PathBuf> {
    let mut stale: Vec<PathBuf> = std::fs::read_dir(root.join(DIST_DIR))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| Path::new(DIST_DIR).join(e.file_name()))
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| matches!(e, "json" | "yaml" | "html"))
                        && !files.iter().any(|f| &f.path == p)
                })
                .collect()
        })
        .unwrap_or_default();
    stale.sort();
    stale
}

/// The spec at `path` with every `$ref` to another file resolved.
pub fn bundle_file(path: &Path) -> Result<Value, Error> {
    let root = canonical(path)?;
    let mut resolver = Resolver {
        base: root.parent().unwrap_or(Path::new("/")).to_path_buf(),
        root: root.clone(),
        docs: HashMap::new(),
        stack: Vec::new(),
    };
    let mut tree = resolver.doc(&root)?.clone();
    resolver.walk(&mut tree, &root, &mut String::new())?;
    Ok(tree)
}

/// The text of the regular file at `path`, of at most [`MAX_FILE_BYTES`]: never a device, a
/// pipe or a directory, and never read without end.
fn read_regular_file(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let io = |e| Error::Io(path.to_path_buf(), e);
    let invalid = |what: String| {
        Error::Io(
            path.to_path_buf(),
            std::io::Error::new(std::io::ErrorKind::InvalidInput, what),
        )
    };
    // Looked at before opening: opening a FIFO waits for a writer.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(invalid("not a regular file".into()));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(io)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(invalid(format!("larger than {} MiB", MAX_FILE_BYTES >> 20)));
    }
    Ok(text)
}

fn canonical(path: &Path) -> Result<PathBuf, Error> {
    std::fs::canonicalize(path).map_err(|e| Error::Io(path.to_path_buf(), e))
}

/// The largest file a reference may bring into a bundle.
const MAX_FILE_BYTES: u64 = 64 << 20;

struct Resolver {
    /// The directory of the spec being bundled: references stay inside it.
    base: PathBuf,
    /// The spec being bundled.
    root: PathBuf,
    /// Every document read, by canonical path.
    docs: HashMap<PathBuf, Value>,
    /// The `file#pointer`s being inlined, outermost first (a repeat is a cycle).
    stack: Vec<String>,
}

fn spec_error(file: &Path, pointer: &str, message: String) -> Error {
    Error::Spec(Diagnostics(vec![Diagnostic {
        severity: Severity::Error,
        file: file.to_path_buf(),
        line: None,
        column: None,
        pointer: pointer.to_string(),
        message,
    }]))
}

impl Resolver {
    fn doc(&mut self, path: &Path) -> Result<&Value, Error> {
        if !self.docs.contains_key(path) {
            let text = read_regular_file(path)?;
            let tree = crate::load::parse_tree(path, &text).map_err(Error::Spec)?;
            self.docs.insert(path.to_path_buf(), tree);
        }
        Ok(&self.docs[path])
    }

    /// Resolves the `$ref`s in `v`, a part of the document `doc` at `pointer`.
    fn walk(&mut self, v: &mut Value, doc: &Path, pointer: &mut String) -> Result<(), Error> {
        let len = pointer.len();
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let r = r.clone();
                    if let Some(replacement) = self.resolve(&r, doc, pointer)? {
                        *v = replacement;
                    }
                    return Ok(());
                }
                for (k, child) in map.iter_mut() {
                    pointer.push('/');
                    pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    self.walk(child, doc, pointer)?;
                    pointer.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    pointer.push_str(&format!("/{i}"));
                    self.walk(child, doc, pointer)?;
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What replaces the object holding `$ref: r` (in `doc` at `at`): `None` keeps it.
    fn resolve(&mut self, r: &str, doc: &Path, at: &str) -> Result<Option<Value>, Error> {
        let (file, fragment) = r.split_once('#').unwrap_or((r, ""));
        if file.is_empty() && doc == self.root {
            return Ok(None);
        }
        if file.contains("://") {
            return Err(spec_error(
                doc,
                at,
                format!("`$ref: {r}`: remote references are not bundled; use a file path"),
            ));
        }
        let target = if file.is_empty() {
            doc.to_path_buf()
        } else {
            let file = crate::load::percent_decode(file).unwrap_or_else(|| file.to_string());
            let joined = doc.parent().unwrap_or(Path::new(".")).join(file);
            let target =
                canonical(&joined).map_err(|e| spec_error(doc, at, format!("`$ref: {r}`: {e}")))?;
            // A spec is a stranger's text: what it references is bundled into dist/ and
            // published, so it may not reach beyond the spec's own directory.
            if !target.starts_with(&self.base) {
                return Err(spec_error(
                    doc,
                    at,
                    format!(
                        "`$ref: {r}` leads outside the spec's directory {}; only files in it are bundled",
                        self.base.display()
                    ),
                ));
            }
            target
        };
        if target == self.root {
            // Back into the spec: a local reference in the bundle.
            let mut local = serde_json::Map::new();
            local.insert("$ref".into(), Value::String(format!("#{fragment}")));
            return Ok(Some(Value::Object(local)));
        }
        let key = format!("{}#{fragment}", target.display());
        if self.stack.contains(&key) {
            return Err(spec_error(
                doc,
                at,
                format!("`$ref: {r}` refers to itself through other files: it cannot be inlined"),
            ));
        }
        let pointer = crate::load::percent_decode(fragment).unwrap_or_else(|| fragment.to_string());
        let Some(found) = self.doc(&target)?.pointer(&pointer).cloned() else {
            return Err(spec_error(
                doc,
                at,
                format!(
                    "`$ref: {r}`: {} has nothing at `{pointer}`",
                    target.display()
                ),
            ));
        };
        let mut found = found;
        self.stack.push(key);
        self.walk(&mut found, &target, &mut pointer.clone())?;
        self.stack.pop();
        Ok(Some(found))
    }
}

/// The tree as block-style YAML that reads back the same under YAML 1.2 and 1.1 parsers alike
/// (PyYAML, js-yaml and others read `2023-06-20 00:00:00`, `yes` or `0755` unquoted as a
/// date, a boolean or a number): a string is plain only when it is plainly a string, a literal
/// block (`|`) when it has several lines, double-quoted (JSON escapes) otherwise.
pub fn to_yaml(tree: &Value) -> String {
    let mut out = String::new();
    match tree {
        Value::Object(map) if !map.is_empty() => yaml_map(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => yaml_seq(&mut out, items, 0),
        other => {
            yaml_after_key(&mut out, other, 0);
            out.remove(0);
        }
    }
    out
}

fn yaml_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize, inline: bool) {
    for (i, (k, v)) in map.iter().enumerate() {
        if !(inline && i == 0) {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&yaml_scalar_str(k));
        out.push(':');
        yaml_after_key(out, v, indent);
    }
}

fn yaml_seq(out: &mut String, items: &[Value], indent: usize) {
    for v in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match v {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                yaml_map(out, map, indent + 2, true);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                yaml_seq(out, inner, indent + 2);
            }
            _ => yaml_after_key(out, v, indent),
        }
    }
}

/// What follows `key:` or `-`: a space and a scalar, or a nested block on the next lines.
fn yaml_after_key(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            yaml_map(out, map, indent + 2, false);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            yaml_seq(out, items, indent);
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        Value::String(s) if literal_block_fits(s) => {
            let body = s.strip_suffix('\n');
            out.push_str(if body.is_some() { " |\n" } else { " |-\n" });
            for line in body.unwrap_or(s).split('\n') {
                if !line.is_empty() {
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        Value::String(s) => {
            out.push(' ');
            out.push_str(&yaml_scalar_str(s));
            out.push('\n');
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar.to_string());
            out.push('\n');
        }
    }
}

/// A multi-line string a literal block holds exactly: at most one ending newline, no line of
/// spaces only, no leading space on the first line, nothing but printable characters and tabs.
fn literal_block_fits(s: &str) -> bool {
    s.contains('\n')
        && !s.ends_with("\n\n")
        && !s.starts_with([' ', '\t', '\n'])
        && s.split('\n').all(|l| l.is_empty() || !l.trim().is_empty())
        && !s
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{feff}')
}

/// A string as a plain scalar when no YAML parser can read it as anything else, otherwise
/// double-quoted.
fn yaml_scalar_str(s: &str) -> String {
    const KEYWORDS: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null"];
    // `:` only where no `: ` or ending `:` makes a key of it, `#` only where no ` #` makes a
    // comment of it; the first character no indicator and no digit or sign.
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '_' | '$'))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    ' ' | '_'
                        | '.'
                        | '/'
                        | '-'
                        | ','
                        | '('
                        | ')'
                        | '\''
                        | '`'
                        | ';'
                        | '='
                        | '+'
                        | '$'
                        | ':'
                        | '#'
                        | '{'
                        | '}'
                        | '['
                        | ']'
                        | '@'
                        | '?'
                        | '!'
                        | '%'
                        | '&'
                        | '*'
                        | '"'
                )
        })
        && !KEYWORDS.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::to_yaml;
    use serde_json::json;

    #[test]
    fn yaml_reads_back_the_same_tree_and_quotes_what_yaml_1_1_would_retype() {
        let tree = json!({
            "date": "2023-06-20 00:00:00", "yes": "yes", "Off": "Off", "octal": "0755",
            "time": "9:00", "empty": "", "tilde": "~", "colon": "a: b", "comment": "a #b",
            "$ref": "#/components/schemas/X", "url": "https://h/{x}", "key:": "v",
            "multi": "line one\n  two\n", "no_end": "a\nb", "blank": "a\n\nb\n",
            "spaces": "a\n  \nb", "lead": " a\nb", "ends": "a\n\n", "tab": "a\tb\nc",
            "n": 1.5, "i": -3, "t": true, "z": null, "m": {}, "l": [],
            "seq": [[1, [2]], {"a": {"b": [{"c": "d", "e": []}]}}, "x"],
            "200": {"description": "ok"}
        });
        let yaml = to_yaml(&tree);
        let back: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back, tree, "{yaml}");
        for quoted in [
            "date: \"2023-06-20 00:00:00\"",
            "\"yes\": \"yes\"",
            "octal: \"0755\"",
            "time: \"9:00\"",
            "\"200\":",
        ] {
            assert!(yaml.contains(quoted), "{quoted} in {yaml}");
        }
        assert!(yaml.contains("$ref: \"#/components/schemas/X\""), "{yaml}");
        assert!(yaml.contains("multi: |\n  line one\n    two\n"), "{yaml}");
        assert!(yaml.ends_with('\n'));
    }
}
