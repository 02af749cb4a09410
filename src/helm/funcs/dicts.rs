//! Sprig's dictionary functions. Maps are shared as in Go, so `set`, `unset`, `merge` and
//! `mergeOverwrite` change the map every holder sees. Go iterates maps in random order, so
//! `keys` and `values` have no order in Helm; here they come sorted by key, for reproducible
//! output (charts that care sort them, e.g. `keys . | sortAlpha`).

use std::collections::BTreeMap;

use super::super::value::{Map, Value};
use super::convert::{at_least, is_empty, want_map, want_str};
use super::{Func, arity, strval};

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("dict", dict),
    ("get", get),
    ("set", set),
    ("unset", unset),
    ("hasKey", has_key),
    ("pluck", pluck),
    ("dig", dig),
    ("keys", keys),
    ("values", values),
    ("pick", pick),
    ("omit", omit),
    ("merge", merge),
    ("mustMerge", merge),
    ("mergeOverwrite", merge_overwrite),
    ("mustMergeOverwrite", merge_overwrite),
];

/// Nested maps deeper than this are refused by `merge` (Go would recurse into a map that
/// contains itself until its stack overflows).
const MAX_DEPTH: usize = 1000;

/// `dict K1 V1 K2 V2 ...`: keys are stringified; a key without a value gets "".
fn dict(args: &[Value]) -> super::Result {
    let mut out = BTreeMap::new();
    for pair in args.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
        out.insert(strval(&pair[0]), value);
    }
    Ok(Value::map(out))
}

/// A missing key gives "" (not nil).
fn get(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let m = want_map(&args[0])?;
    let key = want_str(&args[1])?;
    Ok(m.and_then(|m| m.borrow().get(key).cloned())
        .unwrap_or_else(|| Value::str("")))
}

fn set(args: &[Value]) -> super::Result {
    arity(args, 3)?;
    let key = want_str(&args[1])?;
    let Some(m) = want_map(&args[0])? else {
        return Err("assignment to entry in nil map".into());
    };
    m.borrow_mut().insert(key.to_owned(), args[2].clone());
    Ok(Value::Map(m.clone()))
}

fn unset(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let key = want_str(&args[1])?;
    match want_map(&args[0])? {
        Some(m) => {
            m.borrow_mut().remove(key);
            Ok(Value::Map(m.clone()))
        }
        None => Ok(Value::empty_map()),
    }
}

fn has_key(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let key = want_str(&args[1])?;
    Ok(Value::Bool(
        want_map(&args[0])?.is_some_and(|m| m.borrow().contains_key(key)),
    ))
}

/// `pluck KEY DICT...`: the key's value from each dict that has it.
fn pluck(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    let key = want_str(&args[0])?;
    let mut out = Vec::new();
    for d in &args[1..] {
        if let Some(v) = want_map(d)?.and_then(|m| m.borrow().get(key).cloned()) {
            out.push(v);
        }
    }
    Ok(Value::list(out))
}

/// `dig K1 K2 ... DEFAULT DICT`. Sprig type-asserts without checking, so a key that is not a
/// string or a step that is not a map is Go's `interface conversion` panic.
fn dig(args: &[Value]) -> super::Result {
    if args.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let (path, rest) = args.split_at(args.len() - 2);
    let (default, start) = (&rest[0], &rest[1]);
    let mut current = as_dict(start)?;
    let keys = path.iter().map(as_key).collect::<Result<Vec<_>, _>>()?;
    for (i, key) in keys.iter().enumerate() {
        let Some(step) = current.borrow().get(*key).cloned() else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = as_dict(&step)?;
    }
    Ok(default.clone())
}

fn as_dict(v: &Value) -> Result<Map, String> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        other => Err(interface_conversion(other, "map[string]interface {}")),
    }
}

fn as_key(v: &Value) -> Result<&str, String> {
    match v {
        Value::Str(s) => Ok(s),
        other => Err(interface_conversion(other, "string")),
    }
}

fn interface_conversion(got: &Value, want: &str) -> String {
    let got = if got.is_nil() { "nil" } else { got.type_name() };
    format!("interface conversion: interface {{}} is {got}, not {want}")
}

/// The keys of every dict, concatenated (duplicates kept), each dict's sorted.
fn keys(args: &[Value]) -> super::Result {
    let mut out = Vec::new();
    for d in args {
        if let Some(m) = want_map(d)? {
            out.extend(m.borrow().keys().cloned());
        }
    }
    Ok(Value::strings(out))
}

fn values(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let vals = want_map(&args[0])?
        .map(|m| m.borrow().values().cloned().collect())
        .unwrap_or_default();
    Ok(Value::list(vals))
}

fn pick(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    let src = want_map(&args[0])?;
    let mut out = BTreeMap::new();
    for k in &args[1..] {
        let k = want_str(k)?;
        if let Some(v) = src.and_then(|m| m.borrow().get(k).cloned()) {
            out.insert(k.to_owned(), v);
        }
    }
    Ok(Value::map(out))
}

fn omit(args: &[Value]) -> super::Result {
    at_least(args, 1)?;
    let src = want_map(&args[0])?;
    let drop = args[1..].iter().map(want_str).collect::<Result<Vec<_>, _>>()?;
    let out = src
        .map(|m| {
            m.borrow()
                .iter()
                .filter(|(k, _)| !drop.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Value::map(out))
}

fn merge(args: &[Value]) -> super::Result {
    merge_all(args, false)
}

fn merge_overwrite(args: &[Value]) -> super::Result {
    merge_all(args, true)
}

/// `merge DST SRC...` merges each source into DST in place (a nil DST becomes a new map) and
/// returns DST, with `dario.cat/mergo`'s rules (see `merge_into`).
fn merge_all(args: &[Value], overwrite: bool) -> super::Result {
    at_least(args, 1)?;
    let dst = want_map(&args[0])?
        .cloned()
        .unwrap_or_else(|| Map::new(Default::default()));
    for src in &args[1..] {
        if let Some(src) = want_map(src)? {
            merge_into(&dst, src, overwrite, 0)?;
        }
    }
    Ok(Value::Map(dst))
}

/// mergo's map merge, key by key of the source:
/// - nil: set only when overwriting (mergeOverwrite can null a key, merge never);
/// - a map onto a map: merged recursively (in place); if the destination map is still empty
///   afterwards, the source map replaces it;
/// - anything else (maps onto non-maps, lists, scalars): set when overwriting, or when the
///   destination lacks the key or holds an empty value (nil, "", 0, false, empty list or map).
///   So mergeOverwrite does write "", 0, false and [] over a value.
fn merge_into(dst: &Map, src: &Map, overwrite: bool, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("merge: maps nested deeper than {MAX_DEPTH}"));
    }
    // A snapshot: the source may be the destination itself, or contain it.
    let entries: Vec<(String, Value)> = src.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (key, s) in entries {
        let d = dst.borrow().get(&key).cloned();
        let replace = match (&s, &d) {
            (Value::Nil | Value::NoValue, _) => overwrite,
            (Value::Map(sm), Some(Value::Map(dm))) => {
                merge_into(dm, sm, overwrite, depth + 1)?;
                dm.borrow().is_empty()
            }
            (_, None) => true,
            (_, Some(d)) => overwrite || is_empty(d),
        };
        if replace {
            dst.borrow_mut().insert(key, s);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::super::value::go_string;
    use super::*;
    use crate::helm::funcs::testing::{call, err, i, out, s};

    fn d(pairs: &[Value]) -> Value {
        call("dict", pairs).expect("dict")
    }

    fn l(xs: &[Value]) -> Value {
        Value::list(xs.to_vec())
    }

    #[test]
    fn building_and_reading() {
        assert_eq!(out("dict", &[s("a"), i(1), s("b")]), "map[a:1 b:]");
        assert_eq!(
            out("dict", &[i(1), i(2), Value::NoValue, i(3), Value::Bool(true), i(4)]),
            "map[1:2 <nil>:3 true:4]"
        );
        assert_eq!(out("dict", &[l(&[i(1)]), i(1)]), "map[[1]:1]");
        let m = d(&[s("a"), Value::Float(1.0)]);
        assert_eq!(out("get", &[m.clone(), s("a")]), "1");
        assert_eq!(call("get", &[m.clone(), s("zz")]).unwrap().type_name(), "string");
        assert_eq!(out("get", &[Value::NoValue, s("a")]), "");
        assert_eq!(out("hasKey", &[m.clone(), s("a")]), "true");
        assert_eq!(out("hasKey", &[m.clone(), s("b")]), "false");
        assert_eq!(out("hasKey", &[Value::NoValue, s("a")]), "false");
        assert_eq!(out("pluck", &[s("a"), m.clone(), d(&[s("a"), i(2)]), d(&[])]), "[1 2]");
        assert_eq!(out("pluck", &[s("a"), m.clone(), Value::NoValue]), "[1]");
        assert_eq!(out("keys", &[m.clone(), d(&[s("a"), i(2), s("b"), i(3)])]), "[a a b]");
        assert_eq!(call("keys", &[]).unwrap().type_name(), "[]string");
        assert_eq!(out("values", std::slice::from_ref(&m)), "[1]");
        assert_eq!(out("values", &[Value::NoValue]), "[]");
        assert_eq!(out("pick", &[m.clone(), s("a"), s("zz")]), "map[a:1]");
        assert_eq!(out("pick", &[Value::NoValue, s("a")]), "map[]");
        assert_eq!(out("omit", &[m, s("a")]), "map[]");
        assert!(call("get", &[s("x"), s("a")]).is_err());
    }

    #[test]
    fn mutation_is_shared() {
        let m = d(&[s("a"), i(1)]);
        call("set", &[m.clone(), s("b"), i(2)]).unwrap();
        assert_eq!(go_string(&m), "map[a:1 b:2]");
        assert_eq!(out("unset", &[m.clone(), s("a")]), "map[b:2]");
        assert_eq!(go_string(&m), "map[b:2]");
        assert_eq!(
            err("set", &[Value::NoValue, s("a"), i(1)]),
            "assignment to entry in nil map"
        );
        assert_eq!(out("unset", &[Value::NoValue, s("a")]), "map[]");
    }

    #[test]
    fn digging() {
        let nest = d(&[s("a"), d(&[s("b"), s("x")]), s("q"), Value::Nil]);
        assert_eq!(out("dig", &[s("a"), s("b"), s("def"), nest.clone()]), "x");
        assert_eq!(out("dig", &[s("a"), s("zz"), s("def"), nest.clone()]), "def");
        assert_eq!(out("dig", &[s("x"), s("def"), nest.clone()]), "def");
        assert_eq!(
            err("dig", &[s("a"), s("b"), s("c"), s("def"), nest.clone()]),
            "interface conversion: interface {} is string, not map[string]interface {}"
        );
        assert_eq!(
            err("dig", &[s("q"), s("z"), s("def"), nest.clone()]),
            "interface conversion: interface {} is nil, not map[string]interface {}"
        );
        assert_eq!(err("dig", &[s("a"), s("def")]), "dig needs at least three arguments");
        assert_eq!(
            err("dig", &[s("a"), s("b"), Value::NoValue]),
            "interface conversion: interface {} is nil, not map[string]interface {}"
        );
    }

    #[test]
    fn merging_as_mergo() {
        let t = Value::Bool(true);
        let f = Value::Bool(false);
        let dst = d(&[s("a"), i(1), s("b"), t, s("c"), s("x"), s("d"), l(&[i(1)])]);
        let src = d(&[s("a"), i(0), s("b"), f.clone(), s("c"), s(""), s("d"), l(&[])]);
        assert_eq!(out("mergeOverwrite", &[dst, src]), "map[a:0 b:false c: d:[]]");
        assert_eq!(
            out("mergeOverwrite", &[d(&[s("a"), i(1)]), d(&[s("a"), Value::Nil])]),
            "map[a:<nil>]"
        );
        let dst = d(&[s("a"), i(1), s("z"), i(0)]);
        let src = d(&[s("a"), Value::Nil, s("b"), Value::Nil, s("z"), Value::Nil]);
        assert_eq!(out("merge", &[dst, src]), "map[a:1 z:0]");
        let dst = d(&[
            s("a"),
            s(""),
            s("b"),
            i(0),
            s("c"),
            f,
            s("d"),
            l(&[]),
            s("e"),
            d(&[]),
            s("f"),
            s("keep"),
        ]);
        let src = d(&[
            s("a"),
            i(1),
            s("b"),
            i(2),
            s("c"),
            Value::Bool(true),
            s("d"),
            l(&[i(1)]),
            s("e"),
            d(&[s("x"), i(1)]),
            s("f"),
            s("no"),
            s("g"),
            s("new"),
        ]);
        assert_eq!(
            out("merge", &[dst, src]),
            "map[a:1 b:2 c:true d:[1] e:map[x:1] f:keep g:new]"
        );
        assert_eq!(
            out("merge", &[d(&[s("a"), s("str")]), d(&[s("a"), d(&[s("x"), i(1)])])]),
            "map[a:str]"
        );
        assert_eq!(
            out(
                "mergeOverwrite",
                &[d(&[s("a"), s("str")]), d(&[s("a"), d(&[s("x"), i(1)])])]
            ),
            "map[a:map[x:1]]"
        );
        assert_eq!(
            out(
                "mergeOverwrite",
                &[d(&[s("a"), d(&[s("x"), i(1)])]), d(&[s("a"), s("str")])]
            ),
            "map[a:str]"
        );
        assert_eq!(
            out("merge", &[d(&[s("a"), l(&[i(1)])]), d(&[s("a"), d(&[s("x"), i(1)])])]),
            "map[a:[1]]"
        );
        assert_eq!(out("merge", &[Value::NoValue, d(&[s("a"), i(1)])]), "map[a:1]");
        assert_eq!(out("merge", &[d(&[s("a"), i(1)]), Value::NoValue]), "map[a:1]");
        assert_eq!(
            out("merge", &[d(&[]), d(&[s("a"), i(1)]), d(&[s("a"), i(2), s("b"), i(3)])]),
            "map[a:1 b:3]"
        );
        assert_eq!(
            out(
                "mergeOverwrite",
                &[d(&[]), d(&[s("a"), i(1)]), d(&[s("a"), i(2), s("b"), i(3)])]
            ),
            "map[a:2 b:3]"
        );
        let dst = d(&[s("a"), i(1)]);
        call("merge", &[dst.clone(), d(&[s("b"), i(2)])]).unwrap();
        assert_eq!(go_string(&dst), "map[a:1 b:2]");
    }

    #[test]
    fn nested_merge() {
        // d: {n: {a: 1, b: null, l: [1]}, x: 1}; s: {n: {a: 2, b: 3, c: 4, l: [2, 3]}, x: 0, y: {q: 1}}
        let one = Value::Float(1.0);
        let dst = || {
            let n = d(&[
                s("a"),
                one.clone(),
                s("b"),
                Value::Nil,
                s("l"),
                l(std::slice::from_ref(&one)),
            ]);
            d(&[s("n"), n, s("x"), one.clone()])
        };
        let src = || {
            let f = |x: f64| Value::Float(x);
            let n = d(&[
                s("a"),
                f(2.0),
                s("b"),
                f(3.0),
                s("c"),
                f(4.0),
                s("l"),
                l(&[f(2.0), f(3.0)]),
            ]);
            d(&[s("n"), n, s("x"), f(0.0), s("y"), d(&[s("q"), f(1.0)])])
        };
        assert_eq!(
            out("merge", &[dst(), src()]),
            "map[n:map[a:1 b:3 c:4 l:[1]] x:1 y:map[q:1]]"
        );
        assert_eq!(
            out("mergeOverwrite", &[dst(), src()]),
            "map[n:map[a:2 b:3 c:4 l:[2 3]] x:0 y:map[q:1]]"
        );
        let selfish = d(&[s("a"), i(1)]);
        assert_eq!(out("merge", &[selfish.clone(), selfish]), "map[a:1]");
    }
}
