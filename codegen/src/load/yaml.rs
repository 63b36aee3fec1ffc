//! YAML text to a JSON tree.
//!
//! [`parse`] reads the text with `saphyr-parser` ([`parse_strict`]), a YAML 1.2 parser in Rust.
//! Reading spotify this way takes 0.57 of the instructions that `serde_yaml` (on a port of
//! libyaml) took, and that was a fifth to a third of a small YAML spec's run. The tree is the one `serde_yaml` 0.9 gives ([`parse_libyaml`], the
//! loader's parser before): scalars resolve by the same rules, keys that are not strings are
//! written as JSON text, a key met twice keeps its first place and its last value, integers
//! beyond 64 bits become floats, and non-finite floats become null.
//! `codegen/tests/yaml_trees.rs` holds the two parsers to the same tree on every YAML spec of
//! the fixtures, the project and the corpus, and on each rule.
//!
//! Where the two read the same text differently, libyaml's reading stands, so that no spec
//! that loaded before is refused or changed now:
//! - libyaml accepts some text that YAML 1.2 does not, such as a quoted scalar whose lines run
//!   on at less than its mapping's indentation. A syntax error of the strict parser sends the
//!   text to libyaml: its tree, or its error (the message and place the loader always gave).
//! - libyaml takes U+0085, U+2028 and U+2029 for line breaks (YAML 1.1) and keeps a byte-order
//!   mark after the start as text. A text with any of them goes to libyaml alone
//!   ([`strict_reads_as_libyaml`]).
//! - A block scalar that ends the file without a line break keeps none, as libyaml and YAML 1.2
//!   have it (saphyr-parser adds one). When the file ends in a line of spaces after it,
//!   whether saphyr-parser adds one depends on the lines before: libyaml reads such a text.
//! - Where the strict parser meets one of these, it refuses with a syntax error, and libyaml
//!   reads the text:
//!   - an anchor or alias whose name holds a character other than letters, digits, `-` and
//!     `_` (YAML 1.2 takes everything up to a space or a flow indicator into the name: `&a:`
//!     names `a:`, where libyaml reads an anchor `a` on an empty key);
//!   - a plain scalar starting with `?` or `:` in a flow collection (libyaml takes them for
//!     the indicators of a key and a value there: `[?a]` holds the mapping `a: null`). In a
//!     block collection the two agree (`- ::1` is an address to both);
//!   - a block scalar as the whole document (its lines may start in the first column there,
//!     and libyaml takes one that starts with `#` for a comment).
//!
//! Two random tests hold the trees equal wherever libyaml gives one: one cuts and mutates
//! fragments of every YAML spec (`mutated_fragments_...`), the other writes short texts of
//! YAML's punctuation (`texts_of_punctuation_...`).
//!
//! Limits, for a document from a stranger: sequences and mappings nest at most
//! [`MAX_DEPTH`] deep (an alias's node counted where it is used), anchors and aliases may copy
//! at most [`MAX_EXPANSION`] bytes in all, and a file holds one document (none is null).
//! These are final: a document past them is not given to libyaml. Every error names its line
//! and column.

use std::borrow::Cow;
use std::fmt;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Value};

/// Sequences and mappings nest at most this deep (as `serde_yaml` allowed).
pub const MAX_DEPTH: usize = 128;

/// What the anchors and aliases of one document may copy, in all: an anchored node is copied
/// once when it ends and once for each alias, and each copy counts the node's weight (the size
/// of a tree node for each of its nodes, plus the bytes of its strings). An alias bomb
/// (anchors whose nodes use the anchor before them, nine times each, nine deep), or anchors
/// nested round a large node, stop here instead of filling the memory.
pub const MAX_EXPANSION: usize = 64 << 20;

/// A YAML document that cannot be read, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, ending with the line and column.
    pub message: String,
    /// A syntax error (the text is not YAML), as opposed to a document past a limit.
    syntax: bool,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A document's tree, how much its anchors and aliases copied ([`MAX_EXPANSION`]'s
/// measure), and the keys it met twice in one mapping.
#[derive(Debug, PartialEq)]
pub struct Tree {
    /// The document.
    pub value: Value,
    /// The weight its anchors and aliases copied (0 when libyaml read it).
    pub expanded: usize,
    /// Each key met again in a mapping that already had it, in the order of the text. The tree
    /// keeps the key's first place and its last value: what came before is lost, which a spec's
    /// author never means (a path item or a schema pasted twice, the first one dropped).
    pub duplicates: Vec<Duplicate>,
}

/// A key met again in a mapping that already had it.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    /// The JSON pointer of the entry (the mapping's pointer, then the key).
    pub pointer: String,
    /// Where the later key stands (1-based line and column); `None` where the parser does not
    /// tell (libyaml, JSON): the pointer then locates the entry.
    pub at: Option<(usize, usize)>,
}

/// A sequence or mapping whose end is still to come.
enum Open {
    Sequence(Vec<Value>),
    /// The entries so far, and the key read without its value yet (and where it starts).
    Mapping(Map<String, Value>, Option<(String, Marker)>),
}

struct Frame {
    open: Open,
    /// The anchor on the node (0: none).
    anchor: usize,
    /// Where the node's start event starts (a character index): at the `[` or `{` of a
    /// flow collection, or at its anchor or tag.
    start: usize,
    /// Whether it is a flow collection or inside one, once asked ([`in_flow`]).
    flow: Option<bool>,
}

/// A completed anchored node, ready for its aliases.
struct Anchored {
    value: Value,
    weight: usize,
    depth: usize,
}

/// Parses one YAML document into its JSON tree: with [`parse_strict`] (a large document in
/// pieces on every CPU, `super::pieces`), and with [`parse_libyaml`] on a syntax error (its
/// error is the one given when both fail) or where the two would read the characters
/// differently ([`strict_reads_as_libyaml`]).
pub fn parse(source: &str) -> Result<Tree, Error> {
    if !strict_reads_as_libyaml(source) {
        return libyaml_tree(source);
    }
    // The whole text when the pieces cannot be had, so every error is the whole parse's.
    super::pieces::parse(source).map_or_else(|| parse_whole(source), Ok)
}

/// The whole text with [`parse_strict`], and with [`parse_libyaml`] on a syntax error; for a
/// text [`strict_reads_as_libyaml`].
pub(super) fn parse_whole(source: &str) -> Result<Tree, Error> {
    match parse_strict(source) {
        Err(e) if e.syntax => libyaml_tree(source),
        done => done,
    }
}

/// Whether [`parse_strict`] reads `source` as libyaml does, as far as the characters go.
/// libyaml follows YAML 1.1 in taking U+0085, U+2028 and U+2029 for line breaks, and keeps a
/// byte-order mark after the start as text; YAML 1.2 takes the first three for text and the
/// mark for nothing. A text with any of them (rare: a description pasted from elsewhere) is
/// read by libyaml alone, so its tree stays the one it was.
pub fn strict_reads_as_libyaml(source: &str) -> bool {
    let bytes = source.as_bytes();
    // In UTF-8: C2 85, E2 80 A8, E2 80 A9 and EF BB BF.
    !memchr::memchr3_iter(0xC2, 0xE2, 0xEF, bytes).any(|at| {
        matches!(
            bytes[at..],
            [0xC2, 0x85, ..] | [0xE2, 0x80, 0xA8 | 0xA9, ..] | [0xEF, 0xBB, 0xBF, ..]
        )
    })
}

/// Parses one YAML 1.2 document into its JSON tree, with `saphyr-parser`.
pub fn parse_strict(source: &str) -> Result<Tree, Error> {
    parse_within(source, MAX_EXPANSION)
}

/// [`parse_strict`], with anchors and aliases allowed to copy at most `limit` bytes (a piece
/// of a document gets its share of [`MAX_EXPANSION`]).
pub(super) fn parse_within(source: &str, limit: usize) -> Result<Tree, Error> {
    let mut parser = Parser::new_from_str(source);
    let mut stack: Vec<Frame> = Vec::new();
    // Indexed by anchor id (the parser numbers them from 1); `None` until the node completes,
    // so an alias inside its own anchor's node is refused.
    let mut anchors: Vec<Option<Anchored>> = Vec::new();
    let mut root = None;
    let mut documents = 0usize;
    let mut expanded = 0usize;
    let mut duplicates = Vec::new();
    // A block scalar whose last line ends the file without a line break: YAML 1.2 (and
    // libyaml) keeps no final line break there, saphyr-parser adds one. Whether the scalar
    // ends the file is asked of the text's positions only for such a file.
    let ends_open = !source.ends_with(['\n', '\r']);
    let mut offsets = Offsets::new(source);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(scan_error)?;
        let (value, anchor) = match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(error(
                        span,
                        "a second YAML document starts here; a spec is one document",
                    ));
                }
                continue;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                // The name first: where libyaml ends it elsewhere, the tag may be text to it.
                if anchor != 0 {
                    name_as_libyaml(&mut offsets, span)?;
                }
                if let Some(tag) = tag {
                    if is_local(tag) {
                        return Err(unsupported(tag, span));
                    }
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(span));
                }
                let open = if matches!(event, Event::SequenceStart(..)) {
                    Open::Sequence(Vec::new())
                } else {
                    Open::Mapping(Map::new(), None)
                };
                stack.push(Frame {
                    open,
                    anchor,
                    start: span.start.index(),
                    flow: None,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    return Err(error(span, "the end of a node that was not started"));
                };
                let value = match frame.open {
                    Open::Sequence(items) => Value::Array(items),
                    Open::Mapping(entries, _) => Value::Object(entries),
                };
                (value, frame.anchor)
            }
            Event::Scalar(mut text, style, anchor, tag) => {
                if anchor != 0 {
                    name_as_libyaml(&mut offsets, span)?;
                }
                if style == ScalarStyle::Plain
                    && text.starts_with(['?', ':'])
                    && in_flow(&mut stack, &mut offsets)
                {
                    // In a flow collection libyaml takes `?` and `:` for the indicators of a
                    // key and a value even without a space after them (`[?a]` holds the
                    // mapping `a: null`); YAML 1.2 for the start of a word. libyaml reads such
                    // a text, as it always did.
                    return Err(syntax(
                        span.start,
                        "a plain scalar that starts with `?` or `:`",
                    ));
                }
                if stack.is_empty() && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    // At the top level a block scalar's lines may start in the first column,
                    // and libyaml takes such a line that starts with `#` for a comment, YAML
                    // 1.2 for text. No spec is a scalar: libyaml reads it, as it always did.
                    return Err(syntax(span.start, "a block scalar as the whole document"));
                }
                if ends_open
                    && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && offsets.from(span.end.index()).is_empty()
                {
                    // A last line of spaces only: whether saphyr-parser adds a line break
                    // there depends on the lines before it. libyaml reads such a text.
                    let last = source.rsplit(['\n', '\r']).next().unwrap_or_default();
                    if last.trim_start_matches([' ', '\t']).is_empty() {
                        return Err(syntax(
                            span.end,
                            "a block scalar that ends the file in spaces",
                        ));
                    }
                    if text.ends_with('\n') {
                        text.to_mut().pop();
                    }
                }
                (scalar(text, style, tag.as_deref(), span)?, anchor)
            }
            Event::Alias(id) => {
                name_as_libyaml(&mut offsets, span)?;
                let Some(Some(anchored)) = anchors.get(id) else {
                    return Err(error(
                        span,
                        "an alias inside the node its anchor names (a recursive alias)",
                    ));
                };
                if stack.len() + anchored.depth > MAX_DEPTH {
                    return Err(too_deep(span));
                }
                copy(&mut expanded, anchored.weight, limit, span)?;
                (anchored.value.clone(), 0)
            }
        };
        if anchor != 0 {
            if anchors.len() <= anchor {
                anchors.resize_with(anchor + 1, || None);
            }
            let (weight, depth) = measure(&value);
            // The anchor's own copy counts too: anchors nested round a large node would
            // otherwise copy it once per level, whether or not an alias ever uses them.
            copy(&mut expanded, weight, limit, span)?;
            anchors[anchor] = Some(Anchored {
                value: value.clone(),
                weight,
                depth,
            });
        }
        let again = match stack.last_mut() {
            None => {
                root = Some(value);
                None
            }
            Some(Frame {
                open: Open::Sequence(items),
                ..
            }) => {
                items.push(value);
                None
            }
            Some(Frame {
                open: Open::Mapping(entries, key),
                ..
            }) => match key.take() {
                None => {
                    *key = Some((key_text(value), span.start));
                    None
                }
                Some((key, start)) => insert(entries, key, value).map(|key| (key, start)),
            },
        };
        if let Some((key, start)) = again {
            duplicates.push(Duplicate {
                pointer: pointer_of(&stack, &key),
                at: Some((start.line(), start.col() + 1)),
            });
        }
    }
    // No document at all (an empty file, or only comments) is null, as serde_yaml had it.
    Ok(Tree {
        value: root.unwrap_or(Value::Null),
        expanded,
        duplicates,
    })
}

/// Where the nodes named by the pointers of `wanted` stand, each as (1-based line, 1-based
/// column): an entry of a mapping at its key, an item of a sequence where the item starts.
/// A pointer that names no node gets its longest prefix that does (the document: line 1).
/// One pass over the text with the strict parser, for many diagnostics at once; `None` when
/// that parser does not read the text (a document libyaml reads, a syntax error) or it holds
/// more than one document. A key met twice is placed at its first place, as the tree keeps
/// it. Each node costs the length of its own key, not of its pointer: the pointers are
/// followed token by token through their prefixes, numbered.
pub fn positions(
    source: &str,
    wanted: &[&str],
) -> Option<std::collections::HashMap<String, (usize, usize)>> {
    use std::collections::HashMap;
    if !strict_reads_as_libyaml(source) {
        return None;
    }
    // The prefixes of the wanted pointers, numbered (0: the document), by their parent's
    // number and their last token as written in the pointer.
    let mut children: HashMap<(usize, &str), usize> = HashMap::new();
    let mut paths: Vec<Vec<usize>> = Vec::with_capacity(wanted.len());
    for pointer in wanted {
        let mut id = 0;
        let mut path = Vec::new();
        for token in pointer.split('/').skip(1) {
            let next = children.len() + 1;
            id = *children.entry((id, token)).or_insert(next);
            path.push(id);
        }
        paths.push(path);
    }
    // Where each numbered prefix was found.
    let mut found: Vec<Option<(usize, usize)>> = vec![None; children.len() + 1];
    let mut place = |id: Option<usize>, at| {
        if let Some(slot) = id.and_then(|id| found.get_mut(id)) {
            slot.get_or_insert(at);
        }
    };
    /// An open collection: what it waits for, and its number when it is a wanted prefix.
    struct Open {
        next: Place,
        id: Option<usize>,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut documents = 0usize;
    let mut parser = Parser::new_from_str(source);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let at = (span.start.line(), span.start.col() + 1);
        let collection = match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop()?;
                // The parent's next node: the next item, the value of the collection that
                // was a key, or the next key.
                match stack.last_mut().map(|o| &mut o.next) {
                    Some(Place::Sequence(i)) => *i += 1,
                    Some(next @ Place::Key) => *next = Place::Value(None),
                    Some(next @ Place::Value(_)) => *next = Place::Key,
                    None => {}
                }
                continue;
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => true,
            Event::Scalar(..) | Event::Alias(_) => false,
        };
        let parent = stack.last().and_then(|o| o.id);
        let child = |token: &str| parent.and_then(|p| children.get(&(p, token)).copied());
        // This node's number, if it is a wanted prefix.
        let id = match stack.last_mut().map(|o| &mut o.next) {
            None => Some(0),
            Some(Place::Sequence(i)) => {
                let id = child(&i.to_string());
                place(id, at);
                if !collection {
                    *i += 1;
                }
                id
            }
            Some(next @ Place::Key) => {
                let Event::Scalar(ref text, style, _, ref tag) = event else {
                    // A collection (or an alias) as a key (no spec has one): nothing in it
                    // is named, nor its value.
                    if collection {
                        stack.push(Open {
                            next: new_place(&event),
                            id: None,
                        });
                    } else {
                        *next = Place::Value(None);
                    }
                    continue;
                };
                // A key: the entry stands where its key does.
                let id = parent.and_then(|_| {
                    let key = scalar(text.clone(), style, tag.as_deref(), span)
                        .map_or_else(|_| text.to_string(), key_text);
                    child(&crate::diag::escape_token(&key))
                });
                place(id, at);
                *next = Place::Value(id);
                continue;
            }
            Some(next @ Place::Value(_)) => {
                let Place::Value(id) = std::mem::replace(next, Place::Key) else {
                    continue;
                };
                if collection {
                    // The parent waits for the collection's end, as for a value.
                    *next = Place::Value(None);
                }
                id
            }
        };
        if collection {
            stack.push(Open {
                next: new_place(&event),
                id,
            });
        }
    }
    let mut out = HashMap::with_capacity(wanted.len());
    for (pointer, path) in wanted.iter().zip(&paths) {
        let at = path
            .iter()
            .rev()
            .find_map(|&id| found[id])
            .unwrap_or((1, 1));
        out.insert((*pointer).to_owned(), at);
    }
    Some(out)
}

/// What a collection a start event opens waits for first ([`positions`]).
fn new_place(event: &Event<'_>) -> Place {
    if matches!(event, Event::SequenceStart(..)) {
        Place::Sequence(0)
    } else {
        Place::Key
    }
}

/// What an open collection waits for next ([`positions`]).
enum Place {
    /// The item of this index.
    Sequence(usize),
    /// A key.
    Key,
    /// The value of the key just read: its number when it is a wanted prefix.
    Value(Option<usize>),
}

/// Inserts an entry as the tree keeps it (a key met again keeps its first place and takes the
/// new value); gives back the key when the mapping had it already.
fn insert(entries: &mut Map<String, Value>, key: String, value: Value) -> Option<String> {
    match entries.entry(key) {
        serde_json::map::Entry::Vacant(entry) => {
            entry.insert(value);
            None
        }
        serde_json::map::Entry::Occupied(mut entry) => {
            entry.insert(value);
            Some(entry.key().clone())
        }
    }
}

/// The pointer of entry `key` of the innermost open mapping: each open node's place in the
/// one around it (the key waiting for its value, the index of the item to come), then `key`.
fn pointer_of(stack: &[Frame], key: &str) -> String {
    let mut pointer = String::new();
    for frame in &stack[..stack.len().saturating_sub(1)] {
        match &frame.open {
            Open::Sequence(items) => {
                pointer = crate::diag::push(&pointer, &items.len().to_string())
            }
            Open::Mapping(_, Some((key, _))) => pointer = crate::diag::push(&pointer, key),
            // A mapping used as a key (no spec has one): its place has no name.
            Open::Mapping(_, None) => {}
        }
    }
    crate::diag::push(&pointer, key)
}

fn at(line: usize, column: usize, message: &str, syntax: bool) -> Error {
    Error {
        line,
        column,
        message: format!("{message} at line {line} column {column}"),
        syntax,
    }
}

fn error(span: Span, message: &str) -> Error {
    at(span.start.line(), span.start.col() + 1, message, false)
}

fn scan_error(e: ScanError) -> Error {
    syntax(*e.marker(), e.info())
}

/// A syntax error at `marker`: [`parse`] hands the text to libyaml.
fn syntax(marker: Marker, message: &str) -> Error {
    at(marker.line(), marker.col() + 1, message, true)
}

/// The text at the parser's positions, which count characters. An ASCII text's positions are
/// its byte offsets; in another, the byte offset of every [`Offsets::STEP`]th character is
/// found once (when a position is first asked for), and a position costs at most that many
/// characters' steps.
struct Offsets<'a> {
    text: &'a str,
    /// `None` for an ASCII text.
    marks: Option<Vec<usize>>,
    /// Whether `marks` was made (or the text found to be ASCII).
    ready: bool,
}

impl<'a> Offsets<'a> {
    const STEP: usize = 64;

    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            marks: None,
            ready: false,
        }
    }

    /// The text from the character at `index` on (empty past the end).
    fn from(&mut self, index: usize) -> &'a str {
        if !self.ready {
            self.ready = true;
            if !self.text.is_ascii() {
                let marks = self.text.char_indices().step_by(Self::STEP);
                self.marks = Some(marks.map(|(at, _)| at).collect());
            }
        }
        let Some(marks) = &self.marks else {
            return self.text.get(index..).unwrap_or_default();
        };
        let Some(&mark) = marks.get(index / Self::STEP) else {
            return "";
        };
        let rest = &self.text[mark..];
        match rest.char_indices().nth(index % Self::STEP) {
            Some((at, _)) => &rest[at..],
            None => "",
        }
    }
}

/// Whether the innermost open node is a flow collection or inside one (a block collection
/// cannot be inside a flow one). Each node is looked at once.
fn in_flow(stack: &mut [Frame], offsets: &mut Offsets<'_>) -> bool {
    let mut outer = false;
    for frame in stack {
        let flow = *frame.flow.get_or_insert_with(|| {
            // A flow collection's start event starts at its `[` or `{`, or at the anchor and
            // tag before it.
            let mut rest = offsets.from(frame.start);
            while rest.starts_with(['&', '!']) {
                rest = rest.trim_start_matches(|c| !ends_name(c));
                rest = rest.trim_start_matches(BREAKS);
            }
            outer || rest.starts_with(['[', '{'])
        });
        outer = flow;
    }
    outer
}

/// Spaces and line breaks: what ends a tag, and with a flow indicator an anchor's name.
const BREAKS: [char; 4] = [' ', '\t', '\r', '\n'];

/// Whether `c` ends an anchor's or alias's name in YAML 1.2 (a space, a line break or a flow
/// indicator).
fn ends_name(c: char) -> bool {
    BREAKS.contains(&c) || matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// Checks that the anchor or alias at the start of a node (`span`, after a tag written before
/// the anchor) has a name libyaml ends where YAML 1.2 does: letters, digits, `-` and `_`.
/// YAML 1.2 takes every other character up to a space or a flow indicator into the name
/// (`&a:` names `a:`), YAML 1.1 ends the name before it (`&a` on an empty key). A syntax
/// error otherwise, so that libyaml reads the text, as it always did.
fn name_as_libyaml(offsets: &mut Offsets<'_>, span: Span) -> Result<(), Error> {
    let mut rest = offsets.from(span.start.index());
    if rest.starts_with('!') {
        rest = rest.trim_start_matches(|c| !BREAKS.contains(&c));
        rest = rest.trim_start_matches(BREAKS);
    }
    let name = rest
        .strip_prefix(['&', '*'])
        .map(|r| r.split(ends_name).next())
        .unwrap_or_default();
    match name {
        Some(name)
            if name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(())
        }
        _ => Err(syntax(
            span.start,
            "an anchor or alias whose name YAML 1.1 ends elsewhere",
        )),
    }
}

/// Counts a copy of `weight` against the limit.
fn copy(expanded: &mut usize, weight: usize, limit: usize, span: Span) -> Result<(), Error> {
    *expanded = expanded.saturating_add(weight);
    if *expanded > limit {
        return Err(error(
            span,
            &format!(
                "repetition limit exceeded: anchors and aliases copy more than {} KiB",
                limit >> 10
            ),
        ));
    }
    Ok(())
}

fn too_deep(span: Span) -> Error {
    error(
        span,
        &format!("recursion limit exceeded: nested more than {MAX_DEPTH} deep"),
    )
}

/// A tag the document defines for itself (`!thing`, `!`): the tree has no place for it.
fn is_local(tag: &Tag) -> bool {
    tag.handle.starts_with('!') || (tag.handle.is_empty() && tag.suffix.starts_with('!'))
}

fn unsupported(tag: &Tag, span: Span) -> Error {
    error(
        span,
        &format!("unsupported YAML tag `{tag}`: a spec holds plain data"),
    )
}

/// A key as the tree writes it: a string as it is, anything else as its JSON text.
fn key_text(key: Value) -> String {
    match key {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A node's weight (its nodes at the size of a tree node, plus its strings' bytes) and depth
/// (0 for a scalar).
fn measure(value: &Value) -> (usize, usize) {
    match value {
        Value::String(s) => (NODE + s.len(), 0),
        Value::Array(items) => items.iter().fold((NODE, 1), |(w, d), item| {
            let (iw, id) = measure(item);
            (w + iw, d.max(id + 1))
        }),
        Value::Object(entries) => entries.iter().fold((NODE, 1), |(w, d), (k, item)| {
            let (iw, id) = measure(item);
            (w + k.len() + iw, d.max(id + 1))
        }),
        _ => (NODE, 0),
    }
}

const CORE: &str = "tag:yaml.org,2002:";

/// A scalar's value: by its tag when it has one, else a plain scalar by the resolution rules
/// below and a quoted or block scalar as a string.
fn scalar(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: Span,
) -> Result<Value, Error> {
    if let Some(tag) = tag {
        if is_local(tag) {
            return Err(unsupported(tag, span));
        }
        let full = format!("{}{}", tag.handle, tag.suffix);
        let invalid = |what: &str| {
            error(
                span,
                &format!("invalid value: string {text:?}, expected {what}"),
            )
        };
        return match full.strip_prefix(CORE) {
            Some("bool") => parse_bool(&text)
                .map(Value::Bool)
                .ok_or_else(|| invalid("a boolean")),
            Some("int") => integer(&text).ok_or_else(|| invalid("an integer")),
            Some("float") => parse_float(&text)
                .map(float)
                .ok_or_else(|| invalid("a float")),
            Some("null") => match is_null(&text) {
                true => Ok(Value::Null),
                false => Err(invalid("null")),
            },
            _ => Ok(Value::String(owned(text))),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(owned(text)));
    }
    Ok(plain(&text).unwrap_or_else(|| Value::String(owned(text))))
}

/// A scalar's text as the tree keeps it: the parser grows the text of a scalar it had to
/// rewrite (escapes, folded lines) by doubling, and the tree holds it for the whole run, so
/// the spare capacity is given back (the peak of `check` on stripe: 99 MiB kept, 82 MiB given
/// back).
fn owned(text: Cow<'_, str>) -> String {
    match text {
        Cow::Borrowed(text) => text.to_owned(),
        Cow::Owned(mut text) => {
            text.shrink_to_fit();
            text
        }
    }
}

/// A plain scalar that is not a string: null, a boolean or a number.
fn plain(text: &str) -> Option<Value> {
    match text.as_bytes().first() {
        None => Some(Value::Null),
        // Most plain scalars are words: only these can start anything else (a number, or
        // `nan` and `inf`, which are not finite and so stay strings).
        Some(b'n' | b'N' | b'~') => is_null(text).then_some(Value::Null),
        Some(b't' | b'T' | b'f' | b'F') => parse_bool(text).map(Value::Bool),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.') => {
            if let Some(number) = integer(text) {
                return Some(number);
            }
            if leading_zero_digits(text) {
                return None;
            }
            parse_float(text).map(float)
        }
        Some(_) => None,
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "null" | "Null" | "NULL" | "~")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// An integer: decimal, `0x`, `0o` or `0b`, signed; beyond 64 bits (up to 128) as a float.
fn integer(text: &str) -> Option<Value> {
    if let Some(n) = unsigned(text, u64::from_str_radix) {
        return Some(Value::from(n));
    }
    if let Some(n) = negative(text, i64::from_str_radix) {
        return Some(Value::from(n));
    }
    if let Some(n) = unsigned(text, u128::from_str_radix) {
        return Some(float(n as f64));
    }
    negative(text, i128::from_str_radix).map(|n| float(n as f64))
}

type Radix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

const PREFIXES: [(&str, u32); 3] = [("0x", 16), ("0o", 8), ("0b", 2)];

/// A non-negative integer, `+` allowed.
fn unsigned<T>(text: &str, from: Radix<T>) -> Option<T> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    for (prefix, radix) in PREFIXES {
        if let Some(rest) = digits.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = from(rest, radix) {
                return Some(n);
            }
        }
    }
    if digits.starts_with(['+', '-']) || leading_zero_digits(text) {
        return None;
    }
    from(digits, 10).ok()
}

/// A negative integer (decimal, or `-0x`, `-0o`, `-0b`).
fn negative<T>(text: &str, from: Radix<T>) -> Option<T> {
    for (prefix, radix) in PREFIXES {
        if let Some(rest) = text.strip_prefix('-').and_then(|t| t.strip_prefix(prefix)) {
            if let Ok(n) = from(&format!("-{rest}"), radix) {
                return Some(n);
            }
        }
    }
    if leading_zero_digits(text) {
        return None;
    }
    from(text, 10).ok()
}

/// A finite float, or `.inf`, `-.inf` and `.nan` in their three spellings.
fn parse_float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match text {
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Digits after a leading zero (`0123`, `-007`): a string, as YAML 1.2 has it.
fn leading_zero_digits(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

/// A float as the tree holds it: null when not finite (JSON has no infinity).
fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// How much tree [`parse_libyaml`] may build for a text of `len` bytes, by [`measure`]'s
/// weight: 64 times the text (a node takes at least two bytes of text, and weighs under 100
/// with its place in the tree) plus [`MAX_EXPANSION`] for what aliases add.
fn libyaml_budget(len: usize) -> usize {
    len.saturating_mul(64).saturating_add(MAX_EXPANSION)
}

/// Parses one YAML document into its JSON tree with `serde_yaml` (libyaml), as the loader did
/// before [`parse_strict`]: its error's message and place are libyaml's. serde_yaml bounds
/// alias expansion by a count of uses, which does not bound the tree (one large anchored node
/// used thousands of times); the tree built here may weigh at most 64 times the text plus
/// [`MAX_EXPANSION`], by the weight that limit counts.
pub fn parse_libyaml(source: &str) -> Result<Value, Error> {
    libyaml_tree(source).map(|tree| tree.value)
}

/// [`parse_libyaml`]'s tree, with the keys met twice (without their place: the pointer
/// locates them).
pub fn libyaml_tree(source: &str) -> Result<Tree, Error> {
    let budget = std::cell::Cell::new(libyaml_budget(source.len()));
    let repeats = Repeats::default();
    let tolerant = Tolerant {
        budget: Some(&budget),
        repeats: &repeats,
    };
    let value = serde::de::DeserializeSeed::deserialize(
        tolerant,
        serde_yaml::Deserializer::from_str(source),
    )
    .map_err(|e| {
        let place = e.location();
        Error {
            line: place.as_ref().map_or(1, |l| l.line()),
            column: place.as_ref().map_or(1, |l| l.column()),
            message: e.to_string(),
            syntax: true,
        }
    })?;
    Ok(Tree {
        value,
        expanded: 0,
        duplicates: repeats.pointers(),
    })
}

/// Parses a JSON text into its tree as `serde_json` does, and finds the keys met twice in one
/// object (RFC 8259 leaves what they mean to the reader; serde_json keeps the last value).
pub fn parse_json(source: &str) -> Result<Tree, serde_json::Error> {
    let repeats = Repeats::default();
    let mut reader = serde_json::Deserializer::from_str(source);
    let json = Tolerant {
        budget: None,
        repeats: &repeats,
    };
    let value = serde::de::DeserializeSeed::deserialize(json, &mut reader)?;
    reader.end()?;
    Ok(Tree {
        value,
        expanded: 0,
        duplicates: repeats.pointers(),
    })
}

/// The keys met again in a mapping, while a tree is deserialized: each noted with the tokens
/// of its pointer, innermost first; each mapping and sequence adds its own token to those
/// noted inside the value it just read.
#[derive(Default)]
struct Repeats {
    /// How many are noted (read for every entry: a `Cell`, not a borrow).
    count: std::cell::Cell<usize>,
    tokens: std::cell::RefCell<Vec<Vec<String>>>,
}

impl Repeats {
    fn count(&self) -> usize {
        self.count.get()
    }

    /// Notes `key`, met again in the mapping being read.
    fn note(&self, key: String) {
        self.tokens.borrow_mut().push(vec![key]);
        self.count.set(self.count.get() + 1);
    }

    /// Adds `token` to those noted since there were `before` of them.
    fn within(&self, before: usize, token: impl FnOnce() -> String) {
        if self.count.get() > before {
            let token = token();
            for tokens in &mut self.tokens.borrow_mut()[before..] {
                tokens.push(token.clone());
            }
        }
    }

    /// The duplicates, with their pointers.
    fn pointers(self) -> Vec<Duplicate> {
        let pointer = |tokens: Vec<String>| {
            let tokens = tokens.iter().rev();
            tokens.fold(String::new(), |p, token| crate::diag::push(&p, token))
        };
        let noted = self.tokens.into_inner().into_iter();
        noted
            .map(|tokens| Duplicate {
                pointer: pointer(tokens),
                at: None,
            })
            .collect()
    }
}

/// Deserializes a JSON tree from YAML, tolerating what `serde_json::Value` does not: integers
/// beyond 64 bits (kept as floats) and keys that are not strings (`200:` becomes `"200"`).
/// With a `budget` (libyaml's text), each node spends its weight from it; without (a JSON
/// text, whose keys are strings), it reads as `serde_json::Value` does. A key met again in a
/// mapping is noted in `repeats`.
#[derive(Clone, Copy)]
struct Tolerant<'b> {
    budget: Option<&'b std::cell::Cell<usize>>,
    repeats: &'b Repeats,
}

impl Tolerant<'_> {
    fn spend<E: serde::de::Error>(self, weight: usize) -> Result<(), E> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        match budget.get().checked_sub(weight) {
            Some(left) => {
                budget.set(left);
                Ok(())
            }
            None => Err(E::custom(
                "repetition limit exceeded: the aliases expand the tree past 64 times the text \
                 plus 64 MiB",
            )),
        }
    }

    fn node<E: serde::de::Error>(self, value: Value) -> Result<Value, E> {
        self.spend(NODE)?;
        Ok(value)
    }
}

/// The weight of a tree node, before its strings.
const NODE: usize = std::mem::size_of::<Value>();

impl<'de> serde::de::DeserializeSeed<'de> for Tolerant<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Tolerant<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.node(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.node(Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.node(Value::from(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        self.node(i64::try_from(v).map_or_else(|_| float(v as f64), Value::from))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        self.node(u64::try_from(v).map_or_else(|_| float(v as f64), Value::from))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.node(float(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.spend(v.len())?;
        self.node(Value::String(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.spend(v.len())?;
        self.node(Value::String(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.node(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.node(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.spend(NODE)?;
        let mut out = Vec::new();
        loop {
            let before = self.repeats.count();
            let Some(v) = seq.next_element_seed(self)? else {
                break;
            };
            self.repeats.within(before, || out.len().to_string());
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.spend(NODE)?;
        let mut out = Map::new();
        loop {
            // A JSON key is a string: read as one, not as a value.
            let key = match self.budget {
                None => map.next_key::<String>()?,
                Some(_) => map.next_key_seed(self)?.map(key_text),
            };
            let Some(key) = key else {
                break;
            };
            let before = self.repeats.count();
            let v = map.next_value_seed(self)?;
            self.repeats.within(before, || key.clone());
            if let Some(key) = insert(&mut out, key, v) {
                self.repeats.note(key);
            }
        }
        Ok(Value::Object(out))
    }
}
