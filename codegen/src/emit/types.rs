//! Models: a struct per object, an enum per string enum (unknown values kept), an untagged
//! enum per union, an alias per named primitive, each with its `Validate` implementation.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{quote, ToTokens};

use super::validate::{checks, delegates, steps_lines, struct_validation, Step};
use super::{
    doc, doc_prints_as_written, doc_text, fits, ident, lines, own_layout_item, print,
    signature_lines, struct_expr_lines, text_item_at, ty, type_text,
};
use crate::ir::*;

/// Emits the `types` module of one API.
pub fn emit_types(api: &Api) -> TokenStream {
    let ctx = TypesContext::new(api);
    let head = types_head();
    let items = type_items(api, &ctx, 0..api.types.len());
    quote!(#head #items)
}

/// What the emission of each type needs to know of the whole API, computed once.
pub struct TypesContext {
    defaults: std::collections::BTreeSet<String>,
    strict: std::collections::BTreeSet<String>,
    shared: std::collections::HashMap<String, String>,
    /// The first sentence of each documented type's description: the doc of a property that
    /// has none of its own and is of that type.
    docs: std::collections::HashMap<String, String>,
}

impl TypesContext {
    /// The context of `api`'s types.
    pub fn new(api: &Api) -> Self {
        TypesContext {
            defaults: defaultable_types(api),
            strict: request_only_types(api),
            shared: shared_enums(api),
            docs: (api.types.iter())
                .filter_map(|t| {
                    let d = t.doc.as_deref()?.trim();
                    let first = first_sentence(d.split("\n\n").next()?.trim());
                    (!first.is_empty()).then(|| (t.name.clone(), first.to_string()))
                })
                .collect(),
        }
    }
}

/// The text up to its first full stop followed by a space and a capital letter (the end of
/// the first sentence), or all of it.
fn first_sentence(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find(". ") {
        let end = from + at + 1;
        if text[end + 1..].starts_with(|c: char| c.is_uppercase()) {
            return &text[..end];
        }
        from = end;
    }
    text
}

/// String enums written inline in the spec with the same values, variants and constraints as
/// an enum before them: each is emitted as an alias of that first one (`pub type Name =
/// First;`), keeping its name, instead of as a copy (stripe repeats `enum: [""]` hundreds of
/// times). Maps the alias's name to the first's. Enums of `components/schemas` keep a type of
/// their own, as the spec names them.
fn shared_enums(api: &Api) -> std::collections::HashMap<String, String> {
    let mut first: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    let mut shared = std::collections::HashMap::new();
    for t in &api.types {
        let TypeKind::Enum(e) = &t.kind else {
            continue;
        };
        let key = format!("{:?}", (&e.variants, e.extensible, &e.constraints));
        match first.get(&key) {
            Some(canonical) if !is_component(&t.pointer) => {
                shared.insert(t.name.clone(), canonical.to_string());
            }
            Some(_) => {}
            None => {
                first.insert(key, &t.name);
            }
        }
    }
    shared
}

/// A schema of `components/schemas` itself, not one written inside it.
fn is_component(pointer: &str) -> bool {
    pointer
        .strip_prefix("/components/schemas/")
        .is_some_and(|name| !name.contains('/'))
}

/// The head of `types.rs`: its doc and imports.
pub fn types_head() -> TokenStream {
    super::fixed_item(TYPES_HEAD)
}

/// The doc and imports of `types.rs` as printed.
const TYPES_HEAD: &str = "\
//! Models of the API: request and response bodies and the types they use.
#[allow(unused_imports)]
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use crate::runtime::__private::union as unions;
#[allow(unused_imports)]
use crate::runtime::__private::validate as v;
#[allow(unused_imports)]
use crate::runtime::{Validate, Violation};
";

/// The items of the types `api.types[range]`.
pub fn type_items(api: &Api, ctx: &TypesContext, range: std::ops::Range<usize>) -> TokenStream {
    let items = api.types[range]
        .iter()
        .map(|t| match ctx.shared.get(&t.name) {
            Some(canonical) => shared_alias(t, canonical),
            None => emit_type(api, t, ctx, ctx.strict.contains(&t.name)),
        });
    quote!(#(#items)*)
}

/// The named types reached from `roots` through fields, items, values, alternatives and
/// aliases.
fn reachable<'a>(
    api: &Api,
    roots: impl IntoIterator<Item = &'a Ty>,
) -> std::collections::BTreeSet<String> {
    fn push_named(t: &Ty, stack: &mut Vec<String>) {
        match t {
            Ty::Named(n) => stack.push(n.clone()),
            Ty::Vec(i) | Ty::Map(i) | Ty::Option(i) => push_named(i, stack),
            _ => {}
        }
    }
    let mut stack = Vec::new();
    for t in roots {
        push_named(t, &mut stack);
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(def) = api.types.iter().find(|d| d.name == n) else {
            continue;
        };
        match &def.kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    push_named(&f.ty, &mut stack);
                }
                if let Some((t, _)) = &s.additional {
                    push_named(t, &mut stack);
                }
            }
            TypeKind::Union(vs) => {
                for v in vs {
                    push_named(&v.ty, &mut stack);
                }
            }
            TypeKind::Alias(t) => push_named(t, &mut stack),
            TypeKind::Enum(_) => {}
        }
    }
    seen
}

/// Types that only requests use (bodies and parameters), never a response.
fn request_only_types(api: &Api) -> std::collections::BTreeSet<String> {
    let requests = reachable(
        api,
        api.operations.iter().flat_map(|op| {
            op.body
                .iter()
                .map(|b| &b.ty)
                .chain(op.params.iter().map(|p| &p.ty))
        }),
    );
    let responses = reachable(
        api,
        api.operations
            .iter()
            .flat_map(|op| op.responses.iter())
            .filter_map(|r| match &r.body {
                ResponseBody::Json(t) => Some(t),
                _ => None,
            }),
    );
    requests.difference(&responses).cloned().collect()
}

/// Names of the types that implement `Default`: structs with no required field (every field
/// is an `Option`, or required but nullable, where `None` is a value the spec allows), and
/// aliases of those. A struct with a required field gets a constructor taking it instead, so
/// nothing required can be left out silently.
fn defaultable_types(api: &Api) -> std::collections::BTreeSet<String> {
    let mut set = std::collections::BTreeSet::new();
    loop {
        let before = set.len();
        for t in &api.types {
            let ok = match &t.kind {
                TypeKind::Struct(s) => s.fields.iter().all(|f| !takes_value(f)),
                TypeKind::Alias(Ty::Named(n)) => set.contains(n),
                TypeKind::Alias(Ty::Option(_) | Ty::Vec(_) | Ty::Map(_)) => true,
                _ => false,
            };
            if ok {
                set.insert(t.name.clone());
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

/// Whether a field must be given a value when the struct is made: required and not nullable,
/// or required in requests only (`writeOnly`: the field is an `Option`, as responses leave it
/// out, but a request without it is invalid, so the constructor takes it).
fn takes_value(f: &Field) -> bool {
    if f.required_in_requests {
        return !f.nullable && !f.boxed;
    }
    f.required && !f.nullable && !matches!(f.ty, Ty::Option(_))
}

/// `new(required fields...)` for a struct with required fields.
fn constructor(t: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&t.name);
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut names = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.ident);
        if takes_value(f) {
            params.push((fname.clone(), ty(&f.ty)));
            names.push(format!("`{}`", f.wire));
            inits.push(if f.required_in_requests {
                Init::Some(fname)
            } else if f.boxed {
                Init::Boxed(fname)
            } else {
                Init::Into(fname)
            });
        } else {
            inits.push(Init::Default(fname));
        }
    }
    if s.additional.is_some() {
        let taken = s.fields.iter().any(|f| f.ident == "additional_properties");
        inits.push(Init::Default(ident(if taken {
            "additional_properties_"
        } else {
            "additional_properties"
        })));
    }
    let optional = s.fields.iter().any(|f| !takes_value(f));
    let mut d = format!(
        " `{}` from its required properties ({}).",
        t.name,
        names.join(", ")
    );
    if optional {
        d.push_str(&format!(
            " The optional ones are unset: set them on the result, or write `{} {{ field: Some(..), ..{}::new(..) }}`.",
            t.name, t.name
        ));
    }
    constructor_text(&name, &d, &params, &inits)
        .unwrap_or_else(|| constructor_tokens(&name, &d, &params, &inits))
}

/// How a constructor sets a field.
enum Init {
    /// From the parameter of the same name: `field: field.into()`.
    Into(Ident),
    /// From the parameter, boxed: `field: Box::new(field.into())`.
    Boxed(Ident),
    /// From the parameter, in an `Option`: `field: Some(field.into())`.
    Some(Ident),
    /// Unset: `field: Default::default()`.
    Default(Ident),
}

impl Init {
    /// The field initializer as prettyplease prints it (without the comma after it).
    fn text(&self) -> String {
        match self {
            Init::Into(f) => format!("{f}: {f}.into()"),
            Init::Boxed(f) => format!("{f}: Box::new({f}.into())"),
            Init::Some(f) => format!("{f}: Some({f}.into())"),
            Init::Default(f) => format!("{f}: Default::default()"),
        }
    }

    fn tokens(&self) -> TokenStream {
        match self {
            Init::Into(f) => quote!(#f: #f.into(),),
            Init::Boxed(f) => quote!(#f: Box::new(#f.into()),),
            Init::Some(f) => quote!(#f: Some(#f.into()),),
            Init::Default(f) => quote!(#f: Default::default(),),
        }
    }
}

/// Clippy's limit of a function's parameters (`too_many_arguments`).
const MOST_ARGUMENTS: usize = 7;

/// The `impl name { pub fn new(..) }` of [`constructor`] as a text item, when every line fits
/// prettyplease's width and the doc line prints as written ([`doc_prints_as_written`]):
/// the signature on one line when it fits, else one parameter to a line, and the struct
/// expression on one line when it is short, else one field to a line, as prettyplease prints
/// them.
fn constructor_text(
    name: &Ident,
    d: &str,
    params: &[(Ident, TokenStream)],
    inits: &[Init],
) -> Option<TokenStream> {
    if !doc_prints_as_written(d) {
        return None;
    }
    let params: Vec<String> = params
        .iter()
        .map(|(p, t)| Some(format!("{p}: impl Into<{}>", type_text(t)?)))
        .collect::<Option<_>>()?;
    let mut lines = vec![format!("impl {name} {{"), format!("    ///{d}")];
    if params.len() > MOST_ARGUMENTS {
        lines.push("    #[allow(clippy::too_many_arguments)]".into());
    }
    lines.extend(signature_lines(4, "pub fn new", &params, "-> Self {"));
    let fields: Vec<String> = inits.iter().map(Init::text).collect();
    lines.extend(struct_expr_lines(8, &name.to_string(), &fields));
    lines.extend(["    }".into(), "}".into()]);
    // The doc line is not filled to the width.
    text_item_at(0, &lines)
}

/// [`constructor`] as tokens.
fn constructor_tokens(
    name: &Ident,
    d: &str,
    params: &[(Ident, TokenStream)],
    inits: &[Init],
) -> TokenStream {
    let lint = if params.len() > MOST_ARGUMENTS {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    let params = params.iter().map(|(p, t)| quote!(#p: impl Into<#t>));
    let inits = inits.iter().map(Init::tokens);
    quote! {
        impl #name {
            #[doc = #d]
            #lint
            pub fn new(#(#params),*) -> Self {
                #name { #(#inits)* }
            }
        }
    }
}

fn fallback_doc(t: &TypeDef) -> String {
    t.doc.clone().unwrap_or_else(|| {
        let pointer = crate::diag::bounded_pointer(&t.pointer);
        format!("`{}`, defined at `#{pointer}` in the spec.", t.name)
    })
}

/// An enum with the values of an earlier one, as an alias of it.
fn shared_alias(t: &TypeDef, canonical: &str) -> TokenStream {
    let docs = doc(Some(&format!(
        "{}\n\nThe same values as [`{canonical}`], so the same type.",
        fallback_doc(t)
    )));
    let name = ident(&t.name);
    let canonical = ident(canonical);
    quote! {
        #docs
        pub type #name = #canonical;
    }
}

fn emit_type(api: &Api, t: &TypeDef, ctx: &TypesContext, request_only: bool) -> TokenStream {
    let name = ident(&t.name);
    let docs = doc(Some(&fallback_doc(t)));
    match &t.kind {
        TypeKind::Struct(s) => emit_struct(api, t, s, ctx, request_only),
        TypeKind::Enum(e) => emit_enum(&t.name, Some(&fallback_doc(t)), e),
        TypeKind::Union(variants) => {
            let vs = variants.iter().map(|v| {
                let vn = ident(&v.name);
                let vt = ty(&v.ty);
                let vdoc = format!(" A value of the `{}` alternative.", v.name);
                if v.boxed {
                    quote!(#[doc = #vdoc] #vn(Box<#vt>))
                } else {
                    quote!(#[doc = #vdoc] #vn(#vt))
                }
            });
            let bodies: Vec<TokenStream> = variants
                .iter()
                .map(|v| checks(&v.ty, &v.constraints, quote!(value), quote!(path)))
                .collect();
            let validation = if bodies.iter().all(TokenStream::is_empty) {
                quote!()
            } else {
                let arms = variants.iter().zip(&bodies).map(|(v, body)| {
                    let vn = ident(&v.name);
                    if body.is_empty() {
                        quote!(Self::#vn(_) => {})
                    } else if delegates(&v.ty, &v.constraints) {
                        quote!(Self::#vn(value) => value.validate_at(path, out),)
                    } else {
                        quote!(Self::#vn(value) => { #body })
                    }
                });
                quote!(match self { #(#arms)* })
            };
            let steps = if validation.is_empty() {
                Vec::new()
            } else {
                vec![Step::Code(validation)]
            };
            let validate = validate_impl(&name, steps);
            let deserialize = union_deserialize(&t.name, variants);
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Serialize)]
                #[serde(untagged)]
                pub enum #name { #(#vs,)* }

                #deserialize

                #validate
            }
        }
        TypeKind::Alias(inner) => {
            let inner = ty(inner);
            quote! {
                #docs
                pub type #name = #inner;
            }
        }
    }
}

/// Deserialization of a union: the input read once (the runtime's `union::input`, which
/// spends its weight from the budget of the body being decoded), then the alternative its
/// discriminator names when it has one and the value names one, else each alternative in
/// order.
fn union_deserialize(name: &str, variants: &[UnionVariant]) -> TokenStream {
    union_deserialize_text(name, variants)
        .unwrap_or_else(|| union_deserialize_tokens(name, variants))
}

/// [`union_deserialize`] as a text item, as prettyplease prints its tokens; `None` when a
/// line is too wide (the tokens are printed then). The alternatives' types are inferred
/// from their variants, so no line holds a type.
fn union_deserialize_text(name: &str, variants: &[UnionVariant]) -> Option<TokenStream> {
    // A head too wide for one line is broken before `for`, as prettyplease breaks it; the
    // second line stands however wide, as nothing in it can break.
    let head = format!("impl<'de> Deserialize<'de> for {name} {{");
    let head = if fits(&head) {
        head
    } else {
        format!("impl<'de> Deserialize<'de>\nfor {name} {{")
    };
    let mut lines = vec![
        "    fn deserialize<D: serde::Deserializer<'de>>(".to_owned(),
        "        deserializer: D,".to_owned(),
        "    ) -> Result<Self, D::Error> {".to_owned(),
        "        let value = unions::input(deserializer)?;".to_owned(),
    ];
    if let Some(property) = variants.iter().find_map(|v| v.tag.as_ref().map(|(p, _)| p)) {
        lines.push(format!(
            "        match value.get({}).and_then(serde_json::Value::as_str) {{",
            Literal::string(property)
        ));
        for v in variants {
            let Some((_, values)) = &v.tag else { continue };
            if values.is_empty() {
                continue;
            }
            let values: Vec<String> = values
                .iter()
                .map(|x| Literal::string(x).to_string())
                .collect();
            let wrap = if v.boxed {
                format!("|v| Self::{}(Box::new(v))", v.name)
            } else {
                format!("Self::{}", v.name)
            };
            lines.push(format!("            Some({}) => {{", values.join(" | ")));
            lines.push(format!(
                "                return unions::tagged(&value).map({wrap});"
            ));
            lines.push("            }".to_owned());
        }
        lines.push("            _ => {}".to_owned());
        lines.push("        }".to_owned());
    }
    for v in variants {
        let build = if v.boxed {
            format!("Self::{}(Box::new(v))", v.name)
        } else {
            format!("Self::{}(v)", v.name)
        };
        lines.push("        if let Some(v) = unions::alternative(&value) {".to_owned());
        lines.push(format!("            return Ok({build});"));
        lines.push("        }".to_owned());
    }
    lines.push("        Err(unions::no_alternative::<Self, _>())".to_owned());
    lines.push("    }".to_owned());
    lines.push("}".to_owned());
    if !lines.iter().all(|l| super::prints_at(0, l)) {
        return None;
    }
    let mut text = head;
    text.push('\n');
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    own_layout_item(text)
}

/// [`union_deserialize`] as tokens.
fn union_deserialize_tokens(name: &str, variants: &[UnionVariant]) -> TokenStream {
    let name_id = ident(name);
    let wrap = |v: &UnionVariant| {
        let vn = ident(&v.name);
        if v.boxed {
            quote!(|v| Self::#vn(Box::new(v)))
        } else {
            quote!(Self::#vn)
        }
    };
    let property = variants
        .iter()
        .find_map(|v| v.tag.as_ref().map(|(p, _)| p.clone()));
    let by_tag = property.map(|property| {
        let arms = variants.iter().filter_map(|v| {
            let (_, values) = v.tag.as_ref()?;
            if values.is_empty() {
                return None;
            }
            let wrap = wrap(v);
            Some(quote! {
                Some(#(#values)|*) => return unions::tagged(&value).map(#wrap),
            })
        });
        quote! {
            match value.get(#property).and_then(serde_json::Value::as_str) {
                #(#arms)*
                _ => {}
            }
        }
    });
    let tries = variants.iter().map(|v| {
        let vn = ident(&v.name);
        let build = if v.boxed {
            quote!(Self::#vn(Box::new(v)))
        } else {
            quote!(Self::#vn(v))
        };
        quote! {
            if let Some(v) = unions::alternative(&value) {
                return Ok(#build);
            }
        }
    });
    quote! {
        impl<'de> Deserialize<'de> for #name_id {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = unions::input(deserializer)?;
                #by_tag
                #(#tries)*
                Err(unions::no_alternative::<Self, _>())
            }
        }
    }
}

fn emit_struct(
    api: &Api,
    t: &TypeDef,
    s: &StructDef,
    ctx: &TypesContext,
    request_only: bool,
) -> TokenStream {
    let defaultable = ctx.defaults.contains(&t.name);
    let name = ident(&t.name);
    let mut fields = Vec::new();
    // The properties as `serde_struct!` takes them: `field: "wire" req|opt|nullable`.
    let mut properties = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.ident);
        let mut fty = ty(&f.ty);
        if f.boxed {
            fty = quote!(Box<#fty>);
        }
        let wire = &f.wire;
        // Without a description of its own, a property of a documented type has the type's.
        let mut fdoc = (f.doc.clone())
            .or_else(|| match &f.ty {
                Ty::Named(n) => ctx.docs.get(n).cloned(),
                _ => None,
            })
            .unwrap_or_else(|| format!("The `{}` property.", f.wire));
        let rules = describe(&f.constraints);
        if !rules.is_empty() {
            if !fdoc.is_empty() {
                fdoc.push_str("\n\n");
            }
            fdoc.push_str(&format!("Constraints: {rules}."));
        }
        // How `serde_struct!` writes and reads it: `opt` left out when `None` and `None` when
        // absent; `nullable` always written, its default (`None`, JSON `null`) when absent;
        // `req` always written, an error when absent.
        let (field_ty, kind) = if !f.required {
            (quote!(Option<#fty>), "opt")
        } else if f.nullable && !matches!(f.ty, Ty::Json | Ty::Option(_)) {
            (quote!(Option<#fty>), "nullable")
        } else if matches!(f.ty, Ty::Json) {
            (fty, "nullable")
        } else {
            (fty, "req")
        };
        properties.push((fname.clone(), wire.as_str(), kind));
        fields.push((fdoc, fname, field_ty));
    }
    // A type only requests use is written by the program: a property it does not declare is a
    // mistake to refuse, not data to drop (with `additionalProperties`, the map keeps it).
    let mut unknown = if request_only {
        Unknown::Deny
    } else {
        Unknown::Ignore
    };
    if let Some((vty, _)) = &s.additional {
        let vty = ty(vty);
        let taken = s.fields.iter().any(|f| f.ident == "additional_properties");
        let fname = ident(if taken {
            "additional_properties_"
        } else {
            "additional_properties"
        });
        unknown = Unknown::Additional(fname.clone());
        fields.push((
            "Properties beyond the declared ones (`additionalProperties`).".into(),
            fname,
            quote!(std::collections::BTreeMap<String, #vty>),
        ));
    }
    let debug = !s.fields.iter().any(|f| f.secret);
    let definition = struct_text(&name, &fallback_doc(t), &fields, defaultable, debug)
        .unwrap_or_else(|| struct_tokens(&name, &fallback_doc(t), &fields, defaultable, debug));
    let redacted = if debug {
        quote!()
    } else {
        redacted_debug(&name, s, &fields)
    };
    let validate = validate_impl(&name, struct_validation(api, s));
    let new = if defaultable || !s.fields.iter().any(takes_value) {
        quote!()
    } else {
        constructor(t, s)
    };
    let serde = serde_struct(&name, &properties, &unknown);
    quote! {
        #definition

        #redacted

        #serde

        #new

        #validate
    }
}

/// What `serde_struct!` does with a property the struct does not declare.
enum Unknown {
    /// `ignore`: drops it.
    Ignore,
    /// `deny`: refuses it.
    Deny,
    /// `additional(field)`: keeps it in the map `field`.
    Additional(Ident),
}

impl Unknown {
    fn tokens(&self) -> TokenStream {
        match self {
            Unknown::Ignore => quote!(ignore),
            Unknown::Deny => quote!(deny),
            Unknown::Additional(field) => quote!(additional(#field)),
        }
    }
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unknown::Ignore => f.write_str("ignore"),
            Unknown::Deny => f.write_str("deny"),
            Unknown::Additional(field) => write!(f, "additional({field})"),
        }
    }
}

/// A model's `serde_struct!` invocation: its `properties` (field, wire name, `opt` / `req` /
/// `nullable`) and what it does with an `unknown` property. Written as text, one property to
/// a line, the layout `print` gives its tokens.
fn serde_struct(
    name: &Ident,
    properties: &[(Ident, &str, &str)],
    unknown: &Unknown,
) -> TokenStream {
    let mut text = format!("crate::runtime::__private::serde_struct!({name} {{");
    for (field, wire, kind) in properties {
        text.push_str(&format!("\n    {field}: {} {kind},", Literal::string(wire)));
    }
    if !properties.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("}} {unknown});\n"));
    own_layout_item(text).unwrap_or_else(|| {
        let properties = properties.iter().map(|(field, wire, kind)| {
            let kind = ident(kind);
            quote!(#field: #wire #kind)
        });
        let unknown = unknown.tokens();
        quote!(crate::runtime::__private::serde_struct!(#name { #(#properties),* } #unknown);)
    })
}

/// A struct's field: its doc text, name and type.
type FieldDef = (String, Ident, TokenStream);

/// The derives of a model struct (`Default` when every field has a default; no `Debug` for
/// one with a secret, which gets its own, see [`redacted_debug`]).
fn struct_derives(defaultable: bool, debug: bool) -> &'static str {
    match (defaultable, debug) {
        (true, true) => "#[derive(Debug, Clone, PartialEq, Default)]",
        (false, true) => "#[derive(Debug, Clone, PartialEq)]",
        (true, false) => "#[derive(Clone, PartialEq, Default)]",
        (false, false) => "#[derive(Clone, PartialEq)]",
    }
}

/// `impl Debug` for a model with `format: password` properties: every field as derived
/// `Debug` shows it, but a secret's value shows as `<redacted>` (`None` stays `None`).
fn redacted_debug(name: &Ident, s: &StructDef, fields: &[FieldDef]) -> TokenStream {
    // `fields` are `s.fields` in their order, then the map of additional properties.
    let shown = fields.iter().enumerate().map(|(i, (_, fname, _))| {
        let label = fname.to_string();
        let label = label.trim_start_matches("r#");
        let secret = s.fields.get(i).filter(|f| f.secret);
        match secret {
            Some(f) if f.is_option() => quote! {
                .field(#label, &self.#fname.as_ref().map(|_| crate::runtime::__private::Redacted))
            },
            Some(_) => quote!(.field(#label, &crate::runtime::__private::Redacted)),
            None => quote!(.field(#label, &self.#fname)),
        }
    });
    let type_name = name.to_string();
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#type_name)
                    #(#shown)*
                    .finish()
            }
        }
    }
}

/// A model struct's definition as a text item, when it has fields, every field's type is a
/// path and every line fits prettyplease's width.
fn struct_text(
    name: &Ident,
    docs: &str,
    fields: &[FieldDef],
    defaultable: bool,
    debug: bool,
) -> Option<TokenStream> {
    if fields.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = doc_text(Some(docs)).into_iter().collect();
    lines.push(struct_derives(defaultable, debug).into());
    lines.push(format!("pub struct {name} {{"));
    for (fdoc, fname, fty) in fields {
        let line = format!("    pub {fname}: {},", type_text(fty)?);
        lines.extend(doc_text(Some(fdoc)).map(|d| format!("    {d}")));
        if fits(&line) {
            lines.push(line);
        } else {
            lines.extend(wide_field_lines(fname, fty)?);
        }
    }
    lines.push("}".into());
    text_item_at(0, &lines)
}

/// The lines of a field too wide for one line, as prettyplease breaks it (its type's generic
/// arguments over lines): the field printed alone in a struct of its own, which lays it out
/// as in any struct.
fn wide_field_lines(fname: &Ident, fty: &TokenStream) -> Option<Vec<String>> {
    let printed = print(quote!(pub struct S { pub #fname: #fty, }), "a field").ok()?;
    let lines: Vec<&str> = printed.lines().collect();
    let inside = lines.get(1..lines.len().checked_sub(1)?)?;
    Some(inside.iter().map(|l| l.to_string()).collect())
}

/// [`struct_text`] as tokens.
fn struct_tokens(
    name: &Ident,
    docs: &str,
    fields: &[FieldDef],
    defaultable: bool,
    debug: bool,
) -> TokenStream {
    let docs = doc(Some(docs));
    let derive_default = if defaultable {
        quote!(Default,)
    } else {
        quote!()
    };
    let derive_debug = if debug { quote!(Debug,) } else { quote!() };
    let fields = fields.iter().map(|(fdoc, fname, fty)| {
        let fdoc = doc(Some(fdoc));
        quote! {
            #fdoc
            pub #fname: #fty,
        }
    });
    quote! {
        #docs
        #[derive(#derive_debug Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// `impl Validate for name` whose `validate_at` runs `steps` (code that uses `path` and
/// `out`); with nothing to check, the method is empty and its arguments unused. Written as
/// text when every step's lines are known ([`Step::lines`]) and fit (see [`validate_text`]).
fn validate_impl(name: &Ident, steps: Vec<Step>) -> TokenStream {
    if let Some(text) =
        steps_lines(BODY_INDENT, &steps).and_then(|lines| validate_text(name, &lines))
    {
        return text;
    }
    let body: TokenStream = steps.iter().map(Step::tokens).collect();
    validate_impl_tokens(name, body)
}

/// The indentation of a `validate_at`'s statements.
const BODY_INDENT: usize = 8;

/// `impl Validate for name` as a text item, its `validate_at` running `lines` (statements as
/// prettyplease prints them at [`BODY_INDENT`]); `None` when a line is wider than
/// prettyplease prints (then the tokens are printed instead).
fn validate_text(name: &Ident, lines: &[String]) -> Option<TokenStream> {
    let mut text = vec![format!("impl Validate for {name} {{")];
    if lines.is_empty() {
        text.push(
            "    fn validate_at(&self, _path: &v::Path<'_>, _out: &mut Vec<Violation>) {}".into(),
        );
    } else {
        text.push(
            "    fn validate_at(&self, path: &v::Path<'_>, out: &mut Vec<Violation>) {".into(),
        );
        text.extend(lines.iter().cloned());
        text.push("    }".into());
    }
    text.push("}".into());
    text_item_at(0, &text)
}

/// [`validate_impl`] as tokens.
fn validate_impl_tokens(name: &impl ToTokens, body: TokenStream) -> TokenStream {
    if body.is_empty() {
        quote! {
            impl Validate for #name {
                fn validate_at(&self, _path: &v::Path<'_>, _out: &mut Vec<Violation>) {}
            }
        }
    } else {
        quote! {
            impl Validate for #name {
                fn validate_at(&self, path: &v::Path<'_>, out: &mut Vec<Violation>) {
                    #body
                }
            }
        }
    }
}

fn emit_enum(name: &str, docs_text: Option<&str>, e: &EnumDef) -> TokenStream {
    let name_id = ident(name);
    let variants = e.variants.iter().map(|(v, wire)| {
        let vi = ident(v);
        let d = variant_doc(wire);
        quote!(#[doc = #d] #vi,)
    });
    let to_str = e.variants.iter().map(|(v, wire)| {
        let vi = ident(v);
        quote!(Self::#vi => #wire,)
    });
    let from_str = e.variants.iter().map(|(v, wire)| {
        let vi = ident(v);
        quote!(#wire => Self::#vi,)
    });
    let known: Vec<&str> = e.variants.iter().map(|(_, w)| w.as_str()).collect();
    let string_checks = checks(
        &Ty::String,
        &e.constraints,
        quote!(self.as_str()),
        quote!(path),
    );
    let unknown = quote! {
        if let Self::Unknown(value) = self {
            v::check_enum(path, value, Self::KNOWN, out);
        }
    };
    let body = if !e.extensible {
        quote!(#unknown #string_checks)
    } else if string_checks.is_empty() {
        quote! { let _ = (path, out); }
    } else {
        string_checks
    };
    let validate = validate_impl(&name_id, vec![Step::Code(body)]);
    let unknown_doc = if e.extensible {
        " A value not listed in the spec; the list is open (`x-extensible-enum`), so it may be sent."
    } else {
        " A value not listed in the spec, as received from a server. Sending it fails validation."
    };
    let to_str = quote! {
        #(#to_str)*
        Self::Unknown(value) => value.as_str(),
    };
    let from_str = quote! {
        #(#from_str)*
        other => Self::Unknown(other.to_string()),
    };
    let definition =
        string_enum_text(name, doc_text(docs_text), e, unknown_doc).unwrap_or_else(|| {
            let docs = doc(docs_text);
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
                pub enum #name_id {
                    #(#variants)*
                    #[doc = #unknown_doc]
                    Unknown(String),
                }
            }
        });
    let methods = string_enum_methods_text(name, &known, &to_str).unwrap_or_else(|| {
        quote! {
            impl #name_id {
                /// Every value the spec lists.
                pub const KNOWN: &'static [&'static str] = &[#(#known),*];

                /// The value on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #to_str
                    }
                }
            }
        }
    });
    let from = string_enum_from_text(name, &from_str).unwrap_or_else(|| {
        quote! {
            impl From<&str> for #name_id {
                fn from(value: &str) -> Self {
                    match value {
                        #from_str
                    }
                }
            }
        }
    });
    let impls = text_item_at(
        0,
        &[format!(
            "crate::runtime::__private::string_enum_impls!({name_id});"
        )],
    )
    .unwrap_or_else(|| quote!(crate::runtime::__private::string_enum_impls!(#name_id);));
    quote! {
        #definition

        #methods

        #from

        #impls

        #validate
    }
}

/// A string enum variant's doc text: its wire value in backticks (a backtick in it becomes
/// `'`).
fn variant_doc(wire: &str) -> String {
    format!(" `{}`", wire.replace('`', "'"))
}

/// A string enum's definition as a text item: every variant's doc line prints as written
/// and every line fits; `None` otherwise.
fn string_enum_text(
    name: &str,
    docs: Option<String>,
    e: &EnumDef,
    unknown_doc: &str,
) -> Option<TokenStream> {
    let mut lines: Vec<String> = docs.into_iter().collect();
    lines.push("#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]".into());
    lines.push(format!("pub enum {} {{", ident(name)));
    for (v, wire) in &e.variants {
        let d = variant_doc(wire);
        if !doc_prints_as_written(&d) {
            return None;
        }
        lines.push(format!("    ///{d}"));
        lines.push(format!("    {},", ident(v)));
    }
    lines.push(format!("    ///{unknown_doc}"));
    lines.push("    Unknown(String),".into());
    lines.push("}".into());
    text_item_at(0, &lines)
}

/// The `KNOWN` list and `as_str` of a string enum as a text item (`to_str`: the arms of
/// `as_str`'s match), as prettyplease prints them: the list on one line when it fits, else
/// one value to a line.
fn string_enum_methods_text(
    name: &str,
    known: &[&str],
    to_str: &TokenStream,
) -> Option<TokenStream> {
    let head = "    pub const KNOWN: &'static [&'static str] = &[";
    let values: Vec<String> = known
        .iter()
        .map(|w| Literal::string(w).to_string())
        .collect();
    let mut out = vec![
        format!("impl {} {{", ident(name)),
        "    /// Every value the spec lists.".into(),
    ];
    let one_line = format!("{head}{}];", values.join(", "));
    if fits(&one_line) || values.is_empty() {
        out.push(one_line);
    } else {
        out.push(head.into());
        out.extend(lines::list(8, &quote!(#(#known),*))?);
        out.push("    ];".into());
    }
    out.push("    /// The value on the wire.".into());
    out.push("    pub fn as_str(&self) -> &str {".into());
    out.push("        match self {".into());
    out.extend(lines::arms(12, to_str)?);
    out.extend(["        }".into(), "    }".into(), "}".into()]);
    text_item_at(0, &out)
}

/// A string enum's `impl From<&str>` as a text item (`from_str`: the arms of its match).
fn string_enum_from_text(name: &str, from_str: &TokenStream) -> Option<TokenStream> {
    let mut lines = vec![
        format!("impl From<&str> for {} {{", ident(name)),
        "    fn from(value: &str) -> Self {".into(),
        "        match value {".into(),
    ];
    lines.extend(lines::arms(12, from_str)?);
    lines.extend(["        }".into(), "    }".into(), "}".into()]);
    text_item_at(0, &lines)
}

/// A short English rendering of constraints for doc comments.
pub fn describe(c: &Constraints) -> String {
    let mut parts = Vec::new();
    match (c.min_length, c.max_length) {
        (Some(a), Some(b)) => parts.push(format!("length {a}..={b} characters")),
        (Some(a), None) => parts.push(format!("at least {a} characters")),
        (None, Some(b)) => parts.push(format!("at most {b} characters")),
        _ => {}
    }
    match (c.min_bytes, c.max_bytes) {
        (Some(a), Some(b)) => parts.push(format!("{a}..={b} UTF-8 bytes")),
        (Some(a), None) => parts.push(format!("at least {a} UTF-8 bytes")),
        (None, Some(b)) => parts.push(format!("at most {b} UTF-8 bytes")),
        _ => {}
    }
    if let Some(p) = &c.pattern {
        parts.push(format!("matches `{}`", p.replace('`', "'")));
    }
    if let Some(b) = c.minimum {
        parts.push(format!(
            "{} {}",
            if b.exclusive { ">" } else { ">=" },
            b.value
        ));
    }
    if let Some(b) = c.maximum {
        parts.push(format!(
            "{} {}",
            if b.exclusive { "<" } else { "<=" },
            b.value
        ));
    }
    if let Some(m) = c.multiple_of {
        parts.push(format!("a multiple of {m}"));
    }
    match (c.min_items, c.max_items) {
        (Some(a), Some(b)) => parts.push(format!("{a}..={b} items")),
        (Some(a), None) => parts.push(format!("at least {a} items")),
        (None, Some(b)) => parts.push(format!("at most {b} items")),
        _ => {}
    }
    if c.unique_items {
        parts.push("unique items".into());
    }
    if let Some(vals) = &c.one_of_values {
        parts.push(format!(
            "one of {}",
            vals.iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(items) = &c.items {
        let inner = describe(items);
        if !inner.is_empty() {
            parts.push(format!("each item: {inner}"));
        }
    }
    if let Some(values) = &c.values {
        let inner = describe(values);
        if !inner.is_empty() {
            parts.push(format!("each value: {inner}"));
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_sentence_ends_at_a_full_stop_before_a_capital() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(
            first_sentence("Use e.g. this. Then that."),
            "Use e.g. this."
        );
        assert_eq!(first_sentence("No stop"), "No stop");
        assert_eq!(first_sentence("Ends. "), "Ends. ");
        assert_eq!(first_sentence("Über. Ärger"), "Über.");
    }
    use crate::emit::validate::At;
    use crate::emit::{print, reset_doc_blocks};

    fn printed(tokens: impl FnOnce() -> TokenStream) -> String {
        reset_doc_blocks();
        print(tokens(), "a test").unwrap()
    }

    /// A string enum of every size, values of every length around the widths (the `KNOWN`
    /// list on one line or broken, arms on one line or in blocks), and wire values that need
    /// escaping: written as text, it prints as its tokens do.
    #[test]
    fn a_string_enum_written_as_text_prints_as_its_tokens_do() {
        let mut next = crate::emit::xorshift(0xe_5eed);
        let mut as_text = 0;
        for case in 0..400 {
            let count = 1 + next(12);
            let variants: Vec<(String, String)> = (0..count)
                .map(|i| {
                    // Short values make lists that fit on one line; long ones break it.
                    let len = 1 + if next(2) == 0 { next(8) } else { next(70) };
                    let mut wire: String = (0..len)
                        .map(|k| char::from(b'a' + ((k + i) % 26) as u8))
                        .collect();
                    match next(8) {
                        0 => wire.push('"'),
                        1 => wire.push_str("\\n"),
                        2 => wire.push('`'),
                        3 => wire.push('\u{e9}'),
                        _ => {}
                    }
                    (format!("V{i}{}", "x".repeat(next(60))), wire)
                })
                .collect();
            let e = EnumDef {
                variants,
                extensible: next(2) == 0,
                constraints: Constraints::default(),
            };
            let name = format!("E{}", "n".repeat(next(50)));
            let text = printed(|| emit_enum(&name, Some("An enum."), &e));
            crate::emit::tests::TOKENS_ONLY.set(true);
            let tokens = printed(|| emit_enum(&name, Some("An enum."), &e));
            crate::emit::tests::TOKENS_ONLY.set(false);
            assert_eq!(text, tokens, "case {case}");
            reset_doc_blocks();
            let written = emit_enum(&name, Some("An enum."), &e).to_string();
            as_text += written.matches("__codegen_text").count();
        }
        // The definition, the methods and `From` (and `Validate`), mostly as text.
        assert!(as_text > 1000, "{as_text} text items");
    }

    #[test]
    fn a_validate_impl_written_as_text_prints_as_its_tokens_do() {
        let wires = [
            "id",
            "x\"y",
            "a\\b",
            "tab\there",
            "ünïcödé",
            "line\nbreak",
            "{}",
        ];
        let (mut as_text, mut broken) = (0, 0);
        for n in 0..80 {
            let name = ident(&format!("T{}", "b".repeat(n)));
            let fields: Vec<(Ident, String)> = (0..3)
                .map(|i| {
                    let field = ident(&"f_x".repeat(n / 3 + i + 1)[..n / 2 + i + 1]);
                    let field = if i == 2 { ident("type") } else { field };
                    (field, wires[(n + i) % wires.len()].to_string())
                })
                .collect();
            let steps = || {
                fields
                    .iter()
                    .map(|(field, wire)| Step::Delegate {
                        field: field.clone(),
                        at: At::Field(wire.clone()),
                    })
                    .collect::<Vec<_>>()
            };
            let tokens: TokenStream = steps().iter().map(Step::tokens).collect();
            let text = validate_impl(&name, steps());
            as_text += usize::from(text.to_string().contains("__codegen_text"));
            let printed_text = printed(|| validate_impl(&name, steps()));
            // A delegation too wide for a line, broken before `.validate_at`, still as text.
            broken += usize::from(
                text.to_string().contains("__codegen_text")
                    && printed_text.contains("\n            .validate_at("),
            );
            assert_eq!(
                printed_text,
                printed(|| validate_impl_tokens(&name, tokens)),
                "{name}"
            );
            // Nothing to check.
            assert_eq!(
                printed(|| validate_impl(&name, Vec::new())),
                printed(|| validate_impl_tokens(&name, TokenStream::new())),
                "{name}"
            );
            // An enum's check of unknown values.
            let e = EnumDef {
                variants: vec![("A".into(), "a".into())],
                extensible: false,
                constraints: Constraints::default(),
            };
            let whole = printed(|| emit_enum(&name.to_string(), None, &e));
            let unknown = quote! {
                if let Self::Unknown(value) = self {
                    v::check_enum(path, value, Self::KNOWN, out);
                }
            };
            let tokens = printed(|| validate_impl_tokens(&name, unknown));
            assert!(whole.ends_with(&tokens), "{whole}\n---\n{tokens}");
        }
        assert!(as_text > 20, "{as_text}");
        assert!(broken > 5, "{broken}");
    }

    #[test]
    fn a_constructor_written_as_text_prints_as_its_tokens_do() {
        let types = [
            "i64",
            "String",
            "Vec<Foo>",
            "std::collections::BTreeMap<String, Vec<LongItemName>>",
        ];
        let mut as_text = 0;
        let mut next = crate::emit::xorshift(0x9e37_79b9_7f4a_7c15);
        for case in 0..600 {
            let name = ident(&format!("N{}", "a".repeat(next(40))));
            let fields = 1 + next(10);
            let mut params = Vec::new();
            let mut inits = Vec::new();
            for i in 0..fields {
                let field = ident(&format!("f{i}{}", "x".repeat(next(12))));
                match next(4) {
                    0 => inits.push(Init::Default(field)),
                    k => {
                        let t: TokenStream = types[next(types.len() as u64)].parse().unwrap();
                        params.push((field.clone(), t));
                        inits.push(if k == 1 {
                            Init::Boxed(field)
                        } else {
                            Init::Into(field)
                        });
                    }
                }
            }
            if params.is_empty() {
                continue;
            }
            let d = format!(" `{name}` from its required properties (`a\\b`, `\"q\"`, `ü`).");
            if constructor_text(&name, &d, &params, &inits).is_some() {
                as_text += 1;
                assert_eq!(
                    printed(|| constructor_text(&name, &d, &params, &inits).unwrap()),
                    printed(|| constructor_tokens(&name, &d, &params, &inits)),
                    "case {case}"
                );
            }
        }
        assert!(as_text > 300, "{as_text}");
        // Every length around the widths: the struct expression's, the signature's.
        let same = |name: &Ident, params: &[(Ident, TokenStream)], inits: &[Init]| {
            let d = " Doc.";
            if constructor_text(name, d, params, inits).is_some() {
                assert_eq!(
                    printed(|| constructor_text(name, d, params, inits).unwrap()),
                    printed(|| constructor_tokens(name, d, params, inits)),
                    "{name} {}",
                    params.len()
                );
            }
        };
        for a in 0..24 {
            for b in 0..14 {
                let name = ident(&format!("N{}", "a".repeat(a)));
                let f = ident(&format!("f{}", "x".repeat(b)));
                let params = [(f.clone(), quote!(i64))];
                same(&name, &params, &[Init::Into(f.clone())]);
                same(
                    &name,
                    &params,
                    &[Init::Boxed(f.clone()), Init::Default(ident("z"))],
                );
                let g = ident(&format!("g{}", "y".repeat(a)));
                let h = ident(&format!("h{}", "w".repeat(b)));
                let params = [
                    (f.clone(), quote!(i64)),
                    (g.clone(), quote!(Vec<Foo>)),
                    (h.clone(), quote!(String)),
                ];
                let inits = [Init::Into(f), Init::Into(g), Init::Into(h)];
                same(&name, &params, &inits);
            }
        }
        // A doc line with a control character is left to the tokens.
        let params = [(ident("a"), quote!(i64))];
        let inits = [Init::Into(ident("a"))];
        assert!(constructor_text(&ident("A"), " `a\tb`", &params, &inits).is_none());
    }

    #[test]
    fn a_struct_written_as_text_prints_as_its_tokens_do() {
        let types = [
            "String",
            "Option<i64>",
            "Option<Box<Node>>",
            "Vec<std::collections::BTreeMap<String, serde_json::Value>>",
            "Option<ATypeWhoseNameIsLongEnoughThatItsFieldLineIsBrokenOverThreeLines>",
        ];
        let docs = [
            "",
            "A field.",
            "Two\n\nparagraphs with `code`.",
            "tab\there",
            "    indented code",
        ];
        let (mut as_text, mut broken) = (0, 0);
        for a in 0..30 {
            for b in 0..12 {
                let name = ident(&format!("N{}", "a".repeat(a * 3)));
                let fields: Vec<FieldDef> = (0..3)
                    .map(|i| {
                        (
                            docs[(a + b + i) % docs.len()].to_string(),
                            ident(&format!("f{i}{}", "x".repeat(b * 3 + i))),
                            types[(a + i) % types.len()].parse().unwrap(),
                        )
                    })
                    .collect();
                for defaultable in [false, true] {
                    let text = struct_text(&name, docs[a % docs.len()], &fields, defaultable, true);
                    if text.is_none() {
                        continue;
                    }
                    as_text += 1;
                    let printed_text = printed(|| {
                        struct_text(&name, docs[a % docs.len()], &fields, defaultable, true)
                            .unwrap()
                    });
                    // A field too wide for a line, its type broken over lines, still as text.
                    broken += usize::from(printed_text.contains("<\n        "));
                    assert_eq!(
                        printed_text,
                        printed(|| struct_tokens(
                            &name,
                            docs[a % docs.len()],
                            &fields,
                            defaultable,
                            true
                        )),
                        "{name}"
                    );
                }
            }
        }
        assert!(as_text > 200, "{as_text}");
        assert!(broken > 50, "{broken}");
    }
}
