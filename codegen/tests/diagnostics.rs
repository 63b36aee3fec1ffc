//! Bad specs: every error in one run, each naming the file, line, column and JSON pointer;
//! syntax errors with line and column; OpenAPI 3.1 refused; and never a panic, whatever the
//! input (a deterministic mutation loop over the fixtures).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use codegen::{Config, Diagnostic, Diagnostics, Severity};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn check(specs: &[&Path]) -> Result<Vec<Diagnostic>, Diagnostics> {
    let mut c = Config::new();
    for s in specs {
        c.spec(s);
    }
    c.check()
}

fn errors_of(specs: &[&Path]) -> Vec<Diagnostic> {
    match check(specs) {
        Ok(w) => panic!("expected errors, got Ok with warnings {w:?}"),
        Err(d) => {
            assert!(d.has_errors(), "{d}");
            d.errors().cloned().collect()
        }
    }
}

fn find<'a>(errors: &'a [Diagnostic], pointer: &str) -> &'a Diagnostic {
    errors
        .iter()
        .find(|d| d.pointer == pointer)
        .unwrap_or_else(|| panic!("no error at {pointer}; errors: {errors:#?}"))
}

const THREE_ERRORS: &str = "openapi: 3.0.3
info: {title: Broken, version: '1'}
paths:
  /a:
    get:
      operationId: getThing
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
  /b:
    get:
      operationId: getThing
      responses:
        '204': {description: ok}
components:
  schemas:
    Holder:
      type: object
      properties:
        gone:
          $ref: '#/components/schemas/AlsoMissing'
";

#[test]
fn all_errors_are_reported_in_one_run_with_file_line_column_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "broken.yaml", THREE_ERRORS);
    let errors = errors_of(&[&spec]);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for e in &errors {
        assert_eq!(e.severity, Severity::Error);
        assert_eq!(e.file, spec);
    }

    let missing = find(
        &errors,
        "/paths/~1a/get/responses/200/content/application~1json/schema",
    );
    assert!(
        missing.message.contains("#/components/schemas/Missing"),
        "{missing}"
    );
    assert!(missing.message.contains("dangling"), "{missing}");
    assert_eq!(
        (missing.line, missing.column),
        (Some(12), Some(15)),
        "{missing}"
    );

    let also = find(&errors, "/components/schemas/Holder/properties/gone");
    assert!(
        also.message.contains("#/components/schemas/AlsoMissing"),
        "{also}"
    );
    assert_eq!((also.line, also.column), (Some(23), Some(9)), "{also}");

    // A repeated operationId is no refusal (the OpenAPI schema cannot say it), but a warning
    // at the operation, in the same run.
    let all = check(&[&spec]).unwrap_err().0;
    let dup = all
        .iter()
        .find(|d| d.pointer == "/paths/~1b/get")
        .expect("a warning at the second operation");
    assert_eq!(dup.severity, Severity::Warning);
    assert!(
        dup.message.contains("duplicate operationId `getThing`"),
        "{dup}"
    );
    assert!(
        dup.message.contains("#/paths/~1a/get"),
        "names the first use: {dup}"
    );
    assert_eq!((dup.line, dup.column), (Some(14), Some(5)), "{dup}");

    // The rendering names all of it: file:line:column, the pointer, the message, the count.
    let text = check(&[&spec]).unwrap_err().to_string();
    assert!(
        text.contains("broken.yaml:23:9 at #/components/schemas/Holder/properties/gone: dangling"),
        "{text}"
    );
    assert!(text.ends_with("2 errors in spec"), "{text}");
}

#[test]
fn errors_of_every_spec_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.yaml", THREE_ERRORS);
    let b = write(
        dir.path(),
        "b.yaml",
        "openapi: 3.0.3\ninfo: {title: B, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Nope'\n",
    );
    let errors = errors_of(&[&a, &b]);
    assert_eq!(
        errors.iter().filter(|e| e.file == a).count(),
        2,
        "{errors:#?}"
    );
    let eb: Vec<_> = errors.iter().filter(|e| e.file == b).collect();
    assert_eq!(eb.len(), 1, "{errors:#?}");
    assert_eq!(eb[0].pointer, "/paths/~1x/get/responses/200");
    assert!(
        eb[0].message.contains("#/components/responses/Nope"),
        "{}",
        eb[0]
    );
    assert!(eb[0].line.is_some() && eb[0].column.is_some(), "{}", eb[0]);
}

#[test]
fn errors_at_status_codes_are_located_on_the_status_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "b.yaml",
        "openapi: 3.0.3\ninfo: {title: B, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Nope'\n",
    );
    let errors = errors_of(&[&spec]);
    assert_eq!(errors[0].pointer, "/paths/~1x/get/responses/200");
    assert_eq!(
        (errors[0].line, errors[0].column),
        (Some(7), Some(9)),
        "{}",
        errors[0]
    );
}

/// What `openapiv3` passes over without a word is reported where it is written: a path that
/// does not start with `/` and a `type` that is none are errors, a misspelled key a warning
/// with the key it likely means, and a server URL's brace that no variable declares an error.
#[test]
fn misspellings_that_would_drop_part_of_the_api_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "m.yaml",
        "openapi: 3.0.3\ninfo: {title: M, version: '1'}\nservers:\n  - url: 'https://{domian}/api'\n    variables:\n      domain: {default: example.com}\npaths:\n  openapi/case:\n    post: {responses: {'200': {description: ok}}}\n  /b:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: strin}\n",
    );
    let errors = errors_of(&[&spec]);
    let path = find(&errors, "/paths/openapi~1case");
    assert_eq!((path.line, path.column), (Some(8), Some(3)), "{path}");
    assert!(path.message.contains("must start with `/`"), "{path}");
    // The document's shape is checked before the rest: the type's error comes with it, the
    // server's (a lowering error) in the run after the shape is mended.
    let typ = find(
        &errors,
        "/paths/~1b/get/responses/200/content/application~1json/schema/type",
    );
    assert_eq!(typ.line, Some(17), "{typ}");
    assert!(typ.message.contains("did you mean `string`?"), "{typ}");
    assert_eq!(errors.len(), 2, "{errors:#?}");

    let mended = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("  openapi/case:", "  /case:")
        .replace("strin}", "string}")
        .replace(
            "    get:",
            "    Get: {responses: {'200': {description: ok}}}\n    get:",
        );
    let spec = write(dir.path(), "m.yaml", &mended);
    let errors = errors_of(&[&spec]);
    let server = find(&errors, "/servers/0/url");
    assert_eq!(server.line, Some(4), "{server}");
    assert!(
        server.message.contains("`{domian}`") && server.message.contains("`domain`"),
        "{server}"
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");

    let mended = mended.replace("{domian}", "{domain}");
    let spec = write(dir.path(), "m.yaml", &mended);
    let warnings = check(&[&spec]).expect("no error left");
    let key = find(&warnings, "/paths/~1b/Get");
    assert_eq!(key.severity, Severity::Warning);
    assert!(key.message.contains("did you mean `get`?"), "{key}");
    assert_eq!(key.line, Some(11), "{key}");
}

/// A `$ref` to nothing is an error at every place that uses it, each with the schema it
/// most likely means.
#[test]
fn a_dangling_ref_is_reported_at_each_use_with_the_likely_schema() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "d.yaml",
        "openapi: 3.0.3\ninfo: {title: D, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    CaseAttachment: {type: string}\n    A:\n      type: object\n      properties:\n        x: {$ref: '#/components/schemas/CaseAttachmnt'}\n    B:\n      type: object\n      properties:\n        y: {$ref: '#/components/schemas/CaseAttachmnt'}\n",
    );
    let errors = errors_of(&[&spec]);
    for at in [
        "/components/schemas/A/properties/x",
        "/components/schemas/B/properties/y",
    ] {
        let e = find(&errors, at);
        assert!(
            e.message
                .contains("did you mean `#/components/schemas/CaseAttachment`?"),
            "{e}"
        );
    }
    assert_eq!(errors.len(), 2, "{errors:#?}");
}

/// `x-business-error` naming a misspelling of the body's result property is a warning at the
/// rule; a property only a failure carries (absent from the success body) is not.
#[test]
fn a_business_rule_that_misspells_the_body_s_property_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |code: &str| {
        format!("openapi: 3.0.3\ninfo: {{title: B, version: '1'}}\npaths:\n  /c:\n    post:\n      responses:\n        '200':\n          description: ok\n          x-business-error: {{code: {code}, message: resMsg, success: ['0']}}\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  resCode: {{type: string}}\n                  resMsg: {{type: string}}\n")
    };
    let typo = write(dir.path(), "b.yaml", &spec("resCod"));
    let warnings = check(&[&typo]).expect("a warning, not an error");
    let w = find(
        &warnings,
        "/paths/~1c/post/responses/200/x-business-error/code",
    );
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("did you mean `resCode`?"), "{w}");
    assert_eq!(w.line, Some(9), "{w}");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    for fine in ["resCode", "error_code"] {
        let ok = write(dir.path(), "b.yaml", &spec(fine));
        assert_eq!(check(&[&ok]).expect("no error"), vec![], "{fine}");
    }
}

/// A discriminator's property that an alternative does not have is a warning at the
/// alternative, with the property it likely means.
#[test]
fn a_discriminator_property_the_alternatives_lack_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |property: &str| {
        format!("openapi: 3.0.3\ninfo: {{title: P, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    Pet:\n      oneOf:\n        - $ref: '#/components/schemas/Cat'\n        - $ref: '#/components/schemas/Dog'\n      discriminator: {{propertyName: {property}}}\n    Cat: {{type: object, required: [kind], properties: {{kind: {{type: string}}, lives: {{type: integer}}}}}}\n    Dog: {{type: object, required: [kind], properties: {{kind: {{type: string}}, bark: {{type: string}}}}}}\n")
    };
    let typo = write(dir.path(), "p.yaml", &spec("knd"));
    let warnings = check(&[&typo]).expect("warnings only");
    for (i, name) in ["Cat", "Dog"].iter().enumerate() {
        let w = find(&warnings, &format!("/components/schemas/Pet/oneOf/{i}"));
        assert!(
            w.message.contains(&format!(
                "`knd` is not a property of `{name}` (did you mean `kind`?)"
            )),
            "{w}"
        );
        assert_eq!(w.line, Some(8 + i), "{w}");
    }
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    let fine = write(dir.path(), "p.yaml", &spec("kind"));
    assert_eq!(check(&[&fine]).expect("no error"), vec![]);
}

/// A key written twice in one mapping loses the first value: a path pasted twice drops its
/// operations. It is a warning at the second key (YAML), or at the entry (JSON, and YAML that
/// libyaml reads), in every reader of the loader.
#[test]
fn a_key_written_twice_in_one_mapping_is_a_warning_where_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "openapi: 3.0.3\ninfo: {title: D, version: '1'}\npaths:\n  /cases:\n    get:\n      operationId: listCases\n      responses:\n        '200': {description: ok}\n  /cases:\n    post:\n      operationId: createCase\n      responses:\n        '200': {description: ok}\ncomponents:\n  schemas:\n    Case:\n      type: object\n      properties:\n        id: {type: string}\n        title: {type: string}\n        id: {type: integer}\n";
    let spec = write(dir.path(), "d.yaml", yaml);
    let warnings = check(&[&spec]).expect("warnings, not errors");
    let path = find(&warnings, "/paths/~1cases");
    assert_eq!(path.severity, Severity::Warning);
    assert_eq!((path.line, path.column), (Some(9), Some(3)), "{path}");
    assert!(
        path.message.contains(
            "`/cases` is here a second time in one mapping: this value replaces the one at line 4"
        ),
        "{path}"
    );
    let property = find(&warnings, "/components/schemas/Case/properties/id");
    assert_eq!(
        (property.line, property.column),
        (Some(21), Some(9)),
        "{property}"
    );
    assert!(
        property.message.contains("the one at line 19"),
        "{property}"
    );
    assert_eq!(warnings.len(), 2, "{warnings:#?}");

    // The same in a text the strict parser leaves to libyaml (a U+2028 in a description).
    let libyaml = yaml.replace("title: D,", "title: D, description: \"a\u{2028}b\",");
    let spec = write(dir.path(), "d.yaml", &libyaml);
    let warnings = check(&[&spec]).expect("warnings, not errors");
    let path = find(&warnings, "/paths/~1cases");
    assert!(
        path.message.contains("`/cases` is here more than once"),
        "{path}"
    );
    assert_eq!(path.line, Some(4), "{path}");
    find(&warnings, "/components/schemas/Case/properties/id");
    assert_eq!(warnings.len(), 2, "{warnings:#?}");

    // JSON, in a list inside: the pointer counts the item.
    let json = r#"{"openapi": "3.0.3", "info": {"title": "D", "version": "1"}, "paths": {"/c": {"get": {"parameters": [{"name": "a", "in": "query", "schema": {"type": "string"}}, {"name": "b", "in": "query", "in": "header", "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}}}"#;
    let spec = write(dir.path(), "d.json", json);
    let warnings = check(&[&spec]).expect("warnings, not errors");
    let w = find(&warnings, "/paths/~1c/get/parameters/1/in");
    assert!(w.message.contains("`in` is here more than once"), "{w}");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");

    // Written once each, nothing is said.
    let once = yaml.replacen("  /cases:\n    post:", "  /cases/{id}:\n    post:", 1);
    let once = once.replace("        id: {type: integer}\n", "");
    let once = once.replace("operationId: createCase\n", "operationId: createCase\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n");
    let spec = write(dir.path(), "d.yaml", &once);
    assert_eq!(check(&[&spec]).expect("no error"), vec![]);
}

/// Tens of thousands of keys written twice are not located one by one (each location scans
/// the text): the first hundred are, and one warning counts them all.
#[test]
fn many_keys_written_twice_are_counted_not_each_located() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: D, version: '1'}\npaths: {}\n");
    for round in 0..2 {
        for i in 0..20_000 {
            text.push_str(&format!("x-k{i}: {round}\n"));
        }
    }
    let spec = write(dir.path(), "d.yaml", &text);
    let warnings = check(&[&spec]).expect("warnings, not errors");
    assert_eq!(warnings.len(), 101, "{:?}", &warnings[..3]);
    let all = find(&warnings, "");
    assert!(
        all.message.starts_with("20000 keys are written twice"),
        "{all}"
    );
    let first = find(&warnings, "/x-k0");
    assert_eq!(first.line, Some(20_004), "{first}");
    assert!(first.message.contains("the one at line 4"), "{first}");
}

/// The text of `n` schemas, each a `not` (a warning each), as YAML or as JSON.
fn many_nots(n: usize, json: bool) -> String {
    if json {
        let schemas: serde_json::Map<String, serde_json::Value> = (0..n)
            .map(|i| {
                (
                    format!("S{i}"),
                    serde_json::json!({"not": {"type": "string"}}),
                )
            })
            .collect();
        let doc = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "N", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas}
        });
        return serde_json::to_string_pretty(&doc).unwrap();
    }
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: N, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n",
    );
    for i in 0..n {
        text.push_str(&format!("    S{i}:\n      not:\n        type: string\n"));
    }
    text
}

/// Tens of thousands of warnings are each placed where they stand, in one pass over the text
/// (placed one walk from the start each, 20,000 took minutes): in YAML at the schema's own
/// line, and in both forms where the one-by-one locator places them.
#[test]
fn tens_of_thousands_of_warnings_are_each_placed() {
    let dir = tempfile::tempdir().unwrap();
    let n = 20_000;
    for json in [false, true] {
        let text = many_nots(n, json);
        let spec = write(dir.path(), if json { "n.json" } else { "n.yaml" }, &text);
        let warnings = check(&[&spec]).expect("warnings, not errors");
        let nots: Vec<&Diagnostic> = warnings
            .iter()
            .filter(|w| w.message.starts_with("`not`"))
            .collect();
        assert_eq!(nots.len(), n, "{:?}", &warnings[..3]);
        for (k, w) in nots.iter().enumerate() {
            let i: usize = w
                .pointer
                .strip_prefix("/components/schemas/S")
                .and_then(|rest| rest.split('/').next())
                .and_then(|i| i.parse().ok())
                .unwrap_or_else(|| panic!("{w}"));
            if !json {
                // `S{i}:` stands on line 6 + 3i, its `not:` on the next.
                let (line, column) = if w.pointer.ends_with("/not") {
                    (7 + 3 * i, 7)
                } else {
                    (6 + 3 * i, 5)
                };
                assert_eq!((w.line, w.column), (Some(line), Some(column)), "{w}");
            }
            if k % 997 == 0 {
                let (line, column) = codegen::diag::locate(&text, &w.pointer);
                assert_eq!((w.line, w.column), (Some(line), Some(column)), "{w}");
            }
        }
    }
}

/// Where the one-pass placing meets a text only libyaml reads, the first diagnostics are
/// placed one by one and the rest are given by pointer, with a warning that says so.
#[test]
fn many_warnings_in_a_text_only_libyaml_reads_are_placed_in_part() {
    let dir = tempfile::tempdir().unwrap();
    // U+0085 is a line break to libyaml (YAML 1.1), text to YAML 1.2: libyaml reads it.
    let text = many_nots(100, false).replace("paths: {}", "paths: {}\nx-odd: \"a\u{85}b\"");
    let spec = write(dir.path(), "odd.yaml", &text);
    let warnings = check(&[&spec]).expect("warnings, not errors");
    let nots: Vec<&Diagnostic> = warnings
        .iter()
        .filter(|w| w.message.starts_with("`not`"))
        .collect();
    assert_eq!(nots.len(), 100);
    let placed = nots.iter().filter(|w| w.line.is_some()).count();
    assert_eq!(placed, codegen::diag::LOCATE_ONE_BY_ONE);
    for w in nots.iter().filter(|w| w.line.is_some()) {
        let (line, column) = codegen::diag::locate(&text, &w.pointer);
        assert_eq!((w.line, w.column), (Some(line), Some(column)), "{w}");
    }
    let note = find(&warnings, "");
    assert!(
        note.message
            .starts_with("the 36 diagnostics after the first 64 are given by their pointer only"),
        "{note}"
    );
}

/// The one-pass placing puts every entry of the project's specs and the fixtures, in YAML and
/// in JSON, at its key (the text there is the key), not before the entry holding it, and the
/// entries of each mapping in the order of the text; each item of a sequence after its
/// sequence. The one-by-one locator agrees wherever it reads the text. (It used to take the
/// first `description:` indented deeper than `properties` for `properties/description`, and
/// in JSON the first `"0"` after `required` for `required/0`.)
#[test]
fn one_pass_placing_puts_every_entry_at_its_key() {
    fn pointers(
        value: &serde_json::Value,
        at: &str,
        out: &mut Vec<(String, String, Option<String>)>,
    ) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let p = codegen::diag::push(at, k);
                    out.push((p.clone(), at.to_owned(), Some(k.clone())));
                    pointers(v, &p, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let p = codegen::diag::push(at, &i.to_string());
                    out.push((p.clone(), at.to_owned(), None));
                    pointers(v, &p, out);
                }
            }
            _ => {}
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["../spec/osm.yaml", "../spec/aicc-case.yaml"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    for entry in std::fs::read_dir(root.join("tests/fixtures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    let mut compared = 0;
    let mut agreed = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let Ok(tree) = codegen::load::yaml::parse(&text) else {
            continue;
        };
        let json = serde_json::to_string_pretty(&tree.value).unwrap();
        for (source, label) in [(&text, "yaml"), (&json, "json")] {
            let mut all = Vec::new();
            pointers(&tree.value, "", &mut all);
            let wanted: Vec<&str> = all.iter().map(|(p, _, _)| p.as_str()).collect();
            let found = codegen::load::yaml::positions(source, &wanted)
                .unwrap_or_else(|| panic!("{} ({label}) is read", file.display()));
            let lines: Vec<&str> = source.lines().collect();
            let mut last_key: std::collections::HashMap<&str, (usize, usize)> = Default::default();
            let mut explicit: Vec<String> = Vec::new();
            let stride = (all.len() / 500).max(1);
            for (n, (pointer, parent, key)) in all.iter().enumerate() {
                let at = found[pointer];
                let here = format!("{} ({label}) {pointer} at {at:?}", file.display());
                if !parent.is_empty() {
                    assert!(
                        at >= found[parent],
                        "{here}: before {parent} {:?}",
                        found[parent]
                    );
                }
                if let Some(key) = key {
                    let rest: String = lines[at.0 - 1].chars().skip(at.1 - 1).collect();
                    let written = [
                        key.clone(),
                        serde_json::to_string(key).unwrap(),
                        format!("'{}'", key.replace('\'', "''")),
                    ];
                    // Or escaped in double quotes (`"/flip\u202E"`), as JSON reads it.
                    let escaped = serde_json::Deserializer::from_str(&rest)
                        .into_iter::<String>()
                        .next()
                        .and_then(Result::ok);
                    let as_is = written.iter().any(|w| rest.starts_with(w.as_str()));
                    assert!(as_is || escaped.as_ref() == Some(key), "{here}: {rest}");
                    // The one-by-one locator agrees, but for a key written after `? ` on the
                    // line before (osm.yaml's longest path), which it does not read, nor
                    // what is inside such a key's value,
                    // for one in a flow mapping (`info: {title: T}`), which it does not find
                    // by lines and indentation, and for one written with escapes. 500 entries of a file are compared (each
                    // walks the text).
                    let before: String = lines[at.0 - 1].chars().take(at.1 - 1).collect();
                    let flow = label == "yaml" && !before.trim_start_matches([' ', '-']).is_empty();
                    if !as_is
                        || flow
                        || (at.0 >= 2 && lines[at.0 - 2].trim_start().starts_with("? "))
                    {
                        explicit.push(format!("{pointer}/"));
                    }
                    if n % stride == 0
                        && !explicit
                            .iter()
                            .any(|e| format!("{pointer}/").starts_with(e.as_str()))
                    {
                        assert_eq!(codegen::diag::locate(source, pointer), at, "{here}");
                        agreed += 1;
                    }
                    if let Some(before) = last_key.insert(parent, at) {
                        assert!(at > before, "{here}: not after its sibling at {before:?}");
                    }
                }
                compared += 1;
            }
        }
    }
    assert!(compared > 10_000 && agreed > 5_000, "{compared} {agreed}");
}

/// A key of 100 KB is not copied into each diagnostic under it (2,000 of them took 845 MB):
/// the pointers hold its start and a fingerprint, two such keys stay apart, and the
/// diagnostics are placed at the node holding the key.
#[test]
fn diagnostics_under_a_huge_key_hold_a_bounded_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let long = |c: char| format!("{}{c}", "N".repeat(100_000));
    let schema = |n: usize| {
        let props: serde_json::Map<String, serde_json::Value> = (0..n)
            .map(|i| {
                (
                    format!("p{i}"),
                    serde_json::json!({"not": {"type": "string"}}),
                )
            })
            .collect();
        serde_json::json!({"type": "object", "properties": props})
    };
    let doc = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "L", "version": "1"},
        "paths": {},
        "components": {"schemas": {long('A'): schema(100), long('B'): schema(1)}}
    });
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let spec = write(dir.path(), "long.json", &text);
    let warnings = check(&[&spec]).expect("warnings, not errors");
    let nots: Vec<&Diagnostic> = warnings
        .iter()
        .filter(|w| w.message.starts_with("`not`"))
        .collect();
    assert_eq!(nots.len(), 101);
    let mut pointers = std::collections::HashSet::new();
    for w in &nots {
        assert!(w.pointer.len() < 400, "{}", w.pointer.len());
        assert!(
            w.pointer
                .starts_with(&format!("/components/schemas/{}…#", "N".repeat(100))),
            "{}",
            &w.pointer[..140]
        );
        // Placed at `schemas` (the node holding the key), on line 9.
        assert_eq!((w.line, w.column), (Some(9), Some(5)), "{w}");
        pointers.insert(w.pointer.clone());
    }
    assert_eq!(pointers.len(), 101, "the two keys' diagnostics stay apart");
}

#[test]
fn yaml_syntax_errors_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "bad.yaml",
        "openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\n",
    );
    let errors = errors_of(&[&spec]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(e.file, spec);
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    assert_eq!((e.line, e.column), (Some(4), Some(10)), "{e}");

    // A tab in indentation, a bad mapping.
    let spec = write(
        dir.path(),
        "tab.yaml",
        "openapi: 3.0.3\ninfo:\n\ttitle: t\n",
    );
    let e = &errors_of(&[&spec])[0];
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.column.is_some(), "{e}");
}

#[test]
fn json_syntax_errors_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "bad.json",
        "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"x\" \"version\": \"1\"}\n}\n",
    );
    let errors = errors_of(&[&spec]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].message.starts_with("invalid JSON"),
        "{}",
        errors[0]
    );
    assert_eq!(
        (errors[0].line, errors[0].column),
        (Some(3), Some(25)),
        "{}",
        errors[0]
    );
}

#[test]
fn json_specs_locate_semantic_errors_too() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "refs.json",
        r##"{
  "openapi": "3.0.3",
  "info": {"title": "J", "version": "1"},
  "paths": {
    "/a": {
      "get": {
        "responses": {
          "200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}
          }
        }
      }
    }
  }
}
"##,
    );
    let errors = errors_of(&[&spec]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(
        e.pointer,
        "/paths/~1a/get/responses/200/content/application~1json/schema"
    );
    assert_eq!(e.line, Some(10), "{e}");
}

#[test]
fn openapi_31_and_missing_version_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "v31.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    let errors = errors_of(&[&spec]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].pointer, "/openapi");
    assert_eq!((errors[0].line, errors[0].column), (Some(1), Some(1)));
    assert!(
        errors[0].message.contains("OpenAPI 3.1.0 is not supported"),
        "{}",
        errors[0]
    );
    assert!(errors[0].message.contains("3.0"), "{}", errors[0]);

    let spec = write(
        dir.path(),
        "swagger.yaml",
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    let errors = errors_of(&[&spec]);
    assert!(errors[0].message.contains("`openapi`"), "{}", errors[0]);
}

#[test]
fn external_refs_and_unreadable_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "ext.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'other.yaml#/Thing'}\n",
    );
    let errors = errors_of(&[&spec]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].message.contains("another file"), "{}", errors[0]);
    assert_eq!(errors[0].line, Some(11), "{}", errors[0]);

    let missing = dir.path().join("nope.yaml");
    let errors = errors_of(&[&missing]);
    assert_eq!(errors[0].file, missing);
    assert!(errors[0].message.contains("cannot read"), "{}", errors[0]);
}

#[test]
fn semantic_type_errors_name_the_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "param.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - name: x\n          in: nowhere\n          schema: {type: string}\n      responses: {}\n",
    );
    let errors = errors_of(&[&spec]);
    assert!(
        errors[0].pointer.starts_with("/paths/~1a/get/parameters/0"),
        "{errors:#?}"
    );
    assert!(errors[0].line.is_some(), "{}", errors[0]);
}

// ---------------------------------------------------------------------------------------
// Never a panic.

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const JUNK: &[&str] = &[
    "[]",
    "{}",
    "-1",
    "0",
    "1e400",
    "-9223372036854776000",
    "18446744073709551616",
    "0.5",
    "null",
    "~",
    "true",
    "''",
    "'#/components/schemas/Nope'",
    "{$ref: '#/components/schemas/Nope'}",
    "{$ref: '#/paths'}",
    "{$ref: '#'}",
    "{$ref: 'x.yaml#/a'}",
    "{type: object, properties: {a: {$ref: '#/components/schemas/Nope'}}}",
    "{oneOf: []}",
    "{allOf: [{$ref: '#/components/schemas/Nope'}]}",
    "{enum: [null]}",
    "[[[",
    "\"\\u0000\"",
    "!!binary aGk=",
    "&a [*a]",
    "{type: integer, minimum: 1e999}",
    "{type: array}",
    "{nullable: true}",
    "'{a}/{b}'",
    "\"ünï©ødé 🦀\"",
];

const TYPES: &[&str] = &[
    "string",
    "integer",
    "number",
    "boolean",
    "array",
    "object",
    "null",
    "file",
    "[string, integer]",
];

/// Runs `Config::check` on `text` and returns a description when it panics.
#[test]
fn names_colliding_after_case_conversion_are_reported_and_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "c.yaml",
        "openapi: 3.0.3\ninfo: {title: C, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getThing\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      operationId: get_thing\n      responses: {'200': {description: ok}}\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        fooBar: {type: string}\n        foo_bar: {type: string}\n    thing: {type: object, properties: {a: {type: string}}}\n",
    );
    // Two operations whose methods would collide: a warning naming both places, and the
    // second method numbered.
    let warnings = check(&[&spec]).expect("only warnings");
    let op = warnings
        .iter()
        .find(|d| d.pointer == "/paths/~1b/get")
        .unwrap_or_else(|| panic!("{warnings:#?}"));
    assert_eq!(op.severity, Severity::Warning);
    assert!(op.message.contains("get_thing"), "{op}");
    assert!(op.message.contains("#/paths/~1a/get"), "{op}");
    assert_eq!(op.line, Some(9), "{op}");
    // Types and fields that collide are renamed apart, with a warning at their pointer.
    let fixed = write(
        dir.path(),
        "d.yaml",
        &std::fs::read_to_string(&spec)
            .unwrap()
            .replace("operationId: get_thing", "operationId: getOtherThing"),
    );
    let warnings = check(&[&fixed]).expect("only warnings");
    let w = |p: &str| {
        warnings
            .iter()
            .find(|d| d.pointer == p)
            .unwrap_or_else(|| panic!("no warning at {p}: {warnings:#?}"))
    };
    assert!(w("/components/schemas/thing").message.contains("`Thing`"));
    assert!(w("/components/schemas/Thing/properties/foo_bar")
        .message
        .contains("foo_bar2"));
    assert!(warnings.iter().all(|d| d.severity == Severity::Warning));
    let out = Config::new().spec(&fixed).render().expect("renders");
    let types = out
        .files
        .iter()
        .find(|f| f.path.ends_with("d/types.rs"))
        .expect("types.rs");
    assert!(types.contents.contains("pub struct Thing2"));
    assert!(types.contents.contains("pub foo_bar2: Option<String>"));
    // Written and read under the name the spec gives it.
    assert!(types.contents.contains("foo_bar2: \"foo_bar\" opt,"));
}

#[test]
fn chained_local_refs_resolve_for_every_kind_of_component() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "chain.yaml",
        "openapi: 3.0.3\ninfo: {title: C, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: postA\n      parameters: [{$ref: '#/components/parameters/P2'}]\n      requestBody: {$ref: '#/components/requestBodies/B2'}\n      responses:\n        '200': {$ref: '#/components/responses/R2'}\ncomponents:\n  parameters:\n    P1: {name: q, in: query, schema: {type: string}}\n    P2: {$ref: '#/components/parameters/P1'}\n  requestBodies:\n    B1: {content: {application/json: {schema: {type: object, properties: {x: {type: string}}}}}}\n    B2: {$ref: '#/components/requestBodies/B1'}\n  responses:\n    R1: {description: ok, content: {application/json: {schema: {type: object, properties: {y: {type: string}}}}}}\n    R2: {$ref: '#/components/responses/R1'}\n    Loop: {$ref: '#/components/responses/Loop'}\n",
    );
    let out = Config::new().spec(&spec).render().expect("chains resolve");
    let client = out
        .files
        .iter()
        .find(|f| f.path.ends_with("chain/client.rs"))
        .expect("client.rs");
    assert!(
        client.contents.contains("pub fn q("),
        "the parameter behind P2"
    );
    assert!(
        client.contents.contains("PostAResponse200"),
        "the response behind R2"
    );
    let looping = write(
        dir.path(),
        "loop.yaml",
        &std::fs::read_to_string(&spec).unwrap().replace(
            "'#/components/responses/R2'}\ncomponents",
            "'#/components/responses/Loop'}\ncomponents",
        ),
    );
    let errors = errors_of(&[&looping]);
    let e = find(&errors, "/paths/~1a/post/responses/200");
    assert!(e.message.contains("form a cycle"), "{e}");
}

fn panics(path: &Path, text: &str) -> Option<String> {
    std::fs::write(path, text).unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut c = Config::new();
        c.spec(path);
        // Ok or Err are both fine; rendering must not panic either when the check passes.
        if c.check().is_ok() {
            let _ = c.render();
        }
    }));
    result.err().map(|e| {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("panic: {msg}\n--- input ---\n{text}")
    })
}

fn mutations(base: &str, seed: u64) -> Vec<String> {
    let mut out = Vec::new();
    // Truncated at every 37th byte (on a character boundary).
    let mut cut = 0;
    while cut < base.len() {
        let mut c = cut;
        while !base.is_char_boundary(c) {
            c -= 1;
        }
        out.push(base[..c].to_string());
        cut += 37;
    }
    // Each `type:` swapped for every other type.
    let lines: Vec<&str> = base.lines().collect();
    let type_lines: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("type: "))
        .collect();
    for &i in &type_lines {
        for t in TYPES {
            let mut l = lines.clone();
            let swapped = swap_type(lines[i], t);
            l[i] = &swapped;
            out.push(l.join("\n"));
        }
    }
    // Junk values in a dozen places, for a few deterministic seeds.
    let value_lines: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(": ") && !lines[i].trim_end().ends_with(':'))
        .collect();
    let mut rng = Rng(seed);
    for _ in 0..24 {
        let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        for _ in 0..12 {
            let i = value_lines[rng.below(value_lines.len())];
            let junk = JUNK[rng.below(JUNK.len())];
            let line = &l[i];
            // Replace the value after the first `: ` (keeping the key and indentation).
            if let Some(pos) = line.find(": ") {
                l[i] = format!("{}: {junk}", &line[..pos]);
            }
        }
        out.push(l.join("\n"));
    }
    out
}

fn swap_type(line: &str, t: &str) -> String {
    let pos = line.find("type: ").unwrap() + "type: ".len();
    let rest = &line[pos..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    format!("{}{t}{}", &line[..pos], &rest[end..])
}

#[test]
fn mutated_specs_never_panic() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    names.sort();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut runs = 0;
    for (seed, spec) in names.iter().enumerate() {
        let base = std::fs::read_to_string(spec).unwrap();
        let path = dir.path().join(spec.file_name().unwrap());
        for m in mutations(&base, seed as u64 + 1) {
            runs += 1;
            if let Some(f) = panics(&path, &m) {
                failures.push(format!("{}: {f}", spec.display()));
            }
        }
        // The JSON form of the same document, truncated too.
        // (Fixtures with numbers serde_json cannot hold, like big_bounds, are skipped here.)
        let Ok(value) = serde_yaml::from_str::<serde_json::Value>(&base) else {
            continue;
        };
        let json = serde_json::to_string_pretty(&value).unwrap();
        let jpath = path.with_extension("json");
        for cut in (0..json.len()).step_by(97) {
            runs += 1;
            if let Some(f) = panics(&jpath, &json[..cut]) {
                failures.push(format!("{} (JSON): {f}", spec.display()));
            }
        }
    }
    eprintln!("{runs} mutated specs checked");
    assert!(runs > 1000, "only {runs} mutations");
    assert!(
        failures.is_empty(),
        "{} of {runs} mutated specs panicked; first:\n{}",
        failures.len(),
        failures[0]
    );
}

#[test]
fn parameters_named_after_builder_members_are_renamed_with_a_warning() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/builder_members.yaml");
    let (api, warnings) = codegen::lower_spec(&path).expect("the fixture lowers");
    let op = &api.operations[0];
    let ident = |wire: &str| {
        op.params
            .iter()
            .find(|p| p.wire == wire)
            .map(|p| p.ident.clone())
            .unwrap()
    };
    for member in codegen::naming::BUILDER_MEMBERS {
        if let Some(p) = op.params.iter().find(|p| p.wire == *member) {
            assert_ne!(
                &p.ident, member,
                "parameter `{member}` kept a builder member's name"
            );
            assert!(
                warnings.iter().any(|w| w
                    .message
                    .contains(&format!("parameter `{member}` would be named `{member}`"))
                    && w.pointer.starts_with("/paths/")),
                "no warning for `{member}`: {warnings:?}"
            );
        }
    }
    assert_eq!(ident("request"), "request2");
    assert_eq!(ident("type"), "type");
}

/// Parameters whose Rust names collide (`x`, `X`, `x2`) are renamed in order, each rename
/// with a warning: `.x2(v)` that sets `X` is said, not left to be misread.
#[test]
fn parameters_whose_names_collide_are_renamed_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "c.yaml",
        "openapi: 3.0.3\ninfo: {title: C, version: '1'}\npaths:\n  /c:\n    get:\n      parameters:\n        - {name: x, in: query, schema: {type: string}}\n        - {name: X, in: query, schema: {type: string}}\n        - {name: x2, in: query, schema: {type: string}}\n      responses:\n        '204': {description: ok}\n",
    );
    let (api, warnings) = codegen::lower_spec(&spec).expect("lowers");
    let idents: Vec<(&str, &str)> = api.operations[0]
        .params
        .iter()
        .map(|p| (p.wire.as_str(), p.ident.as_str()))
        .collect();
    assert_eq!(idents, [("x", "x"), ("X", "x2"), ("x2", "x2_2")]);
    let said: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        said,
        [
            "parameter `X` would be named `x`, as an earlier parameter of this operation is; its Rust name is `x2`",
            "parameter `x2` would be named `x2`, as an earlier parameter of this operation is; its Rust name is `x2_2`",
        ]
    );
    assert!(warnings
        .iter()
        .all(|w| w.pointer.starts_with("/paths/~1c/get/parameters/")));
}

#[test]
fn a_reference_narrowed_in_all_of_keeps_its_type_and_takes_the_keywords() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "n.yaml",
        "openapi: 3.0.3\ninfo: {title: N, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Code: {type: string, pattern: '^[a-z]+$', maxLength: 64}\n    Count: {type: integer, minimum: 0, maximum: 100}\n    Holder:\n      type: object\n      properties:\n        code:\n          allOf:\n            - {$ref: '#/components/schemas/Code'}\n            - {maxLength: 8, pattern: '^[a-c]+$'}\n        count:\n          allOf:\n            - {$ref: '#/components/schemas/Count'}\n            - {minimum: 10, exclusiveMaximum: true, maximum: 100}\n",
    );
    let warnings = check(&[&spec]).expect("only warnings");
    // A second pattern cannot be joined with the first: said, at the property.
    let w = warnings
        .iter()
        .find(|d| d.pointer == "/components/schemas/Holder/properties/code")
        .unwrap_or_else(|| panic!("no warning at the property: {warnings:#?}"));
    assert!(w.message.contains("second `pattern`"), "{}", w.message);
    let out = Config::new().spec(&spec).render().expect("renders");
    let types = out
        .files
        .iter()
        .find(|f| f.path.ends_with("n/types.rs"))
        .expect("types.rs");
    // The values keep their types (not structs without fields), with the tighter bounds.
    assert!(types.contents.contains("pub code: Option<String>"));
    assert!(types.contents.contains("pub count: Option<i64>"));
    assert!(!types.contents.contains("pub struct HolderCode"));
    // maxLength 8, not 64; the first pattern; minimum 10, not 0; below 100, not up to it.
    assert!(types
        .contents
        .contains("v::check_length(&field_path, value, None, Some(8u64), out);"));
    assert!(types
        .contents
        .contains("v::check_pattern(&field_path, value, \"^[a-z]+$\", out);"));
    assert!(types.contents.contains("Some((10i128, false)),"));
    assert!(types.contents.contains("Some((100i128, true)),"));
}
