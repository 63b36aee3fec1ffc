//! The client: endpoint, timeouts, retries, default headers, hook, auth and signing.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use percent_encoding::percent_decode_str;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::auth::Auth;
use super::error::Error;
use super::request::{encode_query, Body, Part, PartData, Request};
use super::response::{Response, DEFAULT_MAX_BODY_BYTES};
#[cfg(feature = "huawei-aksk")]
use super::signing;
use super::validate::{check_control_characters, Path, Rule, ValidationErrors, Violation};

/// A function that sees (and may change) every request before auth and signing are
/// applied; it runs again on every retry.
pub type Hook = dyn Fn(&mut reqwest::Request) + Send + Sync;

/// The default total timeout of one attempt (request and body), like the SDK's read
/// timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("osm-codegen-client/", env!("CARGO_PKG_VERSION"));

/// When and how often idempotent requests are retried.
///
/// Only requests marked `idempotent` (GET, HEAD, PUT, DELETE, OPTIONS, TRACE by default)
/// are retried, on 429, 500, 502, 503, 504, connection errors and timeouts; a POST never
/// is. Delays grow exponentially from `initial_backoff` (with jitter) up to
/// `max_backoff`; a `Retry-After` header (seconds or HTTP date) is honoured, capped at
/// `max_backoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// The delay before the first retry (default 200 ms), doubled for each further one.
    pub initial_backoff: Duration,
    /// The longest delay (default 10 s).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// A policy with the given retries and delays.
    pub fn new(max_retries: u32, initial_backoff: Duration, max_backoff: Duration) -> Self {
        RetryPolicy {
            max_retries,
            initial_backoff,
            max_backoff,
        }
    }
}

/// Whether a status is worth retrying (for idempotent requests).
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Builds a client: a [`Client`] from [`Client::builder`], or a generated module's client
/// (`C`, made from the runtime client with `From`) from that client's `builder()`, so
/// `osm::Client::builder().auth(..).build()?` is an `osm::Client`.
pub struct ClientBuilder<C = Client> {
    endpoint: Option<String>,
    fallbacks: Vec<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    default_headers: Vec<(String, String)>,
    user_agent: String,
    auth: Auth,
    hook: Option<Arc<Hook>>,
    http: Option<reqwest::ClientBuilder>,
    max_body_bytes: u64,
    proxy: Option<String>,
    no_proxy: bool,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(n, _)| n)
                    .collect::<Vec<_>>(),
            )
            .field("user_agent", &self.user_agent)
            .field("auth", &self.auth)
            .field("hook", &self.hook.is_some())
            .field("http_client_builder", &self.http.is_some())
            .field("max_body_bytes", &self.max_body_bytes)
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// A URL with its user name and password replaced by `***`, for `Debug` and errors.
fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if !u.username().is_empty() || u.password().is_some() {
                let _ = u.set_username("***");
                let _ = u.set_password(None);
            }
            u.to_string()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder {
            endpoint: None,
            fallbacks: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            default_headers: Vec::new(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            auth: Auth::None,
            hook: None,
            http: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            proxy: None,
            no_proxy: false,
            client: PhantomData,
        }
    }
}

impl<C> ClientBuilder<C> {
    /// The same settings, building a client of type `D` (a generated module's client).
    pub fn for_client<D>(self) -> ClientBuilder<D> {
        ClientBuilder {
            endpoint: self.endpoint,
            fallbacks: self.fallbacks,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            retry: self.retry,
            default_headers: self.default_headers,
            user_agent: self.user_agent,
            auth: self.auth,
            hook: self.hook,
            http: self.http,
            max_body_bytes: self.max_body_bytes,
            proxy: self.proxy,
            no_proxy: self.no_proxy,
            client: PhantomData,
        }
    }

    /// The endpoint URL (required), `http` or `https`, possibly with a base path such as
    /// `https://host/service/AICC__Case/1.0.0`; operation paths are appended to it.
    pub fn endpoint(mut self, url: impl AsRef<str>) -> Self {
        self.endpoint = Some(url.as_ref().to_owned());
        self
    }

    /// Endpoints to fail over to, in order, when a connection to the one before cannot be
    /// established (refused, unreachable, DNS, TLS): nothing was sent, so any request moves
    /// on, a POST too. An answer, a timeout or a connection lost after sending never fails
    /// over (the request may have reached the server).
    pub fn fallback_endpoints<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.fallbacks = urls.into_iter().map(|u| u.as_ref().to_owned()).collect();
        self
    }

    /// The total timeout of one attempt, body included (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connect timeout (default 10 s). It applies to a builder given to
    /// [`ClientBuilder::http_client_builder`] too, replacing that builder's own: a connection
    /// that cannot be established in time is a connect error, which moves on to the
    /// [`ClientBuilder::fallback_endpoints`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A header sent on every request that does not set it itself (and, for
    /// `Content-Type`, whose body has no content type: a default
    /// `Content-Type: application/json` thus applies to body-less requests only, as the
    /// Huawei SDK sends it). It replaces an earlier default of the same name (names ignore
    /// case), such as one a generated client's `builder()` presets from the spec.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.default_headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.default_headers.push((name, value.into()));
        self
    }

    /// The `User-Agent` (default `osm-codegen-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The credentials (default [`Auth::None`]).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// A hook called with every request before auth and signing (so its changes are
    /// signed), on every attempt. It takes reqwest's type: the re-export
    /// `codegen_runtime::reqwest` (or a dependency `reqwest = "0.12"` of your own) names it.
    pub fn on_request(
        mut self,
        hook: impl Fn(&mut reqwest::Request) + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// The largest response body read whole, in bytes (default
    /// [`DEFAULT_MAX_BODY_BYTES`](super::__private::DEFAULT_MAX_BODY_BYTES), 16 MiB): a
    /// success body, an error body, the token exchange's answer. A `Content-Length` above
    /// it is refused before reading and reading stops once it is passed, with
    /// [`Error::BodyTooLarge`] (an error body is cut there instead, its status kept).
    /// Downloads read with `Response::bytes_stream` are not limited.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Sends every request through this proxy (`http://host:port`, `https://..`,
    /// `socks5://..` needs reqwest's `socks` feature; user and password may be in the URL).
    /// Without it the proxies of the environment apply, as reqwest reads them:
    /// `HTTPS_PROXY`/`https_proxy`, `HTTP_PROXY`/`http_proxy`, `ALL_PROXY` and `NO_PROXY`
    /// (see [`ClientBuilder::no_proxy`]). Applied to
    /// [`ClientBuilder::http_client_builder`]'s builder too.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Uses no proxy at all, not even those of the environment (`HTTPS_PROXY`, ...);
    /// a [`ClientBuilder::proxy`] still applies.
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// A reqwest client builder to send with (its own timeouts, proxies, TLS settings).
    /// The client finishes it with redirects turned off, whatever it said: reqwest would
    /// follow a redirect to another origin with the API key headers (`X-Auth-Token`,
    /// `access-token`, `X-Security-Token`), so a 3xx is returned as it is instead. The
    /// client's [`ClientBuilder::connect_timeout`] (default 10 s) is applied to it as well,
    /// replacing any the builder set, so that a connection that cannot be established fails
    /// over to the [`ClientBuilder::fallback_endpoints`] in time; likewise the proxy settings
    /// ([`ClientBuilder::proxy`], [`ClientBuilder::no_proxy`]) when given. Without one, the
    /// client builds its own with rustls, the connect timeout, and redirects off.
    ///
    /// It is reqwest's type (`reqwest` 0.12): a program that calls this method depends on
    /// `reqwest = "0.12"` itself, or uses the re-export `codegen_runtime::reqwest`.
    ///
    /// There is deliberately no way to plug in a built `reqwest::Client`: its redirect
    /// policy cannot be checked.
    pub fn http_client_builder(mut self, http: reqwest::ClientBuilder) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client: [`Error::Config`] for a missing or bad endpoint, a bad proxy URL or
    /// header name, [`Error::Validation`] for control characters in a default header or the
    /// user agent.
    pub fn build(self) -> Result<C, Error>
    where
        C: From<Client>,
    {
        let Some(endpoint) = self.endpoint else {
            return Err(Error::Config("no endpoint given".to_owned()));
        };
        let base = Base::new(&endpoint)?;
        let fallbacks = self
            .fallbacks
            .iter()
            .map(|e| Base::new(e))
            .collect::<Result<Vec<_>, _>>()?;
        let mut pairs = self.default_headers.clone();
        pairs.push(("User-Agent".to_owned(), self.user_agent.clone()));
        let mut checked = header_pairs(&pairs).map_err(|e| match e {
            Error::InvalidRequest(m) => Error::Config(m),
            e => e,
        })?;
        let user_agent = match checked.pop() {
            Some((_, v)) => v,
            None => HeaderValue::from_static(DEFAULT_USER_AGENT),
        };
        // The connect timeout applies to a plugged-in builder too: without it a connection
        // to an address that never answers waits for the whole timeout, and the fallback
        // endpoints (tried on connect errors only) are never reached.
        let mut http = self
            .http
            .unwrap_or_default()
            .connect_timeout(self.connect_timeout);
        if self.no_proxy {
            http = http.no_proxy();
        }
        if let Some(proxy) = &self.proxy {
            let p = reqwest::Proxy::all(proxy.as_str())
                .map_err(|_| Error::Config(format!("invalid proxy URL {}", redact_url(proxy))))?;
            http = http.proxy(p);
        }
        // Redirects are never followed, on any HTTP client: a redirect must not carry
        // credentials to another origin.
        let http = http
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                base,
                fallbacks,
                timeout: self.timeout,
                retry: self.retry,
                default_headers: checked,
                user_agent,
                auth: RwLock::new(Arc::new(self.auth)),
                hook: self.hook,
                max_body_bytes: self.max_body_bytes,
                rng: AtomicU64::new(seed | 1),
            }),
        }))
    }
}

struct Inner {
    http: reqwest::Client,
    endpoint: String,
    /// The endpoint's base.
    base: Base,
    /// The bases of the endpoints to fail over to, in order.
    fallbacks: Vec<Base>,
    timeout: Duration,
    retry: RetryPolicy,
    default_headers: Vec<(HeaderName, HeaderValue)>,
    user_agent: HeaderValue,
    /// Shared, so that a request takes the credentials without copying them.
    auth: RwLock<Arc<Auth>>,
    hook: Option<Arc<Hook>>,
    max_body_bytes: u64,
    rng: AtomicU64,
}

/// The HTTP client of the generated API: cheap to clone (shared inside), safe to use from
/// many tasks.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = self.auth();
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field(
                "default_headers",
                &self
                    .inner
                    .default_headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("auth", &auth)
            .field("hook", &self.inner.hook.is_some())
            .field("max_body_bytes", &self.inner.max_body_bytes)
            .finish()
    }
}

/// A request checked and ready to be sent, possibly several times.
struct Plan {
    method: reqwest::Method,
    /// The path below the endpoint's base, starting with `/` (or empty), without query.
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: PlanBody,
    idempotent: bool,
}

enum PlanBody {
    Empty,
    Bytes {
        content_type: HeaderValue,
        data: Bytes,
    },
    Multipart(Vec<Part>),
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client of another service (IAM, for a credential provider) with this one's HTTP
    /// client (proxy, TLS, connect timeout, connection pool), timeout, retries, body limit and
    /// User-Agent, and an endpoint and credentials of its own; without the default headers,
    /// hook and fallback endpoints, which belong to this API.
    #[cfg(feature = "huawei-aksk")]
    pub(crate) fn sibling(&self, endpoint: &str, auth: Auth) -> Result<Client, Error> {
        let inner = &self.inner;
        Ok(Client {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                endpoint: endpoint.to_owned(),
                base: Base::new(endpoint)?,
                fallbacks: Vec::new(),
                timeout: inner.timeout,
                retry: inner.retry,
                default_headers: Vec::new(),
                user_agent: inner.user_agent.clone(),
                auth: RwLock::new(Arc::new(auth)),
                hook: None,
                max_body_bytes: inner.max_body_bytes,
                rng: AtomicU64::new(
                    inner
                        .rng
                        .load(std::sync::atomic::Ordering::Relaxed)
                        .rotate_left(32)
                        | 1,
                ),
            }),
        })
    }

    /// The endpoint as given.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// The timeout of each attempt (connecting, sending and reading the whole answer).
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The largest response body read whole ([`ClientBuilder::max_body_bytes`]).
    pub fn max_body_bytes(&self) -> u64 {
        self.inner.max_body_bytes
    }

    /// The reqwest client used to send (e.g. for `fetch_client_credentials_token`);
    /// it never follows redirects.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The `User-Agent` the client sends ([`ClientBuilder::user_agent`]); also on requests
    /// the runtime makes for the client itself, such as a token exchange.
    #[cfg_attr(not(feature = "client-credentials"), allow(dead_code))]
    pub(crate) fn user_agent(&self) -> &HeaderValue {
        &self.inner.user_agent
    }

    /// The current credentials.
    pub fn auth(&self) -> Auth {
        Auth::clone(&self.shared_auth())
    }

    /// The current credentials, shared with the client.
    fn shared_auth(&self) -> Arc<Auth> {
        match self.inner.auth.read() {
            Ok(a) => Arc::clone(&a),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the credentials (e.g. a refreshed access token) for all clones of this
    /// client.
    pub fn set_auth(&self, auth: Auth) {
        match self.inner.auth.write() {
            Ok(mut a) => *a = Arc::new(auth),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(auth),
        }
    }

    /// Sends `req`, retrying idempotent requests per the [`RetryPolicy`]. Any status is
    /// `Ok`: the caller reads a 2xx body, or turns another status into [`Error::Api`] with
    /// [`Response::api_error`]. Nothing is sent when the request is invalid (control
    /// characters in a header: [`Error::Validation`]; bad path or header name:
    /// [`Error::InvalidRequest`]).
    ///
    /// With the feature `tracing`, each call is a span `request` (fields `operation_id`,
    /// `method`, `path`, `attempt`, `status`, `request_id`, `duration_ms`), with events for
    /// retries and failures; no header value, body or credential is recorded.
    pub async fn execute(&self, req: Request) -> Result<Response, Error> {
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            let span = tracing::info_span!(
                "request",
                operation_id = req.operation_id,
                method = %req.method,
                path = req.path_template.unwrap_or("(not given)"),
                attempt = tracing::field::Empty,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let start = std::time::Instant::now();
            let result = self.execute_inner(req).instrument(span.clone()).await;
            span.record(
                "duration_ms",
                u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            );
            match &result {
                Ok(resp) => {
                    span.record("status", resp.status());
                    if let Some(id) = resp.request_id() {
                        span.record("request_id", id.as_str());
                    }
                }
                Err(e) => span.in_scope(|| tracing::warn!(error = %e, "request failed")),
            }
            result
        }
        #[cfg(not(feature = "tracing"))]
        self.execute_inner(req).await
    }

    async fn execute_inner(&self, req: Request) -> Result<Response, Error> {
        let plan = self.plan(req)?;
        let policy = self.inner.retry;
        let mut attempt: u32 = 0;
        // The endpoint in use: the primary, then the fallbacks on connection failures.
        let mut endpoint = 0usize;
        loop {
            #[cfg(feature = "tracing")]
            tracing::Span::current().record("attempt", attempt);
            let base = match endpoint {
                0 => &self.inner.base,
                n => &self.inner.fallbacks[n - 1],
            };
            let rq = self.attempt(&plan, base, SystemTime::now()).await?;
            // An exchanged token the API refuses (401) is dropped, so the next request
            // exchanges again instead of sending it until it would have expired.
            #[cfg(feature = "client-credentials")]
            let sent_token = match &*self.shared_auth() {
                Auth::ClientCredentials(cache) => rq
                    .headers()
                    .get(cache.header())
                    .map(|v| (Arc::clone(cache), v.clone())),
                _ => None,
            };
            let can_retry = plan.idempotent && attempt < policy.max_retries;
            match self.inner.http.execute(rq).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    #[cfg(feature = "client-credentials")]
                    if status == 401 {
                        if let Some((cache, sent)) = &sent_token {
                            cache.forget(sent).await;
                        }
                    }
                    if !(can_retry && is_retryable_status(status)) {
                        return Ok(
                            Response::new(resp).with_max_body_bytes(self.inner.max_body_bytes)
                        );
                    }
                    let delay = match retry_after(resp.headers(), SystemTime::now()) {
                        Some(d) => d.min(policy.max_backoff),
                        None => self.backoff(attempt),
                    };
                    drop(resp);
                    #[cfg(feature = "tracing")]
                    tracing::info!(
                        attempt,
                        status,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(e) if e.is_connect() && endpoint < self.inner.fallbacks.len() => {
                    // No connection, so nothing was sent: the next endpoint, at once.
                    endpoint += 1;
                    #[cfg(feature = "tracing")]
                    tracing::info!(endpoint, "connection failed; failing over");
                    continue;
                }
                Err(e) => {
                    if !(can_retry && (e.is_timeout() || e.is_connect())) {
                        return Err(Error::transport(e));
                    }
                    let delay = self.backoff(attempt);
                    #[cfg(feature = "tracing")]
                    tracing::info!(
                        attempt,
                        timeout = e.is_timeout(),
                        connect = e.is_connect(),
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
            attempt += 1;
        }
    }

    /// Builds the request exactly as [`Client::execute`] would send it now (defaults, hook,
    /// auth and signature applied), without sending it.
    pub async fn prepare(&self, req: &Request) -> Result<reqwest::Request, Error> {
        self.prepare_at(req, SystemTime::now()).await
    }

    /// Like [`Client::prepare`], signing with the time `now` (for tests and tooling).
    pub async fn prepare_at(
        &self,
        req: &Request,
        now: SystemTime,
    ) -> Result<reqwest::Request, Error> {
        let plan = self.plan(req.clone())?;
        self.attempt(&plan, &self.inner.base, now).await
    }

    /// The delay before retry number `attempt + 1`: exponential with equal jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let policy = self.inner.retry;
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        let base = policy
            .initial_backoff
            .saturating_mul(factor)
            .min(policy.max_backoff);
        let half = base / 2;
        let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = match half_nanos.checked_add(1) {
            Some(range) => self.next_random() % range,
            None => self.next_random(),
        };
        half.checked_add(Duration::from_nanos(jitter))
            .unwrap_or(base)
    }

    /// xorshift64*, seeded from the clock; good enough for jitter.
    fn next_random(&self) -> u64 {
        let step = |mut x: u64| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x
        };
        let previous = self
            .inner
            .rng
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| Some(step(x)))
            .unwrap_or(1);
        step(previous).wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Checks the request and fixes what does not change between attempts.
    fn plan(&self, req: Request) -> Result<Plan, Error> {
        check_path(&req.path)?;
        if let Some(template) = req.path_template {
            check_segments(template, &req.path)?;
        }
        let headers = header_pairs(&req.headers)?;
        let body = match req.body {
            Body::Empty => PlanBody::Empty,
            Body::Multipart(parts) => PlanBody::Multipart(parts),
            other => {
                let content_type = other.content_type().unwrap_or("application/octet-stream");
                let content_type = HeaderValue::from_str(content_type).map_err(|_| {
                    Error::InvalidRequest(format!(
                        "the body's content type {content_type:?} is not a valid header value"
                    ))
                })?;
                let data = match other {
                    Body::Json(v) | Body::Form(v) => Bytes::from(v),
                    Body::Bytes { data, .. } => data,
                    Body::Text { data, .. } => Bytes::from(data),
                    Body::Empty | Body::Multipart(_) => Bytes::new(),
                };
                PlanBody::Bytes { content_type, data }
            }
        };
        let path = if req.path.starts_with('/') || req.path.is_empty() {
            req.path
        } else {
            format!("/{}", req.path)
        };
        Ok(Plan {
            method: req.method,
            path,
            query: req.query,
            headers,
            body,
            idempotent: req.idempotent,
        })
    }

    /// Builds one attempt: URL, headers, body, hook, auth.
    async fn attempt(
        &self,
        plan: &Plan,
        base: &Base,
        now: SystemTime,
    ) -> Result<reqwest::Request, Error> {
        let shared = self.shared_auth();
        // Credentials that a cache resolves for this attempt; the others are used in place.
        let resolved = match &*shared {
            #[cfg(feature = "client-credentials")]
            Auth::ClientCredentials(cache) => {
                let (header, value) = cache.current(self, &base.text).await?;
                Some(Auth::ApiKey { header, value })
            }
            #[cfg(feature = "huawei-aksk")]
            Auth::Provider(cache) => Some(Auth::AkSk(cache.current_for(self).await?)),
            _ => None,
        };
        let auth = resolved.as_ref().unwrap_or(&shared);
        // The endpoint was parsed once; only the path and query are set (and parsed) here.
        let mut url = base.url.clone();
        let mut path = String::with_capacity(base.path.len() + plan.path.len());
        path.push_str(&base.path);
        path.push_str(&plan.path);
        url.set_path(&path);
        if !plan.query.is_empty() {
            // A signed request sends the query sorted, as the signature covers it.
            #[cfg(feature = "huawei-aksk")]
            let query = if matches!(auth, Auth::AkSk(_)) {
                signing::canonical_query(&plan.query)
            } else {
                encode_query(&plan.query)
            };
            #[cfg(not(feature = "huawei-aksk"))]
            let query = encode_query(&plan.query);
            url.set_query(Some(&query));
        }

        let mut builder = self.inner.http.request(plan.method.clone(), url);
        let mut body_content_type = None;
        match &plan.body {
            PlanBody::Empty => {}
            PlanBody::Bytes { content_type, data } => {
                body_content_type = Some(content_type.clone());
                builder = builder.body(data.clone());
            }
            PlanBody::Multipart(parts) => {
                builder = builder.multipart(multipart_form(parts).await?);
            }
        }
        let mut rq = builder
            .build()
            .map_err(|e| Error::InvalidRequest(format!("cannot build the request: {e}")))?;
        *rq.timeout_mut() = Some(self.inner.timeout);

        let multipart = matches!(plan.body, PlanBody::Multipart(_));
        let headers = rq.headers_mut();
        for (name, value) in &plan.headers {
            // The multipart content type carries the boundary: keep it.
            if multipart && name == reqwest::header::CONTENT_TYPE {
                continue;
            }
            headers.append(name.clone(), value.clone());
        }
        if let Some(ct) = body_content_type {
            if !headers.contains_key(reqwest::header::CONTENT_TYPE) {
                headers.insert(reqwest::header::CONTENT_TYPE, ct);
            }
        }
        if !self.inner.default_headers.is_empty() {
            let present: HashSet<HeaderName> = headers.keys().cloned().collect();
            for (name, value) in &self.inner.default_headers {
                if !present.contains(name) {
                    headers.append(name.clone(), value.clone());
                }
            }
        }
        if !headers.contains_key(reqwest::header::USER_AGENT) {
            headers.insert(reqwest::header::USER_AGENT, self.inner.user_agent.clone());
        }

        if let Some(hook) = &self.inner.hook {
            hook(&mut rq);
        }
        apply_auth(&mut rq, auth, now)?;
        Ok(rq)
    }
}

/// A header value holding a credential: never logged by `Debug`, not indexed by HPACK.
fn secret_value(value: impl Into<String>, what: &str) -> Result<HeaderValue, Error> {
    let mut v = plain_value(value, what)?;
    v.set_sensitive(true);
    Ok(v)
}

/// A header value from text; from a `String` it takes over the buffer instead of copying it.
fn plain_value(value: impl Into<String>, what: &str) -> Result<HeaderValue, Error> {
    HeaderValue::try_from(value.into())
        .map_err(|_| Error::InvalidRequest(format!("the {what} is not a valid header value")))
}

/// Adds the credentials to a request built for sending; for access key signing, the
/// signing headers and the `Authorization` computed over the final request.
fn apply_auth(rq: &mut reqwest::Request, auth: &Auth, now: SystemTime) -> Result<(), Error> {
    #[cfg(not(feature = "huawei-aksk"))]
    let _ = now;
    match auth {
        Auth::None => Ok(()),
        Auth::ApiKey { header, value } => {
            let v = secret_value(value.expose(), "API key")?;
            rq.headers_mut().insert(header.clone(), v);
            Ok(())
        }
        Auth::Bearer(token) => {
            let v = secret_value(format!("Bearer {}", token.expose()), "bearer token")?;
            rq.headers_mut().insert(reqwest::header::AUTHORIZATION, v);
            Ok(())
        }
        #[cfg(feature = "huawei-aksk")]
        Auth::Provider(_) => Err(Error::Credentials(
            "the provider's credentials were not resolved".to_owned(),
        )),
        #[cfg(feature = "client-credentials")]
        Auth::ClientCredentials(_) => Err(Error::Credentials(
            "the client-credentials token was not fetched".to_owned(),
        )),
        #[cfg(feature = "huawei-aksk")]
        Auth::AkSk(creds) => {
            let date = signing::sdk_date(now);
            let host = match (rq.url().host_str(), rq.url().port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_owned(),
                (None, _) => {
                    return Err(Error::InvalidRequest(
                        "the request URL has no host".to_owned(),
                    ))
                }
            };
            let streamed = rq.body().is_some_and(|b| b.as_bytes().is_none());
            let headers = rq.headers_mut();
            headers.insert("x-sdk-date", plain_value(date.as_str(), "date")?);
            headers.insert(reqwest::header::HOST, plain_value(host, "host")?);
            if let Some(domain) = &creds.domain_id {
                headers.insert("x-domain-id", plain_value(domain.as_str(), "domain id")?);
            }
            if let Some(token) = &creds.security_token {
                headers.insert(
                    "x-security-token",
                    secret_value(token.expose(), "security token")?,
                );
            }
            let not_json = headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| !ct.to_ascii_lowercase().contains("application/json"));
            if (not_json || streamed) && !headers.contains_key("x-sdk-content-sha256") {
                headers.insert(
                    "x-sdk-content-sha256",
                    HeaderValue::from_static(signing::UNSIGNED_PAYLOAD),
                );
            }
            let pairs: Vec<(&str, std::borrow::Cow<'_, str>)> = rq
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v.as_bytes())))
                .collect();
            let body = rq.body().and_then(|b| b.as_bytes());
            let signed = signing::sign_parts(
                rq.method().as_str(),
                rq.url(),
                &pairs,
                body,
                &creds.access_key,
                creds.secret_key.expose(),
                &date,
            );
            let v = secret_value(signed.authorization, "signature")?;
            rq.headers_mut().insert(reqwest::header::AUTHORIZATION, v);
            Ok(())
        }
    }
}

/// Builds the multipart form, opening file parts (streamed, with their length).
async fn multipart_form(parts: &[Part]) -> Result<reqwest::multipart::Form, Error> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        let (mut p, default_name) = match &part.data {
            PartData::Bytes(b) => (
                reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::from(b.clone()),
                    b.len() as u64,
                ),
                None,
            ),
            PartData::Text(t) => (reqwest::multipart::Part::text(t.clone()), None),
            PartData::File(path) => {
                let file = tokio::fs::File::open(path).await.map_err(|e| {
                    Error::InvalidRequest(format!("cannot open {}: {e}", path.display()))
                })?;
                let len = file
                    .metadata()
                    .await
                    .map_err(|e| {
                        Error::InvalidRequest(format!("cannot read {}: {e}", path.display()))
                    })?
                    .len();
                let stream = tokio_util::io::ReaderStream::new(file);
                (
                    reqwest::multipart::Part::stream_with_length(
                        reqwest::Body::wrap_stream(stream),
                        len,
                    ),
                    path.file_name().map(|n| n.to_string_lossy().into_owned()),
                )
            }
        };
        if let Some(name) = part.filename.clone().or(default_name) {
            p = p.file_name(name);
        }
        if let Some(ct) = &part.content_type {
            p = p.mime_str(ct).map_err(|_| {
                Error::InvalidRequest(format!("part {:?}: invalid content type {ct:?}", part.name))
            })?;
        }
        form = form.part(part.name.clone(), p);
    }
    Ok(form)
}

/// The endpoint of the region `name` among `known` (a generated module's
/// `servers::ALL`: `(name, url)` pairs). Names match without regard to case, `-` and `_`
/// (`cn-south-1` finds `CN_SOUTH_1`); an unknown name is [`Error::Config`] listing the known
/// ones.
pub fn endpoint_for_region<'a>(known: &[(&str, &'a str)], name: &str) -> Result<&'a str, Error> {
    let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
    region_index(&names, name).map(|i| known[i].1)
}

/// The position of the region `name` among `names`, matched without regard to case, `-` and
/// `_`; an unknown name is [`Error::Config`] listing the known ones (its own text
/// escaped). [`endpoint_for_region`] and the generated `Region::from_name` both use it.
pub fn region_index(names: &[&str], name: &str) -> Result<usize, Error> {
    let norm = |s: &str| s.trim().replace('-', "_").to_ascii_uppercase();
    let wanted = norm(name);
    names.iter().position(|n| norm(n) == wanted).ok_or_else(|| {
        Error::Config(format!(
            "unknown region {:?}; known: {}",
            super::error::escape_control(name),
            names.join(", ")
        ))
    })
}

/// An endpoint, parsed and checked once when the client is built.
struct Base {
    /// `scheme://host[:port]` plus the base path without a trailing `/` (token URLs of
    /// client credentials are resolved against it).
    #[cfg_attr(not(feature = "client-credentials"), allow(dead_code))]
    text: String,
    /// The same, parsed; each request sets its path and query on a copy.
    url: url::Url,
    /// The base path without a trailing `/` (`""` or `/v1`).
    path: String,
}

impl Base {
    /// Parses and checks an endpoint: `http` or `https`, a host, no credentials, query or
    /// fragment.
    fn new(endpoint: &str) -> Result<Self, Error> {
        let url = url::Url::parse(endpoint.trim())
            .map_err(|e| Error::Config(format!("invalid endpoint {endpoint:?}: {e}")))?;
        if url.scheme() != "https" && url.scheme() != "http" {
            return Err(Error::Config(format!(
                "invalid endpoint {endpoint:?}: the scheme must be https or http"
            )));
        }
        let Some(host) = url.host_str() else {
            return Err(Error::Config(format!(
                "invalid endpoint {endpoint:?}: no host"
            )));
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::Config(
                "invalid endpoint: credentials in the URL are not supported".to_owned(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Config(format!(
                "invalid endpoint {endpoint:?}: no query or fragment allowed"
            )));
        }
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let path = url.path().trim_end_matches('/').to_owned();
        Ok(Base {
            text: format!("{}://{host}{port}{path}", url.scheme()),
            url,
            path,
        })
    }
}

/// Refuses paths that would not reach the intended resource: `?`, `#` or `\` (the caller
/// must encode them) and `.`/`..` segments (URL parsing would resolve them).
fn check_path(path: &str) -> Result<(), Error> {
    if path.contains(['?', '#', '\\']) {
        return Err(Error::InvalidRequest(format!(
            "the path {path:?} contains an unencoded '?', '#' or '\\'"
        )));
    }
    let dots = |s: &str| s == "." || s == "..";
    for segment in path.split('/') {
        // Only an escape can hide a dot segment, and "%2e%2e" is the longest that decodes
        // to one: other segments are compared as they are, without decoding.
        let is_dots = if segment.contains('%') {
            segment.len() <= "%2e%2e".len()
                && dots(&percent_decode_str(segment).decode_utf8_lossy())
        } else {
            dots(segment)
        };
        if is_dots {
            return Err(Error::InvalidRequest(format!(
                "the path {path:?} has a {segment:?} segment; a path parameter cannot be \".\" or \"..\""
            )));
        }
    }
    Ok(())
}

/// Refuses a path where a segment of the `template` that holds a parameter came out empty
/// (`/cases/{id}` as `/cases/`, which may be another operation's route): a
/// [`Error::Validation`] for each, at `path.<name>`, rule `minLength 1`. Whatever the
/// parameter's type (an empty array, a `null`, an empty value of an open enum), a path
/// segment it fills has at least one character.
fn check_segments(template: &str, path: &str) -> Result<(), Error> {
    let mut violations = Vec::new();
    let (mut written, mut sent) = (template.split('/'), path.split('/'));
    loop {
        match (written.next(), sent.next()) {
            (Some(w), Some("")) if w.contains('{') => {
                let name = w.split('{').nth(1).and_then(|n| n.split('}').next());
                violations.push(Violation {
                    path: format!("path.{}", name.unwrap_or(w)),
                    rule: Rule::MinLength(1),
                    value: "length 0".to_owned(),
                });
            }
            (Some(_), Some(_)) => {}
            // Segments that do not line up: the path was not made from the template.
            _ => break,
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(ValidationErrors(violations)))
    }
}

/// Checks header pairs: control characters are [`Error::Validation`] (path
/// `header.<Name>`, every offending header reported); an invalid name is
/// [`Error::InvalidRequest`].
fn header_pairs(pairs: &[(String, String)]) -> Result<Vec<(HeaderName, HeaderValue)>, Error> {
    let mut violations: Vec<Violation> = Vec::new();
    let headers = Path::Text("header");
    for (name, value) in pairs {
        let path = headers.field(name);
        check_control_characters(&path, name, &mut violations);
        check_control_characters(&path, value, &mut violations);
    }
    if !violations.is_empty() {
        return Err(Error::Validation(ValidationErrors(violations)));
    }
    pairs
        .iter()
        .map(|(name, value)| {
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!("{name:?} is not a valid header name"))
            })?;
            let v = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!("the value of header {name} is not valid"))
            })?;
            Ok((n, v))
        })
        .collect()
}

/// The delay asked by a `Retry-After` header: seconds, or an HTTP date (IMF-fixdate).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let m: u64 = hms.next()?.parse().ok()?;
    let sec: u64 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT"
        || !(1970..=9999).contains(&year)
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || sec > 60
    {
        return None;
    }
    let days = super::date::days_from_civil(year, month, day);
    let days = u64::try_from(days).ok()?;
    let secs = days
        .checked_mul(86_400)?
        .checked_add(h * 3600 + m * 60 + sec)?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}
