//! A received response, and the decoding of its body.

use bytes::Bytes;
use futures_util::Stream;
use serde::de::DeserializeOwned;

use std::sync::Arc;

use super::error::{extract_error_fields, scalar_text, ApiError, BusinessError, Error, TypedBody};

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// A response of any status. Reading the body consumes it.
#[derive(Debug)]
pub struct Response {
    inner: reqwest::Response,
}

impl Response {
    /// Wraps a reqwest response.
    pub fn new(inner: reqwest::Response) -> Self {
        Response { inner }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.inner.status().as_u16()
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.inner.status().is_success()
    }

    /// The response headers.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        self.inner.headers()
    }

    /// A header's value as text (`None` when absent or not UTF-8).
    pub fn header(&self, name: &str) -> Option<String> {
        self.inner
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The request id (`X-Request-Id`).
    pub fn request_id(&self) -> Option<String> {
        self.header(REQUEST_ID_HEADER)
    }

    /// The `Content-Type`.
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type")
    }

    /// The whole body.
    pub async fn bytes(self) -> Result<Bytes, Error> {
        self.inner.bytes().await.map_err(Error::transport)
    }

    /// The whole body as UTF-8 text ([`Error::Decode`] when it is not UTF-8).
    pub async fn text(self) -> Result<String, Error> {
        let status = self.status();
        let request_id = self.request_id();
        let content_type = self.content_type();
        let body = self.bytes().await?;
        match String::from_utf8(body.to_vec()) {
            Ok(s) => Ok(s),
            Err(e) => Err(Error::decode(
                status,
                request_id,
                content_type,
                format!("the body is not UTF-8: {}", e.utf8_error()),
                &body,
            )),
        }
    }

    /// The whole body decoded as JSON ([`decode_json`]).
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let status = self.status();
        let request_id = self.request_id();
        let content_type = self.content_type();
        let body = self.bytes().await?;
        decode_json(status, request_id, content_type, &body)
    }

    /// The reqwest response, for anything this wrapper does not cover.
    pub fn into_inner(self) -> reqwest::Response {
        self.inner
    }

    /// The body as a stream of chunks, for downloads (nothing is buffered whole).
    pub fn bytes_stream(self) -> impl Stream<Item = Result<Bytes, reqwest::Error>> {
        self.inner.bytes_stream()
    }

    /// Reads the body of a non-2xx answer into an [`Error::Api`]: the raw body, the error
    /// code and message found in it ([`extract_error_fields`]), the request id, and the body
    /// decoded as `E` when it decodes. A failure to read the body gives
    /// [`Error::Transport`].
    pub async fn api_error<E: DeserializeOwned + TypedBody>(self) -> Error {
        let status = self.status();
        let request_id = self.request_id();
        let body = match self.bytes().await {
            Ok(b) => b,
            Err(e) => return e,
        };
        Error::Api(api_error_from::<E>(status, request_id, body))
    }
}

/// Builds an [`ApiError`] from a body already read.
pub fn api_error_from<E: DeserializeOwned + TypedBody>(
    status: u16,
    request_id: Option<String>,
    body: Bytes,
) -> ApiError {
    let (error_code, error_msg) = extract_error_fields(&body);
    let typed = serde_json::from_slice::<E>(&body)
        .ok()
        .map(|t| Arc::new(t) as Arc<dyn TypedBody>);
    ApiError {
        status,
        request_id,
        error_code,
        error_msg,
        body,
        typed,
    }
}

/// Decodes a JSON body as `T`; an empty body decodes as JSON `null` (so `()` and
/// `Option<T>` accept it) or, failing that, as `{}` (a struct whose fields are all optional). A failure is [`Error::Decode`] with the serde message (line
/// and column) and a bounded excerpt of the body.
pub fn decode_json<T: DeserializeOwned>(
    status: u16,
    request_id: Option<String>,
    content_type: Option<String>,
    body: &Bytes,
) -> Result<T, Error> {
    match serde_json::from_slice::<T>(body) {
        Ok(v) => Ok(v),
        Err(e) => {
            if body.iter().all(u8::is_ascii_whitespace) {
                // No content: `null` for `()` and `Option<T>`, an empty object for a struct
                // whose fields are all optional (documents often say "Response: None").
                if let Ok(v) = serde_json::from_slice::<T>(b"null") {
                    return Ok(v);
                }
                if let Ok(v) = serde_json::from_slice::<T>(b"{}") {
                    return Ok(v);
                }
            }
            Err(Error::decode(
                status,
                request_id,
                content_type,
                e.to_string(),
                body,
            ))
        }
    }
}

/// Checks a 2xx body for a business failure: when the JSON body has `code_field` as a
/// non-null, non-empty string or number whose text is not in `success`, returns
/// [`Error::Business`] with the message from `message_field`. A `code_field` starting with
/// `/` is a JSON pointer (`/result/code`). A body that is not a JSON object passes.
pub fn check_business(
    status: u16,
    request_id: Option<String>,
    body: &Bytes,
    code_field: &str,
    message_field: &str,
    success: &[&str],
) -> Result<(), Error> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    let get = |field: &str| {
        if field.starts_with('/') {
            value.pointer(field)
        } else {
            value.get(field)
        }
    };
    let Some(code) = get(code_field).and_then(scalar_text) else {
        return Ok(());
    };
    if code.is_empty() || success.contains(&code.as_str()) {
        return Ok(());
    }
    Err(Error::Business(BusinessError {
        status,
        request_id,
        code,
        message: get(message_field).and_then(scalar_text),
        body: body.clone(),
    }))
}

impl Response {
    /// Like [`Response::api_error`], with the typed body decoded by `decode`, which is given
    /// the status and the raw body: generated code decodes each status's own schema.
    pub async fn api_error_with<E: TypedBody>(
        self,
        decode: impl FnOnce(u16, &[u8]) -> Option<E>,
    ) -> Error {
        let status = self.status();
        let request_id = self.request_id();
        let body = match self.bytes().await {
            Ok(b) => b,
            Err(e) => return e,
        };
        let (error_code, error_msg) = extract_error_fields(&body);
        let typed = decode(status, &body).map(|t| Arc::new(t) as Arc<dyn TypedBody>);
        Error::Api(ApiError {
            status,
            request_id,
            error_code,
            error_msg,
            body,
            typed,
        })
    }
}

/// `x-business-error` of a response: a 2xx whose JSON body has `code` present and not one of
/// `success` is a failure, with its message in `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessRule {
    /// The property holding the result code (or a JSON pointer such as `/result/code`).
    pub code: &'static str,
    /// The property holding the message.
    pub message: &'static str,
    /// The values of `code` that mean success.
    pub success: &'static [&'static str],
}

impl Response {
    /// Reads a JSON success body: checks `business` first (a failure is [`Error::Business`]),
    /// then decodes the body as `T` ([`decode_json`]).
    pub async fn decode<T: DeserializeOwned>(
        self,
        business: Option<BusinessRule>,
    ) -> Result<T, Error> {
        let status = self.status();
        let request_id = self.request_id();
        let content_type = self.content_type();
        let bytes = self.bytes().await?;
        if let Some(rule) = business {
            check_business(
                status,
                request_id.clone(),
                &bytes,
                rule.code,
                rule.message,
                rule.success,
            )?;
        }
        decode_json::<T>(status, request_id, content_type, &bytes)
    }

    /// Reads a success answer that has no declared body, checking `business` on whatever
    /// body came (an empty body passes).
    pub async fn check_empty(self, business: BusinessRule) -> Result<(), Error> {
        let status = self.status();
        let request_id = self.request_id();
        let bytes = self.bytes().await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        check_business(
            status,
            request_id,
            &bytes,
            business.code,
            business.message,
            business.success,
        )
    }
}
