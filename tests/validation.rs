//! Boundary tests of every request-side constraint of `spec/osm.yaml` and
//! `spec/aicc-case.yaml`, through the generated types and request builders (no network):
//! at the limit passes, one past fails with the exact path and rule. Plus the JSON
//! round-trip of every documented example through the generated types.
//!
//! Limits are written here from the documents (shared/seeds, as corrected per
//! spec/README.md); `constraint_tables_cover_the_spec` checks that these tables list every
//! length/bound constraint the spec declares, so a new constraint cannot go untested.

use std::collections::BTreeSet;

use generated_client::aicc_case::types::{CaseInfo, CasePriority, CaseResult, ModifyCaseRequest};
use generated_client::osm::types::{
    BusinessResult, CaseSatisfaction, CreateCaseRequest, CreateCaseResponse,
    CreateRelationsRequest, ErrorResponse, OperateCaseActionId, OperateCaseRequest,
    UpdateContactInfoRequest,
};
use generated_client::osm::SharedHeaders as _;
use generated_client::runtime::{Error, Rule, Validate, ValidationErrors};
use generated_client::{aicc_case, osm};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// helpers

fn osm_client() -> osm::Client {
    osm::Client::new(osm::Client::builder().build().expect("client"))
}

fn aicc_client() -> aicc_case::Client {
    aicc_case::Client::new(aicc_case::Client::builder().build().expect("client"))
}

/// The Display of every violation, in order (empty when valid).
fn messages(r: Result<(), ValidationErrors>) -> Vec<String> {
    match r {
        Ok(()) => Vec::new(),
        Err(e) => e.violations().iter().map(ToString::to_string).collect(),
    }
}

fn rep(c: char, n: usize) -> String {
    c.to_string().repeat(n)
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("deserialize")
}

fn set(mut base: Value, field: &str, value: Value) -> Value {
    base.as_object_mut()
        .expect("object")
        .insert(field.to_owned(), value);
    base
}

fn create_case_base() -> Value {
    json!({
        "business_type_id": "123",
        "simple_description": "test",
        "source_id": "83aeb0f2834c4df49826c781d32a963e"
    })
}

fn relations_base() -> Value {
    json!({"related_id_list": ["123456"], "group_id": "123456"})
}

fn satisfaction_base() -> Value {
    json!({"satisfaction_id": 1, "satisfaction_value": 1})
}

fn case_info_base() -> Value {
    json!({
        "id": "c6m800000142mS63Voa8",
        "title": "testOpenApi11",
        "description": "test111",
        "creatorId": "10gg0000013wljxK5XX6"
    })
}

/// Validation of each operation's builder for a JSON body of that operation.
fn validate_update_contact_info(body: Value) -> Vec<String> {
    let c = osm_client();
    messages(
        c.update_contact_info("1", from_json::<UpdateContactInfoRequest>(body))
            .validate(),
    )
}

fn validate_create_relations(body: Value) -> Vec<String> {
    let c = osm_client();
    messages(
        c.create_relations("case-123", from_json::<CreateRelationsRequest>(body))
            .validate(),
    )
}

fn validate_operate_case(body: Value) -> Vec<String> {
    let c = osm_client();
    messages(
        c.operate_case(
            "case-123",
            OperateCaseActionId::Press,
            from_json::<OperateCaseRequest>(body),
        )
        .validate(),
    )
}

fn validate_create_case(body: Value) -> Vec<String> {
    let c = osm_client();
    messages(
        c.create_case(from_json::<CreateCaseRequest>(body))
            .validate(),
    )
}

fn validate_modify_case(case_info: Value) -> Vec<String> {
    let c = aicc_client();
    messages(
        c.modify_case(from_json::<ModifyCaseRequest>(
            json!({ "caseInfo": case_info }),
        ))
        .validate(),
    )
}

// ---------------------------------------------------------------------------------------
// the constraint tables (from the documents)

/// (schema, property, minLength, maxLength) of every character-counted string property.
const STRING_LENGTHS: &[(&str, &str, u64, u64)] = &[
    // document 000
    ("UpdateContactInfoRequest", "area_code", 1, 32),
    ("UpdateContactInfoRequest", "remind_mobile", 1, 32),
    ("UpdateContactInfoRequest", "remind_mail", 1, 128),
    ("UpdateContactInfoRequest", "remind_time", 1, 16),
    ("UpdateContactInfoRequest", "group_id", 1, 64),
    // document 002
    ("CreateRelationsRequest", "group_id", 1, 64),
    // document 003
    ("OperateCaseRequest", "judgement", 0, 400),
    ("OperateCaseRequest", "operate_desc", 0, 400),
    ("OperateCaseRequest", "group_id", 0, 64),
    ("CaseSatisfaction", "satisfaction_name", 0, 32),
    ("CaseSatisfaction", "sat_category_id", 0, 32),
    ("CaseSatisfaction", "sat_category_name", 0, 32),
    // document 004
    ("CreateCaseRequest", "incident_sub_type_id", 0, 32),
    ("CreateCaseRequest", "product_category_id", 0, 64),
    ("CreateCaseRequest", "business_type_id", 0, 512),
    ("CreateCaseRequest", "region_id", 0, 64),
    ("CreateCaseRequest", "simple_description", 0, 1200),
    ("CreateCaseRequest", "source_id", 0, 32),
    ("CreateCaseRequest", "remind_mobile", 0, 32),
    ("CreateCaseRequest", "remind_mail", 0, 128),
    ("CreateCaseRequest", "remind_time", 0, 16),
    ("CreateCaseRequest", "project_id", 0, 64),
    ("CreateCaseRequest", "severity_id", 0, 64),
    ("CreateCaseRequest", "verify_code", 0, 6),
    ("CreateCaseRequest", "area_code", 0, 32),
];

/// (schema, property, minimum, maximum) of every integer property.
const INT_RANGES: &[(&str, &str, i64, i64)] = &[
    ("CaseSatisfaction", "value", 0, 65535),
    ("CaseSatisfaction", "satisfaction_id", 0, 9999),
    ("CaseSatisfaction", "satisfaction_value", 0, 65535),
    ("CaseSatisfaction", "per_value", 0, 65535),
];

/// (property, x-max-bytes) of AICC's CaseInfo (document 001 counts bytes).
const CASE_INFO_BYTES: &[(&str, u64)] = &[
    ("id", 20),
    ("title", 128),
    ("description", 20000),
    ("contactId", 20),
    ("creatorId", 20),
    ("contactPhone", 20),
];

/// Response-body constraints are documentary (spec/README.md): not part of the request
/// tables above, but listed so the coverage check knows them.
const RESPONSE_LENGTHS: &[(&str, &str, u64, u64)] = &[
    ("CreateCaseResponse", "incident_id", 0, 64),
    ("BusinessResult", "error_code", 0, 32),
    ("BusinessResult", "error_msg", 0, 32),
];

/// Validates `body` (JSON of `schema`'s type) inside its operation; nested schemas are
/// wrapped in a valid parent. Returns (violations, path prefix of the schema's properties).
fn validate_schema(schema: &str, body: Value) -> (Vec<String>, &'static str) {
    match schema {
        "UpdateContactInfoRequest" => (validate_update_contact_info(body), "body"),
        "CreateRelationsRequest" => (validate_create_relations(body), "body"),
        "OperateCaseRequest" => (validate_operate_case(body), "body"),
        "CaseSatisfaction" => (
            validate_operate_case(json!({
                "incident_satisfaction_list": [satisfaction_base(), body]
            })),
            "body.incident_satisfaction_list[1]",
        ),
        "CreateCaseRequest" => (validate_create_case(body), "body"),
        other => panic!("no operation for schema {other}"),
    }
}

fn base_of(schema: &str) -> Value {
    match schema {
        "CreateRelationsRequest" => relations_base(),
        "CaseSatisfaction" => satisfaction_base(),
        "CreateCaseRequest" => create_case_base(),
        _ => json!({}),
    }
}

// ---------------------------------------------------------------------------------------
// the tables cover the spec

fn yaml_spec(file: &str) -> Value {
    let path = format!("{}/spec/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    serde_json::to_value(yaml).expect("yaml as json")
}

/// The component schemas of the four documented OSM operations (documents 000, 002-004).
const DOCUMENTED_SCHEMAS: &[&str] = &[
    "UpdateContactInfoRequest",
    "CreateRelationsRequest",
    "OperateCaseRequest",
    "CaseSatisfaction",
    "CreateCaseRequest",
    "CreateCaseResponse",
    "BusinessResult",
    "ErrorResponse",
];

#[test]
fn constraint_tables_cover_the_spec() {
    let osm = yaml_spec("osm.yaml");
    for name in DOCUMENTED_SCHEMAS {
        assert!(
            osm["components"]["schemas"].get(name).is_some(),
            "schema {name} of a documented operation is missing"
        );
    }
    let mut lengths = BTreeSet::new();
    let mut ints = BTreeSet::new();
    for (schema, def) in osm["components"]["schemas"].as_object().expect("schemas") {
        // The schemas of the documented operations; the others come from the SDK and
        // Huawei's reference pages (tests/sdk_operations.rs).
        if !DOCUMENTED_SCHEMAS.contains(&schema.as_str()) {
            continue;
        }
        let Some(props) = def["properties"].as_object() else {
            continue;
        };
        for (name, p) in props {
            if let Some(max) = p["maxLength"].as_u64() {
                let min = p["minLength"].as_u64().unwrap_or(0);
                lengths.insert((schema.clone(), name.clone(), min, max));
            }
            if p["type"] == "integer" {
                ints.insert((
                    schema.clone(),
                    name.clone(),
                    p["minimum"].as_i64().expect("minimum"),
                    p["maximum"].as_i64().expect("maximum"),
                ));
            }
        }
    }
    let expected: BTreeSet<_> = STRING_LENGTHS
        .iter()
        .chain(RESPONSE_LENGTHS)
        .map(|(s, p, a, b)| (s.to_string(), p.to_string(), *a, *b))
        .collect();
    assert_eq!(
        lengths, expected,
        "length constraints of the spec vs. the tables"
    );
    let expected_ints: BTreeSet<_> = INT_RANGES
        .iter()
        .map(|(s, p, a, b)| (s.to_string(), p.to_string(), *a, *b))
        .collect();
    assert_eq!(ints, expected_ints);

    let aicc = yaml_spec("aicc-case.yaml");
    let props = aicc["components"]["schemas"]["CaseInfo"]["properties"]
        .as_object()
        .expect("CaseInfo");
    // A property is its schema, or the component it refers to.
    let resolve = |p: &Value| -> Value {
        match p["$ref"].as_str() {
            Some(r) => aicc
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap_or_else(|| panic!("dangling {r}")),
            None => p.clone(),
        }
    };
    let bytes: BTreeSet<(String, u64)> = props
        .iter()
        .filter_map(|(n, p)| resolve(p)["x-max-bytes"].as_u64().map(|b| (n.clone(), b)))
        .collect();
    let expected_bytes: BTreeSet<(String, u64)> = CASE_INFO_BYTES
        .iter()
        .map(|(n, b)| (n.to_string(), *b))
        .collect();
    assert_eq!(bytes, expected_bytes);
    assert!(
        props
            .values()
            .all(|p| resolve(p).get("maxLength").is_none()),
        "document 001 counts bytes: no maxLength"
    );
}

// ---------------------------------------------------------------------------------------
// string lengths (characters)

#[test]
fn every_string_length_limit_counts_characters() {
    for &(schema, field, min, max) in STRING_LENGTHS {
        // At the limit, in 3-byte characters: passes (the limit counts characters).
        let body = set(base_of(schema), field, json!(rep('工', max as usize)));
        let (v, _) = validate_schema(schema, body);
        assert!(v.is_empty(), "{schema}.{field} with {max} chars: {v:?}");
        // ASCII at the limit too.
        let body = set(base_of(schema), field, json!(rep('a', max as usize)));
        assert!(validate_schema(schema, body).0.is_empty());
        // One past: fails, exactly one violation with path and rule.
        let body = set(base_of(schema), field, json!(rep('工', max as usize + 1)));
        let (v, prefix) = validate_schema(schema, body);
        assert_eq!(
            v,
            vec![format!(
                "{prefix}.{field}: length {} > maxLength {max}",
                max + 1
            )],
            "{schema}.{field}"
        );
        // The empty string: allowed only when the documented minimum is 0.
        let body = set(base_of(schema), field, json!(""));
        let (v, prefix) = validate_schema(schema, body);
        if min == 0 {
            assert!(v.is_empty(), "{schema}.{field} empty: {v:?}");
        } else {
            assert_eq!(
                v,
                vec![format!("{prefix}.{field}: length 0 < minLength {min}")],
                "{schema}.{field}"
            );
        }
    }
}

#[test]
fn maxlength_32_accepts_32_chinese_characters_and_rejects_33() {
    let c = osm_client();
    let ok = UpdateContactInfoRequest {
        area_code: Some(rep('工', 32)),
        ..Default::default()
    };
    assert_eq!(rep('工', 32).len(), 96, "96 bytes, 32 characters");
    assert!(c.update_contact_info("1", ok).validate().is_ok());
    let bad = UpdateContactInfoRequest {
        area_code: Some(rep('工', 33)),
        ..Default::default()
    };
    let err = c.update_contact_info("1", bad).validate().unwrap_err();
    assert_eq!(err.violations().len(), 1);
    let v = &err.violations()[0];
    assert_eq!(v.path, "body.area_code");
    assert_eq!(v.rule, Rule::MaxLength(32));
    assert_eq!(v.value, "length 33");
    assert_eq!(v.to_string(), "body.area_code: length 33 > maxLength 32");
    assert_eq!(
        err.to_string(),
        "1 violation: body.area_code: length 33 > maxLength 32"
    );
}

// ---------------------------------------------------------------------------------------
// AICC byte limits

#[test]
fn aicc_byte_limits_count_utf8_bytes() {
    for &(field, max) in CASE_INFO_BYTES {
        let max = max as usize;
        let ok = set(case_info_base(), field, json!(rep('a', max)));
        assert!(
            validate_modify_case(ok).is_empty(),
            "{field} at {max} bytes"
        );
        let bad = set(case_info_base(), field, json!(rep('a', max + 1)));
        assert_eq!(
            validate_modify_case(bad),
            vec![format!(
                "body.caseInfo.{field}: {} bytes > x-max-bytes {max}",
                max + 1
            )]
        );
        // Multi-byte: as many 3-byte characters as fit pass; one more fails although the
        // character count stays far below the byte limit.
        let fit = max / 3;
        let ok = set(case_info_base(), field, json!(rep('工', fit)));
        assert!(validate_modify_case(ok).is_empty(), "{field}: {fit} chars");
        let bad = set(case_info_base(), field, json!(rep('工', fit + 1)));
        assert_eq!(
            validate_modify_case(bad),
            vec![format!(
                "body.caseInfo.{field}: {} bytes > x-max-bytes {max}",
                (fit + 1) * 3
            )]
        );
    }
}

#[test]
fn aicc_id_20_ascii_bytes_pass_21_fail_and_7_chinese_chars_fail() {
    let c = aicc_client();
    let mk = |id: String| ModifyCaseRequest {
        case_info: CaseInfo {
            id,
            title: "t".into(),
            description: "d".into(),
            owner_id: None,
            priority: None,
            due_date: None,
            contact_id: None,
            creator_id: "c".into(),
            contact_phone: None,
            attachment: None,
            additional_properties: Default::default(),
        },
    };
    assert!(c.modify_case(mk(rep('x', 20))).validate().is_ok());
    let err = c.modify_case(mk(rep('x', 21))).validate().unwrap_err();
    assert_eq!(err.violations()[0].rule, Rule::MaxBytes(20));
    assert_eq!(err.violations()[0].path, "body.caseInfo.id");
    assert_eq!(
        err.violations()[0].to_string(),
        "body.caseInfo.id: 21 bytes > x-max-bytes 20"
    );
    // 7 characters, 21 bytes.
    let err = c.modify_case(mk(rep('工', 7))).validate().unwrap_err();
    assert_eq!(
        messages(Err(err)),
        vec!["body.caseInfo.id: 21 bytes > x-max-bytes 20"]
    );
    // A 128-byte title in multi-byte characters: 42 × 3 = 126 + "ab" passes; 43 × 3 fails.
    let mut ok = mk("id".into());
    ok.case_info.title = format!("{}ab", rep('工', 42));
    assert_eq!(ok.case_info.title.len(), 128);
    assert!(c.modify_case(ok).validate().is_ok());
    let mut bad = mk("id".into());
    bad.case_info.title = rep('工', 43);
    assert_eq!(
        messages(c.modify_case(bad).validate()),
        vec!["body.caseInfo.title: 129 bytes > x-max-bytes 128"]
    );
}

#[test]
fn aicc_unconstrained_fields_and_template_fields_are_not_limited() {
    // ownerId and attachment have no length; extended template fields are free.
    let body = set(
        set(case_info_base(), "ownerId", json!(rep('工', 500))),
        "attachment",
        json!(rep('a', 30000)),
    );
    let body = set(body, "customField", json!({"any": [1, 2, 3]}));
    assert!(validate_modify_case(body).is_empty());
}

#[test]
fn aicc_due_date_pattern() {
    for ok in ["2023-06-20 00:00:00", "1999-12-31 23:59:59"] {
        assert!(
            validate_modify_case(set(case_info_base(), "dueDate", json!(ok))).is_empty(),
            "{ok}"
        );
    }
    for bad in [
        "2023-06-20T00:00:00",
        "2023-06-20",
        "2023-6-20 00:00:00",
        "2023-06-20 00:00:00Z",
        " 2023-06-20 00:00:00",
        // Arabic-Indic digits: `\d` is ASCII in ECMA-262.
        "٢٠٢٣-06-20 00:00:00",
    ] {
        assert_eq!(
            validate_modify_case(set(case_info_base(), "dueDate", json!(bad))),
            vec![format!(
                "body.caseInfo.dueDate: {bad:?} does not match pattern {}",
                // The spec says `\d`; ECMA-262 means ASCII digits, so the check is `[0-9]`.
                r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
            )],
            "{bad}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// integers

#[test]
fn every_integer_bound() {
    for &(_, field, min, max) in INT_RANGES {
        let path = format!("body.incident_satisfaction_list[1].{field}");
        for ok in [min, max] {
            let body = set(satisfaction_base(), field, json!(ok));
            let (v, _) = validate_schema("CaseSatisfaction", body);
            assert!(v.is_empty(), "{field} = {ok}: {v:?}");
        }
        let body = set(satisfaction_base(), field, json!(max + 1));
        assert_eq!(
            validate_schema("CaseSatisfaction", body).0,
            vec![format!("{path}: {} > maximum {max}", max + 1)]
        );
        let body = set(satisfaction_base(), field, json!(min - 1));
        assert_eq!(
            validate_schema("CaseSatisfaction", body).0,
            vec![format!("{path}: {} < minimum {min}", min - 1)]
        );
    }
}

#[test]
fn satisfaction_id_9999_passes_10000_fails_with_rule() {
    let c = osm_client();
    let item = |id: i32| CaseSatisfaction {
        value: Some(65535),
        satisfaction_id: id,
        satisfaction_value: 0,
        satisfaction_name: None,
        per_value: None,
        sat_category_id: None,
        sat_category_name: None,
    };
    let body = |id| OperateCaseRequest {
        incident_satisfaction_list: Some(vec![item(0), item(id)]),
        ..Default::default()
    };
    assert!(c.operate_case("1", "press", body(9999)).validate().is_ok());
    let err = c
        .operate_case("1", "press", body(10000))
        .validate()
        .unwrap_err();
    let v = &err.violations()[0];
    assert_eq!(err.violations().len(), 1);
    assert_eq!(v.path, "body.incident_satisfaction_list[1].satisfaction_id");
    assert_eq!(
        v.rule,
        Rule::Maximum {
            bound: 9999.0,
            exclusive: false
        }
    );
    assert_eq!(v.value, "10000");
    let mut neg = item(0);
    neg.value = Some(-1);
    neg.per_value = Some(65536);
    let err = c
        .operate_case(
            "1",
            "press",
            OperateCaseRequest {
                incident_satisfaction_list: Some(vec![neg]),
                ..Default::default()
            },
        )
        .validate()
        .unwrap_err();
    assert_eq!(
        messages(Err(err)),
        vec![
            "body.incident_satisfaction_list[0].value: -1 < minimum 0",
            "body.incident_satisfaction_list[0].per_value: 65536 > maximum 65535",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// arrays

#[test]
fn related_id_list_items_and_item_lengths() {
    let ids = |n: usize| (0..n).map(|i| format!("id{i}")).collect::<Vec<_>>();
    assert!(
        validate_create_relations(json!({"related_id_list": ids(1), "group_id": "g"})).is_empty()
    );
    assert!(
        validate_create_relations(json!({"related_id_list": ids(3), "group_id": "g"})).is_empty()
    );
    assert_eq!(
        validate_create_relations(json!({"related_id_list": ids(4), "group_id": "g"})),
        vec!["body.related_id_list: 4 items > maxItems 3"]
    );
    assert_eq!(
        validate_create_relations(json!({"related_id_list": [], "group_id": "g"})),
        vec!["body.related_id_list: 0 items < minItems 1"]
    );
    // Each id: 1..=32 characters.
    assert!(validate_create_relations(
        json!({"related_id_list": ["a", rep('工', 32)], "group_id": "g"})
    )
    .is_empty());
    assert_eq!(
        validate_create_relations(
            json!({"related_id_list": ["a", rep('工', 33), ""], "group_id": "g"})
        ),
        vec![
            "body.related_id_list[1]: length 33 > maxLength 32",
            "body.related_id_list[2]: length 0 < minLength 1",
        ]
    );
}

#[test]
fn accessory_ids_items_and_item_lengths() {
    let ids = |n: usize| (0..n).map(|i| format!("a{i}")).collect::<Vec<_>>();
    for n in [0, 5] {
        let body = set(create_case_base(), "accessory_ids", json!(ids(n)));
        assert!(validate_create_case(body).is_empty(), "{n} ids");
    }
    let body = set(create_case_base(), "accessory_ids", json!(ids(6)));
    assert_eq!(
        validate_create_case(body),
        vec!["body.accessory_ids: 6 items > maxItems 5"]
    );
    let body = set(
        create_case_base(),
        "accessory_ids",
        json!([rep('工', 32), rep('工', 33), ""]),
    );
    assert_eq!(
        validate_create_case(body),
        vec![
            "body.accessory_ids[1]: length 33 > maxLength 32",
            "body.accessory_ids[2]: length 0 < minLength 1",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// x-required-if

#[test]
fn region_id_required_if_business_type_id_is_5() {
    let five = set(create_case_base(), "business_type_id", json!("5"));
    let err = osm_client()
        .create_case(from_json::<CreateCaseRequest>(five.clone()))
        .validate()
        .unwrap_err();
    assert_eq!(err.violations().len(), 1);
    let v = &err.violations()[0];
    assert_eq!(v.path, "body.region_id");
    assert_eq!(
        v.rule,
        Rule::RequiredIf {
            property: "business_type_id".into(),
            equals: "5".into()
        }
    );
    assert_eq!(
        v.to_string(),
        "body.region_id: required when business_type_id is \"5\""
    );
    // With region_id (even empty: minLength 0) it passes.
    assert!(validate_create_case(set(five.clone(), "region_id", json!("cn-north-1"))).is_empty());
    assert!(validate_create_case(set(five, "region_id", json!(""))).is_empty());
    // Other values do not require it ("5" is compared as a string, exactly).
    for other in ["4", "", "55", " 5", "05"] {
        let body = set(create_case_base(), "business_type_id", json!(other));
        assert!(validate_create_case(body).is_empty(), "{other:?}");
    }
}

// ---------------------------------------------------------------------------------------
// enums

#[test]
fn closed_enum_priority_unknown_fails_validation_but_deserializes() {
    // Deserializing a value outside the list succeeds and keeps it.
    let info: CaseInfo = from_json(set(case_info_base(), "priority", json!("Urgent")));
    assert_eq!(info.priority, Some(CasePriority::Unknown("Urgent".into())));
    assert_eq!(serde_json::to_value(&info).unwrap()["priority"], "Urgent");
    // ... but sending it fails validation.
    let err = aicc_client()
        .modify_case(ModifyCaseRequest { case_info: info })
        .validate()
        .unwrap_err();
    assert_eq!(err.violations().len(), 1);
    assert_eq!(err.violations()[0].path, "body.caseInfo.priority");
    assert_eq!(
        err.violations()[0].rule,
        Rule::Enum(vec![
            "Low".into(),
            "Medium".into(),
            "High".into(),
            "Critical".into()
        ])
    );
    assert_eq!(
        err.violations()[0].to_string(),
        r#"body.caseInfo.priority: "Urgent" is not one of ["Low", "Medium", "High", "Critical"]"#
    );
    // Known values (and case matters).
    for (wire, variant) in [
        ("Low", CasePriority::Low),
        ("Medium", CasePriority::Medium),
        ("High", CasePriority::High),
        ("Critical", CasePriority::Critical),
    ] {
        let info: CaseInfo = from_json(set(case_info_base(), "priority", json!(wire)));
        assert_eq!(info.priority.as_ref(), Some(&variant));
        assert!(validate_modify_case(set(case_info_base(), "priority", json!(wire))).is_empty());
    }
    assert_eq!(
        validate_modify_case(set(case_info_base(), "priority", json!("low"))).len(),
        1
    );
    assert!(CasePriority::Unknown("Urgent".into()).validate().is_err());
}

#[test]
fn extensible_enum_action_id_accepts_unknown_values() {
    let c = osm_client();
    assert_eq!(
        OperateCaseActionId::from("archive"),
        OperateCaseActionId::Unknown("archive".into())
    );
    for (wire, variant) in [
        ("cancel", OperateCaseActionId::Cancel),
        ("close", OperateCaseActionId::Close),
        ("press", OperateCaseActionId::Press),
        ("delete", OperateCaseActionId::Delete),
    ] {
        assert_eq!(OperateCaseActionId::from(wire), variant);
        assert_eq!(variant.as_str(), wire);
    }
    let op = c.operate_case("case-123", "archive", OperateCaseRequest::default());
    assert!(op.validate().is_ok());
    let req = op.request().expect("request");
    assert_eq!(
        req.query,
        vec![("action_id".to_string(), "archive".to_string())]
    );
    let v: OperateCaseActionId = serde_json::from_value(json!("archive")).unwrap();
    assert_eq!(serde_json::to_value(&v).unwrap(), json!("archive"));
}

#[test]
// Was a generator bug (OperateCaseActionId::validate_at checked nothing), fixed in b0dc1a1.
fn action_id_length_limits() {
    let c = osm_client();
    let ok = rep('a', 64);
    assert!(c
        .operate_case("1", ok.as_str(), OperateCaseRequest::default())
        .validate()
        .is_ok());
    assert_eq!(
        messages(
            c.operate_case("1", rep('a', 65).as_str(), OperateCaseRequest::default())
                .validate()
        ),
        vec!["query.action_id: length 65 > maxLength 64"]
    );
    assert_eq!(
        messages(
            c.operate_case("1", "", OperateCaseRequest::default())
                .validate()
        ),
        vec!["query.action_id: length 0 < minLength 1"]
    );
}

// ---------------------------------------------------------------------------------------
// header and path parameters

#[test]
fn header_parameter_constraints() {
    let c = osm_client();
    let body = || from_json::<CreateCaseRequest>(create_case_base());
    // X-Site 0..=1.
    for ok in [0, 1] {
        assert!(c.create_case(body()).x_site(ok).validate().is_ok());
    }
    assert_eq!(
        messages(c.create_case(body()).x_site(2).validate()),
        vec!["header.X-Site: 2 > maximum 1"]
    );
    assert_eq!(
        messages(c.create_case(body()).x_site(-1).validate()),
        vec!["header.X-Site: -1 < minimum 0"]
    );
    // String headers 1..=32 characters.
    let ok = rep('é', 32);
    let long = rep('a', 33);
    assert!(c
        .create_case(body())
        .x_language(ok.clone())
        .x_time_zone(ok.clone())
        .x_phone_verifiedid(ok.clone())
        .x_email_verifiedid(ok.clone())
        .validate()
        .is_ok());
    assert_eq!(
        messages(c.create_case(body()).x_language(long.clone()).validate()),
        vec!["header.X-Language: length 33 > maxLength 32"]
    );
    assert_eq!(
        messages(
            c.create_case(body())
                .x_language("")
                .x_time_zone(long.clone())
                .x_phone_verifiedid(long.clone())
                .x_email_verifiedid("")
                .validate()
        ),
        vec![
            "header.X-Language: length 0 < minLength 1",
            "header.X-Time-Zone: length 33 > maxLength 32",
            "header.x-phone-verifiedid: length 33 > maxLength 32",
            "header.x-email-verifiedid: length 0 < minLength 1",
        ]
    );
    // The same headers on the other three operations.
    let upd = c
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .x_site(2)
        .x_language(long.clone())
        .x_time_zone("");
    let rel = c
        .create_relations("1", from_json::<CreateRelationsRequest>(relations_base()))
        .x_site(2)
        .x_language(long.clone())
        .x_time_zone("");
    let op = c
        .operate_case("1", "press", OperateCaseRequest::default())
        .x_site(2)
        .x_language(long.clone())
        .x_time_zone("");
    let expected = vec![
        "header.X-Site: 2 > maximum 1",
        "header.X-Language: length 33 > maxLength 32",
        "header.X-Time-Zone: length 0 < minLength 1",
    ];
    assert_eq!(messages(upd.validate()), expected);
    assert_eq!(messages(rel.validate()), expected);
    assert_eq!(messages(op.validate()), expected);
}

#[test]
fn path_parameter_case_id_lengths() {
    let c = osm_client();
    // updateContactInfo (document 000): 1..=32.
    assert!(c
        .update_contact_info(rep('工', 32), UpdateContactInfoRequest::default())
        .validate()
        .is_ok());
    assert_eq!(
        messages(
            c.update_contact_info(rep('a', 33), UpdateContactInfoRequest::default())
                .validate()
        ),
        vec!["path.case_id: length 33 > maxLength 32"]
    );
    assert_eq!(
        messages(
            c.update_contact_info("", UpdateContactInfoRequest::default())
                .validate()
        ),
        vec!["path.case_id: length 0 < minLength 1"]
    );
    // operateCase and createRelations (documents 002, 003): 1..=64.
    let rel = || from_json::<CreateRelationsRequest>(relations_base());
    assert!(c
        .operate_case(rep('工', 64), "press", OperateCaseRequest::default())
        .validate()
        .is_ok());
    assert!(c.create_relations(rep('a', 64), rel()).validate().is_ok());
    assert_eq!(
        messages(
            c.operate_case(rep('a', 65), "press", OperateCaseRequest::default())
                .validate()
        ),
        vec!["path.case_id: length 65 > maxLength 64"]
    );
    assert_eq!(
        messages(c.create_relations(rep('a', 65), rel()).validate()),
        vec!["path.case_id: length 65 > maxLength 64"]
    );
    assert_eq!(
        messages(
            c.operate_case("", "press", OperateCaseRequest::default())
                .validate()
        ),
        vec!["path.case_id: length 0 < minLength 1"]
    );
    assert_eq!(
        messages(c.create_relations("", rel()).validate()),
        vec!["path.case_id: length 0 < minLength 1"]
    );
}

// ---------------------------------------------------------------------------------------
// several violations, request()

#[test]
fn every_violation_is_reported_together() {
    let c = osm_client();
    let body = from_json::<CreateCaseRequest>(json!({
        "business_type_id": "5",
        "simple_description": rep('d', 1201),
        "source_id": rep('s', 33),
        "verify_code": "1234567",
        "accessory_ids": ["a", "b", "c", "d", "e", ""],
    }));
    let err = c
        .create_case(body)
        .x_site(3)
        .x_language(rep('l', 33))
        .validate()
        .unwrap_err();
    let expected = [
        "header.X-Site: 3 > maximum 1",
        "header.X-Language: length 33 > maxLength 32",
        "body.simple_description: length 1201 > maxLength 1200",
        "body.source_id: length 33 > maxLength 32",
        "body.accessory_ids: 6 items > maxItems 5",
        "body.accessory_ids[5]: length 0 < minLength 1",
        "body.verify_code: length 7 > maxLength 6",
        "body.region_id: required when business_type_id is \"5\"",
    ];
    let mut got = messages(Err(err.clone()));
    let mut want: Vec<String> = expected.iter().map(ToString::to_string).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(err.to_string().starts_with("8 violations: "));

    // request() refuses with the same violations.
    let c2 = osm_client();
    let op = c2.operate_case(
        rep('c', 65),
        "press",
        from_json::<OperateCaseRequest>(json!({
            "judgement": rep('j', 401),
            "group_id": rep('g', 65),
            "incident_satisfaction_list": [
                {"satisfaction_id": 10000, "satisfaction_value": 65536, "sat_category_name": rep('n', 33)},
                {"satisfaction_id": -1, "satisfaction_value": 0}
            ]
        })),
    );
    match op.request() {
        Err(Error::Validation(v)) => assert_eq!(
            messages(Err(v)),
            vec![
                "path.case_id: length 65 > maxLength 64",
                "body.judgement: length 401 > maxLength 400",
                "body.group_id: length 65 > maxLength 64",
                "body.incident_satisfaction_list[0].satisfaction_id: 10000 > maximum 9999",
                "body.incident_satisfaction_list[0].satisfaction_value: 65536 > maximum 65535",
                "body.incident_satisfaction_list[0].sat_category_name: length 33 > maxLength 32",
                "body.incident_satisfaction_list[1].satisfaction_id: -1 < minimum 0",
            ]
        ),
        other => panic!("expected Validation, got {other:?}"),
    }

    // AICC: every byte limit at once, plus the enum and the pattern.
    let ac = aicc_client();
    let req = from_json::<ModifyCaseRequest>(json!({"caseInfo": {
        "id": rep('工', 7),
        "title": rep('t', 129),
        "description": rep('d', 20001),
        "priority": "Urgent",
        "dueDate": "tomorrow",
        "contactId": rep('c', 21),
        "creatorId": rep('c', 21),
        "contactPhone": rep('1', 21)
    }}));
    match ac.modify_case(req).request() {
        Err(Error::Validation(v)) => assert_eq!(
            messages(Err(v)),
            vec![
                "body.caseInfo.id: 21 bytes > x-max-bytes 20",
                "body.caseInfo.title: 129 bytes > x-max-bytes 128",
                "body.caseInfo.description: 20001 bytes > x-max-bytes 20000",
                r#"body.caseInfo.priority: "Urgent" is not one of ["Low", "Medium", "High", "Critical"]"#,
                r#"body.caseInfo.dueDate: "tomorrow" does not match pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"#,
                "body.caseInfo.contactId: 21 bytes > x-max-bytes 20",
                "body.caseInfo.creatorId: 21 bytes > x-max-bytes 20",
                "body.caseInfo.contactPhone: 21 bytes > x-max-bytes 20",
            ]
        ),
        other => panic!("expected Validation, got {other:?}"),
    }
}

#[test]
fn required_fields_are_required_by_deserialization() {
    // Mandatory fields are non-optional in the types: a body without them does not
    // deserialize (the compiler enforces them when building a body in code).
    for (body, missing) in [
        (json!({"group_id": "g"}), "related_id_list"),
        (json!({"related_id_list": ["a"]}), "group_id"),
    ] {
        let e = serde_json::from_value::<CreateRelationsRequest>(body).unwrap_err();
        assert!(e.to_string().contains(missing), "{e}");
    }
    for missing in ["business_type_id", "simple_description", "source_id"] {
        let mut body = create_case_base();
        body.as_object_mut().unwrap().remove(missing);
        let e = serde_json::from_value::<CreateCaseRequest>(body).unwrap_err();
        assert!(e.to_string().contains(missing), "{e}");
    }
    for missing in ["id", "title", "description", "creatorId"] {
        let mut body = case_info_base();
        body.as_object_mut().unwrap().remove(missing);
        let e = serde_json::from_value::<CaseInfo>(body).unwrap_err();
        assert!(e.to_string().contains(missing), "{e}");
    }
    for missing in ["satisfaction_id", "satisfaction_value"] {
        let mut body = satisfaction_base();
        body.as_object_mut().unwrap().remove(missing);
        let e = serde_json::from_value::<CaseSatisfaction>(body).unwrap_err();
        assert!(e.to_string().contains(missing), "{e}");
    }
    // 000 and 003 have no mandatory body field: `{}` is a valid body.
    assert!(validate_update_contact_info(json!({})).is_empty());
    assert!(validate_operate_case(json!({})).is_empty());
}

// ---------------------------------------------------------------------------------------
// the documented examples round-trip through the generated types

fn round_trip<T>(example: &Value, what: &str) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let typed: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{what}: does not deserialize: {e}"));
    let back = serde_json::to_value(&typed).expect("serialize");
    assert_eq!(&back, example, "{what}: round trip");
    typed
}

/// Every example of a media type object, by name.
fn examples(media: &Value) -> Vec<(String, Value)> {
    media["examples"]
        .as_object()
        .unwrap_or_else(|| panic!("no examples in {media}"))
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect()
}

#[test]
fn osm_examples_round_trip_and_validate() {
    let spec = yaml_spec("osm.yaml");
    let paths = &spec["paths"];
    let req = |path: &str, method: &str| {
        examples(&paths[path][method]["requestBody"]["content"]["application/json"])
    };
    let c = osm_client();

    let ex = req("/v2/servicerequest/cases", "post");
    assert_eq!(ex.len(), 1);
    let body: CreateCaseRequest = round_trip(&ex[0].1, "createCase request");
    assert_eq!(body.source_id, "83aeb0f2834c4df49826c781d32a963e");
    assert_eq!(body.area_code.as_deref(), Some("86"));
    assert!(body.remind_mobile.is_none() && body.verify_code.is_none());
    assert!(c.create_case(body).validate().is_ok());

    let ex = req("/v2/servicerequest/cases/{case_id}/contact-info", "put");
    assert_eq!(ex.len(), 1);
    let body: UpdateContactInfoRequest = round_trip(&ex[0].1, "updateContactInfo request");
    assert_eq!(body.extension_map, Some(Default::default()));
    assert!(c.update_contact_info("1", body).validate().is_ok());

    let ex = req("/v2/servicerequest/cases/{case_id}/relations", "post");
    assert_eq!(ex.len(), 1);
    let body: CreateRelationsRequest = round_trip(&ex[0].1, "createRelations request");
    assert_eq!(body.related_id_list, vec!["123456".to_string()]);
    assert!(c.create_relations("case-123", body).validate().is_ok());

    let ex = req("/v2/servicerequest/cases/{case_id}/action", "post");
    assert_eq!(ex.len(), 1);
    let body: OperateCaseRequest = round_trip(&ex[0].1, "operateCase request");
    assert_eq!(body.incident_satisfaction_list, Some(vec![]));
    assert!(c.operate_case("case-123", "press", body).validate().is_ok());

    // Responses.
    let ex = examples(
        &paths["/v2/servicerequest/cases"]["post"]["responses"]["200"]["content"]
            ["application/json"],
    );
    let resp: CreateCaseResponse = round_trip(&ex[0].1, "createCase 200");
    assert_eq!(resp.incident_id.as_deref(), Some("123"));
    let responses = &spec["components"]["responses"];
    let ex = examples(&responses["BusinessResultOk"]["content"]["application/json"]);
    let r: BusinessResult = round_trip(&ex[0].1, "BusinessResultOk");
    assert_eq!(r.error_code.as_deref(), Some("OSM.01010015"));
    let mut n = 0;
    for name in [
        "BadRequest",
        "Unauthorized",
        "Forbidden",
        "InternalServerError",
        "UnexpectedError",
    ] {
        let media = &responses[name]["content"]["application/json"];
        if media["examples"].is_null() {
            continue;
        }
        for (ex_name, value) in examples(media) {
            let e: ErrorResponse = round_trip(&value, &format!("{name}/{ex_name}"));
            assert!(e.error_code.as_deref().unwrap_or("").starts_with("OSM."));
            n += 1;
        }
    }
    assert!(n >= 4, "error examples: {n}");

    // Parameter examples satisfy the parameter constraints.
    assert!(c
        .update_contact_info("1", UpdateContactInfoRequest::default())
        .validate()
        .is_ok());
}

#[test]
fn aicc_examples_round_trip_and_validate() {
    let spec = yaml_spec("aicc-case.yaml");
    let op = &spec["paths"]["/openapi/case/modify"]["post"];
    let ex = examples(&op["requestBody"]["content"]["application/json"]);
    assert_eq!(ex.len(), 1);
    let body: ModifyCaseRequest = round_trip(&ex[0].1, "modifyCase request");
    assert_eq!(body.case_info.id, "c6m800000142mS63Voa8");
    assert_eq!(
        body.case_info.due_date.as_deref(),
        Some("2023-06-20 00:00:00")
    );
    assert!(body.case_info.additional_properties.is_empty());
    assert!(aicc_client().modify_case(body).validate().is_ok());

    let ex = examples(&op["responses"]["200"]["content"]["application/json"]);
    let r: CaseResult = round_trip(&ex[0].1, "modifyCase 200");
    assert_eq!(r.res_code.as_deref(), Some("0"));
    assert_eq!(r.res_msg.as_deref(), Some("Success"));

    // Template fields (additionalProperties) round-trip too.
    let with_extra = json!({"caseInfo": {
        "id": "1", "title": "t", "description": "d", "creatorId": "c",
        "customerLevel": "gold", "extra": {"n": 1}
    }});
    let typed: ModifyCaseRequest = round_trip(&with_extra, "template fields");
    assert_eq!(typed.case_info.additional_properties.len(), 2);
}
