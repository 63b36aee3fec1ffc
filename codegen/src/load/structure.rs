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
/// A header object is a parameter object without `name` and `in`.
const HEADER: &[&str] = PARAMETER.split_at(2).1;
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

/// One token of a JSON pointer, borrowed from the tree where it can be.
#[derive(Clone, Copy)]
enum Token<'v> {
    Key(&'v str),
    Index(usize),
}

/// The pointers of the nodes met, as a tree of tokens: a pointer is written out only when
/// something is reported there (most nodes report nothing, and a string per node was a
/// third of the walk's time).
#[derive(Default)]
struct Paths<'v> {
    /// (parent, token) per node; node 0 is the root.
    nodes: Vec<(usize, Token<'v>)>,
}

impl<'v> Paths<'v> {
    fn push(&mut self, parent: usize, token: Token<'v>) -> usize {
        self.nodes.push((parent, token));
        self.nodes.len() - 1
    }

    /// The JSON pointer of `node`, escaped (RFC 6901).
    fn pointer(&self, mut node: usize) -> String {
        let mut tokens = Vec::new();
        while node != 0 {
            let (parent, token) = self.nodes[node];
            tokens.push(token);
            node = parent;
        }
        let mut out = String::new();
        for token in tokens.iter().rev() {
            match token {
                Token::Key(k) => out = child(&out, k),
                Token::Index(i) => out = child(&out, &i.to_string()),
            }
        }
        out
    }

    /// The token of `node` and of its parent (`("name", "properties")` for a property).
    fn last_two(&self, node: usize) -> (Option<Token<'v>>, Option<Token<'v>>) {
        if node == 0 {
            return (None, None);
        }
        let (parent, token) = self.nodes[node];
        let up = (parent != 0).then(|| self.nodes[parent].1);
        (Some(token), up)
    }
}

/// The walk: the nodes to visit and their pointers.
struct Walk<'v> {
    paths: Paths<'v>,
    stack: Vec<(usize, &'v Value, Kind)>,
}

impl<'v> Walk<'v> {
    /// Visits `value`, the child `token` of `parent`.
    fn visit(&mut self, parent: usize, token: Token<'v>, value: &'v Value, kind: Kind) {
        let node = self.paths.push(parent, token);
        self.stack.push((node, value, kind));
    }

    /// Visits `map[key]`, when it is there.
    fn one(&mut self, map: &'v Map<String, Value>, node: usize, key: &'v str, kind: Kind) {
        if let Some((k, v)) = map.get_key_value(key) {
            self.visit(node, Token::Key(k), v, kind);
        }
    }

    /// Visits each item of `list`, the child `key` of `node`.
    fn each(&mut self, list: Option<&'v Value>, node: usize, key: &'v str, kind: Kind) {
        if let Some(Value::Array(items)) = list {
            let at = self.paths.push(node, Token::Key(key));
            for (i, v) in items.iter().enumerate() {
                self.visit(at, Token::Index(i), v, kind);
            }
        }
    }

    /// Visits each value of the object `map`, the child `key` of `node`.
    fn values(&mut self, map: Option<&'v Value>, node: usize, key: &'v str, kind: Kind) {
        if let Some(Value::Object(entries)) = map {
            let at = self.paths.push(node, Token::Key(key));
            for (name, v) in entries {
                self.visit(at, Token::Key(name), v, kind);
            }
        }
    }
}

/// Reports, into `sink`, what of `raw`'s shape the reading would pass over (see the module's
/// doc).
pub(super) fn check(raw: &Value, sink: &mut Sink) {
    let declared: Vec<&str> = (raw.pointer("/components/securitySchemes"))
        .and_then(Value::as_object)
        .map(|s| s.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut walk = Walk {
        paths: Paths::default(),
        stack: vec![(0, raw, Kind::Root)],
    };
    walk.paths.nodes.push((0, Token::Index(0)));
    while let Some((node, value, kind)) = walk.stack.pop() {
        let Some(map) = value.as_object() else {
            continue;
        };
        if let Kind::Schema = kind {
            schema(map, node, &mut walk, sink);
            continue;
        }
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
                unknown_key(key, known, &walk.paths, node, sink);
            }
        }
        let at = |paths: &Paths, extra: &[&str]| {
            let mut p = paths.pointer(node);
            for t in extra {
                p = child(&p, t);
            }
            p
        };
        match kind {
            Kind::Root => {
                undeclared_schemes(map, &at(&walk.paths, &[]), &declared, sink);
                walk.one(map, node, "components", Kind::Components);
                if let Some(Value::Object(paths)) = map.get("paths") {
                    let here = walk.paths.push(node, Token::Key("paths"));
                    for (path, item) in paths {
                        if path.starts_with("x-") {
                            continue;
                        }
                        if !path.starts_with('/') {
                            sink.error(
                                &at(&walk.paths, &["paths", path]),
                                format!("a path must start with `/`: `{path}` would be ignored, and its operations with it"),
                            );
                            continue;
                        }
                        walk.visit(here, Token::Key(path), item, Kind::PathItem);
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
                    walk.values(map.get(section), node, section, kind);
                }
            }
            Kind::PathItem => {
                duplicate_parameters(map, &at(&walk.paths, &[]), sink);
                for m in METHODS {
                    walk.one(map, node, m, Kind::Operation);
                }
                walk.each(map.get("parameters"), node, "parameters", Kind::Parameter);
            }
            Kind::Operation => {
                if map.contains_key("parameters") || map.contains_key("security") {
                    let pointer = at(&walk.paths, &[]);
                    duplicate_parameters(map, &pointer, sink);
                    undeclared_schemes(map, &pointer, &declared, sink);
                }
                walk.each(map.get("parameters"), node, "parameters", Kind::Parameter);
                walk.one(map, node, "requestBody", Kind::RequestBody);
                if let Some(Value::Object(responses)) = map.get("responses") {
                    let here = walk.paths.push(node, Token::Key("responses"));
                    for (code, response) in responses {
                        if code.starts_with("x-") {
                            continue;
                        }
                        if !is_status_key(code) {
                            sink.warn(
                                &at(&walk.paths, &["responses", code]),
                                format!("`{code}` is not a status code (`200`, `4XX` or `default`): this response is ignored"),
                            );
                            continue;
                        }
                        walk.visit(here, Token::Key(code), response, Kind::Response);
                    }
                }
            }
            Kind::Parameter | Kind::Header | Kind::RequestBody | Kind::Response => {
                if matches!(kind, Kind::Parameter | Kind::Header) {
                    parameter(
                        map,
                        node,
                        &walk.paths,
                        matches!(kind, Kind::Parameter),
                        sink,
                    );
                }
                walk.one(map, node, "schema", Kind::Schema);
                walk.values(map.get("content"), node, "content", Kind::MediaType);
                walk.values(map.get("headers"), node, "headers", Kind::Header);
            }
            Kind::MediaType => walk.one(map, node, "schema", Kind::Schema),
            Kind::Schema => unreachable!("schemas are walked by `schema`"),
        }
    }
}

/// Warns of the unknown key `key` of `node`, with the known key it most likely means.
fn unknown_key(key: &str, known: &[&str], paths: &Paths, node: usize, sink: &mut Sink) {
    let hint = did_you_mean(key, known);
    sink.warn(
        &child(&paths.pointer(node), key),
        format!("unknown key `{key}`{hint}: OpenAPI 3.0 has no such field here, and it is ignored"),
    );
}

/// What a schema object holds, read in one pass over its keys.
#[derive(Default)]
struct SchemaKeys<'v> {
    reference: bool,
    typ: Option<&'v Value>,
    required: Option<&'v Value>,
    values: Option<&'v Value>,
    default: Option<&'v Value>,
    properties: Option<&'v Value>,
    additional: Option<&'v Value>,
    composed: bool,
    /// The keys that hold a length or count, and a bound, with their values.
    counts: Vec<(&'v str, &'v Value)>,
    bounds: Vec<(&'v str, &'v Value)>,
    unknown: Vec<&'v str>,
}

/// The checks of one schema object, and its subschemas visited.
fn schema<'v>(map: &'v Map<String, Value>, node: usize, walk: &mut Walk<'v>, sink: &mut Sink) {
    let mut k = SchemaKeys::default();
    for (key, v) in map {
        match key.as_str() {
            "$ref" => k.reference = true,
            "type" => k.typ = Some(v),
            "required" => k.required = Some(v),
            "enum" => k.values = Some(v),
            "default" => k.default = Some(v),
            "properties" => k.properties = Some(v),
            "additionalProperties" => k.additional = Some(v),
            "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties"
            | "minProperties" => k.counts.push((key, v)),
            "multipleOf" | "maximum" | "minimum" => k.bounds.push((key, v)),
            "allOf" | "oneOf" | "anyOf" => k.composed = true,
            "title" | "exclusiveMaximum" | "exclusiveMinimum" | "pattern" | "uniqueItems"
            | "not" | "items" | "description" | "format" | "nullable" | "discriminator"
            | "readOnly" | "writeOnly" | "xml" | "externalDocs" | "example" | "deprecated" => {}
            other if other.starts_with("x-") => {}
            other => k.unknown.push(other),
        }
    }
    // A `$ref` object's other keys are ignored by OpenAPI 3.0, and not looked at.
    if k.reference {
        return;
    }
    for key in &k.unknown {
        unknown_key(key, SCHEMA, &walk.paths, node, sink);
    }
    let at = |paths: &Paths, extra: &[&str]| {
        let mut p = paths.pointer(node);
        for t in extra {
            p = child(&p, t);
        }
        p
    };
    let paths = &walk.paths;
    for (key, v) in &k.counts {
        if v.as_u64().is_none() {
            sink.error(
                &at(paths, &[key]),
                format!("`{key}` must be a whole number of 0 or more, not {v}"),
            );
        }
    }
    let (token, parent) = paths.last_two(node);
    if let Some(required) = k.required {
        let names = required
            .as_array()
            .is_some_and(|r| r.iter().all(Value::is_string));
        if !names {
            // `required: true` on a property, as a parameter has it.
            let property = match (token, parent) {
                (Some(Token::Key(name)), Some(Token::Key("properties"))) => format!(": to require this property, list `{name}` in the `required` of the object that holds it"),
                _ => String::new(),
            };
            sink.error(
                &at(paths, &["required"]),
                format!("a schema's `required` is the list of the property names it requires, not {required}{property}"),
            );
        }
    }
    if let Some(default) = k.default {
        default_within_bounds(default, &k, &at(paths, &["default"]), sink);
    }
    if let (Some(Value::Array(values)), Some(default)) = (k.values, k.default) {
        if !values.contains(default) {
            sink.warn(
                &at(paths, &["default"]),
                format!("the default {default} is not among the enum's values"),
            );
        }
    }
    if let Some(t) = k.typ {
        match t.as_str() {
            Some(name) if TYPES.contains(&name) => {}
            // OpenAPI 3.1's way to say `nullable: true` (an alternative of an `anyOf`).
            Some("null") => sink.warn(
                &at(paths, &["type"]),
                "`type: null` is OpenAPI 3.1; in 3.0 a schema that may be null says `nullable: true`",
            ),
            _ => {
                let hint = t
                    .as_str()
                    .map(|name| did_you_mean(name, TYPES))
                    .unwrap_or_default();
                sink.error(
                    &at(paths, &["type"]),
                    format!("`type` must be one of {}, not {t}{hint}", TYPES.join(", ")),
                );
            }
        }
    }
    for (key, v) in &k.bounds {
        if !v.is_number() {
            sink.warn(
                &at(paths, &[key]),
                format!("`{key}` must be a number, not {v}: it is ignored, and nothing checks it"),
            );
        }
    }
    if let (Some(Value::Array(required)), Some(Value::Object(props))) = (k.required, k.properties) {
        // A member of an `allOf` may require what another member declares.
        let member_of_all_of = matches!(
            (token, parent),
            (Some(Token::Index(_)), Some(Token::Key("allOf")))
        );
        let open = k.additional.is_some_and(|a| a != &Value::Bool(false));
        if !k.composed && !member_of_all_of && !open {
            let names: Vec<&str> = props.keys().map(String::as_str).collect();
            for (i, name) in required.iter().enumerate() {
                let Some(name) = name.as_str() else { continue };
                if !props.contains_key(name) {
                    let hint = did_you_mean(name, &names);
                    sink.warn(
                        &at(paths, &["required", &i.to_string()]),
                        format!(
                            "`{name}` is required but is not among this schema's properties{hint}"
                        ),
                    );
                }
            }
        }
    }
    if let (Some(Value::String(t)), Some(Value::Array(values))) = (k.typ, k.values) {
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
                    &at(paths, &["enum", &i.to_string()]),
                    format!("the value {v} is not of the schema's type `{t}`"),
                );
            }
        }
    }
    // The subschemas.
    walk.values(k.properties, node, "properties", Kind::Schema);
    walk.one(map, node, "items", Kind::Schema);
    walk.one(map, node, "not", Kind::Schema);
    if let Some(v @ Value::Object(_)) = k.additional {
        walk.visit(node, Token::Key("additionalProperties"), v, Kind::Schema);
    }
    if k.composed {
        for key in ["allOf", "oneOf", "anyOf"] {
            walk.each(map.get(key), node, key, Kind::Schema);
        }
    }
}

/// A default outside its schema's bounds (`default: 500` with `maximum: 100`, a default
/// longer than `maxLength`) is a warning: the documented default is one the client refuses.
fn default_within_bounds(default: &Value, k: &SchemaKeys, pointer: &str, sink: &mut Sink) {
    let bound = |name: &str| {
        (k.bounds.iter().chain(&k.counts))
            .find(|(key, _)| *key == name)
            .and_then(|(_, v)| v.as_f64())
    };
    let mut broken = Vec::new();
    if let Some(x) = default.as_f64() {
        if let Some(max) = bound("maximum").filter(|max| x > *max) {
            broken.push(format!("above the maximum {max}"));
        }
        if let Some(min) = bound("minimum").filter(|min| x < *min) {
            broken.push(format!("below the minimum {min}"));
        }
    }
    if let Some(text) = default.as_str() {
        let chars = text.chars().count() as f64;
        if let Some(max) = bound("maxLength").filter(|max| chars > *max) {
            broken.push(format!("longer than the maxLength {max}"));
        }
        if let Some(min) = bound("minLength").filter(|min| chars < *min) {
            broken.push(format!("shorter than the minLength {min}"));
        }
    }
    if !broken.is_empty() {
        sink.warn(
            pointer,
            format!("the default {default} is {}: the client would refuse the value documented as the server's default", broken.join(" and ")),
        );
    }
}

/// The checks of one parameter (or header) object's values.
fn parameter(
    map: &Map<String, Value>,
    node: usize,
    paths: &Paths,
    is_parameter: bool,
    sink: &mut Sink,
) {
    let name = map.get("name").and_then(Value::as_str).unwrap_or("");
    if !map.contains_key("schema") && !map.contains_key("content") {
        let what = if is_parameter {
            format!("parameter `{name}`")
        } else {
            "a header".to_string()
        };
        sink.error(
            &paths.pointer(node),
            format!("{what} needs a `schema` (or a `content` with one media type)"),
        );
    }
    if is_parameter
        && map.get("in").and_then(Value::as_str) == Some("path")
        && map.get("required") != Some(&Value::Bool(true))
    {
        sink.warn(
            &child(&paths.pointer(node), "required"),
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
        sink.into_items()
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
            "{HEAD}security: [{{api_key: []}}]\npaths:\n  /a/{{id}}:\n    get:\n      security: [{{bearer: []}}, {{api_kye: []}}]\n      parameters:\n        - {{name: id, in: path, schema: {{type: string}}}}\n        - {{name: q, in: query}}\n        - {{name: q, in: query, schema: {{type: string}}}}\n      responses: {{'200': {{description: ok}}}}\ncomponents:\n  securitySchemes:\n    api_key: {{type: apiKey, name: k, in: header}}\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{type: string, required: true, maxLength: '10'}}\n        c: {{type: string, enum: [x, y], default: z}}\n        d: {{type: integer, maximum: 100, default: 500}}\n        e: {{type: string, maxLength: 2, default: abc}}\n        f: {{type: integer, minimum: 1, maximum: 9, default: 5}}\n"
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
        has(
            false,
            "/components/schemas/A/properties/d/default",
            "above the maximum 100",
        );
        has(
            false,
            "/components/schemas/A/properties/e/default",
            "longer than the maxLength 2",
        );
        assert_eq!(got.len(), 10, "{got:#?}");
    }

    /// The keys `schema` reads in its one pass are the keys of [`SCHEMA`] (the list the hints
    /// come from): none of them is unknown, and a key outside it is.
    #[test]
    fn the_schema_pass_knows_the_keys_of_the_schema_list() {
        for key in SCHEMA.iter().chain(["nope"].iter()) {
            let value = match *key {
                "required" | "enum" | "allOf" | "oneOf" | "anyOf" => "[]",
                "properties" | "items" | "not" => "{}",
                "type" => "string",
                _ => "1",
            };
            let spec =
                format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{{key}: {value}}}\n");
            let unknown = report(&spec)
                .iter()
                .any(|(_, _, m)| m.starts_with("unknown key"));
            assert_eq!(unknown, *key == "nope", "{key}");
        }
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
