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
use std::time::{Duration, Instant, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion};
use generated_client::osm;
use generated_client::osm::types::CreateCaseRequest;
use generated_client::runtime::__private::DEFAULT_USER_AGENT;
use generated_client::runtime::{signing, Auth};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Counts the heap allocations of each thread, to report how many each kind of request
/// makes on the client's thread (the server's thread is not counted).
struct CountingAlloc;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn count_allocation() {
    // `try_with`: during thread teardown the counter may be gone; nothing is counted then.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        count_allocation();
        // SAFETY: the caller's contract is passed on.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        count_allocation();
        // SAFETY: the caller's contract is passed on.
        unsafe { std::alloc::System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

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
    hand_read(resp).await
}

/// What hand-written code does with the answer: checks the status and parses the one field.
async fn hand_read(resp: reqwest::Response) -> Option<String> {
    if !resp.status().is_success() {
        return None;
    }
    let data = resp.bytes().await.ok()?;
    serde_json::from_slice::<HandCaseResponse>(&data)
        .ok()?
        .incident_id
}

/// The headers a hand-written AK/SK client signs for this one request, in canonical order.
const HAND_SIGNED_HEADERS: &str = "content-type;host;user-agent;x-domain-id;x-sdk-date";

/// SDK-HMAC-SHA256 written by hand for this one request (`POST`, no query, the five headers
/// above), as a careful client that signs only this request would: one `format!` for the
/// canonical request, SHA-256 and HMAC from RustCrypto. The date is formatted by the
/// runtime's `sdk_date` (a hand-written client would use a date crate).
fn hand_authorization(date: &str, host: &str, body: &[u8]) -> String {
    let canonical = format!(
        "POST\n{PATH}/\n\ncontent-type:application/json\nhost:{host}\nuser-agent:{DEFAULT_USER_AGENT}\nx-domain-id:d\nx-sdk-date:{date}\n\n{HAND_SIGNED_HEADERS}\n{}",
        hex::encode(Sha256::digest(body))
    );
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"SK").expect("any key length");
    mac.update(to_sign.as_bytes());
    format!(
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders={HAND_SIGNED_HEADERS}, Signature={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Hand-written reqwest with hand-written AK/SK signing: the same request as the generated
/// client signed with `Auth::ak_sk("AK", "SK").with_domain_id("d")`.
async fn hand_send_signed(
    http: &reqwest::Client,
    url: &str,
    host: &str,
    body: HandCase,
) -> Option<String> {
    let bytes = serde_json::to_vec(&body).ok()?;
    let date = signing::sdk_date(SystemTime::now());
    let authorization = hand_authorization(&date, host, &bytes);
    let resp = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, DEFAULT_USER_AGENT)
        .header(reqwest::header::HOST, host)
        .header("x-domain-id", "d")
        .header("x-sdk-date", date)
        .header(reqwest::header::AUTHORIZATION, authorization)
        .timeout(Duration::from_secs(30))
        .body(bytes)
        .send()
        .await
        .ok()?;
    hand_read(resp).await
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
    host: &str,
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
        "hand_written_reqwest_ak_sk_signed",
    ];
    const VARIANTS: usize = 5;
    let mut per: [Vec<f64>; VARIANTS] = Default::default();
    // For profiling one variant against another: `INTERLEAVED_VARIANTS=0,1` runs only those
    // (numbered as in `names`); the others then print NaN.
    let only: Vec<usize> = std::env::var("INTERLEAVED_VARIANTS")
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    // Heap allocations per request on the client's thread (request, connection task and
    // response), each variant alone.
    const COUNTED: u32 = 200;
    let mut allocations = [0f64; VARIANTS];
    for (v, slot) in allocations.iter_mut().enumerate() {
        let before = ALLOCATIONS.with(std::cell::Cell::get);
        rt.block_on(async {
            for _ in 0..COUNTED {
                match v {
                    0 => drop(hand_send(http, url, hand.clone(), true).await),
                    1 => drop(plain.create_case(body.clone()).send().await),
                    2 => drop(hand_send(http, url, hand.clone(), false).await),
                    3 => drop(signed.create_case(body.clone()).send().await),
                    _ => drop(hand_send_signed(http, url, host, hand.clone()).await),
                }
            }
        });
        let after = ALLOCATIONS.with(std::cell::Cell::get);
        *slot = (after - before) as f64 / f64::from(COUNTED);
    }
    let deadline = Instant::now() + INTERLEAVED_LIMIT;
    for round in 0..rounds {
        if Instant::now() > deadline {
            break;
        }
        for k in 0..VARIANTS {
            let v = (k + round) % VARIANTS;
            if !only.is_empty() && !only.contains(&v) {
                continue;
            }
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
                        3 => {
                            black_box(signed.create_case(body.clone()).send().await.ok());
                        }
                        _ => {
                            black_box(hand_send_signed(http, url, host, hand.clone()).await);
                        }
                    }
                }
            });
            per[v].push(t.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let m: Vec<f64> = per.iter_mut().map(median).collect();
    println!(
        "interleaved: {} rounds x {BATCH} requests per variant, median per request",
        rounds.min(per.iter().map(Vec::len).max().unwrap_or(0))
    );
    for ((name, t), a) in names.iter().zip(&m).zip(&allocations) {
        println!("  {name:<40} {t:>8.2} us   {a:>6.1} allocations");
    }
    println!(
        "  ratio generated / hand-written (same headers)      {:.3}  (+{:.2} us)",
        m[1] / m[0],
        m[1] - m[0]
    );
    println!(
        "  ratio generated AK/SK signed / hand-written signed  {:.3}  (+{:.2} us)",
        m[3] / m[4],
        m[3] - m[4]
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
    let host = addr.to_string();
    let got = rt.block_on(hand_send_signed(&http, &url, &host, hand.clone()));
    assert_eq!(got.as_deref(), Some("123"));
    assert_eq!(
        signed_seen,
        take_seen(&seen),
        "generated and hand-written signed requests differ"
    );
    // The hand-written signature is the one the generated client computes for the same
    // request at the same time.
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let req = plain.create_case(body.clone()).request().expect("request");
    let prepared = rt
        .block_on(signed.runtime().prepare_at(&req, at))
        .expect("signed request");
    let header = |name: &str| {
        prepared
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let sent_body = prepared
        .body()
        .and_then(|b| b.as_bytes())
        .unwrap_or_default();
    assert_eq!(
        header("authorization"),
        hand_authorization(&signing::sdk_date(at), &host, sent_body),
        "the hand-written signature differs from the generated client's"
    );

    eprintln!(
        "future sizes: generated send {} bytes, hand-written {} bytes",
        std::mem::size_of_val(&plain.create_case(body.clone()).send()),
        std::mem::size_of_val(&hand_send(&http, &url, hand.clone(), true))
    );
    interleaved(&rt, &plain, &signed, &http, &url, &host, &body, &hand);

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
    g.bench_function("hand_written_reqwest_ak_sk_signed", |b| {
        b.iter(|| {
            black_box(rt.block_on(hand_send_signed(
                &http,
                &url,
                &host,
                black_box(hand.clone()),
            )))
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
    // Everything between the request and the wire, without sending: the generated client's
    // plan, URL, default headers and auth (`prepare`), against reqwest's builder alone.
    let req = builder.request().expect("request");
    g.bench_function("prepare_iam_token", |b| {
        b.iter(|| black_box(rt.block_on(plain.runtime().prepare(black_box(&req))).ok()))
    });
    g.bench_function("prepare_ak_sk_signed", |b| {
        b.iter(|| black_box(rt.block_on(signed.runtime().prepare(black_box(&req))).ok()))
    });
    let hand_bytes = serde_json::to_vec(&hand).expect("hand body");
    g.bench_function("hand_written_build", |b| {
        b.iter(|| {
            black_box(
                http.post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(reqwest::header::USER_AGENT, DEFAULT_USER_AGENT)
                    .header("x-auth-token", TOKEN)
                    .timeout(Duration::from_secs(30))
                    .body(black_box(hand_bytes.clone()))
                    .build()
                    .ok(),
            )
        })
    });
    // The response side: a 200 with the server's headers and body, decoded by the
    // generated code (body limit, business-error check, typed decode) and by hand.
    let answer = || {
        reqwest::Response::from(
            hyper::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("x-request-id", "bench-request")
                .body(ANSWER)
                .expect("response"),
        )
    };
    g.bench_function("decode_generated", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(
                    generated_client::runtime::Response::new(answer())
                        .decode::<generated_client::osm::types::CreateCaseResponse>(Some(
                        generated_client::runtime::__private::BusinessRule {
                            code: "error_code",
                            message: "error_msg",
                            success: &[""],
                        },
                    )),
                )
                .ok(),
            )
        })
    });
    g.bench_function("decode_hand_written", |b| {
        b.iter(|| black_box(rt.block_on(hand_read(answer()))))
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
