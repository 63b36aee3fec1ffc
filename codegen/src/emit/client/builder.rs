//! A request builder's own members: setters for optional parameters, the optional body,
//! extra headers and multipart parts, and the validation of the whole request.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{body_ty, param_ty};
use crate::emit::validate::{checks, delegates, steps_lines, At, Step};
use crate::emit::{doc, doc_text, ident, lines, text_item_at, type_text};
use crate::ir::*;

/// The indentation a builder's members are printed at (one level into its `impl`).
const MEMBER_INDENT: usize = 4;

/// A builder method as a text item: its doc comment `docs` (lines of fixed text, as printed,
/// without indentation), the line `signature` that opens its body, and the statements of
/// `body` as prettyplease prints them ([`lines::statements`]); `None` when a statement's
/// shape is not known there or a line is too wide (the caller prints the tokens instead).
pub(super) fn method_text(
    docs: &[&str],
    signature: &str,
    body: &TokenStream,
) -> Option<TokenStream> {
    method_text_of_lines(docs, signature, lines::statements(BODY_INDENT, body)?)
}

/// The indentation of a builder method's statements.
pub(super) const BODY_INDENT: usize = MEMBER_INDENT + 4;

/// [`method_text`] from the body's lines as printed (at [`BODY_INDENT`]).
pub(super) fn method_text_of_lines(
    docs: &[&str],
    signature: &str,
    body: Vec<String>,
) -> Option<TokenStream> {
    let pad = " ".repeat(MEMBER_INDENT);
    let mut lines: Vec<String> = docs.iter().map(|l| format!("{pad}{l}")).collect();
    lines.push(format!("{pad}{signature}"));
    lines.extend(body);
    lines.push(format!("{pad}}}"));
    text_item_at(MEMBER_INDENT, &lines)
}

/// The setter of an optional member `id` of type `t` with the doc comment `d`. Written as text
/// when its signature fits on one line (prettyplease prints it so, and the text is what it
/// prints; a test holds the two together), so it is not parsed and printed again.
fn optional_setter(id: &Ident, t: &TokenStream, d: &str) -> TokenStream {
    let pad = " ".repeat(MEMBER_INDENT);
    let text = type_text(t).and_then(|t| {
        let mut lines: Vec<String> = doc_text(Some(d))
            .map(|l| format!("{pad}{l}"))
            .into_iter()
            .collect();
        lines.extend([
            format!("{pad}pub fn {id}(mut self, value: impl Into<{t}>) -> Self {{"),
            format!("{pad}    self.{id} = Some(value.into());"),
            format!("{pad}    self"),
            format!("{pad}}}"),
        ]);
        text_item_at(MEMBER_INDENT, &lines)
    });
    text.unwrap_or_else(|| optional_setter_tokens(id, t, d))
}

/// [`optional_setter`] as tokens.
fn optional_setter_tokens(id: &Ident, t: &TokenStream, d: &str) -> TokenStream {
    let d = doc(Some(d));
    quote! {
        #d
        pub fn #id(mut self, value: impl Into<#t>) -> Self {
            self.#id = Some(value.into());
            self
        }
    }
}

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
        setters.push(optional_setter(&id, &t, &d));
    }
    if let Some(b) = &op.body {
        if !b.required {
            let t = body_ty(b);
            setters.push(optional_setter(
                &ident("body"),
                &t,
                "Sets the request body.",
            ));
        }
    }
    // `header`, the same in every builder, comes from the runtime.
    let header_method = "crate::runtime::__private::header_method!();";
    setters.push(
        text_item_at(
            MEMBER_INDENT,
            &[format!("{:MEMBER_INDENT$}{header_method}", "")],
        )
        .unwrap_or_else(|| quote!(crate::runtime::__private::header_method!();)),
    );
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

/// The request's `validate`, running `steps`: written as text when every step's lines are
/// known ([`Step::lines`]) and fit prettyplease's width.
pub(super) fn validate_method(steps: &[Step]) -> TokenStream {
    let pad = " ".repeat(BODY_INDENT);
    let text = steps_lines(BODY_INDENT, steps).and_then(|checks| {
        let body = if checks.is_empty() {
            vec![format!("{pad}Ok(())")]
        } else {
            let mut body = vec![
                format!("{pad}let mut violations = Vec::new();"),
                format!("{pad}let out = &mut violations;"),
            ];
            body.extend(checks);
            body.push(format!("{pad}ValidationErrors::check(violations)"));
            body
        };
        let docs: Vec<&str> = VALIDATE_DOC.lines().collect();
        method_text_of_lines(
            &docs,
            "pub fn validate(&self) -> Result<(), ValidationErrors> {",
            body,
        )
    });
    text.unwrap_or_else(|| validate_method_tokens(steps))
}

/// The doc comment of a request's `validate`, as printed.
const VALIDATE_DOC: &str = "/// Checks every constraint of the spec on this request (parameters and body) and\n/// returns all violations, each with its path.\n";

/// [`validate_method`] as tokens.
fn validate_method_tokens(steps: &[Step]) -> TokenStream {
    let body = if steps.is_empty() {
        quote!(Ok(()))
    } else {
        let steps = steps.iter().map(Step::tokens);
        quote! {
            let mut violations = Vec::new();
            let out = &mut violations;
            #(#steps)*
            ValidationErrors::check(violations)
        }
    };
    let docs = VALIDATE_DOC.lines().map(|l| {
        let l = l.trim_start_matches("///");
        quote!(#[doc = #l])
    });
    quote! {
        #(#docs)*
        pub fn validate(&self) -> Result<(), ValidationErrors> {
            #body
        }
    }
}

/// The checks of `validate`: every constraint of every parameter and of the body, in order.
pub(super) fn validation(op: &Operation) -> Vec<Step> {
    let mut checks_code = Vec::new();
    for p in &op.params {
        let id = ident(&p.ident);
        let path = format!("{}.{}", p.location.prefix(), p.wire);
        if delegates(&p.ty, &p.constraints) {
            // Set or not: `Option`'s impl checks what is there.
            checks_code.push(Step::Delegate {
                field: id,
                at: At::Text(path),
            });
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
            checks_code.push(Step::Code(quote! {{ let value = &self.#id; #body }}));
        } else {
            checks_code.push(Step::Code(
                quote! { if let Some(value) = &self.#id { #body } },
            ));
        }
    }
    if let Some(b) = &op.body {
        if matches!(
            b.kind,
            BodyKind::Json | BodyKind::Form | BodyKind::Multipart
        ) {
            if delegates(&b.ty, &b.constraints) {
                checks_code.push(Step::Delegate {
                    field: ident("body"),
                    at: At::Text("body".into()),
                });
            } else {
                let body = checks(
                    &b.ty,
                    &b.constraints,
                    quote!(value),
                    quote!(&v::Path::Text("body")),
                );
                if !body.is_empty() && b.required {
                    checks_code.push(Step::Code(quote! {{ let value = &self.body; #body }}));
                } else if !body.is_empty() {
                    checks_code.push(Step::Code(
                        quote! { if let Some(value) = &self.body { #body } },
                    ));
                }
            }
        }
    }
    checks_code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{print, reset_doc_blocks, text_item};

    const TEXT_MACRO_NAME: &str = "__codegen_text";

    /// A setter printed in its builder's `impl`, from the text or from the tokens.
    fn printed(setter: fn(&Ident, &TokenStream, &str) -> TokenStream, id: &str, t: &str) -> String {
        reset_doc_blocks();
        let t: TokenStream = t.parse().unwrap();
        let docs = "Provides output.\n\n- a list\n\n`code` and <b>html</b>";
        let members = [
            setter(&ident(id), &t, docs),
            setter(&ident("body"), &t, "Sets the request body."),
            setter(&ident(id), &t, ""),
        ];
        print(
            quote! {
                impl GetThing<'_> {
                    #(#members)*
                }
            },
            "a test",
        )
        .unwrap()
    }

    #[test]
    fn a_setter_written_as_text_prints_as_its_tokens_do() {
        let types = [
            "bool",
            "i64",
            "Vec<Foo>",
            "Vec<Vec<String>>",
            "std::collections::BTreeMap<String, Vec<ThingOptFieldsItem>>",
            "crate::runtime::Upload",
        ];
        let mut as_text = 0;
        for t in types {
            // Names of every length around the width where the signature breaks.
            for n in 1..80 {
                let id = "a_b".repeat(n / 3 + 1)[..n]
                    .trim_end_matches('_')
                    .to_string();
                if id.is_empty() {
                    continue;
                }
                assert_eq!(
                    printed(optional_setter, &id, t),
                    printed(optional_setter_tokens, &id, t),
                    "{id}: {t}"
                );
                let setter = optional_setter(&ident(&id), &t.parse().unwrap(), "");
                as_text += usize::from(setter.to_string().contains(TEXT_MACRO_NAME));
            }
            for id in ["type", "r#ref", "self_", "match"] {
                let id = id.trim_start_matches("r#");
                assert_eq!(
                    printed(optional_setter, id, t),
                    printed(optional_setter_tokens, id, t),
                    "{id}: {t}"
                );
            }
        }
        assert!(as_text > 100, "{as_text}");
        // Not a path type: tokens.
        assert_eq!(type_text(&quote!(&'a str)), None);
        assert_eq!(type_text(&quote!((A, B))), None);
        assert_eq!(type_text(&quote!([u8; 4])), None);
    }

    #[test]
    fn a_validate_method_written_as_text_prints_as_its_tokens_do() {
        let print_in_impl = |validate: fn(&[Step]) -> TokenStream, steps: &[Step]| {
            reset_doc_blocks();
            let method = validate(steps);
            print(quote!(impl GetThing<'_> { #method }), "a test").unwrap()
        };
        let mut as_text = 0;
        for n in 0..70 {
            let steps: Vec<Step> = (0..n % 4)
                .map(|i| Step::Delegate {
                    field: ident(&format!("p{i}{}", "x".repeat(n))),
                    at: At::Text(format!("query.{}\"{i}", "w".repeat(n / 2))),
                })
                .collect();
            let text = validate_method(&steps);
            as_text += usize::from(text.to_string().contains(TEXT_MACRO_NAME));
            assert_eq!(
                print_in_impl(validate_method, &steps),
                print_in_impl(validate_method_tokens, &steps),
                "{n}"
            );
        }
        assert!(as_text > 20, "{as_text}");
    }

    #[test]
    fn text_items_are_written_at_their_placeholders() {
        reset_doc_blocks();
        let setter = optional_setter(&ident("b"), &quote!(Vec<Foo>), "Doc of b.");
        let printed = print(
            quote! {
                impl A<'_> {
                    pub fn first(&self) {}
                    #setter
                }
            },
            "a test",
        )
        .unwrap();
        assert!(printed.contains("    /// Doc of b.\n    pub fn b(mut self, value: impl Into<Vec<Foo>>) -> Self {\n        self.b = Some(value.into());\n        self\n    }\n"), "{printed}");
        assert!(!printed.contains("__codegen"), "{printed}");
        // Spec text is filled in after the text items: a description that reads like a
        // placeholder stays text.
        reset_doc_blocks();
        let d = crate::emit::doc(Some("__codegen_text!(0);"));
        let item = text_item("pub fn real() {}\n".into());
        let printed = print(quote!(#d pub struct A; #item), "a test").unwrap();
        assert!(
            printed.contains("/// __codegen_text!(0);\npub struct A;"),
            "{printed}"
        );
        assert!(printed.contains("pub fn real() {}"), "{printed}");
        // A lost text item is an error, not output.
        let item = text_item("pub fn lost() {}\n".into());
        reset_doc_blocks();
        let err = print(quote!(#item), "a test").unwrap_err();
        assert!(err.contains("lost text item"), "{err}");
    }
}
