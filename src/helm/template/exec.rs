//! Executing templates with Go's semantics as Helm configures them (`missingkey=zero`, nil
//! printing as nothing). The subtle parts, each as Go does it:
//! - a pipeline's nil result is Go's invalid value (`NoValue`): a field of it is again
//!   `NoValue`, while a field of a nil *inside* a chain (`.a.b` with `a` missing) is an error;
//! - `and`/`or` evaluate their arguments lazily and return one of them;
//! - variables live until the end of the control structure that declared them;
//! - `include` and `tpl` render to a string; `template` writes in place.
//!
//! Budgets bound steps, output size and template nesting so a hostile chart ends in an error.

use std::collections::HashMap;
use std::rc::Rc;

use super::parse::{Arg, Cmd, Node, Pipe};
use super::{Error, NO_VALUE, Origin, Output, Set, Template};
use crate::helm::funcs;
use crate::helm::value::{Value, action_string};
use crate::helm::{UNKNOWN_UNTIL_INSTALL, is_kots_template};

/// Bounds on one template execution.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_steps: usize,
    pub max_output: usize,
    /// `include`/`template`/`tpl` calls nested deeper than this fail.
    pub max_depth: usize,
    /// All templates of one chart together write at most this much.
    pub max_chart_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 20_000_000,
            max_output: 16 << 20,
            max_depth: 100,
            max_chart_output: 64 << 20,
        }
    }
}

/// Functions whose result decides on their arguments: a KOTS template string (known only at
/// install time) given to one of them makes the output unknown. `default`, `coalesce` and
/// `required` are not here: the KOTS text is a non-empty value they pass on unchanged.
const DECIDES: &[&str] = &[
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "empty",
    "ternary",
    "int",
    "int64",
    "atoi",
    "float64",
    "semverCompare",
    "regexMatch",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "len",
];

enum Flow {
    Normal,
    Break,
    Continue,
}

/// Variables of one template invocation, innermost last; `$` first.
struct Scope {
    vars: Vec<(Rc<str>, Value)>,
    file: usize,
    src: Rc<str>,
}

pub struct Exec<'s> {
    set: &'s Set,
    limits: &'s Limits,
    steps: usize,
    depth: usize,
    /// Templates defined by `tpl` strings, innermost last, and their sources.
    overlay: Vec<HashMap<Rc<str>, Template>>,
    extra_src: Vec<Rc<str>>,
}

impl<'s> Exec<'s> {
    pub fn new(set: &'s Set, limits: &'s Limits) -> Self {
        Exec {
            set,
            limits,
            steps: 0,
            depth: 0,
            overlay: Vec::new(),
            extra_src: Vec::new(),
        }
    }

    pub fn run(&mut self, name: &str, dot: Value) -> Result<Output, Error> {
        let tpl = self
            .template(name)
            .ok_or_else(|| Error::at(0, format!("no template {name:?}")))?;
        let mut out = Output::default();
        self.call(&tpl, dot, &mut out, 0)?;
        Ok(out)
    }

    fn template(&self, name: &str) -> Option<Template> {
        self.overlay
            .iter()
            .rev()
            .find_map(|m| m.get(name))
            .or_else(|| self.set.templates.get(name))
            .cloned()
    }

    fn source(&self, file: usize) -> (Rc<str>, Rc<str>) {
        match self.set.files.get(file) {
            Some(f) => (f.name.clone(), f.src.clone()),
            None => (
                Rc::from("tpl"),
                self.extra_src
                    .get(file - self.set.files.len())
                    .cloned()
                    .unwrap_or_else(|| Rc::from("")),
            ),
        }
    }

    /// Run a template body with a fresh scope (`$` = dot).
    fn call(&mut self, tpl: &Template, dot: Value, out: &mut Output, pos: usize) -> Result<(), Error> {
        if self.depth >= self.limits.max_depth {
            return Err(Error::at(
                pos,
                format!(
                    "templates nest deeper than {} levels (recursive include?; limits.max-include-depth in .snaplint.yaml)",
                    self.limits.max_depth
                ),
            ));
        }
        // Go passes the data through reflect.ValueOf: a nil interface becomes no value.
        let dot = if matches!(dot, Value::Nil) { Value::NoValue } else { dot };
        let (name, src) = self.source(tpl.file);
        let mut scope = Scope {
            vars: vec![(Rc::from("$"), dot.clone())],
            file: tpl.file,
            src,
        };
        self.depth += 1;
        let result = self.walk(&tpl.body, &dot, &mut scope, out);
        self.depth -= 1;
        result.map(|_| ()).map_err(|e| e.in_template(&name))
    }

    fn step(&mut self, pos: usize) -> Result<(), Error> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(Error::at(
                pos,
                format!(
                    "more than {} evaluation steps (limits.max-template-steps in .snaplint.yaml)",
                    self.limits.max_steps
                ),
            ));
        }
        Ok(())
    }

    /// Append output written by `span` of the current template: a text node's own bytes
    /// (`verbatim`) or an action's value.
    fn emit(
        &self,
        out: &mut Output,
        scope: &Scope,
        span: std::ops::Range<usize>,
        text: &str,
        verbatim: bool,
    ) -> Result<(), Error> {
        if text.is_empty() {
            return Ok(());
        }
        if out.text.len() + text.len() > self.limits.max_output {
            return Err(Error::at(
                span.start,
                format!(
                    "output larger than {} (limits.max-template-output in .snaplint.yaml)",
                    crate::source::human_size(self.limits.max_output as u64)
                ),
            ));
        }
        let origin = Origin {
            file: scope.file,
            span,
            verbatim,
        };
        // An action run again right after itself (in a loop) is one piece; verbatim text is
        // never merged, since offsets inside it map one to one.
        if verbatim || out.origins.last().is_none_or(|(_, o)| *o != origin) {
            out.origins.push((out.text.len(), origin));
        }
        out.text.push_str(text);
        Ok(())
    }

    fn walk(&mut self, nodes: &[Node], dot: &Value, scope: &mut Scope, out: &mut Output) -> Result<Flow, Error> {
        for node in nodes {
            match node {
                Node::Text(r) => {
                    let src = scope.src.clone();
                    self.emit(out, scope, r.clone(), &src[r.clone()], true)?;
                }
                Node::Action(pipe) => {
                    self.step(pipe.span.start)?;
                    let v = self.pipe(pipe, dot, scope)?;
                    if pipe.vars.is_empty() {
                        self.emit(out, scope, pipe.span.clone(), &action_string(&v), false)?;
                    }
                }
                Node::If {
                    with,
                    branches,
                    otherwise,
                } => {
                    let flow = self.conditional(*with, branches, otherwise, dot, scope, out)?;
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::Range { pipe, body, otherwise } => {
                    self.range(pipe, body, otherwise, dot, scope, out)?;
                }
                Node::Template { name, pipe, span } => {
                    self.step(span.start)?;
                    let data = match pipe {
                        Some(p) => self.pipe(p, dot, scope)?,
                        None => Value::NoValue,
                    };
                    let tpl = self
                        .template(name)
                        .ok_or_else(|| Error::at(span.start, format!("no such template {name:?}")))?;
                    self.call(&tpl, data, out, span.start)?;
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn conditional(
        &mut self,
        with: bool,
        branches: &[(Pipe, Vec<Node>)],
        otherwise: &[Node],
        dot: &Value,
        scope: &mut Scope,
        out: &mut Output,
    ) -> Result<Flow, Error> {
        let mark = scope.vars.len();
        let mut flow = None;
        for (pipe, body) in branches {
            self.step(pipe.span.start)?;
            let v = self.pipe(pipe, dot, scope)?;
            if truth(&v, pipe.span.start)? {
                let inner = if with { v } else { dot.clone() };
                flow = Some(self.walk(body, &inner, scope, out)?);
                break;
            }
        }
        let flow = match flow {
            Some(f) => f,
            None => self.walk(otherwise, dot, scope, out)?,
        };
        scope.vars.truncate(mark);
        Ok(flow)
    }

    fn range(
        &mut self,
        pipe: &Pipe,
        body: &[Node],
        otherwise: &[Node],
        dot: &Value,
        scope: &mut Scope,
        out: &mut Output,
    ) -> Result<(), Error> {
        let mark = scope.vars.len();
        let pos = pipe.span.start;
        let v = self.commands(pipe, dot, scope)?;
        let pairs: Vec<(Value, Value)> = match &v {
            Value::List(items, _) => items
                .iter()
                .enumerate()
                .map(|(i, x)| (Value::Int(i as i64), x.clone()))
                .collect(),
            Value::Map(m) => m
                .borrow()
                .iter()
                .map(|(k, x)| (Value::str(k.as_str()), x.clone()))
                .collect(),
            Value::Int(n) => {
                if pipe.vars.len() > 1 {
                    return Err(Error::at(pos, "can't use an integer with two range variables"));
                }
                (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect()
            }
            Value::NoValue | Value::Nil => Vec::new(),
            Value::Object(o) => match o.entries() {
                Some(e) => e.into_iter().map(|(k, x)| (Value::str(k), x)).collect(),
                None => return Err(Error::at(pos, format!("range can't iterate over {}", o.display()))),
            },
            other => {
                return Err(Error::at(
                    pos,
                    format!("range can't iterate over {}", action_string(other)),
                ));
            }
        };
        if pairs.is_empty() {
            self.walk(otherwise, dot, scope, out)?;
            scope.vars.truncate(mark);
            return Ok(());
        }
        let inner_mark = scope.vars.len();
        for (key, elem) in pairs {
            self.step(pos)?;
            match pipe.vars.as_slice() {
                [] => {}
                [v] => self.bind(scope, v, elem.clone(), pipe.assign, pos)?,
                [k, v, ..] => {
                    self.bind(scope, k, key, pipe.assign, pos)?;
                    self.bind(scope, v, elem.clone(), pipe.assign, pos)?;
                }
            }
            let flow = self.walk(body, &elem, scope, out)?;
            scope.vars.truncate(inner_mark.max(mark));
            if matches!(flow, Flow::Break) {
                break;
            }
        }
        scope.vars.truncate(mark);
        Ok(())
    }

    fn bind(&self, scope: &mut Scope, name: &Rc<str>, v: Value, assign: bool, pos: usize) -> Result<(), Error> {
        if assign {
            let slot = scope
                .vars
                .iter_mut()
                .rev()
                .find(|(n, _)| n == name)
                .ok_or_else(|| Error::at(pos, format!("undefined variable: {name}")))?;
            slot.1 = v;
        } else {
            scope.vars.push((name.clone(), v));
        }
        Ok(())
    }

    /// A pipeline's value; declares or assigns its variables.
    fn pipe(&mut self, pipe: &Pipe, dot: &Value, scope: &mut Scope) -> Result<Value, Error> {
        let v = self.commands(pipe, dot, scope)?;
        match pipe.vars.as_slice() {
            [] => {}
            [name] => self.bind(scope, name, v.clone(), pipe.assign, pipe.span.start)?,
            _ => return Err(Error::at(pipe.span.start, "too many declarations in command")),
        }
        Ok(v)
    }

    fn commands(&mut self, pipe: &Pipe, dot: &Value, scope: &mut Scope) -> Result<Value, Error> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            let v = self.command(cmd, dot, scope, value.take())?;
            // Go digs into interface{} after each command: a nil becomes no value.
            value = Some(if matches!(v, Value::Nil) { Value::NoValue } else { v });
        }
        Ok(value.unwrap_or_default())
    }

    fn command(&mut self, cmd: &Cmd, dot: &Value, scope: &mut Scope, last: Option<Value>) -> Result<Value, Error> {
        let pos = cmd.span.start;
        let args = &cmd.args[1..];
        match &cmd.args[0] {
            Arg::Func(name) => self.call_func(name, args, last, dot, scope, pos),
            Arg::Field(fields) => self.chain(dot.clone(), fields, args, last, dot, scope, pos, true),
            Arg::Var(name, fields) => {
                let v = var(scope, name, pos)?;
                self.chain(v, fields, args, last, dot, scope, pos, false)
            }
            Arg::Sub(p, fields) => {
                let v = self.commands(p, dot, scope)?;
                self.chain(v, fields, args, last, dot, scope, pos, false)
            }
            other => {
                if last.is_some() {
                    return Err(Error::at(pos, "can't give argument to non-function"));
                }
                self.arg(other, dot, scope, pos)
            }
        }
    }

    /// A field chain on `recv`; the last link gets the command's arguments (a method call).
    /// `from_dot`: the chain starts at the dot, where a nil receiver is an error in Go.
    #[allow(clippy::too_many_arguments)]
    fn chain(
        &mut self,
        mut recv: Value,
        fields: &[Rc<str>],
        args: &[Arg],
        last: Option<Value>,
        dot: &Value,
        scope: &mut Scope,
        pos: usize,
        from_dot: bool,
    ) -> Result<Value, Error> {
        if fields.is_empty() {
            if !args.is_empty() || last.is_some() {
                return Err(Error::at(pos, "can't give argument to non-function"));
            }
            return Ok(recv);
        }
        if from_dot && matches!(recv, Value::NoValue) {
            // Go treats an invalid dot like an empty map under missingkey=zero.
            return Ok(Value::NoValue);
        }
        for (i, name) in fields.iter().enumerate() {
            let final_link = i + 1 == fields.len();
            let mut argv = Vec::new();
            if final_link {
                for a in args {
                    argv.push(nil_if_none(self.arg(a, dot, scope, pos)?));
                }
                if let Some(l) = last.clone() {
                    argv.push(nil_if_none(l));
                }
            }
            let has_args = final_link && (!args.is_empty() || last.is_some());
            recv = field(&recv, name, &argv, has_args, pos)?;
        }
        Ok(recv)
    }

    fn arg(&mut self, arg: &Arg, dot: &Value, scope: &mut Scope, pos: usize) -> Result<Value, Error> {
        Ok(match arg {
            Arg::Dot => dot.clone(),
            Arg::Nil => Value::Nil,
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Int(i) => Value::Int(*i),
            Arg::Float(f) => Value::Float(*f),
            Arg::Str(s) => Value::Str(s.clone()),
            Arg::Field(fields) => self.chain(dot.clone(), fields, &[], None, dot, scope, pos, true)?,
            Arg::Var(name, fields) => {
                let v = var(scope, name, pos)?;
                self.chain(v, fields, &[], None, dot, scope, pos, false)?
            }
            Arg::Func(name) => self.call_func(name, &[], None, dot, scope, pos)?,
            Arg::Sub(p, fields) => {
                let v = self.commands(p, dot, scope)?;
                self.chain(v, fields, &[], None, dot, scope, pos, false)?
            }
        })
    }

    fn call_func(
        &mut self,
        name: &str,
        args: &[Arg],
        last: Option<Value>,
        dot: &Value,
        scope: &mut Scope,
        pos: usize,
    ) -> Result<Value, Error> {
        self.step(pos)?;
        if name == "and" || name == "or" {
            return self.and_or(name == "and", args, last, dot, scope, pos);
        }
        let mut argv = Vec::with_capacity(args.len() + 1);
        for a in args {
            argv.push(nil_if_none(self.arg(a, dot, scope, pos)?));
        }
        if let Some(l) = last {
            argv.push(nil_if_none(l));
        }
        if DECIDES.contains(&name) && argv.iter().any(|a| a.as_str().is_some_and(is_kots_template)) {
            return Err(Error::unknown(
                pos,
                format!("`{name}` decides on a KOTS template value, known only at install time"),
            ));
        }
        match name {
            "include" => self.include(&argv, pos),
            "tpl" => self.tpl(&argv, pos),
            _ => {
                let f = funcs::lookup(name).ok_or_else(|| {
                    Error::at(
                        pos,
                        format!("function {name:?} is not supported by snaplint's renderer"),
                    )
                })?;
                f(&argv).map_err(|m| match funcs::helm_error_message(&m) {
                    // `fail` and `required`: Helm prints the chart's own message alone.
                    Some(own) => Error::at(pos, own),
                    None => Error::at(pos, format!("error calling {name}: {m}")),
                })
            }
        }
    }

    /// Go 1.18+: `and` returns the first false argument or the last; `or` the first true one
    /// or the last; later arguments are not evaluated.
    fn and_or(
        &mut self,
        and: bool,
        args: &[Arg],
        last: Option<Value>,
        dot: &Value,
        scope: &mut Scope,
        pos: usize,
    ) -> Result<Value, Error> {
        let total = args.len() + usize::from(last.is_some());
        if total == 0 {
            return Err(Error::at(pos, "wrong number of args: want at least 1 got 0"));
        }
        let mut last = last;
        for i in 0..total {
            let v = match args.get(i) {
                Some(a) => self.arg(a, dot, scope, pos)?,
                None => last.take().unwrap_or_default(),
            };
            if i + 1 == total || truth(&v, pos)? != and {
                return Ok(v);
            }
        }
        Ok(Value::NoValue)
    }

    fn include(&mut self, argv: &[Value], pos: usize) -> Result<Value, Error> {
        let (name, data) = text_and_data("include", argv, pos)?;
        let tpl = self.template(&name).ok_or_else(|| {
            Error::at(
                pos,
                format!("error calling include: template: no template {name:?} associated with template \"gotpl\""),
            )
        })?;
        let mut out = Output::default();
        match self.call(&tpl, data.clone(), &mut out, pos) {
            // What the template would write depends on the customer's configuration: the
            // caller gets text that says so (and is itself a KOTS template, so nothing
            // decides on it), and a checksum of it or a label holding it stays harmless.
            Err(e) if e.unknown => Ok(Value::str(UNKNOWN_UNTIL_INSTALL)),
            Err(e) => Err(e),
            Ok(()) => Ok(Value::str(out.text)),
        }
    }

    /// Helm's `tpl`: the string parsed as a template (its `define`s local to it) and run with
    /// the given data, the chart's templates in reach.
    fn tpl(&mut self, argv: &[Value], pos: usize) -> Result<Value, Error> {
        let (text, data) = text_and_data("tpl", argv, pos)?;
        if is_kots_template(&text) {
            return Err(Error::unknown(
                pos,
                "`tpl` of a KOTS template value, known only at install time",
            ));
        }
        let parsed =
            super::parse::parse(&text).map_err(|e| Error::at(pos, format!("error calling tpl: {}", e.message)))?;
        let file = self.set.files.len() + self.extra_src.len();
        self.extra_src.push(text);
        let mut local = HashMap::new();
        for (name, body) in parsed.defines {
            local.insert(
                name,
                Template {
                    file,
                    body: Rc::new(body),
                },
            );
        }
        self.overlay.push(local);
        let tpl = Template {
            file,
            body: Rc::new(parsed.body),
        };
        let mut out = Output::default();
        let result = self.call(&tpl, data.clone(), &mut out, pos);
        self.overlay.pop();
        self.extra_src.pop();
        result.map_err(|mut e| {
            // The error is inside the string; report it at the `tpl` call.
            e.pos = pos;
            e.template = None;
            if !e.message.starts_with("error calling tpl: ") {
                e.message = format!("error calling tpl: {}", e.message);
            }
            e
        })?;
        Ok(Value::str(out.text.replace(NO_VALUE, "")))
    }
}

/// The (name or text, data) arguments of `include` and `tpl`.
fn text_and_data<'a>(func: &str, argv: &'a [Value], pos: usize) -> Result<(Rc<str>, &'a Value), Error> {
    let [text, data] = argv else {
        return Err(Error::at(
            pos,
            format!("wrong number of args for {func}: want 2 got {}", argv.len()),
        ));
    };
    let text = match text {
        Value::Str(s) => s.clone(),
        other => Rc::from(action_string(other)),
    };
    Ok((text, data))
}

/// Go converts an invalid argument to the zero value of `interface{}`: nil.
fn nil_if_none(v: Value) -> Value {
    if matches!(v, Value::NoValue) { Value::Nil } else { v }
}

fn var(scope: &Scope, name: &str, pos: usize) -> Result<Value, Error> {
    scope
        .vars
        .iter()
        .rev()
        .find(|(n, _)| &**n == name)
        .map(|(_, v)| v.clone())
        .ok_or_else(|| Error::at(pos, format!("undefined variable: {name}")))
}

/// One field (or method) of a receiver, as Go's `evalField` under `missingkey=zero`.
fn field(recv: &Value, name: &str, args: &[Value], has_args: bool, pos: usize) -> Result<Value, Error> {
    match recv {
        Value::NoValue => Ok(Value::NoValue),
        Value::Nil => Err(Error::at(pos, format!("nil pointer evaluating interface {{}}.{name}"))),
        Value::Map(m) => {
            if has_args {
                return Err(Error::at(pos, format!("{name} is not a method but has arguments")));
            }
            Ok(m.borrow().get(name).cloned().unwrap_or(Value::Nil))
        }
        Value::Object(o) => {
            if let Some(r) = o.method(name, args) {
                return r.map_err(|m| Error::at(pos, format!("error calling {name}: {m}")));
            }
            match o.field(name) {
                Some(_) if has_args => Err(Error::at(
                    pos,
                    format!("{name} has arguments but cannot be invoked as function"),
                )),
                Some(v) => Ok(v),
                None => Err(Error::at(
                    pos,
                    format!("can't evaluate field {name} in type {}", o.type_name()),
                )),
            }
        }
        other => Err(Error::at(
            pos,
            format!("can't evaluate field {name} in type {}", other.type_name()),
        )),
    }
}

/// Go's truth, refusing to decide on a KOTS template string.
fn truth(v: &Value, pos: usize) -> Result<bool, Error> {
    if v.as_str().is_some_and(is_kots_template) {
        return Err(Error::unknown(
            pos,
            "a condition depends on a KOTS template value, known only at install time",
        ));
    }
    Ok(v.truth())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn render(src: &str, values: serde_json::Value) -> Result<String, Error> {
        let mut set = Set::new();
        set.add("t", src)?;
        let dot = Value::map(BTreeMap::from([("Values".to_owned(), Value::from(&values))]));
        set.execute("t", dot, &Limits::default()).map(|o| o.text)
    }

    fn ok(src: &str, values: serde_json::Value) -> String {
        render(src, values).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    #[test]
    fn nil_fields_as_go() {
        let v = serde_json::json!({"a": {"b": 1}, "n": null});
        assert_eq!(ok("{{ .Values.a.b }}|{{ .Values.missing }}", v.clone()), "1|");
        assert!(render("{{ .Values.missing.x }}", v.clone()).is_err());
        assert!(render("{{ .Values.n.x }}", v.clone()).is_err());
        assert_eq!(ok("{{ (.Values.missing).x }}", v.clone()), "");
        assert_eq!(ok("{{ $m := .Values.missing }}{{ $m.x }}", v.clone()), "");
        assert_eq!(ok(r#"{{ define "d" }}{{ .x }}{{ end }}{{ template "d" }}"#, v), "");
    }

    /// As helm 3.17 renders it: Go prints a nil as `<no value>`; Helm removes that from the
    /// file's output and from `tpl`'s, not from what `include` returns.
    #[test]
    fn no_value_stays_in_an_include_only() {
        let v = serde_json::json!({"n": null});
        let src = r#"{{- define "d" }}x={{ .Values.missing }};n={{ .Values.n }}{{ end -}}
inc: {{ include "d" . | quote }}
up: {{ include "d" . | upper | quote }}
tpl: {{ tpl "y={{ .Values.missing }}" . | quote }}
tplinc: {{ tpl "{{ include \"d\" . }}" . | quote }}
lit: "{{ "<no value>" }}"
sum: {{ include "d" . | sha256sum }}"#;
        assert_eq!(
            ok(src, v),
            "inc: \"x=;n=\"\nup: \"X=<NO VALUE>;N=<NO VALUE>\"\ntpl: \"y=\"\ntplinc: \"x=;n=\"\nlit: \"\"\n\
             sum: 49565405e37afa4b83e8bde3bd18b31f37e1119c483353ee31e546c5a5465352"
        );
    }

    #[test]
    fn removing_no_value_keeps_each_piece_on_its_template_bytes() {
        let mut set = Set::new();
        set.add("t", "a: {{ .Values.missing }}\nb: {{ 1 }}\n").unwrap();
        let dot = Value::map(BTreeMap::from([("Values".to_owned(), Value::empty_map())]));
        let out = set.execute("t", dot, &Limits::default()).unwrap();
        assert_eq!(out.text, "a: \nb: 1\n");
        let origin = |at| out.origin_at(at).map(|o| (o.span.clone(), o.verbatim));
        // `\nb: ` is the template's text after the action (bytes 24..28), `1` its second action.
        assert_eq!(origin(3), Some((24..28, true)));
        assert_eq!(origin(7), Some((28..35, false)));
    }

    #[test]
    fn and_or_short_circuit() {
        let v = serde_json::json!({});
        assert_eq!(ok("{{ and .Values.a .Values.a.b }}", v.clone()), "");
        assert_eq!(ok("{{ or 0 \"\" \"x\" .Values.a.b }}", v.clone()), "x");
        assert_eq!(ok("{{ and 1 2 }}", v), "2");
    }

    #[test]
    fn variables_scope_and_range() {
        let v = serde_json::json!({"l": ["a", "b", "c"], "m": {"y": 2, "x": 1}});
        assert_eq!(
            ok(
                "{{ $x := 1 }}{{ range $i, $e := .Values.l }}{{ $x = $i }}{{ if eq $e \"b\" }}{{ continue }}{{ end }}{{ $e }}{{ end }}{{ $x }}",
                v.clone()
            ),
            "ac2"
        );
        assert_eq!(
            ok("{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}", v.clone()),
            "x=1;y=2;"
        );
        assert_eq!(
            ok(
                "{{ range .Values.l }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
                v.clone()
            ),
            "a"
        );
        assert_eq!(
            ok("{{ range .Values.none }}x{{ else }}empty{{ end }}", v.clone()),
            "empty"
        );
        assert_eq!(ok("{{ range 3 }}{{ . }}{{ end }}", v.clone()), "012");
        assert!(render("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}", v).is_err());
    }

    #[test]
    fn else_chains() {
        let v = serde_json::json!({"b": "B"});
        assert_eq!(
            ok(
                "{{ with .Values.a }}a{{ else with .Values.b }}{{ . }}{{ else }}none{{ end }}",
                v.clone()
            ),
            "B"
        );
        assert_eq!(
            ok("{{ if .Values.a }}a{{ else if .Values.b }}b{{ else }}c{{ end }}", v),
            "b"
        );
    }

    #[test]
    fn include_tpl_and_provenance() {
        let mut set = Set::new();
        set.add("h", r#"{{ define "n" }}[{{ .x }}]{{ end }}"#).unwrap();
        set.add(
            "t",
            "a: {{ include \"n\" (dict \"x\" 1) }}\nb: {{ tpl \"{{ .y }}\" . }}\n{{ template \"n\" (dict \"x\" 2) }}",
        )
        .unwrap();
        let dot = Value::map(BTreeMap::from([("y".to_owned(), Value::str("Y"))]));
        let out = set.execute("t", dot, &Limits::default());
        // `dict` comes from the function table; without it this is an unsupported function.
        match out {
            Ok(out) => {
                assert_eq!(out.text, "a: [1]\nb: Y\n[2]");
                let at = out.text.find("[2]").unwrap() + 1;
                let origin = out.origin_at(at).unwrap();
                assert_eq!(set.file_name(origin.file), "h");
            }
            Err(e) => assert!(e.message.contains("not supported"), "{e:?}"),
        }
    }

    #[test]
    fn recursion_and_output_are_bounded() {
        let e = render(
            r#"{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}"#,
            serde_json::json!({}),
        )
        .unwrap_err();
        assert!(e.message.contains("nest"), "{e:?}");
        let e = render(
            r#"{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}"#,
            serde_json::json!({}),
        )
        .unwrap_err();
        assert!(e.message.contains("nest"), "{e:?}");
        let e = render(
            r#"{{ define "r" }}{{ tpl "{{ include \"r\" . }}" . }}{{ end }}{{ include "r" . }}"#,
            serde_json::json!({}),
        )
        .unwrap_err();
        assert!(e.message.contains("nest"), "{e:?}");
        assert_eq!(e.message.matches("error calling tpl").count(), 1, "{e:?}");
    }

    #[test]
    fn an_include_that_depends_on_a_kots_value_is_unknown_text() {
        let v = serde_json::json!({"x": "repl{{ ConfigOption `a` }}"});
        let src = r#"{{ define "d" }}{{ if .Values.x }}y{{ end }}{{ end }}sum: {{ include "d" . | sha256sum }}
v: {{ include "d" . }}"#;
        let out = ok(src, v.clone());
        assert!(out.ends_with(&format!("v: {UNKNOWN_UNTIL_INSTALL}")), "{out}");
        // Deciding on it is still unknown.
        let e = render(
            r#"{{ define "d" }}{{ if .Values.x }}y{{ end }}{{ end }}{{ if include "d" . }}z{{ end }}"#,
            v,
        )
        .unwrap_err();
        assert!(e.unknown, "{e:?}");
    }

    #[test]
    fn kots_values_never_decide() {
        let v = serde_json::json!({"x": "repl{{ ConfigOption `a` }}"});
        assert_eq!(ok("a: {{ .Values.x }}", v.clone()), "a: repl{{ ConfigOption `a` }}");
        let e = render("{{ if .Values.x }}a{{ end }}", v).unwrap_err();
        assert!(e.unknown);
    }
}
