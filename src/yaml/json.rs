//! Span tree -> serde_json, for JSON Schema checks and for decoding rule and config files.
//! Aliases are expanded here under a node budget, so an alias bomb is an error, not a hang.

use serde_json::{Map, Number, Value};

use super::node::{Kind, Node, Typed};
use super::parse::MAX_DEPTH;

const NODE_BUDGET: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToJsonError {
    #[error("alias expansion exceeds {NODE_BUDGET} nodes (an alias bomb?)")]
    TooLarge,
    #[error("aliases nest deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("alias refers to an unknown anchor")]
    UnknownAnchor,
}

pub fn to_json(node: Node<'_>) -> Result<Value, ToJsonError> {
    let mut budget = NODE_BUDGET;
    convert(node, &mut budget, 0)
}

fn convert(node: Node<'_>, budget: &mut usize, depth: usize) -> Result<Value, ToJsonError> {
    *budget = budget.checked_sub(1).ok_or(ToJsonError::TooLarge)?;
    if depth > MAX_DEPTH * 2 {
        return Err(ToJsonError::TooDeep);
    }
    Ok(match node.kind() {
        Kind::Scalar(s) if s.templated => Value::String(s.value.to_string()),
        Kind::Scalar(s) => match s.typed() {
            Typed::Null => Value::Null,
            Typed::Bool(b) => Value::Bool(b),
            Typed::Int(i) => Value::Number(i.into()),
            Typed::Float(f) => Number::from_f64(f).map_or(Value::String(s.value.to_string()), Value::Number),
            Typed::Str(v) => Value::String(v.to_owned()),
        },
        Kind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|i| convert(i, budget, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Kind::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let key = match k.scalar() {
                    Some(s) => s.value.to_string(),
                    None => String::new(),
                };
                map.insert(key, convert(v, budget, depth + 1)?);
            }
            Value::Object(map)
        }
        Kind::Alias(_) => {
            let target = node.alias_target().ok_or(ToJsonError::UnknownAnchor)?;
            convert(target, budget, depth + 1)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    #[test]
    fn converts_with_core_schema_types() {
        let docs = parse_stream("a: 1\nb: \"1\"\nc: [true, ~]\nd: &x {e: f}\ng: *x\n", &[]);
        let v = to_json(docs[0].root().unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": "1", "c": [true, null], "d": {"e": "f"}, "g": {"e": "f"}})
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let docs = parse_stream(&text, &[]);
        let err = to_json(docs[0].root().unwrap()).unwrap_err();
        assert_eq!(err, ToJsonError::TooLarge);
    }
}
