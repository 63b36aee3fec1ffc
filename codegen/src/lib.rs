//! `codegen`: a generator of typed, validated Rust API clients from OpenAPI 3.0 specs.
//!
//! Stages, one module each: [`load`] (YAML/JSON, line and column on syntax errors, a
//! tolerant step for what `openapiv3` cannot hold), lower (schemas and operations into the
//! [`ir`], with every semantic problem reported at its JSON pointer), [`emit`] (tokens with
//! `quote`, formatted with `prettyplease`). [`Config`] is the public face, in the manner of
//! `prost_build::Config`:
//!
//! ```no_run
//! codegen::Config::new()
//!     .spec("spec/osm.yaml")
//!     .out_dir("generated-client")
//!     .write()
//!     .expect("generation failed");
//! ```

pub mod config;
pub mod diag;
pub mod emit;
mod extensions;
pub mod ir;
pub mod load;
mod lower;
pub mod naming;
mod ops;
pub mod pattern;
pub mod workspace;

pub use config::{Config, Output, Runtime, WriteReport};
pub use diag::{Diagnostic, Diagnostics, Severity};

use std::path::Path;

/// Loads and lowers one spec. Returns the API and the warnings, or every error.
pub fn lower_spec(path: &Path) -> Result<(ir::Api, Vec<Diagnostic>), Diagnostics> {
    let spec = load::load_file(path)?;
    lower_loaded(&spec)
}

/// Lowers a loaded spec.
pub fn lower_loaded(spec: &load::Spec) -> Result<(ir::Api, Vec<Diagnostic>), Diagnostics> {
    let mut l = lower::Lowerer::new(spec);
    l.lower_components();
    let operations = l.lower_operations();
    // Reusable header parameters that several operations take are worth a client default.
    let mut default_headers = l.lower_component_headers();
    default_headers.retain(|h| {
        operations
            .iter()
            .filter(|op| {
                op.params
                    .iter()
                    .any(|p| p.location == ir::Location::Header && p.wire == h.wire)
            })
            .count()
            >= 2
    });
    let doc = &spec.doc;
    let mut api = ir::Api {
        // Titles and versions land inside single lines of doc comments.
        title: emit::docs::one_line(&doc.info.title),
        version: emit::docs::one_line(&doc.info.version),
        description: doc.info.description.clone(),
        servers: Vec::new(),
        security: Vec::new(),
        types: Vec::new(),
        operations,
        default_headers,
    };
    let mut const_scope = naming::Scope::default();
    const_scope.reserve("ALL");
    for (i, s) in doc.servers.iter().enumerate() {
        let server_ptr = diag::push("/servers", &i.to_string());
        let base = match crate::extensions::server_name(&s.extensions, &server_ptr, &mut l.sink)
            .as_deref()
        {
            Some(n) => naming::shouty(n),
            None => {
                let host = s
                    .url
                    .split("://")
                    .nth(1)
                    .unwrap_or(&s.url)
                    .split('/')
                    .next()
                    .unwrap_or("");
                let h = naming::shouty(host);
                if h == "VALUE" || h.is_empty() {
                    format!("SERVER_{i}")
                } else {
                    h
                }
            }
        };
        let mut url = s.url.clone();
        let mut variables = Vec::new();
        if let Some(vars) = &s.variables {
            for (name, v) in vars {
                url = url.replace(&format!("{{{name}}}"), &v.default);
                variables.push((name.clone(), v.default.clone(), v.description.clone()));
            }
        }
        api.servers.push(ir::ServerDef {
            const_name: const_scope.unique(&base),
            url,
            template: s.url.clone(),
            description: s.description.clone(),
            variables,
        });
    }
    if let Some(c) = &doc.components {
        for (name, s) in &c.security_schemes {
            if let openapiv3::ReferenceOr::Item(s) = s {
                if let openapiv3::SecurityScheme::HTTP { extensions, .. }
                | openapiv3::SecurityScheme::OAuth2 { extensions, .. }
                | openapiv3::SecurityScheme::OpenIDConnect { extensions, .. } = s
                {
                    crate::extensions::signing_algorithm(
                        extensions,
                        false,
                        &diag::push("/components/securitySchemes", name),
                        &mut l.sink,
                    );
                }
                let (summary, description, kind) = match s {
                    openapiv3::SecurityScheme::APIKey {
                        location,
                        name: key,
                        description,
                        extensions,
                    } => {
                        let loc = match location {
                            openapiv3::APIKeyLocation::Header => "header",
                            openapiv3::APIKeyLocation::Query => "query",
                            openapiv3::APIKeyLocation::Cookie => "cookie",
                        };
                        let signing = crate::extensions::signing_algorithm(
                            extensions,
                            loc == "header",
                            &diag::push("/components/securitySchemes", name),
                            &mut l.sink,
                        );
                        let kind = if loc == "header" {
                            ir::SecurityKind::ApiKeyHeader {
                                name: key.clone(),
                                signing,
                                client_credentials: crate::extensions::client_credentials(
                                    extensions,
                                    true,
                                    &diag::push("/components/securitySchemes", name),
                                    &mut l.sink,
                                ),
                            }
                        } else {
                            ir::SecurityKind::Other
                        };
                        (
                            format!("API key in the {loc} `{key}`"),
                            description.clone(),
                            kind,
                        )
                    }
                    openapiv3::SecurityScheme::HTTP {
                        scheme,
                        description,
                        ..
                    } => (
                        format!("HTTP `{scheme}` authentication"),
                        description.clone(),
                        if scheme.eq_ignore_ascii_case("bearer") {
                            ir::SecurityKind::Bearer
                        } else {
                            ir::SecurityKind::Other
                        },
                    ),
                    openapiv3::SecurityScheme::OAuth2 { description, .. } => (
                        "OAuth 2.0".to_string(),
                        description.clone(),
                        ir::SecurityKind::Other,
                    ),
                    openapiv3::SecurityScheme::OpenIDConnect { description, .. } => (
                        "OpenID Connect".to_string(),
                        description.clone(),
                        ir::SecurityKind::Other,
                    ),
                };
                api.security.push(ir::SecurityDef {
                    name: name.clone(),
                    kind,
                    summary,
                    description,
                });
            }
        }
    }
    l.lower_deferred();
    api.types = std::mem::take(&mut l.types);
    break_union_cycles(&mut api.types, &mut l.sink);
    mark_boxed(&mut api);
    let items = std::mem::take(&mut l.sink.items);
    let diags = Diagnostics(items);
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((api, diags.0))
}

/// Drops the alternatives through which a union contains itself with no container (array,
/// map, object) on the way: `U = oneOf [$ref U, string]`, or `U1 = oneOf [$ref U2, integer]`
/// with `U2 = oneOf [$ref U1, string]`. An untagged deserializer for those would try the
/// union inside itself forever. Each alternative closing such a cycle is dropped with a warning
/// at its pointer; a union left with no alternative becomes any JSON.
fn break_union_cycles(types: &mut [ir::TypeDef], sink: &mut diag::Sink) {
    use std::collections::{BTreeSet, HashMap};
    fn direct(t: &ir::Ty) -> Option<&str> {
        match t {
            ir::Ty::Named(n) => Some(n),
            ir::Ty::Option(inner) => direct(inner),
            _ => None,
        }
    }
    let by_name: HashMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // On the search path: (node, its edges, next edge, the variant edge that led here).
    type PathEntry = (
        usize,
        Vec<(usize, Option<usize>)>,
        usize,
        Option<(usize, usize)>,
    );
    let mut dropped: BTreeSet<(usize, usize)> = BTreeSet::new();
    loop {
        // Edges (target type, the variant taken or None for an alias), in spec order.
        let succ = |ti: usize, dropped: &BTreeSet<(usize, usize)>| -> Vec<(usize, Option<usize>)> {
            let target = |ty: &ir::Ty| {
                direct(ty)
                    .and_then(|n| by_name.get(n).copied())
                    .filter(|&j| {
                        matches!(
                            types[j].kind,
                            ir::TypeKind::Union(_) | ir::TypeKind::Alias(_)
                        )
                    })
            };
            match &types[ti].kind {
                ir::TypeKind::Union(vs) => vs
                    .iter()
                    .enumerate()
                    .filter(|(vi, _)| !dropped.contains(&(ti, *vi)))
                    .filter_map(|(vi, v)| target(&v.ty).map(|j| (j, Some(vi))))
                    .collect(),
                ir::TypeKind::Alias(ty) => target(ty).map(|j| (j, None)).into_iter().collect(),
                _ => Vec::new(),
            }
        };
        let before = dropped.len();
        // 0 = unseen, 1 = on the path, 2 = done.
        let mut state = vec![0u8; types.len()];
        for root in 0..types.len() {
            if state[root] != 0 || !matches!(types[root].kind, ir::TypeKind::Union(_)) {
                continue;
            }
            let mut path: Vec<PathEntry> = vec![(root, succ(root, &dropped), 0, None)];
            state[root] = 1;
            while let Some(top) = path.last_mut() {
                let (v, edges, i, _) = top;
                let v = *v;
                let Some(&(w, variant)) = edges.get(*i) else {
                    state[v] = 2;
                    path.pop();
                    continue;
                };
                *i += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        let e = succ(w, &dropped);
                        path.push((w, e, 0, variant.map(|vi| (v, vi))));
                    }
                    1 => {
                        // A cycle: drop the edge closing it, or the last alternative on it.
                        let closing = variant.map(|vi| (v, vi)).or_else(|| {
                            path.iter()
                                .rev()
                                .take_while(|(n, ..)| *n != w)
                                .find_map(|(.., via)| *via)
                        });
                        if let Some(edge) = closing {
                            dropped.insert(edge);
                        }
                    }
                    _ => {}
                }
            }
        }
        if dropped.len() == before {
            break;
        }
    }
    let mut removed: Vec<(usize, usize)> = dropped.into_iter().collect();
    removed.sort_by(|a, b| b.cmp(a));
    for (ti, vi) in removed {
        let name = types[ti].name.clone();
        let ir::TypeKind::Union(vs) = &mut types[ti].kind else {
            continue;
        };
        let v = vs.remove(vi);
        sink.warn(
            &v.pointer,
            format!("this alternative makes `{name}` contain itself with no array, map or object in between: no JSON value could end the recursion, and a deserializer would try it forever; it is dropped"),
        );
        if vs.is_empty() {
            let pointer = types[ti].pointer.clone();
            sink.warn(
                &pointer,
                format!("`{name}` has no alternative left; it is kept as any JSON (`serde_json::Value`)"),
            );
            types[ti].kind = ir::TypeKind::Alias(ir::Ty::Json);
        }
    }
}

/// Boxes every field whose type can reach its own struct without passing through a
/// container, so recursive schemas have a finite size.
fn mark_boxed(api: &mut ir::Api) {
    use std::collections::{BTreeMap, BTreeSet};
    fn direct(t: &ir::Ty) -> Option<&str> {
        match t {
            ir::Ty::Named(n) => Some(n),
            ir::Ty::Option(inner) => direct(inner),
            _ => None,
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &api.types {
        let e = edges.entry(t.name.clone()).or_default();
        match &t.kind {
            ir::TypeKind::Struct(s) => {
                for f in &s.fields {
                    if let Some(n) = direct(&f.ty) {
                        e.insert(n.to_string());
                    }
                }
            }
            ir::TypeKind::Union(vs) => {
                for v in vs {
                    if let Some(n) = direct(&v.ty) {
                        e.insert(n.to_string());
                    }
                }
            }
            ir::TypeKind::Alias(ty) => {
                if let Some(n) = direct(ty) {
                    e.insert(n.to_string());
                }
            }
            ir::TypeKind::Enum(_) => {}
        }
    }
    // A field or variant t -> n needs a box exactly when n reaches t again, that is when t
    // and n lie in one strongly connected component: one pass of Tarjan's algorithm instead
    // of a search per field.
    let scc = strongly_connected(&edges);
    let reaches = |from: &str, to: &str| -> bool {
        matches!((scc.get(from), scc.get(to)), (Some(a), Some(b)) if a == b)
    };
    let mut boxed: Vec<(usize, usize)> = Vec::new();
    let mut boxed_variants: Vec<(usize, usize)> = Vec::new();
    for (ti, t) in api.types.iter().enumerate() {
        match &t.kind {
            ir::TypeKind::Struct(s) => {
                for (fi, f) in s.fields.iter().enumerate() {
                    if let Some(n) = direct(&f.ty) {
                        if reaches(n, &t.name) {
                            boxed.push((ti, fi));
                        }
                    }
                }
            }
            ir::TypeKind::Union(vs) => {
                for (vi, v) in vs.iter().enumerate() {
                    if let Some(n) = direct(&v.ty) {
                        if reaches(n, &t.name) {
                            boxed_variants.push((ti, vi));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (ti, fi) in boxed {
        if let ir::TypeKind::Struct(s) = &mut api.types[ti].kind {
            s.fields[fi].boxed = true;
        }
    }
    for (ti, vi) in boxed_variants {
        if let ir::TypeKind::Union(vs) = &mut api.types[ti].kind {
            vs[vi].boxed = true;
        }
    }
}

/// Tarjan's algorithm, iterative (no recursion however long the chains): maps each node to
/// the index of its strongly connected component.
fn strongly_connected(
    edges: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> std::collections::HashMap<&str, usize> {
    use std::collections::HashMap;
    let names: Vec<&str> = edges.keys().map(String::as_str).collect();
    let id: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            edges[*n]
                .iter()
                .filter_map(|m| id.get(m.as_str()).copied())
                .collect()
        })
        .collect();
    let n = names.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next successor to look at)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if let Some(&w) = succ[v].get(*i) {
                *i += 1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    names.into_iter().zip(comp).collect()
}
