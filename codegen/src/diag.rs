//! Diagnostics: every problem found in a spec, with the file, the line and column where it
//! stands and the JSON pointer of the offending node.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation went on; the output may not be what the spec author meant.
    Warning,
    /// Generation cannot produce correct code for this spec.
    Error,
}

/// One problem in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The spec file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// JSON pointer (RFC 6901) of the offending node; empty for the document or a syntax error.
    /// A token longer than [`MAX_TOKEN`] bytes (a key of a hostile spec) is shortened to its
    /// start, `…` and a fingerprint of the whole ([`Sink`]), and the diagnostic is placed at
    /// the node holding it.
    pub pointer: String,
    /// What is wrong and what to do about it; at most [`MAX_MESSAGE`] characters.
    pub message: String,
}

/// The longest token of a diagnostic's pointer, in bytes; a longer one is shortened.
pub const MAX_TOKEN: usize = 256;

/// The longest message of a diagnostic, in characters; a longer one is clipped.
pub const MAX_MESSAGE: usize = 2000;

/// `pointer` with each token longer than [`MAX_TOKEN`] bytes shortened to its first 100
/// bytes (whole characters), `…` and a fingerprint of the whole token (FNV-1a, 64 bits), so that
/// diagnostics of two long keys stay apart. Each of thousands of diagnostics under a key of
/// 100 KB held the whole key: 2,000 of them took 845 MB to check. The pointers the
/// generator keeps (of types, of a union's alternatives) are bounded too.
pub fn bounded(pointer: String) -> String {
    match bounded_pointer(&pointer) {
        std::borrow::Cow::Borrowed(_) => pointer,
        std::borrow::Cow::Owned(shorter) => shorter,
    }
}

/// [`bounded`], borrowing what it need not change.
pub fn bounded_pointer(pointer: &str) -> std::borrow::Cow<'_, str> {
    if pointer.split('/').all(|t| t.len() <= MAX_TOKEN) {
        return std::borrow::Cow::Borrowed(pointer);
    }
    let tokens: Vec<String> = pointer
        .split('/')
        .map(|t| {
            if t.len() <= MAX_TOKEN {
                return t.to_owned();
            }
            // At most 100 bytes of the start: the shortened token (at most 120 bytes) is
            // itself left as it is, so a pointer bounded twice is bounded once.
            let mut cut = 100;
            while !t.is_char_boundary(cut) {
                cut -= 1;
            }
            let hash = crate::naming::fingerprint(t);
            format!("{}…#{hash:016x}", &t[..cut])
        })
        .collect();
    std::borrow::Cow::Owned(tokens.join("/"))
}

impl fmt::Display for Diagnostic {
    /// One line: the file, line, column and pointer, then the message. Text from the spec
    /// (names in the message and the pointer, the file's name) is printed with control and
    /// direction characters escaped, so a spec cannot write escape sequences to a terminal
    /// or start a line of its own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let file = self.file.display().to_string();
        write!(f, "{sev}: {}", printable(&file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if !self.pointer.is_empty() {
            write!(f, " at #{}", printable(&self.pointer))?;
        }
        write!(f, ": {}", printable(&self.message))
    }
}

/// Whether `c` must not be written as it is to a terminal, a comment or a single line:
/// control characters (line breaks and escapes among them), line and paragraph separators,
/// and the marks and controls that change the direction of text.
pub fn unprintable(c: char) -> bool {
    c.is_control()
        || changes_direction(c)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// The embeddings, overrides and isolates that change the direction of the text after them
/// (U+202A to U+202E, U+2066 to U+2069): what rustc refuses in comments
/// (`text_direction_codepoint_in_comment`) and what makes text read other than it is.
pub(crate) fn changes_direction(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`unprintable`] character escaped as Rust writes it (`\n`, `\u{1b}`);
/// borrowed when there is none.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unprintable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unprintable(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` cut to its first `max` characters, with `…` where it was cut: spec text quoted in a
/// message (a pattern, a value) stays readable however long it is.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((at, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..at])),
    }
}

/// All diagnostics of a failed run, errors first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        if errors > 0 {
            write!(
                f,
                "\n{errors} error{} in spec",
                if errors == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Escapes one JSON pointer reference token.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer reference token.
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends a token to a pointer.
pub fn push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    if token.contains(['~', '/']) {
        out.push_str(&escape_token(token));
    } else {
        out.push_str(token);
    }
    out
}

/// Finds the line and column of a JSON pointer in the source text, by walking the keys of the
/// pointer in order through the text. It is a locator for messages, not a parser: YAML keys are
/// matched as `key:` at the start of a line indented as the first line of the mapping the
/// previous match holds (not in flow mappings, not written with escapes or after `? `), JSON
/// keys as `"key"` among the keys of the object the previous match holds. Returns the best
/// position reached (at worst, line 1). [`crate::load::yaml::positions`] places many
/// pointers at once, exactly.
pub fn locate(source: &str, pointer: &str) -> (usize, usize) {
    locate_with(
        source,
        &line_starts(source),
        &mut JsonKeys::default(),
        pointer,
    )
}

/// The keys of the JSON objects [`locate_with`] has read so far, so that an object is read
/// once however many of its keys are looked for (each of a spec's many diagnostics would
/// otherwise read the object holding it from its start).
#[derive(Debug, Default)]
struct JsonKeys<'a> {
    /// By the offset of the object's `{`.
    objects: std::collections::HashMap<usize, ObjectKeys<'a>>,
}

#[derive(Debug)]
struct ObjectKeys<'a> {
    /// Each key as written (quotes included) and the offset of its first place.
    keys: std::collections::HashMap<&'a str, usize>,
    /// Where to read on (just after the last key read); `None` once read to its end.
    next: Option<usize>,
}

/// The byte offset where each line of `source` starts.
pub fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// [`locate`] with the line starts of `source` computed once ([`line_starts`]) and the keys
/// of the JSON objects read before kept in `keys`: a spec with many diagnostics is not
/// scanned from its start for each.
fn locate_with<'a>(
    source: &'a str,
    lines: &[usize],
    keys: &mut JsonKeys<'a>,
    pointer: &str,
) -> (usize, usize) {
    let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape_token).collect();
    let json = source.trim_start().starts_with('{');
    let mut offset = 0usize;
    let mut found = (1usize, 1usize);
    let mut min_indent: isize = -1;
    for token in &tokens {
        let hit = if json {
            let needle = serde_json::to_string(token).unwrap_or_default();
            find_json_key(source, offset, &needle, keys).map(|at| (at, needle.len()))
        } else {
            find_yaml_key(source, offset, token, min_indent).map(|at| (at, token.len().max(1)))
        };
        match hit {
            Some((pos, len)) => {
                // The last line start at or before `pos`.
                let line = lines.partition_point(|&start| start <= pos);
                let line_start = lines[line - 1];
                min_indent = (pos - line_start) as isize;
                let column = source[line_start..pos].chars().count() + 1;
                found = (line, column);
                offset = pos + len;
                if offset > source.len() {
                    offset = source.len();
                }
                while !source.is_char_boundary(offset) {
                    offset -= 1;
                }
            }
            // A number that is no key is an array index: the item of a YAML block sequence
            // (`- ...`) or of a flow sequence (a JSON array, YAML's `[...]`) is counted.
            None => match token.parse::<usize>() {
                Ok(n) => {
                    if let Some(pos) = find_flow_item(source, offset, n, !json) {
                        let line = lines.partition_point(|&start| start <= pos);
                        let line_start = lines[line - 1];
                        found = (line, source[line_start..pos].chars().count() + 1);
                        if !json {
                            // YAML keys are found by lines and indentation, which a flow
                            // collection does not have: the item is as near as it gets.
                            break;
                        }
                        offset = pos;
                        continue;
                    }
                    if json {
                        continue;
                    }
                    let Some(pos) = find_yaml_item(source, offset, n, min_indent) else {
                        continue;
                    };
                    let line = lines.partition_point(|&start| start <= pos);
                    let line_start = lines[line - 1];
                    min_indent = (pos - line_start) as isize;
                    found = (line, source[line_start..pos].chars().count() + 1);
                    // Keys on the item's own line (`- name: id`) are looked for from it.
                    offset = line_start.saturating_sub(1);
                }
                Err(_) => break,
            },
        }
    }
    found
}

/// The position of the key `needle` (written as JSON writes it, quotes included) of the
/// object that is the value at `offset`: the document's at its start, else the value after
/// the key that ends at `offset` (or the item that starts there). Only the object's own keys
/// are looked at, not those of the values inside it, nor strings that are values.
fn find_json_key<'a>(
    source: &'a str,
    offset: usize,
    needle: &str,
    known: &mut JsonKeys<'a>,
) -> Option<usize> {
    let bytes = source.as_bytes();
    let skip_space = |mut at: usize| {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
        at
    };
    let mut open = skip_space(offset);
    if bytes.get(open) == Some(&b':') {
        open = skip_space(open + 1);
    }
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let object = known.objects.entry(open).or_insert_with(|| ObjectKeys {
        keys: std::collections::HashMap::new(),
        next: Some(open + 1),
    });
    if let Some(&at) = object.keys.get(needle) {
        return Some(at);
    }
    let mut at = object.next?;
    object.next = None;
    // Only strings and braces matter: a string directly inside the object and followed by
    // `:` is one of its keys (a string in an array is followed by `,` or `]`).
    let mut depth = 1usize;
    loop {
        at += memchr::memchr3(b'"', b'{', b'}', bytes.get(at..)?)?;
        match bytes[at] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
            }
            _ => {
                let start = at;
                at += 1;
                loop {
                    at += memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
                    if bytes[at] == b'"' {
                        break;
                    }
                    at += 2;
                }
                if depth == 1 && bytes.get(skip_space(at + 1)) == Some(&b':') {
                    let key = &source[start..=at];
                    object.keys.entry(key).or_insert(start);
                    if key == needle {
                        object.next = Some(at + 1);
                        return Some(start);
                    }
                }
            }
        }
        at += 1;
    }
}

/// The position of item `n` of the flow sequence that is the value of the key just found
/// (the text from `offset` runs to its `:`, then the `[`): a JSON array, or in YAML
/// (`yaml`) a `[...]` on the key's line. `None` when the value is no flow sequence or has
/// fewer items. Strings are skipped (`"..."` with backslash escapes, and in YAML `'...'`);
/// the scan ends with the sequence.
fn find_flow_item(source: &str, offset: usize, n: usize, yaml: bool) -> Option<usize> {
    let bytes = source.as_bytes();
    let colon = offset + source[offset..].find(':')?;
    let mut at = colon + 1;
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
        if yaml && bytes[at] == b'\n' {
            return None;
        }
        at += 1;
    }
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    let start_of_item = |mut at: usize| {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
            at += 1;
        }
        at
    };
    let mut item = 0;
    let mut depth = 0usize;
    let mut i = at + 1;
    if n == 0 {
        let first = start_of_item(i);
        return (bytes.get(first) != Some(&b']')).then_some(first);
    }
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' if yaml => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth == 0 => return None,
            b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                item += 1;
                if item == n {
                    let next = start_of_item(i + 1);
                    return (bytes.get(next) != Some(&b']')).then_some(next);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The position of the dash of item `n` of the block sequence that follows the line of
/// `offset` (the value of the key found there, at indentation `min_indent`): `None` when no
/// block sequence follows (a flow sequence, a mapping) or it has fewer items.
fn find_yaml_item(source: &str, offset: usize, n: usize, min_indent: isize) -> Option<usize> {
    let mut line_start = source[offset..].find('\n').map(|i| offset + i + 1)?;
    let mut item_indent: Option<usize> = None;
    let mut count = 0;
    while line_start < source.len() {
        let line_end = (source[line_start..].find('\n')).map_or(source.len(), |i| line_start + i);
        let line = &source[line_start..line_end];
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        line_start = line_end + 1;
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let dash = trimmed == "-" || trimmed.starts_with("- ");
        match item_indent {
            None if dash && indent as isize >= min_indent => item_indent = Some(indent),
            None => return None,
            Some(i) if indent == i && dash => count += 1,
            Some(i) if indent > i => continue,
            Some(_) => return None,
        }
        if count == n {
            return Some(line_end - line.len() + indent);
        }
    }
    None
}

fn find_yaml_key(source: &str, offset: usize, key: &str, min_indent: isize) -> Option<usize> {
    let mut candidates = vec![
        format!("{key}:"),
        format!("'{key}':"),
        format!("\"{key}\":"),
    ];
    // A key that YAML can only write escaped: `"a\"b":` (as JSON escapes it) or `'it''s':`.
    if key.contains(['"', '\\', '\'']) || key.chars().any(char::is_control) {
        if let Ok(quoted) = serde_json::to_string(key) {
            candidates.push(format!("{quoted}:"));
        }
        candidates.push(format!("'{}':", key.replace('\'', "''")));
    }
    let mut line_start = source[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    // The line of the key found before is not the mapping's; at the start, the document's
    // first line is.
    let mut first = offset > 0;
    // The indentation of the mapping's keys: that of its first line. A line indented deeper
    // belongs to a value (`properties/id/description` is not `properties/description`).
    let mut keys_at: Option<usize> = None;
    while line_start < source.len() {
        let line_end = source[line_start..]
            .find('\n')
            .map(|i| line_start + i)
            .unwrap_or(source.len());
        let line = &source[line_start..line_end];
        let trimmed = line.trim_start();
        let mut indent = line.len() - trimmed.len();
        let mut body = trimmed;
        // `- key:` list items
        while let Some(rest) = body.strip_prefix("- ") {
            indent += 2;
            body = rest;
        }
        if !first && !trimmed.is_empty() && !trimmed.starts_with('#') {
            if (indent as isize) <= min_indent && !trimmed.starts_with('-') {
                return None;
            }
            if (indent as isize) > min_indent
                && *keys_at.get_or_insert(indent) == indent
                && candidates.iter().any(|c| body.starts_with(c.as_str()))
            {
                return Some(line_start + indent);
            }
        }
        first = false;
        line_start = line_end + 1;
    }
    None
}

/// How many diagnostics are placed in the text one walk each ([`Sink::into_items`]).
pub const LOCATE_ONE_BY_ONE: usize = 64;

/// Collects diagnostics for one spec file.
#[derive(Debug)]
pub struct Sink<'a> {
    file: &'a Path,
    source: &'a str,
    /// The line starts of `source`, computed at the first report.
    lines: Option<Vec<usize>>,
    /// The keys of the JSON objects read by [`Sink::locate`] so far.
    json_keys: JsonKeys<'a>,
    /// What has been reported so far.
    items: Vec<Diagnostic>,
    /// The indexes of `items` still to be placed in the text ([`Sink::into_items`]).
    pending: Vec<usize>,
    /// (severity, pointer, message) of `items`: a diagnostic is reported once.
    seen: std::collections::HashSet<(bool, String, String)>,
}

impl<'a> Sink<'a> {
    /// A sink for `file`, whose text is `source`.
    pub fn new(file: &'a Path, source: &'a str) -> Self {
        Sink {
            file,
            source,
            lines: None,
            json_keys: JsonKeys::default(),
            items: Vec::new(),
            pending: Vec::new(),
            seen: std::collections::HashSet::new(),
        }
    }

    fn report(&mut self, severity: Severity, pointer: &str, message: String) {
        self.report_at(severity, pointer, None, message);
    }

    /// The line and column of `pointer` in the text ([`locate`]).
    pub fn locate(&mut self, pointer: &str) -> (usize, usize) {
        let source = self.source;
        let lines = self.lines.get_or_insert_with(|| line_starts(source));
        locate_with(source, lines, &mut self.json_keys, pointer)
    }

    fn report_at(
        &mut self,
        severity: Severity,
        pointer: &str,
        at: Option<(usize, usize)>,
        message: String,
    ) {
        let pointer = bounded_pointer(pointer);
        let message = match clip(&message, MAX_MESSAGE) {
            std::borrow::Cow::Borrowed(_) => message,
            std::borrow::Cow::Owned(clipped) => clipped,
        };
        let key = (
            severity == Severity::Error,
            pointer.to_string(),
            message.clone(),
        );
        if !self.seen.insert(key) {
            return;
        }
        if at.is_none() {
            self.pending.push(self.items.len());
        }
        let d = Diagnostic {
            severity,
            file: self.file.to_path_buf(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            pointer: pointer.to_string(),
            message,
        };
        self.items.push(d);
    }

    /// Places the diagnostics reported without a place. A few are found one by one, each by
    /// a walk through the text ([`locate`]); past [`LOCATE_ONE_BY_ONE`], as many walks would
    /// take time that grows with the square of the text (20,000 warnings in 870 KB of YAML
    /// took 17 s), so all are found in one pass of the YAML parser
    /// ([`crate::load::yaml::positions`]: 0.6 s). A text that parser does not read (one
    /// with YAML 1.1's line breaks, say) gets the first ones placed one by one, and a warning
    /// that says the rest have no line.
    fn place(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return;
        }
        let one_by_one = if pending.len() <= LOCATE_ONE_BY_ONE {
            pending.len()
        } else {
            let wanted: Vec<&str> = pending
                .iter()
                .map(|&i| self.items[i].pointer.as_str())
                .collect();
            match crate::load::yaml::positions(self.source, &wanted) {
                Some(found) => {
                    for &i in &pending {
                        let at = found.get(&self.items[i].pointer).copied();
                        self.items[i].line = at.map(|a| a.0);
                        self.items[i].column = at.map(|a| a.1);
                    }
                    return;
                }
                None => LOCATE_ONE_BY_ONE,
            }
        };
        let source = self.source;
        let lines = self.lines.get_or_insert_with(|| line_starts(source));
        for &i in &pending[..one_by_one] {
            let d = &mut self.items[i];
            let (line, column) = locate_with(source, lines, &mut self.json_keys, &d.pointer);
            d.line = Some(line);
            d.column = Some(column);
        }
        let rest = pending.len() - one_by_one;
        if rest > 0 {
            self.items.push(Diagnostic {
                severity: Severity::Warning,
                file: self.file.to_path_buf(),
                line: Some(1),
                column: Some(1),
                pointer: String::new(),
                message: format!(
                    "the {rest} diagnostics after the first {one_by_one} are given by their pointer \
                     only: this text cannot be placed in one pass (it is read as YAML 1.1), and \
                     placing each would walk it from the start"
                ),
            });
        }
    }

    /// Everything reported, each placed in the text where it can be.
    pub fn into_items(mut self) -> Vec<Diagnostic> {
        self.place();
        self.items
    }

    /// [`Sink::into_items`], leaving the sink empty.
    pub fn take_items(&mut self) -> Vec<Diagnostic> {
        self.place();
        std::mem::take(&mut self.items)
    }

    /// Adds diagnostics reported (and placed) elsewhere, such as the loader's.
    pub fn extend(&mut self, items: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(items);
    }

    /// Reports an error at `pointer`.
    pub fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.report(Severity::Error, pointer, message.into());
    }

    /// Reports a warning at `pointer`.
    pub fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.report(Severity::Warning, pointer, message.into());
    }

    /// Reports a warning at `pointer`, which the parser placed at `at` (line and column).
    pub fn warn_at(&mut self, pointer: &str, at: (usize, usize), message: impl Into<String>) {
        self.report_at(Severity::Warning, pointer, Some(at), message.into());
    }

    /// True when an error was reported.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
}

/// ` (did you mean `name`?)` with the known name `key` most likely means ([`closest`]), or
/// nothing.
pub(crate) fn did_you_mean(key: &str, known: &[&str]) -> String {
    closest(key, known)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// The known name `key` most likely means (a misspelled key, schema or property): the same but for case, or at most two edits away
/// (one for a key of up to four characters).
///
/// The search is bounded, as spec text chooses both sides: no hint among more than
/// [`HINT_CANDIDATES`] names or for a key longer than [`HINT_KEY_CHARS`], and only names
/// within two characters of the key's length are compared. A schema requiring 3,000 names
/// it does not declare, among 3,000 it does, took 42 s to check without the bound.
pub(crate) fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    if known.len() > HINT_CANDIDATES || key.len() > HINT_KEY_CHARS {
        return None;
    }
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return Some(k);
    }
    let most = if key.chars().count() <= 4 { 1 } else { 2 };
    known
        .iter()
        // An edit changes the length by at most one character, four bytes.
        .filter(|k| k.len().abs_diff(key.len()) <= most * 4)
        .map(|k| (edits(key, k), *k))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The most names [`closest`] looks among.
const HINT_CANDIDATES: usize = 512;

/// The longest key, in bytes, [`closest`] looks for.
const HINT_KEY_CHARS: usize = 128;

/// Levenshtein distance of two short strings.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_search_is_bounded() {
        let many: Vec<String> = (0..=HINT_CANDIDATES).map(|i| format!("name{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(closest("name7", &many[..HINT_CANDIDATES]), Some("name7"));
        assert_eq!(closest("nam7", &many[..HINT_CANDIDATES]), Some("name7"));
        assert_eq!(closest("nam7", &many), None);
        let long = "k".repeat(HINT_KEY_CHARS + 1);
        assert_eq!(closest(&long, &[&long[1..]]), None);
    }

    #[test]
    fn edits_count_insertions_deletions_and_substitutions() {
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("", "abc"), 3);
        assert_eq!(edits("CaseAttachmnt", "CaseAttachment"), 1);
    }

    #[test]
    fn spec_text_in_a_diagnostic_cannot_drive_the_terminal() {
        let d = Diagnostic {
            severity: Severity::Warning,
            file: PathBuf::from("a\u{1b}]52;c;cHduZWQ=\u{7}.yaml"),
            line: Some(3),
            column: Some(7),
            pointer: "/paths/~1a\rb/get".into(),
            message: "operationId `x\u{1b}[2J\r\nerror: fake \u{202e}gnp.exe` is renamed".into(),
        };
        let shown = d.to_string();
        assert!(
            !shown.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{shown:?}"
        );
        assert_eq!(
            shown,
            "warning: a\\u{1b}]52;c;cHduZWQ=\\u{7}.yaml:3:7 at #/paths/~1a\\rb/get: operationId `x\\u{1b}[2J\\r\\nerror: fake \\u{202e}gnp.exe` is renamed"
        );
        assert_eq!(printable("plain text, ünïcode"), "plain text, ünïcode");
    }

    #[test]
    fn locates_yaml_keys_written_with_escapes() {
        let src = "openapi: 3.0.3\npaths:\n  \"/a\\\"b\":\n    get: {}\n  '/it''s':\n    get: {}\n";
        assert_eq!(locate(src, "/paths/~1a\"b/get"), (4, 5));
        assert_eq!(locate(src, "/paths/~1it's/get"), (6, 5));
    }

    #[test]
    fn locates_the_items_of_yaml_block_sequences() {
        let src = "openapi: 3.0.3\na:\n  - x: 1\n  - # two\n    y: 2\n    z: [3, 4]\n  -\n    x: 5\nb:\n- 6\n- {x: 7}\n";
        assert_eq!(locate(src, "/a/0"), (3, 3));
        assert_eq!(locate(src, "/a/0/x"), (3, 5));
        assert_eq!(locate(src, "/a/1"), (4, 3));
        assert_eq!(locate(src, "/a/1/y"), (5, 5));
        assert_eq!(locate(src, "/a/2/x"), (8, 5));
        // A flow sequence's items are counted too.
        assert_eq!(locate(src, "/a/1/z/1"), (6, 12));
        assert_eq!(locate(src, "/a/1/z/0"), (6, 9));
        // Past its end: the key's position.
        assert_eq!(locate(src, "/a/1/z/2"), (6, 5));
        // Items at the key's own indentation; an index past the end stays at the key.
        assert_eq!(locate(src, "/b/1"), (11, 1));
        assert_eq!(locate(src, "/b/5"), (9, 1));
    }

    #[test]
    fn locates_yaml_keys_by_indentation() {
        let src = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses: {}\n  /b:\n    post:\n      operationId: x\n";
        assert_eq!(locate(src, "/paths/~1b/post/operationId"), (8, 7));
        assert_eq!(locate(src, "/paths/~1a/get"), (4, 5));
        assert_eq!(locate(src, "/paths/~1b/get"), (6, 3));
    }

    #[test]
    fn locates_json_keys_in_order() {
        let src =
            "{\n  \"paths\": {\n    \"/a\": {\"get\": {}},\n    \"/b\": {\"get\": {}}\n  }\n}";
        assert_eq!(locate(src, "/paths/~1b/get"), (4, 12));
    }

    /// A long token is shortened to at most 120 bytes (whole characters), so bounding a
    /// pointer again changes nothing, in any script; short tokens stay as they are.
    #[test]
    fn bounded_pointers_are_short_and_bounded_once() {
        for c in ['N', 'é', '字', '😀'] {
            let long = format!(
                "/components/schemas/{}/properties/p",
                c.to_string().repeat(1000)
            );
            let once = bounded(long.clone());
            assert!(once.len() < 160, "{once}");
            assert!(once.starts_with("/components/schemas/") && once.ends_with("/properties/p"));
            assert_eq!(bounded(once.clone()), once);
            // Two long keys with the same start stay apart.
            let key = c.to_string().repeat(1000);
            assert_ne!(bounded(format!("/a/{key}x")), bounded(format!("/a/{key}y")));
        }
        assert_eq!(bounded("/a/b".to_owned()), "/a/b");
    }

    /// A key of a value inside the mapping is not the mapping's own, however it is written:
    /// `properties/id/description` is not `properties/description`.
    #[test]
    fn locates_the_mapping_s_own_keys_not_those_deeper() {
        let yaml = "components:\n  schemas:\n    A:\n      properties:\n        id:\n          description: x\n        description:\n          type: string\n";
        assert_eq!(
            locate(yaml, "/components/schemas/A/properties/description"),
            (7, 9)
        );
        // The document's first line is one of its keys, the second deeper.
        assert_eq!(locate(yaml, "/components"), (1, 1));
        let json = "{\"a\": {\"x\": {\"b\": 1, \"c\": \"b\"}, \"s\": \"b\", \"b\": 2},\n \"l\": [\"1\", 7]}";
        assert_eq!(locate(json, "/a/b"), (1, 43));
        // An index is the array's item, not a string `"1"` found first.
        assert_eq!(locate(json, "/l/1"), (2, 13));
    }

    #[test]
    fn locates_the_items_of_flow_sequences() {
        let src = "{\n  \"tags\": [\"a,]\\\"\", {\"x\": [1, 2]},\n    {\"name\": \"c\"}\n  ],\n  \"e\": []\n}";
        assert_eq!(locate(src, "/tags/0"), (2, 12));
        assert_eq!(locate(src, "/tags/1"), (2, 21));
        assert_eq!(locate(src, "/tags/1/x/1"), (2, 31));
        assert_eq!(locate(src, "/tags/2"), (3, 5));
        assert_eq!(locate(src, "/tags/2/name"), (3, 6));
        // Past the end, or an empty array: the key's position.
        assert_eq!(locate(src, "/tags/3"), (2, 3));
        assert_eq!(locate(src, "/e/0"), (5, 3));
        let yaml = "openapi: 3.0.3\na:\n  b: ['x, ]', \"y\\\"\", [1, 2], z]\n  c:\n    - 1\n";
        assert_eq!(locate(yaml, "/a/b/1"), (3, 15));
        assert_eq!(locate(yaml, "/a/b/3"), (3, 30));
        // A block sequence on the lines below is not a flow one.
        assert_eq!(locate(yaml, "/a/c/0"), (5, 5));
    }

    #[test]
    fn quoted_spec_text_is_clipped() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("ééé", 2), "éé…");
        let long = "{".repeat(400_000);
        assert_eq!(clip(&long, 200).chars().count(), 201);
    }

    #[test]
    fn pointer_tokens_round_trip() {
        assert_eq!(escape_token("/a~b"), "~1a~0b");
        assert_eq!(unescape_token("~1a~0b"), "/a~b");
    }
}
