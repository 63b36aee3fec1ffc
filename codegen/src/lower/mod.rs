//! Stage 3: lower the typed document into the IR. Every schema becomes either a named type
//! (objects, enums, unions) or a use-site type with constraints; inline named types get
//! deterministic names from where they stand.
//!
//! This module holds the lowering context and the schemas; [`operations`], [`servers`] and
//! [`security`] lower the rest of the document, and [`graph`] finishes the types (union
//! cycles broken, recursive fields boxed).

mod compose;
mod constraints;
pub(crate) mod graph;
mod nominal;
mod operations;
mod paging;
mod security;
mod servers;

use compose::single_member;
use constraints::clamp_int_bounds;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::diag::{self, Sink};
use crate::extensions;
use crate::ir::*;
use crate::load::Spec;
use crate::naming::{self, Scope};

const SCHEMAS: &str = "#/components/schemas/";

/// How deep schemas may nest inside one another (inline, or through transparent `$ref`s)
/// before lowering stops with an error: far beyond any real spec, and well within the stack of
/// a default main thread (8 MiB) in a debug build.
pub(crate) const MAX_DEPTH: usize = 100;

/// From this depth on, an inline named type is lowered later from the top (see
/// [`Lowerer::lower_deferred`]) instead of inside the schema that reached it, so chains of
/// named types through merged allOfs never approach [`MAX_DEPTH`]. Real specs nest less, and
/// keep their types in the order they are reached.
const DEFER_DEPTH: usize = 24;

/// How many deferred named types one spec may produce before lowering gives up with an error.
const MAX_TYPES: usize = 100_000;

/// What a schema lowers to at a use site.
#[derive(Debug, Clone)]
pub(crate) struct Lowered {
    pub ty: Ty,
    pub constraints: Constraints,
    pub nullable: bool,
}

impl Lowered {
    fn plain(ty: Ty) -> Self {
        Lowered {
            ty,
            constraints: Constraints::default(),
            nullable: false,
        }
    }
}

/// The lowering context of one spec.
pub(crate) struct Lowerer<'a> {
    pub spec: &'a Spec,
    pub sink: Sink<'a>,
    pub types: Vec<TypeDef>,
    pub type_scope: Scope,
    /// Component schema name -> Rust name, for nominal components.
    nominal: HashMap<String, String>,
    /// Local `$ref`s outside components/schemas, deserialized once.
    ref_cache: HashMap<String, Option<Schema>>,
    /// Transparent components being lowered (cycle guard) and done.
    transparent_active: BTreeSet<String>,
    transparent_done: HashMap<String, Lowered>,
    /// (struct, wire name) of readOnly/writeOnly properties: never required in Rust, even
    /// when a `required` list (of this or another allOf member) names them.
    one_way: BTreeSet<(String, String)>,
    /// Schemas being lowered, one inside another (see [`MAX_DEPTH`]).
    depth: usize,
    /// Inline named types by the pointer where their schema is defined (bounded: a long key
    /// is kept as its start and fingerprint, [`diag::bounded`]).
    inline_done: HashMap<String, Lowered>,
    /// Whether a component schema is nominal, once computed.
    nominal_memo: HashMap<String, bool>,
    /// Inline named types still to lower: schema, Rust name, pointer.
    deferred: Vec<(Schema, String, String)>,
    /// `x-pagination` of operations, by operation pointer, resolved once every type exists.
    pending_pages: Vec<(String, crate::extensions::PaginationExt)>,
    /// `x-business-error` rules with the JSON body they read (pointer, body, rule), checked
    /// once every type exists.
    pending_business: Vec<(String, Ty, BusinessRule)>,
    /// Patterns as written -> translated and compiled, or why not.
    patterns: HashMap<String, Result<String, String>>,
}

fn schema_desc(s: &Schema) -> Option<String> {
    let d = &s.schema_data;
    match (&d.title, &d.description) {
        (Some(t), Some(desc)) if !desc.trim().is_empty() => Some(format!("{t}\n\n{desc}")),
        (_, Some(desc)) if !desc.trim().is_empty() => Some(desc.clone()),
        (Some(t), _) => Some(t.clone()),
        _ => None,
    }
}

fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<'a> Lowerer<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        Lowerer {
            spec,
            sink: {
                let mut sink = Sink::new(&spec.path, &spec.source);
                sink.extend(spec.warnings.iter().cloned());
                sink
            },
            types: Vec::new(),
            type_scope: Scope::default(),
            nominal: HashMap::new(),
            ref_cache: HashMap::new(),
            transparent_active: BTreeSet::new(),
            transparent_done: HashMap::new(),
            one_way: BTreeSet::new(),
            depth: 0,
            inline_done: HashMap::new(),
            nominal_memo: HashMap::new(),
            deferred: Vec::new(),
            pending_pages: Vec::new(),
            pending_business: Vec::new(),
            patterns: HashMap::new(),
        }
    }

    /// Lowers the whole document into an [`Api`], in a fixed order (components, operations,
    /// client default headers, servers, security schemes, deferred inline types) so names and
    /// diagnostics come out the same every time. The type graph is left to [`graph`].
    pub fn lower_api(&mut self) -> Api {
        self.lower_components();
        let operations = self.lower_operations();
        // Reusable header parameters that several operations take are worth a client default.
        let mut default_headers = self.lower_component_headers();
        default_headers.retain(|h| {
            operations
                .iter()
                .filter(|op| {
                    op.params
                        .iter()
                        .any(|p| p.location == Location::Header && p.wire == h.wire)
                })
                .count()
                >= 2
        });
        let info = &self.spec.doc.info;
        let mut api = Api {
            // Titles and versions land inside single lines of doc comments.
            title: crate::emit::docs::one_line(&info.title),
            version: crate::emit::docs::one_line(&info.version),
            description: info.description.clone(),
            servers: Vec::new(),
            security: Vec::new(),
            types: Vec::new(),
            operations,
            default_headers,
            preset_headers: crate::extensions::default_headers(
                &self.spec.doc.extensions,
                &mut self.sink,
            ),
        };
        api.servers = self.lower_servers();
        api.security = self.lower_security();
        self.lower_deferred();
        api.types = std::mem::take(&mut self.types);
        let pending = std::mem::take(&mut self.pending_pages);
        paging::resolve(&mut api, pending, &mut self.sink);
        let business = std::mem::take(&mut self.pending_business);
        paging::check_business_rules(&api, business, &mut self.sink);
        compose::check_discriminators(&api, &mut self.sink);
        api
    }

    fn components(&self) -> Option<&'a openapiv3::Components> {
        self.spec.doc.components.as_ref()
    }

    /// Registers every nominal component schema under its Rust name, then lowers each.
    pub fn lower_components(&mut self) {
        let Some(components) = self.components() else {
            return;
        };
        // Names first, so references (recursive ones too) resolve before the types exist.
        let mut idents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, schema) in &components.schemas {
            if self.is_nominal_ref_or(schema, 0) {
                let ident = naming::type_ident(name);
                idents.entry(ident.clone()).or_default().push(name.clone());
                let unique = self.type_scope.unique(&ident);
                self.nominal.insert(name.clone(), unique);
            }
        }
        for (ident, names) in idents {
            if names.len() > 1 {
                self.sink.warn(
                    &diag::push("/components/schemas", &names[1]),
                    format!(
                        "schema names {} all become the Rust name `{ident}`; the later ones are numbered ({ident}2, ...)",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
        for (name, schema) in &components.schemas {
            // Bounded here, so that what is lowered under a hostile key of 100 KB does not
            // copy it into each of its pointers.
            let pointer = diag::bounded(diag::push("/components/schemas", name));
            if let Some(ident) = self.nominal.get(name).cloned() {
                match schema {
                    ReferenceOr::Item(s) => {
                        let kind = self.lower_nominal(s, &ident, &pointer);
                        self.types.push(TypeDef {
                            name: ident,
                            doc: schema_desc(s),
                            pointer,
                            kind,
                        });
                    }
                    ReferenceOr::Reference { .. } => {
                        let lowered = self.lower_ref_or(schema, &ident, &pointer);
                        self.types.push(TypeDef {
                            name: ident,
                            doc: None,
                            pointer,
                            kind: TypeKind::Alias(lowered.ty),
                        });
                    }
                }
            } else if let ReferenceOr::Item(s) = schema {
                // Transparent: emitted as an alias for readers; uses inline its constraints.
                let lowered = self.lower_component_transparent(name);
                let ident = self.type_scope.unique(&naming::type_ident(name));
                let ty = if lowered.nullable {
                    Ty::Option(Box::new(lowered.ty))
                } else {
                    lowered.ty
                };
                self.types.push(TypeDef {
                    name: ident,
                    doc: schema_desc(s),
                    pointer,
                    kind: TypeKind::Alias(ty),
                });
            }
        }
    }

    /// Lowers the inline named types deferred so far (and those they defer in turn), each
    /// from depth 0.
    pub fn lower_deferred(&mut self) {
        let mut budget = MAX_TYPES;
        while let Some((s, name, pointer)) = self.deferred.pop() {
            if budget == 0 {
                // A backstop: no finite spec should get here.
                self.sink.error(
                    &pointer,
                    format!("more than {MAX_TYPES} nested named types; the generator stops here"),
                );
                self.deferred.clear();
                return;
            }
            budget -= 1;
            let depth = std::mem::take(&mut self.depth);
            let kind = self.lower_nominal(&s, &name, &pointer);
            self.depth = depth;
            self.types.push(TypeDef {
                name,
                doc: schema_desc(&s),
                pointer,
                kind,
            });
        }
    }

    fn component(&self, name: &str) -> Option<&'a ReferenceOr<Schema>> {
        self.components().and_then(|c| c.schemas.get(name))
    }

    /// Follows a chain of component schemas that are only `$ref`s to other component schemas
    /// (`A: {$ref: B}`, `B: {$ref: C}`...), by iteration, to the last name in the chain: the
    /// first that is not such an alias (or, with `stop_at_nominal`, the first nominal one).
    /// `None`, with an error at `pointer`, when the chain loops.
    fn follow_aliases(
        &mut self,
        name: String,
        stop_at_nominal: bool,
        pointer: &str,
    ) -> Option<String> {
        let mut name = name;
        let mut seen: BTreeSet<String> = BTreeSet::new();
        loop {
            if stop_at_nominal && self.nominal.contains_key(&name) {
                return Some(name);
            }
            let next = match self.component(&name) {
                Some(ReferenceOr::Reference { reference }) => reference
                    .strip_prefix(SCHEMAS)
                    .map(diag::unescape_token)
                    .filter(|n| self.component(n).is_some()),
                _ => None,
            };
            let Some(next) = next else {
                return Some(name);
            };
            if !seen.insert(name.clone()) {
                self.sink.error(
                    pointer,
                    format!("the `$ref`s from `#/components/schemas/{}` form a cycle: no schema is ever defined", diag::escape_token(&name)),
                );
                return None;
            }
            name = next;
        }
    }

    /// The error for a `$ref` to nothing, with the schema it most likely means.
    fn dangling(&self, reference: &str) -> String {
        let hint = reference
            .strip_prefix(SCHEMAS)
            .and_then(|name| {
                let names: Vec<&str> = (self.spec.doc.components.iter())
                    .flat_map(|c| c.schemas.keys())
                    .map(String::as_str)
                    .collect();
                diag::closest(name, &names)
            })
            .map(|n| format!(" (did you mean `{SCHEMAS}{n}`?)"))
            .unwrap_or_default();
        format!("dangling `$ref: {reference}`: nothing is defined there{hint}")
    }

    /// Resolves a `$ref` to a schema (local refs only).
    fn resolve(&mut self, reference: &str, pointer: &str) -> Option<Schema> {
        if let Some(name) = reference.strip_prefix(SCHEMAS) {
            let name = diag::unescape_token(name);
            if self.component(&name).is_some() {
                let last = self.follow_aliases(name, false, pointer)?;
                match self.component(&last) {
                    Some(ReferenceOr::Item(s)) => return Some(s.clone()),
                    Some(ReferenceOr::Reference { reference }) => {
                        // An alias of something outside components/schemas.
                        let r = reference.clone();
                        if r.starts_with(SCHEMAS) {
                            self.sink.error(
                                pointer,
                                format!("dangling `$ref: {r}`: nothing is defined there"),
                            );
                            return None;
                        }
                        return self.resolve(&r, pointer);
                    }
                    None => {}
                }
            }
        }
        if let Some(cached) = self.ref_cache.get(reference) {
            // A dangling reference is an error at every place that uses it.
            if cached.is_none() {
                let dangles = (reference.strip_prefix('#'))
                    .is_some_and(|p| self.spec.raw.pointer(p).is_none());
                if dangles {
                    let message = self.dangling(reference);
                    self.sink.error(pointer, message);
                }
            }
            return cached.clone();
        }
        let resolved = match reference.strip_prefix('#') {
            Some(ptr) => match self.spec.raw.pointer(ptr) {
                Some(v) => match serde_json::from_value::<Schema>(v.clone()) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        self.sink.error(
                            ptr,
                            format!("`$ref: {reference}` does not point to a schema: {e}"),
                        );
                        None
                    }
                },
                None => {
                    let message = self.dangling(reference);
                    self.sink.error(pointer, message);
                    None
                }
            },
            None => {
                self.sink.error(
                    pointer,
                    format!("`$ref: {reference}` points into another file; bundle the spec into one file first (e.g. `redocly bundle`)"),
                );
                None
            }
        };
        self.ref_cache
            .insert(reference.to_string(), resolved.clone());
        resolved
    }

    fn lower_component_transparent(&mut self, name: &str) -> Lowered {
        if let Some(done) = self.transparent_done.get(name) {
            return done.clone();
        }
        let pointer = diag::bounded(diag::push("/components/schemas", name));
        if !self.transparent_active.insert(name.to_string()) {
            // A transparent schema that contains itself (an array of itself): any JSON.
            return Lowered::plain(Ty::Json);
        }
        let lowered = match self.component(name) {
            Some(s) => self.lower_ref_or(s, &naming::type_ident(name), &pointer),
            None => Lowered::plain(Ty::Json),
        };
        self.transparent_active.remove(name);
        self.transparent_done
            .insert(name.to_string(), lowered.clone());
        lowered
    }

    /// Lowers a schema at a use site. `hint` names inline named types.
    pub fn lower_ref_or(&mut self, s: &ReferenceOr<Schema>, hint: &str, pointer: &str) -> Lowered {
        match s {
            ReferenceOr::Reference { reference } => self.lower_reference(reference, hint, pointer),
            ReferenceOr::Item(s) => self.lower_schema(s, hint, pointer),
        }
    }

    pub fn lower_boxed(
        &mut self,
        s: &ReferenceOr<Box<Schema>>,
        hint: &str,
        pointer: &str,
    ) -> Lowered {
        match s {
            ReferenceOr::Reference { reference } => self.lower_reference(reference, hint, pointer),
            ReferenceOr::Item(s) => self.lower_schema(s, hint, pointer),
        }
    }

    fn lower_reference(&mut self, reference: &str, hint: &str, pointer: &str) -> Lowered {
        if let Some(name) = reference.strip_prefix(SCHEMAS) {
            let name = diag::unescape_token(name);
            if let Some(ident) = self.nominal.get(&name) {
                return Lowered::plain(Ty::Named(ident.clone()));
            }
            if self.component(&name).is_some() {
                let Some(last) = self.follow_aliases(name, true, pointer) else {
                    return Lowered::plain(Ty::Json);
                };
                if let Some(ident) = self.nominal.get(&last) {
                    return Lowered::plain(Ty::Named(ident.clone()));
                }
                return self.lower_component_transparent(&last);
            }
        }
        match self.resolve(reference, pointer) {
            Some(schema) => {
                let hint = reference
                    .rsplit('/')
                    .next()
                    .map(|t| naming::type_ident(&diag::unescape_token(t)))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| hint.to_string());
                // Lowered where it is defined: its inline types are made once, however many
                // `$ref`s reach it (and a `$ref` into its own subtree ends, as a named type).
                let target = reference.strip_prefix('#').unwrap_or(pointer);
                self.lower_schema(&schema, &hint, target)
            }
            None => Lowered::plain(Ty::Json),
        }
    }

    /// Lowers an inline schema at a use site, refusing (with an error at `pointer`) to go
    /// deeper than [`MAX_DEPTH`] nested schemas, so no spec can overflow the stack.
    pub fn lower_schema(&mut self, s: &Schema, hint: &str, pointer: &str) -> Lowered {
        if self.depth >= MAX_DEPTH {
            self.sink.error(
                pointer,
                format!("schemas nest more than {MAX_DEPTH} levels deep here (through `items`, `properties`, `$ref`s...); the generator stops at that depth"),
            );
            return Lowered::plain(Ty::Json);
        }
        self.depth += 1;
        let l = self.lower_schema_at_depth(s, hint, pointer);
        self.depth -= 1;
        l
    }

    fn lower_schema_at_depth(&mut self, s: &Schema, hint: &str, pointer: &str) -> Lowered {
        let nullable = s.schema_data.nullable;
        if self.is_nominal(s, 0) {
            // An inline named type is made once for the place it is defined, however often
            // it is reached (allOf merges reach a component's properties from every schema
            // that includes it).
            if let Some(done) = self.inline_done.get(&*diag::bounded_pointer(pointer)) {
                return done.clone();
            }
            // Single-member compositions are transparent to their member.
            if let Some((member, keywords)) = single_member(s) {
                let mut l = self.lower_ref_or(member, hint, pointer);
                l.nullable |= nullable;
                for a in keywords {
                    let mut extra = compose::keyword_constraints(a);
                    self.finish_constraints(&mut extra, &l.ty, pointer);
                    for keyword in compose::tighten(&mut l.constraints, extra) {
                        self.sink.warn(
                            pointer,
                            format!(
                                "a second `{keyword}` in `allOf` cannot be joined with the \
                                 first: only the first is checked"
                            ),
                        );
                    }
                }
                return l;
            }
            let name = self.type_scope.unique(&naming::type_ident(hint));
            let lowered = Lowered {
                ty: Ty::Named(name.clone()),
                constraints: Constraints::default(),
                nullable,
            };
            let kept = diag::bounded(pointer.to_string());
            self.inline_done.insert(kept.clone(), lowered.clone());
            if self.depth >= DEFER_DEPTH {
                // Named types reached through named types reached through... (a web of
                // recursive schemas with inline parts): lowered later, from the top.
                self.deferred.push((s.clone(), name, kept));
                return lowered;
            }
            let kind = self.lower_nominal(s, &name, pointer);
            self.types.push(TypeDef {
                name: name.clone(),
                doc: schema_desc(s),
                pointer: kept,
                kind,
            });
            return lowered;
        }
        let ext = extensions::schema(s, pointer, &mut self.sink);
        let mut c = Constraints::default();
        let ty = match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                c.min_length = st.min_length.map(|v| v as u64);
                c.max_length = st.max_length.map(|v| v as u64);
                c.pattern = st.pattern.clone();
                c.min_bytes = ext.min_bytes;
                c.max_bytes = ext.max_bytes;
                // Every string format (date-time, uuid, byte, binary...) stays a `String`.
                Ty::String
            }
            SchemaKind::Type(Type::Integer(it)) => {
                let fmt = match &it.format {
                    VariantOrUnknownOrEmpty::Item(f) => format!("{f:?}").to_lowercase(),
                    VariantOrUnknownOrEmpty::Unknown(f) => f.clone(),
                    VariantOrUnknownOrEmpty::Empty => String::new(),
                };
                let ty = match fmt.as_str() {
                    "int32" | "int16" | "int8" => Ty::I32,
                    "uint32" | "uint16" | "uint8" => Ty::U32,
                    "uint64" | "uint" => Ty::U64,
                    _ => Ty::I64,
                };
                c.minimum = it.minimum.map(|v| Bound {
                    value: v as f64,
                    exclusive: it.exclusive_minimum,
                });
                c.maximum = it.maximum.map(|v| Bound {
                    value: v as f64,
                    exclusive: it.exclusive_maximum,
                });
                c.multiple_of = it.multiple_of.map(|v| v as f64);
                let [kept_min, kept_max, kept_multiple] = ext.int_bounds;
                if let Some(v) = kept_min {
                    c.minimum = Some(Bound {
                        value: v,
                        exclusive: it.exclusive_minimum,
                    });
                }
                if let Some(v) = kept_max {
                    c.maximum = Some(Bound {
                        value: v,
                        exclusive: it.exclusive_maximum,
                    });
                }
                if let Some(v) = kept_multiple {
                    c.multiple_of = Some(v);
                }
                let values: Vec<String> = it
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|v| v.to_string())
                    .collect();
                if !values.is_empty() {
                    c.one_of_values = Some(values);
                }
                if let Some(vals) = ext.int_enum {
                    c.one_of_values = Some(vals);
                }
                clamp_int_bounds(&ty, &mut c);
                ty
            }
            SchemaKind::Type(Type::Number(nt)) => {
                c.minimum = nt.minimum.map(|v| Bound {
                    value: v,
                    exclusive: nt.exclusive_minimum,
                });
                c.maximum = nt.maximum.map(|v| Bound {
                    value: v,
                    exclusive: nt.exclusive_maximum,
                });
                c.multiple_of = nt.multiple_of;
                let values: Vec<String> = nt
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|v| v.to_string())
                    .collect();
                if !values.is_empty() {
                    c.one_of_values = Some(values);
                }
                match nt.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => Ty::F32,
                    _ => Ty::F64,
                }
            }
            SchemaKind::Type(Type::Boolean(_)) => Ty::Bool,
            SchemaKind::Type(Type::Array(at)) => {
                c.min_items = at.min_items.map(|v| v as u64);
                c.max_items = at.max_items.map(|v| v as u64);
                c.unique_items = at.unique_items;
                match &at.items {
                    Some(items) => {
                        let item = self.lower_boxed(
                            items,
                            &format!("{hint}Item"),
                            &diag::push(pointer, "items"),
                        );
                        if !item.constraints.is_empty() {
                            c.items = Some(Box::new(item.constraints));
                        }
                        Ty::Vec(Box::new(wrap_nullable(item.ty, item.nullable)))
                    }
                    None => Ty::Vec(Box::new(Ty::Json)),
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                c.min_properties = o.min_properties.map(|v| v as u64);
                c.max_properties = o.max_properties.map(|v| v as u64);
                self.lower_map_values(o.additional_properties.as_ref(), hint, pointer, &mut c)
            }
            SchemaKind::Any(a) => return self.lower_any(s, a, &ext, hint, pointer),
            SchemaKind::Not { .. } => {
                self.sink.warn(pointer, "`not` cannot be expressed as a Rust type; the value is kept as any JSON (`serde_json::Value`) and not validated");
                Ty::Json
            }
            // Handled by is_nominal / single_member above.
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. } => {
                Ty::Json
            }
        };
        self.finish_constraints(&mut c, &ty, pointer);
        Lowered {
            ty,
            constraints: c,
            nullable,
        }
    }

    fn lower_map_values(
        &mut self,
        additional: Option<&AdditionalProperties>,
        hint: &str,
        pointer: &str,
        c: &mut Constraints,
    ) -> Ty {
        match additional {
            Some(AdditionalProperties::Schema(s)) => {
                let v = self.lower_ref_or(
                    s,
                    &format!("{hint}Value"),
                    &diag::push(pointer, "additionalProperties"),
                );
                if !v.constraints.is_empty() {
                    c.values = Some(Box::new(v.constraints));
                }
                Ty::Map(Box::new(wrap_nullable(v.ty, v.nullable)))
            }
            _ => Ty::Map(Box::new(Ty::Json)),
        }
    }

    /// Schemas `openapiv3` could not classify (mixed or untyped keywords).
    fn lower_any(
        &mut self,
        s: &Schema,
        a: &openapiv3::AnySchema,
        ext: &extensions::SchemaExt,
        hint: &str,
        pointer: &str,
    ) -> Lowered {
        let nullable = s.schema_data.nullable;
        let mut c = Constraints::default();
        let ty = match a.typ.as_deref() {
            Some("string") => {
                c.min_length = a.min_length.map(|v| v as u64);
                c.max_length = a.max_length.map(|v| v as u64);
                c.pattern = a.pattern.clone();
                c.min_bytes = ext.min_bytes;
                c.max_bytes = ext.max_bytes;
                Ty::String
            }
            Some("integer") => Ty::I64,
            Some("number") => Ty::F64,
            Some("boolean") => Ty::Bool,
            Some("array") => match &a.items {
                Some(items) => {
                    let item = self.lower_boxed(
                        items,
                        &format!("{hint}Item"),
                        &diag::push(pointer, "items"),
                    );
                    Ty::Vec(Box::new(wrap_nullable(item.ty, item.nullable)))
                }
                None => Ty::Vec(Box::new(Ty::Json)),
            },
            Some("object") => {
                self.lower_map_values(a.additional_properties.as_ref(), hint, pointer, &mut c)
            }
            _ => match &a.items {
                Some(items) => {
                    let item = self.lower_boxed(
                        items,
                        &format!("{hint}Item"),
                        &diag::push(pointer, "items"),
                    );
                    Ty::Vec(Box::new(wrap_nullable(item.ty, item.nullable)))
                }
                None => Ty::Json,
            },
        };
        if !a.enumeration.is_empty() && !matches!(ty, Ty::Vec(_) | Ty::Map(_)) {
            c.one_of_values = Some(
                a.enumeration
                    .iter()
                    .filter(|v| !v.is_null())
                    .map(render_value)
                    .collect(),
            );
        }
        self.finish_constraints(&mut c, &ty, pointer);
        Lowered {
            ty,
            constraints: c,
            nullable,
        }
    }

    /// Lowers a nominal schema into its named type.
    fn lower_nominal(&mut self, s: &Schema, name: &str, pointer: &str) -> TypeKind {
        let ext = extensions::schema(s, pointer, &mut self.sink);
        match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let mut values: Vec<String> = st.enumeration.iter().flatten().cloned().collect();
                let extensible = match &ext.extensible_enum {
                    Some(known) => {
                        for v in known {
                            if !values.iter().any(|x| x == v) {
                                values.push(v.to_string());
                            }
                        }
                        true
                    }
                    None => false,
                };
                let mut def = enum_def(&values, extensible);
                def.constraints.min_length = st.min_length.map(|v| v as u64);
                def.constraints.max_length = st.max_length.map(|v| v as u64);
                def.constraints.pattern = st.pattern.clone();
                def.constraints.min_bytes = ext.min_bytes;
                def.constraints.max_bytes = ext.max_bytes;
                self.finish_constraints(&mut def.constraints, &Ty::String, pointer);
                TypeKind::Enum(def)
            }
            SchemaKind::OneOf { one_of: v } | SchemaKind::AnyOf { any_of: v } => {
                let key = if matches!(s.schema_kind, SchemaKind::OneOf { .. }) {
                    "oneOf"
                } else {
                    "anyOf"
                };
                TypeKind::Union(self.lower_union(
                    v,
                    name,
                    &diag::push(pointer, key),
                    s.schema_data.discriminator.as_ref(),
                ))
            }
            SchemaKind::AllOf { all_of } => {
                let mut def = StructDef::default();
                self.merge_all_of(
                    all_of,
                    name,
                    name,
                    &diag::push(pointer, "allOf"),
                    &mut def,
                    0,
                    &mut BTreeSet::from([pointer.to_string()]),
                    &mut vec![pointer.to_string()],
                );
                TypeKind::Struct(def)
            }
            SchemaKind::Type(Type::Object(o)) => {
                let mut def = StructDef::default();
                self.merge_object(
                    &o.properties,
                    &o.required,
                    o.additional_properties.as_ref(),
                    name,
                    name,
                    pointer,
                    &mut def,
                );
                self.finish_struct(def, (o.min_properties, o.max_properties), &ext, pointer)
            }
            SchemaKind::Any(a) => {
                if a.one_of.len() > 1 || a.any_of.len() > 1 {
                    let (v, key) = if a.one_of.len() > 1 {
                        (&a.one_of, "oneOf")
                    } else {
                        (&a.any_of, "anyOf")
                    };
                    if !a.properties.is_empty() {
                        self.sink.warn(
                            pointer,
                            format!(
                                "properties beside `{key}` are not merged into the alternatives"
                            ),
                        );
                    }
                    return TypeKind::Union(self.lower_union(
                        v,
                        name,
                        &diag::push(pointer, key),
                        s.schema_data.discriminator.as_ref(),
                    ));
                }
                if a.properties.is_empty() && a.all_of.is_empty() {
                    let values: Vec<String> = a
                        .enumeration
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect();
                    return TypeKind::Enum(enum_def(&values, false));
                }
                let mut def = StructDef::default();
                if !a.all_of.is_empty() {
                    self.merge_all_of(
                        &a.all_of,
                        name,
                        name,
                        &diag::push(pointer, "allOf"),
                        &mut def,
                        0,
                        &mut BTreeSet::from([pointer.to_string()]),
                        &mut vec![pointer.to_string()],
                    );
                }
                self.merge_object(
                    &a.properties,
                    &a.required,
                    a.additional_properties.as_ref(),
                    name,
                    name,
                    pointer,
                    &mut def,
                );
                self.finish_struct(def, (a.min_properties, a.max_properties), &ext, pointer)
            }
            _ => TypeKind::Alias(Ty::Json),
        }
    }

    /// An object's struct with its property counts (checked) and conditional requirements.
    fn finish_struct(
        &mut self,
        mut def: StructDef,
        (min, max): (Option<usize>, Option<usize>),
        ext: &crate::extensions::SchemaExt,
        pointer: &str,
    ) -> TypeKind {
        def.min_properties = min.map(|v| v as u64);
        def.max_properties = max.map(|v| v as u64);
        def.required_if = ext.required_if.clone();
        self.check_counts(
            def.min_properties,
            def.max_properties,
            "minProperties",
            "maxProperties",
            pointer,
        );
        TypeKind::Struct(def)
    }
}

pub(crate) fn wrap_nullable(ty: Ty, nullable: bool) -> Ty {
    if nullable && !matches!(ty, Ty::Option(_) | Ty::Json) {
        Ty::Option(Box::new(ty))
    } else {
        ty
    }
}

/// Builds the variants of a string enum: Rust names made unique, `""` named `Empty`.
pub(crate) fn enum_def(values: &[String], extensible: bool) -> EnumDef {
    let mut scope = Scope::default();
    scope.reserve("Unknown");
    let mut variants = Vec::new();
    let mut seen = BTreeSet::new();
    for v in values {
        if !seen.insert(v.clone()) {
            continue;
        }
        let mut base = naming::camel(v);
        if naming::is_unrawable(&base) {
            // `Self` cannot be a variant name, not even as a raw identifier.
            base.push_str("Value");
        }
        let name = scope.unique(&base);
        variants.push((name, v.clone()));
    }
    EnumDef {
        variants,
        extensible,
        constraints: Constraints::default(),
    }
}
