//! The HTML API reference (`codegen::reference`, `dist/<name>.html`): spec text escaped, never
//! passed through; every operation and tag anchored; the committed pages complete.

use std::path::Path;

use codegen::reference::{esc, render, slug};
use serde_json::{json, Value};

/// Every `<` of the page opens markup the renderer wrote (spec text has its `<` escaped), so
/// the page is safe when every tag is one of the renderer's elements with only its attributes,
/// and every link goes to a fragment or to `http:`, `https:` or `mailto:`.
fn assert_inert(html: &str) {
    const ELEMENTS: &[&str] = &[
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "div",
        "nav",
        "main",
        "header",
        "section",
        "article",
        "ul",
        "ol",
        "li",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "span",
        "code",
        "pre",
        "strong",
        "em",
        "del",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
        "hr",
        "blockquote",
        "input",
    ];
    const ATTRIBUTES: &[&str] = &[
        "lang",
        "charset",
        "http-equiv",
        "content",
        "name",
        "class",
        "id",
        "href",
        "rel",
        "data-tag",
        "aria-label",
        "start",
        "disabled",
        "type",
        "checked",
        "title",
        "style",
    ];
    let mut rest = html;
    let mut metas = 0;
    while let Some(i) = rest.find('<') {
        let tag_end = rest[i..].find('>').expect("every tag closes") + i;
        let tag = &rest[i + 1..tag_end];
        rest = &rest[tag_end + 1..];
        if tag.starts_with("!DOCTYPE") {
            continue;
        }
        let tag = tag.trim_start_matches('/').trim_end_matches('/');
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(ELEMENTS.contains(&name), "<{tag}> in the page");
        if name == "style" && attrs.contains('=') {
            panic!("<{tag}>");
        }
        while !attrs.trim().is_empty() {
            attrs = attrs.trim_start();
            let n_end = attrs.find(['=', ' ']).unwrap_or(attrs.len());
            let attr = &attrs[..n_end];
            assert!(ATTRIBUTES.contains(&attr), "attribute {attr} in <{tag}>");
            assert!(attr != "style" || name == "style", "style= in <{tag}>");
            attrs = &attrs[n_end..];
            if let Some(v) = attrs.strip_prefix("=\"") {
                let v_end = v.find('"').expect("quoted attribute");
                let value = &v[..v_end];
                if attr == "href" {
                    assert!(
                        value.starts_with('#')
                            || value.starts_with("https://")
                            || value.starts_with("http://")
                            || value.starts_with("mailto:"),
                        "href={value} in <{tag}>"
                    );
                }
                if attr == "http-equiv" {
                    metas += 1;
                }
                attrs = &v[v_end + 1..];
            }
        }
    }
    // The only <meta http-equiv> is the CSP forbidding every fetch and script.
    assert_eq!(metas, 1);
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'"));
}

fn hostile() -> Value {
    let evil = "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) ![pic](https://evil.example/x.png) <a href=\"https://evil.example\" onclick=\"x()\">a</a>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n[ok](https://example.com/docs) [frag](#createThing) <svg onload=alert(1)>";
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "</title><script>alert('title')</script>",
            "version": "1\"><script>",
            "description": evil,
            "contact": {"name": "x", "url": "javascript:alert(1)"},
            "termsOfService": "data:text/html,<script>alert(1)</script>"
        },
        "servers": [{"url": "https://h/<script>", "description": evil,
                     "variables": {"v": {"default": "<b>", "description": evil}}}],
        "tags": [{"name": "<b onmouseover=alert(1)>Things</b>", "description": evil}],
        "paths": {
            "/things/{id}<script>": {
                "get": {
                    "operationId": "getThing\" onclick=\"alert(1)",
                    "tags": ["<b onmouseover=alert(1)>Things</b>"],
                    "summary": "<script>alert('summary')</script>",
                    "description": evil,
                    "parameters": [{"name": "id<script>", "in": "path", "required": true,
                                    "description": evil,
                                    "schema": {"type": "string", "pattern": "</td><script>",
                                               "default": "<script>", "example": "<img src=x>"}}],
                    "responses": {
                        "200": {"description": evil, "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Th<script>ing"},
                            "examples": {"<script>": {"summary": "<script>", "description": evil,
                                          "value": {"a": "</code></pre><script>alert(1)</script>"}}}
                        }}}
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {"k<script>": {"type": "apiKey", "in": "header", "name": "<script>",
                                              "description": evil, "x-evil": "<script>"}},
            "schemas": {"Th<script>ing": {"type": "object", "description": evil,
                "properties": {"<script>": {"type": "string", "description": evil,
                                            "enum": ["<script>"], "x-e": "<img src=x>"}},
                "example": {"<script>": "<script>"}}}
        }
    })
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let html = render(&hostile(), "hostile");
    assert_inert(&html);
    // The text is there, escaped.
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    // A safe link stays a link, with rel; a fragment link too; the javascript: link is text.
    assert!(
        html.contains("<a href=\"https://example.com/docs\""),
        "{html}"
    );
    assert!(html.contains("<a href=\"#createThing\""), "{html}");
    assert!(html.contains(">click<") || html.contains("click"), "{html}");
    // The operation's id is its operationId, as an escaped attribute value.
    assert!(
        html.contains("id=\"getThing&quot; onclick=&quot;alert(1)\""),
        "{html}"
    );
    assert!(
        html.contains("<title>&lt;/title&gt;&lt;script&gt;"),
        "{html}"
    );
}

#[test]
fn markdown_keeps_prose_and_code_but_not_raw_html() {
    let out = codegen::reference::markdown_html(
        "# Heading\n\nSome *prose*, `code <b>`, **bold**.\n\n```\n<script>x</script>\n```\n\n| a | b |\n|---|---|\n| <i>1</i> | 2 |\n",
    );
    assert!(out.contains("<h5>Heading</h5>"), "{out}");
    assert!(out.contains("<em>prose</em>") && out.contains("<strong>bold</strong>"));
    assert!(out.contains("<code>code &lt;b&gt;</code>"), "{out}");
    assert!(out.contains("&lt;script&gt;x&lt;/script&gt;"), "{out}");
    assert!(
        out.contains("<table>") && out.contains("&lt;i&gt;1&lt;/i&gt;"),
        "{out}"
    );
    assert!(!out.contains("<i>") && !out.contains("<script"), "{out}");
}

#[test]
fn slugs() {
    assert_eq!(slug("Cases"), "cases");
    assert_eq!(slug("  Service tickets / v2 "), "service-tickets-v2");
    assert_eq!(slug("<b>"), "b");
    assert_eq!(slug("---"), "");
    assert_eq!(
        esc("<a href='x'>&\""),
        "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
    );
}

/// Operations with several tags, none, undeclared tags, no operationId, and operationIds
/// that clash with the page's own section ids: every one gets its id exactly once, every tag
/// a section, and no id repeats.
#[test]
fn every_operation_and_tag_has_its_unique_anchor() {
    let tree = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "tags": [{"name": "Alpha Beta"}, {"name": "Unused"}, {"name": "alpha-beta"}],
        "paths": {
            "/a": {
                "get": {"operationId": "servers", "tags": ["Alpha Beta", "Gamma"],
                        "responses": {"200": {"description": "ok"}}},
                "post": {"operationId": "schema-Thing", "tags": ["Gamma"],
                         "responses": {"200": {"description": "ok"}}},
                "delete": {"responses": {"204": {"description": "gone"}}}
            },
            "/b/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true,
                                "schema": {"type": "string", "maxLength": 3}}],
                "put": {"operationId": "tag-alpha-beta", "tags": ["alpha-beta"],
                        "parameters": [{"name": "id", "in": "path", "required": true,
                                        "schema": {"type": "integer", "minimum": 1}}],
                        "requestBody": {"content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Thing"},
                            "example": {"name": "n"}}}},
                        "responses": {"200": {"description": "ok"}}}
            }
        },
        "components": {"schemas": {"Thing": {"type": "object", "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1},
                           "inner": {"type": "object", "properties": {"deep": {"type": "boolean"}}},
                           "list": {"type": "array", "items": {"type": "object",
                               "properties": {"x": {"type": "number", "maximum": 9}}}}}}}}
    });
    let html = render(&tree, "t");
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "repeated ids: {ids:?}");
    for op in ["servers", "schema-Thing", "tag-alpha-beta", "op-delete-a"] {
        assert!(ids.contains(&op), "{op} in {ids:?}");
        assert!(
            html.contains(&format!("<article class=\"operation\" id=\"{op}\">")),
            "{op}"
        );
    }
    for tag in ["Alpha Beta", "Unused", "alpha-beta", "Gamma", "untagged"] {
        assert_eq!(
            html.matches(&format!("data-tag=\"{tag}\"")).count(),
            1,
            "{tag}"
        );
    }
    // Section ids that clash with operation ids moved aside; the first tag slug keeps its
    // id's base, the second one of the same slug gets a suffix.
    assert!(
        ids.contains(&"servers-2") && ids.contains(&"schema-Thing-2"),
        "{ids:?}"
    );
    assert!(ids.contains(&"tag-alpha-beta-2") && ids.contains(&"tag-alpha-beta-3"));
    assert!(
        html.contains("<a href=\"#schema-Thing-2\">Thing</a>"),
        "{html}"
    );
    // `servers` (the operation) is described under Alpha Beta and linked from Gamma.
    assert!(html.contains("Also: <a href=\"#servers\">"), "{html}");
    // The operation's path parameter replaces the path item's (integer, not string).
    assert!(html.contains("<td>integer</td>") && !html.contains("maxLength: <code>3"));
    // Fields, nested fields, constraints and examples.
    for want in [
        "<code>name</code>",
        "<code>inner.deep</code>",
        "<code>list[].x</code>",
        "minLength: <code>1</code>",
        "maximum: <code>9</code>",
        "&quot;name&quot;: &quot;n&quot;",
    ] {
        assert!(html.contains(want), "{want} in\n{html}");
    }
    assert_eq!(render(&tree, "t"), html, "deterministic");
}

/// Every committed `dist/*.json` has its page, and the page has an element with the id of
/// each operationId and a section for each tag (declared or used): whatever the specs hold.
#[test]
fn committed_pages_have_every_operation_and_tag() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dist).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let tree: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let html = std::fs::read_to_string(path.with_extension("html"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.with_extension("html").display()));
        assert_inert(&html);
        let mut tags: Vec<String> = tree["tags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t["name"].as_str())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let mut ops = 0;
        for item in tree["paths"].as_object().unwrap().values() {
            for (method, op) in item.as_object().unwrap() {
                if ["parameters", "summary", "description", "servers", "$ref"]
                    .contains(&method.as_str())
                {
                    continue;
                }
                let id = op["operationId"].as_str().unwrap_or_else(|| {
                    panic!("{}: an operation without operationId", path.display())
                });
                assert_eq!(
                    html.matches(&format!("<article class=\"operation\" id=\"{}\">", esc(id)))
                        .count(),
                    1,
                    "{}: {id}",
                    path.display()
                );
                ops += 1;
                for t in op["tags"].as_array().into_iter().flatten() {
                    tags.push(t.as_str().unwrap().to_string());
                }
            }
        }
        assert!(ops > 0, "{}", path.display());
        for t in &tags {
            let s = slug(t);
            assert!(
                html.contains(&format!(" class=\"tag\" data-tag=\"{}\">", esc(t))),
                "{}: tag {t}",
                path.display()
            );
            assert!(
                html.contains(&format!("id=\"tag-{s}")),
                "{}: tag-{s}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 2, "dist/ has the bundled specs");
}
