//! JSON Schema checks: the schema's errors are mapped back to spans in the YAML span tree.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::suggest::closest;
use crate::yaml::{Node, Span, ToJsonError, to_json};

/// The bundled schemas, by the name rule params use.
const SCHEMAS: &[(&str, &str)] = &[
    ("backup", include_str!("../../schemas/backup.schema.json")),
    ("config", include_str!("../../schemas/config.schema.json")),
];

pub struct Violation {
    /// JSON pointer of the offending value.
    pub pointer: String,
    pub span: Span,
    pub message: String,
    /// Set for a key the schema does not know: (key, did-you-mean).
    pub unknown: Option<(String, Option<String>)>,
}

struct Compiled {
    schema: Value,
    validator: Validator,
}

fn compiled(name: &str) -> Option<&'static Compiled> {
    static CACHE: OnceLock<HashMap<&'static str, Compiled>> = OnceLock::new();
    CACHE
        .get_or_init(|| {
            SCHEMAS
                .iter()
                .filter_map(|(name, text)| {
                    let schema: Value = serde_json::from_str(text).ok()?;
                    let validator = jsonschema::validator_for(&schema).ok()?;
                    Some((*name, Compiled { schema, validator }))
                })
                .collect()
        })
        .get(name)
}

/// Validate `root` against a bundled schema. Templated values are unknown and never reported.
pub fn validate(name: &str, root: Node<'_>) -> Result<Vec<Violation>, ToJsonError> {
    let Some(compiled) = compiled(name) else {
        return Ok(Vec::new());
    };
    let instance = to_json(root)?;
    let mut out = Vec::new();
    for error in compiled.validator.iter_errors(&instance) {
        let (node, exact) = root.pointer(error.instance_path().as_str());
        if !exact
            || node.contains_template() && !matches!(error.kind(), ValidationErrorKind::AdditionalProperties { .. })
        {
            continue;
        }
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_properties(&compiled.schema, error.schema_path().as_str());
                for key in unexpected {
                    let Some((key_node, _)) = node.entry(key) else {
                        continue;
                    };
                    if key_node.is_templated() {
                        continue;
                    }
                    let suggestion = closest(key, known.iter().map(String::as_str)).map(str::to_owned);
                    out.push(Violation {
                        pointer: error.instance_path().as_str().to_owned(),
                        span: key_node.span(),
                        message: format!("unknown field `{key}`"),
                        unknown: Some((key.to_string(), suggestion)),
                    });
                }
            }
            _ => out.push(Violation {
                pointer: error.instance_path().as_str().to_owned(),
                span: node.span(),
                message: describe(&error),
                unknown: None,
            }),
        }
    }
    Ok(out)
}

/// The `properties` next to the `additionalProperties` keyword that failed.
fn known_properties(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path.strip_suffix("/additionalProperties").unwrap_or(schema_path);
    schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    let instance = error.instance();
    match error.kind() {
        ValidationErrorKind::Pattern { pattern } if pattern.contains("ms|s|m|h") => format!(
            "{instance} is not a Go duration: use a number with a unit (ns, us, ms, s, m, h), e.g. \"30s\", \"10m\", \"720h\"; there is no day unit"
        ),
        ValidationErrorKind::Type { .. } if error.instance_path().as_str().is_empty() => {
            "the manifest is not a mapping".to_owned()
        }
        ValidationErrorKind::Type { .. } => {
            let text = error.to_string();
            let expected = text
                .rsplit_once(" is not of type")
                .map_or("", |(_, t)| t.trim_start_matches('s').trim());
            let expected = expected.replace("\"null\", ", "").replace(", \"null\"", "");
            format!("{instance} has the wrong type: expected {expected}")
        }
        _ => error.to_string(),
    }
}
