//! The document's shape, before anything reads it: what `openapiv3` and the lowering would
//! pass over without a word. `openapiv3` ignores keys it does not know, and the lowering
//! cannot see what they held, so a misspelled key (`Post:`, `propertes:`, `requestbody:`), a
//! status code that is none (`'2OO'`), a path that does not start with `/` or a schema `type`
//! that is no type (`strin`) would each drop part of the API from the client with the spec
//! reported as fine. Each is reported here at its JSON pointer:
//! - errors, where OpenAPI 3.0 says MUST and the client would silently lose what the key
//!   holds: a path that does not start with `/`, an unknown `type` (`null`, OpenAPI 3.1's,
//!   is a warning: real specs use it, and it reads as any value);
//! - warnings for the rest: an unknown key (with the known key it most likely means), a
//!   response key that is not a status code, a bound that is not a number (it is not
//!   checked), a required name that is not among the schema's properties (outside
//!   composition, where another member may declare it), an enum value of
//!   another type than its schema's.
//!
//! Extensions (`x-...`) are not looked into, nor are the values of `example`, `default` and
//! `enum`. A `$ref` object's other keys are not looked at: OpenAPI 3.0 ignores them.

use serde_json::{Map, Value};

use crate::diag::Sink;

const ROOT: &[&str] = &[
    "openapi",
    "info",
    "servers",
    "paths",
    "components",
    "security",
    "tags",
    "externalDocs",
];
const COMPONENTS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const PATH_ITEM: &[&str] = &[
    "$ref",
    "summary",
    "description",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
    "servers",
    "parameters",
];
const OPERATION: &[&str] = &[
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "callbacks",
    "deprecated",
    "security",
    "servers",
];
const PARAMETER: &[&str] = &[
    "name",
    "in",
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
];
const HEADER: &[&str] = &[
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
];
const REQUEST_BODY: &[&str] = &["description", "content", "required"];
const MEDIA_TYPE: &[&str] = &["schema", "example", "examples", "encoding"];
const RESPONSE: &[&str] = &["description", "headers", "content", "links"];
const SCHEMA: &[&str] = &[
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];
const NUMBER_BOUNDS: &[&str] = &["multipleOf", "maximum", "minimum"];

/// What an object in the document is, for the keys it may have.
#[derive(Clone, Copy)]
enum Kind {
    Root,
    Components,
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    MediaType,
    Response,
    Schema,
}

/// Reports, into `sink`, what of `raw`'s shape the reading would pass over (see the module's
/// doc).
pub(super) fn check(raw: &Value, sink: &mut Sink) {
    let mut stack: Vec<(String, &Value, Kind)> = vec![(String::new(), raw, Kind::Root)];
    while let Some((pointer, value, kind)) = stack.pop() {
        let Some(map) = value.as_object() else {
            continue;
        };
        if map.contains_key("$ref") && !matches!(kind, Kind::Root | Kind::Components) {
            continue;
        }
        let known = match kind {
            Kind::Root => ROOT,
            Kind::Components => COMPONENTS,
            Kind::PathItem => PATH_ITEM,
            Kind::Operation => OPERATION,
            Kind::Parameter => PARAMETER,
            Kind::Header => HEADER,
            Kind::RequestBody => REQUEST_BODY,
            Kind::MediaType => MEDIA_TYPE,
            Kind::Response => RESPONSE,
            Kind::Schema => SCHEMA,
        };
        for key in map.keys() {
            if !key.starts_with("x-") && !known.contains(&key.as_str()) {
                let hint = match closest(key, known) {
                    Some(k) => format!(" (did you mean `{k}`?)"),
                    None => String::new(),
                };
                sink.warn(
                    &child(&pointer, key),
                    format!("unknown key `{key}`{hint}: OpenAPI 3.0 has no such field here, and it is ignored"),
                );
            }
        }
        match kind {
            Kind::Root => {
                one(map, &pointer, "components", Kind::Components, &mut stack);
                if let Some(Value::Object(paths)) = map.get("paths") {
                    let at = child(&pointer, "paths");
                    for (path, item) in paths {
                        if path.starts_with("x-") {
                            continue;
                        }
                        if !path.starts_with('/') {
                            sink.error(
                                &child(&at, path),
                                format!("a path must start with `/`: `{path}` would be ignored, and its operations with it"),
                            );
                            continue;
                        }
                        stack.push((child(&at, path), item, Kind::PathItem));
                    }
                }
            }
            Kind::Components => {
                for (section, kind) in [
                    ("schemas", Kind::Schema),
                    ("responses", Kind::Response),
                    ("parameters", Kind::Parameter),
                    ("requestBodies", Kind::RequestBody),
                    ("headers", Kind::Header),
                ] {
                    if let Some(Value::Object(entries)) = map.get(section) {
                        let at = child(&pointer, section);
                        for (name, v) in entries {
                            stack.push((child(&at, name), v, kind));
                        }
                    }
                }
            }
            Kind::PathItem => {
                for m in METHODS {
                    one(map, &pointer, m, Kind::Operation, &mut stack);
                }
                each_in(map, &pointer, "parameters", Kind::Parameter, &mut stack);
            }
            Kind::Operation => {
                each_in(map, &pointer, "parameters", Kind::Parameter, &mut stack);
                one(map, &pointer, "requestBody", Kind::RequestBody, &mut stack);
                if let Some(Value::Object(responses)) = map.get("responses") {
                    let at = child(&pointer, "responses");
                    for (code, response) in responses {
                        if code.starts_with("x-") {
                            continue;
                        }
                        if !is_status_key(code) {
                            sink.warn(
                                &child(&at, code),
                                format!("`{code}` is not a status code (`200`, `4XX` or `default`): this response is ignored"),
                            );
                            continue;
                        }
                        stack.push((child(&at, code), response, Kind::Response));
                    }
                }
            }
            Kind::Parameter | Kind::Header | Kind::RequestBody | Kind::Response => {
                one(map, &pointer, "schema", Kind::Schema, &mut stack);
                if let Some(Value::Object(content)) = map.get("content") {
                    let at = child(&pointer, "content");
                    for (media, v) in content {
                        stack.push((child(&at, media), v, Kind::MediaType));
                    }
                }
                if let Some(Value::Object(headers)) = map.get("headers") {
                    let at = child(&pointer, "headers");
                    for (name, v) in headers {
                        stack.push((child(&at, name), v, Kind::Header));
                    }
                }
            }
            Kind::MediaType => one(map, &pointer, "schema", Kind::Schema, &mut stack),
            Kind::Schema => {
                schema(map, &pointer, sink);
                if let Some(Value::Object(props)) = map.get("properties") {
                    let at = child(&pointer, "properties");
                    for (name, v) in props {
                        stack.push((child(&at, name), v, Kind::Schema));
                    }
                }
                one(map, &pointer, "items", Kind::Schema, &mut stack);
                one(map, &pointer, "not", Kind::Schema, &mut stack);
                if let Some(v @ Value::Object(_)) = map.get("additionalProperties") {
                    stack.push((child(&pointer, "additionalProperties"), v, Kind::Schema));
                }
                for key in ["allOf", "oneOf", "anyOf"] {
                    each_in(map, &pointer, key, Kind::Schema, &mut stack);
                }
            }
        }
    }
}

/// The checks of one schema object's values.
fn schema(map: &Map<String, Value>, pointer: &str, sink: &mut Sink) {
    let typ = map.get("type");
    if let Some(t) = typ {
        match t.as_str() {
            Some(name) if TYPES.contains(&name) => {}
            // OpenAPI 3.1's way to say `nullable: true` (an alternative of an `anyOf`).
            Some("null") => sink.warn(
                &child(pointer, "type"),
                "`type: null` is OpenAPI 3.1; in 3.0 a schema that may be null says `nullable: true`",
            ),
            _ => {
                let hint = match t.as_str().and_then(|name| closest(name, TYPES)) {
                    Some(k) => format!(" (did you mean `{k}`?)"),
                    None => String::new(),
                };
                sink.error(
                    &child(pointer, "type"),
                    format!("`type` must be one of {}, not {t}{hint}", TYPES.join(", ")),
                );
            }
        }
    }
    for key in NUMBER_BOUNDS {
        if let Some(v) = map.get(*key) {
            if !v.is_number() {
                sink.warn(
                    &child(pointer, key),
                    format!(
                        "`{key}` must be a number, not {v}: it is ignored, and nothing checks it"
                    ),
                );
            }
        }
    }
    if let (Some(Value::Array(required)), Some(Value::Object(props))) =
        (map.get("required"), map.get("properties"))
    {
        // A member of an `allOf` may require what another member declares.
        let composed = ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| map.contains_key(*k))
            || pointer.rsplit('/').nth(1) == Some("allOf");
        let open = map
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false));
        if !composed && !open {
            let names: Vec<&str> = props.keys().map(String::as_str).collect();
            for (i, name) in required.iter().enumerate() {
                let Some(name) = name.as_str() else { continue };
                if !props.contains_key(name) {
                    let hint = match closest(name, &names) {
                        Some(k) => format!(" (did you mean `{k}`?)"),
                        None => String::new(),
                    };
                    sink.warn(
                        &child(&child(pointer, "required"), &i.to_string()),
                        format!(
                            "`{name}` is required but is not among this schema's properties{hint}"
                        ),
                    );
                }
            }
        }
    }
    if let (Some(Value::String(t)), Some(Value::Array(values))) = (typ, map.get("enum")) {
        for (i, v) in values.iter().enumerate() {
            let fits = match t.as_str() {
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                _ => true,
            };
            if !fits && !v.is_null() {
                sink.warn(
                    &child(&child(pointer, "enum"), &i.to_string()),
                    format!("the value {v} is not of the schema's type `{t}`"),
                );
            }
        }
    }
}

/// Pushes `map[key]`, when it is there.
fn one<'v>(
    map: &'v Map<String, Value>,
    pointer: &str,
    key: &str,
    kind: Kind,
    stack: &mut Vec<(String, &'v Value, Kind)>,
) {
    if let Some(v) = map.get(key) {
        stack.push((child(pointer, key), v, kind));
    }
}

/// Pushes each object of the array `map[key]`.
fn each_in<'v>(
    map: &'v Map<String, Value>,
    pointer: &str,
    key: &str,
    kind: Kind,
    stack: &mut Vec<(String, &'v Value, Kind)>,
) {
    if let Some(Value::Array(items)) = map.get(key) {
        let at = child(pointer, key);
        for (i, v) in items.iter().enumerate() {
            stack.push((child(&at, &i.to_string()), v, kind));
        }
    }
}

/// `pointer` and one more token, escaped (RFC 6901).
fn child(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// `default`, `200`, `4XX`: a key of `responses`.
fn is_status_key(key: &str) -> bool {
    let b = key.as_bytes();
    key == "default"
        || (b.len() == 3
            && (b'1'..=b'5').contains(&b[0])
            && ((b[1].is_ascii_digit() && b[2].is_ascii_digit()) || &b[1..] == b"XX"))
}

/// The known key `key` most likely means: the same but for case, or at most two edits away
/// (one for a key of up to four characters).
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return Some(k);
    }
    let most = if key.chars().count() <= 4 { 1 } else { 2 };
    known
        .iter()
        .map(|k| (edits(key, k), *k))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance of two short strings.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(yaml: &str) -> Vec<(bool, String, String)> {
        let raw = crate::load::parse_tree(std::path::Path::new("t.yaml"), yaml).expect("parses");
        let mut sink = Sink::new(std::path::Path::new("t.yaml"), yaml);
        check(&raw, &mut sink);
        sink.items
            .iter()
            .map(|d| {
                (
                    d.severity == crate::diag::Severity::Error,
                    d.pointer.clone(),
                    d.message.clone(),
                )
            })
            .collect()
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn a_well_formed_document_gets_nothing() {
        let spec = format!(
            "{HEAD}paths:\n  /a/{{id}}:\n    parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n    get:\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/A'}}}}}}}}\n        4XX: {{description: no}}\n        default: {{description: no}}\n      x-anything: {{Post: 1}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      required: [b]\n      properties:\n        b: {{type: integer, maximum: 3, enum: [1, 2]}}\n        c: {{$ref: '#/components/schemas/A', descripton: ignored with the ref}}\n"
        );
        assert_eq!(report(&spec), vec![]);
    }

    #[test]
    fn what_would_be_passed_over_is_reported_at_its_pointer() {
        let spec = format!(
            "{HEAD}paths:\n  openapi/case/process:\n    post: {{responses: {{'200': {{description: ok}}}}}}\n  /a:\n    Post:\n      responses: {{'200': {{description: ok}}}}\n    get:\n      requestbody: {{}}\n      responses:\n        '2OO': {{description: ok}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      required: [creatorID]\n      propertes: {{}}\n      properties:\n        creatorId: {{type: strin}}\n        n: {{type: integer, maximum: '100'}}\n        p: {{type: string, enum: [Low, 1]}}\n"
        );
        let got = report(&spec);
        let has = |error: bool, pointer: &str, words: &str| {
            assert!(
                got.iter()
                    .any(|(e, p, m)| *e == error && p == pointer && m.contains(words)),
                "no {} at {pointer} saying {words:?} in {got:#?}",
                if error { "error" } else { "warning" }
            );
        };
        has(true, "/paths/openapi~1case~1process", "must start with `/`");
        has(false, "/paths/~1a/Post", "did you mean `post`?");
        has(
            false,
            "/paths/~1a/get/requestbody",
            "did you mean `requestBody`?",
        );
        has(false, "/paths/~1a/get/responses/2OO", "not a status code");
        has(
            false,
            "/components/schemas/A/propertes",
            "did you mean `properties`?",
        );
        has(
            false,
            "/components/schemas/A/required/0",
            "did you mean `creatorId`?",
        );
        has(
            true,
            "/components/schemas/A/properties/creatorId/type",
            "did you mean `string`?",
        );
        has(
            false,
            "/components/schemas/A/properties/n/maximum",
            "must be a number",
        );
        has(
            false,
            "/components/schemas/A/properties/p/enum/1",
            "not of the schema's type `string`",
        );
        assert_eq!(got.len(), 9, "{got:#?}");
    }

    #[test]
    fn the_closest_key_is_near_enough_or_none() {
        assert_eq!(closest("Post", METHODS), Some("post"));
        assert_eq!(closest("descripton", SCHEMA), Some("description"));
        assert_eq!(closest("summery", OPERATION), Some("summary"));
        assert_eq!(closest("colour", SCHEMA), None);
        assert_eq!(closest("gett", METHODS), Some("get"));
        assert_eq!(closest("gte", METHODS), None);
        assert_eq!(closest("zzz", METHODS), None);
        assert_eq!(edits("kitten", "sitting"), 3);
    }
}
