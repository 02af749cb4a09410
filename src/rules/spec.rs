//! Rule specs: one YAML file per rule in `rules/`, compiled in by build.rs.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diagnostic::{Applicability, Severity};
use crate::yaml::{parse_stream, to_json};

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    Safe,
    Unsafe,
    None,
}

impl FixKind {
    pub fn applicability(self) -> Option<Applicability> {
        match self {
            FixKind::Safe => Some(Applicability::Safe),
            FixKind::Unsafe => Some(Applicability::Unsafe),
            FixKind::None => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub category: String,
    pub summary: String,
    pub check: String,
    #[serde(default)]
    pub params: Value,
    pub fix: FixKind,
    #[serde(default)]
    pub velero: Option<String>,
    pub explain: String,
}

#[derive(Debug, thiserror::Error)]
#[error("rule file {file}: {message}")]
pub struct SpecError {
    pub file: String,
    pub message: String,
}

pub fn parse_spec(file: &str, text: &str) -> Result<RuleSpec, SpecError> {
    let err = |message: String| SpecError {
        file: file.to_owned(),
        message,
    };
    // Rule files are not templates: their explain texts quote `{{ }}` examples verbatim.
    let docs = parse_stream(text, &[]);
    let doc = docs.first().ok_or_else(|| err("empty".into()))?;
    if let Some(e) = &doc.error {
        let line = text[..e.offset.min(text.len())].matches('\n').count() + 1;
        return Err(err(format!("line {line}: {}", e.message)));
    }
    let root = doc.root().ok_or_else(|| err("empty".into()))?;
    let value = to_json(root).map_err(|e| err(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| err(e.to_string()))
}

/// The built-in rules, sorted by ID. Parsed once per process.
pub fn builtin() -> Result<&'static [RuleSpec], &'static SpecError> {
    static RULES: OnceLock<Result<Vec<RuleSpec>, SpecError>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            let mut rules = RULE_FILES
                .iter()
                .map(|(file, text)| parse_spec(file, text))
                .collect::<Result<Vec<_>, _>>()?;
            rules.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(rules)
        })
        .as_ref()
        .map(Vec::as_slice)
}

/// Find a rule by ID or name, case-insensitively.
pub fn find<'r>(rules: &'r [RuleSpec], key: &str) -> Option<&'r RuleSpec> {
    rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

/// User rule files (`--rules DIR`): each `*.yaml` in `dir` is a rule spec that reuses a built-in
/// check with its own ID, severity, params and explain text. IDs must be new, checks known.
pub fn load_dir(dir: &std::path::Path, known: &[RuleSpec]) -> Result<Vec<RuleSpec>, SpecError> {
    let err = |file: &std::path::Path, message: String| SpecError {
        file: file.display().to_string(),
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| err(dir, format!("cannot read rules directory: {e}")))?;
    let mut paths: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    let mut out: Vec<RuleSpec> = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| err(&path, format!("cannot read: {e}")))?;
        let spec = parse_spec(&path.display().to_string(), &text)?;
        if super::check_fn(&spec.check).is_none() {
            let names: Vec<&str> = super::CHECKS.iter().map(|(n, _)| *n).collect();
            return Err(err(
                &path,
                format!("unknown check `{}` (one of: {})", spec.check, names.join(", ")),
            ));
        }
        if known
            .iter()
            .chain(&out)
            .any(|r| r.id.eq_ignore_ascii_case(&spec.id) || r.name == spec.name)
        {
            return Err(err(&path, format!("rule `{}` ({}) already exists", spec.id, spec.name)));
        }
        out.push(spec);
    }
    Ok(out)
}
