//! The error of every client call, and the parsing of the API's error bodies.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::validate::ValidationErrors;

/// Longest excerpt of an undecodable body kept in [`Error::Decode`], in bytes.
pub const EXCERPT_BYTES: usize = 512;

/// Longest `error_msg` shown by [`ApiError`]'s `Display`, in characters.
const MAX_DISPLAYED_MESSAGE_CHARS: usize = 512;

/// What went wrong with a call: one type for every operation of every generated client, so
/// a function can use `?` on building a client and on any request. The typed error body of
/// a non-2xx answer is reached with [`Error::typed`].
///
/// Nothing here ever holds a credential: auth headers are added after validation and are
/// not part of any error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks the spec's constraints; nothing was sent.
    #[error("invalid request, not sent: {0}")]
    Validation(#[from] ValidationErrors),
    /// The request cannot be built (bad base URL, bad header name, unreadable file part,
    /// ...); nothing was sent.
    #[error("invalid request, not sent: {0}")]
    InvalidRequest(String),
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
    Api(ApiError),
    /// The server answered 2xx but the body signals a failure (`error_code`, `resCode`).
    #[error("{0}")]
    Business(BusinessError),
    /// The response body could not be decoded as the expected type.
    #[error("cannot decode the response body (HTTP {status}{}): {message}; body starts: {excerpt:?}", request_id_suffix(.request_id))]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The `X-Request-Id` response header.
        request_id: Option<String>,
        /// The `Content-Type` response header.
        content_type: Option<String>,
        /// The decoder's message (for JSON, with line and column).
        message: String,
        /// The start of the body, at most 512 bytes, cut on a character boundary.
        excerpt: String,
    },
}

fn request_id_suffix(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(", request id {id}"),
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
            _ => None,
        }
    }

    /// The request id (`X-Request-Id`), when a response carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Business(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the request (or reading its response) timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { timeout: true, .. })
    }

    /// Whether the connection could not be established.
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport { connect: true, .. })
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

    /// A decode error for `body`, keeping a bounded excerpt of it.
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
            excerpt: excerpt(body),
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
#[derive(Debug, Clone)]
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
    /// The raw body.
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

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        let msg = self.error_msg.as_deref().map(|m| {
            match m.char_indices().nth(MAX_DISPLAYED_MESSAGE_CHARS) {
                Some((cut, _)) => format!("{}…", &m[..cut]),
                None => m.to_owned(),
            }
        });
        match (&self.error_code, msg) {
            (Some(code), Some(msg)) => write!(f, " ({code}: {msg})")?,
            (Some(code), None) => write!(f, " ({code})")?,
            (None, Some(msg)) => write!(f, " ({msg})")?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A 2xx answer whose body signals a failure.
#[derive(Debug, Clone)]
pub struct BusinessError {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// The failure code from the body.
    pub code: String,
    /// The failure message from the body.
    pub message: Option<String>,
    /// The raw body.
    pub body: bytes::Bytes,
}

impl fmt::Display for BusinessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} with failure {}", self.status, self.code)?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
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

/// A JSON scalar rendered as text: strings as they are, numbers and booleans as JSON.
pub(super) fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn fields_of(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Option<(Option<String>, Option<String>)> {
    for (code_key, msg_key) in ERROR_FIELD_PAIRS {
        let code = map.get(code_key).and_then(scalar_text);
        let msg = map.get(msg_key).and_then(scalar_text);
        if code.is_some() || msg.is_some() {
            return Some((code, msg));
        }
    }
    None
}

/// The error code and message of a JSON error body: `error_code`/`error_msg`,
/// `errorCode`/`errorMsg`, `code`/`message` or `resCode`/`resMsg`, at the top level or in
/// an object one level down (`{"error": {...}}`, preferred under the key `error`).
/// `(None, None)` when the body is not JSON or has none of them.
pub fn extract_error_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return (None, None);
    };
    if let Some(found) = fields_of(&map) {
        return found;
    }
    if let Some(serde_json::Value::Object(inner)) = map.get("error") {
        if let Some(found) = fields_of(inner) {
            return found;
        }
    }
    for value in map.values() {
        if let serde_json::Value::Object(inner) = value {
            if let Some(found) = fields_of(inner) {
                return found;
            }
        }
    }
    (None, None)
}
