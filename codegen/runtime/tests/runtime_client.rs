//! The runtime's client against a local HTTP server (wiremock on loopback): headers,
//! path encoding, refused headers, retries, timeouts, refused connections, error bodies,
//! business errors, access key signing, multipart and the AICC token exchange.

use codegen_runtime as runtime;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use runtime::__private::*;
use runtime::*;
use serde::Deserialize;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast_retry() -> RetryPolicy {
    RetryPolicy::new(2, Duration::from_millis(1), Duration::from_millis(5))
}

fn client(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .endpoint(server.uri())
        .retry(fast_retry())
        .timeout(Duration::from_secs(5))
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording on")
}

fn header<'a>(r: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn sends_exact_headers_and_json_body() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let c = client(&server)
        .auth(Auth::iam_token("iam-token-value"))
        .default_header("X-Language", "en-us")
        .default_header("X-Time-Zone", "GMT+8")
        .build()
        .unwrap();
    let mut req = Request::new(Method::POST, "/v2/servicerequest/cases", "CreateCases");
    req.header("X-Time-Zone", "GMT+1")
        .header("x-phone-verifiedid", "pv-1")
        .body(json_body(&serde_json::json!({"a": "网"})).unwrap());
    let resp = c.execute(req).await.unwrap();
    assert_eq!(resp.status(), 200);

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/v2/servicerequest/cases");
    assert_eq!(header(r, "x-auth-token"), Some("iam-token-value"));
    assert_eq!(header(r, "x-language"), Some("en-us"));
    // The request's own header wins over the default, and is sent once.
    let tz: Vec<_> = r.headers.get_all("x-time-zone").iter().collect();
    assert_eq!(tz, ["GMT+1"]);
    assert_eq!(header(r, "x-phone-verifiedid"), Some("pv-1"));
    assert_eq!(header(r, "content-type"), Some("application/json"));
    let ua = header(r, "user-agent").unwrap();
    assert!(ua.starts_with("osm-codegen-client/"), "{ua}");
    assert_eq!(r.body, "{\"a\":\"网\"}".as_bytes());
    assert!(r.headers.get("authorization").is_none());
    assert!(r.headers.get("access-token").is_none());
}

#[tokio::test]
async fn access_token_user_agent_and_default_content_type() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = Client::builder()
        .endpoint(format!("{}/service/AICC__Case/1.0.0/", server.uri()))
        .auth(Auth::access_token("aicc-token"))
        .user_agent("my-agent/2")
        // A later default of the same name (in any case) replaces the earlier one.
        .default_header("Content-Type", "text/plain")
        .default_header("content-type", "application/json")
        .build()
        .unwrap();
    c.execute(Request::new(Method::GET, "/openapi/caseType/7", "op"))
        .await
        .unwrap();
    let mut form = Request::new(Method::POST, "/openapi/case", "op");
    form.body(form_body(&serde_json::json!({"a": "b c"})).unwrap());
    c.execute(form).await.unwrap();

    let reqs = received(&server).await;
    let r = &reqs[0];
    // The base path of the endpoint is kept.
    assert_eq!(r.url.path(), "/service/AICC__Case/1.0.0/openapi/caseType/7");
    assert_eq!(header(r, "access-token"), Some("aicc-token"));
    assert_eq!(header(r, "user-agent"), Some("my-agent/2"));
    // A default Content-Type applies to body-less requests, once...
    let types: Vec<_> = r.headers.get_all("content-type").iter().collect();
    assert_eq!(types, ["application/json"]);
    // ...but not over the body's own.
    assert_eq!(
        header(&reqs[1], "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(reqs[1].body, b"a=b+c");
}

#[tokio::test]
async fn path_parameters_stay_in_one_segment() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let values = [
        "../x",
        "a/b",
        "?#%",
        "a b",
        "网络 故障",
        "CS 2024+ü&=~(x)",
        "..",
        ".",
    ];
    let mut sent = 0;
    for v in values {
        let p = format!("/cases/{}/info", encode_path_segment(v));
        let result = c.execute(Request::new(Method::GET, p.clone(), "op")).await;
        if v == "." || v == ".." {
            // A dot segment would be resolved away by URL parsing: refused, not sent.
            assert!(matches!(result, Err(Error::InvalidRequest(_))), "{v}");
            continue;
        }
        assert_eq!(result.unwrap().status(), 204);
        let reqs = received(&server).await;
        sent += 1;
        assert_eq!(reqs.len(), sent);
        let got = &reqs[sent - 1].url;
        assert_eq!(got.path(), p, "{v}");
        assert_eq!(got.path_segments().unwrap().count(), 3, "{v}");
        assert_eq!(got.query(), None, "{v}");
        let seg = got.path_segments().unwrap().nth(1).unwrap();
        assert_eq!(
            percent_encoding::percent_decode_str(seg)
                .decode_utf8()
                .unwrap(),
            v
        );
    }
}

/// A dot segment is refused however it is spelled (percent-encoded, either case, mixed), and
/// segments that only look like one are sent.
#[tokio::test]
async fn dot_segments_are_refused_in_every_spelling() {
    let c = Client::builder()
        .endpoint("https://example.test")
        .build()
        .unwrap();
    let refused = [
        ".", "..", "%2e", "%2E", "%2e%2e", "%2E%2E", "%2e.", ".%2E", "%2e%2E",
    ];
    let sent = [
        "...",
        "%2e%2e%2e",
        "..%2e%2e",
        "%2e%2e.",
        ".a",
        "a.",
        "%2ea",
        "%2f",
        "%2e%2",
        "%2e%",
        "%252e",
        "%2e%2e%20",
        "x",
    ];
    for seg in refused {
        for path in [
            format!("/a/{seg}/b"),
            format!("/{seg}"),
            format!("/a/{seg}"),
        ] {
            let r = c
                .prepare(&Request::new(Method::GET, path.clone(), "op"))
                .await;
            assert!(matches!(r, Err(Error::InvalidRequest(_))), "{path}: {r:?}");
        }
    }
    for seg in sent {
        let path = format!("/a/{seg}/b");
        let r = c
            .prepare(&Request::new(Method::GET, path.clone(), "op"))
            .await;
        assert!(r.is_ok(), "{path}: {r:?}");
    }
}

#[tokio::test]
async fn query_keeps_order_unsigned_and_encodes() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let mut req = Request::new(Method::GET, "/v2/cases", "op");
    req.query("search_key", "a+b c")
        .query("limit", query_value(&10))
        .query("search_key", "网");
    c.execute(req).await.unwrap();
    let reqs = received(&server).await;
    assert_eq!(
        reqs[0].url.query(),
        Some("search_key=a%2Bb%20c&limit=10&search_key=%E7%BD%91")
    );
}

#[tokio::test]
async fn control_characters_in_headers_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    for value in ["a\r\nX-Injected: 1", "a\nb", "nul\0"] {
        let mut req = Request::new(Method::GET, "/x", "op");
        req.header("X-Trace", value).header("X-Other", "fine");
        match c.execute(req).await {
            Err(Error::Validation(v)) => {
                assert_eq!(v.violations().len(), 1);
                assert_eq!(v.violations()[0].path, "header.X-Trace");
                assert_eq!(v.violations()[0].rule, Rule::ControlCharacters);
            }
            other => panic!("{other:?}"),
        }
    }
    let mut req = Request::new(Method::GET, "/x", "op");
    req.header("X-Bad\r\nName", "v");
    assert!(matches!(c.execute(req).await, Err(Error::Validation(_))));
    assert_eq!(received(&server).await.len(), 0);
}

#[tokio::test]
async fn server_errors_retried_for_idempotent_requests_only() {
    for (m, expected) in [
        (Method::GET, 3),
        (Method::PUT, 3),
        (Method::DELETE, 3),
        (Method::POST, 1),
        (Method::PATCH, 1),
    ] {
        for status in [500u16, 502, 503, 504] {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(
                    ResponseTemplate::new(status)
                        .set_body_string(r#"{"error_code":"OSM.0004","error_msg":"down"}"#),
                )
                .mount(&server)
                .await;
            let c = client(&server).build().unwrap();
            let resp = c
                .execute(Request::new(m.clone(), "/v2/x", "op"))
                .await
                .unwrap();
            assert_eq!(resp.status(), status);
            assert_eq!(
                received(&server).await.len(),
                expected,
                "{m} {status}: 1 + max_retries for idempotent requests, 1 for others"
            );
        }
    }
}

#[tokio::test]
async fn client_errors_are_not_retried_and_success_stops_retrying() {
    let server = MockServer::start().await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":1}"#))
        .mount(&server)
        .await;
    Mock::given(path("/bad"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let resp = c
        .execute(Request::new(Method::GET, "/flaky", "op"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = c
        .execute(Request::new(Method::GET, "/bad", "op"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = client(&server)
        .retry(RetryPolicy::new(
            2,
            Duration::from_millis(1),
            Duration::from_secs(3),
        ))
        .build()
        .unwrap();
    let start = Instant::now();
    let resp = c
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap();
    let waited = start.elapsed();
    assert_eq!(resp.status(), 200);
    assert_eq!(received(&server).await.len(), 2);
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

#[tokio::test]
async fn retry_after_is_capped_at_max_backoff() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let start = Instant::now();
    let resp = c
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(received(&server).await.len(), 3);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn timeout_is_a_transport_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let c = client(&server)
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let start = Instant::now();
    let err = c
        .execute(Request::new(Method::GET, "/slow", "op"))
        .await
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(
            err,
            Error::Transport {
                timeout: true,
                connect: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_timeout());
    assert_eq!(err.status(), None);

    // An idempotent request times out once per attempt.
    let c = client(&server)
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = c
        .execute(Request::new(Method::GET, "/slow", "op"))
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(received(&server).await.len(), 1 + 3);
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    for policy in [RetryPolicy::none(), fast_retry()] {
        let c = Client::builder()
            .endpoint(format!("http://127.0.0.1:{port}"))
            .retry(policy)
            .build()
            .unwrap();
        let err = c
            .execute(Request::new(Method::GET, "/x", "op"))
            .await
            .unwrap_err();
        match &err {
            Error::Transport {
                connect: true,
                message,
                source: Some(_),
                ..
            } => assert!(!message.is_empty()),
            other => panic!("{other:?}"),
        }
        assert!(err.is_connect());
        assert!(err.to_string().starts_with("transport error"));
    }
}

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
}

#[tokio::test]
async fn non_json_body_is_a_decode_error_with_excerpt() {
    let server = MockServer::start().await;
    let html = format!("<html>{}</html>", "网关".repeat(200));
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "rid-7")
                .set_body_raw(html.clone(), "text/html; charset=utf-8"),
        )
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let resp = c
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap();
    assert_eq!(resp.request_id().as_deref(), Some("rid-7"));
    let err = resp.json::<Case>().await.unwrap_err();
    match &err {
        Error::Decode {
            status,
            request_id,
            content_type,
            message,
            excerpt,
        } => {
            assert_eq!(*status, 200);
            assert_eq!(request_id.as_deref(), Some("rid-7"));
            assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
            assert!(message.contains("line 1 column 1"), "{message}");
            assert!(excerpt.starts_with("<html>网关"));
            assert!(excerpt.len() <= 512 && html.starts_with(excerpt.as_str()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.request_id(), Some("rid-7"));
}

#[derive(Debug, Deserialize, PartialEq)]
struct OsmError {
    error_code: String,
    error_msg: String,
}

#[tokio::test]
async fn error_bodies_are_parsed_with_the_request_id() {
    let server = MockServer::start().await;
    let bodies = [
        (
            "/std",
            r#"{"error_code":"OSM.0001","error_msg":"bad param"}"#,
            "OSM.0001",
            "bad param",
        ),
        (
            "/camel",
            r#"{"errorCode":"OSM.0002","errorMsg":"no auth"}"#,
            "OSM.0002",
            "no auth",
        ),
        (
            "/nested",
            r#"{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}}"#,
            "APIGW.0301",
            "Incorrect IAM authentication information",
        ),
    ];
    for (p, body, _, _) in bodies {
        Mock::given(path(p))
            .respond_with(
                ResponseTemplate::new(400)
                    .insert_header("X-Request-Id", "req-400")
                    .set_body_raw(body, "application/json"),
            )
            .mount(&server)
            .await;
    }
    Mock::given(path("/html"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    let c = client(&server).retry(RetryPolicy::none()).build().unwrap();
    for (p, _, code, msg) in bodies {
        let resp = c.execute(Request::new(Method::GET, p, "op")).await.unwrap();
        assert_eq!(resp.status(), 400);
        let err = resp.api_error::<OsmError>().await;
        assert_eq!(err.status(), Some(400));
        assert_eq!(err.request_id(), Some("req-400"));
        match &err {
            Error::Api(e) => {
                assert_eq!(e.error_code.as_deref(), Some(code), "{p}");
                assert_eq!(e.error_msg.as_deref(), Some(msg), "{p}");
                assert_eq!(
                    e.to_string(),
                    format!("HTTP 400 ({code}: {msg}) [request id req-400]")
                );
                if p == "/std" {
                    assert_eq!(
                        e.typed::<OsmError>(),
                        Some(&OsmError {
                            error_code: code.into(),
                            error_msg: msg.into()
                        })
                    );
                } else {
                    assert!(e.typed.is_none());
                }
                assert!(!e.body.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }
    let resp = c
        .execute(Request::new(Method::GET, "/html", "op"))
        .await
        .unwrap();
    match resp.api_error::<serde_json::Value>().await {
        Error::Api(e) => {
            assert_eq!(e.status, 502);
            assert_eq!((e.error_code, e.error_msg), (None, None));
            assert!(e.typed.is_none());
            assert_eq!(&e.body[..], b"<html>bad gateway</html>");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn business_errors_on_200() {
    let server = MockServer::start().await;
    Mock::given(path("/osm"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "rid-b")
                .set_body_string(
                    r#"{"error_code":"OSM.01010015","error_msg":"This case does not exist."}"#,
                ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/aicc"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"resCode":"1","resMsg":"failed"}"#),
        )
        .mount(&server)
        .await;
    Mock::given(path("/aicc-ok"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"resCode":"0","resMsg":"Success","id":"c1"}"#),
        )
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();

    // The flow generated code uses: bytes, check_business, decode.
    async fn call(
        c: &Client,
        p: &'static str,
        code: &str,
        msg: &str,
        ok: &[&str],
    ) -> Result<Case, Error> {
        let resp = c.execute(Request::new(Method::POST, p, "op")).await?;
        let (status, rid, ct) = (resp.status(), resp.request_id(), resp.content_type());
        let body = resp.bytes().await?;
        check_business(status, rid.clone(), &body, code, msg, ok)?;
        decode_json(status, rid, ct, &body)
    }
    match call(&c, "/osm", "error_code", "error_msg", &[]).await {
        Err(Error::Business(e)) => {
            assert_eq!(e.code, "OSM.01010015");
            assert_eq!(e.message.as_deref(), Some("This case does not exist."));
            assert_eq!(e.request_id.as_deref(), Some("rid-b"));
        }
        other => panic!("{other:?}"),
    }
    match call(&c, "/aicc", "resCode", "resMsg", &["0"]).await {
        Err(Error::Business(e)) => assert_eq!(e.code, "1"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        call(&c, "/aicc-ok", "resCode", "resMsg", &["0"])
            .await
            .unwrap()
            .id,
        "c1"
    );
}

/// Recomputes the signature of a received request from the headers it names as signed:
/// what a gateway does to verify it.
fn verify_signature(r: &wiremock::Request, ak: &str, sk: &str) -> String {
    let auth = header(r, "authorization").expect("authorization");
    let signed_list = auth
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .expect("signed headers");
    let names: Vec<&str> = signed_list.split(';').collect();
    let headers: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.to_string(), header(r, n).unwrap_or_default().to_owned()))
        .collect();
    let body = if r.body.is_empty() {
        None
    } else {
        Some(&r.body[..])
    };
    let signed = runtime::signing::sign_request(
        r.method.as_str(),
        &r.url,
        &headers,
        body,
        ak,
        sk,
        header(r, "x-sdk-date").expect("date"),
    );
    assert_eq!(signed.authorization, auth, "the signature verifies");
    signed_list.to_owned()
}

#[tokio::test]
async fn ak_sk_signed_request_carries_the_signing_headers() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = client(&server)
        .auth(
            Auth::ak_sk("AKEXAMPLE", "sk-example")
                .with_domain_id("dom-1")
                .with_security_token("sec-token"),
        )
        .default_header("Content-Type", "application/json")
        .default_header("X-Language", "zh-cn")
        .on_request(|r| {
            r.headers_mut()
                .insert("x-hooked", reqwest::header::HeaderValue::from_static("yes"));
        })
        .build()
        .unwrap();
    let mut req = Request::new(
        Method::PUT,
        format!(
            "/v2/servicerequest/cases/{}/contact-info",
            encode_path_segment("a/b c")
        ),
        "UpdateCaseContactInfo",
    );
    req.query("b", "2")
        .query("a", "1 2")
        .header("X_Under", "not signed")
        .body(json_body(&serde_json::json!({"remind_mail": "x@example.com"})).unwrap());
    c.execute(req).await.unwrap();

    let reqs = received(&server).await;
    let r = &reqs[0];
    // Signed requests send the query sorted, as signed.
    assert_eq!(r.url.query(), Some("a=1%202&b=2"));
    assert_eq!(
        r.url.path(),
        "/v2/servicerequest/cases/a%2Fb%20c/contact-info"
    );
    let date = header(r, "x-sdk-date").unwrap();
    assert_eq!(date.len(), 16);
    assert!(date.ends_with('Z') && date.as_bytes()[8] == b'T');
    assert_eq!(
        header(r, "host").unwrap(),
        server.uri().trim_start_matches("http://")
    );
    assert_eq!(header(r, "x-domain-id"), Some("dom-1"));
    assert_eq!(header(r, "x-security-token"), Some("sec-token"));
    assert_eq!(header(r, "x-hooked"), Some("yes"));
    assert_eq!(header(r, "X_Under"), Some("not signed"));
    assert!(r.headers.get("x-sdk-content-sha256").is_none());
    let auth = header(r, "authorization").unwrap();
    assert!(
        auth.starts_with("SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders="),
        "{auth}"
    );
    let signed = verify_signature(r, "AKEXAMPLE", "sk-example");
    assert_eq!(
        signed,
        "content-type;host;user-agent;x-domain-id;x-hooked;x-language;x-sdk-date;x-security-token"
    );
}

#[tokio::test]
async fn multipart_streams_files_with_unsigned_payload() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.log");
    std::fs::write(&file, b"line one\nline two\n").unwrap();
    let c = client(&server)
        .auth(Auth::ak_sk("AK2", "SK2"))
        .default_header("Content-Type", "application/json")
        .build()
        .unwrap();
    let mut req = Request::new(Method::POST, "/v2/servicerequest/accessorys", "Upload");
    req.body(Body::Multipart(vec![
        Part::text("form_data", "src"),
        Part::file("file", &file).with_content_type("text/plain"),
        Part::bytes("raw", bytes::Bytes::from_static(b"\x00\x01")).with_filename("r.bin"),
    ]));
    c.execute(req).await.unwrap();
    let reqs = received(&server).await;
    let r = &reqs[0];
    let ct = header(r, "content-type").unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    assert_eq!(header(r, "x-sdk-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    let body = String::from_utf8_lossy(&r.body);
    assert!(body.contains("name=\"form_data\"\r\n\r\nsrc\r\n"), "{body}");
    assert!(
        body.contains("name=\"file\"; filename=\"report.log\"\r\nContent-Type: text/plain\r\n\r\nline one\nline two\n"),
        "{body}"
    );
    assert!(body.contains("filename=\"r.bin\""), "{body}");
    let signed = verify_signature(r, "AK2", "SK2");
    assert!(signed.contains("x-sdk-content-sha256"));

    // A missing file is refused before sending.
    let mut req = Request::new(Method::POST, "/v2/servicerequest/accessorys", "Upload");
    req.body(Body::Multipart(vec![Part::file(
        "file",
        dir.path().join("missing"),
    )]));
    assert!(matches!(
        c.execute(req).await,
        Err(Error::InvalidRequest(_))
    ));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn downloads_stream() {
    use futures_util::StreamExt;
    let server = MockServer::start().await;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(data.clone(), "application/octet-stream"),
        )
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let resp = c
        .execute(Request::new(Method::GET, "/file", "op"))
        .await
        .unwrap();
    let mut stream = Box::pin(resp.bytes_stream());
    let mut got = Vec::new();
    while let Some(chunk) = stream.next().await {
        got.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(got, data);
}

#[tokio::test]
async fn debug_output_has_no_secrets() {
    let server = MockServer::start().await;
    let c = client(&server)
        .auth(Auth::ak_sk("AKVISIBLE", "topsecret-sk").with_security_token("topsecret-st"))
        .build()
        .unwrap();
    let dbg = format!("{c:?}");
    assert!(dbg.contains("AKVISIBLE"), "{dbg}");
    assert!(!dbg.contains("topsecret"), "{dbg}");
    c.set_auth(Auth::iam_token("topsecret-iam"));
    assert!(!format!("{c:?}").contains("topsecret"));
    assert!(!format!("{:?}", c.auth()).contains("topsecret"));
    let b = Client::builder().auth(Auth::access_token("topsecret-at"));
    assert!(!format!("{b:?}").contains("topsecret"));
    // A prepared request's credential headers are marked sensitive.
    let prepared = c
        .prepare(&Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap();
    assert!(!format!("{prepared:?}").contains("topsecret"));
}

#[tokio::test]
async fn aicc_token_exchange() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/baas/auth/v1.0/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"access_token":"tok-123","expires_in":3600,"token_type":"Bearer"}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let url = token_url(
        &format!("{}/service/AICC__Case/1.0.0", server.uri()),
        "/baas/auth/v1.0/oauth2/token",
    )
    .unwrap();
    assert_eq!(url, format!("{}/baas/auth/v1.0/oauth2/token", server.uri()));
    let http = Client::builder()
        .endpoint(server.uri())
        .user_agent("ticket-bot/2")
        .build()
        .unwrap();
    let secret = Secret::new("s3cr3t&=+ value");
    let token = fetch_client_credentials_token(&http, &url, "machine-user", &secret)
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "tok-123");
    assert_eq!(token.expires_in, Some(3600));
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));
    assert!(!format!("{token:?}").contains("tok-123"));

    let reqs = received(&server).await;
    let r = &reqs[0];
    assert_eq!(
        header(r, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // The exchange says who is asking, as the client's own requests do.
    assert_eq!(header(r, "user-agent"), Some("ticket-bot/2"));
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&r.body).into_owned().collect();
    assert_eq!(
        form,
        [
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), "machine-user".to_owned()),
            ("client_secret".to_owned(), "s3cr3t&=+ value".to_owned()),
        ]
    );

    // The token then authenticates calls as `access-token`.
    let c = client(&server)
        .auth(token.into_auth("access-token").unwrap())
        .build()
        .unwrap();
    c.execute(Request::new(Method::GET, "/openapi/case/1", "op"))
        .await
        .unwrap();
    assert_eq!(
        header(&received(&server).await[1], "access-token"),
        Some("tok-123")
    );
}

/// What went wrong in a token exchange, after checking that `err` names the exchange and its
/// URL.
fn exchange_error<'a>(err: &'a Error, url: &str) -> &'a Error {
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("token exchange at {url}: ")),
        "{shown}"
    );
    match err {
        Error::TokenExchange { source, .. } => source,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn aicc_token_failures() {
    let server = MockServer::start().await;
    Mock::given(path("/denied"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(r#"{"error_code":"AUTH.001","error_msg":"bad client"}"#),
        )
        .mount(&server)
        .await;
    Mock::given(path("/empty"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"token_type":"Bearer"}"#))
        .mount(&server)
        .await;
    Mock::given(path("/oauth-denied"))
        .respond_with(ResponseTemplate::new(401).insert_header("X-Request-Id", "rq-7").set_body_string(
            r#"{"error":"invalid_client","error_description":"client id or secret cs-value is wrong","access_token":"leaked-tok"}"#,
        ))
        .mount(&server)
        .await;
    let http = Client::builder().endpoint(server.uri()).build().unwrap();
    let secret = Secret::new("cs-value");
    let url = format!("{}/denied", server.uri());
    let err = fetch_client_credentials_token(&http, &url, "id", &secret)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    match exchange_error(&err, &url) {
        Error::Api(e) => {
            // Not OAuth error fields: nothing of the body is kept.
            assert_eq!(e.status, 401);
            assert_eq!((e.error_code.as_deref(), e.body.len()), (None, 0));
        }
        other => panic!("{other:?}"),
    }

    // The OAuth error fields are kept, the client secret masked, nothing else of the body.
    let url = format!("{}/oauth-denied", server.uri());
    let err = fetch_client_credentials_token(&http, &url, "id", &secret)
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.request_id()), (Some(401), Some("rq-7")));
    match exchange_error(&err, &url) {
        Error::Api(e) => {
            assert_eq!(e.error_code.as_deref(), Some("invalid_client"));
            assert_eq!(
                e.error_msg.as_deref(),
                Some("client id or secret *** is wrong")
            );
            assert_eq!((e.body.len(), e.typed.is_none()), (0, true));
        }
        other => panic!("{other:?}"),
    }
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("invalid_client"), "{shown}");
    assert!(
        !shown.contains("cs-value") && !shown.contains("leaked-tok"),
        "{shown}"
    );

    let url = format!("{}/empty", server.uri());
    let err = fetch_client_credentials_token(&http, &url, "id", &secret)
        .await
        .unwrap_err();
    assert!(
        matches!(
            exchange_error(&err, &url),
            Error::Decode { status: 200, .. }
        ),
        "{err:?}"
    );
}

/// One error type for every call; the typed body is reached by its type.
#[derive(Debug, Deserialize)]
struct OpError {
    error_code: String,
}

async fn typed_call(c: &Client) -> Result<Case, Error> {
    let resp = c.execute(Request::new(Method::GET, "/typed", "op")).await?;
    if resp.status() != 200 {
        return Err(resp.api_error::<OpError>().await);
    }
    resp.json().await
}

#[tokio::test]
async fn typed_error_body_is_reached_by_type() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_string(r#"{"error_code":"OSM.404"}"#))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    match typed_call(&c).await {
        Err(err) => {
            let typed = err.typed::<OpError>().expect("typed body");
            assert_eq!(typed.error_code, "OSM.404");
            assert!(err.typed::<serde_json::Value>().is_none());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn api_error_with_decodes_per_status() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-Request-Id", "r429")
                .set_body_string(r#"{"error_code":"OSM.429","error_msg":"slow down"}"#),
        )
        .mount(&server)
        .await;
    let c = client(&server).retry(RetryPolicy::none()).build().unwrap();
    let resp = c
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap();
    let err = resp
        .api_error_with(|status, body| (status == 429).then(|| format!("{status}:{}", body.len())))
        .await;
    match err {
        Error::Api(e) => {
            assert_eq!(e.typed::<String>().map(String::as_str), Some("429:48"));
            assert_eq!(e.error_code.as_deref(), Some("OSM.429"));
            assert_eq!(e.request_id.as_deref(), Some("r429"));
        }
        other => panic!("{other:?}"),
    }
}

/// `api_error_when` decodes the typed body only for the statuses it is told about; the
/// others keep the raw body, code and message, without a typed body.
#[tokio::test]
async fn api_error_when_decodes_only_the_declared_statuses() {
    let server = MockServer::start().await;
    for (status, path) in [(404u16, "/declared"), (409, "/other")] {
        Mock::given(method("GET"))
            .and(wiremock::matchers::path(path))
            .respond_with(ResponseTemplate::new(status).set_body_string(format!(
                r#"{{"error_code":"OSM.{status}","error_msg":"no"}}"#
            )))
            .mount(&server)
            .await;
    }
    let c = client(&server).retry(RetryPolicy::none()).build().unwrap();
    for (path, typed) in [("/declared", true), ("/other", false)] {
        let resp = c
            .execute(Request::new(Method::GET, path, "op"))
            .await
            .unwrap();
        let status = resp.status();
        match resp
            .api_error_when::<OpError>(&[400..=404, 500..=599])
            .await
        {
            Error::Api(e) => {
                assert_eq!(e.status, status);
                assert_eq!(
                    e.error_code.as_deref(),
                    Some(format!("OSM.{status}").as_str())
                );
                assert_eq!(
                    e.typed::<OpError>().map(|t| t.error_code.clone()),
                    typed.then(|| format!("OSM.{status}")),
                    "{path}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn token_exchange_honours_the_client_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(30))
                .set_body_raw(r#"{"access_token":"late"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let c = Client::builder()
        .endpoint(server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = fetch_client_credentials_token(
        &c,
        &format!("{}/token", server.uri()),
        "id",
        &Secret::new("s"),
    )
    .await
    .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_hostile_token_lifetime_is_no_expiry_not_a_panic() {
    // `expires_in` of u64::MAX seconds cannot be added to the clock: the token is kept for
    // good (one exchange for both calls), and nothing panics.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"access_token":"tok-forever","expires_in":18446744073709551615}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/things"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .endpoint(server.uri())
        .auth(Auth::client_credentials("/oauth2/token", "id", "secret", "access-token").unwrap())
        .build()
        .unwrap();
    for _ in 0..2 {
        let resp = client
            .execute(Request::new(Method::GET, "/things", "getThings"))
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let reqs = received(&server).await;
    let tokens = reqs
        .iter()
        .filter(|r| r.url.path() == "/oauth2/token")
        .count();
    assert_eq!(tokens, 1, "one exchange");
    let calls: Vec<&wiremock::Request> =
        reqs.iter().filter(|r| r.url.path() == "/things").collect();
    assert_eq!(calls.len(), 2);
    assert!(calls
        .iter()
        .all(|r| header(r, "access-token") == Some("tok-forever")));
}

/// An `expires_in` the client cannot read as a lifetime (negative, `null`, missing, text, an
/// object) means the token is not kept, never that it lasts for ever; a fraction or a number in text is
/// read as seconds.
#[tokio::test]
async fn an_unreadable_token_lifetime_is_not_kept() {
    for (expires_in, exchanges) in [
        ("-1", 3),
        ("null", 3),
        ("", 3),
        ("\"1h\"", 3),
        ("{}", 3),
        ("0", 3),
        ("3600.5", 1),
        ("\"120\"", 1),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                match expires_in {
                    // No `expires_in` at all.
                    "" => r#"{"access_token":"tok"}"#.to_owned(),
                    _ => format!(r#"{{"access_token":"tok","expires_in":{expires_in}}}"#),
                },
                "application/json",
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/json"))
            .mount(&server)
            .await;
        let client = Client::builder()
            .endpoint(server.uri())
            .auth(
                Auth::client_credentials("/oauth2/token", "id", "secret", "access-token").unwrap(),
            )
            .build()
            .unwrap();
        for _ in 0..3 {
            client
                .execute(Request::new(Method::GET, "/things", "getThings"))
                .await
                .unwrap();
        }
        let reqs = received(&server).await;
        let tokens = reqs
            .iter()
            .filter(|r| r.url.path() == "/oauth2/token")
            .count();
        assert_eq!(tokens, exchanges, "expires_in {expires_in}");
    }
}

/// Five requests at once against a token endpoint that never answers: one exchange times
/// out, and the requests that waited for it share its failure instead of trying in turn
/// (which took five timeouts).
#[tokio::test]
async fn concurrent_requests_share_a_failed_token_exchange() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(sock); // never answered
        }
    });
    let client = Client::builder()
        .endpoint(&url)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(600))
        .auth(Auth::client_credentials("/oauth2/token", "id", "secret", "access-token").unwrap())
        .build()
        .unwrap();
    let started = Instant::now();
    let calls = (0..5).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .execute(Request::new(Method::GET, "/things", "getThings"))
                .await
        })
    });
    let results = futures_util::future::join_all(calls).await;
    let elapsed = started.elapsed();
    assert!(results.iter().all(|r| r.as_ref().unwrap().is_err()));
    assert!(elapsed < Duration::from_millis(2_500), "{elapsed:?}");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    server.abort();
}

/// A download answered with this `Content-Disposition` (or none).
async fn download_named(server: &MockServer, disposition: Option<&str>, body: &[u8]) -> Download {
    server.reset().await;
    let mut answer = ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/pdf");
    if let Some(d) = disposition {
        answer = answer.insert_header("Content-Disposition", d);
    }
    Mock::given(any()).respond_with(answer).mount(server).await;
    let c = client(server).build().unwrap();
    let resp = c
        .execute(Request::new(Method::GET, "/file", "op"))
        .await
        .unwrap();
    Download::new(resp)
}

/// The names of the files in `dir`.
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn save_in_writes_the_servers_plain_name_inside_the_directory() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = download_named(
        &server,
        Some("attachment; filename=\"report.pdf\""),
        b"%PDF",
    )
    .await;
    let path = file.save_in(dir.path()).await.unwrap();
    assert_eq!(path, dir.path().join("report.pdf"));
    assert_eq!(std::fs::read(&path).unwrap(), b"%PDF");
}

#[tokio::test]
async fn save_in_refuses_a_hostile_name_and_writes_nothing() {
    let server = MockServer::start().await;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("downloads");
    std::fs::create_dir(&dir).unwrap();
    for disposition in [
        "attachment; filename=\".bashrc\"",
        "attachment; filename=\"../Cargo.toml\"",
        "attachment; filename*=UTF-8''..%2FCargo.toml",
        "attachment; filename=\"sub/x.txt\"",
        "attachment; filename=\"..\\\\x.txt\"",
        "attachment; filename=\"..\"",
        "attachment; filename=\"\"",
        "attachment; filename*=UTF-8''a%1B%5B2Jb.txt",
        "attachment",
    ] {
        let file = download_named(&server, Some(disposition), b"pwned").await;
        let err = file.save_in(&dir).await.unwrap_err();
        assert!(matches!(err, Error::Save(_)), "{disposition}: {err:?}");
        assert!(err.to_string().starts_with("download not saved: "), "{err}");
        assert!(files_in(&dir).is_empty(), "{disposition}");
        assert_eq!(files_in(root.path()), ["downloads"], "{disposition}");
    }
    // No Content-Disposition at all: no name to save under.
    let file = download_named(&server, None, b"pwned").await;
    assert!(file.save_in(&dir).await.is_err());
    assert!(files_in(&dir).is_empty());
}

#[tokio::test]
async fn save_in_never_replaces_an_existing_file() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), b"mine").unwrap();
    let file = download_named(
        &server,
        Some("attachment; filename=\"Cargo.toml\""),
        b"pwned",
    )
    .await;
    let err = file.save_in(dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("Cargo.toml"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("Cargo.toml")).unwrap(),
        b"mine"
    );
    assert_eq!(files_in(dir.path()), ["Cargo.toml"]);
}

/// A server that announces 100,000 bytes, sends 1,000 and closes the connection.
async fn truncating_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                        Content-Disposition: attachment; filename=\"big.bin\"\r\n\
                        Content-Length: 100000\r\n\r\n";
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&[7u8; 1000]).await;
            let _ = sock.shutdown().await;
        }
    });
    url
}

#[tokio::test]
async fn a_failed_transfer_leaves_no_file() {
    let url = truncating_server().await;
    let c = Client::builder()
        .endpoint(&url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let get = || c.execute(Request::new(Method::GET, "/file", "op"));

    let err = Download::new(get().await.unwrap())
        .save_in(dir.path())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(files_in(dir.path()).is_empty());

    let target = dir.path().join("out.bin");
    let err = Download::new(get().await.unwrap())
        .save_to(&target)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(!target.exists());
    assert!(files_in(dir.path()).is_empty());
}

/// A loopback listener whose accept queue is full (backlog 0, never accepting, filled by
/// connections held open): the kernel drops further SYNs, so a connect to it neither
/// succeeds nor is refused. The listener and the held connections are returned to keep.
async fn listener_that_never_accepts() -> (
    tokio::net::TcpListener,
    Vec<tokio::net::TcpStream>,
    std::net::SocketAddr,
) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..16 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(e)) => panic!("connect to the filling listener: {e}"),
            // The queue is full: connects now hang.
            Err(_) => return (listener, held, addr),
        }
    }
    panic!("the accept queue never filled");
}

#[tokio::test]
async fn a_plugged_in_http_client_builder_gets_the_connect_timeout_and_fails_over() {
    let (_listener, _held, addr) = listener_that_never_accepts().await;
    let builder = || {
        Client::builder()
            .endpoint(format!("http://{addr}"))
            .retry(RetryPolicy::none())
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_millis(400))
            .http_client_builder(reqwest::Client::builder())
    };

    // Alone: a connect error after about the connect timeout, not the 20 s timeout.
    let c = builder().build().unwrap();
    let started = Instant::now();
    let err = c
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.is_connect(), "{err:?}");
    assert!(
        elapsed >= Duration::from_millis(350) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );

    // With a fallback: a POST moves on to it once the connect timeout has passed.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let c = builder()
        .fallback_endpoints([server.uri()])
        .build()
        .unwrap();
    let started = Instant::now();
    let resp = c
        .execute(Request::new(Method::POST, "/x", "op"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(received(&server).await.len(), 1);
}

/// A 401 from the API drops the exchanged token it carried: the next request exchanges
/// again (the 401 itself is returned, not resent), and the new token is then kept.
#[tokio::test]
async fn a_401_drops_the_exchanged_token() {
    let server = MockServer::start().await;
    let exchanges = std::sync::atomic::AtomicUsize::new(0);
    let exchanges = Arc::new(exchanges);
    let counter = exchanges.clone();
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(move |_: &wiremock::Request| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_raw(
                format!(r#"{{"access_token":"tok-{n}","expires_in":3600}}"#),
                "application/json",
            )
        })
        .mount(&server)
        .await;
    // The first token is refused; any other is accepted.
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("access-token", "tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/json"))
        .with_priority(10)
        .mount(&server)
        .await;
    let client = Client::builder()
        .endpoint(server.uri())
        .retry(fast_retry())
        .auth(Auth::client_credentials("/oauth2/token", "id", "secret", "access-token").unwrap())
        .build()
        .unwrap();
    let get = || client.execute(Request::new(Method::GET, "/things", "getThings"));
    assert_eq!(get().await.unwrap().status(), 401, "the 401 is returned");
    assert_eq!(exchanges.load(std::sync::atomic::Ordering::SeqCst), 1);
    for _ in 0..2 {
        assert_eq!(get().await.unwrap().status(), 200);
    }
    assert_eq!(
        exchanges.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "one new exchange after the 401, then the new token is kept"
    );
    let sent: Vec<Option<String>> = received(&server)
        .await
        .iter()
        .filter(|r| r.url.path() == "/things")
        .map(|r| header(r, "access-token").map(str::to_owned))
        .collect();
    assert_eq!(
        sent,
        [
            Some("tok-1".to_owned()),
            Some("tok-2".to_owned()),
            Some("tok-2".to_owned())
        ]
    );
}
