//! A received response, and the decoding of its body.

use std::borrow::Cow;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use super::error::{
    extract_error_fields, ApiError, BusinessError, Error, TypedBody, ERROR_BODY_BYTES,
    TYPED_ERROR_BYTES,
};

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// The default limit of a body read whole (16 MiB): see `ClientBuilder::max_body_bytes`.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The largest buffer reserved up front from a `Content-Length` (the buffer then grows with
/// what actually arrives).
const INITIAL_CAPACITY: u64 = 1024 * 1024;

/// A response of any status. Reading the body consumes it.
///
/// A body read whole ([`Response::bytes`], [`Response::text`], [`Response::json`],
/// [`Response::decode`], the error readers) is limited to [`Response::max_body_bytes`]:
/// a larger `Content-Length` is refused before reading, and reading stops as soon as the
/// limit is passed ([`Error::BodyTooLarge`]). [`Response::bytes_stream`] is not limited.
#[derive(Debug)]
pub struct Response {
    inner: reqwest::Response,
    max_body_bytes: u64,
}

impl Response {
    /// Wraps a reqwest response, with the default body limit ([`DEFAULT_MAX_BODY_BYTES`]).
    pub fn new(inner: reqwest::Response) -> Self {
        Response {
            inner,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Sets the limit of a body read whole, in bytes.
    pub fn with_max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The limit of a body read whole, in bytes.
    pub fn max_body_bytes(&self) -> u64 {
        self.max_body_bytes
    }

    fn too_large(&self) -> Error {
        Error::BodyTooLarge {
            status: self.status(),
            request_id: self.request_id(),
            limit: self.max_body_bytes,
        }
    }

    /// Reads the body chunk by chunk, keeping at most the limit: `(body, false)` when the
    /// whole body fits, `(first limit bytes, true)` when it does not (the rest is not
    /// read). With `refuse_early`, a `Content-Length` above the limit gives
    /// `(empty, true)` without reading anything.
    async fn read_limited(&mut self, refuse_early: bool) -> Result<(Bytes, bool), Error> {
        let limit = self.max_body_bytes;
        let declared = self.inner.content_length();
        if refuse_early && declared.is_some_and(|n| n > limit) {
            return Ok((Bytes::new(), true));
        }
        let capacity = declared.unwrap_or(0).min(limit).min(INITIAL_CAPACITY);
        let mut buf = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = self.inner.chunk().await.map_err(Error::transport)? {
            let room = limit.saturating_sub(buf.len() as u64);
            if chunk.len() as u64 > room {
                let room = usize::try_from(room).unwrap_or(usize::MAX);
                buf.extend_from_slice(&chunk[..room]);
                return Ok((buf.freeze(), true));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok((buf.freeze(), false))
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

    /// The request id (`X-Request-Id`), at most 256 characters of it.
    pub fn request_id(&self) -> Option<String> {
        self.header(REQUEST_ID_HEADER)
            .map(|id| super::error::bounded(&id, super::error::MAX_SHORT_TEXT_CHARS).into_owned())
    }

    /// The `Content-Type`.
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type")
    }

    /// The whole body, at most [`Response::max_body_bytes`] ([`Error::BodyTooLarge`]
    /// beyond, refused from the `Content-Length` when it says so).
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        self.read_whole().await
    }

    /// The whole body within the limit; the response keeps its status and headers for the
    /// error paths, so nothing is copied out of them on success.
    async fn read_whole(&mut self) -> Result<Bytes, Error> {
        match self.read_limited(true).await? {
            (body, false) => Ok(body),
            (_, true) => Err(self.too_large()),
        }
    }

    /// [`Error::Decode`] for this response's `body`.
    fn decode_error(&self, message: String, body: &Bytes) -> Error {
        Error::decode(
            self.status(),
            self.request_id(),
            self.content_type(),
            message,
            body,
        )
    }

    /// The whole body as UTF-8 text ([`Error::Decode`] when it is not UTF-8).
    pub async fn text(mut self) -> Result<String, Error> {
        let body = self.read_whole().await?;
        match std::str::from_utf8(&body) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(self.decode_error(format!("the body is not UTF-8: {e}"), &body)),
        }
    }

    /// The whole body decoded as JSON ([`decode_json`]).
    pub async fn json<T: DeserializeOwned>(mut self) -> Result<T, Error> {
        let body = self.read_whole().await?;
        json_value(&body).map_err(|message| self.decode_error(message, &body))
    }

    /// The reqwest response, for anything this wrapper does not cover.
    pub fn into_inner(self) -> reqwest::Response {
        self.inner
    }

    /// The body as a stream of chunks, for downloads (nothing is buffered whole; the body
    /// limit does not apply).
    pub fn bytes_stream(self) -> impl Stream<Item = Result<Bytes, reqwest::Error>> {
        self.inner.bytes_stream()
    }

    /// Reads the body of a non-2xx answer into an [`Error::Api`]: the start of the raw
    /// body ([`ERROR_BODY_BYTES`]), the error code and message found in it
    /// ([`extract_error_fields`]), the request id, and the body decoded as `E` when it
    /// decodes. At most [`Response::max_body_bytes`] are read; a longer body is cut there
    /// (and then rarely decodes). When the body cannot be read (the server stops sending
    /// it, or drips it past the timeout), the error keeps the status and the request id
    /// with an empty body: what the server said first is not lost to what it failed to say.
    pub async fn api_error<E: DeserializeOwned + TypedBody>(self) -> Error {
        self.api_error_with(|_, body| typed_body::<E>(body)).await
    }

    /// Like [`Response::api_error`], with the body decoded as `E` only when the status is in
    /// one of `statuses` (those whose declared error body is `E`).
    pub async fn api_error_when<E: DeserializeOwned + TypedBody>(
        self,
        statuses: &[RangeInclusive<u16>],
    ) -> Error {
        self.api_error_with(|status, body| {
            statuses
                .iter()
                .any(|r| r.contains(&status))
                .then(|| typed_body::<E>(body))
                .flatten()
        })
        .await
    }
}

/// An error body decoded as `E`, when it decodes (its unions bounded: [`super::union`]).
fn typed_body<E: DeserializeOwned>(body: &[u8]) -> Option<E> {
    super::union::bounded(body.len(), || serde_json::from_slice::<E>(body).ok())
}

/// The start of an error body kept in an error: at most [`ERROR_BODY_BYTES`].
fn error_body(body: &Bytes) -> Bytes {
    body.slice(..body.len().min(ERROR_BODY_BYTES))
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
    json_value(body)
        .map_err(|message| Error::decode(status, request_id, content_type, message, body))
}

/// [`decode_json`] without the error's context: the serde message on failure. The unions
/// of `T` get a budget of work for the body ([`super::union::bounded`]).
fn json_value<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    match super::union::bounded(body.len(), || serde_json::from_slice::<T>(body)) {
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
            Err(super::error::decoder_message(&e.to_string()))
        }
    }
}

/// Checks a 2xx body for a business failure: when the JSON body has `code_field` as a
/// non-null, non-empty string, number or boolean whose text is not in `success`, returns
/// [`Error::Business`] with the message from `message_field`. A `code_field` starting with
/// `/` is a JSON pointer (`/result/code`). A body that is not a JSON object passes.
///
/// The body is scanned for these two fields only (everything else is skipped without
/// being kept), so a big body is not turned into a JSON tree.
pub fn check_business(
    status: u16,
    request_id: Option<String>,
    body: &Bytes,
    code_field: &str,
    message_field: &str,
    success: &[&str],
) -> Result<(), Error> {
    match business_failure(body, code_field, success) {
        None => Ok(()),
        Some(code) => Err(business_error(
            status,
            request_id,
            body,
            code,
            message_field,
        )),
    }
}

/// The failure code of [`check_business`], when the body has one.
fn business_failure(body: &[u8], code_field: &str, success: &[&str]) -> Option<String> {
    let code = probe_field(body, code_field)?;
    if code.is_empty() || success.contains(&code.as_str()) {
        None
    } else {
        Some(code)
    }
}

/// [`Error::Business`] for a failure `code` found in `body`.
fn business_error(
    status: u16,
    request_id: Option<String>,
    body: &Bytes,
    code: String,
    message_field: &str,
) -> Error {
    Error::Business(Box::new(BusinessError {
        status,
        request_id,
        code,
        message: probe_field(body, message_field),
        body: error_body(body),
    }))
}

/// The text of the scalar at `field` (a top-level key, or a JSON pointer when it starts
/// with `/`) of the JSON document `body`; `None` when the body is not JSON or the field is
/// absent, null, an object or an array.
fn probe_field(body: &[u8], field: &str) -> Option<String> {
    let pointer = field.starts_with('/');
    // A top-level key (the usual case) is probed as it is, without a copy.
    let segments: Vec<Cow<'_, str>>;
    let key: [Cow<'_, str>; 1];
    let path: &[Cow<'_, str>] = if pointer {
        segments = field.split('/').skip(1).map(pointer_segment).collect();
        &segments
    } else {
        key = [Cow::Borrowed(field)];
        &key
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let found = Probe {
        path,
        index_arrays: pointer,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    found
}

/// A JSON pointer segment with `~1` and `~0` unescaped (copied only when it has a `~`).
fn pointer_segment(s: &str) -> Cow<'_, str> {
    if s.contains('~') {
        Cow::Owned(s.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Finds the scalar at `path` while deserializing, skipping everything else.
#[derive(Clone, Copy)]
struct Probe<'p> {
    path: &'p [Cow<'p, str>],
    /// Whether path segments may index arrays (JSON pointers).
    index_arrays: bool,
}

/// Probes a value, or skips it.
struct MaybeProbe<'p>(Option<Probe<'p>>);

impl<'de> DeserializeSeed<'de> for MaybeProbe<'_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.0 {
            Some(p) => p.deserialize(d),
            None => <IgnoredAny as serde::Deserialize>::deserialize(d).map(|_| None),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Whether a map key equals the wanted one (compared without keeping the key).
struct KeyIs<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

/// An array index of a JSON pointer segment (no sign, no leading zero).
fn pointer_index(s: &str) -> Option<usize> {
    if s.starts_with('+') || (s.starts_with('0') && s.len() != 1) {
        return None;
    }
    s.parse().ok()
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| v.to_string()))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| v.to_string()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| v.to_string()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(if self.path.is_empty() {
            serde_json::Number::from_f64(v).map(|n| n.to_string())
        } else {
            None
        })
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.path.is_empty().then(|| v.to_owned()))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        match self.path.split_first() {
            None => while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {},
            Some((head, rest)) => {
                while let Some(hit) = map.next_key_seed(KeyIs(head.as_ref()))? {
                    let seed = hit.then_some(Probe {
                        path: rest,
                        index_arrays: self.index_arrays,
                    });
                    let v = map.next_value_seed(MaybeProbe(seed))?;
                    if hit {
                        // A repeated key: the last one wins, as in a parsed object.
                        found = v;
                    }
                }
            }
        }
        Ok(found)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let wanted = match self.path.split_first() {
            Some((head, rest)) if self.index_arrays => pointer_index(head).map(|i| (i, rest)),
            _ => None,
        };
        let mut found = None;
        let mut i = 0usize;
        loop {
            let seed = match wanted {
                Some((w, rest)) if w == i => Some(Probe {
                    path: rest,
                    index_arrays: self.index_arrays,
                }),
                _ => None,
            };
            let hit = seed.is_some();
            match seq.next_element_seed(MaybeProbe(seed))? {
                None => break,
                Some(v) => {
                    if hit {
                        found = v;
                    }
                }
            }
            i += 1;
        }
        Ok(found)
    }
}

impl Response {
    /// Like [`Response::api_error`], with the typed body decoded by `decode`, which is given
    /// the status and the raw body read (at most [`Response::max_body_bytes`]): generated
    /// code decodes each status's own schema.
    pub async fn api_error_with<E: TypedBody>(
        mut self,
        decode: impl FnOnce(u16, &[u8]) -> Option<E>,
    ) -> Error {
        let status = self.status();
        let request_id = self.request_id();
        // An error body longer than the limit is cut there (the status still tells what
        // happened); only the start of it is kept in the error.
        let body = self
            .read_limited(false)
            .await
            .map(|(b, _)| b)
            .unwrap_or_default();
        let (error_code, error_msg) = extract_error_fields(&body);
        let typed = (body.len() <= TYPED_ERROR_BYTES)
            .then(|| decode(status, &body))
            .flatten()
            .map(|t| Arc::new(t) as Arc<dyn TypedBody>);
        Error::Api(Box::new(ApiError {
            status,
            request_id,
            error_code,
            error_msg,
            body: error_body(&body),
            typed,
        }))
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
    /// Reads a JSON success body (at most [`Response::max_body_bytes`]): checks `business`
    /// first (a failure is [`Error::Business`]; only its two fields are looked at, no JSON
    /// tree is built), then decodes the body as `T` ([`decode_json`]).
    pub async fn decode<T: DeserializeOwned>(
        mut self,
        business: Option<BusinessRule>,
    ) -> Result<T, Error> {
        let bytes = self.read_whole().await?;
        if let Some(rule) = business {
            self.check_rule(&bytes, rule)?;
        }
        json_value(&bytes).map_err(|message| self.decode_error(message, &bytes))
    }

    /// [`check_business`] on `bytes`, this response's body.
    fn check_rule(&self, bytes: &Bytes, rule: BusinessRule) -> Result<(), Error> {
        match business_failure(bytes, rule.code, rule.success) {
            None => Ok(()),
            Some(code) => Err(business_error(
                self.status(),
                self.request_id(),
                bytes,
                code,
                rule.message,
            )),
        }
    }

    /// Reads a success answer that has no declared body, checking `business` on whatever
    /// body came (an empty body passes).
    pub async fn check_empty(mut self, business: BusinessRule) -> Result<(), Error> {
        let bytes = self.read_whole().await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.check_rule(&bytes, business)
    }
}
