//! Lowering, last step: the graph of named types. Unions that contain themselves with no
//! container in between lose the alternatives closing the cycle, and fields and variants on a
//! cycle through no container are boxed, so every type has a finite size.

use crate::diag;
use crate::ir;

/// The named type `t` stands for directly, with no container in between.
fn direct(t: &ir::Ty) -> Option<&str> {
    match t {
        ir::Ty::Named(n) => Some(n),
        ir::Ty::Option(inner) => direct(inner),
        _ => None,
    }
}

/// Drops the alternatives through which a union contains itself with no container (array,
/// map, object) on the way: `U = oneOf [$ref U, string]`, or `U1 = oneOf [$ref U2, integer]`
/// with `U2 = oneOf [$ref U1, string]`. An untagged deserializer for those would try the
/// union inside itself forever. Each alternative closing such a cycle is dropped with a warning
/// at its pointer; a union left with no alternative becomes any JSON.
pub(crate) fn break_union_cycles(types: &mut [ir::TypeDef], sink: &mut diag::Sink) {
    use std::collections::{BTreeSet, HashMap};
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
pub(crate) fn mark_boxed(api: &mut ir::Api) {
    use std::collections::{BTreeMap, BTreeSet};
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
