//! A request as generated code describes it, and the encodings of its parts.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

/// Every byte but the unreserved characters `A-Z a-z 0-9 - _ . ~` is percent-encoded.
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One HTTP request of an operation, before the client adds defaults, auth and signature.
#[derive(Debug, Clone)]
pub struct Request {
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path below the endpoint's base path, starting with `/`, path parameters
    /// already encoded with [`encode_path_segment`].
    pub path: String,
    /// Query pairs, raw (not encoded), in the order to send them.
    pub query: Vec<(String, String)>,
    /// Headers of this request (they override the client's default headers of the same
    /// name).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// Whether the request may be retried (true for GET, HEAD, PUT, DELETE, OPTIONS, TRACE).
    pub idempotent: bool,
    /// The operationId, for hooks and diagnostics.
    pub operation_id: &'static str,
    /// The spec's path template (`/v2/servicerequest/cases/{case_id}`), for logs: it names
    /// the operation without the values of its path parameters.
    pub path_template: Option<&'static str>,
}

impl Request {
    /// A request without query, headers or body; `idempotent` follows the method.
    pub fn new(
        method: reqwest::Method,
        path: impl Into<String>,
        operation_id: &'static str,
    ) -> Self {
        let idempotent = matches!(
            method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE"
        );
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            idempotent,
            operation_id,
            path_template: None,
        }
    }

    /// Appends a query pair (raw, encoded when sent).
    pub fn query(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Appends query pairs, e.g. from [`deep_object`] or [`form_object`].
    pub fn query_pairs(&mut self, pairs: impl IntoIterator<Item = (String, String)>) -> &mut Self {
        self.query.extend(pairs);
        self
    }

    /// Appends a header.
    pub fn header(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(&mut self, body: Body) -> &mut Self {
        self.body = body;
        self
    }
}

/// What `Debug` shows of a secret (a `format: password` property of a generated model):
/// `<redacted>`, never its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A request body. Its `Debug` shows the kind, the content type and the size, never the
/// bytes: a body may carry passwords or tokens.
#[derive(Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// JSON bytes, sent as `application/json`.
    Json(Vec<u8>),
    /// Form bytes, sent as `application/x-www-form-urlencoded`.
    Form(Vec<u8>),
    /// Bytes with their content type.
    Bytes {
        /// The `Content-Type`.
        content_type: String,
        /// The bytes.
        data: bytes::Bytes,
    },
    /// Text with its content type.
    Text {
        /// The `Content-Type`.
        content_type: String,
        /// The text.
        data: String,
    },
    /// `multipart/form-data` parts (the boundary is chosen when sending).
    Multipart(Vec<Part>),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(data) => f
                .debug_tuple("Json")
                .field(&super::error::BodyLen(data.len()))
                .finish(),
            Body::Form(data) => f
                .debug_tuple("Form")
                .field(&super::error::BodyLen(data.len()))
                .finish(),
            Body::Bytes { content_type, data } => f
                .debug_struct("Bytes")
                .field("content_type", content_type)
                .field("data", &super::error::BodyLen(data.len()))
                .finish(),
            Body::Text { content_type, data } => f
                .debug_struct("Text")
                .field("content_type", content_type)
                .field("data", &super::error::BodyLen(data.len()))
                .finish(),
            Body::Multipart(parts) => f.debug_tuple("Multipart").field(parts).finish(),
        }
    }
}

impl Body {
    /// The content type this body is sent with (`None` for `Empty`; for `Multipart` the
    /// boundary is added when sending).
    pub fn content_type(&self) -> Option<&str> {
        match self {
            Body::Empty => None,
            Body::Json(_) => Some("application/json"),
            Body::Form(_) => Some("application/x-www-form-urlencoded"),
            Body::Bytes { content_type, .. } | Body::Text { content_type, .. } => {
                Some(content_type)
            }
            Body::Multipart(_) => Some("multipart/form-data"),
        }
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    /// The form field name.
    pub name: String,
    /// The file name (for a [`PartData::File`] without one, the file's own name is sent).
    pub filename: Option<String>,
    /// The part's content type.
    pub content_type: Option<String>,
    /// The content.
    pub data: PartData,
}

/// The content of a multipart part. Its `Debug` shows the size of bytes and text, not
/// their content, and a file's path.
#[derive(Clone)]
pub enum PartData {
    /// Bytes in memory.
    Bytes(bytes::Bytes),
    /// Text.
    Text(String),
    /// A file, streamed from disk when sent (reopened on every retry), never read into
    /// memory whole.
    File(std::path::PathBuf),
}

impl std::fmt::Debug for PartData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartData::Bytes(b) => f
                .debug_tuple("Bytes")
                .field(&super::error::BodyLen(b.len()))
                .finish(),
            PartData::Text(t) => f
                .debug_tuple("Text")
                .field(&super::error::BodyLen(t.len()))
                .finish(),
            PartData::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Part {
            name: name.into(),
            filename: None,
            content_type: None,
            data: PartData::Text(value.into()),
        }
    }

    /// A file field streamed from `path`.
    pub fn file(name: impl Into<String>, path: impl Into<std::path::PathBuf>) -> Self {
        Part {
            name: name.into(),
            filename: None,
            content_type: None,
            data: PartData::File(path.into()),
        }
    }

    /// A field with in-memory bytes.
    pub fn bytes(name: impl Into<String>, data: impl Into<bytes::Bytes>) -> Self {
        Part {
            name: name.into(),
            filename: None,
            content_type: None,
            data: PartData::Bytes(data.into()),
        }
    }

    /// Sets the file name.
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the content type.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

/// Percent-encodes one path parameter so that it stays one segment: everything except
/// `A-Z a-z 0-9 - _ . ~` is encoded (`/` → `%2F`, `%` → `%25`, space → `%20`, `?`, `#`,
/// non-ASCII as UTF-8 bytes). A value that is exactly `.` or `..` cannot be sent as a
/// segment; the client refuses such paths with [`super::error::Error::InvalidRequest`].
pub fn encode_path_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Percent-encodes a query key or value the same way (space → `%20`).
pub fn encode_query_component(s: &str) -> String {
    encode_path_segment(s)
}

/// The bytes a cookie value may hold as they are (RFC 6265 `cookie-octet`: visible ASCII
/// but `"` `,` `;` `\`), minus `%`, which is encoded so that the encoding can be undone.
const NOT_COOKIE_OCTET: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// Encodes a cookie parameter value (`in: cookie`): every byte outside the RFC 6265
/// `cookie-octet` set (controls, space, `"`, `,`, `;`, `\`, non-ASCII) and `%` itself is
/// percent-encoded, so that a value such as `x; session=attacker` stays one cookie value
/// and cannot add a cookie.
pub fn cookie_value(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, NOT_COOKIE_OCTET).to_string()
}

/// Encodes query pairs as `k=v&k2=v2` with [`encode_query_component`], in the given order.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode_query_component(k));
        out.push('=');
        out.push_str(&encode_query_component(v));
    }
    out
}

/// A JSON body.
pub fn json_body<T: Serialize + ?Sized>(value: &T) -> Result<Body, String> {
    serde_json::to_vec(value)
        .map(Body::Json)
        .map_err(|e| format!("cannot serialize the body as JSON: {e}"))
}

/// A JSON scalar as query text; arrays become comma-separated (form, not exploded) and
/// objects `k,v,k2,v2`; null is empty.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Array(items) => {
            items.iter().map(value_text).collect::<Vec<_>>().join(",")
        }
        serde_json::Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [k.clone(), value_text(v)])
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// A value as one query parameter value: strings as they are, numbers and booleans as JSON
/// text, enums as their wire string; arrays comma-separated (`style: form, explode:
/// false`). A value that does not serialize gives an empty string.
pub fn query_value<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(v) => value_text(&v),
        Err(_) => String::new(),
    }
}

/// Flattens `v` under `prefix` with bracketed keys: objects `prefix[k]`, arrays
/// `prefix[0]` (or repeated `prefix` when `repeat_arrays`); nulls are skipped.
fn flatten(
    prefix: &str,
    v: &serde_json::Value,
    repeat_arrays: bool,
    out: &mut Vec<(String, String)>,
) {
    match v {
        serde_json::Value::Null => {}
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{prefix}[{k}]"), v, repeat_arrays, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if repeat_arrays {
                    flatten(prefix, item, repeat_arrays, out);
                } else {
                    flatten(&format!("{prefix}[{i}]"), item, repeat_arrays, out);
                }
            }
        }
        scalar => out.push((prefix.to_owned(), value_text(scalar))),
    }
}

/// `style: deepObject` query pairs: `name[k]=v`, nested `name[k][k2]=v`, arrays
/// `name[k][0]=v`. Null properties are skipped; a scalar gives `name=v`.
pub fn deep_object<T: Serialize + ?Sized>(name: &str, value: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(value) {
        flatten(name, &v, false, &mut out);
    }
    out
}

/// Pairs of an object exploded as a form (`style: form, explode: true`): each property is
/// its own pair, arrays repeat the key, nested objects use `k[k2]`; nulls are skipped.
pub fn form_object<T: Serialize + ?Sized>(value: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(value) {
        for (k, v) in &map {
            flatten(k, v, true, &mut out);
        }
    }
    out
}

/// An `application/x-www-form-urlencoded` body of an object: nested objects as `a[b]`,
/// arrays as repeated keys, nulls skipped.
pub fn form_body<T: Serialize + ?Sized>(value: &T) -> Result<Body, String> {
    let v =
        serde_json::to_value(value).map_err(|e| format!("cannot serialize the form body: {e}"))?;
    let serde_json::Value::Object(map) = v else {
        return Err("a form body must be an object".to_owned());
    };
    let mut pairs = Vec::new();
    for (k, v) in &map {
        flatten(k, v, true, &mut pairs);
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        ser.append_pair(k, v);
    }
    Ok(Body::Form(ser.finish().into_bytes()))
}

/// A multipart/form-data body from a serializable object: each top-level property becomes a
/// text part (strings as they are, other values as JSON; `null`s are left out), followed by
/// `extra` parts (files, streamed from disk when sent).
pub fn multipart_body<T: Serialize + ?Sized>(value: &T, extra: Vec<Part>) -> Result<Body, String> {
    let mut parts = Vec::new();
    match serde_json::to_value(value)
        .map_err(|e| format!("cannot serialize the multipart body: {e}"))?
    {
        serde_json::Value::Object(map) => {
            for (name, v) in map {
                match v {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(s) => parts.push(Part::text(name, s)),
                    other => parts.push(Part::text(name, other.to_string())),
                }
            }
        }
        serde_json::Value::Null => {}
        other => return Err(format!("a multipart body must be an object, not {other}")),
    }
    parts.extend(extra);
    Ok(Body::Multipart(parts))
}

/// Headers that authentication, signing or the HTTP layer set; a request's extra headers
/// (`.header()` on a generated builder) may not set them.
pub const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-auth-token",
    "access-token",
    "x-security-token",
    "x-sdk-date",
    "x-sdk-content-sha256",
    "x-domain-id",
    "host",
    "content-length",
    "transfer-encoding",
];

/// Checks the name of an extra header given for one request: an authentication or framing
/// header ([`RESERVED_HEADERS`]) is refused, so no call can replace the credentials.
pub fn check_extra_header(name: &str) -> Result<(), super::error::Error> {
    if RESERVED_HEADERS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name.trim()))
    {
        return Err(super::error::Error::InvalidRequest(format!(
            "the header {name:?} is set by authentication or the HTTP layer; it cannot be set per request"
        )));
    }
    Ok(())
}

/// Adds a request's extra headers (`.header()` on a generated builder) to `req`, refusing
/// the reserved ones ([`check_extra_header`]).
pub fn push_extra_headers(
    req: &mut Request,
    headers: &[(String, String)],
) -> Result<(), super::error::Error> {
    for (name, value) in headers {
        check_extra_header(name)?;
        req.headers.push((name.clone(), value.clone()));
    }
    Ok(())
}

/// The `header` method of every generated request builder, whose extra headers are its field
/// `headers: Vec<(String, String)>`. Generated code invokes it in the builder's `impl`, as
/// `crate::runtime::__private::header_method!();`.
#[doc(hidden)]
#[macro_export]
macro_rules! __header_method {
    () => {
        /// Adds a header to this request only; it wins over a client default of the same
        /// name. `send` refuses (and sends nothing for) a name that is not a header name, an
        /// authentication or framing header (`Authorization`, `X-Auth-Token`, `Host`, ...:
        /// credentials cannot be replaced per request), and a value with control characters.
        pub fn header(
            mut self,
            name: impl ::std::convert::Into<::std::string::String>,
            value: impl ::std::convert::Into<::std::string::String>,
        ) -> Self {
            self.headers.push((name.into(), value.into()));
            self
        }
    };
}
