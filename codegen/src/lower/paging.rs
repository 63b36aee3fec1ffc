//! Lowering, paging: `x-pagination` resolved once every type exists. The position and size
//! must be integer query parameters (or integer properties of a required JSON body), the
//! items an array and the total an integer inside the operation's one JSON success body.
//! Anything else is an error at the extension's pointer, and the operation gets no stream.
//! `x-business-error` is checked here too, once the types exist: a property it names that is
//! a misspelling of the response body's is a warning.

use std::collections::HashMap;

use crate::diag::Sink;
use crate::extensions::{PageSlot, PaginationExt};
use crate::ir::*;

/// Resolves each pending `x-pagination` (by operation pointer) into its operation.
pub(super) fn resolve(api: &mut Api, pending: Vec<(String, PaginationExt)>, sink: &mut Sink) {
    if pending.is_empty() {
        return;
    }
    let types: HashMap<&str, &TypeDef> = api.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut resolved = Vec::new();
    for (pointer, ext) in pending {
        let Some(op) = api.operations.iter().find(|o| o.pointer == pointer) else {
            continue;
        };
        match resolve_one(op, &ext, &types) {
            Ok(p) => resolved.push((pointer, p)),
            Err(message) => sink.error(&ext.pointer, message),
        }
    }
    for (pointer, p) in resolved {
        if let Some(op) = api.operations.iter_mut().find(|o| o.pointer == pointer) {
            op.pagination = Some(p);
        }
    }
}

/// Each `x-business-error` whose JSON body is an object: a `code` (or `message`) that is no
/// property of it but one or two letters from one is a warning. A misspelled code would let
/// every failure the service reports in that body pass for success; a property that only a
/// failure carries need not be in the success body's schema, and is not reported. A body of
/// another shape (a union, any JSON) is not checked.
pub(super) fn check_business_rules(
    api: &Api,
    pending: Vec<(String, Ty, BusinessRule)>,
    sink: &mut Sink,
) {
    if pending.is_empty() {
        return;
    }
    let types: HashMap<&str, &TypeDef> = api.types.iter().map(|t| (t.name.as_str(), t)).collect();
    for (pointer, body, rule) in pending {
        let Ty::Named(name) = &body else { continue };
        let Some(s) = struct_of(name, &types) else {
            continue;
        };
        let wires: Vec<&str> = s.fields.iter().map(|f| f.wire.as_str()).collect();
        for (key, wire) in [("code", &rule.code), ("message", &rule.message)] {
            if wire.is_empty() || wires.contains(&wire.as_str()) {
                continue;
            }
            // A property only a failure has need not be declared in the success body (OSM's
            // `error_code`); one a letter or two from a declared property is a misspelling.
            if let Some(k) = crate::diag::closest(wire, &wires) {
                sink.warn(
                    &crate::diag::push(&pointer, key),
                    format!("`{key}: {wire}` names no property of the response body `{name}` (did you mean `{k}`?): were it a misspelling, the service's failures would pass for success"),
                );
            }
        }
    }
}

fn resolve_one(
    op: &Operation,
    ext: &PaginationExt,
    types: &HashMap<&str, &TypeDef>,
) -> Result<Pagination, String> {
    let (position_name, size_name) = if ext.by_page {
        ("page", "size")
    } else {
        ("offset", "limit")
    };
    let position = page_field(op, &ext.position, position_name, types)?;
    let size = match &ext.size {
        Some(s) => Some(page_field(op, s, size_name, types)?),
        None => None,
    };
    let success: Vec<&ResponseDef> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    let body_ty = match success.as_slice() {
        [one] => match &one.body {
            ResponseBody::Json(t) => t,
            _ => return Err("`x-pagination` needs a JSON success body".to_string()),
        },
        _ => {
            return Err("`x-pagination` needs exactly one success response (the page)".to_string())
        }
    };
    let (items, items_ty) = walk(body_ty, &ext.items, "items", types)?;
    let item_ty = match items_ty {
        Ty::Vec(item) => *item,
        other => {
            return Err(format!(
                "`items` /{} is not an array but {other:?}",
                ext.items.join("/")
            ))
        }
    };
    let total = match &ext.total {
        Some(path) => {
            let (steps, t) = walk(body_ty, path, "total", types)?;
            if t.int_range().is_none() {
                return Err(format!("`total` /{} is not an integer", path.join("/")));
            }
            Some(steps)
        }
        None => None,
    };
    let default_start = match &ext.position {
        PageSlot::Query(wire) => op
            .params
            .iter()
            .find(|p| p.location == Location::Query && &p.wire == wire)
            .and_then(|p| p.default.as_ref())
            .and_then(serde_json::Value::as_u64),
        PageSlot::Body(_) => None,
    };
    Ok(Pagination {
        by_page: ext.by_page,
        start: default_start.unwrap_or(if ext.by_page { 1 } else { 0 }),
        position,
        size,
        items,
        item_ty,
        total,
    })
}

/// The request field behind a paging slot.
fn page_field(
    op: &Operation,
    slot: &PageSlot,
    key: &str,
    types: &HashMap<&str, &TypeDef>,
) -> Result<PageField, String> {
    let field = match slot {
        PageSlot::Query(wire) => {
            let p = op
                .params
                .iter()
                .find(|p| p.location == Location::Query && &p.wire == wire)
                .ok_or_else(|| format!("`{key}`: the operation has no query parameter `{wire}`"))?;
            PageField {
                ident: p.ident.clone(),
                wire: wire.clone(),
                in_body: false,
                optional: !p.required,
                ty: p.ty.clone(),
            }
        }
        PageSlot::Body(wire) => {
            let body = op
                .body
                .as_ref()
                .filter(|b| b.kind == BodyKind::Json && b.required)
                .ok_or_else(|| {
                    format!("`{key}`: `body:{wire}` needs a required JSON request body")
                })?;
            let Ty::Named(name) = &body.ty else {
                return Err(format!("`{key}`: the request body is not an object type"));
            };
            let s = struct_of(name, types)
                .ok_or_else(|| format!("`{key}`: the request body is not an object type"))?;
            let f = s
                .fields
                .iter()
                .find(|f| &f.wire == wire)
                .ok_or_else(|| format!("`{key}`: the request body has no property `{wire}`"))?;
            PageField {
                ident: f.ident.clone(),
                wire: wire.clone(),
                in_body: true,
                optional: f.is_option(),
                ty: f.ty.clone(),
            }
        }
    };
    if field.ty.int_range().is_none() {
        return Err(format!("`{key}`: `{}` is not an integer", field.wire));
    }
    Ok(field)
}

/// The struct a named type is (through aliases).
pub(super) fn struct_of<'t>(
    name: &str,
    types: &HashMap<&str, &'t TypeDef>,
) -> Option<&'t StructDef> {
    let mut name = name.to_string();
    for _ in 0..64 {
        match &types.get(name.as_str())?.kind {
            TypeKind::Struct(s) => return Some(s),
            TypeKind::Alias(Ty::Named(n)) => name = n.clone(),
            _ => return None,
        }
    }
    None
}

/// Follows property names from `ty`, returning the steps and the type reached.
fn walk(
    ty: &Ty,
    path: &[String],
    key: &str,
    types: &HashMap<&str, &TypeDef>,
) -> Result<(Vec<PathStep>, Ty), String> {
    let mut steps = Vec::new();
    let mut current = ty.clone();
    for (i, wire) in path.iter().enumerate() {
        let here = || format!("/{}", path[..=i].join("/"));
        let Ty::Named(name) = &current else {
            return Err(format!("`{key}`: {} is not inside an object", here()));
        };
        let s = struct_of(name, types)
            .ok_or_else(|| format!("`{key}`: {} is not inside an object", here()))?;
        let f = s
            .fields
            .iter()
            .find(|f| &f.wire == wire)
            .ok_or_else(|| format!("`{key}`: no property {} in the response body", here()))?;
        steps.push(PathStep {
            ident: f.ident.clone(),
            optional: f.is_option(),
            boxed: f.boxed,
        });
        current = f.ty.clone();
    }
    // An alias of an array or integer is what it stands for.
    for _ in 0..64 {
        match &current {
            Ty::Named(n) => match types.get(n.as_str()).map(|t| &t.kind) {
                Some(TypeKind::Alias(t)) => current = t.clone(),
                _ => break,
            },
            _ => break,
        }
    }
    Ok((steps, current))
}
