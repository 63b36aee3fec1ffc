//! Wire tests of every operation of both specs that tests/wire.rs does not cover, against a
//! local HTTP server (wiremock): for each one the exact request (method, path with its
//! parameters encoded, every query pair in order, the shared headers, the JSON body built
//! from the spec's request example) and the typed response decoded from the spec's 200
//! example, compared field by field with the example (nothing lost). Then paging through
//! `into_stream`, the attachment download (file name, type, bytes saved), the multipart
//! upload, and the AICC client-credentials token.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use generated_client::runtime::stream::StreamExt as _;
use generated_client::runtime::{Auth, Error, RetryPolicy, Upload};
use generated_client::{aicc_case, osm};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use wiremock::matchers::{any, body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use aicc_case::types as at;
use osm::types as ot;

// ---------------------------------------------------------------------------------------
// the specs

const OSM: &str = "osm.yaml";
const AICC: &str = "aicc-case.yaml";
const TOKEN: &str = "iam-token-4711";
const AICC_TOKEN: &str = "aicc-token-0815";
const AICC_BASE: &str = "/service/AICC__Case/1.0.0";

/// Operations whose wire format tests/wire.rs already asserts.
const COVERED_BY_WIRE_RS: &[(&str, &str)] = &[
    (OSM, "createCase"),
    (OSM, "updateContactInfo"),
    (OSM, "createRelations"),
    (OSM, "operateCase"),
    (AICC, "modifyCase"),
];

fn spec(file: &str) -> &'static Value {
    static SPECS: OnceLock<(Value, Value)> = OnceLock::new();
    let load = |f: &str| {
        let p = format!("{}/spec/{f}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&p).expect("spec");
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
        serde_json::to_value(yaml).expect("json")
    };
    let (osm, aicc) = SPECS.get_or_init(|| (load(OSM), load(AICC)));
    if file == OSM {
        osm
    } else {
        aicc
    }
}

/// Follows `$ref`s within the document.
fn deref<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => deref(spec, spec.pointer(&r[1..]).unwrap_or_else(|| panic!("{r}"))),
        None => v,
    }
}

/// Every operation of a spec: (operationId, method, path template, operation).
fn operations(file: &str) -> Vec<(String, String, String, &'static Value)> {
    let mut out = Vec::new();
    for (path, item) in spec(file)["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.push((id.to_owned(), method.to_uppercase(), path.clone(), op));
            }
        }
    }
    out
}

fn operation(file: &str, op_id: &str) -> (String, String, &'static Value) {
    let (_, method, path, op) = operations(file)
        .into_iter()
        .find(|(id, ..)| id == op_id)
        .unwrap_or_else(|| panic!("{op_id} is not in {file}"));
    (method, path, op)
}

/// The first example of a media type object (`examples`, each a `$ref` or inline).
fn first_example(spec: &Value, media: &Value) -> Option<Value> {
    let (_, ex) = media.get("examples")?.as_object()?.iter().next()?;
    Some(deref(spec, ex)["value"].clone())
}

/// The spec's request example of an operation with a JSON body.
fn request_example(file: &str, op_id: &str) -> Value {
    let s = spec(file);
    let (_, _, op) = operation(file, op_id);
    let body = deref(s, &op["requestBody"]);
    first_example(s, &body["content"]["application/json"])
        .unwrap_or_else(|| panic!("{op_id}: no request example"))
}

/// The 200 answer served for an operation: the spec's example; where the only example is a
/// business failure (`BusinessResultOk`), a success built from its `x-business-error`.
fn response_example(file: &str, op_id: &str) -> Value {
    let s = spec(file);
    let (_, _, op) = operation(file, op_id);
    let ok = deref(s, &op["responses"]["200"]);
    let example = first_example(s, &ok["content"]["application/json"])
        .unwrap_or_else(|| panic!("{op_id}: no 200 example"));
    if let Some(rule) = ok.get("x-business-error") {
        let code = rule["code"].as_str().unwrap();
        let failed = example
            .get(code)
            .is_some_and(|c| !rule["success"].as_array().unwrap().contains(c));
        if failed {
            let message = rule["message"].as_str().unwrap();
            return json!({ code: rule["success"][0], message: "" });
        }
    }
    example
}

// ---------------------------------------------------------------------------------------
// the harness: one server per operation, the answer from the spec, the request checked

fn no_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    }
}

fn osm_at(uri: &str) -> osm::Client {
    osm::Client::new(
        osm::Client::builder()
            .endpoint(uri)
            .auth(Auth::iam_token(TOKEN))
            .retry(no_retry())
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client"),
    )
}

fn aicc_at(uri: &str, auth: Auth) -> aicc_case::Client {
    aicc_case::Client::new(
        aicc_case::Client::builder()
            .endpoint(format!("{uri}{AICC_BASE}"))
            .auth(auth)
            .retry(no_retry())
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client"),
    )
}

fn json_200(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("X-Request-Id", "req-1")
        .set_body_json(body)
}

fn header(r: &Request, name: &str) -> Option<String> {
    let all: Vec<_> = r.headers.get_all(name).iter().collect();
    assert!(all.len() <= 1, "header {name} sent {} times", all.len());
    all.first().map(|v| v.to_str().expect("ASCII").to_owned())
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The shared headers, as every test sets them where the operation takes them.
fn shared<B: osm::SharedHeaders>(b: B) -> B {
    b.x_site(1).x_language("en-us").x_time_zone("GMT+08:00")
}

/// The request an operation must send.
struct Req {
    method: &'static str,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(&'static str, &'static str)>,
}

fn req(method: &'static str, path: &str) -> Req {
    Req {
        method,
        path: path.to_owned(),
        query: Vec::new(),
        headers: Vec::new(),
    }
}
fn get(path: &str) -> Req {
    req("GET", path)
}
fn post(path: &str) -> Req {
    req("POST", path)
}
fn put(path: &str) -> Req {
    req("PUT", path)
}
fn delete(path: &str) -> Req {
    req("DELETE", path)
}

impl Req {
    fn q(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }
    fn h(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }
    /// The headers `shared` sets.
    fn shared(self) -> Self {
        self.h("x-site", "1")
            .h("x-language", "en-us")
            .h("x-time-zone", "GMT+08:00")
    }
}

struct Wire {
    server: MockServer,
    file: &'static str,
    op_id: &'static str,
    answer: Value,
    osm: osm::Client,
    aicc: aicc_case::Client,
}

impl Wire {
    /// A server answering the operation's 200 example.
    async fn osm(op_id: &'static str) -> Wire {
        let answer = response_example(OSM, op_id);
        Wire::serve(OSM, op_id, answer.clone(), json_200(&answer)).await
    }

    async fn aicc(op_id: &'static str) -> Wire {
        let answer = response_example(AICC, op_id);
        Wire::serve(AICC, op_id, answer.clone(), json_200(&answer)).await
    }

    async fn serve(
        file: &'static str,
        op_id: &'static str,
        answer: Value,
        template: ResponseTemplate,
    ) -> Wire {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(template)
            .mount(&server)
            .await;
        Wire {
            osm: osm_at(&server.uri()),
            aicc: aicc_at(&server.uri(), Auth::access_token(AICC_TOKEN)),
            server,
            file,
            op_id,
            answer,
        }
    }

    /// The request body, from the spec's request example.
    fn body<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(request_example(self.file, self.op_id))
            .unwrap_or_else(|e| panic!("{}: request example: {e}", self.op_id))
    }

    /// The typed response equals the served example; the request is `want`.
    async fn check<T: Serialize>(&self, got: Result<T, Error>, want: Req) {
        let got = got.unwrap_or_else(|e| panic!("{}: {e:?}", self.op_id));
        assert_eq!(
            serde_json::to_value(&got).expect("serializes"),
            self.answer,
            "{}: the typed response is not the example",
            self.op_id
        );
        self.check_request(want).await;
    }

    /// The one request received is exactly `want` (and its body the spec's example).
    async fn check_request(&self, want: Req) -> Request {
        let op = self.op_id;
        let mut reqs = self.server.received_requests().await.expect("recording");
        assert_eq!(reqs.len(), 1, "{op}: requests sent");
        let r = reqs.remove(0);
        let (method, template, spec_op) = operation(self.file, op);
        assert_eq!(want.method, method, "{op}: the spec's method");
        assert_eq!(r.method.as_str(), want.method, "{op}: method");
        assert_eq!(r.url.path(), want.path, "{op}: path");
        // The expected path is the spec's template with its parameters filled in.
        let base = if self.file == AICC { AICC_BASE } else { "" };
        let tail = want.path.strip_prefix(base).expect("base path");
        let (a, b): (Vec<_>, Vec<_>) = (tail.split('/').collect(), template.split('/').collect());
        assert_eq!(a.len(), b.len(), "{op}: {tail} against {template}");
        for (seg, tpl) in a.iter().zip(&b) {
            assert!(
                tpl.starts_with('{') || seg == tpl,
                "{op}: {tail} against {template}"
            );
        }
        let pairs: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
        assert_eq!(pairs, want.query, "{op}: query pairs");
        let raw: Vec<String> = want
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        let raw = Some(raw.join("&")).filter(|q| !q.is_empty());
        assert_eq!(r.url.query(), raw.as_deref(), "{op}: query string");
        for name in ["x-site", "x-language", "x-time-zone"] {
            let expected = want.headers.iter().find(|(n, _)| *n == name).map(|h| h.1);
            assert_eq!(header(&r, name).as_deref(), expected, "{op}: {name}");
        }
        if self.file == OSM {
            assert_eq!(header(&r, "x-auth-token").as_deref(), Some(TOKEN), "{op}");
        } else {
            assert_eq!(
                header(&r, "access-token").as_deref(),
                Some(AICC_TOKEN),
                "{op}"
            );
        }
        let content = &deref(spec(self.file), &spec_op["requestBody"])["content"];
        if content.get("application/json").is_some() {
            assert_eq!(
                header(&r, "content-type").as_deref(),
                Some("application/json"),
                "{op}"
            );
            let sent: Value = serde_json::from_slice(&r.body).expect("JSON body");
            assert_eq!(sent, request_example(self.file, op), "{op}: body");
        } else if content.get("multipart/form-data").is_none() {
            assert!(r.body.is_empty(), "{op}: a body without request body");
            // The spec's `x-default-headers`: sent without a body too, as the SDK does.
            let types: Vec<_> = r.headers.get_all("content-type").iter().collect();
            assert_eq!(types, ["application/json"], "{op}");
        }
        r
    }
}

// ---------------------------------------------------------------------------------------
// every operation is covered

#[test]
fn every_operation_of_both_specs_has_a_wire_test() {
    let here = include_str!("wire_all.rs");
    for file in [OSM, AICC] {
        let ops = operations(file);
        assert_eq!(ops.len(), if file == OSM { 82 } else { 9 });
        for (id, ..) in ops {
            let ctor = if file == OSM {
                "Wire::osm"
            } else {
                "Wire::aicc"
            };
            let tested = here.contains(&format!("{ctor}(\"{id}\")"))
                || here.contains(&format!("{ctor}_binary(\"{id}\""))
                || here.contains(&format!("Wire::serve(OSM, \"{id}\""))
                || COVERED_BY_WIRE_RS.contains(&(file, id.as_str()));
            assert!(tested, "{file} {id} has no wire test");
        }
    }
}

impl Wire {
    /// A server answering a file (a binary 200).
    async fn osm_binary(op_id: &'static str, bytes: &[u8], content_type: &str) -> Wire {
        let template = ResponseTemplate::new(200).set_body_raw(bytes.to_vec(), content_type);
        Wire::serve(OSM, op_id, Value::Null, template).await
    }

    /// The download's bytes and type are the served ones; the request is `want`.
    async fn check_download(
        &self,
        got: Result<generated_client::runtime::Download, Error>,
        want: Req,
        bytes: &[u8],
        content_type: &str,
    ) {
        let got = got.unwrap_or_else(|e| panic!("{}: {e:?}", self.op_id));
        assert_eq!(got.status(), 200);
        assert_eq!(got.content_type().as_deref(), Some(content_type));
        assert_eq!(got.content_length(), Some(bytes.len() as u64));
        assert_eq!(
            &got.bytes().await.expect("bytes")[..],
            bytes,
            "{}",
            self.op_id
        );
        self.check_request(want).await;
    }
}

// ---------------------------------------------------------------------------------------
// OSM: tickets

#[tokio::test]
async fn list_cases() {
    let w = Wire::osm("listCases").await;
    let call = w
        .osm
        .list_cases()
        .search_key(vec!["ecs".to_owned(), "磁盘 满".to_owned()])
        .label_id_list(vec!["1".to_owned(), "2".to_owned()])
        .app_key("app&key")
        .incident_id("CS20240315000123")
        .query_start_time("2024-03-01 00:00:00")
        .query_end_time("2024-03-31 23:59:59")
        .status(1)
        .incident_status("2")
        .x_customer_id("cust-1")
        .x_customer_name("Zhang San")
        .group_id("g=1")
        .offset(10)
        .limit(20);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases")
        .q("search_key", "ecs")
        .q("search_key", "磁盘 满")
        .q("label_id_list", "1")
        .q("label_id_list", "2")
        .q("app_key", "app&key")
        .q("incident_id", "CS20240315000123")
        .q("query_start_time", "2024-03-01 00:00:00")
        .q("query_end_time", "2024-03-31 23:59:59")
        .q("status", 1)
        .q("incident_status", "2")
        .q("x_customer_id", "cust-1")
        .q("x_customer_name", "Zhang San")
        .q("group_id", "g=1")
        .q("offset", 10)
        .q("limit", 20)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn delete_relation() {
    let w = Wire::osm("deleteRelation").await;
    let got = shared(
        w.osm
            .delete_relation("CS 2024/03#1", w.body::<ot::DeleteRelationRequest>()),
    )
    .send()
    .await;
    let want = delete("/v2/servicerequest/cases/CS%202024%2F03%231/relations").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_relations() {
    let w = Wire::osm("listRelations").await;
    let got = shared(w.osm.list_relations("工单 7")).send().await;
    let want = get("/v2/servicerequest/cases/%E5%B7%A5%E5%8D%95%207/relations").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn create_score() {
    let w = Wire::osm("createScore").await;
    let got = shared(
        w.osm
            .create_score("case-123", w.body::<ot::CreateScoreRequest>()),
    )
    .send()
    .await;
    w.check(
        got,
        post("/v2/servicerequest/cases/case-123/score").shared(),
    )
    .await;
}

#[tokio::test]
async fn create_case_extended_parameters() {
    let w = Wire::osm("createCaseExtendedParameters").await;
    let body = w.body::<ot::CreateCaseExtendedParametersRequest>();
    let got = shared(w.osm.create_case_extended_parameters("a?b", body))
        .send()
        .await;
    w.check(
        got,
        post("/v2/servicerequest/cases/a%3Fb/extends-param").shared(),
    )
    .await;
}

#[tokio::test]
async fn show_case_extended_parameters() {
    let w = Wire::osm("showCaseExtendedParameters").await;
    let got = shared(w.osm.show_case_extended_parameters("CS1").group_id("g 1"))
        .send()
        .await;
    let want = get("/v2/servicerequest/cases/CS1/extends-param")
        .q("group_id", "g 1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn create_report_feedback() {
    let w = Wire::osm("createReportFeedback").await;
    let got = w
        .osm
        .create_report_feedback(w.body::<ot::CreateReportFeedbackRequest>())
        .send()
        .await;
    w.check(got, post("/v2/servicerequest/feedbacks")).await;
}

#[tokio::test]
async fn export_cases() {
    let bytes = b"PK\x03\x04 xlsx \x00\xff\r\n".to_vec();
    let ct = "application/octet-stream";
    let w = Wire::osm_binary("exportCases", &bytes, ct).await;
    let call = w
        .osm
        .export_cases("en-us", "GMT+8")
        .incident_id("CS1")
        .query_start_time("2024-03-01 00:00:00")
        .query_end_time("2024-03-31 23:59:59")
        .x_customer_name("Li Si")
        .search_key("disk full")
        .status(3)
        .customer_id("c-1")
        .tenant_source_id_list(vec!["t1".to_owned(), "t/2".to_owned()])
        .sub_customer_id("sc-1")
        .offset(0)
        .limit(100);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases/export")
        .q("language", "en-us")
        .q("timezone", "GMT+8")
        .q("incident_id", "CS1")
        .q("query_start_time", "2024-03-01 00:00:00")
        .q("query_end_time", "2024-03-31 23:59:59")
        .q("x_customer_name", "Li Si")
        .q("search_key", "disk full")
        .q("status", 3)
        .q("customer_id", "c-1")
        .q("tenant_source_id_list", "t1")
        .q("tenant_source_id_list", "t/2")
        .q("sub_customer_id", "sc-1")
        .q("offset", 0)
        .q("limit", 100)
        .shared();
    w.check_download(got, want, &bytes, ct).await;
}

#[tokio::test]
async fn show_case_quota() {
    let w = Wire::osm("showCaseQuota").await;
    let got = shared(w.osm.show_case_quota("bt-1").product_category_id("pc 1"))
        .send()
        .await;
    let want = get("/v2/servicerequest/quotas")
        .q("product_category_id", "pc 1")
        .q("business_type_id", "bt-1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_agencies() {
    let w = Wire::osm("listAgencies").await;
    let got = shared(w.osm.list_agencies()).send().await;
    w.check(got, get("/v2/servicerequest/agencies").shared())
        .await;
}

#[tokio::test]
async fn show_partner_case_privilege() {
    let w = Wire::osm("showPartnerCasePrivilege").await;
    let got = shared(w.osm.show_partner_case_privilege()).send().await;
    let want = get("/v2/servicerequest/cases/partners/privilege/cases-processing").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_case_counts() {
    let w = Wire::osm("listCaseCounts").await;
    let got = shared(w.osm.list_case_counts().status(2)).send().await;
    let want = get("/v2/servicerequest/cases/count")
        .q("status", 2)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn show_case_detail() {
    let w = Wire::osm("showCaseDetail").await;
    let got = shared(w.osm.show_case_detail("CS 9").group_id("g1"))
        .send()
        .await;
    let want = get("/v2/servicerequest/cases/CS%209")
        .q("group_id", "g1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_case_operation_logs() {
    let w = Wire::osm("listCaseOperationLogs").await;
    let call = w
        .osm
        .list_case_operation_logs("CS1")
        .group_id("g1")
        .offset(5)
        .limit(50);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases/CS1/operate-logs")
        .q("group_id", "g1")
        .q("offset", 5)
        .q("limit", 50)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_case_cc_emails() {
    let w = Wire::osm("listCaseCcEmails").await;
    let got = shared(w.osm.list_case_cc_emails()).send().await;
    w.check(got, get("/v2/servicerequest/carbon-copy-emails").shared())
        .await;
}

#[tokio::test]
async fn show_case_status() {
    let w = Wire::osm("showCaseStatus").await;
    let got = shared(w.osm.show_case_status("CS/2")).send().await;
    w.check(got, get("/v2/servicerequest/cases/CS%2F2/status").shared())
        .await;
}

#[tokio::test]
async fn show_partner_service_info() {
    let w = Wire::osm("showPartnerServiceInfo").await;
    let call = w
        .osm
        .show_partner_service_info()
        .case_sub_type_id("st-1")
        .product_id("p 1");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases/partners/service-info")
        .q("case_sub_type_id", "st-1")
        .q("product_id", "p 1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_sub_customers() {
    let w = Wire::osm("listSubCustomers").await;
    let call = w
        .osm
        .list_sub_customers()
        .sub_customer_name("Wang Wu")
        .sub_customer_id("sc-9");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/customers/sub-customers")
        .q("sub_customer_name", "Wang Wu")
        .q("sub_customer_id", "sc-9")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_customer_regions() {
    let w = Wire::osm("listCustomerRegions").await;
    let got = shared(w.osm.list_customer_regions()).send().await;
    w.check(got, get("/v2/servicerequest/customers/regions").shared())
        .await;
}

#[tokio::test]
async fn list_cases_by_page() {
    let w = Wire::osm("listCasesByPage").await;
    let got = w
        .osm
        .list_cases_by_page()
        .version("v1")
        .search_key(vec!["a b".to_owned(), "c".to_owned()])
        .label_id_list(vec![3, 4])
        .app_key("k")
        .incident_id("CS1")
        .query_start_time("2024-03-01")
        .query_end_time("2024-03-31")
        .status(0)
        .incident_status("1")
        .x_customer_name("n")
        .group_id("g")
        .product_category_id("pc")
        .business_type_id("bt")
        .page_no(2)
        .page_size(25)
        .x_customer_id("xc")
        .send()
        .await;
    let want = get("/osm/incidentservice/api/v1/queryincident")
        .q("version", "v1")
        .q("searchKey", "a b")
        .q("searchKey", "c")
        .q("labelIdList", 3)
        .q("labelIdList", 4)
        .q("appKey", "k")
        .q("incidentId", "CS1")
        .q("queryStartTime", "2024-03-01")
        .q("queryEndTime", "2024-03-31")
        .q("status", 0)
        .q("incidentStatus", "1")
        .q("xCustomerName", "n")
        .q("groupId", "g")
        .q("productCategoryId", "pc")
        .q("businessTypeId", "bt")
        .q("pageNo", 2)
        .q("pageSize", 25)
        .q("xCustomerId", "xc");
    w.check(got, want).await;
}

// ---------------------------------------------------------------------------------------
// OSM: attachments and agreements (the upload and the download in detail further down)

#[tokio::test]
async fn upload_attachment_as_json() {
    let w = Wire::osm("uploadAttachmentAsJson").await;
    let body = w.body::<ot::UploadAttachmentJsonRequest>();
    let got = shared(w.osm.upload_attachment_as_json(body)).send().await;
    let want = post("/v2/servicerequest/accessorys/json-format-content").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn delete_attachment() {
    let w = Wire::osm("deleteAttachment").await;
    let got = shared(w.osm.delete_attachment("7f3c 2a9e")).send().await;
    w.check(
        got,
        delete("/v2/servicerequest/accessorys/7f3c%202a9e").shared(),
    )
    .await;
}

#[tokio::test]
async fn download_attachment_image() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    let w = Wire::osm_binary("downloadAttachmentImage", &png, "image/png").await;
    let call = w.osm.download_attachment_image("5d1a/7c3e").group_id("g1");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/accessorys/5d1a%2F7c3e/image")
        .q("group_id", "g1")
        .shared();
    w.check_download(got, want, &png, "image/png").await;
}

#[tokio::test]
async fn list_attachment_access_urls() {
    let w = Wire::osm("listAttachmentAccessUrls").await;
    let ids = vec![
        "7f3c2a9e".to_owned(),
        "2b8e 6d0f".to_owned(),
        "a,b".to_owned(),
    ];
    let call = w.osm.list_attachment_access_urls(ids).group_id("g1");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/accessorys/access-urls")
        .q("group_id", "g1")
        .q("accessory_ids", "7f3c2a9e")
        .q("accessory_ids", "2b8e 6d0f")
        .q("accessory_ids", "a,b")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn show_attachment_limits() {
    let w = Wire::osm("showAttachmentLimits").await;
    let got = shared(w.osm.show_attachment_limits()).send().await;
    w.check(got, get("/v2/servicerequest/accessorys/limits").shared())
        .await;
}

#[tokio::test]
async fn show_attachment_download_url() {
    let w = Wire::osm("showAttachmentDownloadUrl").await;
    let got = w
        .osm
        .show_attachment_download_url("acc:1", "INCIDENT")
        .relation_id("rel-1")
        .incident_id("CS1")
        .send()
        .await;
    let want = get("/v2/servicerequest/accessorys/acc%3A1/access-url")
        .q("relation_type", "INCIDENT")
        .q("relation_id", "rel-1")
        .q("incident_id", "CS1");
    w.check(got, want).await;
}

#[tokio::test]
async fn show_latest_published_agreement() {
    let w = Wire::osm("showLatestPublishedAgreement").await;
    let call = w.osm.show_latest_published_agreement().agreement_type("0");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/agreements/published-agreement")
        .q("agreement_type", "0")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn show_latest_agreement_signing_status() {
    let w = Wire::osm("showLatestAgreementSigningStatus").await;
    let call = w
        .osm
        .show_latest_agreement_signing_status()
        .agreement_type("1");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/agreements/signed-latest")
        .q("agreement_type", "1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn sign_published_agreement() {
    let w = Wire::osm("signPublishedAgreement").await;
    let body = w.body::<ot::SignAgreementRequest>();
    let got = shared(w.osm.sign_published_agreement(3, body)).send().await;
    w.check(got, post("/v2/servicerequest/agreements/3/signed").shared())
        .await;
}

// ---------------------------------------------------------------------------------------
// OSM: labels

#[tokio::test]
async fn create_label() {
    let w = Wire::osm("createLabel").await;
    let got = shared(w.osm.create_label(w.body::<ot::CreateLabelRequest>()))
        .send()
        .await;
    w.check(got, post("/v2/servicerequest/labels").shared())
        .await;
}

#[tokio::test]
async fn list_labels() {
    let w = Wire::osm("listLabels").await;
    let call = w
        .osm
        .list_labels()
        .offset(0)
        .limit(10)
        .name("urgent & red")
        .label_id(7);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/labels")
        .q("offset", 0)
        .q("limit", 10)
        .q("name", "urgent & red")
        .q("label_id", 7)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn update_label() {
    let w = Wire::osm("updateLabel").await;
    let got = shared(
        w.osm
            .update_label(65535, w.body::<ot::UpdateLabelRequest>()),
    )
    .send()
    .await;
    w.check(got, put("/v2/servicerequest/labels/65535").shared())
        .await;
}

#[tokio::test]
async fn delete_label() {
    let w = Wire::osm("deleteLabel").await;
    let got = shared(w.osm.delete_label(0)).send().await;
    w.check(got, delete("/v2/servicerequest/labels/0").shared())
        .await;
}

#[tokio::test]
async fn create_case_labels() {
    let w = Wire::osm("createCaseLabels").await;
    let got = shared(w.osm.create_case_labels("case-123", vec![1, 2, 30]))
        .send()
        .await;
    let want = post("/v2/servicerequest/cases/case-123/labels")
        .q("label_ids", 1)
        .q("label_ids", 2)
        .q("label_ids", 30)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn delete_case_labels() {
    let w = Wire::osm("deleteCaseLabels").await;
    let got = shared(w.osm.delete_case_labels("case 1", vec![4]))
        .send()
        .await;
    let want = delete("/v2/servicerequest/cases/case%201/labels")
        .q("label_ids", 4)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_case_labels() {
    let w = Wire::osm("listCaseLabels").await;
    let got = shared(w.osm.list_case_labels("case-123")).send().await;
    w.check(
        got,
        get("/v2/servicerequest/cases/case-123/labels").shared(),
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// OSM: privileges and authorizations

#[tokio::test]
async fn operate_privilege() {
    let w = Wire::osm("operatePrivilege").await;
    let body = w.body::<ot::OperatePrivilegeRequest>();
    let got = shared(w.osm.operate_privilege(body)).send().await;
    w.check(got, post("/v2/servicerequest/privileges").shared())
        .await;
}

#[tokio::test]
async fn check_privilege() {
    let w = Wire::osm("checkPrivilege").await;
    let got = shared(w.osm.check_privilege("export")).send().await;
    let want = get("/v2/servicerequest/privileges")
        .q("privilege", "export")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn show_customer_privilege_policy() {
    let w = Wire::osm("showCustomerPrivilegePolicy").await;
    let got = shared(w.osm.show_customer_privilege_policy()).send().await;
    let want = get("/v2/servicerequest/privileges/privilege-policy").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_authorizations() {
    let w = Wire::osm("listAuthorizations").await;
    let call = w
        .osm
        .list_authorizations()
        .sub_customer_name("Zhao Liu")
        .incident_id("CS1")
        .status(2)
        .simple_description("ECS # login")
        .offset(20)
        .limit(10)
        .group_id("g1");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/authorizations")
        .q("sub_customer_name", "Zhao Liu")
        .q("incident_id", "CS1")
        .q("status", 2)
        .q("simple_description", "ECS # login")
        .q("offset", 20)
        .q("limit", 10)
        .q("group_id", "g1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn show_authorization_detail() {
    let w = Wire::osm("showAuthorizationDetail").await;
    let got = shared(w.osm.show_authorization_detail("auth+1").group_id("g1"))
        .send()
        .await;
    let want = get("/v2/servicerequest/authorizations/auth%2B1")
        .q("group_id", "g1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn confirm_authorization() {
    let w = Wire::osm("confirmAuthorization").await;
    let body = w.body::<ot::ConfirmAuthorizationRequest>();
    let got = shared(w.osm.confirm_authorization("auth-1", body))
        .send()
        .await;
    w.check(
        got,
        put("/v2/servicerequest/authorizations/auth-1").shared(),
    )
    .await;
}

#[tokio::test]
async fn operate_authorization() {
    let w = Wire::osm("operateAuthorization").await;
    let body = w.body::<ot::OperateAuthorizationRequest>();
    let call = w
        .osm
        .operate_authorization("auth 2", body)
        .action_id("reject");
    let got = shared(call).send().await;
    let want = put("/v2/servicerequest/authorizations/auth%202/action")
        .q("action_id", "reject")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn verify_host() {
    let w = Wire::osm("verifyHost").await;
    let body = w.body::<ot::VerifyHostRequest>();
    let got = shared(w.osm.verify_host(9_007_199_254_740_993_i64, body))
        .send()
        .await;
    let want = post(
        "/v2/servicerequest/authorizations/authorization-details/9007199254740993/verify-host",
    )
    .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_history_sessions() {
    let w = Wire::osm("listHistorySessions").await;
    let call = w
        .osm
        .list_history_sessions("auth-1", 42)
        .group_id("g1")
        .offset(0)
        .limit(100);
    let got = shared(call).send().await;
    let want =
        get("/v2/servicerequest/authorizations/auth-1/authorization-details/42/history-sessions")
            .q("group_id", "g1")
            .q("offset", 0)
            .q("limit", 100)
            .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_history_operation_logs() {
    let w = Wire::osm("listHistoryOperationLogs").await;
    let call = w
        .osm
        .list_history_operation_logs("auth-1", 42, 7)
        .group_id("g1")
        .sort(1)
        .offset(10)
        .limit(5);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/authorizations/auth-1/authorization-details/42/sessions/7/operation-logs")
        .q("group_id", "g1")
        .q("sort", 1)
        .q("offset", 10)
        .q("limit", 5)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_file_transfer_records() {
    let w = Wire::osm("listFileTransferRecords").await;
    let call = w
        .osm
        .list_file_transfer_records("auth 1", 43, 8)
        .group_id("g1")
        .sort(0)
        .offset(0)
        .limit(1);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/authorizations/auth%201/authorization-details/43/sessions/8/operation-file-logs")
        .q("group_id", "g1")
        .q("sort", 0)
        .q("offset", 0)
        .q("limit", 1)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn show_login_type() {
    let w = Wire::osm("showLoginType").await;
    let got = w
        .osm
        .show_login_type()
        .x_language("zh-cn")
        .x_time_zone("GMT+8")
        .send()
        .await;
    let want = get("/v2/servicerequest/authorizations/login-type")
        .h("x-language", "zh-cn")
        .h("x-time-zone", "GMT+8");
    w.check(got, want).await;
}

// ---------------------------------------------------------------------------------------
// OSM: verification codes

#[tokio::test]
async fn send_verify_code() {
    let w = Wire::osm("sendVerifyCode").await;
    let body = w.body::<ot::SendVerifyCodeRequest>();
    let got = shared(w.osm.send_verify_code(body)).send().await;
    w.check(got, post("/v2/servicerequest/verifycodes/send").shared())
        .await;
}

#[tokio::test]
async fn check_verify_code() {
    let w = Wire::osm("checkVerifyCode").await;
    let body = w.body::<ot::CheckVerifyCodeRequest>();
    let got = shared(w.osm.check_verify_code(body)).send().await;
    w.check(got, post("/v2/servicerequest/verifycodes").shared())
        .await;
}

#[tokio::test]
async fn check_verification_required() {
    let w = Wire::osm("checkVerificationRequired").await;
    let call = w
        .osm
        .check_verification_required("user+1@example.com", 1)
        .area_code("86");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/verifycodes/need-verify")
        .q("contact_value", "user+1@example.com")
        .q("contact_way", 1)
        .q("area_code", "86")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_verified_contacts() {
    let w = Wire::osm("listVerifiedContacts").await;
    let call = w
        .osm
        .list_verified_contacts()
        .contact_way(0)
        .customer_id("c-1")
        .sub_customer_id("sc-1")
        .expired_time("2024-12-31 00:00:00")
        .verified_id("v-1")
        .contact_value("13800000000")
        .area_code("86")
        .offset(1)
        .limit(10);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/verifycodes/has-verified")
        .q("contact_way", 0)
        .q("customer_id", "c-1")
        .q("sub_customer_id", "sc-1")
        .q("expired_time", "2024-12-31 00:00:00")
        .q("verified_id", "v-1")
        .q("contact_value", "13800000000")
        .q("area_code", "86")
        .q("offset", 1)
        .q("limit", 10)
        .shared();
    w.check(got, want).await;
}

// ---------------------------------------------------------------------------------------
// OSM: diagnosis (no shared headers)

#[tokio::test]
async fn create_diagnose_feedback() {
    let w = Wire::osm("createDiagnoseFeedback").await;
    let body = w.body::<ot::CreateDiagnoseFeedbackRequest>();
    let got = w.osm.create_diagnose_feedback(body).send().await;
    w.check(got, post("/v2.0/servicerequest/diagnose/feedback"))
        .await;
}

#[tokio::test]
async fn create_diagnose_job() {
    let w = Wire::osm("createDiagnoseJob").await;
    let body = w.body::<ot::CreateDiagnoseJobRequest>();
    let got = w.osm.create_diagnose_job(body).send().await;
    w.check(got, post("/v2.0/servicerequest/diagnose/job/start"))
        .await;
}

#[tokio::test]
async fn list_diagnose_items() {
    let w = Wire::osm("listDiagnoseItems").await;
    let body = w.body::<ot::ListDiagnoseItemsRequest>();
    let got = w.osm.list_diagnose_items(body).send().await;
    w.check(got, post("/v2.0/servicerequest/diagnose/job/show-items"))
        .await;
}

#[tokio::test]
async fn show_diagnose_job() {
    let w = Wire::osm("showDiagnoseJob").await;
    let got = w.osm.show_diagnose_job().job_id("job/1").send().await;
    let want = get("/v2.0/servicerequest/diagnose/job").q("job_id", "job/1");
    w.check(got, want).await;
}

#[tokio::test]
async fn list_diagnose_records() {
    let w = Wire::osm("listDiagnoseRecords").await;
    let call = w
        .osm
        .list_diagnose_records()
        .page_size(20)
        .page_no(3)
        .r#type(2);
    let got = call.send().await;
    let want = get("/v2.0/servicerequest/diagnose/records")
        .q("page_size", 20)
        .q("page_no", 3)
        .q("type", 2);
    w.check(got, want).await;
}

#[tokio::test]
async fn list_diagnose_resources() {
    let w = Wire::osm("listDiagnoseResources").await;
    let body = w.body::<ot::ListDiagnoseResourcesRequest>();
    let got = w.osm.list_diagnose_resources(body).send().await;
    w.check(got, post("/v2.0/servicerequest/diagnose/job/vm/resources"))
        .await;
}

// ---------------------------------------------------------------------------------------
// OSM: configuration

#[tokio::test]
async fn list_area_codes() {
    let w = Wire::osm("listAreaCodes").await;
    let got = shared(w.osm.list_area_codes()).send().await;
    w.check(got, get("/v2/servicerequest/config/area-codes").shared())
        .await;
}

#[tokio::test]
async fn list_problem_types() {
    let w = Wire::osm("listProblemTypes").await;
    let got = shared(w.osm.list_problem_types().product_category_id("pc-1"))
        .send()
        .await;
    let want = get("/v2/servicerequest/config/problems")
        .q("product_category_id", "pc-1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_additional_parameters() {
    let w = Wire::osm("listAdditionalParameters").await;
    let call = w
        .osm
        .list_additional_parameters("5efc9f47")
        .incident_sub_type_id("1")
        .product_category_id("a51b98a1");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/config/extends-map")
        .q("business_type_id", "5efc9f47")
        .q("incident_sub_type_id", "1")
        .q("product_category_id", "a51b98a1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_case_templates() {
    let w = Wire::osm("listCaseTemplates").await;
    let got = shared(w.osm.list_case_templates("bt 1")).send().await;
    let want = get("/v2/servicerequest/config/templates")
        .q("business_type_id", "bt 1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_case_categories() {
    let w = Wire::osm("listCaseCategories").await;
    let got = shared(w.osm.list_case_categories()).send().await;
    w.check(got, get("/v2/servicerequest/config/categories").shared())
        .await;
}

#[tokio::test]
async fn list_product_categories() {
    let w = Wire::osm("listProductCategories").await;
    let call = w
        .osm
        .list_product_categories()
        .product_category_name("Elastic Cloud Server");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/config/product-categories")
        .q("product_category_name", "Elastic Cloud Server")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_regions() {
    let w = Wire::osm("listRegions").await;
    let got = shared(w.osm.list_regions()).send().await;
    w.check(got, get("/v2/servicerequest/config/regions").shared())
        .await;
}

#[tokio::test]
async fn list_satisfaction_dimensions() {
    let w = Wire::osm("listSatisfactionDimensions").await;
    let got = shared(w.osm.list_satisfaction_dimensions()).send().await;
    let want = get("/v2/servicerequest/config/satisfaction-dimensions").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_severities() {
    let w = Wire::osm("listSeverities").await;
    let got = shared(w.osm.list_severities("pc-1", "bt-1")).send().await;
    let want = get("/v2/servicerequest/config/severities")
        .q("product_category_id", "pc-1")
        .q("business_type_id", "bt-1")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_case_limits() {
    let w = Wire::osm("listCaseLimits").await;
    let got = shared(w.osm.list_case_limits()).send().await;
    w.check(got, get("/v2/servicerequest/config/limits").shared())
        .await;
}

#[tokio::test]
async fn show_configuration() {
    let w = Wire::osm("showConfiguration").await;
    let got = w.osm.show_configuration("case attachment/max").send().await;
    let want = get("/v2/servicerequest/configurations/case%20attachment%2Fmax");
    w.check(got, want).await;
}

// ---------------------------------------------------------------------------------------
// OSM: messages

#[tokio::test]
async fn create_message() {
    let w = Wire::osm("createMessage").await;
    let body = w.body::<ot::CreateMessageRequest>();
    let got = shared(w.osm.create_message("case-123", body)).send().await;
    w.check(
        got,
        post("/v2/servicerequest/cases/case-123/message").shared(),
    )
    .await;
}

#[tokio::test]
async fn list_messages() {
    let w = Wire::osm("listMessages").await;
    let call = w
        .osm
        .list_messages("case-123")
        .group_id("123456")
        .offset(0)
        .limit(10);
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases/case-123/messages")
        .q("group_id", "123456")
        .q("offset", 0)
        .q("limit", 10)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_more_instant_messages() {
    let w = Wire::osm("listMoreInstantMessages").await;
    let call = w
        .osm
        .list_more_instant_messages("case-123", "1710727530000", 1, 10)
        .group_id("123456");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases/case-123/instant-messages/more")
        .q("create_time", "1710727530000")
        .q("type", 1)
        .q("group_id", "123456")
        .q("limit", 10)
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_new_instant_messages() {
    let w = Wire::osm("listNewInstantMessages").await;
    let call = w
        .osm
        .list_new_instant_messages(vec!["case-123".to_owned(), "case 456".to_owned()])
        .last_message_time_id("1710727530000")
        .group_id("123456");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases/instant-messages")
        .q("case_ids", "case-123")
        .q("case_ids", "case 456")
        .q("last_message_time_id", "1710727530000")
        .q("group_id", "123456")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn list_unread_instant_messages() {
    let w = Wire::osm("listUnreadInstantMessages").await;
    let call = w
        .osm
        .list_unread_instant_messages(vec!["case-123".to_owned()])
        .group_id("123456");
    let got = shared(call).send().await;
    let want = get("/v2/servicerequest/cases/instant-messages/unread")
        .q("case_ids", "case-123")
        .q("group_id", "123456")
        .shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn mark_instant_messages_read() {
    let w = Wire::osm("markInstantMessagesRead").await;
    let body = w.body::<ot::MarkMessagesReadRequest>();
    let got = shared(w.osm.mark_instant_messages_read("case-123", body))
        .send()
        .await;
    let want = post("/v2/servicerequest/cases/case-123/instant-messages/unread").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn revoke_message() {
    let w = Wire::osm("revokeMessage").await;
    let got = shared(w.osm.revoke_message("case-123", "6d1f 0c3b"))
        .send()
        .await;
    let want =
        post("/v2/servicerequest/cases/case-123/instant-messages/6d1f%200c3b/withdraw").shared();
    w.check(got, want).await;
}

#[tokio::test]
async fn business_failure_example_is_error_business() {
    // The spec's only example of BusinessResultOk is a failure answered with HTTP 200.
    let s = spec(OSM);
    let failure = first_example(
        s,
        &s["components"]["responses"]["BusinessResultOk"]["content"]["application/json"],
    )
    .expect("example");
    let w = Wire::serve(OSM, "deleteLabel", failure.clone(), json_200(&failure)).await;
    match shared(w.osm.delete_label(5)).send().await {
        Err(Error::Business(b)) => {
            assert_eq!(b.code, failure["error_code"].as_str().unwrap());
            assert_eq!(b.message.as_deref(), failure["error_msg"].as_str());
            assert_eq!(b.request_id.as_deref(), Some("req-1"));
        }
        other => panic!("expected Error::Business, got {other:?}"),
    }
    w.check_request(delete("/v2/servicerequest/labels/5").shared())
        .await;
}

// ---------------------------------------------------------------------------------------
// AICC (the access-token header; no shared headers)

#[tokio::test]
async fn aicc_create_case() {
    let w = Wire::aicc("createCase").await;
    let got = w
        .aicc
        .create_case(w.body::<at::CreateCaseRequest>())
        .send()
        .await;
    w.check(got, post("/service/AICC__Case/1.0.0/openapi/case"))
        .await;
}

#[tokio::test]
async fn aicc_list_cases() {
    let w = Wire::aicc("listCases").await;
    let got = w
        .aicc
        .list_cases(w.body::<at::ListCasesRequest>())
        .send()
        .await;
    w.check(got, post("/service/AICC__Case/1.0.0/openapi/case/list"))
        .await;
}

#[tokio::test]
async fn aicc_show_case() {
    let w = Wire::aicc("showCase").await;
    let got = w.aicc.show_case("c6m8 00/0142").send().await;
    w.check(
        got,
        get("/service/AICC__Case/1.0.0/openapi/case/c6m8%2000%2F0142"),
    )
    .await;
}

#[tokio::test]
async fn aicc_process_case() {
    let w = Wire::aicc("processCase").await;
    let got = w
        .aicc
        .process_case(w.body::<at::ProcessCaseRequest>())
        .send()
        .await;
    w.check(got, post("/service/AICC__Case/1.0.0/openapi/case/process"))
        .await;
}

#[tokio::test]
async fn aicc_cancel_case() {
    let w = Wire::aicc("cancelCase").await;
    let got = w
        .aicc
        .cancel_case(w.body::<at::CancelCaseRequest>())
        .send()
        .await;
    w.check(got, post("/service/AICC__Case/1.0.0/openapi/case/cancel"))
        .await;
}

#[tokio::test]
async fn aicc_update_case_status() {
    let w = Wire::aicc("updateCaseStatus").await;
    let body = w.body::<at::UpdateCaseStatusRequest>();
    let got = w.aicc.update_case_status(body).send().await;
    w.check(got, post("/service/AICC__Case/1.0.0/openapi/status/update"))
        .await;
}

#[tokio::test]
async fn aicc_show_case_type() {
    let w = Wire::aicc("showCaseType").await;
    let got = w.aicc.show_case_type("cvmC0000014").send().await;
    w.check(
        got,
        get("/service/AICC__Case/1.0.0/openapi/caseType/cvmC0000014"),
    )
    .await;
}

#[tokio::test]
async fn aicc_list_case_types() {
    let w = Wire::aicc("listCaseTypes").await;
    let body = w.body::<at::ListCaseTypesRequest>();
    let got = w.aicc.list_case_types(body).send().await;
    w.check(got, post("/service/AICC__Case/1.0.0/openapi/caseType/list"))
        .await;
}

// ---------------------------------------------------------------------------------------
// the attachment download: file name, type, bytes saved

#[tokio::test]
async fn download_attachment() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let template = ResponseTemplate::new(200)
        .insert_header(
            "Content-Disposition",
            "attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20v1.pdf",
        )
        .set_body_raw(bytes.clone(), "application/pdf");
    let w = Wire::serve(OSM, "downloadAttachment", Value::Null, template).await;
    let call = w.osm.download_attachment("7f3c/2a9e 1").group_id("g1");
    let download = shared(call).send().await.expect("download");
    assert_eq!(download.file_name().as_deref(), Some("报告 v1.pdf"));
    assert_eq!(download.content_type().as_deref(), Some("application/pdf"));
    assert_eq!(download.content_length(), Some(bytes.len() as u64));
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("saved.pdf");
    let written = download.save_to(&target).await.expect("saved");
    assert_eq!(written, bytes.len() as u64);
    assert_eq!(std::fs::read(&target).expect("read back"), bytes);
    let want = get("/v2/servicerequest/accessorys/7f3c%2F2a9e%201")
        .q("group_id", "g1")
        .shared();
    w.check_request(want).await;
}

#[tokio::test]
async fn download_file_names_are_never_paths() {
    for (disposition, expected) in [
        ("attachment; filename=\"../../etc/passwd\"", Some("passwd")),
        ("attachment; filename=..\\..\\boot.ini", Some("boot.ini")),
        (
            "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fshadow",
            Some("shadow"),
        ),
        (
            "attachment; filename*=utf-8''r%C3%A9sum%C3%A9.txt",
            Some("résumé.txt"),
        ),
        ("attachment; filename=\"..\"", None),
        ("inline", None),
    ] {
        let template = ResponseTemplate::new(200)
            .insert_header("Content-Disposition", disposition)
            .set_body_raw(b"x".to_vec(), "text/plain");
        let w = Wire::serve(OSM, "downloadAttachment", Value::Null, template).await;
        let download = w.osm.download_attachment("a").send().await.expect("ok");
        assert_eq!(download.file_name().as_deref(), expected, "{disposition}");
        assert_eq!(&download.bytes().await.unwrap()[..], b"x");
    }
}

// ---------------------------------------------------------------------------------------
// the multipart upload

/// The parts of a multipart body: (headers, content) each, split at the boundary.
fn multipart_parts(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }
    let boundary = content_type
        .split_once("boundary=")
        .expect("a boundary")
        .1
        .trim_matches('"');
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let first = format!("--{boundary}").into_bytes();
    assert!(
        body.starts_with(&first),
        "the body starts with the boundary"
    );
    let mut rest = &body[first.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            assert_eq!(&rest[2..], b"\r\n", "nothing after the closing boundary");
            return parts;
        }
        rest = rest.strip_prefix(b"\r\n").expect("CRLF after the boundary");
        let end = find(rest, &delimiter).expect("the next boundary");
        let part = &rest[..end];
        let split = find(part, b"\r\n\r\n").expect("the part's headers end");
        let headers = String::from_utf8(part[..split].to_vec()).expect("ASCII headers");
        parts.push((headers, part[split + 4..].to_vec()));
        rest = &rest[end + delimiter.len()..];
    }
}

#[tokio::test]
async fn upload_attachment() {
    let w = Wire::osm("uploadAttachment").await;
    let form_data = spec(OSM)["components"]["schemas"]["UploadAttachmentRequest"]["properties"]
        ["form_data"]["example"]
        .as_str()
        .expect("the spec's form_data example")
        .to_owned();
    // Bytes that look like a boundary or a part header must travel untouched.
    let bytes = b"line 1\r\n--boundary\r\nContent-Type: x\r\n\r\n\x00\xff\xfe end".to_vec();
    let file = Upload::bytes("ecs-console-output.txt", bytes.clone());
    let form = ot::UploadAttachmentForm::new(form_data.clone());
    let got = shared(w.osm.upload_attachment(form, file)).send().await;
    w.check(got, post("/v2/servicerequest/accessorys").shared())
        .await;

    let r = &w.server.received_requests().await.unwrap()[0];
    let content_type = header(r, "content-type").expect("Content-Type");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let parts = multipart_parts(&content_type, &r.body);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let part = |name: &str| {
        parts
            .iter()
            .find(|(h, _)| h.contains(&format!("name=\"{name}\"")))
            .unwrap_or_else(|| panic!("no part {name}: {parts:?}"))
    };
    let (headers, content) = part("form_data");
    assert_eq!(content, form_data.as_bytes());
    assert!(!headers.contains("filename"), "{headers}");
    let (headers, content) = part("file");
    assert_eq!(content, &bytes);
    let headers = headers.to_ascii_lowercase();
    assert!(
        headers.contains(
            "content-disposition: form-data; name=\"file\"; filename=\"ecs-console-output.txt\""
        ),
        "{headers}"
    );
    assert!(
        headers.contains("content-type: application/octet-stream"),
        "{headers}"
    );
}

#[tokio::test]
async fn upload_attachment_streams_a_file_from_disk_under_its_own_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("console 1.log");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    std::fs::write(&file, &bytes).expect("written");
    let w = Wire::osm("uploadAttachment").await;
    let form = ot::UploadAttachmentForm::new(r#"{"fileName":"console 1.log"}"#);
    let got = w
        .osm
        .upload_attachment(form, Upload::path(&file))
        .send()
        .await;
    w.check(got, post("/v2/servicerequest/accessorys")).await;
    let r = &w.server.received_requests().await.unwrap()[0];
    let parts = multipart_parts(&header(r, "content-type").unwrap(), &r.body);
    assert_eq!(parts.len(), 2);
    let (headers, content) = &parts[1];
    assert!(
        headers.contains("name=\"file\"; filename=\"console 1.log\""),
        "{headers}"
    );
    assert_eq!(content, &bytes);
    assert_eq!(parts[0].1, br#"{"fileName":"console 1.log"}"#);
}

// ---------------------------------------------------------------------------------------
// paging through into_stream

/// Items built from one item of an operation's 200 example, `id` set to `prefix{n}`.
fn items(file: &str, op_id: &str, list: &str, id: &str, prefix: &str, n: Range<u32>) -> Value {
    let item = response_example(file, op_id)[list][0].clone();
    assert!(item.is_object(), "{op_id}: no example item in {list}");
    n.map(|i| {
        let mut it = item.clone();
        it[id] = json!(format!("{prefix}{i}"));
        it
    })
    .collect()
}

fn case_page(n: Range<u32>, total: Option<u64>) -> Value {
    let mut page = json!({ "incident_info_list": items(OSM, "listCases", "incident_info_list", "incident_id", "CS", n) });
    if let Some(t) = total {
        page["total_count"] = json!(t);
    }
    page
}

async fn mount_page(server: &MockServer, key: &str, value: &str, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(query_param(key, value))
        .respond_with(answer)
        .mount(server)
        .await;
}

/// The value of `key` in each request received, in order.
async fn sent(server: &MockServer, key: &str) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let pairs: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
            let all: Vec<&String> = pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|p| &p.1)
                .collect();
            assert_eq!(all.len(), 1, "{key} in {:?}", r.url.query());
            all[0].clone()
        })
        .collect()
}

fn ids<T: Serialize>(got: &[Result<T, Error>], key: &str) -> Vec<String> {
    got.iter()
        .map(|r| match r {
            Ok(item) => serde_json::to_value(item).unwrap()[key]
                .as_str()
                .unwrap()
                .to_owned(),
            Err(e) => format!("error {:?}", e.status()),
        })
        .collect()
}

#[tokio::test]
async fn list_cases_stream_pages_by_offset_to_the_total() {
    let server = MockServer::start().await;
    mount_page(&server, "offset", "0", json_200(&case_page(1..3, Some(5)))).await;
    mount_page(&server, "offset", "2", json_200(&case_page(3..5, Some(5)))).await;
    mount_page(&server, "offset", "4", json_200(&case_page(5..6, Some(5)))).await;
    let client = osm_at(&server.uri());
    let got: Vec<_> = shared(client.list_cases().limit(2).group_id("g1"))
        .into_stream()
        .collect()
        .await;
    assert_eq!(
        ids(&got, "incident_id"),
        ["CS1", "CS2", "CS3", "CS4", "CS5"]
    );
    // Each item decodes whole.
    let example = &case_page(1..2, None)["incident_info_list"][0];
    assert_eq!(
        &serde_json::to_value(got[0].as_ref().unwrap()).unwrap(),
        example
    );
    assert_eq!(sent(&server, "offset").await, ["0", "2", "4"]);
    assert_eq!(sent(&server, "limit").await, ["2", "2", "2"]);
    assert_eq!(sent(&server, "group_id").await, ["g1", "g1", "g1"]);
    for r in server.received_requests().await.unwrap() {
        assert_eq!(r.url.path(), "/v2/servicerequest/cases");
        assert_eq!(header(&r, "x-language").as_deref(), Some("en-us"));
    }

    // A total reached with a full page ends the stream without asking for an empty one.
    let server = MockServer::start().await;
    mount_page(&server, "offset", "0", json_200(&case_page(1..3, Some(4)))).await;
    mount_page(&server, "offset", "2", json_200(&case_page(3..5, Some(4)))).await;
    let client = osm_at(&server.uri());
    let got: Vec<_> = client.list_cases().limit(2).into_stream().collect().await;
    assert_eq!(ids(&got, "incident_id"), ["CS1", "CS2", "CS3", "CS4"]);
    assert_eq!(sent(&server, "offset").await, ["0", "2"]);
}

#[tokio::test]
async fn list_cases_stream_without_total_ends_at_a_short_page() {
    let server = MockServer::start().await;
    mount_page(&server, "offset", "0", json_200(&case_page(1..3, None))).await;
    mount_page(&server, "offset", "2", json_200(&case_page(3..5, None))).await;
    mount_page(&server, "offset", "4", json_200(&case_page(5..6, None))).await;
    let client = osm_at(&server.uri());
    let got: Vec<_> = client.list_cases().limit(2).into_stream().collect().await;
    assert_eq!(
        ids(&got, "incident_id"),
        ["CS1", "CS2", "CS3", "CS4", "CS5"]
    );
    assert_eq!(sent(&server, "offset").await, ["0", "2", "4"]);
    assert_eq!(sent(&server, "limit").await, ["2", "2", "2"]);
}

#[tokio::test]
async fn list_cases_stream_stops_at_a_failed_page() {
    let server = MockServer::start().await;
    mount_page(&server, "offset", "0", json_200(&case_page(1..3, Some(5)))).await;
    let failure = json!({"error_code": "OSM.00000500", "error_msg": "internal error"});
    mount_page(
        &server,
        "offset",
        "2",
        ResponseTemplate::new(500).set_body_json(failure),
    )
    .await;
    mount_page(&server, "offset", "4", json_200(&case_page(5..6, Some(5)))).await;
    let client = osm_at(&server.uri());
    let mut stream = std::pin::pin!(client.list_cases().limit(2).into_stream());
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(stream.next().await.expect("an item"));
    }
    assert_eq!(ids(&got, "incident_id"), ["CS1", "CS2", "error Some(500)"]);
    match &got[2] {
        Err(Error::Api(e)) => assert_eq!(e.error_code.as_deref(), Some("OSM.00000500")),
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert!(
        stream.next().await.is_none(),
        "the stream ends after the error"
    );
    assert_eq!(sent(&server, "offset").await, ["0", "2"]);
}

#[tokio::test]
async fn list_diagnose_records_stream_pages_by_number() {
    let page = |n: Range<u32>, total: u64| {
        json!({
            "records": items(OSM, "listDiagnoseRecords", "records", "job_id", "job-", n),
            "total_count": total,
        })
    };
    let server = MockServer::start().await;
    mount_page(&server, "page_no", "1", json_200(&page(1..3, 5))).await;
    mount_page(&server, "page_no", "2", json_200(&page(3..5, 5))).await;
    mount_page(&server, "page_no", "3", json_200(&page(5..6, 5))).await;
    let client = osm_at(&server.uri());
    let got: Vec<_> = client
        .list_diagnose_records()
        .page_size(2)
        .r#type(1)
        .into_stream()
        .collect()
        .await;
    assert_eq!(
        ids(&got, "job_id"),
        ["job-1", "job-2", "job-3", "job-4", "job-5"]
    );
    assert_eq!(sent(&server, "page_no").await, ["1", "2", "3"]);
    assert_eq!(sent(&server, "page_size").await, ["2", "2", "2"]);
    assert_eq!(sent(&server, "type").await, ["1", "1", "1"]);

    // The last page by the total count, full: no request after it.
    let server = MockServer::start().await;
    mount_page(&server, "page_no", "1", json_200(&page(1..3, 4))).await;
    mount_page(&server, "page_no", "2", json_200(&page(3..5, 4))).await;
    let client = osm_at(&server.uri());
    let got: Vec<_> = client
        .list_diagnose_records()
        .page_size(2)
        .into_stream()
        .collect()
        .await;
    assert_eq!(got.len(), 4);
    assert_eq!(sent(&server, "page_no").await, ["1", "2"]);
}

#[tokio::test]
async fn aicc_list_cases_stream_pages_by_body_start() {
    let page = |n: Range<u32>| {
        json!({
            "resCode": "0",
            "resMsg": "Success",
            "count": 5,
            "cases": items(AICC, "listCases", "cases", "id", "c6m8", n),
        })
    };
    let server = MockServer::start().await;
    for (start, n) in [(0, 1..3), (2, 3..5), (4, 5..6)] {
        Mock::given(method("POST"))
            .and(path(format!("{AICC_BASE}/openapi/case/list")))
            .and(body_partial_json(json!({ "start": start })))
            .respond_with(json_200(&page(n)))
            .mount(&server)
            .await;
    }
    let client = aicc_at(&server.uri(), Auth::access_token(AICC_TOKEN));
    let example = request_example(AICC, "listCases");
    let mut body: at::ListCasesRequest = serde_json::from_value(example.clone()).unwrap();
    body.limit = 2;
    let got: Vec<_> = client.list_cases(body).into_stream().collect().await;
    assert_eq!(
        ids(&got, "id"),
        ["c6m81", "c6m82", "c6m83", "c6m84", "c6m85"]
    );
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 3);
    for (r, start) in reqs.iter().zip([0, 2, 4]) {
        let mut expected = example.clone();
        expected["start"] = json!(start);
        expected["limit"] = json!(2);
        let sent: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(sent, expected, "the other conditions stay as set");
        assert_eq!(header(r, "access-token").as_deref(), Some(AICC_TOKEN));
    }
}

// ---------------------------------------------------------------------------------------
// AICC: the access token from the client-credentials exchange

const TOKEN_PATH: &str = "/baas/auth/v1.0/oauth2/token";

/// Answers `cc-token-<n>` for the n-th exchange, valid 6 s, a little late.
struct TokenEndpoint(Arc<AtomicUsize>);

impl Respond for TokenEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_delay(Duration::from_millis(150))
            .set_body_json(json!({
                "access_token": format!("cc-token-{n}"),
                "expires_in": 6,
                "token_type": "Bearer",
            }))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn aicc_client_credentials_token_is_fetched_once_and_replaced_before_expiry() {
    let server = MockServer::start().await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(TokenEndpoint(exchanges.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json_200(&response_example(AICC, "showCase")))
        .mount(&server)
        .await;
    let auth = Auth::client_credentials(TOKEN_PATH, "machine user", "s3cret&key=1", "access-token")
        .expect("auth");
    let client = aicc_at(&server.uri(), auth);

    // 20 concurrent first calls: one exchange, all carry its token.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let c = client.clone();
        tasks.spawn(async move { c.show_case(format!("case-{i}")).send().await });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task").expect("call");
    }
    assert_eq!(exchanges.load(Ordering::SeqCst), 1);
    let reqs = server.received_requests().await.unwrap();
    let (token_reqs, calls): (Vec<_>, Vec<_>) =
        reqs.iter().partition(|r| r.url.path() == TOKEN_PATH);
    assert_eq!((token_reqs.len(), calls.len()), (1, 20));
    let t = token_reqs[0];
    assert_eq!(t.method.as_str(), "POST");
    assert_eq!(
        header(t, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(t, "access-token"), None);
    let form = String::from_utf8(t.body.clone()).unwrap();
    let url = reqwest::Url::parse(&format!("http://form.invalid/?{form}")).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), "machine user".to_owned()),
            ("client_secret".to_owned(), "s3cret&key=1".to_owned()),
        ]
    );
    for r in &calls {
        assert_eq!(header(r, "access-token").as_deref(), Some("cc-token-1"));
        assert!(r
            .url
            .path()
            .starts_with(&format!("{AICC_BASE}/openapi/case/case-")));
    }

    // Still fresh: no exchange.
    client.show_case("again").send().await.expect("call");
    assert_eq!(exchanges.load(Ordering::SeqCst), 1);

    // 6 s of lifetime, replaced 5 s (the minimum margin) before: after about 1 s.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    client.show_case("later").send().await.expect("call");
    assert_eq!(exchanges.load(Ordering::SeqCst), 2);
    let reqs = server.received_requests().await.unwrap();
    let last = reqs.last().unwrap();
    assert_eq!(last.url.path(), format!("{AICC_BASE}/openapi/case/later"));
    assert_eq!(header(last, "access-token").as_deref(), Some("cc-token-2"));
}
