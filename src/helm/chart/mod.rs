//! Helm charts as Helm v3.17 loads them (`pkg/chart/loader`): from an archive's files or a
//! directory (honouring `.helmignore`), with subcharts under `charts/`; and what rendering needs
//! from them (`values`: dependency conditions, tags, aliases, import-values and value
//! coalescing; `files`: the `.Files` object; `capabilities`: `.Capabilities`).

mod capabilities;
mod files;
mod ignore;
mod load;
mod meta;
mod values;

use std::rc::Rc;

pub use capabilities::{DEFAULT_KUBE_VERSION, capabilities};
pub use files::Files;
pub use load::{from_archive_files, load_dir, read_chart};
pub use meta::{ChartObject, Dependency, Maintainer, Metadata};
pub use values::{Scope, render_values};

use super::value::Value;
use crate::yaml::{Document, Kind, Node, Typed, parse_stream};

/// Subcharts inside subcharts, at most this deep.
pub const MAX_NESTING: usize = 4;

/// One chart as loaded, its subcharts included, before any values decide what renders.
#[derive(Debug, Clone)]
pub struct ChartNode {
    pub name: String,
    pub version: String,
    /// `Chart.yaml` (and, for `apiVersion: v1`, `requirements.yaml`) as Helm decodes it.
    pub metadata: Rc<Metadata>,
    /// `.Chart` as templates of this chart see it when it is rendered on its own.
    pub meta: Value,
    /// `type: library`: only its `_*` templates are ever parsed, none rendered.
    pub library: bool,
    /// `values.yaml` (an empty map when absent or empty).
    pub values: Value,
    /// Everything that is not `Chart.yaml`, `values.yaml`, `values.schema.json`, a lock file,
    /// `templates/...` or `charts/...` (`charts/*.prov` included), by path in the chart.
    pub files: Vec<(String, Vec<u8>)>,
    /// `templates/...`, by full path (`app/templates/x.yaml`).
    pub templates: Vec<(String, String)>,
    /// `dependencies:` of the metadata (`None`: the key is absent, as Go's nil slice).
    pub deps: Option<Vec<Dependency>>,
    /// Charts found under `charts/`, by name.
    pub subcharts: Vec<ChartNode>,
    /// Where the chart sits as Helm names it (`app`, `app/charts/postgresql`).
    pub dir: String,
}

/// The values of a chart's `values.yaml`, as Helm decodes them: the first YAML document, which
/// must be a map (or empty); numbers are float64.
pub fn parse_values(path: &str, text: &str) -> Result<Value, String> {
    match super::goyaml::decode::from_yaml(text).map_err(|e| format!("{path}: {e}"))? {
        Value::Map(m) => Ok(Value::Map(m)),
        Value::Nil | Value::NoValue => Ok(Value::empty_map()),
        other => Err(format!(
            "{path}: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// A YAML file decoded the way `yaml.v2` hands it to `sigs.k8s.io/yaml`: integers stay
/// integers (so a string field given `12` reads "12"), floats are floats. `Nil` when empty.
fn parse_yaml_typed(path: &str, text: &str) -> Result<Value, String> {
    let Some(doc) = first_document(path, text)? else {
        return Ok(Value::Nil);
    };
    let Some(root) = doc.root() else {
        return Ok(Value::Nil);
    };
    let mut budget = YAML_NODE_BUDGET;
    typed(root, &mut budget, 0).ok_or_else(|| format!("{path}: YAML aliases expand too far"))
}

const YAML_NODE_BUDGET: usize = 200_000;

/// The first YAML document of a file, parsed (`None` when it is empty): Helm reads no more.
fn first_document(path: &str, text: &str) -> Result<Option<Document>, String> {
    let docs = parse_stream(first_document_text(text), &[]);
    let Some(doc) = docs.into_iter().next() else {
        return Ok(None);
    };
    if let Some(e) = &doc.error {
        return Err(format!("{path}: invalid YAML: {}", e.message));
    }
    Ok(Some(doc))
}

/// The text up to the end of the first document: the second `---` line (a first one before
/// any content only opens the document) or a `...` line.
fn first_document_text(text: &str) -> &str {
    let mut opened = false;
    let mut content = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let marker = line
            .strip_prefix("---")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace));
        if marker && !opened && !content {
            opened = true;
            continue;
        }
        let end_marker = line.strip_prefix("...").is_some_and(|rest| rest.trim().is_empty());
        if marker || end_marker {
            return &text[..start];
        }
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            content = true;
        }
    }
    text
}

fn typed(node: Node<'_>, budget: &mut usize, depth: usize) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    if depth > 200 {
        return None;
    }
    Some(match node.kind() {
        Kind::Scalar(s) => match s.typed() {
            Typed::Null => Value::Nil,
            Typed::Bool(b) => Value::Bool(b),
            Typed::Int(i) => Value::Int(i),
            Typed::Float(f) => Value::Float(f),
            Typed::Str(v) => Value::str(v),
        },
        Kind::Seq(items) => Value::list(
            items
                .iter()
                .map(|n| typed(n, budget, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Kind::Map(entries) => {
            let mut m = std::collections::BTreeMap::new();
            for (k, v) in entries {
                let key = match typed(k, budget, depth + 1)? {
                    Value::Str(s) => s.to_string(),
                    Value::Float(f) => crate::helm::value::format_float32(f),
                    other => super::value::go_string(&other),
                };
                m.insert(key, typed(v, budget, depth + 1)?);
            }
            Value::map(m)
        }
        Kind::Alias(_) => typed(node.alias_target()?, budget, depth + 1)?,
    })
}

/// The JSON type name `encoding/json` reports in an unmarshal type error.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::Str(_) => "string",
        Value::List(..) => "array",
        Value::Map(_) => "object",
        _ => "null",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::value::to_json;

    fn json(v: &Value) -> String {
        to_json(v).unwrap().to_string()
    }

    #[test]
    fn values_take_the_first_document_and_ignore_braces_in_comments() {
        // helm template: {"a":"}}"}
        let v = parse_values("values.yaml", "# {{ oops\na: \"}}\"\n").unwrap();
        assert_eq!(json(&v), r#"{"a":"}}"}"#);
        // helm template: {"a":1}
        let v = parse_values("values.yaml", "a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(json(&v), r#"{"a":1}"#);
        // helm template: {}
        let v = parse_values("values.yaml", "---\n---\nb: 2\n").unwrap();
        assert_eq!(json(&v), "{}");
        let v = parse_values("values.yaml", "# only a comment\n---\nb: 2\n").unwrap();
        assert_eq!(json(&v), r#"{"b":2}"#);
        assert_eq!(json(&parse_values("values.yaml", "").unwrap()), "{}");
        assert_eq!(json(&parse_values("values.yaml", "~\n").unwrap()), "{}");
        // helm template: {"a":1,"b":null,"c":null}
        let v = parse_values("values.yaml", "a: 1\nb: null\nc:\n").unwrap();
        assert_eq!(json(&v), r#"{"a":1,"b":null,"c":null}"#);
    }

    #[test]
    fn values_that_are_not_a_map_are_an_error() {
        let e = parse_values("app/values.yaml", "- 1\n").unwrap_err();
        assert_eq!(
            e,
            "app/values.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert!(
            parse_values("app/values.yaml", "\"a\n")
                .unwrap_err()
                .starts_with("app/values.yaml: ")
        );
    }
}
