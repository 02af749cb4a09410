//! Evaluating a parsed template against values (serde_json), Go `text/template` semantics as
//! Helm uses them: missing keys print nothing, `and`/`or` return an operand, `range` over maps
//! goes in key order. Budgets bound steps, output and `include` depth, so a hostile chart ends
//! in an error, not a hang.

use std::cell::Cell;

use serde_json::Value;

use super::legacy_funcs as funcs;
use super::parse::{Arg, Defines, Node, Pipe, parse};
use super::{TemplateError, is_kots_template};

const MAX_STEPS: usize = 2_000_000;
const MAX_OUTPUT: usize = 8 * 1024 * 1024;
const MAX_DEPTH: usize = 64;

pub struct Engine<'d> {
    pub defines: &'d Defines,
    steps: Cell<usize>,
    depth: Cell<usize>,
}

enum Flow {
    Normal,
    Break,
    Continue,
}

type Vars = Vec<(String, Value)>;

impl<'d> Engine<'d> {
    pub fn new(defines: &'d Defines) -> Self {
        Engine {
            defines,
            steps: Cell::new(0),
            depth: Cell::new(0),
        }
    }

    /// Render a template body with `dot` as both `.` and `$`.
    pub fn render(&self, nodes: &[Node], dot: &Value) -> Result<String, TemplateError> {
        let mut out = String::new();
        let mut vars = vec![("".to_owned(), dot.clone())];
        self.exec(nodes, dot, &mut vars, &mut out)?;
        Ok(out)
    }

    /// `include`/`template`: a named template, with its own variables.
    pub fn named(&self, name: &str, dot: &Value, line: usize) -> Result<String, TemplateError> {
        let body = self
            .defines
            .get(name)
            .ok_or_else(|| TemplateError::at(line, format!("no template named \"{name}\"")))?;
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Err(TemplateError::at(
                line,
                format!("templates nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.depth.set(depth + 1);
        let result = self.render(body, dot);
        self.depth.set(depth);
        result
    }

    /// `tpl`: parse a string as a template and render it here.
    fn tpl(&self, src: &str, dot: &Value, line: usize) -> Result<String, TemplateError> {
        let mut local = self.defines.clone();
        let nodes = parse(src, &mut local).map_err(|e| TemplateError::at(line, format!("tpl: {}", e.message)))?;
        let engine = Engine {
            defines: &local,
            steps: Cell::new(self.steps.get()),
            depth: Cell::new(self.depth.get() + 1),
        };
        if engine.depth.get() >= MAX_DEPTH {
            return Err(TemplateError::at(line, "tpl nests too deep"));
        }
        let out = engine.render(&nodes, dot);
        self.steps.set(engine.steps.get());
        out
    }

    fn step(&self, line: usize) -> Result<(), TemplateError> {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        if n > MAX_STEPS {
            return Err(TemplateError::at(
                line,
                format!("more than {MAX_STEPS} evaluation steps"),
            ));
        }
        Ok(())
    }

    fn exec(&self, nodes: &[Node], dot: &Value, vars: &mut Vars, out: &mut String) -> Result<Flow, TemplateError> {
        for node in nodes {
            self.step(0)?;
            if out.len() > MAX_OUTPUT {
                return Err(TemplateError::at(
                    0,
                    format!("output larger than {} MiB", MAX_OUTPUT >> 20),
                ));
            }
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Out(p) => {
                    let v = self.pipe(p, dot, vars)?;
                    if p.vars.is_empty() {
                        out.push_str(&print(&v));
                    }
                }
                Node::If(branches, otherwise) | Node::With(branches, otherwise) => {
                    let is_with = matches!(node, Node::With(..));
                    let mark = vars.len();
                    let mut taken = None;
                    for (p, body) in branches {
                        let v = self.pipe(p, dot, vars)?;
                        if truth(&v, p.line)? {
                            taken = Some((body, v));
                            break;
                        }
                    }
                    let flow = match taken {
                        Some((body, v)) if is_with => self.exec(body, &v, vars, out)?,
                        Some((body, _)) => self.exec(body, dot, vars, out)?,
                        None => self.exec(otherwise, dot, vars, out)?,
                    };
                    vars.truncate(mark);
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::Range(p, body, otherwise) => {
                    let mark = vars.len();
                    let plain = Pipe {
                        vars: Vec::new(),
                        assign: false,
                        cmds: p.cmds.clone(),
                        line: p.line,
                    };
                    let v = self.pipe(&plain, dot, vars)?;
                    let items: Vec<(Value, Value)> = match &v {
                        Value::Array(a) => a.iter().enumerate().map(|(i, x)| (Value::from(i), x.clone())).collect(),
                        Value::Object(m) => {
                            let mut keys: Vec<&String> = m.keys().collect();
                            keys.sort();
                            keys.into_iter()
                                .map(|k| (Value::from(k.clone()), m[k].clone()))
                                .collect()
                        }
                        Value::Number(n) if n.as_i64().is_some() => (0..n.as_i64().unwrap_or(0))
                            .map(|i| (Value::from(i), Value::from(i)))
                            .collect(),
                        Value::Null => Vec::new(),
                        Value::String(s) if is_kots_template(s) => return Err(kots_unknown(p.line)),
                        other => {
                            return Err(TemplateError::at(
                                p.line,
                                format!("range can't iterate over {}", print(other)),
                            ));
                        }
                    };
                    if items.is_empty() {
                        self.exec(otherwise, dot, vars, out)?;
                    }
                    for (k, x) in items {
                        vars.truncate(mark);
                        match p.vars.as_slice() {
                            [] => {}
                            [one] => vars.push((one.clone(), x.clone())),
                            [a, b, ..] => {
                                vars.push((a.clone(), k));
                                vars.push((b.clone(), x.clone()));
                            }
                        }
                        match self.exec(body, &x, vars, out)? {
                            Flow::Break => break,
                            Flow::Continue | Flow::Normal => {}
                        }
                    }
                    vars.truncate(mark);
                }
                Node::Template(name, p, line) => {
                    let arg = match p {
                        Some(p) => self.pipe(p, dot, vars)?,
                        None => Value::Null,
                    };
                    out.push_str(&self.named(name, &arg, *line)?);
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn pipe(&self, p: &Pipe, dot: &Value, vars: &mut Vars) -> Result<Value, TemplateError> {
        let mut piped: Option<Value> = None;
        for cmd in &p.cmds {
            piped = Some(self.command(cmd, dot, vars, piped, p.line)?);
        }
        let v = piped.unwrap_or(Value::Null);
        for name in &p.vars {
            if p.assign {
                let slot = vars
                    .iter_mut()
                    .rev()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| TemplateError::at(p.line, format!("undefined variable ${name}")))?;
                slot.1 = v.clone();
            } else {
                vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn command(
        &self,
        cmd: &[Arg],
        dot: &Value,
        vars: &mut Vars,
        piped: Option<Value>,
        line: usize,
    ) -> Result<Value, TemplateError> {
        self.step(line)?;
        let Some((first, rest)) = cmd.split_first() else {
            return Err(TemplateError::at(line, "empty command"));
        };
        let Arg::Func(name) = first else {
            if !rest.is_empty() || piped.is_some() {
                return Err(TemplateError::at(
                    line,
                    "arguments given to a value that is not a function (method calls are not supported)",
                ));
            }
            return self.arg(first, dot, vars, line);
        };
        let mut args = Vec::with_capacity(rest.len() + 1);
        for a in rest {
            args.push(self.arg(a, dot, vars, line)?);
        }
        if let Some(v) = piped {
            args.push(v);
        }
        match name.as_str() {
            "include" => {
                let (Some(Value::String(n)), ctx) = (args.first(), args.get(1).cloned().unwrap_or(Value::Null)) else {
                    return Err(TemplateError::at(line, "include needs a template name"));
                };
                Ok(Value::String(self.named(n, &ctx, line)?))
            }
            "tpl" => {
                let (Some(Value::String(src)), Some(ctx)) = (args.first(), args.get(1)) else {
                    return Err(TemplateError::at(line, "tpl needs a string and a context"));
                };
                if is_kots_template(src) {
                    return Err(kots_unknown(line));
                }
                Ok(Value::String(self.tpl(src, ctx, line)?))
            }
            _ => funcs::call(name, args).map_err(|m| TemplateError::at(line, m)),
        }
    }

    fn arg(&self, a: &Arg, dot: &Value, vars: &mut Vars, line: usize) -> Result<Value, TemplateError> {
        Ok(match a {
            Arg::Field(chain) => fields(dot, chain, line)?,
            Arg::Var(name, chain) => {
                let v = vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| TemplateError::at(line, format!("undefined variable ${name}")))?;
                fields(&v, chain, line)?
            }
            Arg::Str(s) => Value::String(s.clone()),
            Arg::Int(n) => Value::from(*n),
            Arg::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Nil => Value::Null,
            Arg::Func(name) => self.command(&[Arg::Func(name.clone())], dot, vars, None, line)?,
            Arg::Sub(p, chain) => {
                let v = self.pipe(p, dot, vars)?;
                fields(&v, chain, line)?
            }
        })
    }
}

fn kots_unknown(line: usize) -> TemplateError {
    TemplateError::at(
        line,
        "a decision depends on a KOTS template value (repl{{ ... }}) known only at install time",
    )
}

fn fields(v: &Value, chain: &[String], line: usize) -> Result<Value, TemplateError> {
    let mut cur = v.clone();
    for f in chain {
        cur = match cur {
            Value::Object(mut m) => m.remove(f).unwrap_or(Value::Null),
            Value::Null => {
                return Err(TemplateError::at(
                    line,
                    format!("nil pointer evaluating interface {{}}.{f}"),
                ));
            }
            other => {
                return Err(TemplateError::at(
                    line,
                    format!("can't evaluate field {f} in type {}", funcs::type_of(&other)),
                ));
            }
        };
    }
    Ok(cur)
}

/// Go template truth; a KOTS template value is unknown, so deciding on it is an error.
pub fn truth(v: &Value, line: usize) -> Result<bool, TemplateError> {
    if matches!(v, Value::String(s) if is_kots_template(s)) {
        return Err(kots_unknown(line));
    }
    Ok(funcs::truthy(v))
}

/// How Go's `fmt` prints a value (`%v`), with Helm's `<no value>` removed.
pub fn print(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => funcs::go_number(n),
        Value::Array(a) => format!("[{}]", a.iter().map(print_inner).collect::<Vec<_>>().join(" ")),
        Value::Object(_) => print_inner(v),
    }
}

fn print_inner(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{k}:{}", print_inner(&m[*k]))).collect();
            format!("map[{}]", parts.join(" "))
        }
        other => print(other),
    }
}
