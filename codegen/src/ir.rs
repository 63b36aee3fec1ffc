//! The intermediate representation between the spec and the emitted Rust: named types,
//! the type of each use site with its constraints, operations with their parameters, bodies
//! and responses. Lowering fills it (see `lower`), the emitters read it.

use serde_json::Value;

/// A whole API, ready to emit.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The servers, as constants.
    pub servers: Vec<ServerDef>,
    /// Security schemes, for documentation.
    pub security: Vec<SecurityDef>,
    /// Every named type, in a deterministic order (components in file order, then inline
    /// types in the order they were met).
    pub types: Vec<TypeDef>,
    /// Every operation, in file order (paths, then methods in a fixed order).
    pub operations: Vec<Operation>,
    /// Header parameters of components/parameters: defaults a client can set once.
    pub default_headers: Vec<Param>,
    /// `x-default-headers`: (name, value) pairs every request carries unless it sets the
    /// header itself; the client builder presets them.
    pub preset_headers: Vec<(String, String)>,
}

/// A server URL.
#[derive(Debug, Clone)]
pub struct ServerDef {
    /// Constant name (SHOUTY_SNAKE_CASE).
    pub const_name: String,
    /// The URL with every variable at its default.
    pub url: String,
    /// The URL template as written.
    pub template: String,
    /// `description`.
    pub description: Option<String>,
    /// Variables: (name, default, description).
    pub variables: Vec<(String, String, Option<String>)>,
}

/// How a security scheme authenticates, as far as generated examples need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityKind {
    /// An API key in a header; `signing` is its `x-signing-algorithm`, if any.
    ApiKeyHeader {
        /// The header.
        name: String,
        /// `x-signing-algorithm` (e.g. SDK-HMAC-SHA256): the header carries a signature.
        signing: Option<String>,
        /// `x-client-credentials.tokenUrl`: the key is a token obtained by an OAuth
        /// client-credentials exchange at this URL (absolute, or a path on the server's host).
        client_credentials: Option<String>,
    },
    /// HTTP bearer authentication.
    Bearer,
    /// Anything else (query or cookie API keys, basic, OAuth 2.0, OpenID Connect).
    Other,
}

/// A security scheme (documentation only: the runtime's `Auth` does the work).
#[derive(Debug, Clone)]
pub struct SecurityDef {
    /// Its key in components.securitySchemes.
    pub name: String,
    /// Its kind.
    pub kind: SecurityKind,
    /// A one-line rendering (`apiKey in header X-Auth-Token`).
    pub summary: String,
    /// `description`.
    pub description: Option<String>,
}

/// A named type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Rust name.
    pub name: String,
    /// Doc comment.
    pub doc: Option<String>,
    /// Where it was defined (JSON pointer).
    pub pointer: String,
    /// What it is.
    pub kind: TypeKind,
}

/// The kinds of named types.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object.
    Struct(StructDef),
    /// A string enum; always keeps unknown values.
    Enum(EnumDef),
    /// `oneOf`/`anyOf`: an untagged enum over the alternatives.
    Union(Vec<UnionVariant>),
    /// A named primitive or container (`pub type X = ...`), its constraints inlined at uses.
    Alias(Ty),
}

/// An object type.
#[derive(Debug, Clone, Default)]
pub struct StructDef {
    /// Declared properties, in order.
    pub fields: Vec<Field>,
    /// `additionalProperties` beside declared properties: the value type of the flattened map.
    pub additional: Option<(Ty, Constraints)>,
    /// Conditional requirements (`x-required-if`).
    pub required_if: Vec<RequiredIf>,
    /// minProperties / maxProperties.
    pub min_properties: Option<u64>,
    /// maxProperties.
    pub max_properties: Option<u64>,
}

/// `x-required-if`: when `property` equals `equals`, the `required` properties must be set.
#[derive(Debug, Clone)]
pub struct RequiredIf {
    /// The property tested (wire name).
    pub property: String,
    /// The value that triggers the requirement (rendered as a string).
    pub equals: String,
    /// Properties then required (wire names).
    pub required: Vec<String>,
}

/// One property of an object.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name.
    pub wire: String,
    /// Rust name (snake_case, may be a keyword: emit as raw identifier).
    pub ident: String,
    /// Its type (without the `Option` of optionality).
    pub ty: Ty,
    /// Listed in `required` and neither readOnly nor writeOnly.
    pub required: bool,
    /// `nullable: true`.
    pub nullable: bool,
    /// Constraints on the value.
    pub constraints: Constraints,
    /// Doc comment.
    pub doc: Option<String>,
    /// Boxed to break a cycle.
    pub boxed: bool,
    /// `format: password`: `Debug` shows `<redacted>`, never the value.
    pub secret: bool,
    /// Listed in `required` and `writeOnly`: optional in the type (responses leave it out),
    /// but `validate` reports it missing, as a request must send it.
    pub required_in_requests: bool,
}

impl Field {
    /// Whether the emitted field is an `Option`: not required, or required but nullable
    /// (where `None` is a value the spec allows).
    pub fn is_option(&self) -> bool {
        !self.required || (self.nullable && !matches!(self.ty, Ty::Json | Ty::Option(_)))
    }
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// (Rust variant, wire value).
    pub variants: Vec<(String, String)>,
    /// `x-extensible-enum`: values outside the list are valid to send.
    pub extensible: bool,
    /// String constraints (lengths, pattern), checked on the value whatever the variant.
    pub constraints: Constraints,
}

/// One alternative of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// Rust variant name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// Its constraints.
    pub constraints: Constraints,
    /// Boxed to break a cycle.
    pub boxed: bool,
    /// With a discriminator: its property and the values that select this alternative.
    pub tag: Option<(String, Vec<String>)>,
    /// JSON pointer of the alternative in the spec.
    pub pointer: String,
}

/// The type at a use site.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `serde_json::Value`: anything.
    Json,
    /// A named type.
    Named(String),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// `Option<T>` inside a container (nullable items or values).
    Option(Box<Ty>),
}

impl Ty {
    /// The integer range of an integer type, for deciding whether a bound binds.
    pub fn int_range(&self) -> Option<(i128, i128)> {
        Some(match self {
            Ty::I32 => (i32::MIN as i128, i32::MAX as i128),
            Ty::I64 => (i64::MIN as i128, i64::MAX as i128),
            Ty::U32 => (0, u32::MAX as i128),
            Ty::U64 => (0, u64::MAX as i128),
            _ => return None,
        })
    }
    /// True for `f32`/`f64`.
    pub fn is_float(&self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }
}

/// A numeric bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The bound.
    pub value: f64,
    /// `exclusiveMinimum`/`exclusiveMaximum`.
    pub exclusive: bool,
}

/// Every constraint on a value at a use site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// minLength (characters).
    pub min_length: Option<u64>,
    /// maxLength (characters).
    pub max_length: Option<u64>,
    /// `x-min-bytes` (UTF-8 bytes).
    pub min_bytes: Option<u64>,
    /// `x-max-bytes` (UTF-8 bytes).
    pub max_bytes: Option<u64>,
    /// pattern.
    pub pattern: Option<String>,
    /// minimum.
    pub minimum: Option<Bound>,
    /// maximum.
    pub maximum: Option<Bound>,
    /// multipleOf.
    pub multiple_of: Option<f64>,
    /// minItems.
    pub min_items: Option<u64>,
    /// maxItems.
    pub max_items: Option<u64>,
    /// uniqueItems.
    pub unique_items: bool,
    /// minProperties (maps).
    pub min_properties: Option<u64>,
    /// maxProperties (maps).
    pub max_properties: Option<u64>,
    /// `enum` on a non-string primitive: allowed values, rendered.
    pub one_of_values: Option<Vec<String>>,
    /// Constraints on each item of an array.
    pub items: Option<Box<Constraints>>,
    /// Constraints on each value of a map.
    pub values: Option<Box<Constraints>>,
}

impl Constraints {
    /// True when there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self == &Constraints::default()
    }
}

/// An operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// operationId as written, or the name derived from method and path.
    pub operation_id: String,
    /// Method name (snake_case).
    pub method_name: String,
    /// Builder type name (UpperCamelCase).
    pub builder_name: String,
    /// HTTP method, upper case.
    pub http_method: String,
    /// Path template.
    pub path: String,
    /// Doc comment (summary and description).
    pub doc: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Parameters: path ones in template order first, then the rest in spec order.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<BodyDef>,
    /// Responses, in spec order.
    pub responses: Vec<ResponseDef>,
    /// Retried on 429/5xx/connection errors (GET, PUT, DELETE, HEAD, OPTIONS; `x-idempotent`
    /// overrides).
    pub idempotent: bool,
    /// The operation's JSON pointer.
    pub pointer: String,
    /// The enum of its success bodies by status, when they are of several kinds (named by
    /// [`crate::naming::name_operation_enums`] before emission).
    pub success_enum: Option<String>,
    /// The enum of its error bodies by status, when they are of several types.
    pub error_enum: Option<String>,
    /// Its tags, in spec order.
    pub tags: Vec<String>,
    /// `x-sdk-name`: the official SDK's name of the operation (a rustdoc alias).
    pub sdk_name: Option<String>,
    /// `x-pagination`, resolved against the parameters and the success body.
    pub pagination: Option<Pagination>,
}

/// How a list operation pages (`x-pagination`), resolved to Rust fields.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// Page numbers (`true`) or item offsets.
    pub by_page: bool,
    /// The field carrying the offset or page number.
    pub position: PageField,
    /// Where paging starts when the request does not set the position: the parameter's
    /// `default`, else 0 (offsets) or 1 (page numbers).
    pub start: u64,
    /// The field carrying the page size.
    pub size: Option<PageField>,
    /// Fields from the success body to the items array.
    pub items: Vec<PathStep>,
    /// The type of one item.
    pub item_ty: Ty,
    /// Fields from the success body to the total count.
    pub total: Option<Vec<PathStep>>,
}

/// A paging field of a request: a parameter, or a property of the body.
#[derive(Debug, Clone)]
pub struct PageField {
    /// The parameter's or property's Rust name.
    pub ident: String,
    /// Its wire name, for messages.
    pub wire: String,
    /// In the body (`self.body.<ident>`) rather than a parameter (`self.<ident>`).
    pub in_body: bool,
    /// Held in an `Option`.
    pub optional: bool,
    /// Its integer type.
    pub ty: Ty,
}

/// One property on the way from a response body to a value inside it.
#[derive(Debug, Clone)]
pub struct PathStep {
    /// The Rust field name.
    pub ident: String,
    /// Held in an `Option`.
    pub optional: bool,
    /// Boxed.
    pub boxed: bool,
}

/// A file part of a multipart body (a `format: binary` property), passed as an upload.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The part's name (the property's wire name).
    pub wire: String,
    /// Its Rust name.
    pub ident: String,
    /// Required by the schema.
    pub required: bool,
    /// An array of files.
    pub multiple: bool,
    /// Doc comment.
    pub doc: Option<String>,
    /// `encoding.<name>.contentType`.
    pub content_type: Option<String>,
}

impl Operation {
    /// The distinct kinds of success body, in spec order.
    pub fn success_kinds(&self) -> Vec<&ResponseBody> {
        let mut kinds: Vec<&ResponseBody> = Vec::new();
        for r in self.responses.iter().filter(|r| r.status.is_success()) {
            if !kinds.contains(&&r.body) {
                kinds.push(&r.body);
            }
        }
        kinds
    }

    /// The distinct types of JSON error body, in spec order.
    pub fn error_types(&self) -> Vec<&Ty> {
        let mut types: Vec<&Ty> = Vec::new();
        for r in self.responses.iter().filter(|r| !r.status.is_success()) {
            if let ResponseBody::Json(t) = &r.body {
                if !types.contains(&t) {
                    types.push(t);
                }
            }
        }
        types
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

impl Location {
    /// The prefix of validation paths (`path`, `query`, `header`, `cookie`).
    pub fn prefix(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// How a query parameter is serialized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `form`, with explode.
    FormExplode,
    /// `form` without explode: arrays comma-joined.
    Form,
    /// `spaceDelimited`.
    Space,
    /// `pipeDelimited`.
    Pipe,
    /// `deepObject`.
    DeepObject,
    /// `simple` (path and header): arrays comma-joined.
    Simple,
}

/// A parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Wire name.
    pub wire: String,
    /// Rust name.
    pub ident: String,
    /// Where it goes.
    pub location: Location,
    /// `required` (always true for path parameters).
    pub required: bool,
    /// Its type.
    pub ty: Ty,
    /// Its constraints.
    pub constraints: Constraints,
    /// Serialization style.
    pub style: Style,
    /// Doc comment.
    pub doc: Option<String>,
    /// `default`, for documentation.
    pub default: Option<Value>,
    /// An example value (`example`, the first of `examples`, or the schema's `example`).
    pub example: Option<Value>,
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON.
    Json,
    /// application/x-www-form-urlencoded.
    Form,
    /// multipart/form-data.
    Multipart,
    /// Raw bytes (octet-stream and any other binary type).
    Bytes,
    /// text/*.
    Text,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct BodyDef {
    /// Encoding.
    pub kind: BodyKind,
    /// The media type sent.
    pub content_type: String,
    /// The value's type (`Json`/`Form`/`Multipart`), ignored for `Bytes`/`Text`.
    pub ty: Ty,
    /// Constraints on the value.
    pub constraints: Constraints,
    /// `required`.
    pub required: bool,
    /// Doc comment.
    pub doc: Option<String>,
    /// An example body (`example`, or the first of `examples`).
    pub example: Option<Value>,
    /// Multipart only: the file parts, taken out of the body's type.
    pub files: Vec<FilePart>,
}

/// Which statuses a response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSel {
    /// One status code.
    Code(u16),
    /// `2XX` and the like: the hundreds digit.
    Range(u16),
    /// `default`.
    Default,
}

impl StatusSel {
    /// True for 2xx.
    pub fn is_success(self) -> bool {
        match self {
            StatusSel::Code(c) => (200..300).contains(&c),
            StatusSel::Range(r) => r == 2,
            StatusSel::Default => false,
        }
    }
    /// A variant name (`Status200`, `Status4xx`, `Default`).
    pub fn variant(self) -> String {
        match self {
            StatusSel::Code(c) => format!("Status{c}"),
            StatusSel::Range(r) => format!("Status{r}xx"),
            StatusSel::Default => "Default".to_string(),
        }
    }
}

/// How a response body is read.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// No content.
    Empty,
    /// JSON decoded into the type.
    Json(Ty),
    /// Text.
    Text,
    /// Bytes, streamed to the caller.
    Bytes,
}

/// `x-business-error`: a 2xx whose body says it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessRule {
    /// The property holding the result code.
    pub code: String,
    /// The property holding the message.
    pub message: String,
    /// Values of `code` that mean success (absent always means success).
    pub success: Vec<String>,
}

/// A response.
#[derive(Debug, Clone)]
pub struct ResponseDef {
    /// Which statuses.
    pub status: StatusSel,
    /// Its body.
    pub body: ResponseBody,
    /// `description`.
    pub doc: Option<String>,
    /// `x-business-error`.
    pub business: Option<BusinessRule>,
}

/// One spec lowered, with the module it becomes.
#[derive(Debug, Clone)]
pub struct ModuleInput {
    /// Module name (snake_case, from the spec file's stem).
    pub module: String,
    /// The spec's file name, for headers.
    pub spec_name: String,
    /// The lowered API.
    pub api: Api,
}
