//! `pattern` keywords: OpenAPI says they follow ECMA-262, where `\d`, `\w` and `\b` are ASCII
//! (`[0-9]`, `[0-9A-Za-z_]`); in the Rust `regex` crate the same escapes are Unicode-aware, so
//! a date pattern `^\d{4}-...` would accept Arabic-Indic digits. [`translate`] rewrites a pattern
//! into the `regex` crate's syntax with its ECMA meaning and checks that it compiles.

/// ECMA-262 `WhiteSpace` and `LineTerminator` (the meaning of `\s`), as class items.
const ECMA_SPACE: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";
const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";

/// Translates an ECMA-262 pattern into an equivalent for the `regex` crate, and compiles it
/// there. `Err` carries the reason a pattern cannot be used (lookaround, back-references,
/// invalid syntax...), for a warning.
pub fn translate(pattern: &str) -> Result<String, String> {
    thread_local! {
        // Specs repeat their patterns (a date, an id format) on many properties.
        static DONE: std::cell::RefCell<std::collections::HashMap<String, Result<String, String>>> =
            Default::default();
    }
    crate::naming::memo(&DONE, pattern, translate_uncached)
}

fn translate_uncached(pattern: &str) -> Result<String, String> {
    let out = to_rust_syntax(pattern);
    match regex::Regex::new(&out) {
        Ok(_) => Ok(out),
        Err(e) => Err(e
            .to_string()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid pattern")
            .trim()
            .trim_start_matches("error: ")
            .to_string()),
    }
}

/// The rewriting of [`translate`], without the compile check.
pub fn to_rust_syntax(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    out.push('\\');
                    i += 1;
                    continue;
                };
                i += 2;
                match (e, in_class) {
                    ('d', false) => out.push_str("[0-9]"),
                    ('D', false) => out.push_str("[^0-9]"),
                    ('w', false) => out.push_str("[0-9A-Za-z_]"),
                    ('W', false) => out.push_str("[^0-9A-Za-z_]"),
                    ('s', false) => out.push_str(&format!("[{ECMA_SPACE}]")),
                    ('S', false) => out.push_str(&format!("[^{ECMA_SPACE}]")),
                    ('b', false) => out.push_str(r"(?-u:\b)"),
                    ('B', false) => out.push_str(r"(?-u:\B)"),
                    ('d', true) => out.push_str(DIGIT),
                    ('w', true) => out.push_str(WORD),
                    ('s', true) => out.push_str(ECMA_SPACE),
                    // A negated set inside a class: a nested class, which `regex` unites.
                    ('D', true) => out.push_str("[^0-9]"),
                    ('W', true) => out.push_str("[^0-9A-Za-z_]"),
                    ('S', true) => out.push_str(&format!("[^{ECMA_SPACE}]")),
                    // In a class, `\b` is a backspace.
                    ('b', true) => out.push_str(r"\x08"),
                    ('0', _) if !chars.get(i).is_some_and(char::is_ascii_digit) => {
                        out.push_str(r"\x00")
                    }
                    ('c', _) if chars.get(i).is_some_and(char::is_ascii_alphabetic) => {
                        out.push_str(&format!(r"\x{:02X}", (chars[i] as u32) % 32));
                        i += 1;
                    }
                    // `\\`, `\.`, `\n`, `\uXXXX`... mean the same in both.
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
                continue;
            }
            '[' if !in_class => {
                if chars.get(i + 1) == Some(&'^') && chars.get(i + 2) == Some(&']') {
                    // ECMA `[^]`: any character at all.
                    out.push_str("(?s:.)");
                    i += 3;
                    continue;
                }
                in_class = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // Literal in an ECMA class, set syntax in a `regex` class.
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && chars.get(i + 1) == Some(&'-') => out.push_str(r"\-"),
            // ECMA (Annex B) reads a brace that starts no quantifier as a literal; a
            // quantifier's `{n,m}` is copied whole.
            '{' if !in_class => match quantifier_len(&chars[i..]) {
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len;
                    continue;
                }
                None => out.push_str(r"\{"),
            },
            '}' if !in_class => {
                // Braces of quantifiers are copied with them below; a lone one is literal.
                out.push_str(r"\}");
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// The length of the `{n}`, `{n,}` or `{n,m}` that `rest` (from its `{`) starts with, braces
/// included; `None` when the brace starts no quantifier. It reads only as far as the
/// quantifier goes: a pattern of many braces is translated in linear time.
fn quantifier_len(rest: &[char]) -> Option<usize> {
    let digits = |from: usize| {
        let tail = rest.get(from..).unwrap_or_default();
        tail.iter().take_while(|c| c.is_ascii_digit()).count()
    };
    let mut at = 1;
    let first = digits(at);
    if first == 0 {
        return None;
    }
    at += first;
    if rest.get(at) == Some(&',') {
        at += 1;
        at += digits(at);
    }
    (rest.get(at) == Some(&'}')).then_some(at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_that_start_no_quantifier_are_literal() {
        assert_eq!(to_rust_syntax("a{2}b{1,}c{1,3}"), "a{2}b{1,}c{1,3}");
        assert_eq!(to_rust_syntax("a{,2}"), r"a\{,2\}");
        assert_eq!(to_rust_syntax("{x}{"), r"\{x\}\{");
        assert_eq!(to_rust_syntax("a{1,2"), r"a\{1,2");
        assert_eq!(to_rust_syntax("[{]"), "[{]");
        // Each brace is read only as far as a quantifier could go (a spec's pattern of
        // 50,000 braces was translated in quadratic time).
        let many = "{".repeat(50_000) + "}";
        assert_eq!(to_rust_syntax(&many), r"\{".repeat(50_000) + r"\}");
    }

    #[test]
    fn shorthand_classes_get_their_ecma_meaning() {
        assert_eq!(to_rust_syntax(r"^\d{4}$"), "^[0-9]{4}$");
        assert_eq!(to_rust_syntax(r"\D\w\W"), "[^0-9][0-9A-Za-z_][^0-9A-Za-z_]");
        assert_eq!(to_rust_syntax(r"\bx\B"), r"(?-u:\b)x(?-u:\B)");
        assert_eq!(to_rust_syntax(r"[\d-]"), "[0-9-]");
        assert_eq!(to_rust_syntax(r"[^\w.]"), "[^0-9A-Za-z_.]");
        assert_eq!(to_rust_syntax(r"[\D]"), "[[^0-9]]");
        assert_eq!(to_rust_syntax(r"[\b]"), r"[\x08]");
        // Escaped backslashes stay, and what follows them is a plain letter.
        assert_eq!(to_rust_syntax(r"\\d"), r"\\d");
        assert_eq!(to_rust_syntax(r"\\\d"), r"\\[0-9]");
        assert_eq!(to_rust_syntax(r"a\.b\/c"), r"a\.b\/c");
        // Set syntax of the regex crate is literal in ECMA classes.
        assert_eq!(to_rust_syntax(r"[a&&b~~[]"), r"[a\&\&b\~\~\[]");
        assert_eq!(to_rust_syntax(r"[^]"), "(?s:.)");
        // Braces that start no quantifier are literal.
        assert_eq!(to_rust_syntax(r"a{2,3}b{,}c{x}"), r"a{2,3}b\{,\}c\{x\}");
        assert_eq!(to_rust_syntax(r"\0\cJ"), r"\x00\x0A");
    }

    #[test]
    fn translated_patterns_compile_or_say_why() {
        for p in [
            r"^\d{4}-\d{2}-\d{2}$",
            r"^[\w.+-]+@[\w-]+\.[\w.]+$",
            r"\bword\b",
            r"^[^\s]+$",
            r"^\/api\/v1$",
            r"^\u0041+$",
            r"(?<year>\d{4})",
        ] {
            assert!(translate(p).is_ok(), "{p}: {:?}", translate(p));
        }
        for p in [r"^(?=.*\d).+$", r"(a)\1", r"(?<!x)y", "[a-", "(unclosed"] {
            assert!(translate(p).is_err(), "{p} should not compile");
        }
    }

    #[test]
    fn ecma_digits_are_ascii_only() {
        // spec/aicc-case.yaml, `dueDate`.
        let due = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$";
        let arabic = "\u{662}\u{660}\u{662}\u{664}-01-01 00:00:00";
        let original = regex::Regex::new(due).unwrap();
        assert!(
            original.is_match(arabic),
            "the regex crate's \\d is Unicode"
        );
        let translated = regex::Regex::new(&translate(due).unwrap()).unwrap();
        assert!(!translated.is_match(arabic));
        assert!(translated.is_match("2024-01-01 00:00:00"));
        // \w and \b too.
        let word = regex::Regex::new(&translate(r"^\w+$").unwrap()).unwrap();
        assert!(word.is_match("abc_9") && !word.is_match("caf\u{e9}"));
        let boundary = regex::Regex::new(&translate(r"\bx").unwrap()).unwrap();
        assert!(boundary.is_match("\u{e9}x"), "é is no ECMA word character");
    }
}
