//! SDK-HMAC-SHA256 signing against the 14 vectors produced by Huawei's own SDK signer
//! (`shared/reference/signing_vectors.json`): the pure functions byte for byte, and the
//! whole client pipeline (URL and query encoding, headers, signature) for every vector.

use codegen_runtime as runtime;

use std::time::SystemTime;

use runtime::__private::encode_path_segment;
use runtime::__private::parse_http_date;
use runtime::signing::{self, canonical_query, canonical_uri, sdk_date, sign_request};
use runtime::{Auth, Body, Client, Request};
use serde_json::Value;

fn shared_file(name: &str) -> Value {
    let path = format!(
        "{}/../../../shared/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e} (the signing tests need it)"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn vectors() -> Vec<Value> {
    let doc = shared_file("signing_vectors.json");
    let v = doc["vectors"].as_array().expect("vectors array").clone();
    assert_eq!(v.len(), 14, "expected 14 signing vectors");
    v
}

/// A JSON scalar as the SDK renders it in a query or path: strings as they are, numbers
/// and booleans as JSON text (`True` → `true`).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| (text(&p[0]), text(&p[1])))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
}

fn header_list(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .expect("headers object")
        .iter()
        .map(|(k, v)| (k.clone(), text(v)))
        .collect()
}

fn vector_time(date: &str) -> SystemTime {
    // 20240115T083000Z
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let y = &date[0..4];
    let m: usize = date[4..6].parse().expect("month");
    let d = &date[6..8];
    let http = format!(
        "Mon, {d} {} {y} {}:{}:{} GMT",
        months[m - 1],
        &date[9..11],
        &date[11..13],
        &date[13..15]
    );
    parse_http_date(&http).expect("date")
}

#[test]
fn sdk_date_formats_utc() {
    for v in vectors() {
        let date = v["inputs"]["date"].as_str().expect("date");
        assert_eq!(sdk_date(vector_time(date)), date);
    }
    assert_eq!(sdk_date(SystemTime::UNIX_EPOCH), "19700101T000000Z");
    assert_eq!(
        sdk_date(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT").expect("leap day")),
        "20240229T235959Z"
    );
}

/// The pure functions: from the URL and headers of each vector, the canonical request,
/// string to sign and Authorization, byte for byte.
#[test]
fn pure_signing_matches_every_vector() {
    for v in vectors() {
        let name = v["name"].as_str().expect("name");
        let inputs = &v["inputs"];
        let out = &v["outputs"];
        let url = url::Url::parse(out["url"].as_str().expect("url")).expect("url parses");
        let headers: Vec<(String, String)> = header_list(&out["headers"])
            .into_iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
            .collect();
        let body = if v["family"] == "raw" {
            inputs["body"].as_str().map(|s| s.as_bytes().to_vec())
        } else {
            out["body_bytes_utf8"]
                .as_str()
                .map(|s| s.as_bytes().to_vec())
        };
        let signed = sign_request(
            out["method"]
                .as_str()
                .or(inputs["method"].as_str())
                .expect("method"),
            &url,
            &headers,
            body.as_deref(),
            inputs["ak"].as_str().expect("ak"),
            inputs["sk"].as_str().expect("sk"),
            inputs["date"].as_str().expect("date"),
        );
        assert_eq!(
            signed.canonical_request, out["canonical_request"],
            "{name}: canonical request"
        );
        assert_eq!(
            signed.string_to_sign, out["string_to_sign"],
            "{name}: string to sign"
        );
        assert_eq!(
            signed.authorization, out["authorization"],
            "{name}: authorization"
        );

        // The body hash of the pipeline vectors.
        if let Some(sha) = out["body_sha256"].as_str() {
            assert_eq!(
                signing::sha256_hex(body.as_deref().unwrap_or_default()),
                sha,
                "{name}: body sha256"
            );
        }
        // The query on the wire is the canonical query of the raw pairs.
        let raw_pairs = if v["family"] == "raw" {
            pairs(&inputs["query_params"])
        } else {
            pairs(&out["query_params_after_client"])
        };
        assert_eq!(
            canonical_query(&raw_pairs),
            url.query().unwrap_or(""),
            "{name}: query"
        );
    }
}

#[test]
fn canonical_uri_decodes_then_encodes_each_segment() {
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri("/v2/a"), "/v2/a/");
    assert_eq!(canonical_uri("/v2/a/"), "/v2/a/");
    assert_eq!(canonical_uri("/c/a%2Fb%25c/x"), "/c/a/b%25c/x/");
    assert_eq!(
        canonical_uri("/c/CS%202024%2B%C3%BC%26%3D~%28x%29"),
        "/c/CS%202024%2B%C3%BC%26%3D~%28x%29/"
    );
}

#[test]
fn canonical_headers_skip_underscores_sort_and_trim() {
    let (canonical, signed) = signing::canonical_headers(&[
        ("X-B".to_owned(), "  two ".to_owned()),
        ("X_Skip".to_owned(), "v".to_owned()),
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("x-b".to_owned(), "three".to_owned()),
    ]);
    assert_eq!(canonical, "content-type:application/json\nx-b:two,three\n");
    assert_eq!(signed, "content-type;x-b");
}

#[test]
fn payload_hash_variants() {
    assert_eq!(
        signing::payload_hash(None, false),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(signing::payload_hash(Some(b"x"), true), "UNSIGNED-PAYLOAD");
}

/// Where each operation's path template is, from the SDK's operation table.
fn path_templates() -> std::collections::HashMap<String, String> {
    let ops = shared_file("osm_ops.json");
    ops["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|o| {
            (
                o["operation"].as_str().unwrap_or_default().to_owned(),
                o["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Headers the client adds itself (the rest of a vector's headers are the operation's
/// own header parameters).
const CLIENT_HEADERS: [&str; 7] = [
    "content-type",
    "x-sdk-date",
    "user-agent",
    "x-domain-id",
    "host",
    "authorization",
    "x-security-token",
];

fn expand_path(template: &str, model: &Value) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        let name = &rest[start + 1..end];
        out.push_str(&encode_path_segment(&text(&model[name])));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every vector through the client: the same URL (path encoding, sorted encoded query),
/// the same header set and values, the same Authorization, as the SDK sent.
#[tokio::test]
async fn client_pipeline_matches_every_vector() {
    let templates = path_templates();
    for v in vectors() {
        let name = v["name"].as_str().expect("name");
        let inputs = &v["inputs"];
        let out = &v["outputs"];
        let mut auth = Auth::ak_sk(
            inputs["ak"].as_str().expect("ak"),
            inputs["sk"].as_str().expect("sk"),
        )
        .with_domain_id(inputs["domain_id"].as_str().expect("domain"));
        if let Some(token) = inputs["security_token"].as_str() {
            auth = auth.with_security_token(token);
        }
        let mut builder = Client::builder()
            .auth(auth)
            .retry(runtime::RetryPolicy::none());

        let req = if v["family"] == "pipeline" {
            builder = builder
                .endpoint(inputs["endpoint"].as_str().expect("endpoint"))
                .user_agent(format!(
                    "huaweicloud-usdk-python/3.0; {}",
                    inputs["user_agent_config"].as_str().expect("ua")
                ))
                // The SDK sends Content-Type: application/json on body-less requests too.
                .default_header("Content-Type", "application/json");
            let op = inputs["operation"].as_str().expect("operation");
            let template = templates.get(op).expect("operation in osm_ops.json");
            let path = expand_path(template, &inputs["request_model"]);
            assert_eq!(
                path, out["resource_path_on_wire"],
                "{name}: path on the wire"
            );
            let method = reqwest::Method::from_bytes(out["method"].as_str().expect("m").as_bytes())
                .expect("method");
            let mut req = Request::new(method, path, "vector");
            req.query_pairs(pairs(&out["query_params_after_client"]));
            for (k, val) in header_list(&out["headers"]) {
                if !CLIENT_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
                    req.header(k, val);
                }
            }
            if let Some(body) = out["body_bytes_utf8"].as_str() {
                req.body(Body::Json(body.as_bytes().to_vec()));
            }
            req
        } else {
            let url = url::Url::parse(inputs["url"].as_str().expect("url")).expect("url");
            builder = builder
                .endpoint(format!(
                    "{}://{}",
                    url.scheme(),
                    url.host_str().expect("host")
                ))
                // The SDK's raw requests carry no User-Agent: the hook removes ours
                // before signing, so the signature covers exactly what is sent.
                .on_request(|r| {
                    r.headers_mut().remove(reqwest::header::USER_AGENT);
                });
            let method =
                reqwest::Method::from_bytes(inputs["method"].as_str().expect("m").as_bytes())
                    .expect("method");
            let mut req = Request::new(method, url.path(), "vector");
            req.query_pairs(pairs(&inputs["query_params"]));
            let mut content_type = None;
            for (k, val) in header_list(&inputs["headers"]) {
                match k.to_ascii_lowercase().as_str() {
                    "x-sdk-date" => {}
                    "content-type" => content_type = Some(val),
                    _ => {
                        req.header(k, val);
                    }
                }
            }
            match (inputs["body"].as_str(), content_type) {
                (Some(body), Some(ct)) => {
                    req.body(Body::Bytes {
                        content_type: ct,
                        data: bytes::Bytes::from(body.as_bytes().to_vec()),
                    });
                }
                (None, Some(ct)) => {
                    req.header("Content-Type", ct);
                }
                (Some(_), None) => panic!("{name}: a body without content type"),
                (None, None) => {}
            }
            req
        };
        let client = builder.build().expect("client");
        let date = inputs["date"].as_str().expect("date");
        let prepared = client
            .prepare_at(&req, vector_time(date))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        assert_eq!(prepared.url().as_str(), out["url"], "{name}: URL");
        let expected = header_list(&out["headers"]);
        for (k, val) in &expected {
            let got = prepared
                .headers()
                .get(k.as_str())
                .unwrap_or_else(|| panic!("{name}: header {k} missing"));
            // The SDK trims values before sending; the signature covers trimmed values.
            assert_eq!(
                got.to_str().expect("ascii").trim(),
                val,
                "{name}: header {k}"
            );
        }
        let mut got_names: Vec<String> = prepared
            .headers()
            .keys()
            .map(|k| k.as_str().to_owned())
            .collect();
        got_names.sort();
        got_names.dedup();
        let mut want_names: Vec<String> = expected
            .iter()
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect();
        want_names.sort();
        assert_eq!(got_names, want_names, "{name}: header set");

        // And the canonical request of what is sent is the vector's.
        let sent: Vec<(String, String)> = prepared
            .headers()
            .iter()
            .filter(|(k, _)| *k != reqwest::header::AUTHORIZATION)
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().expect("ascii").to_owned()))
            .collect();
        let signed = sign_request(
            prepared.method().as_str(),
            prepared.url(),
            &sent,
            prepared.body().and_then(|b| b.as_bytes()),
            inputs["ak"].as_str().expect("ak"),
            inputs["sk"].as_str().expect("sk"),
            date,
        );
        assert_eq!(signed.canonical_request, out["canonical_request"], "{name}");
        assert_eq!(signed.string_to_sign, out["string_to_sign"], "{name}");
    }
}
