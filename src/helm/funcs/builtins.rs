//! Go `text/template`'s own functions: `not`, `len`, `index` and the comparisons. (`slice` is
//! not here: Sprig's `slice` replaces Go's in Helm, see lists.rs; `and`/`or` are in the executor,
//! the `print` family, `html`, `js`, `urlquery` and `call` in their own groups.)

use std::rc::Rc;

use super::super::value::{Value, go_string};
use super::convert::go_s;
use super::{Func, arity};

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("not", not),
    ("len", len),
    ("index", index),
    ("eq", eq),
    ("ne", ne),
    ("lt", lt),
    ("le", le),
    ("gt", gt),
    ("ge", ge),
];

fn not(args: &[Value]) -> super::Result {
    if args.len() != 1 {
        return Err(format!("wrong number of args for not: want 1 got {}", args.len()));
    }
    Ok(Value::Bool(!args[0].truth()))
}

/// Byte length of strings, entries of maps and lists.
fn len(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let n = match &args[0] {
        Value::Str(s) => s.len(),
        Value::List(items, _) => items.len(),
        Value::Map(m) => m.borrow().len(),
        Value::Object(o) => o.go_len().ok_or_else(|| format!("len of type {}", o.type_name()))?,
        // A literal `nil` reaches Go's `len` as the zero reflect.Value; a nil from the data as a nil interface.
        Value::NoValue => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::Nil => return Err("len of nil pointer".into()),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// `index ITEM KEY...`: map keys must be strings (a missing key gives nil), list and string
/// positions integers; a string indexes its bytes.
fn index(args: &[Value]) -> super::Result {
    let Some((first, keys)) = args.split_first() else {
        return Err("wrong number of args for index: want at least 1 got 0".into());
    };
    if first.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = first.clone();
    for key in keys {
        item = index_one(&item, key)?;
    }
    Ok(item)
}

fn index_one(item: &Value, key: &Value) -> super::Result {
    match item {
        Value::Nil | Value::NoValue => Err("index of nil pointer".into()),
        Value::List(items, _) => {
            let i = position(key, items.len())?;
            items
                .get(i)
                .cloned()
                .ok_or_else(|| "reflect: slice index out of range".into())
        }
        Value::Str(s) => {
            let i = position(key, s.len())?;
            s.as_bytes()
                .get(i)
                .map(|b| Value::Int(i64::from(*b)))
                .ok_or_else(|| "reflect: string index out of range".into())
        }
        Value::Map(m) => match key {
            Value::Str(k) => Ok(m.borrow().get(&**k).cloned().unwrap_or(Value::Nil)),
            Value::Nil | Value::NoValue => Err("value is nil; should be of type string".into()),
            other => Err(format!("value has type {}; should be string", other.type_name())),
        },
        other => Err(format!("can't index item of type {}", other.type_name())),
    }
}

/// Go checks the position against the capacity, then lets reflect panic past the length; a
/// decoded list's capacity is its length, so `len` itself gets reflect's message.
fn position(key: &Value, len: usize) -> Result<usize, String> {
    let x = match key {
        Value::Int(i) => *i,
        Value::Nil | Value::NoValue => return Err("cannot index slice/array with nil".into()),
        other => return Err(format!("cannot index slice/array with type {}", other.type_name())),
    };
    match usize::try_from(x) {
        Ok(i) if i <= len => Ok(i),
        _ => Err(format!("index out of range: {x}")),
    }
}

/// Go's comparison classes: only these kinds compare with `lt`; `eq` also takes nil and pointers.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Str(_) => Kind::Str,
        _ => Kind::Other,
    }
}

/// `eq A B C...` is A==B || A==C ...; values of different kinds are an error, except that
/// nil compares (unequal) with anything.
fn eq(args: &[Value]) -> super::Result {
    let Some((a, others)) = args.split_first() else {
        return Err("wrong number of args for eq: want at least 1 got 0".into());
    };
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    for b in others {
        if equal(a, b)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn equal(a: &Value, b: &Value) -> Result<bool, String> {
    let (ka, kb) = (kind(a), kind(b));
    if ka != kb {
        if !a.is_nil() && !b.is_nil() {
            return Err("incompatible types for comparison".into());
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => return equal_other(a, b),
    })
}

/// Nil, maps, lists and pointers: Go compares them by identity, and maps and lists not at all.
fn equal_other(a: &Value, b: &Value) -> Result<bool, String> {
    if a.is_nil() || b.is_nil() {
        return Ok(a.is_nil() == b.is_nil());
    }
    if a.kind() != b.kind() {
        return Err(format!(
            "non-comparable types {}: {}, {}: {}",
            go_s(a),
            a.type_name(),
            b.type_name(),
            go_string(b)
        ));
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => Ok(Rc::ptr_eq(x, y)),
        _ => Err(format!("non-comparable type {}: {}", go_s(b), b.type_name())),
    }
}

fn ne(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(!equal(&args[0], &args[1])?))
}

fn less(a: &Value, b: &Value) -> Result<bool, String> {
    let (ka, kb) = (kind(a), kind(b));
    if ka == Kind::Other || kb == Kind::Other {
        return Err("invalid type for comparison".into());
    }
    if ka != kb {
        return Err("incompatible types for comparison".into());
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x < y),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::Str(x), Value::Str(y)) => Ok(x < y),
        _ => Err("invalid type for comparison".into()),
    }
}

fn lt(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(less(&args[0], &args[1])?))
}

fn le(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(less(&args[0], &args[1])? || equal(&args[0], &args[1])?))
}

fn gt(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(!(less(&args[0], &args[1])? || equal(&args[0], &args[1])?)))
}

fn ge(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(!less(&args[0], &args[1])?))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::helm::funcs::testing::{call, err, i, out, s};

    /// The values file used with helm: `m: {a: 1}`, `l: [1, "s", true, null]`, `nest: {a: {b: x}}`.
    fn values() -> (Value, Value, Value) {
        let m = Value::map(BTreeMap::from([("a".to_owned(), Value::Float(1.0))]));
        let l = Value::list(vec![Value::Float(1.0), s("s"), Value::Bool(true), Value::Nil]);
        let inner = Value::map(BTreeMap::from([("b".to_owned(), s("x"))]));
        let nest = Value::map(BTreeMap::from([("a".to_owned(), inner)]));
        (m, l, nest)
    }

    #[test]
    fn equality() {
        let (m, l, _) = values();
        assert_eq!(
            err("eq", &[i(1), Value::Float(1.0)]),
            "incompatible types for comparison"
        );
        assert_eq!(out("eq", &[i(1), i(2), i(1)]), "true");
        assert_eq!(out("eq", &[Value::NoValue, Value::NoValue]), "true");
        assert_eq!(out("eq", &[Value::NoValue, i(1)]), "false");
        assert_eq!(out("eq", &[i(1), Value::NoValue]), "false");
        assert_eq!(out("eq", &[Value::Nil, s("x")]), "false");
        assert_eq!(out("eq", &[m.clone(), Value::NoValue]), "false");
        assert_eq!(
            err("eq", &[m.clone(), m.clone()]),
            "non-comparable type map[a:%!s(float64=1)]: map[string]interface {}"
        );
        assert_eq!(
            err("eq", &[l.clone(), l.clone()]),
            "non-comparable type [%!s(float64=1) s %!s(bool=true) <nil>]: []interface {}"
        );
        assert_eq!(
            err("eq", &[m.clone(), l.clone()]),
            "non-comparable types map[a:%!s(float64=1)]: map[string]interface {}, []interface {}: [1 s true <nil>]"
        );
        assert_eq!(err("eq", &[m, s("x")]), "incompatible types for comparison");
        assert_eq!(err("eq", &[i(1)]), "missing argument for comparison");
        assert_eq!(err("eq", &[i(2), i(1), s("x")]), "incompatible types for comparison");
        assert_eq!(out("eq", &[i(1), i(1), s("x")]), "true");
        assert_eq!(out("ne", &[i(1), Value::NoValue]), "true");
        assert_eq!(err("eq", &[i(1), s("1")]), "incompatible types for comparison");
    }

    #[test]
    fn ordering() {
        let (m, _, _) = values();
        assert_eq!(
            err("lt", &[i(1), Value::Float(2.0)]),
            "incompatible types for comparison"
        );
        assert_eq!(err("lt", &[Value::NoValue, i(1)]), "invalid type for comparison");
        assert_eq!(out("lt", &[s("a"), s("b")]), "true");
        assert_eq!(
            err("lt", &[Value::Bool(true), Value::Bool(false)]),
            "invalid type for comparison"
        );
        assert_eq!(out("le", &[i(2), i(2)]), "true");
        assert_eq!(
            err("ge", &[Value::NoValue, Value::NoValue]),
            "invalid type for comparison"
        );
        assert_eq!(err("lt", &[m.clone(), m]), "invalid type for comparison");
        assert_eq!(out("gt", &[Value::Float(2.5), Value::Float(2.0)]), "true");
        assert_eq!(out("ge", &[i(1), i(2)]), "false");
    }

    #[test]
    fn indexing() {
        let (m, l, nest) = values();
        assert_eq!(out("index", &[m.clone(), s("a")]), "1");
        assert!(matches!(call("index", &[m.clone(), s("zz")]), Ok(Value::Nil)));
        assert_eq!(out("index", &[l.clone(), i(1)]), "s");
        assert_eq!(err("index", &[l.clone(), i(9)]), "index out of range: 9");
        assert_eq!(err("index", &[l.clone(), i(-1)]), "index out of range: -1");
        assert_eq!(err("index", &[l.clone(), i(4)]), "reflect: slice index out of range");
        assert_eq!(
            err("index", &[l.clone(), Value::Float(1.0)]),
            "cannot index slice/array with type float64"
        );
        assert_eq!(
            err("index", &[l.clone(), s("1")]),
            "cannot index slice/array with type string"
        );
        assert_eq!(
            err("index", &[l.clone(), Value::NoValue]),
            "cannot index slice/array with nil"
        );
        assert_eq!(err("index", &[Value::NoValue, i(1)]), "index of untyped nil");
        assert_eq!(err("index", &[Value::Nil, i(1)]), "index of untyped nil");
        assert_eq!(
            err("index", &[m.clone(), Value::NoValue]),
            "value is nil; should be of type string"
        );
        assert_eq!(out("index", &[nest.clone(), s("a"), s("b")]), "x");
        assert_eq!(err("index", &[nest, s("a"), s("zz"), s("c")]), "index of nil pointer");
        assert_eq!(out("index", &[l]), "[1 s true <nil>]");
        assert_eq!(out("index", &[s("abc"), i(1)]), "98");
        assert_eq!(err("index", &[s("abc"), i(5)]), "index out of range: 5");
        assert_eq!(
            err("index", &[Value::Bool(true), i(1)]),
            "can't index item of type bool"
        );
    }

    #[test]
    fn length_and_not() {
        let (m, l, _) = values();
        assert_eq!(out("len", &[s("héllo")]), "6");
        assert_eq!(out("len", std::slice::from_ref(&m)), "1");
        assert_eq!(out("len", &[l]), "4");
        assert_eq!(err("len", &[Value::Float(3.0)]), "len of type float64");
        assert_eq!(
            err("len", &[Value::NoValue]),
            "reflect: call of reflect.Value.Type on zero Value"
        );
        assert_eq!(err("len", &[Value::Nil]), "len of nil pointer");
        assert_eq!(out("not", &[i(0)]), "true");
        assert_eq!(out("not", &[m]), "false");
        assert_eq!(out("not", &[Value::empty_map()]), "true");
        assert_eq!(out("not", &[Value::NoValue]), "true");
        assert_eq!(err("not", &[i(1), i(2)]), "wrong number of args for not: want 1 got 2");
    }
}
