//! Credentials: API keys in a header (IAM token, AICC access token, any other), bearer
//! tokens, access key signing (feature `huawei-aksk`); and the OAuth client-credentials token
//! exchange (feature `client-credentials`).

use std::fmt;

#[cfg(feature = "client-credentials")]
use super::error::{ApiError, Error};
#[cfg(feature = "client-credentials")]
use super::response::Response;

/// A secret string (token, secret key, password). `Debug` and `Display` print
/// `Secret(***)`; only [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// Access key / secret key credentials for SDK-HMAC-SHA256 signing.
#[cfg(feature = "huawei-aksk")]
#[derive(Clone, Debug)]
pub struct AkSkCredentials {
    /// The access key id (shown by `Debug`; it is not a secret).
    pub access_key: String,
    /// The secret key.
    pub secret_key: Secret,
    /// The account (domain) id, sent as `X-Domain-Id` (OSM is a global service).
    pub domain_id: Option<String>,
    /// The security token of temporary credentials, sent as `X-Security-Token`.
    pub security_token: Option<Secret>,
}

#[cfg(feature = "huawei-aksk")]
impl AkSkCredentials {
    /// Permanent credentials.
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<Secret>) -> Self {
        AkSkCredentials {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            domain_id: None,
            security_token: None,
        }
    }

    /// Sets the account (domain) id sent as `X-Domain-Id`.
    pub fn with_domain_id(mut self, domain_id: impl Into<String>) -> Self {
        self.domain_id = Some(domain_id.into());
        self
    }

    /// Sets the security token of temporary credentials, sent as `X-Security-Token`.
    pub fn with_security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }
}

/// How requests authenticate.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    /// No authentication.
    #[default]
    None,
    /// Access key signing (SDK-HMAC-SHA256).
    #[cfg(feature = "huawei-aksk")]
    AkSk(AkSkCredentials),
    /// Access key signing with the current credentials of a provider, cached and refreshed
    /// before they expire ([`Auth::provider`]).
    #[cfg(feature = "huawei-aksk")]
    Provider(std::sync::Arc<super::credentials::CredentialCache>),
    /// An API key sent in a header of the spec's choosing.
    ApiKey {
        /// The header.
        header: reqwest::header::HeaderName,
        /// The key.
        value: Secret,
    },
    /// A bearer token, sent as `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// A token obtained by an OAuth client-credentials exchange, sent as an API key, fetched
    /// at the first request and fetched again before it expires
    /// ([`Auth::client_credentials`]).
    #[cfg(feature = "client-credentials")]
    ClientCredentials(std::sync::Arc<TokenCache>),
}

impl Auth {
    /// An IAM token (`X-Auth-Token`).
    pub fn iam_token(token: impl Into<Secret>) -> Self {
        Auth::ApiKey {
            header: reqwest::header::HeaderName::from_static("x-auth-token"),
            value: token.into(),
        }
    }

    /// Access key / secret key signing.
    #[cfg(feature = "huawei-aksk")]
    pub fn ak_sk(access_key: impl Into<String>, secret_key: impl Into<Secret>) -> Self {
        Auth::AkSk(AkSkCredentials::new(access_key, secret_key))
    }

    /// Access key signing with the credentials of `provider` (e.g.
    /// `ChainProvider::default()`: environment, profile file, ECS metadata), looked up at
    /// the first request, kept, and refreshed 5 minutes before temporary ones expire.
    #[cfg(feature = "huawei-aksk")]
    pub fn provider(provider: std::sync::Arc<dyn super::credentials::CredentialProvider>) -> Self {
        Auth::Provider(std::sync::Arc::new(
            super::credentials::CredentialCache::new(provider),
        ))
    }

    /// Access key signing with the credentials of `cache` (to choose its refresh margin,
    /// or share it between clients).
    #[cfg(feature = "huawei-aksk")]
    pub fn cached_provider(cache: std::sync::Arc<super::credentials::CredentialCache>) -> Self {
        Auth::Provider(cache)
    }

    /// An AICC access token (`access-token`).
    pub fn access_token(token: impl Into<Secret>) -> Self {
        Auth::ApiKey {
            header: reqwest::header::HeaderName::from_static("access-token"),
            value: token.into(),
        }
    }

    /// An API key in the header `header` (a security scheme `type: apiKey, in: header`).
    /// A name that is not a valid header name is refused here ([`Error::Config`]).
    pub fn api_key(header: &str, value: impl Into<Secret>) -> Result<Self, super::error::Error> {
        let header = reqwest::header::HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
            super::error::Error::Config(format!("{header:?} is not a valid header name"))
        })?;
        Ok(Auth::ApiKey {
            header,
            value: value.into(),
        })
    }

    /// A token from the OAuth client-credentials exchange at `token_url` (an absolute URL,
    /// or a path resolved against the client's endpoint: [`token_url`]), sent in the header
    /// `header`. The token is fetched at the first request, kept, and fetched again shortly
    /// before it expires (one exchange at a time, however many requests wait for it); a token
    /// answered without a readable `expires_in` is used for that request only. When the API
    /// answers a request HTTP 401, the token it carried is dropped, so the next request
    /// exchanges again; the 401 itself is returned, not resent. A failed exchange is
    /// [`Error::TokenExchange`]. A header name that is not valid is refused here.
    #[cfg(feature = "client-credentials")]
    pub fn client_credentials(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        header: &str,
    ) -> Result<Self, Error> {
        let header = reqwest::header::HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| Error::Config(format!("{header:?} is not a valid header name")))?;
        Ok(Auth::ClientCredentials(std::sync::Arc::new(TokenCache {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            header,
            cached: tokio::sync::RwLock::new(None),
            refresh: tokio::sync::Mutex::new(None),
        })))
    }

    /// A bearer token (`Authorization: Bearer <token>`).
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Auth::Bearer(token.into())
    }

    /// Sets the domain id of access key credentials (no effect on other kinds).
    #[cfg(feature = "huawei-aksk")]
    pub fn with_domain_id(self, domain_id: impl Into<String>) -> Self {
        match self {
            Auth::AkSk(c) => Auth::AkSk(c.with_domain_id(domain_id)),
            other => other,
        }
    }

    /// Sets the security token of temporary access key credentials (no effect on other
    /// kinds).
    #[cfg(feature = "huawei-aksk")]
    pub fn with_security_token(self, token: impl Into<Secret>) -> Self {
        match self {
            Auth::AkSk(c) => Auth::AkSk(c.with_security_token(token)),
            other => other,
        }
    }
}

/// A token from an OAuth client-credentials exchange.
#[cfg(feature = "client-credentials")]
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The token.
    pub access_token: Secret,
    /// Its lifetime in seconds, when given (an `expires_in` that is not a number of
    /// seconds reads as 0). [`Auth::client_credentials`] keeps a token without one for no
    /// time at all: it is used once and fetched again.
    pub expires_in: Option<u64>,
    /// Its type, when given.
    pub token_type: Option<String>,
}

#[cfg(feature = "client-credentials")]
impl AccessToken {
    /// The token as an API key in the header `header` (the AICC's `access-token`).
    pub fn into_auth(self, header: &str) -> Result<Auth, Error> {
        Auth::api_key(header, self.access_token)
    }
}

/// The cache of [`Auth::client_credentials`]: the exchange's parameters and the current
/// token with the instant it must be replaced.
#[cfg(feature = "client-credentials")]
pub struct TokenCache {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    header: reqwest::header::HeaderName,
    cached: tokio::sync::RwLock<Option<(Secret, Option<std::time::Instant>)>>,
    /// Held by the one exchange at a time; it holds when the last exchange failed, if it did.
    refresh: tokio::sync::Mutex<Option<std::time::Instant>>,
}

#[cfg(feature = "client-credentials")]
impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("token_url", &redact_userinfo(&self.token_url))
            .field("client_id", &self.client_id)
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// How long before its expiry a client-credentials token is replaced: a tenth of its
/// lifetime, at least 5 s and at most 5 minutes.
#[cfg(feature = "client-credentials")]
fn token_margin(lifetime: std::time::Duration) -> std::time::Duration {
    (lifetime / 10).clamp(
        std::time::Duration::from_secs(5),
        std::time::Duration::from_secs(300),
    )
}

#[cfg(feature = "client-credentials")]
impl TokenCache {
    /// Drops the cached token if it is the one `sent` (the value of the header of a request
    /// the API answered 401), so the next request exchanges again; a token fetched since
    /// is kept.
    pub(crate) async fn forget(&self, sent: &reqwest::header::HeaderValue) {
        let mut cached = self.cached.write().await;
        if matches!(&*cached, Some((token, _)) if token.expose().as_bytes() == sent.as_bytes()) {
            *cached = None;
            #[cfg(feature = "tracing")]
            tracing::debug!(token_url = %redact_userinfo(&self.token_url), "the API refused the client-credentials token (401); it is dropped");
        }
    }

    /// The header the token is sent in.
    pub(crate) fn header(&self) -> &reqwest::header::HeaderName {
        &self.header
    }

    fn fresh(&self, entry: &Option<(Secret, Option<std::time::Instant>)>) -> Option<Secret> {
        match entry {
            Some((token, None)) => Some(token.clone()),
            Some((token, Some(replace_at))) if std::time::Instant::now() < *replace_at => {
                Some(token.clone())
            }
            _ => None,
        }
    }

    /// The header and the current token, fetched (through `client`, against its endpoint
    /// `base_url`) when there is none or it is due for replacement.
    pub(crate) async fn current(
        &self,
        client: &super::client::Client,
        base_url: &str,
    ) -> Result<(reqwest::header::HeaderName, Secret), Error> {
        if let Some(t) = self.fresh(&*self.cached.read().await) {
            return Ok((self.header.clone(), t));
        }
        let arrived = std::time::Instant::now();
        let mut last_failure = self.refresh.lock().await;
        if let Some(t) = self.fresh(&*self.cached.read().await) {
            return Ok((self.header.clone(), t));
        }
        // An exchange failed while this request waited for its turn: the requests that
        // waited share that outcome instead of each trying again in turn (N requests to a
        // dead token endpoint would otherwise take N timeouts).
        let url = token_url(base_url, &self.token_url)?;
        if last_failure.is_some_and(|at| at >= arrived) {
            return Err(Error::TokenExchange {
                url: redact_userinfo(&url),
                source: Box::new(Error::Credentials(
                    "it failed for a request sent at the same time; it is not repeated for this one".to_owned(),
                )),
            });
        }
        let fetched = std::time::Instant::now();
        // `url` is on `base_url`'s host or https (`token_url`), so the check of `fetch`
        // against the endpoint in use passes; it is made all the same.
        let result = fetch(client, &url, base_url, &self.client_id, &self.client_secret).await;
        *last_failure = result.is_err().then(std::time::Instant::now);
        let token = result?;
        // No `expires_in` (or `null`) is a lifetime of 0, like an unreadable one: the token
        // serves this request and is fetched again for the next, never kept for ever. A
        // lifetime too long to add to the clock (a hostile `expires_in` of u64::MAX) is
        // taken as no expiry, not a panic.
        let lifetime = std::time::Duration::from_secs(token.expires_in.unwrap_or(0));
        let replace_at = fetched.checked_add(lifetime.saturating_sub(token_margin(lifetime)));
        #[cfg(feature = "tracing")]
        tracing::debug!(
            token_url = %redact_userinfo(&url),
            expires_in = ?token.expires_in,
            "fetched a client-credentials token"
        );
        let value = token.access_token.clone();
        *self.cached.write().await = Some((token.access_token, replace_at));
        Ok((self.header.clone(), value))
    }
}

/// The token endpoint `token_url` of a security scheme (`x-client-credentials`), resolved
/// against the API's base URL. The client secret is posted there, so it is one of:
///
/// - an absolute `https` URL, written with `://` (the scheme in any case), with a host: kept;
/// - a path starting with a single `/`: it replaces the base URL's path, on the base URL's
///   scheme, host and port (`https://host/service/AICC__Case/1.0.0` and
///   `/baas/auth/v1.0/oauth2/token` give `https://host/baas/auth/v1.0/oauth2/token`).
///
/// Anything else is [`Error::Config`]: an `http://` URL, what URL parsers read as one to
/// another host (`http:host/x`, `HTTP:\\host\x`, `http:/host`), a scheme-relative
/// `//host/x`, another scheme, a host without a scheme.
#[cfg(feature = "client-credentials")]
pub fn token_url(base_url: &str, token_url: &str) -> Result<String, Error> {
    let t = token_url.trim();
    if let Some(url) = absolute_token_url(token_url, &["https://"]) {
        return url.map(|u| u.to_string());
    }
    let Some(path) = t.strip_prefix('/').filter(|p| !p.starts_with(['/', '\\'])) else {
        return Err(refused_token_url(token_url));
    };
    let url =
        url::Url::parse(base_url).map_err(|e| Error::Config(format!("invalid base URL: {e}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(Error::Config(format!(
            "invalid base URL: scheme {:?} is not http or https",
            url.scheme()
        )));
    }
    let Some(host) = url.host_str() else {
        return Err(Error::Config("invalid base URL: no host".to_owned()));
    };
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let resolved = format!("{}://{host}{port}/{path}", url.scheme());
    // However the path is written, it stays on the base URL's origin.
    match url::Url::parse(&resolved) {
        Ok(r) if r.origin() == url.origin() => Ok(resolved),
        _ => Err(refused_token_url(token_url)),
    }
}

/// `token_url` as an absolute URL, when it is written with one of `schemes` (`https://`,
/// matched without regard to case): parsed, with a host, or [`Error::Config`] (a host that
/// starts with a slash or backslash, or none). `None` when it starts with none of them.
#[cfg(feature = "client-credentials")]
fn absolute_token_url(token_url: &str, schemes: &[&str]) -> Option<Result<url::Url, Error>> {
    let t = token_url.trim();
    let rest = schemes
        .iter()
        .find_map(|scheme| strip_prefix_ignore_case(t, scheme))?;
    if rest.is_empty() || rest.starts_with(['/', '\\']) {
        return Some(Err(refused_token_url(token_url)));
    }
    let parsed = url::Url::parse(t).map_err(|e| {
        Error::Config(format!(
            "invalid token URL {:?}: {e}",
            without_userinfo(token_url)
        ))
    });
    Some(parsed.and_then(|url| match url.host_str() {
        Some(host) if !host.is_empty() => Ok(url),
        _ => Err(refused_token_url(token_url)),
    }))
}

/// `text` without `prefix`, matched ASCII case-insensitively.
#[cfg(feature = "client-credentials")]
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The [`Error::Config`] of a token URL that is neither https nor a path on the API's host.
#[cfg(feature = "client-credentials")]
fn refused_token_url(token_url: &str) -> Error {
    Error::Config(format!(
        "invalid token URL {:?}: it must be an https URL (`https://host/path`) or a path on \
         the API's host (`/path`), as the client secret is posted there and must not go out \
         in the clear",
        without_userinfo(token_url)
    ))
}

/// The URL the exchange posts the client secret to: an absolute URL written with `://` and
/// a host, `https`, or `http` on the origin of `own` (the API's endpoint, where
/// [`token_url`] puts a path). Anything else is [`Error::Config`]: URL parsers read
/// `http:host/x` as `http://host/x`, and the secret must not go to another host in the
/// clear.
#[cfg(feature = "client-credentials")]
fn exchange_url(token_url: &str, own: &str) -> Result<url::Url, Error> {
    let Some(url) = absolute_token_url(token_url, &["https://", "http://"]) else {
        return Err(refused_token_url(token_url));
    };
    let url = url?;
    let own_origin = || url::Url::parse(own.trim()).map(|u| u.origin()).ok();
    match url.scheme() {
        "https" => Ok(url),
        "http" if own_origin() == Some(url.origin()) => Ok(url),
        _ => Err(refused_token_url(token_url)),
    }
}

#[cfg(feature = "client-credentials")]
/// The lifetime in seconds an `expires_in` gives: a whole number as it is, a fraction
/// rounded down, either also as text. Anything else a server sends there (a negative
/// number, `"1h"`, an object) is a lifetime of 0, so the token is not kept: it must not be
/// read as "never expires".
fn lifetime_secs(v: &serde_json::Value) -> u64 {
    let secs = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match secs {
        Some(s) if s.is_finite() && s >= 0.0 => s as u64,
        _ => 0,
    }
}

/// Exchanges AICC machine-user client credentials for an access token:
/// `POST token_url` with the form `grant_type=client_credentials&client_id=..&client_secret=..`.
/// The exchange goes through `client`'s HTTP client (no redirects followed) with its timeout
/// and body limit.
///
/// `token_url` is an absolute URL written with `://`: `https`, or `http` on the origin of
/// `client`'s endpoint (where [`token_url`] resolves a path). Any other (an `http` URL to
/// another host, `http:host/x` which URL parsers read as one) is refused before anything is
/// sent, as [`Error::Config`]: the client secret never goes out in the clear.
///
/// Every error is [`Error::TokenExchange`] (its `Display` starts `token exchange at <url>:`),
/// holding what went wrong. Nothing of the response body, which may hold a token, is kept
/// but the OAuth `error` and `error_description` of a non-2xx answer (RFC 6749 5.2), as the
/// [`Error::Api`]'s `error_code` and `error_msg`, with the client secret masked should the
/// server echo it (no body, no typed body); a body that is not JSON, or has no
/// `access_token`, is [`Error::Decode`] without excerpt.
#[cfg(feature = "client-credentials")]
pub async fn fetch_client_credentials_token(
    client: &super::client::Client,
    token_url: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<AccessToken, Error> {
    fetch(
        client,
        token_url,
        client.endpoint(),
        client_id,
        client_secret,
    )
    .await
}

/// [`fetch_client_credentials_token`], `http` allowed on the origin of `own` (the endpoint
/// the request is for, which may be a fallback endpoint).
#[cfg(feature = "client-credentials")]
async fn fetch(
    client: &super::client::Client,
    token_url: &str,
    own: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<AccessToken, Error> {
    exchange(client, token_url, own, client_id, client_secret)
        .await
        .map_err(|source| Error::TokenExchange {
            url: redact_userinfo(token_url),
            source: Box::new(source),
        })
}

/// A URL with its user name and password dropped, for errors, `Debug` and logs; text that
/// does not parse as a URL (a path, a malformed URL) as [`without_userinfo`] shows it.
#[cfg(feature = "client-credentials")]
fn redact_userinfo(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => without_userinfo(raw),
    }
}

/// `raw` as written (not as a URL parser rewrites it), without whatever precedes the last
/// `@` of its authority (from after `scheme:` and its slashes to the query or fragment),
/// bounded, control characters escaped: for text that is not a URL, or a URL refused as
/// written.
#[cfg(feature = "client-credentials")]
fn without_userinfo(raw: &str) -> String {
    let text = raw.trim();
    // The authority starts after `scheme:` and its slashes (either way round), or at
    // the start, and is taken to run to the query or fragment: a password holding a
    // `/` still goes (a path holding an `@` goes too, which loses nothing secret).
    let scheme_end = text
        .find(':')
        .filter(|&i| {
            text[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        })
        .map_or(0, |i| i + 1);
    let start = scheme_end
        + text[scheme_end..]
            .bytes()
            .take_while(|b| matches!(b, b'/' | b'\\'))
            .count();
    let end = text[start..]
        .find(['?', '#'])
        .map_or(text.len(), |i| start + i);
    let shown = match text[start..end].rfind('@') {
        Some(at) => format!("{}{}", &text[..start], &text[start + at + 1..]),
        None => text.to_owned(),
    };
    super::error::escape_control(&super::error::bounded(&shown, 256)).into_owned()
}

/// The OAuth error fields (`error`, `error_description`) of a token endpoint's error body,
/// bounded, with the client secret masked; nothing else of the body.
#[cfg(feature = "client-credentials")]
fn oauth_error_fields(body: &[u8], client_secret: &Secret) -> (Option<String>, Option<String>) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return (None, None);
    };
    let forms = secret_forms(client_secret.expose());
    let field = |key: &str, max: usize| {
        let text = map.get(key)?.as_str()?;
        let text = forms
            .iter()
            .fold(text.to_owned(), |text, form| mask(&text, form));
        Some(super::error::bounded(&text, max).into_owned())
    };
    (field("error", 256), field("error_description", 512))
}

/// The forms in which a token endpoint that echoes the request could show the client
/// secret, longest first: as it is; form-urlencoded as it was posted (`+` for a space,
/// `%2B`), and with `%20` for a space; every byte but letters and digits %-encoded; and as
/// it is with `+` for a space. Empty for an empty secret.
#[cfg(feature = "client-credentials")]
fn secret_forms(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let mut forms = vec![
        secret.to_owned(),
        secret.replace(' ', "+"),
        form.replace('+', "%20"),
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        form,
    ];
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// `text` with every occurrence of `secret` replaced by `***`, ASCII letters matched in
/// either case (so `%2f` for `%2F`; masking more than the secret hides nothing of it).
#[cfg(feature = "client-credentials")]
fn mask(text: &str, secret: &str) -> String {
    // ASCII case folding keeps every byte where it is, so positions in `haystack` are
    // positions in `text`, on character boundaries (`secret` is whole characters).
    let haystack = text.to_ascii_lowercase();
    let needle = secret.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(i) = haystack[from..].find(&needle) {
        out.push_str(&text[from..from + i]);
        out.push_str("***");
        from += i + needle.len();
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(feature = "client-credentials")]
async fn exchange(
    client: &super::client::Client,
    token_url: &str,
    own: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<AccessToken, Error> {
    let url = exchange_url(token_url, own)?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", client_id)
        .append_pair("client_secret", client_secret.expose())
        .finish();
    let resp = client
        .http()
        .post(url)
        .timeout(client.timeout())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .header(reqwest::header::USER_AGENT, client.user_agent().clone())
        .body(form)
        .send()
        .await
        .map_err(Error::transport)?;
    let resp = Response::new(resp).with_max_body_bytes(client.max_body_bytes());
    let status = resp.status();
    let request_id = resp.request_id();
    let content_type = resp.content_type();
    if !(200..300).contains(&status) {
        // An error body that cannot be read whole (too large, cut, too slow) still gives
        // the status and request id.
        let (error_code, error_msg) = match resp.bytes().await {
            Ok(body) => oauth_error_fields(&body, client_secret),
            Err(_) => (None, None),
        };
        return Err(Error::Api(Box::new(ApiError {
            status,
            request_id,
            error_code,
            error_msg,
            body: bytes::Bytes::new(),
            typed: None,
        })));
    }
    let body = resp.bytes().await?;
    let no_token = |message: String| Error::Decode {
        status,
        request_id: request_id.clone(),
        content_type: content_type.clone(),
        message,
        excerpt: String::new(),
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        // serde_json's syntax messages hold positions, never the text.
        Err(e) => return Err(no_token(format!("the token response is not JSON: {e}"))),
    };
    match value.get("access_token").and_then(|t| t.as_str()) {
        Some(token) if !token.is_empty() => Ok(AccessToken {
            access_token: Secret::new(token),
            expires_in: value.get("expires_in").map(lifetime_secs),
            token_type: value
                .get("token_type")
                .and_then(|t| t.as_str())
                .map(str::to_owned),
        }),
        _ => Err(no_token(
            "the token response has no access_token".to_owned(),
        )),
    }
}
