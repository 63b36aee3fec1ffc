//! Client options: regions by name, an explicit proxy (a loopback TCP server playing it).

use codegen_runtime as runtime;

use std::time::Duration;

use reqwest::Method;
use runtime::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ALL: &[(&str, &str)] = &[
    ("CN_SOUTH_1", "https://osm.cn-south-1.example.com"),
    ("AP_SOUTHEAST_3", "https://osm.ap-southeast-3.example.com"),
];

#[test]
fn regions_by_name() {
    assert_eq!(
        endpoint_for_region(ALL, "cn-south-1").unwrap(),
        "https://osm.cn-south-1.example.com"
    );
    assert_eq!(
        endpoint_for_region(ALL, "AP_SOUTHEAST_3").unwrap(),
        "https://osm.ap-southeast-3.example.com"
    );
    let e = endpoint_for_region(ALL, "mars-1").unwrap_err().to_string();
    assert!(e.contains("\"mars-1\""), "{e}");
    assert!(e.contains("known: CN_SOUTH_1, AP_SOUTHEAST_3"), "{e}");
}

#[tokio::test]
async fn explicit_proxy_receives_the_request() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        // Bounded: read until the end of the head, at most 64 KiB.
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65_536 {
            let n = sock.read(&mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
            .await
            .unwrap();
        String::from_utf8_lossy(&buf).into_owned()
    });
    let client = Client::builder()
        .endpoint("http://api.example.test/base")
        .proxy(proxy)
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let resp = client
        .execute(Request::new(Method::GET, "/v1/things", "ListThings"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let head = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap();
    assert!(
        head.starts_with("GET http://api.example.test/base/v1/things HTTP/1.1\r\n"),
        "{head}"
    );
}

#[test]
fn bad_proxy_url_is_refused_without_its_password() {
    let e = Client::builder()
        .endpoint("http://api.example.test")
        .proxy("http://user:hunter2@[::1")
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid proxy URL"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
    let b = Client::builder()
        .proxy("http://user:hunter2@127.0.0.1:3128")
        .no_proxy();
    let shown = format!("{b:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("no_proxy: true"),
        "{shown}"
    );
}

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_refused_connection_fails_over_to_the_next_endpoint_even_for_a_post() {
    use wiremock::{matchers::any, Mock, MockServer, ResponseTemplate};
    let second = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&second)
        .await;
    let c = Client::builder()
        .endpoint(format!("http://127.0.0.1:{}/base", closed_port()))
        .fallback_endpoints([format!("{}/base", second.uri())])
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut req = Request::new(Method::POST, "/cases", "createCase");
    req.idempotent = false;
    let resp = c.execute(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let got = second.received_requests().await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].url.path(), "/base/cases");
    assert_eq!(got[0].method.as_str(), "POST");
}

#[tokio::test]
async fn a_post_that_reached_a_server_is_not_sent_to_the_next() {
    use wiremock::{matchers::any, Mock, MockServer, ResponseTemplate};
    // The first server reads the request, then closes the connection without an answer.
    let first = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let first_addr = first.local_addr().unwrap();
    let reader = tokio::spawn(async move {
        let (mut s, _) = first.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).await.unwrap();
        drop(s);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    let second = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&second)
        .await;
    let c = Client::builder()
        .endpoint(format!("http://{first_addr}"))
        .fallback_endpoints([second.uri()])
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut req = Request::new(Method::POST, "/cases", "createCase");
    req.idempotent = false;
    let err = c.execute(req).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let seen = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap();
    assert!(seen.starts_with("POST /cases"), "{seen}");
    assert!(
        second.received_requests().await.unwrap().is_empty(),
        "the POST was sent again to the fallback"
    );
}

#[test]
fn a_bad_fallback_endpoint_is_refused_when_building() {
    let err = Client::builder()
        .endpoint("https://a.example.com")
        .fallback_endpoints(["ftp://b.example.com"])
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
