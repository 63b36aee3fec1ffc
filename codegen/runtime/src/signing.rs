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

fn encode_bytes(b: &[u8]) -> String {
    percent_encode(b, UNRESERVED).to_string()
}

/// The canonical URI: the path percent-decoded, split on `/`, each segment encoded keeping
/// only `A-Z a-z 0-9 - _ . ~`, joined by `/`, with a trailing `/` (so a `%2F` inside a
/// segment becomes a literal `/`, as the SDK does).
pub fn canonical_uri(path: &str) -> String {
    let decoded: Vec<u8> = percent_decode_str(path).collect();
    let mut out = decoded
        .split(|b| *b == b'/')
        .map(encode_bytes)
        .collect::<Vec<_>>()
        .join("/");
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The canonical query: pairs sorted by raw key then raw value, each side encoded keeping
/// only unreserved characters (space is `%20`), joined as `k=v&...`. This is also the query
/// sent on the wire by a signed request.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort();
    sorted
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                encode_bytes(k.as_bytes()),
                encode_bytes(v.as_bytes())
            )
        })
        .collect::<Vec<_>>()
        .join("&")
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
    let mut lowered: Vec<(String, &str)> = headers
        .iter()
        .filter(|(name, _)| !name.contains('_'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    // Stable: repeated names keep their order.
    lowered.sort_by(|a, b| a.0.cmp(&b.0));
    let mut canonical = String::new();
    let mut signed: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lowered.len() {
        let name = &lowered[i].0;
        let mut values = vec![lowered[i].1];
        let mut j = i + 1;
        while j < lowered.len() && lowered[j].0 == *name {
            values.push(lowered[j].1);
            j += 1;
        }
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(&values.join(","));
        canonical.push('\n');
        signed.push(name);
        i = j;
    }
    (canonical, signed.join(";"))
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The payload hash: `UNSIGNED-PAYLOAD` when `unsigned`, else the hex SHA-256 of the body
/// (of `""` when there is none).
pub fn payload_hash(body: Option<&[u8]>, unsigned: bool) -> String {
    if unsigned {
        UNSIGNED_PAYLOAD.to_owned()
    } else {
        sha256_hex(body.unwrap_or_default())
    }
}

/// The string to sign: `SDK-HMAC-SHA256\n{date}\n{hex sha256(canonical_request)}`.
pub fn string_to_sign(date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The hex HMAC-SHA256 of `string_to_sign` keyed with `secret`.
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so this never fails.
    match <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(string_to_sign.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The `Authorization` header value.
pub fn authorization(access_key: &str, signed_headers: &str, signature: &str) -> String {
    format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={signed_headers}, Signature={signature}"
    )
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
    let unsigned = headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case(HEADER_CONTENT_SHA256) && value.trim() == UNSIGNED_PAYLOAD
    });
    let (canonical_hdrs, signed_headers) = canonical_headers(headers);
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        canonical_uri(url.path()),
        canonical_query(&parse_query(url.query().unwrap_or(""))),
        canonical_hdrs,
        signed_headers,
        payload_hash(body, unsigned)
    );
    let sts = string_to_sign(date, &canonical_request);
    let signature = sign(secret_key, &sts);
    Signed {
        authorization: authorization(access_key, &signed_headers, &signature),
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
