//! Client-side validation: the constraints of the spec, checked before anything is sent.
//!
//! Generated models implement [`Validate`]; their `validate_at` calls the checkers of this
//! module (`check_length`, `check_int_range`, ...) once per constrained field, so a single
//! call collects every violation with its path (`body.items[0].id: 10000 > maximum 9999`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::sync::{Mutex, OnceLock};

use regex::Regex;

/// Longest rendering (in characters) of an offending value kept in a [`Violation`].
const MAX_RENDERED_CHARS: usize = 64;

/// One broken constraint: where, which rule, and a short rendering of the offending value.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Path of the value, e.g. `body.incident_satisfaction_list[0].satisfaction_id`.
    pub path: String,
    /// The rule that the value breaks.
    pub rule: Rule,
    /// A short rendering of the offending value (at most about 64 characters), such as
    /// `10000`, `length 129`, `21 bytes` or a quoted string; empty for `Required` rules.
    pub value: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: {}", self.path, self.rule)
        } else {
            write!(f, "{}: {} {}", self.path, self.value, self.rule)
        }
    }
}

/// A validation rule, as written in the spec (names follow JSON Schema keywords).
///
/// Its `Display` is the explanation that follows the offending value in a
/// [`Violation`]'s message, e.g. `> maximum 9999` or `> maxLength 128`.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A required field is missing.
    Required,
    /// A field is required because another property has a given value.
    RequiredIf {
        /// The property whose value makes the field required.
        property: String,
        /// The value of `property` that makes the field required.
        equals: String,
    },
    /// Fewer characters (Unicode scalar values) than allowed.
    MinLength(u64),
    /// More characters (Unicode scalar values) than allowed.
    MaxLength(u64),
    /// Fewer UTF-8 bytes than allowed (`x-min-bytes`).
    MinBytes(u64),
    /// More UTF-8 bytes than allowed (`x-max-bytes`).
    MaxBytes(u64),
    /// The string does not match the regular expression.
    Pattern(String),
    /// Below the lower bound (or equal to it when `exclusive`).
    Minimum {
        /// The bound.
        bound: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// Above the upper bound (or equal to it when `exclusive`).
    Maximum {
        /// The bound.
        bound: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// Not a multiple of the given number.
    MultipleOf(f64),
    /// Fewer array items than allowed.
    MinItems(u64),
    /// More array items than allowed.
    MaxItems(u64),
    /// An array item repeats an earlier one.
    UniqueItems,
    /// Fewer object properties than allowed.
    MinProperties(u64),
    /// More object properties than allowed.
    MaxProperties(u64),
    /// The value is not one of the allowed values.
    Enum(Vec<String>),
    /// The string contains control characters (CR, LF, NUL, ...), e.g. in a header.
    ControlCharacters,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => write!(f, "required"),
            Rule::RequiredIf { property, equals } => {
                write!(f, "required when {property} is {equals:?}")
            }
            Rule::MinLength(n) => write!(f, "< minLength {n}"),
            Rule::MaxLength(n) => write!(f, "> maxLength {n}"),
            Rule::MinBytes(n) => write!(f, "< x-min-bytes {n}"),
            Rule::MaxBytes(n) => write!(f, "> x-max-bytes {n}"),
            Rule::Pattern(p) => write!(f, "does not match pattern {p}"),
            Rule::Minimum {
                bound,
                exclusive: false,
            } => write!(f, "< minimum {bound}"),
            Rule::Minimum {
                bound,
                exclusive: true,
            } => write!(f, "<= exclusiveMinimum {bound}"),
            Rule::Maximum {
                bound,
                exclusive: false,
            } => write!(f, "> maximum {bound}"),
            Rule::Maximum {
                bound,
                exclusive: true,
            } => write!(f, ">= exclusiveMaximum {bound}"),
            Rule::MultipleOf(m) => write!(f, "is not a multipleOf {m}"),
            Rule::MinItems(n) => write!(f, "< minItems {n}"),
            Rule::MaxItems(n) => write!(f, "> maxItems {n}"),
            Rule::UniqueItems => write!(f, "repeats an earlier item (uniqueItems)"),
            Rule::MinProperties(n) => write!(f, "< minProperties {n}"),
            Rule::MaxProperties(n) => write!(f, "> maxProperties {n}"),
            Rule::Enum(allowed) => {
                write!(f, "is not one of [")?;
                for (i, a) in allowed.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{a:?}")?;
                }
                write!(f, "]")
            }
            Rule::ControlCharacters => write!(f, "is not allowed (control characters)"),
        }
    }
}

/// Every violation found by one validation, in the order found.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationErrors(pub Vec<Violation>);

impl ValidationErrors {
    /// `Ok(())` when `violations` is empty, else them as the error.
    pub fn check(violations: Vec<Violation>) -> Result<(), ValidationErrors> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(violations))
        }
    }

    /// The violations, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.0
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.len() {
            0 => write!(f, "no violations"),
            1 => write!(f, "1 violation: {}", self.0[0]),
            n => {
                write!(f, "{n} violations: ")?;
                for (i, v) in self.0.iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ValidationErrors {}

/// A value that can check its own constraints.
pub trait Validate {
    /// Pushes every violation found in `self` onto `out`, with paths starting at `path`
    /// ([`Path::ROOT`] for the root). A path is rendered only for a violation.
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>);

    /// Checks `self` from the root path and returns every violation found.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut out = Vec::new();
        self.validate_at(&Path::ROOT, &mut out);
        ValidationErrors::check(out)
    }
}

impl<T: Validate + ?Sized> Validate for &T {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        (**self).validate_at(path, out);
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        if let Some(v) = self {
            v.validate_at(path, out);
        }
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        (**self).validate_at(path, out);
    }
}

impl<T: Validate> Validate for [T] {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        for (i, item) in self.iter().enumerate() {
            item.validate_at(&path.index(i), out);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        self.as_slice().validate_at(path, out);
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        for (k, v) in self {
            v.validate_at(&path.key(k), out);
        }
    }
}

impl<T: Validate, S> Validate for HashMap<String, T, S> {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        // Sorted, so that the order of the violations does not depend on the hasher.
        let mut entries: Vec<(&String, &T)> = self.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in entries {
            v.validate_at(&path.key(k), out);
        }
    }
}

macro_rules! no_constraints {
    ($($t:ty),* $(,)?) => {
        $(
            impl Validate for $t {
                fn validate_at(&self, _path: &Path<'_>, _out: &mut Vec<Violation>) {}
            }
        )*
    };
}

no_constraints!(
    String,
    str,
    bool,
    char,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    (),
    serde_json::Value,
    bytes::Bytes,
    std::path::PathBuf,
);

/// Where a value sits in the request, as in `body.items[2].name`: built on the stack while
/// validating (no allocation), rendered to text only when a violation is recorded.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// A path given as text: `""` for the root, `"body"`, `"header.X-Site"`.
    Text(&'a str),
    /// A property of the object at the first path: `parent.name` (`name` at the root).
    Field(&'a Path<'a>, &'a str),
    /// An item of the array at the first path: `parent[2]`.
    Index(&'a Path<'a>, usize),
    /// An entry of the map at the first path: `parent.key` when the key is an
    /// identifier-like word (ASCII letters, digits and `_`, not starting with a digit),
    /// else `parent["key"]`.
    Key(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    /// The root of a value validated on its own.
    pub const ROOT: Path<'static> = Path::Text("");

    /// The path of the property `name` of the object at this path.
    pub fn field<'b>(&'b self, name: &'b str) -> Path<'b> {
        Path::Field(self, name)
    }

    /// The path of item `i` of the array at this path.
    pub fn index(&self, i: usize) -> Path<'_> {
        Path::Index(self, i)
    }

    /// The path of the entry `key` of the map at this path.
    pub fn key<'b>(&'b self, key: &'b str) -> Path<'b> {
        Path::Key(self, key)
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Path::Text(text) => out.push_str(text),
            Path::Field(parent, name) => {
                parent.write_to(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, i) => {
                parent.write_to(out);
                let _ = write!(out, "[{i}]");
            }
            Path::Key(parent, key) => {
                let mut chars = key.chars();
                let identifier = match chars.next() {
                    Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                        chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
                    }
                    _ => false,
                };
                if identifier {
                    Path::Field(parent, key).write_to(out);
                } else {
                    parent.write_to(out);
                    let _ = write!(out, "[{key:?}]");
                }
            }
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_to(&mut text);
        f.write_str(&text)
    }
}

impl<'a> From<&'a str> for Path<'a> {
    fn from(text: &'a str) -> Self {
        Path::Text(text)
    }
}

/// A short, quoted rendering of a string for a [`Violation`]: escaped like Rust's `Debug`
/// and cut after 64 characters with `…`.
pub fn render_str(s: &str) -> String {
    match s.char_indices().nth(MAX_RENDERED_CHARS) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// What a [`Violation`] of a secret (`format: password`) shows instead of its value.
pub const REDACTED: &str = "<redacted>";

/// Replaces the values of the violations from index `from` on with [`REDACTED`]: the checks
/// of a secret (`format: password`) report which rule it breaks, never what it is.
pub fn redact_values(out: &mut [Violation], from: usize) {
    for violation in out.iter_mut().skip(from) {
        if !violation.value.is_empty() {
            violation.value = REDACTED.to_owned();
        }
    }
}

fn push(out: &mut Vec<Violation>, path: &Path<'_>, rule: Rule, value: String) {
    out.push(Violation {
        path: path.to_string(),
        rule,
        value,
    });
}

/// Pushes a [`Rule::Required`] violation for `field` of the object at `path`.
pub fn required(path: &Path<'_>, field: &str, out: &mut Vec<Violation>) {
    push(out, &path.field(field), Rule::Required, String::new());
}

/// Pushes a [`Rule::RequiredIf`] violation for `missing_field` of the object at
/// `path_of_object`: the caller has already found that `property` equals `equals` and that
/// `missing_field` is absent.
pub fn required_if(
    path_of_object: &Path<'_>,
    property: &str,
    equals: &str,
    missing_field: &str,
    out: &mut Vec<Violation>,
) {
    push(
        out,
        &path_of_object.field(missing_field),
        Rule::RequiredIf {
            property: property.to_owned(),
            equals: equals.to_owned(),
        },
        String::new(),
    );
}

/// Checks the length of `s` in characters (Unicode scalar values), as JSON Schema's
/// `minLength`/`maxLength` count.
pub fn check_length(
    path: &Path<'_>,
    s: &str,
    min: Option<u64>,
    max: Option<u64>,
    out: &mut Vec<Violation>,
) {
    // A character is 1 to 4 bytes, so the byte length bounds the count from both sides:
    // most strings pass without their characters being counted.
    let bytes = s.len() as u64;
    let max_holds = match max {
        Some(max) => bytes <= max,
        None => true,
    };
    let min_holds = match min {
        Some(min) => bytes.div_ceil(4) >= min,
        None => true,
    };
    if max_holds && min_holds {
        return;
    }
    let len = s.chars().count() as u64;
    if let Some(min) = min {
        if len < min {
            push(out, path, Rule::MinLength(min), format!("length {len}"));
        }
    }
    if let Some(max) = max {
        if len > max {
            push(out, path, Rule::MaxLength(max), format!("length {len}"));
        }
    }
}

/// Checks the length of `s` in UTF-8 bytes (`x-min-bytes`/`x-max-bytes`).
pub fn check_bytes(
    path: &Path<'_>,
    s: &str,
    min: Option<u64>,
    max: Option<u64>,
    out: &mut Vec<Violation>,
) {
    let len = s.len() as u64;
    if let Some(min) = min {
        if len < min {
            push(out, path, Rule::MinBytes(min), format!("{len} bytes"));
        }
    }
    if let Some(max) = max {
        if len > max {
            push(out, path, Rule::MaxBytes(max), format!("{len} bytes"));
        }
    }
}

type RegexCache = Mutex<HashMap<&'static str, Option<Regex>>>;

/// The compiled form of `pattern`, compiled once per process; `None` when the regex crate
/// cannot compile it (look-around, back-references, ...).
fn compiled(pattern: &'static str) -> Option<Regex> {
    static CACHE: OnceLock<RegexCache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked while holding it; the map is
    // still consistent, so keep using it.
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(pattern)
        .or_insert_with(|| Regex::new(pattern).ok())
        .clone()
}

/// Checks `s` against the ECMA-style regular expression `pattern` (unanchored, as in JSON
/// Schema). A pattern that the `regex` crate cannot compile is skipped.
pub fn check_pattern(path: &Path<'_>, s: &str, pattern: &'static str, out: &mut Vec<Violation>) {
    if let Some(re) = compiled(pattern) {
        if !re.is_match(s) {
            push(out, path, Rule::Pattern(pattern.to_owned()), render_str(s));
        }
    }
}

/// Checks an integer against optional bounds; each bound is `(value, exclusive)`.
pub fn check_int_range(
    path: &Path<'_>,
    v: i128,
    min: Option<(i128, bool)>,
    max: Option<(i128, bool)>,
    out: &mut Vec<Violation>,
) {
    if let Some((bound, exclusive)) = min {
        if v < bound || (exclusive && v == bound) {
            push(
                out,
                path,
                Rule::Minimum {
                    bound: bound as f64,
                    exclusive,
                },
                v.to_string(),
            );
        }
    }
    if let Some((bound, exclusive)) = max {
        if v > bound || (exclusive && v == bound) {
            push(
                out,
                path,
                Rule::Maximum {
                    bound: bound as f64,
                    exclusive,
                },
                v.to_string(),
            );
        }
    }
}

/// Checks a number against optional bounds; each bound is `(value, exclusive)`.
/// A NaN breaks every bound.
pub fn check_float_range(
    path: &Path<'_>,
    v: f64,
    min: Option<(f64, bool)>,
    max: Option<(f64, bool)>,
    out: &mut Vec<Violation>,
) {
    if let Some((bound, exclusive)) = min {
        let ok = if exclusive { v > bound } else { v >= bound };
        if !ok {
            push(out, path, Rule::Minimum { bound, exclusive }, v.to_string());
        }
    }
    if let Some((bound, exclusive)) = max {
        let ok = if exclusive { v < bound } else { v <= bound };
        if !ok {
            push(out, path, Rule::Maximum { bound, exclusive }, v.to_string());
        }
    }
}

/// Checks that `v` is a multiple of `m`, tolerating floating-point error (so `0.3` is a
/// multiple of `0.1`). A non-positive or non-finite `m` is ignored.
pub fn check_multiple_of(path: &Path<'_>, v: f64, m: f64, out: &mut Vec<Violation>) {
    if !(m.is_finite() && m > 0.0) {
        return;
    }
    let ok = if v.is_finite() {
        let q = v / m;
        (q - q.round()).abs() <= 1e-9 * q.abs().max(1.0)
    } else {
        false
    };
    if !ok {
        push(out, path, Rule::MultipleOf(m), v.to_string());
    }
}

/// Checks the number of items of an array.
pub fn check_items(
    path: &Path<'_>,
    len: usize,
    min: Option<u64>,
    max: Option<u64>,
    out: &mut Vec<Violation>,
) {
    let len = len as u64;
    if let Some(min) = min {
        if len < min {
            push(out, path, Rule::MinItems(min), format!("{len} items"));
        }
    }
    if let Some(max) = max {
        if len > max {
            push(out, path, Rule::MaxItems(max), format!("{len} items"));
        }
    }
}

/// Canonical text of a JSON value, object keys sorted, so equal values compare equal
/// whatever their key order.
fn canonical_json(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                canonical_json(v, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Checks that no item of `items` repeats an earlier one (compared as JSON values); one
/// violation per repeated item, naming its index. Items that do not serialize are skipped.
pub fn check_unique<T: serde::Serialize>(path: &Path<'_>, items: &[T], out: &mut Vec<Violation>) {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Ok(value) = serde_json::to_value(item) else {
            continue;
        };
        let mut text = String::new();
        canonical_json(&value, &mut text);
        if let Some(first) = seen.get(&text) {
            push(
                out,
                path,
                Rule::UniqueItems,
                format!("item [{i}] (same as [{first}])"),
            );
        } else {
            seen.insert(text, i);
        }
    }
}

/// Checks the number of properties of an object (map).
pub fn check_properties(
    path: &Path<'_>,
    len: usize,
    min: Option<u64>,
    max: Option<u64>,
    out: &mut Vec<Violation>,
) {
    let len = len as u64;
    if let Some(min) = min {
        if len < min {
            push(
                out,
                path,
                Rule::MinProperties(min),
                format!("{len} properties"),
            );
        }
    }
    if let Some(max) = max {
        if len > max {
            push(
                out,
                path,
                Rule::MaxProperties(max),
                format!("{len} properties"),
            );
        }
    }
}

/// Checks that `value` is one of `allowed` (for closed string enums kept as strings).
pub fn check_enum(path: &Path<'_>, value: &str, allowed: &[&str], out: &mut Vec<Violation>) {
    if !allowed.contains(&value) {
        push(
            out,
            path,
            Rule::Enum(allowed.iter().map(|s| (*s).to_owned()).collect()),
            render_str(value),
        );
    }
}

/// The first control character of `s` that HTTP header fields cannot carry (anything
/// below U+0020 except TAB, and DEL), with its index in characters.
pub fn find_control_character(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| (*c < ' ' && *c != '\t') || *c == '\u{7f}')
}

/// Checks that `s` (e.g. a header value) has no control characters (CR, LF, NUL, ...).
/// The violation names the character and its position, never the value, which may be a
/// credential.
pub fn check_control_characters(path: &Path<'_>, s: &str, out: &mut Vec<Violation>) {
    if let Some((i, c)) = find_control_character(s) {
        push(
            out,
            path,
            Rule::ControlCharacters,
            format!("U+{:04X} at character {i}", c as u32),
        );
    }
}
