//! The client's `tracing` output with `tracing-subscriber`: one span per request (operation
//! id, method, path template, attempt, status, request id, duration) and events for retries,
//! with no credential in any field.
//!
//! ```text
//! cargo run -p codegen-runtime --example tracing --features tracing,huawei-aksk [ENDPOINT]
//! ```
//!
//! Without an endpoint it sends to a loopback port where nothing listens, so the output shows a
//! connection failure, the retries and the failed request.

use std::time::Duration;

use codegen_runtime::__private::Method;
use codegen_runtime::{Auth, Client, Request, RetryPolicy};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .init();
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9".to_string());
    let client = Client::builder()
        .endpoint(&endpoint)
        .auth(Auth::ak_sk(
            "AK-EXAMPLE",
            "this secret never shows in the log",
        ))
        .retry(RetryPolicy::new(
            2,
            Duration::from_millis(50),
            Duration::from_millis(200),
        ))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a valid endpoint");
    let mut req = Request::new(
        Method::GET,
        "/v2/servicerequest/cases/4711",
        "showCaseDetail",
    );
    req.path_template = Some("/v2/servicerequest/cases/{case_id}");
    match client.execute(req).await {
        Ok(resp) => println!("HTTP {}", resp.status()),
        Err(e) => println!("failed: {e}"),
    }
}
