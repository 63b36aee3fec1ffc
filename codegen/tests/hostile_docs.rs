//! No spec text becomes a doctest: every doc comment generated from
//! `tests/fixtures/hostile_docs.yaml` (whose descriptions hide Rust code in `~~~` fences, block
//! quotes, list items, indented blocks and HTML `<pre>` blocks) is parsed back with
//! pulldown-cmark, and every code block in it must be a fenced `text` block.
//!
//! `tests/constructs.rs` also runs `cargo test` (doctests included) on a crate generated from
//! every fixture, this one among them.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

/// The doc comments of a Rust file: runs of `///` or `//!` lines, their markers removed.
fn doc_comments(source: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current: Option<(&str, Vec<&str>)> = None;
    for line in source.lines() {
        let t = line.trim_start();
        let marker = ["///", "//!"].into_iter().find(|m| t.starts_with(m));
        match (marker, &mut current) {
            (Some(m), Some((cm, lines))) if *cm == m => lines.push(&t[3..]),
            (Some(m), _) => {
                if let Some((_, lines)) = current.take() {
                    docs.push(lines.join("\n"));
                }
                current = Some((m, vec![&t[3..]]));
            }
            (None, _) => {
                if let Some((_, lines)) = current.take() {
                    docs.push(lines.join("\n"));
                }
            }
        }
    }
    if let Some((_, lines)) = current {
        docs.push(lines.join("\n"));
    }
    docs
}

#[test]
fn every_code_block_in_generated_docs_is_text() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile_docs.yaml");
    let mut config = codegen::Config::new();
    config
        .spec(&fixture)
        .out_dir("/nonexistent/hostile-crate")
        .crate_name("hostile-crate")
        .examples(true);
    let out = config.render().unwrap_or_else(|e| panic!("{e}"));
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut text_blocks = 0;
    for f in &out.files {
        if f.path.extension().is_none_or(|x| x != "rs")
            || f.path == std::path::Path::new("src/runtime.rs")
        {
            continue;
        }
        assert!(
            !f.contents.contains('\r'),
            "{}: a CR in the output",
            f.path.display()
        );
        for doc in doc_comments(&f.contents) {
            // rustc refuses characters that change the direction of text in a comment.
            assert!(
                !doc.contains(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
                "{}: a text-direction character in a doc comment:\n{doc}",
                f.path.display()
            );
            for event in Parser::new_ext(&doc, options) {
                if let Event::Start(Tag::CodeBlock(kind)) = event {
                    match kind {
                        CodeBlockKind::Fenced(info) if &*info == "text" => text_blocks += 1,
                        other => panic!(
                            "{}: a {other:?} code block in a doc comment:\n{doc}",
                            f.path.display()
                        ),
                    }
                }
            }
        }
    }
    // Each hostile block of the fixture is still there, shown as text.
    assert!(text_blocks >= 10, "only {text_blocks} text blocks");
}

#[test]
fn the_doc_comment_reader_sees_rust_blocks() {
    let docs = doc_comments("/// a\n/// ```\n/// x\n/// ```\nfn f() {}\n//! b\n");
    assert_eq!(docs, vec![" a\n ```\n x\n ```", " b"]);
}
