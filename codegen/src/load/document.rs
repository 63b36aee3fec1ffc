//! The `openapiv3` document of a tree, its parts read in parallel.
//!
//! Reading `openapiv3::OpenAPI` from the tree takes one thread through the whole document
//! (twilio-api: 13 ms, after a YAML parse that already ran on every CPU). Here the document is
//! put together from its parts instead: the components, and the path items in chunks, each
//! read by its own `Deserialize` on the CPUs there are, and the few top-level fields after.
//! `OpenAPI`, `Paths` and `Components` are built by hand because they gather their `x-`
//! extensions with `#[serde(flatten)]`; the rules of the derived code are followed (required
//! fields, defaults, `x-` keys in order, other keys ignored).
//!
//! Anything this does not vouch for (a required field missing, a field of the wrong shape)
//! gives `None`, and the caller reads the whole document the usual way, with its errors.
//! A test holds the two ways equal on every fixture and corpus spec.

use indexmap::IndexMap;
use openapiv3::{Components, OpenAPI, PathItem, Paths, ReferenceOr};
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
    // Path items differ much in size: small chunks keep the threads busy to the end.
    let chunks = 4 * crate::parallel::threads();
    let schemas = schemas.unwrap_or_default();
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
    let read = if items.len() + schemas.len() < PARALLEL_FROM_PARTS {
        jobs.iter().map(Job::run).collect()
    } else {
        crate::parallel::par_map(&jobs, Job::run)
    };
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
            Job::Schemas(entries) => read_entries(entries).map(Read::Schemas),
            Job::Paths(entries) => read_entries(entries).map(Read::Paths),
        }
    }
}

/// The entries of a map, each value read on its own.
fn read_entries<T: DeserializeOwned>(entries: &[(&String, &Value)]) -> Option<Vec<(String, T)>> {
    entries
        .iter()
        .map(|(k, v)| Some(((*k).clone(), read_value(v)?)))
        .collect()
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
            read_or_default(map, "schemas")?
        },
        responses: read_or_default(map, "responses")?,
        parameters: read_or_default(map, "parameters")?,
        examples: read_or_default(map, "examples")?,
        request_bodies: read_or_default(map, "requestBodies")?,
        headers: read_or_default(map, "headers")?,
        security_schemes: read_or_default(map, "securitySchemes")?,
        links: read_or_default(map, "links")?,
        callbacks: read_or_default(map, "callbacks")?,
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
            let fast = document_from_tree(&spec.raw);
            assert_eq!(fast.as_ref(), whole(&spec.raw).as_ref(), "{path:?}");
            read += usize::from(fast.is_some());
        }
        assert!(read > 20, "{read} read");
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
