//! A request builder's own members: setters for optional parameters, the optional body,
//! extra headers and multipart parts, and the validation of the whole request.

use proc_macro2::TokenStream;
use quote::quote;

use super::{body_ty, param_ty};
use crate::emit::validate::{checks, delegates};
use crate::emit::{doc, ident};
use crate::ir::*;

/// Setters for the optional parameters (those of the shared headers come from the module's
/// `SharedHeaders` trait), the optional body, `header` and `part`.
pub(super) fn setters(
    op: &Operation,
    optional: &[&Param],
    shared: &[(&Param, &Param)],
    multipart: bool,
) -> Vec<TokenStream> {
    let mut setters = Vec::new();
    for p in optional {
        if shared.iter().any(|(_, sp)| std::ptr::eq(*sp, *p)) {
            continue;
        }
        let id = ident(&p.ident);
        let t = param_ty(p);
        let mut d = p.doc.clone().unwrap_or_default();
        if !d.is_empty() {
            d.push_str("\n\n");
        }
        d.push_str(&format!(
            "Sets the {} parameter `{}`.",
            p.location.prefix(),
            p.wire
        ));
        if let Some(def) = &p.default {
            d.push_str(&format!(" When unset, the server's default is `{def}`."));
        }
        let rules = crate::emit::types::describe(&p.constraints);
        if !rules.is_empty() {
            d.push_str(&format!(" Constraints: {rules}."));
        }
        let d = doc(Some(&d));
        setters.push(quote! {
            #d
            pub fn #id(mut self, value: impl Into<#t>) -> Self {
                self.#id = Some(value.into());
                self
            }
        });
    }
    if let Some(b) = &op.body {
        if !b.required {
            let t = body_ty(b);
            setters.push(quote! {
                /// Sets the request body.
                pub fn body(mut self, value: impl Into<#t>) -> Self {
                    self.body = Some(value.into());
                    self
                }
            });
        }
    }
    // `header`, the same in every builder, comes from the runtime.
    setters.push(quote!(crate::runtime::__private::header_method!();));
    for f in op
        .body
        .iter()
        .flat_map(|b| &b.files)
        .filter(|f| !f.required)
    {
        let id = ident(&f.ident);
        let mut d = f.doc.clone().unwrap_or_default();
        if !d.is_empty() {
            d.push_str("\n\n");
        }
        if f.multiple {
            d.push_str(&format!(
                "Adds a file to the file parts `{}` (streamed from disk when it is a path).",
                f.wire
            ));
        } else {
            d.push_str(&format!(
                "Sets the file part `{}` (streamed from disk when it is a path).",
                f.wire
            ));
        }
        let d = doc(Some(&d));
        let set = if f.multiple {
            quote!(self.#id.push(value);)
        } else {
            quote!(self.#id = Some(value);)
        };
        setters.push(quote! {
            #d
            pub fn #id(mut self, value: runtime::Upload) -> Self {
                #set
                self
            }
        });
    }
    if multipart {
        setters.push(quote! {
            /// Adds a part to the multipart body (a file part streams from disk).
            pub fn part(mut self, part: runtime::Part) -> Self {
                self.parts.push(part);
                self
            }
        });
    }
    setters
}

/// The checks of `validate`: every constraint of every parameter and of the body.
pub(super) fn validation(op: &Operation) -> Vec<TokenStream> {
    let mut checks_code = Vec::new();
    for p in &op.params {
        let id = ident(&p.ident);
        let path = format!("{}.{}", p.location.prefix(), p.wire);
        if delegates(&p.ty, &p.constraints) {
            // Set or not: `Option`'s impl checks what is there.
            checks_code.push(quote!(self.#id.validate_at(&v::Path::Text(#path), out);));
            continue;
        }
        let body = checks(
            &p.ty,
            &p.constraints,
            quote!(value),
            quote!(&v::Path::Text(#path)),
        );
        if body.is_empty() {
            continue;
        }
        if p.required {
            checks_code.push(quote! {{ let value = &self.#id; #body }});
        } else {
            checks_code.push(quote! { if let Some(value) = &self.#id { #body } });
        }
    }
    if let Some(b) = &op.body {
        if matches!(
            b.kind,
            BodyKind::Json | BodyKind::Form | BodyKind::Multipart
        ) {
            if delegates(&b.ty, &b.constraints) {
                checks_code.push(quote!(self.body.validate_at(&v::Path::Text("body"), out);));
            } else {
                let body = checks(
                    &b.ty,
                    &b.constraints,
                    quote!(value),
                    quote!(&v::Path::Text("body")),
                );
                if !body.is_empty() && b.required {
                    checks_code.push(quote! {{ let value = &self.body; #body }});
                } else if !body.is_empty() {
                    checks_code.push(quote! { if let Some(value) = &self.body { #body } });
                }
            }
        }
    }
    checks_code
}
