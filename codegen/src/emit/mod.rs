//! Stage 4: emit Rust tokens from the IR, one file per concern (types, validation, client),
//! and format them with prettyplease.

pub mod client;
pub mod docs;
pub mod examples;
pub mod krate;
pub mod lines;
pub mod parallel;
pub mod types;
pub mod validate;

use std::collections::HashMap;
use std::rc::Rc;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::quote;

use crate::ir::Ty;
use crate::naming;

/// An identifier, written raw (`r#type`) when it is a keyword.
pub fn ident(name: &str) -> Ident {
    if naming::is_keyword(name) && !naming::is_unrawable(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The Rust type of a use site.
pub fn ty(t: &Ty) -> TokenStream {
    ty_in(t, None)
}

/// The Rust type of a use site, named types prefixed by `module` (`api::types`) when given.
pub fn ty_in(t: &Ty, module: Option<&TokenStream>) -> TokenStream {
    let ty = |t: &Ty| ty_in(t, module);
    match t {
        Ty::String => quote!(String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::U32 => quote!(u32),
        Ty::U64 => quote!(u64),
        Ty::F32 => quote!(f32),
        Ty::F64 => quote!(f64),
        Ty::Json => quote!(serde_json::Value),
        Ty::Named(n) => {
            let n = ident(n);
            match module {
                Some(m) => quote!(#m::#n),
                None => quote!(#n),
            }
        }
        Ty::Vec(inner) => {
            let inner = ty(inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = ty(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = ty(inner);
            quote!(Option<#inner>)
        }
    }
}

/// Doc attributes from spec text, made safe for rustdoc by [`docs::render`]: every code
/// block becomes a `text` block, so nothing in a description can become a doctest.
///
/// The tokens carry one placeholder attribute for the whole block (the lines wait in a
/// per-thread table), and [`print()`] writes the lines in its place: the block's text is never
/// escaped into a literal, parsed back by syn and unescaped again by prettyplease. The lines
/// printed are those the block would print as one `#[doc]` attribute per line.
pub fn doc(text: Option<&str>) -> TokenStream {
    let Some(n) = doc_block(text) else {
        return TokenStream::new();
    };
    // The mark is written raw into the literal's text, not escaped: no literal made from spec
    // text has a raw control character in its text (see `OneLineDocs`).
    let mark: proc_macro2::Literal = format!("\"{DOC_MARK}{n}\"")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::string(""));
    quote!(#[doc = #mark])
}

/// [`doc`] for an item written as text ([`text_item`]): the placeholder line as prettyplease
/// prints the placeholder attribute (`///\u{1}N`), or `None` when there is no doc comment.
pub fn doc_text(text: Option<&str>) -> Option<String> {
    doc_block(text).map(|n| format!("///{DOC_MARK}{n}"))
}

/// Keeps the lines of `text`'s doc comment in the table of this thread; their number there.
fn doc_block(text: Option<&str>) -> Option<usize> {
    let text = text?;
    // The same description comes back for every place that uses it (a shared parameter, a
    // property of many schemas): each text is rendered once per thread.
    let lines = RENDERED.with(|r| {
        if let Some(lines) = r.borrow().get(text) {
            return Rc::clone(lines);
        }
        let lines: Rc<[String]> = doc_lines(text).iter().map(|l| doc_line(l)).collect();
        r.borrow_mut().insert(text.to_string(), Rc::clone(&lines));
        lines
    });
    if lines.is_empty() {
        return None;
    }
    Some(DOC_BLOCKS.with(|b| {
        let mut b = b.borrow_mut();
        b.push(lines);
        b.len() - 1
    }))
}

/// The width prettyplease fills lines to: what it prints on one line is at most this wide,
/// indentation included, unless the line is indented so deep that less than [`MIN_SPACE`]
/// is left (see [`fits`]).
pub const PRINT_WIDTH: usize = 89;

/// The room prettyplease leaves for a line's text however deep it is indented.
pub const MIN_SPACE: usize = 60;

/// Whether prettyplease prints `line` (indentation included) on one line: at most
/// [`PRINT_WIDTH`] wide, or, indented deeper than the width leaves [`MIN_SPACE`] for, at most
/// that much after the indentation. Widths count bytes, as prettyplease counts them.
pub fn fits(line: &str) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    line.len() <= PRINT_WIDTH.max(indent + MIN_SPACE)
}

/// A function's signature as prettyplease prints it at `indent`: on one line when it fits the
/// width, else one parameter to a line. `head` is what comes before the parameters
/// (`pub fn new`), `tail` what comes after them (`-> Self {`).
pub fn signature_lines(indent: usize, head: &str, params: &[String], tail: &str) -> Vec<String> {
    let pad = " ".repeat(indent);
    let one_line = format!("{pad}{head}({}) {tail}", params.join(", "));
    if fits(&one_line) {
        return vec![one_line];
    }
    let mut lines = vec![format!("{pad}{head}(")];
    lines.extend(params.iter().map(|p| format!("{pad}    {p},")));
    lines.push(format!("{pad}) {tail}"));
    lines
}

/// The widest struct expression prettyplease prints on one line (`Name { a: a.into() }`);
/// a wider one gets a line for each field.
const STRUCT_ON_ONE_LINE: usize = 35;

/// A struct expression (`Name { field: value, .. }`) as prettyplease prints it at `indent`: on
/// one line when it is short, else one field to a line.
pub fn struct_expr_lines(indent: usize, name: &str, fields: &[String]) -> Vec<String> {
    let pad = " ".repeat(indent);
    let one_line = format!("{name} {{ {} }}", fields.join(", "));
    if one_line.len() <= STRUCT_ON_ONE_LINE {
        return vec![format!("{pad}{one_line}")];
    }
    let mut lines = vec![format!("{pad}{name} {{")];
    lines.extend(fields.iter().map(|f| format!("{pad}    {f},")));
    lines.push(format!("{pad}}}"));
    lines
}

/// A text item ([`text_item`]) from its lines as prettyplease prints them at `indent`, the
/// indentation its placeholder will have; `None` when a line is wider than prettyplease prints
/// on one line (it would have broken that line, so the item is left to its tokens). Doc lines
/// are not filled to the width, and may be wider.
pub fn text_item_at(indent: usize, lines: &[String]) -> Option<TokenStream> {
    if !lines.iter().all(|l| prints_at(0, l)) {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut text = String::new();
    for line in lines {
        text.push_str(line.strip_prefix(pad.as_str()).unwrap_or(line));
        text.push('\n');
    }
    own_layout_item(text)
}

/// True when `line` is a match arm on one line that fits without its comma: prettyplease
/// writes the comma of an arm on one line only, and it does not count towards the width
/// (see [`lines`]).
fn arm_fits(line: &str) -> bool {
    line.strip_suffix(',')
        .is_some_and(|arm| arm.contains(" => ") && !arm.trim_start().starts_with('"') && fits(arm))
}

/// True when `line` is one string literal (and a comma): nothing prettyplease can break, so
/// it stands however wide (an argument of a broken call, a value of a broken list).
fn lone_string(line: &str) -> bool {
    let body = line.trim_start_matches(' ');
    let body = body.strip_suffix(',').unwrap_or(body);
    let Some(inside) = body.strip_prefix('"').and_then(|b| b.strip_suffix('"')) else {
        return false;
    };
    // No quote inside but escaped ones (`\\"`), so it is one literal, not several.
    let mut escaped = false;
    for c in inside.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return false,
            _ => escaped = false,
        }
    }
    !escaped
}

/// An item written as text in a layout of the generator's own rather than prettyplease's, so
/// no width applies: a `serde_struct!` invocation, one property to a line (the layout
/// [`print()`] gives its tokens, see `property_list`). Every text item comes through here
/// ([`text_item_at`] too), so the tests' switch to tokens only is here.
pub fn own_layout_item(text: String) -> Option<TokenStream> {
    #[cfg(test)]
    if tests::TOKENS_ONLY.get() {
        return None;
    }
    Some(text_item(text))
}

/// An item of the shape `head {` members `}` (an `impl` block) as a text item, when every
/// member is a text item ([`text_item_at`] at one indentation level): their lines one level
/// in, as prettyplease prints them. `None` when a member is anything else, there is none, or
/// `head` is too wide (the caller prints the tokens instead).
pub fn block_text(head: &str, members: &[TokenStream]) -> Option<TokenStream> {
    if members.is_empty() || !fits(head) {
        return None;
    }
    let numbers = members
        .iter()
        .map(|m| {
            let mut tokens = m.clone().into_iter();
            let first = tokens.next()?;
            text_placeholder(&first, &tokens.collect::<Vec<_>>())
        })
        .collect::<Option<Vec<usize>>>()?;
    let mut text = format!("{head} {{\n");
    TEXT_BLOCKS.with(|b| {
        let b = b.borrow();
        for n in numbers {
            write_text_block(&mut text, "    ", b.get(n)?);
        }
        Some(())
    })?;
    text.push_str("}\n");
    own_layout_item(text)
}

/// An item that holds no spec text, written as prettyplease prints it at indentation 0: a
/// text item. Its tokens, when text is switched off, are parsed from the same text, so the
/// whole-crate test holds the text to prettyplease's layout.
pub fn fixed_item(text: &str) -> TokenStream {
    fixed_item_at(0, None, text)
}

/// [`fixed_item`] of an item at `indent` (`text` without that indentation), after a first
/// doc line `doc` (`#[doc]` text, which may be spec text). From tokens when the doc does not
/// print as written or a line is too wide.
pub fn fixed_item_at(indent: usize, doc: Option<&str>, text: &str) -> TokenStream {
    let doc_line = doc.map(|d| format!("///{d}"));
    let lines = || doc_line.as_deref().into_iter().chain(text.lines());
    if doc.is_none_or(doc_prints_as_written) && lines().all(|l| prints_at(indent, l)) {
        let mut item =
            String::with_capacity(text.len() + doc_line.as_ref().map_or(1, String::len) + 1);
        for l in lines() {
            item.push_str(l);
            item.push('\n');
        }
        if let Some(item) = own_layout_item(item) {
            return item;
        }
    }
    let doc = doc.map(|d| quote!(#[doc = #d]));
    // The generator's own text: it parses (else the whole-crate test fails).
    let item: TokenStream = text.parse().unwrap_or_default();
    quote!(#doc #item)
}

/// Whether `line` of a text item prints as written at `indent` ([`text_item_at`]'s rule);
/// the line is padded only when it is near the width.
pub(crate) fn prints_at(indent: usize, line: &str) -> bool {
    if line.is_empty() || indent + line.len() <= PRINT_WIDTH {
        return true;
    }
    let l = format!("{}{line}", " ".repeat(indent));
    fits(&l) || l.trim_start().starts_with("///") || lone_string(&l) || arm_fits(&l)
}

/// The macro name of a text item's placeholder. Only the generator writes macro
/// invocations, and spec text is never on a line of its own outside a doc block (those are
/// written in after text items), so a line holding it is a placeholder.
const TEXT_MACRO: &str = "__codegen_text";

/// An item written as text, as prettyplease prints it at indentation 0, for the tokens of an
/// impl block or a module: items of a fixed shape whose printed form is known without parsing
/// them (setters, constructors, model structs, `Validate` impls), each beside its tokens form
/// and a test that prints both.
/// The tokens carry one placeholder, `__codegen_text!(N);`, which [`print()`] replaces by the
/// lines, each after the placeholder's indentation; doc placeholder lines ([`doc_text`]) in
/// them are filled in after.
pub fn text_item(text: String) -> TokenStream {
    let n = TEXT_BLOCKS.with(|b| {
        let mut b = b.borrow_mut();
        b.push(text);
        b.len() - 1
    });
    let name = Ident::new(TEXT_MACRO, Span::call_site());
    let n = proc_macro2::Literal::usize_unsuffixed(n);
    quote!(#name!(#n);)
}

/// A type's tokens as prettyplease prints them, for a path type with generic arguments
/// (`Vec<std::collections::BTreeMap<String, Foo>>`); `None` for any other type.
pub fn type_text(t: &TokenStream) -> Option<String> {
    use proc_macro2::{Spacing, TokenTree};
    let mut out = String::new();
    let mut tokens = t.clone().into_iter();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Ident(i) => {
                if out.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    return None;
                }
                out.push_str(&i.to_string());
            }
            TokenTree::Punct(p) => match p.as_char() {
                ':' if p.spacing() == Spacing::Joint => match tokens.next() {
                    Some(TokenTree::Punct(q)) if q.as_char() == ':' => out.push_str("::"),
                    _ => return None,
                },
                '<' | '>' => out.push(p.as_char()),
                ',' => out.push_str(", "),
                _ => return None,
            },
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The character that opens a doc block's placeholder (`#[doc = "\u{1}N"]`, printed
/// `///\u{1}N`).
const DOC_MARK: char = '\u{1}';

thread_local! {
    /// The doc blocks [`doc`] made on this thread, by number: the lines after `///`. Tokens
    /// are built and printed on one thread, so the blocks of a file's tokens are here when
    /// [`print()`] prints them. [`reset_doc_blocks`] empties it between pieces of output.
    static DOC_BLOCKS: std::cell::RefCell<Vec<Rc<[String]>>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// The lines of every doc text [`doc_block`] rendered on this thread, by text.
    static RENDERED: std::cell::RefCell<HashMap<String, Rc<[String]>>> =
        std::cell::RefCell::new(HashMap::new());
    /// The text items [`text_item`] made on this thread, by number, kept as the doc blocks.
    static TEXT_BLOCKS: std::cell::RefCell<Vec<String>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Forgets the doc blocks and text items made on this thread: call it when no tokens built
/// before are still to be printed (at the start of a piece of output).
pub fn reset_doc_blocks() {
    fn forget<T>(table: &std::cell::RefCell<Vec<T>>) {
        let mut table = table.borrow_mut();
        table.clear();
        table.shrink_to(64);
    }
    DOC_BLOCKS.with(forget);
    TEXT_BLOCKS.with(forget);
}

/// Writes the text items in place of their placeholder lines (see [`text_item`]).
fn fill_text_blocks(printed: String, what: &str) -> Result<String, String> {
    if !printed.contains(TEXT_MACRO) {
        return Ok(printed);
    }
    fn placeholder(body: &str) -> Placeholder<'_> {
        match body.strip_prefix(TEXT_MACRO) {
            Some(rest) => Placeholder::Number(
                rest.strip_prefix("!(")
                    .and_then(|r| r.trim_end().strip_suffix(");"))
                    .unwrap_or_default(),
            ),
            None => Placeholder::None,
        }
    }
    TEXT_BLOCKS.with(|b| {
        fill_blocks(
            printed,
            what,
            "text item",
            &b.borrow(),
            placeholder,
            |out, indent, block| write_text_block(out, indent, block),
        )
    })
}

/// What a printed line (after its indentation) is to [`fill_blocks`].
enum Placeholder<'a> {
    /// Not a placeholder.
    None,
    /// A placeholder where none can be filled in.
    Misplaced,
    /// A placeholder, with its block's number as written.
    Number(&'a str),
}

/// The lines of `text`, each with its `\n` (the last may lack it): `split_inclusive('\n')`
/// with a vectorized search, for the passes over every line of the output.
fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = ends.next().map_or(text.len(), |i| i + 1);
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

/// The lines of `text` as [`str::lines`] gives them (without `\n` or `\r\n`), found by
/// [`lines_inclusive`].
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    lines_inclusive(text).map(|line| match line.strip_suffix('\n') {
        Some(l) => l.strip_suffix('\r').unwrap_or(l),
        None => line,
    })
}

/// Writes blocks in place of the lines holding their placeholders (`placeholder` tells them
/// apart), each by `write` after the line's indentation. A placeholder whose block is not in
/// `blocks`, or one where none can be, is an internal error.
fn fill_blocks<B>(
    printed: String,
    what: &str,
    kind: &str,
    blocks: &[B],
    placeholder: fn(&str) -> Placeholder<'_>,
    write: impl Fn(&mut String, &str, &B),
) -> Result<String, String> {
    let mut out = String::with_capacity(printed.len() * 2);
    for line in lines_inclusive(&printed) {
        let body = line.trim_start_matches(' ');
        let number = match placeholder(body) {
            Placeholder::None => {
                out.push_str(line);
                continue;
            }
            Placeholder::Misplaced => {
                return Err(format!(
                    "internal error: generated {what} has a {kind} where none can be printed"
                ))
            }
            Placeholder::Number(n) => n,
        };
        let block = number
            .parse::<usize>()
            .ok()
            .and_then(|n| blocks.get(n))
            .ok_or_else(|| format!("internal error: generated {what} has a lost {kind}"))?;
        write(&mut out, &line[..line.len() - body.len()], block);
    }
    Ok(out)
}

/// One line of a doc block as prettyplease prints `#[doc = " line"]` after `///`: control
/// characters as spaces (as [`OneLineDocs`] does), trailing spaces trimmed.
fn doc_line(l: &str) -> String {
    if l.is_empty() {
        return String::new();
    }
    let mut line = String::with_capacity(l.len() + 1);
    line.push(' ');
    // Printable ASCII (most doc text) has nothing to blank.
    if l.bytes().all(|b| (b' '..0x7f).contains(&b)) {
        line.push_str(l);
    } else {
        line.extend(l.chars().map(blank_control));
    }
    line.truncate(line.trim_end_matches(' ').len());
    line
}

/// Writes each doc block in place of the line holding its placeholder, at that line's
/// indentation. A placeholder anywhere else, or one whose block is not on this thread, is an
/// internal error (a doc block spliced where prettyplease does not print a doc comment).
fn fill_doc_blocks(printed: String, what: &str) -> Result<String, String> {
    if !printed.contains(DOC_MARK) {
        return Ok(printed);
    }
    fn placeholder(body: &str) -> Placeholder<'_> {
        match body
            .strip_prefix("///")
            .and_then(|r| r.strip_prefix(DOC_MARK))
        {
            Some(rest) => Placeholder::Number(rest.trim_end()),
            None if body.contains(DOC_MARK) => Placeholder::Misplaced,
            None => Placeholder::None,
        }
    }
    DOC_BLOCKS.with(|b| {
        fill_blocks(
            printed,
            what,
            "doc block",
            &b.borrow(),
            placeholder,
            |out, indent, block| {
                for l in block.iter() {
                    out.push_str(indent);
                    out.push_str("///");
                    out.push_str(l);
                    out.push('\n');
                }
            },
        )
    })
}

/// The lines of a doc comment (see [`doc`]).
pub fn doc_lines(text: &str) -> Vec<String> {
    docs::render(text)
}

/// Inner (`//!`) doc attributes from text the generator's user wrote (not the spec): code
/// blocks stay as they are, so they are compiled as doctests.
pub fn inner_doc_verbatim(text: &str) -> TokenStream {
    inner_doc_of(text.lines())
}

/// Inner (`//!`) doc attributes.
pub fn inner_doc(text: &str) -> TokenStream {
    inner_doc_of(doc_lines(text).iter().map(String::as_str))
}

/// The inner doc comment of `lines` as a text item, its lines as prettyplease prints
/// `#![doc = " line"]` (every line, however wide: a comment is not filled); the attributes'
/// tokens when a line does not print as written.
fn inner_doc_of<'a>(lines: impl Iterator<Item = &'a str> + Clone) -> TokenStream {
    if lines.clone().all(doc_prints_as_written) {
        let mut text = String::new();
        for l in lines.clone() {
            text.push_str("//!");
            text.push_str(&doc_line(l));
            text.push('\n');
        }
        if let Some(item) = own_layout_item(text) {
            return item;
        }
    }
    let attrs = lines.map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #l])
    });
    quote!(#(#attrs)*)
}

/// The inner attributes of every generated crate's `lib.rs` as printed. The lints allowed
/// are each for a reason the spec decides, not the generator: names and docs come from the
/// spec as written.
/// - Descriptions are Markdown written for other tools (the `doc_*`, `tabs_in_doc_comments`
///   and `rustdoc::` lints).
/// - Names come from the spec (`Status400`, `Status404`, `HTTPMethod`, a property `529` as
///   the field and constructor parameter `_529`, ...), the sizes of a union's alternatives
///   and the count of an operation's required parameters too.
///
/// Types nest as deep as the spec's schemas (100 levels, a nullable array two each): rustc's
/// default recursion limit of 128 stops drop-check and trait solving at about 64.
pub const LIB_ATTRIBUTES: &str = r#"#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![recursion_limit = "512"]
#![allow(
    clippy::doc_lazy_continuation,
    clippy::doc_overindented_list_items,
    clippy::empty_docs,
    clippy::tabs_in_doc_comments,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags,
    rustdoc::invalid_rust_codeblocks,
    clippy::enum_variant_names,
    clippy::just_underscores_and_digits,
    clippy::large_enum_variant,
    clippy::upper_case_acronyms,
    clippy::too_many_arguments
)]
"#;

/// Formats a token stream as a Rust file.
pub fn format(tokens: TokenStream, what: &str) -> Result<String, String> {
    Ok(space_items(&print(tokens, what)?))
}

/// Parses and prints tokens (a file, or some of its items) with prettyplease, without the
/// blank lines between items ([`space_items`] adds them to the whole file): the pieces of
/// a file printed apart and joined are the file printed whole.
pub fn print(tokens: TokenStream, what: &str) -> Result<String, String> {
    // Text items at the top level are written as they are; only the tokens between them are
    // parsed and printed.
    let mut out = String::new();
    let mut run: Vec<TokenTree> = Vec::new();
    let mut tokens = tokens.into_iter();
    while let Some(token) = tokens.next() {
        // A placeholder starts an item: it comes first, or after an item's `;` or body.
        let item_start = match run.last() {
            None => true,
            Some(TokenTree::Punct(p)) => p.as_char() == ';',
            Some(TokenTree::Group(g)) => g.delimiter() == proc_macro2::Delimiter::Brace,
            Some(_) => false,
        };
        match &token {
            TokenTree::Ident(i) if item_start && i == TEXT_MACRO => {
                let rest: Vec<TokenTree> = tokens.by_ref().take(3).collect();
                match text_placeholder(&token, &rest) {
                    Some(n) => {
                        if !run.is_empty() {
                            print_run(std::mem::take(&mut run), what, &mut out)?;
                        }
                        TEXT_BLOCKS.with(|b| {
                            let b = b.borrow();
                            let block = b.get(n).ok_or_else(|| {
                                format!("internal error: generated {what} has a lost text item")
                            })?;
                            write_text_block(&mut out, "", block);
                            Ok::<(), String>(())
                        })?;
                    }
                    None => {
                        run.push(token);
                        run.extend(rest);
                    }
                }
            }
            _ => run.push(token),
        }
    }
    if !run.is_empty() {
        print_run(run, what, &mut out)?;
    }
    fill_doc_blocks(out, what)
}

/// The number of a text item's placeholder (`__codegen_text!(N);`) from its first token and
/// the tokens after it; `None` for any other tokens.
fn text_placeholder(first: &TokenTree, rest: &[TokenTree]) -> Option<usize> {
    let TokenTree::Ident(name) = first else {
        return None;
    };
    let [TokenTree::Punct(bang), TokenTree::Group(args), TokenTree::Punct(semi)] = rest else {
        return None;
    };
    if name != TEXT_MACRO
        || bang.as_char() != '!'
        || semi.as_char() != ';'
        || args.delimiter() != proc_macro2::Delimiter::Parenthesis
    {
        return None;
    }
    let mut inside = args.stream().into_iter();
    match (inside.next(), inside.next()) {
        (Some(TokenTree::Literal(n)), None) => n.to_string().parse().ok(),
        _ => None,
    }
}

/// Writes a text item's lines after `indent` (blank lines stay blank).
fn write_text_block(out: &mut String, indent: &str, block: &str) {
    for l in text_lines(block) {
        if !l.is_empty() {
            out.push_str(indent);
            out.push_str(l);
        }
        out.push('\n');
    }
}

/// Parses and prints items given as tokens, appending them to `out` with their text items
/// written in (doc blocks are left to the caller).
fn print_run(tokens: Vec<TokenTree>, what: &str, out: &mut String) -> Result<(), String> {
    let tokens: TokenStream = tokens.into_iter().collect();
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| format!("internal error: generated {what} does not parse as Rust: {e}"))?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut OneLineDocs, &mut file);
    let lists: Vec<Option<String>> = file.items.iter().map(property_list).collect();
    if lists.iter().all(Option::is_none) {
        out.push_str(&fill_text_blocks(prettyplease::unparse(&file), what)?);
        return Ok(());
    }
    // prettyplease fills a macro's tokens into lines like prose; a struct's property list
    // reads better one property to a line, as written by hand. The items between are printed
    // by prettyplease as before.
    let mut printed = String::new();
    let mut run = syn::File {
        shebang: file.shebang,
        attrs: file.attrs,
        items: Vec::new(),
    };
    for (item, list) in file.items.into_iter().zip(lists) {
        match list {
            Some(text) => {
                if !run.items.is_empty() || !run.attrs.is_empty() || run.shebang.is_some() {
                    printed.push_str(&prettyplease::unparse(&run));
                    run.items.clear();
                    run.attrs.clear();
                    run.shebang = None;
                }
                printed.push_str(&text);
            }
            None => run.items.push(item),
        }
    }
    if !run.items.is_empty() {
        printed.push_str(&prettyplease::unparse(&run));
    }
    out.push_str(&fill_text_blocks(printed, what)?);
    Ok(())
}

/// A `serde_struct!(Name { field: "wire" kind, ... } mode);` item, one property to a
/// line; `None` for any other item.
fn property_list(item: &syn::Item) -> Option<String> {
    use proc_macro2::{Delimiter, TokenTree};
    let syn::Item::Macro(m) = item else {
        return None;
    };
    if !m.attrs.is_empty()
        || m.ident.is_some()
        || m.mac.path.segments.last()?.ident != "serde_struct"
    {
        return None;
    }
    let mut path = String::new();
    if m.mac.path.leading_colon.is_some() {
        path.push_str("::");
    }
    for (i, segment) in m.mac.path.segments.iter().enumerate() {
        if i > 0 {
            path.push_str("::");
        }
        path.push_str(&segment.ident.to_string());
    }
    let mut tokens = m.mac.tokens.clone().into_iter();
    let name = match tokens.next()? {
        TokenTree::Ident(name) => name,
        _ => return None,
    };
    let body = match tokens.next()? {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => g.stream(),
        _ => return None,
    };
    let rest: Vec<String> = tokens.map(|t| t.to_string()).collect();
    let mut text = format!("{path}!({name} {{");
    let mut entry = String::new();
    let mut any = false;
    for token in body {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                text.push_str(&format!("\n    {entry},"));
                entry.clear();
                any = true;
            }
            TokenTree::Punct(p) if p.as_char() == ':' => entry.push(':'),
            _ => {
                if !entry.is_empty() {
                    entry.push(' ');
                }
                entry.push_str(&token.to_string());
            }
        }
    }
    if !entry.is_empty() {
        text.push_str(&format!("\n    {entry},"));
        any = true;
    }
    if any {
        text.push('\n');
    }
    text.push_str(&format!("}} {});\n", rest.join("")));
    Some(text)
}

/// Every doc attribute is one line of the doc comment: spec text spliced into a one-line
/// doc (a path, an enum value, a title) cannot start a new line, and so cannot open a code
/// block, and a bare CR (not allowed in a doc comment) cannot reach the output. Spec text
/// can therefore never print as a doc block's placeholder either.
struct OneLineDocs;

impl syn::visit_mut::VisitMut for OneLineDocs {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if !attr.path().is_ident("doc") {
            return;
        }
        if let syn::Meta::NameValue(nv) = &mut attr.meta {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &mut nv.value
            {
                let v = s.value();
                if v.chars().any(|c| blank_control(c) != c) {
                    // A doc block's placeholder (see `doc`): its mark is raw in the literal's
                    // text, where spec text is always escaped.
                    if s.token().to_string().starts_with(&format!("\"{DOC_MARK}")) {
                        return;
                    }
                    let line: String = v.chars().map(blank_control).collect();
                    *s = syn::LitStr::new(&line, s.span());
                }
            }
        }
    }
}

/// A character of a doc comment's line as it is printed: a control character (a CR, a line
/// feed, a bell, the doc blocks' mark) as a space, a tab as itself, and a character that
/// changes the direction of the text around it (U+202A to U+202E, U+2066 to U+2069) as a
/// space: rustc refuses those in comments (`text_direction_codepoint_in_comment`, deny by
/// default), so one in a description would make the generated crate fail to compile. One rule
/// for the one-line docs ([`OneLineDocs`]) and the lines of doc blocks, which print as those
/// docs did.
pub(crate) fn blank_control(c: char) -> char {
    if (c.is_control() && c != '\t') || crate::diag::changes_direction(c) {
        ' '
    } else {
        c
    }
}

/// Whether a one-line doc's text prints as it is written: nothing [`blank_control`] rewrites,
/// and no tab. Items written as text put such a doc in as it is; any other is left to the
/// tokens.
pub(crate) fn doc_prints_as_written(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() || blank_control(c) != c)
}

/// prettyplease puts items right after one another; a blank line between items (after a
/// closing brace or the last `use`, before the next item at the same depth) reads like
/// hand-written code.
pub fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    Spacer::default().push(&mut out, text);
    out
}

/// [`space_items`] fed a file piece by piece, each appended to one buffer as it comes, so the
/// pieces need not be joined first. A piece ends at the end of a line.
#[derive(Debug, Default)]
pub struct Spacer {
    /// The last line of the pieces so far.
    last: Option<String>,
}

impl Spacer {
    /// Appends `text` to `out`, with the blank lines it needs before its items.
    pub fn push(&mut self, out: &mut String, text: &str) {
        let carried = self.last.take();
        let mut prev = carried.as_deref();
        for line in text_lines(text) {
            if prev.is_some_and(|p| blank_line_between(p, line)) {
                out.push('\n');
            }
            out.push_str(line);
            out.push('\n');
            prev = Some(line);
        }
        self.last = prev.map(str::to_string);
    }

    /// Appends `text`, a piece already spaced on its own ([`space_items`]), with the blank
    /// line it needs after the pieces before it: the same as [`Spacer::push`] of the piece
    /// unspaced, with the spacing done where the piece was made.
    pub fn push_spaced(&mut self, out: &mut String, text: &str) {
        let first = text_lines(text).next();
        if let (Some(p), Some(line)) = (self.last.as_deref(), first) {
            if blank_line_between(p, line) {
                out.push('\n');
            }
        }
        out.push_str(text);
        if let Some(last) = text.lines().next_back() {
            self.last = Some(last.to_string());
        }
    }
}

/// Whether a blank line goes between the lines `p` and `line` (see [`space_items`]).
fn blank_line_between(p: &str, line: &str) -> bool {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl", "fn ", "async fn", "struct ", "enum ", "mod ", "const ",
        "type ", "use ", "static ", "trait ", "crate::",
    ];
    // Only its start is looked at (indentation is spaces: other whitespace takes the long way).
    let ct = match line.trim_start_matches(' ') {
        t if t.as_bytes().first().is_some_and(u8::is_ascii_graphic) => t,
        _ => line.trim_start(),
    };
    // Only an item gets a blank line before it: most lines are settled here, by their first
    // byte.
    let first = ct.as_bytes().first().copied();
    if !ITEM_STARTS
        .iter()
        .any(|s| Some(s.as_bytes()[0]) == first && ct.starts_with(s))
    {
        return false;
    }
    // Nothing follows a comment line with a blank line (below, `comment`): settled before the
    // trimming (a doc comment's lines follow one another).
    let after_spaces = p.trim_start_matches(' ');
    if after_spaces.starts_with("//") && !after_spaces.starts_with("//!") {
        return false;
    }
    let indent = |l: &str| l.len() - l.trim_start().len();
    let pt = p.trim();
    let same_depth = indent(p) == indent(line);
    // A closing brace, the end of a macro item at the top level
    // (`crate::runtime::__private::string_enum_impls!(Name);`, on one line or more), a
    // type alias, an item without a body (`pub struct Flags {}`), or a runtime macro
    // that writes a method. Never a doc or other comment line, whatever its text ends with
    // (`/// Call it as `m!(x);``).
    let comment = pt.starts_with("//") && !pt.starts_with("//!");
    let after_block = !comment
        && (pt == "}"
        || pt == "};"
        || (indent(p) == 0
            && pt.ends_with(");")
            && (pt.contains("!(") || pt.starts_with(')') || pt.starts_with('}')))
        || (indent(p) == 0 && pt.starts_with("pub type ") && pt.ends_with(';'))
        || (indent(p) == 0 && pt.ends_with(" {}"))
        // A runtime macro that writes a method (`header_method!();` in a builder).
        || (pt.starts_with("crate::runtime::__private::") && pt.ends_with("!();")));
    let declaration = ["use ", "pub use ", "mod ", "pub mod "]
        .iter()
        .any(|k| pt.starts_with(k))
        && pt.ends_with(';');
    let after_uses = declaration
        && (ct.starts_with("///")
            || ct.starts_with("#[")
            || !ct.starts_with(pt.split(' ').next().unwrap_or("")));
    let after_inner_attrs = (pt.starts_with("#![") || pt.starts_with("//!") || pt == ")]")
        && !(ct.starts_with("#![") || ct.starts_with("//!"))
        && indent(line) == 0
        && !ct.starts_with(')');
    same_depth && (after_block || after_uses) || after_inner_attrs
}

/// A fixed sequence of pseudo-random numbers below `n` (xorshift), for tests that generate
/// their cases.
#[cfg(test)]
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(u64) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n) as usize
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    thread_local! {
        /// While set on a thread (and the emission workers it starts, see
        /// [`crate::parallel::par_map`]), no item is written as text ([`own_layout_item`] answers
        /// `None`), so every item is printed from its tokens: the output must not change.
        pub(crate) static TOKENS_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Every file of the crate rendered from `specs`, or the error.
    fn rendered(specs: &[std::path::PathBuf]) -> Result<Vec<(std::path::PathBuf, String)>, String> {
        let mut config = crate::Config::new();
        for s in specs {
            config.spec(s);
        }
        config
            .out_dir("/nonexistent/text-items")
            .crate_name("text-items")
            .examples(true);
        let out = config.render().map_err(|e| e.to_string())?;
        Ok(out
            .files
            .into_iter()
            .map(|f| (f.path, f.contents.to_string()))
            .collect())
    }

    /// The whole crate of every fixture spec, and of corpus specs when `../shared/corpus` is
    /// there, is the same with items written as text and with every item printed from its
    /// tokens: the text forms are what prettyplease prints.
    #[test]
    fn items_written_as_text_print_as_their_tokens_do() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut specs: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))
            .expect("the fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        specs.sort();
        assert!(specs.len() > 20, "{} fixtures", specs.len());
        let corpus = root.join("../../shared/corpus");
        for name in [
            "oxide-propolis-server.json",
            "twilio-messaging-v1.json",
            "spotify.yaml",
        ] {
            if corpus.join(name).exists() {
                specs.push(corpus.join(name));
            }
        }
        for spec in &specs {
            let spec = std::slice::from_ref(spec);
            let as_text = rendered(spec);
            TOKENS_ONLY.set(true);
            let from_tokens = rendered(spec);
            TOKENS_ONLY.set(false);
            match (as_text, from_tokens) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.len(), b.len(), "{spec:?}");
                    for ((path, a), (_, b)) in a.iter().zip(&b) {
                        if a != b {
                            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
                            let show = |t: &str| {
                                let from = line.unwrap_or(0).saturating_sub(3);
                                t.lines().skip(from).take(8).collect::<Vec<_>>().join("\n")
                            };
                            panic!(
                                "{spec:?}: {path:?} differs at line {line:?}:\n{}\n--- from tokens:\n{}",
                                show(a),
                                show(b)
                            );
                        }
                    }
                }
                (a, b) => assert_eq!(a.err(), b.err(), "{spec:?}"),
            }
        }
    }

    /// A match arm on one line may pass the width by its comma alone, as prettyplease writes
    /// it; any other line may not.
    #[test]
    fn an_arm_s_comma_does_not_count_towards_the_width() {
        let arm = |width: usize| {
            let pad = " ".repeat(12);
            let body = "x".repeat(width - 12 - "status => ".len());
            format!("{pad}status => {body}")
        };
        assert!(arm_fits(&format!("{},", arm(PRINT_WIDTH))));
        assert!(!arm_fits(&format!("{},", arm(PRINT_WIDTH + 1))));
        assert!(!arm_fits(&arm(PRINT_WIDTH)), "no comma");
        let not_arm = format!("{}x,", " ".repeat(12) + &"y".repeat(PRINT_WIDTH - 13));
        assert!(!arm_fits(&not_arm));
        let quoted = format!("    \"a => {}\",", "b".repeat(PRINT_WIDTH - 12));
        assert!(!arm_fits(&quoted));
    }

    /// A string literal alone on a line (and its comma) may be wider than the width; two
    /// literals, or a literal and more, may not.
    #[test]
    fn only_a_lone_string_literal_stands_however_wide() {
        let wide = "x".repeat(100);
        for lone in [
            format!("            \"{wide}\","),
            format!("\"{wide}\""),
            format!("    \"{wide}\\\"{wide}\","),
            format!("    \"{wide}\\\\\","),
        ] {
            assert!(lone_string(&lone), "{lone}");
            assert!(text_item_at(0, &[lone]).is_some());
        }
        for not in [
            format!("    \"{wide}\", \"b\","),
            format!("    \"{wide}\".to_string(),"),
            format!("    f(\"{wide}\"),"),
            format!("    \"{wide}\\\","),
            format!("    \"{wide}"),
            "\"".to_string(),
        ] {
            assert!(!lone_string(&not), "{not}");
        }
        assert!(text_item_at(0, &[format!("    f(\"{wide}\"),")]).is_none());
    }

    #[test]
    fn lines_are_split_as_the_standard_library_splits_them() {
        let texts = [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "a\r",
            "a\rb\n\r",
            "\n\n\nx",
            "é\n🦀\r\n",
        ];
        for t in texts {
            assert_eq!(
                lines_inclusive(t).collect::<Vec<_>>(),
                t.split_inclusive('\n').collect::<Vec<_>>(),
                "{t:?}"
            );
            assert_eq!(
                text_lines(t).collect::<Vec<_>>(),
                t.lines().collect::<Vec<_>>(),
                "{t:?}"
            );
        }
    }

    /// Text items at the top level are written in as they are and the tokens between them are
    /// printed: the same as printing the whole stream with every placeholder printed and then
    /// filled in. A text item's macro name anywhere else is left to the parser.
    #[test]
    fn top_level_text_items_are_written_in_without_parsing() {
        reset_doc_blocks();
        let a = text_item("pub struct A;\n".into());
        let b = text_item("impl A {\n    /// Doc.\n\n    pub fn f() {}\n}\n".into());
        let doc = doc(Some("Documented."));
        let tokens = quote! {
            #a
            #doc
            pub fn between() -> u8 { 1 }
            #b
            #a
            impl B { #a }
        };
        assert_eq!(
            print(tokens, "a test").unwrap(),
            "pub struct A;\n/// Documented.\npub fn between() -> u8 {\n    1\n}\nimpl A {\n    /// Doc.\n\n    pub fn f() {}\n}\npub struct A;\nimpl B {\n    pub struct A;\n}\n"
        );
        // Not at the start of an item: parsed and printed as the tokens it is.
        let not_item = quote!(const X: u8 = #a);
        assert_eq!(
            print(not_item, "a test").unwrap(),
            "const X: u8 = __codegen_text!(0);\n"
        );
        // A lost text item is an internal error, not a panic.
        let lost = quote!(__codegen_text!(999_999););
        assert!(print(lost, "a test")
            .unwrap_err()
            .contains("lost text item"));
    }

    /// An `impl` block of text items is a text item of its own, printed as its tokens are; a
    /// member that is tokens, no member, or a head too wide leaves it to the tokens.
    #[test]
    fn a_block_of_text_items_is_written_as_text() {
        reset_doc_blocks();
        let member = |text: &str| text_item_at(4, &[format!("    {text}")]).unwrap();
        let members = [
            member("pub fn a() {}"),
            member("crate::runtime::__private::header_method!();"),
            member("pub fn b() {}"),
        ];
        let block = block_text("impl Thing<'_>", &members).unwrap();
        let tokens = quote!(impl Thing<'_> { #(#members)* });
        assert_eq!(
            print(block, "a test").unwrap(),
            print(tokens, "a test").unwrap()
        );
        assert!(block_text("impl Thing", &[]).is_none());
        assert!(block_text(
            "impl Thing",
            &[
                member("pub fn a() {}"),
                quote!(
                    pub fn c() {}
                )
            ]
        )
        .is_none());
        let wide = format!("impl {}", "T".repeat(90));
        assert!(block_text(&wide, &members).is_none());
    }

    /// The doc comment of `text` as it printed before doc blocks: one `#[doc]` literal per
    /// line, parsed and printed by syn and prettyplease.
    fn literal_docs(text: &str) -> TokenStream {
        let attrs = doc_lines(text).into_iter().map(|l| {
            let l = if l.is_empty() { l } else { format!(" {l}") };
            quote!(#[doc = #l])
        });
        quote!(#(#attrs)*)
    }

    fn sample(docs: impl Fn() -> TokenStream) -> TokenStream {
        let (a, b, c, d) = (docs(), docs(), docs(), docs());
        quote! {
            #a
            pub struct Thing {
                #b
                pub field: u32,
            }
            impl Thing {
                #c
                pub fn get(&self) -> u32 {
                    self.field
                }
            }
            pub enum Choice {
                #d
                One,
            }
        }
    }

    #[test]
    fn doc_blocks_print_as_the_literal_attributes_did() {
        let texts = [
            "One line.",
            "Two paragraphs.\n\nThe second one, with trailing spaces.   ",
            "A bell \u{7} and a carriage return \r in the middle, a tab\tkept.",
            "/ leading slash, `code`, <b>html</b>, \"quotes\" and \\ backslashes",
            "```\nfn main() {}\n```",
            "Ünïcödé, emoji 🦀, right-to-left \u{202e} mark.",
            "- a\n- list\n\n  indented continuation",
        ];
        for text in texts {
            let expected = print(sample(|| literal_docs(text)), "a test").unwrap();
            let got = print(sample(|| doc(Some(text))), "a test").unwrap();
            assert_eq!(got, expected, "for {text:?}");
            assert!(!got.contains(DOC_MARK));
        }
        assert!(doc(None).is_empty());
    }

    #[test]
    fn a_doc_comment_is_never_split_by_a_blank_line() {
        // Doc lines whose text ends as an item does (a macro call, an empty body) are text.
        let text = "/// Call it as `m!(x);`\n/// assert_eq!(a, b);\n/// returns {}\n/// More.\npub struct A;\n";
        assert_eq!(space_items(text), text);
        // A real macro item before a doc comment still gets its blank line.
        let text = "crate::m!(A);\n/// Doc.\npub struct B;\n";
        assert_eq!(
            space_items(text),
            "crate::m!(A);\n\n/// Doc.\npub struct B;\n"
        );
    }

    #[test]
    fn spacing_pieces_as_they_come_is_spacing_the_joined_file() {
        let pieces = [
            "use a::b;\nuse a::c;\npub use d::E;\n",
            "/// A.\npub struct A {\n    x: u8,\n}\n",
            "impl A {\n    crate::runtime::__private::header_method!();\n    /// Doc.\n    pub fn f() {}\n}\n",
            "",
            "pub type B = A;\n",
            "crate::runtime::__private::string_enum_impls!(\n    C\n);\npub struct D {}\n",
            "fn g() {}\n",
        ];
        let joined = space_items(&pieces.concat());
        // Blank lines fall at the joins too: after the `use`s, after `}`, after the alias.
        assert!(joined.contains("pub use d::E;\n\n/// A."), "{joined}");
        assert!(joined.contains("}\n\nimpl A {"), "{joined}");
        assert!(
            joined.contains("}\n\npub type B = A;\n\ncrate::"),
            "{joined}"
        );
        assert!(
            joined.contains("header_method!();\n\n    /// Doc."),
            "{joined}"
        );
        for split in 0..=pieces.len() {
            let mut out = String::from("// head\n");
            let mut spacer = Spacer::default();
            spacer.push(&mut out, &pieces[..split].concat());
            for piece in &pieces[split..] {
                spacer.push(&mut out, piece);
            }
            assert_eq!(out, format!("// head\n{joined}"), "split at {split}");
            // Each piece spaced on its own (where it is printed), then joined.
            let mut out = String::from("// head\n");
            let mut spacer = Spacer::default();
            spacer.push_spaced(&mut out, &space_items(&pieces[..split].concat()));
            for piece in &pieces[split..] {
                spacer.push_spaced(&mut out, &space_items(piece));
            }
            assert_eq!(
                out,
                format!("// head\n{joined}"),
                "spaced, split at {split}"
            );
        }
    }

    #[test]
    fn spec_text_cannot_pose_as_a_doc_block() {
        reset_doc_blocks();
        let real = doc(Some("The real block."));
        // A one-line doc whose text is what a placeholder holds: spec text is always escaped
        // into its literal, so it prints as text with the control character as a space.
        let forged = format!("{DOC_MARK}0");
        let tokens = quote! {
            #real
            pub struct A;
            #[doc = #forged]
            pub struct B;
        };
        let printed = print(tokens, "a test").unwrap();
        assert_eq!(printed.matches("The real block.").count(), 1, "{printed}");
        assert!(printed.contains("/// 0\npub struct B;"), "{printed}");
    }

    #[test]
    fn a_doc_block_where_no_doc_comment_prints_is_an_error_not_output() {
        // Inside a macro's tokens prettyplease prints the attribute as it is.
        let d = doc(Some("Inside a macro."));
        let err = print(quote!(some_macro! { #d struct A; }), "a test").unwrap_err();
        assert!(err.contains("doc block"), "{err}");
        // A block forgotten before its tokens were printed.
        let d = doc(Some("Forgotten."));
        reset_doc_blocks();
        let err = print(quote!(#d pub struct A;), "a test").unwrap_err();
        assert!(err.contains("lost doc block"), "{err}");
    }
}
