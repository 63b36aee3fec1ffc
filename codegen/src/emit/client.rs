//! The client: one method per operation returning a request builder (required parameters as
//! arguments, optional ones as builder methods), whose `send` validates the whole request,
//! builds it exactly as the spec says and decodes the response by status.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::validate::checks;
use super::{doc, ident, ty};
use crate::ir::*;

fn is_struct(api: &Api, t: &Ty) -> bool {
    match t {
        Ty::Named(n) => api
            .types
            .iter()
            .any(|d| &d.name == n && matches!(d.kind, TypeKind::Struct(_))),
        Ty::Map(_) => true,
        _ => false,
    }
}

/// What the caller passes for a parameter (`impl Into<T>`), and the stored type.
fn param_ty(p: &Param) -> TokenStream {
    ty(&p.ty)
}

fn body_ty(b: &BodyDef) -> TokenStream {
    match b.kind {
        BodyKind::Json | BodyKind::Form | BodyKind::Multipart => ty(&b.ty),
        BodyKind::Bytes => quote!(runtime::Bytes),
        BodyKind::Text => quote!(String),
    }
}

struct ResponsePlan {
    /// The `Ok` type of `send`.
    success_ty: TokenStream,
    /// The type of the typed error body (`Error::typed::<E>()`).
    error_ty: TokenStream,
    /// Types defined for this operation (success and error enums).
    defs: TokenStream,
    /// Match arms over `status` producing `Ok(..)`.
    arms: TokenStream,
    /// `|status, body| -> Option<E>`.
    error_decoder: TokenStream,
}

fn body_ty_of(r: &ResponseBody) -> TokenStream {
    match r {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json(t) => ty(t),
        ResponseBody::Text => quote!(String),
        ResponseBody::Bytes => quote!(runtime::Response),
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
        ResponseBody::Bytes => quote!(Ok(resp)),
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

fn plan_responses(op: &Operation, taken: &mut crate::naming::Scope) -> ResponsePlan {
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

    // Errors first: the success arms need E.
    let mut error_types: Vec<Ty> = Vec::new();
    for r in &errors {
        if let ResponseBody::Json(t) = &r.body {
            if !error_types.contains(t) {
                error_types.push(t.clone());
            }
        }
    }
    let (error_ty, error_decoder) = match error_types.len() {
        0 => (
            quote!(serde_json::Value),
            quote!(
                |_status: u16, body: &[u8]| serde_json::from_slice::<serde_json::Value>(body).ok()
            ),
        ),
        1 => {
            let t = ty(&error_types[0]);
            let statuses: Vec<TokenStream> =
                errors.iter().map(|r| status_pattern(r.status)).collect();
            let covers_all = errors.iter().any(|r| r.status == StatusSel::Default);
            let decoder = if covers_all {
                quote!(|_status: u16, body: &[u8]| serde_json::from_slice::<#t>(body).ok())
            } else {
                quote!(|status: u16, body: &[u8]| match status {
                    #(#statuses)|* => serde_json::from_slice::<#t>(body).ok(),
                    _ => None,
                })
            };
            (t, decoder)
        }
        _ => {
            let name = taken.unique(&format!("{}Error", op.builder_name));
            let name_id = format_ident!("{}", name);
            let mut ordered: Vec<&ResponseDef> = errors.clone();
            ordered.sort_by_key(|r| match r.status {
                StatusSel::Code(_) => 0,
                StatusSel::Range(_) => 1,
                StatusSel::Default => 2,
            });
            let variants = ordered.iter().map(|r| {
                let v = format_ident!("{}", r.status.variant());
                let t = match &r.body {
                    ResponseBody::Json(t) => ty(t),
                    _ => quote!(serde_json::Value),
                };
                let d = doc(Some(
                    r.doc
                        .as_deref()
                        .unwrap_or(&format!("The {} response.", r.status.variant())),
                ));
                quote!(#d #v(#t),)
            });
            let arms = ordered.iter().map(|r| {
                let v = format_ident!("{}", r.status.variant());
                let pat = status_pattern(r.status);
                quote!(#pat => serde_json::from_slice(body).ok().map(#name_id::#v),)
            });
            let fallback = if ordered.iter().any(|r| r.status == StatusSel::Default) {
                quote!()
            } else {
                quote!(_ => None,)
            };
            let edoc = format!(
                " The error bodies of [`Client::{}`], by status.",
                op.method_name
            );
            defs.push(quote! {
                #[doc = #edoc]
                #[derive(Debug, Clone, PartialEq)]
                pub enum #name_id { #(#variants)* }
            });
            (
                quote!(#name_id),
                quote!(|status: u16, body: &[u8]| match status { #(#arms)* #fallback }),
            )
        }
    };

    // Successes.
    let mut kinds: Vec<&ResponseBody> = Vec::new();
    for r in &successes {
        if !kinds.contains(&&r.body) {
            kinds.push(&r.body);
        }
    }
    let has_range = successes
        .iter()
        .any(|r| matches!(r.status, StatusSel::Range(_)));
    let (success_ty, arms) = if kinds.len() <= 1 {
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
        (t, arms)
    } else {
        let name = taken.unique(&format!("{}Response", op.builder_name));
        let name_id = format_ident!("{}", name);
        let variants = successes.iter().map(|r| {
            let v = format_ident!("{}", r.status.variant());
            let d = doc(Some(
                r.doc
                    .as_deref()
                    .unwrap_or(&format!("The {} response.", r.status.variant())),
            ));
            match &r.body {
                ResponseBody::Empty => quote!(#d #v,),
                other => {
                    let t = body_ty_of(other);
                    quote!(#d #v(#t),)
                }
            }
        });
        let sdoc = format!(
            " The success responses of [`Client::{}`], by status.",
            op.method_name
        );
        let debug_derive = if successes.iter().any(|r| r.body == ResponseBody::Bytes) {
            quote!(#[derive(Debug)])
        } else {
            quote!(#[derive(Debug, Clone, PartialEq)])
        };
        defs.push(quote! {
            #[doc = #sdoc]
            #debug_derive
            pub enum #name_id { #(#variants)* }
        });
        let mut arms: Vec<TokenStream> = successes
            .iter()
            .map(|r| {
                let pat = status_pattern(r.status);
                let v = format_ident!("{}", r.status.variant());
                let read = read_body(r);
                match &r.body {
                    ResponseBody::Empty if r.business.is_none() => {
                        quote!(#pat => Ok(#name_id::#v),)
                    }
                    ResponseBody::Empty => quote!(#pat => #read.map(|()| #name_id::#v),),
                    _ => quote!(#pat => #read.map(#name_id::#v),),
                }
            })
            .collect();
        if !has_range {
            if let Some(first) = successes.first() {
                let v = format_ident!("{}", first.status.variant());
                let read = read_body(first);
                arms.push(match &first.body {
                    ResponseBody::Empty if first.business.is_none() => {
                        quote!(status if (200..300).contains(&status) => Ok(#name_id::#v),)
                    }
                    ResponseBody::Empty => quote!(status if (200..300).contains(&status) => #read.map(|()| #name_id::#v),),
                    _ => quote!(status if (200..300).contains(&status) => #read.map(#name_id::#v),),
                });
            }
        }
        (quote!(#name_id), arms)
    };
    ResponsePlan {
        success_ty,
        error_ty,
        defs: quote!(#(#defs)*),
        arms: quote!(#(#arms)*),
        error_decoder,
    }
}

fn join_items(sep: &str, v: TokenStream) -> TokenStream {
    quote!(#v.iter().map(rt::query_value).collect::<Vec<_>>().join(#sep))
}

/// A cookie name from the spec as a `token` (RFC 6265 / RFC 9110): any other byte
/// (separators such as `;` `=` `,`, spaces, controls, non-ASCII) is percent-encoded, so a
/// spec cannot make one parameter send several cookies.
fn cookie_name(wire: &str) -> String {
    let mut out = String::with_capacity(wire.len());
    for b in wire.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&'*+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Code that serializes one parameter value (`value: &T`) into `req` / `path` / `cookies`.
fn serialize_param(api: &Api, p: &Param, inner_ty: &Ty) -> TokenStream {
    let wire = &p.wire;
    let value = quote!(value);
    match p.location {
        Location::Path => {
            let s = match inner_ty {
                Ty::Vec(_) => join_items(",", value),
                _ => quote!(rt::query_value(value)),
            };
            quote!(rt::encode_path_segment(&#s))
        }
        Location::Query => match (inner_ty, p.style) {
            (Ty::Vec(_), Style::FormExplode | Style::DeepObject) => quote! {
                for item in value.iter() {
                    req.query.push((#wire.to_string(), rt::query_value(item)));
                }
            },
            (Ty::Vec(_), style) => {
                let sep = match style {
                    Style::Space => " ",
                    Style::Pipe => "|",
                    _ => ",",
                };
                let joined = join_items(sep, value);
                quote!(req.query.push((#wire.to_string(), #joined));)
            }
            (t, Style::DeepObject) if is_struct(api, t) => {
                quote!(req.query.extend(rt::deep_object(#wire, value));)
            }
            (t, Style::FormExplode) if is_struct(api, t) => {
                quote!(req.query.extend(rt::form_object(value));)
            }
            _ => {
                quote!(req.query.push((#wire.to_string(), rt::query_value(value)));)
            }
        },
        Location::Header => {
            let s = match inner_ty {
                Ty::Vec(_) => join_items(",", value),
                _ => quote!(rt::query_value(value)),
            };
            quote!(req.headers.push((#wire.to_string(), #s));)
        }
        Location::Cookie => {
            // The value is encoded when sent (it must not end the cookie or add one); the
            // name, from the spec, is encoded here.
            let name = cookie_name(wire);
            quote! {
                let text = rt::cookie_value(&rt::query_value(value));
                cookies.push(format!("{}={}", #name, text));
            }
        }
    }
}

/// Emits the client module of one API.
/// The optional parameters of `op` that are the spec's shared headers
/// ([`Api::default_headers`]), paired with them, when `op` takes every one of them with the
/// same type: their setters come from the module's `SharedHeaders` trait, written once.
pub fn shared_headers<'a>(api: &'a Api, op: &'a Operation) -> Vec<(&'a Param, &'a Param)> {
    if api.default_headers.is_empty() {
        return Vec::new();
    }
    let mut pairs = Vec::new();
    for h in &api.default_headers {
        match op.params.iter().find(|p| {
            p.location == Location::Header
                && !p.required
                && p.wire.eq_ignore_ascii_case(&h.wire)
                && p.ty == h.ty
        }) {
            Some(p) => pairs.push((h, p)),
            None => return Vec::new(),
        }
    }
    pairs
}

pub fn emit_client(api: &Api, taken: &mut crate::naming::Scope) -> TokenStream {
    let mut methods = Vec::new();
    let mut builders = Vec::new();
    for op in &api.operations {
        let (m, b) = emit_operation(api, op, taken);
        methods.push(m);
        builders.push(b);
    }
    let title = format!(" A client for {} {}.", api.title.trim(), api.version.trim());
    let first_server = api.servers.first().map(|s| {
        let c = format_ident!("{}", s.const_name);
        quote!(.endpoint(super::servers::#c))
    });
    let builder_doc = match api.servers.first() {
        Some(s) => format!(
            " A builder of this client (endpoint, auth, timeouts, retries, default headers) whose endpoint is preset to [`super::servers::{}`]; change it with `endpoint`. `build()` gives a [`Client`].",
            s.const_name
        ),
        None => " A builder of this client (endpoint, auth, timeouts, retries, default headers); set its endpoint with `endpoint`. `build()` gives a [`Client`].".to_string(),
    };
    quote! {
        #![doc = " The client: one method per operation, each returning a request builder."]
        #[allow(unused_imports)]
        use super::types::*;
        #[allow(unused_imports)]
        use crate::runtime::__private::{self as rt, validate as v};
        #[allow(unused_imports)]
        use crate::runtime::{self, Error, Request, Validate, ValidationErrors, Violation};

        #[doc = #title]
        ///
        /// It wraps a [`runtime::Client`], which holds the endpoint, authentication,
        /// timeouts, retries and default headers; cloning is cheap.
        #[derive(Clone, Debug)]
        pub struct Client {
            runtime: runtime::Client,
        }

        impl Client {
            /// Wraps a configured runtime client (or takes another module's client's).
            pub fn new(runtime: impl Into<runtime::Client>) -> Self {
                Client { runtime: runtime.into() }
            }

            #[doc = #builder_doc]
            pub fn builder() -> runtime::ClientBuilder<Client> {
                runtime::ClientBuilder::default() #first_server
            }

            /// The runtime client this client sends through.
            pub fn runtime(&self) -> &runtime::Client {
                &self.runtime
            }

            #(#methods)*
        }

        impl From<runtime::Client> for Client {
            fn from(runtime: runtime::Client) -> Self {
                Client::new(runtime)
            }
        }

        impl From<Client> for runtime::Client {
            fn from(client: Client) -> Self {
                client.runtime
            }
        }

        #(#builders)*
    }
}

fn emit_operation(
    api: &Api,
    op: &Operation,
    taken: &mut crate::naming::Scope,
) -> (TokenStream, TokenStream) {
    let method = ident(&op.method_name);
    let builder = format_ident!("{}", op.builder_name);
    let plan = plan_responses(op, taken);
    let success_ty = &plan.success_ty;
    let send_errors_doc = format!(
        " A non-2xx answer is [`Error::Api`]; its typed body is `err.typed::<{}>()`.",
        plan.error_ty.to_string().replace(' ', "")
    );

    let required: Vec<&Param> = op.params.iter().filter(|p| p.required).collect();
    let optional: Vec<&Param> = op.params.iter().filter(|p| !p.required).collect();

    // The method: required parameters (and a required body) as arguments.
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut fields = Vec::new();
    let mut arg_docs = String::new();
    for p in &required {
        let id = ident(&p.ident);
        let t = param_ty(p);
        args.push(quote!(#id: impl Into<#t>));
        inits.push(quote!(#id: #id.into()));
        fields.push(quote!(#id: #t));
        arg_docs.push_str(&format!(
            "\n- `{}`: {} `{}`",
            p.ident,
            p.location.prefix(),
            p.wire
        ));
        if let Some(d) = &p.doc {
            let first = d.lines().next().unwrap_or("").trim();
            if !first.is_empty() {
                arg_docs.push_str(&format!(" — {first}"));
            }
        }
    }
    for p in &optional {
        let id = ident(&p.ident);
        let t = param_ty(p);
        inits.push(quote!(#id: None));
        fields.push(quote!(#id: Option<#t>));
    }
    if let Some(b) = &op.body {
        let t = body_ty(b);
        if b.required {
            args.push(quote!(body: impl Into<#t>));
            inits.push(quote!(body: body.into()));
            fields.push(quote!(body: #t));
            arg_docs.push_str("\n- `body`: the request body");
        } else {
            inits.push(quote!(body: None));
            fields.push(quote!(body: Option<#t>));
        }
    }
    let multipart = op
        .body
        .as_ref()
        .is_some_and(|b| b.kind == BodyKind::Multipart);
    if multipart {
        inits.push(quote!(parts: Vec::new()));
        fields.push(quote!(parts: Vec<runtime::Part>));
    }
    inits.push(quote!(headers: Vec::new()));
    fields.push(quote!(headers: Vec<(String, String)>));

    let mut mdoc = op.doc.clone().unwrap_or_default();
    if !mdoc.is_empty() {
        mdoc.push_str("\n\n");
    }
    mdoc.push_str(&format!(
        "`{} {}` (operationId `{}`).",
        op.http_method, op.path, op.operation_id
    ));
    if !arg_docs.is_empty() {
        mdoc.push_str(&format!("\n\nArguments:{arg_docs}"));
    }
    mdoc.push_str(&format!(
        "\n\nOptional parameters are set on the returned [`{}`]; `send` validates the whole request first and sends nothing if it is invalid.",
        op.builder_name
    ));
    if !op.idempotent {
        mdoc.push_str(" Not retried automatically: the method is not idempotent.");
    }
    let mdoc = doc(Some(&mdoc));
    let deprecated = if op.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    let method_tokens = quote! {
        #mdoc
        #deprecated
        pub fn #method(&self, #(#args),*) -> #builder<'_> {
            #builder { client: self, #(#inits,)* }
        }
    };

    // Setters for optional parameters (and an optional body); the shared headers' come from
    // the module's `SharedHeaders` trait.
    let shared = shared_headers(api, op);
    let mut setters = Vec::new();
    for p in &optional {
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
        let rules = super::types::describe(&p.constraints);
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
    setters.push(quote! {
        /// Adds a header to this request only; it wins over a client default of the same
        /// name. `send` refuses (and sends nothing for) a name that is not a header name, an
        /// authentication or framing header (`Authorization`, `X-Auth-Token`, `Host`, ...:
        /// credentials cannot be replaced per request), and a value with control characters.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.headers.push((name.into(), value.into()));
            self
        }
    });
    if multipart {
        setters.push(quote! {
            /// Adds a part to the multipart body (a file part streams from disk).
            pub fn part(mut self, part: runtime::Part) -> Self {
                self.parts.push(part);
                self
            }
        });
    }

    // Validation of parameters and body.
    let mut checks_code = Vec::new();
    for p in &op.params {
        let id = ident(&p.ident);
        let path = format!("{}.{}", p.location.prefix(), p.wire);
        let body = checks(&p.ty, &p.constraints, quote!(value), quote!(#path));
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
            let body = checks(&b.ty, &b.constraints, quote!(value), quote!("body"));
            if !body.is_empty() {
                if b.required {
                    checks_code.push(quote! {{ let value = &self.body; #body }});
                } else {
                    checks_code.push(quote! { if let Some(value) = &self.body { #body } });
                }
            }
        }
    }

    // Building the request.
    let http_method = format_ident!("{}", op.http_method);
    let mut path_code = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let lit = &rest[..start];
        if !lit.is_empty() {
            path_code.push(quote!(path.push_str(#lit);));
        }
        let after = &rest[start + 1..];
        let end = after.find('}').unwrap_or(after.len());
        let name = &after[..end];
        if let Some(p) = op
            .params
            .iter()
            .find(|p| p.location == Location::Path && p.wire == name)
        {
            let id = ident(&p.ident);
            let inner = match &p.ty {
                Ty::Option(i) => (**i).clone(),
                t => t.clone(),
            };
            let s = serialize_param(api, p, &inner);
            if matches!(p.ty, Ty::Option(_)) {
                path_code.push(quote!(if let Some(value) = &self.#id { path.push_str(&#s); }));
            } else {
                path_code.push(quote!({ let value = &self.#id; path.push_str(&#s); }));
            }
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        path_code.push(quote!(path.push_str(#rest);));
    }
    let mut param_code = Vec::new();
    let has_cookies = op.params.iter().any(|p| p.location == Location::Cookie);
    for p in op.params.iter().filter(|p| p.location != Location::Path) {
        let id = ident(&p.ident);
        let (inner, nullable) = match &p.ty {
            Ty::Option(i) => ((**i).clone(), true),
            t => (t.clone(), false),
        };
        let s = serialize_param(api, p, &inner);
        if !p.required {
            if nullable {
                param_code.push(quote!(if let Some(Some(value)) = &self.#id { #s }));
            } else {
                param_code.push(quote!(if let Some(value) = &self.#id { #s }));
            }
        } else if nullable {
            param_code.push(quote!(if let Some(value) = &self.#id { #s }));
        } else {
            param_code.push(quote!({ let value = &self.#id; #s }));
        }
    }
    let cookie_decl = if has_cookies {
        quote!(let mut cookies: Vec<String> = Vec::new();)
    } else {
        quote!()
    };
    let cookie_flush = if has_cookies {
        quote!(if !cookies.is_empty() {
            req.headers.push(("Cookie".to_string(), cookies.join("; ")));
        })
    } else {
        quote!()
    };
    let body_code = match &op.body {
        None => quote!(),
        Some(b) => {
            // `value`: a reference to the body; `owned`: a clone of it.
            let (value, owned, wrap) = if b.required {
                (quote!(&self.body), quote!(self.body.clone()), false)
            } else {
                (quote!(value), quote!(value.clone()), true)
            };
            let set = match b.kind {
                BodyKind::Json => quote! {
                    req.body = rt::json_body(#value).map_err(Error::InvalidRequest)?;
                },
                BodyKind::Form => quote! {
                    req.body = rt::form_body(#value).map_err(Error::InvalidRequest)?;
                },
                BodyKind::Multipart => quote! {
                    req.body = rt::multipart_body(#value, self.parts.clone()).map_err(Error::InvalidRequest)?;
                },
                BodyKind::Bytes => {
                    let ct = &b.content_type;
                    quote! {
                        req.body = runtime::Body::Bytes { content_type: #ct.to_string(), data: #owned };
                    }
                }
                BodyKind::Text => {
                    let ct = &b.content_type;
                    quote! {
                        req.body = runtime::Body::Text { content_type: #ct.to_string(), data: #owned };
                    }
                }
            };
            if wrap {
                if multipart {
                    quote! {
                        if let Some(value) = &self.body { #set } else if !self.parts.is_empty() {
                            req.body = runtime::Body::Multipart(self.parts.clone());
                        }
                    }
                } else {
                    quote!(if let Some(value) = &self.body { #set })
                }
            } else {
                set
            }
        }
    };
    let op_id = &op.operation_id;
    let idempotent = op.idempotent;
    let arms = &plan.arms;
    let decoder = &plan.error_decoder;
    let defs = &plan.defs;
    let bdoc = format!(
        " A request to [`Client::{}`] (`{} {}`): set optional parameters, then `send().await`.",
        op.method_name, op.http_method, op.path
    );
    let path_cap = Literal::usize_unsuffixed(op.path.len() + 16);
    let builder_tokens = quote! {
        #defs

        #[doc = #bdoc]
        #[derive(Debug, Clone)]
        #[must_use = "a request builder does nothing until `send` is awaited"]
        pub struct #builder<'a> {
            client: &'a Client,
            #(#fields,)*
        }

        impl #builder<'_> {
            #(#setters)*

            /// Checks every constraint of the spec on this request (parameters and body) and
            /// returns all violations, each with its path.
            pub fn validate(&self) -> Result<(), ValidationErrors> {
                #[allow(unused_mut)]
                let mut out: Vec<Violation> = Vec::new();
                {
                    let out = &mut out;
                    #(#checks_code)*
                    let _ = out;
                }
                if out.is_empty() { Ok(()) } else { Err(ValidationErrors(out)) }
            }

            /// Builds the request as it will be sent (before authentication), after validating it.
            pub fn request(&self) -> Result<Request, Error> {
                self.validate().map_err(Error::Validation)?;
                let mut path = String::with_capacity(#path_cap);
                #(#path_code)*
                #[allow(unused_mut)]
                let mut req = Request::new(rt::Method::#http_method, path, #op_id);
                req.idempotent = #idempotent;
                #cookie_decl
                #(#param_code)*
                #cookie_flush
                for (name, value) in &self.headers {
                    rt::check_extra_header(name)?;
                    req.headers.push((name.clone(), value.clone()));
                }
                #body_code
                Ok(req)
            }

            /// Validates and sends the request, and decodes the response by status.
            #[doc = #send_errors_doc]
            pub async fn send(self) -> Result<#success_ty, Error> {
                let req = self.request()?;
                let resp = self.client.runtime.execute(req).await?;
                match resp.status() {
                    #arms
                    _ => Err(resp.api_error_with(#decoder).await),
                }
            }
        }
    };
    let builder_tokens = if shared.is_empty() {
        builder_tokens
    } else {
        let accessors = shared.iter().map(|(h, p)| {
            let acc = format_ident!("{}_mut", h.ident.trim_start_matches("r#"));
            let field = ident(&p.ident);
            let t = param_ty(p);
            quote! {
                fn #acc(&mut self) -> &mut Option<#t> {
                    &mut self.#field
                }
            }
        });
        quote! {
            #builder_tokens

            impl super::SharedHeaders for #builder<'_> {
                #(#accessors)*
            }
        }
    };
    (method_tokens, builder_tokens)
}
