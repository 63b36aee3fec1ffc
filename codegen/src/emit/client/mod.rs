//! The client: one method per operation returning a request builder (required parameters as
//! arguments, optional ones as builder methods), whose `send` validates the whole request,
//! builds it exactly as the spec says and decodes the response by status. By concern:
//! `builder` (setters and validation), `request` (building the request), `response`
//! (decoding it by status); this module puts an operation's pieces together.

mod builder;
mod paging;
mod request;
mod response;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

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

/// Emits the client module of one API.
pub fn emit_client(api: &Api) -> TokenStream {
    let head = client_head(api);
    let builders = builder_items(api, 0..api.operations.len());
    quote!(#head #builders)
}

/// The request builders (and their response types) of `api.operations[range]`.
pub fn builder_items(api: &Api, range: std::ops::Range<usize>) -> TokenStream {
    let builders = api.operations[range]
        .iter()
        .map(|op| emit_operation(api, op, Part::Builder));
    quote!(#(#builders)*)
}

/// What of an operation to emit.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    /// The client's method.
    Method,
    /// The request builder and its types.
    Builder,
}

/// The head of `client.rs`: imports, `Client` and its methods (one per operation).
pub fn client_head(api: &Api) -> TokenStream {
    let methods: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| emit_operation(api, op, Part::Method))
        .collect();
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
        use crate::runtime::{self, Error, Request, Validate, ValidationErrors};

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
    }
}

fn emit_operation(api: &Api, op: &Operation, part: Part) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = format_ident!("{}", op.builder_name);
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
    for f in op.body.iter().flat_map(|b| &b.files) {
        let id = ident(&f.ident);
        if f.required {
            args.push(quote!(#id: runtime::Upload));
            inits.push(quote!(#id));
            fields.push(quote!(#id: runtime::Upload));
            arg_docs.push_str(&format!("\n- `{}`: the file part `{}`", f.ident, f.wire));
            if let Some(d) = &f.doc {
                let first = d.lines().next().unwrap_or("").trim();
                if !first.is_empty() {
                    arg_docs.push_str(&format!(" — {first}"));
                }
            }
        } else if f.multiple {
            inits.push(quote!(#id: Vec::new()));
            fields.push(quote!(#id: Vec<runtime::Upload>));
        } else {
            inits.push(quote!(#id: None));
            fields.push(quote!(#id: Option<runtime::Upload>));
        }
    }
    inits.push(quote!(headers: Vec::new()));
    fields.push(quote!(headers: Vec<(String, String)>));

    // The method and its doc only for the client's head (the builder's part does not need
    // them: rendering the description is the costly part).
    if part == Part::Method {
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
        if op.pagination.is_some() {
            mdoc.push_str(&format!(
                " Every item across pages: [`{}::into_stream`].",
                op.builder_name
            ));
        }
        let alias = match &op.sdk_name {
            Some(name) if name != &op.method_name => {
                mdoc.push_str(&format!(" The official SDK calls it `{name}`."));
                quote!(#[doc(alias = #name)])
            }
            _ => quote!(),
        };
        let mdoc = doc(Some(&mdoc));
        let deprecated = if op.deprecated {
            quote!(#[deprecated])
        } else {
            quote!()
        };
        return quote! {
            #mdoc
            #alias
            #deprecated
            pub fn #method(&self, #(#args),*) -> #builder<'_> {
                #builder { client: self, #(#inits,)* }
            }
        };
    }

    let plan = response::plan_responses(op);
    let success_ty = &plan.success_ty;
    let send_errors_doc = format!(
        " A non-2xx answer is [`Error::Api`]; its typed body is `err.typed::<{}>()`.",
        plan.error_ty.to_string().replace(' ', "")
    );

    let shared = shared_headers(api, op);
    let setters = builder::setters(op, &optional, &shared, multipart);
    let validate = builder::validate_method(&builder::validation(op));
    let request_fn = request::request_fn(api, op, multipart);
    let arms = &plan.arms;
    let error_read = &plan.error_read;
    let defs = &plan.defs;
    let bdoc = format!(
        " A request to [`Client::{}`] (`{} {}`): set optional parameters, then `send().await`.",
        op.method_name, op.http_method, op.path
    );
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

            #validate

            #request_fn

            /// Validates and sends the request, and decodes the response by status.
            #[doc = #send_errors_doc]
            pub async fn send(self) -> Result<#success_ty, Error> {
                let req = self.request()?;
                let resp = self.client.runtime.execute(req).await?;
                match resp.status() {
                    #arms
                    _ => Err(#error_read),
                }
            }
        }
    };
    let stream_tokens = op
        .pagination
        .as_ref()
        .map(|p| paging::stream_method(op, p))
        .unwrap_or_default();
    let builder_tokens = quote! {
        #builder_tokens
        #stream_tokens
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
    builder_tokens
}
