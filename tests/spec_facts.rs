//! The facts of the API documents (`shared/seeds/000..004`), written down here FROM THE
//! DOCUMENTS' TABLES, not from the spec, and checked against `spec/osm.yaml` and
//! `spec/aicc-case.yaml`.
//!
//! Every operation, parameter, body field and response field of the documents is a row of the
//! tables below. A row fixes the location, `required`, the type and every constraint keyword
//! the spec may carry for that element; a constraint keyword in the spec that no row names
//! ("undocumented constraint") is a failure too, so the spec can neither lose nor change nor
//! silently add a fact. Rows marked `Src::Sdk` come from the official SDK (shared/reference)
//! where the documents are silent, and `Src::Decision` rows record a resolution listed in
//! spec/README.md.
//!
//! All mismatches are reported at once, each with the JSON pointer into the spec.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

// ---------------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------------

/// Where a row comes from (documentation of the table; not checked).
#[derive(Clone, Copy, Debug)]
enum Src {
    /// The document's table.
    Doc,
    /// The official SDK (shared/reference), where the document says nothing.
    Sdk,
    /// A resolution recorded in spec/README.md.
    Decision,
}

struct Op {
    spec: &'static str,
    id: &'static str,
    method: &'static str,
    path: &'static str,
}

const OSM: &str = "osm.yaml";
const AICC: &str = "aicc-case.yaml";

#[rustfmt::skip]
const OPS: &[Op] = &[
    // 000 Modifying Contact Information
    Op { spec: OSM, id: "updateContactInfo", method: "put", path: "/v2/servicerequest/cases/{case_id}/contact-info" },
    // 002 Creating an Association
    Op { spec: OSM, id: "createRelations", method: "post", path: "/v2/servicerequest/cases/{case_id}/relations" },
    // 003 Service Ticket Operations
    Op { spec: OSM, id: "operateCase", method: "post", path: "/v2/servicerequest/cases/{case_id}/action" },
    // 004 Creating a Service Ticket
    Op { spec: OSM, id: "createCase", method: "post", path: "/v2/servicerequest/cases" },
    // 001 Modifying a Case
    Op { spec: AICC, id: "modifyCase", method: "post", path: "/openapi/case/modify" },
];

/// Constraint keywords: each one present in the spec on a checked element must be named by
/// its row, with the same value.
const CONSTRAINT_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "pattern",
    "enum",
    "default",
    "nullable",
    "x-max-bytes",
    "x-extensible-enum",
    "x-format",
];

/// A path, query or header parameter. `c` lists the schema's constraint keywords as JSON text
/// (`type` included).
struct Param {
    op: &'static str,
    name: &'static str,
    loc: &'static str,
    required: bool,
    c: &'static [(&'static str, &'static str)],
    src: Src,
}

type Constraints = &'static [(&'static str, &'static str)];

const S: &str = r#""string""#;
const I: &str = r#""integer""#;
const A: &str = r#""array""#;
const O: &str = r#""object""#;
const INT32: &str = r#""int32""#;

const STR_1_32: Constraints = &[("type", S), ("minLength", "1"), ("maxLength", "32")];
const STR_1_64: Constraints = &[("type", S), ("minLength", "1"), ("maxLength", "64")];
const X_LANGUAGE: Constraints = &[
    ("type", S),
    ("minLength", "1"),
    ("maxLength", "32"),
    ("default", r#""zh-cn""#),
];
const X_TIME_ZONE: Constraints = &[
    ("type", S),
    ("minLength", "1"),
    ("maxLength", "32"),
    ("default", r#""GMT+8""#),
];
const X_SITE: Constraints = &[
    ("type", I),
    ("format", INT32),
    ("minimum", "0"),
    ("maximum", "1"),
    ("default", "0"),
];
const ACTION_ID: Constraints = &[
    ("type", S),
    ("minLength", "1"),
    ("maxLength", "64"),
    (
        "x-extensible-enum",
        r#"["cancel","close","press","delete"]"#,
    ),
];

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    // 000 Modifying Contact Information
    Param { op: "updateContactInfo", name: "case_id", loc: "path", required: true, c: STR_1_32, src: Src::Doc },
    Param { op: "updateContactInfo", name: "X-Language", loc: "header", required: false, c: X_LANGUAGE, src: Src::Doc },
    Param { op: "updateContactInfo", name: "X-Time-Zone", loc: "header", required: false, c: X_TIME_ZONE, src: Src::Doc },
    Param { op: "updateContactInfo", name: "X-Site", loc: "header", required: false, c: X_SITE, src: Src::Sdk },
    // 002 Creating an Association
    Param { op: "createRelations", name: "case_id", loc: "path", required: true, c: STR_1_64, src: Src::Doc },
    Param { op: "createRelations", name: "X-Language", loc: "header", required: false, c: X_LANGUAGE, src: Src::Doc },
    Param { op: "createRelations", name: "X-Time-Zone", loc: "header", required: false, c: X_TIME_ZONE, src: Src::Doc },
    Param { op: "createRelations", name: "X-Site", loc: "header", required: false, c: X_SITE, src: Src::Sdk },
    // 003 Service Ticket Operations
    Param { op: "operateCase", name: "case_id", loc: "path", required: true, c: STR_1_64, src: Src::Doc },
    Param { op: "operateCase", name: "action_id", loc: "query", required: true, c: ACTION_ID, src: Src::Doc },
    Param { op: "operateCase", name: "X-Site", loc: "header", required: false, c: X_SITE, src: Src::Doc },
    Param { op: "operateCase", name: "X-Language", loc: "header", required: false, c: X_LANGUAGE, src: Src::Doc },
    Param { op: "operateCase", name: "X-Time-Zone", loc: "header", required: false, c: X_TIME_ZONE, src: Src::Doc },
    // 004 Creating a Service Ticket
    Param { op: "createCase", name: "X-Language", loc: "header", required: false, c: X_LANGUAGE, src: Src::Doc },
    Param { op: "createCase", name: "X-Time-Zone", loc: "header", required: false, c: X_TIME_ZONE, src: Src::Doc },
    Param { op: "createCase", name: "x-phone-verifiedid", loc: "header", required: false, c: STR_1_32, src: Src::Doc },
    Param { op: "createCase", name: "x-email-verifiedid", loc: "header", required: false, c: STR_1_32, src: Src::Doc },
    Param { op: "createCase", name: "X-Site", loc: "header", required: false, c: X_SITE, src: Src::Sdk },
    // 001 Modifying a Case: Content-Type is the request body's media type and access-token the
    // security scheme; neither is a parameter (checked in `security_and_servers`).
];

/// A field of a request body (`body == true`) or of the 200 response body. `path` is a dotted
/// path through `properties`; `[]` steps into `items`. `required` is ignored for `[]` rows.
struct Field {
    op: &'static str,
    body: bool,
    path: &'static str,
    required: bool,
    c: Constraints,
    src: Src,
}

macro_rules! f {
    ($op:expr, body, $path:expr, $req:expr, $c:expr) => {
        f!($op, body, $path, $req, $c, Src::Doc)
    };
    ($op:expr, body, $path:expr, $req:expr, $c:expr, $src:expr) => {
        Field {
            op: $op,
            body: true,
            path: $path,
            required: $req,
            c: $c,
            src: $src,
        }
    };
    ($op:expr, resp, $path:expr, $c:expr) => {
        f!($op, resp, $path, $c, Src::Doc)
    };
    ($op:expr, resp, $path:expr, $c:expr, $src:expr) => {
        Field {
            op: $op,
            body: false,
            path: $path,
            required: false,
            c: $c,
            src: $src,
        }
    };
}

#[rustfmt::skip]
const FIELDS: &[Field] = &[
    // ---- 000 updateContactInfo: request body
    f!("updateContactInfo", body, "area_code", false, &[("type", S), ("minLength", "1"), ("maxLength", "32")]),
    f!("updateContactInfo", body, "remind_mobile", false, &[("type", S), ("minLength", "1"), ("maxLength", "32")]),
    f!("updateContactInfo", body, "remind_mail", false, &[("type", S), ("minLength", "1"), ("maxLength", "128")]),
    f!("updateContactInfo", body, "remind_time", false, &[("type", S), ("minLength", "1"), ("maxLength", "16")]),
    f!("updateContactInfo", body, "group_id", false, &[("type", S), ("minLength", "1"), ("maxLength", "64")]),
    f!("updateContactInfo", body, "extension_map", false, &[("type", O)]),
    // ---- 000 response 200
    f!("updateContactInfo", resp, "error_code", &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    f!("updateContactInfo", resp, "error_msg", &[("type", S), ("minLength", "0"), ("maxLength", "32")]),

    // ---- 002 createRelations: request body. "At most three" is maxItems 3 (shared/reference);
    // minItems 1 is a decision (mandatory list of ids to associate). 1..32 is each id's length.
    f!("createRelations", body, "related_id_list", true, &[("type", A), ("maxItems", "3"), ("minItems", "1")], Src::Decision),
    f!("createRelations", body, "related_id_list[]", false, &[("type", S), ("minLength", "1"), ("maxLength", "32")]),
    // Mandatory per the document (the SDK says optional; the document wins).
    f!("createRelations", body, "group_id", true, &[("type", S), ("minLength", "1"), ("maxLength", "64")]),
    // ---- 002 response 200
    f!("createRelations", resp, "error_code", &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    f!("createRelations", resp, "error_msg", &[("type", S), ("minLength", "0"), ("maxLength", "32")]),

    // ---- 003 operateCase: request body
    f!("operateCase", body, "judgement", false, &[("type", S), ("minLength", "0"), ("maxLength", "400")]),
    f!("operateCase", body, "operate_desc", false, &[("type", S), ("minLength", "0"), ("maxLength", "400")]),
    f!("operateCase", body, "group_id", false, &[("type", S), ("minLength", "0"), ("maxLength", "64")]),
    f!("operateCase", body, "incident_satisfaction_list", false, &[("type", A)]),
    f!("operateCase", body, "incident_satisfaction_list[]", false, &[("type", O)]),
    // CaseSatisfaction
    f!("operateCase", body, "incident_satisfaction_list[].value", false, &[("type", I), ("format", INT32), ("minimum", "0"), ("maximum", "65535")]),
    f!("operateCase", body, "incident_satisfaction_list[].satisfaction_id", true, &[("type", I), ("format", INT32), ("minimum", "0"), ("maximum", "9999")]),
    f!("operateCase", body, "incident_satisfaction_list[].satisfaction_value", true, &[("type", I), ("format", INT32), ("minimum", "0"), ("maximum", "65535")]),
    f!("operateCase", body, "incident_satisfaction_list[].satisfaction_name", false, &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    f!("operateCase", body, "incident_satisfaction_list[].per_value", false, &[("type", I), ("format", INT32), ("minimum", "0"), ("maximum", "65535")]),
    f!("operateCase", body, "incident_satisfaction_list[].sat_category_id", false, &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    f!("operateCase", body, "incident_satisfaction_list[].sat_category_name", false, &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    // ---- 003 response 200
    f!("operateCase", resp, "error_code", &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    f!("operateCase", resp, "error_msg", &[("type", S), ("minLength", "0"), ("maxLength", "32")]),

    // ---- 004 createCase: request body
    f!("createCase", body, "incident_sub_type_id", false, &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    f!("createCase", body, "product_category_id", false, &[("type", S), ("minLength", "0"), ("maxLength", "64")]),
    f!("createCase", body, "business_type_id", true, &[("type", S), ("minLength", "0"), ("maxLength", "512")]),
    f!("createCase", body, "region_id", false, &[("type", S), ("minLength", "0"), ("maxLength", "64")]),
    f!("createCase", body, "simple_description", true, &[("type", S), ("minLength", "0"), ("maxLength", "1200")]),
    // "Currently, the value is fixed to ...": default, not enum (decision).
    f!("createCase", body, "source_id", true, &[("type", S), ("minLength", "0"), ("maxLength", "32"), ("default", r#""83aeb0f2834c4df49826c781d32a963e""#)], Src::Decision),
    f!("createCase", body, "remind_mobile", false, &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    f!("createCase", body, "remind_mail", false, &[("type", S), ("minLength", "0"), ("maxLength", "128")]),
    f!("createCase", body, "remind_time", false, &[("type", S), ("minLength", "0"), ("maxLength", "16")]),
    f!("createCase", body, "project_id", false, &[("type", S), ("minLength", "0"), ("maxLength", "64")]),
    f!("createCase", body, "accessory_ids", false, &[("type", A), ("minItems", "0"), ("maxItems", "5")]),
    f!("createCase", body, "accessory_ids[]", false, &[("type", S), ("minLength", "1"), ("maxLength", "32")]),
    f!("createCase", body, "extends_map", false, &[("type", O)]),
    f!("createCase", body, "extension_map", false, &[("type", O)]),
    f!("createCase", body, "severity_id", false, &[("type", S), ("minLength", "0"), ("maxLength", "64")]),
    f!("createCase", body, "verify_code", false, &[("type", S), ("minLength", "0"), ("maxLength", "6")]),
    f!("createCase", body, "area_code", false, &[("type", S), ("minLength", "0"), ("maxLength", "32")]),
    // ---- 004 response 200
    f!("createCase", resp, "incident_id", &[("type", S), ("minLength", "0"), ("maxLength", "64")]),

    // ---- 001 modifyCase: request body (lengths are BYTES: x-max-bytes, never maxLength)
    f!("modifyCase", body, "caseInfo", true, &[("type", O)]),
    f!("modifyCase", body, "caseInfo.id", true, &[("type", S), ("x-max-bytes", "20")]),
    f!("modifyCase", body, "caseInfo.title", true, &[("type", S), ("x-max-bytes", "128")]),
    f!("modifyCase", body, "caseInfo.description", true, &[("type", S), ("x-max-bytes", "20000")]),
    f!("modifyCase", body, "caseInfo.ownerId", false, &[("type", S)]),
    f!("modifyCase", body, "caseInfo.priority", false, &[("type", S), ("enum", r#"["Low","Medium","High","Critical"]"#)]),
    // "Datetime, in YYYY-MM-DD HH:mm:ss format": a string with a pattern (decision).
    f!("modifyCase", body, "caseInfo.dueDate", false, &[
        ("type", S),
        ("pattern", r#""^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$""#),
        ("x-format", r#""YYYY-MM-DD HH:mm:ss""#),
    ], Src::Decision),
    f!("modifyCase", body, "caseInfo.contactId", false, &[("type", S), ("x-max-bytes", "20")]),
    // Row 8: Mandatory "True".
    f!("modifyCase", body, "caseInfo.creatorId", true, &[("type", S), ("x-max-bytes", "20")]),
    f!("modifyCase", body, "caseInfo.contactPhone", false, &[("type", S), ("x-max-bytes", "20")]),
    // Row 11 (the document has no row 10).
    f!("modifyCase", body, "caseInfo.attachment", false, &[("type", S)]),
    // ---- 001 response 200: from the document's example (its table says "None").
    f!("modifyCase", resp, "resCode", &[("type", S)], Src::Decision),
    f!("modifyCase", resp, "resMsg", &[("type", S)], Src::Decision),
];

/// The exact set of properties of every object in a body, so no field can be added silently:
/// (operation, request body?, object path ("" is the body itself), fields).
#[rustfmt::skip]
const OBJECT_FIELDS: &[(&str, bool, &str, &[&str])] = &[
    ("updateContactInfo", true, "", &["area_code", "remind_mobile", "remind_mail", "remind_time", "group_id", "extension_map"]),
    ("createRelations", true, "", &["related_id_list", "group_id"]),
    ("operateCase", true, "", &["judgement", "operate_desc", "group_id", "incident_satisfaction_list"]),
    ("operateCase", true, "incident_satisfaction_list[]", &[
        "value", "satisfaction_id", "satisfaction_value", "satisfaction_name", "per_value",
        "sat_category_id", "sat_category_name",
    ]),
    ("createCase", true, "", &[
        "incident_sub_type_id", "product_category_id", "business_type_id", "region_id",
        "simple_description", "source_id", "remind_mobile", "remind_mail", "remind_time",
        "project_id", "accessory_ids", "extends_map", "extension_map", "severity_id",
        "verify_code", "area_code",
    ]),
    ("modifyCase", true, "", &["caseInfo"]),
    ("modifyCase", true, "caseInfo", &[
        "id", "title", "description", "ownerId", "priority", "dueDate", "contactId",
        "creatorId", "contactPhone", "attachment",
    ]),
    ("updateContactInfo", false, "", &["error_code", "error_msg"]),
    ("createRelations", false, "", &["error_code", "error_msg"]),
    ("operateCase", false, "", &["error_code", "error_msg"]),
    ("createCase", false, "", &["incident_id"]),
    ("modifyCase", false, "", &["resCode", "resMsg"]),
];

/// Map<String,Object> fields: `additionalProperties` must be `{}` (any value).
const MAPS: &[(&str, &str)] = &[
    ("updateContactInfo", "extension_map"),
    ("createCase", "extends_map"),
    ("createCase", "extension_map"),
];

// ---------------------------------------------------------------------------------------------
// Loading and resolving
// ---------------------------------------------------------------------------------------------

struct Spec {
    file: &'static str,
    root: Value,
}

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec")
}

fn load(file: &'static str) -> Spec {
    let path = spec_dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let root: Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
    Spec { file, root }
}

fn esc(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Spec {
    fn at(&self, ptr: &str) -> Option<&Value> {
        self.root.pointer(ptr)
    }

    /// Follows `$ref`s (within the file) from `ptr`; returns the pointer of the target.
    fn resolve(&self, ptr: &str) -> Result<String, String> {
        let mut cur = ptr.to_string();
        for _ in 0..64 {
            let v = self
                .at(&cur)
                .ok_or_else(|| format!("{}#{}: missing", self.file, cur))?;
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    cur = r
                        .strip_prefix('#')
                        .ok_or_else(|| {
                            format!("{}#{}: $ref {r} is not within the file", self.file, cur)
                        })?
                        .to_string();
                }
                None => return Ok(cur),
            }
        }
        Err(format!("{}#{}: $ref cycle", self.file, ptr))
    }

    /// Resolved pointer of `ptr/key`.
    fn child(&self, ptr: &str, key: &str) -> Result<String, String> {
        self.resolve(&format!("{ptr}/{}", esc(key)))
    }

    fn op_ptr(&self, id: &str) -> Option<(String, String, String)> {
        let paths = self.root.get("paths")?.as_object()?;
        for (path, item) in paths {
            for method in [
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ] {
                if item
                    .get(method)
                    .and_then(|o| o.get("operationId"))
                    .and_then(Value::as_str)
                    == Some(id)
                {
                    return Some((
                        format!("/paths/{}/{method}", esc(path)),
                        path.clone(),
                        method.to_string(),
                    ));
                }
            }
        }
        None
    }

    /// Resolved pointers of all parameters of an operation (path-item level included).
    fn params(&self, op_ptr: &str) -> Vec<Result<String, String>> {
        let item_ptr = &op_ptr[..op_ptr.rfind('/').unwrap()];
        let mut out = Vec::new();
        for base in [
            format!("{item_ptr}/parameters"),
            format!("{op_ptr}/parameters"),
        ] {
            if let Some(list) = self.at(&base).and_then(Value::as_array) {
                for i in 0..list.len() {
                    out.push(self.resolve(&format!("{base}/{i}")));
                }
            }
        }
        out
    }

    /// Resolved pointer of the schema of the request body or the 200 response body.
    fn body_schema(&self, op_ptr: &str, request: bool) -> Result<String, String> {
        let container = if request {
            self.child(op_ptr, "requestBody")?
        } else {
            let r = self.child(op_ptr, "responses")?;
            self.child(&r, "200")?
        };
        let content = self.child(&container, "content")?;
        let media = self.child(&content, "application/json")?;
        self.child(&media, "schema")
    }

    /// Resolved pointer of a dotted field path below a schema (`[]` steps into items).
    fn field(&self, schema: &str, path: &str) -> Result<String, String> {
        let mut cur = schema.to_string();
        if path.is_empty() {
            return Ok(cur);
        }
        for seg in path.split('.') {
            let (name, items) = match seg.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (seg, false),
            };
            if !name.is_empty() {
                let props = self.child(&cur, "properties")?;
                cur = self.child(&props, name)?;
            }
            if items {
                cur = self.child(&cur, "items")?;
            }
        }
        Ok(cur)
    }

    /// Pointer of the object schema holding the last segment of `path`, and that segment's name.
    fn parent_of<'p>(&self, schema: &str, path: &'p str) -> Result<(String, &'p str), String> {
        match path.rfind('.') {
            Some(i) => Ok((self.field(schema, &path[..i])?, &path[i + 1..])),
            None => Ok((schema.to_string(), path)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Report(Vec<String>);

impl Report {
    fn err(&mut self, msg: String) {
        self.0.push(msg);
    }
    fn check(&mut self, r: Result<(), String>) {
        if let Err(e) = r {
            self.0.push(e);
        }
    }
    fn finish(self, what: &str) {
        if !self.0.is_empty() {
            panic!(
                "{what}: {} mismatch(es):\n  - {}\n",
                self.0.len(),
                self.0.join("\n  - ")
            );
        }
    }
}

fn specs() -> Vec<Spec> {
    vec![load(OSM), load(AICC)]
}

fn spec_of<'a>(specs: &'a [Spec], op: &str) -> (&'a Spec, String) {
    let o = OPS.iter().find(|o| o.id == op).expect("op in OPS");
    let s = specs
        .iter()
        .find(|s| s.file == o.spec)
        .expect("spec loaded");
    let ptr = s
        .op_ptr(op)
        .map(|p| p.0)
        .unwrap_or_else(|| format!("<missing operation {op}>"));
    (s, ptr)
}

/// Compares the constraint keywords of the schema at `ptr` against `expected`.
fn check_constraints(rep: &mut Report, s: &Spec, ptr: &str, expected: &[(&str, &str)], what: &str) {
    let Some(schema) = s.at(ptr) else {
        rep.err(format!("{}#{ptr}: {what}: schema missing", s.file));
        return;
    };
    for (k, v) in expected {
        let want: Value =
            serde_json::from_str(v).unwrap_or_else(|e| panic!("bad fact {what} {k}={v}: {e}"));
        match schema.get(*k) {
            None => rep.err(format!(
                "{}#{ptr}/{}: {what}: missing, documented {want}",
                s.file,
                esc(k)
            )),
            Some(got) if !json_eq(got, &want) => rep.err(format!(
                "{}#{ptr}/{}: {what}: {got} != documented {want}",
                s.file,
                esc(k)
            )),
            _ => {}
        }
    }
    for k in CONSTRAINT_KEYWORDS {
        if schema.get(*k).is_some() && !expected.iter().any(|(e, _)| e == k) {
            rep.err(format!(
                "{}#{ptr}/{}: {what}: undocumented constraint {} = {}",
                s.file,
                esc(k),
                k,
                schema[*k]
            ));
        }
    }
}

fn has_text(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty())
}

/// JSON equality with numbers compared by value (0 == 0.0).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The siblings of document 001 that shared/reference/README.md lists (and the case type
/// list, found on Huawei's reference pages), as (method, path).
const AICC_SIBLINGS: &[(&str, &str)] = &[
    ("post", "/openapi/case"),
    ("post", "/openapi/case/list"),
    ("get", "/openapi/case/{id}"),
    ("post", "/openapi/case/process"),
    ("post", "/openapi/case/cancel"),
    ("post", "/openapi/status/update"),
    ("get", "/openapi/caseType/{id}"),
    ("post", "/openapi/caseType/list"),
];

#[test]
fn operations() {
    let specs = specs();
    let mut rep = Report::default();
    for op in OPS {
        let s = specs.iter().find(|s| s.file == op.spec).unwrap();
        match s.op_ptr(op.id) {
            None => rep.err(format!("{}: operationId {} missing", s.file, op.id)),
            Some((ptr, path, method)) => {
                if path != op.path || method != op.method {
                    rep.err(format!(
                        "{}#{ptr}: {}: {} {} != documented {} {}",
                        s.file,
                        op.id,
                        method.to_uppercase(),
                        path,
                        op.method.to_uppercase(),
                        op.path
                    ));
                }
                for key in ["summary", "description"] {
                    if !has_text(s.at(&format!("{ptr}/{key}"))) {
                        rep.err(format!("{}#{ptr}/{key}: {}: missing", s.file, op.id));
                    }
                }
                // Every documented operation has a JSON request body.
                let rb = s.child(&ptr, "requestBody");
                rep.check(rb.and_then(|rb| {
                    if s.at(&format!("{rb}/required")) != Some(&json!(true)) {
                        return Err(format!("{}#{rb}/required: {}: must be true", s.file, op.id));
                    }
                    let ct: Vec<&String> = s
                        .at(&format!("{rb}/content"))
                        .and_then(Value::as_object)
                        .map(|m| m.keys().collect())
                        .unwrap_or_default();
                    if ct != ["application/json"] {
                        return Err(format!(
                            "{}#{rb}/content: {}: media types {ct:?} != [application/json]",
                            s.file, op.id
                        ));
                    }
                    Ok(())
                }));
            }
        }
    }
    // The documented operations are checked above; every other operation comes from a
    // reference source: an OSM one names the official SDK's method (`x-sdk-name`, compared
    // field by field with the SDK in tests/sdk_operations.rs), an AICC one is a sibling of
    // document 001 that shared/reference/README.md lists.
    for s in &specs {
        let documented: BTreeSet<&str> = OPS
            .iter()
            .filter(|o| o.spec == s.file)
            .map(|o| o.id)
            .collect();
        for (path, item) in s.root["paths"].as_object().into_iter().flatten() {
            for (method, o) in item.as_object().into_iter().flatten() {
                let Some(id) = o.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                if documented.contains(id) {
                    continue;
                }
                let from_reference = if s.file == OSM {
                    o.get("x-sdk-name").and_then(Value::as_str).is_some()
                } else {
                    AICC_SIBLINGS.contains(&(method.as_str(), path.as_str()))
                };
                if !from_reference {
                    rep.err(format!(
                        "{}#/paths/{}/{method}: operation {id} is neither documented nor from a reference source",
                        s.file,
                        esc(path)
                    ));
                }
            }
        }
    }
    rep.finish("operations");
}

#[test]
fn parameters() {
    let specs = specs();
    let mut rep = Report::default();
    for op in OPS {
        let (s, op_ptr) = spec_of(&specs, op.id);
        let mut seen = BTreeSet::new();
        for p in s.params(&op_ptr) {
            let p = match p {
                Ok(p) => p,
                Err(e) => {
                    rep.err(e);
                    continue;
                }
            };
            let name = s
                .at(&format!("{p}/name"))
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let loc = s
                .at(&format!("{p}/in"))
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let Some(fact) = PARAMS
                .iter()
                .find(|f| f.op == op.id && f.name == name && f.loc == loc)
            else {
                rep.err(format!(
                    "{}#{p}: {}: undocumented parameter {name} in {loc}",
                    s.file, op.id
                ));
                continue;
            };
            let _ = fact.src;
            seen.insert((name.clone(), loc.clone()));
            let what = format!("{} {loc} parameter {name}", op.id);
            let req = s
                .at(&format!("{p}/required"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if req != fact.required {
                rep.err(format!(
                    "{}#{p}/required: {what}: {req} != documented {}",
                    s.file, fact.required
                ));
            }
            if !has_text(s.at(&format!("{p}/description"))) {
                rep.err(format!("{}#{p}/description: {what}: missing", s.file));
            }
            match s.child(&p, "schema") {
                Ok(schema) => check_constraints(&mut rep, s, &schema, fact.c, &what),
                Err(e) => rep.err(e),
            }
        }
        for f in PARAMS.iter().filter(|f| f.op == op.id) {
            if !seen.contains(&(f.name.to_string(), f.loc.to_string())) {
                rep.err(format!(
                    "{}#{op_ptr}/parameters: {}: {} parameter {} missing",
                    s.file, op.id, f.loc, f.name
                ));
            }
        }
    }
    rep.finish("parameters");
}

#[test]
fn body_and_response_fields() {
    let specs = specs();
    let mut rep = Report::default();
    for f in FIELDS {
        let (s, op_ptr) = spec_of(&specs, f.op);
        let _ = f.src;
        let what = format!(
            "{} {} field {}",
            f.op,
            if f.body { "request" } else { "response 200" },
            f.path
        );
        let schema = match s.body_schema(&op_ptr, f.body) {
            Ok(p) => p,
            Err(e) => {
                rep.err(format!("{what}: {e}"));
                continue;
            }
        };
        let ptr = match s.field(&schema, f.path) {
            Ok(p) => p,
            Err(e) => {
                rep.err(format!("{what}: {e}"));
                continue;
            }
        };
        check_constraints(&mut rep, s, &ptr, f.c, &what);
        if !f.path.ends_with("[]") && !has_text(s.at(&format!("{ptr}/description"))) {
            rep.err(format!("{}#{ptr}/description: {what}: missing", s.file));
        }
        if !f.path.ends_with("[]") {
            match s.parent_of(&schema, f.path) {
                Ok((parent, name)) => {
                    let required = s
                        .at(&format!("{parent}/required"))
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|x| x == name));
                    if required != f.required {
                        rep.err(format!(
                            "{}#{parent}/required: {what}: required is {required}, documented {}",
                            s.file, f.required
                        ));
                    }
                }
                Err(e) => rep.err(format!("{what}: {e}")),
            }
        }
    }
    // Exact property sets.
    for (op, body, path, names) in OBJECT_FIELDS {
        let (s, op_ptr) = spec_of(&specs, op);
        let r = s
            .body_schema(&op_ptr, *body)
            .and_then(|sch| s.field(&sch, path));
        match r {
            Err(e) => rep.err(format!("{op} {path}: {e}")),
            Ok(ptr) => {
                let got: BTreeSet<&str> = s
                    .at(&format!("{ptr}/properties"))
                    .and_then(Value::as_object)
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let want: BTreeSet<&str> = names.iter().copied().collect();
                for extra in got.difference(&want) {
                    rep.err(format!(
                        "{}#{ptr}/properties/{extra}: {op}: undocumented field",
                        s.file
                    ));
                }
                for missing in want.difference(&got) {
                    rep.err(format!(
                        "{}#{ptr}/properties: {op}: field {missing} missing",
                        s.file
                    ));
                }
            }
        }
    }
    // Map<String,Object> fields.
    for (op, path) in MAPS {
        let (s, op_ptr) = spec_of(&specs, op);
        match s
            .body_schema(&op_ptr, true)
            .and_then(|sch| s.field(&sch, path))
        {
            Err(e) => rep.err(format!("{op} {path}: {e}")),
            Ok(ptr) => {
                if s.at(&format!("{ptr}/additionalProperties")) != Some(&json!({})) {
                    rep.err(format!("{}#{ptr}/additionalProperties: {op} {path}: must be {{}} (Map<String,Object>)", s.file));
                }
            }
        }
    }
    rep.finish("body and response fields");
}

#[test]
fn vendor_extensions_and_conditions() {
    let specs = specs();
    let mut rep = Report::default();
    // x-business-error on each 200 whose body carries the error pair / resCode.
    let expected: &[(&str, Option<Value>)] = &[
        (
            "updateContactInfo",
            Some(json!({"code": "error_code", "message": "error_msg", "success": [""]})),
        ),
        (
            "createRelations",
            Some(json!({"code": "error_code", "message": "error_msg", "success": [""]})),
        ),
        (
            "operateCase",
            Some(json!({"code": "error_code", "message": "error_msg", "success": [""]})),
        ),
        // Not in document 004's table, but OSM answers business failures of createCase as
        // HTTP 200 with error_code too (shared/reference/README.md: OSM.01010006, ...10).
        (
            "createCase",
            Some(json!({"code": "error_code", "message": "error_msg", "success": [""]})),
        ),
        (
            "modifyCase",
            Some(json!({"code": "resCode", "message": "resMsg", "success": ["0"]})),
        ),
    ];
    for (op, want) in expected {
        let (s, op_ptr) = spec_of(&specs, op);
        match s
            .child(&op_ptr, "responses")
            .and_then(|r| s.child(&r, "200"))
        {
            Err(e) => rep.err(format!("{op}: {e}")),
            Ok(ptr) => {
                let got = s.at(&format!("{ptr}/x-business-error"));
                if got != want.as_ref() {
                    rep.err(format!(
                        "{}#{ptr}/x-business-error: {op}: {got:?} != {want:?}",
                        s.file
                    ));
                }
            }
        }
    }
    // region_id is mandatory when business_type_id is "5" (004).
    let (s, op_ptr) = spec_of(&specs, "createCase");
    match s.body_schema(&op_ptr, true) {
        Err(e) => rep.err(e),
        Ok(ptr) => {
            let want = json!([{"when": {"property": "business_type_id", "equals": "5"}, "required": ["region_id"]}]);
            if s.at(&format!("{ptr}/x-required-if")) != Some(&want) {
                rep.err(format!("{}#{ptr}/x-required-if: must be {want}", s.file));
            }
        }
    }
    // 001: no maxLength anywhere in the AICC spec (lengths are bytes); template fields allowed.
    let aicc = specs.iter().find(|s| s.file == AICC).unwrap();
    walk(&aicc.root, "", &mut |ptr, v| {
        if v.get("maxLength").is_some() {
            rep.err(format!(
                "{AICC}#{ptr}/maxLength: lengths of document 001 are bytes: use x-max-bytes"
            ));
        }
    });
    if aicc.at("/components/schemas/CaseInfo/additionalProperties") != Some(&json!(true)) {
        rep.err(format!("{AICC}#/components/schemas/CaseInfo/additionalProperties: must be true (case template fields)"));
    }
    rep.finish("vendor extensions and conditions");
}

#[test]
fn security_and_servers() {
    let specs = specs();
    let mut rep = Report::default();
    let osm = specs.iter().find(|s| s.file == OSM).unwrap();
    let aicc = specs.iter().find(|s| s.file == AICC).unwrap();

    let servers = json!([
        ["https://osm.cn-south-1.myhuaweicloud.com", "cn_south_1"],
        [
            "https://osm.ap-southeast-3.myhuaweicloud.com",
            "ap_southeast_3"
        ],
        ["https://osm.eu-west-101.myhuaweicloud.eu", "eu_west_101"],
        ["https://osm.cn-south-1.myhuaweicloud.cn", "cn_south_1_sdk"],
    ]);
    let got: Vec<Value> = osm.root["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| json!([s["url"], s["x-name"]]))
        .collect();
    if Value::Array(got.clone()) != servers {
        rep.err(format!("{OSM}#/servers: {got:?} != {servers}"));
    }
    let aicc_server = &aicc.root["servers"][0];
    if aicc_server["url"] != json!("https://{domain}/service/AICC__Case/1.0.0")
        || aicc_server["x-name"] != json!("aicc")
        || aicc_server["variables"]["domain"]["default"] != json!("service.besclouds.com")
        || aicc.root["servers"].as_array().map(Vec::len) != Some(1)
    {
        rep.err(format!("{AICC}#/servers: {}", aicc.root["servers"]));
    }

    // X-Auth-Token (1..5000, from IAM) is the iamToken scheme; access-key signing the other.
    let ss = "/components/securitySchemes";
    for (spec, name, want) in [
        (
            osm,
            "iamToken",
            json!({"type": "apiKey", "in": "header", "name": "X-Auth-Token"}),
        ),
        (
            osm,
            "akskSigning",
            json!({"type": "apiKey", "in": "header", "name": "Authorization", "x-signing-algorithm": "SDK-HMAC-SHA256"}),
        ),
        (
            aicc,
            "accessToken",
            json!({"type": "apiKey", "in": "header", "name": "access-token"}),
        ),
    ] {
        let ptr = format!("{ss}/{name}");
        for (k, v) in want.as_object().unwrap() {
            if spec.at(&format!("{ptr}/{k}")) != Some(v) {
                rep.err(format!(
                    "{}#{ptr}/{k}: {:?} != {v}",
                    spec.file,
                    spec.at(&format!("{ptr}/{k}"))
                ));
            }
        }
    }
    let desc = osm
        .at(&format!("{ss}/iamToken/description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    for needle in [
        "Minimum length: 1",
        "Maximum length: 5000",
        "X-Subject-Token",
        "IAM",
    ] {
        if !desc.contains(needle) {
            rep.err(format!(
                "{OSM}#{ss}/iamToken/description: must mention {needle:?}"
            ));
        }
    }
    if osm.root["security"] != json!([{"iamToken": []}, {"akskSigning": []}]) {
        rep.err(format!(
            "{OSM}#/security: {} (iamToken and akskSigning as alternatives)",
            osm.root["security"]
        ));
    }
    if aicc.root["security"] != json!([{"accessToken": []}]) {
        rep.err(format!("{AICC}#/security: {}", aicc.root["security"]));
    }
    // The security headers and Content-Type are never declared as parameters.
    for s in [osm, aicc] {
        walk(&s.root, "", &mut |ptr, v| {
            if v.get("in").is_some() {
                if let Some(n) = v.get("name").and_then(Value::as_str) {
                    if [
                        "x-auth-token",
                        "authorization",
                        "access-token",
                        "content-type",
                    ]
                    .contains(&n.to_ascii_lowercase().as_str())
                        && !ptr.starts_with("/components/securitySchemes")
                    {
                        rep.err(format!("{}#{ptr}: {n} must not be a parameter", s.file));
                    }
                }
            }
        });
    }

    // Error responses of the OSM operations: 400/401/403/500/default with ErrorResponse,
    // the historical codes as examples, and the X-Request-Id header.
    for op in OPS.iter().filter(|o| o.spec == OSM) {
        let (s, op_ptr) = spec_of(&specs, op.id);
        for (status, code) in [
            ("400", Some("OSM.0001")),
            ("401", Some("OSM.0002")),
            ("403", Some("OSM.0003")),
            ("500", Some("OSM.0004")),
            ("default", None),
        ] {
            let r = s
                .child(&op_ptr, "responses")
                .and_then(|r| s.child(&r, status));
            let ptr = match r {
                Ok(p) => p,
                Err(e) => {
                    rep.err(format!("{}: {e}", op.id));
                    continue;
                }
            };
            let schema = s
                .child(&ptr, "content")
                .and_then(|c| s.child(&c, "application/json"))
                .and_then(|m| s.child(&m, "schema"));
            match schema {
                Ok(sp) => {
                    let props: BTreeSet<&str> = s
                        .at(&format!("{sp}/properties"))
                        .and_then(Value::as_object)
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let want: BTreeSet<&str> =
                        ["error_code", "error_msg", "encoded_authorization_message"].into();
                    if props != want {
                        rep.err(format!(
                            "{}#{sp}/properties: {} {status}: {props:?} != {want:?}",
                            s.file, op.id
                        ));
                    }
                }
                Err(e) => rep.err(e),
            }
            if s.child(&ptr, "headers")
                .and_then(|h| s.child(&h, "X-Request-Id"))
                .is_err()
            {
                rep.err(format!(
                    "{}#{ptr}/headers: {} {status}: X-Request-Id missing",
                    s.file, op.id
                ));
            }
            if let Some(code) = code {
                let examples = s
                    .at(&format!("{ptr}/content/application~1json/examples"))
                    .and_then(Value::as_object);
                if !examples
                    .is_some_and(|m| m.values().any(|e| e["value"]["error_code"] == json!(code)))
                {
                    rep.err(format!(
                        "{}#{ptr}: {} {status}: example with error_code {code} missing",
                        s.file, op.id
                    ));
                }
            }
        }
        let ok = s
            .child(&op_ptr, "responses")
            .and_then(|r| s.child(&r, "200"));
        if ok
            .and_then(|p| {
                s.child(&p, "headers")
                    .and_then(|h| s.child(&h, "X-Request-Id"))
            })
            .is_err()
        {
            rep.err(format!(
                "{}#{op_ptr}/responses/200/headers: {}: X-Request-Id missing",
                s.file, op.id
            ));
        }
    }
    rep.finish("security, servers and errors");
}

/// The resolutions of the documents' self-contradictions (spec/README.md) as they show in
/// the examples.
#[test]
fn contradiction_resolutions() {
    let specs = specs();
    let mut rep = Report::default();
    let osm = specs.iter().find(|s| s.file == OSM).unwrap();

    // 000: the URI says contact-info, the example contactInfo.
    let paths = osm.root["paths"].as_object().cloned().unwrap_or_default();
    if paths.keys().any(|p| p.contains("contactInfo")) {
        rep.err(format!(
            "{OSM}#/paths: contactInfo (the example's spelling) must not be a path"
        ));
    }

    // Per operation: the request examples, and what each field must look like in them.
    type Check = fn(&Value) -> bool;
    let checks: &[(&str, &str, &str, Check)] = &[
        (
            "updateContactInfo",
            "extension_map",
            "an object (example shows [])",
            |v| v.is_object(),
        ),
        (
            "createRelations",
            "related_id_list",
            "an array (example shows a string)",
            |v| v.is_array(),
        ),
        (
            "operateCase",
            "incident_satisfaction_list",
            "an array (example shows {})",
            |v| v.is_array(),
        ),
        (
            "createCase",
            "area_code",
            "a string (example shows the number 86)",
            |v| v == &json!("86"),
        ),
        (
            "createCase",
            "source_id",
            "the fixed value (example shows \"123\")",
            |v| v == &json!("83aeb0f2834c4df49826c781d32a963e"),
        ),
        (
            "createCase",
            "extends_map",
            "an object (example shows [])",
            |v| v.is_object(),
        ),
        (
            "createCase",
            "extension_map",
            "an object (example shows [])",
            |v| v.is_object(),
        ),
    ];
    for (op, field, what, ok) in checks {
        let (s, op_ptr) = spec_of(&specs, op);
        let ptr = format!("{op_ptr}/requestBody/content/application~1json/examples");
        let Some(examples) = s
            .at(&ptr)
            .and_then(Value::as_object)
            .filter(|m| !m.is_empty())
        else {
            rep.err(format!(
                "{}#{ptr}: {op}: the document's example (corrected) missing",
                s.file
            ));
            continue;
        };
        for (name, ex) in examples {
            match ex["value"].get(*field) {
                Some(v) if ok(v) => {}
                other => rep.err(format!(
                    "{}#{ptr}/{name}/value/{field}: {op}: must be {what}, got {other:?}",
                    s.file
                )),
            }
        }
    }
    // 004: null-valued strings are omitted in the corrected example.
    let (s, op_ptr) = spec_of(&specs, "createCase");
    let ptr = format!("{op_ptr}/requestBody/content/application~1json/examples");
    for (name, ex) in s.at(&ptr).and_then(Value::as_object).into_iter().flatten() {
        for f in ["remind_mobile", "remind_mail", "project_id", "verify_code"] {
            if ex["value"].get(f).is_some() {
                rep.err(format!(
                    "{}#{ptr}/{name}/value/{f}: shown as null in the document: omit it",
                    s.file
                ));
            }
        }
    }
    // No example anywhere carries null (no field is nullable).
    for s in &specs {
        walk(&s.root, "", &mut |ptr, v| {
            if v.is_null() {
                rep.err(format!("{}#{ptr}: null", s.file));
            }
        });
    }
    // source_id is fixed "currently": default, not a closed enum (checked by the field rows'
    // undocumented-constraint rule); 003 keeps group_id minLength 0 while 000/002 keep 1 (rows).
    rep.finish("contradiction resolutions");
}

// ---------------------------------------------------------------------------------------------
// A small example validator (Spectral checks the same with a full JSON Schema validator;
// this one also enforces x-max-bytes and x-required-if, which Spectral does not know).
// ---------------------------------------------------------------------------------------------

fn walk(v: &Value, ptr: &str, f: &mut dyn FnMut(&str, &Value)) {
    f(ptr, v);
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                walk(c, &format!("{ptr}/{}", esc(k)), f);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                walk(c, &format!("{ptr}/{i}"), f);
            }
        }
        _ => {}
    }
}

fn validate(s: &Spec, schema_ptr: &str, v: &Value, at: &str, errs: &mut Vec<String>) {
    let sp = match s.resolve(schema_ptr) {
        Ok(p) => p,
        Err(e) => return errs.push(e),
    };
    let Some(schema) = s.at(&sp) else {
        return errs.push(format!("{}#{sp}: missing", s.file));
    };
    let bad = |m: String| errs_push(at, &sp, m);
    let mut local = Vec::new();
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        };
        if !ok {
            local.push(bad(format!("not of type {t}: {v}")));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            local.push(bad(format!("{v} not in enum")));
        }
    }
    if let Some(text) = v.as_str() {
        let chars = text.chars().count() as u64;
        if let Some(n) = schema.get("minLength").and_then(Value::as_u64) {
            if chars < n {
                local.push(bad(format!("{chars} chars < minLength {n}")));
            }
        }
        if let Some(n) = schema.get("maxLength").and_then(Value::as_u64) {
            if chars > n {
                local.push(bad(format!("{chars} chars > maxLength {n}")));
            }
        }
        if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
            // ECMA-262 patterns search (unanchored), as the generated validation does.
            match regex::Regex::new(p) {
                Ok(re) if !re.is_match(text) => {
                    local.push(bad(format!("{text:?} does not match pattern {p:?}")))
                }
                Ok(_) => {}
                Err(e) => local.push(bad(format!("pattern {p:?} does not compile: {e}"))),
            }
        }
        if let Some(n) = schema.get("x-max-bytes").and_then(Value::as_u64) {
            if text.len() as u64 > n {
                local.push(bad(format!("{} bytes > x-max-bytes {n}", text.len())));
            }
        }
    }
    if let Some(x) = v.as_f64() {
        if let Some(n) = schema.get("minimum").and_then(Value::as_f64) {
            if x < n {
                local.push(bad(format!("{x} < minimum {n}")));
            }
        }
        if let Some(n) = schema.get("maximum").and_then(Value::as_f64) {
            if x > n {
                local.push(bad(format!("{x} > maximum {n}")));
            }
        }
    }
    if let Some(items) = v.as_array() {
        if let Some(n) = schema.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < n {
                local.push(bad(format!("{} items < minItems {n}", items.len())));
            }
        }
        if let Some(n) = schema.get("maxItems").and_then(Value::as_u64) {
            if items.len() as u64 > n {
                local.push(bad(format!("{} items > maxItems {n}", items.len())));
            }
        }
        if schema.get("items").is_some() {
            for (i, it) in items.iter().enumerate() {
                validate(
                    s,
                    &format!("{sp}/items"),
                    it,
                    &format!("{at}[{i}]"),
                    &mut local,
                );
            }
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str() {
                if !obj.contains_key(r) {
                    local.push(bad(format!("required property {r} missing")));
                }
            }
        }
        for cond in schema
            .get("x-required-if")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let prop = cond["when"]["property"].as_str().unwrap_or("");
            if obj.get(prop) == Some(&cond["when"]["equals"]) {
                for r in cond["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !obj.contains_key(r) {
                        local.push(bad(format!(
                            "{r} required when {prop} = {}",
                            cond["when"]["equals"]
                        )));
                    }
                }
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, val) in obj {
            let child_at = format!("{at}.{k}");
            if props.is_some_and(|p| p.contains_key(k)) {
                validate(
                    s,
                    &format!("{sp}/properties/{}", esc(k)),
                    val,
                    &child_at,
                    &mut local,
                );
            } else {
                match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => local.push(bad(format!("unknown property {k}"))),
                    Some(Value::Object(_)) => validate(
                        s,
                        &format!("{sp}/additionalProperties"),
                        val,
                        &child_at,
                        &mut local,
                    ),
                    // true, or absent: allowed (lint with Redocly forbids unknown ones anyway).
                    _ => {
                        if props.is_some() && schema.get("additionalProperties").is_none() {
                            local.push(bad(format!("property {k} not declared by the schema")));
                        }
                    }
                }
            }
        }
    }
    errs.extend(local);
}

fn errs_push(at: &str, sp: &str, m: String) -> String {
    format!("{at} (schema {sp}): {m}")
}

#[test]
fn examples_validate_against_their_schemas() {
    let specs = specs();
    let mut rep = Report::default();
    let mut count = 0;
    for s in &specs {
        // Media type examples (request bodies and responses, inline or in components).
        let mut media = Vec::new();
        walk(&s.root, "", &mut |ptr, v| {
            if v.get("schema").is_some()
                && (v.get("examples").is_some() || v.get("example").is_some())
            {
                media.push(ptr.to_string());
            }
        });
        for ptr in media {
            let m = s.at(&ptr).unwrap();
            let mut values = Vec::new();
            if let Some(e) = m.get("example") {
                values.push((format!("{ptr}/example"), e.clone()));
            }
            for (name, _) in m
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                match s.child(&format!("{ptr}/examples"), name) {
                    Ok(ep) => match s.at(&ep).and_then(|e| e.get("value")) {
                        Some(v) => values.push((format!("{ep}/value"), v.clone())),
                        None => rep.err(format!("{}#{ep}: example without value", s.file)),
                    },
                    Err(e) => rep.err(e),
                }
            }
            for (ep, v) in values {
                count += 1;
                let mut errs = Vec::new();
                validate(s, &format!("{ptr}/schema"), &v, "$", &mut errs);
                for e in errs {
                    rep.err(format!("{}#{ep}: {e}", s.file));
                }
            }
        }
        // Schema-level examples.
        let mut schema_examples = Vec::new();
        walk(&s.root, "", &mut |ptr, v| {
            if v.get("type").is_some_and(Value::is_string) && v.get("example").is_some() {
                schema_examples.push(ptr.to_string());
            }
        });
        for ptr in schema_examples {
            count += 1;
            let v = s.at(&format!("{ptr}/example")).unwrap().clone();
            let mut errs = Vec::new();
            validate(s, &ptr, &v, "$", &mut errs);
            for e in errs {
                rep.err(format!("{}#{ptr}/example: {e}", s.file));
            }
        }
    }
    assert!(
        count >= 12,
        "expected the documents' examples in the specs, found {count}"
    );
    rep.finish("examples");
}

/// The validator itself rejects the documents' uncorrected examples.
#[test]
fn uncorrected_document_examples_are_rejected() {
    let specs = specs();
    let cases: &[(&str, Value)] = &[
        (
            "createCase",
            json!({
                "incident_sub_type_id": "123", "product_category_id": "123", "business_type_id": "123",
                "region_id": "cn-north-1", "simple_description": "test", "source_id": "123",
                "remind_mobile": null, "remind_mail": null, "remind_time": "9:00-18:00", "project_id": null,
                "accessory_ids": [], "extends_map": [], "extension_map": [], "severity_id": "123",
                "verify_code": null, "area_code": 86
            }),
        ),
        (
            "createRelations",
            json!({"related_id_list": "123456", "group_id": "123456"}),
        ),
        (
            "operateCase",
            json!({"judgement": "test", "operate_desc": "test", "group_id": "123456", "incident_satisfaction_list": {}}),
        ),
        (
            "updateContactInfo",
            json!({"area_code": "1", "remind_mobile": "1", "remind_mail": "1", "remind_time": "1", "group_id": "1", "extension_map": []}),
        ),
        (
            "createCase",
            json!({"business_type_id": "5", "simple_description": "x", "source_id": "83aeb0f2834c4df49826c781d32a963e"}),
        ),
        (
            "createRelations",
            json!({"related_id_list": ["1", "2", "3", "4"], "group_id": "g"}),
        ),
        (
            "modifyCase",
            json!({"caseInfo": {"id": "ééééééééééé", "title": "t", "description": "d", "creatorId": "c"}}),
        ),
    ];
    let mut rep = Report::default();
    for (op, v) in cases {
        let (s, op_ptr) = spec_of(&specs, op);
        let mut errs = Vec::new();
        match s.body_schema(&op_ptr, true) {
            Ok(p) => validate(s, &p, v, "$", &mut errs),
            Err(e) => rep.err(e),
        }
        if errs.is_empty() {
            rep.err(format!(
                "{op}: the uncorrected/invalid body {v} was accepted"
            ));
        }
    }
    rep.finish("uncorrected examples");
}
