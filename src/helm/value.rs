//! Values as Go templates see them in Helm: `interface{}` holding nil, bool, int64, float64,
//! string, `[]interface{}` or `map[string]interface{}`. Maps are shared and mutable as in Go
//! (`set`, `unset`, `merge` change the map every holder sees); lists are immutable (Sprig's list
//! functions return new lists). Numbers read from values files are float64, as Helm's
//! `sigs.k8s.io/yaml` decoder makes them, and print the way Go's `%v` prints them (`1e+06`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

/// A Go map[string]interface{}: cloning shares it.
pub type Map = Rc<RefCell<BTreeMap<String, Value>>>;

/// A Helm object with fields and methods (`.Files`, `.Capabilities.APIVersions`).
pub trait Object: std::fmt::Debug {
    /// Go's type name, for `typeOf` and error messages.
    fn type_name(&self) -> &'static str;
    fn field(&self, name: &str) -> Option<Value>;
    /// `None`: no such method.
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// What `%v` prints.
    fn display(&self) -> String;
    /// Key/value pairs in order, for objects `range` can walk (`.Files.Glob` results).
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// Go's `len` of an object that is a map or a slice (`.Files`); `None` for a struct or a
    /// pointer, which are always true.
    fn go_len(&self) -> Option<usize> {
        None
    }
}

/// Containers nest at most this deep when printed, copied or converted: a map that holds
/// itself (`set $m "self" $m`) must not overflow the stack.
pub const MAX_NESTING: usize = 256;

#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Go's invalid `reflect.Value`: what a pipeline yields for nil. Field access on it gives
    /// `NoValue` again, where field access on `Nil` is an error.
    #[default]
    NoValue,
    /// A nil `interface{}`: a YAML null, a missing key inside a field chain.
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    /// `[]interface{}`; `strings` marks a Go `[]string` (for `typeOf` only).
    List(Rc<Vec<Value>>, ListType),
    Map(Map),
    Object(Rc<dyn Object>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListType {
    Any,
    Strings,
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items), ListType::Any)
    }

    pub fn strings(items: impl IntoIterator<Item = String>) -> Value {
        Value::List(Rc::new(items.into_iter().map(Value::str).collect()), ListType::Strings)
    }

    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    pub fn empty_map() -> Value {
        Value::map(BTreeMap::new())
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil | Value::NoValue)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Go's `isTrue`: the zero value of its type is false.
    pub fn truth(&self) -> bool {
        match self {
            Value::NoValue | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l, _) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(o) => o.go_len().is_none_or(|n| n > 0),
        }
    }

    /// Go's `reflect.Kind` name, as Sprig's `kindOf` prints it.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::NoValue | Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(..) => "slice",
            Value::Map(_) => "map",
            Value::Object(_) => "ptr",
        }
    }

    /// Go's type name, as Sprig's `typeOf` prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::NoValue | Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_, ListType::Any) => "[]interface {}",
            Value::List(_, ListType::Strings) => "[]string",
            Value::Map(_) => "map[string]interface {}",
            Value::Object(o) => o.type_name(),
        }
    }

    /// A map or list copied down to its scalars (Sprig's `deepCopy`).
    pub fn deep_copy(&self) -> Value {
        self.copy_at(0)
    }

    fn copy_at(&self, depth: usize) -> Value {
        match self {
            _ if depth > MAX_NESTING => Value::Nil,
            Value::List(l, t) => Value::List(Rc::new(l.iter().map(|v| v.copy_at(depth + 1)).collect()), *t),
            Value::Map(m) => Value::map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.copy_at(depth + 1)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// What `fmt.Sprint(v)` / `%v` prints.
pub fn go_string(v: &Value) -> String {
    let mut out = String::new();
    write_go(v, &mut out, 0);
    out
}

fn write_go(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_NESTING {
        out.push_str("...");
        return;
    }
    match v {
        Value::NoValue | Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float(*f, 'g', None)),
        Value::Str(s) => out.push_str(s),
        Value::List(items, _) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, item)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_go(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(o) => out.push_str(&o.display()),
    }
}

/// What an action `{{ x }}` writes: Go's `<no value>` for a nil, which Helm removes from a
/// rendered file but which stays in what `include` returns.
pub fn action_string(v: &Value) -> String {
    match v {
        Value::NoValue | Value::Nil => super::template::NO_VALUE.into(),
        other => go_string(other),
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `g`, `e`, `f` (`prec` None: shortest).
/// `%v` is `g` with the shortest precision, which switches to an exponent at 1e+21 for
/// `f`-style digits but at exponent 6 ... as Go does: `1e+06`, `123456`, `1.5e-05`.
pub fn format_float(f: f64, fmt: char, prec: Option<usize>) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    match fmt {
        'f' => match prec {
            Some(p) => format!("{f:.p$}"),
            None => shortest_digits(f).to_fixed(),
        },
        'e' => match prec {
            Some(p) => go_exponent(&format!("{f:.p$e}")),
            None => shortest_digits(f).to_exp(),
        },
        _ => match prec {
            None => shortest_g(shortest_digits(f)),
            Some(p) => {
                let p = p.max(1);
                let d = Digits::rounded(f, p);
                // %e when the exponent is < -4 or >= the precision.
                let eprec = if p > d.digits.len() && d.digits.len() as i32 >= d.point {
                    d.digits.len()
                } else {
                    p
                };
                let exp = d.point - 1;
                if exp < -4 || exp >= eprec as i32 {
                    d.to_exp()
                } else {
                    d.to_fixed()
                }
            }
        },
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest digits that round-trip as float32 (how
/// Go prints a float32, and how sigs.k8s.io/yaml names a float map key).
pub fn format_float32(f: f64) -> String {
    let x = f as f32;
    if !x.is_finite() {
        return format_float(f64::from(x), 'g', None);
    }
    shortest_g(Digits::from_exp(&format!("{x:e}")))
}

/// The shortest `%g`: the exponent form below 1e-4 and from 1e+06 up.
fn shortest_g(d: Digits) -> String {
    let exp = d.point - 1;
    if !(-4..6).contains(&exp) {
        d.to_exp()
    } else {
        d.to_fixed()
    }
}

/// Decimal digits of a float: `0.d1d2... * 10^point`, sign separate.
struct Digits {
    neg: bool,
    digits: String,
    point: i32,
}

fn shortest_digits(f: f64) -> Digits {
    // Rust's `{:e}` prints the shortest round-tripping digits, as Go's shortest mode does.
    Digits::from_exp(&format!("{f:e}"))
}

impl Digits {
    fn rounded(f: f64, significant: usize) -> Digits {
        Digits::from_exp(&format!("{:.*e}", significant - 1, f))
    }

    fn from_exp(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let neg = mantissa.starts_with('-');
        let mantissa = mantissa.trim_start_matches('-');
        let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let exp: i32 = exp.parse().unwrap_or(0);
        if digits.chars().all(|c| c == '0') {
            return Digits {
                neg,
                digits: "0".into(),
                point: 1,
            };
        }
        // Go's %g drops trailing zeros (unless '#').
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
        }
        Digits {
            neg,
            digits,
            point: exp + 1,
        }
    }

    fn sign(&self) -> &'static str {
        if self.neg { "-" } else { "" }
    }

    fn to_exp(&self) -> String {
        let (first, rest) = self.digits.split_at(1);
        let exp = self.point - 1;
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}{first}{frac}e{sign}{:02}", self.sign(), exp.abs())
    }

    fn to_fixed(&self) -> String {
        let n = self.digits.len() as i32;
        let body = if self.point <= 0 {
            format!("0.{}{}", "0".repeat((-self.point) as usize), self.digits)
        } else if self.point >= n {
            format!("{}{}", self.digits, "0".repeat((self.point - n) as usize))
        } else {
            let (a, b) = self.digits.split_at(self.point as usize);
            format!("{a}.{b}")
        };
        format!("{}{body}", self.sign())
    }
}

/// Rust's `1.5e2` to Go's `1.5e+02`.
fn go_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s.to_owned(),
    }
}

/// From JSON (the values the loader built): numbers become float64, as Helm's decoder does.
impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from).collect()),
            serde_json::Value::Object(m) => Value::map(m.iter().map(|(k, v)| (k.clone(), Value::from(v))).collect()),
        }
    }
}

/// To JSON, as `encoding/json` marshals it (integral floats stay integral; NaN is an error).
pub fn to_json(v: &Value) -> Result<serde_json::Value, String> {
    json_at(v, 0)
}

fn json_at(v: &Value, depth: usize) -> Result<serde_json::Value, String> {
    if depth > MAX_NESTING {
        return Err(format!("json: value nests deeper than {MAX_NESTING} levels"));
    }
    Ok(match v {
        Value::NoValue | Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                serde_json::Value::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f)
                    .map(serde_json::Value::Number)
                    .ok_or_else(|| format!("json: unsupported value: {}", go_string(v)))?
            }
        }
        Value::Str(s) => serde_json::Value::String(s.to_string()),
        Value::List(items, _) => {
            serde_json::Value::Array(items.iter().map(|i| json_at(i, depth + 1)).collect::<Result<_, _>>()?)
        }
        Value::Map(m) => serde_json::Value::Object(
            m.borrow()
                .iter()
                .map(|(k, v)| Ok((k.clone(), json_at(v, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::Object(o) => serde_json::Value::String(o.display()),
    })
}

#[cfg(test)]
// Go's formatting of 3.14159 is what is tested, not pi.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_does() {
        let g = |f: f64| format_float(f, 'g', None);
        assert_eq!(g(8080.0), "8080");
        assert_eq!(g(1_000_000.0), "1e+06");
        assert_eq!(g(123_456.0), "123456");
        assert_eq!(g(1.1), "1.1");
        assert_eq!(g(0.000_015), "1.5e-05");
        assert_eq!(g(0.25), "0.25");
        assert_eq!(g(-2.5), "-2.5");
        assert_eq!(g(0.0), "0");
        assert_eq!(format_float(3.14159, 'f', Some(2)), "3.14");
        assert_eq!(format_float(1234.5, 'e', Some(2)), "1.23e+03");
        assert_eq!(format_float(1234.5, 'g', Some(3)), "1.23e+03");
        assert_eq!(format_float(100.0, 'g', Some(3)), "100");
    }

    #[test]
    fn go_printing_of_containers_and_nil() {
        let v = Value::list(vec![Value::Int(1), Value::Nil, Value::str("a")]);
        assert_eq!(go_string(&v), "[1 <nil> a]");
        let m = Value::map(BTreeMap::from([("a".to_owned(), Value::Float(1.0))]));
        assert_eq!(go_string(&m), "map[a:1]");
        assert_eq!(action_string(&Value::Nil), "<no value>");
    }

    #[test]
    fn maps_are_shared() {
        let m = Value::empty_map();
        let alias = m.clone();
        if let Value::Map(inner) = &m {
            inner.borrow_mut().insert("k".into(), Value::Bool(true));
        }
        assert!(alias.truth());
    }
}
