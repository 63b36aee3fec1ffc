//! The client against hostile servers on loopback: bodies too large or endless (memory
//! stays bounded), secrets echoed in bodies (never in an error's `Display` or `Debug`),
//! control characters in server text (escaped), redirects to another origin (never
//! followed, so no credential leaves), and cookie values that try to add a cookie.

use codegen_runtime as runtime;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use runtime::__private::*;
use runtime::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIB: u64 = 1024 * 1024;
const SECRET: &str = "tok-SECRET";

/// How the raw server sends its body.
#[derive(Clone, Copy)]
enum Raw {
    /// `Content-Length: 64 MiB`, then up to 64 MiB of `x`.
    Declared(u16),
    /// Chunked, without end (capped at 256 MiB and 20 s).
    Endless(u16),
}

/// A one-connection HTTP/1.1 server on loopback that sends a big body and counts the bytes
/// of body it managed to write (until the client hangs up).
async fn raw_server(kind: Raw) -> (String, Arc<AtomicU64>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(AtomicU64::new(0));
    let count = written.clone();
    let task = tokio::spawn(async move {
        let Ok(Ok((mut sock, _))) =
            tokio::time::timeout(Duration::from_secs(20), listener.accept()).await
        else {
            return;
        };
        // The request head.
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let started = Instant::now();
        let chunk = vec![b'x'; 64 * 1024];
        let (status, chunked) = match kind {
            Raw::Declared(s) => (s, false),
            Raw::Endless(s) => (s, true),
        };
        let head = if chunked {
            format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nX-Request-Id: big-1\r\nTransfer-Encoding: chunked\r\n\r\n")
        } else {
            format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nX-Request-Id: big-1\r\nContent-Length: {}\r\n\r\n",
                64 * MIB
            )
        };
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let cap = if chunked { 256 * MIB } else { 64 * MIB };
        let mut sent = 0u64;
        while sent < cap && started.elapsed() < Duration::from_secs(20) {
            let r = if chunked {
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                sock.write_all(&framed).await
            } else {
                sock.write_all(&chunk).await
            };
            if r.is_err() {
                break;
            }
            sent += chunk.len() as u64;
            count.store(sent, Ordering::SeqCst);
        }
    });
    (url, written, task)
}

fn limited(url: &str, limit: u64) -> Client {
    Client::builder()
        .endpoint(url)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(60))
        .max_body_bytes(limit)
        .build()
        .unwrap()
}

/// Waits for the raw server to stop writing, and returns what it wrote.
async fn server_wrote(written: &AtomicU64, task: tokio::task::JoinHandle<()>) -> u64 {
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .expect("the server stops writing once the client hangs up")
        .unwrap();
    written.load(Ordering::SeqCst)
}

#[test]
fn the_default_body_limit_is_16_mib() {
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 16 * MIB);
    let c = Client::builder()
        .endpoint("http://127.0.0.1:1")
        .build()
        .unwrap();
    assert_eq!(c.max_body_bytes(), 16 * MIB);
}

#[tokio::test]
async fn a_declared_64_mib_body_is_refused_before_reading() {
    let (url, written, task) = raw_server(Raw::Declared(200)).await;
    let c = limited(&url, MIB);
    let started = Instant::now();
    let resp = c
        .execute(Request::new(Method::GET, "/big", "op"))
        .await
        .unwrap();
    let err = resp.decode::<serde_json::Value>(None).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15));
    match &err {
        Error::BodyTooLarge {
            status: 200,
            request_id,
            limit,
        } => {
            assert_eq!(request_id.as_deref(), Some("big-1"));
            assert_eq!(*limit, MIB);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("big-1"));
    assert!(err.to_string().contains("1048576 bytes"), "{err}");
    drop(c);
    let wrote = server_wrote(&written, task).await;
    assert!(wrote < 32 * MIB, "the server wrote {wrote} bytes");
}

#[tokio::test]
async fn an_endless_chunked_body_stops_past_the_limit() {
    let (url, written, task) = raw_server(Raw::Endless(200)).await;
    let c = limited(&url, MIB);
    let started = Instant::now();
    let resp = c
        .execute(Request::new(Method::GET, "/endless", "op"))
        .await
        .unwrap();
    let rule = BusinessRule {
        code: "code",
        message: "msg",
        success: &["0"],
    };
    let err = resp
        .decode::<serde_json::Value>(Some(rule))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(
        matches!(err, Error::BodyTooLarge { status: 200, limit, .. } if limit == MIB),
        "{err:?}"
    );
    drop(c);
    let wrote = server_wrote(&written, task).await;
    assert!(wrote < 64 * MIB, "the server wrote {wrote} bytes");
}

#[tokio::test]
async fn an_endless_error_body_is_cut_and_its_excerpt_bounded() {
    let (url, written, task) = raw_server(Raw::Endless(500)).await;
    let c = limited(&url, MIB);
    let resp = c
        .execute(Request::new(Method::GET, "/endless", "op"))
        .await
        .unwrap();
    match resp.api_error::<serde_json::Value>().await {
        Error::Api(e) => {
            assert_eq!(e.status, 500);
            assert_eq!(e.request_id.as_deref(), Some("big-1"));
            assert_eq!(e.body.len(), ERROR_BODY_BYTES);
            assert!(e.typed.is_none());
        }
        other => panic!("{other:?}"),
    }
    drop(c);
    let wrote = server_wrote(&written, task).await;
    assert!(wrote < 64 * MIB, "the server wrote {wrote} bytes");
}

#[tokio::test]
async fn bodies_up_to_the_limit_are_read_and_error_bodies_decoded_whole() {
    let server = MockServer::start().await;
    let exact = vec![b'a'; 1000];
    Mock::given(wiremock::matchers::path("/exact"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(exact.clone()))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/over"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'a'; 1001]))
        .mount(&server)
        .await;
    // An error body longer than the excerpt: typed and fields still come from all of it.
    let long = format!(
        r#"{{"pad":"{}","error_code":"E.1","error_msg":"late"}}"#,
        "p".repeat(100_000)
    );
    Mock::given(wiremock::matchers::path("/err"))
        .respond_with(ResponseTemplate::new(400).set_body_string(long.clone()))
        .mount(&server)
        .await;
    let c = limited(&server.uri(), 1000);
    let get = |p: &'static str| c.execute(Request::new(Method::GET, p, "op"));
    assert_eq!(get("/exact").await.unwrap().bytes().await.unwrap(), exact);
    let err = get("/over").await.unwrap().bytes().await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1000, .. }),
        "{err:?}"
    );

    let c = limited(&server.uri(), MIB);
    let resp = c
        .execute(Request::new(Method::GET, "/err", "op"))
        .await
        .unwrap();
    match resp.api_error::<serde_json::Value>().await {
        Error::Api(e) => {
            assert_eq!(e.error_code.as_deref(), Some("E.1"));
            assert_eq!(e.error_msg.as_deref(), Some("late"));
            assert_eq!(e.typed::<serde_json::Value>().unwrap()["error_msg"], "late");
            assert_eq!(e.body.len(), ERROR_BODY_BYTES);
            assert_eq!(&e.body[..], &long.as_bytes()[..ERROR_BODY_BYTES]);
            let dbg = format!("{e:?}");
            assert!(
                dbg.contains("<65536 bytes>") && !dbg.contains("ppp"),
                "{dbg}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A body, the code and message fields, and the failure expected (code, message).
type BusinessCase = (
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, Option<&'static str>)>,
);

#[test]
fn business_fields_are_found_without_a_tree_and_as_before() {
    let check = |body: &str, code: &str, msg: &str| {
        check_business(200, None, &Bytes::from(body.to_owned()), code, msg, &["0"])
    };
    let business = |r: Result<(), Error>| match r {
        Err(Error::Business(e)) => Some((e.code, e.message)),
        Ok(()) => None,
        Err(other) => panic!("{other:?}"),
    };
    let cases: [BusinessCase; 10] = [
        (
            r#"{"x":[1,{"code":"9"}],"code":"1","msg":"m"}"#,
            "code",
            "msg",
            Some(("1", Some("m"))),
        ),
        (r#"{"code":0}"#, "code", "msg", None),
        (
            r#"{"code":1.5,"msg":7}"#,
            "code",
            "msg",
            Some(("1.5", Some("7"))),
        ),
        (r#"{"code":true}"#, "code", "msg", Some(("true", None))),
        (r#"{"code":null}"#, "code", "msg", None),
        (r#"{"code":""}"#, "code", "msg", None),
        (r#"{"code":{"a":1}}"#, "code", "msg", None),
        (r#"[{"code":"1"}]"#, "code", "msg", None),
        (
            r#"{"r":[{"c":"x"},{"c":"5","m":"n"}]}"#,
            "/r/1/c",
            "/r/1/m",
            Some(("5", Some("n"))),
        ),
        (
            r#"{"a/b":{"c~d":"3"}}"#,
            "/a~1b/c~0d",
            "/x",
            Some(("3", None)),
        ),
    ];
    for (body, code, msg, want) in cases {
        let got = business(check(body, code, msg));
        let got = got.as_ref().map(|(c, m)| (c.as_str(), m.as_deref()));
        assert_eq!(got, want, "{body}");
    }
    // Not JSON, or trailing garbage: passes (the decode then reports it).
    assert!(check(r#"{"code":"1"} x"#, "code", "msg").is_ok());
    assert!(check("<html>", "code", "msg").is_ok());
    // Deep nesting is refused by the parser's depth limit, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(check(&deep, "code", "msg").is_ok());
    assert_eq!(extract_error_fields(deep.as_bytes()), (None, None));
}

#[test]
fn error_fields_are_found_as_before() {
    let f = |b: &str| extract_error_fields(b.as_bytes());
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(f(r#"{"error_code":"A","error_msg":"m"}"#), (s("A"), s("m")));
    assert_eq!(f(r#"{"code":401,"message":"no"}"#), (s("401"), s("no")));
    assert_eq!(
        f(r#"{"x":{"resCode":"9"},"error":{"errorCode":"E"}}"#),
        (s("E"), None)
    );
    assert_eq!(
        f(r#"{"x":{"resCode":"9"},"y":{"code":"1"}}"#),
        (s("9"), None)
    );
    assert_eq!(f(r#"{"a":{"b":{"code":"1"}}}"#), (None, None));
    assert_eq!(f(r#"{"code":{"code":"1"}}"#), (s("1"), None));
    assert_eq!(f(r#"[{"code":"1"}]"#), (None, None));
    assert_eq!(f("not json"), (None, None));
}

// ---------------------------------------------------------------------------------------
// secrets

/// Neither `Display` nor `Debug` of `err` shows the secret.
fn assert_no_secret(err: &Error) {
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains("SECRET"), "{shown}");
}

#[tokio::test]
async fn the_token_exchange_never_puts_its_body_in_an_error() {
    let server = MockServer::start().await;
    let shapes: [(u16, String); 8] = [
        (200, format!(r#"{{"access_token":"{SECRET}"#)),
        (
            200,
            format!(r#"{{"token_type":"Bearer","access_token":"{SECRET}""#),
        ),
        (
            200,
            format!(r#"{{"access_token":["{SECRET}"],"error_code":"E","error_msg":"{SECRET}"}}"#),
        ),
        (
            200,
            format!(r#"{{"error_code":"{SECRET}","error_msg":"{SECRET}"}}"#),
        ),
        (200, format!("access_token={SECRET}&expires_in=3600")),
        (
            401,
            format!(
                r#"{{"error_code":"{SECRET}","error_msg":"bad {SECRET}","access_token":"{SECRET}"}}"#
            ),
        ),
        (500, format!("<html>{SECRET}</html>")),
        (302, format!(r#"{{"access_token":"{SECRET}"}}"#)),
    ];
    for (i, (status, body)) in shapes.iter().enumerate() {
        Mock::given(wiremock::matchers::path(format!("/token/{i}")))
            .respond_with(
                ResponseTemplate::new(*status)
                    .set_body_string(body.clone())
                    .insert_header("Location", "http://127.0.0.1:1/elsewhere"),
            )
            .mount(&server)
            .await;
    }
    let c = Client::builder().endpoint(server.uri()).build().unwrap();
    for (i, (status, _)) in shapes.iter().enumerate() {
        let err = fetch_client_credentials_token(
            &c,
            &format!("{}/token/{i}", server.uri()),
            "id",
            &Secret::new("cs"),
        )
        .await
        .unwrap_err();
        assert_eq!(err.status(), Some(*status), "{err:?}");
        assert_no_secret(&err);
        let Error::TokenExchange { source, .. } = &err else {
            panic!("not a token exchange error: {err:?}");
        };
        if let Error::Api(e) = &**source {
            assert!(e.body.is_empty() && e.typed.is_none() && e.error_msg.is_none());
        }
    }
}

#[tokio::test]
async fn api_and_business_errors_do_not_show_a_secret_body() {
    let server = MockServer::start().await;
    let body = format!(
        r#"{{"resCode":"1","resMsg":"failed","data":{{"access_token":"{SECRET}","Password":"{SECRET}"}}}}"#
    );
    Mock::given(wiremock::matchers::path("/business"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body.clone()))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/denied"))
        .respond_with(ResponseTemplate::new(403).set_body_string(body.clone()))
        .mount(&server)
        .await;
    // A body cut short in the middle of a secret: the decode excerpt redacts it.
    Mock::given(wiremock::matchers::path("/cut"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"data":{{"X-Auth-Token" : "{SECRET}", "client_secret": 42, "apiKey": {{"v":"{SECRET}"}}, "session": "{SECRET}"#
        )))
        .mount(&server)
        .await;
    let c = Client::builder().endpoint(server.uri()).build().unwrap();
    let rule = BusinessRule {
        code: "resCode",
        message: "resMsg",
        success: &["0"],
    };
    let get = |p: &'static str| c.execute(Request::new(Method::GET, p, "op"));
    let err = get("/business")
        .await
        .unwrap()
        .decode::<serde_json::Value>(Some(rule))
        .await
        .unwrap_err();
    match &err {
        Error::Business(e) => {
            assert_eq!(
                (e.code.as_str(), e.message.as_deref()),
                ("1", Some("failed"))
            );
            assert_eq!(e.body, body.as_bytes());
        }
        other => panic!("{other:?}"),
    }
    assert_no_secret(&err);
    let err = get("/denied")
        .await
        .unwrap()
        .api_error::<serde_json::Value>()
        .await;
    assert!(err.typed::<serde_json::Value>().is_some());
    assert_no_secret(&err);
    let err = get("/cut")
        .await
        .unwrap()
        .decode::<serde_json::Value>(None)
        .await
        .unwrap_err();
    match &err {
        Error::Decode { excerpt, .. } => {
            assert!(
                excerpt.starts_with(r#"{"data":{"X-Auth-Token" : "***", "client_secret": "***""#),
                "{excerpt}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_no_secret(&err);
}

#[test]
fn redaction_keeps_other_values() {
    assert_eq!(
        redact_secrets(
            r#"{"user":"u","token":"t\"x","list":["token"],"n":{"pwd":1,"PASSWORD":[1,{"a":"]"}]}}"#
        ),
        r#"{"user":"u","token":"***","list":["token"],"n":{"pwd":1,"PASSWORD":"***"}}"#
    );
    assert_eq!(redact_secrets(r#"{"secret":"#), r#"{"secret":"#);
    assert_eq!(redact_secrets(r#"{"secret": "abc"#), r#"{"secret": "***""#);
    assert_eq!(redact_secrets("plain text, no JSON"), "plain text, no JSON");
    assert_eq!(redact_secrets("网 \"token\": 网"), "网 \"token\": \"***\"");
    // Keys written with JSON escapes, the SDK's `sk`, private keys and signatures.
    assert_eq!(
        redact_secrets(
            r#"{"\u0074oken":"t1","sk":"s2","private_key":"p3","Signature":"g4","skip":"ok"}"#
        ),
        r#"{"\u0074oken":"***","sk":"***","private_key":"***","Signature":"***","skip":"ok"}"#
    );
}

// ---------------------------------------------------------------------------------------
// control characters

const NASTY: &str = "bad\n2026-01-01 INFO forged line\r\u{1b}[31mred\u{7}\u{202e}txt";

fn assert_escaped(shown: &str) {
    assert!(
        !shown.contains(['\n', '\r', '\u{1b}', '\u{7}', '\u{202e}']),
        "{shown:?}"
    );
    assert!(
        shown.contains("\\n2026-01-01 INFO forged line\\r\\u{1b}[31mred"),
        "{shown:?}"
    );
}

#[tokio::test]
async fn server_text_is_escaped_in_every_display() {
    let server = MockServer::start().await;
    let body = serde_json::json!({"error_code": NASTY, "error_msg": NASTY}).to_string();
    Mock::given(wiremock::matchers::path("/api"))
        .respond_with(ResponseTemplate::new(400).set_body_string(body.clone()))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/business"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/decode"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(serde_json::json!({ "kind": NASTY }).to_string()),
        )
        .mount(&server)
        .await;
    let c = Client::builder().endpoint(server.uri()).build().unwrap();
    let get = |p: &'static str| c.execute(Request::new(Method::GET, p, "op"));

    let err = get("/api")
        .await
        .unwrap()
        .api_error::<serde_json::Value>()
        .await;
    assert_escaped(&err.to_string());
    let rule = BusinessRule {
        code: "error_code",
        message: "error_msg",
        success: &["0"],
    };
    let err = get("/business")
        .await
        .unwrap()
        .decode::<serde_json::Value>(Some(rule))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Business(_)), "{err:?}");
    assert_escaped(&err.to_string());

    // serde's message quotes the unknown variant raw; Display escapes it.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Kinded {
        kind: Kind,
    }
    #[derive(Debug, serde::Deserialize)]
    enum Kind {
        A,
    }
    let err = get("/decode")
        .await
        .unwrap()
        .decode::<Kinded>(None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        !shown.contains(['\n', '\r', '\u{1b}', '\u{7}', '\u{202e}']),
        "{shown:?}"
    );
    assert!(shown.contains("unknown variant"), "{shown}");

    assert_eq!(escape_control("plain 网 text"), "plain 网 text");
    assert_eq!(escape_control("a\tb\u{0}"), "a\\tb\\u{0}");
}

// ---------------------------------------------------------------------------------------
// redirects

#[tokio::test]
async fn credentials_never_follow_a_redirect_to_another_origin() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    for status in [301u16, 302, 307, 308] {
        Mock::given(wiremock::matchers::path(format!("/r{status}")))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Location", format!("{}/stolen", elsewhere.uri())),
            )
            .mount(&server)
            .await;
    }
    let auths = [
        Auth::iam_token(SECRET),
        Auth::access_token(SECRET),
        Auth::bearer(SECRET),
        Auth::ak_sk("AK", SECRET).with_security_token(SECRET),
    ];
    for auth in auths {
        // A user's builder that follows redirects (reqwest's default: up to 10).
        let with_user_builder = Client::builder()
            .endpoint(server.uri())
            .auth(auth.clone())
            .http_client_builder(reqwest::Client::builder())
            .build()
            .unwrap();
        let own = Client::builder()
            .endpoint(server.uri())
            .auth(auth)
            .build()
            .unwrap();
        for c in [with_user_builder, own] {
            for status in [301u16, 302, 307, 308] {
                let path = format!("/r{status}");
                let mut req = Request::new(Method::POST, path, "op");
                req.body(json_body(&serde_json::json!({"a": 1})).unwrap());
                let resp = c.execute(req).await.unwrap();
                assert_eq!(resp.status(), status);
                let err = resp.api_error::<serde_json::Value>().await;
                assert_eq!(err.status(), Some(status));
            }
            let token = fetch_client_credentials_token(
                &c,
                &format!("{}/r307", server.uri()),
                "id",
                &Secret::new(SECRET),
            )
            .await
            .unwrap_err();
            assert_eq!(token.status(), Some(307));
        }
    }
    let stolen = elsewhere.received_requests().await.unwrap();
    assert!(
        stolen.is_empty(),
        "another origin was contacted: {:?}",
        stolen.iter().map(|r| &r.headers).collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------
// cookies

#[test]
fn cookie_values_cannot_add_a_cookie() {
    assert_eq!(
        cookie_value("x; session=attacker"),
        "x%3B%20session=attacker"
    );
    assert_eq!(cookie_value("a,b\"c\\d%e"), "a%2Cb%22c%5Cd%25e");
    assert_eq!(cookie_value("网\r\n"), "%E7%BD%91%0D%0A");
    // Every cookie-octet but `%` is kept as it is.
    let octets: String = (0x21u8..0x7f)
        .map(char::from)
        .filter(|c| !matches!(c, '"' | ',' | ';' | '\\' | '%'))
        .collect();
    assert_eq!(cookie_value(&octets), octets);
}

#[tokio::test]
async fn a_cookie_value_stays_one_cookie_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = Client::builder().endpoint(server.uri()).build().unwrap();
    let mut req = Request::new(Method::GET, "/", "op");
    req.header(
        "Cookie",
        format!("theme={}", cookie_value("x; session=attacker")),
    );
    c.execute(req).await.unwrap();
    let r = &server.received_requests().await.unwrap()[0];
    let cookie = r.headers.get("cookie").unwrap().to_str().unwrap();
    assert_eq!(cookie, "theme=x%3B%20session=attacker");
    assert_eq!(cookie.split(';').count(), 1);
}

/// A server that answers 500 and then drips its error body past the timeout: the error
/// still says 500 and carries the request id, instead of becoming a bare timeout.
#[tokio::test]
async fn a_stalled_error_body_keeps_the_status_and_request_id() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let mut buf = [0u8; 4096];
        let _ = sock.read(&mut buf).await;
        let head = "HTTP/1.1 500 X\r\nContent-Type: application/json\r\nX-Request-Id: drip-1\r\nContent-Length: 100000\r\n\r\n{";
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if sock.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let client = Client::builder()
        .endpoint(&url)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let started = Instant::now();
    let resp = client
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .expect("the status line arrives in time");
    let err = resp.api_error::<serde_json::Value>().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.status(), Some(500), "{err}");
    assert_eq!(err.request_id(), Some("drip-1"), "{err}");
    server.abort();
}

/// A typed error that holds free-form JSON builds a tree of the body, many times its size:
/// bodies beyond `TYPED_ERROR_BYTES` are not decoded into it. The code, the message and the
/// start of the body are still there.
#[tokio::test]
async fn a_large_error_body_is_not_decoded_into_a_tree() {
    let server = MockServer::start().await;
    let mut body = String::from(r#"{"error_code":"E1","error_msg":"m","pad":["#);
    while body.len() < 2 * TYPED_ERROR_BYTES {
        body.push_str("{},");
    }
    body.push_str("{}]}");
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let client = limited(&server.uri(), 16 * MIB);
    let resp = client
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap();
    let err = resp.api_error::<serde_json::Value>().await;
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert!(api.typed::<serde_json::Value>().is_none());
    assert_eq!(api.error_code.as_deref(), Some("E1"));
    assert_eq!(api.body.len(), ERROR_BODY_BYTES);

    // A small one still decodes.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(500).set_body_raw(r#"{"error_code":"E2"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let resp = limited(&server.uri(), MIB)
        .execute(Request::new(Method::GET, "/x", "op"))
        .await
        .unwrap();
    let err = resp.api_error::<serde_json::Value>().await;
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        api.typed::<serde_json::Value>()
            .and_then(|v| v["error_code"].as_str()),
        Some("E2")
    );
}

/// A path parameter that comes out empty (an empty array, a `null`, an empty value of an
/// open enum) would send `/cases/` for `/cases/{id}`, another route: refused before sending,
/// at `path.<name>`, whatever the generated validation let through.
#[tokio::test]
async fn an_empty_path_segment_is_refused_and_not_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = Client::builder().endpoint(server.uri()).build().unwrap();
    let request = |template: &'static str, path: &str| {
        let mut req = Request::new(Method::DELETE, path, "deleteThing");
        req.path_template = Some(template);
        req
    };
    for (template, path, names) in [
        ("/things/{ids}", "/things/", vec!["path.ids"]),
        ("/a/{x}/b/{y}", "/a//b/", vec!["path.x", "path.y"]),
        ("/a/{x}.json", "/a/", vec!["path.x"]),
    ] {
        let err = client.execute(request(template, path)).await.unwrap_err();
        let Error::Validation(v) = &err else {
            panic!("{template} as {path}: {err:?}");
        };
        let got: Vec<&str> = v.violations().iter().map(|v| v.path.as_str()).collect();
        assert_eq!(got, names, "{template} as {path}");
        assert!(v.violations().iter().all(|v| v.rule == Rule::MinLength(1)));
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    // Filled segments, and a template without parameters, go out.
    for (template, path) in [("/things/{ids}", "/things/1,2"), ("/a/", "/a/")] {
        let resp = client.execute(request(template, path)).await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
