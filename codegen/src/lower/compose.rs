//! Composition: `oneOf`/`anyOf` unions and `allOf` members merged into one struct.

use super::*;

/// Whether a discriminator mapping's `target` (a `$ref` or a bare schema name) names the
/// member schema at `reference`.
fn maps_to(target: &str, reference: &str) -> bool {
    target == reference || reference.rsplit('/').next() == Some(target)
}

/// Each union alternative chosen by a discriminator whose type is an object without that
/// property: a warning at the alternative, as its tag can never be read (the client tries the
/// alternatives in turn). Checked once every type exists.
pub(super) fn check_discriminators(api: &Api, sink: &mut crate::diag::Sink) {
    // Built at the first tagged alternative: most specs have none.
    let mut types: Option<std::collections::HashMap<&str, &TypeDef>> = None;
    for t in &api.types {
        let TypeKind::Union(variants) = &t.kind else {
            continue;
        };
        for v in variants {
            let (Some((property, _)), Ty::Named(n)) = (&v.tag, &v.ty) else {
                continue;
            };
            let types = types
                .get_or_insert_with(|| api.types.iter().map(|t| (t.name.as_str(), t)).collect());
            let Some(s) = super::paging::struct_of(n, types) else {
                continue;
            };
            if s.fields.iter().any(|f| &f.wire == property) || s.additional.is_some() {
                continue;
            }
            let wires: Vec<&str> = s.fields.iter().map(|f| f.wire.as_str()).collect();
            let hint = crate::diag::did_you_mean(property, &wires);
            sink.warn(
                &v.pointer,
                format!("the discriminator's property `{property}` is not a property of `{n}`{hint}: the tag cannot be read, and the alternatives are tried in turn"),
            );
        }
    }
}

impl Lowerer<'_> {
    pub(super) fn lower_union(
        &mut self,
        members: &[ReferenceOr<Schema>],
        name: &str,
        pointer: &str,
        discriminator: Option<&openapiv3::Discriminator>,
    ) -> Vec<UnionVariant> {
        if let Some(d) = discriminator {
            // A mapping to a schema that is none of the members selects nothing: say so
            // rather than drop it.
            let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
            let mapping_ptr = diag::push(&diag::push(parent, "discriminator"), "mapping");
            for (value, target) in &d.mapping {
                let member = members.iter().any(|m| match m {
                    ReferenceOr::Reference { reference } => maps_to(target, reference),
                    ReferenceOr::Item(_) => false,
                });
                if !member {
                    self.sink.warn(
                        &diag::push(&mapping_ptr, value),
                        format!("the discriminator value `{value}` maps to `{target}`, which is not a `$ref` member of this union; the value selects nothing"),
                    );
                }
            }
        }
        let mut scope = Scope::default();
        let mut out: Vec<UnionVariant> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let here = diag::push(pointer, &i.to_string());
            let base = match m {
                ReferenceOr::Reference { reference } => reference
                    .rsplit('/')
                    .next()
                    .map(|t| naming::type_ident(&diag::unescape_token(t)))
                    .unwrap_or_else(|| format!("Variant{i}")),
                ReferenceOr::Item(s) => s
                    .schema_data
                    .title
                    .as_deref()
                    .map(naming::type_ident)
                    .unwrap_or_else(|| format!("Variant{i}")),
            };
            let l = self.lower_ref_or(m, &format!("{name}{base}"), &here);
            let ty = wrap_nullable(l.ty, l.nullable);
            // Two members of the same Rust type could never be told apart: keep the first.
            if out.iter().any(|v| v.ty == ty) {
                continue;
            }
            let vname = match &ty {
                Ty::String => "String".to_string(),
                Ty::Bool => "Bool".to_string(),
                Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 => "Integer".to_string(),
                Ty::F32 | Ty::F64 => "Number".to_string(),
                Ty::Vec(_) if matches!(m, ReferenceOr::Item(_)) => "Array".to_string(),
                Ty::Map(_) if matches!(m, ReferenceOr::Item(_)) => "Object".to_string(),
                _ => base,
            };
            // The discriminator values that select this member: the mapping's keys that point
            // at it, or else (for a `$ref`) the schema's name, as OpenAPI defines.
            let tag = match (discriminator, m) {
                (Some(d), ReferenceOr::Reference { reference }) => {
                    let mut values: Vec<String> = d
                        .mapping
                        .iter()
                        .filter(|(_, target)| maps_to(target, reference))
                        .map(|(value, _)| value.clone())
                        .collect();
                    if values.is_empty() {
                        if let Some(last) = reference.rsplit('/').next() {
                            values.push(diag::unescape_token(last));
                        }
                    }
                    Some((d.property_name.clone(), values))
                }
                _ => None,
            };
            out.push(UnionVariant {
                name: scope.unique(&vname),
                ty,
                constraints: l.constraints,
                boxed: false,
                tag,
                pointer: diag::bounded(here),
            });
        }
        out
    }

    /// Collects the properties of every allOf member into one struct. `seen` holds the
    /// pointers of the schemas merged into it so far and `active` those being merged now: a
    /// component reached twice (diamonds, `A: allOf [B, B]`) is merged once, so merging takes
    /// time linear in the schemas reached, and one that refers back to itself is a warning.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn merge_all_of(
        &mut self,
        members: &[ReferenceOr<Schema>],
        name: &str,
        owner: &str,
        pointer: &str,
        def: &mut StructDef,
        depth: usize,
        seen: &mut BTreeSet<String>,
        active: &mut Vec<String>,
    ) {
        if depth > 16 {
            self.sink
                .warn(pointer, "allOf nests too deep; stopped merging here");
            return;
        }
        for (i, m) in members.iter().enumerate() {
            let here = diag::push(pointer, &i.to_string());
            // Where the member's schema is defined, and whose name its inline types take.
            let mut base = here.clone();
            let mut member_owner = owner.to_string();
            let schema = match m {
                ReferenceOr::Item(s) => s.clone(),
                ReferenceOr::Reference { reference } => {
                    if let Some(target) = reference
                        .strip_prefix(SCHEMAS)
                        .map(diag::unescape_token)
                        .filter(|n| self.component(n).is_some())
                    {
                        let Some(last) = self.follow_aliases(target, false, &here) else {
                            continue;
                        };
                        base = diag::bounded(diag::push("/components/schemas", &last));
                        member_owner = self
                            .nominal
                            .get(&last)
                            .cloned()
                            .unwrap_or_else(|| naming::type_ident(&last));
                        if active.contains(&base) {
                            self.sink.warn(
                                &here,
                                format!("allOf refers back to `{reference}`, which is being merged already; skipped here"),
                            );
                            continue;
                        }
                        if !seen.insert(base.clone()) {
                            continue;
                        }
                    }
                    let resolved = match self.resolve(reference, &here) {
                        Some(s) => s,
                        None => continue,
                    };
                    if base == here {
                        // A `$ref` to a schema outside components/schemas: merged from where
                        // it is defined, once.
                        if let Some(target) = reference.strip_prefix('#') {
                            base = target.to_string();
                            if active.contains(&base) {
                                self.sink.warn(
                                    &here,
                                    format!("allOf refers back to `{reference}`, which is being merged already; skipped here"),
                                );
                                continue;
                            }
                            if !seen.insert(base.clone()) {
                                continue;
                            }
                        }
                    }
                    resolved
                }
            };
            active.push(base.clone());
            self.merge_member(
                &schema,
                name,
                &member_owner,
                &here,
                &base,
                def,
                depth,
                seen,
                active,
            );
            active.pop();
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn merge_member(
        &mut self,
        schema: &Schema,
        name: &str,
        owner: &str,
        here: &str,
        base: &str,
        def: &mut StructDef,
        depth: usize,
        seen: &mut BTreeSet<String>,
        active: &mut Vec<String>,
    ) {
        let ext = extensions::schema(schema, base, &mut self.sink);
        def.required_if.extend(ext.required_if);
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => self.merge_object(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                name,
                owner,
                base,
                def,
            ),
            SchemaKind::AllOf { all_of } => self.merge_all_of(
                all_of,
                name,
                owner,
                &diag::push(base, "allOf"),
                def,
                depth + 1,
                seen,
                active,
            ),
            SchemaKind::Any(a) => {
                if !a.all_of.is_empty() {
                    self.merge_all_of(
                        &a.all_of,
                        name,
                        owner,
                        &diag::push(base, "allOf"),
                        def,
                        depth + 1,
                        seen,
                        active,
                    );
                }
                self.merge_object(
                    &a.properties,
                    &a.required,
                    a.additional_properties.as_ref(),
                    name,
                    owner,
                    base,
                    def,
                );
                if !a.one_of.is_empty() || !a.any_of.is_empty() {
                    self.sink.warn(here, "a oneOf/anyOf inside allOf is not merged; its properties are kept as additional properties");
                    def.additional
                        .get_or_insert((Ty::Json, Constraints::default()));
                }
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.sink.warn(here, "a oneOf/anyOf inside allOf is not merged; its properties are kept as additional properties");
                def.additional
                    .get_or_insert((Ty::Json, Constraints::default()));
            }
            _ => {}
        }
    }

    /// Whether a property's schema is a `format: password` string, inline or one `$ref` to
    /// a component schema.
    fn is_password(&self, prop: &ReferenceOr<Box<Schema>>) -> bool {
        fn password(s: &Schema) -> bool {
            match &s.schema_kind {
                SchemaKind::Type(Type::String(st)) => match &st.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Password) => true,
                    VariantOrUnknownOrEmpty::Unknown(f) => f.eq_ignore_ascii_case("password"),
                    _ => false,
                },
                SchemaKind::Any(a) => a.format.as_deref() == Some("password"),
                _ => false,
            }
        }
        match prop {
            ReferenceOr::Item(s) => password(s),
            ReferenceOr::Reference { reference } => reference
                .strip_prefix(SCHEMAS)
                .and_then(|n| self.component(&diag::unescape_token(n)))
                .is_some_and(|c| matches!(c, ReferenceOr::Item(s) if password(s))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn merge_object(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        name: &str,
        owner: &str,
        pointer: &str,
        def: &mut StructDef,
    ) {
        let mut scope = Scope::default();
        for f in &def.fields {
            scope.reserve(&f.ident);
        }
        for (wire, prop) in properties {
            let here = diag::push(&diag::push(pointer, "properties"), wire);
            let hint = format!("{owner}{}", naming::camel(wire));
            let l = self.lower_boxed(prop, &hint, &here);
            let (read_only, write_only, doc) = match prop {
                ReferenceOr::Item(s) => (
                    s.schema_data.read_only,
                    s.schema_data.write_only,
                    schema_desc(s),
                ),
                ReferenceOr::Reference { .. } => (false, false, None),
            };
            let secret = self.is_password(prop);
            if read_only || write_only {
                self.one_way.insert((name.to_string(), wire.clone()));
            }
            let field = Field {
                wire: wire.clone(),
                ident: String::new(),
                ty: l.ty,
                required: required.contains(wire) && !read_only && !write_only,
                nullable: l.nullable,
                constraints: l.constraints,
                doc,
                boxed: false,
                secret,
                required_in_requests: required.contains(wire) && write_only && !read_only,
            };
            if let Some(existing) = def.fields.iter_mut().find(|f| &f.wire == wire) {
                // allOf members restating a property: the later one refines it.
                let ident = existing.ident.clone();
                *existing = Field { ident, ..field };
                continue;
            }
            let base = naming::field_ident(wire);
            let ident = scope.unique(&base);
            if ident != base {
                let other = def
                    .fields
                    .iter()
                    .find(|f| f.ident == base)
                    .map(|f| f.wire.clone())
                    .unwrap_or_default();
                self.sink.warn(
                    &here,
                    format!("properties `{other}` and `{wire}` both become the Rust field `{base}`; this one is named `{ident}` (its wire name is kept)"),
                );
            }
            def.fields.push(Field { ident, ..field });
        }
        for r in required {
            if self.one_way.contains(&(name.to_string(), r.clone())) {
                continue;
            }
            if let Some(f) = def.fields.iter_mut().find(|f| &f.wire == r) {
                f.required = true;
            }
        }
        match additional {
            Some(AdditionalProperties::Any(true)) => {
                def.additional
                    .get_or_insert((Ty::Json, Constraints::default()));
            }
            Some(AdditionalProperties::Schema(s)) => {
                let v = self.lower_ref_or(
                    s,
                    &format!("{owner}Value"),
                    &diag::push(pointer, "additionalProperties"),
                );
                def.additional = Some((wrap_nullable(v.ty, v.nullable), v.constraints));
            }
            _ => {}
        }
    }
}

/// The one member of a composition that says what the value is, with the members beside it
/// that only constrain it further (in an `allOf`); `None` for a composition of more.
pub(super) fn single_member(
    s: &Schema,
) -> Option<(&ReferenceOr<Schema>, Vec<&openapiv3::AnySchema>)> {
    match &s.schema_kind {
        SchemaKind::OneOf { one_of: v } | SchemaKind::AnyOf { any_of: v } if v.len() == 1 => {
            v.first().map(|m| (m, Vec::new()))
        }
        SchemaKind::AllOf { all_of: v } => single_constraining(v),
        SchemaKind::Any(a) if a.properties.is_empty() && a.enumeration.is_empty() => {
            let total = a.one_of.len() + a.any_of.len() + a.all_of.len();
            if total == 1 {
                a.one_of
                    .first()
                    .or(a.any_of.first())
                    .or(a.all_of.first())
                    .map(|m| (m, Vec::new()))
            } else if a.one_of.is_empty() && a.any_of.is_empty() {
                single_constraining(&a.all_of)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The one member of an `allOf` that says what the value is, when the others only annotate
/// it or add keywords to it (`allOf: [{$ref: Label}, {maxLength: 16}]`, or a `description`,
/// as digitalocean writes a described or narrowed reference), with those others; the first
/// member when none says what the value is.
fn single_constraining(
    members: &[ReferenceOr<Schema>],
) -> Option<(&ReferenceOr<Schema>, Vec<&openapiv3::AnySchema>)> {
    let mut main = None;
    let mut keywords = Vec::new();
    for m in members {
        match keywords_only(m) {
            Some(a) => keywords.push(a),
            None if main.is_none() => main = Some(m),
            None => return None,
        }
    }
    match main {
        Some(m) => Some((m, keywords)),
        // Nothing but keywords (`allOf: [{}, {description: ...}]`): any value that holds them.
        None => {
            let first = members.first()?;
            Some((first, keywords.split_off(1)))
        }
    }
}

/// A member without a type, properties, items, values or composition: only a description,
/// an example, or validation keywords (`maxLength`, `minimum`, `pattern`, ...).
fn keywords_only(member: &ReferenceOr<Schema>) -> Option<&openapiv3::AnySchema> {
    let ReferenceOr::Item(s) = member else {
        return None;
    };
    let SchemaKind::Any(a) = &s.schema_kind else {
        return None;
    };
    let d = &s.schema_data;
    let plain = a.typ.is_none()
        && a.properties.is_empty()
        && a.required.is_empty()
        && a.additional_properties.is_none()
        && a.items.is_none()
        && a.enumeration.is_empty()
        && a.format.is_none()
        && a.one_of.is_empty()
        && a.all_of.is_empty()
        && a.any_of.is_empty()
        && a.not.is_none()
        && !d.nullable
        && !d.read_only
        && !d.write_only
        && d.discriminator.is_none();
    plain.then_some(a)
}

/// The validation keywords of a member that has no type of its own.
pub(super) fn keyword_constraints(a: &openapiv3::AnySchema) -> Constraints {
    let bound = |value: Option<f64>, exclusive: Option<bool>| {
        value.map(|value| Bound {
            value,
            exclusive: exclusive.unwrap_or(false),
        })
    };
    Constraints {
        min_length: a.min_length.map(|v| v as u64),
        max_length: a.max_length.map(|v| v as u64),
        pattern: a.pattern.clone(),
        minimum: bound(a.minimum, a.exclusive_minimum),
        maximum: bound(a.maximum, a.exclusive_maximum),
        multiple_of: a.multiple_of,
        min_items: a.min_items.map(|v| v as u64),
        max_items: a.max_items.map(|v| v as u64),
        unique_items: a.unique_items.unwrap_or(false),
        min_properties: a.min_properties.map(|v| v as u64),
        max_properties: a.max_properties.map(|v| v as u64),
        ..Constraints::default()
    }
}

/// Adds `extra` to `into`, both to hold: the larger lower bound, the smaller upper bound. A
/// second pattern or `multipleOf` cannot be joined into one: it is returned, not added.
pub(super) fn tighten(into: &mut Constraints, extra: Constraints) -> Vec<&'static str> {
    // The smaller upper bound, or the one there is (`Option::min` would pick `None`).
    fn min_of(a: Option<u64>, b: Option<u64>) -> Option<u64> {
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
    // `None` is below every `Some`: `max` keeps the larger lower bound, or the one there is.
    into.min_length = into.min_length.max(extra.min_length);
    into.max_length = min_of(into.max_length, extra.max_length);
    into.min_items = into.min_items.max(extra.min_items);
    into.max_items = min_of(into.max_items, extra.max_items);
    into.min_properties = into.min_properties.max(extra.min_properties);
    into.max_properties = min_of(into.max_properties, extra.max_properties);
    into.unique_items |= extra.unique_items;
    into.minimum = match (into.minimum, extra.minimum) {
        (Some(a), Some(b)) if b.value > a.value || (b.value == a.value && b.exclusive) => Some(b),
        (a, b) => a.or(b),
    };
    into.maximum = match (into.maximum, extra.maximum) {
        (Some(a), Some(b)) if b.value < a.value || (b.value == a.value && b.exclusive) => Some(b),
        (a, b) => a.or(b),
    };
    let mut dropped = Vec::new();
    match (&into.pattern, extra.pattern) {
        (None, Some(p)) => into.pattern = Some(p),
        (Some(_), Some(_)) => dropped.push("pattern"),
        _ => {}
    }
    match (into.multiple_of, extra.multiple_of) {
        (None, Some(m)) => into.multiple_of = Some(m),
        (Some(a), Some(b)) if a != b => dropped.push("multipleOf"),
        _ => {}
    }
    dropped
}
