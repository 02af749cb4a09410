//! Helm's YAML/JSON functions (`pkg/engine/funcs.go`: `toYaml`, `fromYaml`, `fromYamlArray`,
//! `toJson`, `fromJson`, `fromJsonArray`) and Sprig's JSON ones (`toPrettyJson`, `toRawJson`,
//! the `must...` forms, `mustFromJson`). Helm's own functions swallow errors as Helm does:
//! `toYaml`/`toJson` give "", `fromYaml`/`fromJson` a map holding the message under "Error",
//! the array forms a one-item list holding it.

use super::{Func, arity};
use crate::helm::goyaml::json::{LIMIT, Target, marshal, unmarshal};
use crate::helm::goyaml::{decode, to_yaml};
use crate::helm::value::Value;

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("toYaml", to_yaml_fn),
    ("fromYaml", from_yaml_fn),
    ("fromYamlArray", from_yaml_array_fn),
    ("toJson", to_json),
    ("fromJson", from_json),
    ("fromJsonArray", from_json_array),
    ("toPrettyJson", to_pretty_json),
    ("toRawJson", to_raw_json),
    ("mustToJson", must_to_json),
    ("mustToPrettyJson", must_to_pretty_json),
    ("mustToRawJson", must_to_raw_json),
    ("mustFromJson", must_from_json),
];

fn one(args: &[Value]) -> Result<&Value, String> {
    arity(args, 1)?;
    Ok(&args[0])
}

/// A `string` parameter: Go's template engine refuses other types before the call.
fn string_arg(args: &[Value]) -> Result<&str, String> {
    match one(args)? {
        Value::Str(s) => Ok(s),
        Value::NoValue | Value::Nil => Err("invalid value; expected string".into()),
        other => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
    }
}

fn to_yaml_fn(args: &[Value]) -> Result<Value, String> {
    let text = to_yaml(one(args)?).or_else(swallow(args))?;
    Ok(Value::str(text.strip_suffix('\n').unwrap_or(&text)))
}

fn from_yaml_fn(args: &[Value]) -> Result<Value, String> {
    let text = string_arg(args)?;
    Ok(decode::from_yaml(text).unwrap_or_else(|e| error_map(Value::empty_map(), e)))
}

fn from_yaml_array_fn(args: &[Value]) -> Result<Value, String> {
    let text = string_arg(args)?;
    Ok(decode::from_yaml_array(text).unwrap_or_else(|e| Value::list(vec![Value::str(e)])))
}

/// Helm's `m["Error"] = err.Error()` on whatever map the decoder had filled.
fn error_map(m: Value, e: String) -> Value {
    let m = match m {
        Value::Map(_) => m,
        _ => Value::empty_map(),
    };
    if let Value::Map(inner) = &m {
        inner.borrow_mut().insert("Error".into(), Value::str(e));
    }
    m
}

fn json_text(args: &[Value], escape_html: bool, indent: bool) -> Result<String, String> {
    marshal(one(args)?, escape_html, indent)
}

fn to_json(args: &[Value]) -> Result<Value, String> {
    Ok(Value::str(json_text(args, true, false).or_else(swallow(args))?))
}

fn to_pretty_json(args: &[Value]) -> Result<Value, String> {
    Ok(Value::str(json_text(args, true, true).or_else(swallow(args))?))
}

/// Sprig's `toRawJson` panics on a marshalling error, which the template engine reports.
fn to_raw_json(args: &[Value]) -> Result<Value, String> {
    must_to_raw_json(args)
}

fn must_to_json(args: &[Value]) -> Result<Value, String> {
    json_text(args, true, false).map(Value::str)
}

fn must_to_pretty_json(args: &[Value]) -> Result<Value, String> {
    json_text(args, true, true).map(Value::str)
}

fn must_to_raw_json(args: &[Value]) -> Result<Value, String> {
    json_text(args, false, false).map(Value::str)
}

/// Marshalling errors become "", as in Helm; an arity error and snaplint's own size limits
/// stay errors.
fn swallow(args: &[Value]) -> impl FnOnce(String) -> Result<String, String> + '_ {
    move |e| {
        if args.len() == 1 && !e.contains(LIMIT) {
            Ok(String::new())
        } else {
            Err(e)
        }
    }
}

fn from_json(args: &[Value]) -> Result<Value, String> {
    let (v, err) = unmarshal(string_arg(args)?, Target::Map);
    Ok(match err {
        Some(e) => error_map(v, e),
        None => v,
    })
}

fn from_json_array(args: &[Value]) -> Result<Value, String> {
    let (v, err) = unmarshal(string_arg(args)?, Target::List);
    Ok(match err {
        Some(e) => Value::list(vec![Value::str(e)]),
        None => v,
    })
}

fn must_from_json(args: &[Value]) -> Result<Value, String> {
    let (v, err) = unmarshal(string_arg(args)?, Target::Any);
    match err {
        Some(e) => Err(e),
        None => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::value::go_string;

    fn call(name: &str, arg: Value) -> Result<Value, String> {
        let f = FUNCS.iter().find(|(n, _)| *n == name).unwrap().1;
        f(&[arg])
    }

    fn text(name: &str, arg: Value) -> String {
        go_string(&call(name, arg).unwrap())
    }

    #[test]
    fn snaplints_size_limit_is_an_error_not_an_empty_string() {
        let big = Value::str("x".repeat(crate::helm::goyaml::json::MAX_OUTPUT + 1));
        assert!(call("toYaml", big.clone()).is_err());
        assert!(call("toJson", big).is_err());
    }

    #[test]
    fn to_yaml_trims_one_newline_and_swallows_errors() {
        let m = Value::map([("a".to_owned(), Value::str("a\nb\n\n"))].into());
        assert_eq!(text("toYaml", m), "a: |+\n  a\n  b\n");
        assert_eq!(text("toYaml", Value::Float(f64::NAN)), "");
        assert_eq!(text("toYaml", Value::NoValue), "null");
    }

    #[test]
    fn from_yaml_reports_errors_in_the_result() {
        assert_eq!(text("fromYaml", Value::str("a: 1\nb: [x, y]")), "map[a:1 b:[x true]]");
        assert_eq!(
            text("fromYaml", Value::str("- a")),
            "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]"
        );
        assert_eq!(text("fromYamlArray", Value::str("- a\n- 1")), "[a 1]");
        assert_eq!(
            text("fromYamlArray", Value::str("- [1")),
            "[error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']']"
        );
        assert_eq!(
            call("fromYaml", Value::Int(1)).unwrap_err(),
            "wrong type for value; expected string; got int64"
        );
    }

    #[test]
    fn json_functions() {
        let v = Value::map([("a".to_owned(), Value::str("<&>"))].into());
        assert_eq!(text("toJson", v.clone()), "{\"a\":\"\\u003c\\u0026\\u003e\"}");
        assert_eq!(text("toRawJson", v.clone()), "{\"a\":\"<&>\"}");
        assert_eq!(text("toPrettyJson", v), "{\n  \"a\": \"\\u003c\\u0026\\u003e\"\n}");
        assert_eq!(text("toJson", Value::Float(f64::INFINITY)), "");
        assert_eq!(
            call("mustToJson", Value::Float(f64::INFINITY)).unwrap_err(),
            "json: unsupported value: +Inf"
        );
        assert_eq!(
            call("toRawJson", Value::Float(f64::NAN)).unwrap_err(),
            "json: unsupported value: NaN"
        );
        assert_eq!(text("fromJson", Value::str("{\"a\": [1, true]}")), "map[a:[1 true]]");
        assert_eq!(
            text("fromJson", Value::str("tru")),
            "map[Error:invalid character ' ' in literal true (expecting 'e')]"
        );
        assert_eq!(
            text("fromJsonArray", Value::str("{}")),
            "[json: cannot unmarshal object into Go value of type []interface {}]"
        );
        assert_eq!(text("mustFromJson", Value::str("\"x\"")), "x");
        assert_eq!(
            call("mustFromJson", Value::str("[1,")).unwrap_err(),
            "unexpected end of JSON input"
        );
    }
}
