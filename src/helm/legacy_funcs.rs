//! The Go template built-ins and the Sprig/Helm functions common charts use. Anything not here
//! is an error, which makes the template "not analyzed" rather than guessed.

use serde_json::{Map, Number, Value};

use super::is_kots_template;
use super::yaml_out::{normalize, to_yaml};

type R = Result<Value, String>;

pub fn call(name: &str, args: Vec<Value>) -> R {
    let n = args.len();
    let arity = |want: usize| {
        if n == want {
            Ok(())
        } else {
            Err(format!("{name} takes {want} argument(s), got {n}"))
        }
    };
    let s = |i: usize| -> String { args.get(i).map(to_string).unwrap_or_default() };
    let v = |i: usize| -> Value { args.get(i).cloned().unwrap_or(Value::Null) };
    let last = || args.last().cloned().unwrap_or(Value::Null);
    Ok(match name {
        "toYaml" => {
            arity(1)?;
            Value::String(to_yaml(&v(0)).trim_end_matches('\n').to_owned())
        }
        "toJson" | "mustToJson" => {
            arity(1)?;
            Value::String(serde_json::to_string(&normalize(&v(0))).map_err(|e| e.to_string())?)
        }
        "toPrettyJson" => {
            arity(1)?;
            Value::String(serde_json::to_string_pretty(&normalize(&v(0))).map_err(|e| e.to_string())?)
        }
        "indent" | "nindent" => {
            arity(2)?;
            let width = int(&v(0))?;
            let pad = " ".repeat(usize::try_from(width).unwrap_or(0).min(1024));
            let text = s(1);
            let body = text
                .split('\n')
                .map(|l| format!("{pad}{l}"))
                .collect::<Vec<_>>()
                .join("\n");
            Value::String(if name == "nindent" { format!("\n{body}") } else { body })
        }
        "default" => {
            if n == 0 || n > 2 {
                return Err("default takes 1 or 2 arguments".into());
            }
            if n == 2 && truthy(&v(1)) { v(1) } else { v(0) }
        }
        "empty" => {
            arity(1)?;
            Value::Bool(!truthy(&v(0)))
        }
        "coalesce" => args.iter().find(|a| truthy(a)).cloned().unwrap_or(Value::Null),
        "ternary" => {
            arity(3)?;
            if truthy(&v(2)) { v(0) } else { v(1) }
        }
        "required" => {
            arity(2)?;
            match v(1) {
                Value::Null => return Err(format!("required value missing: {}", s(0))),
                Value::String(x) if x.is_empty() => return Err(format!("required value missing: {}", s(0))),
                other => other,
            }
        }
        "fail" => return Err(format!("chart calls fail: {}", s(0))),
        "quote" => Value::String(
            args.iter()
                .filter(|a| !a.is_null())
                .map(|a| format!("{:?}", to_string(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Value::String(
            args.iter()
                .filter(|a| !a.is_null())
                .map(|a| format!("'{}'", to_string(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "print" => Value::String(go_print(&args)),
        "println" => Value::String(format!(
            "{}\n",
            args.iter().map(to_string).collect::<Vec<_>>().join(" ")
        )),
        "printf" => Value::String(printf(&s(0), &args[1.min(n)..])?),
        "cat" => Value::String(
            args.iter()
                .filter(|a| !a.is_null())
                .map(to_string)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "trim" => Value::String(s(0).trim().to_owned()),
        "trimAll" => Value::String(s(1).trim_matches(|c| s(0).contains(c)).to_owned()),
        "trimPrefix" => Value::String(s(1).strip_prefix(&s(0)).map_or_else(|| s(1), str::to_owned)),
        "trimSuffix" => Value::String(s(1).strip_suffix(&s(0)).map_or_else(|| s(1), str::to_owned)),
        "trunc" => {
            arity(2)?;
            let t = s(1);
            let len = i64::try_from(t.chars().count()).unwrap_or(i64::MAX);
            let k = int(&v(0))?;
            let out: String = if k >= 0 {
                t.chars().take(usize::try_from(k).unwrap_or(0)).collect()
            } else {
                t.chars().skip(usize::try_from(len + k).unwrap_or(0)).collect()
            };
            Value::String(out)
        }
        "upper" => Value::String(s(0).to_uppercase()),
        "lower" => Value::String(s(0).to_lowercase()),
        "title" => Value::String(
            s(0).split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "replace" => {
            arity(3)?;
            Value::String(s(2).replace(&s(0), &s(1)))
        }
        "repeat" => {
            arity(2)?;
            let k = usize::try_from(int(&v(0))?).unwrap_or(0);
            if k.saturating_mul(s(1).len()) > 1 << 20 {
                return Err("repeat result too large".into());
            }
            Value::String(s(1).repeat(k))
        }
        "contains" => Value::Bool(s(1).contains(&s(0))),
        "hasPrefix" => Value::Bool(s(1).starts_with(&s(0))),
        "hasSuffix" => Value::Bool(s(1).ends_with(&s(0))),
        "toString" => Value::String(s(0)),
        "toStrings" => Value::Array(list(&v(0))?.iter().map(|x| Value::String(to_string(x))).collect()),
        "join" => Value::String(list(&v(1))?.iter().map(to_string).collect::<Vec<_>>().join(&s(0))),
        "splitList" => Value::Array(s(1).split(s(0).as_str()).map(|x| Value::String(x.to_owned())).collect()),
        "int" | "int64" | "atoi" => Value::from(int(&v(0)).unwrap_or(0)),
        "float64" => Number::from_f64(float(&v(0))).map_or(Value::Null, Value::Number),
        "add" => Value::from(args.iter().map(int).sum::<Result<i64, _>>()?),
        "add1" => Value::from(int(&v(0))? + 1),
        "sub" => Value::from(int(&v(0))? - int(&v(1))?),
        "mul" => Value::from(args.iter().map(int).product::<Result<i64, _>>()?),
        "div" => Value::from(int(&v(0))?.checked_div(int(&v(1))?).ok_or("division by zero")?),
        "mod" => Value::from(int(&v(0))?.checked_rem(int(&v(1))?).ok_or("division by zero")?),
        "max" => Value::from(
            args.iter()
                .map(int)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .max()
                .unwrap_or(0),
        ),
        "min" => Value::from(
            args.iter()
                .map(int)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .min()
                .unwrap_or(0),
        ),
        "len" => {
            arity(1)?;
            Value::from(match v(0) {
                Value::String(x) => x.len(),
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                Value::Null => 0,
                other => return Err(format!("len of {}", type_of(&other))),
            })
        }
        "index" => {
            let mut cur = v(0);
            for k in &args[1.min(n)..] {
                cur = match (&cur, k) {
                    (Value::Object(m), _) => m.get(&to_string(k)).cloned().unwrap_or(Value::Null),
                    (Value::Array(a), _) => {
                        let i = usize::try_from(int(k)?).map_err(|_| "index out of range")?;
                        a.get(i).cloned().ok_or("index out of range")?
                    }
                    (Value::Null, _) => Value::Null,
                    (other, _) => return Err(format!("can't index item of type {}", type_of(other))),
                };
            }
            cur
        }
        "list" | "tuple" => Value::Array(args),
        "dict" => {
            let mut m = Map::new();
            for pair in args.chunks(2) {
                m.insert(to_string(&pair[0]), pair.get(1).cloned().unwrap_or(Value::Null));
            }
            Value::Object(m)
        }
        "hasKey" => Value::Bool(matches!(v(0), Value::Object(m) if m.contains_key(&s(1)))),
        "get" => match v(0) {
            Value::Object(m) => m.get(&s(1)).cloned().unwrap_or(Value::String(String::new())),
            _ => Value::String(String::new()),
        },
        "set" => match v(0) {
            Value::Object(mut m) => {
                m.insert(s(1), v(2));
                Value::Object(m)
            }
            other => return Err(format!("set on {}", type_of(&other))),
        },
        "unset" => match v(0) {
            Value::Object(mut m) => {
                m.remove(&s(1));
                Value::Object(m)
            }
            other => return Err(format!("unset on {}", type_of(&other))),
        },
        "keys" => {
            let mut k: Vec<String> = Vec::new();
            for a in &args {
                if let Value::Object(m) = a {
                    k.extend(m.keys().cloned());
                }
            }
            k.sort();
            Value::Array(k.into_iter().map(Value::String).collect())
        }
        "merge" | "mergeOverwrite" => {
            let mut it = args.into_iter();
            let mut dst = it.next().unwrap_or(Value::Null);
            for src in it {
                if name == "merge" {
                    let mut s = src;
                    super::values::merge(&mut s, &dst);
                    dst = s;
                } else {
                    super::values::merge(&mut dst, &src);
                }
            }
            dst
        }
        "deepCopy" => v(0),
        "first" => list(&v(0))?.first().cloned().unwrap_or(Value::Null),
        "last" => list(&v(0))?.last().cloned().unwrap_or(Value::Null),
        "rest" => Value::Array(list(&v(0))?.into_iter().skip(1).collect()),
        "append" | "push" => {
            let mut l = list(&v(0))?;
            l.push(v(1));
            Value::Array(l)
        }
        "has" => Value::Bool(list(&v(1))?.contains(&v(0))),
        "compact" => Value::Array(list(&v(0))?.into_iter().filter(truthy).collect()),
        "uniq" => {
            let mut out: Vec<Value> = Vec::new();
            for x in list(&v(0))? {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            Value::Array(out)
        }
        "without" => {
            let drop = &args[1.min(n)..];
            Value::Array(list(&v(0))?.into_iter().filter(|x| !drop.contains(x)).collect())
        }
        "not" => {
            arity(1)?;
            Value::Bool(!decide(&v(0))?)
        }
        "and" => {
            for a in &args {
                if !decide(a)? {
                    return Ok(a.clone());
                }
            }
            last()
        }
        "or" => {
            for a in &args {
                if decide(a)? {
                    return Ok(a.clone());
                }
            }
            last()
        }
        "eq" => {
            if n < 2 {
                return Err("eq needs 2 or more arguments".into());
            }
            known(&args)?;
            Value::Bool(args[1..].iter().any(|b| equal(&args[0], b)))
        }
        "ne" => {
            arity(2)?;
            known(&args)?;
            Value::Bool(!equal(&args[0], &args[1]))
        }
        "lt" | "le" | "gt" | "ge" => {
            arity(2)?;
            known(&args)?;
            let ord = compare(&args[0], &args[1])?;
            Value::Bool(match name {
                "lt" => ord.is_lt(),
                "le" => ord.is_le(),
                "gt" => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        "kindOf" => Value::String(kind_of(&v(0)).into()),
        "kindIs" => Value::Bool(kind_of(&v(1)) == s(0)),
        "typeOf" => Value::String(type_of(&v(0)).into()),
        "typeIs" => Value::Bool(type_of(&v(1)) == s(0)),
        "lookup" => Value::Object(Map::new()),
        other => return Err(format!("function \"{other}\" is not supported by snaplint's renderer")),
    })
}

/// A KOTS template value cannot decide anything: it is unknown until install.
fn decide(v: &Value) -> Result<bool, String> {
    known(std::slice::from_ref(v))?;
    Ok(truthy(v))
}

fn known(args: &[Value]) -> Result<(), String> {
    if args
        .iter()
        .any(|a| matches!(a, Value::String(s) if is_kots_template(s)))
    {
        return Err("a decision depends on a KOTS template value (repl{{ ... }}) known only at install time".into());
    }
    Ok(())
}

pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .ok_or_else(|| "incomparable numbers".to_owned()),
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        _ => Err(format!(
            "incompatible types for comparison: {} and {}",
            type_of(a),
            type_of(b)
        )),
    }
}

fn list(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::Array(a) => Ok(a.clone()),
        Value::Null => Ok(Vec::new()),
        other => Err(format!("expected a list, got {}", type_of(other))),
    }
}

fn int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| "not an integer".into()),
        Value::String(s) => s
            .trim()
            .parse()
            .or_else(|_| s.trim().parse::<f64>().map(|f| f as i64))
            .or(Ok(0)),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Null => Ok(0),
        other => Err(format!("cannot convert {} to int", type_of(other))),
    }
}

fn float(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.trim().parse().unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

pub fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
        other => kind_of(other),
    }
}

/// Go's `fmt.Sprint` of one value, Helm style (nil prints nothing).
pub fn to_string(v: &Value) -> String {
    super::eval::print(v)
}

fn go_print(args: &[Value]) -> String {
    // fmt.Sprint adds spaces between operands when neither is a string.
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !a.is_string() && !args[i - 1].is_string() {
            out.push(' ');
        }
        out.push_str(&to_string(a));
    }
    out
}

/// Go's `%v` for a float64 (shortest, exponent from 1e+06 or below 1e-4), integers as is.
pub fn go_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f == 0.0 {
        return "0".into();
    }
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

fn printf(format: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if f.is_ascii_digit() || f == '-' || f == '.' || f == '+' || f == '#' || f == ' ' {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let verb = chars.next().ok_or("printf: format ends with %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !flags.is_empty() {
            return Err(format!("printf: flags `%{flags}{verb}` not supported"));
        }
        let a = it.next().cloned().unwrap_or(Value::Null);
        out.push_str(&match verb {
            's' | 'v' => {
                if a.is_null() {
                    "%!s(<nil>)".to_owned()
                } else {
                    to_string(&a)
                }
            }
            'd' => int(&a)?.to_string(),
            'q' => format!("{:?}", to_string(&a)),
            't' => truthy(&a).to_string(),
            'f' => format!("{:.6}", float(&a)),
            other => return Err(format!("printf: verb %{other} not supported")),
        });
    }
    Ok(out)
}
