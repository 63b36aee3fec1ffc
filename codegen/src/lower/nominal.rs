//! Which schemas become named Rust types (objects with properties, string enums, unions,
//! merged allOfs) and which stay use-site types, memoized per component.

use super::*;

impl Lowerer<'_> {
    pub(super) fn is_nominal_ref_or(&mut self, s: &ReferenceOr<Schema>, depth: usize) -> bool {
        match s {
            ReferenceOr::Item(s) => self.is_nominal(s, depth),
            ReferenceOr::Reference { reference } => {
                if depth > 16 {
                    return false;
                }
                let Some(name) = reference.strip_prefix(SCHEMAS).map(diag::unescape_token) else {
                    return false;
                };
                if let Some(&known) = self.nominal_memo.get(&name) {
                    return known;
                }
                let nominal = match self.component(&name) {
                    Some(inner) => self.is_nominal_ref_or(inner, depth + 1),
                    None => false,
                };
                self.nominal_memo.insert(name, nominal);
                nominal
            }
        }
    }

    /// Named types: objects with properties, string enums, unions, merged allOfs.
    pub(super) fn is_nominal(&mut self, s: &Schema, depth: usize) -> bool {
        match &s.schema_kind {
            SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
            SchemaKind::Type(Type::String(st)) => {
                st.enumeration.iter().any(Option::is_some)
                    || s.schema_data.extensions.contains_key("x-extensible-enum")
            }
            SchemaKind::OneOf { one_of: v } | SchemaKind::AnyOf { any_of: v } => {
                if v.len() == 1 {
                    self.is_nominal_ref_or(&v[0], depth + 1)
                } else {
                    !v.is_empty()
                }
            }
            SchemaKind::AllOf { all_of } => {
                if all_of.len() == 1 {
                    self.is_nominal_ref_or(&all_of[0], depth + 1)
                } else {
                    !all_of.is_empty()
                }
            }
            SchemaKind::Any(a) => {
                !a.properties.is_empty()
                    || a.one_of.len() > 1
                    || a.any_of.len() > 1
                    || !a.all_of.is_empty()
                    || (a.typ.as_deref() != Some("array")
                        && !a.enumeration.is_empty()
                        && a.enumeration.iter().all(|v| v.is_string() || v.is_null())
                        && a.enumeration.iter().any(Value::is_string))
                    || (a.one_of.len() == 1 && self.is_nominal_ref_or(&a.one_of[0], depth + 1))
                    || (a.any_of.len() == 1 && self.is_nominal_ref_or(&a.any_of[0], depth + 1))
            }
            _ => false,
        }
    }
}
