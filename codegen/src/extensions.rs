//! The vendor extensions the generator understands, read in one place. Each is checked for
//! its shape, and for the kind of object it stands on; a wrong shape, or one of ours where it
//! cannot apply, is an error at its pointer (never silently dropped). Extensions that are not
//! ours (any other `x-...`) are ignored.
//!
//! | extension | on | shape |
//! | --- | --- | --- |
//! | `x-min-bytes`, `x-max-bytes` | string schemas | non-negative integer (UTF-8 bytes) |
//! | `x-extensible-enum` | string schemas | list of strings (known values; others accepted) |
//! | `x-required-if` | object schemas | list of `{when: {property, equals}, required: [..]}` |
//! | `x-business-error` | responses | `{code: string, message?: string, success?: [..]}` |
//! | `x-idempotent` | operations | boolean |
//! | `x-sdk-name` | operations | string (the official SDK's name of the operation) |
//! | `x-pagination` | operations | `{offset, limit?, items, total?}` or `{page, size?, items, total?}` |
//! | `x-default-headers` | the document (root) | map of header name to string value |
//! | `x-name` | servers | string |
//! | `x-signing-algorithm` | API-key header security schemes | string |
//! | `x-client-credentials` | API-key header security schemes | `{tokenUrl: string}` |
//! | `x-codegen-int-bounds`, `x-codegen-int-enum` | integer schemas | written by the loader |

use indexmap::IndexMap;
use openapiv3::{Schema, SchemaKind, Type};
use serde_json::Value;

use crate::diag::{self, Sink};
use crate::ir::{BusinessRule, RequiredIf};
use crate::load::{X_INT_BOUNDS, X_INT_ENUM};

type Ext = IndexMap<String, Value>;

/// Our prefix: an `x-codegen-*` extension we do not know is an error, not a silent no-op.
const OURS: &str = "x-codegen-";

/// What the extensions of one schema say.
#[derive(Debug, Default, Clone)]
pub(crate) struct SchemaExt {
    pub min_bytes: Option<u64>,
    pub max_bytes: Option<u64>,
    /// `x-extensible-enum`: the known values.
    pub extensible_enum: Option<Vec<String>>,
    pub required_if: Vec<RequiredIf>,
    /// Integer bounds the loader kept aside: minimum, maximum, multipleOf.
    pub int_bounds: [Option<f64>; 3],
    /// An integer `enum` the loader kept aside, rendered.
    pub int_enum: Option<Vec<String>>,
}

#[derive(PartialEq)]
enum Kind {
    String,
    Integer,
    Object,
    Other,
}

fn kind_of(s: &Schema) -> Kind {
    match &s.schema_kind {
        SchemaKind::Type(Type::String(_)) => Kind::String,
        SchemaKind::Type(Type::Integer(_)) => Kind::Integer,
        SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } => Kind::Object,
        SchemaKind::Any(a) => match a.typ.as_deref() {
            Some("string") => Kind::String,
            Some("integer") => Kind::Integer,
            Some("object") => Kind::Object,
            None if !a.properties.is_empty() || !a.all_of.is_empty() => Kind::Object,
            _ => Kind::Other,
        },
        _ => Kind::Other,
    }
}

fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn unknown_ours(ext: &Ext, known: &[&str], pointer: &str, sink: &mut Sink) {
    for key in ext.keys() {
        if key.starts_with(OURS) && !known.contains(&key.as_str()) {
            sink.error(
                &diag::push(pointer, key),
                format!("unknown generator extension `{key}`"),
            );
        }
    }
}

/// Reads and checks the extensions of the schema at `pointer`.
pub(crate) fn schema(s: &Schema, pointer: &str, sink: &mut Sink) -> SchemaExt {
    let ext = &s.schema_data.extensions;
    let kind = kind_of(s);
    let mut out = SchemaExt::default();
    let at = |key: &str| diag::push(pointer, key);
    let misplaced = |sink: &mut Sink, key: &str, applies: &str| {
        sink.error(
            &at(key),
            format!(
                "`{key}` applies to {applies} only; this schema is not one, so it would be ignored"
            ),
        );
    };
    for key in ["x-min-bytes", "x-max-bytes"] {
        let Some(v) = ext.get(key) else { continue };
        if kind != Kind::String {
            misplaced(sink, key, "string schemas (`type: string`)");
            continue;
        }
        match v.as_u64() {
            Some(n) => {
                if key == "x-min-bytes" {
                    out.min_bytes = Some(n);
                } else {
                    out.max_bytes = Some(n);
                }
            }
            None => sink.error(
                &at(key),
                format!(
                    "`{key}` must be a non-negative integer (a count of UTF-8 bytes), not `{v}`"
                ),
            ),
        }
    }
    if let (Some(lo), Some(hi)) = (out.min_bytes, out.max_bytes) {
        if lo > hi {
            sink.error(
                pointer,
                format!(
                    "`x-min-bytes: {lo}` exceeds `x-max-bytes: {hi}`: no string satisfies both"
                ),
            );
        }
    }
    if let Some(v) = ext.get("x-extensible-enum") {
        let values: Option<Vec<String>> = v
            .as_array()
            .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect());
        if kind != Kind::String {
            misplaced(sink, "x-extensible-enum", "string schemas (`type: string`)");
        } else if values.is_none() {
            sink.error(
                &at("x-extensible-enum"),
                "`x-extensible-enum` must be a list of strings (the known values)",
            );
        } else {
            out.extensible_enum = values;
        }
    }
    if let Some(v) = ext.get("x-required-if") {
        if kind != Kind::Object {
            misplaced(sink, "x-required-if", "object schemas");
        } else {
            out.required_if = required_if(v, &at("x-required-if"), sink);
        }
    }
    if let Some(v) = ext.get(X_INT_BOUNDS) {
        match v.as_object() {
            Some(kept) if kind == Kind::Integer => {
                for (i, key) in ["minimum", "maximum", "multipleOf"].into_iter().enumerate() {
                    out.int_bounds[i] = kept.get(key).and_then(Value::as_f64);
                }
            }
            Some(_) => misplaced(sink, X_INT_BOUNDS, "integer schemas"),
            None => sink.error(
                &at(X_INT_BOUNDS),
                format!("`{X_INT_BOUNDS}` must be an object of numeric bounds"),
            ),
        }
    }
    if let Some(v) = ext.get(X_INT_ENUM) {
        match v.as_array() {
            Some(vals) if kind == Kind::Integer => {
                out.int_enum = Some(vals.iter().filter(|v| !v.is_null()).map(render).collect());
            }
            Some(_) => misplaced(sink, X_INT_ENUM, "integer schemas"),
            None => sink.error(
                &at(X_INT_ENUM),
                format!("`{X_INT_ENUM}` must be a list of values"),
            ),
        }
    }
    unknown_ours(ext, &[X_INT_BOUNDS, X_INT_ENUM], pointer, sink);
    out
}

fn required_if(v: &Value, here: &str, sink: &mut Sink) -> Vec<RequiredIf> {
    let mut out = Vec::new();
    let Some(rules) = v.as_array() else {
        sink.error(
            here,
            "`x-required-if` must be a list of `{when: {property, equals}, required: [..]}`",
        );
        return out;
    };
    for (i, rule) in rules.iter().enumerate() {
        let at = diag::push(here, &i.to_string());
        let property = rule.pointer("/when/property").and_then(Value::as_str);
        let equals = rule.pointer("/when/equals");
        let required: Option<Vec<String>> = rule
            .get("required")
            .and_then(Value::as_array)
            .and_then(|r| r.iter().map(|x| x.as_str().map(str::to_string)).collect());
        match (property, equals, required) {
            (Some(p), Some(e), Some(r)) if !r.is_empty() => out.push(RequiredIf {
                property: p.to_string(),
                equals: render(e),
                required: r,
            }),
            _ => sink.error(&at, "each `x-required-if` rule needs `when.property`, `when.equals` and a non-empty `required` list of property names"),
        }
    }
    out
}

/// `x-business-error` of the response at `pointer`.
pub(crate) fn business_error(ext: &Ext, pointer: &str, sink: &mut Sink) -> Option<BusinessRule> {
    unknown_ours(ext, &[], pointer, sink);
    let v = ext.get("x-business-error")?;
    let here = diag::push(pointer, "x-business-error");
    let code = v.get("code").and_then(Value::as_str);
    let message = match v.get("message") {
        None => Some(""),
        Some(m) => m.as_str(),
    };
    let success: Option<Vec<String>> = match v.get("success") {
        None => Some(vec![String::new()]),
        Some(Value::Array(vals)) => Some(vals.iter().map(render).collect()),
        Some(_) => None,
    };
    match (v.is_object(), code, message, success) {
        (true, Some(code), Some(message), Some(success)) => Some(BusinessRule {
            code: code.to_string(),
            message: message.to_string(),
            success,
        }),
        _ => {
            sink.error(
                &here,
                "`x-business-error` must be `{code: <property holding the result code>, message: <property>, success: [<values>]}`; `code` is required, `message` (a string) and `success` (a list) are optional",
            );
            None
        }
    }
}

/// `x-idempotent` of the operation at `pointer`.
pub(crate) fn idempotent(ext: &Ext, pointer: &str, sink: &mut Sink) -> Option<bool> {
    unknown_ours(ext, &[], pointer, sink);
    let v = ext.get("x-idempotent")?;
    if v.as_bool().is_none() {
        sink.error(
            &diag::push(pointer, "x-idempotent"),
            format!("`x-idempotent` must be `true` or `false`, not `{v}`"),
        );
    }
    v.as_bool()
}

/// Headers the client must not choose: they frame the message or are set by the client.
const FRAMING_HEADERS: [&str; 6] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
];

/// `x-default-headers` of the document: headers every request carries unless it sets them
/// itself (a body's media type is its `Content-Type`). Names must be HTTP tokens, values
/// visible text; each bad entry is an error at its own pointer.
pub(crate) fn default_headers(ext: &Ext, sink: &mut Sink) -> Vec<(String, String)> {
    unknown_ours(ext, &[], "", sink);
    let Some(v) = ext.get("x-default-headers") else {
        return Vec::new();
    };
    let here = diag::push("", "x-default-headers");
    let Some(map) = v.as_object() else {
        sink.error(
            &here,
            format!("`x-default-headers` must be a map of header names to values, not `{v}`"),
        );
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in map {
        let at = diag::push(&here, name);
        if !crate::naming::is_token(name) {
            sink.error(&at, format!("{name:?} is not a valid HTTP header name"));
            continue;
        }
        if FRAMING_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            sink.error(
                &at,
                format!(
                    "`{name}` is set by the HTTP client for each message; it cannot be a default"
                ),
            );
            continue;
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            sink.error(
                &at,
                format!("`{name}` is listed twice (header names ignore case)"),
            );
            continue;
        }
        match value.as_str() {
            Some(text) if text.chars().all(|c| c == '\t' || (' '..='~').contains(&c)) => {
                out.push((name.clone(), text.to_string()));
            }
            Some(_) => sink.error(
                &at,
                "a default header's value must be printable ASCII (tabs allowed)",
            ),
            None => sink.error(
                &at,
                format!("a default header's value must be a string, not `{value}`"),
            ),
        }
    }
    out
}

/// `x-name` of the server at `pointer`.
pub(crate) fn server_name(ext: &Ext, pointer: &str, sink: &mut Sink) -> Option<String> {
    unknown_ours(ext, &[], pointer, sink);
    let v = ext.get("x-name")?;
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => Some(s.to_string()),
        _ => {
            sink.error(
                &diag::push(pointer, "x-name"),
                format!(
                    "`x-name` must be a non-empty string (the server's constant name), not `{v}`"
                ),
            );
            None
        }
    }
}

/// `x-signing-algorithm` of the security scheme at `pointer`; `applies` is false for schemes
/// other than an API key in a header.
pub(crate) fn signing_algorithm(
    ext: &Ext,
    applies: bool,
    pointer: &str,
    sink: &mut Sink,
) -> Option<String> {
    unknown_ours(ext, &[], pointer, sink);
    let v = ext.get("x-signing-algorithm")?;
    let here = diag::push(pointer, "x-signing-algorithm");
    if !applies {
        sink.error(
            &here,
            "`x-signing-algorithm` applies to API keys in a header (`type: apiKey, in: header`) only",
        );
        return None;
    }
    match v.as_str() {
        Some(s) => Some(s.to_string()),
        None => {
            sink.error(
                &here,
                format!("`x-signing-algorithm` must be a string naming the algorithm, not `{v}`"),
            );
            None
        }
    }
}

/// `x-client-credentials` of a security scheme: the `tokenUrl` of the OAuth client-credentials
/// exchange that yields the key. `applies` is false where the scheme is not an API key in a
/// header.
pub(crate) fn client_credentials(
    ext: &Ext,
    applies: bool,
    pointer: &str,
    sink: &mut Sink,
) -> Option<String> {
    let v = ext.get("x-client-credentials")?;
    let here = diag::push(pointer, "x-client-credentials");
    if !applies {
        sink.error(
            &here,
            "`x-client-credentials` applies to API keys in a header (`type: apiKey, in: header`) only",
        );
        return None;
    }
    match v.get("tokenUrl").and_then(Value::as_str) {
        Some(url) if !url.trim().is_empty() && v.as_object().is_some_and(|o| o.len() == 1) => {
            // The client secret is posted there: over TLS, or to the API's own host (a path,
            // which takes the endpoint's scheme and host). Nothing else: URL parsers read
            // `http:host/x` and `HTTP:\\host` as absolute `http://` URLs to another host.
            let t = url.trim();
            let https = t
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
                && !t[8..].starts_with(['/', '\\'])
                && t.len() > 8;
            let path = t.starts_with('/') && !t[1..].starts_with(['/', '\\']);
            if !https && !path {
                sink.error(
                    &diag::push(&here, "tokenUrl"),
                    format!("`tokenUrl` `{url}` must be an https URL (`https://host/path`) or a path on the API's host (`/path`): the client secret is posted there, and must not go out in the clear or to a host the spec does not name"),
                );
                return None;
            }
            Some(url.to_string())
        }
        _ => {
            sink.error(
                &here,
                format!("`x-client-credentials` must be `{{tokenUrl: <URL or path>}}`, not `{v}`"),
            );
            None
        }
    }
}

/// `x-sdk-name` of the operation at `pointer`: the name an official SDK gives it (a rustdoc
/// alias of the generated method).
pub(crate) fn sdk_name(ext: &Ext, pointer: &str, sink: &mut Sink) -> Option<String> {
    let v = ext.get("x-sdk-name")?;
    match v.as_str() {
        Some(s)
            if !s.trim().is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') =>
        {
            Some(s.to_string())
        }
        _ => {
            sink.error(
                &diag::push(pointer, "x-sdk-name"),
                format!("`x-sdk-name` must be a name of ASCII letters, digits, `_`, `-` or `.`, not `{v}`"),
            );
            None
        }
    }
}

/// Where a paging value goes: a query parameter, or a property of the request body
/// (`body:<name>`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PageSlot {
    /// A query parameter, by wire name.
    Query(String),
    /// A top-level property of the JSON request body, by wire name.
    Body(String),
}

/// `x-pagination` as written: which parameter carries the position (an offset, or a page
/// number) and the page size, and JSON pointers into the success body to the items and the
/// total count.
#[derive(Debug, Clone)]
pub(crate) struct PaginationExt {
    /// True for page numbers (`page`/`size`), false for offsets (`offset`/`limit`).
    pub by_page: bool,
    pub position: PageSlot,
    pub size: Option<PageSlot>,
    /// Property names from the body's root to the items array.
    pub items: Vec<String>,
    /// Property names from the body's root to the total count.
    pub total: Option<Vec<String>>,
    /// The extension's pointer.
    pub pointer: String,
}

/// `x-pagination` of the operation at `pointer`.
pub(crate) fn pagination(ext: &Ext, pointer: &str, sink: &mut Sink) -> Option<PaginationExt> {
    let v = ext.get("x-pagination")?;
    let here = diag::push(pointer, "x-pagination");
    let shape = "`x-pagination` must be `{offset: <param>, limit?: <param>, items: <JSON pointer>, total?: <JSON pointer>}` or the same with `page`/`size` (a parameter is a query parameter's name, or `body:<property>`)";
    let Some(obj) = v.as_object() else {
        sink.error(&here, format!("{shape}, not `{v}`"));
        return None;
    };
    let known = ["offset", "limit", "page", "size", "items", "total"];
    if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        sink.error(&diag::push(&here, k), format!("{shape}: unknown key `{k}`"));
        return None;
    }
    let text = |key: &str, sink: &mut Sink| -> Result<Option<String>, ()> {
        match obj.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            Some(other) => {
                sink.error(
                    &diag::push(&here, key),
                    format!("`{key}` must be a non-empty string, not `{other}`"),
                );
                Err(())
            }
        }
    };
    let slot = |s: String| match s.strip_prefix("body:") {
        Some(b) => PageSlot::Body(b.trim().to_string()),
        None => PageSlot::Query(s),
    };
    let pointer_of = |key: &str, s: String, sink: &mut Sink| -> Option<Vec<String>> {
        match s.strip_prefix('/') {
            Some(rest) if !rest.is_empty() => {
                Some(rest.split('/').map(diag::unescape_token).collect())
            }
            _ => {
                sink.error(
                    &diag::push(&here, key),
                    format!("`{key}` must be a JSON pointer into the response body (`/items`), not `{s}`"),
                );
                None
            }
        }
    };
    let offset = text("offset", sink).ok()?;
    let page = text("page", sink).ok()?;
    let limit = text("limit", sink).ok()?;
    let size = text("size", sink).ok()?;
    let items = text("items", sink).ok()?;
    let total = text("total", sink).ok()?;
    let (by_page, position, size) = match (offset, page, limit, size) {
        (Some(o), None, l, None) => (false, o, l),
        (None, Some(p), None, s) => (true, p, s),
        _ => {
            sink.error(
                &here,
                format!("{shape}: give `offset` (with `limit`) or `page` (with `size`)"),
            );
            return None;
        }
    };
    let Some(items) = items else {
        sink.error(&here, format!("{shape}: `items` is missing"));
        return None;
    };
    let items = pointer_of("items", items, sink)?;
    let total = match total {
        Some(t) => Some(pointer_of("total", t, sink)?),
        None => None,
    };
    Some(PaginationExt {
        by_page,
        position: slot(position),
        size: size.map(slot),
        items,
        total,
        pointer: here,
    })
}
