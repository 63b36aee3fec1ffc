//! The error of every client call, and the parsing of the API's error bodies.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use super::validate::ValidationErrors;

/// Longest excerpt of an undecodable body kept in [`Error::Decode`], in bytes.
pub const EXCERPT_BYTES: usize = 512;

/// Longest part of an error body kept in [`ApiError::body`] and [`BusinessError::body`],
/// in bytes (64 KiB). The code and message are still found in the whole body read (up to the
/// client's `max_body_bytes`, without building a tree of it), and the typed error is decoded
/// from a body of up to [`TYPED_ERROR_BYTES`].
pub const ERROR_BODY_BYTES: usize = 64 * 1024;

/// Longest error body decoded into the operation's typed error, in bytes (1 MiB). A typed
/// error that holds free-form JSON builds a tree of it, some 25 times the size of the text
/// (16 MiB of `[{},{},...]` took 400 MiB): beyond this, `ApiError::typed` is `None` and the
/// code, message and start of the body are still there.
pub const TYPED_ERROR_BYTES: usize = 1024 * 1024;

/// Longest `error_msg` shown by [`ApiError`]'s `Display`, in characters.
const MAX_DISPLAYED_MESSAGE_CHARS: usize = 512;

/// Longest error code, request id or decoder message kept or shown, in characters: they
/// come from the server, which could send megabytes.
pub(crate) const MAX_SHORT_TEXT_CHARS: usize = 256;

/// `text` cut to at most `max` characters, with `…` where it was cut.
pub(crate) fn bounded(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..cut])),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// A JSON decoder's message without the values it quotes: serde writes the offending value
/// into its message (`invalid type: string "…", expected u32`,
/// ``invalid value: integer `987654321`, expected u16``, ``unknown variant `…`, expected one
/// of `A`, `B` ``), and that value may be a token or a key the server sent in an unexpected
/// place. Double-quoted strings become `"…"` and backtick-quoted values `` `…` ``. The kinds,
/// the names the type itself gives (``missing field `id` ``, ``duplicate field `id` ``, a
/// generated union's ``no alternative of `Shape` ``, and what is expected:
/// ``expected one of `A`, `B` ``), the line and the column stay. Bounded in length.
pub(crate) fn decoder_message(message: &str) -> String {
    /// Where the text after a quoted value goes on: serde writes what was expected after the
    /// value, so the value runs to the last of these (a value holding a backtick, or one of
    /// these, is masked whole).
    const AFTER_VALUE: [&str; 2] = ["`, expected ", "`, there are no "];
    /// The names written after these are the type's own (its fields, or its name in a
    /// generated union's message), not the server's.
    const NAMES: [&str; 3] = ["missing field ", "duplicate field ", "no alternative of "];
    let mut out = String::with_capacity(message.len().min(MAX_SHORT_TEXT_CHARS));
    let mut rest = message;
    // Past `expected` (or `there are no`), the text is the type's, not the server's.
    let mut expected = false;
    while let Some(start) = rest.find(['"', '`']) {
        let plain = &rest[..start];
        expected |= ["expected ", "there are no "]
            .iter()
            .any(|a| plain.contains(a));
        out.push_str(plain);
        let quote = &rest[start..=start];
        let after = &rest[start + 1..];
        if quote == "`" {
            if expected || NAMES.iter().any(|n| out.ends_with(n)) {
                // A name of the type's: kept as it is, to its closing backtick.
                let end = after.find('`').map_or(after.len(), |i| i + 1);
                out.push('`');
                out.push_str(&after[..end]);
                rest = &after[end..];
                continue;
            }
            let end = AFTER_VALUE
                .iter()
                .filter_map(|a| after.rfind(a))
                .max()
                .or_else(|| after.find('`'));
            match end {
                Some(end) => {
                    out.push_str("`…`");
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("`…");
                    rest = "";
                }
            }
            continue;
        }
        out.push('"');
        // The closing quote: the first one not escaped by a backslash.
        let mut escaped = false;
        let end = after.char_indices().find_map(|(i, c)| match c {
            '\\' if !escaped => {
                escaped = true;
                None
            }
            '"' if !escaped => Some(i),
            _ => {
                escaped = false;
                None
            }
        });
        match end {
            Some(end) => {
                out.push_str("…\"");
                rest = &after[end + 1..];
            }
            None => {
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    bounded(&out, MAX_SHORT_TEXT_CHARS).into_owned()
}

/// What went wrong with a call: one type for every operation of every generated client, so
/// a function can use `?` on building a client and on any request. The typed error body of
/// a non-2xx answer is reached with [`Error::typed`].
///
/// Nothing here ever holds a credential: auth headers are added after validation and are
/// not part of any error, the token exchange keeps nothing of its response body but the
/// OAuth `error` and `error_description` (with the client secret masked), a decode excerpt has the values of secret-looking keys redacted
/// ([`redact_secrets`]), and the `Debug` of [`ApiError`] and [`BusinessError`] shows the
/// body's length, not its content. Every `Display` escapes the control characters of
/// server text ([`escape_control`]), so a message cannot forge log lines or drive a
/// terminal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks the spec's constraints; nothing was sent.
    #[error("invalid request, not sent: {0}")]
    Validation(#[from] ValidationErrors),
    /// The request cannot be built (a bad header name given for it, an unreadable file part,
    /// a path parameter of `.` or `..`, ...); nothing was sent.
    #[error("invalid request, not sent: {0}")]
    InvalidRequest(String),
    /// The client cannot be set up as configured: no endpoint or a bad one, a bad proxy URL,
    /// an unknown region name, an invalid header name for a key or a default header. It
    /// comes from [`ClientBuilder::build`](super::ClientBuilder::build) and the constructors
    /// of [`Auth`](super::Auth) and regions, before any request.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A download was received but not saved: the server's file name was refused, the file
    /// exists, or it cannot be written ([`Download::save_in`](super::Download::save_in),
    /// [`Download::save_to`](super::Download::save_to)). No partial file is left.
    #[error("download not saved: {0}")]
    Save(String),
    /// The exchange failed below HTTP: connection refused, DNS, TLS, timeout, a body cut
    /// short, ...
    #[error("transport error: {message}")]
    Transport {
        /// What happened, with the causes.
        message: String,
        /// The request or the body read timed out.
        timeout: bool,
        /// The connection could not be established.
        connect: bool,
        /// The underlying error.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The server answered with a non-2xx status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The server answered 2xx but the body signals a failure (`error_code`, `resCode`).
    #[error("{0}")]
    Business(Box<BusinessError>),
    /// The response body is larger than the client's limit
    /// (`ClientBuilder::max_body_bytes`): refused from its `Content-Length`, or reading
    /// stopped once the limit was passed.
    #[error("the response body exceeds the limit of {limit} bytes (HTTP {status}{})", request_id_suffix(.request_id))]
    BodyTooLarge {
        /// The HTTP status.
        status: u16,
        /// The `X-Request-Id` response header.
        request_id: Option<String>,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The response body could not be decoded as the expected type.
    #[error("cannot decode the response body (HTTP {status}{}): {}; body starts: {excerpt:?}", request_id_suffix(.request_id), escape_control(.message))]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The `X-Request-Id` response header.
        request_id: Option<String>,
        /// The `Content-Type` response header.
        content_type: Option<String>,
        /// The decoder's message (for JSON, with line and column).
        message: String,
        /// The start of the body, at most 512 bytes, cut on a character boundary, with the
        /// values of secret-looking keys redacted ([`redact_secrets`]).
        excerpt: String,
    },
    /// The OAuth client-credentials token exchange (`Auth::client_credentials`, feature
    /// `client-credentials`) failed, so the API request it was for was not sent. `source`
    /// says how: [`Error::Api`] for a non-2xx answer (with the OAuth `error` as its
    /// `error_code` and `error_description` as its `error_msg` when the server gave them,
    /// and nothing else of the body), [`Error::Decode`] for an answer without a token,
    /// [`Error::Transport`] for no answer. [`Error::status`], [`Error::request_id`],
    /// [`Error::is_timeout`] and [`Error::is_connect`] answer for the exchange.
    #[error("token exchange at {url}: {source}")]
    TokenExchange {
        /// The token endpoint, without user name or password.
        url: String,
        /// What went wrong there.
        source: Box<Error>,
    },
    /// No credentials could be found or refreshed (feature `huawei-aksk`'s providers): the
    /// message says which sources were tried and what each missed, never a secret.
    #[error("credentials: {}", escape_control(.0))]
    Credentials(String),
}

fn request_id_suffix(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(
            ", request id {}",
            escape_control(&bounded(id, MAX_SHORT_TEXT_CHARS))
        ),
        None => String::new(),
    }
}

impl Error {
    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Business(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::TokenExchange { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The request id (`X-Request-Id`), when a response carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Business(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            Error::BodyTooLarge { request_id, .. } => request_id.as_deref(),
            Error::TokenExchange { source, .. } => source.request_id(),
            _ => None,
        }
    }

    /// Whether the request (or reading its response) timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::TokenExchange { source, .. } => source.is_timeout(),
            _ => matches!(self, Error::Transport { timeout: true, .. }),
        }
    }

    /// Whether the connection could not be established.
    pub fn is_connect(&self) -> bool {
        match self {
            Error::TokenExchange { source, .. } => source.is_connect(),
            _ => matches!(self, Error::Transport { connect: true, .. }),
        }
    }

    /// The typed error body of a non-2xx answer, when it decoded as `T` (the operation's
    /// error type: `types::ErrorResponse`, or a generated enum by status when the operation
    /// declares several).
    pub fn typed<T: Any>(&self) -> Option<&T> {
        match self {
            Error::Api(e) => e.typed(),
            _ => None,
        }
    }

    /// A transport error from reqwest, with its chain of causes in the message.
    pub fn transport(err: reqwest::Error) -> Self {
        let mut message = err.to_string();
        let mut cause = std::error::Error::source(&err);
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        Error::Transport {
            message,
            timeout: err.is_timeout(),
            connect: err.is_connect(),
            source: Some(err),
        }
    }

    /// A decode error for `body`, keeping a bounded excerpt of it with the values of
    /// secret-looking keys redacted.
    pub fn decode(
        status: u16,
        request_id: Option<String>,
        content_type: Option<String>,
        message: impl Into<String>,
        body: &[u8],
    ) -> Self {
        Error::Decode {
            status,
            request_id,
            content_type,
            message: message.into(),
            excerpt: redact_secrets(&excerpt(body)),
        }
    }
}

/// The start of `body` as text: at most [`EXCERPT_BYTES`] bytes, cut on a character
/// boundary; invalid UTF-8 is replaced by U+FFFD.
pub fn excerpt(body: &[u8]) -> String {
    let slice = &body[..body.len().min(EXCERPT_BYTES)];
    match std::str::from_utf8(slice) {
        Ok(s) => s.to_owned(),
        // Cut in the middle of a character: drop the partial character.
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&slice[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(slice).into_owned(),
    }
}

/// A typed error body kept by [`ApiError`]: any decoded type.
pub trait TypedBody: Any + fmt::Debug + Send + Sync {
    /// The body as [`Any`], to downcast.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + fmt::Debug + Send + Sync> TypedBody for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A non-2xx answer.
///
/// `Debug` shows the body's length and whether a typed body decoded, never their content
/// (an error body may echo a credential); `Display` shows the status, code, message and
/// request id with control characters escaped.
#[derive(Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// The error code found in the body (`error_code`, `errorCode`, `code`, `resCode`,
    /// possibly nested one level down).
    pub error_code: Option<String>,
    /// The error message found in the body (`error_msg`, `errorMsg`, `message`, `resMsg`).
    pub error_msg: Option<String>,
    /// The start of the raw body: at most [`ERROR_BODY_BYTES`] (64 KiB); longer bodies
    /// are cut there.
    pub body: bytes::Bytes,
    /// The body decoded as the operation's typed error, when it decodes.
    pub typed: Option<Arc<dyn TypedBody>>,
}

impl ApiError {
    /// The typed body, when it decoded as `T`.
    pub fn typed<T: Any>(&self) -> Option<&T> {
        self.typed
            .as_deref()
            .and_then(|t| t.as_any().downcast_ref())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("error_code", &self.error_code)
            .field("error_msg", &self.error_msg)
            .field("body", &BodyLen(self.body.len()))
            .field("typed", &self.typed.is_some())
            .finish()
    }
}

/// Shows a body as its length only.
pub(crate) struct BodyLen(pub(crate) usize);

impl fmt::Debug for BodyLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        let msg = self
            .error_msg
            .as_deref()
            .map(|m| escape_control(&bounded(m, MAX_DISPLAYED_MESSAGE_CHARS)).into_owned());
        let code = self
            .error_code
            .as_deref()
            .map(|c| escape_control(&bounded(c, MAX_SHORT_TEXT_CHARS)).into_owned());
        match (code, msg) {
            (Some(code), Some(msg)) => write!(f, " ({code}: {msg})")?,
            (Some(code), None) => write!(f, " ({code})")?,
            (None, Some(msg)) => write!(f, " ({msg})")?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(
                f,
                " [request id {}]",
                escape_control(&bounded(id, MAX_SHORT_TEXT_CHARS))
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx answer whose body signals a failure.
///
/// `Debug` shows the body's length, never its content; `Display` escapes control
/// characters.
#[derive(Clone)]
pub struct BusinessError {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// The failure code from the body.
    pub code: String,
    /// The failure message from the body.
    pub message: Option<String>,
    /// The start of the raw body: at most [`ERROR_BODY_BYTES`] (64 KiB).
    pub body: bytes::Bytes,
}

impl fmt::Debug for BusinessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BusinessError")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("body", &BodyLen(self.body.len()))
            .finish()
    }
}

impl fmt::Display for BusinessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HTTP {} with failure {}",
            self.status,
            escape_control(&self.code)
        )?;
        if let Some(m) = &self.message {
            let m = bounded(m, MAX_DISPLAYED_MESSAGE_CHARS);
            write!(f, ": {}", escape_control(&m))?;
        }
        if let Some(id) = &self.request_id {
            write!(
                f,
                " [request id {}]",
                escape_control(&bounded(id, MAX_SHORT_TEXT_CHARS))
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for BusinessError {}

/// Field pairs (code, message) that error bodies use, in order of preference.
const ERROR_FIELD_PAIRS: [(&str, &str); 4] = [
    ("error_code", "error_msg"),
    ("errorCode", "errorMsg"),
    ("code", "message"),
    ("resCode", "resMsg"),
];

/// The keys of [`ERROR_FIELD_PAIRS`], flattened: pair `i` is at `2i` and `2i + 1`.
const KNOWN_KEYS: [&str; 8] = [
    "error_code",
    "error_msg",
    "errorCode",
    "errorMsg",
    "code",
    "message",
    "resCode",
    "resMsg",
];

/// The scalar texts found under the [`KNOWN_KEYS`] of one object.
#[derive(Default)]
struct Known([Option<String>; 8]);

impl Known {
    fn pair(&self) -> Option<(Option<String>, Option<String>)> {
        (0..ERROR_FIELD_PAIRS.len()).find_map(|i| {
            let (code, msg) = (&self.0[2 * i], &self.0[2 * i + 1]);
            (code.is_some() || msg.is_some()).then(|| (code.clone(), msg.clone()))
        })
    }
}

/// What [`NodeSeed`] keeps of a value.
enum Node {
    /// A string, number or boolean (its text when asked for).
    Scalar(Option<String>),
    /// An object: its known fields, and (at the top level) those of its object values, in
    /// order, flagged when under the key `error`.
    Object(Known, Vec<(bool, Known)>),
    /// Null, an array, or something deeper than needed.
    Other,
}

/// Reads a value keeping only what [`extract_error_fields`] needs: no JSON tree is built.
#[derive(Clone, Copy)]
struct NodeSeed {
    keep_scalar: bool,
    /// Object levels still to look into (2 at the top).
    depth: u8,
}

/// The kind of an object key: one of [`KNOWN_KEYS`], `error`, or another.
struct KeyKind;

impl<'de> serde::de::DeserializeSeed<'de> for KeyKind {
    type Value = (Option<usize>, bool);
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for KeyKind {
    type Value = (Option<usize>, bool);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok((KNOWN_KEYS.iter().position(|k| *k == v), v == "error"))
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for NodeSeed {
    type Value = Node;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NodeSeed {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(self.keep_scalar.then(|| v.to_string())))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(self.keep_scalar.then(|| v.to_string())))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(self.keep_scalar.then(|| v.to_string())))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(if self.keep_scalar {
            serde_json::Number::from_f64(v).map(|n| n.to_string())
        } else {
            None
        }))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(self.keep_scalar.then(|| v.to_owned())))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Node::Other)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        if self.depth == 0 {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(Node::Other);
        }
        let mut known = Known::default();
        let mut inner = Vec::new();
        while let Some((index, is_error)) = map.next_key_seed(KeyKind)? {
            let seed = NodeSeed {
                keep_scalar: index.is_some(),
                depth: self.depth - 1,
            };
            match map.next_value_seed(seed)? {
                Node::Scalar(text) => {
                    if let Some(i) = index {
                        known.0[i] = text;
                    }
                }
                Node::Object(k, _) => {
                    if let Some(i) = index {
                        known.0[i] = None;
                    }
                    inner.push((is_error, k));
                }
                Node::Other => {
                    if let Some(i) = index {
                        known.0[i] = None;
                    }
                }
            }
        }
        Ok(Node::Object(known, inner))
    }
}

/// The error code and message of a JSON error body: `error_code`/`error_msg`,
/// `errorCode`/`errorMsg`, `code`/`message` or `resCode`/`resMsg`, at the top level or in
/// an object one level down (`{"error": {...}}`, preferred under the key `error`).
/// `(None, None)` when the body is not JSON or has none of them. Strings are taken as they
/// are, numbers and booleans as JSON text. Only these fields are kept while reading: no
/// JSON tree of the body is built.
pub fn extract_error_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(body);
    let node = NodeSeed {
        keep_scalar: false,
        depth: 2,
    }
    .deserialize(&mut de);
    let (Ok(Node::Object(own, inner)), Ok(())) = (node, de.end()) else {
        return (None, None);
    };
    if let Some(found) = own.pair() {
        return found;
    }
    if let Some(found) = inner
        .iter()
        .rev()
        .find(|(e, _)| *e)
        .and_then(|(_, k)| k.pair())
    {
        return found;
    }
    inner
        .iter()
        .find_map(|(_, k)| k.pair())
        .unwrap_or((None, None))
}

/// Whether `c` is shown escaped: control characters (C0, DEL, C1) and the invisible
/// formatting characters that reorder or hide text (bidi overrides and isolates, zero-width
/// characters, BOM).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// `s` with control and invisible formatting characters escaped (`\n`, `\t`, `\u{1b}`,
/// `\u{202e}`), so that server text shown by an error's `Display` cannot forge log lines or
/// send terminal escapes. Other characters are kept as they are.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a JSON key names a credential: it contains (ASCII case-insensitively) `token`,
/// `secret`, `password`, `passwd`, `authorization`, `credential`, `api_key`/`apikey`,
/// `cookie` or `session`.
fn secret_key(key: &str) -> bool {
    // A key written with escapes (`"\u0074oken"`) is read as JSON reads it.
    let unescaped = key
        .contains('\\')
        .then(|| serde_json::from_str::<String>(&format!("\"{key}\"")).ok())
        .flatten();
    let k = unescaped.as_deref().unwrap_or(key).to_ascii_lowercase();
    k == "sk"
        || [
            "token",
            "secret",
            "password",
            "passwd",
            "authorization",
            "credential",
            "api_key",
            "apikey",
            "api-key",
            "cookie",
            "session",
            "private",
            "signature",
        ]
        .iter()
        .any(|s| k.contains(s))
}

/// JSON-looking `text` (possibly cut short) with the value of every key that names a
/// credential (`secret_key`: `access_token`, `client_secret`, `password`, ...) replaced by
/// `"***"`. Used for the excerpt of [`Error::Decode`]; it scans the text without parsing it,
/// so a truncated or invalid body is redacted too (a secret value cut short is redacted to
/// the end).
pub fn redact_secrets(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // The end (exclusive) of a JSON string starting at `start` (a quote), or the text's end.
    let string_end = |start: usize| {
        let mut j = start + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 2,
                b'"' => return j + 1,
                _ => j += 1,
            }
        }
        b.len()
    };
    while i < b.len() {
        if b[i] != b'"' {
            let next = text[i..].find('"').map_or(b.len(), |n| i + n);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        let end = string_end(i);
        let key = &text[i..end.min(b.len())];
        out.push_str(key);
        i = end;
        // A key is a string followed by `:`.
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b':' || !secret_key(key.trim_matches('"')) {
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        out.push_str(&text[i..j]);
        // The value: a string, or anything up to the next `,` `}` `]`; objects and arrays
        // under a secret key are redacted whole.
        let value_end = match b.get(j) {
            None => j,
            Some(b'"') => string_end(j),
            Some(b'{') | Some(b'[') => {
                let mut depth = 0usize;
                let mut k = j;
                let mut end = b.len();
                while k < b.len() {
                    match b[k] {
                        b'"' => {
                            k = string_end(k);
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                end = k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    k += 1;
                }
                end
            }
            Some(_) => text[j..].find([',', '}', ']']).map_or(b.len(), |n| j + n),
        };
        if value_end > j {
            out.push_str("\"***\"");
        }
        i = value_end.min(b.len());
    }
    out
}
