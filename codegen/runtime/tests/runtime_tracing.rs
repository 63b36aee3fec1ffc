//! The `tracing` feature: a span per request with the operation id, retry events, and no
//! secret in any output.

use codegen_runtime as runtime;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use runtime::*;
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> (Buffer, tracing::subscriber::DefaultGuard) {
    let buf = Buffer::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    (buf, tracing::subscriber::set_default(subscriber))
}

fn text(buf: &Buffer) -> String {
    String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned()
}

#[tokio::test]
async fn failed_request_is_traced_without_secrets() {
    let (buf, _guard) = capture();
    // A closed loopback port: connection refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .endpoint(format!("http://127.0.0.1:{port}"))
        .auth(Auth::ak_sk("AKTRACE", "sk-trace-secret").with_security_token("st-trace-secret"))
        .retry(RetryPolicy::new(
            1,
            Duration::from_millis(1),
            Duration::from_millis(2),
        ))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut req = Request::new(Method::GET, "/v1/cases/c-4711", "ListCases");
    req.path_template = Some("/v1/cases/{case_id}");
    let e = client.execute(req).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    let out = text(&buf);
    assert!(out.contains("operation_id=\"ListCases\""), "{out}");
    // The span names the operation by its path template.
    assert!(out.contains("path=\"/v1/cases/{case_id}\""), "{out}");
    assert!(out.contains("request failed"), "{out}");
    assert!(out.contains("retrying"), "{out}");
    assert!(out.contains("attempt=1"), "{out}");
    for secret in ["sk-trace-secret", "st-trace-secret"] {
        assert!(!out.contains(secret), "{out}");
    }
}

#[tokio::test]
async fn span_records_status_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).insert_header("X-Request-Id", "rid-42"))
        .mount(&server)
        .await;
    let (buf, _guard) = capture();
    let client = Client::builder()
        .endpoint(server.uri())
        .auth(Auth::iam_token("iam-trace-secret"))
        .build()
        .unwrap();
    let resp = client
        .execute(Request::new(Method::GET, "/v1/cases/1", "ShowCase"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let out = text(&buf);
    assert!(out.contains("operation_id=\"ShowCase\""), "{out}");
    assert!(out.contains("status=404"), "{out}");
    assert!(
        out.contains("request_id=\"rid-42\"") || out.contains("request_id=rid-42"),
        "{out}"
    );
    assert!(!out.contains("iam-trace-secret"), "{out}");
}
