//! Hostile specs: byte-order marks, percent-encoded `$ref`s, odd operationIds, deep nesting
//! and long `$ref` chains (never a stack overflow), self-containing unions, recursive schema
//! webs (lowered in near-linear time), contradictory constraints, patterns with ECMA-262
//! meaning and vendor extensions of the wrong shape.

use std::path::{Path, PathBuf};

use codegen::{Config, Diagnostic, Diagnostics, Severity};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn check_text(name: &str, text: &str) -> Result<Vec<Diagnostic>, Diagnostics> {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, text);
    let mut c = Config::new();
    c.spec(&p);
    c.check()
}

fn lower_text(text: &str) -> Result<(codegen::ir::Api, Vec<Diagnostic>), Diagnostics> {
    let spec = codegen::load::load_str(Path::new("spec.yaml"), text.to_string())?;
    codegen::lower_loaded(&spec)
}

/// Runs `f` on a thread with the stack of a default main thread (8 MiB), so a test proves
/// that the work fits there rather than in whatever the test harness gives.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no panic")
}

fn find<'a>(diags: &'a [Diagnostic], sev: Severity, pointer: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.severity == sev && d.pointer == pointer)
        .unwrap_or_else(|| panic!("no {sev:?} at {pointer}; diagnostics: {diags:#?}"))
}

fn errors(r: Result<Vec<Diagnostic>, Diagnostics>) -> Vec<Diagnostic> {
    match r {
        Ok(w) => panic!("expected errors, got Ok with warnings {w:#?}"),
        Err(d) => d.0,
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

#[test]
fn a_byte_order_mark_is_ignored_and_lines_stay_right() {
    let text = format!(
        "\u{feff}{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{$ref: '#/components/schemas/Nope'}}\n"
    );
    let errs = errors(check_text("bom.yaml", &text));
    let e = find(&errs, Severity::Error, "/components/schemas/A/properties/b");
    assert!(e.message.contains("dangling"), "{e}");
    assert_eq!((e.line, e.column), (Some(9), Some(9)), "{e}");
    // And a clean one with a BOM passes, YAML and JSON.
    check_text("ok.yaml", &format!("\u{feff}{HEAD}paths: {{}}\n")).expect("BOM YAML accepted");
    check_text(
        "ok.json",
        "\u{feff}{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"T\", \"version\": \"1\"}, \"paths\": {}}",
    )
    .expect("BOM JSON accepted");
}

#[test]
fn percent_encoded_refs_resolve_everywhere() {
    let text = format!(
        "{HEAD}paths:
  /{{id}}:
    parameters: [{{$ref: '#/components/parameters/The%20Id'}}]
    get:
      operationId: getOne
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Foo%20Bar'}}
        '404':
          description: missing
          headers:
            X-Why: {{$ref: '#/components/headers/Why%21'}}
    post:
      operationId: postOne
      requestBody: {{$ref: '#/components/requestBodies/B%C3%A9'}}
      responses:
        '404': {{$ref: '#/paths/~1%7Bid%7D/get/responses/404'}}
components:
  parameters:
    The Id: {{name: id, in: path, required: true, schema: {{type: string}}}}
  headers:
    Why!: {{schema: {{type: string}}}}
  requestBodies:
    Bé: {{content: {{application/json: {{schema: {{$ref: '#/components/schemas/Foo%20Bar/properties/n'}}}}}}}}
  schemas:
    Foo Bar:
      type: object
      properties:
        n: {{type: integer}}
        u:
          oneOf:
            - $ref: '#/components/schemas/Foo%20Bar'
            - type: string
          discriminator:
            propertyName: kind
            mapping: {{x: '#/components/schemas/Foo%20Bar'}}
"
    );
    let (api, _warnings) = lower_text(&text).expect("percent-encoded refs resolve");
    assert!(api.types.iter().any(|t| t.name == "FooBar"));
    let post = api
        .operations
        .iter()
        .find(|o| o.operation_id == "postOne")
        .unwrap();
    assert!(post.params.iter().any(|p| p.wire == "id"), "{post:#?}");
    assert!(post.body.is_some());
    assert!(!post.responses.is_empty());
}
