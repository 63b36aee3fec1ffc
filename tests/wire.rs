//! End-to-end tests of the generated client against a real HTTP server on loopback
//! (wiremock): the exact request on the wire for the documents' examples (as corrected by
//! their tables, see spec/README.md), the parsed responses, error paths, retries,
//! timeouts, business errors, refusal of invalid input (nothing sent), path and header
//! injection, and AK/SK signing.

use std::time::{Duration, Instant};

use generated_client::aicc_case::types::{CasePriority, ModifyCaseRequest};
use generated_client::osm::types::{
    CaseSatisfaction, CreateCaseRequest, CreateRelationsRequest, ErrorResponse,
    OperateCaseActionId, OperateCaseRequest, UpdateContactInfoRequest,
};
use generated_client::osm::SharedHeaders as _;
use generated_client::runtime::__private::DEFAULT_USER_AGENT;
use generated_client::runtime::{Auth, Error, RetryPolicy, Rule};
use generated_client::{aicc_case, osm};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---------------------------------------------------------------------------------------
// helpers

const TOKEN: &str = "iam-token-SECRET-4711";
const AICC_TOKEN: &str = "aicc-token-SECRET-0815";
const AICC_BASE: &str = "/service/AICC__Case/1.0.0";

fn fast(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    }
}

fn osm_at(uri: &str, retry: RetryPolicy) -> osm::Client {
    osm::Client::new(
        osm::Client::builder()
            .endpoint(uri)
            .auth(Auth::iam_token(TOKEN))
            .retry(retry)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client"),
    )
}

fn aicc_at(server: &MockServer, retry: RetryPolicy) -> aicc_case::Client {
    aicc_case::Client::new(
        aicc_case::Client::builder()
            .endpoint(format!("{}{AICC_BASE}", server.uri()))
            .auth(Auth::access_token(AICC_TOKEN))
            .retry(retry)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client"),
    )
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

fn header(r: &wiremock::Request, name: &str) -> Option<String> {
    let all: Vec<_> = r.headers.get_all(name).iter().collect();
    assert!(all.len() <= 1, "header {name} sent {} times", all.len());
    all.first()
        .map(|v| v.to_str().expect("ASCII header").to_owned())
}

fn body_json(r: &wiremock::Request) -> Value {
    serde_json::from_slice(&r.body).expect("request body is JSON")
}

fn json_200(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("X-Request-Id", "req-ok-1")
        .set_body_json(body)
}

/// The documented request example of an operation (spec/*.yaml, as corrected).
fn spec_example(file: &str, path: &str, method: &str) -> Value {
    let p = format!("{}/spec/{file}", env!("CARGO_MANIFEST_DIR"));
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&p).expect("spec")).expect("yaml");
    let spec = serde_json::to_value(yaml).expect("json");
    let examples = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
        ["examples"]
        .as_object()
        .expect("examples")
        .clone();
    assert_eq!(examples.len(), 1);
    examples.values().next().unwrap()["value"].clone()
}

/// The headers every OSM request carries, checked on a received request.
fn assert_common_osm_headers(r: &wiremock::Request) {
    assert_eq!(header(r, "x-auth-token").as_deref(), Some(TOKEN));
    assert_eq!(
        header(r, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(header(r, "user-agent").as_deref(), Some(DEFAULT_USER_AGENT));
    assert!(DEFAULT_USER_AGENT.starts_with("osm-codegen-client/"));
    assert_eq!(header(r, "authorization"), None);
    assert_eq!(header(r, "access-token"), None);
}

fn rep(c: char, n: usize) -> String {
    c.to_string().repeat(n)
}

// ---------------------------------------------------------------------------------------
// the documents' examples on the wire

#[tokio::test]
async fn create_case_document_004_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/servicerequest/cases"))
        .respond_with(json_200(json!({"incident_id": "123"})))
        .expect(1)
        .mount(&server)
        .await;
    let example = spec_example("osm.yaml", "/v2/servicerequest/cases", "post");
    let body: CreateCaseRequest = serde_json::from_value(example.clone()).unwrap();
    let client = osm_at(&server.uri(), fast(0));
    let created = client
        .create_case(body)
        .x_site(1)
        .x_language("en-us")
        .x_time_zone("GMT+8")
        .x_phone_verifiedid("phone-serial-1")
        .x_email_verifiedid("mail-serial-1")
        .send()
        .await
        .expect("created");
    assert_eq!(created.incident_id.as_deref(), Some("123"));

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/v2/servicerequest/cases");
    assert_eq!(r.url.query(), None);
    assert_common_osm_headers(r);
    assert_eq!(header(r, "x-site").as_deref(), Some("1"));
    assert_eq!(header(r, "x-language").as_deref(), Some("en-us"));
    assert_eq!(header(r, "x-time-zone").as_deref(), Some("GMT+8"));
    assert_eq!(
        header(r, "x-phone-verifiedid").as_deref(),
        Some("phone-serial-1")
    );
    assert_eq!(
        header(r, "x-email-verifiedid").as_deref(),
        Some("mail-serial-1")
    );
    let sent = body_json(r);
    // The corrected example, exactly: the fixed source_id, objects for the maps, the
    // string "86", and no null-valued fields.
    assert_eq!(
        sent,
        json!({
            "incident_sub_type_id": "123",
            "product_category_id": "123",
            "business_type_id": "123",
            "region_id": "cn-north-1",
            "simple_description": "test",
            "source_id": "83aeb0f2834c4df49826c781d32a963e",
            "remind_time": "9:00-18:00",
            "accessory_ids": [],
            "extends_map": {},
            "extension_map": {},
            "severity_id": "123",
            "area_code": "86"
        })
    );
    assert_eq!(sent, example);
    for absent in ["remind_mobile", "remind_mail", "project_id", "verify_code"] {
        assert!(
            sent.get(absent).is_none(),
            "{absent} must be absent, not null"
        );
    }
}

#[tokio::test]
async fn optional_headers_and_none_fields_are_not_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({"incident_id": "9"})))
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(0));
    let body = CreateCaseRequest {
        incident_sub_type_id: None,
        product_category_id: None,
        business_type_id: "1".into(),
        region_id: None,
        simple_description: "d".into(),
        source_id: "83aeb0f2834c4df49826c781d32a963e".into(),
        remind_mobile: None,
        remind_mail: None,
        remind_time: None,
        project_id: None,
        accessory_ids: None,
        extends_map: None,
        extension_map: None,
        severity_id: None,
        verify_code: None,
        area_code: None,
    };
    client.create_case(body).send().await.expect("ok");
    let r = &received(&server).await[0];
    for absent in [
        "x-site",
        "x-language",
        "x-time-zone",
        "x-phone-verifiedid",
        "x-email-verifiedid",
    ] {
        assert_eq!(header(r, absent), None, "{absent}");
    }
    assert_eq!(
        body_json(r),
        json!({
            "business_type_id": "1",
            "simple_description": "d",
            "source_id": "83aeb0f2834c4df49826c781d32a963e"
        })
    );
    // A custom User-Agent replaces the default.
    let custom = osm::Client::new(
        osm::Client::builder()
            .endpoint(server.uri())
            .user_agent("my-app/2.0")
            .retry(fast(0))
            .build()
            .unwrap(),
    );
    custom
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .expect("ok");
    let r = &received(&server).await[1];
    assert_eq!(header(r, "user-agent").as_deref(), Some("my-app/2.0"));
    assert_eq!(header(r, "x-auth-token"), None, "Auth::None sends no token");
    assert_eq!(body_json(r), json!({}));
}

#[tokio::test]
async fn update_contact_info_document_000_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/v2/servicerequest/cases/1/contact-info"))
        .respond_with(json_200(json!({"error_code": "", "error_msg": ""})))
        .expect(1)
        .mount(&server)
        .await;
    let example = spec_example(
        "osm.yaml",
        "/v2/servicerequest/cases/{case_id}/contact-info",
        "put",
    );
    let body: UpdateContactInfoRequest = serde_json::from_value(example.clone()).unwrap();
    let client = osm_at(&server.uri(), fast(0));
    let result = client
        .update_contact_info("1", body)
        .x_site(0)
        .x_language("en-us")
        .x_time_zone("GMT+8")
        .send()
        .await
        .expect("empty error_code is success");
    assert_eq!(result.error_code.as_deref(), Some(""));
    assert_eq!(result.error_msg.as_deref(), Some(""));

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "PUT");
    // The URI of the table, not the example's `contactInfo`.
    assert_eq!(r.url.path(), "/v2/servicerequest/cases/1/contact-info");
    assert_eq!(r.url.query(), None);
    assert_common_osm_headers(r);
    assert_eq!(header(r, "x-site").as_deref(), Some("0"));
    assert_eq!(header(r, "x-language").as_deref(), Some("en-us"));
    assert_eq!(header(r, "x-time-zone").as_deref(), Some("GMT+8"));
    assert_eq!(
        body_json(r),
        json!({
            "area_code": "1",
            "remind_mobile": "1",
            "remind_mail": "1",
            "remind_time": "1",
            "group_id": "1",
            "extension_map": {}
        })
    );
    assert_eq!(body_json(r), example);
}

#[tokio::test]
async fn create_relations_document_002_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/servicerequest/cases/case-123/relations"))
        .respond_with(json_200(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let example = spec_example(
        "osm.yaml",
        "/v2/servicerequest/cases/{case_id}/relations",
        "post",
    );
    let body: CreateRelationsRequest = serde_json::from_value(example.clone()).unwrap();
    let client = osm_at(&server.uri(), fast(0));
    let result = client
        .create_relations("case-123", body)
        .x_language("en-us")
        .send()
        .await
        .expect("absent error_code is success");
    assert_eq!(result.error_code, None);

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/v2/servicerequest/cases/case-123/relations");
    assert_eq!(r.url.query(), None);
    assert_common_osm_headers(r);
    assert_eq!(header(r, "x-language").as_deref(), Some("en-us"));
    assert_eq!(header(r, "x-time-zone"), None);
    // An array of ids (the example's string "123456" corrected by the table).
    assert_eq!(
        body_json(r),
        json!({"related_id_list": ["123456"], "group_id": "123456"})
    );
    assert_eq!(body_json(r), example);
}

#[tokio::test]
async fn operate_case_document_003_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/servicerequest/cases/case-123/action"))
        .and(query_param("action_id", "press"))
        .respond_with(json_200(json!({"error_code": "", "error_msg": ""})))
        .expect(1)
        .mount(&server)
        .await;
    let example = spec_example(
        "osm.yaml",
        "/v2/servicerequest/cases/{case_id}/action",
        "post",
    );
    let body: OperateCaseRequest = serde_json::from_value(example.clone()).unwrap();
    let client = osm_at(&server.uri(), fast(0));
    client
        .operate_case("case-123", OperateCaseActionId::Press, body)
        .x_site(1)
        .x_language("en-us")
        .x_time_zone("GMT+8")
        .send()
        .await
        .expect("ok");

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/v2/servicerequest/cases/case-123/action");
    assert_eq!(r.url.query(), Some("action_id=press"));
    assert_common_osm_headers(r);
    assert_eq!(header(r, "x-site").as_deref(), Some("1"));
    assert_eq!(header(r, "x-language").as_deref(), Some("en-us"));
    assert_eq!(header(r, "x-time-zone").as_deref(), Some("GMT+8"));
    // `incident_satisfaction_list` is an array (the example's `{}` corrected).
    assert_eq!(
        body_json(r),
        json!({
            "judgement": "test",
            "operate_desc": "test",
            "group_id": "123456",
            "incident_satisfaction_list": []
        })
    );
    assert_eq!(body_json(r), example);
}

#[tokio::test]
async fn operate_case_with_satisfaction_items_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(0));
    let body = OperateCaseRequest {
        judgement: Some("很好".into()),
        operate_desc: None,
        group_id: None,
        incident_satisfaction_list: Some(vec![CaseSatisfaction {
            value: Some(65535),
            satisfaction_id: 9999,
            satisfaction_value: 0,
            satisfaction_name: Some("speed".into()),
            per_value: None,
            sat_category_id: None,
            sat_category_name: None,
        }]),
    };
    client
        .operate_case("c", "close", body)
        .send()
        .await
        .expect("ok");
    let r = &received(&server).await[0];
    assert_eq!(r.url.query(), Some("action_id=close"));
    assert_eq!(
        body_json(r),
        json!({
            "judgement": "很好",
            "incident_satisfaction_list": [
                {"value": 65535, "satisfaction_id": 9999, "satisfaction_value": 0, "satisfaction_name": "speed"}
            ]
        })
    );
}

#[tokio::test]
async fn modify_case_document_001_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{AICC_BASE}/openapi/case/modify")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "aicc-1")
                .set_body_raw(
                    r#"{"resCode":"0","resMsg":"Success"}"#,
                    "application/json;charset=UTF-8",
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let example = spec_example("aicc-case.yaml", "/openapi/case/modify", "post");
    let body: ModifyCaseRequest = serde_json::from_value(example.clone()).unwrap();
    let client = aicc_at(&server, fast(0));
    let result = client.modify_case(body).send().await.expect("resCode 0");
    assert_eq!(result.res_code.as_deref(), Some("0"));
    assert_eq!(result.res_msg.as_deref(), Some("Success"));

    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(
        r.url.path(),
        "/service/AICC__Case/1.0.0/openapi/case/modify"
    );
    assert_eq!(r.url.query(), None);
    assert_eq!(header(r, "access-token").as_deref(), Some(AICC_TOKEN));
    assert_eq!(header(r, "x-auth-token"), None);
    assert_eq!(
        header(r, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(header(r, "user-agent").as_deref(), Some(DEFAULT_USER_AGENT));
    assert_eq!(
        body_json(r),
        json!({"caseInfo": {
            "id": "c6m800000142mS63Voa8",
            "title": "testOpenApi11",
            "description": "test111",
            "dueDate": "2023-06-20 00:00:00",
            "ownerId": "10gg0000012IpiXMqxzk",
            "contactId": "ciIy0000013w9aru7cDQ",
            "creatorId": "10gg0000013wljxK5XX6",
            "contactPhone": "15151515152"
        }})
    );
    assert_eq!(body_json(r), example);
    let info = &body_json(r)["caseInfo"];
    for absent in ["priority", "attachment"] {
        assert!(info.get(absent).is_none(), "{absent}");
    }
}

#[tokio::test]
async fn modify_case_sends_priority_and_template_fields() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({"resCode": "0"})))
        .mount(&server)
        .await;
    let mut body: ModifyCaseRequest = serde_json::from_value(json!({"caseInfo": {
        "id": "1", "title": "t", "description": "d", "creatorId": "c"
    }}))
    .unwrap();
    body.case_info.priority = Some(CasePriority::High);
    body.case_info
        .additional_properties
        .insert("customerLevel".into(), json!("gold"));
    aicc_at(&server, fast(0))
        .modify_case(body)
        .send()
        .await
        .expect("ok");
    let r = &received(&server).await[0];
    assert_eq!(
        body_json(r),
        json!({"caseInfo": {
            "id": "1", "title": "t", "description": "d", "creatorId": "c",
            "priority": "High", "customerLevel": "gold"
        }})
    );
}

// ---------------------------------------------------------------------------------------
// error statuses

#[tokio::test]
async fn status_4xx_is_api_error_with_code_message_request_id_and_bodies() {
    let server = MockServer::start().await;
    let raw = r#"{"error_code":"OSM.0001","error_msg":"Bad request: group_id"}"#;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("X-Request-Id", "req-400")
                .set_body_raw(raw, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(3));
    let err = client
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.request_id(), Some("req-400"));
    match &err {
        Error::Api(e) => {
            assert_eq!(e.status, 400);
            assert_eq!(e.request_id.as_deref(), Some("req-400"));
            assert_eq!(e.error_code.as_deref(), Some("OSM.0001"));
            assert_eq!(e.error_msg.as_deref(), Some("Bad request: group_id"));
            assert_eq!(&e.body[..], raw.as_bytes());
            assert_eq!(
                e.typed::<ErrorResponse>(),
                Some(&ErrorResponse {
                    error_code: Some("OSM.0001".into()),
                    error_msg: Some("Bad request: group_id".into()),
                    encoded_authorization_message: None,
                })
            );
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "HTTP 400 (OSM.0001: Bad request: group_id) [request id req-400]"
    );
    // A 4xx is not retried, even for a PUT.
    assert_eq!(received(&server).await.len(), 1);
    // No credential in the error.
    assert!(!format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn status_403_keeps_encoded_authorization_message() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error_code": "OSM.0003",
            "error_msg": "Forbidden",
            "encoded_authorization_message": "ENC123"
        })))
        .mount(&server)
        .await;
    let err = osm_at(&server.uri(), fast(0))
        .create_relations(
            "c",
            CreateRelationsRequest {
                related_id_list: vec!["a".into()],
                group_id: "g".into(),
            },
        )
        .send()
        .await
        .unwrap_err();
    let typed = err.typed::<ErrorResponse>().expect("typed body");
    assert_eq!(
        typed.encoded_authorization_message.as_deref(),
        Some("ENC123")
    );
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.request_id(), None);
}

#[tokio::test]
async fn error_code_camel_case_variant_is_recognised() {
    let server = MockServer::start().await;
    let raw = r#"{"errorCode":"APIGW.0301","errorMsg":"Incorrect IAM authentication information"}"#;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("X-Request-Id", "req-401")
                .set_body_raw(raw, "application/json"),
        )
        .mount(&server)
        .await;
    let err = osm_at(&server.uri(), fast(0))
        .operate_case("c", "cancel", OperateCaseRequest::default())
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Api(e) => {
            assert_eq!(e.status, 401);
            assert_eq!(e.request_id.as_deref(), Some("req-401"));
            assert_eq!(e.error_code.as_deref(), Some("APIGW.0301"));
            assert_eq!(
                e.error_msg.as_deref(),
                Some("Incorrect IAM authentication information")
            );
            assert_eq!(&e.body[..], raw.as_bytes());
            // ErrorResponse's fields are all optional: the other shape decodes as empty.
            assert_eq!(e.typed::<ErrorResponse>(), Some(&ErrorResponse::default()));
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn non_json_error_body_keeps_the_raw_body() {
    let server = MockServer::start().await;
    let raw = "<html><body>502 Bad Gateway</body></html>";
    Mock::given(any())
        .respond_with(ResponseTemplate::new(502).set_body_raw(raw, "text/html"))
        .mount(&server)
        .await;
    let err = osm_at(&server.uri(), fast(0))
        .create_case(minimal_case())
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Api(e) => {
            assert_eq!(e.status, 502);
            assert_eq!(e.error_code, None);
            assert_eq!(e.error_msg, None);
            assert!(e.typed.is_none());
            assert_eq!(&e.body[..], raw.as_bytes());
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn aicc_4xx_is_api_error_with_json_value() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "resCode": "401", "resMsg": "token expired"
        })))
        .mount(&server)
        .await;
    let err = aicc_at(&server, fast(0))
        .modify_case(minimal_modify())
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Api(e) => {
            assert_eq!(e.status, 401);
            assert_eq!(e.error_code.as_deref(), Some("401"));
            assert_eq!(e.error_msg.as_deref(), Some("token expired"));
            assert_eq!(
                e.typed::<serde_json::Value>(),
                Some(&json!({"resCode": "401", "resMsg": "token expired"}))
            );
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

fn minimal_case() -> CreateCaseRequest {
    serde_json::from_value(json!({
        "business_type_id": "1",
        "simple_description": "d",
        "source_id": "83aeb0f2834c4df49826c781d32a963e"
    }))
    .unwrap()
}

fn minimal_modify() -> ModifyCaseRequest {
    serde_json::from_value(json!({"caseInfo": {
        "id": "1", "title": "t", "description": "d", "creatorId": "c"
    }}))
    .unwrap()
}

// ---------------------------------------------------------------------------------------
// retries

#[tokio::test]
async fn status_5xx_is_retried_for_put() {
    for status in [500u16, 502, 503, 504] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(status).set_body_json(json!({"error_code": "OSM.0004"})),
            )
            .mount(&server)
            .await;
        let err = osm_at(&server.uri(), fast(2))
            .update_contact_info("1", UpdateContactInfoRequest::default())
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(
            err.typed::<ErrorResponse>()
                .and_then(|t| t.error_code.as_deref()),
            Some("OSM.0004")
        );
        let reqs = received(&server).await;
        assert_eq!(reqs.len(), 3, "1 + max_retries requests for {status}");
        // Every attempt is the same request.
        for r in &reqs {
            assert_eq!(r.method.as_str(), "PUT");
            assert_eq!(r.url.path(), "/v2/servicerequest/cases/1/contact-info");
            assert_eq!(r.body, reqs[0].body);
            assert_eq!(header(r, "x-auth-token").as_deref(), Some(TOKEN));
        }
    }
}

#[tokio::test]
async fn put_succeeds_after_a_5xx() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(json_200(json!({"error_code": ""})))
        .with_priority(2)
        .mount(&server)
        .await;
    osm_at(&server.uri(), fast(4))
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .expect("second attempt succeeds");
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn status_5xx_is_not_retried_for_post() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(3));
    let err = client.create_case(minimal_case()).send().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(received(&server).await.len(), 1, "createCase: exactly one");

    let err = client
        .create_relations(
            "c",
            CreateRelationsRequest {
                related_id_list: vec!["a".into()],
                group_id: "g".into(),
            },
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        received(&server).await.len(),
        2,
        "createRelations: one more"
    );

    let err = client
        .operate_case("c", "press", OperateCaseRequest::default())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(received(&server).await.len(), 3, "operateCase: one more");

    let err = aicc_at(&server, fast(3))
        .modify_case(minimal_modify())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(received(&server).await.len(), 4, "modifyCase: one more");
}

#[tokio::test]
async fn status_429_with_retry_after_is_retried_for_put_capped_at_max_backoff() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .with_priority(2)
        .mount(&server)
        .await;
    let policy = RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(150),
    };
    let start = Instant::now();
    osm_at(&server.uri(), policy)
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .expect("retried after 429");
    let elapsed = start.elapsed();
    assert_eq!(received(&server).await.len(), 2);
    // Retry-After: 1 second, capped at max_backoff (150 ms): waited about that.
    assert!(elapsed >= Duration::from_millis(150), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
}

#[tokio::test]
async fn status_429_is_not_retried_for_post() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    let err = osm_at(&server.uri(), fast(3))
        .create_case(minimal_case())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(received(&server).await.len(), 1);
}

// ---------------------------------------------------------------------------------------
// decode, timeout, connection errors

#[tokio::test]
async fn non_json_200_is_decode_error_with_status_and_excerpt() {
    let server = MockServer::start().await;
    let page = "<html>maintenance</html>";
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "req-html")
                .set_body_raw(page, "text/html"),
        )
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(2));
    let err = client.create_case(minimal_case()).send().await.unwrap_err();
    match &err {
        Error::Decode {
            status,
            request_id,
            content_type,
            message,
            excerpt,
        } => {
            assert_eq!(*status, 200);
            assert_eq!(request_id.as_deref(), Some("req-html"));
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(message.contains("line 1"), "{message}");
            assert_eq!(excerpt, page);
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert_eq!(err.status(), Some(200));
    // The same for an operation with a business-result body.
    let err = client
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { status: 200, excerpt, .. } if excerpt == page),
        "{err:?}"
    );
    // A long body is cut to a bounded excerpt.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(rep('x', 10_000), "text/plain"))
        .mount(&server)
        .await;
    let err = osm_at(&server.uri(), fast(0))
        .create_case(minimal_case())
        .send()
        .await
        .unwrap_err();
    match err {
        Error::Decode { excerpt, .. } => assert_eq!(excerpt, rep('x', 512)),
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn timeout_is_transport_timeout() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = osm::Client::new(
        osm::Client::builder()
            .endpoint(server.uri())
            .auth(Auth::iam_token(TOKEN))
            .timeout(Duration::from_millis(150))
            .retry(fast(1))
            .build()
            .unwrap(),
    );
    // POST: one attempt.
    let start = Instant::now();
    let err = client.create_case(minimal_case()).send().await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2), "timed out early");
    match &err {
        Error::Transport {
            timeout, connect, ..
        } => {
            assert!(*timeout, "{err:?}");
            assert!(!*connect);
        }
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(err.is_timeout());
    assert_eq!(err.status(), None);
    assert_eq!(received(&server).await.len(), 1);
    // PUT: a timeout is retried (1 + 1 attempts).
    let err = client
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn refused_connection_is_transport_connect() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = osm_at(&format!("http://127.0.0.1:{port}"), fast(0));
    let err = client.create_case(minimal_case()).send().await.unwrap_err();
    match &err {
        Error::Transport {
            connect, timeout, ..
        } => {
            assert!(*connect, "{err:?}");
            assert!(!*timeout);
        }
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(err.is_connect());
    assert!(!err.to_string().contains(TOKEN));
    // A PUT retries a refused connection and still ends in a connect error.
    let client = osm_at(&format!("http://127.0.0.1:{port}"), fast(2));
    let err = client
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

// ---------------------------------------------------------------------------------------
// business errors on 200

#[tokio::test]
async fn osm_business_error_on_200() {
    let raw = r#"{"error_code":"OSM.01010001","error_msg":"Param validation fail."}"#;
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "req-biz")
                .set_body_raw(raw, "application/json"),
        )
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(2));
    let errs = vec![
        client
            .update_contact_info("1", UpdateContactInfoRequest::default())
            .send()
            .await
            .unwrap_err(),
        client
            .create_relations(
                "c",
                CreateRelationsRequest {
                    related_id_list: vec!["a".into()],
                    group_id: "g".into(),
                },
            )
            .send()
            .await
            .unwrap_err(),
        client
            .operate_case("c", "press", OperateCaseRequest::default())
            .send()
            .await
            .unwrap_err(),
    ];
    for err in errs {
        match &err {
            Error::Business(b) => {
                assert_eq!(b.status, 200);
                assert_eq!(b.code, "OSM.01010001");
                assert_eq!(b.message.as_deref(), Some("Param validation fail."));
                assert_eq!(b.request_id.as_deref(), Some("req-biz"));
                assert_eq!(&b.body[..], raw.as_bytes());
            }
            other => panic!("expected Business, got {other:?}"),
        }
        assert_eq!(err.request_id(), Some("req-biz"));
        assert_eq!(
            err.to_string(),
            "HTTP 200 with failure OSM.01010001: Param validation fail. [request id req-biz]"
        );
    }
    // A business failure is an answer, not retried.
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn osm_success_bodies_on_200() {
    for body in [
        json!({"error_code": "", "error_msg": ""}),
        json!({}),
        json!({"error_code": null}),
        // Response constraints are documentary: a longer message is still accepted.
        json!({"error_code": "", "error_msg": "The operation must be canceled or closed or pressed or deleted."}),
    ] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(json_200(body.clone()))
            .mount(&server)
            .await;
        let r = osm_at(&server.uri(), fast(0))
            .operate_case("c", "press", OperateCaseRequest::default())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{body}: {e:?}"));
        assert_eq!(r.error_code.as_deref().unwrap_or(""), "");
    }
}

#[tokio::test]
async fn aicc_business_error_on_200() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "aicc-biz")
                .set_body_raw(r#"{"resCode":"1","resMsg":"x"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let err = aicc_at(&server, fast(0))
        .modify_case(minimal_modify())
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Business(b) => {
            assert_eq!(b.status, 200);
            assert_eq!(b.code, "1");
            assert_eq!(b.message.as_deref(), Some("x"));
            assert_eq!(b.request_id.as_deref(), Some("aicc-biz"));
        }
        other => panic!("expected Business, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// invalid input: nothing is sent

fn violation_messages(err: Error) -> Vec<String> {
    match err {
        Error::Validation(v) => v.violations().iter().map(ToString::to_string).collect(),
        other => panic!("expected Validation, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_requests_list_every_violation_and_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(2));

    // updateContactInfo: case_id of 33 characters, bad lengths, bad header.
    let err = client
        .update_contact_info(
            rep('c', 33),
            UpdateContactInfoRequest {
                area_code: Some(String::new()),
                remind_mail: Some(rep('m', 129)),
                ..Default::default()
            },
        )
        .x_site(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        violation_messages(err),
        vec![
            "path.case_id: length 33 > maxLength 32",
            "header.X-Site: 2 > maximum 1",
            "body.area_code: length 0 < minLength 1",
            "body.remind_mail: length 129 > maxLength 128",
        ]
    );

    // createRelations: four ids, one too long, empty group id.
    let err = client
        .create_relations(
            "case-123",
            CreateRelationsRequest {
                related_id_list: vec!["1".into(), "2".into(), rep('3', 33), "4".into()],
                group_id: String::new(),
            },
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        violation_messages(err),
        vec![
            "body.related_id_list: 4 items > maxItems 3",
            "body.related_id_list[2]: length 33 > maxLength 32",
            "body.group_id: length 0 < minLength 1",
        ]
    );

    // operateCase: satisfaction_id 10000 in the second item, case_id of 65.
    let item = |id: i32| CaseSatisfaction {
        value: None,
        satisfaction_id: id,
        satisfaction_value: 1,
        satisfaction_name: None,
        per_value: None,
        sat_category_id: None,
        sat_category_name: None,
    };
    let err = client
        .operate_case(
            rep('c', 65),
            "press",
            OperateCaseRequest {
                incident_satisfaction_list: Some(vec![item(1), item(10000)]),
                ..Default::default()
            },
        )
        .x_language(rep('l', 33))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        violation_messages(err),
        vec![
            "path.case_id: length 65 > maxLength 64",
            "header.X-Language: length 33 > maxLength 32",
            "body.incident_satisfaction_list[1].satisfaction_id: 10000 > maximum 9999",
        ]
    );

    // createCase: business_type_id "5" without region_id, six attachments.
    let mut body = minimal_case();
    body.business_type_id = "5".into();
    body.accessory_ids = Some((0..6).map(|i| format!("a{i}")).collect());
    let err = client.create_case(body).send().await.unwrap_err();
    assert_eq!(
        violation_messages(err),
        vec![
            "body.accessory_ids: 6 items > maxItems 5",
            "body.region_id: required when business_type_id is \"5\"",
        ]
    );

    // modifyCase: title over 128 bytes in multi-byte characters (43 characters), 21-byte id.
    let mut body = minimal_modify();
    body.case_info.title = rep('工', 43);
    body.case_info.id = rep('工', 7);
    let err = aicc_at(&server, fast(2))
        .modify_case(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        violation_messages(err),
        vec![
            "body.caseInfo.id: 21 bytes > x-max-bytes 20",
            "body.caseInfo.title: 129 bytes > x-max-bytes 128",
        ]
    );

    assert!(
        received(&server).await.is_empty(),
        "nothing may be sent for an invalid request"
    );
}

// ---------------------------------------------------------------------------------------
// injection

#[tokio::test]
async fn path_parameters_stay_in_their_segment() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(0));
    let cases = [
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("?x=1", "%3Fx%3D1"),
        ("#f", "%23f"),
        ("%2F", "%252F"),
        ("a b", "a%20b"),
        ("工单", "%E5%B7%A5%E5%8D%95"),
        ("a\r\nb", "a%0D%0Ab"),
        ("a;b=c&d", "a%3Bb%3Dc%26d"),
        ("...", "..."),
    ];
    for (i, (case_id, encoded)) in cases.iter().enumerate() {
        client
            .operate_case(*case_id, "press", OperateCaseRequest::default())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{case_id:?}: {e:?}"));
        client
            .update_contact_info(*case_id, UpdateContactInfoRequest::default())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{case_id:?}: {e:?}"));
        let reqs = received(&server).await;
        assert_eq!(reqs.len(), 2 * (i + 1), "{case_id:?}");
        let op = &reqs[2 * i];
        assert_eq!(
            op.url.path(),
            format!("/v2/servicerequest/cases/{encoded}/action"),
            "{case_id:?}"
        );
        assert_eq!(op.url.query(), Some("action_id=press"), "{case_id:?}");
        assert_eq!(op.url.fragment(), None);
        let upd = &reqs[2 * i + 1];
        assert_eq!(
            upd.url.path(),
            format!("/v2/servicerequest/cases/{encoded}/contact-info"),
            "{case_id:?}"
        );
        assert_eq!(upd.url.query(), None, "{case_id:?}");
    }

    // "." and ".." would be resolved by URL parsing (reaching another route): refused.
    let before = received(&server).await.len();
    for case_id in [".", ".."] {
        let err = client
            .operate_case(case_id, "press", OperateCaseRequest::default())
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains("\".\" or \"..\"")),
            "{case_id:?}: {err:?}"
        );
        let err = client
            .create_relations(
                case_id,
                CreateRelationsRequest {
                    related_id_list: vec!["a".into()],
                    group_id: "g".into(),
                },
            )
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{case_id:?}");
    }
    assert_eq!(received(&server).await.len(), before, "nothing sent");
}

#[tokio::test]
async fn query_values_are_encoded() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .mount(&server)
        .await;
    osm_at(&server.uri(), fast(0))
        .operate_case("c", "press&x=1#f 工", OperateCaseRequest::default())
        .send()
        .await
        .expect("ok");
    let r = &received(&server).await[0];
    assert_eq!(r.url.path(), "/v2/servicerequest/cases/c/action");
    assert_eq!(
        r.url.query(),
        Some("action_id=press%26x%3D1%23f%20%E5%B7%A5")
    );
    let pairs: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        vec![("action_id".to_string(), "press&x=1#f 工".to_string())]
    );
}

#[tokio::test]
async fn control_characters_in_header_values_are_refused() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(2));
    let err = client
        .create_case(minimal_case())
        .x_language("en\r\nX-Evil: 1")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Validation(v) => {
            assert_eq!(v.violations().len(), 1);
            assert_eq!(v.violations()[0].path, "header.X-Language");
            assert_eq!(v.violations()[0].rule, Rule::ControlCharacters);
            assert_eq!(v.violations()[0].value, "U+000D at character 2");
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    // Every operation with a header, every string header; all offending headers listed.
    let err = client
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .x_language("en\n")
        .x_time_zone("GMT+8\r")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        violation_messages(err),
        vec![
            "header.X-Language: U+000A at character 2 is not allowed (control characters)",
            "header.X-Time-Zone: U+000D at character 5 is not allowed (control characters)",
        ]
    );
    let err = client
        .create_case(minimal_case())
        .x_phone_verifiedid("a\0b")
        .x_email_verifiedid("a\nb")
        .send()
        .await
        .unwrap_err();
    assert_eq!(violation_messages(err).len(), 2);
    for err in [
        client
            .create_relations(
                "c",
                CreateRelationsRequest {
                    related_id_list: vec!["a".into()],
                    group_id: "g".into(),
                },
            )
            .x_time_zone("x\r\ny")
            .send()
            .await
            .unwrap_err(),
        client
            .operate_case("c", "press", OperateCaseRequest::default())
            .x_language("x\ny")
            .send()
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, Error::Validation(_)), "{err:?}");
    }
    // A credential with CR/LF is refused too (without echoing it).
    let bad_token = osm::Client::new(
        osm::Client::builder()
            .endpoint(server.uri())
            .auth(Auth::iam_token("tok\r\nX-Evil: 1"))
            .build()
            .unwrap(),
    );
    let err = bad_token
        .create_case(minimal_case())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(_)), "{err:?}");
    assert!(!err.to_string().contains("X-Evil"));
    // Default headers and the user agent are checked when building.
    let built = osm::Client::builder()
        .endpoint(server.uri())
        .default_header("X-Extra", "a\r\nb")
        .build();
    assert!(matches!(built, Err(Error::Validation(_))));
    let built = osm::Client::builder()
        .endpoint(server.uri())
        .user_agent("ua\n")
        .build();
    assert!(matches!(built, Err(Error::Validation(_))));

    assert!(received(&server).await.is_empty(), "nothing sent");
}

// ---------------------------------------------------------------------------------------
// AK/SK signing and secrets

const AK: &str = "AKIDEXAMPLE4711";
const SK: &str = "sk-SECRET-do-not-leak-0815";

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[tokio::test]
async fn ak_sk_requests_are_signed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .mount(&server)
        .await;
    let client = osm::Client::new(
        osm::Client::builder()
            .endpoint(server.uri())
            .auth(Auth::ak_sk(AK, SK).with_domain_id("domain-0001"))
            .retry(fast(0))
            .build()
            .unwrap(),
    );
    client
        .operate_case(
            "case-123",
            "press",
            OperateCaseRequest {
                judgement: Some("good".into()),
                ..Default::default()
            },
        )
        .x_language("en-us")
        .send()
        .await
        .expect("ok");
    let r = &received(&server).await[0];
    assert_eq!(header(r, "x-auth-token"), None);
    let date = header(r, "x-sdk-date").expect("X-Sdk-Date");
    assert_eq!(date.len(), 16, "{date}");
    assert!(
        date.chars().enumerate().all(|(i, c)| match i {
            8 => c == 'T',
            15 => c == 'Z',
            _ => c.is_ascii_digit(),
        }),
        "{date}"
    );
    assert_eq!(header(r, "x-domain-id").as_deref(), Some("domain-0001"));
    let auth = header(r, "authorization").expect("Authorization");
    let rest = auth
        .strip_prefix(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders="))
        .unwrap_or_else(|| panic!("{auth}"));
    let (signed, signature) = rest.split_once(", Signature=").expect("Signature");
    assert_eq!(signature.len(), 64);
    assert!(signature.chars().all(|c| c.is_ascii_hexdigit()));
    let names: Vec<&str> = signed.split(';').collect();
    for needed in [
        "content-type",
        "host",
        "x-domain-id",
        "x-language",
        "x-sdk-date",
    ] {
        assert!(names.contains(&needed), "{needed} not signed: {signed}");
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "signed headers are sorted");

    // Recompute the signature independently (Huawei's APIG algorithm) from the request as
    // received: canonical request, string to sign, HMAC-SHA256.
    let mut canonical_headers = String::new();
    for name in &names {
        let value = header(r, name).unwrap_or_else(|| panic!("signed {name} not sent"));
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let canonical_request = format!(
        "POST\n/v2/servicerequest/cases/case-123/action/\naction_id=press\n{canonical_headers}\n{signed}\n{}",
        hex_sha256(&r.body)
    );
    let string_to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex_sha256(canonical_request.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SK.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    assert_eq!(signature, hex::encode(mac.finalize().into_bytes()));
    assert_eq!(body_json(r), json!({"judgement": "good"}));

    // Nothing in Debug reveals the secret key.
    let dbg = format!("{client:?}");
    assert!(!dbg.contains(SK), "{dbg}");
    assert!(dbg.contains(AK), "the access key id is not a secret");
    let a = Auth::ak_sk(AK, SK)
        .with_domain_id("d")
        .with_security_token("sts-SECRET-token");
    let dbg = format!("{a:?}");
    assert!(
        !dbg.contains(SK) && !dbg.contains("sts-SECRET-token"),
        "{dbg}"
    );
}

#[tokio::test]
async fn debug_output_contains_no_token() {
    let builder = osm::Client::builder()
        .endpoint("http://127.0.0.1:9")
        .auth(Auth::iam_token(TOKEN));
    let dbg = format!("{builder:?}");
    assert!(!dbg.contains(TOKEN), "{dbg}");
    let client = osm::Client::new(builder.build().unwrap());
    let dbg = format!("{client:?}");
    assert!(!dbg.contains(TOKEN), "{dbg}");
    let dbg = format!("{:?}", Auth::iam_token(TOKEN));
    assert!(!dbg.contains(TOKEN), "{dbg}");
    let aicc = aicc_case::Client::new(
        aicc_case::Client::builder()
            .auth(Auth::access_token(AICC_TOKEN))
            .build()
            .unwrap(),
    );
    let dbg = format!("{aicc:?}");
    assert!(!dbg.contains(AICC_TOKEN), "{dbg}");
    // A request builder's Debug shows the client but not its token.
    let dbg = format!("{:?}", client.create_case(minimal_case()));
    assert!(!dbg.contains(TOKEN), "{dbg}");
}

// ---------------------------------------------------------------------------------------
// endpoint and redirects

#[tokio::test]
async fn endpoint_trailing_slash_does_not_double_the_slash() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({"resCode": "0"})))
        .mount(&server)
        .await;
    osm_at(&format!("{}/", server.uri()), fast(0))
        .create_case(minimal_case())
        .send()
        .await
        .expect("ok");
    let aicc = aicc_case::Client::new(
        aicc_case::Client::builder()
            .endpoint(format!("{}{AICC_BASE}/", server.uri()))
            .auth(Auth::access_token(AICC_TOKEN))
            .build()
            .unwrap(),
    );
    aicc.modify_case(minimal_modify()).send().await.expect("ok");
    let reqs = received(&server).await;
    assert_eq!(reqs[0].url.path(), "/v2/servicerequest/cases");
    assert_eq!(
        reqs[1].url.path(),
        "/service/AICC__Case/1.0.0/openapi/case/modify"
    );
}

#[tokio::test]
async fn redirects_are_not_followed_and_carry_no_credentials_elsewhere() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({})))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header(
            "Location",
            format!("{}/v2/servicerequest/cases/1/contact-info", elsewhere.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    let err = osm_at(&server.uri(), fast(2))
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(307));
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(received(&server).await.len(), 1);
    assert!(
        received(&elsewhere).await.is_empty(),
        "the token stays home"
    );
}

#[tokio::test]
async fn create_case_business_error_on_200() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({
            "error_code": "OSM.01010006",
            "error_msg": "Severity Id not exists."
        })))
        .mount(&server)
        .await;
    let result = osm_at(&server.uri(), fast(0))
        .create_case(minimal_case())
        .send()
        .await;
    match result {
        Err(Error::Business(b)) => {
            assert_eq!(b.code, "OSM.01010006");
            assert_eq!(b.message.as_deref(), Some("Severity Id not exists."));
            assert_eq!(b.request_id.as_deref(), Some("req-ok-1"));
        }
        other => panic!("expected Business, got {other:?}"),
    }
}

#[tokio::test]
async fn client_defaults_for_the_shared_headers() {
    use osm::ClientBuilderExt;
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({"incident_id": "1"})))
        .mount(&server)
        .await;
    let client = osm::Client::new(
        osm::Client::builder()
            .endpoint(server.uri())
            .auth(Auth::iam_token("tok"))
            .retry(fast(0))
            .x_language("en-us")
            .x_time_zone("GMT+1")
            .x_site(1)
            .build()
            .unwrap(),
    );
    client.create_case(minimal_case()).send().await.unwrap();
    // A request that sets the header itself wins over the default.
    client
        .create_case(minimal_case())
        .x_language("zh-cn")
        .send()
        .await
        .unwrap();
    let got = received(&server).await;
    assert_eq!(got.len(), 2);
    assert_eq!(header(&got[0], "X-Language").as_deref(), Some("en-us"));
    assert_eq!(header(&got[0], "X-Time-Zone").as_deref(), Some("GMT+1"));
    assert_eq!(header(&got[0], "X-Site").as_deref(), Some("1"));
    assert_eq!(header(&got[1], "X-Language").as_deref(), Some("zh-cn"));
    assert_eq!(
        got[1].headers.get_all("X-Language").iter().count(),
        1,
        "the default is replaced, not added"
    );
}

// ---------------------------------------------------------------------------------------
// a header for one request

#[tokio::test]
async fn a_header_for_one_request_is_sent_and_cannot_replace_credentials() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json_200(json!({"incident_id": "1"})))
        .mount(&server)
        .await;
    let client = osm_at(&server.uri(), fast(0));
    client
        .create_case(minimal_case())
        .header("X-Trace-Id", "trace-1")
        .send()
        .await
        .unwrap();
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(header(&reqs[0], "x-trace-id").as_deref(), Some("trace-1"));

    // Credentials and framing headers cannot be set per request; nothing is sent.
    for name in ["X-Auth-Token", "authorization", "Host", "X-Security-Token"] {
        let err = client
            .create_case(minimal_case())
            .header(name, "evil")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{name}: {err:?}");
    }
    // A value with a line break, and a name that is no header name: refused too.
    let err = client
        .create_case(minimal_case())
        .header("X-Note", "a\r\nX-Injected: 1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    let err = client
        .create_case(minimal_case())
        .header("bad name", "x")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(
        received(&server).await.len(),
        1,
        "a refused request was sent"
    );
}
