//! Per-request overhead of the generated client against hand-written reqwest code doing the
//! same request (`POST /v2/servicerequest/cases`, same JSON body, same headers) to the same
//! local HTTP server on 127.0.0.1 (hyper, answering `{"incident_id":"123"}`), in the same run.
//!
//! ```text
//! cargo bench -p pipeline-tests --bench request_overhead
//! ```
//!
//! Both clients run on one current-thread tokio runtime on the bench thread; the server runs on
//! its own thread with its own current-thread runtime, accepts only on 127.0.0.1, and stops by
//! itself after `SERVER_LIFETIME` or `SERVER_MAX_REQUESTS`, whichever comes first. Criterion
//! bounds each benchmark by time (`BENCH_SECS`, default 5 s of measurement).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use generated_client::osm;
use generated_client::osm::types::CreateCaseRequest;
use generated_client::runtime::__private::DEFAULT_USER_AGENT;
use generated_client::runtime::Auth;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};

const TOKEN: &str = "iam-token-bench";
const PATH: &str = "/v2/servicerequest/cases";
const ANSWER: &str = r#"{"incident_id":"123"}"#;
const SERVER_LIFETIME: Duration = Duration::from_secs(30 * 60);
const SERVER_MAX_REQUESTS: u64 = 20_000_000;

// ---------------------------------------------------------------------------------------
// the server

/// What the server saw last: method, path, header names (lowercase, sorted) and body.
type Seen = Arc<Mutex<Option<(String, String, Vec<String>, Bytes)>>>;

async fn answer(
    req: hyper::Request<Incoming>,
    seen: Seen,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let mut names: Vec<String> = req
        .headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .collect();
    names.sort();
    // Read the whole body, as a real server would.
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if let Ok(mut s) = seen.lock() {
        *s = Some((method, path, names, body));
    }
    let resp = hyper::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("x-request-id", "bench-request")
        .body(Full::new(Bytes::from_static(ANSWER.as_bytes())))
        .unwrap_or_default();
    Ok(resp)
}

/// Starts the server on 127.0.0.1 on its own thread; returns its address.
fn start_server(seen: Seen) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("local addr");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let served = Arc::new(AtomicU64::new(0));
            let accept = async {
                while served.load(Ordering::Relaxed) < SERVER_MAX_REQUESTS {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let seen = seen.clone();
                    let served = served.clone();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req| {
                            served.fetch_add(1, Ordering::Relaxed);
                            answer(req, seen.clone())
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
            };
            // Bounded in time: the server stops by itself.
            let _ = tokio::time::timeout(SERVER_LIFETIME, accept).await;
        });
    });
    addr
}

// ---------------------------------------------------------------------------------------
// the request, generated and by hand

/// A full valid body: every field of the document's table set.
fn generated_body() -> CreateCaseRequest {
    let mut extends = BTreeMap::new();
    extends.insert(
        "source".to_owned(),
        serde_json::Value::String("bench".into()),
    );
    CreateCaseRequest {
        incident_sub_type_id: Some("sub-1".into()),
        product_category_id: Some("product-1".into()),
        business_type_id: "5".into(),
        region_id: Some("cn-north-4".into()),
        simple_description: "The ECS instance does not start after a reboot.".into(),
        source_id: "83aeb0f2834c4df49826c781d32a963e".into(),
        remind_mobile: Some("13800000000".into()),
        remind_mail: Some("ops@example.com".into()),
        remind_time: Some("09:00".into()),
        project_id: Some("0123456789abcdef0123456789abcdef".into()),
        accessory_ids: Some(vec!["att-1".into(), "att-2".into()]),
        extends_map: Some(extends.clone()),
        extension_map: Some(extends),
        severity_id: Some("2".into()),
        verify_code: Some("123456".into()),
        area_code: Some("86".into()),
    }
}

/// What hand-written code would declare: the same fields, serde only, no validation.
#[derive(Clone, Serialize)]
struct HandCase {
    incident_sub_type_id: String,
    product_category_id: String,
    business_type_id: String,
    region_id: String,
    simple_description: String,
    source_id: String,
    remind_mobile: String,
    remind_mail: String,
    remind_time: String,
    project_id: String,
    accessory_ids: Vec<String>,
    extends_map: BTreeMap<String, serde_json::Value>,
    extension_map: BTreeMap<String, serde_json::Value>,
    severity_id: String,
    verify_code: String,
    area_code: String,
}

#[derive(Deserialize)]
struct HandCaseResponse {
    incident_id: Option<String>,
}

fn hand_body() -> HandCase {
    let g = generated_body();
    HandCase {
        incident_sub_type_id: g.incident_sub_type_id.unwrap_or_default(),
        product_category_id: g.product_category_id.unwrap_or_default(),
        business_type_id: g.business_type_id,
        region_id: g.region_id.unwrap_or_default(),
        simple_description: g.simple_description,
        source_id: g.source_id,
        remind_mobile: g.remind_mobile.unwrap_or_default(),
        remind_mail: g.remind_mail.unwrap_or_default(),
        remind_time: g.remind_time.unwrap_or_default(),
        project_id: g.project_id.unwrap_or_default(),
        accessory_ids: g.accessory_ids.unwrap_or_default(),
        extends_map: g.extends_map.unwrap_or_default(),
        extension_map: g.extension_map.unwrap_or_default(),
        severity_id: g.severity_id.unwrap_or_default(),
        verify_code: g.verify_code.unwrap_or_default(),
        area_code: g.area_code.unwrap_or_default(),
    }
}

/// Hand-written reqwest: serialize, POST with the same headers, check the status, parse.
async fn hand_send(
    http: &reqwest::Client,
    url: &str,
    body: HandCase,
    auth: bool,
) -> Option<String> {
    let bytes = serde_json::to_vec(&body).ok()?;
    let mut rq = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, DEFAULT_USER_AGENT)
        .timeout(Duration::from_secs(30));
    if auth {
        rq = rq.header("x-auth-token", TOKEN);
    }
    let resp = rq.body(bytes).send().await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let data = resp.bytes().await.ok()?;
    serde_json::from_slice::<HandCaseResponse>(&data)
        .ok()?
        .incident_id
}

fn osm_client(url: &str, auth: Auth) -> osm::Client {
    osm::Client::new(
        osm::Client::builder()
            .endpoint(url)
            .auth(auth)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
    )
}

fn hand_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

fn take_seen(seen: &Seen) -> (String, String, Vec<String>, serde_json::Value) {
    let s = seen
        .lock()
        .expect("lock")
        .take()
        .expect("the server saw a request");
    let json = serde_json::from_slice(&s.3).expect("JSON body");
    (s.0, s.1, s.2, json)
}

/// The four round trips interleaved: rounds of `BATCH` requests per variant, the order rotated
/// each round, so drift in the machine's load hits all variants alike. Prints the median
/// per-request time of each and the ratios. Bounded by `ROUNDS` and `INTERLEAVED_LIMIT`.
#[allow(clippy::too_many_arguments)]
fn interleaved(
    rt: &tokio::runtime::Runtime,
    plain: &osm::Client,
    signed: &osm::Client,
    http: &reqwest::Client,
    url: &str,
    body: &CreateCaseRequest,
    hand: &HandCase,
) {
    const BATCH: u32 = 200;
    const INTERLEAVED_LIMIT: Duration = Duration::from_secs(120);
    let rounds: usize = std::env::var("INTERLEAVED_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let names = [
        "hand_written_reqwest (x-auth-token)",
        "generated_client (iam token)",
        "hand_written_reqwest_no_auth",
        "generated_client_ak_sk_signed",
    ];
    let mut per: [Vec<f64>; 4] = Default::default();
    let deadline = Instant::now() + INTERLEAVED_LIMIT;
    for round in 0..rounds {
        if Instant::now() > deadline {
            break;
        }
        for k in 0..4 {
            let v = (k + round) % 4;
            let t = Instant::now();
            rt.block_on(async {
                for _ in 0..BATCH {
                    match v {
                        0 => {
                            black_box(hand_send(http, url, hand.clone(), true).await);
                        }
                        1 => {
                            black_box(plain.create_case(body.clone()).send().await.ok());
                        }
                        2 => {
                            black_box(hand_send(http, url, hand.clone(), false).await);
                        }
                        _ => {
                            black_box(signed.create_case(body.clone()).send().await.ok());
                        }
                    }
                }
            });
            per[v].push(t.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let m: Vec<f64> = per.iter_mut().map(median).collect();
    println!(
        "interleaved: {} rounds x {BATCH} requests per variant, median per request",
        per[0].len()
    );
    for (name, t) in names.iter().zip(&m) {
        println!("  {name:<40} {t:>8.2} us");
    }
    println!(
        "  ratio generated / hand-written (same headers)      {:.3}  (+{:.2} us)",
        m[1] / m[0],
        m[1] - m[0]
    );
    println!(
        "  ratio generated AK/SK signed / hand-written no auth {:.3}  (+{:.2} us)",
        m[3] / m[2],
        m[3] - m[2]
    );
}

fn benches(c: &mut Criterion) {
    let seen: Seen = Arc::new(Mutex::new(None));
    let addr = start_server(seen.clone());
    let base = format!("http://{addr}");
    let url = format!("{base}{PATH}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");

    let plain = osm_client(&base, Auth::iam_token(TOKEN));
    let signed = osm_client(&base, Auth::ak_sk("AK", "SK").with_domain_id("d"));
    let http = hand_client();
    let body = generated_body();
    let hand = hand_body();

    // The two requests are the same on the wire: method, path, header names, JSON body.
    let got = rt
        .block_on(plain.create_case(body.clone()).send())
        .expect("generated client");
    assert_eq!(got.incident_id.as_deref(), Some("123"));
    let generated_seen = take_seen(&seen);
    let got = rt.block_on(hand_send(&http, &url, hand.clone(), true));
    assert_eq!(got.as_deref(), Some("123"));
    let hand_seen = take_seen(&seen);
    assert_eq!(
        generated_seen, hand_seen,
        "generated and hand-written requests differ"
    );
    eprintln!(
        "same request on the wire: {} {} headers {:?}",
        hand_seen.0, hand_seen.1, hand_seen.2
    );
    rt.block_on(signed.create_case(body.clone()).send())
        .expect("signed request");
    let signed_seen = take_seen(&seen);
    eprintln!("signed request headers: {:?}", signed_seen.2);

    interleaved(&rt, &plain, &signed, &http, &url, &body, &hand);

    let mut g = c.benchmark_group("create_case");
    g.bench_function("hand_written_reqwest", |b| {
        b.iter(|| black_box(rt.block_on(hand_send(&http, &url, black_box(hand.clone()), true))))
    });
    g.bench_function("generated_client", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(plain.create_case(black_box(body.clone())).send())
                    .ok(),
            )
        })
    });
    g.bench_function("hand_written_reqwest_no_auth", |b| {
        b.iter(|| black_box(rt.block_on(hand_send(&http, &url, black_box(hand.clone()), false))))
    });
    g.bench_function("generated_client_ak_sk_signed", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(signed.create_case(black_box(body.clone())).send())
                    .ok(),
            )
        })
    });
    g.finish();

    let mut g = c.benchmark_group("create_case_cpu");
    let builder = plain.create_case(body.clone());
    g.bench_function("validate", |b| {
        b.iter(|| black_box(black_box(&builder).validate()))
    });
    g.bench_function("request_validate_and_serialize", |b| {
        b.iter(|| black_box(black_box(&builder).request().ok()))
    });
    g.bench_function("hand_written_serialize", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&hand)).ok()))
    });
    g.bench_function("body_clone_generated", |b| {
        b.iter(|| black_box(black_box(&body).clone()))
    });
    g.bench_function("body_clone_hand_written", |b| {
        b.iter(|| black_box(black_box(&hand).clone()))
    });
    g.finish();
}

fn config() -> Criterion {
    let secs = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(secs))
        .sample_size(50)
}

criterion_group! {
    name = request_overhead;
    config = config();
    targets = benches
}
criterion_main!(request_overhead);
