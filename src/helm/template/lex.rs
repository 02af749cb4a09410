//! Go `text/template` lexing: text and actions, trim markers (`{{- ` / ` -}}`), comments that
//! may hold `{{` and `}}` (`{{/* ... */}}`), and the tokens of an action. Every token keeps its
//! byte span in the template, so errors and output provenance point at the source.

use std::ops::Range;

use super::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    /// `.name` (one link of a field chain).
    Field(String),
    /// `$name`, `$` itself as `$`.
    Var(String),
    Dot,
    Str(String),
    Number(String),
    Char(char),
    LParen,
    RParen,
    Pipe,
    Declare,
    Assign,
    Comma,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
    /// Whitespace separates it from the previous token (`(x) .a` is two arguments, `(x).a` one).
    pub spaced: bool,
}

#[derive(Debug, Clone)]
pub enum Item {
    /// Literal text, already trimmed by neighbouring trim markers.
    Text(Range<usize>),
    /// An action: its tokens and the span of the whole `{{ ... }}`.
    Action(Vec<Token>, Range<usize>),
}

const OPEN: &str = "{{";
/// Parenthesised pipelines nest at most this deep (the parser recurses on them).
const MAX_PARENS: usize = 100;
const CLOSE: &str = "}}";

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Split a template into text and actions.
pub fn lex(src: &str) -> Result<Vec<Item>, Error> {
    let bytes = src.as_bytes();
    let mut items = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    while pos < src.len() {
        let open = src[pos..].find(OPEN).map(|i| pos + i);
        let text_end = open.unwrap_or(src.len());
        let mut start = pos;
        if trim_next {
            while start < text_end && is_space(bytes[start]) {
                start += 1;
            }
        }
        let Some(open) = open else {
            push_text(&mut items, start..text_end);
            break;
        };
        let left_trim = bytes.get(open + 2) == Some(&b'-') && bytes.get(open + 3).is_some_and(|b| is_space(*b));
        let mut end = text_end;
        if left_trim {
            while end > start && is_space(bytes[end - 1]) {
                end -= 1;
            }
        }
        push_text(&mut items, start..end);
        let inner = if left_trim { open + 3 } else { open + 2 };
        let (tokens, close, right_trim) = action(src, open, inner)?;
        if !tokens.is_empty() {
            items.push(Item::Action(tokens, open..close));
        }
        trim_next = right_trim;
        pos = close;
    }
    Ok(items)
}

fn push_text(items: &mut Vec<Item>, span: Range<usize>) {
    if !span.is_empty() {
        items.push(Item::Text(span));
    }
}

/// Where the action ends: `}}` or ` -}}` (returns the position after it and whether it trims).
fn at_close(src: &str, pos: usize) -> Option<(usize, bool)> {
    let rest = &src[pos..];
    if rest.starts_with(CLOSE) {
        return Some((pos + 2, false));
    }
    let b = rest.as_bytes();
    if b.len() >= 4 && is_space(b[0]) && b[1] == b'-' && rest[2..].starts_with(CLOSE) {
        return Some((pos + 4, true));
    }
    None
}

/// The tokens of the action opened at `open` (body from `inner`): a comment gives none.
fn action(src: &str, open: usize, inner: usize) -> Result<(Vec<Token>, usize, bool), Error> {
    let bytes = src.as_bytes();
    let mut pos = inner;
    // A comment must start right after the delimiter (and trim marker) and end right before one.
    let mut p = pos;
    while p < src.len() && is_space(bytes[p]) && inner != open + 2 {
        p += 1;
    }
    if src[p..].starts_with("/*") {
        let Some(end) = src[p + 2..].find("*/").map(|i| p + 2 + i + 2) else {
            return Err(Error::at(open, "unclosed comment"));
        };
        let mut q = end;
        while q < src.len() && is_space(bytes[q]) && at_close(src, q).is_none() {
            q += 1;
        }
        return match at_close(src, q) {
            Some((close, trim)) => Ok((Vec::new(), close, trim)),
            None => Err(Error::at(open, "comment ends before closing delimiter")),
        };
    }
    let mut tokens = Vec::new();
    let mut spaced = true;
    let mut depth = 0usize;
    loop {
        if let Some((close, trim)) = at_close(src, pos) {
            if depth > 0 {
                return Err(Error::at(open, "unclosed left paren"));
            }
            return Ok((tokens, close, trim));
        }
        let Some(&b) = bytes.get(pos) else {
            return Err(Error::at(open, "unclosed action"));
        };
        if is_space(b) {
            pos += 1;
            spaced = true;
            continue;
        }
        let start = pos;
        let tok = match b {
            b'(' => {
                depth += 1;
                if depth > MAX_PARENS {
                    return Err(Error::at(
                        start,
                        format!("parentheses nest deeper than {MAX_PARENS} levels"),
                    ));
                }
                pos += 1;
                Tok::LParen
            }
            b')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| Error::at(start, "unexpected right paren"))?;
                pos += 1;
                Tok::RParen
            }
            b'|' => {
                pos += 1;
                Tok::Pipe
            }
            b',' => {
                pos += 1;
                Tok::Comma
            }
            b':' if bytes.get(pos + 1) == Some(&b'=') => {
                pos += 2;
                Tok::Declare
            }
            b'=' => {
                pos += 1;
                Tok::Assign
            }
            b'"' => {
                let (s, end) = quoted(src, pos)?;
                pos = end;
                Tok::Str(s)
            }
            b'`' => {
                let end = src[pos + 1..]
                    .find('`')
                    .map(|i| pos + 1 + i)
                    .ok_or_else(|| Error::at(start, "unterminated raw quoted string"))?;
                let s = src[pos + 1..end].replace('\r', "");
                pos = end + 1;
                Tok::Str(s)
            }
            b'\'' => {
                let (c, end) = char_constant(src, pos)?;
                pos = end;
                Tok::Char(c)
            }
            b'$' => {
                let end = word_end(src, pos + 1);
                let name = src[pos..end].to_owned();
                pos = end;
                Tok::Var(name)
            }
            b'.' if bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) => {
                let end = number_end(src, pos);
                let n = src[pos..end].to_owned();
                pos = end;
                Tok::Number(n)
            }
            b'.' => {
                let end = word_end(src, pos + 1);
                pos = end;
                if end == start + 1 {
                    Tok::Dot
                } else {
                    Tok::Field(src[start + 1..end].to_owned())
                }
            }
            b'+' | b'-' | b'0'..=b'9' => {
                let end = number_end(src, pos);
                if end == pos + 1 && !b.is_ascii_digit() {
                    return Err(Error::at(start, format!("bad number syntax: {:?}", &src[pos..end])));
                }
                let n = src[pos..end].to_owned();
                pos = end;
                Tok::Number(n)
            }
            _ if b == b'_' || b.is_ascii_alphabetic() || b >= 0x80 => {
                let end = word_end(src, pos);
                if end == pos {
                    // A non-ASCII character that is no letter (`“`, `→`) starts no token.
                    let c = src[pos..].chars().next().unwrap_or('?');
                    return Err(Error::at(start, format!("unexpected {c:?} in command")));
                }
                let word = src[pos..end].to_owned();
                pos = end;
                Tok::Ident(word)
            }
            _ => {
                let c = src[pos..].chars().next().unwrap_or('?');
                return Err(Error::at(start, format!("unexpected {c:?} in command")));
            }
        };
        tokens.push(Token {
            tok,
            span: start..pos,
            spaced,
        });
        spaced = false;
    }
}

/// The end of an identifier: letters, digits, `_` (Unicode letters too, as Go allows).
fn word_end(src: &str, from: usize) -> usize {
    src[from..]
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(src.len(), |(i, _)| from + i)
}

/// Go's number scan is permissive (`0x1p-2`, `1_000`, `1e+3`); the parser validates.
fn number_end(src: &str, from: usize) -> usize {
    let b = src.as_bytes();
    let mut pos = from;
    if matches!(b.get(pos), Some(b'+' | b'-')) {
        pos += 1;
    }
    let hex = b.get(pos) == Some(&b'0') && matches!(b.get(pos + 1), Some(b'x' | b'X'));
    let mut prev = 0u8;
    while let Some(&c) = b.get(pos) {
        let exponent_sign = matches!(c, b'+' | b'-')
            && matches!(prev.to_ascii_lowercase(), b'e' | b'p')
            && !(hex && prev.eq_ignore_ascii_case(&b'e'));
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign {
            prev = c;
            pos += 1;
        } else {
            break;
        }
    }
    pos
}

/// A Go interpreted string literal starting at `from` (the opening quote).
fn quoted(src: &str, from: usize) -> Result<(String, usize), Error> {
    let mut out = String::new();
    let mut chars = src[from + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, from + 1 + i + 1)),
            '\n' => break,
            '\\' => {
                let (_, e) = chars
                    .next()
                    .ok_or_else(|| Error::at(from, "unterminated quoted string"))?;
                let mut hex = |n: usize| -> Result<u32, Error> {
                    let digits: String = (0..n).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .filter(|_| digits.len() == n)
                        .ok_or_else(|| Error::at(from, format!("invalid escape \\{e}{digits}")))
                };
                let ch = match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\x07',
                    'b' => '\x08',
                    'f' => '\x0c',
                    'v' => '\x0b',
                    '\\' => '\\',
                    '"' => '"',
                    '\'' => return Err(Error::at(from, "invalid escape \\' in a string")),
                    'x' => char::from_u32(hex(2)?).unwrap_or('\u{fffd}'),
                    'u' => char::from_u32(hex(4)?).unwrap_or('\u{fffd}'),
                    'U' => char::from_u32(hex(8)?).unwrap_or('\u{fffd}'),
                    '0'..='7' => {
                        let rest: String = (0..2).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                        let n = u32::from_str_radix(&format!("{e}{rest}"), 8)
                            .map_err(|_| Error::at(from, "invalid octal escape"))?;
                        char::from_u32(n).unwrap_or('\u{fffd}')
                    }
                    other => return Err(Error::at(from, format!("unknown escape sequence \\{other}"))),
                };
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    Err(Error::at(from, "unterminated quoted string"))
}

fn char_constant(src: &str, from: usize) -> Result<(char, usize), Error> {
    let rest = &src[from + 1..];
    let close = rest
        .find('\'')
        .ok_or_else(|| Error::at(from, "unterminated character constant"))?;
    let body = &rest[..close];
    let c = if body.starts_with('\\') {
        let (s, _) = quoted(&format!("\"{body}\""), 0)?;
        s.chars().next()
    } else {
        let mut it = body.chars();
        it.next().filter(|_| it.next().is_none())
    };
    let c = c.ok_or_else(|| Error::at(from, "malformed character constant"))?;
    Ok((c, from + 1 + close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        lex(src)
            .unwrap()
            .into_iter()
            .map(|i| match i {
                Item::Text(r) => format!("T{:?}", &src[r]),
                Item::Action(t, _) => format!("A{}", t.len()),
            })
            .collect()
    }

    #[test]
    fn trim_markers_and_comments() {
        assert_eq!(texts("a  {{- 1 -}}  b"), ["T\"a\"", "A1", "T\"b\""]);
        assert_eq!(texts("a {{/* has {{ and }} */}} b"), ["T\"a \"", "T\" b\""]);
        assert_eq!(texts("a\n{{- /* c */ -}}\nb"), ["T\"a\"", "T\"b\""]);
        // `{{-3}}` is the number -3, not a trim marker.
        assert_eq!(texts("x{{-3}}"), ["T\"x\"", "A1"]);
    }

    #[test]
    fn tokens() {
        let items = lex(r#"{{ $x := (.a.b).c | printf "%s\u00e9" `raw` 'a' 0x1p-2 -1 }}"#).unwrap();
        let Item::Action(toks, _) = &items[0] else { panic!() };
        let kinds: Vec<_> = toks.iter().map(|t| t.tok.clone()).collect();
        assert_eq!(
            kinds,
            [
                Tok::Var("$x".into()),
                Tok::Declare,
                Tok::LParen,
                Tok::Field("a".into()),
                Tok::Field("b".into()),
                Tok::RParen,
                Tok::Field("c".into()),
                Tok::Pipe,
                Tok::Ident("printf".into()),
                Tok::Str("%sé".into()),
                Tok::Str("raw".into()),
                Tok::Char('a'),
                Tok::Number("0x1p-2".into()),
                Tok::Number("-1".into()),
            ]
        );
        assert!(!toks[6].spaced, "(x).c is a chain");
    }

    #[test]
    fn errors_have_positions() {
        assert!(lex("{{ \"abc }}").is_err());
        assert!(lex("a {{/* never closed").is_err());
        assert!(lex("{{ (a }}").is_err());
        assert!(
            lex("{{ “x” }}").is_err(),
            "a non-letter outside ASCII ends lexing, never loops"
        );
    }
}
