//! Spec text as rustdoc: every description, summary and title that lands in a doc comment of
//! the generated crate goes through [`render`], so no spec text can become a doctest that
//! `cargo test` of the generated crate compiles and runs.
//!
//! The text is parsed as CommonMark (with rustdoc's extensions) and every code block (fenced
//! with backticks or tildes, indented, inside list items, block quotes or footnotes) and every
//! raw HTML block holding `<pre>`, `<code>` and the like is re-emitted as a ```` ```text ````
//! block in the same list or quote context. Everything else stays as written. The result is
//! parsed again and checked; should the check ever fail, the whole text becomes one `text`
//! block.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// The Markdown extensions rustdoc enables (`main_body_opts`).
pub fn rustdoc_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// HTML elements whose content rustdoc shows as preformatted text or does not render as
/// Markdown; a raw HTML block holding one becomes a `text` block.
const PREFORMATTED_TAGS: &[&str] = &[
    "<pre",
    "<code",
    "<xmp",
    "<listing",
    "<plaintext",
    "<script",
    "<style",
    "<textarea",
];

/// The lines of a doc comment made from spec text: no line breaks inside a line, no control
/// characters, no leading or trailing blank lines, and no code block other than `text`.
pub fn render(text: &str) -> Vec<String> {
    let text = normalize(text);
    if plain(&text) {
        // Nothing in it can open a code block or an HTML block: as the Markdown passes give.
        return tidy(&text);
    }
    render_markdown(&text)
}

/// [`render`] of normalized text, through the Markdown parser.
fn render_markdown(text: &str) -> Vec<String> {
    let out = neutralize(text);
    let lines = tidy(&out);
    if is_inert(&lines.join("\n")) {
        lines
    } else {
        tidy(&as_text_block(text))
    }
}

/// True when nothing in `text` can open a code block or an HTML block, so both Markdown passes
/// of [`render`] would leave it as it is: no fence (three backticks or tildes in a row: one
/// or two are inline code or text), no tab, and neither four spaces in a row (the least
/// indentation of an indented code block) nor a `<` where a block may open: at the start
/// of a line after spaces and list or quote markers, or after a footnote definition's or a
/// task's marker (`[^`, `[ ]`, `[x]`: they hold blocks too). Anywhere else, four spaces
/// are text and a `<` is inline HTML or text.
fn plain(text: &str) -> bool {
    fn block_may_open(before: &str) -> bool {
        ["[^", "[ ]", "[x]", "[X]"]
            .iter()
            .any(|m| before.contains(m))
            || before
                .trim_start_matches(|c: char| " >-+*.)0123456789".contains(c))
                .is_empty()
    }
    !text.contains('\t')
        && !text.contains("```")
        && !text.contains("~~~")
        && !text.lines().any(|l| {
            l.split_once('<')
                .is_some_and(|(before, _)| block_may_open(before))
                || l.split_once("    ")
                    .is_some_and(|(before, _)| block_may_open(before))
        })
}

/// Spec text used inside one line of a doc comment (a title, a version): whitespace and
/// control characters collapsed to single spaces, and a leading character that could open a
/// code fence or an HTML block escaped.
pub fn one_line(text: &str) -> String {
    let line = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if line.starts_with(['`', '~', '<']) {
        format!("\\{line}")
    } else {
        line
    }
}

/// True when every code block in `markdown` is a fenced block whose info string is `text`,
/// and no raw HTML block holds preformatted content.
pub fn is_inert(markdown: &str) -> bool {
    let mut in_html = false;
    for event in Parser::new_ext(markdown, rustdoc_options()) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "text" => {}
            Event::Start(Tag::CodeBlock(_)) => return false,
            Event::Start(Tag::HtmlBlock) => in_html = true,
            Event::End(TagEnd::HtmlBlock) => in_html = false,
            Event::Html(h) if in_html && is_preformatted(&h) => return false,
            _ => {}
        }
    }
    true
}

fn is_preformatted(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    PREFORMATTED_TAGS.iter().any(|t| lower.contains(t))
}

/// Unix line breaks, no control characters but tabs, and the common indentation removed (as
/// rustdoc removes it from the doc comment as a whole).
fn normalize(text: &str) -> String {
    // Most text has no carriage return or control character and no common indentation: it
    // only loses its last line break, as the lines joined below do.
    let clean = |t: &str| {
        !t.bytes()
            .any(|b| b < b' ' && b != b'\n' && b != b'\t' || b == 0x7f)
            && !t.chars().any(|c| c.is_control() && !c.is_ascii())
    };
    if clean(text)
        && text
            .lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with(' '))
    {
        return text.strip_suffix('\n').unwrap_or(text).to_string();
    }
    normalize_slowly(text)
}

/// [`normalize`] of any text.
fn normalize_slowly(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start_matches(' ')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A block to replace: its byte range in the source and its text.
struct Block {
    indented: bool,
    start: usize,
    end: usize,
    content: String,
}

/// Replaces every code block and preformatted HTML block by a `text` block.
fn neutralize(text: &str) -> String {
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    let mut html: Option<Block> = None;
    for (event, range) in Parser::new_ext(text, rustdoc_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                current = Some(Block {
                    indented: matches!(kind, CodeBlockKind::Indented),
                    start: range.start,
                    end: range.end,
                    content: String::new(),
                })
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            Event::Start(Tag::HtmlBlock) => {
                html = Some(Block {
                    indented: false,
                    start: range.start,
                    end: range.end,
                    content: String::new(),
                })
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(b) = html.take() {
                    if is_preformatted(&b.content) {
                        blocks.push(b);
                    }
                }
            }
            Event::Text(t) | Event::Html(t) => {
                if let Some(b) = current.as_mut().or(html.as_mut()) {
                    b.content.push_str(&t);
                }
            }
            _ => {}
        }
    }
    let mut out = text.to_string();
    for b in blocks.iter().rev() {
        let line_start = text[..b.start].rfind('\n').map_or(0, |i| i + 1);
        let mut prefix = &text[line_start..b.start];
        if b.indented {
            // The four columns of indentation that made it a code block are not context.
            let kept = prefix.trim_end_matches([' ', '\t']).len();
            let indent = &prefix[kept..];
            let drop = if indent.ends_with('\t') {
                1
            } else {
                indent.len().min(4)
            };
            prefix = &prefix[..prefix.len() - drop];
        }
        // The block ends with its last line (a closing fence, or the last line of content).
        let end = if b.end > b.start && text[..b.end].ends_with('\n') {
            b.end - 1
        } else {
            text[b.end..].find('\n').map_or(text.len(), |i| b.end + i)
        };
        if !prefix
            .chars()
            .all(|c| c.is_ascii_whitespace() || "<>-+*.)0123456789".contains(c))
        {
            return as_text_block(text);
        }
        let replacement = text_block(prefix, &b.content);
        out.replace_range(line_start..end, &replacement);
    }
    out
}

/// A ```` ```text ```` block with `content`, its first line after `prefix` (the list markers
/// and quote markers of its first line), the others after the same markers as continuation.
fn text_block(prefix: &str, content: &str) -> String {
    let continuation: String = prefix
        .chars()
        .map(|c| match c {
            '>' | '\t' => c,
            _ => ' ',
        })
        .collect();
    let fence = "`".repeat(longest_backtick_run(content).max(2) + 1);
    let mut lines = vec![format!("{prefix}{fence}text")];
    for l in content.trim_end_matches('\n').split('\n') {
        lines.push(format!("{continuation}{l}").trim_end().to_string());
    }
    lines.push(format!("{continuation}{fence}"));
    lines.join("\n")
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// The whole text as one `text` block.
fn as_text_block(text: &str) -> String {
    text_block("", text)
}

/// Lines without trailing whitespace and without leading or trailing blank lines.
fn tidy(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inert(text: &str) -> String {
        let out = render(text).join("\n");
        assert!(is_inert(&out), "not inert:\n{out}");
        out
    }

    #[test]
    fn prose_lists_links_and_inline_code_stay_as_written() {
        let text = "Some *prose* with `code` and a [link](https://example.com).\n\n- one\n- two\n  - nested\n\n1. first\n2. second";
        assert_eq!(inert(text), text);
    }

    /// The quick way of `normalize` gives what the slow way gives.
    #[test]
    fn normalizing_quickly_is_normalizing() {
        let pieces = [
            "a", " ", "  ", "\n", "\n\n", "\r", "\r\n", "\t", "\u{7}", "\u{85}", "\u{7f}", "é",
            "    x", "  y", "",
        ];
        let mut next = crate::emit::xorshift(0x5eed_1e55);
        for _ in 0..20_000 {
            let text: String = (0..next(10))
                .map(|_| pieces[next(pieces.len() as u64)])
                .collect();
            assert_eq!(normalize(&text), normalize_slowly(&text), "{text:?}");
        }
    }

    #[test]
    fn plain_text_renders_as_the_markdown_passes_render_it() {
        // Texts the shortcut takes, written to look like Markdown blocks.
        let written = [
            "para\n\n   three spaces are no code\n\nafter",
            "- a\n  - b\n   - c\n\n1. one\n2.  two\n10. ten",
            "> quote\n> > nested\n>   three",
            "Title\n=====\n\nSub\n---\n\n# Heading #",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "text[^1]\n\n[^1]: note\n   more",
            "&lt;pre&gt; is an entity, not a tag\n\n* * *\n\n- [ ] task",
            "trailing spaces   \n\n\n   \nlast",
            "inline `code`, ``two``, a ~strike~ and ~~more~~",
            "- `item`\n\n  `` ` `` after",
            "a <b>bold</b> word, x < y, and <https://example.com>",
            "aligned    columns    of text",
        ];
        for text in written {
            assert!(plain(text), "{text:?}");
            assert_eq!(tidy(text), render_markdown(text), "{text:?}");
        }
        // Generated texts: every one the shortcut takes must render alike. Pieces that make
        // Markdown blocks, joined at random (a fixed sequence).
        let pieces = [
            " ", "  ", "   ", "\n", "\n\n", "- ", "* ", "> ", "1. ", "2) ", "#", "=", "---", "|",
            "a", "word", "[x]", "[^1]: ", "+ ", "_", "&lt;", "\\", "`", "``", "~", "~~", "<",
            "<pre>", "<div>", "</p>", "<!--", "a <b>", "x<y", "[a](b) ", "[ ] ", "[X] ",
        ];
        let mut next = crate::emit::xorshift(0x2545_f491_4f6c_dd1d);
        let mut taken = 0;
        for _ in 0..4000 {
            let mut text = String::new();
            for _ in 0..12 {
                text.push_str(pieces[next(pieces.len() as u64)]);
            }
            let text = normalize(&text);
            if plain(&text) {
                taken += 1;
                assert_eq!(tidy(&text), render_markdown(&text), "{text:?}");
            }
        }
        assert!(taken > 1000, "{taken}");
        // And texts it must not take.
        for text in [
            "-     code",
            "[^1]: x    y",
            "> >    code",
            "```",
            "a\n~~~",
            "- ```x",
            "<pre>",
            "- <pre>",
            "> 1. <div>",
            "text\n<div>",
            "a\tb",
            "p\n\n    code",
        ] {
            assert!(!plain(text), "{text:?}");
        }
    }

    #[test]
    fn every_kind_of_code_block_becomes_text() {
        for text in [
            "```rust\npanic!()\n```",
            "~~~\npanic!()\n~~~",
            "~~~rust\npanic!()\n```\nstill code\n~~~",
            "para\n\n    panic!()\n\nafter",
            "> ```\n> panic!()\n> ```",
            "- item\n\n  ```\n  panic!()\n  ```\n- next",
            "- ~~~\n  panic!()\n  ~~~",
            "1. item\n\n       panic!()",
            "> - > ~~~\n>   > panic!()\n>   > ~~~",
            "text[^1]\n\n[^1]: note\n\n    ```\n    panic!()\n    ```",
            "```\nunclosed\npanic!()",
            "````\n```rust\npanic!()\n```\n````",
            "\tpanic!()",
            "-     panic!()",
        ] {
            let out = inert(text);
            assert!(out.contains("panic!()"), "content kept: {out}");
        }
    }

    #[test]
    fn html_pre_and_code_blocks_become_text() {
        for text in [
            "<pre>\nfn main() { panic!() }\n</pre>",
            "<PRE class=\"rust\">\n```rust\npanic!()\n```\n</PRE>",
            "<div><code>\npanic!()\n</code></div>",
        ] {
            let out = inert(text);
            assert!(out.trim_start_matches('`').starts_with("text\n"), "{out}");
        }
        // Other HTML stays.
        assert_eq!(inert("<p>Hello</p>"), "<p>Hello</p>");
    }

    #[test]
    fn control_characters_and_common_indentation_go() {
        assert_eq!(render("  a\r\n  b\u{7}c\r"), vec!["a", "b c"]);
        assert_eq!(render("\n\n x \n\n"), vec!["x"]);
    }

    #[test]
    fn one_line_text_cannot_start_a_block() {
        assert_eq!(one_line(" a\n\n```rust\r\tb "), "a ```rust b");
        assert_eq!(one_line("~~~rust\npanic!()"), "\\~~~rust panic!()");
    }

    #[test]
    fn fences_outlast_backticks_in_the_content() {
        let out = inert("x\n\n    a ```` b");
        assert!(out.ends_with("`````text\na ```` b\n`````"), "{out}");
    }
}
