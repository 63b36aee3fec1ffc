//! The client: one method per operation returning a request builder (required parameters as
//! arguments, optional ones as builder methods), whose `send` validates the whole request,
//! builds it exactly as the spec says and decodes the response by status. By concern:
//! `builder` (setters and validation), `request` (building the request), `response`
//! (decoding it by status); this module puts an operation's pieces together.

mod builder;
mod paging;
mod request;
mod response;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{
    block_text, doc, doc_prints_as_written, doc_text, fixed_item, fixed_item_at, ident, lines,
    signature_lines, struct_expr_lines, text_item_at, ty, type_text,
};
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
    let uses = fixed_item(CLIENT_USES);
    let definition = fixed_item_at(0, Some(&title), CLIENT_STRUCT);
    let (builder_doc, builder) = builder_fn(api);
    let mut members = vec![
        fixed_item_at(METHOD_INDENT, None, CLIENT_NEW),
        fixed_item_at(METHOD_INDENT, Some(&builder_doc), &builder),
        fixed_item_at(METHOD_INDENT, None, CLIENT_RUNTIME),
    ];
    members.extend(methods);
    let methods =
        block_text("impl Client", &members).unwrap_or_else(|| quote!(impl Client { #(#members)* }));
    let conversions = fixed_item(CLIENT_CONVERSIONS);
    quote! {
        #uses
        #definition
        #methods
        #conversions
    }
}

/// The doc and text (at indentation 0) of `Client::builder()`: the runtime's builder with the
/// spec's first server and its `x-default-headers` preset.
fn builder_fn(api: &Api) -> (String, String) {
    let mut doc = match api.servers.first() {
        Some(s) => format!(
            " A builder of this client (endpoint, auth, timeouts, retries, default headers) whose endpoint is preset to [`super::servers::{}`]; change it with `endpoint`. `build()` gives a [`Client`].",
            s.const_name
        ),
        None => " A builder of this client (endpoint, auth, timeouts, retries, default headers); set its endpoint with `endpoint`. `build()` gives a [`Client`].".to_string(),
    };
    let mut calls: Vec<String> = api
        .servers
        .first()
        .map(|s| format!(".endpoint(super::servers::{})", s.const_name))
        .into_iter()
        .collect();
    for (name, value) in &api.preset_headers {
        let (name, value) = (Literal::string(name), Literal::string(value));
        calls.push(format!(".default_header({name}, {value})"));
    }
    if !api.preset_headers.is_empty() {
        let list: Vec<String> = api
            .preset_headers
            .iter()
            .map(|(n, v)| format!("`{n}: {v}`"))
            .collect();
        doc.push_str(&format!(
            " It presets the headers the spec sends on every request that does not set them itself ({}); `default_header` with the same name replaces one.",
            list.join(", ")
        ));
    }
    // The chain on one line while it fits prettyplease's width (the body is at indentation 8
    // in the impl block), else one call to a line, as prettyplease breaks it. A line that is
    // still too wide makes `fixed_item_at` print the tokens instead.
    const CHAIN: &str = "runtime::ClientBuilder::default()";
    let width = METHOD_INDENT + 4 + CHAIN.len() + calls.iter().map(String::len).sum::<usize>();
    let chain: String = if width <= super::PRINT_WIDTH {
        calls.concat()
    } else {
        calls.iter().map(|c| format!("\n        {c}")).collect()
    };
    let text =
        format!("pub fn builder() -> runtime::ClientBuilder<Client> {{\n    {CHAIN}{chain}\n}}\n");
    (doc, text)
}

/// The doc and imports of `client.rs` as printed.
const CLIENT_USES: &str = "\
//! The client: one method per operation, each returning a request builder.
#[allow(unused_imports)]
use super::types::*;
#[allow(unused_imports)]
use crate::runtime::__private::{self as rt, validate as v};
#[allow(unused_imports)]
use crate::runtime::{self, Error, Request, Validate, ValidationErrors};
";

/// `Client`'s definition as printed, after its first doc line.
const CLIENT_STRUCT: &str = "\
///
/// It wraps a [`runtime::Client`], which holds the endpoint, authentication,
/// timeouts, retries and default headers; cloning is cheap.
#[derive(Clone, Debug)]
pub struct Client {
    runtime: runtime::Client,
}
";

/// `Client::new` as printed (at the impl block's indentation, without it).
const CLIENT_NEW: &str = "\
/// Wraps a configured runtime client (or takes another module's client's).
pub fn new(runtime: impl Into<runtime::Client>) -> Self {
    Client { runtime: runtime.into() }
}
";

/// `Client::runtime` as printed (at the impl block's indentation, without it).
const CLIENT_RUNTIME: &str = "\
/// The runtime client this client sends through.
pub fn runtime(&self) -> &runtime::Client {
    &self.runtime
}
";

/// `Client`'s conversions from and to the runtime's client as printed.
const CLIENT_CONVERSIONS: &str = "\
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
";

/// The indentation of the client's methods (one level into `impl Client`).
const METHOD_INDENT: usize = 4;

/// A request builder's struct as a text item: its doc line (`bdoc`, a literal `#[doc]`), the
/// attributes and one line per field, when no line is too wide and the doc prints as written
/// ([`doc_prints_as_written`]).
fn builder_struct_text(
    builder: &proc_macro2::Ident,
    bdoc: &str,
    fields: &[String],
) -> Option<TokenStream> {
    if !doc_prints_as_written(bdoc) {
        return None;
    }
    let mut lines = vec![
        format!("///{bdoc}"),
        "#[derive(Debug, Clone)]".into(),
        format!("#[must_use = {}]", Literal::string(BUILDER_MUST_USE)),
        format!("pub struct {builder}<'a> {{"),
        "    client: &'a Client,".into(),
    ];
    lines.extend(fields.iter().map(|f| format!("    {f},")));
    lines.push("}".into());
    text_item_at(0, &lines)
}

/// Why a request builder is `#[must_use]`.
const BUILDER_MUST_USE: &str = "a request builder does nothing until `send` is awaited";

/// [`builder_struct_text`] as tokens.
fn builder_struct_tokens(
    builder: &proc_macro2::Ident,
    bdoc: &str,
    fields: &[TokenStream],
) -> TokenStream {
    quote! {
        #[doc = #bdoc]
        #[derive(Debug, Clone)]
        #[must_use = #BUILDER_MUST_USE]
        pub struct #builder<'a> {
            client: &'a Client,
            #(#fields,)*
        }
    }
}

/// What an operation's method on the client is, besides its arguments.
struct MethodHead<'a> {
    method: &'a proc_macro2::Ident,
    builder: &'a proc_macro2::Ident,
    deprecated: bool,
    doc: &'a str,
    /// The official SDK's name for it, when it differs.
    alias: Option<&'a str>,
}

/// An operation's method on the client as a text item (see [`text_item`]): its doc comment,
/// the attributes, the signature and the builder's struct expression as prettyplease prints
/// them; `None` when a line would not fit.
fn method_text(head: &MethodHead, args: &[String], inits: &[String]) -> Option<TokenStream> {
    let pad = " ".repeat(METHOD_INDENT);
    let mut lines = Vec::new();
    lines.extend(doc_text(Some(head.doc)).map(|d| format!("{pad}{d}")));
    if let Some(name) = head.alias {
        lines.push(format!("{pad}#[doc(alias = {})]", Literal::string(name)));
    }
    if head.deprecated {
        lines.push(format!("{pad}#[deprecated]"));
    }
    let mut params = vec!["&self".to_string()];
    params.extend(args.iter().cloned());
    let builder = head.builder.to_string();
    lines.extend(signature_lines(
        METHOD_INDENT,
        &format!("pub fn {}", head.method),
        &params,
        &format!("-> {builder}<'_> {{"),
    ));
    let mut fields = vec!["client: self".to_string()];
    fields.extend(inits.iter().cloned());
    lines.extend(struct_expr_lines(2 * METHOD_INDENT, &builder, &fields));
    lines.push(format!("{pad}}}"));
    text_item_at(METHOD_INDENT, &lines)
}

/// [`method_text`] as tokens.
fn method_tokens(head: &MethodHead, args: &[TokenStream], inits: &[TokenStream]) -> TokenStream {
    let (method, builder) = (head.method, head.builder);
    let alias = head.alias.map(|name| quote!(#[doc(alias = #name)]));
    let mdoc = doc(Some(head.doc));
    let deprecated = if head.deprecated {
        quote!(#[deprecated])
    } else {
        quote!()
    };
    quote! {
        #mdoc
        #alias
        #deprecated
        pub fn #method(&self, #(#args),*) -> #builder<'_> {
            #builder { client: self, #(#inits,)* }
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
    // The same arguments and initializers as prettyplease prints them (an argument `None` when
    // its type is not a path: then the method is printed from its tokens).
    let mut args_text: Vec<Option<String>> = Vec::new();
    let mut inits_text: Vec<String> = Vec::new();
    let mut fields_text: Vec<Option<String>> = Vec::new();
    let mut arg_docs = String::new();
    for p in &required {
        let id = ident(&p.ident);
        let t = param_ty(p);
        args.push(quote!(#id: impl Into<#t>));
        args_text.push(type_text(&t).map(|t| format!("{id}: impl Into<{t}>")));
        inits.push(quote!(#id: #id.into()));
        inits_text.push(format!("{id}: {id}.into()"));
        fields.push(quote!(#id: #t));
        fields_text.push(type_text(&t).map(|t| format!("{id}: {t}")));
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
        inits_text.push(format!("{id}: None"));
        fields.push(quote!(#id: Option<#t>));
        fields_text.push(type_text(&t).map(|t| format!("{id}: Option<{t}>")));
    }
    if let Some(b) = &op.body {
        let t = body_ty(b);
        if b.required {
            args.push(quote!(body: impl Into<#t>));
            args_text.push(type_text(&t).map(|t| format!("body: impl Into<{t}>")));
            inits.push(quote!(body: body.into()));
            inits_text.push("body: body.into()".into());
            fields.push(quote!(body: #t));
            fields_text.push(type_text(&t).map(|t| format!("body: {t}")));
            arg_docs.push_str("\n- `body`: the request body");
        } else {
            inits.push(quote!(body: None));
            inits_text.push("body: None".into());
            fields.push(quote!(body: Option<#t>));
            fields_text.push(type_text(&t).map(|t| format!("body: Option<{t}>")));
        }
    }
    let multipart = op
        .body
        .as_ref()
        .is_some_and(|b| b.kind == BodyKind::Multipart);
    if multipart {
        inits.push(quote!(parts: Vec::new()));
        inits_text.push("parts: Vec::new()".into());
        fields.push(quote!(parts: Vec<runtime::Part>));
        fields_text.push(Some("parts: Vec<runtime::Part>".into()));
    }
    for f in op.body.iter().flat_map(|b| &b.files) {
        let id = ident(&f.ident);
        if f.required {
            args.push(quote!(#id: runtime::Upload));
            args_text.push(Some(format!("{id}: runtime::Upload")));
            inits.push(quote!(#id));
            inits_text.push(id.to_string());
            fields.push(quote!(#id: runtime::Upload));
            fields_text.push(Some(format!("{id}: runtime::Upload")));
            arg_docs.push_str(&format!("\n- `{}`: the file part `{}`", f.ident, f.wire));
            if let Some(d) = &f.doc {
                let first = d.lines().next().unwrap_or("").trim();
                if !first.is_empty() {
                    arg_docs.push_str(&format!(" — {first}"));
                }
            }
        } else if f.multiple {
            inits.push(quote!(#id: Vec::new()));
            inits_text.push(format!("{id}: Vec::new()"));
            fields.push(quote!(#id: Vec<runtime::Upload>));
            fields_text.push(Some(format!("{id}: Vec<runtime::Upload>")));
        } else {
            inits.push(quote!(#id: None));
            inits_text.push(format!("{id}: None"));
            fields.push(quote!(#id: Option<runtime::Upload>));
            fields_text.push(Some(format!("{id}: Option<runtime::Upload>")));
        }
    }
    inits.push(quote!(headers: Vec::new()));
    inits_text.push("headers: Vec::new()".into());
    fields.push(quote!(headers: Vec<(String, String)>));
    fields_text.push(Some("headers: Vec<(String, String)>".into()));

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
                Some(name.as_str())
            }
            _ => None,
        };
        let head = MethodHead {
            method: &method,
            builder: &builder,
            deprecated: op.deprecated,
            doc: &mdoc,
            alias,
        };
        let args_text: Option<Vec<String>> = args_text.into_iter().collect();
        return args_text
            .and_then(|args| method_text(&head, &args, &inits_text))
            .unwrap_or_else(|| method_tokens(&head, &args, &inits));
    }

    let plan = response::plan_responses(op);
    let send_errors_doc = format!(
        " A non-2xx answer is [`Error::Api`]; its typed body is `err.typed::<{}>()`.",
        plan.error_ty.to_string().replace(' ', "")
    );

    let shared = shared_headers(api, op);
    let setters = builder::setters(op, &optional, &shared, multipart);
    let validate = builder::validate_method(&builder::validation(op));
    let request_fn = request::request_fn(api, op, multipart);
    let send_fn = send_fn(&plan, &send_errors_doc);
    let defs = &plan.defs;
    let bdoc = format!(
        " A request to [`Client::{}`] (`{} {}`): set optional parameters, then `send().await`.",
        op.method_name, op.http_method, op.path
    );
    let fields_text: Option<Vec<String>> = fields_text.into_iter().collect();
    let definition = fields_text
        .and_then(|fields| builder_struct_text(&builder, &bdoc, &fields))
        .unwrap_or_else(|| builder_struct_tokens(&builder, &bdoc, &fields));
    let mut members = setters;
    members.extend([validate, request_fn, send_fn]);
    let methods = block_text(&format!("impl {builder}<'_>"), &members)
        .unwrap_or_else(|| quote!(impl #builder<'_> { #(#members)* }));
    let builder_tokens = quote! {
        #defs

        #definition

        #methods
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

/// The builder's `send`: the request, then the response read by status (`plan`).
/// `errors_doc` is the second line of its doc comment (`#[doc]` text).
fn send_fn(plan: &response::ResponsePlan, errors_doc: &str) -> TokenStream {
    let arms = &plan.arms;
    let error_read = &plan.error_read;
    let success_ty = &plan.success_ty;
    let text = unit_or_type_text(success_ty).and_then(|t| {
        let pad = " ".repeat(builder::BODY_INDENT);
        let mut lines = vec![
            format!("{pad}let req = self.request()?;"),
            format!("{pad}let resp = self.client.runtime.execute(req).await?;"),
            format!("{pad}match resp.status() {{"),
        ];
        let arms_indent = builder::BODY_INDENT + 4;
        lines.extend(lines::arms(arms_indent, arms)?);
        match &plan.error_by_status {
            Some(by_status) => lines.extend(by_status.lines(arms_indent)?),
            None => lines.extend(lines::arms(arms_indent, &quote!(_ => Err(#error_read),))?),
        }
        lines.push(format!("{pad}}}"));
        builder::method_text_of_lines(
            &[SEND_DOC, &format!("///{errors_doc}")],
            &format!("pub async fn send(self) -> Result<{t}, Error> {{"),
            lines,
        )
    });
    text.unwrap_or_else(|| {
        let doc = SEND_DOC.trim_start_matches("///");
        quote! {
            #[doc = #doc]
            #[doc = #errors_doc]
            pub async fn send(self) -> Result<#success_ty, Error> {
                let req = self.request()?;
                let resp = self.client.runtime.execute(req).await?;
                match resp.status() {
                    #arms
                    _ => Err(#error_read),
                }
            }
        }
    })
}

/// The first line of the doc comment of a request's `send`, as printed.
const SEND_DOC: &str = "/// Validates and sends the request, and decodes the response by status.";

/// A type as printed: `()`, or what [`type_text`] knows.
fn unit_or_type_text(t: &TokenStream) -> Option<String> {
    if t.to_string() == "()" {
        return Some("()".into());
    }
    type_text(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{print, reset_doc_blocks};

    #[test]
    fn a_client_method_written_as_text_prints_as_its_tokens_do() {
        let types = [
            "String",
            "i64",
            "Vec<Foo>",
            "std::collections::BTreeMap<String, Thing>",
        ];
        let mut next = crate::emit::xorshift(0x1234_5678_9abc_def1);
        let mut as_text = 0;
        for case in 0..500 {
            let method = ident(&format!("get_{}", "x".repeat(next(40))));
            let builder = format_ident!("Get{}", "X".repeat(next(40)));
            let (mut args, mut args_text, mut inits, mut inits_text) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for i in 0..next(4) {
                let id = ident(&format!("a{i}{}", "y".repeat(next(10))));
                if next(5) == 0 {
                    args.push(quote!(#id: runtime::Upload));
                    args_text.push(format!("{id}: runtime::Upload"));
                    inits.push(quote!(#id));
                    inits_text.push(id.to_string());
                } else {
                    let t: TokenStream = types[next(types.len() as u64)].parse().unwrap();
                    args_text.push(format!("{id}: impl Into<{}>", type_text(&t).unwrap()));
                    args.push(quote!(#id: impl Into<#t>));
                    inits.push(quote!(#id: #id.into()));
                    inits_text.push(format!("{id}: {id}.into()"));
                }
            }
            for i in 0..next(3) {
                let id = ident(&format!("o{i}{}", "z".repeat(next(8))));
                inits.push(quote!(#id: None));
                inits_text.push(format!("{id}: None"));
            }
            inits.push(quote!(headers: Vec::new()));
            inits_text.push("headers: Vec::new()".into());
            let alias = format!("Sdk{}", "N".repeat(next(60)));
            let head = MethodHead {
                method: &method,
                builder: &builder,
                deprecated: next(4) == 0,
                doc:
                    "`GET /things/{id}` (operationId `getThing`).\n\nArguments:\n- `id`: path `id`",
                alias: (next(3) == 0).then_some(alias.as_str()),
            };
            let printed = |item: &dyn Fn() -> TokenStream| {
                reset_doc_blocks();
                let item = item();
                print(quote!(impl Client { #item }), "a test").unwrap()
            };
            if method_text(&head, &args_text, &inits_text).is_none() {
                continue;
            }
            as_text += 1;
            assert_eq!(
                printed(&|| method_text(&head, &args_text, &inits_text).unwrap()),
                printed(&|| method_tokens(&head, &args, &inits)),
                "case {case}"
            );
        }
        assert!(as_text > 250, "{as_text}");
    }

    #[test]
    fn the_client_builder_written_as_text_prints_as_its_tokens_do() {
        let printed = |item: &dyn Fn() -> TokenStream| {
            reset_doc_blocks();
            let item = item();
            print(quote!(impl Client { #item }), "a test").unwrap()
        };
        let mut broken = 0;
        for server in (0..48).map(|n| "S".repeat(n)) {
            for headers in 0..3 {
                for long in 0..30 {
                    let mut api = Api::default();
                    if !server.is_empty() {
                        api.servers.push(ServerDef {
                            const_name: server.clone(),
                            url: "https://example.com".into(),
                            template: "https://example.com".into(),
                            description: None,
                            variables: Vec::new(),
                        });
                    }
                    for i in 0..headers {
                        // A quote in a value is escaped (and its doc printed from tokens).
                        let quote = if long == 0 { "\"" } else { "" };
                        let value = format!("v{quote}{}", "x".repeat(long + 3 * i));
                        api.preset_headers.push((format!("X-H{i}"), value));
                    }
                    let (doc, text) = builder_fn(&api);
                    broken += usize::from(text.lines().count() > 3);
                    let tokens: TokenStream = text.parse().unwrap();
                    assert_eq!(
                        printed(&|| fixed_item_at(METHOD_INDENT, Some(&doc), &text)),
                        printed(&|| quote!(#[doc = #doc] #tokens)),
                        "{server} {headers} {long}"
                    );
                }
            }
        }
        // Both shapes of the chain are covered: on one line, and one call per line.
        assert!((500..4000).contains(&broken), "{broken}");
    }

    #[test]
    fn a_builder_struct_written_as_text_prints_as_its_tokens_do() {
        let types = [
            "String",
            "i64",
            "Vec<Foo>",
            "std::collections::BTreeMap<String, SomeLongThing>",
        ];
        let mut as_text = 0;
        for a in 0..40 {
            for b in 0..8 {
                let builder = format_ident!("Get{}", "X".repeat(a));
                let bdoc = format!(
                    " A request to [`Client::get_x`] (`GET /things/{{id}}/\"{}\"`): set optional parameters.",
                    "p".repeat(a)
                );
                let (mut fields, mut fields_text) = (Vec::new(), Vec::new());
                for i in 0..3 {
                    let id = ident(&format!("f{i}{}", "y".repeat(a + b * 4)));
                    let t: TokenStream = types[(a + b + i) % types.len()].parse().unwrap();
                    let tt = type_text(&t).unwrap();
                    if i == 1 {
                        fields.push(quote!(#id: Option<#t>));
                        fields_text.push(format!("{id}: Option<{tt}>"));
                    } else {
                        fields.push(quote!(#id: #t));
                        fields_text.push(format!("{id}: {tt}"));
                    }
                }
                fields.push(quote!(headers: Vec<(String, String)>));
                fields_text.push("headers: Vec<(String, String)>".into());
                if builder_struct_text(&builder, &bdoc, &fields_text).is_none() {
                    continue;
                }
                as_text += 1;
                let printed = |item: &dyn Fn() -> TokenStream| {
                    reset_doc_blocks();
                    print(item(), "a test").unwrap()
                };
                assert_eq!(
                    printed(&|| builder_struct_text(&builder, &bdoc, &fields_text).unwrap()),
                    printed(&|| builder_struct_tokens(&builder, &bdoc, &fields)),
                    "{builder}"
                );
            }
        }
        assert!(as_text > 100, "{as_text}");
        let fields = ["headers: Vec<(String, String)>".to_string()];
        assert!(builder_struct_text(&format_ident!("A"), " line\nbreak", &fields).is_none());
    }
}
