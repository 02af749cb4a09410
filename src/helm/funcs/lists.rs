//! Sprig's list functions. They take any Go slice and return a new `[]interface{}` (the input
//! is never changed). A non-list is an error named after its Go kind; nil makes Sprig call a
//! method on a nil `reflect.Type`, a nil-pointer panic that Go turns into an error. The `must`
//! variants behave the same: the plain ones panic with the same error, and Go reports both alike.
//! Sprig's `slice` is here too: in Helm it replaces Go's built-in `slice`.

use std::rc::Rc;

use super::super::value::Value;
use super::convert::{at_least, deep_equal, is_empty, want_int};
use super::{Func, arity, to_int64};

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("list", list),
    ("tuple", list),
    ("append", push),
    ("push", push),
    ("mustAppend", push),
    ("mustPush", push),
    ("prepend", prepend),
    ("mustPrepend", prepend),
    ("first", first),
    ("mustFirst", first),
    ("last", last),
    ("mustLast", last),
    ("rest", rest),
    ("mustRest", rest),
    ("initial", initial),
    ("mustInitial", initial),
    ("reverse", reverse),
    ("mustReverse", reverse),
    ("uniq", uniq),
    ("mustUniq", uniq),
    ("without", without),
    ("mustWithout", without),
    ("has", has),
    ("mustHas", has),
    ("compact", compact),
    ("mustCompact", compact),
    ("slice", slice),
    ("mustSlice", slice),
    ("concat", concat),
    ("chunk", chunk),
    ("mustChunk", chunk),
    ("until", until),
    ("untilStep", until_step),
    ("seq", seq),
];

/// Generated lists stop here, so a hostile chart cannot make us allocate gigabytes.
const MAX_ITEMS: usize = 1_000_000;

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The items of a list argument, or Sprig's error: `Cannot <what> on type <kind>`.
fn items<'a>(v: &'a Value, what: &str) -> Result<&'a [Value], String> {
    match v {
        Value::List(items, _) => Ok(items),
        Value::Nil | Value::NoValue => Err(NIL_DEREF.into()),
        other => Err(format!("Cannot {what} on type {}", other.kind())),
    }
}

fn list(args: &[Value]) -> super::Result {
    Ok(Value::list(args.to_vec()))
}

fn push(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let mut out = items(&args[0], "push")?.to_vec();
    out.push(args[1].clone());
    Ok(Value::list(out))
}

fn prepend(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let rest = items(&args[0], "prepend")?;
    let mut out = Vec::with_capacity(rest.len() + 1);
    out.push(args[1].clone());
    out.extend_from_slice(rest);
    Ok(Value::list(out))
}

fn first(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(items(&args[0], "find first")?.first().cloned().unwrap_or(Value::Nil))
}

fn last(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(items(&args[0], "find last")?.last().cloned().unwrap_or(Value::Nil))
}

fn rest(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let l = items(&args[0], "find rest")?;
    Ok(Value::list(l.get(1..).unwrap_or_default().to_vec()))
}

fn initial(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let l = items(&args[0], "find initial")?;
    Ok(Value::list(l[..l.len().saturating_sub(1)].to_vec()))
}

fn reverse(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::list(
        items(&args[0], "find reverse")?.iter().rev().cloned().collect(),
    ))
}

/// Equality is `reflect.DeepEqual`: 1 and 1.0 are different items.
fn uniq(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let mut out: Vec<Value> = Vec::new();
    for item in items(&args[0], "find uniq")? {
        if !out.iter().any(|seen| deep_equal(seen, item)) {
            out.push(item.clone());
        }
    }
    Ok(Value::list(out))
}

fn without(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    let omit = &args[1..];
    let kept = items(&args[0], "find without")?
        .iter()
        .filter(|item| !omit.iter().any(|o| deep_equal(o, item)))
        .cloned()
        .collect();
    Ok(Value::list(kept))
}

/// `has NEEDLE LIST`; a nil list has nothing.
fn has(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    if args[1].is_nil() {
        return Ok(Value::Bool(false));
    }
    let l = items(&args[1], "find has")?;
    Ok(Value::Bool(l.iter().any(|item| deep_equal(&args[0], item))))
}

fn compact(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::list(
        items(&args[0], "compact")?
            .iter()
            .filter(|v| !is_empty(v))
            .cloned()
            .collect(),
    ))
}

/// `slice LIST [START [END]]`, indices cast to int; keeps the list's type, and an empty list
/// gives nil.
fn slice(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    let (l, ty) = match &args[0] {
        Value::List(l, ty) => (l, *ty),
        Value::Nil | Value::NoValue => return Err(NIL_DEREF.into()),
        other => return Err(format!("list should be type of slice or array but {}", other.kind())),
    };
    if l.is_empty() {
        return Ok(Value::Nil);
    }
    let start = args.get(1).map_or(0, to_int64);
    let end = args.get(2).map_or(l.len() as i64, to_int64);
    match (usize::try_from(start), usize::try_from(end)) {
        (Ok(s), Ok(e)) if s <= e && e <= l.len() => Ok(Value::List(Rc::new(l[s..e].to_vec()), ty)),
        _ => Err("reflect.Value.Slice: slice index out of bounds".into()),
    }
}

fn concat(args: &[Value]) -> super::Result {
    let mut out = Vec::new();
    for arg in args {
        match arg {
            Value::List(l, _) => {
                if out.len() + l.len() > MAX_ITEMS {
                    return Err(too_long());
                }
                out.extend_from_slice(l);
            }
            Value::Nil | Value::NoValue => return Err(NIL_DEREF.into()),
            other => return Err(format!("Cannot concat type {} as list", other.kind())),
        }
    }
    Ok(Value::list(out))
}

/// `chunk SIZE LIST`. Sprig sizes the result with float division, so a zero or negative size
/// asks Go for a negative-length slice, which panics (except when the count happens to be 0).
fn chunk(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let size = want_int(&args[0])?;
    let l = match &args[1] {
        Value::List(l, _) => l,
        Value::Nil | Value::NoValue => return Err(NIL_DEREF.into()),
        other => return Err(format!("Cannot chunk type {}", other.kind())),
    };
    if size <= 0 {
        let count = ((l.len() as f64 - 1.0) / size as f64).floor() + 1.0;
        if count == 0.0 {
            return Ok(Value::list(Vec::new()));
        }
        return Err("runtime error: makeslice: len out of range".into());
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::list(l.chunks(size).map(|c| Value::list(c.to_vec())).collect()))
}

fn until(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let count = want_int(&args[0])?;
    let step = if count < 0 { -1 } else { 1 };
    Ok(int_list(steps(0, count, step)?))
}

fn until_step(args: &[Value]) -> super::Result {
    arity(args, 3)?;
    Ok(int_list(steps(
        want_int(&args[0])?,
        want_int(&args[1])?,
        want_int(&args[2])?,
    )?))
}

fn int_list(v: Vec<i64>) -> Value {
    Value::list(v.into_iter().map(Value::Int).collect())
}

/// Sprig's `untilStep`: from start towards stop (exclusive); a step pointing away gives nothing.
fn steps(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let mut out = Vec::new();
    let going_down = stop < start;
    if (going_down && step >= 0) || (!going_down && step <= 0) {
        return Ok(out);
    }
    let mut i = start;
    while (going_down && i > stop) || (!going_down && i < stop) {
        if out.len() >= MAX_ITEMS {
            return Err(too_long());
        }
        out.push(i);
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(out)
}

fn too_long() -> String {
    format!("list longer than {MAX_ITEMS} items")
}

/// Sprig's `seq`, like the shell's: `seq END`, `seq START END`, `seq START STEP END`; the
/// numbers joined by spaces, END included.
fn seq(args: &[Value]) -> super::Result {
    let p = args.iter().map(want_int).collect::<Result<Vec<_>, _>>()?;
    let dir = |start: i64, end: i64| if end < start { -1 } else { 1 };
    let nums = match p[..] {
        [end] => steps(1, end.saturating_add(dir(1, end)), dir(1, end))?,
        [start, end] => steps(start, end.saturating_add(dir(start, end)), dir(start, end))?,
        [start, step, end] => {
            if end < start && step > 0 {
                return Ok(Value::str(""));
            }
            steps(start, end.saturating_add(dir(start, end)), step)?
        }
        _ => return Ok(Value::str("")),
    };
    let words: Vec<String> = nums.iter().map(i64::to_string).collect();
    Ok(Value::str(words.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::funcs::testing::{call, err, i, out, s};

    fn ints(xs: &[i64]) -> Value {
        Value::list(xs.iter().copied().map(Value::Int).collect())
    }

    /// `l: [1, "s", true, null]` from a values file.
    fn l() -> Value {
        Value::list(vec![Value::Float(1.0), s("s"), Value::Bool(true), Value::Nil])
    }

    #[test]
    fn slicing() {
        assert_eq!(out("slice", &[l(), i(1)]), "[s true <nil>]");
        assert_eq!(out("slice", &[l(), i(1), i(3)]), "[s true]");
        assert_eq!(
            err("slice", &[l(), i(1), i(9)]),
            "reflect.Value.Slice: slice index out of bounds"
        );
        assert_eq!(
            err("slice", &[l(), i(3), i(1)]),
            "reflect.Value.Slice: slice index out of bounds"
        );
        assert!(matches!(call("slice", &[ints(&[]), i(1)]), Ok(Value::Nil)));
        assert_eq!(
            err("slice", &[s("abc"), i(1)]),
            "list should be type of slice or array but string"
        );
        assert_eq!(err("slice", &[Value::NoValue, i(1)]), NIL_DEREF);
        assert_eq!(out("slice", &[l(), s("1"), Value::Float(2.7)]), "[s]");
        assert_eq!(out("slice", &[ints(&[1, 2, 3])]), "[1 2 3]");
        let strs = Value::strings(["a".to_owned(), "b".to_owned()]);
        assert_eq!(call("slice", &[strs, i(1)]).unwrap().type_name(), "[]string");
    }

    #[test]
    fn ends() {
        assert_eq!(err("first", &[Value::NoValue]), NIL_DEREF);
        assert_eq!(err("first", &[s("abc")]), "Cannot find first on type string");
        assert!(matches!(call("first", &[ints(&[])]), Ok(Value::Nil)));
        assert_eq!(call("rest", &[ints(&[])]).unwrap().type_name(), "[]interface {}");
        assert_eq!(err("mustFirst", &[Value::Bool(true)]), "Cannot find first on type bool");
        assert_eq!(out("last", &[ints(&[1, 2, 3])]), "3");
        assert_eq!(out("initial", &[ints(&[1, 2, 3])]), "[1 2]");
        assert_eq!(out("rest", &[ints(&[1, 2, 3])]), "[2 3]");
        assert_eq!(out("reverse", &[ints(&[1, 2, 3])]), "[3 2 1]");
    }

    #[test]
    fn building() {
        assert_eq!(
            out("concat", &[ints(&[1]), ints(&[2, 3]), l()]),
            "[1 2 3 1 s true <nil>]"
        );
        assert_eq!(
            err("concat", &[ints(&[1]), Value::Float(3.0)]),
            "Cannot concat type float64 as list"
        );
        assert_eq!(call("concat", &[]).unwrap().type_name(), "[]interface {}");
        assert_eq!(err("concat", &[Value::NoValue]), NIL_DEREF);
        assert_eq!(out("append", &[ints(&[1]), i(2)]), "[1 2]");
        assert_eq!(err("append", &[Value::NoValue, i(2)]), NIL_DEREF);
        assert_eq!(err("append", &[s("abc"), i(2)]), "Cannot push on type string");
        assert_eq!(out("prepend", &[ints(&[1]), i(2)]), "[2 1]");
        assert_eq!(out("tuple", &[i(1), s("a")]), "[1 a]");
        assert_eq!(out("list", &[]), "[]");
    }

    #[test]
    fn searching() {
        assert_eq!(out("has", &[i(1), Value::NoValue]), "false");
        assert_eq!(out("has", &[Value::Float(1.0), l()]), "true");
        assert_eq!(out("has", &[i(1), l()]), "false");
        assert_eq!(err("has", &[i(1), s("abc")]), "Cannot find has on type string");
        let mixed = Value::list(vec![
            i(1),
            i(1),
            i(2),
            Value::Float(1.0),
            s("1"),
            Value::Nil,
            Value::Nil,
        ]);
        assert_eq!(out("uniq", &[mixed]), "[1 2 1 1 <nil>]");
        assert_eq!(out("without", &[ints(&[1, 2, 3, 1]), i(1), i(3)]), "[2]");
        let junk = Value::list(vec![
            i(0),
            i(1),
            s(""),
            Value::Nil,
            Value::Bool(false),
            ints(&[]),
            Value::empty_map(),
            s("a"),
        ]);
        assert_eq!(out("compact", &[junk]), "[1 a]");
    }

    #[test]
    fn chunks() {
        assert_eq!(out("chunk", &[i(2), ints(&[1, 2, 3, 4, 5])]), "[[1 2] [3 4] [5]]");
        assert_eq!(out("chunk", &[i(2), ints(&[])]), "[]");
        assert_eq!(
            err("chunk", &[i(0), ints(&[1])]),
            "runtime error: makeslice: len out of range"
        );
        assert_eq!(out("chunk", &[i(-1), ints(&[1, 2])]), "[]");
    }

    #[test]
    fn ranges() {
        assert_eq!(out("until", &[i(5)]), "[0 1 2 3 4]");
        assert_eq!(out("until", &[i(-3)]), "[0 -1 -2]");
        assert_eq!(out("untilStep", &[i(0), i(10), i(3)]), "[0 3 6 9]");
        assert_eq!(out("untilStep", &[i(10), i(0), i(-3)]), "[10 7 4 1]");
        assert_eq!(out("untilStep", &[i(0), i(10), i(0)]), "[]");
        assert_eq!(
            err("until", &[Value::Float(3.0)]),
            "wrong type for value; expected int; got float64"
        );
        assert!(call("until", &[i(i64::MAX)]).is_err());
        assert_eq!(out("seq", &[i(5)]), "1 2 3 4 5");
        assert_eq!(out("seq", &[i(-3)]), "1 0 -1 -2 -3");
        assert_eq!(out("seq", &[i(0)]), "1 0");
        assert_eq!(out("seq", &[i(2), i(5)]), "2 3 4 5");
        assert_eq!(out("seq", &[i(5), i(2)]), "5 4 3 2");
        assert_eq!(out("seq", &[i(1), i(2), i(10)]), "1 3 5 7 9");
        assert_eq!(out("seq", &[i(10), i(-2), i(1)]), "10 8 6 4 2");
        assert_eq!(out("seq", &[i(10), i(2), i(1)]), "");
        assert_eq!(out("seq", &[i(1), i(2), i(3), i(4)]), "");
        assert_eq!(out("seq", &[]), "");
    }
}
