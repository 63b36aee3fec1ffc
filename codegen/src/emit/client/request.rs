//! Building an operation's request: the path with its encoded parameters, query, headers and
//! cookies in their styles, extra headers, and the body in its media type.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::builder::method_text;
use super::is_struct;
use crate::emit::ident;
use crate::ir::*;

/// Whether `to_string` gives a value's wire text (the same text as its JSON): strings,
/// integers and booleans, which are then sent without going through serde.
fn displays_as_wire_text(t: &Ty) -> bool {
    matches!(
        t,
        Ty::String | Ty::Bool | Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64
    )
}

/// A parameter value in the generated code: a reference bound by `if let` (`value`), or the
/// builder's field itself (`self.name`) for a required one.
enum Value {
    /// An expression of type `&T`.
    Ref(TokenStream),
    /// A place expression of type `T`.
    Place(TokenStream),
}

impl Value {
    /// The value as a method receiver (auto-referenced either way).
    fn receiver(&self) -> &TokenStream {
        match self {
            Value::Ref(t) | Value::Place(t) => t,
        }
    }

    /// The value as an expression of type `&T`.
    fn reference(&self) -> TokenStream {
        match self {
            Value::Ref(t) => t.clone(),
            Value::Place(t) => quote!(&#t),
        }
    }
}

/// The text of one scalar parameter value `v`.
fn scalar_text(t: &Ty, v: &Value) -> TokenStream {
    if displays_as_wire_text(t) {
        let v = v.receiver();
        quote!(#v.to_string())
    } else {
        let v = v.reference();
        quote!(rt::query_value(#v))
    }
}

/// The items of the array `v` (of type `ty`) joined by `sep`.
fn join_items(ty: &Ty, sep: &str, v: &Value) -> TokenStream {
    let item = match ty {
        Ty::Vec(item) => item.as_ref(),
        other => other,
    };
    let text = if displays_as_wire_text(item) {
        quote!(ToString::to_string)
    } else {
        quote!(rt::query_value)
    };
    let v = v.receiver();
    quote!(#v.iter().map(#text).collect::<Vec<_>>().join(#sep))
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

/// Code that serializes one parameter value `value` into `req` / `path` / `cookies`.
fn serialize_param(api: &Api, p: &Param, inner_ty: &Ty, value: &Value) -> TokenStream {
    let wire = &p.wire;
    match p.location {
        Location::Path => {
            let s = match inner_ty {
                // Encoded from the field itself, not from a copy.
                Ty::String => value.reference(),
                Ty::Vec(_) => {
                    let s = join_items(inner_ty, ",", value);
                    quote!(&#s)
                }
                t => {
                    let s = scalar_text(t, value);
                    quote!(&#s)
                }
            };
            quote!(rt::encode_path_segment(#s))
        }
        Location::Query => match (inner_ty, p.style) {
            (Ty::Vec(item_ty), Style::FormExplode | Style::DeepObject) => {
                let text = scalar_text(item_ty, &Value::Ref(quote!(item)));
                let items = value.receiver();
                quote! {
                    for item in #items.iter() {
                        req.query.push((#wire.to_string(), #text));
                    }
                }
            }
            (Ty::Vec(_), style) => {
                let sep = match style {
                    Style::Space => " ",
                    Style::Pipe => "|",
                    _ => ",",
                };
                let joined = join_items(inner_ty, sep, value);
                quote!(req.query.push((#wire.to_string(), #joined));)
            }
            (t, Style::DeepObject) if is_struct(api, t) => {
                let value = value.reference();
                quote!(req.query.extend(rt::deep_object(#wire, #value));)
            }
            (t, Style::FormExplode) if is_struct(api, t) => {
                let value = value.reference();
                quote!(req.query.extend(rt::form_object(#value));)
            }
            (t, _) => {
                let text = scalar_text(t, value);
                quote!(req.query.push((#wire.to_string(), #text));)
            }
        },
        Location::Header => {
            let s = match inner_ty {
                Ty::Vec(_) => join_items(inner_ty, ",", value),
                t => scalar_text(t, value),
            };
            quote!(req.headers.push((#wire.to_string(), #s));)
        }
        Location::Cookie => {
            // The value is encoded when sent (it must not end the cookie or add one); the
            // name, from the spec, is encoded here.
            let name = cookie_name(wire);
            let text = scalar_text(inner_ty, value);
            quote! {
                let text = rt::cookie_value(&#text);
                cookies.push(format!("{}={}", #name, text));
            }
        }
    }
}

/// Appends a literal part of the path template to `path`: `push` for one character (a `/`
/// between two parameters, or before the first), as clippy's `single_char_add_str` asks.
fn push_literal(text: &str) -> TokenStream {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => quote!(path.push(#c);),
        _ => quote!(path.push_str(#text);),
    }
}

/// The builder's `request()`: validates, then builds the request as it will be sent (before
/// authentication).
pub(super) fn request_fn(api: &Api, op: &Operation, multipart: bool) -> TokenStream {
    let http_method = format_ident!("{}", op.http_method);
    let mut path_code = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let lit = &rest[..start];
        if !lit.is_empty() {
            path_code.push(push_literal(lit));
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
            if matches!(p.ty, Ty::Option(_)) {
                let s = serialize_param(api, p, &inner, &Value::Ref(quote!(value)));
                path_code.push(quote!(if let Some(value) = &self.#id { path.push_str(&#s); }));
            } else {
                let s = serialize_param(api, p, &inner, &Value::Place(quote!(self.#id)));
                path_code.push(quote!(path.push_str(&#s);));
            }
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        path_code.push(push_literal(rest));
    }
    let mut param_code = Vec::new();
    let has_cookies = op.params.iter().any(|p| p.location == Location::Cookie);
    for p in op.params.iter().filter(|p| p.location != Location::Path) {
        let id = ident(&p.ident);
        let (inner, nullable) = match &p.ty {
            Ty::Option(i) => ((**i).clone(), true),
            t => (t.clone(), false),
        };
        if p.required && !nullable {
            let s = serialize_param(api, p, &inner, &Value::Place(quote!(self.#id)));
            // A cookie binds `text`: in a block of its own.
            param_code.push(if p.location == Location::Cookie {
                quote!({ #s })
            } else {
                s
            });
            continue;
        }
        let s = serialize_param(api, p, &inner, &Value::Ref(quote!(value)));
        param_code.push(match (p.required, nullable) {
            (false, true) => quote!(if let Some(Some(value)) = &self.#id { #s }),
            _ => quote!(if let Some(value) = &self.#id { #s }),
        });
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
                    req.body = rt::multipart_body(#value, parts).map_err(Error::InvalidRequest)?;
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
            let prelude = if multipart {
                let files = b.files.iter().map(|f| {
                    let id = ident(&f.ident);
                    let wire = &f.wire;
                    let part = match &f.content_type {
                        Some(ct) => quote!(upload.clone().with_content_type(#ct).into_part(#wire)),
                        None => quote!(upload.clone().into_part(#wire)),
                    };
                    if f.required {
                        quote!({ let upload = &self.#id; parts.push(#part); })
                    } else {
                        quote!(for upload in self.#id.iter() { parts.push(#part); })
                    }
                });
                quote! {
                    #[allow(unused_mut)]
                    let mut parts = self.parts.clone();
                    #(#files)*
                }
            } else {
                quote!()
            };
            match (wrap, multipart) {
                (true, true) => quote! {
                    #prelude
                    if let Some(value) = &self.body { #set } else if !parts.is_empty() {
                        req.body = runtime::Body::Multipart(parts);
                    }
                },
                (true, false) => quote!(if let Some(value) = &self.body { #set }),
                (false, _) => quote!(#prelude #set),
            }
        }
    };
    let op_id = &op.operation_id;
    let idempotent = op.idempotent;
    let template = &op.path;
    let path_cap = Literal::usize_unsuffixed(op.path.len() + 16);
    let body = quote! {
        self.validate().map_err(Error::Validation)?;
        let mut path = String::with_capacity(#path_cap);
        #(#path_code)*
        let mut req = Request::new(rt::Method::#http_method, path, #op_id);
        req.idempotent = #idempotent;
        req.path_template = Some(#template);
        #cookie_decl
        #(#param_code)*
        #cookie_flush
        rt::push_extra_headers(&mut req, &self.headers)?;
        #body_code
        Ok(req)
    };
    let text = method_text(
        &[REQUEST_DOC],
        "pub fn request(&self) -> Result<Request, Error> {",
        &body,
    );
    text.unwrap_or_else(|| {
        let doc = REQUEST_DOC.trim_start_matches("///");
        quote! {
            #[doc = #doc]
            pub fn request(&self) -> Result<Request, Error> {
                #body
            }
        }
    })
}

/// The doc comment of a request's `request()`, as printed.
const REQUEST_DOC: &str =
    "/// Builds the request as it will be sent (before authentication), after validating it.";
