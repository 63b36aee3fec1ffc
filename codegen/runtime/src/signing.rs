//! SDK-HMAC-SHA256 request signing, as Huawei Cloud's SDKs sign (pure functions).
//!
//! The canonical request is `method \n uri \n query \n headers \n signed-headers \n
//! payload-hash`; the string to sign is `SDK-HMAC-SHA256 \n date \n sha256(canonical)`,
//! and the signature is the hex HMAC-SHA256 of it keyed with the secret key.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, percent_encode};
use sha2::{Digest, Sha256};

use super::date::civil_from_days;
use super::request::UNRESERVED;

/// The algorithm name.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The payload hash used when the body is not hashed (`X-Sdk-Content-Sha256`).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The date header.
pub const HEADER_DATE: &str = "X-Sdk-Date";
/// The header that marks an unsigned payload.
pub const HEADER_CONTENT_SHA256: &str = "X-Sdk-Content-Sha256";

/// The result of signing one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// The canonical URI: the path percent-decoded, split on `/`, each segment encoded keeping
/// only `A-Z a-z 0-9 - _ . ~`, joined by `/`, with a trailing `/` (so a `%2F` inside a
/// segment becomes a literal `/`, as the SDK does).
pub fn canonical_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    push_canonical_uri(path, &mut out);
    out
}

/// Appends [`canonical_uri`] of `path` to `out`.
fn push_canonical_uri(path: &str, out: &mut String) {
    let start = out.len();
    let decoded: std::borrow::Cow<'_, [u8]> = percent_decode_str(path).into();
    for (i, segment) in decoded.split(|b| *b == b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(percent_encode(segment, UNRESERVED));
    }
    if !out[start..].ends_with('/') {
        out.push('/');
    }
}

/// The canonical query: pairs sorted by raw key then raw value, each side encoded keeping
/// only unreserved characters (space is `%20`), joined as `k=v&...`. This is also the query
/// sent on the wire by a signed request.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    push_canonical_query(pairs, &mut out);
    out
}

/// Appends [`canonical_query`] of `pairs` to `out`.
fn push_canonical_query(pairs: &[(String, String)], out: &mut String) {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort();
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(percent_encode(k.as_bytes(), UNRESERVED));
        out.push('=');
        out.extend(percent_encode(v.as_bytes(), UNRESERVED));
    }
}

/// Decodes a URL's query (`k=v&...`, percent-encoded, `+` kept as `+`) into raw pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            (
                percent_decode_str(k).decode_utf8_lossy().into_owned(),
                percent_decode_str(v).decode_utf8_lossy().into_owned(),
            )
        })
        .collect()
}

/// The canonical headers and the signed header list: headers whose name contains `_` are
/// left out; names are lower-cased and sorted, values trimmed; each line is
/// `name:value\n`. Repeated names are joined with `,` in their order.
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let borrowed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut canonical = String::new();
    let signed = push_canonical_headers(&borrowed, &mut canonical);
    (canonical, signed)
}

/// Appends the canonical header lines of [`canonical_headers`] to `out`; returns the signed
/// header list.
fn push_canonical_headers<V: AsRef<str>>(headers: &[(&str, V)], out: &mut String) -> String {
    // Names are lower-cased only when they are not already (HTTP/2 and `http` keep them
    // lower-case).
    let mut lowered: Vec<(std::borrow::Cow<'_, str>, &str)> = headers
        .iter()
        .filter(|(name, _)| !name.contains('_'))
        .map(|(name, value)| {
            let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                std::borrow::Cow::Owned(name.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(*name)
            };
            (name, value.as_ref().trim())
        })
        .collect();
    // Stable: repeated names keep their order.
    lowered.sort_by(|a, b| a.0.cmp(&b.0));
    let mut signed = String::with_capacity(lowered.iter().map(|(n, _)| n.len() + 1).sum());
    let mut previous: Option<&str> = None;
    for (name, value) in &lowered {
        if previous == Some(name) {
            // A repeated name: its values are joined with `,` on one line.
            out.pop();
            out.push(',');
        } else {
            if previous.is_some() {
                signed.push(';');
            }
            signed.push_str(name);
            out.push_str(name);
            out.push(':');
        }
        out.push_str(value);
        out.push('\n');
        previous = Some(name);
    }
    signed
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_hex(&Sha256::digest(data), &mut out);
    out
}

/// Appends the lower-case hex of `bytes` (a digest: at most 32 bytes) to `out`.
fn push_hex(bytes: &[u8], out: &mut String) {
    let mut buf = [0u8; 64];
    let n = bytes.len().min(32);
    if hex::encode_to_slice(&bytes[..n], &mut buf[..2 * n]).is_ok() {
        out.push_str(std::str::from_utf8(&buf[..2 * n]).unwrap_or_default());
    }
}

/// The payload hash: `UNSIGNED-PAYLOAD` when `unsigned`, else the hex SHA-256 of the body
/// (of `""` when there is none).
pub fn payload_hash(body: Option<&[u8]>, unsigned: bool) -> String {
    let mut out = String::with_capacity(64);
    push_payload_hash(body, unsigned, &mut out);
    out
}

fn push_payload_hash(body: Option<&[u8]>, unsigned: bool, out: &mut String) {
    if unsigned {
        out.push_str(UNSIGNED_PAYLOAD);
    } else {
        push_hex(&Sha256::digest(body.unwrap_or_default()), out);
    }
}

/// The string to sign: `SDK-HMAC-SHA256\n{date}\n{hex sha256(canonical_request)}`.
pub fn string_to_sign(date: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + date.len() + 66);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(date);
    out.push('\n');
    push_hex(&Sha256::digest(canonical_request.as_bytes()), &mut out);
    out
}

/// The hex HMAC-SHA256 of `string_to_sign` keyed with `secret`.
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    let mut out = String::with_capacity(64);
    push_signature(secret, string_to_sign, &mut out);
    out
}

fn push_signature(secret: &str, string_to_sign: &str, out: &mut String) {
    // HMAC accepts keys of any length, so this never fails.
    if let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) {
        mac.update(string_to_sign.as_bytes());
        push_hex(&mac.finalize().into_bytes(), out);
    }
}

/// The `Authorization` header value.
pub fn authorization(access_key: &str, signed_headers: &str, signature: &str) -> String {
    let mut out = authorization_head(access_key, signed_headers, signature.len());
    out.push_str(signature);
    out
}

/// The `Authorization` value up to its signature, with room for a signature of
/// `signature_len` bytes.
fn authorization_head(access_key: &str, signed_headers: &str, signature_len: usize) -> String {
    let mut out = String::with_capacity(
        ALGORITHM.len() + access_key.len() + signed_headers.len() + signature_len + 40,
    );
    out.push_str(ALGORITHM);
    out.push_str(" Access=");
    out.push_str(access_key);
    out.push_str(", SignedHeaders=");
    out.push_str(signed_headers);
    out.push_str(", Signature=");
    out
}

/// Signs one request. `url` is the final URL (path as sent, query encoded and sorted),
/// `headers` every header that will be sent (including `Host` and `X-Sdk-Date`; an
/// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` header makes the payload unsigned), `body` the
/// exact body bytes (`None` for no body), `date` the `X-Sdk-Date` value.
pub fn sign_request(
    method: &str,
    url: &url::Url,
    headers: &[(String, String)],
    body: Option<&[u8]>,
    access_key: &str,
    secret_key: &str,
    date: &str,
) -> Signed {
    let borrowed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    sign_parts(method, url, &borrowed, body, access_key, secret_key, date)
}

/// [`sign_request`] with borrowed header names (a request's `HeaderMap` is signed without
/// copying it); the canonical request is written into one buffer.
pub(crate) fn sign_parts<V: AsRef<str>>(
    method: &str,
    url: &url::Url,
    headers: &[(&str, V)],
    body: Option<&[u8]>,
    access_key: &str,
    secret_key: &str,
    date: &str,
) -> Signed {
    let unsigned = headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case(HEADER_CONTENT_SHA256)
            && value.as_ref().trim() == UNSIGNED_PAYLOAD
    });
    let path = url.path();
    let query = url.query().unwrap_or("");
    let mut canonical_request = String::with_capacity(256 + path.len() + 2 * query.len());
    canonical_request.push_str(method);
    canonical_request.make_ascii_uppercase();
    canonical_request.push('\n');
    push_canonical_uri(path, &mut canonical_request);
    canonical_request.push('\n');
    if !query.is_empty() {
        push_canonical_query(&parse_query(query), &mut canonical_request);
    }
    canonical_request.push('\n');
    let signed_headers = push_canonical_headers(headers, &mut canonical_request);
    canonical_request.push('\n');
    canonical_request.push_str(&signed_headers);
    canonical_request.push('\n');
    push_payload_hash(body, unsigned, &mut canonical_request);
    let sts = string_to_sign(date, &canonical_request);
    let mut authorization = authorization_head(access_key, &signed_headers, 64);
    push_signature(secret_key, &sts, &mut authorization);
    Signed {
        authorization,
        canonical_request,
        string_to_sign: sts,
    }
}

/// The `X-Sdk-Date` value of a time: `YYYYMMDDTHHMMSSZ` in UTC.
pub fn sdk_date(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}
