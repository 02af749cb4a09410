//! Go `text/template` lexing: text and `{{ }}` actions (with `{{-`/`-}}` trimming and
//! `{{/* */}}` comments), then the tokens inside an action.

use super::TemplateError;

/// A piece of template source: literal text, or the tokens of one action.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(String),
    Action { tokens: Vec<Tok>, line: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// `if`, `range`, function names, `true`, `nil`, ...
    Ident(String),
    /// `.`, or a field chain `.a.b` (empty chain: the dot itself).
    Field(Vec<String>),
    /// `$`, `$x`, with a field chain (`$x.a.b`).
    Var(String, Vec<String>),
    Str(String),
    Num(f64),
    Int(i64),
    Pipe,
    LParen,
    /// `)`, with any field chain that follows it (`(...).a`).
    RParen(Vec<String>),
    Declare,
    Assign,
    Comma,
}

pub fn split(src: &str) -> Result<Vec<Item>, TemplateError> {
    let mut items = Vec::new();
    let mut rest = src;
    let mut line = 1;
    let mut trim_next = false;
    while !rest.is_empty() {
        let Some(open) = rest.find("{{") else {
            push_text(&mut items, rest, trim_next, false);
            break;
        };
        let after = &rest[open + 2..];
        let trim_left =
            after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n") || after.starts_with("-\r");
        push_text(&mut items, &rest[..open], trim_next, trim_left);
        line += rest[..open].matches('\n').count();
        let body_start = if trim_left { 1 } else { 0 };
        let (body, consumed, trim_right) = action_body(&after[body_start..])
            .ok_or_else(|| TemplateError::at(line, "unclosed action (missing `}}`)"))?;
        let action_line = line;
        line += body.matches('\n').count();
        let trimmed = body.trim();
        if trimmed.starts_with("/*") {
            if !trimmed.ends_with("*/") {
                return Err(TemplateError::at(action_line, "unclosed comment"));
            }
        } else {
            let tokens = tokens(body).map_err(|m| TemplateError::at(action_line, m))?;
            items.push(Item::Action {
                tokens,
                line: action_line,
            });
        }
        trim_next = trim_right;
        rest = &after[body_start + consumed..];
    }
    Ok(items)
}

fn push_text(items: &mut Vec<Item>, text: &str, trim_start: bool, trim_end: bool) {
    let mut t = text;
    if trim_start {
        t = t.trim_start_matches(is_space);
    }
    if trim_end {
        t = t.trim_end_matches(is_space);
    }
    if !t.is_empty() {
        items.push(Item::Text(t.to_owned()));
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The action body up to `}}` (outside string literals), how many bytes that took including
/// the delimiter, and whether it ended with ` -}}`.
fn action_body(s: &str) -> Option<(&str, usize, bool)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let comment = s.trim_start().starts_with("/*");
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && q == b'"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None if !comment && (c == b'"' || c == b'`' || c == b'\'') => quote = Some(c),
            None if c == b'}' && b.get(i + 1) == Some(&b'}') => {
                let body = &s[..i];
                let trim = body.ends_with(" -") || body.ends_with("\t-") || body.ends_with("\n-");
                let body = if trim { &body[..body.len() - 1] } else { body };
                return Some((body, i + 2, trim));
            }
            None => {}
        }
        i += 1;
    }
    None
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn field_chain(chars: &[char], i: &mut usize) -> Vec<String> {
    let mut out = Vec::new();
    while *i < chars.len() && chars[*i] == '.' && chars.get(*i + 1).is_some_and(|c| ident_char(*c)) {
        *i += 1;
        let start = *i;
        while *i < chars.len() && ident_char(chars[*i]) {
            *i += 1;
        }
        out.push(chars[start..*i].iter().collect());
    }
    out
}

pub fn tokens(body: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if is_space(c) => i += 1,
            '|' => {
                out.push(Tok::Pipe);
                i += 1;
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                i += 1;
                out.push(Tok::RParen(field_chain(&chars, &mut i)));
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            ':' if chars.get(i + 1) == Some(&'=') => {
                out.push(Tok::Declare);
                i += 2;
            }
            '=' => {
                out.push(Tok::Assign);
                i += 1;
            }
            '.' => {
                let chain = field_chain(&chars, &mut i);
                if chain.is_empty() {
                    i += 1;
                }
                out.push(Tok::Field(chain));
            }
            '$' => {
                i += 1;
                let start = i;
                while i < chars.len() && ident_char(chars[i]) {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                out.push(Tok::Var(name, field_chain(&chars, &mut i)));
            }
            '"' => {
                i += 1;
                let mut s = String::new();
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err("unterminated string".into());
                    };
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let e = *chars.get(i).ok_or("unterminated string")?;
                            i += 1;
                            s.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                'r' => '\r',
                                '0' => '\0',
                                other => other,
                            });
                        }
                        c => s.push(c),
                    }
                }
                out.push(Tok::Str(s));
            }
            '`' => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("unterminated raw string".into());
                }
                out.push(Tok::Str(chars[start..i].iter().collect()));
                i += 1;
            }
            '\'' => {
                // A Go character constant: its code point as an integer.
                let ch = *chars.get(i + 1).ok_or("bad character constant")?;
                if chars.get(i + 2) != Some(&'\'') {
                    return Err("unsupported character constant".into());
                }
                out.push(Tok::Int(i64::from(u32::from(ch))));
                i += 3;
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+') && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
                if let Ok(n) = text.parse::<i64>() {
                    out.push(Tok::Int(n));
                } else if let Some(hex) = text.strip_prefix("0x") {
                    out.push(Tok::Int(
                        i64::from_str_radix(hex, 16).map_err(|_| format!("bad number {text}"))?,
                    ));
                } else {
                    out.push(Tok::Num(text.parse().map_err(|_| format!("bad number {text}"))?));
                }
            }
            c if ident_char(c) => {
                let start = i;
                while i < chars.len() && ident_char(chars[i]) {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character `{other}` in action")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_skips_comments() {
        let items = split("a  \n{{- .X -}}\n  b{{/* c */}}d").unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0], Item::Text("a".into()));
        assert_eq!(items[2], Item::Text("b".into()));
        assert_eq!(items[3], Item::Text("d".into()));
    }

    #[test]
    fn tokens_of_a_pipeline() {
        let t = tokens(r#"$x := .Values.a | default "b" | quote"#).unwrap();
        assert_eq!(t[0], Tok::Var("x".into(), vec![]));
        assert_eq!(t[1], Tok::Declare);
        assert_eq!(t[2], Tok::Field(vec!["Values".into(), "a".into()]));
        assert!(tokens("-3").unwrap() == vec![Tok::Int(-3)]);
    }

    #[test]
    fn braces_inside_strings_do_not_close() {
        let items = split(r#"{{ printf "}}" }}x"#).unwrap();
        assert_eq!(items.len(), 2);
    }
}
