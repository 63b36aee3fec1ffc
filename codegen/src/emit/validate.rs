//! Validation code: every constraint of a use site becomes a call into the runtime's checkers,
//! with the path of the value (`body.items[2].name`), so that one call reports every violation.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::ident;
use crate::ir::*;

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(v) => {
            let v = Literal::u64_suffixed(v);
            quote!(Some(#v))
        }
        None => quote!(None),
    }
}

fn f64_lit(v: f64) -> TokenStream {
    if v.is_finite() {
        let l = Literal::f64_suffixed(v);
        quote!(#l)
    } else if v > 0.0 {
        quote!(f64::INFINITY)
    } else {
        quote!(f64::NEG_INFINITY)
    }
}

fn float_bound(b: Option<Bound>) -> TokenStream {
    match b {
        Some(b) => {
            let v = f64_lit(b.value);
            let e = b.exclusive;
            quote!(Some((#v, #e)))
        }
        None => quote!(None),
    }
}

/// Integer bounds as i128: a fractional bound rounds inwards and becomes inclusive.
fn int_bound(b: Option<Bound>, is_min: bool) -> TokenStream {
    match b {
        Some(b) if b.value.is_finite() => {
            let (v, exclusive) = if b.value.fract() != 0.0 {
                (
                    if is_min {
                        b.value.ceil()
                    } else {
                        b.value.floor()
                    },
                    false,
                )
            } else {
                (b.value, b.exclusive)
            };
            let v = Literal::i128_suffixed(v as i128);
            quote!(Some((#v, #exclusive)))
        }
        _ => quote!(None),
    }
}

/// True when a value of this type with these constraints needs any check.
pub fn needs_checks(t: &Ty, c: &Constraints) -> bool {
    !c.is_empty()
        || match t {
            Ty::Named(_) => true,
            Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) => {
                needs_checks(inner, &Constraints::default())
            }
            _ => false,
        }
}

/// True when checking a value is exactly its type's own `Validate` impl: no constraint at
/// this level or a nested one, and a named type inside. The runtime's impls for `Option`,
/// `Vec`, `BTreeMap` and `Box` walk down with the paths that written-out loops would use
/// (`items[2]`, `labels.key`).
pub fn delegates(t: &Ty, c: &Constraints) -> bool {
    c.is_empty()
        && match t {
            Ty::Named(_) => true,
            Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) => {
                delegates(inner, &Constraints::default())
            }
            _ => false,
        }
}

/// Checks of one value. `val` is an expression of type `&T`, `path` one of type
/// `&v::Path<'_>` (the runtime's lazily rendered path).
pub fn checks(t: &Ty, c: &Constraints, val: TokenStream, path: TokenStream) -> TokenStream {
    if !needs_checks(t, c) {
        return TokenStream::new();
    }
    if delegates(t, c) {
        return quote!(#val.validate_at(#path, out););
    }
    let mut out = Vec::new();
    match t {
        Ty::String => {
            if c.min_length.is_some() || c.max_length.is_some() {
                let (a, b) = (opt_u64(c.min_length), opt_u64(c.max_length));
                out.push(quote!(v::check_length(#path, #val, #a, #b, out);));
            }
            if c.min_bytes.is_some() || c.max_bytes.is_some() {
                let (a, b) = (opt_u64(c.min_bytes), opt_u64(c.max_bytes));
                out.push(quote!(v::check_bytes(#path, #val, #a, #b, out);));
            }
            if let Some(p) = &c.pattern {
                out.push(quote!(v::check_pattern(#path, #val, #p, out);));
            }
            if let Some(vals) = &c.one_of_values {
                out.push(quote!(v::check_enum(#path, #val, &[#(#vals),*], out);));
            }
        }
        Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 => {
            if c.minimum.is_some() || c.maximum.is_some() {
                let (a, b) = (int_bound(c.minimum, true), int_bound(c.maximum, false));
                if a.to_string() != "None" || b.to_string() != "None" {
                    out.push(quote!(v::check_int_range(#path, i128::from(*#val), #a, #b, out);));
                }
            }
            if let Some(m) = c.multiple_of {
                let m = f64_lit(m);
                out.push(quote!(v::check_multiple_of(#path, *#val as f64, #m, out);));
            }
            if let Some(vals) = &c.one_of_values {
                out.push(quote!(v::check_enum(#path, &#val.to_string(), &[#(#vals),*], out);));
            }
        }
        Ty::F32 | Ty::F64 => {
            // `f64::from` on an `f64` is a clippy `useless_conversion`.
            let as_f64 = if matches!(t, Ty::F32) {
                quote!(f64::from(*#val))
            } else {
                quote!(*#val)
            };
            if c.minimum.is_some() || c.maximum.is_some() {
                let (a, b) = (float_bound(c.minimum), float_bound(c.maximum));
                out.push(quote!(v::check_float_range(#path, #as_f64, #a, #b, out);));
            }
            if let Some(m) = c.multiple_of {
                let m = f64_lit(m);
                out.push(quote!(v::check_multiple_of(#path, #as_f64, #m, out);));
            }
            if let Some(vals) = &c.one_of_values {
                out.push(quote!(v::check_enum(#path, &#val.to_string(), &[#(#vals),*], out);));
            }
        }
        Ty::Bool | Ty::Json => {}
        Ty::Named(_) => out.push(quote!(#val.validate_at(#path, out);)),
        Ty::Option(inner) => {
            let body = checks(inner, c, quote!(value), path);
            if !body.is_empty() {
                out.push(quote!(if let Some(value) = #val { #body }));
            }
        }
        Ty::Vec(inner) => {
            if c.min_items.is_some() || c.max_items.is_some() {
                let (a, b) = (opt_u64(c.min_items), opt_u64(c.max_items));
                out.push(quote!(v::check_items(#path, #val.len(), #a, #b, out);));
            }
            if c.unique_items {
                out.push(quote!(v::check_unique(#path, #val, out);));
            }
            let item_c = c.items.as_deref().cloned().unwrap_or_default();
            let body = checks(inner, &item_c, quote!(item), quote!(&item_path));
            if !body.is_empty() {
                out.push(quote! {
                    for (i, item) in #val.iter().enumerate() {
                        let item_path = v::Path::index(#path, i);
                        #body
                    }
                });
            }
        }
        Ty::Map(inner) => {
            if c.min_properties.is_some() || c.max_properties.is_some() {
                let (a, b) = (opt_u64(c.min_properties), opt_u64(c.max_properties));
                out.push(quote!(v::check_properties(#path, #val.len(), #a, #b, out);));
            }
            let value_c = c.values.as_deref().cloned().unwrap_or_default();
            let body = checks(inner, &value_c, quote!(value), quote!(&value_path));
            if !body.is_empty() {
                out.push(quote! {
                    for (key, value) in #val.iter() {
                        let value_path = v::Path::key(#path, key);
                        #body
                    }
                });
            }
        }
    }
    quote!(#(#out)*)
}

/// A statement of a `validate_at` or of a request's `validate`.
pub enum Step {
    /// `self.field.validate_at(<at>, out);`: the field's own `Validate` (`Option` and `Box`
    /// delegate too: one call whatever the field's wrapping).
    Delegate {
        /// The field.
        field: Ident,
        /// The path its violations get.
        at: At,
    },
    /// Any other statement.
    Code(TokenStream),
}

/// The path of a delegated field's violations.
pub enum At {
    /// A struct's property, below the struct's path: `&v::Path::field(path, "wire")`.
    Field(String),
    /// A request's parameter or body, a fixed text: `&v::Path::Text("query.name")`.
    Text(String),
}

impl Step {
    /// The statement's tokens.
    pub fn tokens(&self) -> TokenStream {
        match self {
            Step::Delegate {
                field,
                at: At::Field(wire),
            } => quote!(self.#field.validate_at(&v::Path::field(path, #wire), out);),
            Step::Delegate {
                field,
                at: At::Text(text),
            } => quote!(self.#field.validate_at(&v::Path::Text(#text), out);),
            Step::Code(code) => code.clone(),
        }
    }

    /// The statement's lines as prettyplease prints them at `indent`; `None` when
    /// [`super::lines`] does not know the code's shape. A delegation too wide for one line
    /// is broken as [`super::lines`] breaks a method call on a place.
    pub fn lines(&self, indent: usize) -> Option<Vec<String>> {
        let pad = " ".repeat(indent);
        let line = match self {
            Step::Delegate {
                field,
                at: At::Field(wire),
            } => format!(
                "{pad}self.{field}.validate_at(&v::Path::field(path, {}), out);",
                Literal::string(wire)
            ),
            Step::Delegate {
                field,
                at: At::Text(text),
            } => format!(
                "{pad}self.{field}.validate_at(&v::Path::Text({}), out);",
                Literal::string(text)
            ),
            Step::Code(code) => return super::lines::statements(indent, code),
        };
        if super::fits(&line) {
            Some(vec![line])
        } else {
            super::lines::statements(indent, &self.tokens())
        }
    }
}

/// The lines of `steps` at `indent` (see [`Step::lines`]).
pub fn steps_lines(indent: usize, steps: &[Step]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for step in steps {
        out.extend(step.lines(indent)?);
    }
    Some(out)
}

/// `body`, the checks of a secret's value, with the values of their violations redacted: a
/// `format: password` property reports the rule it breaks, never what it holds.
fn redacted(body: TokenStream) -> TokenStream {
    quote! {
        let from = out.len();
        #body
        v::redact_values(out, from);
    }
}

/// The statements of a struct's `validate_at`.
pub fn struct_validation(_api: &Api, s: &StructDef) -> Vec<Step> {
    let mut out = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.ident);
        let wire = &f.wire;
        let optional = f.is_option();
        if f.required_in_requests && optional {
            // writeOnly and required: absent from responses, so an `Option`, but a request
            // must send it.
            let inner = if f.boxed {
                quote!(value.as_ref())
            } else {
                quote!(value)
            };
            let body = if delegates(&f.ty, &f.constraints) {
                quote!(#inner.validate_at(&field_path, out);)
            } else {
                checks(&f.ty, &f.constraints, inner, quote!(&field_path))
            };
            let body = if f.secret && !body.is_empty() {
                redacted(body)
            } else {
                body
            };
            out.push(Step::Code(if body.is_empty() {
                quote! {
                    if self.#fname.is_none() {
                        v::required(path, #wire, out);
                    }
                }
            } else {
                quote! {
                    match &self.#fname {
                        Some(value) => {
                            let field_path = v::Path::field(path, #wire);
                            #body
                        }
                        None => v::required(path, #wire, out),
                    }
                }
            }));
            continue;
        }
        if delegates(&f.ty, &f.constraints) {
            out.push(Step::Delegate {
                field: fname,
                at: At::Field(wire.clone()),
            });
            continue;
        }
        let inner_val = if f.boxed {
            quote!(value.as_ref())
        } else {
            quote!(value)
        };
        let body = checks(
            &f.ty,
            &f.constraints,
            inner_val.clone(),
            quote!(&field_path),
        );
        if body.is_empty() {
            continue;
        }
        let body = if f.secret { redacted(body) } else { body };
        if optional {
            out.push(Step::Code(quote! {
                if let Some(value) = &self.#fname {
                    let field_path = v::Path::field(path, #wire);
                    #body
                }
            }));
        } else {
            out.push(Step::Code(quote! {
                {
                    let value = &self.#fname;
                    let field_path = v::Path::field(path, #wire);
                    #body
                }
            }));
        }
    }
    if let Some((vty, vc)) = &s.additional {
        let taken = s.fields.iter().any(|f| f.ident == "additional_properties");
        let fname = ident(if taken {
            "additional_properties_"
        } else {
            "additional_properties"
        });
        if delegates(vty, vc) {
            // The map's impl gives each value the path `path.key`.
            out.push(Step::Code(quote!(self.#fname.validate_at(path, out);)));
        } else {
            let body = checks(vty, vc, quote!(value), quote!(&value_path));
            if !body.is_empty() {
                out.push(Step::Code(quote! {
                    for (key, value) in self.#fname.iter() {
                        let value_path = v::Path::key(path, key);
                        #body
                    }
                }));
            }
        }
    }
    if s.min_properties.is_some() || s.max_properties.is_some() {
        let (a, b) = (opt_u64(s.min_properties), opt_u64(s.max_properties));
        out.push(Step::Code(quote! {
            if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(self) {
                v::check_properties(path, map.len(), #a, #b, out);
            }
        }));
    }
    for rule in &s.required_if {
        let Some(tested) = s.fields.iter().find(|f| f.wire == rule.property) else {
            continue;
        };
        let tested_id = ident(&tested.ident);
        let prop = &rule.property;
        let equals = &rule.equals;
        for req in &rule.required {
            let Some(target) = s.fields.iter().find(|f| &f.wire == req) else {
                continue;
            };
            if target.required {
                continue;
            }
            let target_id = ident(&target.ident);
            // A string is compared as it is; other types by their wire text.
            let tested_text = match (&tested.ty, tested.is_option()) {
                (Ty::String, false) => quote!(self.#tested_id.as_str()),
                (Ty::String, true) => quote!(self.#tested_id.as_deref().unwrap_or_default()),
                _ => quote!(crate::runtime::__private::query_value(&self.#tested_id).as_str()),
            };
            out.push(Step::Code(quote! {
                if #tested_text == #equals && self.#target_id.is_none() {
                    v::required_if(path, #prop, #equals, #req, out);
                }
            }));
        }
    }
    out
}
