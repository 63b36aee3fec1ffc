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

/// Checks `text` on a thread with an 8 MiB stack; a stack overflow would abort the test binary.
fn check_on_small_stack(name: &'static str, text: String) -> Result<Vec<Diagnostic>, Diagnostics> {
    on_small_stack(move || check_text(name, &text))
}

#[test]
fn a_long_ref_alias_chain_does_not_overflow_the_stack() {
    let n = 5000;
    let mut text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Holder:\n      type: object\n      properties:\n        a: {{$ref: '#/components/schemas/A0'}}\n"
    );
    for i in 0..n {
        text.push_str(&format!(
            "    A{i}: {{$ref: '#/components/schemas/A{}'}}\n",
            i + 1
        ));
    }
    text.push_str(&format!("    A{n}: {{type: string, maxLength: 3}}\n"));
    // Either it lowers (the chain followed by iteration) or it reports a diagnostic: no abort.
    match check_on_small_stack("chain.yaml", text.clone()) {
        Ok(_) => {}
        Err(d) => {
            assert!(!d.0.is_empty());
            assert!(d.0.iter().all(|e| !e.pointer.is_empty()), "{d}");
        }
    }
    // A chain that loops back is an error at the schema, not a hang.
    let looped = text.replace(
        &format!("    A{n}: {{type: string, maxLength: 3}}\n"),
        &format!("    A{n}: {{$ref: '#/components/schemas/A0'}}\n"),
    );
    let errs = errors(check_on_small_stack("loop.yaml", looped));
    assert!(
        errs.iter()
            .any(|e| e.severity == Severity::Error && e.message.contains("cycle")),
        "{errs:#?}"
    );
}

fn nested(n: usize, open: &str, close: &str, leaf: &str) -> String {
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(open);
    }
    s.push_str(leaf);
    for _ in 0..n {
        s.push_str(close);
    }
    s
}

#[test]
fn deeply_nested_schemas_and_documents_give_a_diagnostic_not_an_abort() {
    for n in [60, 200, 5000] {
        // 5000 levels of `items:` in flow YAML, and the same in JSON.
        let items = nested(n, "{type: array, items: ", "}", "{type: string}");
        let yaml = format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Deep:\n      type: object\n      properties:\n        d: {items}\n"
        );
        let r = check_on_small_stack("items.yaml", yaml);
        if let Err(d) = &r {
            assert!(d.has_errors(), "{d}");
        }
        let props = nested(n, "{type: object, properties: {p: ", "}}", "{type: string}");
        let yaml = format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Deep: {props}\n");
        let r = check_on_small_stack("props.yaml", yaml);
        if let Err(d) = &r {
            assert!(d.has_errors(), "{d}");
        }
        let json_items = nested(
            n,
            "{\"type\": \"array\", \"items\": ",
            "}",
            "{\"type\": \"string\"}",
        );
        let json = format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"T\", \"version\": \"1\"}}, \"paths\": {{}}, \"components\": {{\"schemas\": {{\"Deep\": {json_items}}}}}}}"
        );
        let r = check_on_small_stack("items.json", json);
        if let Err(d) = &r {
            assert!(d.has_errors(), "{d}");
        }
        // Bare nesting of the document itself.
        let yaml = format!("{HEAD}paths: {{}}\nx-deep: {}\n", nested(n, "[", "]", "1"));
        let _ = check_on_small_stack("doc.yaml", yaml);
        let json = format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"T\", \"version\": \"1\"}}, \"paths\": {{}}, \"x-deep\": {}}}",
            nested(n, "[", "]", "1")
        );
        let _ = check_on_small_stack("doc.json", json);
    }
    // Deep enough to be refused by the parser: a clean syntax diagnostic with a line.
    let yaml = format!(
        "{HEAD}paths: {{}}\nx-deep: {}\n",
        nested(5000, "[", "]", "1")
    );
    let errs = errors(check_on_small_stack("doc.yaml", yaml));
    assert!(errs[0].line.is_some(), "{errs:#?}");
}

#[test]
#[cfg(feature = "cli")] // runs the `codegen` binary
fn the_cli_survives_a_long_ref_chain() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5000;
    let mut text = format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n");
    for i in 0..n {
        text.push_str(&format!(
            "    A{i}: {{type: array, items: {{$ref: '#/components/schemas/A{}'}}}}\n",
            i + 1
        ));
    }
    text.push_str(&format!("    A{n}: {{type: string}}\n"));
    let p = write(dir.path(), "arrays.yaml", &text);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_codegen"))
        .arg("check")
        .arg(&p)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit code 0 (lowered) or 1 (diagnostics); a signal (abort) has no code.
    assert!(out.status.code().is_some(), "aborted: {stderr}");
    assert!(!stderr.contains("overflow"), "{stderr}");
}

/// A web of mutually recursive schemas, in the manner of AWS WAFv2 `Statement`, Cost Explorer
/// `Expression` and Kendra `AttributeFilter`: `n` objects each reaching several others through
/// properties, arrays, maps, unions and allOf.
fn recursive_web(n: usize) -> String {
    let mut s = format!("{HEAD}paths:\n  /s:\n    post:\n      operationId: post\n      requestBody:\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/S0'}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/T0'}}\ncomponents:\n  schemas:\n");
    let r = |i: usize, k: usize| format!("'#/components/schemas/S{}'", (i + k) % n);
    let t = |i: usize, k: usize| format!("'#/components/schemas/T{}'", (i + k) % n);
    for i in 0..n {
        s.push_str(&format!(
            "    S{i}:
      type: object
      properties:
        and: {{type: array, items: {{$ref: {}}}}}
        or: {{type: array, items: {{$ref: {}}}}}
        not: {{$ref: {}}}
        next: {{$ref: {}}}
        byName: {{type: object, additionalProperties: {{$ref: {}}}}}
        either:
          oneOf:
            - $ref: {}
            - $ref: {}
            - $ref: {}
            - type: string
        both:
          allOf:
            - $ref: {}
            - $ref: {}
        alias: {{$ref: '#/components/schemas/A{i}'}}
    A{i}: {{$ref: {}}}
    U{i}:
      anyOf:
        - $ref: {}
        - $ref: '#/components/schemas/U{}'
        - $ref: {}
    T{i}:
      allOf:
        - $ref: {}
        - $ref: {}
        - $ref: {}
        - type: object
          properties:
            more: {{$ref: {}}}
            many: {{type: array, items: {{$ref: '#/components/schemas/U{i}'}}}}
",
            r(i, 1),
            r(i, 2),
            r(i, 3),
            r(i, 5),
            r(i, 7),
            r(i, 11),
            r(i, 13),
            t(i, 1),
            r(i, 17),
            t(i, 19),
            r(i, 23),
            r(i, 4),
            (i + 1) % n,
            t(i, 2),
            t(i, 1),
            t(i, 2),
            r(i, 9),
            t(i, 3),
        ));
    }
    s
}

#[test]
fn a_web_of_recursive_schemas_lowers() {
    let text = recursive_web(30);
    let (api, _warnings) = on_small_stack(move || lower_text(&text)).expect("lowers");
    assert!(api.types.iter().any(|t| t.name == "S29"));
    assert!(api.types.iter().any(|t| t.name == "T29"));
}

#[test]
#[ignore = "timing probe: cargo test --release -- --ignored --nocapture"]
fn recursive_web_timing() {
    for n in [30, 60, 120, 240] {
        let text = recursive_web(n);
        let spec = codegen::load::load_str(Path::new("w.yaml"), text).unwrap();
        let t = std::time::Instant::now();
        let r = codegen::lower_loaded(&spec);
        eprintln!("n={n}: {:?} ok={}", t.elapsed(), r.is_ok());
    }
}

fn union_variants(api: &codegen::ir::Api, name: &str) -> Vec<codegen::ir::Ty> {
    let t = api.types.iter().find(|t| t.name == name).expect(name);
    match &t.kind {
        codegen::ir::TypeKind::Union(vs) => vs.iter().map(|v| v.ty.clone()).collect(),
        other => panic!("{name} is no union: {other:?}"),
    }
}

#[test]
fn unions_that_contain_themselves_without_a_container_lose_the_closing_alternative() {
    use codegen::ir::Ty;
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    U:
      oneOf:
        - $ref: '#/components/schemas/U'
        - type: string
    U1:
      oneOf:
        - $ref: '#/components/schemas/U2'
        - type: integer
    U2:
      anyOf:
        - type: string
        - $ref: '#/components/schemas/U1'
    Fine:
      oneOf:
        - type: array
          items: {{$ref: '#/components/schemas/Fine'}}
        - type: object
          properties:
            next: {{$ref: '#/components/schemas/Fine'}}
        - type: string
"
    );
    let (api, warnings) = lower_text(&text).expect("lowers");
    let w = find(
        &warnings,
        Severity::Warning,
        "/components/schemas/U/oneOf/0",
    );
    assert!(w.message.contains("contain itself"), "{w}");
    // The alternative's own line (the `- $ref` item).
    assert_eq!(w.line, Some(8), "{w}");
    assert_eq!(union_variants(&api, "U"), vec![Ty::String]);
    // The mutual pair: the alternative closing the cycle goes, one of the two stays whole.
    let w = find(
        &warnings,
        Severity::Warning,
        "/components/schemas/U2/anyOf/1",
    );
    assert_eq!(w.line, Some(17), "{w}");
    assert_eq!(
        union_variants(&api, "U1"),
        vec![Ty::Named("U2".into()), Ty::I64]
    );
    assert_eq!(union_variants(&api, "U2"), vec![Ty::String]);
    // Recursion through an array or an object is finite: untouched, no warning.
    assert_eq!(union_variants(&api, "Fine").len(), 3);
    assert!(
        !warnings.iter().any(|d| d.pointer.contains("Fine")),
        "{warnings:#?}"
    );
}

#[test]
fn odd_and_repeated_operation_ids_are_named_with_a_warning() {
    let text = format!(
        "{HEAD}paths:
  /rules:
    get:
      operationId: List rules
      responses: {{'200': {{description: ok}}}}
    post:
      operationId: get_users_~
      responses: {{'200': {{description: ok}}}}
    put:
      operationId: 123abc
      responses: {{'200': {{description: ok}}}}
    delete:
      operationId: ''
      responses: {{'200': {{description: ok}}}}
  /again:
    get:
      operationId: List rules
      responses: {{'200': {{description: ok}}}}
    post:
      operationId: listRules
      responses: {{'200': {{description: ok}}}}
    put:
      operationId: repos/get-content
      responses: {{'200': {{description: ok}}}}
"
    );
    let (api, warnings) = lower_text(&text).expect("no refusal");
    let methods: Vec<(&str, &str)> = api
        .operations
        .iter()
        .map(|o| (o.pointer.as_str(), o.method_name.as_str()))
        .collect();
    assert_eq!(
        methods,
        vec![
            ("/paths/~1rules/get", "list_rules"),
            ("/paths/~1rules/put", "_123abc"),
            ("/paths/~1rules/post", "get_users"),
            ("/paths/~1rules/delete", "delete_rules"),
            ("/paths/~1again/get", "list_rules2"),
            ("/paths/~1again/put", "repos_get_content"),
            ("/paths/~1again/post", "list_rules3"),
        ]
    );
    for (pointer, line, what) in [
        ("/paths/~1rules/get", 5, "not an identifier"),
        ("/paths/~1rules/post", 8, "not an identifier"),
        ("/paths/~1rules/put", 11, "not an identifier"),
        ("/paths/~1rules/delete", 14, "empty operationId"),
        (
            "/paths/~1again/get",
            18,
            "duplicate operationId `List rules`",
        ),
        (
            "/paths/~1again/post",
            21,
            "as does the operation at #/paths/~1rules/get",
        ),
    ] {
        let w = warnings
            .iter()
            .find(|d| d.pointer == pointer && d.message.contains(what))
            .unwrap_or_else(|| panic!("no `{what}` at {pointer}: {warnings:#?}"));
        assert_eq!(w.severity, Severity::Warning);
        assert_eq!(w.line, Some(line), "{w}");
    }
    assert!(
        !warnings.iter().any(|d| d.pointer == "/paths/~1again/put"),
        "`repos/get-content` reads as a name: {warnings:#?}"
    );
    // And the client compiles to distinct methods.
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "ids.yaml", &text);
    Config::new().spec(&p).render().expect("renders");
}

/// `client.into()` calls `Into::into` (by value) before an inherent `&self` method: an
/// operation named `into` or `try_into` gets another name, or it could not be called.
#[test]
fn operations_named_like_by_value_trait_methods_are_renamed() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: into
      responses: {{'200': {{description: ok}}}}
    post:
      operationId: try_into
      responses: {{'200': {{description: ok}}}}
    put:
      operationId: clone
      responses: {{'200': {{description: ok}}}}
"
    );
    let (api, _) = lower_text(&text).expect("lowers");
    let methods: Vec<&str> = api
        .operations
        .iter()
        .map(|o| o.method_name.as_str())
        .collect();
    assert_eq!(methods, ["into2", "clone", "try_into2"]);
}

/// A path template is sent as written: braces that do not pair, a query, a `.`/`..` segment
/// (encoded or not) would send the request elsewhere than the spec says, so they are errors
/// at the path; a fragment, never sent, is dropped with a warning.
#[test]
fn path_templates_that_cannot_be_sent_as_written_are_errors() {
    let op = "{get: {operationId: OP, parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {'200': {description: ok}}}}";
    let paths = [
        ("/a/{{id}}", "do not pair"),
        ("/b/{id", "do not pair"),
        ("/c/id}", "do not pair"),
        ("/d/../{id}", "`..` segment"),
        ("/e/%2e%2e/{id}", "`%2e%2e` segment"),
        ("/f/./{id}", "`.` segment"),
        ("/g/{id}?x=1", "holds `?`"),
        ("/i/{}/{id}", "without a name"),
    ];
    let mut text = format!("{HEAD}paths:\n");
    for (i, (path, _)) in paths.iter().enumerate() {
        text.push_str(&format!(
            "  '{path}': {}\n",
            op.replace("OP", &format!("op{i}"))
        ));
    }
    text.push_str(&format!(
        "  '/ok/{{id}}#second': {}\n",
        op.replace("OP", "fragment")
    ));
    let all = match check_text("t.yaml", &text) {
        Ok(d) => panic!("no error: {d:#?}"),
        Err(d) => d.0,
    };
    for (i, (path, what)) in paths.iter().enumerate() {
        let pointer = format!("/paths/{}", path.replace('~', "~0").replace('/', "~1"));
        let e = find(&all, Severity::Error, &pointer);
        assert!(e.message.contains(what), "{e}");
        assert_eq!(e.line, Some(4 + i), "{e}");
    }
    assert_eq!(
        all.iter().filter(|d| d.severity == Severity::Error).count(),
        paths.len(),
        "{all:#?}"
    );
    let w = find(&all, Severity::Warning, "/paths/~1ok~1{id}#second");
    assert!(w.message.contains("the request goes to `/ok/{id}`"), "{w}");

    let fine = format!(
        "{HEAD}paths:\n  '/ok/{{id}}#second': {}\n",
        op.replace("OP", "f")
    );
    let (api, _) = lower_text(&fine).expect("lowers");
    assert_eq!(api.operations[0].path, "/ok/{id}");
}

/// The client secret is posted to `tokenUrl`: only over TLS, or to a path on the API's host.
#[test]
fn a_token_url_must_not_send_the_secret_in_the_clear() {
    let spec = |url: &str| {
        format!(
            "{HEAD}paths: {{}}\ncomponents:\n  securitySchemes:\n    t:\n      type: apiKey\n      in: header\n      name: access-token\n      x-client-credentials: {{tokenUrl: '{url}'}}\n"
        )
    };
    // Absolute http URLs, and what URL parsers read as such (`http:host/x` is
    // `http://host/x` to the WHATWG rules), other schemes, and other hosts without a scheme.
    for url in [
        "http://attacker.example:8080/steal",
        "HTTP://a.example/t",
        "ftp://a.example/t",
        "//a.example/t",
        "http:attacker.example/steal",
        "HTTP:\\\\attacker.example\\steal",
        "http:/attacker.example",
        "/\\attacker.example/t",
        "https:///t",
        "attacker.example/t",
    ] {
        let all = errors(check_text("t.yaml", &spec(url)));
        let e = find(
            &all,
            Severity::Error,
            "/components/securitySchemes/t/x-client-credentials/tokenUrl",
        );
        assert!(
            e.message
                .contains("must be an https URL (`https://host/path`) or a path on the API's host"),
            "{url}: {e}"
        );
    }
    for url in [
        "https://iam.example/oauth2/token",
        "HTTPS://iam.example/oauth2/token",
        "/baas/auth/v1.0/oauth2/token",
    ] {
        assert!(check_text("t.yaml", &spec(url)).is_ok(), "{url}");
    }
    // The header an API key goes in is a header name.
    let bad = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  securitySchemes:\n    k: {{type: apiKey, in: header, name: \"Bad Header\\n\"}}\n"
    );
    let all = errors(check_text("t.yaml", &bad));
    let e = find(&all, Severity::Error, "/components/securitySchemes/k/name");
    assert!(e.message.contains("not a valid HTTP header name"), "{e}");
}

/// A discriminator mapping to a schema that is not a member selects nothing: a warning at
/// the mapping's entry, not silence.
#[test]
fn a_discriminator_mapping_to_no_member_is_reported() {
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Cat: {{type: object, properties: {{kind: {{type: string}}}}}}
    Dog: {{type: object, properties: {{kind: {{type: string}}}}}}
    Pet:
      oneOf:
        - $ref: '#/components/schemas/Cat'
        - $ref: '#/components/schemas/Dog'
      discriminator:
        propertyName: kind
        mapping:
          cat: '#/components/schemas/Cat'
          dog: Dog
          ghost: '#/components/schemas/Nowhere'
          ext: 'other.yaml#/X'
"
    );
    let (_, warnings) = lower_text(&text).expect("lowers");
    for (value, line) in [("ghost", 17), ("ext", 18)] {
        let pointer = format!("/components/schemas/Pet/discriminator/mapping/{value}");
        let w = find(&warnings, Severity::Warning, &pointer);
        assert!(w.message.contains("selects nothing"), "{w}");
        assert_eq!(w.line, Some(line), "{w}");
    }
    assert!(
        !warnings
            .iter()
            .any(|w| w.pointer.ends_with("/cat") || w.pointer.ends_with("/dog")),
        "{warnings:#?}"
    );
}

#[test]
fn contradictory_constraints_are_errors_at_the_schema() {
    let text = format!(
        "{HEAD}paths:
  /h:
    get:
      operationId: getH
      parameters:
        - {{name: 'X Bad', in: header, schema: {{type: string}}}}
        - {{name: X-Fine_1.2, in: header, schema: {{type: string}}}}
      responses: {{'200': {{description: ok}}}}
components:
  schemas:
    Holder:
      type: object
      properties:
        num: {{type: number, minimum: 5, maximum: 1}}
        excl: {{type: number, minimum: 2, maximum: 2, exclusiveMaximum: true}}
        int: {{type: integer, minimum: 1, maximum: 2, exclusiveMinimum: true, exclusiveMaximum: true}}
        okInt: {{type: integer, minimum: 1, maximum: 3, exclusiveMinimum: true, exclusiveMaximum: true}}
        str: {{type: string, minLength: 3, maxLength: 2}}
        arr: {{type: array, minItems: 4, maxItems: 1, items: {{type: string}}}}
        map: {{type: object, minProperties: 2, maxProperties: 1, additionalProperties: {{type: string}}}}
        look: {{type: string, pattern: '^(?=.*[0-9]).+$'}}
        back: {{type: string, pattern: '(a)\\1'}}
        fine: {{type: string, pattern: '^[\\d-]+$'}}
    Obj:
      type: object
      minProperties: 3
      maxProperties: 2
      properties:
        a: {{type: string}}
"
    );
    let all = errors(check_text("c.yaml", &text));
    let base = "/components/schemas/Holder/properties";
    for (prop, line, what) in [
        ("num", 16, "range is empty"),
        ("excl", 17, "range is empty"),
        ("int", 18, "range is empty"),
        ("str", 20, "`minLength: 3` exceeds `maxLength: 2`"),
        ("arr", 21, "`minItems: 4` exceeds `maxItems: 1`"),
        ("map", 22, "`minProperties: 2` exceeds `maxProperties: 1`"),
    ] {
        let e = find(&all, Severity::Error, &format!("{base}/{prop}"));
        assert!(e.message.contains(what), "{e}");
        assert_eq!(e.line, Some(line), "{e}");
    }
    let e = find(&all, Severity::Error, "/components/schemas/Obj");
    assert!(e.message.contains("minProperties"), "{e}");
    assert_eq!(e.line, Some(26), "{e}");
    assert!(
        !all.iter().any(|d| d.pointer.ends_with("/okInt")),
        "{all:#?}"
    );
    // Header names must be HTTP tokens.
    let e = find(&all, Severity::Error, "/paths/~1h/get/parameters/0");
    assert!(e.message.contains("`X Bad`"), "{e}");
    assert!(!all
        .iter()
        .any(|d| d.pointer == "/paths/~1h/get/parameters/1"));
    // Patterns the regex crate cannot compile: a warning, and not enforced.
    for (prop, line) in [("look", 23), ("back", 24)] {
        let w = find(&all, Severity::Warning, &format!("{base}/{prop}/pattern"));
        assert!(w.message.contains("not enforced"), "{w}");
        assert_eq!(w.line, Some(line), "{w}");
    }
    assert!(!all.iter().any(|d| d.pointer.contains("/fine")), "{all:#?}");
    // Without the contradictions, it lowers, and the bad patterns are gone from the IR.
    let mut fixed = String::new();
    for l in text.lines() {
        if [
            "num:",
            "excl:",
            "int:",
            "str:",
            "arr:",
            "map:",
            "X Bad",
            "minProperties: 3",
        ]
        .iter()
        .all(|k| !l.contains(k))
        {
            fixed.push_str(l);
            fixed.push('\n');
        }
    }
    let (api, _) = lower_text(&fixed).expect("lowers");
    let codegen::ir::TypeKind::Struct(holder) =
        &api.types.iter().find(|t| t.name == "Holder").unwrap().kind
    else {
        panic!()
    };
    let pattern = |wire: &str| {
        holder
            .fields
            .iter()
            .find(|f| f.wire == wire)
            .unwrap()
            .constraints
            .pattern
            .clone()
    };
    assert_eq!(pattern("look"), None);
    assert_eq!(pattern("back"), None);
    assert_eq!(pattern("fine").as_deref(), Some("^[0-9-]+$"));
}

#[test]
fn the_aicc_due_date_pattern_gets_ecma_digits() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/aicc-case.yaml");
    let raw: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    // CaseInfo's dueDate, inline or a `$ref` to a component.
    let schemas = &raw["components"]["schemas"];
    let due = &schemas["CaseInfo"]["properties"]["dueDate"];
    let due = match due["$ref"].as_str() {
        Some(r) => &schemas[r.rsplit('/').next().unwrap()],
        None => due,
    };
    let original = due["pattern"]
        .as_str()
        .expect("a dueDate pattern")
        .to_string();
    let (api, _) = codegen::lower_spec(&spec).expect("lowers");
    let translated = api
        .types
        .iter()
        .find_map(|t| match &t.kind {
            codegen::ir::TypeKind::Struct(s) => s
                .fields
                .iter()
                .find(|f| f.wire == "dueDate")
                .and_then(|f| f.constraints.pattern.clone()),
            _ => None,
        })
        .expect("dueDate keeps a pattern");
    let arabic = "\u{662}\u{660}\u{662}\u{664}-01-01 00:00:00";
    assert!(regex::Regex::new(&original).unwrap().is_match(arabic));
    let re = regex::Regex::new(&translated).unwrap();
    assert!(!re.is_match(arabic), "{translated}");
    assert!(re.is_match("2024-01-01 00:00:00"), "{translated}");
}

#[test]
fn vendor_extensions_of_the_wrong_shape_or_place_are_errors() {
    let text = format!(
        "{HEAD}servers:
  - url: https://a.example
    x-name: 7
paths:
  /v:
    post:
      operationId: postV
      x-idempotent: 'yes'
      responses:
        '200':
          description: ok
          x-business-error: {{message: msg}}
components:
  securitySchemes:
    basic: {{type: http, scheme: basic, x-signing-algorithm: HMAC-SHA256}}
  schemas:
    Holder:
      type: object
      x-required-if: {{when: x}}
      x-codegen-mystery: 1
      x-something-else: whatever
      properties:
        s: {{type: string, x-max-bytes: '20'}}
        untyped: {{x-max-bytes: 20}}
        n: {{type: integer, x-extensible-enum: [a]}}
        e: {{type: string, x-extensible-enum: [1, 2]}}
        ok: {{type: string, x-max-bytes: 20, x-min-bytes: 1}}
        both: {{type: string, x-max-bytes: 2, x-min-bytes: 3}}
    Str:
      type: string
      x-required-if: []
"
    );
    let all = errors(check_text("x.yaml", &text));
    for (pointer, line, what) in [
        ("/servers/0/x-name", 5, "`x-name` must be"),
        ("/paths/~1v/post/x-idempotent", 10, "`x-idempotent` must be"),
        (
            "/paths/~1v/post/responses/200/x-business-error",
            14,
            "`code` is required",
        ),
        (
            "/components/securitySchemes/basic/x-signing-algorithm",
            17,
            "API keys in a header",
        ),
        (
            "/components/schemas/Holder/x-required-if",
            21,
            "must be a list",
        ),
        (
            "/components/schemas/Holder/x-codegen-mystery",
            22,
            "unknown generator extension",
        ),
        (
            "/components/schemas/Holder/properties/s/x-max-bytes",
            25,
            "non-negative integer",
        ),
        (
            "/components/schemas/Holder/properties/untyped/x-max-bytes",
            26,
            "string schemas",
        ),
        (
            "/components/schemas/Holder/properties/n/x-extensible-enum",
            27,
            "string schemas",
        ),
        (
            "/components/schemas/Holder/properties/e/x-extensible-enum",
            28,
            "list of strings",
        ),
        (
            "/components/schemas/Holder/properties/both",
            30,
            "exceeds `x-max-bytes: 2`",
        ),
        (
            "/components/schemas/Str/x-required-if",
            33,
            "object schemas",
        ),
    ] {
        let e = find(&all, Severity::Error, pointer);
        assert!(e.message.contains(what), "{e}");
        assert_eq!(e.line, Some(line), "{e}");
    }
    assert!(
        !all.iter()
            .any(|d| d.pointer.contains("x-something-else") || d.pointer.ends_with("/ok")),
        "{all:#?}"
    );
    assert_eq!(
        all.iter().filter(|d| d.severity == Severity::Error).count(),
        12,
        "{all:#?}"
    );
}

#[test]
fn default_headers_are_checked_entry_by_entry() {
    let text = format!(
        "{HEAD}x-default-headers:
  Content-Type: application/json
  Bad Name: x
  Host: example.com
  content-type: text/plain
  X-Number: 7
  X-Line: \"a\\r\\nInjected: 1\"
  Accept: application/vnd.x+json
x-codegen-mystery: 1
paths: {{}}
"
    );
    let all = errors(check_text("x.yaml", &text));
    for (pointer, line, what) in [
        (
            "/x-default-headers/Bad Name",
            5,
            "not a valid HTTP header name",
        ),
        ("/x-default-headers/Host", 6, "cannot be a default"),
        ("/x-default-headers/content-type", 7, "listed twice"),
        ("/x-default-headers/X-Number", 8, "must be a string"),
        ("/x-default-headers/X-Line", 9, "printable ASCII"),
        ("/x-codegen-mystery", 11, "unknown generator extension"),
    ] {
        let e = find(&all, Severity::Error, pointer);
        assert!(e.message.contains(what), "{e}");
        assert_eq!(e.line, Some(line), "{e}");
    }
    assert_eq!(
        all.iter().filter(|d| d.severity == Severity::Error).count(),
        6,
        "{all:#?}"
    );

    let good = format!(
        "{HEAD}x-default-headers: {{Content-Type: application/json, Accept: '*/*'}}\npaths: {{}}\n"
    );
    let (api, _) = lower_text(&good).expect("lowers");
    assert_eq!(
        api.preset_headers,
        [
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Accept".to_string(), "*/*".to_string())
        ]
    );
    let shape = format!("{HEAD}x-default-headers: [Content-Type]\npaths: {{}}\n");
    let all = errors(check_text("x.yaml", &shape));
    let e = find(&all, Severity::Error, "/x-default-headers");
    assert!(e.message.contains("must be a map"), "{e}");
}

#[test]
fn refs_into_their_own_subtree_end() {
    // Found by tests/fuzz_specs.rs: a `$ref` into an inline schema that contains the `$ref`
    // made a new type at every level, forever.
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Dog:
      allOf:
        - type: object
          properties:
            name: {{$ref: '#/components/schemas/Dog/allOf/0'}}
            pack:
              allOf:
                - $ref: '#/components/schemas/Dog/allOf/0'
"
    );
    let (api, _) = on_small_stack(move || lower_text(&text)).expect("lowers");
    assert!(api.types.len() < 10, "{:#?}", api.types);
}

#[test]
fn allof_through_an_alias_of_an_object_merges_it() {
    // Asana: `UserBase: {$ref: UserCompact}` merged by `allOf`.
    let text = format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Compact: {{type: object, properties: {{gid: {{type: string}}}}}}
    Base: {{$ref: '#/components/schemas/Compact'}}
    Response:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            name: {{type: string}}
"
    );
    let (api, _) = lower_text(&text).expect("lowers");
    let codegen::ir::TypeKind::Struct(s) = &api
        .types
        .iter()
        .find(|t| t.name == "Response")
        .unwrap()
        .kind
    else {
        panic!()
    };
    let wires: Vec<&str> = s.fields.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(wires, ["gid", "name"]);
}

#[test]
fn paging_and_sdk_name_extensions_are_checked_against_the_operation() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: listA
      x-sdk-name: 'list a; drop'
      x-pagination: {{offset: offset, limit: limit, items: /items, total: /total}}
      parameters:
        - {{name: limit, in: query, schema: {{type: string}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {{type: string}}
                  total: {{type: string}}
  /b:
    get:
      operationId: listB
      x-pagination: {{offset: start, page: p, items: /x}}
      responses:
        '204': {{description: none}}
  /c:
    get:
      operationId: listC
      x-pagination: {{page: p, items: x}}
      parameters:
        - {{name: p, in: query, schema: {{type: integer}}}}
      responses:
        '200': {{description: ok}}
  /d:
    post:
      operationId: listD
      x-pagination: {{offset: 'body:start', items: /rows, total: /meta/count, unknown: 1}}
      responses:
        '200': {{description: ok}}
  /e:
    post:
      operationId: listE
      x-pagination: {{offset: 'body:start', items: /rows/0}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                start: {{type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  rows: {{type: array, items: {{type: string}}}}
"
    );
    let all = errors(check_text("x.yaml", &text));
    for (pointer, what) in [
        ("/paths/~1a/get/x-sdk-name", "`x-sdk-name` must be a name"),
        ("/paths/~1a/get/x-pagination", "no query parameter `offset`"),
        (
            "/paths/~1b/get/x-pagination",
            "give `offset` (with `limit`) or `page`",
        ),
        (
            "/paths/~1c/get/x-pagination/items",
            "must be a JSON pointer",
        ),
        (
            "/paths/~1d/post/x-pagination/unknown",
            "unknown key `unknown`",
        ),
        ("/paths/~1e/post/x-pagination", "is not inside an object"),
    ] {
        let e = all
            .iter()
            .find(|d| d.severity == Severity::Error && d.pointer == pointer)
            .unwrap_or_else(|| panic!("no error at {pointer}: {all:#?}"));
        assert!(e.message.contains(what), "{e}");
    }
    // The limit that is not an integer and the items that are not an array are reported
    // once the offset is fixed.
    let fixed = text.replace(
        "        - {name: limit, in: query, schema: {type: string}}",
        "        - {name: limit, in: query, schema: {type: string}}\n        - {name: offset, in: query, schema: {type: integer}}",
    );
    let all = errors(check_text("x.yaml", &fixed));
    let e = find(&all, Severity::Error, "/paths/~1a/get/x-pagination");
    assert!(
        e.message.contains("`limit`: `limit` is not an integer"),
        "{e}"
    );
}

/// A pattern the `regex` crate cannot take is a warning that quotes it clipped, however long
/// the spec made it (and translating it takes linear time: 400,000 braces).
#[test]
fn an_unenforceable_pattern_is_quoted_clipped() {
    let pattern = "{".repeat(400_000);
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    S: {{type: string, pattern: '{pattern}'}}\n"
    );
    let warnings = check_text("p.yaml", &text).expect("a warning, not an error");
    let w = find(
        &warnings,
        Severity::Warning,
        "/components/schemas/S/pattern",
    );
    assert!(
        w.message
            .contains("cannot be checked with the Rust `regex` crate"),
        "{w}"
    );
    assert!(w.message.contains("{{{…"), "{w}");
    assert!(w.message.len() < 1_000, "{} bytes", w.message.len());
}

/// Keys of 100 KB do not multiply into the output: each inline type under such a key was
/// named by the whole key, and its name and pointer repeated in its definition, impls, docs
/// and every reference (240 KB of spec gave 1.2 GB of Rust and took 5.5 GB to generate).
/// Names are shortened past 256 bytes to a start and a fingerprint, pointers in docs and
/// diagnostics past 256 bytes a token; two such keys stay apart.
#[test]
fn huge_keys_give_bounded_names_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let long = |c: char| format!("{}{c}", "N".repeat(100_000));
    let schema = || {
        let props: serde_json::Map<String, serde_json::Value> = (0..50)
            .map(|i| {
                let inline =
                    serde_json::json!({"type": "object", "properties": {"x": {"type": "string"}}});
                (format!("p{i}"), inline)
            })
            .collect();
        serde_json::json!({"type": "object", "properties": props})
    };
    let doc = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "L", "version": "1"},
        "paths": {},
        "components": {"schemas": {long('A'): schema(), long('B'): schema()}}
    });
    let spec = write(dir.path(), "long.json", &doc.to_string());
    let mut c = Config::new();
    c.spec(&spec)
        .out_dir(dir.path().join("out"))
        .crate_name("long");
    let out = c.render().expect("generates");
    let types = out
        .files
        .iter()
        .find(|f| f.path.ends_with("types.rs"))
        .expect("types.rs");
    // The keys themselves are written once each (their serde names), nothing more.
    assert!(
        types.contents.len() < 600_000,
        "{} bytes",
        types.contents.len()
    );
    let idents: std::collections::BTreeSet<&str> = types
        .contents
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("Nnnn"))
        .collect();
    // Two schemas, each with 50 inline types: 102 names, none longer than 256 bytes and a
    // fingerprint, all distinct.
    assert_eq!(
        idents.len(),
        102,
        "{:?}",
        idents.iter().map(|i| &i[..20]).collect::<Vec<_>>()
    );
    assert!(
        idents.iter().all(|i| i.len() <= 256 + 20),
        "{:?}",
        idents.iter().map(|i| i.len()).max()
    );
}
