//! The functions a Helm template can call: Go's `text/template` built-ins and the Sprig and
//! Helm functions, one file per group. Each is a plain function of its arguments; the few that
//! need the template engine (`include`, `tpl`, `and`, `or`) live in the executor. A name not
//! found here makes the template "not analyzed", never guessed.
//!
//! Coercions follow `spf13/cast` (what Sprig's `int`, `float64`, `atoi`, ... use) and Sprig's
//! `strval`, so `"12" | int` is 12 and `"x" | int` is 0, as in Helm.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::value::{Value, go_string};

mod builtins;
mod convert;
mod dates;
mod dicts;
mod encoding;
mod format;
mod lists;
mod math;
mod paths;
mod regex;
pub(crate) mod semver;
mod strings;
mod yaml;

/// A function's result; the message is what Go puts after `error calling <name>: `.
pub type Result = std::result::Result<Value, String>;
pub type Func = fn(&[Value]) -> Result;

/// Every function by name.
pub fn lookup(name: &str) -> Option<Func> {
    static TABLE: OnceLock<HashMap<&'static str, Func>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            [
                builtins::FUNCS,
                convert::FUNCS,
                dates::FUNCS,
                dicts::FUNCS,
                encoding::FUNCS,
                format::FUNCS,
                lists::FUNCS,
                math::FUNCS,
                paths::FUNCS,
                regex::FUNCS,
                semver::FUNCS,
                strings::FUNCS,
                yaml::FUNCS,
            ]
            .into_iter()
            .flatten()
            .copied()
            .collect()
        })
        .get(name)
        .copied()
}

/// The chart's own message of a `fail`/`required` error, as Helm's error cleanup extracts it.
pub fn helm_error_message(m: &str) -> Option<&str> {
    m.strip_prefix(convert::HELM_ERR_START)?
        .strip_suffix(convert::HELM_ERR_END)
}

/// Exactly `n` arguments, as Go checks a function's arity before calling it.
pub fn arity(args: &[Value], n: usize) -> std::result::Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!("wrong number of args: want {n} got {}", args.len()))
    }
}

/// Sprig's `strval`: strings as they are, everything else as `%v` prints it.
pub fn strval(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        other => go_string(other),
    }
}

/// `cast.ToInt64`: numbers truncate, numeric strings parse (Go base-0 syntax), bools are 0/1,
/// anything else is 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Str(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast drops a trailing `.0...` before parsing an integer (`"12.00"` is 12).
fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((int, frac)) if !int.is_empty() && frac.chars().all(|c| c == '0') => int,
        _ => s,
    }
}

/// `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b`/leading-`0` octal prefixes, `_` separators.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    i64::try_from(if neg { -magnitude } else { magnitude }).ok()
}

/// What the groups' unit tests share: value shorthands and calls by name or by pointer.
#[cfg(test)]
pub(super) mod testing {
    use super::{Func, Result, lookup};
    use crate::helm::value::{Value, go_string};

    pub fn s(x: &str) -> Value {
        Value::str(x)
    }

    pub fn i(x: i64) -> Value {
        Value::Int(x)
    }

    pub fn f(x: f64) -> Value {
        Value::Float(x)
    }

    /// The registered function `name`, called (the test fails if it is not registered).
    pub fn call(name: &str, args: &[Value]) -> Result {
        let func = lookup(name).unwrap_or_else(|| panic!("{name} is not registered"));
        func(args)
    }

    /// Its value as an action prints it.
    pub fn out(name: &str, args: &[Value]) -> String {
        go_string(&call(name, args).expect("ok"))
    }

    pub fn err(name: &str, args: &[Value]) -> String {
        call(name, args).expect_err("error")
    }

    /// A function by pointer, its value printed as an action prints it.
    pub fn out_of(func: Func, args: &[Value]) -> String {
        go_string(&func(args).expect("ok"))
    }

    pub fn err_of(func: Func, args: &[Value]) -> String {
        func(args).expect_err("error")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_coercions() {
        assert_eq!(to_int64(&Value::str("12")), 12);
        assert_eq!(to_int64(&Value::str("12.00")), 12);
        assert_eq!(to_int64(&Value::str("0x1f")), 31);
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("x")), 0);
        assert_eq!(to_int64(&Value::Float(3.9)), 3);
        assert_eq!(to_float64(&Value::str("1.5")), 1.5);
        assert_eq!(strval(&Value::Nil), "<nil>");
    }
}
