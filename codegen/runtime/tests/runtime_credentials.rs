//! Credential providers (environment, profile file, ECS metadata, chain) and a client
//! signing with a provider's cached, refreshed credentials, against loopback servers.

use codegen_runtime as runtime;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use runtime::credentials::{parse_ini, parse_rfc3339};
use runtime::*;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn message(e: Error) -> String {
    match e {
        Error::Credentials(m) => m,
        other => panic!("expected Error::Credentials, got {other:?}"),
    }
}

/// RFC 3339 in UTC, whole seconds.
fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn securitykey(access: &str, secret: &str, token: &str, expires_at: &str) -> serde_json::Value {
    serde_json::json!({"credential": {
        "access": access, "secret": secret, "securitytoken": token, "expires_at": expires_at
    }})
}

#[tokio::test]
async fn env_provider_reads_the_four_variables() {
    let p = EnvProvider::from_vars(vars(&[
        ("HUAWEICLOUD_SDK_AK", "AKENV"),
        ("HUAWEICLOUD_SDK_SK", "sk-env-secret"),
        ("HUAWEICLOUD_SDK_DOMAIN_ID", "dom-1"),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "st-env"),
    ]));
    let c = p.credentials().await.unwrap();
    assert_eq!(c.credentials.access_key, "AKENV");
    assert_eq!(c.credentials.secret_key.expose(), "sk-env-secret");
    assert_eq!(c.credentials.domain_id.as_deref(), Some("dom-1"));
    assert_eq!(
        c.credentials.security_token.as_ref().map(|s| s.expose()),
        Some("st-env")
    );
    assert!(c.expires_at.is_none());
}

#[tokio::test]
async fn env_provider_names_what_is_missing_and_no_secret() {
    let m = message(
        EnvProvider::from_vars(vars(&[("HUAWEICLOUD_SDK_SK", "sk-only-secret")]))
            .credentials()
            .await
            .unwrap_err(),
    );
    assert!(m.contains("HUAWEICLOUD_SDK_AK"), "{m}");
    assert!(!m.contains("HUAWEICLOUD_SDK_SK"), "{m}");
    assert!(!m.contains("sk-only-secret"), "{m}");
    let m = message(
        EnvProvider::from_vars(vars(&[("HUAWEICLOUD_SDK_AK", " ")]))
            .credentials()
            .await
            .unwrap_err(),
    );
    assert!(
        m.contains("HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK not set"),
        "{m}"
    );
}

#[test]
fn ini_parser() {
    let ini = parse_ini(
        "\u{feff}# comment\nstray = 1\n[basic]\nak = A1\n; c\n[ global ]\n ak = A2 \nsk=\"S=2\"\n\n[global]\nsecurity_token='t'\n",
    );
    assert_eq!(ini["basic"]["ak"], "A1");
    assert_eq!(ini["global"]["ak"], "A2");
    assert_eq!(ini["global"]["sk"], "S=2");
    assert_eq!(ini["global"]["security_token"], "t");
    assert_eq!(ini.len(), 2);
}

#[test]
fn rfc3339_dates() {
    let t = parse_rfc3339("2020-01-08T02:53:07.818000Z").unwrap();
    assert_eq!(
        t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
        1_578_451_987
    );
    let t8 = parse_rfc3339("2020-01-08T10:53:07+08:00").unwrap();
    assert_eq!(t8, UNIX_EPOCH + Duration::from_secs(1_578_451_987));
    assert!(parse_rfc3339("2020-13-08T02:53:07Z").is_none());
    assert!(parse_rfc3339("yesterday").is_none());
    let now = SystemTime::now();
    let round = parse_rfc3339(&rfc3339(now)).unwrap();
    assert!(now.duration_since(round).unwrap() < Duration::from_secs(1));
}

#[tokio::test]
async fn profile_provider_reads_the_global_section() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(
        &file,
        "[basic]\nak = BASICAK\nsk = basic-secret\n[global]\nak = GLOBALAK\nsk = global-secret\ndomain_id = dom-g\n",
    )
    .unwrap();
    let by_env = ProfileProvider::from_vars(&vars(&[(
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        file.to_str().unwrap(),
    )]));
    let c = by_env.credentials().await.unwrap().credentials;
    assert_eq!(c.access_key, "GLOBALAK");
    assert_eq!(c.secret_key.expose(), "global-secret");
    assert_eq!(c.domain_id.as_deref(), Some("dom-g"));
    let basic = ProfileProvider::from_path(&file).section("basic");
    assert_eq!(
        basic.credentials().await.unwrap().credentials.access_key,
        "BASICAK"
    );

    // ~/.huaweicloud/credentials from HOME.
    std::fs::create_dir(dir.path().join(".huaweicloud")).unwrap();
    std::fs::write(
        dir.path().join(".huaweicloud").join("credentials"),
        "[global]\nak = HOMEAK\nsk = home-secret\n",
    )
    .unwrap();
    let home = ProfileProvider::from_vars(&vars(&[("HOME", dir.path().to_str().unwrap())]));
    assert_eq!(
        home.credentials().await.unwrap().credentials.access_key,
        "HOMEAK"
    );
}

#[tokio::test]
async fn profile_provider_errors_say_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    let m = message(
        ProfileProvider::from_path(&file)
            .credentials()
            .await
            .unwrap_err(),
    );
    assert!(m.contains("not found") && m.contains("credentials"), "{m}");
    std::fs::write(&file, "[basic]\nak = A\nsk = basic-secret\n").unwrap();
    let m = message(
        ProfileProvider::from_path(&file)
            .credentials()
            .await
            .unwrap_err(),
    );
    assert!(m.contains("no [global] section"), "{m}");
    std::fs::write(&file, "[global]\nak = A\nsk =\n").unwrap();
    let m = message(
        ProfileProvider::from_path(&file)
            .credentials()
            .await
            .unwrap_err(),
    );
    assert!(m.contains("[global] has no sk"), "{m}");
}

#[tokio::test]
async fn metadata_provider_with_session_token() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/meta-data/latest/api/token"))
        .and(header("X-Metadata-Token-Ttl-Seconds", "21600"))
        .respond_with(ResponseTemplate::new(200).set_body_string("session-tok\n"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/openstack/latest/securitykey"))
        .and(header("X-Metadata-Token", "session-tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(securitykey(
            "AKMETA",
            "meta-secret",
            "meta-sectoken",
            "2020-01-08T02:53:07.818000Z",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let c = MetadataProvider::with_base_url(server.uri())
        .credentials()
        .await
        .unwrap();
    assert_eq!(c.credentials.access_key, "AKMETA");
    assert_eq!(c.credentials.secret_key.expose(), "meta-secret");
    assert_eq!(
        c.credentials.security_token.as_ref().map(|s| s.expose()),
        Some("meta-sectoken")
    );
    assert_eq!(
        c.expires_at,
        Some(UNIX_EPOCH + Duration::from_secs(1_578_451_987))
    );
}

#[tokio::test]
async fn metadata_provider_without_session_tokens() {
    for status in [404, 405, 503] {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/openstack/latest/securitykey"))
            .respond_with(ResponseTemplate::new(200).set_body_json(securitykey(
                "AKNOTOK",
                "s",
                "t",
                "2099-01-01T00:00:00Z",
            )))
            .mount(&server)
            .await;
        let c = MetadataProvider::with_base_url(server.uri())
            .credentials()
            .await
            .unwrap();
        assert_eq!(c.credentials.access_key, "AKNOTOK");
        let reqs = server.received_requests().await.unwrap();
        assert!(reqs[1].headers.get("x-metadata-token").is_none());
    }
}

#[tokio::test]
async fn metadata_provider_errors_hold_no_secret() {
    let (_server, m) = metadata_error(
        ResponseTemplate::new(404),
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({"credential": {"secret": "leaky-secret"}})),
    )
    .await;
    assert!(m.contains("no credential.access"), "{m}");
    assert!(!m.contains("leaky-secret"), "{m}");
}

/// A metadata service answering the session token request with `put` and the security key
/// request with `get`, and the message of the provider's error against it.
async fn metadata_error(put: ResponseTemplate, get: ResponseTemplate) -> (MockServer, String) {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(put)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(get)
        .mount(&server)
        .await;
    let err = MetadataProvider::with_base_url(server.uri())
        .credentials()
        .await
        .unwrap_err();
    (server, message(err))
}

/// The metadata service is a server too: a token or a security key of megabytes is refused
/// (the real ones take a few KiB), whether its length is announced or not.
#[tokio::test]
async fn metadata_provider_refuses_answers_beyond_its_limit() {
    let huge = format!(
        r#"{{"credential":{{"access":"AK","secret":"{}"}}}}"#,
        "x".repeat(4 << 20)
    );
    let (_server, m) = metadata_error(
        ResponseTemplate::new(404),
        ResponseTemplate::new(200).set_body_string(huge),
    )
    .await;
    assert!(m.contains("exceeds 65536 bytes"), "{m}");

    let (server, m) = metadata_error(
        ResponseTemplate::new(200).set_body_string("t".repeat(1 << 20)),
        ResponseTemplate::new(500),
    )
    .await;
    assert!(m.contains("session token") && m.contains("exceeds"), "{m}");
    // The security key was never asked for with that token.
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
}

/// A profile "file" that is a FIFO is refused, not waited on; one of megabytes is refused.
#[cfg(unix)]
#[tokio::test]
async fn profile_provider_reads_only_a_regular_file_of_bounded_size() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let got = tokio::time::timeout(
            Duration::from_secs(10),
            ProfileProvider::from_path(&fifo).credentials(),
        )
        .await
        .expect("answers at once");
        let m = message(got.unwrap_err());
        assert!(m.contains("not a regular file"), "{m}");
    }
    let big = dir.path().join("credentials");
    let mut text = String::from("[global]\nak = AK\nsk = big-secret\n");
    text.push_str(&"# padding\n".repeat(200_000));
    std::fs::write(&big, text).unwrap();
    let m = message(
        ProfileProvider::from_path(&big)
            .credentials()
            .await
            .unwrap_err(),
    );
    assert!(m.contains("larger than 1048576 bytes"), "{m}");
    assert!(!m.contains("big-secret"), "{m}");
}

#[tokio::test]
async fn chain_takes_the_first_that_yields() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(&file, "[global]\nak = PROFILEAK\nsk = profile-secret\n").unwrap();
    let metadata = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&metadata)
        .await;
    let chain = ChainProvider::new(vec![
        Arc::new(EnvProvider::from_vars(HashMap::new())),
        Arc::new(ProfileProvider::from_path(&file)),
        Arc::new(MetadataProvider::with_base_url(metadata.uri())),
    ]);
    let c = chain.credentials().await.unwrap();
    assert_eq!(c.credentials.access_key, "PROFILEAK");

    let env_first = ChainProvider::new(vec![
        Arc::new(EnvProvider::from_vars(vars(&[
            ("HUAWEICLOUD_SDK_AK", "ENVAK"),
            ("HUAWEICLOUD_SDK_SK", "env-secret"),
        ]))),
        Arc::new(ProfileProvider::from_path(&file)),
    ]);
    assert_eq!(
        env_first
            .credentials()
            .await
            .unwrap()
            .credentials
            .access_key,
        "ENVAK"
    );
}

#[tokio::test]
async fn chain_error_lists_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(&file, "[global]\nsk = profile-secret\n").unwrap();
    let metadata = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&metadata)
        .await;
    let chain = ChainProvider::new(vec![
        Arc::new(EnvProvider::from_vars(vars(&[(
            "HUAWEICLOUD_SDK_SK",
            "env-secret",
        )]))),
        Arc::new(ProfileProvider::from_path(&file)),
        Arc::new(MetadataProvider::with_base_url(metadata.uri())),
    ]);
    let e = chain.credentials().await.unwrap_err();
    let shown = e.to_string();
    let m = message(e);
    assert!(m.contains("environment: HUAWEICLOUD_SDK_AK not set"), "{m}");
    assert!(m.contains("[global] has no ak"), "{m}");
    assert!(
        m.contains("ECS metadata") && m.contains("security key request got HTTP 404"),
        "{m}"
    );
    for secret in ["env-secret", "profile-secret"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

fn access_of(r: &wiremock::Request) -> String {
    let auth = r.headers.get("authorization").unwrap().to_str().unwrap();
    let rest = auth.split("Access=").nth(1).unwrap();
    rest.split(',').next().unwrap().to_owned()
}

/// 100 concurrent requests fetch the credentials once; after they expire the client
/// fetches new ones and signs with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_credentials_are_fetched_once_and_refreshed() {
    let metadata = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&metadata)
        .await;
    let soon = rfc3339(SystemTime::now() + Duration::from_secs(3));
    Mock::given(method("GET"))
        .and(path("/openstack/latest/securitykey"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(securitykey("AKFIRST", "first-secret", "tok1", &soon))
                .set_delay(Duration::from_millis(100)),
        )
        .up_to_n_times(1)
        .mount(&metadata)
        .await;
    Mock::given(method("GET"))
        .and(path("/openstack/latest/securitykey"))
        .respond_with(ResponseTemplate::new(200).set_body_json(securitykey(
            "AKSECOND",
            "second-secret",
            "tok2",
            "2099-01-01T00:00:00Z",
        )))
        .mount(&metadata)
        .await;
    let api = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&api)
        .await;

    let cache = CredentialCache::new(Arc::new(MetadataProvider::with_base_url(metadata.uri())))
        .refresh_before(Duration::from_secs(1));
    let client = Client::builder()
        .endpoint(api.uri())
        .auth(Auth::cached_provider(Arc::new(cache)))
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                c.execute(Request::new(Method::GET, "/v1/things", "ListThings"))
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let fetches = |reqs: &[wiremock::Request]| {
        reqs.iter()
            .filter(|r| r.url.path() == "/openstack/latest/securitykey")
            .count()
    };
    assert_eq!(fetches(&metadata.received_requests().await.unwrap()), 1);
    let reqs = api.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 100);
    assert!(reqs.iter().all(|r| access_of(r) == "AKFIRST"));
    assert!(reqs.iter().all(|r| r
        .headers
        .get("x-security-token")
        .is_some_and(|v| v == "tok1")));

    // Past the refresh margin (1 s before expiry): new credentials, fetched once.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    for _ in 0..3 {
        client
            .execute(Request::new(Method::GET, "/v1/things", "ListThings"))
            .await
            .unwrap();
    }
    assert_eq!(fetches(&metadata.received_requests().await.unwrap()), 2);
    let reqs = api.received_requests().await.unwrap();
    assert_eq!(access_of(&reqs[100]), "AKSECOND");
    assert_eq!(access_of(&reqs[102]), "AKSECOND");
    // Debug of the client shows no secret.
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("second-secret") && !shown.contains("tok2"),
        "{shown}"
    );
}

#[tokio::test]
async fn provider_failure_is_a_credentials_error_and_nothing_is_sent() {
    let api = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&api)
        .await;
    let client = Client::builder()
        .endpoint(api.uri())
        .auth(Auth::provider(Arc::new(EnvProvider::from_vars(
            HashMap::new(),
        ))))
        .build()
        .unwrap();
    let e = client
        .execute(Request::new(Method::GET, "/x", "GetX"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Credentials(_)), "{e:?}");
}

/// Gives `AK<n>` valid for 10 s on the n-th call, after a delay; fails when told to.
#[derive(Debug, Default)]
struct Counting {
    calls: std::sync::atomic::AtomicUsize,
    fail: std::sync::atomic::AtomicBool,
}

impl CredentialProvider for Counting {
    fn credentials(&self) -> runtime::credentials::CredentialFuture<'_> {
        Box::pin(async move {
            use std::sync::atomic::Ordering;
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::Credentials("counting: told to fail".to_owned()));
            }
            Ok(ProvidedCredentials {
                credentials: AkSkCredentials::new(format!("AK{n}"), "s"),
                expires_at: Some(SystemTime::now() + Duration::from_secs(10)),
            })
        })
    }
}

/// Within the refresh margin but still valid: one task refreshes, the others go on with
/// the current credentials at once; a failed refresh keeps them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_ahead_does_not_block_and_survives_failure() {
    use std::sync::atomic::Ordering;
    let provider = Arc::new(Counting::default());
    let cache =
        Arc::new(CredentialCache::new(provider.clone()).refresh_before(Duration::from_secs(60)));
    assert_eq!(cache.current().await.unwrap().access_key, "AK0");

    let refreshing = {
        let cache = cache.clone();
        tokio::spawn(async move { cache.current().await.unwrap().access_key })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    assert_eq!(cache.current().await.unwrap().access_key, "AK0");
    assert!(started.elapsed() < Duration::from_millis(200));
    assert_eq!(refreshing.await.unwrap(), "AK1");
    assert_eq!(provider.calls.load(Ordering::SeqCst), 2);

    provider.fail.store(true, Ordering::SeqCst);
    assert_eq!(cache.current().await.unwrap().access_key, "AK1");
    assert_eq!(provider.calls.load(Ordering::SeqCst), 3);
}

fn fixed(ak: &str) -> Arc<dyn CredentialProvider> {
    Arc::new(EnvProvider::from_vars(vars(&[
        ("HUAWEICLOUD_SDK_AK", ak),
        ("HUAWEICLOUD_SDK_SK", "discovery-secret"),
    ])))
}

#[tokio::test]
async fn domain_id_is_discovered_once_per_access_key() {
    let iam = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/auth/domains"))
        .and(wiremock::matchers::header_regex(
            "authorization",
            "^SDK-HMAC-SHA256 Access=AKDISC,",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"domains": [{"id": "dom-found", "name": "d"}]})),
        )
        .expect(1)
        .mount(&iam)
        .await;
    let p = DiscoverDomainId::new(fixed("AKDISC")).iam_endpoint(iam.uri());
    for _ in 0..2 {
        let c = p.credentials().await.unwrap();
        assert_eq!(c.credentials.domain_id.as_deref(), Some("dom-found"));
    }
}

#[tokio::test]
async fn domain_id_falls_back_to_sts_and_errors_say_where() {
    let iam = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/auth/domains"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"domains": []})))
        .mount(&iam)
        .await;
    let sts = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v5/caller-identity"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"account_id": "acc-1"})),
        )
        .mount(&sts)
        .await;
    let p = DiscoverDomainId::new(fixed("AKSTS"))
        .iam_endpoint(iam.uri())
        .sts_endpoint(sts.uri());
    let c = p.credentials().await.unwrap();
    assert_eq!(c.credentials.domain_id.as_deref(), Some("acc-1"));

    let denied = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403).set_body_string("discovery-secret"))
        .mount(&denied)
        .await;
    let m = message(
        DiscoverDomainId::new(fixed("AKDENIED"))
            .iam_endpoint(denied.uri())
            .credentials()
            .await
            .unwrap_err(),
    );
    assert!(m.contains("/v3/auth/domains got HTTP 403"), "{m}");
    assert!(!m.contains("discovery-secret"), "{m}");
}

/// A client's discovery asks IAM with the client's settings: through its proxy, with its
/// User-Agent. Both hosts here exist only behind the proxy (a mock server that answers
/// for them), so the client's request and the discovery can only succeed through it.
#[tokio::test]
async fn domain_id_discovery_uses_the_client_s_proxy_and_user_agent() {
    let proxy = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/auth/domains"))
        .and(header("host", "iam.discovery.invalid"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"domains": [{"id": "dom-via-proxy"}]})),
        )
        .expect(1)
        .mount(&proxy)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/servicerequest/cases"))
        .and(header("x-domain-id", "dom-via-proxy"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&proxy)
        .await;
    let discover =
        DiscoverDomainId::new(fixed("AKPROXY")).iam_endpoint("http://iam.discovery.invalid");
    let client = Client::builder()
        .endpoint("http://osm.discovery.invalid")
        .proxy(proxy.uri())
        .user_agent("discovery-test/1")
        .auth(Auth::provider(Arc::new(discover)))
        .build()
        .unwrap();
    let resp = client
        .execute(Request::new(
            Method::GET,
            "/v2/servicerequest/cases",
            "ListCases",
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let received = proxy.received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "{received:?}");
    let asked = &received[0];
    assert_eq!(asked.url.path(), "/v3/auth/domains");
    assert_eq!(
        asked
            .headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok()),
        Some("discovery-test/1")
    );
    let auth = asked
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        auth.starts_with("SDK-HMAC-SHA256 Access=AKPROXY,"),
        "{auth}"
    );
}

/// The real process environment, in a child process (this test binary run again with the
/// variables set), so no test mutates its own environment.
#[test]
fn env_provider_reads_the_process_environment_of_a_child() {
    const CHILD: &str = "CODEGEN_RUNTIME_ENV_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let c = rt.block_on(EnvProvider::new().credentials()).unwrap();
        assert_eq!(c.credentials.access_key, "AKCHILD");
        assert_eq!(c.credentials.secret_key.expose(), "sk-child-secret");
        assert_eq!(c.credentials.domain_id.as_deref(), Some("dom-child"));
        // The chain finds the environment first.
        let chained = rt.block_on(ChainProvider::default().credentials()).unwrap();
        assert_eq!(chained.credentials.access_key, "AKCHILD");
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "env_provider_reads_the_process_environment_of_a_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("HUAWEICLOUD_SDK_AK", "AKCHILD")
        .env("HUAWEICLOUD_SDK_SK", "sk-child-secret")
        .env("HUAWEICLOUD_SDK_DOMAIN_ID", "dom-child")
        .env_remove("HUAWEICLOUD_SDK_SECURITY_TOKEN")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "child failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("sk-child-secret"), "{text}");
}
