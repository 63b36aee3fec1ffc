//! The YAML loader's strict parser (`codegen::load::yaml::parse_strict`, on saphyr-parser's
//! events) gives the tree that serde_yaml 0.9 (`parse_libyaml`, the loader's parser before)
//! gives: on every YAML spec of the fixtures, the project and the corpus (when
//! `../shared/corpus` is there), on each scalar resolution rule, and on the documents both
//! refuse. What only libyaml accepts still loads, through `parse`'s fallback.

use codegen::load::yaml;
use serde_json::Value;

/// The loader's parser before: serde_yaml (libyaml) into a JSON tree.
fn reference(text: &str) -> Result<Value, String> {
    yaml::parse_libyaml(text).map_err(|e| e.to_string())
}

/// saphyr-parser's events into a JSON tree, without the fallback to libyaml.
fn ours(text: &str) -> Result<Value, String> {
    yaml::parse_strict(text)
        .map(|t| t.value)
        .map_err(|e| e.to_string())
}

/// The two trees as text: `Value`'s equality ignores the order of keys, the loader's must not.
/// Where the strict parser refuses the text, the loader's whole path (`parse`, which hands
/// a syntax error and the texts the two read differently to libyaml) must give libyaml's tree.
fn same(text: &str) -> Result<(), String> {
    let want = reference(text).map(|v| serde_json::to_string(&v).unwrap());
    let got = ours(text)
        .or_else(|_| {
            yaml::parse(text)
                .map(|t| t.value)
                .map_err(|e| e.to_string())
        })
        .map(|v| serde_json::to_string(&v).unwrap());
    match (want, got) {
        (Ok(w), Ok(g)) if w == g => Ok(()),
        (Err(_), Err(_)) => Ok(()),
        (w, g) => Err(format!(
            "serde_yaml: {}\n   ours:   {}",
            w.unwrap_or_else(|e| format!("error: {e}")),
            g.unwrap_or_else(|e| format!("error: {e}"))
        )),
    }
}

/// Every YAML spec of the fixtures, the project and the corpus (when `../shared/corpus` is
/// there), in order.
fn yaml_specs() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut specs = Vec::new();
    for dir in [
        root.join("tests/fixtures"),
        root.join("../spec"),
        root.join("../../shared/corpus"),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            specs.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml")),
            );
        }
    }
    specs.sort();
    specs
}

#[test]
fn every_yaml_spec_gives_the_tree_serde_yaml_gave() {
    let specs = yaml_specs();
    assert!(specs.len() > 30, "{} specs", specs.len());
    let mut parsed = 0;
    for path in &specs {
        let text = std::fs::read_to_string(path).unwrap();
        // The strict parser itself reads every spec libyaml reads, to the same tree: none is
        // handed to libyaml (which takes longer) by a rule meant for texts no spec writer
        // writes.
        let want = reference(&text).map(|v| serde_json::to_string(&v).unwrap());
        let got = ours(&text).map(|v| serde_json::to_string(&v).unwrap());
        match (want, got) {
            (Ok(w), Ok(g)) if w == g => parsed += 1,
            (Err(_), Err(_)) => {}
            (w, g) => panic!("{}:\nserde_yaml: {w:?}\n   ours:   {g:?}", path.display()),
        }
    }
    assert!(parsed > 30, "{parsed} parsed");
}

/// Scalars that resolve to null, booleans, integers of every base and width, floats, the
/// special floats and the strings that look like numbers; plain, quoted, tagged and as keys.
const SCALARS: &[&str] = &[
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "nil",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "false",
    "False",
    "FALSE",
    "0",
    "1",
    "-1",
    "+1",
    "++1",
    "+-1",
    "-+1",
    "007",
    "-007",
    "+007",
    "0.5",
    "00.5",
    "-0.5",
    ".5",
    "+.5",
    "5.",
    "1e3",
    "1E3",
    "1e-3",
    "-1e+3",
    "1e400",
    "-1e400",
    "1e",
    "e1",
    "0x1F",
    "0x1f",
    "-0x1F",
    "+0x1F",
    "0x+1",
    "0x-1",
    "0x",
    "0xg",
    "0o17",
    "-0o17",
    "0o8",
    "0b101",
    "-0b101",
    "0b2",
    "0X1F",
    "0O17",
    "0B1",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
    "-170141183460469231731687303715884105729",
    "0xffffffffffffffffff",
    "-0x8000000000000000",
    "-0x8000000000000001",
    ".inf",
    ".Inf",
    ".INF",
    "+.inf",
    "-.inf",
    "-.Inf",
    ".nan",
    ".NaN",
    ".NAN",
    "-.nan",
    "inf",
    "-inf",
    "infinity",
    "nan",
    "NaN",
    "1_000",
    "1,000",
    "12:30",
    "2024-01-01",
    "0.0.1",
    "1.0",
    "-0",
    "+0",
    "-0.0",
    "0e0",
    "word",
    "two words",
    "#hash",
    "a#b",
    "'",
    "x: y",
];

#[test]
fn scalars_resolve_as_serde_yaml_resolved_them() {
    let mut failures = Vec::new();
    for scalar in SCALARS {
        let quoted = serde_json::to_string(scalar).unwrap();
        let single = format!("'{}'", scalar.replace('\'', "''"));
        let mut docs = vec![
            format!("v: {quoted}\n"),
            format!("v: {single}\n"),
            format!("{quoted}: v\n"),
            format!("[{quoted}]\n"),
            format!("v: |\n  {scalar}\n"),
        ];
        for tag in ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!binary"] {
            docs.push(format!("v: {tag} {quoted}\n"));
        }
        // Plain only where the text is a plain scalar in YAML.
        if !scalar.is_empty()
            && !scalar.starts_with(['#', '\''])
            && !scalar.contains(": ")
            && !scalar.contains(',')
        {
            docs.push(format!("v: {scalar}\n"));
            docs.push(format!("{scalar}: v\n"));
            docs.push(format!("- {scalar}\n"));
            docs.push(format!("v: !!str {scalar}\n"));
            docs.push(format!("v: !!int {scalar}\n"));
            docs.push(format!("v: !!float {scalar}\n"));
            docs.push(format!("v: !!bool {scalar}\n"));
            docs.push(format!("v: !!null {scalar}\n"));
        }
        for doc in docs {
            if let Err(e) = same(&doc) {
                failures.push(format!("{doc:?}:\n{e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Structure: keys that are not strings, a key met twice, anchors and aliases, merge keys
/// (which neither parser merges), block scalars, flow collections, empty values, documents
/// with markers and directives, tags on collections.
#[test]
fn structures_give_the_tree_serde_yaml_gave() {
    let docs = [
        "1: a\n2.5: b\ntrue: c\n~: d\n[1, 2]: e\n{a: 1}: f\n0x10: g\n",
        "a: 1\nb: 2\na: 3\n",
        "a: &x {k: [1, 2]}\nb: *x\nc: [*x, *x]\n",
        "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
        "a: &s text\nb: *s\n*s : key from an alias\n",
        "a: |\n  line\n   more\n\nb: >\n  folded\n  text\n\n  para\nc: |-\n  kept\nd: >+\n  end\n\n",
        "a: [1, {b: c}, [d]]\ne: {f: g, h: [i, j]}\n",
        "a:\nb: ~\nc: []\nd: {}\ne: ''\n",
        "---\na: 1\n...\n",
        "%YAML 1.2\n---\na: 1\n",
        "---\n",
        "a: !!map {b: 1}\nc: !!seq [1]\nd: !!set {e}\n",
        "a: !<tag:yaml.org,2002:int> '12'\nb: !<tag:yaml.org,2002:str> 12\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!thing 12\n",
        "? complex\n: value\n? [a, b]\n: seq key\n",
        "a: \"esc \\t \\u00e9 \\x41 \\n\"\nb: 'it''s'\n",
        "a: multi\n  line\n  plain\n",
        "- a\n- - b\n  - c\n- d: e\n  f: g\n",
        "plain text at the root\n",
        "a: 'x' # comment\n# comment\nb: y\n",
        "\"quoted key\": 1\n'single': 2\n",
        "a: -\nb: - x\n",
        "key with spaces: value with: colon\n",
        "a: b: c\n",
        "a:\n\t- b\n",
        "a: [1, 2\nb: 3\n",
        "a: 1\n---\nb: 2\n",
        "a: !thing 12\n",
        "a: !thing {b: 1}\n",
        "a: ! 12\n",
        "a: &a [*a]\n",
        "a: *nowhere\n",
        "",
        "# only a comment\n",
        "a: @reserved\n",
        "a: `reserved\n",
        "a: 'unterminated\n",
        "a: \"bad escape \\q\"\n",
        // Block scalars ending the file without a line break keep none.
        "a: |\n  text",
        "a: |+\n  text",
        "a: |-\n  text",
        "a: >\n  text\n  more",
        "a: |\n  text  ",
        "a: |\n  text\n  ",
        "a: |+\n  text\n  ",
        "a: |\n  text\n# comment",
        "- |\n  x\n- |\n  y",
        "a: |\r\n  text\r\n",
        "a: plain at the end",
    ];
    let mut failures = Vec::new();
    for doc in docs {
        if let Err(e) = same(doc) {
            failures.push(format!("{doc:?}:\n{e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nesting_is_refused_past_the_depth_serde_yaml_allowed() {
    let nested = |n: usize| format!("{}1{}\n", "[".repeat(n), "]".repeat(n));
    for n in [1, 64, 127, 128, 129, 130, 500] {
        let doc = nested(n);
        same(&doc).unwrap_or_else(|e| panic!("depth {n}: {e}"));
        assert_eq!(ours(&doc).is_ok(), n <= yaml::MAX_DEPTH, "depth {n}");
    }
    // Through an alias: the aliased node's depth counts where it is used.
    let deep = |n: usize| format!("a: &d {}1{}\nb: [*d]\n", "[".repeat(n), "]".repeat(n));
    for n in [126, 127, 128] {
        let doc = deep(n);
        same(&doc).unwrap_or_else(|e| panic!("alias depth {n}: {e}"));
    }
    let e = yaml::parse_strict(&deep(127)).unwrap_err();
    assert_eq!((e.line, e.column), (2, 5), "{e}");
    assert!(e.message.contains("recursion limit"), "{e}");
}

#[test]
fn an_alias_bomb_is_refused_with_its_place_and_a_modest_alias_is_not() {
    let mut bomb = String::from("l0: &a0 [xxxxxxxx, xxxxxxxx, xxxxxxxx, xxxxxxxx]\n");
    for level in 1..12 {
        let aliases = vec![format!("*a{}", level - 1); 9].join(", ");
        bomb.push_str(&format!("l{level}: &a{level} [{aliases}]\n"));
    }
    let e = yaml::parse_strict(&bomb).unwrap_err();
    assert!(e.message.contains("repetition limit"), "{e}");
    // Refused at the copy that crosses the limit: level 6's first use of level 5 (whose node
    // weighs 9^5 times level 0's), long before the last level's line (12).
    assert_eq!((e.line, e.column), (7, 10), "{e}");
    assert!(reference(&bomb).is_err());
    // The corpus's use of aliases (a list of required properties, used twice) is well within.
    let modest = "a: &r [id, name, created]\nb: {required: *r}\nc: {required: *r}\n";
    let tree = yaml::parse_strict(modest).unwrap();
    assert!(
        tree.expanded > 0 && tree.expanded < 1024,
        "{}",
        tree.expanded
    );
    assert_eq!(tree.value["c"]["required"][2], "created");
    // Anchors nested round a large node, and no alias: each level's copy counts.
    let big = format!("[{}]", vec!["x".repeat(1000); 1000].join(", "));
    let nested = format!("{}{big}{}\n", "&a {k: ".repeat(100), "}".repeat(100));
    let e = yaml::parse_strict(&nested).unwrap_err();
    assert!(e.message.contains("repetition limit"), "{e}");
    // Read by libyaml (a U+2028 sends it there), a large anchored node used a thousand times:
    // serde_yaml's count of uses allows it, the weight of the tree built does not.
    let many = format!(
        "a: \"\u{2028}\"\nb: &b {big}\nc: [{}]\n",
        vec!["*b"; 1000].join(", ")
    );
    assert!(!yaml::strict_reads_as_libyaml(&many));
    let e = yaml::parse(&many).unwrap_err();
    assert!(e.message.contains("repetition limit"), "{e}");
    assert_eq!(e.line, 3, "{e}");
    let once = format!("a: &a {big}\n");
    let tree = yaml::parse_strict(&once).unwrap();
    assert!(tree.expanded > 1_000_000, "{}", tree.expanded);
}

#[test]
fn errors_name_line_and_column() {
    let cases = [
        // (text, line, column, words in the message)
        ("a: [1, 2\nb: 3\n", 2, 2, ""),
        ("a: 1\n---\nb: 2\n", 2, 1, "second YAML document"),
        (
            "a:\n  b: !thing 12\n",
            2,
            6,
            "unsupported YAML tag `!thing`",
        ),
        ("a: &a [*a]\n", 1, 8, "recursive alias"),
        ("a: !!int twelve\n", 1, 4, "expected an integer"),
    ];
    assert_eq!(
        yaml::parse_strict("# nothing\n").unwrap().value,
        Value::Null
    );
    for (text, line, column, words) in cases {
        let e = yaml::parse_strict(text).unwrap_err();
        assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
        assert!(e.message.contains(words), "{text:?}: {e}");
        assert!(
            e.to_string()
                .ends_with(&format!("at line {line} column {column}")),
            "{e}"
        );
    }
}

#[test]
fn what_only_libyaml_accepts_still_loads_and_errors_stay_libyamls() {
    // A quoted scalar whose second line is less indented than YAML 1.2 allows.
    let lax = "a: \"one\ntwo: three\"\nb:\n  c: 'x\n  d: y'\n";
    let strict = yaml::parse_strict(lax).unwrap_err();
    assert!(strict.message.contains("indentation"), "{strict}");
    let tree = yaml::parse(lax).unwrap();
    assert_eq!(
        tree.value,
        serde_json::json!({"a": "one two: three", "b": {"c": "x d: y"}})
    );
    // Refused by both: libyaml's message and place, as the loader gave them before.
    let bad = "openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\n";
    let e = yaml::parse(bad).unwrap_err();
    assert_eq!(e.to_string(), reference(bad).unwrap_err());
    assert_eq!((e.line, e.column), (4, 10), "{e}");
    // A document past a limit is refused by the strict parser's rule, not handed to libyaml.
    let deep = format!("a: {}1{}\n", "[".repeat(129), "]".repeat(129));
    let e = yaml::parse(&deep).unwrap_err();
    assert!(
        e.message
            .starts_with("recursion limit exceeded: nested more than 128"),
        "{e}"
    );
    let twice = "a: 1\n---\nb: 2\n";
    assert!(yaml::parse(twice)
        .unwrap_err()
        .message
        .contains("second YAML document"));
}

/// Characters YAML 1.1 (libyaml) takes for line breaks and YAML 1.2 for text, and a
/// byte-order mark after the start: such a text is read by libyaml alone, to the tree it gave.
#[test]
fn texts_with_yaml_11_line_breaks_are_read_by_libyaml() {
    for text in [
        "a: one\u{85}two\n",
        "a: one\n  \u{2028}two\n",
        "a: x\u{2029}\n",
        "a: x\n\u{feff}\n",
    ] {
        assert!(!yaml::strict_reads_as_libyaml(text), "{text:?}");
        let got = yaml::parse(text)
            .map(|t| t.value)
            .map_err(|e| e.to_string());
        assert_eq!(got, reference(text), "{text:?}");
    }
    for text in ["a: é ü ©\u{a0}\n", "a: \u{2027}\u{202a}\n", "a: \u{feee}\n"] {
        assert!(yaml::strict_reads_as_libyaml(text), "{text:?}");
    }
}

/// YAML's punctuation, and words and characters near it, for mutating texts.
const PIECES: &[&str] = &[
    " ",
    "\n",
    "\r\n",
    "  ",
    "- ",
    ": ",
    "'",
    "\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "!!int ",
    "? ",
    "|",
    "|-",
    "|+",
    ">",
    ">-",
    "\t",
    "0",
    "0x1F",
    "1.5",
    ".inf",
    "-",
    "~",
    "x",
    ":",
    "\\",
    "%",
    "@",
    "`",
    "!",
    "...",
    "---",
    "é",
    "\u{1F980}",
    "\n\n",
    "<<: ",
];

/// Where libyaml gives `doc` a tree and the loader (`got`) another, or an error, what failed;
/// `compared` counts the texts libyaml read. The keys met twice are the same ones too, by
/// their pointers, in a text without aliases (libyaml replays an alias's events, and meets
/// the keys twice again at each use; the strict parser copies the tree it made).
fn against_libyaml(
    doc: &str,
    got: &Result<yaml::Tree, yaml::Error>,
    compared: &mut usize,
) -> Option<String> {
    let want = yaml::libyaml_tree(doc).ok()?;
    *compared += 1;
    let got_text = got
        .as_ref()
        .map(|t| serde_json::to_string(&t.value).unwrap());
    let want_text = serde_json::to_string(&want.value).unwrap();
    if got_text.as_ref().ok() != Some(&want_text) {
        return Some(format!(
            "{doc:?}\n  libyaml {want_text}\n  ours    {got_text:?}"
        ));
    }
    let pointers = |t: &yaml::Tree| -> Vec<String> {
        t.duplicates.iter().map(|d| d.pointer.clone()).collect()
    };
    let got = pointers(got.as_ref().ok()?);
    (!doc.contains('*') && got != pointers(&want)).then(|| {
        format!(
            "{doc:?}\n  libyaml's keys met twice {:?}\n  ours    {got:?}",
            pointers(&want)
        )
    })
}

/// A xorshift generator from a fixed seed, so the texts are the same on every run.
fn rng(mut seed: u64) -> impl FnMut() -> usize {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    }
}

/// Fragments of every YAML spec, cut at random lines and mutated with YAML's punctuation
/// (a fixed seed and count): wherever libyaml gives a tree, the loader's parser gives the
/// same one. (Where libyaml refuses, YAML 1.2 may accept: `: x` is a mapping with an empty key.)
#[test]
fn mutated_fragments_give_libyamls_tree_wherever_it_gives_one() {
    let texts: Vec<String> = yaml_specs()
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut next = rng(0x9E37_79B9_7F4A_7C15);
    let (mut compared, mut failures) = (0, Vec::new());
    for text in &texts {
        let lines: Vec<&str> = text.lines().collect();
        for _ in 0..150 {
            let start = next() % lines.len().max(1);
            let end = (start + 1 + next() % 12).min(lines.len());
            let mut doc = lines[start..end].join("\n");
            if !next().is_multiple_of(4) {
                doc.push('\n');
            }
            for _ in 0..next() % 4 {
                if doc.is_empty() {
                    break;
                }
                let mut at = next() % doc.len();
                while !doc.is_char_boundary(at) {
                    at -= 1;
                }
                let piece = PIECES[next() % PIECES.len()];
                if next().is_multiple_of(2) {
                    doc.insert_str(at, piece);
                } else {
                    let mut to = (at + 1 + next() % 3).min(doc.len());
                    while !doc.is_char_boundary(to) {
                        to += 1;
                    }
                    doc.replace_range(at..to, piece);
                }
            }
            let got = yaml::parse(&doc);
            failures.extend(against_libyaml(&doc, &got, &mut compared));
        }
    }
    assert!(compared > 500, "{compared} compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Short texts made of YAML's punctuation alone (a fixed seed and count), where the parsers'
/// corners are: nothing panics; wherever libyaml gives a tree, the loader gives the same one;
/// every refusal names a line and column in the text or just after its end. A probe of about
/// 46 million such texts (in /tmp, not kept, up to 150 pieces each) found the rules for
/// anchors' names, `?` and `:` in flow collections and block scalars at the top level or
/// before spaces at the end of the file (in `parse_within`); its last 6 million, after them,
/// found nothing.
#[test]
fn texts_of_punctuation_give_libyamls_tree_wherever_it_gives_one() {
    const MORE: &[&str] = &[
        "key",
        "b: c",
        "a",
        "null",
        "%YAML 1.2",
        "%TAG ! !x",
        "!t ",
        "&b",
        "*b",
        "<<",
        "|2",
        ">+",
        "\r",
        "\r\n",
        "\n  ",
        "=",
        "?",
        "'",
        "''",
        "# c",
        "é",
        "日本",
    ];
    let mut next = rng(0x2545_F491_4F6C_DD1D);
    let (mut compared, mut failures) = (0, Vec::new());
    for _ in 0..20_000 {
        let mut doc = String::new();
        for _ in 0..1 + next() % 24 {
            let k = next() % (PIECES.len() + MORE.len());
            doc.push_str(PIECES.get(k).unwrap_or_else(|| &MORE[k - PIECES.len()]));
        }
        let got = yaml::parse(&doc);
        if let Err(e) = &got {
            let breaks = doc.matches(['\n', '\r']).count() - doc.matches("\r\n").count();
            if e.line == 0 || e.column == 0 || e.line > breaks + 2 {
                failures.push(format!("{doc:?}: {e} is not a place in the text"));
            }
        }
        failures.extend(against_libyaml(&doc, &got, &mut compared));
    }
    assert!(compared > 2_000, "{compared} compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where YAML 1.2 and libyaml read the same characters differently and the strict parser
/// cannot tell, it refuses with a syntax error and libyaml reads the text; where they read
/// them alike (an IPv6 address in a block sequence, an anchor named with letters, digits, `-`
/// and `_`), the strict parser reads it.
#[test]
fn what_the_two_read_differently_goes_to_libyaml_and_nothing_else() {
    let to_libyaml = [
        // YAML 1.2 takes every character to a space into an anchor's or alias's name.
        "&bb: c\n",
        "a: &x: 1\n",
        "a: !!str &x: 1\n",
        "a: &x 1\nb: *x:\n",
        "a: é\nb: &x? 1\n",
        // ... and so a tag after it may be text to libyaml.
        "<< ,'': a <<~x\n&b:#? !t {~|-]?: a=\"\\@}# c",
        "&b---:@`|  !\n- %TAG ! !x<< 0xa|",
        // libyaml takes `?` and `:` in a flow collection for indicators.
        "a: {   ?}\n",
        "a: [?1]\n",
        "a: [!!str :x]\n",
        "a: [b: ?c]\n",
        "é: [é, ?c]\n",
        // A block scalar as the whole document, with a line that starts with `#`.
        ">\n# c\n",
        // A block scalar before spaces that end the file.
        "? >+\n\n  ",
        "key: >+\r\n ",
        "a: |+\n  x\n ",
    ];
    for doc in to_libyaml {
        let e = yaml::parse_strict(doc).expect_err(doc);
        assert!(e.line >= 1 && e.column >= 1, "{doc:?}: {e}");
        same(doc).unwrap_or_else(|e| panic!("{doc:?}:\n{e}"));
    }
    let strict = [
        "- ::/0\n- ::1\n",
        "a: ?x\nb: :y\n",
        "a: &anchor-1_b {k: v}\nb: *anchor-1_b\n",
        "a: !!str &x 1\nb: [*x, &y 2, *y]\n",
        "é: &x ü\nb: [*x, {c: *x}]\n",
        "a: |\n  text\n",
        "a: |+\n  text",
    ];
    for doc in strict {
        let tree = yaml::parse_strict(doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
        assert_eq!(
            serde_json::to_string(&tree.value).unwrap(),
            serde_json::to_string(&reference(doc).unwrap()).unwrap(),
            "{doc:?}"
        );
    }
}

/// A key met again in a mapping is noted with its entry's pointer (escaped, sequences
/// counted) and, by the strict parser, the line and column of the second key; libyaml's
/// reading notes the same pointers.
#[test]
fn keys_met_twice_are_noted_where_they_stand_by_both_readers() {
    /// Each key met twice: its pointer, and the line and column of the second.
    type Noted<'a> = &'a [(&'a str, (usize, usize))];
    let cases: &[(&str, Noted)] = &[
        ("a: 1\na: 2\n", &[("/a", (2, 1))]),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", &[("/a/b", (4, 3))]),
        ("- x: 1\n- x: 1\n  x: 2\n", &[("/1/x", (3, 3))]),
        ("a: {b: 1, b: 2}\n", &[("/a/b", (1, 11))]),
        ("a: [{b: 1}, {c: 1, c: 2}]\n", &[("/a/1/c", (1, 20))]),
        ("'a/b~c':\n  k: 1\n  k: 2\n", &[("/a~1b~0c/k", (3, 3))]),
        ("a:\n  - - b: 1\n      b: 2\n", &[("/a/0/0/b", (3, 7))]),
        (
            "a: 1\nb:\n  c: 1\na: 2\nb: 3\n",
            &[("/a", (4, 1)), ("/b", (5, 1))],
        ),
        ("200: x\n'200': y\n", &[("/200", (2, 1))]),
        ("a: 1\nb: 1\n", &[]),
    ];
    for (doc, expected) in cases {
        let strict = yaml::parse_strict(doc).unwrap();
        let noted: Vec<(&str, (usize, usize))> = strict
            .duplicates
            .iter()
            .map(|d| {
                (
                    d.pointer.as_str(),
                    d.at.expect("the strict parser tells where"),
                )
            })
            .collect();
        assert_eq!(&noted, expected, "{doc:?}");
        let libyaml = yaml::libyaml_tree(doc).unwrap();
        let pointers: Vec<&str> = libyaml
            .duplicates
            .iter()
            .map(|d| d.pointer.as_str())
            .collect();
        let want: Vec<&str> = expected.iter().map(|(p, _)| *p).collect();
        assert_eq!(pointers, want, "libyaml, {doc:?}");
        assert_eq!(strict.value, libyaml.value, "{doc:?}");
    }
}
