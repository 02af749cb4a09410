//! Sprig's string functions (Masterminds/sprig v3.3.0 with goutils v1.1.1 and xstrings v1.5.0)
//! and Go `text/template`'s `html`, `js` and `urlquery` escapers.
//!
//! Several Sprig functions work on bytes, not runes (`trunc`, `substr`, `abbrev`, `initials`,
//! `nospace`, `wrapWith`): Go may then cut a multi-byte character and emit invalid UTF-8, which a
//! Rust string cannot hold, so a cut character becomes U+FFFD here. `initials` and `nospace`
//! read each byte as a Latin-1 character, as goutils does (`nospace "é à"` is `Ã©Ã`).
//!
//! Case mapping is Go's one-rune-to-one-rune mapping (`upper "ß"` stays `ß`), taken from Rust's
//! tables where they agree; character classes (letter, upper case, punctuation) come from
//! Rust's Unicode properties, which differ from Go's categories only on rare code points.

use std::collections::BTreeMap;

use super::format::{MAX_OUTPUT, go_quote, is_print, sprint, strs, want_int, want_str};
use super::{Func, Result, arity, strval};
use crate::helm::value::{ListType, Value, go_string};

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("abbrev", abbrev),
    ("abbrevboth", abbrevboth),
    ("trunc", trunc),
    ("trim", trim),
    ("upper", upper),
    ("lower", lower),
    ("title", title),
    ("untitle", untitle),
    ("substr", substr),
    ("repeat", repeat),
    ("trimall", trim_all),
    ("trimAll", trim_all),
    ("trimSuffix", trim_suffix),
    ("trimPrefix", trim_prefix),
    ("nospace", nospace),
    ("initials", initials),
    ("swapcase", swapcase),
    ("shuffle", shuffle),
    ("snakecase", snakecase),
    ("camelcase", camelcase),
    ("kebabcase", kebabcase),
    ("wrap", wrap),
    ("wrapWith", wrap_with),
    ("contains", contains),
    ("hasPrefix", has_prefix),
    ("hasSuffix", has_suffix),
    ("quote", quote),
    ("squote", squote),
    ("cat", cat),
    ("indent", indent),
    ("nindent", nindent),
    ("replace", replace),
    ("plural", plural),
    ("toString", to_string),
    ("toStrings", to_strings),
    ("join", join),
    ("split", split),
    ("splitList", split_list),
    ("splitn", splitn),
    ("sortAlpha", sort_alpha),
    ("html", html),
    ("js", js),
    ("urlquery", urlquery),
];

fn ok(s: impl Into<std::rc::Rc<str>>) -> Result {
    Ok(Value::Str(s.into()))
}

/// A string no longer than [`MAX_OUTPUT`].
fn bounded(len: usize) -> std::result::Result<(), String> {
    if len > MAX_OUTPUT {
        Err(format!("result longer than {MAX_OUTPUT} bytes"))
    } else {
        Ok(())
    }
}

/// Bytes Go would keep as they are; a cut UTF-8 sequence becomes U+FFFD.
fn from_bytes(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An `(int, string)` pair of parameters.
fn int_str(args: &[Value]) -> std::result::Result<(i64, &str), String> {
    arity(args, 2)?;
    Ok((want_int(&args[0])?, want_str(&args[1])?))
}

// ---- trimming, case ----

fn trim(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(s.trim())
}

fn trim_all(args: &[Value]) -> Result {
    let [cutset, s] = strs(args)?;
    ok(s.trim_matches(|c| cutset.contains(c)))
}

fn trim_prefix(args: &[Value]) -> Result {
    let [prefix, s] = strs(args)?;
    ok(s.strip_prefix(prefix).unwrap_or(s))
}

fn trim_suffix(args: &[Value]) -> Result {
    let [suffix, s] = strs(args)?;
    ok(s.strip_suffix(suffix).unwrap_or(s))
}

fn upper(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(s.chars().map(go_upper).collect::<String>())
}

fn lower(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(s.chars().map(go_lower).collect::<String>())
}

/// Go's deprecated `strings.Title`: the first rune after a separator goes to title case.
fn title(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    let mut prev = ' ';
    let out: String = s
        .chars()
        .map(|c| {
            let mapped = if title_separator(prev) { go_title(c) } else { c };
            prev = c;
            mapped
        })
        .collect();
    ok(out)
}

fn title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

/// goutils `Uncapitalize`: the first rune of each whitespace-separated word to lower case.
fn untitle(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    let mut next = true;
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                go_lower(c)
            } else {
                c
            }
        })
        .collect();
    ok(out)
}

/// goutils `SwapCase`: upper and title case to lower, lower to upper, or to title case at the
/// start of a word.
fn swapcase(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    let mut word_start = true;
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_uppercase() || is_title_case(c) {
                word_start = false;
                go_lower(c)
            } else if c.is_lowercase() {
                if std::mem::replace(&mut word_start, false) {
                    go_title(c)
                } else {
                    go_upper(c)
                }
            } else {
                word_start = c.is_whitespace();
                c
            }
        })
        .collect();
    ok(out)
}

/// Sprig's `shuffle` permutes the runes at random; snaplint's output must be reproducible, so
/// the string comes back unchanged (same length and characters, the shape YAML sees).
fn shuffle(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(s)
}

/// Go's `unicode.ToUpper`: one rune to one rune, so a rune whose upper case is several
/// (`ß`) stays.
pub(super) fn go_upper(c: char) -> char {
    single(c.to_uppercase()).unwrap_or(c)
}

pub(super) fn go_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    single(c.to_lowercase()).unwrap_or(c)
}

fn go_title(c: char) -> char {
    match c {
        '\u{1c4}'..='\u{1c6}' => '\u{1c5}',
        '\u{1c7}'..='\u{1c9}' => '\u{1c8}',
        '\u{1ca}'..='\u{1cc}' => '\u{1cb}',
        '\u{1f1}'..='\u{1f3}' => '\u{1f2}',
        _ => go_upper(c),
    }
}

fn is_title_case(c: char) -> bool {
    matches!(
        c,
        '\u{1c5}'
            | '\u{1c8}'
            | '\u{1cb}'
            | '\u{1f2}'
            | '\u{1f88}'..='\u{1f8f}'
            | '\u{1f98}'..='\u{1f9f}'
            | '\u{1fa8}'..='\u{1faf}'
            | '\u{1fbc}'
            | '\u{1fcc}'
            | '\u{1ffc}'
    )
}

fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

/// Go's `unicode.IsPunct` (category P): exact for ASCII, the common blocks elsewhere.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return "!\"#%&'()*,-./:;?@[\\]_{}".contains(c);
    }
    matches!(
        c as u32,
        0xa1 | 0xa7
            | 0xab
            | 0xb6
            | 0xb7
            | 0xbb
            | 0xbf
            | 0x37e
            | 0x387
            | 0x2010..=0x2027
            | 0x2030..=0x2043
            | 0x2045..=0x2051
            | 0x2053..=0x205e
            | 0x3001..=0x3003
            | 0x3008..=0x3011
            | 0x3014..=0x301f
            | 0xff01..=0xff03
            | 0xff05..=0xff0a
            | 0xff0c..=0xff0f
            | 0xff1a..=0xff1b
            | 0xff1f..=0xff20
            | 0xff3b..=0xff3d
            | 0xff3f
            | 0xff5b
            | 0xff5d
            | 0xff5f..=0xff65
    )
}

// ---- byte-indexed cutting ----

/// Sprig's `trunc`: the first `c` bytes, or for a negative `c` the last `-c`.
fn trunc(args: &[Value]) -> Result {
    let (c, s) = int_str(args)?;
    let b = s.as_bytes();
    let len = b.len() as i64;
    if c < 0 && len + c > 0 {
        return ok(from_bytes(&b[(len + c) as usize..]));
    }
    if c >= 0 && len > c {
        return ok(from_bytes(&b[..c as usize]));
    }
    ok(s)
}

/// Sprig's `substr`: a negative start means from 0, a negative or too-large end means to the
/// end; other bad bounds are Go's slice panic, which Helm reports as an error.
fn substr(args: &[Value]) -> Result {
    arity(args, 3)?;
    let start = want_int(&args[0])?;
    let end = want_int(&args[1])?;
    let s = want_str(&args[2])?;
    let b = s.as_bytes();
    let len = b.len() as i64;
    let oob = |what: String| Err(format!("runtime error: slice bounds out of range {what}"));
    if start < 0 {
        if end < 0 {
            return oob(format!("[:{end}]"));
        }
        if end > len {
            return oob(format!("[:{end}] with length {len}"));
        }
        return ok(from_bytes(&b[..end as usize]));
    }
    if end < 0 || end > len {
        if start > len {
            return oob(format!("[{start}:{len}]"));
        }
        return ok(from_bytes(&b[start as usize..]));
    }
    if start > end {
        return oob(format!("[{start}:{end}]"));
    }
    ok(from_bytes(&b[start as usize..end as usize]))
}

fn abbrev(args: &[Value]) -> Result {
    let (width, s) = int_str(args)?;
    if width < 4 {
        return ok(s);
    }
    ok(from_bytes(&abbreviate(s.as_bytes(), 0, width)))
}

fn abbrevboth(args: &[Value]) -> Result {
    arity(args, 3)?;
    let left = want_int(&args[0])?;
    let right = want_int(&args[1])?;
    let s = want_str(&args[2])?;
    if right < 4 || left > 0 && right < 7 {
        return ok(s);
    }
    ok(from_bytes(&abbreviate(s.as_bytes(), left, right)))
}

/// goutils `AbbreviateFull` on bytes; its errors (width too small) give "", as Sprig drops
/// them.
fn abbreviate(s: &[u8], offset: i64, max_width: i64) -> Vec<u8> {
    let len = s.len() as i64;
    if s.is_empty() || max_width < 4 {
        return Vec::new();
    }
    if len <= max_width {
        return s.to_vec();
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    let marker = b"...";
    if offset <= 4 {
        return [&s[..(max_width - 3) as usize], marker].concat();
    }
    if max_width < 7 {
        return Vec::new();
    }
    if offset + max_width - 3 < len {
        let rest = abbreviate(&s[offset as usize..], 0, max_width - 3);
        return [marker.as_slice(), &rest].concat();
    }
    [marker.as_slice(), &s[(len - (max_width - 3)) as usize..]].concat()
}

/// Go's `unicode.IsSpace` on a byte read as a Latin-1 rune.
fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// goutils `DeleteWhiteSpace`, byte by byte: unchanged if no byte is a space, else each kept
/// byte as a Latin-1 character.
fn nospace(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    if !s.bytes().any(is_space_byte) {
        return ok(s);
    }
    ok(s.bytes()
        .filter(|b| !is_space_byte(*b))
        .map(char::from)
        .collect::<String>())
}

/// goutils `Initials`: the first byte of each whitespace-separated word, as a Latin-1
/// character.
fn initials(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    let mut out = String::new();
    let mut gap = true;
    for b in s.bytes() {
        if is_space_byte(b) {
            gap = true;
        } else if gap {
            out.push(char::from(b));
            gap = false;
        }
    }
    ok(out)
}

fn wrap(args: &[Value]) -> Result {
    let (width, s) = int_str(args)?;
    wrap_custom(s, width, "\n", false).map(Value::str)
}

fn wrap_with(args: &[Value]) -> Result {
    arity(args, 3)?;
    let width = want_int(&args[0])?;
    let sep = want_str(&args[1])?;
    let s = want_str(&args[2])?;
    wrap_custom(s, width, sep, true).map(Value::str)
}

/// goutils `WrapCustom` on bytes: break at the last space within the width; a longer word is
/// cut (`long_words`) or kept whole up to its next space. Leading spaces of a line go.
fn wrap_custom(s: &str, width: i64, sep: &str, long_words: bool) -> std::result::Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let sep = if sep.is_empty() { "\n" } else { sep };
    let width = usize::try_from(width.max(1)).unwrap_or(usize::MAX).min(s.len() + 1);
    let b = s.as_bytes();
    let len = b.len();
    let mut out: Vec<u8> = Vec::new();
    let mut offset = 0usize;
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        match b[offset..end].iter().rposition(|c| *c == b' ') {
            Some(space) => {
                out.extend_from_slice(&b[offset..offset + space]);
                out.extend_from_slice(sep.as_bytes());
                offset += space + 1;
            }
            None if long_words => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(sep.as_bytes());
                offset += width;
            }
            None => match b[offset + width..].iter().position(|c| *c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    let space = offset + width + i;
                    out.extend_from_slice(&b[offset..space]);
                    out.extend_from_slice(sep.as_bytes());
                    offset = space + 1;
                }
            },
        }
        bounded(out.len())?;
    }
    out.extend_from_slice(&b[offset..]);
    Ok(from_bytes(&out))
}

// ---- predicates, building ----

fn contains(args: &[Value]) -> Result {
    let [sub, s] = strs(args)?;
    Ok(Value::Bool(s.contains(sub)))
}

fn has_prefix(args: &[Value]) -> Result {
    let [prefix, s] = strs(args)?;
    Ok(Value::Bool(s.starts_with(prefix)))
}

fn has_suffix(args: &[Value]) -> Result {
    let [suffix, s] = strs(args)?;
    Ok(Value::Bool(s.ends_with(suffix)))
}

fn repeat(args: &[Value]) -> Result {
    let (count, s) = int_str(args)?;
    let count = usize::try_from(count).map_err(|_| "strings: negative Repeat count".to_owned())?;
    bounded(count.saturating_mul(s.len()))?;
    ok(s.repeat(count))
}

/// Each non-nil argument `strval`'d and `%q`-quoted, joined by spaces.
fn quote(args: &[Value]) -> Result {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !a.is_nil())
        .map(|a| go_quote(&strval(a), false))
        .collect();
    ok(parts.join(" "))
}

fn squote(args: &[Value]) -> Result {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !a.is_nil())
        .map(|a| format!("'{}'", go_string(a)))
        .collect();
    ok(parts.join(" "))
}

fn cat(args: &[Value]) -> Result {
    let parts: Vec<String> = args.iter().filter(|a| !a.is_nil()).map(go_string).collect();
    ok(parts.join(" "))
}

fn indent_str(spaces: i64, s: &str) -> std::result::Result<String, String> {
    let spaces = usize::try_from(spaces).map_err(|_| "strings: negative Repeat count".to_owned())?;
    let lines = s.bytes().filter(|b| *b == b'\n').count() + 1;
    bounded(spaces.saturating_mul(lines).saturating_add(s.len()))?;
    let pad = " ".repeat(spaces);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

fn indent(args: &[Value]) -> Result {
    let (spaces, s) = int_str(args)?;
    indent_str(spaces, s).map(Value::str)
}

fn nindent(args: &[Value]) -> Result {
    let (spaces, s) = int_str(args)?;
    indent_str(spaces, s).map(|s| Value::str(format!("\n{s}")))
}

fn replace(args: &[Value]) -> Result {
    let [old, new, src] = strs(args)?;
    let hits = if old.is_empty() {
        src.chars().count() + 1
    } else {
        src.matches(old).count()
    };
    bounded(hits.saturating_mul(new.len()).saturating_add(src.len()))?;
    ok(src.replace(old, new))
}

fn plural(args: &[Value]) -> Result {
    arity(args, 3)?;
    let one = want_str(&args[0])?;
    let many = want_str(&args[1])?;
    let count = want_int(&args[2])?;
    ok(if count == 1 { one } else { many })
}

fn to_string(args: &[Value]) -> Result {
    arity(args, 1)?;
    ok(strval(&args[0]))
}

/// Sprig's `strslice`: list elements `strval`'d with nils dropped; nil is empty; anything else
/// one string.
fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(items, _) => items.iter().filter(|i| !i.is_nil()).map(strval).collect(),
        Value::Nil | Value::NoValue => Vec::new(),
        other => vec![strval(other)],
    }
}

fn to_strings(args: &[Value]) -> Result {
    arity(args, 1)?;
    Ok(Value::strings(strslice(&args[0])))
}

fn join(args: &[Value]) -> Result {
    arity(args, 2)?;
    let sep = want_str(&args[0])?;
    let parts = strslice(&args[1]);
    bounded(parts.iter().map(String::len).sum::<usize>() + sep.len() * parts.len())?;
    ok(parts.join(sep))
}

fn sort_alpha(args: &[Value]) -> Result {
    arity(args, 1)?;
    let mut items = match &args[0] {
        v @ Value::List(..) => strslice(v),
        other => vec![strval(other)],
    };
    items.sort();
    Ok(Value::strings(items))
}

/// Go's `strings.SplitN` (`n < 0`: all); an empty separator splits into runes.
fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let runes = s.chars().count();
        let n = if n < 0 || n as usize > runes { runes } else { n as usize };
        let mut out: Vec<String> = s.chars().take(n.saturating_sub(1)).map(String::from).collect();
        if n > 0 {
            let used: usize = out.iter().map(String::len).sum();
            out.push(s[used..].to_owned());
        }
        return out;
    }
    if n < 0 {
        s.split(sep).map(str::to_owned).collect()
    } else {
        s.splitn(n as usize, sep).map(str::to_owned).collect()
    }
}

/// Sprig's split result: a map with keys `_0`, `_1`, ...
fn indexed_map(parts: Vec<String>) -> Value {
    let map: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::str(p)))
        .collect();
    Value::map(map)
}

fn split(args: &[Value]) -> Result {
    let [sep, s] = strs(args)?;
    Ok(indexed_map(go_split(s, sep, -1)))
}

fn splitn(args: &[Value]) -> Result {
    arity(args, 3)?;
    let sep = want_str(&args[0])?;
    let n = want_int(&args[1])?;
    let s = want_str(&args[2])?;
    Ok(indexed_map(go_split(s, sep, n)))
}

fn split_list(args: &[Value]) -> Result {
    let [sep, s] = strs(args)?;
    Ok(Value::List(
        std::rc::Rc::new(go_split(s, sep, -1).into_iter().map(Value::str).collect()),
        ListType::Strings,
    ))
}

// ---- text/template escapers ----

/// text/template's `evalArgs`: one string as it is, else `fmt.Sprint` with nil as
/// `<no value>`.
fn eval_args(args: &[Value]) -> std::result::Result<String, String> {
    if let [Value::Str(s)] = args {
        return Ok(s.to_string());
    }
    let args: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    sprint(&args)
}

fn html(args: &[Value]) -> Result {
    let s = eval_args(args)?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    ok(out)
}

fn js(args: &[Value]) -> Result {
    let s = eval_args(args)?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_ascii() || is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    ok(out)
}

fn urlquery(args: &[Value]) -> Result {
    let s = eval_args(args)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    ok(out)
}

// ---- xstrings case conversion ----

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings' `isAlphabet`: a letter that is not CJK.
fn is_alphabet(c: char) -> bool {
    if !c.is_alphabetic() {
        return false;
    }
    !matches!(c as u32, 0x4e00..=0x9fcc | 0x3400..=0x4d85 | 0x20000..=0x2b81d)
}

/// `camelcase` is xstrings `ToPascalCase`: connectors between words go, each word starts upper
/// case, and a run of upper case after a word start goes lower case.
fn camelcase(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(pascal_case(s))
}

fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut first_upper = false;
    let mut r0 = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = c.is_uppercase();
            r0 = Some(go_upper(c));
            break;
        }
        out.push(c);
        r0 = Some(c);
    }
    let Some(mut r0) = r0 else {
        return out;
    };
    let rest = chars.as_str();
    if rest.is_empty() {
        // xstrings writes the last rune again, even when it is a connector already written.
        out.push(r0);
        return out;
    }
    for c in rest.chars() {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = r0.is_uppercase();
            r0 = go_upper(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = go_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

fn snakecase(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(to_lower_case(s, '_'))
}

fn kebabcase(args: &[Value]) -> Result {
    let [s] = strs(args)?;
    ok(to_lower_case(s, '-'))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// End of input (xstrings also uses it for invalid UTF-8, which a Rust string cannot hold).
    End,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings `nextWord`: the kind and text of the next word, and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices().peekable();
    let Some((_, r)) = it.next() else {
        return (Word::End, "", "");
    };
    let mut offset = r.len_utf8();
    let mut take_while = |offset: &mut usize, keep: &dyn Fn(char) -> bool| {
        while let Some((i, c)) = it.peek().copied() {
            if !keep(c) {
                break;
            }
            *offset = i + c.len_utf8();
            it.next();
        }
    };
    let kind = if is_connector(r) {
        take_while(&mut offset, &is_connector);
        Word::Connector
    } else if is_punct(r) {
        take_while(&mut offset, &is_punct);
        Word::Punct
    } else if r.is_uppercase() {
        upper_word(s, &mut offset);
        Word::Upper
    } else if is_alphabet(r) {
        take_while(&mut offset, &|c| is_alphabet(c) && !c.is_uppercase());
        Word::Alphabet
    } else if r.is_numeric() {
        take_while(&mut offset, &char::is_numeric);
        Word::Number
    } else {
        take_while(&mut offset, &|c| {
            !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
        });
        Word::Other
    };
    (kind, &s[..offset], &s[offset..])
}

/// An upper-case word: `Word`, or an abbreviation `HTTP` that leaves the capital of a following
/// word (`HTTPServer` is `HTTP`, `Server`).
fn upper_word(s: &str, offset: &mut usize) {
    let mut chars = s[*offset..].chars();
    let Some(second) = chars.next() else {
        return;
    };
    if second.is_uppercase() {
        let mut prev_size = second.len_utf8();
        *offset += prev_size;
        let mut stopped_at = None;
        for c in s[*offset..].chars() {
            if !c.is_uppercase() {
                stopped_at = Some(c);
                break;
            }
            prev_size = c.len_utf8();
            *offset += prev_size;
        }
        if stopped_at.is_some_and(is_alphabet) {
            *offset -= prev_size;
        }
    } else if is_alphabet(second) {
        *offset += second.len_utf8();
        for c in s[*offset..].chars() {
            if !is_alphabet(c) || c.is_uppercase() {
                break;
            }
            *offset += c.len_utf8();
        }
    }
}

/// xstrings `toLower`: upper-case and connector words are rewritten, others copied.
fn push_lower(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.push(go_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (snake and kebab case): words joined by the connector,
/// a number kept with the word before it unless lower-case letters follow it.
fn to_lower_case(s: &str, connector: char) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    let (mut kind, mut word, mut rest) = next_word(s);
    let sep_before = |k: Word| k != Word::Connector && k != Word::Punct;
    while !rest.is_empty() {
        if kind != Word::Connector {
            push_lower(&mut out, kind, word, connector);
        }
        let prev = kind;
        let last = word;
        (kind, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while kind == Word::Alphabet || kind == Word::Number {
                    push_lower(&mut out, kind, word, connector);
                    (kind, word, rest) = next_word(rest);
                }
                if kind != Word::End && sep_before(kind) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if kind != Word::Number {
                    if sep_before(kind) {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let number = word;
                (kind, word, rest) = next_word(rest);
                if kind != Word::Alphabet {
                    push_lower(&mut out, Word::Number, number, connector);
                    if sep_before(kind) {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Word::Number, number, connector);
                while kind == Word::Alphabet || kind == Word::Number {
                    push_lower(&mut out, kind, word, connector);
                    (kind, word, rest) = next_word(rest);
                }
                if kind != Word::End && sep_before(kind) {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, kind, word, connector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::funcs::testing::{err_of as err, i, out_of as call, s};

    #[test]
    fn substr_and_trunc_cut_bytes() {
        assert_eq!(call(substr, &[i(-1), i(2), s("abc")]), "ab");
        assert_eq!(call(substr, &[i(1), i(-1), s("abc")]), "bc");
        assert_eq!(call(substr, &[i(1), i(10), s("abc")]), "bc");
        // Helm: bytes "h\xc3" (b64 aMM=).
        assert_eq!(call(substr, &[i(0), i(2), s("héllo")]), "h\u{FFFD}");
        assert_eq!(
            err(substr, &[i(5), i(10), s("abc")]),
            "runtime error: slice bounds out of range [5:3]"
        );
        assert_eq!(
            err(substr, &[i(-1), i(10), s("abc")]),
            "runtime error: slice bounds out of range [:10] with length 3"
        );
        assert_eq!(
            err(substr, &[i(2), i(1), s("abc")]),
            "runtime error: slice bounds out of range [2:1]"
        );
        assert_eq!(call(trunc, &[i(3), s("abcdef")]), "abc");
        assert_eq!(call(trunc, &[i(-2), s("abcdef")]), "ef");
        assert_eq!(call(trunc, &[i(-10), s("abc")]), "abc");
        assert_eq!(call(trunc, &[i(10), s("abc")]), "abc");
        assert_eq!(call(trunc, &[i(0), s("abc")]), "");
        assert_eq!(call(trunc, &[i(2), s("éa")]), "é");
    }

    #[test]
    fn typed_parameters_are_checked() {
        assert_eq!(err(upper, &[i(1)]), "wrong type for value; expected string; got int64");
        assert_eq!(err(upper, &[Value::NoValue]), "invalid value; expected string");
        assert_eq!(
            err(trunc, &[Value::Float(2.0), s("abc")]),
            "wrong type for value; expected int; got float64"
        );
        assert_eq!(err(upper, &[s("a"), s("b")]), "wrong number of args: want 1 got 2");
        assert_eq!(err(repeat, &[i(-1), s("a")]), "strings: negative Repeat count");
        assert_eq!(err(indent, &[i(-1), s("a")]), "strings: negative Repeat count");
        assert!(repeat(&[i(1 << 40), s("ab")]).is_err());
        assert!(indent(&[i(1 << 30), s("a\nb")]).is_err());
    }

    #[test]
    fn abbreviations() {
        assert_eq!(call(abbrev, &[i(5), s("hello world")]), "he...");
        assert_eq!(call(abbrev, &[i(3), s("hello")]), "hello");
        assert_eq!(call(abbrev, &[i(20), s("hello")]), "hello");
        let long = s("1234567890abcdefghij");
        assert_eq!(call(abbrevboth, &[i(5), i(10), long.clone()]), "...6789...");
        assert_eq!(call(abbrevboth, &[i(0), i(6), s("1234567890")]), "123...");
        assert_eq!(call(abbrevboth, &[i(1), i(6), s("1234567890")]), "1234567890");
        assert_eq!(call(abbrevboth, &[i(20), i(10), long]), "...defghij");
        assert_eq!(call(abbrevboth, &[i(3), i(8), s("1234567890abc")]), "12345...");
        assert_eq!(call(abbrevboth, &[i(10), i(8), s("1234567890abc")]), "...90abc");
    }

    #[test]
    fn byte_wise_goutils_functions() {
        assert_eq!(call(initials, &[s("hello big world")]), "hbw");
        assert_eq!(call(initials, &[s(" a  b")]), "ab");
        assert_eq!(call(initials, &[s("élan vital")]), "Ãv");
        assert_eq!(call(nospace, &[s("a b\tc\n d")]), "abcd");
        assert_eq!(call(nospace, &[s("é à")]), "Ã©Ã");
        assert_eq!(call(nospace, &[s("éà")]), "Ã©Ã");
    }

    #[test]
    fn case_functions() {
        assert_eq!(
            call(title, &[s("hello wORLD foo_bar x-y 1a é")]),
            "Hello WORLD Foo_bar X-Y 1a É"
        );
        assert_eq!(call(untitle, &[s("Hello World  ABC")]), "hello world  aBC");
        assert_eq!(call(swapcase, &[s("Hello wORLD ǅx")]), "hELLO World ǆX");
        assert_eq!(call(upper, &[s("straße ǆ")]), "STRAßE Ǆ");
        assert_eq!(call(lower, &[s("İSTANBUL ÀB")]), "istanbul àb");
        assert_eq!(call(shuffle, &[s("abc")]), "abc");
    }

    #[test]
    fn xstrings_conversions() {
        let camel = |x: &str| call(camelcase, &[s(x)]);
        assert_eq!(camel("___"), "____");
        assert_eq!(camel("a"), "A");
        assert_eq!(camel("GOLANG_IS_GREAT"), "GolangIsGreat");
        assert_eq!(camel("some words-here_x"), "SomeWordsHereX");
        assert_eq!(camel("_complex__case_"), "_Complex_Case_");
        assert_eq!(camel("httpServer"), "HttpServer");
        assert_eq!(camel(""), "");
        assert_eq!(camel("  a"), "  A");
        let snake = |x: &str| call(snakecase, &[s(x)]);
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("FirstName"), "first_name");
        assert_eq!(snake("NoHTTPS"), "no_https");
        assert_eq!(snake("GO PATH"), "go_path");
        assert_eq!(snake("http2xx"), "http_2xx");
        assert_eq!(snake("HTTP20xOK"), "http_20x_ok");
        assert_eq!(snake("Duration2m3s"), "duration_2m3s");
        assert_eq!(snake("Bld4Floor3rd"), "bld4_floor_3rd");
        assert_eq!(snake("a.b-C__d  E"), "a.b_c__d__e");
        assert_eq!(snake("ABC"), "abc");
        assert_eq!(snake("x1y"), "x_1y");
        assert_eq!(snake("já Óla"), "já_óla");
        let kebab = |x: &str| call(kebabcase, &[s(x)]);
        assert_eq!(kebab("HTTPServer"), "http-server");
        assert_eq!(kebab("myApp_name Here"), "my-app-name-here");
        assert_eq!(kebab("--x--"), "--x--");
        assert_eq!(kebab("a1"), "a1");
        assert_eq!(kebab("A1B"), "a1-b");
        assert_eq!(kebab("v1.2.3"), "v1.2.3");
        assert_eq!(kebab("foo$bar"), "foo-$-bar");
    }

    #[test]
    fn wrapping() {
        assert_eq!(call(wrap, &[i(5), s("hello world foo bar")]), "hello\nworld\nfoo\nbar");
        assert_eq!(call(wrap, &[i(3), s("abcdefg hi")]), "abcdefg\nhi");
        assert_eq!(call(wrap_with, &[i(5), s("<br>"), s("hello world")]), "hello<br>world");
        assert_eq!(call(wrap_with, &[i(3), s("-"), s("abcdefgh ij")]), "abc-def-gh-ij");
        assert_eq!(call(wrap, &[i(0), s("a b")]), "a\nb");
        assert_eq!(
            call(wrap, &[i(10), s("   leading spaces here")]),
            "leading\nspaces\nhere"
        );
    }

    #[test]
    fn trimming_and_predicates() {
        assert_eq!(call(trim, &[s("  a b \n")]), "a b");
        assert_eq!(call(trim_all, &[s("$-"), s("$-a$b-$")]), "a$b");
        assert_eq!(call(trim_all, &[s("x"), s("xxaxx")]), "a");
        assert_eq!(call(trim_prefix, &[s("ab"), s("ababc")]), "abc");
        assert_eq!(call(trim_suffix, &[s("c"), s("abcc")]), "abc");
        assert_eq!(call(contains, &[s("b"), s("abc")]), "true");
        assert_eq!(call(has_prefix, &[s("a"), s("abc")]), "true");
        assert_eq!(call(has_suffix, &[s("x"), s("abc")]), "false");
    }

    #[test]
    fn building_strings() {
        assert_eq!(call(indent, &[i(2), s("a\nb\n")]), "  a\n  b\n  ");
        assert_eq!(call(nindent, &[i(2), s("a")]), "\n  a");
        assert_eq!(call(replace, &[s(""), s("-"), s("abc")]), "-a-b-c-");
        assert_eq!(call(replace, &[s("a"), s("b"), s("aaa")]), "bbb");
        assert_eq!(call(plural, &[s("one"), s("many"), i(1)]), "one");
        assert_eq!(call(plural, &[s("one"), s("many"), i(0)]), "many");
        assert_eq!(call(repeat, &[i(3), s("ab")]), "ababab");
        assert_eq!(call(to_string, &[Value::Float(1.5)]), "1.5");
        assert_eq!(call(to_string, &[Value::Nil]), "<nil>");
        assert_eq!(call(to_string, &[Value::list(vec![i(1)])]), "[1]");
        let l12 = Value::list(vec![i(1), i(2)]);
        assert_eq!(
            call(quote, &[s("a"), i(1), Value::Nil, Value::NoValue, l12, s("é\n")]),
            "\"a\" \"1\" \"[1 2]\" \"é\\n\""
        );
        let l1b = Value::list(vec![i(1), s("b")]);
        assert_eq!(call(squote, &[s("a"), i(1), Value::Nil, l1b]), "'a' '1' '[1 b]'");
        let l1 = Value::list(vec![i(1)]);
        assert_eq!(call(cat, &[s("a"), Value::Nil, i(1), Value::NoValue, l1]), "a 1 [1]");
    }

    #[test]
    fn lists_of_strings() {
        let mixed = Value::list(vec![i(1), Value::Nil, i(2), s("x")]);
        assert_eq!(call(join, &[s(","), mixed]), "1,2,x");
        assert_eq!(call(join, &[s(","), s("abc")]), "abc");
        assert_eq!(call(join, &[s(","), Value::Nil]), "");
        assert_eq!(call(join, &[s(","), i(5)]), "5");
        let unsorted = Value::list(vec![s("b"), i(1), s("a"), Value::Nil]);
        assert_eq!(call(sort_alpha, &[unsorted]), "[1 a b]");
        assert_eq!(call(sort_alpha, &[s("x")]), "[x]");
        assert_eq!(call(sort_alpha, &[Value::Nil]), "[<nil>]");
        let m = Value::map(BTreeMap::from([
            ("a".to_owned(), Value::Float(1.0)),
            ("b".to_owned(), s("x")),
        ]));
        assert_eq!(call(sort_alpha, &[m]), "[map[a:1 b:x]]");
        let strs = to_strings(&[Value::list(vec![i(1), Value::Nil, s("a"), Value::Float(1.5)])]).unwrap();
        assert_eq!(go_string(&strs), "[1 a 1.5]");
        assert_eq!(strs.type_name(), "[]string");
        assert_eq!(go_string(&to_strings(&[Value::Nil]).unwrap()), "[]");
        assert_eq!(go_string(&to_strings(&[s("x")]).unwrap()), "[x]");
    }

    #[test]
    fn splitting() {
        assert_eq!(call(split, &[s(""), s("abc")]), "map[_0:a _1:b _2:c]");
        assert_eq!(call(splitn, &[s(","), i(0), s("a,b")]), "map[]");
        assert_eq!(call(splitn, &[s(","), i(-1), s("a,b,c")]), "map[_0:a _1:b _2:c]");
        assert_eq!(call(splitn, &[s(","), i(2), s("a,b,c")]), "map[_0:a _1:b,c]");
        assert_eq!(call(split_list, &[s(""), s("héllo")]), "[h é l l o]");
        assert_eq!(call(splitn, &[s(""), i(2), s("abc")]), "map[_0:a _1:bc]");
        assert_eq!(call(split_list, &[s(","), s("")]), "[]");
        assert!(split_list(&[s(","), s("")]).unwrap().truth());
        assert_eq!(call(split_list, &[s(""), s("")]), "[]");
        assert!(!split_list(&[s(""), s("")]).unwrap().truth());
    }

    #[test]
    fn escapers() {
        assert_eq!(
            call(html, &[s("<a href=\"x\">&'</a>")]),
            "&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(call(html, &[i(1), s("a"), i(2)]), "1a2");
        assert_eq!(call(html, &[Value::Nil, i(1)]), "&lt;no value&gt;1");
        assert_eq!(call(html, &[Value::NoValue]), "&lt;no value&gt;");
        assert_eq!(call(html, &[s("\0")]), "\u{FFFD}");
        assert_eq!(
            call(js, &[s("<a b=\"x\">&'=`\\ é \u{2028} \t")]),
            "\\u003Ca b\\u003D\\\"x\\\"\\u003E\\u0026\\'\\u003D`\\\\ é \\u2028 \\u0009"
        );
        assert_eq!(call(js, &[Value::Nil]), "\\u003Cno value\\u003E");
        assert_eq!(call(js, &[s("\0\u{7f}\u{85}")]), "\\u0000\u{7f}\\u0085");
        assert_eq!(call(urlquery, &[s("a b&c=d/é~*")]), "a+b%26c%3Dd%2F%C3%A9~%2A");
        assert_eq!(call(urlquery, &[s("a"), s("b"), i(1)]), "ab1");
    }
}
