//! Stage 1: load. Reads YAML or JSON, reports syntax errors with line and column, smooths over
//! the constructs that `openapiv3` cannot represent (keeping their meaning in extensions), and
//! deserializes the document, reporting a failure with the JSON pointer where it happened.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diag::{self, Diagnostic, Diagnostics, Severity, Sink};

mod document;
mod pieces;
mod structure;
pub mod yaml;

/// Extension under which the loader keeps a numeric bound of an integer schema that does not
/// fit in `i64` or is written with a fraction (`minimum: -9223372036854776000`). `openapiv3`
/// rejects those bounds; the generator reads them back from here.
pub const X_INT_BOUNDS: &str = "x-codegen-int-bounds";
/// Extension under which the loader keeps an integer schema's `enum` when its values are not
/// all integers.
pub const X_INT_ENUM: &str = "x-codegen-int-enum";

/// A loaded spec: the typed document, the raw JSON tree it came from and its text.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file it was read from.
    pub path: PathBuf,
    /// The file's text (for locating diagnostics).
    pub source: String,
    /// The document as a JSON tree, after the tolerant step.
    pub raw: Value,
    /// The typed document.
    pub doc: openapiv3::OpenAPI,
    /// What loading warned of: keys OpenAPI does not have, and values it passes over
    /// (the document's shape, checked before it is read); the lowering reports them with its own.
    pub warnings: Vec<Diagnostic>,
}

/// The least text of a spec freed on every CPU ([`Spec::free`]): below it the drop takes
/// under 2 ms on one thread, and starting the threads and freeing across them eat what they
/// save (spotify, 0.3 MB: 0.68 ms on one thread, 0.74 ms on two).
const FREE_IN_PARALLEL_FROM: usize = 1 << 20;

impl Spec {
    /// Frees the spec. A large one (1 MiB of text or more) is freed on every CPU: its document
    /// beside its tree, the tree's maps three levels down (path items, schemas) in chunks.
    /// Dropping a tree of many small allocations takes one thread milliseconds (twilio-api: 3
    /// to 5 ms, 2 ms less this way), between lowering and emission.
    pub fn free(self) {
        if self.source.len() < FREE_IN_PARALLEL_FROM || crate::parallel::threads() < 2 {
            return;
        }
        let Spec {
            source, raw, doc, ..
        } = self;
        drop(source);
        type Garbage = std::sync::Mutex<Option<Box<dyn Send>>>;
        let mut jobs: Vec<Garbage> = vec![std::sync::Mutex::new(Some(Box::new(doc)))];
        for part in tree_parts(raw, 4 * crate::parallel::threads()) {
            jobs.push(std::sync::Mutex::new(Some(Box::new(part))));
        }
        crate::parallel::par_map(&jobs, |job| {
            drop(job.lock().unwrap_or_else(|e| e.into_inner()).take());
        });
    }
}

/// A tree cut into about `parts` parts to drop apart: its maps opened three levels down (the
/// path items, the schemas), their values in chunks.
fn tree_parts(tree: Value, parts: usize) -> Vec<Vec<Value>> {
    let mut values = vec![tree];
    for _ in 0..3 {
        let mut opened = Vec::with_capacity(values.len());
        for v in values {
            match v {
                Value::Object(map) => opened.extend(map.into_values()),
                v => opened.push(v),
            }
        }
        values = opened;
    }
    let per_part = values.len().div_ceil(parts.max(1)).max(1);
    let mut out = Vec::new();
    while !values.is_empty() {
        out.push(values.split_off(values.len().saturating_sub(per_part)));
    }
    out
}

/// Reads and parses a spec file.
pub fn load_file(path: &Path) -> Result<Spec, Diagnostics> {
    let source = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            line: None,
            column: None,
            pointer: String::new(),
            message: format!("cannot read the spec: {e}"),
        }])
    })?;
    load_str(path, source)
}

/// Parses a spec from its text; `path` names it in diagnostics and decides nothing else
/// (JSON or YAML is decided from the text).
pub fn load_str(path: &Path, source: String) -> Result<Spec, Diagnostics> {
    // Parsing and reading the document recurse once per level of nesting.
    crate::parallel::on_large_stack(|| load_str_here(path, source))
}

fn load_str_here(path: &Path, source: String) -> Result<Spec, Diagnostics> {
    // A UTF-8 byte-order mark is no part of the document (RFC 8259 lets a parser ignore it;
    // YAML 1.2 allows it at the start of a stream). Stripped, so lines and columns stay right.
    let source = match source.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => source,
    };
    let tree = parse_document(path, &source)?;
    let mut raw = tree.value;

    let mut sink = Sink::new(path, &source);
    report_duplicates(&tree.duplicates, &mut sink);
    match raw.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") => {}
        Some(v) => sink.error(
            "/openapi",
            format!("OpenAPI {v} is not supported: this generator reads OpenAPI 3.0.x documents"),
        ),
        None => sink.error(
            "",
            "not an OpenAPI 3.0 document: the `openapi` field (e.g. `openapi: 3.0.3`) is missing",
        ),
    }
    if sink.has_errors() {
        return Err(Diagnostics(sink.into_items()));
    }
    structure::check(&raw, &mut sink);
    if sink.has_errors() {
        return Err(Diagnostics(sink.into_items()));
    }

    prepare(&mut raw);

    // The document read from the tree field by field (see `document`), else whole; only when
    // that fails, again with the path to each failure tracked (which costs on every key).
    let direct = document::document_from_tree(&raw).map_or_else(
        || <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&raw),
        Ok,
    );
    let doc: openapiv3::OpenAPI = match direct.or_else(|_| serde_path_to_error::deserialize(&raw)) {
        Ok(doc) => doc,
        Err(e) => {
            // serde stops at the first failure, and loses the path inside untagged enums:
            // check the document piece by piece to report every failure where it stands.
            let precise = piecewise_failures(&raw);
            if precise.is_empty() {
                let pointer = path_to_pointer(e.path());
                let inner = e.into_inner();
                sink.error(
                    &pointer,
                    format!("not a valid OpenAPI 3.0 document here: {inner}"),
                );
            }
            for (pointer, message) in precise {
                sink.error(&pointer, format!("not a valid OpenAPI 3.0 {message}"));
            }
            return Err(Diagnostics(sink.into_items()));
        }
    };
    Ok(Spec {
        path: path.to_path_buf(),
        warnings: sink.into_items(),
        source,
        raw,
        doc,
    })
}

/// Parses a document's text into a JSON tree, as written: keys in the order of the text, no
/// tolerant step, `$ref`s untouched. JSON when the text starts with `{`, YAML otherwise;
/// syntax errors carry line and column. `path` names the file in diagnostics.
pub fn parse_tree(path: &Path, source: &str) -> Result<Value, Diagnostics> {
    parse_document(path, source).map(|tree| tree.value)
}

/// [`parse_tree`], with the keys the text has twice in one mapping.
pub fn parse_document(path: &Path, source: &str) -> Result<yaml::Tree, Diagnostics> {
    crate::parallel::on_large_stack(|| parse_tree_here(path, source))
}

fn parse_tree_here(path: &Path, source: &str) -> Result<yaml::Tree, Diagnostics> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let syntax = |line: Option<usize>, column: Option<usize>, message: String| {
        Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            line,
            column,
            pointer: String::new(),
            message,
        }])
    };
    let looks_json = source.trim_start().starts_with('{');
    if looks_json {
        yaml::parse_json(source).map_err(|e| {
            syntax(
                Some(e.line()),
                Some(e.column()),
                format!("invalid JSON: {e}"),
            )
        })
    } else {
        yaml::parse(source)
            .map_err(|e| syntax(Some(e.line), Some(e.column), format!("invalid YAML: {e}")))
    }
}

/// The most keys written twice that are reported one by one ([`report_duplicates`]).
const MOST_DUPLICATES: usize = 100;

/// Warns of each key the text has twice in one mapping: the tree keeps only the last value.
/// Each is located by scanning the text from its start: a spec writing tens of thousands of
/// keys twice would take quadratic time (20,000 in 450 KB took 7 s). The first
/// [`MOST_DUPLICATES`] are reported where they stand, the rest counted in one warning.
pub(crate) fn report_duplicates(duplicates: &[yaml::Duplicate], sink: &mut Sink) {
    if duplicates.len() > MOST_DUPLICATES {
        sink.warn(
            "",
            format!(
                "{} keys are written twice in one mapping; the first {MOST_DUPLICATES} are reported where they stand",
                duplicates.len()
            ),
        );
    }
    for duplicate in duplicates.iter().take(MOST_DUPLICATES) {
        let key = duplicate.pointer.rsplit('/').next().unwrap_or_default();
        let key = crate::diag::unescape_token(key);
        match duplicate.at {
            Some(at) => {
                let (first, _) = sink.locate(&duplicate.pointer);
                sink.warn_at(
                    &duplicate.pointer,
                    at,
                    format!(
                        "`{key}` is here a second time in one mapping: this value replaces the \
                         one at line {first}, which is lost; merge the two entries or rename one"
                    ),
                );
            }
            None => sink.warn(
                &duplicate.pointer,
                format!(
                    "`{key}` is here more than once in one mapping: only its last value is \
                     kept, the ones before it are lost; merge the entries or rename them"
                ),
            ),
        }
    }
}

type Check = fn(&Value) -> Result<(), String>;

fn check_as<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(v.clone())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Deserializes the document's pieces one by one, descending into a failing piece to the
/// smallest part that fails, and returns every failure with its pointer.
fn piecewise_failures(raw: &Value) -> Vec<(String, String)> {
    use openapiv3::*;
    let mut out = Vec::new();
    let entries = |v: Option<&Value>| -> Vec<(String, Value)> {
        v.and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let sections: [(&str, &str, Check); 7] = [
        ("schemas", "schema", check_as::<ReferenceOr<Schema>>),
        (
            "parameters",
            "parameter",
            check_as::<ReferenceOr<Parameter>>,
        ),
        ("responses", "response", check_as::<ReferenceOr<Response>>),
        (
            "requestBodies",
            "request body",
            check_as::<ReferenceOr<RequestBody>>,
        ),
        ("headers", "header", check_as::<ReferenceOr<Header>>),
        (
            "securitySchemes",
            "security scheme",
            check_as::<ReferenceOr<SecurityScheme>>,
        ),
        ("examples", "example", check_as::<ReferenceOr<Example>>),
    ];
    for (section, what, check) in sections {
        for (name, v) in entries(raw.pointer(&format!("/components/{section}"))) {
            if let Err(e) = check(&v) {
                let ptr = diag::push(&format!("/components/{section}"), &name);
                out.push((ptr, format!("{what}: {e}")));
            }
        }
    }
    for (path, item) in entries(raw.get("paths")) {
        let item_ptr = diag::push("/paths", &path);
        if check_as::<ReferenceOr<PathItem>>(&item).is_ok() {
            continue;
        }
        let before = out.len();
        for (i, p) in item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Err(e) = check_as::<ReferenceOr<Parameter>>(p) {
                out.push((
                    diag::push(&diag::push(&item_ptr, "parameters"), &i.to_string()),
                    format!("parameter: {e}"),
                ));
            }
        }
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let Some(op) = item.get(method) else { continue };
            let op_ptr = diag::push(&item_ptr, method);
            let Err(op_err) = check_as::<Operation>(op) else {
                continue;
            };
            let inner_before = out.len();
            for (i, p) in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Err(e) = check_as::<ReferenceOr<Parameter>>(p) {
                    out.push((
                        diag::push(&diag::push(&op_ptr, "parameters"), &i.to_string()),
                        format!("parameter: {e}"),
                    ));
                }
            }
            if let Some(b) = op.get("requestBody") {
                if let Err(e) = check_as::<ReferenceOr<RequestBody>>(b) {
                    out.push((
                        diag::push(&op_ptr, "requestBody"),
                        format!("request body: {e}"),
                    ));
                }
            }
            for (code, r) in entries(op.get("responses")) {
                if let Err(e) = check_as::<ReferenceOr<Response>>(&r) {
                    out.push((
                        diag::push(&diag::push(&op_ptr, "responses"), &code),
                        format!("response: {e}"),
                    ));
                }
            }
            if out.len() == inner_before {
                out.push((op_ptr, format!("operation: {op_err}")));
            }
        }
        if out.len() == before {
            if let Err(e) = check_as::<ReferenceOr<PathItem>>(&item) {
                out.push((item_ptr, format!("path item: {e}")));
            }
        }
    }
    out
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out = diag::push(&out, &index.to_string()),
            Segment::Map { key } => out = diag::push(&out, key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// The tolerant step and the `$ref` decoding, in one walk of the tree (iterative: the tree is
/// as deep as the parser allowed, and this must not add a limit):
/// - the tolerant step rewrites what `openapiv3` would reject or silently mistype, keeping
///   the meaning in extensions the generator reads ([`tolerate_integer`]);
/// - a `$ref` is a URI: its fragment (the JSON pointer) may be percent-encoded
///   (`#/components/schemas/Foo%20Bar`, `#/paths/~1%7Bid%7D`). Every `$ref` (and every
///   discriminator mapping target) is decoded once here, so each resolver downstream sees the
///   plain JSON pointer (RFC 6901, section 6: percent-decode first, then unescape `~1`, `~0`).
fn prepare(value: &mut Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("integer") {
                    tolerate_integer(map);
                }
                if let Some(Value::String(r)) = map.get_mut("$ref") {
                    if let Some(decoded) = percent_decode(r) {
                        *r = decoded;
                    }
                }
                if let Some(Value::Object(mapping)) = map
                    .get_mut("discriminator")
                    .and_then(|d| d.get_mut("mapping"))
                {
                    for target in mapping.values_mut() {
                        if let Value::String(t) = target {
                            if t.contains('#') {
                                if let Some(decoded) = percent_decode(t) {
                                    *t = decoded;
                                }
                            }
                        }
                    }
                }
                stack.extend(map.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Decodes `%XX` escapes; `None` when there are none, or the text is not valid percent-encoded
/// UTF-8 (then it is kept as written).
pub fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn is_i64(v: &Value) -> bool {
    v.as_i64().is_some() || v.as_u64().is_some_and(|u| u <= i64::MAX as u64)
}

/// An integer schema's bounds and `enum`: a bound that is not an integer (`maximum: 1.5`) is
/// kept in [`X_INT_BOUNDS`], one that is not a number dropped, and an `enum` with a value that
/// is not an integer kept in [`X_INT_ENUM`].
fn tolerate_integer(map: &mut Map<String, Value>) {
    let mut kept = Map::new();
    for key in ["minimum", "maximum", "multipleOf"] {
        if let Some(v) = map.get(key) {
            if v.is_number() && !is_i64(v) {
                if let Some(v) = map.remove(key) {
                    kept.insert(key.to_string(), v);
                }
            } else if !v.is_number() {
                map.remove(key);
            }
        }
    }
    if !kept.is_empty() {
        map.insert(X_INT_BOUNDS.to_string(), Value::Object(kept));
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        if !values.iter().all(|v| v.is_null() || is_i64(v)) {
            if let Some(v) = map.remove("enum") {
                map.insert(X_INT_ENUM.to_string(), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree is cut into the parts asked for, every value of it in one of them.
    #[test]
    fn a_tree_is_cut_into_parts_to_drop_apart() {
        fn leaves(v: &Value) -> usize {
            match v {
                Value::Object(m) => m.values().map(leaves).sum(),
                Value::Array(a) => a.iter().map(leaves).sum(),
                _ => 1,
            }
        }
        let schema = |i: usize| serde_json::json!({"type": "object", "properties": {"a": {"type": "string"}, "n": i}});
        let mut schemas = Map::new();
        let mut paths = Map::new();
        for i in 0..300 {
            schemas.insert(format!("S{i}"), schema(i));
            paths.insert(
                format!("/p{i}"),
                serde_json::json!({"get": {"operationId": format!("op{i}")}}),
            );
        }
        let tree = serde_json::json!({
            "openapi": "3.0.3",
            "paths": paths,
            "components": {"schemas": schemas},
        });
        let all = leaves(&tree);
        let parts = tree_parts(tree, 8);
        assert_eq!(parts.len(), 8);
        assert_eq!(parts.iter().flatten().map(leaves).sum::<usize>(), all);
        // The schemas too are spread: no part holds much more than its share.
        let most = parts
            .iter()
            .map(|p| p.iter().map(leaves).sum::<usize>())
            .max();
        assert!(most < Some(all / 4), "{most:?} of {all}");
        assert_eq!(tree_parts(Value::Null, 8).len(), 1);
    }

    #[test]
    fn yaml_syntax_error_names_line_and_column() {
        let err = load_str(Path::new("bad.yaml"), "openapi: 3.0.3\ninfo: [\n".into()).unwrap_err();
        let d = &err.0[0];
        assert_eq!(d.file, PathBuf::from("bad.yaml"));
        assert!(d.line.is_some() && d.column.is_some(), "{d}");
        assert!(d.message.starts_with("invalid YAML"), "{d}");
    }

    /// A JSON spec with `schemas` object schemas, each with a description and a property.
    fn json_spec(schemas: usize) -> String {
        let text = "A description of the schema.";
        let schemas: Vec<String> = (0..schemas)
            .map(|i| {
                format!(
                    r#""S{i}": {{"type": "object", "description": "{text}", "properties": {{"n": {{"type": "integer", "minimum": {i}}}}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}}, "paths": {{}}, "components": {{"schemas": {{{}}}}}}}"#,
            schemas.join(", ")
        )
    }

    #[test]
    fn a_json_spec_s_document_is_the_one_its_tree_gives() {
        // The document is put together from the tree's parts (see `document`); what comes
        // out is the document the whole tree deserializes to.
        for schemas in [3, 200] {
            let source = json_spec(schemas);
            let spec = load_str(Path::new("s.json"), source).unwrap();
            let from_tree: openapiv3::OpenAPI = serde::Deserialize::deserialize(&spec.raw).unwrap();
            assert_eq!(spec.doc, from_tree);
            let components = spec.doc.components.as_ref().unwrap();
            assert_eq!(components.schemas.len(), schemas);
        }
    }

    #[test]
    fn json_syntax_error_names_line_and_column() {
        let err = load_str(
            Path::new("bad.json"),
            "{\n \"openapi\": \"3.0.3\",,\n}".into(),
        )
        .unwrap_err();
        assert_eq!(err.0[0].line, Some(2), "{}", err);
    }

    #[test]
    fn float_integer_bounds_are_kept_in_an_extension() {
        let src = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    N:\n      type: integer\n      minimum: -9223372036854776000\n      maximum: 10\n";
        let spec = load_str(Path::new("n.yaml"), src.into()).unwrap();
        let n = &spec.raw["components"]["schemas"]["N"];
        assert_eq!(n["type"], "integer");
        assert!(n[X_INT_BOUNDS]["minimum"].is_number());
        assert_eq!(n["maximum"], 10);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%7Bc%7D").as_deref(), Some("a b{c}"));
        assert_eq!(percent_decode("plain"), None);
        assert_eq!(percent_decode("50%"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("\u{e9}"));
    }

    #[test]
    fn rejects_openapi_31_with_a_pointer() {
        let err = load_str(
            Path::new("x.yaml"),
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n".into(),
        )
        .unwrap_err();
        assert_eq!(err.0[0].pointer, "/openapi");
        assert_eq!(err.0[0].line, Some(1));
    }

    #[test]
    fn semantic_errors_name_the_pointer() {
        let src = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - name: x\n          in: nowhere\n      responses: {}\n";
        let err = load_str(Path::new("x.yaml"), src.into()).unwrap_err();
        assert!(
            err.0[0].pointer.starts_with("/paths/~1a/get/parameters/0"),
            "{err}"
        );
    }
}
