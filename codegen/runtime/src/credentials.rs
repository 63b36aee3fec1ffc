//! Where access key credentials come from (feature `huawei-aksk`), found the way the
//! official Huawei Cloud SDK finds them for a global service such as OSM: the environment
//! ([`EnvProvider`]), the profile file ([`ProfileProvider`]), the ECS metadata service
//! ([`MetadataProvider`]), tried in that order by [`ChainProvider`]. [`CredentialCache`]
//! keeps what a provider gave and refreshes temporary credentials before they expire;
//! [`super::auth::Auth::provider`] makes a client sign every request with them.
//!
//! No error of this module holds a secret key or a security token.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::auth::{AkSkCredentials, Secret};
use super::error::Error;

/// The environment variable of the access key.
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// The environment variable of the secret key.
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// The environment variable of the account (domain) id.
pub const ENV_DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
/// The environment variable of the security token of temporary credentials.
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// The environment variable naming the profile file.
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// The default base URL of the ECS metadata service.
pub const DEFAULT_METADATA_URL: &str = "http://169.254.169.254";
/// The timeout of each request to the metadata service.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(3);
/// How long before `expires_at` temporary credentials are refreshed by default.
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(300);

/// Credentials from a provider, with their expiry when they are temporary.
#[derive(Clone, Debug)]
pub struct ProvidedCredentials {
    /// The credentials.
    pub credentials: AkSkCredentials,
    /// When they stop working (`None`: permanent).
    pub expires_at: Option<SystemTime>,
}

/// The future a [`CredentialProvider`] returns.
pub type CredentialFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ProvidedCredentials, Error>> + Send + 'a>>;

/// A source of access key credentials. A provider that has none to give answers
/// [`Error::Credentials`] saying what it looked for and what was missing (never a secret).
pub trait CredentialProvider: Send + Sync + fmt::Debug {
    /// Looks the credentials up (every call looks again; [`CredentialCache`] caches).
    fn credentials(&self) -> CredentialFuture<'_>;

    /// Looks the credentials up for the requests of `client`. A provider that asks another
    /// service (such as [`DiscoverDomainId`]) asks it with the client's HTTP settings: its
    /// proxy, TLS and connection settings, timeouts, retries and User-Agent. A wrapper passes
    /// `client` on. By default, [`CredentialProvider::credentials`].
    fn credentials_for<'a>(&'a self, client: &'a super::client::Client) -> CredentialFuture<'a> {
        let _ = client;
        self.credentials()
    }
}

/// `provider`'s credentials, for the requests of `client` when there is one
/// ([`CredentialProvider::credentials_for`]), else on their own.
fn look_up<'a>(
    provider: &'a dyn CredentialProvider,
    client: Option<&'a super::client::Client>,
) -> CredentialFuture<'a> {
    match client {
        Some(client) => provider.credentials_for(client),
        None => provider.credentials(),
    }
}

fn missing(message: String) -> Error {
    Error::Credentials(message)
}

/// Credentials from `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_DOMAIN_ID`
/// and `HUAWEICLOUD_SDK_SECURITY_TOKEN`, read from the process environment
/// ([`EnvProvider::new`]) or from a map ([`EnvProvider::from_vars`]). Empty values count as
/// unset.
#[derive(Clone, Default)]
pub struct EnvProvider {
    vars: Option<HashMap<String, String>>,
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = if self.vars.is_some() {
            "map"
        } else {
            "process"
        };
        f.debug_struct("EnvProvider")
            .field("source", &source)
            .finish()
    }
}

impl EnvProvider {
    /// Reads the process environment at each lookup.
    pub fn new() -> Self {
        EnvProvider { vars: None }
    }

    /// Reads `vars` instead of the process environment.
    pub fn from_vars(vars: HashMap<String, String>) -> Self {
        EnvProvider { vars: Some(vars) }
    }

    fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            Some(vars) => vars.get(name).cloned(),
            None => std::env::var(name).ok(),
        }?;
        let value = value.trim().to_owned();
        (!value.is_empty()).then_some(value)
    }

    fn lookup(&self) -> Result<ProvidedCredentials, Error> {
        let ak = self.get(ENV_AK);
        let sk = self.get(ENV_SK);
        let (Some(ak), Some(sk)) = (ak.as_ref(), sk) else {
            let mut absent = Vec::new();
            if ak.is_none() {
                absent.push(ENV_AK);
            }
            if self.get(ENV_SK).is_none() {
                absent.push(ENV_SK);
            }
            return Err(missing(format!(
                "environment: {} not set",
                absent.join(" and ")
            )));
        };
        let mut creds = AkSkCredentials::new(ak.clone(), Secret::new(sk));
        creds.domain_id = self.get(ENV_DOMAIN_ID);
        creds.security_token = self.get(ENV_SECURITY_TOKEN).map(Secret::new);
        Ok(ProvidedCredentials {
            credentials: creds,
            expires_at: None,
        })
    }
}

impl CredentialProvider for EnvProvider {
    fn credentials(&self) -> CredentialFuture<'_> {
        Box::pin(async move { self.lookup() })
    }
}

/// Credentials from the profile file: `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else
/// `~/.huaweicloud/credentials`; an INI file whose section `global` (the one of global
/// services such as OSM; [`ProfileProvider::section`] picks another) holds `ak`, `sk` and
/// optionally `domain_id` and `security_token`.
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    path: Option<PathBuf>,
    section: String,
}

impl Default for ProfileProvider {
    fn default() -> Self {
        ProfileProvider::new()
    }
}

impl ProfileProvider {
    /// The file named by the process environment.
    pub fn new() -> Self {
        ProfileProvider::from_env_source(|name| std::env::var(name).ok())
    }

    /// The file named by `vars` (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `HOME` or
    /// `USERPROFILE` + `.huaweicloud/credentials`).
    pub fn from_vars(vars: &HashMap<String, String>) -> Self {
        ProfileProvider::from_env_source(|name| vars.get(name).cloned())
    }

    fn from_env_source(get: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let path = match non_empty(ENV_CREDENTIALS_FILE) {
            Some(p) => Some(PathBuf::from(p)),
            None => non_empty("HOME")
                .or_else(|| non_empty("USERPROFILE"))
                .map(|home| PathBuf::from(home).join(".huaweicloud").join("credentials")),
        };
        ProfileProvider {
            path,
            section: "global".to_owned(),
        }
    }

    /// This file.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        ProfileProvider {
            path: Some(path.into()),
            section: "global".to_owned(),
        }
    }

    /// Reads the section `name` instead of `global` (`basic` for regional services).
    pub fn section(mut self, name: impl Into<String>) -> Self {
        self.section = name.into();
        self
    }

    async fn lookup(&self) -> Result<ProvidedCredentials, Error> {
        let Some(path) = &self.path else {
            return Err(missing(format!(
                "profile file: {ENV_CREDENTIALS_FILE} and HOME not set"
            )));
        };
        let shown = path.display();
        let text = match read_profile_file(path).await {
            Ok(Some(t)) => t,
            Ok(None) => {
                return Err(missing(format!(
                    "profile file {shown}: larger than {PROFILE_FILE_BYTES} bytes"
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(missing(format!("profile file {shown}: not found")))
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
                return Err(missing(format!("profile file {shown}: not a regular file")))
            }
            Err(e) => return Err(missing(format!("profile file {shown}: cannot read: {e}"))),
        };
        let sections = parse_ini(&text);
        let Some(section) = sections.get(&self.section) else {
            return Err(missing(format!(
                "profile file {shown}: no [{}] section",
                self.section
            )));
        };
        let get = |key: &str| section.get(key).filter(|v| !v.is_empty()).cloned();
        let (ak, sk) = (get("ak"), get("sk"));
        let (Some(ak), Some(sk)) = (ak.clone(), sk.clone()) else {
            let absent: Vec<&str> = [("ak", ak.is_none()), ("sk", sk.is_none())]
                .iter()
                .filter(|(_, a)| *a)
                .map(|(k, _)| *k)
                .collect();
            return Err(missing(format!(
                "profile file {shown}: [{}] has no {}",
                self.section,
                absent.join(" and ")
            )));
        };
        let mut creds = AkSkCredentials::new(ak, Secret::new(sk));
        creds.domain_id = get("domain_id");
        creds.security_token = get("security_token").map(Secret::new);
        Ok(ProvidedCredentials {
            credentials: creds,
            expires_at: None,
        })
    }
}

impl CredentialProvider for ProfileProvider {
    fn credentials(&self) -> CredentialFuture<'_> {
        Box::pin(self.lookup())
    }
}

/// A minimal INI reader: `[section]` headers, `key = value` lines (the first `=` splits;
/// key and value trimmed; a value in matching quotes loses them), `#` and `;` comment
/// lines. Keys outside any section are dropped; a later key replaces an earlier one.
/// (Hand-written: the profile file needs no more, and no dependency is added for it.)
pub fn parse_ini(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_owned();
            sections.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        let (Some(section), Some((key, value))) = (&current, line.split_once('=')) else {
            continue;
        };
        let mut value = value.trim();
        for q in ['"', '\''] {
            if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
                value = &value[1..value.len() - 1];
            }
        }
        sections
            .entry(section.clone())
            .or_default()
            .insert(key.trim().to_owned(), value.to_owned());
    }
    sections
}

/// Temporary credentials of the ECS instance's agency from the metadata service: an
/// optional session token (`PUT {base}/meta-data/latest/api/token`, header
/// `X-Metadata-Token-Ttl-Seconds: 21600`; 404, 405 or 503 mean tokens are not in use),
/// then `GET {base}/openstack/latest/securitykey` (with `X-Metadata-Token` when there is a
/// token), each with a 3 s timeout. Proxies are not used for it (the service is
/// link-local).
#[derive(Clone, Debug)]
pub struct MetadataProvider {
    base: String,
    timeout: Duration,
}

impl Default for MetadataProvider {
    fn default() -> Self {
        MetadataProvider::new()
    }
}

impl MetadataProvider {
    /// The service at `http://169.254.169.254`.
    pub fn new() -> Self {
        MetadataProvider::with_base_url(DEFAULT_METADATA_URL)
    }

    /// The service at `base` (for tests and proxies of the service).
    pub fn with_base_url(base: impl Into<String>) -> Self {
        MetadataProvider {
            base: base.into().trim_end_matches('/').to_owned(),
            timeout: METADATA_TIMEOUT,
        }
    }

    /// The timeout of each request (default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn lookup(&self) -> Result<ProvidedCredentials, Error> {
        let base = &self.base;
        let fail = |what: String| missing(format!("ECS metadata at {base}: {what}"));
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| fail(format!("cannot build the HTTP client: {e}")))?;
        let token = match http
            .put(format!("{base}/meta-data/latest/api/token"))
            .header("X-Metadata-Token-Ttl-Seconds", "21600")
            .send()
            .await
        {
            Ok(resp) => match resp.status().as_u16() {
                200..=299 => {
                    let body = read_limited(resp)
                        .await
                        .map_err(|e| fail(format!("cannot read the session token: {e}")))?;
                    let text = String::from_utf8_lossy(&body).trim().to_owned();
                    (!text.is_empty()).then_some(text)
                }
                404 | 405 | 503 => None,
                status => return Err(fail(format!("the session token request got HTTP {status}"))),
            },
            Err(e) => return Err(fail(format!("unreachable: {}", error_chain(&e)))),
        };
        let mut rq = http.get(format!("{base}/openstack/latest/securitykey"));
        if let Some(token) = &token {
            rq = rq.header("X-Metadata-Token", token);
        }
        let resp = rq
            .send()
            .await
            .map_err(|e| fail(format!("unreachable: {}", error_chain(&e))))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(fail(format!("the security key request got HTTP {status}")));
        }
        let body = read_limited(resp)
            .await
            .map_err(|e| fail(format!("cannot read the security key: {e}")))?;
        // serde_json's messages hold positions, never the text.
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| fail(format!("the security key is not JSON: {e}")))?;
        let credential = value.get("credential");
        let field = |name: &str| {
            credential
                .and_then(|c| c.get(name))
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (Some(access), Some(secret)) = (field("access"), field("secret")) else {
            return Err(fail(
                "the answer has no credential.access or credential.secret".to_owned(),
            ));
        };
        let expires_at = match field("expires_at") {
            Some(at) => Some(parse_rfc3339(&at).ok_or_else(|| {
                let shown = super::error::bounded(&at, 64);
                fail(format!("expires_at {shown:?} is not a date"))
            })?),
            None => None,
        };
        let mut creds = AkSkCredentials::new(access, Secret::new(secret));
        creds.security_token = field("securitytoken").map(Secret::new);
        Ok(ProvidedCredentials {
            credentials: creds,
            expires_at,
        })
    }
}

impl CredentialProvider for MetadataProvider {
    fn credentials(&self) -> CredentialFuture<'_> {
        Box::pin(self.lookup())
    }
}

/// The largest profile file read: a credentials file of a few profiles takes a few KiB.
const PROFILE_FILE_BYTES: u64 = 1 << 20;

/// The text of the profile file at `path`, `None` when it holds more than
/// [`PROFILE_FILE_BYTES`] (read through that limit, so a file growing meanwhile is no
/// different). Not a regular file is `InvalidInput`, found before opening: opening a FIFO
/// waits for a writer, and a device may never end.
async fn read_profile_file(path: &std::path::Path) -> std::io::Result<Option<String>> {
    use tokio::io::AsyncReadExt;
    if !tokio::fs::metadata(path).await?.is_file() {
        return Err(std::io::ErrorKind::InvalidInput.into());
    }
    let mut text = String::new();
    tokio::fs::File::open(path)
        .await?
        .take(PROFILE_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .await?;
    Ok((text.len() as u64 <= PROFILE_FILE_BYTES).then_some(text))
}

/// The most the metadata service's answers may hold: a session token and a JSON object of
/// three keys and a date take a few KiB.
const METADATA_BODY_BYTES: u64 = 64 * 1024;

/// The body of a metadata answer, refused beyond [`METADATA_BODY_BYTES`]: read as every
/// response body is ([`super::response::Response::bytes`], a declared length refused before
/// reading, a body without end stopped at the limit).
async fn read_limited(resp: reqwest::Response) -> Result<bytes::Bytes, String> {
    super::response::Response::new(resp)
        .with_max_body_bytes(METADATA_BODY_BYTES)
        .bytes()
        .await
        .map_err(|e| match e {
            Error::BodyTooLarge { .. } => {
                format!("the answer exceeds {METADATA_BODY_BYTES} bytes")
            }
            other => other.to_string(),
        })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

/// Parses an RFC 3339 / ISO 8601 date-time such as `2020-01-08T02:53:07.818000Z`
/// (`Z`, an offset `+08:00`, or none for UTC; fractions of seconds dropped). `None` for
/// anything else, a field out of its range included (month 1 to 12, a day of that month,
/// hour 0 to 23, minute 0 to 59, second 0 to 60, an offset of at most `23:59`), and for a
/// time before 1970 or too far ahead to be a `SystemTime`; never a panic or a wrap, whatever
/// the server sends.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    /// A field of ASCII digits only (no sign, no space), of 1 to `max_len` of them.
    fn number(text: &str, max_len: usize) -> Option<i64> {
        if text.is_empty() || text.len() > max_len || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }
    let s = s.trim();
    let (date, rest) = s.split_at_checked(10)?;
    let mut d = date.split('-');
    let year = number(d.next()?, 4)?;
    let month = number(d.next()?, 2)?;
    let day = number(d.next()?, 2)?;
    if d.next().is_some() {
        return None;
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (hms, mut tail) = rest.split_at_checked(8)?;
    let mut t = hms.split(':');
    let h = number(t.next()?, 2)?;
    let m = number(t.next()?, 2)?;
    let sec = number(t.next()?, 2)?;
    if t.next().is_some() {
        return None;
    }
    if let Some(frac) = tail.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        tail = &frac[digits..];
    }
    let offset: i64 = match tail {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = tail[1..].split_once(':')?;
            let (oh, om) = (number(oh, 2)?, number(om, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=month_days).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    // In range, each field is small; the sum is checked all the same.
    let days =
        super::date::days_from_civil(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?);
    let secs = days
        .checked_mul(86_400)?
        .checked_add(h * 3600 + m * 60 + sec)?
        .checked_sub(offset)?;
    UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Tries providers in order; the first that yields wins. When none does, the error says
/// which sources were tried and what each missed.
#[derive(Clone, Debug)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn CredentialProvider>>,
}

impl Default for ChainProvider {
    /// The SDK's order: environment, profile file, ECS metadata.
    fn default() -> Self {
        ChainProvider::new(vec![
            Arc::new(EnvProvider::new()),
            Arc::new(ProfileProvider::new()),
            Arc::new(MetadataProvider::new()),
        ])
    }
}

impl ChainProvider {
    /// These providers, in this order.
    pub fn new(providers: Vec<Arc<dyn CredentialProvider>>) -> Self {
        ChainProvider { providers }
    }
}

impl CredentialProvider for ChainProvider {
    fn credentials(&self) -> CredentialFuture<'_> {
        Box::pin(self.lookup(None))
    }

    fn credentials_for<'a>(&'a self, client: &'a super::client::Client) -> CredentialFuture<'a> {
        Box::pin(self.lookup(Some(client)))
    }
}

impl ChainProvider {
    async fn lookup(
        &self,
        client: Option<&super::client::Client>,
    ) -> Result<ProvidedCredentials, Error> {
        let mut tried = Vec::new();
        for p in &self.providers {
            let found = look_up(p.as_ref(), client).await;
            match found {
                Ok(c) => {
                    #[cfg(feature = "tracing")]
                    tracing::debug!(source = ?p, "credentials resolved");
                    return Ok(c);
                }
                Err(Error::Credentials(m)) => tried.push(m),
                Err(e) => tried.push(e.to_string()),
            }
        }
        Err(missing(format!(
            "no credentials found; tried {}",
            tried.join("; ")
        )))
    }
}

/// A provider's credentials, kept until `refresh_before` (default 5 minutes) before they
/// expire. Requests go on with the kept credentials while they are valid; one refresh at a
/// time runs (others waiting only when the kept ones have expired); a failed refresh of
/// still valid credentials keeps them.
pub struct CredentialCache {
    provider: Arc<dyn CredentialProvider>,
    cached: tokio::sync::RwLock<Option<ProvidedCredentials>>,
    refresh: tokio::sync::Mutex<()>,
    refresh_before: Duration,
}

impl fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialCache")
            .field("provider", &self.provider)
            .field("refresh_before", &self.refresh_before)
            .finish()
    }
}

enum Freshness {
    Fresh,
    Stale,
    Expired,
}

impl CredentialCache {
    /// Caches `provider`'s credentials.
    pub fn new(provider: Arc<dyn CredentialProvider>) -> Self {
        CredentialCache {
            provider,
            cached: tokio::sync::RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            refresh_before: DEFAULT_REFRESH_BEFORE,
        }
    }

    /// Refreshes this long before expiry (default 5 minutes).
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }

    fn freshness(&self, c: &ProvidedCredentials, now: SystemTime) -> Freshness {
        match c.expires_at {
            None => Freshness::Fresh,
            Some(at) if now >= at => Freshness::Expired,
            Some(at) if now + self.refresh_before < at => Freshness::Fresh,
            Some(_) => Freshness::Stale,
        }
    }

    /// The credentials to sign with now.
    pub async fn current(&self) -> Result<AkSkCredentials, Error> {
        self.current_with(None).await
    }

    /// The credentials to sign the requests of `client` with now: a refresh looks them up
    /// with [`CredentialProvider::credentials_for`].
    pub async fn current_for(
        &self,
        client: &super::client::Client,
    ) -> Result<AkSkCredentials, Error> {
        self.current_with(Some(client)).await
    }

    async fn current_with(
        &self,
        client: Option<&super::client::Client>,
    ) -> Result<AkSkCredentials, Error> {
        let kept = self.cached.read().await.clone();
        if let Some(c) = kept {
            match self.freshness(&c, SystemTime::now()) {
                Freshness::Fresh => return Ok(c.credentials),
                Freshness::Stale => {
                    // Someone else refreshing: go on with the valid ones.
                    let Ok(_guard) = self.refresh.try_lock() else {
                        return Ok(c.credentials);
                    };
                    return match self.refresh_locked(client).await {
                        Ok(fresh) => Ok(fresh),
                        Err(_e) => {
                            #[cfg(feature = "tracing")]
                            tracing::warn!(error = %_e, "credential refresh failed; the current ones are still valid");
                            Ok(c.credentials)
                        }
                    };
                }
                Freshness::Expired => {}
            }
        }
        let _guard = self.refresh.lock().await;
        self.refresh_locked(client).await
    }

    /// Refreshes unless another task just did; the refresh lock is held.
    async fn refresh_locked(
        &self,
        client: Option<&super::client::Client>,
    ) -> Result<AkSkCredentials, Error> {
        if let Some(c) = self.cached.read().await.clone() {
            if matches!(self.freshness(&c, SystemTime::now()), Freshness::Fresh) {
                return Ok(c.credentials);
            }
        }
        #[cfg(feature = "tracing")]
        tracing::debug!(provider = ?self.provider, "fetching credentials");
        let fresh = look_up(self.provider.as_ref(), client).await?;
        #[cfg(feature = "tracing")]
        tracing::debug!(access_key = %fresh.credentials.access_key, temporary = fresh.expires_at.is_some(), "credentials refreshed");
        let creds = fresh.credentials.clone();
        *self.cached.write().await = Some(fresh);
        Ok(creds)
    }
}

/// The environment variable of the IAM endpoint used for domain id discovery.
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// The environment variable of the STS endpoint used for domain id discovery.
pub const ENV_STS_ENDPOINT: &str = "HUAWEICLOUD_SDK_STS_ENDPOINT";
/// The default IAM endpoint.
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";
/// The default STS endpoint.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.cn-north-4.myhuaweicloud.com";

/// Fills in the domain (account) id of credentials that have none, as the SDK does for
/// global services: a signed `GET {iam}/v3/auth/domains` gives `domains[0].id`; when the
/// list is empty, `GET {sts}/v5/caller-identity` gives `account_id`. The id is kept per
/// access key, so each key is looked up once. Used by a client (through [`Auth::provider`](super::Auth::provider)),
/// it asks with the client's HTTP settings: proxy, TLS, timeouts, retries and User-Agent
/// ([`CredentialProvider::credentials_for`]); asked alone, with a client of its own (10 s
/// timeout, the environment's proxy).
pub struct DiscoverDomainId {
    inner: Arc<dyn CredentialProvider>,
    iam: String,
    sts: String,
    found: std::sync::Mutex<HashMap<String, String>>,
}

impl fmt::Debug for DiscoverDomainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscoverDomainId")
            .field("inner", &self.inner)
            .field("iam", &self.iam)
            .field("sts", &self.sts)
            .finish()
    }
}

impl DiscoverDomainId {
    /// Wraps `inner`; the endpoints from `HUAWEICLOUD_SDK_IAM_ENDPOINT` and
    /// `HUAWEICLOUD_SDK_STS_ENDPOINT`, else the defaults.
    pub fn new(inner: Arc<dyn CredentialProvider>) -> Self {
        let env = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        DiscoverDomainId {
            inner,
            iam: env(ENV_IAM_ENDPOINT, DEFAULT_IAM_ENDPOINT),
            sts: env(ENV_STS_ENDPOINT, DEFAULT_STS_ENDPOINT),
            found: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The IAM endpoint to ask.
    pub fn iam_endpoint(mut self, url: impl Into<String>) -> Self {
        self.iam = url.into();
        self
    }

    /// The STS endpoint to ask when IAM lists no domain.
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts = url.into();
        self
    }

    fn kept(&self, access_key: &str) -> Option<String> {
        match self.found.lock() {
            Ok(m) => m.get(access_key).cloned(),
            Err(p) => p.into_inner().get(access_key).cloned(),
        }
    }

    /// A signed `GET` of `path` at `endpoint`: with the settings of `of` (the client whose
    /// requests need the credentials) when there is one, else a client of its own with a
    /// 10 s timeout (and the environment's proxy).
    async fn ask(
        endpoint: &str,
        path: &'static str,
        operation: &'static str,
        creds: &AkSkCredentials,
        of: Option<&super::client::Client>,
    ) -> Result<serde_json::Value, Error> {
        let fail = |what: String| missing(format!("domain id discovery at {endpoint}: {what}"));
        let auth = super::auth::Auth::AkSk(creds.clone());
        let client = match of {
            Some(of) => of.sibling(endpoint, auth),
            None => super::client::Client::builder()
                .endpoint(endpoint)
                .timeout(Duration::from_secs(10))
                .auth(auth)
                .build(),
        }
        .map_err(|e| fail(e.to_string()))?;
        let resp = client
            .execute(super::request::Request::new(
                reqwest::Method::GET,
                path,
                operation,
            ))
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = resp.status();
        if !(200..300).contains(&status) {
            return Err(fail(format!("{path} got HTTP {status}")));
        }
        let body = resp.bytes().await.map_err(|e| fail(e.to_string()))?;
        serde_json::from_slice(&body).map_err(|e| fail(format!("{path}: not JSON: {e}")))
    }

    async fn discover(
        &self,
        creds: &AkSkCredentials,
        of: Option<&super::client::Client>,
    ) -> Result<String, Error> {
        let domains = Self::ask(
            &self.iam,
            "/v3/auth/domains",
            "KeystoneQueryAuthDomains",
            creds,
            of,
        )
        .await?;
        let first = domains
            .get("domains")
            .and_then(|d| d.as_array())
            .and_then(|d| d.first())
            .and_then(|d| d.get("id"))
            .and_then(|id| id.as_str())
            .filter(|id| !id.is_empty());
        if let Some(id) = first {
            return Ok(id.to_owned());
        }
        let identity = Self::ask(
            &self.sts,
            "/v5/caller-identity",
            "ShowCallerIdentity",
            creds,
            of,
        )
        .await?;
        identity
            .get("account_id")
            .and_then(|id| id.as_str())
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                missing(format!(
                    "domain id discovery: IAM lists no domain and STS at {} gives no account_id",
                    self.sts
                ))
            })
    }
}

impl CredentialProvider for DiscoverDomainId {
    fn credentials(&self) -> CredentialFuture<'_> {
        Box::pin(self.lookup(None))
    }

    /// As [`CredentialProvider::credentials`], asking IAM and STS with `client`'s HTTP
    /// settings (proxy, TLS, timeouts, retries, User-Agent).
    fn credentials_for<'a>(&'a self, client: &'a super::client::Client) -> CredentialFuture<'a> {
        Box::pin(self.lookup(Some(client)))
    }
}

impl DiscoverDomainId {
    async fn lookup(
        &self,
        of: Option<&super::client::Client>,
    ) -> Result<ProvidedCredentials, Error> {
        let mut c = look_up(self.inner.as_ref(), of).await?;
        if c.credentials.domain_id.is_some() {
            return Ok(c);
        }
        let ak = c.credentials.access_key.clone();
        let id = match self.kept(&ak) {
            Some(id) => id,
            None => {
                let id = self.discover(&c.credentials, of).await?;
                #[cfg(feature = "tracing")]
                tracing::debug!(access_key = %ak, "domain id discovered");
                match self.found.lock() {
                    Ok(mut m) => m.insert(ak, id.clone()),
                    Err(p) => p.into_inner().insert(ak, id.clone()),
                };
                id
            }
        };
        c.credentials.domain_id = Some(id);
        Ok(c)
    }
}
