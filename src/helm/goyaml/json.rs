//! Go's `encoding/json` for template values: `Marshal` (sorted keys, HTML escaping, float64
//! printing, `MarshalIndent` with two spaces) and `Unmarshal` into `interface{}`-typed targets
//! with Go's error messages (`invalid character 'x' looking for beginning of value`).

use std::collections::BTreeMap;

use crate::helm::value::{Value, format_float};

/// Output bigger than this is refused: shared maps can make a value exponentially large.
pub const MAX_OUTPUT: usize = 8 << 20;

/// How snaplint's own size limits start their messages: Helm has no such limit, so these are
/// errors even where Helm turns a marshalling error into "" (`toYaml`, `toJson`).
pub const LIMIT: &str = "output over snaplint's limit: ";
/// Nesting refused past this, reported as Go reports a cycle (Go looks for cycles from depth
/// 1000 on; this bound keeps the recursion inside a 2 MiB thread stack).
const MAX_DEPTH: usize = 256;
/// Go's scanner refuses JSON nested deeper than 10000 with this message; the bound here is
/// lower for the same stack reason.
const MAX_PARSE_DEPTH: usize = 256;

/// `json.Marshal` (`escape_html`) or `json.Encoder` with `SetEscapeHTML(false)`; `indent` is
/// `MarshalIndent(v, "", "  ")`.
pub fn marshal(v: &Value, escape_html: bool, indent: bool) -> Result<String, String> {
    let mut w = Writer {
        out: String::new(),
        escape_html,
        indent,
    };
    w.value(v, 0)?;
    if w.out.len() > MAX_OUTPUT {
        return Err(format!("{LIMIT}JSON larger than {} MiB", MAX_OUTPUT >> 20));
    }
    Ok(w.out)
}

struct Writer {
    out: String,
    escape_html: bool,
    indent: bool,
}

impl Writer {
    fn value(&mut self, v: &Value, depth: usize) -> Result<(), String> {
        if self.out.len() > MAX_OUTPUT {
            return Err(format!("{LIMIT}JSON larger than {} MiB", MAX_OUTPUT >> 20));
        }
        match v {
            Value::NoValue | Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) => self.out.push_str(&number_text(*f)?),
            Value::Str(s) => write_string(&mut self.out, s, self.escape_html),
            Value::Object(o) => write_string(&mut self.out, &o.display(), self.escape_html),
            Value::List(items, _) => {
                if depth >= MAX_DEPTH {
                    return Err("json: unsupported value: encountered a cycle via []interface {}".into());
                }
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    self.separator(i, depth + 1);
                    self.value(item, depth + 1)?;
                }
                self.close(items.is_empty(), depth, ']');
            }
            Value::Map(m) => {
                if depth >= MAX_DEPTH {
                    return Err("json: unsupported value: encountered a cycle via map[string]interface {}".into());
                }
                let m = m.borrow();
                self.out.push('{');
                for (i, (k, item)) in m.iter().enumerate() {
                    self.separator(i, depth + 1);
                    write_string(&mut self.out, k, self.escape_html);
                    self.out.push_str(if self.indent { ": " } else { ":" });
                    self.value(item, depth + 1)?;
                }
                self.close(m.is_empty(), depth, '}');
            }
        }
        Ok(())
    }

    fn separator(&mut self, i: usize, depth: usize) {
        if i > 0 {
            self.out.push(',');
        }
        if self.indent {
            self.newline(depth);
        }
    }

    fn close(&mut self, empty: bool, depth: usize, bracket: char) {
        if self.indent && !empty {
            self.newline(depth);
        }
        self.out.push(bracket);
    }

    fn newline(&mut self, depth: usize) {
        self.out.push('\n');
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }
}

/// How `encoding/json` prints a float64: `%f` digits between 1e-6 and 1e21, else `%e` with a
/// two-digit negative exponent shortened (`1e-07` -> `1e-7`).
pub fn number_text(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!("json: unsupported value: {}", format_float(f, 'g', None)));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_float(f, 'e', None);
        let n = s.len();
        if n >= 4 && s.as_bytes()[n - 4] == b'e' && s.as_bytes()[n - 3] == b'-' && s.as_bytes()[n - 2] == b'0' {
            s.remove(n - 2);
        }
        return Ok(s);
    }
    Ok(format_float(f, 'f', None))
}

fn write_string(out: &mut String, s: &str, escape_html: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xF] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xF] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// What a decode targets: Go's `interface{}`, `map[string]interface{}` or `[]interface{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Any,
    Map,
    List,
}

impl Target {
    pub fn go_type(self) -> &'static str {
        match self {
            Target::Any => "interface {}",
            Target::Map => "map[string]interface {}",
            Target::List => "[]interface {}",
        }
    }

    /// The zero value a mismatched or null document leaves.
    pub fn empty(self) -> Value {
        match self {
            Target::Any => Value::Nil,
            Target::Map => Value::empty_map(),
            Target::List => Value::list(Vec::new()),
        }
    }

    /// Go's type error when the document's top level is of the wrong kind, if it is.
    pub fn mismatch(self, v: &Value) -> Option<String> {
        let kind = match (self, v) {
            (Target::Any, _) | (_, Value::Nil | Value::NoValue) => return None,
            (Target::Map, Value::Map(_)) | (Target::List, Value::List(..)) => return None,
            (_, Value::Map(_)) => "object",
            (_, Value::List(..)) => "array",
            (_, Value::Str(_)) => "string",
            (_, Value::Bool(_)) => "bool",
            _ => "number",
        };
        Some(format!(
            "json: cannot unmarshal {kind} into Go value of type {}",
            self.go_type()
        ))
    }
}

/// `json.Unmarshal(text, &target)`: the value (as far as Go fills it) and Go's first error.
pub fn unmarshal(text: &str, target: Target) -> (Value, Option<String>) {
    if let Err(e) = check_valid(text.as_bytes()) {
        return (target.empty(), Some(e));
    }
    let mut d = Decoder {
        b: text.as_bytes(),
        i: 0,
        error: None,
    };
    let v = d.value();
    if let Some(e) = target.mismatch(&v) {
        return (target.empty(), Some(e));
    }
    // `null` leaves Go's map or slice nil, which prints as `null` again.
    (v, d.error)
}

/// Go's `quoteChar`: the offending byte as a Go character literal.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let ch = char::from(c);
            let q = match ch {
                '\u{7}' => "\\a".into(),
                '\u{8}' => "\\b".into(),
                '\u{c}' => "\\f".into(),
                '\n' => "\\n".into(),
                '\r' => "\\r".into(),
                '\t' => "\\t".into(),
                '\u{b}' => "\\v".into(),
                '\\' => "\\\\".into(),
                c if (c as u32) < 0x20 || c == '\u{7f}' => format!("\\x{:02x}", c as u32),
                c if (0x80..0xa0).contains(&(c as u32)) => format!("\\u{:04x}", c as u32),
                '\u{a0}' => "\\u00a0".into(),
                '\u{ad}' => "\\u00ad".into(),
                c => c.to_string(),
            };
            format!("'{q}'")
        }
    }
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

const EOF: &str = "unexpected end of JSON input";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `checkValid`: the whole input scanned for the first syntax error.
fn check_valid(b: &[u8]) -> Result<(), String> {
    let mut s = Scan { b, i: 0, depth: 0 };
    s.ws();
    s.value()?;
    s.ws();
    match s.peek() {
        None => Ok(()),
        Some(c) => Err(invalid(c, "after top-level value")),
    }
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or(EOF)?;
        self.i += 1;
        Ok(c)
    }

    /// Inside a token Go's scanner meets the end of input as a space (`scanner.eof`), so a
    /// cut literal reads `invalid character ' ' in literal true (expecting 'e')`.
    fn next_in_token(&mut self) -> u8 {
        let c = self.peek().unwrap_or(b' ');
        self.i += 1;
        c
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<(), String> {
        match self.next()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string(),
            b'-' => match self.next_in_token() {
                b'0' => self.after_zero(),
                b'1'..=b'9' => self.number(),
                c => Err(invalid(c, "in numeric literal")),
            },
            b'0' => self.after_zero(),
            b'1'..=b'9' => self.number(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            c => Err(invalid(c, "looking for beginning of value")),
        }
    }

    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return Err("exceeded max depth".into());
        }
        Ok(())
    }

    fn object(&mut self) -> Result<(), String> {
        self.nest()?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            match self.next()? {
                b'"' => self.string()?,
                c => return Err(invalid(c, "looking for beginning of object key string")),
            }
            self.ws();
            match self.next()? {
                b':' => {}
                c => return Err(invalid(c, "after object key")),
            }
            self.ws();
            self.value()?;
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                b'}' => {
                    self.depth -= 1;
                    return Ok(());
                }
                c => return Err(invalid(c, "after object key:value pair")),
            }
        }
    }

    fn array(&mut self) -> Result<(), String> {
        self.nest()?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value()?;
            self.ws();
            match self.next()? {
                b',' => {}
                b']' => {
                    self.depth -= 1;
                    return Ok(());
                }
                c => return Err(invalid(c, "after array element")),
            }
        }
    }

    fn string(&mut self) -> Result<(), String> {
        loop {
            match self.next()? {
                b'"' => return Ok(()),
                b'\\' => match self.next_in_token() {
                    b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {}
                    b'u' => {
                        for _ in 0..4 {
                            let c = self.next_in_token();
                            if !c.is_ascii_hexdigit() {
                                return Err(invalid(c, "in \\u hexadecimal character escape"));
                            }
                        }
                    }
                    c => return Err(invalid(c, "in string escape code")),
                },
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                _ => {}
            }
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Result<(), String> {
        self.digits();
        self.after_zero()
    }

    /// After the integer part: an optional fraction and exponent.
    fn after_zero(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'.') {
            self.i += 1;
            match self.next_in_token() {
                b'0'..=b'9' => self.digits(),
                c => return Err(invalid(c, "after decimal point in numeric literal")),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            let mut c = self.next_in_token();
            if c == b'+' || c == b'-' {
                c = self.next_in_token();
            }
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        for expect in word.bytes().skip(1) {
            let c = self.next_in_token();
            if c != expect {
                return Err(invalid(
                    c,
                    &format!("in literal {word} (expecting '{}')", char::from(expect)),
                ));
            }
        }
        Ok(())
    }
}

/// Decodes input `check_valid` accepted.
struct Decoder<'a> {
    b: &'a [u8],
    i: usize,
    error: Option<String>,
}

impl Decoder<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).copied().is_some_and(is_space) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Value {
        self.ws();
        let Some(c) = self.b.get(self.i).copied() else {
            return Value::Nil;
        };
        match c {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Value::str(self.string()),
            b't' => self.word(4, Value::Bool(true)),
            b'f' => self.word(5, Value::Bool(false)),
            b'n' => self.word(4, Value::Nil),
            _ => self.number(),
        }
    }

    fn word(&mut self, len: usize, v: Value) -> Value {
        self.i += len;
        v
    }

    fn object(&mut self) -> Value {
        self.i += 1;
        let mut m = BTreeMap::new();
        loop {
            self.ws();
            match self.b.get(self.i) {
                Some(b'}') | None => {
                    self.i += 1;
                    return Value::map(m);
                }
                Some(b',') => self.i += 1,
                _ => {
                    let k = self.string();
                    self.ws();
                    self.i += 1; // ':'
                    let v = self.value();
                    m.insert(k, v);
                }
            }
        }
    }

    fn array(&mut self) -> Value {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            match self.b.get(self.i) {
                Some(b']') | None => {
                    self.i += 1;
                    return Value::list(items);
                }
                Some(b',') => self.i += 1,
                _ => items.push(self.value()),
            }
        }
    }

    fn number(&mut self) -> Value {
        let start = self.i;
        while self
            .b
            .get(self.i)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.i += 1;
        }
        let text = String::from_utf8_lossy(&self.b[start..self.i]);
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Value::Float(f),
            _ => {
                self.error.get_or_insert_with(|| {
                    format!("json: cannot unmarshal number {text} into Go value of type float64")
                });
                Value::Nil
            }
        }
    }

    /// A string literal at `self.i` (the opening quote), escapes decoded as Go does: lone
    /// surrogates become U+FFFD.
    fn string(&mut self) -> String {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => self.escape(&mut out),
                c => out.push(c),
            }
        }
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    fn escape(&mut self, out: &mut Vec<u8>) {
        let Some(&e) = self.b.get(self.i) else {
            return;
        };
        self.i += 1;
        let simple = match e {
            b'b' => Some(b'\x08'),
            b'f' => Some(b'\x0c'),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            other => Some(other),
        };
        if let Some(b) = simple {
            out.push(b);
            return;
        }
        let first = self.hex4();
        let c = if (0xD800..0xDC00).contains(&first) && self.b.get(self.i..self.i + 2) == Some(b"\\u") {
            let save = self.i;
            self.i += 2;
            let second = self.hex4();
            if (0xDC00..0xE000).contains(&second) {
                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            } else {
                self.i = save;
                None
            }
        } else {
            char::from_u32(first)
        };
        let c = c.unwrap_or('\u{FFFD}');
        let mut buf = [0; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    fn hex4(&mut self) -> u32 {
        let s = self.b.get(self.i..self.i + 4).unwrap_or(b"0000");
        self.i += 4;
        s.iter()
            .fold(0, |n, c| n * 16 + char::from(*c).to_digit(16).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(items: &[&str]) -> Value {
        Value::list(items.iter().map(|s| Value::str(*s)).collect())
    }

    #[test]
    fn strings_escape_as_go_does() {
        let v = strs(&[
            "<a href='x'>&amp;</a>",
            "\u{2028}\u{2029}",
            "\u{8}\u{c}\0\u{1f}\u{7f}",
            "é😀",
        ]);
        assert_eq!(
            marshal(&v, true, false).unwrap(),
            "[\"\\u003ca href='x'\\u003e\\u0026amp;\\u003c/a\\u003e\",\"\\u2028\\u2029\",\"\\b\\f\\u0000\\u001f\u{7f}\",\"é😀\"]"
        );
        let raw = strs(&["<a href='x'>&amp;</a>", "\u{2028}"]);
        assert_eq!(
            marshal(&raw, false, false).unwrap(),
            "[\"<a href='x'>&amp;</a>\",\"\\u2028\"]"
        );
    }

    #[test]
    fn numbers_and_indentation() {
        let nums = [1.5, 1e21, 0.000001, 1e-7, 100000000.0, -0.0, 1e20];
        let v = Value::list(nums.iter().map(|f| Value::Float(*f)).chain([Value::Int(3)]).collect());
        assert_eq!(
            marshal(&v, true, false).unwrap(),
            "[1.5,1e+21,0.000001,1e-7,100000000,-0,100000000000000000000,3]"
        );
        assert_eq!(
            marshal(&Value::Float(f64::NAN), true, false).unwrap_err(),
            "json: unsupported value: NaN"
        );
        let inner = Value::map([("c".to_owned(), Value::Nil)].into());
        let list = Value::list(vec![Value::Int(1), Value::empty_map(), Value::list(vec![])]);
        let v = Value::map([("a".to_owned(), list), ("b".to_owned(), inner)].into());
        assert_eq!(
            marshal(&v, true, true).unwrap(),
            "{\n  \"a\": [\n    1,\n    {},\n    []\n  ],\n  \"b\": {\n    \"c\": null\n  }\n}"
        );
        assert_eq!(marshal(&Value::list(vec![]), true, true).unwrap(), "[]");
        assert_eq!(marshal(&Value::NoValue, true, false).unwrap(), "null");
    }

    fn decode_err(text: &str) -> String {
        unmarshal(text, Target::Map).1.unwrap()
    }

    #[test]
    fn syntax_errors_read_as_go_prints_them() {
        assert_eq!(decode_err(""), "unexpected end of JSON input");
        assert_eq!(
            decode_err("{\"a\": 1,}"),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(decode_err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(
            decode_err("{\"a\": 1 \"b\": 2}"),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(decode_err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(
            decode_err("tru"),
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(
            decode_err("trux"),
            "invalid character 'x' in literal true (expecting 'e')"
        );
        assert_eq!(
            decode_err("{\"a\": 1} x"),
            "invalid character 'x' after top-level value"
        );
        assert_eq!(
            decode_err("{\"a\": \"\u{1}\"}"),
            "invalid character '\\x01' in string literal"
        );
        assert_eq!(
            decode_err("{\"a\": \"\\q\"}"),
            "invalid character 'q' in string escape code"
        );
        assert_eq!(
            decode_err("\"\\u12"),
            "invalid character ' ' in \\u hexadecimal character escape"
        );
        assert_eq!(decode_err("{\"a\": -}"), "invalid character '}' in numeric literal");
        assert_eq!(
            decode_err("{\"a\": 1."),
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(
            decode_err("{\"a\": 1e}"),
            "invalid character '}' in exponent of numeric literal"
        );
        assert_eq!(
            decode_err("{\"a\": 01}"),
            "invalid character '1' after object key:value pair"
        );
        assert_eq!(
            decode_err("{\"é\": 1} é"),
            "invalid character 'Ã' after top-level value"
        );
        assert_eq!(
            decode_err("{'a': 1}"),
            "invalid character '\\'' looking for beginning of object key string"
        );
    }

    #[test]
    fn values_and_type_errors() {
        let (v, e) = unmarshal("{\"a\": 1e400, \"b\": 2}", Target::Map);
        assert_eq!(
            e.unwrap(),
            "json: cannot unmarshal number 1e400 into Go value of type float64"
        );
        assert_eq!(marshal(&v, true, false).unwrap(), "{\"a\":null,\"b\":2}");
        let (v, e) = unmarshal(
            "{\"a\": \"\\ud83d\\ude00 \\ud800 x\", \"a\": 1, \"b\": [true, null]}",
            Target::Any,
        );
        assert!(e.is_none());
        assert_eq!(marshal(&v, true, false).unwrap(), "{\"a\":1,\"b\":[true,null]}");
        let (v, _) = unmarshal("\"\\ud83d\\ude00 \\ud800 x\"", Target::Any);
        assert_eq!(v.as_str(), Some("😀 \u{FFFD} x"));
        assert_eq!(
            unmarshal("[1]", Target::Map).1.unwrap(),
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert_eq!(
            unmarshal("{}", Target::List).1.unwrap(),
            "json: cannot unmarshal object into Go value of type []interface {}"
        );
        assert!(unmarshal("null", Target::Map).0.is_nil());
        assert!(
            unmarshal(&"[".repeat(300), Target::Any)
                .1
                .unwrap()
                .contains("exceeded max depth")
        );
    }
}
