//! Go `text/template` parsing: actions into pipelines of commands, control structures
//! (`if`/`with`/`range` with `else if`/`else with` chains, `break`/`continue`), `define` and
//! `block` collected by name, `template` calls. Nodes keep byte spans into the source.

use std::ops::Range;
use std::rc::Rc;

use super::Error;
use super::lex::{Item, Tok, Token, lex};

#[derive(Debug, Clone)]
pub enum Arg {
    Dot,
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    /// `.a.b`: a field chain on the dot.
    Field(Vec<Rc<str>>),
    /// `$x.a.b` (`$` is the template's data).
    Var(Rc<str>, Vec<Rc<str>>),
    /// A function name.
    Func(Rc<str>),
    /// `(pipeline).a.b`.
    Sub(Box<Pipe>, Vec<Rc<str>>),
}

#[derive(Debug, Clone)]
pub struct Cmd {
    pub args: Vec<Arg>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Pipe {
    /// Variables declared (`:=`) or assigned (`=`).
    pub vars: Vec<Rc<str>>,
    pub assign: bool,
    pub cmds: Vec<Cmd>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub enum Node {
    Text(Range<usize>),
    /// An action writing its pipeline's value (unless it declares variables).
    Action(Pipe),
    /// `if` / `with` chains: branches tried in order, then `otherwise`.
    If {
        with: bool,
        branches: Vec<(Pipe, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    Range {
        pipe: Pipe,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Template {
        name: Rc<str>,
        pipe: Option<Pipe>,
        span: Range<usize>,
    },
    Break,
    Continue,
}

/// A parsed file: its own body and the templates it defines.
#[derive(Debug, Default)]
pub struct Parsed {
    pub body: Vec<Node>,
    pub defines: Vec<(Rc<str>, Vec<Node>)>,
}

pub fn parse(src: &str) -> Result<Parsed, Error> {
    let mut p = Parser {
        items: lex(src)?,
        pos: 0,
        defines: Vec::new(),
        loops: 0,
        nesting: 0,
    };
    let (body, end) = p.list()?;
    if let Some(end) = end {
        return Err(Error::at(end.span.start, format!("unexpected {{{{{}}}}}", end.keyword)));
    }
    Ok(Parsed {
        body,
        defines: p.defines,
    })
}

struct Parser {
    items: Vec<Item>,
    pos: usize,
    defines: Vec<(Rc<str>, Vec<Node>)>,
    /// How many `range` bodies enclose the current position (`break` is legal inside one).
    loops: usize,
    /// Control structures open around the current position (bounded: the parser recurses).
    nesting: usize,
}

/// Control structures nest at most this deep (real charts stay under 20).
const MAX_NESTING: usize = 200;

/// What ended a list: `end` or `else ...` with the rest of its tokens.
struct Ender {
    keyword: &'static str,
    rest: Vec<Token>,
    span: Range<usize>,
}

impl Parser {
    /// Nodes up to an `end`/`else` (returned) or the end of input.
    fn list(&mut self) -> Result<(Vec<Node>, Option<Ender>), Error> {
        self.nesting += 1;
        let result = self.list_inner();
        self.nesting -= 1;
        result
    }

    fn list_inner(&mut self) -> Result<(Vec<Node>, Option<Ender>), Error> {
        if self.nesting > MAX_NESTING {
            let at = self.items.get(self.pos).map_or(0, |i| match i {
                Item::Text(r) | Item::Action(_, r) => r.start,
            });
            return Err(Error::at(
                at,
                format!("control structures nest deeper than {MAX_NESTING} levels"),
            ));
        }
        let mut out = Vec::new();
        while let Some(item) = self.items.get(self.pos).cloned() {
            self.pos += 1;
            let (tokens, span) = match item {
                Item::Text(r) => {
                    out.push(Node::Text(r));
                    continue;
                }
                Item::Action(t, s) => (t, s),
            };
            let keyword = match tokens.first().map(|t| &t.tok) {
                Some(Tok::Ident(k)) => k.as_str(),
                _ => "",
            };
            let rest = tokens.get(1..).unwrap_or_default().to_vec();
            match keyword {
                "end" | "else" => {
                    let keyword = if keyword == "end" { "end" } else { "else" };
                    return Ok((out, Some(Ender { keyword, rest, span })));
                }
                "if" | "with" => out.push(self.conditional(keyword == "with", rest, span)?),
                "range" => out.push(self.range(rest, span)?),
                "define" | "block" => {
                    if let Some(n) = self.define(keyword == "block", rest, span)? {
                        out.push(n);
                    }
                }
                "template" => out.push(template_call(&rest, span)?),
                "break" | "continue" => {
                    if self.loops == 0 {
                        return Err(Error::at(
                            span.start,
                            format!("{{{{{keyword}}}}} outside {{{{range}}}}"),
                        ));
                    }
                    out.push(if keyword == "break" {
                        Node::Break
                    } else {
                        Node::Continue
                    });
                }
                _ => out.push(Node::Action(pipeline(&tokens, span)?)),
            }
        }
        Ok((out, None))
    }

    fn conditional(&mut self, with: bool, rest: Vec<Token>, span: Range<usize>) -> Result<Node, Error> {
        let name = if with { "with" } else { "if" };
        let mut branches = Vec::new();
        let mut cond = pipeline(&rest, span.clone())?;
        loop {
            let (body, end) = self.list()?;
            branches.push((cond, body));
            let end =
                end.ok_or_else(|| Error::at(span.start, format!("unexpected EOF: {{{{{name}}}}} has no {{{{end}}}}")))?;
            if end.keyword == "end" {
                return Ok(Node::If {
                    with,
                    branches,
                    otherwise: Vec::new(),
                });
            }
            // `else if ...` / `else with ...` continue the chain; a bare `else` ends it.
            match end.rest.first().map(|t| &t.tok) {
                Some(Tok::Ident(k)) if k == name => {
                    cond = pipeline(&end.rest[1..], end.span.clone())?;
                }
                None => {
                    let (otherwise, end2) = self.list()?;
                    self.expect_end(end2, &span, name)?;
                    return Ok(Node::If {
                        with,
                        branches,
                        otherwise,
                    });
                }
                Some(_) => {
                    return Err(Error::at(
                        end.span.start,
                        format!("unexpected tokens after {{{{else}}}} in {{{{{name}}}}}"),
                    ));
                }
            }
        }
    }

    fn range(&mut self, rest: Vec<Token>, span: Range<usize>) -> Result<Node, Error> {
        let pipe = pipeline(&rest, span.clone())?;
        if pipe.vars.len() > 2 {
            return Err(Error::at(
                span.start,
                "range can only initialize variables: too many declarations",
            ));
        }
        self.loops += 1;
        let body = self.list();
        self.loops -= 1;
        let (body, end) = body?;
        let end = end.ok_or_else(|| Error::at(span.start, "unexpected EOF: {{range}} has no {{end}}"))?;
        let otherwise = if end.keyword == "else" {
            if !end.rest.is_empty() {
                return Err(Error::at(
                    end.span.start,
                    "unexpected tokens after {{else}} in {{range}}",
                ));
            }
            let (b, end2) = self.list()?;
            self.expect_end(end2, &span, "range")?;
            b
        } else {
            Vec::new()
        };
        Ok(Node::Range { pipe, body, otherwise })
    }

    /// `define` adds a template; `block` also calls it here.
    fn define(&mut self, block: bool, rest: Vec<Token>, span: Range<usize>) -> Result<Option<Node>, Error> {
        let keyword = if block { "block" } else { "define" };
        let name = match rest.first().map(|t| &t.tok) {
            Some(Tok::Str(n)) => Rc::<str>::from(n.as_str()),
            _ => return Err(Error::at(span.start, format!("{keyword} needs a quoted template name"))),
        };
        let outer_loops = std::mem::take(&mut self.loops);
        let body = self.list();
        self.loops = outer_loops;
        let (body, end) = body?;
        match end {
            Some(e) if e.keyword == "end" => {}
            Some(e) => return Err(Error::at(e.span.start, format!("unexpected {{{{else}}}} in {keyword}"))),
            None => {
                return Err(Error::at(
                    span.start,
                    format!("unexpected EOF: {{{{{keyword}}}}} has no {{{{end}}}}"),
                ));
            }
        }
        self.defines.push((name.clone(), body));
        if !block {
            return Ok(None);
        }
        let pipe = if rest.len() > 1 {
            Some(pipeline(&rest[1..], span.clone())?)
        } else {
            None
        };
        Ok(Some(Node::Template { name, pipe, span }))
    }

    fn expect_end(&self, end: Option<Ender>, open: &Range<usize>, name: &str) -> Result<(), Error> {
        match end {
            Some(e) if e.keyword == "end" => Ok(()),
            Some(e) => Err(Error::at(
                e.span.start,
                format!("expected end; found {{{{else}}}} in {{{{{name}}}}}"),
            )),
            None => Err(Error::at(
                open.start,
                format!("unexpected EOF: {{{{{name}}}}} has no {{{{end}}}}"),
            )),
        }
    }
}

fn template_call(rest: &[Token], span: Range<usize>) -> Result<Node, Error> {
    let name = match rest.first().map(|t| &t.tok) {
        Some(Tok::Str(n)) => Rc::<str>::from(n.as_str()),
        _ => return Err(Error::at(span.start, "template needs a quoted template name")),
    };
    let pipe = if rest.len() > 1 {
        Some(pipeline(&rest[1..], span.clone())?)
    } else {
        None
    };
    Ok(Node::Template { name, pipe, span })
}

/// A pipeline: optional `$a, $b :=` / `$a =`, then commands separated by `|`.
pub fn pipeline(tokens: &[Token], span: Range<usize>) -> Result<Pipe, Error> {
    let mut vars = Vec::new();
    let mut assign = false;
    let mut rest = tokens;
    if let Some(i) = tokens.iter().position(|t| matches!(t.tok, Tok::Declare | Tok::Assign)) {
        let decl = &tokens[..i];
        let names: Vec<_> = decl.iter().filter(|t| !matches!(t.tok, Tok::Comma)).collect();
        let all_vars = names.iter().all(|t| matches!(t.tok, Tok::Var(_)))
            && decl.len() == names.len() * 2 - 1
            && !names.is_empty();
        if all_vars {
            vars = names
                .iter()
                .filter_map(|t| match &t.tok {
                    Tok::Var(v) => Some(Rc::<str>::from(v.as_str())),
                    _ => None,
                })
                .collect();
            assign = matches!(tokens[i].tok, Tok::Assign);
            rest = &tokens[i + 1..];
        }
    }
    if rest.is_empty() {
        return Err(Error::at(span.start, "missing value for command"));
    }
    let mut cmds = Vec::new();
    for part in split_top(rest, |t| matches!(t, Tok::Pipe)) {
        if part.is_empty() {
            return Err(Error::at(span.start, "missing command in pipeline"));
        }
        cmds.push(command(part)?);
    }
    Ok(Pipe {
        vars,
        assign,
        cmds,
        span,
    })
}

/// Split at top-level separators (outside parentheses).
fn split_top(tokens: &[Token], sep: impl Fn(&Tok) -> bool) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.tok {
            Tok::LParen => depth += 1,
            Tok::RParen => depth -= 1,
            ref k if depth == 0 && sep(k) => {
                out.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&tokens[start..]);
    out
}

fn command(tokens: &[Token]) -> Result<Cmd, Error> {
    let span = tokens[0].span.start..tokens[tokens.len() - 1].span.end;
    let mut args = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (arg, next) = operand(tokens, i)?;
        args.push(arg);
        i = next;
    }
    if let Some(Arg::Nil) = args.first() {
        return Err(Error::at(span.start, "nil is not a command"));
    }
    if args.len() > 1 && !matches!(args[0], Arg::Func(_) | Arg::Field(_) | Arg::Var(..) | Arg::Sub(..)) {
        return Err(Error::at(span.start, "can't give argument to non-function"));
    }
    Ok(Cmd { args, span })
}

/// One operand at `i` with any field chain glued to it; returns the next index.
fn operand(tokens: &[Token], i: usize) -> Result<(Arg, usize), Error> {
    let t = &tokens[i];
    let mut next = i + 1;
    let arg = match &t.tok {
        Tok::LParen => {
            let close = matching_paren(tokens, i)?;
            let pipe = pipeline(&tokens[i + 1..close], t.span.start..tokens[close].span.end)?;
            next = close + 1;
            let fields = chain(tokens, &mut next);
            Arg::Sub(Box::new(pipe), fields)
        }
        Tok::Dot => {
            let fields = chain(tokens, &mut next);
            if fields.is_empty() {
                Arg::Dot
            } else {
                Arg::Field(fields)
            }
        }
        Tok::Field(f) => {
            let mut fields = vec![Rc::<str>::from(f.as_str())];
            fields.extend(chain(tokens, &mut next));
            Arg::Field(fields)
        }
        Tok::Var(v) => Arg::Var(Rc::from(v.as_str()), chain(tokens, &mut next)),
        Tok::Str(s) => Arg::Str(Rc::from(s.as_str())),
        Tok::Char(c) => Arg::Int(i64::from(u32::from(*c))),
        Tok::Number(n) => number(n).ok_or_else(|| Error::at(t.span.start, format!("bad number syntax: {n:?}")))?,
        Tok::Ident(w) => match w.as_str() {
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            "nil" => Arg::Nil,
            _ => Arg::Func(Rc::from(w.as_str())),
        },
        other => return Err(Error::at(t.span.start, format!("unexpected {other:?} in operand"))),
    };
    Ok((arg, next))
}

/// Field links glued to the previous token (`(x).a.b`, `$v.a`).
fn chain(tokens: &[Token], next: &mut usize) -> Vec<Rc<str>> {
    let mut fields = Vec::new();
    while let Some(Token {
        tok: Tok::Field(f),
        spaced: false,
        ..
    }) = tokens.get(*next)
    {
        fields.push(Rc::from(f.as_str()));
        *next += 1;
    }
    fields
}

fn matching_paren(tokens: &[Token], open: usize) -> Result<usize, Error> {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.tok {
            Tok::LParen => depth += 1,
            Tok::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => {}
        }
    }
    Err(Error::at(tokens[open].span.start, "unclosed left paren"))
}

/// A Go number literal: an int when it is one (any base, `_` separators), else a float
/// (decimal or hexadecimal `0x1p-2`).
fn number(text: &str) -> Option<Arg> {
    if let Some(i) = crate::helm::funcs::parse_go_int(text) {
        return Some(Arg::Int(i));
    }
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let f = if let Some(hex) = lower.strip_prefix("0x") {
        hex_float(hex)?
    } else {
        if lower.contains(['x', 'o', 'b']) && !lower.contains('e') {
            return None;
        }
        clean.parse::<f64>().ok()?
    };
    let f = if neg { -f } else { f };
    // Go keeps an integral float constant usable as an int (`{{ 1e3 }}` prints 1000).
    if f.fract() == 0.0 && f.abs() < 9.0e15 && !lower.starts_with("0x") && !text.contains('.') && !lower.contains('e') {
        return Some(Arg::Int(f as i64));
    }
    Some(Arg::Float(f))
}

/// `1p-2` / `1.8p3` (the part after `0x`).
fn hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_and_defines() {
        let p = parse(r#"{{ define "a" }}x{{ end }}{{ if .x }}1{{ else if .y }}2{{ else }}3{{ end }}"#).unwrap();
        assert_eq!(p.defines.len(), 1);
        let Node::If {
            branches, otherwise, ..
        } = &p.body[0]
        else {
            panic!("{:?}", p.body)
        };
        assert_eq!(branches.len(), 2);
        assert_eq!(otherwise.len(), 1);
    }

    #[test]
    fn numbers() {
        assert!(matches!(number("0x1p-2"), Some(Arg::Float(f)) if f == 0.25));
        assert!(matches!(number("1_000"), Some(Arg::Int(1000))));
        assert!(matches!(number("1.5"), Some(Arg::Float(f)) if f == 1.5));
        assert!(matches!(number("1e3"), Some(Arg::Float(f)) if f == 1000.0));
        assert!(matches!(number("-7"), Some(Arg::Int(-7))));
        assert!(number("0x").is_none());
    }

    #[test]
    fn structure_errors() {
        assert!(parse("{{ if .x }}").is_err());
        assert!(parse("{{ end }}").is_err());
        assert!(parse("{{ break }}").is_err());
        assert!(parse("{{ range .x }}{{ break }}{{ end }}").is_ok());
        assert!(parse("{{ nil }}").is_err());
        assert!(parse("{{ 3 4 }}").is_err());
    }
}
