//! The document's shape, before anything reads it: what `openapiv3` and the lowering would
//! pass over without a word. `openapiv3` ignores keys it does not know, and the lowering
//! cannot see what they held, so a misspelled key (`Post:`, `propertes:`, `requestbody:`), a
//! status code that is none (`'2OO'`), a path that does not start with `/` or a schema `type`
//! that is no type (`strin`) would each drop part of the API from the client with the spec
//! reported as fine. Each is reported here at its JSON pointer:
//! - errors, where OpenAPI 3.0 says MUST and the reading would fail with serde's words or
//!   silently lose what the key holds: a path that does not start with `/`, an unknown
//!   `type` (`null`, OpenAPI 3.1's, is a warning: real specs use it, and it reads as any
//!   value), a length or count that is no
//!   whole number, a schema's `required` that is no list of names (`required: true` on a
//!   property), a parameter without `schema` or `content`;
//! - warnings for the rest: an unknown key (with the known key it most likely means), a
//!   response key that is not a status code, a bound that is not a number (it is not
//!   checked), a required name that is not among the schema's properties (outside
//!   composition, where another member may declare it), an enum value of another type than
//!   its schema's, a default outside the enum, a path parameter not marked required, two
//!   parameters of one list with the same name and place, a security requirement naming
//!   no declared scheme.
//!
//! Extensions (`x-...`) are not looked into, nor are the values of `example`, `default` and
//! `enum`. A `$ref` object's other keys are not looked at: OpenAPI 3.0 ignores them.

use serde_json::{Map, Value};

use crate::diag::{did_you_mean, Sink};

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
const COUNTS: &[&str] = &[
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
];

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
    let declared: Vec<&str> = (raw.pointer("/components/securitySchemes"))
        .and_then(Value::as_object)
        .map(|s| s.keys().map(String::as_str).collect())
        .unwrap_or_default();
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
                let hint = did_you_mean(key, known);
                sink.warn(
                    &child(&pointer, key),
                    format!("unknown key `{key}`{hint}: OpenAPI 3.0 has no such field here, and it is ignored"),
                );
            }
        }
        match kind {
            Kind::Root => {
                undeclared_schemes(map, &pointer, &declared, sink);
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
                duplicate_parameters(map, &pointer, sink);
                for m in METHODS {
                    one(map, &pointer, m, Kind::Operation, &mut stack);
                }
                each_in(map, &pointer, "parameters", Kind::Parameter, &mut stack);
            }
            Kind::Operation => {
                duplicate_parameters(map, &pointer, sink);
                undeclared_schemes(map, &pointer, &declared, sink);
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
                if matches!(kind, Kind::Parameter | Kind::Header) {
                    parameter(map, &pointer, matches!(kind, Kind::Parameter), sink);
                }
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
    for key in COUNTS {
        if let Some(v) = map.get(*key) {
            if v.as_u64().is_none() {
                sink.error(
                    &child(pointer, key),
                    format!("`{key}` must be a whole number of 0 or more, not {v}"),
                );
            }
        }
    }
    if let Some(required) = map.get("required") {
        let names = required
            .as_array()
            .is_some_and(|r| r.iter().all(Value::is_string));
        if !names {
            // `required: true` on a property, as a parameter has it.
            let property = pointer
                .rsplit_once('/')
                .filter(|(parent, _)| parent.ends_with("/properties"))
                .map(|(_, name)| format!(": to require this property, list `{name}` in the `required` of the object that holds it"))
                .unwrap_or_default();
            sink.error(
                &child(pointer, "required"),
                format!("a schema's `required` is the list of the property names it requires, not {required}{property}"),
            );
        }
    }
    if let (Some(Value::Array(values)), Some(default)) = (map.get("enum"), map.get("default")) {
        if !values.contains(default) {
            sink.warn(
                &child(pointer, "default"),
                format!("the default {default} is not among the enum's values"),
            );
        }
    }
    if let Some(t) = typ {
        match t.as_str() {
            Some(name) if TYPES.contains(&name) => {}
            // OpenAPI 3.1's way to say `nullable: true` (an alternative of an `anyOf`).
            Some("null") => sink.warn(
                &child(pointer, "type"),
                "`type: null` is OpenAPI 3.1; in 3.0 a schema that may be null says `nullable: true`",
            ),
            _ => {
                let hint = t
                    .as_str()
                    .map(|name| did_you_mean(name, TYPES))
                    .unwrap_or_default();
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
                    let hint = did_you_mean(name, &names);
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

/// The checks of one parameter (or header) object's values.
fn parameter(map: &Map<String, Value>, pointer: &str, is_parameter: bool, sink: &mut Sink) {
    let name = map.get("name").and_then(Value::as_str).unwrap_or("");
    if !map.contains_key("schema") && !map.contains_key("content") {
        let what = if is_parameter {
            format!("parameter `{name}`")
        } else {
            "a header".to_string()
        };
        sink.error(
            pointer,
            format!("{what} needs a `schema` (or a `content` with one media type)"),
        );
    }
    if is_parameter
        && map.get("in").and_then(Value::as_str) == Some("path")
        && map.get("required") != Some(&Value::Bool(true))
    {
        sink.warn(
            &child(pointer, "required"),
            format!(
                "path parameter `{name}` is always required; OpenAPI 3.0 asks for `required: true`"
            ),
        );
    }
}

/// Two parameters of one list with the same name and place: the later one is the one read.
fn duplicate_parameters(map: &Map<String, Value>, pointer: &str, sink: &mut Sink) {
    let Some(Value::Array(list)) = map.get("parameters") else {
        return;
    };
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let (Some(name), Some(place)) = (
            p.get("name").and_then(Value::as_str),
            p.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        if seen.contains(&(name, place)) {
            sink.warn(
                &child(&child(pointer, "parameters"), &i.to_string()),
                format!("a second {place} parameter `{name}` in this list: the parameters of a list are unique by name and place, and only one of the two is used"),
            );
        }
        seen.push((name, place));
    }
}

/// Security requirements (`security: [{name: [...]}]`) that name no declared scheme.
fn undeclared_schemes(map: &Map<String, Value>, pointer: &str, declared: &[&str], sink: &mut Sink) {
    let Some(Value::Array(requirements)) = map.get("security") else {
        return;
    };
    for (i, requirement) in requirements.iter().enumerate() {
        for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
            if !declared.contains(&name.as_str()) {
                let hint = did_you_mean(name, declared);
                sink.warn(
                    &child(&child(&child(pointer, "security"), &i.to_string()), name),
                    format!("no security scheme `{name}` is declared in `components/securitySchemes`{hint}: this requirement is not applied"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::closest;

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

    /// Asserts that `got` holds an error (or a warning) at `pointer` whose message has `words`.
    fn said(got: &[(bool, String, String)], error: bool, pointer: &str, words: &str) {
        assert!(
            got.iter()
                .any(|(e, p, m)| *e == error && p == pointer && m.contains(words)),
            "no {} at {pointer} saying {words:?} in {got:#?}",
            if error { "error" } else { "warning" }
        );
    }

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
        let has = |error: bool, pointer: &str, words: &str| said(&got, error, pointer, words);
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
    fn values_against_openapi_s_rules_are_named_where_they_stand() {
        let spec = format!(
            "{HEAD}security: [{{api_key: []}}]\npaths:\n  /a/{{id}}:\n    get:\n      security: [{{bearer: []}}, {{api_kye: []}}]\n      parameters:\n        - {{name: id, in: path, schema: {{type: string}}}}\n        - {{name: q, in: query}}\n        - {{name: q, in: query, schema: {{type: string}}}}\n      responses: {{'200': {{description: ok}}}}\ncomponents:\n  securitySchemes:\n    api_key: {{type: apiKey, name: k, in: header}}\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{type: string, required: true, maxLength: '10'}}\n        c: {{type: string, enum: [x, y], default: z}}\n"
        );
        let got = report(&spec);
        let has = |error: bool, pointer: &str, words: &str| said(&got, error, pointer, words);
        let op = "/paths/~1a~1{id}/get";
        has(
            false,
            &format!("{op}/security/0/bearer"),
            "no security scheme `bearer`",
        );
        has(
            false,
            &format!("{op}/security/1/api_kye"),
            "did you mean `api_key`?",
        );
        has(
            false,
            &format!("{op}/parameters/0/required"),
            "always required",
        );
        has(
            true,
            &format!("{op}/parameters/1"),
            "parameter `q` needs a `schema`",
        );
        has(
            false,
            &format!("{op}/parameters/2"),
            "a second query parameter `q`",
        );
        has(
            true,
            "/components/schemas/A/properties/b/required",
            "list `b` in the `required` of the object",
        );
        has(
            true,
            "/components/schemas/A/properties/b/maxLength",
            "whole number",
        );
        has(
            false,
            "/components/schemas/A/properties/c/default",
            "not among the enum's values",
        );
        assert_eq!(got.len(), 8, "{got:#?}");
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
    }
}
