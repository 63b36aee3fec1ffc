//! Lowering, operations: parameters (path-item and operation level merged), the request body
//! (one media type chosen by preference), responses keyed by status, and the checks that need
//! the whole document (duplicate operationIds, method names colliding, path templates).

use std::collections::BTreeMap;

use openapiv3::{
    MediaType, Parameter, ParameterSchemaOrContent, PathItem, QueryStyle, ReferenceOr, RequestBody,
    Response, StatusCode,
};
use serde_json::Value;

use super::{wrap_nullable, Lowered, Lowerer};
use crate::diag;
use crate::ir::*;
use crate::naming::{self, Scope};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn op_of<'p>(item: &'p PathItem, method: &str) -> Option<&'p openapiv3::Operation> {
    match method {
        "get" => item.get.as_ref(),
        "put" => item.put.as_ref(),
        "post" => item.post.as_ref(),
        "delete" => item.delete.as_ref(),
        "options" => item.options.as_ref(),
        "head" => item.head.as_ref(),
        "patch" => item.patch.as_ref(),
        "trace" => item.trace.as_ref(),
        _ => None,
    }
}

fn join_doc(summary: Option<&str>, description: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [summary, description]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        None
    } else if parts.len() == 2 && parts[0] == parts[1] {
        Some(parts[0].to_string())
    } else {
        Some(parts.join("\n\n"))
    }
}

/// Derives a name for an operation without `operationId`: method and path words
/// (`get /users/{id}/keys` -> `get_users_id_keys`).
fn derived_name(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(|c| c == '{' || c == '}').to_string())
        .collect();
    let mut name = method.to_string();
    for w in words {
        name.push('_');
        name.push_str(&w);
    }
    name
}

/// True for an operationId that reads as a name: ASCII letters, digits and the separators
/// `_ - . /`, not starting with a digit (`listUsers`, `users.list`, `repos/get-content`).
fn is_identifier_like(id: &str) -> bool {
    !id.starts_with(|c: char| c.is_ascii_digit())
        && id.chars().any(|c| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

/// Why a path template cannot be sent as written, if it cannot: a template's parameters are
/// `{name}` with neither brace in the name, and it holds no query, fragment, `.` or `..`
/// segment (percent-encoded or not), which would change the URL the request goes to. (A key
/// of `paths` that does not start with `/` never reaches lowering: openapiv3 reads only
/// those that do.)
fn check_template(path: &str) -> Result<(), String> {
    if let Some(c) = path.chars().find(|c| matches!(c, '?' | '#' | '\\')) {
        return Err(format!("holds `{c}`, which is not part of a path"));
    }
    let mut open = false;
    for c in path.chars() {
        match (c, open) {
            ('{', false) => open = true,
            ('}', true) => open = false,
            ('{', true) | ('}', false) => {
                return Err("has braces that do not pair as `{name}`".into())
            }
            _ => {}
        }
    }
    if open {
        return Err("has braces that do not pair as `{name}`".into());
    }
    if path.contains("{}") {
        return Err("has a parameter without a name (`{}`)".into());
    }
    for segment in path.split('/') {
        let decoded = crate::load::percent_decode(segment).unwrap_or_else(|| segment.to_string());
        if decoded == "." || decoded == ".." {
            return Err(format!("has a `{segment}` segment"));
        }
    }
    Ok(())
}

impl<'a> Lowerer<'a> {
    /// Lowers every operation of the document.
    pub fn lower_operations(&mut self) -> Vec<Operation> {
        let mut out = Vec::new();
        let mut method_scope = Scope::default();
        // The client's own methods, and the prelude's trait methods that take `self` by
        // value (`Client: Into<runtime::Client>`): method resolution finds those before an
        // inherent `&self` method of the same name, so `client.into()` would never reach it.
        for n in [
            "new",
            "builder",
            "from_runtime",
            "runtime",
            "with_base_url",
            "into",
            "try_into",
        ] {
            method_scope.reserve(n);
        }
        let mut op_ids: BTreeMap<String, String> = BTreeMap::new();
        let mut method_names: BTreeMap<String, String> = BTreeMap::new();
        let paths = &self.spec.doc.paths;
        for (path, item) in &paths.paths {
            let item_ptr = diag::push("/paths", path);
            // A fragment tells apart operations on one path (Box's `/oauth2/token#refresh`);
            // HTTP never sends it.
            let path = match path.split_once('#') {
                Some((sent, fragment)) => {
                    self.sink.warn(
                        &item_ptr,
                        format!("the fragment `#{fragment}` of the path is not sent over HTTP; the request goes to `{sent}`"),
                    );
                    sent
                }
                None => path.as_str(),
            };
            if let Err(why) = check_template(path) {
                self.sink.error(
                    &item_ptr,
                    format!("the path template `{path}` {why}; its operations are left out"),
                );
                continue;
            }
            let Some(item) = self.resolve_local(item, "path item", &item_ptr) else {
                continue;
            };
            for method in METHODS {
                let Some(op) = op_of(&item, method) else {
                    continue;
                };
                let pointer = diag::push(&item_ptr, method);
                let operation_id = match op.operation_id.as_deref() {
                    None => derived_name(method, path),
                    Some(id) if id.trim().is_empty() => {
                        let name = derived_name(method, path);
                        self.sink.warn(
                            &pointer,
                            format!("empty operationId; the operation is named `{name}` after its method and path"),
                        );
                        name
                    }
                    Some(id) => id.to_string(),
                };
                let snake = naming::field_ident(&operation_id);
                if op
                    .operation_id
                    .as_deref()
                    .is_some_and(|id| !id.trim().is_empty() && !is_identifier_like(id))
                {
                    self.sink.warn(
                        &pointer,
                        format!("operationId `{operation_id}` is not an identifier; its Rust method is `{snake}`"),
                    );
                }
                if let Some(first) = op_ids.get(&operation_id) {
                    self.sink.warn(
                        &pointer,
                        format!("duplicate operationId `{operation_id}` (first used at #{first}); operationIds should be unique: this one is numbered"),
                    );
                } else if let Some(first) = method_names.get(&snake) {
                    self.sink.warn(
                        &pointer,
                        format!("operationId `{operation_id}` becomes the method name `{snake}`, as does the operation at #{first}; this one is numbered"),
                    );
                }
                op_ids
                    .entry(operation_id.clone())
                    .or_insert_with(|| pointer.clone());
                method_names
                    .entry(snake.clone())
                    .or_insert_with(|| pointer.clone());
                let method_name = method_scope.unique(&snake);
                let builder_name = self.type_scope.unique(&naming::type_ident(&operation_id));
                let lowered = self.lower_operation(
                    path,
                    method,
                    &item,
                    op,
                    &pointer,
                    operation_id,
                    method_name,
                    builder_name,
                );
                out.push(lowered);
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_operation(
        &mut self,
        path: &str,
        method: &str,
        item: &PathItem,
        op: &openapiv3::Operation,
        pointer: &str,
        operation_id: String,
        method_name: String,
        builder_name: String,
    ) -> Operation {
        // Parameters: path-item level first, overridden by operation level (same name and in).
        let mut params: Vec<(&ReferenceOr<Parameter>, String)> = Vec::new();
        for (i, p) in item.parameters.iter().enumerate() {
            params.push((
                p,
                diag::push(
                    &diag::push(&diag::push("/paths", path), "parameters"),
                    &i.to_string(),
                ),
            ));
        }
        for (i, p) in op.parameters.iter().enumerate() {
            params.push((
                p,
                diag::push(&diag::push(pointer, "parameters"), &i.to_string()),
            ));
        }
        let mut resolved: Vec<(std::borrow::Cow<'_, Parameter>, String)> = Vec::new();
        for (p, here) in params {
            let Some(p) = self.resolve_local(p, "parameter", &here) else {
                continue;
            };
            let key = (
                p.parameter_data_ref().name.clone(),
                std::mem::discriminant(&p),
            );
            if let Some(slot) = resolved.iter_mut().find(|(q, _)| {
                (
                    q.parameter_data_ref().name.clone(),
                    std::mem::discriminant(q),
                ) == key
            }) {
                *slot = (p, here);
            } else {
                resolved.push((p, here));
            }
        }

        let mut scope = Scope::default();
        for n in naming::BUILDER_MEMBERS {
            scope.reserve(n);
        }
        let mut out_params = Vec::new();
        let template_names: Vec<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .map(str::to_string)
            .collect();
        for (p, here) in &resolved {
            if let Some(param) = self.lower_parameter(p, here, &builder_name, &mut scope) {
                if param.location == Location::Header
                    && ["content-type", "accept", "authorization"]
                        .contains(&param.wire.to_ascii_lowercase().as_str())
                {
                    // OpenAPI: these header parameters are ignored; the body, the response and
                    // the security scheme say them.
                    continue;
                }
                out_params.push(param);
            }
        }
        for t in &template_names {
            if !out_params
                .iter()
                .any(|p| p.location == Location::Path && &p.wire == t)
            {
                self.sink.warn(
                    pointer,
                    format!("the path template has `{{{t}}}` but the operation declares no path parameter `{t}`; it is taken as a required string"),
                );
                out_params.push(Param {
                    wire: t.clone(),
                    ident: scope.unique(&naming::field_ident(t)),
                    location: Location::Path,
                    required: true,
                    ty: Ty::String,
                    constraints: Constraints::default(),
                    style: Style::Simple,
                    doc: None,
                    default: None,
                    example: None,
                });
            }
        }
        for p in &out_params {
            if p.location == Location::Path && !template_names.contains(&p.wire) {
                self.sink.warn(
                    pointer,
                    format!(
                        "path parameter `{}` does not appear in the path template; it is ignored",
                        p.wire
                    ),
                );
            }
        }
        out_params.retain(|p| p.location != Location::Path || template_names.contains(&p.wire));
        // Path parameters in template order, then the others in spec order.
        out_params.sort_by_key(|p| match p.location {
            Location::Path => template_names
                .iter()
                .position(|t| t == &p.wire)
                .unwrap_or(0),
            _ => usize::MAX,
        });

        let body = op
            .request_body
            .as_ref()
            .and_then(|b| self.lower_body(b, &builder_name, &diag::push(pointer, "requestBody")));

        let mut responses = Vec::new();
        for (code, r) in &op.responses.responses {
            let status = match code {
                StatusCode::Code(c) => StatusSel::Code(*c),
                StatusCode::Range(r) => StatusSel::Range(*r),
            };
            let key = match code {
                StatusCode::Code(c) => c.to_string(),
                StatusCode::Range(r) => format!("{r}XX"),
            };
            if let Some(def) = self.lower_response(
                r,
                status,
                &builder_name,
                &diag::push(&diag::push(pointer, "responses"), &key),
            ) {
                responses.push(def);
            }
        }
        if let Some(r) = &op.responses.default {
            if let Some(def) = self.lower_response(
                r,
                StatusSel::Default,
                &builder_name,
                &diag::push(&diag::push(pointer, "responses"), "default"),
            ) {
                responses.push(def);
            }
        }

        let sdk_name = crate::extensions::sdk_name(&op.extensions, pointer, &mut self.sink);
        if let Some(ext) = crate::extensions::pagination(&op.extensions, pointer, &mut self.sink) {
            self.pending_pages.push((pointer.to_string(), ext));
        }
        let body = body.map(|mut b| {
            for f in &mut b.files {
                f.ident = scope.unique(&naming::field_ident(&f.wire));
            }
            b
        });
        let idempotent =
            match crate::extensions::idempotent(&op.extensions, pointer, &mut self.sink) {
                Some(b) => b,
                None => matches!(
                    method,
                    "get" | "put" | "delete" | "head" | "options" | "trace"
                ),
            };
        Operation {
            operation_id,
            method_name,
            builder_name,
            http_method: method.to_uppercase(),
            path: path.to_string(),
            doc: join_doc(op.summary.as_deref(), op.description.as_deref()),
            deprecated: op.deprecated,
            params: out_params,
            body,
            responses,
            idempotent,
            pointer: pointer.to_string(),
            success_enum: None,
            error_enum: None,
            tags: op.tags.clone(),
            sdk_name,
            pagination: None,
        }
    }

    /// Resolves a local `$ref` to a path item, parameter, request body or response (`what`
    /// names it in messages), following chains of references; anything else is reported at
    /// `here`. An item that is no `$ref` is borrowed, not cloned.
    fn resolve_local<'r, T: LocalComponent>(
        &mut self,
        item: &'r ReferenceOr<T>,
        what: &str,
        here: &str,
    ) -> Option<std::borrow::Cow<'r, T>> {
        let mut reference = match item {
            ReferenceOr::Item(t) => return Some(std::borrow::Cow::Borrowed(t)),
            ReferenceOr::Reference { reference } => reference.clone(),
        };
        // A chain of at most 7 references resolves; a longer one is taken as a cycle.
        for _ in 0..7 {
            // A component already read into the document; anything else from the raw tree.
            let next = component(&self.spec.doc, &reference).cloned().or_else(|| {
                reference
                    .strip_prefix('#')
                    .and_then(|ptr| self.spec.raw.pointer(ptr))
                    .and_then(|v| serde_json::from_value::<ReferenceOr<T>>(v.clone()).ok())
            });
            match next {
                Some(ReferenceOr::Item(t)) => return Some(std::borrow::Cow::Owned(t)),
                Some(ReferenceOr::Reference { reference: r }) => reference = r,
                None => {
                    self.sink.error(
                        here,
                        format!("dangling `$ref: {reference}`: no {what} is defined there"),
                    );
                    return None;
                }
            }
        }
        self.sink
            .error(here, format!("{what} `$ref`s form a cycle"));
        None
    }

    /// The header parameters of components/parameters, which a client can default once.
    pub fn lower_component_headers(&mut self) -> Vec<Param> {
        let Some(components) = self.spec.doc.components.as_ref() else {
            return Vec::new();
        };
        let mut scope = Scope::default();
        for n in [
            "endpoint",
            "timeout",
            "connect_timeout",
            "retry",
            "default_header",
            "user_agent",
            "auth",
            "on_request",
            "http_client",
            "http_client_builder",
            "max_body_bytes",
            "build",
        ] {
            scope.reserve(n);
        }
        let mut out = Vec::new();
        for (name, p) in &components.parameters {
            let ReferenceOr::Item(p @ Parameter::Header { .. }) = p else {
                continue;
            };
            let wire = p.parameter_data_ref().name.to_ascii_lowercase();
            if ["content-type", "accept", "authorization"].contains(&wire.as_str()) {
                continue;
            }
            let here = diag::push("/components/parameters", name);
            if let Some(param) =
                self.lower_parameter(p, &here, &naming::type_ident(name), &mut scope)
            {
                out.push(param);
            }
        }
        out
    }

    fn lower_parameter(
        &mut self,
        p: &Parameter,
        here: &str,
        op_name: &str,
        scope: &mut Scope,
    ) -> Option<Param> {
        let data = p.parameter_data_ref();
        if matches!(p, Parameter::Header { .. }) && !naming::is_token(&data.name) {
            self.sink.error(
                here,
                format!("header parameter name `{}` is not an HTTP header name (RFC 7230 token: letters, digits and !#$%&'*+-.^_`|~)", data.name.escape_default()),
            );
        }
        let hint = format!("{op_name}{}", naming::camel(&data.name));
        let lowered: Lowered = match &data.format {
            ParameterSchemaOrContent::Schema(s) => {
                self.lower_ref_or(s, &hint, &diag::push(here, "schema"))
            }
            ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                Some((mt, media)) => match &media.schema {
                    Some(s) => self.lower_ref_or(
                        s,
                        &hint,
                        &diag::push(&diag::push(&diag::push(here, "content"), mt), "schema"),
                    ),
                    None => Lowered {
                        ty: Ty::String,
                        constraints: Constraints::default(),
                        nullable: false,
                    },
                },
                None => {
                    self.sink
                        .error(here, "a parameter needs a `schema` or a `content` entry");
                    return None;
                }
            },
        };
        let (location, style) = match p {
            Parameter::Query { style, .. } => (
                Location::Query,
                match style {
                    QueryStyle::Form => {
                        if data.explode.unwrap_or(true) {
                            Style::FormExplode
                        } else {
                            Style::Form
                        }
                    }
                    QueryStyle::SpaceDelimited => Style::Space,
                    QueryStyle::PipeDelimited => Style::Pipe,
                    QueryStyle::DeepObject => Style::DeepObject,
                },
            ),
            Parameter::Header { .. } => (Location::Header, Style::Simple),
            Parameter::Path { .. } => (Location::Path, Style::Simple),
            Parameter::Cookie { .. } => (Location::Cookie, Style::Form),
        };
        let default = match &data.format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => s.schema_data.default.clone(),
            _ => None,
        };
        let example = data
            .example
            .clone()
            .or_else(|| {
                data.examples
                    .values()
                    .find_map(|e| e.as_item().and_then(|e| e.value.clone()))
            })
            .or_else(|| match &data.format {
                ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => {
                    s.schema_data.example.clone()
                }
                _ => None,
            });
        let base = naming::field_ident(&data.name);
        let ident = scope.unique(&base);
        if ident != base && naming::BUILDER_MEMBERS.contains(&base.as_str()) {
            self.sink.warn(
                here,
                format!(
                    "parameter `{}` would be named `{base}`, which the request builder defines itself; its Rust name is `{ident}`",
                    data.name
                ),
            );
        } else if ident != base {
            // `x` and `X` are both `x`: the second is `x2`, which reads as a parameter named
            // `x2` (and a real `x2` becomes `x2_2`). Said, so the setter is not misread.
            self.sink.warn(
                here,
                format!(
                    "parameter `{}` would be named `{base}`, as an earlier parameter of this operation is; its Rust name is `{ident}`",
                    data.name
                ),
            );
        }
        let mut constraints = lowered.constraints;
        if location == Location::Path && matches!(lowered.ty, Ty::String) {
            // An empty segment changes the route (`/cases/{id}` with "" is `/cases/`, which
            // may be another operation's path): a path parameter has at least one character.
            constraints.min_length = Some(constraints.min_length.unwrap_or(0).max(1));
        }
        Some(Param {
            example,
            wire: data.name.clone(),
            ident,
            location,
            required: data.required || location == Location::Path,
            ty: wrap_nullable(lowered.ty, lowered.nullable && data.required),
            constraints,
            style,
            doc: data.description.clone(),
            default,
        })
    }

    fn lower_body(
        &mut self,
        b: &ReferenceOr<RequestBody>,
        op_name: &str,
        here: &str,
    ) -> Option<BodyDef> {
        let body = self.resolve_local(b, "request body", here)?;
        let (mt, media, kind) = pick_media(&body.content)?;
        let content_ptr = diag::push(&diag::push(here, "content"), &mt);
        // A multipart body's binary properties are file parts, passed as uploads; the type
        // of the body holds the other fields.
        let split = match (&media.schema, kind) {
            (Some(s), BodyKind::Multipart) => self.split_file_parts(s, &media),
            _ => None,
        };
        let mut files = Vec::new();
        let lowered = match (&media.schema, kind, split) {
            (_, _, Some((fields, parts))) => {
                files = parts;
                self.lower_schema(
                    &fields,
                    &format!("{op_name}Form"),
                    &diag::push(&content_ptr, "schema"),
                )
            }
            (Some(s), BodyKind::Json | BodyKind::Form | BodyKind::Multipart, None) => self
                .lower_ref_or(
                    s,
                    &format!("{op_name}Body"),
                    &diag::push(&content_ptr, "schema"),
                ),
            (None, BodyKind::Json, _) => Lowered {
                ty: Ty::Json,
                constraints: Constraints::default(),
                nullable: false,
            },
            (None, BodyKind::Form | BodyKind::Multipart, _) => Lowered {
                ty: Ty::Map(Box::new(Ty::String)),
                constraints: Constraints::default(),
                nullable: false,
            },
            _ => Lowered {
                ty: Ty::String,
                constraints: Constraints::default(),
                nullable: false,
            },
        };
        let mut example = media_example(&media);
        if let Some(Value::Object(map)) = &mut example {
            for f in &files {
                map.shift_remove(&f.wire);
            }
        }
        Some(BodyDef {
            kind,
            content_type: mt,
            ty: wrap_nullable(lowered.ty, lowered.nullable),
            constraints: lowered.constraints,
            required: body.required,
            doc: body.description.clone(),
            example,
            files,
        })
    }

    /// The object schema of a multipart body without its binary properties (`type: string,
    /// format: binary`, or arrays of them), and those properties as file parts; `None` when
    /// it has none (or is not an object this can see into).
    fn split_file_parts(
        &mut self,
        s: &ReferenceOr<openapiv3::Schema>,
        media: &MediaType,
    ) -> Option<(openapiv3::Schema, Vec<FilePart>)> {
        let schema = match s {
            ReferenceOr::Item(s) => s.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix(super::SCHEMAS)?;
                match self.component(&diag::unescape_token(name))? {
                    ReferenceOr::Item(s) => s.clone(),
                    ReferenceOr::Reference { .. } => return None,
                }
            }
        };
        let mut fields = schema.clone();
        let (props, required) = match &mut fields.schema_kind {
            openapiv3::SchemaKind::Type(openapiv3::Type::Object(o)) => {
                (&mut o.properties, &mut o.required)
            }
            openapiv3::SchemaKind::Any(a) => (&mut a.properties, &mut a.required),
            _ => return None,
        };
        let mut parts = Vec::new();
        let names: Vec<String> = props.keys().cloned().collect();
        for name in names {
            let Some(ReferenceOr::Item(p)) = props.get(&name) else {
                continue;
            };
            let multiple = match &p.schema_kind {
                openapiv3::SchemaKind::Type(openapiv3::Type::Array(a)) => match &a.items {
                    Some(ReferenceOr::Item(i)) if is_binary(i) => true,
                    _ => continue,
                },
                _ if is_binary(p) => false,
                _ => continue,
            };
            let doc = p.schema_data.description.clone();
            props.shift_remove(&name);
            let was_required = required.contains(&name);
            required.retain(|r| r != &name);
            parts.push(FilePart {
                ident: naming::field_ident(&name),
                content_type: media
                    .encoding
                    .get(&name)
                    .and_then(|e| e.content_type.clone()),
                wire: name,
                required: was_required && !multiple,
                multiple,
                doc,
            });
        }
        (!parts.is_empty()).then_some((fields, parts))
    }

    fn lower_response(
        &mut self,
        r: &ReferenceOr<Response>,
        status: StatusSel,
        op_name: &str,
        here: &str,
    ) -> Option<ResponseDef> {
        let resp = self.resolve_local(r, "response", here)?;
        let business = crate::extensions::business_error(&resp.extensions, here, &mut self.sink);
        let body = match pick_media(&resp.content) {
            None => ResponseBody::Empty,
            Some((mt, media, kind)) => {
                let content_ptr = diag::push(&diag::push(here, "content"), &mt);
                match kind {
                    BodyKind::Json => match &media.schema {
                        Some(s) => {
                            let l = self.lower_ref_or(
                                s,
                                &format!(
                                    "{op_name}{}",
                                    status.variant().replace("Status", "Response")
                                ),
                                &diag::push(&content_ptr, "schema"),
                            );
                            ResponseBody::Json(wrap_nullable(l.ty, l.nullable))
                        }
                        None => ResponseBody::Json(Ty::Json),
                    },
                    BodyKind::Text | BodyKind::Form => ResponseBody::Text,
                    BodyKind::Bytes | BodyKind::Multipart => ResponseBody::Bytes,
                }
            }
        };
        if let (Some(rule), ResponseBody::Json(t)) = (&business, &body) {
            self.pending_business.push((
                diag::push(here, "x-business-error"),
                t.clone(),
                rule.clone(),
            ));
        }
        Some(ResponseDef {
            status,
            body,
            doc: Some(resp.description.clone()).filter(|d| !d.trim().is_empty()),
            business,
        })
    }
}

/// The example of a media type: `example`, or the first of `examples` with a value.
fn media_example(media: &MediaType) -> Option<Value> {
    media.example.clone().or_else(|| {
        media
            .examples
            .values()
            .find_map(|e| e.as_item().and_then(|e| e.value.clone()))
    })
}

/// Chooses one media type: JSON first, then form, multipart, text, bytes.
fn pick_media(
    content: &indexmap::IndexMap<String, MediaType>,
) -> Option<(String, MediaType, BodyKind)> {
    let classify = |mt: &str| -> (u8, BodyKind) {
        let base = mt
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if base == "application/json" || base.ends_with("+json") {
            (0, BodyKind::Json)
        } else if base.contains("json") {
            (1, BodyKind::Json)
        } else if base == "application/x-www-form-urlencoded" {
            (2, BodyKind::Form)
        } else if base == "multipart/form-data" || base.starts_with("multipart/") {
            (3, BodyKind::Multipart)
        } else if base.starts_with("text/") || base.ends_with("xml") {
            (4, BodyKind::Text)
        } else {
            (5, BodyKind::Bytes)
        }
    };
    content
        .iter()
        .map(|(mt, m)| {
            let (rank, kind) = classify(mt);
            (rank, mt.clone(), m.clone(), kind)
        })
        .min_by_key(|(rank, ..)| *rank)
        .map(|(_, mt, m, kind)| (mt, m, kind))
}

/// `type: string, format: binary`.
fn is_binary(s: &openapiv3::Schema) -> bool {
    match &s.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::String(t)) => matches!(
            t.format,
            openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
        ),
        openapiv3::SchemaKind::Any(a) => {
            a.typ.as_deref() == Some("string") && a.format.as_deref() == Some("binary")
        }
        _ => false,
    }
}

/// What a local `$ref` outside schemas can point at: parameters, request bodies and responses
/// are found among the document's components as they were read; a path item, or a `$ref`
/// anywhere else in the document, is read from the raw tree.
pub(super) trait LocalComponent: serde::de::DeserializeOwned + Clone {
    /// Where components of this kind are kept: their map and the `$ref` prefix of their names.
    fn kept(_components: &openapiv3::Components) -> Option<Kept<'_, Self>> {
        None
    }
}

/// A kind of component's map in `components`, and the `$ref` prefix of its names.
type Kept<'c, T> = (&'c indexmap::IndexMap<String, ReferenceOr<T>>, &'static str);

/// The component `reference` names, when it is `#/components/<kind>/<name>` of `T`'s kind.
fn component<'d, T: LocalComponent>(
    doc: &'d openapiv3::OpenAPI,
    reference: &str,
) -> Option<&'d ReferenceOr<T>> {
    let (map, prefix) = T::kept(doc.components.as_ref()?)?;
    let name = reference.strip_prefix(prefix)?;
    if name.contains('/') {
        return None;
    }
    map.get(&diag::unescape_token(name))
}

impl LocalComponent for Parameter {
    fn kept(c: &openapiv3::Components) -> Option<Kept<'_, Self>> {
        Some((&c.parameters, "#/components/parameters/"))
    }
}

impl LocalComponent for RequestBody {
    fn kept(c: &openapiv3::Components) -> Option<Kept<'_, Self>> {
        Some((&c.request_bodies, "#/components/requestBodies/"))
    }
}

impl LocalComponent for Response {
    fn kept(c: &openapiv3::Components) -> Option<Kept<'_, Self>> {
        Some((&c.responses, "#/components/responses/"))
    }
}

impl LocalComponent for PathItem {}
