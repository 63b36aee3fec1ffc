//! Rust names from wire names: case conversion, keywords, leading digits, collisions.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Names that generated modules define or import themselves, which a type may not take.
const RESERVED_TYPES: &[&str] = &[
    "Client",
    "Error",
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Value",
    "Validate",
    "Violation",
    "Serialize",
    "Deserialize",
    "BTreeMap",
    "HashMap",
    // Imported by name in generated modules.
    "ValidationErrors",
    "Request",
    // Defined by the generated module root beside the client.
    "SharedHeaders",
    "ClientBuilderExt",
    "Region",
    // The prelude: a type of that name would shadow it inside the generated module.
    "Sized",
    "Send",
    "Sync",
    "Unpin",
    "Copy",
    "Clone",
    "Default",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "Extend",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "ToString",
    "ToOwned",
    "AsRef",
    "AsMut",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Debug",
    "Hash",
];

fn words_only(s: &str) -> String {
    // Keep letters and digits; everything else separates words.
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out
}

fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `snake_case` identifier for a field, parameter or method (keywords become raw identifiers
/// by the caller: see [`is_keyword`]).
pub fn snake(s: &str) -> String {
    memo(&SNAKE, s, snake_uncached)
}

thread_local! {
    static SNAKE: std::cell::RefCell<std::collections::HashMap<String, String>> = Default::default();
    static CAMEL: std::cell::RefCell<std::collections::HashMap<String, String>> = Default::default();
}

/// The longest text [`memo`] keeps, in bytes (patterns of a few hundred are common).
const MEMO_LONGEST: usize = 4096;

/// A per-thread cache of a function of a string, for [`memo`].
pub(crate) type Memo<V> =
    std::thread::LocalKey<std::cell::RefCell<std::collections::HashMap<String, V>>>;

/// `f(s)`, remembered per thread in `cache`: specs repeat the same names (`id`, `name`,
/// `created_at`) and patterns thousands of times, and converting each allocates.
pub(crate) fn memo<V: Clone>(cache: &'static Memo<V>, s: &str, f: fn(&str) -> V) -> V {
    // A long text is no name a spec repeats: kept, thousands of keys of 100 KB (a hostile
    // spec's) would each stay in memory.
    if s.len() > MEMO_LONGEST {
        return f(s);
    }
    if let Some(hit) = cache.with(|c| c.borrow().get(s).cloned()) {
        return hit;
    }
    let out = f(s);
    cache.with(|c| c.borrow_mut().insert(s.to_string(), out.clone()));
    out
}

fn snake_uncached(s: &str) -> String {
    if let Some(word) = symbol_word(s) {
        return word;
    }
    let mut out = ascii_fold(&words_only(s).to_snake_case());
    let sign = symbol_word(s);
    if out.trim_matches('_').is_empty() {
        out = sign.unwrap_or_else(|| "value".into());
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("_{out}");
    }
    out
}

/// `UpperCamelCase` identifier for a type or variant.
pub fn camel(s: &str) -> String {
    memo(&CAMEL, s, camel_uncached)
}

fn camel_uncached(s: &str) -> String {
    if let Some(word) = symbol_word(s) {
        return word.to_upper_camel_case();
    }
    // ASCII (most names) is cased directly: nothing of it is folded or dropped after.
    let mut out = if s.is_ascii() {
        ascii_upper_camel(s)
    } else {
        ascii_fold(&words_only(s).to_upper_camel_case()).replace('_', "")
    };
    if out.is_empty() {
        out = symbol_word(s)
            .map(|w| w.to_upper_camel_case())
            .unwrap_or_else(|| "Empty".into());
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("V{out}");
    }
    out
}

/// heck's `UpperCamelCase` of ASCII text (without its formatter, a tenth of the work): words
/// split at every byte that is not a letter or digit, and inside them where a lowercase letter
/// meets an uppercase one (`fooBar`) and before the last of a run of uppercase letters that
/// a lowercase one follows (`HTTPServer`); each word capitalized, the rest in lowercase.
fn ascii_upper_camel(s: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    fn push_word(out: &mut String, word: &[u8]) {
        if let Some((first, rest)) = word.split_first() {
            out.push(char::from(first.to_ascii_uppercase()));
            out.extend(rest.iter().map(|b| char::from(b.to_ascii_lowercase())));
        }
    }
    let mut out = String::with_capacity(s.len());
    for word in s.as_bytes().split(|b| !b.is_ascii_alphanumeric()) {
        let (mut start, mut mode) = (0, Mode::Boundary);
        for (i, &c) in word.iter().enumerate() {
            let Some(&next) = word.get(i + 1) else {
                push_word(&mut out, &word[start..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                push_word(&mut out, &word[start..=i]);
                (start, mode) = (i + 1, Mode::Boundary);
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                push_word(&mut out, &word[start..i]);
                (start, mode) = (i, Mode::Boundary);
            } else {
                mode = next_mode;
            }
        }
    }
    out
}

/// `SHOUTY_SNAKE_CASE` for constants.
pub fn shouty(s: &str) -> String {
    let mut out = ascii_fold(&words_only(s).to_shouty_snake_case());
    if out.is_empty() {
        out = "VALUE".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("_{out}");
    }
    out
}

/// A word for values made only of symbols (`+1` is "plus 1" once digits are kept).
fn symbol_word(s: &str) -> Option<String> {
    let word = match s.trim() {
        "" => "empty",
        "+" | "+1" => "plus_one",
        "-" | "-1" => "minus_one",
        "*" => "star",
        "=" => "eq",
        "<" => "lt",
        ">" => "gt",
        "!=" => "ne",
        "<=" => "le",
        ">=" => "ge",
        _ => return None,
    };
    Some(word.to_string())
}

/// True when `s` must be written as a raw identifier (`r#type`).
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// True for identifiers that cannot be raw (`self`, `Self`, `crate`, `super`).
pub fn is_unrawable(s: &str) -> bool {
    matches!(s, "self" | "Self" | "crate" | "super" | "_")
}

/// Makes a field or method name usable: raw-able keywords stay (the emitter writes `r#`),
/// the others get a trailing underscore.
pub fn field_ident(s: &str) -> String {
    let s = snake(s);
    if is_unrawable(&s) {
        format!("{s}_")
    } else {
        s
    }
}

/// Makes a type name usable and distinct from the names generated modules use themselves.
pub fn type_ident(s: &str) -> String {
    let s = camel(s);
    if RESERVED_TYPES.contains(&s.as_str()) || is_unrawable(&s) {
        format!("{s}Type")
    } else {
        s
    }
}

/// The members every generated request builder defines itself (fields and methods): a
/// parameter's Rust name is chosen apart from these, so no spec can make a builder that does
/// not compile.
pub const BUILDER_MEMBERS: &[&str] = &[
    "client", "body", "parts", "headers", "send", "validate", "request", "part", "header",
];

/// True for an RFC 7230 `token` (a header field name): one or more `tchar`.
pub fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The longest name [`Scope::unique`] hands out, in bytes, before its suffix.
pub const MAX_IDENT: usize = 256;

/// `name` when it is at most [`MAX_IDENT`] bytes; else its first 100 characters and the
/// decimal FNV-1a hash of the whole (after a `_` in a name that has one: `snake_case`,
/// `SHOUTY_CASE`), still an identifier of the same case. A spec's key of 100 KB named a
/// type, and every type, field and reference derived from it repeated the key: 240 KB of
/// spec gave 1.2 GB of Rust and took 5.5 GB to generate.
pub fn shorten(name: &str) -> std::borrow::Cow<'_, str> {
    if name.len() <= MAX_IDENT {
        return std::borrow::Cow::Borrowed(name);
    }
    let hash = fingerprint(name);
    let cut = name.char_indices().nth(100).map_or(name.len(), |(i, _)| i);
    let head = name[..cut].trim_end_matches('_');
    let sep = if name.contains('_') { "_" } else { "" };
    std::borrow::Cow::Owned(format!("{head}{sep}{hash}"))
}

/// The FNV-1a hash (64 bits) of `text`: what stands for the part of a long name or pointer
/// token that [`shorten`] and [`crate::diag::bounded`] leave out, the same on every run.
pub fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Hands out names unique within one scope, suffixing a number on a collision
/// (`Foo`, `Foo2`, `Foo3`).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
    /// For a base that collided, the suffix to try next: every one below it is taken (names
    /// are never given back), so N colliding names cost N tries, not N² / 2.
    next: std::collections::HashMap<String, u64>,
}

impl Scope {
    /// Marks a name as taken without handing it out.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }
    /// True when the name is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
    /// Returns `base`, or `base2`, `base3`... whichever is free, and takes it. A base longer
    /// than [`MAX_IDENT`] bytes is shortened first ([`shorten`]).
    pub fn unique(&mut self, base: &str) -> String {
        let base = &*shorten(base);
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let n = self.next.entry(base.to_string()).or_insert(2);
        loop {
            let candidate = format!("{base}{sep}{n}");
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Names the types the client emits per operation (an enum of success bodies, an enum of
/// error bodies, where an operation has several), apart from every type and builder name of
/// the API: all Rust names of a module are decided before emission.
pub fn name_operation_enums(api: &mut crate::ir::Api) {
    let mut scope = Scope::default();
    for t in &api.types {
        scope.reserve(&t.name);
    }
    for op in &api.operations {
        scope.reserve(&op.builder_name);
    }
    for op in &mut api.operations {
        if op.error_types().len() > 1 {
            op.error_enum = Some(scope.unique(&format!("{}Error", op.builder_name)));
        }
        if op.success_kinds().len() > 1 {
            op.success_enum = Some(scope.unique(&format!("{}Response", op.builder_name)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On random ASCII text (letters of both cases, digits, separators), the direct casing is
    /// heck's, and `camel` is what it was through heck.
    #[test]
    fn ascii_camel_case_is_hecks() {
        let alphabet = b"aAbBzZxXyY09_- ./{}$HTTPSid";
        let mut next = crate::emit::xorshift(0xca_3e1);
        for _ in 0..20_000 {
            let len = next(24);
            let text: String = (0..len)
                .map(|_| char::from(alphabet[next(alphabet.len() as u64)]))
                .collect();
            assert_eq!(
                ascii_upper_camel(&text),
                text.to_upper_camel_case(),
                "{text:?}"
            );
            assert_eq!(
                ascii_upper_camel(&text),
                ascii_fold(&words_only(&text).to_upper_camel_case()).replace('_', ""),
                "{text:?}"
            );
        }
        for text in [
            "HTTPServerError",
            "getV2Users",
            "already_snake",
            "ABC",
            "aB",
            "Ab1C",
        ] {
            assert_eq!(
                ascii_upper_camel(text),
                text.to_upper_camel_case(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn cases() {
        assert_eq!(snake("incidentSubTypeId"), "incident_sub_type_id");
        assert_eq!(snake("X-Language"), "x_language");
        assert_eq!(snake("type"), "type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("+1"), "plus_one");
        assert_eq!(camel("create_case_request"), "CreateCaseRequest");
        assert_eq!(camel("+1"), "PlusOne");
        assert_eq!(camel(""), "Empty");
        assert_eq!(camel("1password"), "V1password");
        assert_eq!(camel("Caf\u{e9} au lait"), "Caf_AuLait".replace('_', ""));
        assert_eq!(type_ident("error"), "ErrorType");
        assert_eq!(shouty("cn-south-1"), "CN_SOUTH_1");
    }

    #[test]
    fn long_names_are_shortened_to_an_identifier_of_their_case() {
        assert_eq!(shorten("Short"), "Short");
        let at_limit = "A".repeat(MAX_IDENT);
        assert_eq!(shorten(&at_limit), at_limit);
        let camel = format!("{}X", "Ab".repeat(5000));
        let a = shorten(&camel);
        assert!(a.starts_with(&"Ab".repeat(50)) && a.len() <= 120, "{a}");
        assert!(a[100..].bytes().all(|b| b.is_ascii_digit()), "{a}");
        // Another name with the same start differs.
        let other = shorten(&format!("{}Y", "Ab".repeat(5000))).into_owned();
        assert_ne!(a, other);
        // snake_case and SHOUTY_CASE keep their separator; no trailing `_` is doubled.
        let snake = shorten(&"ab_".repeat(1000)).into_owned();
        assert!(
            snake.starts_with("ab_ab") && !snake.contains("__"),
            "{snake}"
        );
        assert!(snake
            .rsplit('_')
            .next()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit()));
        let mut scope = Scope::default();
        let first = scope.unique(&camel);
        assert_eq!(first, a);
        assert_eq!(scope.unique(&camel), format!("{a}_2"));
    }

    #[test]
    fn scope_dedupes() {
        let mut s = Scope::default();
        assert_eq!(s.unique("Asc"), "Asc");
        assert_eq!(s.unique("Asc"), "Asc2");
        assert_eq!(s.unique("V1"), "V1");
        assert_eq!(s.unique("V1"), "V1_2");
    }

    /// The counter per base hands out what a search from 2 would: the first free suffix, with
    /// names reserved or taken in between.
    #[test]
    fn scope_gives_the_first_free_suffix() {
        fn naive(taken: &mut BTreeSet<String>, base: &str) -> String {
            if taken.insert(base.to_string()) {
                return base.to_string();
            }
            let sep = if base.ends_with(|c: char| c.is_ascii_digit()) {
                "_"
            } else {
                ""
            };
            (2..)
                .map(|n| format!("{base}{sep}{n}"))
                .find(|c| taken.insert(c.clone()))
                .unwrap()
        }
        let mut next = crate::emit::xorshift(0x9e37_79b9_7f4a_7c15);
        let bases = ["A", "A2", "A3", "B", "B1", "B1_2", "C"];
        let mut scope = Scope::default();
        let mut taken = BTreeSet::new();
        for _ in 0..5_000 {
            let base = bases[next(bases.len() as u64)];
            if next(4) == 0 {
                let name = format!("{base}{}", next(12));
                scope.reserve(&name);
                taken.insert(name);
            } else {
                assert_eq!(scope.unique(base), naive(&mut taken, base));
            }
        }
    }
}
