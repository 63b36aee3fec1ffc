//! Unit tests of the runtime emitted into generated crates: validation checkers at their
//! boundaries, request encodings, error-body parsing and response decoding.

use codegen_runtime as runtime;

use std::collections::{BTreeMap, HashMap};

use runtime::__private::excerpt;
use runtime::__private::validate::{self, *};
use runtime::__private::*;
use runtime::__private::{encode_query, UNRESERVED};
use runtime::*;
use serde::{Deserialize, Serialize};

fn run(f: impl FnOnce(&mut Vec<Violation>)) -> Vec<String> {
    let mut out = Vec::new();
    f(&mut out);
    out.iter().map(ToString::to_string).collect()
}

// ---------------------------------------------------------------- validation

#[test]
fn length_counts_characters_at_the_boundary() {
    let at = "a".repeat(128);
    let past = "a".repeat(129);
    assert!(run(|o| check_length(&"body.title".into(), &at, Some(1), Some(128), o)).is_empty());
    assert_eq!(
        run(|o| check_length(&"body.title".into(), &past, Some(1), Some(128), o)),
        ["body.title: length 129 > maxLength 128"]
    );
    assert_eq!(
        run(|o| check_length(&"body.title".into(), "", Some(1), Some(128), o)),
        ["body.title: length 0 < minLength 1"]
    );
    // 128 Chinese characters are 128 characters (384 bytes): at the limit.
    let cjk = "网".repeat(128);
    assert!(run(|o| check_length(&"body.title".into(), &cjk, None, Some(128), o)).is_empty());
    let cjk_past = "网".repeat(129);
    assert_eq!(
        run(|o| check_length(&"body.title".into(), &cjk_past, None, Some(128), o)),
        ["body.title: length 129 > maxLength 128"]
    );
    // An emoji is one character (one scalar value).
    assert!(run(|o| check_length(&"p".into(), "😀", Some(1), Some(1), o)).is_empty());
}

/// `check_length` decides most strings by their byte length (1 to 4 bytes a character)
/// without counting characters: its verdict must be the count's on every mix of widths and
/// every bound around it.
#[test]
fn length_by_bytes_agrees_with_the_character_count() {
    let widths = ["a", "é", "网", "😀"];
    let mut strings = vec![String::new()];
    for len in 1..=5usize {
        for n in 0..widths.len().pow(len as u32) {
            let mut s = String::new();
            let mut k = n;
            for _ in 0..len {
                s.push_str(widths[k % widths.len()]);
                k /= widths.len();
            }
            strings.push(s);
        }
    }
    let bounds = [
        None,
        Some(0),
        Some(1),
        Some(2),
        Some(3),
        Some(4),
        Some(5),
        Some(6),
        Some(7),
    ];
    for s in &strings {
        let chars = s.chars().count() as u64;
        for min in bounds {
            for max in bounds {
                let mut expected = Vec::new();
                if min.is_some_and(|m| chars < m) {
                    expected.push(format!("p: length {chars} < minLength {}", min.unwrap()));
                }
                if max.is_some_and(|m| chars > m) {
                    expected.push(format!("p: length {chars} > maxLength {}", max.unwrap()));
                }
                assert_eq!(
                    run(|o| check_length(&"p".into(), s, min, max, o)),
                    expected,
                    "{s:?} ({} bytes), min {min:?}, max {max:?}",
                    s.len()
                );
            }
        }
    }
}

#[test]
fn bytes_count_utf8_bytes_at_the_boundary() {
    // "é" is 2 bytes: 10 of them are 20 bytes.
    let at = "é".repeat(10);
    assert!(run(|o| check_bytes(&"body.caseInfo.id".into(), &at, None, Some(20), o)).is_empty());
    let past = format!("{at}a");
    assert_eq!(
        run(|o| check_bytes(&"body.caseInfo.id".into(), &past, None, Some(20), o)),
        ["body.caseInfo.id: 21 bytes > x-max-bytes 20"]
    );
    // 7 CJK characters: within maxLength 20 but 21 bytes.
    let cjk = "故".repeat(7);
    assert!(run(|o| check_length(&"body.caseInfo.id".into(), &cjk, None, Some(20), o)).is_empty());
    assert_eq!(
        run(|o| check_bytes(&"body.caseInfo.id".into(), &cjk, None, Some(20), o)),
        ["body.caseInfo.id: 21 bytes > x-max-bytes 20"]
    );
    assert_eq!(
        run(|o| check_bytes(&"p".into(), "a", Some(2), None, o)),
        ["p: 1 bytes < x-min-bytes 2"]
    );
}

#[test]
fn integer_bounds_inclusive_and_exclusive() {
    let list = Path::Text("body.incident_satisfaction_list");
    let item = list.index(0);
    let path = item.field("satisfaction_id");
    assert!(
        run(|o| check_int_range(&path, 9999, Some((1, false)), Some((9999, false)), o)).is_empty()
    );
    assert_eq!(
        run(|o| check_int_range(&path, 10000, Some((1, false)), Some((9999, false)), o)),
        ["body.incident_satisfaction_list[0].satisfaction_id: 10000 > maximum 9999"]
    );
    assert!(run(|o| check_int_range(&"p".into(), 1, Some((1, false)), None, o)).is_empty());
    assert_eq!(
        run(|o| check_int_range(&"p".into(), 0, Some((1, false)), None, o)),
        ["p: 0 < minimum 1"]
    );
    assert_eq!(
        run(|o| check_int_range(&"p".into(), 1, Some((1, true)), None, o)),
        ["p: 1 <= exclusiveMinimum 1"]
    );
    assert_eq!(
        run(|o| check_int_range(&"p".into(), 10, None, Some((10, true)), o)),
        ["p: 10 >= exclusiveMaximum 10"]
    );
    assert!(run(|o| check_int_range(&"p".into(), 9, None, Some((10, true)), o)).is_empty());
    // Bounds beyond i64 are kept.
    assert!(run(|o| check_int_range(
        &"p".into(),
        i128::from(u64::MAX),
        None,
        Some((i128::from(u64::MAX), false)),
        o
    ))
    .is_empty());
}

#[test]
fn float_bounds_and_multiple_of() {
    assert!(run(|o| check_float_range(
        &"p".into(),
        1.5,
        Some((1.5, false)),
        Some((2.5, false)),
        o
    ))
    .is_empty());
    assert_eq!(
        run(|o| check_float_range(&"p".into(), 2.75, None, Some((2.5, false)), o)),
        ["p: 2.75 > maximum 2.5"]
    );
    assert_eq!(
        run(|o| check_float_range(&"p".into(), 1.5, Some((1.5, true)), None, o)),
        ["p: 1.5 <= exclusiveMinimum 1.5"]
    );
    assert_eq!(
        run(|o| check_float_range(&"p".into(), f64::NAN, Some((0.0, false)), None, o)).len(),
        1
    );
    assert!(run(|o| check_multiple_of(&"p".into(), 0.3, 0.1, o)).is_empty());
    assert!(run(|o| check_multiple_of(&"p".into(), 15.0, 5.0, o)).is_empty());
    assert!(run(|o| check_multiple_of(&"p".into(), -0.7, 0.1, o)).is_empty());
    assert_eq!(
        run(|o| check_multiple_of(&"p".into(), 0.35, 0.1, o)),
        ["p: 0.35 is not a multipleOf 0.1"]
    );
    // A nonsensical divisor is ignored, never a panic.
    assert!(run(|o| check_multiple_of(&"p".into(), 1.0, 0.0, o)).is_empty());
}

#[test]
fn items_unique_properties_enum() {
    assert!(
        run(|o| check_items(&"body.related_id_list".into(), 3, Some(1), Some(3), o)).is_empty()
    );
    assert_eq!(
        run(|o| check_items(&"body.related_id_list".into(), 4, Some(1), Some(3), o)),
        ["body.related_id_list: 4 items > maxItems 3"]
    );
    assert_eq!(
        run(|o| check_items(&"body.related_id_list".into(), 0, Some(1), Some(3), o)),
        ["body.related_id_list: 0 items < minItems 1"]
    );
    assert!(run(|o| check_unique(&"t".into(), &["a", "b"], o)).is_empty());
    assert_eq!(
        run(|o| check_unique(&"t".into(), &["a", "b", "a", "a"], o)),
        [
            "t: item [2] (same as [0]) repeats an earlier item (uniqueItems)",
            "t: item [3] (same as [0]) repeats an earlier item (uniqueItems)"
        ]
    );
    // Objects compare as JSON values, whatever their key order.
    let a: BTreeMap<&str, i32> = [("x", 1), ("y", 2)].into_iter().collect();
    let b: HashMap<&str, i32> = [("y", 2), ("x", 1)].into_iter().collect();
    let items = vec![
        serde_json::to_value(&a).unwrap(),
        serde_json::to_value(&b).unwrap(),
    ];
    assert_eq!(run(|o| check_unique(&"t".into(), &items, o)).len(), 1);
    assert!(run(|o| check_properties(&"m".into(), 2, Some(1), Some(2), o)).is_empty());
    assert_eq!(
        run(|o| check_properties(&"m".into(), 3, Some(1), Some(2), o)),
        ["m: 3 properties > maxProperties 2"]
    );
    assert_eq!(
        run(|o| check_properties(&"m".into(), 0, Some(1), None, o)),
        ["m: 0 properties < minProperties 1"]
    );
    assert!(run(|o| check_enum(&"e".into(), "asc", &["asc", "desc"], o)).is_empty());
    assert_eq!(
        run(|o| check_enum(&"e".into(), "ASC", &["asc", "desc"], o)),
        [r#"e: "ASC" is not one of ["asc", "desc"]"#]
    );
}

#[test]
fn pattern_compiled_once_and_bad_patterns_skipped() {
    assert!(run(|o| check_pattern(&"p".into(), "12345", "^[0-9]{1,5}$", o)).is_empty());
    assert_eq!(
        run(|o| check_pattern(&"p".into(), "123456", "^[0-9]{1,5}$", o)),
        [r#"p: "123456" does not match pattern ^[0-9]{1,5}$"#]
    );
    // Unanchored, as in JSON Schema.
    assert!(run(|o| check_pattern(&"p".into(), "xx12", "[0-9]", o)).is_empty());
    // Look-behind is not supported by the regex crate: skipped, no panic, twice.
    for _ in 0..2 {
        assert!(run(|o| check_pattern(&"p".into(), "anything", "(?<=a)b", o)).is_empty());
    }
    // The offending value is truncated to about 64 characters.
    let long = "x".repeat(500);
    let msgs = run(|o| check_pattern(&"p".into(), &long, "^[0-9]+$", o));
    assert!(msgs[0].len() < 120, "{}", msgs[0]);
    assert!(msgs[0].contains('…'));
}

#[test]
fn required_and_required_if_messages() {
    assert_eq!(
        run(|o| required_if(&"body".into(), "business_type_id", "5", "region_id", o)),
        [r#"body.region_id: required when business_type_id is "5""#]
    );
    assert_eq!(
        run(|o| validate::required(&"body".into(), "group_id", o)),
        ["body.group_id: required"]
    );
    assert_eq!(
        run(|o| validate::required(&"".into(), "group_id", o)),
        ["group_id: required"]
    );
}

#[test]
fn control_characters_are_reported_without_the_value() {
    let msgs =
        run(|o| check_control_characters(&"header.X-Token".into(), "secret\r\nInjected: 1", o));
    assert_eq!(
        msgs,
        ["header.X-Token: U+000D at character 6 is not allowed (control characters)"]
    );
    assert!(!msgs[0].contains("secret"));
    assert!(run(|o| check_control_characters(&"h".into(), "tab\tis fine", o)).is_empty());
    assert_eq!(
        run(|o| check_control_characters(&"h".into(), "nul\0", o)).len(),
        1
    );
    assert_eq!(
        run(|o| check_control_characters(&"h".into(), "del\u{7f}", o)).len(),
        1
    );
}

#[test]
fn paths_join_index_and_map_keys() {
    let (root, a, m) = (Path::ROOT, Path::Text("a"), Path::Text("m"));
    assert_eq!(root.field("a").to_string(), "a");
    assert_eq!(a.field("b").to_string(), "a.b");
    assert_eq!(a.index(3).to_string(), "a[3]");
    assert_eq!(root.index(3).to_string(), "[3]");
    assert_eq!(m.key("ok_key1").to_string(), "m.ok_key1");
    assert_eq!(m.key("x-y").to_string(), r#"m["x-y"]"#);
    assert_eq!(m.key("1a").to_string(), r#"m["1a"]"#);
    assert_eq!(m.key("").to_string(), r#"m[""]"#);
    assert_eq!(root.key("x-y").to_string(), r#"["x-y"]"#);
    // Nested: each level renders once, in order.
    let items = a.field("items");
    let second = items.index(1);
    let tags = second.key("tag s");
    assert_eq!(tags.field("id").to_string(), r#"a.items[1]["tag s"].id"#);
}

/// A hand-written model, shaped like generated ones.
struct Item {
    id: i64,
    name: Option<String>,
}

impl Validate for Item {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        check_int_range(
            &path.field("id"),
            i128::from(self.id),
            None,
            Some((9999, false)),
            out,
        );
        match &self.name {
            Some(n) => check_length(&path.field("name"), n, Some(1), Some(4), out),
            None => validate::required(path, "name", out),
        }
    }
}

struct CaseBody {
    items: Option<Vec<Item>>,
    by_key: BTreeMap<String, Item>,
    by_hash: HashMap<String, Box<Item>>,
}

impl Validate for CaseBody {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        if let Some(items) = &self.items {
            check_items(&path.field("items"), items.len(), None, Some(2), out);
        }
        self.items.validate_at(&path.field("items"), out);
        self.by_key.validate_at(&path.field("by_key"), out);
        self.by_hash.validate_at(&path.field("by_hash"), out);
    }
}

#[test]
fn every_violation_is_collected_with_its_path() {
    let ok = |id| Item {
        id,
        name: Some("ok".into()),
    };
    let body = CaseBody {
        items: Some(vec![
            ok(1),
            Item {
                id: 10000,
                name: None,
            },
            ok(2),
        ]),
        by_key: [(
            "a b".to_owned(),
            Item {
                id: 1,
                name: Some("toolong".into()),
            },
        )]
        .into_iter()
        .collect(),
        by_hash: [
            ("z".to_owned(), Box::new(ok(10000))),
            ("b".to_owned(), Box::new(ok(1))),
        ]
        .into_iter()
        .collect(),
    };
    let mut out = Vec::new();
    body.validate_at(&Path::Text("body"), &mut out);
    let msgs: Vec<String> = out.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        [
            "body.items: 3 items > maxItems 2",
            "body.items[1].id: 10000 > maximum 9999",
            "body.items[1].name: required",
            r#"body.by_key["a b"].name: length 7 > maxLength 4"#,
            "body.by_hash.z.id: 10000 > maximum 9999",
        ]
    );
    let err = body.validate().unwrap_err();
    assert_eq!(err.violations().len(), 5);
    assert_eq!(err.violations()[0].rule, Rule::MaxItems(2));
    assert!(err
        .to_string()
        .starts_with("5 violations: items: 3 items > maxItems 2; items[1].id"));
    assert!(ok(1).validate().is_ok());
    // No-op impls.
    assert!("x".to_owned().validate().is_ok());
    assert!(serde_json::json!({"a": 1}).validate().is_ok());
    assert!(Some(vec![1u8, 2]).validate().is_ok());
    let one = ValidationErrors(vec![Violation {
        path: "p".into(),
        rule: Rule::Required,
        value: String::new(),
    }]);
    assert_eq!(one.to_string(), "1 violation: p: required");
}

#[test]
fn rule_display_names_the_rule() {
    assert_eq!(Rule::MaxLength(128).to_string(), "> maxLength 128");
    assert_eq!(Rule::MinItems(1).to_string(), "< minItems 1");
    assert_eq!(
        Rule::Pattern("^a$".into()).to_string(),
        "does not match pattern ^a$"
    );
    assert_eq!(
        Rule::Minimum {
            bound: 0.5,
            exclusive: false
        }
        .to_string(),
        "< minimum 0.5"
    );
    assert_eq!(
        Rule::ControlCharacters.to_string(),
        "is not allowed (control characters)"
    );
}

// ---------------------------------------------------------------- request encodings

#[test]
fn path_segments_stay_one_segment() {
    assert_eq!(encode_path_segment("../x"), "..%2Fx");
    assert_eq!(encode_path_segment("a/b"), "a%2Fb");
    assert_eq!(encode_path_segment("?#%"), "%3F%23%25");
    assert_eq!(encode_path_segment("a b"), "a%20b");
    assert_eq!(encode_path_segment("网"), "%E7%BD%91");
    assert_eq!(
        encode_path_segment("CS 2024+ü&=~(x)"),
        "CS%202024%2B%C3%BC%26%3D~%28x%29"
    );
    assert_eq!(encode_path_segment("Az09-_.~"), "Az09-_.~");
    assert_eq!(encode_path_segment("a\\b"), "a%5Cb");
    let _ = UNRESERVED;
}

#[derive(Serialize)]
enum Order {
    #[serde(rename = "asc")]
    Asc,
}

#[test]
fn query_values_and_encoding() {
    assert_eq!(query_value("a b"), "a b");
    assert_eq!(query_value(&10), "10");
    assert_eq!(query_value(&-1.5), "-1.5");
    assert_eq!(query_value(&true), "true");
    assert_eq!(query_value(&Order::Asc), "asc");
    assert_eq!(query_value(&vec!["a", "b"]), "a,b");
    assert_eq!(query_value(&Option::<i32>::None), "");
    assert_eq!(
        encode_query(&[("k".into(), "a+b c".into()), ("a".into(), "网".into())]),
        "k=a%2Bb%20c&a=%E7%BD%91"
    );
}

#[derive(Serialize)]
struct Filter {
    status: i32,
    name: Option<String>,
    range: Range,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Range {
    from: String,
    to: Option<String>,
}

fn filter() -> Filter {
    Filter {
        status: 1,
        name: None,
        range: Range {
            from: "2024-01-01".into(),
            to: None,
        },
        tags: vec!["x".into(), "y z".into()],
    }
}

#[test]
fn deep_object_and_form_object() {
    let pairs = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        deep_object("filter", &filter()),
        pairs(&[
            ("filter[status]", "1"),
            ("filter[range][from]", "2024-01-01"),
            ("filter[tags][0]", "x"),
            ("filter[tags][1]", "y z"),
        ])
    );
    assert_eq!(
        form_object(&filter()),
        pairs(&[
            ("status", "1"),
            ("range[from]", "2024-01-01"),
            ("tags", "x"),
            ("tags", "y z")
        ])
    );
    assert_eq!(deep_object("n", &5), pairs(&[("n", "5")]));
}

#[test]
fn bodies() {
    match form_body(&filter()).unwrap() {
        Body::Form(b) => assert_eq!(
            String::from_utf8(b).unwrap(),
            "status=1&range%5Bfrom%5D=2024-01-01&tags=x&tags=y+z"
        ),
        other => panic!("{other:?}"),
    }
    assert!(form_body(&5).is_err());
    match json_body(&serde_json::json!({"a": "网"})).unwrap() {
        Body::Json(b) => assert_eq!(b, "{\"a\":\"网\"}".as_bytes()),
        other => panic!("{other:?}"),
    }
    assert_eq!(Body::Json(vec![]).content_type(), Some("application/json"));
    assert_eq!(Body::Empty.content_type(), None);
}

#[test]
fn requests_know_their_idempotence() {
    use reqwest::Method;
    for m in [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
    ] {
        assert!(Request::new(m.clone(), "/", "op").idempotent, "{m}");
    }
    for m in [Method::POST, Method::PATCH] {
        assert!(!Request::new(m.clone(), "/", "op").idempotent, "{m}");
    }
    let mut r = Request::new(Method::GET, "/x", "op");
    r.query("a", "1").header("X-A", "b");
    assert_eq!(r.query, [("a".to_owned(), "1".to_owned())]);
    assert_eq!(r.headers, [("X-A".to_owned(), "b".to_owned())]);
    assert_eq!(r.operation_id, "op");
}

// ---------------------------------------------------------------- errors and decoding

#[test]
fn error_fields_in_every_known_shape() {
    let f = |s: &str| extract_error_fields(s.as_bytes());
    let both = |c: &str, m: &str| (Some(c.to_owned()), Some(m.to_owned()));
    assert_eq!(
        f(r#"{"error_code":"OSM.0001","error_msg":"bad"}"#),
        both("OSM.0001", "bad")
    );
    assert_eq!(f(r#"{"errorCode":"E1","errorMsg":"m"}"#), both("E1", "m"));
    assert_eq!(
        f(r#"{"code":"APIGW.0101","message":"m"}"#),
        both("APIGW.0101", "m")
    );
    assert_eq!(f(r#"{"resCode":"1","resMsg":"fail"}"#), both("1", "fail"));
    assert_eq!(
        f(r#"{"error":{"code":"APIGW.0301","message":"token"}}"#),
        both("APIGW.0301", "token")
    );
    assert_eq!(
        f(r#"{"data":{"error_code":"X","error_msg":"y"}}"#),
        both("X", "y")
    );
    assert_eq!(f(r#"{"code":401,"message":"m"}"#), both("401", "m"));
    assert_eq!(
        f(r#"{"error_msg":"only"}"#),
        (None, Some("only".to_owned()))
    );
    assert_eq!(f("<html>"), (None, None));
    assert_eq!(f("[1]"), (None, None));
    assert_eq!(f(""), (None, None));
}

#[test]
fn excerpt_is_bounded_and_cut_on_a_character() {
    let long = "网".repeat(300); // 900 bytes
    let e = excerpt(long.as_bytes());
    assert!(e.len() <= 512);
    assert_eq!(e.len(), 510);
    assert!(e.chars().all(|c| c == '网'));
    assert_eq!(excerpt(b"short"), "short");
    assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
}

#[derive(Debug, Deserialize, PartialEq)]
struct Model {
    id: u32,
}

#[test]
fn decode_json_reports_position_and_excerpt() {
    let ok: Model =
        decode_json::<Model>(200, None, None, &bytes::Bytes::from_static(b"{\"id\":7}")).unwrap();
    assert_eq!(ok, Model { id: 7 });
    let unit: () = decode_json::<()>(204, None, None, &bytes::Bytes::new()).unwrap();
    assert_eq!(unit, ());
    let err = decode_json::<Model>(
        200,
        Some("rid".into()),
        Some("text/html".into()),
        &bytes::Bytes::from_static(b"<html>gateway</html>"),
    )
    .unwrap_err();
    match &err {
        Error::Decode {
            status,
            request_id,
            content_type,
            message,
            excerpt,
        } => {
            assert_eq!(*status, 200);
            assert_eq!(request_id.as_deref(), Some("rid"));
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(message.contains("line 1 column 1"), "{message}");
            assert_eq!(excerpt, "<html>gateway</html>");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("rid"));
}

/// serde quotes the offending value in its message; a server can put a token there (a
/// string where a number belongs), megabytes of it. The message keeps the kind, the
/// expected type and the position, not the value, and stays short.
#[test]
fn a_decode_error_does_not_repeat_the_value_it_could_not_decode() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Token {
        access_token: u32,
    }
    let body = format!(
        r#"{{"access_token":"SECRET-XYZ\"quoted{}"}}"#,
        "y".repeat(1 << 20)
    );
    let err = decode_json::<Token>(200, None, None, &bytes::Bytes::from(body)).unwrap_err();
    let shown = err.to_string();
    assert!(
        !shown.contains("SECRET-XYZ"),
        "{}",
        &shown[..200.min(shown.len())]
    );
    assert!(
        !shown.contains("yyyy"),
        "{}",
        &shown[..200.min(shown.len())]
    );
    assert!(shown.len() < 2_000, "{} bytes", shown.len());
    let Error::Decode { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        message.starts_with("invalid type: string \"…\", expected u32 at line 1 column"),
        "{message}"
    );
    // Nothing quoted: the message stays as serde wrote it.
    let plain =
        decode_json::<Token>(200, None, None, &bytes::Bytes::from_static(b"{}")).unwrap_err();
    let Error::Decode { message, .. } = &plain else {
        panic!("{plain:?}")
    };
    assert_eq!(message, "missing field `access_token` at line 1 column 2");
}

/// A request id, or an error code, of megabytes is cut when kept and shown.
#[test]
fn server_text_in_an_error_is_bounded() {
    let api = ApiError {
        status: 500,
        request_id: Some("r".repeat(300_000)),
        error_code: Some("C".repeat(300_000)),
        error_msg: Some("m".into()),
        body: bytes::Bytes::new(),
        typed: None,
    };
    let shown = Error::Api(Box::new(api)).to_string();
    assert!(shown.len() < 2_000, "{} bytes", shown.len());
}

#[test]
fn business_errors_on_2xx() {
    let b = |s: &'static str| bytes::Bytes::from_static(s.as_bytes());
    let check = |body: &'static str, code: &str, msg: &str, ok: &[&str]| {
        check_business(200, Some("r".into()), &b(body), code, msg, ok)
    };
    let err = check(
        r#"{"error_code":"OSM.01010001","error_msg":"Param validation fail."}"#,
        "error_code",
        "error_msg",
        &[],
    )
    .unwrap_err();
    match &err {
        Error::Business(e) => {
            assert_eq!(e.code, "OSM.01010001");
            assert_eq!(e.message.as_deref(), Some("Param validation fail."));
            assert_eq!(e.status, 200);
            assert_eq!(
                e.to_string(),
                "HTTP 200 with failure OSM.01010001: Param validation fail. [request id r]"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.request_id(), Some("r"));
    assert!(check(
        r#"{"error_code":"","data":1}"#,
        "error_code",
        "error_msg",
        &[]
    )
    .is_ok());
    assert!(check(r#"{"error_code":null}"#, "error_code", "error_msg", &[]).is_ok());
    assert!(check(r#"{"data":1}"#, "error_code", "error_msg", &[]).is_ok());
    assert!(check("not json", "error_code", "error_msg", &[]).is_ok());
    // AICC: resCode "0" is success, anything else a failure (numbers too).
    assert!(check(
        r#"{"resCode":"0","resMsg":"Success"}"#,
        "resCode",
        "resMsg",
        &["0"]
    )
    .is_ok());
    assert!(check(r#"{"resCode":0}"#, "resCode", "resMsg", &["0"]).is_ok());
    match check(
        r#"{"resCode":"1","resMsg":"fail"}"#,
        "resCode",
        "resMsg",
        &["0"],
    ) {
        Err(Error::Business(e)) => {
            assert_eq!((e.code.as_str(), e.message.as_deref()), ("1", Some("fail")))
        }
        other => panic!("{other:?}"),
    }
    assert!(check(
        r#"{"result":{"code":"9"}}"#,
        "/result/code",
        "/result/msg",
        &["0"]
    )
    .is_err());
}

#[test]
fn api_error_display_and_accessors() {
    let e: ApiError = ApiError {
        status: 400,
        request_id: Some("req-1".into()),
        error_code: Some("OSM.0001".into()),
        error_msg: Some("message".into()),
        body: bytes::Bytes::new(),
        typed: None,
    };
    assert_eq!(
        e.to_string(),
        "HTTP 400 (OSM.0001: message) [request id req-1]"
    );
    let err: Error = Error::Api(Box::new(e));
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.request_id(), Some("req-1"));
    assert!(!err.is_timeout() && !err.is_connect());
    let plain: ApiError = ApiError {
        status: 502,
        request_id: None,
        error_code: None,
        error_msg: None,
        body: bytes::Bytes::new(),
        typed: None,
    };
    assert_eq!(plain.to_string(), "HTTP 502");
    let v: Error = Error::Validation(ValidationErrors(vec![]));
    assert_eq!(v.status(), None);
    assert_eq!(v.typed::<u16>(), None);
    // The typed body is reached by its type; another type gives None.
    let typed = Error::Api(Box::new(ApiError {
        status: 409,
        request_id: None,
        error_code: None,
        error_msg: None,
        body: bytes::Bytes::new(),
        typed: Some(std::sync::Arc::new(7u16)),
    }));
    // Small enough to return without boxing (clippy's result_large_err limit is 128 bytes).
    assert!(
        std::mem::size_of::<Error>() <= 128,
        "{}",
        std::mem::size_of::<Error>()
    );
    assert_eq!(typed.typed::<u16>(), Some(&7u16));
    assert_eq!(typed.typed::<u8>(), None);
}

#[test]
fn secrets_never_print() {
    let s = Secret::new("hunter2");
    assert_eq!(format!("{s:?}"), "Secret(***)");
    assert_eq!(format!("{s}"), "Secret(***)");
    assert_eq!(s.expose(), "hunter2");
    let auth = Auth::ak_sk("AKID", "sk-hunter2")
        .with_domain_id("dom")
        .with_security_token("st-hunter2");
    let dbg = format!("{auth:?}");
    assert!(dbg.contains("AKID") && dbg.contains("dom"), "{dbg}");
    assert!(!dbg.contains("hunter2"), "{dbg}");
    for a in [
        Auth::iam_token("tok-hunter2"),
        Auth::access_token("tok-hunter2"),
    ] {
        assert!(!format!("{a:?}").contains("hunter2"));
    }
}

#[test]
fn token_url_from_base_url() {
    assert_eq!(
        token_url(
            "https://service.besclouds.com/service/AICC__Case/1.0.0",
            "/baas/auth/v1.0/oauth2/token"
        )
        .unwrap(),
        "https://service.besclouds.com/baas/auth/v1.0/oauth2/token"
    );
    assert_eq!(
        token_url(
            "http://127.0.0.1:8080/service/AICC__Case/1.0.0/",
            "/baas/auth/v1.0/oauth2/token"
        )
        .unwrap(),
        "http://127.0.0.1:8080/baas/auth/v1.0/oauth2/token"
    );
    assert!(matches!(
        token_url("not a url", "/t"),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        token_url("ftp://h/x", "/t"),
        Err(Error::Config(_))
    ));
}

#[test]
fn retry_after_dates() {
    use runtime::__private::{parse_http_date, retry_after};
    use std::time::{Duration, UNIX_EPOCH};
    assert_eq!(
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(UNIX_EPOCH + Duration::from_secs(784_111_777))
    );
    assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
    assert_eq!(parse_http_date("garbage"), None);
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("retry-after", "3".parse().unwrap());
    assert_eq!(retry_after(&h, UNIX_EPOCH), Some(Duration::from_secs(3)));
    h.insert(
        "retry-after",
        "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
    );
    assert_eq!(
        retry_after(&h, UNIX_EPOCH + Duration::from_secs(784_111_770)),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        retry_after(&h, UNIX_EPOCH + Duration::from_secs(784_111_999)),
        Some(Duration::ZERO)
    );
}

#[test]
fn builder_rejects_bad_endpoints_and_headers() {
    let bad = |b: ClientBuilder| b.build().unwrap_err();
    assert!(matches!(bad(Client::builder()), Error::Config(_)));
    assert_eq!(
        bad(Client::builder()).to_string(),
        "invalid client configuration: no endpoint given"
    );
    assert!(matches!(
        bad(Client::builder().endpoint("osm.example.com")),
        Error::Config(_)
    ));
    assert!(matches!(
        bad(Client::builder().endpoint("ftp://h")),
        Error::Config(_)
    ));
    assert!(matches!(
        bad(Client::builder().endpoint("https://u:p@h")),
        Error::Config(_)
    ));
    assert!(matches!(
        bad(Client::builder().endpoint("https://h/?a=1")),
        Error::Config(_)
    ));
    match bad(Client::builder()
        .endpoint("https://h")
        .default_header("X-Language", "en\nX: y"))
    {
        Error::Validation(v) => {
            assert_eq!(v.violations()[0].path, "header.X-Language");
            assert_eq!(v.violations()[0].rule, Rule::ControlCharacters);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        bad(Client::builder()
            .endpoint("https://h")
            .default_header("Bad Name", "v")),
        Error::Config(_)
    ));
    assert!(matches!(
        bad(Client::builder().endpoint("https://h").user_agent("a\rb")),
        Error::Validation(_)
    ));
    let c = Client::builder()
        .endpoint("https://osm.cn-south-1.myhuaweicloud.cn/")
        .auth(Auth::iam_token("tok-hunter2"))
        .default_header("X-Auth-Extra", "hidden-hunter2")
        .build()
        .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("hunter2"), "{dbg}");
    assert!(
        dbg.contains("X-Auth-Extra") || dbg.contains("x-auth-extra"),
        "{dbg}"
    );
}

#[test]
fn http_dates_out_of_range_are_ignored() {
    use runtime::__private::parse_http_date;
    assert_eq!(
        parse_http_date("Fri, 01 Jan 99999999999999 00:00:00 GMT"),
        None
    );
    assert_eq!(parse_http_date("Fri, 01 Jan 1969 00:00:00 GMT"), None);
    assert_eq!(parse_http_date("Fri, 01 Jan 2021 25:00:00 GMT"), None);
    assert!(parse_http_date("Fri, 01 Jan 2021 00:00:00 GMT").is_some());
}

#[test]
fn multipart_body_from_an_object() {
    #[derive(Serialize)]
    struct Upload {
        form_data: String,
        count: i32,
        note: Option<String>,
    }
    let body = multipart_body(
        &Upload {
            form_data: "src".into(),
            count: 2,
            note: None,
        },
        vec![Part::file("file", "/tmp/x.log")],
    )
    .unwrap();
    match body {
        Body::Multipart(parts) => {
            let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names, ["form_data", "count", "file"]);
            assert!(matches!(&parts[0].data, PartData::Text(t) if t == "src"));
            assert!(matches!(&parts[1].data, PartData::Text(t) if t == "2"));
            assert!(matches!(&parts[2].data, PartData::File(_)));
        }
        other => panic!("{other:?}"),
    }
    assert!(multipart_body(&5, vec![]).is_err());
}

/// A string enum shaped like generated ones: the shared impls come from the runtime's macro.
#[derive(Debug, Clone, PartialEq)]
enum Priority {
    Low,
    High,
    Unknown(String),
}

impl Priority {
    const KNOWN: &'static [&'static str] = &["Low", "High"];

    fn as_str(&self) -> &str {
        match self {
            Self::Low => "Low",
            Self::High => "High",
            Self::Unknown(value) => value.as_str(),
        }
    }
}

impl From<&str> for Priority {
    fn from(value: &str) -> Self {
        match value {
            "Low" => Self::Low,
            "High" => Self::High,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

runtime::__private::string_enum_impls!(Priority);

#[test]
fn string_enum_impls_parse_print_and_round_trip_unknown_values() {
    assert_eq!(Priority::from("High".to_owned()), Priority::High);
    assert_eq!("Low".parse::<Priority>(), Ok(Priority::Low));
    assert_eq!(Priority::High.to_string(), "High");
    assert_eq!(
        serde_json::to_string(&Priority::Low).expect("serialize"),
        r#""Low""#
    );
    assert_eq!(
        serde_json::from_str::<Priority>(r#""High""#).expect("deserialize"),
        Priority::High
    );
    // An unlisted value is kept as it came, and sent back the same.
    let unknown: Priority = serde_json::from_str(r#""Urgent""#).expect("deserialize");
    assert_eq!(unknown, Priority::Unknown("Urgent".to_owned()));
    assert_eq!(
        serde_json::to_string(&unknown).expect("serialize"),
        r#""Urgent""#
    );
    assert_eq!(unknown.to_string(), "Urgent");
    // From<String> keeps the String itself for an unlisted value, not a copy of it.
    let text = String::from("Someday");
    let buffer = text.as_ptr();
    match Priority::from(text) {
        Priority::Unknown(kept) => assert_eq!(kept.as_ptr(), buffer),
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert!(serde_json::from_str::<Priority>("3").is_err());
}
