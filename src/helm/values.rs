//! Chart values: YAML nodes to serde_json (KOTS template text kept verbatim, numbers as Go's
//! float64 like Helm's decoder), and Helm's merge (override wins, `null` deletes a key).

use serde_json::{Map, Number, Value};

use crate::yaml::{Kind, Node, Style, Typed};

const NODE_BUDGET: usize = 200_000;

/// A YAML node as a value. Templated scalars keep their original text (`repl{{ ... }}`), so the
/// renderer carries them through unevaluated. `None` when aliases expand past the budget.
pub fn from_node(node: Node<'_>, text: &str) -> Option<Value> {
    let mut budget = NODE_BUDGET;
    convert(node, text, &mut budget, 0)
}

fn convert(node: Node<'_>, text: &str, budget: &mut usize, depth: usize) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    if depth > 200 {
        return None;
    }
    Some(match node.kind() {
        Kind::Scalar(s) if s.templated => {
            let raw = text.get(node.span()).unwrap_or(s.value);
            let raw = match s.style {
                Style::SingleQuoted | Style::DoubleQuoted if raw.len() >= 2 => &raw[1..raw.len() - 1],
                _ => raw,
            };
            Value::String(raw.to_owned())
        }
        Kind::Scalar(s) => match s.typed() {
            Typed::Null => Value::Null,
            Typed::Bool(b) => Value::Bool(b),
            Typed::Int(i) => Number::from_f64(i as f64).map_or(Value::Null, Value::Number),
            Typed::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            Typed::Str(v) => Value::String(v.to_owned()),
        },
        Kind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|n| convert(n, text, budget, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Kind::Map(entries) => {
            let mut m = Map::new();
            for (k, v) in entries {
                let key = match convert(k, text, budget, depth + 1)? {
                    Value::String(s) => s,
                    other => super::value::go_string(&super::value::Value::from(&other)),
                };
                m.insert(key, convert(v, text, budget, depth + 1)?);
            }
            Value::Object(m)
        }
        Kind::Alias(_) => convert(node.alias_target()?, text, budget, depth + 1)?,
    })
}

/// Merge `over` into `base`: maps merge deeply, anything else replaces, `null` deletes.
pub fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(k);
                    continue;
                }
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The value at a dotted path (`postgresql.enabled`).
pub fn at<'v>(v: &'v Value, dotted: &str) -> Option<&'v Value> {
    dotted.split('.').try_fold(v, |cur, k| cur.get(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn override_wins_and_null_deletes() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "b": [1], "c": 3});
        merge(&mut base, &json!({"a": {"y": 5}, "b": [2], "c": null}));
        assert_eq!(base, json!({"a": {"x": 1, "y": 5}, "b": [2]}));
    }
}
