//! Parsing lexed items into a template tree; `define` blocks are collected by name.

use std::collections::HashMap;

use super::TemplateError;
use super::lexer::{Item, Tok, split};

#[derive(Debug, Clone)]
pub enum Arg {
    /// A field chain on the dot (empty: the dot).
    Field(Vec<String>),
    Var(String, Vec<String>),
    Str(String),
    Num(f64),
    Int(i64),
    Bool(bool),
    Nil,
    Func(String),
    Sub(Box<Pipe>, Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Pipe {
    /// Variables declared (`:=`) or assigned (`=`) by this pipeline.
    pub vars: Vec<String>,
    pub assign: bool,
    pub cmds: Vec<Vec<Arg>>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    Out(Pipe),
    If(Vec<(Pipe, Vec<Node>)>, Vec<Node>),
    With(Vec<(Pipe, Vec<Node>)>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    Template(String, Option<Pipe>, usize),
    Break,
    Continue,
}

pub type Defines = HashMap<String, Vec<Node>>;

/// Parse a template; its `define` blocks go to `defines`.
pub fn parse(src: &str, defines: &mut Defines) -> Result<Vec<Node>, TemplateError> {
    let items = split(src)?;
    let mut p = Parser { items, pos: 0, defines };
    let (body, end) = p.block()?;
    if let Some(end) = end {
        return Err(TemplateError::at(end.1, format!("unexpected {{{{{}}}}}", end.0)));
    }
    Ok(body)
}

struct Parser<'d> {
    items: Vec<Item>,
    pos: usize,
    defines: &'d mut Defines,
}

/// What ended a block: `end`, `else` (with the rest of its tokens), and the line.
type Ender = (String, usize, Vec<Tok>);

impl Parser<'_> {
    /// Nodes up to an `end`/`else` (returned) or the end of input (`None`).
    #[allow(clippy::type_complexity)]
    fn block(&mut self) -> Result<(Vec<Node>, Option<(String, usize, Vec<Tok>)>), TemplateError> {
        let mut out = Vec::new();
        while self.pos < self.items.len() {
            let item = self.items[self.pos].clone();
            self.pos += 1;
            let (tokens, line) = match item {
                Item::Text(t) => {
                    out.push(Node::Text(t));
                    continue;
                }
                Item::Action { tokens, line } => (tokens, line),
            };
            let keyword = match tokens.first() {
                Some(Tok::Ident(k)) => k.as_str(),
                _ => "",
            };
            let rest = tokens.get(1..).unwrap_or_default().to_vec();
            match keyword {
                "end" => return Ok((out, Some(("end".into(), line, rest)))),
                "else" => return Ok((out, Some(("else".into(), line, rest)))),
                "if" | "with" => out.push(self.conditional(keyword, rest, line)?),
                "range" => {
                    let pipe = pipe(&rest, line)?;
                    let (body, end) = self.block()?;
                    let otherwise = match self.expect_end(end, line, "range")? {
                        Some(_) => {
                            let (b, end) = self.block()?;
                            self.expect_end(end, line, "range")?;
                            b
                        }
                        None => Vec::new(),
                    };
                    out.push(Node::Range(pipe, body, otherwise));
                }
                "define" | "block" => {
                    let (name, arg) = match rest.split_first() {
                        Some((Tok::Str(n), arg)) => (n.clone(), arg.to_vec()),
                        _ => return Err(TemplateError::at(line, format!("{keyword} needs a quoted name"))),
                    };
                    let (body, end) = self.block()?;
                    if self.expect_end(end, line, keyword)?.is_some() {
                        return Err(TemplateError::at(line, format!("else in {keyword}")));
                    }
                    self.defines.insert(name.clone(), body);
                    if keyword == "block" {
                        let p = if arg.is_empty() { None } else { Some(pipe(&arg, line)?) };
                        out.push(Node::Template(name, p, line));
                    }
                }
                "template" => {
                    let (name, arg) = match rest.split_first() {
                        Some((Tok::Str(n), arg)) => (n.clone(), arg.to_vec()),
                        _ => return Err(TemplateError::at(line, "template needs a quoted name")),
                    };
                    let p = if arg.is_empty() { None } else { Some(pipe(&arg, line)?) };
                    out.push(Node::Template(name, p, line));
                }
                "break" => out.push(Node::Break),
                "continue" => out.push(Node::Continue),
                _ => out.push(Node::Out(pipe(&tokens, line)?)),
            }
        }
        Ok((out, None))
    }

    /// `if`/`with` with `else if`/`else with` chains and a final `else`.
    fn conditional(&mut self, keyword: &str, first: Vec<Tok>, line: usize) -> Result<Node, TemplateError> {
        let mut branches = Vec::new();
        let mut cond = first;
        loop {
            let p = pipe(&cond, line)?;
            let (body, end) = self.block()?;
            branches.push((p, body));
            match self.expect_end(end, line, keyword)? {
                None => break,
                Some(rest) if rest.first() == Some(&Tok::Ident(keyword.into())) => cond = rest[1..].to_vec(),
                Some(rest) if rest.is_empty() => {
                    let (otherwise, end) = self.block()?;
                    if self.expect_end(end, line, keyword)?.is_some() {
                        return Err(TemplateError::at(line, format!("second else in {keyword}")));
                    }
                    return Ok(make(keyword, branches, otherwise));
                }
                Some(_) => return Err(TemplateError::at(line, format!("unsupported else form in {keyword}"))),
            }
        }
        Ok(make(keyword, branches, Vec::new()))
    }

    /// `Ok(None)` for `end`, `Ok(Some(rest))` for `else rest`.
    fn expect_end(&self, end: Option<Ender>, line: usize, what: &str) -> Result<Option<Vec<Tok>>, TemplateError> {
        match end {
            Some((k, _, _)) if k == "end" => Ok(None),
            Some((_, _, rest)) => Ok(Some(rest)),
            None => Err(TemplateError::at(
                line,
                format!("unclosed {what} (missing {{{{ end }}}})"),
            )),
        }
    }
}

fn make(keyword: &str, branches: Vec<(Pipe, Vec<Node>)>, otherwise: Vec<Node>) -> Node {
    if keyword == "if" {
        Node::If(branches, otherwise)
    } else {
        Node::With(branches, otherwise)
    }
}

/// A pipeline: optional `$a, $b :=`, then commands separated by `|`.
pub fn pipe(tokens: &[Tok], line: usize) -> Result<Pipe, TemplateError> {
    let mut vars = Vec::new();
    let mut assign = false;
    let mut start = 0;
    if let Some(pos) = tokens.iter().position(|t| matches!(t, Tok::Declare | Tok::Assign)) {
        let head = &tokens[..pos];
        let names: Vec<_> = head.iter().filter(|t| **t != Tok::Comma).collect();
        if names.iter().all(|t| matches!(t, Tok::Var(_, f) if f.is_empty())) && !names.is_empty() {
            vars = names
                .iter()
                .filter_map(|t| match t {
                    Tok::Var(n, _) => Some(n.clone()),
                    _ => None,
                })
                .collect();
            assign = tokens[pos] == Tok::Assign;
            start = pos + 1;
        }
    }
    let mut i = start;
    let cmds = commands(tokens, &mut i, line, false)?;
    if cmds.is_empty() {
        return Err(TemplateError::at(line, "missing value in action"));
    }
    Ok(Pipe {
        vars,
        assign,
        cmds,
        line,
    })
}

fn commands(tokens: &[Tok], i: &mut usize, line: usize, nested: bool) -> Result<Vec<Vec<Arg>>, TemplateError> {
    let mut cmds = Vec::new();
    let mut cur = Vec::new();
    while *i < tokens.len() {
        let t = tokens[*i].clone();
        *i += 1;
        match t {
            Tok::Pipe => {
                if cur.is_empty() {
                    return Err(TemplateError::at(line, "empty command in pipeline"));
                }
                cmds.push(std::mem::take(&mut cur));
            }
            Tok::RParen(fields) if nested => {
                if !cur.is_empty() {
                    cmds.push(cur);
                }
                let p = Pipe {
                    vars: Vec::new(),
                    assign: false,
                    cmds,
                    line,
                };
                return Ok(vec![vec![Arg::Sub(Box::new(p), fields)]]);
            }
            Tok::LParen => {
                let mut sub = commands(tokens, i, line, true)?;
                cur.push(sub.remove(0).remove(0));
            }
            Tok::Ident(name) => cur.push(match name.as_str() {
                "true" => Arg::Bool(true),
                "false" => Arg::Bool(false),
                "nil" => Arg::Nil,
                _ => Arg::Func(name),
            }),
            Tok::Field(f) => cur.push(Arg::Field(f)),
            Tok::Var(n, f) => cur.push(Arg::Var(n, f)),
            Tok::Str(s) => cur.push(Arg::Str(s)),
            Tok::Num(n) => cur.push(Arg::Num(n)),
            Tok::Int(n) => cur.push(Arg::Int(n)),
            other => return Err(TemplateError::at(line, format!("unexpected {other:?} in pipeline"))),
        }
    }
    if nested {
        return Err(TemplateError::at(line, "unclosed parenthesis"));
    }
    if !cur.is_empty() {
        cmds.push(cur);
    }
    Ok(cmds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_else_chain_and_define() {
        let mut d = Defines::new();
        let t = parse(
            r#"{{ define "x" }}X{{ end }}{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}"#,
            &mut d,
        )
        .unwrap();
        assert!(d.contains_key("x"));
        assert!(matches!(&t[0], Node::If(b, e) if b.len() == 2 && e.len() == 1));
    }

    #[test]
    fn unclosed_if_is_an_error() {
        assert!(parse("{{ if .A }}a", &mut Defines::new()).is_err());
    }

    #[test]
    fn parenthesised_pipeline() {
        let p = pipe(
            &super::super::lexer::tokens(r#"default (printf "%s-x" .Name) .V"#).unwrap(),
            1,
        )
        .unwrap();
        assert_eq!(p.cmds[0].len(), 3);
        assert!(matches!(p.cmds[0][1], Arg::Sub(..)));
    }
}
