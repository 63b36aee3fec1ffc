//! `spec/osm.yaml` against Huawei's official SDK (shared/reference/osm_ops.json, facts of
//! huaweicloudsdkosm 3.1.219): every one of the SDK's 82 operations is in the spec, found by
//! its `x-sdk-name`, with the SDK's method and path, its parameters (name, location,
//! required), its request body's fields (name, required) and its response's fields. A
//! difference fails unless spec/README.md lists it as a deliberate correction (the table
//! under "Corrections of the SDK"), and a listed correction that is no longer a difference
//! fails too, so the table stays true.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sdk() -> Value {
    let path = root().join("../shared/reference/osm_ops.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the reference facts live beside the project, in ../shared)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("osm_ops.json is JSON")
}

fn spec() -> Value {
    let path = root().join("spec/osm.yaml");
    let text = std::fs::read_to_string(&path).expect("spec/osm.yaml");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    serde_json::to_value(yaml).expect("as JSON")
}

/// Follows a local `$ref` (and chains of them).
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let pointer = r.strip_prefix('#').expect("local $ref");
                v = doc
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling $ref {r}"));
            }
            None => return v,
        }
    }
    panic!("$ref chain too long")
}

/// (name, required) of an object schema's properties, allOf members merged.
fn fields(doc: &Value, schema: &Value) -> BTreeMap<String, bool> {
    let schema = resolve(doc, schema);
    let mut out = BTreeMap::new();
    for member in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(fields(doc, member));
    }
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for name in schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        out.insert(name.clone(), required.contains(name.as_str()));
    }
    out
}

/// Every difference between the SDK's operations and the spec, keyed by (SDK operation,
/// item), with what differs.
fn differences() -> BTreeMap<(String, String), String> {
    let sdk = sdk();
    let doc = spec();
    let mut diffs = BTreeMap::new();
    let mut spec_ops: BTreeMap<String, (String, String, &Value)> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(name) = op.get("x-sdk-name").and_then(Value::as_str) {
                let before =
                    spec_ops.insert(name.to_string(), (method.to_uppercase(), path.clone(), op));
                assert!(before.is_none(), "x-sdk-name {name} is on two operations");
            }
        }
    }
    let ops = sdk["operations"].as_array().expect("operations");
    assert_eq!(ops.len(), 82, "the reference lists 82 operations");
    let models = &sdk["models"];
    for o in ops {
        let name = o["operation"].as_str().expect("operation name").to_string();
        let mut diff = |item: &str, what: String| {
            diffs.insert((name.clone(), item.to_string()), what);
        };
        let Some((method, path, op)) = spec_ops.remove(&name) else {
            diff("operation", "missing from the spec".into());
            continue;
        };
        if method != o["method"].as_str().unwrap() || path != o["path"].as_str().unwrap() {
            diff(
                "operation",
                format!("{method} {path} != SDK {} {}", o["method"], o["path"]),
            );
        }
        // Parameters.
        let mut sdk_params: BTreeMap<(String, String), bool> = BTreeMap::new();
        for (key, loc) in [
            ("path_params", "path"),
            ("query_params", "query"),
            ("header_params", "header"),
        ] {
            for p in o[key].as_array().into_iter().flatten() {
                sdk_params.insert(
                    (loc.to_string(), p["name"].as_str().unwrap().to_string()),
                    p["required"].as_bool().unwrap_or(false) || loc == "path",
                );
            }
        }
        let mut spec_params: BTreeMap<(String, String), bool> = BTreeMap::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            let p = resolve(&doc, p);
            spec_params.insert(
                (
                    p["in"].as_str().unwrap().to_string(),
                    p["name"].as_str().unwrap().to_string(),
                ),
                p["required"].as_bool().unwrap_or(false),
            );
        }
        for (k, req) in &sdk_params {
            match spec_params.get(k) {
                None => diff(&format!("{} {}", k.0, k.1), "missing from the spec".into()),
                Some(r) if r != req => diff(
                    &format!("{} {}", k.0, k.1),
                    format!("required {r}, SDK {req}"),
                ),
                _ => {}
            }
        }
        for k in spec_params.keys().filter(|k| !sdk_params.contains_key(*k)) {
            diff(&format!("{} {}", k.0, k.1), "not in the SDK".into());
        }
        // The request body's fields.
        let sdk_body = o["request_body"]["model"].as_str();
        let spec_body = op["requestBody"]["content"]
            .as_object()
            .and_then(|c| c.values().next())
            .map(|m| &m["schema"]);
        match (sdk_body, spec_body) {
            (None, None) => {}
            (Some(_), None) => diff("body", "missing from the spec".into()),
            (None, Some(_)) => diff("body", "not in the SDK".into()),
            (Some(model), Some(schema)) => {
                let want: BTreeMap<String, bool> = models[model]["fields"]
                    .as_array()
                    .expect("model fields")
                    .iter()
                    .map(|f| {
                        (
                            f["json_key"].as_str().unwrap().to_string(),
                            f["required"].as_bool().unwrap_or(false),
                        )
                    })
                    .collect();
                let got = fields(&doc, schema);
                for (k, req) in &want {
                    match got.get(k) {
                        None => diff(&format!("body {k}"), "missing from the spec".into()),
                        Some(r) if r != req => {
                            diff(&format!("body {k}"), format!("required {r}, SDK {req}"))
                        }
                        _ => {}
                    }
                }
                for k in got.keys().filter(|k| !want.contains_key(*k)) {
                    diff(&format!("body {k}"), "not in the SDK".into());
                }
            }
        }
        // The success response's fields (a file has none).
        if o["response_is_stream"].as_bool() == Some(true) {
            let content = &resolve(&doc, &op["responses"]["200"])["content"];
            if content.get("application/octet-stream").is_none() {
                diff(
                    "response",
                    "the SDK streams a file; the spec has no octet-stream 200".into(),
                );
            }
            continue;
        }
        let want: BTreeSet<String> = o["response_fields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["json_key"].as_str().unwrap().to_string())
            .collect();
        let ok = resolve(&doc, &op["responses"]["200"]);
        let got: BTreeSet<String> = match ok["content"]["application/json"].get("schema") {
            Some(schema) => fields(&doc, schema).into_keys().collect(),
            None => BTreeSet::new(),
        };
        for k in want.difference(&got) {
            diff(&format!("response {k}"), "missing from the spec".into());
        }
        for k in got.difference(&want) {
            diff(&format!("response {k}"), "not in the SDK".into());
        }
    }
    for (name, (method, path, _)) in spec_ops {
        diffs.insert(
            (name, "operation".into()),
            format!("{method} {path}: the SDK has no such operation"),
        );
    }
    diffs
}

/// The rows of spec/README.md's table of deliberate corrections: (SDK operation, item).
fn listed_corrections() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(root().join("spec/README.md")).expect("spec/README.md");
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("Corrections of the SDK"))
        .expect("spec/README.md has a section \"Corrections of the SDK\"");
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (
                cells[1].trim_matches('`').to_string(),
                cells[2].trim_matches('`').to_string(),
            )
        })
        .collect()
}

#[test]
fn every_sdk_operation_is_in_the_spec_and_every_difference_is_a_listed_correction() {
    let diffs = differences();
    let listed = listed_corrections();
    let unlisted: Vec<String> = diffs
        .iter()
        .filter(|(k, _)| !listed.contains(*k))
        .map(|((op, item), what)| format!("| `{op}` | `{item}` | {what} |"))
        .collect();
    let stale: Vec<String> = listed
        .iter()
        .filter(|k| !diffs.contains_key(*k))
        .map(|(op, item)| format!("`{op}` `{item}`"))
        .collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "differences from the SDK that spec/README.md does not list:\n{}\nlisted corrections that are no longer differences:\n{}",
        unlisted.join("\n"),
        stale.join("\n")
    );
}

#[test]
fn every_operation_of_the_spec_names_its_sdk_method_once() {
    let doc = spec();
    let mut names = BTreeSet::new();
    let mut count = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            count += 1;
            let name = op["x-sdk-name"]
                .as_str()
                .unwrap_or_else(|| panic!("{} has no x-sdk-name", op["operationId"]));
            assert!(names.insert(name.to_string()), "{name} twice");
        }
    }
    assert_eq!(count, 82);
}

#[test]
fn the_comparison_catches_a_changed_required_flag() {
    // The comparison itself: a spec whose createRelations group_id were optional would
    // differ from the documents' correction, which the README lists as required-vs-SDK.
    let diffs = differences();
    assert_eq!(
        diffs.get(&("create_relations".to_string(), "body group_id".to_string())),
        Some(&"required true, SDK false".to_string()),
        "the documents' correction of create_relations is seen as a difference"
    );
}

/// The table of operations spec/README.md carries, from the spec: one row per operation in
/// file order (tag, operationId, the SDK's method name, method and path, paging).
fn operations_table(doc: &Value) -> String {
    let mut out = String::from(
        "| tag | operationId | SDK method | request | paging |\n|---|---|---|---|---|\n",
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let paging = match op.get("x-pagination") {
                Some(p) if p.get("page").is_some() => "page numbers",
                Some(_) => "offset",
                None => "",
            };
            out.push_str(&format!(
                "| {} | `{}` | `{}` | `{} {}` | {} |\n",
                op["tags"][0].as_str().unwrap_or(""),
                op["operationId"].as_str().unwrap_or(""),
                op["x-sdk-name"].as_str().unwrap_or(""),
                method.to_uppercase(),
                path,
                paging
            ));
        }
    }
    out
}

#[test]
fn the_readme_table_of_operations_is_the_spec() {
    let expected = operations_table(&spec());
    let text = std::fs::read_to_string(root().join("spec/README.md")).expect("spec/README.md");
    let start = text
        .find("| tag | operationId |")
        .expect("spec/README.md has the table of operations");
    let table: String = text[start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        table == expected,
        "spec/README.md's table of operations differs from the spec; the table from the spec is:\n{expected}"
    );
}
