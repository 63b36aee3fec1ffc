//! Handling an operation's response: the success type (one body, or an enum by status), the
//! typed error (one type, or an enum by status), and the match arms of `send`.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::emit::{doc, doc_prints_as_written, doc_text, fits, text_item_at, ty, type_text};
use crate::ir::*;

pub(super) struct ResponsePlan {
    /// The `Ok` type of `send`.
    pub(super) success_ty: TokenStream,
    /// The type of the typed error body (`Error::typed::<E>()`).
    pub(super) error_ty: TokenStream,
    /// Types defined for this operation (success and error enums).
    pub(super) defs: TokenStream,
    /// Match arms over `status` producing `Ok(..)`.
    pub(super) arms: TokenStream,
    /// The expression (with `resp` in scope) that reads a non-2xx answer into an
    /// [`Error::Api`] with its typed body.
    pub(super) error_read: TokenStream,
    /// When the typed body's type depends on the status: the enum and its arms, for the
    /// text form of `error_read` ([`ErrorByStatus::lines`]).
    pub(super) error_by_status: Option<ErrorByStatus>,
}

/// `resp.api_error_with(|status, body| match status { .. })`: the error enum `name`, and the
/// statuses of its arms in match order, each read into its variant.
pub(super) struct ErrorByStatus {
    name: String,
    statuses: Vec<StatusSel>,
}

impl ErrorByStatus {
    /// Whether a `_ => None` arm ends the match (no `default` response).
    fn fallback(&self) -> bool {
        !self.statuses.contains(&StatusSel::Default)
    }

    /// The expression as tokens.
    fn tokens(&self) -> TokenStream {
        let name = format_ident!("{}", self.name);
        let arms = self.statuses.iter().map(|s| {
            let v = format_ident!("{}", s.variant());
            let pat = status_pattern(*s);
            quote!(#pat => serde_json::from_slice(body).ok().map(#name::#v),)
        });
        let fallback = if self.fallback() {
            quote!(_ => None,)
        } else {
            quote!()
        };
        quote!(resp.api_error_with(|status: u16, body: &[u8]| match status {
            #(#arms)* #fallback
        }).await)
    }

    /// The arm `_ => Err(<error read>),` of `send`'s match at `indent`, as prettyplease
    /// prints it: the closure's `match` never fits on one line, so the arm, the `Err` call
    /// and the method chain are broken; each inner arm is on one line, or its expression in
    /// a block, or that expression's chain broken too. `None` when a line is too wide.
    pub(super) fn lines(&self, indent: usize) -> Option<Vec<String>> {
        let pad = |n: usize| " ".repeat(indent + n);
        let mut out = vec![
            format!("{}_ => {{", pad(0)),
            format!("{}Err(", pad(4)),
            format!("{}resp", pad(8)),
            format!(
                "{}.api_error_with(|status: u16, body: &[u8]| match status {{",
                pad(12)
            ),
        ];
        for status in &self.statuses {
            let (pattern, variant) = (status_pattern_text(*status), status.variant());
            let read = format!(
                "serde_json::from_slice(body).ok().map({}::{variant})",
                self.name
            );
            let one = format!("{}{pattern} => {read}", pad(16));
            if fits(&one) {
                out.push(one + ",");
                continue;
            }
            out.push(format!("{}{pattern} => {{", pad(16)));
            let block = format!("{}{read}", pad(20));
            if fits(&block) {
                out.push(block);
            } else {
                out.push(format!("{}serde_json::from_slice(body)", pad(20)));
                out.push(format!("{}.ok()", pad(24)));
                out.push(format!("{}.map({}::{variant})", pad(24), self.name));
            }
            out.push(format!("{}}}", pad(16)));
        }
        if self.fallback() {
            out.push(format!("{}_ => None,", pad(16)));
        }
        out.extend([
            format!("{}}})", pad(12)),
            format!("{}.await,", pad(12)),
            format!("{})", pad(4)),
            format!("{}}}", pad(0)),
        ]);
        out.iter().all(|l| fits(l)).then_some(out)
    }
}

fn body_ty_of(r: &ResponseBody) -> TokenStream {
    match r {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json(t) => ty(t),
        ResponseBody::Text => quote!(String),
        ResponseBody::Bytes => quote!(runtime::Download),
    }
}

/// An expression reading the body of a success response (`resp` in scope), of type
/// `Result<body type, Error>`.
fn read_body(r: &ResponseDef) -> TokenStream {
    let rule = r.business.as_ref().map(|b| {
        let code = &b.code;
        let message = &b.message;
        let success = &b.success;
        quote! {
            rt::BusinessRule { code: #code, message: #message, success: &[#(#success),*] }
        }
    });
    match &r.body {
        ResponseBody::Empty => match rule {
            Some(rule) => quote!(resp.check_empty(#rule).await),
            None => quote!(Ok(())),
        },
        ResponseBody::Json(t) => {
            let t = ty(t);
            let rule = rule.map(|r| quote!(Some(#r))).unwrap_or(quote!(None));
            quote!(resp.decode::<#t>(#rule).await)
        }
        ResponseBody::Text => quote!(resp.text().await),
        ResponseBody::Bytes => quote!(Ok(runtime::Download::new(resp))),
    }
}

/// [`read_body`] into the variant of `r`'s status in the enum `name` of success responses:
/// built directly when reading cannot fail (an empty body without a business rule, a
/// download), mapped from the read otherwise.
fn read_into_variant(r: &ResponseDef, name: &Ident) -> TokenStream {
    let v = format_ident!("{}", r.status.variant());
    match &r.body {
        ResponseBody::Empty if r.business.is_none() => quote!(Ok(#name::#v)),
        ResponseBody::Empty => {
            let read = read_body(r);
            quote!(#read.map(|()| #name::#v))
        }
        ResponseBody::Bytes => quote!(Ok(#name::#v(runtime::Download::new(resp)))),
        _ => {
            let read = read_body(r);
            quote!(#read.map(#name::#v))
        }
    }
}

fn status_pattern(s: StatusSel) -> TokenStream {
    match s {
        StatusSel::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        StatusSel::Range(r) => {
            let lo = Literal::u16_unsuffixed(r * 100);
            let hi = Literal::u16_unsuffixed(r * 100 + 99);
            quote!(#lo..=#hi)
        }
        StatusSel::Default => quote!(_),
    }
}

/// [`status_pattern`] as printed.
fn status_pattern_text(s: StatusSel) -> String {
    match s {
        StatusSel::Code(c) => c.to_string(),
        StatusSel::Range(r) => format!("{}..={}", r * 100, r * 100 + 99),
        StatusSel::Default => "_".into(),
    }
}

/// The statuses of `s` as a range (`404..=404`, `500..=599`; `default`: all of them).
fn status_range(s: StatusSel) -> TokenStream {
    let (lo, hi) = match s {
        StatusSel::Code(c) => (c, c),
        StatusSel::Range(r) => (r * 100, r * 100 + 99),
        StatusSel::Default => (0, u16::MAX),
    };
    let (lo, hi) = (Literal::u16_unsuffixed(lo), Literal::u16_unsuffixed(hi));
    quote!(#lo..=#hi)
}

pub(super) fn plan_responses(op: &Operation) -> ResponsePlan {
    let successes: Vec<&ResponseDef> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    let errors: Vec<&ResponseDef> = op
        .responses
        .iter()
        .filter(|r| !r.status.is_success() && matches!(r.body, ResponseBody::Json(_)))
        .collect();
    let mut defs = Vec::new();
    let (error_ty, error_read, error_by_status) = error_plan(op, &errors, &mut defs);
    let (success_ty, arms) = success_plan(op, &successes, &mut defs);
    ResponsePlan {
        success_ty,
        error_ty,
        defs: quote!(#(#defs)*),
        arms: quote!(#(#arms)*),
        error_read,
        error_by_status,
    }
}

/// The typed error of a non-2xx answer: `serde_json::Value` when the operation declares no
/// JSON error body, its one type, or an enum by status (pushed to `defs`); and the expression
/// that reads the answer: `resp.api_error::<E>()` when every status decodes as `E`,
/// `resp.api_error_when::<E>(..)` when only some do, `resp.api_error_with(..)` when the type
/// depends on the status.
fn error_plan(
    op: &Operation,
    errors: &[&ResponseDef],
    defs: &mut Vec<TokenStream>,
) -> (TokenStream, TokenStream, Option<ErrorByStatus>) {
    let error_types = op.error_types();
    match (error_types.len(), &op.error_enum) {
        (0, _) => (
            quote!(serde_json::Value),
            quote!(resp.api_error::<serde_json::Value>().await),
            None,
        ),
        (1, _) | (_, None) => {
            let t = ty(error_types[0]);
            let covers_all = errors.iter().any(|r| r.status == StatusSel::Default);
            let read = if covers_all {
                quote!(resp.api_error::<#t>().await)
            } else {
                let ranges = errors.iter().map(|r| status_range(r.status));
                quote!(resp.api_error_when::<#t>(&[#(#ranges),*]).await)
            };
            (t, read, None)
        }
        (_, Some(name)) => {
            let name_id = format_ident!("{}", name);
            let mut ordered: Vec<&ResponseDef> = errors.to_vec();
            ordered.sort_by_key(|r| match r.status {
                StatusSel::Code(_) => 0,
                StatusSel::Range(_) => 1,
                StatusSel::Default => 2,
            });
            let variants: Vec<StatusVariant> = ordered
                .iter()
                .map(|r| StatusVariant {
                    doc: variant_doc(r),
                    name: r.status.variant(),
                    ty: Some(match &r.body {
                        ResponseBody::Json(t) => ty(t),
                        _ => quote!(serde_json::Value),
                    }),
                })
                .collect();
            let edoc = format!(
                " The error bodies of [`Client::{}`], by status.",
                op.method_name
            );
            defs.push(status_enum(&edoc, true, name, &variants));
            let by_status = ErrorByStatus {
                name: name.clone(),
                statuses: ordered.iter().map(|r| r.status).collect(),
            };
            (quote!(#name_id), by_status.tokens(), Some(by_status))
        }
    }
}

/// The success type (one body type, or an enum by status pushed to `defs`) and the match
/// arms of `send` that read it.
fn success_plan(
    op: &Operation,
    successes: &[&ResponseDef],
    defs: &mut Vec<TokenStream>,
) -> (TokenStream, Vec<TokenStream>) {
    let kinds = op.success_kinds();
    let has_range = successes
        .iter()
        .any(|r| matches!(r.status, StatusSel::Range(_)));
    let Some(name) = op.success_enum.as_deref().filter(|_| kinds.len() > 1) else {
        let t = kinds.first().map(|k| body_ty_of(k)).unwrap_or(quote!(()));
        let reads: Vec<String> = successes.iter().map(|r| read_body(r).to_string()).collect();
        let uniform = reads.windows(2).all(|w| w[0] == w[1]);
        let arms: Vec<TokenStream> = if uniform {
            // Every success status reads the same way: one arm for all of 2xx.
            let read = successes
                .first()
                .map(|r| read_body(r))
                .unwrap_or(quote!(Ok(())));
            vec![quote!(status if (200..300).contains(&status) => #read,)]
        } else {
            let mut arms: Vec<TokenStream> = successes
                .iter()
                .map(|r| {
                    let pat = status_pattern(r.status);
                    let read = read_body(r);
                    quote!(#pat => #read,)
                })
                .collect();
            if !has_range {
                if let Some(first) = successes.first() {
                    let read = read_body(first);
                    arms.push(quote!(status if (200..300).contains(&status) => #read,));
                }
            }
            arms
        };
        return (t, arms);
    };
    {
        let name_id = format_ident!("{}", name);
        let variants: Vec<StatusVariant> = successes
            .iter()
            .map(|r| StatusVariant {
                doc: variant_doc(r),
                name: r.status.variant(),
                ty: match &r.body {
                    ResponseBody::Empty => None,
                    other => Some(body_ty_of(other)),
                },
            })
            .collect();
        let sdoc = format!(
            " The success responses of [`Client::{}`], by status.",
            op.method_name
        );
        // A download is neither `Clone` nor `PartialEq`.
        let comparable = !successes.iter().any(|r| r.body == ResponseBody::Bytes);
        defs.push(status_enum(&sdoc, comparable, name, &variants));
        let mut arms: Vec<TokenStream> = successes
            .iter()
            .map(|r| {
                let pat = status_pattern(r.status);
                let read = read_into_variant(r, &name_id);
                quote!(#pat => #read,)
            })
            .collect();
        if !has_range {
            if let Some(first) = successes.first() {
                let read = read_into_variant(first, &name_id);
                arms.push(quote!(status if (200..300).contains(&status) => #read,));
            }
        }
        (quote!(#name_id), arms)
    }
}

/// A variant of an enum by status (success responses, or error bodies).
struct StatusVariant {
    doc: String,
    /// `Status200`, `Status4xx`, `Default`.
    name: String,
    /// Its body's type; `None` for a response without one.
    ty: Option<TokenStream>,
}

/// A status variant's doc: the response's description, or a sentence naming it.
fn variant_doc(r: &ResponseDef) -> String {
    r.doc
        .clone()
        .unwrap_or_else(|| format!("The {} response.", r.status.variant()))
}

/// An enum by status, `doc_line` its one-line doc (`#[doc]` text), deriving `Debug` and,
/// when `comparable`, `Clone` and `PartialEq`: written as text when the doc prints as
/// written, every body type is a path ([`type_text`]) and every line fits; from tokens
/// otherwise.
fn status_enum(
    doc_line: &str,
    comparable: bool,
    name: &str,
    variants: &[StatusVariant],
) -> TokenStream {
    let derive = if comparable {
        "#[derive(Debug, Clone, PartialEq)]"
    } else {
        "#[derive(Debug)]"
    };
    let text = (!variants.is_empty() && doc_prints_as_written(doc_line))
        .then(|| {
            let mut lines = vec![
                format!("///{doc_line}"),
                derive.to_string(),
                format!("pub enum {name} {{"),
            ];
            for v in variants {
                lines.extend(doc_text(Some(&v.doc)).map(|d| format!("    {d}")));
                lines.push(match &v.ty {
                    Some(t) => format!("    {}({}),", v.name, type_text(t)?),
                    None => format!("    {},", v.name),
                });
            }
            lines.push("}".into());
            text_item_at(0, &lines)
        })
        .flatten();
    text.unwrap_or_else(|| {
        let name = format_ident!("{}", name);
        let derive = if comparable {
            quote!(#[derive(Debug, Clone, PartialEq)])
        } else {
            quote!(#[derive(Debug)])
        };
        let variants = variants.iter().map(|v| {
            let d = doc(Some(&v.doc));
            let n = format_ident!("{}", v.name);
            match &v.ty {
                Some(t) => quote!(#d #n(#t),),
                None => quote!(#d #n,),
            }
        });
        quote! {
            #[doc = #doc_line]
            #derive
            pub enum #name { #(#variants)* }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{print, reset_doc_blocks, tests::TOKENS_ONLY};

    /// A builder's `send` whose error body depends on the status, enum names and statuses of
    /// every length around the widths (inner arms on one line, in a block, with the chain
    /// broken): written as text, it prints as its tokens do.
    #[test]
    fn a_send_reading_errors_by_status_written_as_text_prints_as_its_tokens_do() {
        let statuses = [
            StatusSel::Code(404),
            StatusSel::Range(5),
            StatusSel::Code(429),
            StatusSel::Default,
        ];
        let mut as_text = 0;
        for len in 1..70 {
            for count in 1..=statuses.len() {
                let name = format!("E{}", "r".repeat(len));
                let chosen = &statuses[..count];
                let name_id = format_ident!("{}", name);
                let by_status = ErrorByStatus {
                    name: name.clone(),
                    statuses: chosen.to_vec(),
                };
                let plan = ResponsePlan {
                    success_ty: quote!(()),
                    error_ty: quote!(#name_id),
                    defs: quote!(),
                    arms: quote!(status if (200..300).contains(&status) => Ok(()),),
                    error_read: by_status.tokens(),
                    error_by_status: Some(by_status),
                };
                let printed = |tokens_only: bool| {
                    reset_doc_blocks();
                    TOKENS_ONLY.set(tokens_only);
                    let send = super::super::send_fn(&plan, " Errors.");
                    TOKENS_ONLY.set(false);
                    let text = send.to_string().contains("__codegen_text");
                    let printed = print(quote!(impl B<'_> { #send }), "a test").unwrap();
                    (printed, text)
                };
                let (text, written) = printed(false);
                let (tokens, _) = printed(true);
                assert_eq!(text, tokens, "{name}, {count} statuses");
                as_text += usize::from(written);
            }
        }
        assert!(as_text > 150, "{as_text} written as text");
    }
}
