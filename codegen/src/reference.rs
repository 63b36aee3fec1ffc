//! An HTML API reference of one bundled spec (`dist/<name>.html`, written by `codegen bundle`).
//!
//! One self-contained page: inline CSS, no script, no external resource, and a
//! Content-Security-Policy that forbids fetching anything (`default-src 'none'`). It shows the
//! title, version and description, the servers, the security schemes, then for each tag its
//! operations (method, path, summary, description, parameters, request body, responses with
//! the fields and constraints of their schemas and their examples as JSON), then every schema
//! of `components/schemas`.
//!
//! Anchors: an operation's element has `id` = its `operationId` (or `op-<method>-<path>`
//! without one), a tag's section `id="tag-<slug>"` and `data-tag="<name>"`, a schema's
//! `id="schema-<name>"`. Ids are unique: operations get theirs first, any other id that
//! would repeat one gets a `-2`, `-3`... suffix.
//!
//! The spec is untrusted input. Every string is HTML-escaped; descriptions are CommonMark,
//! rendered with pulldown-cmark after raw HTML (blocks and inline) has been turned into text,
//! images into their alt text, and links whose target is not `http:`, `https:`, `mailto:`
//! or a `#fragment` into plain text. The output depends only on the tree (key order is the
//! source's), so the same spec always renders the same bytes.

use std::collections::HashSet;
use std::fmt::Write as _;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};

/// How deep inline schemas are expanded into field rows (a `$ref` is a link, never expanded
/// in a field table, so cycles cannot recurse).
const MAX_DEPTH: usize = 8;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const CSS: &str = "\
:root{--fg:#1d1f23;--muted:#5b6270;--line:#d8dce3;--bg:#fff;--code:#f4f5f7;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg)}
.layout{display:flex;align-items:flex-start}
nav.toc{position:sticky;top:0;flex:0 0 16rem;max-height:100vh;overflow:auto;padding:1rem;border-right:1px solid var(--line);font-size:14px}
nav.toc ul{list-style:none;padding-left:.8rem;margin:.2rem 0}
nav.toc>ul{padding-left:0}
main{flex:1;min-width:0;padding:1rem 2rem 4rem;max-width:72rem}
a{color:var(--accent)}
h1{margin-top:.5rem}
h2{border-bottom:2px solid var(--line);padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:0 0 .4rem}
h4{margin:1.2rem 0 .4rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
code{background:var(--code);padding:0 .2rem;border-radius:3px}
pre{background:var(--code);padding:.6rem .8rem;overflow:auto;border-radius:4px}
pre code{padding:0;background:none}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:14px}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--code)}
.operation,.schema{border:1px solid var(--line);border-radius:6px;padding:1rem;margin:1rem 0}
.method{display:inline-block;min-width:4.2rem;text-align:center;font-weight:700;text-transform:uppercase;color:#fff;border-radius:4px;padding:0 .4rem;margin-right:.4rem;background:#5b6270}
.method-get{background:#1f7a3a}.method-post{background:#0b5cad}.method-put{background:#9a5b00}
.method-patch{background:#6b3fa0}.method-delete{background:#b3261e}
.path{font-size:15px;word-break:break-all}
.muted{color:var(--muted)}
.badge{display:inline-block;font-size:12px;border:1px solid var(--line);border-radius:3px;padding:0 .3rem;margin-left:.3rem}
.req{color:#b3261e;font-weight:600}
ul.constraints{margin:0;padding-left:1rem}
.desc p:first-child{margin-top:0}.desc p:last-child{margin-bottom:0}
@media (max-width:800px){.layout{display:block}nav.toc{position:static;max-height:none;border-right:0}}
";

/// The HTML reference of one bundled spec `tree` (`name` is the file stem, for the title when
/// the spec has none).
pub fn render(tree: &Value, name: &str) -> String {
    Page::new(tree).render(name)
}

/// One operation: where it is and what it is.
struct Op<'a> {
    method: &'static str,
    path: &'a str,
    op: &'a Map<String, Value>,
    item: &'a Map<String, Value>,
    id: String,
}

struct Page<'a> {
    tree: &'a Value,
    ops: Vec<Op<'a>>,
    /// Every id given out so far.
    ids: HashSet<String>,
    /// The section id of each component schema, by name.
    schema_ids: Vec<(String, String)>,
    out: String,
}

impl<'a> Page<'a> {
    fn new(tree: &'a Value) -> Self {
        let mut ids = HashSet::new();
        let mut ops = Vec::new();
        if let Some(paths) = tree.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for &method in METHODS {
                    let Some(op) = item.get(method).and_then(Value::as_object) else {
                        continue;
                    };
                    let base = match op.get("operationId").and_then(Value::as_str) {
                        Some(id) if !id.is_empty() => id.to_string(),
                        _ => format!("op-{method}-{}", slug(path)),
                    };
                    let id = unique(&mut ids, base);
                    ops.push(Op {
                        method,
                        path,
                        op,
                        item,
                        id,
                    });
                }
            }
        }
        Page {
            tree,
            ops,
            ids,
            schema_ids: Vec::new(),
            out: String::new(),
        }
    }

    fn id(&mut self, base: String) -> String {
        unique(&mut self.ids, base)
    }

    /// Follows local `$ref`s (at most 32) to what they point at.
    fn deref(&self, v: &'a Value) -> &'a Value {
        let mut v = v;
        for _ in 0..32 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.tree.pointer(p)) {
                    Some(target) => v = target,
                    None => return v,
                },
                None => return v,
            }
        }
        v
    }

    fn render(mut self, name: &str) -> String {
        let info = self.tree.get("info");
        let title = info
            .and_then(|i| i.get("title"))
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(name)
            .to_string();
        let version = info
            .and_then(|i| i.get("version"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let tags = self.tags();
        let schema_names: Vec<String> = self
            .tree
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();

        // Section ids, given out before anything is written so the table of contents can
        // link to them.
        let servers_id = self.id("servers".into());
        let security_id = self.id("security".into());
        let tag_ids: Vec<String> = tags
            .iter()
            .map(|t| {
                let s = slug(&t.name);
                self.id(format!("tag-{}", if s.is_empty() { "tag" } else { &s }))
            })
            .collect();
        let schemas_id = self.id("schemas".into());
        let schema_ids: Vec<String> = schema_names
            .iter()
            .map(|n| self.id(schema_anchor(n)))
            .collect();
        self.schema_ids = schema_names
            .iter()
            .cloned()
            .zip(schema_ids.iter().cloned())
            .collect();

        let mut o = String::new();
        o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n");
        o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        o.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
        let _ = writeln!(o, "<title>{} API reference</title>", esc(&title));
        let _ = writeln!(o, "<style>\n{CSS}</style>\n</head>\n<body>");
        o.push_str("<div class=\"layout\">\n<nav class=\"toc\" aria-label=\"Contents\">\n<ul>\n");
        let _ = writeln!(o, "<li><a href=\"#{}\">Servers</a></li>", esc(&servers_id));
        let _ = writeln!(
            o,
            "<li><a href=\"#{}\">Security</a></li>",
            esc(&security_id)
        );
        for (t, id) in tags.iter().zip(&tag_ids) {
            let _ = writeln!(o, "<li><a href=\"#{}\">{}</a>\n<ul>", esc(id), esc(&t.name));
            for &i in &t.ops {
                let op = &self.ops[i];
                let _ = writeln!(
                    o,
                    "<li><a href=\"#{}\">{}</a></li>",
                    esc(&op.id),
                    esc(&op_label(op))
                );
            }
            o.push_str("</ul></li>\n");
        }
        if !schema_names.is_empty() {
            let _ = writeln!(o, "<li><a href=\"#{}\">Schemas</a>\n<ul>", esc(&schemas_id));
            for (n, id) in schema_names.iter().zip(&schema_ids) {
                let _ = writeln!(o, "<li><a href=\"#{}\">{}</a></li>", esc(id), esc(n));
            }
            o.push_str("</ul></li>\n");
        }
        o.push_str("</ul>\n</nav>\n<main>\n");
        self.out = o;

        // Title and description.
        let _ = writeln!(self.out, "<header>\n<h1>{}</h1>", esc(&title));
        let mut meta = Vec::new();
        if !version.is_empty() {
            meta.push(format!("version <code>{}</code>", esc(&version)));
        }
        if let Some(v) = self.tree.get("openapi").and_then(Value::as_str) {
            meta.push(format!("OpenAPI <code>{}</code>", esc(v)));
        }
        if !meta.is_empty() {
            let _ = writeln!(self.out, "<p class=\"muted\">{}</p>", meta.join(" · "));
        }
        if let Some(d) = info
            .and_then(|i| i.get("description"))
            .and_then(Value::as_str)
        {
            self.markdown(d);
        }
        if let Some(c) = info.and_then(|i| i.get("contact")) {
            self.field_line("Contact", c);
        }
        if let Some(l) = info.and_then(|i| i.get("license")) {
            self.field_line("License", l);
        }
        if let Some(t) = info
            .and_then(|i| i.get("termsOfService"))
            .and_then(Value::as_str)
        {
            let _ = writeln!(
                self.out,
                "<p>Terms of service: {}</p>",
                link_or_text(t, &esc(t))
            );
        }
        self.out.push_str("</header>\n");

        self.servers(&servers_id);
        self.security(&security_id);
        for (t, id) in tags.iter().zip(&tag_ids) {
            self.tag(t, id);
        }
        if !schema_names.is_empty() {
            let _ = writeln!(
                self.out,
                "<section id=\"{}\" class=\"schemas\">\n<h2>Schemas</h2>",
                esc(&schemas_id)
            );
            let schemas = self
                .tree
                .pointer("/components/schemas")
                .and_then(Value::as_object);
            for (n, id) in schema_names.iter().zip(&schema_ids) {
                if let Some(s) = schemas.and_then(|m| m.get(n)) {
                    self.schema_section(n, id, s);
                }
            }
            self.out.push_str("</section>\n");
        }
        self.out.push_str("</main>\n</div>\n</body>\n</html>\n");
        self.out
    }

    /// The tags in the order of the spec's `tags`, then those only operations name (in the
    /// order they first appear), then `untagged` for operations without a tag; each with the
    /// operations that name it.
    fn tags(&self) -> Vec<TagGroup<'a>> {
        let mut groups: Vec<TagGroup<'a>> = Vec::new();
        if let Some(tags) = self.tree.get("tags").and_then(Value::as_array) {
            for t in tags {
                if let Some(name) = t.get("name").and_then(Value::as_str) {
                    if !groups.iter().any(|g| g.name == name) {
                        groups.push(TagGroup {
                            name: name.to_string(),
                            decl: Some(t),
                            ops: Vec::new(),
                            first_of: Vec::new(),
                        });
                    }
                }
            }
        }
        let mut untagged = Vec::new();
        for (i, op) in self.ops.iter().enumerate() {
            let names: Vec<&str> = op
                .op
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if names.is_empty() {
                untagged.push(i);
            }
            let mut placed = false;
            for name in names {
                let g = match groups.iter().position(|g| g.name == name) {
                    Some(g) => g,
                    None => {
                        groups.push(TagGroup {
                            name: name.to_string(),
                            decl: None,
                            ops: Vec::new(),
                            first_of: Vec::new(),
                        });
                        groups.len() - 1
                    }
                };
                if !groups[g].ops.contains(&i) {
                    groups[g].ops.push(i);
                    groups[g].first_of.push(!placed);
                    placed = true;
                }
            }
        }
        if !untagged.is_empty() {
            let first_of = vec![true; untagged.len()];
            groups.push(TagGroup {
                name: "untagged".to_string(),
                decl: None,
                ops: untagged,
                first_of,
            });
        }
        groups
    }

    fn field_line(&mut self, label: &str, v: &Value) {
        let name = v.get("name").and_then(Value::as_str);
        let url = v.get("url").and_then(Value::as_str);
        let email = v.get("email").and_then(Value::as_str);
        let mut parts = Vec::new();
        match (name, url) {
            (Some(n), Some(u)) => parts.push(link_or_text(u, &esc(n))),
            (Some(n), None) => parts.push(esc(n)),
            (None, Some(u)) => parts.push(link_or_text(u, &esc(u))),
            (None, None) => {}
        }
        if let Some(e) = email {
            parts.push(link_or_text(&format!("mailto:{e}"), &esc(e)));
        }
        if !parts.is_empty() {
            let _ = writeln!(self.out, "<p>{label}: {}</p>", parts.join(", "));
        }
    }

    fn servers(&mut self, id: &str) {
        let _ = writeln!(
            self.out,
            "<section id=\"{}\" class=\"servers\">\n<h2>Servers</h2>",
            esc(id)
        );
        let servers = self
            .tree
            .get("servers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if servers.is_empty() {
            self.out
                .push_str("<p class=\"muted\">None declared (the server is <code>/</code>).</p>\n");
        } else {
            self.out.push_str(
                "<table>\n<thead><tr><th>URL</th><th>Description</th><th>Variables</th><th>Extensions</th></tr></thead>\n<tbody>\n",
            );
            for s in &servers {
                self.out.push_str("<tr><td>");
                if let Some(u) = s.get("url").and_then(Value::as_str) {
                    let _ = write!(self.out, "<code>{}</code>", esc(u));
                }
                self.out.push_str("</td><td class=\"desc\">");
                if let Some(d) = s.get("description").and_then(Value::as_str) {
                    self.markdown(d);
                }
                self.out.push_str("</td><td>");
                if let Some(vars) = s.get("variables").and_then(Value::as_object) {
                    self.out.push_str("<ul class=\"constraints\">");
                    for (n, var) in vars {
                        let _ = write!(self.out, "<li><code>{}</code>", esc(n));
                        if let Some(d) = var.get("default") {
                            let _ = write!(self.out, " default <code>{}</code>", json_inline(d));
                        }
                        if let Some(e) = var.get("enum") {
                            let _ = write!(self.out, ", one of <code>{}</code>", json_inline(e));
                        }
                        if let Some(d) = var.get("description").and_then(Value::as_str) {
                            self.out.push_str("<div class=\"desc\">");
                            self.markdown(d);
                            self.out.push_str("</div>");
                        }
                        self.out.push_str("</li>");
                    }
                    self.out.push_str("</ul>");
                }
                self.out.push_str("</td><td>");
                self.extensions_inline(s);
                self.out.push_str("</td></tr>\n");
            }
            self.out.push_str("</tbody>\n</table>\n");
        }
        self.out.push_str("</section>\n");
    }

    fn security(&mut self, id: &str) {
        let _ = writeln!(
            self.out,
            "<section id=\"{}\" class=\"security\">\n<h2>Security</h2>",
            esc(id)
        );
        match self.tree.get("security") {
            Some(req) => {
                let _ = writeln!(
                    self.out,
                    "<p>Required by default (any one of): {}</p>",
                    security_requirements(req)
                );
            }
            None => self
                .out
                .push_str("<p class=\"muted\">No security requirement by default.</p>\n"),
        }
        let schemes = self
            .tree
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        if let Some(schemes) = schemes {
            self.out.push_str(
                "<table>\n<thead><tr><th>Scheme</th><th>Type</th><th>Details</th><th>Description</th></tr></thead>\n<tbody>\n",
            );
            for (n, s) in schemes {
                let s = self.deref(s);
                let _ = write!(self.out, "<tr><td><code>{}</code></td><td>", esc(n));
                if let Some(t) = s.get("type").and_then(Value::as_str) {
                    self.out.push_str(&esc(t));
                }
                self.out.push_str("</td><td><ul class=\"constraints\">");
                if let Some(obj) = s.as_object() {
                    for (k, v) in obj {
                        if matches!(k.as_str(), "type" | "description") {
                            continue;
                        }
                        let _ = write!(
                            self.out,
                            "<li>{}: <code>{}</code></li>",
                            esc(k),
                            json_inline(v)
                        );
                    }
                }
                self.out.push_str("</ul></td><td class=\"desc\">");
                if let Some(d) = s.get("description").and_then(Value::as_str) {
                    self.markdown(d);
                }
                self.out.push_str("</td></tr>\n");
            }
            self.out.push_str("</tbody>\n</table>\n");
        } else {
            self.out
                .push_str("<p class=\"muted\">No security schemes declared.</p>\n");
        }
        self.out.push_str("</section>\n");
    }

    fn tag(&mut self, t: &TagGroup<'a>, id: &str) {
        let _ = writeln!(
            self.out,
            "<section id=\"{}\" class=\"tag\" data-tag=\"{}\">\n<h2>{}</h2>",
            esc(id),
            esc(&t.name),
            esc(&t.name)
        );
        if let Some(d) = t
            .decl
            .and_then(|d| d.get("description"))
            .and_then(Value::as_str)
        {
            self.out.push_str("<div class=\"desc\">");
            self.markdown(d);
            self.out.push_str("</div>\n");
        }
        if t.ops.is_empty() {
            self.out
                .push_str("<p class=\"muted\">No operation has this tag.</p>\n");
        }
        for (&i, &first) in t.ops.iter().zip(&t.first_of) {
            if first {
                self.operation(i);
            } else {
                let op = &self.ops[i];
                let line = format!(
                    "<p>Also: <a href=\"#{}\">{}</a> (described under its first tag)</p>\n",
                    esc(&op.id),
                    esc(&op_label(op))
                );
                self.out.push_str(&line);
            }
        }
        self.out.push_str("</section>\n");
    }

    fn operation(&mut self, i: usize) {
        let (method, path, op, item, id) = {
            let o = &self.ops[i];
            (o.method, o.path, o.op, o.item, o.id.clone())
        };
        let _ = writeln!(
            self.out,
            "<article class=\"operation\" id=\"{}\">\n<h3><span class=\"method method-{method}\">{method}</span> <code class=\"path\">{}</code></h3>",
            esc(&id),
            esc(path)
        );
        let mut meta = Vec::new();
        if let Some(s) = op.get("summary").and_then(Value::as_str) {
            meta.push(format!("<strong>{}</strong>", esc(s)));
        }
        if let Some(oid) = op.get("operationId").and_then(Value::as_str) {
            meta.push(format!(
                "<span class=\"muted\">operationId</span> <code>{}</code>",
                esc(oid)
            ));
        }
        if op.get("deprecated") == Some(&Value::Bool(true)) {
            meta.push("<span class=\"badge\">deprecated</span>".into());
        }
        if !meta.is_empty() {
            let _ = writeln!(self.out, "<p>{}</p>", meta.join(" · "));
        }
        for d in [item.get("description"), op.get("description")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            self.out.push_str("<div class=\"desc\">");
            self.markdown(d);
            self.out.push_str("</div>\n");
        }
        if let Some(sec) = op.get("security") {
            let _ = writeln!(
                self.out,
                "<p>Security (any one of): {}</p>",
                security_requirements(sec)
            );
        }
        self.extensions_block(&Value::Object(op.clone()));

        // Parameters: the path item's, replaced by the operation's of the same name and place.
        let mut params: Vec<&'a Value> = Vec::new();
        for list in [item.get("parameters"), op.get("parameters")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
        {
            for p in list {
                let key = |v: &Value| {
                    let v = self.deref(v);
                    (
                        v.get("name").and_then(Value::as_str).map(str::to_string),
                        v.get("in").and_then(Value::as_str).map(str::to_string),
                    )
                };
                let k = key(p);
                params.retain(|q| key(q) != k);
                params.push(p);
            }
        }
        if !params.is_empty() {
            self.out.push_str("<h4>Parameters</h4>\n<table>\n<thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Constraints</th><th>Default</th><th>Description</th></tr></thead>\n<tbody>\n");
            for p in params {
                let p = self.deref(p);
                let schema = p.get("schema").map(|s| (s, self.deref(s)));
                let required = p.get("required") == Some(&Value::Bool(true));
                let _ = write!(
                    self.out,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>",
                    esc(p.get("name").and_then(Value::as_str).unwrap_or("")),
                    esc(p.get("in").and_then(Value::as_str).unwrap_or("")),
                    schema.map(|(s, _)| self.type_label(s)).unwrap_or_default(),
                    required_cell(required)
                );
                let mut cons = schema.map(|(_, s)| constraints(s)).unwrap_or_default();
                if let Some(obj) = p.as_object() {
                    for (k, v) in obj {
                        if k.starts_with("x-")
                            || matches!(
                                k.as_str(),
                                "style" | "explode" | "allowEmptyValue" | "allowReserved"
                            )
                        {
                            cons.push(format!("{}: <code>{}</code>", esc(k), json_inline(v)));
                        }
                    }
                }
                if p.get("deprecated") == Some(&Value::Bool(true)) {
                    cons.push("deprecated".into());
                }
                self.out.push_str(&constraint_list(&cons));
                self.out.push_str("</td><td>");
                if let Some(d) = schema.and_then(|(_, s)| s.get("default")) {
                    let _ = write!(self.out, "<code>{}</code>", json_inline(d));
                }
                self.out.push_str("</td><td class=\"desc\">");
                if let Some(d) = p.get("description").and_then(Value::as_str) {
                    self.markdown(d);
                }
                self.examples_inline(p);
                if let Some((_, s)) = schema {
                    self.examples_inline(s);
                }
                self.out.push_str("</td></tr>\n");
            }
            self.out.push_str("</tbody>\n</table>\n");
        }

        if let Some(body) = op.get("requestBody") {
            let body = self.deref(body);
            let required = body.get("required") == Some(&Value::Bool(true));
            let _ = writeln!(
                self.out,
                "<h4>Request body{}</h4>",
                if required {
                    " <span class=\"req\">(required)</span>"
                } else {
                    " <span class=\"muted\">(optional)</span>"
                }
            );
            if let Some(d) = body.get("description").and_then(Value::as_str) {
                self.out.push_str("<div class=\"desc\">");
                self.markdown(d);
                self.out.push_str("</div>\n");
            }
            self.content(body);
        }

        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            self.out.push_str("<h4>Responses</h4>\n");
            for (status, r) in responses {
                let r = self.deref(r);
                let _ = writeln!(
                    self.out,
                    "<div class=\"response\">\n<h5><code>{}</code></h5>",
                    esc(status)
                );
                if let Some(d) = r.get("description").and_then(Value::as_str) {
                    self.out.push_str("<div class=\"desc\">");
                    self.markdown(d);
                    self.out.push_str("</div>\n");
                }
                self.extensions_block(r);
                if let Some(headers) = r.get("headers").and_then(Value::as_object) {
                    self.out.push_str("<table>\n<thead><tr><th>Header</th><th>Type</th><th>Required</th><th>Constraints</th><th>Description</th></tr></thead>\n<tbody>\n");
                    for (n, h) in headers {
                        let h = self.deref(h);
                        let schema = h.get("schema");
                        let _ = write!(
                            self.out,
                            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"desc\">",
                            esc(n),
                            schema.map(|s| self.type_label(s)).unwrap_or_default(),
                            required_cell(h.get("required") == Some(&Value::Bool(true))),
                            constraint_list(
                                &schema.map(|s| constraints(self.deref(s))).unwrap_or_default()
                            )
                        );
                        if let Some(d) = h.get("description").and_then(Value::as_str) {
                            self.markdown(d);
                        }
                        self.out.push_str("</td></tr>\n");
                    }
                    self.out.push_str("</tbody>\n</table>\n");
                }
                self.content(r);
                self.out.push_str("</div>\n");
            }
        }
        if let Some(cb) = op.get("callbacks") {
            self.out.push_str("<h4>Callbacks</h4>\n");
            self.json_block(cb);
        }
        self.out.push_str("</article>\n");
    }

    /// The `content` of a request body or response: per media type, its schema (type and
    /// fields) and its examples as JSON.
    fn content(&mut self, holder: &'a Value) {
        let Some(content) = holder.get("content").and_then(Value::as_object) else {
            return;
        };
        for (media, m) in content {
            let _ = write!(self.out, "<p>Media type <code>{}</code>", esc(media));
            if let Some(s) = m.get("schema") {
                let _ = write!(self.out, ": {}", self.type_label(s));
            }
            self.out.push_str("</p>\n");
            if let Some(s) = m.get("schema") {
                let resolved = self.deref(s);
                if let Some(d) = resolved.get("description").and_then(Value::as_str) {
                    self.out.push_str("<div class=\"desc\">");
                    self.markdown(d);
                    self.out.push_str("</div>\n");
                }
                let cons = constraints(resolved);
                if !cons.is_empty() {
                    self.out.push_str(&constraint_list(&cons));
                }
                self.fields_table(resolved);
            }
            if let Some(e) = m.get("example") {
                self.out.push_str("<p>Example:</p>\n");
                self.json_block(e);
            }
            if let Some(examples) = m.get("examples").and_then(Value::as_object) {
                for (n, e) in examples {
                    self.example(n, e);
                }
            }
        }
    }

    fn example(&mut self, name: &str, e: &'a Value) {
        let e = self.deref(e);
        let _ = write!(self.out, "<p>Example <code>{}</code>", esc(name));
        if let Some(s) = e.get("summary").and_then(Value::as_str) {
            let _ = write!(self.out, ": {}", esc(s));
        }
        self.out.push_str("</p>\n");
        if let Some(d) = e.get("description").and_then(Value::as_str) {
            self.out.push_str("<div class=\"desc\">");
            self.markdown(d);
            self.out.push_str("</div>\n");
        }
        if let Some(v) = e.get("value") {
            self.json_block(v);
        } else if let Some(u) = e.get("externalValue").and_then(Value::as_str) {
            let _ = writeln!(
                self.out,
                "<p>External value: {}</p>",
                link_or_text(u, &esc(u))
            );
        }
    }

    /// The `example` and `examples` of a parameter or schema, inline in a table cell.
    fn examples_inline(&mut self, v: &'a Value) {
        if let Some(e) = v.get("example") {
            let _ = write!(
                self.out,
                "<div>Example: <code>{}</code></div>",
                json_inline(e)
            );
        }
        match v.get("examples") {
            Some(Value::Object(examples)) => {
                for (n, e) in examples {
                    let e = self.deref(e);
                    if let Some(val) = e.get("value") {
                        let _ = write!(
                            self.out,
                            "<div>Example <code>{}</code>: <code>{}</code></div>",
                            esc(n),
                            json_inline(val)
                        );
                    }
                }
            }
            Some(Value::Array(examples)) => {
                for e in examples {
                    let _ = write!(
                        self.out,
                        "<div>Example: <code>{}</code></div>",
                        json_inline(e)
                    );
                }
            }
            _ => {}
        }
    }

    /// A table of the fields of an object schema (nested inline objects and arrays of them
    /// flattened with dotted names); nothing for a schema without properties.
    fn fields_table(&mut self, schema: &'a Value) {
        let mut rows = Vec::new();
        self.field_rows(schema, "", 0, &mut rows);
        if rows.is_empty() {
            return;
        }
        self.out.push_str("<table>\n<thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Constraints</th><th>Default</th><th>Description</th></tr></thead>\n<tbody>\n");
        for r in rows {
            self.out.push_str(&r);
        }
        self.out.push_str("</tbody>\n</table>\n");
    }

    fn field_rows(&self, schema: &'a Value, prefix: &str, depth: usize, rows: &mut Vec<String>) {
        if depth > MAX_DEPTH {
            return;
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // allOf members' properties are the object's too.
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for member in all {
                if member.get("$ref").is_none() {
                    self.field_rows(member, prefix, depth + 1, rows);
                }
            }
        }
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, prop) in props {
            let full = format!("{prefix}{name}");
            let resolved = self.deref(prop);
            let mut row = format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>",
                esc(&full),
                self.type_label(prop),
                required_cell(required.contains(&name.as_str())),
                constraint_list(&constraints(resolved))
            );
            if let Some(d) = resolved.get("default") {
                let _ = write!(row, "<code>{}</code>", json_inline(d));
            }
            row.push_str("</td><td class=\"desc\">");
            if let Some(d) = resolved.get("description").and_then(Value::as_str) {
                row.push_str(&markdown_html(d));
            }
            if let Some(e) = resolved.get("example") {
                let _ = write!(row, "<div>Example: <code>{}</code></div>", json_inline(e));
            }
            row.push_str("</td></tr>\n");
            rows.push(row);
            // Inline (not $ref) nested objects and arrays of inline objects.
            if prop.get("$ref").is_none() {
                if prop.get("properties").is_some() || prop.get("allOf").is_some() {
                    self.field_rows(prop, &format!("{full}."), depth + 1, rows);
                } else if let Some(items) = prop.get("items") {
                    if items.get("$ref").is_none()
                        && (items.get("properties").is_some() || items.get("allOf").is_some())
                    {
                        self.field_rows(items, &format!("{full}[]."), depth + 1, rows);
                    }
                }
            }
        }
    }

    fn schema_section(&mut self, name: &str, id: &str, schema: &'a Value) {
        let _ = writeln!(
            self.out,
            "<article class=\"schema\" id=\"{}\">\n<h3>{}</h3>",
            esc(id),
            esc(name)
        );
        let _ = writeln!(self.out, "<p>Type: {}</p>", self.type_label(schema));
        let resolved = self.deref(schema);
        if let Some(d) = resolved.get("description").and_then(Value::as_str) {
            self.out.push_str("<div class=\"desc\">");
            self.markdown(d);
            self.out.push_str("</div>\n");
        }
        let cons = constraints(resolved);
        if !cons.is_empty() {
            self.out.push_str(&constraint_list(&cons));
        }
        self.fields_table(resolved);
        if let Some(e) = resolved.get("example") {
            self.out.push_str("<p>Example:</p>\n");
            self.json_block(e);
        }
        self.out.push_str("</article>\n");
    }

    /// A schema's type as HTML: a `$ref` to a component schema links to its section.
    fn type_label(&self, schema: &Value) -> String {
        self.type_label_at(schema, 0)
    }

    fn type_label_at(&self, schema: &Value, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return "…".into();
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return match r.strip_prefix("#/components/schemas/") {
                Some(n) if !n.contains('/') => {
                    let n = unescape_pointer(n);
                    match self.schema_anchor_of(&n) {
                        Some(anchor) => format!("<a href=\"#{}\">{}</a>", esc(anchor), esc(&n)),
                        None => format!("<code>{}</code>", esc(r)),
                    }
                }
                _ => format!("<code>{}</code>", esc(r)),
            };
        }
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let mut label = None;
        for (key, word) in [
            ("oneOf", "one of"),
            ("anyOf", "any of"),
            ("allOf", "all of"),
        ] {
            if let Some(list) = schema.get(key).and_then(Value::as_array) {
                let parts: Vec<String> = list
                    .iter()
                    .map(|s| self.type_label_at(s, depth + 1))
                    .collect();
                label = Some(format!("{word} ({})", parts.join(" | ")));
            }
        }
        let label = label.unwrap_or_else(|| {
            let ty = schema.get("type").and_then(Value::as_str);
            match ty {
                Some("array") => match schema.get("items") {
                    Some(items) => format!("array of {}", self.type_label_at(items, depth + 1)),
                    None => "array".into(),
                },
                Some("object") | None
                    if schema.get("properties").is_none()
                        && matches!(schema.get("additionalProperties"), Some(Value::Object(m)) if !m.is_empty()) =>
                {
                    format!(
                        "map of string to {}",
                        self.type_label_at(&schema["additionalProperties"], depth + 1)
                    )
                }
                Some(t) => {
                    let mut s = esc(t);
                    if let Some(f) = schema.get("format").and_then(Value::as_str) {
                        let _ = write!(s, " ({})", esc(f));
                    }
                    s
                }
                None if schema.get("properties").is_some() => "object".into(),
                None => "any".into(),
            }
        });
        if nullable {
            format!("{label} | null")
        } else {
            label
        }
    }

    /// The anchor of a component schema's section (as given out in `render`).
    fn schema_anchor_of(&self, name: &str) -> Option<&str> {
        self.schema_ids
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.as_str())
    }

    fn markdown(&mut self, text: &str) {
        self.out.push_str(&markdown_html(text));
    }

    fn json_block(&mut self, v: &Value) {
        let json = serde_json::to_string_pretty(v).expect("a JSON tree serializes");
        let _ = writeln!(
            self.out,
            "<pre><code class=\"json\">{}</code></pre>",
            esc(&json)
        );
    }

    /// `x-` extensions of an object as a list of JSON values.
    fn extensions_inline(&mut self, v: &Value) {
        let ext = extensions(v);
        if !ext.is_empty() {
            self.out.push_str(&constraint_list(&ext));
        }
    }

    fn extensions_block(&mut self, v: &Value) {
        let ext = extensions(v);
        if !ext.is_empty() {
            self.out.push_str("<p>Extensions:</p>\n");
            self.out.push_str(&constraint_list(&ext));
        }
    }
}

struct TagGroup<'a> {
    name: String,
    decl: Option<&'a Value>,
    /// Indices into `Page::ops`.
    ops: Vec<usize>,
    /// For each of `ops`: whether this is the operation's first tag (where it is described).
    first_of: Vec<bool>,
}

fn op_label(op: &Op) -> String {
    match op.op.get("summary").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => format!("{} {}", op.method.to_uppercase(), s),
        _ => format!("{} {}", op.method.to_uppercase(), op.path),
    }
}

fn schema_anchor(name: &str) -> String {
    format!("schema-{}", name.replace(char::is_whitespace, "-"))
}

fn unescape_pointer(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

/// `base`, or `base-2`, `base-3`... whichever is not in `ids` yet; recorded in `ids`.
fn unique(ids: &mut HashSet<String>, base: String) -> String {
    let base = if base.is_empty() { "id".into() } else { base };
    let mut id = base.clone();
    let mut n = 2;
    while ids.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    ids.insert(id.clone());
    id
}

/// Lowercase ASCII letters and digits, every other run of characters one `-`, none at the
/// ends; non-ASCII letters and digits are kept (lowercased).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn required_cell(required: bool) -> &'static str {
    if required {
        "<span class=\"req\">yes</span>"
    } else {
        "no"
    }
}

fn security_requirements(req: &Value) -> String {
    let Some(list) = req.as_array() else {
        return format!("<code>{}</code>", json_inline(req));
    };
    if list.is_empty() {
        return "none (no authentication)".into();
    }
    list.iter()
        .map(|r| match r.as_object() {
            Some(m) if m.is_empty() => "none (anonymous)".to_string(),
            Some(m) => m
                .iter()
                .map(|(k, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .filter(|a| !a.is_empty())
                        .map(|a| {
                            format!(
                                " (scopes <code>{}</code>)",
                                json_inline(&Value::Array(a.clone()))
                            )
                        })
                        .unwrap_or_default();
                    format!("<code>{}</code>{scopes}", esc(k))
                })
                .collect::<Vec<_>>()
                .join(" and "),
            None => format!("<code>{}</code>", json_inline(r)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The constraints of a schema, as HTML list items' contents.
fn constraints(s: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = s.as_object() else {
        return out;
    };
    for (k, v) in obj {
        let item = match k.as_str() {
            "minLength" | "maxLength" | "minimum" | "maximum" | "exclusiveMinimum"
            | "exclusiveMaximum" | "multipleOf" | "minItems" | "maxItems" | "uniqueItems"
            | "minProperties" | "maxProperties" | "pattern" => {
                format!("{}: <code>{}</code>", esc(k), json_inline(v))
            }
            "enum" => format!("one of <code>{}</code>", json_inline(v)),
            "readOnly" | "writeOnly" | "deprecated" if v == &Value::Bool(true) => esc(k),
            "additionalProperties" if v == &Value::Bool(false) => "no additional properties".into(),
            "additionalProperties" if v == &Value::Bool(true) => {
                "additional properties allowed".into()
            }
            "discriminator" => format!("discriminator: <code>{}</code>", json_inline(v)),
            _ if k.starts_with("x-") => format!("{}: <code>{}</code>", esc(k), json_inline(v)),
            _ => continue,
        };
        out.push(item);
    }
    out
}

fn extensions(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.starts_with("x-"))
                .map(|(k, v)| format!("{}: <code>{}</code>", esc(k), json_inline(v)))
                .collect()
        })
        .unwrap_or_default()
}

fn constraint_list(items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut s = String::from("<ul class=\"constraints\">");
    for i in items {
        let _ = write!(s, "<li>{i}</li>");
    }
    s.push_str("</ul>");
    s
}

/// Compact JSON, HTML-escaped.
fn json_inline(v: &Value) -> String {
    esc(&serde_json::to_string(v).expect("a JSON tree serializes"))
}

/// Text for HTML content and double- or single-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A link to `url` when it is `http:`, `https:` or `mailto:`, else the text alone.
fn link_or_text(url: &str, text_html: &str) -> String {
    if safe_url(url) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{text_html}</a>",
            esc(url)
        )
    } else {
        text_html.to_string()
    }
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// CommonMark `text` as HTML with nothing of the spec's markup passed through: raw HTML is
/// text, images are their alt text, links to anything but `http:`, `https:`, `mailto:` or a
/// `#fragment` are their text, and headings start at `<h5>`.
pub fn markdown_html(text: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut link_depth_dropped: Vec<bool> = Vec::new();
    let events = Parser::new_ext(text, opts).filter_map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let keep = safe_url(&dest_url)
                || (dest_url.starts_with('#')
                    && !dest_url
                        .chars()
                        .any(|c| c.is_control() || c.is_whitespace()));
            link_depth_dropped.push(!keep);
            keep.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => {
            let dropped = link_depth_dropped.pop().unwrap_or(true);
            (!dropped).then_some(Event::End(TagEnd::Link))
        }
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: shift(level),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(shift(level)))),
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn shift(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 | HeadingLevel::H4 => {
            HeadingLevel::H5
        }
        _ => HeadingLevel::H6,
    }
}
