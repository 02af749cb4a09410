//! Sprig's regex functions over Go's `regexp` (RE2 syntax, leftmost-first matching), run on
//! the `regex` crate. The pattern is first rewritten where the two syntaxes differ: Go's
//! `\d`, `\s`, `\w` and `\b` are ASCII-only, `\Q...\E` quotes, `[` inside a class and a `{` that
//! starts no repetition are literals, and `\<`, `\>`, `&&`, `~~` mean nothing special. The
//! "all matches" loops (find, replace, split) are Go's own, which differ from the crate's on
//! empty matches.
//!
//! As in Sprig, `regexMatch` is false for a bad pattern, the other non-`must` functions fail
//! as Go's `MustCompile` panic does, and the `must` ones return Go's compile error.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};

use super::format::{MAX_OUTPUT, strs, want_int, want_str};
use super::{Func, Result, arity};
use crate::helm::value::Value;

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("regexMatch", regex_match),
    ("mustRegexMatch", must_regex_match),
    ("regexFindAll", regex_find_all),
    ("mustRegexFindAll", must_regex_find_all),
    ("regexFind", regex_find),
    ("mustRegexFind", must_regex_find),
    ("regexReplaceAll", regex_replace_all),
    ("mustRegexReplaceAll", must_regex_replace_all),
    ("regexReplaceAllLiteral", regex_replace_all_literal),
    ("mustRegexReplaceAllLiteral", must_regex_replace_all_literal),
    ("regexSplit", regex_split),
    ("mustRegexSplit", must_regex_split),
    ("regexQuoteMeta", regex_quote_meta),
];

/// Whether a failed compile reads as Go's `MustCompile` panic or as its returned error.
#[derive(Clone, Copy)]
enum OnError {
    Panic,
    Return,
}

/// Compiled patterns, per thread (a `Regex` is cheap to clone): charts call the same pattern
/// in loops.
const CACHE_SIZE: usize = 256;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

fn compile(pattern: &str, on_error: OnError) -> std::result::Result<Regex, String> {
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = RegexBuilder::new(&translate(pattern))
        .octal(true)
        .size_limit(10 << 20)
        .build()
        .map_err(|e| compile_error(pattern, &e, on_error))?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(pattern.to_owned(), re.clone());
    });
    Ok(re)
}

/// Go's wording around the crate's reason (`error parsing regexp: <reason>: `<pattern>``).
fn compile_error(pattern: &str, e: &regex::Error, on_error: OnError) -> String {
    let text = e.to_string();
    let reason = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or("invalid pattern"));
    let msg = format!("error parsing regexp: {reason}: `{pattern}`");
    match on_error {
        OnError::Panic => format!("regexp: Compile(`{pattern}`): {msg}"),
        OnError::Return => msg,
    }
}

// ---- Go syntax to the crate's ----

const ASCII_DIGIT: &str = "0-9";
const ASCII_SPACE: &str = "\\t\\n\\f\\r ";
const ASCII_WORD: &str = "0-9A-Za-z_";

/// Rewrites a Go RE2 pattern into the crate's syntax with the same meaning.
fn translate(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => i = translate_escape(&chars, i, in_class, &mut out),
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // A `]` first in a class is a literal.
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '[' if chars.get(i) == Some(&':') => {
                // `[:alpha:]` inside a class.
                match chars[i..].windows(2).position(|w| w == [':', ']']) {
                    Some(end) => {
                        out.push('[');
                        out.extend(&chars[i..i + end + 2]);
                        i += end + 2;
                    }
                    None => out.push_str("\\["),
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && chars.get(i) == Some(&'-') => out.push_str("\\-"),
            '{' if !in_class && !is_repeat(&chars[i..]) => out.push_str("\\{"),
            c => out.push(c),
        }
    }
    out
}

/// The escape after a backslash at `chars[i - 1]`; returns the index after it.
fn translate_escape(chars: &[char], i: usize, in_class: bool, out: &mut String) -> usize {
    let Some(&e) = chars.get(i) else {
        // A trailing backslash: left for the crate to reject, as Go does.
        out.push('\\');
        return i;
    };
    let class = |set: &str, negated: bool, out: &mut String| match (in_class, negated) {
        (true, false) => out.push_str(set),
        (_, true) => out.push_str(&format!("[^{set}]")),
        (false, false) => out.push_str(&format!("[{set}]")),
    };
    match e {
        'd' | 'D' => class(ASCII_DIGIT, e == 'D', out),
        's' | 'S' => class(ASCII_SPACE, e == 'S', out),
        'w' | 'W' => class(ASCII_WORD, e == 'W', out),
        'b' | 'B' if !in_class => {
            out.push_str(if e == 'b' { "(?-u:\\b)" } else { "(?-u:\\B)" });
        }
        '<' | '>' => out.push(e),
        'Q' => {
            let rest = &chars[i + 1..];
            let end = rest.windows(2).position(|w| w == ['\\', 'E']).unwrap_or(rest.len());
            for c in &rest[..end] {
                push_literal(*c, out);
            }
            // Past `\E`, if there was one.
            return (i + 1 + end + 2).min(chars.len());
        }
        e => {
            out.push('\\');
            out.push(e);
        }
    }
    i + 1
}

fn push_literal(c: char, out: &mut String) {
    if regex_syntax_meta(c) {
        out.push('\\');
    }
    out.push(c);
}

fn regex_syntax_meta(c: char) -> bool {
    "\\.+*?()|[]{}^$#&-~".contains(c)
}

/// `{n}`, `{n,}` or `{n,m}` follows: a repetition, else Go reads `{` as a literal.
fn is_repeat(rest: &[char]) -> bool {
    let Some(close) = rest.iter().position(|c| *c == '}') else {
        return false;
    };
    let body: String = rest[..close].iter().collect();
    let (min, max) = match body.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (body.as_str(), None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(min) && max.is_none_or(|m| m.is_empty() || digits(m))
}

// ---- Go's match loops ----

/// Go's `allMatches`: successive matches, an empty match right after a match skipped; at most
/// `n` (`n < 0`: all).
fn all_matches(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut prev_end: Option<usize> = None;
    while out.len() < limit && pos <= s.len() {
        let Some(m) = re.find_at(s, pos) else {
            break;
        };
        let accept = !(m.end() == m.start() && Some(m.start()) == prev_end);
        if m.end() == pos {
            pos += next_width(s, pos);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            out.push((m.start(), m.end()));
        }
    }
    out
}

/// Width of the rune at `pos`, 1 at the end (to step past it).
fn next_width(s: &str, pos: usize) -> usize {
    s[pos..].chars().next().map_or(1, char::len_utf8)
}

fn find_all(re: &Regex, s: &str, n: i64) -> Value {
    if n == 0 {
        return Value::strings(Vec::new());
    }
    Value::strings(all_matches(re, s, n).into_iter().map(|(a, b)| s[a..b].to_owned()))
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, s: &str, n: i64) -> Value {
    if n == 0 {
        return Value::strings(Vec::new());
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return Value::strings([String::new()]);
    }
    let limit = usize::try_from(n).ok();
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for (a, b) in all_matches(re, s, n) {
        if limit.is_some_and(|l| parts.len() == l - 1) {
            break;
        }
        end = a;
        if b != 0 {
            parts.push(s[beg..end].to_owned());
        }
        beg = b;
    }
    if end != s.len() {
        parts.push(s[beg..].to_owned());
    }
    Value::strings(parts)
}

/// Go's `replaceAll`: no replacement for an empty match right after a match.
fn replace_all(re: &Regex, src: &str, repl: &dyn Fn(&regex::Captures, &mut String)) -> Result {
    let mut out = String::with_capacity(src.len());
    let mut last_end = 0usize;
    let mut search = 0usize;
    while search <= src.len() {
        let Some(caps) = re.captures_at(src, search) else {
            break;
        };
        let Some(m) = caps.get(0) else {
            break;
        };
        out.push_str(&src[last_end..m.start()]);
        if m.end() > last_end || m.start() == 0 {
            repl(&caps, &mut out);
        }
        if out.len() > MAX_OUTPUT {
            return Err(format!("result longer than {MAX_OUTPUT} bytes"));
        }
        last_end = m.end();
        let width = src[search..].chars().next().map_or(0, char::len_utf8);
        if search + width > m.end() {
            search += width;
        } else if search + 1 > m.end() {
            search += 1;
        } else {
            search = m.end();
        }
    }
    out.push_str(&src[last_end..]);
    Ok(Value::str(out))
}

/// Go's `Regexp.Expand`: `$name` takes the longest run of letters, digits and `_` (`$1a` is the
/// group named `1a`), `${name}` is explicit, `$$` is `$`, an unknown group is empty and a
/// malformed reference is kept as text.
fn expand(template: &str, caps: &regex::Captures, re: &Regex, out: &mut String) {
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let Some((name, after)) = group_reference(rest) else {
            out.push('$');
            continue;
        };
        rest = after;
        let group = match group_number(name) {
            Some(n) => caps.get(n),
            None => re
                .capture_names()
                .position(|n| n == Some(name))
                .and_then(|i| caps.get(i)),
        };
        if let Some(g) = group {
            out.push_str(g.as_str());
        }
    }
    out.push_str(rest);
}

/// The name after `$` (braced or not) and the text after the reference.
fn group_reference(s: &str) -> Option<(&str, &str)> {
    let (body, braced) = match s.strip_prefix('{') {
        Some(b) => (b, true),
        None => (s, false),
    };
    let len: usize = body
        .chars()
        .take_while(|c| c.is_alphabetic() || c.is_numeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let (name, after) = body.split_at(len);
    if braced {
        return after.strip_prefix('}').map(|a| (name, a));
    }
    Some((name, after))
}

/// A group index: ASCII digits without a leading zero, below 1e8.
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || (name.len() > 1 && name.starts_with('0')) {
        return None;
    }
    name.parse().ok().filter(|n| *n < 100_000_000)
}

// ---- the functions ----

fn regex_match(args: &[Value]) -> Result {
    let [pattern, s] = strs(args)?;
    Ok(Value::Bool(
        compile(pattern, OnError::Return).is_ok_and(|re| re.is_match(s)),
    ))
}

fn must_regex_match(args: &[Value]) -> Result {
    let [pattern, s] = strs(args)?;
    Ok(Value::Bool(compile(pattern, OnError::Return)?.is_match(s)))
}

fn find_all_with(args: &[Value], on_error: OnError) -> Result {
    arity(args, 3)?;
    let pattern = want_str(&args[0])?;
    let s = want_str(&args[1])?;
    let n = want_int(&args[2])?;
    Ok(find_all(&compile(pattern, on_error)?, s, n))
}

fn regex_find_all(args: &[Value]) -> Result {
    find_all_with(args, OnError::Panic)
}

fn must_regex_find_all(args: &[Value]) -> Result {
    find_all_with(args, OnError::Return)
}

fn find_with(args: &[Value], on_error: OnError) -> Result {
    let [pattern, s] = strs(args)?;
    let re = compile(pattern, on_error)?;
    Ok(Value::str(re.find(s).map_or("", |m| m.as_str())))
}

fn regex_find(args: &[Value]) -> Result {
    find_with(args, OnError::Panic)
}

fn must_regex_find(args: &[Value]) -> Result {
    find_with(args, OnError::Return)
}

fn replace_with(args: &[Value], on_error: OnError, literal: bool) -> Result {
    let [pattern, s, repl] = strs(args)?;
    let re = compile(pattern, on_error)?;
    if literal {
        replace_all(&re, s, &|_, out| out.push_str(repl))
    } else {
        replace_all(&re, s, &|caps, out| expand(repl, caps, &re, out))
    }
}

fn regex_replace_all(args: &[Value]) -> Result {
    replace_with(args, OnError::Panic, false)
}

fn must_regex_replace_all(args: &[Value]) -> Result {
    replace_with(args, OnError::Return, false)
}

fn regex_replace_all_literal(args: &[Value]) -> Result {
    replace_with(args, OnError::Panic, true)
}

fn must_regex_replace_all_literal(args: &[Value]) -> Result {
    replace_with(args, OnError::Return, true)
}

fn split_with(args: &[Value], on_error: OnError) -> Result {
    arity(args, 3)?;
    let pattern = want_str(&args[0])?;
    let s = want_str(&args[1])?;
    let n = want_int(&args[2])?;
    Ok(split(&compile(pattern, on_error)?, s, n))
}

fn regex_split(args: &[Value]) -> Result {
    split_with(args, OnError::Panic)
}

fn must_regex_split(args: &[Value]) -> Result {
    split_with(args, OnError::Return)
}

/// Go's `QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn regex_quote_meta(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::funcs::testing::{i, out_of as call, s};
    use crate::helm::value::go_string;

    #[test]
    fn empty_matches_follow_go() {
        assert_eq!(call(regex_find_all, &[s("a*"), s("baaab"), i(-1)]), "[ aaa ]");
        assert_eq!(call(regex_replace_all, &[s("a*"), s("baaab"), s("-")]), "-b-b-");
        assert_eq!(call(regex_split, &[s("a*"), s("baaab"), i(-1)]), "[b b]");
        assert_eq!(call(regex_split, &[s("x*"), s("abc"), i(-1)]), "[a b c]");
        assert_eq!(call(regex_split, &[s(","), s("a,b,,c,"), i(2)]), "[a b,,c,]");
        assert!(regex_split(&[s(","), s(""), i(-1)]).unwrap().truth());
        assert_eq!(call(regex_split, &[s(""), s(""), i(-1)]), "[]");
        assert!(!regex_split(&[s(""), s(""), i(-1)]).unwrap().truth());
        assert!(!regex_split(&[s(","), s("a,b"), i(0)]).unwrap().truth());
        assert_eq!(call(regex_split, &[s(""), s("abc"), i(-1)]), "[a b c]");
        assert_eq!(call(regex_split, &[s("b"), s("abc"), i(1)]), "[abc]");
    }

    #[test]
    fn expansion_follows_go() {
        assert_eq!(
            call(
                regex_replace_all,
                &[s("(a)(b)?"), s("ab a"), s("[$1|$2|$1a|${1}a|$$|$x|${|$}|$0|$01]")]
            ),
            "[a|b||aa|$||${|$}|ab|] [a|||aa|$||${|$}|a|]"
        );
        assert_eq!(
            call(regex_replace_all, &[s("(?P<n>\\w+)"), s("hi yo"), s("<${n}>")]),
            "<hi> <yo>"
        );
        assert_eq!(call(regex_replace_all_literal, &[s("a"), s("aa"), s("$1")]), "$1$1");
    }

    #[test]
    fn go_syntax_is_translated() {
        let m = |p: &str, x: &str| call(regex_match, &[s(p), s(x)]);
        assert_eq!(m("\\d+", "x١٢"), "false");
        assert_eq!(m("^\\w+$", "héllo"), "false");
        assert_eq!(m("\\bé", " é"), "false");
        assert_eq!(call(regex_find, &[s("\\s+"), s("a\u{b}b  c")]), "  ");
        assert_eq!(m("a{", "a{"), "true");
        assert_eq!(m("[[a]", "["), "true");
        assert_eq!(m("\\<", "<"), "true");
        assert_eq!(m("\\Qa.b\\E", "a.b"), "true");
        assert_eq!(m("\\Qa.b\\E", "axb"), "false");
        assert_eq!(m("[a&&b]", "&"), "true");
        assert_eq!(m("\\101", "A"), "true");
        assert_eq!(m("(?i)ǅ", "ǆ"), "true");
        assert_eq!(m("[[:alpha:]]+x{2}", "abxx"), "true");
        assert_eq!(m("[^\\d\\s]", "1 "), "false");
    }

    #[test]
    fn bad_patterns() {
        assert_eq!(call(regex_match, &[s("("), s("x")]), "false");
        assert!(
            must_regex_match(&[s("("), s("x")])
                .unwrap_err()
                .starts_with("error parsing regexp: ")
        );
        let panic = regex_find(&[s("["), s("x")]).unwrap_err();
        assert!(
            panic.starts_with("regexp: Compile(`[`): error parsing regexp: "),
            "{panic}"
        );
        assert!(must_regex_find(&[s("a{2,1}"), s("x")]).is_err());
        assert!(regex_split(&[s("("), s("x"), i(1)]).is_err());
        assert!(regex_replace_all(&[s("("), s("x"), s("")]).is_err());
    }

    #[test]
    fn finding_and_quoting() {
        assert_eq!(call(regex_find_all, &[s("a"), s("aaaa"), i(2)]), "[a a]");
        assert_eq!(call(regex_find_all, &[s("a"), s("aaaa"), i(0)]), "[]");
        let none = regex_find_all(&[s("z"), s("aaaa"), i(-1)]).unwrap();
        assert_eq!(go_string(&none), "[]");
        assert_eq!(none.type_name(), "[]string");
        assert_eq!(call(regex_find, &[s("z"), s("a")]), "");
        assert_eq!(
            call(regex_quote_meta, &[s("a.b*c[d]$^{}()|+?\\-é")]),
            "a\\.b\\*c\\[d\\]\\$\\^\\{\\}\\(\\)\\|\\+\\?\\\\-é"
        );
    }
}
