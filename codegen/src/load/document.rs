//! The `openapiv3` document of a tree, its parts read in parallel.
//!
//! Reading `openapiv3::OpenAPI` from the tree takes one thread through the whole document
//! (twilio-api: 13 ms, after a YAML parse that already ran on every CPU). Here the document is
//! put together from its parts instead: the components, and the path items in chunks, each
//! read by its own `Deserialize` on the CPUs there are, and the few top-level fields after.
//! `OpenAPI`, `Paths`, `Components`, path items and operations are built by hand because they
//! gather their `x-` extensions with `#[serde(flatten)]`, which copies each into serde's buffer
//! before reading a field; the rules of the derived code are followed (required fields,
//! defaults, `null` for an `Option`, `x-` keys in order, other keys ignored). A reference or an
//! item in them (and in the components' maps) is told apart by its `$ref`, as `openapiv3`'s
//! untagged read does, without that read's copy.
//!
//! Anything this does not vouch for (a required field missing, a field of the wrong shape)
//! gives `None`, and the caller reads the whole document the usual way, with its errors.
//! A test holds the two ways equal on every fixture and corpus spec.

use indexmap::IndexMap;
use openapiv3::{Components, OpenAPI, Operation, PathItem, Paths, ReferenceOr};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The document `raw` (a tree, after the tolerant step) reads as; `None` when any field
/// fails or is missing (see the module's doc).
pub(super) fn document_from_tree(raw: &Value) -> Option<OpenAPI> {
    let top = raw.as_object()?;
    let paths = top.get("paths")?.as_object()?;
    let items: Vec<(&String, &Value)> = paths.iter().filter(|(k, _)| k.starts_with('/')).collect();
    // The schemas of the components, read apart when they are a map (most of the components
    // of a large document).
    let components = top.get("components");
    let schemas: Option<Vec<(&String, &Value)>> = components
        .and_then(Value::as_object)
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_object)
        .map(|m| m.iter().collect());
    // The rest of the components, then the schemas and the path items in chunks, on every
    // CPU; a small document here (threads cost more than it takes).
    let mut jobs = vec![Job::Components(components, schemas.is_some())];
    let schemas = schemas.unwrap_or_default();
    let parallel = items.len() + schemas.len() >= PARALLEL_FROM_PARTS;
    // Path items differ much in size: small chunks keep the threads busy to the end. A small
    // document is read in one chunk of each, and the CPUs are not counted (the standard
    // library reads the cgroup's quota files to count them).
    let chunks = if parallel {
        4 * crate::parallel::threads()
    } else {
        1
    };
    jobs.extend(
        schemas
            .chunks(schemas.len().div_ceil(chunks).max(1))
            .map(Job::Schemas),
    );
    jobs.extend(
        items
            .chunks(items.len().div_ceil(chunks).max(1))
            .map(Job::Paths),
    );
    let read = crate::parallel::par_map_if(parallel, &jobs, Job::run);
    let mut read = read.into_iter();
    let Some(Read::Components(mut components)) = read.next()? else {
        return None;
    };
    let mut path_items = IndexMap::with_capacity(items.len());
    for part in read {
        match part? {
            Read::Schemas(part) => components.as_mut()?.schemas.extend(part),
            Read::Paths(part) => path_items.extend(part),
            Read::Components(_) => return None,
        }
    }
    Some(OpenAPI {
        openapi: read_value(top.get("openapi")?)?,
        info: read_value(top.get("info")?)?,
        servers: read_or_default(top, "servers")?,
        paths: Paths {
            paths: path_items,
            extensions: extensions(paths),
        },
        components: components.map(|c| *c),
        security: read_or_default(top, "security")?,
        tags: read_or_default(top, "tags")?,
        external_docs: read_or_default(top, "externalDocs")?,
        extensions: extensions(top),
    })
}

/// The fewest path items and schemas for which the document is read in parallel.
const PARALLEL_FROM_PARTS: usize = 16;

/// A part of the document read on its own.
enum Job<'a> {
    /// The `components` field's value, if any, and whether its schemas are read apart.
    Components(Option<&'a Value>, bool),
    /// Schemas of the components.
    Schemas(&'a [(&'a String, &'a Value)]),
    /// Path items.
    Paths(&'a [(&'a String, &'a Value)]),
}

/// What a [`Job`] read.
enum Read {
    Components(Option<Box<Components>>),
    Schemas(Vec<(String, ReferenceOr<openapiv3::Schema>)>),
    Paths(Vec<(String, ReferenceOr<PathItem>)>),
}

impl Job<'_> {
    fn run(&self) -> Option<Read> {
        match self {
            Job::Components(None, _) => Some(Read::Components(None)),
            Job::Components(Some(c), apart) => {
                components_of(c, *apart).map(|c| Read::Components(c.map(Box::new)))
            }
            Job::Schemas(entries) => read_entries(entries, read_value).map(Read::Schemas),
            Job::Paths(entries) => read_entries(entries, path_item).map(Read::Paths),
        }
    }
}

/// The entries of a map of references or items, each value read on its own, an item by
/// `item`.
fn read_entries<T: DeserializeOwned>(
    entries: &[(&String, &Value)],
    item: impl Fn(&Value) -> Option<T>,
) -> Option<Vec<(String, ReferenceOr<T>)>> {
    entries
        .iter()
        .map(|(k, v)| Some(((*k).clone(), read_ref_or(v, &item)?)))
        .collect()
}

/// A reference or an item, as `openapiv3` reads one: a `$ref` that is a string makes it a
/// reference (other keys ignored), any other map is read as the item by `item`. `openapiv3`
/// reads it as an untagged enum, which copies the whole value into serde's buffer first and
/// reads the item from that copy. A value that is not a map takes that general way.
fn read_ref_or<T: DeserializeOwned>(
    v: &Value,
    item: impl Fn(&Value) -> Option<T>,
) -> Option<ReferenceOr<T>> {
    let Some(map) = v.as_object() else {
        return read_value(v);
    };
    if let Some(Value::String(reference)) = map.get("$ref") {
        return Some(ReferenceOr::Reference {
            reference: reference.clone(),
        });
    }
    item(v).map(ReferenceOr::Item)
}

/// A `#[serde(default)]` map of references or items: its default when the key is missing,
/// each value read by [`read_ref_or`] when it is a map, the general way otherwise.
fn read_refs_or_default<T: DeserializeOwned>(
    map: &Map<String, Value>,
    key: &str,
) -> Option<IndexMap<String, ReferenceOr<T>>> {
    match map.get(key) {
        None => Some(IndexMap::new()),
        Some(Value::Object(entries)) => entries
            .iter()
            .map(|(k, v)| Some((k.clone(), read_ref_or(v, read_value)?)))
            .collect(),
        Some(other) => read_value(other),
    }
}

/// A `#[serde(default)]` list of references or items: its default when the key is missing,
/// each value read by [`read_ref_or`] when it is a list, the general way otherwise.
fn read_ref_list_or_default<T: DeserializeOwned>(
    map: &Map<String, Value>,
    key: &str,
) -> Option<Vec<ReferenceOr<T>>> {
    match map.get(key) {
        None => Some(Vec::new()),
        Some(Value::Array(values)) => values.iter().map(|v| read_ref_or(v, read_value)).collect(),
        Some(other) => read_value(other),
    }
}

/// An `Option` field: `None` when the key is missing or its value is `null`, else the value
/// read by `read`.
fn read_opt<T>(
    map: &Map<String, Value>,
    key: &str,
    read: impl Fn(&Value) -> Option<T>,
) -> Option<Option<T>> {
    match map.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(v) => read(v).map(Some),
    }
}

/// A path item, field by field: `PathItem` gathers its `x-` keys with `#[serde(flatten)]`,
/// which copies the whole item into serde's buffer before it reads a field, and each of its
/// operations again (twilio-messaging: a tenth of the run's instructions went to copying).
fn path_item(v: &Value) -> Option<PathItem> {
    let map = v.as_object()?;
    Some(PathItem {
        summary: read_opt(map, "summary", read_value)?,
        description: read_opt(map, "description", read_value)?,
        get: read_opt(map, "get", operation)?,
        put: read_opt(map, "put", operation)?,
        post: read_opt(map, "post", operation)?,
        delete: read_opt(map, "delete", operation)?,
        options: read_opt(map, "options", operation)?,
        head: read_opt(map, "head", operation)?,
        patch: read_opt(map, "patch", operation)?,
        trace: read_opt(map, "trace", operation)?,
        servers: read_or_default(map, "servers")?,
        parameters: read_ref_list_or_default(map, "parameters")?,
        extensions: extensions(map),
    })
}

/// An operation, field by field (see [`path_item`]); its `responses` are required.
fn operation(v: &Value) -> Option<Operation> {
    let map = v.as_object()?;
    Some(Operation {
        tags: read_or_default(map, "tags")?,
        summary: read_opt(map, "summary", read_value)?,
        description: read_opt(map, "description", read_value)?,
        external_docs: read_opt(map, "externalDocs", read_value)?,
        operation_id: read_opt(map, "operationId", read_value)?,
        parameters: read_ref_list_or_default(map, "parameters")?,
        request_body: read_opt(map, "requestBody", |v| read_ref_or(v, read_value))?,
        responses: read_value(map.get("responses")?)?,
        callbacks: read_or_default(map, "callbacks")?,
        deprecated: read_or_default(map, "deprecated")?,
        security: read_opt(map, "security", read_value)?,
        servers: read_or_default(map, "servers")?,
        extensions: extensions(map),
    })
}

/// `Option<Components>` of the field's value (`null` is none); `None` when it fails. Its
/// schemas are left empty when they are read apart (`schemas_apart`).
fn components_of(v: &Value, schemas_apart: bool) -> Option<Option<Components>> {
    if v.is_null() {
        return Some(None);
    }
    let map = v.as_object()?;
    Some(Some(Components {
        schemas: if schemas_apart {
            IndexMap::new()
        } else {
            read_refs_or_default(map, "schemas")?
        },
        responses: read_refs_or_default(map, "responses")?,
        parameters: read_refs_or_default(map, "parameters")?,
        examples: read_refs_or_default(map, "examples")?,
        request_bodies: read_refs_or_default(map, "requestBodies")?,
        headers: read_refs_or_default(map, "headers")?,
        security_schemes: read_refs_or_default(map, "securitySchemes")?,
        links: read_refs_or_default(map, "links")?,
        callbacks: read_refs_or_default(map, "callbacks")?,
        extensions: extensions(map),
    }))
}

fn read_value<T: DeserializeOwned>(v: &Value) -> Option<T> {
    T::deserialize(v).ok()
}

/// A `#[serde(default)]` field (or an `Option` one): its default when the key is missing.
fn read_or_default<T: DeserializeOwned + Default>(
    map: &Map<String, Value>,
    key: &str,
) -> Option<T> {
    map.get(key).map_or(Some(T::default()), read_value)
}

/// The `x-` keys of a map, in order, as openapiv3's flattened extensions gather them.
fn extensions(map: &Map<String, Value>) -> IndexMap<String, Value> {
    map.iter()
        .filter(|(k, _)| k.starts_with("x-"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(raw: &Value) -> Option<OpenAPI> {
        <OpenAPI as serde::Deserialize>::deserialize(raw).ok()
    }

    /// On every fixture spec, and every corpus spec when `../shared/corpus` is there, the
    /// document read field by field is the one read whole.
    #[test]
    fn the_document_read_field_by_field_is_the_document_read_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut specs = Vec::new();
        for dir in [
            root.join("tests/fixtures"),
            root.join("../../shared/corpus"),
        ] {
            if let Ok(entries) = std::fs::read_dir(&dir) {
                specs.extend(
                    entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json")),
                );
            }
        }
        specs.sort();
        assert!(specs.len() > 20, "{} specs", specs.len());
        let mut read = 0;
        for path in &specs {
            let Ok(spec) = super::super::load_file(path) else {
                continue;
            };
            // Reading a deep fixture (deep_nesting.yaml) needs more than a test's stack.
            let (fast, slow) = crate::parallel::on_large_stack(|| {
                (document_from_tree(&spec.raw), whole(&spec.raw))
            });
            assert_eq!(fast.as_ref(), slow.as_ref(), "{path:?}");
            read += usize::from(fast.is_some());
        }
        assert!(read > 20, "{read} read");
    }

    /// A reference or an item, in path items and in every map of the components, reads as
    /// `openapiv3` reads it: `$ref` strings with and without other keys, `$ref`s of other
    /// types, items without `$ref`, values that are not maps, and maps that are not maps.
    #[test]
    fn references_and_items_read_as_openapiv3_reads_them() {
        let doc = |paths: Value, components: Value| {
            serde_json::json!({
                "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": paths, "components": components
            })
        };
        let get = serde_json::json!({"responses": {"200": {"description": "ok"}}});
        let paths = serde_json::json!({
            "/ref": {"$ref": "#/x"},
            "/ref-and-more": {"$ref": "#/y", "get": get, "summary": "s"},
            "/ref-not-a-string": {"$ref": 3, "summary": "s", "get": get},
            "/ref-null": {"$ref": null},
            "/item": {"get": get, "x-e": 1},
            "/every-field": {
                "summary": "s", "description": null, "servers": [{"url": "/s"}],
                "parameters": [{"$ref": "#/p"}, {"name": "a", "in": "query", "schema": {}}],
                "get": {
                    "tags": ["t"], "summary": null, "description": "d",
                    "externalDocs": {"url": "u"}, "operationId": "o",
                    "parameters": [{"name": "b", "in": "header", "schema": {}}, {"$ref": "#/q"}],
                    "requestBody": {"$ref": "#/rb"}, "responses": {"default": {"$ref": "#/r"}},
                    "callbacks": {"cb": {"{$u}": {"post": get}}}, "deprecated": true,
                    "security": null, "servers": [], "x-op": [1], "unknown": 2
                },
                "put": null, "post": {"responses": {}, "requestBody": {"content": {}}},
                "x-item": {"k": 1}, "$comment": "ignored"
            },
        });
        let components = serde_json::json!({
            "schemas": {"s": {"$ref": "#/s", "type": "object"}, "t": {"type": "string"},
                        "u": {"$ref": false, "type": "integer"}},
            "responses": {"r1": {"$ref": "#/r"}, "r2": {"description": "d"},
                          "r3": {"$ref": null, "description": "d"}},
            "parameters": {"p": {"name": "p", "in": "query", "schema": {"type": "string"}},
                           "q": {"$ref": "#/q", "in": "nowhere"}},
            "examples": {"e": {"value": 1}, "f": {"$ref": "#/f"}},
            "requestBodies": {"b": {"content": {}}, "c": {"$ref": "#/c", "content": 3}},
            "headers": {"h": {"schema": {"type": "string"}}},
            "securitySchemes": {"k": {"type": "apiKey", "name": "k", "in": "header"},
                                "l": {"$ref": "#/l"}},
            "links": {"l": {"operationId": "o"}},
            "callbacks": {"c": {"{$url}": {"post": get}}, "d": {"$ref": "#/d"}},
        });
        let mut cases = vec![doc(paths.clone(), components.clone())];
        // Each part the wrong shape, or an item that does not read.
        for key in ["schemas", "responses", "parameters", "examples", "links"] {
            let mut c = components.clone();
            c[key] = serde_json::json!(5);
            cases.push(doc(paths.clone(), c.clone()));
            c[key] = serde_json::json!({"bad": {"description": 7, "value": [], "type": 8}});
            cases.push(doc(paths.clone(), c));
        }
        cases.push(doc(
            serde_json::json!({"/bad": {"get": 4}}),
            components.clone(),
        ));
        cases.push(doc(serde_json::json!({"/bad": "text"}), components.clone()));
        for bad in [
            serde_json::json!({"get": {"summary": "no responses"}}),
            serde_json::json!({"get": {"responses": {}, "deprecated": null}}),
            serde_json::json!({"get": {"responses": {}, "tags": "t"}}),
            serde_json::json!({"get": {"responses": {}, "parameters": {"a": 1}}}),
            serde_json::json!({"get": {"responses": {}, "requestBody": 1}}),
            serde_json::json!({"parameters": [1], "get": get}),
            serde_json::json!({"summary": 1}),
            serde_json::json!({"servers": null}),
        ] {
            cases.push(doc(serde_json::json!({"/bad": bad}), components.clone()));
        }
        cases.push(doc(serde_json::json!({"/seq": ["#/z"]}), components));
        for raw in &cases {
            assert_eq!(document_from_tree(raw), whole(raw), "{raw}");
        }
        // The first reads (both ways do not merely fail alike), its references as references.
        let first = document_from_tree(&cases[0]).expect("read");
        assert!(matches!(
            &first.paths.paths["/ref-and-more"],
            ReferenceOr::Reference { reference } if reference == "#/y"
        ));
        assert!(matches!(
            &first.paths.paths["/ref-not-a-string"],
            ReferenceOr::Item(_)
        ));
        let ReferenceOr::Item(every) = &first.paths.paths["/every-field"] else {
            panic!("an item");
        };
        assert_eq!(every.get.as_ref().expect("get").extensions.len(), 1);
        assert_eq!(every.extensions.len(), 1);
        let components = first.components.expect("components");
        assert!(matches!(
            &components.responses["r1"],
            ReferenceOr::Reference { .. }
        ));
        assert!(matches!(&components.responses["r3"], ReferenceOr::Item(_)));
    }

    #[test]
    fn what_it_cannot_read_is_left_to_the_whole_read() {
        let cases = [
            serde_json::json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}}),
            serde_json::json!({"openapi": "3.0.0", "paths": {}}),
            serde_json::json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": [], }),
            serde_json::json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}, "servers": null}),
            serde_json::json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": 3}}),
        ];
        for raw in &cases {
            assert_eq!(document_from_tree(raw), None, "{raw}");
            assert_eq!(whole(raw), None, "{raw}");
        }
        let fine = serde_json::json!({
            "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {}, "x-p": 1, "other": 2}, "components": null,
            "x-top": {"k": [1, 2.5]}, "unknown": true, "security": null
        });
        let fast = document_from_tree(&fine).expect("read");
        assert_eq!(Some(&fast), whole(&fine).as_ref());
        assert_eq!(fast.paths.paths.len(), 1);
        assert_eq!(fast.paths.extensions.len(), 1);
        assert_eq!(fast.extensions.len(), 1);
    }
}
