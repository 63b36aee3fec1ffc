//! A large YAML document parsed in pieces, in parallel.
//!
//! An OpenAPI document in YAML is a block mapping whose entries start at column 0, and its
//! large entries (`paths`, `components`, `schemas`) are block mappings whose own entries start
//! at one indentation. The text can be cut at the lines where such entries start. Each piece
//! is parsed on its own thread; a piece that starts inside entries is parsed after their key
//! lines (`components:`, `  schemas:`), so its tree has the same nesting (and the parser's
//! depth limit counts the same levels); and the pieces' trees are joined in order, each
//! continuing the entries the piece before it left open.
//!
//! The cutting reads lines, not YAML, so it vouches for nothing. Whenever a piece does not
//! parse, or a piece or the join meets a key twice, or a piece that does not continue what the pieces
//! before it left open, [`parse`] gives up and the caller parses the whole text as before: that
//! result, or that error with its line and column, is the only one anyone sees. A cut inside a
//! quoted or flow scalar leaves a piece unterminated, so it fails; an alias to an anchor in
//! another piece fails; a document with directives or document markers is not cut at all.

use std::borrow::Cow;
use std::ops::Range;

use serde_json::{Map, Value};

use super::yaml;
use crate::parallel;

/// No piece is made smaller than this: below it, a thread costs about what it saves.
pub(super) const MIN_PIECE: usize = 64 << 10;

/// A line where a piece may start.
#[derive(Debug, Clone, PartialEq)]
struct Cut {
    /// The line's byte offset in the text.
    at: usize,
    /// The key lines of the entries the line is inside, outermost first (their bytes in the
    /// text, line ends included): the piece is parsed after them.
    inside: Vec<Range<usize>>,
}

/// The document's tree, parsed in twice as many pieces as there are CPUs (each at least
/// [`MIN_PIECE`] bytes) by the strict parser; `None` when it is too small to cut, or cutting
/// it did not give the tree the whole text gives (then the caller parses the whole text).
/// [`yaml::parse`] calls it, for a text the strict parser reads as libyaml does.
pub(super) fn parse(source: &str) -> Option<yaml::Tree> {
    let most = source.len() / MIN_PIECE;
    if most < 2 {
        return None;
    }
    let threads = parallel::threads();
    if threads < 2 {
        return None;
    }
    // Twice as many pieces as threads: pieces of one size differ in cost, and the threads
    // take them one at a time, so they finish closer together.
    match (2 * threads).min(most) {
        pieces @ 2.. => parse_in(source, pieces),
        _ => None,
    }
}

/// [`parse`] with the number of pieces given.
fn parse_in(source: &str, pieces: usize) -> Option<yaml::Tree> {
    let cuts = scan(source, even_splits(source.len(), pieces))?;
    if cuts.is_empty() {
        return None;
    }
    let mut starts = vec![Cut {
        at: 0,
        inside: Vec::new(),
    }];
    starts.extend(cuts);
    let texts: Vec<Cow<'_, str>> = starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            let end = starts.get(i + 1).map_or(source.len(), |next| next.at);
            let body = &source[start.at..end];
            if start.inside.is_empty() {
                return Cow::Borrowed(body);
            }
            let keys = start.inside.iter().map(|r| r.len()).sum::<usize>();
            let mut text = String::with_capacity(keys + body.len());
            for key_line in &start.inside {
                text.push_str(&source[key_line.clone()]);
            }
            text.push_str(body);
            Cow::Owned(text)
        })
        .collect();
    // Each piece may copy its share of the document's limit, so the pieces in flight together
    // hold no more than the whole parse could; a piece past its share gives up, and the whole
    // parse decides.
    let share = yaml::MAX_EXPANSION / texts.len();
    let trees = parallel::par_map(&texts, |text| yaml::parse_within(text, share).ok());
    drop(texts);
    let mut root = Map::new();
    let mut expanded = 0;
    for (tree, start) in trees.into_iter().zip(&starts) {
        let tree = tree?;
        // A key met twice is reported with its place in the whole text.
        if !tree.duplicates.is_empty() {
            return None;
        }
        expanded += tree.expanded;
        let Value::Object(piece) = tree.value else {
            return None;
        };
        join(&mut root, piece, start.inside.len())?;
    }
    Some(yaml::Tree {
        value: Value::Object(root),
        expanded,
        duplicates: Vec::new(),
    })
}

/// Joins a piece's mapping to the tree of the pieces before it. A piece that starts `depth`
/// entries deep continues the last entry at each of those levels: its first key must be the
/// last one there, and both mappings. Any key met twice (which the whole parse settles by its
/// own rule) gives up.
fn join(open: &mut Map<String, Value>, piece: Map<String, Value>, depth: usize) -> Option<()> {
    let mut entries = piece.into_iter();
    if depth > 0 {
        let (key, Value::Object(inner)) = entries.next()? else {
            return None;
        };
        let (last, Value::Object(continued)) = open.iter_mut().next_back()? else {
            return None;
        };
        if *last != key {
            return None;
        }
        join(continued, inner, depth - 1)?;
    }
    for (key, value) in entries {
        if open.contains_key(&key) {
            return None;
        }
        open.insert(key, value);
    }
    Some(())
}

/// An entry whose value is the block mapping on the lines below its key line.
struct Open {
    indent: usize,
    key_line: Range<usize>,
    /// The indentation of its entries, once the first is seen; `None` after a first line
    /// below the key that is not a key (a sequence): nothing inside is cut.
    entries: Option<Option<usize>>,
}

/// Every line where a piece may start, in order; `None` when the document is not to be cut.
#[cfg(test)]
fn cuts(source: &str) -> Option<Vec<Cut>> {
    scan(source, |_| true)
}

/// The lines where a piece may start that `take` (given each one's offset, in order) takes;
/// `None` when the document is not to be cut (it does not start with a key at column 0, or it
/// has directives or document markers).
fn scan(source: &str, mut take: impl FnMut(usize) -> bool) -> Option<Vec<Cut>> {
    let mut cuts = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    // Lines deeper than this belong to a value that is not a block mapping (a scalar, a
    // sequence, a flow collection): nothing in them is cut.
    let mut skip_deeper: Option<usize> = None;
    let mut started = false;
    let bytes = source.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        at = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let line = &bytes[start..at];
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        if skip_deeper.is_some_and(|d| indent > d) {
            continue;
        }
        let content = line[indent..].trim_ascii_end();
        if content.is_empty() || content[0] == b'#' {
            continue;
        }
        if indent == 0
            && (content[0] == b'%' || content.starts_with(b"---") || content.starts_with(b"..."))
        {
            return None;
        }
        if !started && indent > 0 {
            return None;
        }
        skip_deeper = None;
        while open.last().is_some_and(|o| o.indent >= indent) {
            open.pop();
        }
        let key = starts_key(content);
        if !started && !key {
            return None;
        }
        match open.last_mut() {
            Some(parent) => match parent.entries {
                None => parent.entries = Some(key.then_some(indent)),
                Some(Some(i)) if i == indent && key && take(start) => cuts.push(Cut {
                    at: start,
                    inside: open.iter().map(|o| o.key_line.clone()).collect(),
                }),
                Some(_) => {}
            },
            None if indent == 0 && key && started && take(start) => cuts.push(Cut {
                at: start,
                inside: Vec::new(),
            }),
            None => {}
        }
        started = true;
        if key && content.ends_with(b":") {
            open.push(Open {
                indent,
                key_line: start..at,
                entries: None,
            });
        } else {
            skip_deeper = Some(indent);
        }
    }
    Some(cuts)
}

/// Whether a line's content (after its indentation) looks like `key: ...`, the key plain or
/// quoted. Only a guess: a wrong one (the line goes on a quoted scalar) makes a piece fail, and
/// the whole text is parsed instead.
fn starts_key(content: &[u8]) -> bool {
    let first = content[0];
    !matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'%'
            | b'@'
            | b'`'
            | b'\t'
    ) && memchr::memchr(b':', content).is_some()
}

/// Takes, of the offsets it is given in order, the first at or after each of `pieces - 1` even
/// splits of `len` bytes.
fn even_splits(len: usize, pieces: usize) -> impl FnMut(usize) -> bool {
    let mut k = 1;
    move |at| {
        if k >= pieces || at < len * k / pieces {
            return false;
        }
        while k < pieces && len * k / pieces <= at {
            k += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(source: &str) -> Option<Value> {
        yaml::parse_whole(source).ok().map(|t| t.value)
    }

    /// Every number of pieces from 2 to `max` either gives up or gives the whole parse's
    /// tree, keys in the same order (`Value`'s equality ignores order, so the texts are
    /// compared). Returns how many numbers of pieces did not give up.
    fn agrees(source: &str, max: usize) -> usize {
        let expected = whole(source);
        let mut cut = 0;
        for pieces in 2..=max {
            if let Some(tree) = parse_in(source, pieces) {
                let expected = expected.as_ref().unwrap_or_else(|| {
                    panic!("{pieces} pieces parsed what the whole text does not")
                });
                assert_eq!(
                    serde_json::to_string(&tree.value).unwrap(),
                    serde_json::to_string(expected).unwrap(),
                    "{pieces} pieces"
                );
                cut += 1;
            }
        }
        cut
    }

    const SPEC: &str = "\
openapi: 3.0.3
info:
  title: T
  version: '1'
# a comment at column 0
paths:
  /a:
    get:
      description: |
        Text
        more text
      responses:
        '200':
          description: ok
  /b/{id}:
    get:
      tags:
      - x
      - y
      responses:
        200:
          description: >
            folded
            text
  # an indented comment
  /c:
    post:
      summary: \"quoted: with colon\"
      responses: {'200': {description: ok}}
components:
  schemas:
    A:
      type: integer
      maximum: 18446744073709551616
    B:
      type: object
      properties:
        a: {$ref: '#/components/schemas/A'}
tags:
- name: x
- name: y
";

    #[test]
    fn pieces_give_the_whole_tree_at_every_number_of_cuts() {
        // Cut at top-level keys and inside `paths`, `info`, `components`.
        assert!(agrees(SPEC, 12) >= 8);
        let crlf = SPEC.replace('\n', "\r\n");
        assert!(agrees(&crlf, 12) >= 8);
    }

    /// The bytes of the line of `text` that starts with `line`.
    fn line_of(text: &str, line: &str) -> Range<usize> {
        let at = text.find(line).unwrap();
        at..at + text[at..].find('\n').unwrap() + 1
    }

    #[test]
    fn a_piece_inside_entries_is_parsed_after_their_key_lines() {
        let all = cuts(SPEC).unwrap();
        let at = |line: &str| SPEC.find(line).unwrap();
        assert!(all.contains(&Cut {
            at: at("  /b/{id}:"),
            inside: vec![line_of(SPEC, "paths:")],
        }));
        assert!(all.contains(&Cut {
            at: at("    B:"),
            inside: vec![line_of(SPEC, "components:"), line_of(SPEC, "  schemas:")],
        }));
        assert!(all.contains(&Cut {
            at: at("components:"),
            inside: Vec::new(),
        }));
        // Not the first entry below a key, not a sequence entry, not a comment, nothing in a
        // block scalar or a flow mapping, nothing in an entry whose key line has its value.
        for line in [
            "  /a:",
            "    A:",
            "- name: y",
            "# a comment",
            "        more text",
            "            text",
            "        200:",
        ] {
            assert!(!all.iter().any(|c| c.at == at(line)), "{line}");
        }
        // Inside a sequence: `responses` below a `- x` entry at its key's indentation.
        let text = "a:
  b:
  - x: 1
    y:
      p: 1
      q: 2
  c: 1
";
        let all = cuts(text).unwrap();
        assert_eq!(
            all.iter().map(|c| c.at).collect::<Vec<_>>(),
            [text.find("  c: 1").unwrap()]
        );
        assert!(agrees(text, 3) > 0);
    }

    #[test]
    fn what_the_cutting_cannot_vouch_for_gives_up() {
        // An alias to an anchor in another piece.
        let alias = "a:\n  x: &anchor\n    y: 1\n  z: 2\nb:\n  w: *anchor\n";
        assert_eq!(parse_in(alias, 2), None);
        assert!(whole(alias).is_some());
        // A key met twice, at the top and inside an entry: the whole parse's rule decides.
        let twice = "a: 1\nb:\n  x: 1\n  y: 2\na: 3\n";
        assert_eq!(parse_in(twice, 3), None);
        let twice_inside = "p:\n  x: 1\n  y: 2\n  x: 3\n";
        assert_eq!(parse_in(twice_inside, 2), None);
        // A double-quoted scalar whose lines run on at column 0 and at the entries' indentation.
        let quoted = "a: \"one\ntwo: three\"\nb:\n  c: \"x\n  d: y\"\n  e: 1\n";
        assert!(whole(quoted).is_some());
        for pieces in 2..5 {
            let tree = parse_in(quoted, pieces).map(|t| t.value);
            assert!(tree.is_none() || tree == whole(quoted), "{pieces}");
        }
        // A flow mapping over several lines.
        let flow = "a: {x: 1,\ny: 2}\nb: 1\n";
        assert_eq!(agrees(flow, 4), 0);
        // Directives and document markers: not cut.
        assert_eq!(cuts("%YAML 1.2\n---\na: 1\nb: 2\n"), None);
        assert_eq!(cuts("a: 1\n---\nb: 2\n"), None);
        // A document that does not start with a key at column 0.
        assert_eq!(cuts("  a: 1\n  b: 2\n"), None);
        assert_eq!(cuts("- a\n- b\n"), None);
    }

    #[test]
    fn an_entry_whose_key_is_not_plain_is_not_cut_inside() {
        // The anchored key is no plain key: its entries must not be cut as `info`'s.
        let text = "info:\n  t: 1\n  u: 2\n&k paths:\n  /a: 1\n  /b: 2\n";
        let anchored = text.find("&k").unwrap();
        let all = cuts(text).unwrap();
        assert!(all.iter().any(|c| !c.inside.is_empty() && c.at < anchored));
        assert!(
            all.iter().all(|c| c.at < anchored || c.inside.is_empty()),
            "{all:?}"
        );
        agrees(text, 4);
    }

    /// A document of about `bytes` bytes: `paths` with many entries, then `tail`.
    fn large(bytes: usize, tail: &str) -> String {
        let mut text = String::from("openapi: 3.0.3\npaths:\n");
        let mut i = 0;
        while text.len() < bytes {
            text.push_str(&format!(
                "  /p{i}:\n    get:\n      description: operation {i}\n      responses:\n        '200':\n          description: ok\n"
            ));
            i += 1;
        }
        text.push_str(tail);
        text
    }

    #[test]
    fn a_large_document_parses_in_pieces_to_the_whole_tree() {
        let text = large(
            4 * MIN_PIECE,
            "components:\n  schemas:\n    A:\n      type: string\n",
        );
        assert_eq!(agrees(&text, 6), 5);
        let tree = super::super::parse_tree(std::path::Path::new("big.yaml"), &text).unwrap();
        assert_eq!(Some(tree), whole(&text));
    }

    /// A key met twice, inside a piece or across two, sends the text to the whole parse, which
    /// tells where the second one stands in the whole text.
    #[test]
    fn a_key_met_twice_is_found_by_the_whole_parse() {
        let inside = large(
            4 * MIN_PIECE,
            "components:\n  schemas:\n    A: {}\n    A: {}\n",
        );
        // Across pieces: the first path again, at the end.
        let across = large(4 * MIN_PIECE, "  /p0:\n    post: {}\n");
        for (text, pointer) in [(&inside, "/components/schemas/A"), (&across, "/paths/~1p0")] {
            for pieces in 2..=6 {
                assert!(parse_in(text, pieces).is_none(), "{pieces} pieces");
            }
            // The last line holds the second `A`; the path's key is on the line before.
            let lines = text.lines().count();
            let tree = yaml::parse(text).unwrap();
            let at = match pointer.starts_with("/paths") {
                true => Some((lines - 1, 3)),
                false => Some((lines, 5)),
            };
            let expected = vec![yaml::Duplicate {
                pointer: pointer.to_string(),
                at,
            }];
            assert_eq!(tree.duplicates, expected);
        }
    }

    #[test]
    fn an_alias_bomb_or_nesting_past_the_limit_gives_the_whole_texts_error() {
        let mut bomb = String::from("x-bomb:\n  l0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..9 {
            let prev = level - 1;
            let aliases = vec![format!("*a{prev}"); 9].join(", ");
            bomb.push_str(&format!("  l{level}: &a{level} [{aliases}]\n"));
        }
        // Each level copies nine of the level before: the strict parser's copy limit comes at
        // the seventh, and a piece's share of it sooner.
        let text = format!("a:\n  b: 1\n  c: 2\n{bomb}");
        assert_eq!(parse_in(&text, 2), None);
        let err = yaml::parse_strict(&text).unwrap_err();
        assert!(err.to_string().contains("repetition limit"), "{err}");
        // Deeper than the parser allows, past the first piece: the whole text's error, with
        // its line and column.
        let deep = format!("x-deep:\n  a: {}{}\n", "[".repeat(200), "]".repeat(200));
        let text = large(2 * MIN_PIECE, &deep);
        assert_eq!(parse_in(&text, 2), None);
        let err = super::super::parse_tree(std::path::Path::new("deep.yaml"), &text).unwrap_err();
        let line = text.lines().count();
        assert_eq!(err.0[0].line, Some(line), "{err}");
        assert!(err.to_string().contains("recursion limit"), "{err}");
    }

    #[test]
    fn cuts_are_taken_after_even_splits() {
        let taken = |offsets: &[usize], len, pieces| {
            let mut take = even_splits(len, pieces);
            offsets
                .iter()
                .copied()
                .filter(|&at| take(at))
                .collect::<Vec<_>>()
        };
        let offsets = [10, 20, 30, 40, 90];
        assert_eq!(taken(&offsets, 100, 2), [90]);
        assert_eq!(taken(&offsets, 100, 4), [30, 90]);
        assert_eq!(taken(&offsets, 40, 4), [10, 20, 30]);
        assert_eq!(taken(&offsets, 100, 1), Vec::<usize>::new());
        assert_eq!(taken(&[], 100, 4), Vec::<usize>::new());
    }
}
