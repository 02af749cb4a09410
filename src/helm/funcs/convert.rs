//! Sprig's conversion, reflection and default functions (`int`, `typeOf`, `default`, `empty`,
//! `ternary`, ...) and Helm's `required`, `fail` and `lookup`. Also the argument checks the other
//! groups share: Go converts each argument to the parameter's type before calling a function and
//! refuses what does not fit (`until .Values.n` fails: values-file numbers are float64, not int).

use std::rc::Rc;

use super::super::value::{Map, Value, go_string};
use super::{Func, arity, to_float64, to_int64};

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("atoi", atoi),
    ("int", int),
    ("int64", int),
    ("float64", float64),
    ("toDecimal", to_decimal),
    ("typeOf", type_of),
    ("typeIs", type_is),
    ("typeIsLike", type_is_like),
    ("kindOf", kind_of),
    ("kindIs", kind_is),
    ("deepEqual", deep_equal_fn),
    ("default", default),
    ("empty", empty_fn),
    ("coalesce", coalesce),
    ("all", all),
    ("any", any),
    ("ternary", ternary),
    ("fail", fail),
    ("required", required),
    ("deepCopy", deep_copy),
    ("mustDeepCopy", deep_copy),
    ("lookup", lookup),
];

/// Helm wraps the messages of `fail` and `required` in these markers; its `cleanupExecError`
/// then prints `execution error at (<file>:<line>:<col>): <message>` instead of Go's usual
/// `template: ...: error calling fail: ...` chain. The executor looks for them.
pub(crate) const HELM_ERR_START: &str = "HELM_ERR_START";
pub(crate) const HELM_ERR_END: &str = "HELM_ERR_END";

// ---- argument checks shared by the groups ----

/// A `string` parameter. The messages are those Go prints when it converts the argument; they
/// come from the executor in Go (no `error calling` prefix), so they are approximate here.
pub(super) fn want_str(v: &Value) -> Result<&str, String> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(wrong_type("string", other)),
    }
}

/// An `int` parameter: only integers fit (Go will not pass a float64 as an int).
pub(super) fn want_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(wrong_type("int", other)),
    }
}

pub(super) fn want_bool(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong_type("bool", other)),
    }
}

/// A `map[string]interface{}` parameter; nil fits (a nil map), so it gives `None`.
pub(super) fn want_map(v: &Value) -> Result<Option<&Map>, String> {
    match v {
        Value::Map(m) => Ok(Some(m)),
        Value::Nil | Value::NoValue => Ok(None),
        other => Err(wrong_type("map[string]interface {}", other)),
    }
}

pub(super) fn wrong_type(want: &str, got: &Value) -> String {
    match got {
        Value::NoValue => format!("invalid value; expected {want}"),
        Value::Nil => format!("wrong type for value; expected {want}; got interface {{}}"),
        other => format!("wrong type for value; expected {want}; got {}", other.type_name()),
    }
}

/// At least `n` arguments (a variadic Go function with `n` fixed parameters).
pub(super) fn at_least(args: &[Value], n: usize) -> Result<(), String> {
    if args.len() >= n {
        Ok(())
    } else {
        Err(format!("wrong number of args: want at least {n} got {}", args.len()))
    }
}

/// Sprig's `empty`: the zero value of its type (nil, false, 0, "", empty list or map).
pub(crate) fn is_empty(v: &Value) -> bool {
    !v.truth() || matches!(v, Value::Nil | Value::NoValue)
}

/// Go's `reflect.DeepEqual` on template values: same type and same contents (1 and 1.0
/// differ, a `[]string` never equals a `[]interface{}`, NaN never equals itself).
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil | Value::NoValue, Value::Nil | Value::NoValue) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::List(x, tx), Value::List(y, ty)) => {
            tx == ty && x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && (Rc::ptr_eq(x, y) || x.display() == y.display())
        }
        _ => false,
    }
}

/// What Go's `%s` prints: strings plainly, other scalars as `%!s(float64=1)`.
pub(crate) fn go_s(v: &Value) -> String {
    let mut out = String::new();
    write_s(v, true, &mut out);
    out
}

fn write_s(v: &Value, top: bool, out: &mut String) {
    match v {
        Value::Str(s) => out.push_str(s),
        Value::Nil | Value::NoValue if top => out.push_str("%!s(<nil>)"),
        Value::Nil | Value::NoValue => out.push_str("<nil>"),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            out.push_str(&format!("%!s({}={})", v.type_name(), go_string(v)));
        }
        Value::List(items, _) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_s(item, false, out);
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
                write_s(item, false, out);
            }
            out.push(']');
        }
        Value::Object(o) => out.push_str(&o.display()),
    }
}

// ---- conversions ----

/// `strconv.Atoi` with the error dropped: base 10 only, out-of-range values clamp.
fn atoi(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let s = want_str(&args[0])?;
    Ok(Value::Int(parse_decimal_clamped(s)))
}

fn parse_decimal_clamped(s: &str) -> i64 {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let magnitude: i128 = digits.bytes().fold(0i128, |acc, b| {
        (acc * 10 + i128::from(b - b'0')).min(i128::from(u64::MAX))
    });
    let signed = if neg { -magnitude } else { magnitude };
    signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

fn int(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::Int(to_int64(&args[0])))
}

fn float64(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::Float(to_float64(&args[0])))
}

/// `strconv.ParseInt(fmt.Sprint(v), 8, 64)`, 0 on error: "0777" and 777 are both 511.
fn to_decimal(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let s = go_string(&args[0]);
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return Ok(Value::Int(0));
    }
    let parsed = i128::from_str_radix(digits, 8).ok().map(|m| if neg { -m } else { m });
    Ok(Value::Int(parsed.and_then(|m| i64::try_from(m).ok()).unwrap_or(0)))
}

// ---- reflection ----

fn type_of(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::str(args[0].type_name()))
}

fn type_is(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(want_str(&args[0])? == args[1].type_name()))
}

/// Also true for a pointer to the type (`*chartutil.Capabilities` is like `chartutil.Capabilities`).
fn type_is_like(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let target = want_str(&args[0])?;
    let actual = args[1].type_name();
    Ok(Value::Bool(
        actual == target || actual.strip_prefix('*') == Some(target),
    ))
}

fn kind_of(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::str(args[0].kind()))
}

fn kind_is(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(want_str(&args[0])? == args[1].kind()))
}

fn deep_equal_fn(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(deep_equal(&args[0], &args[1])))
}

// ---- defaults and flow ----

/// `default DEFAULT [GIVEN...]`: the first given value unless it is empty; extra values are ignored.
fn default(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    match args.get(1) {
        Some(given) if !is_empty(given) => Ok(given.clone()),
        _ => Ok(args[0].clone()),
    }
}

fn empty_fn(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::Bool(is_empty(&args[0])))
}

fn coalesce(args: &[Value]) -> super::Result {
    Ok(args.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))
}

fn all(args: &[Value]) -> super::Result {
    Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
}

fn any(args: &[Value]) -> super::Result {
    Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
}

fn ternary(args: &[Value]) -> super::Result {
    arity(args, 3)?;
    let pick = if want_bool(&args[2])? { &args[0] } else { &args[1] };
    Ok(pick.clone())
}

/// Helm's `fail`: its message, marked for Helm's error cleanup (see `HELM_ERR_START`).
fn fail(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Err(helm_error(want_str(&args[0])?))
}

/// Helm's `required`: nil and the empty string fail; every other value (0, false, []) passes.
fn required(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let warn = want_str(&args[0])?;
    match &args[1] {
        Value::Nil | Value::NoValue => Err(helm_error(warn)),
        Value::Str(s) if s.is_empty() => Err(helm_error(warn)),
        other => Ok(other.clone()),
    }
}

fn helm_error(msg: &str) -> String {
    format!("{HELM_ERR_START}{msg}{HELM_ERR_END}")
}

/// `copystructure.Copy`; nil is an error in Go (a reflect call on the zero Value).
fn deep_copy(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    match &args[0] {
        Value::Nil | Value::NoValue => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        other => Ok(other.deep_copy()),
    }
}

/// `helm template` has no cluster: `lookup` always finds nothing, an empty map.
fn lookup(args: &[Value]) -> super::Result {
    arity(args, 4)?;
    for a in args {
        want_str(a)?;
    }
    Ok(Value::empty_map())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::helm::funcs::testing::{call, out, s};

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn atoi_as_go() {
        assert_eq!(out("atoi", &[s("12")]), "12");
        assert_eq!(out("atoi", &[s(" 12")]), "0");
        assert_eq!(out("atoi", &[s("+12")]), "12");
        assert_eq!(out("atoi", &[s("1_0")]), "0");
        assert_eq!(out("atoi", &[s("0x1f")]), "0");
        assert_eq!(out("atoi", &[s("99999999999999999999")]), "9223372036854775807");
        assert_eq!(out("atoi", &[s("-99999999999999999999")]), "-9223372036854775808");
        assert!(call("atoi", &[Value::Int(3)]).is_err());
    }

    #[test]
    fn to_decimal_is_octal() {
        assert_eq!(out("toDecimal", &[s("0777")]), "511");
        assert_eq!(out("toDecimal", &[Value::Int(777)]), "511");
        assert_eq!(out("toDecimal", &[s("0o777")]), "0");
        assert_eq!(out("toDecimal", &[s("-17")]), "-15");
        assert_eq!(out("toDecimal", &[s("9")]), "0");
    }

    #[test]
    fn casts() {
        assert_eq!(out("int", &[s("12.5")]), "0");
        assert_eq!(out("int", &[Value::Float(12.9)]), "12");
        assert_eq!(out("int", &[s("0x10")]), "16");
        assert_eq!(out("int64", &[s("1e3")]), "0");
        assert_eq!(out("float64", &[s("1e3")]), "1000");
        assert_eq!(out("float64", &[s("0x10")]), "0");
        assert_eq!(out("float64", &[Value::Bool(true)]), "1");
        assert_eq!(out("int", &[Value::Nil]), "0");
    }

    #[test]
    fn reflection() {
        assert_eq!(out("typeOf", &[Value::Float(3.5)]), "float64");
        assert_eq!(out("typeOf", &[Value::list(vec![])]), "[]interface {}");
        assert_eq!(out("typeOf", &[Value::empty_map()]), "map[string]interface {}");
        assert_eq!(out("typeOf", &[Value::Nil]), "<nil>");
        assert_eq!(out("kindOf", &[Value::Nil]), "invalid");
        assert_eq!(out("kindOf", &[Value::list(vec![])]), "slice");
        assert_eq!(out("kindIs", &[s("map"), Value::empty_map()]), "true");
        assert_eq!(out("typeIs", &[s("string"), s("x")]), "true");
        let one = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(out("deepEqual", &[one.clone(), one.deep_copy()]), "true");
        assert_eq!(out("deepEqual", &[Value::Int(1), Value::Float(1.0)]), "false");
        assert_eq!(
            out(
                "deepEqual",
                &[map(&[("a", Value::Int(1))]), map(&[("a", Value::Int(1))])]
            ),
            "true"
        );
        assert_eq!(out("deepEqual", &[Value::NoValue, Value::Nil]), "true");
    }

    #[test]
    fn defaults() {
        let d = s("d");
        assert_eq!(out("default", &[d.clone(), s("")]), "d");
        assert_eq!(out("default", &[d.clone(), Value::Int(0)]), "d");
        assert_eq!(out("default", &[d.clone(), Value::Nil]), "d");
        assert_eq!(out("default", std::slice::from_ref(&d)), "d");
        assert_eq!(out("default", &[d.clone(), s("v"), s("w")]), "v");
        assert_eq!(out("default", &[d.clone(), Value::list(vec![])]), "d");
        assert_eq!(out("default", &[d, Value::Bool(false)]), "d");
        assert_eq!(out("empty", &[Value::Float(0.0)]), "true");
        assert_eq!(out("empty", &[Value::empty_map()]), "true");
        assert_eq!(out("coalesce", &[Value::Int(0), s(""), s("x"), s("y")]), "x");
        assert_eq!(
            out("typeOf", &[call("coalesce", &[Value::Int(0), Value::Nil]).unwrap()]),
            "<nil>"
        );
        assert_eq!(out("all", &[]), "true");
        assert_eq!(out("any", &[]), "false");
        assert_eq!(out("any", &[Value::Int(0), s("")]), "false");
        assert_eq!(out("ternary", &[s("a"), s("b"), Value::Bool(true)]), "a");
        assert!(call("ternary", &[s("a"), s("b"), Value::Int(1)]).is_err());
    }

    #[test]
    fn required_and_fail() {
        assert_eq!(
            call("required", &[s("msg"), Value::Nil]).unwrap_err(),
            "HELM_ERR_STARTmsgHELM_ERR_END"
        );
        assert!(call("required", &[s("msg"), s("")]).is_err());
        assert_eq!(out("required", &[s("msg"), Value::Int(0)]), "0");
        assert_eq!(out("required", &[s("msg"), Value::list(vec![])]), "[]");
        assert_eq!(
            call("fail", &[s("boom")]).unwrap_err(),
            "HELM_ERR_STARTboomHELM_ERR_END"
        );
        assert_eq!(out("lookup", &[s("v1"), s("Secret"), s("ns"), s("n")]), "map[]");
        assert!(call("deepCopy", &[Value::NoValue]).is_err());
    }

    #[test]
    fn percent_s() {
        let l = Value::list(vec![Value::Float(1.0), s("s"), Value::Bool(true), Value::Nil]);
        assert_eq!(go_s(&l), "[%!s(float64=1) s %!s(bool=true) <nil>]");
        assert_eq!(go_s(&map(&[("a", Value::Float(1.0))])), "map[a:%!s(float64=1)]");
    }
}
