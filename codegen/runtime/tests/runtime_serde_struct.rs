//! `serde_struct!` against `#[derive(Serialize, Deserialize)]` with the attributes the
//! generator emitted before: the same values from the same inputs, the same error messages,
//! and the same JSON from the same values.

use std::collections::BTreeMap;

use codegen_runtime as runtime;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    n: i64,
}
runtime::__private::serde_struct!(InnerOurs { n: "n" req } ignore);
#[derive(Debug, Clone, PartialEq)]
struct InnerOurs {
    n: i64,
}

/// Each property kind: required, optional, renamed, required and nullable, required JSON,
/// a required `Option` (absent: `None`), boxed, a list.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Derived {
    id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    nullable: Option<i64>,
    #[serde(default)]
    extra_json: serde_json::Value,
    required_option: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inner: Option<Box<Inner>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    list: Option<Vec<Inner>>,
}

#[derive(Debug, PartialEq)]
struct Ours {
    id: i64,
    tag: Option<String>,
    kind: String,
    nullable: Option<i64>,
    extra_json: serde_json::Value,
    required_option: Option<bool>,
    inner: Option<Box<InnerOurs>>,
    list: Option<Vec<InnerOurs>>,
}
runtime::__private::serde_struct!(Ours {
    id: "id" req,
    tag: "tag" opt,
    kind: "type" req,
    nullable: "nullable" nullable,
    extra_json: "extra_json" nullable,
    required_option: "required_option" req,
    inner: "inner" opt,
    list: "list" opt,
} ignore);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DerivedStrict {
    a: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<bool>,
}
#[derive(Debug, PartialEq)]
struct OursStrict {
    a: String,
    b: Option<bool>,
}
runtime::__private::serde_struct!(OursStrict { a: "a" req, b: "b" opt } deny);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct DerivedOpen {
    a: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, i64>,
}
#[derive(Debug, PartialEq)]
struct OursOpen {
    a: String,
    b: Option<String>,
    rest: BTreeMap<String, i64>,
}
runtime::__private::serde_struct!(OursOpen { a: "a" req, b: "b" opt } additional(rest));

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct DerivedEmpty {}
#[derive(Debug, PartialEq)]
struct OursEmpty {}
runtime::__private::serde_struct!(OursEmpty {} ignore);

/// The type's name without its path, as serde's messages give it (`expected struct Name`).
fn short<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// The derive's message with the derived type's name replaced by ours.
fn message<D, E: std::fmt::Display>(err: &E, ours: &str) -> String {
    err.to_string().replace(
        &format!("struct {}", short::<D>()),
        &format!("struct {ours}"),
    )
}

/// Asserts that the derive and ours decoded `what` alike: equal values, or equal messages.
fn agree<D, O: std::fmt::Debug + PartialEq>(
    what: &str,
    derived: Result<O, serde_json::Error>,
    ours: Result<O, serde_json::Error>,
) {
    match (&derived, &ours) {
        (Ok(d), Ok(o)) => assert_eq!(d, o, "value of {what}"),
        (Err(d), Err(o)) => assert_eq!(
            message::<D, _>(d, short::<O>()),
            o.to_string(),
            "error of {what}"
        ),
        _ => panic!("{what}: derive gave {derived:?}, ours {ours:?}"),
    }
}

/// Decodes `input` with both, from a string, from a `Value` (owned keys) and from a reader
/// (keys that do not outlive the read), and asserts equal values or equal error messages; a
/// value both decoded is written again by both, to the same JSON.
fn same<D, O>(input: &str, convert: impl Fn(D) -> O)
where
    D: for<'de> Deserialize<'de> + Serialize + std::fmt::Debug,
    O: for<'de> Deserialize<'de> + Serialize + std::fmt::Debug + PartialEq,
{
    if let Ok(d) = serde_json::from_str::<D>(input) {
        let o = serde_json::from_str::<O>(input).expect("decoded by the derive, so by ours");
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            serde_json::to_string(&o).unwrap(),
            "{input} written again"
        );
    }
    agree::<D, O>(
        input,
        serde_json::from_str::<D>(input).map(&convert),
        serde_json::from_str::<O>(input),
    );
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(input) {
        agree::<D, O>(
            &format!("{input} from a Value"),
            serde_json::from_value::<D>(value.clone()).map(&convert),
            serde_json::from_value::<O>(value),
        );
    }
    agree::<D, O>(
        &format!("{input} from a reader"),
        serde_json::from_reader::<_, D>(input.as_bytes()).map(&convert),
        serde_json::from_reader::<_, O>(input.as_bytes()),
    );
}

fn convert(d: Derived) -> Ours {
    Ours {
        id: d.id,
        tag: d.tag,
        kind: d.kind,
        nullable: d.nullable,
        extra_json: d.extra_json,
        required_option: d.required_option,
        inner: d.inner.map(|i| Box::new(InnerOurs { n: i.n })),
        list: d
            .list
            .map(|l| l.into_iter().map(|i| InnerOurs { n: i.n }).collect()),
    }
}

#[test]
fn properties_decode_as_the_derive_decodes_them() {
    let inputs = [
        r#"{"id": 1, "type": "dog", "nullable": 3}"#,
        r#"{"id": 1, "type": "dog", "nullable": 3, "required_option": true, "extra_json": null}"#,
        r#"{"id": 1, "type": "dog", "nullable": null, "tag": "t", "extra_json": [1, {"a": 2}]}"#,
        // A required nullable property may be absent: `None`, as with the derive.
        r#"{"id": 1, "type": "dog"}"#,
        r#"{"id": 1, "type": "dog", "tag": null, "inner": {"n": 5}, "list": [{"n": 1}, {"n": 2}]}"#,
        // Unknown keys are skipped, whatever their value.
        r#"{"zzz": {"deep": [1, 2, {"x": null}]}, "id": 1, "type": "dog", "more": "x"}"#,
        // Escaped keys are not borrowed from the input.
        r#"{"i\u0064": 7, "typ\u0065": "cat"}"#,
        // Errors: the same message, line and column.
        r#"{"type": "dog"}"#,
        r#"{"id": 1}"#,
        r#"{"id": 1, "id": 2, "type": "dog"}"#,
        r#"{"id": "one", "type": "dog"}"#,
        r#"{"id": 1, "type": "dog", "inner": {"m": 1}}"#,
        r#"{"id": 1, "type": "dog", "list": [{"n": 1}, {"n": "x"}]}"#,
        r#""a string""#,
        r#"null"#,
        r#"7"#,
        r#"{"id": 1, "type": "dog""#,
        "{\n  \"id\": 1,\n  \"type\": 5\n}",
    ];
    for input in inputs {
        same::<Derived, Ours>(input, convert);
    }
}

#[test]
fn unknown_keys_are_refused_or_kept_as_the_derive_does() {
    let strict = [
        r#"{"a": "x"}"#,
        r#"{"a": "x", "b": true}"#,
        r#"{"a": "x", "c": 1}"#,
        r#"{"c": 1, "a": "x"}"#,
        r#"{"b": false}"#,
    ];
    for input in strict {
        same::<DerivedStrict, OursStrict>(input, |d| OursStrict { a: d.a, b: d.b });
    }
    let open = [
        r#"{"a": "x"}"#,
        r#"{"a": "x", "n": 1, "m": 2}"#,
        r#"{"b": "y", "z": 3, "a": "x"}"#,
        r#"{"m": 2, "a": "x"}"#,
        r#"{"n": 1}"#,
    ];
    for input in open {
        same::<DerivedOpen, OursOpen>(input, |d| OursOpen {
            a: d.a,
            b: d.b,
            rest: d.rest,
        });
    }
    // A value the map cannot hold: the derive buffers the map's entries and reports the error
    // at the end of the object; the macro reports it at the value.
    let bad = r#"{"a": "x", "n": "not a number"}"#;
    let derived = serde_json::from_str::<DerivedOpen>(bad).unwrap_err();
    let ours = serde_json::from_str::<OursOpen>(bad).unwrap_err();
    assert_eq!(
        derived.to_string(),
        "invalid type: string \"not a number\", expected i64 at line 1 column 31"
    );
    assert_eq!(
        ours.to_string(),
        "invalid type: string \"not a number\", expected i64 at line 1 column 30"
    );
    for input in [r#"{}"#, r#"{"a": 1}"#, "3"] {
        same::<DerivedEmpty, OursEmpty>(input, |_| OursEmpty {});
    }
}

/// Properties named like the macro's own locals and imports.
#[derive(Debug, PartialEq)]
struct Clashing {
    map: i64,
    key: Option<String>,
    fields: Option<bool>,
    unknown: Option<i64>,
    state: String,
    len: Option<u8>,
    serializer: Option<String>,
    deserializer: Option<String>,
    f: Option<i64>,
}
runtime::__private::serde_struct!(Clashing {
    map: "map" req,
    key: "key" opt,
    fields: "fields" nullable,
    unknown: "unknown" opt,
    state: "state" req,
    len: "len" opt,
    serializer: "serializer" opt,
    deserializer: "deserializer" opt,
    f: "f" opt,
} deny);

#[test]
fn properties_may_take_the_names_the_macro_uses_itself() {
    let json = serde_json::json!({
        "map": 1, "key": "k", "fields": null, "unknown": 2, "state": "s", "len": 3,
        "serializer": "a", "deserializer": "b", "f": 4
    });
    let value: Clashing = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(value.map, 1);
    assert_eq!(value.key.as_deref(), Some("k"));
    assert_eq!(value.fields, None);
    assert_eq!(value.f, Some(4));
    assert_eq!(serde_json::to_value(&value).unwrap(), json);
    let err = serde_json::from_str::<Clashing>(r#"{"map": 1, "state": "s", "other": 0}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("unknown field `other`, expected one of `map`, `key`, `fields`"),
        "{err}"
    );
}

#[test]
fn a_struct_is_read_from_a_map_only() {
    // The derive also reads a struct from an array of its fields in order; no JSON body of
    // an object schema is one, and the macro refuses it.
    let err = serde_json::from_str::<InnerOurs>("[5]").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: sequence, expected struct InnerOurs at line 1 column 1"
    );
    assert_eq!(
        serde_json::from_str::<Inner>("[5]").unwrap(),
        Inner { n: 5 }
    );
}
